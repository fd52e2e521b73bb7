// Package data is the Connect data model: schemas (every Connect type with
// optional/default/name/version/doc/parameters), Struct values, and the logical types
// Decimal, Date, Time and Timestamp, with the same semantics as Java's
// org.apache.kafka.connect.data package.
//
// Go value kinds used for each schema type:
//
//	INT8 int8, INT16 int16, INT32 int32, INT64 int64, FLOAT32 float32, FLOAT64 float64,
//	BOOLEAN bool, STRING string, BYTES []byte, ARRAY []any,
//	MAP map[string]any (string keys) or map[any]any (other comparable keys),
//	STRUCT *Struct.
//
// Logical types: Decimal values are Decimal, Date/Time/Timestamp values are time.Time
// (UTC). Schemaless data (schema nil) uses the same kinds.
//
// Schemas are immutable once built and may be shared between goroutines; the
// predefined schemas (Int8Schema, OptionalStringSchema, ...) must never be modified.
package data
