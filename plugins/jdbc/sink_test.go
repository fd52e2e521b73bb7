package jdbc

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// A database that cannot be reached is a transient error: Put returns a
// RetriableError with retry.backoff.ms max.retries times, then fails.
func TestSinkRetriesTransientErrors(t *testing.T) {
	for _, scheme := range []string{"postgresql", "mysql"} {
		t.Run(scheme, func(t *testing.T) {
			url := "jdbc:" + scheme + "://127.0.0.1:" + strconv.Itoa(closedPort(t)) + "/test?user=u"
			task := startSink(t, url, map[string]string{TableConfig: "x", MaxRetriesConfig: "2", RetryBackoffConfig: "5", ConnectionAttemptsConfig: "1"}, nil)
			s := allTypesSchema(false)
			recs := []*connect.Record{sinkRecord("t", 0, nil, nil, s, allTypesValue(s, 1))}
			for i := range 2 {
				err := task.Put(context.Background(), recs)
				var re *connect.RetriableError
				if !errors.As(err, &re) || re.Backoff != 5*time.Millisecond {
					t.Fatalf("attempt %d: err = %v, want RetriableError with 5ms backoff", i+1, err)
				}
			}
			err := task.Put(context.Background(), recs)
			if err == nil || connect.IsRetriable(err) || !strings.Contains(err.Error(), "giving up after 3 attempts") {
				t.Fatalf("last attempt: err = %v", err)
			}
		})
	}
}

func TestSinkConfigValidation(t *testing.T) {
	base := map[string]string{ConnectionURLConfig: "jdbc:sqlite::memory:"}
	cases := []struct {
		name  string
		props map[string]string
		want  string // substring of the error, "" for valid
	}{
		{"defaults", nil, ""},
		{"delete needs record_key", map[string]string{DeleteEnabledConfig: "true", PKModeConfig: "record_value"}, "Deletes are only supported for pk.mode record_key"},
		{"kafka pk needs three fields", map[string]string{PKModeConfig: "kafka", PKFieldsConfig: "a,b"}, "exactly 3"},
		{"upsert needs a key", map[string]string{InsertModeConfig: "upsert"}, "needs a primary key"},
		{"bad insert mode", map[string]string{InsertModeConfig: "merge"}, "Invalid value merge for configuration insert.mode"},
		{"bad url", map[string]string{ConnectionURLConfig: "postgres://x"}, "not a JDBC URL"},
		{"bad timezone", map[string]string{DBTimezoneConfig: "Mars/Base"}, "Invalid value Mars/Base for configuration db.timezone"},
		{"unknown subprotocol", map[string]string{ConnectionURLConfig: "jdbc:db2://h/x"}, "unsupported JDBC subprotocol"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := map[string]string{}
			for k, v := range base {
				p[k] = v
			}
			for k, v := range c.props {
				p[k] = v
			}
			_, err := parseSinkConfig(p)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if c.want != "" {
				var ce *config.Error
				if !errors.As(err, &ce) {
					t.Errorf("error %T is not a *config.Error", err)
				}
			}
		})
	}
	// The connector reports cross-field errors per key for /config/validate.
	c := NewSinkConnector()
	props := map[string]string{ConnectionURLConfig: "jdbc:sqlite::memory:", DeleteEnabledConfig: "true"}
	vals := c.Validate(props, c.Config().Validate(props))
	for _, v := range vals {
		if v.Name == DeleteEnabledConfig && len(v.Errors) == 1 {
			return
		}
	}
	t.Errorf("delete.enabled has no error in %+v", vals)
}

func TestSinkConfigDefaults(t *testing.T) {
	def := SinkConfig()
	want := map[string]string{
		InsertModeConfig: "insert", PKModeConfig: "none", PKFieldsConfig: "", BatchSizeConfig: "3000",
		DeleteEnabledConfig: "false", AutoCreateConfig: "false", AutoEvolveConfig: "false",
		TableNameFormatConfig: "${topic}", MaxRetriesConfig: "10", RetryBackoffConfig: "3000",
		DBTimezoneConfig: "UTC", QuoteIdentifiersConfig: "always", ConnectionAttemptsConfig: "3",
		ConnectionBackoffConfig: "10000", DialectNameConfig: "", FieldsWhitelistConfig: "",
	}
	for name, w := range want {
		k, ok := def.Key(name)
		if !ok {
			t.Errorf("key %s missing", name)
			continue
		}
		if got, _ := k.DefaultString(); got != w {
			t.Errorf("%s default = %q, want %q", name, got, w)
		}
	}
}

