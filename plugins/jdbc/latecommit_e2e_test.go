//go:build e2e

package jdbc

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/test/harness"
)

// lateCommitDB is a database for the late-commit tests: a table whose timestamp
// is stamped by the database clock, and a user that may not see other sessions.
type lateCommitDB struct {
	name    string
	url     func(testing.TB) string
	table   string // column definitions
	lowPriv func(t *testing.T, url, table string) string
}

var lateCommitDBs = []lateCommitDB{
	{
		name:  "postgres",
		url:   harness.Postgres,
		table: "id SERIAL PRIMARY KEY, ts TIMESTAMPTZ NOT NULL DEFAULT now(), v VARCHAR(20)",
		lowPriv: func(t *testing.T, url, table string) string {
			db, _ := openTestDB(t, url)
			mustExec(t, db, "DROP ROLE IF EXISTS lowpriv_"+table)
			mustExec(t, db, "CREATE ROLE lowpriv_"+table+" LOGIN")
			mustExec(t, db, "GRANT SELECT ON "+table+" TO lowpriv_"+table)
			return strings.Replace(url, "user=postgres", "user=lowpriv_"+table, 1)
		},
	},
	{
		name:  "mariadb",
		url:   harness.MariaDB,
		table: "id INT AUTO_INCREMENT PRIMARY KEY, ts TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), v VARCHAR(20)",
		lowPriv: func(t *testing.T, url, table string) string {
			db, _ := openTestDB(t, url)
			mustExec(t, db, "DROP USER IF EXISTS 'lowpriv'@'127.0.0.1'")
			mustExec(t, db, "CREATE USER 'lowpriv'@'127.0.0.1'")
			mustExec(t, db, "GRANT SELECT ON test.* TO 'lowpriv'@'127.0.0.1'")
			return strings.Replace(url, "user=root", "user=lowpriv", 1)
		},
	},
}

// TestSourceLateCommit is the late-commit scenario on real servers: a transaction
// inserts a row (stamped by the database clock) and stays open while another
// session commits later rows; the source must not move its offset past the open
// transaction's row. Once it commits, every row has arrived exactly once.
// Without the open-transaction bound the later rows are read first and the late
// row is never read.
func TestSourceLateCommit(t *testing.T) {
	for _, ldb := range lateCommitDBs {
		for _, mode := range []string{modeTimestampIncrementing, modeTimestamp} {
			t.Run(ldb.name+"/"+mode, func(t *testing.T) {
				url := ldb.url(t)
				db, _ := openTestDB(t, url)
				tbl := "late_" + strings.ReplaceAll(mode, "+", "_")
				mustExec(t, db, "DROP TABLE IF EXISTS "+tbl)
				mustExec(t, db, "CREATE TABLE "+tbl+" ("+ldb.table+")")
				insert := func(v string) { mustExec(t, db, "INSERT INTO "+tbl+" (v) VALUES ('"+v+"')") }

				offs := memOffsets{}
				props := map[string]string{ModeConfig: mode, TimestampColumnConfig: "ts", TopicPrefixConfig: "p_", tablesConfig: tbl}
				if mode == modeTimestampIncrementing {
					props[IncrementingColumnConfig] = "id"
				}
				task := startSource(t, url, props, offs)
				insert("first")
				got := ids(pollN(t, task, 1, offs), "v")

				// A: insert and keep the transaction open.
				tx, err := db.BeginTx(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				if _, err := tx.Exec("INSERT INTO " + tbl + " (v) VALUES ('late')"); err != nil {
					t.Fatal(err)
				}
				// B: later rows, committed.
				for i := 1; i <= 3; i++ {
					insert(fmt.Sprint("after", i))
				}
				// The connector polls (every 20 ms) while A is open: the later rows
				// are held back, since reading them would move the offset past A's row.
				held := pollFor(t, task, 300*time.Millisecond, offs)
				if len(held) > 0 {
					t.Errorf("read %v while an older transaction was open", ids(held, "v"))
				}
				got = append(got, ids(held, "v")...)

				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				got = append(got, ids(pollN(t, task, 4-len(held), offs), "v")...)
				pollNone(t, task)
				slices.Sort(got)
				if want := []string{"after1", "after2", "after3", "first", "late"}; !slices.Equal(got, want) {
					t.Errorf("rows %v, want each of %v once", got, want)
				}
				if task.noWriters {
					t.Errorf("the open-transaction bound was disabled")
				}
			})
		}
	}
}

// TestSourceLateCommitNoPrivilege: a user that may not see other sessions'
// transactions still gets every committed row (the bound falls back to
// timestamp.delay.interval.ms, logged once).
func TestSourceLateCommitNoPrivilege(t *testing.T) {
	for _, ldb := range lateCommitDBs {
		t.Run(ldb.name, func(t *testing.T) {
			url := ldb.url(t)
			db, _ := openTestDB(t, url)
			tbl := "late_lowpriv"
			mustExec(t, db, "DROP TABLE IF EXISTS "+tbl)
			mustExec(t, db, "CREATE TABLE "+tbl+" ("+ldb.table+")")
			lowURL := ldb.lowPriv(t, url, tbl)
			offs := memOffsets{}
			task := startSource(t, lowURL, map[string]string{ModeConfig: modeTimestampIncrementing, TimestampColumnConfig: "ts",
				IncrementingColumnConfig: "id", TopicPrefixConfig: "p_", tablesConfig: tbl}, offs)
			for i := 1; i <= 3; i++ {
				mustExec(t, db, "INSERT INTO "+tbl+" (v) VALUES ('r"+fmt.Sprint(i)+"')")
			}
			if got := ids(pollN(t, task, 3, offs), "v"); !slices.Equal(got, []string{"r1", "r2", "r3"}) {
				t.Errorf("rows %v", got)
			}
			if !task.noWriters {
				t.Errorf("the open-transaction bound is still on for a user that cannot see other sessions")
			}
		})
	}
}

// pollFor polls for d and returns what came.
func pollFor(t *testing.T, task *SourceTask, d time.Duration, offsets memOffsets) []*connect.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out []*connect.Record
	for ctx.Err() == nil {
		recs, err := task.Poll(ctx)
		if err != nil {
			t.Fatalf("poll: %v", err)
		}
		offsets.commit(recs)
		out = append(out, recs...)
	}
	return out
}

// TestMariaDBOpenWritersConcurrentReaders: several tasks of one worker reading the
// open transactions of one MariaDB server at once all get fresh answers. Each read
// of innodb_trx resets InnoDB's 100 ms refresh timer, so readers that interleave
// can keep its cache stale; reads are serialized per server and a fresh answer is
// shared with the tasks that asked before it was read.
func TestMariaDBOpenWritersConcurrentReaders(t *testing.T) {
	url := harness.MariaDB(t)
	const readers = 4
	dbs := make([]*sql.DB, readers)
	var d dialect
	for i := range dbs {
		dbs[i], d = openTestDB(t, url)
	}
	w := d.(openWriters)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	var reads atomic.Int64
	for _, db := range dbs {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, _, err := w.oldestWriter(ctx, db); err != nil {
					if ctx.Err() == nil {
						errs <- err
					}
					return
				}
				reads.Add(1)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("oldestWriter: %v", err)
	}
	if reads.Load() < readers {
		t.Errorf("only %d fresh answers in 3 s for %d readers", reads.Load(), readers)
	}
}
