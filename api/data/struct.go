package data

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"time"
)

// ErrData is the sentinel wrapped by every data-model error (Java's DataException).
var ErrData = errors.New("data error")

// Errorf returns an error wrapping ErrData.
func Errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrData, fmt.Sprintf(format, args...))
}

// Struct is a STRUCT value: one value per field of its schema.
type Struct struct {
	schema *Schema
	values []any
}

// NewStruct returns an empty Struct of a STRUCT schema.
func NewStruct(s *Schema) *Struct {
	if s == nil || s.Type != TypeStruct {
		panic("data: NewStruct needs a STRUCT schema")
	}
	return &Struct{schema: s, values: make([]any, len(s.Fields))}
}

// Schema returns the struct's schema.
func (s *Struct) Schema() *Schema { return s.schema }

// Put sets a field after checking the value against the field's schema.
func (s *Struct) Put(name string, v any) error {
	f := s.schema.Field(name)
	if f == nil {
		return Errorf("%s is not a valid field name", name)
	}
	if err := ValidateValue(f.Name, f.Schema, v); err != nil {
		return err
	}
	s.values[f.Index] = v
	return nil
}

// Set is Put that panics on error; for values the caller built to match the schema.
func (s *Struct) Set(name string, v any) *Struct {
	if err := s.Put(name, v); err != nil {
		panic(err)
	}
	return s
}

// Get returns a field's value, or the field schema's default when unset.
func (s *Struct) Get(name string) any {
	f := s.schema.Field(name)
	if f == nil {
		return nil
	}
	if v := s.values[f.Index]; v != nil {
		return v
	}
	return f.Schema.Default
}

// GetWithoutDefault returns a field's value without applying its default.
func (s *Struct) GetWithoutDefault(name string) any {
	f := s.schema.Field(name)
	if f == nil {
		return nil
	}
	return s.values[f.Index]
}

// At returns the value of field i (no default applied).
func (s *Struct) At(i int) any { return s.values[i] }

// Validate checks every field against its schema; required fields without value or
// default fail.
func (s *Struct) Validate() error {
	for i, f := range s.schema.Fields {
		v := s.values[i]
		if v == nil {
			v = f.Schema.Default
		}
		if err := ValidateValue(f.Name, f.Schema, v); err != nil {
			return err
		}
	}
	return nil
}

// Equal reports deep equality of schema and values.
func (s *Struct) Equal(o *Struct) bool {
	if s == nil || o == nil {
		return s == o
	}
	if !s.schema.Equal(o.schema) {
		return false
	}
	for i := range s.values {
		if !Equal(s.values[i], o.values[i]) {
			return false
		}
	}
	return true
}

