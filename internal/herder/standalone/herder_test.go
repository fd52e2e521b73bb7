package standalone

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testConnector is a minimal connector: tasks.max copies of its config.
type testConnector struct{ alter bool }

func (testConnector) Version() string { return "9.9" }
func (testConnector) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "topic", Type: config.String, Default: "t", Importance: config.High})
}
func (testConnector) Start(connect.ConnectorContext, map[string]string) error { return nil }
func (testConnector) TaskConfigs(int) ([]map[string]string, error)            { return nil, nil }
func (testConnector) Stop() error                                             { return nil }

type alteringConnector struct{ testConnector }

func (alteringConnector) AlterOffsets(map[string]string, []connect.PartitionOffset) (bool, error) {
	return true, nil
}

func testRegistry() *registry.Registry {
	return registry.New([]registry.Plugin{
		{Class: "com.example.TestSourceConnector", Kind: registry.Source, Version: "9.9", NewConnector: func() connect.Connector { return testConnector{} }},
		{Class: "com.example.AlteringSourceConnector", Kind: registry.Source, Version: "9.9", NewConnector: func() connect.Connector { return alteringConnector{} }},
		{Class: "com.example.TestSinkConnector", Kind: registry.Sink, Version: "9.9", NewConnector: func() connect.Connector { return testConnector{} }},
	})
}

// fakeRuntime stands in for *worker.Worker: it reports statuses the way the worker
// contract says and records what it was asked to do.
type fakeRuntime struct {
	status interface {
		ConnectorStatus(string, herder.State, string)
		TaskStatus(herder.TaskID, herder.State, string)
	}

	mu        sync.Mutex
	conns     map[string]map[string]string
	reconf    map[string]func()
	tasks     map[herder.TaskID]bool
	calls     []string
	failStart bool
	// taskCount overrides tasks.max for generated task configs when >= 0.
	taskCount int
	// failingTasks fail (report FAILED) when started.
	failingTasks map[herder.TaskID]bool
}

func newFakeRuntime() *fakeRuntime {
	return &fakeRuntime{conns: map[string]map[string]string{}, reconf: map[string]func(){}, tasks: map[herder.TaskID]bool{}, taskCount: -1}
}

func stateFor(t herder.TargetState) herder.State {
	switch t {
	case herder.TargetPaused:
		return herder.StatePaused
	case herder.TargetStopped:
		return herder.StateStopped
	}
	return herder.StateRunning
}

func (f *fakeRuntime) record(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

func (f *fakeRuntime) takeCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func (f *fakeRuntime) StartConnector(name string, props map[string]string, target herder.TargetState, onReconfigure func()) error {
	f.record("StartConnector " + name + " " + string(target))
	if f.failStart {
		return errors.New("boom")
	}
	f.mu.Lock()
	f.conns[name] = props
	f.reconf[name] = onReconfigure
	f.mu.Unlock()
	f.status.ConnectorStatus(name, stateFor(target), "")
	return nil
}

func (f *fakeRuntime) SetConnectorTargetState(name string, target herder.TargetState) {
	f.record("SetConnectorTargetState " + name + " " + string(target))
	f.status.ConnectorStatus(name, stateFor(target), "")
	f.mu.Lock()
	var ids []herder.TaskID
	for id := range f.tasks {
		if id.Connector == name {
			ids = append(ids, id)
		}
	}
	f.mu.Unlock()
	for _, id := range ids {
		f.status.TaskStatus(id, stateFor(target), "")
	}
}

func (f *fakeRuntime) ConnectorTaskConfigs(name string) ([]map[string]string, error) {
	f.record("ConnectorTaskConfigs " + name)
	f.mu.Lock()
	props, ok := f.conns[name]
	n := f.taskCount
	f.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("connector %s not running", name)
	}
	if n < 0 {
		n, _ = strconv.Atoi(props["tasks.max"])
		if n == 0 {
			n = 1
		}
	}
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = maps.Clone(props)
		out[i]["task.class"] = "com.example.TestTask"
	}
	return out, nil
}

func (f *fakeRuntime) StopConnector(name string) {
	f.record("StopConnector " + name)
	f.mu.Lock()
	delete(f.conns, name)
	f.mu.Unlock()
	f.status.ConnectorStatus(name, herder.StateUnassigned, "")
}

