package configprovider

import "unicode/utf8"

// This file parses Java properties files (java.util.Properties.load). It repeats
// internal/javaprops because plugins are written against api/ only and may not
// import internal/; the two must stay in step (properties_test.go pins the cases
// that matter for secrets: escapes, continuations, separators, comments).

// parseProperties parses UTF-8 properties text. A key given twice keeps its last
// value, as in Java.
func parseProperties(b []byte) (map[string]string, error) {
	props := map[string]string{}
	lr := lineReader{in: []rune(string(b))}
	for {
		line, ok := lr.next()
		if !ok {
			return props, nil
		}
		key, value := splitLine(line)
		k, err := unescape(key)
		if err != nil {
			return nil, err
		}
		v, err := unescape(value)
		if err != nil {
			return nil, err
		}
		props[k] = v
	}
}

func isSpace(c rune) bool { return c == ' ' || c == '\t' || c == '\f' }

// lineReader yields logical lines: natural lines joined at an unescaped trailing
// backslash, each natural line's leading whitespace removed, comment and blank
// lines dropped (java.util.Properties.LineReader).
type lineReader struct {
	in  []rune
	pos int
}

func (lr *lineReader) next() ([]rune, bool) {
	var (
		buf                = make([]rune, 0, 64)
		skipWhiteSpace     = true
		appendedLineBegin  = false
		isNewLine          = true
		isCommentLine      = false
		precedingBackslash = false
		skipLF             = false
	)
	for lr.pos < len(lr.in) {
		c := lr.in[lr.pos]
		lr.pos++
		if skipLF {
			skipLF = false
			if c == '\n' {
				continue
			}
		}
		if skipWhiteSpace {
			if isSpace(c) {
				continue
			}
			if !appendedLineBegin && (c == '\r' || c == '\n') {
				continue
			}
			skipWhiteSpace = false
			appendedLineBegin = false
		}
		if isNewLine {
			isNewLine = false
			if c == '#' || c == '!' {
				isCommentLine = true
			}
		}
		if isCommentLine {
			// A comment runs to the end of its natural line; a trailing backslash
			// does not continue it.
			if c == '\r' || c == '\n' {
				isCommentLine = false
				isNewLine = true
				skipWhiteSpace = true
				skipLF = c == '\r'
			}
			continue
		}
		if c != '\n' && c != '\r' {
			buf = append(buf, c)
			precedingBackslash = c == '\\' && !precedingBackslash
			continue
		}
		if len(buf) == 0 {
			isNewLine = true
			skipWhiteSpace = true
			continue
		}
		if precedingBackslash {
			buf = buf[:len(buf)-1]
			skipWhiteSpace = true
			appendedLineBegin = true
			precedingBackslash = false
			skipLF = c == '\r'
			continue
		}
		return buf, true
	}
	if len(buf) == 0 || isCommentLine {
		return nil, false
	}
	if precedingBackslash {
		buf = buf[:len(buf)-1]
	}
	return buf, true
}

// splitLine finds the key and value of a logical line (Properties.load0): the key
// ends at the first unescaped '=', ':' or whitespace; whitespace and at most one
// '=' or ':' after it are skipped.
func splitLine(line []rune) (key, value []rune) {
	keyLen, valueStart := 0, len(line)
	hasSep, precedingBackslash := false, false
	for keyLen < len(line) {
		c := line[keyLen]
		if (c == '=' || c == ':') && !precedingBackslash {
			valueStart = keyLen + 1
			hasSep = true
			break
		} else if isSpace(c) && !precedingBackslash {
			valueStart = keyLen + 1
			break
		}
		precedingBackslash = c == '\\' && !precedingBackslash
		keyLen++
	}
	for valueStart < len(line) {
		c := line[valueStart]
		if !isSpace(c) {
			if !hasSep && (c == '=' || c == ':') {
				hasSep = true
			} else {
				break
			}
		}
		valueStart++
	}
	return line[:keyLen], line[valueStart:]
}

// unescape processes escapes (Properties.loadConvert): \t \n \r \f, \uXXXX, and a
// backslash before any other character stands for that character.
func unescape(in []rune) (string, error) {
	out := make([]rune, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(in) {
			break
		}
		switch c = in[i]; c {
		case 'u':
			if i+4 >= len(in) {
				return "", errMalformedEscape
			}
			var v rune
			for j := 1; j <= 4; j++ {
				d := in[i+j]
				switch {
				case d >= '0' && d <= '9':
					v = v<<4 + d - '0'
				case d >= 'a' && d <= 'f':
					v = v<<4 + d - 'a' + 10
				case d >= 'A' && d <= 'F':
					v = v<<4 + d - 'A' + 10
				default:
					return "", errMalformedEscape
				}
			}
			i += 4
			out = append(out, v)
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case 'n':
			out = append(out, '\n')
		case 'f':
			out = append(out, '\f')
		default:
			out = append(out, c)
		}
	}
	return utf16Join(out), nil
}

// utf16Join turns decoded code units into a string, pairing surrogates written as
// two \u escapes (Java strings are UTF-16).
func utf16Join(rs []rune) string {
	b := make([]byte, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r >= 0xD800 && r < 0xDC00 && i+1 < len(rs) && rs[i+1] >= 0xDC00 && rs[i+1] < 0xE000 {
			r = (r-0xD800)<<10 + (rs[i+1] - 0xDC00) + 0x10000
			i++
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}
