// Package connect is the connector author API of goconnect: connectors, tasks, their
// contexts, records, converters, transformations and predicates. It follows Java's
// org.apache.kafka.connect API (connect-api) in meaning and names, written the way Go's
// database/sql/driver is: small required interfaces, and optional capabilities found by
// type assertion, each documenting its fallback.
//
// Built-in connectors are written against this package exactly as a third party
// would; the runtime never calls plugin code except through an adapter that recovers
// panics into a FAILED status.
//
// Threading: the runtime calls a task's methods from a single goroutine (the task's
// own), except where a method says otherwise. Context arguments bound that call only.
package connect

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/data"
)

// Connector is implemented by every connector. A Connector instance lives on one
// worker; it splits its job into task configurations and watches the external system
// for changes that need new task configurations.
type Connector interface {
	// Version is the connector's version, shown by /connector-plugins.
	Version() string
	// Config declares the connector's own configuration keys. The framework's common
	// keys (name, connector.class, tasks.max, ...) are added by the runtime.
	Config() *config.Def
	// Start is called once the connector is assigned to this worker and its target
	// state is STARTED, with the connector configuration after config providers were
	// resolved. An error fails the connector. cc stays valid until Stop returns.
	Start(cc ConnectorContext, props map[string]string) error
	// TaskConfigs returns at most maxTasks task configurations. It is called after
	// Start and again after RequestTaskReconfiguration.
	TaskConfigs(maxTasks int) ([]map[string]string, error)
	// Stop releases what Start acquired. It is called on the same goroutine as Start.
	Stop() error
}

// SourceConnector is a connector whose tasks read an external system into Kafka.
type SourceConnector interface {
	Connector
	// NewTask returns a new, unstarted task instance.
	NewTask() SourceTask
}

// SinkConnector is a connector whose tasks write Kafka records to an external system.
type SinkConnector interface {
	Connector
	// NewTask returns a new, unstarted task instance.
	NewTask() SinkTask
}

// ConfigValidator is an optional Connector capability: Validate checks a full
// configuration beyond what Config's key definitions check (cross-field rules). It
// receives the per-key results of Config().Validate and returns them, amended.
// Without it, Config().Validate alone is used.
type ConfigValidator interface {
	Validate(props map[string]string, values []config.Value) []config.Value
}

// OffsetAlterer is an optional Connector capability, called by the offsets REST API
// (PATCH/DELETE /connectors/{name}/offsets) before the framework changes offsets. A
// nil offset means "reset this partition". It returns true if the connector also
// altered offsets it manages itself; an error vetoes the change. Without it the
// framework alters its offsets and reports that external offsets may need changes.
type OffsetAlterer interface {
	AlterOffsets(props map[string]string, offsets []PartitionOffset) (bool, error)
}

// PartitionOffset is a source partition with its offset (nil offset = reset), or for
// sink connectors a topic partition {"kafka_topic","kafka_partition"} with
// {"kafka_offset"}.
type PartitionOffset struct {
	Partition map[string]any
	Offset    map[string]any
}

// ConnectorContext lets a connector talk to the runtime. Its methods may be called
// from any goroutine.
type ConnectorContext interface {
	// RequestTaskReconfiguration asks the runtime to call TaskConfigs again, for
	// instance because the external system changed.
	RequestTaskReconfiguration()
	// RaiseError fails the connector with err, from any goroutine (for errors found
	// by a background watcher).
	RaiseError(err error)
}

// SourceConnectorContext is the ConnectorContext given to source connectors.
type SourceConnectorContext interface {
	ConnectorContext
	OffsetStorageReader() OffsetStorageReader
}

// OffsetStorageReader reads committed source offsets.
type OffsetStorageReader interface {
	// Offset returns the last committed offset of a source partition, or nil.
	Offset(ctx context.Context, partition map[string]any) (map[string]any, error)
}

// SourceTask reads an external system and returns records to produce to Kafka.
type SourceTask interface {
	// Start is called once before the first Poll with the task configuration.
	Start(tc SourceTaskContext, props map[string]string) error
	// Poll returns the next batch of records, or nil when none is available yet. It
	// should block for a while (up to about a second) rather than spin. ctx is
	// cancelled when the task must stop; Poll should then return promptly.
	// A RetriableError is logged and Poll is called again; any other error fails the
	// task.
	Poll(ctx context.Context) ([]*Record, error)
	// Stop is called once after the last Poll returned, on the same goroutine.
	Stop() error
}

