package jdbc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
)

// SinkConnector is Confluent's JdbcSinkConnector.
type SinkConnector struct {
	props map[string]string
}

// NewSinkConnector returns a JDBC sink connector.
func NewSinkConnector() *SinkConnector { return &SinkConnector{} }

var (
	_ connect.SinkConnector   = (*SinkConnector)(nil)
	_ connect.ConfigValidator = (*SinkConnector)(nil)
	_ connect.SinkTask        = (*SinkTask)(nil)
	_ connect.Flusher         = (*SinkTask)(nil)
)

// Version implements connect.Connector.
func (c *SinkConnector) Version() string { return Version }

// Config implements connect.Connector.
func (c *SinkConnector) Config() *config.Def { return SinkConfig() }

// Start checks the configuration so a bad one fails the connector, not only its
// tasks.
func (c *SinkConnector) Start(_ connect.ConnectorContext, props map[string]string) error {
	if _, err := parseSinkConfig(props); err != nil {
		return err
	}
	c.props = maps.Clone(props)
	return nil
}

// TaskConfigs returns maxTasks copies of the configuration; Kafka's consumer group
// splits the partitions between the tasks.
func (c *SinkConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	out := make([]map[string]string, maxTasks)
	for i := range out {
		out[i] = maps.Clone(c.props)
	}
	return out, nil
}

// Stop implements connect.Connector.
func (c *SinkConnector) Stop() error { return nil }

// NewTask implements connect.SinkConnector.
func (c *SinkConnector) NewTask() connect.SinkTask { return &SinkTask{} }

// Validate adds the cross-field rules (delete.enabled needs pk.mode=record_key, ...)
// to the per-key results.
func (c *SinkConnector) Validate(props map[string]string, values []config.Value) []config.Value {
	for _, v := range values {
		if len(v.Errors) > 0 {
			return values // per-key errors first, as Java reports them
		}
	}
	if _, err := parseSinkConfig(props); err != nil {
		var ce *config.Error
		name := ConnectionURLConfig
		if errors.As(err, &ce) {
			name = ce.Name
		}
		for i := range values {
			if values[i].Name == name {
				values[i].Errors = append(values[i].Errors, err.Error())
			}
		}
	}
	return values
}

// SinkTask writes records to tables: one transaction per Put, multi-row statements
// (COPY for PostgreSQL inserts) within it.
type SinkTask struct {
	cfg      *sinkConfig
	d        dialect
	db       *sql.DB
	b        *sqlBuilder
	tc       connect.SinkTaskContext
	tables   map[string]*tableState
	retries  int // retries left before a transient error fails the task
	failures int // consecutive transient failures, for messages
}

// Start parses the configuration and opens the connection pool; connections are
// made on first use, so a database that is down at start is retried like one
// that goes down later.
func (t *SinkTask) Start(tc connect.SinkTaskContext, props map[string]string) error {
	cfg, err := parseSinkConfig(props)
	if err != nil {
		return err
	}
	u, err := parseURL(cfg.url, cfg.user, cfg.password)
	if err != nil {
		return err
	}
	d, err := dialectFor(cfg.dialectName, u)
	if err != nil {
		return err
	}
	db, err := openDB(d, u, cfg.connConfig)
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	t.cfg, t.d, t.db, t.tc = cfg, d, db, tc
	t.b = &sqlBuilder{d: d, quote: cfg.quote}
	t.tables = map[string]*tableState{}
	t.retries = cfg.maxRetries
	return nil
}

// Put writes the batch in one transaction. A transient database error returns a
// connect.RetriableError (the runtime redelivers the same batch after
// retry.backoff.ms) until max.retries consecutive failures; a record the database
// or the conversion rejects goes to the ErrantRecordReporter when there is one,
// and otherwise fails the task naming the table, the record and the database's
// message.
func (t *SinkTask) Put(ctx context.Context, records []*connect.Record) error {
	if len(records) == 0 {
		return nil
	}
	bad, err := t.write(ctx, records)
	if err != nil {
		if t.d.transient(err) && ctx.Err() == nil {
			t.failures++
			if t.retries > 0 {
				t.retries--
				t.tc.Timeout(t.cfg.retryBackoff)
				return &connect.RetriableError{Err: fmt.Errorf("write %d records (attempt %d of %d): %w", len(records), t.failures, t.cfg.maxRetries+1, err), Backoff: t.cfg.retryBackoff}
			}
			return fmt.Errorf("write %d records: giving up after %d attempts: %w", len(records), t.failures, err)
		}
		return err
	}
	t.retries, t.failures = t.cfg.maxRetries, 0
	// Reported only once the good rows are committed, so a retried batch does not
	// report its bad records twice.
	if rep := t.tc.ErrantRecordReporter(); rep != nil {
		for _, b := range bad {
			if err := rep.Report(ctx, b.rec, b.err); err != nil {
				return err
			}
		}
	}
	return nil
}

// Flush has nothing to do: Put is synchronous, so everything put is committed. It
// is implemented to say so to the runtime explicitly.
func (t *SinkTask) Flush(context.Context, map[connect.TopicPartition]int64) error { return nil }

// Stop closes the connection pool.
func (t *SinkTask) Stop() error {
	if t.db == nil {
		return nil
	}
	return t.db.Close()
}

// badRecord is a record that could not be written, with the reason.
type badRecord struct {
	rec *connect.Record
	err error
}

// recordError names a record in an error message as Confluent does.
func recordError(r *connect.Record, table string, err error) error {
	where := fmt.Sprintf("topic=%s, partition=%d, offset=%d", r.Topic, r.Partition, r.Offset)
	if table != "" {
		return fmt.Errorf("write record (%s) to table %s: %w", where, table, err)
	}
	return fmt.Errorf("record (%s): %w", where, err)
}

func (t *SinkTask) tableName(topic string) string {
	return strings.ReplaceAll(t.cfg.tableFormat, "${topic}", topic)
}
