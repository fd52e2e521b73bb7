package jdbc

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// memOffsets is an OffsetStorageReader over committed offsets, keyed by the JSON
// of the partition (as the runtime's offset store keys them).
type memOffsets map[string]map[string]any

func (m memOffsets) Offset(_ context.Context, p map[string]any) (map[string]any, error) {
	b, _ := json.Marshal(p)
	return m[string(b)], nil
}

// commit records the offsets of delivered records, as the runtime does after
// Kafka acknowledged them; values go through JSON like a real offset store.
func (m memOffsets) commit(recs []*connect.Record) {
	for _, r := range recs {
		if r.SourceOffset == nil {
			continue
		}
		k, _ := json.Marshal(r.SourcePartition)
		b, _ := json.Marshal(r.SourceOffset)
		var off map[string]any
		_ = json.Unmarshal(b, &off)
		m[string(k)] = off
	}
}

type fakeSourceContext struct {
	props   map[string]string
	offsets memOffsets
}

func (c *fakeSourceContext) Config() map[string]string                        { return c.props }
func (c *fakeSourceContext) OffsetStorageReader() connect.OffsetStorageReader { return c.offsets }

type fakeConnectorContext struct{ reconfigs chan struct{} }

func (c *fakeConnectorContext) RequestTaskReconfiguration() {
	select {
	case c.reconfigs <- struct{}{}:
	default:
	}
}
func (c *fakeConnectorContext) RaiseError(error) {}

func startSource(t *testing.T, url string, props map[string]string, offsets memOffsets) *SourceTask {
	t.Helper()
	p := map[string]string{ConnectionURLConfig: url, PollIntervalConfig: "20"}
	for k, v := range props {
		p[k] = v
	}
	task := &SourceTask{}
	if err := task.Start(&fakeSourceContext{props: p, offsets: offsets}, p); err != nil {
		t.Fatalf("start source: %v", err)
	}
	t.Cleanup(func() { task.Stop() })
	return task
}

// pollN polls until n records came (failing after 10 s), then polls once more
// briefly to catch extra records.
func pollN(t *testing.T, task *SourceTask, n int, offsets memOffsets) []*connect.Record {
	t.Helper()
	var out []*connect.Record
	deadline := time.Now().Add(10 * time.Second)
	for len(out) < n && time.Now().Before(deadline) {
		recs, err := task.Poll(context.Background())
		if err != nil {
			t.Fatalf("poll: %v", err)
		}
		offsets.commit(recs)
		out = append(out, recs...)
	}
	if len(out) < n {
		t.Fatalf("got %d records, want %d", len(out), n)
	}
	return out
}

// pollNone checks that no record comes within a few poll intervals.
func pollNone(t *testing.T, task *SourceTask) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	for ctx.Err() == nil {
		recs, err := task.Poll(ctx)
		if err != nil {
			t.Fatalf("poll: %v", err)
		}
		if len(recs) > 0 {
			t.Fatalf("unexpected records: %v", recs[0].Value)
		}
	}
}

func ids(recs []*connect.Record, field string) []string {
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprint(r.Value.(*data.Struct).Get(field)))
	}
	return out
}

