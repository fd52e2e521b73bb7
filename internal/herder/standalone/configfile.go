package standalone

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goconnect/goconnect/internal/herder"
)

// configFile is the goconnect extension config.storage.file.filename: connector
// configs (as submitted) and target states, rewritten atomically (temp file, fsync,
// rename, fsync of the directory) on every change, so a crash leaves either the old
// or the new file. Task configs are not stored: they are regenerated at start-up,
// as they would be after any connector restart.
//
// Format (JSON, versioned so it can evolve):
//
//	{"version":1,"connectors":{"<name>":{"config":{...},"target_state":"STARTED"}}}
type configFile struct {
	path string
}

type fileContents struct {
	Version    int                      `json:"version"`
	Connectors map[string]fileConnector `json:"connectors"`
}

type fileConnector struct {
	Config      map[string]string  `json:"config"`
	TargetState herder.TargetState `json:"target_state"`
}

// load reads the file; a missing or empty file holds no connectors.
func (f *configFile) load() (map[string]fileConnector, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(b) == 0) {
		return map[string]fileConnector{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read connector config file: %w", err)
	}
	var c fileContents
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse connector config file %s: %w", f.path, err)
	}
	if c.Version != 1 {
		return nil, fmt.Errorf("parse connector config file %s: unsupported version %d", f.path, c.Version)
	}
	if c.Connectors == nil {
		c.Connectors = map[string]fileConnector{}
	}
	for name, fc := range c.Connectors {
		switch fc.TargetState {
		case herder.TargetStarted, herder.TargetPaused, herder.TargetStopped:
		case "":
			fc.TargetState = herder.TargetStarted
			c.Connectors[name] = fc
		default:
			return nil, fmt.Errorf("parse connector config file %s: connector %s: unknown target state %q", f.path, name, fc.TargetState)
		}
	}
	return c.Connectors, nil
}

// save replaces the file with conns.
func (f *configFile) save(conns map[string]fileConnector) error {
	b, err := json.MarshalIndent(fileContents{Version: 1, Connectors: conns}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode connector config file: %w", err)
	}
	dir := filepath.Dir(f.path)
	tmp, err := os.CreateTemp(dir, filepath.Base(f.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write connector config file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write connector config file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync connector config file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write connector config file: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("replace connector config file: %w", err)
	}
	// The rename is durable only once the directory entry is.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
