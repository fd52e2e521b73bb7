package elasticsearch

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
	"github.com/goconnect/goconnect/plugins/jsonconv"
)

// Bulk operation names.
const (
	opIndex  = "index"
	opCreate = "create"
	opUpdate = "update"
	opDelete = "delete"
)

// action is one record turned into a _bulk operation: its two NDJSON lines (one for
// deletes) are rendered once, at Put, so batches can be cut by byte size and resent
// unchanged.
type action struct {
	rec   *connect.Record
	op    string
	index string
	id    string
	// lines is the action line and, except for deletes, the source line, each
	// ending in '\n'.
	lines []byte
}

// converter turns sink records into bulk actions (Confluent's DataConverter).
type converter struct {
	cfg *sinkConfig
}

// indexName is where a topic's documents go: the pre-existing resource it is
// mapped to (topic.to.external.resource.mapping, taken as it is), the data stream
// name, or the topic lower-cased and cut to Elasticsearch's rules (Confluent's
// convertTopicToIndexName; an upper-case topic otherwise fails every write).
func (c *converter) indexName(topic string) (string, error) {
	if c.cfg.resources != nil {
		r, ok := c.cfg.resources[topic]
		if !ok {
			// Only a topic outside "topics" (topics.regex) gets here: validation
			// checked the configured ones. Not a bad record: the task fails.
			return "", fmt.Errorf("Topic '%s' is not mapped to any resource. All topics must be mapped when using topic-to-resource mapping configuration. Please check the '%s' configuration to ensure all topics are properly mapped.",
				topic, TopicToExternalResourceMapConfig)
		}
		return r, nil
	}
	if c.cfg.dataStream() {
		ns := strings.ReplaceAll(c.cfg.dsNamespace, "${topic}", topic)
		return strings.ToLower(c.cfg.dsType + "-" + c.cfg.dsDataset + "-" + ns), nil
	}
	return indexForTopic(topic), nil
}

func indexForTopic(topic string) string {
	index := strings.ToLower(topic)
	if len(index) > 255 {
		index = index[:255]
	}
	if strings.HasPrefix(index, "-") || strings.HasPrefix(index, "_") {
		index = index[1:]
	}
	if index == "." || index == ".." {
		index = strings.ReplaceAll(index, ".", "dot")
	}
	return index
}

func recordString(r *connect.Record) string {
	return fmt.Sprintf("record from topic=%s partition=%d offset=%d", r.Topic, r.Partition, r.Offset)
}

// convert returns the action for r, or nil when r is skipped (a null value with
// behavior.on.null.values=ignore, or a tombstone without a key to delete). Errors
// wrapping connect.ErrData are bad records (Confluent's DataException); others fail
// the task.
func (c *converter) convert(r *connect.Record) (*action, error) {
	cfg := c.cfg
	if r.Value == nil {
		switch cfg.onNull {
		case nullIgnore:
			return nil, nil
		case nullDelete:
			if r.Key == nil {
				// The key is the id of the document to delete; without one there is
				// nothing that could be deleted (a topic+partition+offset id is unique
				// to this very record).
				return nil, nil
			}
		default:
			return nil, fmt.Errorf("%w: %s has a null value (to ignore future records like this change the configuration property '%s' from '%s' to '%s')",
				connect.ErrData, recordString(r), BehaviorOnNullValuesConfig, "FAIL", "IGNORE")
		}
	}
	index, err := c.indexName(r.Topic)
	if err != nil {
		return nil, err
	}
	a := &action{rec: r, index: index}
	if cfg.ignoreKey(r.Topic) {
		a.id = fmt.Sprintf("%s+%d+%d", r.Topic, r.Partition, r.Offset)
	} else if a.id, err = documentID(r.KeySchema, r.Key); err != nil {
		return nil, err
	}
	var version int64
	versioned := false
	if !cfg.dataStream() && !cfg.ignoreKey(r.Topic) {
		versioned = true
		version = r.Offset
		if cfg.versionHeader != "" {
			if version, err = headerVersion(r, cfg.versionHeader); err != nil {
				return nil, err
			}
		}
	}
	if r.Value == nil {
		a.op = opDelete
		a.lines = actionLine(nil, opDelete, a.index, a.id, versioned, version, 0)
		return a, nil
	}
	payload, err := c.payload(r)
	if err != nil {
		return nil, err
	}
	if cfg.dataStream() {
		if payload, err = c.addTimestamp(payload, r); err != nil {
			return nil, err
		}
	}
	switch cfg.writeMethod {
	case methodUpsert:
		a.op = opUpdate
		b := actionLine(nil, opUpdate, a.index, a.id, false, 0, min(cfg.maxInFlight, 5))
		b = append(b, `{"doc":`...)
		b = append(b, payload...)
		b = append(b, ",\"doc_as_upsert\":true}\n"...)
		a.lines = b
	default:
		a.op = opIndex
		if cfg.dataStream() {
			a.op = opCreate
		}
		if cfg.autoIDs {
			a.id, versioned = "", false
		}
		b := actionLine(nil, a.op, a.index, a.id, versioned, version, 0)
		b = append(b, payload...)
		a.lines = append(b, '\n')
	}
	return a, nil
}

