// Package datatest renders Connect schemas and values as deterministic text, the same
// text the Java golden generator (plugins/jsonconv/testdata/java/GoldenGen.java)
// writes, so tests can compare Go results with Java's.
package datatest

import (
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/goconnect/goconnect/api/data"
)

// DumpSchema renders s as GoldenGen.dumpSchema: "{type=INT32,opt=false,...}" or "null".
func DumpSchema(s *data.Schema) string {
	if s == nil {
		return "null"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "{type=%s,opt=%t", s.Type, s.Optional)
	if s.Name != "" {
		b.WriteString(",name=" + s.Name)
	}
	if s.Version != nil {
		fmt.Fprintf(&b, ",ver=%d", *s.Version)
	}
	if s.Doc != nil {
		b.WriteString(",doc=" + Quote(*s.Doc))
	}
	if s.Parameters != nil {
		b.WriteString(",params={")
		for i, k := range slices.Sorted(maps.Keys(s.Parameters)) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k + "=" + s.Parameters[k])
		}
		b.WriteString("}")
	}
	if s.Default != nil {
		b.WriteString(",default=" + Dump(s.Default))
	}
	switch s.Type {
	case data.TypeArray:
		b.WriteString(",items=" + DumpSchema(s.ValueSchema))
	case data.TypeMap:
		b.WriteString(",keys=" + DumpSchema(s.KeySchema) + ",values=" + DumpSchema(s.ValueSchema))
	case data.TypeStruct:
		b.WriteString(",fields=[")
		for i, f := range s.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(f.Name + ":" + DumpSchema(f.Schema))
		}
		b.WriteString("]")
	}
	b.WriteByte('}')
	return b.String()
}

// Dump renders v as GoldenGen.dump: "int32:5", "string:\"x\"", "[..]", "{k=v}" (sorted),
// "struct{f=v}" (without defaults), "time:<epoch ms>", "decimal:<unscaled>/<scale>".
func Dump(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case int8:
		return "int8:" + strconv.Itoa(int(x))
	case int16:
		return "int16:" + strconv.Itoa(int(x))
	case int32:
		return "int32:" + strconv.Itoa(int(x))
	case int64:
		return "int64:" + strconv.FormatInt(x, 10)
	case float32:
		return "float32:" + data.JavaFloat(float64(x), 32)
	case float64:
		return "float64:" + data.JavaFloat(x, 64)
	case bool:
		return "bool:" + strconv.FormatBool(x)
	case string:
		return "string:" + Quote(x)
	case []byte:
		return "bytes:" + hex.EncodeToString(x)
	case data.Decimal:
		return fmt.Sprintf("decimal:%s/%d", x.Unscaled, x.Scale)
	case time.Time:
		return "time:" + strconv.FormatInt(x.UnixMilli(), 10)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Dump(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		m := map[string]string{}
		for k, e := range x {
			m[Dump(k)] = Dump(e)
		}
		return dumpSorted(m)
	case map[any]any:
		m := map[string]string{}
		for k, e := range x {
			m[Dump(k)] = Dump(e)
		}
		return dumpSorted(m)
	case *data.Struct:
		parts := make([]string, len(x.Schema().Fields))
		for i, f := range x.Schema().Fields {
			parts[i] = f.Name + "=" + Dump(x.GetWithoutDefault(f.Name))
		}
		return "struct{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprintf("?%T:%v", v, v)
}

func dumpSorted(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// Quote is GoldenGen.quote: every UTF-16 unit outside printable ASCII, '"' and '\\'
// as a lower-case \uXXXX escape.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, u := range utf16Units(s) {
		if u < 0x20 || u > 0x7e || u == '"' || u == '\\' {
			fmt.Fprintf(&b, "\\u%04x", u)
		} else {
			b.WriteByte(byte(u))
		}
	}
	b.WriteByte('"')
	return b.String()
}

// utf16Units is the UTF-16 of s, reading the 3-byte WTF-8 form of a lone surrogate
// (how goconnect's JSON decoder keeps one) as that surrogate.
func utf16Units(s string) []uint16 {
	var out []uint16
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 && s[i] == 0xED && i+2 < len(s) && s[i+1]&0xE0 == 0xA0 {
			out = append(out, 0xD000|uint16(s[i+1]&0x3F)<<6|uint16(s[i+2]&0x3F))
			i += 3
			continue
		}
		out = utf16.AppendRune(out, r)
		i += size
	}
	return out
}
