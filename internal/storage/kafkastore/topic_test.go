package kafkastore

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/twmb/franz-go/pkg/kadm"
)

func TestTopicSpecs(t *testing.T) {
	c, o, s, err := TopicSpecs(map[string]string{
		"config.storage.topic":               "cfg",
		"config.storage.partitions":          "7", // ignored: always 1
		"config.storage.replication.factor":  "1",
		"config.storage.min.insync.replicas": "1",
		"config.storage.cleanup.policy":      "delete", // dropped: always compact
		"offset.storage.topic":               "off",
		"offset.storage.partitions":          "-1",
		"status.storage.topic":               "st",
		"status.storage.replication.factor":  "-1",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []TopicSpec{
		{Name: "cfg", Partitions: 1, ReplicationFactor: 1, Configs: map[string]string{"min.insync.replicas": "1"}, WorkerKey: ConfigTopicKey, Purpose: purposeConfigs, SinglePartition: true},
		{Name: "off", Partitions: -1, ReplicationFactor: 3, Configs: map[string]string{}, WorkerKey: OffsetTopicKey, Purpose: purposeOffsets},
		{Name: "st", Partitions: 5, ReplicationFactor: -1, Configs: map[string]string{}, WorkerKey: StatusTopicKey, Purpose: purposeStatuses},
	}
	if d := cmp.Diff(want, []TopicSpec{c, o, s}); d != "" {
		t.Error(d)
	}
	if _, _, _, err := TopicSpecs(map[string]string{"config.storage.topic": "c", "offset.storage.topic": "o"}, nil); err == nil {
		t.Error("missing status.storage.topic accepted")
	}
}

func TestEnsureTopic(t *testing.T) {
	_, adm := fakeCluster(t)
	ctx := testCtx(t)

	s := spec("connect-offsets", OffsetTopicKey, 3)
	s.Configs = map[string]string{"cleanup.policy": "delete", "retention.ms": "1000"}
	created, err := EnsureTopic(ctx, adm, s, nil)
	if err != nil || !created {
		t.Fatalf("create: created=%v err=%v", created, err)
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, s.Name)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range rcs[0].Configs {
		if c.Key == "cleanup.policy" || c.Key == "retention.ms" {
			got[c.Key] = c.MaybeValue()
		}
	}
	if d := cmp.Diff(map[string]string{"cleanup.policy": "compact", "retention.ms": "1000"}, got); d != "" {
		t.Errorf("topic configs (-want +got):\n%s", d)
	}
	// Present and compacted: accepted, not created.
	if created, err := EnsureTopic(ctx, adm, s, nil); err != nil || created {
		t.Errorf("existing compacted topic: created=%v err=%v", created, err)
	}

	// Present with cleanup.policy=compact,delete: Java's text.
	if _, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{"cleanup.policy": kadm.StringPtr("compact,delete")}, "bad-status"); err != nil {
		t.Fatal(err)
	}
	_, err = EnsureTopic(ctx, adm, TopicSpec{Name: "bad-status", Partitions: 5, ReplicationFactor: 1, WorkerKey: StatusTopicKey, Purpose: purposeStatuses}, nil)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("want ConfigError, got %v", err)
	}
	want := "Topic 'bad-status' supplied via the 'status.storage.topic' property is required to have " +
		"'cleanup.policy=compact' to guarantee consistency and durability of connector and task statuses, " +
		"but found the topic currently has 'cleanup.policy=compact,delete'. Continuing would likely result in " +
		"eventually losing connector and task statuses and problems restarting this Connect cluster in the future. " +
		"Change the 'status.storage.topic' property in the Connect worker configurations to use a topic with " +
		"'cleanup.policy=compact'."
	if ce.Msg != want {
		t.Errorf("message:\n got %s\nwant %s", ce.Msg, want)
	}

	// A config topic with two partitions.
	if _, err := adm.CreateTopic(ctx, 2, 1, map[string]*string{"cleanup.policy": kadm.StringPtr("compact")}, "two-parts"); err != nil {
		t.Fatal(err)
	}
	_, err = EnsureTopic(ctx, adm, TopicSpec{Name: "two-parts", Partitions: 1, ReplicationFactor: 1, WorkerKey: ConfigTopicKey, Purpose: purposeConfigs, SinglePartition: true}, nil)
	if !errors.As(err, &ce) || ce.Msg != "Topic 'two-parts' supplied via the 'config.storage.topic' property is required to have a single partition in order to guarantee consistency of connector configurations, but found 2 partitions." {
		t.Errorf("two-partition config topic: %v", err)
	}
}
