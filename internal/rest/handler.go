package rest

import (
	"context"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
)

// Default timeouts, as Java's.
const (
	DefaultRequestTimeout = 90 * time.Second
	DefaultHealthTimeout  = 10 * time.Second
)

// Loggers is what /admin/loggers needs from the logging setup.
type Loggers interface {
	// All returns the loggers with an explicitly set level, plus "root".
	All() map[string]herder.LoggerLevel
	// Get returns one logger's level; false if no such logger exists.
	Get(name string) (herder.LoggerLevel, bool)
	// Set sets the level (upper case, one of Java's log4j levels) of a logger and
	// its descendants and returns the affected logger names, sorted.
	Set(name, level string) ([]string, error)
}

// TaskConfigPutter is an optional Herder capability: the internal endpoint POST
// /connectors/{name}/tasks (distributed mode). Without it the endpoint answers as
// Java's standalone worker does.
type TaskConfigPutter interface {
	PutTaskConfigs(ctx context.Context, name string, configs []map[string]string) error
}

// Options configure the handler.
type Options struct {
	Herder   herder.Herder
	Registry *registry.Registry
	// Loggers serves /admin/loggers; nil disables those endpoints (Java's
	// admin.listeners set to "").
	Loggers Loggers
	// DisableTopicTracking is topic.tracking.enable=false.
	DisableTopicTracking bool
	// DisableTopicTrackingReset is topic.tracking.allow.reset=false.
	DisableTopicTrackingReset bool
	// RequestTimeout bounds each herder call (default 90 s).
	RequestTimeout time.Duration
	// HealthTimeout bounds GET /health (default 10 s).
	HealthTimeout time.Duration
	Logger        *slog.Logger
}

type params map[string]string

type route struct {
	method  string
	pattern []string // segments; "{x}" captures
	// consumes is set for the routes of Java resources annotated
	// @Consumes(application/json): a request with another Content-Type is a 415.
	consumes bool
	handle   func(w http.ResponseWriter, r *http.Request, p params) error
}

// Handler serves the REST API.
type Handler struct {
	opts   Options
	routes []route
}

// NewHandler returns the REST API handler.
func NewHandler(opts Options) *Handler {
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.HealthTimeout <= 0 {
		opts.HealthTimeout = DefaultHealthTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{opts: opts}
	add := func(method, path string, consumes bool, f func(http.ResponseWriter, *http.Request, params) error) {
		h.routes = append(h.routes, route{method: method, pattern: splitPath(path), consumes: consumes, handle: f})
	}
	add("GET", "/", false, h.root)
	add("GET", "/health", false, h.health)
	add("GET", "/connectors", true, h.listConnectors)
	add("POST", "/connectors", true, h.createConnector)
	add("GET", "/connectors/{connector}", true, h.getConnector)
	add("DELETE", "/connectors/{connector}", true, h.deleteConnector)
	add("GET", "/connectors/{connector}/config", true, h.getConfig)
	add("PUT", "/connectors/{connector}/config", true, h.putConfig)
	add("PATCH", "/connectors/{connector}/config", true, h.patchConfig)
	add("GET", "/connectors/{connector}/status", true, h.status)
	add("POST", "/connectors/{connector}/restart", true, h.restartConnector)
	add("PUT", "/connectors/{connector}/pause", true, h.pause)
	add("PUT", "/connectors/{connector}/resume", true, h.resume)
	add("PUT", "/connectors/{connector}/stop", true, h.stop)
	add("GET", "/connectors/{connector}/tasks", true, h.taskConfigs)
	add("POST", "/connectors/{connector}/tasks", true, h.putTaskConfigs)
	add("PUT", "/connectors/{connector}/fence", true, h.fenceZombies)
	add("GET", "/connectors/{connector}/tasks/{task}/status", true, h.taskStatus)
	add("POST", "/connectors/{connector}/tasks/{task}/restart", true, h.restartTask)
	add("GET", "/connectors/{connector}/offsets", true, h.offsets)
	add("PATCH", "/connectors/{connector}/offsets", true, h.alterOffsets)
	add("DELETE", "/connectors/{connector}/offsets", true, h.resetOffsets)
	add("GET", "/connectors/{connector}/topics", true, h.topics)
	add("PUT", "/connectors/{connector}/topics/reset", true, h.resetTopics)
	add("GET", "/connector-plugins", true, h.plugins)
	add("GET", "/connector-plugins/{plugin}/config", true, h.pluginConfig)
	add("PUT", "/connector-plugins/{plugin}/config/validate", true, h.validate)
	if opts.Loggers != nil {
		add("GET", "/admin/loggers", true, h.loggers)
		add("GET", "/admin/loggers/{logger}", true, h.logger)
		add("PUT", "/admin/loggers/{logger}", true, h.setLogger)
	}
	return h
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// ServeHTTP routes as Jersey does: no path match is a 404, a path match without the
// method a 405, a non-JSON Content-Type a 415; then the handler runs and its error,
// if any, is rendered.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := splitPath(r.URL.EscapedPath())
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	var pathMatched bool
	for _, rt := range h.routes {
		p, ok := match(rt.pattern, segs)
		if !ok {
			continue
		}
		pathMatched = true
		if rt.method != r.Method && !(r.Method == http.MethodHead && rt.method == http.MethodGet) {
			continue
		}
		if rt.consumes && !acceptsJSON(r.Header.Get("Content-Type")) {
			writeError(w, errUnsupportedMedia)
			return
		}
		body, err := readBody(r)
		if err != nil {
			writeError(w, errorf(http.StatusInternalServerError, "read request body: "+err.Error()))
			return
		}
		if err := rt.handle(w, r, p); err != nil && !h.maybeForward(w, r, body, err) {
			writeError(w, err)
		}
		return
	}
	if pathMatched {
		writeError(w, errMethodNotAllowed)
		return
	}
	writeError(w, errNotFound)
}

func match(pattern, segs []string) (params, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var p params
	for i, s := range pattern {
		if strings.HasPrefix(s, "{") {
			if p == nil {
				p = params{}
			}
			p[s[1:len(s)-1]] = segs[i]
			continue
		}
		if s != segs[i] {
			return nil, false
		}
	}
	return p, true
}

func acceptsJSON(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || mt == "*/*" || mt == "application/*"
}

// ctx returns the request-scoped context for a herder call.
func (h *Handler) ctx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), h.opts.RequestTimeout)
}