func (f *fakeRuntime) StartTask(id herder.TaskID, _, _ map[string]string, target herder.TargetState) error {
	f.record(fmt.Sprintf("StartTask %s %s", taskName(id), target))
	f.mu.Lock()
	failing := f.failingTasks[id]
	f.mu.Unlock()
	if failing {
		// As a worker task whose Start fails: it reports FAILED and exits.
		f.status.TaskStatus(id, herder.StateFailed, "java.lang.RuntimeException: start failed")
		return nil
	}
	f.mu.Lock()
	f.tasks[id] = true
	f.mu.Unlock()
	f.status.TaskStatus(id, stateFor(target), "")
	return nil
}

// failTask makes a running task fail (it reports FAILED and exits, so target
// state changes no longer reach it) and, with again, every later start of it.
func (f *fakeRuntime) failTask(id herder.TaskID, again bool) {
	f.mu.Lock()
	delete(f.tasks, id)
	if f.failingTasks == nil {
		f.failingTasks = map[herder.TaskID]bool{}
	}
	f.failingTasks[id] = again
	f.mu.Unlock()
	f.status.TaskStatus(id, herder.StateFailed, "java.lang.RuntimeException: task failed")
}

// healTask makes later starts of id succeed.
func (f *fakeRuntime) healTask(id herder.TaskID) {
	f.mu.Lock()
	delete(f.failingTasks, id)
	f.mu.Unlock()
}

func (f *fakeRuntime) StopTasks(ids []herder.TaskID) {
	var names []string
	for _, id := range ids {
		names = append(names, taskName(id))
		f.mu.Lock()
		delete(f.tasks, id)
		f.mu.Unlock()
		// A stopping task reports UNASSIGNED from its own goroutine while StopTasks
		// waits for it; this must not deadlock with the herder loop.
		done := make(chan struct{})
		go func() {
			defer close(done)
			f.status.TaskStatus(id, herder.StateUnassigned, "")
		}()
		<-done
	}
	f.record(fmt.Sprintf("StopTasks %v", names))
}

type memStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memStore) Set(_ context.Context, entries map[string][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range entries {
		if v == nil {
			delete(s.m, k)
		} else {
			s.m[k] = v
		}
	}
	return nil
}

func (s *memStore) All(context.Context) (map[string][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.m), nil
}

type env struct {
	h     *Herder
	rt    *fakeRuntime
	store *memStore
}

func start(t *testing.T, mod func(*Config)) *env {
	t.Helper()
	store := &memStore{m: map[string][]byte{}}
	cfg := Config{WorkerID: "127.0.0.1:8083", Registry: testRegistry(), Offsets: store, TopicTracking: true, TopicTrackingReset: true, ClusterID: "cluster-1"}
	if mod != nil {
		mod(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rt := newFakeRuntime()
	rt.status = h.StatusListener()
	h.Start(rt)
	t.Cleanup(h.Stop)
	return &env{h: h, rt: rt, store: store}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func source(extra ...string) map[string]string {
	m := map[string]string{"connector.class": "TestSource", "tasks.max": "2"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

func wantErr(t *testing.T, err error, kind error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %q", msg)
	}
	if kind != nil && !errors.Is(err, kind) {
		t.Errorf("err %v is not %v", err, kind)
	}
	if err.Error() != msg {
		t.Errorf("err = %q, want %q", err.Error(), msg)
	}
}

func intp(i int) *int { return &i }

func TestCreateGetUpdateDelete(t *testing.T) {
	e := start(t, nil)
	c := ctx(t)

	info, created, err := e.h.PutConnectorConfig(c, "src", source(), false, "")
	if err != nil || !created {
		t.Fatalf("create: %v created=%v", err, created)
	}
	want := herder.ConnectorInfo{
		Name:   "src",
		Config: map[string]string{"connector.class": "TestSource", "tasks.max": "2", "name": "src"},
		Tasks:  []herder.TaskID{{Connector: "src", Task: 0}, {Connector: "src", Task: 1}},
		Type:   herder.TypeSource,
	}
	if diff := cmp.Diff(want, info); diff != "" {
		t.Errorf("create info (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"StartConnector src STARTED", "ConnectorTaskConfigs src", "StartTask src-0 STARTED", "StartTask src-1 STARTED"}, e.rt.takeCalls()); diff != "" {
		t.Errorf("worker calls (-want +got):\n%s", diff)
	}

	_, _, err = e.h.PutConnectorConfig(c, "src", source(), false, "")
	wantErr(t, err, herder.ErrAlreadyExists, "Connector src already exists")

	got, err := e.h.ConnectorInfo(c, "src")
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("ConnectorInfo = %+v, %v", got, err)
	}
	names, _ := e.h.Connectors(c)
	if diff := cmp.Diff([]string{"src"}, names); diff != "" {
		t.Error(diff)
	}
	tasks, err := e.h.TaskConfigs(c, "src")
	if err != nil || len(tasks) != 2 || tasks[1].Config["task.class"] != "com.example.TestTask" {
		t.Errorf("TaskConfigs = %+v, %v", tasks, err)
	}

	st, err := e.h.ConnectorStatus(c, "src")
	if err != nil {
		t.Fatal(err)
	}
	wantSt := herder.ConnectorStateInfo{
		Name:      "src",
		Connector: herder.StateInfo{State: herder.StateRunning, WorkerID: "127.0.0.1:8083", Version: "9.9"},
		Tasks: []herder.StateInfo{
			{ID: intp(0), State: herder.StateRunning, WorkerID: "127.0.0.1:8083", Version: "9.9"},
			{ID: intp(1), State: herder.StateRunning, WorkerID: "127.0.0.1:8083", Version: "9.9"},
		},
		Type: herder.TypeSource,
	}
	if diff := cmp.Diff(wantSt, st); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	ts, err := e.h.TaskStatus(c, herder.TaskID{Connector: "src", Task: 1})
	if err != nil || ts.State != herder.StateRunning || *ts.ID != 1 {
		t.Errorf("TaskStatus = %+v, %v", ts, err)
	}
	_, err = e.h.TaskStatus(c, herder.TaskID{Connector: "src", Task: 9})
	wantErr(t, err, herder.ErrNotFound, "No status found for task src-9")

	// Update with fewer tasks: connector restarted, tasks replaced.
	info, created, err = e.h.PutConnectorConfig(c, "src", source("tasks.max", "1"), true, "")
	if err != nil || created || len(info.Tasks) != 1 {
		t.Fatalf("update: %+v created=%v err=%v", info, created, err)
	}
	if diff := cmp.Diff([]string{"StopConnector src", "StartConnector src STARTED", "ConnectorTaskConfigs src", "StopTasks [src-0 src-1]", "StartTask src-0 STARTED"}, e.rt.takeCalls()); diff != "" {
		t.Errorf("update calls (-want +got):\n%s", diff)
	}
	st, _ = e.h.ConnectorStatus(c, "src")
	if len(st.Tasks) != 1 {
		t.Errorf("tasks after update = %+v", st.Tasks)
	}

	// PUT creating a new connector reports created.
	if _, created, err := e.h.PutConnectorConfig(c, "other", source(), true, ""); err != nil || !created {
		t.Errorf("PUT create: created=%v err=%v", created, err)
	}

	// PATCH: null removes, others overwrite.
	v := "x"
	info, err = e.h.PatchConnectorConfig(c, "src", map[string]*string{"topic": &v, "tasks.max": nil})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"connector.class": "TestSource", "name": "src", "topic": "x"}, info.Config); diff != "" {
		t.Errorf("patched config (-want +got):\n%s", diff)
	}
	_, err = e.h.PatchConnectorConfig(c, "nope", map[string]*string{"topic": &v})
	wantErr(t, err, herder.ErrNotFound, "Connector nope not found")

	if err := e.h.DeleteConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.h.DeleteConnector(c, "src"), herder.ErrNotFound, "Connector src not found")
	_, err = e.h.ConnectorInfo(c, "src")
	wantErr(t, err, herder.ErrNotFound, "Connector src not found")
	_, err = e.h.ConnectorConfig(c, "src")
	wantErr(t, err, herder.ErrNotFound, "Connector src not found")
	_, err = e.h.TaskConfigs(c, "src")
	wantErr(t, err, herder.ErrNotFound, "Connector src not found")
	_, err = e.h.ConnectorStatus(c, "src")
	wantErr(t, err, herder.ErrNotFound, "No status found for connector src")
	names, _ = e.h.Connectors(c)
	if diff := cmp.Diff([]string{"other"}, names); diff != "" {
		t.Error(diff)
	}
}

func TestNameMismatchAndValidation(t *testing.T) {
	e := start(t, nil)
	c := ctx(t)
	_, _, err := e.h.PutConnectorConfig(c, "mismatch", source("name", "other"), false, "")
	wantErr(t, err, herder.ErrBadRequest, "Connector name configuration (other) doesn't match connector name in the URL (mismatch)")
	_, _, err = e.h.PutConnectorConfig(c, "bad", map[string]string{"connector.class": "com.example.Nope"}, false, "")
	if !errors.Is(err, herder.ErrBadRequest) {
		t.Errorf("unknown class: %v", err)
	}
	v := "other"
	if _, _, err := e.h.PutConnectorConfig(c, "src", source(), false, ""); err != nil {
		t.Fatal(err)
	}
	_, err = e.h.PatchConnectorConfig(c, "src", map[string]*string{"name": &v})
	wantErr(t, err, herder.ErrBadRequest, "Connector name configuration (other) doesn't match connector name in the URL (src)")

	// Validation errors are a 400 with Java's composite message.
	e2 := start(t, func(cfg *Config) {
		cfg.Validate = func(map[string]string) (herder.ConfigInfos, error) {
			msg := "Invalid value abc for configuration tasks.max: Not a number of type INT"
			return herder.ConfigInfos{ErrorCount: 1, Configs: []herder.ConfigInfo{{Value: &herder.ConfigValueInfo{Name: "tasks.max", Errors: []string{msg}}}}}, nil
		}
	})
	_, _, err = e2.h.PutConnectorConfig(c, "src", source(), false, "")
	wantErr(t, err, herder.ErrBadRequest, "Connector configuration is invalid and contains the following 1 error(s):\nInvalid value abc for configuration tasks.max: Not a number of type INT\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")
}

func TestInitialStateAndPauseResumeStop(t *testing.T) {
	e := start(t, nil)
	c := ctx(t)

	info, _, err := e.h.PutConnectorConfig(c, "paused", source(), false, herder.TargetPaused)
	if err != nil || len(info.Tasks) != 0 {
		t.Fatalf("create paused: %+v %v", info, err)
	}
	st, _ := e.h.ConnectorStatus(c, "paused")
	if st.Connector.State != herder.StatePaused || len(st.Tasks) != 0 {
		t.Errorf("paused status = %+v", st)
	}
	info, _, err = e.h.PutConnectorConfig(c, "stopped", source(), false, herder.TargetStopped)
	if err != nil || len(info.Tasks) != 0 {
		t.Fatalf("create stopped: %+v %v", info, err)
	}
	st, _ = e.h.ConnectorStatus(c, "stopped")
	if st.Connector.State != herder.StateStopped {
		t.Errorf("stopped status = %+v", st)
	}

	// Resume from PAUSED-at-creation generates tasks.
	if err := e.h.ResumeConnector(c, "paused"); err != nil {
		t.Fatal(err)
	}
	st, _ = e.h.ConnectorStatus(c, "paused")
	if st.Connector.State != herder.StateRunning || len(st.Tasks) != 2 {
		t.Errorf("resumed status = %+v", st)
	}

	if _, _, err := e.h.PutConnectorConfig(c, "src", source(), false, ""); err != nil {
		t.Fatal(err)
	}
	e.rt.takeCalls()
	if err := e.h.PauseConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	st, _ = e.h.ConnectorStatus(c, "src")
	if st.Connector.State != herder.StatePaused || len(st.Tasks) != 2 || st.Tasks[0].State != herder.StatePaused {
		t.Errorf("paused = %+v", st)
	}
	if err := e.h.ResumeConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	// Same task configs after resume: tasks are resumed, not restarted.
	if diff := cmp.Diff([]string{"SetConnectorTargetState src PAUSED", "SetConnectorTargetState src STARTED", "ConnectorTaskConfigs src"}, e.rt.takeCalls()); diff != "" {
		t.Errorf("pause/resume calls (-want +got):\n%s", diff)
	}

	if err := e.h.StopConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	st, _ = e.h.ConnectorStatus(c, "src")
	if st.Connector.State != herder.StateStopped || len(st.Tasks) != 0 {
		t.Errorf("stopped = %+v", st)
	}
	info, _ = e.h.ConnectorInfo(c, "src")
	if len(info.Tasks) != 0 {
		t.Errorf("tasks after stop = %v", info.Tasks)
	}
	if err := e.h.StopConnector(c, "src"); err != nil {
		t.Errorf("stop is idempotent: %v", err)
	}
	if err := e.h.ResumeConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	st, _ = e.h.ConnectorStatus(c, "src")
	if st.Connector.State != herder.StateRunning || len(st.Tasks) != 2 {
		t.Errorf("resumed from stopped = %+v", st)
	}

	wantErr(t, e.h.PauseConnector(c, "nope"), herder.ErrNotFound, "Unknown connector nope")
	wantErr(t, e.h.ResumeConnector(c, "nope"), herder.ErrNotFound, "Unknown connector nope")
	wantErr(t, e.h.StopConnector(c, "nope"), nil, "No connector `nope` configured")
}

func TestRestart(t *testing.T) {
	e := start(t, nil)
	c := ctx(t)
	if _, _, err := e.h.PutConnectorConfig(c, "src", source(), false, ""); err != nil {
		t.Fatal(err)
	}
	e.rt.takeCalls()

	plan, err := e.h.RestartConnector(c, "src", false, false)
	if err != nil || plan != nil {
		t.Fatalf("plain restart: %v %v", plan, err)
	}
	if diff := cmp.Diff([]string{"StopConnector src", "StartConnector src STARTED"}, e.rt.takeCalls()); diff != "" {
		t.Errorf("plain restart calls (-want +got):\n%s", diff)
	}

	// Only failed, nothing failed: plan shows current states, nothing restarts.
	plan, err = e.h.RestartConnector(c, "src", true, true)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Connector.State != herder.StateRunning || plan.Tasks[0].State != herder.StateRunning || len(e.rt.takeCalls()) != 0 {
		t.Errorf("onlyFailed plan = %+v", plan)
	}

	// Task 1 failed: onlyFailed restarts just that task.
	e.h.StatusListener().TaskStatus(herder.TaskID{Connector: "src", Task: 1}, herder.StateFailed, "java.lang.RuntimeException: x")
	plan, err = e.h.RestartConnector(c, "src", true, true)
	if err != nil {
		t.Fatal(err)
	}
	want := &herder.ConnectorStateInfo{
		Name:      "src",
		Connector: herder.StateInfo{State: herder.StateRunning, WorkerID: "127.0.0.1:8083", Version: "9.9"},
		Tasks: []herder.StateInfo{
			{ID: intp(0), State: herder.StateRunning, WorkerID: "127.0.0.1:8083", Version: "9.9"},
			{ID: intp(1), State: herder.StateRestarting, WorkerID: "127.0.0.1:8083", Trace: "java.lang.RuntimeException: x", Version: "9.9"},
		},
		Type: herder.TypeSource,
	}
	if diff := cmp.Diff(want, plan); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"StopTasks [src-1]", "StartTask src-1 STARTED"}, e.rt.takeCalls()); diff != "" {
		t.Errorf("onlyFailed calls (-want +got):\n%s", diff)
	}
	st, _ := e.h.ConnectorStatus(c, "src")
	if st.Tasks[1].State != herder.StateRunning {
		t.Errorf("task 1 after restart = %+v", st.Tasks[1])
	}

	// Everything.
	plan, err = e.h.RestartConnector(c, "src", true, false)
	if err != nil || plan.Connector.State != herder.StateRestarting || plan.Tasks[0].State != herder.StateRestarting || plan.Tasks[1].State != herder.StateRestarting {
		t.Fatalf("full plan = %+v %v", plan, err)
	}
	if diff := cmp.Diff([]string{"StopConnector src", "StopTasks [src-0 src-1]", "StartConnector src STARTED", "StartTask src-0 STARTED", "StartTask src-1 STARTED"}, e.rt.takeCalls()); diff != "" {
		t.Errorf("full restart calls (-want +got):\n%s", diff)
	}

	_, err = e.h.RestartConnector(c, "nope", true, false)
	wantErr(t, err, herder.ErrNotFound, "Unknown connector: nope")
	_, err = e.h.RestartConnector(c, "nope", false, false)
	wantErr(t, err, nil, `Cannot invoke "java.util.Map.get(Object)" because "connProps" is null`)

	if err := e.h.RestartTask(c, herder.TaskID{Connector: "src", Task: 0}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"StopTasks [src-0]", "StartTask src-0 STARTED"}, e.rt.takeCalls()); diff != "" {
		t.Errorf("task restart calls (-want +got):\n%s", diff)
	}
	wantErr(t, e.h.RestartTask(c, herder.TaskID{Connector: "src", Task: 7}), herder.ErrNotFound, "Task src-7 not found")
	wantErr(t, e.h.RestartTask(c, herder.TaskID{Connector: "nope", Task: 0}), herder.ErrNotFound, "Connector nope not found")
}

