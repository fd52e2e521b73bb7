package file

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// fakeOffsets is an OffsetStorageReader over offsets keyed by the partition's JSON,
// as the runtime looks them up.
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

// startSource starts a task on file with extra props; a committed position is set
// when pos >= 0. The idle wait is shortened so tests do not sit out Java's second.
func startSource(t *testing.T, file string, pos int64, extra map[string]string) *SourceTask {
	t.Helper()
	props := map[string]string{"topic": "lines", "file": file}
	for k, v := range extra {
		props[k] = v
	}
	offs := fakeOffsets{}
	if pos >= 0 {
		offs[`{"filename":"`+file+`"}`] = map[string]any{"position": pos}
	}
	task := &SourceTask{idle: 10 * time.Millisecond, now: func() time.Time { return time.UnixMilli(1700000000000) }}
	if err := task.Start(&fakeSourceContext{props: props, offsets: offs}, props); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { task.Stop() })
	return task
}

type line struct {
	Value    string
	Position any
}

func lines(recs []*connect.Record) []line {
	var out []line
	for _, r := range recs {
		out = append(out, line{r.Value.(string), r.SourceOffset["position"]})
	}
	return out
}

// pollUntil polls until want lines arrived in total or the deadline passes.
func pollUntil(t *testing.T, task *SourceTask, n int) []*connect.Record {
	t.Helper()
	var got []*connect.Record
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		recs, err := task.Poll(context.Background())
		if err != nil {
			t.Fatalf("Poll: %v", err)
		}
		got = append(got, recs...)
	}
	return got
}

