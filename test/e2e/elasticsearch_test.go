//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/test/harness"
)

// This file is issue 8's judgement of the Elasticsearch sink, end to end: the
// goconnect binary on the real broker writing into a REAL single-node OpenSearch
// 2.19 server (scripts/search.sh, started from Maven Central jars; not a stand-in).

// search is a tiny REST client for the test's own checks.
type search struct {
	t   *testing.T
	url string
}

func (s search) do(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (s search) count(index string) int {
	s.do("POST", "/"+index+"/_refresh", nil)
	code, out := s.do("GET", "/"+index+"/_count", nil)
	if code != 200 {
		return -1
	}
	n, _ := out["count"].(float64)
	return int(n)
}

func (s search) waitCount(index string, n int, timeout time.Duration) {
	s.t.Helper()
	harness.CheckFor(s.t, timeout, func() error {
		if got := s.count(index); got != n {
			return fmt.Errorf("index %s has %d documents, want %d", index, got, n)
		}
		return nil
	})
}

func (s search) source(index, id string) map[string]any {
	s.t.Helper()
	code, out := s.do("GET", "/"+index+"/_doc/"+id, nil)
	if code != 200 {
		s.t.Fatalf("GET %s/_doc/%s: status %d %v", index, id, code, out)
	}
	src, _ := out["_source"].(map[string]any)
	return src
}

func (s search) ids(index string) []string {
	s.t.Helper()
	s.do("POST", "/"+index+"/_refresh", nil)
	_, out := s.do("POST", "/"+index+"/_search", map[string]any{"size": 10000, "_source": false, "sort": []any{"_doc"}})
	var ids []string
	hits, _ := out["hits"].(map[string]any)
	list, _ := hits["hits"].([]any)
	for _, h := range list {
		ids = append(ids, h.(map[string]any)["_id"].(string))
	}
	return ids
}

func produce(t *testing.T, topic string, recs ...*kgo.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := kafkaClient(t)
	for _, r := range recs {
		r.Topic = topic
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func createTopic(t *testing.T, topic string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := kadm.NewClient(kafkaClient(t)).CreateTopic(ctx, 1, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
}

func esConfig(searchURL, topic string, extra map[string]string) map[string]string {
	c := map[string]string{
		"connector.class": "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
		"tasks.max":       "1",
		"topics":          topic,
		"connection.url":  searchURL,
		// The converters of the worker (JsonConverter with schemas) unless overridden.
	}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

var schemalessJSON = map[string]string{
	"key.converter":                  "org.apache.kafka.connect.json.JsonConverter",
	"key.converter.schemas.enable":   "false",
	"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
	"value.converter.schemas.enable": "false",
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// TestElasticsearchSink runs the sink scenarios of issue 8 on one worker and one
// real OpenSearch node. The server-freeze scenario runs last: it stops the shared
// server for 30 s.
func TestElasticsearchSink(t *testing.T) {
	es := search{t: t, url: harness.Search(t)}
	w := newWorker(t, nil)
	w.start()
	suffix := fmt.Sprint(time.Now().UnixNano() % 1e9)

	t.Run("SchemaRecordsKeyIDsTombstoneDelete", func(t *testing.T) {
		// An upper-case topic: Confluent's sink once failed on those (index names
		// must be lower case).
		topic := "ES-Orders-" + suffix
		index := strings.ToLower(topic)
		createTopic(t, topic)
		w.create("es-orders", esConfig(es.url, topic, map[string]string{"behavior.on.null.values": "delete"}))
		w.waitRunning("es-orders")
		keySchema := `{"type":"string","optional":false}`
		valSchema := `{"type":"struct","name":"order","optional":false,"fields":[` +
			`{"field":"id","type":"int32","optional":false},` +
			`{"field":"name","type":"string","optional":true},` +
			`{"field":"qty","type":"int64","optional":false},` +
			`{"field":"at","type":"int64","name":"org.apache.kafka.connect.data.Timestamp","version":1,"optional":false},` +
			`{"field":"tags","type":"map","keys":{"type":"string"},"values":{"type":"int32"},"optional":true}]}`
		var recs []*kgo.Record
		for i := 1; i <= 20; i++ {
			recs = append(recs, &kgo.Record{
				Key: fmt.Appendf(nil, `{"schema":%s,"payload":"order-%d"}`, keySchema, i),
				Value: fmt.Appendf(nil, `{"schema":%s,"payload":{"id":%d,"name":"Order %d","qty":%d,"at":1700000000000,"tags":{"a":%d}}}`,
					valSchema, i, i, i*10, i),
			})
		}
		// A tombstone for order-5 (the JsonConverter turns an empty value into null).
		recs = append(recs, &kgo.Record{Key: fmt.Appendf(nil, `{"schema":%s,"payload":"order-5"}`, keySchema)})
		produce(t, topic, recs...)
		es.waitCount(index, 19, 60*time.Second)
		got := es.source(index, "order-7")
		want := map[string]any{"id": 7.0, "name": "Order 7", "qty": 70.0, "at": 1.7e12, "tags": map[string]any{"a": 7.0}}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("document order-7 (-want +got):\n%s", d)
		}
		if code, _ := es.do("GET", "/"+index+"/_doc/order-5", nil); code != 404 {
			t.Errorf("order-5 after its tombstone: status %d, want 404", code)
		}
		// The mapping came from the Connect schema, not from dynamic mapping.
		_, m := es.do("GET", "/"+index+"/_mapping", nil)
		props := m[index].(map[string]any)["mappings"].(map[string]any)["properties"].(map[string]any)
		types := map[string]any{}
		for k, v := range props {
			fm := v.(map[string]any)
			types[k] = fm["type"]
			if _, ok := fm["properties"]; ok && fm["type"] == nil {
				types[k] = "object" // the server leaves the default object type out
			}
		}
		if d := cmp.Diff(map[string]any{"id": "integer", "name": "text", "qty": "long", "at": "date", "tags": "object"}, types); d != "" {
			t.Errorf("mapping types (-want +got):\n%s", d)
		}
	})

	t.Run("SchemalessRecordsTopicPartitionOffsetIDs", func(t *testing.T) {
		topic := "es-plain-" + suffix
		createTopic(t, topic)
		w.create("es-plain", esConfig(es.url, topic, merge(schemalessJSON, map[string]string{
			"key.ignore": "true", "schema.ignore": "true",
		})))
		w.waitRunning("es-plain")
		var recs []*kgo.Record
		for i := 0; i < 10; i++ {
			recs = append(recs, &kgo.Record{Value: fmt.Appendf(nil, `{"n":%d,"s":"v%d","nested":{"x":[1,2]}}`, i, i)})
		}
		produce(t, topic, recs...)
		es.waitCount(topic, 10, 60*time.Second)
		got := es.source(topic, topic+"+0+3")
		want := map[string]any{"n": 3.0, "s": "v3", "nested": map[string]any{"x": []any{1.0, 2.0}}}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("document %s+0+3 (-want +got):\n%s", topic, d)
		}
	})

	t.Run("UpsertIdempotentUnderRedelivery", func(t *testing.T) {
		topic := "es-upsert-" + suffix
		createTopic(t, topic)
		cfg := esConfig(es.url, topic, merge(schemalessJSON, map[string]string{
			"write.method": "upsert", "schema.ignore": "true", "behavior.on.null.values": "ignore",
		}))
		w.create("es-upsert", cfg)
		w.waitRunning("es-upsert")
		var recs []*kgo.Record
		for i := 0; i < 10; i++ {
			recs = append(recs, &kgo.Record{Key: fmt.Appendf(nil, `"k%d"`, i), Value: fmt.Appendf(nil, `{"n":%d}`, i)})
		}
		// A partial update of k1: upsert merges it into the document.
		recs = append(recs, &kgo.Record{Key: []byte(`"k1"`), Value: []byte(`{"extra":"yes"}`)})
		produce(t, topic, recs...)
		es.waitCount(topic, 10, 60*time.Second)
		harness.CheckFor(t, 30*time.Second, func() error {
			if got := es.source(topic, "k1"); got["extra"] != "yes" || got["n"] != 1.0 {
				return fmt.Errorf("k1 = %v", got)
			}
			return nil
		})
		before := map[string]map[string]any{}
		for i := 0; i < 10; i++ {
			before[fmt.Sprintf("k%d", i)] = es.source(topic, fmt.Sprintf("k%d", i))
		}
		// Redeliver everything: a second connector (a new consumer group) reads the
		// topic from the start into the same index.
		w.create("es-upsert-again", cfg)
		w.waitRunning("es-upsert-again")
		harness.CheckFor(t, 60*time.Second, func() error {
			var off struct {
				Offsets []struct {
					Offset map[string]any `json:"offset"`
				} `json:"offsets"`
			}
			w.do("GET", "/connectors/es-upsert-again/offsets", nil, &off)
			if len(off.Offsets) == 0 || off.Offsets[0].Offset["kafka_offset"] != float64(len(recs)) {
				return fmt.Errorf("redelivery not committed yet: %+v", off)
			}
			return nil
		})
		if n := es.count(topic); n != 10 {
			t.Errorf("after redelivery %d documents, want 10", n)
		}
		for id, want := range before {
			if d := cmp.Diff(want, es.source(topic, id)); d != "" {
				t.Errorf("document %s changed by redelivery (-before +after):\n%s", id, d)
			}
		}
	})

	t.Run("MalformedDocumentToDLQRestLand", func(t *testing.T) {
		topic := "es-malformed-" + suffix
		dlq := "es-dlq-" + suffix
		createTopic(t, topic)
		// A strict mapping: "n" is a long, so a string there is a malformed document.
		if code, out := es.do("PUT", "/"+topic, map[string]any{"mappings": map[string]any{"properties": map[string]any{"n": map[string]any{"type": "long"}}}}); code != 200 {
			t.Fatalf("create index: %d %v", code, out)
		}
		w.create("es-malformed", esConfig(es.url, topic, merge(schemalessJSON, map[string]string{
			"key.ignore": "true", "schema.ignore": "true",
			"behavior.on.malformed.documents":                 "warn",
			"errors.tolerance":                                "all",
			"errors.deadletterqueue.topic.name":               dlq,
			"errors.deadletterqueue.topic.replication.factor": "1",
			"errors.deadletterqueue.context.headers.enable":   "true",
		})))
		w.waitRunning("es-malformed")
		var recs []*kgo.Record
		for i := 0; i < 50; i++ {
			v := fmt.Sprintf(`{"n":%d}`, i)
			if i == 17 {
				v = `{"n":"not a number"}`
			}
			recs = append(recs, &kgo.Record{Value: []byte(v)})
		}
		produce(t, topic, recs...)
		es.waitCount(topic, 49, 60*time.Second)
		dead := consumeN(t, dlq, 1)
		if string(dead[0].Value) != `{"n":"not a number"}` {
			t.Errorf("DLQ record value %q", dead[0].Value)
		}
		h := headers(dead[0])
		if h["__connect.errors.topic"] != topic || h["__connect.errors.offset"] != "17" {
			t.Errorf("DLQ headers %v", h)
		}
		if code, _ := es.do("GET", "/"+topic+"/_doc/"+topic+"+0+17", nil); code != 404 {
			t.Errorf("the malformed document was indexed")
		}
		time.Sleep(2 * time.Second) // nothing else arrives in the DLQ
		if n := endOffset(t, dlq); n != 1 {
			t.Errorf("DLQ holds %d records, want 1", n)
		}
	})

	t.Run("ExternalResourceAliasAndIndex", func(t *testing.T) {
		// Pre-existing resources (external.resource.usage): an index with a mapping
		// of its own behind a write alias. The topic is upper-case and its name is
		// unrelated to the alias: documents go to the alias, nothing is created.
		topic := "ES-Ext-" + suffix
		backing := "es-ext-backing-" + suffix
		alias := "es-ext-alias-" + suffix
		createTopic(t, topic)
		if code, out := es.do("PUT", "/"+backing, map[string]any{
			"mappings": map[string]any{"properties": map[string]any{"id": map[string]any{"type": "keyword"}}},
			"aliases":  map[string]any{alias: map[string]any{"is_write_index": true}},
		}); code != 200 {
			t.Fatalf("create index with alias: %d %v", code, out)
		}
		cfg := func(usage, mapping string) map[string]string {
			return esConfig(es.url, topic, map[string]string{
				"external.resource.usage": usage, "topic.to.external.resource.mapping": mapping,
			})
		}
		// Validation reaches the server: a missing alias, and an index name used as
		// an alias, are refused before any connector exists.
		for _, tc := range []struct{ usage, resource, want string }{
			{"alias_index", "es-ext-missing-" + suffix, "alias_index 'es-ext-missing-" + suffix + "' does not exist in Elasticsearch"},
			{"ALIAS_INDEX", backing, "alias_index '" + backing + "' does not exist in Elasticsearch"},
			{"index", "es-ext-missing-" + suffix, "index 'es-ext-missing-" + suffix + "' does not exist in Elasticsearch"},
		} {
			var resp struct{ Message string }
			code := w.do("POST", "/connectors", map[string]any{"name": "es-ext-bad", "config": cfg(tc.usage, topic+":"+tc.resource)}, &resp)
			if code != http.StatusBadRequest || !strings.Contains(resp.Message, tc.want) {
				t.Errorf("create with %s %s: status %d %q, want 400 with %q", tc.usage, tc.resource, code, resp.Message, tc.want)
			}
		}
		// A mapping without the usage is a configuration error of its own.
		var infos struct {
			ErrorCount int `json:"error_count"`
			Configs    []struct {
				Value struct {
					Name   string   `json:"name"`
					Errors []string `json:"errors"`
				} `json:"value"`
			} `json:"configs"`
		}
		w.do("PUT", "/connector-plugins/ElasticsearchSinkConnector/config/validate", esConfig(es.url, topic,
			map[string]string{"name": "es-ext-validate", "topic.to.external.resource.mapping": topic + ":" + alias}), &infos)
		errs := map[string][]string{}
		for _, c := range infos.Configs {
			if len(c.Value.Errors) > 0 {
				errs[c.Value.Name] = c.Value.Errors
			}
		}
		together := "Invalid configuration: external.resource.usage and topic.to.external.resource.mapping must be configured together. Either both must be set, or both must be empty."
		if d := cmp.Diff(map[string][]string{"external.resource.usage": {together}, "topic.to.external.resource.mapping": {together}}, errs); d != "" || infos.ErrorCount != 2 {
			t.Errorf("validate mapping without usage: error_count %d, errors (-want +got):\n%s", infos.ErrorCount, d)
		}

		w.create("es-ext", cfg("alias_index", topic+":"+alias))
		w.waitRunning("es-ext")
		valSchema := `{"type":"struct","optional":false,"fields":[{"field":"id","type":"string","optional":false},{"field":"n","type":"int32","optional":false}]}`
		var recs []*kgo.Record
		for i := 0; i < 10; i++ {
			recs = append(recs, &kgo.Record{
				Key:   fmt.Appendf(nil, `{"schema":{"type":"string","optional":false},"payload":"e%d"}`, i),
				Value: fmt.Appendf(nil, `{"schema":%s,"payload":{"id":"e%d","n":%d}}`, valSchema, i, i),
			})
		}
		produce(t, topic, recs...)
		es.waitCount(alias, 10, 60*time.Second)
		if n := es.count(backing); n != 10 {
			t.Errorf("backing index holds %d documents, want 10", n)
		}
		if got := es.source(backing, "e4"); got["n"] != 4.0 || got["id"] != "e4" {
			t.Errorf("document e4 = %v", got)
		}
		for _, name := range []string{strings.ToLower(topic), topic} {
			if code, _ := es.do("HEAD", "/"+name, nil); code != 404 {
				t.Errorf("an index %s named after the topic exists (status %d)", name, code)
			}
		}
		// The index's own mapping was kept (it had one: the schema's was not put).
		_, m := es.do("GET", "/"+backing+"/_mapping", nil)
		props := m[backing].(map[string]any)["mappings"].(map[string]any)["properties"].(map[string]any)
		if id := props["id"].(map[string]any)["type"]; id != "keyword" {
			t.Errorf("mapping of id is %v, want the pre-created keyword", id)
		}
	})

	t.Run("ExternalResourceDataStream", func(t *testing.T) {
		// A pre-existing data stream: documents are created in it (op create, no
		// external versions) with @timestamp from the record timestamp.
		topic := "es-ext-ds-" + suffix
		stream := "logs-ext-" + suffix
		createTopic(t, topic)
		if code, out := es.do("PUT", "/_index_template/goconnect-ext-"+suffix, map[string]any{
			"index_patterns": []string{stream + "*"}, "data_stream": map[string]any{}, "priority": 500,
		}); code != 200 {
			t.Fatalf("create index template: %d %v", code, out)
		}
		if code, out := es.do("PUT", "/_data_stream/"+stream, nil); code != 200 {
			t.Fatalf("create data stream: %d %v", code, out)
		}
		w.create("es-ext-ds", esConfig(es.url, topic, merge(schemalessJSON, map[string]string{
			"external.resource.usage": "datastream", "topic.to.external.resource.mapping": topic + ":" + stream,
			"schema.ignore": "true",
		})))
		w.waitRunning("es-ext-ds")
		at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
		var recs []*kgo.Record
		for i := 0; i < 5; i++ {
			recs = append(recs, &kgo.Record{Key: fmt.Appendf(nil, `"d%d"`, i), Value: fmt.Appendf(nil, `{"n":%d}`, i), Timestamp: at})
		}
		produce(t, topic, recs...)
		es.waitCount(stream, 5, 60*time.Second)
		_, out := es.do("POST", "/"+stream+"/_search", map[string]any{"query": map[string]any{"term": map[string]any{"n": 3}}})
		hits := out["hits"].(map[string]any)["hits"].([]any)
		if len(hits) != 1 {
			t.Fatalf("search n=3 in %s: %v", stream, out)
		}
		src := hits[0].(map[string]any)["_source"].(map[string]any)
		if src["@timestamp"] != float64(at.UnixMilli()) && src["@timestamp"] != at.Format(time.RFC3339) {
			t.Errorf("@timestamp = %v, want the record timestamp %v", src["@timestamp"], at)
		}
		if id := hits[0].(map[string]any)["_id"]; id != "d3" {
			t.Errorf("document id %v, want the key d3", id)
		}
	})

	t.Run("ServerStopped30sNoLoss", func(t *testing.T) {
		pid := harness.SearchPID()
		if pid == 0 {
			t.Skip("search server not started by the harness (" + harness.SearchURLEnv + ")")
		}
		topic := "es-freeze-" + suffix
		createTopic(t, topic)
		w.create("es-freeze", esConfig(es.url, topic, merge(schemalessJSON, map[string]string{
			"key.ignore": "true", "schema.ignore": "true", "batch.size": "100",
		})))
		w.waitRunning("es-freeze")
		batch := func(from, to int) []*kgo.Record {
			var recs []*kgo.Record
			for i := from; i < to; i++ {
				recs = append(recs, &kgo.Record{Value: fmt.Appendf(nil, `{"i":%d}`, i)})
			}
			return recs
		}
		produce(t, topic, batch(0, 500)...)
		es.waitCount(topic, 500, 60*time.Second)
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		resumed := false
		defer func() {
			if !resumed {
				syscall.Kill(pid, syscall.SIGCONT)
			}
		}()
		stopped := time.Now()
		produce(t, topic, batch(500, 1000)...)
		time.Sleep(30*time.Second - time.Since(stopped))
		syscall.Kill(pid, syscall.SIGCONT)
		resumed = true
		es.waitCount(topic, 1000, 120*time.Second)
		ids := es.ids(topic)
		seen := map[string]bool{}
		for _, id := range ids {
			seen[id] = true
		}
		for i := 0; i < 1000; i++ {
			if id := fmt.Sprintf("%s+0+%d", topic, i); !seen[id] {
				t.Errorf("document %s missing", id)
			}
		}
		var st taskStatus
		w.do("GET", "/connectors/es-freeze/status", nil, &st)
		if len(st.Tasks) != 1 || st.Tasks[0].State != "RUNNING" {
			t.Errorf("task after the freeze: %+v", st.Tasks)
		}
	})
}