// SourceTaskCommitter is an optional SourceTask capability: Commit is called after
// the runtime committed offsets (for systems that acknowledge on their side).
type SourceTaskCommitter interface {
	Commit() error
}

// RecordCommitter is an optional SourceTask capability: CommitRecord is called once
// per record when Kafka acknowledged it (md non-nil) or the record was dropped by a
// transformation or a tolerated error (md nil). It may be called from a goroutine
// other than the task's, concurrently with Poll.
type RecordCommitter interface {
	CommitRecord(r *Record, md *RecordMetadata) error
}

// RecordMetadata is where Kafka stored a produced record.
type RecordMetadata struct {
	Topic     string
	Partition int32
	Offset    int64
	Timestamp time.Time
}

// SourceTaskContext is given to a source task at Start.
type SourceTaskContext interface {
	// Config returns the task configuration.
	Config() map[string]string
	OffsetStorageReader() OffsetStorageReader
}

// SinkTask writes records consumed from Kafka to an external system.
type SinkTask interface {
	// Start is called once before the first Put.
	Start(tc SinkTaskContext, props map[string]string) error
	// Put writes (or buffers) a batch of records; it may be called with an empty
	// batch. A RetriableError makes the runtime pause consumption and call Put again
	// with the same batch after the error's backoff; any other error fails the task.
	Put(ctx context.Context, records []*Record) error
	// Stop is called once after the last Put, on the same goroutine.
	Stop() error
}

// TopicPartition names a Kafka partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

func (tp TopicPartition) String() string { return fmt.Sprintf("%s-%d", tp.Topic, tp.Partition) }

// Flusher is an optional SinkTask capability: Flush makes everything given to Put up
// to the given offsets durable. Offsets are the next offsets to consume. Without it,
// Put is taken to write synchronously.
type Flusher interface {
	Flush(ctx context.Context, offsets map[TopicPartition]int64) error
}

// PreCommitter is an optional SinkTask capability that replaces Flush: it returns the
// offsets that are safe to commit (a subset of, or lower than, the given ones).
type PreCommitter interface {
	PreCommit(ctx context.Context, offsets map[TopicPartition]int64) (map[TopicPartition]int64, error)
}

// PartitionAware is an optional SinkTask capability: Open is called when partitions
// are assigned to the task (before records of them reach Put), Close when they are
// revoked (after their last flush).
type PartitionAware interface {
	Open(partitions []TopicPartition) error
	Close(partitions []TopicPartition) error
}

// SinkTaskContext is given to a sink task at Start. Its methods may be called from
// the task's goroutine only, except ErrantRecordReporter's Report.
type SinkTaskContext interface {
	// Config returns the task configuration.
	Config() map[string]string
	// Offset asks the runtime to rewind (or skip) consumption of partitions to the
	// given next offsets.
	Offset(offsets map[TopicPartition]int64)
	// Timeout sets the backoff before Put is retried after a RetriableError.
	Timeout(d time.Duration)
	// Assignment returns the partitions currently assigned to the task.
	Assignment() []TopicPartition
	// Pause stops fetching from partitions until Resume.
	Pause(partitions ...TopicPartition)
	// Resume resumes fetching from partitions.
	Resume(partitions ...TopicPartition)
	// RequestCommit asks the runtime to commit offsets soon.
	RequestCommit()
	// ErrantRecordReporter returns the reporter for records that Put cannot write,
	// or nil when the connector configures neither a DLQ nor error logging.
	ErrantRecordReporter() ErrantRecordReporter
}

// ErrantRecordReporter sends a record that failed in Put to the dead-letter queue
// and/or the error log, as configured with errors.* keys (KIP-610).
type ErrantRecordReporter interface {
	// Report records the failure. The runtime waits for outstanding reports before
	// committing the offsets of their partitions. It may be called from any
	// goroutine. With errors.tolerance=none it returns an error that should fail Put.
	Report(ctx context.Context, r *Record, err error) error
}

