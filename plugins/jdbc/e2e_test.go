//go:build e2e

package jdbc

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/connect"

	"github.com/goconnect/goconnect/test/harness"
)

// The e2e tests run the sink and source suites on real PostgreSQL and MariaDB
// servers started by scripts/databases.sh (through the harness).

func TestSinkPostgres(t *testing.T) { runSinkSuite(t, harness.Postgres(t), "") }

func TestSinkMariaDB(t *testing.T) { runSinkSuite(t, harness.MariaDB(t), "") }

func TestSourcePostgres(t *testing.T) {
	runSourceSuite(t, harness.Postgres(t), "", "TIMESTAMP")
}

func TestSourceMariaDB(t *testing.T) {
	runSourceSuite(t, harness.MariaDB(t), "", "DATETIME(3)")
}

// freezeTree sends sig to pid and all its descendants (a PostgreSQL server is a
// postmaster plus one backend process per connection).
func freezeTree(t *testing.T, pid int, sig syscall.Signal) {
	t.Helper()
	pids := []int{pid}
	for i := 0; i < len(pids); i++ {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			child, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
			if err != nil {
				continue
			}
			// stat is "pid (comm) state ppid ...": comm may hold spaces.
			f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
			if len(f) > 1 && f[1] == strconv.Itoa(pids[i]) && !slices.Contains(pids, child) {
				pids = append(pids, child)
			}
		}
	}
	for _, p := range pids {
		_ = syscall.Kill(p, sig)
	}
}

// The database frozen mid-stream (SIGSTOP, then SIGCONT): the sink blocks or
// retries, then every row is there exactly once (upsert). The freeze lasts
// GOCONNECT_TEST_FREEZE_SECONDS (default 3; the scenario is 30).
func TestSinkSurvivesFrozenDatabase(t *testing.T) {
	freeze := 3 * time.Second
	if s := os.Getenv("GOCONNECT_TEST_FREEZE_SECONDS"); s != "" {
		n, _ := strconv.Atoi(s)
		freeze = time.Duration(n) * time.Second
	}
	for _, db := range []struct {
		name string
		url  func(testing.TB) string
		pid  func() int
	}{
		{"postgres", harness.Postgres, harness.PostgresPID},
		{"mariadb", harness.MariaDB, harness.MariaDBPID},
	} {
		t.Run(db.name, func(t *testing.T) {
			url := db.url(t)
			pid := db.pid()
			if pid == 0 {
				t.Skip("server not started by the harness")
			}
			conn, _ := openTestDB(t, url)
			mustExec(t, conn, "DROP TABLE IF EXISTS frozen")
			task := startSink(t, url, map[string]string{TableConfig: "frozen", AutoCreateConfig: "true", InsertModeConfig: "upsert",
				PKModeConfig: "record_value", PKFieldsConfig: "id", RetryBackoffConfig: "200", MaxRetriesConfig: "1000"}, nil)
			s := allTypesSchema(false)
			const total, batch = 3000, 100
			var wg sync.WaitGroup
			for off := 0; off < total; off += batch {
				if off == total/3 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						freezeTree(t, pid, syscall.SIGSTOP)
						time.Sleep(freeze)
						freezeTree(t, pid, syscall.SIGCONT)
					}()
				}
				var recs []*connect.Record
				for i := off; i < off+batch; i++ {
					// Every record is delivered twice (a redelivery), so upsert must dedupe.
					recs = append(recs, sinkRecord("t", int64(i), nil, nil, s, allTypesValue(s, int64(i%(total/2)))))
				}
				ctx, cancel := context.WithTimeout(context.Background(), freeze+time.Minute)
				for {
					err := task.Put(ctx, recs)
					if err == nil {
						break
					}
					if !connect.IsRetriable(err) {
						cancel()
						freezeTree(t, pid, syscall.SIGCONT)
						t.Fatalf("put at offset %d: %v", off, err)
					}
					time.Sleep(200 * time.Millisecond) // the runtime's redelivery backoff
				}
				cancel()
			}
			wg.Wait()
			got := queryRows(t, conn, "SELECT COUNT(*), COUNT(DISTINCT id), MIN(id), MAX(id) FROM frozen")
			if want := [][]string{{"1500", "1500", "0", "1499"}}; !cmp.Equal(got, want) {
				t.Errorf("rows %v, want %v", got, want)
			}
		})
	}
}

func BenchmarkPostgres(b *testing.B) { benchDatabase(b, harness.Postgres(b)) }

func BenchmarkMariaDB(b *testing.B) { benchDatabase(b, harness.MariaDB(b)) }
