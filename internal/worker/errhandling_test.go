package worker

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/internal/herder"
)

func headerMap(r *kgo.Record) map[string]string {
	m := map[string]string{}
	for _, h := range r.Headers {
		m[h.Key] = string(h.Value)
	}
	return m
}

func TestSinkToleratedConverterErrorsGoToDLQInOrder(t *testing.T) {
	c := cluster(t, 1, "in")
	addr := c.ListenAddrs()[0]
	produce(t, addr, "in", 20)
	e := newEnv(t)
	st := newStatuses()
	w := newTestWorker(t, e, c, nil, st)
	id := startSink(t, w, "snk", "value.converter", "com.example.PickyConverter",
		"errors.tolerance", "all", "errors.log.enable", "true",
		"errors.deadletterqueue.topic.name", "dlq", "errors.deadletterqueue.topic.replication.factor", "1",
		"errors.deadletterqueue.context.headers.enable", "true")
	checkFor(t, "10 good records put", 20*time.Second, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return len(e.received) == 10
	})
	dlq := consumeAll(t, c, "dlq", 10)
	for i, r := range dlq {
		want := fmt.Sprint(2*i + 1)
		if string(r.Value) != want {
			t.Errorf("dlq[%d] = %q, want %q", i, r.Value, want)
		}
		h := headerMap(r)
		wantH := map[string]string{
			"h":                                     "v",
			"__connect.errors.topic":                "in",
			"__connect.errors.partition":            "0",
			"__connect.errors.offset":               want,
			"__connect.errors.connector.name":       "snk",
			"__connect.errors.task.id":              "0",
			"__connect.errors.stage":                "VALUE_CONVERTER",
			"__connect.errors.class.name":           "com.example.PickyConverter",
			"__connect.errors.exception.class.name": "org.apache.kafka.connect.errors.DataException",
			"__connect.errors.exception.message":    fmt.Sprintf("cannot read %q", want),
			"__connect.errors.exception.stacktrace": h["__connect.errors.exception.stacktrace"],
		}
		if diff := cmp.Diff(wantH, h); diff != "" {
			t.Errorf("dlq[%d] headers (-want +got):\n%s", i, diff)
		}
		if !strings.HasPrefix(h["__connect.errors.exception.stacktrace"], "org.apache.kafka.connect.errors.DataException: cannot read") {
			t.Errorf("stacktrace = %q", h["__connect.errors.exception.stacktrace"])
		}
	}
	checkFor(t, "all 20 offsets committed", 20*time.Second, func() bool { return committedTotal(t, addr, "connect-snk") == 20 })
	if s := st.task(id).state; s != herder.StateRunning {
		t.Errorf("task state %s", s)
	}
}

func TestSinkToleranceNoneFailsBeforeBadRecord(t *testing.T) {
	c := cluster(t, 1, "in")
	addr := c.ListenAddrs()[0]
	produce(t, addr, "in", 20)
	e := newEnv(t)
	st := newStatuses()
	w := newTestWorker(t, e, c, nil, st)
	id := startSink(t, w, "snk", "value.converter", "com.example.PickyConverter")
	got := st.waitTask(t, id, herder.StateFailed)
	if !strings.Contains(got.trace, "Tolerance exceeded in error handler") || !strings.Contains(got.trace, "VALUE_CONVERTER") {
		t.Errorf("trace = %q", got.trace)
	}
	e.mu.Lock()
	n := len(e.received)
	e.mu.Unlock()
	if n != 0 {
		t.Errorf("%d records put; the bad record was in the first batch", n)
	}
	if got := committedTotal(t, addr, "connect-snk"); got > 1 {
		t.Errorf("committed %d, want nothing past the bad record at offset 1", got)
	}
}

func TestSourceTransformFailureGoesToDLQ(t *testing.T) {
	c := cluster(t, 1, "out")
	e := newEnv(t)
	st := newStatuses()
	w := newTestWorker(t, e, c, nil, st)
	ids := startSource(t, w, map[string]string{
		"name": "src", "connector.class": "TestSource", "tasks.max": "1", "topic": "out", "records": "10",
		"transforms": "f", "transforms.f.type": "com.example.FailOdd",
		"errors.tolerance": "all", "errors.deadletterqueue.topic.name": "sdlq",
		"errors.deadletterqueue.topic.replication.factor": "1",
		"errors.deadletterqueue.context.headers.enable":   "true",
	})
	out := consumeAll(t, c, "out", 5)
	for i, r := range out {
		if want := fmt.Sprintf("0-%d", 2*i); string(r.Value) != want {
			t.Errorf("out[%d] = %q, want %q", i, r.Value, want)
		}
	}
	dlq := consumeAll(t, c, "sdlq", 5)
	for i, r := range dlq {
		want := fmt.Sprintf("0-%d", 2*i+1)
		h := headerMap(r)
		if string(r.Value) != want || string(r.Key) != "t0" {
			t.Errorf("dlq[%d] = %q/%q, want t0/%q", i, r.Key, r.Value, want)
		}
		for k, v := range map[string]string{
			"__connect.errors.stage": "TRANSFORMATION", "__connect.errors.class.name": "com.example.FailOdd",
			"__connect.errors.topic": "out", "__connect.errors.partition": "-1", "__connect.errors.offset": "-1",
			"__connect.errors.source.offset": fmt.Sprintf(`{"pos":%d}`, 2*i+1), "__connect.errors.exception.message": "odd value " + want,
			"h": "v",
		} {
			if h[k] != v {
				t.Errorf("dlq[%d] header %s = %q, want %q", i, k, h[k], v)
			}
		}
	}
	if s := st.task(ids[0]).state; s != herder.StateRunning {
		t.Errorf("task state %s", s)
	}
}

func TestSourceToleranceNoneFails(t *testing.T) {
	c := cluster(t, 1, "out")
	e := newEnv(t)
	st := newStatuses()
	w := newTestWorker(t, e, c, nil, st)
	ids := startSource(t, w, map[string]string{
		"name": "src", "connector.class": "TestSource", "tasks.max": "1", "topic": "out", "records": "10",
		"transforms": "f", "transforms.f.type": "com.example.FailOdd",
	})
	got := st.waitTask(t, ids[0], herder.StateFailed)
	if !strings.Contains(got.trace, "Tolerance exceeded in error handler") || !strings.Contains(got.trace, "TRANSFORMATION") {
		t.Errorf("trace = %q", got.trace)
	}
	out := consumeAll(t, c, "out", 1)
	if len(out) != 1 || string(out[0].Value) != "0-0" {
		t.Errorf("out = %v, want only 0-0", out)
	}
}
