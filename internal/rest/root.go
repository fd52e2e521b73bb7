package rest

import (
	"context"
	"errors"
	"net/http"

	"github.com/goconnect/goconnect/internal/herder"
)

func (h *Handler) root(w http.ResponseWriter, _ *http.Request, _ params) error {
	writeJSON(w, http.StatusOK, h.opts.Herder.ServerInfo())
	return nil
}

// workerStatus is Java's WorkerStatus (GET /health).
type workerStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

func (h *Handler) health(w http.ResponseWriter, r *http.Request, _ params) error {
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.HealthTimeout)
	defer cancel()
	err := h.opts.Herder.Health(ctx)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, workerStatus{"healthy", "Worker has completed startup and is ready to handle requests."})
	case errors.Is(err, herder.ErrUnavailable):
		writeJSON(w, http.StatusServiceUnavailable, workerStatus{"starting", "Worker is still starting up."})
	default:
		writeJSON(w, http.StatusInternalServerError, workerStatus{"unhealthy", "Worker was unable to handle this request and may be unable to handle other requests."})
	}
	return nil
}
