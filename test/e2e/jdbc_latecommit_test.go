//go:build e2e

package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goconnect/goconnect/test/harness"
)

// TestJDBCSourceLateCommit is the late-commit scenario through the built binary,
// on the real broker, PostgreSQL and MariaDB, in timestamp and
// timestamp+incrementing modes: transaction A inserts a row (stamped by the
// database clock) and stays open; another session commits later rows; the
// connector polls several times (checked on the database's own counters) but
// publishes none of them while A is open; A commits; every row reaches the topic
// exactly once. Without the open-transaction bound the later rows are published
// first and A's row is never read.
func TestJDBCSourceLateCommit(t *testing.T) {
	pgURL, myURL := harness.Postgres(t), harness.MariaDB(t)
	run := time.Now().UnixNano()
	prefix := fmt.Sprintf("e2e-jdbclate-%d-", run)
	type source struct {
		name, url, mode, table string
		db                     *sql.DB
		topic                  *topicIDs
	}
	var sources []*source
	for _, dbc := range []struct{ name, url, cols string }{
		{"pg", pgURL, "id INT NOT NULL PRIMARY KEY, ts TIMESTAMPTZ NOT NULL DEFAULT now(), v TEXT"},
		{"my", myURL, "id INT NOT NULL PRIMARY KEY, ts TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), v TEXT"},
	} {
		db := sqlDB(t, dbc.url)
		for _, mode := range []string{"timestamp", "timestamp+incrementing"} {
			s := &source{name: dbc.name + "-" + map[string]string{"timestamp": "ts", "timestamp+incrementing": "tsinc"}[mode],
				url: dbc.url, mode: mode, db: db}
			s.table = fmt.Sprintf("late_%s_%d", strings.ReplaceAll(s.name, "-", "_"), run)
			if _, err := db.Exec("CREATE TABLE " + s.table + " (" + dbc.cols + ")"); err != nil {
				t.Fatal(err)
			}
			s.topic = newTopicIDs(t, prefix+s.table)
			sources = append(sources, s)
		}
	}
	insert := func(db interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}, s *source, id int) {
		t.Helper()
		if _, err := db.ExecContext(context.Background(), fmt.Sprintf("INSERT INTO %s (id, v) VALUES (%d, 'row-%d')", s.table, id, id)); err != nil {
			t.Fatal(err)
		}
	}

	w := newWorker(t, nil)
	w.start()
	for _, s := range sources {
		c := map[string]string{"connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector", "tasks.max": "1",
			"connection.url": s.url, "mode": s.mode, "timestamp.column.name": "ts", "table.whitelist": s.table,
			"topic.prefix": prefix, "poll.interval.ms": "100"}
		if s.mode == "timestamp+incrementing" {
			c["incrementing.column.name"] = "id"
		}
		w.create("jdbc-late-"+s.name, c)
	}
	for _, s := range sources {
		w.waitRunning("jdbc-late-" + s.name)
		insert(s.db, s, 1)
		s.topic.waitAll(1, 1, 1)
	}

	// A: one open transaction per table, each holding row 2.
	var open []*sql.Tx
	for _, s := range sources {
		tx, err := s.db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		insert(tx, s, 2)
		open = append(open, tx)
	}
	// B: later rows, committed.
	for _, s := range sources {
		for id := 3; id <= 5; id++ {
			insert(s.db, s, id)
		}
	}
	committed := time.Now()
	pg, my := sources[0].db, sources[2].db
	waitPolledPostgres(t, pg, committed, sources[0].table, sources[1].table)
	waitPolledMariaDB(t, my)
	for _, s := range sources {
		s.topic.read()
		for id := 3; id <= 5; id++ {
			if s.topic.counts[id] > 0 {
				t.Errorf("%s: row %d published while an older transaction was open", s.name, id)
			}
		}
	}

	for _, tx := range open {
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range sources {
		s.topic.waitAll(1, 5, 1)
		s.topic.read()
		s.topic.exactlyOnce(s.name, 1, 5)
	}
}

// waitPolledPostgres waits until the connector's sessions have finished a query
// of each table that started after since (pg_stat_activity keeps a session's
// last statement).
func waitPolledPostgres(t *testing.T, db *sql.DB, since time.Time, tables ...string) {
	t.Helper()
	for _, tbl := range tables {
		harness.CheckFor(t, 60*time.Second, func() error {
			var n int
			err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'idle'
AND query_start > $1 AND query LIKE '%' || $2 || '%'`, since, tbl).Scan(&n)
			if err != nil || n == 0 {
				return fmt.Errorf("no finished query of %s since %v (%v)", tbl, since, err)
			}
			return nil
		})
	}
}

// waitPolledMariaDB waits until the server ran another 60 SELECTs (the two
// connectors run three per poll, every 100 ms; the test itself runs none
// meanwhile).
func waitPolledMariaDB(t *testing.T, db *sql.DB) {
	t.Helper()
	selects := func() int64 {
		var name string
		var n int64
		if err := db.QueryRow("SHOW GLOBAL STATUS LIKE 'Com_select'").Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	start := selects()
	harness.CheckFor(t, 60*time.Second, func() error {
		if n := selects() - start; n < 60 {
			return fmt.Errorf("%d SELECTs so far", n)
		}
		return nil
	})
}
