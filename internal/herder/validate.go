package herder

// This file implements connector-config validation as Java's AbstractHerder does it
// (validateConnectorConfig, generateResult, mergeConfigInfos, prefixedConfigInfos):
// the same steps in the same order, so PUT /connector-plugins/{p}/config/validate and
// the 400 of an invalid create answer what Java answers. It is a pure function of the
// registry, the worker properties and the submitted properties.

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/kafka"
	"github.com/goconnect/goconnect/internal/registry"
)

// NullValueMessage is Java's error for a config key whose JSON value was null.
const NullValueMessage = "Null value can not be supplied as the configuration value."

// simpleHeaderConverter is the worker's header.converter default.
const simpleHeaderConverter = "org.apache.kafka.connect.storage.SimpleHeaderConverter"

// ValidateOptions carries what validation needs besides the properties.
type ValidateOptions struct {
	// WorkerProps are the worker properties. key.converter, value.converter,
	// header.converter and their .plugin.version keys become the defaults of the
	// connector's converter keys, as in Java's ConnectorConfig.enrichedConfigDef.
	WorkerProps map[string]string
	// NullKeys are config keys whose JSON value was null: each gets
	// NullValueMessage (Go maps of strings cannot hold a null).
	NullKeys []string
}

// Validate validates a connector configuration (PUT
// /connector-plugins/{p}/config/validate, and the check before create/update) with
// no worker properties. See ValidateWith.
func Validate(reg *registry.Registry, props map[string]string) (ConfigInfos, error) {
	return ValidateWith(reg, props, ValidateOptions{})
}

// ValidateWith validates a connector configuration the way Java's
// AbstractHerder.validateConnectorConfig does: the framework definition (with
// transforms.<alias>.* and predicates.<alias>.* sub-definitions), the sink topic
// rules, null values, the connector's own definition and optional
// connect.ConfigValidator, then the configs of converters set on the connector.
// Config problems are in the result (ErrorCount > 0); the error is for requests
// that cannot be validated at all: no connector.class (ErrBadRequest
// "Connector config {...} contains no connector type") or an unknown connector
// class (ErrBadRequest with the registry's message).
func ValidateWith(reg *registry.Registry, props map[string]string, opts ValidateOptions) (ConfigInfos, error) {
	connType, ok := props[ConnectorClassConfig]
	if !ok {
		return ConfigInfos{}, Errorf(ErrBadRequest, "Connector config %s contains no connector type", javaMapString(props))
	}
	plugin, err := reg.LookupConnectorFor(props)
	if err != nil {
		return ConfigInfos{}, &Error{Kind: ErrBadRequest, Message: err.Error()}
	}
	conn := plugin.NewConnector()

	d := enrichedDefaults(reg, plugin, props, opts.WorkerProps)
	def := frameworkDef(reg, plugin.Kind, d)
	enrich(reg, def, props)
	if plugin.Kind == registry.Source {
		enrichTopicCreation(def, props, opts.WorkerProps)
	}
	values := def.validate(reg, props)
	if plugin.Kind == registry.Sink {
		values = validateSinkTopics(props, values)
	}
	values = addNullErrors(values, opts.NullKeys)
	frameworkValues := values

	cdef := conn.Config()
	if cdef == nil {
		return ConfigInfos{}, Errorf(ErrBadRequest, "%s.config() must return a ConfigDef that is not null.", plugin.Class)
	}
	cd := newDefn()
	for _, k := range cdef.Keys() {
		if !k.Internal {
			cd.define(k)
		}
	}
	cvalues := cd.validate(reg, props)
	if cv, ok := conn.(connect.ConfigValidator); ok {
		cvalues = cv.Validate(props, cvalues)
	}
	all := def.clone()
	for _, k := range cd.keys {
		all.define(k)
	}
	connectorInfos := generateResult(connType, all.keys, append(slices.Clone(values), cvalues...), all.groups)

	converterInfos := []*ConfigInfos{}
	for _, c := range []struct {
		key        string
		kind       registry.Kind
		typeConfig string
	}{
		{HeaderConverterConfig, registry.HeaderConverter, "header"},
		{KeyConverterConfig, registry.Converter, "key"},
		{ValueConverterConfig, registry.Converter, "value"},
	} {
		converterInfos = append(converterInfos, validateConverter(reg, props, frameworkValues, c.key, c.kind, c.typeConfig))
	}
	converterInfos = append(converterInfos, validateClientOverrides(props, opts.WorkerProps)...)
	return mergeConfigInfos(connType, append([]*ConfigInfos{&connectorInfos}, converterInfos...)...), nil
}

// ValidationError returns the 400 error of a create or update whose configuration
// has errors (Java's AbstractHerder.maybeAddConfigErrors), or nil when there are none.
func ValidationError(infos ConfigInfos) error {
	if infos.ErrorCount == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Connector configuration is invalid and contains the following %d error(s):", infos.ErrorCount)
	for _, c := range infos.Configs {
		if c.Value == nil {
			continue
		}
		for _, m := range c.Value.Errors {
			b.WriteString("\n")
			b.WriteString(m)
		}
	}
	b.WriteString("\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")
	return &Error{Kind: ErrBadRequest, Message: b.String()}
}

