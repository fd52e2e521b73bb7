package standalone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/storage"
)

// Sink offsets use these keys (Java's SinkUtils).
const (
	kafkaTopicKey     = "kafka_topic"
	kafkaPartitionKey = "kafka_partition"
	kafkaOffsetKey    = "kafka_offset"
)

// offsetsTarget is what the offsets endpoints need from herder state, taken on the
// loop; the I/O then runs in the caller's goroutine.
type offsetsTarget struct {
	name   string
	config map[string]string
	plugin registry.Plugin
}

func (t offsetsTarget) sinkGroup() string {
	if g := t.config["consumer.override.group.id"]; g != "" {
		return g
	}
	return "connect-" + t.name
}

// target reads a connector's config and plugin on the loop; stopped requires the
// state the offsets may be changed in.
func (h *Herder) target(ctx context.Context, name string, stopped bool) (offsetsTarget, error) {
	return call(ctx, h, func() (offsetsTarget, error) {
		c, ok := h.conns[name]
		if !ok {
			return offsetsTarget{}, notFound(name)
		}
		if stopped && (c.target != herder.TargetStopped || len(c.tasks) != 0) {
			return offsetsTarget{}, herder.Errorf(herder.ErrBadRequest,
				"Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint", name)
		}
		p, err := h.cfg.Registry.LookupConnectorFor(c.config)
		if err != nil {
			return offsetsTarget{}, fmt.Errorf("%s", err.Error())
		}
		props, err := h.resolve(c.config)
		if err != nil {
			return offsetsTarget{}, err
		}
		return offsetsTarget{name: name, config: maps.Clone(props), plugin: p}, nil
	})
}

// Offsets returns a connector's committed offsets: for a source connector the
// offsets store's entries keyed by its name, for a sink connector its consumer
// group's committed offsets.
func (h *Herder) Offsets(ctx context.Context, name string) (herder.ConnectorOffsets, error) {
	t, err := h.target(ctx, name, false)
	if err != nil {
		return herder.ConnectorOffsets{}, err
	}
	var offs []herder.PartitionOffset
	if t.plugin.Kind == registry.Sink {
		offs, err = h.sinkOffsets(ctx, t.sinkGroup())
	} else {
		offs, err = h.sourceOffsets(ctx, name)
	}
	if err != nil {
		return herder.ConnectorOffsets{}, err
	}
	return herder.ConnectorOffsets{Offsets: offs}, nil
}

type sourceEntry struct {
	key       []byte
	partition map[string]any
	offset    map[string]any
}

// sourceEntries returns the offsets store entries of connector, sorted by key bytes
// (Java lists them in hash order; any fixed order will do).
func (h *Herder) sourceEntries(ctx context.Context, connector string) ([]sourceEntry, error) {
	if h.cfg.Offsets == nil {
		return nil, errors.New("read source offsets: no offsets store")
	}
	all, err := h.cfg.Offsets.All(ctx)
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

func (h *Herder) sourceOffsets(ctx context.Context, connector string) ([]herder.PartitionOffset, error) {
	entries, err := h.sourceEntries(ctx, connector)
	if err != nil {
		return nil, err
	}
	out := make([]herder.PartitionOffset, 0, len(entries))
	for _, e := range entries {
		if e.offset == nil {
			continue
		}
		out = append(out, herder.PartitionOffset{Partition: e.partition, Offset: e.offset})
	}
	return out, nil
}

func (h *Herder) admin() (*kadm.Client, error) {
	if h.cfg.Admin == nil {
		return nil, errors.New("sink connector offsets need a Kafka admin client")
	}
	return h.cfg.Admin, nil
}

func (h *Herder) sinkOffsets(ctx context.Context, group string) ([]herder.PartitionOffset, error) {
	adm, err := h.admin()
	if err != nil {
		return nil, err
	}
	resps, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("Failed to retrieve consumer group offsets for sink connector: %w", err) //nolint:staticcheck // Java's message
	}
	out := []herder.PartitionOffset{}
	for _, r := range resps.Sorted() {
		if r.Err != nil || r.At < 0 {
			continue
		}
		out = append(out, herder.PartitionOffset{
			Partition: map[string]any{kafkaTopicKey: r.Topic, kafkaPartitionKey: r.Partition},
			Offset:    map[string]any{kafkaOffsetKey: r.At},
		})
	}
	return out, nil
}

