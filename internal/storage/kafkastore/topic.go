package kafkastore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/goconnect/goconnect/api/data"
)

// Worker property names of the internal topics (reference §2.3).
const (
	ConfigTopicKey  = "config.storage.topic"
	OffsetTopicKey  = "offset.storage.topic"
	StatusTopicKey  = "status.storage.topic"
	configPrefix    = "config.storage."
	offsetPrefix    = "offset.storage."
	statusPrefix    = "status.storage."
	cleanupPolicy   = "cleanup.policy"
	policyCompact   = "compact"
	purposeConfigs  = "connector configurations"
	purposeOffsets  = "source connector offsets"
	purposeStatuses = "connector and task statuses"
)

// TopicSpec describes one internal topic: how to create it when it is missing and
// how to check it when it exists.
type TopicSpec struct {
	// Name is the topic name.
	Name string
	// Partitions and ReplicationFactor are used on creation; -1 means the broker
	// default, as in Java.
	Partitions        int32
	ReplicationFactor int16
	// Configs are the extra topic configs (the worker's <prefix>.* keys); EnsureTopic
	// always sets cleanup.policy=compact over them.
	Configs map[string]string
	// WorkerKey is the worker property naming the topic (config.storage.topic, ...),
	// and Purpose what it holds; both appear in Java's error texts.
	WorkerKey string
	Purpose   string
	// SinglePartition makes EnsureTopic refuse an existing topic with more than one
	// partition (the config topic: its order is the order of the cluster's writes).
	SinglePartition bool
}

// TopicSpecs derives the three internal topics from distributed worker properties
// as DistributedConfig does: names from *.storage.topic, partitions and replication
// from *.storage.partitions / *.storage.replication.factor (defaults 25/5
// partitions for offsets/status, replication 3), every other *.storage.* key passed
// through as a topic config. config.storage.partitions is ignored (always 1) and a
// user cleanup.policy is dropped (always compact), both with a warning as in Java.
func TopicSpecs(props map[string]string, log *slog.Logger) (config, offsets, status TopicSpec, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mk := func(prefix, workerKey, purpose string, defPartitions int32) (TopicSpec, error) {
		s := TopicSpec{
			Name:              strings.TrimSpace(props[workerKey]),
			Partitions:        defPartitions,
			ReplicationFactor: 3,
			Configs:           map[string]string{},
			WorkerKey:         workerKey,
			Purpose:           purpose,
			SinglePartition:   prefix == configPrefix,
		}
		if s.Name == "" {
			return s, fmt.Errorf("missing required worker property %s", workerKey)
		}
		for k, v := range props {
			suffix, ok := strings.CutPrefix(k, prefix)
			if !ok {
				continue
			}
			switch suffix {
			case "topic":
			case "replication.factor":
				n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 16)
				if err != nil || n == 0 || n < -1 {
					return s, fmt.Errorf("invalid value %s for worker property %s: must be -1 or a positive short", v, k)
				}
				s.ReplicationFactor = int16(n)
			case "partitions":
				if prefix == configPrefix {
					log.Warn("ignoring setting, since config topic partitions is always 1", "key", k, "value", v)
					continue
				}
				n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
				if err != nil || n == 0 || n < -1 {
					return s, fmt.Errorf("invalid value %s for worker property %s: must be -1 or a positive int", v, k)
				}
				s.Partitions = int32(n)
			case cleanupPolicy:
				log.Warn("ignoring setting, since compaction is always used", "key", k, "value", v)
			default:
				s.Configs[suffix] = v
			}
		}
		if prefix == configPrefix {
			s.Partitions = 1
		}
		return s, nil
	}
	if config, err = mk(configPrefix, ConfigTopicKey, purposeConfigs, 1); err != nil {
		return
	}
	if offsets, err = mk(offsetPrefix, OffsetTopicKey, purposeOffsets, 25); err != nil {
		return
	}
	status, err = mk(statusPrefix, StatusTopicKey, purposeStatuses, 5)
	return
}

