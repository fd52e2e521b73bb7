package wire

import (
	"fmt"
	"slices"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/recordpath"
)

// The formats of a plugin that runs the task's record path (internal/recordpath):
// Kafka records, not Connect data, cross the boundary, so neither side decodes
// a value it does not need. Nullable bytes are uvarint 0 for nil, else the
// length plus one, then the bytes.
//
// Converted (PollResponse.converted), a source batch after the path: uvarint
// count, then per polled record its source partition and offset (as in the
// packed format) and uvarint 0 if a transformation dropped it, else 1 and
//
//	topic string, partition svarint, timestamp time, key nullable,
//	value nullable, headers uvarint count × (key string, value nullable)
//
// Raw (PutRequest.raw), consumed records before the path: uvarint count, then
//
//	topic string, partition svarint, offset svarint, timestamp type uvarint
//	(connect.TimestampType), timestamp time, key nullable, value nullable,
//	headers uvarint count × (key string, value nullable)

// EncodeConverted appends the encoding of polled records and what the record
// path made of them (krs[i] nil: dropped) to buf, which may be nil.
func EncodeConverted(buf []byte, recs []*connect.Record, krs []*kgo.Record) ([]byte, error) {
	// One allocation of the right size: growing a buffer of large values
	// record by record costs more than everything else here.
	size := 8
	for _, kr := range krs {
		size += 64 + kafkaSize(kr)
	}
	p := packer{b: slices.Grow(buf, size)}
	p.uvarint(uint64(len(recs)))
	for i, r := range recs {
		if err := p.source(r.SourcePartition, r.SourceOffset); err != nil {
			return nil, fmt.Errorf("encode record %d of batch: %w", i, err)
		}
		kr := krs[i]
		if kr == nil {
			p.uvarint(0)
			continue
		}
		p.uvarint(1)
		p.str(kr.Topic)
		p.varint(int64(kr.Partition))
		p.time(kr.Timestamp)
		p.kafkaBody(kr)
	}
	return p.b, nil
}

// kafkaSize bounds the encoded size of kr's topic, key, value and headers,
// without the varints' exact lengths.
func kafkaSize(kr *kgo.Record) int {
	if kr == nil {
		return 0
	}
	n := 40 + len(kr.Topic) + len(kr.Key) + len(kr.Value)
	for _, h := range kr.Headers {
		n += 20 + len(h.Key) + len(h.Value)
	}
	return n
}

// kafkaBody encodes key, value and headers.
func (p *packer) kafkaBody(kr *kgo.Record) {
	p.nullable(kr.Key)
	p.nullable(kr.Value)
	p.uvarint(uint64(len(kr.Headers)))
	for _, h := range kr.Headers {
		p.str(h.Key)
		p.nullable(h.Value)
	}
}

func (p *packer) nullable(b []byte) {
	if b == nil {
		p.uvarint(0)
		return
	}
	p.uvarint(uint64(len(b)) + 1)
	p.b = append(p.b, b...)
}

// DecodeConverted decodes EncodeConverted's bytes. Keys, values and header
// values alias b.
// seqStart numbers the records for CommitRecord from there (0: unnumbered).
func DecodeConverted(b []byte, seqStart int64) ([]recordpath.Converted, error) {
	u := unpacker{b: b}
	n, err := u.count()
	if err != nil {
		return nil, err
	}
	out := make([]recordpath.Converted, n)
	srcs := make([]connect.Record, n) // one allocation each for the batch
	krs := make([]kgo.Record, n)
	for i := range out {
		c := &out[i]
		src := &srcs[i]
		c.Source = src
		if seqStart > 0 {
			c.Seq = seqStart + int64(i)
		}
		if src.SourcePartition, src.SourceOffset, err = u.source(); err != nil {
			return nil, fmt.Errorf("decode converted record %d: %w", i, err)
		}
		present, err := u.uvarint()
		if err != nil {
			return nil, err
		}
		if present == 0 {
			continue
		}
		kr := &krs[i]
		if err := u.topicPartition(kr); err != nil {
			return nil, err
		}
		if kr.Timestamp, err = u.time(); err != nil {
			return nil, err
		}
		if err := u.kafkaBody(kr); err != nil {
			return nil, fmt.Errorf("decode converted record %d: %w", i, err)
		}
		c.Kafka = kr
		src.Topic = kr.Topic
	}
	if len(u.b) != 0 {
		return nil, fmt.Errorf("decode converted batch: %d trailing bytes", len(u.b))
	}
	return out, nil
}

