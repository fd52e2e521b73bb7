package herder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/storage"
)

// The offsets endpoints (KIP-875) are the same in standalone and distributed mode
// once the herder has checked its own state: Java's Worker.connectorOffsets and
// Worker.modifyConnectorOffsets. The herders take the connector's config on their
// state-owning goroutine (with the STOPPED check for changes) and then call
// OffsetsIO from the request's goroutine, so slow Kafka I/O never blocks them.

// Sink offsets use these keys (Java's SinkUtils).
const (
	kafkaTopicKey     = "kafka_topic"
	kafkaPartitionKey = "kafka_partition"
	kafkaOffsetKey    = "kafka_offset"
)

// SourceOffsetStore is the source offsets store the offsets endpoints read and
// write: keys and values in the offsets topic's format (internal/storage).
type SourceOffsetStore interface {
	Set(ctx context.Context, entries map[string][]byte) error
	All(ctx context.Context) (map[string][]byte, error)
}

// OffsetsTarget is the connector whose offsets are read or changed.
type OffsetsTarget struct {
	Name string
	// Config is the connector config with config-provider references resolved.
	Config map[string]string
	Plugin registry.Plugin
}

// SinkGroup is the sink connector's consumer group: consumer.override.group.id
// or connect-<name>.
func (t OffsetsTarget) SinkGroup() string {
	if g := t.Config["consumer.override.group.id"]; g != "" {
		return g
	}
	return "connect-" + t.Name
}

// OffsetsIO reads and changes connector offsets. Store is nil when the worker has
// no source offsets store, Admin nil without a Kafka admin client; the calls that
// need them then fail.
type OffsetsIO struct {
	Store SourceOffsetStore
	Admin *kadm.Client
}

// ErrNotStopped is the 400 answered when offsets are changed for a connector that
// is not STOPPED with zero tasks (Java's text).
func ErrNotStopped(name string) error {
	return Errorf(ErrBadRequest, "Connectors must be in the STOPPED state before their offsets can be modified. "+
		"This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint", name)
}

// CheckAlterRequest is the REST layer's check of a PATCH body (Java's
// ConnectorsResource.alterConnectorOffsets): it runs before any forwarding.
func CheckAlterRequest(offsets ConnectorOffsets) error {
	if len(offsets.Offsets) == 0 {
		return Errorf(ErrBadRequest, "Partitions / offsets need to be provided for an alter offsets request")
	}
	return nil
}

// Get returns a connector's committed offsets: for a source connector the offsets
// store's entries keyed by its name, for a sink connector its consumer group's
// committed offsets.
func (o OffsetsIO) Get(ctx context.Context, t OffsetsTarget) (ConnectorOffsets, error) {
	var offs []PartitionOffset
	var err error
	if t.Plugin.Kind == registry.Sink {
		offs, err = o.sinkOffsets(ctx, t.SinkGroup())
	} else {
		offs, err = o.sourceOffsets(ctx, t.Name)
	}
	if err != nil {
		return ConnectorOffsets{}, err
	}
	return ConnectorOffsets{Offsets: offs}, nil
}

// Modify alters (offsets non-nil) or resets (nil) a connector's offsets: the
// connector's connect.OffsetAlterer first (it may veto), then the framework's
// offsets. The caller has checked that the connector is STOPPED with zero tasks.
func (o OffsetsIO) Modify(ctx context.Context, t OffsetsTarget, offsets []PartitionOffset) (Message, error) {
	reset := offsets == nil
	var managed bool
	var err error
	if t.Plugin.Kind == registry.Sink {
		managed, err = o.modifySinkOffsets(ctx, t, offsets)
	} else {
		managed, err = o.modifySourceOffsets(ctx, t, offsets)
	}
	if err != nil {
		return Message{}, err
	}
	verb := "altered"
	if reset {
		verb = "reset"
	}
	if managed {
		return Message{Message: "The offsets for this connector have been " + verb + " successfully"}, nil
	}
	return Message{Message: "The Connect framework-managed offsets for this connector have been " + verb +
		" successfully. However, if this connector manages offsets externally, they will need to be manually " + verb +
		" in the system that the connector uses."}, nil
}

type sourceEntry struct {
	key       []byte
	partition map[string]any
	offset    map[string]any
}

