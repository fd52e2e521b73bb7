// Package recordpath is a task's record path: the key, value and header
// converters and the transformation chain (transforms with their predicates)
// between a connector's records and Kafka's bytes.
//
// The worker builds one per task from the worker and connector configs. The
// same code runs inside an external plugin's process (pluginsdk) when the
// plugin was built against the same goconnect as the worker: the plugin then
// converts its own records, and batches of Kafka bytes, not structured Connect
// data, cross the process boundary. Props returns the configuration that
// rebuilds a path elsewhere; Build names the code that would run it, so a
// plugin built from other goconnect sources never converts on the worker's
// behalf (docs/plugins.md, "Record path").
package recordpath