func actionLine(b []byte, op, index, id string, versioned bool, version int64, retryOnConflict int) []byte {
	b = append(b, `{"`...)
	b = append(b, op...)
	b = append(b, `":{"_index":`...)
	b = appendString(b, index)
	if id != "" {
		b = append(b, `,"_id":`...)
		b = appendString(b, id)
	}
	if versioned {
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, version, 10)
		b = append(b, `,"version_type":"external"`...)
	}
	if retryOnConflict > 0 {
		b = append(b, `,"retry_on_conflict":`...)
		b = strconv.AppendInt(b, int64(retryOnConflict), 10)
	}
	return append(b, "}}\n"...)
}

// documentID is Confluent's convertKey: integer and string keys only.
func documentID(s *data.Schema, key any) (string, error) {
	if key == nil {
		return "", fmt.Errorf("%w: Key is used as document id and can not be null.", connect.ErrData)
	}
	t := data.Type(0)
	if s != nil {
		t = s.Type
	} else {
		t = data.SchemaTypeOf(key)
	}
	var id string
	switch t {
	case data.TypeInt8, data.TypeInt16, data.TypeInt32, data.TypeInt64:
		id = fmt.Sprint(key)
	case data.TypeString:
		id, _ = key.(string)
	default:
		if t == 0 {
			return "", fmt.Errorf("%w: Java class %T does not have corresponding schema type.", connect.ErrData, key)
		}
		return "", fmt.Errorf("%w: %s is not supported as the document id.", connect.ErrData, t)
	}
	if id == "" {
		return "", fmt.Errorf("%w: Key is used as document id and can not be empty.", connect.ErrData)
	}
	return id, nil
}

// headerVersion reads the external version from the last header called name.
func headerVersion(r *connect.Record, name string) (int64, error) {
	for i := len(r.Headers) - 1; i >= 0; i-- {
		if r.Headers[i].Key != name {
			continue
		}
		s := fmt.Sprint(r.Headers[i].Value)
		if b, ok := r.Headers[i].Value.([]byte); ok {
			s = string(b)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("Error converting to long: %s", s)
		}
		return n, nil
	}
	return 0, fmt.Errorf("record %s has no header %s for the external version", recordString(r), name)
}

// payload renders the record value as the document.
func (c *converter) payload(r *connect.Record) ([]byte, error) {
	e := encoder{compact: c.cfg.compactMaps}
	b, err := e.value(make([]byte, 0, 256), r.ValueSchema, r.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", connect.ErrData, recordString(r), err)
	}
	return b, nil
}

// addTimestamp sets @timestamp of a data stream document, from the first of
// data.stream.timestamp.field present in it, else from the record timestamp.
func (c *converter) addTimestamp(payload []byte, r *connect.Record) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, fmt.Errorf("%w: Top level payload contains data of Json type other than object. Required Json object.", connect.ErrData)
	}
	if len(c.cfg.dsTimestampFields) > 0 {
		for _, f := range c.cfg.dsTimestampFields {
			if v, ok := doc[f]; ok {
				doc["@timestamp"] = fmt.Sprint(v)
				return json.Marshal(doc)
			}
		}
		return payload, nil
	}
	if r.Timestamp.IsZero() {
		doc["@timestamp"] = nil
	} else {
		doc["@timestamp"] = r.Timestamp.UnixMilli()
	}
	return json.Marshal(doc)
}

