package jdbc

import (
	"path/filepath"
	"testing"
)

func TestSinkSQLite(t *testing.T) {
	url := "jdbc:sqlite:" + filepath.Join(t.TempDir(), "sink.db")
	runSinkSuite(t, url, "")
}
