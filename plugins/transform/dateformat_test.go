package transform

import (
	"testing"
	"time"
)

func TestJavaDateFormat(t *testing.T) {
	ts := time.UnixMilli(1700000000123).UTC() // 2023-11-14T22:13:20.123Z, a Tuesday
	for pattern, want := range map[string]string{
		"yyyyMMdd":                         "20231114",
		"yyyy-MM-dd'T'HH:mm:ss.SSSXXX":     "2023-11-14T22:13:20.123Z",
		"EEE, d MMM yy hh:mm a z":          "Tue, 14 Nov 23 10:13 PM UTC",
		"EEEE MMMM D H:m:s S Z 'o''clock'": "Tuesday November 318 22:13:20 123 +0000 o'clock",
		"k K u":                            "22 10 2",
	} {
		f, err := compileDateFormat(pattern)
		if err != nil {
			t.Fatalf("%s: %v", pattern, err)
		}
		if got := f.format(ts); got != want {
			t.Errorf("format(%q) = %q, want %q", pattern, got, want)
		}
	}
	for pattern, in := range map[string]string{
		"yyyyMMddHHmmssSSS":            "20231114221320123",
		"yyyy-MM-dd HH:mm:ss.SSS":      "2023-11-14 22:13:20.123",
		"dd MMM yyyy hh:mm:ss.SSS a":   "14 nov 2023 10:13:20.123 PM",
		"yyyy-MM-dd'T'HH:mm:ss.SSSXXX": "2023-11-14T23:13:20.123+01:00",
		"yyyy-MM-dd'T'HH:mm:ss.SSS Z":  "2023-11-14T17:13:20.123 -0500 trailing text is ignored",
	} {
		f, err := compileDateFormat(pattern)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.parse(in)
		if err != nil || !got.Equal(ts) {
			t.Errorf("parse(%q, %q) = %v, %v; want %v", pattern, in, got, err, ts)
		}
	}
	for _, bad := range []string{"yyyy-bb", "'unterminated", "XXXX"} {
		if _, err := compileDateFormat(bad); err == nil {
			t.Errorf("compileDateFormat(%q) should fail", bad)
		}
	}
}
