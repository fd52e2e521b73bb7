package protocol

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The golden files under testdata/golden are written by the real Java classes of
// connect-runtime 4.3.1 (testdata/java/ProtocolGolden.java, run by testdata/java/regen.sh).
// Each case here holds the Go value Java serialized: the test encodes it and compares bytes,
// then decodes the golden bytes and compares values. They are never rewritten from Go: Java is
// the oracle.

const (
	leader    = "w1-uuid"
	leaderURL = "http://w1:8083/"
)

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatalf("read golden %s: %v (regenerate with testdata/java/regen.sh)", name, err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatalf("decode hex of %s: %v", name, err)
	}
	return b
}

// allocation is the assignment ProtocolGolden embeds in the metadata cases.
var allocation = Assignment{
	Version: V1, Leader: leader, LeaderURL: leaderURL, ConfigOffset: 7,
	Assigned: []ConnectorAssignment{{Connector: "a", Tasks: []int32{-1, 0, 2}}},
}

func TestGoldenMetadata(t *testing.T) {
	alloc := allocation
	for _, tc := range []struct {
		file string
		in   WorkerState
		want WorkerState // what decoding yields, when it differs from in
	}{
		{file: "metadata-v0.hex", in: WorkerState{Version: V0, URL: "http://w1:8083/", ConfigOffset: 42}},
		{file: "metadata-v0-empty-url.hex", in: WorkerState{Version: V0, URL: "", ConfigOffset: -1}},
		{file: "metadata-v1-no-allocation.hex", in: WorkerState{Version: V1, URL: "http://w1:8083/", ConfigOffset: 7}},
		{file: "metadata-v2-no-allocation.hex", in: WorkerState{Version: V2, URL: "http://w1:8083/", ConfigOffset: 7}},
		{file: "metadata-v1-allocation.hex", in: WorkerState{Version: V1, URL: "http://w2:8083/", ConfigOffset: 7, Allocation: &alloc}},
		{
			// The allocation is re-headed with the metadata's version, as Java does.
			file: "metadata-v2-allocation.hex",
			in:   WorkerState{Version: V2, URL: "http://w2:8083/", ConfigOffset: 7, Allocation: &alloc},
			want: WorkerState{Version: V2, URL: "http://w2:8083/", ConfigOffset: 7, Allocation: withVersion(alloc, V2)},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			golden := readGolden(t, tc.file)
			got, err := EncodeMetadata(tc.in)
			if err != nil {
				t.Fatalf("EncodeMetadata: %v", err)
			}
			if !bytes.Equal(got, golden) {
				t.Errorf("EncodeMetadata bytes differ from Java\n got %x\nwant %x", got, golden)
			}
			dec, err := DecodeMetadata(golden)
			if err != nil {
				t.Fatalf("DecodeMetadata: %v", err)
			}
			want := tc.in
			if tc.want.URL != "" {
				want = tc.want
			}
			if diff := cmp.Diff(want, dec); diff != "" {
				t.Errorf("DecodeMetadata (-want +got):\n%s", diff)
			}
		})
	}
}

func withVersion(a Assignment, v int16) *Assignment {
	a.Version = v
	return &a
}

