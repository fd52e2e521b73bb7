package worker

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/kafka"
	"github.com/goconnect/goconnect/internal/registry"
)

// defaultHeaderConverter is header.converter's default (worker and connector).
const defaultHeaderConverter = "org.apache.kafka.connect.storage.SimpleHeaderConverter"

// pipeline is a task's converters and transformation chain. It is used by the task
// goroutine only.
type pipeline struct {
	key, value connect.Converter
	header     connect.HeaderConverter
	chain      chain
}

func (w *Worker) newPipeline(connProps map[string]string) (*pipeline, error) {
	p := &pipeline{}
	var err error
	if p.key, err = w.converter(connProps, "key"); err != nil {
		return nil, err
	}
	if p.value, err = w.converter(connProps, "value"); err != nil {
		return nil, err
	}
	if p.header, err = w.headerConverter(connProps); err != nil {
		return nil, err
	}
	if p.chain, err = w.newChain(connProps); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *pipeline) close(log *slog.Logger) { p.chain.close(log) }

// converterProps picks the class and properties of <kind>.converter (reference
// §6.4): the connector's own, configured only with the connector's <kind>.converter.*
// keys, else the worker's with the worker's keys.
func (w *Worker) converterProps(connProps map[string]string, kind, def string) (string, map[string]string) {
	key := kind + ".converter"
	if c := strings.TrimSpace(connProps[key]); c != "" {
		return c, kafka.WithPrefix(connProps, key+".")
	}
	c := strings.TrimSpace(w.cfg.Props[key])
	if c == "" {
		c = def
	}
	return c, kafka.WithPrefix(w.cfg.Props, key+".")
}

func (w *Worker) converter(connProps map[string]string, kind string) (connect.Converter, error) {
	class, props := w.converterProps(connProps, kind, "")
	if class == "" {
		return nil, fmt.Errorf("missing required configuration %s.converter which has no default value", kind)
	}
	p, err := w.reg.Lookup(class, registry.Converter)
	if err != nil {
		return nil, fmt.Errorf("%s.converter: %w", kind, err)
	}
	props["converter.type"] = kind
	var c connect.Converter
	err = protect(class, func() error {
		c = p.NewConverter()
		return c.Configure(props, kind == "key")
	})
	if err != nil {
		return nil, fmt.Errorf("configure %s.converter %s: %w", kind, class, err)
	}
	return c, nil
}

func (w *Worker) headerConverter(connProps map[string]string) (connect.HeaderConverter, error) {
	class, props := w.converterProps(connProps, "header", defaultHeaderConverter)
	p, err := w.reg.Lookup(class, registry.HeaderConverter)
	if err != nil {
		return nil, fmt.Errorf("header.converter: %w", err)
	}
	props["converter.type"] = "header"
	var c connect.HeaderConverter
	err = protect(class, func() error {
		c = p.NewHeaderConverter()
		return c.Configure(props)
	})
	if err != nil {
		return nil, fmt.Errorf("configure header.converter %s: %w", class, err)
	}
	return c, nil
}

// stage is one transformation with its optional predicate.
type stage struct {
	alias  string
	class  string
	t      connect.Transformation
	pred   connect.Predicate
	negate bool
}

// chain is a connector's transformation chain (Java's TransformationChain).
type chain struct {
	stages []stage
	preds  []connect.Predicate // every configured predicate, closed with the chain
}

func splitList(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// newChain builds transforms/predicates from the connector config through the
// registry. Each plugin is configured with its sub-keys, prefix stripped ("type"
// included, "predicate" and "negate" removed for transformations, as Java does).
func (w *Worker) newChain(props map[string]string) (c chain, err error) {
	defer func() {
		if err != nil {
			c.close(w.log)
		}
	}()
	preds := map[string]connect.Predicate{}
	predAliases := splitList(props["predicates"])
	for i, a := range predAliases {
		if slices.Contains(predAliases[:i], a) {
			return c, fmt.Errorf("invalid value %s for configuration predicates: duplicate alias provided", props["predicates"])
		}
		class := strings.TrimSpace(props["predicates."+a+".type"])
		pl, err := w.reg.Lookup(class, registry.Predicate)
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
	aliases := splitList(props["transforms"])
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
		pl, err := w.reg.Lookup(st.class, registry.Transformation)
		if err != nil {
			return c, fmt.Errorf("%stype: %w", prefix, err)
		}
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

// apply runs r through the chain; nil means a stage dropped it. A stage whose
// predicate test XOR negate is false passes the record through unchanged.
// Errors are returned (errors.tolerance lands in internal/tolerance; this is where
// it will wrap each stage).
func (c *chain) apply(r *connect.Record) (*connect.Record, error) {
	for i := range c.stages {
		st := &c.stages[i]
		if st.pred != nil {
			ok, err := st.pred.Test(r)
			if err != nil {
				return nil, fmt.Errorf("predicate of transformation %s: %w", st.alias, err)
			}
			if ok == st.negate {
				continue
			}
		}
		out, err := st.t.Apply(r)
		if err != nil {
			return nil, fmt.Errorf("transformation %s (%s): %w", st.alias, st.class, err)
		}
		if out == nil {
			return nil, nil
		}
		r = out
	}
	return r, nil
}

// close closes every stage and predicate; failures are logged and ignored, as
// Java does, since nothing can act on them.
func (c *chain) close(log *slog.Logger) {
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
