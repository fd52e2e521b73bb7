package transform

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// javaDateFormat is java.text.SimpleDateFormat in the UTC time zone and the English
// locale, enough for TimestampConverter's format and TimestampRouter's
// timestamp.format. It formats and parses pattern letters itself rather than
// translating to a Go layout, because Go layouts cannot say several things Java
// patterns say every day: unpadded 24-hour hours (H), milliseconds not preceded by a
// dot (SSS), literal digits, and "abutting" numeric fields such as yyyyMMdd, which
// Java parses by field width.
type javaDateFormat struct {
	pattern string
	toks    []dfToken
}

type dfToken struct {
	letter byte // 0 for literal text
	count  int
	lit    string
}

const dfLetters = "GyMdkHmsSEDFwWahKzZYuXL"

// compileDateFormat is new SimpleDateFormat(pattern), with Java's
// IllegalArgumentException messages.
func compileDateFormat(pattern string) (*javaDateFormat, error) {
	f := &javaDateFormat{pattern: pattern}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			f.toks = append(f.toks, dfToken{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			if i+1 < len(pattern) && pattern[i+1] == '\'' {
				lit.WriteByte('\'')
				i += 2
				continue
			}
			i++
			closed := false
			for i < len(pattern) {
				if pattern[i] == '\'' {
					if i+1 < len(pattern) && pattern[i+1] == '\'' {
						lit.WriteByte('\'')
						i += 2
						continue
					}
					closed = true
					i++
					break
				}
				lit.WriteByte(pattern[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("Unterminated quote")
			}
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			if strings.IndexByte(dfLetters, c) < 0 {
				return nil, fmt.Errorf("Illegal pattern character '%c'", c)
			}
			n := 1
			for i+n < len(pattern) && pattern[i+n] == c {
				n++
			}
			if c == 'X' && n > 3 {
				return nil, fmt.Errorf("invalid ISO 8601 format: length=%d", n)
			}
			flush()
			f.toks = append(f.toks, dfToken{letter: c, count: n})
			i += n
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return f, nil
}

func pad(n int64, width int) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for len(s) < width {
		s = "0" + s
	}
	if neg {
		return "-" + s
	}
	return s
}

// format is SimpleDateFormat.format in UTC.
func (f *javaDateFormat) format(t time.Time) string {
	t = t.UTC()
	var b strings.Builder
	for _, tok := range f.toks {
		n := tok.count
		switch tok.letter {
		case 0:
			b.WriteString(tok.lit)
		case 'G':
			if t.Year() <= 0 {
				b.WriteString("BC")
			} else {
				b.WriteString("AD")
			}
		case 'y', 'Y':
			y := int64(t.Year())
			if y <= 0 {
				y = 1 - y // Java's year of era
			}
			if n == 2 {
				b.WriteString(pad(y%100, 2))
			} else {
				b.WriteString(pad(y, n))
			}
		case 'M', 'L':
			switch {
			case n >= 4:
				b.WriteString(t.Month().String())
			case n == 3:
				b.WriteString(t.Month().String()[:3])
			default:
				b.WriteString(pad(int64(t.Month()), n))
			}
		case 'd':
			b.WriteString(pad(int64(t.Day()), n))
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b.WriteString(pad(int64(h), n))
		case 'H':
			b.WriteString(pad(int64(t.Hour()), n))
		case 'm':
			b.WriteString(pad(int64(t.Minute()), n))
		case 's':
			b.WriteString(pad(int64(t.Second()), n))
		case 'S':
			b.WriteString(pad(int64(t.Nanosecond()/1e6), n))
		case 'E':
			if n >= 4 {
				b.WriteString(t.Weekday().String())
			} else {
				b.WriteString(t.Weekday().String()[:3])
			}
		case 'D':
			b.WriteString(pad(int64(t.YearDay()), n))
		case 'F':
			b.WriteString(pad(int64((t.Day()-1)/7+1), n))
		case 'w':
			// Java's default (US) week rules: weeks start on Sunday and week 1 is the
			// week containing January 1.
			jan1 := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
			w := (t.YearDay()-1+int(jan1.Weekday()))/7 + 1
			if nextJan1 := jan1.AddDate(1, 0, 0); t.AddDate(0, 0, 7-int(t.Weekday())-1).Year() > t.Year() && nextJan1.Weekday() != time.Sunday {
				w = 1
			}
			b.WriteString(pad(int64(w), n))
		case 'W':
			first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
			b.WriteString(pad(int64((t.Day()-1+int(first.Weekday()))/7+1), n))
		case 'a':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(pad(int64(h), n))
		case 'K':
			b.WriteString(pad(int64(t.Hour()%12), n))
		case 'z':
			if n >= 4 {
				b.WriteString("Coordinated Universal Time")
			} else {
				b.WriteString("UTC")
			}
		case 'Z':
			b.WriteString("+0000")
		case 'X':
			b.WriteString("Z")
		case 'u':
			wd := int64(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b.WriteString(pad(wd, n))
		}
	}
	return b.String()
}

var errUnparseable = fmt.Errorf("unparseable date")

func isNumericToken(t dfToken) bool {
	switch t.letter {
	case 'y', 'Y', 'd', 'k', 'H', 'm', 's', 'S', 'D', 'F', 'w', 'W', 'h', 'K', 'u':
		return true
	case 'M', 'L':
		return t.count <= 2
	}
	return false
}

// parse is SimpleDateFormat.parse (lenient, UTC): fields are read in order, numeric
// fields followed directly by another numeric field take exactly their width,
// out-of-range values roll over, and text after the last field is ignored.
func (f *javaDateFormat) parse(s string) (time.Time, error) {
	year, month, day := 1970, 1, 1
	hour, minute, sec, ms := 0, 0, 0, 0
	yearDay := -1
	pm, hasAmPm := false, false
	hour12 := -1
	offset := 0
	bc := false
	pos := 0
	for i, tok := range f.toks {
		if tok.letter == 0 {
			if !strings.HasPrefix(s[pos:], tok.lit) {
				return time.Time{}, errUnparseable
			}
			pos += len(tok.lit)
			continue
		}
		for pos < len(s) && (s[pos] == ' ' || s[pos] == '\t') {
			pos++
		}
		if isNumericToken(tok) {
			abut := i+1 < len(f.toks) && isNumericToken(f.toks[i+1])
			start := pos
			neg := false
			if pos < len(s) && s[pos] == '-' && (tok.letter == 'y' || tok.letter == 'Y') {
				neg = true
				pos++
			}
			digStart := pos
			for pos < len(s) && s[pos] >= '0' && s[pos] <= '9' && (!abut || pos-digStart < tok.count) {
				pos++
			}
			if pos == digStart {
				return time.Time{}, errUnparseable
			}
			v, err := strconv.Atoi(s[digStart:pos])
			if err != nil {
				return time.Time{}, errUnparseable
			}
			if neg {
				v = -v
			}
			switch tok.letter {
			case 'y', 'Y':
				if tok.count <= 2 && pos-start == 2 {
					v = twoDigitYear(v)
				}
				year = v
			case 'M', 'L':
				month = v
			case 'd':
				day = v
			case 'k':
				if v == 24 {
					v = 0
				}
				hour = v
			case 'H':
				hour = v
			case 'm':
				minute = v
			case 's':
				sec = v
			case 'S':
				ms = v
			case 'D':
				yearDay = v
			case 'h':
				if v == 12 {
					v = 0
				}
				hour12 = v
			case 'K':
				hour12 = v
			}
			continue
		}
		rest := s[pos:]
		switch tok.letter {
		case 'M', 'L':
			m, n := matchName(rest, func(i int) string { return time.Month(i + 1).String() }, 12)
			if m < 0 {
				return time.Time{}, errUnparseable
			}
			month, pos = m+1, pos+n
		case 'E':
			d, n := matchName(rest, func(i int) string { return time.Weekday(i).String() }, 7)
			if d < 0 {
				return time.Time{}, errUnparseable
			}
			pos += n
		case 'a':
			switch {
			case len(rest) >= 2 && strings.EqualFold(rest[:2], "AM"):
				hasAmPm, pm = true, false
			case len(rest) >= 2 && strings.EqualFold(rest[:2], "PM"):
				hasAmPm, pm = true, true
			default:
				return time.Time{}, errUnparseable
			}
			pos += 2
		case 'G':
			switch {
			case len(rest) >= 2 && strings.EqualFold(rest[:2], "AD"):
			case len(rest) >= 2 && strings.EqualFold(rest[:2], "BC"):
				bc = true
			default:
				return time.Time{}, errUnparseable
			}
			pos += 2
		case 'z', 'Z', 'X':
			off, n, ok := parseZone(rest)
			if !ok {
				return time.Time{}, errUnparseable
			}
			offset, pos = off, pos+n
		}
	}
	if hour12 >= 0 {
		hour = hour12
		if hasAmPm && pm {
			hour += 12
		}
	} else if hasAmPm && pm && hour < 12 {
		// Java ignores AM/PM for H; keep that.
		_ = pm
	}
	if bc {
		year = 1 - year
	}
	var t time.Time
	if yearDay >= 0 {
		t = time.Date(year, 1, yearDay, hour, minute, sec, 0, time.UTC)
	} else {
		t = time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	}
	t = t.Add(time.Duration(ms) * time.Millisecond).Add(-time.Duration(offset) * time.Second)
	return t, nil
}

// twoDigitYear resolves a two-digit year into the century starting 80 years before
// now, as SimpleDateFormat's default century does.
func twoDigitYear(v int) int {
	start := time.Now().UTC().Year() - 80
	y := start/100*100 + v
	if y < start {
		y += 100
	}
	return y
}

// matchName matches a full or three-letter English name, case-insensitively, longest
// first.
func matchName(s string, name func(int) string, n int) (int, int) {
	for i := 0; i < n; i++ {
		full := name(i)
		if len(s) >= len(full) && strings.EqualFold(s[:len(full)], full) {
			return i, len(full)
		}
	}
	for i := 0; i < n; i++ {
		short := name(i)[:3]
		if len(s) >= 3 && strings.EqualFold(s[:3], short) {
			return i, 3
		}
	}
	return -1, 0
}

// parseZone reads Z, UTC, GMT, GMT+hh:mm, +hh, +hhmm or +hh:mm and returns the offset
// in seconds and the bytes consumed.
func parseZone(s string) (int, int, bool) {
	n := 0
	switch {
	case strings.HasPrefix(s, "Z"):
		return 0, 1, true
	case strings.HasPrefix(s, "UTC"), strings.HasPrefix(s, "GMT"):
		n = 3
		if len(s) == 3 || (s[3] != '+' && s[3] != '-') {
			return 0, 3, true
		}
	}
	if n >= len(s) || (s[n] != '+' && s[n] != '-') {
		return 0, 0, false
	}
	sign := 1
	if s[n] == '-' {
		sign = -1
	}
	n++
	digits := func(k int) (int, bool) {
		if n+k > len(s) {
			return 0, false
		}
		v, err := strconv.Atoi(s[n : n+k])
		if err != nil {
			return 0, false
		}
		n += k
		return v, true
	}
	h, ok := digits(2)
	if !ok {
		return 0, 0, false
	}
	m := 0
	if n < len(s) && s[n] == ':' {
		n++
		if m, ok = digits(2); !ok {
			return 0, 0, false
		}
	} else if v, ok2 := digits(2); ok2 {
		m = v
	}
	return sign * (h*3600 + m*60), n, true
}
