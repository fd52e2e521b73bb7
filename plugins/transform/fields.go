package transform

import (
	"fmt"
	"strings"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// Class names of the field-level transforms in this file (add Side.ClassSuffix).
const (
	ExtractFieldClass = Package + "ExtractField"
	HoistFieldClass   = Package + "HoistField"
	InsertFieldClass  = Package + "InsertField"
	ReplaceFieldClass = Package + "ReplaceField"
	ValueToKeyClass   = Package + "ValueToKey"
)

// ---- ExtractField ----------------------------------------------------------------

const fieldSyntaxVersionDoc = "Defines the version of the syntax to access fields. " +
	"If set to <code>V1</code>, then the field paths are limited to access the elements at the root level of the struct or map. " +
	"If set to <code>V2</code>, the syntax will support accessing nested elements. " +
	"To access nested elements, dotted notation is used. " +
	"If dots are already included in the field name, " +
	"then backtick pairs can be used to wrap field names containing dots. " +
	"E.g. to access the subfield <code>baz</code> from a field named \"foo.bar\" in a struct/map " +
	"the following format can be used to access its elements: \"<code>foo.bar</code>.baz\"."

var fieldSyntaxVersionKey = config.Key{Name: "field.syntax.version", Type: config.String, Default: "V1",
	Validator: config.OneOfIgnoreCase("V1", "V2"), Importance: config.High, Doc: fieldSyntaxVersionDoc}

// ExtractField is Java's ExtractField: it replaces the key or value with one of its
// fields (a nested one with field.syntax.version=V2).
type ExtractField struct {
	nopClose
	side                   Side
	path                   []string
	original               string
	replaceNullWithDefault bool
}

// NewExtractField returns an unconfigured ExtractField.
func NewExtractField(side Side) connect.Transformation { return &ExtractField{side: side} }

// Config returns Java's CONFIG_DEF.
func (t *ExtractField) Config() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "field", Type: config.String, Default: config.NoDefault, Importance: config.Medium, Doc: "Field name to extract."},
		replaceNullWithDefaultKey,
		fieldSyntaxVersionKey,
	)
}

// Configure parses the field path.
func (t *ExtractField) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.original = v.String("field")
	t.replaceNullWithDefault = v.Bool("replace.null.with.default")
	if strings.EqualFold(v.String("field.syntax.version"), "V2") {
		t.path, err = parseFieldPathV2(t.original)
		return err
	}
	t.path = []string{t.original}
	return nil
}

const extractPurpose = "field extraction"

// Apply extracts the field.
func (t *ExtractField) Apply(r *connect.Record) (*connect.Record, error) {
	schema, value := t.side.operating(r)
	if schema == nil {
		m, err := requireMapOrNull(value, extractPurpose)
		if err != nil {
			return nil, err
		}
		if m == nil {
			return t.side.newRecord(r, nil, nil), nil
		}
		v, err := pathValueFromMap(t.path, m)
		if err != nil {
			return nil, err
		}
		return t.side.newRecord(r, nil, v), nil
	}
	st, err := requireStructOrNull(value, extractPurpose)
	if err != nil {
		return nil, err
	}
	f := pathField(t.path, schema)
	if f == nil {
		return nil, fmt.Errorf("Unknown field: %s", t.original)
	}
	if st == nil {
		return t.side.newRecord(r, f.Schema, nil), nil
	}
	v, err := pathValueFromStruct(t.path, st, t.replaceNullWithDefault)
	if err != nil {
		return nil, err
	}
	return t.side.newRecord(r, f.Schema, v), nil
}

