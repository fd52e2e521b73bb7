package worker

// This file holds the topic side of tasks: topic tracking (KIP-558), where tasks
// report the topics they use, and topic creation for source connectors (KIP-158,
// topic.creation.*).

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/internal/kafka"
	"github.com/goconnect/goconnect/internal/recordpath"
)

// TopicRecorder is an optional StatusListener capability: RecordActiveTopic is
// called (from task and franz-go goroutines) the first time a task of connector
// produces to (source) or consumes from (sink) topic, for GET
// /connectors/{name}/topics. It must not block.
type TopicRecorder interface {
	RecordActiveTopic(connector, topic string)
}

// topicTracker reports each topic once per task, as Java's tasks do (their set
// survives a topics reset until the task restarts, as in Java).
type topicTracker struct {
	connector string
	rec       TopicRecorder // nil: tracking not wanted
	mu        sync.Mutex    // leaf lock
	seen      map[string]bool
}

func newTopicTracker(t *task) *topicTracker {
	rec, _ := t.w.status.(TopicRecorder)
	return &topicTracker{connector: t.id.Connector, rec: rec, seen: map[string]bool{}}
}

func (tt *topicTracker) record(topic string) {
	if tt.rec == nil {
		return
	}
	tt.mu.Lock()
	if tt.seen[topic] {
		tt.mu.Unlock()
		return
	}
	tt.seen[topic] = true
	tt.mu.Unlock()
	tt.rec.RecordActiveTopic(tt.connector, topic)
}

// Topic creation keys (reference §3.3).
const (
	topicCreationPrefix  = "topic.creation."
	topicCreationGroups  = "topic.creation.groups"
	topicCreationEnable  = "topic.creation.enable" // worker key, default true
	defaultTopicGroup    = "default"
	topicCreationTimeout = 30 * time.Second
)

// topicGroup is one topic.creation group (Java's TopicCreationGroup).
type topicGroup struct {
	name              string
	include, exclude  []*regexp.Regexp
	partitions        int32
	replicationFactor int16
	configs           map[string]*string
}

func (g *topicGroup) matches(topic string) bool {
	for _, re := range g.exclude {
		if re.MatchString(topic) {
			return false
		}
	}
	for _, re := range g.include {
		if re.MatchString(topic) {
			return true
		}
	}
	return false
}

// topicCreator creates the topics a source task sends to, the first time it sends
// to each, with the settings of the first matching group. Used by the task
// goroutine only.
type topicCreator struct {
	t       *task
	props   map[string]string
	groups  []*topicGroup // in topic.creation.groups order, default last
	handled map[string]bool
	adm     *kadm.Client
	cl      *kgo.Client
}

// newTopicCreator returns nil unless the worker enables topic creation
// (topic.creation.enable, default true) and the connector sets a topic.creation.
// key, as Java decides.
func newTopicCreator(t *task, connProps map[string]string) (*topicCreator, error) {
	if strings.EqualFold(strings.TrimSpace(t.w.cfg.Props[topicCreationEnable]), "false") {
		return nil, nil
	}
	any := false
	for k := range connProps {
		if strings.HasPrefix(k, topicCreationPrefix) {
			any = true
			break
		}
	}
	if !any {
		return nil, nil
	}
	groups, err := parseTopicGroups(connProps)
	if err != nil {
		return nil, err
	}
	return &topicCreator{t: t, props: connProps, groups: groups, handled: map[string]bool{}}, nil
}

