// Package worker runs the connector instances and tasks a herder assigns to this
// process: the source loop (poll → transform → convert → produce in batches → commit
// offsets of acked records every offset.flush.interval.ms) and the sink loop
// (consume in group connect-<name> → convert → transform → put → flush/preCommit →
// commit). Every goroutine it starts has an owner that stops and waits for it; plugin
// code runs behind an adapter that turns panics into FAILED statuses.
package worker
