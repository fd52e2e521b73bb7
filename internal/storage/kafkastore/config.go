package kafkastore

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Config topic keys (KafkaConfigBackingStore).
const (
	connectorPrefix    = "connector-"
	taskPrefix         = "task-"
	commitPrefix       = "commit-"
	targetStatePrefix  = "target-state-"
	sessionKeyKey      = "session-key"
	restartPrefix      = "restart-connector-"
	taskCountPrefix    = "tasks-fencing-"
	loggerClusterPrefx = "logger-cluster-"
)

// readWriteTimeout is Java's READ_WRITE_TOTAL_TIMEOUT_MS: the budget of one config
// write including reading it back, used when the caller's ctx has no deadline.
const readWriteTimeout = 30 * time.Second

// SessionKey is the key workers sign internal REST requests with (KIP-507).
type SessionKey struct {
	Key       []byte
	Algorithm string // a javax.crypto Mac algorithm name, e.g. HmacSHA256
	Created   time.Time
}

// RestartRequest is a restart-connector-<name> record.
type RestartRequest struct {
	Connector    string
	OnlyFailed   bool
	IncludeTasks bool
}

// Snapshot is the applied state of the config topic (Java's ClusterConfigState).
// It is a deep copy: callers may keep and modify it.
type Snapshot struct {
	// Offset is the offset after the last record read.
	Offset int64
	// SessionKey is the latest session key, nil when none was written.
	SessionKey *SessionKey
	// Connectors are the connector configs by name.
	Connectors map[string]map[string]string
	// TargetStates has an entry for every connector; STARTED when no
	// target-state record exists.
	TargetStates map[string]TargetState
	// TaskCounts is the task count of the latest commit-<name> record per connector.
	TaskCounts map[string]int
	// TaskConfigs are the committed task configs. Only ids below the connector's
	// task count belong to its current generation (compaction can leave more).
	TaskConfigs map[TaskID]map[string]string
	// Inconsistent are connectors whose latest commit found an incomplete set of
	// task configs; the herder must have their connector regenerate them.
	Inconsistent map[string]bool
	// TaskCountRecords are the tasks-fencing-<name> counts (exactly-once source).
	TaskCountRecords map[string]int
	// PendingFencing are connectors whose task configs were committed after their
	// latest task-count record.
	PendingFencing map[string]bool
}

// Tasks returns the connector's committed task configs in task order, or nil when
// the connector is inconsistent or has no complete commit (Java's
// ClusterConfigState.tasks).
func (s *Snapshot) Tasks(connector string) []map[string]string {
	if s.Inconsistent[connector] {
		return nil
	}
	n, ok := s.TaskCounts[connector]
	if !ok {
		return nil
	}
	out := make([]map[string]string, 0, n)
	for i := range n {
		c, ok := s.TaskConfigs[TaskID{Connector: connector, Task: i}]
		if !ok {
			return nil
		}
		out = append(out, c)
	}
	return out
}

// ConfigEventKind says what a ConfigEvent reports.
type ConfigEventKind int

// Config event kinds, one per Java ConfigBackingStore.UpdateListener method.
const (
	ConnectorConfigUpdated ConfigEventKind = iota + 1
	ConnectorConfigRemoved
	TargetStateChanged
	TaskConfigsCommitted
	RestartRequested
	SessionKeyUpdated
	LoggerLevelSet
)

// ConfigEvent is one change read from the config topic after the store started.
type ConfigEvent struct {
	Kind      ConfigEventKind
	Connector string         // ConnectorConfig*, TargetStateChanged, RestartRequested
	Tasks     []TaskID       // TaskConfigsCommitted: the ids whose configs were applied
	Restart   RestartRequest // RestartRequested
	Key       *SessionKey    // SessionKeyUpdated
	Namespace string         // LoggerLevelSet
	Level     string         // LoggerLevelSet
}

// ConfigStore is Java's KafkaConfigBackingStore over the config topic.
//
// Reads: the tailing goroutine applies every record to the state (Snapshot) and,
// once OpenConfigStore has read the topic to the end, reports changes to OnEvent.
// Writes: the Put* methods write the records of reference §4.4 and (except
// PutTargetState and PutLoggerLevel, which any worker writes) read the topic back
// to the end before returning, so the writer's snapshot includes its write.
// Only the leader should call the leader-only writers; the store does not check.
type ConfigStore struct {
	log     *Log
	logger  *slog.Logger
	onEvent func(ConfigEvent)
	started atomic.Bool

	mu       sync.Mutex
	offset   int64
	key      *SessionKey
	conns    map[string]map[string]string
	states   map[string]TargetState
	counts   map[string]int
	tasks    map[TaskID]map[string]string
	deferred map[string]map[int]map[string]string
	incons   map[string]bool
	fencing  map[string]int
	pending  map[string]bool
}

