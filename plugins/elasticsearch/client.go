package elasticsearch

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// client is a small Elasticsearch/OpenSearch REST client: the _bulk API and the
// index calls the sink needs, over net/http. It speaks only typeless APIs present
// in Elasticsearch 7, 8 and 9 and OpenSearch 1, 2 and 3, and never asks the server
// for its version or distribution (the official clients refuse servers that are not
// their own).
type client struct {
	urls  []string
	next  atomic.Uint32
	hc    *http.Client
	user  string
	pass  string
	gzip  bool
	retry retryPolicy
}

// retryPolicy is Confluent's RetryUtil: up to max retries, waiting a random time
// of up to backoff·2^attempt before each.
type retryPolicy struct {
	max     int
	backoff time.Duration
}

func (p retryPolicy) wait(ctx context.Context, attempt int) error {
	d := p.backoff << min(attempt, 20)
	if d > 0 {
		// Half fixed, half jitter: spreads the retries of many tasks without
		// ever retrying immediately.
		d = d/2 + rand.N(d/2+1)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func newClient(cfg *sinkConfig) (*client, error) {
	dialer := &net.Dialer{Timeout: cfg.connectTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:           dialer.DialContext,
		ResponseHeaderTimeout: cfg.readTimeout,
		MaxIdleConnsPerHost:   cfg.maxInFlight + 2,
		TLSHandshakeTimeout:   max(cfg.connectTimeout, time.Second),
		ForceAttemptHTTP2:     false,
	}
	if cfg.idleTimeout > 0 {
		tr.IdleConnTimeout = cfg.idleTimeout
	}
	if cfg.ssl {
		tc, err := cfg.tls.build()
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = tc
	}
	if cfg.proxyHost != "" {
		pu := &url.URL{Scheme: "http", Host: net.JoinHostPort(cfg.proxyHost, strconv.Itoa(cfg.proxyPort))}
		if cfg.proxyUser != "" {
			pu.User = url.UserPassword(cfg.proxyUser, cfg.proxyPassword)
		}
		tr.Proxy = http.ProxyURL(pu)
	}
	urls := cfg.urls
	for _, u := range urls {
		// Confluent: HTTPS for all connections if any URL is https.
		if strings.HasPrefix(u, "https:") {
			urls = make([]string, len(cfg.urls))
			for i, v := range cfg.urls {
				urls[i] = "https:" + strings.TrimPrefix(strings.TrimPrefix(v, "http:"), "https:")
			}
			break
		}
	}
	return &client{urls: urls, hc: &http.Client{Transport: tr}, user: cfg.username, pass: cfg.password,
		gzip: cfg.compression, retry: retryPolicy{max: cfg.maxRetries, backoff: cfg.retryBackoff}}, nil
}

func (c *client) close() { c.hc.CloseIdleConnections() }

// httpError is a response the server answered with a non-2xx status.
type httpError struct {
	method, path string
	status       int
	body         string
}

func (e *httpError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.method, e.path, e.status, e.body)
}

// retriable reports whether err is worth retrying: no answer, a timeout, 429 or a 5xx.
func retriable(err error) bool {
	var he *httpError
	if errors.As(err, &he) {
		return he.status == http.StatusTooManyRequests || he.status >= 500
	}
	return err != nil && !errors.Is(err, context.Canceled)
}

// do sends one request to the next URL (round robin) and returns the body of a 2xx
// answer; other statuses are *httpError.
func (c *client) do(ctx context.Context, method, path, contentType string, body []byte) ([]byte, int, error) {
	base := c.urls[int(c.next.Add(1)-1)%len(c.urls)]
	var rd io.Reader
	gz := false
	if body != nil {
		if c.gzip {
			var zb bytes.Buffer
			zw := gzip.NewWriter(&zb)
			zw.Write(body)
			zw.Close()
			rd, gz = &zb, true
		} else {
			rd = bytes.NewReader(body)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return nil, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	req.Header.Set("Accept", "application/json")
	if c.user != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("%s %s: read response: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return rb, resp.StatusCode, &httpError{method: method, path: path, status: resp.StatusCode, body: truncate(string(rb), 500)}
	}
	return rb, resp.StatusCode, nil
}

// doRetry is do with the retry policy for retriable failures.
func (c *client) doRetry(ctx context.Context, method, path, contentType string, body []byte) ([]byte, int, error) {
	for attempt := 0; ; attempt++ {
		b, status, err := c.do(ctx, method, path, contentType, body)
		if err == nil || !retriable(err) || attempt >= c.retry.max || ctx.Err() != nil {
			return b, status, err
		}
		if werr := c.retry.wait(ctx, attempt); werr != nil {
			return b, status, err
		}
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// ensureIndex creates index (with mappingJSON, when not nil) unless it exists,
// and puts the mapping on an existing index that has none (Confluent: createIndex,
// hasMapping, createMapping).
func (c *client) ensureIndex(ctx context.Context, index string, mappingJSON []byte) error {
	path := "/" + url.PathEscape(index)
	_, status, err := c.doRetry(ctx, http.MethodHead, path, "", nil)
	if err != nil && status != http.StatusNotFound {
		return fmt.Errorf("check index %s: %w", index, err)
	}
	if status == http.StatusNotFound {
		var body []byte
		if mappingJSON != nil {
			body = append(append([]byte(`{"mappings":`), mappingJSON...), '}')
		}
		rb, _, err := c.doRetry(ctx, http.MethodPut, path, "application/json", body)
		if err != nil && !strings.Contains(string(rb), "resource_already_exists_exception") {
			return fmt.Errorf("create index %s: %w", index, err)
		}
		if err == nil || mappingJSON == nil {
			return nil
		}
		// Another task created it first: fall through to the mapping check.
	}
	return c.ensureMapping(ctx, index, mappingJSON)
}

// ensureMapping puts mappingJSON (when not nil) on an existing index, data stream
// or alias whose indices have no mapping yet; it never creates anything.
func (c *client) ensureMapping(ctx context.Context, index string, mappingJSON []byte) error {
	if mappingJSON == nil {
		return nil
	}
	path := "/" + url.PathEscape(index)
	rb, _, err := c.doRetry(ctx, http.MethodGet, path+"/_mapping", "", nil)
	if err != nil {
		return fmt.Errorf("get mapping of %s: %w", index, err)
	}
	var m map[string]struct {
		Mappings struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"mappings"`
	}
	if err := json.Unmarshal(rb, &m); err != nil {
		return fmt.Errorf("get mapping of %s: %w", index, err)
	}
	for _, im := range m {
		if len(im.Mappings.Properties) > 0 {
			return nil
		}
	}
	if _, _, err := c.doRetry(ctx, http.MethodPut, path+"/_mapping", "application/json", mappingJSON); err != nil {
		return fmt.Errorf("put mapping of %s: %w", index, err)
	}
	return nil
}

// exists reports whether resource exists: as an index, data stream or alias
// (HEAD /resource, Confluent's indices().exists), or only as an alias (HEAD
// /_alias/resource, existsAlias).
func (c *client) exists(ctx context.Context, resource string, alias bool) (bool, error) {
	path := "/" + url.PathEscape(resource)
	if alias {
		path = "/_alias" + path
	}
	_, status, err := c.do(ctx, http.MethodHead, path, "", nil)
	if status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

// itemResult is one entry of a _bulk response's items.
type itemResult struct {
	Status int `json:"status"`
	Error  *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

// bulk sends actions in one _bulk request (no retry) and returns one result per
// action, in order.
func (c *client) bulk(ctx context.Context, actions []*action) ([]itemResult, error) {
	n := 0
	for _, a := range actions {
		n += len(a.lines)
	}
	body := make([]byte, 0, n)
	for _, a := range actions {
		body = append(body, a.lines...)
	}
	rb, _, err := c.do(ctx, http.MethodPost, "/_bulk", "application/x-ndjson", body)
	if err != nil {
		return nil, err
	}
	out := make([]itemResult, len(actions))
	if bulkSucceeded(rb) {
		// Every item succeeded: decoding thousands of item results would only
		// confirm it (it was a tenth of the sink's CPU).
		for i := range out {
			out[i].Status = http.StatusOK
		}
		return out, nil
	}
	var resp struct {
		Errors bool                    `json:"errors"`
		Items  []map[string]itemResult `json:"items"`
	}
	if err := json.Unmarshal(rb, &resp); err != nil {
		return nil, fmt.Errorf("decode _bulk response: %w", err)
	}
	if len(resp.Items) != len(actions) {
		return nil, fmt.Errorf("_bulk response has %d items for %d actions", len(resp.Items), len(actions))
	}
	for i, it := range resp.Items {
		for _, r := range it { // one key: the operation name
			out[i] = r
		}
	}
	return out, nil
}

// bulkSucceeded reports whether a _bulk response says "errors":false before its
// items (the servers write took and errors first).
func bulkSucceeded(rb []byte) bool {
	head := rb
	if i := bytes.Index(rb, []byte(`"items"`)); i >= 0 {
		head = rb[:i]
	}
	return bytes.Contains(head, []byte(`"errors":false`))
}

// Item failures that mean the document itself is bad (Confluent's
// MALFORMED_DOC_ERRORS, plus the names newer servers use for the same failures).
var malformedErrors = []string{
	"mapper_parse_exception", "mapper_parsing_exception", "illegal_argument_exception",
	"action_request_validation_exception", "document_parsing_exception",
	"strict_dynamic_mapping_exception", "x_content_parse_exception",
}

func isMalformed(errType string) bool {
	for _, m := range malformedErrors {
		if errType == m {
			return true
		}
	}
	return false
}
