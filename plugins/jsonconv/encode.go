package jsonconv

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/goconnect/goconnect/api/data"
)

// encoder writes Connect data as compact JSON the way JsonConverter's Jackson
// ObjectMapper does. It appends to a byte slice instead of building a tree, which is
// why it must check every value before writing anything that depends on it.
type encoder struct {
	numericDecimals        bool
	replaceNullWithDefault bool
	// schemaCache holds the encoded JSON of schemas already seen, keyed by pointer:
	// schemas are immutable once in use, and records of one stream share them.
	schemaCache map[*data.Schema][]byte
	cacheSize   int
}

const hexDigits = "0123456789ABCDEF"

// AppendString appends s to b as a JSON string with Jackson's escaping (see
// appendString); other plugins that write JSON use it rather than a copy.
func AppendString(b []byte, s string) []byte { return appendString(b, s) }

// appendString writes s as a JSON string with Jackson's escaping: only '"', '\\' and
// control characters are escaped (\b \t \n \f \r or \u00XX with upper-case hex);
// '<', '>', '&', U+2028 and non-ASCII characters are written as UTF-8. Invalid UTF-8
// is written as U+FFFD, as Java's String decoding would have replaced it.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\t':
				b = append(b, '\\', 't')
			case '\n':
				b = append(b, '\\', 'n')
			case '\f':
				b = append(b, '\\', 'f')
			case '\r':
				b = append(b, '\\', 'r')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 && c == 0xED && i+2 < len(s) && s[i+1]&0xE0 == 0xA0 && s[i+2]&0xC0 == 0x80 {
			// A lone surrogate kept as WTF-8 by the decoder: Jackson escapes it.
			b = append(b, s[start:i]...)
			b = appendU(b, rune(0xD000)|rune(s[i+1]&0x3F)<<6|rune(s[i+2]&0x3F))
			i += 3
			start = i
			continue
		}
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			i++
			start = i
			continue
		}
		if r > 0xFFFF {
			// Jackson 2.21 writes supplementary characters as an escaped surrogate
			// pair (COMBINE_UNICODE_SURROGATES_IN_UTF8 is off by default).
			b = append(b, s[start:i]...)
			hi, lo := utf16.EncodeRune(r)
			b = appendU(appendU(b, hi), lo)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendU writes a \uXXXX escape with Jackson's upper-case hex.
func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}

// appendDouble writes a double as Jackson does: Double.toString, and the non-finite
// values as strings (Jackson's WRITE_NAN_AS_STRINGS default).
func appendDouble(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(append(append(b, '"'), data.JavaFloat(f, bits)...), '"')
	}
	a := math.Abs(f)
	if f != 0 && (a < 1e-3 || a >= 1e7) {
		return append(b, data.JavaFloat(f, bits)...)
	}
	// Plain notation: the shortest digits, with ".0" when integral.
	n := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, bits)
	if !slices.Contains(b[n:], '.') {
		b = append(b, '.', '0')
	}
	return b
}

func appendBase64(b []byte, p []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, p)
	return append(b, '"')
}

// appendSchema writes Java's JsonConverter.asJsonSchema. Members come in Java's order:
// type, items / keys+values / fields, optional, name, version, doc, parameters,
// default; a struct field's schema ends with "field".
func (e *encoder) appendSchema(b []byte, s *data.Schema) ([]byte, error) {
	if s == nil {
		return append(b, "null"...), nil
	}
	if cached, ok := e.schemaCache[s]; ok {
		return append(b, cached...), nil
	}
	start := len(b)
	b, err := e.appendSchemaBody(b, s, "")
	if err != nil {
		return b[:start], err
	}
	if e.schemaCache != nil {
		if len(e.schemaCache) >= e.cacheSize {
			clear(e.schemaCache)
		}
		e.schemaCache[s] = slices.Clone(b[start:])
	}
	return b, nil
}

var typeNames = map[data.Type]string{
	data.TypeBoolean: "boolean", data.TypeInt8: "int8", data.TypeInt16: "int16", data.TypeInt32: "int32",
	data.TypeInt64: "int64", data.TypeFloat32: "float", data.TypeFloat64: "double", data.TypeBytes: "bytes",
	data.TypeString: "string", data.TypeArray: "array", data.TypeMap: "map", data.TypeStruct: "struct",
}

