package rest

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// ClusterLoggers is implemented by a herder that applies scope=cluster logger
// levels on every worker of its cluster (KIP-976; the distributed herder writes a
// logger-cluster-<namespace> record to the config topic). With a herder that does
// not implement it (standalone), a cluster-scoped level is set on this worker only,
// as Java's StandaloneHerder does.
type ClusterLoggers interface {
	// SetClusterLoggerLevel publishes level (as the request gave it) for namespace.
	SetClusterLoggerLevel(ctx context.Context, namespace, level string) error
}

// log4jLevels are the levels Java's Level.toLevel accepts.
var log4jLevels = []string{"OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL"}

func (h *Handler) loggers(w http.ResponseWriter, _ *http.Request, _ params) error {
	writeJSON(w, http.StatusOK, h.opts.Loggers.All())
	return nil
}

func (h *Handler) logger(w http.ResponseWriter, _ *http.Request, p params) error {
	name := p["logger"]
	l, ok := h.opts.Loggers.Get(name)
	if !ok {
		return errorf(http.StatusNotFound, "Logger "+name+" not found.")
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) setLogger(w http.ResponseWriter, r *http.Request, p params) error {
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	if body == nil {
		return errorf(http.StatusInternalServerError, npeLevel)
	}
	m, nulls, err := stringMap(body, "level")
	if err != nil {
		return err
	}
	_ = nulls // a null level is a missing level, as in Java
	level, ok := m["level"]
	if !ok {
		return errorf(http.StatusBadRequest, "Desired 'level' parameter was not specified in request.")
	}
	upper := strings.ToUpper(level)
	if !slices.Contains(log4jLevels, upper) {
		// Java answers 404 here (it throws NotFoundException).
		return errorf(http.StatusNotFound, "invalid log level '"+level+"'.")
	}
	scope := r.URL.Query().Get("scope")
	if strings.EqualFold(scope, "cluster") {
		if cl, ok := h.opts.Herder.(ClusterLoggers); ok {
			// Every worker, this one included, applies the level when it reads the
			// record back; nothing is set here (Java's LoggingResource).
			ctx, cancel := h.ctx(r)
			defer cancel()
			if err := cl.SetClusterLoggerLevel(ctx, p["logger"], level); err != nil {
				return err
			}
			writeEmpty(w, http.StatusNoContent)
			return nil
		}
		// Standalone applies a cluster-scoped level locally; the response is the
		// cluster-scope one.
		if _, err := h.opts.Loggers.Set(p["logger"], upper); err != nil {
			return err
		}
		writeEmpty(w, http.StatusNoContent)
		return nil
	}
	affected, err := h.opts.Loggers.Set(p["logger"], upper)
	if err != nil {
		return err
	}
	if scope != "" && !strings.EqualFold(scope, "worker") {
		h.opts.Logger.Warn("invalid scope in request to adjust logging level; defaulting to worker", "scope", scope)
	}
	if affected == nil {
		affected = []string{}
	}
	writeJSON(w, http.StatusOK, affected)
	return nil
}
