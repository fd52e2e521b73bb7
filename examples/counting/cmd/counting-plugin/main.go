// Command counting-plugin serves the example connectors of package counting
// as a goconnect external plugin. Build it into a folder on plugin.path and
// write its manifest next to it:
//
//	go build -o /opt/connectors/counting/counting-plugin ./examples/counting/cmd/counting-plugin
//	/opt/connectors/counting/counting-plugin --goconnect-manifest > /opt/connectors/counting/goconnect-plugin.json
package main

import (
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/examples/counting"
	"github.com/goconnect/goconnect/pluginsdk"
)

func main() {
	pluginsdk.Serve(
		pluginsdk.Connector{Class: counting.SourceClass, Aliases: []string{"CountingSource"},
			New: func() connect.Connector { return &counting.SourceConnector{} }},
		pluginsdk.Connector{Class: counting.SinkClass, Aliases: []string{"CountingFileSink"},
			New: func() connect.Connector { return &counting.SinkConnector{} }},
	)
}