// encoder writes Connect values as Elasticsearch documents: JsonConverter's
// schemaless JSON after Confluent's preprocessing (decimals as doubles, maps with
// string keys as objects when compact, other maps as arrays of {key, value}).
type encoder struct {
	compact bool
}

func (e *encoder) value(b []byte, s *data.Schema, v any) ([]byte, error) {
	if s == nil {
		return e.schemaless(b, v)
	}
	if v == nil {
		if s.Default != nil {
			v = s.Default
		} else if s.Optional {
			return append(b, "null"...), nil
		} else {
			return nil, fmt.Errorf("null value for field that is required and has no default value")
		}
	}
	switch s.Name {
	case data.DecimalName:
		d, ok := v.(data.Decimal)
		if !ok {
			return nil, fmt.Errorf("decimal value of type %T", v)
		}
		f, _ := d.Rat().Float64()
		return appendFloat(b, f, 64), nil
	case data.DateName, data.TimestampName:
		// Date is written as epoch milliseconds, like Timestamp, so the "date"
		// mapping reads it right (Java's JsonConverter writes days since the epoch,
		// which Elasticsearch then reads as milliseconds).
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("%s value of type %T", s.Name, v)
		}
		return strconv.AppendInt(b, t.UnixMilli(), 10), nil
	case data.TimeName:
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("%s value of type %T", s.Name, v)
		}
		ms, err := data.TimeToMillis(t)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(b, int64(ms), 10), nil
	}
	switch s.Type {
	case data.TypeArray:
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("array value of type %T", v)
		}
		b = append(b, '[')
		for i, el := range arr {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = e.value(b, s.ValueSchema, el); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case data.TypeMap:
		return e.mapValue(b, s, v)
	case data.TypeStruct:
		st, ok := v.(*data.Struct)
		if !ok {
			return nil, fmt.Errorf("struct value of type %T", v)
		}
		b = append(b, '{')
		for i, f := range s.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, f.Name)
			b = append(b, ':')
			var err error
			if b, err = e.value(b, f.Schema, st.Get(f.Name)); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return e.schemaless(b, v)
}

type entry struct{ k, v any }

func sortedEntries(v any) ([]entry, bool) {
	var es []entry
	ok := data.RangeMap(v, func(k, val any) bool { es = append(es, entry{k, val}); return true })
	// Sorted for a deterministic document (Go maps have no order).
	slices.SortFunc(es, func(a, b entry) int { return strings.Compare(fmt.Sprint(a.k), fmt.Sprint(b.k)) })
	return es, ok
}

