package elasticsearch

import (
	"testing"
)

// TestExternalResourceValidation checks Confluent's rules for
// external.resource.usage and topic.to.external.resource.mapping (the existence
// of the resources is checked against a real server in test/e2e).
func TestExternalResourceValidation(t *testing.T) {
	base := func(kv ...string) map[string]string {
		p := map[string]string{"connection.url": "localhost:9200", "topics": "a, b"}
		for i := 0; i < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		props map[string]string
		want  string // "" = valid
	}{
		{"disabled without mappings", base(), ""},
		{"mapped both", base("external.resource.usage", "alias_index", "topic.to.external.resource.mapping", "a:ia, b : ib"), ""},
		{"usage without mappings", base("external.resource.usage", "INDEX"), errResourceTogether},
		{"mappings without usage", base("topic.to.external.resource.mapping", "a:ia,b:ib"), errResourceTogether},
		{"unknown usage", base("external.resource.usage", "table"), "Invalid value table for configuration external.resource.usage: String must be one of (case insensitive): INDEX, DATASTREAM, ALIAS_INDEX, ALIAS_DATASTREAM, DISABLED"},
		{"with data stream configs", base("external.resource.usage", "index", "topic.to.external.resource.mapping", "a:ia,b:ib",
			"data.stream.type", "logs", "data.stream.dataset", "x"), errResourceDataStream},
		{"bad format", base("external.resource.usage", "index", "topic.to.external.resource.mapping", "a:ia,b"),
			"Invalid value b for configuration topic.to.external.resource.mapping: " + errMappingFormat},
		{"three parts", base("external.resource.usage", "index", "topic.to.external.resource.mapping", "a:ia:x,b:ib"),
			"Invalid value a:ia:x for configuration topic.to.external.resource.mapping: " + errMappingFormat},
		{"duplicate topic", base("external.resource.usage", "index", "topic.to.external.resource.mapping", "a:ia,a:ib"),
			"Invalid value a:ib for configuration topic.to.external.resource.mapping: Topic 'a' is mapped to multiple resources. Each topic must be mapped to exactly one resource."},
		{"duplicate resource", base("external.resource.usage", "index", "topic.to.external.resource.mapping", "a:ia,b:ia"),
			"Invalid value b:ia for configuration topic.to.external.resource.mapping: Resource 'ia' is mapped from multiple topics. Each resource must be mapped to exactly one topic."},
		{"too many", base("external.resource.usage", "index", "topic.to.external.resource.mapping", "a:ia,b:ib", "max.external.resource.mappings", "1"),
			"Invalid value [a:ia, b:ib] for configuration topic.to.external.resource.mapping: Too many topic-to-external-resource mappings are configured (2). Maximum allowed limit is 1."},
		{"unmapped topic", base("external.resource.usage", "index", "topic.to.external.resource.mapping", "a:ia"),
			"Topic 'b' is not mapped to any resource. All configured topics must be mapped to a resource."},
		{"unconfigured topic", base("external.resource.usage", "index", "topic.to.external.resource.mapping", "a:ia,b:ib,c:ic"),
			"Topic 'c' is mapped but not configured. All mapped topics must be configured topics."},
		{"upsert into a data stream", base("external.resource.usage", "datastream", "topic.to.external.resource.mapping", "a:ia,b:ib", "write.method", "upsert"),
			"Upserts are not supported with data streams. write.method must not be UPSERT when using data streams."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSinkConfig(tc.props)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("error\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestExternalResourceNames(t *testing.T) {
	c := converter{cfg: testConfig(t, map[string]string{"topics": "Orders", "external.resource.usage": "alias_datastream",
		"topic.to.external.resource.mapping": "Orders:Logs-Alias"})}
	// The resource is used as it is (not lower-cased), and it is a data stream.
	if got, err := c.indexName("Orders"); err != nil || got != "Logs-Alias" {
		t.Errorf("indexName(Orders) = %q, %v", got, err)
	}
	if !c.cfg.dataStream() {
		t.Error("alias_datastream is not written as a data stream")
	}
	if _, err := c.indexName("Other"); err == nil {
		t.Error("an unmapped topic got an index")
	}
	c = converter{cfg: testConfig(t, map[string]string{"topics": "Orders", "external.resource.usage": "index",
		"topic.to.external.resource.mapping": "Orders:orders-v2"})}
	if c.cfg.dataStream() {
		t.Error("index usage is written as a data stream")
	}
}
