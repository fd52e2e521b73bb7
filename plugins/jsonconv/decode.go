package jsonconv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/goconnect/goconnect/api/data"
)

// nodeKind is Jackson's JsonNodeType, plus the numeric node classes that change
// what Java's JsonConverter does (isInt, isIntegralNumber).
type nodeKind uint8

const (
	kindMissing nodeKind = iota
	kindNull
	kindBool
	kindInt    // IntNode: an integer that fits in 32 bits
	kindLong   // LongNode
	kindBigInt // BigIntegerNode
	kindDecimal
	kindString
	kindArray
	kindObject
)

// nodeTypeName is JsonNode.getNodeType().toString(), as Java's messages print it.
func (k nodeKind) nodeTypeName() string {
	switch k {
	case kindMissing:
		return "MISSING"
	case kindNull:
		return "NULL"
	case kindBool:
		return "BOOLEAN"
	case kindInt, kindLong, kindBigInt, kindDecimal:
		return "NUMBER"
	case kindString:
		return "STRING"
	case kindArray:
		return "ARRAY"
	}
	return "OBJECT"
}

func (k nodeKind) isNumber() bool   { return k >= kindInt && k <= kindDecimal }
func (k nodeKind) isIntegral() bool { return k >= kindInt && k <= kindBigInt }

type member struct {
	name string
	val  *node
}

// node is a parsed JSON value: a small version of Jackson's JsonNode tree. Java's
// deserializer reads floats as exact BigDecimals (USE_BIG_DECIMAL_FOR_FLOATS), so
// numbers keep their literal text until a schema says what they become.
type node struct {
	kind    nodeKind
	boolean bool
	i64     int64  // kindInt, kindLong
	str     string // kindString; the literal for kindBigInt and kindDecimal
	arr     []*node
	obj     []member
	// start and end locate an object in the input, so a schema can be cached by its
	// text.
	start, end int
}

func (n *node) get(name string) *node {
	if n == nil || n.kind != kindObject {
		return nil
	}
	for i := range n.obj {
		if n.obj[i].name == name {
			return n.obj[i].val
		}
	}
	return nil
}

// Jackson's default StreamReadConstraints.
const (
	maxNestingDepth = 1000
	maxNumberLength = 1000
)

type parser struct {
	b     []byte
	i     int
	depth int
}

// errSyntax carries a parse failure; Java wraps Jackson's message in a
// DataException whose own message is fixed, so the detail here is informative only.
type errSyntax struct{ msg string }

func (e *errSyntax) Error() string { return e.msg }

func (p *parser) fail(format string, args ...any) error {
	return &errSyntax{fmt.Sprintf(format, args...) + fmt.Sprintf(" at offset %d", p.i)}
}

// parseJSON parses the first JSON value in b as Jackson's ObjectMapper.readTree
// does: content after the first value is ignored (FAIL_ON_TRAILING_TOKENS is off),
// empty input is a MissingNode, and leading zeros in numbers are allowed.
func parseJSON(b []byte) (*node, error) {
	p := parser{b: b}
	p.skipWS()
	if p.i >= len(b) {
		return &node{kind: kindMissing}, nil
	}
	return p.value()
}

func (p *parser) skipWS() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() (*node, error) {
	if p.i >= len(p.b) {
		return nil, p.fail("Unexpected end-of-input")
	}
	switch p.b[p.i] {
	case '{':
		return p.object()
	case '[':
		return p.array()
	}
	n := &node{}
	if err := p.scalar(n); err != nil {
		return nil, err
	}
	return n, nil
}

// scalar parses a string, number, true, false or null into n, which the caller
// provides so that the decoder of cached envelopes can keep it off the heap.
func (p *parser) scalar(n *node) error {
	if p.i >= len(p.b) {
		return p.fail("Unexpected end-of-input")
	}
	switch c := p.b[p.i]; {
	case c == '"':
		s, err := p.string()
		if err != nil {
			return err
		}
		*n = node{kind: kindString, str: s}
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(n)
	case c == 't':
		*n = node{kind: kindBool, boolean: true}
		return p.literal("true")
	case c == 'f':
		*n = node{kind: kindBool}
		return p.literal("false")
	case c == 'n':
		*n = node{kind: kindNull}
		return p.literal("null")
	default:
		return p.fail("Unexpected character (%q)", c)
	}
}

