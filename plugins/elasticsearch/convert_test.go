package elasticsearch

import (
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

func testConfig(t *testing.T, extra map[string]string) *sinkConfig {
	t.Helper()
	props := map[string]string{"connection.url": "localhost:9200"}
	for k, v := range extra {
		props[k] = v
	}
	c, err := parseSinkConfig(props)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	c := testConfig(t, nil)
	got := map[string]any{
		"urls": c.urls, "batch": c.batchSize, "inflight": c.maxInFlight, "buffered": c.maxBuffered,
		"linger": c.linger, "flush": c.flushTimeout, "retries": c.maxRetries, "backoff": c.retryBackoff,
		"connect": c.connectTimeout, "read": c.readTimeout, "null": c.onNull, "malformed": c.onMalformed,
		"method": c.writeMethod, "compact": c.compactMaps, "bulkBytes": c.bulkSizeBytes,
	}
	want := map[string]any{
		"urls": []string{"http://localhost:9200"}, "batch": 2000, "inflight": 5, "buffered": 20000,
		"linger": time.Millisecond, "flush": 3 * time.Minute, "retries": 5, "backoff": 100 * time.Millisecond,
		"connect": time.Second, "read": 3 * time.Second, "null": "fail", "malformed": "fail",
		"method": "insert", "compact": true, "bulkBytes": int64(5 << 20),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("defaults (-want +got):\n%s", d)
	}
}

func TestConfigCrossField(t *testing.T) {
	for name, props := range map[string]map[string]string{
		"username without password": {"connection.username": "u"},
		"upsert into data stream":   {"data.stream.type": "logs", "data.stream.dataset": "d", "write.method": "upsert"},
		"type without dataset":      {"data.stream.type": "logs"},
		"timestamp without stream":  {"data.stream.timestamp.field": "ts"},
		"bad url":                   {"connection.url": "ftp://x"},
	} {
		props["connection.url"] = map[bool]string{true: props["connection.url"], false: "http://h:9200"}[props["connection.url"] != ""]
		if _, err := parseSinkConfig(props); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestIndexName(t *testing.T) {
	for topic, want := range map[string]string{"Orders": "orders", "_x": "x", "-Y": "y", ".": "dot", "..": "dotdot"} {
		if got := indexForTopic(topic); got != want {
			t.Errorf("index for %q = %q, want %q", topic, got, want)
		}
	}
	c := converter{cfg: testConfig(t, map[string]string{"data.stream.type": "logs", "data.stream.dataset": "app"})}
	if got, _ := c.indexName("Topic"); got != "logs-app-topic" {
		t.Errorf("data stream name %q", got)
	}
}

func rec(key, value any, ks, vs *data.Schema) *connect.Record {
	return &connect.Record{Topic: "T", Partition: 2, Offset: 7, Key: key, KeySchema: ks, Value: value, ValueSchema: vs, OriginalTopic: "T"}
}

func TestConvertActions(t *testing.T) {
	valSchema := data.NewStructSchema("v", false,
		data.Field{Name: "id", Schema: &data.Schema{Type: data.TypeInt32}},
		data.Field{Name: "price", Schema: data.DecimalSchema(2, false)},
		data.Field{Name: "day", Schema: data.DateSchema(true)},
		data.Field{Name: "m", Schema: data.NewMapSchema(&data.Schema{Type: data.TypeInt32}, &data.Schema{Type: data.TypeString}, true)},
		data.Field{Name: "opt", Schema: &data.Schema{Type: data.TypeString, Optional: true, Default: "dflt"}},
	)
	st := data.NewStruct(valSchema).Set("id", int32(1)).Set("price", data.Decimal{Unscaled: big.NewInt(1234), Scale: 2}).
		Set("day", time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)).Set("m", map[any]any{int32(1): "a"})
	for _, tc := range []struct {
		name  string
		props map[string]string
		r     *connect.Record
		want  string // "" = skipped
		bad   bool
	}{
		{name: "insert with key and external version", r: rec("k", map[string]any{"a": int64(1), "b": "x\"y"}, nil, nil),
			want: `{"index":{"_index":"t","_id":"k","version":7,"version_type":"external"}}` + "\n" + `{"a":1,"b":"x\"y"}` + "\n"},
		{name: "key ignored", props: map[string]string{"key.ignore": "true"}, r: rec(nil, []any{true}, nil, nil),
			want: `{"index":{"_index":"t","_id":"T+2+7"}}` + "\n[true]\n"},
		{name: "struct with logical types", r: rec(int64(42), st, nil, valSchema),
			want: `{"index":{"_index":"t","_id":"42","version":7,"version_type":"external"}}` + "\n" +
				`{"id":1,"price":12.34,"day":1704153600000,"m":[{"key":1,"value":"a"}],"opt":"dflt"}` + "\n"},
		{name: "upsert", props: map[string]string{"write.method": "upsert"}, r: rec("k", map[string]any{"a": 1.5}, nil, nil),
			want: `{"update":{"_index":"t","_id":"k","retry_on_conflict":5}}` + "\n" + `{"doc":{"a":1.5},"doc_as_upsert":true}` + "\n"},
		{name: "tombstone deleted", props: map[string]string{"behavior.on.null.values": "delete"}, r: rec("k", nil, nil, nil),
			want: `{"delete":{"_index":"t","_id":"k","version":7,"version_type":"external"}}` + "\n"},
		{name: "tombstone without key skipped", props: map[string]string{"behavior.on.null.values": "delete"}, r: rec(nil, nil, nil, nil)},
		{name: "tombstone ignored", props: map[string]string{"behavior.on.null.values": "ignore"}, r: rec("k", nil, nil, nil)},
		{name: "tombstone fails", r: rec("k", nil, nil, nil), bad: true},
		{name: "null key", r: rec(nil, map[string]any{}, nil, nil), bad: true},
		{name: "map key", r: rec(map[string]any{"a": 1}, map[string]any{}, nil, nil), bad: true},
		{name: "data stream", props: map[string]string{"data.stream.type": "logs", "data.stream.dataset": "d"},
			r:    &connect.Record{Topic: "T", Offset: 1, Key: "k", Value: map[string]any{"a": int64(1)}, Timestamp: time.UnixMilli(5)},
			want: `{"create":{"_index":"logs-d-t","_id":"k"}}` + "\n" + `{"@timestamp":5,"a":1}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{}
			for k, v := range tc.props {
				props[k] = v
			}
			c := converter{cfg: testConfig(t, props)}
			a, err := c.convert(tc.r)
			if tc.bad {
				if !errors.Is(err, connect.ErrData) {
					t.Fatalf("err = %v, want a data error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if a != nil {
				got = string(a.lines)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("bulk lines (-want +got):\n%s", d)
			}
		})
	}
}

func TestMapping(t *testing.T) {
	s := data.NewStructSchema("v", false,
		data.Field{Name: "b", Schema: &data.Schema{Type: data.TypeBoolean, Default: true}},
		data.Field{Name: "s", Schema: &data.Schema{Type: data.TypeString}},
		data.Field{Name: "ts", Schema: data.TimestampSchema(true)},
		data.Field{Name: "d", Schema: data.DecimalSchema(2, true)},
		data.Field{Name: "arr", Schema: data.NewArraySchema(&data.Schema{Type: data.TypeInt16}, true)},
		data.Field{Name: "m", Schema: data.NewMapSchema(&data.Schema{Type: data.TypeString}, &data.Schema{Type: data.TypeInt8}, true)},
		data.Field{Name: "in", Schema: data.NewStructSchema("in", true, data.Field{Name: "x", Schema: &data.Schema{Type: data.TypeBytes}})},
	)
	want := `{"properties":{"b":{"type":"boolean","null_value":true},` +
		`"s":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}},` +
		`"ts":{"type":"date"},"d":{"type":"double"},"arr":{"type":"short"},"m":{"type":"object"},` +
		`"in":{"properties":{"x":{"type":"binary"}}}}}`
	if d := cmp.Diff(want, string(mapping(s, true))); d != "" {
		t.Errorf("mapping (-want +got):\n%s", d)
	}
	if mapping(&data.Schema{Type: data.TypeString}, true) != nil {
		t.Error("mapping of a primitive value schema")
	}
}

func TestAppendString(t *testing.T) {
	got := string(appendString(nil, "a\x01\n\"\\é\xff"))
	// Jackson's escaping (shared with jsonconv): invalid UTF-8 is written as the
	// replacement character itself, which is the same JSON string as \ufffd.
	if want := "\"a\\u0001\\n\\\"\\\\é\uFFFD\""; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
