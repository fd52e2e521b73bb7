// An external test package: internal/app will import package plugin once
// plugin.path is wired, so an internal test importing internal/app would be a
// cycle.
package plugin_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goconnect/goconnect/examples/counting"
)

// TestStandalonePipeline runs the example plugin as a real pipeline in a
// standalone worker on kfake, through REST only, the way a user would: listed,
// validated, source → topic → sink file, then a sink task's process is killed
// (task FAILED with the process's exit as trace, the source unaffected) and the
// task restarted (fresh process, no record lost).
func TestStandalonePipeline(t *testing.T) {
	w := startPluginWorker(t, "", "counts")
	call, host, dir := w.call, w.host, w.dir

	if code, _, raw := call("GET", "/connector-plugins", nil); code != 200 || !strings.Contains(raw, counting.SourceClass) || !strings.Contains(raw, counting.SinkClass) {
		t.Fatalf("GET /connector-plugins = %d %s", code, raw)
	}
	if code, m, raw := call("PUT", "/connector-plugins/CountingSource/config/validate",
		map[string]string{"connector.class": "CountingSource", "batch.size": "0"}); code != 200 || m["error_count"] != float64(3) /* name, topic, batch.size */ ||
		!strings.Contains(raw, "Value must be at least 1") {
		t.Fatalf("validate = %d %s", code, raw)
	}

	const total = 3000
	out := filepath.Join(dir, "sink.txt")
	if code, _, raw := call("PUT", "/connectors/src/config", map[string]string{
		"connector.class": "CountingSource", "tasks.max": "1", "topic": "counts", "batch.size": "100", "max.records": fmt.Sprint(total),
	}); code != 201 {
		t.Fatalf("create source = %d %s", code, raw)
	}
	if code, _, raw := call("PUT", "/connectors/sink/config", map[string]string{
		"connector.class": "CountingFileSink", "tasks.max": "1", "topics": "counts", "file": out,
		"value.converter": "org.apache.kafka.connect.json.JsonConverter",
	}); code != 201 {
		t.Fatalf("create sink = %d %s", code, raw)
	}
	lines := func() int {
		b, _ := os.ReadFile(out)
		return bytes.Count(b, []byte("\n"))
	}
	checkFor(t, 30*time.Second, func() error {
		if n := lines(); n < total {
			return fmt.Errorf("sink wrote %d of %d records", n, total)
		}
		return nil
	})

	// Kill the sink task's process: that task FAILS with the exit as trace.
	pids := host.TaskPIDs(counting.SinkClass)
	if len(pids) != 1 {
		t.Fatalf("sink task processes = %v, want one", pids)
	}
	syscall.Kill(pids[0], syscall.SIGKILL)
	// The dead process is noticed at the task's next call; records make one.
	call("PUT", "/connectors/src/config", map[string]string{
		"connector.class": "CountingSource", "tasks.max": "1", "topic": "counts", "batch.size": "100", "max.records": fmt.Sprint(2 * total),
	})
	checkFor(t, 30*time.Second, func() error {
		_, m, raw := call("GET", "/connectors/sink/tasks/0/status", nil)
		if m["state"] != "FAILED" || !strings.Contains(fmt.Sprint(m["trace"]), "exited") {
			return fmt.Errorf("sink task status %s", raw)
		}
		return nil
	})
	if _, m, raw := call("GET", "/connectors/src/status", nil); fmt.Sprint(m["connector"]) == "" || strings.Contains(raw, "FAILED") {
		t.Errorf("source affected by the sink's crash: %s", raw)
	}
	if code, _, raw := call("POST", "/connectors/sink/tasks/0/restart", nil); code/100 != 2 {
		t.Fatalf("restart = %d %s", code, raw)
	}
	checkFor(t, 30*time.Second, func() error {
		if n := lines(); n < 2*total {
			return fmt.Errorf("after restart the sink wrote %d of %d records", n, 2*total)
		}
		return nil
	})
	if got := host.TaskPIDs(counting.SinkClass); len(got) != 1 || got[0] == pids[0] {
		t.Errorf("sink task processes after restart = %v (killed %d)", got, pids[0])
	}
}

func checkFor(t *testing.T, d time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