// parseFieldPathV2 is SingleFieldPath.buildFieldPathV2 (KIP-821): dots separate
// steps, backticks quote a step that contains dots, and a backslash before a
// backtick escapes it.
func parseFieldPathV2(path string) ([]string, error) {
	var steps []string
	idx := 0
	for idx < len(path) && idx >= 0 {
		if path[idx] != '`' {
			start := idx
			if i := strings.IndexByte(path[idx:], '.'); i >= 0 {
				idx += i
				steps = append(steps, path[start:idx])
				idx++
			} else {
				steps = append(steps, path[start:])
				idx = -1
			}
			continue
		}
		backtickAt := idx
		idx++
		var field strings.Builder
		start := idx
		for {
			i := strings.IndexByte(path[idx:], '`')
			if i < 0 {
				return nil, incompleteBacktick(path, backtickAt)
			}
			idx += i
			escaped := path[idx-1] == '\\'
			if idx >= len(path)-1 {
				if escaped {
					return nil, incompleteBacktick(path, backtickAt)
				}
				field.WriteString(path[start:idx])
				steps = append(steps, field.String())
				idx++
				break
			}
			if path[idx+1] != '.' {
				idx++
				continue
			}
			if escaped {
				field.WriteString(path[start : idx-1])
				field.WriteByte('`')
				idx++
				start = idx
				continue
			}
			field.WriteString(path[start:idx])
			steps = append(steps, field.String())
			idx += 2
			break
		}
	}
	if path != "" && path[len(path)-1] == '.' {
		steps = append(steps, "")
	}
	if len(steps) == 0 {
		// Java's List.get on an empty path fails later; an empty path names the field "".
		steps = []string{""}
	}
	return steps, nil
}

func incompleteBacktick(path string, at int) error {
	return configError("field", fmt.Sprintf("Incomplete backtick pair in path: [%s], consider adding a backslash before backtick at position %d to escape it", path, at))
}

func pathField(path []string, s *data.Schema) *data.Field {
	cur := s
	for _, step := range path[:len(path)-1] {
		f := cur.Field(step)
		if f == nil {
			return nil
		}
		cur = f.Schema
	}
	return cur.Field(path[len(path)-1])
}

func pathValueFromStruct(path []string, s *data.Struct, withDefault bool) (any, error) {
	cur := s
	for _, step := range path[:len(path)-1] {
		if cur.Schema().Field(step) == nil {
			return nil, nil
		}
		next, err := requireStructOrNull(cur.Get(step), "nested field access")
		if err != nil || next == nil {
			return nil, err
		}
		cur = next
	}
	last := path[len(path)-1]
	if cur.Schema().Field(last) == nil {
		return nil, nil
	}
	return fieldValue(cur, last, withDefault), nil
}

func pathValueFromMap(path []string, m map[string]any) (any, error) {
	cur := m
	for _, step := range path[:len(path)-1] {
		next, err := requireMapOrNull(cur[step], "nested field access")
		if err != nil || next == nil {
			return nil, err
		}
		cur = next
	}
	return cur[path[len(path)-1]], nil
}

// ---- HoistField ------------------------------------------------------------------

// HoistField is Java's HoistField: it wraps the key or value in a single-field
// Struct (with a schema) or Map (schemaless).
type HoistField struct {
	nopClose
	side  Side
	field string
	cache schemaCache
}

// NewHoistField returns an unconfigured HoistField.
func NewHoistField(side Side) connect.Transformation { return &HoistField{side: side} }

// Config returns Java's CONFIG_DEF.
func (t *HoistField) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "field", Type: config.String, Default: config.NoDefault, Importance: config.Medium,
		Doc: "Field name for the single field that will be created in the resulting Struct or Map."})
}

// Configure reads field.
func (t *HoistField) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.field = v.String("field")
	return nil
}

// Apply wraps the operating side.
func (t *HoistField) Apply(r *connect.Record) (*connect.Record, error) {
	schema, value := t.side.operating(r)
	if schema == nil {
		return t.side.newRecord(r, nil, map[string]any{t.field: value}), nil
	}
	u := t.cache.get(schema)
	if u == nil {
		u = data.NewStructSchema("", false, data.Field{Name: t.field, Schema: schema})
		t.cache.put(schema, u)
	}
	st := data.NewStruct(u)
	if err := st.Put(t.field, value); err != nil {
		return nil, err
	}
	return t.side.newRecord(r, u, st), nil
}

// ---- InsertField -----------------------------------------------------------------

const optionalityDoc = "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default)."

type insertionSpec struct {
	name     string
	optional bool
}

func parseInsertionSpec(v *config.Values, key string) *insertionSpec {
	if v.IsNull(key) {
		return nil
	}
	s := v.String(key)
	if n, ok := strings.CutSuffix(s, "?"); ok {
		return &insertionSpec{n, true}
	}
	if n, ok := strings.CutSuffix(s, "!"); ok {
		return &insertionSpec{n, false}
	}
	return &insertionSpec{s, true}
}

