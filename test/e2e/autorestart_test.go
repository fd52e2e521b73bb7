//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/test/harness"
)

// This file is issue 5 item 6's judgement on the real broker: a FileStreamSink
// whose output directory does not exist yet fails at start. With
// errors.restart.enable=true it comes back by itself once the directory exists,
// without any REST restart; with the default (off) it stays FAILED, as in Java.

// produceLines writes n JSON strings "line-00000".. to a new single-partition topic.
func produceLines(t *testing.T, topic string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := kafkaClient(t)
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, 1, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Topic: topic, Value: []byte(fmt.Sprintf(`"line-%05d"`, i))}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func TestAutoRestartFailedSinkTask(t *testing.T) {
	w := newWorker(t, nil)
	w.start()
	topic := fmt.Sprintf("e2e-autorestart-%d", time.Now().UnixNano())
	produceLines(t, topic, 10)

	sink := func(file string, extra ...string) map[string]string {
		c := map[string]string{
			"connector.class": "FileStreamSink", "tasks.max": "1", "file": file, "topics": topic,
			"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
			"value.converter.schemas.enable": "false",
		}
		for i := 0; i+1 < len(extra); i += 2 {
			c[extra[i]] = extra[i+1]
		}
		return c
	}
	autoDir, offDir := filepath.Join(w.dir, "auto"), filepath.Join(w.dir, "off")
	autoOut, offOut := filepath.Join(autoDir, "sink.txt"), filepath.Join(offDir, "sink.txt")

	// A bad value is refused per key, before anything runs.
	var verr struct{ Message string }
	if code := w.do("PUT", "/connectors/bad/config", sink(autoOut, "errors.restart.backoff.max.ms", "-5"), &verr); code != http.StatusBadRequest ||
		!strings.Contains(verr.Message, "Invalid value -5 for configuration errors.restart.backoff.max.ms: Value must be at least 1") {
		t.Errorf("bad backoff: status %d, %q", code, verr.Message)
	}

	w.create("auto-sink", sink(autoOut,
		"errors.restart.enable", "true",
		"errors.restart.backoff.initial.ms", "200",
		"errors.restart.backoff.max.ms", "1000"))
	w.create("off-sink", sink(offOut))
	if trace := w.waitTaskFailed("auto-sink"); !strings.Contains(trace, "Couldn't find or create file") {
		t.Errorf("auto-sink trace:\n%s", trace)
	}
	w.waitTaskFailed("off-sink")

	// While the cause persists the task keeps failing and is retried, backing off.
	harness.CheckFor(t, 30*time.Second, func() error {
		if n := strings.Count(w.proc.Log(), "Automatically restarting task"); n < 2 {
			return fmt.Errorf("%d automatic restarts so far", n)
		}
		return nil
	})

	for _, d := range []string{autoDir, offDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// No REST restart: the next automatic restart finds the directory.
	w.waitRunning("auto-sink")
	waitForLines(t, autoOut, 0, 9)

	// The default is Java's: the other sink, which failed the same way at the same
	// time and whose directory exists just as long, is still FAILED and was never
	// scheduled for a restart.
	var st taskStatus
	if code := w.do("GET", "/connectors/off-sink/status", nil, &st); code != 200 || len(st.Tasks) != 1 || st.Tasks[0].State != "FAILED" {
		t.Errorf("off-sink: status %d %+v, want its task FAILED", code, st)
	}
	for _, line := range strings.Split(w.proc.Log(), "\n") {
		if strings.Contains(line, "off-sink") && strings.Contains(line, "utomatic") {
			t.Errorf("off-sink was handled by automatic restart: %s", line)
		}
	}
	if _, err := os.Stat(offOut); !os.IsNotExist(err) {
		t.Errorf("off-sink wrote %s (err %v)", offOut, err)
	}
	// It comes back the way operators do it today.
	if code := w.do("POST", "/connectors/off-sink/tasks/0/restart", nil, nil); code != http.StatusNoContent {
		t.Fatalf("manual restart: status %d", code)
	}
	w.waitRunning("off-sink")
	waitForLines(t, offOut, 0, 9)
}
