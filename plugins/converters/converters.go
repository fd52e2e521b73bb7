package converters

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// Version is the Kafka release these converters reproduce.
const Version = "4.3.1"

// Config keys.
const (
	ConverterTypeConfig = "converter.type"
	EncodingConfig      = "converter.encoding"
)

func converterTypeKey() config.Key {
	return config.Key{
		Name: ConverterTypeConfig, Type: config.String, Default: config.NoDefault,
		Validator:  config.OneOf("key", "value", "header"),
		Importance: config.Low, Doc: "How this converter will be used.", OrderInGroup: -1,
	}
}

// converterConfigDef is Java's ConverterConfig.newConfigDef().
func converterConfigDef() *config.Def { return config.NewDef().Define(converterTypeKey()) }

// stringConfigDef is Java's StringConverterConfig.configDef().
func stringConfigDef() *config.Def {
	return converterConfigDef().Define(config.Key{
		Name: EncodingConfig, Type: config.String, Default: "UTF-8", Importance: config.High,
		Doc:          "The name of the Java character set to use for encoding strings as byte arrays.",
		OrderInGroup: -1, Width: config.WidthMedium, DisplayName: "Encoding",
	})
}

// impl is what every converter here implements once; Converter and HeaderConverter
// adapt it.
type impl interface {
	config() *config.Def
	// configure gets props with converter.type already set.
	configure(props map[string]string) error
	from(schema *data.Schema, value any) ([]byte, error)
	to(b []byte) (*data.Schema, any, error)
}

// Converter adapts an impl to connect.Converter.
type Converter struct{ c impl }

// Config returns the converter's Java ConfigDef.
func (c *Converter) Config() *config.Def { return c.c.config() }

// Configure sets converter.type from isKey, as Java's configure(Map, boolean) does.
func (c *Converter) Configure(props map[string]string, isKey bool) error {
	p := make(map[string]string, len(props)+1)
	for k, v := range props {
		p[k] = v
	}
	p[ConverterTypeConfig] = "value"
	if isKey {
		p[ConverterTypeConfig] = "key"
	}
	return c.c.configure(p)
}

// FromConnectData serializes a value.
func (c *Converter) FromConnectData(topic string, headers []connect.Header, schema *data.Schema, value any) ([]byte, error) {
	return c.c.from(schema, value)
}

// ToConnectData deserializes bytes.
func (c *Converter) ToConnectData(topic string, headers []connect.Header, b []byte) (*data.Schema, any, error) {
	return c.c.to(b)
}

// HeaderConverter adapts an impl to connect.HeaderConverter.
type HeaderConverter struct{ c impl }

// Config returns the converter's Java ConfigDef.
func (h *HeaderConverter) Config() *config.Def { return h.c.config() }

// Configure applies props; the runtime sets converter.type=header.
func (h *HeaderConverter) Configure(props map[string]string) error { return h.c.configure(props) }

// FromConnectHeader serializes a header value.
func (h *HeaderConverter) FromConnectHeader(topic, key string, schema *data.Schema, value any) ([]byte, error) {
	return h.c.from(schema, value)
}

// ToConnectHeader deserializes a header value.
func (h *HeaderConverter) ToConnectHeader(topic, key string, b []byte) (*data.Schema, any, error) {
	return h.c.to(b)
}

// Constructors, one pair per Java class.

// NewString returns StringConverter as a key/value converter.
func NewString() *Converter { return &Converter{&stringConv{}} }

// NewStringHeader returns StringConverter as a header converter.
func NewStringHeader() *HeaderConverter { return &HeaderConverter{&stringConv{}} }

// NewByteArray returns ByteArrayConverter.
func NewByteArray() *Converter { return &Converter{byteArrayConv{}} }

// NewByteArrayHeader returns ByteArrayConverter as a header converter.
func NewByteArrayHeader() *HeaderConverter { return &HeaderConverter{byteArrayConv{}} }

// NewLong returns LongConverter.
func NewLong() *Converter { return &Converter{longConv()} }

// NewLongHeader returns LongConverter as a header converter.
func NewLongHeader() *HeaderConverter { return &HeaderConverter{longConv()} }

// NewInteger returns IntegerConverter.
func NewInteger() *Converter { return &Converter{integerConv()} }

// NewIntegerHeader returns IntegerConverter as a header converter.
func NewIntegerHeader() *HeaderConverter { return &HeaderConverter{integerConv()} }

// NewShort returns ShortConverter.
func NewShort() *Converter { return &Converter{shortConv()} }

