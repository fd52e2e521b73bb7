package pluginsdk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
	"github.com/goconnect/goconnect/internal/plugin/wire"
	"github.com/goconnect/goconnect/internal/recordpath"
)

// server holds the one instance this process serves: a connector, a source
// task or a sink task, created by the first Start call.
type server struct {
	pb.UnimplementedPluginServer
	classes map[string]Connector
	order   []Connector
	log     *slog.Logger
	cb      *callbacks

	mu   sync.Mutex // guards the instance fields below
	conn connect.Connector
	src  connect.SourceTask
	sink connect.SinkTask
	stc  *sinkTaskContext
	// path is the task's record path when this process runs it (path.go);
	// set at Start, read by the task's calls.
	path *recordpath.Path

	// callMu serialises calls into the task, so a Stop that arrives while an
	// abandoned Poll (the worker cancelled its ctx) still runs waits for it:
	// api/connect promises Stop is called after the last Poll returned.
	callMu sync.Mutex

	// pending holds the records returned by Poll, numbered from pendBase in
	// order, until CommitRecord gives them back (RecordCommitter must get its
	// own *Record values); committed ones are nil until the front is trimmed.
	pendMu   sync.Mutex
	pending  []*connect.Record
	pendBase int64
	nextSeq  int64

	puts  putOrder // the sink task's ordered Puts
	polls putOrder // the source task's ordered Polls (the put stage counts batches taken)

	// The source task's pump (see Poll; under mu), the context of its Polls,
	// cancelled by SourceTaskStop, and the pump's goroutines.
	pump      chan pumped
	srcCtx    context.Context
	srcCancel context.CancelFunc
	pumpWG    sync.WaitGroup
}

func newServer(cs []Connector, log *slog.Logger) *server {
	s := &server{classes: map[string]Connector{}, order: cs, log: log, cb: newCallbacks(), pendBase: 1, nextSeq: 1}
	for _, c := range cs {
		s.classes[c.Class] = c
	}
	return s
}

// shutdown stops whatever is still running when the worker went away without
// calling Stop, so the plugin's resources are released before exit.
func (s *server) shutdown() {
	s.mu.Lock()
	conn, src, sink := s.conn, s.src, s.sink
	s.conn, s.src, s.sink = nil, nil, nil
	if s.srcCancel != nil {
		s.srcCancel()
	}
	s.mu.Unlock()
	s.pumpWG.Wait()
	for name, f := range map[string]func() error{
		"connector Stop": func() error {
			if conn != nil {
				return conn.Stop()
			}
			return nil
		},
		"source task Stop": func() error {
			if src != nil {
				return src.Stop()
			}
			return nil
		},
		"sink task Stop": func() error {
			if sink != nil {
				return sink.Stop()
			}
			return nil
		},
	} {
		if err := protect(name, f); err != nil {
			s.log.Error("stop at shutdown failed", "call", name, "error", err)
		}
	}
}

// protect calls plugin code, turning a panic into an error that carries the
// stack, so the worker marks the task FAILED with a useful trace instead of
// seeing the process die.
func protect(name string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &wire.RemoteError{Panic: true, Message: fmt.Sprintf("panic in %s: %v\n%s", name, r, debug.Stack())}
		}
	}()
	return f()
}

func errReply(err error) (*pb.ErrorReply, error) {
	return &pb.ErrorReply{Error: wire.EncodeError(err)}, nil
}

func (s *server) class(name string) (Connector, error) {
	c, ok := s.classes[name]
	if !ok {
		return Connector{}, fmt.Errorf("this plugin does not serve class %s", name)
	}
	return c, nil
}

func (s *server) Info(context.Context, *pb.Empty) (*pb.InfoResponse, error) {
	out := &pb.InfoResponse{ProtocolVersion: wire.ProtocolVersion}
	for _, c := range s.order {
		e, err := entry(c)
		if err != nil {
			return nil, err
		}
		out.Classes = append(out.Classes, &pb.ClassInfo{Class: e.Class, Type: e.Type, Version: e.Version, Aliases: e.Aliases, TaskClass: e.TaskClass})
	}
	return out, nil
}

func (s *server) Describe(_ context.Context, req *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	out := &pb.DescribeResponse{}
	err := protect("connector Config", func() error {
		c, err := s.class(req.Class)
		if err != nil {
			return err
		}
		inst := c.New()
		out.Version = inst.Version()
		def := inst.Config()
		if def == nil {
			return nil
		}
		out.Config, err = wire.EncodeDef(def)
		return err
	})
	out.Error = wire.EncodeError(err)
	return out, nil
}

