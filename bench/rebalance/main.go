// Command rebalance measures how long a goconnect distributed cluster takes to
// settle after membership changes, as the number of connectors grows (issue 3):
//
//   - join: a new worker joins a 3-worker cluster; time from its start until every
//     connector and task is RUNNING and the assignment is balanced again.
//   - failover: one worker is killed with SIGKILL; time from the kill until every
//     connector and task is RUNNING on the survivors.
//   - restart: one worker is stopped with SIGTERM and started again (a rolling
//     restart step); time from the SIGTERM until every connector and task is
//     RUNNING and the assignment is balanced.
//
// It runs the goconnect binary against the real broker of test/harness (or
// GOCONNECT_TEST_BOOTSTRAP), with the group timeouts of the defaults, fresh
// internal topics and group id per connector count, and writes a Markdown report
// (bench/rebalance/results.md). Timings are reported, never asserted.
//
//	go run ./bench/rebalance -connectors 10,100,1000 -runs 3
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goconnect/goconnect/test/harness"
)

type options struct {
	counts      []int
	runs        int
	workers     int
	concurrency int
	timeout     time.Duration
	out         string
	keep        bool
}

func main() {
	var o options
	var counts string
	flag.StringVar(&counts, "connectors", "10,100,1000", "comma-separated connector counts")
	flag.IntVar(&o.runs, "runs", 3, "runs (join, failover, restart) per connector count; the report shows medians")
	flag.IntVar(&o.workers, "workers", 3, "workers of the cluster before a worker joins")
	flag.IntVar(&o.concurrency, "create-concurrency", 8, "concurrent PUT /connectors/{name}/config requests while creating")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "limit of one wait for the cluster to settle")
	flag.StringVar(&o.out, "out", "", "Markdown report (default bench/rebalance/results.md)")
	flag.BoolVar(&o.keep, "keep", false, "keep the scratch dir (worker logs) and print its path")
	flag.Parse()
	for _, s := range strings.Split(counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bad -connectors entry %q\n", s)
			os.Exit(2)
		}
		o.counts = append(o.counts, n)
	}
	if o.out == "" {
		o.out = filepath.Join(harness.RepoRoot(), "bench", "rebalance", "results.md")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	harness.Shutdown()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench rebalance:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// result is what one connector count measured.
type result struct {
	n                int
	create, settle   time.Duration // all PUTs answered; then everything RUNNING
	join, fail, rest []time.Duration
	err              error
}

func run(ctx context.Context, o options) error {
	work, err := os.MkdirTemp("", "goconnect-bench-rebalance-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("scratch dir: %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	bin := filepath.Join(work, "goconnect")
	logf("building goconnect")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/goconnect")
	cmd.Dir = harness.RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	logf("starting the Kafka broker")
	bootstrap, err := harness.StartKafka()
	if err != nil {
		return err
	}
	var results []result
	for _, n := range o.counts {
		r := measure(ctx, o, bin, bootstrap, filepath.Join(work, fmt.Sprint(n)), n)
		if r.err != nil {
			logf("connectors=%d: %v", n, r.err)
		}
		fmt.Println(summaryLine(r))
		results = append(results, r)
		if ctx.Err() != nil {
			break
		}
	}
	report := markdown(o, results)
	fmt.Print(report)
	if err := os.WriteFile(o.out, []byte(report), 0o644); err != nil {
		return err
	}
	logf("wrote %s", o.out)
	for _, r := range results {
		if r.err != nil {
			return fmt.Errorf("connectors=%d: %w", r.n, r.err)
		}
	}
	return nil
}

// measure creates a cluster with n connectors and runs the scenarios o.runs times.
// Every run leaves o.workers workers alive: one joins, the oldest is killed, the
// next oldest restarts.
func measure(ctx context.Context, o options, bin, bootstrap, dir string, n int) result {
	r := result{n: n}
	c := &cluster{bin: bin, bootstrap: bootstrap, dir: dir,
		name: fmt.Sprintf("bench-rebalance-%d-%d", n, time.Now().UnixNano())}
	defer c.stopAll()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.err = err
		return r
	}
	logf("connectors=%d: starting %d workers", n, o.workers)
	// The first worker alone creates the internal topics: workers started together
	// on topics that do not exist yet can fail their first read (UNKNOWN_TOPIC_OR_PARTITION
	// from ListEndOffsets right after another worker created the topic).
	for i := range o.workers {
		w, err := c.start(ctx)
		if err != nil {
			r.err = err
			return r
		}
		if i == 0 {
			if _, err := w.waitReady(ctx, 2*time.Minute); err != nil {
				r.err = err
				return r
			}
		}
	}
	for _, w := range c.alive() {
		if _, err := w.waitReady(ctx, 2*time.Minute); err != nil {
			r.err = err
			return r
		}
	}
	t0 := time.Now()
	if err := c.createConnectors(ctx, n, o.concurrency); err != nil {
		r.err = err
		return r
	}
	r.create = time.Since(t0)
	logf("connectors=%d: created in %v; waiting for RUNNING", n, r.create.Round(time.Millisecond))
	if err := c.waitSettled(ctx, n, o.timeout, false, nil); err != nil {
		r.err = fmt.Errorf("after creating: %w", err)
		return r
	}
	r.settle = time.Since(t0) - r.create
	logf("connectors=%d: all RUNNING %v after the last PUT", n, r.settle.Round(time.Millisecond))

	for i := range o.runs {
		// join
		w, err := c.start(ctx)
		if err != nil {
			r.err = err
			return r
		}
		if err := c.waitSettled(ctx, n, o.timeout, true, nil); err != nil {
			r.err = fmt.Errorf("run %d, join: %w", i+1, err)
			return r
		}
		d := time.Since(w.started)
		r.join = append(r.join, d)
		logf("connectors=%d run %d: join settled in %v", n, i+1, d.Round(time.Millisecond))

		// failover: kill -9 the oldest worker (the group leader, the first to join).
		victim := c.alive()[0]
		t := time.Now()
		victim.kill()
		if err := c.waitSettled(ctx, n, o.timeout, false, victim); err != nil {
			r.err = fmt.Errorf("run %d, failover: %w", i+1, err)
			return r
		}
		d = time.Since(t)
		r.fail = append(r.fail, d)
		logf("connectors=%d run %d: failover settled in %v", n, i+1, d.Round(time.Millisecond))

		// restart: SIGTERM the oldest worker, start it again on the same port.
		old := c.alive()[0]
		t = time.Now()
		if err := old.term(); err != nil {
			logf("connectors=%d run %d: %v", n, i+1, err)
		}
		// The old process wrote UNASSIGNED for its work on the way out: wait until a
		// survivor has read it, so that its RUNNING statuses (same worker id as the
		// new process) cannot count as the new process's.
		if err := c.waitVacated(ctx, old, o.timeout); err != nil {
			r.err = fmt.Errorf("run %d, restart: %w", i+1, err)
			return r
		}
		if _, err := c.restart(ctx, old); err != nil {
			r.err = err
			return r
		}
		if err := c.waitSettled(ctx, n, o.timeout, true, nil); err != nil {
			r.err = fmt.Errorf("run %d, restart: %w", i+1, err)
			return r
		}
		d = time.Since(t)
		r.rest = append(r.rest, d)
		logf("connectors=%d run %d: restart settled in %v", n, i+1, d.Round(time.Millisecond))
	}
	return r
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }

func summaryLine(r result) string {
	if r.err != nil && len(r.rest) == 0 {
		return fmt.Sprintf("bench rebalance connectors=%d error=%q", r.n, r.err.Error())
	}
	return fmt.Sprintf("bench rebalance connectors=%d join_s=%s failover_s=%s restart_s=%s",
		r.n, secs(median(r.join)), secs(median(r.fail)), secs(median(r.rest)))
}

func markdown(o options, rs []result) string {
	var b strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&b, "# goconnect distributed rebalance benchmark\n\n")
	fmt.Fprintf(&b, "Generated by `go run ./bench/rebalance` on %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Machine: %s, %s/%s, %d CPUs (%s), Go %s. Broker: Apache Kafka 4.3.1, single KRaft node on 127.0.0.1.\n\n",
		host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), strings.TrimPrefix(runtime.Version(), "go"))
	fmt.Fprintf(&b, "Cluster: %d goconnect workers (+1 joining), worker defaults (group timeouts and `scheduled.rebalance.max.delay.ms` included); "+
		"each connector is a VerifiableSource with `tasks.max=1`, `throughput=0` (one record, then idle). "+
		"Medians of %d runs; a run is join → kill -9 → SIGTERM + restart. Seconds.\n\n", o.workers, o.runs)
	b.WriteString("| connectors | create (all PUTs) | until all RUNNING | join | failover (kill -9) | restart (SIGTERM + start) | runs (join / failover / restart) |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rs {
		all := func(ds []time.Duration) string {
			var s []string
			for _, d := range ds {
				s = append(s, secs(d))
			}
			return strings.Join(s, " ")
		}
		if r.err != nil && len(r.join) == 0 {
			fmt.Fprintf(&b, "| %d | %s | %s | error: %s | | | |\n", r.n, secs(r.create), secs(r.settle), strings.ReplaceAll(r.err.Error(), "|", "/"))
			continue
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s / %s / %s |\n", r.n, secs(r.create), secs(r.settle),
			secs(median(r.join)), secs(median(r.fail)), secs(median(r.rest)), all(r.join), all(r.fail), all(r.rest))
	}
	b.WriteString("\n")
	for _, r := range rs {
		b.WriteString(summaryLine(r) + "\n")
	}
	b.WriteString(`
- **join**: from the start of the new worker's process until every connector and task is
  RUNNING and connectors and tasks per worker differ by at most one.
- **failover**: from the SIGKILL of the oldest worker (the group leader) until every connector
  and task is RUNNING on the survivors.
- **restart**: from the SIGTERM of the oldest worker, through its clean shutdown and a new
  process on the same port, until every connector and task is RUNNING and balanced again.
- States are read from one surviving worker's ` + "`GET /connectors?expand=status`" + ` every 100 ms.
`)
	return b.String()
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