// OpenConfigStore ensures the topic (if c.Admin is set: compacted, one partition),
// reads it to the end and keeps tailing it. onEvent (optional) is called on the
// store's goroutine for every change read after that first read; it must not block
// for long nor call back into the store's writers (hand the event to the herder's
// loop instead). Records read during the first read only build the state, as in
// Java, and logger levels read then are ignored.
func OpenConfigStore(ctx context.Context, c StoreConfig, onEvent func(ConfigEvent)) (*ConfigStore, error) {
	c.Topic.SinglePartition = true
	s := &ConfigStore{
		logger:   c.logger(),
		onEvent:  onEvent,
		offset:   -1,
		conns:    map[string]map[string]string{},
		states:   map[string]TargetState{},
		counts:   map[string]int{},
		tasks:    map[TaskID]map[string]string{},
		deferred: map[string]map[int]map[string]string{},
		incons:   map[string]bool{},
		fencing:  map[string]int{},
		pending:  map[string]bool{},
	}
	l, err := openStoreLog(ctx, c, durableProducerOpts(), s.apply)
	if err != nil {
		return nil, err
	}
	s.log = l
	if c.Admin == nil {
		// EnsureTopic did not check the partition count; Java checks it on start.
		n, err := l.PartitionCount(ctx)
		if err != nil {
			l.Close()
			return nil, err
		}
		if n > 1 {
			l.Close()
			return nil, &ConfigError{Msg: fmt.Sprintf("Topic '%s' supplied via the '%s' property is required "+
				"to have a single partition in order to guarantee consistency of "+
				"connector configurations, but found %d partitions.", c.Topic.Name, ConfigTopicKey, n)}
		}
	}
	s.started.Store(true)
	return s, nil
}

// Close stops tailing the topic and closes the clients.
func (s *ConfigStore) Close() { s.log.Close() }

// Snapshot returns a deep copy of the applied state.
func (s *ConfigStore) Snapshot() *Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := &Snapshot{
		Offset:           s.offset,
		Connectors:       make(map[string]map[string]string, len(s.conns)),
		TargetStates:     maps.Clone(s.states),
		TaskCounts:       maps.Clone(s.counts),
		TaskConfigs:      make(map[TaskID]map[string]string, len(s.tasks)),
		Inconsistent:     maps.Clone(s.incons),
		TaskCountRecords: maps.Clone(s.fencing),
		PendingFencing:   maps.Clone(s.pending),
	}
	if s.key != nil {
		k := *s.key
		k.Key = slices.Clone(k.Key)
		snap.SessionKey = &k
	}
	for n, c := range s.conns {
		snap.Connectors[n] = maps.Clone(c)
	}
	for id, c := range s.tasks {
		snap.TaskConfigs[id] = maps.Clone(c)
	}
	return snap
}

// Refresh reads the topic to its end (Java's refresh), e.g. before a leader acts
// on its snapshot.
func (s *ConfigStore) Refresh(ctx context.Context) error { return s.log.ReadToEnd(ctx) }

func (s *ConfigStore) apply(r *kgo.Record) {
	key := string(r.Key)
	value, err := decodeObject(r.Value)
	if err != nil {
		s.logger.Error("ignoring config record with a value that is not JSON", "key", key, "err", err)
		return
	}
	var events []ConfigEvent
	s.mu.Lock()
	s.offset = r.Offset + 1
	switch {
	case strings.HasPrefix(key, targetStatePrefix):
		events = s.applyTargetState(key[len(targetStatePrefix):], r.Value == nil, value)
	case strings.HasPrefix(key, connectorPrefix):
		events = s.applyConnector(key[len(connectorPrefix):], r.Value == nil, value)
	case strings.HasPrefix(key, taskPrefix):
		name, n, ok := parseTaskKey(key, 1)
		if !ok {
			s.logger.Error("ignoring task configuration with an unparsable key", "key", key)
			break
		}
		s.applyTask(name, n, value)
	case strings.HasPrefix(key, commitPrefix):
		events = s.applyCommit(key[len(commitPrefix):], value)
	case strings.HasPrefix(key, restartPrefix):
		events = s.applyRestart(key[len(restartPrefix):], value)
	case strings.HasPrefix(key, taskCountPrefix):
		s.applyTaskCount(key[len(taskCountPrefix):], value)
	case key == sessionKeyKey:
		events = s.applySessionKey(value)
	case strings.HasPrefix(key, loggerClusterPrefx):
		events = s.applyLoggerLevel(key[len(loggerClusterPrefx):], value)
	default:
		s.logger.Error("discarding config record with an invalid key", "key", key)
	}
	s.mu.Unlock()
	if s.started.Load() && s.onEvent != nil {
		for _, e := range events {
			s.onEvent(e)
		}
	}
}

