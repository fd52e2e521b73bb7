package herder

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/registry"
)

// testConnector is a connector with one optional and one required key.
type testConnector struct{ def *config.Def }

func (c testConnector) Version() string                                         { return "1.0" }
func (c testConnector) Config() *config.Def                                     { return c.def }
func (c testConnector) Start(connect.ConnectorContext, map[string]string) error { return nil }
func (c testConnector) TaskConfigs(int) ([]map[string]string, error)            { return nil, nil }
func (c testConnector) Stop() error                                             { return nil }

type testTransform struct{}

func (testTransform) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "field", Type: config.String, Default: config.NoDefault, Importance: config.High, Doc: "The field."})
}
func (testTransform) Configure(map[string]string) error                { return nil }
func (testTransform) Apply(r *connect.Record) (*connect.Record, error) { return r, nil }
func (testTransform) Close() error                                     { return nil }

func testRegistry() *registry.Registry {
	sinkDef := func() *config.Def {
		return config.NewDef().Define(config.Key{Name: "file", Type: config.String, Importance: config.High, Doc: "Destination filename."})
	}
	sourceDef := func() *config.Def {
		return config.NewDef().Define(
			config.Key{Name: "topic", Type: config.String, Default: config.NoDefault, Importance: config.High, Doc: "The topic."},
			config.Key{Name: "batch.size", Type: config.Int, Default: "2000", Importance: config.Low, Doc: "Batch."},
		)
	}
	return registry.New([]registry.Plugin{
		{Class: "com.example.TestSinkConnector", Kind: registry.Sink, Version: "1.0",
			NewConnector: func() connect.Connector { return testConnector{sinkDef()} }},
		{Class: "com.example.TestSourceConnector", Kind: registry.Source, Version: "1.0",
			NewConnector: func() connect.Connector { return testConnector{sourceDef()} }},
		{Class: "com.example.Mark", Kind: registry.Transformation, Version: "1.0",
			NewTransformation: func() connect.Transformation { return testTransform{} }},
	})
}

// errorsOf returns every key with errors, and its errors.
func errorsOf(infos ConfigInfos) map[string][]string {
	out := map[string][]string{}
	for _, c := range infos.Configs {
		if c.Value != nil && len(c.Value.Errors) > 0 {
			out[c.Value.Name] = c.Value.Errors
		}
	}
	return out
}

