package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitFor(t *testing.T, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func outputHas(path string, lines ...string) func() error {
	return func() error {
		b, _ := os.ReadFile(path)
		for _, l := range lines {
			if !strings.Contains(string(b), l+"\n") {
				return fmt.Errorf("%q not in output %q", l, b)
			}
		}
		return nil
	}
}

// TestDevDefault is the README's run command in-process: the example pipeline moves
// appended lines from input.txt to output.txt through the embedded broker, the REST
// API answers, and after a restart on the same folder the pipeline (stored
// connectors, offsets, broker data) resumes without re-delivering old lines.
func TestDevDefault(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	ctx := context.Background()
	d, err := Start(ctx, Options{Dir: dir, RESTPort: port, KafkaPort: 0, LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	appendLine(t, d.Input, "first")
	waitFor(t, "first line", outputHas(d.Output, "first"))

	var status map[string]struct {
		Status struct {
			Connector struct{ State string } `json:"connector"`
		} `json:"status"`
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/connectors?expand=status", port))
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&status)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"quickstart-source", "quickstart-sink"} {
		if got := status[name].Status.Connector.State; got != "RUNNING" {
			t.Errorf("%s state = %q, want RUNNING", name, got)
		}
	}
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}

	d, err = Start(ctx, Options{Dir: dir, RESTPort: port, KafkaPort: 0, LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	appendLine(t, d.Input, "second")
	waitFor(t, "second line", outputHas(d.Output, "second"))
	b, _ := os.ReadFile(d.Output)
	if n := strings.Count(string(b), "first\n"); n != 1 {
		t.Errorf("after a clean restart %q appears %d times in the output, want once:\n%s", "first", n, b)
	}
}

func appendLine(t *testing.T, path, line string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Fatal(err)
	}
}
