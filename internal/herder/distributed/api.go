package distributed

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/storage/kafkastore"
)

// This file is the herder.Herder surface: REST requests, run on the loop where
// they touch cluster state. Leader-only writes on a follower, and owner-only
// restarts elsewhere, fail with a *ForwardError the REST layer forwards.

func notFound(name string) error {
	return herder.Errorf(herder.ErrNotFound, "Connector %s not found", name)
}

// ServerInfo answers GET /.
func (h *Herder) ServerInfo() herder.ServerInfo {
	return herder.ServerInfo{Version: KafkaVersion, Commit: h.cfg.Commit, KafkaClusterID: h.cfg.ClusterID, GoconnectVersion: h.cfg.Version}
}

// Health answers GET /health: the loop must be serving and the worker in the group.
func (h *Herder) Health(ctx context.Context) error {
	err := do(ctx, h, func() error {
		if !h.joined {
			return herder.Errorf(herder.ErrUnavailable, "Worker is still starting up.")
		}
		return nil
	})
	if errors.Is(err, herder.ErrTimeout) && !h.joinedOnce() {
		return herder.Errorf(herder.ErrUnavailable, "Worker is still starting up.")
	}
	return err
}

func (h *Herder) joinedOnce() bool { return h.generation.Load() > 0 }

// checkStale is Java's checkRebalanceNeeded.
func (h *Herder) checkStale() error {
	if h.rebalanceNeeded {
		return herder.Errorf(herder.ErrConflict, msgStaleConfig)
	}
	return nil
}

// Connectors lists connector names, sorted.
func (h *Herder) Connectors(ctx context.Context) ([]string, error) {
	return call(ctx, h, func() ([]string, error) {
		names := slices.Sorted(maps.Keys(h.snap.Connectors))
		if names == nil {
			names = []string{}
		}
		return names, nil
	})
}

func (h *Herder) plugin(config map[string]string) (registry.Plugin, bool) {
	if h.cfg.Registry == nil {
		return registry.Plugin{}, false
	}
	p, err := h.cfg.Registry.LookupConnector(config["connector.class"])
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

func (h *Herder) info(name string) herder.ConnectorInfo {
	cfg := h.snap.Connectors[name]
	n := len(h.snap.Tasks(name))
	tasks := make([]herder.TaskID, n)
	for i := range tasks {
		tasks[i] = herder.TaskID{Connector: name, Task: i}
	}
	return herder.ConnectorInfo{Name: name, Config: maps.Clone(cfg), Tasks: tasks, Type: h.connectorType(cfg)}
}

// ConnectorInfo returns a connector's config, tasks and type.
func (h *Herder) ConnectorInfo(ctx context.Context, name string) (herder.ConnectorInfo, error) {
	return call(ctx, h, func() (herder.ConnectorInfo, error) {
		if err := h.checkStale(); err != nil {
			return herder.ConnectorInfo{}, err
		}
		if _, ok := h.snap.Connectors[name]; !ok {
			return herder.ConnectorInfo{}, notFound(name)
		}
		return h.info(name), nil
	})
}

// ConnectorConfig returns the config as submitted.
func (h *Herder) ConnectorConfig(ctx context.Context, name string) (map[string]string, error) {
	return call(ctx, h, func() (map[string]string, error) {
		if err := h.checkStale(); err != nil {
			return nil, err
		}
		c, ok := h.snap.Connectors[name]
		if !ok {
			return nil, notFound(name)
		}
		return maps.Clone(c), nil
	})
}

func (h *Herder) validate(config map[string]string) error {
	return herder.ValidateForWrite(h.cfg.Validate, config)
}

// PutConnectorConfig validates on this worker, then the leader writes the config
// (and, for a new connector with an initial state, its target state first).
func (h *Herder) PutConnectorConfig(ctx context.Context, name string, config map[string]string, allowReplace bool, initial herder.TargetState) (herder.ConnectorInfo, bool, error) {
	config, err := herder.CheckName(name, config)
	if err != nil {
		return herder.ConnectorInfo{}, false, err
	}
	if err := h.validate(config); err != nil {
		return herder.ConnectorInfo{}, false, err
	}
	switch initial {
	case "", herder.TargetStarted, herder.TargetPaused, herder.TargetStopped:
	default:
		return herder.ConnectorInfo{}, false, herder.Errorf(herder.ErrBadRequest, "Invalid initial state %s", initial)
	}
	type result struct {
		info    herder.ConnectorInfo
		created bool
	}
	r, err := call(ctx, h, func() (result, error) {
		info, created, err := h.put(ctx, name, config, allowReplace, false, initial)
		return result{info, created}, err
	})
	return r.info, r.created, err
}

func (h *Herder) put(ctx context.Context, name string, config map[string]string, allowReplace, mustExist bool, initial herder.TargetState) (herder.ConnectorInfo, bool, error) {
	if !h.isLeader() {
		return herder.ConnectorInfo{}, false, h.notLeader("Only the leader can set connector configs.")
	}
	_, exists := h.snap.Connectors[name]
	switch {
	case exists && !allowReplace:
		return herder.ConnectorInfo{}, false, herder.Errorf(herder.ErrAlreadyExists, "Connector %s already exists", name)
	case !exists && mustExist:
		return herder.ConnectorInfo{}, false, notFound(name)
	}
	var ts *kafkastore.TargetState
	if !exists && initial != "" && initial != herder.TargetStarted {
		t := kafkastore.TargetState(initial)
		ts = &t
	}
	if err := h.configs.PutConnectorConfig(ctx, name, config, ts); err != nil {
		return herder.ConnectorInfo{}, false, fmt.Errorf("write connector config of %s: %w", name, err)
	}
	h.processEvents()
	return h.info(name), !exists, nil
}

// PatchConnectorConfig merges patch into the existing config on the leader.
func (h *Herder) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (herder.ConnectorInfo, error) {
	current, err := call(ctx, h, func() (map[string]string, error) {
		if !h.isLeader() {
			return nil, h.notLeader("Only the leader can set connector configs.")
		}
		c, ok := h.snap.Connectors[name]
		if !ok {
			return nil, notFound(name)
		}
		return maps.Clone(c), nil
	})
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
		info, _, err := h.put(ctx, name, config, true, true, "")
		return info, err
	})
}