func TestValidate(t *testing.T) {
	const both = "topics and topics.regex are mutually exclusive options, but both are set."
	const none = "Must configure one of topics or topics.regex"
	tests := []struct {
		name  string
		props map[string]string
		want  map[string][]string
	}{
		{"valid sink", map[string]string{"connector.class": "TestSink", "name": "s", "topics": "t"}, map[string][]string{}},
		{"missing topics", map[string]string{"connector.class": "TestSink", "name": "s"},
			map[string][]string{"topics": {none}, "topics.regex": {none}}},
		{"topics and regex", map[string]string{"connector.class": "TestSink", "name": "s", "topics": "t", "topics.regex": "t.*"},
			map[string][]string{"topics": {both}, "topics.regex": {both}}},
		{"dlq in topics", map[string]string{"connector.class": "TestSink", "name": "s", "topics": "a,b", "errors.deadletterqueue.topic.name": "b"},
			map[string][]string{"topics": {"The DLQ topic 'b' may not be included in the list of topics ('topics=[a, b]') consumed by the connector"}}},
		{"dlq matched by regex", map[string]string{"connector.class": "TestSink", "name": "s", "topics.regex": "b.*", "errors.deadletterqueue.topic.name": "bad"},
			map[string][]string{"topics.regex": {"The DLQ topic 'bad' may not be included in the regex matching the topics ('topics.regex=b.*') consumed by the connector"}}},
		{"tasks.max not a number", map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t", "tasks.max": "abc"},
			map[string][]string{"tasks.max": {"Invalid value abc for configuration tasks.max: Not a number of type INT", "Invalid value null for configuration tasks.max: Value must be non-null"}}},
		{"tasks.max zero", map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t", "tasks.max": "0"},
			map[string][]string{"tasks.max": {"Invalid value 0 for configuration tasks.max: Value must be at least 1"}}},
		{"empty name and missing connector key", map[string]string{"connector.class": "TestSource", "name": ""},
			map[string][]string{"name": {"Invalid value  for configuration name: String may not be empty"}, "topic": {`Missing required configuration "topic" which has no default value.`}}},
		{"control char in name", map[string]string{"connector.class": "TestSource", "name": "a\tb", "topic": "t"},
			map[string][]string{"name": {"Invalid value a\tb for configuration name: String may not contain control sequences but had the following ASCII chars: 9"}}},
		{"unknown transform type", map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t", "transforms": "x", "transforms.x.type": "Nope"},
			map[string][]string{"transforms.x.type": {"Invalid value Nope for configuration transforms.x.type: Class Nope could not be found."}}},
		{"transform missing its key", map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t", "transforms": "x", "transforms.x.type": "Mark"},
			map[string][]string{"transforms.x.field": {`Missing required configuration "transforms.x.field" which has no default value.`}}},
		{"topic creation default group", map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t",
			"topic.creation.default.partitions": "0"},
			map[string][]string{
				"topic.creation.default.partitions":         {"Invalid value 0 for configuration partitions: Value must be -1 or at least 1"},
				"topic.creation.default.replication.factor": {`Missing required configuration "topic.creation.default.replication.factor" which has no default value.`}}},
		{"topic creation groups inherit and check patterns", map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t",
			"topic.creation.default.partitions": "3", "topic.creation.default.replication.factor": "-1",
			"topic.creation.groups": "compacted", "topic.creation.compacted.include": "(", "topic.creation.compacted.partitions": "-2"},
			map[string][]string{
				"topic.creation.compacted.include":    {"Invalid value ( for configuration include: error parsing regexp: missing closing ): `^(?:()$`"},
				"topic.creation.compacted.partitions": {"Invalid value -2 for configuration partitions: Value must be -1 or at least 1"}}},
		{"negate without predicate", map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t", "transforms": "x", "transforms.x.type": "Mark", "transforms.x.field": "f", "transforms.x.negate": "true"},
			map[string][]string{"transforms.x.type": {"Config 'transforms.x.negate' was provided but there is no config 'transforms.x.predicate' defining a predicate to be negated."}}},
		{"duplicate transform alias", map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t", "transforms": "x,x", "transforms.x.type": "Mark", "transforms.x.field": "f"},
			map[string][]string{"transforms": {"Invalid value [x, x] for configuration transforms: Duplicate alias provided."}}},
		{"unknown key converter", map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t", "key.converter": "Nope"},
			map[string][]string{"key.converter": {"Invalid value Nope for configuration key.converter: Class Nope could not be found."}}},
	}
	reg := testRegistry()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			infos, err := Validate(reg, tt.props)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, errorsOf(infos)); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			n := 0
			for _, es := range tt.want {
				n += len(es)
			}
			if infos.ErrorCount != n {
				t.Errorf("error_count = %d, want %d", infos.ErrorCount, n)
			}
		})
	}
}