func TestGoldenAssignment(t *testing.T) {
	base := func(v, errCode int16, offset int64) Assignment {
		return Assignment{Version: v, Error: errCode, Leader: leader, LeaderURL: leaderURL, ConfigOffset: offset}
	}
	with := func(a Assignment, f func(*Assignment)) Assignment { f(&a); return a }
	for _, tc := range []struct {
		file       string
		in         Assignment
		decodeOnly bool // bytes Java can read but never writes
	}{
		{file: "assignment-v0.hex", in: with(base(V0, NoError, 99), func(a *Assignment) {
			a.Assigned = []ConnectorAssignment{{Connector: "a", Tasks: []int32{-1, 0, 1}}}
		})},
		{file: "assignment-v0-empty.hex", in: base(V0, NoError, 99)},
		{file: "assignment-v0-config-mismatch.hex", in: base(V0, ConfigMismatch, 100)},
		{file: "assignment-v0-tasks-only.hex", in: with(base(V0, NoError, 3), func(a *Assignment) {
			a.Assigned = []ConnectorAssignment{{Connector: "b", Tasks: []int32{3, 1}}}
		})},
		{file: "assignment-v1.hex", in: with(base(V1, NoError, 5), func(a *Assignment) {
			a.Assigned = []ConnectorAssignment{{Connector: "a", Tasks: []int32{-1, 0}}}
			a.Revoked = []ConnectorAssignment{{Connector: "b", Tasks: []int32{1}}}
		})},
		{file: "assignment-v2.hex", in: with(base(V2, NoError, 5), func(a *Assignment) {
			a.Assigned = []ConnectorAssignment{{Connector: "a", Tasks: []int32{-1, 0}}}
			a.Revoked = []ConnectorAssignment{{Connector: "b", Tasks: []int32{1}}}
		})},
		{file: "assignment-v2-empty.hex", in: base(V2, NoError, 5)},
		{file: "assignment-v2-delay.hex", in: with(base(V2, NoError, 5), func(a *Assignment) { a.Delay = 300000 })},
		{file: "assignment-v2-revoked-connector-and-tasks.hex", in: with(base(V2, NoError, 8), func(a *Assignment) {
			a.Assigned = []ConnectorAssignment{{Connector: "c", Tasks: []int32{0}}}
			a.Revoked = []ConnectorAssignment{{Connector: "a", Tasks: []int32{-1, 1, 0}}}
			a.Delay = 1600
		})},
		{file: "assignment-v2-config-mismatch.hex", in: base(V2, ConfigMismatch, 11)},
		{file: "assignment-v2-unicode.hex", in: Assignment{
			Version: V2, Leader: "w1-ü", LeaderURL: "http://wörker:8083/", ConfigOffset: 1,
			Assigned: []ConnectorAssignment{{Connector: "connécteur", Tasks: []int32{-1, 0}}},
		}},
		{file: "assignment-v1-revoked-duplicates.hex", in: with(base(V1, NoError, 2), func(a *Assignment) {
			a.Revoked = Group([]string{"a", "a"}, nil)
		})},
		{file: "assignment-v1-null-arrays.hex", in: base(V1, NoError, 4), decodeOnly: true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			golden := readGolden(t, tc.file)
			if !tc.decodeOnly {
				got, err := EncodeAssignment(tc.in)
				if err != nil {
					t.Fatalf("EncodeAssignment: %v", err)
				}
				if !bytes.Equal(got, golden) {
					t.Errorf("EncodeAssignment bytes differ from Java\n got %x\nwant %x", got, golden)
				}
			}
			dec, err := DecodeAssignment(golden)
			if err != nil {
				t.Fatalf("DecodeAssignment: %v", err)
			}
			if diff := cmp.Diff(tc.in, dec); diff != "" {
				t.Errorf("DecodeAssignment (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGoldenJoinProtocols checks the subprotocol lists offered per connect.protocol, names,
// order and metadata bytes (testdata/golden/protocols-*.txt).
func TestGoldenJoinProtocols(t *testing.T) {
	alloc := allocation
	for _, c := range []Compatibility{Eager, Compatible, Sessioned} {
		t.Run(c.String(), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "golden", "protocols-"+c.String()+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			var want []JoinProtocol
			for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
				name, hx, _ := strings.Cut(line, " ")
				b, err := hex.DecodeString(hx)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, JoinProtocol{Name: name, Metadata: b})
			}
			got, err := MetadataRequest(c, "http://w3:8083/", 12, &alloc)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("MetadataRequest(%v) (-java +go):\n%s", c, diff)
			}
		})
	}
}

// TestGoldenCrossVersionReads checks the tolerant readers against what Java's V1 readers make
// of V0 bytes (testdata/golden/*-read-as-v1.txt): missing trailing fields take defaults.
func TestGoldenCrossVersionReads(t *testing.T) {
	a, err := DecodeAssignment(readGolden(t, "assignment-v0.hex"))
	if err != nil {
		t.Fatal(err)
	}
	conns, tasks := Split(a.Assigned)
	rc, rt := Split(a.Revoked)
	got := javaAssignmentString(a, conns, tasks, rc, rt)
	want := strings.TrimSpace(mustRead(t, "assignment-v0-read-as-v1.txt"))
	if got != want {
		t.Errorf("V0 assignment read with V1 layout:\n got %s\nwant %s", got, want)
	}

	m, err := DecodeMetadata(readGolden(t, "metadata-v0.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Allocation != nil {
		t.Errorf("V0 metadata allocation = %+v, want nil", m.Allocation)
	}
	// Java substitutes ExtendedAssignment.empty() for the null allocation.
	if want := "http://w1:8083/ 42 "; !strings.HasPrefix(mustRead(t, "metadata-v0-read-as-v1.txt"), want) || m.URL+" 42 " != want {
		t.Errorf("V0 metadata read with V1 layout: got url %q offset %d", m.URL, m.ConfigOffset)
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// javaAssignmentString renders an assignment as ExtendedAssignment.toString does.
func javaAssignmentString(a Assignment, conns []string, tasks []TaskID, rc []string, rt []TaskID) string {
	list := func(ss []string) string { return "[" + strings.Join(ss, ", ") + "]" }
	ids := func(ts []TaskID) string {
		var ss []string
		for _, t := range ts {
			ss = append(ss, t.String())
		}
		return list(ss)
	}
	return "Assignment{error=" + itoa(int64(a.Error)) + ", leader='" + a.Leader + "', leaderUrl='" + a.LeaderURL +
		"', offset=" + itoa(a.ConfigOffset) + ", connectorIds=" + list(conns) + ", taskIds=" + ids(tasks) +
		", revokedConnectorIds=" + list(rc) + ", revokedTaskIds=" + ids(rt) + ", delay=" + itoa(int64(a.Delay)) + "}"
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func mustReadF(name string) []byte {
	b, _ := os.ReadFile(filepath.Join("testdata", "golden", name))
	return bytes.TrimSpace(b)
}
