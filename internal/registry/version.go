package registry

import (
	"errors"
	"strconv"
	"strings"
)

// ConnectorPluginVersion is the connector key that pins a plugin version (KIP-891).
const ConnectorPluginVersion = "connector.plugin.version"

// LookupConnectorFor finds the connector plugin a connector config names: the class
// in connector.class and, when connector.plugin.version is set, the newest installed
// version that satisfies it (KIP-891: a bare version means exactly that version; a
// Maven range such as [1.0,2.0) or (,3] bounds it). Without the key the newest
// version wins.
func (r *Registry) LookupConnectorFor(props map[string]string) (Plugin, error) {
	name := props["connector.class"]
	spec := strings.TrimSpace(props[ConnectorPluginVersion])
	first, err := r.LookupConnector(name)
	if err != nil || spec == "" {
		return first, err
	}
	vr, err := ParseVersionRange(spec)
	if err != nil {
		return Plugin{}, errorf(ErrNotFound, "Invalid value %s for configuration %s: %s", spec, ConnectorPluginVersion, err.Error())
	}
	var best *Plugin
	var avail []string
	for i := range r.plugins {
		p := &r.plugins[i]
		if p.Class != first.Class || p.Kind != first.Kind {
			continue
		}
		avail = append(avail, p.Version)
		if vr.Contains(p.Version) && (best == nil || CompareVersions(p.Version, best.Version) > 0) {
			best = p
		}
	}
	if best == nil {
		return Plugin{}, errorf(ErrNotFound, "Plugin %s has no version matching %s; installed versions: %s",
			first.Class, spec, strings.Join(avail, ", "))
	}
	return *best, nil
}

// VersionRange is a Maven version range; a bare version is an exact requirement.
type VersionRange struct {
	Low, High         string // "" = unbounded
	LowIncl, HighIncl bool
}

// ParseVersionRange parses "1.2.3", "[1.2.3]", "[1.0,2.0)", "(,2.0]" or "[1.0,)".
func ParseVersionRange(s string) (VersionRange, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return VersionRange{}, errors.New("empty version")
	}
	if s[0] != '[' && s[0] != '(' {
		return VersionRange{Low: s, High: s, LowIncl: true, HighIncl: true}, nil
	}
	last := s[len(s)-1]
	if len(s) < 3 || (last != ']' && last != ')') {
		return VersionRange{}, errors.New("unbalanced version range")
	}
	inner := s[1 : len(s)-1]
	lo, hi, hasComma := strings.Cut(inner, ",")
	if !hasComma {
		if s[0] != '[' || last != ']' {
			return VersionRange{}, errors.New("a single version needs [v]")
		}
		hi = lo
	}
	return VersionRange{Low: strings.TrimSpace(lo), High: strings.TrimSpace(hi), LowIncl: s[0] == '[', HighIncl: last == ']'}, nil
}

// Contains reports whether v lies in the range.
func (vr VersionRange) Contains(v string) bool {
	if vr.Low != "" {
		c := CompareVersions(v, vr.Low)
		if c < 0 || (c == 0 && !vr.LowIncl) {
			return false
		}
	}
	if vr.High != "" {
		c := CompareVersions(v, vr.High)
		if c > 0 || (c == 0 && !vr.HighIncl) {
			return false
		}
	}
	return true
}

// CompareVersions compares dotted versions numerically segment by segment (1.10 >
// 1.9), falling back to text for non-numeric segments; missing segments are 0.
func CompareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		x, y := "0", "0"
		if i < len(as) {
			x = as[i]
		}
		if i < len(bs) {
			y = bs[i]
		}
		xn, errX := strconv.Atoi(x)
		yn, errY := strconv.Atoi(y)
		switch {
		case errX == nil && errY == nil:
			if xn != yn {
				if xn < yn {
					return -1
				}
				return 1
			}
		default:
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	return 0
}
