// Package config declares configuration as data, the way Java's ConfigDef does: each
// key has a type, default, importance, documentation, group, order, width, display
// name, dependents, recommender and validator. A Def parses string properties into
// typed values (Parse) and validates them key by key (Validate), producing the
// per-key results that the REST endpoint /connector-plugins/{p}/config/validate
// renders. Messages match Java's ConfigDef word for word, because REST clients show
// them to users.
package config

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Type is a config value type, named as Java's ConfigDef.Type.
type Type int

// Config types.
const (
	Boolean Type = iota + 1
	String
	Int
	Short
	Long
	Double
	List
	Class
	Password
)

var typeNames = [...]string{"", "BOOLEAN", "STRING", "INT", "SHORT", "LONG", "DOUBLE", "LIST", "CLASS", "PASSWORD"}

func (t Type) String() string { return typeNames[t] }

// Importance of a config key.
type Importance int

// Importance levels.
const (
	High Importance = iota + 1
	Medium
	Low
)

func (i Importance) String() string { return [...]string{"", "HIGH", "MEDIUM", "LOW"}[i] }

// Width of a config key in a UI.
type Width int

// Widths.
const (
	WidthNone Width = iota
	WidthShort
	WidthMedium
	WidthLong
)

func (w Width) String() string { return [...]string{"NONE", "SHORT", "MEDIUM", "LONG"}[w] }

// NoDefault marks a required key (Java's ConfigDef.NO_DEFAULT_VALUE).
var NoDefault = noDefault{}

type noDefault struct{}

// HiddenPassword is how PASSWORD values are rendered anywhere they are shown.
const HiddenPassword = "[hidden]"

// Secret is the parsed value of a PASSWORD key; its String hides the secret.
type Secret struct{ Value string }

func (p Secret) String() string { return HiddenPassword }

// Validator checks a parsed value; the error message is shown after
// "Invalid value <v> for configuration <name>: ".
type Validator interface {
	Validate(name string, value any) error
}

// ValidatorFunc adapts a function to Validator.
type ValidatorFunc func(name string, value any) error

// Validate calls f.
func (f ValidatorFunc) Validate(name string, value any) error { return f(name, value) }

// Recommender proposes valid values and visibility for a key, given the parsed
// values of all keys (Java's ConfigDef.Recommender).
type Recommender interface {
	ValidValues(name string, parsed map[string]any) []any
	Visible(name string, parsed map[string]any) bool
}

// Key defines one configuration key.
type Key struct {
	Name string
	Type Type
	// Default is the default as a string (as a user would write it) or a typed value,
	// or NoDefault for a required key. A nil Default means "default null".
	Default      any
	Validator    Validator
	Importance   Importance
	Doc          string
	Group        string
	OrderInGroup int
	Width        Width
	DisplayName  string
	Dependents   []string
	Recommender  Recommender
	// Internal keys are parsed but not listed by /config endpoints.
	Internal bool
}

// Required reports whether the key has no default.
func (k *Key) Required() bool { _, ok := k.Default.(noDefault); return ok }

// Def is an ordered set of key definitions.
type Def struct {
	keys  []Key
	index map[string]int
}

// NewDef returns an empty definition.
func NewDef() *Def { return &Def{index: map[string]int{}} }

// Define adds keys; a key with an existing name replaces it (as ConfigDef.define
// would refuse; replacing lets a connector def embed and refine a framework def).
func (d *Def) Define(keys ...Key) *Def {
	for _, k := range keys {
		if k.DisplayName == "" {
			k.DisplayName = k.Name
		}
		if i, ok := d.index[k.Name]; ok {
			d.keys[i] = k
			continue
		}
		d.index[k.Name] = len(d.keys)
		d.keys = append(d.keys, k)
	}
	return d
}

// Merge returns a new Def with d's keys followed by those of o that d lacks.
func (d *Def) Merge(o *Def) *Def {
	n := NewDef()
	n.Define(d.keys...)
	for _, k := range o.keys {
		if _, ok := n.index[k.Name]; !ok {
			n.Define(k)
		}
	}
	return n
}

// Keys returns the keys in definition order.
func (d *Def) Keys() []Key { return d.keys }

// Key returns the key called name.
func (d *Def) Key(name string) (Key, bool) {
	i, ok := d.index[name]
	if !ok {
		return Key{}, false
	}
	return d.keys[i], true
}

// Groups returns the group names in first-appearance order.
func (d *Def) Groups() []string {
	var gs []string
	for _, k := range d.keys {
		if k.Group != "" && !slices.Contains(gs, k.Group) {
			gs = append(gs, k.Group)
		}
	}
	return gs
}