// NewShortHeader returns ShortConverter as a header converter.
func NewShortHeader() *HeaderConverter { return &HeaderConverter{shortConv()} }

// NewFloat returns FloatConverter.
func NewFloat() *Converter { return &Converter{floatConv()} }

// NewFloatHeader returns FloatConverter as a header converter.
func NewFloatHeader() *HeaderConverter { return &HeaderConverter{floatConv()} }

// NewDouble returns DoubleConverter.
func NewDouble() *Converter { return &Converter{doubleConv()} }

// NewDoubleHeader returns DoubleConverter as a header converter.
func NewDoubleHeader() *HeaderConverter { return &HeaderConverter{doubleConv()} }

// NewBoolean returns BooleanConverter.
func NewBoolean() *Converter { return &Converter{booleanConv{}} }

// NewBooleanHeader returns BooleanConverter as a header converter.
func NewBooleanHeader() *HeaderConverter { return &HeaderConverter{booleanConv{}} }

// NewSimpleHeader returns SimpleHeaderConverter, the default header converter.
func NewSimpleHeader() *HeaderConverter { return &HeaderConverter{simpleHeaderConv{}} }

func parseType(def *config.Def, props map[string]string) error {
	if _, err := def.Parse(props); err != nil {
		return fmt.Errorf("configure converter: %w", err)
	}
	return nil
}

// ---- StringConverter ----

type stringConv struct{ cs charset }

func (c *stringConv) config() *config.Def { return stringConfigDef() }

func (c *stringConv) configure(props map[string]string) error {
	v, err := stringConfigDef().Parse(props)
	if err != nil {
		return fmt.Errorf("configure string converter: %w", err)
	}
	// Kafka's StringSerializer prefers key./value.serializer.encoding over the
	// converter's own key, which it sets as serializer.encoding.
	name := v.String(EncodingConfig)
	prefix := "value."
	if v.String(ConverterTypeConfig) == "key" {
		prefix = "key."
	}
	if o, ok := props[prefix+"serializer.encoding"]; ok {
		name = o
	}
	cs, ok := lookupCharset(name)
	if !ok {
		return data.Errorf("Unsupported encoding %s", name)
	}
	c.cs = cs
	return nil
}

func (c *stringConv) from(_ *data.Schema, v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return c.cs.encode(data.JavaString(v)), nil
}

func (c *stringConv) to(b []byte) (*data.Schema, any, error) {
	if b == nil {
		return data.OptionalStringSchema, nil, nil
	}
	return data.OptionalStringSchema, c.cs.decode(b), nil
}

// charset is the subset of java.nio.charset that goconnect supports.
type charset int

const (
	csUTF8 charset = iota
	csASCII
	csLatin1
	csUTF16 // big-endian, with a byte order mark when encoding
	csUTF16BE
	csUTF16LE
)

func lookupCharset(name string) (charset, bool) {
	switch strings.ToUpper(strings.ReplaceAll(name, "_", "-")) {
	case "UTF-8", "UTF8", "UNICODE-1-1-UTF-8":
		return csUTF8, true
	case "US-ASCII", "ASCII", "ISO646-US", "646", "ASCII7", "DEFAULT":
		return csASCII, true
	case "ISO-8859-1", "ISO8859-1", "LATIN1", "L1", "8859-1", "ISO-LATIN-1", "CP819", "IBM819", "ISO8859-1:1987", "ISO-IR-100", "CSISOLATIN1":
		return csLatin1, true
	case "UTF-16", "UTF16", "UNICODE":
		return csUTF16, true
	case "UTF-16BE", "UTF16BE", "X-UTF-16BE", "ISO-10646-UCS-2", "UNICODEBIGUNMARKED":
		return csUTF16BE, true
	case "UTF-16LE", "UTF16LE", "X-UTF-16LE", "UNICODELITTLEUNMARKED":
		return csUTF16LE, true
	}
	return 0, false
}

// encode is String.getBytes(charset): unmappable characters become '?'.
func (cs charset) encode(s string) []byte {
	switch cs {
	case csUTF8:
		return []byte(strings.ToValidUTF8(s, "\uFFFD"))
	case csASCII, csLatin1:
		limit := rune(0x7F)
		if cs == csLatin1 {
			limit = 0xFF
		}
		out := make([]byte, 0, len(s))
		for _, r := range s {
			if r > limit {
				out = append(out, '?')
				continue
			}
			out = append(out, byte(r))
		}
		return out
	}
	u := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(u)+2)
	if cs == csUTF16 {
		out = append(out, 0xFE, 0xFF)
	}
	for _, x := range u {
		if cs == csUTF16LE {
			out = binary.LittleEndian.AppendUint16(out, x)
		} else {
			out = binary.BigEndian.AppendUint16(out, x)
		}
	}
	return out
}

