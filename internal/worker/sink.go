package worker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/kafka"
	"github.com/goconnect/goconnect/internal/recordpath"
	"github.com/goconnect/goconnect/internal/tolerance"
)

// defaultRedeliveryBackoff is the wait before a batch is given to Put again after a
// RetriableError that names no backoff, when the task set no SinkTaskContext.Timeout.
// (Java waits until the next poll returns, up to offset.flush.interval.ms.)
const defaultRedeliveryBackoff = time.Second

type tp = connect.TopicPartition

// rebalance kinds handed from franz-go's group goroutine to the task goroutine.
const (
	rebalanceAssigned = iota
	rebalanceRevoked
	rebalanceLost
)

type rebalance struct {
	kind  int
	parts []tp
	done  chan struct{}
}

// sinkRunner is the loop of a sink task (Java's WorkerSinkTask, at-least-once).
//
// Rebalance callbacks run on franz-go's group goroutine, but the task's methods
// (Open, Close, PreCommit/Flush) must run on the task goroutine and not concurrently
// with Put. The callbacks therefore hand the work over (handoff): they queue a
// request, cancel the current poll so the task goroutine notices at once, and wait
// until it is done. franz-go waits for the callback before it moves partitions,
// which is what makes the commit on revoke safe.
type sinkRunner struct {
	t       *task
	st      connect.SinkTask
	p       *recordpath.Path
	props   map[string]string
	opts    []kgo.Opt
	maxPoll int
	cl      *kgo.Client

	flusher      connect.Flusher
	preCommitter connect.PreCommitter
	aware        connect.PartitionAware
	// reporter is the ErrantRecordReporter given to the task; nil unless the
	// connector configures a DLQ or the error log (KIP-610).
	reporter  connect.ErrantRecordReporter
	connProps map[string]string
	errs      *taskErrors
	topics    *topicTracker

	// rawMu guards raws: the consumed bytes of records handed to Put and not yet
	// committed, so the ErrantRecordReporter (callable from any goroutine) can send
	// the original record to the DLQ, as Java's InternalSinkRecord does.
	rawMu sync.Mutex
	raws  map[rawKey]*tolerance.Raw

	// Task-goroutine state.
	started    bool
	assigned   map[tp]bool
	consumed   map[tp]bool  // a record of it was polled since assignment (kgo's SetOffsets needs one)
	positioned map[tp]bool  // committed holds where a rewind of it must go
	current    map[tp]int64 // next offset after the records Put accepted
	batch      []*connect.Record
	// rawBatch replaces batch while the task's plugin process runs the record
	// path (remote): consumed records, converted there (recordpath.RemoteSink).
	rawBatch        []*kgo.Record
	remote          recordpath.RemoteSink
	batchNext       map[tp]int64 // next offsets covered by batch
	redeliver       bool
	retryAt         time.Time
	taskPaused      map[tp]bool
	targetPaused    bool
	commitRequested bool
	putTimeout      time.Duration
	lastFetchErr    string

	// mu guards the fields below, shared with the group callbacks.
	mu         sync.Mutex
	pending    []*rebalance
	pollCancel context.CancelFunc
	closing    bool
	seeks      map[tp]int64 // SinkTaskContext.Offset requests not applied yet
	// committed holds the last committed offsets (or fetched at assignment): where
	// a failed flush rewinds to. A partition the group had no offset for gets the
	// offset of its first record polled (its reset position, Java's
	// consumer.position at assignment) or of a seek.
	committed map[tp]int64
}

