package builtin

import (
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/plugins/elasticsearch"
)

// builtinElasticsearch lists the Elasticsearch/OpenSearch sink under Confluent's
// class name. The derived aliases (ElasticsearchSinkConnector, ElasticsearchSink)
// come from names().
func builtinElasticsearch() []registry.Plugin {
	return []registry.Plugin{
		{
			Class: elasticsearch.SinkClass, Kind: registry.Sink, Version: elasticsearch.Version, TaskClass: elasticsearch.SinkTaskClass,
			NewConnector: func() connect.Connector { return elasticsearch.NewSinkConnector() },
		},
	}
}
