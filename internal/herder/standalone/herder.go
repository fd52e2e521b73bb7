package standalone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/goconnect/goconnect/internal/configtransform"
	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
)

// Runtime is what the herder needs from the worker; *worker.Worker implements it.
// Declared here, by its consumer, so the herder's state machine can be tested with a
// small fake.
type Runtime interface {
	StartConnector(name string, props map[string]string, target herder.TargetState, onReconfigure func()) error
	SetConnectorTargetState(name string, target herder.TargetState)
	ConnectorTaskConfigs(name string) ([]map[string]string, error)
	StopConnector(name string)
	StartTask(id herder.TaskID, connProps, taskProps map[string]string, target herder.TargetState) error
	StopTasks(ids []herder.TaskID)
}

// OffsetStore is the source offsets store the offsets endpoints read and write; it
// is the worker.OffsetStore contract (raw key/value bytes in Java's format, nil
// value = delete), declared here so this package does not depend on the worker.
type OffsetStore interface {
	Set(ctx context.Context, entries map[string][]byte) error
	All(ctx context.Context) (map[string][]byte, error)
}

// KafkaVersion is the Apache Kafka version whose Connect REST API goconnect serves
// (GET / "version").
const KafkaVersion = "4.3.1"

// Config configures a standalone herder.
type Config struct {
	// WorkerID is <advertised host>:<port>, shown as worker_id in statuses.
	WorkerID string
	// Registry resolves connector classes (type, version, validation).
	Registry *registry.Registry
	// Offsets is the source offsets store (offset.storage.file.filename).
	Offsets OffsetStore
	// Admin reads and changes sink connectors' consumer group offsets. Nil makes the
	// offsets endpoints fail for sink connectors.
	Admin *kadm.Client
	// ConfigFile is config.storage.file.filename (goconnect extension); empty keeps
	// connector configs in memory only, as Java does.
	ConfigFile string
	// TopicTracking and TopicTrackingReset are topic.tracking.enable and
	// topic.tracking.allow.reset.
	TopicTracking      bool
	TopicTrackingReset bool
	// ClusterID is the Kafka cluster id looked up at start-up.
	ClusterID string
	// Commit and Version are goconnect's build commit and version (GET /).
	Commit  string
	Version string
	// Logger is the herder's logger (default slog.Default()).
	Logger *slog.Logger
	// WorkerProps are the worker properties (converter defaults for validation).
	WorkerProps map[string]string
	// Validate validates a connector config; nil uses herder.ValidateWith with the
	// Registry and WorkerProps, as /config/validate does.
	Validate func(props map[string]string) (herder.ConfigInfos, error)
	// Transformer resolves ${provider:path:key} references (config.providers); nil
	// when the worker declares no config providers.
	Transformer *configtransform.Transformer
	// MaskPasswords hides literal PASSWORD-type values in the connector configs REST
	// returns (rest.connector.config.mask.passwords, a goconnect extension).
	MaskPasswords bool
	// Clock schedules automatic restarts (errors.restart.*); nil is the system
	// clock. Tests pass a fake one.
	Clock herder.Clock
	// Jitter returns a number in [0, 1) that spreads automatic restart delays;
	// nil is math/rand/v2's Float64.
	Jitter func() float64
}

// Herder is the standalone herder. Create it with New, hand it to the worker as its
// StatusListener, then Start it with the worker.
type Herder struct {
	cfg    Config
	log    *slog.Logger
	status *statusStore
	file   *configFile // nil without ConfigFile

	reqs     chan request
	wake     chan struct{} // reconfiguration pending; capacity 1
	stopping chan struct{} // closed by Stop
	done     chan struct{} // closed when the loop has exited
	stopOnce sync.Once
	started  atomic.Bool

	// reconfMu guards reconf, the connectors whose task reconfiguration was
	// requested from worker goroutines and not yet handled by the loop.
	reconfMu sync.Mutex
	reconf   map[string]struct{}

	// changedMu guards changed, the connectors with a status report the loop has
	// not looked at yet (for automatic restart); statusWake wakes the loop for
	// them, capacity 1. Lock order: statusStore.mu is never held while taking
	// changedMu (the store calls out after unlocking).
	changedMu  sync.Mutex
	changed    map[string]struct{}
	statusWake chan struct{}

	// Owned by the loop goroutine once started (before that, by New's caller).
	rt    Runtime
	conns map[string]*connState
	// restarts is the automatic restart state of failed or watched connector
	// instances and tasks; timer fires at timerAt, the earliest due restart.
	restarts map[restartKey]*restartEntry
	timer    herder.Timer
	timerAt  time.Time
}

// restartKey names a connector instance (task -1) or a task.
type restartKey struct {
	conn string
	task int
}

func (k restartKey) String() string {
	if k.task < 0 {
		return k.conn
	}
	return taskName(herder.TaskID{Connector: k.conn, Task: k.task})
}

// restartEntry is the automatic restart state of one connector instance or task.
type restartEntry struct {
	backoff herder.RestartBackoff
	// due is when the scheduled restart runs; zero when none is scheduled.
	due time.Time
	// handledSeq is the status seq of the last FAILED report a restart was
	// scheduled (or done) for: seeing it again after a restart means the new run
	// has not reported yet, not that it failed.
	handledSeq uint64
}