func newSinkRunner(t *task, st connect.SinkTask, p *recordpath.Path, connProps, taskProps map[string]string) (*sinkRunner, error) {
	w := t.w
	cprops := kafka.SinkConsumerProps(w.cfg.Props, connProps, t.id.Connector, t.id.Task)
	opts, err := kafka.Opts(cprops, kafka.Consumer, t.log)
	if err != nil {
		return nil, fmt.Errorf("sink consumer of task %s: %w", t.name(), err)
	}
	topics := recordpath.SplitList(taskProps["topics"])
	regex := strings.TrimSpace(taskProps["topics.regex"])
	if len(topics) == 0 {
		topics = recordpath.SplitList(connProps["topics"])
	}
	if regex == "" {
		regex = strings.TrimSpace(connProps["topics.regex"])
	}
	switch {
	case len(topics) > 0 && regex != "":
		return nil, fmt.Errorf("topics and topics.regex are mutually exclusive options, but both are set.")
	case len(topics) > 0:
		opts = append(opts, kgo.ConsumeTopics(topics...))
	case regex != "":
		// Java's Pattern.matches is a full match; franz-go's is a search.
		opts = append(opts, kgo.ConsumeRegex(), kgo.ConsumeTopics("^(?:"+regex+")$"))
	default:
		return nil, fmt.Errorf("Must configure one of topics or topics.regex")
	}
	errs, err := newTaskErrors(t, connProps)
	if err != nil {
		return nil, err
	}
	r := &sinkRunner{
		t: t, st: st, p: p, props: taskProps,
		connProps: connProps, errs: errs, topics: newTopicTracker(t),
		raws:       map[rawKey]*tolerance.Raw{},
		maxPoll:    kafka.MaxPollRecords(cprops),
		assigned:   map[tp]bool{},
		consumed:   map[tp]bool{},
		positioned: map[tp]bool{},
		current:    map[tp]int64{},
		batchNext:  map[tp]int64{},
		taskPaused: map[tp]bool{},
		seeks:      map[tp]int64{},
		committed:  map[tp]int64{},
	}
	r.opts = append(opts,
		kgo.DisableAutoCommit(), // Connect commits itself, after put + flush
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			r.handoff(rebalanceAssigned, m)
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			r.handoff(rebalanceRevoked, m)
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			r.handoff(rebalanceLost, m)
		}),
		kgo.AdjustFetchOffsetsFn(r.adjustOffsets),
	)
	r.flusher, _ = st.(connect.Flusher)
	r.preCommitter, _ = st.(connect.PreCommitter)
	r.aware, _ = st.(connect.PartitionAware)
	if errs.reporting() {
		r.reporter = errantReporter{r}
	}
	if r.remote, _ = st.(recordpath.RemoteSink); r.remote != nil {
		r.remote.OfferPath(p)
	}
	return r, nil
}

func (r *sinkRunner) release() {
	r.errs.close()
	r.p.Close(r.t.log, protect)
}

// rawKey locates a consumed record.
type rawKey struct {
	tp
	offset int64
}

// errantReporter is the sink task's ErrantRecordReporter (Java's
// WorkerErrantRecordReporter): the failed record goes through the task's error
// operator at stage TASK_PUT; the sink's commit waits for its DLQ copy.
type errantReporter struct{ r *sinkRunner }

func (e errantReporter) Report(_ context.Context, rec *connect.Record, err error) error {
	if rec == nil {
		return fmt.Errorf("report errant record: nil record")
	}
	k := rawKey{tp{Topic: rec.OriginalTopic, Partition: rec.OriginalPartition}, rec.OriginalOffset}
	e.r.rawMu.Lock()
	raw := e.r.raws[k]
	e.r.rawMu.Unlock()
	if raw == nil {
		// Not a record this task was given (or already committed): Java converts
		// such records back with the converters; those belong to the task
		// goroutine, so the value is rendered without them.
		raw = &tolerance.Raw{Topic: rec.Topic, Partition: rec.Partition, Offset: rec.Offset,
			Key: tolerance.RenderValue(rec.Key), Value: tolerance.RenderValue(rec.Value),
			Timestamp: rec.Timestamp, TimestampType: rec.TimestampType}
	}
	return e.r.errs.op.ReportFailed(tolerance.StageTaskPut, e.r.t.class, tolerance.Subject{Consumed: raw}, err)
}

