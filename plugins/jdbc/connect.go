package jdbc

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// openDB opens the connection pool of a dialect. Every connection the pool makes,
// at start or after the database came back, is tried connection.attempts times,
// connection.backoff.ms apart, as Confluent's CachedConnectionProvider does.
func openDB(d dialect, u *jdbcURL, c connConfig) (*sql.DB, error) {
	conn, err := d.connector(u, c.tz)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(retryConnector{Connector: conn, attempts: max(c.attempts, 1), backoff: c.backoff, dialect: d.name()})
	if _, ok := d.(sqliteDialect); ok && (u.database == ":memory:" || u.database == "") {
		db.SetMaxOpenConns(1) // every connection would be a different in-memory database
	}
	return db, nil
}

// retryConnector retries making a connection.
type retryConnector struct {
	driver.Connector
	attempts int
	backoff  time.Duration
	dialect  string
}

func (c retryConnector) Connect(ctx context.Context) (driver.Conn, error) {
	for attempt := 1; ; attempt++ {
		conn, err := c.Connector.Connect(ctx)
		if err == nil {
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		if attempt >= c.attempts {
			return nil, &connectError{attempts: attempt, err: err}
		}
		slog.Info(fmt.Sprintf("Unable to connect to database on attempt %d/%d. Will retry in %d ms.", attempt, c.attempts, c.backoff.Milliseconds()),
			"dialect", c.dialect, "error", err)
		tm := time.NewTimer(c.backoff)
		select {
		case <-ctx.Done():
			tm.Stop()
			return nil, ctx.Err()
		case <-tm.C:
		}
	}
}

// connectError is a connection that could not be made in connection.attempts
// tries. It hides the driver's error from database/sql, which would otherwise
// try again on its own when the driver calls it driver.ErrBadConn (and so make
// up to three times as many attempts); it is transient (see commonTransient).
type connectError struct {
	attempts int
	err      error
}

func (e *connectError) Error() string {
	if e.attempts == 1 {
		return "unable to connect to the database: " + e.err.Error()
	}
	return fmt.Sprintf("unable to connect to the database after %d attempts: %v", e.attempts, e.err)
}

// Close closes the driver's connector when it holds resources (sql.DB.Close
// calls it).
func (c retryConnector) Close() error {
	if cl, ok := c.Connector.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// dsnConnector is a driver.Connector for a driver that only opens DSNs.
type dsnConnector struct {
	drv driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }
