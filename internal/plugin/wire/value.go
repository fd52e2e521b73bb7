package wire

import (
	"fmt"
	"math/big"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/data"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
)

// schemaTable interns the schemas of one RecordBatch by pointer: records of a
// batch nearly always share their schema pointers, so each is encoded once.
type schemaTable struct {
	refs map[*data.Schema]uint32
	list []*pb.Schema
}

func (t *schemaTable) ref(s *data.Schema) (uint32, error) {
	if s == nil {
		return 0, nil
	}
	if r, ok := t.refs[s]; ok {
		return r, nil
	}
	ps, err := EncodeSchema(s)
	if err != nil {
		return 0, err
	}
	if t.refs == nil {
		t.refs = map[*data.Schema]uint32{}
	}
	t.list = append(t.list, ps)
	r := uint32(len(t.list))
	t.refs[s] = r
	return r, nil
}

// schemaRefs decodes a batch's schema table lazily, once per entry.
type schemaRefs struct {
	list    []*pb.Schema
	decoded []*data.Schema
}

func (d *schemaRefs) get(r uint32) (*data.Schema, error) {
	if r == 0 {
		return nil, nil
	}
	i := int(r) - 1
	if d == nil || i >= len(d.list) {
		return nil, fmt.Errorf("decode record batch: schema reference %d out of range", r)
	}
	if d.decoded == nil {
		d.decoded = make([]*data.Schema, len(d.list))
	}
	if d.decoded[i] == nil {
		s, err := DecodeSchema(d.list[i])
		if err != nil {
			return nil, err
		}
		d.decoded[i] = s
	}
	return d.decoded[i], nil
}

// EncodeSchema encodes a schema tree; nil encodes as nil.
func EncodeSchema(s *data.Schema) (*pb.Schema, error) {
	if s == nil {
		return nil, nil
	}
	ps := &pb.Schema{
		Type: int32(s.Type), Optional: s.Optional, Name: s.Name,
		Version: s.Version, Doc: s.Doc, Parameters: s.Parameters,
	}
	var err error
	if s.Default != nil {
		if ps.DefaultValue, err = EncodeValue(s.Default); err != nil {
			return nil, fmt.Errorf("encode default of schema %s: %w", s, err)
		}
	}
	for _, f := range s.Fields {
		fs, err := EncodeSchema(f.Schema)
		if err != nil {
			return nil, err
		}
		ps.Fields = append(ps.Fields, &pb.Field{Name: f.Name, Schema: fs})
	}
	if ps.KeySchema, err = EncodeSchema(s.KeySchema); err != nil {
		return nil, err
	}
	if ps.ValueSchema, err = EncodeSchema(s.ValueSchema); err != nil {
		return nil, err
	}
	return ps, nil
}

// DecodeSchema decodes a schema tree; nil decodes as nil.
func DecodeSchema(ps *pb.Schema) (*data.Schema, error) {
	if ps == nil {
		return nil, nil
	}
	s := &data.Schema{
		Type: data.Type(ps.Type), Optional: ps.Optional, Name: ps.Name,
		Version: ps.Version, Doc: ps.Doc,
	}
	if len(ps.Parameters) > 0 {
		s.Parameters = ps.Parameters
	}
	var err error
	if len(ps.Fields) > 0 {
		s.Fields = make([]data.Field, len(ps.Fields))
		for i, f := range ps.Fields {
			fs, err := DecodeSchema(f.Schema)
			if err != nil {
				return nil, err
			}
			s.Fields[i] = data.Field{Name: f.Name, Index: i, Schema: fs}
		}
	}
	if s.KeySchema, err = DecodeSchema(ps.KeySchema); err != nil {
		return nil, err
	}
	if s.ValueSchema, err = DecodeSchema(ps.ValueSchema); err != nil {
		return nil, err
	}
	if ps.DefaultValue != nil {
		if s.Default, err = DecodeValue(ps.DefaultValue); err != nil {
			return nil, fmt.Errorf("decode default of schema %s: %w", s, err)
		}
	}
	return s, nil
}

// EncodeValue encodes a value outside a record batch (struct schemas inline).
func EncodeValue(v any) (*pb.Value, error) { return encodeValue(v) }

// DecodeValue decodes a value encoded by EncodeValue.
func DecodeValue(pv *pb.Value) (any, error) { return decodeValue(pv) }

