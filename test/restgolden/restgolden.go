package restgolden

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Step is one entry of scenario.json: an HTTP request or a file append.
type Step struct {
	Name    string            `json:"name"`
	Comment string            `json:"comment,omitempty"`
	Method  string            `json:"method,omitempty"`
	Path    string            `json:"path,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	// WaitMS sleeps before the request (or file append).
	WaitMS int `json:"wait_ms,omitempty"`
	// Until repeats the request until every dotted path (e.g. "tasks.0.state")
	// of the JSON body equals the value; "*" means present, "!" absent.
	Until map[string]string `json:"until,omitempty"`
	// TimeoutMS bounds Until (default 30 s).
	TimeoutMS int `json:"timeout_ms,omitempty"`

	AppendFile string   `json:"append_file,omitempty"`
	Lines      []string `json:"lines,omitempty"`
}

// IsHTTP reports whether the step sends a request (and so has a golden).
func (s Step) IsHTTP() bool { return s.AppendFile == "" }

// Result is what a golden file holds for one HTTP step.
type Result struct {
	// Request is "METHOD path" with placeholders, for readability and for
	// request-dependent normalization.
	Request     string          `json:"request"`
	Status      int             `json:"status"`
	ContentType string          `json:"content_type"`
	Location    string          `json:"location"`
	Body        json.RawMessage `json:"body"`
}

// Outcome pairs a step with its result.
type Outcome struct {
	Index  int // 1-based position in the scenario
	Step   Step
	Result Result
}

// GoldenName is the file name of step index (1-based) in a golden directory.
func GoldenName(index int, s Step) string {
	return fmt.Sprintf("%03d-%s.json", index, s.Name)
}

// Dir returns this package's source directory (for scenario.json and testdata).
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Dir(file)
}

// DefaultScenario is the path of scenario.json.
func DefaultScenario() string { return filepath.Join(Dir(), "scenario.json") }

// JavaGoldenDir is where the Java Connect 4.3.1 goldens live.
func JavaGoldenDir() string { return filepath.Join(Dir(), "testdata", "java-4.3.1") }

// LoadScenario reads a scenario file.
func LoadScenario(path string) ([]Step, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	var steps []Step
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&steps); err != nil {
		return nil, fmt.Errorf("parse scenario %s: %w", path, err)
	}
	seen := map[string]bool{}
	for i, s := range steps {
		if s.Name == "" {
			return nil, fmt.Errorf("scenario step %d has no name", i+1)
		}
		if seen[s.Name] {
			return nil, fmt.Errorf("scenario step %d: duplicate name %q", i+1, s.Name)
		}
		seen[s.Name] = true
		if s.IsHTTP() && (s.Method == "" || s.Path == "") {
			return nil, fmt.Errorf("scenario step %q: method and path are required", s.Name)
		}
	}
	return steps, nil
}

// Vars are the placeholder values of one run (name without ${}).
type Vars map[string]string

// NewVars returns TMP=tmpDir and a random RUN id.
func NewVars(tmpDir string) Vars {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return Vars{"TMP": tmpDir, "RUN": "r" + hex.EncodeToString(b[:])}
}

func (v Vars) expand(s string) string {
	for k, val := range v {
		s = strings.ReplaceAll(s, "${"+k+"}", val)
	}
	return s
}

// collapse substitutes placeholder values back, longest value first so a
// value that contains another is replaced whole.
func (v Vars) collapse(s string) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		if v[k] != "" {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return len(v[keys[i]]) > len(v[keys[j]]) })
	for _, k := range keys {
		s = strings.ReplaceAll(s, v[k], "${"+k+"}")
	}
	return s
}

// Run executes the steps in order against baseURL (e.g. http://127.0.0.1:8083)
// and returns one Outcome per HTTP step. It stops at the first transport error
// or unmet Until condition.
func Run(ctx context.Context, baseURL string, steps []Step, vars Vars) ([]Outcome, error) {
	baseURL = strings.TrimRight(baseURL, "/")
	all := Vars{"BASE": baseURL}
	for k, v := range vars {
		all[k] = v
	}
	client := &http.Client{
		Timeout: 100 * time.Second, // Connect's own request timeout is 90 s
		// Location must be recorded, not followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	var out []Outcome
	for i, s := range steps {
		if s.WaitMS > 0 {
			select {
			case <-ctx.Done():
				return out, ctx.Err()
			case <-time.After(time.Duration(s.WaitMS) * time.Millisecond):
			}
		}
		if !s.IsHTTP() {
			if err := appendLines(all.expand(s.AppendFile), s.Lines, all); err != nil {
				return out, fmt.Errorf("step %d %s: %w", i+1, s.Name, err)
			}
			continue
		}
		res, err := runHTTP(ctx, client, baseURL, s, all)
		if err != nil {
			return out, fmt.Errorf("step %d %s: %w", i+1, s.Name, err)
		}
		out = append(out, Outcome{Index: i + 1, Step: s, Result: res})
	}
	return out, nil
}

func appendLines(path string, lines []string, vars Vars) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("append: %w", err)
	}
	for _, l := range lines {
		if _, err := fmt.Fprintln(f, vars.expand(l)); err != nil {
			f.Close()
			return fmt.Errorf("append: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("append: %w", err)
	}
	return nil
}

func runHTTP(ctx context.Context, client *http.Client, baseURL string, s Step, vars Vars) (Result, error) {
	timeout := 30 * time.Second
	if s.TimeoutMS > 0 {
		timeout = time.Duration(s.TimeoutMS) * time.Millisecond
	}
	deadline := time.Now().Add(timeout)
	for {
		res, err := doRequest(ctx, client, baseURL, s, vars)
		if err != nil {
			return res, err
		}
		// The body already has placeholders substituted back, so Until keys
		// and values are written with placeholders too.
		unmet := checkUntil(res.Body, s.Until)
		if unmet == "" {
			return res, nil
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("until not met within %v: %s (last status %d, body %s)", timeout, unmet, res.Status, res.Body)
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func doRequest(ctx context.Context, client *http.Client, baseURL string, s Step, vars Vars) (Result, error) {
	var body io.Reader
	hasBody := len(s.Body) > 0 && string(s.Body) != "null"
	if hasBody {
		raw := []byte(s.Body)
		var str string
		if json.Unmarshal(raw, &str) == nil {
			raw = []byte(str) // a JSON string is sent verbatim
		}
		body = strings.NewReader(vars.expand(string(raw)))
	}
	req, err := http.NewRequestWithContext(ctx, s.Method, baseURL+vars.expand(s.Path), body)
	if err != nil {
		return Result{}, fmt.Errorf("build request: %w", err)
	}
	if hasBody {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range s.Headers {
		req.Header.Set(k, vars.expand(v))
	}
	resp, err := client.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("request: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Result{}, fmt.Errorf("read body: %w", err)
	}
	res := Result{
		Request:     s.Method + " " + s.Path,
		Status:      resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"),
		Location:    vars.collapse(resp.Header.Get("Location")),
	}
	text := vars.collapse(string(b))
	if json.Valid([]byte(text)) && strings.TrimSpace(text) != "" {
		res.Body = json.RawMessage(text)
	} else {
		res.Body, _ = json.Marshal(text)
	}
	return res, nil
}

// checkUntil returns "" when every condition holds, else the first unmet one.
func checkUntil(body json.RawMessage, until map[string]string) string {
	if len(until) == 0 {
		return ""
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "body is not JSON"
	}
	keys := make([]string, 0, len(until))
	for k := range until {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, path := range keys {
		want := until[path]
		got, ok := lookup(v, path)
		switch {
		case want == "!":
			if ok {
				return path + " is present"
			}
		case !ok:
			return path + " is absent"
		case want == "*":
		case fmt.Sprint(got) != want:
			return fmt.Sprintf("%s = %v, want %s", path, got, want)
		}
	}
	return ""
}

func lookup(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// Marshal renders a Result as a golden file (indented, trailing newline).
func Marshal(r Result) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("marshal result: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return nil, fmt.Errorf("indent result: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// WriteGoldens replaces every *.json in dir with the outcomes.
func WriteGoldens(dir string, outcomes []Outcome) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write goldens: %w", err)
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return fmt.Errorf("write goldens: %w", err)
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("write goldens: %w", err)
		}
	}
	for _, o := range outcomes {
		b, err := Marshal(o.Result)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, GoldenName(o.Index, o.Step)), b, 0o644); err != nil {
			return fmt.Errorf("write goldens: %w", err)
		}
	}
	return nil
}

// LoadGolden reads one golden file.
func LoadGolden(dir string, index int, s Step) (Result, error) {
	var r Result
	b, err := os.ReadFile(filepath.Join(dir, GoldenName(index, s)))
	if err != nil {
		return r, fmt.Errorf("load golden: %w", err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("parse golden %s: %w", GoldenName(index, s), err)
	}
	return r, nil
}
