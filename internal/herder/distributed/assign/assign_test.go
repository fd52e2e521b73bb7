package assign

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/goconnect/goconnect/internal/herder/distributed/protocol"
	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func threeMembers() []Member {
	return []Member{
		{ID: "w1", URL: "http://w1/", ConfigOffset: 5, Connectors: []string{"a"}, Tasks: []TaskID{tid("a", 0), tid("a", 1)}},
		{ID: "w2", URL: "http://w2/", ConfigOffset: 5, Tasks: []TaskID{tid("a", 2)}},
		{ID: "w3", URL: "http://w3/", ConfigOffset: 5},
	}
}

func TestConfigMismatch(t *testing.T) {
	in := Input{Protocol: protocol.Sessioned, LeaderID: "w1", Members: threeMembers(),
		Snapshot: Snapshot{Offset: 4, Tasks: map[string]int{"a": 3}}, Now: t0, MaxDelay: time.Minute}
	in.Members[2].ConfigOffset = 9
	mem := Memory{Generation: 3, PreviousConnectors: []string{"a"}}
	res, got := Assign(in, mem)
	if res.Error != protocol.ConfigMismatch || res.ConfigOffset != 9 || res.LeaderURL != "http://w1/" {
		t.Errorf("result = %+v", res)
	}
	for id, a := range res.Members {
		if diff := cmp.Diff(MemberAssignment{}, a); diff != "" {
			t.Errorf("%s: %s", id, diff)
		}
	}
	if diff := cmp.Diff(mem, got); diff != "" {
		t.Errorf("memory changed on mismatch: %s", diff)
	}
	pa := res.Assignment("w2", protocol.V2)
	if pa.Error != protocol.ConfigMismatch || pa.Assigned != nil || pa.Revoked != nil {
		t.Errorf("protocol assignment = %+v", pa)
	}
}

// TestDeterministic checks that the order of members and of their allocations does not
// change the result, and that the input memory is left alone.
func TestDeterministic(t *testing.T) {
	for _, p := range []protocol.Compatibility{protocol.Eager, protocol.Sessioned} {
		base := Input{Protocol: p, LeaderID: "w1", Members: threeMembers(),
			Snapshot:   Snapshot{Offset: 5, Tasks: map[string]int{"a": 3, "b": 4, "c": 1}},
			Generation: 2, LastCompletedGeneration: 1, Now: t0, MaxDelay: time.Minute}
		mem := Memory{Generation: 1, PreviousConnectors: []string{"a", "z"}, PreviousTasks: []TaskID{tid("a", 0), tid("a", 1), tid("a", 2), tid("z", 0)}}
		memCopy := mem.clone()
		want, wantMem := Assign(base, mem)
		if diff := cmp.Diff(memCopy, mem); diff != "" {
			t.Fatalf("Assign modified its memory argument: %s", diff)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for range 20 {
			in := base
			in.Members = append([]Member(nil), base.Members...)
			rng.Shuffle(len(in.Members), func(i, j int) { in.Members[i], in.Members[j] = in.Members[j], in.Members[i] })
			for i := range in.Members {
				ts := append([]TaskID(nil), in.Members[i].Tasks...)
				rng.Shuffle(len(ts), func(a, b int) { ts[a], ts[b] = ts[b], ts[a] })
				in.Members[i].Tasks = ts
			}
			got, gotMem := Assign(in, mem)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%v: result depends on input order:\n%s", p, diff)
			}
			if diff := cmp.Diff(wantMem, gotMem); diff != "" {
				t.Fatalf("%v: memory depends on input order:\n%s", p, diff)
			}
		}
	}
}

