package pluginsdk

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/examples/counting"
	"github.com/goconnect/goconnect/internal/plugin/wire"
)

var example = []Connector{
	{Class: counting.SourceClass, Aliases: []string{"Counting"}, New: func() connect.Connector { return &counting.SourceConnector{} }},
	{Class: counting.SinkClass, New: func() connect.Connector { return &counting.SinkConnector{} }},
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestManifestFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := serve(example, []string{ManifestFlag}, env(nil), strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	m, err := wire.ParseManifest(out.Bytes())
	if err != nil {
		t.Fatalf("printed manifest does not parse: %v\n%s", err, out.String())
	}
	want := []wire.ManifestEntry{
		{Class: counting.SourceClass, Type: "source", Version: "1.0.0", Aliases: []string{"Counting"}, TaskClass: counting.SourceClass + "Task"},
		{Class: counting.SinkClass, Type: "sink", Version: "1.0.0", TaskClass: counting.SinkClass + "Task"},
	}
	if diff := cmp.Diff(want, m.Plugins); diff != "" {
		t.Errorf("manifest entries (-want +got):\n%s", diff)
	}
	if !cmp.Equal(m.ProtocolVersions, wire.SupportedVersions) {
		t.Errorf("protocol_versions = %v", m.ProtocolVersions)
	}
}

func TestServeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name       string
		connectors []Connector
		env        map[string]string
		wantOut    string
		wantErr    string
	}{
		{name: "no cookie", connectors: example, wantErr: "it is started by a goconnect worker"},
		{name: "version mismatch", connectors: example,
			env:     map[string]string{wire.MagicCookieKey: wire.MagicCookieValue, wire.ProtocolVersionsKey: "7,8"},
			wantOut: "goconnect-plugin|error|incompatible plugin protocol: the worker speaks version(s) [7,8], the plugin speaks [" + strconv.Itoa(wire.ProtocolVersion) + "]"},
		{name: "not a connector", connectors: []Connector{{Class: "a.B", New: func() connect.Connector { return nil }}},
			wantErr: "neither a connect.SourceConnector nor a connect.SinkConnector"},
		{name: "bad class", connectors: []Connector{{Class: "not a class", New: func() connect.Connector { return &counting.SinkConnector{} }}},
			wantErr: `class "not a class" is not a valid class name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := serve(tc.connectors, nil, env(tc.env), strings.NewReader(""), &out, &errb)
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if !strings.Contains(out.String(), tc.wantOut) || !strings.Contains(errb.String(), tc.wantErr) {
				t.Errorf("stdout %q (want %q), stderr %q (want %q)", out.String(), tc.wantOut, errb.String(), tc.wantErr)
			}
		})
	}
}