// EnsureTopic creates the topic of spec compacted when it does not exist and checks
// it when it does: cleanup.policy must be exactly compact and, for a SinglePartition
// topic, it must have one partition. Violations are *ConfigError with Java's texts.
// created reports whether this call created the topic.
//
// As in Java's TopicAdmin, a broker that refuses to describe configs (no
// DescribeConfigs permission) skips the cleanup.policy check with a log line rather
// than failing the worker.
func EnsureTopic(ctx context.Context, adm *kadm.Client, spec TopicSpec, log *slog.Logger) (created bool, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfgs := make(map[string]*string, len(spec.Configs)+1)
	for k, v := range spec.Configs {
		cfgs[k] = kadm.StringPtr(v)
	}
	cfgs[cleanupPolicy] = kadm.StringPtr(policyCompact) // after the user's: compaction is not optional
	_, err = adm.CreateTopic(ctx, spec.Partitions, spec.ReplicationFactor, cfgs, spec.Name)
	switch {
	case err == nil:
		created = true
		log.Info("created internal topic", "topic", spec.Name, "partitions", spec.Partitions, "replication_factor", spec.ReplicationFactor)
	case errors.Is(err, kerr.TopicAlreadyExists):
		if err := verifyCompact(ctx, adm, spec, log); err != nil {
			return false, err
		}
	case errors.Is(err, kerr.TopicAuthorizationFailed), errors.Is(err, kerr.ClusterAuthorizationFailed):
		// Java carries on: the topic may exist and be usable even if we may not create it.
		log.Debug("not authorized to create internal topic; assuming it exists", "topic", spec.Name, "err", err)
	case errors.Is(err, kerr.InvalidConfig), errors.Is(err, kerr.InvalidReplicationFactor), errors.Is(err, kerr.InvalidPartitions):
		return false, &ConfigError{Msg: fmt.Sprintf("Unable to create topic(s) '%s': %v", spec.Name, err)}
	default:
		return false, fmt.Errorf("create or find topic %s: %w", spec.Name, err)
	}
	if spec.SinglePartition {
		n, err := partitionCount(ctx, adm, spec.Name)
		if err != nil {
			return created, err
		}
		if n > 1 {
			return created, &ConfigError{Msg: fmt.Sprintf("Topic '%s' supplied via the '%s' property is required "+
				"to have a single partition in order to guarantee consistency of "+
				"connector configurations, but found %d partitions.", spec.Name, spec.WorkerKey, n)}
		}
	}
	return created, nil
}

func partitionCount(ctx context.Context, adm *kadm.Client, topic string) (int, error) {
	md, err := adm.Metadata(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("describe topic %s: %w", topic, err)
	}
	td, ok := md.Topics[topic]
	if !ok || td.Err != nil {
		return 0, fmt.Errorf("describe topic %s: %v", topic, td.Err)
	}
	return len(td.Partitions), nil
}

func verifyCompact(ctx context.Context, adm *kadm.Client, spec TopicSpec, log *slog.Logger) error {
	rcs, err := adm.DescribeTopicConfigs(ctx, spec.Name)
	if err != nil {
		return fmt.Errorf("describe configs of topic %s: %w", spec.Name, err)
	}
	rc, err := rcs.On(spec.Name, nil)
	if err == nil {
		err = rc.Err
	}
	if err != nil {
		if errors.Is(err, kerr.TopicAuthorizationFailed) || errors.Is(err, kerr.ClusterAuthorizationFailed) {
			log.Info("unable to verify the cleanup policy of an internal topic: not authorized to describe topic configurations", "topic", spec.Name)
			return nil
		}
		return fmt.Errorf("describe configs of topic %s: %w", spec.Name, err)
	}
	var policies []string
	seen := map[string]bool{}
	for _, c := range rc.Configs {
		if c.Key != cleanupPolicy || c.Value == nil {
			continue
		}
		for p := range strings.SplitSeq(*c.Value, ",") {
			p = strings.ToLower(strings.TrimSpace(p))
			if p != "" && !seen[p] {
				seen[p] = true
				policies = append(policies, p)
			}
		}
	}
	if len(policies) == 0 {
		log.Info("unable to verify the cleanup policy of an internal topic", "topic", spec.Name)
		return nil
	}
	if len(policies) == 1 && policies[0] == policyCompact {
		return nil
	}
	// Java joins a HashSet of the policies, hence HashMap order.
	found := strings.Join(data.JavaHashMapOrder(policies), ",")
	return &ConfigError{Msg: cleanupPolicyMismatch(spec, found)}
}

func cleanupPolicyMismatch(spec TopicSpec, found string) string {
	return fmt.Sprintf("Topic '%s' supplied via the '%s' property is required "+
		"to have '%s=%s' to guarantee consistency and durability of "+
		"%s, but found the topic currently has '%s=%s'. Continuing would likely "+
		"result in eventually losing %s and problems restarting this Connect "+
		"cluster in the future. Change the '%s' property in the "+
		"Connect worker configurations to use a topic with '%s=%s'.",
		spec.Name, spec.WorkerKey, cleanupPolicy, policyCompact,
		spec.Purpose, cleanupPolicy, found, spec.Purpose,
		spec.WorkerKey, cleanupPolicy, policyCompact)
}
