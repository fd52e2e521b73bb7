package worker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/recordpath"
	"github.com/goconnect/goconnect/internal/storage"
)

func sourceProps(name string, records int, extra ...string) map[string]string {
	p := map[string]string{
		"name": name, "connector.class": "TestSource", "tasks.max": "1",
		"topic": "out", "records": fmt.Sprint(records),
	}
	for i := 0; i+1 < len(extra); i += 2 {
		p[extra[i]] = extra[i+1]
	}
	return p
}

// startSource starts the connector and its tasks as a herder would.
func startSource(t *testing.T, w *Worker, props map[string]string) []herder.TaskID {
	t.Helper()
	if err := w.StartConnector(props["name"], props, herder.TargetStarted, nil); err != nil {
		t.Fatal(err)
	}
	cfgs, err := w.ConnectorTaskConfigs(props["name"])
	if err != nil {
		t.Fatal(err)
	}
	var ids []herder.TaskID
	for i, tc := range cfgs {
		for k, v := range props {
			if _, ok := tc[k]; !ok {
				tc[k] = v
			}
		}
		id := herder.TaskID{Connector: props["name"], Task: i}
		if err := w.StartTask(id, props, tc, herder.TargetStarted); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func storedPos(t *testing.T, s OffsetStore, conn string, task int) int64 {
	t.Helper()
	off, err := (&offsetReader{connector: conn, store: s}).Offset(context.Background(), map[string]any{"task": task})
	if err != nil {
		t.Fatal(err)
	}
	if off == nil {
		return -1
	}
	return off["pos"].(int64)
}

func TestSourceProducesAllAndResumes(t *testing.T) {
	c := cluster(t, 3, "out")
	e := newEnv(t)
	st := newStatuses()
	offsets := storage.NewMemoryOffsetStore()
	w := newTestWorker(t, e, c, offsets, st)

	ids := startSource(t, w, sourceProps("src", 1000))
	st.waitTask(t, ids[0], herder.StateRunning)
	checkFor(t, "offset 999 committed", 20*time.Second, func() bool { return storedPos(t, offsets, "src", 0) == 999 })
	recs := consumeAll(t, c, "out", 1000)
	seen := map[string]bool{}
	for _, r := range recs {
		seen[string(r.Value)] = true
		if string(r.Key) != "t0" || len(r.Headers) != 1 || string(r.Headers[0].Value) != "v" {
			t.Fatalf("record key %q headers %v", r.Key, r.Headers)
		}
	}
	if len(seen) != 1000 {
		t.Fatalf("distinct values = %d, want 1000", len(seen))
	}
	e.mu.Lock()
	acked, commits := e.acked, e.commits
	e.mu.Unlock()
	if acked != 1000 || commits == 0 {
		t.Errorf("CommitRecord acks = %d (want 1000), Commit calls = %d (want > 0)", acked, commits)
	}

	w.StopTasks(ids)
	if got := st.task(ids[0]).state; got != herder.StateUnassigned {
		t.Errorf("status after stop = %s, want UNASSIGNED", got)
	}
	w.StopConnector("src")

	// Restart with more records: the task resumes after its committed offset, so
	// the topic ends with exactly 1500 distinct records and no duplicates.
	ids = startSource(t, w, sourceProps("src", 1500))
	checkFor(t, "offset 1499 committed", 20*time.Second, func() bool { return storedPos(t, offsets, "src", 0) == 1499 })
	recs = consumeAll(t, c, "out", 1500)
	counts := map[string]int{}
	for _, r := range recs {
		counts[string(r.Value)]++
	}
	for v, n := range counts {
		if n != 1 {
			t.Errorf("value %s produced %d times", v, n)
		}
	}
	if len(counts) != 1500 {
		t.Errorf("distinct values = %d, want 1500", len(counts))
	}
	w.StopTasks(ids)
}

func TestOffsetTrackerCommitsAckedPrefixOnly(t *testing.T) {
	tr := newOffsetTracker("c")
	ka, _ := storage.OffsetKey("c", map[string]any{"p": "a"})
	kb, _ := storage.OffsetKey("c", map[string]any{"p": "b"})
	submit := func(part string, o int) *submitted {
		t.Helper()
		p, err := tr.partition(map[string]any{"p": part})
		if err != nil {
			t.Fatal(err)
		}
		return tr.submit(p, map[string]any{"o": o})
	}
	a1 := submit("a", 1)
	a2 := submit("a", 2)
	b1 := submit("b", 1)
	a3 := submit("a", 3)

	tr.ack(a2)
	tr.ack(a3)
	tr.ack(b1)
	got, _, err := tr.committable()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{string(kb): []byte(`{"o":1}`)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("with a1 unacked (-want +got):\n%s", diff)
	}
	tr.ack(a1)
	got, parts, _ := tr.committable()
	want = map[string][]byte{string(ka): []byte(`{"o":3}`)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after a1 acked (-want +got):\n%s", diff)
	}
	// A failed store write makes the same offsets committable again.
	tr.markFailed(parts)
	got, _, _ = tr.committable()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after failed write (-want +got):\n%s", diff)
	}
	if got, _, _ := tr.committable(); len(got) != 0 {
		t.Errorf("nothing new: got %v", got)
	}
}

// TestOffsetTrackerHoldsOnlyRecordsInFlight checks the memory bound: acked records
// leave the queue on ack, not at the next commit, and out-of-order acks wait only
// behind the record still in flight.
func TestOffsetTrackerHoldsOnlyRecordsInFlight(t *testing.T) {
	tr := newOffsetTracker("c")
	part := map[string]any{"file": "f"}
	var inFlight []*submitted
	for i := range 100000 {
		p, err := tr.partition(part)
		if err != nil {
			t.Fatal(err)
		}
		inFlight = append(inFlight, tr.submit(p, map[string]any{"pos": int64(i)}))
		if len(inFlight) == 10 {
			// Acked in reverse: only the last ack (of the oldest) advances.
			for j := len(inFlight) - 1; j >= 0; j-- {
				tr.ack(inFlight[j])
			}
			inFlight = inFlight[:0]
		}
		if q := len(tr.parts[tr.lastPart.key].queue); q > 10 {
			t.Fatalf("after record %d the queue holds %d records, want at most the 10 in flight", i, q)
		}
	}
	got, _, err := tr.committable()
	if err != nil {
		t.Fatal(err)
	}
	key, _ := storage.OffsetKey("c", part)
	if diff := cmp.Diff(map[string][]byte{string(key): []byte(`{"pos":99999}`)}, got); diff != "" {
		t.Error(diff)
	}
}

// TestOffsetTrackerFailedRecordBlocksItsPartition: a record that is never acked (its
// produce failed) keeps every later offset of its partition uncommitted, however
// many later records are acked, while other partitions go on.
func TestOffsetTrackerFailedRecordBlocksItsPartition(t *testing.T) {
	tr := newOffsetTracker("c")
	pa, _ := tr.partition(map[string]any{"p": "a"})
	pb, _ := tr.partition(map[string]any{"p": "b"})
	a1 := tr.submit(pa, map[string]any{"o": 1})
	tr.ack(a1)
	tr.submit(pa, map[string]any{"o": 2}) // fails: never acked
	for i := 3; i < 5000; i++ {
		tr.ack(tr.submit(pa, map[string]any{"o": i}))
	}
	tr.ack(tr.submit(pb, map[string]any{"o": 7}))
	got, _, err := tr.committable()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{pa.key: []byte(`{"o":1}`), pb.key: []byte(`{"o":7}`)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestOffsetTrackerPartitionIdentity: the partition of a record is found by value,
// also when the task reuses and changes one map, and nil differs from empty.
func TestOffsetTrackerPartitionIdentity(t *testing.T) {
	tr := newOffsetTracker("c")
	m := map[string]any{"file": "a"}
	p1, _ := tr.partition(m)
	m["file"] = "b" // the task reuses its map for another partition
	p2, _ := tr.partition(m)
	if p1 == p2 {
		t.Error("a changed map kept the old partition")
	}
	if p3, _ := tr.partition(map[string]any{"file": "a"}); p3 != p1 {
		t.Error("an equal map got another partition")
	}
	pNil, _ := tr.partition(nil)
	pEmpty, _ := tr.partition(map[string]any{})
	if pNil == pEmpty || pNil.key != `["c",null]` || pEmpty.key != `["c",{}]` {
		t.Errorf("nil and empty partitions: %q %q", pNil.key, pEmpty.key)
	}
	if p, _ := tr.partition(map[string]any{"b": []byte("x")}); p == nil {
		t.Error("bytes partition")
	} else if q, _ := tr.partition(map[string]any{"b": []byte("x")}); q != p {
		t.Error("equal bytes partition got another track")
	}
	if _, err := tr.partition(map[string]any{"x": []int{1}}); err == nil {
		t.Error("a partition with a non-primitive value was accepted")
	}
	if err := storage.CheckOffsetValue(map[string]any{"x": struct{}{}}); err == nil {
		t.Error("an offset with a non-primitive value was accepted")
	}
}

func TestSourceProduceFailureFailsTaskWithoutCommittingUnacked(t *testing.T) {
	c := cluster(t, 1, "out")
	e := newEnv(t)
	st := newStatuses()
	offsets := storage.NewMemoryOffsetStore()
	w := newTestWorker(t, e, c, offsets, st)
	// The topic "missing" does not exist and auto-creation is off in kfake: the
	// producer fails those records (after franz-go's unknown-topic retries).
	props := sourceProps("src", 10, "topic", "missing", "producer.override.delivery.timeout.ms", "1000")
	ids := startSource(t, w, props)
	got := st.waitTask(t, ids[0], herder.StateFailed)
	if !strings.Contains(got.trace, "produce record to topic missing") {
		t.Errorf("trace = %q", got.trace)
	}
	if pos := storedPos(t, offsets, "src", 0); pos != -1 {
		t.Errorf("committed offset %d for records never acked", pos)
	}
}

func TestPanickingTaskFailsAlone(t *testing.T) {
	c := cluster(t, 1, "out")
	e := newEnv(t)
	st := newStatuses()
	offsets := storage.NewMemoryOffsetStore()
	w := newTestWorker(t, e, c, offsets, st)
	ids := startSource(t, w, sourceProps("src", 200, "tasks.max", "2", "mode.1", "panic"))
	failed := st.waitTask(t, ids[1], herder.StateFailed)
	if !strings.Contains(failed.trace, "test task exploded") || !strings.Contains(failed.trace, "goroutine") {
		t.Errorf("trace lacks panic value or stack:\n%s", failed.trace)
	}
	checkFor(t, "task 0 commits all", 20*time.Second, func() bool { return storedPos(t, offsets, "src", 0) == 199 })
	if got := st.task(ids[0]).state; got != herder.StateRunning {
		t.Errorf("task 0 state = %s, want RUNNING", got)
	}
	if got := w.Tasks(); len(got) != 2 {
		t.Errorf("Tasks() = %v: a failed task stays listed until stopped", got)
	}
	w.StopTasks(ids)
	if got := w.Tasks(); len(got) != 0 {
		t.Errorf("Tasks() after stop = %v", got)
	}
}

func TestSourcePauseResume(t *testing.T) {
	c := cluster(t, 1, "out")
	e := newEnv(t)
	st := newStatuses()
	w := newTestWorker(t, e, c, nil, st)
	ids := startSource(t, w, sourceProps("src", 10))
	st.waitTask(t, ids[0], herder.StateRunning)

	w.SetConnectorTargetState("src", herder.TargetPaused)
	st.waitTask(t, ids[0], herder.StatePaused)
	if got := st.conn("src").state; got != herder.StatePaused {
		t.Errorf("connector state = %s, want PAUSED", got)
	}
	e.mu.Lock()
	before := e.polls[0]
	e.mu.Unlock()
	// Paused tasks do not poll: several commit intervals later the count is unchanged.
	deadline := time.Now().Add(200 * time.Millisecond)
	checkFor(t, "200ms to pass", time.Second, func() bool { return time.Now().After(deadline) })
	e.mu.Lock()
	after := e.polls[0]
	e.mu.Unlock()
	if after != before {
		t.Errorf("paused task polled %d times", after-before)
	}

	w.SetConnectorTargetState("src", herder.TargetStarted)
	st.waitTask(t, ids[0], herder.StateRunning)
	checkFor(t, "polling again", 5*time.Second, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.polls[0] > after
	})
	w.StopTasks(ids)
}

func TestStopCancelsTaskAfterGracefulTimeout(t *testing.T) {
	c := cluster(t, 1, "out")
	e := newEnv(t)
	st := newStatuses()
	offsets := storage.NewMemoryOffsetStore()
	w, err := New(Config{
		Props: map[string]string{"bootstrap.servers": c.ListenAddrs()[0],
			"key.converter": "com.example.StringConverter", "value.converter": "com.example.StringConverter"},
		OffsetFlushInterval: time.Hour, GracefulShutdown: 300 * time.Millisecond,
	}, e.registry(), offsets, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Wait()
	defer w.Close()
	ids := startSource(t, w, sourceProps("src", 10, "tasks.max", "2", "mode.1", "hang"))
	st.waitTask(t, ids[1], herder.StateRunning)
	checkFor(t, "task 1 blocked in poll", 5*time.Second, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.polls[1] > 0
	})
	start := time.Now()
	w.StopTasks(ids)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("StopTasks took %v with a 300ms graceful timeout", d)
	}
	if got := st.task(ids[0]).state; got != herder.StateUnassigned {
		t.Errorf("task 0 state = %s, want UNASSIGNED", got)
	}
	close(e.block) // the hung plugin returns; its late status must be suppressed
	w.StopConnector("src")
	w.Wait()
	if got := st.taskHistory(ids[1]); got[len(got)-1] != herder.StateRunning {
		t.Errorf("cancelled task reported %v after cancel", got)
	}
	e.block = make(chan struct{})
}

func TestConnectorLifecycle(t *testing.T) {
	c := cluster(t, 1, "out")
	e := newEnv(t)
	st := newStatuses()
	w := newTestWorker(t, e, c, nil, st)

	if err := w.StartConnector("bad", sourceProps("bad", 1, "fail.start", "true"), herder.TargetStarted, nil); err != nil {
		t.Fatal(err)
	}
	if got := st.conn("bad"); got.state != herder.StateFailed || !strings.Contains(got.trace, "boom at start") {
		t.Errorf("bad connector status = %+v", got)
	}
	if _, err := w.ConnectorTaskConfigs("bad"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("task configs of failed connector: %v", err)
	}
	w.StopConnector("bad")

	if err := w.StartConnector("x", map[string]string{"connector.class": "Nope"}, herder.TargetStarted, nil); err == nil {
		t.Error("unknown class: want error")
	}

	if err := w.StartConnector("many", sourceProps("many", 1, "tasks.max", "2", "generate.tasks", "3"), herder.TargetStarted, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ConnectorTaskConfigs("many"); !errors.Is(err, ErrTooManyTasks) {
		t.Errorf("want ErrTooManyTasks, got %v", err)
	}
	w.StopConnector("many")
	if err := w.StartConnector("many", sourceProps("many", 1, "tasks.max", "2", "generate.tasks", "3", "tasks.max.enforce", "false"), herder.TargetStarted, nil); err != nil {
		t.Fatal(err)
	}
	if cfgs, err := w.ConnectorTaskConfigs("many"); err != nil || len(cfgs) != 3 || cfgs[0]["task.class"] != "com.example.TestSourceTask" {
		t.Errorf("task configs = %v, %v", cfgs, err)
	}
	w.StopConnector("many")

	sink := map[string]string{"name": "snk", "connector.class": "com.example.TestSinkConnector", "topics": "a,b"}
	if err := w.StartConnector("snk", sink, herder.TargetPaused, nil); err != nil {
		t.Fatal(err)
	}
	if got := st.conn("snk").state; got != herder.StatePaused {
		t.Errorf("paused connector state = %s", got)
	}
	w.SetConnectorTargetState("snk", herder.TargetStarted)
	cfgs, err := w.ConnectorTaskConfigs("snk")
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{{"task.class": "com.example.TestSinkTask", "topics": "a,b"}}
	if diff := cmp.Diff(want, cfgs); diff != "" {
		t.Errorf("sink task configs (-want +got):\n%s", diff)
	}
	w.SetConnectorTargetState("snk", herder.TargetStopped)
	if got := st.conn("snk").state; got != herder.StateStopped {
		t.Errorf("stopped connector state = %s", got)
	}
	w.StopConnector("snk")
	if got := st.conn("snk").state; got != herder.StateUnassigned {
		t.Errorf("after StopConnector state = %s", got)
	}
}

func TestConvertersAndTransforms(t *testing.T) {
	c := cluster(t, 1, "out", "other")
	e := newEnv(t)
	st := newStatuses()
	offsets := storage.NewMemoryOffsetStore()
	w := newTestWorker(t, e, c, offsets, st)
	// Connector-level value converter; DropEven applies only to topic "out".
	props := sourceProps("src", 10,
		"value.converter", "com.example.UpperConverter", "value.converter.x", "1",
		"transforms", "drop", "transforms.drop.type", "com.example.DropEven", "transforms.drop.predicate", "isOut",
		"predicates", "isOut", "predicates.isOut.type", "com.example.TopicIs", "predicates.isOut.topic", "out")
	ids := startSource(t, w, props)
	checkFor(t, "offsets committed", 20*time.Second, func() bool { return storedPos(t, offsets, "src", 0) == 9 })
	recs := consumeAll(t, c, "out", 5)
	var vals []string
	for _, r := range recs {
		vals = append(vals, string(r.Value))
	}
	if diff := cmp.Diff([]string{"U:0-1", "U:0-3", "U:0-5", "U:0-7", "U:0-9"}, vals); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	w.StopTasks(ids)

	// negate without predicate, unknown predicate alias, duplicate aliases.
	for _, bad := range []map[string]string{
		{"transforms": "a", "transforms.a.type": "com.example.DropEven", "transforms.a.negate": "true"},
		{"transforms": "a", "transforms.a.type": "com.example.DropEven", "transforms.a.predicate": "nope"},
		{"transforms": "a,a", "transforms.a.type": "com.example.DropEven"},
		{"transforms": "a", "transforms.a.type": "com.example.Missing"},
	} {
		if _, err := recordpath.NewChain(w.reg, bad, protect); err == nil {
			t.Errorf("NewChain(%v): want error", bad)
		}
	}
	// Worker-level converter gets worker props; connector-level only its own.
	w.cfg.Props["value.converter.y"] = "2"
	p, err := w.newPipeline(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"y": "2", "converter.type": "value"}, p.Value.(*stringConverter).props); diff != "" {
		t.Errorf("worker converter props (-want +got):\n%s", diff)
	}
	p, err = w.newPipeline(map[string]string{"value.converter": "com.example.UpperConverter", "value.converter.z": "3"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"z": "3", "converter.type": "value"}, p.Value.(*stringConverter).props); diff != "" {
		t.Errorf("connector converter props (-want +got):\n%s", diff)
	}
}

func produce(t *testing.T, addr, topic string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	rs := make([]*kgo.Record, n)
	for i := range rs {
		rs[i] = &kgo.Record{Topic: topic, Value: []byte(fmt.Sprint(i)), Headers: []kgo.RecordHeader{{Key: "h", Value: []byte("v")}}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func committedTotal(t *testing.T, addr, group string) int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	offs, err := kadm.NewClient(cl).FetchOffsets(ctx, group)
	if err != nil {
		return -1
	}
	var sum int64
	offs.Each(func(o kadm.OffsetResponse) { sum += o.At })
	return sum
}

func startSink(t *testing.T, w *Worker, name string, extra ...string) herder.TaskID {
	t.Helper()
	props := map[string]string{"name": name, "connector.class": "TestSink", "topics": "in"}
	for i := 0; i+1 < len(extra); i += 2 {
		props[extra[i]] = extra[i+1]
	}
	if err := w.StartConnector(name, props, herder.TargetStarted, nil); err != nil {
		t.Fatal(err)
	}
	cfgs, err := w.ConnectorTaskConfigs(name)
	if err != nil {
		t.Fatal(err)
	}
	id := herder.TaskID{Connector: name, Task: 0}
	if err := w.StartTask(id, props, cfgs[0], herder.TargetStarted); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSinkReceivesAllAndCommits(t *testing.T) {
	c := cluster(t, 3, "in")
	addr := c.ListenAddrs()[0]
	produce(t, addr, "in", 300)
	e := newEnv(t)
	st := newStatuses()
	w := newTestWorker(t, e, c, nil, st)
	id := startSink(t, w, "snk")
	st.waitTask(t, id, herder.StateRunning)
	checkFor(t, "300 records put", 20*time.Second, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return len(e.received) == 300
	})
	checkFor(t, "offsets committed", 20*time.Second, func() bool { return committedTotal(t, addr, "connect-snk") == 300 })

	// Pause: no more puts of new records; resume delivers them.
	w.SetConnectorTargetState("snk", herder.TargetPaused)
	st.waitTask(t, id, herder.StatePaused)
	produce(t, addr, "in", 30)
	deadline := time.Now().Add(300 * time.Millisecond)
	checkFor(t, "300ms to pass", time.Second, func() bool { return time.Now().After(deadline) })
	e.mu.Lock()
	n := len(e.puts)
	total := 0
	for _, p := range e.puts {
		total += len(p)
	}
	e.mu.Unlock()
	if total != 300 {
		t.Errorf("paused sink received %d records, want 300 (puts %d)", total, n)
	}
	w.SetConnectorTargetState("snk", herder.TargetStarted)
	st.waitTask(t, id, herder.StateRunning)
	checkFor(t, "330 records put", 20*time.Second, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		t := 0
		for _, p := range e.puts {
			t += len(p)
		}
		return t == 330
	})
	w.StopTasks([]herder.TaskID{id})
	if got := committedTotal(t, addr, "connect-snk"); got != 330 {
		t.Errorf("committed after stop = %d, want 330", got)
	}
	if got := st.task(id).state; got != herder.StateUnassigned {
		t.Errorf("state after stop = %s", got)
	}
}

func TestSinkRetriableErrorRedeliversSameBatch(t *testing.T) {
	c := cluster(t, 1, "in")
	addr := c.ListenAddrs()[0]
	produce(t, addr, "in", 50)
	e := newEnv(t)
	fails := 2
	var failed [][]int64
	e.sinkHook = func(recs []*connect.Record) error {
		if fails == 0 {
			return nil
		}
		fails--
		offs := make([]int64, len(recs))
		for i, r := range recs {
			offs[i] = r.Offset
		}
		failed = append(failed, offs)
		return &connect.RetriableError{Err: errors.New("db down"), Backoff: 20 * time.Millisecond}
	}
	st := newStatuses()
	w := newTestWorker(t, e, c, nil, st)
	id := startSink(t, w, "snk")
	checkFor(t, "50 records put", 20*time.Second, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return len(e.received) == 50
	})
	w.StopTasks([]herder.TaskID{id})
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(failed) != 2 {
		t.Fatalf("failed puts = %d, want 2", len(failed))
	}
	if diff := cmp.Diff(failed[0], failed[1]); diff != "" {
		t.Errorf("redelivered batch differs (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(failed[0], e.puts[0]); diff != "" {
		t.Errorf("accepted batch differs from the failed one (-failed +accepted):\n%s", diff)
	}
	for v, n := range e.received {
		if n != 1 {
			t.Errorf("value %s put %d times", v, n)
		}
	}
	if got := committedTotal(t, addr, "connect-snk"); got != 50 {
		t.Errorf("committed = %d, want 50", got)
	}
}

// TestSinkFailedFlushRedeliversWithoutCommittedOffset: a failed flush rewinds every
// partition to the start of its unflushed records, also a partition whose group
// has no committed offset yet (it started from auto.offset.reset), so the records
// put before the failure are delivered again rather than skipped.
func TestSinkFailedFlushRedeliversWithoutCommittedOffset(t *testing.T) {
	c := cluster(t, 2, "in")
	addr := c.ListenAddrs()[0]
	produce(t, addr, "in", 40)
	e := newEnv(t)
	var beforeFailure map[string]int // values put before the failed flush
	e.flushHook = func(offsets map[connect.TopicPartition]int64) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if beforeFailure != nil || len(e.received) < 40 {
			return nil
		}
		beforeFailure = maps.Clone(e.received)
		return errors.New("flush failed")
	}
	st := newStatuses()
	w := newTestWorker(t, e, c, nil, st)
	id := startSink(t, w, "snk")
	checkFor(t, "records put before the failed flush delivered again", 20*time.Second, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		if beforeFailure == nil {
			return false
		}
		for v, n := range beforeFailure {
			if e.received[v] <= n {
				return false
			}
		}
		return true
	})
	checkFor(t, "offsets committed", 20*time.Second, func() bool { return committedTotal(t, addr, "connect-snk") == 40 })
	w.StopTasks([]herder.TaskID{id})
	if st.task(id).state == herder.StateFailed {
		t.Errorf("a failed flush failed the task: %s", st.task(id).trace)
	}
}

func TestSinkFailingPutFailsTask(t *testing.T) {
	c := cluster(t, 1, "in")
	addr := c.ListenAddrs()[0]
	produce(t, addr, "in", 5)
	e := newEnv(t)
	e.sinkHook = func([]*connect.Record) error { return errors.New("constraint violated") }
	st := newStatuses()
	w := newTestWorker(t, e, c, nil, st)
	id := startSink(t, w, "snk")
	got := st.waitTask(t, id, herder.StateFailed)
	if !strings.Contains(got.trace, "constraint violated") {
		t.Errorf("trace = %q", got.trace)
	}
	if n := committedTotal(t, addr, "connect-snk"); n > 0 {
		t.Errorf("committed %d offsets of records Put rejected", n)
	}
	w.StopTasks([]herder.TaskID{id})
}
