// Package javaregex compiles Java (java.util.regex) patterns with Go's RE2 engine and
// applies them with Java's Matcher semantics: Matches is Matcher.matches (the whole
// input must match), ReplaceFirst is Matcher.replaceFirst with Java's $1 / ${name}
// replacement syntax. Constructs RE2 cannot run (lookaround, backreferences,
// possessive quantifiers, atomic groups, class intersection) are rejected with an
// error that names them, instead of silently matching something else; a few Java-only
// spellings (\p{Alpha}, \uXXXX, \0oct, \Z, \v, \e) are translated.
package javaregex

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Regexp is a compiled Java pattern.
type Regexp struct {
	pattern string
	find    *regexp.Regexp // the translated pattern, for find()
	full    *regexp.Regexp // anchored at both ends, for matches()
}

// Compile translates a Java pattern to RE2 and compiles it.
func Compile(pattern string) (*Regexp, error) {
	tr, err := translate(pattern)
	if err != nil {
		return nil, err
	}
	find, err := regexp.Compile(tr)
	if err != nil {
		return nil, fmt.Errorf("%s in pattern %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "), pattern)
	}
	full := regexp.MustCompile(`\A(?:` + tr + `)\z`)
	return &Regexp{pattern: pattern, find: find, full: full}, nil
}

// String returns the Java pattern, as Pattern.toString.
func (r *Regexp) String() string { return r.pattern }

// Matches is Matcher.matches: the entire input matches the pattern.
func (r *Regexp) Matches(s string) bool { return r.full.MatchString(s) }

// ReplaceFirst is Matcher.replaceFirst: the first match (leftmost, first
// alternative, as Java's backtracking finds it) is replaced by repl, in which $n and
// ${name} refer to groups and a backslash quotes the next character.
func (r *Regexp) ReplaceFirst(s, repl string) (string, error) {
	m := r.find.FindStringSubmatchIndex(s)
	if m == nil {
		return s, nil
	}
	var b strings.Builder
	b.WriteString(s[:m[0]])
	if err := r.expand(&b, s, m, repl); err != nil {
		return "", err
	}
	b.WriteString(s[m[1]:])
	return b.String(), nil
}

