package worker

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/goleak"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/recordpath"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/storage"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// checkFor polls cond until it holds or the deadline passes.
func checkFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type statusEntry struct {
	state herder.State
	trace string
}

// statuses records every status the worker reports.
type statuses struct {
	mu    sync.Mutex
	conns map[string][]statusEntry
	tasks map[herder.TaskID][]statusEntry
}

func newStatuses() *statuses {
	return &statuses{conns: map[string][]statusEntry{}, tasks: map[herder.TaskID][]statusEntry{}}
}

func (s *statuses) ConnectorStatus(name string, st herder.State, tr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[name] = append(s.conns[name], statusEntry{st, tr})
}

func (s *statuses) TaskStatus(id herder.TaskID, st herder.State, tr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tasks[id] = append(s.tasks[id], statusEntry{st, tr})
}

func (s *statuses) task(id herder.TaskID) statusEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.tasks[id]
	if len(h) == 0 {
		return statusEntry{}
	}
	return h[len(h)-1]
}

func (s *statuses) taskHistory(id herder.TaskID) []herder.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []herder.State
	for _, e := range s.tasks[id] {
		out = append(out, e.state)
	}
	return out
}

func (s *statuses) conn(name string) statusEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.conns[name]
	if len(h) == 0 {
		return statusEntry{}
	}
	return h[len(h)-1]
}

func (s *statuses) waitTask(t *testing.T, id herder.TaskID, want herder.State) statusEntry {
	t.Helper()
	checkFor(t, fmt.Sprintf("task %v %s", id, want), 20*time.Second, func() bool { return s.task(id).state == want })
	return s.task(id)
}

// env is one test's plugins and the state they share with the test.
type env struct {
	t        *testing.T
	mu       sync.Mutex
	polls    map[int]int    // source task → Poll calls
	received map[string]int // sink: value → times put
	puts     [][]int64      // sink: offsets of each non-empty Put
	commits  int            // SourceTaskCommitter.Commit calls
	acked    int            // RecordCommitter calls with metadata
	block    chan struct{}  // closed by the test to release blocking tasks
	sinkHook func([]*connect.Record) error
	// flushHook, when set, is the sink task's Flush (the task is a Flusher).
	flushHook func(offsets map[connect.TopicPartition]int64) error
}

func newEnv(t *testing.T) *env {
	return &env{t: t, polls: map[int]int{}, received: map[string]int{}, block: make(chan struct{})}
}

func (e *env) registry() *registry.Registry {
	return registry.New([]registry.Plugin{
		{Class: "com.example.TestSourceConnector", Kind: registry.Source, TaskClass: "com.example.TestSourceTask",
			NewConnector: func() connect.Connector { return &testSource{env: e} }},
		{Class: "com.example.TestSinkConnector", Kind: registry.Sink, TaskClass: "com.example.TestSinkTask",
			NewConnector: func() connect.Connector { return &testSink{env: e} }},
		{Class: "com.example.StringConverter", Kind: registry.Converter,
			NewConverter: func() connect.Converter { return &stringConverter{} }},
		{Class: "com.example.UpperConverter", Kind: registry.Converter,
			NewConverter: func() connect.Converter { return &stringConverter{upper: true} }},
		{Class: recordpath.DefaultHeaderConverter, Kind: registry.HeaderConverter,
			NewHeaderConverter: func() connect.HeaderConverter { return headerOnly{&stringConverter{}} }},
		{Class: "com.example.DropEven", Kind: registry.Transformation,
			NewTransformation: func() connect.Transformation { return &dropEven{} }},
		{Class: "com.example.PickyConverter", Kind: registry.Converter,
			NewConverter: func() connect.Converter { return pickyConverter{} }},
		{Class: "com.example.FailOdd", Kind: registry.Transformation,
			NewTransformation: func() connect.Transformation { return failOdd{} }},
		{Class: "com.example.TopicIs", Kind: registry.Predicate,
			NewPredicate: func() connect.Predicate { return &topicIs{} }},
	})
}

// testSource emits records "0".."<records>-1" per task, resuming from its offset.
type testSource struct {
	env   *env
	props map[string]string
}

func (c *testSource) Version() string             { return "1" }
func (c *testSource) Config() *config.Def         { return config.NewDef() }
func (c *testSource) Stop() error                 { return nil }
func (c *testSource) NewTask() connect.SourceTask { return &testSourceTask{env: c.env} }
func (c *testSource) Start(_ connect.ConnectorContext, props map[string]string) error {
	if props["fail.start"] == "true" {
		return fmt.Errorf("boom at start")
	}
	c.props = props
	return nil
}
func (c *testSource) TaskConfigs(max int) ([]map[string]string, error) {
	n := max
	if v := c.props["generate.tasks"]; v != "" {
		n, _ = strconv.Atoi(v)
	}
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = map[string]string{"task.id": strconv.Itoa(i)}
	}
	return out, nil
}

