package verifiable

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type fakeOffsets map[string]map[string]any

func (o fakeOffsets) Offset(_ context.Context, partition map[string]any) (map[string]any, error) {
	k, err := json.Marshal(partition)
	if err != nil {
		return nil, err
	}
	return o[string(k)], nil
}

type fakeSourceContext struct {
	props   map[string]string
	offsets fakeOffsets
}

func (c *fakeSourceContext) Config() map[string]string                        { return c.props }
func (c *fakeSourceContext) OffsetStorageReader() connect.OffsetStorageReader { return c.offsets }

// fakeClock only moves when told to or when a sleep runs.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

// syncBuffer is a bytes.Buffer safe for the concurrent CommitRecord writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

const t0 = 1700000000000

func TestSourceSeqnoResumesAndPrintsJavaJSON(t *testing.T) {
	clk := &fakeClock{t: time.UnixMilli(t0)}
	var out syncBuffer
	c := NewSourceConnector()
	if err := c.Start(nil, map[string]string{"name": "vs", "topic": "t", "throughput": "-1"}); err != nil {
		t.Fatal(err)
	}
	cfgs, _ := c.TaskConfigs(2)
	if cfgs[0]["id"] != "0" || cfgs[1]["id"] != "1" || cfgs[1]["topic"] != "t" {
		t.Fatalf("task configs = %v", cfgs)
	}
	task := &SourceTask{now: clk.now, sleep: clk.sleep, stdout: &out}
	offs := fakeOffsets{`{"id":1}`: {"seqno": int64(41)}}
	if err := task.Start(&fakeSourceContext{cfgs[1], offs}, cfgs[1]); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	var got []*connect.Record
	for range 3 {
		recs, err := task.Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, recs...)
		clk.advance(time.Millisecond)
	}
	var want []*connect.Record
	for _, s := range []int64{42, 43, 44} {
		want = append(want, &connect.Record{Topic: "t", Partition: -1, KeySchema: data.Int32Schema, Key: int32(1),
			ValueSchema: data.Int64Schema, Value: s,
			SourcePartition: map[string]any{"id": int32(1)}, SourceOffset: map[string]any{"seqno": s}})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("records (-want +got):\n%s", diff)
	}
	if err := task.CommitRecord(got[0], &connect.RecordMetadata{Topic: "t"}); err != nil {
		t.Fatal(err)
	}
	// The lines are buffered (the background flush waits flushDelay) until the
	// runtime's Commit.
	if err := task.Commit(); err != nil {
		t.Fatal(err)
	}
	// The key order is java.util.HashMap's, as Jackson writes it.
	wantOut := `{"task":1,"seqno":42,"time_ms":1700000000000,"name":"vs","topic":"t"}
{"task":1,"seqno":43,"time_ms":1700000000001,"name":"vs","topic":"t"}
{"task":1,"seqno":44,"time_ms":1700000000002,"name":"vs","topic":"t"}
{"committed":true,"task":1,"seqno":42,"time_ms":1700000000003,"name":"vs","topic":"t"}
`
	if diff := cmp.Diff(wantOut, out.String()); diff != "" {
		t.Fatalf("stdout (-want +got):\n%s", diff)
	}
}

func TestSourceStartsAtZeroAndCompleteRecordData(t *testing.T) {
	clk := &fakeClock{t: time.UnixMilli(t0)}
	props := map[string]string{"name": "vs", "id": "0", "topic": "t", "throughput": "-1",
		"complete.record.data": "TRUE", "file": filepath.Join(t.TempDir(), "lines.json")}
	task := &SourceTask{now: clk.now, sleep: clk.sleep}
	if err := task.Start(&fakeSourceContext{props, fakeOffsets{}}, props); err != nil {
		t.Fatal(err)
	}
	recs, err := task.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Stop(); err != nil {
		t.Fatal(err)
	}
	s, ok := recs[0].Value.(*data.Struct)
	if !ok || recs[0].ValueSchema != completeValueSchema {
		t.Fatalf("value = %#v", recs[0].Value)
	}
	if got := s.String(); got != "Struct{name=vs,task=0,topic=t,time_ms=1700000000000,seqno=0}" {
		t.Errorf("value = %s", got)
	}
	// The file key sends the JSON lines to the file.
	b, err := os.ReadFile(props["file"])
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != `{"task":0,"seqno":0,"time_ms":1700000000000,"name":"vs","topic":"t"}`+"\n" {
		t.Errorf("file = %q", got)
	}
}

