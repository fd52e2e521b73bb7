package storage

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOffsetKey(t *testing.T) {
	tests := []struct {
		name string
		conn string
		part map[string]any
		want string
	}{
		{"file source", "file-source", map[string]any{"filename": "test.txt"}, `["file-source",{"filename":"test.txt"}]`},
		{"nil partition", "c", nil, `["c",null]`},
		{"empty partition", "c", map[string]any{}, `["c",{}]`},
		// java.util.HashMap order: "a" (hash 97) is in bucket 1, "b" (98) in bucket 2.
		{"two keys", "c", map[string]any{"b": "x", "a": 1}, `["c",{"a":1,"b":"x"}]`},
		{"numbers", "c", map[string]any{"i": int32(5), "l": int64(-7), "d": 1.0, "f": float32(0.5), "e": 1e10}, `["c",{"d":1.0,"e":1.0E10,"f":0.5,"i":5,"l":-7}]`},
		{"escapes", "a\"b", map[string]any{"k": "x\ny\u0001/é"}, `["a\"b",{"k":"x\ny\u0001/é"}]`},
		{"bool null bytes", "c", map[string]any{"t": true, "n": nil, "b": []byte{1, 2}}, `["c",{"b":"AQI=","t":true,"n":null}]`},
		{"nan", "c", map[string]any{"x": math.NaN()}, `["c",{"x":"NaN"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := OffsetKey(tt.conn, tt.part)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("OffsetKey (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOffsetKeyRejectsNested(t *testing.T) {
	if _, err := OffsetKey("c", map[string]any{"m": map[string]any{}}); err == nil {
		t.Fatal("want error for nested map")
	}
}

func TestOffsetRoundTrip(t *testing.T) {
	off := map[string]any{"position": 30, "ratio": 1.5, "name": "x", "ok": true}
	b, err := OffsetValue(off)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseOffsetValue(b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"position": int64(30), "ratio": 1.5, "name": "x", "ok": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	key, _ := OffsetKey("conn", map[string]any{"p": int64(3)})
	c, p, err := ParseOffsetKey(key)
	if err != nil || c != "conn" || !cmp.Equal(p, map[string]any{"p": int64(3)}) {
		t.Errorf("ParseOffsetKey = %q %v %v", c, p, err)
	}
	for _, bad := range []string{`["a"]`, `[1,{}]`, `{}`, `["a",{"x":[1]}]`} {
		if _, _, err := ParseOffsetKey([]byte(bad)); err == nil {
			t.Errorf("ParseOffsetKey(%s): want error", bad)
		}
	}
	if v, err := OffsetValue(nil); v != nil || err != nil {
		t.Errorf("OffsetValue(nil) = %v, %v", v, err)
	}
}

func TestFileOffsetStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "offsets")
	s, err := OpenFileOffsetStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, map[string][]byte{"k1": []byte(`{"p":1}`), "k2": []byte(`{"p":2}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, map[string][]byte{"k2": nil, "k3": []byte(`{"p":3}`)}); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenFileOffsetStore(path)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := s2.All(ctx)
	want := map[string][]byte{"k1": []byte(`{"p":1}`), "k3": []byte(`{"p":3}`)}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("reloaded (-want +got):\n%s", diff)
	}
	got, _ := s2.Get(ctx, [][]byte{[]byte("k1"), []byte("nope")})
	if diff := cmp.Diff(map[string][]byte{"k1": []byte(`{"p":1}`)}, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	// No temp files left behind.
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries, want 1", len(ents))
	}
}

func TestFileOffsetStoreEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "offsets")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenFileOffsetStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if all, _ := s.All(context.Background()); len(all) != 0 {
		t.Errorf("All = %v, want empty", all)
	}
}

// TestFileOffsetStoreJava reads a file written by Java's ObjectOutputStream exactly
// as FileOffsetBackingStore.save does (testdata generated with OpenJDK 17).
func TestFileOffsetStoreJava(t *testing.T) {
	ctx := context.Background()
	src, err := os.ReadFile("testdata/java-hashmap.offsets")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "offsets")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenFileOffsetStore(path)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := s.All(ctx)
	want := map[string][]byte{
		`["file-source",{"filename":"test.txt"}]`: []byte(`{"position":30}`),
		`["other",{"a":1,"b":"x"}]`:               []byte(`{"pos":1.5}`),
	}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("Java file (-want +got):\n%s", diff)
	}
	key, _ := OffsetKey("file-source", map[string]any{"filename": "test.txt"})
	if got, _ := s.Get(ctx, [][]byte{key}); len(got) != 1 {
		t.Errorf("lookup by OffsetKey found %d entries, want 1", len(got))
	}
	// The next write converts the file to the JSON format.
	if err := s.Set(ctx, map[string][]byte{"k": []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenFileOffsetStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if all, _ := s2.All(ctx); len(all) != 3 {
		t.Errorf("after rewrite: %d entries, want 3", len(all))
	}
}

func TestJavaDecoderTruncated(t *testing.T) {
	src, err := os.ReadFile("testdata/java-hashmap.offsets")
	if err != nil {
		t.Fatal(err)
	}
	for n := len(javaStreamMagic); n < len(src)-1; n += 7 {
		if _, err := decodeJavaHashMap(src[:n]); err == nil {
			t.Errorf("decode of %d/%d bytes: want error", n, len(src))
		}
	}
}