func (s *server) Validate(_ context.Context, req *pb.ValidateRequest) (*pb.ValidateResponse, error) {
	out := &pb.ValidateResponse{}
	err := protect("connector Validate", func() error {
		c, err := s.class(req.Class)
		if err != nil {
			return err
		}
		inst := c.New()
		def := inst.Config()
		if def == nil {
			def = config.NewDef()
		}
		var keys []config.Key
		for _, k := range def.Keys() {
			if !k.Internal { // the worker lists internal keys nowhere, as for built-ins
				keys = append(keys, k)
			}
		}
		values := config.NewDef().Define(keys...).Validate(req.Props)
		if cv, ok := inst.(connect.ConfigValidator); ok {
			values = cv.Validate(req.Props, values)
		}
		out.Values, err = wire.EncodeConfigValues(values)
		return err
	})
	out.Error = wire.EncodeError(err)
	return out, nil
}

func (s *server) ConnectorStart(_ context.Context, req *pb.ConnectorStartRequest) (*pb.ErrorReply, error) {
	return errReply(protect("connector Start", func() error {
		c, err := s.class(req.Class)
		if err != nil {
			return err
		}
		s.mu.Lock()
		if s.conn != nil || s.src != nil || s.sink != nil {
			s.mu.Unlock()
			return errors.New("this plugin process already serves an instance")
		}
		inst := c.New()
		s.conn = inst
		s.mu.Unlock()
		return inst.Start(&connectorContext{cb: s.cb}, req.Props)
	}))
}

func (s *server) connector() (connect.Connector, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil, errors.New("connector is not started")
	}
	return s.conn, nil
}

func (s *server) TaskConfigs(_ context.Context, req *pb.TaskConfigsRequest) (*pb.TaskConfigsResponse, error) {
	out := &pb.TaskConfigsResponse{}
	err := protect("connector TaskConfigs", func() error {
		c, err := s.connector()
		if err != nil {
			return err
		}
		cfgs, err := c.TaskConfigs(int(req.MaxTasks))
		for _, p := range cfgs {
			out.Configs = append(out.Configs, &pb.Props{Props: p})
		}
		return err
	})
	out.Error = wire.EncodeError(err)
	return out, nil
}

func (s *server) AlterOffsets(_ context.Context, req *pb.AlterOffsetsRequest) (*pb.AlterOffsetsResponse, error) {
	out := &pb.AlterOffsetsResponse{}
	err := protect("connector AlterOffsets", func() error {
		c, err := s.class(req.Class)
		if err != nil {
			return err
		}
		inst, ok := c.New().(connect.OffsetAlterer)
		if !ok {
			return nil // Java's default: the connector manages no offsets of its own
		}
		offs := make([]connect.PartitionOffset, len(req.Offsets))
		for i, o := range req.Offsets {
			if offs[i].Partition, err = wire.DecodeMap(o.Partition); err != nil {
				return err
			}
			if offs[i].Offset, err = wire.DecodeMap(o.Offset); err != nil {
				return err
			}
		}
		out.Altered, err = inst.AlterOffsets(req.Props, offs)
		return err
	})
	out.Error = wire.EncodeError(err)
	return out, nil
}

func (s *server) ConnectorStop(context.Context, *pb.Empty) (*pb.ErrorReply, error) {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c == nil {
		return errReply(nil)
	}
	return errReply(protect("connector Stop", c.Stop))
}

func (s *server) SourceTaskStart(_ context.Context, req *pb.TaskStartRequest) (*pb.TaskStartResponse, error) {
	out := &pb.TaskStartResponse{}
	err := protect("source task Start", func() error {
		c, err := s.class(req.Class)
		if err != nil {
			return err
		}
		sc, ok := c.New().(connect.SourceConnector)
		if !ok {
			return fmt.Errorf("class %s is not a source connector", req.Class)
		}
		s.mu.Lock()
		if s.conn != nil || s.src != nil || s.sink != nil {
			s.mu.Unlock()
			return errors.New("this plugin process already serves an instance")
		}
		t := sc.NewTask()
		s.src = t
		s.srcCtx, s.srcCancel = context.WithCancel(context.Background())
		s.mu.Unlock()
		_, out.RecordCommitter = t.(connect.RecordCommitter)
		s.startPath(req, out)
		out.Ordered = true
		s.callMu.Lock()
		defer s.callMu.Unlock()
		return t.Start(&sourceTaskContext{props: req.Props, reader: &offsetReader{cb: s.cb}}, req.Props)
	})
	out.Error = wire.EncodeError(err)
	return out, nil
}

