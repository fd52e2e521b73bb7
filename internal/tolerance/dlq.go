package tolerance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/data"
)

// Context header names (Java's DeadLetterQueueReporter.ERROR_HEADER_*).
const (
	HeaderPrefix           = "__connect.errors."
	HeaderTopic            = HeaderPrefix + "topic"
	HeaderPartition        = HeaderPrefix + "partition"
	HeaderOffset           = HeaderPrefix + "offset"
	HeaderConnectorName    = HeaderPrefix + "connector.name"
	HeaderTaskID           = HeaderPrefix + "task.id"
	HeaderStage            = HeaderPrefix + "stage"
	HeaderClassName        = HeaderPrefix + "class.name"
	HeaderExceptionClass   = HeaderPrefix + "exception.class.name"
	HeaderExceptionMessage = HeaderPrefix + "exception.message"
	HeaderStacktrace       = HeaderPrefix + "exception.stacktrace"
	// HeaderSourcePartition and HeaderSourceOffset are goconnect's additions for
	// source connectors: the record's source partition and offset as JSON, so a
	// DLQ record can be traced back to (and replayed from) the source system.
	HeaderSourcePartition = HeaderPrefix + "source.partition"
	HeaderSourceOffset    = HeaderPrefix + "source.offset"
)

// dlqPartitions is the partition count of a DLQ topic the worker creates (Java's
// DLQ_NUM_DESIRED_PARTITIONS).
const dlqPartitions = 1

// EnsureTopic creates topic with one partition and the replication factor unless it
// exists (Java's DeadLetterQueueReporter.createAndSetup).
func EnsureTopic(ctx context.Context, adm *kadm.Client, topic string, replication int16) error {
	resp, err := adm.CreateTopic(ctx, dlqPartitions, replication, nil, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("Could not initialize dead letter queue with topic=%s: %w", topic, err) //nolint:staticcheck // Java's message
	}
	return nil
}

// DLQ writes failed records to the dead-letter queue topic. Report may be called
// from any goroutine; Flush waits for every record reported so far.
type DLQ struct {
	cl      *kgo.Client
	topic   string
	headers bool
	log     *slog.Logger

	mu  sync.Mutex // leaf lock
	err error      // first produce failure
}

// NewDLQ returns a DLQ reporter producing with cl (owned by the DLQ from now on:
// Close closes it) to topic; headers adds the __connect.errors.* headers.
func NewDLQ(cl *kgo.Client, topic string, headers bool, log *slog.Logger) *DLQ {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &DLQ{cl: cl, topic: topic, headers: headers, log: log}
}

// Report produces the failed record's raw form (plus context headers) to the DLQ.
// Without a raw form (a source record and no renderer) nothing is written, as Java
// skips records it has no consumer record for.
func (d *DLQ) Report(f *Failure, done func(error)) {
	raw := f.Consumed
	if raw == nil && f.Source != nil && f.Render != nil {
		raw = f.Render(f.Source)
	}
	if raw == nil {
		done(nil)
		return
	}
	kr := &kgo.Record{Topic: d.topic, Key: raw.Key, Value: raw.Value}
	if !raw.Timestamp.IsZero() {
		kr.Timestamp = raw.Timestamp
	}
	for _, h := range raw.Headers {
		kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
	}
	if d.headers {
		kr.Headers = append(kr.Headers, ContextHeaders(f, raw)...)
	}
	// context.Background: a report must reach Kafka even while the task stops; the
	// commit that waits for it (Flush) is what has a deadline.
	d.cl.Produce(context.Background(), kr, func(_ *kgo.Record, err error) {
		if err != nil {
			err = fmt.Errorf("produce to dead letter queue topic %s: %w", d.topic, err)
			d.log.Error("Could not produce message to dead letter queue. topic="+d.topic, "error", err)
			d.mu.Lock()
			if d.err == nil {
				d.err = err
			}
			d.mu.Unlock()
		}
		done(err)
	})
}

// ContextHeaders are the __connect.errors.* headers of a failure (Java's
// populateContextHeaders), values UTF-8 strings. For source records topic is the
// record's topic, partition its partition (-1 if none) and offset -1, and the
// source partition and offset are added as JSON.
func ContextHeaders(f *Failure, raw *Raw) []kgo.RecordHeader {
	topic, partition, offset := "", int64(-1), int64(-1)
	switch {
	case f.Consumed != nil:
		topic, partition, offset = f.Consumed.Topic, int64(f.Consumed.Partition), f.Consumed.Offset
	case f.Source != nil:
		topic, partition = f.Source.Topic, int64(max(f.Source.Partition, -1))
	}
	h := func(k, v string) kgo.RecordHeader { return kgo.RecordHeader{Key: k, Value: []byte(v)} }
	out := []kgo.RecordHeader{
		h(HeaderTopic, topic),
		h(HeaderPartition, strconv.FormatInt(partition, 10)),
		h(HeaderOffset, strconv.FormatInt(offset, 10)),
		h(HeaderConnectorName, f.Connector),
		h(HeaderTaskID, strconv.Itoa(f.Task)),
		h(HeaderStage, f.Stage.String()),
		h(HeaderClassName, f.Class),
	}
	if f.Err != nil {
		out = append(out,
			h(HeaderExceptionClass, ExceptionClass(f.Err)),
			h(HeaderExceptionMessage, ExceptionMessage(f.Err)),
			h(HeaderStacktrace, Stacktrace(f.Err)))
	}
	if f.Source != nil && f.Consumed == nil {
		if b, err := json.Marshal(jsonable(f.Source.SourcePartition)); err == nil {
			out = append(out, h(HeaderSourcePartition, string(b)))
		}
		if b, err := json.Marshal(jsonable(f.Source.SourceOffset)); err == nil {
			out = append(out, h(HeaderSourceOffset, string(b)))
		}
	}
	// Java refuses to add a context header the original record already has.
	var dup []kgo.RecordHeader
	for _, c := range out {
		clash := false
		for _, o := range raw.Headers {
			if o.Key == c.Key {
				clash = true
				break
			}
		}
		if !clash {
			dup = append(dup, c)
		}
	}
	return dup
}

// Flush waits until every reported record was acked, and returns the first produce
// failure seen so far. Sink tasks call it before committing offsets (KIP-610:
// errant records block the commit of their partitions; waiting for all of them is
// the simple superset).
func (d *DLQ) Flush(ctx context.Context) error {
	if err := d.cl.Flush(ctx); err != nil {
		return fmt.Errorf("wait for dead letter queue records: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// Close closes the producer; records not yet acked are abandoned.
func (d *DLQ) Close() { d.cl.Close() }

// RenderValue renders a Connect value as bytes for a source record's DLQ copy when
// the task's converter cannot: strings and bytes as they are, nil as nil,
// everything else as schemaless JSON (structs as objects of their fields).
func RenderValue(v any) []byte {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		return []byte(fmt.Sprint(v))
	}
	return b
}

// jsonable turns Connect data into values encoding/json renders as JsonConverter's
// schemaless output would.
func jsonable(v any) any {
	switch x := v.(type) {
	case *data.Struct:
		if x == nil {
			return nil
		}
		m := map[string]any{}
		if s := x.Schema(); s != nil {
			for i, f := range s.Fields {
				m[f.Name] = jsonable(x.At(i))
			}
		}
		return m
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = jsonable(e)
		}
		return m
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	}
	return v
}

var _ Reporter = (*DLQ)(nil)
var _ Reporter = (*LogReporter)(nil)