func (s *ConfigStore) applyTargetState(name string, tombstone bool, v map[string]any) []ConfigEvent {
	if tombstone || v == nil {
		delete(s.states, name)
		// A connector whose config survives keeps a valid target state. No event:
		// the connector tombstone that accompanies this one reports the removal.
		if _, ok := s.conns[name]; ok {
			s.states[name] = TargetStarted
		}
		return nil
	}
	st, ok := v["state.v2"].(string)
	if !ok {
		// Written by a worker older than 3.5, which knows only STARTED and PAUSED.
		if st, ok = v["state"].(string); !ok {
			s.logger.Error("ignoring target state without a string 'state' field", "connector", name)
			return nil
		}
	}
	ts := TargetState(st)
	switch ts {
	case TargetStarted, TargetPaused, TargetStopped:
	default:
		s.logger.Error("ignoring invalid target state", "connector", name, "state", st)
		return nil
	}
	prev, had := s.states[name]
	s.states[name] = ts
	// A target state written ahead of its connector (initial_state) is reported by
	// the connector record that follows it.
	if _, exists := s.conns[name]; exists && (!had || prev != ts) {
		return []ConfigEvent{{Kind: TargetStateChanged, Connector: name}}
	}
	return nil
}

func (s *ConfigStore) applyConnector(name string, tombstone bool, v map[string]any) []ConfigEvent {
	if tombstone || v == nil {
		delete(s.conns, name)
		delete(s.counts, name)
		for id := range s.tasks {
			if id.Connector == name {
				delete(s.tasks, id)
			}
		}
		delete(s.deferred, name)
		return []ConfigEvent{{Kind: ConnectorConfigRemoved, Connector: name}}
	}
	props, err := stringMap(v["properties"])
	if err != nil {
		s.logger.Error("ignoring invalid connector config", "connector", name, "err", err)
		return nil
	}
	s.conns[name] = props
	if _, ok := s.states[name]; !ok {
		s.states[name] = TargetStarted
	}
	return []ConfigEvent{{Kind: ConnectorConfigUpdated, Connector: name}}
}

func (s *ConfigStore) applyTask(name string, n int, v map[string]any) {
	if v == nil {
		s.logger.Error("ignoring task configuration that is unexpectedly null", "connector", name, "task", n)
		return
	}
	props, err := stringMap(v["properties"])
	if err != nil {
		s.logger.Error("ignoring invalid task config", "connector", name, "task", n, "err", err)
		return
	}
	d := s.deferred[name]
	if d == nil {
		d = map[int]map[string]string{}
		s.deferred[name] = d
	}
	d[n] = props
}

func (s *ConfigStore) applyCommit(name string, v map[string]any) []ConfigEvent {
	if v == nil {
		s.logger.Error("ignoring task commit that is not an object", "connector", name)
		return nil
	}
	count, err := intValue(v["tasks"])
	if err != nil {
		s.logger.Error("ignoring invalid task commit", "connector", name, "err", err)
		return nil
	}
	d := s.deferred[name]
	var updated []TaskID
	// Only ids 0..count-1 are required: compaction can leave configs of higher ids
	// from an older, larger generation (see Java's completeTaskIdSet).
	complete := true
	for i := range count {
		if _, ok := d[i]; !ok {
			complete = false
			break
		}
	}
	if !complete {
		s.incons[name] = true
	} else {
		ids := slices.Sorted(maps.Keys(d))
		for _, i := range ids {
			id := TaskID{Connector: name, Task: i}
			s.tasks[id] = d[i]
			updated = append(updated, id)
		}
		delete(s.incons, name)
	}
	delete(s.deferred, name)
	s.counts[name] = count
	s.pending[name] = true
	return []ConfigEvent{{Kind: TaskConfigsCommitted, Connector: name, Tasks: updated}}
}

