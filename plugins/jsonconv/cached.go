package jsonconv

import (
	"unicode/utf8"

	"github.com/goconnect/goconnect/api/data"
)

// A sink reads the same envelope schema in every record, and building a node tree
// of the whole envelope only to find the schema in the cache cost about half of a
// sink's CPU. cachedEnvelope is the fast path for that case: it finds the end of
// the "schema" member without decoding it, looks its text up in the cache, and
// decodes "payload" straight into Connect values with the cached schema.
//
// It returns ok=false, and the caller takes the full path (parse the tree, then
// convert), for anything it does not handle or any error: a schema not yet cached,
// members in another order, escaped or repeated names, a syntax error, a value the
// schema rejects. Its successes are therefore exactly the full path's successes
// (the cached text was parsed without error before, and the payload is read with
// the same parser primitives and converted by the same toConnect), and every
// error message still comes from the full path.
func (c *Converter) cachedEnvelope(b []byte) (*data.Schema, any, bool) {
	p := parser{b: b}
	p.skipWS()
	if !p.token('{') {
		return nil, nil, false
	}
	p.depth = 1
	if !p.memberName("schema") {
		return nil, nil, false
	}
	start := p.i
	var s *data.Schema
	if c.lastText != "" && len(b)-start >= len(c.lastText) && string(b[start:start+len(c.lastText)]) == c.lastText {
		// The previous record's schema text again (a valid object, so nothing
		// after it can belong to this one): a comparison instead of a scan and a
		// hash.
		s, p.i = c.lastSchema, start+len(c.lastText)
	} else {
		end := objectEnd(b, start)
		if end < 0 {
			return nil, nil, false
		}
		var ok bool
		if s, ok = c.schemas[string(b[start:end])]; !ok {
			return nil, nil, false
		}
		c.lastText, c.lastSchema = string(b[start:end]), s
		p.i = end
	}
	if !p.token(',') || !p.memberName("payload") {
		return nil, nil, false
	}
	v, ok := p.decode(s, c.conf.replaceNullWithDefault)
	if !ok || !p.token('}') {
		return nil, nil, false
	}
	return s, v, true
}

// token skips whitespace and then the byte c.
func (p *parser) token(c byte) bool {
	p.skipWS()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// memberName skips `"name":` with whitespace around, and the whitespace after.
func (p *parser) memberName(name string) bool {
	p.skipWS()
	if len(p.b)-p.i < len(name)+2 || p.b[p.i] != '"' || string(p.b[p.i+1:p.i+1+len(name)]) != name || p.b[p.i+1+len(name)] != '"' {
		return false
	}
	p.i += len(name) + 2
	if !p.token(':') {
		return false
	}
	p.skipWS()
	return true
}

// objectEnd returns the index just after the JSON object starting at b[i], or -1.
// It only counts braces outside strings; it does not validate, which is enough for
// a cache lookup: the text it delimits equals a cached schema's text only if that
// text is there, and the cache holds only texts that parsed.
func objectEnd(b []byte, i int) int {
	if i >= len(b) || b[i] != '{' {
		return -1
	}
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		}
	}
	return -1
}

// isLogical reports whether toConnect treats a schema name specially.
func isLogical(name string) bool {
	switch name {
	case data.DecimalName, data.DateName, data.TimeName, data.TimestampName:
		return true
	}
	return false
}

// decode reads the value at p.i as toConnect(s, parseJSON(value)) would return it.
// Structs are decoded field by field and scalars through a node on the stack;
// anything else is parsed into a tree and converted as the full path does.
func (p *parser) decode(s *data.Schema, replaceNull bool) (any, bool) {
	if p.i >= len(p.b) {
		return nil, false
	}
	switch p.b[p.i] {
	case '{':
		if s.Type == data.TypeStruct && !isLogical(s.Name) {
			return p.decodeStruct(s, replaceNull)
		}
		fallthrough
	case '[':
		n, err := p.value()
		if err != nil {
			return nil, false
		}
		v, err := toConnect(s, n, replaceNull)
		return v, err == nil
	}
	var n node
	if err := p.scalar(&n); err != nil {
		return nil, false
	}
	v, err := toConnect(s, &n, replaceNull)
	return v, err == nil
}

// decodeStruct is toConnect's STRUCT case on an object at p.i.
func (p *parser) decodeStruct(s *data.Schema, replaceNull bool) (any, bool) {
	if p.enter() != nil {
		return nil, false
	}
	p.i++
	var valBuf [16]any
	var seenBuf [16]bool
	vals, seen := valBuf[:0], seenBuf[:0]
	if len(s.Fields) <= len(valBuf) {
		vals, seen = valBuf[:len(s.Fields)], seenBuf[:len(s.Fields)]
	} else {
		vals, seen = make([]any, len(s.Fields)), make([]bool, len(s.Fields))
	}
	p.skipWS()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
	} else {
		for k := 0; ; k++ {
			p.skipWS()
			name, ok := p.plainName()
			if !ok || !p.token(':') {
				return nil, false
			}
			p.skipWS()
			idx := -1
			if k < len(s.Fields) && s.Fields[k].Name == string(name) {
				idx = k
			} else {
				for i := range s.Fields {
					if s.Fields[i].Name == string(name) {
						idx = i
						break
					}
				}
			}
			switch {
			case idx < 0: // not in the schema: ignored, but it must parse
				if _, err := p.value(); err != nil {
					return nil, false
				}
			case seen[idx]: // a repeated name: the last one wins, leave it to the full path
				return nil, false
			default:
				v, ok := p.decode(s.Fields[idx].Schema, replaceNull)
				if !ok {
					return nil, false
				}
				vals[idx], seen[idx] = v, true
			}
			p.skipWS()
			if p.i >= len(p.b) {
				return nil, false
			}
			if p.b[p.i] == '}' {
				p.i++
				break
			}
			if p.b[p.i] != ',' {
				return nil, false
			}
			p.i++
		}
	}
	p.depth--
	st := data.NewStruct(s)
	for i, f := range s.Fields {
		v := vals[i]
		if !seen[i] {
			var err error
			if v, err = toConnect(f.Schema, nil, replaceNull); err != nil {
				return nil, false
			}
		}
		if err := st.Put(f.Name, v); err != nil {
			return nil, false
		}
	}
	return st, true
}

// plainName reads a member name without escapes or control characters, returning
// its bytes without copying; ok is false for any other name (the full path handles
// those).
func (p *parser) plainName() ([]byte, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, false
	}
	start := p.i + 1
	for i := start; i < len(p.b); i++ {
		c := p.b[i]
		if c == '"' {
			name := p.b[start:i]
			if !utf8.Valid(name) {
				return nil, false
			}
			p.i = i + 1
			return name, true
		}
		if c == '\\' || c < 0x20 {
			return nil, false
		}
	}
	return nil, false
}
