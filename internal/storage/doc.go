// Package storage holds the source-offset stores and the byte encoding of offset keys
// and values.
//
// Offsets are stored as raw key/value bytes exactly as Java Kafka Connect writes them
// to its offsets topic: the key is the JsonConverter (schemas.enable=false) form of
// the two-element array ["<connector>",{<source partition>}] and the value is the JSON
// object of the source offset. Lookups compare raw key bytes, so OffsetKey renders
// map entries in java.util.HashMap iteration order (data.JavaHashMapOrder) with
// compact separators, the way Java renders the maps it parsed from JSON.
//
// Stores:
//   - FileOffsetStore persists the whole map to offset.storage.file.filename
//     (standalone mode). Format: a JSON object {"version":1,"offsets":[{"key":...,
//     "value":...}]} where key and value are the offset JSON texts as strings (value
//     absent for none); it is rewritten atomically on every Set (temp file in the same
//     directory, fsync, rename, fsync of the directory). Files written by Java
//     Connect (Java serialization of HashMap<byte[],byte[]>) are read too, and
//     replaced by the JSON format on the next write. See docs/offsets-file.md.
//   - MemoryOffsetStore keeps offsets in memory, for tests.
package storage
