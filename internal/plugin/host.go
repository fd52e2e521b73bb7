package plugin

import (
	"cmp"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
	"github.com/goconnect/goconnect/internal/plugin/wire"
	"github.com/goconnect/goconnect/internal/recordpath"
	"github.com/goconnect/goconnect/internal/registry"
)

// ErrClosed is returned when a plugin process is needed after Host.Close.
var ErrClosed = errors.New("plugin host is closed")

// Config configures a Host.
type Config struct {
	// Paths are the plugin.path entries: each is a plugin folder (it holds a
	// manifest) or a folder of plugin folders, as Java's plugin.path.
	Paths []string
	// Logger receives discovery warnings and the plugins' stderr; nil discards.
	Logger *slog.Logger
	// StartTimeout bounds a plugin's start-up until its handshake; default 10s.
	StartTimeout time.Duration
	// CallTimeout bounds every call into a plugin that has no ctx of its own
	// (Start, Stop, TaskConfigs, Flush, ...) and each Poll and Put beyond the
	// caller's ctx; a plugin that does not answer in time is considered hung,
	// its process is killed and the call fails. Default 5 minutes.
	CallTimeout time.Duration
	// StopTimeout is how long a plugin may take to exit after the worker closed
	// its stdin before it is killed; default 5s.
	StopTimeout time.Duration

	// DisablePipelining turns off the batches in flight across the boundary:
	// the read-ahead of source tasks (see sourceTaskClient.Poll) and the
	// asynchronous Put of sink tasks (see sinkTaskClient.Put). Every Poll and
	// Put then runs in the plugin only while the worker waits for it.
	DisablePipelining bool
	// Cache, when set, is reused across Hosts (a worker that rescans); nil
	// starts an empty one.
	Cache *ManifestCache

	// versions overrides the protocol versions the worker offers (tests).
	versions []int
	// build overrides recordpath.Build for the record path offer (tests, whose
	// binary carries no VCS stamp, set the plugin binary's).
	build string
}

// Host owns the external plugins found on plugin.path and every plugin process
// started for them.
type Host struct {
	cfg      Config
	log      *slog.Logger
	versions []int
	entries  []*entry
	cache    *ManifestCache

	mu     sync.Mutex // guards procs and closed
	procs  map[*process]struct{}
	closed bool
}

// entry is one plugin class of one plugin folder.
type entry struct {
	class     string
	kind      registry.Kind
	version   string
	aliases   []string
	taskClass string
	exe       string
	dir       string

	// def caches the class's config definition, fetched from a short-lived
	// process the first time Config is asked for.
	defMu sync.Mutex
	def   *config.Def
}

// Discover scans paths with default settings. It never fails: bad plugins are
// logged and skipped. Close the Host when the worker stops.
func Discover(paths []string, log *slog.Logger) *Host {
	return New(Config{Paths: paths, Logger: log})
}

// New scans cfg.Paths and returns the Host serving what it found.
func New(cfg Config) *Host {
	if cfg.Cache == nil {
		cfg.Cache = NewManifestCache()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 10 * time.Second
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 5 * time.Minute
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = 5 * time.Second
	}
	h := &Host{cfg: cfg, log: cfg.Logger, versions: cfg.versions, cache: cfg.Cache, procs: map[*process]struct{}{}}
	if h.versions == nil {
		h.versions = wire.SupportedVersions
	}
	h.entries = h.scan()
	return h
}

// Plugins returns one registry row per plugin class and version found. Rows of
// the same class are ordered newest version first, so a lookup by class name
// alone picks the newest, as Java does without connector.plugin.version.
func (h *Host) Plugins() []registry.Plugin {
	out := make([]registry.Plugin, 0, len(h.entries))
	for _, e := range h.entries {
		out = append(out, registry.Plugin{
			Class: e.class, Kind: e.kind, Version: e.version, ExtraAliases: e.aliases, TaskClass: e.taskClass,
			NewConnector: func() connect.Connector { return h.newConnector(e) },
		})
	}
	return out
}

// Close kills every plugin process still running and waits for them. Adapters
// used after Close fail with ErrClosed.
func (h *Host) Close() error {
	h.mu.Lock()
	h.closed = true
	procs := make([]*process, 0, len(h.procs))
	for p := range h.procs {
		procs = append(procs, p)
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Add(1)
		go func() { defer wg.Done(); p.close() }() // waited for below
	}
	wg.Wait()
	return nil
}

func (h *Host) track(p *process) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.procs[p] = struct{}{}
	return true
}

func (h *Host) untrack(p *process) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.procs, p)
}

// running reports how many plugin processes are alive (tests).
func (h *Host) running() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.procs)
}

