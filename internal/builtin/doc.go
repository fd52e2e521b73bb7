// Package builtin is the table of every plugin compiled into the goconnect
// worker: the record path's converters, transformations and predicates
// (registry.RecordBuiltins, which plugin processes link too) and the built-in
// connectors (file, verifiable, JDBC, Elasticsearch), which only the worker
// links.
package builtin
