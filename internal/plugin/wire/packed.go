package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
)

// The packed record format of RecordBatch.records. Integers are varints
// (encoding/binary; "s" = zig-zag signed), strings and byte slices are a
// uvarint length then the bytes, schema references are uvarints into
// RecordBatch.schemas (0 = none). One record:
//
//	topic string, partition svarint,
//	key schema ref, key value, value schema ref, value value,
//	timestamp time, headers uvarint count × (key string, schema ref, value),
//	source partition (uvarint 0 = nil, 1 = new map value follows,
//	  k+2 = the k-th distinct source partition of this batch, shared as in-process),
//	source offset value, offset svarint, timestamp type uvarint,
//	original topic string, original partition svarint, original offset svarint
//
// A value is a one-byte tag then its payload:
//
//	0 nil  1 false  2 true  3 int8 (1 byte)  4 int16 s  5 int32 s  6 int64 s
//	7 float32 (4 bytes LE bits)  8 float64 (8 bytes LE bits)  9 string  10 bytes
//	11 array: count, values  12 map[string]any: count × (string, value)
//	13 map[any]any: count × (value, value)  14 struct: schema ref, one value per field
//	15 decimal: scale s, unscaled two's complement bytes  16 time
//	17 Go int s  18 config.Secret string  19 []string: count × string
//
// A time is uvarint 0 for the zero time, else 1, seconds s, nanos uvarint.
const (
	tagNil byte = iota
	tagFalse
	tagTrue
	tagInt8
	tagInt16
	tagInt32
	tagInt64
	tagFloat32
	tagFloat64
	tagString
	tagBytes
	tagArray
	tagStringMap
	tagAnyMap
	tagStruct
	tagDecimal
	tagTime
	tagInt
	tagSecret
	tagStrings
)

type packer struct {
	b     []byte
	t     schemaTable
	parts map[uintptr]uint64 // source partition maps seen, by identity
}

// EncodeRecords encodes a batch of records.
func EncodeRecords(rs []*connect.Record) (*pb.RecordBatch, error) {
	p := packer{b: make([]byte, 0, 64*len(rs))}
	for i, r := range rs {
		if err := p.record(r); err != nil {
			return nil, fmt.Errorf("encode record %d of batch: %w", i, err)
		}
	}
	return &pb.RecordBatch{Schemas: p.t.list, Records: p.b, Count: uint32(len(rs))}, nil
}

func (p *packer) uvarint(v uint64) { p.b = binary.AppendUvarint(p.b, v) }
func (p *packer) varint(v int64)   { p.b = binary.AppendVarint(p.b, v) }
func (p *packer) str(s string)     { p.uvarint(uint64(len(s))); p.b = append(p.b, s...) }

func (p *packer) ref(s *data.Schema) error {
	r, err := p.t.ref(s)
	p.uvarint(uint64(r))
	return err
}

func (p *packer) time(t time.Time) {
	if t.IsZero() {
		p.uvarint(0)
		return
	}
	p.uvarint(1)
	p.varint(t.Unix())
	p.uvarint(uint64(t.Nanosecond()))
}

func (p *packer) record(r *connect.Record) error {
	p.str(r.Topic)
	p.varint(int64(r.Partition))
	if err := p.ref(r.KeySchema); err != nil {
		return err
	}
	if err := p.value(r.Key); err != nil {
		return fmt.Errorf("key: %w", err)
	}
	if err := p.ref(r.ValueSchema); err != nil {
		return err
	}
	if err := p.value(r.Value); err != nil {
		return fmt.Errorf("value: %w", err)
	}
	p.time(r.Timestamp)
	p.uvarint(uint64(len(r.Headers)))
	for _, h := range r.Headers {
		p.str(h.Key)
		if err := p.ref(h.Schema); err != nil {
			return err
		}
		if err := p.value(h.Value); err != nil {
			return fmt.Errorf("header %s: %w", h.Key, err)
		}
	}
	if err := p.source(r.SourcePartition, r.SourceOffset); err != nil {
		return err
	}
	p.varint(r.Offset)
	p.uvarint(uint64(r.TimestampType))
	p.str(r.OriginalTopic)
	p.varint(int64(r.OriginalPartition))
	p.varint(r.OriginalOffset)
	return nil
}

