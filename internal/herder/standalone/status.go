package standalone

import (
	"slices"
	"sync"

	"github.com/goconnect/goconnect/internal/herder"
)

// statusStore keeps the last reported status of every connector and task, and the
// topics each connector used (KIP-558). It stands in for Java's
// MemoryStatusBackingStore. Safe for concurrent use; its mutex is a leaf lock.
type statusStore struct {
	// changed, if set, is called with the connector's name after every put, outside
	// the lock, on the goroutine that reported the status. It must not block.
	changed func(connector string)

	mu     sync.Mutex
	seq    uint64 // last status.seq handed out
	conns  map[string]status
	tasks  map[herder.TaskID]status
	topics map[string]map[string]struct{}
}

type status struct {
	state herder.State
	trace string
	// seq numbers every put, so that two successive FAILED reports of the same
	// task (the old run's and a restarted run's) can be told apart.
	seq uint64
}

func newStatusStore() *statusStore {
	return &statusStore{
		conns:  map[string]status{},
		tasks:  map[herder.TaskID]status{},
		topics: map[string]map[string]struct{}{},
	}
}

func (s *statusStore) putConnector(name string, st status) {
	s.mu.Lock()
	if st.state == herder.StateDestroyed {
		delete(s.conns, name)
	} else {
		s.seq++
		st.seq = s.seq
		s.conns[name] = st
	}
	s.mu.Unlock()
	if s.changed != nil {
		s.changed(name)
	}
}

func (s *statusStore) putTask(id herder.TaskID, st status) {
	s.mu.Lock()
	if st.state == herder.StateDestroyed {
		delete(s.tasks, id)
	} else {
		s.seq++
		st.seq = s.seq
		s.tasks[id] = st
	}
	s.mu.Unlock()
	if s.changed != nil {
		s.changed(id.Connector)
	}
}

func (s *statusStore) connector(name string) (status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.conns[name]
	return st, ok
}

func (s *statusStore) task(id herder.TaskID) (status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.tasks[id]
	return st, ok
}

// connectorTasks returns the statuses of name's tasks, sorted by task number.
func (s *statusStore) connectorTasks(name string) []taskStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []taskStatus
	for id, st := range s.tasks {
		if id.Connector == name {
			out = append(out, taskStatus{id: id.Task, status: st})
		}
	}
	slices.SortFunc(out, func(a, b taskStatus) int { return a.id - b.id })
	return out
}

type taskStatus struct {
	id int
	status
}

// removeTasks forgets the statuses of the given tasks.
func (s *statusStore) removeTasks(ids []herder.TaskID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		delete(s.tasks, id)
	}
}

// removeConnector forgets everything about name: its status, its tasks' and its
// active topics.
func (s *statusStore) removeConnector(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, name)
	for id := range s.tasks {
		if id.Connector == name {
			delete(s.tasks, id)
		}
	}
	delete(s.topics, name)
}

func (s *statusStore) addTopic(connector, topic string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.topics[connector]
	if set == nil {
		set = map[string]struct{}{}
		s.topics[connector] = set
	}
	set[topic] = struct{}{}
}

// activeTopics returns name's topics, sorted (never nil: JSON shows []).
func (s *statusStore) activeTopics(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.topics[name]))
	for t := range s.topics[name] {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

func (s *statusStore) resetTopics(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.topics, name)
}
