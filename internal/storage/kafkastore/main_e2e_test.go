//go:build e2e

package kafkastore

import (
	"testing"

	"github.com/goconnect/goconnect/test/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }
