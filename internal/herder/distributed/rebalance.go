package distributed

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/herder/distributed/assign"
	"github.com/goconnect/goconnect/internal/herder/distributed/protocol"
	"github.com/goconnect/goconnect/internal/storage/kafkastore"
)

// rebalance is one round of group membership (Java's WorkerCoordinator
// onJoinPrepare → JoinGroup → performAssignment on the leader → SyncGroup →
// onJoinComplete, then DistributedHerder.handleRebalanceCompleted), run on the loop.
func (h *Herder) rebalance() {
	h.rejoin = false
	h.mem.unstable()
	if h.joined && !h.proto.Cooperative() {
		// Eager: everything stops before the member joins (onJoinPrepare).
		h.log.Info("Eager rebalance: stopping all connectors and tasks")
		h.stopAll()
	}
	var alloc *protocol.Assignment
	if h.lastAssignment != nil {
		a := *h.lastAssignment
		conns := slices.Sorted(maps.Keys(h.ownedConns))
		var tasks []protocol.TaskID
		for _, id := range sortedTasks(h.ownedTasks) {
			tasks = append(tasks, protocol.TaskID{Connector: id.Connector, Task: int32(id.Task)})
		}
		a.Assigned = protocol.Group(conns, tasks)
		a.Revoked = nil
		a.Delay = 0
		if a.Version < protocol.V1 {
			a.Version = protocol.V1
		}
		alloc = &a
	}
	protos, err := protocol.MetadataRequest(h.cfg.Protocol, h.cfg.URL, h.snap.Offset, alloc)
	if err != nil {
		h.log.Error("Cannot build join metadata", "error", err)
		h.backoffRejoin(time.Second)
		return
	}
	// Statuses written while stopping work (UNASSIGNED of tasks removed by a
	// smaller task count, revoked work) reach the topic before this member joins:
	// the leader's post-rebalance tombstones (cleanupStatuses) then land after them
	// and are not overwritten by a late UNASSIGNED.
	fctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	if err := h.status.Flush(fctx); err != nil && h.ctx.Err() == nil {
		h.log.Warn("Failed to flush statuses before joining", "error", err)
	}
	cancel()
	// The round can block for long (the coordinator holds JoinGroup until every
	// member rejoined; the client retries a broker it cannot reach): watch the
	// coordinator meanwhile, as between rounds.
	rctx, lost := context.WithCancelCause(h.ctx)
	defer lost(nil)
	stopWatch := h.watchCoordinator(rctx, lost)
	defer stopWatch()
	j, err := h.mem.join(rctx, protos)
	if err != nil {
		if errors.Is(err, errCoordinatorUnreachable) || errors.Is(context.Cause(rctx), errCoordinatorUnreachable) {
			h.revokeAll("during a rebalance", err)
		}
		if h.ctx.Err() == nil {
			h.log.Warn("Joining the group failed; retrying", "error", err)
			h.backoffRejoin(time.Second)
		}
		return
	}
	chosen, err := protocol.FromProtocolName(j.protocol)
	if err != nil {
		h.log.Error("Group chose an unknown subprotocol", "protocol", j.protocol, "error", err)
		h.backoffRejoin(time.Second)
		return
	}
	h.log.Info("Joined group", "generation", j.generation, "member_id", j.memberID, "leader", j.leaderID, "protocol", j.protocol)
	var assignments map[string][]byte
	if j.isLeader() {
		if assignments, err = h.performAssignment(j, chosen); err != nil {
			h.log.Error("Assignment failed", "error", err)
			h.backoffRejoin(time.Second)
			return
		}
	}
	b, err := h.mem.sync(rctx, j, assignments)
	stopWatch()
	if err != nil {
		if errors.Is(context.Cause(rctx), errCoordinatorUnreachable) {
			h.revokeAll("during a rebalance", err)
		}
		if h.ctx.Err() == nil {
			h.log.Info("Sync failed; rejoining", "error", err)
			h.rejoin = true
		}
		return
	}
	a, err := protocol.DecodeAssignment(b)
	if err != nil {
		h.log.Error("Cannot decode assignment", "error", err)
		h.backoffRejoin(time.Second)
		return
	}
	h.onJoinComplete(j, chosen, a)
}

// backoffRejoin waits d (or until stopping) and asks for another round.
func (h *Herder) backoffRejoin(d time.Duration) {
	h.rejoin = true
	select {
	case <-h.stopping:
	case <-time.After(d):
	}
}