// sourceEntries returns the offsets store entries of connector, sorted by key bytes
// (Java lists them in hash order; any fixed order will do).
func (o OffsetsIO) sourceEntries(ctx context.Context, connector string) ([]sourceEntry, error) {
	if o.Store == nil {
		return nil, errors.New("read source offsets: no offsets store")
	}
	all, err := o.Store.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("read source offsets: %w", err)
	}
	var out []sourceEntry
	for k, v := range all {
		name, partition, err := storage.ParseOffsetKey([]byte(k))
		if err != nil || name != connector || v == nil {
			continue // malformed keys are skipped, as Java does
		}
		offset, err := storage.ParseOffsetValue(v)
		if err != nil {
			continue
		}
		out = append(out, sourceEntry{key: []byte(k), partition: partition, offset: offset})
	}
	slices.SortFunc(out, func(a, b sourceEntry) int { return bytes.Compare(a.key, b.key) })
	return out, nil
}

func (o OffsetsIO) sourceOffsets(ctx context.Context, connector string) ([]PartitionOffset, error) {
	entries, err := o.sourceEntries(ctx, connector)
	if err != nil {
		return nil, err
	}
	out := make([]PartitionOffset, 0, len(entries))
	for _, e := range entries {
		if e.offset == nil {
			continue
		}
		out = append(out, PartitionOffset{Partition: e.partition, Offset: e.offset})
	}
	return out, nil
}

func (o OffsetsIO) admin() (*kadm.Client, error) {
	if o.Admin == nil {
		return nil, errors.New("sink connector offsets need a Kafka admin client")
	}
	return o.Admin, nil
}

func (o OffsetsIO) sinkOffsets(ctx context.Context, group string) ([]PartitionOffset, error) {
	adm, err := o.admin()
	if err != nil {
		return nil, err
	}
	resps, err := adm.FetchOffsets(ctx, group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		// A group that never committed has no offsets; some coordinators (kfake,
		// for one) answer GROUP_ID_NOT_FOUND instead of an empty list.
		return []PartitionOffset{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("Failed to retrieve consumer group offsets for sink connector: %w", err) //nolint:staticcheck // Java's message
	}
	out := []PartitionOffset{}
	for _, r := range resps.Sorted() {
		if r.Err != nil || r.At < 0 {
			continue
		}
		out = append(out, PartitionOffset{
			Partition: map[string]any{kafkaTopicKey: r.Topic, kafkaPartitionKey: r.Partition},
			Offset:    map[string]any{kafkaOffsetKey: r.At},
		})
	}
	return out, nil
}

// alterOffsets calls the connector's optional OffsetAlterer on a fresh, unstarted
// instance, as Java does. Without it the framework alone changes offsets.
func alterOffsets(t OffsetsTarget, reset bool, offsets []connect.PartitionOffset) (bool, error) {
	if t.Plugin.NewConnector == nil {
		return false, nil
	}
	a, ok := t.Plugin.NewConnector().(connect.OffsetAlterer)
	if !ok {
		return false, nil
	}
	managed, err := a.AlterOffsets(t.Config, offsets)
	if err != nil {
		verb := "alter"
		if reset {
			verb = "reset"
		}
		if _, isHerderErr := errors.AsType[*Error](err); isHerderErr {
			return false, err
		}
		return false, fmt.Errorf("Failed to %s offsets for connector %s: %w", verb, t.Name, err) //nolint:staticcheck // Java-style message
	}
	return managed, nil
}

func (o OffsetsIO) modifySourceOffsets(ctx context.Context, t OffsetsTarget, offsets []PartitionOffset) (bool, error) {
	reset := offsets == nil
	if reset {
		entries, err := o.sourceEntries(ctx, t.Name)
		if err != nil {
			return false, err
		}
		for _, e := range entries {
			offsets = append(offsets, PartitionOffset{Partition: e.partition})
		}
	}
	write := make(map[string][]byte, len(offsets))
	api := make([]connect.PartitionOffset, 0, len(offsets))
	for _, po := range offsets {
		if po.Partition == nil {
			return false, Errorf(ErrBadRequest, "Source partitions may not be null")
		}
		po.Partition, po.Offset = plainNumbers(po.Partition), plainNumbers(po.Offset)
		if err := validatePrimitive(po.Partition); err != nil {
			return false, err
		}
		if err := validatePrimitive(po.Offset); err != nil {
			return false, err
		}
		key, err := storage.OffsetKey(t.Name, po.Partition)
		if err != nil {
			return false, Errorf(ErrBadRequest, "%s", err.Error())
		}
		value, err := storage.OffsetValue(po.Offset)
		if err != nil {
			return false, Errorf(ErrBadRequest, "%s", err.Error())
		}
		write[string(key)] = value
		api = append(api, connect.PartitionOffset{Partition: po.Partition, Offset: po.Offset})
	}
	managed, err := alterOffsets(t, reset, api)
	if err != nil {
		return false, err
	}
	if len(write) == 0 {
		return managed, nil
	}
	if o.Store == nil {
		return false, errors.New("write source offsets: no offsets store")
	}
	if err := o.Store.Set(ctx, write); err != nil {
		return false, fmt.Errorf("Failed to write offsets for connector %s: %w", t.Name, err) //nolint:staticcheck // Java-style message
	}
	return managed, nil
}

// plainNumbers returns m with JSON numbers as Java's Jackson reads them into an
// untyped map: integers as int64, other numbers as float64. REST bodies are decoded
// with json.Number to keep big integers exact; stored offsets need plain values.
func plainNumbers(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				v = i
			} else if f, err := n.Float64(); err == nil {
				v = f
			}
		}
		out[k] = v
	}
	return out
}

