package verifiable

import (
	"context"
	"io"
	"testing"

	"github.com/goconnect/goconnect/api/connect"
)

// BenchmarkSourcePollAndCommit is the connector's share of an unthrottled
// verifiable-source pipeline: one Poll and one CommitRecord line per record.
func BenchmarkSourcePollAndCommit(b *testing.B) {
	props := map[string]string{"name": "vs", "id": "0", "topic": "t", "throughput": "-1"}
	task := &SourceTask{stdout: io.Discard}
	if err := task.Start(&fakeSourceContext{props, fakeOffsets{}}, props); err != nil {
		b.Fatal(err)
	}
	defer task.Stop()
	md := &connect.RecordMetadata{Topic: "t"}
	b.ReportAllocs()
	for b.Loop() {
		recs, err := task.Poll(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if err := task.CommitRecord(recs[0], md); err != nil {
			b.Fatal(err)
		}
	}
}
