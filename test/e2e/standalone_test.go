//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goconnect/goconnect/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// worker is one goconnect standalone process under test.
type worker struct {
	t    *testing.T
	bin  string
	dir  string
	url  string
	args []string
	proc *harness.Process
}

// newWorker writes a worker.properties for the real broker and returns a worker
// that is not started yet. extra overrides or adds properties.
func newWorker(t *testing.T, extra map[string]string, connectorFiles ...string) *worker {
	t.Helper()
	bin := harness.BuildBinary(t)
	bootstrap := harness.Kafka(t)
	dir := t.TempDir()
	port := harness.FreePort()
	props := map[string]string{
		"bootstrap.servers":              bootstrap,
		"key.converter":                  "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"key.converter.schemas.enable":   "true",
		"value.converter.schemas.enable": "true",
		"offset.storage.file.filename":   filepath.Join(dir, "connect.offsets"),
		"offset.flush.interval.ms":       "500",
		"listeners":                      fmt.Sprintf("http://127.0.0.1:%d", port),
		// A kill -9ed sink leaves its consumer-group member behind until the session
		// times out; keep that short (and exercise the consumer.* passthrough).
		"consumer.session.timeout.ms": "6000",
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
		args: append([]string{"standalone", wp}, connectorFiles...)}
}

func (w *worker) start() {
	w.t.Helper()
	w.proc = harness.StartProcess(w.t, "goconnect", exec.Command(w.bin, w.args...))
	if err := w.proc.WaitHTTP(w.url+"/", 30*time.Second); err != nil {
		w.t.Fatalf("worker REST not ready: %v\n%s", err, w.proc.Log())
	}
}

// do sends a REST request and decodes a JSON answer into out (if non-nil).
func (w *worker) do(method, path string, body any, out any) int {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			w.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.url+path, rd)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			w.t.Fatalf("%s %s: decode %q: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

func (w *worker) create(name string, config map[string]string) {
	w.t.Helper()
	if code := w.do("POST", "/connectors", map[string]any{"name": name, "config": config}, nil); code != http.StatusCreated {
		w.t.Fatalf("create %s: status %d", name, code)
	}
}

// waitRunning waits until the connector and all its tasks are RUNNING.
func (w *worker) waitRunning(name string) {
	w.t.Helper()
	harness.CheckFor(w.t, 30*time.Second, func() error {
		var st struct {
			Connector struct{ State string }
			Tasks     []struct{ State, Trace string }
		}
		if code := w.do("GET", "/connectors/"+name+"/status", nil, &st); code != 200 {
			return fmt.Errorf("status %d", code)
		}
		if st.Connector.State != "RUNNING" || len(st.Tasks) == 0 {
			return fmt.Errorf("connector %s", st.Connector.State)
		}
		for _, tk := range st.Tasks {
			if tk.State != "RUNNING" {
				return fmt.Errorf("task %s %s", tk.State, tk.Trace)
			}
		}
		return nil
	})
}

func appendLines(t *testing.T, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := from; i <= to; i++ {
		fmt.Fprintf(f, "line-%05d\n", i)
	}
}

// countLines returns how often each line appears in path.
func countLines(path string) map[string]int {
	counts := map[string]int{}
	f, err := os.Open(path)
	if err != nil {
		return counts
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		counts[sc.Text()]++
	}
	return counts
}

func waitForLines(t *testing.T, path string, from, to int) map[string]int {
	t.Helper()
	var counts map[string]int
	harness.CheckFor(t, 120*time.Second, func() error {
		counts = countLines(path)
		for i := from; i <= to; i++ {
			if counts[fmt.Sprintf("line-%05d", i)] == 0 {
				return fmt.Errorf("line-%05d missing (%d distinct lines so far)", i, len(counts))
			}
		}
		return nil
	})
	return counts
}

// TestFilePipelineKillAndCleanRestart is the delivery check on the real broker:
// a FileStreamSource and a FileStreamSink created through REST move every line; a
// kill -9 loses none; a clean stop (SIGTERM) and restart duplicates none.
func TestFilePipelineKillAndCleanRestart(t *testing.T) {
	w := newWorker(t, nil)
	in := filepath.Join(w.dir, "in.txt")
	out := filepath.Join(w.dir, "out.txt")
	topic := fmt.Sprintf("e2e-file-%d", time.Now().UnixNano())
	source := map[string]string{"connector.class": "FileStreamSource", "tasks.max": "1", "file": in, "topic": topic}
	sink := map[string]string{"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
		"tasks.max": "1", "file": out, "topics": topic}
	createBoth := func() {
		w.create("file-source", source)
		w.create("file-sink", sink)
		w.waitRunning("file-source")
		w.waitRunning("file-sink")
	}

	appendLines(t, in, 1, 100)
	w.start()
	createBoth()
	waitForLines(t, out, 1, 100)

	// kill -9 while lines keep arriving: at-least-once means nothing is lost.
	appendLines(t, in, 101, 200)
	if err := w.proc.Kill(); err != nil {
		t.Fatal(err)
	}
	appendLines(t, in, 201, 300)
	w.start()
	// Standalone keeps connectors in memory, as Java's does: recreate them, as a
	// user of connect-standalone would.
	createBoth()
	waitForLines(t, out, 1, 300)

	// A clean stop commits source offsets and sink consumer offsets: a restart
	// re-delivers nothing.
	if err := w.proc.Term(); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	before := countLines(out)
	appendLines(t, in, 301, 400)
	w.start()
	createBoth()
	after := waitForLines(t, out, 1, 400)
	for line, n := range before {
		if after[line] != n {
			t.Errorf("%s appears %d times after the clean restart, %d before it", line, after[line], n)
		}
	}
	for i := 301; i <= 400; i++ {
		if n := after[fmt.Sprintf("line-%05d", i)]; n != 1 {
			t.Errorf("line-%05d appears %d times, want once", i, n)
		}
	}
}
