package jdbc

import (
	"fmt"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/config"
)

// Version is reported by /connector-plugins for both connectors.
const Version = "10.8.0-goconnect"

// Class names, as Confluent's.
const (
	SinkClass       = "io.confluent.connect.jdbc.JdbcSinkConnector"
	SinkTaskClass   = "io.confluent.connect.jdbc.sink.JdbcSinkTask"
	SourceClass     = "io.confluent.connect.jdbc.JdbcSourceConnector"
	SourceTaskClass = "io.confluent.connect.jdbc.source.JdbcSourceTask"
)

// Connection keys shared by sink and source (Confluent's names).
const (
	ConnectionURLConfig      = "connection.url"
	ConnectionUserConfig     = "connection.user"
	ConnectionPasswordConfig = "connection.password"
	ConnectionAttemptsConfig = "connection.attempts"
	ConnectionBackoffConfig  = "connection.backoff.ms"
	DialectNameConfig        = "dialect.name"
	QuoteIdentifiersConfig   = "quote.sql.identifiers"
	DBTimezoneConfig         = "db.timezone"
)

// Sink keys (JdbcSinkConfig).
const (
	TableNameFormatConfig = "table.name.format"
	// TableConfig is the seed's short form naming one target table; it wins over
	// table.name.format when set.
	TableConfig           = "table"
	BatchSizeConfig       = "batch.size"
	DeleteEnabledConfig   = "delete.enabled"
	MaxRetriesConfig      = "max.retries"
	RetryBackoffConfig    = "retry.backoff.ms"
	AutoCreateConfig      = "auto.create"
	AutoEvolveConfig      = "auto.evolve"
	InsertModeConfig      = "insert.mode"
	PKFieldsConfig        = "pk.fields"
	PKModeConfig          = "pk.mode"
	FieldsWhitelistConfig = "fields.whitelist"
	TableTypesConfig      = "table.types"
)

const (
	groupConnection = "Connection"
	groupWrites     = "Writes"
	groupDataMap    = "Data Mapping"
	groupDDL        = "DDL Support"
	groupRetries    = "Retries"
	groupDatabase   = "Database"
	groupMode       = "Mode"
	groupConnector  = "Connector"
)

func connectionKeys(group string) []config.Key {
	return []config.Key{
		{Name: ConnectionURLConfig, Type: config.String, Default: config.NoDefault, Importance: config.High, Group: group, OrderInGroup: 1, Width: config.WidthLong, DisplayName: "JDBC URL",
			Doc: "JDBC connection URL.\nFor example: ``jdbc:oracle:thin:@localhost:1521:orclpdb1``, ``jdbc:mysql://localhost/db_name``, ``jdbc:sqlserver://localhost;instance=SQLEXPRESS;databaseName=db_name``"},
		{Name: ConnectionUserConfig, Type: config.String, Default: nil, Importance: config.High, Group: group, OrderInGroup: 2, Width: config.WidthMedium, DisplayName: "JDBC User", Doc: "JDBC connection user."},
		{Name: ConnectionPasswordConfig, Type: config.Password, Default: nil, Importance: config.High, Group: group, OrderInGroup: 3, Width: config.WidthMedium, DisplayName: "JDBC Password", Doc: "JDBC connection password."},
		{Name: DialectNameConfig, Type: config.String, Default: "", Importance: config.Low, Group: group, OrderInGroup: 4, Width: config.WidthLong, DisplayName: "Database Dialect",
			Validator: config.OneOf("", "GenericDatabaseDialect", "PostgreSqlDatabaseDialect", "MySqlDatabaseDialect", "SqliteDatabaseDialect", "OracleDatabaseDialect"),
			Doc:       "The name of the database dialect that should be used for this connector. By default this is empty, and the connector automatically determines the dialect based upon the JDBC connection URL. Use this if you want to override that behavior and use a specific dialect. All properly-packaged dialects in the JDBC connector plugin can be used."},
		{Name: ConnectionAttemptsConfig, Type: config.Int, Default: "3", Validator: config.AtLeast(1), Importance: config.Low, Group: group, OrderInGroup: 5, Width: config.WidthShort, DisplayName: "JDBC connection attempts", Doc: "Maximum number of attempts to retrieve a valid JDBC connection. Must be a positive integer."},
		{Name: ConnectionBackoffConfig, Type: config.Long, Default: "10000", Importance: config.Low, Group: group, OrderInGroup: 6, Width: config.WidthShort, DisplayName: "JDBC connection backoff in milliseconds", Doc: "Backoff time in milliseconds between connection attempts."},
	}
}

