package standalone

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/internal/herder"
)

// fakeClock is a herder.Clock whose time moves only by Advance. Every timer it
// creates is announced on created, so a test knows the herder scheduled a
// restart (and with which delay) without polling.
type fakeClock struct {
	created chan time.Duration

	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	clk     *fakeClock
	c       chan time.Time
	at      time.Time
	stopped bool
	fired   bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{created: make(chan time.Duration, 100), now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) herder.Timer {
	c.mu.Lock()
	t := &fakeTimer{clk: c, c: make(chan time.Time, 1), at: c.now.Add(d)}
	c.timers = append(c.timers, t)
	c.fireLocked()
	c.mu.Unlock()
	c.created <- d
	return t
}

// Advance moves time forward and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.fireLocked()
}

func (c *fakeClock) fireLocked() {
	for _, t := range c.timers {
		if !t.stopped && !t.fired && !t.at.After(c.now) {
			t.fired = true
			t.c <- c.now
		}
	}
}

// active is the number of timers neither stopped nor fired.
func (c *fakeClock) active() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.stopped && !t.fired {
			n++
		}
	}
	return n
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.clk.mu.Lock()
	defer t.clk.mu.Unlock()
	was := !t.stopped && !t.fired
	t.stopped = true
	return was
}

// nextTimer waits for the herder to arm a timer and returns its delay.
func (c *fakeClock) nextTimer(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-c.created:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no restart was scheduled")
		return 0
	}
}

// noTimer checks that no timer was armed (call after syncStatuses).
func (c *fakeClock) noTimer(t *testing.T) {
	t.Helper()
	select {
	case d := <-c.created:
		t.Fatalf("unexpected restart scheduled in %v", d)
	default:
	}
}

// checkFor polls cond until it holds or the deadline passes.
func checkFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// syncStatuses makes the loop handle every status reported so far, so a test
// can then assert what was (not) scheduled.
func syncStatuses(t *testing.T, h *Herder) {
	t.Helper()
	if err := do(ctx(t), h, func() error { h.observeChanged(); return nil }); err != nil {
		t.Fatal(err)
	}
}

func startAuto(t *testing.T, workerProps map[string]string) (*env, *fakeClock) {
	clk := newFakeClock()
	e := start(t, func(c *Config) {
		c.Clock = clk
		c.Jitter = func() float64 { return 0 }
		c.WorkerProps = workerProps
	})
	return e, clk
}

func autoSource(extra ...string) map[string]string {
	return source(append([]string{
		"errors.restart.enable", "true",
		"errors.restart.backoff.initial.ms", "1000",
		"errors.restart.backoff.max.ms", "4000",
	}, extra...)...)
}

func taskState(h *Herder, id herder.TaskID) herder.State {
	st, _ := h.status.task(id)
	return st.state
}

