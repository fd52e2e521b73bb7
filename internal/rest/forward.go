package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Forwarding (reference §1.5): a distributed herder that cannot serve a request
// (a follower asked for a leader-only write, a worker asked to restart work it does
// not own) fails it with an error carrying the URL of the worker that can. The
// handler then re-issues the same method, path, query and body there, with the
// hidden forward parameter counting hops: absent → forward=true → forward=false →
// 409.

// Forwarder is what a forwardable herder error implements (distributed's
// ForwardError): the REST URL of the worker that can serve the request.
type Forwarder interface {
	error
	ForwardURL() string
}

// InternalRequestVerifier is an optional Herder capability: it checks the
// signature of internal requests (KIP-507) from their exact body bytes and headers,
// returning herder errors (400 missing/unsupported, 403 invalid, 503 no key yet).
type InternalRequestVerifier interface {
	VerifyInternalRequest(body []byte, header http.Header) error
}

// ZombieFencer is an optional Herder capability: the internal endpoint PUT
// /connectors/{name}/fence (exactly-once source, KIP-618).
type ZombieFencer interface {
	FenceZombies(ctx context.Context, name string) error
}

const (
	msgConflictingOperation = "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"
	forwardTimeout          = DefaultRequestTimeout
)

// forwardClient sends forwarded requests (Java's RestClient).
var forwardClient = &http.Client{Timeout: forwardTimeout}

// maybeForward handles err when it is a Forwarder: it forwards the request and
// relays the answer (true), or answers 409 when the hop budget is spent.
func (h *Handler) maybeForward(w http.ResponseWriter, r *http.Request, body []byte, err error) bool {
	var f Forwarder
	if !errors.As(err, &f) {
		return false
	}
	q := r.URL.Query()
	next := "true"
	if vs, ok := q["forward"]; ok && len(vs) > 0 {
		if !strings.EqualFold(vs[0], "true") {
			writeError(w, errorf(http.StatusConflict, msgConflictingOperation))
			return true
		}
		next = "false"
	}
	q.Set("forward", next)
	target := strings.TrimRight(f.ForwardURL(), "/") + r.URL.EscapedPath() + "?" + q.Encode()
	h.opts.Logger.Debug("Forwarding request", "method", r.Method, "target", target)
	if err := h.forward(w, r, target, body); err != nil {
		writeError(w, errorf(http.StatusInternalServerError, "IO Error trying to forward REST request: "+err.Error()))
	}
	return true
}

func (h *Handler) forward(w http.ResponseWriter, r *http.Request, target string, body []byte) error {
	ctx, cancel := context.WithTimeout(r.Context(), forwardTimeout)
	defer cancel()
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, target, rd)
	if err != nil {
		return err
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "kafka-connect")
	if a := r.Header.Get("Authorization"); a != "" {
		req.Header.Set("Authorization", a)
	}
	for _, k := range []string{"X-Connect-Authorization", "X-Connect-Request-Signature-Algorithm"} {
		if v := r.Header.Get(k); v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := forwardClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		// Java re-throws the target's error_code and message with its status.
		var eb errorBody
		if json.Unmarshal(b, &eb) == nil && eb.Message != "" {
			writeError(w, errorf(resp.StatusCode, eb.Message))
			return nil
		}
		writeError(w, errorf(resp.StatusCode, fmt.Sprintf("Unexpected status code when handling forwarded request: %d", resp.StatusCode)))
		return nil
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		// Java builds the Location of a created connector on the receiving worker.
		if u, err := url.Parse(loc); err == nil {
			scheme := "http"
			if r.TLS != nil {
				scheme = "https"
			}
			w.Header().Set("Location", scheme+"://"+r.Host+u.EscapedPath())
		}
	}
	if len(b) == 0 {
		writeEmpty(w, resp.StatusCode)
		return nil
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(b)
	return nil
}

// readBody reads the request body once so that it can be forwarded or verified,
// and puts it back for the handler.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}
