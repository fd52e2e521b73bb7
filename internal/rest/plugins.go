package rest

import (
	"errors"
	"net/http"
	"strings"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
)

func (h *Handler) plugins(w http.ResponseWriter, r *http.Request, _ params) error {
	kinds := []registry.Kind{registry.Sink, registry.Source}
	if !queryBool(r, "connectorsOnly", true) {
		kinds = append(kinds, registry.Transformation, registry.Predicate, registry.Converter, registry.HeaderConverter)
	}
	out := []herder.PluginInfo{}
	for _, p := range h.opts.Registry.List(kinds...) {
		out = append(out, herder.PluginInfo{Class: p.Class, Type: string(p.Kind), Version: p.Version})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) pluginConfig(w http.ResponseWriter, _ *http.Request, p params) error {
	keys, err := herder.PluginConfig(h.opts.Registry, p["plugin"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, keys)
	return nil
}

// normalizedPluginName strips a trailing "Connector" (Java's
// ConnectorPluginsResource.normalizedPluginName).
func normalizedPluginName(name string) string {
	if s, ok := strings.CutSuffix(name, "Connector"); ok && s != "" {
		return s
	}
	return name
}

func (h *Handler) validate(w http.ResponseWriter, r *http.Request, p params) error {
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	if body == nil {
		return errorf(http.StatusInternalServerError, npeConfig)
	}
	cfg, nulls, err := stringMap(body, "config")
	if err != nil {
		return err
	}
	plugin := p["plugin"]
	if included, ok := cfg[herder.ConnectorClassConfig]; ok && !strings.HasSuffix(normalizedPluginName(included), normalizedPluginName(plugin)) {
		return errorf(http.StatusBadRequest, "Included connector type "+included+" does not match request type "+plugin)
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	infos, err := h.opts.Herder.ValidateConfig(ctx, cfg)
	if err != nil {
		// Java waits on a future: a herder failure surfaces as the
		// ExecutionException's message, a 500.
		if errors.Is(err, herder.ErrTimeout) || toAPIError(err).message == "Request timed out" {
			return err
		}
		return errorf(http.StatusInternalServerError, javaExceptionMessage(err))
	}
	writeJSON(w, http.StatusOK, herder.AddNullErrors(infos, nulls))
	return nil
}
