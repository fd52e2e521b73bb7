package herder

// This file holds the framework's connector configuration definitions, key for key
// as Java's ConnectorConfig, SinkConnectorConfig and SourceConnectorConfig declare
// them in Kafka 4.3 (names, types, defaults, importance, docs, groups, order, width,
// display names), because /connector-plugins/{p}/config and .../config/validate show
// them verbatim. The validators reproduce Java's messages, including what they say
// about a null value (a value that failed to parse is validated as null in Java, so a
// bad tasks.max reports two errors).

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/goconnect/goconnect/api/config"
)

// pluginDefault is the default class and version of a converter key; nil is null.
type pluginDefault struct {
	class, version any
}

// defaults are the parts of the framework definition that depend on the plugins
// and the worker (Java's ConnectorConfig.enrichedConfigDef): the connector's version
// and the converter classes and versions inherited from the worker.
type defaults struct {
	connectorVersion   any
	key, value, header pluginDefault
}

// ConnectorConfigDef returns the framework keys every connector has (Java's
// ConnectorConfig.configDef()), with null converter defaults.
func ConnectorConfigDef() *config.Def {
	return config.NewDef().Define(commonKeys(defaults{})...)
}

// SinkConnectorConfigDef returns the framework keys of a sink connector (Java's
// SinkConnectorConfig.configDef()).
func SinkConnectorConfigDef() *config.Def {
	return ConnectorConfigDef().Define(sinkKeys()...)
}

// SourceConnectorConfigDef returns the framework keys of a source connector (Java's
// SourceConnectorConfig.configDef()).
func SourceConnectorConfigDef() *config.Def {
	return ConnectorConfigDef().Define(sourceKeys()...)
}

// javaString renders a value as Java's String.valueOf does inside ConfigException
// messages ("Invalid value X for configuration Y"): lists as [a, b], null as null.
func javaString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	}
	return config.FormatValue(v)
}

// configError is Java's ConfigException(name, value, message).
func configError(name string, value any, msg string) error {
	return &config.Error{Name: name, Message: fmt.Sprintf("Invalid value %s for configuration %s: %s", javaString(value), name, msg)}
}

// nonEmptyStringWithoutControlChars is Java's
// ConfigDef.NonEmptyStringWithoutControlChars: null passes (a missing name is
// reported as missing), "" and ISO control characters do not.
var nonEmptyStringWithoutControlChars = config.ValidatorFunc(func(name string, v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if s == "" {
		return configError(name, v, "String may not be empty")
	}
	var bad []string
	for _, r := range s {
		if unicode.IsControl(r) {
			bad = append(bad, fmt.Sprint(r))
		}
	}
	if len(bad) > 0 {
		return configError(name, v, "String may not contain control sequences but had the following ASCII chars: "+strings.Join(bad, ", "))
	}
	return nil
})

// atLeast is Java's Range.atLeast, which rejects null.
func atLeast(min int64) config.Validator {
	return config.ValidatorFunc(func(name string, v any) error {
		if v == nil {
			return configError(name, nil, "Value must be non-null")
		}
		var n int64
		switch x := v.(type) {
		case int32:
			n = int64(x)
		case int16:
			n = int64(x)
		case int64:
			n = x
		default:
			return nil
		}
		if n < min {
			return configError(name, v, fmt.Sprintf("Value must be at least %d", min))
		}
		return nil
	})
}

// validString is Java's ValidString.in.
func validString(options ...string) config.Validator {
	return config.ValidatorFunc(func(name string, v any) error {
		if s, ok := v.(string); ok && slices.Contains(options, s) {
			return nil
		}
		return configError(name, v, "String must be one of: "+strings.Join(options, ", "))
	})
}

// caseInsensitiveValidString is Java's CaseInsensitiveValidString.in.
func caseInsensitiveValidString(options ...string) config.Validator {
	return config.ValidatorFunc(func(name string, v any) error {
		if s, ok := v.(string); ok {
			for _, o := range options {
				if strings.EqualFold(o, s) {
					return nil
				}
			}
		}
		return configError(name, v, "String must be one of (case insensitive): "+strings.Join(options, ", "))
	})
}

// uniqueAliases is Java's alias validator of transforms, predicates and
// topic.creation.groups: non-null and no duplicates.
var uniqueAliases = config.ValidatorFunc(func(name string, v any) error {
	l, ok := v.([]string)
	if !ok {
		return configError(name, v, "Value must be non-null")
	}
	seen := map[string]bool{}
	for _, a := range l {
		if seen[a] {
			return configError(name, v, "Duplicate alias provided.")
		}
		seen[a] = true
	}
	return nil
})

