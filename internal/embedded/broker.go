package embedded

import (
	"fmt"
	"path/filepath"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Broker is an in-process single-node broker persisted in a folder.
type Broker struct {
	cluster *kfake.Cluster
}

// StartBroker starts a broker on 127.0.0.1:port (0 picks a free port) keeping its
// data under dir/kafka. Topics are auto-created on first use, as a default Kafka
// broker does.
func StartBroker(dir string, port int) (*Broker, error) {
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.DataDir(filepath.Join(dir, "kafka")),
		// The embedded broker guards a developer's data: make every produce durable
		// before it is acknowledged, so a crash of the process loses nothing that
		// a connector saw acknowledged.
		kfake.SyncWrites(),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(1),
		kfake.ClusterID("goconnect-embedded"),
	)
	if err != nil {
		return nil, fmt.Errorf("start embedded broker: %w", err)
	}
	return &Broker{cluster: c}, nil
}

// Addr returns the broker's bootstrap address.
func (b *Broker) Addr() string { return b.cluster.ListenAddrs()[0] }

// Close stops the broker and flushes its data to disk.
func (b *Broker) Close() { b.cluster.Close() }
