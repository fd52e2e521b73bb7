package plugin

import "testing"

// Test hooks for the external test package (e2e_test.go), which cannot be an
// internal test: internal/app will import this package once plugin.path is
// wired, and an internal test importing internal/app would then be a cycle.

// InstallExample installs the built example plugin into pluginPath/name.
func InstallExample(t testing.TB, pluginPath, name string) string {
	return installPlugin(t, pluginPath, name, nil)
}

// TaskPIDs returns the pids of the task processes of class.
func (h *Host) TaskPIDs(class string) []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []int
	for p := range h.procs {
		if p.e.class == class && p.what == "task" && p.cmd != nil {
			out = append(out, p.cmd.Process.Pid)
		}
	}
	return out
}

// WithRecordPathBuild makes the worker offer its record path as if built from
// build (tests: a different build makes the plugin decline the offer).
func WithRecordPathBuild(cfg Config, build string) Config {
	cfg.build = build
	return cfg
}

// LogBuffer collects a logger's output across goroutines.
type LogBuffer = logBuffer