// nonNegative is the transaction.boundary.interval.ms validator (null allowed).
var nonNegative = config.ValidatorFunc(func(name string, v any) error {
	if n, ok := v.(int64); ok && n < 0 {
		return configError(name, v, "Cannot be negative")
	}
	return nil
})

// nonEmptyString is Java's NonEmptyString (null allowed).
var nonEmptyString = config.ValidatorFunc(func(name string, v any) error {
	if s, ok := v.(string); ok && s == "" {
		return configError(name, v, "String must be non-empty")
	}
	return nil
})

// regexValidator checks that a non-blank value compiles. Go's RE2 syntax is a
// subset of java.util.regex; the message carries Go's description.
var regexValidator = config.ValidatorFunc(func(name string, v any) error {
	s, _ := v.(string)
	if s == "" {
		return nil
	}
	if _, err := regexp.Compile(s); err != nil {
		return configError(name, v, "Invalid regex: "+err.Error())
	}
	return nil
})

// Connector config keys (Java ConnectorConfig, SinkConnectorConfig, SourceConnectorConfig).
const (
	NameConfig                        = "name"
	ConnectorClassConfig              = "connector.class"
	ConnectorVersionConfig            = "connector.plugin.version"
	TasksMaxConfig                    = "tasks.max"
	TasksMaxEnforceConfig             = "tasks.max.enforce"
	KeyConverterConfig                = "key.converter"
	KeyConverterVersionConfig         = "key.converter.plugin.version"
	ValueConverterConfig              = "value.converter"
	ValueConverterVersionConfig       = "value.converter.plugin.version"
	HeaderConverterConfig             = "header.converter"
	HeaderConverterVersionConfig      = "header.converter.plugin.version"
	TransformsConfig                  = "transforms"
	PredicatesConfig                  = "predicates"
	ConfigReloadActionConfig          = "config.action.reload"
	ErrorsRetryTimeoutConfig          = "errors.retry.timeout"
	ErrorsRetryMaxDelayConfig         = "errors.retry.delay.max.ms"
	ErrorsToleranceConfig             = "errors.tolerance"
	ErrorsLogEnableConfig             = "errors.log.enable"
	ErrorsLogIncludeMessagesConfig    = "errors.log.include.messages"
	TopicsConfig                      = "topics"
	TopicsRegexConfig                 = "topics.regex"
	DLQTopicNameConfig                = "errors.deadletterqueue.topic.name"
	DLQTopicReplicationFactorConfig   = "errors.deadletterqueue.topic.replication.factor"
	DLQContextHeadersEnableConfig     = "errors.deadletterqueue.context.headers.enable"
	TopicCreationGroupsConfig         = "topic.creation.groups"
	ExactlyOnceSupportConfig          = "exactly.once.support"
	TransactionBoundaryConfig         = "transaction.boundary"
	TransactionBoundaryIntervalConfig = "transaction.boundary.interval.ms"
	OffsetsTopicConfig                = "offsets.storage.topic"
)

