package plugin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
	"github.com/goconnect/goconnect/internal/plugin/wire"
	"github.com/goconnect/goconnect/internal/recordpath"
	"github.com/goconnect/goconnect/internal/registry"
)

// errNotStarted is returned by calls made before Start or after Stop.
var errNotStarted = errors.New("not started")

func (h *Host) newConnector(e *entry) connect.Connector {
	c := &connectorClient{h: h, e: e}
	if e.kind == registry.Sink {
		return &sinkConnectorClient{c}
	}
	return &sourceConnectorClient{c}
}

// callCtx bounds a call that has no ctx of its own.
func (h *Host) callCtx(parent context.Context) (context.Context, context.CancelFunc) {
	if parent == nil {
		parent = context.Background()
	}
	return context.WithTimeout(parent, h.cfg.CallTimeout)
}

// oneShot runs f against a short-lived process of e (Config, Validate,
// AlterOffsets are asked of fresh instances, as the runtime does in-process).
func (h *Host) oneShot(e *entry, op string, f func(ctx context.Context, p *process) error) error {
	p, err := h.startProcess(e, "validation", nil)
	if err != nil {
		return err
	}
	defer p.close()
	ctx, cancel := h.callCtx(nil)
	defer cancel()
	if err := f(ctx, p); err != nil {
		return p.wrap(op, err)
	}
	return nil
}

// config returns e's config definition, fetched once and cached: it cannot
// change without the executable changing, which needs a worker restart.
func (h *Host) config(e *entry) (*config.Def, error) {
	e.defMu.Lock()
	defer e.defMu.Unlock()
	if e.def != nil {
		return e.def, nil
	}
	var def *config.Def
	err := h.oneShot(e, "Config", func(ctx context.Context, p *process) error {
		resp, err := p.client.Describe(ctx, &pb.DescribeRequest{Class: e.class})
		if err != nil {
			return err
		}
		if err := wire.DecodeError(resp.Error); err != nil {
			return err
		}
		def, err = wire.DecodeDef(resp.Config)
		return err
	})
	if err != nil {
		return nil, err
	}
	if def == nil {
		def = config.NewDef()
	}
	e.def = def
	return def, nil
}

// connectorClient is the worker-side Connector of an external plugin. It
// holds no process until Start, so listing and validating cost nothing here.
type connectorClient struct {
	h *Host
	e *entry

	mu sync.Mutex // guards p and cc
	p  *process
	cc connect.ConnectorContext
}

var (
	_ connect.ConfigValidator = (*connectorClient)(nil)
	_ connect.OffsetAlterer   = (*connectorClient)(nil)
)

func (c *connectorClient) Version() string { return c.e.version }

// Config returns the plugin's definition. The interface has no error, so when
// the plugin cannot be asked, the failure is logged and an empty definition
// returned; Validate then reports the failure per key.
func (c *connectorClient) Config() *config.Def {
	def, err := c.h.config(c.e)
	if err != nil {
		c.h.log.Error("cannot read the config definition of an external plugin", "plugin", c.e.class, "error", err)
		return config.NewDef()
	}
	return def
}

// Validate replaces the worker's per-key results, computed without the
// plugin's validators and recommenders (code cannot cross processes), with the
// plugin's own: its definition's Validate plus its ConfigValidator.
func (c *connectorClient) Validate(props map[string]string, values []config.Value) []config.Value {
	var remote []config.Value
	err := c.h.oneShot(c.e, "Validate", func(ctx context.Context, p *process) error {
		resp, err := p.client.Validate(ctx, &pb.ValidateRequest{Class: c.e.class, Props: props})
		if err != nil {
			return err
		}
		if err := wire.DecodeError(resp.Error); err != nil {
			return err
		}
		remote, err = wire.DecodeConfigValues(resp.Values)
		return err
	})
	out := make([]config.Value, len(values))
	copy(out, values)
	if err != nil {
		msg := fmt.Sprintf("cannot validate with plugin %s: %v", c.e.class, err)
		for i := range out {
			out[i].Errors = append(out[i].Errors, msg)
		}
		return out
	}
	byName := make(map[string]config.Value, len(remote))
	for _, v := range remote {
		byName[v.Name] = v
	}
	for i := range out {
		if r, ok := byName[out[i].Name]; ok {
			out[i] = r
			delete(byName, r.Name)
		}
	}
	// Keys the plugin's ConfigValidator added, in its order.
	for _, v := range remote {
		if _, ok := byName[v.Name]; ok {
			out = append(out, v)
		}
	}
	return out
}

