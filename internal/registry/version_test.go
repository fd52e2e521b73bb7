package registry

import (
	"errors"
	"testing"

	"github.com/goconnect/goconnect/api/connect"
)

func TestLookupConnectorForVersions(t *testing.T) {
	row := func(v string) Plugin {
		return Plugin{Class: "com.example.X", Kind: Source, Version: v, NewConnector: func() connect.Connector { return nil }}
	}
	// Newest first, as plugin discovery lists them.
	r := New([]Plugin{row("2.0.0"), row("1.10.0"), row("1.9.0")})
	cases := []struct {
		spec, want string
		notFound   bool
	}{
		{"", "2.0.0", false},
		{"1.9.0", "1.9.0", false},
		{"[1.9.0]", "1.9.0", false},
		{"[1.0,2.0)", "1.10.0", false},
		{"(,1.10.0)", "1.9.0", false},
		{"[2.0.0,)", "2.0.0", false},
		{"3.0.0", "", true},
	}
	for _, c := range cases {
		p, err := r.LookupConnectorFor(map[string]string{"connector.class": "X", ConnectorPluginVersion: c.spec})
		if c.notFound {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%q: err = %v, want ErrNotFound", c.spec, err)
			}
			continue
		}
		if err != nil || p.Version != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.spec, p.Version, err, c.want)
		}
	}
}
