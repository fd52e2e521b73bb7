package kafkastore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Status topic keys (KafkaStatusBackingStore).
const (
	connectorStatusPrefix = "status-connector-"
	taskStatusPrefix      = "status-task-"
	topicStatusPrefix     = "status-topic-"
	topicStatusSeparator  = ":connector-"
)

// Status is a connector or task status record.
type Status struct {
	State State
	// Trace is the failure's stack trace; "" is written as null.
	Trace      string
	WorkerID   string
	Generation int
	// Version is the version of the running plugin (KIP-891, Connect 4.x); "" is
	// written as null, as Java does when a task has not reported one yet.
	Version string
}

// TopicStatus records that a connector's task used a topic (KIP-558).
type TopicStatus struct {
	Topic      string
	Connector  string
	Task       int
	Discovered time.Time
}

type statusEntry struct {
	value   *Status
	seq     int
	deleted bool
}

// canWriteSafely is Java's CacheEntry.canWriteSafely: a safe write (UNASSIGNED,
// FAILED) must not overwrite the status of a newer generation written by another
// worker, which would make a running task look dead.
func (e *statusEntry) canWriteSafely(st Status) bool {
	return e.value == nil || e.value.WorkerID == st.WorkerID || e.value.Generation <= st.Generation
}

// StatusStore is Java's KafkaStatusBackingStore over the status topic: every
// worker writes the statuses of what it runs and reads everybody's, so any worker
// answers /status for the whole cluster from its cache.
//
// Writes are asynchronous like Java's: Put* return at once, the producer has
// retries=0, and a write failing with a retriable error is re-sent by the store
// unless the entry has been deleted, the worker has moved to another generation,
// or (safe writes) a newer write for the same key was made. Flush waits for them.
type StatusStore struct {
	log    *Log
	logger *slog.Logger

	mu         sync.Mutex
	generation int
	conns      map[string]*statusEntry
	tasks      map[TaskID]*statusEntry
	topics     map[string]map[string]TopicStatus // connector → topic → status
}

// OpenStatusStore ensures the topic (if c.Admin is set), reads it to the end and
// keeps tailing it.
func OpenStatusStore(ctx context.Context, c StoreConfig) (*StatusStore, error) {
	s := &StatusStore{
		logger: c.logger(),
		conns:  map[string]*statusEntry{},
		tasks:  map[TaskID]*statusEntry{},
		topics: map[string]map[string]TopicStatus{},
	}
	l, err := openStoreLog(ctx, c, statusProducerOpts(), s.apply)
	if err != nil {
		return nil, err
	}
	s.log = l
	return s, nil
}

// Close flushes pending writes (bounded), stops tailing and closes the clients.
func (s *StatusStore) Close() { s.log.Close() }

// Flush waits until every status written so far is acknowledged or failed.
func (s *StatusStore) Flush(ctx context.Context) error { return s.log.Flush(ctx) }

// Refresh reads the topic to its end.
func (s *StatusStore) Refresh(ctx context.Context) error { return s.log.ReadToEnd(ctx) }

// EncodeStatus is the value of a status-connector-/status-task- record; DESTROYED
// is a tombstone (nil).
func EncodeStatus(st Status) []byte {
	if st.State == StateDestroyed {
		return nil
	}
	var trace, version any
	if st.Trace != "" {
		trace = st.Trace
	}
	if st.Version != "" {
		version = st.Version
	}
	// Java 4.x writes STATUS_SCHEMA with the optional "version" last (seen in the
	// goldens); older workers omit it and readers ignore unknown fields.
	return encodeStruct(
		field{"state", string(st.State)},
		field{"trace", trace},
		field{"worker_id", st.WorkerID},
		field{"generation", int64(int32(st.Generation))},
		field{"version", version},
	)
}

// EncodeTopicStatus is the value of a status-topic- record.
func EncodeTopicStatus(t TopicStatus) []byte {
	inner := encodeStruct(
		field{"name", t.Topic},
		field{"connector", t.Connector},
		field{"task", int64(int32(t.Task))},
		field{"discoverTimestamp", t.Discovered.UnixMilli()},
	)
	return encodeStruct(field{"topic", rawJSON(inner)})
}

func connectorStatusKey(name string) []byte { return []byte(connectorStatusPrefix + name) }
func taskStatusKey(id TaskID) []byte {
	return fmt.Appendf(nil, "%s%s-%d", taskStatusPrefix, id.Connector, id.Task)
}
func topicStatusKey(connector, topic string) []byte {
	return []byte(topicStatusPrefix + topic + topicStatusSeparator + connector)
}

// PutConnector writes a connector status unconditionally (RUNNING, PAUSED,
// STOPPED, RESTARTING, DESTROYED).
func (s *StatusStore) PutConnector(name string, st Status) { s.putConnector(name, st, false) }

