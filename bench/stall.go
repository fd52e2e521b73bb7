package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goconnect/goconnect/test/harness"
)

// stallResult is the back-pressure scenario: goconnect's pg-insert sink while
// PostgreSQL is frozen (SIGSTOP) for a while.
type stallResult struct {
	err                           error
	stall                         time.Duration
	before, mid, end, max, finish int64 // RSS, bytes
	landedBefore, landedAtThaw    int64
	recovered                     bool
	catchUp                       time.Duration // from thaw to all records landed
}

// withChildren returns pid and its direct children (PostgreSQL's backends).
func withChildren(pid int) []int {
	out := []int{pid}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(b), ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

// stallRun freezes the database once a fifth of the records landed and samples
// goconnect's RSS while the sink cannot write: with bounded buffers it must level
// off (franz-go stops fetching once its buffers are full and the task is blocked in
// Put) instead of growing for as long as the stall lasts.
func stallRun(ctx context.Context, e *env, o options) *stallResult {
	r := &stallResult{stall: o.stall}
	r.err = func() error {
		pid, err := postgresPID()
		if err != nil {
			return err
		}
		p := pipelineByName("pg-insert")
		runID := "pg_insert_stall"
		dir := filepath.Join(e.work, runID)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		t, err := p.setup(ctx, e, runID)
		if err != nil {
			return err
		}
		port := harness.FreePort()
		pr, err := launch(dir, contGo, nil, e.goBin, "standalone", workerProps(e, dir, port, contGo, t))
		if err != nil {
			return err
		}
		defer pr.stop()
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		if _, err := pr.waitReady(ctx, base+"/health", 3*time.Minute); err != nil {
			return err
		}
		if err := createConnector(base, "bench-"+runID, t.goConfig); err != nil {
			return err
		}
		if r.landedBefore, _, _, err = waitLanded(ctx, pr, t, e.records/5, o.timeout); err != nil {
			return err
		}
		rss := func() int64 {
			s, _ := readProc(pr.pid())
			return s.RSS
		}
		r.before = rss()
		// The postmaster and every backend: stopping the postmaster alone leaves the
		// sink's connection (its own backend process) writing.
		pids := withChildren(pid)
		for _, p := range pids {
			if err := syscall.Kill(p, syscall.SIGSTOP); err != nil {
				return fmt.Errorf("freeze postgres: %w", err)
			}
		}
		defer func() {
			for _, p := range pids {
				_ = syscall.Kill(p, syscall.SIGCONT)
			}
		}()
		start := time.Now()
		for time.Since(start) < o.stall {
			v := rss()
			r.max = max(r.max, v)
			if r.mid == 0 && time.Since(start) >= o.stall/2 {
				r.mid = v
			}
			time.Sleep(250 * time.Millisecond)
		}
		r.end = rss()
		for _, p := range pids {
			if err := syscall.Kill(p, syscall.SIGCONT); err != nil {
				return fmt.Errorf("thaw postgres: %w", err)
			}
		}
		thawed := time.Now()
		// What landed while frozen: only a write already committed when the freeze hit.
		if r.landedAtThaw, err = t.count(ctx); err != nil {
			return err
		}
		if _, _, _, err := waitLanded(ctx, pr, t, e.records, o.timeout); err != nil {
			return fmt.Errorf("after the stall: %w", err)
		}
		r.recovered = true
		r.catchUp = time.Since(thawed)
		s, _ := readProc(pr.pid())
		r.finish = s.HWM
		return nil
	}()
	return r
}

func postgresPID() (int, error) {
	for _, dir := range dbDirs {
		if !strings.Contains(filepath.Base(dir), "postgres") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "pid"))
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(strings.TrimSpace(string(b)))
	}
	return 0, fmt.Errorf("no PostgreSQL started by the bench (the stall scenario needs its own server)")
}

func (r *stallResult) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Back-pressure: sink with a stalled target\n\n")
	fmt.Fprintf(&b, "goconnect's pg-insert sink; once a fifth of the records landed, PostgreSQL (the postmaster and all its backends) is frozen with SIGSTOP for %v, then thawed. RSS (VmRSS) of goconnect: bounded buffers show as a plateau (end of stall ≈ middle of stall), not growth for as long as the stall lasts.\n\n", r.stall)
	if r.err != nil {
		first, _, _ := strings.Cut(r.err.Error(), "\n")
		fmt.Fprintf(&b, "failed: %s\n", first)
		return b.String()
	}
	fmt.Fprintf(&b, "| landed at freeze | landed at thaw | RSS before MB | RSS mid-stall MB | RSS end of stall MB | max during stall MB | all landed after thaw | thaw → all landed | peak RSS of the run MB |\n|---:|---:|---:|---:|---:|---:|---|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %d | %.0f | %.0f | %.0f | %.0f | %v | %v | %.0f |\n", r.landedBefore, r.landedAtThaw, mb(r.before), mb(r.mid), mb(r.end), mb(r.max), r.recovered, r.catchUp.Round(100*time.Millisecond), mb(r.finish))
	return b.String()
}
