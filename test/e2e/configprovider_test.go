//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/test/harness"
)

// TestFileConfigProviderSecretStaysSecret: a ${file:...} reference in a connector
// config reaches the connector resolved (the sink writes to the secret path), while
// REST answers (config, tasks, status) and the worker's log show only the
// reference. (Standalone stores configs in memory; the config topic of distributed
// mode keeps the raw reference, see internal/storage/kafkastore.)
func TestFileConfigProviderSecretStaysSecret(t *testing.T) {
	secretDir := t.TempDir()
	token := fmt.Sprintf("s3cr3t-%d", time.Now().UnixNano())
	out := filepath.Join(secretDir, token+".txt")
	secrets := filepath.Join(secretDir, "secrets.properties")
	if err := os.WriteFile(secrets, []byte("sink.file="+out+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, map[string]string{
		"config.providers":               "file",
		"config.providers.file.class":    "org.apache.kafka.common.config.provider.FileConfigProvider",
		"value.converter.schemas.enable": "false",
	})
	w.start()
	topic := fmt.Sprintf("e2e-secret-%d", time.Now().UnixNano())
	ref := "${file:" + secrets + ":sink.file}"
	w.create("secret-sink", map[string]string{"connector.class": "FileStreamSink", "tasks.max": "1",
		"file": ref, "topics": topic})
	w.waitRunning("secret-sink")

	cl, err := kgo.NewClient(kgo.SeedBrokers(harness.Kafka(t)), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(t.Context(), &kgo.Record{Topic: topic, Value: []byte(`"hello secret"`)}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	harness.CheckFor(t, 60*time.Second, func() error {
		b, err := os.ReadFile(out)
		if err != nil || !strings.Contains(string(b), "hello secret") {
			return fmt.Errorf("resolved file not written yet: %v", err)
		}
		return nil
	})

	for _, path := range []string{"/connectors/secret-sink", "/connectors/secret-sink/config",
		"/connectors/secret-sink/tasks", "/connectors/secret-sink/status", "/connectors?expand=info&expand=status"} {
		resp, err := http.Get(w.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), token) {
			t.Errorf("GET %s reveals the secret: %s", path, body)
		}
		if path == "/connectors/secret-sink/config" && !strings.Contains(string(body), ref) {
			t.Errorf("GET %s = %s, want the ${file:...} reference kept", path, body)
		}
	}
	if strings.Contains(w.proc.Log(), token) {
		t.Errorf("the worker log reveals the secret")
	}
}

// TestMaskPasswordsOption: with rest.connector.config.mask.passwords=true (a
// goconnect extension) REST shows PASSWORD-type values of a connector config as
// [hidden]; the connector still gets the real value; without the option the config
// comes back as sent, as in Java.
func TestMaskPasswordsOption(t *testing.T) {
	for _, mask := range []bool{true, false} {
		w := newWorker(t, map[string]string{"rest.connector.config.mask.passwords": fmt.Sprint(mask)})
		w.start()
		db := filepath.Join(w.dir, "masked.db")
		w.create("masked-sink", map[string]string{"connector.class": "JdbcSink", "tasks.max": "1",
			"topics": fmt.Sprintf("e2e-mask-%d", time.Now().UnixNano()), "connection.url": "jdbc:sqlite:" + db,
			"connection.user": "app", "connection.password": "hunter2", "auto.create": "true"})
		w.waitRunning("masked-sink")
		var cfg map[string]string
		w.do("GET", "/connectors/masked-sink/config", nil, &cfg)
		var info struct{ Config map[string]string }
		w.do("GET", "/connectors/masked-sink", nil, &info)
		want := "hunter2"
		if mask {
			want = "[hidden]"
		}
		if cfg["connection.password"] != want || info.Config["connection.password"] != want {
			t.Errorf("mask=%v: connection.password shown as %q and %q, want %q", mask,
				cfg["connection.password"], info.Config["connection.password"], want)
		}
		if cfg["connection.user"] != "app" {
			t.Errorf("mask=%v: connection.user = %q, want it unmasked", mask, cfg["connection.user"])
		}
		w.proc.Term()
	}
}
