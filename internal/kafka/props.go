package kafka

import (
	"maps"
	"strconv"
	"strings"
)

// Prefixes of worker and connector keys that configure connector clients.
const (
	ProducerPrefix         = "producer."
	ConsumerPrefix         = "consumer."
	AdminPrefix            = "admin."
	ProducerOverridePrefix = "producer.override."
	ConsumerOverridePrefix = "consumer.override."
	AdminOverridePrefix    = "admin.override."
)

// WithPrefix returns the entries of props whose key starts with prefix, prefix
// stripped (Java's AbstractConfig.originalsWithPrefix).
func WithPrefix(props map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range props {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}

// SourceProducerProps returns the client properties of a source task's producer,
// layered as Java's Worker.baseProducerConfigs: Connect's defaults and the worker's
// bootstrap.servers, then the worker's producer.* keys, then the connector's
// producer.override.* keys.
//
// Java also forces max.in.flight.requests.per.connection=1 and
// enable.idempotence=false to keep records in order; franz-go's idempotent producer
// keeps them in order with 5 requests in flight, so that is left to the client
// default, and a user who disables idempotence gets 1 in flight (see Opts).
func SourceProducerProps(worker, conn map[string]string, connector string, task int) map[string]string {
	p := map[string]string{
		"bootstrap.servers": bootstrap(worker),
		"client.id":         "connector-producer-" + connector + "-" + strconv.Itoa(task),
		"acks":              "all",
	}
	maps.Copy(p, WithPrefix(worker, ProducerPrefix))
	maps.Copy(p, WithPrefix(conn, ProducerOverridePrefix))
	return p
}

// SinkConsumerProps returns the client properties of a sink task's consumer, as
// Java's Worker.baseConsumerConfigs: group connect-<connector>, no auto commit,
// auto.offset.reset=earliest, then worker consumer.*, then consumer.override.*.
func SinkConsumerProps(worker, conn map[string]string, connector string, task int) map[string]string {
	p := map[string]string{
		"bootstrap.servers":  bootstrap(worker),
		"group.id":           "connect-" + connector,
		"client.id":          "connector-consumer-" + connector + "-" + strconv.Itoa(task),
		"enable.auto.commit": "false",
		"auto.offset.reset":  "earliest",
	}
	maps.Copy(p, WithPrefix(worker, ConsumerPrefix))
	maps.Copy(p, WithPrefix(conn, ConsumerOverridePrefix))
	return p
}

// AdminProps returns the properties of a connector's admin client: every
// non-prefixed worker property, then worker admin.*, then the connector's
// admin.override.*.
func AdminProps(worker, conn map[string]string, connector string) map[string]string {
	p := map[string]string{}
	for k, v := range worker {
		if strings.HasPrefix(k, ProducerPrefix) || strings.HasPrefix(k, ConsumerPrefix) || strings.HasPrefix(k, AdminPrefix) {
			continue
		}
		p[k] = v
	}
	p["bootstrap.servers"] = bootstrap(worker)
	p["client.id"] = "connector-adminclient-" + connector
	maps.Copy(p, WithPrefix(worker, AdminPrefix))
	maps.Copy(p, WithPrefix(conn, AdminOverridePrefix))
	return p
}

func bootstrap(worker map[string]string) string {
	if b := strings.TrimSpace(worker["bootstrap.servers"]); b != "" {
		return b
	}
	return "localhost:9092"
}

// MaxPollRecords returns max.poll.records (Java default 500); it is not a client
// option in franz-go but bounds each PollRecords call.
func MaxPollRecords(props map[string]string) int {
	if n, err := strconv.Atoi(strings.TrimSpace(props["max.poll.records"])); err == nil && n > 0 {
		return n
	}
	return 500
}