// decode is new String(bytes, charset): malformed input becomes U+FFFD.
func (cs charset) decode(b []byte) string {
	switch cs {
	case csUTF8:
		return decodeUTF8(b)
	case csASCII:
		var sb strings.Builder
		for _, c := range b {
			if c > 0x7F {
				sb.WriteRune(utf8.RuneError)
			} else {
				sb.WriteByte(c)
			}
		}
		return sb.String()
	case csLatin1:
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	}
	le := cs == csUTF16LE
	if cs == csUTF16 && len(b) >= 2 {
		switch {
		case b[0] == 0xFE && b[1] == 0xFF:
			b = b[2:]
		case b[0] == 0xFF && b[1] == 0xFE:
			b, le = b[2:], true
		}
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if le {
			u = append(u, binary.LittleEndian.Uint16(b[i:]))
		} else {
			u = append(u, binary.BigEndian.Uint16(b[i:]))
		}
	}
	s := string(utf16.Decode(u))
	if len(b)%2 == 1 {
		s += "\uFFFD"
	}
	return s
}

// decodeUTF8 replaces each maximal ill-formed subsequence with one U+FFFD, as
// Java's UTF-8 decoder does (Go's conversion would keep the raw bytes).
func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			sb.WriteRune(r)
			i += size
			continue
		}
		sb.WriteRune(utf8.RuneError)
		i += maximalSubpart(b[i:])
	}
	return sb.String()
}

// maximalSubpart is the length of the longest prefix of b that starts a well-formed
// UTF-8 sequence (at least 1).
func maximalSubpart(b []byte) int {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
		need = 2
	case c == 0xED:
		need, hi = 2, 0x9F
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(b); k++ {
		x := b[n]
		if k == 0 && (x < lo || x > hi) || k > 0 && (x < 0x80 || x > 0xBF) {
			break
		}
		n++
	}
	return n
}

// ---- ByteArrayConverter ----

type byteArrayConv struct{}

func (byteArrayConv) config() *config.Def               { return converterConfigDef() }
func (byteArrayConv) configure(map[string]string) error { return nil }

func (byteArrayConv) from(s *data.Schema, v any) ([]byte, error) {
	if s != nil && s.Type != data.TypeBytes {
		return nil, data.Errorf("Invalid schema type for ByteArrayConverter: %s", s.Type)
	}
	if v == nil {
		return nil, nil
	}
	b, ok := v.([]byte)
	if !ok {
		return nil, data.Errorf("ByteArrayConverter is not compatible with objects of type %s", javaClass(v))
	}
	return b, nil
}

func (byteArrayConv) to(b []byte) (*data.Schema, any, error) {
	if b == nil {
		return data.OptionalBytesSchema, nil, nil
	}
	return data.OptionalBytesSchema, b, nil
}

// ---- number converters ----

// numberConv is Java's NumberConverter: no schema check, the value must be of the
// converter's Java class.
type numberConv struct {
	typeName string // as in Java's messages: long, integer, ...
	deser    string // the Kafka deserializer's name in its size message
	size     int
	schema   *data.Schema
	encode   func(v any) ([]byte, bool)
	decode   func(b []byte) any
}

func (n *numberConv) config() *config.Def { return converterConfigDef() }
func (n *numberConv) configure(props map[string]string) error {
	return parseType(converterConfigDef(), props)
}

func (n *numberConv) from(_ *data.Schema, v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, ok := n.encode(v)
	if !ok {
		return nil, data.Errorf("Failed to serialize to %s (was %s): ", n.typeName, javaClass(v))
	}
	return b, nil
}

func (n *numberConv) to(b []byte) (*data.Schema, any, error) {
	if b == nil {
		return n.schema, nil, nil
	}
	if len(b) != n.size {
		return nil, nil, data.Errorf("Failed to deserialize %s: Size of data received by %s is not %d", n.typeName, n.deser, n.size)
	}
	return n.schema, n.decode(b), nil
}

func longConv() *numberConv {
	return &numberConv{typeName: "long", deser: "LongDeserializer", size: 8, schema: data.OptionalInt64Schema,
		encode: func(v any) ([]byte, bool) {
			x, ok := v.(int64)
			return binary.BigEndian.AppendUint64(nil, uint64(x)), ok
		},
		decode: func(b []byte) any { return int64(binary.BigEndian.Uint64(b)) }}
}

