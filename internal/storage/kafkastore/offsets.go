package kafkastore

import (
	"context"
	"maps"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// OffsetStore keeps source offsets in the offsets topic (offset.storage.topic), as
// Java's KafkaOffsetBackingStore: the record key and value are the raw bytes the
// worker gives (storage.OffsetKey / OffsetValue: JSON ["<connector>",{partition}] and
// the JSON offset map), a nil value is a tombstone. It implements worker.OffsetStore.
//
// Records are partitioned by murmur2 of the key bytes like Java's producer, so a key
// written by goconnect lands in the same partition as the same key written by Java
// and compaction keeps only the newest of the two.
type OffsetStore struct {
	log *Log

	mu   sync.Mutex
	data map[string][]byte
}

// OpenOffsetStore ensures the topic (if c.Admin is set), reads it to the end and
// keeps tailing it. Close releases it.
func OpenOffsetStore(ctx context.Context, c StoreConfig) (*OffsetStore, error) {
	s := &OffsetStore{data: map[string][]byte{}}
	l, err := openStoreLog(ctx, c, durableProducerOpts(), s.apply)
	if err != nil {
		return nil, err
	}
	s.log = l
	return s, nil
}

func (s *OffsetStore) apply(r *kgo.Record) {
	if r.Key == nil {
		return // Java keys every offset record; a null key is no offset we can look up
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Value == nil {
		delete(s.data, string(r.Key))
		return
	}
	s.data[string(r.Key)] = r.Value
}

// Get reads the topic to its end (so that offsets written by any worker before the
// call are seen, as Java's get does) and returns the values of keys that have one.
func (s *OffsetStore) Get(ctx context.Context, keys [][]byte) (map[string][]byte, error) {
	if err := s.log.ReadToEnd(ctx); err != nil {
		return nil, err
	}
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

// Set writes entries (nil value = delete) and returns once the broker acknowledged
// all of them. The local map is updated by the tailing goroutine, not here, so
// that every worker sees the same order of writes.
func (s *OffsetStore) Set(ctx context.Context, entries map[string][]byte) error {
	if len(entries) == 0 {
		return nil
	}
	recs := make([]KV, 0, len(entries))
	for k, v := range entries {
		recs = append(recs, KV{Key: []byte(k), Value: v})
	}
	return s.log.Send(ctx, recs...)
}

// All reads the topic to its end and returns every stored entry.
func (s *OffsetStore) All(ctx context.Context) (map[string][]byte, error) {
	if err := s.log.ReadToEnd(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.data), nil
}

// Close stops tailing the topic and closes the clients, after flushing writes.
func (s *OffsetStore) Close() { s.log.Close() }