// waitCalls waits until the runtime received want (in order), then returns.
func waitCalls(t *testing.T, rt *fakeRuntime, want ...string) {
	t.Helper()
	var got []string
	checkFor(t, strings.Join(want, ", "), func() bool {
		got = append(got, rt.takeCalls()...)
		return len(got) >= len(want)
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runtime calls (-want +got):\n%s", diff)
	}
}

func TestAutoRestartTaskBackoffAndReset(t *testing.T) {
	e, clk := startAuto(t, nil)
	c := ctx(t)
	if _, _, err := e.h.PutConnectorConfig(c, "src", autoSource(), false, ""); err != nil {
		t.Fatal(err)
	}
	e.rt.takeCalls()
	id := herder.TaskID{Connector: "src", Task: 1}

	// The task fails and keeps failing at start: 1s, 2s, 4s, 4s (capped).
	e.rt.failTask(id, true)
	var delays []time.Duration
	for range 4 {
		d := clk.nextTimer(t)
		delays = append(delays, d)
		clk.Advance(d)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}, delays); diff != "" {
		t.Errorf("delays (-want +got):\n%s", diff)
	}
	// The fourth restart (fired above) fails again and schedules a fifth.
	if d := clk.nextTimer(t); d != 4*time.Second {
		t.Errorf("fifth delay = %v", d)
	}
	// Each restart went through the task restart path only: task 0 and the
	// connector instance were never touched.
	want := slices.Repeat([]string{"StopTasks [src-1]", "StartTask src-1 STARTED"}, 4)
	if diff := cmp.Diff(want, e.rt.takeCalls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if st, _ := e.h.TaskStatus(c, id); st.State != herder.StateFailed {
		t.Errorf("status between restarts = %v, want FAILED (no RESTARTING)", st.State)
	}

	// The cause goes away: the next restart sticks.
	e.rt.healTask(id)
	clk.Advance(4 * time.Second)
	checkFor(t, "task 1 RUNNING", func() bool { return taskState(e.h, id) == herder.StateRunning })
	syncStatuses(t, e.h)
	clk.noTimer(t)

	// RUNNING for less than the max backoff, then failing: still backing off.
	clk.Advance(3 * time.Second)
	e.rt.failTask(id, false)
	if d := clk.nextTimer(t); d != 4*time.Second {
		t.Errorf("delay after a short run = %v, want 4s", d)
	}
	clk.Advance(4 * time.Second)
	checkFor(t, "task 1 RUNNING again", func() bool { return taskState(e.h, id) == herder.StateRunning })
	syncStatuses(t, e.h)

	// RUNNING for the max backoff: healthy again, the count starts over.
	clk.Advance(4 * time.Second)
	e.rt.failTask(id, false)
	if d := clk.nextTimer(t); d != time.Second {
		t.Errorf("delay after a stable run = %v, want 1s", d)
	}
}

func TestAutoRestartOffByDefault(t *testing.T) {
	e, clk := startAuto(t, nil)
	c := ctx(t)
	if _, _, err := e.h.PutConnectorConfig(c, "src", source(), false, ""); err != nil {
		t.Fatal(err)
	}
	e.rt.failTask(herder.TaskID{Connector: "src", Task: 0}, false)
	e.h.StatusListener().ConnectorStatus("src", herder.StateFailed, "boom")
	syncStatuses(t, e.h)
	clk.noTimer(t)
	if clk.active() != 0 {
		t.Errorf("%d timers armed", clk.active())
	}
}

func TestAutoRestartWorkerDefault(t *testing.T) {
	e, clk := startAuto(t, map[string]string{"errors.restart.enable": "true", "errors.restart.backoff.initial.ms": "250"})
	c := ctx(t)
	// Enabled by the worker, with the worker's backoff.
	if _, _, err := e.h.PutConnectorConfig(c, "on", source(), false, ""); err != nil {
		t.Fatal(err)
	}
	// A connector opts out.
	if _, _, err := e.h.PutConnectorConfig(c, "off", source("errors.restart.enable", "false"), false, ""); err != nil {
		t.Fatal(err)
	}
	e.rt.failTask(herder.TaskID{Connector: "off", Task: 0}, false)
	syncStatuses(t, e.h)
	clk.noTimer(t)
	e.rt.failTask(herder.TaskID{Connector: "on", Task: 0}, false)
	if d := clk.nextTimer(t); d != 250*time.Millisecond {
		t.Errorf("delay = %v, want the worker's 250ms", d)
	}
}

func TestAutoRestartConnector(t *testing.T) {
	e, clk := startAuto(t, nil)
	c := ctx(t)
	if _, _, err := e.h.PutConnectorConfig(c, "src", autoSource(), false, ""); err != nil {
		t.Fatal(err)
	}
	e.rt.takeCalls()

	// The connector instance fails (ConnectorContext.RaiseError): it restarts
	// like POST /connectors/src/restart, and its task configs are checked.
	e.h.StatusListener().ConnectorStatus("src", herder.StateFailed, "java.lang.RuntimeException: lost")
	if d := clk.nextTimer(t); d != time.Second {
		t.Errorf("delay = %v", d)
	}
	clk.Advance(time.Second)
	waitCalls(t, e.rt, "StopConnector src", "StartConnector src STARTED", "ConnectorTaskConfigs src")
	st, err := e.h.ConnectorStatus(c, "src")
	if err != nil || st.Connector.State != herder.StateRunning {
		t.Errorf("status = %+v %v", st, err)
	}

	// A connector that fails at creation gets its tasks once a restart succeeds.
	e.rt.failStart = true
	if _, _, err := e.h.PutConnectorConfig(c, "late", autoSource(), false, ""); err == nil {
		t.Fatal("create with failing start succeeded")
	}
	e.h.StatusListener().ConnectorStatus("late", herder.StateFailed, "boom")
	d := clk.nextTimer(t)
	e.rt.mu.Lock()
	e.rt.failStart = false
	e.rt.mu.Unlock()
	e.rt.takeCalls()
	clk.Advance(d)
	waitCalls(t, e.rt, "StopConnector late", "StartConnector late STARTED", "ConnectorTaskConfigs late", "StartTask late-0 STARTED", "StartTask late-1 STARTED")
}

func TestAutoRestartCancelled(t *testing.T) {
	e, clk := startAuto(t, nil)
	c := ctx(t)
	if _, _, err := e.h.PutConnectorConfig(c, "src", autoSource(), false, ""); err != nil {
		t.Fatal(err)
	}
	t0 := herder.TaskID{Connector: "src", Task: 0}

	// Pause drops the pending restart; nothing restarts while paused.
	e.rt.failTask(t0, false)
	clk.nextTimer(t)
	if err := e.h.PauseConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	if clk.active() != 0 {
		t.Fatalf("timer still armed after pause")
	}
	e.rt.takeCalls()
	clk.Advance(time.Hour)
	syncStatuses(t, e.h)
	if calls := e.rt.takeCalls(); len(calls) != 0 {
		t.Errorf("calls while paused: %v", calls)
	}
	// Resume schedules the still FAILED task again, its count kept.
	if err := e.h.ResumeConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	if d := clk.nextTimer(t); d != 2*time.Second {
		t.Errorf("delay after resume = %v, want 2s", d)
	}

	// A manual restart drops the pending one and starts the count over.
	e.rt.mu.Lock()
	e.rt.failingTasks = map[herder.TaskID]bool{t0: true}
	e.rt.mu.Unlock()
	if err := e.h.RestartTask(c, t0); err != nil {
		t.Fatal(err)
	}
	// The manual restart failed again: back to the initial backoff.
	if d := clk.nextTimer(t); d != time.Second {
		t.Errorf("delay after manual restart = %v, want 1s", d)
	}

	// Stop drops it.
	if err := e.h.StopConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	syncStatuses(t, e.h)
	if clk.active() != 0 {
		t.Fatalf("timer still armed after stop")
	}

	// Delete drops it.
	if err := e.h.ResumeConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	e.rt.failTask(t0, false)
	clk.nextTimer(t)
	if err := e.h.DeleteConnector(c, "src"); err != nil {
		t.Fatal(err)
	}
	if clk.active() != 0 {
		t.Fatalf("timer still armed after delete")
	}

	// A new config drops it too, and herder Stop stops the timer.
	if _, _, err := e.h.PutConnectorConfig(c, "src", autoSource(), false, ""); err != nil {
		t.Fatal(err)
	}
	e.rt.failTask(t0, false)
	clk.nextTimer(t)
	if _, _, err := e.h.PutConnectorConfig(c, "src", autoSource("topic", "other"), true, ""); err != nil {
		t.Fatal(err)
	}
	syncStatuses(t, e.h)
	if clk.active() != 0 {
		t.Fatalf("timer still armed after reconfiguration")
	}
	e.rt.failTask(t0, false)
	clk.nextTimer(t)
	e.h.Stop()
	if clk.active() != 0 {
		t.Fatalf("timer still armed after herder Stop")
	}
}

func TestAutoRestartValidation(t *testing.T) {
	e, _ := startAuto(t, nil)
	c := ctx(t)
	_, _, err := e.h.PutConnectorConfig(c, "src", source("errors.restart.backoff.initial.ms", "soon"), false, "")
	wantErr(t, err, herder.ErrBadRequest, "Connector configuration is invalid and contains the following 1 error(s):\n"+
		"Invalid value soon for configuration errors.restart.backoff.initial.ms: Not a number of type LONG\n"+
		"You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")

	infos, err := e.h.ValidateConfig(c, source("name", "src", "errors.restart.enable", "true"))
	if err != nil || infos.ErrorCount != 0 {
		t.Fatalf("valid restart keys: %+v %v", infos, err)
	}
	for _, ci := range infos.Configs {
		if ci.Value != nil && strings.HasPrefix(ci.Value.Name, "errors.restart.") {
			t.Errorf("restart key %s listed in a valid result (Java would not list it)", ci.Value.Name)
		}
	}
}
