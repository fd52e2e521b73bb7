package logging

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/google/go-cmp/cmp"
)

func newTestRegistry(t *testing.T, buf *bytes.Buffer) (*Registry, *time.Time) {
	t.Helper()
	now := time.UnixMilli(1_700_000_000_000)
	r, err := New(buf, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return r, &now
}

func ms(v int64) *int64 { return &v }

func TestHierarchyAndSet(t *testing.T) {
	var buf bytes.Buffer
	r, now := newTestRegistry(t, &buf)
	r.Logger("org.apache.kafka.connect.runtime.Worker")
	r.Logger("org.apache.kafka.connect.runtime.standalone.StandaloneHerder")
	r.Logger("org.apache.kafka.connect.runtimeX")
	r.Logger("org.apache.kafka.clients.NetworkClient")

	want := map[string]herder.LoggerLevel{
		"root": {Level: "INFO"},
		"org.apache.kafka.connect.runtime.Worker":                      {Level: "INFO"},
		"org.apache.kafka.connect.runtime.standalone.StandaloneHerder": {Level: "INFO"},
		"org.apache.kafka.connect.runtimeX":                            {Level: "INFO"},
		"org.apache.kafka.clients.NetworkClient":                       {Level: "INFO"},
	}
	if diff := cmp.Diff(want, r.All()); diff != "" {
		t.Fatalf("All (-want +got):\n%s", diff)
	}

	got, err := r.Set("org.apache.kafka.connect.runtime", "debug")
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{
		"org.apache.kafka.connect.runtime",
		"org.apache.kafka.connect.runtime.Worker",
		"org.apache.kafka.connect.runtime.standalone.StandaloneHerder",
	}
	if diff := cmp.Diff(wantNames, got); diff != "" {
		t.Errorf("Set result (-want +got):\n%s", diff)
	}
	if l, ok := r.Get("org.apache.kafka.connect.runtime.Worker"); !ok || l.Level != "DEBUG" || l.LastModified == nil || *l.LastModified != 1_700_000_000_000 {
		t.Errorf("Get Worker = %+v, %v", l, ok)
	}
	if l, _ := r.Get("org.apache.kafka.connect.runtimeX"); l.Level != "INFO" || l.LastModified != nil {
		t.Errorf("sibling with shared prefix changed: %+v", l)
	}

	// A logger created later below a set logger inherits its level.
	r.Logger("org.apache.kafka.connect.runtime.WorkerSinkTask")
	if l, _ := r.Get("org.apache.kafka.connect.runtime.WorkerSinkTask"); l.Level != "DEBUG" || l.LastModified != nil {
		t.Errorf("new child = %+v, want inherited DEBUG, null last_modified", l)
	}

	// Setting the same level again keeps last_modified.
	*now = now.Add(time.Second)
	if _, err := r.Set("org.apache.kafka.connect.runtime.Worker", "DEBUG"); err != nil {
		t.Fatal(err)
	}
	if l, _ := r.Get("org.apache.kafka.connect.runtime.Worker"); *l.LastModified != 1_700_000_000_000 {
		t.Errorf("unchanged level bumped last_modified: %d", *l.LastModified)
	}

	// Root covers every logger.
	got, err = r.Set("root", "WARN")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(r.All()) || got[len(got)-1] != "root" {
		t.Errorf("Set root affected %v", got)
	}
	if l, _ := r.Get("root"); l.Level != "WARN" || l.LastModified == nil || *l.LastModified != 1_700_000_001_000 {
		t.Errorf("root = %+v", l)
	}
}

func TestSetUnknownLoggerCreatesIt(t *testing.T) {
	var buf bytes.Buffer
	r, _ := newTestRegistry(t, &buf)
	if _, ok := r.Get("nope"); ok {
		t.Fatal("Get(nope) found a logger")
	}
	got, err := r.Set("com.example", "ERROR")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"com.example"}, got); diff != "" {
		t.Error(diff)
	}
	if l, ok := r.Get("com.example"); !ok || l.Level != "ERROR" || *l.LastModified != 1_700_000_000_000 {
		t.Errorf("Get = %+v %v", l, ok)
	}
}

func TestSetInvalidLevel(t *testing.T) {
	var buf bytes.Buffer
	r, _ := newTestRegistry(t, &buf)
	_, err := r.Set("root", "LOUD")
	if err == nil || err.Error() != "invalid log level 'LOUD'." {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, ErrInvalidLevel) || !errors.Is(err, herder.ErrNotFound) {
		t.Errorf("err %v does not match ErrInvalidLevel and herder.ErrNotFound", err)
	}
	for _, l := range []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF", "trace"} {
		if _, err := r.Set("x", l); err != nil {
			t.Errorf("Set(%s): %v", l, err)
		}
	}
}

func TestLoggerFollowsRegistry(t *testing.T) {
	var buf bytes.Buffer
	r, _ := newTestRegistry(t, &buf)
	log := r.Logger("a.b").With("k", "v")
	log.Debug("hidden")
	log.Info("shown")
	if _, err := r.Set("a", "DEBUG"); err != nil {
		t.Fatal(err)
	}
	log.Debug("now shown")
	log.Log(context.Background(), LevelTrace, "trace hidden")
	if _, err := r.Set("a.b", "OFF"); err != nil {
		t.Fatal(err)
	}
	log.Error("off")
	out := buf.String()
	for _, want := range []string{"level=INFO msg=shown logger=a.b k=v", "level=DEBUG msg=\"now shown\""} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, not := range []string{"hidden", "msg=off"} {
		if strings.Contains(out, not) {
			t.Errorf("output has %q:\n%s", not, out)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	var buf syncBuffer
	r, err := New(&buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := r.Logger("p.c" + string(rune('0'+i)))
			for range 50 {
				l.Info("x")
				_, _ = r.Set("p", "INFO")
				r.All()
			}
		}()
	}
	wg.Wait()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func TestNewInvalidRootLevel(t *testing.T) {
	if _, err := New(&bytes.Buffer{}, Options{Level: "chatty"}); !errors.Is(err, ErrInvalidLevel) {
		t.Errorf("New with bad level: %v", err)
	}
}

// TestGetAncestorOfKnownLogger: as with Log4j in Java, a package logger above known
// loggers can be read (GET /admin/loggers/org.apache.kafka.connect), unrelated
// names cannot.
func TestGetAncestorOfKnownLogger(t *testing.T) {
	r, _ := newTestRegistry(t, &bytes.Buffer{})
	r.Logger("org.apache.kafka.connect.runtime.Worker")
	got, ok := r.Get("org.apache.kafka.connect")
	if !ok || got.Level != "INFO" || got.LastModified != nil {
		t.Fatalf("Get(org.apache.kafka.connect) = %+v, %v; want INFO, never modified", got, ok)
	}
	if _, ok := r.Get("org.apache.kafka.conn"); ok {
		t.Fatal("a name that is not a dotted ancestor must not exist")
	}
}
