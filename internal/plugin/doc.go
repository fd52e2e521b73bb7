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
// process exits). Both are waited for by process.close. A task may add one
// goroutine for its batch in flight (a source's read-ahead Poll, a sink's
// asynchronous Put), which its next call or Stop waits for: one batch is kept
// in flight so the plugin works while the worker converts, produces or fetches,
// which is what keeps an external connector's throughput near a built-in's.
package plugin
