package assign

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRandomSequencesSettleBalanced drives random clusters (joins, clean leaves, crashes,
// returns, partitions and heals, connector creation, resizing and deletion, clock ticks,
// partial rebalances) and checks that:
//   - without partitions, no connector or task ever runs on two workers after any round: the
//     cooperative protocol only assigns work that runs nowhere;
//   - once the cluster settles (every follow-up round run, every scheduled delay expired, every
//     partition healed), every configured connector and task runs on exactly one worker, and
//     connectors and tasks per worker differ by at most one.
func TestRandomSequencesSettleBalanced(t *testing.T) {
	for _, mode := range []string{"sessioned", "eager"} {
		for _, partitions := range []bool{false, true} {
			for seed := range uint64(150) {
				name := fmt.Sprintf("%s/partitions=%v/seed=%d", mode, partitions, seed)
				t.Run(name, func(t *testing.T) {
					runRandom(t, mode, partitions, seed)
				})
			}
		}
	}
}

func runRandom(t *testing.T, mode string, partitions bool, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x90c0))
	c := newCluster()
	var log []string
	exec := func(cmd string) string {
		log = append(log, cmd)
		out := c.exec(t, cmd)
		if out != "" {
			log = append(log, out)
		}
		return out
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s\nscript:\n%s", fmt.Sprintf(format, args...), strings.Join(log, "\n"))
	}
	exec("mode " + mode)
	exec("max-delay " + []string{"0s", "5s", "300s"}[rng.IntN(3)])
	names := []string{"w1", "w2", "w3", "w4", "w5"}
	conns := []string{"a", "b", "c", "d", "e", "f"}
	exec("join w1")
	for range 40 {
		var in, out []string
		for _, n := range names {
			if w := c.workers[n]; w != nil && w.inGroup {
				in = append(in, n)
			} else {
				out = append(out, n)
			}
		}
		switch op := rng.IntN(12); {
		case op == 0 && len(out) > 0:
			exec("join " + out[rng.IntN(len(out))])
		case op == 1 && len(out) > 0:
			n := out[rng.IntN(len(out))]
			if w := c.workers[n]; w != nil && !w.running.empty() {
				exec("heal " + n) // a partitioned worker comes back with its old allocation
			} else {
				exec("return " + n)
			}
		case op == 2 && len(in) > 1:
			exec("leave " + in[rng.IntN(len(in))])
		case op == 3 && len(in) > 1:
			exec("crash " + in[rng.IntN(len(in))])
		case op == 4 && len(in) > 1 && partitions:
			exec("partition " + in[rng.IntN(len(in))])
		case op == 5 || op == 6:
			exec(fmt.Sprintf("create %s:%d", conns[rng.IntN(len(conns))], rng.IntN(8)))
		case op == 7:
			exec("delete " + conns[rng.IntN(len(conns))])
		case op == 8:
			exec(fmt.Sprintf("tick %dms", rng.IntN(8000)))
		case op == 9:
			exec("rebalance")
		default:
			exec("stabilize")
		}
		if !partitions {
			if d := duplicatesNow(c); d != "" {
				fail("work on two workers without a partition: %s", d)
			}
		}
	}
	// Settle: heal partitions, then run rounds and let delays expire until nothing is due.
	for n, w := range c.workers {
		if !w.inGroup && !w.running.empty() {
			exec("heal " + n)
		}
	}
	for i := 0; ; i++ {
		if i == 50 {
			fail("cluster did not settle")
		}
		if c.needsRound() {
			exec("stabilize")
			continue
		}
		var next time.Time
		for _, w := range c.members() {
			if !w.rejoinAt.IsZero() && (next.IsZero() || w.rejoinAt.Before(next)) {
				next = w.rejoinAt
			}
		}
		if next.IsZero() {
			break
		}
		exec("tick " + next.Sub(c.now).String())
	}
	st := exec("status")
	if !strings.HasSuffix(st, "balanced\n") || strings.Contains(st, "unbalanced") ||
		strings.Contains(st, "unassigned") || strings.Contains(st, "duplicated") {
		fail("settled cluster is not balanced, complete and duplicate-free")
	}
}

// duplicatesNow lists work that runs on more than one worker.
func duplicatesNow(c *cluster) string {
	seen := map[string]string{}
	var dup []string
	for _, n := range slices.Sorted(mapsKeys(c.workers)) {
		w := c.workers[n]
		if w.running == nil {
			continue
		}
		for _, it := range itemsString(w.running.conns.items, w.running.tasks.items, "") {
			if o, ok := seen[it]; ok {
				dup = append(dup, it+"@"+o+","+n)
			}
			seen[it] = n
		}
	}
	return strings.Join(dup, " ")
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
