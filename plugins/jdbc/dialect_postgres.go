package jdbc

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/data"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// postgresDialect is PostgreSqlDatabaseDialect, over pgx. This is the only file
// that imports pgx.
type postgresDialect struct{}

func (postgresDialect) name() string { return "PostgreSqlDatabaseDialect" }

// connector builds a pgx configuration from the JDBC URL. JDBC-only parameters pgx
// does not know are mapped (currentSchema, ApplicationName, ssl) or dropped,
// because pgx would send unknown ones to the server as run-time parameters.
func (postgresDialect) connector(u *jdbcURL, _ *time.Location) (driver.Connector, error) {
	q := url.Values{}
	for k, v := range u.params {
		switch k {
		case "sslmode", "sslcert", "sslkey", "sslrootcert", "sslpassword", "connect_timeout", "search_path", "application_name":
			q.Set(k, v)
		case "currentSchema":
			q.Set("search_path", v)
		case "ApplicationName":
			q.Set("application_name", v)
		case "connectTimeout":
			q.Set("connect_timeout", v)
		case "ssl":
			if v == "true" && u.params["sslmode"] == "" {
				q.Set("sslmode", "require")
			}
		}
	}
	port := u.port
	if port == 0 {
		port = 5432
	}
	dsn := url.URL{Scheme: "postgres", Host: u.host + ":" + strconv.Itoa(port), Path: "/" + u.database, RawQuery: q.Encode()}
	if u.user != "" {
		dsn.User = url.UserPassword(u.user, u.password)
	}
	cfg, err := pgx.ParseConfig(dsn.String())
	if err != nil {
		return nil, fmt.Errorf("postgresql connection config: %w", err)
	}
	return stdlib.GetConnector(*cfg), nil
}

func (postgresDialect) quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func (postgresDialect) placeholder(n int) string { return "$" + strconv.Itoa(n) }
func (postgresDialect) maxParams() int           { return 65535 }

// sqlType follows Confluent's PostgreSqlDatabaseDialect, with JSONB for the
// structured types Confluent refuses.
func (postgresDialect) sqlType(s *data.Schema, _ bool) (string, error) {
	switch s.Name {
	case data.DecimalName:
		return "DECIMAL", nil
	case data.DateName:
		return "DATE", nil
	case data.TimeName:
		return "TIME", nil
	case data.TimestampName:
		return "TIMESTAMP", nil
	}
	switch s.Type {
	case data.TypeInt8, data.TypeInt16:
		return "SMALLINT", nil
	case data.TypeInt32:
		return "INT", nil
	case data.TypeInt64:
		return "BIGINT", nil
	case data.TypeFloat32:
		return "REAL", nil
	case data.TypeFloat64:
		return "DOUBLE PRECISION", nil
	case data.TypeBoolean:
		return "BOOLEAN", nil
	case data.TypeString:
		return "TEXT", nil
	case data.TypeBytes:
		return "BYTEA", nil
	case data.TypeArray, data.TypeMap, data.TypeStruct:
		return "JSONB", nil
	}
	return "", fmt.Errorf("%w: no PostgreSQL type for %s", data.ErrData, s)
}

func (postgresDialect) classify(t string) valueClass { return classifyCommon(t) }

func (d postgresDialect) describe(ctx context.Context, db *sql.DB, t tableID) ([]dbColumn, error) {
	names := []string{t.name}
	if l := strings.ToLower(t.name); l != t.name {
		names = append(names, l) // an unquoted name as PostgreSQL folds it
	}
	for _, n := range names {
		rows, err := db.QueryContext(ctx, `SELECT column_name, data_type, is_nullable FROM information_schema.columns
WHERE table_schema = COALESCE(NULLIF($1, ''), current_schema()) AND table_name = $2 ORDER BY ordinal_position`, t.schema, n)
		if err != nil {
			return nil, err
		}
		cols, err := scanColumns(rows, d)
		if err != nil || cols != nil {
			return cols, err
		}
	}
	return nil, nil
}

