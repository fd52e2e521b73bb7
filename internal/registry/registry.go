package registry

import (
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/goconnect/goconnect/api/connect"
)

// Kind is a plugin type, named as the REST API's PluginInfo.type.
type Kind string

// Plugin kinds.
const (
	Source          Kind = "source"
	Sink            Kind = "sink"
	Converter       Kind = "converter"
	HeaderConverter Kind = "header_converter"
	Transformation  Kind = "transformation"
	Predicate       Kind = "predicate"
)

// Plugin describes one plugin class. Exactly one constructor matching Kind is set; a
// class that is both a Converter and a HeaderConverter (StringConverter, ...) is listed
// twice, once per kind, under the same Class.
type Plugin struct {
	// Class is the Java fully qualified class name the plugin answers to.
	Class string
	Kind  Kind
	// Version is shown by /connector-plugins; empty means "undefined" (omitted).
	Version string
	// ExtraAliases are names accepted besides the ones derived from Class.
	ExtraAliases []string
	// TaskClass is the class name written as task.class in task configs.
	TaskClass string

	NewConnector       func() connect.Connector
	NewConverter       func() connect.Converter
	NewHeaderConverter func() connect.HeaderConverter
	NewTransformation  func() connect.Transformation
	NewPredicate       func() connect.Predicate
}

// Registry resolves plugin names. It is immutable after New and safe for concurrent use.
type Registry struct {
	plugins []Plugin
	// byName maps every accepted name to plugin indexes (more than one = ambiguous).
	byName map[string][]int
}

// New builds a registry from plugins.
func New(plugins []Plugin) *Registry {
	r := &Registry{plugins: slices.Clone(plugins), byName: map[string][]int{}}
	for i, p := range r.plugins {
		for _, n := range names(p) {
			if !slices.Contains(r.byName[n], i) {
				r.byName[n] = append(r.byName[n], i)
			}
		}
	}
	return r
}

// names returns the FQCN, the simple name and the pruned simple name of a plugin.
func names(p Plugin) []string {
	ns := []string{p.Class}
	simple := p.Class
	if i := strings.LastIndexAny(simple, ".$"); i >= 0 {
		simple = simple[i+1:]
	}
	ns = append(ns, simple)
	for _, suffix := range []string{"HeaderConverter", "Converter", "Connector", "Transformation", "Predicate"} {
		if pruned, ok := strings.CutSuffix(simple, suffix); ok && pruned != "" {
			ns = append(ns, pruned)
			break
		}
	}
	return append(ns, p.ExtraAliases...)
}

// Lookup finds the plugin named name among the given kinds (all kinds when none).
func (r *Registry) Lookup(name string, kinds ...Kind) (Plugin, error) {
	var found []int
	for _, i := range r.byName[strings.TrimSpace(name)] {
		if len(kinds) == 0 || slices.Contains(kinds, r.plugins[i].Kind) {
			found = append(found, i)
		}
	}
	// The same class registered under two kinds (converter + header converter) is
	// one class, not an ambiguity.
	if len(found) > 1 {
		first := r.plugins[found[0]].Class
		same := true
		for _, i := range found[1:] {
			same = same && r.plugins[i].Class == first
		}
		if !same {
			return Plugin{}, errorf(ErrAmbiguous, "More than one plugin matches alias %s. Please use full package and class name instead.", name)
		}
	}
	if len(found) == 0 {
		return Plugin{}, errorf(ErrNotFound, "%s", name)
	}
	return r.plugins[found[0]], nil
}

// LookupConnector finds a source or sink connector, with Java's message when none matches.
func (r *Registry) LookupConnector(name string) (Plugin, error) {
	p, err := r.Lookup(name, Source, Sink)
	if err != nil && errors.Is(err, ErrNotFound) {
		var avail []string
		for _, q := range r.List(Sink, Source) {
			avail = append(avail, q.Class)
		}
		return Plugin{}, errorf(ErrNotFound, "Failed to find any class that implements Connector and which name matches %s, available connectors are: %s",
			name, strings.Join(avail, ", "))
	}
	return p, err
}

// List returns the plugins of the given kinds (all when none), ordered as
// /connector-plugins lists them: by kind in the order given, then by class name.
func (r *Registry) List(kinds ...Kind) []Plugin {
	if len(kinds) == 0 {
		kinds = []Kind{Sink, Source, Transformation, Predicate, Converter, HeaderConverter}
	}
	var out []Plugin
	for _, k := range kinds {
		var group []Plugin
		for _, p := range r.plugins {
			if p.Kind == k {
				group = append(group, p)
			}
		}
		sort.SliceStable(group, func(i, j int) bool { return group[i].Class < group[j].Class })
		out = append(out, group...)
	}
	return out
}
