package assign

import (
	"maps"
	"math"
	"slices"
	"time"
)

// Memory is what the incremental cooperative leader remembers between the rounds it leads:
// the fields of Java's IncrementalCooperativeAssignor instance. The herder keeps the value
// Assign returned and passes it to the next round; a worker that becomes leader starts from
// its own (possibly old) memory, which Assign discards when generations show it is stale.
type Memory struct {
	// Generation is the generation of the last round this leader assigned (Java's
	// previousGenerationId).
	Generation int32
	// PreviousConnectors and PreviousTasks are the work the cluster should be running after the
	// last round, including lost work still held back (Java's previousAssignment). Sorted.
	PreviousConnectors []string
	PreviousTasks      []TaskID
	// RevokedConnectors and RevokedTasks are the revocations of the last round, used to notice
	// revocations that did not take effect (Java's previousRevocation). Sorted.
	RevokedConnectors []string
	RevokedTasks      []TaskID
	// RevokedInPrevious says the last round revoked for load balancing.
	RevokedInPrevious bool
	// SuccessiveRevokingRounds counts load-balancing revocations in consecutive rounds; it sets
	// the growing delay between them.
	SuccessiveRevokingRounds int
	// Candidates are members that were empty while lost work was held back: when the delay
	// expires the lost work goes to those still present (a restarted worker gets its work
	// back). Sorted.
	Candidates []string
	// ScheduledRebalance is when the current delay expires; zero when no delay is running.
	ScheduledRebalance time.Time
	// Delay is the delay sent in the last round; load-balancing revocations wait while it is
	// not zero.
	Delay time.Duration
	// PreviousMembers are the member ids of the last round. Sorted.
	PreviousMembers []string
}

func (m Memory) clone() Memory {
	m.PreviousConnectors = slices.Clone(m.PreviousConnectors)
	m.PreviousTasks = slices.Clone(m.PreviousTasks)
	m.RevokedConnectors = slices.Clone(m.RevokedConnectors)
	m.RevokedTasks = slices.Clone(m.RevokedTasks)
	m.Candidates = slices.Clone(m.Candidates)
	m.PreviousMembers = slices.Clone(m.PreviousMembers)
	return m
}

// work is an insertion-ordered set of connectors and of tasks: Java's ConnectorsAndTasks built
// on LinkedHashSets. The order matters where Java iterates (which items a worker gives up).
type work struct {
	conns oset[string]
	tasks oset[TaskID]
}

func newWork(conns []string, tasks []TaskID) *work {
	w := &work{}
	w.conns.addAll(conns)
	w.tasks.addAll(tasks)
	return w
}

func (w *work) empty() bool         { return w.conns.len() == 0 && w.tasks.len() == 0 }
func (w *work) clone() *work        { return newWork(w.conns.items, w.tasks.items) }
func (w *work) addAll(o *work)      { w.conns.addAll(o.conns.items); w.tasks.addAll(o.tasks.items) }
func (w *work) removeAll(o *work)   { w.conns.removeAll(&o.conns); w.tasks.removeAll(&o.tasks) }
func (w *work) retainAll(o *work)   { w.conns.retainAll(&o.conns); w.tasks.retainAll(&o.tasks) }
func (w *work) hasAny(o *work) bool { return w.conns.hasAny(&o.conns) || w.tasks.hasAny(&o.tasks) }

// sorted returns the set difference w minus subs in sorted order (Java's diff over TreeSets).
func (w *work) minusSorted(subs ...*work) *work {
	out := w.clone()
	for _, s := range subs {
		out.removeAll(s)
	}
	slices.Sort(out.conns.items)
	slices.SortFunc(out.tasks.items, TaskID.Compare)
	return out
}

// load is one worker's work: Java's WorkerLoad.
type load struct {
	worker string
	*work
}