func quoteKey(group string, order int) config.Key {
	return config.Key{Name: QuoteIdentifiersConfig, Type: config.String, Default: "always", Validator: config.OneOfIgnoreCase("always", "never"), Importance: config.Medium, Group: group, OrderInGroup: order, Width: config.WidthMedium, DisplayName: "Quote Identifiers",
		Doc: "When to quote table names, column names, and other identifiers in SQL statements. For backward compatibility, the default is ``always``."}
}

func timezoneKey(group string, order int) config.Key {
	return config.Key{Name: DBTimezoneConfig, Type: config.String, Default: "UTC", Importance: config.Medium, Group: group, OrderInGroup: order, Width: config.WidthMedium, DisplayName: "DB Time Zone",
		Validator: config.ValidatorFunc(func(_ string, v any) error {
			if _, err := time.LoadLocation(v.(string)); err != nil {
				return fmt.Errorf("Invalid time zone identifier")
			}
			return nil
		}),
		Doc: "Name of the JDBC timezone used in the connector when querying with time-based criteria. Defaults to UTC."}
}

// SinkConfig returns the configuration definition of the JDBC sink, as Confluent's
// JdbcSinkConfig.CONFIG_DEF.
func SinkConfig() *config.Def {
	d := config.NewDef().Define(connectionKeys(groupConnection)...)
	return d.Define(
		config.Key{Name: InsertModeConfig, Type: config.String, Default: "insert", Validator: config.OneOfIgnoreCase("insert", "upsert", "update"), Importance: config.High, Group: groupWrites, OrderInGroup: 1, Width: config.WidthMedium, DisplayName: "Insert Mode",
			Doc: "The insertion mode to use. Supported modes are:\n``insert``\n    Use standard SQL ``INSERT`` statements.\n``upsert``\n    Use the appropriate upsert semantics for the target database if it is supported by the connector, e.g. ``INSERT .. ON CONFLICT .. DO UPDATE SET ..``.\n``update``\n    Use the appropriate update semantics for the target database if it is supported by the connector, e.g. ``UPDATE``."},
		config.Key{Name: BatchSizeConfig, Type: config.Int, Default: "3000", Validator: config.AtLeast(0), Importance: config.Medium, Group: groupWrites, OrderInGroup: 2, Width: config.WidthShort, DisplayName: "Batch Size",
			Doc: "Specifies how many records to attempt to batch together for insertion into the destination table, when possible."},
		config.Key{Name: DeleteEnabledConfig, Type: config.Boolean, Default: "false", Importance: config.Medium, Group: groupWrites, OrderInGroup: 3, Width: config.WidthShort, DisplayName: "Enable deletes",
			Doc: "Whether to treat ``null`` record values as deletes. Requires ``pk.mode`` to be ``record_key``."},
		config.Key{Name: TableNameFormatConfig, Type: config.String, Default: "${topic}", Importance: config.Medium, Group: groupDataMap, OrderInGroup: 1, Width: config.WidthLong, DisplayName: "Table Name Format",
			Doc: "A format string for the destination table name, which may contain '${topic}' as a placeholder for the originating topic name.\nFor example, ``kafka_${topic}`` for the topic 'orders' will map to the table name 'kafka_orders'."},
		config.Key{Name: TableConfig, Type: config.String, Default: nil, Importance: config.Medium, Group: groupDataMap, OrderInGroup: 2, Width: config.WidthLong, DisplayName: "Table",
			Doc: "goconnect short form: the destination table for every topic. When set it replaces ``table.name.format``."},
		config.Key{Name: PKModeConfig, Type: config.String, Default: "none", Validator: config.OneOfIgnoreCase("none", "kafka", "record_key", "record_value"), Importance: config.High, Group: groupDataMap, OrderInGroup: 3, Width: config.WidthMedium, DisplayName: "Primary Key Mode",
			Doc: "The primary key mode, also refer to ``pk.fields`` documentation for interplay. Supported modes are:\n``none``\n    No keys utilized.\n``kafka``\n    Apache Kafka coordinates are used as the PK.\n``record_key``\n    Field(s) from the record key are used, which may be a primitive or a struct.\n``record_value``\n    Field(s) from the record value are used, which must be a struct."},
		config.Key{Name: PKFieldsConfig, Type: config.List, Default: "", Importance: config.Medium, Group: groupDataMap, OrderInGroup: 4, Width: config.WidthLong, DisplayName: "Primary Key Fields",
			Doc: "List of comma-separated primary key field names. The runtime interpretation of this config depends on the ``pk.mode``:\n``none``\n    Ignored as no fields are used as primary key in this mode.\n``kafka``\n    Must be a trio representing the Kafka coordinates, defaults to ``__connect_topic,__connect_partition,__connect_offset`` if empty.\n``record_key``\n    If empty, all fields from the key struct will be used, otherwise used to extract the desired fields - for primitive key only a single field name must be configured.\n``record_value``\n    If empty, all fields from the value struct will be used, otherwise used to extract the desired fields."},
		config.Key{Name: FieldsWhitelistConfig, Type: config.List, Default: "", Importance: config.Medium, Group: groupDataMap, OrderInGroup: 5, Width: config.WidthLong, DisplayName: "Fields Whitelist",
			Doc: "List of comma-separated record value field names. If empty, all fields from the record value are utilized, otherwise used to filter to the desired fields.\nNote that ``pk.fields`` is applied independently in the context of which field(s) form the primary key columns in the destination database, while this configuration is applicable for the other columns."},
		timezoneKey(groupDataMap, 6),
		config.Key{Name: AutoCreateConfig, Type: config.Boolean, Default: "false", Importance: config.Medium, Group: groupDDL, OrderInGroup: 1, Width: config.WidthShort, DisplayName: "Auto-Create",
			Doc: "Whether to automatically create the destination table based on record schema if it is found to be missing by issuing ``CREATE``."},
		config.Key{Name: AutoEvolveConfig, Type: config.Boolean, Default: "false", Importance: config.Medium, Group: groupDDL, OrderInGroup: 2, Width: config.WidthShort, DisplayName: "Auto-Evolve",
			Doc: "Whether to automatically add columns in the table schema when found to be missing relative to the record schema by issuing ``ALTER``."},
		quoteKey(groupDDL, 3),
		config.Key{Name: TableTypesConfig, Type: config.List, Default: "TABLE", Importance: config.Low, Group: groupDDL, OrderInGroup: 4, Width: config.WidthShort, DisplayName: "Table Types",
			Doc: "The comma-separated types of database tables to which the sink connector can write. By default this is ``TABLE``, but any combination of ``TABLE``, ``PARTITIONED TABLE`` and ``VIEW`` is allowed."},
		config.Key{Name: MaxRetriesConfig, Type: config.Int, Default: "10", Validator: config.AtLeast(0), Importance: config.Medium, Group: groupRetries, OrderInGroup: 1, Width: config.WidthShort, DisplayName: "Maximum Retries",
			Doc: "The maximum number of times to retry on errors before failing the task."},
		config.Key{Name: RetryBackoffConfig, Type: config.Int, Default: "3000", Validator: config.AtLeast(0), Importance: config.Medium, Group: groupRetries, OrderInGroup: 2, Width: config.WidthShort, DisplayName: "Retry Backoff (millis)",
			Doc: "The time in milliseconds to wait following an error before a retry attempt is made."},
	)
}

