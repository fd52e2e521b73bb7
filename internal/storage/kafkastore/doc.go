// Package kafkastore keeps Kafka Connect's cluster state in Kafka topics, byte for
// byte as Java Kafka Connect 4.x does, so that a goconnect cluster can take over the
// internal topics of a stopped Java cluster (and the other way round).
//
// The pieces, each the counterpart of one Java class in connect/runtime:
//
//   - Log (KafkaBasedLog): a topic read from the beginning and tailed by one owned
//     goroutine that hands every record to a callback, plus a producer for writes.
//     ReadToEnd fetches the end offsets and returns once the goroutine has consumed
//     (and called back for) everything before them.
//   - EnsureTopic (TopicAdmin): creates an internal topic compacted when it is
//     missing and refuses one whose cleanup.policy is not exactly compact.
//   - OffsetStore (KafkaOffsetBackingStore): source offsets, raw key/value bytes as
//     storage.OffsetKey/OffsetValue make them; implements worker.OffsetStore.
//   - ConfigStore (KafkaConfigBackingStore): connector configs, task configs and
//     their commits, target states, session key, restart requests, task-count
//     records and cluster logger levels; a Snapshot of the applied state and
//     ConfigEvents for the herder.
//   - StatusStore (KafkaStatusBackingStore): connector, task and active-topic
//     statuses with Java's safe-write rules and a cache any worker can read.
//
// Values are what Java's JsonConverter with schemas.enable=false writes: compact
// JSON, struct fields in schema order, maps in java.util.HashMap order
// (jsonconv.MarshalSchemaless). The golden files under testdata/java-4.3.1 were
// captured from a real Java Connect 4.3.1 worker (see golden_e2e_test.go) and pin
// both directions: goconnect parses what Java wrote, and writes what Java writes.
//
// Concurrency: each store owns one Log, hence one consuming goroutine. Record
// callbacks and ConfigEvent deliveries run on it, in topic order; store state is
// guarded by one mutex per store that is never held while calling out (events are
// delivered after the mutex is released). Close stops the goroutine and waits for
// it. docs/internal-topics.md describes the formats and the takeover procedure.
package kafkastore
