package transform

import (
	"encoding/base64"
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// CastClass is the Java class name of Cast (add Side.ClassSuffix).
const CastClass = Package + "Cast"

const castPurpose = "cast types"

// castOutputTypes and castInputTypes are Java's SUPPORTED_CAST_*_TYPES, in EnumSet
// order (which error messages print).
var (
	castOutputTypes = []data.Type{data.TypeInt8, data.TypeInt16, data.TypeInt32, data.TypeInt64, data.TypeFloat32, data.TypeFloat64, data.TypeBoolean, data.TypeString}
	castInputTypes  = append(append([]data.Type(nil), castOutputTypes...), data.TypeBytes)
)

func typeSet(ts []data.Type) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func castConfig() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "spec", Type: config.List, Default: config.NoDefault, Importance: config.High,
			Validator: config.ValidatorFunc(func(name string, v any) error {
				l, _ := v.([]string)
				if len(l) == 0 {
					return configError(name, "Must specify at least one field to cast.")
				}
				_, _, err := parseCastSpec(l)
				return err
			}),
			Doc: "List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of " +
				"Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, " +
				"int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string."},
		replaceNullWithDefaultKey,
	)
}

// parseCastSpec is Java's parseFieldTypes: field casts, or one whole-value cast.
func parseCastSpec(mappings []string) (map[string]data.Type, data.Type, error) {
	casts := map[string]data.Type{}
	var whole data.Type
	for _, m := range mappings {
		parts := splitColon(m)
		if len(parts) > 2 {
			// Java reports this under ReplaceField's key, a copy-paste it kept.
			return nil, 0, invalidConfig("renames", mappings, "Invalid rename mapping: "+m)
		}
		typeName := ""
		if len(parts) == 1 {
			typeName = strings.TrimSpace(parts[0])
		} else if len(parts) == 2 {
			typeName = strings.TrimSpace(parts[1])
		}
		t, ok := data.ParseType(typeName)
		if !ok || len(parts) == 0 {
			// Java passes its message as the key name and the enum lookup failure as
			// the value of ConfigException(name, value), hence the odd shape.
			return nil, 0, configError("spec", "Invalid value java.lang.IllegalArgumentException: No enum constant org.apache.kafka.connect.data.Schema.Type."+
				strings.ToUpper(typeName)+" for configuration Invalid type found in casting spec: "+typeName)
		}
		if !isCastOutput(t) {
			return nil, 0, configError("spec", "Cast transformation does not support casting to "+t.String()+"; supported types are "+typeSet(castOutputTypes))
		}
		if len(parts) == 1 {
			whole = t
		} else {
			casts[strings.TrimSpace(parts[0])] = t
		}
	}
	if whole != 0 && len(mappings) > 1 {
		return nil, 0, configError("spec", "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec")
	}
	return casts, whole, nil
}

func isCastOutput(t data.Type) bool {
	for _, o := range castOutputTypes {
		if o == t {
			return true
		}
	}
	return false
}

// Cast is Java's Cast: it casts fields, or the whole key or value, to another
// primitive type.
type Cast struct {
	nopClose
	side                   Side
	casts                  map[string]data.Type
	whole                  data.Type
	replaceNullWithDefault bool
	cache                  schemaCache
}

// NewCast returns an unconfigured Cast for one side.
func NewCast(side Side) connect.Transformation { return &Cast{side: side} }

// Config returns Java's CONFIG_DEF.
func (c *Cast) Config() *config.Def { return castConfig() }

// Configure parses spec.
func (c *Cast) Configure(props map[string]string) error {
	v, err := c.Config().Parse(props)
	if err != nil {
		return err
	}
	c.casts, c.whole, err = parseCastSpec(v.List("spec"))
	if err != nil {
		return err
	}
	c.replaceNullWithDefault = v.Bool("replace.null.with.default")
	return nil
}

// Apply casts the operating side.
func (c *Cast) Apply(r *connect.Record) (*connect.Record, error) {
	schema, value := c.side.operating(r)
	if value == nil {
		return r, nil
	}
	if schema == nil {
		if c.whole != 0 {
			nv, err := castValue(nil, value, c.whole)
			if err != nil {
				return nil, err
			}
			return c.side.newRecord(r, nil, nv), nil
		}
		m, err := requireMap(value, castPurpose)
		if err != nil {
			return nil, err
		}
		out := copyMap(m)
		for f, t := range c.casts {
			nv, err := castValue(nil, m[f], t)
			if err != nil {
				return nil, err
			}
			out[f] = nv
		}
		return c.side.newRecord(r, nil, out), nil
	}
	updated, err := c.updatedSchema(schema)
	if err != nil {
		return nil, err
	}
	if c.whole != 0 {
		nv, err := castValue(schema, value, c.whole)
		if err != nil {
			return nil, err
		}
		return c.side.newRecord(r, updated, nv), nil
	}
	st, err := requireStruct(value, castPurpose)
	if err != nil {
		return nil, err
	}
	out := data.NewStruct(updated)
	for _, f := range st.Schema().Fields {
		orig := fieldValue(st, f.Name, c.replaceNullWithDefault)
		nv := orig
		if t, ok := c.casts[f.Name]; ok {
			if nv, err = castValue(f.Schema, orig, t); err != nil {
				return nil, err
			}
		}
		if err := out.Put(f.Name, nv); err != nil {
			return nil, err
		}
	}
	return c.side.newRecord(r, updated, out), nil
}