func (c *connectorClient) AlterOffsets(props map[string]string, offsets []connect.PartitionOffset) (bool, error) {
	req := &pb.AlterOffsetsRequest{Class: c.e.class, Props: props}
	for _, o := range offsets {
		pp, err := wire.EncodeMap(o.Partition)
		if err != nil {
			return false, err
		}
		po, err := wire.EncodeMap(o.Offset)
		if err != nil {
			return false, err
		}
		req.Offsets = append(req.Offsets, &pb.PartitionOffset{Partition: pp, Offset: po})
	}
	var altered bool
	err := c.h.oneShot(c.e, "AlterOffsets", func(ctx context.Context, p *process) error {
		resp, err := p.client.AlterOffsets(ctx, req)
		if err != nil {
			return err
		}
		altered = resp.Altered
		return wire.DecodeError(resp.Error)
	})
	return altered, err
}

func (c *connectorClient) Start(cc connect.ConnectorContext, props map[string]string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p != nil {
		return fmt.Errorf("plugin %s: connector already started", c.e.class)
	}
	p, err := c.h.startProcess(c.e, "connector", connectorCallbacks(cc))
	if err != nil {
		return err
	}
	ctx, cancel := c.h.callCtx(nil)
	defer cancel()
	resp, err := p.client.ConnectorStart(ctx, &pb.ConnectorStartRequest{Class: c.e.class, Props: props})
	if err != nil {
		err = p.wrap("Start", err)
		p.kill()
		return err
	}
	if err := wire.DecodeError(resp.Error); err != nil {
		// Nothing may rely on a later Stop: release the plugin's resources and
		// the process now; Stop is then a no-op.
		p.client.ConnectorStop(ctx, &pb.Empty{})
		p.close()
		return err
	}
	c.p, c.cc = p, cc
	return nil
}

func connectorCallbacks(cc connect.ConnectorContext) callbackFunc {
	return func(ctx context.Context, cb *pb.Callback) *pb.CallbackReply {
		switch x := cb.Call.(type) {
		case *pb.Callback_RequestTaskReconfiguration:
			cc.RequestTaskReconfiguration()
		case *pb.Callback_RaiseError:
			cc.RaiseError(wire.DecodeError(x.RaiseError))
		case *pb.Callback_Offset:
			scc, ok := cc.(connect.SourceConnectorContext)
			if !ok {
				return errorReply(errors.New("offsets are only readable by source connectors"))
			}
			return offsetReply(ctx, scc.OffsetStorageReader(), x.Offset)
		default:
			return errorReply(fmt.Errorf("callback %T is not available to a connector", cb.Call))
		}
		return &pb.CallbackReply{}
	}
}

func offsetReply(ctx context.Context, r connect.OffsetStorageReader, req *pb.OffsetLookup) *pb.CallbackReply {
	if r == nil {
		return errorReply(errors.New("no offset storage reader"))
	}
	part, err := wire.DecodeMap(req.Partition)
	if err != nil {
		return errorReply(err)
	}
	off, err := r.Offset(ctx, part)
	if err != nil {
		return errorReply(err)
	}
	v, err := wire.EncodeMap(off)
	if err != nil {
		return errorReply(err)
	}
	return &pb.CallbackReply{Offset: v}
}

func errorReply(err error) *pb.CallbackReply { return &pb.CallbackReply{Error: wire.EncodeError(err)} }

func (c *connectorClient) process() (*process, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p == nil {
		return nil, fmt.Errorf("plugin %s: connector %w", c.e.class, errNotStarted)
	}
	return c.p, nil
}

func (c *connectorClient) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	p, err := c.process()
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.h.callCtx(nil)
	defer cancel()
	resp, err := p.client.TaskConfigs(ctx, &pb.TaskConfigsRequest{MaxTasks: int32(maxTasks)})
	if err != nil {
		return nil, hungOrDead(p, "TaskConfigs", err)
	}
	if err := wire.DecodeError(resp.Error); err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(resp.Configs))
	for i, p := range resp.Configs {
		out[i] = p.Props
		if out[i] == nil {
			out[i] = map[string]string{}
		}
	}
	return out, nil
}

// hungOrDead wraps an RPC error and kills the process if it did not answer
// in time: a hung plugin cannot be trusted with another call.
func hungOrDead(p *process, op string, err error) error {
	werr := p.wrap(op, err)
	if errors.Is(werr, context.DeadlineExceeded) {
		p.kill()
	}
	return werr
}

func (c *connectorClient) Stop() error {
	c.mu.Lock()
	p := c.p
	c.p, c.cc = nil, nil
	c.mu.Unlock()
	if p == nil {
		return nil
	}
	defer p.close()
	ctx, cancel := c.h.callCtx(nil)
	defer cancel()
	resp, err := p.client.ConnectorStop(ctx, &pb.Empty{})
	if err != nil {
		return hungOrDead(p, "Stop", err)
	}
	return wire.DecodeError(resp.Error)
}

type sourceConnectorClient struct{ *connectorClient }

func (c *sourceConnectorClient) NewTask() connect.SourceTask {
	return &sourceTaskClient{h: c.h, e: c.e, seqs: map[*connect.Record]int64{}}
}

type sinkConnectorClient struct{ *connectorClient }

func (c *sinkConnectorClient) NewTask() connect.SinkTask { return &sinkTaskClient{h: c.h, e: c.e} }

