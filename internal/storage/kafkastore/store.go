package kafkastore

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// StoreConfig is what every store needs to open its topic.
type StoreConfig struct {
	// Topic describes the internal topic (see TopicSpecs).
	Topic TopicSpec
	// Client are the worker's client options (seeds, security; see kafka.Opts).
	Client []kgo.Opt
	// ClientID is the store's client id, <group.id>-configs|offsets|statuses in
	// Java; empty keeps franz-go's default.
	ClientID string
	// Admin, when set, is used to create the topic when missing and check it when
	// present (EnsureTopic) before the store reads it. nil skips the check (tests,
	// or a caller that ensured the topics itself).
	Admin *kadm.Client
	// Logger receives the store's messages; nil discards them.
	Logger *slog.Logger
}

func (c StoreConfig) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// openStoreLog runs EnsureTopic (when an admin is given) and opens the topic's Log
// with the producer settings Java uses for it.
func openStoreLog(ctx context.Context, c StoreConfig, producer []kgo.Opt, onRecord func(*kgo.Record)) (*Log, error) {
	if c.Admin != nil {
		if _, err := EnsureTopic(ctx, c.Admin, c.Topic, c.logger()); err != nil {
			return nil, err
		}
	}
	client := append([]kgo.Opt{}, c.Client...)
	if c.ClientID != "" {
		client = append(client, kgo.ClientID(c.ClientID))
	}
	l, err := OpenLog(ctx, LogConfig{
		Topic:    c.Topic.Name,
		Client:   client,
		Producer: producer,
		OnRecord: onRecord,
		Logger:   c.logger(),
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", c.Topic.WorkerKey, err)
	}
	return l, nil
}

// Producer settings per topic, as Java's backing stores set them. Java disables
// idempotence on all three (compatibility with brokers lacking the
// IDEMPOTENT_WRITE ACL) and keeps acks=all (the client default since Kafka 3.0).
// One request in flight keeps the records of one key in order across retries, which
// Java gets only by luck with its 5 in-flight requests.
func durableProducerOpts() []kgo.Opt {
	return []kgo.Opt{
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.DisableIdempotentWrite(),
		kgo.MaxProduceRequestsInflightPerBroker(1),
	}
}

// statusProducerOpts is Java's status producer: retries=0 and idempotence off,
// because a retried status could overwrite a newer one written by another worker;
// the StatusStore re-sends itself unless the write has been superseded.
func statusProducerOpts() []kgo.Opt {
	return []kgo.Opt{
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.DisableIdempotentWrite(),
		kgo.MaxProduceRequestsInflightPerBroker(1),
		kgo.RecordRetries(0),
	}
}
