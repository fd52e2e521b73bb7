package wire

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // registers the "proto" codec Codec wraps
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	pb "github.com/goconnect/goconnect/internal/plugin/proto"
)

// bulkThreshold is the size from which Codec sends a batch's bytes without
// copying them.
const bulkThreshold = 32 << 10

// Codec is gRPC's protobuf codec, except for the two messages that carry
// batches of Kafka records (PollResponse.converted, PutRequest.raw): their
// bytes are sent as they are, without the copy into a marshalling buffer, and
// received as a slice of the message's buffer, without the copy into a field
// of their own. The bytes on the wire are plain protobuf either way (a field
// may come in any order), so either side may use the default codec.
// Installed per connection by the worker and pluginsdk (grpc.ForceCodecV2).
type Codec struct{}

// Name is the default codec's, so the content type is unchanged.
func (Codec) Name() string { return "proto" }

func base() encoding.CodecV2 { return encoding.GetCodecV2("proto") }

// bulk returns the batch field of m, when m carries one worth sending as is.
func bulk(m any) (field protowire.Number, b *[]byte) {
	switch m := m.(type) {
	case *pb.PollResponse:
		return 4, &m.Converted
	case *pb.PutRequest:
		return 2, &m.Raw
	}
	return 0, nil
}

func (Codec) Marshal(v any) (mem.BufferSlice, error) {
	num, field := bulk(v)
	if field == nil || len(*field) < bulkThreshold {
		return base().Marshal(v)
	}
	// The message is the caller's until Marshal returns: the field is taken
	// out for the rest of the message and put back.
	b := *field
	*field = nil
	head, err := base().Marshal(v)
	*field = b
	if err != nil {
		return nil, err
	}
	tag := protowire.AppendTag(nil, num, protowire.BytesType)
	tag = protowire.AppendVarint(tag, uint64(len(b)))
	return append(head, mem.SliceBuffer(tag), mem.SliceBuffer(b)), nil
}

func (Codec) Unmarshal(data mem.BufferSlice, v any) error {
	num, field := bulk(v)
	if field == nil || data.Len() < bulkThreshold {
		return base().Unmarshal(data, v)
	}
	// One copy the message owns; the batch field is a slice of it and the
	// other fields are unmarshalled as usual.
	b := data.Materialize()
	var rest, batch []byte
	for in := b; len(in) > 0; {
		n, typ, tl := protowire.ConsumeTag(in)
		if tl < 0 {
			return fmt.Errorf("unmarshal %T: %w", v, protowire.ParseError(tl))
		}
		vl := protowire.ConsumeFieldValue(n, typ, in[tl:])
		if vl < 0 {
			return fmt.Errorf("unmarshal %T: %w", v, protowire.ParseError(vl))
		}
		if n == num && typ == protowire.BytesType {
			val, _ := protowire.ConsumeBytes(in[tl:])
			batch = val[:len(val):len(val)]
		} else {
			rest = append(rest, in[:tl+vl]...)
		}
		in = in[tl+vl:]
	}
	if err := proto.Unmarshal(rest, v.(proto.Message)); err != nil {
		return err
	}
	*field = batch
	return nil
}
