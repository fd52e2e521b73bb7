package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// JavaConnectWorker is a running Java Kafka Connect worker started by
// scripts/kafka.sh.
type JavaConnectWorker struct {
	// URL is the REST base URL, e.g. http://127.0.0.1:41234 (no trailing slash).
	URL string
	// Dir holds worker.properties, connect.log, connect.pid and (standalone) connect.offsets.
	Dir string
}

// Log returns the worker's log so far.
func (w *JavaConnectWorker) Log() string {
	b, err := os.ReadFile(filepath.Join(w.Dir, "connect.log"))
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	return string(b)
}

// Stop stops the worker (SIGTERM, SIGKILL after 20 s).
func (w *JavaConnectWorker) Stop() error {
	_, err := runScript("connect-stop", w.Dir)
	return err
}

// DefaultWorkerProps returns the worker properties JavaConnect starts from:
// JSON converters without schemas, a 1 s offset flush, a free REST port on
// 127.0.0.1, all fetched plugins on plugin.path and, in distributed mode,
// internal topics with replication factor 1 named after dir so that workers
// sharing the broker do not collide.
func DefaultWorkerProps(mode, bootstrap, dir string) (map[string]string, error) {
	plugins, err := PluginsDir()
	if err != nil {
		return nil, err
	}
	p := map[string]string{
		"bootstrap.servers":              bootstrap,
		"key.converter":                  "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"key.converter.schemas.enable":   "false",
		"value.converter.schemas.enable": "false",
		"offset.flush.interval.ms":       "1000",
		"listeners":                      fmt.Sprintf("http://127.0.0.1:%d", FreePort()),
		"plugin.path":                    plugins,
	}
	switch mode {
	case "standalone":
		p["offset.storage.file.filename"] = filepath.Join(dir, "connect.offsets")
	case "distributed":
		id := "java-" + filepath.Base(dir)
		p["group.id"] = id
		p["config.storage.topic"] = id + "-configs"
		p["offset.storage.topic"] = id + "-offsets"
		p["status.storage.topic"] = id + "-status"
		p["config.storage.replication.factor"] = "1"
		p["offset.storage.replication.factor"] = "1"
		p["status.storage.replication.factor"] = "1"
	default:
		return nil, fmt.Errorf("harness: unknown connect mode %q (want standalone or distributed)", mode)
	}
	return p, nil
}

// StartJavaConnect starts the Java worker in dir ("standalone" or
// "distributed") with DefaultWorkerProps overridden by workerProps, and waits
// until its REST API answers. connectorFiles are passed to ConnectStandalone.
func StartJavaConnect(dir, mode, bootstrap string, workerProps map[string]string, connectorFiles ...string) (*JavaConnectWorker, error) {
	props, err := DefaultWorkerProps(mode, bootstrap, dir)
	if err != nil {
		return nil, err
	}
	for k, v := range workerProps {
		props[k] = v
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, props[k])
	}
	propsFile := filepath.Join(dir, "worker.properties")
	if err := os.WriteFile(propsFile, []byte(b.String()), 0o644); err != nil {
		return nil, fmt.Errorf("harness: write worker.properties: %w", err)
	}
	args := append([]string{"connect-" + mode, dir, propsFile}, connectorFiles...)
	if mode == "distributed" && len(connectorFiles) > 0 {
		return nil, fmt.Errorf("harness: connector files are only for standalone mode")
	}
	url, err := runScript(args...)
	if err != nil {
		return nil, err
	}
	return &JavaConnectWorker{URL: url, Dir: dir}, nil
}

// JavaConnect starts the real Java Kafka Connect 4.3.1 against the shared
// broker and returns its REST base URL; it is stopped in t.Cleanup (and its
// log printed if the test failed).
func JavaConnect(t testing.TB, mode string, workerProps map[string]string, connectorFiles ...string) string {
	t.Helper()
	return JavaConnectWorkerFor(t, mode, workerProps, connectorFiles...).URL
}

// JavaConnectWorkerFor is JavaConnect returning the worker handle (for its
// directory and log).
func JavaConnectWorkerFor(t testing.TB, mode string, workerProps map[string]string, connectorFiles ...string) *JavaConnectWorker {
	t.Helper()
	bootstrap := Kafka(t)
	w, err := StartJavaConnect(t.TempDir(), mode, bootstrap, workerProps, connectorFiles...)
	if err != nil {
		t.Fatalf("harness: java connect: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- tail of java connect log (%s):\n%s", w.Dir, tail(w.Log(), 80))
		}
		if err := w.Stop(); err != nil {
			t.Errorf("harness: stop java connect: %v", err)
		}
	})
	return w
}
