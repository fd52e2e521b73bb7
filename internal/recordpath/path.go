package recordpath

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/kafka"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/internal/tolerance"
)

// DefaultHeaderConverter is header.converter's default (worker and connector).
const DefaultHeaderConverter = "org.apache.kafka.connect.storage.SimpleHeaderConverter"

// Protect runs plugin code (a Configure, a Close), turning a panic into an
// error; the worker and the plugin SDK each pass their own.
type Protect func(what string, f func() error) error

// Path is a task's converters and transformation chain. It is used by one
// goroutine at a time (the task's).
type Path struct {
	Key, Value connect.Converter
	Header     connect.HeaderConverter
	Chain      Chain
	// KeyClass, ValueClass and HeaderClass are the converters' Java class names,
	// as error reports name the executing class.
	KeyClass, ValueClass, HeaderClass string

	props map[string]string
}

// New builds the path of a connector: converters from the connector's
// <kind>.converter keys, else the worker's (reference §6.4), and the chain
// from the connector's transforms and predicates keys.
func New(reg *registry.Registry, workerProps, connProps map[string]string, protect Protect) (*Path, error) {
	p := &Path{props: map[string]string{}}
	var err error
	if p.Key, p.KeyClass, err = p.converter(reg, workerProps, connProps, "key", protect); err != nil {
		return nil, err
	}
	if p.Value, p.ValueClass, err = p.converter(reg, workerProps, connProps, "value", protect); err != nil {
		return nil, err
	}
	if p.Header, p.HeaderClass, err = p.headerConverter(reg, workerProps, connProps, protect); err != nil {
		return nil, err
	}
	if p.Chain, err = NewChain(reg, connProps, protect); err != nil {
		return nil, err
	}
	for k, v := range connProps {
		if strings.HasPrefix(k, "transforms") || strings.HasPrefix(k, "predicates") {
			p.props[k] = v
		}
	}
	return p, nil
}

// Props returns connector-style properties that make New build this same path
// from any worker config: each converter's class and properties as the
// connector's own, and the transforms and predicates keys.
func (p *Path) Props() map[string]string { return maps.Clone(p.props) }

// Close closes the chain; failures are logged (see Chain.Close).
func (p *Path) Close(log *slog.Logger, protect Protect) { p.Chain.Close(log, protect) }

// converterProps picks the class and properties of <kind>.converter (reference
// §6.4): the connector's own, configured only with the connector's <kind>.converter.*
// keys, else the worker's with the worker's keys.
func converterProps(workerProps, connProps map[string]string, kind, def string) (string, map[string]string) {
	key := kind + ".converter"
	if c := strings.TrimSpace(connProps[key]); c != "" {
		return c, kafka.WithPrefix(connProps, key+".")
	}
	c := strings.TrimSpace(workerProps[key])
	if c == "" {
		c = def
	}
	return c, kafka.WithPrefix(workerProps, key+".")
}

// keep records a converter's class and properties in p.props.
func (p *Path) keep(kind, class string, props map[string]string) {
	p.props[kind+".converter"] = class
	for k, v := range props {
		p.props[kind+".converter."+k] = v
	}
}

func (p *Path) converter(reg *registry.Registry, workerProps, connProps map[string]string, kind string, protect Protect) (connect.Converter, string, error) {
	class, props := converterProps(workerProps, connProps, kind, "")
	if class == "" {
		return nil, "", fmt.Errorf("missing required configuration %s.converter which has no default value", kind)
	}
	pl, err := reg.Lookup(class, registry.Converter)
	if err != nil {
		return nil, "", fmt.Errorf("%s.converter: %w", kind, err)
	}
	p.keep(kind, class, props)
	props["converter.type"] = kind
	var c connect.Converter
	err = protect(class, func() error {
		c = pl.NewConverter()
		return c.Configure(props, kind == "key")
	})
	if err != nil {
		return nil, "", fmt.Errorf("configure %s.converter %s: %w", kind, class, err)
	}
	return c, pl.Class, nil
}

func (p *Path) headerConverter(reg *registry.Registry, workerProps, connProps map[string]string, protect Protect) (connect.HeaderConverter, string, error) {
	class, props := converterProps(workerProps, connProps, "header", DefaultHeaderConverter)
	pl, err := reg.Lookup(class, registry.HeaderConverter)
	if err != nil {
		return nil, "", fmt.Errorf("header.converter: %w", err)
	}
	p.keep("header", class, props)
	props["converter.type"] = "header"
	var c connect.HeaderConverter
	err = protect(class, func() error {
		c = pl.NewHeaderConverter()
		return c.Configure(props)
	})
	if err != nil {
		return nil, "", fmt.Errorf("configure header.converter %s: %w", class, err)
	}
	return c, pl.Class, nil
}

// stage is one transformation with its optional predicate.
type stage struct {
	alias  string
	class  string
	t      connect.Transformation
	pred   connect.Predicate
	negate bool
}

// Chain is a connector's transformation chain (Java's TransformationChain).
type Chain struct {
	stages []stage
	preds  []connect.Predicate // every configured predicate, closed with the chain
}

