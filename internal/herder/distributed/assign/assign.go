package assign

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/goconnect/goconnect/internal/herder/distributed/protocol"
)

// DefaultMaxDelay is goconnect's scheduled.rebalance.max.delay.ms when the worker config does
// not set it (Java's is 5 minutes): short enough that a kill -9ed worker's work runs elsewhere
// within 15 s with Java's session and heartbeat timeouts, long enough that a quickly restarted
// worker gets its own work back. See docs/adr/0001-scheduled-rebalance-delay.md.
const DefaultMaxDelay = time.Second

// JavaDefaultMaxDelay is Java's default for scheduled.rebalance.max.delay.ms.
const JavaDefaultMaxDelay = 5 * time.Minute

// TaskID names a task: connector and index.
type TaskID = protocol.TaskID

// Member is one worker of the group, as the leader sees it in the JoinGroup response.
type Member struct {
	// ID is the member id the broker gave the worker; a restarted worker gets a new one.
	ID string
	// URL is the worker's advertised REST URL (from its metadata).
	URL string
	// ConfigOffset is the config-topic offset the worker has read up to.
	ConfigOffset int64
	// Connectors and Tasks are the member's current allocation (cooperative metadata only;
	// empty under eager, where members stop everything before joining).
	Connectors []string
	Tasks      []TaskID
}

// Snapshot is the leader's view of the config topic.
type Snapshot struct {
	// Offset is the config-topic offset the snapshot was read at.
	Offset int64
	// Tasks maps every configured connector to its number of task configs; tasks are numbered
	// 0..n-1 as in the config topic.
	Tasks map[string]int
}

// Input is everything one assignment round depends on.
type Input struct {
	// Protocol is the subprotocol the group agreed on; Eager selects the eager assignor.
	Protocol protocol.Compatibility
	// LeaderID is the member id of the leader (the caller).
	LeaderID string
	// Members are all members of the round, leader included.
	Members []Member
	// Snapshot is the leader's config snapshot. When its offset is behind a member's, the
	// caller should first re-read the config topic; if it is still behind, the result is a
	// CONFIG_MISMATCH assignment that makes everyone catch up and rejoin.
	Snapshot Snapshot
	// Generation is the generation being assigned, and LastCompletedGeneration the last one the
	// leader itself completed (-1 when none). When the leader's memory was written in another
	// generation than its last completed one, the memory of the previous assignment is stale
	// (another member led in between) and is dropped, as in Java.
	Generation              int32
	LastCompletedGeneration int32
	// Now is the leader's clock, used for the scheduled rebalance delay.
	Now time.Time
	// MaxDelay is scheduled.rebalance.max.delay.ms: how long the work of departed members is
	// held back before it is reassigned, and the cap of the backoff between revoking rounds.
	// 0 reassigns lost work at once and never delays revocations.
	MaxDelay time.Duration
}

// MemberAssignment is what one member is told.
type MemberAssignment struct {
	// Connectors and Tasks are the newly assigned work under the cooperative protocols, and
	// the whole assignment under eager. Sorted.
	Connectors []string
	Tasks      []TaskID
	// RevokedConnectors and RevokedTasks are the work the member must stop (cooperative only).
	RevokedConnectors []string
	RevokedTasks      []TaskID
	// OwnedConnectors and OwnedTasks are everything the member runs once it applied this
	// assignment; the herder's leader state uses them to find a task's owner.
	OwnedConnectors []string
	OwnedTasks      []TaskID
}

// Result is the outcome of one round.
type Result struct {
	// Error is protocol.NoError or protocol.ConfigMismatch.
	Error int16
	// Leader and LeaderURL identify the leader in every assignment.
	Leader    string
	LeaderURL string
	// ConfigOffset is the config offset the assignment was computed at.
	ConfigOffset int64
	// Delay asks every member to rejoin after it (KIP-415 scheduled rebalance); 0 for none.
	// Always a whole number of milliseconds, never rounded down to 0 while a rebalance is due.
	Delay time.Duration
	// Members maps each member id to its assignment.
	Members map[string]MemberAssignment
}

