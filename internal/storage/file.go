package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// fileVersion is the "version" of the JSON offsets file format.
const fileVersion = 1

// fileFormat is the on-disk JSON document of FileOffsetStore. Keys and values are the
// offset JSON texts kept as strings, so the file stays readable and diffable while
// the bytes stay exactly those a Kafka offsets topic would hold.
type fileFormat struct {
	Version int         `json:"version"`
	Offsets []fileEntry `json:"offsets"`
}

type fileEntry struct {
	Key   string  `json:"key"`
	Value *string `json:"value,omitempty"`
}

// FileOffsetStore persists offsets to a file (offset.storage.file.filename). The
// whole map is rewritten atomically on every Set, as Java's FileOffsetBackingStore
// does. It is safe for concurrent use.
type FileOffsetStore struct {
	path string

	// mu serialises writers so two Sets never race on the temp file, and guards data.
	mu   sync.Mutex
	data map[string][]byte
}

// OpenFileOffsetStore loads path (missing or empty file = no offsets). It accepts
// both goconnect's JSON format and a Java-serialized HashMap<byte[],byte[]> as written
// by Java Kafka Connect.
func OpenFileOffsetStore(path string) (*FileOffsetStore, error) {
	s := &FileOffsetStore{path: path, data: map[string][]byte{}}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("read offsets file %s: %w", path, err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return s, nil
	}
	if bytes.HasPrefix(b, javaStreamMagic) {
		m, err := decodeJavaHashMap(b)
		if err != nil {
			return nil, fmt.Errorf("read Java-serialized offsets file %s: %w", path, err)
		}
		s.data = m
		return s, nil
	}
	var f fileFormat
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("parse offsets file %s: %w", path, err)
	}
	if f.Version != fileVersion {
		return nil, fmt.Errorf("parse offsets file %s: unsupported version %d", path, f.Version)
	}
	for _, e := range f.Offsets {
		if e.Value != nil {
			s.data[e.Key] = []byte(*e.Value)
		}
	}
	return s, nil
}

// Path returns the file the store writes.
func (s *FileOffsetStore) Path() string { return s.path }

// Get returns the stored values of keys; absent keys are missing from the result.
func (s *FileOffsetStore) Get(_ context.Context, keys [][]byte) (map[string][]byte, error) {
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

// All returns a copy of every entry.
func (s *FileOffsetStore) All(context.Context) (map[string][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.data), nil
}

// Set applies entries (nil value deletes) and rewrites the file before returning.
// If the write fails the in-memory map is left unchanged, so a later Set retries the
// same entries and Get never returns offsets that are not on disk.
func (s *FileOffsetStore) Set(_ context.Context, entries map[string][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := maps.Clone(s.data)
	apply(next, entries)
	if err := writeFileAtomic(s.path, encodeFile(next)); err != nil {
		return err
	}
	s.data = next
	return nil
}

func encodeFile(m map[string][]byte) []byte {
	keys := slices.Sorted(maps.Keys(m))
	f := fileFormat{Version: fileVersion, Offsets: make([]fileEntry, 0, len(keys))}
	for _, k := range keys {
		v := string(m[k])
		f.Offsets = append(f.Offsets, fileEntry{Key: k, Value: &v})
	}
	b, _ := json.MarshalIndent(f, "", "  ") // strings only: cannot fail
	return append(b, '\n')
}

// writeFileAtomic replaces path with b so that a crash at any moment leaves either
// the old or the new content: write a temp file in the same directory (rename is
// atomic only within one file system), fsync it, rename it over path, then fsync the
// directory so the rename itself is durable.
func writeFileAtomic(path string, b []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write offsets file %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(b); err != nil {
		return fmt.Errorf("write offsets file %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("sync offsets file %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("close offsets file %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace offsets file %s: %w", path, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		// Some file systems refuse fsync on directories; the rename is done either way.
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