// source encodes a source partition (shared per batch) and offset.
func (p *packer) source(part, off map[string]any) error {
	if part == nil {
		p.uvarint(0)
	} else {
		// Tasks usually hand every record of a partition the same map; send
		// it once per batch.
		id := reflect.ValueOf(part).Pointer()
		if k, ok := p.parts[id]; ok {
			p.uvarint(k + 2)
		} else {
			if p.parts == nil {
				p.parts = map[uintptr]uint64{}
			}
			p.parts[id] = uint64(len(p.parts))
			p.uvarint(1)
			if err := p.value(part); err != nil {
				return fmt.Errorf("source partition: %w", err)
			}
		}
	}
	if off == nil {
		p.b = append(p.b, tagNil)
	} else if err := p.value(off); err != nil {
		return fmt.Errorf("source offset: %w", err)
	}
	return nil
}

func (p *packer) value(v any) error {
	switch x := v.(type) {
	case nil:
		p.b = append(p.b, tagNil)
	case bool:
		if x {
			p.b = append(p.b, tagTrue)
		} else {
			p.b = append(p.b, tagFalse)
		}
	case int8:
		p.b = append(p.b, tagInt8, byte(x))
	case int16:
		p.b = append(p.b, tagInt16)
		p.varint(int64(x))
	case int32:
		p.b = append(p.b, tagInt32)
		p.varint(int64(x))
	case int64:
		p.b = append(p.b, tagInt64)
		p.varint(x)
	case int:
		p.b = append(p.b, tagInt)
		p.varint(int64(x))
	case float32:
		p.b = append(p.b, tagFloat32)
		p.b = binary.LittleEndian.AppendUint32(p.b, math.Float32bits(x))
	case float64:
		p.b = append(p.b, tagFloat64)
		p.b = binary.LittleEndian.AppendUint64(p.b, math.Float64bits(x))
	case string:
		p.b = append(p.b, tagString)
		p.str(x)
	case []byte:
		p.b = append(p.b, tagBytes)
		p.uvarint(uint64(len(x)))
		p.b = append(p.b, x...)
	case config.Secret:
		p.b = append(p.b, tagSecret)
		p.str(x.Value)
	case []string:
		p.b = append(p.b, tagStrings)
		p.uvarint(uint64(len(x)))
		for _, s := range x {
			p.str(s)
		}
	case time.Time:
		p.b = append(p.b, tagTime)
		p.time(x)
	case data.Decimal:
		u := x.Unscaled
		if u == nil {
			u = new(big.Int)
		}
		p.b = append(p.b, tagDecimal)
		p.varint(int64(x.Scale))
		tc := data.TwosComplement(u)
		p.uvarint(uint64(len(tc)))
		p.b = append(p.b, tc...)
	case []any:
		p.b = append(p.b, tagArray)
		p.uvarint(uint64(len(x)))
		for _, e := range x {
			if err := p.value(e); err != nil {
				return err
			}
		}
	case map[string]any:
		p.b = append(p.b, tagStringMap)
		p.uvarint(uint64(len(x)))
		for k, e := range x {
			p.str(k)
			if err := p.value(e); err != nil {
				return err
			}
		}
	case map[any]any:
		p.b = append(p.b, tagAnyMap)
		p.uvarint(uint64(len(x)))
		for k, e := range x {
			if err := p.value(k); err != nil {
				return err
			}
			if err := p.value(e); err != nil {
				return err
			}
		}
	case *data.Struct:
		if x == nil {
			p.b = append(p.b, tagNil)
			return nil
		}
		p.b = append(p.b, tagStruct)
		s := x.Schema()
		if err := p.ref(s); err != nil {
			return err
		}
		for i := range s.Fields {
			if err := p.value(x.At(i)); err != nil {
				return fmt.Errorf("field %s: %w", s.Fields[i].Name, err)
			}
		}
	default:
		return fmt.Errorf("%T is not a Connect data value", v)
	}
	return nil
}

var errShort = errors.New("truncated record batch")

type unpacker struct {
	b []byte
	// s is the whole of records as one string, converted once per batch:
	// every decoded string is a substring of it, which saves an allocation
	// per string (the batch's bytes then live as long as any of its strings).
	s     string
	refs  schemaRefs
	parts []map[string]any
	names []string // interned's strings
}