func integerConv() *numberConv {
	return &numberConv{typeName: "integer", deser: "IntegerDeserializer", size: 4, schema: data.OptionalInt32Schema,
		encode: func(v any) ([]byte, bool) {
			x, ok := v.(int32)
			return binary.BigEndian.AppendUint32(nil, uint32(x)), ok
		},
		decode: func(b []byte) any { return int32(binary.BigEndian.Uint32(b)) }}
}

func shortConv() *numberConv {
	return &numberConv{typeName: "short", deser: "ShortDeserializer", size: 2, schema: data.OptionalInt16Schema,
		encode: func(v any) ([]byte, bool) {
			x, ok := v.(int16)
			return binary.BigEndian.AppendUint16(nil, uint16(x)), ok
		},
		decode: func(b []byte) any { return int16(binary.BigEndian.Uint16(b)) }}
}

// Kafka's FloatDeserializer and DoubleDeserializer say "Deserializer" in their size
// message.
func floatConv() *numberConv {
	return &numberConv{typeName: "float", deser: "Deserializer", size: 4, schema: data.OptionalFloat32Schema,
		encode: func(v any) ([]byte, bool) {
			x, ok := v.(float32)
			return binary.BigEndian.AppendUint32(nil, math.Float32bits(x)), ok
		},
		decode: func(b []byte) any { return math.Float32frombits(binary.BigEndian.Uint32(b)) }}
}

func doubleConv() *numberConv {
	return &numberConv{typeName: "double", deser: "Deserializer", size: 8, schema: data.OptionalFloat64Schema,
		encode: func(v any) ([]byte, bool) {
			x, ok := v.(float64)
			return binary.BigEndian.AppendUint64(nil, math.Float64bits(x)), ok
		},
		decode: func(b []byte) any { return math.Float64frombits(binary.BigEndian.Uint64(b)) }}
}

// ---- BooleanConverter ----

type booleanConv struct{}

func (booleanConv) config() *config.Def { return converterConfigDef() }
func (booleanConv) configure(props map[string]string) error {
	return parseType(converterConfigDef(), props)
}

func (booleanConv) from(s *data.Schema, v any) ([]byte, error) {
	if s != nil && s.Type != data.TypeBoolean {
		return nil, data.Errorf("Invalid schema type for BooleanConverter: %s", s.Type)
	}
	if v == nil {
		return nil, nil
	}
	b, ok := v.(bool)
	if !ok {
		return nil, data.Errorf("BooleanConverter is not compatible with objects of type %s", javaClass(v))
	}
	if b {
		return []byte{1}, nil
	}
	return []byte{0}, nil
}

func (booleanConv) to(b []byte) (*data.Schema, any, error) {
	if b == nil {
		return data.OptionalBooleanSchema, nil, nil
	}
	if len(b) != 1 {
		return nil, nil, data.Errorf("Failed to deserialize boolean: Size of data received by BooleanDeserializer is not 1")
	}
	switch b[0] {
	case 0:
		return data.OptionalBooleanSchema, false, nil
	case 1:
		return data.OptionalBooleanSchema, true, nil
	}
	return nil, nil, data.Errorf("Failed to deserialize boolean: Unexpected byte received by BooleanDeserializer: %d", int8(b[0]))
}

// ---- SimpleHeaderConverter ----

type simpleHeaderConv struct{}

func (simpleHeaderConv) config() *config.Def               { return config.NewDef() }
func (simpleHeaderConv) configure(map[string]string) error { return nil }

func (simpleHeaderConv) from(s *data.Schema, v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	str, _, err := data.ConvertToString(s, v)
	if err != nil {
		return nil, err
	}
	return []byte(str), nil
}

func (simpleHeaderConv) to(b []byte) (*data.Schema, any, error) {
	if b == nil {
		return nil, nil, nil
	}
	s, v, err := data.ParseString(decodeUTF8(b))
	if err != nil {
		// Java logs and falls back to the raw bytes.
		return data.BytesSchema, b, nil
	}
	return s, v, nil
}

// javaClass names the Java class a data-model value stands for, as Java's messages
// print it.
func javaClass(v any) string {
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
	}
	return "class " + strconv.Quote(fmt.Sprintf("%T", v))
}

var (
	_ connect.Converter       = (*Converter)(nil)
	_ connect.HeaderConverter = (*HeaderConverter)(nil)
)
