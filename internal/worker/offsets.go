package worker

import (
	"context"
	"sync"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/storage"
)

// offsetReader is the OffsetStorageReader of a connector and its source tasks:
// lookups by the exact key bytes a commit writes.
type offsetReader struct {
	connector string
	store     OffsetStore
}

func (r *offsetReader) Offset(ctx context.Context, partition map[string]any) (map[string]any, error) {
	key, err := storage.OffsetKey(r.connector, partition)
	if err != nil {
		return nil, err
	}
	got, err := r.store.Get(ctx, [][]byte{key})
	if err != nil {
		return nil, err
	}
	v, ok := got[string(key)]
	if !ok {
		return nil, nil
	}
	return storage.ParseOffsetValue(v)
}

var _ connect.OffsetStorageReader = (*offsetReader)(nil)

// submitted is one produced source record awaiting its ack (Java's
// SubmittedRecords.SubmittedRecord).
type submitted struct {
	part   *partitionTrack
	offset map[string]any
	acked  bool
}

// partitionTrack is the submission-ordered queue of one source partition.
type partitionTrack struct {
	key   string // storage.OffsetKey bytes
	queue []*submitted
	head  int
	// committable is the offset of the latest record such that it and every
	// earlier record of this partition were acked; dirty says it is not stored yet.
	committable map[string]any
	dirty       bool
}

// offsetTracker tracks acks per source partition so that only offsets of records
// whose predecessors were all acked are committed: a kill at any moment then
// redelivers, never loses.
type offsetTracker struct {
	connector string

	mu    sync.Mutex
	parts map[string]*partitionTrack
	// last caches the previous record's partition: consecutive records of one
	// partition are the common case and skip the key encoding map lookup.
	lastKey  string
	lastPart *partitionTrack
}

func newOffsetTracker(connector string) *offsetTracker {
	return &offsetTracker{connector: connector, parts: map[string]*partitionTrack{}}
}

// submit registers a record before it is produced. Called by the task goroutine.
func (t *offsetTracker) submit(key []byte, offset map[string]any) *submitted {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.lastPart
	if p == nil || t.lastKey != string(key) {
		p = t.parts[string(key)]
		if p == nil {
			p = &partitionTrack{key: string(key)}
			t.parts[p.key] = p
		}
		t.lastKey, t.lastPart = p.key, p
	}
	s := &submitted{part: p, offset: offset}
	p.queue = append(p.queue, s)
	return s
}

// ack marks s acked. Called from produce callbacks.
func (t *offsetTracker) ack(s *submitted) {
	t.mu.Lock()
	s.acked = true
	t.mu.Unlock()
}

// committable advances every partition past its acked prefix and returns the
// offsets not stored yet, encoded; markStored or markFailed must follow.
func (t *offsetTracker) committable() (map[string][]byte, []*partitionTrack, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out map[string][]byte
	var parts []*partitionTrack
	for _, p := range t.parts {
		for p.head < len(p.queue) && p.queue[p.head].acked {
			p.committable = p.queue[p.head].offset
			p.queue[p.head] = nil
			p.head++
			p.dirty = true
		}
		// Compact once the consumed prefix dominates, so the queue's memory stays
		// proportional to the records in flight.
		if p.head > 0 && p.head >= len(p.queue)/2 {
			n := copy(p.queue, p.queue[p.head:])
			clear(p.queue[n:])
			p.queue, p.head = p.queue[:n], 0
		}
		if !p.dirty {
			continue
		}
		v, err := storage.OffsetValue(p.committable)
		if err != nil {
			return nil, nil, err
		}
		if out == nil {
			out = map[string][]byte{}
		}
		out[p.key] = v
		parts = append(parts, p)
		p.dirty = false
	}
	return out, parts, nil
}

// markFailed flags parts dirty again after a failed store write, so the next
// commit retries them.
func (t *offsetTracker) markFailed(parts []*partitionTrack) {
	t.mu.Lock()
	for _, p := range parts {
		p.dirty = true
	}
	t.mu.Unlock()
}