// String renders the struct as Java's Struct.toString: "Struct{a=1,b=x}" with unset
// (null) fields left out.
func (s *Struct) String() string {
	var b strings.Builder
	b.WriteString("Struct{")
	first := true
	for i, f := range s.schema.Fields {
		v := s.values[i]
		if v == nil {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(f.Name)
		b.WriteByte('=')
		b.WriteString(JavaString(v))
	}
	b.WriteByte('}')
	return b.String()
}

// Decimal is an arbitrary-precision decimal, Java's BigDecimal: Unscaled × 10^-Scale.
type Decimal struct {
	Unscaled *big.Int
	Scale    int32
}

// String renders the decimal as Java's BigDecimal.toString (scientific notation when
// the scale is negative or the adjusted exponent is below -6).
func (d Decimal) String() string {
	u := d.Unscaled
	if u == nil {
		u = new(big.Int)
	}
	coeff := new(big.Int).Abs(u).String()
	neg := u.Sign() < 0
	scale := int64(d.Scale)
	adjusted := -scale + int64(len(coeff)-1)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if scale >= 0 && adjusted >= -6 {
		if scale == 0 {
			b.WriteString(coeff)
			return b.String()
		}
		if int64(len(coeff)) > scale {
			p := int64(len(coeff)) - scale
			b.WriteString(coeff[:p])
			b.WriteByte('.')
			b.WriteString(coeff[p:])
		} else {
			b.WriteString("0.")
			b.WriteString(strings.Repeat("0", int(scale-int64(len(coeff)))))
			b.WriteString(coeff)
		}
		return b.String()
	}
	b.WriteString(coeff[:1])
	if len(coeff) > 1 {
		b.WriteByte('.')
		b.WriteString(coeff[1:])
	}
	b.WriteByte('E')
	if adjusted >= 0 {
		b.WriteByte('+')
	}
	fmt.Fprintf(&b, "%d", adjusted)
	return b.String()
}

// Rat returns the decimal as an exact rational.
func (d Decimal) Rat() *big.Rat {
	r := new(big.Rat).SetInt(d.Unscaled)
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs32(d.Scale))), nil)
	if d.Scale >= 0 {
		return r.Quo(r, new(big.Rat).SetInt(p))
	}
	return r.Mul(r, new(big.Rat).SetInt(p))
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// Equal compares two values of the data model deeply (bytes by content, structs,
// decimals and times by value).
func Equal(a, b any) bool {
	switch av := a.(type) {
	case nil:
		return b == nil
	case []byte:
		bv, ok := b.([]byte)
		return ok && bytes.Equal(av, bv)
	case *Struct:
		bv, ok := b.(*Struct)
		return ok && av.Equal(bv)
	case Decimal:
		bv, ok := b.(Decimal)
		return ok && av.Scale == bv.Scale && av.Unscaled.Cmp(bv.Unscaled) == 0
	case time.Time:
		bv, ok := b.(time.Time)
		return ok && av.Equal(bv)
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !Equal(av[i], bv[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for k, v := range av {
			w, ok := bv[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case map[any]any:
		bv, ok := b.(map[any]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for k, v := range av {
			w, ok := bv[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// ValidateValue checks that v is a legal value for schema s (Java's
// ConnectSchema.validateValue); field names the value in error messages.
func ValidateValue(field string, s *Schema, v any) error {
	if s == nil {
		return nil
	}
	if v == nil {
		if !s.Optional {
			if field == "" {
				return Errorf("Invalid value: null used for required field, schema type: %s", s.Type)
			}
			return Errorf("Invalid value: null used for required field: \"%s\", schema type: %s", field, s.Type)
		}
		return nil
	}
	switch s.Name {
	case DecimalName:
		if _, ok := v.(Decimal); !ok {
			return wrongClass(field, s, v)
		}
		return nil
	case DateName, TimeName, TimestampName:
		if _, ok := v.(time.Time); !ok {
			return wrongClass(field, s, v)
		}
		return nil
	}
	ok := false
	switch s.Type {
	case TypeInt8:
		_, ok = v.(int8)
	case TypeInt16:
		_, ok = v.(int16)
	case TypeInt32:
		_, ok = v.(int32)
	case TypeInt64:
		_, ok = v.(int64)
	case TypeFloat32:
		_, ok = v.(float32)
	case TypeFloat64:
		_, ok = v.(float64)
	case TypeBoolean:
		_, ok = v.(bool)
	case TypeString:
		_, ok = v.(string)
	case TypeBytes:
		_, ok = v.([]byte)
	case TypeArray:
		arr, isArr := v.([]any)
		if !isArr {
			return wrongClass(field, s, v)
		}
		for _, e := range arr {
			if err := ValidateValue(field, s.ValueSchema, e); err != nil {
				return err
			}
		}
		return nil
	case TypeMap:
		var err error
		ok = RangeMap(v, func(k, e any) bool {
			if err = ValidateValue(field, s.KeySchema, k); err != nil {
				return false
			}
			err = ValidateValue(field, s.ValueSchema, e)
			return err == nil
		})
		if !ok {
			return wrongClass(field, s, v)
		}
		return err
	case TypeStruct:
		st, isStruct := v.(*Struct)
		if !isStruct {
			return wrongClass(field, s, v)
		}
		if !st.schema.Equal(s) {
			return Errorf("Struct schemas do not match.")
		}
		return st.Validate()
	}
	if !ok {
		return wrongClass(field, s, v)
	}
	return nil
}

func wrongClass(field string, s *Schema, v any) error {
	if field == "" {
		return Errorf("Invalid Java object for schema %s with type %s: %T", s, s.Type, v)
	}
	return Errorf("Invalid Java object for schema %s with type %s: %T for field: \"%s\"", s, s.Type, v, field)
}

// RangeMap calls fn for every entry of a MAP value (map[string]any or map[any]any) until
// fn returns false. It reports false if v is not a map.
func RangeMap(v any, fn func(k, v any) bool) bool {
	switch m := v.(type) {
	case map[string]any:
		for k, e := range m {
			if !fn(k, e) {
				break
			}
		}
		return true
	case map[any]any:
		for k, e := range m {
			if !fn(k, e) {
				break
			}
		}
		return true
	}
	return false
}
