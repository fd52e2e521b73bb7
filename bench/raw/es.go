package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// consumeES is the raw limit of the es-sink pipeline: a franz-go consumer that
// posts the orders as _bulk requests of batch documents, up to inflight at once.
// Each document is the value's payload bytes as they are (no re-encoding), its
// _id the key's payload, and its action line the one the sink writes (index with
// version=offset, version_type=external), so the server does the same work for
// every contender. It creates the index with the mapping the sink derives from the
// orders schema first.
func consumeES(ctx context.Context, bootstrap, topic string, n int64, base, index, mapping string, batch, inflight int) error {
	base = strings.TrimRight(base, "/")
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: inflight + 2}, Timeout: 2 * time.Minute}
	if err := createIndex(ctx, hc, base, index, mapping); err != nil {
		return err
	}

	// Senders: a semaphore bounds the requests in flight; the first error wins.
	slots := make(chan struct{}, inflight)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sendErr error
	failed := func() error {
		mu.Lock()
		defer mu.Unlock()
		return sendErr
	}
	send := func(body []byte) {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := postBulk(ctx, hc, base, body); err != nil {
				mu.Lock()
				if sendErr == nil {
					sendErr = err
				}
				mu.Unlock()
			}
		}()
	}

	var env struct {
		Payload json.RawMessage `json:"payload"`
	}
	var body []byte
	docs := 0
	err := consume(ctx, bootstrap, topic, n, func(recs []*kgo.Record) error {
		if err := failed(); err != nil {
			return err
		}
		for _, r := range recs {
			env.Payload = nil
			if err := json.Unmarshal(r.Key, &env); err != nil {
				return fmt.Errorf("key at offset %d: %w", r.Offset, err)
			}
			id := env.Payload
			body = append(body, `{"index":{"_index":`...)
			body = strconv.AppendQuote(body, index)
			body = append(body, `,"_id":"`...)
			body = append(body, id...)
			body = append(body, `","version":`...)
			body = strconv.AppendInt(body, r.Offset, 10)
			body = append(body, ",\"version_type\":\"external\"}}\n"...)
			env.Payload = nil
			if err := json.Unmarshal(r.Value, &env); err != nil {
				return fmt.Errorf("value at offset %d: %w", r.Offset, err)
			}
			body = append(body, env.Payload...)
			body = append(body, '\n')
			if docs++; docs == batch {
				send(body)
				body, docs = nil, 0
			}
		}
		return nil
	})
	if err == nil && docs > 0 {
		send(body)
	}
	wg.Wait()
	if err != nil {
		return err
	}
	return failed()
}

func createIndex(ctx context.Context, hc *http.Client, base, index, mapping string) error {
	var body io.Reader
	if mapping != "" {
		body = strings.NewReader(`{"mappings":` + mapping + `}`)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/"+index, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK && !bytes.Contains(rb, []byte("resource_already_exists_exception")) {
		return fmt.Errorf("create index %s: %s: %s", index, resp.Status, rb)
	}
	return nil
}

// postBulk sends one _bulk request; any failed item fails the run (a fresh index
// has nothing to conflict with).
func postBulk(ctx context.Context, hc *http.Client, base string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/_bulk", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("_bulk: %s: %.500s", resp.Status, rb)
	}
	var r struct {
		Errors bool `json:"errors"`
	}
	// The server writes "errors" before the (long) "items": when the head says
	// false there is nothing to decode.
	head := rb
	if i := bytes.Index(rb, []byte(`"items"`)); i >= 0 {
		head = rb[:i]
	}
	if bytes.Contains(head, []byte(`"errors":false`)) {
		return nil
	}
	if err := json.Unmarshal(rb, &r); err != nil {
		return fmt.Errorf("_bulk response: %w", err)
	}
	if r.Errors {
		return fmt.Errorf("_bulk: some items failed: %.1000s", rb)
	}
	return nil
}
