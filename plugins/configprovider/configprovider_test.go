package configprovider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/javaprops"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func configured(t *testing.T, p connect.ConfigProvider, props map[string]string) connect.ConfigProvider {
	t.Helper()
	if err := p.Configure(props); err != nil {
		t.Fatalf("Configure(%v): %v", props, err)
	}
	return p
}

func get(t *testing.T, p connect.ConfigProvider, path string, keys ...string) map[string]string {
	t.Helper()
	cd, err := p.Get(context.Background(), path, keys)
	if err != nil {
		t.Fatalf("Get(%q, %v): %v", path, keys, err)
	}
	if cd.TTL != nil {
		t.Errorf("Get(%q) TTL = %v, want none", path, *cd.TTL)
	}
	return cd.Data
}

func TestFileGet(t *testing.T) {
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.properties")
	write(t, secrets, "# db\ndb.user = admin\ndb.password=s3cr\\\n  et\nempty=\n")
	p := configured(t, &File{}, map[string]string{})

	got := get(t, p, secrets, "db.password", "db.user", "empty", "missing")
	want := map[string]string{"db.user": "admin", "db.password": "s3cret", "empty": ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	if got := get(t, p, "", "db.user"); len(got) != 0 {
		t.Errorf("Get with empty path = %v, want no data", got)
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.properties")
	latin1 := filepath.Join(dir, "latin1.properties")
	write(t, latin1, "k=caf\xe9\n")
	badEscape := filepath.Join(dir, "escape.properties")
	write(t, badEscape, "k=\\u12\n")
	p := configured(t, &File{}, nil)
	for _, path := range []string{missing, latin1, badEscape} {
		_, err := p.Get(context.Background(), path, []string{"k"})
		want := "Could not read properties from file " + path
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Get(%s) error = %v, want prefix %q", path, err, want)
		}
	}
	if _, err := (&File{}).Get(context.Background(), missing, []string{"k"}); err == nil || err.Error() != "The provider has not been configured yet." {
		t.Errorf("Get before Configure error = %v", err)
	}
}

func TestAllowedPaths(t *testing.T) {
	root := t.TempDir()
	allowed := filepath.Join(root, "allowed")
	other := filepath.Join(root, "allowed-not")
	write(t, filepath.Join(allowed, "a.properties"), "k=inside\n")
	write(t, filepath.Join(other, "b.properties"), "k=outside\n")
	write(t, filepath.Join(allowed, "sub", "k"), "dir-inside")
	write(t, filepath.Join(other, "k"), "dir-outside")

	// A trailing comma is dropped by Java's String.split.
	params := map[string]string{AllowedPathsConfig: allowed + ","}
	f := configured(t, &File{}, params)
	d := configured(t, &Directory{}, params)
	for _, tc := range []struct {
		p    connect.ConfigProvider
		path string
		want map[string]string
	}{
		{f, filepath.Join(allowed, "a.properties"), map[string]string{"k": "inside"}},
		{f, filepath.Join(other, "b.properties"), map[string]string{}},
		{f, filepath.Join(allowed, "..", "allowed-not", "b.properties"), map[string]string{}},
		{f, "allowed/a.properties", map[string]string{}}, // relative: never under an absolute dir
		{d, filepath.Join(allowed, "sub"), map[string]string{"k": "dir-inside"}},
		{d, other, map[string]string{}},
		{d, filepath.Join(allowed, "sub", "..", "..", "allowed-not"), map[string]string{}},
	} {
		if diff := cmp.Diff(tc.want, get(t, tc.p, tc.path, "k")); diff != "" {
			t.Errorf("%T.Get(%s) (-want +got):\n%s", tc.p, tc.path, diff)
		}
	}

	for _, tc := range []struct{ value, want string }{
		{"relative/dir", "Path relative/dir is not absolute"},
		{allowed + ", " + other, "Path  " + other + " is not absolute"}, // entries are not trimmed
		{allowed + ",," + other, "Path  is not absolute"},
		{filepath.Join(root, "missing"), "Path " + filepath.Join(root, "missing") + " does not exist"},
		{root + "/x/../missing", "Path " + filepath.Join(root, "missing") + " does not exist"},
	} {
		for _, p := range []connect.ConfigProvider{&File{}, &Directory{}} {
			err := p.Configure(map[string]string{AllowedPathsConfig: tc.value})
			if err == nil || err.Error() != tc.want {
				t.Errorf("%T.Configure(allowed.paths=%q) error = %v, want %q", p, tc.value, err, tc.want)
			}
		}
	}
}

func TestDirectoryGet(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "password"), "hunter2\n")
	write(t, filepath.Join(dir, "binary"), "a\xffb")
	write(t, filepath.Join(dir, "other"), "not asked for")
	if err := os.Mkdir(filepath.Join(dir, "subdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "password"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	p := configured(t, &Directory{}, map[string]string{})

	got := get(t, p, dir, "binary", "link", "missing", "password", "subdir")
	want := map[string]string{
		"password": "hunter2\n", // whole content, newline included, as Java
		"link":     "hunter2\n", // symbolic links are followed, as Files.isRegularFile
		"binary":   "a\uFFFDb",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	for _, path := range []string{"", filepath.Join(dir, "password"), filepath.Join(dir, "missing")} {
		if got := get(t, p, path, "password"); len(got) != 0 {
			t.Errorf("Get(%q) = %v, want no data", path, got)
		}
	}
}

func TestEnvVar(t *testing.T) {
	env := map[string]string{"DB_PASSWORD": "pw", "DB_USER": "u", "AWS_SECRET": "aws", "XDB_PASSWORD": "x"}
	for _, tc := range []struct {
		name   string
		params map[string]string
		want   map[string]string
	}{
		{"default allows all", map[string]string{}, map[string]string{"DB_PASSWORD": "pw", "DB_USER": "u", "AWS_SECRET": "aws", "XDB_PASSWORD": "x"}},
		{"whole name must match", map[string]string{AllowlistPatternConfig: "DB_.*"}, map[string]string{"DB_PASSWORD": "pw", "DB_USER": "u"}},
		{"alternation", map[string]string{AllowlistPatternConfig: "DB_USER|AWS_SECRET"}, map[string]string{"DB_USER": "u", "AWS_SECRET": "aws"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := configured(t, &EnvVar{Env: env}, tc.params)
			got := get(t, p, "", "AWS_SECRET", "DB_PASSWORD", "DB_USER", "MISSING", "XDB_PASSWORD")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Get (-want +got):\n%s", diff)
			}
		})
	}

	p := configured(t, &EnvVar{Env: env}, nil)
	_, err := p.Get(context.Background(), "/some/path", []string{"DB_USER"})
	if want := "Path is not supported for EnvVarConfigProvider, invalid value '/some/path'"; err == nil || err.Error() != want {
		t.Errorf("Get with a path error = %v, want %q", err, want)
	}
	if err := (&EnvVar{Env: env}).Configure(map[string]string{AllowlistPatternConfig: "(?=DB).*"}); err == nil {
		t.Error("Configure with a lookahead pattern: want an error, got nil")
	}

	t.Setenv("GOCONNECT_TEST_ENV_PROVIDER", "from-process")
	p = configured(t, &EnvVar{}, map[string]string{AllowlistPatternConfig: "GOCONNECT_TEST_.*"})
	if diff := cmp.Diff(map[string]string{"GOCONNECT_TEST_ENV_PROVIDER": "from-process"}, get(t, p, "", "GOCONNECT_TEST_ENV_PROVIDER", "HOME")); diff != "" {
		t.Errorf("Get from the process environment (-want +got):\n%s", diff)
	}
}

func TestParseProperties(t *testing.T) {
	in := "! comment\n  # comment \\\nkey1 value1\nkey2:value2\nkey3 = value3 \n" +
		"multi = a,\\\n    b,\\\r\n    c\nesc\\=aped\\ key = \\t\\u0041\\\\\nsurrogate=\\uD83D\\uDE00\n" +
		"dup=1\ndup=2\nonlykey\n"
	got, err := javaprops.Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"key1": "value1", "key2": "value2", "key3": "value3 ",
		"multi": "a,b,c", "esc=aped key": "\tA\\", "surrogate": "😀",
		"dup": "2", "onlykey": "",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("javaprops.Parse (-want +got):\n%s", diff)
	}
}

func TestProvidersTable(t *testing.T) {
	ps := Providers()
	for _, class := range []string{FileClass, DirectoryClass, EnvVarClass} {
		ctor, ok := ps[class]
		if !ok || ctor() == nil {
			t.Errorf("Providers()[%s] missing", class)
		}
	}
	if len(ps) != 3 {
		t.Errorf("Providers() has %d rows, want 3", len(ps))
	}
}