func TestRequestTaskReconfiguration(t *testing.T) {
	e := start(t, nil)
	c := ctx(t)
	if _, _, err := e.h.PutConnectorConfig(c, "src", source(), false, ""); err != nil {
		t.Fatal(err)
	}
	e.rt.mu.Lock()
	e.rt.taskCount = 3
	reconf := e.rt.reconf["src"]
	e.rt.mu.Unlock()
	reconf() // from a connector goroutine
	deadline := time.Now().Add(5 * time.Second)
	for {
		info, err := e.h.ConnectorInfo(c, "src")
		if err != nil {
			t.Fatal(err)
		}
		if len(info.Tasks) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tasks after reconfiguration = %v, want 3", info.Tasks)
		}
		time.Sleep(time.Millisecond) // poll
	}
}

func TestOffsetsSource(t *testing.T) {
	e := start(t, nil)
	c := ctx(t)
	if _, _, err := e.h.PutConnectorConfig(c, "src", source(), false, ""); err != nil {
		t.Fatal(err)
	}
	e.store.m[`["src",{"filename":"a.txt"}]`] = []byte(`{"position":30}`)
	e.store.m[`["other",{"filename":"a.txt"}]`] = []byte(`{"position":1}`)
	e.store.m[`not json`] = []byte(`{}`)

	got, err := e.h.Offsets(c, "src")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(`{"offsets":[{"partition":{"filename":"a.txt"},"offset":{"position":30}}]}`, mustJSON(t, got)); diff != "" {
		t.Errorf("offsets (-want +got):\n%s", diff)
	}
	_, err = e.h.Offsets(c, "nope")
	wantErr(t, err, herder.ErrNotFound, "Connector nope not found")

	stoppedMsg := "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/src/stop' endpoint"
	alter := herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{{Partition: map[string]any{"filename": "a.txt"}, Offset: map[string]any{"position": 6}}}}
	_, err = e.h.AlterOffsets(c, "src", alter)
	wantErr(t, err, herder.ErrBadRequest, stoppedMsg)
	_, err = e.h.ResetOffsets(c, "src")
	wantErr(t, err, herder.ErrBadRequest, stoppedMsg)
	if err := e.h.PauseConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	_, err = e.h.ResetOffsets(c, "src")
	wantErr(t, err, herder.ErrBadRequest, stoppedMsg)

	if err := e.h.StopConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	_, err = e.h.AlterOffsets(c, "src", herder.ConnectorOffsets{})
	wantErr(t, err, herder.ErrBadRequest, "Partitions / offsets need to be provided for an alter offsets request")

	msg, err := e.h.AlterOffsets(c, "src", alter)
	if err != nil {
		t.Fatal(err)
	}
	if want := "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses."; msg.Message != want {
		t.Errorf("alter message = %q", msg.Message)
	}
	if v := string(e.store.m[`["src",{"filename":"a.txt"}]`]); v != `{"position":6}` {
		t.Errorf("stored offset = %s", v)
	}
	msg, err = e.h.ResetOffsets(c, "src")
	if err != nil {
		t.Fatal(err)
	}
	if want := "The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses."; msg.Message != want {
		t.Errorf("reset message = %q", msg.Message)
	}
	got, _ = e.h.Offsets(c, "src")
	if mustJSON(t, got) != `{"offsets":[]}` {
		t.Errorf("offsets after reset = %s", mustJSON(t, got))
	}
	if _, ok := e.store.m[`["other",{"filename":"a.txt"}]`]; !ok {
		t.Error("reset removed another connector's offsets")
	}

	// A connector with an OffsetAlterer that returns true gets the short message.
	if _, _, err := e.h.PutConnectorConfig(c, "alt", map[string]string{"connector.class": "AlteringSource"}, false, herder.TargetStopped); err != nil {
		t.Fatal(err)
	}
	msg, err = e.h.AlterOffsets(c, "alt", alter)
	if err != nil || msg.Message != "The offsets for this connector have been altered successfully" {
		t.Errorf("alter with alterer = %q, %v", msg.Message, err)
	}
	alter.Offsets[0].Offset = map[string]any{"nested": map[string]any{}}
	_, err = e.h.AlterOffsets(c, "alt", alter)
	wantErr(t, err, herder.ErrBadRequest, "Offsets may only contain primitive types as values, but field nested contains MAP")
}

