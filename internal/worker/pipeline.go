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
	"github.com/goconnect/goconnect/internal/tolerance"
)

// defaultHeaderConverter is header.converter's default (worker and connector).
const defaultHeaderConverter = "org.apache.kafka.connect.storage.SimpleHeaderConverter"

// pipeline is a task's converters and transformation chain. It is used by the task
// goroutine only.
type pipeline struct {
	key, value connect.Converter
	header     connect.HeaderConverter
	chain      chain
	// keyClass, valueClass and headerClass are the converters' Java class names,
	// as error reports name the executing class.
	keyClass, valueClass, headerClass string
}

func (w *Worker) newPipeline(connProps map[string]string) (*pipeline, error) {
	p := &pipeline{}
	var err error
	if p.key, p.keyClass, err = w.converter(connProps, "key"); err != nil {
		return nil, err
	}
	if p.value, p.valueClass, err = w.converter(connProps, "value"); err != nil {
		return nil, err
	}
	if p.header, p.headerClass, err = w.headerConverter(connProps); err != nil {
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

func (w *Worker) converter(connProps map[string]string, kind string) (connect.Converter, string, error) {
	class, props := w.converterProps(connProps, kind, "")
	if class == "" {
		return nil, "", fmt.Errorf("missing required configuration %s.converter which has no default value", kind)
	}
	p, err := w.reg.Lookup(class, registry.Converter)
	if err != nil {
		return nil, "", fmt.Errorf("%s.converter: %w", kind, err)
	}
	props["converter.type"] = kind
	var c connect.Converter
	err = protect(class, func() error {
		c = p.NewConverter()
		return c.Configure(props, kind == "key")
	})
	if err != nil {
		return nil, "", fmt.Errorf("configure %s.converter %s: %w", kind, class, err)
	}
	return c, p.Class, nil
}

func (w *Worker) headerConverter(connProps map[string]string) (connect.HeaderConverter, string, error) {
	class, props := w.converterProps(connProps, "header", defaultHeaderConverter)
	p, err := w.reg.Lookup(class, registry.HeaderConverter)
	if err != nil {
		return nil, "", fmt.Errorf("header.converter: %w", err)
	}
	props["converter.type"] = "header"
	var c connect.HeaderConverter
	err = protect(class, func() error {
		c = p.NewHeaderConverter()
		return c.Configure(props)
	})
	if err != nil {
		return nil, "", fmt.Errorf("configure header.converter %s: %w", class, err)
	}
	return c, p.Class, nil
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

// stageExec runs one stage of a record: the task's error operator
// (tolerance.Operator.Execute bound to the record), or direct execution when nil.
// ok false with a nil error means the record failed and is skipped.
type stageExec func(stage tolerance.Stage, class string, op func() error) (ok bool, err error)

func (x stageExec) run(stage tolerance.Stage, class string, op func() error) (bool, error) {
	if x == nil {
		return true, op()
	}
	return x(stage, class, op)
}

// apply runs r through the chain; nil means a stage dropped it, or (skipped) the
// error operator tolerated a failure. A stage whose predicate test XOR negate is
// false passes the record through unchanged. Each stage, predicate included, runs
// as one TRANSFORMATION operation, as Java's TransformationStage does.
func (c *chain) apply(r *connect.Record, exec stageExec) (out *connect.Record, skipped bool, err error) {
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
