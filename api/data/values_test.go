package data

import (
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// These expectations come from Java 4.3.1 (plugins/converters/testdata/golden.json
// holds the full set, checked through SimpleHeaderConverter).
func TestParseString(t *testing.T) {
	dec := func(u int64, s int32) Decimal { return Decimal{Unscaled: big.NewInt(u), Scale: s} }
	tests := []struct {
		in     string
		schema *Schema
		value  any
	}{
		{"null", nil, nil},
		{"true", BooleanSchema, true},
		{"True", StringSchema, "True"},
		{"127", Int8Schema, int8(127)},
		{"128", Int16Schema, int16(128)},
		{"32768", Int32Schema, int32(32768)},
		{"2147483648", Int64Schema, int64(2147483648)},
		{"1.0", Int8Schema, int8(1)},
		{"1e3", Int16Schema, int16(1000)},
		{"1.5", Float32Schema, float32(1.5)},
		{"1.5e300", Float64Schema, 1.5e300},
		{"9223372036854775808", DecimalSchema(0, false), Decimal{Unscaled: new(big.Int).SetUint64(1 << 63), Scale: 0}},
		{"1e400", DecimalSchema(-400, false), dec(1, -400)},
		{"1,2", Int8Schema, int8(1)},
		{"hello world", StringSchema, "hello world"},
		{"", StringSchema, ""},
		{"2024-01-15", DateSchema(false), time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)},
		{"12:34:56.789Z", TimeSchema(false), time.Date(1970, 1, 1, 12, 34, 56, 789e6, time.UTC)},
		{"2024-01-15T12:34:56.789Z", TimestampSchema(false), time.Date(2024, 1, 15, 12, 34, 56, 789e6, time.UTC)},
		{"2024-13-45", DateSchema(false), time.Date(2025, 2, 14, 0, 0, 0, 0, time.UTC)},
		{"[1,300]", NewArraySchema(Int16Schema, false), []any{int16(1), int16(300)}},
		{"[1,2.5]", NewArraySchema(Float32Schema, false), []any{float32(1), float32(2.5)}},
		{`[1,"a"]`, &Schema{Type: TypeArray}, []any{int8(1), "a"}},
		{"[1,2", StringSchema, "[1,2"},
		{`{"a":1,"b":2}`, NewMapSchema(StringSchema, Int8Schema, false), map[string]any{"a": int8(1), "b": int8(2)}},
		{"{1:2,3:4}", NewMapSchema(Int8Schema, Int8Schema, false), map[any]any{int8(1): int8(2), int8(3): int8(4)}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, v, err := ParseString(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !s.Equal(tt.schema) {
				t.Errorf("schema: got %v, want %v", s, tt.schema)
			}
			if !Equal(v, tt.value) {
				t.Errorf("value: got %#v, want %#v", v, tt.value)
			}
		})
	}
}

func TestConvertToString(t *testing.T) {
	st := NewStructSchema("", false,
		Field{Name: "a", Schema: Int32Schema},
		Field{Name: "s", Schema: &Schema{Type: TypeString, Optional: true, Default: "d"}})
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"float", float32(1.1), "1.1"},
		{"double", 1e-5, "1.0E-5"},
		{"string", `a "b"`, `a "b"`},
		{"bytes", []byte{0, 1, 2, 0xff}, "AAEC/w=="},
		{"decimal", Decimal{Unscaled: big.NewInt(-123456), Scale: 5}, "-1.23456"},
		{"date", time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), "2024-01-15"},
		{"early timestamp", time.UnixMilli(1000).UTC(), "00:00:01.000Z"},
		{"negative timestamp", time.UnixMilli(-1000).UTC(), "23:59:59.000Z"},
		{"timestamp", time.UnixMilli(1705322096789).UTC(), "2024-01-15T12:34:56.789Z"},
		{"array", []any{"a", `b"c`, nil}, `["a","b\"c",null]`},
		{"map", map[string]any{"b": int32(2), "a": int32(1)}, `{"a":1,"b":2}`},
		{"struct", NewStruct(st).Set("a", int32(1)), `{"a":1,"s":"d"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := ConvertToString(nil, tt.v)
			if err != nil || !ok {
				t.Fatalf("err %v ok %v", err, ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestJavaMapKeys(t *testing.T) {
	// java.util.HashMap iteration order for these keys, as Java 4.3.1 printed them.
	got := JavaMapKeys(map[any]any{int64(5): nil, int64(-1): nil, int64(17): nil})
	want := []any{int64(-1), int64(17), int64(5)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func TestJavaFloatTwoDigits(t *testing.T) {
	for f, want := range map[float64]string{4.9e-324: "4.9E-324", 1e23: "1.0E23", 1e-5: "1.0E-5"} {
		if got := JavaFloat(f, 64); got != want {
			t.Errorf("JavaFloat(%g) = %s, want %s", f, got, want)
		}
	}
}
