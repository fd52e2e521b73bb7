// Command raw is the "raw limit" contender of the benchmark (go run ./bench): each
// pipeline's work done with no framework at all — a bare franz-go producer or
// consumer, bufio for files, pgx CopyFrom for PostgreSQL inserts, multi-row
// statements for upserts and MariaDB, and _bulk requests over net/http for the
// search server. It reads and writes the same bytes as the
// connectors (JsonConverter envelopes with schemas), so the difference to
// goconnect is the cost of the framework.
//
// After the work is done it prints "done" and waits for SIGTERM, so the bench can
// read its CPU time and peak RSS from /proc before it exits.
//
//	raw produce-file   -bootstrap B -topic T -file F
//	raw produce-seq    -bootstrap B -topic T -records N
//	raw consume-file   -bootstrap B -topic T -records N -out F
//	raw consume-pg     -bootstrap B -topic T -records N -url postgres://... -table X -mode insert|upsert
//	raw consume-mysql  -bootstrap B -topic T -records N -url user@tcp(h:p)/db -table X
//	raw consume-es     -bootstrap B -topic T -records N -url http://h:p -index I -mapping JSON [-batch 2000 -inflight 5]
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: raw produce-file|produce-seq|consume-file|consume-pg|consume-mysql|consume-es [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	bootstrap := fs.String("bootstrap", "127.0.0.1:9092", "Kafka bootstrap address")
	topic := fs.String("topic", "", "topic")
	file := fs.String("file", "", "input file (produce-file)")
	out := fs.String("out", "", "output file (consume-file)")
	records := fs.Int64("records", 0, "records to move")
	url := fs.String("url", "", "database URL")
	table := fs.String("table", "", "database table")
	mode := fs.String("mode", "insert", "insert or upsert (consume-pg)")
	batch := fs.Int("batch", 1000, "rows per statement (multi-row statements), documents per _bulk request (consume-es)")
	index := fs.String("index", "", "search index (consume-es)")
	mapping := fs.String("mapping", "", "index mapping JSON, created before the first write (consume-es)")
	inflight := fs.Int("inflight", 5, "concurrent _bulk requests (consume-es)")
	_ = fs.Parse(os.Args[2:])

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	var err error
	switch os.Args[1] {
	case "produce-file":
		err = produceFile(ctx, *bootstrap, *topic, *file)
	case "produce-seq":
		err = produceSeq(ctx, *bootstrap, *topic, *records)
	case "consume-file":
		err = consumeFile(ctx, *bootstrap, *topic, *records, *out)
	case "consume-pg":
		err = consumePG(ctx, *bootstrap, *topic, *records, *url, *table, *mode, *batch)
	case "consume-mysql":
		err = consumeMySQL(ctx, *bootstrap, *topic, *records, *url, *table, *batch)
	case "consume-es":
		err = consumeES(ctx, *bootstrap, *topic, *records, *url, *index, *mapping, *batch, *inflight)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "raw: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("done")
	<-ctx.Done()
}

func producer(bootstrap, topic string) (*kgo.Client, error) {
	return kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.DefaultProduceTopic(topic),
		kgo.ProducerBatchMaxBytes(1<<20))
}

// stringEnvelope is what JsonConverter (schemas.enable=true) writes for a STRING value.
func stringEnvelope(dst []byte, s string) []byte {
	dst = append(dst, `{"schema":{"type":"string","optional":false},"payload":`...)
	q, _ := json.Marshal(s)
	dst = append(dst, q...)
	return append(dst, '}')
}

