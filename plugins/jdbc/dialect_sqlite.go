package jdbc

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/data"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteDialect is SqliteDatabaseDialect, over modernc.org/sqlite (pure Go). This
// is the only file that imports that driver.
type sqliteDialect struct{}

func (sqliteDialect) name() string { return "SqliteDatabaseDialect" }

// connector uses a busy timeout so that two connectors writing one file wait for each
// other's transactions instead of failing with SQLITE_BUSY.
func (sqliteDialect) connector(u *jdbcURL, _ *time.Location) (driver.Connector, error) {
	path := u.database
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	var dsn string
	if path == ":memory:" || path == "" {
		dsn = "file::memory:?" + q.Encode()
	} else {
		dsn = "file:" + path + "?" + q.Encode()
	}
	return dsnConnector{drv: &sqlite.Driver{}, dsn: dsn}, nil
}

func (sqliteDialect) quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func (sqliteDialect) placeholder(int) string     { return "?" }
func (sqliteDialect) maxParams() int             { return 32766 }

// sqlType follows Confluent's SqliteDatabaseDialect (type affinities), except
// that Date, Time and Timestamp are declared DATE, TIME and TIMESTAMP instead of
// NUMERIC: SQLite gives them the same NUMERIC affinity, and the declared type
// lets the source connector read them back as the logical types.
func (sqliteDialect) sqlType(s *data.Schema, _ bool) (string, error) {
	switch s.Name {
	case data.DecimalName:
		return "NUMERIC", nil
	case data.DateName:
		return "DATE", nil
	case data.TimeName:
		return "TIME", nil
	case data.TimestampName:
		return "TIMESTAMP", nil
	}
	switch s.Type {
	case data.TypeInt8, data.TypeInt16, data.TypeInt32, data.TypeInt64, data.TypeBoolean:
		return "INTEGER", nil
	case data.TypeFloat32, data.TypeFloat64:
		return "REAL", nil
	case data.TypeString, data.TypeArray, data.TypeMap, data.TypeStruct:
		return "TEXT", nil
	case data.TypeBytes:
		return "BLOB", nil
	}
	return "", fmt.Errorf("%w: no SQLite type for %s", data.ErrData, s)
}

// classify follows SQLite's affinity rules, except that NUMERIC columns (what
// auto.create makes for Decimal and the temporal types) are taken as decimal.
func (sqliteDialect) classify(t string) valueClass {
	l := strings.ToLower(t)
	switch {
	case strings.Contains(l, "int"):
		return clsInt
	case strings.Contains(l, "char"), strings.Contains(l, "clob"), strings.Contains(l, "text"):
		return clsString
	case strings.Contains(l, "blob"), l == "":
		return clsBytes
	case strings.Contains(l, "real"), strings.Contains(l, "floa"), strings.Contains(l, "doub"):
		return clsFloat
	}
	if c := classifyCommon(l); c != clsUnknown {
		return c
	}
	return clsDecimal
}

func (d sqliteDialect) describe(ctx context.Context, db *sql.DB, t tableID) ([]dbColumn, error) {
	q := "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)"
	args := []any{t.name}
	if t.schema != "" {
		q = "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?, ?)"
		args = append(args, t.schema)
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []dbColumn
	for rows.Next() {
		var c dbColumn
		var notNull, pk int
		if err := rows.Scan(&c.name, &c.dbType, &notNull, &pk); err != nil {
			return nil, err
		}
		// Key columns count as NOT NULL: an INTEGER PRIMARY KEY is the rowid,
		// which is never null, though SQLite reports it nullable.
		c.nullable = notNull == 0 && pk == 0
		c.class = d.classify(c.dbType)
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

func (sqliteDialect) upsert(b *sqlBuilder, t tableID, cols, pk []string, nrows int) string {
	s := b.insert(t, cols, nrows) + " ON CONFLICT (" + b.idents(pk) + ") DO "
	var set []string
	for _, c := range cols {
		if !contains(pk, c) {
			set = append(set, b.ident(c)+"=excluded."+b.ident(c))
		}
	}
	if len(set) == 0 {
		return s + "NOTHING"
	}
	return s + "UPDATE SET " + strings.Join(set, ", ")
}

// bind stores temporal values as ISO-8601 text (in db.timezone for timestamps),
// which SQLite's date and time functions understand and which sorts correctly.
func (sqliteDialect) bind(cls valueClass, v any, tz *time.Location) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch cls {
	case clsDecimal:
		return v.(data.Decimal).String(), nil
	case clsDate:
		return v.(time.Time).UTC().Format("2006-01-02"), nil
	case clsTime:
		return timeOfDay(v.(time.Time)), nil
	case clsTimestamp:
		return v.(time.Time).In(tz).Format("2006-01-02 15:04:05.000"), nil
	case clsBool:
		if v.(bool) {
			return int64(1), nil
		}
		return int64(0), nil
	case clsFloat:
		if f, ok := v.(float32); ok {
			return float64(f), nil
		}
	}
	return v, nil
}

func (sqliteDialect) transient(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR:
			return true
		}
		return false
	}
	return commonTransient(err)
}

func (sqliteDialect) inTx(ctx context.Context, db *sql.DB, _ bool, fn func(txn) error) error {
	return inSQLTx(ctx, db, fn)
}

func (sqliteDialect) listTables(ctx context.Context, db *sql.DB, _ bool) ([]tableInfo, error) {
	return scanTables(db.QueryContext(ctx, `SELECT '', '', name, upper(type) FROM sqlite_master
WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`))
}

func (sqliteDialect) currentTime(ctx context.Context, db *sql.DB) (time.Time, error) {
	var s string
	if err := db.QueryRowContext(ctx, "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')").Scan(&s); err != nil {
		return time.Time{}, err
	}
	return time.ParseInLocation("2006-01-02 15:04:05.999", s, time.UTC)
}

// autoIncrement finds an INTEGER PRIMARY KEY, SQLite's alias of the rowid, which
// is what auto-increments there.
func (sqliteDialect) autoIncrement(ctx context.Context, db *sql.DB, t tableID) (string, error) {
	return queryName(ctx, db, `SELECT name FROM pragma_table_info(?) WHERE pk = 1 AND upper(type) = 'INTEGER'
AND (SELECT COUNT(*) FROM pragma_table_info(?) WHERE pk > 0) = 1`, t.name, t.name)
}
