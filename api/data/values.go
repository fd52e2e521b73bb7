package data

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
)

// This file is Java's org.apache.kafka.connect.data.Values: the string form of
// Connect values that SimpleHeaderConverter writes into headers and the inference
// that reads them back. Java formats and parses dates in the JVM's default time
// zone; goconnect always uses UTC, which matches a Java worker running in UTC.

// ConvertToString renders v as Java's Values.convertToString: numbers and booleans
// as Java prints them, strings as-is (quoted and escaped inside arrays, maps and
// structs), bytes as base64, lists as [a,b], maps as {k:v}, structs as {"f":v} with
// field defaults applied, and times by value: before 1970-01-02 as HH:mm:ss.SSS'Z',
// at midnight as yyyy-MM-dd, otherwise yyyy-MM-dd'T'HH:mm:ss.SSS'Z'. The schema is
// ignored, as in Java. A nil value renders as "" with ok false (Java's null).
func ConvertToString(s *Schema, v any) (str string, ok bool, err error) {
	if v == nil {
		return "", false, nil
	}
	var b strings.Builder
	if err := appendValueString(&b, v, false); err != nil {
		return "", false, err
	}
	return b.String(), true, nil
}

func appendValueString(b *strings.Builder, v any, embedded bool) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case int8, int16, int32, int64, float32, float64, bool, Decimal:
		b.WriteString(JavaString(x))
	case string:
		if embedded {
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(strings.ReplaceAll(x, `\`, `\\`), `"`, `\"`))
			b.WriteByte('"')
		} else {
			b.WriteString(x)
		}
	case []byte:
		if embedded {
			b.WriteByte('"')
		}
		b.WriteString(base64.StdEncoding.EncodeToString(x))
		if embedded {
			b.WriteByte('"')
		}
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := appendValueString(b, e, true); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any, map[any]any:
		b.WriteByte('{')
		for i, k := range JavaMapKeys(x) {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := appendValueString(b, k, true); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := appendValueString(b, mapGet(x, k), true); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case *Struct:
		b.WriteByte('{')
		for i, f := range x.Schema().Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := appendValueString(b, f.Name, true); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := appendValueString(b, x.Get(f.Name), true); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case time.Time:
		b.WriteString(formatTemporal(x))
	default:
		return Errorf("Failed to serialize unexpected value type %T: %v", v, v)
	}
	return nil
}

func mapGet(m any, k any) any {
	switch x := m.(type) {
	case map[string]any:
		return x[k.(string)]
	case map[any]any:
		return x[k]
	}
	return nil
}

// formatTemporal is Java's Values.dateFormatFor(value).format(value) in UTC.
func formatTemporal(t time.Time) string {
	ms := t.UnixMilli()
	t = t.UTC()
	switch {
	case ms < msPerDay:
		return t.Format("15:04:05.000Z")
	case ms%msPerDay == 0:
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

// ParseString infers a schema and value from a string as Java's Values.parseString
// does: "null", "true", "false"; integers as the narrowest of INT8..INT64; other
// numbers as FLOAT32 when finite there, else FLOAT64, else Decimal; [..] arrays and
// {k:v} maps with a common element schema when there is one; yyyy-MM-dd,
// HH:mm:ss.SSS'Z' and yyyy-MM-dd'T'HH:mm:ss.SSS'Z' as Date, Time and Timestamp;
// anything else as the whole string. A parse that fails part way falls back to the
// string, as in Java; like Java it ignores what follows a leading number ("1,2" is 1).
// The null literal gives a nil schema and value.
func ParseString(s string) (*Schema, any, error) {
	if s == "" {
		return StringSchema, s, nil
	}
	vp := valueParser{p: &tokenizer{orig: s}}
	sv, err := vp.parse(false)
	if err != nil {
		return nil, nil, err
	}
	if sv == nil {
		return nil, nil, nil
	}
	return sv.schema, sv.value, nil
}

type schemaAndValue struct {
	schema *Schema
	value  any
}

// tokenizer is Java's Values.Parser: it splits on unescaped : , { } [ ] " and
// remembers one look-ahead token.
type tokenizer struct {
	orig     string
	pos      int
	next     string
	hasNext_ bool
	previous string
}

func (t *tokenizer) mark() int {
	if t.hasNext_ {
		return t.pos - len(t.next)
	}
	return t.pos
}

func (t *tokenizer) rewindTo(p int) {
	t.pos = p
	t.hasNext_ = false
	t.previous = ""
}

func (t *tokenizer) hasNext() bool { return t.hasNext_ || t.pos < len(t.orig) }

func (t *tokenizer) nextToken() string {
	if t.hasNext_ {
		t.previous = t.next
		t.hasNext_ = false
		t.next = ""
	} else {
		t.previous = t.consume()
	}
	return t.previous
}

// nextN returns the text of the next n tokens, or ok false (and no change) if there
// are fewer.
func (t *tokenizer) nextN(n int) (string, bool) {
	start := t.mark()
	for range n {
		if !t.hasNext() {
			t.rewindTo(start)
			return "", false
		}
		t.nextToken()
	}
	return t.orig[start:t.pos], true
}

func (t *tokenizer) consume() string {
	escaped := false
	start := t.pos
	for t.pos < len(t.orig) {
		switch t.orig[t.pos] {
		case '\\':
			escaped = !escaped
		case ':', ',', '{', '}', '[', ']', '"':
			if !escaped {
				if start < t.pos {
					return t.orig[start:t.pos]
				}
				t.pos++
				return t.orig[start : start+1]
			}
			escaped = false
		default:
			escaped = false
		}
		t.pos++
	}
	return t.orig[start:t.pos]
}

func (t *tokenizer) canConsume(expected string) bool {
	if t.isNext(expected) {
		t.hasNext_ = false
		t.next = ""
		return true
	}
	return false
}

func (t *tokenizer) isNext(expected string) bool {
	if !t.hasNext_ {
		if !t.hasNext() {
			return false
		}
		t.next, t.hasNext_ = t.consume(), true
	}
	for isBlank(t.next) && t.pos < len(t.orig) {
		t.next = t.consume()
	}
	return javaTrim(t.next) == expected
}

// javaTrim is Java's String.trim: it strips every char <= ' '.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

func isBlank(s string) bool { return javaTrim(s) == "" }

// errEmbedded and friends are the DataExceptions Java's parser throws and catches to
// fall back to a string.
var errParse = errors.New("values parse")

func parseErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errParse, fmt.Sprintf(format, args...))
}

type valueParser struct{ p *tokenizer }

func (vp *valueParser) singleTokenLiteral(embedded bool, lit string) bool {
	start := vp.p.mark()
	if vp.p.canConsume(lit) && (embedded || !vp.p.hasNext()) {
		return true
	}
	vp.p.rewindTo(start)
	return false
}

func (vp *valueParser) parse(embedded bool) (*schemaAndValue, error) {
	p := vp.p
	switch {
	case !p.hasNext():
		return nil, nil
	case embedded && p.canConsume(`"`):
		return vp.parseQuotedString(), nil
	case vp.singleTokenLiteral(embedded, "null"):
		return nil, nil
	case vp.singleTokenLiteral(embedded, "true"):
		return &schemaAndValue{BooleanSchema, true}, nil
	case vp.singleTokenLiteral(embedded, "false"):
		return &schemaAndValue{BooleanSchema, false}, nil
	}
	start := p.mark()
	var sv *schemaAndValue
	var err error
	if p.canConsume("[") {
		sv, err = vp.parseArray()
	} else if p.canConsume("{") {
		sv, err = vp.parseMap()
	}
	if err == nil && sv != nil {
		return sv, nil
	}
	if err != nil {
		if !errors.Is(err, errParse) && !errors.Is(err, ErrData) {
			return nil, err
		}
		p.rewindTo(start)
	}
	token := p.nextToken()
	if isBlank(token) {
		return &schemaAndValue{StringSchema, token}, nil
	}
	return vp.parseNextToken(embedded, javaTrim(token))
}

func (vp *valueParser) parseNextToken(embedded bool, token string) (*schemaAndValue, error) {
	first := []rune(token)[0]
	digit := unicode.IsDigit(first)
	if digit {
		if t := vp.parseMultipleTokensAsTemporal(token); t != nil {
			return t, nil
		}
	}
	if digit || first == '+' || first == '-' {
		if sv, ok := parseAsNumber(token); ok {
			return sv, nil
		}
	}
	if embedded {
		return nil, parseErrorf("Failed to parse embedded value")
	}
	return &schemaAndValue{StringSchema, vp.p.orig}, nil
}

func (vp *valueParser) parseQuotedString() *schemaAndValue {
	var b strings.Builder
	for vp.p.hasNext() {
		if vp.p.canConsume(`"`) {
			break
		}
		b.WriteString(vp.p.nextToken())
	}
	content := b.String()
	if t := parseAsTemporal(content); t != nil {
		return t
	}
	return &schemaAndValue{StringSchema, content}
}

func (vp *valueParser) parseArray() (*schemaAndValue, error) {
	p := vp.p
	result := []any{}
	var merger schemaMerger
	for p.hasNext() {
		if p.canConsume("]") {
			if merger.common != nil {
				ls := NewArraySchema(merger.common, false)
				aligned := make([]any, len(result))
				for i, v := range result {
					nv, err := convertTo(ls.ValueSchema, v)
					if err != nil {
						return nil, err
					}
					aligned[i] = nv
				}
				return &schemaAndValue{ls, aligned}, nil
			}
			return &schemaAndValue{&Schema{Type: TypeArray}, result}, nil
		}
		if p.canConsume(",") {
			return nil, parseErrorf("Unable to parse an empty array element: %s", p.orig)
		}
		el, err := vp.parse(true)
		if err != nil {
			return nil, err
		}
		merger.merge(el)
		if el != nil {
			result = append(result, el.value)
		} else {
			result = append(result, nil)
		}
		cur := p.mark()
		if p.canConsume("]") {
			p.rewindTo(cur)
		} else if !p.canConsume(",") {
			return nil, parseErrorf("Array elements missing ',' delimiter")
		}
	}
	if p.previous == "," {
		return nil, parseErrorf("Array is missing element after ',': %s", p.orig)
	}
	return nil, parseErrorf("Array is missing terminating ']': %s", p.orig)
}

type mapEntry struct{ k, v any }

func (vp *valueParser) parseMap() (*schemaAndValue, error) {
	p := vp.p
	var entries []mapEntry // insertion order, as Java's LinkedHashMap
	put := func(k, v any) {
		for i := range entries {
			if Equal(entries[i].k, k) {
				entries[i].v = v
				return
			}
		}
		entries = append(entries, mapEntry{k, v})
	}
	var keys, values schemaMerger
	for p.hasNext() {
		if p.canConsume("}") {
			var ms *Schema
			switch {
			case keys.common != nil && values.common != nil:
				ms = NewMapSchema(keys.common, values.common, false)
				aligned := entries[:0:0]
				for _, e := range entries {
					k, err := convertTo(ms.KeySchema, e.k)
					if err != nil {
						return nil, err
					}
					v, err := convertTo(ms.ValueSchema, e.v)
					if err != nil {
						return nil, err
					}
					aligned = append(aligned, mapEntry{k, v})
				}
				entries = aligned
			case keys.common != nil:
				ms = &Schema{Type: TypeMap, KeySchema: keys.common}
				aligned := entries[:0:0]
				for _, e := range entries {
					k, err := convertTo(ms.KeySchema, e.k)
					if err != nil {
						return nil, err
					}
					aligned = append(aligned, mapEntry{k, e.v})
				}
				entries = aligned
			default:
				ms = &Schema{Type: TypeMap}
			}
			return &schemaAndValue{ms, buildMap(entries)}, nil
		}
		if p.canConsume(",") {
			return nil, parseErrorf("Unable to parse a map entry with no key or value: %s", p.orig)
		}
		key, err := vp.parse(true)
		if err != nil {
			return nil, err
		}
		if key == nil || key.value == nil {
			return nil, parseErrorf("Map entry may not have a null key: %s", p.orig)
		}
		if !p.canConsume(":") {
			return nil, parseErrorf("Map entry is missing ':' at %d in %s", p.pos, p.orig)
		}
		val, err := vp.parse(true)
		if err != nil {
			return nil, err
		}
		var v any
		if val != nil {
			v = val.value
		}
		put(key.value, v)
		p.canConsume(",")
		keys.merge(key)
		values.merge(val)
	}
	if p.previous == "," {
		return nil, parseErrorf("Map is missing element after ',': %s", p.orig)
	}
	return nil, parseErrorf("Map is missing terminating '}': %s", p.orig)
}

// buildMap returns map[string]any when every key is a string, else map[any]any;
// keys that Go cannot hash (bytes, lists, maps) are keyed by their string form.
func buildMap(entries []mapEntry) any {
	allStrings := true
	for _, e := range entries {
		if _, ok := e.k.(string); !ok {
			allStrings = false
			break
		}
	}
	if allStrings {
		m := make(map[string]any, len(entries))
		for _, e := range entries {
			m[e.k.(string)] = e.v
		}
		return m
	}
	m := make(map[any]any, len(entries))
	for _, e := range entries {
		k := e.k
		switch k.(type) {
		case []byte, []any, map[string]any, map[any]any:
			k = JavaString(k)
		case Decimal:
			k = k.(Decimal).String()
		}
		m[k] = e.v
	}
	return m
}

func (vp *valueParser) parseMultipleTokensAsTemporal(token string) *schemaAndValue {
	pos := vp.p.mark()
	if rest, ok := vp.p.nextN(4); ok {
		if t := parseAsTemporal(token + rest); t != nil {
			return t
		}
	}
	vp.p.rewindTo(pos)
	return parseAsTemporal(token)
}

// parseAsTemporal matches Java's length test (in UTF-16 units) and then parses with
// SimpleDateFormat's lenient rules.
func parseAsTemporal(token string) *schemaAndValue {
	token = strings.ReplaceAll(token, `\:`, ":")
	switch len(utf16.Encode([]rune(token))) {
	case 13:
		if t, ok := parseLenient(token, "HH:mm:ss.SSS'Z'"); ok {
			return &schemaAndValue{TimeSchema(false), t}
		}
	case 24:
		if t, ok := parseLenient(token, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"); ok {
			return &schemaAndValue{TimestampSchema(false), t}
		}
	case 10:
		if t, ok := parseLenient(token, "yyyy-MM-dd"); ok {
			return &schemaAndValue{DateSchema(false), t}
		}
	}
	return nil
}

// parseLenient is SimpleDateFormat.parse(text, pos) for the three ISO patterns, in
// UTC: numeric fields take as many digits as there are (after optional spaces),
// literals must match, text after the pattern is ignored, and out-of-range fields
// roll over (lenient Calendar). It fails only if the first field fails, as Java
// then leaves the parse position at 0; a later failure also fails the parse.
func parseLenient(text, pattern string) (time.Time, bool) {
	fields := map[byte]int{'y': 1970, 'M': 1, 'd': 1}
	i := 0
	for j := 0; j < len(pattern); {
		c := pattern[j]
		if c == '\'' {
			k := strings.IndexByte(pattern[j+1:], '\'')
			lit := pattern[j+1 : j+1+k]
			if !strings.HasPrefix(text[i:], lit) {
				return time.Time{}, false
			}
			i += len(lit)
			j += k + 2
			continue
		}
		if c < 'A' || c > 'z' {
			if i >= len(text) || text[i] != c {
				return time.Time{}, false
			}
			i++
			j++
			continue
		}
		for j < len(pattern) && pattern[j] == c {
			j++
		}
		for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
		neg := false
		if i < len(text) && text[i] == '-' {
			neg = true
			i++
		}
		start := i
		for i < len(text) && text[i] >= '0' && text[i] <= '9' {
			i++
		}
		if i == start || i-start > 9 {
			return time.Time{}, false
		}
		n, _ := strconv.Atoi(text[start:i])
		if neg {
			n = -n
		}
		fields[c] = n
	}
	return time.Date(fields['y'], time.Month(fields['M']), fields['d'], fields['H'], fields['m'], fields['s'],
		fields['S']*int(time.Millisecond), time.UTC), true
}

// parseAsNumber is Java's ValueParser.parseAsNumber.
func parseAsNumber(token string) (*schemaAndValue, bool) {
	d, err := ParseBigDecimal(token)
	if err != nil {
		return nil, false
	}
	if sv := parseAsExactDecimal(d); sv != nil {
		return sv, true
	}
	str := d.String()
	f32, _ := strconv.ParseFloat(str, 32) // ±Inf on overflow, as BigDecimal.floatValue
	f64, _ := strconv.ParseFloat(str, 64)
	if !math.IsInf(f32, 0) && d.Scale != 0 {
		return &schemaAndValue{Float32Schema, javaZero32(float32(f32))}, true
	}
	if !math.IsInf(f64, 0) && d.Scale != 0 {
		return &schemaAndValue{Float64Schema, javaZero64(f64)}, true
	}
	return &schemaAndValue{DecimalSchema(d.Scale, false), d}, true
}

// BigDecimal has no negative zero: "-0.5e-60" rounds to 0.0, not -0.0.
func javaZero32(f float32) float32 {
	if f == 0 {
		return 0
	}
	return f
}

func javaZero64(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}

var (
	biggerThanLong = big.NewInt(0).Exp(big.NewInt(10), big.NewInt(19), nil)
	bigLongMin     = big.NewInt(math.MinInt64)
	bigLongMax     = big.NewInt(math.MaxInt64)
)

func parseAsExactDecimal(d Decimal) *schemaAndValue {
	abs := new(big.Rat).Abs(d.Rat())
	if abs.Cmp(new(big.Rat).SetInt(biggerThanLong)) > 0 || (abs.Cmp(big.NewRat(1, 1)) < 0 && abs.Sign() != 0) {
		return nil
	}
	if !abs.IsInt() {
		return nil
	}
	num := new(big.Int).Quo(d.Rat().Num(), d.Rat().Denom())
	if num.Cmp(bigLongMin) < 0 || num.Cmp(bigLongMax) > 0 {
		return nil
	}
	n := num.Int64()
	switch {
	case n == int64(int8(n)):
		return &schemaAndValue{Int8Schema, int8(n)}
	case n == int64(int16(n)):
		return &schemaAndValue{Int16Schema, int16(n)}
	case n == int64(int32(n)):
		return &schemaAndValue{Int32Schema, int32(n)}
	}
	return &schemaAndValue{Int64Schema, n}
}

// ParseBigDecimal parses s as Java's new BigDecimal(String): an optional sign,
// digits with an optional point, and an optional exponent; the scale is the number
// of fraction digits minus the exponent ("1.50" has scale 2, "1e3" scale -3).
func ParseBigDecimal(s string) (Decimal, error) {
	mant, exp := s, int64(0)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.ParseInt(s[i+1:], 10, 32)
		if err != nil {
			return Decimal{}, Errorf("Character array is missing \"exponent\" mark 'e' or 'E'.")
		}
		mant, exp = s[:i], e
	}
	digits := make([]byte, 0, len(mant)+1)
	scale := int64(0)
	seenDot, seenDigit := false, false
	for i := 0; i < len(mant); i++ {
		c := mant[i]
		switch {
		case c == '.' && !seenDot:
			seenDot = true
		case c >= '0' && c <= '9':
			digits = append(digits, c)
			seenDigit = true
			if seenDot {
				scale++
			}
		case (c == '-' || c == '+') && i == 0:
			if c == '-' {
				digits = append(digits, c)
			}
		default:
			return Decimal{}, Errorf("Character %c is neither a decimal digit number, decimal point, nor \"e\" notation exponential mark.", c)
		}
	}
	if !seenDigit {
		return Decimal{}, Errorf("No digits found.")
	}
	u, _ := new(big.Int).SetString(string(digits), 10)
	scale -= exp
	if scale > math.MaxInt32 || scale < math.MinInt32 {
		return Decimal{}, Errorf("Scale out of range.")
	}
	return Decimal{Unscaled: u, Scale: int32(scale)}, nil
}

