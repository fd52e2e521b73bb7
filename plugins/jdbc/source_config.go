package jdbc

import (
	"fmt"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/config"
)

// Source keys (JdbcSourceConnectorConfig).
const (
	ModeConfig                = "mode"
	IncrementingColumnConfig  = "incrementing.column.name"
	TimestampColumnConfig     = "timestamp.column.name"
	TimestampInitialConfig    = "timestamp.initial"
	ValidateNonNullConfig     = "validate.non.null"
	QueryConfig               = "query"
	QuerySuffixConfig         = "query.suffix"
	TableWhitelistConfig      = "table.whitelist"
	TableBlacklistConfig      = "table.blacklist"
	SchemaPatternConfig       = "schema.pattern"
	CatalogPatternConfig      = "catalog.pattern"
	PollIntervalConfig        = "poll.interval.ms"
	BatchMaxRowsConfig        = "batch.max.rows"
	TablePollIntervalConfig   = "table.poll.interval.ms"
	TopicPrefixConfig         = "topic.prefix"
	TimestampDelayConfig      = "timestamp.delay.interval.ms"
	NumericMappingConfig      = "numeric.mapping"
	NumericPrecisionMapping   = "numeric.precision.mapping"
	SourceTableTypesConfig    = "table.types"
	IncrementingRelaxedConfig = "incrementing.relaxed.monotonic"
	// WaitOpenTxnConfig is goconnect's own key (Confluent has no equivalent):
	// cap timestamp queries at the start of the oldest open writing transaction.
	WaitOpenTxnConfig          = "timestamp.wait.for.open.transactions"
	tablesConfig               = "tables" // task config: the tables of one task, as Confluent's
	modeBulk                   = "bulk"
	modeTimestamp              = "timestamp"
	modeIncrementing           = "incrementing"
	modeTimestampIncrementing  = "timestamp+incrementing"
	timestampInitialCurrentDef = -1
)

