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

// SearchURLEnv names the environment variable that points the harness at an
// existing Elasticsearch/OpenSearch server (base URL) instead of starting one.
const SearchURLEnv = "GOCONNECT_TEST_SEARCH_URL"

// searchServer is the single-node OpenSearch started through scripts/search.sh,
// shared by every test of the binary.
var searchServer struct {
	mu   sync.Mutex
	done bool
	dir  string // "" when none was started by this process
	url  string
	err  error
}

// SearchScript returns the path of scripts/search.sh.
func SearchScript() string {
	return filepath.Join(RepoRoot(), "scripts", "search.sh")
}

// runSearch runs scripts/search.sh; GOCONNECT_WATCH_PID makes its watchdog stop
// the JVM once this process is gone.
func runSearch(args ...string) (string, error) {
	cmd := exec.Command("bash", append([]string{SearchScript()}, args...)...)
	cmd.Dir = RepoRoot()
	cmd.Env = append(os.Environ(), "GOCONNECT_WATCH_PID="+strconv.Itoa(os.Getpid()))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("search.sh %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	out := strings.TrimSpace(stdout.String())
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	return out, nil
}

// StartSearch starts the shared search server (once per process) without a
// testing.TB and returns its base URL (http://127.0.0.1:PORT).
func StartSearch() (string, error) {
	s := &searchServer
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return s.url, s.err
	}
	s.done = true
	if u := os.Getenv(SearchURLEnv); u != "" {
		s.url = u
		return u, nil
	}
	if _, err := runSearch("fetch"); err != nil {
		s.err = err
		return "", err
	}
	dir, err := os.MkdirTemp("", "goconnect-search-")
	if err != nil {
		s.err = fmt.Errorf("harness: search dir: %w", err)
		return "", s.err
	}
	u, err := runSearch("start", dir)
	if err != nil {
		os.RemoveAll(dir)
		s.err = err
		return "", err
	}
	s.dir, s.url = dir, u
	return u, nil
}

// Search returns the base URL of the real single-node OpenSearch server shared by
// this test binary, starting it on first use (fetching its jars with Maven into
// .cache/ once). Tests share the server: use index (topic) names of your own. The
// server lives until StopSearch, which Shutdown (and so Main) calls.
func Search(t testing.TB) string {
	t.Helper()
	u, err := StartSearch()
	if err != nil {
		t.Fatalf("harness: search server: %v", err)
	}
	return u
}

// SearchPID returns the server's process id, for tests that freeze it
// (kill -STOP / -CONT); 0 when the harness did not start it.
func SearchPID() int {
	s := &searchServer
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir == "" {
		return 0
	}
	b, err := os.ReadFile(filepath.Join(s.dir, "pid"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// StopSearch stops the server this process started (if any) and removes its data.
func StopSearch() {
	s := &searchServer
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		if _, err := runSearch("stop", s.dir); err != nil {
			fmt.Fprintf(os.Stderr, "harness: stop search server: %v\n", err)
		}
		os.RemoveAll(s.dir)
	}
	s.dir, s.url, s.err, s.done = "", "", nil, false
}
