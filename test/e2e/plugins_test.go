//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/test/harness"
)

// buildExamplePlugin builds examples/counting into a plugin folder under dir, with
// the manifest the worker reads at start-up, as docs/plugins.md tells users to.
func buildExamplePlugin(t *testing.T, dir string) string {
	t.Helper()
	folder := filepath.Join(dir, "counting-1.0.0")
	exe := filepath.Join(folder, "counting-plugin")
	cmd := exec.Command("go", "build", "-o", exe, "./examples/counting/cmd/counting-plugin")
	cmd.Dir = harness.RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build example plugin: %v\n%s", err, out)
	}
	manifest, err := exec.Command(exe, "--goconnect-manifest").Output()
	if err != nil {
		t.Fatalf("plugin manifest: %v", err)
	}
	if err := os.WriteFile(filepath.Join(folder, "goconnect-plugin.json"), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	return exe
}

// installAsVersion installs a copy of the example plugin in folder, its manifest
// claiming version v: two versions of one plugin side by side (KIP-891).
func installAsVersion(t *testing.T, exe, folder, v string) {
	t.Helper()
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, filepath.Base(exe)), b, 0o755); err != nil {
		t.Fatal(err)
	}
	m, err := os.ReadFile(filepath.Join(filepath.Dir(exe), "goconnect-plugin.json"))
	if err != nil {
		t.Fatal(err)
	}
	m = bytes.ReplaceAll(m, []byte(`"version": "1.0.0"`), []byte(`"version": "`+v+`"`))
	if !bytes.Contains(m, []byte(v)) {
		t.Fatalf("manifest has no version to rewrite: %s", m)
	}
	if err := os.WriteFile(filepath.Join(folder, "goconnect-plugin.json"), m, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pluginHolding returns the pid of a plugin process (an executable under dir) that
// holds path open: the sink task's plugin process (one process per task).
func pluginHolding(dir, path string) (int, error) {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		if target, err := os.Readlink(filepath.Join(p, "exe")); err != nil || !strings.HasPrefix(target, dir+"/") {
			continue
		}
		fds, _ := filepath.Glob(filepath.Join(p, "fd", "*"))
		for _, fd := range fds {
			if target, err := os.Readlink(fd); err == nil && target == path {
				return strconv.Atoi(filepath.Base(p))
			}
		}
	}
	return 0, fmt.Errorf("no plugin process under %s holds %s", dir, path)
}

// distinctKeys counts the distinct record keys (4th column) the counting sink wrote.
func distinctKeys(path string) int {
	b, _ := os.ReadFile(path)
	seen := map[string]bool{}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if cols := strings.Split(string(line), "\t"); len(cols) >= 5 {
			seen[cols[3]] = true
		}
	}
	return len(seen)
}