// Assignment returns the SyncGroup assignment of one member in the given protocol version.
func (r Result) Assignment(memberID string, version int16) protocol.Assignment {
	m := r.Members[memberID]
	a := protocol.Assignment{
		Version:      version,
		Error:        r.Error,
		Leader:       r.Leader,
		LeaderURL:    r.LeaderURL,
		ConfigOffset: r.ConfigOffset,
		Assigned:     protocol.Group(m.Connectors, m.Tasks),
	}
	if version >= protocol.V1 {
		a.Revoked = protocol.Group(m.RevokedConnectors, m.RevokedTasks)
		a.Delay = int32(min(r.Delay.Milliseconds(), int64(1<<31-1)))
	}
	return a
}

// Assign runs one assignment round: the eager assignor when in.Protocol is Eager, the
// incremental cooperative one otherwise. It returns the result and the leader's memory to
// pass to the next round it leads; mem is not modified. The zero Memory is the memory of a
// leader that never assigned.
func Assign(in Input, mem Memory) (Result, Memory) {
	members := canonicalMembers(in.Members)
	res := Result{Leader: in.LeaderID, Members: make(map[string]MemberAssignment, len(members))}
	var maxOffset int64
	for i, m := range members {
		if m.ID == in.LeaderID {
			res.LeaderURL = m.URL
		}
		if i == 0 || m.ConfigOffset > maxOffset {
			maxOffset = m.ConfigOffset
		}
	}
	if in.Snapshot.Offset < maxOffset {
		// Java's ensureLeaderConfig: the leader cannot assign work it has not read.
		res.Error = protocol.ConfigMismatch
		res.ConfigOffset = maxOffset
		for _, m := range members {
			res.Members[m.ID] = MemberAssignment{}
		}
		return res, mem.clone()
	}
	// A snapshot ahead of every member is the one the assignment is computed from, so its
	// offset is the one members must reach (Java reports the refreshed snapshot's offset too).
	res.ConfigOffset = max(maxOffset, in.Snapshot.Offset)
	if in.Protocol == protocol.Eager {
		eager(in.Snapshot, members, res.Members)
		return res, mem.clone()
	}
	mem = mem.clone()
	res.Delay = incremental(in, members, &mem, res.Members)
	return res, mem
}

// eager is Java's EagerAssignor: connectors sorted by name, then every connector's tasks in
// order, dealt round-robin over the members sorted by id with one iterator, so the tasks
// continue where the connectors stopped.
func eager(snap Snapshot, members []Member, out map[string]MemberAssignment) {
	conns := slices.Sorted(maps.Keys(snap.Tasks))
	as := make([]MemberAssignment, len(members))
	i := 0
	for _, c := range conns {
		as[i%len(as)].Connectors = append(as[i%len(as)].Connectors, c)
		i++
	}
	for _, c := range conns {
		for t := range snap.Tasks[c] {
			k := i % len(as)
			as[k].Tasks = append(as[k].Tasks, TaskID{Connector: c, Task: int32(t)})
			i++
		}
	}
	for k, m := range members {
		a := as[k]
		a.OwnedConnectors, a.OwnedTasks = a.Connectors, a.Tasks
		out[m.ID] = a
	}
}

// canonicalMembers copies the members sorted by id, each allocation sorted and deduplicated,
// so that nothing downstream depends on the order members or their metadata arrived in.
func canonicalMembers(in []Member) []Member {
	out := make([]Member, len(in))
	for i, m := range in {
		m.Connectors = slices.Compact(slices.Sorted(slices.Values(m.Connectors)))
		m.Tasks = slices.Clone(m.Tasks)
		slices.SortFunc(m.Tasks, TaskID.Compare)
		m.Tasks = slices.Compact(m.Tasks)
		out[i] = m
	}
	slices.SortFunc(out, func(a, b Member) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