// DecodeRecords decodes a batch encoded by EncodeRecords.
func DecodeRecords(b *pb.RecordBatch) ([]*connect.Record, error) {
	if b == nil || b.Count == 0 {
		return nil, nil
	}
	u := unpacker{b: b.Records, s: string(b.Records), refs: schemaRefs{list: b.Schemas}}
	out := make([]*connect.Record, b.Count)
	backing := make([]connect.Record, b.Count) // one allocation for all records
	for i := range out {
		if err := u.record(&backing[i]); err != nil {
			return nil, fmt.Errorf("decode record %d of batch: %w", i, err)
		}
		out[i] = &backing[i]
	}
	if len(u.b) != 0 {
		return nil, fmt.Errorf("decode record batch: %d trailing bytes", len(u.b))
	}
	return out, nil
}

func (u *unpacker) uvarint() (uint64, error) {
	v, n := binary.Uvarint(u.b)
	if n <= 0 {
		return 0, errShort
	}
	u.b = u.b[n:]
	return v, nil
}

func (u *unpacker) varint() (int64, error) {
	v, n := binary.Varint(u.b)
	if n <= 0 {
		return 0, errShort
	}
	u.b = u.b[n:]
	return v, nil
}

func (u *unpacker) raw() ([]byte, error) {
	n, err := u.uvarint()
	if err != nil {
		return nil, err
	}
	if uint64(len(u.b)) < n {
		return nil, errShort
	}
	s := u.b[:n:n]
	u.b = u.b[n:]
	return s, nil
}

func (u *unpacker) str() (string, error) {
	b, err := u.raw()
	if err != nil {
		return "", err
	}
	if u.s == "" {
		return string(b), nil // a format without a string copy of the buffer
	}
	end := len(u.s) - len(u.b) // raw consumed b: it ends where u.b starts
	return u.s[end-len(b) : end], nil
}

func (u *unpacker) schema() (*data.Schema, error) {
	r, err := u.uvarint()
	if err != nil {
		return nil, err
	}
	if r > math.MaxUint32 {
		return nil, fmt.Errorf("schema reference %d out of range", r)
	}
	return u.refs.get(uint32(r))
}

func (u *unpacker) time() (time.Time, error) {
	set, err := u.uvarint()
	if err != nil || set == 0 {
		return time.Time{}, err
	}
	s, err := u.varint()
	if err != nil {
		return time.Time{}, err
	}
	ns, err := u.uvarint()
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(s, int64(ns)).UTC(), nil
}

func (u *unpacker) record(r *connect.Record) error {
	var err error
	if r.Topic, err = u.str(); err != nil {
		return err
	}
	p, err := u.varint()
	if err != nil {
		return err
	}
	r.Partition = int32(p)
	if r.KeySchema, err = u.schema(); err != nil {
		return err
	}
	if r.Key, err = u.value(); err != nil {
		return fmt.Errorf("key: %w", err)
	}
	if r.ValueSchema, err = u.schema(); err != nil {
		return err
	}
	if r.Value, err = u.value(); err != nil {
		return fmt.Errorf("value: %w", err)
	}
	if r.Timestamp, err = u.time(); err != nil {
		return err
	}
	nh, err := u.uvarint()
	if err != nil {
		return err
	}
	if nh > uint64(len(u.b)) {
		return errShort
	}
	if nh > 0 {
		r.Headers = make([]connect.Header, nh)
		for i := range r.Headers {
			h := &r.Headers[i]
			if h.Key, err = u.str(); err != nil {
				return err
			}
			if h.Schema, err = u.schema(); err != nil {
				return err
			}
			if h.Value, err = u.value(); err != nil {
				return fmt.Errorf("header %s: %w", h.Key, err)
			}
		}
	}
	if r.SourcePartition, r.SourceOffset, err = u.source(); err != nil {
		return err
	}
	if r.Offset, err = u.varint(); err != nil {
		return err
	}
	tt, err := u.uvarint()
	if err != nil {
		return err
	}
	r.TimestampType = connect.TimestampType(tt)
	if r.OriginalTopic, err = u.str(); err != nil {
		return err
	}
	if p, err = u.varint(); err != nil {
		return err
	}
	r.OriginalPartition = int32(p)
	r.OriginalOffset, err = u.varint()
	return err
}