// SourceConfig returns the configuration definition of the JDBC source, as
// Confluent's JdbcSourceConnectorConfig.CONFIG_DEF.
func SourceConfig() *config.Def {
	conn := connectionKeys(groupDatabase)
	d := config.NewDef().Define(conn[0], conn[1], conn[2], conn[4], conn[5])
	d.Define(
		config.Key{Name: TableWhitelistConfig, Type: config.List, Default: "", Importance: config.Medium, Group: groupDatabase, OrderInGroup: 6, Width: config.WidthLong, DisplayName: "Table Whitelist",
			Doc: "List of tables to include in copying. If specified, ``table.blacklist`` may not be set. Use a comma-separated list to specify multiple tables (for example, ``table.whitelist: \"User, Address, Email\"``)."},
		config.Key{Name: TableBlacklistConfig, Type: config.List, Default: "", Importance: config.Medium, Group: groupDatabase, OrderInGroup: 7, Width: config.WidthLong, DisplayName: "Table Blacklist",
			Doc: "List of tables to exclude from copying. If specified, ``table.whitelist`` may not be set. Use a comma-separated list to specify multiple tables (for example, ``table.blacklist: \"User, Address, Email\"``)."},
		config.Key{Name: CatalogPatternConfig, Type: config.String, Default: nil, Importance: config.Medium, Group: groupDatabase, OrderInGroup: 8, Width: config.WidthShort, DisplayName: "Schema pattern",
			Doc: "Catalog pattern to fetch table metadata from the database.\n  * ``\"\"`` retrieves those without a catalog \n  * null (default) indicates that the schema name is not used to narrow the search and that all table metadata is fetched, regardless of the catalog."},
		config.Key{Name: SchemaPatternConfig, Type: config.String, Default: nil, Importance: config.High, Group: groupDatabase, OrderInGroup: 9, Width: config.WidthShort, DisplayName: "Schema pattern",
			Doc: "Schema pattern to fetch table metadata from the database.\n  * ``\"\"`` retrieves those without a schema.\n  * null (default) indicates that the schema name is not used to narrow the search and that all table metadata is fetched, regardless of the schema."},
		config.Key{Name: NumericPrecisionMapping, Type: config.Boolean, Default: "false", Importance: config.Low, Group: groupDatabase, OrderInGroup: 10, Width: config.WidthShort, DisplayName: "Map Numeric Values By Precision (deprecated)",
			Doc: "Whether or not to attempt mapping NUMERIC values by precision to integral types. This option is now deprecated. A future version may remove it completely. Please use ``numeric.mapping`` instead."},
		config.Key{Name: NumericMappingConfig, Type: config.String, Default: nil, Importance: config.Low, Group: groupDatabase, OrderInGroup: 11, Width: config.WidthShort, DisplayName: "Map Numeric Values, Integral or Decimal, By Precision and Scale",
			Validator: config.ValidatorFunc(func(_ string, v any) error {
				if s, _ := v.(string); v != nil && !strings.EqualFold(s, "none") && !strings.EqualFold(s, "best_fit") && !strings.EqualFold(s, "precision_only") && !strings.EqualFold(s, "best_fit_eager_double") {
					return fmt.Errorf("String must be one of: none, precision_only, best_fit, best_fit_eager_double")
				}
				return nil
			}),
			Doc: "Map NUMERIC values by precision and optionally scale to integral or decimal types.\n  * Use ``none`` if all NUMERIC columns are to be represented by Connect's DECIMAL logical type.\n  * Use ``best_fit`` if NUMERIC columns should be cast to Connect's INT8, INT16, INT32, INT64, or FLOAT64 based upon the column's precision and scale.\n  * Use ``precision_only`` to map NUMERIC columns based only on the column's precision assuming that column's scale is 0."},
		conn[3],
		config.Key{Name: ModeConfig, Type: config.String, Default: "", Validator: config.OneOf("", modeBulk, modeTimestamp, modeIncrementing, modeTimestampIncrementing), Importance: config.High, Group: groupMode, OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Table Loading Mode",
			Dependents: []string{IncrementingColumnConfig, TimestampColumnConfig, ValidateNonNullConfig},
			Doc:        "The mode for updating a table each time it is polled. Options include:\n  * bulk: perform a bulk load of the entire table each time it is polled\n  * incrementing: use a strictly incrementing column on each table to detect only new rows. Note that this will not detect modifications or deletions of existing rows.\n  * timestamp: use a timestamp (or timestamp-like) column to detect new and modified rows. This assumes the column is updated with each write, and that values are monotonically incrementing, but not necessarily unique.\n  * timestamp+incrementing: use two columns, a timestamp column that detects new and modified rows and a strictly incrementing column which provides a globally unique ID for updates so each row can be assigned a unique stream offset."},
		config.Key{Name: IncrementingColumnConfig, Type: config.String, Default: "", Importance: config.Medium, Group: groupMode, OrderInGroup: 2, Width: config.WidthMedium, DisplayName: "Incrementing Column Name",
			Doc: "The name of the strictly incrementing column to use to detect new rows. Any empty value indicates the column should be autodetected by looking for an auto-incrementing column. This column may not be nullable."},
		config.Key{Name: TimestampColumnConfig, Type: config.List, Default: "", Importance: config.Medium, Group: groupMode, OrderInGroup: 3, Width: config.WidthMedium, DisplayName: "Timestamp Column Name",
			Doc: "Comma separated list of one or more timestamp columns to detect new or modified rows using the COALESCE SQL function. Rows whose first non-null timestamp value is greater than the largest previous timestamp value seen will be discovered with each poll. At least one column should not be nullable."},
		config.Key{Name: TimestampInitialConfig, Type: config.Long, Default: nil, Importance: config.Low, Group: groupMode, OrderInGroup: 4, Width: config.WidthMedium, DisplayName: "Unix time value of initial timestamp",
			Doc: "The epoch timestamp used for initial queries that use timestamp criteria. Use -1 to use the current time. If not specified, all data will be retrieved."},
		config.Key{Name: ValidateNonNullConfig, Type: config.Boolean, Default: "true", Importance: config.Low, Group: groupMode, OrderInGroup: 5, Width: config.WidthShort, DisplayName: "Validate Non Null",
			Doc: "By default, the JDBC connector will validate that all incrementing and timestamp tables have NOT NULL set for the columns being used as their ID/timestamp. If the tables don't, JDBC connector will fail to start. Setting this to false will disable these checks."},
		config.Key{Name: QueryConfig, Type: config.String, Default: "", Importance: config.Medium, Group: groupMode, OrderInGroup: 6, Width: config.WidthShort, DisplayName: "Query",
			Doc: "If specified, the query to perform to select new or updated rows. Use this setting if you want to join tables, select subsets of columns in a table, or filter data. If used, this connector will only copy data using this query -- whole-table copying will be disabled. Different query modes may still be used for incremental updates, but in order to properly construct the incremental query, it must be possible to append a WHERE clause to this query (i.e. no WHERE clauses may be used). If you use a WHERE clause, it must handle incremental queries itself."},
		config.Key{Name: QuerySuffixConfig, Type: config.String, Default: "", Importance: config.Low, Group: groupMode, OrderInGroup: 7, Width: config.WidthMedium, DisplayName: "Query suffix",
			Doc: "Suffix to append at the end of the generated query."},
		quoteKey(groupMode, 8),
		config.Key{Name: SourceTableTypesConfig, Type: config.List, Default: "TABLE", Importance: config.Low, Group: groupConnector, OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Table Types",
			Doc: "By default, the JDBC connector will only detect tables with type TABLE from the source Database. This config allows a command separated list of table types to extract."},
		config.Key{Name: PollIntervalConfig, Type: config.Int, Default: "5000", Importance: config.High, Group: groupConnector, OrderInGroup: 2, Width: config.WidthShort, DisplayName: "Poll Interval (ms)",
			Doc: "Frequency in ms to poll for new data in each table."},
		config.Key{Name: BatchMaxRowsConfig, Type: config.Int, Default: "100", Importance: config.Low, Group: groupConnector, OrderInGroup: 3, Width: config.WidthShort, DisplayName: "Max Rows Per Batch",
			Doc: "Maximum number of rows to include in a single batch when polling for new data. This setting can be used to limit the amount of data buffered internally in the connector."},
		config.Key{Name: TablePollIntervalConfig, Type: config.Long, Default: "60000", Importance: config.Low, Group: groupConnector, OrderInGroup: 4, Width: config.WidthShort, DisplayName: "Metadata Change Monitoring Interval (ms)",
			Doc: "Frequency in ms to poll for new or removed tables, which may result in updated task configurations to start polling for data in added tables or stop polling for data in removed tables."},
		config.Key{Name: TopicPrefixConfig, Type: config.String, Default: config.NoDefault, Importance: config.High, Group: groupConnector, OrderInGroup: 5, Width: config.WidthMedium, DisplayName: "Topic Prefix",
			Doc: "Prefix to prepend to table names to generate the name of the Kafka topic to publish data to, or in the case of a custom query, the full name of the topic to publish to."},
		config.Key{Name: TimestampDelayConfig, Type: config.Long, Default: "0", Importance: config.High, Group: groupConnector, OrderInGroup: 6, Width: config.WidthMedium, DisplayName: "Delay Interval (ms)",
			Doc: "How long to wait after a row with certain timestamp appears before we include it in the result. You may choose to add some delay to allow transactions with earlier timestamp to complete. The first execution will fetch all available records (i.e. starting at timestamp 0) until current time minus the delay. Every following execution will get data from the last time we fetched until current time minus the delay."},
		timezoneKey(groupConnector, 7),
		config.Key{Name: WaitOpenTxnConfig, Type: config.Boolean, Default: "true", Importance: config.Low, Group: groupConnector, OrderInGroup: 8, Width: config.WidthShort, DisplayName: "Wait For Open Transactions",
			Doc: "goconnect only. In timestamp modes, also cap each query's upper timestamp bound at the start of the oldest open writing transaction of another session (PostgreSQL pg_stat_activity, MySQL/MariaDB information_schema.innodb_trx), so rows committed late are not skipped. Needs pg_read_all_stats (PostgreSQL) or PROCESS (MySQL); without it only timestamp.delay.interval.ms applies. Set to false when long write transactions must not hold the connector back."},
	)
	return d
}

