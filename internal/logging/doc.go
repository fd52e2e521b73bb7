// Package logging sets up goconnect's log/slog output and keeps a registry of named
// loggers whose levels can be changed at runtime, which is what /admin/loggers
// (KIP-495) reads and writes.
//
// Logger names are hierarchical by dots, as log4j's: a logger without a level of
// its own follows its nearest ancestor, and the root logger is called "root".
// Components should name their loggers after the Java class they stand in for
// (org.apache.kafka.connect.runtime.Worker, ...), so that a request such as
// PUT /admin/loggers/org.apache.kafka.connect.runtime works as it does with Java.
//
// Output is slog's text format on the given writer (stderr in the binary) with
// log4j level names (TRACE, DEBUG, INFO, WARN, ERROR, FATAL) and the logger name in
// the "logger" attribute.
package logging
