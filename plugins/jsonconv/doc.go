// Package jsonconv is Java's org.apache.kafka.connect.json.JsonConverter: Connect data
// to JSON bytes and back, byte for byte as the Java converter (Jackson) writes them,
// with the {"schema":...,"payload":...} envelope when schemas.enable is true.
//
// Converter serves keys and values, HeaderConverter serves headers; both share one
// implementation, because Go cannot give one type the two Configure signatures that
// Java's single class has. MarshalSchemaless and UnmarshalSchemaless are the
// schemas.enable=false converter the runtime uses for its internal topics and source
// offsets.
//
// Maps decoded from JSON are map[string]any. Java decodes them into a
// java.util.HashMap and writes them back in that map's iteration order, so this
// package writes map[string]any entries in data.JavaHashMapOrder to keep round trips
// byte-identical. Golden files under testdata/ were produced by the real Java
// converter (see testdata/regen.sh).
//
// Reading an envelope whose schema text is already cached (every record of a sink
// but the first) takes a fast path (cached.go) that skips over the schema text and
// decodes the payload straight into Connect values; anything unusual falls back to
// the full parse, so results and error messages are the same (cached_test.go
// compares the two paths).
package jsonconv
