package wire

import (
	"context"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/examples/counting"
)

type noOffsets struct{}

func (noOffsets) Config() map[string]string { return nil }
func (noOffsets) OffsetStorageReader() connect.OffsetStorageReader {
	return noOffsets{}
}
func (noOffsets) Offset(context.Context, map[string]any) (map[string]any, error) { return nil, nil }

// BenchmarkBatch measures the codec alone on the example source's batches of
// 1000: the per-record CPU cost the process boundary adds on each side.
func BenchmarkBatch(b *testing.B) {
	task := &counting.SourceTask{}
	props := map[string]string{"topic": "t", "batch.size": "1000"}
	if err := task.Start(noOffsets{}, props); err != nil {
		b.Fatal(err)
	}
	recs, _ := task.Poll(context.Background())
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			pb, err := EncodeRecords(recs)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := proto.Marshal(pb); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
	})
	enc, _ := EncodeRecords(recs)
	raw, _ := proto.Marshal(enc)
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			var m = enc.ProtoReflect().New().Interface()
			if err := proto.Unmarshal(raw, m); err != nil {
				b.Fatal(err)
			}
			if _, err := DecodeRecords(enc); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("poll-in-process", func(b *testing.B) {
		for b.Loop() {
			task.Poll(context.Background())
		}
		b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
	})
}
