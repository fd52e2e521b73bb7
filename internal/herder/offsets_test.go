package herder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/storage"
)

// mapStore is an in-memory SourceOffsetStore; a nil value is a tombstone.
type mapStore map[string][]byte

func (m mapStore) Set(_ context.Context, entries map[string][]byte) error {
	maps.Copy(m, entries)
	return nil
}

func (m mapStore) All(context.Context) (map[string][]byte, error) { return maps.Clone(m), nil }

// vetoConnector is a connector whose OffsetAlterer vetoes offset 13 and reports
// managing its own offsets otherwise.
type vetoConnector struct{ testConnector }

func (vetoConnector) AlterOffsets(_ map[string]string, offsets []connect.PartitionOffset) (bool, error) {
	for _, o := range offsets {
		if fmt.Sprint(o.Offset["position"]) == "13" {
			return false, errors.New("unlucky")
		}
	}
	return true, nil
}

func TestOffsetsIOSource(t *testing.T) {
	ctx := context.Background()
	store := mapStore{}
	put := func(conn string, part, off map[string]any) {
		k, err := storage.OffsetKey(conn, part)
		if err != nil {
			t.Fatal(err)
		}
		v, err := storage.OffsetValue(off)
		if err != nil {
			t.Fatal(err)
		}
		store[string(k)] = v
	}
	put("src", map[string]any{"file": "b"}, map[string]any{"position": int64(2)})
	put("src", map[string]any{"file": "a"}, map[string]any{"position": int64(1)})
	put("other", map[string]any{"file": "a"}, map[string]any{"position": int64(9)})
	store["not json"] = []byte("{")
	io := OffsetsIO{Store: store}
	target := OffsetsTarget{Name: "src", Plugin: registry.Plugin{Class: "S", Kind: registry.Source}}
	get := func() string {
		t.Helper()
		got, err := io.Get(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(got.Offsets)
	}
	if got := get(); got != "[{map[file:a] map[position:1]} {map[file:b] map[position:2]}]" {
		t.Fatalf("get: %s", got)
	}
	// Alter with REST's json.Numbers; null offset = reset that partition.
	msg, err := io.Modify(ctx, target, []PartitionOffset{
		{Partition: map[string]any{"file": "a"}, Offset: map[string]any{"position": json.Number("10")}},
		{Partition: map[string]any{"file": "b"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses."; msg.Message != want {
		t.Fatalf("alter: %q", msg.Message)
	}
	if got := get(); got != "[{map[file:a] map[position:10]}]" {
		t.Fatalf("after alter: %s", got)
	}
	for _, tc := range []struct {
		offs []PartitionOffset
		want string
	}{
		{[]PartitionOffset{{Offset: map[string]any{"position": 1}}}, "Source partitions may not be null"},
		{[]PartitionOffset{{Partition: map[string]any{"file": map[string]any{}}}}, "Offsets may only contain primitive types as values, but field file contains MAP"},
		{[]PartitionOffset{{Partition: map[string]any{"file": "a"}, Offset: map[string]any{"p": []any{1}}}}, "Offsets may only contain primitive types as values, but field p contains ARRAY"},
	} {
		_, err := io.Modify(ctx, target, tc.offs)
		if !errors.Is(err, ErrBadRequest) || err.Error() != tc.want {
			t.Errorf("modify %v: %v, want 400 %q", tc.offs, err, tc.want)
		}
	}
	// The connector's OffsetAlterer is asked first and may veto.
	veto := target
	veto.Plugin.NewConnector = func() connect.Connector { return vetoConnector{} }
	_, err = io.Modify(ctx, veto, []PartitionOffset{{Partition: map[string]any{"file": "a"}, Offset: map[string]any{"position": 13}}})
	if err == nil || err.Error() != "Failed to alter offsets for connector src: unlucky" {
		t.Fatalf("veto: %v", err)
	}
	if got := get(); got != "[{map[file:a] map[position:10]}]" {
		t.Fatalf("after veto: %s", got)
	}
	msg, err = io.Modify(ctx, veto, nil)
	if err != nil || msg.Message != "The offsets for this connector have been reset successfully" {
		t.Fatalf("reset: %q %v", msg.Message, err)
	}
	if got := get(); got != "[]" {
		t.Fatalf("after reset: %s", got)
	}
	// Other connectors' offsets are untouched.
	other := target
	other.Name = "other"
	if got, _ := io.Get(ctx, other); fmt.Sprint(got.Offsets) != "[{map[file:a] map[position:9]}]" {
		t.Fatalf("other: %v", got.Offsets)
	}
	if _, err := (OffsetsIO{}).Get(ctx, target); err == nil {
		t.Fatal("no store: no error")
	}
}

func TestOffsetsIOSink(t *testing.T) {
	ctx := context.Background()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "t"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	io := OffsetsIO{Admin: kadm.NewClient(cl)}
	target := OffsetsTarget{Name: "snk", Config: map[string]string{}, Plugin: registry.Plugin{Class: "K", Kind: registry.Sink}}
	if g := target.SinkGroup(); g != "connect-snk" {
		t.Fatalf("group %s", g)
	}
	get := func() string {
		t.Helper()
		got, err := io.Get(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(got.Offsets)
	}
	if got := get(); got != "[]" {
		t.Fatalf("empty group: %s", got)
	}
	part := func(p any) map[string]any { return map[string]any{"kafka_topic": "t", "kafka_partition": p} }
	_, err = io.Modify(ctx, target, []PartitionOffset{
		{Partition: part(json.Number("0")), Offset: map[string]any{"kafka_offset": json.Number("5")}},
		{Partition: part("1"), Offset: map[string]any{"kafka_offset": "7"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := get(); got != "[{map[kafka_partition:0 kafka_topic:t] map[kafka_offset:5]} {map[kafka_partition:1 kafka_topic:t] map[kafka_offset:7]}]" {
		t.Fatalf("after alter: %s", got)
	}
	for _, tc := range []struct {
		po   PartitionOffset
		want string
	}{
		{PartitionOffset{}, "The partition for a sink connector offset cannot be null or missing"},
		{PartitionOffset{Partition: map[string]any{"kafka_topic": "t"}}, "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'"},
		{PartitionOffset{Partition: map[string]any{"kafka_topic": nil, "kafka_partition": 0}}, "Kafka topic names must be valid strings and may not be null"},
		{PartitionOffset{Partition: part(nil)}, "Kafka partitions must be valid numbers and may not be null"},
		{PartitionOffset{Partition: part("x")}, "Failed to parse the following Kafka partition value in the provided offsets: 'x'. Partition values for sink connectors need to be integers."},
		{PartitionOffset{Partition: part(0), Offset: map[string]any{}}, "The offset for a sink connector should either be null or contain the key 'kafka_offset'"},
		{PartitionOffset{Partition: part(0), Offset: map[string]any{"kafka_offset": 1.5}}, "Failed to parse the following Kafka offset value in the provided offsets: '1.5'. Offset values for sink connectors need to be integers."},
	} {
		_, err := io.Modify(ctx, target, []PartitionOffset{tc.po})
		if !errors.Is(err, ErrBadRequest) || err.Error() != tc.want {
			t.Errorf("modify %v: %v, want 400 %q", tc.po, err, tc.want)
		}
	}
	// A null offset deletes one partition's offset; a reset deletes the group.
	if _, err := io.Modify(ctx, target, []PartitionOffset{{Partition: part(1)}}); err != nil {
		t.Fatal(err)
	}
	if got := get(); got != "[{map[kafka_partition:0 kafka_topic:t] map[kafka_offset:5]}]" {
		t.Fatalf("after partition reset: %s", got)
	}
	if _, err := io.Modify(ctx, target, nil); err != nil {
		t.Fatal(err)
	}
	if got := get(); got != "[]" {
		t.Fatalf("after reset: %s", got)
	}
	// Resetting a group that does not exist succeeds (Java treats it as done).
	if _, err := io.Modify(ctx, target, nil); err != nil {
		t.Fatal(err)
	}
}
