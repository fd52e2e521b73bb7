// Package elasticsearch is goconnect's Elasticsearch/OpenSearch sink connector,
// answering to Confluent's io.confluent.connect.elasticsearch.ElasticsearchSinkConnector
// class name and reading the same configuration keys, so an existing Confluent
// connector configuration runs unchanged.
//
// It writes with its own small _bulk client over net/http (the official Go client
// refuses OpenSearch, and Confluent's Java client refuses OpenSearch and lagged
// behind Elasticsearch 8 and 9), using only typeless APIs common to Elasticsearch
// 7/8/9 and OpenSearch 1/2/3. Index names are the topic lower-cased; document ids
// are the record key, or topic+partition+offset with key.ignore; index mappings
// come from the Connect value schema unless schema.ignore.
//
// Delivery is at least once and idempotent: with key ids, writes carry the record
// offset as an external version, so a redelivered or reordered older record loses
// to the newer one (a version conflict, ignored); with topic+partition+offset ids a
// redelivered record overwrites itself. Offsets are committed only after the bulk
// requests holding the records succeeded (PreCommit). See
// docs/connectors/elasticsearch.md for the differences from Confluent's sink.
package elasticsearch
