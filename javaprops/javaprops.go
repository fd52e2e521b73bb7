package javaprops

import (
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// ErrMalformedEscape is returned for a \u escape not followed by four hex digits;
// Java's Properties.load throws IllegalArgumentException("Malformed \\uxxxx encoding.").
var ErrMalformedEscape = errors.New("malformed \\uxxxx encoding")

// LoadFile reads the properties file at path.
func LoadFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read properties: %w", err)
	}
	props, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("parse properties file %s: %w", path, err)
	}
	return props, nil
}

// Load reads properties from r.
func Load(r io.Reader) (map[string]string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read properties: %w", err)
	}
	return Parse(b)
}

// Parse parses the contents of a properties file. A key given twice keeps its last
// value, as in Java.
func Parse(b []byte) (map[string]string, error) {
	props := map[string]string{}
	lr := lineReader{in: decode(b)}
	for {
		line, ok := lr.next()
		if !ok {
			return props, nil
		}
		key, value := split(line)
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

// decode turns the file bytes into runes: UTF-8 when valid, else ISO-8859-1 (each
// byte is the code point of the same value).
func decode(b []byte) []rune {
	if utf8.Valid(b) {
		return []rune(string(b))
	}
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return rs
}

func isSpace(c rune) bool { return c == ' ' || c == '\t' || c == '\f' }

// lineReader yields logical lines: natural lines joined at an unescaped trailing
// backslash, with the leading whitespace of each natural line removed and comment
// and blank lines dropped. It follows java.util.Properties.LineReader step by step.
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
				if c == '\r' {
					skipLF = true
				}
			}
			continue
		}
		if c != '\n' && c != '\r' {
			buf = append(buf, c)
			if c == '\\' {
				precedingBackslash = !precedingBackslash
			} else {
				precedingBackslash = false
			}
			continue
		}
		// End of a natural line.
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
			if c == '\r' {
				skipLF = true
			}
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

// split finds the key and the value of a logical line (Properties.load0): the key
// ends at the first unescaped '=', ':' or whitespace; whitespace and at most one
// '=' or ':' after it are skipped.
func split(line []rune) (key, value []rune) {
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
		if c == '\\' {
			precedingBackslash = !precedingBackslash
		} else {
			precedingBackslash = false
		}
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
			// Only reachable for a key ending in a lone backslash before its
			// separator was consumed; Java drops it too.
			break
		}
		c = in[i]
		switch c {
		case 'u':
			if i+4 >= len(in) {
				return "", ErrMalformedEscape
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
					return "", ErrMalformedEscape
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

// utf16Join turns the decoded code units into a string, pairing surrogates written
// as two \u escapes (Java strings are UTF-16, so "\uD83D\uDE00" is one emoji).
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
