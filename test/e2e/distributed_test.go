//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goconnect/goconnect/test/harness"
)

// newDistWorker writes a distributed worker.properties for the real broker (group
// and topics named after cluster) and returns a worker that is not started yet.
// Group timeouts are Java's defaults, so failover is measured as users get it.
func newDistWorker(t *testing.T, cluster string, extra map[string]string) *worker {
	t.Helper()
	bin := harness.BuildBinary(t)
	bootstrap := harness.Kafka(t)
	dir := t.TempDir()
	port := harness.FreePort()
	props := map[string]string{
		"bootstrap.servers":                 bootstrap,
		"group.id":                          cluster,
		"config.storage.topic":              cluster + "-configs",
		"offset.storage.topic":              cluster + "-offsets",
		"status.storage.topic":              cluster + "-status",
		"config.storage.replication.factor": "1",
		"offset.storage.replication.factor": "1",
		"status.storage.replication.factor": "1",
		"offset.storage.partitions":         "5",
		"status.storage.partitions":         "3",
		"key.converter":                     "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":                   "org.apache.kafka.connect.json.JsonConverter",
		"offset.flush.interval.ms":          "500",
		"listeners":                         fmt.Sprintf("http://127.0.0.1:%d", port),
		"consumer.session.timeout.ms":       "6000",
		"consumer.heartbeat.interval.ms":    "1000",
		"task.shutdown.graceful.timeout.ms": "5000",
	}
	for k, v := range extra {
		props[k] = v
	}
	var b strings.Builder
	for k, v := range props {
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	wp := filepath.Join(dir, "worker.properties")
	if err := os.WriteFile(wp, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return &worker{t: t, bin: bin, dir: dir, url: fmt.Sprintf("http://127.0.0.1:%d", port),
		args: []string{"distributed", wp}}
}

type statusBody struct {
	Name      string
	Connector struct {
		State    string
		WorkerID string `json:"worker_id"`
	}
	Tasks []struct {
		ID       int
		State    string
		WorkerID string `json:"worker_id"`
		Trace    string
	}
}

// statusOf returns /status as one comparable line.
func statusOf(w *worker, name string) (string, statusBody, error) {
	var st statusBody
	if code := w.do("GET", "/connectors/"+name+"/status", nil, &st); code != 200 {
		return "", st, fmt.Errorf("%s: status %d", w.url, code)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s@%s", st.Connector.State, st.Connector.WorkerID)
	for _, tk := range st.Tasks {
		fmt.Fprintf(&b, " %d:%s@%s", tk.ID, tk.State, tk.WorkerID)
	}
	return b.String(), st, nil
}

// agreeAll checks that every worker answers the same /status, with the connector
// and all tasks in state, none on a worker id in dead.
func agreeAll(ws []*worker, name, state string, dead ...string) error {
	var first string
	for i, w := range ws {
		line, st, err := statusOf(w, name)
		if err != nil {
			return err
		}
		if i == 0 {
			first = line
		} else if line != first {
			return fmt.Errorf("workers disagree on %s: %q vs %q", name, first, line)
		}
		if st.Connector.State != state || len(st.Tasks) == 0 {
			return fmt.Errorf("%s: %s", name, line)
		}
		for _, tk := range st.Tasks {
			if tk.State != state {
				return fmt.Errorf("%s: %s", name, line)
			}
		}
		for _, d := range dead {
			if strings.Contains(line, "@"+d) {
				return fmt.Errorf("%s still on dead worker %s: %s", name, d, line)
			}
		}
	}
	return nil
}

func workerID(w *worker) string { return strings.TrimPrefix(w.url, "http://") }

// TestDistributedClusterFailoverAndRestart: 3 goconnect distributed workers on the
// real broker; a file source and sink created through different workers
// (followers forward to the leader); every worker's /status agrees; kill -9 of a
// worker → everything RUNNING on the survivors within 15 s and no line lost; a
// paused connector stays paused across a full cluster restart.
func TestDistributedClusterFailoverAndRestart(t *testing.T) {
	cluster := fmt.Sprintf("e2e-dist-%d", time.Now().UnixNano())
	ws := make([]*worker, 3)
	for i := range ws {
		ws[i] = newDistWorker(t, cluster, nil)
		ws[i].start()
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
	ws[1].create("file-source", map[string]string{"connector.class": "FileStreamSource", "tasks.max": "1", "file": in, "topic": topic})
	ws[2].create("file-sink", map[string]string{"connector.class": "FileStreamSink", "tasks.max": "1", "file": out, "topics": topic})
	// A duplicate through any worker is the leader's 409.
	if code := ws[0].do("POST", "/connectors", map[string]any{"name": "file-sink",
		"config": map[string]string{"connector.class": "FileStreamSink", "tasks.max": "1", "file": out, "topics": topic}}, nil); code != http.StatusConflict {
		t.Fatalf("duplicate create: %d", code)
	}
	for _, name := range []string{"file-source", "file-sink"} {
		harness.CheckFor(t, 30*time.Second, func() error { return agreeAll(ws, name, "RUNNING") })
	}
	waitForLines(t, out, 1, 100)

	// kill -9 the worker running the source task (or any worker with work).
	_, st, err := statusOf(ws[0], "file-source")
	if err != nil {
		t.Fatal(err)
	}
	victim := 0
	for i, w := range ws {
		if workerID(w) == st.Tasks[0].WorkerID {
			victim = i
		}
	}
	dead := workerID(ws[victim])
	// Wait for the source's first offset commit (GET offsets reads the offsets
	// topic through another worker), so the kill tests failover, not the
	// at-least-once replay of uncommitted records.
	harness.CheckFor(t, 10*time.Second, func() error {
		var offs struct {
			Offsets []struct{ Offset map[string]any }
		}
		if code := ws[(victim+1)%3].do("GET", "/connectors/file-source/offsets", nil, &offs); code != 200 {
			return fmt.Errorf("offsets: %d", code)
		}
		if len(offs.Offsets) == 0 || fmt.Sprint(offs.Offsets[0].Offset["position"]) != "1100" {
			return fmt.Errorf("source offsets %v", offs.Offsets)
		}
		return nil
	})
	if err := ws[victim].proc.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	var survivors []*worker
	for i, w := range ws {
		if i != victim {
			survivors = append(survivors, w)
		}
	}
	harness.CheckFor(t, 60*time.Second, func() error {
		for _, name := range []string{"file-source", "file-sink"} {
			if err := agreeAll(survivors, name, "RUNNING", dead); err != nil {
				return err
			}
		}
		return nil
	})
	failover := time.Since(killed)
	t.Logf("failover after kill -9: %v", failover)
	if failover > 15*time.Second {
		t.Errorf("failover took %v, want ≤ 15 s", failover)
	}
	appendLines(t, in, 101, 200)
	waitForLines(t, out, 1, 200)

	// Restart the killed worker; pause the sink; restart the whole cluster.
	ws[victim].start()
	if code := ws[victim].do("PUT", "/connectors/file-sink/pause", nil, nil); code != http.StatusAccepted {
		t.Fatalf("pause: %d", code)
	}
	harness.CheckFor(t, 30*time.Second, func() error { return agreeAll(ws, "file-sink", "PAUSED") })
	for _, w := range ws {
		if err := w.proc.Term(); err != nil {
			t.Fatal(err)
		}
		<-w.proc.Done()
	}
	for _, w := range ws {
		w.start()
	}
	harness.CheckFor(t, 60*time.Second, func() error {
		if err := agreeAll(ws, "file-source", "RUNNING"); err != nil {
			return err
		}
		return agreeAll(ws, "file-sink", "PAUSED")
	})
	appendLines(t, in, 201, 250)
	if code := ws[0].do("PUT", "/connectors/file-sink/resume", nil, nil); code != http.StatusAccepted {
		t.Fatalf("resume: %d", code)
	}
	counts := waitForLines(t, out, 1, 250)
	var dups int
	var dupLines []string
	for l, n := range counts {
		if n > 1 {
			dups++
			if len(dupLines) < 5 {
				dupLines = append(dupLines, l)
			}
		}
	}
	t.Logf("lines delivered: %d distinct, %d duplicated (e.g. %v)", len(counts), dups, dupLines)
}

// TestDistributedRollingRestarts: 3 workers run FileStreamSource → topic →
// FileStreamSink while lines are appended continuously; three rounds of clean
// (SIGTERM) rolling restarts of every worker; every line reaches the output
// exactly once: SIGTERM stops tasks, commits their offsets and leaves the group.
func TestDistributedRollingRestarts(t *testing.T) {
	cluster := fmt.Sprintf("e2e-roll-%d", time.Now().UnixNano())
	ws := make([]*worker, 3)
	for i := range ws {
		ws[i] = newDistWorker(t, cluster, nil)
		ws[i].start()
	}
	healthy := func() error {
		for _, w := range ws {
			if code := w.do("GET", "/health", nil, nil); code != 200 {
				return fmt.Errorf("%s health %d", w.url, code)
			}
		}
		return nil
	}
	harness.CheckFor(t, 30*time.Second, healthy)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	out := filepath.Join(dir, "out.txt")
	topic := cluster + "-data"
	appendLines(t, in, 1, 50)
	ws[0].create("file-source", map[string]string{"connector.class": "FileStreamSource", "tasks.max": "1", "file": in, "topic": topic})
	ws[1].create("file-sink", map[string]string{"connector.class": "FileStreamSink", "tasks.max": "1", "file": out, "topics": topic})
	running := func() error {
		for _, name := range []string{"file-source", "file-sink"} {
			if err := agreeAll(ws, name, "RUNNING"); err != nil {
				return err
			}
		}
		return nil
	}
	harness.CheckFor(t, 30*time.Second, running)
	waitForLines(t, in, 1, 50)

	// The writer appends 10 lines every 100 ms until stopped.
	stop := make(chan struct{})
	written := make(chan int)
	go func() {
		n := 50
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				written <- n
				return
			case <-tick.C:
			}
			f, err := os.OpenFile(in, os.O_APPEND|os.O_WRONLY, 0o644)
			if err != nil {
				continue
			}
			var b strings.Builder
			for i := n + 1; i <= n+10; i++ {
				fmt.Fprintf(&b, "line-%05d\n", i)
			}
			if _, err := f.WriteString(b.String()); err == nil {
				n += 10
			}
			f.Close()
		}
	}()
	for round := 1; round <= 3; round++ {
		for i, w := range ws {
			start := time.Now()
			if err := w.proc.Term(); err != nil {
				t.Fatal(err)
			}
			<-w.proc.Done()
			w.start()
			harness.CheckFor(t, 60*time.Second, func() error {
				if err := healthy(); err != nil {
					return err
				}
				return running()
			})
			t.Logf("round %d: worker %d restarted, all RUNNING after %v", round, i, time.Since(start))
		}
	}
	close(stop)
	n := <-written
	counts := waitForLines(t, out, 1, n)
	// A last check after the source committed past the end: no late replay.
	time.Sleep(2 * time.Second)
	counts = countLines(out)
	var dups []string
	for l, c := range counts {
		if c > 1 {
			dups = append(dups, fmt.Sprintf("%s×%d", l, c))
		}
	}
	slices.Sort(dups)
	if len(dups) > 0 {
		t.Errorf("%d duplicated lines of %d: %v", len(dups), n, dups[:min(len(dups), 20)])
	}
	if len(counts) != n {
		t.Errorf("%d distinct lines in the output, want %d", len(counts), n)
	}
	t.Logf("%d lines delivered across 3 rolling-restart rounds, %d duplicated", n, len(dups))

	// The offsets endpoints through every worker (followers forward to the leader).
	offsetsStart := time.Now()
	var msg struct{ Message string }
	alter := map[string]any{"offsets": []map[string]any{{"partition": map[string]any{"filename": in}, "offset": map[string]any{"position": 11}}}}
	notStopped := "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/file-source/stop' endpoint"
	for _, w := range ws {
		if code := w.do("PATCH", "/connectors/file-source/offsets", alter, &msg); code != http.StatusBadRequest || msg.Message != notStopped {
			t.Fatalf("%s: PATCH offsets of a running connector: %d %q", w.url, code, msg.Message)
		}
	}
	if code := ws[2].do("PUT", "/connectors/file-source/stop", nil, nil); code != http.StatusNoContent {
		t.Fatalf("stop: %d", code)
	}
	harness.CheckFor(t, 30*time.Second, func() error {
		for _, w := range ws {
			if _, st, err := statusOf(w, "file-source"); err != nil || st.Connector.State != "STOPPED" || len(st.Tasks) != 0 {
				return fmt.Errorf("%s: %+v %v", w.url, st, err)
			}
		}
		return nil
	})
	// FileStreamSourceConnector.alterOffsets answers true: Java's short message.
	const altered = "The offsets for this connector have been altered successfully"
	for _, w := range ws {
		msg.Message = ""
		if code := w.do("PATCH", "/connectors/file-source/offsets", alter, &msg); code != http.StatusOK || msg.Message != altered {
			t.Fatalf("%s: PATCH offsets: %d %q", w.url, code, msg.Message)
		}
	}
	var offs struct {
		Offsets []struct{ Partition, Offset map[string]any }
	}
	harness.CheckFor(t, 10*time.Second, func() error {
		for _, w := range ws {
			if code := w.do("GET", "/connectors/file-source/offsets", nil, &offs); code != 200 || fmt.Sprint(offs.Offsets) != fmt.Sprintf("[{map[filename:%s] map[position:11]}]", in) {
				return fmt.Errorf("%s: offsets %d %v", w.url, code, offs.Offsets)
			}
		}
		return nil
	})
	t.Logf("offsets altered through every worker after %v", time.Since(offsetsStart))
	msg.Message = ""
	if code := ws[1].do("DELETE", "/connectors/file-source/offsets", nil, &msg); code != http.StatusOK || msg.Message != "The offsets for this connector have been reset successfully" {
		t.Fatalf("DELETE offsets: %d %q", code, msg.Message)
	}
	harness.CheckFor(t, 10*time.Second, func() error {
		for _, w := range ws {
			if code := w.do("GET", "/connectors/file-source/offsets", nil, &offs); code != 200 || len(offs.Offsets) != 0 {
				return fmt.Errorf("%s: offsets %d %v", w.url, code, offs.Offsets)
			}
		}
		return nil
	})
	t.Logf("offsets reset after %v", time.Since(offsetsStart))
}

// TestDistributedRefusesExactlyOnceSource: exactly-once source (KIP-618) is not
// implemented, so a worker configured for it exits at start with the reason rather
// than running sources at least once while its operator expects exactly once.
func TestDistributedRefusesExactlyOnceSource(t *testing.T) {
	w := newDistWorker(t, fmt.Sprintf("e2e-dist-eos-%d", time.Now().UnixNano()),
		map[string]string{"exactly.once.source.support": "enabled"})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, w.bin, w.args...).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("worker did not exit with an error (err %v); output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "does not support exactly-once source connectors") {
		t.Errorf("output does not name the reason:\n%s", out)
	}
	if resp, err := http.Get(w.url + "/"); err == nil {
		resp.Body.Close()
		t.Errorf("REST is still answering on %s", w.url)
	}
}
