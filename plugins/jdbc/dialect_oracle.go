package jdbc

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	goora "github.com/sijms/go-ora/v2"

	"github.com/goconnect/goconnect/api/data"
)

// oracleDialect is OracleDatabaseDialect, over go-ora (pure Go). This is the only
// file that imports go-ora. No Oracle server runs on the project's machines: the
// SQL it generates is pinned by golden tests, and a live test runs when ORACLE_URL
// is set.
type oracleDialect struct{}

func (oracleDialect) name() string { return "OracleDatabaseDialect" }

func (oracleDialect) connector(u *jdbcURL, _ *time.Location) (driver.Connector, error) {
	opts := map[string]string{}
	service := u.database
	if u.sid {
		opts["SID"] = u.database
		service = ""
	}
	dsn := goora.BuildUrl(u.host, u.port, service, u.user, u.password, opts)
	return goora.NewConnector(dsn), nil
}

func (oracleDialect) quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func (oracleDialect) placeholder(n int) string   { return ":" + strconv.Itoa(n) }
func (oracleDialect) maxParams() int             { return 65535 }

// arrayBind makes the writer execute one single-row statement with every argument
// a slice (one element per row): Oracle before 23c has no multi-row VALUES, and
// array binds are its one-round-trip batch.
func (oracleDialect) arrayBind() bool { return true }

// sqlType follows Confluent's OracleDatabaseDialect; key strings and bytes get
// VARCHAR2/RAW because CLOB and BLOB cannot be primary key columns.
func (oracleDialect) sqlType(s *data.Schema, key bool) (string, error) {
	switch s.Name {
	case data.DecimalName:
		scale, err := data.DecimalScale(s)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("NUMBER(*,%d)", scale), nil
	case data.DateName, data.TimeName:
		return "DATE", nil
	case data.TimestampName:
		return "TIMESTAMP", nil
	}
	switch s.Type {
	case data.TypeInt8:
		return "NUMBER(3,0)", nil
	case data.TypeInt16:
		return "NUMBER(5,0)", nil
	case data.TypeInt32:
		return "NUMBER(10,0)", nil
	case data.TypeInt64:
		return "NUMBER(19,0)", nil
	case data.TypeFloat32:
		return "BINARY_FLOAT", nil
	case data.TypeFloat64:
		return "BINARY_DOUBLE", nil
	case data.TypeBoolean:
		return "NUMBER(1,0)", nil
	case data.TypeString:
		if key {
			return "VARCHAR2(4000)", nil
		}
		return "CLOB", nil
	case data.TypeBytes:
		if key {
			return "RAW(2000)", nil
		}
		return "BLOB", nil
	case data.TypeArray, data.TypeMap, data.TypeStruct:
		return "CLOB", nil
	}
	return "", fmt.Errorf("%w: no Oracle type for %s", data.ErrData, s)
}

func (oracleDialect) classify(t string) valueClass {
	l := strings.ToLower(t)
	switch {
	case l == "date":
		return clsTimestamp // an Oracle DATE has a time of day
	case strings.HasPrefix(l, "number"):
		return clsDecimal
	}
	return classifyCommon(l)
}

func (d oracleDialect) describe(ctx context.Context, db *sql.DB, t tableID) ([]dbColumn, error) {
	names := []string{t.name}
	if u := strings.ToUpper(t.name); u != t.name {
		names = append(names, u) // an unquoted name as Oracle folds it
	}
	for _, n := range names {
		rows, err := db.QueryContext(ctx, `SELECT column_name, data_type, nullable FROM all_tab_columns
WHERE owner = NVL(:1, USER) AND table_name = :2 ORDER BY column_id`, strings.ToUpper(t.schema), n)
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

// upsert renders Confluent's Oracle MERGE for one row (array binds make it a
// batch): the incoming row is selected from dual and matched on the key.
func (oracleDialect) upsert(b *sqlBuilder, t tableID, cols, pk []string, _ int) string {
	tbl := b.table(t)
	var sel, on, set, ins, vals []string
	for i, c := range cols {
		sel = append(sel, b.d.placeholder(i+1)+" "+b.ident(c))
	}
	for _, c := range pk {
		on = append(on, tbl+"."+b.ident(c)+"=incoming."+b.ident(c))
	}
	for _, c := range cols {
		if !contains(pk, c) {
			set = append(set, tbl+"."+b.ident(c)+"=incoming."+b.ident(c))
		}
		ins = append(ins, tbl+"."+b.ident(c))
		vals = append(vals, "incoming."+b.ident(c))
	}
	s := fmt.Sprintf("MERGE INTO %s USING (SELECT %s FROM dual) incoming ON(%s)", tbl, strings.Join(sel, ", "), strings.Join(on, " AND "))
	if len(set) > 0 {
		s += " WHEN MATCHED THEN UPDATE SET " + strings.Join(set, ", ")
	}
	return s + fmt.Sprintf(" WHEN NOT MATCHED THEN INSERT(%s) VALUES(%s)", strings.Join(ins, ", "), strings.Join(vals, ", "))
}

func (oracleDialect) bind(cls valueClass, v any, tz *time.Location) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch cls {
	case clsDecimal:
		return v.(data.Decimal).String(), nil
	case clsDate, clsTime:
		return v.(time.Time).UTC(), nil
	case clsTimestamp:
		return wallClock(v.(time.Time), tz), nil
	case clsBool:
		if v.(bool) {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return v, nil
}

var oraCode = regexp.MustCompile(`ORA-(\d{5})`)

func (oracleDialect) transient(err error) bool {
	if m := oraCode.FindStringSubmatch(err.Error()); m != nil {
		switch m[1] {
		case "00060", "00054", "03113", "03114", "03135", "12541", "12514", "12528", "12537", "01033", "01034", "01089", "01090", "08177":
			return true
		}
		return false
	}
	return commonTransient(err)
}

func (oracleDialect) inTx(ctx context.Context, db *sql.DB, _ bool, fn func(txn) error) error {
	return inSQLTx(ctx, db, fn)
}

// listTables lists the user's own tables and views (the connector then applies
// schema.pattern to the owners; another owner's tables need their schema in
// table.whitelist).
func (oracleDialect) listTables(ctx context.Context, db *sql.DB, _ bool) ([]tableInfo, error) {
	return scanTables(db.QueryContext(ctx, `SELECT '', owner, table_name, 'TABLE' FROM all_tables WHERE owner = USER
UNION ALL SELECT '', owner, view_name, 'VIEW' FROM all_views WHERE owner = USER ORDER BY 3`))
}

func (oracleDialect) currentTime(ctx context.Context, db *sql.DB) (time.Time, error) {
	var t time.Time
	err := db.QueryRowContext(ctx, "SELECT CAST(SYS_EXTRACT_UTC(SYSTIMESTAMP) AS TIMESTAMP) FROM dual").Scan(&t)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), err
}

func (oracleDialect) autoIncrement(ctx context.Context, db *sql.DB, t tableID) (string, error) {
	return queryName(ctx, db, `SELECT column_name FROM all_tab_columns
WHERE owner = NVL(:1, USER) AND table_name = :2 AND identity_column = 'YES' AND ROWNUM = 1`, strings.ToUpper(t.schema), t.name)
}
