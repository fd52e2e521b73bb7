package configprovider

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"unicode/utf8"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/javaprops"
)

// File is org.apache.kafka.common.config.provider.FileConfigProvider: the path of a
// reference is a Java properties file, the key a property in it
// (${file:/etc/secrets/db.properties:password}).
type File struct {
	// Logger receives the warning for a refused path; nil means slog.Default().
	Logger *slog.Logger

	allowed *allowedPaths // nil until Configure
}

var _ connect.ConfigProvider = (*File)(nil)

// Configure reads allowed.paths.
func (f *File) Configure(props map[string]string) error {
	a, err := parseAllowedPaths(props[AllowedPathsConfig])
	if err != nil {
		return err
	}
	f.allowed = a
	return nil
}

// Get reads the properties file at path and returns the requested keys found in
// it. An empty path gives no data; a path outside allowed.paths gives no data and a
// warning (the references stay unresolved); a file that cannot be read or parsed is
// an error.
func (f *File) Get(ctx context.Context, path string, keys []string) (connect.ConfigData, error) {
	if f.allowed == nil {
		return connect.ConfigData{}, errNotConfigured
	}
	data := map[string]string{}
	if path == "" {
		return connect.ConfigData{Data: data}, nil
	}
	p, ok := f.allowed.parseUntrusted(path)
	if !ok {
		logger(f.Logger).Warn("The path is not allowed to be accessed", "path", path)
		return connect.ConfigData{Data: data}, nil
	}
	if err := ctx.Err(); err != nil {
		return connect.ConfigData{}, err
	}
	props, err := readProperties(p)
	if err != nil {
		// Java's text first (users and scripts match on it), then the cause, which
		// Java only logs: paths and OS errors, never file content.
		return connect.ConfigData{}, fmt.Errorf("Could not read properties from file %s: %w", path, err)
	}
	for _, k := range keys {
		if v, ok := props[k]; ok {
			data[k] = v
		}
	}
	return connect.ConfigData{Data: data}, nil
}

// Close does nothing: File holds no resources between calls.
func (f *File) Close() error { return nil }

// readProperties parses a properties file as Java's FileConfigProvider does: the
// file must be UTF-8 (Files.newBufferedReader), unlike worker properties files,
// which Java reads as ISO-8859-1.
func readProperties(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(b) {
		return nil, errMalformedInput
	}
	return javaprops.Parse(b)
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
