package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/javaprops"
)

// ConnectorFile is a connector given on the command line.
type ConnectorFile struct {
	Name    string
	Config  map[string]string
	Initial herder.TargetState // "" = STARTED
}

// ParseConnectorFile reads a connector file as connect-standalone does, trying in
// order: a JSON object of strings (with "name"), a JSON create request
// {"name","config","initial_state"}, then a Java properties file (with "name").
func ParseConnectorFile(path string) (ConnectorFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return ConnectorFile{}, fmt.Errorf("read connector file: %w", err)
	}
	missingName := fmt.Errorf("Connector configuration at '%s' is missing the mandatory 'name' configuration", path) //nolint:staticcheck // Java's message
	if m, ok := jsonStringMap(b); ok {
		name, ok := m["name"]
		if !ok {
			return ConnectorFile{}, missingName
		}
		return ConnectorFile{Name: name, Config: m}, nil
	}
	if req, ok, err := jsonCreateRequest(b, path); ok || err != nil {
		return req, err
	}
	props, err := javaprops.Parse(b)
	if err != nil {
		return ConnectorFile{}, fmt.Errorf("parse connector file %s: %w", path, err)
	}
	name, ok := props["name"]
	if !ok {
		return ConnectorFile{}, missingName
	}
	return ConnectorFile{Name: name, Config: props}, nil
}

// jsonStringMap decodes a JSON object whose values are scalars, stringified as
// Jackson's Map<String,String> does.
func jsonStringMap(b []byte) (map[string]string, bool) {
	var raw map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil || raw == nil || d.More() {
		return nil, false
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		s, ok := scalarString(v)
		if !ok {
			return nil, false
		}
		out[k] = s
	}
	return out, true
}

func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func jsonCreateRequest(b []byte, path string) (ConnectorFile, bool, error) {
	var req struct {
		Name         string         `json:"name"`
		Config       map[string]any `json:"config"`
		InitialState *string        `json:"initial_state"`
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	d.DisallowUnknownFields()
	if err := d.Decode(&req); err != nil || req.Config == nil {
		return ConnectorFile{}, false, nil
	}
	cf := ConnectorFile{Name: req.Name, Config: map[string]string{}}
	for k, v := range req.Config {
		s, ok := scalarString(v)
		if !ok {
			return ConnectorFile{}, false, nil
		}
		cf.Config[k] = s
	}
	if req.InitialState != nil {
		switch strings.ToUpper(*req.InitialState) {
		case "RUNNING":
			cf.Initial = herder.TargetStarted
		case "PAUSED":
			cf.Initial = herder.TargetPaused
		case "STOPPED":
			cf.Initial = herder.TargetStopped
		default:
			return ConnectorFile{}, false, nil
		}
	}
	if n, ok := cf.Config["name"]; ok {
		if n != cf.Name {
			return ConnectorFile{}, true, fmt.Errorf("Connector name configuration in 'config' doesn't match the one specified in 'name' at '%s'", path) //nolint:staticcheck // Java's message
		}
	} else {
		cf.Config["name"] = cf.Name
	}
	return cf, true, nil
}
