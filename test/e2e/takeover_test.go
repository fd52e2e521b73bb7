//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/goconnect/goconnect/test/harness"
)

// javaREST sends a JSON request to a Java Connect worker and decodes the answer
// into out (when non-nil); it returns the status code.
func javaREST(t *testing.T, base, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		_ = json.Unmarshal(b, out)
	}
	return resp.StatusCode
}

// statesOf returns "CONN tasks..." states of a connector's /status at base.
func statesOf(t *testing.T, base, name string) (statusBody, error) {
	var st statusBody
	if code := javaREST(t, base, "GET", "/connectors/"+name+"/status", nil, &st); code != 200 {
		return st, fmt.Errorf("%s status: %d", name, code)
	}
	return st, nil
}

// wantStates checks that a connector and all its tasks are in state and, when
// on is set, reported by that worker id (not left over from the previous cluster).
func wantStates(t *testing.T, base, name, state string, on ...string) error {
	st, err := statesOf(t, base, name)
	if err != nil {
		return err
	}
	if st.Connector.State != state || len(st.Tasks) == 0 {
		return fmt.Errorf("%s: connector %s, %d tasks", name, st.Connector.State, len(st.Tasks))
	}
	for _, w := range on {
		if st.Connector.WorkerID != w {
			return fmt.Errorf("%s: connector on %s, want %s", name, st.Connector.WorkerID, w)
		}
	}
	for _, tk := range st.Tasks {
		if tk.State != state {
			return fmt.Errorf("%s: task %d %s %s", name, tk.ID, tk.State, tk.Trace)
		}
		for _, w := range on {
			if tk.WorkerID != w {
				return fmt.Errorf("%s: task %d on %s, want %s", name, tk.ID, tk.WorkerID, w)
			}
		}
	}
	return nil
}

// offsetAt polls GET /connectors/{name}/offsets at base until the first
// partition's offset field key equals want.
func offsetAt(t *testing.T, base, name, key, want string) error {
	var offs struct {
		Offsets []struct{ Offset map[string]any }
	}
	if code := javaREST(t, base, "GET", "/connectors/"+name+"/offsets", nil, &offs); code != 200 {
		return fmt.Errorf("%s offsets: %d", name, code)
	}
	for _, o := range offs.Offsets {
		if fmt.Sprint(o.Offset[key]) == want {
			return nil
		}
	}
	return fmt.Errorf("%s offsets %v, want one with %s=%s", name, offs.Offsets, key, want)
}

// TestTakeoverOfJavaCluster: the real Java Kafka Connect 4.3.1 (distributed) runs
// a FileStreamSource → topic → FileStreamSink pipeline and a paused connector,
// commits its offsets and stops; goconnect distributed started with the same
// group.id and storage topics runs the connectors (the paused one stays PAUSED),
// the source resumes at Java's committed position and the sink at Java's
// consumer-group offsets: every line reaches the output exactly once.
func TestTakeoverOfJavaCluster(t *testing.T) {
	cluster := fmt.Sprintf("e2e-takeover-%d", time.Now().UnixNano())
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	out := filepath.Join(dir, "out.txt")
	pausedIn := filepath.Join(dir, "paused.txt")
	topic := cluster + "-data"
	appendLines(t, in, 1, 100)
	appendLines(t, pausedIn, 1, 10)

	// Java's topic defaults (25 offset and 5 status partitions) are kept: goconnect
	// must accept the topics as Java created them.
	java := harness.JavaConnectWorkerFor(t, "distributed", map[string]string{
		"group.id":             cluster,
		"config.storage.topic": cluster + "-configs",
		"offset.storage.topic": cluster + "-offsets",
		"status.storage.topic": cluster + "-status",
	})
	create := func(name string, config map[string]string) {
		t.Helper()
		if code := javaREST(t, java.URL, "POST", "/connectors", map[string]any{"name": name, "config": config}, nil); code != http.StatusCreated {
			t.Fatalf("java: create %s: %d", name, code)
		}
	}
	create("file-source", map[string]string{"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
		"tasks.max": "1", "file": in, "topic": topic})
	create("takeover-sink", map[string]string{"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
		"tasks.max": "1", "file": out, "topics": topic})
	create("paused-source", map[string]string{"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
		"tasks.max": "1", "file": pausedIn, "topic": cluster + "-paused"})
	for _, name := range []string{"file-source", "takeover-sink", "paused-source"} {
		harness.CheckFor(t, 60*time.Second, func() error { return wantStates(t, java.URL, name, "RUNNING") })
	}
	if code := javaREST(t, java.URL, "PUT", "/connectors/paused-source/pause", nil, nil); code != http.StatusAccepted {
		t.Fatalf("java: pause: %d", code)
	}
	harness.CheckFor(t, 30*time.Second, func() error { return wantStates(t, java.URL, "paused-source", "PAUSED") })
	waitForLines(t, out, 1, 100)
	// 100 lines of "line-NNNNN\n" = 1100 bytes; the sink has consumed 100 records.
	harness.CheckFor(t, 30*time.Second, func() error { return offsetAt(t, java.URL, "file-source", "position", "1100") })
	harness.CheckFor(t, 30*time.Second, func() error { return offsetAt(t, java.URL, "takeover-sink", "kafka_offset", "100") })
	if err := java.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()

	appendLines(t, in, 101, 200)
	w := newDistWorker(t, cluster, map[string]string{
		"key.converter.schemas.enable":   "false",
		"value.converter.schemas.enable": "false",
		"offset.storage.partitions":      "25",
		"status.storage.partitions":      "5",
	})
	w.start()
	id := workerID(w)
	harness.CheckFor(t, 60*time.Second, func() error {
		for _, name := range []string{"file-source", "takeover-sink"} {
			if err := wantStates(t, w.url, name, "RUNNING", id); err != nil {
				return err
			}
		}
		return wantStates(t, w.url, "paused-source", "PAUSED", id)
	})
	t.Logf("goconnect running Java's connectors %v after Java stopped (including its start)", time.Since(stopped))
	// Java's records are read: the connectors' configs as Java wrote them.
	var cfg map[string]string
	if code := w.do("GET", "/connectors/file-source/config", nil, &cfg); code != 200 || cfg["file"] != in {
		t.Fatalf("file-source config: %d %v", code, cfg)
	}

	counts := waitForLines(t, out, 1, 200)
	// Let the source commit past the new lines, then count again: a late replay
	// from the start of the file or the topic would show up as duplicates.
	harness.CheckFor(t, 30*time.Second, func() error { return offsetAt(t, w.url, "file-source", "position", "2200") })
	appendLines(t, in, 201, 210)
	counts = waitForLines(t, out, 1, 210)
	for l, n := range counts {
		if n != 1 {
			t.Errorf("%s delivered %d times", l, n)
		}
	}
	if len(counts) != 210 {
		t.Errorf("%d distinct lines in the sink output, want 210", len(counts))
	}
	// The paused connector produced nothing after the takeover, and resumes.
	if code := w.do("PUT", "/connectors/paused-source/resume", nil, nil); code != http.StatusAccepted {
		t.Fatalf("resume: %d", code)
	}
	harness.CheckFor(t, 30*time.Second, func() error { return wantStates(t, w.url, "paused-source", "RUNNING", id) })
}