func (e *encoder) appendSchemaBody(b []byte, s *data.Schema, field string) ([]byte, error) {
	var err error
	name, ok := typeNames[s.Type]
	if !ok {
		return b, data.Errorf("Couldn't translate unsupported schema type %s.", s)
	}
	b = append(b, `{"type":"`...)
	b = append(b, name...)
	b = append(b, '"')
	switch s.Type {
	case data.TypeArray:
		b = append(b, `,"items":`...)
		if b, err = e.appendSchema(b, s.ValueSchema); err != nil {
			return b, err
		}
	case data.TypeMap:
		b = append(b, `,"keys":`...)
		if b, err = e.appendSchema(b, s.KeySchema); err != nil {
			return b, err
		}
		b = append(b, `,"values":`...)
		if b, err = e.appendSchema(b, s.ValueSchema); err != nil {
			return b, err
		}
	case data.TypeStruct:
		b = append(b, `,"fields":[`...)
		for i := range s.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			f := &s.Fields[i]
			if f.Schema == nil {
				return b, data.Errorf("Couldn't translate unsupported schema type null.")
			}
			if b, err = e.appendSchemaBody(b, f.Schema, f.Name); err != nil {
				return b, err
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"optional":`...)
	b = strconv.AppendBool(b, s.Optional)
	if s.Name != "" {
		b = append(b, `,"name":`...)
		b = appendString(b, s.Name)
	}
	if s.Version != nil {
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, int64(*s.Version), 10)
	}
	if s.Doc != nil {
		b = append(b, `,"doc":`...)
		b = appendString(b, *s.Doc)
	}
	if s.Parameters != nil {
		// Java keeps parameters in insertion order (LinkedHashMap); a Go map has none,
		// so sorted order is the deterministic choice. Decimal's single "scale" is
		// unaffected.
		b = append(b, `,"parameters":{`...)
		keys := make([]string, 0, len(s.Parameters))
		for k := range s.Parameters {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, s.Parameters[k])
		}
		b = append(b, '}')
	}
	if s.Default != nil {
		b = append(b, `,"default":`...)
		if b, err = e.appendValue(b, s, s.Default); err != nil {
			return b, err
		}
	}
	if field != "" {
		b = append(b, `,"field":`...)
		b = appendString(b, field)
	}
	return append(b, '}'), nil
}

// appendValue is Java's JsonConverter.convertToJson.
func (e *encoder) appendValue(b []byte, s *data.Schema, v any) ([]byte, error) {
	if v == nil {
		if s == nil {
			return append(b, "null"...), nil
		}
		if s.Default != nil && e.replaceNullWithDefault {
			return e.appendValue(b, s, s.Default)
		}
		if s.Optional {
			return append(b, "null"...), nil
		}
		return b, data.Errorf("Conversion error: null value for field that is required and has no default value")
	}
	if s != nil && s.Name != "" {
		switch s.Name {
		case data.DecimalName:
			d, ok := v.(data.Decimal)
			if !ok {
				return b, data.Errorf("Invalid type for Decimal, expected BigDecimal but was %s", JavaClass(v))
			}
			if e.numericDecimals {
				return append(b, d.String()...), nil
			}
			raw, err := data.DecimalToBytes(s, d)
			if err != nil {
				return b, err
			}
			return appendBase64(b, raw), nil
		case data.DateName:
			t, ok := v.(time.Time)
			if !ok {
				return b, data.Errorf("Invalid type for Date, expected Date but was %s", JavaClass(v))
			}
			days, err := data.DateToDays(t)
			if err != nil {
				return b, err
			}
			return strconv.AppendInt(b, int64(days), 10), nil
		case data.TimeName:
			t, ok := v.(time.Time)
			if !ok {
				return b, data.Errorf("Invalid type for Time, expected Date but was %s", JavaClass(v))
			}
			ms, err := data.TimeToMillis(t)
			if err != nil {
				return b, err
			}
			return strconv.AppendInt(b, int64(ms), 10), nil
		case data.TimestampName:
			t, ok := v.(time.Time)
			if !ok {
				return b, data.Errorf("Invalid type for Timestamp, expected Date but was %s", JavaClass(v))
			}
			return strconv.AppendInt(b, t.UnixMilli(), 10), nil
		}
	}
	var typ data.Type
	if s == nil {
		typ = data.SchemaTypeOf(v)
		if typ == 0 {
			return b, data.Errorf("Java class %s does not have corresponding schema type.", JavaClass(v))
		}
	} else {
		typ = s.Type
	}
	bad := func() ([]byte, error) {
		st := "unknown schema"
		if s != nil {
			st = s.Type.String()
		}
		return b, data.Errorf("Invalid type for %s: %s", st, JavaClass(v))
	}
	switch typ {
	case data.TypeInt8:
		x, ok := v.(int8)
		if !ok {
			return bad()
		}
		return strconv.AppendInt(b, int64(x), 10), nil
	case data.TypeInt16:
		x, ok := v.(int16)
		if !ok {
			return bad()
		}
		return strconv.AppendInt(b, int64(x), 10), nil
	case data.TypeInt32:
		x, ok := v.(int32)
		if !ok {
			return bad()
		}
		return strconv.AppendInt(b, int64(x), 10), nil
	case data.TypeInt64:
		x, ok := v.(int64)
		if !ok {
			return bad()
		}
		return strconv.AppendInt(b, x, 10), nil
	case data.TypeFloat32:
		x, ok := v.(float32)
		if !ok {
			return bad()
		}
		return appendDouble(b, float64(x), 32), nil
	case data.TypeFloat64:
		x, ok := v.(float64)
		if !ok {
			return bad()
		}
		return appendDouble(b, x, 64), nil
	case data.TypeBoolean:
		x, ok := v.(bool)
		if !ok {
			return bad()
		}
		return strconv.AppendBool(b, x), nil
	case data.TypeString:
		x, ok := v.(string)
		if !ok {
			return bad()
		}
		return appendString(b, x), nil
	case data.TypeBytes:
		x, ok := v.([]byte)
		if !ok {
			return b, data.Errorf("Invalid type for bytes type: %s", JavaClass(v))
		}
		return appendBase64(b, x), nil
	case data.TypeArray:
		x, ok := v.([]any)
		if !ok {
			return bad()
		}
		var elem *data.Schema
		if s != nil {
			elem = s.ValueSchema
		}
		b = append(b, '[')
		var err error
		for i, el := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = e.appendValue(b, elem, el); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case data.TypeMap:
		return e.appendMap(b, s, v, bad)
	case data.TypeStruct:
		st, ok := v.(*data.Struct)
		if !ok {
			return bad()
		}
		if s == nil || !st.Schema().Equal(s) {
			return b, data.Errorf("Mismatching schema.")
		}
		b = append(b, '{')
		var err error
		for i := range s.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			f := &s.Fields[i]
			b = appendString(b, f.Name)
			b = append(b, ':')
			if b, err = e.appendValue(b, f.Schema, st.At(i)); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
	return b, data.Errorf("Couldn't convert %s to JSON.", data.JavaString(v))
}

func (e *encoder) appendMap(b []byte, s *data.Schema, v any, bad func() ([]byte, error)) ([]byte, error) {
	var keySchema, valueSchema *data.Schema
	if s != nil {
		keySchema, valueSchema = s.KeySchema, s.ValueSchema
	}
	var keys []any
	var get func(k any) any
	objectMode := true
	switch m := v.(type) {
	case map[string]any:
		ks := make([]string, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		keys = make([]any, len(ks))
		for i, k := range data.JavaHashMapOrder(ks) {
			keys[i] = k
		}
		get = func(k any) any { return m[k.(string)] }
	case map[any]any:
		keys = data.JavaMapKeys(m)
		get = func(k any) any { return m[k] }
		for _, k := range keys {
			if _, ok := k.(string); !ok {
				objectMode = false
				break
			}
		}
	default:
		return bad()
	}
	if s != nil {
		objectMode = keySchema != nil && keySchema.Type == data.TypeString
	}
	var err error
	if objectMode {
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			// Java converts the key to a JSON node and takes asText(): a string key
			// is itself, anything else its JSON text.
			if ks, ok := k.(string); ok && (keySchema == nil || keySchema.Name == "") {
				b = appendString(b, ks)
			} else {
				kb, err := e.appendValue(nil, keySchema, k)
				if err != nil {
					return b, err
				}
				b = appendString(b, asText(kb))
			}
			b = append(b, ':')
			if b, err = e.appendValue(b, valueSchema, get(k)); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	}
	b = append(b, '[')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		if b, err = e.appendValue(b, keySchema, k); err != nil {
			return b, err
		}
		b = append(b, ',')
		if b, err = e.appendValue(b, valueSchema, get(k)); err != nil {
			return b, err
		}
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

// asText is Jackson's JsonNode.asText of an encoded scalar: strings lose their quotes
// and escapes, everything else is its JSON text.
func asText(j []byte) string {
	if len(j) > 0 && j[0] == '"' {
		n, err := parseJSON(j)
		if err == nil && n.kind == kindString {
			return n.str
		}
	}
	return string(j)
}

// JavaClass renders the Java class a Go value of the data model stands for, as
// Java's Class.toString prints it in error messages ("class java.lang.Integer").
func JavaClass(v any) string {
	switch v.(type) {
	case int8:
		return "class java.lang.Byte"
	case int16:
		return "class java.lang.Short"
	case int32:
		return "class java.lang.Integer"
	case int64:
		return "class java.lang.Long"
	case float32:
		return "class java.lang.Float"
	case float64:
		return "class java.lang.Double"
	case bool:
		return "class java.lang.Boolean"
	case string:
		return "class java.lang.String"
	case []byte:
		return "class [B"
	case []any:
		return "class java.util.ArrayList"
	case map[string]any, map[any]any:
		return "class java.util.HashMap"
	case *data.Struct:
		return "class org.apache.kafka.connect.data.Struct"
	case data.Decimal:
		return "class java.math.BigDecimal"
	case time.Time:
		return "class java.util.Date"
	}
	return fmt.Sprintf("class %T", v)
}
