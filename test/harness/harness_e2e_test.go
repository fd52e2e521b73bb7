//go:build e2e

package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestMain(m *testing.M) { Main(m) }

// TestBrokerProduceConsume checks the shared broker really serves clients.
func TestBrokerProduceConsume(t *testing.T) {
	bootstrap := Kafka(t)
	topic := fmt.Sprintf("harness-smoke-%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	cl, err := kgo.NewClient(
		kgo.SeedBrokers(bootstrap),
		kgo.AllowAutoTopicCreation(),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	defer cl.Close()

	rec := &kgo.Record{Topic: topic, Key: []byte("k"), Value: []byte("hello")}
	if err := cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	for {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consume: %v", err)
		}
		for _, fe := range fetches.Errors() {
			// Unknown-topic errors are transient right after auto-creation.
			t.Logf("fetch error (retrying): %v", fe.Err)
		}
		var got []*kgo.Record
		fetches.EachRecord(func(r *kgo.Record) { got = append(got, r) })
		if len(got) > 0 {
			if string(got[0].Value) != "hello" || string(got[0].Key) != "k" {
				t.Fatalf("got record %q=%q, want k=hello", got[0].Key, got[0].Value)
			}
			return
		}
	}
}

// TestJavaConnectStandalone starts and stops the reference Java worker.
func TestJavaConnectStandalone(t *testing.T) {
	start := time.Now()
	url := JavaConnect(t, "standalone", nil)
	t.Logf("java connect standalone ready in %v at %s", time.Since(start), url)

	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatalf("GET /: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / status %d, want 200", resp.StatusCode)
	}
	var info struct {
		Version        string `json:"version"`
		Commit         string `json:"commit"`
		KafkaClusterID string `json:"kafka_cluster_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatalf("decode GET /: %v", err)
	}
	if info.Version != "4.3.1" {
		t.Errorf("version = %q, want 4.3.1", info.Version)
	}
	if info.KafkaClusterID == "" {
		t.Errorf("empty kafka_cluster_id")
	}
}

// TestJavaConnectDistributed starts a distributed Java worker (its own group
// and internal topics on the shared broker) and lists its connectors.
func TestJavaConnectDistributed(t *testing.T) {
	start := time.Now()
	url := JavaConnect(t, "distributed", nil)
	t.Logf("java connect distributed ready in %v at %s", time.Since(start), url)
	CheckFor(t, 30*time.Second, func() error {
		resp, err := http.Get(url + "/connectors")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var names []string
		if err := json.NewDecoder(resp.Body).Decode(&names); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		if resp.StatusCode != http.StatusOK || len(names) != 0 {
			return fmt.Errorf("GET /connectors: status %d, %v", resp.StatusCode, names)
		}
		return nil
	})
}