// scanColumns reads (name, type, nullable) rows.
func scanColumns(rows *sql.Rows, d dialect) ([]dbColumn, error) {
	defer rows.Close()
	var cols []dbColumn
	for rows.Next() {
		var c dbColumn
		var nullable string
		if err := rows.Scan(&c.name, &c.dbType, &nullable); err != nil {
			return nil, err
		}
		c.nullable = strings.EqualFold(nullable, "YES") || strings.EqualFold(nullable, "Y")
		c.class = d.classify(c.dbType)
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

func (postgresDialect) upsert(b *sqlBuilder, t tableID, cols, pk []string, nrows int) string {
	s := b.insert(t, cols, nrows) + " ON CONFLICT (" + b.idents(pk) + ") DO "
	var set []string
	for _, c := range cols {
		if !contains(pk, c) {
			set = append(set, b.ident(c)+"=EXCLUDED."+b.ident(c))
		}
	}
	if len(set) == 0 {
		return s + "NOTHING"
	}
	return s + "UPDATE SET " + strings.Join(set, ", ")
}

// bind hands pgx values it encodes exactly in binary: numerics as pgtype.Numeric
// (no float rounding), times of day as pgtype.Time. A timestamp is given in
// db.timezone: pgx writes its wall clock into TIMESTAMP columns and its instant
// into TIMESTAMPTZ ones, which is what JDBC's setTimestamp with a calendar does.
func (postgresDialect) bind(cls valueClass, v any, tz *time.Location) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch cls {
	case clsDecimal:
		d := v.(data.Decimal)
		return pgtype.Numeric{Int: d.Unscaled, Exp: -d.Scale, Valid: true}, nil
	case clsDate:
		t := v.(time.Time).UTC()
		return pgtype.Date{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), Valid: true}, nil
	case clsTime:
		t := v.(time.Time).UTC()
		us := int64(t.Hour())*3600e6 + int64(t.Minute())*60e6 + int64(t.Second())*1e6 + int64(t.Nanosecond()/1000)
		return pgtype.Time{Microseconds: us, Valid: true}, nil
	case clsTimestamp:
		return v.(time.Time).In(tz), nil
	}
	return v, nil
}

func (postgresDialect) transient(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),                           // insufficient resources
			strings.HasPrefix(pe.Code, "57P"),                          // operator intervention: shutdown, restart
			pe.Code == "40001", pe.Code == "40P01", pe.Code == "55P03": // serialization, deadlock, lock timeout
			return true
		}
		return false
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	return commonTransient(err) || strings.Contains(err.Error(), "conn closed")
}

// inTx runs the transaction on pgx directly (through database/sql's Raw) so that
// inserts can use COPY in the same transaction as everything else.
func (postgresDialect) inTx(ctx context.Context, db *sql.DB, quoted bool, fn func(txn) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		if err := fn(pgxTx{tx: tx, quoted: quoted}); err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx)) // the first error is the one worth reporting
			return err
		}
		return tx.Commit(ctx)
	})
}

type pgxTx struct {
	tx     pgx.Tx
	quoted bool
}

func (t pgxTx) exec(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.Exec(ctx, q, args...)
	return err
}

// copyFrom loads rows with COPY ... FROM STDIN (BINARY). pgx always quotes the
// identifiers, so without quote.sql.identifiers they are folded as PostgreSQL
// folds unquoted names.
func (t pgxTx) copyFrom(ctx context.Context, tbl tableID, cols []string, rows [][]any) error {
	fold := func(s string) string {
		if t.quoted {
			return s
		}
		return strings.ToLower(s)
	}
	var ident pgx.Identifier
	for _, p := range []string{tbl.catalog, tbl.schema, tbl.name} {
		if p != "" {
			ident = append(ident, fold(p))
		}
	}
	fc := make([]string, len(cols))
	for i, c := range cols {
		fc[i] = fold(c)
	}
	_, err := t.tx.CopyFrom(ctx, ident, fc, pgx.CopyFromRows(rows))
	return err
}

// listTables reads pg_class for the relation kinds pgjdbc's getTables reports,
// with its type names (materialized views are not in information_schema). Only
// relations the user may read are listed.
func (postgresDialect) listTables(ctx context.Context, db *sql.DB, _ bool) ([]tableInfo, error) {
	return scanTables(db.QueryContext(ctx, `SELECT '', n.nspname, c.relname, CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'v' THEN 'VIEW'
  WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'PARTITIONED TABLE' END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%' AND has_table_privilege(c.oid, 'SELECT')
ORDER BY 2, 3`))
}

func (postgresDialect) currentTime(ctx context.Context, db *sql.DB) (time.Time, error) {
	var t time.Time
	err := db.QueryRowContext(ctx, "SELECT CURRENT_TIMESTAMP").Scan(&t)
	return t, err
}

// oldestWriter reads pg_stat_activity: the oldest transaction start among the
// other backends holding a transaction id (assigned at the first write). Without
// superuser, pg_read_all_stats or pg_monitor the rows of other roles show NULLs
// instead of failing, so visibility is checked first rather than trusting an
// empty answer.
func (postgresDialect) oldestWriter(ctx context.Context, db *sql.DB) (time.Time, bool, error) {
	var visible bool
	var start sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT pg_has_role('pg_read_all_stats', 'USAGE'),
(SELECT min(xact_start) FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid())`).Scan(&visible, &start)
	switch {
	case err != nil:
		return time.Time{}, false, err
	case !visible:
		return time.Time{}, false, fmt.Errorf("%w (PostgreSQL: grant pg_read_all_stats or pg_monitor)", errNoTxnVisibility)
	}
	return start.Time, start.Valid, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func (postgresDialect) autoIncrement(ctx context.Context, db *sql.DB, t tableID) (string, error) {
	return queryName(ctx, db, `SELECT column_name FROM information_schema.columns
WHERE table_schema = COALESCE(NULLIF($1, ''), current_schema()) AND table_name = $2
AND (column_default LIKE 'nextval(%' OR is_identity = 'YES') ORDER BY ordinal_position LIMIT 1`, t.schema, t.name)
}
