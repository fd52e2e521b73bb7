package kafkastore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type eventLog struct {
	mu sync.Mutex
	ev []ConfigEvent
}

func (e *eventLog) add(ev ConfigEvent) {
	e.mu.Lock()
	e.ev = append(e.ev, ev)
	e.mu.Unlock()
}

func (e *eventLog) take() []ConfigEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.ev
	e.ev = nil
	return out
}

func TestConfigStoreWritesAndSnapshot(t *testing.T) {
	opts, adm := fakeCluster(t)
	ctx := testCtx(t)
	c := StoreConfig{Topic: spec("configs", ConfigTopicKey, 1), Client: opts, Admin: adm}
	var ev eventLog
	s, err := OpenConfigStore(ctx, c, ev.add)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	paused := TargetPaused
	props := map[string]string{"connector.class": "FileStreamSource", "tasks.max": "2"}
	if err := s.PutConnectorConfig(ctx, "my-conn", props, &paused); err != nil {
		t.Fatal(err)
	}
	tasks := []map[string]string{{"task.class": "T", "n": "0"}, {"task.class": "T", "n": "1"}}
	if err := s.PutTaskConfigs(ctx, "my-conn", tasks); err != nil {
		t.Fatal(err)
	}
	key := SessionKey{Key: []byte("0123456789abcdef"), Algorithm: "HmacSHA256", Created: time.UnixMilli(1700000000000)}
	if err := s.PutSessionKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRestartRequest(ctx, RestartRequest{Connector: "my-conn", IncludeTasks: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTaskCountRecord(ctx, "my-conn", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTargetState(ctx, "my-conn", TargetStopped); err != nil {
		t.Fatal(err)
	}
	if err := s.PutLoggerLevel(ctx, "org.apache.kafka", "DEBUG"); err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	if d := cmp.Diff(tasks, snap.Tasks("my-conn")); d != "" {
		t.Errorf("tasks (-want +got):\n%s", d)
	}
	want := &Snapshot{
		Offset:           10, // ten records written at offsets 0..9; Offset is the next one
		SessionKey:       &key,
		Connectors:       map[string]map[string]string{"my-conn": props},
		TargetStates:     map[string]TargetState{"my-conn": TargetStopped},
		TaskCounts:       map[string]int{"my-conn": 2},
		TaskConfigs:      map[TaskID]map[string]string{{"my-conn", 0}: tasks[0], {"my-conn", 1}: tasks[1]},
		Inconsistent:     map[string]bool{},
		TaskCountRecords: map[string]int{"my-conn": 2},
		PendingFencing:   map[string]bool{},
	}
	if d := cmp.Diff(want, snap, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); d != "" {
		t.Errorf("snapshot (-want +got):\n%s", d)
	}
	wantEv := []ConfigEvent{
		{Kind: ConnectorConfigUpdated, Connector: "my-conn"},
		{Kind: TaskConfigsCommitted, Connector: "my-conn", Tasks: []TaskID{{"my-conn", 0}, {"my-conn", 1}}},
		{Kind: SessionKeyUpdated, Key: &key},
		{Kind: RestartRequested, Connector: "my-conn", Restart: RestartRequest{Connector: "my-conn", IncludeTasks: true}},
		{Kind: TargetStateChanged, Connector: "my-conn"},
		{Kind: LoggerLevelSet, Namespace: "org.apache.kafka", Level: "DEBUG"},
	}
	if d := cmp.Diff(wantEv, ev.take(), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}

	// A second worker rebuilds the same state from the topic, without events for
	// what it read while starting.
	var ev2 eventLog
	s2, err := OpenConfigStore(ctx, c, ev2.add)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if d := cmp.Diff(snap, s2.Snapshot(), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); d != "" {
		t.Errorf("second worker's snapshot (-first +second):\n%s", d)
	}
	if got := ev2.take(); len(got) != 0 {
		t.Errorf("events for records read on start: %v", got)
	}

	// Delete: both tombstones; the connector's tasks are forgotten.
	if err := s.RemoveConnectorConfig(ctx, "my-conn"); err != nil {
		t.Fatal(err)
	}
	if err := s2.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	snap = s2.Snapshot()
	if len(snap.Connectors) != 0 || len(snap.TargetStates) != 0 || len(snap.TaskConfigs) != 0 || snap.Tasks("my-conn") != nil {
		t.Errorf("after delete: %+v", snap)
	}
	if d := cmp.Diff([]ConfigEvent{{Kind: ConnectorConfigRemoved, Connector: "my-conn"}}, ev2.take()); d != "" {
		t.Errorf("delete events (-want +got):\n%s", d)
	}
}

// TestConfigStoreReadRules feeds hand-written records (as other Java versions or a
// compacted log would leave them) and checks the reader's rules.
func TestConfigStoreReadRules(t *testing.T) {
	opts, adm := fakeCluster(t)
	ctx := testCtx(t)
	c := StoreConfig{Topic: spec("configs", ConfigTopicKey, 1), Client: opts, Admin: adm}
	w, err := OpenConfigStore(ctx, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	kv := func(k, v string) KV {
		if v == "" {
			return KV{Key: []byte(k)}
		}
		return KV{Key: []byte(k), Value: []byte(v)}
	}
	err = w.log.Send(ctx,
		// Pre-3.5 target state: only "state".
		kv("connector-old-style", `{"properties":{"a":"1"}}`),
		kv("target-state-old-style", `{"state":"PAUSED"}`),
		// No target state at all: STARTED.
		kv("connector-plain", `{"properties":{}}`),
		// Compaction lost task 0 of the latest generation: inconsistent.
		kv("connector-a-b-c", `{"properties":{}}`),
		kv("task-a-b-c-1", `{"properties":{"x":"1"}}`),
		kv("commit-a-b-c", `{"tasks":2}`),
		// A larger older generation left task 2; a complete commit of 2 is fine.
		kv("connector-shrunk", `{"properties":{}}`),
		kv("task-shrunk-2", `{"properties":{"old":"2"}}`),
		kv("task-shrunk-0", `{"properties":{"t":"0"}}`),
		kv("task-shrunk-1", `{"properties":{"t":"1"}}`),
		kv("commit-shrunk", `{"tasks":2}`),
		// Garbage is skipped, not fatal.
		kv("connector-broken", `not json`),
		kv("task-nonumber-x", `{"properties":{}}`),
		kv("unknown-key", `{}`),
		kv("target-state-bogus", `{"state":"RUNNING"}`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	snap := w.Snapshot()
	wantStates := map[string]TargetState{"old-style": TargetPaused, "plain": TargetStarted, "a-b-c": TargetStarted, "shrunk": TargetStarted}
	if d := cmp.Diff(wantStates, snap.TargetStates); d != "" {
		t.Errorf("target states (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]bool{"a-b-c": true}, snap.Inconsistent); d != "" {
		t.Errorf("inconsistent (-want +got):\n%s", d)
	}
	if snap.Tasks("a-b-c") != nil {
		t.Errorf("inconsistent connector has tasks %v", snap.Tasks("a-b-c"))
	}
	if d := cmp.Diff([]map[string]string{{"t": "0"}, {"t": "1"}}, snap.Tasks("shrunk")); d != "" {
		t.Errorf("shrunk tasks (-want +got):\n%s", d)
	}
	// A fresh, complete generation repairs the inconsistent connector.
	if err := w.PutTaskConfigs(ctx, "a-b-c", []map[string]string{{"y": "0"}}); err != nil {
		t.Fatal(err)
	}
	snap = w.Snapshot()
	if snap.Inconsistent["a-b-c"] || len(snap.Tasks("a-b-c")) != 1 {
		t.Errorf("after rewrite: inconsistent=%v tasks=%v", snap.Inconsistent, snap.Tasks("a-b-c"))
	}
}

func TestConfigStoreTargetStateBeforeConnector(t *testing.T) {
	opts, adm := fakeCluster(t)
	ctx := testCtx(t)
	c := StoreConfig{Topic: spec("configs", ConfigTopicKey, 1), Client: opts, Admin: adm}
	var ev eventLog
	s, err := OpenConfigStore(ctx, c, ev.add)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := OpenConfigStore(ctx, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	stopped := TargetStopped
	if err := w.PutConnectorConfig(ctx, "c", map[string]string{}, &stopped); err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The initial state arrives first and is reported with the connector only.
	if d := cmp.Diff([]ConfigEvent{{Kind: ConnectorConfigUpdated, Connector: "c"}}, ev.take()); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	if got := s.Snapshot().TargetStates["c"]; got != TargetStopped {
		t.Errorf("target state %s, want STOPPED", got)
	}
}
