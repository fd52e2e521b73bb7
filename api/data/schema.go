package data

import (
	"fmt"
	"maps"
	"strings"
)

// Type is a Connect schema type.
type Type int

// The Connect schema types, as in Java's Schema.Type.
const (
	TypeInt8 Type = iota + 1
	TypeInt16
	TypeInt32
	TypeInt64
	TypeFloat32
	TypeFloat64
	TypeBoolean
	TypeString
	TypeBytes
	TypeArray
	TypeMap
	TypeStruct
)

var typeNames = [...]string{"", "INT8", "INT16", "INT32", "INT64", "FLOAT32", "FLOAT64", "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP", "STRUCT"}

// String returns Java's enum name (INT8, ..., STRUCT).
func (t Type) String() string {
	if t <= 0 || int(t) >= len(typeNames) {
		return fmt.Sprintf("Type(%d)", int(t))
	}
	return typeNames[t]
}

// IsPrimitive reports whether t is neither ARRAY, MAP nor STRUCT.
func (t Type) IsPrimitive() bool { return t >= TypeInt8 && t <= TypeBytes }

// ParseType maps a Java enum name (case-insensitive) to a Type.
func ParseType(s string) (Type, bool) {
	for i := 1; i < len(typeNames); i++ {
		if strings.EqualFold(typeNames[i], s) {
			return Type(i), true
		}
	}
	return 0, false
}

// Schema describes the shape of a key, value or header. A nil *Schema means
// "no schema" (schemaless data). Build schemas with struct literals or SchemaBuilder
// helpers; once in use a Schema must not be modified.
type Schema struct {
	Type     Type
	Optional bool
	// Default is the default value, of the Go kind of Type; nil means no default.
	Default any
	// Name is the fully qualified schema name; logical types are named schemas.
	Name string
	// Version is the schema version; nil means unset (Java's null).
	Version *int32
	// Doc is the documentation; nil means unset.
	Doc *string
	// Parameters are string parameters (Decimal uses "scale"); nil means unset.
	Parameters map[string]string
	// Fields of a STRUCT, in order.
	Fields []Field
	// KeySchema of a MAP.
	KeySchema *Schema
	// ValueSchema of a MAP or the element schema of an ARRAY.
	ValueSchema *Schema
}

// Field is a named field of a STRUCT schema.
type Field struct {
	Name   string
	Index  int
	Schema *Schema
}

// Field returns the struct field called name, or nil.
func (s *Schema) Field(name string) *Field {
	if s == nil {
		return nil
	}
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}

// Equal reports whether two schemas are equal in every attribute, as Java's
// ConnectSchema.equals.
func (s *Schema) Equal(o *Schema) bool {
	if s == o {
		return true
	}
	if s == nil || o == nil {
		return false
	}
	if s.Type != o.Type || s.Optional != o.Optional || s.Name != o.Name ||
		!eqPtr(s.Version, o.Version) || !eqPtr(s.Doc, o.Doc) || !maps.Equal(s.Parameters, o.Parameters) ||
		!Equal(s.Default, o.Default) || len(s.Fields) != len(o.Fields) ||
		!s.KeySchema.Equal(o.KeySchema) || !s.ValueSchema.Equal(o.ValueSchema) {
		return false
	}
	for i := range s.Fields {
		if s.Fields[i].Name != o.Fields[i].Name || !s.Fields[i].Schema.Equal(o.Fields[i].Schema) {
			return false
		}
	}
	return true
}

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// String renders the schema as Java's ConnectSchema.toString does:
// "Schema{NAME:TYPE}" for named schemas, "Schema{TYPE}" otherwise.
func (s *Schema) String() string {
	if s == nil {
		return "null"
	}
	if s.Name != "" {
		return "Schema{" + s.Name + ":" + s.Type.String() + "}"
	}
	return "Schema{" + s.Type.String() + "}"
}

// Copy returns a shallow copy with its own Parameters and Fields slices, to derive a
// modified schema (for example in a transformation) without touching the original.
func (s *Schema) Copy() *Schema {
	if s == nil {
		return nil
	}
	c := *s
	c.Parameters = maps.Clone(s.Parameters)
	if s.Fields != nil {
		c.Fields = append([]Field(nil), s.Fields...)
	}
	return &c
}

// WithOptional returns a copy of s with Optional set.
func (s *Schema) WithOptional() *Schema {
	c := s.Copy()
	c.Optional = true
	return c
}

// Int32Ptr and StringPtr help build Version and Doc.
func Int32Ptr(v int32) *int32 { return &v }

// StringPtr returns a pointer to s.
func StringPtr(s string) *string { return &s }

// NewStructSchema builds a STRUCT schema with the given fields, numbering them.
func NewStructSchema(name string, optional bool, fields ...Field) *Schema {
	for i := range fields {
		fields[i].Index = i
	}
	return &Schema{Type: TypeStruct, Name: name, Optional: optional, Fields: fields}
}

// NewArraySchema builds an ARRAY schema of elem.
func NewArraySchema(elem *Schema, optional bool) *Schema {
	return &Schema{Type: TypeArray, ValueSchema: elem, Optional: optional}
}

// NewMapSchema builds a MAP schema.
func NewMapSchema(key, value *Schema, optional bool) *Schema {
	return &Schema{Type: TypeMap, KeySchema: key, ValueSchema: value, Optional: optional}
}

// The predefined primitive schemas, as Java's Schema.INT8_SCHEMA ... They are
// shared: never modify them.
var (
	Int8Schema            = &Schema{Type: TypeInt8}
	Int16Schema           = &Schema{Type: TypeInt16}
	Int32Schema           = &Schema{Type: TypeInt32}
	Int64Schema           = &Schema{Type: TypeInt64}
	Float32Schema         = &Schema{Type: TypeFloat32}
	Float64Schema         = &Schema{Type: TypeFloat64}
	BooleanSchema         = &Schema{Type: TypeBoolean}
	StringSchema          = &Schema{Type: TypeString}
	BytesSchema           = &Schema{Type: TypeBytes}
	OptionalInt8Schema    = &Schema{Type: TypeInt8, Optional: true}
	OptionalInt16Schema   = &Schema{Type: TypeInt16, Optional: true}
	OptionalInt32Schema   = &Schema{Type: TypeInt32, Optional: true}
	OptionalInt64Schema   = &Schema{Type: TypeInt64, Optional: true}
	OptionalFloat32Schema = &Schema{Type: TypeFloat32, Optional: true}
	OptionalFloat64Schema = &Schema{Type: TypeFloat64, Optional: true}
	OptionalBooleanSchema = &Schema{Type: TypeBoolean, Optional: true}
	OptionalStringSchema  = &Schema{Type: TypeString, Optional: true}
	OptionalBytesSchema   = &Schema{Type: TypeBytes, Optional: true}
)

// SchemaTypeOf is Java's ConnectSchema.schemaType(value.getClass()): the schema type
// of a schemaless value of the data model, 0 for values Connect has no type for
// (nil, and Decimal and time.Time, which are logical values unknown without a
// schema).
func SchemaTypeOf(v any) Type {
	switch v.(type) {
	case int8:
		return TypeInt8
	case int16:
		return TypeInt16
	case int32:
		return TypeInt32
	case int64:
		return TypeInt64
	case float32:
		return TypeFloat32
	case float64:
		return TypeFloat64
	case bool:
		return TypeBoolean
	case string:
		return TypeString
	case []byte:
		return TypeBytes
	case []any:
		return TypeArray
	case map[string]any, map[any]any:
		return TypeMap
	case *Struct:
		return TypeStruct
	}
	return 0
}
