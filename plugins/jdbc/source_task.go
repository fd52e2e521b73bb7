package jdbc

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// Source partition and offset keys, as Confluent's JdbcSourceConnectorConstants,
// OffsetProtocols and TimestampIncrementingOffset, so offsets written by the Java
// connector are resumed and vice versa.
const (
	partitionTableKey     = "table"
	partitionProtocolKey  = "protocol"
	partitionProtocolV1   = "1"
	partitionQueryKey     = "query"
	partitionQueryValue   = "query"
	offsetIncrementingKey = "incrementing"
	offsetTimestampKey    = "timestamp"
	offsetTimestampNanos  = "timestamp_nanos"
)

// SourceTask polls its tables (or the query) in turn, each at most every
// poll.interval.ms, returning at most batch.max.rows rows per Poll.
type SourceTask struct {
	cfg      *sourceConfig
	d        dialect
	db       *sql.DB
	b        *sqlBuilder
	queriers []*querier
	// noWriters is set once the open-transaction bound turned out unreadable
	// (privileges): timestamp queries then use timestamp.delay.interval.ms alone.
	noWriters bool
	// staleSince is when reads of the open transactions started coming back stale
	// (zero when the last read was fresh); staleWarned rate-limits the warning.
	staleSince, staleWarned time.Time
}

// querier reads one table or the query (Confluent's TableQuerier).
type querier struct {
	table     tableID // zero for query mode
	topic     string
	partition map[string]any
	schema    string // Struct schema name: the table name, none for a query

	incCol string // the incrementing column: configured, or detected per table

	// offset of the last row returned; incrementing -1 and timestamp zero mean
	// "from the start", as TimestampIncrementingOffset.
	inc    int64
	ts     time.Time
	hasTS  bool
	next   time.Time // when the next query may start
	rows   *sql.Rows
	cancel context.CancelFunc
	cols   []sourceColumn
	st     *data.Schema
	incIdx int   // column index of the incrementing column, -1 if none
	tsIdx  []int // column indexes of the timestamp columns
}

// Start opens the connection, builds a querier per table and loads each one's
// committed offset (protocol 1 partition first, then Confluent's older
// unqualified protocol 0 partition).
func (t *SourceTask) Start(tc connect.SourceTaskContext, props map[string]string) error {
	cfg, err := parseSourceConfig(props)
	if err != nil {
		return err
	}
	u, err := parseURL(cfg.url, cfg.user, cfg.password)
	if err != nil {
		return err
	}
	if t.d, err = dialectFor(cfg.dialectName, u); err != nil {
		return err
	}
	if t.db, err = openDB(t.d, u, cfg.connConfig); err != nil {
		return err
	}
	t.db.SetMaxOpenConns(2)
	t.cfg = cfg
	t.b = &sqlBuilder{d: t.d, quote: cfg.quote}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if cfg.query != "" {
		t.queriers = []*querier{{topic: cfg.topicPrefix, incCol: cfg.incColumn, partition: map[string]any{partitionQueryKey: partitionQueryValue}}}
	} else {
		if len(cfg.tables) == 0 {
			return fmt.Errorf("no tables assigned to this task (task config %q is empty)", tablesConfig)
		}
		for _, name := range cfg.tables {
			id := parseTableID(name)
			if _, ok := t.d.(mysqlDialect); ok && id.schema != "" && id.catalog == "" {
				id = tableID{catalog: id.schema, name: id.name} // MySQL's database is the catalog
			}
			q := &querier{table: id, topic: cfg.topicPrefix + id.name, schema: id.name, incCol: cfg.incColumn,
				partition: map[string]any{partitionTableKey: id.String(), partitionProtocolKey: partitionProtocolV1}}
			if err := t.validateColumns(ctx, q); err != nil {
				t.db.Close()
				return err
			}
			t.queriers = append(t.queriers, q)
		}
	}
	for _, q := range t.queriers {
		q.inc = -1
		if cfg.tsInitial != nil {
			q.hasTS = true
			q.ts = time.UnixMilli(*cfg.tsInitial)
			if *cfg.tsInitial == timestampInitialCurrentDef {
				if q.ts, err = t.d.currentTime(ctx, t.db); err != nil {
					t.db.Close()
					return fmt.Errorf("read the database clock for timestamp.initial=-1: %w", err)
				}
			}
		}
		off, err := tc.OffsetStorageReader().Offset(ctx, q.partition)
		if err == nil && off == nil && q.table.name != "" {
			off, err = tc.OffsetStorageReader().Offset(ctx, map[string]any{partitionTableKey: q.table.name})
		}
		if err != nil {
			t.db.Close()
			return fmt.Errorf("read offset of %v: %w", q.partition, err)
		}
		if err := q.loadOffset(off); err != nil {
			t.db.Close()
			return err
		}
	}
	return nil
}