func TestValidateShape(t *testing.T) {
	infos, err := ValidateWith(testRegistry(), map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t", "transforms": "x", "transforms.x.type": "Mark", "transforms.x.field": "f"}, ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantGroups := []string{"Common", "Transforms", "Predicates", "Error Handling", "Topic Creation", "Exactly Once Support", "offsets.topic", "Transforms: x"}
	if diff := cmp.Diff(wantGroups, infos.Groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	var names []string
	for _, c := range infos.Configs {
		names = append(names, c.Definition.Name)
	}
	want := []string{"name", "connector.class", "connector.plugin.version", "tasks.max", "tasks.max.enforce",
		"key.converter", "key.converter.plugin.version", "value.converter", "value.converter.plugin.version",
		"header.converter", "header.converter.plugin.version", "transforms", "predicates", "config.action.reload",
		"errors.retry.timeout", "errors.retry.delay.max.ms", "errors.tolerance", "errors.log.enable", "errors.log.include.messages",
		"topic.creation.groups", "exactly.once.support", "transaction.boundary", "transaction.boundary.interval.ms", "offsets.storage.topic",
		"transforms.x.type", "transforms.x.field", "transforms.x.negate", "transforms.x.predicate", "topic", "batch.size"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("config names (-want +got):\n%s", diff)
	}
	byName := map[string]ConfigInfo{}
	for _, c := range infos.Configs {
		byName[c.Definition.Name] = c
	}
	s := func(v string) *string { return &v }
	if diff := cmp.Diff(&ConfigValueInfo{Name: "tasks.max", Value: s("1"), RecommendedValues: []string{}, Errors: []string{}, Visible: true}, byName["tasks.max"].Value); diff != "" {
		t.Errorf("tasks.max value (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&ConfigKeyInfo{Name: "batch.size", Type: "INT", DefaultValue: s("2000"), Importance: "LOW", Documentation: "Batch.",
		OrderInGroup: -1, Width: "NONE", DisplayName: "batch.size", Dependents: []string{}}, byName["batch.size"].Definition); diff != "" {
		t.Errorf("batch.size definition (-want +got):\n%s", diff)
	}
	if got := byName["transforms.x.field"].Definition; *got.Group != "Transforms: x" || got.OrderInGroup != 1 {
		t.Errorf("transforms.x.field group/order = %q/%d", *got.Group, got.OrderInGroup)
	}
	if got := byName["connector.plugin.version"].Value; got.Value == nil || *got.Value != "1.0" {
		t.Errorf("connector.plugin.version value = %v", got.Value)
	}
	if got := byName["header.converter"].Definition.DefaultValue; got == nil || *got != simpleHeaderConverter {
		t.Errorf("header.converter default = %v", got)
	}
}

func TestValidateRequestErrors(t *testing.T) {
	reg := testRegistry()
	_, err := Validate(reg, map[string]string{"name": "v", "topics": "gc-v", "file": "/tmp/v.txt"})
	if want := "Connector config {name=v, file=/tmp/v.txt, topics=gc-v} contains no connector type"; err == nil || err.Error() != want || !errors.Is(err, ErrBadRequest) {
		t.Errorf("no class: err = %v, want %q", err, want)
	}
	_, err = Validate(reg, map[string]string{"connector.class": "Nope"})
	if err == nil || !strings.HasPrefix(err.Error(), "Failed to find any class that implements Connector and which name matches Nope") || !errors.Is(err, ErrBadRequest) {
		t.Errorf("unknown class: err = %v", err)
	}
}

func TestValidationError(t *testing.T) {
	infos, err := Validate(testRegistry(), map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t", "tasks.max": "abc"})
	if err != nil {
		t.Fatal(err)
	}
	got := ValidationError(infos)
	want := "Connector configuration is invalid and contains the following 2 error(s):\n" +
		"Invalid value abc for configuration tasks.max: Not a number of type INT\n" +
		"Invalid value null for configuration tasks.max: Value must be non-null\n" +
		"You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
	if got == nil || got.Error() != want || !errors.Is(got, ErrBadRequest) {
		t.Errorf("ValidationError = %v, want %q", got, want)
	}
	if err := ValidationError(ConfigInfos{}); err != nil {
		t.Errorf("ValidationError(no errors) = %v", err)
	}
}

func TestAddNullErrors(t *testing.T) {
	infos, err := Validate(testRegistry(), map[string]string{"connector.class": "TestSource", "name": "s", "topic": "t"})
	if err != nil {
		t.Fatal(err)
	}
	got := AddNullErrors(infos, []string{"tasks.max", "bogus"})
	if got.ErrorCount != 2 || got.Configs[0].Definition != nil || got.Configs[0].Value.Name != "bogus" {
		t.Errorf("AddNullErrors: count %d, first %+v", got.ErrorCount, got.Configs[0])
	}
	if diff := cmp.Diff(map[string][]string{"tasks.max": {NullValueMessage}, "bogus": {NullValueMessage}}, errorsOf(got)); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestPluginConfig(t *testing.T) {
	reg := testRegistry()
	keys, err := PluginConfig(reg, "TestSinkConnector")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
	}
	want := []string{"file", "name", "connector.class", "connector.plugin.version", "tasks.max", "tasks.max.enforce",
		"key.converter", "key.converter.plugin.version", "value.converter", "value.converter.plugin.version",
		"header.converter", "header.converter.plugin.version", "transforms", "predicates", "config.action.reload",
		"errors.retry.timeout", "errors.retry.delay.max.ms", "errors.tolerance", "errors.log.enable", "errors.log.include.messages",
		"topics", "topics.regex", "errors.deadletterqueue.topic.name", "errors.deadletterqueue.topic.replication.factor", "errors.deadletterqueue.context.headers.enable"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if keys[3].DefaultValue == nil || *keys[3].DefaultValue != "1.0" {
		t.Errorf("connector.plugin.version default = %v", keys[3].DefaultValue)
	}
	if keys[6].DefaultValue != nil {
		t.Errorf("key.converter default = %v, want null", *keys[6].DefaultValue)
	}
	tk, err := PluginConfig(reg, "com.example.Mark")
	if err != nil || len(tk) != 1 || tk[0].Name != "field" || !tk[0].Required {
		t.Errorf("transform config = %+v, %v", tk, err)
	}
	_, err = PluginConfig(reg, "Nope")
	if err == nil || err.Error() != "Unknown plugin Nope." || !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown plugin: %v", err)
	}
}

func TestJavaMapString(t *testing.T) {
	tests := []struct {
		in   map[string]string
		want string
	}{
		{map[string]string{}, "{}"},
		{map[string]string{"name": "v", "topics": "gc-v", "file": "f"}, "{name=v, file=f, topics=gc-v}"},
	}
	for _, tt := range tests {
		if got := javaMapString(tt.in); got != tt.want {
			t.Errorf("javaMapString(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateClientOverrides(t *testing.T) {
	props := map[string]string{
		"connector.class": "com.example.TestSourceConnector", "name": "s", "topic": "t",
		"producer.override.linger.ms":        "5",
		"producer.override.no.such.key":      "1",
		"producer.override.compression.type": "brotli",
		"admin.override.sasl.mechanism":      "PLAIN",
	}
	for _, tc := range []struct {
		policy string
		want   map[string][]string
	}{
		{"", map[string][]string{
			"producer.override.no.such.key":      {"Unknown or unsupported producer configuration 'no.such.key': goconnect's Kafka client has no equivalent for it"},
			"producer.override.compression.type": {"invalid value brotli for configuration compression.type: expected none, gzip, snappy, lz4 or zstd"},
		}},
		{"org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy", map[string][]string{
			"producer.override.linger.ms": {"The 'Principal' policy does not allow 'linger.ms' to be overridden in the connector configuration."},
			"producer.override.no.such.key": {"The 'Principal' policy does not allow 'no.such.key' to be overridden in the connector configuration.",
				"Unknown or unsupported producer configuration 'no.such.key': goconnect's Kafka client has no equivalent for it"},
			"producer.override.compression.type": {"The 'Principal' policy does not allow 'compression.type' to be overridden in the connector configuration.",
				"invalid value brotli for configuration compression.type: expected none, gzip, snappy, lz4 or zstd"},
		}},
	} {
		infos, err := ValidateWith(testRegistry(), props, ValidateOptions{WorkerProps: map[string]string{ConnectorClientPolicyConfig: tc.policy}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, errorsOf(infos)); diff != "" {
			t.Errorf("policy %q (-want +got):\n%s", tc.policy, diff)
		}
	}
	infos, _ := ValidateWith(testRegistry(), props, ValidateOptions{WorkerProps: map[string]string{ConnectorClientPolicyConfig: "None"}})
	if got := errorsOf(infos)["admin.override.sasl.mechanism"]; len(got) != 1 || !strings.Contains(got[0], "The 'None' policy does not allow 'sasl.mechanism'") {
		t.Errorf("None policy: %v", got)
	}
}