func encodeValue(v any) (*pb.Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case bool:
		return &pb.Value{Kind: &pb.Value_Bool{Bool: x}}, nil
	case int8:
		return &pb.Value{Kind: &pb.Value_Int8{Int8: int32(x)}}, nil
	case int16:
		return &pb.Value{Kind: &pb.Value_Int16{Int16: int32(x)}}, nil
	case int32:
		return &pb.Value{Kind: &pb.Value_Int32{Int32: x}}, nil
	case int64:
		return &pb.Value{Kind: &pb.Value_Int64{Int64: x}}, nil
	case int:
		return &pb.Value{Kind: &pb.Value_Int{Int: int64(x)}}, nil
	case float32:
		return &pb.Value{Kind: &pb.Value_Float32{Float32: x}}, nil
	case float64:
		return &pb.Value{Kind: &pb.Value_Float64{Float64: x}}, nil
	case string:
		return &pb.Value{Kind: &pb.Value_String_{String_: x}}, nil
	case []byte:
		return &pb.Value{Kind: &pb.Value_Bytes{Bytes: x}}, nil
	case config.Secret:
		return &pb.Value{Kind: &pb.Value_Secret{Secret: x.Value}}, nil
	case []string:
		return &pb.Value{Kind: &pb.Value_Strings{Strings: &pb.StringList{Values: x}}}, nil
	case time.Time:
		return &pb.Value{Kind: &pb.Value_Time{Time: EncodeTime(x)}}, nil
	case data.Decimal:
		u := x.Unscaled
		if u == nil {
			u = new(big.Int)
		}
		return &pb.Value{Kind: &pb.Value_Decimal{Decimal: &pb.Decimal{Unscaled: data.TwosComplement(u), Scale: x.Scale}}}, nil
	case []any:
		l := &pb.ValueList{Values: make([]*pb.Value, len(x))}
		for i, e := range x {
			ev, err := encodeValue(e)
			if err != nil {
				return nil, err
			}
			l.Values[i] = ev
		}
		return &pb.Value{Kind: &pb.Value_Array{Array: l}}, nil
	case map[string]any:
		m := &pb.MapValue{Keys: make([]*pb.Value, 0, len(x)), Values: make([]*pb.Value, 0, len(x))}
		for k, e := range x {
			ev, err := encodeValue(e)
			if err != nil {
				return nil, err
			}
			m.Keys = append(m.Keys, &pb.Value{Kind: &pb.Value_String_{String_: k}})
			m.Values = append(m.Values, ev)
		}
		return &pb.Value{Kind: &pb.Value_Map{Map: m}}, nil
	case map[any]any:
		m := &pb.MapValue{AnyKeys: true, Keys: make([]*pb.Value, 0, len(x)), Values: make([]*pb.Value, 0, len(x))}
		for k, e := range x {
			kv, err := encodeValue(k)
			if err != nil {
				return nil, err
			}
			ev, err := encodeValue(e)
			if err != nil {
				return nil, err
			}
			m.Keys = append(m.Keys, kv)
			m.Values = append(m.Values, ev)
		}
		return &pb.Value{Kind: &pb.Value_Map{Map: m}}, nil
	case *data.Struct:
		if x == nil {
			return nil, nil
		}
		sv := &pb.StructValue{}
		s := x.Schema()
		ps, err := EncodeSchema(s)
		if err != nil {
			return nil, err
		}
		sv.Schema = ps
		sv.Values = make([]*pb.Value, len(s.Fields))
		for i := range s.Fields {
			ev, err := encodeValue(x.At(i))
			if err != nil {
				return nil, fmt.Errorf("encode field %s: %w", s.Fields[i].Name, err)
			}
			sv.Values[i] = ev
		}
		return &pb.Value{Kind: &pb.Value_Struct{Struct: sv}}, nil
	}
	return nil, fmt.Errorf("encode value: %T is not a Connect data value", v)
}

