package worker

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
)

// Defaults of the worker keys Config carries (Java's WorkerConfig defaults).
const (
	defaultOffsetFlushInterval = 60 * time.Second
	defaultOffsetFlushTimeout  = 5 * time.Second
	defaultGracefulShutdown    = 5 * time.Second
)

// impl is the worker's state; Worker embeds it so api.go stays the contract.
type impl struct {
	cfg     Config
	reg     *registry.Registry
	offsets OffsetStore
	status  StatusListener
	log     *slog.Logger

	// mu guards connectors, running and closed. It is never held while calling plugin
	// code or waiting for a task.
	mu         sync.Mutex
	connectors map[string]*connectorInstance
	running    map[herder.TaskID]*task
	closed     bool

	// wg counts every goroutine the worker started (tasks, connector notifiers).
	wg sync.WaitGroup
}

func newWorker(cfg Config, reg *registry.Registry, offsets OffsetStore, status StatusListener, log *slog.Logger) (*Worker, error) {
	if reg == nil || offsets == nil || status == nil {
		return nil, fmt.Errorf("new worker: registry, offset store and status listener are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.OffsetFlushInterval <= 0 {
		cfg.OffsetFlushInterval = defaultOffsetFlushInterval
	}
	if cfg.OffsetFlushTimeout <= 0 {
		cfg.OffsetFlushTimeout = defaultOffsetFlushTimeout
	}
	if cfg.GracefulShutdown <= 0 {
		cfg.GracefulShutdown = defaultGracefulShutdown
	}
	if cfg.Props == nil {
		cfg.Props = map[string]string{}
	}
	return &Worker{impl{
		cfg: cfg, reg: reg, offsets: offsets, status: status, log: log,
		connectors: map[string]*connectorInstance{},
		running:    map[herder.TaskID]*task{},
	}}, nil
}

// goAttach starts f as a goroutine owned by the worker, unless the worker is closed.
// Callers hold w.mu.
func (w *Worker) goAttach(f func()) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		f()
	}()
}

func (w *Worker) startTask(id herder.TaskID, connProps, taskProps map[string]string, target herder.TargetState) error {
	t, err := w.newTask(id, connProps, taskProps, target)
	if err != nil {
		// Java reports a task that cannot be built as FAILED (WorkerTask never ran).
		w.status.TaskStatus(id, herder.StateFailed, trace(err))
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		t.r.release()
		return ErrClosed
	}
	if _, ok := w.running[id]; ok {
		t.r.release()
		return fmt.Errorf("start task %s-%d: %w", id.Connector, id.Task, ErrAlreadyRunning)
	}
	w.running[id] = t
	w.goAttach(t.main)
	return nil
}

func (w *Worker) stopTasks(ids []herder.TaskID) {
	w.mu.Lock()
	var ts []*task
	for _, id := range ids {
		if t, ok := w.running[id]; ok {
			ts = append(ts, t)
		}
	}
	w.mu.Unlock()
	w.stopAndAwait(ts)
	w.mu.Lock()
	for _, t := range ts {
		if w.running[t.id] == t {
			delete(w.running, t.id)
		}
	}
	w.mu.Unlock()
}

// stopAndAwait signals every task, then waits for all of them within one shared
// graceful budget (Java: stop all, then await each with the remaining time) and
// cancels the stragglers.
func (w *Worker) stopAndAwait(ts []*task) {
	for _, t := range ts {
		t.stop()
	}
	deadline := time.NewTimer(w.cfg.GracefulShutdown)
	defer deadline.Stop()
	expired := false
	for _, t := range ts {
		if !expired {
			select {
			case <-t.done:
				continue
			case <-deadline.C:
				expired = true
			}
		}
		select {
		case <-t.done:
		default:
			w.log.Warn("task did not stop within task.shutdown.graceful.timeout.ms; cancelling it",
				"connector", t.id.Connector, "task", t.id.Task, "timeout", w.cfg.GracefulShutdown)
			t.cancel()
		}
	}
}

func (w *Worker) tasks() []herder.TaskID {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := make([]herder.TaskID, 0, len(w.running))
	for id := range w.running {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b herder.TaskID) int {
		return cmp.Or(cmp.Compare(a.Connector, b.Connector), cmp.Compare(a.Task, b.Task))
	})
	return ids
}

func (w *Worker) setTargetState(name string, target herder.TargetState) {
	w.mu.Lock()
	c := w.connectors[name]
	var ts []*task
	for id, t := range w.running {
		if id.Connector == name {
			ts = append(ts, t)
		}
	}
	w.mu.Unlock()
	if c != nil {
		c.transition(target)
	}
	for _, t := range ts {
		t.setTarget(target)
	}
}

func (w *Worker) close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	ts := make([]*task, 0, len(w.running))
	for _, t := range w.running {
		ts = append(ts, t)
	}
	names := make([]string, 0, len(w.connectors))
	for n := range w.connectors {
		names = append(names, n)
	}
	w.mu.Unlock()
	w.stopAndAwait(ts)
	for _, n := range names {
		w.stopConnector(n)
	}
	// Cancelled tasks may still be stuck in plugin code; their goroutines exit when
	// that code returns. Waiting for them would hand the plugin's hang to the
	// caller, so only the tasks that stopped are waited for (via stopAndAwait) and
	// the rest are left to finish on their own.
	w.mu.Lock()
	clear(w.running)
	w.mu.Unlock()
}

// Wait blocks until every goroutine the worker started has exited, including
// cancelled tasks stuck in plugin code. Tests use it to check nothing leaks.
func (w *Worker) Wait() { w.wg.Wait() }

// intProp reads an int connector property with a default.
func intProp(props map[string]string, key string, def int) (int, error) {
	v, ok := props[key]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("invalid value %s for configuration %s: not a number", v, key)
	}
	return n, nil
}

func boolProp(props map[string]string, key string, def bool) bool {
	switch props[key] {
	case "true", "TRUE", "True":
		return true
	case "false", "FALSE", "False":
		return false
	}
	return def
}

// newTaskInstance builds an unstarted task of the connector class in connProps.
func (w *Worker) newTaskInstance(connProps map[string]string) (registry.Plugin, connect.SourceTask, connect.SinkTask, error) {
	p, err := w.reg.LookupConnectorFor(connProps)
	if err != nil {
		return p, nil, nil, err
	}
	var src connect.SourceTask
	var snk connect.SinkTask
	err = protect("connector NewTask", func() error {
		switch c := p.NewConnector().(type) {
		case connect.SourceConnector:
			src = c.NewTask()
		case connect.SinkConnector:
			snk = c.NewTask()
		default:
			return fmt.Errorf("class %s is neither a source nor a sink connector", p.Class)
		}
		if src == nil && snk == nil {
			return fmt.Errorf("connector %s returned a nil task", p.Class)
		}
		return nil
	})
	return p, src, snk, err
}
