package file

import (
	"bytes"
	"context"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

func TestSinkWritesJavaToString(t *testing.T) {
	person := data.NewStructSchema("Person", false,
		data.Field{Name: "name", Schema: data.StringSchema},
		data.Field{Name: "age", Schema: data.Int32Schema},
		data.Field{Name: "nick", Schema: data.OptionalStringSchema},
	)
	values := []any{
		"plain string",
		int64(42),
		int32(-7),
		true,
		1.5,
		1e10,
		float32(0.1),
		nil,
		data.NewStruct(person).Set("name", "Alice").Set("age", int32(30)),
		map[string]any{"b": int64(2), "a": int64(1)},
		[]any{"x", int64(1), nil},
		data.Decimal{Unscaled: big.NewInt(12345), Scale: 2},
	}
	// What Java's PrintStream.println(record.value()) writes for the same values.
	want := strings.Join([]string{
		"plain string",
		"42",
		"-7",
		"true",
		"1.5",
		"1.0E10",
		"0.1",
		"null",
		"Struct{name=Alice,age=30}",
		"{a=1, b=2}",
		"[x, 1, null]",
		"123.45",
	}, "\n") + "\n"

	name := filepath.Join(t.TempDir(), "out.txt")
	appendFile(t, name, "existing\n")
	task := &SinkTask{}
	if err := task.Start(nil, map[string]string{"file": name}); err != nil {
		t.Fatal(err)
	}
	var recs []*connect.Record
	for i, v := range values {
		recs = append(recs, &connect.Record{Topic: "t", Value: v, Offset: int64(i)})
	}
	if err := task.Put(context.Background(), recs[:5]); err != nil {
		t.Fatal(err)
	}
	// Put hands the lines to the OS at once, as Java's println does.
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if got, w := string(b), "existing\n"+strings.Join(strings.SplitAfter(want, "\n")[:5], ""); got != w {
		t.Fatalf("after the first Put:\n got %q\nwant %q", got, w)
	}
	if err := task.Put(context.Background(), recs[5:]); err != nil {
		t.Fatal(err)
	}
	if err := task.Put(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(context.Background(), map[connect.TopicPartition]int64{{Topic: "t"}: 12}); err != nil {
		t.Fatal(err)
	}
	if err := task.Stop(); err != nil {
		t.Fatal(err)
	}
	b, err = os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("existing\n"+want, string(b)); diff != "" {
		t.Fatalf("file (-want +got):\n%s", diff)
	}
}

func TestSinkStdout(t *testing.T) {
	var out bytes.Buffer
	task := &SinkTask{out: &out}
	if err := task.Start(nil, map[string]string{}); err != nil {
		t.Fatal(err)
	}
	if err := task.Put(context.Background(), []*connect.Record{{Value: "a"}, {Value: int64(1)}}); err != nil {
		t.Fatal(err)
	}
	if err := task.Flush(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := task.Stop(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "a\n1\n" {
		t.Fatalf("stdout = %q", out.String())
	}
}

func TestSinkStartFailsOnUnwritableFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "no", "such", "dir", "out.txt")
	err := (&SinkTask{}).Start(nil, map[string]string{"file": name})
	if err == nil || !strings.HasPrefix(err.Error(), "Couldn't find or create file '"+name+"' for FileStreamSinkTask") {
		t.Fatalf("Start = %v", err)
	}
}

func TestSinkConnector(t *testing.T) {
	c := NewSinkConnector()
	props := map[string]string{"name": "k", "topics": "t", "file": "/out"}
	if err := c.Start(nil, props); err != nil {
		t.Fatal(err)
	}
	cfgs, err := c.TaskConfigs(3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]map[string]string{props, props, props}, cfgs); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	ok, err := c.AlterOffsets(props, []connect.PartitionOffset{{Partition: map[string]any{"kafka_topic": "t"}}})
	if !ok || err != nil {
		t.Fatalf("AlterOffsets = %v, %v; want true, nil", ok, err)
	}
	keys := SinkConfig().Keys()
	if len(keys) != 1 || keys[0].Name != "file" || keys[0].Default != nil || keys[0].Importance.String() != "HIGH" ||
		keys[0].Doc != "Destination filename. If not specified, the standard output will be used" {
		t.Fatalf("SinkConfig = %+v", keys)
	}
}