// Insert modes and pk modes, lowercased.
const (
	modeInsert = "insert"
	modeUpsert = "upsert"
	modeUpdate = "update"

	pkNone        = "none"
	pkKafka       = "kafka"
	pkRecordKey   = "record_key"
	pkRecordValue = "record_value"
)

// Default pk column names of pk.mode=kafka (Confluent's).
var kafkaPKDefaults = []string{"__connect_topic", "__connect_partition", "__connect_offset"}

// connConfig is what both connectors need to reach the database.
type connConfig struct {
	url, user, password string
	dialectName         string
	attempts            int
	backoff             time.Duration
	quote               bool
	tz                  *time.Location
}

func parseConnConfig(v *config.Values) connConfig {
	tz, _ := time.LoadLocation(v.String(DBTimezoneConfig)) // validated
	if tz == nil {
		tz = time.UTC
	}
	return connConfig{
		url: v.String(ConnectionURLConfig), user: v.String(ConnectionUserConfig), password: v.Password(ConnectionPasswordConfig),
		dialectName: v.String(DialectNameConfig), attempts: int(v.Int(ConnectionAttemptsConfig)),
		backoff: time.Duration(v.Long(ConnectionBackoffConfig)) * time.Millisecond,
		quote:   !strings.EqualFold(v.String(QuoteIdentifiersConfig), "never"), tz: tz,
	}
}

