package rest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/goconnect/goconnect/internal/herder"
)

// Java's NullPointerException texts for missing request bodies: Jersey passes a null
// entity and the resource dereferences it.
const (
	npeCreateRequest = `Cannot invoke "org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest.name()" because "createRequest" is null`
	npeConfig        = `Cannot invoke "java.util.Map.get(Object)" because "connectorConfig" is null`
	npePatch         = `Cannot invoke "java.util.Map.forEach(java.util.function.BiConsumer)" because "patch" is null`
	npeOffsets       = `Cannot invoke "org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets.offsets()" because "offsets" is null`
	npeLevel         = `Cannot invoke "java.util.Map.get(Object)" because "levelMap" is null`
	npeTaskConfigs   = `Cannot invoke "java.util.List.size()" because "taskConfigs" is null`
)

func (h *Handler) listConnectors(w http.ResponseWriter, r *http.Request, _ params) error {
	ctx, cancel := h.ctx(r)
	defer cancel()
	names, err := h.opts.Herder.Connectors(ctx)
	if err != nil {
		return err
	}
	if names == nil {
		names = []string{}
	}
	expand, ok := r.URL.Query()["expand"]
	if !ok {
		writeJSON(w, http.StatusOK, names)
		return nil
	}
	out := make(map[string]map[string]any, len(names))
	for _, name := range names {
		exp := map[string]any{}
		omit := false
		for _, e := range expand {
			switch e {
			case "status":
				st, err := h.opts.Herder.ConnectorStatus(ctx, name)
				if errors.Is(err, herder.ErrNotFound) {
					omit = true // deleted meanwhile, or no status yet
					continue
				}
				if err != nil {
					return err
				}
				exp["status"] = normStatus(st)
			case "info":
				info, err := h.opts.Herder.ConnectorInfo(ctx, name)
				if errors.Is(err, herder.ErrNotFound) {
					exp["info"] = nil
					continue
				}
				if err != nil {
					return err
				}
				exp["info"] = normInfo(info)
			}
		}
		if !omit {
			out[name] = exp
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// initialState parses initial_state as Java's CreateConnectorRequest.InitialState
// (case-insensitive RUNNING, PAUSED, STOPPED).
func initialState(v any) (herder.TargetState, error) {
	if v == nil {
		return "", nil
	}
	s, err := scalarString(v)
	if err != nil {
		return "", err
	}
	switch strings.ToUpper(s) {
	case "RUNNING":
		return herder.TargetStarted, nil
	case "PAUSED":
		return herder.TargetPaused, nil
	case "STOPPED":
		return herder.TargetStopped, nil
	}
	return "", errorf(http.StatusInternalServerError, fmt.Sprintf("Cannot construct instance of `org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest$InitialState`, problem: No enum constant org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest.InitialState.%s", strings.ToUpper(s)))
}

func (h *Handler) createConnector(w http.ResponseWriter, r *http.Request, _ params) error {
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	if body == nil {
		return errorf(http.StatusInternalServerError, npeCreateRequest)
	}
	obj, ok := body.(map[string]any)
	if !ok {
		return errorf(http.StatusInternalServerError, "Cannot construct instance of `org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest` from "+jsonKind(body))
	}
	name := ""
	if v := obj["name"]; v != nil {
		if name, err = scalarString(v); err != nil {
			return err
		}
	}
	initial, err := initialState(obj["initial_state"])
	if err != nil {
		return err
	}
	var cfg map[string]string
	var nulls []string
	if v := obj["config"]; v != nil {
		if cfg, nulls, err = stringMap(v, "config"); err != nil {
			return err
		}
	}
	name = strings.TrimSpace(name)
	if cfg == nil {
		return errorf(http.StatusInternalServerError, npeConfig)
	}
	if err := checkAndPutName(name, cfg, nulls); err != nil {
		return err
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	if err := h.rejectNulls(r, cfg, nulls); err != nil {
		return err
	}
	info, _, err := h.opts.Herder.PutConnectorConfig(ctx, name, cfg, false, initial)
	if err != nil {
		return err
	}
	w.Header().Set("Location", location(r, name))
	writeJSON(w, http.StatusCreated, normInfo(info))
	return nil
}

// rejectNulls answers a create/update whose config has null values with Java's
// validation error (validation runs with the nulls and always fails).
func (h *Handler) rejectNulls(r *http.Request, cfg map[string]string, nulls []string) error {
	if len(nulls) == 0 {
		return nil
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	infos, err := h.opts.Herder.ValidateConfig(ctx, cfg)
	if err != nil {
		return err
	}
	return herder.ValidationError(herder.AddNullErrors(infos, nulls))
}

// checkAndPutName is Java's ConnectorsResource.checkAndPutConnectorConfigName.
func checkAndPutName(name string, cfg map[string]string, nulls []string) error {
	if included, ok := cfg[herder.NameConfig]; ok {
		if included != name {
			return errorf(http.StatusBadRequest, fmt.Sprintf("Connector name configuration (%s) doesn't match connector name in the URL (%s)", included, name))
		}
		return nil
	}
	for _, n := range nulls {
		if n == herder.NameConfig {
			return errorf(http.StatusBadRequest, fmt.Sprintf("Connector name configuration (null) doesn't match connector name in the URL (%s)", name))
		}
	}
	cfg[herder.NameConfig] = name
	return nil
}

// location is the absolute URL of a connector, resolved against the request's base
// URI as JAX-RS resolves Response.created.
func location(r *http.Request, name string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/connectors/" + url.PathEscape(name)
}

func normInfo(info herder.ConnectorInfo) herder.ConnectorInfo {
	if info.Config == nil {
		info.Config = map[string]string{}
	}
	if info.Tasks == nil {
		info.Tasks = []herder.TaskID{}
	}
	return info
}

func normStatus(st herder.ConnectorStateInfo) herder.ConnectorStateInfo {
	if st.Tasks == nil {
		st.Tasks = []herder.StateInfo{}
	}
	return st
}

func (h *Handler) getConnector(w http.ResponseWriter, r *http.Request, p params) error {
	ctx, cancel := h.ctx(r)
	defer cancel()
	info, err := h.opts.Herder.ConnectorInfo(ctx, p["connector"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, normInfo(info))
	return nil
}

func (h *Handler) deleteConnector(w http.ResponseWriter, r *http.Request, p params) error {
	ctx, cancel := h.ctx(r)
	defer cancel()
	if err := h.opts.Herder.DeleteConnector(ctx, p["connector"]); err != nil {
		return err
	}
	writeEmpty(w, http.StatusNoContent)
	return nil
}

func (h *Handler) getConfig(w http.ResponseWriter, r *http.Request, p params) error {
	ctx, cancel := h.ctx(r)
	defer cancel()
	cfg, err := h.opts.Herder.ConnectorConfig(ctx, p["connector"])
	if err != nil {
		return err
	}
	if cfg == nil {
		cfg = map[string]string{}
	}
	writeJSON(w, http.StatusOK, cfg)
	return nil
}

func (h *Handler) putConfig(w http.ResponseWriter, r *http.Request, p params) error {
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
	name := p["connector"]
	if err := checkAndPutName(name, cfg, nulls); err != nil {
		return err
	}
	if err := h.rejectNulls(r, cfg, nulls); err != nil {
		return err
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	info, created, err := h.opts.Herder.PutConnectorConfig(ctx, name, cfg, true, "")
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		w.Header().Set("Location", location(r, name))
		status = http.StatusCreated
	}
	writeJSON(w, status, normInfo(info))
	return nil
}

func (h *Handler) patchConfig(w http.ResponseWriter, r *http.Request, p params) error {
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	if body == nil {
		return errorf(http.StatusInternalServerError, npePatch)
	}
	cfg, nulls, err := stringMap(body, "config")
	if err != nil {
		return err
	}
	patch := make(map[string]*string, len(cfg)+len(nulls))
	for k, v := range cfg {
		patch[k] = &v
	}
	for _, k := range nulls {
		patch[k] = nil
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	info, err := h.opts.Herder.PatchConnectorConfig(ctx, p["connector"], patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, normInfo(info))
	return nil
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request, p params) error {
	ctx, cancel := h.ctx(r)
	defer cancel()
	st, err := h.opts.Herder.ConnectorStatus(ctx, p["connector"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, normStatus(st))
	return nil
}

// queryBool is JAX-RS's conversion of a boolean query parameter (Boolean.valueOf:
// "true" in any case is true, anything else false), with a default when absent.
func queryBool(r *http.Request, name string, def bool) bool {
	vs, ok := r.URL.Query()[name]
	if !ok || len(vs) == 0 {
		return def
	}
	return strings.EqualFold(vs[0], "true")
}

func (h *Handler) restartConnector(w http.ResponseWriter, r *http.Request, p params) error {
	ctx, cancel := h.ctx(r)
	defer cancel()
	plan, err := h.opts.Herder.RestartConnector(ctx, p["connector"], queryBool(r, "includeTasks", false), queryBool(r, "onlyFailed", false))
	if err != nil {
		return err
	}
	if plan == nil {
		writeEmpty(w, http.StatusNoContent)
		return nil
	}
	writeJSON(w, http.StatusAccepted, normStatus(*plan))
	return nil
}

func (h *Handler) pause(w http.ResponseWriter, r *http.Request, p params) error {
	return h.targetState(w, r, p, h.opts.Herder.PauseConnector, http.StatusAccepted)
}

func (h *Handler) resume(w http.ResponseWriter, r *http.Request, p params) error {
	return h.targetState(w, r, p, h.opts.Herder.ResumeConnector, http.StatusAccepted)
}

func (h *Handler) stop(w http.ResponseWriter, r *http.Request, p params) error {
	return h.targetState(w, r, p, h.opts.Herder.StopConnector, http.StatusNoContent)
}

func (h *Handler) targetState(w http.ResponseWriter, r *http.Request, p params, f func(ctx context.Context, name string) error, status int) error {
	ctx, cancel := h.ctx(r)
	defer cancel()
	if err := f(ctx, p["connector"]); err != nil {
		return err
	}
	writeEmpty(w, status)
	return nil
}

func (h *Handler) taskConfigs(w http.ResponseWriter, r *http.Request, p params) error {
	ctx, cancel := h.ctx(r)
	defer cancel()
	tasks, err := h.opts.Herder.TaskConfigs(ctx, p["connector"])
	if err != nil {
		return err
	}
	if tasks == nil {
		tasks = []herder.TaskInfo{}
	}
	writeJSON(w, http.StatusOK, tasks)
	return nil
}

func (h *Handler) putTaskConfigs(w http.ResponseWriter, r *http.Request, p params) error {
	// The signature covers the exact body bytes: check it before parsing.
	if err := h.verifyInternal(r); err != nil {
		return err
	}
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	tp, ok := h.opts.Herder.(TaskConfigPutter)
	if !ok {
		return errorf(http.StatusInternalServerError, "Kafka Connect in standalone mode does not support externally setting task configurations.")
	}
	if body == nil {
		return errorf(http.StatusInternalServerError, npeTaskConfigs)
	}
	list, ok := body.([]any)
	if !ok {
		return errorf(http.StatusInternalServerError, "Cannot deserialize value of type `java.util.ArrayList<java.util.Map<java.lang.String,java.lang.String>>` from "+jsonKind(body))
	}
	configs := make([]map[string]string, len(list))
	for i, e := range list {
		if configs[i], _, err = stringMap(e, "task config"); err != nil {
			return err
		}
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	if err := tp.PutTaskConfigs(ctx, p["connector"], configs); err != nil {
		return err
	}
	writeEmpty(w, http.StatusNoContent)
	return nil
}

// taskID parses the {task} path parameter; a non-integer is Jersey's 404.
func taskID(p params) (herder.TaskID, error) {
	n, err := strconv.ParseInt(p["task"], 10, 32)
	if err != nil {
		return herder.TaskID{}, errParamNotFound
	}
	return herder.TaskID{Connector: p["connector"], Task: int(n)}, nil
}

func (h *Handler) taskStatus(w http.ResponseWriter, r *http.Request, p params) error {
	id, err := taskID(p)
	if err != nil {
		return err
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	st, err := h.opts.Herder.TaskStatus(ctx, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (h *Handler) restartTask(w http.ResponseWriter, r *http.Request, p params) error {
	id, err := taskID(p)
	if err != nil {
		return err
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	if err := h.opts.Herder.RestartTask(ctx, id); err != nil {
		return err
	}
	writeEmpty(w, http.StatusNoContent)
	return nil
}

func (h *Handler) offsets(w http.ResponseWriter, r *http.Request, p params) error {
	ctx, cancel := h.ctx(r)
	defer cancel()
	o, err := h.opts.Herder.Offsets(ctx, p["connector"])
	if err != nil {
		return err
	}
	if o.Offsets == nil {
		o.Offsets = []herder.PartitionOffset{}
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (h *Handler) alterOffsets(w http.ResponseWriter, r *http.Request, p params) error {
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	if body == nil {
		return errorf(http.StatusInternalServerError, npeOffsets)
	}
	obj, ok := body.(map[string]any)
	if !ok {
		return errorf(http.StatusInternalServerError, "Cannot construct instance of `org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets` from "+jsonKind(body))
	}
	var offsets herder.ConnectorOffsets
	list, _ := obj["offsets"].([]any)
	if obj["offsets"] != nil && list == nil {
		return errorf(http.StatusInternalServerError, "Cannot deserialize value of type `java.util.ArrayList<org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset>` from "+jsonKind(obj["offsets"]))
	}
	for _, e := range list {
		eo, ok := e.(map[string]any)
		if !ok {
			return errorf(http.StatusInternalServerError, "Cannot construct instance of `org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset` from "+jsonKind(e))
		}
		po := herder.PartitionOffset{}
		po.Partition, _ = eo["partition"].(map[string]any)
		po.Offset, _ = eo["offset"].(map[string]any)
		offsets.Offsets = append(offsets.Offsets, po)
	}
	if len(offsets.Offsets) == 0 {
		return errorf(http.StatusBadRequest, "Partitions / offsets need to be provided for an alter offsets request")
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	msg, err := h.opts.Herder.AlterOffsets(ctx, p["connector"], offsets)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, msg)
	return nil
}

func (h *Handler) resetOffsets(w http.ResponseWriter, r *http.Request, p params) error {
	ctx, cancel := h.ctx(r)
	defer cancel()
	msg, err := h.opts.Herder.ResetOffsets(ctx, p["connector"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, msg)
	return nil
}

// activeTopics is Java's ActiveTopicsInfo.
type activeTopics struct {
	Topics []string `json:"topics"`
}

func (h *Handler) topics(w http.ResponseWriter, r *http.Request, p params) error {
	if h.opts.DisableTopicTracking {
		return errorf(http.StatusForbidden, "Topic tracking is disabled.")
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	name := p["connector"]
	topics, err := h.opts.Herder.ActiveTopics(ctx, name)
	if err != nil {
		return err
	}
	if topics == nil {
		topics = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]activeTopics{name: {Topics: topics}})
	return nil
}

func (h *Handler) resetTopics(w http.ResponseWriter, r *http.Request, p params) error {
	if h.opts.DisableTopicTracking {
		return errorf(http.StatusForbidden, "Topic tracking is disabled.")
	}
	if h.opts.DisableTopicTrackingReset {
		return errorf(http.StatusForbidden, "Topic tracking reset is disabled.")
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	if err := h.opts.Herder.ResetActiveTopics(ctx, p["connector"]); err != nil {
		return err
	}
	writeEmpty(w, http.StatusAccepted)
	return nil
}

// verifyInternal checks an internal request's signature when the herder signs
// them (distributed mode, sessioned protocol). The body was buffered by ServeHTTP.
func (h *Handler) verifyInternal(r *http.Request) error {
	v, ok := h.opts.Herder.(InternalRequestVerifier)
	if !ok {
		return nil
	}
	body, err := readBody(r)
	if err != nil {
		return errorf(http.StatusInternalServerError, "read request body: "+err.Error())
	}
	return v.VerifyInternalRequest(body, r.Header)
}

// fenceZombies is the internal endpoint PUT /connectors/{name}/fence.
func (h *Handler) fenceZombies(w http.ResponseWriter, r *http.Request, p params) error {
	f, ok := h.opts.Herder.(ZombieFencer)
	if !ok {
		return errorf(http.StatusInternalServerError, "Kafka Connect in standalone mode does not support exactly-once source connectors.")
	}
	if err := h.verifyInternal(r); err != nil {
		return err
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	if err := f.FenceZombies(ctx, p["connector"]); err != nil {
		return err
	}
	writeEmpty(w, http.StatusNoContent)
	return nil
}