// source decodes what packer.source encoded.
func (u *unpacker) source() (part, off map[string]any, err error) {
	sp, err := u.uvarint()
	if err != nil {
		return nil, nil, err
	}
	switch {
	case sp == 1:
		v, err := u.value()
		if err != nil {
			return nil, nil, fmt.Errorf("source partition: %w", err)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("source partition: got %T, want map[string]any", v)
		}
		u.parts = append(u.parts, m)
		part = m
	case sp >= 2:
		if sp-2 >= uint64(len(u.parts)) {
			return nil, nil, fmt.Errorf("source partition reference %d out of range", sp-2)
		}
		part = u.parts[sp-2]
	}
	so, err := u.value()
	if err != nil {
		return nil, nil, fmt.Errorf("source offset: %w", err)
	}
	if so != nil {
		m, ok := so.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("source offset: got %T, want map[string]any", so)
		}
		off = m
	}
	return part, off, nil
}

func (u *unpacker) value() (any, error) {
	if len(u.b) == 0 {
		return nil, errShort
	}
	tag := u.b[0]
	u.b = u.b[1:]
	switch tag {
	case tagNil:
		return nil, nil
	case tagFalse:
		return false, nil
	case tagTrue:
		return true, nil
	case tagInt8:
		if len(u.b) < 1 {
			return nil, errShort
		}
		v := int8(u.b[0])
		u.b = u.b[1:]
		return v, nil
	case tagInt16:
		v, err := u.varint()
		return int16(v), err
	case tagInt32:
		v, err := u.varint()
		return int32(v), err
	case tagInt64:
		return u.varint()
	case tagInt:
		v, err := u.varint()
		return int(v), err
	case tagFloat32:
		if len(u.b) < 4 {
			return nil, errShort
		}
		v := math.Float32frombits(binary.LittleEndian.Uint32(u.b))
		u.b = u.b[4:]
		return v, nil
	case tagFloat64:
		if len(u.b) < 8 {
			return nil, errShort
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(u.b))
		u.b = u.b[8:]
		return v, nil
	case tagString:
		return u.str()
	case tagSecret:
		s, err := u.str()
		return config.Secret{Value: s}, err
	case tagBytes:
		b, err := u.raw()
		if err != nil {
			return nil, err
		}
		// Copy: the batch buffer must not be kept alive (or aliased) by one value.
		return append([]byte{}, b...), nil
	case tagStrings:
		n, err := u.count()
		if err != nil {
			return nil, err
		}
		out := make([]string, n)
		for i := range out {
			if out[i], err = u.str(); err != nil {
				return nil, err
			}
		}
		return out, nil
	case tagTime:
		return u.time()
	case tagDecimal:
		scale, err := u.varint()
		if err != nil {
			return nil, err
		}
		b, err := u.raw()
		if err != nil {
			return nil, err
		}
		v := new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 {
			v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
		return data.Decimal{Unscaled: v, Scale: int32(scale)}, nil
	case tagArray:
		n, err := u.count()
		if err != nil {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = u.value(); err != nil {
				return nil, err
			}
		}
		return out, nil
	case tagStringMap:
		n, err := u.count()
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, n)
		for range n {
			k, err := u.str()
			if err != nil {
				return nil, err
			}
			if out[k], err = u.value(); err != nil {
				return nil, err
			}
		}
		return out, nil
	case tagAnyMap:
		n, err := u.count()
		if err != nil {
			return nil, err
		}
		out := make(map[any]any, n)
		for range n {
			k, err := u.value()
			if err != nil {
				return nil, err
			}
			switch k.(type) {
			case []byte, []any, map[string]any, map[any]any, []string:
				return nil, fmt.Errorf("map key of kind %T cannot be a Go map key", k)
			}
			if out[k], err = u.value(); err != nil {
				return nil, err
			}
		}
		return out, nil
	case tagStruct:
		s, err := u.schema()
		if err != nil {
			return nil, err
		}
		if s == nil || s.Type != data.TypeStruct {
			return nil, fmt.Errorf("struct value with schema %s, which is not a STRUCT schema", s)
		}
		st := data.NewStruct(s)
		for _, f := range s.Fields {
			v, err := u.value()
			if err != nil {
				return nil, err
			}
			if v == nil {
				continue // unset stays unset, so Get still falls back to the default
			}
			if err := st.Put(f.Name, v); err != nil {
				return nil, fmt.Errorf("struct %s: %w", s, err)
			}
		}
		return st, nil
	}
	return nil, fmt.Errorf("unknown value tag %d", tag)
}

// count reads an element count, bounded by the bytes left so a corrupt batch
// cannot make us allocate a huge slice.
func (u *unpacker) count() (int, error) {
	n, err := u.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(len(u.b)) {
		return 0, errShort
	}
	return int(n), nil
}