func decodeValue(pv *pb.Value) (any, error) {
	if pv == nil {
		return nil, nil
	}
	switch k := pv.Kind.(type) {
	case nil:
		return nil, nil
	case *pb.Value_Bool:
		return k.Bool, nil
	case *pb.Value_Int8:
		return int8(k.Int8), nil
	case *pb.Value_Int16:
		return int16(k.Int16), nil
	case *pb.Value_Int32:
		return k.Int32, nil
	case *pb.Value_Int64:
		return k.Int64, nil
	case *pb.Value_Int:
		return int(k.Int), nil
	case *pb.Value_Float32:
		return k.Float32, nil
	case *pb.Value_Float64:
		return k.Float64, nil
	case *pb.Value_String_:
		return k.String_, nil
	case *pb.Value_Bytes:
		if k.Bytes == nil {
			// proto3 decodes an empty bytes field as nil; a BYTES value is never nil.
			return []byte{}, nil
		}
		return k.Bytes, nil
	case *pb.Value_Secret:
		return config.Secret{Value: k.Secret}, nil
	case *pb.Value_Strings:
		if k.Strings == nil || k.Strings.Values == nil {
			return []string{}, nil
		}
		return k.Strings.Values, nil
	case *pb.Value_Time:
		return DecodeTime(k.Time), nil
	case *pb.Value_Decimal:
		u := new(big.Int).SetBytes(k.Decimal.Unscaled)
		if len(k.Decimal.Unscaled) > 0 && k.Decimal.Unscaled[0]&0x80 != 0 {
			u.Sub(u, new(big.Int).Lsh(big.NewInt(1), uint(8*len(k.Decimal.Unscaled))))
		}
		return data.Decimal{Unscaled: u, Scale: k.Decimal.Scale}, nil
	case *pb.Value_Array:
		out := make([]any, len(k.Array.GetValues()))
		for i, e := range k.Array.GetValues() {
			v, err := decodeValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case *pb.Value_Map:
		m := k.Map
		if len(m.Keys) != len(m.Values) {
			return nil, fmt.Errorf("decode map: %d keys but %d values", len(m.Keys), len(m.Values))
		}
		if !m.AnyKeys {
			out := make(map[string]any, len(m.Keys))
			for i := range m.Keys {
				v, err := decodeValue(m.Values[i])
				if err != nil {
					return nil, err
				}
				out[m.Keys[i].GetString_()] = v
			}
			return out, nil
		}
		out := make(map[any]any, len(m.Keys))
		for i := range m.Keys {
			kv, err := decodeValue(m.Keys[i])
			if err != nil {
				return nil, err
			}
			switch kv.(type) {
			case []byte, []any, map[string]any, map[any]any, []string:
				return nil, fmt.Errorf("decode map: key of kind %T cannot be a Go map key", kv)
			}
			v, err := decodeValue(m.Values[i])
			if err != nil {
				return nil, err
			}
			out[kv] = v
		}
		return out, nil
	case *pb.Value_Struct:
		sv := k.Struct
		s, err := DecodeSchema(sv.Schema)
		if err != nil {
			return nil, err
		}
		if s == nil || s.Type != data.TypeStruct {
			return nil, fmt.Errorf("decode struct: schema %s is not a STRUCT schema", s)
		}
		if len(sv.Values) != len(s.Fields) {
			return nil, fmt.Errorf("decode struct %s: %d values for %d fields", s, len(sv.Values), len(s.Fields))
		}
		st := data.NewStruct(s)
		for i, e := range sv.Values {
			v, err := decodeValue(e)
			if err != nil {
				return nil, err
			}
			if v == nil {
				continue // unset stays unset, so Get still falls back to the default
			}
			if err := st.Put(s.Fields[i].Name, v); err != nil {
				return nil, fmt.Errorf("decode struct %s: %w", s, err)
			}
		}
		return st, nil
	}
	return nil, fmt.Errorf("decode value: unknown kind %T", pv.Kind)
}

// EncodeTime encodes an instant; the zero time encodes as nil.
func EncodeTime(t time.Time) *pb.Time {
	if t.IsZero() {
		return nil
	}
	return &pb.Time{Seconds: t.Unix(), Nanos: int32(t.Nanosecond())}
}

// DecodeTime decodes an instant in UTC; nil decodes as the zero time.
func DecodeTime(t *pb.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return time.Unix(t.Seconds, int64(t.Nanos)).UTC()
}

// EncodeMap encodes a map[string]any (source partitions and offsets); nil
// stays nil so "no offset" survives.
func EncodeMap(m map[string]any) (*pb.Value, error) {
	if m == nil {
		return nil, nil
	}
	return EncodeValue(m)
}

// DecodeMap decodes a value encoded by EncodeMap.
func DecodeMap(pv *pb.Value) (map[string]any, error) {
	v, err := DecodeValue(pv)
	if err != nil || v == nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("decode map: got %T, want map[string]any", v)
	}
	return m, nil
}
