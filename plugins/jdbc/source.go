package jdbc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
)

// SourceConnector is Confluent's JdbcSourceConnector: it lists the tables to copy
// (or takes one query), splits them between tasks, and watches the database for
// added or removed tables every table.poll.interval.ms.
type SourceConnector struct {
	props map[string]string
	cfg   *sourceConfig
	d     dialect
	db    *sql.DB
	cc    connect.ConnectorContext

	mu     sync.Mutex
	tables []tableID // current table list, guarded by mu

	stop chan struct{}
	done chan struct{}
}

// NewSourceConnector returns a JDBC source connector.
func NewSourceConnector() *SourceConnector { return &SourceConnector{} }

var (
	_ connect.SourceConnector = (*SourceConnector)(nil)
	_ connect.ConfigValidator = (*SourceConnector)(nil)
	_ connect.SourceTask      = (*SourceTask)(nil)
)

// Version implements connect.Connector.
func (c *SourceConnector) Version() string { return Version }

// Config implements connect.Connector.
func (c *SourceConnector) Config() *config.Def { return SourceConfig() }

// Validate adds the cross-field rules to the per-key results.
func (c *SourceConnector) Validate(props map[string]string, values []config.Value) []config.Value {
	for _, v := range values {
		if len(v.Errors) > 0 {
			return values
		}
	}
	if _, err := parseSourceConfig(props); err != nil {
		var ce *config.Error
		name := ModeConfig
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

// Start lists the tables once (so TaskConfigs can answer at once) and starts the
// table monitor unless a query is configured.
func (c *SourceConnector) Start(cc connect.ConnectorContext, props map[string]string) error {
	cfg, err := parseSourceConfig(props)
	if err != nil {
		return err
	}
	c.props, c.cfg, c.cc = maps.Clone(props), cfg, cc
	if cfg.query != "" {
		return nil
	}
	u, err := parseURL(cfg.url, cfg.user, cfg.password)
	if err != nil {
		return err
	}
	if c.d, err = dialectFor(cfg.dialectName, u); err != nil {
		return err
	}
	if c.db, err = openDB(c.d, u, cfg.connConfig); err != nil {
		return err
	}
	c.db.SetMaxOpenConns(1)
	tables, err := c.listTables(context.Background())
	if err != nil {
		c.db.Close()
		return fmt.Errorf("list tables: %w", err)
	}
	c.tables = tables
	c.stop, c.done = make(chan struct{}), make(chan struct{})
	go c.monitor()
	return nil
}

// listTables lists the tables and applies table.types, catalog.pattern and
// schema.pattern (SQL LIKE patterns, as JDBC's getTables) and the
// white/blacklist, whose entries may be bare table names or qualified ones.
func (c *SourceConnector) listTables(ctx context.Context) ([]tableID, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	infos, err := c.d.listTables(ctx, c.db, c.cfg.catalogPattern != nil)
	if err != nil {
		return nil, err
	}
	// Only MySQL has JDBC catalogs (its databases); pgjdbc, sqlite-jdbc and
	// Oracle's driver ignore catalog.pattern, and so does this.
	_, isMySQL := c.d.(mysqlDialect)
	var all []tableID
	for _, ti := range infos {
		switch {
		case !slices.Contains(c.cfg.tableTypes, strings.ToUpper(ti.typ)):
		case c.cfg.catalogPattern != nil && isMySQL && !likeMatch(*c.cfg.catalogPattern, ti.id.catalog):
		case c.cfg.schemaPattern != nil && !likeMatch(*c.cfg.schemaPattern, ti.id.schema):
		default:
			all = append(all, ti.id)
		}
	}
	match := func(list []string, t tableID) bool {
		for _, e := range list {
			if e == t.name || e == t.String() || (t.schema != "" && e == t.schema+"."+t.name) {
				return true
			}
		}
		return false
	}
	var out []tableID
	for _, t := range all {
		if len(c.cfg.whitelist) > 0 && !match(c.cfg.whitelist, t) {
			continue
		}
		if len(c.cfg.blacklist) > 0 && match(c.cfg.blacklist, t) {
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// monitor re-lists the tables every table.poll.interval.ms and asks for new task
// configurations when the list changed. It is owned by the connector: Stop closes
// c.stop and waits for c.done.
func (c *SourceConnector) monitor() {
	defer close(c.done)
	tick := time.NewTicker(max(c.cfg.tablePollInterval, 100*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		tables, err := c.listTables(context.Background())
		if err != nil {
			continue // a database that is briefly away is not a reason to fail; try again next tick
		}
		c.mu.Lock()
		changed := !slices.Equal(tables, c.tables)
		c.tables = tables
		c.mu.Unlock()
		if changed {
			c.cc.RequestTaskReconfiguration()
		}
	}
}

// TaskConfigs gives a query to one task, or splits the tables round-robin between
// up to maxTasks tasks (Confluent's ConnectorUtils.groupPartitions splits them in
// contiguous groups; which task reads a table does not matter for offsets, which
// are per table).
func (c *SourceConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	if c.cfg.query != "" {
		return []map[string]string{maps.Clone(c.props)}, nil
	}
	c.mu.Lock()
	tables := slices.Clone(c.tables)
	c.mu.Unlock()
	n := min(maxTasks, len(tables))
	groups := make([][]string, n)
	for i, t := range tables {
		groups[i*n/len(tables)] = append(groups[i*n/len(tables)], t.String())
	}
	out := make([]map[string]string, n)
	for i, g := range groups {
		p := maps.Clone(c.props)
		p[tablesConfig] = strings.Join(g, ",")
		out[i] = p
	}
	return out, nil
}

// Stop stops the table monitor and closes the connection.
func (c *SourceConnector) Stop() error {
	if c.stop != nil {
		close(c.stop)
		<-c.done
		c.stop = nil
	}
	if c.db != nil {
		err := c.db.Close()
		c.db = nil
		return err
	}
	return nil
}

// NewTask implements connect.SourceConnector.
func (c *SourceConnector) NewTask() connect.SourceTask { return &SourceTask{} }
