package distributed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/internal/configtransform"
	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/herder/distributed/assign"
	"github.com/goconnect/goconnect/internal/herder/distributed/protocol"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/storage/kafkastore"
)

// Runtime is what the herder needs from the worker; *worker.Worker implements it.
// It is the standalone herder's contract, declared again by this consumer.
type Runtime interface {
	StartConnector(name string, props map[string]string, target herder.TargetState, onReconfigure func()) error
	SetConnectorTargetState(name string, target herder.TargetState)
	ConnectorTaskConfigs(name string) ([]map[string]string, error)
	StopConnector(name string)
	StartTask(id herder.TaskID, connProps, taskProps map[string]string, target herder.TargetState) error
	StopTasks(ids []herder.TaskID)
}

// OffsetStore is the source offsets store the offsets endpoints read and write
// (*kafkastore.OffsetStore).
type OffsetStore = herder.SourceOffsetStore

// KafkaVersion is the Apache Kafka version whose Connect REST API goconnect serves.
const KafkaVersion = "4.3.1"

// Config configures a distributed herder.
type Config struct {
	// WorkerID is <advertised host>:<port>, the worker_id of statuses.
	WorkerID string
	// URL is the advertised REST URL other workers forward requests to.
	URL string
	// GroupID is group.id.
	GroupID string
	// Client are the Kafka client options of the group membership client (seeds,
	// security); the herder opens its own client from them.
	Client []kgo.Opt
	// SessionTimeout, RebalanceTimeout and HeartbeatInterval are session.timeout.ms,
	// rebalance.timeout.ms and heartbeat.interval.ms.
	SessionTimeout    time.Duration
	RebalanceTimeout  time.Duration
	HeartbeatInterval time.Duration
	// WorkerSyncTimeout is worker.sync.timeout.ms.
	WorkerSyncTimeout time.Duration
	// Protocol is connect.protocol.
	Protocol protocol.Compatibility
	// MaxDelay is scheduled.rebalance.max.delay.ms (assign.DefaultMaxDelay when the
	// worker config does not set it; see docs/adr/0001).
	MaxDelay time.Duration
	// Session keys (KIP-507): inter.worker.key.* and inter.worker.*.algorithm(s).
	KeyGenerationAlgorithm string
	KeySize                int // bits; 0 = the algorithm's default
	KeyTTL                 time.Duration
	SignatureAlgorithm     string
	VerificationAlgorithms []string

	Registry    *registry.Registry
	Admin       *kadm.Client
	Transformer *configtransform.Transformer
	WorkerProps map[string]string
	// Validate validates a connector config; nil uses herder.ValidateWith.
	Validate func(props map[string]string) (herder.ConfigInfos, error)

	TopicTracking      bool
	TopicTrackingReset bool
	ClusterID          string
	Commit, Version    string
	Logger             *slog.Logger
	// Loggers applies the cluster-scoped logger levels read from the config topic
	// (KIP-976); nil ignores them.
	Loggers LoggerLevels
	// HTTPClient sends internal requests to other workers (default: 30 s timeout).
	HTTPClient *http.Client
}

// LoggerLevels sets a logger's level and its descendants' (*logging.Registry).
type LoggerLevels interface {
	Set(name, level string) ([]string, error)
}

// Herder is the distributed herder: Java's DistributedHerder. One goroutine (loop)
// owns the cluster state: the config snapshot, this worker's assignment, the group
// membership and, on the leader, the assignor's memory and the owners of every
// connector and task. REST calls, config-topic events, heartbeat results and
// connector reconfiguration requests all reach it as messages.
//
// Goroutines: loop (state owner), heartbeat (sends Heartbeat every
// heartbeat.interval.ms while the member is stable, asks the loop to rejoin when
// the coordinator says so) and one short-lived goroutine per task-config forward
// to the leader. All are started through goAttach and waited for by Stop.
type Herder struct {
	cfg Config
	log *slog.Logger
	kcl *kgo.Client
	mem *member

	configs *kafkastore.ConfigStore
	status  *kafkastore.StatusStore
	offsets OffsetStore
	rt      Runtime

	reqs     chan request
	wake     chan struct{} // config events or reconfiguration pending; capacity 1
	rejoinCh chan struct{} // heartbeat says rejoin; capacity 1
	stopping chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	ctx      context.Context // cancelled by Stop: bounds joins and forwards
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	started  atomic.Bool

	evMu   sync.Mutex
	events []kafkastore.ConfigEvent

	reconfMu sync.Mutex
	reconf   map[string]struct{}

	// Read outside the loop (status listener, signing, REST status reads).
	generation atomic.Int32
	leaderURLv atomic.Pointer[string]
	sessionKey atomic.Pointer[kafkastore.SessionKey]
	sessioned  atomic.Bool
	snapshot   atomic.Pointer[kafkastore.Snapshot]
	forwardSeq sync.Map // connector → *atomic.Int64, newest task-config forward

	// Owned by the loop.
	snap            *kafkastore.Snapshot
	proto           protocol.Compatibility
	memberID        string
	leaderID        string
	leaderURL       string
	joined          bool
	rejoin          bool
	rebalanceNeeded bool
	delayAt         time.Time
	lastAssignment  *protocol.Assignment
	ownedConns      map[string]bool
	ownedTasks      map[herder.TaskID]bool
	assignMem       assign.Memory
	lastGen         int32
	connOwners      map[string]string        // leader only: connector → owner URL
	taskOwners      map[herder.TaskID]string // leader only: task → owner URL
	pendingWrites   map[string][]map[string]string
}

