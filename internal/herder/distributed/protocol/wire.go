package protocol

import (
	"encoding/binary"
	"fmt"
	"math"
)

// writer appends Kafka protocol primitives (big-endian, as org.apache.kafka.common.protocol.types.Type
// writes them). The first error sticks, so encoders check once at the end.
type writer struct {
	b   []byte
	err error
}

func (w *writer) int16(v int16) { w.b = binary.BigEndian.AppendUint16(w.b, uint16(v)) }
func (w *writer) int32(v int32) { w.b = binary.BigEndian.AppendUint32(w.b, uint32(v)) }
func (w *writer) int64(v int64) { w.b = binary.BigEndian.AppendUint64(w.b, uint64(v)) }

// string writes Type.STRING: INT16 byte length, then UTF-8. Java refuses lengths above
// Short.MAX_VALUE, and so do we rather than write a length that wraps.
func (w *writer) string(s string) {
	if len(s) > math.MaxInt16 {
		if w.err == nil {
			w.err = fmt.Errorf("write %d-byte string %.32q...: %w", len(s), s, ErrTooLong)
		}
		return
	}
	w.int16(int16(len(s)))
	w.b = append(w.b, s...)
}

// nullableBytes writes Type.NULLABLE_BYTES: INT32 length (-1 for null), then the bytes.
func (w *writer) nullableBytes(p []byte, null bool) {
	if null {
		w.int32(-1)
		return
	}
	w.int32(int32(len(p)))
	w.b = append(w.b, p...)
}

// reader consumes Kafka protocol primitives. The first error sticks and later reads return zero
// values, so decoders check once at the end.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrMalformed)
	}
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.fail("read %s: need %d bytes, have %d", what, n, len(r.b))
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) remaining() bool { return r.err == nil && len(r.b) > 0 }

func (r *reader) int16(what string) int16 {
	p := r.take(2, what)
	if p == nil {
		return 0
	}
	return int16(binary.BigEndian.Uint16(p))
}

func (r *reader) int32(what string) int32 {
	p := r.take(4, what)
	if p == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(p))
}

func (r *reader) int64(what string) int64 {
	p := r.take(8, what)
	if p == nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(p))
}

func (r *reader) string(what string) string {
	n := r.int16(what)
	if r.err != nil {
		return ""
	}
	if n < 0 {
		// Type.STRING is not nullable: Java throws "String length -1 cannot be negative".
		r.fail("read %s: negative string length %d", what, n)
		return ""
	}
	return string(r.take(int(n), what))
}

// nullableBytes reads Type.NULLABLE_BYTES; null reports a -1 length.
func (r *reader) nullableBytes(what string) (p []byte, null bool) {
	n := r.int32(what)
	if r.err != nil {
		return nil, false
	}
	if n < 0 {
		return nil, true
	}
	return r.take(int(n), what), false
}

// arrayLen reads an ARRAY count. A negative count is null, which only nullable arrays allow.
func (r *reader) arrayLen(what string, nullable bool) (n int, null bool) {
	c := r.int32(what)
	if r.err != nil {
		return 0, false
	}
	if c < 0 {
		if !nullable {
			r.fail("read %s: null array where the schema has none", what)
		}
		return 0, true
	}
	// Every element takes at least 2 bytes; refusing larger counts up front keeps a corrupt
	// count from allocating gigabytes.
	if int64(c)*2 > int64(len(r.b)) {
		r.fail("read %s: %d elements cannot fit in %d bytes", what, c, len(r.b))
		return 0, false
	}
	return int(c), false
}
