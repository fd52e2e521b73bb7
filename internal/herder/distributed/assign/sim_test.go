package assign

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goconnect/goconnect/internal/herder/distributed/protocol"
)

// cluster simulates a Connect group around the pure assignor: workers join, leave, crash and
// come back; each round encodes every member's metadata and every assignment with package
// protocol, as the real group exchange does, and members apply assignments as Java workers do
// (WorkerCoordinator.onJoinComplete, DistributedHerder.handleRebalanceCompleted): stop revoked
// work, start assigned work, rejoin at once after a revocation, rejoin when the scheduled delay
// is due. Only the leader's memory is used in a round, and it lives in the leader's process,
// so a crashed leader's memory is lost as in Java.
type cluster struct {
	now      time.Time
	maxDelay time.Duration
	mode     protocol.Compatibility
	config   map[string]int
	offset   int64
	workers  map[string]*worker // by name
	gen      int32
	leader   string // name
	pending  bool   // membership or config changed: a rebalance is needed
	seq      int
	protocol protocol.Compatibility // of the last round
}

type worker struct {
	name        string
	incarnation int
	memberID    string
	inGroup     bool
	joinSeq     int
	running     *work                // what the process runs (a zombie still runs out of the group)
	snapshot    *protocol.Assignment // Java's assignmentSnapshot, reported in metadata
	mem         Memory
	lastGen     int32
	rejoinAt    time.Time
	needsRejoin bool
}

func newCluster() *cluster {
	return &cluster{
		now:      time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		maxDelay: 300 * time.Second,
		mode:     protocol.Sessioned,
		config:   map[string]int{},
		workers:  map[string]*worker{},
	}
}

func (c *cluster) startWorker(name string, fresh bool) *worker {
	w := c.workers[name]
	if w == nil {
		w = &worker{name: name}
		c.workers[name] = w
	}
	if fresh {
		// A new process: nothing runs, nothing is remembered.
		w.running = newWork(nil, nil)
		w.snapshot = nil
		w.mem = Memory{}
		w.lastGen = -1
		w.rejoinAt = time.Time{}
	}
	// The broker gives every (re)joining member without an id a new one.
	w.incarnation++
	w.memberID = name
	if w.incarnation > 1 {
		w.memberID = name + "#" + strconv.Itoa(w.incarnation)
	}
	w.inGroup = true
	c.seq++
	w.joinSeq = c.seq
	c.pending = true
	return w
}

func (c *cluster) members() []*worker {
	var ms []*worker
	for _, w := range c.workers {
		if w.inGroup {
			ms = append(ms, w)
		}
	}
	slices.SortFunc(ms, func(a, b *worker) int { return strings.Compare(a.name, b.name) })
	return ms
}

func (c *cluster) needsRound() bool {
	if c.pending {
		return true
	}
	for _, w := range c.members() {
		if w.needsRejoin {
			return true
		}
	}
	return false
}

func itemsString(conns []string, tasks []TaskID, prefix string) []string {
	var out []string
	for _, x := range conns {
		out = append(out, prefix+x)
	}
	for _, t := range tasks {
		out = append(out, prefix+t.String())
	}
	return out
}