// parseTopicGroups reads topic.creation.* into groups; the default group's
// replication factor and partitions are required and other groups inherit them.
func parseTopicGroups(props map[string]string) ([]*topicGroup, error) {
	def, err := parseTopicGroup(props, defaultTopicGroup, nil)
	if err != nil {
		return nil, err
	}
	var out []*topicGroup
	for _, name := range recordpath.SplitList(props[topicCreationGroups]) {
		if name == defaultTopicGroup {
			continue
		}
		g, err := parseTopicGroup(props, name, def)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return append(out, def), nil
}

func parseTopicGroup(props map[string]string, name string, def *topicGroup) (*topicGroup, error) {
	prefix := topicCreationPrefix + name + "."
	g := &topicGroup{name: name, configs: map[string]*string{}}
	num := func(key string, inherit int64, bits int) (int64, error) {
		v, ok := props[prefix+key]
		if !ok || strings.TrimSpace(v) == "" {
			if def == nil {
				return 0, fmt.Errorf("missing required configuration %s%s which has no default value", prefix, key)
			}
			return inherit, nil
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, bits)
		if err != nil || n == 0 || n < -1 {
			return 0, fmt.Errorf("invalid value %s for configuration %s%s: must be a positive number, or -1 to use the broker's default", v, prefix, key)
		}
		return n, nil
	}
	var inheritRF, inheritP int64
	if def != nil {
		inheritRF, inheritP = int64(def.replicationFactor), int64(def.partitions)
	}
	rf, err := num("replication.factor", inheritRF, 16)
	if err != nil {
		return nil, err
	}
	p, err := num("partitions", inheritP, 32)
	if err != nil {
		return nil, err
	}
	g.replicationFactor, g.partitions = int16(rf), int32(p)
	regexes := func(key string) ([]*regexp.Regexp, error) {
		var out []*regexp.Regexp
		for _, e := range recordpath.SplitList(props[prefix+key]) {
			re, err := regexp.Compile("^(?:" + e + ")$") // Java's Pattern.matches: full match
			if err != nil {
				return nil, fmt.Errorf("invalid value %s for configuration %s%s: %w", e, prefix, key, err)
			}
			out = append(out, re)
		}
		return out, nil
	}
	if name == defaultTopicGroup {
		// The default group matches every topic no other group took; its
		// include/exclude are ignored, as in Java.
		g.include = []*regexp.Regexp{regexp.MustCompile(".*")}
	} else {
		if g.include, err = regexes("include"); err != nil {
			return nil, err
		}
		if g.exclude, err = regexes("exclude"); err != nil {
			return nil, err
		}
	}
	for k, v := range props {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		switch rest {
		case "include", "exclude", "replication.factor", "partitions":
			continue
		}
		g.configs[rest] = &v
	}
	return g, nil
}

// ensure creates topic unless it exists or was handled before. A failure other
// than "already exists" fails the task, as in Java.
func (c *topicCreator) ensure(topic string) error {
	if c == nil || c.handled[topic] {
		return nil
	}
	if c.adm == nil {
		opts, err := kafka.Opts(kafka.AdminProps(c.t.w.cfg.Props, c.props, c.t.id.Connector), kafka.Admin, c.t.log)
		if err != nil {
			return fmt.Errorf("topic creation admin of task %s: %w", c.t.name(), err)
		}
		if c.cl, err = kgo.NewClient(opts...); err != nil {
			return fmt.Errorf("topic creation admin of task %s: %w", c.t.name(), err)
		}
		c.adm = kadm.NewClient(c.cl)
	}
	ctx, cancel := context.WithTimeout(c.t.hardCtx, topicCreationTimeout)
	defer cancel()
	details, err := c.adm.ListTopics(ctx, topic)
	if err != nil {
		return fmt.Errorf("describe topic %s: %w", topic, err)
	}
	if d, ok := details[topic]; ok && d.Err == nil {
		c.handled[topic] = true
		return nil
	}
	var g *topicGroup
	for _, cand := range c.groups {
		if cand.matches(topic) {
			g = cand
			break
		}
	}
	resp, err := c.adm.CreateTopic(ctx, g.partitions, g.replicationFactor, g.configs, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("Unable to create topic '%s' with the settings of topic creation group '%s': %w", topic, g.name, err) //nolint:staticcheck // Java's wording
	}
	if err == nil {
		c.t.log.Info("Created topic", "topic", topic, "group", g.name, "partitions", g.partitions, "replication.factor", g.replicationFactor)
	}
	c.handled[topic] = true
	return nil
}

func (c *topicCreator) close() {
	if c != nil && c.cl != nil {
		c.cl.Close()
	}
}