// InsertField is Java's InsertField: it adds the record's topic, partition, offset,
// timestamp and/or a static value as fields.
type InsertField struct {
	side                                         Side
	topic, partition, offset, timestamp, static_ *insertionSpec
	staticValue                                  *string
	replaceNullWithDefault                       bool
	cache                                        schemaCache
}

// NewInsertField returns an unconfigured InsertField.
func NewInsertField(side Side) connect.Transformation { return &InsertField{side: side} }

// Config returns Java's CONFIG_DEF.
func (t *InsertField) Config() *config.Def {
	str := func(name, doc string) config.Key {
		return config.Key{Name: name, Type: config.String, Importance: config.Medium, Doc: doc}
	}
	return config.NewDef().Define(
		str("topic.field", "Field name for Kafka topic. "+optionalityDoc),
		str("partition.field", "Field name for Kafka partition. "+optionalityDoc),
		str("offset.field", "Field name for Kafka offset - only applicable to sink connectors.<br/>"+optionalityDoc),
		str("timestamp.field", "Field name for record timestamp. "+optionalityDoc),
		str("static.field", "Field name for static data field. "+optionalityDoc),
		str("static.value", "Static field value, if field name configured."),
		replaceNullWithDefaultKey,
	)
}

// Configure parses the insertion specs.
func (t *InsertField) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.topic = parseInsertionSpec(v, "topic.field")
	t.partition = parseInsertionSpec(v, "partition.field")
	t.offset = parseInsertionSpec(v, "offset.field")
	t.timestamp = parseInsertionSpec(v, "timestamp.field")
	t.static_ = parseInsertionSpec(v, "static.field")
	t.staticValue = nil
	if !v.IsNull("static.value") {
		s := v.String("static.value")
		t.staticValue = &s
	}
	t.replaceNullWithDefault = v.Bool("replace.null.with.default")
	if t.topic == nil && t.partition == nil && t.offset == nil && t.timestamp == nil && t.static_ == nil {
		return configError("", "No field insertion configured")
	}
	if t.static_ != nil && t.staticValue == nil {
		// Java prints the InsertionSpec object itself (no toString): an identity hash.
		return invalidConfig("static.value", nil, "No value specified for static field: "+t.static_.name)
	}
	return nil
}

// Close releases nothing.
func (t *InsertField) Close() error { return nil }

const insertPurpose = "field insertion"

// Apply inserts the configured fields.
func (t *InsertField) Apply(r *connect.Record) (*connect.Record, error) {
	schema, value := t.side.operating(r)
	if value == nil {
		return r, nil
	}
	hasTS := !r.Timestamp.IsZero()
	if schema == nil {
		m, err := requireMap(value, insertPurpose)
		if err != nil {
			return nil, err
		}
		if err := t.requireSink(r); err != nil {
			return nil, err
		}
		out := copyMap(m)
		if t.topic != nil {
			out[t.topic.name] = r.Topic
		}
		if t.partition != nil && r.Partition >= 0 {
			out[t.partition.name] = r.Partition
		}
		if t.offset != nil {
			out[t.offset.name] = r.Offset
		}
		if t.timestamp != nil && hasTS {
			out[t.timestamp.name] = r.Timestamp.UnixMilli()
		}
		if t.static_ != nil && t.staticValue != nil {
			out[t.static_.name] = *t.staticValue
		}
		return t.side.newRecord(r, nil, out), nil
	}
	st, err := requireStruct(value, insertPurpose)
	if err != nil {
		return nil, err
	}
	u := t.cache.get(st.Schema())
	if u == nil {
		if u, err = t.updatedSchema(st.Schema()); err != nil {
			return nil, err
		}
		t.cache.put(st.Schema(), u)
	}
	if err := t.requireSink(r); err != nil {
		return nil, err
	}
	out := data.NewStruct(u)
	put := func(name string, v any) {
		if err == nil {
			err = out.Put(name, v)
		}
	}
	for _, f := range st.Schema().Fields {
		put(f.Name, fieldValue(st, f.Name, t.replaceNullWithDefault))
	}
	if t.topic != nil {
		put(t.topic.name, r.Topic)
	}
	if t.partition != nil && r.Partition >= 0 {
		put(t.partition.name, r.Partition)
	}
	if t.offset != nil {
		put(t.offset.name, r.Offset)
	}
	if t.timestamp != nil && hasTS {
		put(t.timestamp.name, r.Timestamp.UTC())
	}
	if t.static_ != nil && t.staticValue != nil {
		put(t.static_.name, *t.staticValue)
	}
	if err != nil {
		return nil, err
	}
	return t.side.newRecord(r, u, out), nil
}

