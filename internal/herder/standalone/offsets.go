package standalone

import (
	"context"
	"fmt"
	"maps"

	"github.com/goconnect/goconnect/internal/herder"
)

// The offsets endpoints take what they need from herder state on the loop and do
// their I/O (offsets file, consumer groups) in the caller's goroutine through
// herder.OffsetsIO, which distributed mode shares.

// target reads a connector's config and plugin on the loop; stopped requires the
// state the offsets may be changed in (STOPPED with zero tasks).
func (h *Herder) target(ctx context.Context, name string, stopped bool) (herder.OffsetsTarget, error) {
	return call(ctx, h, func() (herder.OffsetsTarget, error) {
		c, ok := h.conns[name]
		if !ok {
			return herder.OffsetsTarget{}, notFound(name)
		}
		if stopped && (c.target != herder.TargetStopped || len(c.tasks) != 0) {
			return herder.OffsetsTarget{}, herder.ErrNotStopped(name)
		}
		p, err := h.cfg.Registry.LookupConnectorFor(c.config)
		if err != nil {
			return herder.OffsetsTarget{}, fmt.Errorf("%s", err.Error())
		}
		props, err := h.resolve(c.config)
		if err != nil {
			return herder.OffsetsTarget{}, err
		}
		return herder.OffsetsTarget{Name: name, Config: maps.Clone(props), Plugin: p}, nil
	})
}

func (h *Herder) offsetsIO() herder.OffsetsIO {
	io := herder.OffsetsIO{Admin: h.cfg.Admin}
	if h.cfg.Offsets != nil {
		io.Store = h.cfg.Offsets
	}
	return io
}

// Offsets returns a connector's committed offsets: for a source connector the
// offsets store's entries keyed by its name, for a sink connector its consumer
// group's committed offsets.
func (h *Herder) Offsets(ctx context.Context, name string) (herder.ConnectorOffsets, error) {
	t, err := h.target(ctx, name, false)
	if err != nil {
		return herder.ConnectorOffsets{}, err
	}
	return h.offsetsIO().Get(ctx, t)
}

// AlterOffsets changes offsets of a STOPPED connector.
func (h *Herder) AlterOffsets(ctx context.Context, name string, offsets herder.ConnectorOffsets) (herder.Message, error) {
	if err := herder.CheckAlterRequest(offsets); err != nil {
		return herder.Message{}, err
	}
	t, err := h.target(ctx, name, true)
	if err != nil {
		return herder.Message{}, err
	}
	return h.offsetsIO().Modify(ctx, t, offsets.Offsets)
}

// ResetOffsets deletes every offset of a STOPPED connector.
func (h *Herder) ResetOffsets(ctx context.Context, name string) (herder.Message, error) {
	t, err := h.target(ctx, name, true)
	if err != nil {
		return herder.Message{}, err
	}
	return h.offsetsIO().Modify(ctx, t, nil)
}
