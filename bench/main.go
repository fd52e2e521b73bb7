// Command bench measures goconnect against the raw limit and against Apache Kafka
// Connect 4.3.1, side by side, on one real broker and the same pre-produced data
// (issue 6; docs/benchmarks.md says how to run it and read the table).
//
//	go run ./bench [-records N] [-partitions P] [-runs R] [-pipelines a,b,...]
//
// For each pipeline it runs three contenders: goconnect (the built binary,
// standalone), Java Kafka Connect standalone with the matching Java connector
// (Debezium's JDBC sink for the database pipelines, none for es-sink), and
// bench/raw (franz-go, pgx, go-sql-driver, net/http _bulk with no framework). Throughput is counted
// at the target. It writes bench/results.md and prints one summary line per pipeline:
//
//	bench <pipeline> records_per_s=<n> vs_java=<ratio> vs_raw=<ratio> rss_mb=<n> java_rss_mb=<n>
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/test/harness"
)

// Kafka's own scripts: connect-standalone.sh sets the heap, kafka-run-class.sh the
// rest (its KAFKA_JVM_PERFORMANCE_OPTS). No C1-only flag here, unlike the test harness.
const (
	javaConnectOpts = "-Xms256M -Xmx2G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 " +
		"-XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true"
	brokerOpts = "-Xms1G -Xmx1G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 " +
		"-XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true"
)

const (
	contGo   = "goconnect"
	contJava = "java"
	contRaw  = "raw"
)

var contenders = []string{contGo, contJava, contRaw}

type options struct {
	records    int64
	partitions int
	runs       int
	pipelines  []string
	timeout    time.Duration
	settle     time.Duration
	out        string
	profile    bool
	stall      time.Duration
	jdbcPlugin string
	keep       bool
}