// TestExternalPluginOnPluginPath is issue 7's end-to-end check: an external plugin
// built into a folder on plugin.path is listed, validated and run as a pipeline on
// the real broker; killing its sink task's process fails only that task; restarting
// the task runs a fresh process and no record is lost.
func TestExternalPluginOnPluginPath(t *testing.T) {
	pluginDir := t.TempDir()
	exe := buildExamplePlugin(t, pluginDir)
	installAsVersion(t, exe, filepath.Join(pluginDir, "counting-9.9.9"), "9.9.9")
	w := newWorker(t, map[string]string{"plugin.path": pluginDir})
	w.start()

	var plugins []struct{ Class, Type, Version string }
	w.do("GET", "/connector-plugins", nil, &plugins)
	found := 0
	for _, p := range plugins {
		if strings.HasPrefix(p.Class, "com.example.goconnect.") && p.Version != "" {
			found++
		}
	}
	if found != 4 {
		t.Fatalf("GET /connector-plugins lists %d example plugins, want 2 classes in 2 versions: %+v", found, plugins)
	}
	var infos struct {
		ErrorCount int `json:"error_count"`
	}
	if code := w.do("PUT", "/connector-plugins/CountingSource/config/validate",
		map[string]string{"connector.class": "CountingSource", "tasks.max": "1"}, &infos); code != 200 || infos.ErrorCount == 0 {
		t.Fatalf("validate without topic: status %d, error_count %d; want 200 with errors", code, infos.ErrorCount)
	}

	const total = 20000
	topic := fmt.Sprintf("e2e-plugin-%d", time.Now().UnixNano())
	out := filepath.Join(w.dir, "counted.tsv")
	w.create("counting-sink", map[string]string{"connector.class": "CountingFileSink", "tasks.max": "1",
		"topics": topic, "file": out})
	w.waitRunning("counting-sink")
	// KIP-891: the newest version runs unless connector.plugin.version pins one.
	w.create("counting-source", map[string]string{"connector.class": "com.example.goconnect.CountingSourceConnector",
		"tasks.max": "1", "topic": topic, "batch.size": "50", "max.records": strconv.Itoa(total),
		"connector.plugin.version": "[1.0,2.0)"})
	w.waitRunning("counting-source")
	var st struct{ Connector struct{ Version string } }
	w.do("GET", "/connectors/counting-sink/status", nil, &st)
	if st.Connector.Version != "9.9.9" {
		t.Errorf("sink without connector.plugin.version runs version %q, want the newest, 9.9.9", st.Connector.Version)
	}
	w.do("GET", "/connectors/counting-source/status", nil, &st)
	if st.Connector.Version != "1.0.0" {
		t.Errorf("source with connector.plugin.version=[1.0,2.0) runs version %q, want 1.0.0", st.Connector.Version)
	}

	harness.CheckFor(t, 60*time.Second, func() error {
		if n := distinctKeys(out); n == 0 {
			return fmt.Errorf("nothing written yet")
		}
		return nil
	})
	pid, err := pluginHolding(pluginDir, out)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	harness.CheckFor(t, 30*time.Second, func() error {
		var st struct {
			Tasks []struct{ State, Trace string }
		}
		w.do("GET", "/connectors/counting-sink/status", nil, &st)
		if len(st.Tasks) != 1 || st.Tasks[0].State != "FAILED" || st.Tasks[0].Trace == "" {
			return fmt.Errorf("sink task %+v, want FAILED with a trace", st.Tasks)
		}
		return nil
	})
	w.waitRunning("counting-source") // the other connector is unaffected

	if code := w.do("POST", "/connectors/counting-sink/tasks/0/restart", nil, nil); code != 204 {
		t.Fatalf("restart task: status %d", code)
	}
	w.waitRunning("counting-sink")
	harness.CheckFor(t, 120*time.Second, func() error {
		if n := distinctKeys(out); n != total {
			return fmt.Errorf("%d of %d records written", n, total)
		}
		return nil
	})
	if newPid, err := pluginHolding(pluginDir, out); err != nil || newPid == pid {
		t.Errorf("after restart the sink task runs in pid %d (err %v), want a fresh process (old %d)", newPid, err, pid)
	}
	// The worker and the plugin were built from the same sources: the plugin
	// ran its tasks' converters (docs/plugins.md, "Record path").
	if log := w.proc.Log(); strings.Count(log, "the plugin runs the task's converters and transformations") < 2 ||
		strings.Contains(log, "Connect data crosses the plugin boundary") {
		t.Errorf("the plugin did not run the record path of both tasks:\n%s", log)
	}

	// A malformed record fails in the plugin's record path; the batch goes back
	// to the worker, whose errors.tolerance=all and dead letter queue handle it
	// as for a built-in connector, and the other records reach the file.
	mixed := topic + "-mixed"
	dlq := topic + "-dlq"
	cl := kafkaClient(t)
	if _, err := kadm.NewClient(cl).CreateTopic(t.Context(), 1, 1, nil, mixed); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 30 {
		v := fmt.Sprintf(`{"n":%d}`, i)
		if i%10 == 4 {
			v = fmt.Sprintf("not json %d", i)
		} else {
			want = append(want, fmt.Sprintf("map[n:%d]", i))
		}
		if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: mixed, Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	mixedOut := filepath.Join(w.dir, "mixed.tsv")
	w.create("tolerant-sink", map[string]string{"connector.class": "CountingFileSink", "tasks.max": "1",
		"topics": mixed, "file": mixedOut,
		"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
		"errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
		"errors.deadletterqueue.topic.replication.factor": "1"})
	harness.CheckFor(t, 60*time.Second, func() error {
		b, _ := os.ReadFile(mixedOut)
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if f := strings.Split(l, "\t"); len(f) == 5 {
				got = append(got, f[4])
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			return fmt.Errorf("file has %v, want %v", got, want)
		}
		return nil
	})
	var dead []string
	for _, r := range consumeN(t, dlq, 3) {
		dead = append(dead, string(r.Value))
	}
	if got := strings.Join(dead, ","); got != "not json 4,not json 14,not json 24" {
		t.Errorf("dead letter queue = %s", got)
	}
	if !strings.Contains(w.proc.Log(), "a record failed in the plugin's record path") {
		t.Errorf("the fallback to the worker's record path was not logged")
	}
}
