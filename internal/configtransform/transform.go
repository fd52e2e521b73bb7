package configtransform

import (
	"context"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/connect"
)

// Pattern matches a reference, as Java's ConfigTransformer.DEFAULT_PATTERN:
// ${provider:key} or ${provider:path:key}. Go's regexp picks the same submatches
// as Java's backtracking engine for it, so in ${p:a:b:c} the provider is "p", the
// path "a" and the key "b:c".
var Pattern = regexp.MustCompile(`\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}`)

// reference is one match of Pattern.
type reference struct {
	provider, path, key string
}

func references(value string) []reference {
	var refs []reference
	for _, m := range Pattern.FindAllStringSubmatch(value, -1) {
		refs = append(refs, reference{provider: m[1], path: m[3], key: m[4]})
	}
	return refs
}

// HasReference reports whether value contains a ${...} reference (Java's
// Matcher.find on DEFAULT_PATTERN), whether or not it can be resolved.
func HasReference(value string) bool { return Pattern.MatchString(value) }

// Transformer resolves references with a fixed set of providers. It is immutable
// and safe for concurrent use when its providers are (the ConfigProvider contract
// requires it). Close it when the worker stops.
type Transformer struct {
	// providers maps a config.providers name to its instance; a nil instance (name
	// listed without a .class) leaves that provider's references unresolved.
	providers map[string]connect.ConfigProvider
}

// New returns a Transformer over providers, keyed by config.providers name. It
// takes ownership of them: Close closes them.
func New(providers map[string]connect.ConfigProvider) *Transformer {
	return &Transformer{providers: maps.Clone(providers)}
}

// Result is a resolved configuration.
type Result struct {
	// Data is the configuration with every resolvable reference replaced. It holds
	// secrets: hand it to plugins, never to logs, storage or REST.
	Data map[string]string
	// TTLs maps a provider path to how long its values stay valid, for the paths
	// whose provider returned a TTL (Java keys them by path alone). See Restarts.
	TTLs map[string]time.Duration

	// substituted maps each value a provider supplied (and that was used) to the
	// reference text it replaced, for Redact.
	substituted map[string]string
}

// ProviderError is a failed ConfigProvider.Get. Its message is the provider's own
// (Java surfaces the provider's ConfigException unchanged); Provider and Path say
// where it came from.
type ProviderError struct {
	Provider string
	Path     string
	Err      error
}

func (e *ProviderError) Error() string { return e.Err.Error() }
func (e *ProviderError) Unwrap() error { return e.Err }

// Transform resolves configs (Java's ConfigTransformer.transform): every reference
// is collected, each provider is asked once per path for all the keys wanted there,
// then each value has its resolvable references replaced; a reference to an
// unknown provider or to a key the provider did not return is kept as written. A
// nil Transformer returns configs unchanged. configs is not modified.
func (t *Transformer) Transform(ctx context.Context, configs map[string]string) (Result, error) {
	res := Result{Data: maps.Clone(configs), TTLs: map[string]time.Duration{}}
	if res.Data == nil {
		res.Data = map[string]string{}
	}
	if t == nil {
		return res, nil
	}
	// provider -> path -> keys wanted
	wanted := map[string]map[string]map[string]struct{}{}
	for _, v := range configs {
		for _, r := range references(v) {
			byPath := wanted[r.provider]
			if byPath == nil {
				byPath = map[string]map[string]struct{}{}
				wanted[r.provider] = byPath
			}
			if byPath[r.path] == nil {
				byPath[r.path] = map[string]struct{}{}
			}
			byPath[r.path][r.key] = struct{}{}
		}
	}
	if len(wanted) == 0 {
		return res, nil
	}
	// provider -> path -> key -> value. Sorted iteration keeps provider calls (and
	// so errors and TTL collisions between providers) deterministic.
	lookups := map[string]map[string]map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(wanted)) {
		p := t.providers[name]
		if p == nil {
			continue
		}
		byPath := wanted[name]
		for _, path := range slices.Sorted(maps.Keys(byPath)) {
			keys := slices.Sorted(maps.Keys(byPath[path]))
			cd, err := p.Get(ctx, path, keys)
			if err != nil {
				return Result{}, &ProviderError{Provider: name, Path: path, Err: err}
			}
			if cd.TTL != nil && *cd.TTL >= 0 {
				res.TTLs[path] = *cd.TTL
			}
			if lookups[name] == nil {
				lookups[name] = map[string]map[string]string{}
			}
			lookups[name][path] = cd.Data
		}
	}
	res.substituted = map[string]string{}
	for k, v := range configs {
		res.Data[k] = replace(lookups, v, res.substituted)
	}
	return res, nil
}

// replace substitutes the resolvable references in value, recording each
// substitution in substituted.
func replace(lookups map[string]map[string]map[string]string, value string, substituted map[string]string) string {
	ms := Pattern.FindAllStringSubmatchIndex(value, -1)
	if ms == nil {
		return value
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		provider, key := value[m[2]:m[3]], value[m[8]:m[9]]
		path := ""
		if m[6] >= 0 {
			path = value[m[6]:m[7]]
		}
		v, ok := lookups[provider][path][key]
		if !ok {
			continue // kept as written, with the text around it
		}
		b.WriteString(value[last:m[0]])
		b.WriteString(v)
		substituted[v] = value[m[0]:m[1]]
		last = m[1]
	}
	b.WriteString(value[last:])
	return b.String()
}

// Redact returns s with every value a provider supplied during this resolution
// replaced by the ${...} reference it came from, longest value first. Use it on
// text derived from the resolved config that leaves the worker: validation error
// messages, connector and task failure traces, log lines. Empty values are left
// alone (there is nothing to find).
func (r Result) Redact(s string) string {
	vals := slices.Collect(maps.Keys(r.substituted))
	slices.SortFunc(vals, func(a, b string) int { return len(b) - len(a) })
	for _, v := range vals {
		if v != "" {
			s = strings.ReplaceAll(s, v, r.substituted[v])
		}
	}
	return s
}

// Restarts returns the TTLs after which the connector whose configuration was
// resolved must be restarted, or nil when its config.action.reload is none
// (WorkerConfigTransformer.scheduleReload). Java keeps one pending restart per
// connector and path: a new one for the same path replaces the old.
func (r Result) Restarts(connectorConfig map[string]string) map[string]time.Duration {
	if len(r.TTLs) == 0 || !ReloadOnExpiry(connectorConfig) {
		return nil
	}
	return maps.Clone(r.TTLs)
}

// ConfigActionReload is the connector key that says what to do when a provider's
// TTL expires: "restart" (default) or "none".
const ConfigActionReload = "config.action.reload"

// ReloadOnExpiry reports whether config.action.reload asks for a restart: unset or
// "restart" (any case) does; "none" or an invalid value (which validation rejects)
// does not.
func ReloadOnExpiry(connectorConfig map[string]string) bool {
	v, ok := connectorConfig[ConfigActionReload]
	return !ok || strings.EqualFold(strings.TrimSpace(v), "restart")
}

// Close closes every provider; errors are joined (Java closes them quietly).
func (t *Transformer) Close() error {
	if t == nil {
		return nil
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(t.providers)) {
		if p := t.providers[name]; p != nil {
			errs = append(errs, p.Close())
		}
	}
	return errors.Join(errs...)
}
