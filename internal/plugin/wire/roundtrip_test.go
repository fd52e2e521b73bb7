package wire

import (
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
)

var dataOpts = cmp.Options{
	cmp.Comparer(func(a, b *data.Schema) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b *data.Struct) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b data.Decimal) bool { return data.Equal(a, b) }),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
}

// viaBytes sends a message through its wire encoding, as the real transport does.
func viaBytes[M proto.Message](t *testing.T, m M, fresh M) M {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(b, fresh); err != nil {
		t.Fatal(err)
	}
	return fresh
}

func TestRecordsRoundTrip(t *testing.T) {
	inner := data.NewStructSchema("com.example.Inner", true,
		data.Field{Name: "b", Schema: data.BooleanSchema})
	full := &data.Schema{
		Type: data.TypeStruct, Name: "com.example.All", Version: data.Int32Ptr(3), Doc: data.StringPtr("every type"),
		Parameters: map[string]string{"p": "v"},
	}
	full.Fields = []data.Field{
		{Name: "i8", Index: 0, Schema: data.Int8Schema},
		{Name: "i16", Index: 1, Schema: data.Int16Schema},
		{Name: "i32", Index: 2, Schema: &data.Schema{Type: data.TypeInt32, Optional: true, Default: int32(7)}},
		{Name: "i64", Index: 3, Schema: data.Int64Schema},
		{Name: "f32", Index: 4, Schema: data.Float32Schema},
		{Name: "f64", Index: 5, Schema: data.Float64Schema},
		{Name: "bool", Index: 6, Schema: data.BooleanSchema},
		{Name: "str", Index: 7, Schema: data.OptionalStringSchema},
		{Name: "bytes", Index: 8, Schema: data.BytesSchema},
		{Name: "arr", Index: 9, Schema: data.NewArraySchema(data.StringSchema, false)},
		{Name: "smap", Index: 10, Schema: data.NewMapSchema(data.StringSchema, data.Int32Schema, false)},
		{Name: "imap", Index: 11, Schema: data.NewMapSchema(data.Int64Schema, inner, false)},
		{Name: "dec", Index: 12, Schema: data.DecimalSchema(3, false)},
		{Name: "date", Index: 13, Schema: data.DateSchema(false)},
		{Name: "time", Index: 14, Schema: data.TimeSchema(false)},
		{Name: "ts", Index: 15, Schema: data.TimestampSchema(false)},
		{Name: "inner", Index: 16, Schema: inner},
		{Name: "unset", Index: 17, Schema: &data.Schema{Type: data.TypeString, Optional: true, Default: "dflt"}},
	}
	v := data.NewStruct(full).
		Set("i8", int8(-8)).Set("i16", int16(-16)).Set("i32", int32(32)).Set("i64", int64(-1<<40)).
		Set("f32", float32(1.5)).Set("f64", 2.25).Set("bool", true).Set("str", "héllo").
		Set("bytes", []byte{0, 1, 255}).Set("arr", []any{"a", "b"}).
		Set("smap", map[string]any{"x": int32(1)}).
		Set("imap", map[any]any{int64(5): data.NewStruct(inner).Set("b", true)}).
		Set("dec", data.Decimal{Unscaled: big.NewInt(-123456), Scale: 3}).
		Set("date", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)).
		Set("time", time.UnixMilli(3_600_001).UTC()).
		Set("ts", time.UnixMilli(1_700_000_000_123).UTC()).
		Set("inner", data.NewStruct(inner).Set("b", false))
	recs := []*connect.Record{
		{
			Topic: "t", Partition: 3, KeySchema: data.OptionalStringSchema, Key: "k", ValueSchema: full, Value: v,
			Timestamp:       time.UnixMilli(1_700_000_000_000).UTC(),
			Headers:         []connect.Header{{Key: "h1", Schema: data.Int32Schema, Value: int32(1)}, {Key: "h2"}},
			SourcePartition: map[string]any{"file": "a"}, SourceOffset: map[string]any{"pos": int64(9)},
			Offset: 77, TimestampType: connect.CreateTime, OriginalTopic: "orig", OriginalPartition: 1, OriginalOffset: 76,
		},
		// Schemaless, nil key, same schema pointer reused: interned once.
		{Topic: "t", Value: map[string]any{"nested": []any{int64(1), nil, map[any]any{true: 1.5}}}},
		{Topic: "t", ValueSchema: full, Value: v, SourcePartition: map[string]any{}},
	}
	b, err := EncodeRecords(recs)
	if err != nil {
		t.Fatal(err)
	}
	// key, value, inner struct and header schemas, each once for 3 records
	if got := len(b.Schemas); got != 4 {
		t.Errorf("schemas in batch = %d, want 4 (interned by pointer)", got)
	}
	got, err := DecodeRecords(viaBytes(t, b, &pb.RecordBatch{}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(recs, got, dataOpts); diff != "" {
		t.Errorf("records differ after the round trip (-sent +got):\n%s", diff)
	}
	if st := got[0].Value.(*data.Struct); st.Get("unset") != "dflt" || st.GetWithoutDefault("unset") != nil {
		t.Errorf("unset field: Get = %v, GetWithoutDefault = %v; want the default and nil", st.Get("unset"), st.GetWithoutDefault("unset"))
	}
}

func TestErrorsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		retriable bool
		isData    bool
	}{
		{"plain", errors.New("boom"), false, false},
		{"retriable", &connect.RetriableError{Err: errors.New("later"), Backoff: time.Second}, true, false},
		{"data", data.Errorf("bad value"), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DecodeError(viaBytes(t, EncodeError(tc.err), &pb.Error{}))
			if got.Error() != tc.err.Error() {
				t.Errorf("message = %q, want %q", got.Error(), tc.err.Error())
			}
			if connect.IsRetriable(got) != tc.retriable {
				t.Errorf("retriable = %v, want %v", connect.IsRetriable(got), tc.retriable)
			}
			if errors.Is(got, data.ErrData) != tc.isData {
				t.Errorf("is ErrData = %v, want %v", errors.Is(got, data.ErrData), tc.isData)
			}
			var re *connect.RetriableError
			if tc.retriable && errors.As(got, &re) && re.Backoff != time.Second {
				t.Errorf("backoff = %v, want 1s", re.Backoff)
			}
		})
	}
	if DecodeError(EncodeError(nil)) != nil {
		t.Error("nil error does not stay nil")
	}
}

