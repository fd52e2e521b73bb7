package distributed

import (
	"context"
	"fmt"
	"maps"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/storage/kafkastore"
)

// offsetsIO is the shared implementation of the offsets endpoints over this
// worker's offsets store and admin client.
func (h *Herder) offsetsIO() herder.OffsetsIO {
	io := herder.OffsetsIO{Admin: h.cfg.Admin}
	if h.offsets != nil {
		io.Store = h.offsets
	}
	return io
}

// offsetsTarget takes a connector's resolved config and plugin on the loop. Any
// worker serves reads from its snapshot. Changes (modify) follow Java's
// alterConnectorOffsetsChecks: no pending rebalance, a known connector, the
// leader, and, after reading the config topic to its end, target state STOPPED
// with zero tasks.
func (h *Herder) offsetsTarget(ctx context.Context, name string, modify bool) (herder.OffsetsTarget, error) {
	return call(ctx, h, func() (herder.OffsetsTarget, error) {
		if modify {
			if err := h.checkStale(); err != nil {
				return herder.OffsetsTarget{}, err
			}
		}
		config, ok := h.snap.Connectors[name]
		if !ok {
			return herder.OffsetsTarget{}, notFound(name)
		}
		if modify {
			if !h.isLeader() {
				return herder.OffsetsTarget{}, h.notLeader("Only the leader can process external offsets modification requests")
			}
			rctx, cancel := context.WithTimeout(ctx, h.cfg.WorkerSyncTimeout)
			err := h.configs.Refresh(rctx)
			cancel()
			if err != nil {
				return herder.OffsetsTarget{}, fmt.Errorf("Failed to read to end of config topic: %w", err) //nolint:staticcheck // Java's message
			}
			s := h.configs.Snapshot()
			c, ok := s.Connectors[name]
			if !ok {
				return herder.OffsetsTarget{}, notFound(name)
			}
			if s.TargetStates[name] != kafkastore.TargetStopped || s.TaskCounts[name] != 0 {
				return herder.OffsetsTarget{}, herder.ErrNotStopped(name)
			}
			config = c
		}
		p, ok := h.plugin(config)
		if !ok {
			return herder.OffsetsTarget{}, fmt.Errorf("unknown connector class %s", config["connector.class"])
		}
		props, err := h.resolve(config)
		if err != nil {
			return herder.OffsetsTarget{}, err
		}
		return herder.OffsetsTarget{Name: name, Config: maps.Clone(props), Plugin: p}, nil
	})
}

// Offsets returns a connector's committed offsets: source offsets from the
// offsets topic, sink offsets from its consumer group. Any worker answers.
func (h *Herder) Offsets(ctx context.Context, name string) (herder.ConnectorOffsets, error) {
	t, err := h.offsetsTarget(ctx, name, false)
	if err != nil {
		return herder.ConnectorOffsets{}, err
	}
	return h.offsetsIO().Get(ctx, t)
}

// AlterOffsets (leader) changes offsets of a STOPPED connector with no tasks.
func (h *Herder) AlterOffsets(ctx context.Context, name string, offsets herder.ConnectorOffsets) (herder.Message, error) {
	if err := herder.CheckAlterRequest(offsets); err != nil {
		return herder.Message{}, err
	}
	return h.modifyOffsets(ctx, name, offsets.Offsets)
}

// ResetOffsets (leader) deletes every offset of a STOPPED connector with no tasks.
func (h *Herder) ResetOffsets(ctx context.Context, name string) (herder.Message, error) {
	return h.modifyOffsets(ctx, name, nil)
}

// modifyOffsets checks on the loop, then does the Kafka I/O on the caller's
// goroutine so the loop keeps heartbeating and serving. The offsets store's
// writes are read back by every worker's store tail.
func (h *Herder) modifyOffsets(ctx context.Context, name string, offsets []herder.PartitionOffset) (herder.Message, error) {
	t, err := h.offsetsTarget(ctx, name, true)
	if err != nil {
		return herder.Message{}, err
	}
	return h.offsetsIO().Modify(ctx, t, offsets)
}