type request struct {
	ctx context.Context
	run func()
}

// New returns a herder. Give OnConfigEvent to kafkastore.OpenConfigStore and
// StatusListener to the worker, then Start.
func New(cfg Config) (*Herder, error) {
	if cfg.GroupID == "" {
		return nil, errors.New("new distributed herder: group.id is required")
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = 10 * time.Second
	}
	if cfg.RebalanceTimeout <= 0 {
		cfg.RebalanceTimeout = time.Minute
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = 3 * time.Second
	}
	if cfg.WorkerSyncTimeout <= 0 {
		cfg.WorkerSyncTimeout = 3 * time.Second
	}
	if cfg.KeyTTL <= 0 {
		cfg.KeyTTL = time.Hour
	}
	if cfg.KeyGenerationAlgorithm == "" {
		cfg.KeyGenerationAlgorithm = defaultAlgorithm
	}
	if cfg.SignatureAlgorithm == "" {
		cfg.SignatureAlgorithm = defaultAlgorithm
	}
	if len(cfg.VerificationAlgorithms) == 0 {
		cfg.VerificationAlgorithms = []string{defaultAlgorithm}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.Validate == nil {
		reg, wp, t := cfg.Registry, cfg.WorkerProps, cfg.Transformer
		cfg.Validate = func(props map[string]string) (herder.ConfigInfos, error) {
			return herder.ValidateResolved(t, props, func(resolved map[string]string) (herder.ConfigInfos, error) {
				return herder.ValidateWith(reg, resolved, herder.ValidateOptions{WorkerProps: wp})
			})
		}
	}
	kcl, err := kgo.NewClient(cfg.Client...)
	if err != nil {
		return nil, fmt.Errorf("group membership client: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Herder{
		cfg: cfg, log: log, kcl: kcl,
		mem: &member{cl: kcl, group: cfg.GroupID, sessionTimeout: cfg.SessionTimeout,
			rebalanceTimeout: cfg.RebalanceTimeout},
		reqs:          make(chan request),
		wake:          make(chan struct{}, 1),
		rejoinCh:      make(chan struct{}, 1),
		stopping:      make(chan struct{}),
		done:          make(chan struct{}),
		ctx:           ctx,
		cancel:        cancel,
		reconf:        map[string]struct{}{},
		ownedConns:    map[string]bool{},
		ownedTasks:    map[herder.TaskID]bool{},
		connOwners:    map[string]string{},
		taskOwners:    map[herder.TaskID]string{},
		pendingWrites: map[string][]map[string]string{},
		lastGen:       -1,
		proto:         cfg.Protocol,
	}
	return h, nil
}

// OnConfigEvent is the kafkastore.ConfigStore event callback. It runs on the
// store's goroutine: it queues the event and wakes the loop, never blocks.
func (h *Herder) OnConfigEvent(ev kafkastore.ConfigEvent) {
	if ev.Kind == kafkastore.LoggerLevelSet {
		// Applied at once on the store's goroutine, as Java's onLoggingLevelUpdate:
		// a level is worker-local state the loop does not own, and a rebalance in
		// progress must not hold it back.
		h.applyLoggerLevel(ev.Namespace, ev.Level)
		return
	}
	h.evMu.Lock()
	h.events = append(h.events, ev)
	h.evMu.Unlock()
	h.poke()
}

func (h *Herder) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Start starts the loop: it joins the group and runs what it is assigned.
func (h *Herder) Start(rt Runtime, configs *kafkastore.ConfigStore, status *kafkastore.StatusStore, offsets OffsetStore) {
	h.rt, h.configs, h.status, h.offsets = rt, configs, status, offsets
	h.snap = configs.Snapshot()
	h.snapshot.Store(h.snap)
	h.sessionKey.Store(h.snap.SessionKey)
	h.started.Store(true)
	h.goAttach(h.heartbeatLoop)
	h.goAttach(h.loop)
}

// goAttach starts f as a goroutine owned by the herder (Stop waits for it).
func (h *Herder) goAttach(f func()) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		f()
	}()
}