func TestSourceBadConfig(t *testing.T) {
	for _, props := range []map[string]string{
		{"id": "0", "topic": "t"},                      // no throughput
		{"id": "x", "topic": "t", "throughput": "10"},  // bad id
		{"topic": "t", "throughput": "10"},             // no id
		{"id": "0", "topic": "t", "throughput": "1.5"}, // not a long
	} {
		err := (&SourceTask{}).Start(&fakeSourceContext{props, fakeOffsets{}}, props)
		if err == nil || !strings.HasPrefix(err.Error(), "Invalid VerifiableSourceTask configuration") {
			t.Errorf("Start(%v) = %v", props, err)
		}
	}
}

func TestSourceThroughputBound(t *testing.T) {
	const target = 100 // records per second
	clk := &fakeClock{t: time.UnixMilli(t0)}
	props := map[string]string{"name": "vs", "id": "0", "topic": "t", "throughput": "100"}
	task := &SourceTask{now: clk.now, sleep: clk.sleep, stdout: &syncBuffer{}}
	if err := task.Start(&fakeSourceContext{props, fakeOffsets{}}, props); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	const n = 500
	for range n {
		// The producer itself is fast: 1 ms per record without throttling.
		clk.advance(time.Millisecond)
		if recs, err := task.Poll(context.Background()); err != nil || len(recs) != 1 {
			t.Fatalf("Poll = %v, %v", recs, err)
		}
	}
	elapsed := clk.now().Sub(time.UnixMilli(t0)).Seconds()
	if rate := n / elapsed; rate > target*1.02 || rate < target*0.9 {
		t.Fatalf("rate = %.1f records/s over %.3fs, want about %d", rate, elapsed, target)
	}
	for _, d := range clk.sleeps {
		if d < minSleep {
			t.Fatalf("slept %v, below the %v minimum", d, minSleep)
		}
	}
}

func TestSourceUnthrottledNeverSleeps(t *testing.T) {
	clk := &fakeClock{t: time.UnixMilli(t0)}
	props := map[string]string{"id": "0", "topic": "t", "throughput": "-1"}
	task := &SourceTask{now: clk.now, sleep: clk.sleep, stdout: &syncBuffer{}}
	if err := task.Start(&fakeSourceContext{props, fakeOffsets{}}, props); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	for range 100 {
		clk.advance(time.Millisecond)
		task.Poll(context.Background())
	}
	if len(clk.sleeps) != 0 {
		t.Fatalf("slept %d times", len(clk.sleeps))
	}
}