type testSourceTask struct {
	env    *env
	id     int
	topic  string
	total  int
	next   int
	mode   string
	ctx    connect.SourceTaskContext
	commit bool
}

func (s *testSourceTask) Start(tc connect.SourceTaskContext, props map[string]string) error {
	s.ctx = tc
	s.id, _ = strconv.Atoi(props["task.id"])
	s.topic = props["topic"]
	s.total, _ = strconv.Atoi(props["records"])
	s.mode = props["mode."+props["task.id"]]
	off, err := tc.OffsetStorageReader().Offset(context.Background(), map[string]any{"task": s.id})
	if err != nil {
		return err
	}
	if off != nil {
		s.next = int(off["pos"].(int64)) + 1
	}
	return nil
}

func (s *testSourceTask) Poll(ctx context.Context) ([]*connect.Record, error) {
	s.env.mu.Lock()
	s.env.polls[s.id]++
	s.env.mu.Unlock()
	switch s.mode {
	case "panic":
		panic("test task exploded")
	case "hang": // ignores ctx, like a badly written plugin
		<-s.env.block
		return nil, nil
	}
	if s.next >= s.total {
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Millisecond):
		}
		return nil, nil
	}
	var recs []*connect.Record
	for ; s.next < s.total && len(recs) < 100; s.next++ {
		recs = append(recs, &connect.Record{
			Topic: s.topic, Partition: -1,
			Key:             fmt.Sprintf("t%d", s.id),
			Value:           fmt.Sprintf("%d-%d", s.id, s.next),
			Headers:         []connect.Header{{Key: "h", Value: "v"}},
			SourcePartition: map[string]any{"task": s.id},
			SourceOffset:    map[string]any{"pos": s.next},
		})
	}
	return recs, nil
}

func (s *testSourceTask) Stop() error { return nil }

func (s *testSourceTask) Commit() error {
	s.env.mu.Lock()
	s.env.commits++
	s.env.mu.Unlock()
	return nil
}

func (s *testSourceTask) CommitRecord(_ *connect.Record, md *connect.RecordMetadata) error {
	if md != nil {
		s.env.mu.Lock()
		s.env.acked++
		s.env.mu.Unlock()
	}
	return nil
}

type testSink struct {
	env   *env
	props map[string]string
}

func (c *testSink) Version() string           { return "1" }
func (c *testSink) Config() *config.Def       { return config.NewDef() }
func (c *testSink) Stop() error               { return nil }
func (c *testSink) NewTask() connect.SinkTask { return &testSinkTask{env: c.env} }
func (c *testSink) Start(_ connect.ConnectorContext, p map[string]string) error {
	c.props = p
	return nil
}
func (c *testSink) TaskConfigs(max int) ([]map[string]string, error) {
	return []map[string]string{{}}, nil
}

type testSinkTask struct {
	env    *env
	ctx    connect.SinkTaskContext
	opened int
}

func (s *testSinkTask) Start(tc connect.SinkTaskContext, _ map[string]string) error {
	s.ctx = tc
	return nil
}

func (s *testSinkTask) Open(parts []connect.TopicPartition) error {
	s.opened += len(parts)
	return nil
}

func (s *testSinkTask) Close([]connect.TopicPartition) error { return nil }

func (s *testSinkTask) Put(_ context.Context, recs []*connect.Record) error {
	if len(recs) == 0 {
		return nil
	}
	s.env.mu.Lock()
	hook := s.env.sinkHook
	s.env.mu.Unlock()
	if hook != nil {
		if err := hook(recs); err != nil {
			return err
		}
	}
	s.env.mu.Lock()
	defer s.env.mu.Unlock()
	offs := make([]int64, len(recs))
	for i, r := range recs {
		offs[i] = r.Offset
		s.env.received[r.Value.(string)]++
	}
	s.env.puts = append(s.env.puts, offs)
	return nil
}

func (s *testSinkTask) Stop() error { return nil }

func (s *testSinkTask) Flush(_ context.Context, offsets map[connect.TopicPartition]int64) error {
	s.env.mu.Lock()
	hook := s.env.flushHook
	s.env.mu.Unlock()
	if hook == nil {
		return nil
	}
	return hook(offsets)
}

// stringConverter converts strings and []byte; with upper it upper-cases on the
// way in, so tests can see which converter ran.
type stringConverter struct {
	upper bool
	props map[string]string
}

