package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
)

// fakeHerder is a map-backed herder.Herder: enough state to exercise every
// endpoint; the standalone herder's behaviour is tested end to end elsewhere.
type fakeHerder struct {
	reg     *registry.Registry
	configs map[string]map[string]string
	states  map[string]herder.TargetState
}

func newFakeHerder(reg *registry.Registry) *fakeHerder {
	return &fakeHerder{reg: reg, configs: map[string]map[string]string{}, states: map[string]herder.TargetState{}}
}

func (f *fakeHerder) ServerInfo() herder.ServerInfo {
	return herder.ServerInfo{Version: "4.3.1", Commit: "c", KafkaClusterID: "k"}
}
func (f *fakeHerder) Health(context.Context) error { return nil }
func (f *fakeHerder) Connectors(context.Context) ([]string, error) {
	var out []string
	for n := range f.configs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}
func (f *fakeHerder) notFound(name string) error {
	return herder.Errorf(herder.ErrNotFound, "Connector %s not found", name)
}
func (f *fakeHerder) ConnectorInfo(_ context.Context, name string) (herder.ConnectorInfo, error) {
	c, ok := f.configs[name]
	if !ok {
		return herder.ConnectorInfo{}, f.notFound(name)
	}
	return herder.ConnectorInfo{Name: name, Config: c, Tasks: []herder.TaskID{{Connector: name, Task: 0}}, Type: herder.TypeSource}, nil
}
func (f *fakeHerder) ConnectorConfig(_ context.Context, name string) (map[string]string, error) {
	c, ok := f.configs[name]
	if !ok {
		return nil, f.notFound(name)
	}
	return c, nil
}
func (f *fakeHerder) PutConnectorConfig(ctx context.Context, name string, cfg map[string]string, allowReplace bool, initial herder.TargetState) (herder.ConnectorInfo, bool, error) {
	infos, err := herder.Validate(f.reg, cfg)
	if err != nil {
		return herder.ConnectorInfo{}, false, err
	}
	if err := herder.ValidationError(infos); err != nil {
		return herder.ConnectorInfo{}, false, err
	}
	_, exists := f.configs[name]
	if exists && !allowReplace {
		return herder.ConnectorInfo{}, false, herder.Errorf(herder.ErrAlreadyExists, "Connector %s already exists", name)
	}
	f.configs[name] = cfg
	if initial == "" {
		initial = herder.TargetStarted
	}
	f.states[name] = initial
	info, _ := f.ConnectorInfo(ctx, name)
	return info, !exists, nil
}
func (f *fakeHerder) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (herder.ConnectorInfo, error) {
	c, ok := f.configs[name]
	if !ok {
		return herder.ConnectorInfo{}, f.notFound(name)
	}
	for k, v := range patch {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = *v
		}
	}
	return f.ConnectorInfo(ctx, name)
}
func (f *fakeHerder) DeleteConnector(_ context.Context, name string) error {
	if _, ok := f.configs[name]; !ok {
		return f.notFound(name)
	}
	delete(f.configs, name)
	return nil
}
func (f *fakeHerder) ConnectorStatus(_ context.Context, name string) (herder.ConnectorStateInfo, error) {
	if _, ok := f.configs[name]; !ok {
		return herder.ConnectorStateInfo{}, herder.Errorf(herder.ErrNotFound, "No status found for connector %s", name)
	}
	zero := 0
	return herder.ConnectorStateInfo{Name: name, Connector: herder.StateInfo{State: herder.StateRunning, WorkerID: "w:1"},
		Tasks: []herder.StateInfo{{ID: &zero, State: herder.StateFailed, WorkerID: "w:1", Trace: "boom"}}, Type: herder.TypeSource}, nil
}
func (f *fakeHerder) TaskStatus(_ context.Context, id herder.TaskID) (herder.StateInfo, error) {
	if _, ok := f.configs[id.Connector]; !ok || id.Task != 0 {
		return herder.StateInfo{}, herder.Errorf(herder.ErrNotFound, "No status found for task %s-%d", id.Connector, id.Task)
	}
	return herder.StateInfo{ID: &id.Task, State: herder.StateRunning, WorkerID: "w:1"}, nil
}
func (f *fakeHerder) TaskConfigs(_ context.Context, name string) ([]herder.TaskInfo, error) {
	if _, ok := f.configs[name]; !ok {
		return nil, f.notFound(name)
	}
	return []herder.TaskInfo{{ID: herder.TaskID{Connector: name}, Config: map[string]string{"task.class": "T"}}}, nil
}
func (f *fakeHerder) RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (*herder.ConnectorStateInfo, error) {
	st, err := f.ConnectorStatus(ctx, name)
	if err != nil {
		return nil, herder.Errorf(herder.ErrNotFound, "Unknown connector: %s", name)
	}
	if !includeTasks && !onlyFailed {
		return nil, nil
	}
	st.Tasks[0].State = herder.StateRestarting
	return &st, nil
}
func (f *fakeHerder) RestartTask(_ context.Context, id herder.TaskID) error {
	if id.Task != 0 {
		return herder.Errorf(herder.ErrNotFound, "Task %s-%d not found", id.Connector, id.Task)
	}
	return nil
}
func (f *fakeHerder) setState(name string, s herder.TargetState) error {
	if _, ok := f.configs[name]; !ok {
		return herder.Errorf(herder.ErrNotFound, "Unknown connector %s", name)
	}
	f.states[name] = s
	return nil
}
func (f *fakeHerder) PauseConnector(_ context.Context, n string) error {
	return f.setState(n, herder.TargetPaused)
}
func (f *fakeHerder) ResumeConnector(_ context.Context, n string) error {
	return f.setState(n, herder.TargetStarted)
}
func (f *fakeHerder) StopConnector(_ context.Context, n string) error {
	return f.setState(n, herder.TargetStopped)
}
func (f *fakeHerder) Offsets(_ context.Context, name string) (herder.ConnectorOffsets, error) {
	if _, ok := f.configs[name]; !ok {
		return herder.ConnectorOffsets{}, f.notFound(name)
	}
	return herder.ConnectorOffsets{Offsets: []herder.PartitionOffset{{Partition: map[string]any{"filename": "f"}, Offset: map[string]any{"position": 3}}}}, nil
}
func (f *fakeHerder) AlterOffsets(_ context.Context, name string, o herder.ConnectorOffsets) (herder.Message, error) {
	if f.states[name] != herder.TargetStopped {
		return herder.Message{}, herder.Errorf(herder.ErrBadRequest, "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/%s/stop' endpoint", name)
	}
	return herder.Message{Message: "The offsets for this connector have been altered successfully"}, nil
}
func (f *fakeHerder) ResetOffsets(_ context.Context, name string) (herder.Message, error) {
	return herder.Message{Message: "The offsets for this connector have been reset successfully"}, nil
}
func (f *fakeHerder) ActiveTopics(_ context.Context, name string) ([]string, error) {
	return []string{"t1"}, nil
}
func (f *fakeHerder) ResetActiveTopics(context.Context, string) error { return nil }
func (f *fakeHerder) ValidateConfig(_ context.Context, cfg map[string]string) (herder.ConfigInfos, error) {
	return herder.Validate(f.reg, cfg)
}