func (p *parser) literal(word string) error {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return p.fail("Unrecognized token")
	}
	p.i += len(word)
	// Jackson rejects "truex" but accepts "true]" or "true,".
	if p.i < len(p.b) {
		c := p.b[p.i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
			return p.fail("Unrecognized token")
		}
	}
	return nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxNestingDepth {
		return p.fail("Document nesting depth exceeds the maximum allowed (%d)", maxNestingDepth)
	}
	return nil
}

func (p *parser) object() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	n := &node{kind: kindObject, start: p.i}
	p.i++
	p.skipWS()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		p.depth--
		n.end = p.i
		return n, nil
	}
	for {
		p.skipWS()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.fail("Unexpected character, was expecting double-quote to start field name")
		}
		name, err := p.string()
		if err != nil {
			return nil, err
		}
		p.skipWS()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.fail("Unexpected character, was expecting a colon to separate field name and value")
		}
		p.i++
		p.skipWS()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		// A repeated name replaces the value in place (Jackson's ObjectNode is a
		// LinkedHashMap).
		replaced := false
		for i := range n.obj {
			if n.obj[i].name == name {
				n.obj[i].val = v
				replaced = true
				break
			}
		}
		if !replaced {
			n.obj = append(n.obj, member{name, v})
		}
		p.skipWS()
		if p.i >= len(p.b) {
			return nil, p.fail("Unexpected end-of-input: expected close marker for OBJECT")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			p.depth--
			n.end = p.i
			return n, nil
		default:
			return nil, p.fail("Unexpected character, was expecting comma to separate Object entries")
		}
	}
}

func (p *parser) array() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.i++
	n := &node{kind: kindArray, arr: []*node{}}
	p.skipWS()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		p.depth--
		return n, nil
	}
	for {
		p.skipWS()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.arr = append(n.arr, v)
		p.skipWS()
		if p.i >= len(p.b) {
			return nil, p.fail("Unexpected end-of-input: expected close marker for ARRAY")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			p.depth--
			return n, nil
		default:
			return nil, p.fail("Unexpected character, was expecting comma to separate Array entries")
		}
	}
}

func (p *parser) string() (string, error) {
	p.i++ // opening quote
	start := p.i
	// Fast path: no escapes, no control characters, valid UTF-8, checked a word at
	// a time (string payloads are most of a sink's bytes).
	if n := bytes.IndexByte(p.b[start:], '"'); n >= 0 {
		s := p.b[start : start+n]
		if bytes.IndexByte(s, '\\') < 0 && !hasControl(s) && utf8.Valid(s) {
			p.i = start + n + 1
			return string(s), nil
		}
	}
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			s := p.b[start:p.i]
			if !utf8.Valid(s) {
				return "", p.fail("Invalid UTF-8")
			}
			p.i++
			return string(s), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.i++
	}
	buf := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			if !utf8.Valid(p.b[start:p.i]) {
				return "", p.fail("Invalid UTF-8")
			}
			p.i++
			return string(buf), nil
		case c < 0x20:
			return "", p.fail("Illegal unquoted character (CTRL-CHAR, code %d): has to be escaped using backslash to be included in string value", c)
		case c == '\\':
			p.i++
			if p.i >= len(p.b) {
				return "", p.fail("Unexpected end-of-input in character escape sequence")
			}
			e := p.b[p.i]
			p.i++
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					// A pair becomes one code point. A lone surrogate, which a Java
					// String can hold, is kept as its 3-byte generalized UTF-8 form
					// (WTF-8), so writing the string again gives Java's \uD800 back.
					if r < 0xDC00 && p.i+6 <= len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
						save := p.i
						p.i += 2
						r2, err := p.hex4()
						if err == nil && r2 >= 0xDC00 && r2 <= 0xDFFF {
							buf = utf8.AppendRune(buf, utf16.DecodeRune(r, r2))
							continue
						}
						p.i = save
					}
					buf = append(buf, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
					continue
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.fail("Unrecognized character escape %q", e)
			}
		default:
			buf = append(buf, c)
			p.i++
		}
	}
	return "", p.fail("Unexpected end-of-input: was expecting closing quote for a string value")
}

// hasControl reports whether b holds a byte below 0x20.
func hasControl(b []byte) bool {
	const ones, highs, spaces = 0x0101010101010101, 0x8080808080808080, 0x2020202020202020
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		// A byte below 0x20 borrows into its high bit; bytes with the high bit
		// already set are masked out by ^x (the classic "has less than" trick).
		if (x-spaces)&^x&highs != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

func (p *parser) hex4() (rune, error) {
	if p.i+4 > len(p.b) {
		return 0, p.fail("Unexpected end-of-input in character escape sequence")
	}
	v, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, p.fail("Unexpected character in character escape sequence")
	}
	p.i += 4
	return rune(v), nil
}