func (q *querier) loadOffset(off map[string]any) error {
	if off == nil {
		return nil
	}
	if v, ok := off[offsetIncrementingKey]; ok && v != nil {
		n, err := asInt64(v)
		if err != nil {
			return fmt.Errorf("offset %v of %v: incrementing: %w", off, q.partition, err)
		}
		q.inc = n
	}
	if v, ok := off[offsetTimestampKey]; ok && v != nil {
		ms, err := asInt64(v)
		if err != nil {
			return fmt.Errorf("offset %v of %v: timestamp: %w", off, q.partition, err)
		}
		ts := time.UnixMilli(ms)
		if nv, ok := off[offsetTimestampNanos]; ok && nv != nil {
			ns, err := asInt64(nv)
			if err != nil {
				return fmt.Errorf("offset %v of %v: timestamp_nanos: %w", off, q.partition, err)
			}
			// timestamp_nanos is java.sql.Timestamp.getNanos: the whole fraction of
			// the second, which replaces the millisecond part.
			ts = time.Unix(ts.Unix(), ns)
			if ms < 0 && ms%1000 != 0 {
				ts = time.Unix(ts.Unix()-1, ns)
			}
		}
		q.ts, q.hasTS = ts, true
	}
	return nil
}

func asInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case int:
		return int64(x), nil
	case float64:
		return int64(x), nil
	case json.Number:
		return x.Int64()
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("not a number: %T %v", v, v)
}

// validateColumns checks that the mode's columns exist and, with
// validate.non.null, are NOT NULL (Confluent fails the task the same way).
func (t *SourceTask) validateColumns(ctx context.Context, q *querier) error {
	if t.cfg.mode == modeBulk {
		return nil
	}
	cols, err := t.d.describe(ctx, t.db, q.table)
	if err != nil {
		return fmt.Errorf("describe table %s: %w", q.table, err)
	}
	if cols == nil {
		return fmt.Errorf("table %s does not exist", q.table)
	}
	find := func(name string) (dbColumn, bool) {
		for _, c := range cols {
			if c.name == name || strings.EqualFold(c.name, name) {
				return c, true
			}
		}
		return dbColumn{}, false
	}
	if t.cfg.mode == modeIncrementing || t.cfg.mode == modeTimestampIncrementing {
		if q.incCol == "" {
			// Confluent detects the table's auto-increment column when none is named.
			n, err := t.d.autoIncrement(ctx, t.db, q.table)
			if err != nil {
				return fmt.Errorf("detect the auto-increment column of %s: %w", q.table, err)
			}
			if n == "" {
				return fmt.Errorf("table %s has no auto-increment column: set incrementing.column.name", q.table)
			}
			q.incCol = n
		}
		c, ok := find(q.incCol)
		if !ok {
			return fmt.Errorf("incrementing column %s not found in table %s", q.incCol, q.table)
		}
		if t.cfg.validateNonNull && c.nullable {
			return fmt.Errorf("Cannot make incremental queries using incrementing column %s on %s because this column is nullable.", q.incCol, q.table)
		}
	}
	if t.cfg.mode == modeTimestamp || t.cfg.mode == modeTimestampIncrementing {
		allNullable := true
		for _, n := range t.cfg.tsColumns {
			c, ok := find(n)
			if !ok {
				return fmt.Errorf("timestamp column %s not found in table %s", n, q.table)
			}
			allNullable = allNullable && c.nullable
		}
		if t.cfg.validateNonNull && allNullable {
			return fmt.Errorf("Cannot make incremental queries using timestamp columns %v on %s because all of these columns are nullable.", t.cfg.tsColumns, q.table)
		}
	}
	return nil
}

