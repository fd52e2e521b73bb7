package distributed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/goconnect/goconnect/internal/herder/distributed/protocol"
)

// protocolType is the group protocol type of Connect workers (Java's
// ConnectProtocol.CONNECT_PROTOCOL_TYPE... WorkerCoordinator.protocolType()).
const protocolType = "connect"

// member is Java's WorkerGroupMember + the wire half of WorkerCoordinator: it speaks
// JoinGroup/SyncGroup/Heartbeat/LeaveGroup with the group coordinator through raw
// kmsg requests. join, sync and leave are called by the herder loop only; the
// heartbeat goroutine reads the current generation through current().
type member struct {
	cl               *kgo.Client
	group            string
	sessionTimeout   time.Duration
	rebalanceTimeout time.Duration

	mu          sync.Mutex
	memberID    string
	generation  int32
	stable      bool      // joined and synced: heartbeats are due
	lastContact time.Time // last answer from the group coordinator (see contact)
}

// joined is the outcome of a JoinGroup round.
type joined struct {
	memberID   string
	generation int32
	protocol   string
	leaderID   string
	// members is the whole group with its metadata, only for the leader.
	members []kmsg.JoinGroupResponseMember
}

func (j joined) isLeader() bool { return j.memberID == j.leaderID }

// errRejoin means the round failed in a way that a new JoinGroup fixes (the group
// moved on to another generation, or the coordinator changed).
var errRejoin = errors.New("rejoin needed")

