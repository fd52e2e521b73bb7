package predicate

import (
	"fmt"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/plugins/transform/javaregex"
)

// Version is what the built-in predicates report (the Kafka release they mirror).
const Version = "4.3.1"

// Java class names of the predicates.
const (
	TopicNameMatchesClass  = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches"
	HasHeaderKeyClass      = "org.apache.kafka.connect.transforms.predicates.HasHeaderKey"
	RecordIsTombstoneClass = "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"
)

// TopicNameMatches is true for records whose whole topic name matches a Java regex.
type TopicNameMatches struct {
	pattern *javaregex.Regexp
}

// NewTopicNameMatches returns an unconfigured TopicNameMatches.
func NewTopicNameMatches() connect.Predicate { return &TopicNameMatches{} }

func invalid(name, value, msg string) error {
	return &config.Error{Name: name, Message: fmt.Sprintf("Invalid value %s for configuration %s: %s", value, name, msg)}
}

// regexValidator is the transforms' RegexValidator over the Java-to-RE2 translation.
var regexValidator config.Validator = config.ValidatorFunc(func(name string, v any) error {
	s, _ := v.(string)
	if _, err := javaregex.Compile(s); err != nil {
		return invalid(name, s, "Invalid regex: "+err.Error())
	}
	return nil
})

// Config returns Java's CONFIG_DEF.
func (p *TopicNameMatches) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "pattern", Type: config.String, Default: config.NoDefault,
		Validator: config.ValidatorFunc(func(name string, v any) error {
			if err := config.NonEmptyString.Validate(name, v); err != nil {
				return err
			}
			return regexValidator.Validate(name, v)
		}),
		Importance: config.Medium, Doc: "A Java regular expression for matching against the name of a record's topic."})
}

// Configure compiles pattern.
func (p *TopicNameMatches) Configure(props map[string]string) error {
	v, err := p.Config().Parse(props)
	if err != nil {
		return err
	}
	if p.pattern, err = javaregex.Compile(v.String("pattern")); err != nil {
		return invalid("pattern", v.String("pattern"), "entry must be a Java-compatible regular expression: "+err.Error())
	}
	return nil
}

// Test reports whether the topic matches.
func (p *TopicNameMatches) Test(r *connect.Record) (bool, error) {
	return r.Topic != "" && p.pattern.Matches(r.Topic), nil
}

// Close releases nothing.
func (p *TopicNameMatches) Close() error { return nil }

// String is Java's toString.
func (p *TopicNameMatches) String() string {
	return fmt.Sprintf("TopicNameMatches{pattern=%s}", p.pattern)
}

// HasHeaderKey is true for records with at least one header of a given name.
type HasHeaderKey struct{ name string }

// NewHasHeaderKey returns an unconfigured HasHeaderKey.
func NewHasHeaderKey() connect.Predicate { return &HasHeaderKey{} }

// Config returns Java's CONFIG_DEF.
func (p *HasHeaderKey) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "name", Type: config.String, Default: config.NoDefault,
		Validator: config.NonEmptyString, Importance: config.Medium, Doc: "The header name."})
}

// Configure reads name.
func (p *HasHeaderKey) Configure(props map[string]string) error {
	v, err := p.Config().Parse(props)
	if err != nil {
		return err
	}
	p.name = v.String("name")
	return nil
}

// Test reports whether a header called name exists.
func (p *HasHeaderKey) Test(r *connect.Record) (bool, error) {
	for _, h := range r.Headers {
		if h.Key == p.name {
			return true, nil
		}
	}
	return false, nil
}

// Close releases nothing.
func (p *HasHeaderKey) Close() error { return nil }

// String is Java's toString.
func (p *HasHeaderKey) String() string { return fmt.Sprintf("HasHeaderKey{name='%s'}", p.name) }

// RecordIsTombstone is true for records whose value is null.
type RecordIsTombstone struct{}

// NewRecordIsTombstone returns a RecordIsTombstone.
func NewRecordIsTombstone() connect.Predicate { return RecordIsTombstone{} }

// Config declares no keys.
func (RecordIsTombstone) Config() *config.Def { return config.NewDef() }

// Configure accepts anything.
func (RecordIsTombstone) Configure(map[string]string) error { return nil }

// Test reports whether the value is null.
func (RecordIsTombstone) Test(r *connect.Record) (bool, error) { return r.Value == nil, nil }

// Close releases nothing.
func (RecordIsTombstone) Close() error { return nil }

// String is Java's toString.
func (RecordIsTombstone) String() string { return "RecordIsTombstone{}" }
