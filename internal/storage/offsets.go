package storage

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/goconnect/goconnect/api/data"
)

// OffsetKey returns the offset-store key of a connector's source partition: the
// compact JSON ["<connector>",{partition}] as Java's JsonConverter writes it.
// A nil partition renders as null, as Java does.
func OffsetKey(connector string, partition map[string]any) ([]byte, error) {
	b := make([]byte, 0, 32+len(connector)+16*len(partition))
	b = append(b, '[')
	b = appendString(b, connector)
	b = append(b, ',')
	var err error
	if b, err = appendMap(b, partition); err != nil {
		return nil, fmt.Errorf("encode source partition of connector %s: %w", connector, err)
	}
	return append(b, ']'), nil
}

// OffsetValue returns the stored form of a source offset (nil offset → nil value,
// which deletes).
func OffsetValue(offset map[string]any) ([]byte, error) {
	if offset == nil {
		return nil, nil
	}
	b, err := appendMap(make([]byte, 0, 16+16*len(offset)), offset)
	if err != nil {
		return nil, fmt.Errorf("encode source offset: %w", err)
	}
	return b, nil
}

// CheckOffsetValue fails exactly when OffsetValue would, without encoding: the
// source runner checks every record's offset when it is sent, but encodes only the
// ones it commits.
func CheckOffsetValue(offset map[string]any) error {
	for k, v := range offset {
		if err := checkPrimitive(k, v); err != nil {
			return fmt.Errorf("encode source offset: %w", err)
		}
	}
	return nil
}

// ParseOffsetKey parses a key written by OffsetKey (or by Java Connect). It fails on
// keys that are not a two-element array of a string and an object or null, which
// Java skips when listing offsets.
func ParseOffsetKey(key []byte) (connector string, partition map[string]any, err error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(key, &parts); err != nil {
		return "", nil, fmt.Errorf("parse offset key %q: %w", key, err)
	}
	if len(parts) != 2 {
		return "", nil, fmt.Errorf("parse offset key %q: want a 2-element array, got %d elements", key, len(parts))
	}
	if err := json.Unmarshal(parts[0], &connector); err != nil {
		return "", nil, fmt.Errorf("parse offset key %q: connector name is not a string", key)
	}
	partition, err = parseMap(parts[1])
	if err != nil {
		return "", nil, fmt.Errorf("parse offset key %q: %w", key, err)
	}
	return connector, partition, nil
}

// ParseOffsetValue parses a stored offset: JSON integers become int64 and other
// numbers float64, as Java's schemaless JsonConverter reads them. nil → nil.
func ParseOffsetValue(value []byte) (map[string]any, error) {
	if value == nil {
		return nil, nil
	}
	m, err := parseMap(value)
	if err != nil {
		return nil, fmt.Errorf("parse offset value %q: %w", value, err)
	}
	return m, nil
}

func parseMap(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("want a JSON object, got %T", v)
	}
	for k, e := range m {
		switch x := e.(type) {
		case json.Number:
			if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				m[k] = i
			} else if f, err := strconv.ParseFloat(string(x), 64); err == nil {
				m[k] = f
			} else {
				return nil, fmt.Errorf("number %s out of range", x)
			}
		case nil, bool, string:
		default:
			return nil, fmt.Errorf("offsets may only contain primitive types as values, %q is %T", k, e)
		}
	}
	return m, nil
}

// appendMap writes m as a compact JSON object in java.util.HashMap order. Sorting
// the keys first makes the order deterministic for colliding buckets too.
func appendMap(b []byte, m map[string]any) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > 1 {
		keys = data.JavaHashMapOrder(keys)
	}
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendPrimitive(b, k, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendPrimitive(b []byte, k string, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendString(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case float32:
		return appendJacksonDouble(b, k, float64(x), 32)
	case float64:
		return appendJacksonDouble(b, k, x, 64)
	case []byte:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, x)
		return append(b, '"'), nil
	default:
		return nil, checkPrimitive(k, v)
	}
}

// checkPrimitive fails for the values appendPrimitive cannot write.
func checkPrimitive(k string, v any) error {
	switch v.(type) {
	case nil, bool, string, int, int8, int16, int32, int64, uint32, float32, float64, []byte:
		return nil
	}
	return fmt.Errorf("offsets may only contain primitive types as values, %q is %T", k, v)
}

// appendJacksonDouble writes f as Jackson writes a Java double: Double.toString
// (1.0, 1.0E10, 1.0E-5). NaN and infinities have no JSON form; Jackson writes them as
// strings, which Java reads back as strings, so we do the same.
func appendJacksonDouble(b []byte, k string, f float64, bits int) ([]byte, error) {
	s := data.JavaFloat(f, bits)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return appendString(b, s), nil
	}
	return append(b, s...), nil
}

// appendString writes s as a JSON string the way Jackson escapes it: control
// characters, '"' and '\\' are escaped; everything else (including '/', '<', non
// ASCII) is written as is in UTF-8.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c >= 0x20:
			b = append(b, c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
	}
	return append(b, '"')
}
