// Package registry is the catalogue of plugins a worker can run: connectors,
// converters, header converters, transformations and predicates. Built-ins are listed
// in one explicit table (Builtins); a Registry is an instance built from such a list,
// never a global. Lookups accept what Java Kafka Connect accepts: the fully qualified
// Java class name, the simple class name, and the simple name with the plugin-type
// suffix pruned (FileStreamSource, JsonConverter/Json, ...). An alias that would name
// two plugins is dropped.
package registry