// connState is the herder's view of one connector.
type connState struct {
	config map[string]string   // as submitted (placeholders intact)
	target herder.TargetState  // STARTED, PAUSED or STOPPED
	tasks  []map[string]string // task configs as generated, task i at index i
	policy herder.RestartPolicy
}

type request struct {
	ctx context.Context
	run func()
}

// New returns a herder. With cfg.ConfigFile set it reads the connectors stored
// there; Start starts them.
func New(cfg Config) (*Herder, error) {
	h := &Herder{
		cfg:      cfg,
		log:      cfg.Logger,
		status:   newStatusStore(),
		reqs:     make(chan request),
		wake:     make(chan struct{}, 1),
		stopping: make(chan struct{}),
		done:     make(chan struct{}),
		reconf:   map[string]struct{}{},
		conns:    map[string]*connState{},

		changed:    map[string]struct{}{},
		statusWake: make(chan struct{}, 1),
		restarts:   map[restartKey]*restartEntry{},
	}
	h.status.changed = h.statusChanged
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.cfg.Clock == nil {
		h.cfg.Clock = herder.SystemClock{}
	}
	if h.cfg.Jitter == nil {
		h.cfg.Jitter = rand.Float64
	}
	wp := cfg.WorkerProps
	if h.cfg.Validate == nil {
		reg := cfg.Registry
		t := cfg.Transformer
		h.cfg.Validate = func(props map[string]string) (herder.ConfigInfos, error) {
			return herder.ValidateResolved(t, props, func(resolved map[string]string) (herder.ConfigInfos, error) {
				infos, err := herder.ValidateWith(reg, resolved, herder.ValidateOptions{WorkerProps: wp})
				if err != nil {
					return infos, err
				}
				return herder.RestartValidate(infos, resolved, wp), nil
			})
		}
	} else {
		validate := h.cfg.Validate
		h.cfg.Validate = func(props map[string]string) (herder.ConfigInfos, error) {
			infos, err := validate(props)
			if err != nil {
				return infos, err
			}
			return herder.RestartValidate(infos, props, wp), nil
		}
	}
	if cfg.ConfigFile != "" {
		h.file = &configFile{path: cfg.ConfigFile}
		stored, err := h.file.load()
		if err != nil {
			return nil, err
		}
		for name, fc := range stored {
			h.conns[name] = &connState{config: fc.Config, target: fc.TargetState}
		}
	}
	return h, nil
}

// Start starts the herder loop with rt as its worker. Connectors read from the
// config file are started first, before any request is served.
func (h *Herder) Start(rt Runtime) {
	h.rt = rt
	h.started.Store(true)
	go h.loop()
}

// Stop stops every task and connector (tasks commit their offsets on the way out),
// ends the loop and waits for it. Requests still waiting fail. Stop is idempotent;
// it must not be called before Start.
func (h *Herder) Stop() {
	h.stopOnce.Do(func() { close(h.stopping) })
	<-h.done
}

func (h *Herder) loop() {
	defer close(h.done)
	for _, name := range slices.Sorted(maps.Keys(h.conns)) {
		if err := h.startConnector(name); err != nil {
			h.log.Error("Failed to start connector from the config file", "connector", name, "error", err)
			continue
		}
		h.updateTasks(name)
	}
	h.log.Info("Herder started")
	for {
		h.armRestartTimer()
		var timerC <-chan time.Time
		if h.timer != nil {
			timerC = h.timer.C()
		}
		select {
		case <-h.stopping:
			h.shutdown()
			return
		case req := <-h.reqs:
			// A caller that gave up (ctx expired) while queued is not served, so a
			// timed-out request has no later side effect.
			if req.ctx.Err() != nil {
				continue
			}
			req.run()
		case <-h.wake:
			h.reconfigure()
		case <-h.statusWake:
			h.observeChanged()
		case <-timerC:
			h.timer, h.timerAt = nil, time.Time{}
			h.runDueRestarts()
		}
	}
}

// shutdown is Java's StandaloneHerder.stop: stop tasks and connectors. The stored
// configs are kept (the config file is not touched).
func (h *Herder) shutdown() {
	h.log.Info("Herder stopping")
	if h.timer != nil {
		h.timer.Stop()
		h.timer, h.timerAt = nil, time.Time{}
	}
	clear(h.restarts)
	for _, name := range slices.Sorted(maps.Keys(h.conns)) {
		h.removeTasks(name)
		h.rt.StopConnector(name)
	}
	h.log.Info("Herder stopped")
}

var errStopped = herder.Errorf(herder.ErrUnavailable, "Herder is not running")

func errTimeout() error { return herder.Errorf(herder.ErrTimeout, "Request timed out") }

// call runs fn on the loop and returns its result. ctx bounds the wait; once fn
// started it runs to completion even if the caller stopped waiting.
func call[T any](ctx context.Context, h *Herder, fn func() (T, error)) (T, error) {
	var zero T
	type result struct {
		v   T
		err error
	}
	reply := make(chan result, 1)
	req := request{ctx: ctx, run: func() {
		v, err := fn()
		reply <- result{v, err}
	}}
	select {
	case h.reqs <- req:
	case <-ctx.Done():
		return zero, errTimeout()
	case <-h.done:
		return zero, errStopped
	}
	select {
	case r := <-reply:
		return r.v, r.err
	case <-ctx.Done():
		return zero, errTimeout()
	}
}

