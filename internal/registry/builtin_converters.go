package registry

import (
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/plugins/converters"
	"github.com/goconnect/goconnect/plugins/jsonconv"
)

// kafkaVersion is the version /connector-plugins reports for converters shipped with
// Apache Kafka (Java's AppInfoParser.getVersion()).
const kafkaVersion = "4.3.1"

// builtinConverters lists the built-in converters and header converters. A Java class
// that is both a Converter and a HeaderConverter has one row per kind.
func builtinConverters() []Plugin {
	both := func(class string, c func() connect.Converter, h func() connect.HeaderConverter) []Plugin {
		return []Plugin{
			{Class: class, Kind: Converter, Version: kafkaVersion, NewConverter: c},
			{Class: class, Kind: HeaderConverter, Version: kafkaVersion, NewHeaderConverter: h},
		}
	}
	var out []Plugin
	out = append(out, both("org.apache.kafka.connect.json.JsonConverter",
		func() connect.Converter { return jsonconv.New() },
		func() connect.HeaderConverter { return jsonconv.NewHeaderConverter() })...)
	out = append(out, both("org.apache.kafka.connect.storage.StringConverter",
		func() connect.Converter { return converters.NewString() },
		func() connect.HeaderConverter { return converters.NewStringHeader() })...)
	out = append(out, both("org.apache.kafka.connect.converters.ByteArrayConverter",
		func() connect.Converter { return converters.NewByteArray() },
		func() connect.HeaderConverter { return converters.NewByteArrayHeader() })...)
	out = append(out, both("org.apache.kafka.connect.converters.LongConverter",
		func() connect.Converter { return converters.NewLong() },
		func() connect.HeaderConverter { return converters.NewLongHeader() })...)
	out = append(out, both("org.apache.kafka.connect.converters.IntegerConverter",
		func() connect.Converter { return converters.NewInteger() },
		func() connect.HeaderConverter { return converters.NewIntegerHeader() })...)
	out = append(out, both("org.apache.kafka.connect.converters.ShortConverter",
		func() connect.Converter { return converters.NewShort() },
		func() connect.HeaderConverter { return converters.NewShortHeader() })...)
	out = append(out, both("org.apache.kafka.connect.converters.FloatConverter",
		func() connect.Converter { return converters.NewFloat() },
		func() connect.HeaderConverter { return converters.NewFloatHeader() })...)
	out = append(out, both("org.apache.kafka.connect.converters.DoubleConverter",
		func() connect.Converter { return converters.NewDouble() },
		func() connect.HeaderConverter { return converters.NewDoubleHeader() })...)
	out = append(out, both("org.apache.kafka.connect.converters.BooleanConverter",
		func() connect.Converter { return converters.NewBoolean() },
		func() connect.HeaderConverter { return converters.NewBooleanHeader() })...)
	out = append(out, Plugin{Class: "org.apache.kafka.connect.storage.SimpleHeaderConverter", Kind: HeaderConverter,
		Version: kafkaVersion, NewHeaderConverter: func() connect.HeaderConverter { return converters.NewSimpleHeader() }})
	return out
}
