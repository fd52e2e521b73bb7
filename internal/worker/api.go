package worker

// This file is the worker's surface for herders. Its signatures are the contract
// between the herders and the task runners.

import (
	"context"
	"log/slog"
	"time"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
)

// Config is what the worker needs from the worker properties.
type Config struct {
	// WorkerID is <advertised host>:<port>, reported as worker_id.
	WorkerID string
	// Props is the whole worker configuration (after config providers): Kafka client
	// settings, producer.*, consumer.*, admin.*, key.converter(.*) and so on.
	Props map[string]string
	// OffsetFlushInterval is offset.flush.interval.ms.
	OffsetFlushInterval time.Duration
	// OffsetFlushTimeout is offset.flush.timeout.ms.
	OffsetFlushTimeout time.Duration
	// GracefulShutdown is task.shutdown.graceful.timeout.ms.
	GracefulShutdown time.Duration
}

// StatusListener receives every connector and task state change. Calls come from
// worker goroutines; implementations must not block for long.
type StatusListener interface {
	ConnectorStatus(name string, state herder.State, trace string)
	TaskStatus(id herder.TaskID, state herder.State, trace string)
}

// OffsetStore persists source offsets as raw key/value bytes in Java's format
// (key = JSON ["<connector>",{partition}], value = JSON offset map; see
// storage.OffsetKey). A nil value deletes. Implementations: a file (standalone) and a
// Kafka topic (distributed).
type OffsetStore interface {
	// Get returns the stored values of keys (absent keys are missing from the map).
	Get(ctx context.Context, keys [][]byte) (map[string][]byte, error)
	// Set stores entries durably before returning.
	Set(ctx context.Context, entries map[string][]byte) error
	// All returns every stored entry (for GET /offsets).
	All(ctx context.Context) (map[string][]byte, error)
}

// Worker runs connectors and tasks. Its methods are safe for concurrent use.
type Worker struct {
	impl
}

// New returns a worker. log is the worker's logger; the worker derives per
// connector/task loggers from it.
func New(cfg Config, reg *registry.Registry, offsets OffsetStore, status StatusListener, log *slog.Logger) (*Worker, error) {
	return newWorker(cfg, reg, offsets, status, log)
}

// StartConnector creates the connector instance and brings it to target: STARTED calls
// Start (status RUNNING, or FAILED with the error as trace); PAUSED/STOPPED leave it
// unstarted with status PAUSED/STOPPED. onReconfigure is called (from any goroutine)
// when the connector requests task reconfiguration. props are resolved (no ${...}).
func (w *Worker) StartConnector(name string, props map[string]string, target herder.TargetState, onReconfigure func()) error {
	return w.startConnector(name, props, target, onReconfigure)
}

// SetConnectorTargetState moves a running connector instance to target (stop or
// start its instance) and every task of it (pause/resume).
func (w *Worker) SetConnectorTargetState(name string, target herder.TargetState) {
	w.setTargetState(name, target)
}

// ConnectorTaskConfigs asks a started connector for its task configs (tasks.max from
// its config) and adds task.class and, for sinks, topics/topics.regex.
func (w *Worker) ConnectorTaskConfigs(name string) ([]map[string]string, error) {
	return w.taskConfigs(name)
}

// StopConnector stops the connector instance and waits for it.
func (w *Worker) StopConnector(name string) { w.stopConnector(name) }

// StartTask starts a task with its connector's resolved config and its task config.
// The task reports RUNNING (or PAUSED per target) and later FAILED with a trace if
// it fails.
func (w *Worker) StartTask(id herder.TaskID, connProps, taskProps map[string]string, target herder.TargetState) error {
	return w.startTask(id, connProps, taskProps, target)
}

// StopTasks signals every task in ids to stop, then waits for all of them within
// the shared task.shutdown.graceful.timeout.ms budget; tasks still running are
// cancelled (abandoned, later statuses ignored). Source tasks commit their offsets
// and sink tasks their consumer offsets on the way out.
func (w *Worker) StopTasks(ids []herder.TaskID) { w.stopTasks(ids) }

// Tasks returns the ids of the tasks running on this worker.
func (w *Worker) Tasks() []herder.TaskID { return w.tasks() }

// Close stops every connector and task (as StopTasks and StopConnector) and releases
// the worker's clients.
func (w *Worker) Close() { w.close() }