// do is call for functions without a result.
func do(ctx context.Context, h *Herder, fn func() error) error {
	_, err := call(ctx, h, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

// resolve applies config providers to a stored config before it is handed to the
// worker (herder.Resolve).
func (h *Herder) resolve(props map[string]string) (map[string]string, error) {
	return herder.Resolve(h.cfg.Transformer, props)
}

// requestReconfiguration is the onReconfigure callback given to the worker: called
// from any goroutine, it must not block, so it only records the request and wakes
// the loop.
func (h *Herder) requestReconfiguration(name string) {
	h.reconfMu.Lock()
	h.reconf[name] = struct{}{}
	h.reconfMu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default: // a wake-up is already pending; it will see this name too
	}
}

// reconfigure handles pending RequestTaskReconfiguration calls, on the loop.
func (h *Herder) reconfigure() {
	h.reconfMu.Lock()
	names := slices.Sorted(maps.Keys(h.reconf))
	clear(h.reconf)
	h.reconfMu.Unlock()
	for _, name := range names {
		if _, ok := h.conns[name]; !ok {
			h.log.Error("Task that requested reconfiguration does not exist", "connector", name)
			continue
		}
		h.updateTasks(name)
	}
}

// startConnector starts name's connector instance at its target state.
func (h *Herder) startConnector(name string) error {
	c := h.conns[name]
	props, err := h.resolve(c.config)
	if err != nil {
		// The restart keys are read from the stored config then; a reference in
		// them makes the worker's defaults apply until the provider answers.
		c.policy = h.restartPolicy(name, c.config)
		h.status.putConnector(name, status{state: herder.StateFailed, trace: err.Error()})
		return nil
	}
	c.policy = h.restartPolicy(name, props)
	return h.rt.StartConnector(name, props, c.target, func() { h.requestReconfiguration(name) })
}

// updateTasks regenerates name's task configs and, if they changed, replaces its
// tasks (Java's updateConnectorTasks). Only a STARTED connector has task configs to
// give; a paused one keeps its tasks, a stopped one has none.
func (h *Herder) updateTasks(name string) {
	c, ok := h.conns[name]
	if !ok || c.target != herder.TargetStarted {
		return
	}
	if st, ok := h.status.connector(name); ok && st.state == herder.StateFailed {
		h.log.Info("Skipping update of connector since it is not running", "connector", name)
		return
	}
	configs, err := h.rt.ConnectorTaskConfigs(name)
	if err != nil {
		h.log.Error("Failed to generate task configs", "connector", name, "error", err)
		return
	}
	// Task configs are stored (and served by REST) with the connector's
	// ${...} references put back where the connector copied a resolved value.
	configs = configtransform.ReverseTransform(c.config, configs)
	if taskConfigsEqual(configs, c.tasks) {
		return
	}
	h.removeTasks(name)
	c.tasks = configs
	h.startTasks(name, nil)
}

func taskConfigsEqual(a, b []map[string]string) bool {
	return slices.EqualFunc(a, b, func(x, y map[string]string) bool { return maps.Equal(x, y) })
}

// startTasks starts name's tasks with the given numbers (all when nil). A task that
// fails to start is logged and the others still start, as in Java.
func (h *Herder) startTasks(name string, only []int) {
	c := h.conns[name]
	for i := range c.tasks {
		if only != nil && !slices.Contains(only, i) {
			continue
		}
		id := herder.TaskID{Connector: name, Task: i}
		if err := h.startTask(id); err != nil {
			h.log.Error("Failed to start task", "task", taskName(id), "error", err)
		}
	}
}

// startTask resolves a task's configs and starts it; a config-provider failure
// fails the task (FAILED with the reason as trace), as it would in the worker.
func (h *Herder) startTask(id herder.TaskID) error {
	c := h.conns[id.Connector]
	connProps, err := h.resolve(c.config)
	var taskProps map[string]string
	if err == nil {
		taskProps, err = h.resolve(c.tasks[id.Task])
	}
	if err != nil {
		h.status.putTask(id, status{state: herder.StateFailed, trace: err.Error()})
		return err
	}
	return h.rt.StartTask(id, connProps, taskProps, c.target)
}

// removeTasks stops name's tasks, forgets their configs and statuses.
func (h *Herder) removeTasks(name string) {
	c := h.conns[name]
	if len(c.tasks) == 0 {
		return
	}
	ids := taskIDs(name, len(c.tasks))
	h.rt.StopTasks(ids)
	h.status.removeTasks(ids)
	h.forgetRestarts(name, true)
	c.tasks = nil
}

func taskIDs(name string, n int) []herder.TaskID {
	ids := make([]herder.TaskID, n)
	for i := range ids {
		ids[i] = herder.TaskID{Connector: name, Task: i}
	}
	return ids
}

// taskName is Java's ConnectorTaskId.toString: <connector>-<task>.
func taskName(id herder.TaskID) string { return fmt.Sprintf("%s-%d", id.Connector, id.Task) }

// persist writes the connector table to the config file, with name changed to c
// (nil = removed), before the change is applied in memory: if the write fails,
// nothing changed.
func (h *Herder) persist(name string, c *connState) error {
	if h.file == nil {
		return nil
	}
	out := make(map[string]fileConnector, len(h.conns)+1)
	for n, s := range h.conns {
		out[n] = fileConnector{Config: s.config, TargetState: s.target}
	}
	if c == nil {
		delete(out, name)
	} else {
		out[name] = fileConnector{Config: c.config, TargetState: c.target}
	}
	return h.file.save(out)
}

// plugin returns the registry entry of a connector config's class.
func (h *Herder) plugin(config map[string]string) (registry.Plugin, bool) {
	if h.cfg.Registry == nil {
		return registry.Plugin{}, false
	}
	p, err := h.cfg.Registry.LookupConnectorFor(config)
	return p, err == nil
}

func (h *Herder) connectorType(config map[string]string) herder.ConnectorType {
	p, ok := h.plugin(config)
	switch {
	case !ok:
		return herder.TypeUnknown
	case p.Kind == registry.Source:
		return herder.TypeSource
	case p.Kind == registry.Sink:
		return herder.TypeSink
	}
	return herder.TypeUnknown
}

// shown is a connector config as REST shows it: a copy, with passwords masked
// when the worker asks for it.
func (h *Herder) shown(config map[string]string) map[string]string {
	if h.cfg.MaskPasswords {
		return herder.MaskPasswords(h.cfg.Registry, config)
	}
	return maps.Clone(config)
}

func (h *Herder) info(name string) herder.ConnectorInfo {
	c := h.conns[name]
	tasks := make([]herder.TaskID, len(c.tasks))
	for i := range tasks {
		tasks[i] = herder.TaskID{Connector: name, Task: i}
	}
	return herder.ConnectorInfo{Name: name, Config: h.shown(c.config), Tasks: tasks, Type: h.connectorType(c.config)}
}

func notFound(name string) error {
	return herder.Errorf(herder.ErrNotFound, "Connector %s not found", name)
}

// ServerInfo answers GET /.
func (h *Herder) ServerInfo() herder.ServerInfo {
	return herder.ServerInfo{Version: KafkaVersion, Commit: h.cfg.Commit, KafkaClusterID: h.cfg.ClusterID, GoconnectVersion: h.cfg.Version}
}

// Health answers GET /health by passing a no-op through the loop.
func (h *Herder) Health(ctx context.Context) error {
	err := do(ctx, h, func() error { return nil })
	if errors.Is(err, herder.ErrTimeout) && !h.started.Load() {
		return herder.Errorf(herder.ErrUnavailable, "Worker is still starting up.")
	}
	return err
}

// Connectors lists connector names, sorted.
func (h *Herder) Connectors(ctx context.Context) ([]string, error) {
	return call(ctx, h, func() ([]string, error) {
		names := slices.Sorted(maps.Keys(h.conns))
		if names == nil {
			names = []string{}
		}
		return names, nil
	})
}

// ConnectorInfo returns a connector's config, tasks and type.
func (h *Herder) ConnectorInfo(ctx context.Context, name string) (herder.ConnectorInfo, error) {
	return call(ctx, h, func() (herder.ConnectorInfo, error) {
		if _, ok := h.conns[name]; !ok {
			return herder.ConnectorInfo{}, notFound(name)
		}
		return h.info(name), nil
	})
}

// ConnectorConfig returns the config as submitted.
func (h *Herder) ConnectorConfig(ctx context.Context, name string) (map[string]string, error) {
	return call(ctx, h, func() (map[string]string, error) {
		c, ok := h.conns[name]
		if !ok {
			return nil, notFound(name)
		}
		return h.shown(c.config), nil
	})
}

// validate runs full validation; a config with errors is a 400 with Java's message.
func (h *Herder) validate(config map[string]string) error {
	return herder.ValidateForWrite(h.cfg.Validate, config)
}

// PutConnectorConfig validates and creates or replaces a connector.
func (h *Herder) PutConnectorConfig(ctx context.Context, name string, config map[string]string, allowReplace bool, initial herder.TargetState) (herder.ConnectorInfo, bool, error) {
	config, err := herder.CheckName(name, config)
	if err != nil {
		return herder.ConnectorInfo{}, false, err
	}
	// Validation needs no herder state and may call plugin code: it runs here, not
	// on the loop, as Java validates before taking the herder's lock.
	if err := h.validate(config); err != nil {
		return herder.ConnectorInfo{}, false, err
	}
	switch initial {
	case "", herder.TargetStarted:
		initial = herder.TargetStarted
	case herder.TargetPaused, herder.TargetStopped:
	default:
		return herder.ConnectorInfo{}, false, herder.Errorf(herder.ErrBadRequest, "Invalid initial state %s", initial)
	}
	type result struct {
		info    herder.ConnectorInfo
		created bool
	}
	r, err := call(ctx, h, func() (result, error) {
		info, created, err := h.put(name, config, allowReplace, false, initial)
		return result{info, created}, err
	})
	return r.info, r.created, err
}

// put stores and (re)starts a connector, on the loop. mustExist is for PATCH: the
// connector may have been deleted since its config was read.
func (h *Herder) put(name string, config map[string]string, allowReplace, mustExist bool, initial herder.TargetState) (herder.ConnectorInfo, bool, error) {
	old, exists := h.conns[name]
	switch {
	case exists && !allowReplace:
		return herder.ConnectorInfo{}, false, herder.Errorf(herder.ErrAlreadyExists, "Connector %s already exists", name)
	case !exists && mustExist:
		return herder.ConnectorInfo{}, false, notFound(name)
	}
	next := &connState{config: config, target: initial}
	if exists {
		next.target, next.tasks = old.target, old.tasks
	}
	if err := h.persist(name, next); err != nil {
		return herder.ConnectorInfo{}, false, err
	}
	if exists {
		h.rt.StopConnector(name)
	}
	// A new config is a new start: pending restarts are dropped and failure counts
	// start over.
	h.forgetRestarts(name, false)
	h.conns[name] = next
	if err := h.startConnector(name); err != nil {
		return herder.ConnectorInfo{}, false, fmt.Errorf("start connector %s: %w", name, err)
	}
	h.updateTasks(name)
	return h.info(name), !exists, nil
}

// PatchConnectorConfig merges patch into the existing config, validates it and
// applies it like PUT.
func (h *Herder) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (herder.ConnectorInfo, error) {
	current, err := h.ConnectorConfig(ctx, name)
	if err != nil {
		return herder.ConnectorInfo{}, err
	}
	for k, v := range patch {
		if v == nil {
			delete(current, k)
		} else {
			current[k] = *v
		}
	}
	config, err := herder.CheckName(name, current)
	if err != nil {
		return herder.ConnectorInfo{}, err
	}
	if err := h.validate(config); err != nil {
		return herder.ConnectorInfo{}, err
	}
	return call(ctx, h, func() (herder.ConnectorInfo, error) {
		info, _, err := h.put(name, config, true, true, herder.TargetStarted)
		return info, err
	})
}

// DeleteConnector stops and removes a connector.
func (h *Herder) DeleteConnector(ctx context.Context, name string) error {
	return do(ctx, h, func() error {
		if _, ok := h.conns[name]; !ok {
			return notFound(name)
		}
		if err := h.persist(name, nil); err != nil {
			return err
		}
		h.removeTasks(name)
		h.rt.StopConnector(name)
		h.status.removeConnector(name)
		h.forgetRestarts(name, false)
		delete(h.conns, name)
		return nil
	})
}

// stateInfo renders a status with the worker id and the plugin's version.
func (h *Herder) stateInfo(st status, version string, id *int) herder.StateInfo {
	return herder.StateInfo{ID: id, State: st.state, WorkerID: h.cfg.WorkerID, Trace: st.trace, Version: version}
}

// connectorStateInfo builds /status from the status store, on the loop.
func (h *Herder) connectorStateInfo(name string) (herder.ConnectorStateInfo, bool) {
	st, ok := h.status.connector(name)
	if !ok {
		return herder.ConnectorStateInfo{}, false
	}
	var config map[string]string
	if c, ok := h.conns[name]; ok {
		config = c.config
	}
	p, _ := h.plugin(config)
	out := herder.ConnectorStateInfo{
		Name:      name,
		Connector: h.stateInfo(st, p.Version, nil),
		Tasks:     []herder.StateInfo{},
		Type:      h.connectorType(config),
	}
	for _, ts := range h.status.connectorTasks(name) {
		out.Tasks = append(out.Tasks, h.stateInfo(ts.status, p.Version, &ts.id))
	}
	return out, true
}

// ConnectorStatus returns the connector's and its tasks' statuses.
func (h *Herder) ConnectorStatus(ctx context.Context, name string) (herder.ConnectorStateInfo, error) {
	return call(ctx, h, func() (herder.ConnectorStateInfo, error) {
		info, ok := h.connectorStateInfo(name)
		if !ok {
			return info, herder.Errorf(herder.ErrNotFound, "No status found for connector %s", name)
		}
		return info, nil
	})
}

// TaskStatus returns one task's status.
func (h *Herder) TaskStatus(ctx context.Context, id herder.TaskID) (herder.StateInfo, error) {
	return call(ctx, h, func() (herder.StateInfo, error) {
		st, ok := h.status.task(id)
		if !ok {
			return herder.StateInfo{}, herder.Errorf(herder.ErrNotFound, "No status found for task %s", taskName(id))
		}
		var version string
		if c, ok := h.conns[id.Connector]; ok {
			p, _ := h.plugin(c.config)
			version = p.Version
		}
		n := id.Task
		return h.stateInfo(st, version, &n), nil
	})
}

// TaskConfigs returns the task configs as stored.
func (h *Herder) TaskConfigs(ctx context.Context, name string) ([]herder.TaskInfo, error) {
	return call(ctx, h, func() ([]herder.TaskInfo, error) {
		c, ok := h.conns[name]
		if !ok {
			return nil, notFound(name)
		}
		out := make([]herder.TaskInfo, len(c.tasks))
		for i, tc := range c.tasks {
			out[i] = herder.TaskInfo{ID: herder.TaskID{Connector: name, Task: i}, Config: maps.Clone(tc)}
		}
		return out, nil
	})
}

// RestartConnector restarts a connector instance (no flags, REST 204) or executes a
// restart plan synchronously and returns it (REST 202).
func (h *Herder) RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (*herder.ConnectorStateInfo, error) {
	return call(ctx, h, func() (*herder.ConnectorStateInfo, error) {
		if !includeTasks && !onlyFailed {
			if _, ok := h.conns[name]; !ok {
				// Java 4.3.1 standalone fails here with a NullPointerException, which
				// REST shows as this 500; kept for drop-in compatibility of the body.
				return nil, fmt.Errorf("%s", `Cannot invoke "java.util.Map.get(Object)" because "connProps" is null`)
			}
			h.resetRestart(restartKey{name, -1})
			if err := h.restartConnector(name); err != nil {
				return nil, fmt.Errorf("restart connector %s: %w", name, err)
			}
			return nil, nil
		}
		return h.restartPlan(name, includeTasks, onlyFailed)
	})
}

// restartPlan is StandaloneHerder.restartConnectorAndTasks: build the plan from the
// current statuses, mark what restarts as RESTARTING, stop it, start it again, and
// return the plan.
func (h *Herder) restartPlan(name string, includeTasks, onlyFailed bool) (*herder.ConnectorStateInfo, error) {
	if _, ok := h.conns[name]; !ok {
		return nil, herder.Errorf(herder.ErrNotFound, "Unknown connector: %s", name)
	}
	plan, ok := h.connectorStateInfo(name)
	if !ok {
		return nil, herder.Errorf(herder.ErrNotFound, "Status for connector %s not found", name)
	}
	restartConnector := !onlyFailed || plan.Connector.State == herder.StateFailed
	var restartTasks []int
	for i, t := range plan.Tasks {
		if includeTasks && (!onlyFailed || t.State == herder.StateFailed) {
			restartTasks = append(restartTasks, *t.ID)
			plan.Tasks[i].State = herder.StateRestarting
		}
	}
	if restartConnector {
		plan.Connector.State = herder.StateRestarting
		h.resetRestart(restartKey{name, -1})
		h.rt.StopConnector(name)
		h.status.putConnector(name, status{state: herder.StateRestarting})
	}
	if len(restartTasks) > 0 {
		ids := make([]herder.TaskID, len(restartTasks))
		for i, n := range restartTasks {
			ids[i] = herder.TaskID{Connector: name, Task: n}
		}
		for _, id := range ids {
			h.resetRestart(restartKey{name, id.Task})
		}
		h.rt.StopTasks(ids)
		for _, id := range ids {
			h.status.putTask(id, status{state: herder.StateRestarting})
		}
	}
	if restartConnector {
		if err := h.startConnector(name); err != nil {
			h.log.Error("Failed to restart connector", "connector", name, "error", err)
		}
	}
	if len(restartTasks) > 0 {
		h.startTasks(name, restartTasks)
	}
	return &plan, nil
}

// RestartTask restarts one task.
func (h *Herder) RestartTask(ctx context.Context, id herder.TaskID) error {
	return do(ctx, h, func() error {
		c, ok := h.conns[id.Connector]
		if !ok {
			return notFound(id.Connector)
		}
		if id.Task < 0 || id.Task >= len(c.tasks) {
			return herder.Errorf(herder.ErrNotFound, "Task %s not found", taskName(id))
		}
		h.resetRestart(restartKey{id.Connector, id.Task})
		if err := h.restartTask(id); err != nil {
			h.log.Error("Failed to start task", "task", taskName(id), "error", err)
			return fmt.Errorf("Failed to start task: %s", taskName(id)) //nolint:staticcheck // Java's message
		}
		return nil
	})
}

// restartConnector stops and starts name's connector instance: POST
// /connectors/{name}/restart without flags, and an automatic restart.
func (h *Herder) restartConnector(name string) error {
	h.rt.StopConnector(name)
	return h.startConnector(name)
}

// restartTask stops and starts one task: POST .../tasks/{id}/restart, and an
// automatic restart.
func (h *Herder) restartTask(id herder.TaskID) error {
	h.rt.StopTasks([]herder.TaskID{id})
	return h.startTask(id)
}

// setTarget records a new target state (file first) and moves the worker's
// connector instance and tasks to it.
func (h *Herder) setTarget(name string, target herder.TargetState) error {
	c := h.conns[name]
	next := *c
	next.target = target
	if err := h.persist(name, &next); err != nil {
		return err
	}
	c.target = target
	h.rt.SetConnectorTargetState(name, target)
	return nil
}

// PauseConnector sets the target state PAUSED: the connector instance stops and its
// tasks idle.
func (h *Herder) PauseConnector(ctx context.Context, name string) error {
	return do(ctx, h, func() error {
		if _, ok := h.conns[name]; !ok {
			return herder.Errorf(herder.ErrNotFound, "Unknown connector %s", name)
		}
		if err := h.setTarget(name, herder.TargetPaused); err != nil {
			return err
		}
		// Nothing restarts while paused; failures still FAILED at resume are
		// scheduled again then, with their counts kept.
		h.cancelRestarts(name)
		return nil
	})
}

// ResumeConnector sets the target state STARTED; a connector resumed from STOPPED
// gets fresh task configs and tasks.
func (h *Herder) ResumeConnector(ctx context.Context, name string) error {
	return do(ctx, h, func() error {
		if _, ok := h.conns[name]; !ok {
			return herder.Errorf(herder.ErrNotFound, "Unknown connector %s", name)
		}
		if err := h.setTarget(name, herder.TargetStarted); err != nil {
			return err
		}
		h.updateTasks(name)
		h.observe(name)
		return nil
	})
}

// StopConnector sets the target state STOPPED: tasks are stopped and removed (an
// empty task config set) and the connector instance stops (status STOPPED).
func (h *Herder) StopConnector(ctx context.Context, name string) error {
	return do(ctx, h, func() error {
		if _, ok := h.conns[name]; !ok {
			// Java 4.3.1 standalone's answer (a 500), kept for drop-in compatibility.
			return fmt.Errorf("No connector `%s` configured", name) //nolint:staticcheck // Java's message
		}
		h.removeTasks(name)
		if err := h.setTarget(name, herder.TargetStopped); err != nil {
			return err
		}
		h.forgetRestarts(name, false)
		return nil
	})
}

// ActiveTopics returns the topics the connector used (KIP-558).
func (h *Herder) ActiveTopics(ctx context.Context, name string) ([]string, error) {
	if !h.cfg.TopicTracking {
		return nil, herder.Errorf(herder.ErrForbidden, "Topic tracking is disabled.")
	}
	return h.status.activeTopics(name), nil
}

// ResetActiveTopics empties the connector's set of active topics.
func (h *Herder) ResetActiveTopics(ctx context.Context, name string) error {
	if !h.cfg.TopicTracking {
		return herder.Errorf(herder.ErrForbidden, "Topic tracking is disabled.")
	}
	if !h.cfg.TopicTrackingReset {
		return herder.Errorf(herder.ErrForbidden, "Topic tracking reset is disabled.")
	}
	h.status.resetTopics(name)
	return nil
}

// RecordActiveTopic notes that connector's tasks produced to or consumed from
// topic. The worker calls it from task goroutines; it does not block on the loop.
func (h *Herder) RecordActiveTopic(connector, topic string) {
	if h.cfg.TopicTracking {
		h.status.addTopic(connector, topic)
	}
}

// ValidateConfig validates a connector config (PUT .../config/validate).
func (h *Herder) ValidateConfig(ctx context.Context, config map[string]string) (herder.ConfigInfos, error) {
	return h.cfg.Validate(config)
}

// ConnectorStatus implements worker.StatusListener. It is called from worker
// goroutines, also while the loop waits inside a worker call, so it only touches
// the status store.
func (h *Herder) connectorStatus(name string, state herder.State, trace string) {
	h.status.putConnector(name, status{state: state, trace: trace})
}

// listener adapts the herder to worker.StatusListener without clashing with the
// herder.Herder method ConnectorStatus.
type listener struct{ h *Herder }

func (l listener) ConnectorStatus(name string, state herder.State, trace string) {
	l.h.connectorStatus(name, state, trace)
}

func (l listener) TaskStatus(id herder.TaskID, state herder.State, trace string) {
	l.h.status.putTask(id, status{state: state, trace: trace})
}

// RecordActiveTopic is the worker's optional TopicRecorder capability: tasks
// report the topics they produce to or consume from (KIP-558).
func (l listener) RecordActiveTopic(connector, topic string) { l.h.RecordActiveTopic(connector, topic) }

// StatusListener returns the worker.StatusListener to give the worker (worker.New).
func (h *Herder) StatusListener() interface {
	ConnectorStatus(name string, state herder.State, trace string)
	TaskStatus(id herder.TaskID, state herder.State, trace string)
} {
	return listener{h}
}

var _ herder.Herder = (*Herder)(nil)

// Automatic restart (errors.restart.*, a goconnect extension). Statuses arrive
// from worker goroutines; the store calls statusChanged, which only notes the
// connector and wakes the loop. On the loop, observe compares each watched
// connector instance and task with its last status, schedules a restart of what
// FAILED (herder.RestartBackoff gives the delay), and one timer, owned by the
// loop and stopped in shutdown, fires the earliest due restart. A restart goes
// through the same code as the REST restart endpoints and is skipped if the
// entity is no longer FAILED, or its connector was paused, stopped, reconfigured
// or deleted meanwhile (those cancel pending restarts anyway).

// restartPolicy reads the connector's automatic restart policy over the worker's
// defaults. Validation rejects bad values; a config that bypassed it (a config
// file edited by hand) gets the worker's policy, with an error logged.
func (h *Herder) restartPolicy(name string, props map[string]string) herder.RestartPolicy {
	p, errs := herder.ParseRestartPolicy(props, h.cfg.WorkerProps)
	if len(errs) == 0 {
		return p
	}
	h.log.Error("Invalid automatic restart configuration; using the worker's", "connector", name, "error", errs[0].Message)
	p, _ = herder.ParseRestartPolicy(nil, h.cfg.WorkerProps)
	return p
}

// statusChanged is the status store's hook: called from any goroutine after a
// status of connector (or one of its tasks) was stored. It must not block.
func (h *Herder) statusChanged(connector string) {
	h.changedMu.Lock()
	h.changed[connector] = struct{}{}
	h.changedMu.Unlock()
	select {
	case h.statusWake <- struct{}{}:
	default: // a wake-up is pending; it will see this connector too
	}
}

// observeChanged runs observe for every connector with new statuses, on the loop.
func (h *Herder) observeChanged() {
	h.changedMu.Lock()
	names := slices.Sorted(maps.Keys(h.changed))
	clear(h.changed)
	h.changedMu.Unlock()
	for _, name := range names {
		h.observe(name)
	}
}

// observe updates the restart state of name's connector instance and tasks from
// their current statuses, on the loop.
func (h *Herder) observe(name string) {
	c, ok := h.conns[name]
	if !ok || !c.policy.Enabled {
		h.forgetRestarts(name, false)
		return
	}
	now := h.cfg.Clock.Now()
	st, ok := h.status.connector(name)
	h.observeOne(restartKey{name, -1}, c, st, ok, now)
	for i := range c.tasks {
		st, ok := h.status.task(herder.TaskID{Connector: name, Task: i})
		h.observeOne(restartKey{name, i}, c, st, ok, now)
	}
}

func (h *Herder) observeOne(k restartKey, c *connState, st status, ok bool, now time.Time) {
	e := h.restarts[k]
	switch {
	case !ok:
	case st.state == herder.StateRunning:
		if e == nil {
			e = &restartEntry{}
			h.restarts[k] = e
		}
		e.backoff.Running(now)
	case st.state == herder.StateFailed:
		if c.target != herder.TargetStarted || (e != nil && (!e.due.IsZero() || e.handledSeq == st.seq)) {
			return
		}
		if e == nil {
			e = &restartEntry{}
			h.restarts[k] = e
		}
		d := e.backoff.Failed(now, c.policy, h.cfg.Jitter())
		e.due, e.handledSeq = now.Add(d), st.seq
		h.log.Info("Scheduling automatic restart", "name", k.String(), "delay", d, "attempt", e.backoff.Attempts())
	case e != nil:
		e.backoff.NotRunning()
	}
}

// runDueRestarts restarts every connector instance and task whose restart is due,
// connector instances first, on the loop.
func (h *Herder) runDueRestarts() {
	now := h.cfg.Clock.Now()
	var due []restartKey
	for k, e := range h.restarts {
		if !e.due.IsZero() && !e.due.After(now) {
			e.due = time.Time{}
			due = append(due, k)
		}
	}
	slices.SortFunc(due, func(a, b restartKey) int {
		if a.conn != b.conn {
			return strings.Compare(a.conn, b.conn)
		}
		return a.task - b.task
	})
	for _, k := range due {
		c, ok := h.conns[k.conn]
		if !ok || !c.policy.Enabled || c.target != herder.TargetStarted {
			continue
		}
		if k.task < 0 {
			if st, ok := h.status.connector(k.conn); !ok || st.state != herder.StateFailed {
				continue
			}
			h.log.Info("Automatically restarting connector", "connector", k.conn)
			if err := h.restartConnector(k.conn); err != nil {
				h.log.Error("Failed to restart connector", "connector", k.conn, "error", err)
				continue
			}
			// A connector that failed before generating task configs has no tasks
			// yet; one that has keeps them unless they changed.
			h.updateTasks(k.conn)
			continue
		}
		id := herder.TaskID{Connector: k.conn, Task: k.task}
		if k.task >= len(c.tasks) {
			continue
		}
		if st, ok := h.status.task(id); !ok || st.state != herder.StateFailed {
			continue
		}
		h.log.Info("Automatically restarting task", "task", taskName(id))
		if err := h.restartTask(id); err != nil {
			h.log.Error("Failed to start task", "task", taskName(id), "error", err)
		}
	}
}

// armRestartTimer points the loop's timer at the earliest due restart, on the loop.
func (h *Herder) armRestartTimer() {
	var next time.Time
	for _, e := range h.restarts {
		if !e.due.IsZero() && (next.IsZero() || e.due.Before(next)) {
			next = e.due
		}
	}
	if next.Equal(h.timerAt) {
		return
	}
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
	h.timerAt = next
	if !next.IsZero() {
		h.timer = h.cfg.Clock.NewTimer(max(next.Sub(h.cfg.Clock.Now()), 0))
	}
}

// resetRestart is a manual restart of k: a pending automatic restart is dropped,
// its failure count starts over, and its current FAILED status counts as handled.
func (h *Herder) resetRestart(k restartKey) {
	c, ok := h.conns[k.conn]
	if !ok || !c.policy.Enabled {
		delete(h.restarts, k)
		return
	}
	e := &restartEntry{}
	var st status
	if k.task < 0 {
		st, ok = h.status.connector(k.conn)
	} else {
		st, ok = h.status.task(herder.TaskID{Connector: k.conn, Task: k.task})
	}
	if ok && st.state == herder.StateFailed {
		e.handledSeq = st.seq
	}
	h.restarts[k] = e
}

// cancelRestarts drops name's pending automatic restarts, keeping failure counts.
// A failure whose restart was dropped is scheduled again when observe next sees
// it FAILED with the connector started (ResumeConnector observes).
func (h *Herder) cancelRestarts(name string) {
	for k, e := range h.restarts {
		if k.conn == name && !e.due.IsZero() {
			e.due, e.handledSeq = time.Time{}, 0
		}
	}
}

// forgetRestarts drops the automatic restart state of name's tasks, and of its
// connector instance unless tasksOnly.
func (h *Herder) forgetRestarts(name string, tasksOnly bool) {
	for k := range h.restarts {
		if k.conn == name && (!tasksOnly || k.task >= 0) {
			delete(h.restarts, k)
		}
	}
}
