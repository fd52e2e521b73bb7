package jdbc

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/data"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestDialectGolden pins, per dialect, the column type of every Connect type and
// the statements the sink generates. No Oracle server runs here, so for Oracle
// this file is the proof (checked against Confluent's OracleDatabaseDialect);
// regenerate with go test -run TestDialectGolden -update after a deliberate change.
func TestDialectGolden(t *testing.T) {
	for _, d := range []dialect{postgresDialect{}, mysqlDialect{}, sqliteDialect{}, oracleDialect{}} {
		t.Run(d.name(), func(t *testing.T) {
			var sb strings.Builder
			s := allTypesSchema(true)
			sb.WriteString("# column types (key column types in brackets where they differ)\n")
			for _, f := range s.Fields {
				typ, err := d.sqlType(f.Schema, false)
				if err != nil {
					t.Fatal(err)
				}
				key, _ := d.sqlType(f.Schema, true)
				if key != typ && f.Schema.Type.IsPrimitive() {
					typ += " [" + key + "]"
				}
				fmt.Fprintf(&sb, "%-5s %-45s %s\n", f.Name, f.Schema.String(), typ)
			}
			for _, quote := range []bool{true, false} {
				b := &sqlBuilder{d: d, quote: quote}
				id := tableID{schema: "app", name: "Orders"}
				var defs []colDef
				for i, f := range s.Fields {
					defs = append(defs, colDef{name: f.Name, schema: f.Schema, key: i == 0})
				}
				_, isOracle := d.(oracleDialect)
				create, err := b.createTable(id, defs, []string{"id"}, !isOracle)
				if err != nil {
					t.Fatal(err)
				}
				alter, err := b.addColumns(id, []colDef{{name: "note", schema: data.OptionalStringSchema}, {name: "qty", schema: &data.Schema{Type: data.TypeInt32, Default: int32(1)}}}, isOracle)
				if err != nil {
					t.Fatal(err)
				}
				cols, pk := []string{"id", "s", "ts"}, []string{"id"}
				rows := 2
				if _, ok := d.(arrayBinder); ok {
					rows = 1 // one statement, array binds
				}
				fmt.Fprintf(&sb, "\n# quote.sql.identifiers=%v\n", map[bool]string{true: "always", false: "never"}[quote])
				fmt.Fprintf(&sb, "create: %s\n", create)
				for _, a := range alter {
					fmt.Fprintf(&sb, "alter:  %s\n", a)
				}
				fmt.Fprintf(&sb, "insert: %s\n", b.insert(id, cols, rows))
				fmt.Fprintf(&sb, "upsert: %s\n", d.upsert(b, id, cols, pk, rows))
				fmt.Fprintf(&sb, "upsert (key only): %s\n", d.upsert(b, id, pk, pk, rows))
				fmt.Fprintf(&sb, "update: %s\n", b.update(id, cols[1:], pk))
				fmt.Fprintf(&sb, "delete: %s\n", b.delete(id, pk, rows))
			}
			sb.WriteString("\n# bound values\n")
			tz, _ := time.LoadLocation("Europe/Paris")
			for _, c := range []struct {
				cls valueClass
				v   any
			}{
				{clsDecimal, data.Decimal{Unscaled: bigInt(-12345), Scale: 2}},
				{clsDate, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)},
				{clsTime, time.Date(1970, 1, 1, 10, 11, 12, 345e6, time.UTC)},
				{clsTimestamp, time.Date(2024, 3, 5, 10, 11, 12, 345e6, time.UTC)},
				{clsBool, true},
			} {
				v, err := d.bind(c.cls, c.v, tz)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&sb, "%-9s %T %v\n", c.cls, v, v)
			}
			golden(t, filepath.Join("testdata", "sql", d.name()+".golden"), sb.String())
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// TestOracleLive runs the sink suite on a real Oracle database when ORACLE_URL
// (a jdbc:oracle:thin:@... URL with credentials) is set.
func TestOracleLive(t *testing.T) {
	url := os.Getenv("ORACLE_URL")
	if url == "" {
		t.Skip("ORACLE_URL not set: no Oracle server on this machine")
	}
	db, _ := openTestDB(t, url)
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatalf("ping oracle: %v", err)
	}
	prefix := fmt.Sprintf("GC%d_", time.Now().Unix()%100000)
	runSinkSuite(t, url, prefix)
}