// AlterOffsets changes offsets of a STOPPED connector.
func (h *Herder) AlterOffsets(ctx context.Context, name string, offsets herder.ConnectorOffsets) (herder.Message, error) {
	if len(offsets.Offsets) == 0 {
		return herder.Message{}, herder.Errorf(herder.ErrBadRequest, "Partitions / offsets need to be provided for an alter offsets request")
	}
	return h.modifyOffsets(ctx, name, offsets.Offsets)
}

// ResetOffsets deletes every offset of a STOPPED connector.
func (h *Herder) ResetOffsets(ctx context.Context, name string) (herder.Message, error) {
	return h.modifyOffsets(ctx, name, nil)
}

// modifyOffsets alters (offsets non-nil) or resets (nil) a connector's offsets:
// the connector's OffsetAlterer first (it may veto), then the framework's offsets.
func (h *Herder) modifyOffsets(ctx context.Context, name string, offsets []herder.PartitionOffset) (herder.Message, error) {
	t, err := h.target(ctx, name, true)
	if err != nil {
		return herder.Message{}, err
	}
	reset := offsets == nil
	var managed bool
	if t.plugin.Kind == registry.Sink {
		managed, err = h.modifySinkOffsets(ctx, t, offsets)
	} else {
		managed, err = h.modifySourceOffsets(ctx, t, offsets)
	}
	if err != nil {
		return herder.Message{}, err
	}
	verb := "altered"
	if reset {
		verb = "reset"
	}
	if managed {
		return herder.Message{Message: "The offsets for this connector have been " + verb + " successfully"}, nil
	}
	return herder.Message{Message: "The Connect framework-managed offsets for this connector have been " + verb +
		" successfully. However, if this connector manages offsets externally, they will need to be manually " + verb +
		" in the system that the connector uses."}, nil
}

// alterOffsets calls the connector's optional OffsetAlterer on a fresh, unstarted
// instance, as Java does. Without it the framework alone changes offsets.
func alterOffsets(t offsetsTarget, reset bool, offsets []connect.PartitionOffset) (bool, error) {
	if t.plugin.NewConnector == nil {
		return false, nil
	}
	a, ok := t.plugin.NewConnector().(connect.OffsetAlterer)
	if !ok {
		return false, nil
	}
	managed, err := a.AlterOffsets(t.config, offsets)
	if err != nil {
		verb := "alter"
		if reset {
			verb = "reset"
		}
		if _, isHerderErr := errors.AsType[*herder.Error](err); isHerderErr {
			return false, err
		}
		return false, fmt.Errorf("Failed to %s offsets for connector %s: %w", verb, t.name, err) //nolint:staticcheck // Java-style message
	}
	return managed, nil
}