// sourceConfig is the parsed, cross-checked source configuration.
type sourceConfig struct {
	connConfig
	mode              string
	incColumn         string
	tsColumns         []string
	tsInitial         *int64
	validateNonNull   bool
	query, suffix     string
	whitelist         []string
	blacklist         []string
	schemaPattern     *string
	catalogPattern    *string
	tableTypes        []string
	pollInterval      time.Duration
	batchMaxRows      int
	tablePollInterval time.Duration
	topicPrefix       string
	tsDelay           time.Duration
	numericMapping    string // none, precision_only, best_fit, best_fit_eager_double
	openTxnBound      bool
	tables            []string // task only
}

func parseSourceConfig(props map[string]string) (*sourceConfig, error) {
	v, err := SourceConfig().Parse(props)
	if err != nil {
		return nil, err
	}
	c := &sourceConfig{
		connConfig:        parseConnConfig(v),
		mode:              v.String(ModeConfig),
		incColumn:         v.String(IncrementingColumnConfig),
		tsColumns:         v.List(TimestampColumnConfig),
		validateNonNull:   v.Bool(ValidateNonNullConfig),
		query:             v.String(QueryConfig),
		suffix:            v.String(QuerySuffixConfig),
		whitelist:         v.List(TableWhitelistConfig),
		blacklist:         v.List(TableBlacklistConfig),
		pollInterval:      time.Duration(v.Int(PollIntervalConfig)) * time.Millisecond,
		batchMaxRows:      int(v.Int(BatchMaxRowsConfig)),
		tablePollInterval: time.Duration(v.Long(TablePollIntervalConfig)) * time.Millisecond,
		topicPrefix:       v.String(TopicPrefixConfig),
		tsDelay:           time.Duration(v.Long(TimestampDelayConfig)) * time.Millisecond,
		openTxnBound:      v.Bool(WaitOpenTxnConfig),
	}
	c.numericMapping = "none"
	if v.Bool(NumericPrecisionMapping) {
		c.numericMapping = "precision_only"
	}
	if !v.IsNull(NumericMappingConfig) {
		c.numericMapping = strings.ToLower(v.String(NumericMappingConfig))
	}
	if !v.IsNull(TimestampInitialConfig) {
		n := v.Long(TimestampInitialConfig)
		c.tsInitial = &n
	}
	if !v.IsNull(CatalogPatternConfig) {
		s := v.String(CatalogPatternConfig)
		c.catalogPattern = &s
	}
	for _, tt := range v.List(SourceTableTypesConfig) {
		c.tableTypes = append(c.tableTypes, strings.ToUpper(strings.TrimSpace(tt)))
	}
	if !v.IsNull(SchemaPatternConfig) {
		s := v.String(SchemaPatternConfig)
		c.schemaPattern = &s
	}
	if t := props[tablesConfig]; t != "" {
		c.tables = strings.Split(t, ",")
	}
	if c.batchMaxRows <= 0 {
		c.batchMaxRows = 1
	}
	return c, c.validate()
}