// DeleteConnector removes a connector (leader).
func (h *Herder) DeleteConnector(ctx context.Context, name string) error {
	return do(ctx, h, func() error {
		if !h.isLeader() {
			return h.notLeader("Only the leader can delete connector configs.")
		}
		if _, ok := h.snap.Connectors[name]; !ok {
			return notFound(name)
		}
		if err := h.configs.RemoveConnectorConfig(ctx, name); err != nil {
			return fmt.Errorf("delete connector %s: %w", name, err)
		}
		h.processEvents()
		return nil
	})
}

// connectorStateInfo builds /status from the status topic's cache.
func (h *Herder) connectorStateInfo(name string, snap *kafkastore.Snapshot) (herder.ConnectorStateInfo, bool) {
	st, ok := h.status.Connector(name)
	if !ok {
		return herder.ConnectorStateInfo{}, false
	}
	config := snap.Connectors[name]
	p, _ := h.plugin(config)
	out := herder.ConnectorStateInfo{
		Name:      name,
		Connector: stateInfo(st, p.Version, nil),
		Tasks:     []herder.StateInfo{},
		Type:      h.connectorType(config),
	}
	tasks := h.status.Tasks(name)
	for _, n := range slices.Sorted(maps.Keys(tasks)) {
		id := n
		out.Tasks = append(out.Tasks, stateInfo(tasks[n], p.Version, &id))
	}
	return out, true
}

func stateInfo(st kafkastore.Status, version string, id *int) herder.StateInfo {
	v := st.Version
	if v == "" {
		v = version
	}
	return herder.StateInfo{ID: id, State: herder.State(st.State), WorkerID: st.WorkerID, Trace: st.Trace, Version: v}
}

// ConnectorStatus answers from the status topic's cache, which every worker
// shares, without the loop (as Java's, which reads the status store directly).
func (h *Herder) ConnectorStatus(ctx context.Context, name string) (herder.ConnectorStateInfo, error) {
	info, ok := h.connectorStateInfo(name, h.snapshot.Load())
	if !ok {
		return info, herder.Errorf(herder.ErrNotFound, "No status found for connector %s", name)
	}
	return info, nil
}

// TaskStatus returns one task's status.
func (h *Herder) TaskStatus(ctx context.Context, id herder.TaskID) (herder.StateInfo, error) {
	st, ok := h.status.Task(kafkastore.TaskID(id))
	if !ok {
		return herder.StateInfo{}, herder.Errorf(herder.ErrNotFound, "No status found for task %s", taskName(id))
	}
	p, _ := h.plugin(h.snapshot.Load().Connectors[id.Connector])
	n := id.Task
	return stateInfo(st, p.Version, &n), nil
}

