package distributed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/herder/distributed/protocol"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/rest"
	"github.com/goconnect/goconnect/internal/storage/kafkastore"
)

// fakeRuntime is a worker that runs nothing: it records what runs and reports
// statuses as the real worker does.
type fakeRuntime struct {
	status interface {
		ConnectorStatus(name string, state herder.State, trace string)
		TaskStatus(id herder.TaskID, state herder.State, trace string)
	}
	mu    sync.Mutex
	conns map[string]map[string]string
	tasks map[herder.TaskID]herder.TargetState
	// starts counts StartConnector (by name) and StartTask (by task name) calls.
	starts map[string]int
}

func (f *fakeRuntime) started(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.starts[name]
}

func (f *fakeRuntime) countStart(name string) {
	if f.starts == nil {
		f.starts = map[string]int{}
	}
	f.starts[name]++
}

func (f *fakeRuntime) StartConnector(name string, props map[string]string, target herder.TargetState, _ func()) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.conns[name]; ok {
		return fmt.Errorf("connector %s already running", name)
	}
	f.conns[name] = props
	f.countStart(name)
	f.status.ConnectorStatus(name, runState(target), "")
	return nil
}

func runState(t herder.TargetState) herder.State {
	switch t {
	case herder.TargetPaused:
		return herder.StatePaused
	case herder.TargetStopped:
		return herder.StateStopped
	}
	return herder.StateRunning
}

func (f *fakeRuntime) SetConnectorTargetState(name string, target herder.TargetState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.conns[name]; ok {
		f.status.ConnectorStatus(name, runState(target), "")
	}
	for id := range f.tasks {
		if id.Connector == name && target != herder.TargetStopped {
			f.tasks[id] = target
			f.status.TaskStatus(id, runState(target), "")
		}
	}
}

func (f *fakeRuntime) ConnectorTaskConfigs(name string) ([]map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	props, ok := f.conns[name]
	if !ok {
		return nil, fmt.Errorf("connector %s not running", name)
	}
	n, _ := strconv.Atoi(props["tasks.max"])
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = map[string]string{"task.class": "Fake", "n": strconv.Itoa(i), "v": props["v"]}
	}
	return out, nil
}

func (f *fakeRuntime) StopConnector(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.conns[name]; ok {
		delete(f.conns, name)
		f.status.ConnectorStatus(name, herder.StateUnassigned, "")
	}
}

func (f *fakeRuntime) StartTask(id herder.TaskID, _, _ map[string]string, target herder.TargetState) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.tasks[id]; ok {
		return fmt.Errorf("task %v already running", id)
	}
	f.tasks[id] = target
	f.countStart(taskName(id))
	f.status.TaskStatus(id, runState(target), "")
	return nil
}

func (f *fakeRuntime) StopTasks(ids []herder.TaskID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		if _, ok := f.tasks[id]; ok {
			delete(f.tasks, id)
			f.status.TaskStatus(id, herder.StateUnassigned, "")
		}
	}
}

func (f *fakeRuntime) running() (conns []string, tasks []herder.TaskID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.conns)), slices.SortedFunc(maps.Keys(f.tasks), compareTasks)
}

type testWorker struct {
	h       *Herder
	rt      *fakeRuntime
	configs *kafkastore.ConfigStore
	status  *kafkastore.StatusStore
	offsets *kafkastore.OffsetStore
	srv     *http.Server
	served  chan struct{}
	stopped bool
}

func (w *testWorker) stop() {
	if w.stopped {
		return
	}
	w.stopped = true
	_ = w.srv.Close()
	<-w.served
	w.h.Stop()
	w.configs.Close()
	w.status.Close()
	w.offsets.Close()
}

type testCluster struct {
	t       *testing.T
	opts    []kgo.Opt
	adm     *kadm.Client
	reg     *registry.Registry // nil: connector classes are unknown
	workers []*testWorker
	// memberOpts are extra options of worker i's group membership client.
	memberOpts map[int][]kgo.Opt
}

func newTestCluster(t *testing.T) *testCluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	opts := []kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &testCluster{t: t, opts: opts, adm: kadm.NewClient(cl)}
}

