package configprovider

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"unicode/utf8"

	"github.com/goconnect/goconnect/api/connect"
)

// Directory is org.apache.kafka.common.config.provider.DirectoryConfigProvider
// (KIP-632): the path of a reference is a directory, the key the name of a regular
// file in it, the value that file's whole content
// (${directory:/run/secrets:db-password}). It suits Kubernetes and Docker secret
// mounts, one file per secret. Content is not trimmed: a trailing newline in the
// file is part of the value, as in Java.
type Directory struct {
	// Logger receives the warnings for a refused path or a path that is not a
	// directory; nil means slog.Default().
	Logger *slog.Logger

	allowed *allowedPaths // nil until Configure
}

var _ connect.ConfigProvider = (*Directory)(nil)

// Configure reads allowed.paths.
func (d *Directory) Configure(props map[string]string) error {
	a, err := parseAllowedPaths(props[AllowedPathsConfig])
	if err != nil {
		return err
	}
	d.allowed = a
	return nil
}

// Get returns the content of the regular files in directory path whose names are
// among keys. Other entries (subdirectories, sockets, ...) are ignored; symbolic
// links count as the file they point to, as Java's Files.isRegularFile follows them.
// An empty path gives no data; a refused path or one that is not a directory gives
// no data and a warning; a directory that cannot be listed or a file that cannot be
// read is an error.
func (d *Directory) Get(ctx context.Context, path string, keys []string) (connect.ConfigData, error) {
	if d.allowed == nil {
		return connect.ConfigData{}, errNotConfigured
	}
	data := map[string]string{}
	if path == "" {
		return connect.ConfigData{Data: data}, nil
	}
	dir, ok := d.allowed.parseUntrusted(path)
	if !ok {
		logger(d.Logger).Warn("The path is not allowed to be accessed", "path", path)
		return connect.ConfigData{Data: data}, nil
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		logger(d.Logger).Warn("The path is not a directory", "path", path)
		return connect.ConfigData{Data: data}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return connect.ConfigData{}, fmt.Errorf("Could not list directory %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !slices.Contains(keys, name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return connect.ConfigData{}, err
		}
		file := filepath.Join(dir, name)
		if fi, err := os.Stat(file); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return connect.ConfigData{}, fmt.Errorf("Could not read file %s for property %s: %w", file, name, err)
		}
		data[name] = decodeUTF8(b)
	}
	return connect.ConfigData{Data: data}, nil
}

// Close does nothing: Directory holds no resources between calls.
func (d *Directory) Close() error { return nil }

// decodeUTF8 is Java's new String(bytes, UTF_8): invalid bytes become U+FFFD
// instead of failing, so a binary file still yields a (mangled) value as in Java.
func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]rune, 0, len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		out = append(out, r) // RuneError for each invalid byte
		b = b[n:]
	}
	return string(out)
}
