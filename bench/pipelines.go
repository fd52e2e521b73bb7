package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// env is what every pipeline shares: the broker, the databases, the binaries.
type env struct {
	work       string // scratch directory of this bench run
	bootstrap  string
	kcl        *kgo.Client
	adm        *kadm.Client
	records    int64
	partitions int

	goBin, rawBin, profBin string
	javaLibs, javaLog4j    string
	javaPlugins            string // Kafka's plugin dirs (connect-file, connect-test-plugins)
	jdbcPlugin             string // a Java JDBC sink plugin dir, "" if none could be had
	jdbcNote               string // why there is none, or which one it is

	searchURL   string       // "" until started
	hc          *http.Client // for the search server
	lastRefresh time.Time    // of the es-sink index (esCount)

	pgJDBC, pgDSN string // "" until started
	myJDBC, myDSN string
	pg            *pgx.Conn
	my            *sql.DB

	ordersOnce sync.Once
	ordersErr  error
}

// target is one contender run's destination and the connector configs that fill it.
type target struct {
	goConfig   map[string]string // the connector config for goconnect
	javaConfig map[string]string // for Java Connect; nil when there is no Java connector
	javaPlugin string            // plugin.path for Java
	javaCP     string            // extra classpath entries for Java
	javaName   string            // the Java connector's name, for the table
	raw        []string          // arguments of bench/raw
	count      func(context.Context) (int64, error)
	pollEvery  time.Duration
}

// pipeline is one row group of the results table.
type pipeline struct {
	name  string
	needs string // "", "postgres", "mariadb" or "search"
	// javaNone says why there is no Java contender, for pipelines without one.
	javaNone string
	prepare  func(ctx context.Context, e *env) error
	setup    func(ctx context.Context, e *env, id string) (*target, error)
}

var allPipelines = []*pipeline{
	{name: "file-source", prepare: prepareFileSource, setup: setupFileSource},
	{name: "file-sink", prepare: prepareFileSink, setup: setupFileSink},
	{name: "verifiable-source", prepare: func(context.Context, *env) error { return nil }, setup: setupVerifiable},
	{name: "pg-insert", needs: "postgres", prepare: prepareOrders, setup: setupJDBC("postgres", "insert")},
	{name: "pg-upsert", needs: "postgres", prepare: prepareOrders, setup: setupJDBC("postgres", "upsert")},
	{name: "mariadb-insert", needs: "mariadb", prepare: prepareOrders, setup: setupJDBC("mariadb", "insert")},
	{name: "es-sink", needs: "search", prepare: prepareES, setup: setupES, javaNone: esJavaNone},
}

// line returns the i-th line of the file pipelines: ~200 bytes of text.
func line(i int64) string {
	const filler = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo"
	s := fmt.Sprintf("line %010d %s", i, filler)
	return s[:200]
}

func (e *env) inputFile() string { return filepath.Join(e.work, "file-source.txt") }