func (p *parser) number(n *node) error {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	if p.i == digits {
		return p.fail("Unexpected character, expected digit after minus sign")
	}
	isFloat := false
	if p.i < len(p.b) && p.b[p.i] == '.' {
		isFloat = true
		p.i++
		fd := p.i
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
		}
		if p.i == fd {
			return p.fail("Unexpected character: Decimal point not followed by a digit")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		isFloat = true
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		ed := p.i
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
		}
		if p.i == ed {
			return p.fail("Unexpected character: Exponent indicator not followed by a digit")
		}
	}
	if p.i-start > maxNumberLength {
		return p.fail("Number value length (%d) exceeds the maximum allowed (%d)", p.i-start, maxNumberLength)
	}
	if !isFloat && p.i-digits <= 18 {
		// Up to 18 digits always fit in an int64: no string, no strconv.
		var v int64
		for _, d := range p.b[digits:p.i] {
			v = v*10 + int64(d-'0')
		}
		if digits > start {
			v = -v
		}
		*n = node{kind: kindLong, i64: v}
		if v >= math.MinInt32 && v <= math.MaxInt32 {
			n.kind = kindInt
		}
		return nil
	}
	lit := string(p.b[start:p.i])
	if isFloat {
		*n = node{kind: kindDecimal, str: lit}
		return nil
	}
	v, err := strconv.ParseInt(lit, 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			*n = node{kind: kindBigInt, str: lit}
			return nil
		}
		return p.fail("Invalid number")
	}
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		*n = node{kind: kindInt, i64: v}
		return nil
	}
	*n = node{kind: kindLong, i64: v}
	return nil
}

// decimal returns the node's value as Java's JsonNode.decimalValue: exact, with the
// scale of the literal for floats ("1.50" has scale 2, "1e3" scale -3).
func (n *node) decimal() (unscaled *big.Int, scale int32, ok bool) {
	switch n.kind {
	case kindInt, kindLong:
		return big.NewInt(n.i64), 0, true
	case kindBigInt:
		u, ok := new(big.Int).SetString(n.str, 10)
		return u, 0, ok
	case kindDecimal:
		d, err := data.ParseBigDecimal(n.str)
		if err != nil {
			return nil, 0, false
		}
		return d.Unscaled, d.Scale, true
	}
	return big.NewInt(0), 0, true
}

// bigIntValue is the node's value truncated to an integer (Java's
// BigDecimal.toBigInteger for floats).
func (n *node) bigIntValue() *big.Int {
	u, scale, ok := n.decimal()
	if !ok {
		return new(big.Int)
	}
	if scale == 0 {
		return u
	}
	if scale > 0 {
		if scale > 4000 {
			return new(big.Int)
		}
		return u.Quo(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	}
	// A negative scale multiplies by 10^-scale; with 64 or more factors of two the
	// low 64 bits that longValue keeps are all zero.
	if -scale >= 64 {
		return new(big.Int)
	}
	return u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-scale)), nil))
}

// longValue is Java's JsonNode.longValue: the low 64 bits of the integer part for
// numbers, 0 for anything else.
func (n *node) longValue() int64 {
	switch n.kind {
	case kindInt, kindLong:
		return n.i64
	case kindBigInt, kindDecimal:
		return lowBits(n.bigIntValue())
	}
	return 0
}

// lowBits is Java's BigInteger.longValue: the low 64 bits in two's complement.
func lowBits(v *big.Int) int64 {
	m := new(big.Int).And(v, new(big.Int).SetUint64(math.MaxUint64))
	return int64(m.Uint64())
}

// doubleValue is Java's JsonNode.doubleValue (correctly rounded; 0 for non-numbers).
func (n *node) doubleValue() float64 {
	switch n.kind {
	case kindInt, kindLong:
		return float64(n.i64)
	case kindBigInt, kindDecimal:
		f, _ := strconv.ParseFloat(n.str, 64) // ±Inf on overflow, as BigDecimal.doubleValue
		if f == 0 {
			return 0 // BigDecimal has no negative zero
		}
		return f
	}
	return 0
}

// floatValue is Java's JsonNode.floatValue.
func (n *node) floatValue() float32 {
	switch n.kind {
	case kindInt, kindLong:
		return float32(n.i64)
	case kindBigInt, kindDecimal:
		f, _ := strconv.ParseFloat(n.str, 32)
		if f == 0 {
			return 0
		}
		return float32(f)
	}
	return 0
}