// round runs one JoinGroup/SyncGroup exchange and reports it.
func (c *cluster) round(t testing.TB) string {
	ms := c.members()
	if len(ms) == 0 {
		c.pending = false
		return "no members"
	}
	c.gen++
	chosen := c.mode
	// The broker keeps the leader while it stays in the group, else picks the oldest member.
	var leader *worker
	if l := c.workers[c.leader]; l != nil && l.inGroup {
		leader = l
	} else {
		for _, w := range ms {
			if leader == nil || w.joinSeq < leader.joinSeq {
				leader = w
			}
		}
		c.leader = leader.name
	}

	// JoinGroup: every member sends its metadata for the chosen subprotocol.
	var in []Member
	for _, w := range ms {
		if !chosen.Cooperative() {
			// Eager onJoinPrepare: stop everything before joining.
			w.running = newWork(nil, nil)
		}
		protos, err := protocol.MetadataRequest(c.mode, "http://"+w.name+":8083/", c.offset, w.snapshot)
		if err != nil {
			t.Fatal(err)
		}
		var meta []byte
		for _, p := range protos {
			if p.Name == chosen.ProtocolName() {
				meta = p.Metadata
			}
		}
		st, err := protocol.DecodeMetadata(meta)
		if err != nil {
			t.Fatal(err)
		}
		m := Member{ID: w.memberID, URL: st.URL, ConfigOffset: st.ConfigOffset}
		if st.Allocation != nil {
			m.Connectors, m.Tasks = protocol.Split(st.Allocation.Assigned)
		}
		in = append(in, m)
	}

	res, mem := Assign(Input{
		Protocol:                chosen,
		LeaderID:                leader.memberID,
		Members:                 in,
		Snapshot:                Snapshot{Offset: c.offset, Tasks: maps.Clone(c.config)},
		Generation:              c.gen,
		LastCompletedGeneration: leader.lastGen,
		Now:                     c.now,
		MaxDelay:                c.maxDelay,
	}, leader.mem)
	leader.mem = mem
	c.pending = false
	c.protocol = chosen

	var sb strings.Builder
	var names []string
	for _, w := range ms {
		names = append(names, w.memberID)
	}
	fmt.Fprintf(&sb, "gen %d %s leader %s: %s\n", c.gen, chosen, leader.memberID, strings.Join(names, " "))

	// SyncGroup: every member decodes and applies its assignment.
	for _, w := range ms {
		b, err := protocol.EncodeAssignment(res.Assignment(w.memberID, chosen.Version()))
		if err != nil {
			t.Fatal(err)
		}
		a, err := protocol.DecodeAssignment(b)
		if err != nil {
			t.Fatal(err)
		}
		conns, tasks := protocol.Split(a.Assigned)
		rc, rt := protocol.Split(a.Revoked)
		w.lastGen = c.gen
		w.needsRejoin = false
		if a.Failed() {
			t.Fatalf("assignment failed for %s: error %d", w.memberID, a.Error)
		}
		if chosen.Cooperative() {
			revoked := newWork(rc, rt)
			w.running.removeAll(revoked)
			owned := newWork(nil, nil)
			if w.snapshot != nil {
				oc, ot := protocol.Split(w.snapshot.Assigned)
				owned = newWork(oc, ot)
				owned.removeAll(revoked)
			}
			owned.addAll(newWork(conns, tasks))
			w.running.addAll(newWork(conns, tasks))
			o := owned.minusSorted()
			snap := a
			snap.Assigned = protocol.Group(o.conns.items, o.tasks.items)
			snap.Revoked = nil
			w.snapshot = &snap
			if len(rc)+len(rt) > 0 {
				w.needsRejoin = true
			}
		} else {
			w.running = newWork(conns, tasks)
			snap := a
			w.snapshot = &snap
		}
		w.rejoinAt = time.Time{}
		if a.Delay > 0 {
			w.rejoinAt = c.now.Add(time.Duration(a.Delay) * time.Millisecond)
		}
		parts := append(itemsString(conns, tasks, "+"), itemsString(rc, rt, "-")...)
		if len(parts) == 0 {
			parts = []string{"-"}
		}
		fmt.Fprintf(&sb, "  %s: %s => %dc %dt\n", w.name, strings.Join(parts, " "), w.running.conns.len(), w.running.tasks.len())
	}
	if res.Delay > 0 {
		fmt.Fprintf(&sb, "  delay %s\n", res.Delay)
	}
	return sb.String()
}

// status reports what runs where and checks the cluster's invariants.
func (c *cluster) status() string {
	var sb strings.Builder
	holders := map[string][]string{}
	var names []string
	for n := range c.workers {
		names = append(names, n)
	}
	slices.Sort(names)
	var cs, ts []int
	for _, n := range names {
		w := c.workers[n]
		if w.running == nil {
			continue
		}
		r := w.running.minusSorted()
		if !w.inGroup && r.empty() {
			continue
		}
		tag := ""
		if !w.inGroup {
			tag = " (out of group)"
		} else {
			cs, ts = append(cs, r.conns.len()), append(ts, r.tasks.len())
		}
		items := itemsString(r.conns.items, r.tasks.items, "")
		for _, it := range items {
			holders[it] = append(holders[it], n)
		}
		fmt.Fprintf(&sb, "%s: %s (%dc %dt)%s\n", n, strings.Join(items, " "), r.conns.len(), r.tasks.len(), tag)
	}
	var unassigned, dup []string
	for _, cn := range slices.Sorted(maps.Keys(c.config)) {
		all := []string{cn}
		for i := range c.config[cn] {
			all = append(all, TaskID{Connector: cn, Task: int32(i)}.String())
		}
		for _, it := range all {
			if len(holders[it]) == 0 {
				unassigned = append(unassigned, it)
			}
		}
	}
	for _, it := range slices.Sorted(maps.Keys(holders)) {
		if len(holders[it]) > 1 {
			dup = append(dup, it+"@"+strings.Join(holders[it], ","))
		}
	}
	if len(unassigned) > 0 {
		fmt.Fprintf(&sb, "unassigned: %s\n", strings.Join(unassigned, " "))
	}
	if len(dup) > 0 {
		fmt.Fprintf(&sb, "duplicated: %s\n", strings.Join(dup, " "))
	}
	if spread(cs) <= 1 && spread(ts) <= 1 {
		sb.WriteString("balanced\n")
	} else {
		fmt.Fprintf(&sb, "unbalanced: connectors %v tasks %v\n", cs, ts)
	}
	return sb.String()
}

