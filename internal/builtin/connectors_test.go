package builtin

import (
	"testing"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/registry"
)

// TestBuiltinConnectorsResolveByJavaNames checks each built-in connector row: the
// names a Java user writes resolve to it, and its constructor yields the kind the row
// says, reporting the row's version.
func TestBuiltinConnectorsResolveByJavaNames(t *testing.T) {
	r := registry.New(builtinConnectors())
	for _, tc := range []struct {
		names     []string
		class     string
		kind      registry.Kind
		taskClass string
	}{
		{[]string{"org.apache.kafka.connect.file.FileStreamSourceConnector", "FileStreamSourceConnector", "FileStreamSource"},
			"org.apache.kafka.connect.file.FileStreamSourceConnector", registry.Source, "org.apache.kafka.connect.file.FileStreamSourceTask"},
		{[]string{"org.apache.kafka.connect.file.FileStreamSinkConnector", "FileStreamSinkConnector", "FileStreamSink"},
			"org.apache.kafka.connect.file.FileStreamSinkConnector", registry.Sink, "org.apache.kafka.connect.file.FileStreamSinkTask"},
		{[]string{"org.apache.kafka.connect.tools.VerifiableSourceConnector", "VerifiableSourceConnector", "VerifiableSource"},
			"org.apache.kafka.connect.tools.VerifiableSourceConnector", registry.Source, "org.apache.kafka.connect.tools.VerifiableSourceTask"},
		{[]string{"org.apache.kafka.connect.tools.VerifiableSinkConnector", "VerifiableSinkConnector", "VerifiableSink"},
			"org.apache.kafka.connect.tools.VerifiableSinkConnector", registry.Sink, "org.apache.kafka.connect.tools.VerifiableSinkTask"},
	} {
		for _, name := range tc.names {
			p, err := r.LookupConnector(name)
			if err != nil {
				t.Fatalf("LookupConnector(%q): %v", name, err)
			}
			if p.Class != tc.class || p.Kind != tc.kind || p.TaskClass != tc.taskClass || p.Version != "4.3.1" {
				t.Errorf("LookupConnector(%q) = %+v", name, p)
			}
			c := p.NewConnector()
			switch c.(type) {
			case connect.SourceConnector:
				if p.Kind != registry.Source {
					t.Errorf("%s: constructor gives a source, row says %s", name, p.Kind)
				}
			case connect.SinkConnector:
				if p.Kind != registry.Sink {
					t.Errorf("%s: constructor gives a sink, row says %s", name, p.Kind)
				}
			default:
				t.Errorf("%s: %T is neither source nor sink", name, c)
			}
			if c.Version() != p.Version {
				t.Errorf("%s: Version() = %q, row says %q", name, c.Version(), p.Version)
			}
		}
	}
}
