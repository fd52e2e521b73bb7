package jdbc

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// runSinkSuite runs the sink tests against one database, given a JDBC URL. The
// SQLite tests run it by default; the e2e-tagged tests run it on PostgreSQL and
// MariaDB. Table names are prefixed so suites can share a database.
func runSinkSuite(t *testing.T, url, prefix string) {
	db, _ := openTestDB(t, url)
	drop := func(t *testing.T, tables ...string) {
		for _, tb := range tables {
			mustExec(t, db, "DROP TABLE IF EXISTS "+tb)
		}
	}
	put := func(t *testing.T, task *SinkTask, recs ...*connect.Record) {
		t.Helper()
		if err := task.Put(context.Background(), recs); err != nil {
			t.Fatalf("put: %v", err)
		}
	}

	t.Run("AllTypesAutoCreate", func(t *testing.T) {
		tbl := prefix + "alltypes"
		drop(t, tbl)
		task := startSink(t, url, map[string]string{TableNameFormatConfig: prefix + "${topic}", AutoCreateConfig: "true", PKModeConfig: "record_value", PKFieldsConfig: "id"}, nil)
		s := allTypesSchema(false)
		put(t, task, sinkRecord("alltypes", 0, nil, nil, s, allTypesValue(s, 1)), sinkRecord("alltypes", 1, nil, nil, s, allTypesValue(s, 2)))
		got := queryRows(t, db, "SELECT "+allTypesCols+" FROM "+tbl+" ORDER BY id")
		if diff := cmp.Diff([][]string{allTypesWant(1), allTypesWant(2)}, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})

	t.Run("UpsertIdempotentOnRedelivery", func(t *testing.T) {
		tbl := prefix + "upsert"
		drop(t, tbl)
		task := startSink(t, url, map[string]string{TableConfig: tbl, AutoCreateConfig: "true", InsertModeConfig: "upsert", PKModeConfig: "record_value", PKFieldsConfig: "id"}, nil)
		s := allTypesSchema(false)
		batch := []*connect.Record{sinkRecord("t", 0, nil, nil, s, allTypesValue(s, 1)), sinkRecord("t", 1, nil, nil, s, allTypesValue(s, 2)), sinkRecord("t", 2, nil, nil, s, allTypesValue(s, 1))}
		put(t, task, batch...)
		put(t, task, batch...) // redelivered after a failed commit
		got := queryRows(t, db, "SELECT "+allTypesCols+" FROM "+tbl+" ORDER BY id")
		if diff := cmp.Diff([][]string{allTypesWant(1), allTypesWant(2)}, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		changed := allTypesValue(s, 2).Set("s", "changed")
		put(t, task, sinkRecord("t", 3, nil, nil, s, changed))
		if got := queryRows(t, db, "SELECT s FROM "+tbl+" WHERE id = 2"); !cmp.Equal(got, [][]string{{"changed"}}) {
			t.Errorf("after update: %v", got)
		}
	})

	t.Run("TombstoneDeletes", func(t *testing.T) {
		tbl := prefix + "deletes"
		drop(t, tbl)
		task := startSink(t, url, map[string]string{TableConfig: tbl, AutoCreateConfig: "true", InsertModeConfig: "upsert", PKModeConfig: "record_key", DeleteEnabledConfig: "true"}, nil)
		ks := data.NewStructSchema("key", false, data.Field{Name: "k", Schema: data.StringSchema})
		vs := data.NewStructSchema("val", false, data.Field{Name: "v", Schema: data.Int32Schema})
		key := func(k string) *data.Struct { return data.NewStruct(ks).Set("k", k) }
		val := func(v int32) *data.Struct { return data.NewStruct(vs).Set("v", v) }
		put(t, task,
			sinkRecord("t", 0, ks, key("a"), vs, val(1)),
			sinkRecord("t", 1, ks, key("b"), vs, val(2)),
			sinkRecord("t", 2, ks, key("c"), vs, val(3)),
			sinkRecord("t", 3, ks, key("b"), nil, nil), // delete b
			sinkRecord("t", 4, ks, key("c"), nil, nil), // delete c, then write it again
			sinkRecord("t", 5, ks, key("c"), vs, val(30)),
		)
		got := queryRows(t, db, "SELECT k, v FROM "+tbl+" ORDER BY k")
		if diff := cmp.Diff([][]string{{"a", "1"}, {"c", "30"}}, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		put(t, task, sinkRecord("t", 6, ks, key("a"), nil, nil))
		if got := queryRows(t, db, "SELECT k, v FROM "+tbl+" ORDER BY k"); !cmp.Equal(got, [][]string{{"c", "30"}}) {
			t.Errorf("after delete: %v", got)
		}
	})

	t.Run("AutoEvolve", func(t *testing.T) {
		tbl := prefix + "evolve"
		drop(t, tbl)
		task := startSink(t, url, map[string]string{TableConfig: tbl, AutoCreateConfig: "true", AutoEvolveConfig: "true", PKModeConfig: "record_value", PKFieldsConfig: "id"}, nil)
		s1, s2 := allTypesSchema(false), allTypesSchema(true)
		put(t, task, sinkRecord("t", 0, nil, nil, s1, allTypesValue(s1, 1)))
		put(t, task, sinkRecord("t", 1, nil, nil, s2, allTypesValue(s2, 2)), sinkRecord("t", 2, nil, nil, s1, allTypesValue(s1, 3)))
		got := queryRows(t, db, "SELECT id, extra FROM "+tbl+" ORDER BY id")
		if diff := cmp.Diff([][]string{{"1", "<nil>"}, {"2", "20"}, {"3", "<nil>"}}, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		// A required field without default cannot be added.
		s3 := data.NewStructSchema("row", false, data.Field{Name: "id", Schema: data.Int64Schema}, data.Field{Name: "must", Schema: data.StringSchema})
		err := task.Put(context.Background(), []*connect.Record{sinkRecord("t", 3, nil, nil, s3, data.NewStruct(s3).Set("id", int64(4)).Set("must", "x"))})
		if err == nil || !strings.Contains(err.Error(), "not optional") {
			t.Errorf("required new field: err = %v", err)
		}
	})

	t.Run("NoAutoCreate", func(t *testing.T) {
		tbl := prefix + "missing"
		drop(t, tbl)
		task := startSink(t, url, map[string]string{TableConfig: tbl}, nil)
		s := allTypesSchema(false)
		err := task.Put(context.Background(), []*connect.Record{sinkRecord("t", 0, nil, nil, s, allTypesValue(s, 1))})
		if err == nil || !strings.Contains(err.Error(), "is missing and auto-creation is disabled") || connect.IsRetriable(err) {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("Schemaless", func(t *testing.T) {
		tbl := prefix + "schemaless"
		drop(t, tbl)
		mustExec(t, db, "CREATE TABLE "+tbl+" (id BIGINT PRIMARY KEY, name VARCHAR(100), amount DECIMAL(10,2), ok BOOLEAN, at TIMESTAMP NULL, doc TEXT, n INT)")
		task := startSink(t, url, map[string]string{TableConfig: tbl, InsertModeConfig: "upsert", PKModeConfig: "record_key", PKFieldsConfig: "id"}, nil)
		rec := func(off int64, id int64, name string) *connect.Record {
			return sinkRecord("t", off, nil, map[string]any{"id": id}, nil, map[string]any{
				"name": name, "amount": 12.5, "ok": true, "at": "2024-03-05T10:11:12.345Z", "doc": map[string]any{"x": int64(1)}, "n": int64(7),
			})
		}
		put(t, task, rec(0, 1, "a"), rec(1, 2, "b"), rec(2, 1, "a2"))
		got := queryRows(t, db, "SELECT id, name, amount, ok, at, doc, n FROM "+tbl+" ORDER BY id")
		want := [][]string{
			{"1", "a2", "12.5", "1", "2024-03-05T10:11:12.000", `{"x":1}`, "7"},
			{"2", "b", "12.5", "1", "2024-03-05T10:11:12.000", `{"x":1}`, "7"},
		}
		// TIMESTAMP without precision keeps fractions in PostgreSQL and SQLite only.
		if !strings.HasPrefix(url, "jdbc:mysql") && !strings.HasPrefix(url, "jdbc:mariadb") {
			want[0][4], want[1][4] = "2024-03-05T10:11:12.345", "2024-03-05T10:11:12.345"
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		// A field without a column is an error naming it.
		err := task.Put(context.Background(), []*connect.Record{sinkRecord("t", 3, nil, map[string]any{"id": int64(3)}, nil, map[string]any{"nope": "x"})})
		if err == nil || !strings.Contains(err.Error(), "no column nope") {
			t.Errorf("unknown column: err = %v", err)
		}
	})

	t.Run("RejectedRecords", func(t *testing.T) {
		tbl := prefix + "rejects"
		drop(t, tbl)
		mustExec(t, db, "CREATE TABLE "+tbl+" (id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL)")
		recs := []*connect.Record{
			sinkRecord("t", 0, nil, nil, nil, map[string]any{"id": int64(1), "name": "ok"}),
			sinkRecord("t", 1, nil, nil, nil, map[string]any{"id": int64(2)}), // violates NOT NULL
			sinkRecord("t", 2, nil, nil, nil, map[string]any{"id": int64(3), "name": "fine"}),
		}
		// Without a reporter: the task fails naming the table and the record, and
		// nothing of the batch is committed.
		task := startSink(t, url, map[string]string{TableConfig: tbl}, nil)
		err := task.Put(context.Background(), recs)
		if err == nil || connect.IsRetriable(err) || !strings.Contains(err.Error(), tbl) || !strings.Contains(err.Error(), "offset=1") {
			t.Fatalf("err = %v", err)
		}
		if got := queryRows(t, db, "SELECT COUNT(*) FROM "+tbl); !cmp.Equal(got, [][]string{{"0"}}) {
			t.Errorf("rows after failed batch: %v", got)
		}
		// With a reporter: the good rows land, the bad one is reported with the
		// database's message.
		rep := &fakeReporter{}
		task = startSink(t, url, map[string]string{TableConfig: tbl}, rep)
		if err := task.Put(context.Background(), recs); err != nil {
			t.Fatal(err)
		}
		if got := queryRows(t, db, "SELECT id, name FROM "+tbl+" ORDER BY id"); !cmp.Equal(got, [][]string{{"1", "ok"}, {"3", "fine"}}) {
			t.Errorf("rows: %v", got)
		}
		if len(rep.records) != 1 || rep.records[0].Offset != 1 {
			t.Fatalf("reported %v", rep.records)
		}
		if msg := rep.errs[0].Error(); !strings.Contains(msg, "name") || !strings.Contains(msg, "offset=1") {
			t.Errorf("reported error lacks the database's message: %v", rep.errs[0])
		}
	})

	t.Run("TwoConnectorsOneTopic", func(t *testing.T) {
		a, b := prefix+"fan_a", prefix+"fan_b"
		drop(t, a, b)
		ta := startSink(t, url, map[string]string{TableNameFormatConfig: prefix + "fan_a", AutoCreateConfig: "true", PKModeConfig: "kafka"}, nil)
		tb := startSink(t, url, map[string]string{TableNameFormatConfig: prefix + "fan_b", AutoCreateConfig: "true", InsertModeConfig: "upsert", PKModeConfig: "record_value", PKFieldsConfig: "id", FieldsWhitelistConfig: "s"}, nil)
		s := allTypesSchema(false)
		var recs []*connect.Record
		for i := range int64(50) {
			recs = append(recs, sinkRecord("orders", i, nil, nil, s, allTypesValue(s, i)))
		}
		put(t, ta, recs...)
		put(t, tb, recs...)
		if got := queryRows(t, db, "SELECT COUNT(*), MIN(__connect_offset), MAX(__connect_offset) FROM "+a+" WHERE __connect_topic = 'orders'"); !cmp.Equal(got, [][]string{{"50", "0", "49"}}) {
			t.Errorf("%s: %v", a, got)
		}
		if got := queryRows(t, db, "SELECT COUNT(*) FROM "+b); !cmp.Equal(got, [][]string{{"50"}}) {
			t.Errorf("%s: %v", b, got)
		}
		// fields.whitelist: only id (the key) and s were created.
		if _, err := db.Exec("SELECT f64 FROM " + b); err == nil {
			t.Errorf("%s has column f64 despite fields.whitelist", b)
		}
	})

	t.Run("DBTimezone", func(t *testing.T) {
		// db.timezone: a Timestamp lands as the wall-clock time of that zone (what
		// JDBC's setTimestamp with a Calendar writes into TIMESTAMP columns).
		tbl := prefix + "tz"
		drop(t, tbl)
		task := startSink(t, url, map[string]string{TableConfig: tbl, AutoCreateConfig: "true", DBTimezoneConfig: "Europe/Paris"}, nil)
		s := data.NewStructSchema("r", false, data.Field{Name: "ts", Schema: data.TimestampSchema(false)}, data.Field{Name: "day", Schema: data.DateSchema(false)})
		v := data.NewStruct(s).Set("ts", time.Date(2024, 3, 5, 10, 11, 12, 345e6, time.UTC)).Set("day", time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC))
		put(t, task, sinkRecord("t", 0, nil, nil, s, v))
		if got := queryRows(t, db, "SELECT ts, day FROM "+tbl); !cmp.Equal(got, [][]string{{"2024-03-05T11:11:12.345", "2024-03-05T00:00:00.000"}}) {
			t.Errorf("got %v", got)
		}
	})

	t.Run("LargeBatch", func(t *testing.T) {
		tbl := prefix + "large"
		drop(t, tbl)
		task := startSink(t, url, map[string]string{TableConfig: tbl, AutoCreateConfig: "true", PKModeConfig: "record_value", PKFieldsConfig: "id", BatchSizeConfig: "700"}, nil)
		s := allTypesSchema(false)
		var recs []*connect.Record
		for i := range int64(3000) {
			recs = append(recs, sinkRecord("t", i, nil, nil, s, allTypesValue(s, i)))
		}
		put(t, task, recs...)
		if got := queryRows(t, db, "SELECT COUNT(*), SUM(id) FROM "+tbl); !cmp.Equal(got, [][]string{{"3000", "4498500"}}) {
			t.Errorf("got %v", got)
		}
	})
	_ = sql.ErrNoRows
}
