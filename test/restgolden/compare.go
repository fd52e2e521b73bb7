package restgolden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"
)

// normalized is the comparable form of a Result.
type normalized struct {
	Status      int
	ContentType string
	Location    string
	Body        any
}

// Compare returns a human-readable diff (-want +got) of two results after the
// normalization described in the package doc, or "" if they match.
func Compare(want, got Result) string {
	w, g := Normalize(want).(normalized), Normalize(got).(normalized)
	// Messages that only the JVM can produce (Jackson parse errors, Java
	// NullPointerException texts) are compared by status and error_code only.
	if wm, ok := w.Body.(map[string]any); ok && isJavaOnlyMessage(wm["message"]) {
		wm["message"] = "<java-only message>"
		if gm, ok := g.Body.(map[string]any); ok {
			if _, has := gm["message"]; has {
				gm["message"] = "<java-only message>"
			}
		}
	}
	// Java lists every class logger the JVM happened to create (which depends on
	// class loading and differs between runs and implementations); compare the
	// loggers both sides know, and require every package-level logger Java lists
	// (the ones the scenario set) on goconnect's side too.
	if wm, ok := w.Body.(map[string]any); ok && want.Request == "GET /admin/loggers" {
		if gm, ok := g.Body.(map[string]any); ok {
			for k := range wm {
				if _, both := gm[k]; !both && isClassLogger(k) {
					delete(wm, k)
				}
			}
			for k := range gm {
				if _, both := wm[k]; !both {
					delete(gm, k)
				}
			}
		}
	}
	return cmp.Diff(w, g)
}

// isClassLogger reports whether a logger is named after a Java class (its last
// segment starts with an upper-case letter) rather than a package.
func isClassLogger(name string) bool {
	last := name[strings.LastIndexByte(name, '.')+1:]
	return last != "" && last[0] >= 'A' && last[0] <= 'Z'
}

// GoconnectExtraPlugins are class-name prefixes of the built-in connectors
// goconnect lists in /connector-plugins that the captured Java worker did not have
// on its plugin.path: Kafka's Verifiable test connectors (Java ships them in the
// separate connect-test-plugins jar) and the connectors users install from Confluent
// (JDBC, Elasticsearch), which goconnect builds in. Documented in docs/rest-api.md.
var GoconnectExtraPlugins = []string{
	"org.apache.kafka.connect.tools.Verifiable",
	"io.confluent.connect.",
}

func isExtraPlugin(class string) bool {
	for _, p := range GoconnectExtraPlugins {
		if strings.HasPrefix(class, p) {
			return true
		}
	}
	return false
}

// isJavaOnlyMessage reports whether an error message is text no non-JVM
// implementation can reproduce: Jackson's parse errors (they quote Java class
// names and "[Source: REDACTED ...]") and helpful-NPE texts ("Cannot invoke
// \"...\" because \"...\" is null").
func isJavaOnlyMessage(v any) bool {
	m, ok := v.(string)
	if !ok {
		return false
	}
	return strings.Contains(m, "[Source: ") ||
		(strings.HasPrefix(m, "Cannot invoke \"") && strings.Contains(m, "\" is null"))
}