// startPath builds the record path the worker offers for the task starting.
func (s *server) startPath(req *pb.TaskStartRequest, out *pb.TaskStartResponse) {
	p, refusal := buildPath(req.RecordPath)
	s.mu.Lock()
	s.path = p
	s.mu.Unlock()
	out.Converts, out.RecordPathRefusal = p != nil, refusal
}

// closePath closes the task's record path after its Stop.
func (s *server) closePath() {
	s.mu.Lock()
	p := s.path
	s.path = nil
	s.mu.Unlock()
	if p != nil {
		p.Close(s.log, protect)
	}
}

func (s *server) recordPath() *recordpath.Path {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.path
}

func (s *server) source() (connect.SourceTask, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.src == nil {
		return nil, errors.New("source task is not started")
	}
	return s.src, nil
}

// commitRecords delivers CommitRecord calls the worker buffered.
func (s *server) commitRecords(t connect.SourceTask, commits []byte) error {
	rc, ok := t.(connect.RecordCommitter)
	if !ok || len(commits) == 0 {
		return nil
	}
	return wire.RangeCommits(commits, func(seq int64, md *connect.RecordMetadata) error {
		s.pendMu.Lock()
		var r *connect.Record
		if i := seq - s.pendBase; i >= 0 && i < int64(len(s.pending)) {
			r, s.pending[i] = s.pending[i], nil
			for len(s.pending) > 0 && s.pending[0] == nil {
				s.pending = s.pending[1:]
				s.pendBase++
			}
		}
		s.pendMu.Unlock()
		if r == nil {
			return nil // committed twice, or tracked before a restart: nothing to give back
		}
		return protect("source task CommitRecord", func() error { return rc.CommitRecord(r, md) })
	})
}

// Poll answers an ordered Poll (seq > 0, the worker keeps calls in flight)
// with the next batch of the source task's pump. The pump polls
// ahead in the plugin process, in two stages: the task's Poll, and the
// conversion and encoding of what it returned, so the task polls batch n+1
// while batch n is converted and batch n-1 travels to the worker. At most
// three batches wait ahead (polled, converting, converted): the pump stops
// when the worker stops asking. A batch polled ahead and never asked for (the
// task stops) was never committed, so it is read again after a restart:
// at-least-once holds. After an error or an empty batch the pump stops, so the
// worker's reaction to them (a backoff, a failure) comes before the next Poll.
func (s *server) Poll(ctx context.Context, req *pb.PollRequest) (*pb.PollResponse, error) {
	if req.Seq > 0 {
		// Ordered Polls (two in flight) take the pump's batches in seq order.
		s.polls.await(&s.polls.put, req.Seq)
		defer s.polls.done(&s.polls.put)
	}
	t, err := s.source()
	if err != nil {
		return &pb.PollResponse{Error: wire.EncodeError(err)}, nil
	}
	// CommitRecord may run while a Poll does, as in-process.
	if err := s.commitRecords(t, req.Commits); err != nil {
		// CommitRecord errors are logged by the runtime, never fatal (Java
		// logs them too); the plugin's log is the place.
		s.log.Error("source task CommitRecord failed", "error", err)
	}
	if req.Seq == 0 {
		// A worker that keeps no Poll in flight (pipelining off, or an older
		// worker): no polling ahead either, as in-process.
		return s.encodeBatch(t, s.pollOnce(ctx, t)).answer(), nil
	}
	for {
		s.mu.Lock()
		if s.src != t {
			s.mu.Unlock()
			return &pb.PollResponse{}, nil
		}
		if s.pump == nil {
			s.pump = s.startPump(t)
		}
		out := s.pump
		s.mu.Unlock()
		select {
		case p, ok := <-out:
			if ok {
				return p.answer(), nil
			}
			// The pump stopped after its last batch: start another.
			s.mu.Lock()
			if s.pump == out {
				s.pump = nil
			}
			s.mu.Unlock()
		case <-ctx.Done():
			return &pb.PollResponse{}, nil // the batch stays for the next Poll
		}
	}
}