// sourceTaskClient is the worker-side SourceTask of an external plugin; its
// process starts at Start and ends at Stop.
type sourceTaskClient struct {
	h *Host
	e *entry
	p *process // set by Start, cleared by Stop; both on the task goroutine

	// pump delivers the answers of the Polls made ahead (see Poll), nil when
	// no pump runs (task goroutine only).
	pump       chan pollCall
	pumpCancel context.CancelFunc
	wg         sync.WaitGroup
	ordered    bool  // the plugin answers Polls in seq order (set at Start)
	pollSeq    int64 // the last Poll seq sent, by the pump goroutine

	// CommitRecord runs on producer callback goroutines; it only records the
	// call, and the next Poll, Commit or Stop carries it to the plugin.
	mu             sync.Mutex
	recordCommits  bool
	seqs           map[*connect.Record]int64
	pendingCommits []byte // packed by wire.AppendCommit

	// path is the task's record path the worker offers; runsPath says the
	// plugin runs it (task goroutine only).
	path     *recordpath.Path
	runsPath bool
}

var (
	_ connect.SourceTaskCommitter = (*sourceTaskClient)(nil)
	_ connect.RecordCommitter     = (*sourceTaskClient)(nil)
	_ recordpath.RemoteSource     = (*sourceTaskClient)(nil)
)

func (t *sourceTaskClient) OfferPath(p *recordpath.Path) { t.path = p }
func (t *sourceTaskClient) RunsPath() bool               { return t.runsPath }

func (t *sourceTaskClient) Start(tc connect.SourceTaskContext, props map[string]string) error {
	if t.p != nil {
		return fmt.Errorf("plugin %s: task already started", t.e.class)
	}
	p, err := t.h.startProcess(t.e, "task", func(ctx context.Context, cb *pb.Callback) *pb.CallbackReply {
		if x, ok := cb.Call.(*pb.Callback_Offset); ok {
			return offsetReply(ctx, tc.OffsetStorageReader(), x.Offset)
		}
		return errorReply(fmt.Errorf("callback %T is not available to a source task", cb.Call))
	})
	if err != nil {
		return err
	}
	ctx, cancel := t.h.callCtx(nil)
	defer cancel()
	resp, err := p.client.SourceTaskStart(ctx, &pb.TaskStartRequest{Class: t.e.class, Props: props, RecordPath: t.h.offer(t.path)})
	if err != nil {
		err = p.wrap("Start", err)
		p.kill()
		return err
	}
	if err := wire.DecodeError(resp.Error); err != nil {
		p.client.SourceTaskStop(ctx, &pb.CommitRequest{}) // see connectorClient.Start
		p.close()
		return err
	}
	t.p = p
	t.ordered = resp.Ordered && !t.h.cfg.DisablePipelining
	t.mu.Lock()
	t.recordCommits = resp.RecordCommitter
	t.mu.Unlock()
	t.runsPath = t.h.accepted(t.e, t.path, resp)
	return nil
}

func (t *sourceTaskClient) takeCommits() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.pendingCommits
	t.pendingCommits = nil
	return c
}

// Poll returns the next batch. After a non-empty batch the adapter keeps
// asking the plugin for the following ones (a pump with one answer waiting and
// up to pollDepth calls in flight, stopping after an error or an empty batch), so the
// transfer of one batch overlaps the decoding and producing of the one before:
// that is what keeps an external connector close to a built-in's throughput.
// A batch read ahead but never returned (the task stopped) has uncommitted
// offsets and is read again after a restart, so delivery stays at-least-once.
func (t *sourceTaskClient) Poll(ctx context.Context) ([]*connect.Record, error) {
	recs, conv, err := t.PollConverted(ctx)
	if len(conv) > 0 {
		return nil, fmt.Errorf("plugin %s: the plugin runs the record path; the worker must call PollConverted", t.e.class)
	}
	return recs, err
}

// PollConverted is Poll for a worker that offered the task's record path
// (recordpath.RemoteSource); the pump is as Poll's.
func (t *sourceTaskClient) PollConverted(ctx context.Context) ([]*connect.Record, []recordpath.Converted, error) {
	if t.p == nil {
		return nil, nil, fmt.Errorf("plugin %s: task %w", t.e.class, errNotStarted)
	}
	if t.h.cfg.DisablePipelining {
		return t.decode(t.call(ctx, 0))
	}
	for {
		if t.pump == nil {
			t.startPump()
		}
		select {
		case res, ok := <-t.pump:
			if !ok { // the pump stopped after its last answer
				t.pump = nil
				continue
			}
			return t.decode(res)
		case <-ctx.Done():
			return nil, nil, nil // the call stays in flight; Stop reaps it
		}
	}
}

// pollDepth is how many Polls the adapter keeps in flight with a plugin that
// answers them in order. A batch's transfer through gRPC waits on several
// goroutines of both processes; on a busy machine each waits for a core, so
// one call at a time left the plugin's pump idle (bench/plugins: 2 calls
// gave the source about 5-10% less than 4).
const pollDepth = 4

