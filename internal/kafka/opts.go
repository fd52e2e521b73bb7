package kafka

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Role says which kind of client Opts builds; it decides which keys apply.
type Role int

// Client roles.
const (
	Admin Role = iota
	Producer
	Consumer
)

func (r Role) String() string { return [...]string{"admin", "producer", "consumer"}[r] }

// ErrUnsupported is wrapped by errors about settings franz-go clients cannot honour.
var ErrUnsupported = errors.New("unsupported client setting")

// ignoredKeys are Java client keys with no franz-go counterpart that are known to be
// harmless to drop (serializers are always bytes here; JMX/metrics are ours).
var ignoredKeys = map[string]bool{
	"key.serializer": true, "value.serializer": true,
	"key.deserializer": true, "value.deserializer": true,
	"client.dns.lookup": true, "reconnect.backoff.ms": true, "reconnect.backoff.max.ms": true,
	"send.buffer.bytes": true, "receive.buffer.bytes": true, "max.block.ms": true,
	"metric.reporters": true, "metrics.num.samples": true, "metrics.sample.window.ms": true,
	"metrics.recording.level": true, "interceptor.classes": true, "auto.include.jmx.reporter": true,
	"metadata.recovery.strategy": true, "enable.metrics.push": true, "partitioner.class": true,
	"check.crcs": true, "exclude.internal.topics": true, "allow.auto.create.topics": true,
	"default.api.timeout.ms": true, "ssl.protocol": true, "ssl.enabled.protocols": true,
	"ssl.keymanager.algorithm": true, "ssl.trustmanager.algorithm": true, "ssl.provider": true,
	"ssl.secure.random.implementation": true, "ssl.engine.factory.class": true,
	"ssl.cipher.suites": true,
}

// Opts builds franz-go options from Java client properties for a client of role r.
// Keys that do not apply to the role or have no franz-go equivalent are ignored
// (logged at debug level); invalid values are errors naming the key.
func Opts(props map[string]string, r Role, log *slog.Logger) ([]kgo.Opt, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &builder{props: props, used: map[string]bool{}}
	opts, err := b.build(r)
	if err != nil {
		return nil, err
	}
	var ignored []string
	for k := range props {
		if !b.used[k] && !ignoredKeys[k] && !strings.HasPrefix(k, "ssl.") && !strings.HasPrefix(k, "sasl.") {
			ignored = append(ignored, k)
		}
	}
	if len(ignored) > 0 {
		slices.Sort(ignored)
		log.Debug("client properties ignored", "role", r.String(), "keys", ignored)
	}
	return opts, nil
}

type builder struct {
	props map[string]string
	used  map[string]bool
	err   error
}

// get returns a trimmed value and marks the key as understood.
func (b *builder) get(k string) (string, bool) {
	v, ok := b.props[k]
	b.used[k] = true
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func (b *builder) fail(k, v, why string) {
	if b.err == nil {
		b.err = fmt.Errorf("invalid value %s for configuration %s: %s", v, k, why)
	}
}

func (b *builder) int64(k string) (int64, bool) {
	v, ok := b.get(k)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		b.fail(k, v, "not a number")
		return 0, false
	}
	return n, true
}

func (b *builder) ms(k string) (time.Duration, bool) {
	n, ok := b.int64(k)
	if !ok {
		return 0, false
	}
	if n < 0 {
		b.fail(k, strconv.FormatInt(n, 10), "must be non-negative")
		return 0, false
	}
	if n > math.MaxInt64/int64(time.Millisecond) {
		return time.Duration(math.MaxInt64), true
	}
	return time.Duration(n) * time.Millisecond, true
}

func (b *builder) int32(k string) (int32, bool) {
	n, ok := b.int64(k)
	if !ok {
		return 0, false
	}
	if n < 0 || n > math.MaxInt32 {
		b.fail(k, strconv.FormatInt(n, 10), "out of range")
		return 0, false
	}
	return int32(n), true
}

func (b *builder) bool(k string) (val, ok bool) {
	v, ok := b.get(k)
	if !ok {
		return false, false
	}
	switch strings.ToLower(v) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	b.fail(k, v, "expected true or false")
	return false, false
}