func prepareFileSource(_ context.Context, e *env) error {
	f, err := os.Create(e.inputFile())
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := int64(0); i < e.records; i++ {
		w.WriteString(line(i))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (e *env) createTopic(ctx context.Context, topic string) error {
	resp, err := e.adm.CreateTopic(ctx, int32(e.partitions), 1, nil, topic)
	if err != nil {
		return fmt.Errorf("create topic %s: %w", topic, err)
	}
	if resp.Err != nil {
		return fmt.Errorf("create topic %s: %w", topic, resp.Err)
	}
	return nil
}

// produce writes n records made by gen to a new topic.
func (e *env) produce(ctx context.Context, topic string, gen func(i int64) (key, value []byte)) error {
	if err := e.createTopic(ctx, topic); err != nil {
		return err
	}
	var mu sync.Mutex
	var firstErr error
	for i := int64(0); i < e.records; i++ {
		k, v := gen(i)
		e.kcl.Produce(ctx, &kgo.Record{Topic: topic, Key: k, Value: v}, func(_ *kgo.Record, err error) {
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	if err := e.kcl.Flush(ctx); err != nil {
		return err
	}
	return firstErr
}

// endOffsets counts the records in topic (the sum of its partitions' high watermarks).
func (e *env) endOffsets(topic string) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		lo, err := e.adm.ListEndOffsets(ctx, topic)
		if err != nil {
			return 0, err
		}
		if err := lo.Error(); err != nil {
			return 0, err
		}
		var n int64
		lo.Each(func(o kadm.ListedOffset) { n += o.Offset })
		return n, nil
	}
}

func setupFileSource(ctx context.Context, e *env, id string) (*target, error) {
	topic := "bench-file-source-" + id
	if err := e.createTopic(ctx, topic); err != nil {
		return nil, err
	}
	cfg := map[string]string{"connector.class": "FileStreamSource", "tasks.max": "1",
		"file": e.inputFile(), "topic": topic}
	java := clone(cfg)
	java["connector.class"] = "org.apache.kafka.connect.file.FileStreamSourceConnector"
	return &target{
		goConfig: cfg, javaConfig: java, javaName: "FileStreamSource (connect-file 4.3.1)",
		javaPlugin: filepath.Join(e.javaPlugins, "connect-file"),
		raw:        []string{"produce-file", "-bootstrap", e.bootstrap, "-topic", topic, "-file", e.inputFile()},
		count:      e.endOffsets(topic), pollEvery: 20 * time.Millisecond,
	}, nil
}

const fileSinkTopic = "bench-file-sink"

// stringEnvelope is JsonConverter's form (schemas.enable=true) of a STRING value.
func stringEnvelope(s string) []byte {
	q, _ := json.Marshal(s)
	return append(append([]byte(`{"schema":{"type":"string","optional":false},"payload":`), q...), '}')
}

func prepareFileSink(ctx context.Context, e *env) error {
	return e.produce(ctx, fileSinkTopic, func(i int64) ([]byte, []byte) { return nil, stringEnvelope(line(i)) })
}

// lineCounter counts newlines in a growing file, reading only what was appended.
type lineCounter struct {
	path string
	off  int64
	n    int64
	buf  []byte
}

func (c *lineCounter) count(context.Context) (int64, error) {
	f, err := os.Open(c.path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(c.off, io.SeekStart); err != nil {
		return 0, err
	}
	if c.buf == nil {
		c.buf = make([]byte, 1<<20)
	}
	for {
		k, err := f.Read(c.buf)
		c.n += int64(bytes.Count(c.buf[:k], []byte{'\n'}))
		c.off += int64(k)
		if err == io.EOF || k == 0 {
			return c.n, nil
		}
		if err != nil {
			return c.n, err
		}
	}
}

func setupFileSink(_ context.Context, e *env, id string) (*target, error) {
	out := filepath.Join(e.work, id+".out")
	_ = os.Remove(out)
	cfg := map[string]string{"connector.class": "FileStreamSink", "tasks.max": "1",
		"file": out, "topics": fileSinkTopic}
	java := clone(cfg)
	java["connector.class"] = "org.apache.kafka.connect.file.FileStreamSinkConnector"
	lc := &lineCounter{path: out}
	return &target{
		goConfig: cfg, javaConfig: java, javaName: "FileStreamSink (connect-file 4.3.1)",
		javaPlugin: filepath.Join(e.javaPlugins, "connect-file"),
		raw: []string{"consume-file", "-bootstrap", e.bootstrap, "-topic", fileSinkTopic,
			"-records", strconv.FormatInt(e.records, 10), "-out", out},
		count: lc.count, pollEvery: 20 * time.Millisecond,
	}, nil
}

func setupVerifiable(ctx context.Context, e *env, id string) (*target, error) {
	topic := "bench-verifiable-" + id
	if err := e.createTopic(ctx, topic); err != nil {
		return nil, err
	}
	// throughput -1: unthrottled. Both workers print one JSON line per record to
	// stdout, as Java's VerifiableSourceTask does; stdout goes to the log file.
	cfg := map[string]string{"connector.class": "VerifiableSource", "tasks.max": "1",
		"topic": topic, "throughput": "-1"}
	java := clone(cfg)
	java["connector.class"] = "org.apache.kafka.connect.tools.VerifiableSourceConnector"
	return &target{
		goConfig: cfg, javaConfig: java, javaName: "VerifiableSource (connect-test-plugins 4.3.1)",
		// Java's PluginClassLoader delegates org.apache.kafka.connect.tools.* to the
		// worker's classpath (PluginUtils' isolation rules), so from plugin.path the
		// connector is listed but cannot be created: the jar goes on the classpath,
		// as in Kafka's system tests.
		javaCP: filepath.Join(e.javaPlugins, "connect-test-plugins", "*"),
		raw: []string{"produce-seq", "-bootstrap", e.bootstrap, "-topic", topic,
			"-records", strconv.FormatInt(e.records, 10)},
		count: e.endOffsets(topic), pollEvery: 20 * time.Millisecond,
	}, nil
}

// The database pipelines share one topic of schema'd JSON orders, and the table
// of the same name (the sinks' default table.name.format is ${topic}).
const ordersTopic = "bench_orders"

const orderSchema = `{"type":"struct","name":"bench.Order","optional":false,"fields":[` +
	`{"field":"id","type":"int64","optional":false},` +
	`{"field":"customer","type":"string","optional":false},` +
	`{"field":"product","type":"string","optional":false},` +
	`{"field":"quantity","type":"int32","optional":false},` +
	`{"field":"price","type":"double","optional":false},` +
	`{"field":"note","type":"string","optional":false}]}`

// order returns the key and value of order i: the payload is ~200 bytes, the
// envelope with its schema ~600.
func order(i int64) (key, value []byte) {
	key = []byte(`{"schema":{"type":"int64","optional":false},"payload":` + strconv.FormatInt(i, 10) + `}`)
	payload := fmt.Sprintf(`{"id":%d,"customer":"customer-%06d","product":"product-%04d","quantity":%d,"price":%d.%02d,"note":%q}`,
		i, i%100000, i%5000, 1+i%20, 1+i%500, i%100, line(i)[:96])
	value = []byte(`{"schema":` + orderSchema + `,"payload":` + payload + `}`)
	return key, value
}

func prepareOrders(ctx context.Context, e *env) error {
	e.ordersOnce.Do(func() {
		e.ordersErr = e.produce(ctx, ordersTopic, order)
	})
	return e.ordersErr
}

const (
	pgDDL = `CREATE TABLE IF NOT EXISTS bench_orders (id BIGINT PRIMARY KEY, customer TEXT NOT NULL,
		product TEXT NOT NULL, quantity INT NOT NULL, price DOUBLE PRECISION NOT NULL, note TEXT NOT NULL)`
	myDDL = `CREATE TABLE IF NOT EXISTS bench_orders (id BIGINT PRIMARY KEY, customer VARCHAR(64) NOT NULL,
		product VARCHAR(64) NOT NULL, quantity INT NOT NULL, price DOUBLE NOT NULL, note TEXT NOT NULL)`
)

// setupJDBC empties the table (created once with the same DDL for every
// contender) and returns the configs of the JDBC sinks.
func setupJDBC(db, mode string) func(ctx context.Context, e *env, id string) (*target, error) {
	return func(ctx context.Context, e *env, id string) (*target, error) {
		t := &target{pollEvery: 200 * time.Millisecond}
		var jdbcURL string
		switch db {
		case "postgres":
			if _, err := e.pg.Exec(ctx, pgDDL); err != nil {
				return nil, err
			}
			if _, err := e.pg.Exec(ctx, "TRUNCATE bench_orders"); err != nil {
				return nil, err
			}
			jdbcURL = e.pgJDBC
			t.raw = []string{"consume-pg", "-url", e.pgDSN, "-mode", mode}
			t.count = func(ctx context.Context) (n int64, err error) {
				err = e.pg.QueryRow(ctx, "SELECT count(*) FROM bench_orders").Scan(&n)
				return n, err
			}
		case "mariadb":
			if _, err := e.my.ExecContext(ctx, myDDL); err != nil {
				return nil, err
			}
			if _, err := e.my.ExecContext(ctx, "TRUNCATE TABLE bench_orders"); err != nil {
				return nil, err
			}
			jdbcURL = e.myJDBC
			t.raw = []string{"consume-mysql", "-url", e.myDSN}
			t.count = func(ctx context.Context) (n int64, err error) {
				err = e.my.QueryRowContext(ctx, "SELECT count(*) FROM bench_orders").Scan(&n)
				return n, err
			}
		}
		t.raw = append(t.raw, "-bootstrap", e.bootstrap, "-topic", ordersTopic, "-table", "bench_orders",
			"-records", strconv.FormatInt(e.records, 10))
		t.goConfig = map[string]string{"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
			"tasks.max": "1", "topics": ordersTopic, "connection.url": jdbcURL, "insert.mode": mode,
			"pk.mode": "none", "auto.create": "false"}
		if mode == "upsert" {
			t.goConfig["pk.mode"], t.goConfig["pk.fields"] = "record_value", "id"
		}
		if e.jdbcPlugin != "" {
			// Debezium's JDBC sink (io.debezium:debezium-connector-jdbc plugin archive):
			// the same table (collection.name.format defaults to ${topic}), the same
			// insert mode and primary key, no DDL (schema.evolution=none, like
			// auto.create=false). batch.size is each connector's default (Debezium
			// 500, goconnect 3000, as Confluent's).
			u, user := splitJDBCUser(jdbcURL)
			t.javaConfig = map[string]string{"connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
				"tasks.max": "1", "topics": ordersTopic, "connection.url": u,
				"connection.username": user, "connection.password": "",
				"insert.mode": mode, "primary.key.mode": "none", "schema.evolution": "none"}
			if mode == "upsert" {
				t.javaConfig["primary.key.mode"], t.javaConfig["primary.key.fields"] = "record_value", "id"
			}
			t.javaPlugin = e.jdbcPlugin
			t.javaName = e.jdbcNote
		}
		return t, nil
	}
}

// splitJDBCUser moves ?user=X out of a JDBC URL (Debezium takes connection.username).
func splitJDBCUser(u string) (string, string) {
	base, q, _ := strings.Cut(u, "?")
	var user string
	var rest []string
	for _, kv := range strings.Split(q, "&") {
		if v, ok := strings.CutPrefix(kv, "user="); ok {
			user = v
		} else if kv != "" {
			rest = append(rest, kv)
		}
	}
	if len(rest) > 0 {
		base += "?" + strings.Join(rest, "&")
	}
	return base, user
}

func clone(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
