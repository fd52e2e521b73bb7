package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

type machine struct {
	date, cpu, kernel, goVersion, javaVersion string
	cores                                     int
	memGiB                                    float64
	loadBefore, loadAfter                     string
}

func machineInfo() machine {
	m := machine{date: time.Now().UTC().Format("2006-01-02 15:04 MST"), cores: runtime.NumCPU(), goVersion: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb float64
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "MemTotal:")), "%f", &kb)
			}
		}
		m.memGiB = kb / (1 << 20)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("java", "-version").CombinedOutput(); err == nil {
		m.javaVersion = strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)[0]
	}
	return m
}

// loadAvg is /proc/loadavg's 1/5/15-minute averages, to show other load on the machine.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

type pipelineResult struct {
	name     string
	javaNone string // why there is no Java contender ("" when there is one, or for the JDBC note)
	runs     map[string][]measurement
}

// agg is the medians of one contender's successful runs.
type agg struct {
	ok, total                                      int
	recsPerS, steady, cpuPerM, peakMB, idleMB, rdy float64
	errs                                           []string
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (p *pipelineResult) agg(c string) (agg, bool) {
	ms, ok := p.runs[c]
	if !ok {
		return agg{}, false
	}
	a := agg{total: len(ms)}
	var rate, steady, cpu, peak, idle, rdy []float64
	for _, m := range ms {
		if m.err != nil {
			first, _, _ := strings.Cut(m.err.Error(), "\n")
			a.errs = append(a.errs, first)
			continue
		}
		a.ok++
		rate = append(rate, m.recsPerS)
		steady = append(steady, m.steadyPerS)
		cpu = append(cpu, m.cpu.Seconds()*1e6/float64(m.landed))
		peak = append(peak, mb(m.peakRSS))
		idle = append(idle, mb(m.idleRSS))
		rdy = append(rdy, float64(m.ready.Milliseconds()))
	}
	a.steady = median(steady)
	a.recsPerS, a.cpuPerM, a.peakMB, a.idleMB, a.rdy = median(rate), median(cpu), median(peak), median(idle), median(rdy)
	return a, a.ok > 0
}

func ratio(a, b float64, okA, okB bool) string {
	if !okA || !okB || b == 0 {
		return "na"
	}
	if r := a / b; r < 0.1 {
		return fmt.Sprintf("%.3f", r) // ready-time ratios are in the thousandths
	}
	return fmt.Sprintf("%.2f", a/b)
}

// summary is the line a script reads.
func (p *pipelineResult) summary() string {
	g, okG := p.agg(contGo)
	j, okJ := p.agg(contJava)
	r, okR := p.agg(contRaw)
	rss := func(a agg, ok bool) string {
		if !ok {
			return "na"
		}
		return fmt.Sprintf("%.0f", a.peakMB)
	}
	rate := "na"
	if okG {
		rate = fmt.Sprintf("%.0f", g.recsPerS)
	}
	return fmt.Sprintf("bench %s records_per_s=%s vs_java=%s vs_raw=%s rss_mb=%s java_rss_mb=%s",
		p.name, rate, ratio(g.recsPerS, j.recsPerS, okG, okJ), ratio(g.recsPerS, r.recsPerS, okG, okR), rss(g, okG), rss(j, okJ))
}

type results struct {
	opts      options
	machine   machine
	jdbcNote  string
	javaNames map[string]string
	pipelines []*pipelineResult
	stall     *stallResult // nil when not run
}

func (r *results) markdown(root string) string {
	var b strings.Builder
	m := r.machine
	fmt.Fprintf(&b, "# Benchmark results\n\n")
	fmt.Fprintf(&b, "Written by `go run ./bench` (see `docs/benchmarks.md`); the analysis below the tables is kept in `bench/notes.md` and copied in.\n\n")
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| date | %s |\n| machine | %d cores (%s), %.1f GiB memory, Linux %s |\n", m.date, m.cores, m.cpu, m.memGiB, m.kernel)
	fmt.Fprintf(&b, "| software | Apache Kafka 4.3.1 broker (1 GiB heap, G1) and Connect 4.3.1 on %s; goconnect and bench/raw built with %s |\n", m.javaVersion, m.goVersion)
	fmt.Fprintf(&b, "| sizes | %d records per pipeline, %d partitions, tasks.max=1, %d runs per contender (medians) |\n", r.opts.records, r.opts.partitions, r.opts.runs)
	fmt.Fprintf(&b, "| load average (1/5/15 min) | before: %s, after: %s — everything (broker, databases, contender, bench) shares these cores |\n", m.loadBefore, m.loadAfter)
	fmt.Fprintf(&b, "| Java JDBC sink | %s |\n\n", r.jdbcNote)

	fmt.Fprintf(&b, "## Throughput and resources\n\n")
	fmt.Fprintf(&b, "records/s is counted at the target, from the connector's creation (raw: process start) to the last record; steady records/s from the first record seen at the target to the last; CPU is the contender process's user+system time per million records; peak RSS is VmHWM; idle RSS is VmRSS %v after REST ready, before any connector; ready is process start to `GET /health` = 200.\n\n", r.opts.settle)
	fmt.Fprintf(&b, "| pipeline | contender | records/s | steady records/s | CPU s / M records | peak RSS MB | idle RSS MB | start→REST ready ms | runs ok |\n")
	fmt.Fprintf(&b, "|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, p := range r.pipelines {
		for _, c := range contenders {
			a, ok := p.agg(c)
			name := c
			if c == contJava && r.javaNames[p.name] != "" {
				name = "java: " + r.javaNames[p.name]
			}
			if _, ran := p.runs[c]; !ran {
				why := "no Java connector"
				if p.javaNone != "" {
					why = "no Java connector — " + p.javaNone
				}
				fmt.Fprintf(&b, "| %s | %s | — | — | — | — | — | — | %s |\n", p.name, name, why)
				continue
			}
			if !ok {
				fmt.Fprintf(&b, "| %s | %s | failed | | | | | | 0/%d: %s |\n", p.name, name, a.total, strings.Join(a.errs, "; "))
				continue
			}
			idle, rdy := fmt.Sprintf("%.0f", a.idleMB), fmt.Sprintf("%.0f", a.rdy)
			if c == contRaw {
				idle, rdy = "—", "—"
			}
			fmt.Fprintf(&b, "| %s | %s | %.0f | %.0f | %.1f | %.0f | %s | %s | %d/%d |\n", p.name, name, a.recsPerS, a.steady, a.cpuPerM, a.peakMB, idle, rdy, a.ok, a.total)
		}
	}

	fmt.Fprintf(&b, "\n## Against the goals of issue 6\n\n")
	fmt.Fprintf(&b, "| pipeline | throughput vs Java (goal ≥ 2) | vs raw (goal ≥ 0.8) | idle RSS vs Java (goal ≤ 0.10) | ready time vs Java (goal ≤ 0.05) | CPU per record vs Java |\n|---|---:|---:|---:|---:|---:|\n")
	for _, p := range r.pipelines {
		g, okG := p.agg(contGo)
		j, okJ := p.agg(contJava)
		rw, okR := p.agg(contRaw)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", p.name, ratio(g.recsPerS, j.recsPerS, okG, okJ), ratio(g.recsPerS, rw.recsPerS, okG, okR),
			ratio(g.idleMB, j.idleMB, okG, okJ), ratio(g.rdy, j.rdy, okG, okJ), ratio(g.cpuPerM, j.cpuPerM, okG, okJ))
	}

	fmt.Fprintf(&b, "\n## Summary lines\n\n```\n")
	for _, p := range r.pipelines {
		fmt.Fprintln(&b, p.summary())
	}
	fmt.Fprintf(&b, "```\n")

	if r.stall != nil {
		b.WriteString(r.stall.markdown())
	}
	if r.opts.profile {
		fmt.Fprintf(&b, "\n## goconnect CPU profiles (top functions by flat time)\n\n")
		fmt.Fprintf(&b, "From one extra run per pipeline of `bench/profiled` (goconnect with `GOCONNECT_CPUPROFILE`); full profiles in `bench/profiles/<pipeline>.cpu.pprof` (`go tool pprof -http=: bench/profiles/<pipeline>.cpu.pprof`), allocations in `<pipeline>.allocs.pprof`.\n")
		for _, p := range r.pipelines {
			top, err := os.ReadFile(filepath.Join(root, "bench", "profiles", p.name+".cpu.top.txt"))
			if err != nil {
				continue
			}
			fmt.Fprintf(&b, "\n### %s\n\n```\n%s```\n", p.name, headLines(string(top), 18))
		}
	}
	if notes, err := os.ReadFile(filepath.Join(root, "bench", "notes.md")); err == nil {
		fmt.Fprintf(&b, "\n%s", notes)
	}
	return b.String()
}

// headLines keeps pprof's header and the first n rows.
func headLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n") + "\n"
}
