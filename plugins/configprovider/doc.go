// Package configprovider holds Apache Kafka's built-in config providers
// (org.apache.kafka.common.config.provider): FileConfigProvider (a key of a Java
// properties file), DirectoryConfigProvider (the content of a file in a directory,
// KIP-632) and EnvVarConfigProvider (an environment variable, KIP-887), with their
// parameters allowed.paths (KIP-993) and allowlist.pattern.
//
// They are written against api/connect only, as a third-party provider would be,
// and follow Java 4.x behaviour case by case: which problems are errors (an
// unreadable properties file, a path given to the env provider, an allowed.paths
// entry that is relative or missing) and which only leave the reference unresolved
// (a refused path, a path that is not a directory, a missing key). Error messages
// start with Java's text, so what a user sees in a connector's status trace or a
// validation response reads as it does with Java; the Go cause follows it.
//
// The providers log only paths (never values), with the logger given in their
// Logger field, or slog.Default when it is nil.
package configprovider
