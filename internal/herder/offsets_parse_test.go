package herder

import (
	"errors"
	"testing"
)

func TestParseSinkOffsets(t *testing.T) {
	tests := []struct {
		in   PartitionOffset
		want string
	}{
		{PartitionOffset{}, "The partition for a sink connector offset cannot be null or missing"},
		{PartitionOffset{Partition: map[string]any{"kafka_topic": "t"}}, "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'"},
		{PartitionOffset{Partition: map[string]any{"kafka_topic": nil, "kafka_partition": 0}}, "Kafka topic names must be valid strings and may not be null"},
		{PartitionOffset{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": "x"}}, "Failed to parse the following Kafka partition value in the provided offsets: 'x'. Partition values for sink connectors need to be integers."},
		{PartitionOffset{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": 0.0}, Offset: map[string]any{}}, "The offset for a sink connector should either be null or contain the key 'kafka_offset'"},
		{PartitionOffset{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": "0"}, Offset: map[string]any{"kafka_offset": "1.5"}}, "Failed to parse the following Kafka offset value in the provided offsets: '1.5'. Offset values for sink connectors need to be integers."},
	}
	for _, tt := range tests {
		_, err := parseSinkOffsets([]PartitionOffset{tt.in})
		if err == nil || !errors.Is(err, ErrBadRequest) || err.Error() != tt.want {
			t.Errorf("parseSinkOffsets(%+v) = %v, want 400 %q", tt.in, err, tt.want)
		}
	}
	got, err := parseSinkOffsets([]PartitionOffset{
		{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": "3"}, Offset: map[string]any{"kafka_offset": "10"}},
		{Partition: map[string]any{"kafka_topic": "t", "kafka_partition": float64(1)}},
	})
	if err != nil || len(got) != 2 || got[0].partition != 3 || *got[0].offset != 10 || got[1].offset != nil {
		t.Errorf("parse = %+v, %v", got, err)
	}
}
