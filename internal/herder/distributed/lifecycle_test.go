package distributed

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/storage"
)

// follow runs f on via and follows up to two ForwardErrors (follower → leader →
// owner), as the REST layer's forward=true / forward=false hops do.
func (c *testCluster) follow(via *testWorker, f func(h *Herder) error) error {
	w := via
	for range 3 {
		err := f(w.h)
		fe, ok := errors.AsType[*ForwardError](err)
		if !ok {
			return err
		}
		w = nil
		for _, x := range c.live() {
			if x.h.cfg.URL == fe.URL {
				w = x
			}
		}
		if w == nil {
			return fmt.Errorf("forward to unknown worker %s: %w", fe.URL, err)
		}
	}
	return errors.New("more than two forwarding hops")
}

func newLifecycleCluster(t *testing.T, workers int) (*testCluster, context.Context) {
	c := newTestCluster(t)
	c.reg = registry.New([]registry.Plugin{{Class: "test.FakeSourceConnector", Kind: registry.Source}})
	for i := range workers {
		c.start(i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	checkFor(t, 20*time.Second, func() error {
		for _, w := range c.live() {
			if err := w.h.Health(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	return c, ctx
}

func wantHerderErr(t *testing.T, err, kind error, msg string) {
	t.Helper()
	if !errors.Is(err, kind) || err.Error() != msg {
		t.Fatalf("error %v (%T), want %v %q", err, err, kind, msg)
	}
}

// TestClusterOffsetsStopResume: the offsets endpoints in distributed mode. GET
// answers on any worker; PATCH and DELETE run on the leader only (followers
// forward with Java's message) and only for a connector that is STOPPED with zero
// tasks (Java's 400 otherwise); stop and resume move the connector cluster-wide.
func TestClusterOffsetsStopResume(t *testing.T) {
	c, ctx := newLifecycleCluster(t, 2)
	cfg := map[string]string{"connector.class": "FakeSource", "tasks.max": "2"}
	if err := c.follow(c.workers[1], func(h *Herder) error {
		_, _, err := h.PutConnectorConfig(ctx, "src", cfg, false, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 20*time.Second, func() error { return c.runningOnce([]string{"src"}, tids("src", 2)) })
	checkFor(t, 10*time.Second, func() error { return c.statusEverywhere("src", herder.StateRunning, 2) })

	// A committed source offset, as a task would write it.
	part := map[string]any{"file": "a.txt"}
	key, err := storage.OffsetKey("src", part)
	if err != nil {
		t.Fatal(err)
	}
	val, err := storage.OffsetValue(map[string]any{"position": int64(5)})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.workers[0].offsets.Set(ctx, map[string][]byte{string(key): val}); err != nil {
		t.Fatal(err)
	}
	wantOffsets := func(want string) error {
		for _, w := range c.live() {
			got, err := w.h.Offsets(ctx, "src")
			if err != nil {
				return err
			}
			if s := fmt.Sprint(got.Offsets); s != want {
				return fmt.Errorf("worker %s: offsets %s, want %s", w.h.cfg.WorkerID, s, want)
			}
		}
		return nil
	}
	checkFor(t, 10*time.Second, func() error { return wantOffsets("[{map[file:a.txt] map[position:5]}]") })
	if _, err := c.workers[0].h.Offsets(ctx, "nope"); !errors.Is(err, herder.ErrNotFound) {
		t.Fatalf("offsets of unknown connector: %v", err)
	}

	alter := herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{{Partition: part, Offset: map[string]any{"position": 42}}}}
	notStopped := "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/src/stop' endpoint"
	// Every worker: a follower forwards to the leader, the leader refuses.
	var forwarded int
	for _, w := range c.live() {
		_, err := w.h.AlterOffsets(ctx, "src", alter)
		if fe, ok := errors.AsType[*ForwardError](err); ok {
			forwarded++
			if fe.Msg != "Only the leader can process external offsets modification requests" {
				t.Fatalf("follower: %q", fe.Msg)
			}
			continue
		}
		wantHerderErr(t, err, herder.ErrBadRequest, notStopped)
	}
	if forwarded != 1 {
		t.Fatalf("%d of 2 workers forwarded, want 1", forwarded)
	}
	if err := c.follow(c.workers[1], func(h *Herder) error { _, err := h.ResetOffsets(ctx, "src"); return err }); err == nil || err.Error() != notStopped {
		t.Fatalf("reset of running connector: %v", err)
	}
	if _, err := c.workers[0].h.AlterOffsets(ctx, "src", herder.ConnectorOffsets{}); err == nil ||
		err.Error() != "Partitions / offsets need to be provided for an alter offsets request" {
		t.Fatalf("empty alter: %v", err)
	}
	// Paused is not stopped either.
	if err := c.workers[1].h.PauseConnector(ctx, "src"); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 10*time.Second, func() error { return c.statusEverywhere("src", herder.StatePaused, 2) })
	if err := c.follow(c.workers[0], func(h *Herder) error { _, err := h.AlterOffsets(ctx, "src", alter); return err }); err == nil || err.Error() != notStopped {
		t.Fatalf("alter of paused connector: %v", err)
	}

	// Stop (leader-only, forwarded): the connector stays assigned, STOPPED, no tasks.
	if err := c.follow(c.workers[1], func(h *Herder) error { return h.StopConnector(ctx, "src") }); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 20*time.Second, func() error {
		if err := c.runningOnce([]string{"src"}, nil); err != nil {
			return err
		}
		return c.statusEverywhere("src", herder.StateStopped, 0)
	})
	var msg herder.Message
	if err := c.follow(c.workers[1], func(h *Herder) error {
		msg, err = h.AlterOffsets(ctx, "src", alter)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const altered = "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses."
	if msg.Message != altered {
		t.Fatalf("alter: %q", msg.Message)
	}
	checkFor(t, 10*time.Second, func() error { return wantOffsets("[{map[file:a.txt] map[position:42]}]") })
	if err := c.follow(c.workers[0], func(h *Herder) error {
		msg, err = h.ResetOffsets(ctx, "src")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if want := "The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses."; msg.Message != want {
		t.Fatalf("reset: %q", msg.Message)
	}
	checkFor(t, 10*time.Second, func() error { return wantOffsets("[]") })

	// Resume: connector and tasks run again, once.
	if err := c.workers[0].h.ResumeConnector(ctx, "src"); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 20*time.Second, func() error { return c.runningOnce([]string{"src"}, tids("src", 2)) })
	checkFor(t, 10*time.Second, func() error { return c.statusEverywhere("src", herder.StateRunning, 2) })
	// Resumed: the offsets cannot change.
	if err := c.follow(c.workers[0], func(h *Herder) error { _, err := h.AlterOffsets(ctx, "src", alter); return err }); err == nil || err.Error() != notStopped {
		t.Fatalf("alter after resume: %v", err)
	}
}

// TestClusterRestart: a plain connector restart runs on the connector's owner
// (forwarded there), a task restart on the task's owner, and a restart with
// includeTasks/onlyFailed is planned by the leader and executed by every owner.
func TestClusterRestart(t *testing.T) {
	c, ctx := newLifecycleCluster(t, 3)
	cfg := map[string]string{"connector.class": "test.FakeSourceConnector", "tasks.max": "3"}
	if err := c.follow(c.workers[2], func(h *Herder) error {
		_, _, err := h.PutConnectorConfig(ctx, "src", cfg, false, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 20*time.Second, func() error { return c.runningOnce([]string{"src"}, tids("src", 3)) })
	checkFor(t, 10*time.Second, func() error { return c.statusEverywhere("src", herder.StateRunning, 3) })
	// Let the scheduled rebalances settle so owners stay put.
	time.Sleep(time.Second)
	owner := func(name string) *testWorker {
		for _, w := range c.live() {
			if w.rt.started(name) > 0 {
				cs, ts := w.rt.running()
				for _, x := range cs {
					if x == name {
						return w
					}
				}
				for _, x := range ts {
					if taskName(x) == name {
						return w
					}
				}
			}
		}
		t.Fatalf("%s runs nowhere", name)
		return nil
	}
	starts := func() map[string]int {
		out := map[string]int{}
		for _, n := range []string{"src", "src-0", "src-1", "src-2"} {
			for _, w := range c.live() {
				out[n] += w.rt.started(n)
			}
		}
		return out
	}
	wantStarts := func(want map[string]int) error {
		if got := starts(); fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("starts %v, want %v", got, want)
		}
		return nil
	}
	base := starts()
	bump := func(m map[string]int, names ...string) map[string]int {
		out := map[string]int{}
		for k, v := range m {
			out[k] = v
		}
		for _, n := range names {
			out[n]++
		}
		return out
	}

	// Unknown connector and task: Java's 404 texts.
	err := c.follow(c.workers[0], func(h *Herder) error { _, err := h.RestartConnector(ctx, "nope", false, false); return err })
	wantHerderErr(t, err, herder.ErrNotFound, "Unknown connector: nope")
	err = c.follow(c.workers[0], func(h *Herder) error { return h.RestartTask(ctx, herder.TaskID{Connector: "src", Task: 7}) })
	wantHerderErr(t, err, herder.ErrNotFound, "Unknown task: src-7")

	// Plain restart through every worker: always the owner's instance, once each.
	for i, w := range c.live() {
		if err := c.follow(w, func(h *Herder) error { _, err := h.RestartConnector(ctx, "src", false, false); return err }); err != nil {
			t.Fatalf("restart via worker %d: %v", i, err)
		}
		base = bump(base, "src")
		checkFor(t, 10*time.Second, func() error { return wantStarts(base) })
	}
	checkFor(t, 10*time.Second, func() error { return c.runningOnce([]string{"src"}, tids("src", 3)) })

	// Task restart through a worker that does not own the task.
	taskOwner := owner("src-1")
	via := c.workers[0]
	if via == taskOwner {
		via = c.workers[1]
	}
	if err := c.follow(via, func(h *Herder) error { return h.RestartTask(ctx, herder.TaskID{Connector: "src", Task: 1}) }); err != nil {
		t.Fatal(err)
	}
	base = bump(base, "src-1")
	checkFor(t, 10*time.Second, func() error { return wantStarts(base) })

	// includeTasks: the plan shows everything RESTARTING; every owner restarts its part.
	var plan *herder.ConnectorStateInfo
	if err := c.follow(c.workers[2], func(h *Herder) error {
		plan, err = h.RestartConnector(ctx, "src", true, false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := planStates(plan); got != "RESTARTING 0:RESTARTING 1:RESTARTING 2:RESTARTING" {
		t.Fatalf("plan %s", got)
	}
	base = bump(base, "src", "src-0", "src-1", "src-2")
	checkFor(t, 10*time.Second, func() error { return wantStarts(base) })
	checkFor(t, 10*time.Second, func() error { return c.statusEverywhere("src", herder.StateRunning, 3) })

	// onlyFailed: only the failed task restarts.
	failedOwner := owner("src-2")
	failedOwner.h.StatusListener().TaskStatus(herder.TaskID{Connector: "src", Task: 2}, herder.StateFailed, "boom")
	checkFor(t, 10*time.Second, func() error {
		for _, w := range c.live() {
			st, err := w.h.ConnectorStatus(ctx, "src")
			if err != nil {
				return err
			}
			if planStates(&st) != "RUNNING 0:RUNNING 1:RUNNING 2:FAILED" {
				return fmt.Errorf("worker %s: %s", w.h.cfg.WorkerID, planStates(&st))
			}
		}
		return nil
	})
	if err := c.follow(c.workers[0], func(h *Herder) error {
		plan, err = h.RestartConnector(ctx, "src", true, true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := planStates(plan); got != "RUNNING 0:RUNNING 1:RUNNING 2:RESTARTING" {
		t.Fatalf("plan %s", got)
	}
	base = bump(base, "src-2")
	checkFor(t, 10*time.Second, func() error { return wantStarts(base) })
	checkFor(t, 10*time.Second, func() error { return c.statusEverywhere("src", herder.StateRunning, 3) })
	// onlyFailed without includeTasks and nothing failed: an empty plan, no restarts.
	if err := c.follow(c.workers[1], func(h *Herder) error {
		plan, err = h.RestartConnector(ctx, "src", false, true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := planStates(plan); got != "RUNNING 0:RUNNING 1:RUNNING 2:RUNNING" {
		t.Fatalf("plan %s", got)
	}
	time.Sleep(500 * time.Millisecond)
	if err := wantStarts(base); err != nil {
		t.Fatal(err)
	}
	if err := c.runningOnce([]string{"src"}, tids("src", 3)); err != nil {
		t.Fatal(err)
	}
}

func planStates(p *herder.ConnectorStateInfo) string {
	if p == nil {
		return "<nil>"
	}
	s := string(p.Connector.State)
	for _, ts := range p.Tasks {
		s += fmt.Sprintf(" %d:%s", *ts.ID, ts.State)
	}
	return s
}
