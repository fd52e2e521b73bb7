package jsonconv

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/data"
)

func TestConfigDef(t *testing.T) {
	def := ConfigDef()
	var names []string
	for _, k := range def.Keys() {
		names = append(names, k.Name)
	}
	want := []string{"converter.type", "schemas.enable", "schemas.cache.size", "schema.content", "decimal.format", "replace.null.with.default"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"Schemas", "Serialization"}, def.Groups()); diff != "" {
		t.Error(diff)
	}
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		props   map[string]string
		wantErr string
	}{
		{map[string]string{"decimal.format": "numeric"}, ""},
		{map[string]string{"decimal.format": "hex"}, "Invalid value hex for configuration decimal.format: String must be one of (case insensitive): BASE64, NUMERIC"},
		{map[string]string{"schemas.enable": "maybe"}, "Invalid value maybe for configuration schemas.enable: Expected value to be either true or false"},
	}
	for _, tt := range tests {
		err := New().Configure(tt.props, false)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && !strings.HasSuffix(got, tt.wantErr) {
			t.Errorf("Configure(%v) = %v, want %q", tt.props, err, tt.wantErr)
		}
	}
	// A header converter needs converter.type, which the runtime sets.
	if err := NewHeaderConverter().Configure(map[string]string{}); err == nil {
		t.Error("header converter configured without converter.type")
	}
}

func TestSchemaless(t *testing.T) {
	key := []any{"conn", map[string]any{"filename": "/tmp/x", "partition": int64(0)}}
	b, err := MarshalSchemaless(key)
	if err != nil {
		t.Fatal(err)
	}
	// As Java 4.3.1 wrote it (golden case plain_nested_offsets).
	if want := `["conn",{"filename":"/tmp/x","partition":0}]`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	v, err := UnmarshalSchemaless(b)
	if err != nil {
		t.Fatal(err)
	}
	if !data.Equal(v, key) {
		t.Errorf("round trip: got %#v", v)
	}
	if b, _ := MarshalSchemaless(nil); b != nil {
		t.Errorf("nil marshals to %q", b)
	}
	if _, err := MarshalSchemaless(data.Decimal{Unscaled: big.NewInt(1)}); err == nil ||
		!strings.Contains(err.Error(), "Java class class java.math.BigDecimal does not have corresponding schema type.") {
		t.Errorf("decimal without schema: %v", err)
	}
}

func TestHeaderConverter(t *testing.T) {
	h := NewHeaderConverter()
	if err := h.Configure(map[string]string{"converter.type": "header", "schemas.enable": "false"}); err != nil {
		t.Fatal(err)
	}
	b, err := h.FromConnectHeader("t", "k", data.StringSchema, "<v>")
	if err != nil || string(b) != `"<v>"` {
		t.Fatalf("got %s, %v", b, err)
	}
	s, v, err := h.ToConnectHeader("t", "k", []byte(`[1,2.5]`))
	if err != nil || s != nil || !data.Equal(v, []any{int64(1), 2.5}) {
		t.Errorf("got %v %#v %v", s, v, err)
	}
}

func benchStruct() (*data.Schema, *data.Struct) {
	s := data.NewStructSchema("bench.Record", false,
		data.Field{Name: "id", Schema: data.Int64Schema},
		data.Field{Name: "name", Schema: data.StringSchema},
		data.Field{Name: "email", Schema: data.OptionalStringSchema},
		data.Field{Name: "age", Schema: data.Int32Schema},
		data.Field{Name: "score", Schema: data.Float64Schema},
		data.Field{Name: "active", Schema: data.BooleanSchema},
		data.Field{Name: "balance", Schema: data.DecimalSchema(2, false)},
		data.Field{Name: "created", Schema: data.TimestampSchema(false)},
		data.Field{Name: "tags", Schema: data.NewArraySchema(data.StringSchema, true)},
		data.Field{Name: "note", Schema: data.OptionalStringSchema},
	)
	v := data.NewStruct(s).
		Set("id", int64(123456789)).Set("name", "Ada Lovelace").Set("email", "ada@example.com").
		Set("age", int32(36)).Set("score", 98.5).Set("active", true).
		Set("balance", data.Decimal{Unscaled: big.NewInt(1234567), Scale: 2}).
		Set("created", time.UnixMilli(1700000000000).UTC()).Set("tags", []any{"a", "b"})
	return s, v
}

func BenchmarkFromConnectData(b *testing.B) {
	s, v := benchStruct()
	c := New()
	if err := c.Configure(map[string]string{}, false); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.FromConnectData("t", nil, s, v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkToConnectData(b *testing.B) {
	s, v := benchStruct()
	c := New()
	if err := c.Configure(map[string]string{}, false); err != nil {
		b.Fatal(err)
	}
	in, _ := c.FromConnectData("t", nil, s, v)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.ToConnectData("t", nil, in); err != nil {
			b.Fatal(err)
		}
	}
}
