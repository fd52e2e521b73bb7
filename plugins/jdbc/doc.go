// Package jdbc is goconnect's JDBC sink and source connectors, answering to
// Confluent's io.confluent.connect.jdbc.JdbcSinkConnector and JdbcSourceConnector
// class names and reading the same configuration keys, so an existing Confluent
// connector configuration runs unchanged.
//
// "JDBC" is only the name users know: connection.url is parsed from its JDBC form
// (jdbc:postgresql://, jdbc:mysql://, jdbc:mariadb://, jdbc:sqlite:,
// jdbc:oracle:thin:@) into a DSN for a pure-Go database/sql driver (pgx,
// go-sql-driver/mysql, modernc.org/sqlite, go-ora). Each driver is imported by
// exactly one file (dialect_*.go) so the database/sql name registry never sees a
// duplicate.
//
// The sink writes one transaction per Put with multi-row statements (COPY for
// PostgreSQL inserts), which is when Confluent's sink writes too: rows land as soon
// as they are consumed rather than at the next offset commit, and a transient
// database error can be retried by redelivering the same batch (RetriableError),
// which only Put supports. Because Put is synchronous, offsets the runtime commits
// after Put are always behind a database commit.
//
// The source caps its timestamp queries below the start of the oldest open
// writing transaction of other sessions (pg_stat_activity, innodb_trx), so a row
// that commits after a later one is not skipped; Confluent relies on
// timestamp.delay.interval.ms alone. Every pool connection is made with
// connection.attempts tries (openDB).
//
// Unlike Confluent's sink, records without a schema (JSON maps) are written when the
// table exists, with each value converted to the type of its column, and ARRAY, MAP
// and STRUCT fields are stored as JSON text instead of being refused.
package jdbc
