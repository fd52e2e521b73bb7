package data

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// JavaString renders a value the way Java's String.valueOf does for the Java object the
// value stands for, so outputs that Java Kafka Connect builds with toString (the
// FileStreamSink's lines, Struct.toString, log lines) are byte-identical:
// maps as {k=v, k2=v2} in java.util.HashMap iteration order, lists as [a, b], floats
// as Java's Float/Double.toString, times as java.util.Date.toString in UTC.
func JavaString(v any) string {
	var b strings.Builder
	writeJava(&b, v)
	return b.String()
}

func writeJava(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int8:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int16:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int32:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case float32:
		b.WriteString(JavaFloat(float64(x), 32))
	case float64:
		b.WriteString(JavaFloat(x, 64))
	case []byte:
		// Java prints byte[] as "[B@<identity hash>"; there is no stable equivalent,
		// so print the same prefix with a content hash.
		h := uint32(1)
		for _, c := range x {
			h = 31*h + uint32(int8(c))
		}
		fmt.Fprintf(b, "[B@%x", h)
	case Decimal:
		b.WriteString(x.String())
	case time.Time:
		b.WriteString(x.UTC().Format("Mon Jan 02 15:04:05 MST 2006"))
	case *Struct:
		b.WriteString(x.String())
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJava(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range JavaHashMapOrder(keysOf(x)) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			writeJava(b, x[k])
		}
		b.WriteByte('}')
	case map[any]any:
		keys := make([]any, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return JavaString(keys[i]) < JavaString(keys[j]) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJava(b, k)
			b.WriteByte('=')
			writeJava(b, x[k])
		}
		b.WriteByte('}')
	case fmt.Stringer:
		b.WriteString(x.String())
	default:
		fmt.Fprint(b, x)
	}
}

func keysOf(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// JavaFloat formats f as Java's Double.toString (bits 64) or Float.toString (bits 32):
// plain notation with at least one fractional digit for 1e-3 <= |f| < 1e7, otherwise
// computerized scientific notation such as 1.0E10.
func JavaFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	a := math.Abs(f)
	if a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, bits) // e.g. 1.2345e+10, 1e-05
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		// Java prints at least two digits, choosing the two-digit decimal nearest the
		// exact value when it still reads back as f: Double.MIN_VALUE is 4.9E-324,
		// not 5.0E-324. For normal numbers that is always d.0.
		two := strconv.FormatFloat(f, 'e', 1, bits)
		if back, err := strconv.ParseFloat(two, bits); err == nil && back == f {
			mant, exp, _ = strings.Cut(two, "e")
		} else {
			mant += ".0"
		}
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// JavaStringHash is Java's String.hashCode over UTF-16 code units.
func JavaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

// JavaHashMapOrder returns keys in the iteration order of a java.util.HashMap that had
// them put in the given order (default capacity 16, load factor 0.75). Java Kafka
// Connect builds such maps when it parses JSON objects, so this is the order in which
// Java renders them again. Keys that collide in one bucket keep their insertion order.
func JavaHashMapOrder(keys []string) []string {
	n := 16
	for float64(len(keys)) > 0.75*float64(n) {
		n *= 2
	}
	type kb struct {
		k   string
		b   int
		pos int
	}
	items := make([]kb, len(keys))
	for i, k := range keys {
		h := uint32(JavaStringHash(k))
		h ^= h >> 16
		items[i] = kb{k, int(h & uint32(n-1)), i}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].b < items[j].b })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.k
	}
	return out
}