// runSourceSuite runs the source tests against one database.
func runSourceSuite(t *testing.T, url, prefix string, tsType string) {
	db, d := openTestDB(t, url)
	b := &sqlBuilder{d: d, quote: false}
	create := func(t *testing.T, name, cols string) {
		mustExec(t, db, "DROP TABLE IF EXISTS "+name)
		mustExec(t, db, "CREATE TABLE "+name+" ("+cols+")")
	}
	insert := func(t *testing.T, name string, id int, ts time.Time, v string) {
		t.Helper()
		arg, _ := d.bind(clsTimestamp, ts, time.UTC)
		mustExec(t, db, b.insert(parseTableID(name), []string{"id", "ts", "v"}, 1), id, arg, v)
	}
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	cols := "id INT NOT NULL PRIMARY KEY, ts " + tsType + " NOT NULL, v VARCHAR(20)"

	t.Run("Bulk", func(t *testing.T) {
		tbl := prefix + "src_bulk"
		create(t, tbl, cols)
		insert(t, tbl, 1, base, "a")
		insert(t, tbl, 2, base, "b")
		offs := memOffsets{}
		task := startSource(t, url, map[string]string{ModeConfig: "bulk", TopicPrefixConfig: "p_", tablesConfig: tbl}, offs)
		recs := pollN(t, task, 2, offs)
		if got := ids(recs, "id"); !cmp.Equal(got, []string{"1", "2"}) {
			t.Errorf("ids %v", got)
		}
		r := recs[0]
		if r.Topic != "p_"+tbl || r.SourceOffset != nil || r.ValueSchema.Name != tbl {
			t.Errorf("record %+v", r)
		}
		if r.SourcePartition[partitionProtocolKey] != "1" || !strings.HasSuffix(r.SourcePartition[partitionTableKey].(string), tbl) {
			t.Errorf("partition %v", r.SourcePartition)
		}
		// Bulk reads the whole table again after poll.interval.ms.
		recs = pollN(t, task, 2, offs)
		if got := ids(recs, "id"); !cmp.Equal(got, []string{"1", "2"}) {
			t.Errorf("second pass ids %v", got)
		}
	})

	t.Run("Incrementing", func(t *testing.T) {
		tbl := prefix + "src_inc"
		create(t, tbl, cols)
		for i := 1; i <= 5; i++ {
			insert(t, tbl, i, base, fmt.Sprint("v", i))
		}
		offs := memOffsets{}
		props := map[string]string{ModeConfig: "incrementing", IncrementingColumnConfig: "id", TopicPrefixConfig: "p_", tablesConfig: tbl, BatchMaxRowsConfig: "2"}
		task := startSource(t, url, props, offs)
		recs := pollN(t, task, 5, offs)
		if got := ids(recs, "id"); !cmp.Equal(got, []string{"1", "2", "3", "4", "5"}) {
			t.Errorf("ids %v", got)
		}
		if diff := cmp.Diff(map[string]any{"incrementing": int64(5)}, recs[4].SourceOffset); diff != "" {
			t.Errorf("offset (-want +got):\n%s", diff)
		}
		pollNone(t, task)
		insert(t, tbl, 6, base, "v6")
		if got := ids(pollN(t, task, 1, offs), "id"); !cmp.Equal(got, []string{"6"}) {
			t.Errorf("new row ids %v", got)
		}
		// A restarted task resumes from the committed offset: nothing twice.
		task.Stop()
		insert(t, tbl, 7, base, "v7")
		task = startSource(t, url, props, offs)
		if got := ids(pollN(t, task, 1, offs), "id"); !cmp.Equal(got, []string{"7"}) {
			t.Errorf("after restart ids %v", got)
		}
		pollNone(t, task)
	})

	t.Run("Timestamp", func(t *testing.T) {
		tbl := prefix + "src_ts"
		create(t, tbl, cols)
		insert(t, tbl, 1, base, "a")
		insert(t, tbl, 2, base.Add(time.Second), "b")
		offs := memOffsets{}
		props := map[string]string{ModeConfig: "timestamp", TimestampColumnConfig: "ts", TopicPrefixConfig: "p_", tablesConfig: tbl}
		task := startSource(t, url, props, offs)
		recs := pollN(t, task, 2, offs)
		if got := ids(recs, "id"); !cmp.Equal(got, []string{"1", "2"}) {
			t.Errorf("ids %v", got)
		}
		wantTS := base.Add(time.Second)
		if diff := cmp.Diff(map[string]any{"timestamp": wantTS.UnixMilli(), "timestamp_nanos": int64(0)}, recs[1].SourceOffset); diff != "" {
			t.Errorf("offset (-want +got):\n%s", diff)
		}
		if got := recs[1].Value.(*data.Struct).Get("ts"); !cmp.Equal(got, wantTS) {
			t.Errorf("ts = %v, want %v", got, wantTS)
		}
		pollNone(t, task)
		// An update that moves the timestamp forward is read again.
		arg, _ := d.bind(clsTimestamp, base.Add(time.Minute), time.UTC)
		mustExec(t, db, "UPDATE "+tbl+" SET ts = "+d.placeholder(1)+", v = 'a2' WHERE id = 1", arg)
		if got := ids(pollN(t, task, 1, offs), "v"); !cmp.Equal(got, []string{"a2"}) {
			t.Errorf("updated row %v", got)
		}
		task.Stop()
		task = startSource(t, url, props, offs)
		pollNone(t, task)
	})

	t.Run("TimestampIncrementing", func(t *testing.T) {
		tbl := prefix + "src_tsinc"
		create(t, tbl, cols)
		// Five rows share a timestamp: a batch boundary inside them must lose none.
		for i := 1; i <= 5; i++ {
			insert(t, tbl, i, base, fmt.Sprint("v", i))
		}
		offs := memOffsets{}
		props := map[string]string{ModeConfig: "timestamp+incrementing", TimestampColumnConfig: "ts", IncrementingColumnConfig: "id", TopicPrefixConfig: "p_", tablesConfig: tbl, BatchMaxRowsConfig: "2"}
		task := startSource(t, url, props, offs)
		recs := pollN(t, task, 2, offs)
		task.Stop() // stop mid-way: only 2 of 5 were delivered
		task = startSource(t, url, props, offs)
		recs = append(recs, pollN(t, task, 3, offs)...)
		if got := ids(recs, "id"); !cmp.Equal(got, []string{"1", "2", "3", "4", "5"}) {
			t.Errorf("ids %v", got)
		}
		if diff := cmp.Diff(map[string]any{"incrementing": int64(5), "timestamp": base.UnixMilli(), "timestamp_nanos": int64(0)}, recs[4].SourceOffset); diff != "" {
			t.Errorf("offset (-want +got):\n%s", diff)
		}
		insert(t, tbl, 6, base, "late, same timestamp")
		insert(t, tbl, 7, base.Add(time.Hour), "later")
		if got := ids(pollN(t, task, 2, offs), "id"); !cmp.Equal(got, []string{"6", "7"}) {
			t.Errorf("new rows %v", got)
		}
		pollNone(t, task)
	})

	t.Run("QueryWithSuffix", func(t *testing.T) {
		tbl := prefix + "src_query"
		create(t, tbl, cols)
		for i := 1; i <= 4; i++ {
			insert(t, tbl, i, base, fmt.Sprint("v", i))
		}
		offs := memOffsets{}
		task := startSource(t, url, map[string]string{ModeConfig: "incrementing", IncrementingColumnConfig: "id", TopicPrefixConfig: "q_topic",
			QueryConfig: "SELECT id, v FROM " + tbl, QuerySuffixConfig: "LIMIT 3"}, offs)
		recs := pollN(t, task, 3, offs)
		if got := ids(recs, "v"); !cmp.Equal(got, []string{"v1", "v2", "v3"}) {
			t.Errorf("values %v", got)
		}
		if recs[0].Topic != "q_topic" || !cmp.Equal(recs[0].SourcePartition, map[string]any{"query": "query"}) {
			t.Errorf("record %+v", recs[0])
		}
		if got := ids(pollN(t, task, 1, offs), "v"); !cmp.Equal(got, []string{"v4"}) {
			t.Errorf("next values %v", got)
		}
	})

	t.Run("AutoIncrementDetected", func(t *testing.T) {
		tbl := prefix + "src_autoinc"
		mustExec(t, db, "DROP TABLE IF EXISTS "+tbl)
		mustExec(t, db, "CREATE TABLE "+tbl+" (id "+autoIncType(d)+", v VARCHAR(10))")
		for _, v := range []string{"a", "b"} {
			mustExec(t, db, "INSERT INTO "+tbl+" (v) VALUES ('"+v+"')")
		}
		offs := memOffsets{}
		task := startSource(t, url, map[string]string{ModeConfig: "incrementing", TopicPrefixConfig: "p_", tablesConfig: tbl}, offs)
		recs := pollN(t, task, 2, offs)
		if got := ids(recs, "v"); !cmp.Equal(got, []string{"a", "b"}) {
			t.Errorf("values %v", got)
		}
		if recs[1].SourceOffset["incrementing"] != int64(2) {
			t.Errorf("offset %v", recs[1].SourceOffset)
		}
	})

	t.Run("NullableColumnRejected", func(t *testing.T) {
		tbl := prefix + "src_nullable"
		create(t, tbl, "id INT NULL, v VARCHAR(10)")
		p := map[string]string{ConnectionURLConfig: url, ModeConfig: "incrementing", IncrementingColumnConfig: "id", TopicPrefixConfig: "x", tablesConfig: tbl}
		err := (&SourceTask{}).Start(&fakeSourceContext{props: p, offsets: memOffsets{}}, p)
		if err == nil || !strings.Contains(err.Error(), "nullable") {
			t.Errorf("err = %v", err)
		}
		p[ValidateNonNullConfig] = "false"
		task := &SourceTask{}
		if err := task.Start(&fakeSourceContext{props: p, offsets: memOffsets{}}, p); err != nil {
			t.Errorf("validate.non.null=false: %v", err)
		}
		task.Stop()
	})

	t.Run("AllTypesRoundTrip", func(t *testing.T) {
		// The sink creates a table of every type; the source reads it back.
		tbl := prefix + "src_alltypes"
		mustExec(t, db, "DROP TABLE IF EXISTS "+tbl)
		sink := startSink(t, url, map[string]string{TableConfig: tbl, AutoCreateConfig: "true", PKModeConfig: "record_value", PKFieldsConfig: "id"}, nil)
		s := allTypesSchema(false)
		if err := sink.Put(context.Background(), []*connect.Record{sinkRecord("t", 0, nil, nil, s, allTypesValue(s, 1))}); err != nil {
			t.Fatal(err)
		}
		offs := memOffsets{}
		task := startSource(t, url, map[string]string{ModeConfig: "bulk", TopicPrefixConfig: "", tablesConfig: tbl}, offs)
		st := pollN(t, task, 1, offs)[0].Value.(*data.Struct)
		got := map[string]string{}
		for _, f := range st.Schema().Fields {
			got[f.Name] = norm(st.Get(f.Name))
		}
		want := map[string]string{"id": "1", "i8": "-8", "i16": "1600", "i32": "320000", "f32": "1.5", "f64": "2.25", "flag": "1",
			"s": "héllo 'q'", "raw": "bin\x01", "tod": "1970-01-01T10:11:12.345", "ts": "2024-03-05T10:11:12.345",
			"arr": "[1,2]", "m": `{"k":7}`, "st": `{"a":1,"b":"x"}`, "opt": "<nil>"}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %q, want %q", k, got[k], w)
			}
		}
		// PostgreSQL's auto-created DECIMAL has no scale: read as Decimal(127).
		if a := st.Get("amt"); norm(a) != "-123.45" && !(isDecimal(a) && a.(data.Decimal).Rat().Cmp(big.NewRat(-12345, 100)) == 0) {
			t.Errorf("amt = %v", a)
		}
	})
	t.Run("TableTypesAndPatterns", func(t *testing.T) {
		// table.types, schema.pattern (PostgreSQL) and catalog.pattern (MySQL's
		// databases) narrow the tables the connector finds.
		mustExec(t, db, "DROP VIEW IF EXISTS disc_v")
		mustExec(t, db, "DROP TABLE IF EXISTS disc_t")
		mustExec(t, db, "CREATE TABLE disc_t (id INT)")
		mustExec(t, db, "CREATE VIEW disc_v AS SELECT id FROM disc_t")
		var q string // how the connected database qualifies disc_t
		switch d.(type) {
		case postgresDialect:
			q = "public."
			mustExec(t, db, "DROP SCHEMA IF EXISTS disc_s CASCADE")
			mustExec(t, db, "CREATE SCHEMA disc_s")
			mustExec(t, db, "CREATE TABLE disc_s.disc_t2 (id INT)")
		case mysqlDialect:
			q = "test."
			mustExec(t, db, "DROP DATABASE IF EXISTS disc_db")
			mustExec(t, db, "CREATE DATABASE disc_db")
			mustExec(t, db, "CREATE TABLE disc_db.disc_t2 (id INT)")
		}
		list := func(props map[string]string) []string {
			t.Helper()
			p := map[string]string{ConnectionURLConfig: url, ModeConfig: "bulk", TopicPrefixConfig: "p_"}
			for k, v := range props {
				p[k] = v
			}
			c := NewSourceConnector()
			if err := c.Start(&fakeConnectorContext{}, p); err != nil {
				t.Fatal(err)
			}
			defer c.Stop()
			var out []string
			for _, tb := range c.tables {
				if strings.HasPrefix(tb.name, "disc_") {
					out = append(out, tb.String())
				}
			}
			return out
		}
		check := func(name string, props map[string]string, want ...string) {
			t.Helper()
			if got := list(props); !cmp.Equal(got, want, cmpopts.EquateEmpty()) {
				t.Errorf("%s: tables %v, want %v", name, got, want)
			}
		}
		check("views", map[string]string{SourceTableTypesConfig: "VIEW"}, q+"disc_v")
		switch d.(type) {
		case postgresDialect:
			check("tables and views", map[string]string{SourceTableTypesConfig: "TABLE, view"}, "disc_s.disc_t2", q+"disc_t", q+"disc_v")
			check("default", nil, "disc_s.disc_t2", q+"disc_t")
			check("schema pattern", map[string]string{SchemaPatternConfig: "disc\\_%"}, "disc_s.disc_t2")
			check("exact schema", map[string]string{SchemaPatternConfig: "public"}, q+"disc_t")
			check("catalog pattern ignored", map[string]string{CatalogPatternConfig: "nothing"}, "disc_s.disc_t2", q+"disc_t")
		case mysqlDialect:
			check("tables and views", map[string]string{SourceTableTypesConfig: "TABLE, view"}, q+"disc_t", q+"disc_v")
			check("default: the connected database", nil, q+"disc_t")
			check("catalog pattern", map[string]string{CatalogPatternConfig: "disc%"}, "disc_db.disc_t2")
			check("all catalogs", map[string]string{CatalogPatternConfig: "%"}, "disc_db.disc_t2", q+"disc_t")
		default:
			check("tables and views", map[string]string{SourceTableTypesConfig: "TABLE, view"}, "disc_t", "disc_v")
			check("default", nil, "disc_t")
			check("no schemas", map[string]string{SchemaPatternConfig: "x"})
		}
	})
	_ = sql.ErrNoRows
}

func isDecimal(v any) bool { _, ok := v.(data.Decimal); return ok }

// autoIncType is an auto-increment primary key column type.
func autoIncType(d dialect) string {
	switch d.(type) {
	case postgresDialect:
		return "SERIAL PRIMARY KEY"
	case mysqlDialect:
		return "INT AUTO_INCREMENT PRIMARY KEY"
	}
	return "INTEGER PRIMARY KEY"
}
