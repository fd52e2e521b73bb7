// Package assign computes the Connect group leader's assignment of connectors and tasks to
// workers, as a pure function: values in (the members and what they run, the config snapshot,
// the leader's memory of its previous assignment, the time), values out (what each member adds
// and revokes, the scheduled rebalance delay, the new memory). No clocks, no I/O, no
// goroutines: the distributed herder does the group protocol and keeps the Memory between
// rounds, and the scripted tests in testdata/ drive the same function through whole clusters.
//
// Two assignors exist, chosen by the subprotocol the group agreed on:
//
//   - Eager (subprotocol "default"): every member stops everything before the rebalance, and the
//     leader deals connectors, then tasks, round-robin over the members sorted by id
//     (Java's EagerAssignor).
//   - Incremental cooperative (subprotocols "compatible" and "sessioned", KIP-415): members keep
//     their work across rebalances; the leader revokes deleted and duplicated work, holds the
//     work of departed members for a scheduled delay so a worker that comes back quickly gets it
//     back, balances the cluster with revocations that the follow-up round reassigns, and backs
//     off when revoking rounds follow each other (Java's IncrementalCooperativeAssignor, whose
//     steps and quirks this port keeps, step for step, in incremental.go).
//
// Where Java's result depends on HashMap iteration order (which worker loses work first, which
// items a worker gives up, the order of candidate workers) this package uses sorted order
// instead, so a given input always produces the same output. Java workers do not depend on
// those orders, so a goconnect leader and Java members interoperate.
//
// The delay (Java's scheduled.rebalance.max.delay.ms, 5 minutes by default) is Input.MaxDelay;
// docs/adr/0001-scheduled-rebalance-delay.md explains goconnect's default.
package assign
