package plugin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/internal/app"
	"github.com/goconnect/goconnect/internal/builtin"
	"github.com/goconnect/goconnect/internal/plugin"
	"github.com/goconnect/goconnect/internal/registry"
)

// pluginWorker is a standalone worker with the example plugin on its own
// kfake cluster, driven through REST.
type pluginWorker struct {
	t       *testing.T
	cluster *kfake.Cluster
	base    string
	dir     string
	logs    *plugin.LogBuffer // the plugin host's log, at DEBUG
	host    *plugin.Host
}

// startPluginWorker starts a worker whose plugin host offers the record path
// as built from build ("" = this binary's recordpath.Build).
func startPluginWorker(t *testing.T, build string, topics ...string) *pluginWorker {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	path, dir := t.TempDir(), t.TempDir()
	plugin.InstallExample(t, path, "counting")
	logs := &plugin.LogBuffer{}
	host := plugin.New(plugin.WithRecordPathBuild(plugin.Config{Paths: []string{path},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}, build))
	t.Cleanup(func() { host.Close() })
	props := map[string]string{
		"bootstrap.servers":            cluster.ListenAddrs()[0],
		"key.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":              "org.apache.kafka.connect.json.JsonConverter",
		"offset.storage.file.filename": filepath.Join(dir, "offsets"),
		"offset.flush.interval.ms":     "200",
		"listeners":                    "http://127.0.0.1:0",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w, err := app.StartStandalone(ctx, app.Options{WorkerProps: props, LogOutput: io.Discard,
		Registry: registry.New(host.Rows(builtin.All()))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		if err := w.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return &pluginWorker{t: t, cluster: cluster, base: strings.TrimSuffix(w.URL.String(), "/"), dir: dir, logs: logs, host: host}
}

func (w *pluginWorker) call(method, p string, body any) (int, map[string]any, string) {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, w.base+p, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return resp.StatusCode, m, string(raw)
}

func (w *pluginWorker) create(name string, cfg map[string]string) {
	w.t.Helper()
	if code, _, raw := w.call("PUT", "/connectors/"+name+"/config", cfg); code != 201 {
		w.t.Fatalf("create %s = %d %s", name, code, raw)
	}
}

// consume reads n records of topic from the worker's cluster.
func (w *pluginWorker) consume(topic string, n int) []*kgo.Record {
	w.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(w.cluster.ListenAddrs()[0]), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		w.t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			w.t.Fatalf("topic %s: %d of %d records", topic, len(out), n)
		}
		out = append(out, fs.Records()...)
	}
	return out
}

func (w *pluginWorker) lines(file string, n int) string {
	w.t.Helper()
	var b []byte
	checkFor(w.t, 30*time.Second, func() error {
		b, _ = os.ReadFile(file)
		if got := bytes.Count(b, []byte("\n")); got < n {
			return fmt.Errorf("%s has %d of %d lines", file, got, n)
		}
		return nil
	})
	return string(b)
}

// TestRecordPathInPluginMatchesWorker runs the same source and sink pipelines
// (converters, transformations and a predicate) twice: once with the plugin
// running the record path (Kafka bytes cross the boundary) and once with the
// plugin declining it because it was built from other goconnect code (Connect
// data crosses, the worker converts). The records in Kafka and the lines the
// sink writes must be identical.
func TestRecordPathInPluginMatchesWorker(t *testing.T) {
	const total = 500
	run := func(build string) (recs []*kgo.Record, lines, logs string) {
		w := startPluginWorker(t, build, "counts")
		w.create("src", map[string]string{
			"connector.class": "CountingSource", "tasks.max": "1", "topic": "counts", "batch.size": "100", "max.records": fmt.Sprint(total),
			"transforms":                     "ins,drop",
			"transforms.ins.type":            "org.apache.kafka.connect.transforms.InsertField$Value",
			"transforms.ins.static.field":    "via",
			"transforms.ins.static.value":    "plugin",
			"transforms.drop.type":           "org.apache.kafka.connect.transforms.Filter",
			"transforms.drop.predicate":      "tomb",
			"predicates":                     "tomb",
			"predicates.tomb.type":           "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
			"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
			"value.converter.schemas.enable": "true",
		})
		out := filepath.Join(w.dir, "sink.txt")
		w.create("sink", map[string]string{
			"connector.class": "CountingFileSink", "tasks.max": "1", "topics": "counts", "file": out,
			"transforms":             "rep",
			"transforms.rep.type":    "org.apache.kafka.connect.transforms.ReplaceField$Value",
			"transforms.rep.exclude": "label",
		})
		recs, lines = w.consume("counts", total), w.lines(out, total)
		// Every record came back to the task through CommitRecord (the
		// plugin's own *Record values), which it reports when stopped.
		checkFor(t, 30*time.Second, func() error {
			if !strings.Contains(w.logs.String(), fmt.Sprintf("counting source task stopped: %d records committed", total)) {
				w.call("PUT", "/connectors/src/stop", nil)
				return fmt.Errorf("source task did not report %d records committed:\n%s", total, w.logs.String())
			}
			return nil
		})
		return recs, lines, w.logs.String()
	}
	remote, remoteLines, remoteLogs := run("")
	local, localLines, localLogs := run("other goconnect")

	if !strings.Contains(remoteLogs, "the plugin runs the task's converters and transformations") {
		t.Errorf("the plugin did not take the record path:\n%s", remoteLogs)
	}
	if strings.Contains(remoteLogs, "Connect data crosses") {
		t.Errorf("a task declined the record path:\n%s", remoteLogs)
	}
	if !strings.Contains(localLogs, "Connect data crosses the plugin boundary") || !strings.Contains(localLogs, `the worker from \"other goconnect\"`) {
		t.Errorf("the plugin built from other code did not decline with the reason:\n%s", localLogs)
	}
	for i := range total {
		a, b := remote[i], local[i]
		if !bytes.Equal(a.Key, b.Key) || !bytes.Equal(a.Value, b.Value) || fmt.Sprint(a.Headers) != fmt.Sprint(b.Headers) {
			t.Fatalf("record %d differs:\nplugin path: %s %s %v\nworker path: %s %s %v", i, a.Key, a.Value, a.Headers, b.Key, b.Value, b.Headers)
		}
	}
	if !bytes.Contains(remote[0].Value, []byte(`"via":"plugin"`)) {
		t.Errorf("transformation not applied: %s", remote[0].Value)
	}
	if remoteLines != localLines {
		t.Errorf("sink output differs:\nplugin path:\n%.500s\nworker path:\n%.500s", remoteLines, localLines)
	}
	if strings.Contains(remoteLines, "label") || !strings.Contains(remoteLines, "via") {
		t.Errorf("sink transformation not applied: %.300s", remoteLines)
	}
}

// TestRecordPathFailureFallsBackToWorker: a record that fails in the plugin's
// record path hands its batch back to the worker, whose path applies the
// connector's error handling as for a built-in: tolerated malformed records go
// to the dead letter queue and the rest reach the sink in order; with
// errors.tolerance=none the task fails with the converter's error.
func TestRecordPathFailureFallsBackToWorker(t *testing.T) {
	w := startPluginWorker(t, "", "mixed", "strict")
	cl, err := kgo.NewClient(kgo.SeedBrokers(w.cluster.ListenAddrs()[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var want []string
	for i := range 20 {
		v := fmt.Sprintf(`{"n":%d}`, i)
		if i%7 == 3 {
			v = fmt.Sprintf("not json %d", i)
		} else {
			want = append(want, fmt.Sprintf("map[n:%d]", i))
		}
		for _, topic := range []string{"mixed", "strict"} {
			if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: topic, Value: []byte(v)}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	out := filepath.Join(w.dir, "mixed.txt")
	w.create("tolerant", map[string]string{
		"connector.class": "CountingFileSink", "tasks.max": "1", "topics": "mixed", "file": out,
		"value.converter":                                 "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable":                  "false",
		"errors.tolerance":                                "all",
		"errors.deadletterqueue.topic.name":               "dlq",
		"errors.deadletterqueue.topic.replication.factor": "1",
	})
	lines := strings.Split(strings.TrimSpace(w.lines(out, len(want))), "\n")
	for i, l := range lines {
		if f := strings.Split(l, "\t"); len(f) != 5 || f[4] != want[i] {
			t.Errorf("line %d = %q, want value %s", i, l, want[i])
		}
	}
	var dlq []string
	for _, r := range w.consume("dlq", 20-len(want)) {
		dlq = append(dlq, string(r.Value))
	}
	if got := strings.Join(dlq, ","); got != "not json 3,not json 10,not json 17" {
		t.Errorf("dead letter queue = %s", got)
	}
	if !strings.Contains(w.logs.String(), "a record failed in the plugin's record path") {
		t.Errorf("no fallback logged:\n%s", w.logs.String())
	}

	w.create("strict", map[string]string{
		"connector.class": "CountingFileSink", "tasks.max": "1", "topics": "strict", "file": filepath.Join(w.dir, "strict.txt"),
		"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable": "false",
	})
	checkFor(t, 30*time.Second, func() error {
		_, m, raw := w.call("GET", "/connectors/strict/tasks/0/status", nil)
		if m["state"] != "FAILED" || !strings.Contains(fmt.Sprint(m["trace"]), "Converting byte[] to Kafka Connect data failed due to serialization error") {
			return fmt.Errorf("strict sink task status %s", raw)
		}
		return nil
	})
}
