package protocol

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// ProtocolType is the JoinGroup protocol type of every Connect worker group.
const ProtocolType = "connect"

// Protocol versions, written as the INT16 header of metadata and assignments.
const (
	V0 int16 = 0 // "default", eager rebalancing
	V1 int16 = 1 // "compatible", incremental cooperative rebalancing (KIP-415)
	V2 int16 = 2 // "sessioned", V1 plus signed internal requests (KIP-507)
)

// Assignment error codes (ConnectProtocol.Assignment).
const (
	NoError int16 = 0
	// ConfigMismatch tells members that the leader could not catch up with the config offset
	// some member reported; everyone reads the config topic to the end and rejoins.
	ConfigMismatch int16 = 1
)

// ConnectorTask is the task id that stands for the connector instance itself in a
// ConnectorAssignment's task list.
const ConnectorTask int32 = -1

// Compatibility is the connect.protocol worker setting: which subprotocols a worker offers.
type Compatibility int

// The connect.protocol values, in the order Java declares them.
const (
	Eager Compatibility = iota
	Compatible
	Sessioned
)

// ParseCompatibility parses a connect.protocol value ("eager", "compatible", "sessioned"),
// ignoring case as Java's ConnectProtocolCompatibility.compatibility does.
func ParseCompatibility(s string) (Compatibility, error) {
	for _, c := range []Compatibility{Eager, Compatible, Sessioned} {
		if strings.EqualFold(s, c.String()) {
			return c, nil
		}
	}
	return 0, fmt.Errorf("parse connect.protocol %q: %w", s, ErrUnknownProtocol)
}

// FromProtocolName maps a subprotocol name chosen by the broker ("default", "compatible",
// "sessioned", any case) back to its Compatibility.
func FromProtocolName(name string) (Compatibility, error) {
	for _, c := range []Compatibility{Eager, Compatible, Sessioned} {
		if strings.EqualFold(name, c.ProtocolName()) {
			return c, nil
		}
	}
	return 0, fmt.Errorf("parse subprotocol name %q: %w", name, ErrUnknownProtocol)
}

// FromVersion maps a protocol version to its Compatibility.
func FromVersion(v int16) (Compatibility, error) {
	switch v {
	case V0:
		return Eager, nil
	case V1:
		return Compatible, nil
	case V2:
		return Sessioned, nil
	}
	return 0, fmt.Errorf("map protocol version %d: %w", v, ErrUnknownProtocol)
}

// String returns the connect.protocol spelling.
func (c Compatibility) String() string {
	switch c {
	case Eager:
		return "eager"
	case Compatible:
		return "compatible"
	case Sessioned:
		return "sessioned"
	}
	return "Compatibility(" + strconv.Itoa(int(c)) + ")"
}

// ProtocolName returns the JoinGroup subprotocol name.
func (c Compatibility) ProtocolName() string {
	switch c {
	case Eager:
		return "default"
	case Compatible:
		return "compatible"
	case Sessioned:
		return "sessioned"
	}
	return ""
}

// Version returns the protocol version written in headers.
func (c Compatibility) Version() int16 {
	switch c {
	case Compatible:
		return V1
	case Sessioned:
		return V2
	}
	return V0
}

// Cooperative reports whether the subprotocol rebalances incrementally (KIP-415), that is
// members keep their work across a rebalance until it is explicitly revoked.
func (c Compatibility) Cooperative() bool { return c != Eager }

// TaskID names a task: the connector and the task's index. Java's ConnectorTaskId.
type TaskID struct {
	Connector string
	Task      int32
}

// String formats the id as Java does: "<connector>-<task>".
func (t TaskID) String() string { return t.Connector + "-" + strconv.Itoa(int(t.Task)) }

// Compare orders ids as ConnectorTaskId.compareTo: by connector, then task.
func (t TaskID) Compare(o TaskID) int {
	if c := strings.Compare(t.Connector, o.Connector); c != 0 {
		return c
	}
	return cmp.Compare(t.Task, o.Task)
}

// ConnectorAssignment is one element of an assignment's lists: a connector and the ids it
// contributes, ConnectorTask standing for the connector instance itself.
type ConnectorAssignment struct {
	Connector string
	Tasks     []int32
}

// WorkerState is the JoinGroup member metadata of one worker.
type WorkerState struct {
	// Version is the header version: 0 writes the "default" layout, 1 and 2 add Allocation.
	Version int16
	// URL is the worker's advertised REST URL, used by others to forward requests to it.
	URL string
	// ConfigOffset is the offset of the worker's config-topic snapshot.
	ConfigOffset int64
	// Allocation is what the worker currently runs (its last assignment, with assigned work
	// added and revoked work removed), written nested with its own version header; nil is
	// written as a null allocation, as Java does for a worker that has no assignment yet.
	// Version 0 has no allocation field.
	Allocation *Assignment
}