// Stop stops every connector and task this worker runs (tasks commit their
// offsets), leaves the group, and waits for the herder's goroutines. Idempotent.
func (h *Herder) Stop() {
	h.stopOnce.Do(func() { close(h.stopping) })
	if h.started.Load() {
		<-h.done
	}
	h.cancel()
	h.wg.Wait()
	h.kcl.Close()
}

func (h *Herder) heartbeatLoop() {
	t := time.NewTicker(h.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(h.ctx, h.cfg.SessionTimeout)
		err := h.mem.heartbeat(ctx)
		cancel()
		if err == nil || h.ctx.Err() != nil {
			continue
		}
		if !errors.Is(err, errRejoin) {
			h.log.Warn("Heartbeat failed", "error", err)
			continue
		}
		h.log.Info("Rebalance requested by the group coordinator", "reason", err)
		select {
		case h.rejoinCh <- struct{}{}:
		default:
		}
	}
}

func (h *Herder) loop() {
	defer close(h.done)
	h.rejoin = true
	for {
		select {
		case <-h.stopping:
			h.shutdown()
			return
		default:
		}
		h.processEvents()
		if h.rejoin {
			h.rebalance()
			continue
		}
		h.processReconfiguration()
		h.retryPendingWrites()
		if h.rejoin {
			continue
		}
		keyDue := h.leaderKeyDuties()
		var timers []*time.Timer
		timer := func(d time.Duration) <-chan time.Time {
			t := time.NewTimer(d)
			timers = append(timers, t)
			return t.C
		}
		var delayC, keyC, retryC, lostC <-chan time.Time
		if !h.delayAt.IsZero() {
			delayC = timer(time.Until(h.delayAt))
		}
		if d, ok := h.coordinatorCheckDue(); ok {
			lostC = timer(d)
		}
		if keyDue > 0 {
			keyC = timer(keyDue)
		}
		if len(h.pendingWrites) > 0 {
			retryC = timer(time.Second)
		}
		select {
		case <-h.stopping:
		case req := <-h.reqs:
			h.runRequests(req)
		case <-h.wake:
		case <-h.rejoinCh:
			h.rejoin = true
		case <-delayC:
			h.log.Info("Scheduled rebalance delay expired; rejoining")
			h.delayAt = time.Time{}
			h.rejoin = true
		case <-keyC:
		case <-retryC:
		case <-lostC:
			h.checkCoordinator()
		}
		for _, t := range timers {
			t.Stop()
		}
	}
}

// maxBatch bounds how many waiting requests one loop iteration runs, so that a
// steady stream of REST calls cannot hold a rebalance back for long.
const maxBatch = 256

// runRequests runs req and then every other request already waiting, before the
// loop rebalances (Java's tick runs all due requests, then rejoins once). A burst
// of concurrent connector creations thus costs one rebalance, not one each.
func (h *Herder) runRequests(req request) {
	for n := 0; ; n++ {
		if req.ctx.Err() == nil {
			req.run()
		}
		if n+1 >= maxBatch {
			return
		}
		select {
		case req = <-h.reqs:
		default:
			return
		}
	}
}

// shutdown is Java's DistributedHerder.halt: stop work (tasks commit offsets),
// flush statuses, leave the group.
func (h *Herder) shutdown() {
	h.log.Info("Herder stopping")
	h.mem.unstable()
	h.stopAll()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.status.Flush(ctx); err != nil {
		h.log.Warn("Failed to flush statuses on shutdown", "error", err)
	}
	if err := h.mem.leave(ctx); err != nil {
		h.log.Warn("Failed to leave the group", "error", err)
	}
	h.log.Info("Herder stopped")
}

// stopAll stops everything this worker runs: tasks first (they commit), then
// connectors.
func (h *Herder) stopAll() {
	if len(h.ownedTasks) > 0 {
		h.rt.StopTasks(sortedTasks(h.ownedTasks))
	}
	for _, c := range slices.Sorted(maps.Keys(h.ownedConns)) {
		h.rt.StopConnector(c)
	}
	clear(h.ownedTasks)
	clear(h.ownedConns)
}

