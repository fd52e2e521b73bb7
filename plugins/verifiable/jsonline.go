package verifiable

import (
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/goconnect/goconnect/api/data"
)

// hashMap is the java.util.HashMap<String, Object> that Java's verifiable tasks fill
// and hand to Jackson: put keeps the first position of a key, and the JSON lists
// entries in HashMap iteration order.
type hashMap struct {
	keys []string
	vals map[string]any
}

func newHashMap() *hashMap { return &hashMap{vals: map[string]any{}} }

func (m *hashMap) put(k string, v any) {
	if _, ok := m.vals[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
}

// appendJSON renders m as Jackson's ObjectMapper.writeValueAsString does.
func (m *hashMap) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, k := range data.JavaHashMapOrder(m.keys) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, m.vals[k])
	}
	return append(b, '}')
}

// appendValue renders a value as Jackson renders the Java object it stands for.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int8:
		return strconv.AppendInt(b, int64(x), 10)
	case int16:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case float32:
		return appendFloat(b, float64(x), 32)
	case float64:
		return appendFloat(b, x, 64)
	case []byte:
		// Jackson writes byte[] as a base64 string.
		return appendString(b, base64.StdEncoding.EncodeToString(x))
	case data.Decimal:
		return append(b, x.String()...) // BigDecimal.toString, unquoted
	case time.Time:
		// java.util.Date: Jackson's default WRITE_DATES_AS_TIMESTAMPS.
		return strconv.AppendInt(b, x.UnixMilli(), 10)
	case *data.Struct:
		// Jackson cannot serialize a Struct (Java prints "Bad data ..."); a JSON
		// object of its fields keeps the line useful.
		b = append(b, '{')
		for i, f := range x.Schema().Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, f.Name)
			b = append(b, ':')
			b = appendValue(b, x.At(i))
		}
		return append(b, '}')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range data.JavaHashMapOrder(keys) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendValue(b, x[k])
		}
		return append(b, '}')
	case map[any]any:
		keys := make([]any, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(p, q any) int {
			ps, qs := data.JavaString(p), data.JavaString(q)
			switch {
			case ps < qs:
				return -1
			case ps > qs:
				return 1
			}
			return 0
		})
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, data.JavaString(k))
			b = append(b, ':')
			b = appendValue(b, x[k])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	}
	return appendString(b, fmt.Sprint(v))
}

// appendFloat writes Java's Double/Float.toString; Jackson quotes NaN and infinities
// (its default WRITE_NAN_AS_STRINGS).
func appendFloat(b []byte, f float64, bits int) []byte {
	s := data.JavaFloat(f, bits)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return appendString(b, s)
	}
	return append(b, s...)
}

const hexDigits = "0123456789ABCDEF"

// appendString quotes s as Jackson does: only '"', '\\' and control characters are
// escaped (\b \t \n \f \r short, the others as \u00XX with upper-case hex); '/',
// HTML characters and non-ASCII are written as they are.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r) // a malformed byte becomes U+FFFD, as in a Java String
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}

// output is where a task prints its JSON lines: stdout, or the goconnect `file` key.
// Writes are serialized so lines from a source task's Poll and from CommitRecord
// (another goroutine) never interleave.
type output struct {
	mu sync.Mutex
	w  io.Writer
	f  *os.File // non-nil when w is a file this task opened
}

// openOutput returns the output for the file key ("" means stdout).
func openOutput(file string, stdout io.Writer) (*output, error) {
	if file == "" {
		if stdout == nil {
			stdout = os.Stdout
		}
		return &output{w: stdout}, nil
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	return &output{w: f, f: f}, nil
}

// write writes b, one or more complete lines, with a single write.
func (o *output) write(b []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, err := o.w.Write(b)
	return err
}

func (o *output) close() error {
	if o == nil || o.f == nil {
		return nil
	}
	return o.f.Close()
}