// Error is a config error about one key (Java's ConfigException).
type Error struct {
	Name    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// ErrInvalid is matched by every *Error with errors.Is.
var ErrInvalid = errors.New("invalid configuration")

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

func invalidValue(name string, value any, msg string) *Error {
	m := fmt.Sprintf("Invalid value %s for configuration %s", FormatValue(value), name)
	if msg != "" {
		m += ": " + msg
	}
	return &Error{Name: name, Message: m}
}

// ParseValue parses a raw value (a string or an already typed value) as t, with
// Java's rules and messages.
func ParseValue(name string, t Type, raw any) (any, error) {
	if raw == nil {
		return nil, nil
	}
	s, isString := raw.(string)
	trimmed := strings.TrimSpace(s)
	switch t {
	case Boolean:
		if b, ok := raw.(bool); ok {
			return b, nil
		}
		if isString {
			switch strings.ToLower(trimmed) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
			return nil, invalidValue(name, raw, "Expected value to be either true or false")
		}
	case Password:
		if p, ok := raw.(Secret); ok {
			return p, nil
		}
		if isString {
			return Secret{Value: trimmed}, nil
		}
	case String:
		if isString {
			return trimmed, nil
		}
	case Int, Short, Long:
		bits := map[Type]int{Int: 32, Short: 16, Long: 64}[t]
		switch v := raw.(type) {
		case int:
			return castInt(t, int64(v)), nil
		case int32:
			return castInt(t, int64(v)), nil
		case int64:
			return castInt(t, v), nil
		}
		if isString {
			n, err := strconv.ParseInt(trimmed, 10, bits)
			if err != nil {
				return nil, invalidValue(name, raw, "Not a number of type "+t.String())
			}
			return castInt(t, n), nil
		}
	case Double:
		switch v := raw.(type) {
		case float64:
			return v, nil
		case int:
			return float64(v), nil
		}
		if isString {
			f, err := strconv.ParseFloat(trimmed, 64)
			if err != nil {
				return nil, invalidValue(name, raw, "Not a number of type DOUBLE")
			}
			return f, nil
		}
	case List:
		if l, ok := raw.([]string); ok {
			return l, nil
		}
		if isString {
			if trimmed == "" {
				return []string{}, nil
			}
			parts := strings.Split(trimmed, ",")
			for i := range parts {
				parts[i] = strings.TrimSpace(parts[i])
			}
			return parts, nil
		}
	case Class:
		if isString {
			return trimmed, nil
		}
	}
	return nil, invalidValue(name, raw, fmt.Sprintf("Expected value to be a %s, but it was a %T", strings.ToLower(t.String()), raw))
}

func castInt(t Type, n int64) any {
	switch t {
	case Int:
		return int32(n)
	case Short:
		return int16(n)
	}
	return n
}

// FormatValue renders a parsed value as Java's ConfigDef.convertToString: lists
// comma-joined, passwords hidden, nil as "null".
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case []string:
		return strings.Join(x, ",")
	case Secret:
		return HiddenPassword
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e7 {
			return strconv.FormatFloat(x, 'f', 1, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// DefaultString renders a key's default as /config endpoints show it ("" stays "",
// nil is null, reported by the ok result being false).
func (k *Key) DefaultString() (string, bool) {
	if k.Required() || k.Default == nil {
		return "", false
	}
	v, err := ParseValue(k.Name, k.Type, k.Default)
	if err != nil {
		return fmt.Sprint(k.Default), true
	}
	return FormatValue(v), true
}

// Value is the per-key validation result (Java's ConfigValue).
type Value struct {
	Name              string
	Value             any
	RecommendedValues []any
	Errors            []string
	Visible           bool
}

// Values is a parsed configuration with typed accessors. Accessors panic for keys the
// Def does not define, which is a programming error.
type Values struct {
	def    *Def
	parsed map[string]any
	raw    map[string]string
}

// Parse parses and validates props, failing on the first error (Java's
// AbstractConfig constructor). Use Validate to collect every error.
func (d *Def) Parse(props map[string]string) (*Values, error) {
	parsed := make(map[string]any, len(d.keys))
	for i := range d.keys {
		k := &d.keys[i]
		v, err := d.parseKey(k, props)
		if err != nil {
			return nil, err
		}
		parsed[k.Name] = v
	}
	return &Values{def: d, parsed: parsed, raw: props}, nil
}

func (d *Def) parseKey(k *Key, props map[string]string) (any, error) {
	raw, ok := props[k.Name]
	var v any
	var err error
	switch {
	case ok:
		v, err = ParseValue(k.Name, k.Type, raw)
	case k.Required():
		return nil, &Error{Name: k.Name, Message: fmt.Sprintf("Missing required configuration \"%s\" which has no default value.", k.Name)}
	default:
		v, err = ParseValue(k.Name, k.Type, k.Default)
	}
	if err != nil {
		return nil, err
	}
	if k.Validator != nil {
		if err := k.Validator.Validate(k.Name, v); err != nil {
			var ce *Error
			if errors.As(err, &ce) {
				return nil, ce
			}
			return nil, invalidValue(k.Name, v, err.Error())
		}
	}
	return v, nil
}

// Validate checks every key of props and returns one Value per defined key, in
// definition order, with Java's messages (Java's ConfigDef.validate). Recommended
// values and visibility come from recommenders, evaluated on the parsed values.
func (d *Def) Validate(props map[string]string) []Value {
	parsed := make(map[string]any, len(d.keys))
	out := make([]Value, len(d.keys))
	for i := range d.keys {
		k := &d.keys[i]
		out[i] = Value{Name: k.Name, Visible: true}
		raw, ok := props[k.Name]
		if ok {
			out[i].Value = raw
		}
		v, err := d.parseKey(k, props)
		if err != nil {
			out[i].Errors = append(out[i].Errors, err.Error())
			continue
		}
		parsed[k.Name] = v
		if !ok {
			out[i].Value = v
		}
	}
	for i := range d.keys {
		k := &d.keys[i]
		if k.Recommender != nil {
			out[i].RecommendedValues = k.Recommender.ValidValues(k.Name, parsed)
			out[i].Visible = k.Recommender.Visible(k.Name, parsed)
		}
	}
	return out
}

// Def returns the definition the values were parsed with.
func (v *Values) Def() *Def { return v.def }

// Raw returns the properties as given.
func (v *Values) Raw() map[string]string { return v.raw }

// Get returns a parsed value.
func (v *Values) Get(name string) any {
	p, ok := v.parsed[name]
	if !ok {
		if _, defined := v.def.index[name]; !defined {
			panic("config: undefined key " + name)
		}
	}
	return p
}

// String returns a STRING or CLASS value ("" for null).
func (v *Values) String(name string) string { s, _ := v.Get(name).(string); return s }

// Int returns an INT value.
func (v *Values) Int(name string) int32 { n, _ := v.Get(name).(int32); return n }

// Short returns a SHORT value.
func (v *Values) Short(name string) int16 { n, _ := v.Get(name).(int16); return n }

// Long returns a LONG value.
func (v *Values) Long(name string) int64 { n, _ := v.Get(name).(int64); return n }

// Double returns a DOUBLE value.
func (v *Values) Double(name string) float64 { n, _ := v.Get(name).(float64); return n }

// Bool returns a BOOLEAN value.
func (v *Values) Bool(name string) bool { b, _ := v.Get(name).(bool); return b }

// List returns a LIST value.
func (v *Values) List(name string) []string { l, _ := v.Get(name).([]string); return l }

// Password returns a PASSWORD value in clear.
func (v *Values) Password(name string) string { p, _ := v.Get(name).(Secret); return p.Value }

// IsNull reports whether the parsed value is null.
func (v *Values) IsNull(name string) bool { return v.Get(name) == nil }

// AtLeast is Java's Range.atLeast.
func AtLeast(min int64) Validator {
	return ValidatorFunc(func(name string, v any) error {
		n, ok := toInt64(v)
		if !ok {
			return nil
		}
		if n < min {
			return invalidValue(name, v, fmt.Sprintf("Value must be at least %d", min))
		}
		return nil
	})
}

// Between is Java's Range.between.
func Between(min, max int64) Validator {
	return ValidatorFunc(func(name string, v any) error {
		n, ok := toInt64(v)
		if !ok {
			return nil
		}
		if n < min || n > max {
			return invalidValue(name, v, fmt.Sprintf("Value must be between %d and %d", min, max))
		}
		return nil
	})
}

func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int32:
		return int64(n), true
	case int16:
		return int64(n), true
	case int64:
		return n, true
	}
	return 0, false
}

// NonEmptyString is Java's NonEmptyString validator.
var NonEmptyString Validator = ValidatorFunc(func(name string, v any) error {
	if s, ok := v.(string); ok && s == "" {
		return invalidValue(name, v, "String must be non-empty")
	}
	return nil
})

// OneOf is Java's ValidString.in: the value must be one of the options.
func OneOf(options ...string) Validator {
	return ValidatorFunc(func(name string, v any) error {
		s, _ := v.(string)
		if !slices.Contains(options, s) {
			return invalidValue(name, v, "String must be one of: "+strings.Join(options, ", "))
		}
		return nil
	})
}

// OneOfIgnoreCase is Java's CaseInsensitiveValidString.in.
func OneOfIgnoreCase(options ...string) Validator {
	return ValidatorFunc(func(name string, v any) error {
		s, _ := v.(string)
		for _, o := range options {
			if strings.EqualFold(o, s) {
				return nil
			}
		}
		return invalidValue(name, v, "String must be one of (case insensitive): "+strings.Join(options, ", "))
	})
}

// Regex validates that a STRING value compiles as a regular expression.
var Regex Validator = ValidatorFunc(func(name string, v any) error {
	s, _ := v.(string)
	if _, err := regexp.Compile(s); err != nil {
		return invalidValue(name, v, err.Error())
	}
	return nil
})
