package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/goconnect/goconnect/internal/herder"
)

// RootLogger is the name of the root logger.
const RootLogger = "root"

// slog levels for the log4j levels slog lacks.
const (
	LevelTrace = slog.Level(-8)
	LevelFatal = slog.Level(12)
	levelOff   = slog.Level(math.MaxInt32)
	levelAll   = slog.Level(math.MinInt32)
)

var levels = map[string]slog.Level{
	"ALL":   levelAll,
	"TRACE": LevelTrace,
	"DEBUG": slog.LevelDebug,
	"INFO":  slog.LevelInfo,
	"WARN":  slog.LevelWarn,
	"ERROR": slog.LevelError,
	"FATAL": LevelFatal,
	"OFF":   levelOff,
}

// ParseLevel parses a log4j level name (case-insensitive).
func ParseLevel(s string) (slog.Level, bool) {
	l, ok := levels[strings.ToUpper(strings.TrimSpace(s))]
	return l, ok
}

// levelName is the log4j name of an slog level, for output.
func levelName(l slog.Level) string {
	switch {
	case l < slog.LevelDebug:
		return "TRACE"
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARN"
	case l < LevelFatal:
		return "ERROR"
	}
	return "FATAL"
}

// Registry is the set of named loggers and their levels. It is safe for concurrent
// use; a logger checks its level with one atomic load, so disabled log calls stay
// cheap.
type Registry struct {
	base slog.Handler
	now  func() time.Time

	mu      sync.Mutex
	loggers map[string]*entry // every known logger, root included
}

type entry struct {
	// explicit is the level set for this logger itself ("" = inherit).
	explicit string
	// lastModified is the epoch ms of the last Set that changed it, 0 if never.
	lastModified int64
	// effective is read by handlers without the registry lock.
	effective slog.LevelVar
}

// Options configure New.
type Options struct {
	// Level is the root logger's level name (default INFO).
	Level string
	// Now is the clock for last_modified (default time.Now).
	Now func() time.Time
}

// New returns a registry writing text logs to w.
func New(w io.Writer, opts Options) (*Registry, error) {
	root := "INFO"
	if opts.Level != "" {
		if _, ok := ParseLevel(opts.Level); !ok {
			return nil, &levelError{level: opts.Level}
		}
		root = strings.ToUpper(strings.TrimSpace(opts.Level))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	base := slog.NewTextHandler(w, &slog.HandlerOptions{
		// Enabled is decided per logger by the registry; the base handler takes all.
		Level: levelAll,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.LevelKey {
				if l, ok := a.Value.Any().(slog.Level); ok {
					return slog.String(slog.LevelKey, levelName(l))
				}
			}
			return a
		},
	})
	r := &Registry{base: base, now: opts.Now, loggers: map[string]*entry{}}
	e := &entry{explicit: root}
	e.effective.Set(levels[root])
	r.loggers[RootLogger] = e
	return r, nil
}

// ErrInvalidLevel is matched (errors.Is) by the error for an unknown level name.
var ErrInvalidLevel = errors.New("invalid log level")

// levelError is an unknown level. Its message is Java's, and it also matches
// herder.ErrNotFound because the REST API answers 404 for it (a Java quirk).
type levelError struct{ level string }

func (e *levelError) Error() string { return fmt.Sprintf("invalid log level '%s'.", e.level) }
func (e *levelError) Is(target error) bool {
	return target == ErrInvalidLevel || target == herder.ErrNotFound
}

// Logger returns the logger called name, registering it (a known logger is listed
// by All and can be looked up with Get). Its level follows the registry.
func (r *Registry) Logger(name string) *slog.Logger {
	if name == "" {
		name = RootLogger
	}
	r.mu.Lock()
	e := r.ensure(name)
	r.mu.Unlock()
	h := r.base
	if name != RootLogger {
		h = h.WithAttrs([]slog.Attr{slog.String("logger", name)})
	}
	return slog.New(&handler{inner: h, level: &e.effective})
}

