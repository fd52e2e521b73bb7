package storage

import (
	"context"
	"maps"
	"sync"
)

// MemoryOffsetStore keeps offsets in memory (tests, and the base of FileOffsetStore).
// It is safe for concurrent use.
type MemoryOffsetStore struct {
	mu   sync.Mutex
	data map[string][]byte
}

// NewMemoryOffsetStore returns an empty store.
func NewMemoryOffsetStore() *MemoryOffsetStore {
	return &MemoryOffsetStore{data: map[string][]byte{}}
}

// Get returns the stored values of keys; absent keys are missing from the result.
func (s *MemoryOffsetStore) Get(_ context.Context, keys [][]byte) (map[string][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		if v, ok := s.data[string(k)]; ok {
			out[string(k)] = v
		}
	}
	return out, nil
}

// Set stores entries; a nil value deletes its key.
func (s *MemoryOffsetStore) Set(_ context.Context, entries map[string][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	apply(s.data, entries)
	return nil
}

// All returns a copy of every entry.
func (s *MemoryOffsetStore) All(context.Context) (map[string][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.data), nil
}

func apply(dst map[string][]byte, entries map[string][]byte) {
	for k, v := range entries {
		if v == nil {
			delete(dst, k)
		} else {
			dst[k] = append([]byte(nil), v...)
		}
	}
}