// startPump starts calling Poll ahead (see Poll); Stop cancels and waits.
// With a plugin that answers Polls in order, pollDepth calls are in flight.
func (t *sourceTaskClient) startPump() {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan pollCall, 1)
	t.pump, t.pumpCancel = ch, cancel
	depth := 1
	if t.ordered {
		depth = pollDepth
	}
	t.wg.Add(1)
	go func() { // owned by the task: Stop cancels and waits for it
		defer t.wg.Done()
		defer close(ch)
		var calls []chan pollCall
		var callsWG sync.WaitGroup
		defer callsWG.Wait() // the calls end when ctx is cancelled
		last := false
		for {
			for !last && len(calls) < depth {
				var seq int64
				if t.ordered {
					t.pollSeq++ // pumps run one after the other: no race
					seq = t.pollSeq
				}
				c := make(chan pollCall, 1)
				calls = append(calls, c)
				callsWG.Add(1)
				go func() {
					defer callsWG.Done()
					c <- t.call(ctx, seq)
				}()
			}
			if len(calls) == 0 {
				return
			}
			var res pollCall
			select {
			case res = <-calls[0]:
			case <-ctx.Done():
				return
			}
			calls = calls[1:]
			select {
			case ch <- res:
			case <-ctx.Done():
				return
			}
			// After an error or an empty batch no new call: those in flight are
			// delivered in order, then the pump stops.
			last = last || res.err != nil || res.resp == nil || (res.resp.Batch == nil && res.resp.Converted == nil)
		}
	}()
}

// pollCall is one Poll call's answer.
type pollCall struct {
	resp *pb.PollResponse
	err  error
}

func (t *sourceTaskClient) call(ctx context.Context, seq int64) pollCall {
	cctx, cancel := t.h.callCtx(ctx)
	defer cancel()
	resp, err := t.p.client.Poll(cctx, &pb.PollRequest{Commits: t.takeCommits(), Seq: seq})
	if err != nil {
		if ctx.Err() != nil {
			// Stopping: the worker cancelled; a Poll that returns nothing now is
			// what an in-process task would do.
			return pollCall{}
		}
		return pollCall{err: hungOrDead(t.p, "Poll", err)}
	}
	return pollCall{resp: resp}
}

// decode turns an answer into records, on the task goroutine.
func (t *sourceTaskClient) decode(c pollCall) ([]*connect.Record, []recordpath.Converted, error) {
	resp := c.resp
	if c.err != nil || resp == nil {
		return nil, nil, c.err
	}
	if err := wire.DecodeError(resp.Error); err != nil {
		return nil, nil, err
	}
	if resp.Converted != nil {
		b := resp.Converted
		if resp.ConvertedS2 {
			var err error
			if b, err = s2.Decode(nil, b); err != nil {
				return nil, nil, fmt.Errorf("plugin %s: Poll: decompress batch: %w", t.e.class, err)
			}
		}
		conv, err := wire.DecodeConverted(b, resp.SeqStart)
		if err != nil {
			return nil, nil, fmt.Errorf("plugin %s: Poll: %w", t.e.class, err)
		}
		return nil, conv, nil
	}
	recs, err := wire.DecodeRecords(resp.Batch)
	if err != nil {
		return nil, nil, fmt.Errorf("plugin %s: Poll: %w", t.e.class, err)
	}
	if resp.SeqStart > 0 {
		t.mu.Lock()
		for i, r := range recs {
			t.seqs[r] = resp.SeqStart + int64(i)
		}
		t.mu.Unlock()
	}
	return recs, nil, nil
}

func (t *sourceTaskClient) CommitRecord(r *connect.Record, md *connect.RecordMetadata) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.recordCommits {
		return nil
	}
	seq, ok := t.seqs[r]
	if !ok {
		return nil // not a record of this task's Polls (or already committed)
	}
	delete(t.seqs, r)
	t.pendingCommits = wire.AppendCommit(t.pendingCommits, seq, md)
	return nil
}

// CommitSeq records CommitRecord of a converted record, numbered by the
// plugin: no per-record bookkeeping on this side.
func (t *sourceTaskClient) CommitSeq(seq int64, md *connect.RecordMetadata) {
	t.mu.Lock()
	if t.recordCommits {
		t.pendingCommits = wire.AppendCommit(t.pendingCommits, seq, md)
	}
	t.mu.Unlock()
}

func (t *sourceTaskClient) Commit() error {
	if t.p == nil {
		return nil
	}
	ctx, cancel := t.h.callCtx(nil)
	defer cancel()
	resp, err := t.p.client.Commit(ctx, &pb.CommitRequest{Commits: t.takeCommits()})
	if err != nil {
		return hungOrDead(t.p, "Commit", err)
	}
	return wire.DecodeError(resp.Error)
}

