package restgolden

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestGoldensMatchScenario keeps scenario.json and the captured goldens in
// step: every HTTP step has a golden and there are no stale goldens.
func TestGoldensMatchScenario(t *testing.T) {
	steps, err := LoadScenario(DefaultScenario())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for i, s := range steps {
		if !s.IsHTTP() {
			continue
		}
		name := GoldenName(i+1, s)
		want[name] = true
		if _, err := LoadGolden(JavaGoldenDir(), i+1, s); err != nil {
			t.Errorf("step %q: %v (re-capture: go run ./test/restgolden/capture -java)", s.Name, err)
		}
	}
	files, err := filepath.Glob(filepath.Join(JavaGoldenDir(), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !want[filepath.Base(f)] {
			t.Errorf("stale golden %s", filepath.Base(f))
		}
	}
}

// TestGoldensCompareToThemselves checks normalization is idempotent and that
// every golden parses.
func TestGoldensCompareToThemselves(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(JavaGoldenDir(), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r Result
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if d := Compare(r, r); d != "" {
			t.Errorf("%s: self-compare differs:\n%s", f, d)
		}
	}
}

func TestCompareNormalizes(t *testing.T) {
	want := Result{
		Request:     "GET /connectors/c/status",
		Status:      200,
		ContentType: "application/json",
		Location:    "${BASE}/connectors/c",
		Body: json.RawMessage(`{"name":"c","connector":{"state":"RUNNING","worker_id":"127.0.0.1:8083","version":"4.3.1"},
			"tasks":[{"id":0,"state":"FAILED","worker_id":"127.0.0.1:8083","version":"4.3.1","trace":"org.Foo: boom\n\tat a.b(C.java:1)"}]}`),
	}
	got := Result{
		Request:     "GET /connectors/c/status",
		Status:      200,
		ContentType: "application/json; charset=utf-8",
		Location:    "http://127.0.0.1:9999/connectors/c",
		Body: json.RawMessage(`{"name":"c","connector":{"state":"RUNNING","worker_id":"127.0.0.1:9999","version":"0.1.0"},
			"tasks":[{"id":0,"state":"FAILED","worker_id":"127.0.0.1:9999","version":"0.1.0","trace":"org.Foo: boom\ngoroutine 1"}]}`),
	}
	if d := Compare(want, got); d != "" {
		t.Errorf("unexpected diff:\n%s", d)
	}
	got.Status = 500
	if Compare(want, got) == "" {
		t.Error("status change not detected")
	}

	list := func(body string) Result {
		return Result{Request: "GET /connectors", Status: 200, Body: json.RawMessage(body)}
	}
	if d := Compare(list(`["b","a"]`), list(`["a","b"]`)); d != "" {
		t.Errorf("GET /connectors order should not matter:\n%s", d)
	}

	jackson := Result{Status: 500, Body: json.RawMessage(`{"error_code":500,"message":"Unexpected end-of-input\n at [Source: REDACTED; line: 1]"}`)}
	goErr := Result{Status: 500, Body: json.RawMessage(`{"error_code":500,"message":"unexpected EOF"}`)}
	if d := Compare(jackson, goErr); d != "" {
		t.Errorf("java-only messages should compare by status only:\n%s", d)
	}
}