func toTPs(m map[string][]int32) []tp {
	var out []tp
	for topic, ps := range m {
		for _, p := range ps {
			out = append(out, tp{Topic: topic, Partition: p})
		}
	}
	sortTPs(out)
	return out
}

func sortTPs(s []tp) {
	slices.SortFunc(s, func(a, b tp) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
}

func toKgo(parts []tp) map[string][]int32 {
	m := map[string][]int32{}
	for _, p := range parts {
		m[p.Topic] = append(m[p.Topic], p.Partition)
	}
	return m
}

// handoff runs on franz-go's group goroutine; see sinkRunner.
func (r *sinkRunner) handoff(kind int, m map[string][]int32) {
	parts := toTPs(m)
	if len(parts) == 0 {
		return
	}
	req := &rebalance{kind: kind, parts: parts, done: make(chan struct{})}
	r.mu.Lock()
	if r.closing {
		// The task goroutine closed every partition itself and is closing the
		// client, which calls back here: nothing left to do, and waiting would
		// deadlock against Close.
		r.mu.Unlock()
		return
	}
	r.pending = append(r.pending, req)
	if r.pollCancel != nil {
		r.pollCancel()
	}
	r.mu.Unlock()
	select {
	case <-req.done:
	case <-r.t.hardCtx.Done(): // the task goroutine exited or was abandoned
	}
}

// adjustOffsets runs on the group goroutine after the offsets of newly assigned
// partitions were fetched: it applies seeks the task asked for in Open, and
// remembers the starting positions as the last committed offsets (Java records
// consumer.position on assignment) so a failed flush can rewind to them.
func (r *sinkRunner) adjustOffsets(_ context.Context, offsets map[string]map[int32]kgo.Offset) (map[string]map[int32]kgo.Offset, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for topic, ps := range offsets {
		for p, o := range ps {
			k := tp{Topic: topic, Partition: p}
			if off, ok := r.seeks[k]; ok {
				ps[p] = kgo.NewOffset().At(off)
				delete(r.seeks, k)
				r.committed[k] = off
				continue
			}
			if eo := o.EpochOffset(); eo.Offset >= 0 {
				r.committed[k] = eo.Offset
			}
		}
	}
	return offsets, nil
}

// serviceRebalances runs the queued rebalance callbacks on the task goroutine.
func (r *sinkRunner) serviceRebalances() error {
	r.mu.Lock()
	reqs := r.pending
	r.pending = nil
	r.mu.Unlock()
	var first error
	for _, req := range reqs {
		var err error
		switch req.kind {
		case rebalanceAssigned:
			err = r.onAssigned(req.parts)
		case rebalanceRevoked:
			err = r.onRevoked(req.parts)
		case rebalanceLost:
			err = r.onLost(req.parts)
		}
		close(req.done)
		if first == nil {
			first = err
		}
	}
	return first
}

func (r *sinkRunner) onAssigned(parts []tp) error {
	for _, p := range parts {
		r.assigned[p] = true
		delete(r.consumed, p)
		delete(r.positioned, p)
	}
	if r.targetPaused || r.redeliver {
		r.cl.PauseFetchPartitions(toKgo(parts))
	}
	if r.aware != nil {
		if err := r.aware.Open(slices.Clone(parts)); err != nil {
			return fmt.Errorf("open partitions %v: %w", parts, err)
		}
	}
	return nil
}

func (r *sinkRunner) onRevoked(parts []tp) error {
	parts = slices.DeleteFunc(parts, func(p tp) bool { return !r.assigned[p] })
	if len(parts) == 0 {
		return nil
	}
	err := r.commit(true, parts)
	r.forget(parts)
	return err
}

// onLost closes partitions without committing: another member may own them already.
func (r *sinkRunner) onLost(parts []tp) error {
	parts = slices.DeleteFunc(parts, func(p tp) bool { return !r.assigned[p] })
	if len(parts) == 0 {
		return nil
	}
	var err error
	if r.aware != nil {
		if cerr := r.aware.Close(slices.Clone(parts)); cerr != nil {
			err = fmt.Errorf("close partitions %v: %w", parts, cerr)
		}
	}
	r.forget(parts)
	return err
}

// forget drops every trace of partitions this task no longer owns; records of
// them still waiting for Put are dropped too, their new owner starts from the
// committed offset.
func (r *sinkRunner) forget(parts []tp) {
	gone := map[tp]bool{}
	for _, p := range parts {
		gone[p] = true
		delete(r.assigned, p)
		delete(r.consumed, p)
		delete(r.positioned, p)
		delete(r.current, p)
		delete(r.batchNext, p)
	}
	r.batch = slices.DeleteFunc(r.batch, func(rec *connect.Record) bool {
		return gone[tp{Topic: rec.OriginalTopic, Partition: rec.OriginalPartition}]
	})
	r.rawBatch = slices.DeleteFunc(r.rawBatch, func(kr *kgo.Record) bool {
		return gone[tp{Topic: kr.Topic, Partition: kr.Partition}]
	})
	r.mu.Lock()
	for _, p := range parts {
		delete(r.committed, p)
		delete(r.seeks, p)
	}
	r.mu.Unlock()
	// Pauses the runtime set (redelivery, target state) must not outlive the
	// assignment in franz-go's pause set, or a later reassignment would stay paused.
	var resume []tp
	for _, p := range parts {
		if !r.taskPaused[p] {
			resume = append(resume, p)
		}
	}
	if len(resume) > 0 {
		r.cl.ResumeFetchPartitions(toKgo(resume))
	}
}

func (r *sinkRunner) assignedList() []tp {
	out := slices.Collect(maps.Keys(r.assigned))
	sortTPs(out)
	return out
}

type sinkTaskContext struct {
	taskContext
	r *sinkRunner
}

func (c *sinkTaskContext) Offset(offsets map[tp]int64) {
	c.r.mu.Lock()
	maps.Copy(c.r.seeks, offsets)
	c.r.mu.Unlock()
}

func (c *sinkTaskContext) Timeout(d time.Duration) { c.r.putTimeout = d }

func (c *sinkTaskContext) Assignment() []tp { return c.r.assignedList() }

func (c *sinkTaskContext) Pause(parts ...tp) {
	for _, p := range parts {
		c.r.taskPaused[p] = true
	}
	c.r.cl.PauseFetchPartitions(toKgo(parts))
}

func (c *sinkTaskContext) Resume(parts ...tp) {
	for _, p := range parts {
		delete(c.r.taskPaused, p)
	}
	if !c.r.targetPaused && !c.r.redeliver {
		c.r.cl.ResumeFetchPartitions(toKgo(parts))
	}
}

func (c *sinkTaskContext) RequestCommit() { c.r.commitRequested = true }

func (c *sinkTaskContext) ErrantRecordReporter() connect.ErrantRecordReporter { return c.r.reporter }

func (r *sinkRunner) execute() error {
	t := r.t
	if t.stopping() {
		return nil
	}
	cl, err := kgo.NewClient(r.opts...)
	if err != nil {
		return fmt.Errorf("sink consumer of task %s: %w", t.name(), err)
	}
	r.cl = cl
	if err := r.errs.setupDLQ(t, r.connProps); err != nil {
		return err
	}
	if err := r.st.Start(&sinkTaskContext{taskContext{r.props}, r}, r.props); err != nil {
		return fmt.Errorf("start sink task: %w", fromPlugin(err))
	}
	r.started = true
	interval := t.w.cfg.OffsetFlushInterval
	nextCommit := time.Now().Add(interval)
	t.report(herder.StateRunning, "")
	for {
		if t.stopping() {
			return nil
		}
		if err := r.serviceRebalances(); err != nil {
			return err
		}
		r.applyTarget()
		if r.commitRequested || !time.Now().Before(nextCommit) {
			r.commitRequested = false
			if err := r.commit(false, r.assignedList()); err != nil {
				return err
			}
			nextCommit = time.Now().Add(interval)
		}
		r.applySeeks()

		deadline := nextCommit
		if r.redeliver && r.retryAt.Before(deadline) {
			deadline = r.retryAt
		}
		fetches := r.poll(deadline)
		if t.stopping() {
			return nil
		}
		if err := r.serviceRebalances(); err != nil {
			return err
		}
		if err := r.collect(fetches); err != nil {
			if t.stopping() && errors.Is(err, context.Canceled) {
				return nil // stopped while retrying a stage
			}
			return err
		}
		if r.redeliver && time.Now().Before(r.retryAt) {
			continue
		}
		if err := r.put(); err != nil {
			return err
		}
	}
}

// poll polls until deadline, a rebalance handoff, a target-state change (wake) or
// stop.
func (r *sinkRunner) poll(deadline time.Time) kgo.Fetches {
	ctx, cancel := context.WithDeadline(r.t.ctx, deadline)
	defer cancel()
	r.mu.Lock()
	if len(r.pending) > 0 {
		r.mu.Unlock()
		return nil
	}
	r.pollCancel = cancel
	r.mu.Unlock()
	fetches := r.cl.PollRecords(ctx, r.maxPoll)
	r.mu.Lock()
	r.pollCancel = nil
	r.mu.Unlock()
	return fetches
}

// wake interrupts a poll in progress; task.setTarget calls it from any goroutine.
func (r *sinkRunner) wake() {
	r.mu.Lock()
	if r.pollCancel != nil {
		r.pollCancel()
	}
	r.mu.Unlock()
}

// applyTarget pauses every partition while the connector is PAUSED (the consumer
// keeps polling to stay in the group) and resumes those the task did not pause.
func (r *sinkRunner) applyTarget() {
	paused := r.t.paused()
	if paused == r.targetPaused {
		return
	}
	r.targetPaused = paused
	if paused {
		r.cl.PauseFetchPartitions(toKgo(r.assignedList()))
		r.commitRequested = true
		r.t.report(herder.StatePaused, "")
		return
	}
	r.resumeAll()
	r.t.report(herder.StateRunning, "")
}

// resumeAll resumes the assigned partitions the task itself did not pause, unless
// a redelivery or the target state still holds them.
func (r *sinkRunner) resumeAll() {
	if r.targetPaused || r.redeliver {
		return
	}
	var parts []tp
	for p := range r.assigned {
		if !r.taskPaused[p] {
			parts = append(parts, p)
		}
	}
	if len(parts) > 0 {
		r.cl.ResumeFetchPartitions(toKgo(parts))
	}
}

// applySeeks applies SinkTaskContext.Offset requests. franz-go's SetOffsets only
// moves partitions it has returned records for, so seeks of partitions not
// consumed yet stay pending; collect drops the records polled before the seek.
func (r *sinkRunner) applySeeks() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seeks) == 0 {
		return
	}
	set := map[string]map[int32]kgo.EpochOffset{}
	for p, off := range r.seeks {
		if !r.assigned[p] {
			delete(r.seeks, p)
			continue
		}
		if !r.consumed[p] {
			continue
		}
		if set[p.Topic] == nil {
			set[p.Topic] = map[int32]kgo.EpochOffset{}
		}
		set[p.Topic][p.Partition] = kgo.EpochOffset{Epoch: -1, Offset: off}
		r.current[p] = off
		if _, ok := r.committed[p]; !ok {
			r.committed[p] = off // nothing before the seek is delivered
		}
		delete(r.batchNext, p)
		delete(r.seeks, p)
	}
	if len(set) == 0 {
		return
	}
	r.cl.SetOffsets(set)
	// Records of a rewound partition still waiting for Put are redelivered from
	// the new position.
	r.batch = slices.DeleteFunc(r.batch, func(rec *connect.Record) bool {
		_, ok := set[rec.OriginalTopic][rec.OriginalPartition]
		return ok
	})
	r.rawBatch = slices.DeleteFunc(r.rawBatch, func(kr *kgo.Record) bool {
		_, ok := set[kr.Topic][kr.Partition]
		return ok
	})
}

