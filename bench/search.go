package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/goconnect/goconnect/test/harness"
)

// The es-sink pipeline: the orders topic of the database pipelines into an index
// of the harness's real OpenSearch server.

// OpenSearch's own config/jvm.options (2.x): 1 GiB heap, G1 with its tuning. The
// harness's test server runs C1-only with 512 MiB for fast start-up instead.
const searchOpts = "-Xms1g -Xmx1g -XX:+UseG1GC -XX:G1ReservePercent=25 -XX:InitiatingHeapOccupancyPercent=30 " +
	"-XX:+AlwaysPreTouch -Xss1m -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djna.nosys=true " +
	"-XX:-OmitStackTraceInFastThrow -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true " +
	"-Dio.netty.recycler.maxCapacityPerThread=0 -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true"

// esIndex is the index the sink writes the orders topic to (the topic, lower-cased).
const esIndex = ordersTopic

// esOrdersMapping is the mapping the sink derives from the orders schema
// (Confluent's Mapping.buildMapping: strings as text with a .keyword field). The
// raw loader creates the index with it, so the server indexes the same fields the
// same way for every contender (dynamic mapping would differ).
const esOrdersMapping = `{"properties":{` +
	`"id":{"type":"long"},` +
	`"customer":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}},` +
	`"product":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}},` +
	`"quantity":{"type":"integer"},` +
	`"price":{"type":"double"},` +
	`"note":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}}}}`

// esJavaNone says why the es-sink pipeline has no Java contender.
const esJavaNone = "none: Confluent's Elasticsearch sink is not on Maven Central, and this machine's Maven mirror " +
	"refused io.aiven:opensearch-connector-for-apache-kafka 3.1.1 and io.aiven:elasticsearch-connector-for-apache-kafka 6.1.0 " +
	"(Aiven publishes them as GitHub release archives only)"

func startSearch(e *env) error {
	if os.Getenv(harness.SearchURLEnv) == "" && os.Getenv("GOCONNECT_SEARCH_JVM_OPTS") == "" {
		os.Setenv("GOCONNECT_SEARCH_JVM_OPTS", searchOpts)
	}
	u, err := harness.StartSearch()
	if err != nil {
		return err
	}
	e.searchURL = u
	e.hc = &http.Client{Timeout: 30 * time.Second}
	return nil
}

// search sends one request to the search server and returns the status and body.
func (e *env) search(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.searchURL+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	return resp.StatusCode, rb, err
}

// esCount counts the documents of the index: a refresh makes everything indexed so
// far searchable (the default refresh interval is 1 s), then _count. A refresh is
// not free — under load it took half a second — so it runs at most every 500 ms,
// also when waitLanded polls every 20 ms near the end; the same for every contender.
func (e *env) esCount(ctx context.Context) (int64, error) {
	if time.Since(e.lastRefresh) >= 500*time.Millisecond {
		st, rb, err := e.search(ctx, http.MethodPost, "/"+esIndex+"/_refresh", nil)
		if err != nil {
			return 0, err
		}
		if st == http.StatusNotFound {
			return 0, nil // not created yet
		}
		if st != http.StatusOK {
			return 0, fmt.Errorf("refresh: status %d: %.300s", st, rb)
		}
		e.lastRefresh = time.Now()
	}
	st, rb, err := e.search(ctx, http.MethodGet, "/"+esIndex+"/_count", nil)
	if err != nil {
		return 0, err
	}
	if st == http.StatusNotFound {
		return 0, nil
	}
	if st != http.StatusOK {
		return 0, fmt.Errorf("_count: status %d: %.300s", st, rb)
	}
	var c struct {
		Count int64 `json:"count"`
	}
	if err := json.Unmarshal(rb, &c); err != nil {
		return 0, fmt.Errorf("_count: %w", err)
	}
	return c.Count, nil
}

// prepareES produces the orders (shared with the database pipelines) and warms the
// search server up: a fresh JVM indexes several times slower until its JIT has
// compiled the indexing path, which would count against whichever contender runs
// first. The raw loader indexes up to 100,000 orders once, unmeasured; setupES
// deletes the index again before every run.
func prepareES(ctx context.Context, e *env) error {
	if err := prepareOrders(ctx, e); err != nil {
		return err
	}
	t, err := setupES(ctx, e, "warmup")
	if err != nil {
		return err
	}
	n := min(e.records, 100_000)
	dir := filepath.Join(e.work, "es_sink_warmup")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	args := slices.Clone(t.raw)
	args[slices.Index(args, "-records")+1] = strconv.FormatInt(n, 10)
	pr, err := launch(dir, "warmup", nil, append([]string{e.rawBin}, args...)...)
	if err != nil {
		return err
	}
	defer pr.stop()
	logf("es-sink: warming the search server up with %d documents (raw loader, not measured)", n)
	if _, _, _, err := waitLanded(ctx, pr, t, n, 10*time.Minute); err != nil {
		return fmt.Errorf("warm-up: %w\n%s", err, pr.logTail(10))
	}
	return nil
}

// setupES deletes the index, so every run starts from none: goconnect creates it
// with the mapping from the schema, the raw loader with the same mapping.
func setupES(ctx context.Context, e *env, _ string) (*target, error) {
	st, rb, err := e.search(ctx, http.MethodDelete, "/"+esIndex, nil)
	if err != nil {
		return nil, err
	}
	if st != http.StatusOK && st != http.StatusNotFound {
		return nil, fmt.Errorf("delete index: status %d: %.300s", st, rb)
	}
	cfg := map[string]string{
		"connector.class": "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
		"tasks.max":       "1", "topics": ordersTopic, "connection.url": e.searchURL,
		// Document id = the key, mapping from the value schema (the defaults, spelled out).
		"key.ignore": "false", "schema.ignore": "false",
		// Confluent's defaults for batching: 2000 documents (or 5 MiB) per _bulk
		// request, 5 requests in flight, 1 ms linger.
		"batch.size": "2000", "max.in.flight.requests": "5", "linger.ms": "1",
		// Two shared cores: a bulk request of 2000 documents may take longer than the
		// 3 s default read timeout while the server merges segments.
		"read.timeout.ms": "60000",
	}
	return &target{
		goConfig: cfg,
		raw: []string{"consume-es", "-bootstrap", e.bootstrap, "-topic", ordersTopic,
			"-records", strconv.FormatInt(e.records, 10), "-url", e.searchURL, "-index", esIndex,
			"-mapping", esOrdersMapping, "-batch", "2000", "-inflight", "5"},
		count: e.esCount, pollEvery: 500 * time.Millisecond,
	}, nil
}
