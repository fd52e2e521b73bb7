package jsonconv

import (
	"strings"

	"github.com/goconnect/goconnect/api/config"
)

// Config keys, as Java's JsonConverterConfig and ConverterConfig name them.
const (
	SchemasEnableConfig          = "schemas.enable"
	SchemasCacheSizeConfig       = "schemas.cache.size"
	SchemaContentConfig          = "schema.content"
	DecimalFormatConfig          = "decimal.format"
	ReplaceNullWithDefaultConfig = "replace.null.with.default"
	ConverterTypeConfig          = "converter.type"
)

// DecimalFormat values.
const (
	DecimalBase64  = "BASE64"
	DecimalNumeric = "NUMERIC"
)

// ConverterTypeKey etc. are the values of converter.type.
const (
	ConverterTypeKey    = "key"
	ConverterTypeValue  = "value"
	ConverterTypeHeader = "header"
)

// converterTypeKey is ConverterConfig.newConfigDef's only key; every Kafka-shipped
// converter config starts with it.
func converterTypeKey() config.Key {
	return config.Key{
		Name: ConverterTypeConfig, Type: config.String, Default: config.NoDefault,
		Validator:  config.OneOf(ConverterTypeKey, ConverterTypeValue, ConverterTypeHeader),
		Importance: config.Low, Doc: "How this converter will be used.",
		OrderInGroup: -1,
	}
}

// ConfigDef returns Java's JsonConverterConfig.configDef(), key for key.
func ConfigDef() *config.Def {
	return config.NewDef().Define(
		converterTypeKey(),
		config.Key{Name: SchemasEnableConfig, Type: config.Boolean, Default: "true", Importance: config.High,
			Doc: "Include schemas within each of the serialized values and keys.", Group: "Schemas",
			OrderInGroup: 0, Width: config.WidthMedium, DisplayName: "Enable Schemas"},
		config.Key{Name: SchemasCacheSizeConfig, Type: config.Int, Default: "1000", Importance: config.High,
			Doc: "The maximum number of schemas that can be cached in this converter instance.", Group: "Schemas",
			OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Schema Cache Size"},
		config.Key{Name: SchemaContentConfig, Type: config.String, Default: nil, Importance: config.High,
			Doc: "When set, this is used as the schema for all messages, and the schemas within each of the message will be ignored." +
				"Otherwise, the schema will be included in the content of each message. This configuration applies only 'schemas.enable' is true, and it exclusively affects the sink connector.",
			Group: "Schemas", OrderInGroup: 2, Width: config.WidthMedium, DisplayName: "Schema Content"},
		config.Key{Name: DecimalFormatConfig, Type: config.String, Default: DecimalBase64,
			Validator:  config.OneOfIgnoreCase(DecimalBase64, DecimalNumeric),
			Importance: config.Low,
			Doc: "Controls which format this converter will serialize decimals in." +
				" This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
			Group: "Serialization", OrderInGroup: 0, Width: config.WidthMedium, DisplayName: "Decimal Format"},
		config.Key{Name: ReplaceNullWithDefaultConfig, Type: config.Boolean, Default: "true", Importance: config.Low,
			Doc:   "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
			Group: "Serialization", OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Replace null with default"},
	)
}

// settings are the parsed config values the hot path reads.
type settings struct {
	schemasEnabled         bool
	cacheSize              int
	decimalNumeric         bool
	replaceNullWithDefault bool
	isKey                  bool
	schemaContent          string
}

func parseSettings(props map[string]string) (settings, error) {
	v, err := ConfigDef().Parse(props)
	if err != nil {
		return settings{}, err
	}
	return settings{
		schemasEnabled:         v.Bool(SchemasEnableConfig),
		cacheSize:              int(v.Int(SchemasCacheSizeConfig)),
		decimalNumeric:         strings.EqualFold(v.String(DecimalFormatConfig), DecimalNumeric),
		replaceNullWithDefault: v.Bool(ReplaceNullWithDefaultConfig),
		isKey:                  v.String(ConverterTypeConfig) == ConverterTypeKey,
		schemaContent:          v.String(SchemaContentConfig),
	}, nil
}
