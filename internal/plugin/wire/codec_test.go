package wire

import (
	"bytes"
	"testing"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	pb "github.com/goconnect/goconnect/internal/plugin/proto"
)

// TestCodecRoundTrip: batches large enough for the no-copy path come out of
// Codec equal to what went in, and Codec and gRPC's default codec read each
// other's bytes (so either side may use either).
func TestCodecRoundTrip(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 8<<10) // 128 KiB
	def := encoding.GetCodecV2("proto")
	for _, tc := range []struct {
		msg, fresh proto.Message
	}{
		{&pb.PollResponse{Converted: big, SeqStart: 42, Error: &pb.Error{Message: "m", Retriable: true}}, &pb.PollResponse{}},
		{&pb.PutRequest{Raw: big, Seq: 7, Gen: 2}, &pb.PutRequest{}},
		{&pb.PollResponse{Converted: []byte("small"), SeqStart: 1}, &pb.PollResponse{}},
		{&pb.Empty{}, &pb.Empty{}},
	} {
		for _, pair := range []struct {
			name     string
			enc, dec encoding.CodecV2
		}{{"codec→codec", Codec{}, Codec{}}, {"codec→default", Codec{}, def}, {"default→codec", def, Codec{}}} {
			data, err := pair.enc.Marshal(tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			// What the transport does: the receiver gets the bytes in buffers of its own.
			in := mem.BufferSlice{mem.SliceBuffer(data.Materialize())}
			data.Free()
			got := proto.Clone(tc.fresh)
			if err := pair.dec.Unmarshal(in, got); err != nil {
				t.Fatalf("%s %T: %v", pair.name, tc.msg, err)
			}
			if !proto.Equal(got, tc.msg) {
				t.Errorf("%s %T: got %v", pair.name, tc.msg, got)
			}
		}
	}
	// The message given to Marshal is left as it was.
	m := &pb.PutRequest{Raw: big}
	if _, err := (Codec{}).Marshal(m); err != nil || len(m.Raw) != len(big) {
		t.Errorf("Marshal changed its message: %d bytes, %v", len(m.Raw), err)
	}
}
