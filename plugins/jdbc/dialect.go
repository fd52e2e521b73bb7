package jdbc

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/goconnect/goconnect/api/data"
)

// valueClass is the kind of SQL value a column holds, as far as binding and reading
// values goes. Record values are first turned into the canonical Go value of their
// class (see values.go); a dialect then turns that into what its driver takes.
type valueClass int

const (
	clsUnknown   valueClass = iota
	clsInt                  // int64
	clsFloat                // float64 (float32 for FLOAT32 fields)
	clsBool                 // bool
	clsString               // string
	clsBytes                // []byte
	clsDecimal              // data.Decimal
	clsDate                 // time.Time, midnight UTC
	clsTime                 // time.Time on 1970-01-01 UTC
	clsTimestamp            // time.Time
	clsJSON                 // string holding JSON text
)

var classNames = [...]string{"unknown", "int", "float", "bool", "string", "bytes", "decimal", "date", "time", "timestamp", "json"}

func (c valueClass) String() string { return classNames[c] }

// tableID names a table: an optional catalog and schema, and the table name, as
// Confluent's TableId.
type tableID struct {
	catalog, schema, name string
}

// parseTableID splits "catalog.schema.table", "schema.table" or "table".
func parseTableID(s string) tableID {
	parts := strings.Split(s, ".")
	switch len(parts) {
	case 1:
		return tableID{name: parts[0]}
	case 2:
		return tableID{schema: parts[0], name: parts[1]}
	default:
		n := len(parts)
		return tableID{catalog: strings.Join(parts[:n-2], "."), schema: parts[n-2], name: parts[n-1]}
	}
}