// TaskConfigs returns the committed task configs.
func (h *Herder) TaskConfigs(ctx context.Context, name string) ([]herder.TaskInfo, error) {
	return call(ctx, h, func() ([]herder.TaskInfo, error) {
		if err := h.checkStale(); err != nil {
			return nil, err
		}
		if _, ok := h.snap.Connectors[name]; !ok {
			return nil, notFound(name)
		}
		tasks := h.snap.Tasks(name)
		out := make([]herder.TaskInfo, len(tasks))
		for i, tc := range tasks {
			out[i] = herder.TaskInfo{ID: herder.TaskID{Connector: name, Task: i}, Config: maps.Clone(tc)}
		}
		return out, nil
	})
}

// PutTaskConfigs is the internal endpoint POST /connectors/{name}/tasks: the
// leader writes task configs generated by the connector's owner.
func (h *Herder) PutTaskConfigs(ctx context.Context, name string, configs []map[string]string) error {
	return do(ctx, h, func() error {
		if !h.isLeader() {
			return h.notLeader("Only the leader may write task configurations.")
		}
		if _, ok := h.snap.Connectors[name]; !ok {
			return notFound(name)
		}
		if err := h.configs.PutTaskConfigs(ctx, name, configs); err != nil {
			return fmt.Errorf("write task configs of %s: %w", name, err)
		}
		h.processEvents()
		return nil
	})
}

// RestartConnector restarts a connector instance on its owner (no flags), or has
// the leader write a restart request every owner executes (flags, 202 + plan).
func (h *Herder) RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (*herder.ConnectorStateInfo, error) {
	return call(ctx, h, func() (*herder.ConnectorStateInfo, error) {
		if err := h.checkStale(); err != nil {
			return nil, err
		}
		if !includeTasks && !onlyFailed {
			if _, ok := h.snap.Connectors[name]; !ok {
				return nil, herder.Errorf(herder.ErrNotFound, "Unknown connector: %s", name)
			}
			if h.ownedConns[name] {
				h.rt.StopConnector(name)
				h.startConnector(name, false)
				return nil, nil
			}
			if h.isLeader() {
				owner := h.connOwners[name]
				if owner == "" {
					return nil, herder.Errorf(herder.ErrConflict, "Cannot complete request because of a conflicting operation (e.g. worker rebalance)")
				}
				return nil, &ForwardError{URL: owner, Msg: "Cannot restart connector since it is not assigned to this member"}
			}
			return nil, h.notLeader("Cannot restart connector since it is not assigned to this member")
		}
		if !h.isLeader() {
			return nil, h.notLeader("Only the leader can process restart requests.")
		}
		if _, ok := h.snap.Connectors[name]; !ok {
			return nil, herder.Errorf(herder.ErrNotFound, "Unknown connector: %s", name)
		}
		plan, ok := h.buildRestartPlan(name, includeTasks, onlyFailed)
		if !ok {
			return nil, herder.Errorf(herder.ErrNotFound, "Status for connector %s not found", name)
		}
		if err := h.configs.PutRestartRequest(ctx, kafkastore.RestartRequest{Connector: name, OnlyFailed: onlyFailed, IncludeTasks: includeTasks}); err != nil {
			return nil, fmt.Errorf("write restart request of %s: %w", name, err)
		}
		h.processEvents()
		return &plan, nil
	})
}

// RestartTask restarts one task on its owner.
func (h *Herder) RestartTask(ctx context.Context, id herder.TaskID) error {
	return do(ctx, h, func() error {
		if err := h.checkStale(); err != nil {
			return err
		}
		if _, ok := h.snap.Connectors[id.Connector]; !ok {
			return herder.Errorf(herder.ErrNotFound, "Unknown connector: %s", id.Connector)
		}
		if id.Task < 0 || id.Task >= len(h.snap.Tasks(id.Connector)) {
			return herder.Errorf(herder.ErrNotFound, "Unknown task: %s", taskName(id))
		}
		if h.ownedTasks[id] {
			h.rt.StopTasks([]herder.TaskID{id})
			h.startTask(id)
			return nil
		}
		if h.isLeader() {
			owner := h.taskOwners[id]
			if owner == "" {
				return herder.Errorf(herder.ErrConflict, "Cannot complete request because of a conflicting operation (e.g. worker rebalance)")
			}
			return &ForwardError{URL: owner, Msg: "Cannot restart task since it is not assigned to this member"}
		}
		return h.notLeader("Cannot restart task since it is not assigned to this member")
	})
}

