package file

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves the stdin reader goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