// PutConnectorSafe writes a connector status unless a newer generation's status
// from another worker is cached (used for UNASSIGNED and FAILED).
func (s *StatusStore) PutConnectorSafe(name string, st Status) { s.putConnector(name, st, true) }

// PutTask writes a task status unconditionally.
func (s *StatusStore) PutTask(id TaskID, st Status) { s.putTask(id, st, false) }

// PutTaskSafe writes a task status with the safe-write rule of PutConnectorSafe.
func (s *StatusStore) PutTaskSafe(id TaskID, st Status) { s.putTask(id, st, true) }

func (s *StatusStore) putConnector(name string, st Status, safe bool) {
	s.mu.Lock()
	e := s.conns[name]
	if e == nil {
		e = &statusEntry{}
		s.conns[name] = e
	}
	s.mu.Unlock()
	s.send(connectorStatusKey(name), st, e, safe)
}

func (s *StatusStore) putTask(id TaskID, st Status, safe bool) {
	s.mu.Lock()
	e := s.tasks[id]
	if e == nil {
		e = &statusEntry{}
		s.tasks[id] = e
	}
	s.mu.Unlock()
	s.send(taskStatusKey(id), st, e, safe)
}

func (s *StatusStore) send(key []byte, st Status, e *statusEntry, safe bool) {
	s.mu.Lock()
	s.generation = st.Generation
	if safe && !e.canWriteSafely(st) {
		s.mu.Unlock()
		return
	}
	e.seq++
	seq := e.seq
	s.mu.Unlock()
	value := EncodeStatus(st)
	var promise func(*kgo.Record, error)
	promise = func(_ *kgo.Record, err error) {
		if err == nil {
			return
		}
		if !kerr.IsRetriable(err) && !errors.Is(err, kgo.ErrRecordRetries) {
			s.logger.Error("failed to write status update", "key", string(key), "err", err)
			return
		}
		s.mu.Lock()
		superseded := e.deleted || st.Generation != s.generation || (safe && (!e.canWriteSafely(st) || e.seq != seq))
		s.mu.Unlock()
		if !superseded {
			s.log.Produce(key, value, promise)
		}
	}
	s.log.Produce(key, value, promise)
}

// PutTopic records a topic used by a connector (written once per topic by the
// worker that first sees it); retriable failures are re-sent.
func (s *StatusStore) PutTopic(t TopicStatus) {
	s.sendTopic(topicStatusKey(t.Connector, t.Topic), EncodeTopicStatus(t))
}

// DeleteTopic tombstones a connector's topic record (topics reset).
func (s *StatusStore) DeleteTopic(connector, topic string) {
	s.sendTopic(topicStatusKey(connector, topic), nil)
}

func (s *StatusStore) sendTopic(key, value []byte) {
	var promise func(*kgo.Record, error)
	promise = func(_ *kgo.Record, err error) {
		if err == nil {
			return
		}
		if kerr.IsRetriable(err) || errors.Is(err, kgo.ErrRecordRetries) {
			s.log.Produce(key, value, promise)
			return
		}
		s.logger.Error("failed to write topic status", "key", string(key), "err", err)
	}
	s.log.Produce(key, value, promise)
}

func (s *StatusStore) apply(r *kgo.Record) {
	key := string(r.Key)
	switch {
	case strings.HasPrefix(key, connectorStatusPrefix):
		s.applyConnector(key[len(connectorStatusPrefix):], r.Value)
	case strings.HasPrefix(key, taskStatusPrefix):
		s.applyTask(key, r.Value)
	case strings.HasPrefix(key, topicStatusPrefix):
		s.applyTopic(key, r.Value)
	default:
		s.logger.Warn("discarding status record with an invalid key", "key", key)
	}
}

// ParseStatus parses a status record value.
func ParseStatus(b []byte) (Status, error) {
	m, err := decodeObject(b)
	if err != nil {
		return Status{}, err
	}
	if m == nil {
		return Status{}, errors.New("status is null")
	}
	state, ok := m["state"].(string)
	if !ok {
		return Status{}, errors.New("status has no string 'state'")
	}
	switch State(state) {
	case StateUnassigned, StateRunning, StatePaused, StateStopped,
		StateFailed, StateRestarting, StateDestroyed:
	default:
		return Status{}, fmt.Errorf("unknown state %s", state)
	}
	gen, ok := m["generation"].(int64)
	if !ok {
		return Status{}, errors.New("status has no integer 'generation'")
	}
	trace, _ := m["trace"].(string)
	worker, _ := m["worker_id"].(string)
	version, _ := m["version"].(string)
	return Status{State: State(state), Trace: trace, WorkerID: worker, Generation: int(int32(gen)), Version: version}, nil
}

