package kafka

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestSourceProducerProps(t *testing.T) {
	worker := map[string]string{"bootstrap.servers": "b:9092", "producer.linger.ms": "5", "producer.acks": "1", "consumer.x": "y", "ssl.truststore.location": "/w"}
	conn := map[string]string{"producer.override.acks": "all", "producer.override.compression.type": "zstd"}
	got := SourceProducerProps(worker, conn, "c", 2)
	want := map[string]string{
		"bootstrap.servers": "b:9092", "client.id": "connector-producer-c-2",
		"acks": "all", "linger.ms": "5", "compression.type": "zstd",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SourceProducerProps (-want +got):\n%s", diff)
	}
}

func TestSinkConsumerProps(t *testing.T) {
	got := SinkConsumerProps(map[string]string{"consumer.max.poll.records": "10"}, map[string]string{"consumer.override.group.id": "g"}, "s", 0)
	want := map[string]string{
		"bootstrap.servers": "localhost:9092", "group.id": "g", "client.id": "connector-consumer-s-0",
		"enable.auto.commit": "false", "auto.offset.reset": "earliest", "max.poll.records": "10",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SinkConsumerProps (-want +got):\n%s", diff)
	}
	if n := MaxPollRecords(got); n != 10 {
		t.Errorf("MaxPollRecords = %d", n)
	}
}

func TestAdminProps(t *testing.T) {
	got := AdminProps(map[string]string{"bootstrap.servers": "b", "security.protocol": "SSL", "producer.acks": "1", "admin.request.timeout.ms": "7"},
		map[string]string{"admin.override.client.id": "mine"}, "c")
	want := map[string]string{"bootstrap.servers": "b", "security.protocol": "SSL", "request.timeout.ms": "7", "client.id": "mine"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AdminProps (-want +got):\n%s", diff)
	}
}

func TestParseJAAS(t *testing.T) {
	got, err := ParseJAAS(`org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="p a=\"s\"" tokenauth=true;`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"username": "alice", "password": `p a="s"`, "tokenauth": "true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseJAAS (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"Module required username=\"x\"", "Module", "Module maybe a=b;", `M required a="x;`} {
		if _, err := ParseJAAS(bad); err == nil {
			t.Errorf("ParseJAAS(%q): want error", bad)
		}
	}
}

func TestOptsErrors(t *testing.T) {
	tests := []struct {
		props       map[string]string
		role        Role
		unsupported bool
	}{
		{map[string]string{"acks": "2"}, Producer, false},
		{map[string]string{"linger.ms": "x"}, Producer, false},
		{map[string]string{"compression.type": "brotli"}, Producer, false},
		{map[string]string{"auto.offset.reset": "middle"}, Consumer, false},
		{map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "GSSAPI"}, Admin, true},
		{map[string]string{"security.protocol": "SSL", "ssl.truststore.location": "/x/trust.jks"}, Admin, true},
		{map[string]string{"security.protocol": "KERBEROS"}, Admin, true},
	}
	for _, tt := range tests {
		_, err := Opts(tt.props, tt.role, nil)
		if err == nil {
			t.Errorf("Opts(%v): want error", tt.props)
			continue
		}
		if got := errors.Is(err, ErrUnsupported); got != tt.unsupported {
			t.Errorf("Opts(%v) = %v; errors.Is(ErrUnsupported) = %v", tt.props, err, got)
		}
	}
	if _, err := Opts(map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
		"sasl.jaas.config": `org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";`}, Consumer, nil); err != nil {
		t.Errorf("SCRAM config: %v", err)
	}
}

func TestOptsProduceConsume(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "t"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	worker := map[string]string{"bootstrap.servers": c.ListenAddrs()[0], "unknown.key": "x"}
	popts, err := Opts(SourceProducerProps(worker, map[string]string{"producer.override.linger.ms": "1", "producer.override.compression.type": "lz4"}, "c", 0), Producer, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := kgo.NewClient(popts...)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.ProduceSync(ctx, &kgo.Record{Topic: "t", Value: []byte("v")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	copts, err := Opts(SinkConsumerProps(worker, map[string]string{"topics": "t"}, "s", 0), Consumer, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(copts, kgo.ConsumeTopics("t"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	fs := cl.PollFetches(ctx)
	if err := fs.Err(); err != nil {
		t.Fatal(err)
	}
	if recs := fs.Records(); len(recs) != 1 || string(recs[0].Value) != "v" {
		t.Fatalf("consumed %v", recs)
	}
	if g := cl.OptValue(kgo.ConsumerGroup); g != "connect-s" {
		t.Errorf("group = %v, want connect-s", g)
	}
}

func TestCheckRejectsUnknownAndBadKeys(t *testing.T) {
	got := Check(map[string]string{
		"acks": "all", "linger.ms": "5", "compression.type": "brotli", "no.such.key": "1",
		"sasl.mechanism": "PLAIN", "session.timeout.ms": "100",
	}, Producer)
	for _, k := range []string{"compression.type", "no.such.key", "session.timeout.ms"} {
		if got[k] == "" {
			t.Errorf("Check: no message for %s (%v)", k, got)
		}
	}
	for _, k := range []string{"acks", "linger.ms", "sasl.mechanism"} {
		if got[k] != "" {
			t.Errorf("Check: unexpected message for %s: %s", k, got[k])
		}
	}
	if got := Check(map[string]string{"session.timeout.ms": "10000", "auto.offset.reset": "latest"}, Consumer); len(got) != 0 {
		t.Errorf("Check consumer: %v", got)
	}
}
