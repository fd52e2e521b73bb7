package verifiable

import (
	"context"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// Version is the version the connectors report: the Apache Kafka release whose
// connect-test-plugins they mirror (Java's AppInfoParser.getVersion()).
const Version = "4.3.1"

// Java class names of the connectors and their tasks.
const (
	SourceClass     = "org.apache.kafka.connect.tools.VerifiableSourceConnector"
	SourceTaskClass = "org.apache.kafka.connect.tools.VerifiableSourceTask"
	SinkClass       = "org.apache.kafka.connect.tools.VerifiableSinkConnector"
	SinkTaskClass   = "org.apache.kafka.connect.tools.VerifiableSinkTask"
)

// Config keys, as Java's VerifiableSourceTask/VerifiableSinkTask name them, plus
// goconnect's FileConfig.
const (
	NameConfig               = "name"
	IDConfig                 = "id"
	TopicConfig              = "topic"
	ThroughputConfig         = "throughput"
	CompleteRecordDataConfig = "complete.record.data"
	FileConfig               = "file"
)

// Source partition and offset field names.
const (
	IDField    = "id"
	SeqnoField = "seqno"
)

// connectorConfig is what both connectors declare. Java declares an empty ConfigDef;
// goconnect adds its file key so /connector-plugins shows it.
func connectorConfig() *config.Def {
	return config.NewDef().Define(config.Key{
		Name: FileConfig, Type: config.String, Default: nil, Importance: config.Low,
		Doc: "goconnect extension: file to append the JSON lines to. If not specified, the standard output will be used",
	})
}

// completeValueSchema is Java's COMPLETE_VALUE_SCHEMA (an unnamed struct).
var completeValueSchema = data.NewStructSchema("", false,
	data.Field{Name: "name", Schema: data.StringSchema},
	data.Field{Name: "task", Schema: data.Int32Schema},
	data.Field{Name: "topic", Schema: data.StringSchema},
	data.Field{Name: "time_ms", Schema: data.Int64Schema},
	data.Field{Name: "seqno", Schema: data.Int64Schema},
)

// SourceConnector is VerifiableSourceConnector: as many tasks as asked for, each
// with its own id.
type SourceConnector struct {
	props map[string]string
}

// NewSourceConnector returns a VerifiableSource connector.
func NewSourceConnector() *SourceConnector { return &SourceConnector{} }

var _ connect.SourceConnector = (*SourceConnector)(nil)

// Version implements connect.Connector.
func (c *SourceConnector) Version() string { return Version }

// Config implements connect.Connector.
func (c *SourceConnector) Config() *config.Def { return connectorConfig() }

// Start keeps the configuration; the tasks parse it, as in Java.
func (c *SourceConnector) Start(_ connect.ConnectorContext, props map[string]string) error {
	c.props = maps.Clone(props)
	return nil
}

// TaskConfigs returns maxTasks configurations with id 0..maxTasks-1.
func (c *SourceConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	return taskConfigs(c.props, maxTasks), nil
}

func taskConfigs(props map[string]string, maxTasks int) []map[string]string {
	cfgs := make([]map[string]string, maxTasks)
	for i := range cfgs {
		cfgs[i] = maps.Clone(props)
		if cfgs[i] == nil {
			cfgs[i] = map[string]string{}
		}
		cfgs[i][IDConfig] = strconv.Itoa(i)
	}
	return cfgs
}

// Stop implements connect.Connector.
func (c *SourceConnector) Stop() error { return nil }

// NewTask implements connect.SourceConnector.
func (c *SourceConnector) NewTask() connect.SourceTask { return &SourceTask{} }

// SourceTask is VerifiableSourceTask: one record per Poll, with seqno increasing
// from the last committed one, throttled to throughput records per second.
type SourceTask struct {
	name      any // string, or nil when absent, as Java's props.get
	topic     any
	id        int32
	partition map[string]any
	seqno     int64
	starting  int64
	complete  bool
	throttler *throttler
	out       *output

	// now and sleep are the clock, replaced by tests; stdout is where lines go
	// without the file key (nil = os.Stdout).
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	stdout io.Writer
}

var (
	_ connect.SourceTask          = (*SourceTask)(nil)
	_ connect.RecordCommitter     = (*SourceTask)(nil)
	_ connect.SourceTaskCommitter = (*SourceTask)(nil)
)

// Start parses the task configuration as Java does (a bad id or throughput fails
// with "Invalid VerifiableSourceTask configuration") and resumes after the last
// committed seqno of its partition {"id": id}.
func (t *SourceTask) Start(tc connect.SourceTaskContext, props map[string]string) error {
	if t.now == nil {
		t.now = time.Now
	}
	if t.sleep == nil {
		t.sleep = sleepCtx
	}
	t.name, t.topic = optional(props, NameConfig), optional(props, TopicConfig)
	id, err := strconv.ParseInt(props[IDConfig], 10, 32)
	if err != nil {
		return fmt.Errorf("Invalid VerifiableSourceTask configuration: %w", err)
	}
	throughput, err := strconv.ParseInt(props[ThroughputConfig], 10, 64)
	if err != nil {
		return fmt.Errorf("Invalid VerifiableSourceTask configuration: %w", err)
	}
	t.id = int32(id)
	t.partition = map[string]any{IDField: t.id}
	prev, err := tc.OffsetStorageReader().Offset(context.Background(), t.partition)
	if err != nil {
		return fmt.Errorf("read offset of task %d: %w", t.id, err)
	}
	t.seqno = 0
	if prev != nil {
		n, ok := prev[SeqnoField].(int64)
		if !ok {
			return fmt.Errorf("offset %v of task %d has no long seqno", prev, t.id)
		}
		t.seqno = n + 1
	}
	t.starting = t.seqno
	t.throttler = newThrottler(float64(throughput), t.now().UnixMilli(), t.now, t.sleep)
	t.complete = strings.EqualFold(props[CompleteRecordDataConfig], "true")
	t.out, err = openOutput(props[FileConfig], t.stdout, true)
	return err
}

func optional(props map[string]string, key string) any {
	if v, ok := props[key]; ok {
		return v
	}
	return nil
}

// Poll prints and returns one record, after throttling. A Poll whose throttling wait
// is cut short by ctx returns nothing.
func (t *SourceTask) Poll(ctx context.Context) ([]*connect.Record, error) {
	if t.throttler.shouldThrottle(t.seqno-t.starting, t.now()) {
		// Idle: nothing to gain from holding the lines printed so far.
		if err := t.out.flush(); err != nil {
			return nil, fmt.Errorf("print: %w", err)
		}
		if err := t.throttler.throttle(ctx); err != nil {
			return nil, nil
		}
	}
	nowMs := t.now().UnixMilli()
	line := producedLine.append(make([]byte, 0, 160), t.name, t.id, t.topic, nowMs, t.seqno)
	if err := t.out.write(append(line, '\n')); err != nil {
		return nil, fmt.Errorf("print seqno %d: %w", t.seqno, err)
	}
	r := &connect.Record{
		Topic:           asString(t.topic),
		Partition:       -1,
		KeySchema:       data.Int32Schema,
		Key:             t.id,
		ValueSchema:     data.Int64Schema,
		Value:           t.seqno,
		SourcePartition: t.partition,
		SourceOffset:    map[string]any{SeqnoField: t.seqno},
	}
	if t.complete {
		s := data.NewStruct(completeValueSchema)
		for i, v := range []any{t.name, t.id, t.topic, nowMs, t.seqno} {
			if err := s.Put(producedLine.keys[i], v); err != nil {
				return nil, err
			}
		}
		r.ValueSchema, r.Value = completeValueSchema, s
	}
	t.seqno++
	return []*connect.Record{r}, nil
}

func asString(v any) string { s, _ := v.(string); return s }

// CommitRecord prints the "committed" line of a record Kafka acknowledged (or that
// was dropped: Java prints it either way). It may run on another goroutine than
// Poll; it reads only fields fixed at Start.
func (t *SourceTask) CommitRecord(r *connect.Record, _ *connect.RecordMetadata) error {
	line := committedLine.append(make([]byte, 0, 160), t.name, t.id, t.topic, t.now().UnixMilli(), r.Value, true)
	return t.out.write(append(line, '\n'))
}

// The source's lines: Java puts these keys into a HashMap in this order.
var (
	producedLine  = newLineFormat("name", "task", "topic", "time_ms", "seqno")
	committedLine = newLineFormat("name", "task", "topic", "time_ms", "seqno", "committed")
)

// Commit writes the buffered lines; the runtime calls it after each offset commit.
func (t *SourceTask) Commit() error { return t.out.flush() }

// Stop writes the buffered lines and closes the output file, if any.
func (t *SourceTask) Stop() error { return t.out.close() }