// onJoinComplete applies a new assignment: catch up with the config topic, stop
// what was revoked, start what was assigned, and schedule the follow-up rounds.
func (h *Herder) onJoinComplete(j joined, chosen protocol.Compatibility, a protocol.Assignment) {
	h.generation.Store(j.generation)
	h.lastGen = j.generation
	h.proto = chosen
	h.sessioned.Store(chosen == protocol.Sessioned)
	h.memberID = j.memberID
	h.leaderID = a.Leader
	h.leaderURL = a.LeaderURL
	url := a.LeaderURL
	h.leaderURLv.Store(&url)
	h.joined = true
	if !j.isLeader() {
		clear(h.connOwners)
		clear(h.taskOwners)
	}
	if a.Failed() {
		h.log.Info("Assignment failed: configs out of sync; catching up and rejoining", "offset", a.ConfigOffset)
		h.catchUp(a.ConfigOffset)
		h.rejoin = true
		return
	}
	if h.snap.Offset < a.ConfigOffset && !h.catchUp(a.ConfigOffset) {
		h.log.Warn("Could not catch up with the config topic; rejoining", "want", a.ConfigOffset, "have", h.snap.Offset)
		h.backoffRejoin(time.Second)
		return
	}
	// Events read while catching up are applied before the assignment; the ones
	// that need another round (new connectors, new task configs whose old tasks
	// were just stopped) keep h.rejoin set.
	h.processEvents()

	assignedConns, assignedTasks := protocol.Split(a.Assigned)
	revokedConns, revokedTasks := protocol.Split(a.Revoked)
	h.log.Info("Assignment received", "generation", j.generation, "leader_url", a.LeaderURL,
		"connectors", assignedConns, "tasks", len(assignedTasks), "revoked_connectors", revokedConns,
		"revoked_tasks", len(revokedTasks), "delay_ms", a.Delay)

	// Revocations first (stop, commit) so that the next owner starts after.
	var stop []herder.TaskID
	for _, t := range revokedTasks {
		id := herder.TaskID{Connector: t.Connector, Task: int(t.Task)}
		if h.ownedTasks[id] {
			stop = append(stop, id)
			delete(h.ownedTasks, id)
		}
	}
	if len(stop) > 0 {
		h.rt.StopTasks(stop)
	}
	for _, c := range revokedConns {
		if h.ownedConns[c] {
			h.rt.StopConnector(c)
			delete(h.ownedConns, c)
		}
	}
	if !chosen.Cooperative() {
		// Eager assignments are complete; anything not in it stops.
		h.stopAll()
	}
	for _, c := range assignedConns {
		if h.ownedConns[c] {
			continue
		}
		h.ownedConns[c] = true
		h.startConnector(c, false)
	}
	for _, t := range assignedTasks {
		id := herder.TaskID{Connector: t.Connector, Task: int(t.Task)}
		if h.ownedTasks[id] {
			continue
		}
		h.ownedTasks[id] = true
		h.startTask(id)
	}
	la := a
	h.lastAssignment = &la
	h.rebalanceNeeded = false
	h.delayAt = time.Time{}
	if a.Delay > 0 {
		h.delayAt = time.Now().Add(time.Duration(a.Delay) * time.Millisecond)
	}
	if len(revokedConns) > 0 || len(revokedTasks) > 0 {
		// Java: a member that revoked work rejoins at once so the work is reassigned.
		h.rejoin = true
	}
	if h.isLeader() {
		h.cleanupStatuses()
	}
}

// catchUp reads the config topic until the snapshot reaches offset, bounded by
// worker.sync.timeout.ms.
func (h *Herder) catchUp(offset int64) bool {
	ctx, cancel := context.WithTimeout(h.ctx, h.cfg.WorkerSyncTimeout)
	defer cancel()
	if err := h.configs.Refresh(ctx); err != nil {
		h.log.Warn("Reading the config topic failed", "error", err)
	}
	h.processEvents()
	h.setSnapshot(h.configs.Snapshot())
	return h.snap.Offset >= offset
}