func TestConfigDefRoundTrip(t *testing.T) {
	def := config.NewDef().Define(
		config.Key{Name: "req", Type: config.String, Default: config.NoDefault, Importance: config.High, Doc: "d", Group: "g", OrderInGroup: 1, Width: config.WidthLong, Dependents: []string{"x"}},
		config.Key{Name: "n", Type: config.Int, Default: 5, Importance: config.Low},
		config.Key{Name: "l", Type: config.List, Default: []string{"a", "b"}, Importance: config.Medium, Internal: true},
		config.Key{Name: "p", Type: config.Password, Default: nil, Importance: config.Medium},
	)
	pd, err := EncodeDef(def)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeDef(viaBytes(t, pd, &pb.ConfigDef{}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(def.Keys(), got.Keys(), cmp.Comparer(func(a, b config.Key) bool {
		return cmp.Equal(a.Default, b.Default) && a.Name == b.Name && a.Type == b.Type && a.Required() == b.Required() &&
			a.Importance == b.Importance && a.Doc == b.Doc && a.Group == b.Group && a.OrderInGroup == b.OrderInGroup &&
			a.Width == b.Width && a.DisplayName == b.DisplayName && cmp.Equal(a.Dependents, b.Dependents) && a.Internal == b.Internal
	})); diff != "" {
		t.Errorf("keys differ (-sent +got):\n%s", diff)
	}

	vals := []config.Value{{Name: "n", Value: "5", RecommendedValues: []any{int32(1), "x"}, Errors: []string{"bad"}, Visible: true}, {Name: "p", Value: config.Secret{Value: "s"}}}
	pv, err := EncodeConfigValues(vals)
	if err != nil {
		t.Fatal(err)
	}
	gotVals, err := DecodeConfigValues(pv)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vals, gotVals); diff != "" {
		t.Errorf("values differ (-sent +got):\n%s", diff)
	}
}

func TestNegotiate(t *testing.T) {
	if v, err := Negotiate([]int{1, 2}, []int{2, 3}); err != nil || v != 2 {
		t.Errorf("Negotiate = %d, %v; want 2", v, err)
	}
	_, err := Negotiate([]int{1}, []int{2})
	if err == nil || err.Error() != "incompatible plugin protocol: the worker speaks version(s) [1], the plugin speaks [2]; rebuild the plugin against a pluginsdk that matches this worker" {
		t.Errorf("Negotiate error = %v", err)
	}
	line := FormatHandshake(1, "/tmp/x.sock")
	if v, s, err := ParseHandshake(line + "\n"); v != 1 || s != "/tmp/x.sock" || err != nil {
		t.Errorf("ParseHandshake(%q) = %d, %q, %v", line, v, s, err)
	}
	if _, _, err := ParseHandshake(FormatHandshakeError("no common version")); err == nil || err.Error() != "plugin refused the handshake: no common version" {
		t.Errorf("ParseHandshake(error line) error = %v", err)
	}
	if _, _, err := ParseHandshake("hello"); err == nil {
		t.Error("ParseHandshake accepted a line that is not a handshake")
	}
}

// TestTruncatedBatchIsAnError cuts a packed batch at every byte: decoding must
// fail cleanly, never panic or allocate without bound.
func TestTruncatedBatchIsAnError(t *testing.T) {
	s := data.NewStructSchema("s", false, data.Field{Name: "m", Schema: data.NewMapSchema(data.Int32Schema, data.BytesSchema, false)})
	recs := []*connect.Record{{Topic: "t", ValueSchema: s, Value: data.NewStruct(s).Set("m", map[any]any{int32(1): []byte("x")}),
		Headers: []connect.Header{{Key: "h", Value: "v"}}, SourcePartition: map[string]any{"p": int64(1)}, SourceOffset: map[string]any{"o": 2.5}}}
	b, err := EncodeRecords(recs)
	if err != nil {
		t.Fatal(err)
	}
	full := b.Records
	for i := range len(full) {
		b.Records = full[:i]
		if _, err := DecodeRecords(b); err == nil {
			t.Errorf("decoding %d of %d bytes succeeded", i, len(full))
		}
	}
	b.Records = append(append([]byte{}, full...), 0)
	if _, err := DecodeRecords(b); err == nil {
		t.Error("trailing bytes were accepted")
	}
}

// TestCommitsRoundTrip: CommitRecord calls, with and without metadata, come
// back in order and equal; a truncated buffer is an error, not a panic.
func TestCommitsRoundTrip(t *testing.T) {
	at := time.UnixMilli(1_700_000_000_123).UTC()
	want := []struct {
		seq int64
		md  *connect.RecordMetadata
	}{
		{1, &connect.RecordMetadata{Topic: "t", Partition: 3, Offset: 42, Timestamp: at}},
		{2, nil},
		{1 << 40, &connect.RecordMetadata{Topic: "other", Partition: 0, Offset: -1}},
	}
	var b []byte
	for _, c := range want {
		b = AppendCommit(b, c.seq, c.md)
	}
	i := 0
	err := RangeCommits(b, func(seq int64, md *connect.RecordMetadata) error {
		if i >= len(want) {
			t.Fatalf("more commits than appended")
		}
		if seq != want[i].seq || !cmp.Equal(md, want[i].md) {
			t.Errorf("commit %d = %d %+v, want %d %+v", i, seq, md, want[i].seq, want[i].md)
		}
		i++
		return nil
	})
	if err != nil || i != len(want) {
		t.Fatalf("RangeCommits: %v after %d commits", err, i)
	}
	if err := RangeCommits(b[:len(b)-3], func(int64, *connect.RecordMetadata) error { return nil }); err == nil {
		t.Error("truncated commits decoded without error")
	}
}