// AddNullErrors adds NullValueMessage for keys whose JSON value was null to an
// already computed result, for callers that validate through an interface taking
// map[string]string: on a defined key the message joins that key's errors,
// otherwise a value without definition is listed first, as Java lists them.
func AddNullErrors(infos ConfigInfos, keys []string) ConfigInfos {
	for _, k := range keys {
		found := false
		for i := range infos.Configs {
			v := infos.Configs[i].Value
			if v != nil && v.Name == k {
				v.Errors = append(v.Errors, NullValueMessage)
				found = true
				break
			}
		}
		if !found {
			infos.Configs = append([]ConfigInfo{{Value: &ConfigValueInfo{Name: k, RecommendedValues: []string{}, Errors: []string{NullValueMessage}, Visible: true}}}, infos.Configs...)
		}
		infos.ErrorCount++
	}
	return infos
}

// PluginConfig returns the configuration keys of a plugin for GET
// /connector-plugins/{plugin}/config: for a connector its own keys followed by the
// framework's sink or source keys it does not define; for other plugins their own
// keys. name may be a class name or an alias; an unknown plugin is ErrNotFound
// "Unknown plugin X.".
func PluginConfig(reg *registry.Registry, name string) ([]ConfigKeyInfo, error) {
	p, err := reg.Lookup(name)
	if err != nil {
		if errors.Is(err, registry.ErrNotFound) {
			return nil, Errorf(ErrNotFound, "Unknown plugin %s.", name)
		}
		return nil, &Error{Kind: ErrBadRequest, Message: err.Error()}
	}
	var own *config.Def
	var base *config.Def
	switch p.Kind {
	case registry.Source, registry.Sink:
		own = p.NewConnector().Config()
		base = config.NewDef().Define(commonKeys(defaults{connectorVersion: versionOrNil(p.Version)})...)
		if p.Kind == registry.Sink {
			base.Define(sinkKeys()...)
		} else {
			base.Define(sourceKeys()...)
		}
	case registry.Converter:
		own = p.NewConverter().Config()
	case registry.HeaderConverter:
		own = p.NewHeaderConverter().Config()
	case registry.Transformation:
		own = p.NewTransformation().Config()
	case registry.Predicate:
		own = p.NewPredicate().Config()
	default:
		return nil, Errorf(ErrBadRequest, "Invalid plugin class %s. Valid types are sink, source, converter, header_converter, transformation, predicate.", name)
	}
	out := []ConfigKeyInfo{}
	if own != nil {
		for _, k := range own.Keys() {
			if !k.Internal {
				out = append(out, KeyInfo(k, ""))
			}
		}
	}
	if base != nil {
		for _, k := range base.Keys() {
			if own != nil {
				if _, dup := own.Key(k.Name); dup {
					continue
				}
			}
			out = append(out, KeyInfo(k, ""))
		}
	}
	return out, nil
}

// KeyInfo converts a key definition to Java's ConfigKeyInfo, with prefix before its
// name (Java's convertConfigKey): the default rendered as a string (null when
// required or null), group null when empty, and order -1 for a key defined without
// group and order (Java's default orderInGroup).
func KeyInfo(k config.Key, prefix string) ConfigKeyInfo {
	info := ConfigKeyInfo{
		Name:          prefix + k.Name,
		Type:          k.Type.String(),
		Required:      k.Required(),
		Importance:    k.Importance.String(),
		Documentation: k.Doc,
		OrderInGroup:  orderInGroup(k),
		Width:         k.Width.String(),
		DisplayName:   k.DisplayName,
		Dependents:    slices.Clone(k.Dependents),
	}
	if info.DisplayName == "" {
		info.DisplayName = k.Name
	}
	if info.Dependents == nil {
		info.Dependents = []string{}
	}
	if s, ok := k.DefaultString(); ok {
		info.DefaultValue = &s
	}
	if k.Group != "" {
		g := k.Group
		info.Group = &g
	}
	return info
}

func orderInGroup(k config.Key) int {
	if k.Group == "" && k.OrderInGroup == 0 {
		return -1
	}
	return k.OrderInGroup
}

// ValueInfo converts a validated value to Java's ConfigValueInfo: the value rendered
// as a string (null stays null, PASSWORD values are hidden), recommended values
// likewise.
func ValueInfo(v config.Value, t config.Type) ConfigValueInfo {
	info := ConfigValueInfo{
		Name:              v.Name,
		Value:             valueString(v.Value, t),
		RecommendedValues: []string{},
		Errors:            slices.Clone(v.Errors),
		Visible:           v.Visible,
	}
	if info.Errors == nil {
		info.Errors = []string{}
	}
	for _, r := range v.RecommendedValues {
		rt := t
		if t == config.List {
			rt = config.String
		}
		if s := valueString(r, rt); s != nil {
			info.RecommendedValues = append(info.RecommendedValues, *s)
		}
	}
	return info
}