// requireSink is Requirements.requireSinkRecord for offset.field; the message names
// the record class.
func (t *InsertField) requireSink(r *connect.Record) error {
	if t.offset != nil && !r.Sink() {
		return data.Errorf("Only SinkRecord supported for [%s], found: org.apache.kafka.connect.source.SourceRecord", insertPurpose)
	}
	return nil
}

func (t *InsertField) updatedSchema(s *data.Schema) (*data.Schema, error) {
	b := structBasics(s)
	var err error
	add := func(name string, fs *data.Schema) {
		if err == nil {
			err = addField(b, name, fs)
		}
	}
	for _, f := range s.Fields {
		add(f.Name, f.Schema)
	}
	pick := func(spec *insertionSpec, opt, req *data.Schema) {
		if spec == nil {
			return
		}
		if spec.optional {
			add(spec.name, opt)
		} else {
			add(spec.name, req)
		}
	}
	pick(t.topic, data.OptionalStringSchema, data.StringSchema)
	pick(t.partition, data.OptionalInt32Schema, data.Int32Schema)
	pick(t.offset, data.OptionalInt64Schema, data.Int64Schema)
	pick(t.timestamp, data.TimestampSchema(true), data.TimestampSchema(false))
	pick(t.static_, data.OptionalStringSchema, data.StringSchema)
	return b, err
}

// ---- ReplaceField ----------------------------------------------------------------

// ReplaceField is Java's ReplaceField: it drops, keeps and renames fields.
type ReplaceField struct {
	nopClose
	side                   Side
	exclude, include       map[string]bool
	renames, reverse       map[string]string
	replaceNullWithDefault bool
	cache                  schemaCache
}

// NewReplaceField returns an unconfigured ReplaceField.
func NewReplaceField(side Side) connect.Transformation { return &ReplaceField{side: side} }

// Config returns Java's CONFIG_DEF.
func (t *ReplaceField) Config() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "exclude", Type: config.List, Default: "", Validator: anyNonDuplicateValues(true), Importance: config.Medium,
			Doc: "Fields to exclude. This takes precedence over the fields to include."},
		config.Key{Name: "include", Type: config.List, Default: "", Validator: anyNonDuplicateValues(true), Importance: config.Medium,
			Doc: "Fields to include. If specified, only these fields will be used."},
		config.Key{Name: "renames", Type: config.List, Default: "", Importance: config.Medium, Doc: "Field rename mappings.",
			Validator: config.ValidatorFunc(func(name string, v any) error {
				l, _ := v.([]string)
				_, err := parseRenames(l)
				return err
			})},
		replaceNullWithDefaultKey,
	)
}

func parseRenames(mappings []string) (map[string]string, error) {
	m := map[string]string{}
	for _, s := range mappings {
		parts := splitColon(s)
		if len(parts) != 2 {
			return nil, invalidConfig("renames", mappings, "Invalid rename mapping: "+s)
		}
		m[parts[0]] = parts[1]
	}
	return m, nil
}

func setOf(l []string) map[string]bool {
	m := make(map[string]bool, len(l))
	for _, s := range l {
		m[s] = true
	}
	return m
}

// Configure parses the lists.
func (t *ReplaceField) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.exclude = setOf(distinct(v.List("exclude")))
	t.include = setOf(v.List("include"))
	if t.renames, err = parseRenames(v.List("renames")); err != nil {
		return err
	}
	t.reverse = make(map[string]string, len(t.renames))
	for k, n := range t.renames {
		t.reverse[n] = k
	}
	t.replaceNullWithDefault = v.Bool("replace.null.with.default")
	return nil
}

