//go:build e2e

package e2e

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/test/harness"
)

// sqlDB opens a database/sql handle on a harness JDBC URL
// (jdbc:postgresql://host:port/db?user=u or jdbc:mariadb://...).
func sqlDB(t *testing.T, jdbcURL string) *sql.DB {
	t.Helper()
	u, err := url.Parse(strings.TrimPrefix(jdbcURL, "jdbc:"))
	if err != nil {
		t.Fatal(err)
	}
	user := u.Query().Get("user")
	var db *sql.DB
	switch u.Scheme {
	case "postgresql":
		db, err = sql.Open("pgx", fmt.Sprintf("postgres://%s@%s%s", user, u.Host, u.Path))
	default:
		db, err = sql.Open("mysql", fmt.Sprintf("%s@tcp(%s)%s", user, u.Host, u.Path))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func countRows(db *sql.DB, table string) (int, error) {
	var n int
	err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n)
	return n, err
}

// TestJDBCFanOutOneTopicIntoTwoTables is the seed's pipeline on the real broker and
// real databases: one topic of schema'd JSON records fanned out by two JDBC sink
// connectors into a PostgreSQL table (insert, auto.create) and a MariaDB table
// (upsert on the record's id, auto.create). Both tables fill completely; the upsert
// table has one row per id although every id is sent twice.
func TestJDBCFanOutOneTopicIntoTwoTables(t *testing.T) {
	pgURL, myURL := harness.Postgres(t), harness.MariaDB(t)
	w := newWorker(t, nil)
	w.start()

	run := time.Now().UnixNano()
	topic := fmt.Sprintf("e2e-orders-%d", run)
	pgTable, myTable := fmt.Sprintf("orders_pg_%d", run), fmt.Sprintf("orders_my_%d", run)
	const ids = 500

	cl, err := kgo.NewClient(kgo.SeedBrokers(harness.Kafka(t)), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	schema := `{"type":"struct","optional":false,"name":"orders","fields":[` +
		`{"type":"int32","optional":false,"field":"id"},` +
		`{"type":"string","optional":true,"field":"item"},` +
		`{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"price"},` +
		`{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"at"}]}`
	var recs []*kgo.Record
	for round := range 2 { // every id twice: the upsert table must keep one row each
		for i := range ids {
			v := fmt.Sprintf(`{"schema":%s,"payload":{"id":%d,"item":"item-%d-%d","price":"AN0=","at":1700000000000}}`, schema, i, i, round)
			recs = append(recs, &kgo.Record{Topic: topic, Value: []byte(v)})
		}
	}
	if err := cl.ProduceSync(t.Context(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}

	w.create("orders-to-pg", map[string]string{"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
		"tasks.max": "1", "topics": topic, "connection.url": pgURL, "table.name.format": pgTable,
		"auto.create": "true", "insert.mode": "insert"})
	w.create("orders-to-mariadb", map[string]string{"connector.class": "JdbcSink",
		"tasks.max": "1", "topics": topic, "connection.url": myURL, "table.name.format": myTable,
		"auto.create": "true", "insert.mode": "upsert", "pk.mode": "record_value", "pk.fields": "id"})
	w.waitRunning("orders-to-pg")
	w.waitRunning("orders-to-mariadb")

	pg, my := sqlDB(t, pgURL), sqlDB(t, myURL)
	harness.CheckFor(t, 120*time.Second, func() error {
		n, err := countRows(pg, pgTable)
		if err != nil || n != 2*ids {
			return fmt.Errorf("postgres %s: %d rows (%v), want %d", pgTable, n, err, 2*ids)
		}
		n, err = countRows(my, myTable)
		if err != nil || n != ids {
			return fmt.Errorf("mariadb %s: %d rows (%v), want %d", myTable, n, err, ids)
		}
		// The row count reaches ids after the first round already: wait until the
		// second round's upserts were applied too.
		var second int
		if err := my.QueryRow("SELECT COUNT(*) FROM " + myTable + " WHERE item LIKE 'item-%-1'").Scan(&second); err != nil || second != ids {
			return fmt.Errorf("mariadb %s: %d rows of the second round (%v), want %d", myTable, second, err, ids)
		}
		return nil
	})
	var item string
	var price string
	if err := my.QueryRow("SELECT item, CAST(price AS CHAR) FROM "+myTable+" WHERE id = 7").Scan(&item, &price); err != nil {
		t.Fatal(err)
	}
	if item != "item-7-1" || price != "2.21" {
		t.Errorf("mariadb row 7 = (%q, %s), want the second version (item-7-1, 2.21)", item, price)
	}
}
