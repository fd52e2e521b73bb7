package configtransform

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/plugins/configprovider"
)

// fake is a ConfigProvider over a fixed table, recording its calls.
type fake struct {
	data       map[string]map[string]string // path -> key -> value
	ttl        map[string]time.Duration
	err        error
	calls      []string
	configured map[string]string
	closed     bool
}

func (f *fake) Configure(props map[string]string) error { f.configured = props; return nil }
func (f *fake) Close() error                            { f.closed = true; return nil }
func (f *fake) Get(_ context.Context, path string, keys []string) (connect.ConfigData, error) {
	f.calls = append(f.calls, path+"|"+strings.Join(keys, ","))
	if f.err != nil {
		return connect.ConfigData{}, f.err
	}
	cd := connect.ConfigData{Data: map[string]string{}}
	for _, k := range keys {
		if v, ok := f.data[path][k]; ok {
			cd.Data[k] = v
		}
	}
	if ttl, ok := f.ttl[path]; ok {
		cd.TTL = &ttl
	}
	return cd, nil
}

func TestPattern(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []reference
	}{
		{"${file:/etc/s.properties:db.password}", []reference{{"file", "/etc/s.properties", "db.password"}}},
		{"${env:HOME}", []reference{{"env", "", "HOME"}}},
		{"${p:a:b:c}", []reference{{"p", "a", "b:c"}}},
		{"${p::k}", []reference{{"p", "", "k"}}},
		{"x${a:k1}y${b:p:k2}z", []reference{{"a", "", "k1"}, {"b", "p", "k2"}}},
		{"${nocolon}", nil},
		{"${a:${b:c}}", []reference{{"a", "${b", "c"}}}, // no nesting: only '}' ends a part, as in Java
		{"$${a:k}", []reference{{"a", "", "k"}}},
		{"${a:k", nil},
	} {
		if diff := cmp.Diff(tc.want, references(tc.in), cmp.AllowUnexported(reference{})); diff != "" {
			t.Errorf("references(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestTransform(t *testing.T) {
	file := &fake{
		data: map[string]map[string]string{
			"/s.properties": {"user": "admin", "password": "s3cret"},
			"/other":        {"k": "v"},
		},
		ttl: map[string]time.Duration{"/other": time.Minute, "/s.properties": -time.Second},
	}
	env := &fake{data: map[string]map[string]string{"": {"HOST": "db.local"}}}
	tr := New(map[string]connect.ConfigProvider{"file": file, "env": env, "declared": nil})

	in := map[string]string{
		"connection.url":      "jdbc:postgresql://${env:HOST}:5432/db?user=${file:/s.properties:user}",
		"connection.password": "${file:/s.properties:password}",
		"other":               "${file:/other:k}",
		"missing.key":         "${file:/s.properties:nope}",
		"unknown.provider":    "${vault:/x:y}",
		"declared.no.class":   "${declared:k}",
		"mixed":               "${file:/s.properties:nope}-${file:/s.properties:user}",
		"plain":               "value",
	}
	got, err := tr.Transform(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Data: map[string]string{
			"connection.url":      "jdbc:postgresql://db.local:5432/db?user=admin",
			"connection.password": "s3cret",
			"other":               "v",
			"missing.key":         "${file:/s.properties:nope}",
			"unknown.provider":    "${vault:/x:y}",
			"declared.no.class":   "${declared:k}",
			"mixed":               "${file:/s.properties:nope}-admin",
			"plain":               "value",
		},
		// A negative TTL is ignored, as in Java.
		TTLs: map[string]time.Duration{"/other": time.Minute},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Result{})); diff != "" {
		t.Errorf("Transform (-want +got):\n%s", diff)
	}
	// One call per provider and path, with every key wanted there, sorted.
	if diff := cmp.Diff([]string{"/other|k", "/s.properties|nope,password,user"}, file.calls); diff != "" {
		t.Errorf("file provider calls (-want +got):\n%s", diff)
	}
	if in["connection.password"] != "${file:/s.properties:password}" {
		t.Error("Transform modified its input")
	}

	if got, err := (*Transformer)(nil).Transform(context.Background(), in); err != nil || !cmp.Equal(got.Data, in) {
		t.Errorf("nil Transformer: got %v, %v; want the input unchanged", got.Data, err)
	}
}

func TestRedact(t *testing.T) {
	tr := New(map[string]connect.ConfigProvider{"f": &fake{data: map[string]map[string]string{
		"/s": {"pw": "s3cret", "long": "s3cret-and-more", "empty": ""},
	}}})
	res, err := tr.Transform(context.Background(), map[string]string{
		"a": "${f:/s:pw}", "b": "x${f:/s:long}", "c": "${f:/s:empty}", "d": "${f:/s:missing}",
	})
	if err != nil {
		t.Fatal(err)
	}
	in := `Invalid value xs3cret-and-more for configuration b; password s3cret rejected`
	want := `Invalid value x${f:/s:long} for configuration b; password ${f:/s:pw} rejected`
	if got := res.Redact(in); got != want {
		t.Errorf("Redact =\n  %s\nwant\n  %s", got, want)
	}
}

func TestTransformError(t *testing.T) {
	cause := errors.New("Could not read properties from file /nope")
	tr := New(map[string]connect.ConfigProvider{"file": &fake{err: cause}})
	_, err := tr.Transform(context.Background(), map[string]string{"k": "${file:/nope:x}"})
	var pe *ProviderError
	if !errors.As(err, &pe) || pe.Provider != "file" || pe.Path != "/nope" || !errors.Is(err, cause) || err.Error() != cause.Error() {
		t.Errorf("Transform error = %#v, want a ProviderError for file /nope with the provider's message", err)
	}
}

func TestRestarts(t *testing.T) {
	r := Result{TTLs: map[string]time.Duration{"/p": time.Second}}
	for _, tc := range []struct {
		action *string
		want   map[string]time.Duration
	}{
		{nil, map[string]time.Duration{"/p": time.Second}},
		{ptr("restart"), map[string]time.Duration{"/p": time.Second}},
		{ptr("RESTART"), map[string]time.Duration{"/p": time.Second}},
		{ptr("none"), nil},
	} {
		cfg := map[string]string{}
		if tc.action != nil {
			cfg[ConfigActionReload] = *tc.action
		}
		if diff := cmp.Diff(tc.want, r.Restarts(cfg)); diff != "" {
			t.Errorf("Restarts(%v) (-want +got):\n%s", cfg, diff)
		}
	}
	if got := (Result{}).Restarts(nil); got != nil {
		t.Errorf("Restarts without TTLs = %v, want nil", got)
	}
}

func ptr(s string) *string { return &s }

func TestReverseTransform(t *testing.T) {
	raw := map[string]string{
		"connector.class":     "JdbcSink",
		"connection.password": "${file:/s.properties:password}",
		"connection.url":      "jdbc:postgresql://${env:HOST}/db",
		"unresolvable":        "${vault:x}",
		"topics":              "t",
	}
	tasks := []map[string]string{
		{"connection.password": "s3cret", "connection.url": "jdbc:postgresql://db.local/db", "topics": "t", "task.class": "X"},
		{"topics": "t"},
		nil,
	}
	want := []map[string]string{
		{"connection.password": "${file:/s.properties:password}", "connection.url": "jdbc:postgresql://${env:HOST}/db", "topics": "t", "task.class": "X"},
		{"topics": "t"},
		{},
	}
	got := ReverseTransform(raw, tasks)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReverseTransform (-want +got):\n%s", diff)
	}
	if tasks[0]["connection.password"] != "s3cret" {
		t.Error("ReverseTransform modified its input")
	}
}

