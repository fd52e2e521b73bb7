package kafkastore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestLogReadToEnd(t *testing.T) {
	opts, adm := fakeCluster(t)
	ctx := testCtx(t)
	if _, err := EnsureTopic(ctx, adm, spec("log", OffsetTopicKey, 3), nil); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]string{}
	l, err := OpenLog(ctx, LogConfig{Topic: "log", Client: opts, OnRecord: func(r *kgo.Record) {
		mu.Lock()
		seen[string(r.Key)] = string(r.Value)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var recs []KV
	for i := range 50 {
		recs = append(recs, KV{Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, "v%d", i)})
	}
	if err := l.Send(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	if err := l.ReadToEnd(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	n := len(seen)
	mu.Unlock()
	if n != 50 {
		t.Fatalf("after ReadToEnd the callback saw %d records, want 50", n)
	}

	// A second log sees everything once open returns: open reads to the end.
	count := 0
	l2, err := OpenLog(ctx, LogConfig{Topic: "log", Client: opts, OnRecord: func(*kgo.Record) { count++ }})
	if err != nil {
		t.Fatal(err)
	}
	l2.Close()
	if count != 50 {
		t.Errorf("second log saw %d records on open, want 50", count)
	}
	if err := l2.ReadToEnd(ctx); err != ErrClosed {
		t.Errorf("ReadToEnd after Close = %v, want ErrClosed", err)
	}
}

// TestPartitionerIsJavas checks that records written through a Log land in the
// partition Java's producer would choose (murmur2 of the key bytes), both for keys
// Java wrote in the golden run and for arbitrary keys. Java and goconnect writing
// the same offset key into different partitions would make compaction keep both
// and readers see whichever comes last.
func TestPartitionerIsJavas(t *testing.T) {
	for _, r := range readGolden(t, "offsets.jsonl") {
		if got := javaPartition([]byte(r.Key), goldenOffsetsPar); got != r.P {
			t.Errorf("murmur2 port: key %s → %d, Java wrote it to %d", r.Key, got, r.P)
		}
	}
	opts, adm := fakeCluster(t)
	ctx := testCtx(t)
	if _, err := EnsureTopic(ctx, adm, spec("offsets", OffsetTopicKey, goldenOffsetsPar), nil); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]int32{}
	l, err := OpenLog(ctx, LogConfig{Topic: "offsets", Client: opts, OnRecord: func(r *kgo.Record) {
		mu.Lock()
		got[string(r.Key)] = r.Partition
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	keys := []string{`["file-src",{"filename":"/tmp/in.txt"}]`, "", "a", "ab", "abc", "abcd", "status-task-x-0"}
	for _, r := range readGolden(t, "offsets.jsonl") {
		keys = append(keys, r.Key)
	}
	for i := range 40 {
		keys = append(keys, fmt.Sprintf(`["c%d",{"p":%d}]`, i, i*7919))
	}
	var recs []KV
	for _, k := range keys {
		recs = append(recs, KV{Key: []byte(k), Value: []byte("{}")})
	}
	if err := l.Send(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	if err := l.ReadToEnd(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, k := range keys {
		if want := javaPartition([]byte(k), goldenOffsetsPar); got[k] != want {
			t.Errorf("key %q: franz-go partition %d, Java %d", k, got[k], want)
		}
	}
}

// TestListRetryingRetriesTopicRace: the offsets listing behind ReadToEnd rides out the
// moment after another worker created the topic (UNKNOWN_TOPIC_OR_PARTITION), but
// gives up at once on a non-retriable error.
func TestListRetryingRetriesTopicRace(t *testing.T) {
	ctx := testCtx(t)
	calls := 0
	racy := func(context.Context, ...string) (kadm.ListedOffsets, error) {
		calls++
		if calls < 3 {
			return nil, kerr.UnknownTopicOrPartition
		}
		return kadm.ListedOffsets{"t": {0: {Topic: "t", Partition: 0, Offset: 7}}}, nil
	}
	offs, err := listRetrying(ctx, racy, "t")
	if err != nil || calls != 3 {
		t.Fatalf("err = %v after %d calls, want success on the 3rd", err, calls)
	}
	if o, _ := offs.Lookup("t", 0); o.Offset != 7 {
		t.Fatalf("offset = %d, want 7", o.Offset)
	}
	calls = 0
	denied := func(context.Context, ...string) (kadm.ListedOffsets, error) {
		calls++
		return nil, kerr.TopicAuthorizationFailed
	}
	if _, err := listRetrying(ctx, denied, "t"); !errors.Is(err, kerr.TopicAuthorizationFailed) || calls != 1 {
		t.Fatalf("err = %v after %d calls, want TOPIC_AUTHORIZATION_FAILED at once", err, calls)
	}
}