func (c *stringConverter) Config() *config.Def { return config.NewDef() }
func (c *stringConverter) Configure(props map[string]string, _ bool) error {
	c.props = props
	return nil
}
func (c *stringConverter) FromConnectData(_ string, _ []connect.Header, _ *data.Schema, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if c.upper {
			x = "U:" + x
		}
		return []byte(x), nil
	case []byte:
		return x, nil
	}
	return nil, fmt.Errorf("%w: unsupported %T", data.ErrData, v)
}
func (c *stringConverter) ToConnectData(_ string, _ []connect.Header, b []byte) (*data.Schema, any, error) {
	if b == nil {
		return nil, nil, nil
	}
	return nil, string(b), nil
}

// HeaderConverter side.
func (c *stringConverter) FromConnectHeader(topic, _ string, s *data.Schema, v any) ([]byte, error) {
	return c.FromConnectData(topic, nil, s, v)
}
func (c *stringConverter) ToConnectHeader(topic, _ string, b []byte) (*data.Schema, any, error) {
	return c.ToConnectData(topic, nil, b)
}

// headerOnly adapts Configure for the HeaderConverter interface.
type headerOnly struct{ *stringConverter }

func (h headerOnly) Configure(props map[string]string) error {
	return h.stringConverter.Configure(props, false)
}

// dropEven drops records whose value ends in an even digit.
type dropEven struct{}

func (dropEven) Config() *config.Def               { return config.NewDef() }
func (dropEven) Configure(map[string]string) error { return nil }
func (dropEven) Close() error                      { return nil }
func (dropEven) Apply(r *connect.Record) (*connect.Record, error) {
	s, _ := r.Value.(string)
	if s != "" && (s[len(s)-1]-'0')%2 == 0 {
		return nil, nil
	}
	return r, nil
}

// topicIs is true for records of the topic in its "topic" property.
type topicIs struct{ topic string }

func (p *topicIs) Config() *config.Def { return config.NewDef() }
func (p *topicIs) Configure(props map[string]string) error {
	p.topic = props["topic"]
	return nil
}
func (p *topicIs) Test(r *connect.Record) (bool, error) { return r.Topic == p.topic, nil }
func (p *topicIs) Close() error                         { return nil }

// cluster starts a kfake cluster with the given topics (partitions each).
func cluster(t *testing.T, partitions int32, topics ...string) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func newTestWorker(t *testing.T, e *env, c *kfake.Cluster, offsets OffsetStore, st *statuses) *Worker {
	t.Helper()
	if offsets == nil {
		offsets = storage.NewMemoryOffsetStore()
	}
	w, err := New(Config{
		WorkerID: "test:8083",
		Props: map[string]string{
			"bootstrap.servers": c.ListenAddrs()[0],
			"key.converter":     "com.example.StringConverter",
			"value.converter":   "com.example.StringConverter",
		},
		OffsetFlushInterval: 50 * time.Millisecond,
		OffsetFlushTimeout:  5 * time.Second,
		GracefulShutdown:    5 * time.Second,
	}, e.registry(), offsets, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		close(e.block)
		w.Close()
		w.Wait()
	})
	return w
}

// consumeAll reads every record of topic from the start until n arrived.
func consumeAll(t *testing.T, c *kfake.Cluster, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of %d records of %s", len(out), n, topic)
		}
		out = append(out, fs.Records()...)
	}
	return out
}

// odd reports whether a value's last character is an odd digit.
func odd(s string) bool { return s != "" && (s[len(s)-1]-'0')%2 == 1 }

// pickyConverter is a string converter that cannot read odd values (a data error,
// like malformed JSON).
type pickyConverter struct{}

func (pickyConverter) Config() *config.Def                     { return config.NewDef() }
func (pickyConverter) Configure(map[string]string, bool) error { return nil }
func (pickyConverter) FromConnectData(_ string, _ []connect.Header, _ *data.Schema, v any) ([]byte, error) {
	return []byte(fmt.Sprint(v)), nil
}
func (pickyConverter) ToConnectData(_ string, _ []connect.Header, b []byte) (*data.Schema, any, error) {
	if odd(string(b)) {
		return nil, nil, data.Errorf("cannot read %q", b)
	}
	return nil, string(b), nil
}

// failOdd fails on records whose value is odd.
type failOdd struct{}

func (failOdd) Config() *config.Def               { return config.NewDef() }
func (failOdd) Configure(map[string]string) error { return nil }
func (failOdd) Close() error                      { return nil }
func (failOdd) Apply(r *connect.Record) (*connect.Record, error) {
	if s, _ := r.Value.(string); odd(s) {
		return nil, data.Errorf("odd value %s", s)
	}
	return r, nil
}
