//go:build e2e

package e2e

import (
	"testing"

	"github.com/goconnect/goconnect/test/restgolden"
)

// TestRESTMatchesJava replays the REST scenario captured from the real Java Kafka
// Connect 4.3.1 (test/restgolden) against goconnect standalone on the real broker,
// configured as the capture worker was, and diffs every response: status code,
// headers that matter, body shape, field names and error texts.
func TestRESTMatchesJava(t *testing.T) {
	w := newWorker(t, map[string]string{
		"key.converter.schemas.enable":   "false",
		"value.converter.schemas.enable": "false",
		"offset.flush.interval.ms":       "1000",
	})
	w.start()
	restgolden.Replay(t, w.url, restgolden.JavaGoldenDir())
}