// call runs fn on the loop and returns its result. ctx bounds the wait.
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

func do(ctx context.Context, h *Herder, fn func() error) error {
	_, err := call(ctx, h, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

var errStopped = herder.Errorf(herder.ErrUnavailable, "Herder is not running")

func errTimeout() error { return herder.Errorf(herder.ErrTimeout, "Request timed out") }

// ---- config events ----

// processEvents applies the config-topic changes read since the last call (Java's
// ConfigUpdateListener + processConnectorConfigUpdates / processTargetStateChanges
// / processTaskConfigUpdatesWithIncrementalCooperative / processRestartRequests).
func (h *Herder) processEvents() {
	h.evMu.Lock()
	evs := h.events
	h.events = nil
	h.evMu.Unlock()
	if len(evs) == 0 {
		return
	}
	prev := h.snap
	h.setSnapshot(h.configs.Snapshot())
	for _, ev := range evs {
		switch ev.Kind {
		case kafkastore.ConnectorConfigUpdated:
			_, existed := prev.Connectors[ev.Connector]
			switch {
			case !existed:
				h.log.Info("Connector config added", "connector", ev.Connector)
				h.requestRebalance()
			case h.ownedConns[ev.Connector]:
				h.log.Info("Connector config updated; restarting connector", "connector", ev.Connector)
				h.rt.StopConnector(ev.Connector)
				h.startConnector(ev.Connector, true)
			}
		case kafkastore.ConnectorConfigRemoved:
			h.log.Info("Connector config removed", "connector", ev.Connector)
			h.removeLocal(ev.Connector)
			h.requestRebalance()
		case kafkastore.TargetStateChanged:
			h.applyTargetState(ev.Connector)
		case kafkastore.TaskConfigsCommitted:
			h.log.Info("Task configs committed", "connector", ev.Connector, "tasks", len(h.snap.Tasks(ev.Connector)))
			var stop []herder.TaskID
			for id := range h.ownedTasks {
				if id.Connector == ev.Connector {
					stop = append(stop, id)
				}
			}
			if len(stop) > 0 {
				slices.SortFunc(stop, compareTasks)
				h.rt.StopTasks(stop)
				for _, id := range stop {
					delete(h.ownedTasks, id)
				}
			}
			delete(h.pendingWrites, ev.Connector)
			h.requestRebalance()
		case kafkastore.RestartRequested:
			h.processRestart(ev.Restart)
		case kafkastore.SessionKeyUpdated:
			h.sessionKey.Store(ev.Key)
		}
	}
}

func (h *Herder) setSnapshot(s *kafkastore.Snapshot) {
	h.snap = s
	h.snapshot.Store(s)
}

func (h *Herder) requestRebalance() {
	h.rejoin = true
	h.rebalanceNeeded = true
}

// removeLocal stops a deleted connector's instance and tasks on this worker and
// tombstones their statuses (Java's onDeletion).
func (h *Herder) removeLocal(name string) {
	var stop []herder.TaskID
	for id := range h.ownedTasks {
		if id.Connector == name {
			stop = append(stop, id)
		}
	}
	slices.SortFunc(stop, compareTasks)
	if len(stop) > 0 {
		h.rt.StopTasks(stop)
	}
	for _, id := range stop {
		delete(h.ownedTasks, id)
		h.status.PutTask(kafkastore.TaskID(id), h.statusOf(kafkastore.StateDestroyed, ""))
	}
	if h.ownedConns[name] {
		h.rt.StopConnector(name)
		delete(h.ownedConns, name)
		h.status.PutConnector(name, h.statusOf(kafkastore.StateDestroyed, ""))
	}
}

func (h *Herder) targetOf(name string) herder.TargetState {
	if ts, ok := h.snap.TargetStates[name]; ok {
		return herder.TargetState(ts)
	}
	return herder.TargetStarted
}

// applyTargetState moves local work of a connector to its new target state.
func (h *Herder) applyTargetState(name string) {
	target := h.targetOf(name)
	owns := h.ownedConns[name]
	for id := range h.ownedTasks {
		if id.Connector == name {
			owns = true
			break
		}
	}
	if !owns {
		return
	}
	h.log.Info("Connector target state changed", "connector", name, "target", target)
	h.rt.SetConnectorTargetState(name, target)
	if h.ownedConns[name] && target == herder.TargetStarted {
		h.reconfigureTasks(name, false)
	}
}

// processRestart runs the part of a restart request this worker owns (Java's
// processRestartRequests + doRestartConnectorAndTasks).
func (h *Herder) processRestart(req kafkastore.RestartRequest) {
	name := req.Connector
	if _, ok := h.snap.Connectors[name]; !ok {
		return
	}
	plan, ok := h.buildRestartPlan(name, req.IncludeTasks, req.OnlyFailed)
	if !ok {
		return
	}
	restartConn := plan.Connector.State == herder.StateRestarting && h.ownedConns[name]
	var tasks []herder.TaskID
	for _, t := range plan.Tasks {
		id := herder.TaskID{Connector: name, Task: *t.ID}
		if t.State == herder.StateRestarting && h.ownedTasks[id] {
			tasks = append(tasks, id)
		}
	}
	if restartConn {
		h.rt.StopConnector(name)
		h.status.PutConnector(name, h.statusOf(kafkastore.StateRestarting, ""))
	}
	if len(tasks) > 0 {
		h.rt.StopTasks(tasks)
		for _, id := range tasks {
			h.status.PutTask(kafkastore.TaskID(id), h.statusOf(kafkastore.StateRestarting, ""))
		}
	}
	if restartConn {
		h.startConnector(name, false)
	}
	for _, id := range tasks {
		h.startTask(id)
	}
}

// buildRestartPlan is Java's buildRestartPlan over the status store: what
// restarts is marked RESTARTING in the returned plan.
func (h *Herder) buildRestartPlan(name string, includeTasks, onlyFailed bool) (herder.ConnectorStateInfo, bool) {
	plan, ok := h.connectorStateInfo(name, h.snap)
	if !ok {
		return plan, false
	}
	if !onlyFailed || plan.Connector.State == herder.StateFailed {
		plan.Connector.State = herder.StateRestarting
	}
	for i, t := range plan.Tasks {
		if includeTasks && (!onlyFailed || t.State == herder.StateFailed) {
			plan.Tasks[i].State = herder.StateRestarting
		}
	}
	return plan, true
}

// ---- reconfiguration ----

func (h *Herder) requestReconfiguration(name string) {
	h.reconfMu.Lock()
	h.reconf[name] = struct{}{}
	h.reconfMu.Unlock()
	h.poke()
}

func (h *Herder) processReconfiguration() {
	h.reconfMu.Lock()
	names := slices.Sorted(maps.Keys(h.reconf))
	clear(h.reconf)
	h.reconfMu.Unlock()
	for _, n := range names {
		if h.ownedConns[n] {
			h.reconfigureTasks(n, false)
		}
	}
}

// reconfigureTasks asks an owned, started connector for its task configs and, if
// they differ from the committed ones (or force: the connector config changed, so
// tasks must restart with it), has the leader write them: directly on the leader,
// through POST /connectors/{name}/tasks elsewhere (Java's
// reconfigureConnectorTasksWithRetry).
func (h *Herder) reconfigureTasks(name string, force bool) {
	cfg, ok := h.snap.Connectors[name]
	if !ok || !h.ownedConns[name] || h.targetOf(name) != herder.TargetStarted {
		return
	}
	configs, err := h.rt.ConnectorTaskConfigs(name)
	if err != nil {
		h.log.Error("Failed to generate task configs", "connector", name, "error", err)
		return
	}
	configs = configtransform.ReverseTransform(cfg, configs)
	current := h.snap.Tasks(name)
	if !force && current != nil && taskConfigsEqual(configs, current) {
		return
	}
	h.writeTaskConfigs(name, configs)
}

func (h *Herder) writeTaskConfigs(name string, configs []map[string]string) {
	if h.isLeader() {
		ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
		err := h.configs.PutTaskConfigs(ctx, name, configs)
		cancel()
		if err != nil {
			h.log.Error("Failed to write task configs; will retry", "connector", name, "error", err)
			h.pendingWrites[name] = configs
		}
		return
	}
	h.forwardTaskConfigs(name, configs)
}

// retryPendingWrites retries the leader's failed task-config writes.
func (h *Herder) retryPendingWrites() {
	if !h.isLeader() {
		clear(h.pendingWrites)
		return
	}
	for name, configs := range h.pendingWrites {
		delete(h.pendingWrites, name)
		if _, ok := h.snap.Connectors[name]; ok {
			h.writeTaskConfigs(name, configs)
		}
	}
}

func taskConfigsEqual(a, b []map[string]string) bool {
	return slices.EqualFunc(a, b, func(x, y map[string]string) bool { return maps.Equal(x, y) })
}

// ---- starting work ----

// startConnector starts an assigned connector at its target state and, when
// started, has its task configs generated.
func (h *Herder) startConnector(name string, forceTasks bool) {
	cfg, ok := h.snap.Connectors[name]
	if !ok {
		return
	}
	props, err := h.resolve(cfg)
	if err != nil {
		h.status.PutConnectorSafe(name, h.statusOf(kafkastore.StateFailed, err.Error()))
		return
	}
	if err := h.rt.StartConnector(name, props, h.targetOf(name), func() { h.requestReconfiguration(name) }); err != nil {
		h.log.Error("Failed to start connector", "connector", name, "error", err)
		return
	}
	h.reconfigureTasks(name, forceTasks)
}

// startTask starts an assigned task with its committed config.
func (h *Herder) startTask(id herder.TaskID) {
	tasks := h.snap.Tasks(id.Connector)
	cfg, ok := h.snap.Connectors[id.Connector]
	if !ok || id.Task >= len(tasks) {
		h.log.Warn("Assigned task has no config", "task", taskName(id))
		return
	}
	connProps, err := h.resolve(cfg)
	var taskProps map[string]string
	if err == nil {
		taskProps, err = h.resolve(tasks[id.Task])
	}
	if err != nil {
		h.status.PutTaskSafe(kafkastore.TaskID(id), h.statusOf(kafkastore.StateFailed, err.Error()))
		return
	}
	if err := h.rt.StartTask(id, connProps, taskProps, h.targetOf(id.Connector)); err != nil {
		h.log.Error("Failed to start task", "task", taskName(id), "error", err)
	}
}

func (h *Herder) resolve(props map[string]string) (map[string]string, error) {
	return herder.Resolve(h.cfg.Transformer, props)
}

// ---- statuses ----

func (h *Herder) statusOf(state kafkastore.State, trace string) kafkastore.Status {
	return kafkastore.Status{State: state, Trace: trace, WorkerID: h.cfg.WorkerID, Generation: int(h.generation.Load())}
}

// listener adapts the herder to worker.StatusListener: statuses go to the status
// topic with this worker's id and generation. UNASSIGNED and FAILED are safe
// writes (they must not hide a newer generation's RUNNING written elsewhere).
type listener struct{ h *Herder }

func (l listener) ConnectorStatus(name string, state herder.State, trace string) {
	st := l.h.statusOf(kafkastore.State(state), trace)
	if state == herder.StateUnassigned || state == herder.StateFailed {
		l.h.status.PutConnectorSafe(name, st)
		return
	}
	l.h.status.PutConnector(name, st)
}

func (l listener) TaskStatus(id herder.TaskID, state herder.State, trace string) {
	st := l.h.statusOf(kafkastore.State(state), trace)
	if state == herder.StateUnassigned || state == herder.StateFailed {
		l.h.status.PutTaskSafe(kafkastore.TaskID(id), st)
		return
	}
	l.h.status.PutTask(kafkastore.TaskID(id), st)
}

// RecordActiveTopic is the worker's TopicRecorder capability (KIP-558): the first
// use of a topic by a connector is written to the status topic.
func (l listener) RecordActiveTopic(connector, topic string) {
	if !l.h.cfg.TopicTracking {
		return
	}
	if _, ok := l.h.status.Topics(connector)[topic]; ok {
		return
	}
	l.h.status.PutTopic(kafkastore.TopicStatus{Topic: topic, Connector: connector, Discovered: time.Now()})
}

// StatusListener returns the worker.StatusListener to give the worker.
func (h *Herder) StatusListener() interface {
	ConnectorStatus(name string, state herder.State, trace string)
	TaskStatus(id herder.TaskID, state herder.State, trace string)
} {
	return listener{h}
}

// ---- helpers ----

func (h *Herder) isLeader() bool { return h.joined && h.memberID != "" && h.memberID == h.leaderID }

func taskName(id herder.TaskID) string { return fmt.Sprintf("%s-%d", id.Connector, id.Task) }

func compareTasks(a, b herder.TaskID) int {
	if a.Connector != b.Connector {
		if a.Connector < b.Connector {
			return -1
		}
		return 1
	}
	return a.Task - b.Task
}

func sortedTasks(m map[herder.TaskID]bool) []herder.TaskID {
	out := slices.Collect(maps.Keys(m))
	slices.SortFunc(out, compareTasks)
	return out
}
