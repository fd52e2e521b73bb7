// Package pluginsdk serves connectors written against goconnect's author API
// (api/connect) from a separate executable, so they can be shipped on a
// worker's plugin.path instead of being compiled into the worker:
//
//	func main() {
//		pluginsdk.Serve(pluginsdk.Connector{
//			Class: "com.example.CountingSource",
//			New:   func() connect.Connector { return &counting.Connector{} },
//		})
//	}
//
// The connector code is the same as for a built-in: Serve adapts it to the
// plugin protocol (internal/plugin/proto). The worker starts one process per
// connector instance and one per task, so plugin code needs no instance
// bookkeeping and a crash fails only that instance.
//
// The SDK also links goconnect's built-in converters and transformations: when
// the worker offers a task's record path and was built from the same
// goconnect, the plugin converts its records itself (docs/plugins.md).
//
// Run the executable with --goconnect-manifest to print the manifest
// (goconnect-plugin.json) that the worker reads at start-up; docs/plugins.md
// has the whole guide.
//
// Lifetime: the process exits when the worker closes its stdin (also when the
// worker dies), after a graceful stop of the gRPC server. SIGINT is ignored so
// a Ctrl-C on the worker's terminal lets the worker stop its plugins in order.
package pluginsdk
