package transform

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
	"github.com/goconnect/goconnect/plugins/transform/javaregex"
)

// Class names of the routing and timestamp transforms.
const (
	TimestampConverterClass = Package + "TimestampConverter"
	TimestampRouterClass    = Package + "TimestampRouter"
	RegexRouterClass        = Package + "RegexRouter"
)

// ---- TimestampConverter ----------------------------------------------------------

// Target types of TimestampConverter.
const (
	tsString    = "string"
	tsUnix      = "unix"
	tsDate      = "Date"
	tsTime      = "Time"
	tsTimestamp = "Timestamp"
)

// TimestampConverter is Java's TimestampConverter: it converts a timestamp field (or
// the whole key/value) between strings, Unix epoch numbers and the Date, Time and
// Timestamp logical types, in UTC.
type TimestampConverter struct {
	nopClose
	side                   Side
	field, target          string
	format                 *javaDateFormat
	precision              string
	replaceNullWithDefault bool
	cache                  schemaCache
}

// NewTimestampConverter returns an unconfigured TimestampConverter.
func NewTimestampConverter(side Side) connect.Transformation { return &TimestampConverter{side: side} }

// Config returns Java's CONFIG_DEF.
func (t *TimestampConverter) Config() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "field", Type: config.String, Default: "", Importance: config.High,
			Doc: "The field containing the timestamp, or empty if the entire value is a timestamp"},
		config.Key{Name: "target.type", Type: config.String, Default: config.NoDefault, Importance: config.High,
			Validator: config.OneOf(tsString, tsUnix, tsDate, tsTime, tsTimestamp),
			Doc:       "The desired timestamp representation: string, unix, Date, Time, or Timestamp"},
		config.Key{Name: "format", Type: config.String, Default: "", Importance: config.Medium,
			Doc: "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string " +
				"or used to parse the input if the input is a string."},
		config.Key{Name: "unix.precision", Type: config.String, Default: "milliseconds", Importance: config.Low,
			Validator: config.OneOf("nanoseconds", "microseconds", "milliseconds", "seconds"),
			Doc: "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. " +
				"Used to generate the output when type=unix or used to parse the input if the input is a Long." +
				"Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components."},
		replaceNullWithDefaultKey,
	)
}

// Configure reads the keys and compiles format.
func (t *TimestampConverter) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.field, t.target = v.String("field"), v.String("target.type")
	t.precision = v.String("unix.precision")
	t.replaceNullWithDefault = v.Bool("replace.null.with.default")
	pattern := v.String("format")
	blank := strings.TrimSpace(pattern) == ""
	if t.target == tsString && blank {
		return configError("format", "TimestampConverter requires format option to be specified when using string timestamps")
	}
	t.format = nil
	if !blank {
		if t.format, err = compileDateFormat(pattern); err != nil {
			// ConfigException(message, cause): Java's two-argument constructor reads
			// them as (name, value).
			return configError("format", "Invalid value java.lang.IllegalArgumentException: "+err.Error()+
				" for configuration TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: "+pattern)
		}
	}
	return nil
}

const tsPurpose = "converting timestamp formats"

// Apply converts the timestamp.
func (t *TimestampConverter) Apply(r *connect.Record) (*connect.Record, error) {
	schema, value := t.side.operating(r)
	if schema == nil {
		if value == nil || t.field == "" {
			nv, err := t.convert(value, "")
			if err != nil {
				return nil, err
			}
			return t.side.newRecord(r, nil, nv), nil
		}
		m, err := requireMap(value, tsPurpose)
		if err != nil {
			return nil, err
		}
		out := copyMap(m)
		if out[t.field], err = t.convert(m[t.field], ""); err != nil {
			return nil, err
		}
		return t.side.newRecord(r, nil, out), nil
	}
	if t.field == "" {
		from, err := typeFromSchema(schema)
		if err != nil {
			return nil, err
		}
		nv, err := t.convert(value, from)
		if err != nil {
			return nil, err
		}
		return t.side.newRecord(r, targetSchema(t.target, schema.Optional), nv), nil
	}
	st, err := requireStructOrNull(value, tsPurpose)
	if err != nil {
		return nil, err
	}
	u := t.cache.get(schema)
	if u == nil {
		u = structBasics(schema)
		for _, f := range schema.Fields {
			fs := f.Schema
			if f.Name == t.field {
				fs = targetSchema(t.target, f.Schema.Optional)
			}
			u.Fields = append(u.Fields, data.Field{Name: f.Name, Index: len(u.Fields), Schema: fs})
		}
		u.Optional = schema.Optional
		if def, ok := schema.Default.(*data.Struct); ok {
			d, err := t.convertStruct(def, u)
			if err != nil {
				return nil, err
			}
			u.Default = d
		}
		t.cache.put(schema, u)
	}
	out, err := t.convertStruct(st, u)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return t.side.newRecord(r, u, nil), nil
	}
	return t.side.newRecord(r, u, out), nil
}

