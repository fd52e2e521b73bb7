package configtransform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/plugins/configprovider"
)

// Worker property names (reference §8).
const (
	// ConfigProvidersConfig lists the provider names, comma-separated.
	ConfigProvidersConfig = "config.providers"
	// PluginPathConfig is never resolved: Java scans plugins with its raw value
	// before providers exist, and goconnect keeps the same contract.
	PluginPathConfig = "plugin.path"
)

// ClassConfig returns config.providers.<name>.class.
func ClassConfig(name string) string { return ConfigProvidersConfig + "." + name + ".class" }

// ParamPrefix returns config.providers.<name>.param., the prefix of the properties
// given to the provider's Configure.
func ParamPrefix(name string) string { return ConfigProvidersConfig + "." + name + ".param." }

// NewProviderFunc instantiates a config provider from a class name as written in
// config.providers.<name>.class: a Java FQCN or an alias. ok=false means no such
// class.
type NewProviderFunc func(class string) (p connect.ConfigProvider, ok bool)

// Options configures FromWorker.
type Options struct {
	// NewProvider instantiates providers; nil means BuiltinProvider. The plugin
	// registry supplies one that also knows external providers.
	NewProvider NewProviderFunc
	// Logger receives the plugin.path warning; nil means slog.Default().
	Logger *slog.Logger
}

// Worker is the outcome of FromWorker.
type Worker struct {
	// Props are the worker properties with references resolved (plugin.path kept
	// raw). They hold secrets: parse them, never log or serve them.
	Props map[string]string
	// Transformer resolves connector and task configurations for the worker's
	// lifetime; the caller closes it at shutdown.
	Transformer *Transformer
}

// FromWorker sets config providers up from worker properties the way Java does at
// start-up, in two rounds:
//
//  1. providers are built with the raw config.providers.<name>.param.* values and
//     resolve the worker properties (AbstractConfig.resolveConfigVariables), then
//     are closed;
//  2. providers are built again, with the now resolved param values, and kept for
//     connector configs (Worker.initConfigTransformer reads the resolved worker
//     config). So a param may come from another provider
//     (config.providers.vault.param.token=${env:VAULT_TOKEN}) only if the provider
//     accepts the raw ${...} text in round one; File and Directory reject a raw
//     allowed.paths reference ("Path ${env:X} is not absolute"), as Java does.
//
// A name listed in config.providers without a .class is skipped: its references
// stay unresolved. An unknown class, or a provider whose Configure fails (say,
// allowed.paths names a relative path), is an error and the worker must not start.
// Unlike Java, whose first round accepts only fully qualified names, aliases
// (FileConfigProvider, File) work in both rounds.
func FromWorker(ctx context.Context, props map[string]string, opts Options) (*Worker, error) {
	if opts.NewProvider == nil {
		opts.NewProvider = BuiltinProvider
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	first, err := instantiate(props, opts.NewProvider)
	if err != nil {
		return nil, err
	}
	t := New(first)
	res, err := t.Transform(ctx, props)
	closeErr := t.Close()
	if err != nil {
		return nil, fmt.Errorf("resolve worker config: %w", err)
	}
	if closeErr != nil {
		opts.Logger.Warn("Failed to close config providers", "error", closeErr)
	}
	resolved := res.Data
	if raw, ok := props[PluginPathConfig]; ok {
		if resolved[PluginPathConfig] != raw {
			// Java's warning, without the transformed value, which may be secret.
			opts.Logger.Warn("Variables cannot be used in the 'plugin.path' property, since the property is used by plugin scanning before the config providers that replace the variables are initialized. The raw value was used for plugin scanning.",
				"raw", raw)
		}
		resolved[PluginPathConfig] = raw
	}
	second, err := instantiate(resolved, opts.NewProvider)
	if err != nil {
		return nil, err
	}
	return &Worker{Props: resolved, Transformer: New(second)}, nil
}

// instantiate builds and configures the providers listed in config.providers.
// On error, the providers already built are closed.
func instantiate(props map[string]string, newProvider NewProviderFunc) (map[string]connect.ConfigProvider, error) {
	out := map[string]connect.ConfigProvider{}
	fail := func(err error) (map[string]connect.ConfigProvider, error) {
		return nil, errors.Join(err, New(out).Close())
	}
	for _, name := range providerNames(props[ConfigProvidersConfig]) {
		classKey := ClassConfig(name)
		class, ok := props[classKey]
		if !ok {
			out[name] = nil
			continue
		}
		class = strings.TrimSpace(class)
		p, ok := newProvider(class)
		if !ok {
			// Java's ConfigException(name, value, message) text.
			return fail(fmt.Errorf("Invalid value %s for configuration %s: Could not load config provider class or one of its dependencies", class, classKey))
		}
		params := map[string]string{}
		prefix := ParamPrefix(name)
		for k, v := range props {
			if rest, ok := strings.CutPrefix(k, prefix); ok && rest != "" {
				params[rest] = v
			}
		}
		if err := p.Configure(params); err != nil {
			return fail(err)
		}
		out[name] = p
	}
	return out, nil
}

// providerNames parses config.providers as a Java LIST: comma-separated, each item
// trimmed, empty items dropped.
func providerNames(v string) []string {
	var names []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			names = append(names, item)
		}
	}
	return names
}

// BuiltinProvider instantiates the built-in providers of plugins/configprovider by
// fully qualified class name, simple class name or simple name without the
// "ConfigProvider" suffix, the aliases Java derives for every plugin.
func BuiltinProvider(class string) (connect.ConfigProvider, bool) {
	for fqcn, ctor := range configprovider.Providers() {
		simple := fqcn[strings.LastIndexByte(fqcn, '.')+1:]
		pruned := strings.TrimSuffix(simple, "ConfigProvider")
		if class == fqcn || class == simple || class == pruned {
			return ctor(), true
		}
	}
	return nil, false
}

// ReverseTransform returns task configs with the raw connector value restored for
// every key whose raw connector value contains a reference and that the task config
// also has (Java's AbstractHerder.reverseTransform). Task configs are derived from
// the resolved connector config, so without this they would carry secrets into
// storage and GET /connectors/{name}/tasks. Keys a connector derives under a
// different name are not covered, as in Java. The inputs are not modified.
func ReverseTransform(rawConnectorConfig map[string]string, taskConfigs []map[string]string) []map[string]string {
	var withRefs []string
	for k, v := range rawConnectorConfig {
		if HasReference(v) {
			withRefs = append(withRefs, k)
		}
	}
	out := make([]map[string]string, len(taskConfigs))
	for i, tc := range taskConfigs {
		c := maps.Clone(tc)
		if c == nil {
			c = map[string]string{}
		}
		for _, k := range withRefs {
			if _, ok := c[k]; ok {
				c[k] = rawConnectorConfig[k]
			}
		}
		out[i] = c
	}
	return out
}
