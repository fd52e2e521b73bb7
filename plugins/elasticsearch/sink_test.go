package elasticsearch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/connect"
)

// These tests use httptest servers to script _bulk answers that a real server
// gives only under load or failure (429, 503, per-item errors); the behaviour
// against a real OpenSearch is tested end to end in test/e2e/elasticsearch_test.go.

type fakeContext struct {
	rep connect.ErrantRecordReporter
}

func (f *fakeContext) Config() map[string]string                          { return nil }
func (f *fakeContext) Offset(map[connect.TopicPartition]int64)            {}
func (f *fakeContext) Timeout(time.Duration)                              {}
func (f *fakeContext) Assignment() []connect.TopicPartition               { return nil }
func (f *fakeContext) Pause(...connect.TopicPartition)                    {}
func (f *fakeContext) Resume(...connect.TopicPartition)                   {}
func (f *fakeContext) RequestCommit()                                     {}
func (f *fakeContext) ErrantRecordReporter() connect.ErrantRecordReporter { return f.rep }

type reporter struct {
	mu  sync.Mutex
	got []string
}

func (r *reporter) Report(_ context.Context, rec *connect.Record, err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, fmt.Sprintf("%d: %v", rec.Offset, err))
	return nil
}

// bulkServer answers HEAD/PUT index calls with 200 and _bulk with answer(call, ids).
type bulkServer struct {
	mu     sync.Mutex
	calls  [][]string // ids per _bulk call
	answer func(call int, ids []string) (int, []string)
}

func (s *bulkServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/_bulk" {
		w.WriteHeader(200)
		w.Write([]byte(`{}`))
		return
	}
	var ids, ops []string
	sc := bufio.NewScanner(r.Body)
	for sc.Scan() {
		var m map[string]map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			continue
		}
		for op, meta := range m {
			if id, ok := meta["_id"].(string); ok && (op == "index" || op == "update" || op == "delete" || op == "create") {
				ids = append(ids, id)
				ops = append(ops, op)
			}
		}
	}
	s.mu.Lock()
	call := len(s.calls)
	s.calls = append(s.calls, ids)
	s.mu.Unlock()
	status, items := s.answer(call, ids)
	w.WriteHeader(status)
	if status != 200 {
		w.Write([]byte(`{"error":"unavailable"}`))
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"took":1,"errors":true,"items":[`)
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{%q:%s}`, ops[i], it)
	}
	b.WriteString(`]}`)
	w.Write(b.Bytes())
}

const (
	itemOK        = `{"status":201,"result":"created"}`
	itemConflict  = `{"status":409,"error":{"type":"version_conflict_engine_exception","reason":"version conflict"}}`
	itemMalformed = `{"status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [n]"}}`
	itemBusy      = `{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected"}}`
)

func startTask(t *testing.T, url string, rep connect.ErrantRecordReporter, extra map[string]string) *SinkTask {
	t.Helper()
	// Synchronous flushes unless a test asks otherwise: PreCommit's answer then says
	// what happened to everything put before it.
	props := map[string]string{"connection.url": url, "retry.backoff.ms": "1", "max.retries": "3", "schema.ignore": "true",
		"flush.synchronously": "true"}
	for k, v := range extra {
		props[k] = v
	}
	task := &SinkTask{}
	if err := task.Start(&fakeContext{rep: rep}, props); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { task.Stop() })
	return task
}

func records(n int) []*connect.Record {
	out := make([]*connect.Record, n)
	for i := range out {
		out[i] = &connect.Record{Topic: "t", Offset: int64(i), Key: fmt.Sprintf("k%d", i), Value: map[string]any{"n": int64(i)}, OriginalTopic: "t"}
	}
	return out
}

var offsets = map[connect.TopicPartition]int64{{Topic: "t"}: 4}