func commonKeys(d defaults) []config.Key {
	return []config.Key{
		{Name: NameConfig, Type: config.String, Default: config.NoDefault, Validator: nonEmptyStringWithoutControlChars, Importance: config.High,
			Doc:   "Globally unique name to use for this connector.",
			Group: "Common", OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Connector name"},
		{Name: ConnectorClassConfig, Type: config.String, Default: config.NoDefault, Importance: config.High,
			Doc:   "Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name,  or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a bit shorter",
			Group: "Common", OrderInGroup: 2, Width: config.WidthLong, DisplayName: "Connector class"},
		{Name: ConnectorVersionConfig, Type: config.String, Default: d.connectorVersion, Importance: config.Medium,
			Doc:   "Version of the connector.",
			Group: "Common", OrderInGroup: 3, Width: config.WidthMedium, DisplayName: "Connector version"},
		{Name: TasksMaxConfig, Type: config.Int, Default: "1", Validator: atLeast(1), Importance: config.High,
			Doc:   "Maximum number of tasks to use for this connector.",
			Group: "Common", OrderInGroup: 4, Width: config.WidthShort, DisplayName: "Tasks max"},
		{Name: TasksMaxEnforceConfig, Type: config.Boolean, Default: "true", Importance: config.Low,
			Doc:   "(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. By default, connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max property will also be failed. If this property is set to false, then connectors will be allowed to generate more than the maximum number of tasks, and existing sets of tasks that exceed the tasks.max property will be allowed to run. This property is deprecated and will be removed in an upcoming major release.",
			Group: "Common", OrderInGroup: 5, Width: config.WidthShort, DisplayName: "Enforce tasks max"},
		{Name: KeyConverterConfig, Type: config.Class, Default: d.key.class, Importance: config.Low,
			Doc:   "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.",
			Group: "Common", OrderInGroup: 6, Width: config.WidthShort, DisplayName: "Key converter class"},
		{Name: KeyConverterVersionConfig, Type: config.String, Default: d.key.version, Importance: config.Low,
			Doc:   "Version of the key converter.",
			Group: "Common", OrderInGroup: 7, Width: config.WidthShort, DisplayName: "Key converter version"},
		{Name: ValueConverterConfig, Type: config.Class, Default: d.value.class, Importance: config.Low,
			Doc:   "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.",
			Group: "Common", OrderInGroup: 8, Width: config.WidthShort, DisplayName: "Value converter class"},
		{Name: ValueConverterVersionConfig, Type: config.String, Default: d.value.version, Importance: config.Low,
			Doc:   "Version of the value converter.",
			Group: "Common", OrderInGroup: 9, Width: config.WidthShort, DisplayName: "Value converter version"},
		{Name: HeaderConverterConfig, Type: config.Class, Default: d.header.class, Importance: config.Low,
			Doc:   "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the header values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. By default, the SimpleHeaderConverter is used to serialize header values to strings and deserialize them by inferring the schemas.",
			Group: "Common", OrderInGroup: 10, Width: config.WidthShort, DisplayName: "Header converter class"},
		{Name: HeaderConverterVersionConfig, Type: config.String, Default: d.header.version, Importance: config.Low,
			Doc:   "Version of the header converter.",
			Group: "Common", OrderInGroup: 11, Width: config.WidthShort, DisplayName: "Header converter version"},
		{Name: TransformsConfig, Type: config.List, Default: "", Validator: uniqueAliases, Importance: config.Low,
			Doc:   "Aliases for the transformations to be applied to records.",
			Group: "Transforms", OrderInGroup: 12, Width: config.WidthLong, DisplayName: "Transforms"},
		{Name: PredicatesConfig, Type: config.List, Default: "", Validator: uniqueAliases, Importance: config.Low,
			Doc:   "Aliases for the predicates used by transformations.",
			Group: "Predicates", OrderInGroup: 13, Width: config.WidthLong, DisplayName: "Predicates"},
		{Name: ConfigReloadActionConfig, Type: config.String, Default: "restart", Validator: validString("none", "restart"), Importance: config.Low,
			Doc:   "The action that Connect should take on the connector when changes in external configuration providers result in a change in the connector's configuration properties. A value of 'none' indicates that Connect will do nothing. A value of 'restart' indicates that Connect should restart/reload the connector with the updated configuration properties.The restart may actually be scheduled in the future if the external configuration provider indicates that a configuration value will expire in the future.",
			Group: "Common", OrderInGroup: 14, Width: config.WidthMedium, DisplayName: "Reload Action"},
		{Name: ErrorsRetryTimeoutConfig, Type: config.Long, Default: "0", Importance: config.Medium,
			Doc:   "The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.",
			Group: "Error Handling", OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Retry Timeout for Errors"},
		{Name: ErrorsRetryMaxDelayConfig, Type: config.Long, Default: "60000", Importance: config.Medium,
			Doc:   "The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.",
			Group: "Error Handling", OrderInGroup: 2, Width: config.WidthMedium, DisplayName: "Maximum Delay Between Retries for Errors"},
		{Name: ErrorsToleranceConfig, Type: config.String, Default: "none", Validator: validString("none", "all"), Importance: config.Medium,
			Doc:   "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
			Group: "Error Handling", OrderInGroup: 3, Width: config.WidthShort, DisplayName: "Error Tolerance"},
		{Name: ErrorsLogEnableConfig, Type: config.Boolean, Default: "false", Importance: config.Medium,
			Doc:   "If true, write each error and the details of the failed operation and problematic record to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.",
			Group: "Error Handling", OrderInGroup: 4, Width: config.WidthShort, DisplayName: "Log Errors"},
		{Name: ErrorsLogIncludeMessagesConfig, Type: config.Boolean, Default: "false", Importance: config.Medium,
			Doc:   "Whether to include in the log the Connect record that resulted in a failure. For sink records, the topic, partition, offset, and timestamp will be logged. For source records, the key and value (and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source partition, and source offset will be logged. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.",
			Group: "Error Handling", OrderInGroup: 5, Width: config.WidthShort, DisplayName: "Log Error Details"},
	}
}

func sinkKeys() []config.Key {
	return []config.Key{
		{Name: TopicsConfig, Type: config.List, Default: "", Importance: config.High,
			Doc:   "List of topics to consume, separated by commas",
			Group: "Common", OrderInGroup: 4, Width: config.WidthLong, DisplayName: "Topics"},
		{Name: TopicsRegexConfig, Type: config.String, Default: "", Validator: regexValidator, Importance: config.High,
			Doc:   "Regular expression giving topics to consume. Under the hood, the regex is compiled to a <code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be specified.",
			Group: "Common", OrderInGroup: 4, Width: config.WidthLong, DisplayName: "Topics regex"},
		{Name: DLQTopicNameConfig, Type: config.String, Default: "", Importance: config.Medium,
			Doc:   "The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.",
			Group: "Error Handling", OrderInGroup: 6, Width: config.WidthMedium, DisplayName: "Dead Letter Queue Topic Name"},
		{Name: DLQTopicReplicationFactorConfig, Type: config.Short, Default: "3", Importance: config.Medium,
			Doc:   "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
			Group: "Error Handling", OrderInGroup: 7, Width: config.WidthMedium, DisplayName: "Dead Letter Queue Topic Replication Factor"},
		{Name: DLQContextHeadersEnableConfig, Type: config.Boolean, Default: "false", Importance: config.Medium,
			Doc:   "If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys, all error context header keys will start with <code>__connect.errors.</code>",
			Group: "Error Handling", OrderInGroup: 8, Width: config.WidthMedium, DisplayName: "Enable Error Context Headers"},
	}
}

func sourceKeys() []config.Key {
	return []config.Key{
		{Name: TopicCreationGroupsConfig, Type: config.List, Default: "", Validator: uniqueAliases, Importance: config.Low,
			Doc:   "Groups of configurations for topics created by source connectors",
			Group: "Topic Creation", OrderInGroup: 1, Width: config.WidthLong, DisplayName: "Topic Creation Groups"},
		{Name: ExactlyOnceSupportConfig, Type: config.String, Default: "requested", Validator: caseInsensitiveValidString("requested", "required"), Importance: config.Medium,
			Doc:   "Permitted values are requested, required. If set to \"required\", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration. Some connectors may be capable of providing exactly-once semantics but not signal to Connect that they support this; in that case, documentation for the connector should be consulted carefully before creating it, and the value for this property should be set to \"requested\". Additionally, if the value is set to \"required\" but the worker that performs preflight validation does not have exactly-once support enabled for source connectors, requests to create or validate the connector will fail.",
			Group: "Exactly Once Support", OrderInGroup: 2, Width: config.WidthShort, DisplayName: "Exactly once support"},
		{Name: TransactionBoundaryConfig, Type: config.String, Default: "poll", Validator: caseInsensitiveValidString("poll", "interval", "connector"), Importance: config.Medium,
			Doc:   "Permitted values are: poll, interval, connector. If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect. If set to 'connector', relies on connector-defined transaction boundaries; note that not all connectors are capable of defining their own transaction boundaries, and in that case, attempts to instantiate a connector with this value will fail. Finally, if set to 'interval', commits transactions only after a user-defined time interval has passed.",
			Group: "Exactly Once Support", OrderInGroup: 3, Width: config.WidthShort, DisplayName: "Transaction Boundary"},
		{Name: TransactionBoundaryIntervalConfig, Type: config.Long, Default: nil, Validator: nonNegative, Importance: config.Low,
			Doc:   "If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits by connector tasks. If unset, defaults to the value of the worker-level 'offset.flush.interval.ms' property. It has no effect if a different transaction.boundary is specified.",
			Group: "Exactly Once Support", OrderInGroup: 4, Width: config.WidthShort, DisplayName: "Transaction boundary interval"},
		{Name: OffsetsTopicConfig, Type: config.String, Default: nil, Validator: nonEmptyString, Importance: config.Low,
			Doc:   "The name of a separate offsets topic to use for this connector. If empty or not specified, the worker’s global offsets topic name will be used. If specified, the offsets topic will be created if it does not already exist on the Kafka cluster targeted by this connector (which may be different from the one used for the worker's global offsets topic if the bootstrap.servers property of the connector's producer has been overridden from the worker's). Only applicable in distributed mode; in standalone mode, setting this property will have no effect.",
			Group: "offsets.topic", OrderInGroup: 1, Width: config.WidthLong, DisplayName: "Offsets topic"},
	}
}
