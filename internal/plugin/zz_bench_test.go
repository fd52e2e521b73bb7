package plugin

import (
	"context"
	"testing"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/examples/counting"
	"github.com/goconnect/goconnect/internal/recordpath"
	"github.com/goconnect/goconnect/internal/registry"
)

func BenchmarkPollConvertedZZ(b *testing.B) {
	props := map[string]string{"topic": "t", "batch.size": "1000", "task.id": "0"}
	path := b.TempDir()
	installPlugin(b, path, "counting", nil)
	h := New(Config{Paths: []string{path}})
	defer h.Close()
	var e *entry
	for _, x := range h.entries {
		if x.class == counting.SourceClass {
			e = x
		}
	}
	task := h.newConnector(e).(connect.SourceConnector).NewTask().(*sourceTaskClient)
	p, err := recordpath.New(registry.New(registry.RecordBuiltins()), nil, map[string]string{
		"key.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter": "org.apache.kafka.connect.json.JsonConverter"}, func(_ string, f func() error) error { return f() })
	if err != nil {
		b.Fatal(err)
	}
	task.OfferPath(p)
	if err := task.Start(&fakeSourceTaskContext{props: props, offsets: fakeOffsets{}}, props); err != nil {
		b.Fatal(err)
	}
	defer task.Stop()
	if !task.RunsPath() {
		b.Fatal("no path")
	}
	n := 0
	for b.Loop() {
		_, conv, err := task.PollConverted(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		n += len(conv)
		for _, c := range conv {
			task.CommitSeq(c.Seq, &connect.RecordMetadata{Topic: "t"})
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