// TestStaleMemoryDropped: a leader whose memory is from another generation than its last
// completed one forgets the previous assignment (Java's previousGenerationId check), so the
// work of a departed member is new work, not lost work held back.
func TestStaleMemoryDropped(t *testing.T) {
	in := Input{Protocol: protocol.Sessioned, LeaderID: "w1", Members: threeMembers()[:2],
		Snapshot:   Snapshot{Offset: 5, Tasks: map[string]int{"a": 4}},
		Generation: 9, LastCompletedGeneration: 8, Now: t0, MaxDelay: time.Minute}
	mem := Memory{Generation: 5, PreviousConnectors: []string{"a"},
		PreviousTasks: []TaskID{tid("a", 0), tid("a", 1), tid("a", 2), tid("a", 3)}, PreviousMembers: []string{"w1", "w2", "w3"}}
	res, _ := Assign(in, mem)
	if res.Delay != 0 || len(res.Members["w2"].Tasks) != 1 {
		t.Errorf("stale memory: delay %v, w2 got %v", res.Delay, res.Members["w2"].Tasks)
	}
	mem.Generation = 8
	res, got := Assign(in, mem)
	if res.Delay != time.Minute || len(res.Members["w2"].Tasks) != 0 || !got.ScheduledRebalance.Equal(t0.Add(time.Minute)) {
		t.Errorf("fresh memory: delay %v, w2 got %v, scheduled %v", res.Delay, res.Members["w2"].Tasks, got.ScheduledRebalance)
	}
}

func TestRemainingDelayRoundsUp(t *testing.T) {
	in := Input{Protocol: protocol.Sessioned, LeaderID: "w1", Members: threeMembers()[:2],
		Snapshot:   Snapshot{Offset: 5, Tasks: map[string]int{"a": 4}},
		Generation: 3, LastCompletedGeneration: 2, Now: t0, MaxDelay: 10 * time.Second}
	mem := Memory{Generation: 2, PreviousConnectors: []string{"a"},
		PreviousTasks:      []TaskID{tid("a", 0), tid("a", 1), tid("a", 2), tid("a", 3)},
		PreviousMembers:    []string{"w1", "w2", "w3"},
		ScheduledRebalance: t0.Add(300 * time.Microsecond), Delay: 10 * time.Second}
	res, _ := Assign(in, mem)
	if res.Delay != time.Millisecond {
		t.Errorf("delay = %v, want 1ms (never 0 while the delay runs)", res.Delay)
	}
	if got := res.Assignment("w1", protocol.V2).Delay; got != 1 {
		t.Errorf("wire delay = %d", got)
	}
}

func TestRevokingBackoff(t *testing.T) {
	for _, tc := range []struct {
		max      time.Duration
		attempts int
		want     time.Duration
	}{
		{300 * time.Second, 1, 40 * time.Millisecond},
		{300 * time.Second, 2, 1600 * time.Millisecond},
		{300 * time.Second, 3, 64 * time.Second},
		{300 * time.Second, 9, 300 * time.Second},
		{time.Second, 2, time.Second},
		{time.Millisecond, 5, time.Millisecond},
		{0, 3, 0},
	} {
		got := revokingBackoff(tc.max, tc.attempts)
		// Java's float arithmetic may land a millisecond under the cap.
		if d := got - tc.want; d < -time.Millisecond || d > 0 {
			t.Errorf("revokingBackoff(%v, %d) = %v, want %v", tc.max, tc.attempts, got, tc.want)
		}
	}
}

// BenchmarkIncremental measures one cooperative round as the number of connectors grows
// (4 tasks each, 10 workers, one worker just crashed so lost work is reassigned).
func BenchmarkIncremental(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("connectors=%d", n), func(b *testing.B) {
			snap := Snapshot{Offset: 1, Tasks: map[string]int{}}
			for i := range n {
				snap.Tasks[fmt.Sprintf("conn-%04d", i)] = 4
			}
			c := newCluster()
			c.maxDelay = 0
			c.config = snap.Tasks
			for i := range 10 {
				c.startWorker(fmt.Sprintf("w%02d", i), true)
			}
			for c.needsRound() {
				c.round(b)
			}
			c.exec(b, "crash w05")
			var in []Member
			for _, w := range c.members() {
				r := w.running.minusSorted()
				in = append(in, Member{ID: w.memberID, Connectors: r.conns.items, Tasks: r.tasks.items})
			}
			leader := c.workers[c.leader]
			input := Input{Protocol: protocol.Sessioned, LeaderID: leader.memberID, Members: in, Snapshot: snap,
				Generation: c.gen + 1, LastCompletedGeneration: leader.lastGen, Now: c.now}
			b.ResetTimer()
			for b.Loop() {
				Assign(input, leader.mem)
			}
		})
	}
}

func tid(c string, n int32) TaskID { return TaskID{Connector: c, Task: n} }
