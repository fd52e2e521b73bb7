package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
	"github.com/goconnect/goconnect/examples/counting"
	"github.com/goconnect/goconnect/internal/builtin"
	"github.com/goconnect/goconnect/internal/plugin/wire"
	"github.com/goconnect/goconnect/internal/registry"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if exampleDir != "" {
		os.RemoveAll(exampleDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

var (
	buildOnce  sync.Once
	exampleDir string // holds the built example executable and its manifest
	buildErr   error
)

// examplePlugin builds examples/counting/cmd/counting-plugin once per test
// binary and returns the folder holding it and its generated manifest.
func examplePlugin(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		exampleDir, buildErr = os.MkdirTemp("", "goconnect-example-")
		if buildErr != nil {
			return
		}
		exe := filepath.Join(exampleDir, "counting-plugin")
		cmd := exec.Command("go", "build", "-o", exe, "github.com/goconnect/goconnect/examples/counting/cmd/counting-plugin")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		out, err := exec.Command(exe, "--goconnect-manifest").Output()
		if err != nil {
			buildErr = fmt.Errorf("print manifest: %v", err)
			return
		}
		buildErr = os.WriteFile(filepath.Join(exampleDir, wire.ManifestFile), out, 0o644)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return exampleDir
}

// installPlugin copies the example into pluginPath/name, optionally editing
// its manifest, the way a user would unpack a plugin archive.
func installPlugin(t testing.TB, pluginPath, name string, edit func(*wire.Manifest)) string {
	t.Helper()
	src := examplePlugin(t)
	dir := filepath.Join(pluginPath, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A hard link keeps 100 plugins cheap; fall back to a copy across devices.
	if err := os.Link(filepath.Join(src, "counting-plugin"), filepath.Join(dir, "counting-plugin")); err != nil {
		b, err := os.ReadFile(filepath.Join(src, "counting-plugin"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "counting-plugin"), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(src, wire.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		m, err := wire.ParseManifest(b)
		if err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ = jsonMarshal(m)
	}
	if err := os.WriteFile(filepath.Join(dir, wire.ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newHost discovers pluginPath and closes the host, checking that no plugin
// process outlives it.
func newHost(t *testing.T, cfg Config) (*Host, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	h := New(cfg)
	t.Cleanup(func() {
		h.Close()
		if n := h.running(); n != 0 {
			t.Errorf("%d plugin processes still running after Close", n)
		}
	})
	return h, logs
}

func connector(t *testing.T, h *Host, class string) connect.Connector {
	t.Helper()
	p, err := registry.New(h.Plugins()).LookupConnector(class)
	if err != nil {
		t.Fatal(err)
	}
	return p.NewConnector()
}

type fakeConnectorContext struct {
	mu       sync.Mutex
	reconfig int
	errs     []error
}

func (c *fakeConnectorContext) RequestTaskReconfiguration() { c.mu.Lock(); c.reconfig++; c.mu.Unlock() }
func (c *fakeConnectorContext) RaiseError(err error) {
	c.mu.Lock()
	c.errs = append(c.errs, err)
	c.mu.Unlock()
}

type fakeOffsets map[string]map[string]any

func (o fakeOffsets) Offset(_ context.Context, p map[string]any) (map[string]any, error) {
	return o[fmt.Sprint(p)], nil
}

type fakeSourceTaskContext struct {
	props   map[string]string
	offsets fakeOffsets
}

func (c *fakeSourceTaskContext) Config() map[string]string                        { return c.props }
func (c *fakeSourceTaskContext) OffsetStorageReader() connect.OffsetStorageReader { return c.offsets }

type fakeSinkTaskContext struct {
	mu     sync.Mutex
	paused []connect.TopicPartition
}

func (c *fakeSinkTaskContext) Config() map[string]string                          { return nil }
func (c *fakeSinkTaskContext) Offset(map[connect.TopicPartition]int64)            {}
func (c *fakeSinkTaskContext) Timeout(time.Duration)                              {}
func (c *fakeSinkTaskContext) Assignment() []connect.TopicPartition               { return nil }
func (c *fakeSinkTaskContext) Resume(...connect.TopicPartition)                   {}
func (c *fakeSinkTaskContext) RequestCommit()                                     {}
func (c *fakeSinkTaskContext) ErrantRecordReporter() connect.ErrantRecordReporter { return nil }
func (c *fakeSinkTaskContext) Pause(ps ...connect.TopicPartition) {
	c.mu.Lock()
	c.paused = append(c.paused, ps...)
	c.mu.Unlock()
}

func TestDiscoverListsExample(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	h, logs := newHost(t, Config{Paths: []string{path, filepath.Join(path, "missing")}})
	var got []string
	for _, p := range h.Plugins() {
		got = append(got, fmt.Sprintf("%s %s %s %v", p.Class, p.Kind, p.Version, p.ExtraAliases))
	}
	want := []string{
		counting.SourceClass + " source 1.0.0 [CountingSource]",
		counting.SinkClass + " sink 1.0.0 [CountingFileSink]",
	}
	if diff := cmp.Diff(want, got, cmp.Transformer("sort", func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s })); diff != "" {
		t.Errorf("plugins (-want +got):\n%s", diff)
	}
	if !strings.Contains(logs.String(), "missing") {
		t.Errorf("a missing plugin.path folder was not logged:\n%s", logs)
	}
	// The aliases resolve through the registry like a built-in's.
	for _, alias := range []string{"CountingSource", "CountingSourceConnector", counting.SourceClass} {
		if _, err := registry.New(h.Plugins()).LookupConnector(alias); err != nil {
			t.Errorf("lookup %s: %v", alias, err)
		}
	}
	// A plugin folder given directly is a plugin too.
	h2, _ := newHost(t, Config{Paths: []string{filepath.Join(path, "counting")}})
	if n := len(h2.Plugins()); n != 2 {
		t.Errorf("plugin folder as plugin.path entry: %d plugins, want 2", n)
	}
}

func TestDiscoverSkipsBadAndDuplicatePlugins(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "a-good", nil)
	installPlugin(t, path, "b-duplicate", nil)
	installPlugin(t, path, "c-future-protocol", func(m *wire.Manifest) {
		m.ProtocolVersions = []int{99}
		m.Plugins[0].Version = "9.0.0"
	})
	bad := installPlugin(t, path, "d-bad-json", nil)
	os.WriteFile(filepath.Join(bad, wire.ManifestFile), []byte("{not json"), 0o644)
	noexe := installPlugin(t, path, "e-no-exe", func(m *wire.Manifest) { m.Plugins[0].Version = "3.0.0" })
	os.Remove(filepath.Join(noexe, "counting-plugin"))
	os.MkdirAll(filepath.Join(path, "f-not-a-plugin"), 0o755)

	h, logs := newHost(t, Config{Paths: []string{path}})
	if n := len(h.Plugins()); n != 2 {
		t.Errorf("got %d plugins, want the 2 of a-good", n)
	}
	for _, e := range h.entries {
		if filepath.Base(e.dir) != "a-good" {
			t.Errorf("plugin %s comes from %s, want a-good", e.class, e.dir)
		}
	}
	for _, want := range []string{"duplicate", "incompatible plugin protocol", "bad manifest", "not executable"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestDiscoverVersionsSideBySide(t *testing.T) {
	path := t.TempDir()
	for _, v := range []string{"1.0.0", "1.10.0", "1.2.0-rc1", "1.2.0"} {
		installPlugin(t, path, "counting-"+v, func(m *wire.Manifest) {
			for i := range m.Plugins {
				m.Plugins[i].Version = v
			}
		})
	}
	h, _ := newHost(t, Config{Paths: []string{path}})
	var got []string
	for _, p := range h.Plugins() {
		if p.Class == counting.SourceClass {
			got = append(got, p.Version)
		}
	}
	if diff := cmp.Diff([]string{"1.10.0", "1.2.0", "1.2.0-rc1", "1.0.0"}, got); diff != "" {
		t.Errorf("versions, newest first (-want +got):\n%s", diff)
	}
	p, _ := registry.New(h.Plugins()).LookupConnector("CountingSource")
	if p.Version != "1.10.0" {
		t.Errorf("lookup without a version picks %s, want the newest", p.Version)
	}
	if v := p.NewConnector().Version(); v != "1.10.0" {
		t.Errorf("Version() = %s", v)
	}
}

func TestManifestCache(t *testing.T) {
	path := t.TempDir()
	dir := installPlugin(t, path, "counting", nil)
	cache := NewManifestCache()
	newHost(t, Config{Paths: []string{path}, Cache: cache})
	newHost(t, Config{Paths: []string{path}, Cache: cache})
	if cache.parses != 1 {
		t.Errorf("parses after two scans = %d, want 1", cache.parses)
	}
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, wire.ManifestFile), later, later)
	newHost(t, Config{Paths: []string{path}, Cache: cache})
	if cache.parses != 2 {
		t.Errorf("parses after a touched manifest = %d, want 2", cache.parses)
	}
}

func TestConfigAndValidateCrossTheBoundary(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	h, _ := newHost(t, Config{Paths: []string{path}})

	src := connector(t, h, counting.SourceClass)
	var names []string
	for _, k := range src.Config().Keys() {
		names = append(names, k.Name)
	}
	if diff := cmp.Diff([]string{"topic", "batch.size", "max.records", "panic.in"}, names); diff != "" {
		t.Errorf("config keys (-want +got):\n%s", diff)
	}
	if k, _ := src.Config().Key("topic"); !k.Required() || k.Importance != config.High || k.Doc != "Topic to write to." {
		t.Errorf("topic key = %+v", k)
	}

	// The worker computes values without the plugin's validators; Validate
	// replaces them with the plugin's own results.
	local := src.Config().Validate(map[string]string{"batch.size": "0"})
	got := src.(connect.ConfigValidator).Validate(map[string]string{"batch.size": "0"}, local)
	errs := map[string][]string{}
	for _, v := range got {
		errs[v.Name] = v.Errors
	}
	if want := []string{`Missing required configuration "topic" which has no default value.`}; !cmp.Equal(errs["topic"], want) {
		t.Errorf("topic errors = %q, want %q", errs["topic"], want)
	}
	if want := []string{"Invalid value 0 for configuration batch.size: Value must be at least 1"}; !cmp.Equal(errs["batch.size"], want) {
		t.Errorf("batch.size errors = %q, want %q", errs["batch.size"], want)
	}

	sink := connector(t, h, counting.SinkClass)
	vals := sink.(connect.ConfigValidator).Validate(map[string]string{"file": "/"}, sink.Config().Validate(map[string]string{"file": "/"}))
	if len(vals) != 1 || !cmp.Equal(vals[0].Errors, []string{"file must not be the root folder"}) {
		t.Errorf("sink ConfigValidator results = %+v", vals)
	}
	if h.running() != 0 {
		t.Errorf("%d processes left after Config/Validate", h.running())
	}
}

func TestSourceTaskPollsBatches(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	h, _ := newHost(t, Config{Paths: []string{path}})

	conn := connector(t, h, "CountingSource").(connect.SourceConnector)
	cc := &fakeConnectorContext{}
	if err := conn.Start(cc, map[string]string{"topic": "counts", "batch.size": "1000"}); err != nil {
		t.Fatal(err)
	}
	cfgs, err := conn.TaskConfigs(2)
	if err != nil || len(cfgs) != 2 || cfgs[1]["task.id"] != "1" || cfgs[1]["topic"] != "counts" {
		t.Fatalf("TaskConfigs = %v, %v", cfgs, err)
	}

	// The offset reader answers through the callback stream: the task resumes after 41.
	offsets := fakeOffsets{fmt.Sprint(map[string]any{"task": "0"}): {"n": int64(41)}}
	task := conn.NewTask()
	if err := task.Start(&fakeSourceTaskContext{props: cfgs[0], offsets: offsets}, cfgs[0]); err != nil {
		t.Fatal(err)
	}
	want := &counting.SourceTask{}
	if err := want.Start(&fakeSourceTaskContext{props: cfgs[0], offsets: offsets}, cfgs[0]); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		got, err := task.Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		exp, _ := want.Poll(context.Background())
		if len(got) != 1000 || got[0].Key != int64(42+i*1000) {
			t.Fatalf("poll %d: %d records, first key %v", i, len(got), got[0].Key)
		}
		if diff := cmp.Diff(exp, got, cmp.Comparer(func(a, b *data.Schema) bool { return a.Equal(b) }),
			cmp.Comparer(func(a, b *data.Struct) bool { return a.Equal(b) })); diff != "" {
			t.Fatalf("poll %d differs from the in-process task (-in-process +external):\n%s", i, diff)
		}
		for _, r := range got {
			task.(connect.RecordCommitter).CommitRecord(r, &connect.RecordMetadata{Topic: "counts", Offset: r.Key.(int64)})
		}
	}
	if err := task.(connect.SourceTaskCommitter).Commit(); err != nil {
		t.Fatal(err)
	}
	if err := task.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Stop(); err != nil {
		t.Fatal(err)
	}
	if h.running() != 0 {
		t.Errorf("%d processes left after Stop", h.running())
	}
}

func TestSinkTaskPutFlush(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	h, _ := newHost(t, Config{Paths: []string{path}})
	out := filepath.Join(t.TempDir(), "out.txt")

	conn := connector(t, h, counting.SinkClass).(connect.SinkConnector)
	task := conn.NewTask()
	tc := &fakeSinkTaskContext{}
	if err := task.Start(tc, map[string]string{"file": out}); err != nil {
		t.Fatal(err)
	}
	pause := []connect.TopicPartition{{Topic: "pause-me", Partition: 0}}
	if err := task.(connect.PartitionAware).Open(pause); err != nil {
		t.Fatal(err)
	}
	// Callbacks are synchronous: the Pause made inside Open is applied before Open returns.
	tc.mu.Lock()
	paused := slices.Clone(tc.paused)
	tc.mu.Unlock()
	if !cmp.Equal(paused, pause) {
		t.Errorf("paused = %v, want %v", paused, pause)
	}
	var batch []*connect.Record
	for i := range 1000 {
		batch = append(batch, &connect.Record{Topic: "in", Partition: 0, Offset: int64(i), KeySchema: data.Int32Schema, Key: int32(i), Value: "v", OriginalTopic: "in"})
	}
	if err := task.Put(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	offs := map[connect.TopicPartition]int64{{Topic: "in", Partition: 0}: 1000}
	if err := task.(connect.Flusher).Flush(context.Background(), offs); err != nil {
		t.Fatal(err)
	}
	got, err := task.(connect.PreCommitter).PreCommit(context.Background(), offs)
	if err != nil || !cmp.Equal(got, offs) {
		t.Errorf("PreCommit = %v, %v; want %v", got, err, offs)
	}
	b, _ := os.ReadFile(out)
	if n := bytes.Count(b, []byte("\n")); n != 1000 {
		t.Errorf("file has %d lines, want 1000", n)
	}
	// Put is asynchronous: a failure is reported by the next call. A retriable
	// error keeps its flag and message across the boundary, and Flush refuses
	// while the failed records wait, so their offsets cannot be committed.
	if err := task.Put(context.Background(), []*connect.Record{{Topic: "in", Offset: 1000, Value: "fail"}}); err != nil {
		t.Fatalf("asynchronous Put returned %v", err)
	}
	err = task.(connect.Flusher).Flush(context.Background(), offs)
	if !connect.IsRetriable(err) || err.Error() != "record 1000 asked to fail" {
		t.Errorf("Flush after a failed Put = %v (retriable %v)", err, connect.IsRetriable(err))
	}
	if err := task.(connect.Flusher).Flush(context.Background(), offs); !connect.IsRetriable(err) {
		t.Errorf("second Flush with records waiting for a retry = %v, want a retriable error", err)
	}
	if err := task.(connect.PartitionAware).Close(pause); err != nil {
		t.Fatal(err)
	}
	if err := task.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestSinkPutFailureIsRetriedInOrder: a retriable failure of an asynchronous
// Put surfaces on the next Put, which the worker then repeats (as it does for a
// RetriableError); the failed records go to the plugin again ahead of the next
// batch, so none is lost and the order holds.
func TestSinkPutFailureIsRetriedInOrder(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	h, _ := newHost(t, Config{Paths: []string{path}})
	out := filepath.Join(t.TempDir(), "out.txt")
	task := connector(t, h, counting.SinkClass).(connect.SinkConnector).NewTask()
	tc := &fakeSinkTaskContext{}
	if err := task.Start(tc, map[string]string{"file": out}); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	rec := func(off int64, v string) []*connect.Record {
		return []*connect.Record{{Topic: "in", Offset: off, Value: v}}
	}
	ctx := context.Background()
	if err := task.Put(ctx, rec(0, "a")); err != nil {
		t.Fatal(err)
	}
	// A context call made inside an asynchronous Put runs on the worker's task
	// goroutine when it next calls the task, here the following Put.
	paused := []*connect.Record{{Topic: "pause-me", Partition: 3, Value: "p"}}
	if err := task.Put(ctx, paused); err != nil {
		t.Fatal(err)
	}
	if err := task.Put(ctx, rec(1, "fail-once")); err != nil {
		t.Fatal(err)
	}
	// The failure surfaces on a later Put (the next one, or the one after
	// when two Puts are in flight), as the retriable error; the worker then
	// redelivers that call's batch.
	batches := [][]*connect.Record{rec(2, "c"), rec(3, "d")}
	failedAt := -1
	for i, b := range batches {
		if err := task.Put(ctx, b); err != nil {
			if !connect.IsRetriable(err) {
				t.Fatalf("Put after a failed Put = %v, want the retriable error", err)
			}
			failedAt = i
			break
		}
	}
	if failedAt < 0 {
		t.Fatal("no Put reported the failed Put")
	}
	for _, b := range batches[failedAt:] { // the worker's redelivery, then the rest
		if err := task.Put(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	tc.mu.Lock()
	got := slices.Clone(tc.paused)
	tc.mu.Unlock()
	if want := []connect.TopicPartition{{Topic: "pause-me", Partition: 3}}; !cmp.Equal(got, want) {
		t.Errorf("paused = %v, want %v", got, want)
	}
	offs := map[connect.TopicPartition]int64{{Topic: "in"}: 4}
	if got, err := task.(connect.PreCommitter).PreCommit(ctx, offs); err != nil || !cmp.Equal(got, offs) {
		t.Fatalf("PreCommit = %v, %v", got, err)
	}
	b, _ := os.ReadFile(out)
	var offsets []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if cols := strings.Split(l, "\t"); cols[0] == "in" {
			offsets = append(offsets, cols[2])
		}
	}
	if want := []string{"0", "1", "2", "3"}; !cmp.Equal(offsets, want) {
		t.Errorf("offsets written = %v, want %v", offsets, want)
	}
}

func startSourceTask(t *testing.T, h *Host, props map[string]string) connect.SourceTask {
	t.Helper()
	task := connector(t, h, counting.SourceClass).(connect.SourceConnector).NewTask()
	if err := task.Start(&fakeSourceTaskContext{props: props, offsets: fakeOffsets{}}, props); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { task.Stop() })
	return task
}

func TestKilledPluginFailsOnlyItsTask(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	h, _ := newHost(t, Config{Paths: []string{path}})
	props := map[string]string{"topic": "t", "task.id": "0"}
	victim := startSourceTask(t, h, props)
	sibling := startSourceTask(t, h, props)
	if _, err := victim.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	pid := victim.(*sourceTaskClient).p.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Batches the adapter read ahead before the kill (one waiting, pollDepth
	// calls in flight) still come out first.
	var err error
	for range pollDepth + 2 {
		if _, err = victim.Poll(context.Background()); err != nil {
			break
		}
	}
	var pe *ProcessError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "signal: killed") || pe.Pid != pid {
		t.Fatalf("Poll after kill: error = %v, want a ProcessError naming pid %d and the signal", err, pid)
	}
	if _, err := sibling.Poll(context.Background()); err != nil {
		t.Errorf("sibling task failed too: %v", err)
	}
	victim.Stop()
	// Restarting the task means a new task instance: it gets a fresh process.
	restarted := startSourceTask(t, h, props)
	recs, err := restarted.Poll(context.Background())
	if err != nil || len(recs) == 0 {
		t.Fatalf("restarted task: %d records, %v", len(recs), err)
	}
	if newPid := restarted.(*sourceTaskClient).p.cmd.Process.Pid; newPid == pid {
		t.Errorf("restarted task reuses pid %d", pid)
	}
}

func TestPanicInPluginIsAnError(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	h, _ := newHost(t, Config{Paths: []string{path}})
	task := startSourceTask(t, h, map[string]string{"topic": "t", "panic.in": "poll"})
	_, err := task.Poll(context.Background())
	var re *wire.RemoteError
	if !errors.As(err, &re) || !re.Panic || !strings.Contains(err.Error(), "panic in source task Poll: counting source asked to panic in poll") || !strings.Contains(err.Error(), "goroutine") {
		t.Fatalf("Poll error = %v, want a recovered panic with its stack", err)
	}
	// The process survived the panic: the next call reaches the plugin again.
	if _, err := task.Poll(context.Background()); !errors.As(err, &re) {
		t.Errorf("second Poll error = %v, want the plugin's panic again", err)
	}
}

func TestHungPluginTimesOut(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	// A Poll that ignores its ctx (the deadline reaches the plugin too, and a
	// well-behaved Poll returns an empty batch in time).
	h, _ := newHost(t, Config{Paths: []string{path}})
	props := map[string]string{"topic": "t", "panic.in": "hang-poll"}
	task := connector(t, h, counting.SourceClass).(connect.SourceConnector).NewTask()
	if err := task.Start(&fakeSourceTaskContext{props: props, offsets: fakeOffsets{}}, props); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	h.cfg.CallTimeout = 100 * time.Millisecond
	// With Polls in flight, any may find the process hung and kill it; the
	// others then report the killed process.
	_, err := task.Poll(context.Background())
	var pe *ProcessError
	if !(errors.Is(err, context.DeadlineExceeded) && strings.Contains(err.Error(), "considered hung")) && !errors.As(err, &pe) {
		t.Fatalf("Poll error = %v, want a hung-plugin error", err)
	}
	for range pollDepth {
		if _, err = task.Poll(context.Background()); errors.As(err, &pe) {
			break
		}
	}
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "signal: killed") {
		t.Errorf("Poll after the hung process was killed: %v, want a ProcessError", err)
	}
}

func TestHandshakeVersionMismatch(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	h, _ := newHost(t, Config{Paths: []string{path}})
	h.versions = []int{99} // as a future worker that dropped version 1
	task := connector(t, h, counting.SourceClass).(connect.SourceConnector).NewTask()
	err := task.Start(&fakeSourceTaskContext{}, map[string]string{"topic": "t"})
	want := "plugin refused the handshake: incompatible plugin protocol: the worker speaks version(s) [99], the plugin speaks [" + strconv.Itoa(wire.ProtocolVersion) + "]"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Start error = %v, want it to contain %q", err, want)
	}
}

func TestPluginRunByHandExplainsItself(t *testing.T) {
	out, err := exec.Command(filepath.Join(examplePlugin(t), "counting-plugin")).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "it is started by a goconnect worker") {
		t.Errorf("run by hand: %v\n%s", err, out)
	}
}

func TestCloseLeavesNoProcesses(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	h, _ := newHost(t, Config{Paths: []string{path}})
	var pids []int
	for range 3 {
		task := connector(t, h, counting.SourceClass).(connect.SourceConnector).NewTask()
		if err := task.Start(&fakeSourceTaskContext{offsets: fakeOffsets{}}, map[string]string{"topic": "t"}); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, task.(*sourceTaskClient).p.cmd.Process.Pid)
	}
	h.Close()
	for _, pid := range pids {
		// Reaped processes are gone: signal 0 fails.
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("pid %d still alive after Close", pid)
		}
	}
	task := connector(t, h, counting.SourceClass).(connect.SourceConnector).NewTask()
	if err := task.Start(&fakeSourceTaskContext{}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close = %v, want ErrClosed", err)
	}
}

// TestWorkerDeathKillsPlugin runs a worker in a child process (this test
// binary), kills it with SIGKILL and checks its plugin dies too (Pdeathsig,
// and the SDK's stdin watchdog).
func TestWorkerDeathKillsPlugin(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux only")
	}
	if os.Getenv("GOCONNECT_TEST_CHILD_WORKER") != "" {
		childWorker()
		return
	}
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	cmd := exec.Command(os.Args[0], "-test.run=^TestWorkerDeathKillsPlugin$")
	cmd.Env = append(os.Environ(), "GOCONNECT_TEST_CHILD_WORKER="+path)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Fscanf(stdout, "plugin-pid %d\n", &pid); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child worker: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	go io.Copy(io.Discard, stdout) //nolint: ends with the pipe
	deadline := time.Now().Add(5 * time.Second)
	for {
		// The plugin was the dead worker's child; once killed it is reparented
		// and reaped by init, so signal 0 fails.
		if err := syscall.Kill(pid, 0); err != nil {
			return
		}
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); bytes.Contains(b, []byte(") Z ")) {
			return // dead, waiting to be reaped
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("plugin %d outlived its killed worker", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func childWorker() {
	h := New(Config{Paths: []string{os.Getenv("GOCONNECT_TEST_CHILD_WORKER")}})
	p, err := registry.New(h.Plugins()).LookupConnector(counting.SourceClass)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	task := p.NewConnector().(connect.SourceConnector).NewTask()
	if err := task.Start(&fakeSourceTaskContext{offsets: fakeOffsets{}}, map[string]string{"topic": "t"}); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Printf("plugin-pid %d\n", task.(*sourceTaskClient).p.cmd.Process.Pid)
	select {} // wait to be killed
}

func TestRowsKeepBuiltinsFirst(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	installPlugin(t, path, "shadow", func(m *wire.Manifest) {
		m.Plugins = m.Plugins[:1]
		m.Plugins[0].Class = "org.apache.kafka.connect.file.FileStreamSourceConnector"
	})
	h, logs := newHost(t, Config{Paths: []string{path}})
	rows := h.Rows(builtin.All())
	if n := len(rows) - len(builtin.All()); n != 2 {
		t.Errorf("%d external rows, want 2 (the shadowing one dropped)", n)
	}
	if !strings.Contains(logs.String(), "a built-in plugin has the same class") {
		t.Errorf("shadowing plugin not logged:\n%s", logs)
	}
	reg := registry.New(rows)
	if _, err := reg.LookupConnector("CountingSource"); err != nil {
		t.Error(err)
	}
}

func TestFailedStartLeavesNoProcess(t *testing.T) {
	path := t.TempDir()
	installPlugin(t, path, "counting", nil)
	h, _ := newHost(t, Config{Paths: []string{path}})
	conn := connector(t, h, counting.SourceClass)
	err := conn.Start(&fakeConnectorContext{}, map[string]string{}) // topic is required
	if err == nil || !strings.Contains(err.Error(), `Missing required configuration "topic"`) {
		t.Fatalf("Start error = %v", err)
	}
	task := conn.(connect.SourceConnector).NewTask()
	if err := task.Start(&fakeSourceTaskContext{offsets: fakeOffsets{}}, map[string]string{"batch.size": "x", "topic": "t"}); err == nil {
		t.Fatal("task Start with a bad batch.size succeeded")
	}
	if n := h.running(); n != 0 {
		t.Errorf("%d processes left after failed Starts", n)
	}
	if err := conn.Stop(); err != nil {
		t.Errorf("Stop after a failed Start: %v", err)
	}
	if err := task.Stop(); err != nil {
		t.Errorf("task Stop after a failed Start: %v", err)
	}
}