func TestBulkPerItemResults(t *testing.T) {
	srv := &bulkServer{answer: func(call int, ids []string) (int, []string) {
		switch call {
		case 0:
			return 503, nil // whole request retried
		case 1:
			return 200, []string{itemOK, itemBusy, itemConflict, itemMalformed}
		default: // the 429 item alone
			return 200, []string{itemOK}
		}
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	rep := &reporter{}
	task := startTask(t, hs.URL, rep, map[string]string{"behavior.on.malformed.documents": "warn"})
	if err := task.Put(context.Background(), records(4)); err != nil {
		t.Fatal(err)
	}
	got, err := task.PreCommit(context.Background(), offsets)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(offsets, got); d != "" {
		t.Errorf("offsets (-want +got):\n%s", d)
	}
	want := [][]string{{"k0", "k1", "k2", "k3"}, {"k0", "k1", "k2", "k3"}, {"k1"}}
	if d := cmp.Diff(want, srv.calls); d != "" {
		t.Errorf("_bulk calls (-want +got):\n%s", d)
	}
	if len(rep.got) != 1 || !strings.HasPrefix(rep.got[0], "3: ") || !strings.Contains(rep.got[0], "mapper_parsing_exception") {
		t.Errorf("reported %v, want the malformed record 3", rep.got)
	}
}

func TestPreCommitHoldsOffsetsUntilWritten(t *testing.T) {
	var mu sync.Mutex
	down := true
	srv := &bulkServer{answer: func(_ int, ids []string) (int, []string) {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return 503, nil
		}
		items := make([]string, len(ids))
		for i := range items {
			items[i] = itemOK
		}
		return 200, items
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	task := startTask(t, hs.URL, nil, nil)
	if err := task.Put(context.Background(), records(5)); err != nil {
		t.Fatal(err)
	}
	if _, err := task.PreCommit(context.Background(), offsets); err == nil || !strings.Contains(err.Error(), "5 records not written yet") {
		t.Fatalf("PreCommit with the server down: err = %v", err)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	if _, err := task.PreCommit(context.Background(), offsets); err != nil {
		t.Fatalf("PreCommit after recovery: %v", err)
	}
	last := srv.calls[len(srv.calls)-1]
	if d := cmp.Diff([]string{"k0", "k1", "k2", "k3", "k4"}, last); d != "" {
		t.Errorf("resent ids (-want +got):\n%s", d)
	}
}

// TestAsyncPreCommitCommitsOnlyWritten: by default PreCommit does not wait, and
// commits each partition only below its lowest record not written yet.
func TestAsyncPreCommitCommitsOnlyWritten(t *testing.T) {
	release := make(chan struct{})
	srv := &bulkServer{answer: func(call int, ids []string) (int, []string) {
		if ids[0] == "k0" {
			<-release // the first batch hangs until released
		}
		items := make([]string, len(ids))
		for i := range items {
			items[i] = itemOK
		}
		return 200, items
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	task := startTask(t, hs.URL, nil, map[string]string{"flush.synchronously": "false", "batch.size": "2"})
	recs := records(4) // k0,k1 in one batch, k2,k3 in the next
	recs[3].OriginalPartition = 1
	if err := task.Put(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	in := map[connect.TopicPartition]int64{{Topic: "t"}: 3, {Topic: "t", Partition: 1}: 4, {Topic: "t", Partition: 2}: 9}
	want := map[connect.TopicPartition]int64{{Topic: "t"}: 0, {Topic: "t", Partition: 1}: 4, {Topic: "t", Partition: 2}: 9}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := task.PreCommit(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		// Partition 1's only record (k3) is written once the second batch answers;
		// partition 0 stays at k0 while the first batch hangs.
		if cmp.Equal(want, got) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("offsets while k0 is in flight (-want +got):\n%s", cmp.Diff(want, got))
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	want[connect.TopicPartition{Topic: "t"}] = 3
	for {
		got, _ := task.PreCommit(context.Background(), in)
		if cmp.Equal(want, got) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("offsets once all are written (-want +got):\n%s", cmp.Diff(want, got))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBackPressureWhenBufferFull(t *testing.T) {
	srv := &bulkServer{answer: func(int, []string) (int, []string) { return 503, nil }}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	task := startTask(t, hs.URL, nil, map[string]string{"max.buffered.records": "3", "max.retries": "0"})
	if err := task.Put(context.Background(), records(3)); err != nil {
		t.Fatal(err)
	}
	task.PreCommit(context.Background(), offsets) // fails: records wait for retry
	err := task.Put(context.Background(), records(1))
	if !connect.IsRetriable(err) {
		t.Fatalf("Put with a full buffer: err = %v, want a RetriableError", err)
	}
}

func TestMalformedFailWithoutReporterFailsTask(t *testing.T) {
	srv := &bulkServer{answer: func(int, []string) (int, []string) { return 200, []string{itemMalformed} }}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	task := startTask(t, hs.URL, nil, nil)
	if err := task.Put(context.Background(), records(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := task.PreCommit(context.Background(), offsets); err == nil || !strings.Contains(err.Error(), "behavior.on.malformed.documents") {
		t.Fatalf("PreCommit: err = %v", err)
	}
	if err := task.Put(context.Background(), nil); err == nil || connect.IsRetriable(err) {
		t.Fatalf("Put after a fatal error: %v", err)
	}
}

func TestBulkSucceeded(t *testing.T) {
	for body, want := range map[string]bool{
		`{"took":3,"errors":false,"items":[{"index":{"status":201}}]}`:                                    true,
		`{"took":3,"ingest_took":0,"errors":false,"items":[]}`:                                            true,
		`{"took":3,"errors":true,"items":[{"index":{"status":400,"error":{"type":"x","errors":false}}}]}`: false,
		`{"took":3,"items":[{"index":{"status":400,"error":{"type":"x","reason":"\"errors\":false"}}}]}`:  false,
	} {
		if got := bulkSucceeded([]byte(body)); got != want {
			t.Errorf("bulkSucceeded(%s) = %v, want %v", body, got, want)
		}
	}
}

// TestLingerKeepsFillingWhileSlotsBusy: a partial batch whose linger.ms passed
// while the only request slot is busy is not cut; it goes, whole, when the
// request answers.
func TestLingerKeepsFillingWhileSlotsBusy(t *testing.T) {
	release := make(chan struct{})
	srv := &bulkServer{answer: func(call int, ids []string) (int, []string) {
		if call == 0 {
			<-release
		}
		items := make([]string, len(ids))
		for i := range items {
			items[i] = itemOK
		}
		return 200, items
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	task := startTask(t, hs.URL, nil, map[string]string{"flush.synchronously": "false", "max.in.flight.requests": "1",
		"batch.size": "100", "linger.ms": "1", "max.buffered.records": "100"})
	recs := records(5)
	put := func(rs ...*connect.Record) {
		if err := task.Put(context.Background(), rs); err != nil {
			t.Fatal(err)
		}
	}
	put(recs[0], recs[1])
	waitFor(t, func() bool { srv.mu.Lock(); defer srv.mu.Unlock(); return len(srv.calls) == 1 })
	for _, r := range recs[2:] {
		put(r)
		time.Sleep(20 * time.Millisecond) // many linger.ms apart
	}
	close(release)
	waitFor(t, func() bool { srv.mu.Lock(); defer srv.mu.Unlock(); return len(srv.calls) == 2 })
	time.Sleep(50 * time.Millisecond) // nothing else is sent
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if d := cmp.Diff([][]string{{"k0", "k1"}, {"k2", "k3", "k4"}}, srv.calls); d != "" {
		t.Errorf("_bulk calls (-want +got):\n%s", d)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
