package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/goconnect/goconnect/test/harness"
)

// cluster is the goconnect workers of one connector count: one group id and its
// own internal topics.
type cluster struct {
	bin, bootstrap, dir, name string
	seq                       int
	workers                   []*worker // in start order; a restarted worker moves to the end
}

// worker is one goconnect distributed process.
type worker struct {
	name, url, props string
	port             int
	started          time.Time
	cmd              *exec.Cmd
	done             chan struct{}
	logPath          string
}

func (w *worker) id() string { return strings.TrimPrefix(w.url, "http://") }

func (w *worker) exited() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

func (c *cluster) alive() []*worker {
	var out []*worker
	for _, w := range c.workers {
		if !w.exited() {
			out = append(out, w)
		}
	}
	return out
}

// start starts a new worker on a free port.
func (c *cluster) start(ctx context.Context) (*worker, error) {
	c.seq++
	port := harness.FreePort()
	w := &worker{name: fmt.Sprintf("worker-%d", c.seq), port: port, url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	props := map[string]string{
		"bootstrap.servers":                 c.bootstrap,
		"group.id":                          c.name,
		"config.storage.topic":              c.name + "-configs",
		"offset.storage.topic":              c.name + "-offsets",
		"status.storage.topic":              c.name + "-status",
		"config.storage.replication.factor": "1",
		"offset.storage.replication.factor": "1",
		"status.storage.replication.factor": "1",
		"key.converter":                     "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":                   "org.apache.kafka.connect.json.JsonConverter",
		"listeners":                         w.url,
	}
	var b strings.Builder
	for k, v := range props {
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	w.props = filepath.Join(c.dir, w.name+".properties")
	if err := os.WriteFile(w.props, []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	if err := c.launch(w); err != nil {
		return nil, err
	}
	c.workers = append(c.workers, w)
	return w, nil
}

// restart starts a stopped worker again with the same properties (same port and
// worker id), as a rolling restart does.
func (c *cluster) restart(ctx context.Context, old *worker) (*worker, error) {
	w := &worker{name: old.name + "r", port: old.port, url: old.url, props: old.props}
	if err := c.launch(w); err != nil {
		return nil, err
	}
	c.workers = append(c.workers, w)
	return w, nil
}

func (c *cluster) launch(w *worker) error {
	w.logPath = filepath.Join(c.dir, w.name+".log")
	f, err := os.Create(w.logPath)
	if err != nil {
		return err
	}
	w.cmd = exec.Command(c.bin, "distributed", w.props)
	w.cmd.Dir = c.dir
	w.cmd.Stdout, w.cmd.Stderr = f, f
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a ^C reaches the bench first
	w.done = make(chan struct{})
	w.started = time.Now()
	if err := w.cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", w.name, err)
	}
	go func() {
		_ = w.cmd.Wait()
		f.Close()
		close(w.done)
	}()
	return nil
}

func (w *worker) kill() {
	if !w.exited() {
		_ = w.cmd.Process.Signal(syscall.SIGKILL)
		<-w.done
	}
}

// term is a clean stop: SIGTERM, then up to 60 s for the worker to stop its tasks
// and leave the group.
func (w *worker) term() error {
	if w.exited() {
		return nil
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
		return nil
	case <-time.After(60 * time.Second):
		w.kill()
		return fmt.Errorf("%s did not exit within 60 s of SIGTERM; killed", w.name)
	}
}

func (c *cluster) stopAll() {
	var wg sync.WaitGroup
	for _, w := range c.workers {
		wg.Go(func() { _ = w.term() })
	}
	wg.Wait()
}

func (w *worker) logTail(n int) string {
	b, _ := os.ReadFile(w.logPath)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

var client = &http.Client{Timeout: 10 * time.Second}

// waitReady waits for GET /health to answer 200 (the worker joined the group).
func (w *worker) waitReady(ctx context.Context, timeout time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get(w.url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(w.started), nil
			}
		}
		if w.exited() {
			return 0, fmt.Errorf("%s exited:\n%s", w.name, w.logTail(30))
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s not healthy within %v:\n%s", w.name, timeout, w.logTail(30))
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// createConnectors PUTs n VerifiableSource connectors through every worker in
// turn (followers forward to the leader), conc at a time. A 409 (a rebalance is
// in progress, or the leader moved) is retried as a REST client would.
func (c *cluster) createConnectors(ctx context.Context, n, conc int) error {
	ws := c.alive()
	jobs := make(chan int)
	errs := make(chan error, conc)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for i := range jobs {
				if err := c.put(ctx, ws[i%len(ws)], i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var err error
feed:
	for i := range n {
		select {
		case jobs <- i:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

func (c *cluster) put(ctx context.Context, w *worker, i int) error {
	name := fmt.Sprintf("bench-%04d", i)
	body, _ := json.Marshal(map[string]string{
		"connector.class": "org.apache.kafka.connect.tools.VerifiableSourceConnector",
		"tasks.max":       "1",
		"topic":           c.name + "-data",
		"throughput":      "0",
		"file":            os.DevNull,
	})
	var last string
	for attempt := 0; attempt < 600; attempt++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPut, w.url+"/connectors/"+name+"/config", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, b)
			if resp.StatusCode != http.StatusConflict && resp.StatusCode < 500 {
				return fmt.Errorf("PUT %s: %s", name, last)
			}
		} else {
			last = err.Error()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("PUT %s: still failing: %s", name, last)
}

type statusInfo struct {
	Status struct {
		Connector struct {
			State    string `json:"state"`
			WorkerID string `json:"worker_id"`
		} `json:"connector"`
		Tasks []struct {
			State    string `json:"state"`
			WorkerID string `json:"worker_id"`
		} `json:"tasks"`
	} `json:"status"`
}

// check reads every connector's status from w and says why the cluster is not
// settled, or "" when it is: n connectors with one task each, all RUNNING on
// alive workers other than dead, and (balanced) connectors and tasks per alive
// worker differing by at most one.
func (c *cluster) check(w *worker, n int, balanced bool, dead *worker) string {
	resp, err := client.Get(w.url + "/connectors?expand=status")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Sprintf("status %d: %s", resp.StatusCode, b)
	}
	var all map[string]statusInfo
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		return err.Error()
	}
	if len(all) != n {
		return fmt.Sprintf("%d connectors of %d", len(all), n)
	}
	alive := map[string]bool{}
	for _, a := range c.alive() {
		alive[a.id()] = true
	}
	if dead != nil {
		delete(alive, dead.id())
	}
	conns, tasks := map[string]int{}, map[string]int{}
	notRunning := 0
	var example string
	for name, s := range all {
		st := s.Status
		ok := st.Connector.State == "RUNNING" && alive[st.Connector.WorkerID] && len(st.Tasks) == 1
		for _, t := range st.Tasks {
			ok = ok && t.State == "RUNNING" && alive[t.WorkerID]
			tasks[t.WorkerID]++
		}
		conns[st.Connector.WorkerID]++
		if !ok {
			notRunning++
			if example == "" {
				example = fmt.Sprintf("%s: %+v", name, st)
			}
		}
	}
	if notRunning > 0 {
		return fmt.Sprintf("%d connectors not all RUNNING on live workers (e.g. %s)", notRunning, example)
	}
	if !balanced {
		return ""
	}
	spread := func(m map[string]int) (int, int) {
		lo, hi := -1, 0
		for id := range alive {
			v := m[id]
			if lo < 0 || v < lo {
				lo = v
			}
			hi = max(hi, v)
		}
		return lo, hi
	}
	if lo, hi := spread(conns); hi-lo > 1 {
		return fmt.Sprintf("connectors unbalanced: %s", perWorker(conns))
	}
	if lo, hi := spread(tasks); hi-lo > 1 {
		return fmt.Sprintf("tasks unbalanced: %s", perWorker(tasks))
	}
	return ""
}

func perWorker(m map[string]int) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	for _, k := range ks {
		fmt.Fprintf(&b, "%s=%d ", k, m[k])
	}
	return strings.TrimSpace(b.String())
}

// waitSettled polls until check passes, reading statuses from the second oldest
// live worker (never the one just killed, stopped, started or restarted).
func (c *cluster) waitSettled(ctx context.Context, n int, timeout time.Duration, balanced bool, dead *worker) error {
	deadline := time.Now().Add(timeout)
	var why string
	for {
		ws := c.alive()
		var q *worker
		for _, w := range ws[min(1, len(ws)-1):] {
			if w != dead {
				q = w
				break
			}
		}
		if q == nil {
			return errors.New("no live worker")
		}
		if why = c.check(q, n, balanced, dead); why == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not settled within %v: %s\n--- %s:\n%s", timeout, why, q.name, q.logTail(20))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitVacated waits until a live worker's statuses show nothing RUNNING on the
// worker id of the stopped worker w.
func (c *cluster) waitVacated(ctx context.Context, w *worker, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		q := c.alive()[0]
		resp, err := client.Get(q.url + "/connectors?expand=status")
		if err == nil {
			var all map[string]statusInfo
			err = json.NewDecoder(resp.Body).Decode(&all)
			resp.Body.Close()
			running := 0
			for _, s := range all {
				if s.Status.Connector.State == "RUNNING" && s.Status.Connector.WorkerID == w.id() {
					running++
				}
				for _, t := range s.Status.Tasks {
					if t.State == "RUNNING" && t.WorkerID == w.id() {
						running++
					}
				}
			}
			if err == nil && running == 0 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("statuses still RUNNING on stopped %s after %v", w.id(), timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
