package jdbc

import (
	"path/filepath"
	"testing"
)

func TestSourceSQLite(t *testing.T) {
	runSourceSuite(t, "jdbc:sqlite:"+filepath.Join(t.TempDir(), "src.db"), "", "TIMESTAMP")
}