func (t *sourceTaskClient) Stop() error {
	if t.pump != nil {
		t.pumpCancel()
		t.pump = nil
	}
	t.wg.Wait()
	p := t.p
	t.p = nil
	if p == nil {
		return nil
	}
	defer p.close()
	ctx, cancel := t.h.callCtx(nil)
	defer cancel()
	resp, err := p.client.SourceTaskStop(ctx, &pb.CommitRequest{Commits: t.takeCommits()})
	if err != nil {
		return hungOrDead(p, "Stop", err)
	}
	return wire.DecodeError(resp.Error)
}

// sinkTaskClient is the worker-side SinkTask of an external plugin.
//
// Put is pipelined: it hands the batch to the plugin and returns, so the
// worker fetches the next batch while the plugin writes this one. With a
// plugin that runs Puts in order (ordered_puts) two batches are in flight, so
// the plugin decodes one while its task writes the other and never waits for
// the worker; otherwise one. Every later call (Flush, PreCommit, Open, Close,
// Stop) first waits for them, so the plugin sees calls in the worker's order,
// and a failed Put is reported by that next call:
//
//   - a retriable error is returned by the next call and the failed batch is
//     kept and sent again, ahead of the records of the next Put, so nothing is
//     skipped and the order holds (a batch sent behind it is not attempted by
//     the plugin and is kept too); Flush and PreCommit fail while such records
//     wait, so their offsets are not committed before they are written;
//   - any other error is returned by the next call and by every Put after it,
//     so the task fails as it would have in-process.
//
// Java's SinkTask contract allows this (put may be asynchronous; offsets are
// committed only after flush/preCommit). Context calls the plugin makes
// during an asynchronous Put (Pause, Offset, errant record reports, ...) are
// applied on the task goroutine when the worker next calls into the task,
// since the worker's sink context is not safe for concurrent use.
//
// With the record path in the plugin (PutRaw), a batch the plugin could not
// convert comes back unconverted: the next call runs the worker's path over it
// (rawBatch.local) and puts the result synchronously before anything else,
// and the worker's path handles every later batch (runsPath turns false).
type sinkTaskClient struct {
	h *Host
	e *entry
	p *process

	// Task goroutine only.
	flights  []*flight         // Puts in flight, oldest first
	retry    []*connect.Record // records of failed Puts, sent before the next batch
	retryRaw *rawBatch         // or raw records of failed PutRaws
	resend   bool              // retry holds records converted after an unconverted batch: put them at once
	failed   error             // a non-retriable Put error, returned by every later Put
	ordered  bool              // the plugin runs Puts in seq order
	seq, gen int64             // the last seq sent; the plugin's generation as last heard

	path     *recordpath.Path
	runsPath bool

	// async is set while a Put runs without the task goroutine waiting for
	// it; callbacks then go through cbs to be run on the task goroutine.
	async atomic.Bool
	cbs   chan func()
}

// flight is a Put in flight: its outcome, and its records for a retry.
type flight struct {
	ch   chan putResult
	recs []*connect.Record
	raw  *rawBatch
}

var (
	_ connect.PreCommitter   = (*sinkTaskClient)(nil)
	_ connect.Flusher        = (*sinkTaskClient)(nil)
	_ connect.PartitionAware = (*sinkTaskClient)(nil)
	_ recordpath.RemoteSink  = (*sinkTaskClient)(nil)
)

func (t *sinkTaskClient) OfferPath(p *recordpath.Path) { t.path = p }
func (t *sinkTaskClient) RunsPath() bool               { return t.runsPath }

// rawBatch is a PutRaw's batch: consumed records, and the worker's path
// over them for when the plugin cannot convert them.
type rawBatch struct {
	krs   []*kgo.Record
	local func() ([]*connect.Record, error)
}

// then is b (nil: none) followed by c, as one batch.
func (b *rawBatch) then(c *rawBatch) *rawBatch {
	if b == nil {
		return c
	}
	return &rawBatch{
		krs: append(b.krs[:len(b.krs):len(b.krs)], c.krs...),
		local: func() ([]*connect.Record, error) {
			x, err := b.local()
			if err != nil {
				return nil, err
			}
			y, err := c.local()
			return append(x, y...), err
		},
	}
}

// putResult is a Put's outcome; unconverted: the plugin could not convert a
// raw batch; notAttempted: an earlier Put failed; gen: the plugin's generation.
type putResult struct {
	err          error
	unconverted  bool
	notAttempted bool
	gen          int64
}