func (h *Herder) modifySourceOffsets(ctx context.Context, t offsetsTarget, offsets []herder.PartitionOffset) (bool, error) {
	reset := offsets == nil
	if reset {
		entries, err := h.sourceEntries(ctx, t.name)
		if err != nil {
			return false, err
		}
		for _, e := range entries {
			offsets = append(offsets, herder.PartitionOffset{Partition: e.partition})
		}
	}
	write := make(map[string][]byte, len(offsets))
	api := make([]connect.PartitionOffset, 0, len(offsets))
	for _, po := range offsets {
		if po.Partition == nil {
			return false, herder.Errorf(herder.ErrBadRequest, "Source partitions may not be null")
		}
		po.Partition, po.Offset = plainNumbers(po.Partition), plainNumbers(po.Offset)
		if err := validatePrimitive(po.Partition); err != nil {
			return false, err
		}
		if err := validatePrimitive(po.Offset); err != nil {
			return false, err
		}
		key, err := storage.OffsetKey(t.name, po.Partition)
		if err != nil {
			return false, herder.Errorf(herder.ErrBadRequest, "%s", err.Error())
		}
		value, err := storage.OffsetValue(po.Offset)
		if err != nil {
			return false, herder.Errorf(herder.ErrBadRequest, "%s", err.Error())
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
	if h.cfg.Offsets == nil {
		return false, errors.New("write source offsets: no offsets store")
	}
	if err := h.cfg.Offsets.Set(ctx, write); err != nil {
		return false, fmt.Errorf("Failed to write offsets for connector %s: %w", t.name, err) //nolint:staticcheck // Java-style message
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
			return herder.Errorf(herder.ErrBadRequest, "Offsets may only contain primitive types as values, but field %s contains MAP", k)
		case []any:
			return herder.Errorf(herder.ErrBadRequest, "Offsets may only contain primitive types as values, but field %s contains ARRAY", k)
		default:
			return herder.Errorf(herder.ErrBadRequest, "Offsets may only contain primitive types as values, but field %s contains %T", k, v)
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
func parseSinkOffsets(offsets []herder.PartitionOffset) ([]sinkOffset, error) {
	out := make([]sinkOffset, 0, len(offsets))
	for _, po := range offsets {
		p := po.Partition
		if p == nil {
			return nil, herder.Errorf(herder.ErrBadRequest, "The partition for a sink connector offset cannot be null or missing")
		}
		topicV, hasTopic := p[kafkaTopicKey]
		partV, hasPart := p[kafkaPartitionKey]
		if !hasTopic || !hasPart {
			return nil, herder.Errorf(herder.ErrBadRequest, "The partition for a sink connector offset must contain the keys '%s' and '%s'", kafkaTopicKey, kafkaPartitionKey)
		}
		if topicV == nil {
			return nil, herder.Errorf(herder.ErrBadRequest, "Kafka topic names must be valid strings and may not be null")
		}
		if partV == nil {
			return nil, herder.Errorf(herder.ErrBadRequest, "Kafka partitions must be valid numbers and may not be null")
		}
		part, ok := parseJavaInt(partV, 32)
		if !ok {
			return nil, herder.Errorf(herder.ErrBadRequest, "Failed to parse the following Kafka partition value in the provided offsets: '%v'. Partition values for sink connectors need to be integers.", partV)
		}
		so := sinkOffset{topic: fmt.Sprint(topicV), partition: int32(part)}
		if po.Offset != nil {
			offV, ok := po.Offset[kafkaOffsetKey]
			if !ok {
				return nil, herder.Errorf(herder.ErrBadRequest, "The offset for a sink connector should either be null or contain the key '%s'", kafkaOffsetKey)
			}
			off, ok := parseJavaInt(offV, 64)
			if !ok {
				return nil, herder.Errorf(herder.ErrBadRequest, "Failed to parse the following Kafka offset value in the provided offsets: '%v'. Offset values for sink connectors need to be integers.", offV)
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

func (h *Herder) modifySinkOffsets(ctx context.Context, t offsetsTarget, offsets []herder.PartitionOffset) (bool, error) {
	adm, err := h.admin()
	if err != nil {
		return false, err
	}
	group := t.sinkGroup()
	reset := offsets == nil
	var parsed []sinkOffset
	if reset {
		resps, err := adm.FetchOffsets(ctx, group)
		if err != nil {
			return false, fmt.Errorf("Failed to list offsets prior to resetting offsets for sink connector %s: %w", t.name, err) //nolint:staticcheck // Java's message
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
		return managed, resetSinkGroup(ctx, adm, t.name, group)
	}
	return managed, alterSinkGroup(ctx, adm, t.name, group, parsed)
}

func zombieMessage(verb, name string) string {
	return fmt.Sprintf("Failed to %s consumer group offsets for connector %s either because its tasks haven't stopped completely yet or the connector was resumed before the request to %s its offsets could be successfully completed. If the connector is in a stopped state, this operation can be safely retried. If it doesn't eventually succeed, the Connect cluster may need to be restarted to get rid of the zombie sink tasks.", verb, name, verb)
}

func resetSinkGroup(ctx context.Context, adm *kadm.Client, name, group string) error {
	resp, err := adm.DeleteGroup(ctx, group)
	switch {
	case err == nil, errors.Is(err, kerr.GroupIDNotFound):
		_ = resp
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
