//go:build e2e

package restgolden

import (
	"path/filepath"
	"testing"

	"github.com/goconnect/goconnect/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }

// TestJavaMatchesGoldens replays the scenario against a fresh Java Connect
// 4.3.1 standalone worker: it proves the goldens and the normalization rules
// are stable from run to run, so a diff against goconnect means a behaviour
// difference.
func TestJavaMatchesGoldens(t *testing.T) {
	plugins, err := harness.PluginsDir()
	if err != nil {
		t.Fatal(err)
	}
	url := harness.JavaConnect(t, "standalone", map[string]string{
		"plugin.path": filepath.Join(plugins, "connect-file"),
	})
	Replay(t, url, JavaGoldenDir())
}