func (t *sinkTaskClient) Start(tc connect.SinkTaskContext, props map[string]string) error {
	if t.p != nil {
		return fmt.Errorf("plugin %s: task already started", t.e.class)
	}
	direct := sinkCallbacks(tc)
	t.cbs = make(chan func())
	cbs := t.cbs
	p, err := t.h.startProcess(t.e, "task", func(ctx context.Context, cb *pb.Callback) *pb.CallbackReply {
		if !t.async.Load() {
			return direct(ctx, cb) // the task goroutine is blocked in the call that caused this
		}
		// A callback of an asynchronous Put: the task goroutine runs it when it
		// next waits for that Put (see wait), which it must before any other call.
		reply := make(chan *pb.CallbackReply, 1)
		select {
		case cbs <- func() { reply <- direct(ctx, cb) }:
			return <-reply
		case <-ctx.Done():
			return errorReply(ctx.Err())
		}
	})
	if err != nil {
		return err
	}
	ctx, cancel := t.h.callCtx(nil)
	defer cancel()
	resp, err := p.client.SinkTaskStart(ctx, &pb.TaskStartRequest{Class: t.e.class, Props: props, HasErrantReporter: tc.ErrantRecordReporter() != nil,
		RecordPath: t.h.offer(t.path)})
	if err != nil {
		err = p.wrap("Start", err)
		p.kill()
		return err
	}
	if err := wire.DecodeError(resp.Error); err != nil {
		p.client.SinkTaskStop(ctx, &pb.Empty{}) // see connectorClient.Start
		p.close()
		return err
	}
	t.p = p
	t.runsPath = t.h.accepted(t.e, t.path, resp)
	t.ordered = resp.Ordered && !t.h.cfg.DisablePipelining
	return nil
}

func sinkCallbacks(tc connect.SinkTaskContext) callbackFunc {
	return func(ctx context.Context, cb *pb.Callback) *pb.CallbackReply {
		switch x := cb.Call.(type) {
		case *pb.Callback_SinkOffset:
			tc.Offset(wire.DecodeOffsets(x.SinkOffset.Offsets))
		case *pb.Callback_TimeoutNanos:
			tc.Timeout(time.Duration(x.TimeoutNanos))
		case *pb.Callback_Pause:
			tc.Pause(wire.DecodePartitions(x.Pause.Partitions)...)
		case *pb.Callback_Resume:
			tc.Resume(wire.DecodePartitions(x.Resume.Partitions)...)
		case *pb.Callback_RequestCommit:
			tc.RequestCommit()
		case *pb.Callback_Report:
			rep := tc.ErrantRecordReporter()
			if rep == nil {
				return errorReply(errors.New("no errant record reporter is configured"))
			}
			recs, err := wire.DecodeRecords(x.Report.Record)
			if err != nil || len(recs) != 1 {
				return errorReply(fmt.Errorf("decode reported record: %v", err))
			}
			return errorReply(rep.Report(ctx, recs[0], wire.DecodeError(x.Report.Error)))
		default:
			return errorReply(fmt.Errorf("callback %T is not available to a sink task", cb.Call))
		}
		return &pb.CallbackReply{}
	}
}

func (t *sinkTaskClient) started() error {
	if t.p == nil {
		return fmt.Errorf("plugin %s: task %w", t.e.class, errNotStarted)
	}
	return nil
}

// maxFlights is how many Puts may be in flight.
func (t *sinkTaskClient) maxFlights() int {
	if t.ordered {
		return 2
	}
	return 1
}

// wait waits for every Put in flight (see settle).
func (t *sinkTaskClient) wait(stopping bool) error {
	var first error
	for len(t.flights) > 0 {
		if err := t.settle(stopping); err != nil && first == nil {
			first = err
		}
	}
	if t.resend && !stopping {
		// Records of an unconverted batch, converted by the worker: put now,
		// ahead of anything else.
		t.resend = false
		recs := t.retry
		t.retry = nil
		switch err := t.putSync(recs); {
		case err == nil:
		case connect.IsRetriable(err):
			t.retry = recs
			first = cmp.Or(first, err)
		default:
			t.failed = err
			first = cmp.Or(first, err)
		}
	}
	return first
}

// settle waits for the oldest Put in flight, running the plugin's callbacks
// meanwhile, and returns its error. A retriable failure keeps the Put's
// records for the next Put (so do Puts the plugin did not attempt after it);
// any other is remembered in t.failed. A raw batch the plugin could not
// convert goes through the worker's path, to be put before anything else,
// unless stopping (then it is dropped: its offsets were never committed, so
// it is delivered again after a restart).
func (t *sinkTaskClient) settle(stopping bool) error {
	f := t.flights[0]
	var res putResult
	for done := false; !done; {
		select {
		case res = <-f.ch:
			done = true
		case cb := <-t.cbs:
			cb()
		}
	}
	t.flights = t.flights[1:]
	if len(t.flights) == 0 {
		t.async.Store(false)
	}
	t.gen = max(t.gen, res.gen)
	switch {
	case stopping && (res.unconverted || res.notAttempted):
		return nil
	case res.unconverted:
		t.fallBack()
		t.resend = true
		return t.requeue(f)
	case res.notAttempted:
		return t.requeue(f)
	case res.err == nil:
		return nil
	case connect.IsRetriable(res.err):
		if err := t.requeue(f); err != nil {
			return err
		}
		return res.err
	default:
		t.failed = res.err
		return res.err
	}
}