// scan finds plugin folders: each path itself and its immediate subfolders.
func (h *Host) scan() []*entry {
	var dirs []string
	for _, p := range h.cfg.Paths {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			h.log.Error("skipping plugin.path entry", "path", p, "error", err)
			continue
		}
		fi, err := os.Stat(abs)
		if err != nil || !fi.IsDir() {
			h.log.Error("skipping plugin.path entry: not a readable folder", "path", abs, "error", err)
			continue
		}
		if _, err := os.Stat(filepath.Join(abs, wire.ManifestFile)); err == nil {
			dirs = append(dirs, abs)
			continue
		}
		subs, err := os.ReadDir(abs)
		if err != nil {
			h.log.Error("skipping plugin.path entry", "path", abs, "error", err)
			continue
		}
		for _, s := range subs {
			// Follow symlinks: packaging tools commonly link versioned folders.
			d := filepath.Join(abs, s.Name())
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				if _, err := os.Stat(filepath.Join(d, wire.ManifestFile)); err == nil {
					dirs = append(dirs, d)
				}
			}
		}
	}

	type key struct{ class, version string }
	seen := map[key]string{}
	var out []*entry
	for _, d := range dirs {
		m, err := h.cache.Load(filepath.Join(d, wire.ManifestFile))
		if err != nil {
			h.log.Error("skipping plugin: bad manifest", "dir", d, "error", err)
			continue
		}
		exe := filepath.Join(d, m.Executable)
		if fi, err := os.Stat(exe); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			h.log.Error("skipping plugin: executable missing or not executable", "dir", d, "executable", exe, "error", err)
			continue
		}
		if _, err := wire.Negotiate(h.versions, m.ProtocolVersions); err != nil {
			h.log.Error("skipping plugin", "dir", d, "error", err)
			continue
		}
		for _, p := range m.Plugins {
			k := key{p.Class, p.Version}
			if other, dup := seen[k]; dup {
				h.log.Warn("skipping duplicate plugin: same class and version already found", "class", p.Class, "version", p.Version, "dir", d, "kept", other)
				continue
			}
			seen[k] = d
			kind := registry.Source
			if p.Type == wire.TypeSink {
				kind = registry.Sink
			}
			out = append(out, &entry{class: p.Class, kind: kind, version: p.Version, aliases: p.Aliases, taskClass: p.TaskClass, exe: exe, dir: d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if c := cmp.Compare(out[i].class, out[j].class); c != 0 {
			return c < 0
		}
		return compareVersions(out[i].version, out[j].version) > 0
	})
	return out
}

// compareVersions orders versions like Maven's ComparableVersion does for the
// common cases: numeric parts numerically, then a qualifier-less release after
// its pre-releases ("1.0.0" > "1.0.0-rc1").
func compareVersions(a, b string) int {
	pa, qa, _ := strings.Cut(a, "-")
	pb, qb, _ := strings.Cut(b, "-")
	as, bs := strings.Split(pa, "."), strings.Split(pb, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y string
		if i < len(as) {
			x = as[i]
		}
		if i < len(bs) {
			y = bs[i]
		}
		nx, ex := strconv.Atoi(cmp.Or(x, "0"))
		ny, ey := strconv.Atoi(cmp.Or(y, "0"))
		if ex == nil && ey == nil {
			if c := cmp.Compare(nx, ny); c != 0 {
				return c
			}
			continue
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	switch {
	case qa == qb:
		return 0
	case qa == "":
		return 1
	case qb == "":
		return -1
	}
	return cmp.Compare(qa, qb)
}

// ManifestCache caches parsed manifests by path, size and modification time,
// so a rescan (or a second Host in tests) reads only what changed.
type ManifestCache struct {
	mu     sync.Mutex
	byPath map[string]cachedManifest
	parses int
}

type cachedManifest struct {
	size  int64
	mtime time.Time
	m     *wire.Manifest
	err   error
}

// NewManifestCache returns an empty cache.
func NewManifestCache() *ManifestCache {
	return &ManifestCache{byPath: map[string]cachedManifest{}}
}

// Load returns the parsed manifest at path.
func (c *ManifestCache) Load(path string) (*wire.Manifest, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if e, ok := c.byPath[path]; ok && e.size == fi.Size() && e.mtime.Equal(fi.ModTime()) {
		c.mu.Unlock()
		return e.m, e.err
	}
	c.mu.Unlock()
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := wire.ParseManifest(b)
	c.mu.Lock()
	c.parses++
	c.byPath[path] = cachedManifest{size: fi.Size(), mtime: fi.ModTime(), m: m, err: err}
	c.mu.Unlock()
	return m, err
}

// Rows returns builtins followed by the external plugins, leaving out (and
// logging) an external class that a built-in already answers to: the registry
// would resolve the name to the built-in anyway, and a silent shadow would
// confuse whoever installed the plugin.
func (h *Host) Rows(builtins []registry.Plugin) []registry.Plugin {
	taken := map[string]bool{}
	for _, b := range builtins {
		taken[b.Class] = true
	}
	out := append([]registry.Plugin(nil), builtins...)
	for _, p := range h.Plugins() {
		if taken[p.Class] {
			h.log.Warn("skipping external plugin: a built-in plugin has the same class", "class", p.Class, "version", p.Version)
			continue
		}
		out = append(out, p)
	}
	return out
}

// offer is the record path offer of a task starting with path (nil: none).
func (h *Host) offer(path *recordpath.Path) *pb.RecordPath {
	b := h.cfg.build
	if b == "" {
		b = recordpath.Build()
	}
	if path == nil || b == "" {
		return nil
	}
	return &pb.RecordPath{Build: b, Props: path.Props()}
}

// accepted reports whether the plugin took the record path offered at Start,
// logging the outcome: the throughput of an external connector depends on it.
func (h *Host) accepted(e *entry, path *recordpath.Path, resp interface {
	GetConverts() bool
	GetRecordPathRefusal() string
}) bool {
	if path == nil {
		return false
	}
	if resp.GetConverts() {
		h.log.Info("the plugin runs the task's converters and transformations; Kafka records cross the plugin boundary", "class", e.class)
		return true
	}
	reason := resp.GetRecordPathRefusal()
	if reason == "" {
		reason = "the plugin's pluginsdk predates the record path offer"
	}
	h.log.Info("the worker runs the task's converters and transformations; Connect data crosses the plugin boundary", "class", e.class, "reason", reason)
	return false
}
