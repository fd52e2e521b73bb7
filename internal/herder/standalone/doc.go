// Package standalone is the herder of a standalone worker (Java's StandaloneHerder):
// one process owns every connector, connector configs and target states live in
// memory (and, optionally, in a config file so REST-created connectors survive a
// restart), statuses live in memory, and the REST API is served from that state.
//
// One goroutine, the herder loop, owns the connector table. Every Herder method
// becomes a request sent to the loop with a reply channel; the caller's ctx bounds
// its wait (ErrTimeout "Request timed out"). Work that needs no herder state and can
// be slow runs in the caller's goroutine instead: config validation, and the Kafka
// and offset-store I/O of the offsets endpoints (after the loop checked the
// connector's state).
//
// Statuses and active topics are reported by worker goroutines, possibly while the
// loop is blocked inside a worker call that waits for those very goroutines (a task
// reporting UNASSIGNED while StopTasks waits for it). They therefore go to a small
// store behind its own mutex instead of through the loop. Lock order: the status
// store's mutex is a leaf; nothing is called while holding it.
package standalone
