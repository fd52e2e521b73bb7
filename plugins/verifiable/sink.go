package verifiable

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
)

// SinkConnector is VerifiableSinkConnector: as many tasks as asked for, each with its
// own id.
type SinkConnector struct {
	props map[string]string
}

// NewSinkConnector returns a VerifiableSink connector.
func NewSinkConnector() *SinkConnector { return &SinkConnector{} }

var _ connect.SinkConnector = (*SinkConnector)(nil)

// Version implements connect.Connector.
func (c *SinkConnector) Version() string { return Version }

// Config implements connect.Connector.
func (c *SinkConnector) Config() *config.Def { return connectorConfig() }

// Start keeps the configuration; the tasks parse it, as in Java.
func (c *SinkConnector) Start(_ connect.ConnectorContext, props map[string]string) error {
	c.props = maps.Clone(props)
	return nil
}

// TaskConfigs returns maxTasks configurations with id 0..maxTasks-1.
func (c *SinkConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	return taskConfigs(c.props, maxTasks), nil
}

// Stop implements connect.Connector.
func (c *SinkConnector) Stop() error { return nil }

// NewTask implements connect.SinkConnector.
func (c *SinkConnector) NewTask() connect.SinkTask { return &SinkTask{} }

// SinkTask is VerifiableSinkTask: it prints a line per record consumed, and again,
// marked "flushed", when the framework flushes the record's partition, so a test
// sees which records were committed.
type SinkTask struct {
	name      any
	id        int32
	out       *output
	unflushed map[connect.TopicPartition][]*hashMap

	// now is the clock and stdout the default output, replaced by tests.
	now    func() time.Time
	stdout io.Writer
}

var (
	_ connect.SinkTask = (*SinkTask)(nil)
	_ connect.Flusher  = (*SinkTask)(nil)
)

// Start parses the task id. The error message names VerifiableSourceTask, as
// Java's does.
func (t *SinkTask) Start(_ connect.SinkTaskContext, props map[string]string) error {
	if t.now == nil {
		t.now = time.Now
	}
	t.name = optional(props, NameConfig)
	id, err := strconv.ParseInt(props[IDConfig], 10, 32)
	if err != nil {
		return fmt.Errorf("Invalid VerifiableSourceTask configuration: %w", err)
	}
	t.id = int32(id)
	t.unflushed = map[connect.TopicPartition][]*hashMap{}
	t.out, err = openOutput(props[FileConfig], t.stdout, false)
	return err
}

// Put prints one line per record (one write for the batch) and remembers it until
// its partition is flushed.
func (t *SinkTask) Put(_ context.Context, records []*connect.Record) error {
	if len(records) == 0 {
		return nil
	}
	nowMs := t.now().UnixMilli()
	var b []byte
	for _, r := range records {
		m := newHashMap()
		m.put("name", t.name)
		m.put("task", r.Key) // the VerifiableSourceTask that produced it
		m.put("sinkTask", t.id)
		m.put("topic", r.Topic)
		m.put("time_ms", nowMs)
		m.put("seqno", r.Value)
		m.put("offset", r.Offset)
		b = append(m.appendJSON(b), '\n')
		tp := connect.TopicPartition{Topic: r.Topic, Partition: r.Partition}
		t.unflushed[tp] = append(t.unflushed[tp], m)
	}
	return t.out.write(b)
}

// Flush prints the remembered lines of the flushed partitions again, with the flush
// time and "flushed": true. Java walks a HashMap of partitions; goconnect sorts them
// by topic and partition.
func (t *SinkTask) Flush(_ context.Context, offsets map[connect.TopicPartition]int64) error {
	nowMs := t.now().UnixMilli()
	tps := slices.SortedFunc(maps.Keys(offsets), func(a, b connect.TopicPartition) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	var b []byte
	for _, tp := range tps {
		for _, m := range t.unflushed[tp] {
			m.put("time_ms", nowMs)
			m.put("flushed", true)
			b = append(m.appendJSON(b), '\n')
		}
		delete(t.unflushed, tp)
	}
	if len(b) == 0 {
		return nil
	}
	return t.out.write(b)
}

// Stop closes the output file, if any.
func (t *SinkTask) Stop() error { return t.out.close() }