// Assignment is a SyncGroup member assignment.
//
// In version 0 (eager) Assigned is everything the member must run and the cooperative fields
// are not written. In versions 1 and 2 Assigned holds only newly assigned work, Revoked holds
// the work the member must stop, and Delay asks the member to rejoin after that many
// milliseconds (KIP-415 scheduled rebalance).
type Assignment struct {
	Version      int16
	Error        int16
	Leader       string // the leader's member id
	LeaderURL    string // the leader's REST URL, where followers forward writes
	ConfigOffset int64  // the config offset the assignment was computed at
	Assigned     []ConnectorAssignment
	Revoked      []ConnectorAssignment
	Delay        int32 // milliseconds
}

// Failed reports whether the leader could not compute an assignment.
func (a Assignment) Failed() bool { return a.Error != NoError }

// Group builds the wire lists from connector names and task ids, the way Java's
// Assignment.asMap and revokedAsMap do: one entry per connector, with ConnectorTask first when
// the connector instance is included, then its tasks in the order given. Entries follow the
// order connectors first appear (Java's assigned list follows HashSet order instead, which
// readers do not depend on). Duplicate connector names are written once, as Java does.
func Group(connectors []string, tasks []TaskID) []ConnectorAssignment {
	if len(connectors) == 0 && len(tasks) == 0 {
		return nil
	}
	var out []ConnectorAssignment
	at := make(map[string]int, len(connectors))
	for _, c := range connectors {
		if _, ok := at[c]; ok {
			continue
		}
		at[c] = len(out)
		out = append(out, ConnectorAssignment{Connector: c, Tasks: []int32{ConnectorTask}})
	}
	for _, t := range tasks {
		i, ok := at[t.Connector]
		if !ok {
			i = len(out)
			at[t.Connector] = i
			out = append(out, ConnectorAssignment{Connector: t.Connector})
		}
		out[i].Tasks = append(out[i].Tasks, t.Task)
	}
	return out
}

// Split is the inverse of Group: the connector instances and the tasks of the lists, in wire
// order, as Java's extractConnectors and extractTasks read them.
func Split(list []ConnectorAssignment) (connectors []string, tasks []TaskID) {
	for _, ca := range list {
		for _, t := range ca.Tasks {
			if t == ConnectorTask {
				connectors = append(connectors, ca.Connector)
			} else {
				tasks = append(tasks, TaskID{Connector: ca.Connector, Task: t})
			}
		}
	}
	return connectors, tasks
}

// EncodeMetadata returns the JoinGroup metadata bytes of s.
//
// For versions 1 and above the allocation is written with the metadata's version in its own
// header, whatever s.Allocation.Version says, as Java's serializeMetadata does.
func EncodeMetadata(s WorkerState) ([]byte, error) {
	if s.Version < 0 {
		return nil, fmt.Errorf("encode metadata version %d: %w", s.Version, ErrUnsupportedVersion)
	}
	w := &writer{}
	w.int16(s.Version)
	w.string(s.URL)
	w.int64(s.ConfigOffset)
	if s.Version >= V1 {
		if s.Allocation == nil {
			w.nullableBytes(nil, true)
		} else {
			alloc := *s.Allocation
			alloc.Version = s.Version
			b, err := EncodeAssignment(alloc)
			if err != nil {
				return nil, fmt.Errorf("encode metadata allocation: %w", err)
			}
			w.nullableBytes(b, false)
		}
	}
	if w.err != nil {
		return nil, fmt.Errorf("encode metadata: %w", w.err)
	}
	return w.b, nil
}

// DecodeMetadata reads JoinGroup metadata of any version >= 0, as Java's
// IncrementalCooperativeConnectProtocol.deserializeMetadata does (both Java assignors use it):
// the allocation is read when bytes remain after the config offset, whatever the version.
func DecodeMetadata(b []byte) (WorkerState, error) {
	r := &reader{b: b}
	var s WorkerState
	s.Version = r.int16("metadata version")
	if r.err == nil && s.Version < 0 {
		return WorkerState{}, fmt.Errorf("decode metadata version %d: %w", s.Version, ErrUnsupportedVersion)
	}
	s.URL = r.string("metadata url")
	s.ConfigOffset = r.int64("metadata config offset")
	if r.remaining() {
		p, null := r.nullableBytes("metadata allocation")
		if r.err == nil && !null {
			a, err := DecodeAssignment(p)
			if err != nil {
				return WorkerState{}, fmt.Errorf("decode metadata allocation: %w", err)
			}
			s.Allocation = &a
		}
	}
	if r.err != nil {
		return WorkerState{}, fmt.Errorf("decode metadata: %w", r.err)
	}
	return s, nil
}

