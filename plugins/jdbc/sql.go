package jdbc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goconnect/goconnect/api/data"
)

// sqlBuilder renders statements for a dialect, honouring quote.sql.identifiers.
type sqlBuilder struct {
	d     dialect
	quote bool
}

// ident renders one identifier.
func (b *sqlBuilder) ident(s string) string {
	if !b.quote {
		return s
	}
	return b.d.quoteIdent(s)
}

// table renders a table name, each part quoted on its own.
func (b *sqlBuilder) table(t tableID) string {
	var parts []string
	for _, p := range []string{t.catalog, t.schema, t.name} {
		if p != "" {
			parts = append(parts, b.ident(p))
		}
	}
	return strings.Join(parts, ".")
}

func (b *sqlBuilder) idents(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = b.ident(n)
	}
	return strings.Join(q, ", ")
}

// valuesRows renders "(p1, p2), (p3, p4)" for nrows rows of ncols columns.
func (b *sqlBuilder) valuesRows(ncols, nrows int) string {
	var sb strings.Builder
	n := 1
	for r := range nrows {
		if r > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for c := range ncols {
			if c > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(b.d.placeholder(n))
			n++
		}
		sb.WriteByte(')')
	}
	return sb.String()
}

// insert renders a multi-row INSERT.
func (b *sqlBuilder) insert(t tableID, cols []string, nrows int) string {
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", b.table(t), b.idents(cols), b.valuesRows(len(cols), nrows))
}

// update renders an UPDATE of one row: non-key columns first, then the key columns.
func (b *sqlBuilder) update(t tableID, cols, pk []string) string {
	var set, where []string
	n := 1
	for _, c := range cols {
		set = append(set, b.ident(c)+" = "+b.d.placeholder(n))
		n++
	}
	for _, c := range pk {
		where = append(where, b.ident(c)+" = "+b.d.placeholder(n))
		n++
	}
	return fmt.Sprintf("UPDATE %s SET %s WHERE %s", b.table(t), strings.Join(set, ", "), strings.Join(where, " AND "))
}

// delete renders a DELETE of nrows rows by key.
func (b *sqlBuilder) delete(t tableID, pk []string, nrows int) string {
	var rows []string
	n := 1
	for range nrows {
		var conds []string
		for _, c := range pk {
			conds = append(conds, b.ident(c)+" = "+b.d.placeholder(n))
			n++
		}
		rows = append(rows, "("+strings.Join(conds, " AND ")+")")
	}
	return fmt.Sprintf("DELETE FROM %s WHERE %s", b.table(t), strings.Join(rows, " OR "))
}

// createTable renders CREATE TABLE with NOT NULL for required fields, defaults and
// the primary key. ifNotExists lets two tasks race to create one table.
func (b *sqlBuilder) createTable(t tableID, cols []colDef, pk []string, ifNotExists bool) (string, error) {
	var sb strings.Builder
	sb.WriteString("CREATE TABLE ")
	if ifNotExists {
		sb.WriteString("IF NOT EXISTS ")
	}
	sb.WriteString(b.table(t))
	sb.WriteString(" (")
	for i, c := range cols {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("\n")
		def, err := b.columnDef(c)
		if err != nil {
			return "", err
		}
		sb.WriteString(def)
	}
	if len(pk) > 0 {
		sb.WriteString(",\nPRIMARY KEY(" + b.idents(pk) + ")")
	}
	sb.WriteString(")")
	return sb.String(), nil
}

func (b *sqlBuilder) columnDef(c colDef) (string, error) {
	typ, err := b.d.sqlType(c.schema, c.key)
	if err != nil {
		return "", fmt.Errorf("column %s: %w", c.name, err)
	}
	s := b.ident(c.name) + " " + typ
	if lit, ok := defaultLiteral(c.schema); ok {
		s += " DEFAULT " + lit
	}
	if c.key || !c.schema.Optional {
		s += " NOT NULL"
	} else {
		s += " NULL"
	}
	return s, nil
}

// addColumns renders one ALTER TABLE ... ADD per column (portable across the
// dialects; Oracle overrides with its parenthesised form).
func (b *sqlBuilder) addColumns(t tableID, cols []colDef, oracle bool) ([]string, error) {
	var out []string
	for _, c := range cols {
		def, err := b.columnDef(c)
		if err != nil {
			return nil, err
		}
		if oracle {
			out = append(out, fmt.Sprintf("ALTER TABLE %s ADD(%s)", b.table(t), def))
		} else {
			out = append(out, fmt.Sprintf("ALTER TABLE %s ADD %s", b.table(t), def))
		}
	}
	return out, nil
}

// defaultLiteral renders a schema default as a SQL literal for the primitive types
// where the literal is the same in every dialect; others get no DEFAULT clause.
func defaultLiteral(s *data.Schema) (string, bool) {
	if s.Default == nil || s.Name != "" {
		return "", false
	}
	switch v := s.Default.(type) {
	case int8:
		return strconv.Itoa(int(v)), true
	case int16:
		return strconv.Itoa(int(v)), true
	case int32:
		return strconv.Itoa(int(v)), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case bool:
		if v {
			return "'1'", true
		}
		return "'0'", true
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'", true
	}
	return "", false
}
