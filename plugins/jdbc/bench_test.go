package jdbc

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// The benchmarks report records landed per second for the sink (records → rows,
// one transaction per Put of benchBatch records) beside the raw limit on the same
// database: the same rows bound in advance and written with the dialect's bulk
// path (COPY / one multi-row INSERT), skipping conversion. Run with
// go test -bench . -benchtime 20x ./plugins/jdbc (add -tags e2e for PostgreSQL
// and MariaDB); they are not timed tests.

const benchBatch = 500

var benchSchema = data.NewStructSchema("bench", false,
	data.Field{Name: "id", Schema: data.Int64Schema},
	data.Field{Name: "name", Schema: data.StringSchema},
	data.Field{Name: "amount", Schema: data.Float64Schema},
	data.Field{Name: "ts", Schema: data.TimestampSchema(false)},
)

func benchRecords(start int) []*connect.Record {
	recs := make([]*connect.Record, benchBatch)
	ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range recs {
		id := int64(start + i)
		v := data.NewStruct(benchSchema).Set("id", id).Set("name", fmt.Sprint("name-", id)).Set("amount", float64(id)/7).Set("ts", ts.Add(time.Duration(id)*time.Millisecond))
		recs[i] = sinkRecord("bench", id, nil, nil, benchSchema, v)
	}
	return recs
}

func benchSink(b *testing.B, url, mode string) {
	db, _ := openTestDB(b, url)
	tbl := "bench_" + mode
	if _, err := db.Exec("DROP TABLE IF EXISTS " + tbl); err != nil {
		b.Fatal(err)
	}
	p := map[string]string{ConnectionURLConfig: url, TableConfig: tbl, AutoCreateConfig: "true", InsertModeConfig: mode, PKModeConfig: "record_value", PKFieldsConfig: "id"}
	task := &SinkTask{}
	if err := task.Start(&fakeSinkContext{props: p}, p); err != nil {
		b.Fatal(err)
	}
	defer task.Stop()
	batches := make([][]*connect.Record, b.N)
	for i := range batches {
		batches[i] = benchRecords(i * benchBatch)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := task.Put(context.Background(), batches[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/time.Since(start).Seconds(), "records/s")
}

// benchRaw writes pre-bound rows through the dialect's transaction and bulk path
// (the "bare driver" limit: COPY for PostgreSQL, one multi-row INSERT otherwise).
func benchRaw(b *testing.B, url string) {
	db, d := openTestDB(b, url)
	bld := &sqlBuilder{d: d, quote: true}
	id := tableID{name: "bench_raw"}
	if _, err := db.Exec("DROP TABLE IF EXISTS bench_raw"); err != nil {
		b.Fatal(err)
	}
	var defs []colDef
	for i, f := range benchSchema.Fields {
		defs = append(defs, colDef{name: f.Name, schema: f.Schema, key: i == 0})
	}
	q, _ := bld.createTable(id, defs, []string{"id"}, true)
	if _, err := db.Exec(q); err != nil {
		b.Fatal(err)
	}
	cols := []string{"id", "name", "amount", "ts"}
	rows := make([][][]any, b.N)
	for i := range rows {
		for _, r := range benchRecords(i * benchBatch) {
			st := r.Value.(*data.Struct)
			ts, _ := d.bind(clsTimestamp, st.Get("ts"), time.UTC)
			rows[i] = append(rows[i], []any{st.Get("id"), st.Get("name"), st.Get("amount"), ts})
		}
	}
	insert := bld.insert(id, cols, benchBatch)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		err := d.inTx(context.Background(), db, true, func(tx txn) error {
			if c, ok := tx.(copier); ok {
				return c.copyFrom(context.Background(), id, cols, rows[i])
			}
			var args []any
			for _, r := range rows[i] {
				args = append(args, r...)
			}
			return tx.exec(context.Background(), insert, args...)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/time.Since(start).Seconds(), "records/s")
}

func benchDatabase(b *testing.B, url string) {
	b.Run("raw", func(b *testing.B) { benchRaw(b, url) })
	b.Run("sink-insert", func(b *testing.B) { benchSink(b, url, "insert") })
	b.Run("sink-upsert", func(b *testing.B) { benchSink(b, url, "upsert") })
}

func BenchmarkSQLite(b *testing.B) {
	benchDatabase(b, "jdbc:sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
}