// collect converts and transforms polled records into the pending batch.
func (r *sinkRunner) collect(fetches kgo.Fetches) error {
	for _, fe := range fetches.Errors() {
		if errors.Is(fe.Err, context.Canceled) || errors.Is(fe.Err, context.DeadlineExceeded) || errors.Is(fe.Err, kgo.ErrClientClosed) {
			continue
		}
		// franz-go retries what can be retried; what reaches here (missing topic,
		// authorization) is worth a warning, once per distinct error.
		if msg := fe.Err.Error(); msg != r.lastFetchErr {
			r.lastFetchErr = msg
			r.t.log.Warn("sink consumer fetch error", "topic", fe.Topic, "partition", fe.Partition, "error", fe.Err)
		}
	}
	reseek := false
	r.mu.Lock()
	seeks := len(r.seeks) > 0
	r.mu.Unlock()
	// A batch is all raw or all converted; it is raw while the plugin runs the path.
	raw := len(r.batch) == 0 && (len(r.rawBatch) > 0 || (r.remote != nil && r.remote.RunsPath()))
	for iter := fetches.RecordIter(); !iter.Done(); {
		kr := iter.Next()
		p := tp{Topic: kr.Topic, Partition: kr.Partition}
		if !r.assigned[p] {
			continue
		}
		r.consumed[p] = true
		if seeks {
			r.mu.Lock()
			_, pending := r.seeks[p]
			r.mu.Unlock()
			if pending {
				reseek = true
				continue
			}
		}
		if !r.positioned[p] {
			r.position(p, kr.Offset)
		}
		r.topics.record(kr.Topic)
		// A skipped or dropped record still advances its partition's offset.
		r.batchNext[p] = kr.Offset + 1
		if raw {
			r.rawBatch = append(r.rawBatch, kr)
			if r.reporter != nil {
				r.rawMu.Lock()
				r.raws[rawKey{p, kr.Offset}] = rawOf(kr, recordpath.TimestampType(kr))
				r.rawMu.Unlock()
			}
			continue
		}
		out, err := r.convert(kr)
		if err != nil {
			return err
		}
		if out != nil {
			r.batch = append(r.batch, out)
		}
	}
	if reseek {
		r.applySeeks()
	}
	return nil
}