func produceFile(ctx context.Context, bootstrap, topic, file string) error {
	cl, err := producer(bootstrap, topic)
	if err != nil {
		return err
	}
	defer cl.Close()
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	var firstErr error
	failed := func(_ *kgo.Record, err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	for sc.Scan() {
		cl.Produce(ctx, &kgo.Record{Value: stringEnvelope(nil, sc.Text())}, failed)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := cl.Flush(ctx); err != nil {
		return err
	}
	return firstErr
}

// produceSeq does VerifiableSource's work: key = task id (INT32), value = seqno
// (INT64), and the two JSON lines per record its task prints to stdout (one when the
// record is produced, one when Kafka acknowledged it), in the key order of Java's
// HashMap. The printing is part of the connector's contract (Kafka's system tests
// read it), so the raw limit does it too, buffered.
func produceSeq(ctx context.Context, bootstrap, topic string, n int64) error {
	cl, err := producer(bootstrap, topic)
	if err != nil {
		return err
	}
	defer cl.Close()
	const seqPrefix = `{"schema":{"type":"int64","optional":false},"payload":`
	var (
		mu       sync.Mutex // guards out, ackLine and firstErr: acks run on franz-go's goroutine
		out      = bufio.NewWriterSize(os.Stdout, 64<<10)
		ackLine  = make([]byte, 0, 160)
		firstErr error
	)
	defer out.Flush()
	name := strconv.Quote("raw")
	quotedTopic := strconv.Quote(topic)
	line := func(b []byte, committed bool, seq int64) []byte {
		b = append(b, '{')
		if committed {
			b = append(b, `"committed":true,`...)
		}
		b = append(b, `"task":0,"seqno":`...)
		b = strconv.AppendInt(b, seq, 10)
		b = append(b, `,"time_ms":`...)
		b = strconv.AppendInt(b, time.Now().UnixMilli(), 10)
		b = append(b, `,"name":`...)
		b = append(b, name...)
		b = append(b, `,"topic":`...)
		b = append(b, quotedTopic...)
		return append(b, "}\n"...)
	}
	acked := func(r *kgo.Record, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil && firstErr == nil {
			firstErr = err
		}
		// The seqno is the value's payload: {"schema":...,"payload":<seqno>}.
		seq, _ := strconv.ParseInt(string(r.Value[len(seqPrefix):len(r.Value)-1]), 10, 64)
		ackLine = line(ackLine[:0], true, seq)
		out.Write(ackLine)
	}
	key := []byte(`{"schema":{"type":"int32","optional":false},"payload":0}`)
	scratch := make([]byte, 0, 160)
	for i := int64(0); i < n; i++ {
		v := make([]byte, 0, 64)
		v = append(v, seqPrefix...)
		v = strconv.AppendInt(v, i, 10)
		v = append(v, '}')
		mu.Lock()
		scratch = line(scratch[:0], false, i)
		out.Write(scratch)
		mu.Unlock()
		cl.Produce(ctx, &kgo.Record{Key: key, Value: v}, acked)
	}
	if err := cl.Flush(ctx); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	return firstErr
}

func consumer(bootstrap, topic string) (*kgo.Client, error) {
	return kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
}

// consume calls fn with each fetch's records until n records were seen.
func consume(ctx context.Context, bootstrap, topic string, n int64, fn func([]*kgo.Record) error) error {
	cl, err := consumer(bootstrap, topic)
	if err != nil {
		return err
	}
	defer cl.Close()
	var seen int64
	for seen < n {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		var ferr error
		fs.EachError(func(_ string, _ int32, err error) {
			if ferr == nil {
				ferr = err
			}
		})
		if ferr != nil {
			return ferr
		}
		recs := fs.Records()
		if len(recs) > int(n-seen) {
			recs = recs[:n-seen]
		}
		if err := fn(recs); err != nil {
			return err
		}
		seen += int64(len(recs))
	}
	return nil
}

func consumeFile(ctx context.Context, bootstrap, topic string, n int64, out string) error {
	f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<16)
	var env struct {
		Payload string `json:"payload"`
	}
	err = consume(ctx, bootstrap, topic, n, func(recs []*kgo.Record) error {
		for _, r := range recs {
			env.Payload = ""
			if err := json.Unmarshal(r.Value, &env); err != nil {
				return err
			}
			w.WriteString(env.Payload)
			w.WriteByte('\n')
		}
		return w.Flush() // lines are visible once per fetch, as a sink's flush would make them
	})
	if err != nil {
		return err
	}
	return f.Sync()
}

// order is the benchmark's database row (see bench/data.go).
type order struct {
	ID       int64   `json:"id"`
	Customer string  `json:"customer"`
	Product  string  `json:"product"`
	Quantity int32   `json:"quantity"`
	Price    float64 `json:"price"`
	Note     string  `json:"note"`
}

var orderColumns = []string{"id", "customer", "product", "quantity", "price", "note"}

func decodeOrders(recs []*kgo.Record) ([]order, error) {
	rows := make([]order, len(recs))
	var env struct {
		Payload *order `json:"payload"`
	}
	for i, r := range recs {
		env.Payload = &rows[i]
		if err := json.Unmarshal(r.Value, &env); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

func consumePG(ctx context.Context, bootstrap, topic string, n int64, url, table, mode string, batch int) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var upsert string
	if mode == "upsert" {
		upsert = " ON CONFLICT (id) DO UPDATE SET customer=EXCLUDED.customer, product=EXCLUDED.product," +
			" quantity=EXCLUDED.quantity, price=EXCLUDED.price, note=EXCLUDED.note"
	} else if mode != "insert" {
		return fmt.Errorf("unknown mode %q", mode)
	}
	return consume(ctx, bootstrap, topic, n, func(recs []*kgo.Record) error {
		rows, err := decodeOrders(recs)
		if err != nil {
			return err
		}
		if mode == "insert" {
			_, err := conn.CopyFrom(ctx, pgx.Identifier{table}, orderColumns, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				o := &rows[i]
				return []any{o.ID, o.Customer, o.Product, o.Quantity, o.Price, o.Note}, nil
			}))
			return err
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		for len(rows) > 0 {
			k := min(batch, len(rows))
			q, args := multiRowInsert(table, rows[:k], func(i int) string { return "$" + strconv.Itoa(i) })
			if _, err := tx.Exec(ctx, q+upsert, args...); err != nil {
				return err
			}
			rows = rows[k:]
		}
		return tx.Commit(ctx)
	})
}

func multiRowInsert(table string, rows []order, placeholder func(int) string) (string, []any) {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(orderColumns, ",") + ") VALUES ")
	args := make([]any, 0, len(rows)*len(orderColumns))
	for i, o := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range orderColumns {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(placeholder(len(args) + j + 1))
		}
		b.WriteByte(')')
		args = append(args, o.ID, o.Customer, o.Product, o.Quantity, o.Price, o.Note)
	}
	return b.String(), args
}

func consumeMySQL(ctx context.Context, bootstrap, topic string, n int64, url, table string, batch int) error {
	db, err := sql.Open("mysql", url)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return err
	}
	return consume(ctx, bootstrap, topic, n, func(recs []*kgo.Record) error {
		rows, err := decodeOrders(recs)
		if err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for len(rows) > 0 {
			k := min(batch, len(rows))
			q, args := multiRowInsert(table, rows[:k], func(int) string { return "?" })
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
			rows = rows[k:]
		}
		if err := tx.Commit(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			return err
		}
		return nil
	})
}
