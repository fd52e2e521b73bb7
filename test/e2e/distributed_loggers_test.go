//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/test/harness"
)

// TestDistributedClusterLoggerLevel: PUT /admin/loggers/{name}?scope=cluster
// (KIP-976) on one worker of a 2-worker cluster answers 204, writes Java's
// logger-cluster-<namespace> record ({"level": <as given>}) to the config topic,
// and every worker applies it: GET /admin/loggers/{name} on the other worker
// shows the level. A worker started afterwards does not apply the old record
// (Java ignores logger records read before its config store started).
func TestDistributedClusterLoggerLevel(t *testing.T) {
	cluster := fmt.Sprintf("e2e-dist-loggers-%d", time.Now().UnixNano())
	ws := []*worker{newDistWorker(t, cluster, nil), newDistWorker(t, cluster, nil)}
	for _, w := range ws {
		w.start()
	}
	harness.CheckFor(t, 30*time.Second, func() error {
		for _, w := range ws {
			if code := w.do("GET", "/health", nil, nil); code != 200 {
				return fmt.Errorf("%s health %d", w.url, code)
			}
		}
		return nil
	})
	const ns = "org.apache.kafka.connect.runtime.distributed"
	const herderLogger = ns + ".DistributedHerder"
	type level struct {
		Level        string `json:"level"`
		LastModified *int64 `json:"last_modified"`
	}
	var before level
	if code := ws[1].do("GET", "/admin/loggers/"+herderLogger, nil, &before); code != 200 || before.Level != "INFO" {
		t.Fatalf("before: %d %+v, want 200 INFO", code, before)
	}

	if code := ws[0].do("PUT", "/admin/loggers/"+ns+"?scope=cluster", map[string]string{"level": "debug"}, nil); code != 204 {
		t.Fatalf("PUT scope=cluster: %d, want 204", code)
	}
	for _, w := range ws {
		harness.CheckFor(t, 15*time.Second, func() error {
			var got level
			if code := w.do("GET", "/admin/loggers/"+herderLogger, nil, &got); code != 200 {
				return fmt.Errorf("%s: GET %d", w.url, code)
			}
			if got.Level != "DEBUG" || got.LastModified == nil {
				return fmt.Errorf("%s: %s is %+v, want DEBUG with last_modified", w.url, herderLogger, got)
			}
			return nil
		})
	}
	// The namespace itself is listed with its level on the other worker too.
	var all map[string]level
	if code := ws[1].do("GET", "/admin/loggers", nil, &all); code != 200 || all[ns].Level != "DEBUG" {
		t.Fatalf("GET /admin/loggers on %s: %d %v, want %s at DEBUG", ws[1].url, code, all, ns)
	}

	// The record is Java's: key logger-cluster-<namespace>, value {"level":"debug"}.
	key := "logger-cluster-" + ns
	if got := configRecords(t, cluster+"-configs", key)[key]; got != `{"level":"debug"}` {
		t.Fatalf("config topic record %s = %q, want {\"level\":\"debug\"}", key, got)
	}

	// A worker that starts later keeps its own levels.
	late := newDistWorker(t, cluster, nil)
	late.start()
	harness.CheckFor(t, 30*time.Second, func() error {
		if code := late.do("GET", "/health", nil, nil); code != 200 {
			return fmt.Errorf("late worker health %d", code)
		}
		return nil
	})
	var got level
	if code := late.do("GET", "/admin/loggers/"+herderLogger, nil, &got); code != 200 || got.Level != "INFO" {
		t.Fatalf("late worker: %d %+v, want INFO (records older than its start are not applied)", code, got)
	}
}

// TestDistributedClusterLoggerLevelWithJava: a Java Kafka Connect 4.3.1 worker
// and a goconnect worker in one cluster. A cluster-scoped level set through
// either one is applied by the other, and both write the same record.
func TestDistributedClusterLoggerLevelWithJava(t *testing.T) {
	cluster := fmt.Sprintf("e2e-dist-loggers-java-%d", time.Now().UnixNano())
	java := harness.JavaConnectWorkerFor(t, "distributed", map[string]string{
		"group.id":             cluster,
		"config.storage.topic": cluster + "-configs",
		"offset.storage.topic": cluster + "-offsets",
		"status.storage.topic": cluster + "-status",
	})
	w := newDistWorker(t, cluster, map[string]string{
		"offset.storage.partitions": "25",
		"status.storage.partitions": "5",
	})
	w.start()
	harness.CheckFor(t, 60*time.Second, func() error {
		if code := w.do("GET", "/health", nil, nil); code != 200 {
			return fmt.Errorf("goconnect health %d", code)
		}
		if code := javaREST(t, java.URL, "GET", "/health", nil, nil); code != 200 {
			return fmt.Errorf("java health %d", code)
		}
		return nil
	})
	type level struct {
		Level string `json:"level"`
	}
	levelOn := func(base, name string) string {
		var l level
		javaREST(t, base, "GET", "/admin/loggers/"+name, nil, &l)
		return l.Level
	}
	// Java → goconnect.
	const fromJava = "org.apache.kafka.connect.runtime.distributed"
	if code := javaREST(t, java.URL, "PUT", "/admin/loggers/"+fromJava+"?scope=cluster", map[string]string{"level": "DEBUG"}, nil); code != 204 {
		t.Fatalf("java PUT scope=cluster: %d, want 204", code)
	}
	harness.CheckFor(t, 20*time.Second, func() error {
		if got := levelOn(w.url, fromJava+".DistributedHerder"); got != "DEBUG" {
			return fmt.Errorf("goconnect: %s is %q, want DEBUG", fromJava, got)
		}
		return nil
	})
	// goconnect → Java.
	const fromGo = "org.apache.kafka.connect.runtime.rest"
	if code := w.do("PUT", "/admin/loggers/"+fromGo+"?scope=cluster", map[string]string{"level": "TRACE"}, nil); code != 204 {
		t.Fatalf("goconnect PUT scope=cluster: %d, want 204", code)
	}
	harness.CheckFor(t, 20*time.Second, func() error {
		if got := levelOn(java.URL, fromGo); got != "TRACE" {
			return fmt.Errorf("java: %s is %q, want TRACE", fromGo, got)
		}
		return nil
	})
	// Both records have the same shape.
	recs := configRecords(t, cluster+"-configs", "logger-cluster-"+fromJava, "logger-cluster-"+fromGo)
	if recs["logger-cluster-"+fromJava] != `{"level":"DEBUG"}` || recs["logger-cluster-"+fromGo] != `{"level":"TRACE"}` {
		t.Fatalf("config topic logger records: %v", recs)
	}
}

// configRecords reads the values of the given keys from a config topic.
func configRecords(t *testing.T, topic string, keys ...string) map[string]string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(harness.Kafka(t)), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out := map[string]string{}
	for len(out) < len(keys) && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			for _, k := range keys {
				if string(r.Key) == k {
					out[k] = string(r.Value)
				}
			}
		})
	}
	return out
}