func (s *StatusStore) applyConnector(name string, value []byte) {
	if name == "" {
		s.logger.Warn("discarding status record with an invalid connector status key")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == nil {
		// A deleted connector takes its tasks' statuses with it (Java's remove).
		if e := s.conns[name]; e != nil {
			e.deleted = true
			delete(s.conns, name)
		}
		for id, e := range s.tasks {
			if id.Connector == name {
				e.deleted = true
				delete(s.tasks, id)
			}
		}
		return
	}
	st, err := ParseStatus(value)
	if err != nil {
		s.logger.Error("failed to parse connector status", "connector", name, "err", err)
		return
	}
	e := s.conns[name]
	if e == nil {
		e = &statusEntry{}
		s.conns[name] = e
	}
	if lateUnassigned(e, st) {
		return
	}
	e.value = &st
}

// lateUnassigned reports an UNASSIGNED written late by a worker that lost the
// connector or task (revoked during a rebalance, or while it could not reach
// the group coordinator and its view of the status topic was stale): it must
// not hide that the work is RUNNING elsewhere in the same or a newer
// generation.
func lateUnassigned(e *statusEntry, st Status) bool {
	return st.State == StateUnassigned && e.value != nil && e.value.State == StateRunning &&
		e.value.Generation >= st.Generation && e.value.WorkerID != st.WorkerID
}

func (s *StatusStore) applyTask(key string, value []byte) {
	name, n, ok := parseTaskKey(key, 2)
	if !ok {
		s.logger.Warn("discarding status record with an invalid task status key", "key", key)
		return
	}
	id := TaskID{Connector: name, Task: n}
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == nil {
		if e := s.tasks[id]; e != nil {
			e.deleted = true
			delete(s.tasks, id)
		}
		return
	}
	st, err := ParseStatus(value)
	if err != nil {
		s.logger.Warn("failed to parse task status", "key", key, "err", err)
		return
	}
	e := s.tasks[id]
	if e == nil {
		e = &statusEntry{}
		s.tasks[id] = e
	}
	if lateUnassigned(e, st) {
		return
	}
	e.value = &st
}

// ParseTopicStatus parses a status-topic- record value.
func ParseTopicStatus(b []byte) (TopicStatus, error) {
	m, err := decodeObject(b)
	if err != nil {
		return TopicStatus{}, err
	}
	inner, ok := m["topic"].(map[string]any)
	if !ok {
		return TopicStatus{}, errors.New("topic status has no object 'topic'")
	}
	name, _ := inner["name"].(string)
	conn, _ := inner["connector"].(string)
	task, ok1 := inner["task"].(int64)
	ts, ok2 := inner["discoverTimestamp"].(int64)
	if !ok1 || !ok2 {
		return TopicStatus{}, errors.New("topic status has no integer 'task' or 'discoverTimestamp'")
	}
	return TopicStatus{Topic: name, Connector: conn, Task: int(int32(task)), Discovered: time.UnixMilli(ts)}, nil
}

func (s *StatusStore) applyTopic(key string, value []byte) {
	rest := key[len(topicStatusPrefix):]
	i := strings.Index(rest, ":")
	if i <= 0 || !strings.HasPrefix(rest[i:], topicStatusSeparator) || len(rest[i:]) == len(topicStatusSeparator) {
		s.logger.Warn("discarding record with invalid topic status key", "key", key)
		return
	}
	topic, connector := rest[:i], rest[i+len(topicStatusSeparator):]
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == nil {
		delete(s.topics[connector], topic)
		return
	}
	t, err := ParseTopicStatus(value)
	if err != nil {
		s.logger.Warn("failed to parse topic status", "key", key, "err", err)
		return
	}
	if s.topics[connector] == nil {
		s.topics[connector] = map[string]TopicStatus{}
	}
	s.topics[connector][topic] = t
}

// Connector returns a connector's cached status.
func (s *StatusStore) Connector(name string) (Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.conns[name]; e != nil && e.value != nil {
		return *e.value, true
	}
	return Status{}, false
}

// Task returns a task's cached status.
func (s *StatusStore) Task(id TaskID) (Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.tasks[id]; e != nil && e.value != nil {
		return *e.value, true
	}
	return Status{}, false
}

// Tasks returns the cached statuses of a connector's tasks by task number.
func (s *StatusStore) Tasks(connector string) map[int]Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]Status{}
	for id, e := range s.tasks {
		if id.Connector == connector && e.value != nil {
			out[id.Task] = *e.value
		}
	}
	return out
}

// Connectors returns the names of connectors with a cached status, sorted.
func (s *StatusStore) Connectors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.conns))
}

// Topics returns the topics recorded for a connector, by topic name.
func (s *StatusStore) Topics(connector string) map[string]TopicStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.topics[connector])
}
