package assign

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A small reader for data-driven test scripts in the style of cockroachdb/datadriven, used by
// etcd-io/raft's interaction tests, without the dependency:
//
//	# comments and blank lines between blocks are kept
//	command arg arg
//	----
//	expected output, one or more lines, no blank line
//
// Run with -rewrite to replace every expected output with what the commands print now.

var rewrite = flag.Bool("rewrite", false, "rewrite the expected outputs of testdata/*.txt scripts")

type block struct {
	pre  []string // comment and blank lines before the command
	line int
	cmd  string
	want string
}

func parseScript(t *testing.T, path string) (blocks []block, tail []string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	var pre []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			pre = append(pre, l)
			continue
		}
		b := block{pre: pre, line: i + 1, cmd: l}
		pre = nil
		if i+1 >= len(lines) || lines[i+1] != "----" {
			t.Fatalf("%s:%d: command %q is not followed by ----", path, i+1, l)
		}
		i += 2
		var out []string
		for ; i < len(lines) && lines[i] != ""; i++ {
			out = append(out, lines[i])
		}
		b.want = strings.Join(out, "\n")
		blocks = append(blocks, b)
	}
	return blocks, pre
}

// runScripts runs every testdata/*.txt script against a fresh state made by newState.
func runScripts(t *testing.T, newState func(t *testing.T) func(cmd string) string) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scripts in testdata: %v", err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			blocks, tail := parseScript(t, path)
			run := newState(t)
			var sb strings.Builder
			for _, b := range blocks {
				got := strings.TrimRight(run(b.cmd), "\n")
				if got == "" {
					got = "ok"
				}
				if *rewrite {
					for _, p := range b.pre {
						sb.WriteString(p + "\n")
					}
					fmt.Fprintf(&sb, "%s\n----\n%s\n\n", b.cmd, got)
					continue
				}
				if got != b.want {
					t.Errorf("%s:%d: %s\noutput differs (rerun with -rewrite to accept)\n--- want\n%s\n--- got\n%s",
						path, b.line, b.cmd, b.want, got)
				}
			}
			if *rewrite {
				for _, p := range tail {
					sb.WriteString(p + "\n")
				}
				if err := os.WriteFile(path, []byte(strings.TrimRight(sb.String(), "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
