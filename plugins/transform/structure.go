package transform

import (
	"fmt"
	"math/big"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// Class names of the transforms in this file (add Side.ClassSuffix to the
// field-level ones).
const (
	MaskFieldClass         = Package + "MaskField"
	SetSchemaMetadataClass = Package + "SetSchemaMetadata"
	FlattenClass           = Package + "Flatten"
)

// ---- MaskField -------------------------------------------------------------------

// MaskField is Java's MaskField: it replaces fields with an "empty" value of their
// type, or with a configured replacement.
type MaskField struct {
	nopClose
	side                   Side
	fields                 map[string]bool
	replacement            *string
	replaceNullWithDefault bool
}

// NewMaskField returns an unconfigured MaskField.
func NewMaskField(side Side) connect.Transformation { return &MaskField{side: side} }

// Config returns Java's CONFIG_DEF.
func (t *MaskField) Config() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "fields", Type: config.List, Default: config.NoDefault, Validator: anyNonDuplicateValues(false), Importance: config.High,
			Doc: "Names of fields to mask."},
		config.Key{Name: "replacement", Type: config.String, Validator: config.NonEmptyString, Importance: config.Low,
			Doc: "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only)."},
		replaceNullWithDefaultKey,
	)
}

// Configure reads fields and replacement.
func (t *MaskField) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.fields = setOf(distinct(v.List("fields")))
	t.replacement = nil
	if !v.IsNull("replacement") {
		s := v.String("replacement")
		t.replacement = &s
	}
	t.replaceNullWithDefault = v.Bool("replace.null.with.default")
	return nil
}

const maskPurpose = "mask fields"

// Apply masks the fields.
func (t *MaskField) Apply(r *connect.Record) (*connect.Record, error) {
	schema, value := t.side.operating(r)
	if schema == nil {
		m, err := requireMap(value, maskPurpose)
		if err != nil {
			return nil, err
		}
		out := copyMap(m)
		for f := range t.fields {
			mv, err := t.masked(m[f])
			if err != nil {
				return nil, err
			}
			out[f] = mv
		}
		return t.side.newRecord(r, nil, out), nil
	}
	st, err := requireStruct(value, maskPurpose)
	if err != nil {
		return nil, err
	}
	out := data.NewStruct(st.Schema())
	for _, f := range st.Schema().Fields {
		v := fieldValue(st, f.Name, t.replaceNullWithDefault)
		if t.fields[f.Name] {
			if v, err = t.masked(v); err != nil {
				return nil, err
			}
		}
		if err := out.Put(f.Name, v); err != nil {
			return nil, err
		}
	}
	return t.side.newRecord(r, schema, out), nil
}

func (t *MaskField) masked(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if t.replacement != nil {
		return maskWithReplacement(v, *t.replacement)
	}
	switch v.(type) {
	case bool:
		return false, nil
	case int8:
		return int8(0), nil
	case int16:
		return int16(0), nil
	case int32:
		return int32(0), nil
	case int64:
		return int64(0), nil
	case float32:
		return float32(0), nil
	case float64:
		return float64(0), nil
	case *big.Int:
		return new(big.Int), nil
	case data.Decimal:
		return data.Decimal{Unscaled: new(big.Int)}, nil
	case time.Time:
		return time.UnixMilli(0).UTC(), nil
	case string:
		return "", nil
	case []any:
		return []any{}, nil
	case map[string]any, map[any]any:
		return map[string]any{}, nil
	}
	return nil, data.Errorf("Cannot mask value of type: %s", javaClass(v))
}

