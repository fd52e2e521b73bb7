package worker

import (
	"bytes"
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

// partitionTrack is the submission-ordered queue of one source partition's
// records in flight.
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
//
// Each ack advances its partition past the acked prefix at once, keeping only the
// latest committable offset, so memory is bounded by the records in flight (the
// producer's buffer), not by the records produced between two offset commits.
// Offsets are encoded only when committed: a source producing 100k records/s
// would otherwise encode and hold 100k offsets per second of flush interval.
type offsetTracker struct {
	connector string

	mu    sync.Mutex
	parts map[string]*partitionTrack
	// lastPartition (a copy, as entries) and lastPart are the previous record's
	// source partition: consecutive records of one partition are the common case,
	// and comparing a small map is much cheaper than encoding it to find its key.
	lastPartition []partitionEntry
	lastNil       bool // the previous partition was a nil map
	lastPart      *partitionTrack
}

func newOffsetTracker(connector string) *offsetTracker {
	return &offsetTracker{connector: connector, parts: map[string]*partitionTrack{}}
}

// partition returns the track of a source partition, failing as storage.OffsetKey
// does for a partition that cannot be encoded. Called by the task goroutine.
func (t *offsetTracker) partition(partition map[string]any) (*partitionTrack, error) {
	if t.lastPart != nil && (partition == nil) == t.lastNil && samePartition(partition, t.lastPartition) {
		return t.lastPart, nil
	}
	key, err := storage.OffsetKey(t.connector, partition)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	p := t.parts[string(key)]
	if p == nil {
		p = &partitionTrack{key: string(key)}
		t.parts[p.key] = p
	}
	t.mu.Unlock()
	// A copy: the task may reuse and change its map for a later record.
	t.lastPartition = t.lastPartition[:0]
	for k, v := range partition {
		if b, ok := v.([]byte); ok {
			v = bytes.Clone(b)
		}
		t.lastPartition = append(t.lastPartition, partitionEntry{k, v})
	}
	t.lastNil, t.lastPart = partition == nil, p
	return p, nil
}

type partitionEntry struct {
	key string
	val any
}

// samePartition reports whether a holds exactly the entries of b (then both
// encode to the same key; nil against empty is the caller's check). Values are the
// primitives storage.OffsetKey accepts (it has checked b's). Iterating the slice
// and looking up in the map avoids a map iteration per record.
func samePartition(a map[string]any, b []partitionEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for _, e := range b {
		vb := e.val
		va, ok := a[e.key]
		if !ok {
			return false
		}
		switch x := va.(type) {
		case []byte:
			y, ok := vb.([]byte)
			if !ok || !bytes.Equal(x, y) {
				return false
			}
		case nil, bool, string, int, int8, int16, int32, int64, uint32, float32, float64:
			// Same dynamic type and value; NaN never equals, which only costs an
			// encoding.
			if va != vb {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// submit registers a record of partition p before it is produced. Called by the
// task goroutine.
func (t *offsetTracker) submit(p *partitionTrack, offset map[string]any) *submitted {
	s := &submitted{part: p, offset: offset}
	t.mu.Lock()
	p.queue = append(p.queue, s)
	t.mu.Unlock()
	return s
}

// ack marks s acked and advances its partition past the acked prefix. Called from
// produce callbacks, in any order across Kafka partitions.
func (t *offsetTracker) ack(s *submitted) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s.acked = true
	p := s.part
	if p.head >= len(p.queue) || p.queue[p.head] != s {
		return // an earlier record of the partition is still in flight
	}
	for p.head < len(p.queue) && p.queue[p.head].acked {
		p.committable = p.queue[p.head].offset
		p.queue[p.head] = nil
		p.head++
	}
	p.dirty = true
	switch {
	case p.head == len(p.queue):
		p.queue, p.head = p.queue[:0], 0
	case p.head >= 1024 && p.head >= len(p.queue)/2:
		// Compact once the consumed prefix dominates, so the queue's memory stays
		// proportional to the records in flight (amortized: each copy moves at most
		// as many entries as were consumed since the last one).
		n := copy(p.queue, p.queue[p.head:])
		clear(p.queue[n:])
		p.queue, p.head = p.queue[:n], 0
	}
}

// committable returns, encoded, the offsets that became committable since the last
// call; markFailed must follow if storing them fails.
func (t *offsetTracker) committable() (map[string][]byte, []*partitionTrack, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out map[string][]byte
	var parts []*partitionTrack
	for _, p := range t.parts {
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