// Poll returns the next rows of the querier that is due first, waiting for it up
// to about a second. A database error that looks transient is returned as a
// RetriableError (the runtime calls Poll again); the querier then starts over
// from its last offset.
func (t *SourceTask) Poll(ctx context.Context) ([]*connect.Record, error) {
	deadline := time.Now().Add(time.Second)
	for {
		q := t.queriers[0]
		for _, o := range t.queriers[1:] {
			if o.next.Before(q.next) {
				q = o
			}
		}
		if wait := time.Until(q.next); wait > 0 {
			if time.Now().Add(wait).After(deadline) {
				wait = time.Until(deadline)
			}
			if wait > 0 {
				tm := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					tm.Stop()
					return nil, nil
				case <-tm.C:
				}
			}
			if time.Until(q.next) > 0 {
				return nil, nil
			}
		}
		recs, err := t.read(ctx, q)
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			// A Poll's ctx was cancelled while its query ran: the result set is
			// gone but nothing is wrong; start over from the offset.
			q.close()
			if ctx.Err() != nil {
				return nil, nil
			}
			continue
		}
		if err != nil {
			q.close()
			q.next = time.Now().Add(t.cfg.pollInterval)
			if t.d.transient(err) || ctx.Err() != nil || errors.Is(err, errStaleTxnView) {
				return nil, &connect.RetriableError{Err: fmt.Errorf("query %v: %w", q.partition, err)}
			}
			return nil, fmt.Errorf("query %v: %w", q.partition, err)
		}
		if len(recs) > 0 {
			return recs, nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return nil, nil
		}
	}
}

