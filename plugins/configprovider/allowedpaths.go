package configprovider

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// allowedPaths is Java's org.apache.kafka.common.config.internals.AllowedPaths
// (KIP-993): the directories a File or Directory provider may read under. A nil
// list allows every path.
type allowedPaths struct {
	dirs []string // cleaned absolute paths
}

// parseAllowedPaths reads an allowed.paths value. Each comma-separated entry must
// be an absolute path that exists; entries are not trimmed, as in Java, so
// "/a, /b" is refused (" /b" is not absolute) rather than silently widened.
func parseAllowedPaths(value string) (*allowedPaths, error) {
	if value == "" {
		return &allowedPaths{}, nil
	}
	var dirs []string
	for _, entry := range javaSplit(value, ",") {
		p := normalize(entry)
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("Path %s is not absolute", p)
		}
		if _, err := os.Stat(p); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("Path %s does not exist", p)
			}
			// Java's Files.exists answers false for any failure to stat.
			return nil, fmt.Errorf("Path %s does not exist: %w", p, err)
		}
		dirs = append(dirs, p)
	}
	return &allowedPaths{dirs: dirs}, nil
}

// parseUntrusted returns the path to open for a user-supplied path, or ok=false if
// it lies outside every allowed directory. The check is on the lexically normalized
// path (so "/allowed/../etc/passwd" is refused) and compares whole path elements
// (so "/allowed-not" is not under "/allowed"), as java.nio.file.Path.startsWith
// does. Like Java, it does not resolve symbolic links.
func (a *allowedPaths) parseUntrusted(path string) (string, bool) {
	if a.dirs == nil {
		return path, true
	}
	p := normalize(path)
	for _, d := range a.dirs {
		if within(p, d) {
			return p, true
		}
	}
	return "", false
}

// within reports whether p is base or lies under it, element by element.
func within(p, base string) bool {
	if p == base {
		return true
	}
	if !strings.HasSuffix(base, string(filepath.Separator)) {
		base += string(filepath.Separator)
	}
	return strings.HasPrefix(p, base)
}

// normalize is java.nio.file.Path.normalize: filepath.Clean, except that the empty
// path stays empty (Clean would make it ".").
func normalize(p string) string {
	if p == "" {
		return ""
	}
	return filepath.Clean(p)
}

// javaSplit is Java's String.split with a literal separator: trailing empty strings
// are dropped.
func javaSplit(s, sep string) []string {
	parts := strings.Split(s, sep)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}
