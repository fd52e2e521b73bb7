package kafkastore

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/internal/storage"
)

// What a goconnect worker must see after taking over the golden Java cluster's
// topics (shared by the e2e run on Java's real topics and the kfake replay).

func checkTakeoverSnapshot(t *testing.T, s *Snapshot) {
	t.Helper()
	conn := func(file, name string) map[string]string {
		return map[string]string{
			"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
			"file":            goldenSourceDir + "/" + file, "tasks.max": "1", "topic": "golden-lines", "name": name,
		}
	}
	want := map[string]map[string]string{"file-src": conn("in.txt", "file-src"), "file-stopped": conn("other.txt", "file-stopped")}
	if d := cmp.Diff(want, s.Connectors); d != "" {
		t.Errorf("connectors (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]TargetState{"file-src": TargetPaused, "file-stopped": TargetStopped}, s.TargetStates); d != "" {
		t.Errorf("target states (-want +got):\n%s", d)
	}
	task := conn("in.txt", "file-src")
	task["task.class"] = "org.apache.kafka.connect.file.FileStreamSourceTask"
	if d := cmp.Diff([]map[string]string{task}, s.Tasks("file-src")); d != "" {
		t.Errorf("file-src tasks (-want +got):\n%s", d)
	}
	if s.Tasks("file-stopped") != nil || len(s.Inconsistent) != 0 {
		t.Errorf("file-stopped tasks %v, inconsistent %v", s.Tasks("file-stopped"), s.Inconsistent)
	}
	if s.SessionKey == nil || s.SessionKey.Algorithm != "HmacSHA256" || len(s.SessionKey.Key) != 32 {
		t.Errorf("session key %+v", s.SessionKey)
	}
	if s.Offset != 14 {
		t.Errorf("config offset %d, want 14", s.Offset)
	}
}

func checkTakeoverOffsets(ctx context.Context, t *testing.T, s *OffsetStore) {
	t.Helper()
	// The source task's lookup: goconnect's own encoding of the partition must
	// find the bytes Java wrote.
	key, err := storage.OffsetKey("file-src", map[string]any{"filename": goldenSourceFile})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, [][]byte{key})
	if err != nil {
		t.Fatal(err)
	}
	off, err := storage.ParseOffsetValue(got[string(key)])
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]any{"position": int64(14)}, off); d != "" {
		t.Errorf("offset of %s (-want +got):\n%s", key, d)
	}
}

func checkTakeoverStatuses(t *testing.T, s *StatusStore) {
	t.Helper()
	if d := cmp.Diff([]string{"file-src", "file-stopped"}, s.Connectors()); d != "" {
		t.Errorf("connectors with a status (-want +got):\n%s", d)
	}
	for _, c := range []string{"file-src", "file-stopped"} {
		if st, _ := s.Connector(c); st.State != StateUnassigned || st.WorkerID == "" {
			t.Errorf("%s: status %+v, want UNASSIGNED after the Java worker stopped", c, st)
		}
	}
	if st, ok := s.Task(TaskID{"file-src", 0}); !ok || st.State != StateUnassigned {
		t.Errorf("file-src task 0: %+v", st)
	}
	if _, ok := s.Task(TaskID{"to-delete", 0}); ok {
		t.Error("deleted connector's task still has a status")
	}
	if ts := s.Topics("file-src"); ts["golden-lines"].Task != 0 || ts["golden-lines"].Connector != "file-src" {
		t.Errorf("topics %+v", ts)
	}
}

// replayGolden writes a golden file's records into a kfake topic, each into the
// partition Java wrote it to.
func replayGolden(ctx context.Context, t *testing.T, opts []kgo.Opt, topic string, recs []goldenRecord) {
	t.Helper()
	cl, err := kgo.NewClient(append(opts, kgo.RecordPartitioner(kgo.ManualPartitioner()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, r := range recs {
		rec := &kgo.Record{Topic: topic, Partition: r.P, Key: []byte(r.Key), Value: r.value()}
		if err := cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTakeoverFromJavaGoldens replays the records Java Connect 4.3.1 wrote into a
// fake broker and opens goconnect's stores on them.
func TestTakeoverFromJavaGoldens(t *testing.T) {
	opts, adm := fakeCluster(t)
	ctx := testCtx(t)
	specs := map[string]TopicSpec{
		"config.jsonl":  spec("java-configs", ConfigTopicKey, 1),
		"offsets.jsonl": spec("java-offsets", OffsetTopicKey, goldenOffsetsPar),
		"status.jsonl":  spec("java-status", StatusTopicKey, 5),
	}
	for file, s := range specs {
		if _, err := EnsureTopic(ctx, adm, s, nil); err != nil {
			t.Fatal(err)
		}
		replayGolden(ctx, t, opts, s.Name, readGolden(t, file))
	}
	cs, err := OpenConfigStore(ctx, StoreConfig{Topic: specs["config.jsonl"], Client: opts, Admin: adm}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	checkTakeoverSnapshot(t, cs.Snapshot())
	if cs.Snapshot().SessionKey.Created != time.UnixMilli(goldenTimestamp) {
		t.Errorf("session key created %v", cs.Snapshot().SessionKey.Created)
	}
	ofs, err := OpenOffsetStore(ctx, StoreConfig{Topic: specs["offsets.jsonl"], Client: opts, Admin: adm})
	if err != nil {
		t.Fatal(err)
	}
	defer ofs.Close()
	checkTakeoverOffsets(ctx, t, ofs)
	ss, err := OpenStatusStore(ctx, StoreConfig{Topic: specs["status.jsonl"], Client: opts, Admin: adm})
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	checkTakeoverStatuses(t, ss)
}
