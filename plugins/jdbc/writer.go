package jdbc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// row is one record turned into column values for one table.
type row struct {
	rec    *connect.Record
	delete bool
	// cols are the column names, key columns first; schemas has each column's
	// Connect schema, nil for schemaless values (their type comes from the table).
	cols    []string
	schemas []*data.Schema
	vals    []any // canonical values (or raw schemaless values) before binding
	npk     int   // the first npk cols form the primary key
	// args are the bound driver values, in cols order, once resolved.
	args []any
}

func (r *row) pk() []string { return r.cols[:r.npk] }

// tableState caches what the database said about a table.
type tableState struct {
	id   tableID
	name string
	cols []dbColumn // nil: not described yet or missing
}

func (ts *tableState) column(name string) (dbColumn, bool) {
	for _, c := range ts.cols {
		if c.name == name {
			return c, true
		}
	}
	for _, c := range ts.cols {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return dbColumn{}, false
}

// tableBatch is the rows bound for one table, in record order.
type tableBatch struct {
	ts   *tableState
	rows []*row
}

// write converts and writes records, returning the records rejected (to report
// after the commit). A non-nil error means nothing was committed.
func (t *SinkTask) write(ctx context.Context, records []*connect.Record) ([]badRecord, error) {
	var bad []badRecord
	reject := func(r *connect.Record, table string, err error) error {
		err = recordError(r, table, err)
		if t.tc.ErrantRecordReporter() == nil {
			return err
		}
		bad = append(bad, badRecord{r, err})
		return nil
	}
	var order []string
	batches := map[string]*tableBatch{}
	for _, rec := range records {
		name := t.tableName(rec.Topic)
		rw, err := t.toRow(rec)
		if err != nil {
			if err := reject(rec, name, err); err != nil {
				return nil, err
			}
			continue
		}
		if rw == nil {
			continue // a tombstone without delete.enabled
		}
		tb := batches[name]
		if tb == nil {
			ts := t.tables[name]
			if ts == nil {
				ts = &tableState{id: parseTableID(name), name: name}
				t.tables[name] = ts
			}
			tb = &tableBatch{ts: ts}
			batches[name] = tb
			order = append(order, name)
		}
		tb.rows = append(tb.rows, rw)
	}
	for _, name := range order {
		tb := batches[name]
		if err := t.ensureTable(ctx, tb); err != nil {
			return nil, err
		}
		kept := tb.rows[:0]
		for _, rw := range tb.rows {
			if err := t.bindRow(tb.ts, rw); err != nil {
				if err := reject(rw.rec, name, err); err != nil {
					return nil, err
				}
				continue
			}
			kept = append(kept, rw)
		}
		tb.rows = kept
	}
	err := t.d.inTx(ctx, t.db, t.cfg.quote, func(tx txn) error {
		for _, name := range order {
			if err := t.writeTable(ctx, tx, batches[name]); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || t.d.transient(err) || ctx.Err() != nil {
		return bad, err
	}
	// The database rejected something: find the rows, one savepoint each.
	rejected, err := t.isolate(ctx, order, batches)
	if err != nil {
		return nil, err
	}
	return append(bad, rejected...), nil
}

// isolate writes the rows one by one, each under a savepoint, to tell the rows the
// database rejects from the others. With a reporter the good rows are committed
// and the bad returned; without one the first bad row fails the whole batch and
// nothing is committed.
func (t *SinkTask) isolate(ctx context.Context, order []string, batches map[string]*tableBatch) ([]badRecord, error) {
	var bad []badRecord
	hasReporter := t.tc.ErrantRecordReporter() != nil
	err := t.d.inTx(ctx, t.db, t.cfg.quote, func(tx txn) error {
		for _, name := range order {
			tb := batches[name]
			for _, rw := range tb.rows {
				if err := tx.exec(ctx, "SAVEPOINT goconnect_row"); err != nil {
					return err
				}
				err := t.writeRows(ctx, tx, tb.ts.id, []*row{rw}, false)
				if err == nil {
					if _, ok := t.d.(oracleDialect); !ok { // Oracle has no RELEASE SAVEPOINT
						if err := tx.exec(ctx, "RELEASE SAVEPOINT goconnect_row"); err != nil {
							return err
						}
					}
					continue
				}
				if t.d.transient(err) {
					return err
				}
				rerr := recordError(rw.rec, name, err)
				if !hasReporter {
					return permanent{rerr}
				}
				bad = append(bad, badRecord{rw.rec, rerr})
				if err := tx.exec(ctx, "ROLLBACK TO SAVEPOINT goconnect_row"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	var p permanent
	if errors.As(err, &p) {
		return nil, p.err
	}
	return bad, err
}

// permanent carries a rejected row's error out of isolate's transaction.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }

// writeTable writes a table's rows in runs of the same operation and columns, so
// that a delete between two upserts of one key keeps its place.
func (t *SinkTask) writeTable(ctx context.Context, tx txn, tb *tableBatch) error {
	start := 0
	for i := 1; i <= len(tb.rows); i++ {
		if i < len(tb.rows) && tb.rows[i].delete == tb.rows[start].delete && slices.Equal(tb.rows[i].cols, tb.rows[start].cols) {
			continue
		}
		if err := t.writeRows(ctx, tx, tb.ts.id, tb.rows[start:i], true); err != nil {
			return err
		}
		start = i
	}
	return nil
}

// writeRows writes rows that share their operation and columns, in as few
// statements as the dialect's parameter limit and batch.size allow.
func (t *SinkTask) writeRows(ctx context.Context, tx txn, id tableID, rows []*row, bulk bool) error {
	if len(rows) == 0 {
		return nil
	}
	first := rows[0]
	cols, pk := first.cols, first.pk()
	if first.delete {
		return t.chunked(ctx, tx, rows, len(pk), func(n int) string { return t.b.delete(id, pk, n) }, func(r *row) []any { return r.args[:r.npk] })
	}
	switch t.cfg.insertMode {
	case modeUpdate:
		nonKey := cols[first.npk:]
		if len(nonKey) == 0 {
			return nil
		}
		q := t.b.update(id, nonKey, pk)
		if _, ok := t.d.(arrayBinder); ok {
			return t.arrayExec(ctx, tx, q, rows, func(r *row) []any { return append(slices.Clone(r.args[r.npk:]), r.args[:r.npk]...) })
		}
		for _, r := range rows {
			if err := tx.exec(ctx, q, append(slices.Clone(r.args[r.npk:]), r.args[:r.npk]...)...); err != nil {
				return err
			}
		}
		return nil
	case modeUpsert:
		rows = lastPerKey(rows)
		return t.chunked(ctx, tx, rows, len(cols), func(n int) string { return t.d.upsert(t.b, id, cols, pk, n) }, func(r *row) []any { return r.args })
	}
	if c, ok := tx.(copier); ok && bulk {
		data := make([][]any, len(rows))
		for i, r := range rows {
			data[i] = r.args
		}
		return c.copyFrom(ctx, id, cols, data)
	}
	return t.chunked(ctx, tx, rows, len(cols), func(n int) string { return t.b.insert(id, cols, n) }, func(r *row) []any { return r.args })
}

// chunked runs a multi-row statement over rows, at most batch.size rows and the
// dialect's parameter limit per statement; array-binding dialects run the one-row
// statement with slices instead.
func (t *SinkTask) chunked(ctx context.Context, tx txn, rows []*row, perRow int, stmt func(n int) string, args func(*row) []any) error {
	if _, ok := t.d.(arrayBinder); ok {
		return t.arrayExec(ctx, tx, stmt(1), rows, args)
	}
	n := min(t.cfg.batchSize, max(1, t.d.maxParams()/max(perRow, 1)))
	for len(rows) > 0 {
		k := min(n, len(rows))
		all := make([]any, 0, k*perRow)
		for _, r := range rows[:k] {
			all = append(all, args(r)...)
		}
		if err := tx.exec(ctx, stmt(k), all...); err != nil {
			return err
		}
		rows = rows[k:]
	}
	return nil
}

// arrayExec runs a one-row statement with array binds, batch.size rows at a time.
func (t *SinkTask) arrayExec(ctx context.Context, tx txn, q string, rows []*row, args func(*row) []any) error {
	for len(rows) > 0 {
		k := min(t.cfg.batchSize, len(rows))
		if k == 1 {
			if err := tx.exec(ctx, q, args(rows[0])...); err != nil {
				return err
			}
			rows = rows[1:]
			continue
		}
		first := args(rows[0])
		cols := make([]any, len(first))
		for c := range first {
			col := make([]any, k)
			for i, r := range rows[:k] {
				col[i] = args(r)[c]
			}
			cols[c] = col
		}
		if err := tx.exec(ctx, q, cols...); err != nil {
			return err
		}
		rows = rows[k:]
	}
	return nil
}

// lastPerKey keeps the last row of each key: one multi-row upsert statement may not
// touch a row twice (PostgreSQL refuses), and the last write wins anyway.
func lastPerKey(rows []*row) []*row {
	last := map[string]int{}
	for i, r := range rows {
		last[fmt.Sprint(r.args[:r.npk]...)+fmt.Sprintf("%#v", r.args[:r.npk])] = i
	}
	if len(last) == len(rows) {
		return rows
	}
	out := make([]*row, 0, len(last))
	for i, r := range rows {
		if last[fmt.Sprint(r.args[:r.npk]...)+fmt.Sprintf("%#v", r.args[:r.npk])] == i {
			out = append(out, r)
		}
	}
	return out
}

// ensureTable describes the table, creating it (auto.create) or adding missing
// columns (auto.evolve) from the schemas of the rows.
func (t *SinkTask) ensureTable(ctx context.Context, tb *tableBatch) error {
	ts := tb.ts
	if ts.cols == nil {
		cols, err := t.d.describe(ctx, t.db, ts.id)
		if err != nil {
			return fmt.Errorf("describe table %s: %w", ts.name, err)
		}
		ts.cols = cols
	}
	if ts.cols == nil {
		if !t.cfg.autoCreate {
			return fmt.Errorf("Table %s is missing and auto-creation is disabled", ts.name)
		}
		defs := t.columnDefs(tb.rows)
		if defs == nil {
			return fmt.Errorf("Table %s is missing and auto.create cannot derive column types from records without a schema", ts.name)
		}
		var pk []string
		for _, c := range defs {
			if c.key {
				pk = append(pk, c.name)
			}
		}
		_, isOracle := t.d.(oracleDialect)
		q, err := t.b.createTable(ts.id, defs, pk, !isOracle)
		if err != nil {
			return fmt.Errorf("create table %s: %w", ts.name, err)
		}
		if _, err := t.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create table %s: %w", ts.name, err)
		}
		if ts.cols, err = t.d.describe(ctx, t.db, ts.id); err != nil {
			return fmt.Errorf("describe table %s: %w", ts.name, err)
		}
		if ts.cols == nil {
			return fmt.Errorf("table %s was created but cannot be found (check quote.sql.identifiers)", ts.name)
		}
	}
	var missing []colDef
	for _, c := range t.columnDefs(tb.rows) {
		if _, ok := ts.column(c.name); !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	names := make([]string, len(missing))
	for i, c := range missing {
		names[i] = c.name
	}
	if !t.cfg.autoEvolve {
		return fmt.Errorf("Table %s is missing fields (%s) and auto-evolution is disabled", ts.name, strings.Join(names, ", "))
	}
	for _, c := range missing {
		if !c.schema.Optional && c.schema.Default == nil {
			return fmt.Errorf("Cannot ALTER TABLE %s to add missing field %s, as the field is not optional and does not have a default value", ts.name, c.name)
		}
		if c.key {
			return fmt.Errorf("Cannot ALTER TABLE %s to add missing primary key field %s", ts.name, c.name)
		}
	}
	_, isOracle := t.d.(oracleDialect)
	stmts, err := t.b.addColumns(ts.id, missing, isOracle)
	if err != nil {
		return fmt.Errorf("alter table %s: %w", ts.name, err)
	}
	for _, q := range stmts {
		if _, err := t.db.ExecContext(ctx, q); err != nil {
			// Another task may have added it first: trust the table over the error.
			cols, derr := t.d.describe(ctx, t.db, ts.id)
			if derr == nil {
				ts.cols = cols
				if t.hasAll(ts, names) {
					return nil
				}
			}
			return fmt.Errorf("alter table %s: %w", ts.name, err)
		}
	}
	if ts.cols, err = t.d.describe(ctx, t.db, ts.id); err != nil {
		return fmt.Errorf("describe table %s: %w", ts.name, err)
	}
	return nil
}

func (t *SinkTask) hasAll(ts *tableState, names []string) bool {
	for _, n := range names {
		if _, ok := ts.column(n); !ok {
			return false
		}
	}
	return true
}

// columnDefs collects the columns the rows with schemas need, in first-seen order
// (nil when no row has a schema).
func (t *SinkTask) columnDefs(rows []*row) []colDef {
	var defs []colDef
	seen := map[string]bool{}
	for _, r := range rows {
		for i, c := range r.cols {
			if r.schemas[i] == nil || seen[c] {
				continue
			}
			seen[c] = true
			defs = append(defs, colDef{name: c, schema: r.schemas[i], key: i < r.npk})
		}
	}
	return defs
}

// bindRow maps the row's columns onto the table's (taking the table's spelling)
// and binds each value for the driver.
func (t *SinkTask) bindRow(ts *tableState, r *row) error {
	r.args = make([]any, len(r.cols))
	for i, name := range r.cols {
		col, ok := ts.column(name)
		if !ok {
			return fmt.Errorf("%w: table %s has no column %s", data.ErrData, ts.name, name)
		}
		r.cols[i] = col.name
		var cls valueClass
		v := r.vals[i]
		var err error
		if s := r.schemas[i]; s != nil {
			cls = classOf(s)
			v, err = canonical(s, v)
		} else {
			cls = col.class
			v, err = coerce(cls, v)
		}
		if err != nil {
			return fmt.Errorf("column %s: %w", name, err)
		}
		if r.args[i], err = t.d.bind(cls, v, t.cfg.tz); err != nil {
			return fmt.Errorf("column %s: %w", name, err)
		}
	}
	return nil
}

// toRow applies pk.mode, pk.fields and fields.whitelist to a record (Confluent's
// FieldsMetadata), returning nil for a tombstone that is not a delete.
func (t *SinkTask) toRow(rec *connect.Record) (*row, error) {
	c := t.cfg
	r := &row{rec: rec}
	add := func(name string, s *data.Schema, v any) {
		r.cols = append(r.cols, name)
		r.schemas = append(r.schemas, s)
		r.vals = append(r.vals, v)
	}
	if rec.Value == nil {
		if !c.deleteEnabled {
			return nil, nil
		}
		r.delete = true
	}
	value, err := asFields(rec.ValueSchema, rec.Value, "value")
	if err != nil && !r.delete {
		return nil, err
	}
	var pkNames []string
	switch c.pkMode {
	case pkKafka:
		names := c.pkFields
		if len(names) == 0 {
			names = kafkaPKDefaults
		}
		add(names[0], data.StringSchema, rec.Topic)
		add(names[1], data.Int32Schema, rec.Partition)
		add(names[2], data.Int64Schema, rec.Offset)
		pkNames = names
	case pkRecordKey:
		if rec.Key == nil {
			return nil, fmt.Errorf("%w: pk.mode record_key needs a record key, found null", data.ErrData)
		}
		key, err := asFields(rec.KeySchema, rec.Key, "key")
		if err != nil { // a primitive key: one pk column named by pk.fields
			if len(c.pkFields) != 1 {
				return nil, fmt.Errorf("%w: need exactly one PK column defined since the key schema for records is a primitive type, defined columns are: %v", data.ErrData, c.pkFields)
			}
			add(c.pkFields[0], rec.KeySchema, rec.Key)
			pkNames = c.pkFields
			break
		}
		names := c.pkFields
		if len(names) == 0 {
			names = key.names
		}
		for _, n := range names {
			s, v, ok := key.get(n)
			if !ok {
				return nil, fmt.Errorf("%w: PK field %s is not in the record key", data.ErrData, n)
			}
			add(n, s, v)
		}
		pkNames = names
	case pkRecordValue:
		if value == nil {
			return nil, fmt.Errorf("%w: pk.mode record_value needs a record value", data.ErrData)
		}
		names := c.pkFields
		if len(names) == 0 {
			names = value.names
		}
		for _, n := range names {
			s, v, ok := value.get(n)
			if !ok {
				return nil, fmt.Errorf("%w: PK field %s is not in the record value", data.ErrData, n)
			}
			add(n, s, v)
		}
		pkNames = names
	}
	r.npk = len(r.cols)
	for i := range r.npk {
		if r.vals[i] == nil {
			return nil, fmt.Errorf("%w: primary key column %s is null", data.ErrData, r.cols[i])
		}
		if r.schemas[i] != nil && !r.schemas[i].Type.IsPrimitive() {
			return nil, fmt.Errorf("%w: primary key column %s has type %s; keys must be primitive", data.ErrData, r.cols[i], r.schemas[i].Type)
		}
	}
	if r.delete {
		return r, nil
	}
	for _, n := range value.names {
		if contains(pkNames, n) || (c.whitelist != nil && !c.whitelist[n]) {
			continue
		}
		s, v, _ := value.get(n)
		add(n, s, v)
	}
	if len(r.cols) == 0 {
		return nil, fmt.Errorf("%w: the record has no fields to write", data.ErrData)
	}
	return r, nil
}

// fields is a struct or map value seen as named fields.
type fields struct {
	names []string
	st    *data.Struct
	m     map[string]any
}

func (f *fields) get(n string) (*data.Schema, any, bool) {
	if f.st != nil {
		fl := f.st.Schema().Field(n)
		if fl == nil {
			return nil, nil, false
		}
		return fl.Schema, f.st.Get(n), true
	}
	v, ok := f.m[n]
	return nil, v, ok
}

// asFields accepts a Struct with a STRUCT schema, or (without schema) a map with
// string keys; anything else is an error, which for keys means "primitive".
func asFields(s *data.Schema, v any, what string) (*fields, error) {
	switch x := v.(type) {
	case *data.Struct:
		f := &fields{st: x}
		for _, fl := range x.Schema().Fields {
			f.names = append(f.names, fl.Name)
		}
		return f, nil
	case map[string]any:
		if s != nil && s.Type != data.TypeMap {
			break
		}
		f := &fields{m: x}
		for k := range x {
			f.names = append(f.names, k)
		}
		sort.Strings(f.names) // map order is random; columns must not be
		return f, nil
	}
	return nil, fmt.Errorf("%w: the JDBC sink needs a record %s that is a Struct (with schema) or a map (without schema), found %T with schema %v", data.ErrData, what, v, s)
}
