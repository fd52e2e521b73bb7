package protocol

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeTolerance covers what Java's readers accept beyond what Java writes.
func TestDecodeTolerance(t *testing.T) {
	v1 := readGolden(t, "assignment-v1.hex")

	t.Run("future version read with the V1 layout", func(t *testing.T) {
		b := append([]byte{0x00, 0x07}, v1[2:]...)
		a, err := DecodeAssignment(b)
		if err != nil {
			t.Fatal(err)
		}
		if a.Version != 7 || len(a.Revoked) != 1 {
			t.Errorf("got %+v", a)
		}
	})
	t.Run("trailing bytes ignored", func(t *testing.T) {
		a, err := DecodeAssignment(append(append([]byte{}, v1...), 0xde, 0xad, 0xbe, 0xef))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := DecodeAssignment(v1)
		if diff := cmp.Diff(want, a); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("missing delay defaults to 0", func(t *testing.T) {
		delayed := readGolden(t, "assignment-v2-revoked-connector-and-tasks.hex")
		a, err := DecodeAssignment(delayed[:len(delayed)-4])
		if err != nil {
			t.Fatal(err)
		}
		if a.Delay != 0 || len(a.Revoked) != 1 {
			t.Errorf("got %+v", a)
		}
	})
	t.Run("missing revoked and delay", func(t *testing.T) {
		v0 := readGolden(t, "assignment-v0.hex")
		b := append([]byte{0x00, 0x01}, v0[2:]...) // V1 header over V0 body
		a, err := DecodeAssignment(b)
		if err != nil {
			t.Fatal(err)
		}
		if a.Revoked != nil || a.Delay != 0 || len(a.Assigned) != 1 {
			t.Errorf("got %+v", a)
		}
	})
	t.Run("metadata without allocation field", func(t *testing.T) {
		m := readGolden(t, "metadata-v1-no-allocation.hex")
		s, err := DecodeMetadata(m[:len(m)-4])
		if err != nil {
			t.Fatal(err)
		}
		if s.Allocation != nil || s.Version != V1 {
			t.Errorf("got %+v", s)
		}
	})
}

func TestDecodeErrors(t *testing.T) {
	v1 := readGolden(t, "assignment-v1.hex")
	for name, tc := range map[string]struct {
		b       []byte
		meta    bool
		wantErr error
	}{
		"negative version":        {b: mustHex(t, "ffff0000"), wantErr: ErrUnsupportedVersion},
		"negative meta version":   {b: mustHex(t, "ffff0000"), meta: true, wantErr: ErrUnsupportedVersion},
		"empty":                   {b: nil, wantErr: ErrMalformed},
		"cut in leader":           {b: v1[:8], wantErr: ErrMalformed},
		"cut before offset":       {b: v1[:30], wantErr: ErrMalformed},
		"cut inside list":         {b: v1[:len(v1)-10], wantErr: ErrMalformed},
		"null leader":             {b: mustHex(t, "00010000ffff"), wantErr: ErrMalformed},
		"null task list":          {b: mustHex(t, "0001000000000000000000000000000000000001000161ffffffff"), wantErr: ErrMalformed},
		"huge list count":         {b: mustHex(t, "000100000000000000000000000000007fffffff"), wantErr: ErrMalformed},
		"cut metadata url":        {b: mustHex(t, "0001000f6874"), meta: true, wantErr: ErrMalformed},
		"cut metadata allocation": {b: mustHex(t, "0001000000000000000000000000000000100001"), meta: true, wantErr: ErrMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			if tc.meta {
				_, err = DecodeMetadata(tc.b)
			} else {
				_, err = DecodeAssignment(tc.b)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	long := string(make([]byte, 1<<15))
	if _, err := EncodeAssignment(Assignment{Version: V1, Leader: long}); !errors.Is(err, ErrTooLong) {
		t.Errorf("long leader: err = %v", err)
	}
	if _, err := EncodeMetadata(WorkerState{Version: V2, URL: long}); !errors.Is(err, ErrTooLong) {
		t.Errorf("long url: err = %v", err)
	}
	if _, err := EncodeMetadata(WorkerState{Version: -1}); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("negative version: err = %v", err)
	}
}

func TestGroupSplit(t *testing.T) {
	conns := []string{"b", "a", "b"}
	tasks := []TaskID{{"a", 1}, {"c", 0}, {"a", 0}}
	got := Group(conns, tasks)
	want := []ConnectorAssignment{
		{Connector: "b", Tasks: []int32{-1}},
		{Connector: "a", Tasks: []int32{-1, 1, 0}},
		{Connector: "c", Tasks: []int32{0}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Group (-want +got):\n%s", diff)
	}
	gc, gt := Split(got)
	if diff := cmp.Diff([]string{"b", "a"}, gc); diff != "" {
		t.Errorf("Split connectors: %s", diff)
	}
	if diff := cmp.Diff([]TaskID{{"a", 1}, {"a", 0}, {"c", 0}}, gt); diff != "" {
		t.Errorf("Split tasks: %s", diff)
	}
	if Group(nil, nil) != nil {
		t.Error("Group of nothing should be nil")
	}
}

func TestCompatibility(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Compatibility
		name    string
		version int16
	}{
		{"eager", Eager, "default", V0},
		{"COMPATIBLE", Compatible, "compatible", V1},
		{"Sessioned", Sessioned, "sessioned", V2},
	} {
		c, err := ParseCompatibility(tc.in)
		if err != nil || c != tc.want || c.ProtocolName() != tc.name || c.Version() != tc.version {
			t.Errorf("ParseCompatibility(%q) = %v, %v", tc.in, c, err)
		}
		back, err := FromProtocolName(tc.name)
		if err != nil || back != tc.want {
			t.Errorf("FromProtocolName(%q) = %v, %v", tc.name, back, err)
		}
		v, err := FromVersion(tc.version)
		if err != nil || v != tc.want {
			t.Errorf("FromVersion(%d) = %v, %v", tc.version, v, err)
		}
	}
	if _, err := ParseCompatibility("default"); !errors.Is(err, ErrUnknownProtocol) {
		t.Errorf("ParseCompatibility(default) err = %v", err)
	}
	if _, err := FromVersion(3); !errors.Is(err, ErrUnknownProtocol) {
		t.Errorf("FromVersion(3) err = %v", err)
	}
}

// FuzzDecode checks that no input panics the decoders and that whatever decodes re-encodes to
// bytes that decode to the same value.
func FuzzDecode(f *testing.F) {
	for _, n := range []string{"assignment-v1.hex", "assignment-v0.hex", "metadata-v2-allocation.hex"} {
		b, _ := hex.DecodeString(string(mustReadF(n)))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if a, err := DecodeAssignment(b); err == nil {
			a.Version = max(a.Version, V1)
			enc, err := EncodeAssignment(a)
			if err != nil {
				return
			}
			back, err := DecodeAssignment(enc)
			if err != nil {
				t.Fatalf("re-decode: %v", err)
			}
			if diff := cmp.Diff(a, back); diff != "" {
				t.Fatalf("round trip: %s", diff)
			}
		}
		_, _ = DecodeMetadata(b)
	})
}