func (b *builder) build(r Role) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	if v, ok := b.get("bootstrap.servers"); ok {
		var seeds []string
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				seeds = append(seeds, s)
			}
		}
		opts = append(opts, kgo.SeedBrokers(seeds...))
	}
	if v, ok := b.get("client.id"); ok {
		opts = append(opts, kgo.ClientID(v))
	}
	if d, ok := b.ms("metadata.max.age.ms"); ok {
		opts = append(opts, kgo.MetadataMaxAge(d))
	}
	if d, ok := b.ms("connections.max.idle.ms"); ok && d > 0 {
		opts = append(opts, kgo.ConnIdleTimeout(d))
	}
	if d, ok := b.ms("socket.connection.setup.timeout.ms"); ok && d > 0 {
		opts = append(opts, kgo.DialTimeout(d))
	}
	backoff, hasBackoff := b.ms("retry.backoff.ms")
	maxBackoff, hasMax := b.ms("retry.backoff.max.ms")
	if hasBackoff || hasMax {
		if !hasBackoff {
			backoff = 100 * time.Millisecond
		}
		if !hasMax {
			maxBackoff = time.Second
		}
		maxBackoff = max(maxBackoff, backoff)
		opts = append(opts, kgo.RetryBackoffFn(func(tries int) time.Duration {
			d := backoff
			for i := 1; i < tries && d < maxBackoff; i++ {
				d *= 2
			}
			return min(d, maxBackoff)
		}))
	}
	sec, err := b.security()
	if err != nil {
		return nil, err
	}
	opts = append(opts, sec...)

	switch r {
	case Producer:
		opts = append(opts, b.producer()...)
	case Consumer:
		opts = append(opts, b.consumer()...)
	}
	if b.err != nil {
		return nil, b.err
	}
	return opts, nil
}

func (b *builder) producer() []kgo.Opt {
	var opts []kgo.Opt
	idempotent := true
	if v, ok := b.bool("enable.idempotence"); ok {
		idempotent = v
	}
	if v, ok := b.get("acks"); ok {
		switch strings.ToLower(v) {
		case "all", "-1":
			opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
		case "1":
			opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()))
			idempotent = false
		case "0":
			opts = append(opts, kgo.RequiredAcks(kgo.NoAck()))
			idempotent = false
		default:
			b.fail("acks", v, "expected all, -1, 0 or 1")
		}
	}
	if !idempotent {
		opts = append(opts, kgo.DisableIdempotentWrite())
		// Without idempotence only one request in flight keeps records in order,
		// which is what Java Connect configures for its source producers.
		inflight := int32(1)
		if n, ok := b.int32("max.in.flight.requests.per.connection"); ok && n > 0 {
			inflight = n
		}
		opts = append(opts, kgo.MaxProduceRequestsInflightPerBroker(int(inflight)))
	} else {
		b.used["max.in.flight.requests.per.connection"] = true // bounded to 5 by the idempotent producer
	}
	if d, ok := b.ms("linger.ms"); ok {
		opts = append(opts, kgo.ProducerLinger(d))
	}
	batch, hasBatch := b.int32("batch.size")
	maxReq, hasMaxReq := b.int32("max.request.size")
	switch {
	case hasBatch && hasMaxReq:
		opts = append(opts, kgo.ProducerBatchMaxBytes(max(1, min(batch, maxReq))))
	case hasBatch && batch > 0:
		opts = append(opts, kgo.ProducerBatchMaxBytes(batch))
	case hasMaxReq && maxReq > 0:
		opts = append(opts, kgo.ProducerBatchMaxBytes(maxReq))
	}
	if v, ok := b.get("compression.type"); ok {
		var c kgo.CompressionCodec
		switch strings.ToLower(v) {
		case "none":
			c = kgo.NoCompression()
		case "gzip":
			c = kgo.GzipCompression()
		case "snappy":
			c = kgo.SnappyCompression()
		case "lz4":
			c = kgo.Lz4Compression()
		case "zstd":
			c = kgo.ZstdCompression()
		default:
			b.fail("compression.type", v, "expected none, gzip, snappy, lz4 or zstd")
		}
		opts = append(opts, kgo.ProducerBatchCompression(c))
	}
	if d, ok := b.ms("request.timeout.ms"); ok && d > 0 {
		opts = append(opts, kgo.ProduceRequestTimeout(d))
	}
	if d, ok := b.ms("delivery.timeout.ms"); ok && d > 0 && d < time.Duration(math.MaxInt32)*time.Millisecond {
		opts = append(opts, kgo.RecordDeliveryTimeout(d))
	}
	if n, ok := b.int64("retries"); ok && n >= 0 && n < math.MaxInt32 {
		opts = append(opts, kgo.RecordRetries(int(n)))
	}
	if n, ok := b.int64("buffer.memory"); ok && n > 0 {
		opts = append(opts, kgo.MaxBufferedBytes(int(n)))
	}
	if v, ok := b.get("transactional.id"); ok {
		opts = append(opts, kgo.TransactionalID(v))
	}
	if d, ok := b.ms("transaction.timeout.ms"); ok {
		opts = append(opts, kgo.TransactionTimeout(d))
	}
	return opts
}

