// Package tolerance implements Kafka Connect's error handling (KIP-298, KIP-610):
// the retry-with-tolerance operator that runs each converter and transformation
// stage of a record (errors.retry.timeout, errors.retry.delay.max.ms,
// errors.tolerance), and the reporters a failed record goes to — the error log
// (errors.log.enable, errors.log.include.messages) and the dead-letter queue
// (errors.deadletterqueue.*, with the __connect.errors.* context headers).
//
// It follows Java's RetryWithToleranceOperator, LogReporter and
// DeadLetterQueueReporter in what a user can observe (messages, header names and
// values, stage names), with two deliberate differences documented in
// docs/error-handling.md: a retriable error that outlives errors.retry.timeout fails
// the task instead of being skipped (the record is not bad, the system behind it is
// down, so skipping it would lose data), and source connectors get a dead-letter
// queue too.
//
// An Operator belongs to one task and is used by the task goroutine; the
// ErrantRecordReporter side (ReportFailed) and the DLQ's produce callbacks may run on
// other goroutines, so the failure counter is atomic and the DLQ guards its state
// with its own leaf mutex.
package tolerance
