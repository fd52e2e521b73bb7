package distributed

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/storage"
)

// Offsets returns a connector's committed offsets: source offsets from the
// offsets topic, sink offsets from its consumer group.
func (h *Herder) Offsets(ctx context.Context, name string) (herder.ConnectorOffsets, error) {
	config, err := call(ctx, h, func() (map[string]string, error) {
		c, ok := h.snap.Connectors[name]
		if !ok {
			return nil, notFound(name)
		}
		return maps.Clone(c), nil
	})
	if err != nil {
		return herder.ConnectorOffsets{}, err
	}
	p, ok := h.plugin(config)
	if !ok {
		return herder.ConnectorOffsets{}, fmt.Errorf("unknown connector class %s", config["connector.class"])
	}
	out := []herder.PartitionOffset{}
	if p.Kind == registry.Sink {
		if h.cfg.Admin == nil {
			return herder.ConnectorOffsets{}, fmt.Errorf("sink connector offsets need a Kafka admin client")
		}
		group := config["consumer.override.group.id"]
		if group == "" {
			group = "connect-" + name
		}
		resps, err := h.cfg.Admin.FetchOffsets(ctx, group)
		if err != nil {
			return herder.ConnectorOffsets{}, fmt.Errorf("Failed to retrieve consumer group offsets for sink connector: %w", err) //nolint:staticcheck // Java's message
		}
		for _, r := range resps.Sorted() {
			if r.Err != nil || r.At < 0 {
				continue
			}
			out = append(out, herder.PartitionOffset{
				Partition: map[string]any{"kafka_topic": r.Topic, "kafka_partition": r.Partition},
				Offset:    map[string]any{"kafka_offset": r.At},
			})
		}
		return herder.ConnectorOffsets{Offsets: out}, nil
	}
	all, err := h.offsets.All(ctx)
	if err != nil {
		return herder.ConnectorOffsets{}, fmt.Errorf("read source offsets: %w", err)
	}
	for _, k := range slices.SortedFunc(maps.Keys(all), func(a, b string) int { return bytes.Compare([]byte(a), []byte(b)) }) {
		conn, partition, err := storage.ParseOffsetKey([]byte(k))
		if err != nil || conn != name || all[k] == nil {
			continue
		}
		offset, err := storage.ParseOffsetValue(all[k])
		if err != nil || offset == nil {
			continue
		}
		out = append(out, herder.PartitionOffset{Partition: partition, Offset: offset})
	}
	return herder.ConnectorOffsets{Offsets: out}, nil
}

// AlterOffsets is not implemented in distributed mode yet.
func (h *Herder) AlterOffsets(ctx context.Context, name string, offsets herder.ConnectorOffsets) (herder.Message, error) {
	return herder.Message{}, fmt.Errorf("altering offsets is not supported in distributed mode yet")
}

// ResetOffsets is not implemented in distributed mode yet.
func (h *Herder) ResetOffsets(ctx context.Context, name string) (herder.Message, error) {
	return herder.Message{}, fmt.Errorf("resetting offsets is not supported in distributed mode yet")
}