func valueString(v any, t config.Type) *string {
	if v == nil {
		return nil
	}
	s := config.FormatValue(v)
	if t == config.Password {
		s = config.HiddenPassword
	}
	return &s
}

// generateResult is Java's AbstractHerder.generateResult: values without a
// definition first, then every key in order with its value (the last value of a
// name wins); error_count counts messages.
func generateResult(connType string, keys []config.Key, values []config.Value, groups []string) ConfigInfos {
	defined := make(map[string]config.Type, len(keys))
	for _, k := range keys {
		defined[k.Name] = k.Type
	}
	byName := map[string]config.Value{}
	out := ConfigInfos{Name: connType, Groups: slices.Clone(groups), Configs: []ConfigInfo{}}
	if out.Groups == nil {
		out.Groups = []string{}
	}
	for _, v := range values {
		byName[v.Name] = v
		if _, ok := defined[v.Name]; !ok {
			vi := ValueInfo(v, 0)
			out.Configs = append(out.Configs, ConfigInfo{Value: &vi})
			out.ErrorCount += len(v.Errors)
		}
	}
	for _, k := range keys {
		ki := KeyInfo(k, "")
		ci := ConfigInfo{Definition: &ki}
		if v, ok := byName[k.Name]; ok {
			vi := ValueInfo(v, k.Type)
			ci.Value = &vi
			out.ErrorCount += len(v.Errors)
		}
		out.Configs = append(out.Configs, ci)
	}
	return out
}

// prefixedConfigInfos is Java's AbstractHerder.prefixedConfigInfos, used for the
// configs of converters: names get the prefix, error_count counts values with
// errors, and the result's name is empty.
func prefixedConfigInfos(d *defn, values []config.Value, prefix string) *ConfigInfos {
	out := &ConfigInfos{Groups: []string{}, Configs: []ConfigInfo{}}
	for _, v := range values {
		ci := ConfigInfo{}
		t := config.Type(0)
		if k, ok := d.key(v.Name); ok {
			if k.Group != "" && !slices.Contains(out.Groups, k.Group) {
				out.Groups = append(out.Groups, k.Group)
			}
			ki := KeyInfo(k, prefix)
			ci.Definition = &ki
			t = k.Type
		}
		if len(v.Errors) > 0 {
			out.ErrorCount++
		}
		pv := v
		pv.Name = prefix + v.Name
		pv.Visible = true
		vi := ValueInfo(pv, t)
		ci.Value = &vi
		out.Configs = append(out.Configs, ci)
	}
	return out
}

// mergeConfigInfos is Java's AbstractHerder.mergeConfigInfos.
func mergeConfigInfos(connType string, parts ...*ConfigInfos) ConfigInfos {
	out := ConfigInfos{Name: connType, Groups: []string{}, Configs: []ConfigInfo{}}
	for _, p := range parts {
		if p == nil {
			continue
		}
		out.ErrorCount += p.ErrorCount
		out.Configs = append(out.Configs, p.Configs...)
		for _, g := range p.Groups {
			if !slices.Contains(out.Groups, g) {
				out.Groups = append(out.Groups, g)
			}
		}
	}
	return out
}

// validateConverter validates the config of a converter set on the connector
// (Java's AbstractHerder.validateConverterConfig): only when the connector sets the
// class and the class key itself validated without errors.
func validateConverter(reg *registry.Registry, props map[string]string, framework []config.Value, key string, kind registry.Kind, converterType string) *ConfigInfos {
	class, ok := props[key]
	if !ok {
		return nil
	}
	for _, v := range framework {
		if (v.Name == key || v.Name == key+".plugin.version") && len(v.Errors) > 0 {
			return nil
		}
	}
	p, err := reg.Lookup(class, kind)
	if err != nil {
		return nil
	}
	var cdef *config.Def
	if kind == registry.HeaderConverter {
		cdef = p.NewHeaderConverter().Config()
	} else {
		cdef = p.NewConverter().Config()
	}
	if cdef == nil {
		return nil
	}
	prefix := key + "."
	sub := map[string]string{}
	for k, v := range props {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			sub[rest] = v
		}
	}
	if _, ok := sub["converter.type"]; !ok {
		sub["converter.type"] = converterType
	}
	d := newDefn()
	for _, k := range cdef.Keys() {
		d.define(k)
	}
	return prefixedConfigInfos(d, d.validate(reg, sub), prefix)
}

