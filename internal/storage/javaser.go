package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// javaser.go reads the one Java Object Serialization stream Java Kafka Connect's
// FileOffsetBackingStore writes: a java.util.HashMap<byte[],byte[]>. It understands
// only what that stream contains (class descriptors, primitive fields, block data,
// byte arrays, nulls and back references), which keeps it small and lets a user
// switch from Java Connect in standalone mode without losing source offsets.

var javaStreamMagic = []byte{0xAC, 0xED, 0x00, 0x05}

// Type codes of java.io.ObjectStreamConstants.
const (
	tcNull         = 0x70
	tcReference    = 0x71
	tcClassDesc    = 0x72
	tcObject       = 0x73
	tcString       = 0x74
	tcArray        = 0x75
	tcBlockData    = 0x77
	tcEndBlockData = 0x78
	tcBlockDataLng = 0x7A
	baseWireHandle = 0x7E0000
)

type javaClassDesc struct {
	name   string
	fields []byte // primitive type codes, in stream order
}

type javaDecoder struct {
	b       []byte
	handles []any
}

var errJavaFormat = errors.New("unexpected Java serialization content")

func decodeJavaHashMap(b []byte) (map[string][]byte, error) {
	d := &javaDecoder{b: b[len(javaStreamMagic):]}
	if c, err := d.u8(); err != nil || c != tcObject {
		return nil, fmt.Errorf("%w: want an object", errJavaFormat)
	}
	desc, err := d.classDesc()
	if err != nil {
		return nil, err
	}
	if desc == nil || desc.name != "java.util.HashMap" {
		return nil, fmt.Errorf("%w: want java.util.HashMap", errJavaFormat)
	}
	d.handles = append(d.handles, "map")
	// Default fields of HashMap (loadFactor, threshold): skip their values.
	for _, tc := range desc.fields {
		if _, err := d.take(primSize(tc)); err != nil {
			return nil, err
		}
	}
	// writeObject data: block data with buckets and size, then key/value objects.
	c, err := d.u8()
	if err != nil || c != tcBlockData {
		return nil, fmt.Errorf("%w: want HashMap block data", errJavaFormat)
	}
	n, err := d.u8()
	if err != nil || n < 8 {
		return nil, fmt.Errorf("%w: short HashMap block data", errJavaFormat)
	}
	blk, err := d.take(int(n))
	if err != nil {
		return nil, err
	}
	size := int(int32(binary.BigEndian.Uint32(blk[4:8])))
	if size < 0 {
		return nil, fmt.Errorf("%w: negative HashMap size", errJavaFormat)
	}
	out := make(map[string][]byte, size)
	for range size {
		k, err := d.byteArray()
		if err != nil {
			return nil, err
		}
		v, err := d.byteArray()
		if err != nil {
			return nil, err
		}
		if k != nil && v != nil {
			out[string(k)] = v
		}
	}
	return out, nil
}

func (d *javaDecoder) take(n int) ([]byte, error) {
	if n < 0 || len(d.b) < n {
		return nil, fmt.Errorf("%w: truncated stream", errJavaFormat)
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p, nil
}

func (d *javaDecoder) u8() (byte, error) {
	p, err := d.take(1)
	if err != nil {
		return 0, err
	}
	return p[0], nil
}

func (d *javaDecoder) u16() (int, error) {
	p, err := d.take(2)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint16(p)), nil
}

func (d *javaDecoder) u32() (uint32, error) {
	p, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(p), nil
}

func (d *javaDecoder) utf() (string, error) {
	n, err := d.u16()
	if err != nil {
		return "", err
	}
	p, err := d.take(n)
	return string(p), err
}

func (d *javaDecoder) ref() (any, error) {
	h, err := d.u32()
	if err != nil {
		return nil, err
	}
	i := int(h) - baseWireHandle
	if i < 0 || i >= len(d.handles) {
		return nil, fmt.Errorf("%w: bad handle %#x", errJavaFormat, h)
	}
	return d.handles[i], nil
}

// classDesc reads a class descriptor (new, reference or null) and its superclass
// chain; only the first class's primitive fields are kept.
func (d *javaDecoder) classDesc() (*javaClassDesc, error) {
	c, err := d.u8()
	if err != nil {
		return nil, err
	}
	switch c {
	case tcNull:
		return nil, nil
	case tcReference:
		v, err := d.ref()
		if err != nil {
			return nil, err
		}
		cd, ok := v.(*javaClassDesc)
		if !ok {
			return nil, fmt.Errorf("%w: reference is not a class", errJavaFormat)
		}
		return cd, nil
	case tcClassDesc:
	default:
		return nil, fmt.Errorf("%w: type code %#x where a class was expected", errJavaFormat, c)
	}
	cd := &javaClassDesc{}
	if cd.name, err = d.utf(); err != nil {
		return nil, err
	}
	if _, err := d.take(8); err != nil { // serialVersionUID
		return nil, err
	}
	d.handles = append(d.handles, cd)
	if _, err := d.u8(); err != nil { // flags
		return nil, err
	}
	nf, err := d.u16()
	if err != nil {
		return nil, err
	}
	for range nf {
		tc, err := d.u8()
		if err != nil {
			return nil, err
		}
		if _, err := d.utf(); err != nil {
			return nil, err
		}
		if primSize(tc) < 0 {
			return nil, fmt.Errorf("%w: object field in %s", errJavaFormat, cd.name)
		}
		cd.fields = append(cd.fields, tc)
	}
	if c, err := d.u8(); err != nil || c != tcEndBlockData { // no class annotations
		return nil, fmt.Errorf("%w: class annotation in %s", errJavaFormat, cd.name)
	}
	if _, err := d.classDesc(); err != nil { // superclass
		return nil, err
	}
	return cd, nil
}

func (d *javaDecoder) byteArray() ([]byte, error) {
	c, err := d.u8()
	if err != nil {
		return nil, err
	}
	switch c {
	case tcNull:
		return nil, nil
	case tcReference:
		v, err := d.ref()
		if err != nil {
			return nil, err
		}
		b, ok := v.([]byte)
		if !ok {
			return nil, fmt.Errorf("%w: reference is not a byte[]", errJavaFormat)
		}
		return b, nil
	case tcArray:
	default:
		return nil, fmt.Errorf("%w: type code %#x where a byte[] was expected", errJavaFormat, c)
	}
	cd, err := d.classDesc()
	if err != nil {
		return nil, err
	}
	if cd == nil || cd.name != "[B" {
		return nil, fmt.Errorf("%w: array is not a byte[]", errJavaFormat)
	}
	n, err := d.u32()
	if err != nil {
		return nil, err
	}
	p, err := d.take(int(int32(n)))
	if err != nil {
		return nil, err
	}
	b := append([]byte{}, p...)
	d.handles = append(d.handles, b)
	return b, nil
}

func primSize(tc byte) int {
	switch tc {
	case 'B', 'Z':
		return 1
	case 'C', 'S':
		return 2
	case 'I', 'F':
		return 4
	case 'J', 'D':
		return 8
	}
	return -1
}