// validatePrimitive is OffsetUtils.validateFormat: values must be primitives.
func validatePrimitive(m map[string]any) error {
	for k, v := range m {
		switch v.(type) {
		case nil, bool, string, json.Number, float64, float32, int, int8, int16, int32, int64, uint8, uint16, uint32, uint64, []byte:
		case map[string]any:
			return Errorf(ErrBadRequest, "Offsets may only contain primitive types as values, but field %s contains MAP", k)
		case []any:
			return Errorf(ErrBadRequest, "Offsets may only contain primitive types as values, but field %s contains ARRAY", k)
		default:
			return Errorf(ErrBadRequest, "Offsets may only contain primitive types as values, but field %s contains %T", k, v)
		}
	}
	return nil
}

type sinkOffset struct {
	topic     string
	partition int32
	offset    *int64 // nil = reset
}

// parseSinkOffsets is SinkUtils.parseSinkConnectorOffsets, with its messages.
func parseSinkOffsets(offsets []PartitionOffset) ([]sinkOffset, error) {
	out := make([]sinkOffset, 0, len(offsets))
	for _, po := range offsets {
		p := po.Partition
		if p == nil {
			return nil, Errorf(ErrBadRequest, "The partition for a sink connector offset cannot be null or missing")
		}
		topicV, hasTopic := p[kafkaTopicKey]
		partV, hasPart := p[kafkaPartitionKey]
		if !hasTopic || !hasPart {
			return nil, Errorf(ErrBadRequest, "The partition for a sink connector offset must contain the keys '%s' and '%s'", kafkaTopicKey, kafkaPartitionKey)
		}
		if topicV == nil {
			return nil, Errorf(ErrBadRequest, "Kafka topic names must be valid strings and may not be null")
		}
		if partV == nil {
			return nil, Errorf(ErrBadRequest, "Kafka partitions must be valid numbers and may not be null")
		}
		part, ok := parseJavaInt(partV, 32)
		if !ok {
			return nil, Errorf(ErrBadRequest, "Failed to parse the following Kafka partition value in the provided offsets: '%v'. Partition values for sink connectors need to be integers.", partV)
		}
		so := sinkOffset{topic: fmt.Sprint(topicV), partition: int32(part)}
		if po.Offset != nil {
			offV, ok := po.Offset[kafkaOffsetKey]
			if !ok {
				return nil, Errorf(ErrBadRequest, "The offset for a sink connector should either be null or contain the key '%s'", kafkaOffsetKey)
			}
			off, ok := parseJavaInt(offV, 64)
			if !ok {
				return nil, Errorf(ErrBadRequest, "Failed to parse the following Kafka offset value in the provided offsets: '%v'. Offset values for sink connectors need to be integers.", offV)
			}
			so.offset = &off
		}
		out = append(out, so)
	}
	return out, nil
}