// validate holds every cross-field rule of the source configuration, with
// Confluent's messages where it has them.
func (c *sourceConfig) validate() error {
	switch {
	case c.mode == "":
		return &config.Error{Name: ModeConfig, Message: "Query mode must be specified"}
	case len(c.whitelist) > 0 && len(c.blacklist) > 0:
		return &config.Error{Name: TableWhitelistConfig, Message: "Only one of table.whitelist or table.blacklist can be specified"}
	case c.query != "" && (len(c.whitelist) > 0 || len(c.blacklist) > 0):
		return &config.Error{Name: QueryConfig, Message: "Do not specify table filtering parameters for query mode"}
	case (c.mode == modeIncrementing || c.mode == modeTimestampIncrementing) && c.incColumn == "" && c.query != "":
		return &config.Error{Name: IncrementingColumnConfig, Message: fmt.Sprintf("mode %s with a query needs incrementing.column.name (it is detected for tables only)", c.mode)}
	case (c.mode == modeTimestamp || c.mode == modeTimestampIncrementing) && len(c.tsColumns) == 0:
		return &config.Error{Name: TimestampColumnConfig, Message: fmt.Sprintf("mode %s needs timestamp.column.name", c.mode)}
	}
	if _, err := parseURL(c.url, c.user, c.password); err != nil {
		return &config.Error{Name: ConnectionURLConfig, Message: err.Error()}
	}
	return nil
}