func TestFromWorker(t *testing.T) {
	dir := t.TempDir()
	secrets := filepath.Join(dir, "worker.properties")
	if err := os.WriteFile(secrets, []byte("sasl.password=kafka-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCONNECT_TEST_ALLOWED", dir)
	props := map[string]string{
		"config.providers":                             " file , env,nocls,",
		"config.providers.file.class":                  "FileConfigProvider",
		"config.providers.env.class":                   "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
		"config.providers.env.param.allowlist.pattern": "GOCONNECT_TEST_.*",
		"config.providers.file.param.allowed.paths":    dir,
		"sasl.jaas.config":                             "password=\"${file:" + secrets + ":sasl.password}\"",
		"plugin.path":                                  "${env:GOCONNECT_TEST_ALLOWED}/plugins",
		"allowed":                                      "${env:GOCONNECT_TEST_ALLOWED}",
		"other":                                        "${nocls:k}",
	}
	var logs bytes.Buffer
	w, err := FromWorker(context.Background(), props, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Transformer.Close()
	if !strings.Contains(logs.String(), "plugin.path") || strings.Contains(logs.String(), "kafka-pw") || strings.Contains(logs.String(), dir+"/plugins") {
		t.Errorf("logs = %q; want the plugin.path warning with the raw value only", logs.String())
	}
	for k, want := range map[string]string{
		"sasl.jaas.config": `password="kafka-pw"`,
		"plugin.path":      "${env:GOCONNECT_TEST_ALLOWED}/plugins",
		"other":            "${nocls:k}",
		"allowed":          dir,
	} {
		if got := w.Props[k]; got != want {
			t.Errorf("Props[%s] = %q, want %q", k, got, want)
		}
	}

	// Round two: the kept file provider enforces the resolved allowed.paths.
	outside := filepath.Join(t.TempDir(), "x.properties")
	if err := os.WriteFile(outside, []byte("k=v\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := w.Transformer.Transform(context.Background(), map[string]string{
		"in":  "${file:" + secrets + ":sasl.password}",
		"out": "${file:" + outside + ":k}",
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"in": "kafka-pw", "out": "${file:" + outside + ":k}"}, res.Data); diff != "" {
		t.Errorf("connector Transform (-want +got):\n%s", diff)
	}
}

func TestFromWorkerErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props map[string]string
		want  string
	}{
		{"unknown class", map[string]string{
			"config.providers": "vault", "config.providers.vault.class": "com.example.VaultConfigProvider",
		}, "Invalid value com.example.VaultConfigProvider for configuration config.providers.vault.class: Could not load config provider class or one of its dependencies"},
		{"configure fails", map[string]string{
			"config.providers": "file", "config.providers.file.class": "File",
			"config.providers.file.param.allowed.paths": "relative",
		}, "Path relative is not absolute"},
		// Round one configures providers with raw params, as Java's AbstractConfig
		// does, so a param that File validates cannot come from another provider.
		{"param from a provider", map[string]string{
			"config.providers": "file,env", "config.providers.file.class": "File", "config.providers.env.class": "EnvVar",
			"config.providers.file.param.allowed.paths": "${env:HOME}",
		}, "Path ${env:HOME} is not absolute"},
		{"get fails", map[string]string{
			"config.providers": "env", "config.providers.env.class": "EnvVar",
			"x": "${env:/path:HOME}",
		}, "resolve worker config: Path is not supported for EnvVarConfigProvider, invalid value '/path'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromWorker(context.Background(), tc.props, Options{})
			if err == nil || err.Error() != tc.want {
				t.Errorf("FromWorker error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestFromWorkerClosesFirstRound(t *testing.T) {
	var made []*fake
	newProvider := func(class string) (connect.ConfigProvider, bool) {
		f := &fake{data: map[string]map[string]string{"": {"k": "v"}}}
		made = append(made, f)
		return f, class == "Fake"
	}
	w, err := FromWorker(context.Background(), map[string]string{
		"config.providers":             "f",
		"config.providers.f.class":     "Fake",
		"config.providers.f.param.a.b": "${f:k}",
		"config.providers.f.param.":    "ignored: empty name",
	}, Options{NewProvider: newProvider})
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 2 || !made[0].closed || made[1].closed {
		t.Fatalf("providers made %d, closed %v/%v; want 2, the first closed", len(made), made[0].closed, made[1].closed)
	}
	if diff := cmp.Diff(map[string]string{"a.b": "${f:k}"}, made[0].configured); diff != "" {
		t.Errorf("round one params (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"a.b": "v"}, made[1].configured); diff != "" {
		t.Errorf("round two params (-want +got):\n%s", diff)
	}
	if err := w.Transformer.Close(); err != nil || !made[1].closed {
		t.Errorf("Close: %v, closed %v", err, made[1].closed)
	}
}

func TestBuiltinProviderAliases(t *testing.T) {
	for class, want := range map[string]string{
		configprovider.FileClass:      "*configprovider.File",
		"FileConfigProvider":          "*configprovider.File",
		"File":                        "*configprovider.File",
		configprovider.DirectoryClass: "*configprovider.Directory",
		"DirectoryConfigProvider":     "*configprovider.Directory",
		"Directory":                   "*configprovider.Directory",
		configprovider.EnvVarClass:    "*configprovider.EnvVar",
		"EnvVarConfigProvider":        "*configprovider.EnvVar",
		"EnvVar":                      "*configprovider.EnvVar",
	} {
		p, ok := BuiltinProvider(class)
		if !ok || typeName(p) != want {
			t.Errorf("BuiltinProvider(%q) = %T, %v; want %s", class, p, ok, want)
		}
	}
	for _, class := range []string{"file", "env", "FileConfig", "org.apache.kafka.common.config.provider.File"} {
		if p, ok := BuiltinProvider(class); ok {
			t.Errorf("BuiltinProvider(%q) = %T, want no match (Java has no such alias)", class, p)
		}
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *configprovider.File:
		return "*configprovider.File"
	case *configprovider.Directory:
		return "*configprovider.Directory"
	case *configprovider.EnvVar:
		return "*configprovider.EnvVar"
	}
	return "?"
}