func (t *TimestampConverter) convertStruct(st *data.Struct, u *data.Schema) (*data.Struct, error) {
	if st == nil {
		return nil, nil
	}
	out := data.NewStruct(u)
	for _, f := range st.Schema().Fields {
		v := fieldValue(st, f.Name, t.replaceNullWithDefault)
		if f.Name == t.field {
			from, err := typeFromSchema(f.Schema)
			if err != nil {
				return nil, err
			}
			if v, err = t.convert(v, from); err != nil {
				return nil, err
			}
		}
		if err := out.Put(f.Name, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func targetSchema(target string, optional bool) *data.Schema {
	switch target {
	case tsString:
		if optional {
			return data.OptionalStringSchema
		}
		return data.StringSchema
	case tsUnix:
		if optional {
			return data.OptionalInt64Schema
		}
		return data.Int64Schema
	case tsDate:
		return data.DateSchema(optional)
	case tsTime:
		return data.TimeSchema(optional)
	}
	return data.TimestampSchema(optional)
}

func typeFromSchema(s *data.Schema) (string, error) {
	switch {
	case s.Name == data.TimestampName:
		return tsTimestamp, nil
	case s.Name == data.DateName:
		return tsDate, nil
	case s.Name == data.TimeName:
		return tsTime, nil
	case s.Type == data.TypeString:
		return tsString, nil
	case s.Type == data.TypeInt64:
		return tsUnix, nil
	}
	return "", fmt.Errorf("Schema %s does not correspond to a known timestamp type format", s)
}

// convert is Java's convertTimestamp: to a raw instant with the source translator,
// then to the target representation.
func (t *TimestampConverter) convert(v any, from string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if from == "" {
		switch v.(type) {
		case time.Time:
			from = tsTimestamp
		case int64:
			from = tsUnix
		case string:
			from = tsString
		default:
			return nil, data.Errorf("TimestampConverter does not support %s objects as timestamps", javaClass(v))
		}
	}
	raw, err := t.toRaw(v, from)
	if err != nil {
		return nil, err
	}
	return t.toType(raw), nil
}

func (t *TimestampConverter) toRaw(v any, from string) (time.Time, error) {
	switch from {
	case tsString:
		s, ok := v.(string)
		if !ok {
			return time.Time{}, data.Errorf("Expected string timestamp to be a String, but found %s", javaClass(v))
		}
		tm, err := t.format.parse(s)
		if err != nil {
			return time.Time{}, data.Errorf("Could not parse timestamp: value (%s) does not match pattern (%s)", s, t.format.pattern)
		}
		return tm, nil
	case tsUnix:
		n, ok := v.(int64)
		if !ok {
			return time.Time{}, data.Errorf("Expected Unix timestamp to be a Long, but found %s", javaClass(v))
		}
		var ms int64
		switch t.precision {
		case "seconds":
			ms = saturatingMul(n, 1000)
		case "microseconds":
			ms = n / 1000
		case "nanoseconds":
			ms = n / 1000000
		default:
			ms = n
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	tm, ok := v.(time.Time)
	if !ok {
		return time.Time{}, data.Errorf("Expected %s to be a java.util.Date, but found %s", from, javaClass(v))
	}
	return tm, nil
}

// saturatingMul is TimeUnit's conversion overflow rule: clamp to Long.MIN/MAX.
func saturatingMul(n, by int64) int64 {
	if n > math.MaxInt64/by {
		return math.MaxInt64
	}
	if n < math.MinInt64/by {
		return math.MinInt64
	}
	return n * by
}

func (t *TimestampConverter) toType(raw time.Time) any {
	ms := raw.UnixMilli()
	switch t.target {
	case tsString:
		return t.format.format(raw)
	case tsUnix:
		switch t.precision {
		case "seconds":
			return floorDivIfNeg(ms, 1000)
		case "microseconds":
			return saturatingMul(ms, 1000)
		case "nanoseconds":
			return saturatingMul(ms, 1000000)
		}
		return ms
	case tsDate:
		day := int64(24 * 60 * 60 * 1000)
		return time.UnixMilli(ms - mod(ms, day)).UTC()
	case tsTime:
		day := int64(24 * 60 * 60 * 1000)
		return time.UnixMilli(mod(ms, day)).UTC()
	}
	return time.UnixMilli(ms).UTC()
}

// floorDivIfNeg is TimeUnit.MILLISECONDS.toSeconds: a truncating division.
func floorDivIfNeg(ms, by int64) int64 { return ms / by }

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// ---- TimestampRouter -------------------------------------------------------------

// TimestampRouter is Java's TimestampRouter: the topic becomes topic.format with
// ${topic} and ${timestamp} replaced.
type TimestampRouter struct {
	nopClose
	topicFormat string
	format      *javaDateFormat
}

// NewTimestampRouter returns an unconfigured TimestampRouter.
func NewTimestampRouter() connect.Transformation { return &TimestampRouter{} }

// Config returns Java's CONFIG_DEF.
func (t *TimestampRouter) Config() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "topic.format", Type: config.String, Default: "${topic}-${timestamp}", Importance: config.High,
			Doc: "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively."},
		config.Key{Name: "timestamp.format", Type: config.String, Default: "yyyyMMdd", Importance: config.High,
			Doc: "Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>."},
	)
}

// Configure reads the formats. Java only finds a bad timestamp.format when the first
// record arrives; goconnect reports it at configuration time.
func (t *TimestampRouter) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.topicFormat = v.String("topic.format")
	if t.format, err = compileDateFormat(v.String("timestamp.format")); err != nil {
		return invalidConfig("timestamp.format", v.String("timestamp.format"), err.Error())
	}
	return nil
}

// Apply rewrites the topic.
func (t *TimestampRouter) Apply(r *connect.Record) (*connect.Record, error) {
	if r.Timestamp.IsZero() {
		return nil, data.Errorf("Timestamp missing on record: %s", recordString(r))
	}
	ts := t.format.format(r.Timestamp)
	topic := strings.ReplaceAll(t.topicFormat, "${topic}", r.Topic)
	topic = strings.ReplaceAll(topic, "${timestamp}", ts)
	c := r.Clone()
	c.Topic = topic
	return c, nil
}

// recordString is a short rendering of the record for error messages (Java prints
// the record's toString).
func recordString(r *connect.Record) string {
	return fmt.Sprintf("record{topic='%s', kafkaPartition=%d}", r.Topic, r.Partition)
}

// ---- RegexRouter -----------------------------------------------------------------

// RegexRouter is Java's RegexRouter: when the whole topic matches regex, the topic
// becomes Matcher.replaceFirst(replacement).
type RegexRouter struct {
	nopClose
	regex       *javaregex.Regexp
	replacement string
}

// NewRegexRouter returns an unconfigured RegexRouter.
func NewRegexRouter() connect.Transformation { return &RegexRouter{} }

// javaRegexValidator is the transforms' RegexValidator, over the Java-to-RE2
// translation.
var javaRegexValidator config.Validator = config.ValidatorFunc(func(name string, v any) error {
	s, _ := v.(string)
	if _, err := javaregex.Compile(s); err != nil {
		return invalidConfig(name, s, "Invalid regex: "+err.Error())
	}
	return nil
})

// Config returns Java's CONFIG_DEF.
func (t *RegexRouter) Config() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "regex", Type: config.String, Default: config.NoDefault, Validator: javaRegexValidator, Importance: config.High,
			Doc: "Regular expression to use for matching."},
		config.Key{Name: "replacement", Type: config.String, Default: config.NoDefault, Importance: config.High,
			Doc: "Replacement string."},
	)
}

// Configure compiles regex.
func (t *RegexRouter) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	if t.regex, err = javaregex.Compile(v.String("regex")); err != nil {
		return invalidConfig("regex", v.String("regex"), "Invalid regex: "+err.Error())
	}
	t.replacement = v.String("replacement")
	return nil
}

// Apply reroutes a matching topic.
func (t *RegexRouter) Apply(r *connect.Record) (*connect.Record, error) {
	if !t.regex.Matches(r.Topic) {
		return r, nil
	}
	topic, err := t.regex.ReplaceFirst(r.Topic, t.replacement)
	if err != nil {
		return nil, err
	}
	c := r.Clone()
	c.Topic = topic
	return c, nil
}