// schemaMerger is Java's Values.SchemaMerger: the common schema of the values seen
// so far, with numeric widening.
type schemaMerger struct {
	common       *Schema
	incompatible bool
}

func (m *schemaMerger) merge(sv *schemaAndValue) {
	if sv == nil || sv.schema == nil || m.incompatible {
		return
	}
	if m.common == nil {
		m.common = sv.schema
		return
	}
	m.common = mergeSchemas(m.common, sv.schema)
	m.incompatible = m.common == nil
}

func numericRank(t Type) int {
	switch t {
	case TypeInt8:
		return 1
	case TypeInt16:
		return 2
	case TypeInt32:
		return 3
	case TypeInt64:
		return 4
	case TypeFloat32:
		return 5
	case TypeFloat64:
		return 6
	}
	return 0
}

func mergeSchemas(prev, next *Schema) *Schema {
	if prev.Type != next.Type {
		pr, nr := numericRank(prev.Type), numericRank(next.Type)
		if pr == 0 || nr == 0 {
			return nil
		}
		if nr > pr {
			return next
		}
		return prev
	}
	if prev.Optional == next.Optional {
		if prev.Optional {
			return prev
		}
		return next
	}
	if !prev.Equal(next) {
		return nil
	}
	return prev
}

// convertTo is the part of Java's Values.convertTo(toSchema, null, value) that
// aligning parsed arrays and maps needs.
func convertTo(to *Schema, v any) (any, error) {
	if v == nil {
		if to.Optional {
			return nil, nil
		}
		return nil, Errorf("Unable to convert a null value to a schema that requires a value")
	}
	switch to.Type {
	case TypeString:
		s, _, err := ConvertToString(nil, v)
		return s, err
	case TypeBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		n, err := asLong(v)
		return n != 0, err
	case TypeInt8:
		if _, ok := v.(int8); ok {
			return v, nil
		}
		n, err := asLong(v)
		return int8(n), err
	case TypeInt16:
		if _, ok := v.(int16); ok {
			return v, nil
		}
		n, err := asLong(v)
		return int16(n), err
	case TypeInt32:
		if to.Name == DateName || to.Name == TimeName {
			return v, nil
		}
		if _, ok := v.(int32); ok {
			return v, nil
		}
		n, err := asLong(v)
		return int32(n), err
	case TypeInt64:
		if to.Name == TimestampName {
			return v, nil
		}
		if _, ok := v.(int64); ok {
			return v, nil
		}
		return asLong(v)
	case TypeFloat32:
		if _, ok := v.(float32); ok {
			return v, nil
		}
		f, err := asDouble(v)
		return float32(f), err
	case TypeFloat64:
		if _, ok := v.(float64); ok {
			return v, nil
		}
		return asDouble(v)
	}
	return v, nil
}