// position makes sure a rewind of p has somewhere to go once its first record
// since assignment is polled: without a committed offset (the group had none for
// p) that record's offset is where the unflushed records start.
func (r *sinkRunner) position(p tp, first int64) {
	r.positioned[p] = true
	r.mu.Lock()
	if _, ok := r.committed[p]; !ok {
		r.committed[p] = first
	}
	r.mu.Unlock()
}

// convert runs a consumed record through the task's record path under the
// error operator; nil: dropped, or skipped after a tolerated failure.
func (r *sinkRunner) convert(kr *kgo.Record) (*connect.Record, error) {
	tt := recordpath.TimestampType(kr)
	raw := rawOf(kr, tt)
	exec := r.errs.exec(r.t.ctx, tolerance.Subject{Consumed: raw})
	rec, ok, err := r.p.FromKafka(kr, tt, exec)
	if err != nil || !ok {
		return nil, err
	}
	out, _, err := r.p.Chain.Apply(rec, exec)
	if err != nil || out == nil {
		return nil, err
	}
	if r.reporter != nil {
		r.rawMu.Lock()
		r.raws[rawKey{tp{Topic: kr.Topic, Partition: kr.Partition}, kr.Offset}] = raw
		r.rawMu.Unlock()
	}
	return out, nil
}

