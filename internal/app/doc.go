// Package app wires a goconnect worker together: logging, worker config, plugin
// registry, offset store, Kafka admin client, worker, herder and REST server, in the
// order Java's ConnectStandalone does, and tears them down in reverse. It is the
// whole of "main" except flag parsing, so tests can start a worker in-process.
package app