// requeue keeps the records of a Put that must be sent again, in order.
func (t *sinkTaskClient) requeue(f *flight) error {
	if f.raw != nil && t.runsPath && len(t.retry) == 0 {
		t.retryRaw = t.retryRaw.then(f.raw)
		return nil
	}
	recs := f.recs
	if f.raw != nil {
		// The worker's path now: the plugin no longer runs it, or structured
		// records wait ahead of these.
		if err := t.unrawRetry(); err != nil {
			return err
		}
		var err error
		if recs, err = f.raw.local(); err != nil {
			t.failed = err
			return err
		}
	}
	t.retry = append(t.retry, recs...)
	return nil
}

// unrawRetry converts raw records waiting for a retry through the worker's
// path, for a structured Put.
func (t *sinkTaskClient) unrawRetry() error {
	if t.retryRaw == nil {
		return nil
	}
	recs, err := t.retryRaw.local()
	if err != nil {
		t.failed = err
		return err
	}
	t.retry = append(t.retry, recs...)
	t.retryRaw = nil
	return nil
}

// fallBack hands the record path back to the worker for the rest of the task.
func (t *sinkTaskClient) fallBack() {
	if t.runsPath {
		t.runsPath = false
		t.h.log.Warn("a record failed in the plugin's record path; the worker converts and transforms this and every later batch of the task", "class", t.e.class)
	}
}

// settled waits for the Puts in flight and reports whether every record put
// so far reached the plugin: Flush and PreCommit must not let the worker
// commit offsets of records still waiting for a retry.
func (t *sinkTaskClient) settled() error {
	if err := t.wait(false); err != nil {
		return err
	}
	if t.failed != nil {
		return t.failed
	}
	if len(t.retry) > 0 || t.retryRaw != nil {
		return connect.Retriable(fmt.Errorf("plugin %s: records of a failed Put wait to be put again", t.e.class))
	}
	return nil
}

// room waits until another Put may be sent: fewer than maxFlights in flight,
// and none after a failure (the Puts behind a failed one must come back
// before the retry goes out).
func (t *sinkTaskClient) room() error {
	var first error
	for len(t.flights) > 0 && (len(t.flights) >= t.maxFlights() || first != nil ||
		t.failed != nil || t.resend || len(t.retry) > 0 || t.retryRaw != nil) {
		if err := t.settle(false); err != nil && first == nil {
			first = err
		}
	}
	if len(t.flights) == 0 {
		first = cmp.Or(t.wait(false), first) // an unconverted batch's records go out first
	}
	return first
}

func (t *sinkTaskClient) Put(ctx context.Context, records []*connect.Record) error {
	if err := t.started(); err != nil {
		return err
	}
	if err := t.room(); err != nil {
		return err
	}
	if t.failed != nil {
		return t.failed
	}
	if err := t.unrawRetry(); err != nil {
		return err
	}
	if len(t.retry) > 0 {
		records = append(t.retry[:len(t.retry):len(t.retry)], records...)
		t.retry = nil
	}
	b, err := wire.EncodeRecords(records)
	if err != nil {
		return fmt.Errorf("plugin %s: Put: %w", t.e.class, err)
	}
	return t.send(ctx, &pb.PutRequest{Batch: b}, &flight{recs: records})
}

// PutRaw is Put for a worker that offered the task's record path
// (recordpath.RemoteSink): the plugin converts and transforms the consumed
// records itself; see sinkTaskClient for what happens when it cannot.
func (t *sinkTaskClient) PutRaw(ctx context.Context, krs []*kgo.Record, local func() ([]*connect.Record, error)) error {
	if err := t.started(); err != nil {
		return err
	}
	// Encoded while the Puts before it are still in the plugin.
	var enc []byte
	if t.runsPath && len(t.flights) > 0 {
		enc = wire.EncodeRaw(krs)
	}
	if err := t.room(); err != nil {
		return err
	}
	if t.failed != nil {
		return t.failed
	}
	b := &rawBatch{krs: krs, local: local}
	if t.retryRaw != nil {
		b, enc = t.retryRaw.then(b), nil
		t.retryRaw = nil
	}
	if !t.runsPath || len(t.retry) > 0 {
		// The worker's path runs it (after structured records waiting for a
		// retry, which must be put first).
		recs, err := b.local()
		if err != nil {
			return err
		}
		return t.Put(ctx, recs)
	}
	if enc == nil {
		enc = wire.EncodeRaw(b.krs)
	}
	return t.send(ctx, &pb.PutRequest{Raw: enc}, &flight{raw: b})
}

// call makes one Put call.
func (t *sinkTaskClient) call(ctx context.Context, p *process, req *pb.PutRequest) putResult {
	cctx, cancel := t.h.callCtx(ctx)
	defer cancel()
	resp, err := p.client.Put(cctx, req)
	if err != nil {
		if ctx.Err() != nil {
			// The worker cancelled (the task stops): nothing to explain.
			return putResult{err: fmt.Errorf("plugin %s: Put: %w", t.e.class, ctx.Err())}
		}
		return putResult{err: hungOrDead(p, "Put", err)}
	}
	return putResult{err: wire.DecodeError(resp.Error), unconverted: resp.Unconverted, notAttempted: resp.NotAttempted, gen: resp.Gen}
}