// sinkConfig is the parsed, cross-checked sink configuration.
type sinkConfig struct {
	connConfig
	tableFormat   string
	batchSize     int
	deleteEnabled bool
	insertMode    string
	pkMode        string
	pkFields      []string
	whitelist     map[string]bool
	autoCreate    bool
	autoEvolve    bool
	maxRetries    int
	retryBackoff  time.Duration
}

func parseSinkConfig(props map[string]string) (*sinkConfig, error) {
	v, err := SinkConfig().Parse(props)
	if err != nil {
		return nil, err
	}
	c := &sinkConfig{
		connConfig:    parseConnConfig(v),
		tableFormat:   v.String(TableNameFormatConfig),
		batchSize:     int(v.Int(BatchSizeConfig)),
		deleteEnabled: v.Bool(DeleteEnabledConfig),
		insertMode:    strings.ToLower(v.String(InsertModeConfig)),
		pkMode:        strings.ToLower(v.String(PKModeConfig)),
		pkFields:      v.List(PKFieldsConfig),
		autoCreate:    v.Bool(AutoCreateConfig),
		autoEvolve:    v.Bool(AutoEvolveConfig),
		maxRetries:    int(v.Int(MaxRetriesConfig)),
		retryBackoff:  time.Duration(v.Int(RetryBackoffConfig)) * time.Millisecond,
	}
	if t := v.String(TableConfig); t != "" {
		c.tableFormat = t
	}
	if c.batchSize <= 0 {
		c.batchSize = 1
	}
	if wl := v.List(FieldsWhitelistConfig); len(wl) > 0 {
		c.whitelist = map[string]bool{}
		for _, f := range wl {
			c.whitelist[f] = true
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// validate holds every cross-field rule of the sink configuration.
func (c *sinkConfig) validate() error {
	if c.deleteEnabled && c.pkMode != pkRecordKey {
		return &config.Error{Name: DeleteEnabledConfig, Message: fmt.Sprintf("Deletes are only supported for pk.mode %s", pkRecordKey)}
	}
	if c.pkMode == pkKafka && len(c.pkFields) != 0 && len(c.pkFields) != 3 {
		return &config.Error{Name: PKFieldsConfig, Message: "PK mode for table is KAFKA so there should either be no field names defined for defaults " +
			fmt.Sprintf("%v to be applicable, or exactly 3, defined fields are: %v", kafkaPKDefaults, c.pkFields)}
	}
	if (c.insertMode == modeUpsert || c.insertMode == modeUpdate) && c.pkMode == pkNone {
		return &config.Error{Name: PKModeConfig, Message: fmt.Sprintf("insert.mode %s needs a primary key: set pk.mode to kafka, record_key or record_value", c.insertMode)}
	}
	if _, err := parseURL(c.url, c.user, c.password); err != nil {
		return &config.Error{Name: ConnectionURLConfig, Message: err.Error()}
	}
	return nil
}