// incremental is Java's IncrementalCooperativeAssignor.performTaskAssignment, step for step.
// members are canonical (sorted by id, allocations sorted). It fills out and returns the delay.
func incremental(in Input, members []Member, m *Memory, out map[string]MemberAssignment) time.Duration {
	now := in.Now
	previous := newWork(m.PreviousConnectors, m.PreviousTasks)
	if m.Generation != in.LastCompletedGeneration {
		// Another member led in between: this memory does not describe the last generation.
		previous = newWork(nil, nil)
	}

	conns := slices.Sorted(maps.Keys(in.Snapshot.Tasks))
	var tasks []TaskID
	for _, c := range conns {
		for t := range in.Snapshot.Tasks[c] {
			tasks = append(tasks, TaskID{Connector: c, Task: int32(t)})
		}
	}
	configured := newWork(conns, tasks)

	memberWork := make([]*work, len(members))
	active := newWork(nil, nil)
	for i, mb := range members {
		memberWork[i] = newWork(mb.Connectors, mb.Tasks)
		active.addAll(memberWork[i])
	}

	// A revocation of the last round that members still run did not take effect (a member
	// missed the assignment): start again from what actually runs.
	prevRevocation := newWork(m.RevokedConnectors, m.RevokedTasks)
	if !prevRevocation.empty() && active.hasAny(prevRevocation) {
		previous = active.clone()
	}
	m.RevokedConnectors, m.RevokedTasks = nil, nil

	deleted := previous.minusSorted(configured)
	duplicated := duplicates(memberWork)
	lost := previous.minusSorted(active, deleted)
	created := configured.minusSorted(previous, active)

	// current: what members run now minus deleted work; next: what they will run.
	current := make([]load, len(members))
	next := make([]load, len(members))
	toRevoke := make([]*work, len(members))
	for i, mb := range members {
		current[i] = load{mb.ID, memberWork[i].clone()}
		current[i].removeAll(deleted)
		next[i] = load{mb.ID, memberWork[i].clone()}
		toRevoke[i] = newWork(nil, nil)
		for _, gone := range []*work{deleted, duplicated} {
			r := memberWork[i].clone()
			r.retainAll(gone)
			toRevoke[i].addAll(r)
			next[i].removeAll(r)
		}
	}

	lostToReassign := handleLost(in, m, lost, next)

	if m.Delay == 0 {
		lb := loadBalancingRevocations(configured, next)
		revoking := false
		for _, r := range lb {
			if !r.empty() {
				revoking = true
			}
		}
		switch {
		case m.RevokedInPrevious && revoking:
			// Revoking rounds back to back: members keep bouncing work around (say, workers
			// joining one by one), so wait before revoking again, longer each time.
			m.SuccessiveRevokingRounds++
			m.Delay = revokingBackoff(in.MaxDelay, m.SuccessiveRevokingRounds)
			if m.Delay != 0 {
				m.ScheduledRebalance = now.Add(m.Delay)
			} else {
				for i := range next {
					toRevoke[i].addAll(lb[i])
					next[i].removeAll(lb[i])
				}
			}
		case revoking:
			for i := range next {
				toRevoke[i].addAll(lb[i])
				next[i].removeAll(lb[i])
			}
			m.RevokedInPrevious = true
		case m.RevokedInPrevious:
			// Balanced again: reset the backoff clock.
			m.RevokedInPrevious = false
			m.SuccessiveRevokingRounds = 0
		}
	} else {
		m.RevokedInPrevious = false
	}

	toAssign := created.clone()
	toAssign.addAll(lostToReassign)
	assignConnectors(next, toAssign.conns.items)
	assignTasks(next, toAssign.tasks.items)

	// Remember the cluster as it will be: next minus revocations, plus lost work held back.
	prev := newWork(nil, nil)
	revokedAll := newWork(nil, nil)
	for i := range next {
		prev.addAll(next[i].work)
		revokedAll.addAll(toRevoke[i])
	}
	prev.removeAll(revokedAll)
	prev.addAll(lost)
	prev = prev.minusSorted()
	revokedAll = revokedAll.minusSorted()
	m.PreviousConnectors, m.PreviousTasks = prev.conns.items, prev.tasks.items
	m.RevokedConnectors, m.RevokedTasks = revokedAll.conns.items, revokedAll.tasks.items
	m.Generation = in.Generation
	m.PreviousMembers = m.PreviousMembers[:0]
	for _, mb := range members {
		m.PreviousMembers = append(m.PreviousMembers, mb.ID)
	}

	for i, mb := range members {
		added := next[i].minusSorted(current[i].work)
		owned := next[i].minusSorted(toRevoke[i])
		revoked := toRevoke[i].minusSorted()
		out[mb.ID] = MemberAssignment{
			Connectors:        added.conns.items,
			Tasks:             added.tasks.items,
			RevokedConnectors: revoked.conns.items,
			RevokedTasks:      revoked.tasks.items,
			OwnedConnectors:   owned.conns.items,
			OwnedTasks:        owned.tasks.items,
		}
	}
	return m.Delay
}