// maskWithReplacement is Java's REPLACEMENT_MAPPING_FUNC: numbers go through
// Values.convertTo* (BigDecimal parsing), BigDecimal through new BigDecimal.
func maskWithReplacement(v any, repl string) (any, error) {
	asLong := func() (int64, error) {
		d, err := data.ParseBigDecimal(repl)
		if err != nil {
			return 0, data.Errorf("Unable to convert %s (class java.lang.String) to a number", repl)
		}
		return number{dec: &d}.longValue(), nil
	}
	asDouble := func() (float64, error) {
		d, err := data.ParseBigDecimal(repl)
		if err != nil {
			return 0, data.Errorf("Unable to convert %s (class java.lang.String) to a number", repl)
		}
		return number{dec: &d}.doubleValue(), nil
	}
	switch v.(type) {
	case int8:
		n, err := asLong()
		return int8(n), err
	case int16:
		n, err := asLong()
		return int16(n), err
	case int32:
		n, err := asLong()
		return int32(n), err
	case int64:
		return asLong()
	case float32:
		f, err := asDouble()
		return float32(f), err
	case float64:
		return asDouble()
	case string:
		return repl, nil
	case data.Decimal:
		d, err := data.ParseBigDecimal(repl)
		if err != nil {
			return nil, data.Errorf("Unable to convert %s (class java.lang.String) to number", repl)
		}
		return d, nil
	case *big.Int:
		b, ok := new(big.Int).SetString(repl, 10)
		if !ok {
			return nil, data.Errorf("Unable to convert %s (class java.lang.String) to number", repl)
		}
		return b, nil
	}
	return nil, data.Errorf("Cannot mask value of type %s with custom replacement.", javaClass(v))
}

// ---- SetSchemaMetadata -----------------------------------------------------------

// SetSchemaMetadata is Java's SetSchemaMetadata: it sets the name and/or version of
// the key or value schema.
type SetSchemaMetadata struct {
	nopClose
	side                   Side
	name                   *string
	version                *int32
	replaceNullWithDefault bool
}

// NewSetSchemaMetadata returns an unconfigured SetSchemaMetadata.
func NewSetSchemaMetadata(side Side) connect.Transformation { return &SetSchemaMetadata{side: side} }

// Config returns Java's CONFIG_DEF.
func (t *SetSchemaMetadata) Config() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "schema.name", Type: config.String, Importance: config.High, Doc: "Schema name to set."},
		config.Key{Name: "schema.version", Type: config.Int, Importance: config.High, Doc: "Schema version to set."},
		replaceNullWithDefaultKey,
	)
}

// Configure reads name and version; one of them is required.
func (t *SetSchemaMetadata) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.name, t.version = nil, nil
	if !v.IsNull("schema.name") {
		s := v.String("schema.name")
		t.name = &s
	}
	if !v.IsNull("schema.version") {
		n := v.Int("schema.version")
		t.version = &n
	}
	t.replaceNullWithDefault = v.Bool("replace.null.with.default")
	if t.name == nil && t.version == nil {
		return configError("", "Neither schema name nor version configured")
	}
	return nil
}

// Apply rewrites the schema and rebuilds a struct value with it.
func (t *SetSchemaMetadata) Apply(r *connect.Record) (*connect.Record, error) {
	schema, value := t.side.operating(r)
	if value == nil && schema == nil {
		return r, nil
	}
	if err := requireSchema(schema, "updating schema metadata"); err != nil {
		return nil, err
	}
	if schema.Type != data.TypeStruct {
		// Java copies schema.fields() into the new schema, which throws for anything
		// but a struct.
		return nil, data.Errorf("Cannot list fields on non-struct type")
	}
	u := schema.Copy()
	if t.name != nil {
		u.Name = *t.name
	}
	if t.version != nil {
		u.Version = t.version
	}
	if st, ok := value.(*data.Struct); ok {
		ns := data.NewStruct(u)
		for _, f := range u.Fields {
			if err := ns.Put(f.Name, fieldValue(st, f.Name, t.replaceNullWithDefault)); err != nil {
				return nil, err
			}
		}
		value = ns
	}
	return t.side.newRecord(r, u, value), nil
}

// ---- Flatten ---------------------------------------------------------------------

// Flatten is Java's Flatten: nested structs (or maps) become top-level fields named
// parent<delimiter>child.
type Flatten struct {
	nopClose
	side      Side
	delimiter string
	cache     schemaCache
}

// NewFlatten returns an unconfigured Flatten.
func NewFlatten(side Side) connect.Transformation { return &Flatten{side: side} }