func TestActiveTopics(t *testing.T) {
	e := start(t, nil)
	c := ctx(t)
	e.h.RecordActiveTopic("src", "b")
	e.h.RecordActiveTopic("src", "a")
	e.h.RecordActiveTopic("src", "a")
	got, err := e.h.ActiveTopics(c, "src")
	if err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("ActiveTopics = %v, %v", got, err)
	}
	if err := e.h.ResetActiveTopics(c, "src"); err != nil {
		t.Fatal(err)
	}
	got, _ = e.h.ActiveTopics(c, "src")
	if got == nil || len(got) != 0 {
		t.Errorf("after reset = %#v", got)
	}

	off := start(t, func(cfg *Config) { cfg.TopicTracking = false })
	_, err = off.h.ActiveTopics(c, "src")
	wantErr(t, err, herder.ErrForbidden, "Topic tracking is disabled.")
	wantErr(t, off.h.ResetActiveTopics(c, "src"), herder.ErrForbidden, "Topic tracking is disabled.")
	noReset := start(t, func(cfg *Config) { cfg.TopicTrackingReset = false })
	wantErr(t, noReset.h.ResetActiveTopics(c, "src"), herder.ErrForbidden, "Topic tracking reset is disabled.")
}

func TestTimeouts(t *testing.T) {
	// Not started: requests wait for the loop until ctx expires.
	h, err := New(Config{Registry: testRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = h.Connectors(c)
	wantErr(t, err, herder.ErrTimeout, "Request timed out")
	wantErr(t, h.Health(c), herder.ErrUnavailable, "Worker is still starting up.")

	// Started, but the loop is busy inside a slow worker call.
	e := start(t, nil)
	block, running := make(chan struct{}), make(chan struct{})
	released := false
	release := func() {
		if !released {
			released = true
			close(block)
		}
	}
	defer release() // never leave the loop blocked, or Stop would hang
	go func() {
		_ = do(context.Background(), e.h, func() error { close(running); <-block; return nil })
	}()
	<-running
	c2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	wantErr(t, e.h.Health(c2), herder.ErrTimeout, "Request timed out")
	release()
	if err := e.h.Health(ctx(t)); err != nil {
		t.Errorf("Health = %v", err)
	}
	info := e.h.ServerInfo()
	if info.Version != "4.3.1" || info.KafkaClusterID != "cluster-1" {
		t.Errorf("ServerInfo = %+v", info)
	}
}

func TestConfigFilePersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connectors.json")
	mod := func(cfg *Config) { cfg.ConfigFile = path }
	e := start(t, mod)
	c := ctx(t)
	if _, _, err := e.h.PutConnectorConfig(c, "src", source(), false, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.h.PutConnectorConfig(c, "gone", source(), false, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.h.PauseConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	if err := e.h.DeleteConnector(c, "gone"); err != nil {
		t.Fatal(err)
	}
	e.h.Stop()

	e2 := start(t, mod)
	names, err := e2.h.Connectors(c)
	if err != nil || !slices.Equal(names, []string{"src"}) {
		t.Fatalf("connectors after restart = %v, %v", names, err)
	}
	st, _ := e2.h.ConnectorStatus(c, "src")
	if st.Connector.State != herder.StatePaused {
		t.Errorf("state after restart = %+v", st)
	}
	cfg, _ := e2.h.ConnectorConfig(c, "src")
	if diff := cmp.Diff(map[string]string{"connector.class": "TestSource", "tasks.max": "2", "name": "src"}, cfg); diff != "" {
		t.Errorf("config after restart (-want +got):\n%s", diff)
	}
}