// duplicates returns the work that more than one member runs.
func duplicates(members []*work) *work {
	seenC := map[string]int{}
	seenT := map[TaskID]int{}
	for _, w := range members {
		for _, c := range w.conns.items {
			seenC[c]++
		}
		for _, t := range w.tasks.items {
			seenT[t]++
		}
	}
	d := newWork(nil, nil)
	for _, w := range members {
		for _, c := range w.conns.items {
			if seenC[c] > 1 {
				d.conns.add(c)
			}
		}
		for _, t := range w.tasks.items {
			if seenT[t] > 1 {
				d.tasks.add(t)
			}
		}
	}
	return d
}

// handleLost decides what happens to work that ran in the last generation and runs nowhere
// now (KIP-415 "lost" work): it returns the work to treat as new in this round, may hand lost
// work straight to candidate workers in next, and runs the scheduled-rebalance delay in m.
func handleLost(in Input, m *Memory, lost *work, next []load) *work {
	now := in.Now
	if lost.empty() && !m.RevokedInPrevious {
		resetDelay(m)
		return newWork(nil, nil)
	}
	present := make(map[string]bool, len(next))
	for _, l := range next {
		present[l.worker] = true
	}
	allPrevious := true
	for _, p := range m.PreviousMembers {
		if !present[p] {
			allPrevious = false
		}
	}
	if m.ScheduledRebalance.IsZero() && allPrevious {
		// Nobody left: the work is unaccounted for because some member missed the last
		// assignment, so waiting would not bring it back.
		return lost.clone()
	}
	if in.MaxDelay == 0 {
		return lost.clone()
	}
	if !m.ScheduledRebalance.IsZero() && !now.Before(m.ScheduledRebalance) {
		// The delay expired: give the lost work to the candidates, the workers that were
		// empty while it was held (typically the departed workers, restarted), round-robin.
		var cands []load
		for _, c := range m.Candidates {
			for _, l := range next {
				if l.worker == c {
					cands = append(cands, l)
				}
			}
		}
		reassign := newWork(nil, nil)
		if len(cands) > 0 {
			for i, c := range lost.conns.items {
				cands[i%len(cands)].conns.add(c)
			}
			for i, t := range lost.tasks.items {
				cands[i%len(cands)].tasks.add(t)
			}
		} else {
			reassign = lost.clone()
		}
		resetDelay(m)
		m.RevokedInPrevious = false
		return reassign
	}
	for _, l := range next {
		if l.empty() && !slices.Contains(m.Candidates, l.worker) {
			m.Candidates = append(m.Candidates, l.worker)
		}
	}
	slices.Sort(m.Candidates)
	if now.Before(m.ScheduledRebalance) {
		// A delay is running: send what is left of it (Java's calculateDelay).
		m.Delay = min(ceilMillis(m.ScheduledRebalance.Sub(now)), in.MaxDelay)
	} else {
		// No delay yet: start one.
		m.Delay = in.MaxDelay
	}
	m.ScheduledRebalance = now.Add(m.Delay)
	return newWork(nil, nil)
}

func resetDelay(m *Memory) {
	m.Candidates = nil
	m.ScheduledRebalance = time.Time{}
	m.Delay = 0
}

// ceilMillis rounds up to whole milliseconds, the unit of the wire's delay: rounding down
// could send 0 while the delay has not expired, and 0 means "no rebalance scheduled", which
// would leave lost work unassigned until something else triggers a rebalance.
func ceilMillis(d time.Duration) time.Duration {
	if r := d % time.Millisecond; r != 0 {
		d += time.Millisecond - r
	}
	return d
}