func asLong(v any) (int64, error) {
	switch x := v.(type) {
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case float32:
		return javaD2L(float64(x)), nil
	case float64:
		return javaD2L(x), nil
	case Decimal:
		q := new(big.Int).Quo(x.Rat().Num(), x.Rat().Denom())
		return int64(new(big.Int).And(q, new(big.Int).SetUint64(math.MaxUint64)).Uint64()), nil
	case string:
		d, err := ParseBigDecimal(x)
		if err == nil {
			return asLong(d)
		}
	}
	return 0, Errorf("Unable to convert %s (%s) to a number", JavaString(v), javaClassName(v))
}

func asDouble(v any) (float64, error) {
	switch x := v.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	case Decimal:
		f, _ := x.Rat().Float64()
		return f, nil
	case string:
		if d, err := ParseBigDecimal(x); err == nil {
			return asDouble(d)
		}
	}
	n, err := asLong(v)
	return float64(n), err
}

// javaD2L is Java's (long) cast of a double: truncation, saturating, NaN to 0.
func javaD2L(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

func javaClassName(v any) string {
	switch v.(type) {
	case string:
		return "class java.lang.String"
	case bool:
		return "class java.lang.Boolean"
	case time.Time:
		return "class java.util.Date"
	}
	return fmt.Sprintf("class %T", v)
}

// JavaHashCode returns Java's hashCode of the Java object a data-model value stands
// for (String, Byte, Short, Integer, Long, Float, Double, Boolean, BigDecimal, Date,
// List, Map). Byte arrays and structs have identity or schema-based hashes in Java;
// they hash to 0 here.
func JavaHashCode(v any) int32 {
	switch x := v.(type) {
	case nil:
		return 0
	case string:
		return JavaStringHash(x)
	case int8:
		return int32(x)
	case int16:
		return int32(x)
	case int32:
		return x
	case int64:
		return int32(x ^ int64(uint64(x)>>32))
	case float32:
		if x != x {
			return 0x7fc00000
		}
		return int32(math.Float32bits(x))
	case float64:
		bits := math.Float64bits(x)
		if x != x {
			bits = 0x7ff8000000000000
		}
		return int32(bits ^ bits>>32)
	case bool:
		if x {
			return 1231
		}
		return 1237
	case time.Time:
		ms := x.UnixMilli()
		return int32(ms ^ int64(uint64(ms)>>32))
	case []any:
		h := int32(1)
		for _, e := range x {
			h = 31*h + JavaHashCode(e)
		}
		return h
	case map[string]any:
		var h int32
		for k, e := range x {
			h += JavaStringHash(k) ^ JavaHashCode(e)
		}
		return h
	case map[any]any:
		var h int32
		for k, e := range x {
			h += JavaHashCode(k) ^ JavaHashCode(e)
		}
		return h
	}
	return 0
}

// JavaMapKeys returns the keys of a MAP value (map[string]any or map[any]any) in the
// iteration order of a java.util.HashMap holding the same entries, which is how
// Java renders the maps it decodes. Keys that share a bucket come in the order of
// their string form, because a Go map does not remember insertion order.
func JavaMapKeys(m any) []any {
	var keys []any
	switch x := m.(type) {
	case map[string]any:
		keys = make([]any, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
	case map[any]any:
		keys = make([]any, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
	default:
		return nil
	}
	sort.Slice(keys, func(i, j int) bool { return JavaString(keys[i]) < JavaString(keys[j]) })
	n := 16
	for float64(len(keys)) > 0.75*float64(n) {
		n *= 2
	}
	bucket := func(k any) int {
		h := uint32(JavaHashCode(k))
		return int((h ^ h>>16) & uint32(n-1))
	}
	sort.SliceStable(keys, func(i, j int) bool { return bucket(keys[i]) < bucket(keys[j]) })
	return keys
}