func (c *Cast) updatedSchema(s *data.Schema) (*data.Schema, error) {
	if u := c.cache.get(s); u != nil {
		return u, nil
	}
	var b *data.Schema
	if c.whole != 0 {
		b = copyBasics(s, &data.Schema{Type: c.whole})
	} else {
		b = structBasics(s)
		for _, f := range s.Fields {
			t, ok := c.casts[f.Name]
			if !ok {
				b.Fields = append(b.Fields, data.Field{Name: f.Name, Index: len(b.Fields), Schema: f.Schema})
				continue
			}
			fs := &data.Schema{Type: t, Optional: f.Schema.Optional}
			if f.Schema.Default != nil {
				d, err := castValue(f.Schema, f.Schema.Default, t)
				if err != nil {
					return nil, err
				}
				fs.Default = d
			}
			b.Fields = append(b.Fields, data.Field{Name: f.Name, Index: len(b.Fields), Schema: fs})
		}
	}
	b.Optional = s.Optional
	if s.Default != nil {
		d, err := castValue(s, s.Default, b.Type)
		if err != nil {
			return nil, err
		}
		b.Default = d
	}
	c.cache.put(s, b)
	return b, nil
}

// errNumberFormat stands for Java's NumberFormatException, which Cast reports as
// "out of range".
var errNumberFormat = errors.New("number format")

// castValue is Java's castValueToType.
func castValue(schema *data.Schema, v any, target data.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	var in data.Type
	if schema == nil {
		in = data.SchemaTypeOf(v)
		if in == 0 {
			return nil, data.Errorf("Cast transformation was passed a value of type %s which is not supported by Connect's data API", javaClass(v))
		}
	} else {
		in = schema.Type
	}
	supported := false
	for _, t := range castInputTypes {
		supported = supported || t == in
	}
	if !supported {
		return nil, data.Errorf("Cast transformation does not support casting from %s; supported types are %s", in, typeSet(castInputTypes))
	}
	orig := v
	if schema != nil && schema.Name != "" && target != data.TypeString {
		if t, ok := v.(time.Time); ok {
			switch schema.Name {
			case data.DateName:
				d, err := data.DateToDays(t)
				if err != nil {
					return nil, err
				}
				v = d
			case data.TimeName:
				ms, err := data.TimeToMillis(t)
				if err != nil {
					return nil, err
				}
				v = ms
			case data.TimestampName:
				v = t.UnixMilli()
			}
		}
	}
	out, err := castTo(v, target)
	if errors.Is(err, errNumberFormat) {
		return nil, data.Errorf("Value (%s) was out of range for requested data type", data.JavaString(orig))
	}
	return out, err
}

// number is a Java Number: integers, floats and BigDecimal.
type number struct {
	isInt bool
	i     int64
	f     float64
	dec   *data.Decimal
}

func asNumber(v any) (number, bool) {
	switch x := v.(type) {
	case int8:
		return number{isInt: true, i: int64(x)}, true
	case int16:
		return number{isInt: true, i: int64(x)}, true
	case int32:
		return number{isInt: true, i: int64(x)}, true
	case int64:
		return number{isInt: true, i: x}, true
	case float32:
		return number{f: float64(x)}, true
	case float64:
		return number{f: x}, true
	case data.Decimal:
		return number{dec: &x}, true
	}
	return number{}, false
}

// javaD2I and javaD2L are Java's saturating (int)/(long) casts of a double.
func javaD2I(f float64) int32 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return int32(f)
}

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

// decInt is BigDecimal.toBigInteger: the value truncated toward zero.
func decInt(d *data.Decimal) *big.Int {
	r := d.Rat()
	q := new(big.Int).Quo(r.Num(), r.Denom())
	return q
}

// low64 is BigInteger.longValue: the low 64 bits in two's complement.
func low64(b *big.Int) int64 {
	m := new(big.Int).And(b, new(big.Int).SetUint64(math.MaxUint64))
	return int64(m.Uint64())
}

func (n number) longValue() int64 {
	switch {
	case n.isInt:
		return n.i
	case n.dec != nil:
		return low64(decInt(n.dec))
	}
	return javaD2L(n.f)
}

