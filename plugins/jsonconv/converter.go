package jsonconv

import (
	"fmt"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// Version is the version /connector-plugins reports: the Kafka release whose
// converter this one reproduces.
const Version = "4.3.1"

// Converter is JsonConverter as a key or value converter. It is not safe for
// concurrent use (the runtime gives each task its own).
type Converter struct {
	conf settings
	enc  encoder
	// fixed is the schema.content schema, used instead of envelopes when set.
	fixed *data.Schema
	buf   []byte
	// schemas caches parsed envelope schemas by their JSON text (Java's
	// toConnectSchemaCache), bounded by schemas.cache.size.
	schemas map[string]*data.Schema
	// lastText and lastSchema are the cache entry the previous envelope used (a
	// sink usually reads one schema over and over); cleared with the cache.
	lastText   string
	lastSchema *data.Schema
}

// New returns an unconfigured converter; Configure must be called before use.
func New() *Converter { return &Converter{} }

// Config returns Java's JsonConverterConfig definition.
func (c *Converter) Config() *config.Def { return ConfigDef() }

// Configure applies props, with converter.type set from isKey as Java does.
func (c *Converter) Configure(props map[string]string, isKey bool) error {
	p := make(map[string]string, len(props)+1)
	for k, v := range props {
		p[k] = v
	}
	p[ConverterTypeConfig] = ConverterTypeValue
	if isKey {
		p[ConverterTypeConfig] = ConverterTypeKey
	}
	return c.configure(p)
}

func (c *Converter) configure(props map[string]string) error {
	s, err := parseSettings(props)
	if err != nil {
		return fmt.Errorf("configure json converter: %w", err)
	}
	c.conf = s
	c.enc = encoder{
		numericDecimals:        s.decimalNumeric,
		replaceNullWithDefault: s.replaceNullWithDefault,
		schemaCache:            map[*data.Schema][]byte{},
		cacheSize:              max(s.cacheSize, 1),
	}
	c.fixed = nil
	c.schemas = map[string]*data.Schema{}
	c.lastText, c.lastSchema = "", nil
	if s.schemaContent != "" {
		n, err := parseJSON([]byte(s.schemaContent))
		if err != nil {
			return data.Errorf("Failed to parse schema in converter config due to serialization error: %s", err)
		}
		if c.fixed, err = asConnectSchema(n, s.replaceNullWithDefault); err != nil {
			return err
		}
	}
	return nil
}

// FromConnectData is Java's JsonConverter.fromConnectData. It returns nil (a
// tombstone) when both schema and value are nil.
func (c *Converter) FromConnectData(topic string, headers []connect.Header, schema *data.Schema, value any) ([]byte, error) {
	if schema == nil && value == nil {
		return nil, nil
	}
	b := c.buf[:0]
	var err error
	if c.conf.schemasEnabled {
		b = append(b, `{"schema":`...)
		if b, err = c.enc.appendSchema(b, schema); err != nil {
			return nil, err
		}
		b = append(b, `,"payload":`...)
		if b, err = c.enc.appendValue(b, schema, value); err != nil {
			return nil, err
		}
		b = append(b, '}')
	} else if b, err = c.enc.appendValue(b, schema, value); err != nil {
		return nil, err
	}
	out := make([]byte, len(b))
	copy(out, b)
	c.buf = b
	return out, nil
}

// ToConnectData is Java's JsonConverter.toConnectData.
func (c *Converter) ToConnectData(topic string, headers []connect.Header, b []byte) (*data.Schema, any, error) {
	if b == nil {
		return nil, nil, nil
	}
	if c.conf.schemasEnabled && c.fixed == nil {
		if s, v, ok := c.cachedEnvelope(b); ok {
			return s, v, nil
		}
	}
	return c.toConnectFull(b)
}

// toConnectFull is ToConnectData without the fast path for cached schemas: it
// parses the whole input into a tree, then converts it.
func (c *Converter) toConnectFull(b []byte) (*data.Schema, any, error) {
	n, err := parseJSON(b)
	if err != nil {
		return nil, nil, data.Errorf("Converting byte[] to Kafka Connect data failed due to serialization error: %s", err)
	}
	if !c.conf.schemasEnabled {
		v, err := toConnect(nil, n, c.conf.replaceNullWithDefault)
		return nil, v, err
	}
	if c.fixed != nil {
		v, err := toConnect(c.fixed, n, c.conf.replaceNullWithDefault)
		if err != nil {
			return nil, nil, err
		}
		return c.fixed, v, nil
	}
	if n.kind != kindObject || len(n.obj) != 2 || n.get("schema") == nil || n.get("payload") == nil {
		return nil, nil, data.Errorf("JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields." +
			" If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.")
	}
	s, err := c.envelopeSchema(b, n.get("schema"))
	if err != nil {
		return nil, nil, err
	}
	v, err := toConnect(s, n.get("payload"), c.conf.replaceNullWithDefault)
	if err != nil {
		return nil, nil, err
	}
	return s, v, nil
}

func (c *Converter) envelopeSchema(b []byte, sn *node) (*data.Schema, error) {
	if sn.kind != kindObject || sn.end <= sn.start {
		return asConnectSchema(sn, c.conf.replaceNullWithDefault)
	}
	if s, ok := c.schemas[string(b[sn.start:sn.end])]; ok {
		return s, nil
	}
	s, err := asConnectSchema(sn, c.conf.replaceNullWithDefault)
	if err != nil {
		return nil, err
	}
	if len(c.schemas) >= max(c.conf.cacheSize, 1) {
		clear(c.schemas)
		c.lastText, c.lastSchema = "", nil
	}
	c.schemas[string(b[sn.start:sn.end])] = s
	return s, nil
}

// HeaderConverter is JsonConverter as a header converter (Java's same class, seen
// through its HeaderConverter interface).
type HeaderConverter struct{ c Converter }

// NewHeaderConverter returns an unconfigured header converter.
func NewHeaderConverter() *HeaderConverter { return &HeaderConverter{} }

// Config returns Java's JsonConverterConfig definition.
func (h *HeaderConverter) Config() *config.Def { return ConfigDef() }

// Configure applies props; the runtime sets converter.type=header.
func (h *HeaderConverter) Configure(props map[string]string) error { return h.c.configure(props) }

// FromConnectHeader serializes a header value as FromConnectData does.
func (h *HeaderConverter) FromConnectHeader(topic, key string, schema *data.Schema, value any) ([]byte, error) {
	return h.c.FromConnectData(topic, nil, schema, value)
}

// ToConnectHeader deserializes a header value as ToConnectData does.
func (h *HeaderConverter) ToConnectHeader(topic, key string, b []byte) (*data.Schema, any, error) {
	return h.c.ToConnectData(topic, nil, b)
}

// MarshalSchemaless is exactly JsonConverter with schemas.enable=false: the format of
// the runtime's config, status and offset topics. nil marshals to nil (a tombstone).
func MarshalSchemaless(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	e := encoder{replaceNullWithDefault: true}
	return e.appendValue(nil, nil, v)
}

// UnmarshalSchemaless is exactly JsonConverter.toConnectData with
// schemas.enable=false: integers become int64, other numbers float64, objects
// map[string]any, arrays []any. nil unmarshals to nil.
func UnmarshalSchemaless(b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	n, err := parseJSON(b)
	if err != nil {
		return nil, data.Errorf("Converting byte[] to Kafka Connect data failed due to serialization error: %s", err)
	}
	return toConnect(nil, n, true)
}

var (
	_ connect.Converter       = (*Converter)(nil)
	_ connect.HeaderConverter = (*HeaderConverter)(nil)
)
