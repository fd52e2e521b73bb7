package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func fmtPath(format, path string) string { return fmt.Sprintf(format, path) }

// TestStandaloneStartStop starts a standalone worker in-process against kfake and
// checks GET / and a clean shutdown.
func TestStandaloneStartStop(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	dir := t.TempDir()
	props := map[string]string{
		"bootstrap.servers":            cluster.ListenAddrs()[0],
		"key.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":              "org.apache.kafka.connect.json.JsonConverter",
		"offset.storage.file.filename": filepath.Join(dir, "offsets"),
		"config.storage.file.filename": filepath.Join(dir, "connectors.json"),
		"listeners":                    "http://127.0.0.1:0",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := StartStandalone(ctx, Options{WorkerProps: props, LogOutput: os.Stderr, LogLevel: "WARN"})
	if err != nil {
		t.Fatal(err)
	}
	if w.WorkerID != w.URL.Host || w.URL.Port() == "0" {
		t.Errorf("worker id %s, url %s", w.WorkerID, w.URL)
	}
	resp, err := http.Get(w.URL.String())
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	err = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || info["version"] != "4.3.1" || info["kafka_cluster_id"] == "" {
		t.Errorf("GET / = %d %v %v", resp.StatusCode, info, err)
	}
	http.DefaultClient.CloseIdleConnections()
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestStandaloneMissingConverter(t *testing.T) {
	_, err := StartStandalone(context.Background(), Options{WorkerProps: map[string]string{"offset.storage.file.filename": "x"}})
	want := `worker config: Missing required configuration "key.converter" which has no default value.`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