// intValue is Number.intValue; byteValue and shortValue narrow it further.
func (n number) intValue() int32 {
	switch {
	case n.isInt:
		return int32(n.i)
	case n.dec != nil:
		return int32(low64(decInt(n.dec)))
	}
	return javaD2I(n.f)
}

func (n number) doubleValue() float64 {
	switch {
	case n.isInt:
		return float64(n.i)
	case n.dec != nil:
		f, _ := n.dec.Rat().Float64()
		return f
	}
	return n.f
}

func (n number) floatValue() float32 {
	switch {
	case n.isInt:
		return float32(n.i)
	case n.dec != nil:
		f, _ := n.dec.Rat().Float32()
		return f
	}
	return float32(n.f)
}

func castTo(v any, target data.Type) (any, error) {
	if target == data.TypeString {
		return castToString(v), nil
	}
	if n, ok := asNumber(v); ok {
		switch target {
		case data.TypeInt8:
			return int8(n.intValue()), nil
		case data.TypeInt16:
			return int16(n.intValue()), nil
		case data.TypeInt32:
			return n.intValue(), nil
		case data.TypeInt64:
			return n.longValue(), nil
		case data.TypeFloat32:
			return n.floatValue(), nil
		case data.TypeFloat64:
			return n.doubleValue(), nil
		case data.TypeBoolean:
			return n.longValue() != 0, nil
		}
	}
	if b, ok := v.(bool); ok {
		var i int64
		if b {
			i = 1
		}
		switch target {
		case data.TypeInt8:
			return int8(i), nil
		case data.TypeInt16:
			return int16(i), nil
		case data.TypeInt32:
			return int32(i), nil
		case data.TypeInt64:
			return i, nil
		case data.TypeFloat32:
			return float32(i), nil
		case data.TypeFloat64:
			return float64(i), nil
		case data.TypeBoolean:
			return b, nil
		}
	}
	if s, ok := v.(string); ok {
		switch target {
		case data.TypeInt8:
			n, err := parseJavaInt(s, 8)
			return int8(n), err
		case data.TypeInt16:
			n, err := parseJavaInt(s, 16)
			return int16(n), err
		case data.TypeInt32:
			n, err := parseJavaInt(s, 32)
			return int32(n), err
		case data.TypeInt64:
			return parseJavaInt(s, 64)
		case data.TypeFloat32:
			f, err := parseJavaFloat(s, 32)
			return float32(f), err
		case data.TypeFloat64:
			return parseJavaFloat(s, 64)
		case data.TypeBoolean:
			return strings.EqualFold(s, "true"), nil
		}
	}
	return nil, data.Errorf("Unexpected type in Cast transformation: %s", javaClass(v))
}

// parseJavaInt is Integer.parseInt and friends: an optional sign and decimal digits,
// no surrounding space.
func parseJavaInt(s string, bits int) (int64, error) {
	if strings.HasPrefix(s, "+") && strings.HasPrefix(s[1:], "-") || strings.HasPrefix(s, "_") {
		return 0, errNumberFormat
	}
	n, err := strconv.ParseInt(s, 10, bits)
	if err != nil || strings.Contains(s, "_") {
		return 0, errNumberFormat
	}
	return n, nil
}

// parseJavaFloat is Float.parseFloat/Double.parseDouble for the decimal forms
// (Java trims whitespace and accepts a trailing f/F/d/D type suffix).
func parseJavaFloat(s string, bits int) (float64, error) {
	t := strings.TrimSpace(s)
	switch t {
	case "NaN", "+NaN", "-NaN":
		return math.NaN(), nil
	case "Infinity", "+Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	if l := len(t); l > 1 && strings.ContainsRune("fFdD", rune(t[l-1])) {
		t = t[:l-1]
	}
	lower := strings.ToLower(t)
	if strings.Contains(lower, "inf") || strings.Contains(lower, "nan") || strings.Contains(t, "_") ||
		strings.HasPrefix(lower, "0x") || strings.HasPrefix(lower, "-0x") || strings.HasPrefix(lower, "+0x") {
		return 0, errNumberFormat
	}
	f, err := strconv.ParseFloat(t, bits)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return f, nil // Java overflows to Infinity and underflows to 0 silently
		}
		return 0, errNumberFormat
	}
	return f, nil
}

// castToString is Java's castToString: dates in the ISO forms of
// Values.dateFormatFor, bytes as base64, everything else as toString.
func castToString(v any) string {
	switch x := v.(type) {
	case time.Time:
		ms := x.UnixMilli()
		t := x.UTC()
		switch {
		case ms < 24*60*60*1000:
			return t.Format("15:04:05.000Z")
		case ms%(24*60*60*1000) == 0:
			return t.Format("2006-01-02")
		}
		return t.Format("2006-01-02T15:04:05.000Z")
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	}
	return data.JavaString(v)
}