func main() {
	var o options
	var pipes string
	flag.Int64Var(&o.records, "records", 1_000_000, "records per pipeline")
	flag.IntVar(&o.partitions, "partitions", 4, "partitions of every topic")
	flag.IntVar(&o.runs, "runs", 3, "runs per contender (medians are reported)")
	flag.StringVar(&pipes, "pipelines", "", "comma-separated pipelines (default all: "+pipelineNames()+")")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "limit of one contender run")
	flag.DurationVar(&o.settle, "settle", 2*time.Second, "wait after REST ready before reading idle RSS")
	flag.StringVar(&o.out, "out", "", "results file (default bench/results.md in the repo)")
	flag.BoolVar(&o.profile, "profile", true, "one extra goconnect run per pipeline with CPU and heap profiles (bench/profiles)")
	flag.DurationVar(&o.stall, "stall", 20*time.Second, "back-pressure scenario: freeze PostgreSQL this long under goconnect's pg-insert sink (0 = skip; runs only with pg-insert)")
	flag.StringVar(&o.jdbcPlugin, "java-jdbc-plugin", "", "plugin.path dir with an unpacked Debezium JDBC sink for Java's database pipelines (default: fetch "+debeziumVersion+" into .cache)")
	flag.BoolVar(&o.keep, "keep", false, "keep the scratch directory (logs, outputs)")
	flag.Parse()
	if pipes != "" {
		o.pipelines = strings.Split(pipes, ",")
	}
	if o.out == "" {
		o.out = filepath.Join(harness.RepoRoot(), "bench", "results.md")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	err := run(ctx, o)
	harness.Shutdown()
	stopDatabases()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func pipelineByName(name string) *pipeline {
	for _, p := range allPipelines {
		if p.name == name {
			return p
		}
	}
	return nil
}

func pipelineNames() string {
	var n []string
	for _, p := range allPipelines {
		n = append(n, p.name)
	}
	return strings.Join(n, ",")
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, o options) error {
	var pipes []*pipeline
	if len(o.pipelines) == 0 {
		pipes = allPipelines
	}
	for _, name := range o.pipelines {
		found := false
		for _, p := range allPipelines {
			if p.name == strings.TrimSpace(name) {
				pipes, found = append(pipes, p), true
			}
		}
		if !found {
			return fmt.Errorf("unknown pipeline %q (have %s)", name, pipelineNames())
		}
	}
	root := harness.RepoRoot()
	m := machineInfo()
	m.loadBefore = loadAvg()

	work, err := os.MkdirTemp("", "goconnect-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("scratch dir %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	e := &env{work: work, records: o.records, partitions: o.partitions}

	logf("building goconnect, bench/raw, bench/profiled")
	e.goBin, e.rawBin, e.profBin = filepath.Join(work, "goconnect"), filepath.Join(work, "raw"), filepath.Join(work, "profiled")
	for bin, pkg := range map[string]string{e.goBin: "./cmd/goconnect", e.rawBin: "./bench/raw", e.profBin: "./bench/profiled"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
		}
	}

	if os.Getenv(harness.BootstrapEnv) == "" && os.Getenv("GOCONNECT_BROKER_JVM_OPTS") == "" {
		// The harness's broker runs C1-only for fast test start-up; a benchmark wants
		// the broker of Kafka's scripts (full JIT, 1 GiB heap).
		os.Setenv("GOCONNECT_BROKER_JVM_OPTS", brokerOpts)
	}
	logf("starting the Kafka broker")
	if e.bootstrap, err = harness.StartKafka(); err != nil {
		return err
	}
	plugins, err := harness.PluginsDir()
	if err != nil {
		return err
	}
	e.javaPlugins = plugins
	cache := filepath.Dir(plugins)
	e.javaLibs, e.javaLog4j = filepath.Join(cache, "libs", "*"), filepath.Join(cache, "log4j2.properties")
	e.jdbcPlugin = o.jdbcPlugin
	needsJDBC := slices.ContainsFunc(pipes, func(p *pipeline) bool { return p.needs == "postgres" || p.needs == "mariadb" })
	switch {
	case e.jdbcPlugin != "":
		e.jdbcNote = "Debezium JDBC sink (-java-jdbc-plugin " + e.jdbcPlugin + ")"
	case needsJDBC:
		logf("fetching Debezium's JDBC sink %s (Maven, once into .cache)", debeziumVersion)
		if e.jdbcPlugin, err = fetchDebezium(ctx); err != nil {
			logf("no Java JDBC sink: %v", err)
			e.jdbcNote = "none: io.debezium:debezium-connector-jdbc:" + debeziumVersion + " could not be fetched: " + firstLine(err.Error())
		} else {
			e.jdbcNote = "Debezium JDBC sink " + debeziumVersion + " (plugin archive from Maven Central)"
		}
	default:
		e.jdbcNote = "not used (no database pipeline)"
	}
	if e.kcl, err = kgo.NewClient(kgo.SeedBrokers(e.bootstrap), kgo.ProducerBatchMaxBytes(1<<20),
		kgo.ProducerLinger(5*time.Millisecond)); err != nil {
		return err
	}
	defer e.kcl.Close()
	e.adm = kadm.NewClient(e.kcl)
	if err := warmGroupCoordinator(ctx, e.adm); err != nil {
		return err
	}

	if err := startDatabases(ctx, e, pipes); err != nil {
		return err
	}
	defer func() {
		if e.pg != nil {
			e.pg.Close(context.Background())
		}
		if e.my != nil {
			e.my.Close()
		}
	}()

	res := &results{opts: o, machine: m, jdbcNote: e.jdbcNote, javaNames: map[string]string{}}
	for _, p := range pipes {
		logf("%s: preparing %d records", p.name, o.records)
		if err := p.prepare(ctx, e); err != nil {
			return fmt.Errorf("%s: prepare: %w", p.name, err)
		}
		pr := &pipelineResult{name: p.name, javaNone: p.javaNone, runs: map[string][]measurement{}}
		res.pipelines = append(res.pipelines, pr)
		for r := 1; r <= o.runs; r++ {
			// Even runs go in the opposite order, so a target that keeps getting
			// faster (a JIT warming up, the load of the machine dropping) favours
			// no contender.
			order := slices.Clone(contenders)
			if r%2 == 0 {
				slices.Reverse(order)
			}
			for _, c := range order {
				if err := ctx.Err(); err != nil {
					return err
				}
				meas, javaName := runOne(ctx, e, o, p, c, fmt.Sprintf("%s-%d", c, r))
				if javaName != "" {
					res.javaNames[p.name] = javaName
				}
				if meas.skipped {
					continue
				}
				pr.runs[c] = append(pr.runs[c], meas)
				logf("%s %s run %d: %s", p.name, c, r, meas)
			}
		}
		if o.profile {
			if err := profileRun(ctx, e, o, p); err != nil {
				logf("%s: profile run: %v", p.name, err)
			}
		}
		fmt.Println(pr.summary())
	}
	if o.stall > 0 && slices.Contains(pipes, pipelineByName("pg-insert")) {
		logf("back-pressure: freezing PostgreSQL for %v under goconnect's pg-insert", o.stall)
		res.stall = stallRun(ctx, e, o)
		if res.stall.err != nil {
			logf("back-pressure: %v", res.stall.err)
		}
	}
	res.machine.loadAfter = loadAvg()
	if err := os.WriteFile(o.out, []byte(res.markdown(root)), 0o644); err != nil {
		return err
	}
	logf("wrote %s", o.out)
	return nil
}

// measurement is one contender run.
type measurement struct {
	skipped  bool // no such contender for this pipeline
	err      error
	landed   int64
	elapsed  time.Duration // from the connector's creation (raw: process start) to the last record landed
	cpu      time.Duration // CPU time of the process over the same span
	peakRSS  int64
	idleRSS  int64         // 0 for raw
	ready    time.Duration // start to REST ready; 0 for raw
	recsPerS float64
	// steadyPerS counts from the first poll that saw a record to the last record,
	// leaving out task start-up (and, for sinks, the consumer group join).
	steadyPerS float64
}

func (m measurement) String() string {
	if m.err != nil {
		return "FAILED: " + m.err.Error()
	}
	return fmt.Sprintf("%.0f records/s (steady %.0f), %.1f CPU s/M, peak %.0f MB, idle %.0f MB, ready %v",
		m.recsPerS, m.steadyPerS, m.cpu.Seconds()*1e6/float64(m.landed), mb(m.peakRSS), mb(m.idleRSS), m.ready.Round(time.Millisecond))
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// runOne runs contender c of pipeline p once.
func runOne(ctx context.Context, e *env, o options, p *pipeline, c, id string) (measurement, string) {
	var m measurement
	runID := strings.ReplaceAll(p.name, "-", "_") + "_" + strings.ReplaceAll(id, "-", "_")
	dir := filepath.Join(e.work, runID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		m.err = err
		return m, ""
	}
	t, err := p.setup(ctx, e, runID)
	if err != nil {
		m.err = fmt.Errorf("setup: %w", err)
		return m, ""
	}
	if c == contJava && t.javaConfig == nil {
		m.skipped = true
		return m, ""
	}
	javaName := ""
	if c == contJava {
		javaName = t.javaName
	}

	var pr *proc
	var cpu0 time.Duration
	var t0 time.Time
	switch c {
	case contRaw:
		pr, err = launch(dir, c, nil, append([]string{e.rawBin}, t.raw...)...)
		if err != nil {
			m.err = err
			return m, javaName
		}
		defer pr.stop()
		t0 = pr.start
	default:
		port := harness.FreePort()
		props := workerProps(e, dir, port, c, t)
		var argv []string
		if c == contGo {
			argv = []string{e.goBin, "standalone", props}
		} else {
			argv = append([]string{"java"}, strings.Fields(javaConnectOpts)...)
			argv = append(argv, "-Dkafka.logs.dir="+dir, "-Dlog4j2.configurationFile="+e.javaLog4j,
				"-cp", javaClasspath(e, t), "org.apache.kafka.connect.cli.ConnectStandalone", props)
		}
		if pr, err = launch(dir, c, nil, argv...); err != nil {
			m.err = err
			return m, javaName
		}
		defer pr.stop()
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		if m.ready, err = pr.waitReady(ctx, base+"/health", 3*time.Minute); err != nil {
			m.err = err
			return m, javaName
		}
		time.Sleep(o.settle)
		idle, err := readProc(pr.pid())
		if err != nil {
			m.err = err
			return m, javaName
		}
		m.idleRSS, cpu0 = idle.RSS, idle.CPU
		cfg := t.goConfig
		if c == contJava {
			cfg = t.javaConfig
		}
		t0 = time.Now()
		if err := createConnector(base, "bench-"+runID, cfg); err != nil {
			m.err = fmt.Errorf("%w\n%s", err, pr.logTail(20))
			return m, javaName
		}
	}

	landed, t1, first, err := waitLanded(ctx, pr, t, e.records, o.timeout)
	m.landed = landed
	end, perr := readProc(pr.pid())
	if err == nil {
		err = perr
	}
	if err != nil {
		m.err = fmt.Errorf("%d of %d records landed: %w\n%s", landed, e.records, err, pr.logTail(20))
		return m, javaName
	}
	m.elapsed = t1.Sub(t0)
	m.cpu = end.CPU - cpu0
	m.peakRSS = end.HWM
	m.recsPerS = float64(landed) / m.elapsed.Seconds()
	if d := t1.Sub(first.at); d > 0 {
		m.steadyPerS = float64(landed-first.n) / d.Seconds()
	}
	return m, javaName
}

// firstSeen is the first poll that saw records at the target.
type firstSeen struct {
	at time.Time
	n  int64
}

// waitLanded polls the target until n records are there, and returns the time of
// the poll that saw them and of the first poll that saw any.
func waitLanded(ctx context.Context, pr *proc, t *target, n int64, timeout time.Duration) (int64, time.Time, firstSeen, error) {
	deadline := time.Now().Add(timeout)
	var got int64
	var first firstSeen
	for {
		c, err := t.count(ctx)
		now := time.Now()
		if err != nil {
			return got, now, first, err
		}
		got = c
		if got > 0 && first.at.IsZero() {
			first = firstSeen{at: now, n: got}
		}
		if got >= n {
			return got, now, first, nil
		}
		if pr.exited() {
			return got, now, first, fmt.Errorf("%w: %v", errExited, pr.waitErr)
		}
		if now.After(deadline) {
			return got, now, first, fmt.Errorf("timeout after %v", timeout)
		}
		// Polling gets finer near the end so the last poll is close to the last record.
		every := t.pollEvery
		if got > n*9/10 {
			every = min(every, 20*time.Millisecond)
		}
		select {
		case <-ctx.Done():
			return got, now, first, ctx.Err()
		case <-time.After(every):
		}
	}
}

// workerProps writes the standalone worker properties of Kafka's
// config/connect-standalone.properties (JsonConverter with schemas, 10 s offset
// flush) and returns the file's path.
func workerProps(e *env, dir string, port int, c string, t *target) string {
	p := map[string]string{
		"bootstrap.servers":              e.bootstrap,
		"key.converter":                  "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"key.converter.schemas.enable":   "true",
		"value.converter.schemas.enable": "true",
		"offset.storage.file.filename":   filepath.Join(dir, "connect.offsets"),
		"offset.flush.interval.ms":       "10000",
		"listeners":                      fmt.Sprintf("http://127.0.0.1:%d", port),
	}
	if c == contJava && t.javaPlugin != "" {
		p["plugin.path"] = t.javaPlugin
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, p[k])
	}
	path := filepath.Join(dir, "worker.properties")
	_ = os.WriteFile(path, []byte(b.String()), 0o644)
	return path
}

func javaClasspath(e *env, t *target) string {
	if t.javaCP != "" {
		return e.javaLibs + ":" + t.javaCP
	}
	return e.javaLibs
}

func createConnector(base, name string, cfg map[string]string) error {
	body, _ := json.Marshal(map[string]any{"name": name, "config": cfg})
	resp, err := http.Post(base+"/connectors", "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("create connector: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		return fmt.Errorf("create connector: %s: %s", resp.Status, buf.String())
	}
	return nil
}

// profileRun runs goconnect once more, built with profiling (bench/profiled), and
// saves its CPU and heap profiles and their top functions in bench/profiles.
func profileRun(ctx context.Context, e *env, o options, p *pipeline) error {
	profDir := filepath.Join(harness.RepoRoot(), "bench", "profiles")
	if err := os.MkdirAll(profDir, 0o755); err != nil {
		return err
	}
	runID := strings.ReplaceAll(p.name, "-", "_") + "_profile"
	dir := filepath.Join(e.work, runID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	t, err := p.setup(ctx, e, runID)
	if err != nil {
		return err
	}
	cpuFile := filepath.Join(profDir, p.name+".cpu.pprof")
	memFile := filepath.Join(profDir, p.name+".allocs.pprof")
	port := harness.FreePort()
	props := workerProps(e, dir, port, contGo, t)
	pr, err := launch(dir, "profiled", []string{"GOCONNECT_CPUPROFILE=" + cpuFile, "GOCONNECT_MEMPROFILE=" + memFile},
		e.profBin, "standalone", props)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if _, err := pr.waitReady(ctx, base+"/health", 3*time.Minute); err != nil {
		pr.stop()
		return err
	}
	if err := createConnector(base, "bench-"+runID, t.goConfig); err != nil {
		pr.stop()
		return err
	}
	_, _, _, err = waitLanded(ctx, pr, t, e.records, o.timeout)
	pr.stop()
	if err != nil {
		return err
	}
	for _, f := range []struct{ in, out string }{{cpuFile, p.name + ".cpu.top.txt"}, {memFile, p.name + ".allocs.top.txt"}} {
		args := []string{"tool", "pprof", "-top", "-nodecount=25"}
		if strings.Contains(f.in, "allocs") {
			args = append(args, "-sample_index=alloc_space")
		}
		cmd := exec.CommandContext(ctx, "go", append(args, e.profBin, f.in)...)
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("go tool pprof %s: %w", f.in, err)
		}
		if err := os.WriteFile(filepath.Join(profDir, f.out), out, 0o644); err != nil {
			return err
		}
	}
	logf("%s: profiles in %s", p.name, profDir)
	return nil
}

// startDatabases starts the servers the chosen pipelines need through
// scripts/databases.sh (the harness's throw-away instances).
func startDatabases(ctx context.Context, e *env, pipes []*pipeline) error {
	need := map[string]bool{}
	for _, p := range pipes {
		if p.needs != "" {
			need[p.needs] = true
		}
	}
	if need["postgres"] {
		logf("starting PostgreSQL")
		u, err := startDB("postgres")
		if err != nil {
			return err
		}
		e.pgJDBC = u
		pu, err := url.Parse(strings.TrimPrefix(u, "jdbc:"))
		if err != nil {
			return err
		}
		e.pgDSN = fmt.Sprintf("postgres://%s@%s%s?sslmode=disable", pu.Query().Get("user"), pu.Host, pu.Path)
		if e.pg, err = pgx.Connect(ctx, e.pgDSN); err != nil {
			return err
		}
	}
	if need["search"] {
		logf("starting OpenSearch")
		if err := startSearch(e); err != nil {
			return err
		}
	}
	if need["mariadb"] {
		logf("starting MariaDB")
		u, err := startDB("mariadb")
		if err != nil {
			return err
		}
		e.myJDBC = u
		mu, err := url.Parse(strings.TrimPrefix(u, "jdbc:"))
		if err != nil {
			return err
		}
		e.myDSN = fmt.Sprintf("%s@tcp(%s)%s", mu.Query().Get("user"), mu.Host, mu.Path)
		if e.my, err = sql.Open("mysql", e.myDSN); err != nil {
			return err
		}
		if err := e.my.PingContext(ctx); err != nil {
			return err
		}
	}
	return nil
}

// dbDirs are the directories of the servers this process started.
var dbDirs []string

func startDB(kind string) (string, error) {
	if v := os.Getenv(map[string]string{"postgres": harness.PostgresURLEnv, "mariadb": harness.MariaDBURLEnv}[kind]); v != "" {
		return v, nil
	}
	dir, err := os.MkdirTemp("", "goconnect-bench-"+kind+"-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("bash", harness.DatabasesScript(), "start", kind, dir)
	cmd.Env = append(os.Environ(), "GOCONNECT_WATCH_PID="+strconv.Itoa(os.Getpid()))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("databases.sh start %s: %w\n%s", kind, err, stderr.String())
	}
	dbDirs = append(dbDirs, dir)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1], nil
}

// stopDatabases stops the servers startDB started and removes their data.
func stopDatabases() {
	for _, dir := range dbDirs {
		cmd := exec.Command("bash", harness.DatabasesScript(), "stop", dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			logf("databases.sh stop %s: %v\n%s", dir, err, out)
		}
		os.RemoveAll(dir)
	}
	dbDirs = nil
}

// warmGroupCoordinator makes the fresh broker create __consumer_offsets before any
// contender runs: the first group lookup triggers it (~1 s), and that second would
// otherwise be charged to whichever sink contender happens to use a group first.
func warmGroupCoordinator(ctx context.Context, adm *kadm.Client) error {
	deadline := time.Now().Add(time.Minute)
	for {
		err := adm.FindGroupCoordinators(ctx, "goconnect-bench-warmup").Error()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("group coordinator: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