func (s *ConfigStore) applyRestart(name string, v map[string]any) []ConfigEvent {
	if v == nil {
		s.logger.Error("ignoring restart request that is not an object", "connector", name)
		return nil
	}
	// Java defaults each flag to false when it is missing or not a boolean.
	onlyFailed, _ := v["only-failed"].(bool)
	includeTasks, _ := v["include-tasks"].(bool)
	return []ConfigEvent{{Kind: RestartRequested, Connector: name,
		Restart: RestartRequest{Connector: name, OnlyFailed: onlyFailed, IncludeTasks: includeTasks}}}
}

func (s *ConfigStore) applyTaskCount(name string, v map[string]any) {
	if v == nil {
		s.logger.Error("ignoring task count record that is not an object", "connector", name)
		return
	}
	n, err := intValue(v["task-count"])
	if err != nil {
		s.logger.Error("ignoring invalid task count record", "connector", name, "err", err)
		return
	}
	s.fencing[name] = n
	delete(s.pending, name)
}

func (s *ConfigStore) applySessionKey(v map[string]any) []ConfigEvent {
	if v == nil {
		s.logger.Error("ignoring session key that is unexpectedly null")
		return nil
	}
	k, ok1 := v["key"].(string)
	alg, ok2 := v["algorithm"].(string)
	ts, ok3 := v["creation-timestamp"].(int64)
	if !ok1 || !ok2 || !ok3 {
		s.logger.Error("ignoring session key with missing or mistyped fields")
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(k)
	if err != nil {
		s.logger.Error("ignoring session key that is not base64", "err", err)
		return nil
	}
	s.key = &SessionKey{Key: raw, Algorithm: alg, Created: time.UnixMilli(ts)}
	key := *s.key
	return []ConfigEvent{{Kind: SessionKeyUpdated, Key: &key}}
}

func (s *ConfigStore) applyLoggerLevel(ns string, v map[string]any) []ConfigEvent {
	level, ok := v["level"].(string)
	if !ok {
		s.logger.Error("ignoring logger level without a string 'level' field", "namespace", ns)
		return nil
	}
	return []ConfigEvent{{Kind: LoggerLevelSet, Namespace: ns, Level: level}}
}

// Record encoders: the exact bytes Java writes.

// EncodeConnectorConfig is the value of connector-<name>.
func EncodeConnectorConfig(props map[string]string) []byte {
	return encodeStruct(field{"properties", encodeProps(props)})
}

// EncodeTargetState is the value of target-state-<name>: STOPPED is written as
// state=PAUSED for workers older than 3.5, with the real state in state.v2.
func EncodeTargetState(ts TargetState) []byte {
	old := ts
	if ts == TargetStopped {
		old = TargetPaused
	}
	return encodeStruct(field{"state", string(old)}, field{"state.v2", string(ts)})
}

// EncodeTaskCommit is the value of commit-<name>.
func EncodeTaskCommit(n int) []byte { return encodeStruct(field{"tasks", int64(n)}) }

// EncodeTaskCount is the value of tasks-fencing-<name>.
func EncodeTaskCount(n int) []byte { return encodeStruct(field{"task-count", int64(n)}) }

// EncodeSessionKey is the value of session-key.
func EncodeSessionKey(k SessionKey) []byte {
	return encodeStruct(
		field{"key", base64.StdEncoding.EncodeToString(k.Key)},
		field{"algorithm", k.Algorithm},
		field{"creation-timestamp", k.Created.UnixMilli()},
	)
}

// EncodeRestartRequest is the value of restart-connector-<name>.
func EncodeRestartRequest(r RestartRequest) []byte {
	return encodeStruct(field{"include-tasks", r.IncludeTasks}, field{"only-failed", r.OnlyFailed})
}

// EncodeLoggerLevel is the value of logger-cluster-<namespace>.
func EncodeLoggerLevel(level string) []byte { return encodeStruct(field{"level", level}) }

func taskKey(name string, n int) []byte { return fmt.Appendf(nil, "%s%s-%d", taskPrefix, name, n) }

// Writers.

func withBudget(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, readWriteTimeout)
}

func (s *ConfigStore) sendAndRead(ctx context.Context, recs ...KV) error {
	ctx, cancel := withBudget(ctx)
	defer cancel()
	if err := s.log.Send(ctx, recs...); err != nil {
		return err
	}
	return s.log.ReadToEnd(ctx)
}