func (t *ReplaceField) keep(name string) bool {
	return !t.exclude[name] && (len(t.include) == 0 || t.include[name])
}

func (t *ReplaceField) renamed(name string) string {
	if n, ok := t.renames[name]; ok {
		return n
	}
	return name
}

const replacePurpose = "field replacement"

// Apply filters and renames fields.
func (t *ReplaceField) Apply(r *connect.Record) (*connect.Record, error) {
	schema, value := t.side.operating(r)
	if value == nil {
		return r, nil
	}
	if schema == nil {
		m, err := requireMap(value, replacePurpose)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(m))
		// Java iterates its HashMap; when a rename collides with a kept name the
		// last one written wins, so follow Java's iteration order.
		for _, key := range data.JavaMapKeys(m) {
			k := key.(string)
			if t.keep(k) {
				out[t.renamed(k)] = m[k]
			}
		}
		return t.side.newRecord(r, nil, out), nil
	}
	st, err := requireStruct(value, replacePurpose)
	if err != nil {
		return nil, err
	}
	u := t.cache.get(st.Schema())
	if u == nil {
		u = structBasics(st.Schema())
		for _, f := range st.Schema().Fields {
			if t.keep(f.Name) {
				if err := addField(u, t.renamed(f.Name), f.Schema); err != nil {
					return nil, err
				}
			}
		}
		t.cache.put(st.Schema(), u)
	}
	out := data.NewStruct(u)
	for _, f := range u.Fields {
		orig := f.Name
		if o, ok := t.reverse[f.Name]; ok {
			orig = o
		}
		if err := out.Put(f.Name, fieldValue(st, orig, t.replaceNullWithDefault)); err != nil {
			return nil, err
		}
	}
	return t.side.newRecord(r, u, out), nil
}

// ---- ValueToKey ------------------------------------------------------------------

// ValueToKey is Java's ValueToKey: the new key is made of fields of the value.
type ValueToKey struct {
	nopClose
	fields                 []string
	replaceNullWithDefault bool
	cache                  schemaCache
}

// NewValueToKey returns an unconfigured ValueToKey.
func NewValueToKey() connect.Transformation { return &ValueToKey{} }

// Config returns Java's CONFIG_DEF.
func (t *ValueToKey) Config() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "fields", Type: config.List, Default: config.NoDefault, Validator: anyNonDuplicateValues(false), Importance: config.High,
			Doc: "Field names on the record value to extract as the record key."},
		replaceNullWithDefaultKey,
	)
}

// Configure reads fields.
func (t *ValueToKey) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.fields = distinct(v.List("fields"))
	t.replaceNullWithDefault = v.Bool("replace.null.with.default")
	return nil
}

const valueToKeyPurpose = "copying fields from value to key"

// Apply builds the key.
func (t *ValueToKey) Apply(r *connect.Record) (*connect.Record, error) {
	c := r.Clone()
	if r.ValueSchema == nil {
		m, err := requireMap(r.Value, valueToKeyPurpose)
		if err != nil {
			return nil, err
		}
		key := make(map[string]any, len(t.fields))
		for _, f := range t.fields {
			key[f] = m[f]
		}
		c.KeySchema, c.Key = nil, key
		return c, nil
	}
	st, err := requireStruct(r.Value, valueToKeyPurpose)
	if err != nil {
		return nil, err
	}
	ks := t.cache.get(st.Schema())
	if ks == nil {
		ks = &data.Schema{Type: data.TypeStruct}
		for _, f := range t.fields {
			vf := st.Schema().Field(f)
			if vf == nil {
				return nil, data.Errorf("Field does not exist: %s", f)
			}
			if err := addField(ks, f, vf.Schema); err != nil {
				return nil, err
			}
		}
		t.cache.put(st.Schema(), ks)
	}
	key := data.NewStruct(ks)
	for _, f := range t.fields {
		if err := key.Put(f, fieldValue(st, f, t.replaceNullWithDefault)); err != nil {
			return nil, err
		}
	}
	c.KeySchema, c.Key = ks, key
	c.ValueSchema = st.Schema()
	return c, nil
}
