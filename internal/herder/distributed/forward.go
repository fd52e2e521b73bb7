package distributed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/goconnect/goconnect/internal/herder"
)

// ForwardError is Java's NotLeaderException / NotAssignedException: this worker
// cannot serve the request, the worker at URL can. The REST layer re-issues the
// request there (reference §1.5); it is a 409 when it cannot.
type ForwardError struct {
	URL string
	Msg string
}

func (e *ForwardError) Error() string { return e.Msg }

// ForwardURL is the REST URL of the worker that can serve the request.
func (e *ForwardError) ForwardURL() string { return e.URL }

// Is makes a ForwardError a conflict for callers that do not forward.
func (e *ForwardError) Is(target error) bool { return target == herder.ErrConflict }

// Java's 409 texts (reference §1.5).
const (
	msgNoLeaderURL = "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."
	msgStaleConfig = "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"
)

// notLeader is the error of a leader-only request on a follower.
func (h *Herder) notLeader(msg string) error {
	if h.leaderURL == "" {
		return herder.Errorf(herder.ErrConflict, msgNoLeaderURL)
	}
	return &ForwardError{URL: h.leaderURL, Msg: msg}
}

// forwardTaskConfigs hands task configs generated on this (non-leader) worker to
// the leader's internal endpoint, signed, on an owned goroutine, retrying with
// backoff until it succeeds, a newer forward for the connector supersedes it, or
// the herder stops (Java's reconfigureConnectorTasksWithExponentialBackoffRetries).
func (h *Herder) forwardTaskConfigs(name string, configs []map[string]string) {
	body, err := json.Marshal(configs)
	if err != nil {
		h.log.Error("Cannot encode task configs", "connector", name, "error", err)
		return
	}
	v, _ := h.forwardSeq.LoadOrStore(name, new(atomic.Int64))
	seqp := v.(*atomic.Int64)
	seq := seqp.Add(1)
	h.goAttach(func() {
		backoff := 250 * time.Millisecond
		for attempt := 1; ; attempt++ {
			if seqp.Load() != seq {
				return
			}
			err := h.postTaskConfigs(name, body)
			if err == nil {
				h.log.Info("Forwarded task configs to the leader", "connector", name, "tasks", len(configs))
				return
			}
			h.log.Warn("Forwarding task configs to the leader failed; retrying", "connector", name, "attempt", attempt, "error", err)
			select {
			case <-h.ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 10*time.Second)
		}
	})
}

func (h *Herder) postTaskConfigs(name string, body []byte) error {
	p := h.leaderURLv.Load()
	if p == nil || *p == "" {
		return fmt.Errorf("no known leader URL")
	}
	target := strings.TrimRight(*p, "/") + "/connectors/" + url.PathEscape(name) + "/tasks?forward=true"
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kafka-connect")
	if err := h.signRequest(req, body); err != nil {
		return err
	}
	resp, err := h.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %d %s", target, resp.StatusCode, bytes.TrimSpace(b))
	}
	return nil
}