func (u *unpacker) topicPartition(kr *kgo.Record) error {
	var err error
	if kr.Topic, err = u.interned(); err != nil {
		return err
	}
	p, err := u.varint()
	kr.Partition = int32(p)
	return err
}

func (u *unpacker) kafkaBody(kr *kgo.Record) error {
	var err error
	if kr.Key, err = u.nullable(); err != nil {
		return err
	}
	if kr.Value, err = u.nullable(); err != nil {
		return err
	}
	nh, err := u.count()
	if err != nil {
		return err
	}
	if nh > 0 {
		kr.Headers = make([]kgo.RecordHeader, nh)
		for i := range kr.Headers {
			if kr.Headers[i].Key, err = u.interned(); err != nil {
				return err
			}
			if kr.Headers[i].Value, err = u.nullable(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (u *unpacker) nullable() ([]byte, error) {
	n, err := u.uvarint()
	if err != nil || n == 0 {
		return nil, err
	}
	if uint64(len(u.b)) < n-1 {
		return nil, errShort
	}
	s := u.b[: n-1 : n-1]
	u.b = u.b[n-1:]
	return s, nil
}

// Raw is one consumed record for a plugin that runs the record path.
type Raw struct {
	Kafka         *kgo.Record
	TimestampType connect.TimestampType
}

// EncodeRaw encodes consumed records.
func EncodeRaw(krs []*kgo.Record) []byte {
	size := 8
	for _, kr := range krs {
		size += 64 + kafkaSize(kr)
	}
	p := packer{b: make([]byte, 0, size)}
	p.uvarint(uint64(len(krs)))
	for _, kr := range krs {
		p.str(kr.Topic)
		p.varint(int64(kr.Partition))
		p.varint(kr.Offset)
		p.uvarint(uint64(recordpath.TimestampType(kr)))
		p.time(kr.Timestamp)
		p.kafkaBody(kr)
	}
	return p.b
}

// DecodeRaw decodes EncodeRaw's bytes. Keys, values and header values alias b.
func DecodeRaw(b []byte) ([]Raw, error) {
	u := unpacker{b: b}
	n, err := u.count()
	if err != nil {
		return nil, err
	}
	out := make([]Raw, n)
	krs := make([]kgo.Record, n)
	for i := range out {
		kr := &krs[i]
		if err := u.topicPartition(kr); err != nil {
			return nil, err
		}
		if kr.Offset, err = u.varint(); err != nil {
			return nil, err
		}
		tt, err := u.uvarint()
		if err != nil {
			return nil, err
		}
		if kr.Timestamp, err = u.time(); err != nil {
			return nil, err
		}
		if err := u.kafkaBody(kr); err != nil {
			return nil, fmt.Errorf("decode raw record %d: %w", i, err)
		}
		out[i] = Raw{Kafka: kr, TimestampType: connect.TimestampType(tt)}
	}
	if len(u.b) != 0 {
		return nil, fmt.Errorf("decode raw batch: %d trailing bytes", len(u.b))
	}
	return out, nil
}

// interned decodes a string that repeats across a batch (a topic, a header
// key) once per distinct value.
func (u *unpacker) interned() (string, error) {
	b, err := u.raw()
	if err != nil {
		return "", err
	}
	for _, s := range u.names {
		if s == string(b) { // no allocation: the compiler compares in place
			return s, nil
		}
	}
	s := string(b)
	if len(u.names) < 16 {
		u.names = append(u.names, s)
	}
	return s, nil
}
