// Package converters holds the simple converters Kafka ships besides JsonConverter:
// StringConverter, ByteArrayConverter, the number and boolean converters (Kafka's
// primitive serializers: big-endian fixed width, boolean as one byte) and
// SimpleHeaderConverter (Values.convertToString / Values.parseString), each with
// Java's config keys and error messages.
//
// Java's classes are both Converter and HeaderConverter; Go needs one type per
// interface because the two Configure methods differ, so every New<X> has a
// New<X>Header twin that shares its implementation.
package converters
