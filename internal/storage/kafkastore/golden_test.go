package kafkastore

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/java-4.3.1 from a real Java Connect run (e2e tests only)")

// goldenDir holds the internal-topic records written by Java Connect 4.3.1
// distributed (golden_e2e_test.go captures them).
const goldenDir = "testdata/java-4.3.1"

// Fixed names of the golden scenario. The source file path is fixed (not a temp
// dir) so that offset keys need no normalization and keep their real partition.
const (
	goldenSourceDir  = "/tmp/goconnect-kafkastore-golden"
	goldenSourceFile = goldenSourceDir + "/in.txt"
	goldenWorkerID   = "127.0.0.1:8083"
	goldenTimestamp  = 1700000000000
	goldenOffsetsPar = 25 // offset.storage.partitions default, used by the scenario
)

// goldenRecord is one record of a golden file (JSON lines). Key and Value are the
// record bytes as text; Value nil is a tombstone. P is the partition Java's
// producer chose.
type goldenRecord struct {
	P     int32   `json:"p"`
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

func (g goldenRecord) value() []byte {
	if g.Value == nil {
		return nil
	}
	return []byte(*g.Value)
}

func readGolden(t *testing.T, name string) []goldenRecord {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatalf("read golden: %v", err)
	}
	var out []goldenRecord
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var g goldenRecord
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatalf("golden %s: %v", name, err)
		}
		out = append(out, g)
	}
	return out
}

func writeGolden(t *testing.T, name string, recs []goldenRecord) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(goldenDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(goldenDir, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// javaMurmur2 is org.apache.kafka.common.utils.Utils.murmur2, ported
// independently of franz-go to check franz-go's partitioner against it.
func javaMurmur2(data []byte) int32 {
	const seed uint32 = 0x9747b28c
	const m uint32 = 0x5bd1e995
	const r = 24
	length := len(data)
	h := seed ^ uint32(length)
	n := length / 4
	for i := range n {
		i4 := i * 4
		k := uint32(data[i4]) | uint32(data[i4+1])<<8 | uint32(data[i4+2])<<16 | uint32(data[i4+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	rest := data[n*4:]
	switch len(rest) {
	case 3:
		h ^= uint32(rest[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(rest[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(rest[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// javaPartition is Java's DefaultPartitioner/BuiltInPartitioner for a keyed record.
func javaPartition(key []byte, n int) int32 {
	return int32(int(uint32(javaMurmur2(key))&0x7fffffff) % n)
}
