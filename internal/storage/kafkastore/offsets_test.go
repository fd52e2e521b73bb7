package kafkastore

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOffsetStore(t *testing.T) {
	opts, adm := fakeCluster(t)
	ctx := testCtx(t)
	c := StoreConfig{Topic: spec("offsets", OffsetTopicKey, 5), Client: opts, Admin: adm}
	a, err := OpenOffsetStore(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	k1, k2 := `["c",{"filename":"a"}]`, `["c",{"filename":"b"}]`
	if err := a.Set(ctx, map[string][]byte{k1: []byte(`{"position":1}`), k2: []byte(`{"position":2}`)}); err != nil {
		t.Fatal(err)
	}
	// Another worker's store sees the offsets at once: Get reads to the end.
	b, err := OpenOffsetStore(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.Set(ctx, map[string][]byte{k1: []byte(`{"position":10}`), k2: nil}); err != nil {
		t.Fatal(err)
	}
	got, err := b.Get(ctx, [][]byte{[]byte(k1), []byte(k2), []byte("absent")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{k1: []byte(`{"position":10}`)}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Get (-want +got):\n%s", d)
	}
	all, err := a.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, all); d != "" {
		t.Errorf("All (-want +got):\n%s", d)
	}
}