func appendFile(t *testing.T, name, s string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSourceReadsLinesWithJavaSplitting(t *testing.T) {
	name := filepath.Join(t.TempDir(), "in.txt")
	// \n, \r\n, lone \r, an empty line, and a partial last line.
	appendFile(t, name, "a\nbb\r\nccc\rd\n\nrest")
	task := startSource(t, name, -1, nil)
	got := pollUntil(t, task, 5)
	want := []line{{"a", int64(2)}, {"bb", int64(6)}, {"ccc", int64(10)}, {"d", int64(12)}, {"", int64(13)}}
	if diff := cmp.Diff(want, lines(got)); diff != "" {
		t.Fatalf("lines (-want +got):\n%s", diff)
	}
	r := got[0]
	if r.Topic != "lines" || r.Partition != -1 || r.Key != nil || r.KeySchema != nil || r.ValueSchema != data.StringSchema {
		t.Errorf("record shape = %+v", r)
	}
	if diff := cmp.Diff(map[string]any{"filename": name}, r.SourcePartition); diff != "" {
		t.Errorf("partition (-want +got):\n%s", diff)
	}
	if !r.Timestamp.Equal(time.UnixMilli(1700000000000)) {
		t.Errorf("timestamp = %v", r.Timestamp)
	}

	// The partial line is completed by an append; nothing more until then.
	if recs, err := task.Poll(context.Background()); err != nil || len(recs) != 0 {
		t.Fatalf("Poll without new data = %v, %v; want nothing", recs, err)
	}
	appendFile(t, name, "-end\n")
	got = pollUntil(t, task, 1)
	if diff := cmp.Diff([]line{{"rest-end", int64(22)}}, lines(got)); diff != "" {
		t.Fatalf("appended line (-want +got):\n%s", diff)
	}
}

func TestSourceTrailingCRWaitsForNextByte(t *testing.T) {
	name := filepath.Join(t.TempDir(), "in.txt")
	appendFile(t, name, "x\r")
	task := startSource(t, name, -1, nil)
	if recs, err := task.Poll(context.Background()); err != nil || len(recs) != 0 {
		t.Fatalf("Poll = %v, %v; want no line before the byte after \\r", recs, err)
	}
	appendFile(t, name, "\ny\r")
	got := pollUntil(t, task, 1)
	// "x\r\n" is one line ending at 3, not "x" at 2 plus an empty line.
	if diff := cmp.Diff([]line{{"x", int64(3)}}, lines(got)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	appendFile(t, name, "z\n")
	got = pollUntil(t, task, 2)
	if diff := cmp.Diff([]line{{"y", int64(5)}, {"z", int64(7)}}, lines(got)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestSourceResumesFromCommittedPosition(t *testing.T) {
	name := filepath.Join(t.TempDir(), "in.txt")
	appendFile(t, name, "one\ntwo\nthree\n")
	task := startSource(t, name, 4, nil)
	got := pollUntil(t, task, 2)
	if diff := cmp.Diff([]line{{"two", int64(8)}, {"three", int64(14)}}, lines(got)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestSourceCountsBytesOfNonASCII(t *testing.T) {
	name := filepath.Join(t.TempDir(), "in.txt")
	appendFile(t, name, "héllo\n€\n\xffz\n")
	task := startSource(t, name, -1, nil)
	got := pollUntil(t, task, 3)
	want := []line{{"héllo", int64(7)}, {"€", int64(11)}, {"\uFFFDz", int64(14)}}
	if diff := cmp.Diff(want, lines(got)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	// A restart at the committed byte position continues exactly after "héllo".
	task2 := startSource(t, name, 7, nil)
	got = pollUntil(t, task2, 2)
	if diff := cmp.Diff(want[1:], lines(got)); diff != "" {
		t.Fatalf("resumed (-want +got):\n%s", diff)
	}
}

func TestSourceBatchSize(t *testing.T) {
	name := filepath.Join(t.TempDir(), "in.txt")
	var sb strings.Builder
	for range 7 {
		sb.WriteString("l\n")
	}
	appendFile(t, name, sb.String())
	task := startSource(t, name, -1, map[string]string{"batch.size": "3"})
	var sizes []int
	for range 3 {
		recs, err := task.Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(recs))
	}
	// The lines already buffered when a batch fills come with the next poll, without
	// waiting for more data to be appended.
	if diff := cmp.Diff([]int{3, 3, 1}, sizes); diff != "" {
		t.Fatalf("batch sizes (-want +got):\n%s", diff)
	}
}

func TestSourceWaitsForFileToExist(t *testing.T) {
	name := filepath.Join(t.TempDir(), "later.txt")
	task := startSource(t, name, -1, nil)
	if recs, err := task.Poll(context.Background()); err != nil || recs != nil {
		t.Fatalf("Poll on a missing file = %v, %v; want nil, nil", recs, err)
	}
	appendFile(t, name, "hi\n")
	got := pollUntil(t, task, 1)
	if diff := cmp.Diff([]line{{"hi", int64(3)}}, lines(got)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestSourcePositionWrongType(t *testing.T) {
	name := filepath.Join(t.TempDir(), "in.txt")
	appendFile(t, name, "x\n")
	props := map[string]string{"topic": "t", "file": name}
	offs := fakeOffsets{`{"filename":"` + name + `"}`: {"position": "12"}}
	task := &SourceTask{idle: time.Millisecond}
	if err := task.Start(&fakeSourceContext{props, offs}, props); err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	if _, err := task.Poll(context.Background()); !errors.Is(err, ErrPositionType) || err.Error() != "Offset position is the incorrect type" {
		t.Fatalf("Poll error = %v, want %v", err, ErrPositionType)
	}
}

func TestSourcePollReturnsPromptlyOnCancel(t *testing.T) {
	for _, tc := range []struct {
		name string
		file func(dir string) string
	}{
		{"idle file", func(dir string) string {
			n := filepath.Join(dir, "in.txt")
			appendFile(t, n, "")
			return n
		}},
		{"missing file", func(dir string) string { return filepath.Join(dir, "missing.txt") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{"topic": "t", "file": tc.file(t.TempDir())}
			task := &SourceTask{idle: time.Hour}
			if err := task.Start(&fakeSourceContext{props, fakeOffsets{}}, props); err != nil {
				t.Fatal(err)
			}
			defer task.Stop()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				task.Poll(ctx)
			}()
			cancel()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Poll did not return after ctx was cancelled")
			}
		})
	}
}

func TestSourceStdin(t *testing.T) {
	pr, pw := io.Pipe()
	props := map[string]string{"topic": "t"}
	task := &SourceTask{idle: time.Hour, stdin: pr}
	if err := task.Start(&fakeSourceContext{props, fakeOffsets{}}, props); err != nil {
		t.Fatal(err)
	}
	defer func() {
		task.Stop()
		pw.Close() // ends the reader goroutine
	}()
	go pw.Write([]byte("from\r\nstdin\npartial"))
	var got []*connect.Record
	deadline := time.Now().Add(5 * time.Second)
	for len(got) < 2 && time.Now().Before(deadline) {
		recs, err := task.Poll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, recs...)
	}
	// Java tracks no offsets on stdin: partition and offset carry nulls.
	want := []*connect.Record{
		{Topic: "t", Partition: -1, ValueSchema: data.StringSchema, Value: "from",
			SourcePartition: map[string]any{"filename": nil}, SourceOffset: map[string]any{"position": nil}},
		{Topic: "t", Partition: -1, ValueSchema: data.StringSchema, Value: "stdin",
			SourcePartition: map[string]any{"filename": nil}, SourceOffset: map[string]any{"position": nil}},
	}
	for _, r := range got {
		r.Timestamp = time.Time{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}

	// With nothing on stdin, a cancelled poll returns at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if recs, err := task.Poll(ctx); err != nil || len(recs) != 0 {
		t.Fatalf("Poll = %v, %v", recs, err)
	}
}

func TestSourceConnector(t *testing.T) {
	c := NewSourceConnector()
	if err := c.Start(nil, map[string]string{"file": "/x"}); err == nil ||
		err.Error() != `Missing required configuration "topic" which has no default value.` {
		t.Fatalf("Start without topic = %v", err)
	}
	props := map[string]string{"name": "s", "topic": "t", "file": "/x"}
	if err := c.Start(nil, props); err != nil {
		t.Fatal(err)
	}
	cfgs, err := c.TaskConfigs(5)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]map[string]string{props}, cfgs); diff != "" {
		t.Fatalf("one task config (-want +got):\n%s", diff)
	}
	if c.Version() != "4.3.1" {
		t.Errorf("Version = %q", c.Version())
	}
}

func TestSourceConfigMatchesJava(t *testing.T) {
	type key struct {
		Name, Type, Importance, Doc, Default string
		Required                             bool
	}
	var got []key
	for _, k := range SourceConfig().Keys() {
		def, ok := k.DefaultString()
		if !ok {
			def = "null"
		}
		got = append(got, key{k.Name, k.Type.String(), k.Importance.String(), k.Doc, def, k.Required()})
	}
	want := []key{
		{"file", "STRING", "HIGH", "Source filename. If not specified, the standard input will be used", "null", false},
		{"topic", "STRING", "HIGH", "The topic to publish data to", "null", true},
		{"batch.size", "INT", "LOW", "The maximum number of records the source task can read from the file each time it is polled", "2000", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	vals := SourceConfig().Validate(map[string]string{"topic": ""})
	if diff := cmp.Diff([]string{"Invalid value  for configuration topic: String must be non-empty"}, vals[1].Errors); diff != "" {
		t.Errorf("empty topic errors (-want +got):\n%s", diff)
	}
}

func TestSourceAlterOffsets(t *testing.T) {
	props := map[string]string{"topic": "t", "file": "/in.txt"}
	part := map[string]any{"filename": "/in.txt"}
	for _, tc := range []struct {
		name    string
		props   map[string]string
		offsets []connect.PartitionOffset
		want    error
	}{
		{"valid", props, []connect.PartitionOffset{{Partition: part, Offset: map[string]any{"position": int64(10)}}}, nil},
		{"tombstone with any partition", props, []connect.PartitionOffset{{Partition: map[string]any{"x": 1}}}, nil},
		{"stdin", map[string]string{"topic": "t"}, nil, ErrAlterStdin},
		{"stdin empty file", map[string]string{"topic": "t", "file": ""}, nil, ErrAlterStdin},
		{"no position", props, []connect.PartitionOffset{{Partition: part, Offset: map[string]any{"pos": int64(1)}}}, ErrOffsetNoPosition},
		{"position not long", props, []connect.PartitionOffset{{Partition: part, Offset: map[string]any{"position": "1"}}}, ErrOffsetPositionType},
		{"position float", props, []connect.PartitionOffset{{Partition: part, Offset: map[string]any{"position": 1.0}}}, ErrOffsetPositionType},
		{"position negative", props, []connect.PartitionOffset{{Partition: part, Offset: map[string]any{"position": int64(-1)}}}, ErrOffsetPositionNegative},
		{"nil partition", props, []connect.PartitionOffset{{Offset: map[string]any{"position": int64(1)}}}, ErrPartitionNil},
		{"no filename", props, []connect.PartitionOffset{{Partition: map[string]any{"file": "x"}, Offset: map[string]any{"position": int64(1)}}}, ErrPartitionNoFilename},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := NewSourceConnector().AlterOffsets(tc.props, tc.offsets)
			if !errors.Is(err, tc.want) {
				t.Fatalf("AlterOffsets error = %v, want %v", err, tc.want)
			}
			if ok != (tc.want == nil) {
				t.Errorf("AlterOffsets = %v", ok)
			}
		})
	}
	// The messages are Java's, word for word.
	msgs := map[error]string{
		ErrAlterStdin:             "Offsets cannot be modified if the 'file' configuration is unspecified. This is because stdin is used for input and offsets are not tracked.",
		ErrOffsetNoPosition:       "Offset objects should either be null or contain the key 'position'",
		ErrOffsetPositionType:     "The value for the 'position' key in the offset is expected to be a Long value",
		ErrOffsetPositionNegative: "The value for the 'position' key in the offset should be a non-negative value",
		ErrPartitionNil:           "Partition objects cannot be null",
		ErrPartitionNoFilename:    "Partition objects should contain the key 'filename'",
	}
	for err, msg := range msgs {
		if err.Error() != msg {
			t.Errorf("message = %q, want %q", err.Error(), msg)
		}
	}
}
