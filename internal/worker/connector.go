package worker

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
)

// connectorInstance is one connector running on this worker (Java's
// WorkerConnector).
type connectorInstance struct {
	w      *Worker
	name   string
	props  map[string]string
	plugin registry.Plugin
	conn   connect.Connector
	isSink bool
	log    *slog.Logger

	// mu serialises the connector's plugin methods (Start, TaskConfigs, Stop) and
	// guards the fields below.
	mu      sync.Mutex
	started bool
	target  herder.TargetState
	// failed and stopped are atomics because RaiseError (any goroutine, possibly
	// from inside Start with mu held) reads and writes them. stopped means
	// StopConnector ran: later statuses are dropped.
	failed  atomic.Bool
	stopped atomic.Bool

	// reconf is a 1-buffered signal: RequestTaskReconfiguration coalesces into it and
	// the notify goroutine calls onReconfigure.
	reconf        chan struct{}
	quit          chan struct{}
	onReconfigure func()
}

func (w *Worker) startConnector(name string, props map[string]string, target herder.TargetState, onReconfigure func()) error {
	p, err := w.reg.LookupConnectorFor(props)
	if err != nil {
		w.status.ConnectorStatus(name, herder.StateFailed, err.Error())
		return err
	}
	c := &connectorInstance{
		w: w, name: name, props: maps.Clone(props), plugin: p, isSink: p.Kind == registry.Sink,
		log:    w.log.With("connector", name),
		reconf: make(chan struct{}, 1), quit: make(chan struct{}),
		onReconfigure: onReconfigure,
	}
	if err := protect("connector constructor", func() error {
		c.conn = p.NewConnector()
		if c.conn == nil {
			return fmt.Errorf("class %s returned a nil connector", p.Class)
		}
		return nil
	}); err != nil {
		w.status.ConnectorStatus(name, herder.StateFailed, trace(err))
		return err
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	if _, ok := w.connectors[name]; ok {
		w.mu.Unlock()
		return fmt.Errorf("start connector %s: %w", name, ErrAlreadyRunning)
	}
	w.connectors[name] = c
	w.goAttach(c.notify)
	w.mu.Unlock()
	c.transition(target)
	return nil
}

// notify calls onReconfigure outside of any connector or herder call stack.
func (c *connectorInstance) notify() {
	for {
		select {
		case <-c.quit:
			return
		case <-c.reconf:
			if c.onReconfigure != nil {
				c.onReconfigure()
			}
		}
	}
}

// transition brings the instance to target: STARTED starts it, PAUSED and STOPPED
// stop it (Java stops paused connectors too; only their tasks differ).
func (c *connectorInstance) transition(target herder.TargetState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped.Load() {
		return
	}
	c.target = target
	switch target {
	case herder.TargetStarted:
		if c.started {
			if !c.failed.Load() {
				c.report(herder.StateRunning, "")
			}
			return
		}
		c.failed.Store(false)
		err := protect("connector Start", func() error { return c.conn.Start(c.context(), maps.Clone(c.props)) })
		if err != nil {
			c.failed.Store(true)
			c.log.Error("connector failed to start", "error", err)
			c.report(herder.StateFailed, trace(err))
			return
		}
		c.started = true
		c.report(herder.StateRunning, "")
	default:
		c.stopLocked()
		if target == herder.TargetPaused {
			c.report(herder.StatePaused, "")
		} else {
			c.report(herder.StateStopped, "")
		}
	}
}

// stopLocked calls Stop if the connector is started. A failing Stop fails the
// connector, as Java's WorkerConnector does.
func (c *connectorInstance) stopLocked() bool {
	if !c.started {
		return true
	}
	c.started = false
	if err := protect("connector Stop", c.conn.Stop); err != nil {
		c.failed.Store(true)
		c.log.Error("connector failed to stop", "error", err)
		c.report(herder.StateFailed, trace(err))
		return false
	}
	return true
}

// report sends a status unless StopConnector already ran.
func (c *connectorInstance) report(s herder.State, tr string) {
	if !c.stopped.Load() {
		c.w.status.ConnectorStatus(c.name, s, tr)
	}
}

func (w *Worker) stopConnector(name string) {
	w.mu.Lock()
	c := w.connectors[name]
	delete(w.connectors, name)
	w.mu.Unlock()
	if c == nil {
		return
	}
	c.mu.Lock()
	ok := c.stopLocked()
	if ok {
		c.report(herder.StateUnassigned, "")
	}
	c.stopped.Store(true)
	c.mu.Unlock()
	close(c.quit)
}

func (w *Worker) taskConfigs(name string) ([]map[string]string, error) {
	w.mu.Lock()
	c := w.connectors[name]
	w.mu.Unlock()
	if c == nil {
		return nil, fmt.Errorf("connector %s: %w", name, ErrNotRunning)
	}
	return c.taskConfigs()
}

func (c *connectorInstance) taskConfigs() ([]map[string]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started || c.failed.Load() {
		return nil, fmt.Errorf("connector %s: %w", c.name, ErrNotRunning)
	}
	maxTasks, err := intProp(c.props, "tasks.max", 1)
	if err != nil {
		return nil, err
	}
	if maxTasks < 1 {
		return nil, fmt.Errorf("invalid value %d for configuration tasks.max: value must be at least 1", maxTasks)
	}
	var configs []map[string]string
	if err := protect("connector TaskConfigs", func() (err error) {
		configs, err = c.conn.TaskConfigs(maxTasks)
		return err
	}); err != nil {
		c.failed.Store(true)
		c.report(herder.StateFailed, trace(err))
		return nil, fmt.Errorf("connector %s task configs: %w", c.name, err)
	}
	if len(configs) > maxTasks {
		if boolProp(c.props, "tasks.max.enforce", true) {
			err := &tooManyTasksError{name: c.name, got: len(configs), max: maxTasks}
			c.failed.Store(true)
			c.report(herder.StateFailed, err.Error())
			return nil, err
		}
		c.log.Warn("connector generated more task configs than tasks.max; allowed because tasks.max.enforce=false",
			"tasks", len(configs), "tasks.max", maxTasks)
	}
	out := make([]map[string]string, len(configs))
	for i, tc := range configs {
		m := maps.Clone(tc)
		if m == nil {
			m = map[string]string{}
		}
		if c.plugin.TaskClass != "" {
			m["task.class"] = c.plugin.TaskClass
		}
		if c.isSink {
			for _, k := range []string{"topics", "topics.regex"} {
				if v, ok := c.props[k]; ok {
					m[k] = v
				}
			}
		}
		out[i] = m
	}
	return out, nil
}

// tooManyTasksError carries Java's TooManyTasksException message.
type tooManyTasksError struct {
	name     string
	got, max int
}

func (e *tooManyTasksError) Error() string {
	return fmt.Sprintf("The connector %s has generated %d tasks, which is greater than %d, the maximum number of tasks it is configured to create. "+
		"This behaviour should be considered a bug and is no longer allowed. If necessary, it can be permitted by reconfiguring the connector "+
		"with 'tasks.max.enforce' set to false; however, this option will be removed in a future release of Kafka Connect.", e.name, e.got, e.max)
}

func (e *tooManyTasksError) Is(target error) bool { return target == ErrTooManyTasks }

// context returns the ConnectorContext given to Start.
func (c *connectorInstance) context() connect.ConnectorContext {
	cc := &connectorContext{c: c}
	if c.isSink {
		return cc
	}
	return &sourceConnectorContext{connectorContext: cc, reader: &offsetReader{connector: c.name, store: c.w.offsets}}
}

type connectorContext struct{ c *connectorInstance }

func (cc *connectorContext) RequestTaskReconfiguration() {
	select {
	case cc.c.reconf <- struct{}{}:
	default: // one is pending already; it will read the latest state
	}
}

// RaiseError fails the connector from any goroutine. It does not take c.mu: the
// connector may call it from inside Start or TaskConfigs.
func (cc *connectorContext) RaiseError(err error) {
	if err == nil {
		err = errors.New("connector raised a nil error")
	}
	cc.c.log.Error("connector raised an error", "error", err)
	cc.c.w.status.ConnectorStatus(cc.c.name, herder.StateFailed, trace(err))
	go cc.c.markFailed()
}

func (c *connectorInstance) markFailed() {
	c.mu.Lock()
	c.failed.Store(true)
	c.mu.Unlock()
}

type sourceConnectorContext struct {
	*connectorContext
	reader *offsetReader
}

func (s *sourceConnectorContext) OffsetStorageReader() connect.OffsetStorageReader { return s.reader }