// TimestampType says where a record's timestamp came from.
type TimestampType int

// Timestamp types, as Kafka's.
const (
	NoTimestampType TimestampType = iota
	CreateTime
	LogAppendTime
)

func (t TimestampType) String() string {
	return [...]string{"NoTimestampType", "CreateTime", "LogAppendTime"}[t]
}

// Header is one record header: a key and a value with an optional schema.
type Header struct {
	Key    string
	Schema *data.Schema
	Value  any
}

// Record is a record on its way into Kafka (from a source task) or out of Kafka (to a
// sink task). One type serves both so transformations apply to either; fields that
// belong to one direction only say so.
type Record struct {
	Topic string
	// Partition is the Kafka partition; -1 lets the producer choose (source records).
	Partition   int32
	KeySchema   *data.Schema
	Key         any
	ValueSchema *data.Schema
	Value       any
	// Timestamp is the record timestamp; the zero time means none.
	Timestamp time.Time
	Headers   []Header

	// SourcePartition and SourceOffset (source records) say where in the external
	// system the record came from; the runtime commits SourceOffset once Kafka acked
	// the record.
	SourcePartition map[string]any
	SourceOffset    map[string]any

	// Offset and TimestampType (sink records) locate the record in Kafka.
	Offset        int64
	TimestampType TimestampType
	// OriginalTopic, OriginalPartition and OriginalOffset (sink records) are the
	// record's Kafka coordinates before any transformation (KIP-793).
	OriginalTopic     string
	OriginalPartition int32
	OriginalOffset    int64
}

// Sink reports whether r is a sink record (it came out of Kafka).
func (r *Record) Sink() bool { return r.OriginalTopic != "" }

// Clone returns a shallow copy with its own Headers slice; transformations use it to
// derive a new record without touching their input.
func (r *Record) Clone() *Record {
	c := *r
	c.Headers = append([]Header(nil), r.Headers...)
	return &c
}

// Converter turns Connect data into bytes and back (Java's
// org.apache.kafka.connect.storage.Converter). A converter instance serves one task
// and one of key or value; it is not called concurrently.
type Converter interface {
	Config() *config.Def
	// Configure is called once with the converter's properties (prefix stripped,
	// "converter.type" set to key/value/header).
	Configure(props map[string]string, isKey bool) error
	FromConnectData(topic string, headers []Header, schema *data.Schema, value any) ([]byte, error)
	ToConnectData(topic string, headers []Header, b []byte) (*data.Schema, any, error)
}

// HeaderConverter converts header values (Java's HeaderConverter).
type HeaderConverter interface {
	Config() *config.Def
	Configure(props map[string]string) error
	FromConnectHeader(topic, key string, schema *data.Schema, value any) ([]byte, error)
	ToConnectHeader(topic, key string, b []byte) (*data.Schema, any, error)
}

// Transformation is a single message transform (SMT).
type Transformation interface {
	Config() *config.Def
	Configure(props map[string]string) error
	// Apply returns the transformed record, or nil to drop it. It must not modify r
	// or values reachable from it; use r.Clone.
	Apply(r *Record) (*Record, error)
	Close() error
}

// Predicate decides whether a transformation applies to a record.
type Predicate interface {
	Config() *config.Def
	Configure(props map[string]string) error
	Test(r *Record) (bool, error)
	Close() error
}

// RetriableError marks an error as transient (Java's RetriableException): the runtime
// retries the operation after Backoff (or its own backoff when zero) instead of
// failing the task.
type RetriableError struct {
	Err     error
	Backoff time.Duration
}

func (e *RetriableError) Error() string { return e.Err.Error() }
func (e *RetriableError) Unwrap() error { return e.Err }

// Retriable wraps err as a RetriableError.
func Retriable(err error) error {
	if err == nil {
		return nil
	}
	return &RetriableError{Err: err}
}

// IsRetriable reports whether err is, or wraps, a RetriableError.
func IsRetriable(err error) bool {
	var re *RetriableError
	return errors.As(err, &re)
}

// ErrData is wrapped by errors about malformed data (Java's DataException).
var ErrData = data.ErrData