// setTarget writes a target state; any worker may (Java's putTargetState).
func (h *Herder) setTarget(ctx context.Context, name string, target herder.TargetState) error {
	if _, ok := h.snap.Connectors[name]; !ok {
		return herder.Errorf(herder.ErrNotFound, "Unknown connector %s", name)
	}
	if err := h.configs.PutTargetState(ctx, name, kafkastore.TargetState(target)); err != nil {
		return fmt.Errorf("write target state of %s: %w", name, err)
	}
	return nil
}

// PauseConnector writes target state PAUSED.
func (h *Herder) PauseConnector(ctx context.Context, name string) error {
	return do(ctx, h, func() error { return h.setTarget(ctx, name, herder.TargetPaused) })
}

// ResumeConnector writes target state STARTED.
func (h *Herder) ResumeConnector(ctx context.Context, name string) error {
	return do(ctx, h, func() error { return h.setTarget(ctx, name, herder.TargetStarted) })
}

// StopConnector (leader) writes an empty set of task configs, then target state
// STOPPED (Java's stopConnector).
func (h *Herder) StopConnector(ctx context.Context, name string) error {
	return do(ctx, h, func() error {
		if !h.isLeader() {
			return h.notLeader("Only the leader can transition connectors to the STOPPED state.")
		}
		if _, ok := h.snap.Connectors[name]; !ok {
			return notFound(name)
		}
		if err := h.configs.PutTaskConfigs(ctx, name, nil); err != nil {
			return fmt.Errorf("stop connector %s: %w", name, err)
		}
		if err := h.configs.PutTargetState(ctx, name, kafkastore.TargetStopped); err != nil {
			return fmt.Errorf("stop connector %s: %w", name, err)
		}
		return nil
	})
}

// ActiveTopics returns the topics recorded in the status topic (KIP-558).
func (h *Herder) ActiveTopics(ctx context.Context, name string) ([]string, error) {
	if !h.cfg.TopicTracking {
		return nil, herder.Errorf(herder.ErrForbidden, "Topic tracking is disabled.")
	}
	return slices.Sorted(maps.Keys(h.status.Topics(name))), nil
}

// ResetActiveTopics tombstones the connector's topic records.
func (h *Herder) ResetActiveTopics(ctx context.Context, name string) error {
	if !h.cfg.TopicTracking {
		return herder.Errorf(herder.ErrForbidden, "Topic tracking is disabled.")
	}
	if !h.cfg.TopicTrackingReset {
		return herder.Errorf(herder.ErrForbidden, "Topic tracking reset is disabled.")
	}
	for t := range h.status.Topics(name) {
		h.status.DeleteTopic(name, t)
	}
	return nil
}

// ValidateConfig validates a connector config.
func (h *Herder) ValidateConfig(ctx context.Context, config map[string]string) (herder.ConfigInfos, error) {
	return h.cfg.Validate(config)
}

var _ herder.Herder = (*Herder)(nil)

// SetClusterLoggerLevel is PUT /admin/loggers/{name}?scope=cluster (KIP-976): any
// worker writes logger-cluster-<namespace> to the config topic, without waiting to
// read it back, and every worker applies the level when it reads the record
// (OnConfigEvent). Records older than a worker's start are not applied, as in
// Java: a worker that joins later keeps its configured levels.
func (h *Herder) SetClusterLoggerLevel(ctx context.Context, namespace, level string) error {
	if !h.started.Load() {
		return errStopped
	}
	if err := h.configs.PutLoggerLevel(ctx, namespace, level); err != nil {
		h.log.Error("Failed to write logger level to Kafka", "namespace", namespace, "error", err)
		return fmt.Errorf("Error writing logger level to Kafka: %w", err)
	}
	return nil
}

func (h *Herder) applyLoggerLevel(namespace, level string) {
	if h.cfg.Loggers == nil {
		return
	}
	if _, err := h.cfg.Loggers.Set(namespace, level); err != nil {
		h.log.Warn("Ignoring cluster logger level", "namespace", namespace, "level", level, "error", err)
		return
	}
	h.log.Info("Applied cluster logger level", "namespace", namespace, "level", level)
}
