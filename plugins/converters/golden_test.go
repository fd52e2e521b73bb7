package converters

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
	"github.com/goconnect/goconnect/api/data/datatest"
	"github.com/goconnect/goconnect/plugins/jsonconv"
)

// The cases in testdata/cases.json were run through the real Java 4.3.1 converters by
// plugins/jsonconv/testdata/regen.sh; testdata/golden.json holds what Java produced.

type goldenCase struct {
	Name     string            `json:"name"`
	Op       string            `json:"op"`
	Config   map[string]string `json:"config"`
	Input    *string           `json:"input"`
	InputHex *string           `json:"inputHex"`
}

type goldenResult struct {
	Name     string  `json:"name"`
	Out      *string `json:"out"`
	OutHex   *string `json:"outHex"`
	Error    string  `json:"error"`
	Schema   string  `json:"schema"`
	Value    string  `json:"value"`
	Rendered *string `json:"rendered"`
}

func load(t *testing.T) ([]goldenCase, map[string]goldenResult) {
	t.Helper()
	var cases []goldenCase
	var results []goldenResult
	for file, dst := range map[string]any{"testdata/cases.json": &cases, "testdata/golden.json": &results} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	m := map[string]goldenResult{}
	for _, r := range results {
		m[r.Name] = r
	}
	return cases, m
}

var constructors = map[string]func() connect.Converter{
	"org.apache.kafka.connect.storage.StringConverter":       func() connect.Converter { return NewString() },
	"org.apache.kafka.connect.converters.ByteArrayConverter": func() connect.Converter { return NewByteArray() },
	"org.apache.kafka.connect.converters.LongConverter":      func() connect.Converter { return NewLong() },
	"org.apache.kafka.connect.converters.IntegerConverter":   func() connect.Converter { return NewInteger() },
	"org.apache.kafka.connect.converters.ShortConverter":     func() connect.Converter { return NewShort() },
	"org.apache.kafka.connect.converters.FloatConverter":     func() connect.Converter { return NewFloat() },
	"org.apache.kafka.connect.converters.DoubleConverter":    func() connect.Converter { return NewDouble() },
	"org.apache.kafka.connect.converters.BooleanConverter":   func() connect.Converter { return NewBoolean() },
}

func readEnvelope(t *testing.T, in []byte) (*data.Schema, any) {
	t.Helper()
	r := jsonconv.New()
	if err := r.Configure(map[string]string{"schemas.enable": "true", "replace.null.with.default": "false"}, false); err != nil {
		t.Fatal(err)
	}
	s, v, err := r.ToConnectData("t", nil, in)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func checkError(t *testing.T, err error, javaErr string) {
	t.Helper()
	_, want, _ := strings.Cut(javaErr, ": ")
	if err == nil {
		t.Fatalf("got no error, Java: %s", javaErr)
	}
	got := strings.TrimPrefix(err.Error(), data.ErrData.Error()+": ")
	// Java keeps the serializer's detail in the exception cause.
	if strings.HasSuffix(want, ": ") && strings.HasPrefix(got, want) {
		return
	}
	if !strings.HasSuffix(got, want) {
		t.Errorf("error:\n got: %s\nJava: %s", got, want)
	}
}

// jdkDependent are cases whose Java output depends on the JDK: the goldens come from
// JDK 17, whose Float/Double.toString sometimes prints more digits than needed
// (JDK-4511638, fixed in JDK 19). goconnect prints the shortest form, as JDK 19+.
var jdkDependent = map[string]string{"str_float_big": "1.5E10"}

func TestGoldenJava(t *testing.T) {
	cases, golden := load(t)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			want, ok := golden[c.Name]
			if !ok {
				t.Fatal("no golden result; run plugins/jsonconv/testdata/regen.sh")
			}
			var in []byte
			if c.InputHex != nil {
				in, _ = hex.DecodeString(*c.InputHex)
			} else if c.Input != nil {
				in = []byte(*c.Input)
			}
			var (
				schema *data.Schema
				value  any
				out    []byte
				err    error
			)
			switch c.Op {
			case "header.from":
				s, v := readEnvelope(t, in)
				out, err = NewSimpleHeader().FromConnectHeader("t", "h", s, v)
				if jdk19, ok := jdkDependent[c.Name]; ok {
					want.Out = &jdk19
				}
				checkOut(t, out, err, want.Out, want.Error)
				return
			case "header.to":
				schema, value, err = NewSimpleHeader().ToConnectHeader("t", "h", in)
				if strings.HasPrefix(want.Error, "NullPointerException") {
					// Java's parseString returns null for "null"; goconnect returns
					// a nil schema and value.
					if err != nil || schema != nil || value != nil {
						t.Errorf("got %v %v %v, want nil", schema, value, err)
					}
					return
				}
				if want.Rendered != nil {
					got, _, rerr := data.ConvertToString(schema, value)
					if rerr != nil || got != *want.Rendered {
						t.Errorf("rendered: got %q (%v), Java %q", got, rerr, *want.Rendered)
					}
				}
			case "conv.from":
				conv := constructors[c.Config["class"]]()
				if cerr := conv.Configure(c.Config, false); cerr != nil {
					checkError(t, cerr, want.Error)
					return
				}
				s, v := readEnvelope(t, in)
				out, err = conv.FromConnectData("t", nil, s, v)
				if want.Error != "" || err != nil {
					checkError(t, err, want.Error)
					return
				}
				var gotHex *string
				if out != nil {
					h := hex.EncodeToString(out)
					gotHex = &h
				}
				if (gotHex == nil) != (want.OutHex == nil) || gotHex != nil && *gotHex != *want.OutHex {
					t.Errorf("out: got %v, Java %v", deref(gotHex), deref(want.OutHex))
				}
				return
			case "conv.to":
				conv := constructors[c.Config["class"]]()
				if cerr := conv.Configure(c.Config, false); cerr != nil {
					checkError(t, cerr, want.Error)
					return
				}
				schema, value, err = conv.ToConnectData("t", nil, in)
			default:
				t.Fatalf("unknown op %q", c.Op)
			}
			if want.Error != "" || err != nil {
				checkError(t, err, want.Error)
				return
			}
			if got := datatest.DumpSchema(schema); got != want.Schema {
				t.Errorf("schema:\n got: %s\nJava: %s", got, want.Schema)
			}
			if got := datatest.Dump(value); got != want.Value {
				t.Errorf("value:\n got: %s\nJava: %s", got, want.Value)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

func checkOut(t *testing.T, out []byte, err error, want *string, javaErr string) {
	t.Helper()
	if javaErr != "" || err != nil {
		checkError(t, err, javaErr)
		return
	}
	if (out == nil) != (want == nil) || want != nil && string(out) != *want {
		t.Errorf("out: got %q, Java %q", out, deref(want))
	}
}