// localPathError is a failure of the worker's record path over a raw batch
// the plugin could not convert: the task fails with it as a built-in would.
type localPathError struct{ err error }

func (e *localPathError) Error() string { return e.err.Error() }
func (e *localPathError) Unwrap() error { return e.err }

// convertRaw is the worker's record path over a raw batch (PutRaw's local).
func (r *sinkRunner) convertRaw(krs []*kgo.Record) ([]*connect.Record, error) {
	out := make([]*connect.Record, 0, len(krs))
	for _, kr := range krs {
		rec, err := r.convert(kr)
		if err != nil {
			return nil, &localPathError{err}
		}
		if rec != nil {
			out = append(out, rec)
		}
	}
	return out, nil
}

// put gives the pending batch to the task (always, even empty, as Java does: tasks
// use it as a tick). On success the consumed offsets become committable; on a
// RetriableError every partition is paused and the same batch is redelivered.
func (r *sinkRunner) put() error {
	var err error
	if len(r.rawBatch) > 0 {
		krs := r.rawBatch
		err = r.remote.PutRaw(r.t.ctx, krs, func() ([]*connect.Record, error) { return r.convertRaw(krs) })
		if le, ok := errors.AsType[*localPathError](err); ok {
			return le.err
		}
	} else {
		err = r.st.Put(r.t.ctx, r.batch)
	}
	err = fromPlugin(err)
	if err == nil {
		maps.Copy(r.current, r.batchNext)
		clear(r.batchNext)
		// A fresh slice each time: a task may keep the one it was given.
		r.batch, r.rawBatch = nil, nil
		if r.redeliver {
			r.redeliver = false
			r.resumeAll()
		}
		return nil
	}
	if r.t.stopping() {
		return nil // Put was interrupted by the stop; the batch is redelivered after restart
	}
	var re *connect.RetriableError
	if !errors.As(err, &re) {
		return fmt.Errorf("put records: %w", err)
	}
	backoff := re.Backoff
	if backoff <= 0 {
		backoff = r.putTimeout
	}
	if backoff <= 0 {
		backoff = defaultRedeliveryBackoff
	}
	r.t.log.Warn("retriable error from sink task put; redelivering the batch", "records", len(r.batch)+len(r.rawBatch), "backoff", backoff, "error", err)
	if !r.redeliver {
		r.redeliver = true
		r.cl.PauseFetchPartitions(toKgo(r.assignedList()))
	}
	r.retryAt = time.Now().Add(backoff)
	return nil
}