func spread(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	return slices.Max(xs) - slices.Min(xs)
}

func parseConnectors(args []string) (map[string]int, error) {
	out := map[string]int{}
	for _, a := range args {
		a = strings.TrimPrefix(a, "connectors=")
		for _, spec := range strings.Split(a, ",") {
			if spec == "" {
				continue
			}
			name, n, ok := strings.Cut(spec, ":")
			if !ok {
				return nil, fmt.Errorf("want name:tasks, got %q", spec)
			}
			k, err := strconv.Atoi(n)
			if err != nil {
				return nil, err
			}
			out[name] = k
		}
	}
	return out, nil
}

// exec runs one script command and returns what it prints.
func (c *cluster) exec(t testing.TB, line string) string {
	f := strings.Fields(line)
	cmd, args := f[0], f[1:]
	mustWorker := func(n string) *worker {
		w := c.workers[n]
		if w == nil {
			t.Fatalf("%s: unknown worker %s", line, n)
		}
		return w
	}
	switch cmd {
	case "mode":
		m, err := protocol.ParseCompatibility(args[0])
		if err != nil {
			t.Fatal(err)
		}
		c.mode = m
	case "max-delay":
		d, err := time.ParseDuration(args[0])
		if err != nil {
			t.Fatal(err)
		}
		c.maxDelay = d
	case "config", "create", "resize":
		m, err := parseConnectors(args)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if cmd == "config" {
			c.config = map[string]int{}
		}
		maps.Copy(c.config, m)
		c.offset++
		c.pending = true
	case "delete":
		for _, a := range args {
			delete(c.config, a)
		}
		c.offset++
		c.pending = true
	case "join", "return":
		for _, n := range args {
			if w := c.workers[n]; w != nil && w.inGroup {
				t.Fatalf("%s: %s is already in the group", line, n)
			}
			c.startWorker(n, true)
		}
	case "leave", "crash":
		// Clean leave: stop everything, LeaveGroup. Crash: the process is gone and the broker
		// evicted it after session.timeout.ms. The leader cannot tell them apart.
		for _, n := range args {
			w := mustWorker(n)
			w.inGroup, w.running, w.snapshot = false, newWork(nil, nil), nil
			c.pending = true
		}
	case "partition":
		// Out of the group (evicted) but still running its work and keeping its snapshot.
		for _, n := range args {
			mustWorker(n).inGroup = false
			c.pending = true
		}
	case "heal":
		for _, n := range args {
			c.startWorker(n, false)
		}
	case "tick":
		d, err := time.ParseDuration(args[0])
		if err != nil {
			t.Fatal(err)
		}
		c.now = c.now.Add(d)
		var sb strings.Builder
		for _, w := range c.members() {
			if !w.rejoinAt.IsZero() && !c.now.Before(w.rejoinAt) {
				w.rejoinAt = time.Time{}
				w.needsRejoin = true
				fmt.Fprintf(&sb, "%s: scheduled rebalance due\n", w.name)
			}
		}
		return sb.String()
	case "rebalance":
		return c.round(t)
	case "stabilize":
		var sb strings.Builder
		for i := 0; c.needsRound(); i++ {
			if i == 10 {
				sb.WriteString("not stable after 10 rounds\n")
				break
			}
			sb.WriteString(c.round(t))
		}
		if sb.Len() == 0 {
			return "nothing to do"
		}
		return sb.String()
	case "status":
		return c.status()
	case "memory":
		l := c.workers[c.leader]
		m := l.mem
		return fmt.Sprintf("leader %s gen %d previous %v revoked %v revokedInPrevious %v successive %d candidates %v delay %s scheduled %v members %v",
			l.memberID, m.Generation,
			itemsString(m.PreviousConnectors, m.PreviousTasks, ""), itemsString(m.RevokedConnectors, m.RevokedTasks, ""),
			m.RevokedInPrevious, m.SuccessiveRevokingRounds, m.Candidates, m.Delay, scheduledString(c, m), m.PreviousMembers)
	default:
		t.Fatalf("unknown command %q", line)
	}
	return ""
}

func scheduledString(c *cluster, m Memory) string {
	if m.ScheduledRebalance.IsZero() {
		return "none"
	}
	return "+" + m.ScheduledRebalance.Sub(c.now).String()
}

func TestScripts(t *testing.T) {
	runScripts(t, func(t *testing.T) func(string) string {
		c := newCluster()
		return func(cmd string) string { return c.exec(t, cmd) }
	})
}