// validateSinkTopics is Java's SinkConnectorConfig.validate: exactly one of topics
// and topics.regex, and the DLQ topic not among the consumed topics.
func validateSinkTopics(props map[string]string, values []config.Value) []config.Value {
	topicsList, hasTopicsKey := props[TopicsConfig]
	topicsRegex, hasRegexKey := props[TopicsRegexConfig]
	dlq := strings.TrimSpace(props[DLQTopicNameConfig])
	hasTopics := hasTopicsKey && strings.TrimSpace(topicsList) != ""
	hasRegex := hasRegexKey && strings.TrimSpace(topicsRegex) != ""
	add := func(name, value, msg string) {
		for i := range values {
			if values[i].Name == name {
				values[i].Errors = append(values[i].Errors, msg)
				return
			}
		}
		values = append(values, config.Value{Name: name, Value: value, Errors: []string{msg}, Visible: true})
	}
	if hasTopics && hasRegex {
		msg := TopicsConfig + " and " + TopicsRegexConfig + " are mutually exclusive options, but both are set."
		add(TopicsConfig, topicsList, msg)
		add(TopicsRegexConfig, topicsRegex, msg)
	}
	if !hasTopics && !hasRegex {
		msg := "Must configure one of " + TopicsConfig + " or " + TopicsRegexConfig
		add(TopicsConfig, topicsList, msg)
		add(TopicsRegexConfig, topicsRegex, msg)
	}
	if dlq != "" {
		if hasTopics {
			var topics []string
			for _, t := range strings.Split(topicsList, ",") {
				if t = strings.TrimSpace(t); t != "" && !slices.Contains(topics, t) {
					topics = append(topics, t)
				}
			}
			if slices.Contains(topics, dlq) {
				add(TopicsConfig, topicsList, fmt.Sprintf("The DLQ topic '%s' may not be included in the list of topics ('%s=%s') consumed by the connector",
					dlq, TopicsConfig, javaString(topics)))
			}
		}
		if hasRegex {
			if re, err := compileFullMatch(topicsRegex); err == nil && re.MatchString(dlq) {
				add(TopicsRegexConfig, topicsRegex, fmt.Sprintf("The DLQ topic '%s' may not be included in the regex matching the topics ('%s=%s') consumed by the connector",
					dlq, TopicsRegexConfig, topicsRegex))
			}
		}
	}
	return values
}

// addNullErrors is Java's AbstractHerder.addNullValuedErrors over the framework
// values.
func addNullErrors(values []config.Value, keys []string) []config.Value {
	for _, k := range keys {
		found := false
		for i := range values {
			if values[i].Name == k {
				values[i].Errors = append(values[i].Errors, NullValueMessage)
				found = true
				break
			}
		}
		if !found {
			values = append(values, config.Value{Name: k, Errors: []string{NullValueMessage}, Visible: true})
		}
	}
	return values
}

// enrichedDefaults computes the defaults Java's enrichedConfigDef puts on the
// version and converter keys: the connector's version, and for each converter the
// worker's class with the version the connector pins, the worker pins, or the
// plugin's.
func enrichedDefaults(reg *registry.Registry, conn registry.Plugin, props, worker map[string]string) defaults {
	d := defaults{connectorVersion: versionOrNil(conn.Version)}
	conv := func(key string, kind registry.Kind, workerDefault string) pluginDefault {
		workerClass, ok := worker[key]
		if !ok {
			workerClass = workerDefault
		}
		connClass, hasConn := props[key]
		if workerClass == "" && !hasConn {
			return pluginDefault{}
		}
		var pd pluginDefault
		if workerClass != "" {
			pd.class = workerClass
			if p, err := reg.Lookup(workerClass, kind); err == nil {
				pd.class = p.Class
			}
		}
		switch {
		case hasConn:
			if p, err := reg.Lookup(connClass, kind); err == nil {
				pd.version = versionOrNil(p.Version)
			}
		case worker[key+".plugin.version"] != "":
			pd.version = worker[key+".plugin.version"]
		default:
			if p, err := reg.Lookup(workerClass, kind); err == nil {
				pd.version = versionOrNil(p.Version)
			}
		}
		return pd
	}
	d.key = conv(KeyConverterConfig, registry.Converter, "")
	d.value = conv(ValueConverterConfig, registry.Converter, "")
	d.header = conv(HeaderConverterConfig, registry.HeaderConverter, simpleHeaderConverter)
	return d
}