// join sends JoinGroup until it succeeds or ctx expires. It handles
// MEMBER_ID_REQUIRED (KIP-394) and UNKNOWN_MEMBER_ID by (re)joining with the id
// the coordinator wants, and retries retriable coordinator errors with a backoff.
func (m *member) join(ctx context.Context, protocols []protocol.JoinProtocol) (joined, error) {
	m.mu.Lock()
	m.stable = false
	m.mu.Unlock()
	backoff := 100 * time.Millisecond
	for {
		req := kmsg.NewPtrJoinGroupRequest()
		req.Group = m.group
		req.SessionTimeoutMillis = int32(m.sessionTimeout.Milliseconds())
		req.RebalanceTimeoutMillis = int32(m.rebalanceTimeout.Milliseconds())
		req.MemberID = m.id()
		req.ProtocolType = protocolType
		for _, p := range protocols {
			jp := kmsg.NewJoinGroupRequestProtocol()
			jp.Name = p.Name
			jp.Metadata = p.Metadata
			req.Protocols = append(req.Protocols, jp)
		}
		resp, err := req.RequestWith(ctx, m.cl)
		if err == nil {
			err = kerr.ErrorForCode(resp.ErrorCode)
			m.contact(err)
		}
		switch {
		case err == nil:
			m.mu.Lock()
			m.memberID, m.generation = resp.MemberID, resp.Generation
			m.mu.Unlock()
			proto := ""
			if resp.Protocol != nil {
				proto = *resp.Protocol
			}
			return joined{memberID: resp.MemberID, generation: resp.Generation, protocol: proto,
				leaderID: resp.LeaderID, members: resp.Members}, nil
		case errors.Is(err, kerr.MemberIDRequired):
			m.setID(resp.MemberID)
			continue
		case errors.Is(err, kerr.UnknownMemberID), errors.Is(err, kerr.IllegalGeneration):
			m.setID("")
			continue
		case errors.Is(err, kerr.InconsistentGroupProtocol):
			return joined{}, fmt.Errorf("join group %s: %w (a member of the group is not a Connect worker, or no common subprotocol)", m.group, err)
		case ctx.Err() != nil:
			return joined{}, fmt.Errorf("join group %s: %w", m.group, ctx.Err())
		case m.unreachableFor() >= m.sessionTimeout:
			return joined{}, fmt.Errorf("join group %s: %w: %w", m.group, errCoordinatorUnreachable, err)
		case errors.As(err, new(*kerr.Error)) && !kerr.IsRetriable(err) &&
			!errors.Is(err, kerr.RebalanceInProgress) && !errors.Is(err, kerr.NotCoordinator):
			return joined{}, fmt.Errorf("join group %s: %w", m.group, err)
		}
		// Coordinator moving, loading, or a network error: back off and retry.
		select {
		case <-ctx.Done():
			return joined{}, fmt.Errorf("join group %s: %w", m.group, err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

// sync sends SyncGroup for the generation j; the leader passes every member's
// assignment. It returns this member's assignment bytes, or errRejoin when the
// group started another rebalance meanwhile.
func (m *member) sync(ctx context.Context, j joined, assignments map[string][]byte) ([]byte, error) {
	req := kmsg.NewPtrSyncGroupRequest()
	req.Group = m.group
	req.Generation = j.generation
	req.MemberID = j.memberID
	pt, pn := protocolType, j.protocol
	req.ProtocolType, req.Protocol = &pt, &pn
	for id, a := range assignments {
		sa := kmsg.NewSyncGroupRequestGroupAssignment()
		sa.MemberID = id
		sa.MemberAssignment = a
		req.GroupAssignment = append(req.GroupAssignment, sa)
	}
	resp, err := req.RequestWith(ctx, m.cl)
	if err != nil {
		return nil, fmt.Errorf("sync group %s: %w: %w", m.group, errRejoin, err)
	}
	m.contact(kerr.ErrorForCode(resp.ErrorCode))
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		if errors.Is(err, kerr.UnknownMemberID) {
			m.setID("")
		}
		return nil, fmt.Errorf("sync group %s: %w: %w", m.group, errRejoin, err)
	}
	m.mu.Lock()
	m.stable = true
	m.mu.Unlock()
	return resp.MemberAssignment, nil
}

// heartbeat sends one Heartbeat for the current generation. It returns
// errRejoin when the coordinator asks the member to rejoin, nil when not stable.
func (m *member) heartbeat(ctx context.Context) error {
	m.mu.Lock()
	id, gen, stable := m.memberID, m.generation, m.stable
	m.mu.Unlock()
	if !stable {
		return nil
	}
	req := kmsg.NewPtrHeartbeatRequest()
	req.Group = m.group
	req.MemberID = id
	req.Generation = gen
	resp, err := req.RequestWith(ctx, m.cl)
	if err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	m.contact(kerr.ErrorForCode(resp.ErrorCode))
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		if errors.Is(err, kerr.UnknownMemberID) || errors.Is(err, kerr.FencedInstanceID) {
			m.setID("")
		}
		m.mu.Lock()
		m.stable = false
		m.mu.Unlock()
		return fmt.Errorf("heartbeat: %w: %w", errRejoin, err)
	}
	return nil
}

// leave sends LeaveGroup so the coordinator rebalances at once instead of waiting
// for the session timeout (Java's maybeLeaveGroup on close).
func (m *member) leave(ctx context.Context) error {
	m.mu.Lock()
	id := m.memberID
	m.memberID, m.stable = "", false
	m.mu.Unlock()
	if id == "" {
		return nil
	}
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Group = m.group
	req.MemberID = id
	mem := kmsg.NewLeaveGroupRequestMember()
	mem.MemberID = id
	req.Members = append(req.Members, mem)
	resp, err := req.RequestWith(ctx, m.cl)
	if err != nil {
		return fmt.Errorf("leave group %s: %w", m.group, err)
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil && !errors.Is(err, kerr.UnknownMemberID) {
		return fmt.Errorf("leave group %s: %w", m.group, err)
	}
	return nil
}

// errCoordinatorUnreachable means the group coordinator has not answered for a
// session timeout: the broker may have evicted this member already.
var errCoordinatorUnreachable = errors.New("group coordinator unreachable")

// contact records that the group coordinator answered a request with code err.
// NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE are no contact: Java marks the
// coordinator unknown on them.
func (m *member) contact(err error) {
	if errors.Is(err, kerr.NotCoordinator) || errors.Is(err, kerr.CoordinatorNotAvailable) {
		return
	}
	m.mu.Lock()
	m.lastContact = time.Now()
	m.mu.Unlock()
}

// unreachableFor is how long the coordinator has not answered (since the member
// was created, if it never did).
func (m *member) unreachableFor() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lastContact.IsZero() {
		return 0
	}
	return time.Since(m.lastContact)
}

// findCoordinator is Java's ensureCoordinatorReady with a timer: one
// FindCoordinator round for the group, bounded by ctx. Success counts as contact.
func (m *member) findCoordinator(ctx context.Context) error {
	req := kmsg.NewPtrFindCoordinatorRequest()
	req.CoordinatorKey = m.group
	req.CoordinatorKeys = []string{m.group}
	resp, err := req.RequestWith(ctx, m.cl)
	if err != nil {
		return fmt.Errorf("find coordinator of group %s: %w", m.group, err)
	}
	code := resp.ErrorCode
	for _, c := range resp.Coordinators {
		if c.Key == m.group {
			code = c.ErrorCode
		}
	}
	if err := kerr.ErrorForCode(code); err != nil {
		return fmt.Errorf("find coordinator of group %s: %w", m.group, err)
	}
	m.contact(nil)
	return nil
}

// unstable stops heartbeats until the next successful sync (the herder is about to
// rejoin or has left).
func (m *member) unstable() {
	m.mu.Lock()
	m.stable = false
	m.mu.Unlock()
}

func (m *member) id() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.memberID
}

func (m *member) setID(id string) {
	m.mu.Lock()
	m.memberID = id
	m.mu.Unlock()
}
