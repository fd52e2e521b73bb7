package builtin

import (
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/plugins/jdbc"
)

// builtinJDBC lists the JDBC connectors under Confluent's class names. The derived
// aliases (JdbcSinkConnector, JdbcSink, JdbcSourceConnector, JdbcSource) come from
// names(); no extra ones are needed.
func builtinJDBC() []registry.Plugin {
	return []registry.Plugin{
		{
			Class: jdbc.SinkClass, Kind: registry.Sink, Version: jdbc.Version, TaskClass: jdbc.SinkTaskClass,
			NewConnector: func() connect.Connector { return jdbc.NewSinkConnector() },
		},
		{
			Class: jdbc.SourceClass, Kind: registry.Source, Version: jdbc.Version, TaskClass: jdbc.SourceTaskClass,
			NewConnector: func() connect.Connector { return jdbc.NewSourceConnector() },
		},
	}
}
