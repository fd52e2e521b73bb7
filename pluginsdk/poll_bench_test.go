package pluginsdk

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/plugin/wire"
	"github.com/goconnect/goconnect/internal/recordpath"

	pb "github.com/goconnect/goconnect/internal/plugin/proto"
)

// BenchmarkServerPoll measures the plugin side of one Poll: the task's Poll,
// the encoding and the protobuf marshalling, without a transport.
func BenchmarkServerPoll(b *testing.B) {
	s := newServer(example, slog.New(slog.NewTextHandler(io.Discard, nil)))
	// Start needs the worker for its offset lookup; Poll does not, so install
	// a started task directly.
	s.src = example[0].New().(interface{ NewTask() connect.SourceTask }).NewTask()
	if err := s.src.Start(noOffsets{}, map[string]string{"topic": "t"}); err != nil {
		b.Fatal(err)
	}
	var commits []byte
	for b.Loop() {
		resp, _ := s.Poll(context.Background(), &pb.PollRequest{Commits: commits})
		if resp.Error != nil {
			b.Fatal(resp.Error.Message)
		}
		if _, err := proto.Marshal(resp); err != nil {
			b.Fatal(err)
		}
		commits = commits[:0]
		md := &connect.RecordMetadata{Topic: "t", Offset: 1}
		for i := range resp.Batch.Count {
			commits = wire.AppendCommit(commits, resp.SeqStart+int64(i), md)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "records/s")
}

type noOffsets struct{}

func (noOffsets) Config() map[string]string                        { return nil }
func (noOffsets) OffsetStorageReader() connect.OffsetStorageReader { return noOffsets{} }
func (noOffsets) Offset(context.Context, map[string]any) (map[string]any, error) {
	return nil, nil
}

// BenchmarkServerPollConverted is BenchmarkServerPoll with the worker's record
// path (JsonConverter with schemas) run in the plugin: the task's Poll, the
// conversion, the encoding of Kafka records and the protobuf marshalling.
func BenchmarkServerPollConverted(b *testing.B) {
	s := newServer(example, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.src = example[0].New().(interface{ NewTask() connect.SourceTask }).NewTask()
	if err := s.src.Start(noOffsets{}, map[string]string{"topic": "t"}); err != nil {
		b.Fatal(err)
	}
	path, refusal := buildPath(&pb.RecordPath{Build: recordpath.Build(), Props: map[string]string{
		"key.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter": "org.apache.kafka.connect.json.JsonConverter",
	}})
	if path == nil {
		b.Fatal(refusal)
	}
	s.path = path
	var commits []byte
	n := 0
	for b.Loop() {
		resp, _ := s.Poll(context.Background(), &pb.PollRequest{Commits: commits})
		if resp.Error != nil || resp.Converted == nil {
			b.Fatalf("%v, converted %d bytes", resp.Error, len(resp.Converted))
		}
		if _, err := proto.Marshal(resp); err != nil {
			b.Fatal(err)
		}
		conv, err := wire.DecodeConverted(resp.Converted, resp.SeqStart)
		if err != nil {
			b.Fatal(err)
		}
		n += len(conv)
		commits = commits[:0]
		md := &connect.RecordMetadata{Topic: "t", Offset: 1}
		for i := range conv {
			commits = wire.AppendCommit(commits, resp.SeqStart+int64(i), md)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