// performAssignment is the leader's half of the round: decode every member's
// metadata, make sure the leader's configs are as new as everyone's, run the
// assignor and encode each member's assignment.
func (h *Herder) performAssignment(j joined, chosen protocol.Compatibility) (map[string][]byte, error) {
	members := make([]assign.Member, 0, len(j.members))
	urls := map[string]string{}
	var maxOffset int64 = -1
	for _, jm := range j.members {
		ws, err := protocol.DecodeMetadata(jm.ProtocolMetadata)
		if err != nil {
			return nil, fmt.Errorf("decode metadata of member %s: %w", jm.MemberID, err)
		}
		m := assign.Member{ID: jm.MemberID, URL: ws.URL, ConfigOffset: ws.ConfigOffset}
		if ws.Allocation != nil && chosen.Cooperative() {
			m.Connectors, m.Tasks = protocol.Split(ws.Allocation.Assigned)
		}
		urls[jm.MemberID] = ws.URL
		maxOffset = max(maxOffset, ws.ConfigOffset)
		members = append(members, m)
	}
	if h.snap.Offset < maxOffset {
		// Java's ensureLeaderConfig: refresh once; the assignor reports a mismatch
		// if that was not enough.
		h.catchUp(maxOffset)
	}
	snap := assign.Snapshot{Offset: h.snap.Offset, Tasks: map[string]int{}}
	for name := range h.snap.Connectors {
		snap.Tasks[name] = len(h.snap.Tasks(name))
	}
	res, mem := assign.Assign(assign.Input{
		Protocol:                chosen,
		LeaderID:                j.memberID,
		Members:                 members,
		Snapshot:                snap,
		Generation:              j.generation,
		LastCompletedGeneration: h.lastGen,
		Now:                     time.Now(),
		MaxDelay:                h.cfg.MaxDelay,
	}, h.assignMem)
	h.assignMem = mem
	clear(h.connOwners)
	clear(h.taskOwners)
	out := make(map[string][]byte, len(res.Members))
	for id, ma := range res.Members {
		for _, c := range ma.OwnedConnectors {
			h.connOwners[c] = urls[id]
		}
		for _, t := range ma.OwnedTasks {
			h.taskOwners[herder.TaskID{Connector: t.Connector, Task: int(t.Task)}] = urls[id]
		}
		b, err := protocol.EncodeAssignment(res.Assignment(id, chosen.Version()))
		if err != nil {
			return nil, fmt.Errorf("encode assignment of %s: %w", id, err)
		}
		out[id] = b
	}
	h.log.Info("Computed assignment", "generation", j.generation, "members", len(members),
		"connectors", len(snap.Tasks), "delay", res.Delay, "error", res.Error)
	return out, nil
}

// cleanupStatuses is the leader's post-rebalance sweep (Java's
// AbstractHerder.onDeletion for what nobody owns any more): tombstones of
// statuses of deleted connectors and of tasks beyond the current task count.
func (h *Herder) cleanupStatuses() {
	for _, name := range h.status.Connectors() {
		if _, ok := h.snap.Connectors[name]; !ok {
			for n := range h.status.Tasks(name) {
				h.status.PutTask(kafkastore.TaskID{Connector: name, Task: n}, h.statusOf(kafkastore.StateDestroyed, ""))
			}
			h.status.PutConnector(name, h.statusOf(kafkastore.StateDestroyed, ""))
			continue
		}
		if h.snap.Inconsistent[name] {
			continue
		}
		count, ok := h.snap.TaskCounts[name]
		if !ok {
			continue
		}
		for n := range h.status.Tasks(name) {
			if n >= count {
				h.status.PutTask(kafkastore.TaskID{Connector: name, Task: n}, h.statusOf(kafkastore.StateDestroyed, ""))
			}
		}
	}
}

// leaderKeyDuties writes a new session key when the leader has none or the
// current one expired (sessioned protocol only), and returns when it is next due
// (0: nothing scheduled).
func (h *Herder) leaderKeyDuties() time.Duration {
	if !h.isLeader() || h.proto != protocol.Sessioned {
		return 0
	}
	k := h.snap.SessionKey
	if k != nil && k.Algorithm == h.cfg.KeyGenerationAlgorithm && (h.cfg.KeySize == 0 || len(k.Key)*8 == h.cfg.KeySize) {
		if left := time.Until(k.Created.Add(h.cfg.KeyTTL)); left > 0 {
			return left
		}
	}
	key, err := newSessionKey(h.cfg.KeyGenerationAlgorithm, h.cfg.KeySize)
	if err != nil {
		h.log.Error("Cannot generate a session key", "error", err)
		return 0
	}
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	if err := h.configs.PutSessionKey(ctx, key); err != nil {
		h.log.Error("Failed to write the session key; will retry", "error", err)
		return 5 * time.Second
	}
	h.log.Info("Wrote a new session key")
	h.processEvents()
	h.setSnapshot(h.configs.Snapshot())
	h.sessionKey.Store(h.snap.SessionKey)
	return h.cfg.KeyTTL
}