// Normalize returns the comparable form of r (see the package doc).
func Normalize(r Result) any {
	n := normalized{
		Status:      r.Status,
		ContentType: normContentType(r.ContentType),
		Location:    normLocation(r.Location),
		Body:        normBody(r.Body),
	}
	if arr, ok := n.Body.([]any); ok && isListConnectors(r.Request) {
		sortStrings(arr)
	}
	method, path, _ := strings.Cut(r.Request, " ")
	path, _, _ = strings.Cut(path, "?")
	if arr, ok := n.Body.([]any); ok && method == "GET" && path == "/connector-plugins" {
		kept := []any{}
		for _, p := range arr {
			if pm, ok := p.(map[string]any); ok && isExtraPlugin(fmt.Sprint(pm["class"])) {
				continue
			}
			kept = append(kept, p)
		}
		n.Body = kept
	}
	// GET / may carry goconnect's own version in an extra field (clients ignore
	// unknown fields); Java has none, so it is not part of the comparison.
	if m, ok := n.Body.(map[string]any); ok && method == "GET" && path == "/" {
		delete(m, "goconnect_version")
	}
	// With Log4j2 (Kafka 4.x) the logger endpoints list every logger the JVM
	// has instantiated, which depends on class loading: keep only what the
	// REST API itself controls.
	if m, ok := n.Body.(map[string]any); ok && method == "GET" && path == "/admin/loggers" {
		for k, v := range m {
			lv, _ := v.(map[string]any)
			if k != "root" && (lv == nil || lv["last_modified"] == nil) {
				delete(m, k)
			}
		}
	}
	if arr, ok := n.Body.([]any); ok && method == "PUT" && strings.HasPrefix(path, "/admin/loggers/") {
		name := strings.TrimPrefix(path, "/admin/loggers/")
		kept := []any{}
		for _, v := range arr {
			if v == name {
				kept = append(kept, v)
			}
		}
		n.Body = kept
	}
	return n
}

func normContentType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(ct)
	}
	return mt
}

func normLocation(loc string) string {
	if loc == "" {
		return ""
	}
	// Goldens hold ${BASE}/path; a live run holds http://host:port/path.
	loc = strings.TrimPrefix(loc, "${BASE}")
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	return u.RequestURI()
}

func isListConnectors(req string) bool {
	method, path, _ := strings.Cut(req, " ")
	return method == "GET" && path == "/connectors"
}

func sortStrings(arr []any) {
	for _, v := range arr {
		if _, ok := v.(string); !ok {
			return
		}
	}
	sort.Slice(arr, func(i, j int) bool { return arr[i].(string) < arr[j].(string) })
}

func normBody(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return string(raw)
	}
	return normValue(v)
}

func normValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normValue(e)
		}
		normObject(out)
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normValue(e)
		}
		return out
	default:
		return v
	}
}

func normObject(m map[string]any) {
	_, hasVersion := m["version"]
	_, hasCommit := m["commit"]
	_, hasCluster := m["kafka_cluster_id"]
	if hasVersion && hasCommit && hasCluster {
		m["version"], m["commit"], m["kafka_cluster_id"] = "<volatile>", "<volatile>", "<volatile>"
	}
	if _, ok := m["worker_id"]; ok {
		m["worker_id"] = "<worker_id>"
	}
	if tr, ok := m["trace"].(string); ok {
		first, _, _ := strings.Cut(tr, "\n")
		m["trace"] = strings.TrimSpace(first)
	}
	_, hasClass := m["class"]
	_, hasType := m["type"]
	if hasClass && hasType && hasVersion {
		m["version"] = "<version>"
	}
	if lm, ok := m["last_modified"]; ok && lm != nil {
		m["last_modified"] = "<timestamp>"
	}
	// Connector and task states carry the plugin version since KIP-891 (4.1).
	if _, ok := m["state"]; ok && hasVersion {
		m["version"] = "<version>"
	}
	// KIP-891 *.plugin.version keys: defaults, values and recommendations are
	// plugin versions (ConfigKeyInfo and ConfigValueInfo objects).
	if name, ok := m["name"].(string); ok && strings.HasSuffix(name, ".plugin.version") {
		for _, k := range []string{"default_value", "value"} {
			if v, ok := m[k]; ok && v != nil {
				m[k] = "<version>"
			}
		}
		if rv, ok := m["recommended_values"].([]any); ok {
			for i := range rv {
				rv[i] = "<version>"
			}
		}
	}
	// "... available connectors are: PluginDesc{...}" lists Java plugin
	// descriptors with jar locations; keep only the sentence before it.
	if msg, ok := m["message"].(string); ok {
		if i := strings.Index(msg, ", available connectors are: "); i >= 0 {
			m["message"] = msg[:i]
		}
	}
}
