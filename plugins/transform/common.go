package transform

import (
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// Version is what every built-in transform reports: the Apache Kafka release whose
// connect-transforms jar it mirrors.
const Version = "4.3.1"

// Package is the Java package of the built-in transforms.
const Package = "org.apache.kafka.connect.transforms."

// Side says whether a field-level transform works on the record key or value.
type Side int

// The two sides, Java's $Key and $Value inner classes.
const (
	OnKey Side = iota
	OnValue
)

// ClassSuffix is the Java inner class suffix of the side ("$Key" or "$Value").
func (s Side) ClassSuffix() string {
	if s == OnKey {
		return "$Key"
	}
	return "$Value"
}

func (s Side) operating(r *connect.Record) (*data.Schema, any) {
	if s == OnKey {
		return r.KeySchema, r.Key
	}
	return r.ValueSchema, r.Value
}

// newRecord is Java's record.newRecord with the operating side replaced: a copy that
// keeps topic, partition, timestamp, headers and the source/sink coordinates.
func (s Side) newRecord(r *connect.Record, schema *data.Schema, v any) *connect.Record {
	c := r.Clone()
	if s == OnKey {
		c.KeySchema, c.Key = schema, v
	} else {
		c.ValueSchema, c.Value = schema, v
	}
	return c
}

// replaceNullWithDefaultKey is KIP-1040's key, shared by many SMTs.
var replaceNullWithDefaultKey = config.Key{
	Name: "replace.null.with.default", Type: config.Boolean, Default: "true", Importance: config.Medium,
	Doc: "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
}

func fieldValue(s *data.Struct, name string, replaceNullWithDefault bool) any {
	if replaceNullWithDefault {
		return s.Get(name)
	}
	return s.GetWithoutDefault(name)
}

// javaClassName is getClass().getName() of the Java object a value stands for;
// error messages quote it.
func javaClassName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case int8:
		return "java.lang.Byte"
	case int16:
		return "java.lang.Short"
	case int32:
		return "java.lang.Integer"
	case int64:
		return "java.lang.Long"
	case float32:
		return "java.lang.Float"
	case float64:
		return "java.lang.Double"
	case bool:
		return "java.lang.Boolean"
	case string:
		return "java.lang.String"
	case []byte:
		return "[B"
	case []any:
		return "java.util.ArrayList"
	case map[string]any, map[any]any:
		return "java.util.HashMap"
	case *data.Struct:
		return "org.apache.kafka.connect.data.Struct"
	case data.Decimal:
		return "java.math.BigDecimal"
	case *big.Int:
		return "java.math.BigInteger"
	case time.Time:
		return "java.util.Date"
	}
	return fmt.Sprintf("%T", v)
}

// javaClass is String.valueOf(value.getClass()): "class java.lang.String".
func javaClass(v any) string {
	if v == nil {
		return "null"
	}
	return "class " + javaClassName(v)
}

// requireMap is Java's Requirements.requireMap. Maps with non-string keys are
// accepted when every key is a string, as Java's unchecked cast would let them
// through.
func requireMap(v any, purpose string) (map[string]any, error) {
	switch m := v.(type) {
	case map[string]any:
		return m, nil
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, e := range m {
			ks, ok := k.(string)
			if !ok {
				return nil, data.Errorf("Only Map objects with String keys supported in absence of schema for [%s], found key of type %s", purpose, javaClassName(k))
			}
			out[ks] = e
		}
		return out, nil
	}
	return nil, data.Errorf("Only Map objects supported in absence of schema for [%s], found: %s", purpose, javaClassName(v))
}

func requireMapOrNull(v any, purpose string) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	return requireMap(v, purpose)
}

func requireStruct(v any, purpose string) (*data.Struct, error) {
	s, ok := v.(*data.Struct)
	if !ok || s == nil {
		return nil, data.Errorf("Only Struct objects supported for [%s], found: %s", purpose, javaClassName(v))
	}
	return s, nil
}

func requireStructOrNull(v any, purpose string) (*data.Struct, error) {
	if v == nil {
		return nil, nil
	}
	return requireStruct(v, purpose)
}

func requireSchema(s *data.Schema, purpose string) error {
	if s == nil {
		return data.Errorf("Schema required for [%s]", purpose)
	}
	return nil
}

// copyMap is Java's new HashMap<>(value).
func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// structBasics is SchemaUtil.copySchemaBasics(source, SchemaBuilder.struct()): a new
// STRUCT schema with source's name, version, doc and parameters, not optional and
// without default or fields.
func structBasics(source *data.Schema) *data.Schema {
	return copyBasics(source, &data.Schema{Type: data.TypeStruct})
}