// commit flushes (Flusher) or asks the task (PreCommitter) which of the current
// offsets of parts are safe, and commits them synchronously. With closing, the
// partitions are closed (PartitionAware.Close) after the flush whatever its
// outcome, as Java does. A failed flush is not a task failure: the consumer is
// rewound to the last committed offsets so nothing unflushed is skipped.
func (r *sinkRunner) commit(closing bool, parts []tp) error {
	t := r.t
	offsets := make(map[tp]int64, len(parts))
	for _, p := range parts {
		if off, ok := r.current[p]; ok {
			offsets[p] = off
		}
	}
	toCommit, flushErr := r.preCommit(offsets)
	if flushErr == nil {
		// KIP-610: errant records reported for these partitions must be in the DLQ
		// before their offsets are committed.
		ctx, cancel := context.WithTimeout(t.hardCtx, t.w.cfg.OffsetFlushTimeout)
		err := r.errs.flushDLQ(ctx)
		cancel()
		if err != nil {
			return err
		}
	}
	if closing && r.aware != nil {
		if err := r.aware.Close(slices.Clone(parts)); err != nil {
			return fmt.Errorf("close partitions %v: %w", parts, err)
		}
	}
	if flushErr != nil {
		if closing {
			t.log.Warn("flush failed while closing partitions; their offsets are not committed", "error", flushErr)
			return nil
		}
		t.log.Error("flush failed; rewinding to the last committed offsets", "error", flushErr)
		r.rewind(parts)
		return nil
	}
	r.mu.Lock()
	set := map[string]map[int32]kgo.EpochOffset{}
	n := 0
	for p, off := range toCommit {
		cur, ok := r.current[p]
		if !ok || off > cur || !r.assigned[p] || !slices.Contains(parts, p) {
			continue // Java ignores offsets beyond what was consumed, or of other partitions
		}
		if last, ok := r.committed[p]; ok && last == off {
			continue
		}
		if set[p.Topic] == nil {
			set[p.Topic] = map[int32]kgo.EpochOffset{}
		}
		set[p.Topic][p.Partition] = kgo.EpochOffset{Epoch: -1, Offset: off}
		n++
	}
	r.mu.Unlock()
	if n == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(t.hardCtx, t.w.cfg.OffsetFlushTimeout)
	defer cancel()
	var commitErr error
	r.cl.CommitOffsetsSync(ctx, set, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			commitErr = err
			return
		}
		for _, rt := range resp.Topics {
			for _, rp := range rt.Partitions {
				if e := kerr.ErrorForCode(rp.ErrorCode); e != nil && commitErr == nil {
					commitErr = fmt.Errorf("%s-%d: %w", rt.Topic, rp.Partition, e)
				}
			}
		}
	})
	if commitErr != nil {
		t.log.Warn("commit of sink offsets failed; retrying at the next commit", "error", commitErr)
		return nil
	}
	r.mu.Lock()
	for topic, ps := range set {
		for p, eo := range ps {
			r.committed[tp{Topic: topic, Partition: p}] = eo.Offset
		}
	}
	r.mu.Unlock()
	r.pruneRaws(set)
	return nil
}

