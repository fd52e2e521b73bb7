package jdbc

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/goconnect/goconnect/api/data"
)

// mysqlDialect is MySqlDatabaseDialect, for MySQL and MariaDB, over
// go-sql-driver/mysql. This is the only file that imports that driver.
type mysqlDialect struct{}

func (mysqlDialect) name() string { return "MySqlDatabaseDialect" }

// open builds the driver config. Loc is db.timezone so DATETIME values are written
// and read as wall-clock times in that zone (what JDBC does with a Calendar); with
// UTC the session time zone is UTC too, so TIMESTAMP columns agree.
func (mysqlDialect) connector(u *jdbcURL, tz *time.Location) (driver.Connector, error) {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = u.user, u.password
	port := u.port
	if port == 0 {
		port = 3306
	}
	cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(u.host, strconv.Itoa(port))
	cfg.DBName = u.database
	cfg.ParseTime = true
	cfg.Loc = tz
	if tz == time.UTC {
		cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	}
	switch strings.ToLower(u.params["useSSL"] + u.params["sslMode"]) {
	case "true", "required", "verify_ca", "verify_identity":
		cfg.TLSConfig = "skip-verify"
		if strings.HasPrefix(strings.ToLower(u.params["sslMode"]), "verify") {
			cfg.TLSConfig = "true"
		}
	}
	if v := u.params["connectTimeout"]; v != "" {
		if ms, err := strconv.Atoi(v); err == nil {
			cfg.Timeout = time.Duration(ms) * time.Millisecond
		}
	}
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql connection config: %w", err)
	}
	return c, nil
}

func (mysqlDialect) quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
func (mysqlDialect) placeholder(int) string     { return "?" }
func (mysqlDialect) maxParams() int             { return 65535 }

// sqlType follows Confluent's MySqlDatabaseDialect; key columns get bounded
// VARCHAR/VARBINARY because MySQL cannot index TEXT/BLOB without a length, and
// non-key bytes get LONGBLOB instead of Confluent's VARBINARY(1024).
func (mysqlDialect) sqlType(s *data.Schema, key bool) (string, error) {
	switch s.Name {
	case data.DecimalName:
		scale, err := data.DecimalScale(s)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("DECIMAL(65,%d)", scale), nil
	case data.DateName:
		return "DATE", nil
	case data.TimeName:
		return "TIME(3)", nil
	case data.TimestampName:
		return "DATETIME(3)", nil
	}
	switch s.Type {
	case data.TypeInt8:
		return "TINYINT", nil
	case data.TypeInt16:
		return "SMALLINT", nil
	case data.TypeInt32:
		return "INT", nil
	case data.TypeInt64:
		return "BIGINT", nil
	case data.TypeFloat32:
		return "FLOAT", nil
	case data.TypeFloat64:
		return "DOUBLE", nil
	case data.TypeBoolean:
		return "TINYINT", nil
	case data.TypeString:
		if key {
			return "VARCHAR(256)", nil
		}
		return "TEXT", nil
	case data.TypeBytes:
		if key {
			return "VARBINARY(1024)", nil
		}
		return "LONGBLOB", nil
	case data.TypeArray, data.TypeMap, data.TypeStruct:
		return "JSON", nil
	}
	return "", fmt.Errorf("%w: no MySQL type for %s", data.ErrData, s)
}

func (mysqlDialect) classify(t string) valueClass {
	if strings.EqualFold(t, "year") {
		return clsInt
	}
	return classifyCommon(t)
}

func (d mysqlDialect) describe(ctx context.Context, db *sql.DB, t tableID) ([]dbColumn, error) {
	schema := t.catalog
	if schema == "" {
		schema = t.schema
	}
	rows, err := db.QueryContext(ctx, `SELECT column_name, data_type, is_nullable FROM information_schema.columns
WHERE table_schema = COALESCE(NULLIF(?, ''), DATABASE()) AND table_name = ? ORDER BY ordinal_position`, schema, t.name)
	if err != nil {
		return nil, err
	}
	return scanColumns(rows, d)
}

func (mysqlDialect) upsert(b *sqlBuilder, t tableID, cols, pk []string, nrows int) string {
	var set []string
	for _, c := range cols {
		if !contains(pk, c) {
			set = append(set, b.ident(c)+"=VALUES("+b.ident(c)+")")
		}
	}
	if len(set) == 0 { // key-only rows: a no-op update keeps the statement idempotent
		set = append(set, b.ident(pk[0])+"=VALUES("+b.ident(pk[0])+")")
	}
	return b.insert(t, cols, nrows) + " ON DUPLICATE KEY UPDATE " + strings.Join(set, ", ")
}

// bind formats dates and times of day as text so no zone conversion applies;
// timestamps go as time.Time, which the driver renders in db.timezone (Loc).
func (mysqlDialect) bind(cls valueClass, v any, tz *time.Location) (any, error) {
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
		return v.(time.Time).In(tz), nil
	}
	return v, nil
}

func (mysqlDialect) transient(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1040, 1053, 1205, 1213, 1927, 2002, 2003, 2006, 2013, 1158, 1159, 1160, 1161:
			return true
		}
		return false
	}
	return errors.Is(err, mysql.ErrInvalidConn) || commonTransient(err)
}

func (mysqlDialect) inTx(ctx context.Context, db *sql.DB, _ bool, fn func(txn) error) error {
	return inSQLTx(ctx, db, fn)
}

