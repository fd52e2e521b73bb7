package app

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/internal/herder"
)

func TestParseConnectorFile(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                ConnectorFile
		wantErr             string
	}{
		{name: "json map", file: "c.json", content: `{"name":"a","connector.class":"FileStreamSource","tasks.max":1,"x":true}`,
			want: ConnectorFile{Name: "a", Config: map[string]string{"name": "a", "connector.class": "FileStreamSource", "tasks.max": "1", "x": "true"}}},
		{name: "json map without name", file: "c.json", content: `{"connector.class":"FileStreamSource"}`,
			wantErr: "Connector configuration at '%s' is missing the mandatory 'name' configuration"},
		{name: "create request", file: "c.json", content: `{"name":"b","config":{"connector.class":"FileStreamSink","topics":"t"},"initial_state":"paused"}`,
			want: ConnectorFile{Name: "b", Config: map[string]string{"name": "b", "connector.class": "FileStreamSink", "topics": "t"}, Initial: herder.TargetPaused}},
		{name: "create request mismatch", file: "c.json", content: `{"name":"b","config":{"name":"c"}}`,
			wantErr: "Connector name configuration in 'config' doesn't match the one specified in 'name' at '%s'"},
		{name: "properties", file: "c.properties", content: "name=p\nconnector.class=FileStreamSource\n# comment\ntopic : t\n",
			want: ConnectorFile{Name: "p", Config: map[string]string{"name": "p", "connector.class": "FileStreamSource", "topic": "t"}}},
		{name: "properties without name", file: "c.properties", content: "connector.class=FileStreamSource\n",
			wantErr: "Connector configuration at '%s' is missing the mandatory 'name' configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ParseConnectorFile(path)
			if tt.wantErr != "" {
				want := fmtPath(tt.wantErr, path)
				if err == nil || err.Error() != want {
					t.Fatalf("err = %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