// timeoutHerder times out every call, as a busy herder would.
type timeoutHerder struct{ *fakeHerder }

func (timeoutHerder) Connectors(ctx context.Context) ([]string, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

type fakeLoggers struct{ levels map[string]herder.LoggerLevel }

func (l *fakeLoggers) All() map[string]herder.LoggerLevel { return l.levels }
func (l *fakeLoggers) Get(name string) (herder.LoggerLevel, bool) {
	v, ok := l.levels[name]
	return v, ok
}
func (l *fakeLoggers) Set(name, level string) ([]string, error) {
	ts := int64(42)
	l.levels[name] = herder.LoggerLevel{Level: level, LastModified: &ts}
	return []string{name, name + ".Child"}, nil
}

type testConnector struct{}

func (testConnector) Version() string { return "1.0" }
func (testConnector) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "topic", Type: config.String, Default: config.NoDefault, Importance: config.High, Doc: "The topic."})
}
func (testConnector) Start(connect.ConnectorContext, map[string]string) error { return nil }
func (testConnector) TaskConfigs(int) ([]map[string]string, error)            { return nil, nil }
func (testConnector) Stop() error                                             { return nil }

func testRegistry() *registry.Registry {
	return registry.New([]registry.Plugin{
		{Class: "com.example.TestSourceConnector", Kind: registry.Source, Version: "1.0",
			NewConnector: func() connect.Connector { return testConnector{} }},
	})
}

