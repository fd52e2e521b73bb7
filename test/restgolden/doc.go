// Package restgolden records and replays a REST scenario against a Kafka
// Connect worker, so that goconnect's REST API can be compared with the real
// Java Kafka Connect 4.3.1 (standalone mode) response by response.
//
// # Files
//
//   - scenario.json: an ordered JSON array of steps (see Step). HTTP steps have
//     name, method, path and optionally body, headers, wait_ms (sleep before
//     the request), until (repeat the request until dotted paths in the JSON
//     body hold the given values; "*" = present, "!" = absent) and timeout_ms.
//     A body that is a JSON string is sent verbatim (for malformed JSON or
//     text/plain); any other JSON value is sent as is. File steps have
//     append_file and lines and write to the file. Placeholders ${TMP} (a
//     fresh temp dir) and ${RUN} (a random id, used in topic and sink names
//     so replays on a shared broker never see an earlier run's consumer
//     groups) are substituted in paths, bodies, headers and file names.
//   - testdata/java-4.3.1/NNN-<name>.json: one Result per HTTP step, NNN the
//     step's 1-based position in the scenario. Responses are recorded with the
//     placeholder values substituted back (${TMP}, ${RUN}, and ${BASE} for the
//     worker's base URL), so the goldens do not depend on the machine.
//
// # Re-capturing the goldens
//
//	go run ./test/restgolden/capture -java
//
// fetches Kafka if needed, starts a broker and Java Connect 4.3.1 standalone
// through the test harness (plugin.path = the connect-file plugin only, JSON
// converters without schemas, offset.flush.interval.ms=1000), runs the
// scenario and rewrites testdata/java-4.3.1. With -url http://host:port it runs
// against an already running worker instead (which must be configured the
// same way), and -out chooses another output directory.
//
// # Normalization (Compare)
//
// Compare normalizes both sides before diffing, because these parts differ
// between any two runs or implementations without being a behaviour change:
//
//   - ServerInfo (an object with version, commit and kafka_cluster_id, i.e.
//     GET /): all three values become "<volatile>", and goconnect's extra
//     goconnect_version field is dropped.
//   - every "worker_id" value becomes "<worker_id>" (it is host:port).
//   - every "trace" string keeps only its first line (exception class and
//     message); Java stack frames cannot match a Go implementation.
//   - plugin descriptions (objects with class, type and version) get
//     version "<version>".
//   - every non-null "last_modified" (logger levels) becomes "<timestamp>".
//   - Location keeps only the path and query (scheme and host:port dropped).
//   - content_type keeps only the lower-cased media type (no charset).
//   - connector and task states (objects with state and version) get
//     version "<version>" (KIP-891 added the plugin version to statuses).
//   - for config keys named *.plugin.version (KIP-891), non-null
//     default_value and value and every recommended_values entry become
//     "<version>".
//   - a message containing ", available connectors are: " (unknown connector
//     class) is cut there: Java appends PluginDesc dumps with jar paths.
//   - when the golden's message is text only a JVM produces (a Jackson parse
//     error containing "[Source: ", or a helpful NullPointerException text
//     "Cannot invoke \"...\" because ... is null"), only status and
//     error_code are compared.
//   - GET /admin/loggers keeps only "root" and loggers with a non-null
//     last_modified, and the array answered by PUT /admin/loggers/{name}
//     keeps only {name} itself: with Log4j2 (Kafka 4.x) Java lists every
//     logger the JVM has instantiated (hundreds, depending on class loading),
//     not only the explicitly configured ones.
//   - GET /admin/loggers (Compare): loggers known to one side only are dropped,
//     except Java's package-level loggers (the scenario's PUT targets), which
//     goconnect must list too.
//   - GET /connector-plugins: goconnect's extra built-ins (GoconnectExtraPlugins,
//     the Verifiable connectors) are dropped.
//   - the body of GET /connectors (a JSON array of names) is sorted, because
//     Java returns the names in hash order.
//
// Everything else, including error messages and object keys, must match
// exactly; JSON object key order is irrelevant (bodies are compared as data).
package restgolden