func (e *encoder) mapValue(b []byte, s *data.Schema, v any) ([]byte, error) {
	es, ok := sortedEntries(v)
	if !ok {
		return nil, fmt.Errorf("map value of type %T", v)
	}
	var err error
	if e.compact && s.KeySchema != nil && s.KeySchema.Type == data.TypeString {
		b = append(b, '{')
		for i, en := range es {
			if i > 0 {
				b = append(b, ',')
			}
			ks, _ := en.k.(string)
			b = appendString(b, ks)
			b = append(b, ':')
			if b, err = e.value(b, s.ValueSchema, en.v); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	b = append(b, '[')
	for i, en := range es {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"key":`...)
		if b, err = e.value(b, s.KeySchema, en.k); err != nil {
			return nil, err
		}
		b = append(b, `,"value":`...)
		if b, err = e.value(b, s.ValueSchema, en.v); err != nil {
			return nil, err
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// schemaless writes a value without a schema as JsonConverter does with
// schemas.enable=false (maps with non-string keys become arrays of [key, value]).
func (e *encoder) schemaless(b []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int8:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float32:
		return appendFloat(b, float64(x), 32), nil
	case float64:
		return appendFloat(b, x, 64), nil
	case string:
		return appendString(b, x), nil
	case []byte:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, x)
		return append(b, '"'), nil
	case time.Time:
		return strconv.AppendInt(b, x.UnixMilli(), 10), nil
	case data.Decimal:
		f, _ := x.Rat().Float64()
		return appendFloat(b, f, 64), nil
	case *data.Struct:
		return e.value(b, x.Schema(), x)
	case []any:
		b = append(b, '[')
		for i, el := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = e.schemaless(b, el); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any, map[any]any:
		es, _ := sortedEntries(x)
		allStrings := true
		for _, en := range es {
			if _, ok := en.k.(string); !ok {
				allStrings = false
				break
			}
		}
		if allStrings {
			b = append(b, '{')
			for i, en := range es {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, en.k.(string))
				b = append(b, ':')
				if b, err = e.schemaless(b, en.v); err != nil {
					return nil, err
				}
			}
			return append(b, '}'), nil
		}
		b = append(b, '[')
		for i, en := range es {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			if b, err = e.schemaless(b, en.k); err != nil {
				return nil, err
			}
			b = append(b, ',')
			if b, err = e.schemaless(b, en.v); err != nil {
				return nil, err
			}
			b = append(b, ']')
		}
		return append(b, ']'), nil
	}
	return nil, fmt.Errorf("value of type %T cannot be written as JSON", v)
}

// appendFloat writes a JSON number; NaN and infinities, which JSON cannot carry,
// become null.
func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, bits)
}

// appendString writes s as a JSON string (Jackson's escaping, shared with the
// JsonConverter); invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte { return jsonconv.AppendString(b, s) }

// mapping renders the index mapping of a STRUCT value schema (Confluent's
// Mapping.buildMapping), or nil when the schema gives none.
func mapping(s *data.Schema, compact bool) []byte {
	if s == nil || s.Type != data.TypeStruct {
		return nil
	}
	return fieldMapping(nil, s, compact)
}

func fieldMapping(b []byte, s *data.Schema, compact bool) []byte {
	switch s.Name {
	case data.DateName, data.TimeName, data.TimestampName:
		return primitiveMapping(b, "date", s.Default)
	case data.DecimalName:
		var def any
		if d, ok := s.Default.(data.Decimal); ok {
			f, _ := d.Rat().Float64()
			def = f
		}
		return primitiveMapping(b, "double", def)
	}
	switch s.Type {
	case data.TypeArray:
		return fieldMapping(b, s.ValueSchema, compact)
	case data.TypeMap:
		if compact && s.KeySchema != nil && s.KeySchema.Type == data.TypeString {
			// Written as an object whose field names are the map keys: let the
			// server map those dynamically (Confluent declares key/value
			// properties here, which do not match the document).
			return append(b, `{"type":"object"}`...)
		}
		b = append(b, `{"properties":{"key":`...)
		b = fieldMapping(b, s.KeySchema, compact)
		b = append(b, `,"value":`...)
		b = fieldMapping(b, s.ValueSchema, compact)
		return append(b, "}}"...)
	case data.TypeStruct:
		b = append(b, `{"properties":{`...)
		for i, f := range s.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, f.Name)
			b = append(b, ':')
			b = fieldMapping(b, f.Schema, compact)
		}
		return append(b, "}}"...)
	}
	types := map[data.Type]string{data.TypeBoolean: "boolean", data.TypeInt8: "byte", data.TypeInt16: "short",
		data.TypeInt32: "integer", data.TypeInt64: "long", data.TypeFloat32: "float", data.TypeFloat64: "double",
		data.TypeString: "text", data.TypeBytes: "binary"}
	return primitiveMapping(b, types[s.Type], s.Default)
}

func primitiveMapping(b []byte, typ string, def any) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, typ)
	switch typ {
	case "text":
		// Strings are searchable as text and aggregatable through .keyword, per
		// https://www.elastic.co/blog/strings-are-dead-long-live-strings.
		b = append(b, `,"fields":{"keyword":{"type":"keyword","ignore_above":256}}`...)
	case "binary":
	default:
		if def != nil {
			e := encoder{}
			if t, ok := def.(time.Time); ok {
				def = t.UnixMilli()
			}
			if v, err := e.schemaless(nil, def); err == nil {
				b = append(b, `,"null_value":`...)
				b = append(b, v...)
			}
		}
	}
	return append(b, '}')
}