type step struct {
	name        string
	method      string
	path        string
	body        string
	contentType string
	wantStatus  int
	wantCT      string // "" = no Content-Type header
	wantBody    string // JSON, compared as data; "" = empty body
	wantLoc     string
}

func runSteps(t *testing.T, h http.Handler, steps []step) {
	t.Helper()
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var body *strings.Reader
			if s.body != "" {
				body = strings.NewReader(s.body)
			} else {
				body = strings.NewReader("")
			}
			req := httptest.NewRequest(s.method, "http://worker:8083"+s.path, body)
			if s.contentType != "" {
				req.Header.Set("Content-Type", s.contentType)
			} else if s.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != s.wantStatus {
				t.Errorf("status = %d, want %d (body %s)", rec.Code, s.wantStatus, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); got != s.wantCT {
				t.Errorf("Content-Type = %q, want %q", got, s.wantCT)
			}
			if got := rec.Header().Get("Location"); got != s.wantLoc {
				t.Errorf("Location = %q, want %q", got, s.wantLoc)
			}
			if s.wantBody == "" {
				if rec.Body.Len() != 0 {
					t.Errorf("body = %s, want empty", rec.Body)
				}
				return
			}
			var got, want any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if err := json.Unmarshal([]byte(s.wantBody), &want); err != nil {
				t.Fatalf("want body: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

const js = "application/json"

func TestConnectorsAPI(t *testing.T) {
	h := NewHandler(Options{Herder: newFakeHerder(testRegistry()), Registry: testRegistry()})
	src := `{"connector.class":"TestSource","topic":"t","name":"a"}`
	info := `{"name":"a","config":` + src + `,"tasks":[{"connector":"a","task":0}],"type":"source"}`
	status := `{"name":"a","connector":{"state":"RUNNING","worker_id":"w:1"},"tasks":[{"id":0,"state":"FAILED","worker_id":"w:1","trace":"boom"}],"type":"source"}`
	runSteps(t, h, []step{
		{"root", "GET", "/", "", "", 200, js, `{"version":"4.3.1","commit":"c","kafka_cluster_id":"k"}`, ""},
		{"health", "GET", "/health", "", "", 200, js, `{"status":"healthy","message":"Worker has completed startup and is ready to handle requests."}`, ""},
		{"empty list", "GET", "/connectors", "", "", 200, js, `[]`, ""},
		{"create", "POST", "/connectors", `{"name":" a ","config":{"connector.class":"TestSource","topic":"t"}}`, "", 201, js, info, "http://worker:8083/connectors/a"},
		{"create duplicate", "POST", "/connectors", `{"name":"a","config":{"connector.class":"TestSource","topic":"t"}}`, "", 409, js, `{"error_code":409,"message":"Connector a already exists"}`, ""},
		{"create malformed", "POST", "/connectors", `{"name": "broken", "config": {`, "", 500, js, `{"error_code":500,"message":"Unexpected end-of-input: expected close marker"}`, ""},
		{"create empty body", "POST", "/connectors", "", js, 500, js, `{"error_code":500,"message":"` + strings.ReplaceAll(npeCreateRequest, `"`, `\"`) + `"}`, ""},
		{"create missing config", "POST", "/connectors", `{"name":"x"}`, "", 500, js, `{"error_code":500,"message":"` + strings.ReplaceAll(npeConfig, `"`, `\"`) + `"}`, ""},
		{"create missing name", "POST", "/connectors", `{"config":{"connector.class":"TestSource","topic":"t"}}`, "", 400, js,
			`{"error_code":400,"message":"Connector configuration is invalid and contains the following 1 error(s):\nInvalid value  for configuration name: String may not be empty\nYou can also find the above list of errors at the endpoint ` + "`/connector-plugins/{connectorType}/config/validate`" + `"}`, ""},
		{"create unknown class", "POST", "/connectors", `{"name":"b","config":{"connector.class":"Nope"}}`, "", 400, js,
			`{"error_code":400,"message":"Failed to find any class that implements Connector and which name matches Nope, available connectors are: com.example.TestSourceConnector"}`, ""},
		{"create name mismatch", "POST", "/connectors", `{"name":"m","config":{"connector.class":"TestSource","topic":"t","name":"other"}}`, "", 400, js,
			`{"error_code":400,"message":"Connector name configuration (other) doesn't match connector name in the URL (m)"}`, ""},
		{"create bogus initial state", "POST", "/connectors", `{"name":"p","config":{"connector.class":"TestSource","topic":"t"},"initial_state":"SLEEPING"}`, "", 500, js,
			"{\"error_code\":500,\"message\":\"Cannot construct instance of `org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest$InitialState`, problem: No enum constant org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest.InitialState.SLEEPING\"}", ""},
		{"create null value", "POST", "/connectors", `{"name":"n","config":{"connector.class":"TestSource","topic":"t","tasks.max":null}}`, "", 400, js,
			`{"error_code":400,"message":"Connector configuration is invalid and contains the following 1 error(s):\nNull value can not be supplied as the configuration value.\nYou can also find the above list of errors at the endpoint ` + "`/connector-plugins/{connectorType}/config/validate`" + `"}`, ""},
		{"create nonstring values", "POST", "/connectors", `{"name":"num","config":{"connector.class":"TestSource","topic":"t","tasks.max":1,"x":true},"initial_state":"paused"}`, "", 201, js,
			`{"name":"num","config":{"connector.class":"TestSource","topic":"t","tasks.max":"1","x":"true","name":"num"},"tasks":[{"connector":"num","task":0}],"type":"source"}`, "http://worker:8083/connectors/num"},
		{"list", "GET", "/connectors", "", "", 200, js, `["a","num"]`, ""},
		{"delete num", "DELETE", "/connectors/num", "", "", 204, "", "", ""},
		{"expand status", "GET", "/connectors?expand=status", "", "", 200, js, `{"a":{"status":` + status + `}}`, ""},
		{"expand both", "GET", "/connectors?expand=status&expand=info", "", "", 200, js, `{"a":{"status":` + status + `,"info":` + info + `}}`, ""},
		{"expand bogus", "GET", "/connectors?expand=bogus", "", "", 200, js, `{"a":{}}`, ""},
		{"get", "GET", "/connectors/a", "", "", 200, js, info, ""},
		{"get unknown", "GET", "/connectors/nope", "", "", 404, js, `{"error_code":404,"message":"Connector nope not found"}`, ""},
		{"get config", "GET", "/connectors/a/config", "", "", 200, js, src, ""},
		{"put update", "PUT", "/connectors/a/config", `{"connector.class":"TestSource","topic":"t2"}`, "", 200, js,
			`{"name":"a","config":{"connector.class":"TestSource","topic":"t2","name":"a"},"tasks":[{"connector":"a","task":0}],"type":"source"}`, ""},
		{"put create", "PUT", "/connectors/c/config", `{"connector.class":"TestSource","topic":"t"}`, "", 201, js,
			`{"name":"c","config":{"connector.class":"TestSource","topic":"t","name":"c"},"tasks":[{"connector":"c","task":0}],"type":"source"}`, "http://worker:8083/connectors/c"},
		{"put mismatch", "PUT", "/connectors/a/config", `{"connector.class":"TestSource","topic":"t","name":"x"}`, "", 400, js,
			`{"error_code":400,"message":"Connector name configuration (x) doesn't match connector name in the URL (a)"}`, ""},
		{"put invalid", "PUT", "/connectors/a/config", `{"connector.class":"TestSource","topic":"t","tasks.max":"abc"}`, "", 400, js,
			`{"error_code":400,"message":"Connector configuration is invalid and contains the following 2 error(s):\nInvalid value abc for configuration tasks.max: Not a number of type INT\nInvalid value null for configuration tasks.max: Value must be non-null\nYou can also find the above list of errors at the endpoint ` + "`/connector-plugins/{connectorType}/config/validate`" + `"}`, ""},
		{"patch", "PATCH", "/connectors/c/config", `{"topic":"t9","name":null}`, "", 200, js,
			`{"name":"c","config":{"connector.class":"TestSource","topic":"t9"},"tasks":[{"connector":"c","task":0}],"type":"source"}`, ""},
		{"patch unknown", "PATCH", "/connectors/nope/config", `{"topic":"x"}`, "", 404, js, `{"error_code":404,"message":"Connector nope not found"}`, ""},
		{"status", "GET", "/connectors/a/status", "", "", 200, js, status, ""},
		{"status unknown", "GET", "/connectors/nope/status", "", "", 404, js, `{"error_code":404,"message":"No status found for connector nope"}`, ""},
		{"tasks", "GET", "/connectors/a/tasks", "", "", 200, js, `[{"id":{"connector":"a","task":0},"config":{"task.class":"T"}}]`, ""},
		{"internal task configs", "POST", "/connectors/a/tasks", `[{"task.class":"T"}]`, "", 500, js,
			`{"error_code":500,"message":"Kafka Connect in standalone mode does not support externally setting task configurations."}`, ""},
		{"task status", "GET", "/connectors/a/tasks/0/status", "", "", 200, js, `{"id":0,"state":"RUNNING","worker_id":"w:1"}`, ""},
		{"task status missing", "GET", "/connectors/a/tasks/9/status", "", "", 404, js, `{"error_code":404,"message":"No status found for task a-9"}`, ""},
		{"task status non-numeric", "GET", "/connectors/a/tasks/abc/status", "", "", 404, js, `{"error_code":404,"message":"HTTP 404 Not Found"}`, ""},
		{"tasks-config removed", "GET", "/connectors/a/tasks-config", "", "", 404, "", `{"error_code":404,"message":"HTTP 404 Not Found"}`, ""},
		{"restart plain", "POST", "/connectors/a/restart", "", "", 204, "", "", ""},
		{"restart with tasks", "POST", "/connectors/a/restart?includeTasks=true&onlyFailed=false", "", "", 202, js,
			`{"name":"a","connector":{"state":"RUNNING","worker_id":"w:1"},"tasks":[{"id":0,"state":"RESTARTING","worker_id":"w:1","trace":"boom"}],"type":"source"}`, ""},
		{"restart unknown", "POST", "/connectors/nope/restart?includeTasks=true", "", "", 404, js, `{"error_code":404,"message":"Unknown connector: nope"}`, ""},
		{"restart task", "POST", "/connectors/a/tasks/0/restart", "", "", 204, "", "", ""},
		{"restart task missing", "POST", "/connectors/a/tasks/7/restart", "", "", 404, js, `{"error_code":404,"message":"Task a-7 not found"}`, ""},
		{"pause", "PUT", "/connectors/a/pause", "", "", 202, "", "", ""},
		{"pause unknown", "PUT", "/connectors/nope/pause", "", "", 404, js, `{"error_code":404,"message":"Unknown connector nope"}`, ""},
		{"resume", "PUT", "/connectors/a/resume", "", "", 202, "", "", ""},
		{"offsets", "GET", "/connectors/a/offsets", "", "", 200, js, `{"offsets":[{"partition":{"filename":"f"},"offset":{"position":3}}]}`, ""},
		{"alter offsets running", "PATCH", "/connectors/a/offsets", `{"offsets":[{"partition":{"filename":"f"},"offset":{"position":1}}]}`, "", 400, js,
			`{"error_code":400,"message":"Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/a/stop' endpoint"}`, ""},
		{"stop", "PUT", "/connectors/a/stop", "", "", 204, "", "", ""},
		{"alter offsets", "PATCH", "/connectors/a/offsets", `{"offsets":[{"partition":{"filename":"f"},"offset":null}]}`, "", 200, js,
			`{"message":"The offsets for this connector have been altered successfully"}`, ""},
		{"alter offsets empty", "PATCH", "/connectors/a/offsets", `{"offsets":[]}`, "", 400, js,
			`{"error_code":400,"message":"Partitions / offsets need to be provided for an alter offsets request"}`, ""},
		{"alter offsets no field", "PATCH", "/connectors/a/offsets", `{}`, "", 400, js,
			`{"error_code":400,"message":"Partitions / offsets need to be provided for an alter offsets request"}`, ""},
		{"reset offsets", "DELETE", "/connectors/a/offsets", "", "", 200, js, `{"message":"The offsets for this connector have been reset successfully"}`, ""},
		{"topics", "GET", "/connectors/a/topics", "", "", 200, js, `{"a":{"topics":["t1"]}}`, ""},
		{"reset topics", "PUT", "/connectors/a/topics/reset", "", "", 202, "", "", ""},
		{"delete", "DELETE", "/connectors/a", "", "", 204, "", "", ""},
		{"delete unknown", "DELETE", "/connectors/a", "", "", 404, js, `{"error_code":404,"message":"Connector a not found"}`, ""},
		{"unknown path", "GET", "/nope", "", "", 404, "", `{"error_code":404,"message":"HTTP 404 Not Found"}`, ""},
		{"wrong method", "DELETE", "/connectors", "", "", 405, "", `{"error_code":405,"message":"HTTP 405 Method Not Allowed"}`, ""},
		{"text/plain", "POST", "/connectors", `{"name":"x"}`, "text/plain", 415, "", `{"error_code":415,"message":"HTTP 415 Unsupported Media Type"}`, ""},
	})
}

func TestTopicTrackingDisabled(t *testing.T) {
	tests := []struct {
		name        string
		opts        Options
		getStatus   int
		getMsg      string
		resetStatus int
		resetMsg    string
	}{
		{"tracking disabled", Options{DisableTopicTracking: true}, 403, "Topic tracking is disabled.", 403, "Topic tracking is disabled."},
		{"reset disabled", Options{DisableTopicTrackingReset: true}, 200, "", 403, "Topic tracking reset is disabled."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Herder = newFakeHerder(testRegistry())
			h := NewHandler(tt.opts)
			for _, c := range []struct {
				method, path string
				status       int
				msg          string
			}{{"GET", "/connectors/a/topics", tt.getStatus, tt.getMsg}, {"PUT", "/connectors/a/topics/reset", tt.resetStatus, tt.resetMsg}} {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
				if rec.Code != c.status {
					t.Errorf("%s %s: status %d, want %d", c.method, c.path, rec.Code, c.status)
				}
				if c.msg != "" && !strings.Contains(rec.Body.String(), c.msg) {
					t.Errorf("%s %s: body %s, want %q", c.method, c.path, rec.Body, c.msg)
				}
			}
		})
	}
}

func TestRequestTimeout(t *testing.T) {
	h := NewHandler(Options{Herder: timeoutHerder{newFakeHerder(testRegistry())}, RequestTimeout: 1})
	runSteps(t, h, []step{
		{"list times out", "GET", "/connectors", "", "", 500, js, `{"error_code":500,"message":"Request timed out"}`, ""},
	})
}

func TestPluginsAPI(t *testing.T) {
	reg := testRegistry()
	h := NewHandler(Options{Herder: newFakeHerder(reg), Registry: reg})
	runSteps(t, h, []step{
		{"plugins", "GET", "/connector-plugins", "", "", 200, js, `[{"class":"com.example.TestSourceConnector","type":"source","version":"1.0"}]`, ""},
		{"plugins all", "GET", "/connector-plugins?connectorsOnly=false", "", "", 200, js, `[{"class":"com.example.TestSourceConnector","type":"source","version":"1.0"}]`, ""},
		{"plugin config unknown", "GET", "/connector-plugins/Nope/config", "", "", 404, js, `{"error_code":404,"message":"Unknown plugin Nope."}`, ""},
		{"validate mismatch", "PUT", "/connector-plugins/FileStreamSink/config/validate", `{"connector.class":"FileStreamSource"}`, "", 400, js,
			`{"error_code":400,"message":"Included connector type FileStreamSource does not match request type FileStreamSink"}`, ""},
		{"validate no class", "PUT", "/connector-plugins/TestSource/config/validate", `{"name":"v","topics":"gc-v","file":"f"}`, "", 500, js,
			`{"error_code":500,"message":"org.apache.kafka.connect.runtime.rest.errors.BadRequestException: Connector config {name=v, file=f, topics=gc-v} contains no connector type"}`, ""},
	})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/connector-plugins/TestSourceConnector/config", nil)
	h.ServeHTTP(rec, req)
	var keys []herder.ConfigKeyInfo
	if err := json.Unmarshal(rec.Body.Bytes(), &keys); err != nil || rec.Code != 200 || keys[0].Name != "topic" || !strings.Contains(rec.Body.String(), `"order_in_group":-1`) {
		t.Errorf("plugin config: %d %s %v", rec.Code, rec.Body, err)
	}
	rec = httptest.NewRecorder()
	req = httptest.NewRequest("PUT", "/connector-plugins/TestSource/config/validate", strings.NewReader(`{"connector.class":"TestSource","name":"v","tasks.max":null}`))
	h.ServeHTTP(rec, req)
	var infos herder.ConfigInfos
	if err := json.Unmarshal(rec.Body.Bytes(), &infos); err != nil || rec.Code != 200 {
		t.Fatalf("validate: %d %s %v", rec.Code, rec.Body, err)
	}
	if infos.Name != "TestSource" || infos.ErrorCount != 2 {
		t.Errorf("validate: name %q error_count %d, want TestSource 2 (missing topic, null tasks.max)", infos.Name, infos.ErrorCount)
	}
}

func TestLoggersAPI(t *testing.T) {
	l := &fakeLoggers{levels: map[string]herder.LoggerLevel{"root": {Level: "INFO"}}}
	h := NewHandler(Options{Herder: newFakeHerder(testRegistry()), Loggers: l})
	runSteps(t, h, []step{
		{"all", "GET", "/admin/loggers", "", "", 200, js, `{"root":{"level":"INFO","last_modified":null}}`, ""},
		{"one", "GET", "/admin/loggers/root", "", "", 200, js, `{"level":"INFO","last_modified":null}`, ""},
		{"missing", "GET", "/admin/loggers/nope", "", "", 404, js, `{"error_code":404,"message":"Logger nope not found."}`, ""},
		{"put worker", "PUT", "/admin/loggers/org.foo", `{"level":"debug"}`, "", 200, js, `["org.foo","org.foo.Child"]`, ""},
		{"get after put", "GET", "/admin/loggers/org.foo", "", "", 200, js, `{"level":"DEBUG","last_modified":42}`, ""},
		{"put cluster", "PUT", "/admin/loggers/org.foo?scope=cluster", `{"level":"INFO"}`, "", 204, "", "", ""},
		{"put invalid", "PUT", "/admin/loggers/org.foo", `{"level":"LOUD"}`, "", 404, js, `{"error_code":404,"message":"invalid log level 'LOUD'."}`, ""},
		{"put missing", "PUT", "/admin/loggers/org.foo", `{}`, "", 400, js, `{"error_code":400,"message":"Desired 'level' parameter was not specified in request."}`, ""},
	})
	noAdmin := NewHandler(Options{Herder: newFakeHerder(testRegistry())})
	runSteps(t, noAdmin, []step{
		{"admin disabled", "GET", "/admin/loggers", "", "", 404, "", `{"error_code":404,"message":"HTTP 404 Not Found"}`, ""},
	})
}

// clusterHerder is a herder with cluster-scoped logger levels (distributed mode).
type clusterHerder struct {
	*fakeHerder
	got []string
}

func (c *clusterHerder) SetClusterLoggerLevel(_ context.Context, ns, level string) error {
	c.got = append(c.got, ns+"="+level)
	return nil
}

// A distributed herder publishes scope=cluster levels (as given) and this worker
// does not set them itself: it applies them when it reads them back.
func TestLoggersClusterScope(t *testing.T) {
	l := &fakeLoggers{levels: map[string]herder.LoggerLevel{"root": {Level: "INFO"}}}
	ch := &clusterHerder{fakeHerder: newFakeHerder(testRegistry())}
	h := NewHandler(Options{Herder: ch, Loggers: l})
	runSteps(t, h, []step{
		{"put cluster", "PUT", "/admin/loggers/org.foo?scope=CLUSTER", `{"level":"debug"}`, "", 204, "", "", ""},
		{"not set locally", "GET", "/admin/loggers/org.foo", "", "", 404, js, `{"error_code":404,"message":"Logger org.foo not found."}`, ""},
		{"invalid level", "PUT", "/admin/loggers/org.foo?scope=cluster", `{"level":"LOUD"}`, "", 404, js, `{"error_code":404,"message":"invalid log level 'LOUD'."}`, ""},
	})
	if !slices.Equal(ch.got, []string{"org.foo=debug"}) {
		t.Errorf("published %v, want [org.foo=debug]", ch.got)
	}
}

func TestListenAddr(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"http://:8083", ":8083", false},
		{"https://h:1, http://0.0.0.0:9", "0.0.0.0:9", false},
		{"https://h:1", "", true},
	}
	for _, tt := range tests {
		got, err := listenAddr(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("listenAddr(%q) = %q, %v", tt.in, got, err)
		}
	}
}