func newSessionKey(algorithm string, bits int) (kafkastore.SessionKey, error) {
	if _, err := macFor(algorithm); err != nil {
		return kafkastore.SessionKey{}, err
	}
	if bits <= 0 {
		bits = defaultKeyBits(algorithm)
	}
	b := make([]byte, bits/8)
	if _, err := rand.Read(b); err != nil {
		return kafkastore.SessionKey{}, fmt.Errorf("generate session key: %w", err)
	}
	return kafkastore.SessionKey{Key: b, Algorithm: algorithm, Created: time.Now()}, nil
}

// ---- coordinator loss ----

// coordinatorCheckDue says when checkCoordinator is next due: while this worker
// runs work, one heartbeat interval before a session timeout has passed without
// an answer from the group coordinator.
func (h *Herder) coordinatorCheckDue() (time.Duration, bool) {
	if !h.joined || len(h.ownedConns)+len(h.ownedTasks) == 0 {
		return 0, false
	}
	return max(h.cfg.SessionTimeout-h.cfg.HeartbeatInterval-h.mem.unreachableFor(), 0), true
}

// checkCoordinator is Java's WorkerCoordinator.poll with the coordinator unknown:
// try to find it for one heartbeat interval and, if that fails, stop everything
// this worker runs, so that a worker cut off from Kafka does not keep running
// work the rest of the cluster reassigns once the broker evicts it (KAFKA-9184).
//
// Java starts that discovery once the session timed out, and reassignment waits
// scheduled.rebalance.max.delay.ms (5 minutes) on the other side. goconnect's
// default delay is 1 s (ADR 0001), so it starts discovery one heartbeat interval
// earlier: the work is stopped by the time the broker can have evicted the member,
// before the survivors can have been assigned it.
func (h *Herder) checkCoordinator() {
	if h.mem.unreachableFor() < h.cfg.SessionTimeout-h.cfg.HeartbeatInterval {
		return // it answered meanwhile
	}
	ctx, cancel := context.WithTimeout(h.ctx, h.cfg.HeartbeatInterval)
	err := h.mem.findCoordinator(ctx)
	cancel()
	if err == nil || h.ctx.Err() != nil {
		return
	}
	h.revokeAll("between rebalances", err)
	h.rejoin = true
}

// watchCoordinator runs checkCoordinator's test on its own goroutine while the
// loop is inside a group round, and cancels ctx with errCoordinatorUnreachable
// when the coordinator is lost and this worker runs work; the loop then revokes.
// The returned function stops the watch and waits for it (idempotent).
func (h *Herder) watchCoordinator(ctx context.Context, lost context.CancelCauseFunc) func() {
	if len(h.ownedConns)+len(h.ownedTasks) == 0 {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	threshold := h.cfg.SessionTimeout - h.cfg.HeartbeatInterval
	go func() {
		defer close(done)
		t := time.NewTicker(max(h.cfg.HeartbeatInterval/2, 10*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if h.mem.unreachableFor() < threshold {
				continue
			}
			fctx, cancel := context.WithTimeout(ctx, h.cfg.HeartbeatInterval)
			err := h.mem.findCoordinator(fctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				lost(fmt.Errorf("%w: %w", errCoordinatorUnreachable, err))
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(stop) })
		<-done
	}
}

// revokeAll stops everything this worker runs and forgets its assignment, so the
// next JoinGroup claims nothing (Java's onRevoked of the whole assignment and
// assignmentSnapshot = null).
func (h *Herder) revokeAll(when string, cause error) {
	if len(h.ownedConns)+len(h.ownedTasks) > 0 {
		h.log.Info("Broker coordinator was unreachable; revoking previous assignment to avoid running tasks while not being a member of the group",
			"when", when, "unreachable_ms", h.mem.unreachableFor().Milliseconds(), "connectors", len(h.ownedConns),
			"tasks", len(h.ownedTasks), "error", cause)
		h.stopAll()
	}
	h.lastAssignment = nil
	h.joined = false // not a member until the next successful round
	h.mem.unstable()
}
