package jsonconv

import (
	"encoding/base64"
	"time"

	"github.com/goconnect/goconnect/api/data"
)

// toConnect is Java's JsonConverter.convertToConnect. Its leniency is Java's: a
// STRING schema with a number payload yields null, an INT32 schema with a string
// payload yields 0, and an ARRAY schema iterates whatever container it gets.
func toConnect(s *data.Schema, n *node, replaceNull bool) (any, error) {
	var typ data.Type
	if s != nil {
		typ = s.Type
		if n == nil || n.kind == kindNull || n.kind == kindMissing {
			if s.Default != nil && replaceNull {
				return s.Default, nil
			}
			if s.Optional {
				return nil, nil
			}
			return nil, data.Errorf("Invalid null value for required %s field", typ)
		}
	} else {
		if n == nil {
			return nil, nil
		}
		switch n.kind {
		case kindNull, kindMissing:
			return nil, nil
		case kindBool:
			return n.boolean, nil
		case kindInt, kindLong:
			return n.i64, nil
		case kindBigInt:
			return n.longValue(), nil
		case kindDecimal:
			return n.doubleValue(), nil
		case kindString:
			return n.str, nil
		case kindArray:
			typ = data.TypeArray
		case kindObject:
			typ = data.TypeMap
		}
	}
	if s != nil && s.Name != "" {
		switch s.Name {
		case data.DecimalName:
			if n.kind.isNumber() {
				u, scale, ok := n.decimal()
				if !ok {
					return nil, data.Errorf("Invalid type for Decimal, underlying representation should be numeric or bytes but was %s", n.kind.nodeTypeName())
				}
				return data.Decimal{Unscaled: u, Scale: scale}, nil
			}
			if n.kind == kindString {
				raw, err := jacksonBase64(n.str)
				if err != nil || len(raw) == 0 { // Java: "Zero length BigInteger"
					return nil, data.Errorf("Invalid bytes for Decimal field")
				}
				d, err := data.DecimalFromBytes(s, raw)
				if err != nil {
					return nil, data.Errorf("Invalid bytes for Decimal field")
				}
				return d, nil
			}
			return nil, data.Errorf("Invalid type for Decimal, underlying representation should be numeric or bytes but was %s", n.kind.nodeTypeName())
		case data.DateName:
			if n.kind != kindInt {
				return nil, data.Errorf("Invalid type for Date, underlying representation should be integer but was %s", n.kind.nodeTypeName())
			}
			return data.DaysToDate(int32(n.i64)), nil
		case data.TimeName:
			if n.kind != kindInt {
				return nil, data.Errorf("Invalid type for Time, underlying representation should be integer but was %s", n.kind.nodeTypeName())
			}
			if n.i64 < 0 || n.i64 > 86400000 {
				return nil, data.Errorf("Time values must use number of milliseconds greater than 0 and less than 86400000")
			}
			return data.MillisToTime(int32(n.i64)), nil
		case data.TimestampName:
			if !n.kind.isIntegral() {
				return nil, data.Errorf("Invalid type for Timestamp, underlying representation should be integral but was %s", n.kind.nodeTypeName())
			}
			return timeFromMillis(n.longValue()), nil
		}
	}
	switch typ {
	case data.TypeBoolean:
		return n.kind == kindBool && n.boolean, nil
	case data.TypeInt8:
		return int8(n.longValue()), nil
	case data.TypeInt16:
		return int16(n.longValue()), nil
	case data.TypeInt32:
		return int32(n.longValue()), nil
	case data.TypeInt64:
		return n.longValue(), nil
	case data.TypeFloat32:
		return n.floatValue(), nil
	case data.TypeFloat64:
		return n.doubleValue(), nil
	case data.TypeBytes:
		if n.kind != kindString {
			return nil, nil // Jackson's binaryValue() is null for non-text nodes
		}
		raw, err := jacksonBase64(n.str)
		if err != nil {
			return nil, data.Errorf("Invalid bytes field")
		}
		return raw, nil
	case data.TypeString:
		if n.kind != kindString {
			return nil, nil // textValue() is null for non-text nodes
		}
		return n.str, nil
	case data.TypeArray:
		var elem *data.Schema
		if s != nil {
			elem = s.ValueSchema
		}
		out := []any{}
		for _, e := range n.elements() {
			v, err := toConnect(elem, e, replaceNull)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case data.TypeMap:
		return mapToConnect(s, n, replaceNull)
	case data.TypeStruct:
		if n.kind != kindObject {
			return nil, data.Errorf("Structs should be encoded as JSON objects, but found %s", n.kind.nodeTypeName())
		}
		st := data.NewStruct(s)
		for _, f := range s.Fields {
			v, err := toConnect(f.Schema, n.get(f.Name), replaceNull)
			if err != nil {
				return nil, err
			}
			if err := st.Put(f.Name, v); err != nil {
				return nil, err
			}
		}
		return st, nil
	}
	return nil, data.Errorf("Unknown schema type: %s", typ)
}

// elements iterates a node as Jackson's JsonNode.iterator: array elements, object
// values, nothing for scalars.
func (n *node) elements() []*node {
	switch n.kind {
	case kindArray:
		return n.arr
	case kindObject:
		out := make([]*node, len(n.obj))
		for i := range n.obj {
			out[i] = n.obj[i].val
		}
		return out
	}
	return nil
}

func mapToConnect(s *data.Schema, n *node, replaceNull bool) (any, error) {
	var keySchema, valueSchema *data.Schema
	if s != nil {
		keySchema, valueSchema = s.KeySchema, s.ValueSchema
	}
	if s == nil || (keySchema != nil && keySchema.Type == data.TypeString) {
		if n.kind != kindObject {
			return nil, data.Errorf("Maps with string fields should be encoded as JSON objects, but found %s", n.kind.nodeTypeName())
		}
		out := make(map[string]any, len(n.obj))
		for _, m := range n.obj {
			v, err := toConnect(valueSchema, m.val, replaceNull)
			if err != nil {
				return nil, err
			}
			out[m.name] = v
		}
		return out, nil
	}
	if keySchema == nil {
		// Java dereferences the null key schema here.
		return nil, data.Errorf("Maps with non-string fields should be encoded as JSON array of tuples, but found %s", n.kind.nodeTypeName())
	}
	if n.kind != kindArray {
		return nil, data.Errorf("Maps with non-string fields should be encoded as JSON array of tuples, but found %s", n.kind.nodeTypeName())
	}
	out := make(map[any]any, len(n.arr))
	for _, e := range n.arr {
		if e.kind != kindArray {
			return nil, data.Errorf("Found invalid map entry instead of array tuple: %s", e.kind.nodeTypeName())
		}
		if len(e.arr) != 2 {
			return nil, data.Errorf("Found invalid map entry, expected length 2 but found :%d", len(e.arr))
		}
		k, err := toConnect(keySchema, e.arr[0], replaceNull)
		if err != nil {
			return nil, err
		}
		v, err := toConnect(valueSchema, e.arr[1], replaceNull)
		if err != nil {
			return nil, err
		}
		out[mapKey(k)] = v
	}
	return out, nil
}

// mapKey makes a decoded key usable as a Go map key: byte slices, lists and maps are
// not comparable in Go, so they are keyed by their JSON-like text.
func mapKey(k any) any {
	switch k.(type) {
	case []byte, []any, map[string]any, map[any]any:
		return data.JavaString(k)
	}
	return k
}

// jacksonBase64 decodes base64 as Jackson's default variant (MIME-NO-LINEFEEDS):
// standard alphabet, padding required, whitespace allowed between 4-character
// groups.
func jacksonBase64(s string) ([]byte, error) {
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' {
			if len(clean)%4 != 0 {
				return nil, errInvalidBase64
			}
			continue
		}
		clean = append(clean, c)
	}
	if len(clean)%4 != 0 {
		return nil, errInvalidBase64
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Strict().Decode(out, clean)
	if err != nil {
		// Jackson ignores non-zero trailing bits; retry leniently.
		n, err = base64.StdEncoding.Decode(out, clean)
		if err != nil {
			return nil, errInvalidBase64
		}
	}
	return out[:n], nil
}

var errInvalidBase64 = data.Errorf("invalid base64")

// timeFromMillis converts epoch milliseconds to a Timestamp value.
func timeFromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
