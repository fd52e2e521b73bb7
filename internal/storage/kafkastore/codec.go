package kafkastore

import (
	"fmt"
	"strconv"

	"github.com/goconnect/goconnect/plugins/jsonconv"
)

// field is one struct field of a Java Connect Struct: JsonConverter writes struct
// fields in schema order, so values are built field by field rather than from Go
// maps (whose JSON form jsonconv renders in HashMap order, right for maps only).
type field struct {
	name  string
	value any // string, int64, bool, nil, map[string]any, or rawJSON
}

type rawJSON []byte

// encodeStruct renders fields as JsonConverter(schemas.enable=false) renders a
// Struct: compact, in the given order, a null optional field kept as null.
func encodeStruct(fields ...field) []byte {
	b := []byte{'{'}
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, mustJSON(f.name)...)
		b = append(b, ':')
		switch v := f.value.(type) {
		case rawJSON:
			b = append(b, v...)
		case nil:
			b = append(b, "null"...)
		default:
			b = append(b, mustJSON(v)...)
		}
	}
	return append(b, '}')
}

func mustJSON(v any) []byte {
	b, err := jsonconv.MarshalSchemaless(v)
	if err != nil {
		// Only strings, int64, bool and string maps reach here, which always encode.
		panic(fmt.Sprintf("kafkastore: encode %T: %v", v, err))
	}
	return b
}

// encodeProps renders a connector or task config map (Java: a HashMap<String,String>
// put into the Struct, hence HashMap order).
func encodeProps(props map[string]string) rawJSON {
	m := make(map[string]any, len(props))
	for k, v := range props {
		m[k] = v
	}
	return mustJSON(m)
}

// decodeObject parses a value as JsonConverter(schemas.enable=false) does; a JSON
// null or a tombstone gives (nil, nil), anything but an object an error.
func decodeObject(b []byte) (map[string]any, error) {
	if b == nil {
		return nil, nil
	}
	v, err := jsonconv.UnmarshalSchemaless(b)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("value is a %T, not an object", v)
	}
	return m, nil
}

// stringMap converts a parsed "properties" object. Java keeps the map as is
// (Map<String,String>); null values, which Java allows in principle but never
// writes, are dropped since Go configs have no null.
func stringMap(v any) (map[string]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("'properties' field should be a Map but is %T", v)
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		switch s := x.(type) {
		case string:
			out[k] = s
		case nil:
		default:
			// Java would hold a non-string here and fail later; stringify like
			// a config value written as a JSON number would be read by ConfigDef.
			out[k] = fmt.Sprint(s)
		}
	}
	return out, nil
}

// intValue is Java's intValue: JSON integers are parsed as int64.
func intValue(v any) (int, error) {
	switch n := v.(type) {
	case int64:
		return int(int32(n)), nil
	case int32:
		return int(n), nil
	case int:
		return n, nil
	}
	return 0, fmt.Errorf("expected integer value to be either Integer or Long, got %T", v)
}

// parseTaskKey splits "<prefix...>-<connector>-<n>" as Java does: split on '-',
// the last part is the task number, parts skip..len-1 re-joined with '-' are the
// connector name (skip = 1 for task-, 2 for status-task-).
func parseTaskKey(key string, skip int) (string, int, bool) {
	parts := splitDash(key)
	if len(parts) < skip+2 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(parts[len(parts)-1], 10, 32)
	if err != nil {
		return "", 0, false
	}
	name := ""
	for i, p := range parts[skip : len(parts)-1] {
		if i > 0 {
			name += "-"
		}
		name += p
	}
	return name, int(n), true
}

// splitDash is Java's String.split("-"): trailing empty strings are removed.
func splitDash(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	parts = append(parts, s[start:])
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}