// copyBasics copies name, version, doc and parameters of source onto b.
func copyBasics(source, b *data.Schema) *data.Schema {
	b.Name = source.Name
	b.Version = source.Version
	b.Doc = source.Doc
	if source.Parameters != nil {
		b.Parameters = make(map[string]string, len(source.Parameters))
		for k, v := range source.Parameters {
			b.Parameters[k] = v
		}
	}
	return b
}

// addField appends a field to a STRUCT schema under construction, as
// SchemaBuilder.field does (including its duplicate-name check).
func addField(s *data.Schema, name string, fs *data.Schema) error {
	if s.Field(name) != nil {
		return &schemaBuilderError{fmt.Sprintf("Cannot create field because of field name duplication %s", name)}
	}
	s.Fields = append(s.Fields, data.Field{Name: name, Index: len(s.Fields), Schema: fs})
	return nil
}

// schemaBuilderError is Java's SchemaBuilderException.
type schemaBuilderError struct{ msg string }

func (e *schemaBuilderError) Error() string { return e.msg }

// schemaCache caches an updated schema per input schema, as Java's
// SynchronizedCache(LRUCache(16)) does: a transform instance serves one task, but
// the lock keeps a shared instance safe. Lookups try pointer identity first (the
// common case: a converter reuses its schema objects) and then schema equality, as
// Java's map keys compare with equals.
type schemaCache struct {
	mu      sync.Mutex
	entries []cacheEntry
}

type cacheEntry struct{ in, out *data.Schema }

const schemaCacheSize = 16

func (c *schemaCache) get(in *data.Schema) *data.Schema {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.in == in {
			return c.touch(i)
		}
	}
	for i, e := range c.entries {
		if e.in.Equal(in) {
			return c.touch(i)
		}
	}
	return nil
}

// touch moves entry i to the most recently used end.
func (c *schemaCache) touch(i int) *data.Schema {
	e := c.entries[i]
	c.entries = append(append(c.entries[:i], c.entries[i+1:]...), e)
	return e.out
}

func (c *schemaCache) put(in, out *data.Schema) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= schemaCacheSize {
		c.entries = c.entries[1:]
	}
	c.entries = append(c.entries, cacheEntry{in, out})
}

// configError is a ConfigException with a plain message.
func configError(name, msg string) error { return &config.Error{Name: name, Message: msg} }

// invalidConfig is ConfigException(name, value, message).
func invalidConfig(name string, value any, msg string) error {
	return &config.Error{Name: name, Message: fmt.Sprintf("Invalid value %s for configuration %s: %s", javaConfigValue(value), name, msg)}
}

// javaConfigValue renders a parsed config value as Java's toString does in
// ConfigException messages (lists as [a, b]).
func javaConfigValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// nonEmptyList is the transforms' NonEmptyListValidator.
var nonEmptyList config.Validator = config.ValidatorFunc(func(name string, v any) error {
	if l, _ := v.([]string); len(l) == 0 {
		return invalidConfig(name, v, "Empty list")
	}
	return nil
})

// distinct removes repeated entries, keeping the first: Java's ConfigDef.parse does
// this (with a warning) for every key validated by a ValidList, before validating,
// so the validator's duplicate check never fires.
func distinct(l []string) []string {
	seen := make(map[string]bool, len(l))
	out := make([]string, 0, len(l))
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// anyNonDuplicateValues is ConfigDef.ValidList.anyNonDuplicateValues(emptyAllowed,
// false), as applied after ConfigDef.parse removed duplicates (see distinct).
func anyNonDuplicateValues(emptyAllowed bool) config.Validator {
	return config.ValidatorFunc(func(name string, v any) error {
		if v == nil {
			return configError(name, "Configuration '"+name+"' values must not be null.")
		}
		l, _ := v.([]string)
		if !emptyAllowed && len(l) == 0 {
			return configError(name, "Configuration '"+name+"' must not be empty. Valid values include: any non-empty value")
		}
		for _, s := range l {
			if s == "" {
				return configError(name, "Configuration '"+name+"' values must not be empty.")
			}
		}
		return nil
	})
}

// nonNull is ConfigDef.NonNullValidator.
var nonNull config.Validator = config.ValidatorFunc(func(name string, v any) error {
	if v == nil {
		return configError(name, "Invalid value null for configuration "+name+": entry must be non null")
	}
	return nil
})

func composite(vs ...config.Validator) config.Validator {
	return config.ValidatorFunc(func(name string, v any) error {
		for _, x := range vs {
			if err := x.Validate(name, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// splitColon is Java's String.split(":"): trailing empty strings are removed.
func splitColon(s string) []string {
	parts := strings.Split(s, ":")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 && s == "" {
		return []string{""}
	}
	return parts
}

// nopClose is embedded by transforms whose Close has nothing to release.
type nopClose struct{}

// Close releases nothing.
func (nopClose) Close() error { return nil }
