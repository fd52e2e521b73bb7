package counting

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// Class names and version of the example connectors.
const (
	SourceClass = "com.example.goconnect.CountingSourceConnector"
	SinkClass   = "com.example.goconnect.FileSinkConnector"
	Version     = "1.0.0"
)

// Config keys.
const (
	TopicConfig      = "topic"
	BatchSizeConfig  = "batch.size"
	MaxRecordsConfig = "max.records"
	PanicConfig      = "panic.in"
	FileConfig       = "file"
)

// ValueSchema is the schema of the source's record values.
var ValueSchema = data.NewStructSchema("com.example.Count", false,
	data.Field{Name: "n", Schema: data.Int64Schema},
	data.Field{Name: "label", Schema: data.OptionalStringSchema},
	data.Field{Name: "at", Schema: data.TimestampSchema(false)},
	data.Field{Name: "price", Schema: data.DecimalSchema(2, false)},
	data.Field{Name: "tags", Schema: data.NewMapSchema(data.Int32Schema, data.StringSchema, true)},
)

// SourceConnector emits numbered records to one topic.
type SourceConnector struct{ props map[string]string }

var sourceDef = config.NewDef().Define(
	config.Key{Name: TopicConfig, Type: config.String, Default: config.NoDefault, Importance: config.High, Doc: "Topic to write to.", Validator: config.NonEmptyString},
	config.Key{Name: BatchSizeConfig, Type: config.Int, Default: "1000", Importance: config.Low, Doc: "Records per Poll.", Validator: config.AtLeast(1)},
	config.Key{Name: MaxRecordsConfig, Type: config.Long, Default: "-1", Importance: config.Low, Doc: "Stop emitting after this many records per task; -1 means never."},
	config.Key{Name: PanicConfig, Type: config.String, Default: "", Importance: config.Low, Doc: "Testing aid: \"poll\" panics in Poll, \"hang-poll\" blocks Poll for an hour ignoring its ctx."},
)

// Version implements connect.SourceConnector.
func (c *SourceConnector) Version() string { return Version }

// Config implements connect.SourceConnector.
func (c *SourceConnector) Config() *config.Def { return sourceDef }

// Stop implements connect.SourceConnector.
func (c *SourceConnector) Stop() error { return nil }

// NewTask implements connect.SourceConnector.
func (c *SourceConnector) NewTask() connect.SourceTask { return &SourceTask{} }

// Start implements connect.SourceConnector.
func (c *SourceConnector) Start(_ connect.ConnectorContext, props map[string]string) error {
	if _, err := sourceDef.Parse(props); err != nil {
		return err
	}
	c.props = props
	return nil
}

// TaskConfigs implements connect.SourceConnector.
func (c *SourceConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	out := make([]map[string]string, maxTasks)
	for i := range out {
		m := map[string]string{"task.id": strconv.Itoa(i)}
		for k, v := range c.props {
			m[k] = v
		}
		out[i] = m
	}
	return out, nil
}

// SourceTask is CountingSource's task. It resumes from its committed offset.
type SourceTask struct {
	topic     string
	batch     int
	max       int64
	panicIn   string
	partition map[string]any
	next      int64
	committed int64 // records acknowledged through CommitRecord
	mu        sync.Mutex
}

// Start implements connect.SourceTask.
func (t *SourceTask) Start(tc connect.SourceTaskContext, props map[string]string) error {
	v, err := sourceDef.Parse(props)
	if err != nil {
		return err
	}
	t.topic, t.batch, t.max, t.panicIn = v.String(TopicConfig), int(v.Int(BatchSizeConfig)), v.Long(MaxRecordsConfig), v.String(PanicConfig)
	t.partition = map[string]any{"task": props["task.id"]}
	off, err := tc.OffsetStorageReader().Offset(context.Background(), t.partition)
	if err != nil {
		return fmt.Errorf("read offset: %w", err)
	}
	if n, ok := off["n"].(int64); ok {
		t.next = n + 1
	}
	return nil
}