// number gives an ordered Put its seq and the generation it was sent in.
func (t *sinkTaskClient) number(req *pb.PutRequest) {
	if t.ordered {
		t.seq++
		req.Seq, req.Gen = t.seq, t.gen
	}
}

// putSync puts structured records and waits for the outcome.
func (t *sinkTaskClient) putSync(recs []*connect.Record) error {
	b, err := wire.EncodeRecords(recs)
	if err != nil {
		return fmt.Errorf("plugin %s: Put: %w", t.e.class, err)
	}
	req := &pb.PutRequest{Batch: b}
	t.number(req)
	res := t.call(context.Background(), t.p, req)
	t.gen = max(t.gen, res.gen)
	return res.err
}

// send makes the Put call of f asynchronously, or with DisablePipelining
// synchronously.
func (t *sinkTaskClient) send(ctx context.Context, req *pb.PutRequest, f *flight) error {
	p := t.p
	t.number(req)
	if t.h.cfg.DisablePipelining {
		res := t.call(ctx, p, req)
		err := res.err
		if res.unconverted {
			t.fallBack()
			var recs []*connect.Record
			if recs, err = f.raw.local(); err != nil {
				return err
			}
			err = t.putSync(recs)
		}
		if connect.IsRetriable(err) {
			// The worker redelivers these records itself.
			return err
		}
		if err != nil {
			t.failed = err
		}
		return err
	}
	f.ch = make(chan putResult, 1)
	t.flights = append(t.flights, f)
	t.async.Store(true)
	go func() { f.ch <- t.call(ctx, p, req) }() // owned by the task: every later call waits for it
	return nil
}

func (t *sinkTaskClient) Flush(ctx context.Context, offsets map[connect.TopicPartition]int64) error {
	if err := t.started(); err != nil {
		return err
	}
	if err := t.settled(); err != nil {
		return err
	}
	cctx, cancel := t.h.callCtx(ctx)
	defer cancel()
	resp, err := t.p.client.Flush(cctx, &pb.OffsetsRequest{Offsets: wire.EncodeOffsets(offsets)})
	if err != nil {
		return hungOrDead(t.p, "Flush", err)
	}
	return wire.DecodeError(resp.Error)
}

func (t *sinkTaskClient) PreCommit(ctx context.Context, offsets map[connect.TopicPartition]int64) (map[connect.TopicPartition]int64, error) {
	if err := t.started(); err != nil {
		return nil, err
	}
	if err := t.settled(); err != nil {
		return nil, err
	}
	cctx, cancel := t.h.callCtx(ctx)
	defer cancel()
	resp, err := t.p.client.PreCommit(cctx, &pb.OffsetsRequest{Offsets: wire.EncodeOffsets(offsets)})
	if err != nil {
		return nil, hungOrDead(t.p, "PreCommit", err)
	}
	if err := wire.DecodeError(resp.Error); err != nil {
		return nil, err
	}
	return wire.DecodeOffsets(resp.Offsets), nil
}

func (t *sinkTaskClient) partitions(op string, ps []connect.TopicPartition, call func(context.Context, *pb.PartitionsRequest) (*pb.ErrorReply, error)) error {
	if err := t.started(); err != nil {
		return err
	}
	if err := t.wait(false); err != nil {
		return err
	}
	ctx, cancel := t.h.callCtx(nil)
	defer cancel()
	resp, err := call(ctx, &pb.PartitionsRequest{Partitions: wire.EncodePartitions(ps)})
	if err != nil {
		return hungOrDead(t.p, op, err)
	}
	return wire.DecodeError(resp.Error)
}

func (t *sinkTaskClient) Open(ps []connect.TopicPartition) error {
	return t.partitions("Open", ps, func(ctx context.Context, r *pb.PartitionsRequest) (*pb.ErrorReply, error) {
		return t.p.client.Open(ctx, r)
	})
}

func (t *sinkTaskClient) Close(ps []connect.TopicPartition) error {
	return t.partitions("Close", ps, func(ctx context.Context, r *pb.PartitionsRequest) (*pb.ErrorReply, error) {
		return t.p.client.Close(ctx, r)
	})
}

func (t *sinkTaskClient) Stop() error {
	// An unfinished Put's records were never committed: they are delivered
	// again after a restart, as for a built-in interrupted by the stop.
	t.wait(true)
	p := t.p
	t.p = nil
	if p == nil {
		return nil
	}
	defer p.close()
	ctx, cancel := t.h.callCtx(nil)
	defer cancel()
	resp, err := p.client.SinkTaskStop(ctx, &pb.Empty{})
	if err != nil {
		return hungOrDead(p, "Stop", err)
	}
	return wire.DecodeError(resp.Error)
}
