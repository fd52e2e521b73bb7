package jdbc

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// jdbcURL is a connection.url taken apart. Each dialect turns it into its driver's
// DSN; keeping the parse here means one set of rules for every driver.
type jdbcURL struct {
	// subprotocol is what follows "jdbc:": postgresql, mysql, mariadb, sqlite, oracle.
	subprotocol string
	host        string
	port        int
	// database is the database (PostgreSQL, MySQL), the service name or SID
	// (Oracle), or the file path (SQLite).
	database string
	// sid is true for Oracle's host:port:SID form.
	sid    bool
	params map[string]string
	// user and password come from connection.user/password, else from the URL.
	user, password string
}

// parseURL parses the JDBC URL forms Confluent's users write. connection.user and
// connection.password, when set, win over credentials in the URL, as with JDBC's
// DriverManager.getConnection(url, user, password).
func parseURL(raw, user, password string) (*jdbcURL, error) {
	rest, ok := strings.CutPrefix(raw, "jdbc:")
	if !ok {
		return nil, fmt.Errorf("connection.url %q is not a JDBC URL (jdbc:<subprotocol>:...)", raw)
	}
	sub, rest, _ := strings.Cut(rest, ":")
	u := &jdbcURL{subprotocol: strings.ToLower(sub), params: map[string]string{}}
	switch u.subprotocol {
	case "postgresql", "pgsql", "mysql", "mariadb":
		if err := u.parseHierarchical(rest); err != nil {
			return nil, fmt.Errorf("parse connection.url %q: %w", raw, err)
		}
		if u.subprotocol == "pgsql" {
			u.subprotocol = "postgresql"
		}
	case "sqlite":
		path, q, _ := strings.Cut(rest, "?")
		u.database = path
		if err := u.parseQuery(q); err != nil {
			return nil, fmt.Errorf("parse connection.url %q: %w", raw, err)
		}
	case "oracle":
		if err := u.parseOracle(rest); err != nil {
			return nil, fmt.Errorf("parse connection.url %q: %w", raw, err)
		}
	default:
		return nil, fmt.Errorf("connection.url %q: unsupported JDBC subprotocol %q (supported: postgresql, mysql, mariadb, sqlite, oracle)", raw, sub)
	}
	if v, ok := u.params["user"]; ok {
		u.user = v
		delete(u.params, "user")
	}
	if v, ok := u.params["password"]; ok {
		u.password = v
		delete(u.params, "password")
	}
	if user != "" {
		u.user = user
	}
	if password != "" {
		u.password = password
	}
	return u, nil
}

// parseHierarchical reads //host[:port][,host2...]/database?k=v&... (only the first
// host of a failover list is used).
func (u *jdbcURL) parseHierarchical(rest string) error {
	rest, ok := strings.CutPrefix(rest, "//")
	if !ok {
		return fmt.Errorf("expected //host[:port]/database")
	}
	rest, q, _ := strings.Cut(rest, "?")
	hostport, db, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(hostport, "@"); i >= 0 { // user:password@host, accepted by MySQL Connector/J
		cred := hostport[:i]
		hostport = hostport[i+1:]
		us, pw, _ := strings.Cut(cred, ":")
		u.params["user"], u.params["password"] = us, pw
	}
	hostport, _, _ = strings.Cut(hostport, ",")
	host, port := hostport, ""
	if strings.HasPrefix(host, "[") { // [::1]:5432
		if i := strings.Index(host, "]"); i > 0 {
			host, port = host[1:i], strings.TrimPrefix(host[i+1:], ":")
		}
	} else if h, p, ok := strings.Cut(host, ":"); ok {
		host, port = h, p
	}
	if host == "" {
		host = "localhost"
	}
	u.host = host
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil {
			return fmt.Errorf("bad port %q", port)
		}
		u.port = n
	}
	u.database = db
	return u.parseQuery(q)
}

func (u *jdbcURL) parseQuery(q string) error {
	if q == "" {
		return nil
	}
	// JDBC URLs separate with & (PostgreSQL, MySQL) and sometimes ; (SQLite).
	for _, kv := range strings.FieldsFunc(q, func(r rune) bool { return r == '&' || r == ';' }) {
		k, v, _ := strings.Cut(kv, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return err
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			return err
		}
		u.params[k] = v
	}
	return nil
}

// parseOracle reads thin:[user/password]@host:port:SID, thin:@//host:port/service
// and thin:@host:port/service.
func (u *jdbcURL) parseOracle(rest string) error {
	rest, ok := strings.CutPrefix(rest, "thin:")
	if !ok {
		return fmt.Errorf("only the Oracle thin driver form jdbc:oracle:thin:@... is supported")
	}
	cred, rest, ok := strings.Cut(rest, "@")
	if !ok {
		return fmt.Errorf("expected @ after jdbc:oracle:thin:")
	}
	if cred != "" {
		us, pw, _ := strings.Cut(cred, "/")
		u.params["user"], u.params["password"] = us, pw
	}
	rest, q, _ := strings.Cut(rest, "?")
	if err := u.parseQuery(q); err != nil {
		return err
	}
	if strings.HasPrefix(rest, "(") {
		return fmt.Errorf("Oracle TNS descriptors are not supported; use host:port/service")
	}
	rest = strings.TrimPrefix(rest, "//")
	hostport, service, hasService := strings.Cut(rest, "/")
	parts := strings.Split(hostport, ":")
	u.host = parts[0]
	u.port = 1521
	if len(parts) > 1 {
		n, err := strconv.Atoi(parts[1])
		if err != nil {
			return fmt.Errorf("bad port %q", parts[1])
		}
		u.port = n
	}
	switch {
	case hasService:
		u.database = service
	case len(parts) == 3:
		u.database, u.sid = parts[2], true
	default:
		return fmt.Errorf("expected host:port:SID or host:port/service")
	}
	return nil
}