// SplitList splits a comma-separated list (transforms, predicates, topics),
// trimming items and dropping empty ones.
func SplitList(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// NewChain builds transforms/predicates from the connector config through the
// registry. Each plugin is configured with its sub-keys, prefix stripped ("type"
// included, "predicate" and "negate" removed for transformations, as Java does).
func NewChain(reg *registry.Registry, props map[string]string, protect Protect) (c Chain, err error) {
	defer func() {
		if err != nil {
			c.Close(nil, protect)
		}
	}()
	preds := map[string]connect.Predicate{}
	predAliases := SplitList(props["predicates"])
	for i, a := range predAliases {
		if slices.Contains(predAliases[:i], a) {
			return c, fmt.Errorf("invalid value %s for configuration predicates: duplicate alias provided", props["predicates"])
		}
		class := strings.TrimSpace(props["predicates."+a+".type"])
		pl, err := reg.Lookup(class, registry.Predicate)
		if err != nil {
			return c, fmt.Errorf("predicates.%s.type: %w", a, err)
		}
		var p connect.Predicate
		if err := protect(class, func() error {
			p = pl.NewPredicate()
			return p.Configure(kafka.WithPrefix(props, "predicates."+a+"."))
		}); err != nil {
			return c, fmt.Errorf("configure predicate %s: %w", a, err)
		}
		preds[a] = p
		c.preds = append(c.preds, p)
	}
	aliases := SplitList(props["transforms"])
	for i, a := range aliases {
		if slices.Contains(aliases[:i], a) {
			return c, fmt.Errorf("invalid value %s for configuration transforms: duplicate alias provided", props["transforms"])
		}
		prefix := "transforms." + a + "."
		sub := kafka.WithPrefix(props, prefix)
		st := stage{alias: a, class: strings.TrimSpace(sub["type"])}
		predAlias, hasPred := sub["predicate"]
		negate, hasNegate := sub["negate"]
		delete(sub, "predicate")
		delete(sub, "negate")
		predAlias = strings.TrimSpace(predAlias)
		if hasPred && predAlias != "" {
			if st.pred = preds[predAlias]; st.pred == nil {
				return c, fmt.Errorf("invalid value %s for configuration %spredicate: no predicate with that alias is configured", predAlias, prefix)
			}
		}
		if hasNegate && strings.TrimSpace(negate) != "" {
			if st.pred == nil {
				return c, fmt.Errorf("invalid value %s for configuration %snegate: negate can only be used with a predicate", negate, prefix)
			}
			st.negate = strings.EqualFold(strings.TrimSpace(negate), "true")
		}
		pl, err := reg.Lookup(st.class, registry.Transformation)
		if err != nil {
			return c, fmt.Errorf("%stype: %w", prefix, err)
		}
		st.class = pl.Class // the Java class name, for error reports
		if err := protect(st.class, func() error {
			st.t = pl.NewTransformation()
			return st.t.Configure(sub)
		}); err != nil {
			return c, fmt.Errorf("configure transformation %s: %w", a, err)
		}
		c.stages = append(c.stages, st)
	}
	return c, nil
}

// Exec runs one stage of a record: the task's error operator
// (tolerance.Operator.Execute bound to the record), or direct execution when nil.
// ok false with a nil error means the record failed and is skipped.
type Exec func(stage tolerance.Stage, class string, op func() error) (ok bool, err error)

func (x Exec) run(stage tolerance.Stage, class string, op func() error) (bool, error) {
	if x == nil {
		return true, op()
	}
	return x(stage, class, op)
}

// Apply runs r through the chain; nil means a stage dropped it, or (skipped) the
// error operator tolerated a failure. A stage whose predicate test XOR negate is
// false passes the record through unchanged. Each stage, predicate included, runs
// as one TRANSFORMATION operation, as Java's TransformationStage does.
func (c *Chain) Apply(r *connect.Record, exec Exec) (out *connect.Record, skipped bool, err error) {
	for i := range c.stages {
		st := &c.stages[i]
		var next *connect.Record
		ok, err := exec.run(tolerance.StageTransformation, st.class, func() error {
			if st.pred != nil {
				ok, err := st.pred.Test(r)
				if err != nil {
					return fmt.Errorf("predicate of transformation %s: %w", st.alias, err)
				}
				if ok == st.negate {
					next = r
					return nil
				}
			}
			var err error
			next, err = st.t.Apply(r)
			return err
		})
		if err != nil {
			return nil, false, fmt.Errorf("transformation %s (%s): %w", st.alias, st.class, err)
		}
		if !ok {
			return nil, true, nil
		}
		if next == nil {
			return nil, false, nil
		}
		r = next
	}
	return r, false, nil
}

// Close closes every stage and predicate; failures are logged (when log is not
// nil) and ignored, as Java does, since nothing can act on them.
func (c *Chain) Close(log *slog.Logger, protect Protect) {
	var errs []error
	for _, st := range c.stages {
		if st.t != nil {
			errs = append(errs, protect("transformation Close", st.t.Close))
		}
	}
	for _, p := range c.preds {
		errs = append(errs, protect("predicate Close", p.Close))
	}
	if err := errors.Join(errs...); err != nil && log != nil {
		log.Warn("closing transformations failed", "error", err)
	}
}