func versionOrNil(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// frameworkDef is the framework definition of a sink or source connector, with
// CLASS keys resolved through the registry and Java's recommenders.
func frameworkDef(reg *registry.Registry, kind registry.Kind, d defaults) *defn {
	def := newDefn()
	for _, k := range commonKeys(d) {
		def.define(k)
	}
	if kind == registry.Sink {
		for _, k := range sinkKeys() {
			def.define(k)
		}
	} else {
		for _, k := range sourceKeys() {
			def.define(k)
		}
	}
	converters := classNames(reg, registry.Converter)
	def.classKinds[KeyConverterConfig] = []registry.Kind{registry.Converter}
	def.classKinds[ValueConverterConfig] = []registry.Kind{registry.Converter}
	def.classKinds[HeaderConverterConfig] = []registry.Kind{registry.HeaderConverter}
	def.recommend[KeyConverterConfig] = func(map[string]any) []any { return converters }
	def.recommend[ValueConverterConfig] = func(map[string]any) []any { return converters }
	headers := classNames(reg, registry.HeaderConverter)
	def.recommend[HeaderConverterConfig] = func(map[string]any) []any { return headers }
	versionOf := func(classKey string, kinds ...registry.Kind) func(map[string]any) []any {
		return func(parsed map[string]any) []any {
			c, _ := parsed[classKey].(string)
			if c == "" {
				return nil
			}
			p, err := reg.Lookup(c, kinds...)
			if err != nil || p.Version == "" {
				return nil
			}
			return []any{p.Version}
		}
	}
	def.recommend[ConnectorVersionConfig] = versionOf(ConnectorClassConfig, registry.Source, registry.Sink)
	def.recommend[KeyConverterVersionConfig] = versionOf(KeyConverterConfig, registry.Converter)
	def.recommend[ValueConverterVersionConfig] = versionOf(ValueConverterConfig, registry.Converter)
	def.recommend[HeaderConverterVersionConfig] = versionOf(HeaderConverterConfig, registry.HeaderConverter)
	return def
}

func classNames(reg *registry.Registry, kinds ...registry.Kind) []any {
	var out []any
	for _, p := range reg.List(kinds...) {
		if !slices.Contains(out, any(p.Class)) {
			out = append(out, p.Class)
		}
	}
	return out
}

// enrich adds the transforms.<alias>.* and predicates.<alias>.* keys (Java's
// ConnectorConfig.enrich with requireFullConfig false): a required type key per
// alias, and when the type resolves, the plugin's own keys embedded under the
// alias prefix.
func enrich(reg *registry.Registry, def *defn, props map[string]string) {
	type family struct {
		config, kindName, group, iface string
		kind                           registry.Kind
		implicit                       []config.Key
		configOf                       func(registry.Plugin) *config.Def
	}
	families := []family{
		{TransformsConfig, "transformation", "Transforms", "Transformation", registry.Transformation,
			[]config.Key{
				{Name: "predicate", Type: config.String, Default: nil, Importance: config.Medium,
					Doc: "The alias of a predicate used to determine whether to apply this transformation."},
				{Name: "negate", Type: config.Boolean, Default: false, Importance: config.Medium,
					Doc: "Whether the configured predicate should be negated."},
			},
			func(p registry.Plugin) *config.Def { return p.NewTransformation().Config() }},
		{PredicatesConfig, "predicate", "Predicates", "Predicate", registry.Predicate, nil,
			func(p registry.Plugin) *config.Def { return p.NewPredicate().Config() }},
	}
	for _, f := range families {
		raw, ok := props[f.config]
		if !ok {
			continue
		}
		v, err := config.ParseValue(f.config, config.List, raw)
		if err != nil {
			continue
		}
		var aliases []string
		for _, a := range v.([]string) {
			if !slices.Contains(aliases, a) {
				aliases = append(aliases, a)
			}
		}
		recommended := classNames(reg, f.kind)
		for _, alias := range aliases {
			prefix := f.config + "." + alias + "."
			group := f.group + ": " + alias
			typeKey := prefix + "type"
			var validator config.Validator
			if f.kind == registry.Transformation {
				negate, predicate := prefix+"negate", prefix+"predicate"
				validator = config.ValidatorFunc(func(string, any) error {
					_, hasNegate := props[negate]
					_, hasPredicate := props[predicate]
					if hasNegate && !hasPredicate {
						return &config.Error{Name: typeKey, Message: "Config '" + negate + "' was provided but there is no config '" + predicate + "' defining a predicate to be negated."}
					}
					return nil
				})
			}
			def.define(config.Key{Name: typeKey, Type: config.Class, Default: config.NoDefault, Validator: validator,
				Importance: config.High, Doc: "Class for the '" + alias + "' " + f.kindName + ".", Group: group,
				OrderInGroup: 0, Width: config.WidthLong, DisplayName: f.iface + " type for " + alias})
			def.classKinds[typeKey] = []registry.Kind{f.kind}
			def.recommend[typeKey] = func(map[string]any) []any { return recommended }

			p, err := reg.Lookup(props[typeKey], f.kind)
			if _, given := props[typeKey]; !given || err != nil {
				continue
			}
			sub := newDefn()
			for _, k := range f.implicit {
				sub.define(k)
			}
			if own := f.configOf(p); own != nil {
				for _, k := range own.Keys() {
					if k.Internal || (f.kind == registry.Transformation && (k.Name == "predicate" || k.Name == "negate")) {
						continue
					}
					sub.define(k)
				}
			}
			def.embed(prefix, group, 1, sub)
		}
	}
}

// defn is a configuration definition being assembled for validation, as Java's
// ConfigDef: keys in definition order (redefining a key replaces it in place),
// groups in first-use order, plus how CLASS keys resolve through the registry and
// the recommenders the framework keys have in Java.
type defn struct {
	keys   []config.Key
	index  map[string]int
	groups []string
	// classKinds lists, for CLASS keys naming plugins, the kinds the name must
	// resolve to; the resolved class name is the parsed value.
	classKinds map[string][]registry.Kind
	// recommend gives recommended values from the parsed values.
	recommend map[string]func(parsed map[string]any) []any
	// unprefixed maps embedded keys to the name their validator sees (Java's
	// embeddedValidator strips the prefix).
	unprefixed map[string]string
}

func newDefn() *defn {
	return &defn{index: map[string]int{}, classKinds: map[string][]registry.Kind{},
		recommend: map[string]func(map[string]any) []any{}, unprefixed: map[string]string{}}
}

func (d *defn) define(k config.Key) {
	if k.DisplayName == "" {
		k.DisplayName = k.Name
	}
	if k.Group != "" && !slices.Contains(d.groups, k.Group) {
		d.groups = append(d.groups, k.Group)
	}
	if i, ok := d.index[k.Name]; ok {
		d.keys[i] = k
		return
	}
	d.index[k.Name] = len(d.keys)
	d.keys = append(d.keys, k)
}

func (d *defn) key(name string) (config.Key, bool) {
	i, ok := d.index[name]
	if !ok {
		return config.Key{}, false
	}
	return d.keys[i], true
}

func (d *defn) clone() *defn {
	c := newDefn()
	for _, k := range d.keys {
		c.define(k)
	}
	c.groups = slices.Clone(d.groups)
	return c
}

// embed is Java's ConfigDef.embed: child's keys in Java's sorted order, renamed
// with prefix, grouped under group, numbered from start.
func (d *defn) embed(prefix, group string, start int, child *defn) {
	sorted := slices.Clone(child.keys)
	groupOrd := map[string]int{}
	for i, g := range child.groups {
		groupOrd[g] = i
	}
	slices.SortStableFunc(sorted, func(a, b config.Key) int {
		if c := cmpGroup(a.Group, b.Group, groupOrd); c != 0 {
			return c
		}
		if c := cmp.Compare(orderInGroup(a), orderInGroup(b)); c != 0 {
			return c
		}
		if a.Required() != b.Required() {
			if a.Required() {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(a.Importance, b.Importance); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	for i, k := range sorted {
		orig := k.Name
		k.Name = prefix + orig
		if k.Group != "" {
			k.Group = group + ": " + k.Group
		} else {
			k.Group = group
		}
		k.OrderInGroup = start + i
		deps := make([]string, len(k.Dependents))
		for j, dep := range k.Dependents {
			deps[j] = prefix + dep
		}
		k.Dependents = deps
		d.define(k)
		d.unprefixed[k.Name] = orig
		if kinds, ok := child.classKinds[orig]; ok {
			d.classKinds[k.Name] = kinds
		}
	}
}

func cmpGroup(a, b string, ord map[string]int) int {
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	case b == "":
		return 1
	}
	return cmp.Compare(ord[a], ord[b])
}

// validate is Java's ConfigDef.validate: every key parsed (a parse error leaves the
// value null), missing required keys reported, the validator run on the value even
// when it is null, then recommended values computed from all parsed values. It
// returns one value per key, in definition order.
func (d *defn) validate(reg *registry.Registry, props map[string]string) []config.Value {
	parsed := make(map[string]any, len(d.keys))
	out := make([]config.Value, len(d.keys))
	for i, k := range d.keys {
		out[i] = config.Value{Name: k.Name, Visible: true}
		raw, given := props[k.Name]
		var v any
		var err error
		switch {
		case given:
			v, err = d.parse(reg, k, raw)
		case k.Required():
			err = &config.Error{Name: k.Name, Message: fmt.Sprintf("Missing required configuration \"%s\" which has no default value.", k.Name)}
		default:
			v, err = d.parse(reg, k, k.Default)
			if _, isPlugin := d.classKinds[k.Name]; isPlugin && err != nil {
				// A default class the registry lacks (the worker's) is shown,
				// not rejected: it was checked when the worker started.
				v, err = k.Default, nil
			}
		}
		if err != nil {
			out[i].Errors = append(out[i].Errors, err.Error())
			v = nil
		}
		if k.Validator != nil {
			name := k.Name
			if u, ok := d.unprefixed[k.Name]; ok {
				name = u
			}
			if err := k.Validator.Validate(name, v); err != nil {
				var ce *config.Error
				if errors.As(err, &ce) {
					out[i].Errors = append(out[i].Errors, ce.Message)
				} else {
					out[i].Errors = append(out[i].Errors, configError(name, v, err.Error()).Error())
				}
			}
		}
		out[i].Value = v
		parsed[k.Name] = v
	}
	for i, k := range d.keys {
		if rec, ok := d.recommend[k.Name]; ok {
			out[i].RecommendedValues = rec(parsed)
		} else if k.Recommender != nil {
			out[i].RecommendedValues = k.Recommender.ValidValues(k.Name, parsed)
			out[i].Visible = k.Recommender.Visible(k.Name, parsed)
		}
	}
	return out
}

// parse parses a raw or default value; CLASS keys naming plugins resolve through
// the registry to the plugin's class name, as Java's plugin class loader resolves
// aliases.
func (d *defn) parse(reg *registry.Registry, k config.Key, raw any) (any, error) {
	if raw == nil {
		return nil, nil
	}
	kinds, isPlugin := d.classKinds[k.Name]
	if k.Type != config.Class || !isPlugin {
		return config.ParseValue(k.Name, k.Type, raw)
	}
	s, ok := raw.(string)
	if !ok {
		return config.ParseValue(k.Name, k.Type, raw)
	}
	s = strings.TrimSpace(s)
	p, err := reg.Lookup(s, kinds...)
	if err != nil {
		return nil, configError(k.Name, s, "Class "+s+" could not be found.")
	}
	return p.Class, nil
}

// javaMapString renders a map as Java's HashMap.toString ({k=v, k2=v2}) in
// HashMap iteration order, which error messages quoting a config map show: a
// HashMap copied from a map of n entries has a table of tableSizeFor(n/0.75+1)
// buckets, iterated by bucket index (the spread String.hashCode masked by the
// table size), entries of one bucket in insertion order (taken here as sorted).
func javaMapString(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	size := tableSizeFor(int(float32(len(m))/0.75 + 1))
	bucket := func(k string) int {
		h := javaHash(k)
		return int((h ^ (h >> 16)) & uint32(size-1))
	}
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(bucket(a), bucket(b)) })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func javaHash(s string) uint32 {
	var h uint32
	for _, c := range utf16Units(s) {
		h = 31*h + uint32(c)
	}
	return h
}

func utf16Units(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}

func tableSizeFor(c int) int {
	n := 1
	for n < c {
		n <<= 1
	}
	return n
}

// compileFullMatch compiles a Java regex used with Matcher.matches (the whole
// string must match).
func compileFullMatch(expr string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + expr + `)$`)
}

// ConnectorClientPolicyConfig is the worker key naming the
// ConnectorClientConfigOverridePolicy.
const ConnectorClientPolicyConfig = "connector.client.config.override.policy"

// principalOverrides are the keys Java's PrincipalConnectorClientConfigOverridePolicy
// allows.
var principalOverrides = []string{"sasl.jaas.config", "sasl.mechanism", "security.protocol"}

// validateClientOverrides is Java's AbstractHerder.validateClientOverrides for
// producer.override.*, consumer.override.* and admin.override.*: every key is
// checked against the worker's connector.client.config.override.policy (All,
// None or Principal, by class name or alias, default All) with Java's message,
// and — beyond Java — against what goconnect's Kafka client supports
// (kafka.Check), so an unknown or unsupported key is an error on that key instead
// of being ignored at run time. Only prefixes the connector uses appear.
func validateClientOverrides(props, worker map[string]string) []*ConfigInfos {
	policy := strings.TrimSpace(worker[ConnectorClientPolicyConfig])
	name := policy[strings.LastIndex(policy, ".")+1:]
	name = strings.TrimSuffix(name, "ConnectorClientConfigOverridePolicy")
	switch name {
	case "":
		name = "All"
	case "All", "None", "Principal":
	default:
		name = "None" // an unknown policy fails the worker at start; be strict here
	}
	var out []*ConfigInfos
	for _, c := range []struct {
		prefix string
		role   kafka.Role
	}{
		{kafka.ProducerOverridePrefix, kafka.Producer},
		{kafka.ConsumerOverridePrefix, kafka.Consumer},
		{kafka.AdminOverridePrefix, kafka.Admin},
	} {
		sub := kafka.WithPrefix(props, c.prefix)
		if len(sub) == 0 {
			continue
		}
		checked := kafka.Check(sub, c.role)
		var values []config.Value
		for _, k := range slices.Sorted(maps.Keys(sub)) {
			v := config.Value{Name: k, Value: sub[k], Visible: true}
			allowed := name == "All" || (name == "Principal" && slices.Contains(principalOverrides, k))
			if !allowed {
				v.Errors = append(v.Errors, "The '"+name+"' policy does not allow '"+k+"' to be overridden in the connector configuration.")
			}
			if msg, bad := checked[k]; bad {
				v.Errors = append(v.Errors, msg)
			}
			values = append(values, v)
		}
		out = append(out, prefixedConfigInfos(newDefn(), values, c.prefix))
	}
	return out
}

// Topic creation (KIP-158) keys, Java's TopicCreationConfig.
const (
	topicCreationPrefix = "topic.creation."
	topicCreationGroup  = "Topic Creation"
)

// minusOneOrPositive is TopicCreationConfig's validator for replication factors and
// partition counts.
var minusOneOrPositive = config.ValidatorFunc(func(name string, v any) error {
	n, ok := v.(int32)
	if !ok {
		return nil
	}
	if n != -1 && n < 1 {
		return &config.Error{Name: name, Message: fmt.Sprintf("Invalid value %d for configuration %s: Value must be -1 or at least 1", n, name)}
	}
	return nil
})

// topicCreationDef is TopicCreationConfig.configDef (defaultGroup: its
// defaultGroupConfigDef, where include defaults to .* and the replication factor
// and partitions are required).
func topicCreationDef(group string, defaultGroup bool, rf, partitions any) *defn {
	include, required := any(""), any(config.NoDefault)
	if defaultGroup {
		include = ".*"
		rf, partitions = required, required
	}
	d := newDefn()
	d.define(config.Key{Name: "include", Type: config.List, Default: include, Importance: config.Low, Group: group, OrderInGroup: 1,
		Width: config.WidthLong, DisplayName: "Inclusion Topic Pattern for " + group, Validator: regexList,
		Doc: "A list of strings that represent regular expressions that may match topic names. This list is used to include topics that match their values and apply this group's specific configuration to the topics that match this inclusion list. $alias applies to any group defined in topic.creation.groups but not the default"})
	d.define(config.Key{Name: "exclude", Type: config.List, Default: "", Importance: config.Low, Group: group, OrderInGroup: 2,
		Width: config.WidthLong, DisplayName: "Exclusion Topic Pattern for " + group, Validator: regexList,
		Doc: "A list of strings that represent regular expressions that may match topic names. This list is used to exclude topics that match their values and refrain from applying this group's specific configuration to the topics that match this exclusion list. $alias applies to any group defined in topic.creation.groups but not the default. Note that exclusion rules have precedent and override any inclusion rules for topics. "})
	d.define(config.Key{Name: "replication.factor", Type: config.Int, Default: rf, Validator: minusOneOrPositive, Importance: config.Low,
		Group: group, OrderInGroup: 3, Width: config.WidthLong, DisplayName: "Replication Factor for Topics in " + group,
		Doc: "The replication factor for new topics created for this connector. This value must not be larger than the number of brokers in the Kafka cluster, or otherwise an error will be thrown when the connector will attempt to create a topic. For the default group this configuration is required. For any other group defined in topic.creation.groups this config is optional and if it's missing it gets the value the default group"})
	d.define(config.Key{Name: "partitions", Type: config.Int, Default: partitions, Validator: minusOneOrPositive, Importance: config.Low,
		Group: group, OrderInGroup: 4, Width: config.WidthLong, DisplayName: "Partition Count for Topics in " + group,
		Doc: "The number of partitions new topics created for this connector. For the default group this configuration is required. For any other group defined in topic.creation.groups this config is optional and if it's missing it gets the value the default group"})
	return d
}

// regexList checks that every entry of a LIST value compiles as a regular
// expression (goconnect reports a bad include/exclude pattern at validation rather
// than when the task first creates a topic).
var regexList = config.ValidatorFunc(func(name string, v any) error {
	for _, p := range v.([]string) {
		if _, err := compileFullMatch(p); err != nil {
			return &config.Error{Name: name, Message: fmt.Sprintf("Invalid value %s for configuration %s: %v", p, name, err)}
		}
	}
	return nil
})

// enrichTopicCreation adds the topic.creation.* keys Java adds to a source
// connector's definition (SourceConnectorConfig.embedDefaultGroup and enrich) when
// the worker allows topic creation and the connector uses it: the default group's
// keys, and those of every group named in topic.creation.groups, which inherit the
// default group's replication factor and partitions.
func enrichTopicCreation(def *defn, props, worker map[string]string) {
	if strings.EqualFold(strings.TrimSpace(worker["topic.creation.enable"]), "false") {
		return
	}
	uses := false
	for k := range props {
		uses = uses || (strings.HasPrefix(k, topicCreationPrefix) && k != TopicCreationGroupsConfig)
	}
	if !uses {
		return
	}
	def.embed(topicCreationPrefix+"default.", topicCreationGroup, 0, topicCreationDef("default", true, nil, nil))
	inherit := func(key string) any {
		if v, err := config.ParseValue(key, config.Int, props[topicCreationPrefix+"default."+key]); err == nil && v != nil {
			return v
		}
		return nil
	}
	rf, partitions := inherit("replication.factor"), inherit("partitions")
	groups, err := config.ParseValue(TopicCreationGroupsConfig, config.List, props[TopicCreationGroupsConfig])
	if err != nil {
		return
	}
	var seen []string
	for _, alias := range groups.([]string) {
		if alias == "" || alias == "default" || slices.Contains(seen, alias) {
			continue
		}
		seen = append(seen, alias)
		group := topicCreationGroup + ": " + alias
		def.embed(topicCreationPrefix+alias+".", group, 0, topicCreationDef(group, false, rf, partitions))
	}
}