func (c *testCluster) start(i int) *testWorker {
	t := c.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var logger *slog.Logger
	if os.Getenv("HERDER_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil)).With("w", i)
	} else {
		logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	h, err := New(Config{
		WorkerID: ln.Addr().String(), URL: url, GroupID: "connect-test", Client: append(slices.Clone(c.opts), c.memberOpts[i]...),
		SessionTimeout: 6 * time.Second, HeartbeatInterval: 200 * time.Millisecond,
		RebalanceTimeout: 5 * time.Second, Protocol: protocol.Sessioned, MaxDelay: 500 * time.Millisecond,
		Validate: func(map[string]string) (herder.ConfigInfos, error) { return herder.ConfigInfos{}, nil },
		Logger:   logger, Registry: c.reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	sc := func(name, key string, parts int32) kafkastore.StoreConfig {
		return kafkastore.StoreConfig{Client: c.opts, Admin: c.adm, Topic: kafkastore.TopicSpec{
			Name: name, Partitions: parts, ReplicationFactor: 1, WorkerKey: key, Purpose: "test"}}
	}
	configs, err := kafkastore.OpenConfigStore(ctx, sc("configs", "config.storage.topic", 1), h.OnConfigEvent)
	if err != nil {
		t.Fatal(err)
	}
	status, err := kafkastore.OpenStatusStore(ctx, sc("status", "status.storage.topic", 5))
	if err != nil {
		t.Fatal(err)
	}
	offsets, err := kafkastore.OpenOffsetStore(ctx, sc("offsets", "offset.storage.topic", 5))
	if err != nil {
		t.Fatal(err)
	}
	rt := &fakeRuntime{status: h.StatusListener(), conns: map[string]map[string]string{}, tasks: map[herder.TaskID]herder.TargetState{}}
	h.Start(rt, configs, status, offsets)
	srv := &http.Server{Handler: rest.NewHandler(rest.Options{Herder: h}), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(ln) }()
	w := &testWorker{h: h, rt: rt, configs: configs, status: status, offsets: offsets, srv: srv, served: served}
	t.Cleanup(w.stop)
	if i < len(c.workers) {
		c.workers[i] = w
	} else {
		c.workers = append(c.workers, w)
	}
	return w
}

func (c *testCluster) live() []*testWorker {
	var out []*testWorker
	for _, w := range c.workers {
		if !w.stopped {
			out = append(out, w)
		}
	}
	return out
}

// onLeader runs f on a live worker, following a ForwardError to the leader as the
// REST layer would.
func (c *testCluster) onLeader(ctx context.Context, via *testWorker, f func(h *Herder) error) error {
	err := f(via.h)
	var fe *ForwardError
	if errors.As(err, &fe) {
		for _, w := range c.live() {
			if w.h.cfg.URL == fe.URL {
				return f(w.h)
			}
		}
	}
	return err
}

func checkFor(t *testing.T, timeout time.Duration, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v: %v", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runningOnce checks that conns and tasks run exactly once across live workers.
func (c *testCluster) runningOnce(conns []string, tasks []herder.TaskID) error {
	gotC := map[string]int{}
	gotT := map[herder.TaskID]int{}
	for _, w := range c.live() {
		cs, ts := w.rt.running()
		for _, x := range cs {
			gotC[x]++
		}
		for _, x := range ts {
			gotT[x]++
		}
	}
	for _, x := range conns {
		if gotC[x] != 1 {
			return fmt.Errorf("connector %s runs %d times", x, gotC[x])
		}
	}
	for _, x := range tasks {
		if gotT[x] != 1 {
			return fmt.Errorf("task %v runs %d times", x, gotT[x])
		}
	}
	if len(gotC) != len(conns) || len(gotT) != len(tasks) {
		return fmt.Errorf("running %v %v, want %v %v", gotC, gotT, conns, tasks)
	}
	return nil
}

func (c *testCluster) statusEverywhere(name string, want herder.State, tasks int) error {
	for _, w := range c.live() {
		st, err := w.h.ConnectorStatus(context.Background(), name)
		if err != nil {
			return err
		}
		if st.Connector.State != want || len(st.Tasks) != tasks {
			return fmt.Errorf("worker %s: status %+v", w.h.cfg.WorkerID, st)
		}
		for _, ts := range st.Tasks {
			if ts.State != want {
				return fmt.Errorf("worker %s: status %+v", w.h.cfg.WorkerID, st)
			}
		}
	}
	return nil
}

func tids(name string, n int) []herder.TaskID {
	out := make([]herder.TaskID, n)
	for i := range out {
		out[i] = herder.TaskID{Connector: name, Task: i}
	}
	return out
}

func TestClusterAssignsFailsOverAndPauses(t *testing.T) {
	c := newTestCluster(t)
	for i := range 3 {
		c.start(i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	checkFor(t, 20*time.Second, func() error {
		for _, w := range c.live() {
			if err := w.h.Health(ctx); err != nil {
				return err
			}
		}
		return nil
	})

	// Create through a worker that may be a follower: the error forwards.
	for _, name := range []string{"a", "b"} {
		err := c.onLeader(ctx, c.workers[2], func(h *Herder) error {
			_, created, err := h.PutConnectorConfig(ctx, name, map[string]string{"connector.class": "Fake", "tasks.max": "3"}, false, "")
			if err == nil && !created {
				return errors.New("not created")
			}
			return err
		})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	all := append(tids("a", 3), tids("b", 3)...)
	checkFor(t, 20*time.Second, func() error { return c.runningOnce([]string{"a", "b"}, all) })
	checkFor(t, 10*time.Second, func() error { return c.statusEverywhere("a", herder.StateRunning, 3) })
	for _, w := range c.live() {
		cs, ts := w.rt.running()
		t.Logf("%s runs %v %v", w.h.cfg.WorkerID, cs, ts)
	}

	// A duplicate create is a 409 from the leader.
	err := c.onLeader(ctx, c.workers[1], func(h *Herder) error {
		_, _, err := h.PutConnectorConfig(ctx, "a", map[string]string{"connector.class": "Fake", "tasks.max": "3"}, false, "")
		return err
	})
	if !errors.Is(err, herder.ErrAlreadyExists) {
		t.Fatalf("duplicate create: %v", err)
	}

	// A clean stop of one worker: its work moves to the others.
	c.workers[0].stop()
	checkFor(t, 20*time.Second, func() error { return c.runningOnce([]string{"a", "b"}, all) })
	checkFor(t, 10*time.Second, func() error { return c.statusEverywhere("b", herder.StateRunning, 3) })

	// Pause through any worker.
	if err := c.workers[1].h.PauseConnector(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 10*time.Second, func() error { return c.statusEverywhere("a", herder.StatePaused, 3) })

	// A new worker joins and gets a share without duplicates.
	c.start(0)
	checkFor(t, 20*time.Second, func() error {
		if err := c.runningOnce([]string{"a", "b"}, all); err != nil {
			return err
		}
		if cs, ts := c.workers[0].rt.running(); len(cs)+len(ts) == 0 {
			return errors.New("new worker got no work")
		}
		return nil
	})

	// Reconfigure: fewer tasks.
	err = c.onLeader(ctx, c.workers[0], func(h *Herder) error {
		_, _, err := h.PutConnectorConfig(ctx, "b", map[string]string{"connector.class": "Fake", "tasks.max": "1", "v": "2"}, true, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	all = append(tids("a", 3), tids("b", 1)...)
	checkFor(t, 20*time.Second, func() error { return c.runningOnce([]string{"a", "b"}, all) })
	checkFor(t, 10*time.Second, func() error { return c.statusEverywhere("b", herder.StateRunning, 1) })

	// Delete.
	if err := c.onLeader(ctx, c.workers[2], func(h *Herder) error { return h.DeleteConnector(ctx, "b") }); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 20*time.Second, func() error { return c.runningOnce([]string{"a"}, tids("a", 3)) })
	checkFor(t, 10*time.Second, func() error {
		if _, err := c.workers[1].h.ConnectorStatus(ctx, "b"); !errors.Is(err, herder.ErrNotFound) {
			return fmt.Errorf("status of deleted connector: %v", err)
		}
		return nil
	})
}
