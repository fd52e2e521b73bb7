//go:build !e2e

package jdbc

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that tasks close their connection pools (database/sql starts a
// goroutine per pool).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