func TestParseURL(t *testing.T) {
	cases := []struct {
		in   string
		want jdbcURL
	}{
		{"jdbc:postgresql://db.example:5433/shop?user=u&password=p%40ss&sslmode=disable",
			jdbcURL{subprotocol: "postgresql", host: "db.example", port: 5433, database: "shop", user: "u", password: "p@ss", params: map[string]string{"sslmode": "disable"}}},
		{"jdbc:postgresql://localhost/shop", jdbcURL{subprotocol: "postgresql", host: "localhost", database: "shop", params: map[string]string{}}},
		{"jdbc:mysql://u:pw@10.0.0.1:3307/app?useSSL=false", jdbcURL{subprotocol: "mysql", host: "10.0.0.1", port: 3307, database: "app", user: "u", password: "pw", params: map[string]string{"useSSL": "false"}}},
		{"jdbc:mariadb://h1:3306,h2:3306/app", jdbcURL{subprotocol: "mariadb", host: "h1", port: 3306, database: "app", params: map[string]string{}}},
		{"jdbc:sqlite:/var/data/x.db", jdbcURL{subprotocol: "sqlite", database: "/var/data/x.db", params: map[string]string{}}},
		{"jdbc:sqlite::memory:", jdbcURL{subprotocol: "sqlite", database: ":memory:", params: map[string]string{}}},
		{"jdbc:oracle:thin:@dbhost:1521:ORCL", jdbcURL{subprotocol: "oracle", host: "dbhost", port: 1521, database: "ORCL", sid: true, params: map[string]string{}}},
		{"jdbc:oracle:thin:scott/tiger@//dbhost:1522/orclpdb1", jdbcURL{subprotocol: "oracle", host: "dbhost", port: 1522, database: "orclpdb1", user: "scott", password: "tiger", params: map[string]string{}}},
		{"jdbc:oracle:thin:@dbhost/XEPDB1", jdbcURL{subprotocol: "oracle", host: "dbhost", port: 1521, database: "XEPDB1", params: map[string]string{}}},
	}
	for _, c := range cases {
		got, err := parseURL(c.in, "", "")
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if diff := cmp.Diff(c.want, *got, cmp.AllowUnexported(jdbcURL{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.in, diff)
		}
	}
	// connection.user/password win over the URL's.
	got, _ := parseURL("jdbc:postgresql://h/db?user=a&password=b", "c", "d")
	if got.user != "c" || got.password != "d" {
		t.Errorf("override: %+v", got)
	}
}

// pk.mode and fields.whitelist decide the columns, as Confluent's FieldsMetadata.
func TestToRow(t *testing.T) {
	vs := data.NewStructSchema("v", false,
		data.Field{Name: "id", Schema: data.Int32Schema}, data.Field{Name: "a", Schema: data.StringSchema}, data.Field{Name: "b", Schema: data.OptionalStringSchema})
	val := data.NewStruct(vs).Set("id", int32(7)).Set("a", "x")
	ks := data.NewStructSchema("k", false, data.Field{Name: "k1", Schema: data.StringSchema}, data.Field{Name: "k2", Schema: data.Int64Schema})
	key := data.NewStruct(ks).Set("k1", "q").Set("k2", int64(3))
	cases := []struct {
		name  string
		cfg   sinkConfig
		rec   *connect.Record
		cols  []string
		npk   int
		isDel bool
		err   string
	}{
		{"none", sinkConfig{pkMode: pkNone}, sinkRecord("t", 5, nil, nil, vs, val), []string{"id", "a", "b"}, 0, false, ""},
		{"kafka", sinkConfig{pkMode: pkKafka}, sinkRecord("t", 5, nil, nil, vs, val), []string{"__connect_topic", "__connect_partition", "__connect_offset", "id", "a", "b"}, 3, false, ""},
		{"record_key struct", sinkConfig{pkMode: pkRecordKey}, sinkRecord("t", 5, ks, key, vs, val), []string{"k1", "k2", "id", "a", "b"}, 2, false, ""},
		{"record_key subset", sinkConfig{pkMode: pkRecordKey, pkFields: []string{"k2"}}, sinkRecord("t", 5, ks, key, vs, val), []string{"k2", "id", "a", "b"}, 1, false, ""},
		{"record_key primitive", sinkConfig{pkMode: pkRecordKey, pkFields: []string{"kid"}}, sinkRecord("t", 5, data.Int64Schema, int64(9), vs, val), []string{"kid", "id", "a", "b"}, 1, false, ""},
		{"record_key primitive without pk.fields", sinkConfig{pkMode: pkRecordKey}, sinkRecord("t", 5, data.Int64Schema, int64(9), vs, val), nil, 0, false, "exactly one PK column"},
		{"record_value", sinkConfig{pkMode: pkRecordValue, pkFields: []string{"id"}}, sinkRecord("t", 5, nil, nil, vs, val), []string{"id", "a", "b"}, 1, false, ""},
		{"whitelist", sinkConfig{pkMode: pkRecordValue, pkFields: []string{"id"}, whitelist: map[string]bool{"b": true}}, sinkRecord("t", 5, nil, nil, vs, val), []string{"id", "b"}, 1, false, ""},
		{"delete", sinkConfig{pkMode: pkRecordKey, deleteEnabled: true}, sinkRecord("t", 5, ks, key, nil, nil), []string{"k1", "k2"}, 2, true, ""},
		{"schemaless", sinkConfig{pkMode: pkRecordValue, pkFields: []string{"id"}}, sinkRecord("t", 5, nil, nil, nil, map[string]any{"z": 1, "id": int64(1), "a": "x"}), []string{"id", "a", "z"}, 1, false, ""},
		{"not a struct", sinkConfig{pkMode: pkNone}, sinkRecord("t", 5, nil, nil, data.StringSchema, "text"), nil, 0, false, "needs a record value that is a Struct"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			task := &SinkTask{cfg: &c.cfg}
			r, err := task.toRow(c.rec)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.cols, r.cols); diff != "" || r.npk != c.npk || r.delete != c.isDel {
				t.Errorf("cols (-want +got):\n%s npk=%d delete=%v", diff, r.npk, r.delete)
			}
		})
	}
	// A tombstone without delete.enabled is skipped.
	task := &SinkTask{cfg: &sinkConfig{pkMode: pkNone}}
	if r, err := task.toRow(sinkRecord("t", 1, nil, nil, nil, nil)); r != nil || err != nil {
		t.Errorf("tombstone: %v %v", r, err)
	}
}