// read returns up to batch.max.rows rows of q, starting its query when none is
// open; when the result is exhausted the querier rests for poll.interval.ms.
func (t *SourceTask) read(ctx context.Context, q *querier) ([]*connect.Record, error) {
	if q.rows == nil {
		if err := t.startQuery(ctx, q); err != nil {
			return nil, err
		}
	}
	var out []*connect.Record
	raw := make([]any, len(q.cols))
	ptrs := make([]any, len(q.cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for len(out) < t.cfg.batchMaxRows {
		if !q.rows.Next() {
			err := q.rows.Err()
			q.close()
			q.next = time.Now().Add(t.cfg.pollInterval)
			return out, err
		}
		if err := q.rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		st := data.NewStruct(q.st)
		vals := make([]any, len(q.cols))
		for i, c := range q.cols {
			v, err := c.convert(raw[i], t.cfg.tz)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", c.name, err)
			}
			vals[i] = v
			if err := st.Put(c.name, v); err != nil {
				return nil, fmt.Errorf("column %s: %w", c.name, err)
			}
		}
		rec := &connect.Record{Topic: q.topic, Partition: -1, ValueSchema: q.st, Value: st, SourcePartition: q.partition}
		if t.cfg.mode != modeBulk {
			rec.SourceOffset = q.advance(vals)
		}
		out = append(out, rec)
	}
	return out, nil
}

// advance moves the querier's offset to a row and returns it as an offset map.
func (q *querier) advance(vals []any) map[string]any {
	off := map[string]any{}
	if q.incIdx >= 0 {
		if n, err := asInt64(vals[q.incIdx]); err == nil {
			q.inc = n
		}
		off[offsetIncrementingKey] = q.inc
	}
	if len(q.tsIdx) > 0 {
		for _, i := range q.tsIdx {
			if ts, ok := vals[i].(time.Time); ok {
				q.ts, q.hasTS = ts, true
				break
			}
		}
		off[offsetTimestampKey] = q.ts.UnixMilli()
		off[offsetTimestampNanos] = int64(q.ts.Nanosecond())
	}
	return off
}

func (q *querier) close() {
	if q.rows != nil {
		q.rows.Close()
		q.rows = nil
	}
	if q.cancel != nil {
		q.cancel()
		q.cancel = nil
	}
}

// startQuery builds and runs the mode's query (Confluent's
// TimestampIncrementingCriteria): the bounds are the last offset and the
// database's clock minus timestamp.delay.interval.ms.
func (t *SourceTask) startQuery(pollCtx context.Context, q *querier) error {
	base := t.cfg.query
	if base == "" {
		base = "SELECT * FROM " + t.b.table(q.table)
	}
	var where, order string
	var args []any
	ph := 0
	p := func() string { ph++; return t.d.placeholder(ph) }
	inc := t.b.ident(q.incCol)
	var tsExpr string
	if len(t.cfg.tsColumns) == 1 {
		tsExpr = t.b.ident(t.cfg.tsColumns[0])
	} else if len(t.cfg.tsColumns) > 1 {
		tsExpr = "COALESCE(" + t.b.idents(t.cfg.tsColumns) + ")"
	}
	var end time.Time
	if t.cfg.mode == modeTimestamp || t.cfg.mode == modeTimestampIncrementing {
		now, err := t.d.currentTime(pollCtx, t.db)
		if err != nil {
			return err
		}
		end = now.Add(-t.cfg.tsDelay)
		// Read after the clock: a transaction that starts writing in between
		// stamps its rows after now and so is above the bound anyway.
		if start, ok, err := t.oldestWriter(pollCtx); err != nil {
			return err
		} else if ok && start.Add(-openTxnMargin).Before(end) {
			end = start.Add(-openTxnMargin)
		}
	}
	bindTS := func(ts time.Time) any { v, _ := t.d.bind(clsTimestamp, ts, t.cfg.tz); return v }
	begin := q.ts
	if !q.hasTS {
		begin = time.UnixMilli(0)
	}
	switch t.cfg.mode {
	case modeIncrementing:
		where = inc + " > " + p()
		args = append(args, q.inc)
		order = inc + " ASC"
	case modeTimestamp:
		where = tsExpr + " > " + p() + " AND " + tsExpr + " < " + p()
		args = append(args, bindTS(begin), bindTS(end))
		order = tsExpr + " ASC"
	case modeTimestampIncrementing:
		where = tsExpr + " < " + p() + " AND ((" + tsExpr + " = " + p() + " AND " + inc + " > " + p() + ") OR " + tsExpr + " > " + p() + ")"
		args = append(args, bindTS(end), bindTS(begin), q.inc, bindTS(begin))
		order = tsExpr + ", " + inc + " ASC"
	}
	sqlText := base
	if where != "" {
		sqlText += " WHERE " + where + " ORDER BY " + order
	}
	if t.cfg.suffix != "" {
		sqlText += " " + t.cfg.suffix
	}
	// The result set stays open across Polls, so its context is the querier's,
	// not the Poll call's; a stop during the query still cancels it.
	qctx, cancel := context.WithCancel(context.Background())
	stopAfter := context.AfterFunc(pollCtx, cancel)
	rows, err := t.db.QueryContext(qctx, sqlText, args...)
	stopAfter()
	if err != nil {
		cancel()
		return err
	}
	cts, err := rows.ColumnTypes()
	if err != nil {
		rows.Close()
		cancel()
		return err
	}
	q.rows, q.cancel = rows, cancel
	q.cols = make([]sourceColumn, len(cts))
	fields := make([]data.Field, len(cts))
	q.incIdx, q.tsIdx = -1, nil
	for i, ct := range cts {
		q.cols[i] = columnFor(t.d, ct, t.cfg.numericMapping)
		fields[i] = data.Field{Name: ct.Name(), Schema: q.cols[i].schema}
		if q.incCol != "" && strings.EqualFold(ct.Name(), q.incCol) {
			q.incIdx = i
		}
	}
	for _, n := range t.cfg.tsColumns {
		for i, ct := range cts {
			if strings.EqualFold(ct.Name(), n) {
				q.tsIdx = append(q.tsIdx, i)
			}
		}
	}
	q.st = data.NewStructSchema(q.schema, false, fields...)
	return nil
}

// openTxnMargin is kept below the start of the oldest open writing transaction:
// a column with less precision than the clock rounds a row's timestamp (to whole
// seconds at worst, possibly down), and MySQL reports starts in whole seconds.
const openTxnMargin = time.Second

// staleTxnViewLimit is how long polls are retried while the open transactions
// cannot be read fresh, before they fall back to timestamp.delay.interval.ms.
const staleTxnViewLimit = 30 * time.Second

// oldestWriter returns the start of the oldest open writing transaction of other
// sessions, when the dialect can tell and the user may see it. A privilege
// problem is logged once and the task goes on with timestamp.delay.interval.ms
// alone, as Confluent's connector always does.
func (t *SourceTask) oldestWriter(ctx context.Context) (time.Time, bool, error) {
	w, ok := t.d.(openWriters)
	if !ok || t.noWriters || !t.cfg.openTxnBound {
		return time.Time{}, false, nil
	}
	start, ok, err := w.oldestWriter(ctx, t.db)
	if errors.Is(err, errStaleTxnView) {
		// A stale view is usually brief: the poll is retried. But another session
		// reading innodb_trx more often than every 100 ms can keep it stale for as
		// long as it runs, and the table must not stall that long: after
		// staleTxnViewLimit, polls get Confluent's bound until a fresh read succeeds.
		if t.staleSince.IsZero() {
			t.staleSince = time.Now()
		}
		if time.Since(t.staleSince) < staleTxnViewLimit {
			return time.Time{}, false, err
		}
		if time.Since(t.staleWarned) > time.Minute {
			t.staleWarned = time.Now()
			slog.Warn("JDBC source: the open transactions could not be read fresh for "+staleTxnViewLimit.String()+
				" (another session reads information_schema.innodb_trx more often than every 100 ms); "+
				"polls use timestamp.delay.interval.ms alone until a fresh read succeeds", "dialect", t.d.name())
		}
		return time.Time{}, false, nil
	}
	t.staleSince = time.Time{}
	if err != nil {
		if t.d.transient(err) || ctx.Err() != nil {
			return time.Time{}, false, err
		}
		t.noWriters = true
		slog.Warn("JDBC source: cannot read the open transactions of other sessions; rows committed later than "+
			"timestamp.delay.interval.ms after their timestamp may be missed", "dialect", t.d.name(), "error", err)
		return time.Time{}, false, nil
	}
	return start, ok, nil
}

// Stop closes open result sets and the connection pool.
func (t *SourceTask) Stop() error {
	for _, q := range t.queriers {
		q.close()
	}
	if t.db != nil {
		return t.db.Close()
	}
	return nil
}

// sourceColumn is a result column with its Connect schema.
type sourceColumn struct {
	name   string
	schema *data.Schema
	// wall says the driver returns the column's wall clock (a TIMESTAMP without
	// time zone) and the instant is that wall clock in db.timezone.
	wall bool
}

// columnFor maps a result column to a Connect schema, as Confluent's
// GenericDatabaseDialect.addFieldToSchema does from JDBC types; numeric.mapping
// decides whether NUMERIC becomes Decimal or the best-fitting primitive.
func columnFor(d dialect, ct *sql.ColumnType, numericMapping string) sourceColumn {
	typ := strings.ToUpper(ct.DatabaseTypeName())
	nullable, ok := ct.Nullable()
	optional := nullable || !ok
	c := sourceColumn{name: ct.Name()}
	_, isSQLite := d.(sqliteDialect)
	_, isMySQL := d.(mysqlDialect)
	prim := func(t data.Type) *data.Schema { return &data.Schema{Type: t, Optional: optional} }
	switch typ {
	case "TINYINT":
		c.schema = prim(data.TypeInt8)
	case "INT2", "SMALLINT", "UNSIGNED TINYINT", "SMALLSERIAL":
		c.schema = prim(data.TypeInt16)
	case "INT4", "INT", "MEDIUMINT", "SERIAL", "UNSIGNED SMALLINT", "UNSIGNED MEDIUMINT":
		c.schema = prim(data.TypeInt32)
	case "INTEGER":
		if isSQLite {
			c.schema = prim(data.TypeInt64) // SQLite integers are 64-bit
		} else {
			c.schema = prim(data.TypeInt32)
		}
	case "INT8", "BIGINT", "BIGSERIAL", "UNSIGNED INT", "UNSIGNED BIGINT", "YEAR":
		c.schema = prim(data.TypeInt64)
	case "FLOAT4", "BINARY_FLOAT":
		c.schema = prim(data.TypeFloat32)
	case "REAL", "FLOAT":
		if isSQLite {
			c.schema = prim(data.TypeFloat64)
		} else {
			c.schema = prim(data.TypeFloat32)
		}
	case "FLOAT8", "DOUBLE", "DOUBLE PRECISION", "BINARY_DOUBLE":
		c.schema = prim(data.TypeFloat64)
	case "NUMERIC", "DECIMAL", "NUMBER", "UNSIGNED DECIMAL":
		// An unconstrained PostgreSQL NUMERIC reports a meaningless scale (65531),
		// an Oracle NUMBER without precision none.
		prec, scale, ok := ct.DecimalSize()
		switch {
		case isSQLite:
			c.schema = prim(data.TypeFloat64) // SQLite's NUMERIC affinity declares nothing
		case ok && scale >= 0 && scale <= 1000 && prec > 0 && prec <= 1000:
			c.schema = numericSchema(numericMapping, prec, scale, optional)
		case numericMapping == "best_fit_eager_double":
			c.schema = prim(data.TypeFloat64)
		default:
			// Confluent (since CCDB-4512, kafka-connect-jdbc PR 1153) reads a NUMERIC
			// without precision and scale as Decimal with its fallback scale 127,
			// which keeps every value exact. Under precision_only and best_fit
			// Confluent maps it as NUMERIC(0,0), i.e. INT8, which truncates and
			// overflows; goconnect keeps the exact Decimal there too.
			c.schema = data.DecimalSchema(unsetNumericScale, optional)
		}
	case "BOOL", "BOOLEAN", "BIT":
		c.schema = prim(data.TypeBoolean)
	case "DATE":
		if _, ok := d.(oracleDialect); ok {
			c.schema, c.wall = data.TimestampSchema(optional), true
		} else {
			c.schema = data.DateSchema(optional)
		}
	case "TIME", "TIMETZ":
		c.schema = data.TimeSchema(optional)
	case "TIMESTAMP", "DATETIME":
		c.schema, c.wall = data.TimestampSchema(optional), !isMySQL
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		c.schema = data.TimestampSchema(optional)
	case "BYTEA", "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "BINARY", "VARBINARY", "RAW", "LONG RAW":
		c.schema = prim(data.TypeBytes)
	default:
		c.schema = prim(data.TypeString)
	}
	return c
}

// unsetNumericScale is the Decimal scale of a NUMERIC column without a declared
// scale: Confluent's GenericDatabaseDialect.NUMERIC_TYPE_SCALE_HIGH.
const unsetNumericScale = 127

// numericSchema applies numeric.mapping to a NUMERIC(prec, scale) column, as
// Confluent's GenericDatabaseDialect: integral types by precision when the scale is
// zero (precision_only, best_fit), FLOAT64 for a positive scale (best_fit below 19
// digits, best_fit_eager_double always), Decimal otherwise.
func numericSchema(mapping string, prec, scale int64, optional bool) *data.Schema {
	byPrecision := func() *data.Schema {
		t := data.TypeInt64
		switch {
		case prec <= 2:
			t = data.TypeInt8
		case prec <= 4:
			t = data.TypeInt16
		case prec <= 9:
			t = data.TypeInt32
		}
		return &data.Schema{Type: t, Optional: optional}
	}
	switch mapping {
	case "precision_only":
		if scale == 0 && prec > 0 && prec < 19 {
			return byPrecision()
		}
	case "best_fit", "best_fit_eager_double":
		if scale == 0 && prec > 0 && prec < 19 {
			return byPrecision()
		}
		if scale > 0 && (prec < 19 || mapping == "best_fit_eager_double") {
			return &data.Schema{Type: data.TypeFloat64, Optional: optional}
		}
	}
	return data.DecimalSchema(int32(scale), optional)
}

// convert turns what the driver returned into the value of the column's schema.
func (c sourceColumn) convert(v any, tz *time.Location) (any, error) {
	if v == nil {
		return nil, nil
	}
	if dv, ok := v.(driver.Valuer); ok {
		x, err := dv.Value()
		if err != nil {
			return nil, err
		}
		return c.convert(x, tz)
	}
	if b, ok := v.([]byte); ok && (c.schema.Type != data.TypeBytes || c.schema.Name != "") {
		v = string(b)
	}
	s := c.schema
	switch s.Name {
	case data.DecimalName:
		scale, _ := data.DecimalScale(s)
		var d data.Decimal
		var err error
		switch x := v.(type) {
		case string:
			d, err = data.ParseBigDecimal(strings.TrimSpace(x))
		case int64:
			d = data.Decimal{Unscaled: big.NewInt(x)}
		case float64:
			d, err = data.ParseBigDecimal(strconv.FormatFloat(x, 'f', -1, 64))
		default:
			return nil, fmt.Errorf("%w: decimal from %T", data.ErrData, v)
		}
		if err != nil {
			return nil, err
		}
		return rescale(d, scale), nil
	case data.DateName, data.TimeName, data.TimestampName:
		var tm time.Time
		switch x := v.(type) {
		case time.Time:
			tm = x
		case string:
			cls := map[string]valueClass{data.DateName: clsDate, data.TimeName: clsTime, data.TimestampName: clsTimestamp}[s.Name]
			p, ok := parseTemporal(cls, strings.TrimSpace(x))
			if !ok {
				return nil, fmt.Errorf("%w: cannot parse %q as %s", data.ErrData, x, s.Name)
			}
			tm = p
		default:
			return nil, fmt.Errorf("%w: %s from %T", data.ErrData, s.Name, v)
		}
		switch s.Name {
		case data.DateName:
			return time.Date(tm.Year(), tm.Month(), tm.Day(), 0, 0, 0, 0, time.UTC), nil
		case data.TimeName:
			return time.Date(1970, 1, 1, tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), time.UTC), nil
		}
		if c.wall {
			tm = time.Date(tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), tz)
		}
		return tm.UTC(), nil
	}
	switch s.Type {
	case data.TypeInt8, data.TypeInt16, data.TypeInt32, data.TypeInt64:
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case float64:
			n = int64(x)
		case bool:
			if x {
				n = 1
			}
		case string:
			var err error
			if n, err = strconv.ParseInt(strings.TrimSpace(x), 10, 64); err != nil {
				return nil, fmt.Errorf("%w: %q is not an integer", data.ErrData, x)
			}
		default:
			return nil, fmt.Errorf("%w: integer from %T", data.ErrData, v)
		}
		switch s.Type {
		case data.TypeInt8:
			return int8(n), nil
		case data.TypeInt16:
			return int16(n), nil
		case data.TypeInt32:
			return int32(n), nil
		}
		return n, nil
	case data.TypeFloat32, data.TypeFloat64:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		case int64:
			f = float64(x)
		case string:
			var err error
			if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
				return nil, fmt.Errorf("%w: %q is not a number", data.ErrData, x)
			}
		default:
			return nil, fmt.Errorf("%w: float from %T", data.ErrData, v)
		}
		if s.Type == data.TypeFloat32 {
			return float32(f), nil
		}
		return f, nil
	case data.TypeBoolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case string:
			return x == "1" || strings.EqualFold(x, "t") || strings.EqualFold(x, "true") || x == "\x01", nil
		}
		return nil, fmt.Errorf("%w: boolean from %T", data.ErrData, v)
	case data.TypeBytes:
		switch x := v.(type) {
		case []byte:
			return append([]byte(nil), x...), nil
		case string:
			return []byte(x), nil
		}
		return nil, fmt.Errorf("%w: bytes from %T", data.ErrData, v)
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case time.Time:
		return x.Format(time.RFC3339Nano), nil
	}
	return fmt.Sprint(v), nil
}

// rescale sets a decimal's scale, rounding half up when it shrinks.
func rescale(d data.Decimal, scale int32) data.Decimal {
	if d.Scale == scale {
		return d
	}
	u := new(big.Int).Set(d.Unscaled)
	if d.Scale < scale {
		u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-d.Scale)), nil))
		return data.Decimal{Unscaled: u, Scale: scale}
	}
	div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale-scale)), nil)
	q, r := new(big.Int).QuoRem(u, div, new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(div) >= 0 {
		if u.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return data.Decimal{Unscaled: q, Scale: scale}
}
