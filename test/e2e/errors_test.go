//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/test/harness"
)

// This file is issue 5's judgement of error handling on the real broker: a sink
// fed 1,000 records of which every second one is malformed JSON, and a source
// whose Cast transformation fails on every second line, each with
// errors.tolerance=all and a DLQ with context headers, then with
// errors.tolerance=none.

func kafkaClient(t *testing.T, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(harness.Kafka(t))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// consumeN reads topic from the start until n records arrived.
func consumeN(t *testing.T, topic string, n int) []*kgo.Record {
	t.Helper()
	cl := kafkaClient(t, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
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

// endOffset is the number of records in a single-partition topic.
func endOffset(t *testing.T, topic string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ends, err := kadm.NewClient(kafkaClient(t)).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	ends.Each(func(o kadm.ListedOffset) { sum += o.Offset })
	return sum
}

func headers(r *kgo.Record) map[string]string {
	m := map[string]string{}
	for _, h := range r.Headers {
		m[h.Key] = string(h.Value)
	}
	return m
}

// produceHalfMalformed writes 1,000 JSON strings to a new single-partition topic;
// every odd one is malformed (unterminated).
func produceHalfMalformed(t *testing.T, topic string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := kafkaClient(t)
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, 1, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	recs := make([]*kgo.Record, 1000)
	for i := range recs {
		v := fmt.Sprintf(`"good-%04d"`, i)
		if i%2 == 1 {
			v = fmt.Sprintf(`"bad-%04d`, i)
		}
		recs[i] = &kgo.Record{Topic: topic, Value: []byte(v)}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

type taskStatus struct {
	Connector struct{ State string }
	Tasks     []struct{ State, Trace string }
}

func (w *worker) waitTaskFailed(name string) string {
	w.t.Helper()
	var trace string
	harness.CheckFor(w.t, 60*time.Second, func() error {
		var st taskStatus
		if code := w.do("GET", "/connectors/"+name+"/status", nil, &st); code != 200 || len(st.Tasks) == 0 {
			return fmt.Errorf("status %d", code)
		}
		if st.Tasks[0].State != "FAILED" {
			return fmt.Errorf("task %s", st.Tasks[0].State)
		}
		trace = st.Tasks[0].Trace
		return nil
	})
	return trace
}

func TestSinkMalformedJSONToleratedToDLQ(t *testing.T) {
	w := newWorker(t, nil)
	w.start()
	n := time.Now().UnixNano()
	in, dlq := fmt.Sprintf("e2e-err-in-%d", n), fmt.Sprintf("e2e-err-dlq-%d", n)
	produceHalfMalformed(t, in)
	out := filepath.Join(w.dir, "sink.txt")
	w.create("dlq-sink", map[string]string{
		"connector.class": "FileStreamSink", "tasks.max": "1", "file": out, "topics": in,
		"key.converter":                                   "org.apache.kafka.connect.storage.StringConverter",
		"value.converter":                                 "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable":                  "false",
		"errors.tolerance":                                "all",
		"errors.log.enable":                               "true",
		"errors.log.include.messages":                     "true",
		"errors.deadletterqueue.topic.name":               dlq,
		"errors.deadletterqueue.topic.replication.factor": "1",
		"errors.deadletterqueue.context.headers.enable":   "true",
	})
	w.waitRunning("dlq-sink")

	harness.CheckFor(t, 90*time.Second, func() error {
		if got := len(countLines(out)); got != 500 {
			return fmt.Errorf("%d distinct lines in the sink file", got)
		}
		return nil
	})
	lines := countLines(out)
	for i := 0; i < 1000; i += 2 {
		if l := fmt.Sprintf("good-%04d", i); lines[l] != 1 {
			t.Errorf("%s written %d times", l, lines[l])
		}
	}
	bad := consumeN(t, dlq, 500)
	for j, r := range bad {
		i := 2*j + 1
		if want := fmt.Sprintf(`"bad-%04d`, i); string(r.Value) != want {
			t.Fatalf("dlq[%d] = %q, want %q (out of order?)", j, r.Value, want)
		}
		h := headers(r)
		want := map[string]string{
			"__connect.errors.topic":                in,
			"__connect.errors.partition":            "0",
			"__connect.errors.offset":               fmt.Sprint(i),
			"__connect.errors.connector.name":       "dlq-sink",
			"__connect.errors.task.id":              "0",
			"__connect.errors.stage":                "VALUE_CONVERTER",
			"__connect.errors.class.name":           "org.apache.kafka.connect.json.JsonConverter",
			"__connect.errors.exception.class.name": "org.apache.kafka.connect.errors.DataException",
		}
		for k, v := range want {
			if h[k] != v {
				t.Errorf("dlq[%d] header %s = %q, want %q", j, k, h[k], v)
			}
		}
		if !strings.HasPrefix(h["__connect.errors.exception.message"], "Converting byte[] to Kafka Connect data failed due to serialization error") {
			t.Errorf("dlq[%d] exception.message = %q", j, h["__connect.errors.exception.message"])
		}
		if h["__connect.errors.exception.stacktrace"] == "" {
			t.Errorf("dlq[%d] has no stacktrace header", j)
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	// The error log uses Java's LogReporter format.
	if log := w.proc.Log(); !strings.Contains(log, "Error encountered in task dlq-sink-0. Executing stage 'VALUE_CONVERTER' with class 'org.apache.kafka.connect.json.JsonConverter', where consumed record is {topic='"+in+"', partition=0, offset=1, timestamp=") {
		t.Errorf("error log line missing from the worker log")
	}
	// KIP-558: the sink reports the topic it consumes.
	var topics map[string]struct{ Topics []string }
	w.do("GET", "/connectors/dlq-sink/topics", nil, &topics)
	if got := topics["dlq-sink"].Topics; !slices.Contains(got, in) {
		t.Errorf("active topics = %v, want %s", got, in)
	}
}

func TestSinkMalformedJSONToleranceNoneFails(t *testing.T) {
	w := newWorker(t, nil)
	w.start()
	in := fmt.Sprintf("e2e-err-none-%d", time.Now().UnixNano())
	produceHalfMalformed(t, in)
	out := filepath.Join(w.dir, "sink.txt")
	w.create("none-sink", map[string]string{
		"connector.class": "FileStreamSink", "tasks.max": "1", "file": out, "topics": in,
		"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable": "false",
	})
	trace := w.waitTaskFailed("none-sink")
	for _, want := range []string{"Tolerance exceeded in error handler", "VALUE_CONVERTER", "Caused by: org.apache.kafka.connect.errors.DataException"} {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q:\n%s", want, trace)
		}
	}
	for l := range countLines(out) {
		if l != "good-0000" {
			t.Errorf("line %q written past the bad record at offset 1", l)
		}
	}
}

// writeSourceFile writes 1,000 lines: even ones a number, odd ones not.
func writeSourceFile(t *testing.T, path string) {
	t.Helper()
	var b strings.Builder
	for i := 0; i < 1000; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&b, "%d\n", i)
		} else {
			fmt.Fprintf(&b, "x-%d\n", i)
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sourceConfig(file, topic string) map[string]string {
	return map[string]string{
		"connector.class": "FileStreamSource", "tasks.max": "1", "file": file, "topic": topic,
		"key.converter":                  "org.apache.kafka.connect.storage.StringConverter",
		"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable": "false",
		"transforms":                     "cast",
		"transforms.cast.type":           "org.apache.kafka.connect.transforms.Cast$Value",
		"transforms.cast.spec":           "int32",
	}
}

func TestSourceFailingTransformToleratedToDLQ(t *testing.T) {
	w := newWorker(t, nil)
	w.start()
	n := time.Now().UnixNano()
	topic, dlq := fmt.Sprintf("e2e-src-out-%d", n), fmt.Sprintf("e2e-src-dlq-%d", n)
	in := filepath.Join(w.dir, "in.txt")
	writeSourceFile(t, in)
	cfg := sourceConfig(in, topic)
	cfg["errors.tolerance"] = "all"
	cfg["errors.deadletterqueue.topic.name"] = dlq
	cfg["errors.deadletterqueue.topic.replication.factor"] = "1"
	cfg["errors.deadletterqueue.context.headers.enable"] = "true"
	// KIP-158: the output topic is created by the worker with these settings.
	cfg["topic.creation.default.replication.factor"] = "1"
	cfg["topic.creation.default.partitions"] = "1"
	w.create("dlq-source", cfg)
	w.waitRunning("dlq-source")

	good := consumeN(t, topic, 500)
	for j, r := range good {
		if want := fmt.Sprint(2 * j); string(r.Value) != want {
			t.Fatalf("out[%d] = %q, want %q", j, r.Value, want)
		}
	}
	bad := consumeN(t, dlq, 500)
	for j, r := range bad {
		i := 2*j + 1
		if want := fmt.Sprintf(`"x-%d"`, i); string(r.Value) != want {
			t.Fatalf("dlq[%d] = %q, want %q", j, r.Value, want)
		}
		h := headers(r)
		for k, v := range map[string]string{
			"__connect.errors.topic":          topic,
			"__connect.errors.partition":      "-1",
			"__connect.errors.offset":         "-1",
			"__connect.errors.connector.name": "dlq-source",
			"__connect.errors.task.id":        "0",
			"__connect.errors.stage":          "TRANSFORMATION",
			"__connect.errors.class.name":     "org.apache.kafka.connect.transforms.Cast$Value",
		} {
			if h[k] != v {
				t.Errorf("dlq[%d] header %s = %q, want %q", j, k, h[k], v)
			}
		}
		if !strings.Contains(h["__connect.errors.source.partition"], in) {
			t.Errorf("dlq[%d] source.partition = %q", j, h["__connect.errors.source.partition"])
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	var topics map[string]struct{ Topics []string }
	w.do("GET", "/connectors/dlq-source/topics", nil, &topics)
	if got := topics["dlq-source"].Topics; !slices.Contains(got, topic) {
		t.Errorf("active topics = %v, want %s", got, topic)
	}
}

func TestSourceFailingTransformToleranceNoneFails(t *testing.T) {
	w := newWorker(t, nil)
	w.start()
	topic := fmt.Sprintf("e2e-src-none-%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := kadm.NewClient(kafkaClient(t)).CreateTopic(ctx, 1, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(w.dir, "in.txt")
	writeSourceFile(t, in)
	w.create("none-source", sourceConfig(in, topic))
	trace := w.waitTaskFailed("none-source")
	for _, want := range []string{"Tolerance exceeded in error handler", "TRANSFORMATION", "Cast$Value"} {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q:\n%s", want, trace)
		}
	}
	// The task stopped at line 1: only line 0 may have reached the topic (the
	// final commit flushed the producer before the task reported FAILED).
	if got := endOffset(t, topic); got > 1 {
		t.Errorf("%d records in %s, want at most the one before the bad line", got, topic)
	}
}
