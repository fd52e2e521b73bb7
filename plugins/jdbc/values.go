package jdbc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/data"
)

// canonical turns a Connect value with its schema into the canonical Go value of
// the schema's class (see valueClass). nil stays nil.
func canonical(s *data.Schema, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch classOf(s) {
	case clsInt:
		switch x := v.(type) {
		case int8:
			return int64(x), nil
		case int16:
			return int64(x), nil
		case int32:
			return int64(x), nil
		case int64:
			return x, nil
		}
	case clsFloat:
		switch x := v.(type) {
		case float32:
			return x, nil
		case float64:
			return x, nil
		}
	case clsBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case clsString:
		if str, ok := v.(string); ok {
			return str, nil
		}
	case clsBytes:
		if b, ok := v.([]byte); ok {
			return b, nil
		}
	case clsDecimal:
		switch x := v.(type) {
		case data.Decimal:
			return x, nil
		case []byte:
			return data.DecimalFromBytes(s, x)
		}
	case clsDate, clsTime, clsTimestamp:
		if t, ok := v.(time.Time); ok {
			return t, nil
		}
	case clsJSON:
		b, err := json.Marshal(jsonable(v))
		if err != nil {
			return nil, fmt.Errorf("encode %s value as JSON: %w", s.Type, err)
		}
		return string(b), nil
	}
	return nil, fmt.Errorf("%w: value of Go type %T does not match schema %s", data.ErrData, v, s)
}

// jsonable turns Connect values (Structs, maps with non-string keys, Decimals,
// bytes, times) into values encoding/json renders as a JSON converter would.
func jsonable(v any) any {
	switch x := v.(type) {
	case *data.Struct:
		m := map[string]any{}
		for i, f := range x.Schema().Fields {
			m[f.Name] = jsonable(x.At(i))
		}
		return m
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = jsonable(e)
		}
		return m
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	case data.Decimal:
		return json.Number(x.String())
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return strconv.FormatFloat(float64(x), 'g', -1, 32)
		}
	}
	return v // []byte renders as base64, like the JSON converter
}

// coerce turns a schemaless value (what the JSON converter produces with
// schemas.enable=false: int64, float64, string, bool, []any, map[string]any) into
// the canonical value of a column's class.
func coerce(cls valueClass, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	bad := func() (any, error) {
		return nil, fmt.Errorf("%w: cannot convert %T value %v to a %s column", data.ErrData, v, v, cls)
	}
	switch cls {
	case clsInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case int:
			return int64(x), nil
		case float64:
			if x != math.Trunc(x) {
				return bad()
			}
			return int64(x), nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil {
				return bad()
			}
			return n, nil
		}
	case clsFloat:
		switch x := v.(type) {
		case float64:
			return x, nil
		case float32:
			return x, nil
		case int64:
			return float64(x), nil
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return bad()
			}
			return f, nil
		}
	case clsBool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case float64:
			return x != 0, nil
		case string:
			b, err := strconv.ParseBool(strings.TrimSpace(x))
			if err != nil {
				return bad()
			}
			return b, nil
		}
	case clsString, clsUnknown:
		switch x := v.(type) {
		case string:
			return x, nil
		case map[string]any, []any, map[any]any:
			b, err := json.Marshal(jsonable(x))
			if err != nil {
				return bad()
			}
			return string(b), nil
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		}
		return fmt.Sprint(v), nil
	case clsBytes:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			// The JSON converter writes bytes as base64; take it back, or the raw
			// text when it is not base64.
			if b, err := base64.StdEncoding.DecodeString(x); err == nil {
				return b, nil
			}
			return []byte(x), nil
		}
	case clsDecimal:
		switch x := v.(type) {
		case data.Decimal:
			return x, nil
		case int64:
			return data.Decimal{Unscaled: big.NewInt(x)}, nil
		case float64:
			d, err := data.ParseBigDecimal(strconv.FormatFloat(x, 'f', -1, 64))
			if err != nil {
				return bad()
			}
			return d, nil
		case string:
			d, err := data.ParseBigDecimal(strings.TrimSpace(x))
			if err != nil {
				return bad()
			}
			return d, nil
		}
	case clsDate, clsTime, clsTimestamp:
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case int64:
			// Connect's own encodings: days for Date, ms of day for Time, epoch ms.
			switch cls {
			case clsDate:
				return data.DaysToDate(int32(x)), nil
			case clsTime:
				return data.MillisToTime(int32(x)), nil
			}
			return time.UnixMilli(x).UTC(), nil
		case string:
			if t, ok := parseTemporal(cls, strings.TrimSpace(x)); ok {
				return t, nil
			}
		}
		return bad()
	case clsJSON:
		switch x := v.(type) {
		case string:
			if json.Valid([]byte(x)) {
				return x, nil
			}
		}
		b, err := json.Marshal(jsonable(v))
		if err != nil {
			return bad()
		}
		return string(b), nil
	}
	return bad()
}

var temporalLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999", "2006-01-02",
}

func parseTemporal(cls valueClass, s string) (time.Time, bool) {
	if cls == clsTime {
		for _, l := range []string{"15:04:05.999999999", "15:04"} {
			if t, err := time.Parse(l, s); err == nil {
				return time.Date(1970, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), true
			}
		}
		return time.Time{}, false
	}
	for _, l := range temporalLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// wallClock renders t as the wall-clock time in tz, the way JDBC's
// setTimestamp(i, ts, Calendar(db.timezone)) writes a TIMESTAMP without time zone.
func wallClock(t time.Time, tz *time.Location) time.Time {
	t = t.In(tz)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// timeOfDay renders a Time value as HH:MM:SS.fff.
func timeOfDay(t time.Time) string {
	t = t.UTC()
	return t.Format("15:04:05.000")
}
