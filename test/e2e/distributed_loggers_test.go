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
	cl, err := kgo.NewClient(kgo.SeedBrokers(harness.Kafka(t)), kgo.ConsumeTopics(cluster+"-configs"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var value string
	for value == "" && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			if string(r.Key) == "logger-cluster-"+ns {
				value = string(r.Value)
			}
		})
	}
	if value != `{"level":"debug"}` {
		t.Fatalf("config topic record logger-cluster-%s = %q, want {\"level\":\"debug\"}", ns, value)
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
