package jdbc

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/config"
)

func TestSourceConnectorTaskConfigs(t *testing.T) {
	url := "jdbc:sqlite:" + filepath.Join(t.TempDir(), "tables.db")
	db, _ := openTestDB(t, url)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		mustExec(t, db, "CREATE TABLE "+n+" (id INTEGER)")
	}
	tables := func(cfgs []map[string]string) [][]string {
		var out [][]string
		for _, c := range cfgs {
			out = append(out, strings.Split(c[tablesConfig], ","))
		}
		return out
	}
	cases := []struct {
		name     string
		props    map[string]string
		maxTasks int
		want     [][]string
	}{
		{"all tables, 2 tasks", nil, 2, [][]string{{"a", "b", "c"}, {"d", "e"}}},
		{"more tasks than tables", map[string]string{TableWhitelistConfig: "b,d"}, 5, [][]string{{"b"}, {"d"}}},
		{"blacklist", map[string]string{TableBlacklistConfig: "a,c,e"}, 1, [][]string{{"b", "d"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			props := map[string]string{ConnectionURLConfig: url, ModeConfig: "bulk", TopicPrefixConfig: "p_"}
			for k, v := range c.props {
				props[k] = v
			}
			conn := NewSourceConnector()
			if err := conn.Start(&fakeConnectorContext{}, props); err != nil {
				t.Fatal(err)
			}
			defer conn.Stop()
			cfgs, err := conn.TaskConfigs(c.maxTasks)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, tables(cfgs)); diff != "" {
				t.Errorf("tables per task (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("query mode is one task", func(t *testing.T) {
		conn := NewSourceConnector()
		props := map[string]string{ConnectionURLConfig: url, ModeConfig: "bulk", TopicPrefixConfig: "p", QueryConfig: "SELECT 1"}
		if err := conn.Start(&fakeConnectorContext{}, props); err != nil {
			t.Fatal(err)
		}
		defer conn.Stop()
		cfgs, _ := conn.TaskConfigs(4)
		if len(cfgs) != 1 || cfgs[0][QueryConfig] != "SELECT 1" {
			t.Errorf("configs %v", cfgs)
		}
	})
	t.Run("new table triggers reconfiguration", func(t *testing.T) {
		cc := &fakeConnectorContext{reconfigs: make(chan struct{}, 1)}
		conn := NewSourceConnector()
		props := map[string]string{ConnectionURLConfig: url, ModeConfig: "bulk", TopicPrefixConfig: "p", TablePollIntervalConfig: "50"}
		if err := conn.Start(cc, props); err != nil {
			t.Fatal(err)
		}
		defer conn.Stop()
		mustExec(t, db, "CREATE TABLE f (id INTEGER)")
		select {
		case <-cc.reconfigs:
		case <-time.After(5 * time.Second):
			t.Fatal("no reconfiguration requested")
		}
		cfgs, _ := conn.TaskConfigs(1)
		if got := cfgs[0][tablesConfig]; got != "a,b,c,d,e,f" {
			t.Errorf("tables %q", got)
		}
	})
}

func TestLikeMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"%", "", true}, {"%", "abc", true}, {"", "", true}, {"", "a", false},
		{"a_c", "abc", true}, {"a_c", "ac", false}, {"a%", "a", true}, {"a%c", "abbbc", true}, {"a%c", "abbb", false},
		{`a\_c`, "a_c", true}, {`a\_c`, "abc", false}, {`100\%`, "100%", true}, {"%b%", "abc", true}, {"public", "public", true}, {"public", "Public", false},
	} {
		if got := likeMatch(c.pattern, c.s); got != c.want {
			t.Errorf("likeMatch(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestSourceConfigValidation(t *testing.T) {
	base := map[string]string{ConnectionURLConfig: "jdbc:sqlite::memory:", TopicPrefixConfig: "p", ModeConfig: "bulk"}
	cases := []struct {
		name  string
		props map[string]string
		want  string
	}{
		{"ok", nil, ""},
		{"no mode", map[string]string{ModeConfig: ""}, "Query mode must be specified"},
		{"bad mode", map[string]string{ModeConfig: "stream"}, "Invalid value stream for configuration mode"},
		{"both lists", map[string]string{TableWhitelistConfig: "a", TableBlacklistConfig: "b"}, "Only one of table.whitelist or table.blacklist"},
		{"query with lists", map[string]string{QueryConfig: "select 1", TableWhitelistConfig: "a"}, "Do not specify table filtering"},
		{"incrementing query needs column", map[string]string{ModeConfig: "incrementing", QueryConfig: "select 1"}, "needs incrementing.column.name"},
		{"timestamp needs column", map[string]string{ModeConfig: "timestamp"}, "needs timestamp.column.name"},
		{"topic.prefix required", map[string]string{TopicPrefixConfig: "\x00"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := map[string]string{}
			for k, v := range base {
				p[k] = v
			}
			for k, v := range c.props {
				p[k] = v
			}
			if p[TopicPrefixConfig] == "\x00" {
				delete(p, TopicPrefixConfig)
				c.want = `Missing required configuration "topic.prefix" which has no default value.`
			}
			_, err := parseSourceConfig(p)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ce *config.Error
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &ce) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	def := SourceConfig()
	for name, want := range map[string]string{PollIntervalConfig: "5000", BatchMaxRowsConfig: "100", TablePollIntervalConfig: "60000",
		TimestampDelayConfig: "0", ValidateNonNullConfig: "true", QuoteIdentifiersConfig: "always", DBTimezoneConfig: "UTC", ModeConfig: ""} {
		k, _ := def.Key(name)
		if got, _ := k.DefaultString(); got != want {
			t.Errorf("%s default %q, want %q", name, got, want)
		}
	}
}

// Offsets written by Confluent's connector (protocol 1, or the older unqualified
// protocol 0 partition) are resumed.
func TestSourceResumesConfluentOffsets(t *testing.T) {
	url := "jdbc:sqlite:" + filepath.Join(t.TempDir(), "resume.db")
	db, _ := openTestDB(t, url)
	mustExec(t, db, "CREATE TABLE orders (id INTEGER NOT NULL, v TEXT)")
	for i := 1; i <= 4; i++ {
		mustExec(t, db, "INSERT INTO orders VALUES (?, 'x')", i)
	}
	props := map[string]string{ModeConfig: "incrementing", IncrementingColumnConfig: "id", TopicPrefixConfig: "p_", tablesConfig: "orders"}
	for name, partition := range map[string]string{
		"protocol 1": `{"protocol":"1","table":"orders"}`,
		"protocol 0": `{"table":"orders"}`,
	} {
		t.Run(name, func(t *testing.T) {
			offs := memOffsets{partition: {"incrementing": float64(2)}} // JSON numbers decode as float64
			task := startSource(t, url, props, offs)
			recs := pollN(t, task, 2, offs)
			if got := ids(recs, "id"); !cmp.Equal(got, []string{"3", "4"}) {
				t.Errorf("ids %v", got)
			}
			pollNone(t, task)
		})
	}
	// timestamp_nanos is the whole fraction of the second (java.sql.Timestamp.getNanos).
	q := &querier{}
	if err := q.loadOffset(map[string]any{"timestamp": int64(1714564800123), "timestamp_nanos": int64(123456789)}); err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(1714564800, 123456789); !q.ts.Equal(want) {
		t.Errorf("ts %v, want %v", q.ts, want)
	}
	_ = context.Background
}

func TestNumericMapping(t *testing.T) {
	cases := []struct {
		mapping     string
		prec, scale int64
		want        string
	}{
		{"none", 5, 0, "Schema{org.apache.kafka.connect.data.Decimal:BYTES}"},
		{"precision_only", 2, 0, "Schema{INT8}"},
		{"precision_only", 4, 0, "Schema{INT16}"},
		{"precision_only", 9, 0, "Schema{INT32}"},
		{"precision_only", 18, 0, "Schema{INT64}"},
		{"precision_only", 10, 2, "Schema{org.apache.kafka.connect.data.Decimal:BYTES}"},
		{"best_fit", 10, 2, "Schema{FLOAT64}"},
		{"best_fit", 30, 2, "Schema{org.apache.kafka.connect.data.Decimal:BYTES}"},
		{"best_fit_eager_double", 30, 2, "Schema{FLOAT64}"},
		{"best_fit", 20, 0, "Schema{org.apache.kafka.connect.data.Decimal:BYTES}"},
	}
	for _, c := range cases {
		if got := numericSchema(c.mapping, c.prec, c.scale, false).String(); got != c.want {
			t.Errorf("%s NUMERIC(%d,%d) = %s, want %s", c.mapping, c.prec, c.scale, got, c.want)
		}
	}
}
