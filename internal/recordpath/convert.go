package recordpath

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/tolerance"
)

// ToKafka builds the Kafka record of a source record: headers, then key, then
// value (Java's order), each a stage of the error operator. ok false with a nil
// error: a tolerated failure, the record is skipped.
func (p *Path) ToKafka(rec *connect.Record, exec Exec) (kr *kgo.Record, ok bool, err error) {
	if rec.Topic == "" {
		return nil, false, fmt.Errorf("source record has no topic")
	}
	kr = &kgo.Record{Topic: rec.Topic, Partition: rec.Partition}
	if !rec.Timestamp.IsZero() {
		if rec.Timestamp.UnixMilli() < 0 {
			return nil, false, fmt.Errorf("invalid negative timestamp %d in source record", rec.Timestamp.UnixMilli())
		}
		kr.Timestamp = rec.Timestamp
	}
	if len(rec.Headers) > 0 {
		kr.Headers = make([]kgo.RecordHeader, len(rec.Headers))
		ok, err := exec.run(tolerance.StageHeaderConverter, p.HeaderClass, func() error {
			for i, h := range rec.Headers {
				b, err := p.Header.FromConnectHeader(rec.Topic, h.Key, h.Schema, h.Value)
				if err != nil {
					return err
				}
				kr.Headers[i] = kgo.RecordHeader{Key: h.Key, Value: b}
			}
			return nil
		})
		if !ok || err != nil {
			return nil, false, wrapConvert(err, "headers", rec.Topic)
		}
	}
	if ok, err := exec.run(tolerance.StageKeyConverter, p.KeyClass, func() (err error) {
		kr.Key, err = p.Key.FromConnectData(rec.Topic, rec.Headers, rec.KeySchema, rec.Key)
		return err
	}); !ok || err != nil {
		return nil, false, wrapConvert(err, "key", rec.Topic)
	}
	if ok, err := exec.run(tolerance.StageValueConverter, p.ValueClass, func() (err error) {
		kr.Value, err = p.Value.FromConnectData(rec.Topic, rec.Headers, rec.ValueSchema, rec.Value)
		return err
	}); !ok || err != nil {
		return nil, false, wrapConvert(err, "value", rec.Topic)
	}
	return kr, true, nil
}

func wrapConvert(err error, what, topic string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("convert %s of record for topic %s: %w", what, topic, err)
}

// TimestampType is a consumed record's timestamp type as Connect sees it.
func TimestampType(kr *kgo.Record) connect.TimestampType {
	if kr.Timestamp.UnixMilli() < 0 {
		return connect.NoTimestampType
	}
	switch kr.Attrs.TimestampType() {
	case 0:
		return connect.CreateTime
	case 1:
		return connect.LogAppendTime
	}
	return connect.NoTimestampType
}

// FromKafka builds the sink record of a consumed record whose timestamp type
// is tt (TimestampType): headers, key and value through the converters, each a
// stage of the error operator. ok false
// with a nil error: a tolerated failure, the record is skipped. Headers go
// first (Java converts them last) because the Go converter API hands Connect
// headers to key and value converters.
func (p *Path) FromKafka(kr *kgo.Record, tt connect.TimestampType, exec Exec) (rec *connect.Record, ok bool, err error) {
	rec = &connect.Record{
		Topic: kr.Topic, Partition: kr.Partition, Offset: kr.Offset,
		OriginalTopic: kr.Topic, OriginalPartition: kr.Partition, OriginalOffset: kr.Offset,
		TimestampType: tt,
	}
	if rec.TimestampType != connect.NoTimestampType {
		rec.Timestamp = kr.Timestamp
	}
	if len(kr.Headers) > 0 {
		rec.Headers = make([]connect.Header, len(kr.Headers))
		if ok, err := exec.run(tolerance.StageHeaderConverter, p.HeaderClass, func() error {
			for i, h := range kr.Headers {
				s, v, err := p.Header.ToConnectHeader(kr.Topic, h.Key, h.Value)
				if err != nil {
					return err
				}
				rec.Headers[i] = connect.Header{Key: h.Key, Schema: s, Value: v}
			}
			return nil
		}); !ok || err != nil {
			return nil, false, wrapConvertSink(err, "headers", kr)
		}
	}
	if ok, err := exec.run(tolerance.StageKeyConverter, p.KeyClass, func() (err error) {
		rec.KeySchema, rec.Key, err = p.Key.ToConnectData(kr.Topic, rec.Headers, kr.Key)
		return err
	}); !ok || err != nil {
		return nil, false, wrapConvertSink(err, "key", kr)
	}
	if ok, err := exec.run(tolerance.StageValueConverter, p.ValueClass, func() (err error) {
		rec.ValueSchema, rec.Value, err = p.Value.ToConnectData(kr.Topic, rec.Headers, kr.Value)
		return err
	}); !ok || err != nil {
		return nil, false, wrapConvertSink(err, "value", kr)
	}
	return rec, true, nil
}

// wrapConvertSink names the record only on failure: formatting its position for
// every record cost more than some conversions.
func wrapConvertSink(err error, what string, kr *kgo.Record) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("convert %s of record %s-%d@%d: %w", what, kr.Topic, kr.Partition, kr.Offset, err)
}

// RenderSource renders a source record (as polled, before transformations) for
// the DLQ: key, value and headers through the task's own converters, so DLQ
// records read like the records of the target topic; a part the converter cannot
// handle (often why the record is here) falls back to tolerance.RenderValue. It
// runs on the task goroutine (the operator reports synchronously from Execute), so
// using the converters is safe.
func (p *Path) RenderSource(rec *connect.Record, protect Protect) *tolerance.Raw {
	safeBytes := func(f func() ([]byte, error)) (b []byte, err error) {
		err = protect("render for dead letter queue", func() error {
			var ferr error
			b, ferr = f()
			return ferr
		})
		return b, err
	}
	raw := &tolerance.Raw{Topic: rec.Topic, Partition: rec.Partition, Offset: -1, Timestamp: rec.Timestamp}
	for _, h := range rec.Headers {
		b, err := safeBytes(func() ([]byte, error) { return p.Header.FromConnectHeader(rec.Topic, h.Key, h.Schema, h.Value) })
		if err != nil {
			b = tolerance.RenderValue(h.Value)
		}
		raw.Headers = append(raw.Headers, tolerance.RawHeader{Key: h.Key, Value: b})
	}
	var err error
	if raw.Key, err = safeBytes(func() ([]byte, error) {
		return p.Key.FromConnectData(rec.Topic, rec.Headers, rec.KeySchema, rec.Key)
	}); err != nil {
		raw.Key = tolerance.RenderValue(rec.Key)
	}
	if raw.Value, err = safeBytes(func() ([]byte, error) {
		return p.Value.FromConnectData(rec.Topic, rec.Headers, rec.ValueSchema, rec.Value)
	}); err != nil {
		raw.Value = tolerance.RenderValue(rec.Value)
	}
	return raw
}