// EncodeAssignment returns the SyncGroup assignment bytes of a.
//
// Version 0 writes the eager layout: Assigned (nil is an empty array) and nothing after it.
// Versions 1 and above add Revoked and Delay. Java never writes a null list, so neither do we:
// nil lists are written as empty arrays.
func EncodeAssignment(a Assignment) ([]byte, error) {
	if a.Version < 0 {
		return nil, fmt.Errorf("encode assignment version %d: %w", a.Version, ErrUnsupportedVersion)
	}
	w := &writer{}
	w.int16(a.Version)
	w.int16(a.Error)
	w.string(a.Leader)
	w.string(a.LeaderURL)
	w.int64(a.ConfigOffset)
	writeList(w, a.Assigned)
	if a.Version >= V1 {
		writeList(w, a.Revoked)
		w.int32(a.Delay)
	}
	if w.err != nil {
		return nil, fmt.Errorf("encode assignment: %w", w.err)
	}
	return w.b, nil
}

func writeList(w *writer, list []ConnectorAssignment) {
	w.int32(int32(len(list)))
	for _, ca := range list {
		w.string(ca.Connector)
		w.int32(int32(len(ca.Tasks)))
		for _, t := range ca.Tasks {
			w.int32(t)
		}
	}
}

// DecodeAssignment reads a SyncGroup assignment of any version >= 0 with the version 1 layout,
// as Java's IncrementalCooperativeConnectProtocol.deserializeAssignment does for every
// subprotocol: Revoked and Delay default to nil and 0 when the bytes end before them, and a
// null list (count -1) decodes as nil. Empty lists decode as nil too, since no reader
// distinguishes them.
func DecodeAssignment(b []byte) (Assignment, error) {
	r := &reader{b: b}
	var a Assignment
	a.Version = r.int16("assignment version")
	if r.err == nil && a.Version < 0 {
		return Assignment{}, fmt.Errorf("decode assignment version %d: %w", a.Version, ErrUnsupportedVersion)
	}
	a.Error = r.int16("assignment error")
	a.Leader = r.string("assignment leader")
	a.LeaderURL = r.string("assignment leader url")
	a.ConfigOffset = r.int64("assignment config offset")
	if r.remaining() {
		a.Assigned = readList(r, "assignment")
	}
	if r.remaining() {
		a.Revoked = readList(r, "revoked")
	}
	if r.remaining() {
		a.Delay = r.int32("delay")
	}
	if r.err != nil {
		return Assignment{}, fmt.Errorf("decode assignment: %w", r.err)
	}
	return a, nil
}

func readList(r *reader, what string) []ConnectorAssignment {
	n, null := r.arrayLen(what, true)
	if null || n == 0 {
		return nil
	}
	out := make([]ConnectorAssignment, 0, n)
	for range n {
		var ca ConnectorAssignment
		ca.Connector = r.string(what + " connector")
		m, _ := r.arrayLen(what+" tasks", false)
		if m > 0 {
			ca.Tasks = make([]int32, m)
			for j := range ca.Tasks {
				ca.Tasks[j] = r.int32(what + " task")
			}
		}
		if r.err != nil {
			return nil
		}
		out = append(out, ca)
	}
	return out
}

// JoinProtocol is one subprotocol offered in a JoinGroup request.
type JoinProtocol struct {
	Name     string
	Metadata []byte
}

// MetadataRequest returns the subprotocols a worker offers, most preferred first, as Java's
// metadataRequest methods do: eager offers "default"; compatible offers "compatible" then
// "default"; sessioned offers "sessioned", "compatible", "default". The broker picks the first
// one every member supports, so one eager worker turns the whole group eager. allocation is the
// worker's current allocation (nil before its first assignment); "default" metadata carries none.
func MetadataRequest(c Compatibility, url string, configOffset int64, allocation *Assignment) ([]JoinProtocol, error) {
	var offered []Compatibility
	switch c {
	case Eager:
		offered = []Compatibility{Eager}
	case Compatible:
		offered = []Compatibility{Compatible, Eager}
	case Sessioned:
		offered = []Compatibility{Sessioned, Compatible, Eager}
	default:
		return nil, fmt.Errorf("build join protocols for %v: %w", c, ErrUnknownProtocol)
	}
	out := make([]JoinProtocol, 0, len(offered))
	for _, o := range offered {
		s := WorkerState{Version: o.Version(), URL: url, ConfigOffset: configOffset}
		if o.Cooperative() {
			s.Allocation = allocation
		}
		b, err := EncodeMetadata(s)
		if err != nil {
			return nil, fmt.Errorf("build %s join protocol: %w", o.ProtocolName(), err)
		}
		out = append(out, JoinProtocol{Name: o.ProtocolName(), Metadata: b})
	}
	return out, nil
}
