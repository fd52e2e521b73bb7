// Package workerconfig defines the worker configuration of goconnect: the keys and
// defaults of Java Kafka Connect's WorkerConfig, StandaloneConfig, DistributedConfig
// and RestServerConfig, so that a worker.properties written for connect-standalone or
// connect-distributed means the same thing here. It parses the properties once,
// reports the first error with Java's message (a missing key.converter is
// `Missing required configuration "key.converter" which has no default value.`),
// and derives what the rest of the process needs from the REST keys: the addresses
// to listen on, the advertised URL and the worker id (<advertised host>:<port>).
//
// goconnect adds one standalone key, config.storage.file.filename, documented in
// docs/configuration.md.
package workerconfig