// parseJavaInt accepts what Java's Integer/Long.parseLong(String.valueOf(v))
// accepts: integral numbers and numeric strings.
func parseJavaInt(v any, bits int) (int64, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	case float64:
		if x != float64(int64(x)) {
			return 0, false
		}
		s = strconv.FormatInt(int64(x), 10)
	case int:
		s = strconv.Itoa(x)
	case int32:
		s = strconv.FormatInt(int64(x), 10)
	case int64:
		s = strconv.FormatInt(x, 10)
	default:
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, bits)
	return n, err == nil
}

func (o OffsetsIO) modifySinkOffsets(ctx context.Context, t OffsetsTarget, offsets []PartitionOffset) (bool, error) {
	adm, err := o.admin()
	if err != nil {
		return false, err
	}
	group := t.SinkGroup()
	reset := offsets == nil
	var parsed []sinkOffset
	if reset {
		resps, err := adm.FetchOffsets(ctx, group)
		if err != nil && !errors.Is(err, kerr.GroupIDNotFound) {
			return false, fmt.Errorf("Failed to list offsets prior to resetting offsets for sink connector %s: %w", t.Name, err) //nolint:staticcheck // Java's message
		}
		for _, r := range resps.Sorted() {
			parsed = append(parsed, sinkOffset{topic: r.Topic, partition: r.Partition})
		}
	} else if parsed, err = parseSinkOffsets(offsets); err != nil {
		return false, err
	}
	api := make([]connect.PartitionOffset, len(parsed))
	for i, so := range parsed {
		api[i].Partition = map[string]any{kafkaTopicKey: so.topic, kafkaPartitionKey: so.partition}
		if so.offset != nil {
			api[i].Offset = map[string]any{kafkaOffsetKey: *so.offset}
		}
	}
	managed, err := alterOffsets(t, reset, api)
	if err != nil {
		return false, err
	}
	if len(parsed) == 0 {
		return managed, nil
	}
	if reset {
		return managed, resetSinkGroup(ctx, adm, t.Name, group)
	}
	return managed, alterSinkGroup(ctx, adm, t.Name, group, parsed)
}

func zombieMessage(verb, name string) string {
	return fmt.Sprintf("Failed to %s consumer group offsets for connector %s either because its tasks haven't stopped completely yet or the connector was resumed before the request to %s its offsets could be successfully completed. If the connector is in a stopped state, this operation can be safely retried. If it doesn't eventually succeed, the Connect cluster may need to be restarted to get rid of the zombie sink tasks.", verb, name, verb)
}

func resetSinkGroup(ctx context.Context, adm *kadm.Client, name, group string) error {
	_, err := adm.DeleteGroup(ctx, group)
	switch {
	case err == nil, errors.Is(err, kerr.GroupIDNotFound):
		return nil
	case errors.Is(err, kerr.NonEmptyGroup):
		return errors.New(zombieMessage("reset", name))
	}
	return fmt.Errorf("Failed to reset consumer group offsets for connector %s: %w", name, err) //nolint:staticcheck // Java's message
}

func alterSinkGroup(ctx context.Context, adm *kadm.Client, name, group string, parsed []sinkOffset) error {
	var commit kadm.Offsets
	reset := kadm.TopicsSet{}
	for _, so := range parsed {
		if so.offset == nil {
			reset.Add(so.topic, so.partition)
			continue
		}
		commit.Add(kadm.Offset{Topic: so.topic, Partition: so.partition, At: *so.offset, LeaderEpoch: -1})
	}
	check := func(err error) error {
		if err == nil {
			return nil
		}
		if errors.Is(err, kerr.UnknownMemberID) || errors.Is(err, kerr.GroupSubscribedToTopic) || errors.Is(err, kerr.IllegalGeneration) {
			return errors.New(zombieMessage("alter", name))
		}
		return fmt.Errorf("Failed to alter consumer group offsets for connector %s: %w", name, err) //nolint:staticcheck // Java's message
	}
	if len(commit) > 0 {
		resps, err := adm.CommitOffsets(ctx, group, commit)
		if err == nil {
			err = resps.Error()
		}
		if err := check(err); err != nil {
			return err
		}
	}
	if len(reset) > 0 {
		resps, err := adm.DeleteOffsets(ctx, group, reset)
		if err == nil {
			err = resps.Error()
		}
		if err := check(err); err != nil {
			return err
		}
	}
	return nil
}