// pruneRaws forgets the consumed bytes of committed records.
func (r *sinkRunner) pruneRaws(set map[string]map[int32]kgo.EpochOffset) {
	r.rawMu.Lock()
	defer r.rawMu.Unlock()
	for k := range r.raws {
		if eo, ok := set[k.Topic][k.Partition]; ok && k.offset < eo.Offset {
			delete(r.raws, k)
		}
	}
}

// preCommit asks the task which offsets are durable. Plugin panics propagate to
// task.guard and fail the task.
func (r *sinkRunner) preCommit(offsets map[tp]int64) (map[tp]int64, error) {
	ctx := r.t.hardCtx
	switch {
	case r.preCommitter != nil:
		offs, err := r.preCommitter.PreCommit(ctx, maps.Clone(offsets))
		return offs, fromPlugin(err)
	case r.flusher != nil:
		if err := fromPlugin(r.flusher.Flush(ctx, maps.Clone(offsets))); err != nil {
			return nil, err
		}
	}
	return offsets, nil
}

// rewind seeks parts back to their last committed offsets (Java: after a failed
// preCommit) and drops what was put since, so it is delivered again.
func (r *sinkRunner) rewind(parts []tp) {
	r.mu.Lock()
	for _, p := range parts {
		if off, ok := r.committed[p]; ok {
			r.seeks[p] = off
		}
	}
	r.mu.Unlock()
	r.applySeeks()
}

func (r *sinkRunner) shutdown(failure error) {
	t := r.t
	if r.cl != nil && r.started {
		// Queued rebalances first, so their partitions are committed/closed once.
		if err := r.serviceRebalances(); err != nil {
			t.log.Error("rebalance during shutdown failed", "error", err)
		}
		// Java commits and closes every partition on the way out, failed or not:
		// current offsets only cover batches Put accepted.
		if parts := r.assignedList(); len(parts) > 0 {
			if err := r.commit(true, parts); err != nil {
				t.log.Error("closing partitions failed", "error", err)
			}
		}
	}
	r.mu.Lock()
	r.closing = true
	pending := r.pending
	r.pending = nil
	r.mu.Unlock()
	for _, req := range pending {
		close(req.done)
	}
	if r.started {
		if err := t.guard("sink task Stop", r.st.Stop); err != nil {
			t.log.Error("sink task Stop failed", "error", err)
		}
	}
	if r.cl != nil {
		r.cl.Close()
	}
	r.errs.close()
	r.p.Close(r.t.log, protect)
}
