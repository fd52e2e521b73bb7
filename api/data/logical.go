package data

import (
	"math/big"
	"strconv"
	"time"
)

// Logical type schema names, as in Java.
const (
	DecimalName   = "org.apache.kafka.connect.data.Decimal"
	DateName      = "org.apache.kafka.connect.data.Date"
	TimeName      = "org.apache.kafka.connect.data.Time"
	TimestampName = "org.apache.kafka.connect.data.Timestamp"
	// DecimalScaleParam is the schema parameter that holds a Decimal's scale.
	DecimalScaleParam = "scale"
)

const msPerDay = 24 * 60 * 60 * 1000

// DecimalSchema returns a Decimal logical schema with the given scale.
func DecimalSchema(scale int32, optional bool) *Schema {
	return &Schema{Type: TypeBytes, Name: DecimalName, Version: Int32Ptr(1), Optional: optional,
		Parameters: map[string]string{DecimalScaleParam: strconv.Itoa(int(scale))}}
}

// DateSchema returns a Date logical schema (INT32 days since the epoch).
func DateSchema(optional bool) *Schema {
	return &Schema{Type: TypeInt32, Name: DateName, Version: Int32Ptr(1), Optional: optional}
}

// TimeSchema returns a Time logical schema (INT32 milliseconds since midnight).
func TimeSchema(optional bool) *Schema {
	return &Schema{Type: TypeInt32, Name: TimeName, Version: Int32Ptr(1), Optional: optional}
}

// TimestampSchema returns a Timestamp logical schema (INT64 milliseconds since the epoch).
func TimestampSchema(optional bool) *Schema {
	return &Schema{Type: TypeInt64, Name: TimestampName, Version: Int32Ptr(1), Optional: optional}
}

// DecimalScale returns the scale parameter of a Decimal schema.
func DecimalScale(s *Schema) (int32, error) {
	p, ok := s.Parameters[DecimalScaleParam]
	if !ok {
		return 0, Errorf("Invalid Decimal schema: scale parameter not found.")
	}
	n, err := strconv.ParseInt(p, 10, 32)
	if err != nil {
		return 0, Errorf("Invalid scale parameter found in Decimal schema: %s", p)
	}
	return int32(n), nil
}

// DecimalFromBytes decodes Java's Decimal encoding: a big-endian two's-complement
// unscaled integer, with the schema's scale.
func DecimalFromBytes(s *Schema, b []byte) (Decimal, error) {
	scale, err := DecimalScale(s)
	if err != nil {
		return Decimal{}, err
	}
	u := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		u.Sub(u, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return Decimal{Unscaled: u, Scale: scale}, nil
}

// DecimalToBytes encodes d as Java's BigInteger.toByteArray of the unscaled value
// after checking that its scale matches the schema's.
func DecimalToBytes(s *Schema, d Decimal) ([]byte, error) {
	scale, err := DecimalScale(s)
	if err != nil {
		return nil, err
	}
	if d.Scale != scale {
		return nil, Errorf("Decimal value has mismatching scale for given Decimal schema. Schema has scale %d, value has scale %d.", scale, d.Scale)
	}
	return TwosComplement(d.Unscaled), nil
}

// TwosComplement returns the minimal big-endian two's-complement bytes of v, as Java's
// BigInteger.toByteArray.
func TwosComplement(v *big.Int) []byte {
	if v.Sign() >= 0 {
		b := v.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	n := (v.BitLen() + 8) / 8 // enough bytes for the sign bit
	m := new(big.Int).Add(v, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
	b := m.Bytes()
	for len(b) < n {
		b = append([]byte{0xff}, b...)
	}
	// strip redundant leading 0xff bytes
	for len(b) > 1 && b[0] == 0xff && b[1]&0x80 != 0 {
		b = b[1:]
	}
	return b
}

// DateToDays converts a Date value to days since the epoch; Java rejects a time of day.
func DateToDays(t time.Time) (int32, error) {
	ms := t.UnixMilli()
	if ms%msPerDay != 0 {
		return 0, Errorf("Kafka Connect Date type should not have any time fields set to non-zero values.")
	}
	return int32(ms / msPerDay), nil
}

// DaysToDate converts days since the epoch to a Date value.
func DaysToDate(days int32) time.Time { return time.UnixMilli(int64(days) * msPerDay).UTC() }

// TimeToMillis converts a Time value to milliseconds since midnight; Java rejects a date part.
func TimeToMillis(t time.Time) (int32, error) {
	ms := t.UnixMilli()
	if ms < 0 || ms > msPerDay {
		return 0, Errorf("Kafka Connect Time type should not have any date fields set to non-zero values.")
	}
	return int32(ms), nil
}

// MillisToTime converts milliseconds since midnight to a Time value.
func MillisToTime(ms int32) time.Time { return time.UnixMilli(int64(ms)).UTC() }
