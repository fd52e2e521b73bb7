package harness

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Environment variables that point the harness at already running databases
// (JDBC URLs) instead of starting throw-away ones.
const (
	PostgresURLEnv = "GOCONNECT_TEST_POSTGRES_URL"
	MariaDBURLEnv  = "GOCONNECT_TEST_MARIADB_URL"
)

// database is one throw-away server started through scripts/databases.sh, shared
// by every test of the binary.
type database struct {
	kind, env string

	mu   sync.Mutex
	done bool
	dir  string // "" when none was started by this process
	url  string
	err  error
}

var (
	postgresDB = &database{kind: "postgres", env: PostgresURLEnv}
	mariaDB    = &database{kind: "mariadb", env: MariaDBURLEnv}
)

// DatabasesScript returns the path of scripts/databases.sh.
func DatabasesScript() string {
	return filepath.Join(RepoRoot(), "scripts", "databases.sh")
}

// runDatabases runs scripts/databases.sh; GOCONNECT_WATCH_PID makes its watchdog
// stop the server once this process is gone, so a test binary killed by a
// timeout leaves no server behind.
func runDatabases(args ...string) (string, error) {
	cmd := exec.Command("bash", append([]string{DatabasesScript()}, args...)...)
	cmd.Dir = RepoRoot()
	cmd.Env = append(os.Environ(), "GOCONNECT_WATCH_PID="+strconv.Itoa(os.Getpid()))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("databases.sh %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	out := strings.TrimSpace(stdout.String())
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:] // the URL is the last line
	}
	return out, nil
}

func (d *database) start() (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done {
		return d.url, d.err
	}
	d.done = true
	if u := os.Getenv(d.env); u != "" {
		d.url = u
		return u, nil
	}
	// Not t.TempDir: the server runs as its own user and needs to reach the
	// directory, and it outlives any one test.
	dir, err := os.MkdirTemp("", "goconnect-"+d.kind+"-")
	if err != nil {
		d.err = fmt.Errorf("harness: %s dir: %w", d.kind, err)
		return "", d.err
	}
	url, err := runDatabases("start", d.kind, dir)
	if err != nil {
		os.RemoveAll(dir)
		d.err = err
		return "", err
	}
	d.dir, d.url = dir, url
	return url, nil
}

func (d *database) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dir != "" {
		if _, err := runDatabases("stop", d.dir); err != nil {
			fmt.Fprintf(os.Stderr, "harness: stop %s: %v\n", d.kind, err)
		}
		os.RemoveAll(d.dir)
	}
	d.dir, d.url, d.err, d.done = "", "", nil, false
}

// pid returns the server's process id (0 for a server the harness did not start).
func (d *database) pid() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dir == "" {
		return 0
	}
	b, err := os.ReadFile(filepath.Join(d.dir, "pid"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// Postgres returns the JDBC URL (jdbc:postgresql://127.0.0.1:PORT/test?user=postgres)
// of the PostgreSQL server shared by this test binary, starting it on first use
// (installing PostgreSQL from Debian when missing). Tests share the database "test":
// use table names of your own. The server lives until StopDatabases.
func Postgres(t testing.TB) string {
	t.Helper()
	u, err := postgresDB.start()
	if err != nil {
		t.Fatalf("harness: postgres: %v", err)
	}
	return u
}

// MariaDB returns the JDBC URL (jdbc:mariadb://127.0.0.1:PORT/test?user=root) of the
// MariaDB server shared by this test binary, starting it on first use (installing
// mariadb-server from Debian when missing). The server lives until StopDatabases.
func MariaDB(t testing.TB) string {
	t.Helper()
	u, err := mariaDB.start()
	if err != nil {
		t.Fatalf("harness: mariadb: %v", err)
	}
	return u
}

// PostgresPID and MariaDBPID return the server process ids, for tests that freeze
// the database (kill -STOP / -CONT); 0 when the server was not started by the
// harness.
func PostgresPID() int { return postgresDB.pid() }

// MariaDBPID is PostgresPID for MariaDB.
func MariaDBPID() int { return mariaDB.pid() }

// StopDatabases stops the servers this process started and removes their data;
// call it from TestMain after m.Run.
func StopDatabases() {
	postgresDB.stop()
	mariaDB.stop()
}