// expand is Java's Matcher.appendExpandedReplacement, with its error messages.
func (r *Regexp) expand(b *strings.Builder, s string, m []int, repl string) error {
	groupCount := r.find.NumSubexp()
	group := func(i int) {
		if m[2*i] >= 0 {
			b.WriteString(s[m[2*i]:m[2*i+1]])
		}
	}
	for i := 0; i < len(repl); {
		c := repl[i]
		switch c {
		case '\\':
			i++
			if i == len(repl) {
				return fmt.Errorf("character to be escaped is missing")
			}
			b.WriteByte(repl[i])
			i++
		case '$':
			i++
			if i == len(repl) {
				return fmt.Errorf("Illegal group reference: group index is missing")
			}
			if repl[i] == '{' {
				i++
				start := i
				for i < len(repl) && isASCIIAlnum(repl[i]) {
					i++
				}
				if i == start {
					return fmt.Errorf("named capturing group has 0 length name")
				}
				if i == len(repl) || repl[i] != '}' {
					return fmt.Errorf("named capturing group is missing trailing '}'")
				}
				name := repl[start:i]
				i++
				idx := r.find.SubexpIndex(name)
				if idx < 0 {
					return fmt.Errorf("No group with name {%s}", name)
				}
				group(idx)
				continue
			}
			ref := int(repl[i]) - '0'
			if ref < 0 || ref > 9 {
				return fmt.Errorf("Illegal group reference")
			}
			if ref > groupCount {
				return fmt.Errorf("No group %d", ref)
			}
			i++
			for i < len(repl) {
				d := int(repl[i]) - '0'
				if d < 0 || d > 9 || ref*10+d > groupCount {
					break
				}
				ref = ref*10 + d
				i++
			}
			group(ref)
		default:
			b.WriteByte(c)
			i++
		}
	}
	return nil
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// unsupported reports a Java construct that RE2 cannot run.
func unsupported(pattern string, at int, what string) error {
	return fmt.Errorf("%s at index %d in pattern %s is not supported (Go's RE2 engine has no equivalent)", what, at, pattern)
}

// posixClasses maps Java's \p{...} POSIX names to RE2 ASCII classes.
var posixClasses = map[string]string{
	"Lower": "[:lower:]", "Upper": "[:upper:]", "ASCII": "[:ascii:]", "Alpha": "[:alpha:]",
	"Digit": "[:digit:]", "Alnum": "[:alnum:]", "Punct": "[:punct:]", "Graph": "[:graph:]",
	"Print": "[:print:]", "Blank": "[:blank:]", "Cntrl": "[:cntrl:]", "XDigit": "[:xdigit:]",
	"Space": "[:space:]",
}

func translate(p string) (string, error) {
	var b strings.Builder
	inClass := false
	classStart := 0
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\\':
			if i+1 >= len(p) {
				return "", fmt.Errorf("Unexpected internal error near index %d in pattern %s", i+1, p)
			}
			n := p[i+1]
			switch {
			case n == 'Q':
				end := strings.Index(p[i+2:], `\E`)
				lit := p[i+2:]
				if end >= 0 {
					lit = p[i+2 : i+2+end]
					i = i + 2 + end + 2
				} else {
					i = len(p)
				}
				b.WriteString(regexp.QuoteMeta(lit))
				continue
			case n >= '1' && n <= '9':
				if inClass {
					return "", unsupported(p, i, "escape \\"+string(n)+" inside a character class")
				}
				return "", unsupported(p, i, "back reference \\"+string(n))
			case n == 'k':
				return "", unsupported(p, i, "named back reference \\k")
			case n == 'p' || n == 'P':
				name, width := "", 1
				if i+2 < len(p) && p[i+2] == '{' {
					end := strings.IndexByte(p[i+2:], '}')
					if end < 0 {
						return "", fmt.Errorf("Unclosed character family near index %d in pattern %s", i+2, p)
					}
					name, width = p[i+3:i+2+end], end+1
				} else if i+2 < len(p) {
					name = p[i+2 : i+3]
				}
				if cls, ok := posixClasses[strings.TrimPrefix(name, "Is")]; ok {
					neg := ""
					if n == 'P' {
						neg = "^"
					}
					if inClass {
						if neg != "" {
							return "", unsupported(p, i, "negated class \\P{"+name+"} inside a character class")
						}
						b.WriteString(cls)
					} else {
						b.WriteString("[" + neg + cls + "]")
					}
				} else if strings.HasPrefix(name, "java") || strings.HasPrefix(name, "In") || strings.Contains(name, "=") {
					return "", unsupported(p, i, "character property \\"+string(n)+"{"+name+"}")
				} else {
					b.WriteString(`\` + string(n) + "{" + strings.TrimPrefix(name, "Is") + "}")
				}
				i += 2 + width
				continue
			case n == 'u':
				if i+6 > len(p) {
					return "", fmt.Errorf("Illegal Unicode escape sequence near index %d in pattern %s", i+2, p)
				}
				if _, err := strconv.ParseUint(p[i+2:i+6], 16, 16); err != nil {
					return "", fmt.Errorf("Illegal Unicode escape sequence near index %d in pattern %s", i+2, p)
				}
				b.WriteString(`\x{` + p[i+2:i+6] + `}`)
				i += 6
				continue
			case n == '0':
				j := i + 2
				for j < len(p) && j < i+5 && p[j] >= '0' && p[j] <= '7' {
					j++
				}
				v, err := strconv.ParseUint(p[i+2:j], 8, 16)
				if err != nil || v > 0377 {
					return "", fmt.Errorf("Illegal octal escape sequence near index %d in pattern %s", i+2, p)
				}
				fmt.Fprintf(&b, `\x{%x}`, v)
				i = j
				continue
			case n == 'Z':
				b.WriteString(`\z`)
			case n == 'e':
				b.WriteString(`\x1B`)
			case n == 'v':
				if inClass {
					b.WriteString(`\n\x0B\f\r\x{85}\x{2028}\x{2029}`)
				} else {
					b.WriteString(`[\n\x0B\f\r\x{85}\x{2028}\x{2029}]`)
				}
			case strings.IndexByte("hHVRXGc", n) >= 0:
				return "", unsupported(p, i, "escape \\"+string(n))
			default:
				b.WriteString(p[i : i+2])
			}
			i += 2
			continue
		case inClass:
			switch {
			case c == ']' && i > classStart:
				inClass = false
				b.WriteByte(c)
				i++
				continue
			case c == '[':
				return "", unsupported(p, i, "nested character class")
			case c == '&' && i+1 < len(p) && p[i+1] == '&':
				return "", unsupported(p, i, "character class intersection &&")
			}
			b.WriteByte(c)
			i++
			continue
		case c == '[':
			inClass = true
			b.WriteByte(c)
			i++
			if i < len(p) && p[i] == '^' {
				b.WriteByte('^')
				i++
			}
			// A ']' right after '[' or '[^' is a literal in both dialects.
			classStart = i + 1
			continue
		case c == '(' && i+1 < len(p) && p[i+1] == '?':
			rest := p[i+2:]
			switch {
			case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"):
				return "", unsupported(p, i, "lookahead")
			case strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
				return "", unsupported(p, i, "lookbehind")
			case strings.HasPrefix(rest, ">"):
				return "", unsupported(p, i, "atomic group")
			case strings.HasPrefix(rest, "<"), strings.HasPrefix(rest, ":"):
			default:
				// inline flags: RE2 knows i, m and s; Java's d, u, x and U mean other things.
				for j := 0; j < len(rest) && rest[j] != ')' && rest[j] != ':'; j++ {
					if strings.IndexByte("dux U", rest[j]) >= 0 {
						return "", unsupported(p, i, "inline flag "+string(rest[j]))
					}
				}
			}
		case c == '*' || c == '+' || c == '?' || c == '}':
			b.WriteByte(c)
			i++
			if i < len(p) && p[i] == '?' {
				b.WriteByte('?')
				i++
				continue
			}
			if err := checkPossessive(p, i); err != nil {
				return "", err
			}
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String(), nil
}

// checkPossessive rejects a possessive quantifier (x*+, x++, x?+, x{n}+) at i.
func checkPossessive(p string, i int) error {
	if i < len(p) && p[i] == '+' {
		return unsupported(p, i, "possessive quantifier")
	}
	return nil
}
