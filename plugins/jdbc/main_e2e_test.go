//go:build e2e

package jdbc

import (
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/goconnect/goconnect/test/harness"
)

// TestMain stops the shared PostgreSQL and MariaDB servers after the tests and
// checks that tasks closed their connection pools.
func TestMain(m *testing.M) {
	code := m.Run()
	harness.StopDatabases()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("goleak: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}