// listTables names tables catalog.table, as Confluent's TableId does for MySQL
// (the database is the JDBC catalog), with Connector/J's type names; the
// connected database only unless catalog.pattern asks for others.
func (mysqlDialect) listTables(ctx context.Context, db *sql.DB, allCatalogs bool) ([]tableInfo, error) {
	return scanTables(db.QueryContext(ctx, `SELECT table_schema, '', table_name,
  CASE table_type WHEN 'BASE TABLE' THEN 'TABLE' WHEN 'SYSTEM VERSIONED' THEN 'TABLE' ELSE table_type END
FROM information_schema.tables
WHERE (table_schema = DATABASE() OR (? AND table_schema NOT IN ('information_schema', 'performance_schema', 'mysql', 'sys')))
ORDER BY 1, 3`, allCatalogs))
}

func (mysqlDialect) currentTime(ctx context.Context, db *sql.DB) (time.Time, error) {
	var s string
	if err := db.QueryRowContext(ctx, "SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f')").Scan(&s); err != nil {
		return time.Time{}, err
	}
	return time.ParseInLocation("2006-01-02 15:04:05.999999", s, time.UTC)
}

// oldestWriter reads information_schema.innodb_trx (PROCESS privilege): the oldest
// start among other sessions' locking transactions that modified rows or are
// running a statement (a statement's NOW() is fixed when it starts, and an idle
// transaction that has not written can only stamp later rows). trx_started has
// whole seconds and is taken when InnoDB joins the statement, just after NOW() was
// fixed: the caller's one-second margin covers both.
//
// InnoDB serves innodb_trx from a cache that is refreshed only when nobody read it
// for 100 ms, so it can be arbitrarily old while sessions keep reading it. The
// query therefore runs inside a transaction of its own and carries a marker of its
// own: the answer is fresh when it lists that transaction running that very query.
// Reads of one server are serialized across the tasks of this process (trxViews),
// and a fresh answer whose query began after a waiting task asked is that task's
// answer too: otherwise tasks polling one server together (tasks.max > 1, several
// connectors) would keep the cache from ever refreshing.
func (mysqlDialect) oldestWriter(ctx context.Context, db *sql.DB) (time.Time, bool, error) {
	asked := time.Now()
	conn, err := db.Conn(ctx)
	if err != nil {
		return time.Time{}, false, err
	}
	defer conn.Close()
	var host string
	var port int64
	if err := conn.QueryRowContext(ctx, "SELECT @@hostname, @@port").Scan(&host, &port); err != nil {
		return time.Time{}, false, err
	}
	v := trxViewOf(net.JoinHostPort(host, strconv.FormatInt(port, 10)))
	select {
	case v.sem <- struct{}{}:
	case <-ctx.Done():
		return time.Time{}, false, ctx.Err()
	}
	defer func() { <-v.sem }()
	if v.read.After(asked) {
		return v.start, v.ok, nil
	}
	if _, err := conn.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
		return time.Time{}, false, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // read-only
	marker := strconv.FormatInt(time.Now().UnixNano(), 36)
	for try := 0; ; try++ {
		var fresh sql.NullBool
		var secs sql.NullInt64
		began := time.Now()
		err := conn.QueryRowContext(ctx, `SELECT /* goconnect `+marker+` */
MAX(trx_mysql_thread_id = CONNECTION_ID() AND trx_query LIKE '%goconnect `+marker+` */%'),
UNIX_TIMESTAMP(MIN(CASE WHEN trx_mysql_thread_id <> CONNECTION_ID() AND trx_autocommit_non_locking = 0
  AND (trx_rows_modified > 0 OR trx_query IS NOT NULL) THEN trx_started END))
FROM information_schema.innodb_trx`).Scan(&fresh, &secs)
		switch {
		case err != nil:
			return time.Time{}, false, err
		case fresh.Valid && fresh.Bool:
			v.read, v.ok, v.start = began, secs.Valid, time.Time{}
			if secs.Valid {
				v.start = time.Unix(secs.Int64, 0).UTC()
			}
			return v.start, v.ok, nil
		case try == 4:
			return time.Time{}, false, errStaleTxnView
		}
		select {
		case <-ctx.Done():
			return time.Time{}, false, ctx.Err()
		case <-time.After(110 * time.Millisecond):
		}
	}
}

// trxView is the last fresh innodb_trx answer of one server, shared by this
// process's tasks; sem (one slot) serializes the reads and guards the rest.
type trxView struct {
	sem   chan struct{}
	read  time.Time // local clock when the fresh answer's query began
	start time.Time
	ok    bool
}

// trxViews maps "host:port" (as the server names itself) to its *trxView.
var trxViews sync.Map

func trxViewOf(server string) *trxView {
	if v, ok := trxViews.Load(server); ok {
		return v.(*trxView)
	}
	v, _ := trxViews.LoadOrStore(server, &trxView{sem: make(chan struct{}, 1)})
	return v.(*trxView)
}

func (mysqlDialect) autoIncrement(ctx context.Context, db *sql.DB, t tableID) (string, error) {
	schema := t.catalog
	if schema == "" {
		schema = t.schema
	}
	return queryName(ctx, db, `SELECT column_name FROM information_schema.columns
WHERE table_schema = COALESCE(NULLIF(?, ''), DATABASE()) AND table_name = ? AND extra LIKE '%auto_increment%' LIMIT 1`, schema, t.name)
}