// revokingBackoff is Java's ExponentialBackoff(maxDelay == 0 ? 0 : 1, 40, maxDelay, 0) in
// milliseconds: 40 ms, 1.6 s, 64 s, ... capped at maxDelay.
func revokingBackoff(maxDelay time.Duration, attempts int) time.Duration {
	maxMs := maxDelay.Milliseconds()
	initial := min(maxMs, 1)
	if maxMs == 0 {
		initial = 0
	}
	var expMax float64
	if maxMs > initial {
		expMax = math.Log(float64(maxMs)/float64(max(initial, 1))) / math.Log(40)
	}
	if expMax == 0 {
		return time.Duration(initial) * time.Millisecond
	}
	exp := math.Min(float64(attempts), expMax)
	v := int64(float64(initial) * math.Pow(40, exp))
	return time.Duration(min(v, maxMs)) * time.Millisecond
}

// loadBalancingRevocations is Java's performLoadBalancingRevocations: what to take away from
// over-loaded workers so that the follow-up round can give it to under-loaded ones, so every
// worker ends with floor(total/workers) or one more, for connectors and tasks separately.
// Indexed like workers; entries may be empty.
func loadBalancingRevocations(configured *work, workers []load) []*work {
	out := make([]*work, len(workers))
	for i := range out {
		out[i] = newWork(nil, nil)
	}
	allEmpty := true
	for _, w := range workers {
		if !w.empty() {
			allEmpty = false
		}
	}
	if allEmpty || configured.empty() {
		return out
	}
	revokeExcess(configured.conns.len(), workers, func(w load) *oset[string] { return &w.conns },
		func(i int, c string) { out[i].conns.add(c) })
	revokeExcess(configured.tasks.len(), workers, func(w load) *oset[TaskID] { return &w.tasks },
		func(i int, t TaskID) { out[i].tasks.add(t) })
	return out
}

func revokeExcess[E comparable](total int, workers []load, of func(load) *oset[E], revoke func(int, E)) {
	n := len(workers)
	minPer := total / n
	extras := total % n
	atMin, atMinPlus1 := 0, 0
	for _, w := range workers {
		switch of(w).len() {
		case minPer:
			atMin++
		case minPer + 1:
			atMinPlus1++
		}
	}
	if atMinPlus1 == extras && atMin+atMinPlus1 == n {
		return
	}
	allocatedExtras := 0
	for i, w := range workers {
		size := of(w).len()
		if size <= minPer {
			continue
		}
		limit := minPer
		if allocatedExtras < extras {
			allocatedExtras++
			if size == minPer+1 {
				continue
			}
			limit = minPer + 1
		}
		for _, e := range of(w).items[:size-limit] {
			revoke(i, e)
		}
	}
}

// assignConnectors is Java's assignConnectors: sort workers by connector count then id, and
// deal the connectors round-robin over the least-loaded group, widening the group as it
// catches up with the next load level.
func assignConnectors(next []load, conns []string) {
	workers := slices.Clone(next) // callers index next by member
	slices.SortStableFunc(workers, func(a, b load) int {
		if d := a.conns.len() - b.conns.len(); d != 0 {
			return d
		}
		return compareStrings(a.worker, b.worker)
	})
	roundRobin(workers, conns, func(w load) int { return w.conns.len() }, func(w load, c string) { w.conns.add(c) })
}

// assignTasks is assignConnectors for tasks, by task count.
func assignTasks(next []load, tasks []TaskID) {
	workers := slices.Clone(next) // callers index next by member
	slices.SortStableFunc(workers, func(a, b load) int {
		if d := a.tasks.len() - b.tasks.len(); d != 0 {
			return d
		}
		return compareStrings(a.worker, b.worker)
	})
	roundRobin(workers, tasks, func(w load) int { return w.tasks.len() }, func(w load, t TaskID) { w.tasks.add(t) })
}

func roundRobin[E any](workers []load, items []E, size func(load) int, assign func(load, E)) {
	if len(items) == 0 || len(workers) == 0 {
		return
	}
	first := workers[0]
	k := 0
	for k < len(items) {
		firstLoad := size(first)
		upTo := len(workers)
		for i, w := range workers {
			if size(w) > firstLoad {
				upTo = i
				break
			}
		}
		for _, w := range workers[:upTo] {
			assign(w, items[k])
			k++
			if k == len(items) {
				break
			}
		}
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
