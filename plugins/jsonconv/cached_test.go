package jsonconv

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/goconnect/goconnect/api/data/datatest"
)

// result renders what ToConnectData returned, for comparing the two paths.
func result(t testing.TB, c *Converter, b []byte, full bool) string {
	t.Helper()
	var err error
	var out string
	if full {
		s, v, e := c.toConnectFull(b)
		out, err = datatest.DumpSchema(s)+" "+datatest.Dump(v), e
	} else {
		s, v, e := c.ToConnectData("t", nil, b)
		out, err = datatest.DumpSchema(s)+" "+datatest.Dump(v), e
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return out
}

// cachedInputs are envelopes that exercise the fast path's edges: every golden
// input, and every schema of them paired with every payload of them (most pairs
// are errors the full path must report), plus hand-written oddities.
func cachedInputs(t *testing.T) [][]byte {
	cases, _ := loadGolden(t)
	var schemas, payloads []string
	var inputs [][]byte
	for _, c := range cases {
		in := c.input(t)
		if in == nil {
			continue
		}
		inputs = append(inputs, in)
		var env map[string]json.RawMessage
		if json.Unmarshal(in, &env) != nil {
			continue
		}
		if s, ok := env["schema"]; ok && strings.HasPrefix(string(s), "{") {
			schemas = append(schemas, string(s))
		}
		if p, ok := env["payload"]; ok {
			payloads = append(payloads, string(p))
		}
	}
	order := benchOrderSchema
	payloads = append(payloads,
		`{"id":1,"customer":"c","product":"p","quantity":2,"price":1.5,"note":"n"}`,
		`{"note":"n","price":1.5,"quantity":2,"product":"p","customer":"c","id":1}`,
		`{"id":1,"customer":"c","product":"p","quantity":2,"price":1.5}`,
		`{"id":1,"customer":"c","product":"p","quantity":2,"price":1.5,"note":"n","extra":[1,{"a":null}]}`,
		`{"id":1,"id":2,"customer":"c","product":"p","quantity":2,"price":1.5,"note":"n"}`,
		`{"id":1,"customer":"c","product":"p","quantity":2,"price":1.5,"note":"n","note":"m"}`,
		`{"id":1,"customer":"c","product":"p","quantity":2,"price":1.5,"not\u0065":"n"}`,
		`{"id":1,"customer":"c","product":"p","quantity":2,"price":1.5,"note":"n\u00e9\n"}`,
		`{"id":99999999999999999999,"customer":"c","product":"p","quantity":2147483648,"price":1e400,"note":"n"}`,
		`{"id":-0,"customer":"c","product":"p","quantity":007,"price":-0.0,"note":"n"}`,
		`{"id":1,"customer":1,"product":null,"quantity":"2","price":true,"note":"n"}`,
		`{"id":1,"customer":"c","product":"p","quantity":2,"price":1.5,"note":"n",}`,
		`{"id":1,"customer":"c","product":"p","quantity":2,"price":1.5,"note":"n"`,
		`{"id":1 "customer":"c"}`,
		`{"id":truex}`, `{"id":1e}`, `{"id":-}`, `{"id":1.}`,
		"{\"id\":1,\"customer\":\"\xff\"}", "{\"id\":1,\"customer\":\"a\tb\"}",
		strings.Repeat(`[`, 1200)+strings.Repeat(`]`, 1200),
		`{"id":1,"customer":"c","product":"p","quantity":2,"price":1.5,"note":"n","x":`+strings.Repeat(`[`, 999)+strings.Repeat(`]`, 999)+`}`,
		` { "id" : 1 , "customer" : "c" , "product" : "p" , "quantity" : 2 , "price" : 1.5 , "note" : "n" } `,
		`null`, `[]`, `{}`, `"x"`, `1`, ``,
	)
	schemas = append(schemas, order,
		`{"type":"struct","fields":[{"field":"a","type":"int32","optional":true,"default":7},{"field":"b","type":"struct","optional":true,"fields":[{"field":"c","type":"string"}]}]}`,
		`{"type":"struct","name":"org.apache.kafka.connect.data.Decimal","fields":[]}`,
		`{"type":"string","optional":false}`, `{"type":"int64","optional":true,"default":5}`,
		`{"type":"int32","name":"org.apache.kafka.connect.data.Date"}`)
	payloads = append(payloads, `{"a":null,"b":{"c":"x"}}`, `{"b":{"c":null}}`, `{"b":{}}`, `{"a":1,"b":null}`)
	for _, s := range schemas {
		for _, p := range payloads {
			inputs = append(inputs, []byte(`{"schema":`+s+`,"payload":`+p+`}`))
		}
		inputs = append(inputs,
			[]byte(` {"schema" : `+s+` , "payload" : 1 } trailing`),
			[]byte(`{"payload":1,"schema":`+s+`}`),
			[]byte(`{"schema":`+s+`,"payload":1,"x":2}`),
			[]byte(`{"schema":`+s+`,"schema":`+s+`,"payload":1}`),
			[]byte(`{"schema":`+s+`,"payload":1`),
			[]byte(`{"schema":`+s+`}`),
		)
	}
	return inputs
}

// TestCachedEnvelopeMatchesFull checks the fast path for cached schemas against the
// full path (which the golden tests check against Java): same schema, value and
// error for every input, with the schema already in the cache.
func TestCachedEnvelopeMatchesFull(t *testing.T) {
	inputs := cachedInputs(t)
	for _, cfg := range []map[string]string{
		{"replace.null.with.default": "true"},
		{"replace.null.with.default": "false"},
		{"schemas.cache.size": "1"}, // evictions on every other schema
	} {
		c := New()
		if err := c.Configure(cfg, false); err != nil {
			t.Fatal(err)
		}
		hits := 0
		for _, in := range inputs {
			want := result(t, c, in, true) // also puts the schema in the cache
			if _, _, ok := c.cachedEnvelope(in); ok {
				hits++
			}
			if got := result(t, c, in, false); got != want {
				t.Errorf("%v, input %q:\n cached: %s\n   full: %s", cfg, in, got, want)
			}
		}
		// The comparison means something only if the fast path was taken.
		if hits < 100 {
			t.Errorf("fast path taken for %d of %d inputs", hits, len(inputs))
		}
		t.Logf("%v: fast path taken for %d of %d inputs", cfg, hits, len(inputs))
	}
}

func FuzzCachedEnvelope(f *testing.F) {
	f.Add([]byte(`{"schema":` + benchOrderSchema + `,"payload":{"id":1,"customer":"c","product":"p","quantity":2,"price":1.5,"note":"n"}}`))
	f.Add([]byte(`{"schema":{"type":"struct","fields":[{"field":"a","type":"int32","optional":true,"default":7}]},"payload":{"a":null}}`))
	f.Add([]byte(`{"schema":{"type":"array","items":{"type":"string"}},"payload":["a",null]}`))
	c := New()
	if err := c.Configure(map[string]string{"schemas.enable": "true"}, false); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		want := result(t, c, in, true)
		if got := result(t, c, in, false); got != want {
			t.Errorf("input %q:\n cached: %s\n   full: %s", in, got, want)
		}
	})
}

func TestHasControl(t *testing.T) {
	naive := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 {
				return true
			}
		}
		return false
	}
	// Every byte value at every position of a 17-byte window, over a background of
	// bytes next to the boundary (0x20, 0x7f, 0x80, 0xff) where borrows could leak.
	for _, bg := range []byte{0x20, 0x21, 0x7f, 0x80, 0xa0, 0xff} {
		for pos := range 17 {
			for v := range 256 {
				b := make([]byte, 17)
				for i := range b {
					b[i] = bg
				}
				b[pos] = byte(v)
				if got, want := hasControl(b), naive(b); got != want {
					t.Fatalf("hasControl(%x) = %v, want %v", b, got, want)
				}
			}
		}
	}
}
