// Package verifiable is Apache Kafka's VerifiableSource and VerifiableSink
// (org.apache.kafka.connect.tools, shipped in the connect-test-plugins jar): test
// connectors that make delivery visible. Each source task produces an increasing
// seqno per record, keyed by its task id, and each sink task consumes them; both
// print one JSON object per record (and per commit or flush) so a test can check
// that nothing was lost or duplicated across restarts and rebalances. The Kafka
// system tests parse these lines, so they are byte-identical with Java's: the same
// keys in java.util.HashMap order, Jackson's number and string formatting.
//
// Keys, read from the connector configuration as Java reads them (Java declares no
// ConfigDef for them, and neither does this package):
//
//   - name: the connector name (set by the framework), printed in each line.
//   - topic (source): the topic to produce to.
//   - throughput (source, required): records per second per task; negative means
//     unthrottled, 0 means one record and then nothing until the task stops.
//   - complete.record.data (source): "true" makes the value a struct
//     {name, task, topic, time_ms, seqno} instead of the bare INT64 seqno.
//   - id: the task id, set by the connector for each task.
//
// goconnect adds one key to both connectors, declared in their config definitions:
//
//   - file: write the JSON lines to this file (appended, created if needed) instead
//     of standard output, so a test can read them without capturing the worker's
//     stdout, which the worker's own logs share.
//
// The source task buffers its lines (Java prints each with System.out.println):
// they are written at most 100 ms after the oldest unwritten one, when 64 KiB are
// waiting, when the task waits for its throttle, on each offset commit and on stop, in order and byte for byte, so printing no longer
// bounds the task's rate.
//
// Where output differs from Java's: when a commit or flush line carries a Struct
// value (complete.record.data), Jackson cannot serialize it and Java prints "Bad
// data can't be written as json: ..." instead of the line; goconnect writes the
// struct as a JSON object of its fields. Waits for throttling end when the task is
// stopped, without producing the record Java would produce on wake-up.
package verifiable
