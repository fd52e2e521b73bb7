//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goconnect/goconnect/test/harness"
)

// brokerPID returns the pid of the process listening on the broker's port.
func brokerPID(t *testing.T, bootstrap string) int {
	t.Helper()
	_, port, _ := strings.Cut(bootstrap, ":")
	out, err := exec.Command("ss", "-ltnpH", "sport = :"+port).CombinedOutput()
	if err != nil {
		t.Fatalf("ss: %v: %s", err, out)
	}
	m := regexp.MustCompile(`pid=(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no process listening on %s: %s", bootstrap, out)
	}
	pid, _ := strconv.Atoi(string(m[1]))
	return pid
}

// TestDistributedBrokerFreeze: the broker is frozen (SIGSTOP) for longer than
// the session timeout under a 2-worker cluster running a file source → sink
// pipeline. Every worker that ran work revokes it (it cannot know whether the
// group moved on without it: Java's coordinator-loss rule), and when the broker
// is back (SIGCONT) the cluster reforms, everything is RUNNING again and no line
// is lost (duplicates are allowed: the offsets of the stopped source could not
// be committed while the broker was frozen).
func TestDistributedBrokerFreeze(t *testing.T) {
	if os.Getenv(harness.BootstrapEnv) != "" {
		// The test SIGSTOPs the broker process, which it can only do to a broker
		// the harness started itself; CI and `make test` always start their own,
		// so it runs there. It stops only a developer's external broker.
		t.Skip("this test SIGSTOPs the broker; " + harness.BootstrapEnv + " points at an external broker the harness does not own, so it cannot freeze it")
	}
	cluster := fmt.Sprintf("e2e-dist-freeze-%d", time.Now().UnixNano())
	ws := []*worker{newDistWorker(t, cluster, nil), newDistWorker(t, cluster, nil)}
	for _, w := range ws {
		w.start()
	}
	harness.CheckFor(t, 30*time.Second, func() error {
		for _, w := range ws {
			if code := w.do("GET", "/health", nil, nil); code != 200 {
				return fmt.Errorf("%s health %d", w.url, code)
			}
		}
		return nil
	})
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	out := filepath.Join(dir, "out.txt")
	topic := cluster + "-data"
	appendLines(t, in, 1, 100)
	ws[0].create("file-source", map[string]string{"connector.class": "FileStreamSource", "tasks.max": "1", "file": in, "topic": topic})
	ws[1].create("file-sink", map[string]string{"connector.class": "FileStreamSink", "tasks.max": "1", "file": out, "topics": topic})
	for _, name := range []string{"file-source", "file-sink"} {
		harness.CheckFor(t, 30*time.Second, func() error { return agreeAll(ws, name, "RUNNING") })
	}
	waitForLines(t, out, 1, 100)

	pid := brokerPID(t, harness.Kafka(t))
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	frozen := true
	defer func() {
		if frozen {
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	}()
	// session.timeout.ms is 10 s: revocation is due about then.
	const revoked = "Broker coordinator was unreachable; revoking previous assignment"
	harness.CheckFor(t, 30*time.Second, func() error {
		n := 0
		for _, w := range ws {
			if strings.Contains(w.proc.Log(), revoked) {
				n++
			}
		}
		if n != len(ws) {
			return fmt.Errorf("%d of %d workers revoked their work", n, len(ws))
		}
		return nil
	})
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	frozen = false

	// The revoked tasks must run again for new lines to arrive.
	appendLines(t, in, 101, 200)
	counts := waitForLines(t, out, 1, 200)
	dups := 0
	for _, n := range counts {
		if n > 1 {
			dups++
		}
	}
	t.Logf("lines delivered: %d distinct, %d duplicated", len(counts), dups)
	// Every worker is back in the group (the lines above may all have flowed
	// through the first worker to rejoin), and /status agrees.
	harness.CheckFor(t, 30*time.Second, func() error {
		for _, w := range ws {
			log := w.proc.Log()
			if !strings.Contains(log[strings.LastIndex(log, revoked):], "Assignment received") {
				return fmt.Errorf("%s has not rejoined the group since it revoked its work", w.url)
			}
		}
		return nil
	})
	for _, name := range []string{"file-source", "file-sink"} {
		harness.CheckFor(t, 30*time.Second, func() error { return agreeAll(ws, name, "RUNNING") })
	}
}
