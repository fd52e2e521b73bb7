package javaprops

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The cases follow the behaviour of java.util.Properties.load (JDK 17+), checked
// against its LineReader/loadConvert implementation.
func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
	}{
		{"equals", "a=b", map[string]string{"a": "b"}},
		{"colon", "a:b", map[string]string{"a": "b"}},
		{"space separator", "a b", map[string]string{"a": "b"}},
		{"spaces around equals", "a  =  b  ", map[string]string{"a": "b  "}},
		{"space then colon", "a \t: b", map[string]string{"a": "b"}},
		{"only first separator", "a==b", map[string]string{"a": "=b"}},
		{"space and two separators", "a = =b", map[string]string{"a": "=b"}},
		{"key only", "a", map[string]string{"a": ""}},
		{"key and equals", "a=", map[string]string{"a": ""}},
		{"leading whitespace", "   \t\fa=b", map[string]string{"a": "b"}},
		{"hash comment", "# c=d\na=b", map[string]string{"a": "b"}},
		{"bang comment", "! c=d\na=b", map[string]string{"a": "b"}},
		{"indented comment", "   # c=d\na=b", map[string]string{"a": "b"}},
		{"hash inside value", "a=b#c", map[string]string{"a": "b#c"}},
		{"comment continuation is not continued", "# c \\\na=b", map[string]string{"a": "b"}},
		{"blank lines", "\n\n  \r\na=b\n\n", map[string]string{"a": "b"}},
		{"continuation", "a=b\\\n    c", map[string]string{"a": "bc"}},
		{"continuation crlf", "a=b\\\r\n  c\r\nd=e", map[string]string{"a": "bc", "d": "e"}},
		{"continuation cr", "a=b\\\r  c\rd=e", map[string]string{"a": "bc", "d": "e"}},
		{"continuation keeps hash", "a=b\\\n  #c", map[string]string{"a": "b#c"}},
		{"continuation then blank line ends", "a=b\\\n\nc=d", map[string]string{"a": "b", "c": "d"}},
		{"escaped backslash is no continuation", "a=b\\\\\nc=d", map[string]string{"a": "b\\", "c": "d"}},
		{"trailing backslash at eof", "a=b\\", map[string]string{"a": "b"}},
		{"escapes", `a=\t\n\r\f\q\\`, map[string]string{"a": "\t\n\r\f" + `q\`}},
		{"unicode", `a=\u0041\u00e9`, map[string]string{"a": "Aé"}},
		{"surrogate pair", `a=\uD83D\uDE00`, map[string]string{"a": "😀"}},
		{"escaped separator in key", `a\=b\:c\ d=e`, map[string]string{"a=b:c d": "e"}},
		{"windows path", `p=C:\\tmp\\x`, map[string]string{"p": `C:\tmp\x`}},
		{"last wins", "a=1\na=2", map[string]string{"a": "2"}},
		{"utf8", "a=é", map[string]string{"a": "é"}},
		{"latin1", "a=\xe9", map[string]string{"a": "é"}},
		{"empty", "", map[string]string{}},
		{"only comments", "#x\n!y", map[string]string{}},
		{"typical worker", "bootstrap.servers=localhost:9092\nkey.converter=org.apache.kafka.connect.json.JsonConverter\nlisteners = http://:8083\nplugin.path=/a,\\\n  /b\n",
			map[string]string{"bootstrap.servers": "localhost:9092", "key.converter": "org.apache.kafka.connect.json.JsonConverter", "listeners": "http://:8083", "plugin.path": "/a,/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseMalformedUnicode(t *testing.T) {
	for _, in := range []string{`a=\u00`, `a=\uzzzz`, `a=\u12`} {
		if _, err := Parse([]byte(in)); !errors.Is(err, ErrMalformedEscape) {
			t.Errorf("Parse(%q) = %v, want ErrMalformedEscape", in, err)
		}
	}
}