// startPump starts the two stages of the source task's pump (see Poll); they
// end after an error or an empty batch, or when SourceTaskStop cancels srcCtx.
func (s *server) startPump(t connect.SourceTask) chan pumped {
	ctx := s.srcCtx
	if ctx == nil {
		ctx = context.Background() // a task installed without SourceTaskStart (benchmarks)
	}
	polled := make(chan polledBatch)
	out := make(chan pumped, 1)
	s.pumpWG.Add(2)
	go func() {
		defer s.pumpWG.Done()
		defer close(polled)
		for ctx.Err() == nil {
			b := s.pollOnce(ctx, t)
			select {
			case polled <- b:
			case <-ctx.Done():
				return
			}
			if b.err != nil || len(b.recs) == 0 {
				return
			}
		}
	}()
	go func() {
		defer s.pumpWG.Done()
		defer close(out)
		for b := range polled {
			select {
			case out <- s.encodeBatch(t, b):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// polledBatch is what one Poll of the task returned.
type polledBatch struct {
	recs []*connect.Record
	err  error
}

func (s *server) pollOnce(ctx context.Context, t connect.SourceTask) polledBatch {
	s.callMu.Lock()
	defer s.callMu.Unlock()
	var b polledBatch
	b.err = protect("source task Poll", func() (err error) { b.recs, err = t.Poll(ctx); return err })
	b.recs = withoutNil(b.recs)
	return b
}

// encodeBatch encodes a polled batch: Kafka records when the process runs
// the record path and every record passed it, else Connect records. It runs
// on the pump's second stage only.
func (s *server) encodeBatch(t connect.SourceTask, b polledBatch) pumped {
	out := &pb.PollResponse{}
	var krs []*kgo.Record
	err := func() error {
		if b.err != nil || len(b.recs) == 0 {
			return b.err
		}
		recs := b.recs
		converted := false
		if path := s.recordPath(); path != nil {
			krs, converted = s.toKafka(path, recs)
		}
		if !converted {
			krs = nil
			var err error
			if out.Batch, err = wire.EncodeRecords(recs); err != nil {
				return err
			}
		}
		if _, ok := t.(connect.RecordCommitter); ok {
			s.pendMu.Lock()
			out.SeqStart = s.nextSeq
			if len(s.pending) == 0 {
				s.pendBase = s.nextSeq
			}
			s.pending = append(s.pending, recs...)
			s.nextSeq += int64(len(recs))
			s.pendMu.Unlock()
		}
		return nil
	}()
	out.Error = wire.EncodeError(err)
	return pumped{resp: out, recs: b.recs, krs: krs}
}

// pumped is a batch the pump converted: its answer, and the Kafka records
// the Poll call that takes it encodes (so the pump converts the next batch
// meanwhile).
type pumped struct {
	resp *pb.PollResponse
	recs []*connect.Record
	krs  []*kgo.Record // nil: nothing to encode
}

// answer encodes p's Kafka records into its answer.
func (p pumped) answer() *pb.PollResponse {
	if p.krs == nil || p.resp.Error != nil {
		return p.resp
	}
	// A buffer of its own: gRPC sends it without a copy (wire.Codec) and may
	// still be sending it while later batches are encoded.
	b, err := wire.EncodeConverted(nil, p.recs, p.krs)
	if err != nil {
		return &pb.PollResponse{Error: wire.EncodeError(err)}
	}
	p.resp.Converted, p.resp.ConvertedS2 = s2.Encode(nil, b), true
	return p.resp
}

func (s *server) Commit(_ context.Context, req *pb.CommitRequest) (*pb.ErrorReply, error) {
	t, err := s.source()
	if err != nil {
		return errReply(err)
	}
	// No callMu: as in-process, Commit and CommitRecord may run while Poll
	// does (the plugin polls ahead, so a Poll is often running).
	if err := s.commitRecords(t, req.Commits); err != nil {
		s.log.Error("source task CommitRecord failed", "error", err)
	}
	if c, ok := t.(connect.SourceTaskCommitter); ok {
		return errReply(protect("source task Commit", c.Commit))
	}
	return errReply(nil)
}

func (s *server) SourceTaskStop(_ context.Context, req *pb.CommitRequest) (*pb.ErrorReply, error) {
	s.mu.Lock()
	t := s.src
	s.src = nil
	s.pump = nil
	if s.srcCancel != nil {
		s.srcCancel() // ends the pump; its batches are dropped, never committed
	}
	s.mu.Unlock()
	s.pumpWG.Wait()
	if t == nil {
		return errReply(nil)
	}
	s.callMu.Lock()
	defer s.callMu.Unlock()
	defer s.closePath()
	if err := s.commitRecords(t, req.Commits); err != nil {
		s.log.Error("source task CommitRecord failed", "error", err)
	}
	return errReply(protect("source task Stop", t.Stop))
}

func (s *server) SinkTaskStart(_ context.Context, req *pb.TaskStartRequest) (*pb.TaskStartResponse, error) {
	out := &pb.TaskStartResponse{}
	err := protect("sink task Start", func() error {
		c, err := s.class(req.Class)
		if err != nil {
			return err
		}
		sc, ok := c.New().(connect.SinkConnector)
		if !ok {
			return fmt.Errorf("class %s is not a sink connector", req.Class)
		}
		s.mu.Lock()
		if s.conn != nil || s.src != nil || s.sink != nil {
			s.mu.Unlock()
			return errors.New("this plugin process already serves an instance")
		}
		t := sc.NewTask()
		s.sink = t
		s.stc = &sinkTaskContext{props: req.Props, cb: s.cb, hasReporter: req.HasErrantReporter}
		stc := s.stc
		s.mu.Unlock()
		s.startPath(req, out)
		out.Ordered = true
		s.callMu.Lock()
		defer s.callMu.Unlock()
		return t.Start(stc, req.Props)
	})
	out.Error = wire.EncodeError(err)
	return out, nil
}

func (s *server) sinkTask() (connect.SinkTask, *sinkTaskContext, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sink == nil {
		return nil, nil, errors.New("sink task is not started")
	}
	return s.sink, s.stc, nil
}

// Put decodes (and with the record path, converts) a batch and puts it.
// Ordered Puts (seq > 0, see putOrder) are decoded and put in seq order, the
// decoding of one overlapping the task's Put of the one before.
func (s *server) Put(ctx context.Context, req *pb.PutRequest) (*pb.ErrorReply, error) {
	o := &s.puts
	if req.Seq > 0 {
		o.await(&o.decoded, req.Seq)
	}
	recs, unconverted, err := s.putRecords(req)
	if req.Seq == 0 {
		if err != nil || unconverted {
			return &pb.ErrorReply{Error: wire.EncodeError(err), Unconverted: unconverted}, nil
		}
		return s.put(ctx, recs), nil
	}
	o.done(&o.decoded)
	o.await(&o.put, req.Seq)
	defer o.done(&o.put)
	o.mu.Lock()
	gen := o.gen
	o.mu.Unlock()
	var out *pb.ErrorReply
	switch {
	case req.Gen != gen:
		return &pb.ErrorReply{NotAttempted: true, Gen: gen}, nil
	case err != nil || unconverted:
		out = &pb.ErrorReply{Error: wire.EncodeError(err), Unconverted: unconverted}
	default:
		out = s.put(ctx, recs)
	}
	if out.Error != nil || out.Unconverted {
		// Later Puts the worker sent before it learns of this are not attempted.
		o.mu.Lock()
		o.gen++
		o.mu.Unlock()
	}
	o.mu.Lock()
	out.Gen = o.gen
	o.mu.Unlock()
	return out, nil
}

// putRecords decodes a Put's records, converting raw ones through the record
// path; unconverted: a record failed there.
func (s *server) putRecords(req *pb.PutRequest) (recs []*connect.Record, unconverted bool, err error) {
	if _, _, err := s.sinkTask(); err != nil {
		return nil, false, err
	}
	if req.Raw == nil {
		recs, err = wire.DecodeRecords(req.Batch)
		return recs, false, err
	}
	path := s.recordPath()
	if path == nil {
		return nil, false, errors.New("raw records for a task that does not run the record path")
	}
	recs, ok, err := s.fromKafka(path, req.Raw)
	return recs, !ok && err == nil, err
}

func (s *server) put(ctx context.Context, recs []*connect.Record) *pb.ErrorReply {
	t, _, err := s.sinkTask()
	if err != nil {
		return &pb.ErrorReply{Error: wire.EncodeError(err)}
	}
	s.callMu.Lock()
	defer s.callMu.Unlock()
	return &pb.ErrorReply{Error: wire.EncodeError(protect("sink task Put", func() error { return t.Put(ctx, recs) }))}
}

// putOrder runs ordered Puts in their seq order, in two stages (decode, put)
// so that one batch is decoded while the one before is put. gen counts the
// failed Puts: a Put sent with an older gen is answered not attempted.
type putOrder struct {
	mu           sync.Mutex
	cond         sync.Cond
	decoded, put int64 // the last seq through each stage
	gen          int64
}

// await blocks until every Put before seq passed the stage.
func (o *putOrder) await(stage *int64, seq int64) {
	o.mu.Lock()
	if o.cond.L == nil {
		o.cond.L = &o.mu
	}
	for *stage != seq-1 {
		o.cond.Wait()
	}
	o.mu.Unlock()
}

// done marks the next seq through the stage.
func (o *putOrder) done(stage *int64) {
	o.mu.Lock()
	*stage++
	if o.cond.L != nil {
		o.cond.Broadcast()
	}
	o.mu.Unlock()
}

func (s *server) Flush(ctx context.Context, req *pb.OffsetsRequest) (*pb.ErrorReply, error) {
	t, _, err := s.sinkTask()
	if err != nil {
		return errReply(err)
	}
	s.callMu.Lock()
	defer s.callMu.Unlock()
	if f, ok := t.(connect.Flusher); ok {
		return errReply(protect("sink task Flush", func() error { return f.Flush(ctx, wire.DecodeOffsets(req.Offsets)) }))
	}
	return errReply(nil)
}

// PreCommit follows Java's SinkTask.preCommit default when the task has no
// PreCommitter: flush, then commit what was given.
func (s *server) PreCommit(ctx context.Context, req *pb.OffsetsRequest) (*pb.OffsetsResponse, error) {
	out := &pb.OffsetsResponse{}
	err := func() error {
		t, _, err := s.sinkTask()
		if err != nil {
			return err
		}
		s.callMu.Lock()
		defer s.callMu.Unlock()
		offs := wire.DecodeOffsets(req.Offsets)
		if pc, ok := t.(connect.PreCommitter); ok {
			return protect("sink task PreCommit", func() error {
				res, err := pc.PreCommit(ctx, offs)
				out.Offsets = wire.EncodeOffsets(res)
				return err
			})
		}
		if f, ok := t.(connect.Flusher); ok {
			if err := protect("sink task Flush", func() error { return f.Flush(ctx, offs) }); err != nil {
				return err
			}
		}
		out.Offsets = req.Offsets
		return nil
	}()
	out.Error = wire.EncodeError(err)
	return out, nil
}

func (s *server) Open(_ context.Context, req *pb.PartitionsRequest) (*pb.ErrorReply, error) {
	t, stc, err := s.sinkTask()
	if err != nil {
		return errReply(err)
	}
	ps := wire.DecodePartitions(req.Partitions)
	stc.assign(ps, nil)
	s.callMu.Lock()
	defer s.callMu.Unlock()
	if pa, ok := t.(connect.PartitionAware); ok {
		return errReply(protect("sink task Open", func() error { return pa.Open(ps) }))
	}
	return errReply(nil)
}

func (s *server) Close(_ context.Context, req *pb.PartitionsRequest) (*pb.ErrorReply, error) {
	t, stc, err := s.sinkTask()
	if err != nil {
		return errReply(err)
	}
	ps := wire.DecodePartitions(req.Partitions)
	s.callMu.Lock()
	defer s.callMu.Unlock()
	defer stc.assign(nil, ps)
	if pa, ok := t.(connect.PartitionAware); ok {
		return errReply(protect("sink task Close", func() error { return pa.Close(ps) }))
	}
	return errReply(nil)
}

func (s *server) SinkTaskStop(context.Context, *pb.Empty) (*pb.ErrorReply, error) {
	s.mu.Lock()
	t := s.sink
	s.sink = nil
	s.mu.Unlock()
	if t == nil {
		return errReply(nil)
	}
	s.callMu.Lock()
	defer s.callMu.Unlock()
	defer s.closePath()
	return errReply(protect("sink task Stop", t.Stop))
}

// Callbacks serves the worker-opened stream that carries context calls from
// plugin code to the worker. It returns when the worker closes the stream.
func (s *server) Callbacks(stream pb.Plugin_CallbacksServer) error {
	return s.cb.serve(stream)
}