// Poll implements connect.SourceTask.
func (t *SourceTask) Poll(ctx context.Context) ([]*connect.Record, error) {
	switch t.panicIn {
	case "poll":
		panic("counting source asked to panic in poll")
	case "hang-poll":
		time.Sleep(time.Hour)
	}
	n := t.batch
	if t.max >= 0 {
		n = int(min(int64(n), t.max-t.next))
	}
	if n <= 0 {
		select { // nothing left: block a little instead of spinning
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
		return nil, nil
	}
	at := time.UnixMilli(1_700_000_000_000).UTC()
	out := make([]*connect.Record, n)
	for i := range out {
		seq := t.next
		t.next++
		v := data.NewStruct(ValueSchema).
			Set("n", seq).
			Set("label", "record-"+strconv.FormatInt(seq, 10)).
			Set("at", at.Add(time.Duration(seq)*time.Millisecond)).
			Set("price", data.Decimal{Unscaled: big.NewInt(seq * 101), Scale: 2}).
			Set("tags", map[any]any{int32(seq % 7): "mod7"})
		out[i] = &connect.Record{
			Topic: t.topic, Partition: -1,
			KeySchema: data.Int64Schema, Key: seq,
			ValueSchema: ValueSchema, Value: v,
			Headers:         []connect.Header{{Key: "origin", Schema: data.StringSchema, Value: "counting"}},
			SourcePartition: t.partition, SourceOffset: map[string]any{"n": seq},
		}
	}
	return out, nil
}

// CommitRecord counts the records Kafka acknowledged (exercises
// RecordCommitter): each must be one of this task's own records.
func (t *SourceTask) CommitRecord(r *connect.Record, md *connect.RecordMetadata) error {
	if md == nil {
		return nil // not sent (dropped by a transformation or a tolerated failure)
	}
	if _, ok := r.Value.(*data.Struct); !ok || r.SourceOffset == nil {
		return fmt.Errorf("CommitRecord got a record this task did not return: %+v", r)
	}
	t.mu.Lock()
	t.committed++
	t.mu.Unlock()
	return nil
}

// Stop implements connect.SourceTask. It reports how many of its records were
// acknowledged through CommitRecord (tests read it from the worker's log).
func (t *SourceTask) Stop() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(os.Stderr, "counting source task stopped: %d records committed\n", t.committed)
	return nil
}

// SinkConnector writes records to a file.
type SinkConnector struct{ props map[string]string }

var sinkDef = config.NewDef().Define(
	config.Key{Name: FileConfig, Type: config.String, Default: config.NoDefault, Importance: config.High, Doc: "File to append records to.", Validator: config.NonEmptyString},
)

// Version implements connect.SinkConnector.
func (c *SinkConnector) Version() string { return Version }

// Config implements connect.SinkConnector.
func (c *SinkConnector) Config() *config.Def { return sinkDef }

// Stop implements connect.SinkConnector.
func (c *SinkConnector) Stop() error { return nil }

// NewTask implements connect.SinkConnector.
func (c *SinkConnector) NewTask() connect.SinkTask { return &SinkTask{} }

// Start implements connect.SinkConnector.
func (c *SinkConnector) Start(_ connect.ConnectorContext, props map[string]string) error {
	c.props = props
	return nil
}

// TaskConfigs implements connect.SinkConnector.
func (c *SinkConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	out := make([]map[string]string, maxTasks)
	for i := range out {
		out[i] = c.props
	}
	return out, nil
}

// Validate adds a cross-field rule, to exercise ConfigValidator remotely.
func (c *SinkConnector) Validate(props map[string]string, values []config.Value) []config.Value {
	for i := range values {
		if values[i].Name == FileConfig && props[FileConfig] == "/" {
			values[i].Errors = append(values[i].Errors, "file must not be the root folder")
		}
	}
	return values
}

// SinkTask appends one line per record: topic, partition, offset, key, value.
// A record whose value is "fail" fails Put with a retriable error, each time;
// "fail-once" only the first time; a record of topic "pause-me" pauses its
// partition (testing aids).
type SinkTask struct {
	f        *os.File
	tc       connect.SinkTaskContext
	failOnce map[int64]bool // offsets of "fail-once" records that already failed
}

// Start implements connect.SinkTask.
func (t *SinkTask) Start(tc connect.SinkTaskContext, props map[string]string) error {
	v, err := sinkDef.Parse(props)
	if err != nil {
		return err
	}
	t.tc = tc
	t.f, err = os.OpenFile(v.String(FileConfig), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	return err
}

// Put implements connect.SinkTask.
func (t *SinkTask) Put(_ context.Context, records []*connect.Record) error {
	var b []byte
	for _, r := range records {
		if r.Topic == "pause-me" {
			t.tc.Pause(connect.TopicPartition{Topic: r.Topic, Partition: r.Partition})
		}
		if r.Value == "fail" || r.Value == "fail-once" && !t.failOnce[r.Offset] {
			if r.Value == "fail-once" {
				if t.failOnce == nil {
					t.failOnce = map[int64]bool{}
				}
				t.failOnce[r.Offset] = true
			}
			return connect.Retriable(fmt.Errorf("record %d asked to fail", r.Offset))
		}
		b = fmt.Appendf(b, "%s\t%d\t%d\t%v\t%v\n", r.Topic, r.Partition, r.Offset, r.Key, r.Value)
	}
	_, err := t.f.Write(b)
	return err
}

// Flush implements connect.Flusher: it syncs the file, so committed offsets are durable.
func (t *SinkTask) Flush(context.Context, map[connect.TopicPartition]int64) error { return t.f.Sync() }

// Open implements connect.PartitionAware; partitions of topic "pause-me" are paused at once (exercises a context callback).
func (t *SinkTask) Open(ps []connect.TopicPartition) error {
	if len(ps) > 0 && ps[0].Topic == "pause-me" {
		t.tc.Pause(ps...)
	}
	return nil
}

// Close implements connect.PartitionAware.
func (t *SinkTask) Close([]connect.TopicPartition) error { return nil }

// Stop implements connect.SinkTask.
func (t *SinkTask) Stop() error {
	if t.f == nil {
		return nil
	}
	return t.f.Close()
}
