package builtin

import (
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/plugins/file"
	"github.com/goconnect/goconnect/plugins/verifiable"
)

// builtinConnectors lists the built-in connectors. The Verifiable* connectors live in
// Java's connect-test-plugins jar, which a Java worker loads only from plugin.path;
// goconnect always has them, for its own tests and for the Kafka system tests.
func builtinConnectors() []registry.Plugin {
	return []registry.Plugin{
		{
			Class: file.SourceClass, Kind: registry.Source, Version: file.Version, TaskClass: file.SourceTaskClass,
			NewConnector: func() connect.Connector { return file.NewSourceConnector() },
		},
		{
			Class: file.SinkClass, Kind: registry.Sink, Version: file.Version, TaskClass: file.SinkTaskClass,
			NewConnector: func() connect.Connector { return file.NewSinkConnector() },
		},
		{
			Class: verifiable.SourceClass, Kind: registry.Source, Version: verifiable.Version, TaskClass: verifiable.SourceTaskClass,
			NewConnector: func() connect.Connector { return verifiable.NewSourceConnector() },
		},
		{
			Class: verifiable.SinkClass, Kind: registry.Sink, Version: verifiable.Version, TaskClass: verifiable.SinkTaskClass,
			NewConnector: func() connect.Connector { return verifiable.NewSinkConnector() },
		},
	}
}
