package jdbc

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// fakeSinkContext is a SinkTaskContext with an optional errant record reporter.
type fakeSinkContext struct {
	props    map[string]string
	reporter *fakeReporter
	timeout  time.Duration
}

func (c *fakeSinkContext) Config() map[string]string               { return c.props }
func (c *fakeSinkContext) Offset(map[connect.TopicPartition]int64) {}
func (c *fakeSinkContext) Timeout(d time.Duration)                 { c.timeout = d }
func (c *fakeSinkContext) Assignment() []connect.TopicPartition    { return nil }
func (c *fakeSinkContext) Pause(...connect.TopicPartition)         {}
func (c *fakeSinkContext) Resume(...connect.TopicPartition)        {}
func (c *fakeSinkContext) RequestCommit()                          {}
func (c *fakeSinkContext) ErrantRecordReporter() connect.ErrantRecordReporter {
	if c.reporter == nil {
		return nil // a typed nil would not be nil to the task
	}
	return c.reporter
}

type fakeReporter struct {
	mu      sync.Mutex
	records []*connect.Record
	errs    []error
}

func (r *fakeReporter) Report(_ context.Context, rec *connect.Record, err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
	r.errs = append(r.errs, err)
	return nil
}

// startSink starts a sink task with props (connection.url added).
func startSink(t *testing.T, url string, props map[string]string, rep *fakeReporter) *SinkTask {
	t.Helper()
	p := map[string]string{ConnectionURLConfig: url}
	for k, v := range props {
		p[k] = v
	}
	task := &SinkTask{}
	if err := task.Start(&fakeSinkContext{props: p, reporter: rep}, p); err != nil {
		t.Fatalf("start sink: %v", err)
	}
	t.Cleanup(func() { task.Stop() })
	return task
}

// openTestDB opens the database behind a JDBC URL as the connectors do.
func openTestDB(t testing.TB, url string) (*sql.DB, dialect) {
	t.Helper()
	u, err := parseURL(url, "", "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := dialectFor("", u)
	if err != nil {
		t.Fatal(err)
	}
	db, err := openDB(d, u, connConfig{attempts: 1, tz: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, d
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// queryRows returns every row of q as normalised strings (see norm), so one
// expectation serves every database.
func queryRows(t *testing.T, db *sql.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		r := make([]string, len(cols))
		for i, v := range vals {
			r[i] = norm(v)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// norm renders a scanned value the same way whatever the driver returned:
// booleans as 1/0, times as 2006-01-02T15:04:05.000, JSON re-encoded with sorted
// keys, bytes as text.
func norm(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case []byte:
		return normString(string(x))
	case string:
		return normString(x)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case time.Time:
		return x.Format("2006-01-02T15:04:05.000")
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return fmt.Sprint(v)
}

func normString(s string) string {
	switch s {
	case "true", "t":
		return "1"
	case "false", "f":
		return "0"
	}
	if strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
		var v any
		if json.Unmarshal([]byte(s), &v) == nil {
			b, _ := json.Marshal(v)
			return string(b)
		}
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if tm, err := time.Parse(l, s); err == nil {
			return tm.Format("2006-01-02T15:04:05.000")
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && strings.ContainsAny(s, ".eE") {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return s
}

// allTypesSchema has a field of every Connect type, logical types included.
func allTypesSchema(optionalExtra bool) *data.Schema {
	inner := data.NewStructSchema("inner", true,
		data.Field{Name: "a", Schema: data.Int32Schema}, data.Field{Name: "b", Schema: data.OptionalStringSchema})
	fields := []data.Field{
		{Name: "id", Schema: data.Int64Schema},
		{Name: "i8", Schema: data.Int8Schema},
		{Name: "i16", Schema: data.Int16Schema},
		{Name: "i32", Schema: data.Int32Schema},
		{Name: "f32", Schema: data.Float32Schema},
		{Name: "f64", Schema: data.Float64Schema},
		{Name: "flag", Schema: data.BooleanSchema},
		{Name: "s", Schema: data.StringSchema},
		{Name: "raw", Schema: data.BytesSchema},
		{Name: "amt", Schema: data.DecimalSchema(2, false)},
		{Name: "day", Schema: data.DateSchema(false)},
		{Name: "tod", Schema: data.TimeSchema(false)},
		{Name: "ts", Schema: data.TimestampSchema(false)},
		{Name: "arr", Schema: data.NewArraySchema(data.Int32Schema, true)},
		{Name: "m", Schema: data.NewMapSchema(data.StringSchema, data.Int64Schema, true)},
		{Name: "st", Schema: inner},
		{Name: "opt", Schema: data.OptionalStringSchema},
	}
	if optionalExtra {
		fields = append(fields, data.Field{Name: "extra", Schema: data.OptionalInt64Schema})
	}
	return data.NewStructSchema("row", false, fields...)
}

func allTypesValue(s *data.Schema, id int64) *data.Struct {
	inner := s.Field("st").Schema
	v := data.NewStruct(s).
		Set("id", id).Set("i8", int8(-8)).Set("i16", int16(1600)).Set("i32", int32(320000)).
		Set("f32", float32(1.5)).Set("f64", 2.25).Set("flag", true).Set("s", "héllo 'q'").
		Set("raw", []byte("bin\x01")).
		Set("amt", data.Decimal{Unscaled: big.NewInt(-12345), Scale: 2}).
		Set("day", time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)).
		Set("tod", time.Date(1970, 1, 1, 10, 11, 12, 345e6, time.UTC)).
		Set("ts", time.Date(2024, 3, 5, 10, 11, 12, 345e6, time.UTC)).
		Set("arr", []any{int32(1), int32(2)}).
		Set("m", map[any]any{"k": int64(7)}).
		Set("st", data.NewStruct(inner).Set("a", int32(1)).Set("b", "x"))
	if s.Field("extra") != nil {
		v.Set("extra", id*10)
	}
	return v
}

// allTypesWant is what allTypesValue reads back as, through norm.
func allTypesWant(id int64) []string {
	return []string{strconv.FormatInt(id, 10), "-8", "1600", "320000", "1.5", "2.25", "1", "héllo 'q'", "bin\x01", "-123.45",
		"2024-03-05T00:00:00.000", "10:11:12.345", "2024-03-05T10:11:12.345", "[1,2]", `{"k":7}`, `{"a":1,"b":"x"}`, "<nil>"}
}

const allTypesCols = "id, i8, i16, i32, f32, f64, flag, s, raw, amt, day, tod, ts, arr, m, st, opt"

func sinkRecord(topic string, offset int64, ks *data.Schema, key any, vs *data.Schema, value any) *connect.Record {
	return &connect.Record{Topic: topic, Partition: 0, Offset: offset, KeySchema: ks, Key: key, ValueSchema: vs, Value: value, OriginalTopic: topic}
}

func bigInt(n int64) *big.Int { return big.NewInt(n) }

func sortRows(rows [][]string) [][]string {
	sort.Slice(rows, func(i, j int) bool { return strings.Join(rows[i], "\x00") < strings.Join(rows[j], "\x00") })
	return rows
}