func TestSourceZeroThroughputBlocksUntilCancelled(t *testing.T) {
	props := map[string]string{"name": "vs", "id": "0", "topic": "t", "throughput": "0"}
	out := &syncBuffer{}
	clk := &fakeClock{t: time.UnixMilli(t0)}
	task := &SourceTask{now: clk.now, sleep: clk.sleep, stdout: out}
	if err := task.Start(&fakeSourceContext{props, fakeOffsets{}}, props); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	// Java's throttler lets the first record through (0 records so far is not above
	// a rate of 0), then blocks.
	if recs, _ := task.Poll(context.Background()); len(recs) != 1 {
		t.Fatalf("first Poll = %v", recs)
	}
	// shouldThrottle needs elapsed time.
	clk.advance(time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan []*connect.Record)
	go func() {
		recs, _ := task.Poll(ctx)
		done <- recs
	}()
	cancel()
	select {
	case recs := <-done:
		if recs != nil {
			t.Fatalf("cancelled Poll returned %v", recs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Poll did not return after ctx was cancelled")
	}
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Fatalf("printed %d lines, want 1", n)
	}
}

func TestSinkPrintsAndFlushes(t *testing.T) {
	clk := &fakeClock{t: time.UnixMilli(t0)}
	var out syncBuffer
	c := NewSinkConnector()
	if err := c.Start(nil, map[string]string{"name": "vk", "topics": "t"}); err != nil {
		t.Fatal(err)
	}
	cfgs, _ := c.TaskConfigs(2)
	task := &SinkTask{now: clk.now, stdout: &out}
	if err := task.Start(nil, cfgs[1]); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	put := []*connect.Record{
		{Topic: "t", Partition: 0, Key: int32(0), Value: int64(5), Offset: 10},
		{Topic: "t", Partition: 1, Key: int32(1), Value: int64(7), Offset: 3},
	}
	if err := task.Put(context.Background(), put); err != nil {
		t.Fatal(err)
	}
	clk.advance(5 * time.Millisecond)
	// Partition 1 is not flushed yet.
	if err := task.Flush(context.Background(), map[connect.TopicPartition]int64{{Topic: "t", Partition: 0}: 11}); err != nil {
		t.Fatal(err)
	}
	clk.advance(5 * time.Millisecond)
	if err := task.Flush(context.Background(), map[connect.TopicPartition]int64{{Topic: "t", Partition: 0}: 11, {Topic: "t", Partition: 1}: 4}); err != nil {
		t.Fatal(err)
	}
	want := `{"task":0,"seqno":5,"offset":10,"time_ms":1700000000000,"name":"vk","topic":"t","sinkTask":1}
{"task":1,"seqno":7,"offset":3,"time_ms":1700000000000,"name":"vk","topic":"t","sinkTask":1}
{"task":0,"seqno":5,"offset":10,"time_ms":1700000000005,"name":"vk","topic":"t","sinkTask":1,"flushed":true}
{"task":1,"seqno":7,"offset":3,"time_ms":1700000000010,"name":"vk","topic":"t","sinkTask":1,"flushed":true}
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Fatalf("stdout (-want +got):\n%s", diff)
	}
}

func TestSinkBadID(t *testing.T) {
	err := (&SinkTask{}).Start(nil, map[string]string{"name": "vk"})
	if err == nil || !strings.HasPrefix(err.Error(), "Invalid VerifiableSourceTask configuration") {
		t.Fatalf("Start = %v", err)
	}
}

func TestJacksonRendering(t *testing.T) {
	s := data.NewStruct(completeValueSchema).Set("name", "n").Set("task", int32(1)).Set("topic", "t").
		Set("time_ms", int64(2)).Set("seqno", int64(3))
	for _, tc := range []struct {
		v    any
		want string
	}{
		{nil, `null`},
		{"q\"b\\s/<>&é\n\t\r\b\f\x01\x1f", `"q\"b\\s/<>&é\n\t\r\b\f\u0001\u001F"`},
		{1.0, `1.0`},
		{1e10, `1.0E10`},
		{float32(0.1), `0.1`},
		{math.NaN(), `"NaN"`},
		{[]byte("hi"), `"aGk="`},
		{[]any{int64(1), "a", nil}, `[1,"a",null]`},
		{map[string]any{"b": true}, `{"b":true}`},
		{s, `{"name":"n","task":1,"topic":"t","time_ms":2,"seqno":3}`},
	} {
		if got := string(appendValue(nil, tc.v)); got != tc.want {
			t.Errorf("appendValue(%#v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}

func TestConnectorConfigDeclaresOnlyFile(t *testing.T) {
	for _, c := range []connect.Connector{NewSourceConnector(), NewSinkConnector()} {
		keys := c.Config().Keys()
		if len(keys) != 1 || keys[0].Name != "file" || keys[0].Required() {
			t.Errorf("%T config = %+v", c, keys)
		}
		if c.Version() != "4.3.1" {
			t.Errorf("%T version = %q", c, c.Version())
		}
	}
}

// TestSourceOutputFlushedWithoutCommit: buffered lines reach the output on their own
// (after flushDelay), without a Commit or Stop, and byte for byte.
func TestSourceOutputFlushedWithoutCommit(t *testing.T) {
	clk := &fakeClock{t: time.UnixMilli(t0)}
	props := map[string]string{"name": "vs", "id": "0", "topic": "t", "throughput": "-1"}
	out := &syncBuffer{}
	task := &SourceTask{now: clk.now, sleep: clk.sleep, stdout: out}
	if err := task.Start(&fakeSourceContext{props, fakeOffsets{}}, props); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	var want strings.Builder
	for i := range 3000 { // more than maxBuffered bytes: one write happens at once
		if _, err := task.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&want, `{"task":0,"seqno":%d,"time_ms":1700000000000,"name":"vs","topic":"t"}`+"\n", i)
	}
	if n := len(out.String()); n == 0 || n == want.Len() {
		t.Errorf("%d of %d bytes written before the background flush, want some but not all", n, want.Len())
	}
	deadline := time.Now().Add(10 * time.Second)
	for out.String() != want.String() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if diff := cmp.Diff(want.String(), out.String()); diff != "" {
		t.Fatalf("stdout (-want +got):\n%s", diff)
	}
}