// ensure returns the entry of name, creating it with its inherited level. Callers
// hold r.mu.
func (r *Registry) ensure(name string) *entry {
	if e, ok := r.loggers[name]; ok {
		return e
	}
	e := &entry{}
	e.effective.Set(levels[r.inherited(name)])
	r.loggers[name] = e
	return e
}

// inherited returns the level name of name's nearest ancestor with an explicit
// level (root at the latest). Callers hold r.mu.
func (r *Registry) inherited(name string) string {
	for n := parent(name); ; n = parent(n) {
		if e, ok := r.loggers[n]; ok && e.explicit != "" {
			return e.explicit
		}
		if n == RootLogger {
			return r.loggers[RootLogger].explicit
		}
	}
}

// parent returns the parent logger name: "a.b" for "a.b.c", root for "a".
func parent(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[:i]
	}
	return RootLogger
}

func (r *Registry) levelOf(name string, e *entry) herder.LoggerLevel {
	lvl := e.explicit
	if lvl == "" {
		lvl = r.inherited(name)
	}
	ll := herder.LoggerLevel{Level: lvl}
	if e.lastModified != 0 {
		ms := e.lastModified
		ll.LastModified = &ms
	}
	return ll
}

// All returns every known logger (root included) with its effective level, as
// GET /admin/loggers does with log4j2.
func (r *Registry) All() map[string]herder.LoggerLevel {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]herder.LoggerLevel, len(r.loggers))
	for name, e := range r.loggers {
		out[name] = r.levelOf(name, e)
	}
	return out
}

// Get returns the effective level of a known logger; false if no such logger.
func (r *Registry) Get(name string) (herder.LoggerLevel, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.loggers[name]
	if ok {
		return r.levelOf(name, e), true
	}
	// A package above known loggers (org.apache.kafka.connect above
	// org.apache.kafka.connect.runtime.Worker) exists as far as a user is
	// concerned, as it does in Log4j's hierarchy: report its effective level.
	for known := range r.loggers {
		if strings.HasPrefix(known, name+".") {
			return herder.LoggerLevel{Level: r.inherited(name)}, true
		}
	}
	return herder.LoggerLevel{}, false
}

// Set sets level on the logger called name and on every known descendant of it
// (every logger for root), creating name if unknown, and returns the names of those
// loggers, sorted (Java's Loggers.setLevel). Loggers already at that level keep
// their last_modified. An unknown level is an error matching ErrInvalidLevel and
// herder.ErrNotFound, with Java's message "invalid log level 'X'." (REST: 404).
func (r *Registry) Set(name, level string) ([]string, error) {
	lvl := strings.ToUpper(strings.TrimSpace(level))
	if _, ok := levels[lvl]; !ok {
		return nil, &levelError{level: level}
	}
	if name == "" {
		name = RootLogger
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ensure(name)
	now := r.now().UnixMilli()
	// Compare with the levels before any change: setting an ancestor first must not
	// make its descendants look unchanged.
	before := map[string]string{}
	for n, e := range r.loggers {
		if isDescendant(n, name) {
			cur := e.explicit
			if cur == "" {
				cur = r.inherited(n)
			}
			before[n] = cur
		}
	}
	affected := make([]string, 0, len(before))
	for n, cur := range before {
		e := r.loggers[n]
		affected = append(affected, n)
		e.explicit = lvl
		if cur != lvl {
			e.lastModified = now
		}
	}
	// Loggers outside the set may inherit from one inside it.
	for n, e := range r.loggers {
		eff := e.explicit
		if eff == "" {
			eff = r.inherited(n)
		}
		e.effective.Set(levels[eff])
	}
	sort.Strings(affected)
	return affected, nil
}

// isDescendant reports whether n is ns or below it; everything is below root.
func isDescendant(n, ns string) bool {
	return ns == RootLogger || n == ns || strings.HasPrefix(n, ns+".")
}

// handler gates an slog.Handler on a logger's effective level.
type handler struct {
	inner slog.Handler
	level *slog.LevelVar
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	return h.inner.Handle(ctx, rec)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &handler{inner: h.inner.WithAttrs(as), level: h.level}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{inner: h.inner.WithGroup(name), level: h.level}
}
