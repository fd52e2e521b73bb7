//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/test/harness"
)

// topicIDs reads a topic of JSON (schemas.enable=true) records from the start and
// counts how often each value of the payload's id field appeared.
type topicIDs struct {
	t      *testing.T
	cl     *kgo.Client
	counts map[int]int
	total  int
}

func newTopicIDs(t *testing.T, topic string) *topicIDs {
	return &topicIDs{t: t, counts: map[int]int{},
		cl: kafkaClient(t, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))}
}

// read fetches what arrived since the last call (waiting at most a second).
func (r *topicIDs) read() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, rec := range r.cl.PollFetches(ctx).Records() {
		var v struct {
			Payload struct{ ID int } `json:"payload"`
		}
		if err := json.Unmarshal(rec.Value, &v); err != nil {
			r.t.Fatalf("record %s: %v", rec.Value, err)
		}
		r.counts[v.Payload.ID]++
		r.total++
	}
}

// waitAll waits until every id in [from, to] was read at least min times.
func (r *topicIDs) waitAll(from, to, min int) {
	r.t.Helper()
	harness.CheckFor(r.t, 120*time.Second, func() error {
		r.read()
		for id := from; id <= to; id++ {
			if r.counts[id] < min {
				return fmt.Errorf("id %d read %d times, want %d (%d records so far)", id, r.counts[id], min, r.total)
			}
		}
		return nil
	})
}

// exactlyOnce checks that the topic holds ids from..to once each and nothing else.
func (r *topicIDs) exactlyOnce(name string, from, to int) {
	r.t.Helper()
	for id, n := range r.counts {
		if id < from || id > to {
			r.t.Errorf("%s: unexpected id %d (%d times)", name, id, n)
		} else if n != 1 {
			r.t.Errorf("%s: id %d appears %d times, want once", name, id, n)
		}
	}
	if r.total != to-from+1 {
		r.t.Errorf("%s: %d records, want %d", name, r.total, to-from+1)
	}
}

// TestJDBCSourceExactlyOnceAcrossRestart runs the JDBC source through the built
// binary on the real broker and real PostgreSQL in each mode (incrementing,
// timestamp, timestamp+incrementing, and a query): rows inserted before a clean
// stop (SIGTERM), while the worker is down, and after the restart each reach the
// topic exactly once. Bulk mode has no offsets: each poll publishes the whole
// table, so a restart publishes it again (with a poll interval of an hour, one
// snapshot per start).
func TestJDBCSourceExactlyOnceAcrossRestart(t *testing.T) {
	pgURL := harness.Postgres(t)
	db := sqlDB(t, pgURL)
	run := time.Now().UnixNano()
	prefix := fmt.Sprintf("e2e-jdbcsrc-%d-", run)
	tbl := func(mode string) string { return fmt.Sprintf("rs_%s_%d", mode, run) }
	modes := []string{"inc", "ts", "tsinc", "q", "bulk"}
	for _, m := range modes {
		// Every row is its own transaction: now() differs from row to row, so
		// timestamp mode (which cannot tell rows of equal timestamps apart)
		// applies too.
		if _, err := db.Exec("CREATE TABLE " + tbl(m) + " (id INT NOT NULL PRIMARY KEY, ts TIMESTAMPTZ NOT NULL DEFAULT now(), v TEXT)"); err != nil {
			t.Fatal(err)
		}
	}
	insert := func(from, to int) {
		t.Helper()
		for id := from; id <= to; id++ {
			for _, m := range modes {
				if _, err := db.Exec("INSERT INTO "+tbl(m)+" (id, v) VALUES ($1, $2)", id, fmt.Sprint("row-", id)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	base := map[string]string{"connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector", "tasks.max": "1",
		"connection.url": pgURL, "poll.interval.ms": "200", "batch.max.rows": "7"}
	configs := map[string]map[string]string{
		"inc":   {"mode": "incrementing", "incrementing.column.name": "id", "table.whitelist": tbl("inc"), "topic.prefix": prefix},
		"ts":    {"mode": "timestamp", "timestamp.column.name": "ts", "table.whitelist": tbl("ts"), "topic.prefix": prefix},
		"tsinc": {"mode": "timestamp+incrementing", "timestamp.column.name": "ts", "incrementing.column.name": "id", "table.whitelist": tbl("tsinc"), "topic.prefix": prefix},
		"q":     {"mode": "incrementing", "incrementing.column.name": "id", "query": "SELECT id, v FROM " + tbl("q"), "topic.prefix": prefix + "query"},
		"bulk":  {"mode": "bulk", "table.whitelist": tbl("bulk"), "topic.prefix": prefix, "poll.interval.ms": "3600000"},
	}
	topics := map[string]*topicIDs{}
	for _, m := range modes {
		topic := prefix + tbl(m)
		if m == "q" {
			topic = prefix + "query"
		}
		topics[m] = newTopicIDs(t, topic)
	}
	w := newWorker(t, nil)
	startAll := func() {
		w.start()
		for _, m := range modes {
			c := map[string]string{}
			for k, v := range base {
				c[k] = v
			}
			for k, v := range configs[m] {
				c[k] = v
			}
			w.create("jdbc-src-"+m, c)
		}
		for _, m := range modes {
			w.waitRunning("jdbc-src-" + m)
		}
	}

	insert(1, 20)
	startAll()
	topics["bulk"].waitAll(1, 20, 1) // the snapshot taken at start, before row 21 exists
	insert(21, 30)
	for _, m := range modes {
		if m != "bulk" {
			topics[m].waitAll(1, 30, 1)
		}
	}

	if err := w.proc.Term(); err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, w.proc.Log())
	}
	insert(31, 50) // while the worker is down
	startAll()
	// Bulk: the restart publishes a new snapshot (rows 1..50) before rows 51..
	// exist, so its contents are exact.
	topics["bulk"].waitAll(1, 20, 2)
	topics["bulk"].waitAll(21, 50, 1)
	insert(51, 70)
	for _, m := range modes {
		if m != "bulk" {
			topics[m].waitAll(1, 70, 1)
		}
	}
	// Anything read twice would have been published before the last rows (one
	// partition, in order); one more read catches stragglers.
	for _, m := range modes {
		topics[m].read()
	}
	for _, m := range []string{"inc", "ts", "tsinc", "q"} {
		topics[m].exactlyOnce(m, 1, 70)
	}
	b := topics["bulk"]
	for id := 1; id <= 70; id++ {
		want := 0
		switch {
		case id <= 20:
			want = 2
		case id <= 50:
			want = 1
		}
		if b.counts[id] != want {
			t.Errorf("bulk: id %d appears %d times, want %d", id, b.counts[id], want)
		}
	}
}
