// Package worker runs the connector instances and tasks a herder assigns to this
// process: the source loop (poll → transform → convert → produce in batches → commit
// offsets of acked records every offset.flush.interval.ms) and the sink loop
// (consume in group connect-<name> → convert → transform → put → flush/preCommit →
// commit). Every goroutine it starts has an owner that stops and waits for it; plugin
// code runs behind an adapter that turns panics into FAILED statuses.
//
// Goroutines:
//   - one per task (task.main), owned by the Worker (Worker.wg); it is the only
//     goroutine that calls the task's plugin methods, its converters and its
//     transformation chain;
//   - one per connector instance (connectorInstance.notify), which calls the
//     herder's onReconfigure so a connector calling RequestTaskReconfiguration
//     from inside Start can never deadlock against a herder waiting on Start;
//   - franz-go's own goroutines: produce callbacks (source acks, RecordCommitter,
//     DLQ acks that make a skipped source record's offset committable, tolerated
//     produce failures reported at stage KAFKA_PRODUCE) and group callbacks (sink
//     rebalances), which hand rebalance work over to the task goroutine and wait
//     for it (sinkRunner.handoff);
//   - any goroutine of a sink task may call its ErrantRecordReporter (KIP-610),
//     which reports through the task's tolerance.Operator; the sink waits for the
//     DLQ (tolerance.DLQ.Flush) before each offset commit.
//
// Error handling (errhandling.go, internal/tolerance): every converter and
// transformation stage of a record runs under the task's operator
// (errors.tolerance, errors.retry.*); the operator reports synchronously on the
// task goroutine, so a source record can be rendered for the DLQ with the task's
// own converters. Topic tracking and topic creation are in topics.go.
//
// Lock order (never take a lock to the left while holding one to the right, and never
// hold any of them while calling plugin code, except connectorInstance.mu which
// serialises the connector's own methods):
//
//	Worker.mu → connectorInstance.mu → task.mu → offsetTracker.mu / sinkRunner.mu
//
// Leaf locks, never held while taking another: sinkRunner.rawMu (consumed bytes for
// the errant-record reporter), topicTracker.mu, sourceRunner.errMu, and
// tolerance.DLQ's mutex.
package worker
