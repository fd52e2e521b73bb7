package wire

import (
	"github.com/goconnect/goconnect/api/connect"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
)

// EncodeOffsets encodes sink offsets.
func EncodeOffsets(m map[connect.TopicPartition]int64) []*pb.TopicPartitionOffset {
	out := make([]*pb.TopicPartitionOffset, 0, len(m))
	for tp, o := range m {
		out = append(out, &pb.TopicPartitionOffset{Topic: tp.Topic, Partition: tp.Partition, Offset: o})
	}
	return out
}

// DecodeOffsets decodes sink offsets; an empty list decodes as an empty map.
func DecodeOffsets(l []*pb.TopicPartitionOffset) map[connect.TopicPartition]int64 {
	out := make(map[connect.TopicPartition]int64, len(l))
	for _, o := range l {
		out[connect.TopicPartition{Topic: o.Topic, Partition: o.Partition}] = o.Offset
	}
	return out
}

// EncodePartitions encodes topic partitions.
func EncodePartitions(ps []connect.TopicPartition) []*pb.TopicPartition {
	out := make([]*pb.TopicPartition, len(ps))
	for i, p := range ps {
		out[i] = &pb.TopicPartition{Topic: p.Topic, Partition: p.Partition}
	}
	return out
}

// DecodePartitions decodes topic partitions.
func DecodePartitions(l []*pb.TopicPartition) []connect.TopicPartition {
	out := make([]connect.TopicPartition, len(l))
	for i, p := range l {
		out[i] = connect.TopicPartition{Topic: p.Topic, Partition: p.Partition}
	}
	return out
}