// PutConnectorConfig writes a connector's config (leader only). With targetState
// set, the target-state record is written first in the same batch, so that no
// reader ever sees the connector without its initial state.
func (s *ConfigStore) PutConnectorConfig(ctx context.Context, name string, props map[string]string, targetState *TargetState) error {
	var recs []KV
	if targetState != nil {
		recs = append(recs, KV{Key: []byte(targetStatePrefix + name), Value: EncodeTargetState(*targetState)})
	}
	recs = append(recs, KV{Key: []byte(connectorPrefix + name), Value: EncodeConnectorConfig(props)})
	if err := s.sendAndRead(ctx, recs...); err != nil {
		return fmt.Errorf("write connector config of %s: %w", name, err)
	}
	return nil
}

// RemoveConnectorConfig writes the tombstones of a deleted connector (leader only).
// Its task and commit records stay; readers ignore them without a config.
func (s *ConfigStore) RemoveConnectorConfig(ctx context.Context, name string) error {
	if err := s.sendAndRead(ctx,
		KV{Key: []byte(connectorPrefix + name)},
		KV{Key: []byte(targetStatePrefix + name)},
	); err != nil {
		return fmt.Errorf("remove connector config of %s: %w", name, err)
	}
	return nil
}

// PutTaskConfigs writes a new generation of task configs and then its commit
// record (leader only). The commit is written only after the task records were
// acknowledged and read back, so that no reader applies a partial generation.
func (s *ConfigStore) PutTaskConfigs(ctx context.Context, name string, configs []map[string]string) error {
	ctx, cancel := withBudget(ctx)
	defer cancel()
	if err := s.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("write task configs of %s: %w", name, err)
	}
	if len(configs) > 0 {
		recs := make([]KV, len(configs))
		for i, c := range configs {
			recs[i] = KV{Key: taskKey(name, i), Value: encodeStruct(field{"properties", encodeProps(c)})}
		}
		if err := s.sendAndRead(ctx, recs...); err != nil {
			return fmt.Errorf("write task configs of %s: %w", name, err)
		}
	}
	if err := s.sendAndRead(ctx, KV{Key: []byte(commitPrefix + name), Value: EncodeTaskCommit(len(configs))}); err != nil {
		return fmt.Errorf("write task commit of %s: %w", name, err)
	}
	return nil
}

// PutTargetState writes a connector's target state (any worker) and returns once
// the broker acknowledged it; the change reaches every worker, this one included,
// through the topic.
func (s *ConfigStore) PutTargetState(ctx context.Context, name string, ts TargetState) error {
	ctx, cancel := withBudget(ctx)
	defer cancel()
	if err := s.log.Send(ctx, KV{Key: []byte(targetStatePrefix + name), Value: EncodeTargetState(ts)}); err != nil {
		return fmt.Errorf("write target state of %s: %w", name, err)
	}
	return nil
}

// PutTaskCountRecord writes tasks-fencing-<name> (leader only, exactly-once source).
func (s *ConfigStore) PutTaskCountRecord(ctx context.Context, name string, n int) error {
	if err := s.sendAndRead(ctx, KV{Key: []byte(taskCountPrefix + name), Value: EncodeTaskCount(n)}); err != nil {
		return fmt.Errorf("write task count record of %s: %w", name, err)
	}
	return nil
}

// PutSessionKey distributes a new session key (leader only).
func (s *ConfigStore) PutSessionKey(ctx context.Context, k SessionKey) error {
	if err := s.sendAndRead(ctx, KV{Key: []byte(sessionKeyKey), Value: EncodeSessionKey(k)}); err != nil {
		return fmt.Errorf("write session key: %w", err)
	}
	return nil
}

// PutRestartRequest writes a restart request (leader only).
func (s *ConfigStore) PutRestartRequest(ctx context.Context, r RestartRequest) error {
	if err := s.sendAndRead(ctx, KV{Key: []byte(restartPrefix + r.Connector), Value: EncodeRestartRequest(r)}); err != nil {
		return fmt.Errorf("write restart request of %s: %w", r.Connector, err)
	}
	return nil
}

// PutLoggerLevel writes a cluster-wide logger level (any worker).
func (s *ConfigStore) PutLoggerLevel(ctx context.Context, namespace, level string) error {
	ctx, cancel := withBudget(ctx)
	defer cancel()
	if err := s.log.Send(ctx, KV{Key: []byte(loggerClusterPrefx + namespace), Value: EncodeLoggerLevel(level)}); err != nil {
		return fmt.Errorf("write logger level of %s: %w", namespace, err)
	}
	return nil
}
