package transform

import (
	"fmt"
	"slices"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// Class names of the header and filter transforms.
const (
	DropHeadersClass  = Package + "DropHeaders"
	InsertHeaderClass = Package + "InsertHeader"
	HeaderFromClass   = Package + "HeaderFrom"
	FilterClass       = Package + "Filter"
)

// ---- Filter ----------------------------------------------------------------------

// Filter is Java's Filter: it drops every record; it is meant to run under a
// predicate.
type Filter struct{ nopClose }

// NewFilter returns a Filter.
func NewFilter() connect.Transformation { return Filter{} }

// Config declares no keys.
func (Filter) Config() *config.Def { return config.NewDef() }

// Configure accepts anything.
func (Filter) Configure(map[string]string) error { return nil }

// Apply drops the record.
func (Filter) Apply(*connect.Record) (*connect.Record, error) { return nil, nil }

// ---- DropHeaders -----------------------------------------------------------------

// DropHeaders is Java's DropHeaders: it removes every header with one of the
// configured names.
type DropHeaders struct {
	nopClose
	names map[string]bool
}

// NewDropHeaders returns an unconfigured DropHeaders.
func NewDropHeaders() connect.Transformation { return &DropHeaders{} }

// Config returns Java's CONFIG_DEF.
func (t *DropHeaders) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "headers", Type: config.List, Default: config.NoDefault,
		Validator: anyNonDuplicateValues(false), Importance: config.High, Doc: "The name of the headers to be removed."})
}

// Configure reads headers.
func (t *DropHeaders) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.names = setOf(v.List("headers"))
	return nil
}

// Apply removes the headers.
func (t *DropHeaders) Apply(r *connect.Record) (*connect.Record, error) {
	c := r.Clone()
	c.Headers = slices.DeleteFunc(c.Headers, func(h connect.Header) bool { return t.names[h.Key] })
	return c, nil
}

// ---- InsertHeader ----------------------------------------------------------------

// InsertHeader is Java's InsertHeader: it adds a header whose schema and value are
// inferred from a literal by Values.parseString.
type InsertHeader struct {
	nopClose
	header string
	schema *data.Schema
	value  any
}

// NewInsertHeader returns an unconfigured InsertHeader.
func NewInsertHeader() connect.Transformation { return &InsertHeader{} }

// Config returns Java's CONFIG_DEF.
func (t *InsertHeader) Config() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "header", Type: config.String, Default: config.NoDefault, Validator: nonNull, Importance: config.High,
			Doc: "The name of the header."},
		config.Key{Name: "value.literal", Type: config.String, Default: config.NoDefault, Validator: nonNull, Importance: config.High,
			Doc: "The literal value that is to be set as the header value on all records."},
	)
}

// Configure parses the literal once.
func (t *InsertHeader) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.header = v.String("header")
	t.schema, t.value, err = data.ParseString(v.String("value.literal"))
	if err != nil {
		return invalidConfig("value.literal", v.String("value.literal"), err.Error())
	}
	return nil
}

// Apply appends the header.
func (t *InsertHeader) Apply(r *connect.Record) (*connect.Record, error) {
	c := r.Clone()
	c.Headers = append(c.Headers, connect.Header{Key: t.header, Schema: t.schema, Value: t.value})
	return c, nil
}

// ---- HeaderFrom ------------------------------------------------------------------

// HeaderFrom is Java's HeaderFrom: it copies or moves fields into headers.
type HeaderFrom struct {
	nopClose
	side                   Side
	fields, headers        []string
	move                   bool
	replaceNullWithDefault bool
	cache                  schemaCache
}

// NewHeaderFrom returns an unconfigured HeaderFrom.
func NewHeaderFrom(side Side) connect.Transformation { return &HeaderFrom{side: side} }

// Config returns Java's CONFIG_DEF.
func (t *HeaderFrom) Config() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "fields", Type: config.List, Default: config.NoDefault, Validator: nonEmptyList, Importance: config.High,
			Doc: "Field names in the record whose values are to be copied or moved to headers."},
		config.Key{Name: "headers", Type: config.List, Default: config.NoDefault, Validator: nonEmptyList, Importance: config.High,
			Doc: "Header names, in the same order as the field names listed in the fields configuration property."},
		config.Key{Name: "operation", Type: config.String, Default: config.NoDefault, Validator: config.OneOf("move", "copy"), Importance: config.High,
			Doc: "Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), " +
				"or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value)."},
		replaceNullWithDefaultKey,
	)
}

// Configure reads the lists, which must have the same length.
func (t *HeaderFrom) Configure(props map[string]string) error {
	v, err := t.Config().Parse(props)
	if err != nil {
		return err
	}
	t.fields, t.headers = v.List("fields"), v.List("headers")
	if len(t.fields) != len(t.headers) {
		return configError("headers", "'fields' config must have the same number of elements as 'headers' config.")
	}
	t.move = v.String("operation") == "move"
	t.replaceNullWithDefault = v.Bool("replace.null.with.default")
	return nil
}

// Apply copies or moves the fields.
func (t *HeaderFrom) Apply(r *connect.Record) (*connect.Record, error) {
	schema, value := t.side.operating(r)
	op := "copy"
	if t.move {
		op = "move"
	}
	purpose := "header " + op
	c := r.Clone()
	if schema == nil {
		m, err := requireMap(value, purpose)
		if err != nil {
			return nil, err
		}
		out := copyMap(m)
		for i, f := range t.fields {
			if t.move {
				delete(out, f)
			}
			c.Headers = append(c.Headers, connect.Header{Key: t.headers[i], Value: m[f]})
		}
		return t.side.newRecord(c, nil, out), nil
	}
	st, err := requireStruct(value, purpose)
	if err != nil {
		return nil, err
	}
	us, uv := schema, st
	if t.move {
		if us = t.cache.get(schema); us == nil {
			us = structBasics(schema)
			for _, f := range schema.Fields {
				if !slices.Contains(t.fields, f.Name) {
					_ = addField(us, f.Name, f.Schema) // names are unique in the input
				}
			}
			t.cache.put(schema, us)
		}
		uv = data.NewStruct(us)
		for _, f := range us.Fields {
			if err := uv.Put(f.Name, fieldValue(st, f.Name, t.replaceNullWithDefault)); err != nil {
				return nil, err
			}
		}
	}
	for i, f := range t.fields {
		sf := schema.Field(f)
		if sf == nil {
			// Java fails with a NullPointerException here.
			return nil, fmt.Errorf("field %q not found in schema for [%s]", f, purpose)
		}
		var fv any
		if st.Schema().Field(f) != nil {
			fv = fieldValue(st, f, t.replaceNullWithDefault)
		}
		c.Headers = append(c.Headers, connect.Header{Key: t.headers[i], Schema: sf.Schema, Value: fv})
	}
	return t.side.newRecord(c, us, uv), nil
}
