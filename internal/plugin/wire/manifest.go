package wire

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
)

// ManifestFile is the manifest's file name, next to the plugin executable.
const ManifestFile = "goconnect-plugin.json"

// ManifestVersion is the manifest format version this build reads and writes.
const ManifestVersion = 1

// Manifest describes a plugin folder without running anything in it, so
// discovery of many plugins stays cheap (issue 7: 100 plugins in ≤ 1 s).
// pluginsdk writes it: `./my-plugin --goconnect-manifest > goconnect-plugin.json`.
type Manifest struct {
	ManifestVersion int `json:"manifest_version"`
	// Executable is the file name of the executable, relative to the manifest's folder.
	Executable string `json:"executable"`
	// ProtocolVersions are the protocol versions the executable speaks.
	ProtocolVersions []int           `json:"protocol_versions"`
	Plugins          []ManifestEntry `json:"plugins"`
}

// ManifestEntry is one plugin class served by the executable.
type ManifestEntry struct {
	// Class is the fully qualified class name users put in connector.class.
	Class string `json:"class"`
	// Type is "source" or "sink".
	Type    string   `json:"type"`
	Version string   `json:"version,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
	// TaskClass is written as task.class in task configs.
	TaskClass string `json:"task_class,omitempty"`
}

// Kinds of ManifestEntry.Type.
const (
	TypeSource = "source"
	TypeSink   = "sink"
)

var classRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*([.$][A-Za-z_$][A-Za-z0-9_$]*)*$`)

// ParseManifest parses and validates a manifest.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse manifest: %w", err)
	}
	return &m, m.validate()
}

func (m *Manifest) validate() error {
	if m.ManifestVersion != ManifestVersion {
		return fmt.Errorf("manifest_version %d is not supported (this worker reads %d)", m.ManifestVersion, ManifestVersion)
	}
	if m.Executable == "" || m.Executable != cleanBase(m.Executable) {
		return fmt.Errorf("executable %q must be a file name in the manifest's folder", m.Executable)
	}
	if len(m.ProtocolVersions) == 0 {
		return fmt.Errorf("protocol_versions is empty")
	}
	if len(m.Plugins) == 0 {
		return fmt.Errorf("plugins is empty")
	}
	var seen []string
	for _, p := range m.Plugins {
		if !classRE.MatchString(p.Class) {
			return fmt.Errorf("class %q is not a valid class name", p.Class)
		}
		if p.Type != TypeSource && p.Type != TypeSink {
			return fmt.Errorf("class %s has type %q, want source or sink", p.Class, p.Type)
		}
		if slices.Contains(seen, p.Class) {
			return fmt.Errorf("class %s is listed twice", p.Class)
		}
		seen = append(seen, p.Class)
	}
	return nil
}

func cleanBase(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' || s[i] == '\\' {
			return ""
		}
	}
	if s == "." || s == ".." {
		return ""
	}
	return s
}
