// Command goconnect is a Kafka Connect worker, a drop-in replacement for Apache Kafka
// Connect's connect-standalone and connect-distributed:
//
//	goconnect standalone worker.properties [connector.properties|connector.json ...]
//	goconnect distributed worker.properties
//	goconnect version
//
// The root log level is read from GOCONNECT_LOG_LEVEL (TRACE, DEBUG, INFO, WARN,
// ERROR, FATAL, OFF; default INFO). main parses the command line only; the wiring
// lives in internal/app.
package main
