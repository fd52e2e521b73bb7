// Package plugin is the worker side of external connector plugins: it scans
// plugin.path for plugin folders (a manifest next to an executable), turns
// each manifest entry into a registry.Plugin row, and implements the
// api/connect interfaces as client adapters that run the plugin code in child
// processes speaking the gRPC protocol of internal/plugin/proto.
//
// The runtime never knows a connector is external: a row's NewConnector
// returns a value that implements connect.SourceConnector or
// connect.SinkConnector like a built-in, and the worker wraps it in the same
// adapter as any built-in (panic recovery, FAILED status).
//
// Processes: nothing runs at discovery (manifests are read, not executables),
// so start-up stays fast with many plugins. A connector instance gets its own
// process at Start and a task its own process at Start; Stop ends it, so a
// restarted task always gets a fresh process and a crash fails only the
// instance that lived in it. Config and Validate use a short-lived process.
//
// Ownership: every process belongs to the adapter that started it, which
// stops it and waits for it; the Host tracks all of them as a backstop and
// Host.Close kills and waits for whatever is left. Against orphans when the
// worker itself is killed, the child gets Pdeathsig=SIGKILL on Linux and the
// SDK exits when its stdin (held by the worker) reaches EOF.
//
// Goroutines per process: the exec waiter (ends when the process exits) and
// the callback stream reader (ends when the stream is closed in close, or the
// process exits). Both are waited for by process.close. A source task adds a
// pump (one goroutine, plus one per Poll call in flight, at most four) and a
// sink task one goroutine per asynchronous Put in flight (at most two); Stop
// cancels and waits for them. Keeping batches in flight is what lets the
// plugin work while the worker produces or fetches.
//
// The record path: a task's converters and transformations run in its
// plugin process when the plugin was built from the same goconnect as the
// worker (recordpath.Remote, docs/adr/0002-record-path-in-plugin-process.md),
// so Kafka records cross the boundary; a batch that fails there comes back
// to the worker's own path and error handling.
package plugin
