package wire

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/recordpath"
)

var kgoOpts = cmp.Options{
	cmpopts.IgnoreUnexported(kgo.Record{}, kgo.RecordAttrs{}),
	cmpopts.IgnoreFields(kgo.Record{}, "Attrs", "Context"),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
}

// TestConvertedRoundTrip: source records after the plugin's record path keep
// their source partition and offset (a shared partition map stays shared),
// dropped records stay dropped, and null keys, values and header values stay
// null while empty ones stay empty.
func TestConvertedRoundTrip(t *testing.T) {
	part := map[string]any{"file": "a.txt"}
	recs := []*connect.Record{
		{SourcePartition: part, SourceOffset: map[string]any{"position": int64(1)}},
		{SourcePartition: part, SourceOffset: map[string]any{"position": int64(2)}},
		{SourcePartition: map[string]any{"file": "b.txt"}, SourceOffset: map[string]any{"position": int64(7)}},
		{}, // no source coordinates
	}
	ts := time.UnixMilli(1_700_000_000_123).UTC()
	krs := []*kgo.Record{
		{Topic: "t", Partition: -1, Timestamp: ts, Key: []byte("k1"), Value: []byte(`{"a":1}`),
			Headers: []kgo.RecordHeader{{Key: "h", Value: []byte("v")}, {Key: "null", Value: nil}, {Key: "empty", Value: []byte{}}}},
		nil, // dropped by a transformation
		{Topic: "u", Partition: 3, Key: nil, Value: []byte{}},
		{Topic: "t", Partition: 0, Key: []byte{}, Value: nil},
	}
	b, err := EncodeConverted([]byte("reused"), recs, krs)
	b = b[len("reused"):]
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeConverted(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("decoded %d records, want %d", len(got), len(recs))
	}
	for i, c := range got {
		if diff := cmp.Diff(recs[i].SourcePartition, c.Source.SourcePartition); diff != "" {
			t.Errorf("record %d source partition (-want +got):\n%s", i, diff)
		}
		if diff := cmp.Diff(recs[i].SourceOffset, c.Source.SourceOffset); diff != "" {
			t.Errorf("record %d source offset (-want +got):\n%s", i, diff)
		}
		if diff := cmp.Diff(krs[i], c.Kafka, kgoOpts); diff != "" {
			t.Errorf("record %d (-want +got):\n%s", i, diff)
		}
		if c.Kafka != nil && ((krs[i].Key == nil) != (c.Kafka.Key == nil) || (krs[i].Value == nil) != (c.Kafka.Value == nil)) {
			t.Errorf("record %d: null and empty differ: key %v→%v value %v→%v", i, krs[i].Key, c.Kafka.Key, krs[i].Value, c.Kafka.Value)
		}
	}
	if got[0].Kafka.Headers[1].Value != nil || got[0].Kafka.Headers[2].Value == nil {
		t.Errorf("header values null/empty not kept: %#v", got[0].Kafka.Headers)
	}
	// The shared partition is decoded once and shared, as the task handed it.
	got[0].Source.SourcePartition["x"] = 1
	if got[1].Source.SourcePartition["x"] != 1 {
		t.Error("records of one source partition do not share the decoded map")
	}
	if _, err := DecodeConverted(b[:len(b)-1], 0); err == nil {
		t.Error("truncated batch decoded without error")
	}
}

// TestRawRoundTrip: consumed records cross with their coordinates, timestamp
// type and null/empty distinctions.
func TestRawRoundTrip(t *testing.T) {
	ts := time.UnixMilli(1_700_000_000_456).UTC()
	krs := []*kgo.Record{
		{Topic: "t", Partition: 2, Offset: 41, Timestamp: ts, Key: []byte("k"), Value: []byte("v"),
			Headers: []kgo.RecordHeader{{Key: "h", Value: nil}}},
		{Topic: "t2", Partition: 0, Offset: 0, Timestamp: ts, Key: nil, Value: nil},
	}
	got, err := DecodeRaw(EncodeRaw(krs))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("decoded %d records", len(got))
	}
	for i, r := range got {
		if diff := cmp.Diff(krs[i], r.Kafka, kgoOpts); diff != "" {
			t.Errorf("record %d (-want +got):\n%s", i, diff)
		}
		if want := recordpath.TimestampType(krs[i]); r.TimestampType != want {
			t.Errorf("record %d timestamp type %v, want %v", i, r.TimestampType, want)
		}
	}
	if got[0].Kafka.Headers[0].Value != nil || got[1].Kafka.Key != nil || got[1].Kafka.Value != nil {
		t.Error("null key, value or header value decoded as non-null")
	}
}
