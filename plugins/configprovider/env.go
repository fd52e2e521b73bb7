package configprovider

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/plugins/transform/javaregex"
)

// EnvVar is org.apache.kafka.common.config.provider.EnvVarConfigProvider (KIP-887):
// the key of a reference is an environment variable of the worker process
// (${env:DB_PASSWORD}); a reference must not have a path. allowlist.pattern, a Java
// regular expression matched against the whole variable name, limits which
// variables are visible (default ".*": all of them), so a connector config cannot
// read, say, AWS_SECRET_ACCESS_KEY unless the operator allows it.
type EnvVar struct {
	// Env, when set, replaces the process environment (tests). It is read once, by
	// Configure, as Java reads System.getenv() once.
	Env map[string]string
	// Logger receives the note that no pattern was given; nil means slog.Default().
	Logger *slog.Logger

	visible map[string]string // nil until Configure
}

var _ connect.ConfigProvider = (*EnvVar)(nil)

// Configure compiles allowlist.pattern and takes the snapshot of the environment
// variables it allows. A pattern Go cannot run as Java would (lookaround,
// backreferences, ...) is an error rather than a different match.
func (e *EnvVar) Configure(props map[string]string) error {
	pattern, ok := props[AllowlistPatternConfig]
	if !ok {
		pattern = ".*"
		logger(e.Logger).Info("No pattern for environment variables provided. Using default pattern '(.*)'.")
	}
	re, err := javaregex.Compile(pattern)
	if err != nil {
		return fmt.Errorf("invalid %s: %w", AllowlistPatternConfig, err)
	}
	env := e.Env
	if env == nil {
		env = map[string]string{}
		for _, kv := range os.Environ() {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
	}
	e.visible = map[string]string{}
	for k, v := range env {
		if re.Matches(k) {
			e.visible[k] = v
		}
	}
	return nil
}

// Get returns the allowed environment variables named by keys. A non-empty path is
// an error, as in Java.
func (e *EnvVar) Get(_ context.Context, path string, keys []string) (connect.ConfigData, error) {
	if path != "" {
		return connect.ConfigData{}, fmt.Errorf("Path is not supported for EnvVarConfigProvider, invalid value '%s'", path)
	}
	if e.visible == nil {
		return connect.ConfigData{}, errNotConfigured
	}
	data := map[string]string{}
	for _, k := range keys {
		if v, ok := e.visible[k]; ok {
			data[k] = v
		}
	}
	return connect.ConfigData{Data: data}, nil
}

// Close does nothing.
func (e *EnvVar) Close() error { return nil }
