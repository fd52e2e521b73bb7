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
	"sync/atomic"
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

// newHashMap sizes for the seven keys of the longest line, so filling it does not
// grow anything.
func newHashMap() *hashMap {
	return &hashMap{keys: make([]string, 0, 8), vals: make(map[string]any, 8)}
}

func (m *hashMap) put(k string, v any) {
	if _, ok := m.vals[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
}

// appendJSON renders m as Jackson's ObjectMapper.writeValueAsString does.
func (m *hashMap) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, k := range hashMapOrder(m.keys) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, m.vals[k])
	}
	return append(b, '}')
}

// lineFormat prints lines of a fixed key list (in put order) as a hashMap of those
// keys prints them, without building one: the source prints two such lines per
// record.
type lineFormat struct {
	keys []string
	perm []int // perm[i] is the index in keys of the i-th key printed
}

func newLineFormat(keys ...string) *lineFormat {
	f := &lineFormat{keys: keys}
	for _, k := range data.JavaHashMapOrder(keys) {
		f.perm = append(f.perm, slices.Index(keys, k))
	}
	return f
}

// append renders the values of f.keys, in that order, as one JSON object.
func (f *lineFormat) append(b []byte, vals ...any) []byte {
	b = append(b, '{')
	for i, j := range f.perm {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, f.keys[j])
		b = append(b, ':')
		b = appendValue(b, vals[j])
	}
	return append(b, '}')
}

type orderEntry struct{ keys, order []string }

// orders memoizes data.JavaHashMapOrder for the few key lists the tasks print
// (one per kind of line), which was a tenth of a source's CPU when computed per
// line. Copy on write: readers never lock.
var orders atomic.Pointer[[]orderEntry]

// hashMapOrder is data.JavaHashMapOrder(keys); the result is shared, read only.
func hashMapOrder(keys []string) []string {
	old := orders.Load()
	if old != nil {
		for _, e := range *old {
			if slices.Equal(e.keys, keys) {
				return e.order
			}
		}
	}
	order := data.JavaHashMapOrder(keys)
	if old == nil || len(*old) < 16 {
		var next []orderEntry
		if old != nil {
			next = slices.Clone(*old)
		}
		next = append(next, orderEntry{slices.Clone(keys), order})
		orders.CompareAndSwap(old, &next) // losing a race only costs a recomputation
	}
	return order
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
	// The plain ASCII prefix (usually all of s) is copied as it is.
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < utf8.RuneSelf && s[i] != '"' && s[i] != '\\' {
		i++
	}
	b = append(b, s[:i]...)
	for i < len(s) {
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
//
// A buffered output (the source's: two lines per record) collects lines and writes
// them at most every flushDelay, when maxBuffered bytes are waiting, and on flush
// (the task's Commit, an idle Poll) and close: the same bytes with a write(2) per
// thousand lines instead of per line, which bound the source by printing.
type output struct {
	mu       sync.Mutex
	w        io.Writer
	f        *os.File // non-nil when w is a file this task opened
	buffered bool
	buf      []byte
	timer    *time.Timer // flushes buf flushDelay after it stopped being empty
	err      error       // a failed background write, returned by the next call
	closed   bool
}

const (
	flushDelay  = 100 * time.Millisecond
	maxBuffered = 64 << 10
)

// openOutput returns the output for the file key ("" means stdout).
func openOutput(file string, stdout io.Writer, buffered bool) (*output, error) {
	if file == "" {
		if stdout == nil {
			stdout = os.Stdout
		}
		return &output{w: stdout, buffered: buffered}, nil
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	return &output{w: f, f: f, buffered: buffered}, nil
}

// write writes b, one or more complete lines, with a single write, or buffers it.
func (o *output) write(b []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	if !o.buffered || o.closed {
		_, err := o.w.Write(b)
		return err
	}
	if len(o.buf) == 0 {
		if o.timer == nil {
			o.timer = time.AfterFunc(flushDelay, o.flushInBackground)
		} else {
			o.timer.Reset(flushDelay)
		}
	}
	o.buf = append(o.buf, b...)
	if len(o.buf) >= maxBuffered {
		return o.flushLocked()
	}
	return nil
}

func (o *output) flushInBackground() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.flushLocked(); err != nil && o.err == nil {
		o.err = err
	}
}

// flush writes the buffered lines.
func (o *output) flush() error {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	return o.flushLocked()
}

func (o *output) flushLocked() error {
	if len(o.buf) == 0 {
		return nil
	}
	_, err := o.w.Write(o.buf)
	o.buf = o.buf[:0]
	return err
}

// close writes the buffered lines and closes the file, if any. Later writes (a
// CommitRecord racing the stop) go straight to w.
func (o *output) close() error {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.timer != nil {
		o.timer.Stop()
	}
	err := o.flushLocked()
	o.closed = true
	if o.f != nil {
		if cerr := o.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