// Config returns Java's CONFIG_DEF.
func (t *Flatten) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "delimiter", Type: config.String, Default: ".", Importance: config.Medium,
		Doc: "Delimiter to insert between field names from the input record when generating field names for the output record"})
}

// Configure reads delimiter.
func (t *Flatten) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.delimiter = v.String("delimiter")
	return nil
}

const flattenPurpose = "flattening"

func (t *Flatten) name(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + t.delimiter + field
}

// Apply flattens the operating side.
func (t *Flatten) Apply(r *connect.Record) (*connect.Record, error) {
	schema, value := t.side.operating(r)
	if value == nil {
		return r, nil
	}
	if schema == nil {
		m, err := requireMap(value, flattenPurpose)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		if err := t.flattenMap(m, "", out); err != nil {
			return nil, err
		}
		return t.side.newRecord(r, nil, out), nil
	}
	st, err := requireStructOrNull(value, flattenPurpose)
	if err != nil {
		return nil, err
	}
	u := t.cache.get(schema)
	if u == nil {
		u = structBasics(schema)
		def, _ := schema.Default.(*data.Struct)
		if err := t.flattenSchema(schema, "", u, schema.Optional, def); err != nil {
			return nil, err
		}
		t.cache.put(schema, u)
	}
	out := data.NewStruct(u)
	if err := t.flattenStruct(st, "", out); err != nil {
		return nil, err
	}
	return t.side.newRecord(r, u, out), nil
}

func (t *Flatten) flattenMap(m map[string]any, prefix string, out map[string]any) error {
	for k, v := range m {
		name := t.name(prefix, k)
		if v == nil {
			out[name] = nil
			continue
		}
		switch typ := data.SchemaTypeOf(v); typ {
		case 0:
			return data.Errorf("Flatten transformation was passed a value of type %s which is not supported by Connect's data API", javaClass(v))
		case data.TypeMap:
			sub, err := requireMap(v, flattenPurpose)
			if err != nil {
				return err
			}
			if err := t.flattenMap(sub, name, out); err != nil {
				return err
			}
		case data.TypeStruct:
			return data.Errorf("Flatten transformation does not support %s for record without schemas (for field %s).", javaClass(v), name)
		default:
			out[name] = v
		}
	}
	return nil
}

func (t *Flatten) flattenSchema(s *data.Schema, prefix string, out *data.Schema, optional bool, parentDefault *data.Struct) error {
	for _, f := range s.Fields {
		name := t.name(prefix, f.Name)
		fieldOptional := optional || f.Schema.Optional
		var def any
		if f.Schema.Default != nil {
			def = f.Schema.Default
		} else if parentDefault != nil {
			def = parentDefault.Get(f.Name)
		}
		switch f.Schema.Type {
		case data.TypeStruct:
			sd, _ := def.(*data.Struct)
			if err := t.flattenSchema(f.Schema, name, out, fieldOptional, sd); err != nil {
				return err
			}
		case data.TypeMap:
			return data.Errorf("Flatten transformation does not support %s for record with schemas (for field %s).", f.Schema.Type, name)
		default:
			fs := copyBasics(f.Schema, &data.Schema{Type: f.Schema.Type})
			if f.Schema.Type == data.TypeArray {
				fs.ValueSchema = f.Schema.ValueSchema
			}
			fs.Optional = fieldOptional
			fs.Default = def
			if err := addField(out, name, fs); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Flatten) flattenStruct(st *data.Struct, prefix string, out *data.Struct) error {
	if st == nil {
		return nil
	}
	for _, f := range st.Schema().Fields {
		name := t.name(prefix, f.Name)
		switch f.Schema.Type {
		case data.TypeStruct:
			sub, _ := st.Get(f.Name).(*data.Struct)
			if err := t.flattenStruct(sub, name, out); err != nil {
				return err
			}
		case data.TypeMap:
			return data.Errorf("Flatten transformation does not support %s for record with schemas (for field %s).", f.Schema.Type, name)
		default:
			if err := out.Put(name, st.Get(f.Name)); err != nil {
				return err
			}
		}
	}
	return nil
}

var _ = fmt.Sprint