// String renders the unquoted dotted name (Confluent's QuoteMethod.NEVER form, used
// in source partitions and messages).
func (t tableID) String() string {
	var parts []string
	for _, p := range []string{t.catalog, t.schema, t.name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// tableInfo is a listed table and its JDBC table type.
type tableInfo struct {
	id  tableID
	typ string
}

// scanTables reads (catalog, schema, name, type) rows.
func scanTables(rows *sql.Rows, err error) ([]tableInfo, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tableInfo
	for rows.Next() {
		var t tableInfo
		var catalog, schema sql.NullString // Oracle's '' is NULL
		if err := rows.Scan(&catalog, &schema, &t.id.name, &t.typ); err != nil {
			return nil, err
		}
		t.id.catalog, t.id.schema = catalog.String, schema.String
		out = append(out, t)
	}
	return out, rows.Err()
}

// likeMatch reports whether s matches a SQL LIKE pattern (% any run, _ any one
// character, \ escapes), as JDBC's getTables applies schema and catalog patterns.
func likeMatch(pattern, s string) bool {
	p, r := []rune(pattern), []rune(s)
	var match func(i, j int) bool
	match = func(i, j int) bool {
		for i < len(p) {
			switch c := p[i]; {
			case c == '%':
				for k := j; k <= len(r); k++ {
					if match(i+1, k) {
						return true
					}
				}
				return false
			case c == '_':
				if j >= len(r) {
					return false
				}
			default:
				if c == '\\' && i+1 < len(p) {
					i++
					c = p[i]
				}
				if j >= len(r) || r[j] != c {
					return false
				}
			}
			i++
			j++
		}
		return j == len(r)
	}
	return match(0, 0)
}

// dbColumn is a column as the database describes it.
type dbColumn struct {
	name     string
	dbType   string
	nullable bool
	class    valueClass
}

// colDef is a column to create or add, from a Connect field.
type colDef struct {
	name   string
	schema *data.Schema
	key    bool
}

// txn is one database transaction. Dialects that can do better than database/sql
// (pgx's COPY) implement it natively.
type txn interface {
	exec(ctx context.Context, query string, args ...any) error
}

// copier is an optional txn capability: a bulk load of rows, used for insert.mode
// insert (PostgreSQL COPY).
type copier interface {
	copyFrom(ctx context.Context, t tableID, cols []string, rows [][]any) error
}

// arrayBinder is an optional dialect capability: one statement for one row executed
// with every argument a slice, one element per row (Oracle array binds).
type arrayBinder interface {
	arrayBind() bool
}

// dialect is what differs between databases. Generic SQL builders (sql.go) call
// back into it for quoting, placeholders and types.
type dialect interface {
	// name is Confluent's dialect name (PostgreSqlDatabaseDialect, ...).
	name() string
	// connector makes the connections of a pool (see openDB).
	connector(u *jdbcURL, tz *time.Location) (driver.Connector, error)
	quoteIdent(s string) string
	// placeholder is the n-th (1-based) bind placeholder.
	placeholder(n int) string
	// maxParams bounds the placeholders of one statement.
	maxParams() int
	// sqlType is the column type for a Connect schema; key columns may need a
	// bounded type (MySQL cannot index TEXT).
	sqlType(s *data.Schema, key bool) (string, error)
	// classify maps a column type as the database reports it to a value class.
	classify(dbType string) valueClass
	// describe returns the table's columns, or nil when it does not exist.
	describe(ctx context.Context, db *sql.DB, t tableID) ([]dbColumn, error)
	// upsert returns a multi-row upsert of nrows rows.
	upsert(b *sqlBuilder, t tableID, cols, pk []string, nrows int) string
	// bind turns a canonical value of a class into a driver argument.
	bind(cls valueClass, v any, tz *time.Location) (any, error)
	// transient reports whether err is worth retrying (connection lost, deadlock,
	// serialization failure, lock timeout, server shutting down).
	transient(err error) bool
	// inTx runs fn in one transaction, committing when fn returns nil and rolling
	// back otherwise. quoted says whether identifiers are quoted (for copier).
	inTx(ctx context.Context, db *sql.DB, quoted bool, fn func(txn) error) error
	// listTables lists the tables and views the source may read (schema-qualified
	// when the database has schemas) with their JDBC table type (TABLE, VIEW, ...,
	// as the database's JDBC driver names them in DatabaseMetaData.getTables).
	// allCatalogs lists every database rather than the connected one, where a
	// database is the JDBC catalog (MySQL).
	listTables(ctx context.Context, db *sql.DB, allCatalogs bool) ([]tableInfo, error)
	// autoIncrement names the table's auto-increment (serial, identity) column, or
	// "" when it has none.
	autoIncrement(ctx context.Context, db *sql.DB, t tableID) (string, error)
	// currentTime is the database's clock, the upper bound of timestamp queries
	// (the worker's clock may differ from the database's).
	currentTime(ctx context.Context, db *sql.DB) (time.Time, error)
}

// openWriters is an optional dialect capability: the start of the oldest open
// transaction of another session that writes, which bounds the timestamp of any
// row that session can still commit (rows stamped by the database clock at insert
// time are never older than their transaction). The source caps the upper bound of
// its timestamp queries there so a row committed late is not skipped.
type openWriters interface {
	// oldestWriter returns that start, ok=false when no such transaction is open.
	// An error that is not transient means the database does not let this user
	// see other sessions' transactions (errNoTxnVisibility or a privilege error).
	oldestWriter(ctx context.Context, db *sql.DB) (start time.Time, ok bool, err error)
}

// errNoTxnVisibility says other sessions' transactions are hidden from this user.
var errNoTxnVisibility = errors.New("other sessions' transactions are not visible to this user")

// errStaleTxnView says the list of open transactions could not be read fresh
// (MySQL's innodb_trx cache, kept stale by another session reading it more often
// than every 100 ms); the poll is retried, for staleTxnViewLimit at most.
var errStaleTxnView = errors.New("the list of open transactions stayed stale; retrying")

// dialectFor picks the dialect by dialect.name, else by the URL's subprotocol.
func dialectFor(name string, u *jdbcURL) (dialect, error) {
	switch name {
	case "PostgreSqlDatabaseDialect":
		return postgresDialect{}, nil
	case "MySqlDatabaseDialect":
		return mysqlDialect{}, nil
	case "SqliteDatabaseDialect":
		return sqliteDialect{}, nil
	case "OracleDatabaseDialect":
		return oracleDialect{}, nil
	case "", "GenericDatabaseDialect":
	default:
		return nil, fmt.Errorf("unsupported dialect.name %q", name)
	}
	switch u.subprotocol {
	case "postgresql":
		return postgresDialect{}, nil
	case "mysql", "mariadb":
		return mysqlDialect{}, nil
	case "sqlite":
		return sqliteDialect{}, nil
	case "oracle":
		return oracleDialect{}, nil
	}
	return nil, fmt.Errorf("no dialect for JDBC subprotocol %q", u.subprotocol)
}

// sqlTx adapts *sql.Tx to txn.
type sqlTx struct{ tx *sql.Tx }

func (t sqlTx) exec(ctx context.Context, q string, args ...any) error {
	_, err := t.tx.ExecContext(ctx, q, args...)
	return err
}

// inSQLTx is inTx over database/sql.
func inSQLTx(ctx context.Context, db *sql.DB, fn func(txn) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(sqlTx{tx}); err != nil {
		_ = tx.Rollback() // the first error is the one worth reporting
		return err
	}
	return tx.Commit()
}

// commonTransient recognises failures of the connection itself, whatever the
// driver: the database went away, restarted or is unreachable.
func commonTransient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	var ce *connectError
	return errors.As(err, &ne) || errors.As(err, &ce)
}

// classOf is the value class of a Connect schema.
func classOf(s *data.Schema) valueClass {
	switch s.Name {
	case data.DecimalName:
		return clsDecimal
	case data.DateName:
		return clsDate
	case data.TimeName:
		return clsTime
	case data.TimestampName:
		return clsTimestamp
	}
	switch s.Type {
	case data.TypeInt8, data.TypeInt16, data.TypeInt32, data.TypeInt64:
		return clsInt
	case data.TypeFloat32, data.TypeFloat64:
		return clsFloat
	case data.TypeBoolean:
		return clsBool
	case data.TypeString:
		return clsString
	case data.TypeBytes:
		return clsBytes
	}
	return clsJSON
}

// classifyCommon maps common SQL type names (lowercase, without size) to classes;
// dialects handle their own spellings first.
func classifyCommon(t string) valueClass {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch {
	case strings.Contains(t, "json"):
		return clsJSON
	case strings.Contains(t, "timestamp"), t == "datetime", t == "datetime2", t == "smalldatetime":
		return clsTimestamp
	case t == "date":
		return clsDate
	case strings.HasPrefix(t, "time"):
		return clsTime
	case strings.Contains(t, "int"), t == "serial", t == "bigserial", t == "smallserial":
		return clsInt
	case t == "real", strings.HasPrefix(t, "double"), strings.HasPrefix(t, "float"), t == "binary_float", t == "binary_double":
		return clsFloat
	case strings.HasPrefix(t, "numeric"), strings.HasPrefix(t, "decimal"), t == "number", t == "money":
		return clsDecimal
	case strings.HasPrefix(t, "bool"), t == "bit":
		return clsBool
	case strings.Contains(t, "char"), strings.Contains(t, "text"), strings.Contains(t, "clob"), t == "uuid", strings.HasPrefix(t, "enum"), t == "set", t == "xml":
		return clsString
	case strings.Contains(t, "blob"), strings.Contains(t, "binary"), t == "bytea", t == "raw", t == "long raw":
		return clsBytes
	}
	return clsUnknown
}

// queryName runs a query returning at most one name; no row is "".
func queryName(ctx context.Context, db *sql.DB, q string, args ...any) (string, error) {
	var n string
	err := db.QueryRowContext(ctx, q, args...).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return n, err
}
