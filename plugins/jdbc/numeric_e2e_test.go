//go:build e2e

package jdbc

import (
	"math/big"
	"testing"

	"github.com/goconnect/goconnect/api/data"
	"github.com/goconnect/goconnect/test/harness"
)

// TestSourceNumericMappingPostgres pins how PostgreSQL NUMERIC columns map under
// each numeric.mapping, as Confluent's PostgreSqlDatabaseDialect: a column
// without precision and scale is Decimal with scale 127 (exact), except under
// best_fit_eager_double.
func TestSourceNumericMappingPostgres(t *testing.T) {
	url := harness.Postgres(t)
	db, _ := openTestDB(t, url)
	mustExec(t, db, "DROP TABLE IF EXISTS src_numeric")
	mustExec(t, db, "CREATE TABLE src_numeric (free NUMERIC NOT NULL, money NUMERIC(10,2) NOT NULL, small NUMERIC(4,0) NOT NULL, big NUMERIC(30,0) NOT NULL)")
	mustExec(t, db, "INSERT INTO src_numeric VALUES (12345678901234567890.123456789, 1234.56, 42, 123456789012345678901234567890)")
	type col struct {
		typ   data.Type
		scale int32 // Decimal scale; -1 for a primitive
	}
	dec := func(scale int32) col { return col{data.TypeBytes, scale} }
	prim := func(t data.Type) col { return col{t, -1} }
	for _, c := range []struct {
		mapping string
		want    map[string]col
	}{
		{"none", map[string]col{"free": dec(127), "money": dec(2), "small": dec(0), "big": dec(0)}},
		{"precision_only", map[string]col{"free": dec(127), "money": dec(2), "small": prim(data.TypeInt16), "big": dec(0)}},
		{"best_fit", map[string]col{"free": dec(127), "money": prim(data.TypeFloat64), "small": prim(data.TypeInt16), "big": dec(0)}},
		{"best_fit_eager_double", map[string]col{"free": prim(data.TypeFloat64), "money": prim(data.TypeFloat64), "small": prim(data.TypeInt16), "big": dec(0)}},
	} {
		t.Run(c.mapping, func(t *testing.T) {
			offs := memOffsets{}
			task := startSource(t, url, map[string]string{ModeConfig: "bulk", TopicPrefixConfig: "p_", tablesConfig: "src_numeric", NumericMappingConfig: c.mapping}, offs)
			st := pollN(t, task, 1, offs)[0].Value.(*data.Struct)
			exact := map[string]*big.Rat{"free": ratOf("12345678901234567890.123456789"), "money": ratOf("1234.56"), "small": ratOf("42"), "big": ratOf("123456789012345678901234567890")}
			for name, w := range c.want {
				f := st.Schema().Field(name)
				if f == nil {
					t.Fatalf("no field %s", name)
				}
				got := col{f.Schema.Type, -1}
				if f.Schema.Name == data.DecimalName {
					got.scale, _ = data.DecimalScale(f.Schema)
				}
				if got != w {
					t.Errorf("%s: schema %v (scale %d), want %v (scale %d)", name, got.typ, got.scale, w.typ, w.scale)
				}
				switch v := st.Get(name).(type) {
				case data.Decimal:
					if v.Rat().Cmp(exact[name]) != 0 {
						t.Errorf("%s = %s, want %s", name, v, exact[name].FloatString(9))
					}
				case float64:
					if f, _ := exact[name].Float64(); v != f {
						t.Errorf("%s = %v, want %v", name, v, f)
					}
				case int16:
					if !exact[name].IsInt() || exact[name].Num().Int64() != int64(v) {
						t.Errorf("%s = %v", name, v)
					}
				default:
					t.Errorf("%s: unexpected %T %v", name, v, v)
				}
			}
		})
	}
}

func ratOf(s string) *big.Rat {
	r, _ := new(big.Rat).SetString(s)
	return r
}