func (b *builder) consumer() []kgo.Opt {
	var opts []kgo.Opt
	if n, ok := b.int32("fetch.min.bytes"); ok {
		opts = append(opts, kgo.FetchMinBytes(n))
	}
	if d, ok := b.ms("fetch.max.wait.ms"); ok {
		opts = append(opts, kgo.FetchMaxWait(d))
	}
	if n, ok := b.int32("fetch.max.bytes"); ok && n > 0 {
		opts = append(opts, kgo.FetchMaxBytes(n))
	}
	if n, ok := b.int32("max.partition.fetch.bytes"); ok && n > 0 {
		opts = append(opts, kgo.FetchMaxPartitionBytes(n))
	}
	b.used["max.poll.records"] = true // see MaxPollRecords
	if v, ok := b.get("auto.offset.reset"); ok {
		switch strings.ToLower(v) {
		case "earliest":
			opts = append(opts, kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		case "latest":
			opts = append(opts, kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()))
		case "none":
			opts = append(opts, kgo.ConsumeResetOffset(kgo.NoResetOffset()))
		default:
			b.fail("auto.offset.reset", v, "expected earliest, latest or none")
		}
	}
	if v, ok := b.get("isolation.level"); ok {
		switch strings.ToLower(v) {
		case "read_committed":
			opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
		case "read_uncommitted":
		default:
			b.fail("isolation.level", v, "expected read_committed or read_uncommitted")
		}
	}
	if v, ok := b.get("client.rack"); ok {
		opts = append(opts, kgo.Rack(v))
	}
	group, hasGroup := b.get("group.id")
	autoCommit, hasAuto := b.bool("enable.auto.commit")
	if !hasGroup {
		return opts
	}
	opts = append(opts, kgo.ConsumerGroup(group))
	if hasAuto && !autoCommit {
		opts = append(opts, kgo.DisableAutoCommit())
	} else if d, ok := b.ms("auto.commit.interval.ms"); ok && d > 0 {
		opts = append(opts, kgo.AutoCommitInterval(d))
	}
	if d, ok := b.ms("session.timeout.ms"); ok && d > 0 {
		opts = append(opts, kgo.SessionTimeout(d))
	}
	if d, ok := b.ms("heartbeat.interval.ms"); ok && d > 0 {
		opts = append(opts, kgo.HeartbeatInterval(d))
	}
	if d, ok := b.ms("max.poll.interval.ms"); ok && d > 0 {
		opts = append(opts, kgo.RebalanceTimeout(d))
	}
	if v, ok := b.get("group.instance.id"); ok {
		opts = append(opts, kgo.InstanceID(v))
	}
	balancers := []kgo.GroupBalancer{kgo.CooperativeStickyBalancer(), kgo.RangeBalancer()}
	if v, ok := b.get("partition.assignment.strategy"); ok {
		balancers = nil
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			switch s[strings.LastIndex(s, ".")+1:] {
			case "RangeAssignor":
				balancers = append(balancers, kgo.RangeBalancer())
			case "RoundRobinAssignor":
				balancers = append(balancers, kgo.RoundRobinBalancer())
			case "StickyAssignor":
				balancers = append(balancers, kgo.StickyBalancer())
			case "CooperativeStickyAssignor":
				balancers = append(balancers, kgo.CooperativeStickyBalancer())
			case "":
			default:
				b.fail("partition.assignment.strategy", s, "only Range, RoundRobin, Sticky and CooperativeSticky assignors are supported")
			}
		}
	}
	if len(balancers) > 0 {
		opts = append(opts, kgo.Balancers(balancers...))
	}
	return opts
}

// Check validates client properties for a client of role r key by key, for
// connector validation (producer.override.*, consumer.override.*,
// admin.override.*): it returns a message per key whose value cannot be honoured,
// or that the franz-go client has no counterpart for. Java clients accept unknown
// keys silently; goconnect rejects them so a typo or a setting that would be
// dropped is seen at validation rather than in production.
func Check(props map[string]string, r Role) map[string]string {
	out := map[string]string{}
	for k, v := range props {
		one := map[string]string{k: v}
		if r == Consumer && k != "group.id" {
			one["group.id"] = "check" // group keys are read only for group consumers
		}
		b := &builder{props: one, used: map[string]bool{}}
		if _, err := b.build(r); err != nil {
			out[k] = err.Error()
			continue
		}
		// ssl.* and sasl.* keys are read only under the security.protocol that
		// uses them; their values are checked when the client is built.
		if !b.used[k] && !ignoredKeys[k] && !strings.HasPrefix(k, "ssl.") && !strings.HasPrefix(k, "sasl.") {
			out[k] = fmt.Sprintf("Unknown or unsupported %s configuration '%s': goconnect's Kafka client has no equivalent for it", r, k)
		}
	}
	return out
}
