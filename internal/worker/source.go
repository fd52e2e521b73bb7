package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/kafka"
	"github.com/goconnect/goconnect/internal/recordpath"
	"github.com/goconnect/goconnect/internal/storage"
	"github.com/goconnect/goconnect/internal/tolerance"
)

// retriablePollBackoff is the wait after a RetriableError from Poll without its own
// backoff; Java retries at once, which spins against a down system.
const retriablePollBackoff = 100 * time.Millisecond

// sourceRunner is the loop of a source task (Java's WorkerSourceTask, at-least-once).
type sourceRunner struct {
	t       *task
	st      connect.SourceTask
	p       *recordpath.Path
	props   map[string]string
	cl      *kgo.Client
	tracker *offsetTracker
	reader  *offsetReader

	committer       connect.SourceTaskCommitter // optional
	recordCommitter connect.RecordCommitter     // optional
	// remote is set when the task runs in a plugin process that can run the
	// record path there (recordpath.RemoteSource).
	remote recordpath.RemoteSource

	connProps map[string]string
	errs      *taskErrors
	topics    *topicTracker
	creator   *topicCreator // nil unless topic.creation applies

	// produceErr holds the first asynchronous produce failure; the task goroutine
	// fails the task when it sees it. Once set, no later record of the failed
	// record's partition can become committable (the failed one is never acked).
	errMu      sync.Mutex
	produceErr error

	started bool
	// render is r.p.RenderSource, bound once instead of once per record.
	render func(*connect.Record) *tolerance.Raw
}

func newSourceRunner(t *task, st connect.SourceTask, p *recordpath.Path, connProps, taskProps map[string]string) (*sourceRunner, error) {
	w := t.w
	opts, err := kafka.Opts(kafka.SourceProducerProps(w.cfg.Props, connProps, t.id.Connector, t.id.Task), kafka.Producer, t.log)
	if err != nil {
		return nil, fmt.Errorf("source producer of task %s: %w", t.name(), err)
	}
	opts = append(opts,
		// Topic auto-creation through metadata requests, as the Java producer asks for
		// by default; topic.creation.* support replaces this later.
		kgo.AllowAutoTopicCreation(),
		kgo.RecordPartitioner(connectPartitioner{kgo.UniformBytesPartitioner(64<<10, true, true, nil)}),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("source producer of task %s: %w", t.name(), err)
	}
	errs, err := newTaskErrors(t, connProps)
	if err != nil {
		cl.Close()
		return nil, err
	}
	creator, err := newTopicCreator(t, connProps)
	if err != nil {
		cl.Close()
		return nil, err
	}
	r := &sourceRunner{
		t: t, st: st, p: p, props: taskProps, cl: cl,
		tracker:   newOffsetTracker(t.id.Connector),
		reader:    &offsetReader{connector: t.id.Connector, store: w.offsets},
		connProps: connProps, errs: errs, creator: creator,
		topics: newTopicTracker(t),
	}
	r.render = func(rec *connect.Record) *tolerance.Raw { return p.RenderSource(rec, protect) }
	r.committer, _ = st.(connect.SourceTaskCommitter)
	r.recordCommitter, _ = st.(connect.RecordCommitter)
	if r.remote, _ = st.(recordpath.RemoteSource); r.remote != nil {
		r.remote.OfferPath(p)
	}
	return r, nil
}

// wake is a no-op: the source loop waits on task.targetCh while paused and sees
// the target after each Poll while running.
func (r *sourceRunner) wake() {}

func (r *sourceRunner) release() {
	r.cl.Close()
	r.errs.close()
	r.creator.close()
	r.p.Close(r.t.log, protect)
}

type sourceTaskContext struct {
	taskContext
	reader *offsetReader
}

func (c *sourceTaskContext) OffsetStorageReader() connect.OffsetStorageReader { return c.reader }

func (r *sourceRunner) execute() error {
	t := r.t
	if t.stopping() {
		return nil
	}
	if err := r.errs.setupDLQ(t, r.connProps); err != nil {
		return err
	}
	if err := fromPlugin(r.st.Start(&sourceTaskContext{taskContext{r.props}, r.reader}, r.props)); err != nil {
		return fmt.Errorf("start source task: %w", err)
	}
	r.started = true
	interval := t.w.cfg.OffsetFlushInterval
	nextCommit := time.Now().Add(interval)
	reported := herder.State("")
	for {
		if t.stopping() {
			return nil
		}
		if t.paused() {
			if reported != herder.StatePaused {
				t.report(herder.StatePaused, "")
				reported = herder.StatePaused
			}
			if !r.awaitUnpause(&nextCommit) {
				return nil
			}
			continue
		}
		if reported != herder.StateRunning {
			t.report(herder.StateRunning, "")
			reported = herder.StateRunning
		}
		if err := r.failure(); err != nil {
			return err
		}
		if !time.Now().Before(nextCommit) {
			r.commit(false)
			nextCommit = time.Now().Add(interval)
		}
		recs, conv, err := r.poll()
		err = fromPlugin(err)
		if t.stopping() {
			// Records returned with the stop are still sent: they may already
			// be consumed from the source system.
			if err == nil && len(recs)+len(conv) > 0 {
				if err := r.sendAll(recs, conv); err != nil && !errors.Is(err, context.Canceled) {
					return err
				}
			}
			return nil
		}
		if err != nil {
			var re *connect.RetriableError
			if errors.As(err, &re) {
				t.log.Warn("retriable error from source task poll", "error", err)
				r.wait(max(re.Backoff, retriablePollBackoff))
				continue
			}
			return fmt.Errorf("poll source task: %w", err)
		}
		if err := r.sendAll(recs, conv); err != nil {
			if t.stopping() && errors.Is(err, context.Canceled) {
				return nil // stopped while retrying a stage
			}
			return err
		}
	}
}

// awaitUnpause blocks while paused, committing acked offsets at the interval; it
// returns false when the task is stopped.
func (r *sourceRunner) awaitUnpause(nextCommit *time.Time) bool {
	t := r.t
	for t.paused() {
		timer := time.NewTimer(time.Until(*nextCommit))
		select {
		case <-t.ctx.Done():
			timer.Stop()
			return false
		case <-t.targetCh:
		case <-timer.C:
			r.commit(false)
			*nextCommit = time.Now().Add(t.w.cfg.OffsetFlushInterval)
		}
		timer.Stop()
	}
	return true
}

// wait blocks for d or until the task is stopped.
func (r *sourceRunner) wait(d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-r.t.ctx.Done():
	case <-timer.C:
	}
}

// poll asks the task for records: Kafka records when its plugin process ran
// the record path, else Connect records.
func (r *sourceRunner) poll() ([]*connect.Record, []recordpath.Converted, error) {
	if r.remote != nil {
		return r.remote.PollConverted(r.t.ctx)
	}
	recs, err := r.st.Poll(r.t.ctx)
	return recs, nil, err
}

func (r *sourceRunner) sendAll(recs []*connect.Record, conv []recordpath.Converted) error {
	if len(conv) > 0 {
		return r.sendConverted(conv)
	}
	return r.send(recs)
}

// track returns the offset tracking of rec's source partition (nil when the
// record has no source coordinates), checking its offset.
func (r *sourceRunner) track(rec *connect.Record) (*partitionTrack, error) {
	if rec.SourcePartition == nil && rec.SourceOffset == nil {
		return nil, nil
	}
	part, err := r.tracker.partition(rec.SourcePartition)
	if err != nil {
		return nil, err
	}
	return part, storage.CheckOffsetValue(rec.SourceOffset)
}

// sendConverted produces records the task's plugin process converted and
// transformed: send without the path, which ran there without a failure.
// A record a transformation dropped is handled as in send: reported to the
// task, its offset committed with a later record of its partition.
func (r *sourceRunner) sendConverted(conv []recordpath.Converted) error {
	for _, c := range conv {
		rec := c.Source
		part, err := r.track(rec)
		if err != nil {
			return err
		}
		if c.Kafka == nil {
			r.commitRecord(rec, c.Seq, nil)
			continue
		}
		var s *submitted
		if part != nil {
			s = r.tracker.submit(part, rec.SourceOffset)
		}
		if err := r.creator.ensure(c.Kafka.Topic); err != nil {
			return err
		}
		r.cl.Produce(r.t.hardCtx, c.Kafka, r.onAck(rec, s, c.Seq))
	}
	return nil
}

// send transforms, converts and produces one polled batch. Produce is
// asynchronous: franz-go batches per partition and calls onAck per record.
//
// Each transformation and converter runs under the task's error operator. A record
// whose failure is tolerated is skipped like a dropped one (CommitRecord with nil
// metadata). With a DLQ (a goconnect extension for source connectors) the record is
// tracked from the start and its offset becomes committable only once its DLQ copy
// is acked, so a crash cannot commit past a record that reached neither topic.
func (r *sourceRunner) send(recs []*connect.Record) error {
	for _, rec := range recs {
		if rec == nil {
			continue
		}
		part, err := r.track(rec)
		if err != nil {
			return err
		}
		var s *submitted
		subj := tolerance.Subject{Source: rec, Render: r.render}
		if r.errs.dlq != nil && part != nil {
			s = r.tracker.submit(part, rec.SourceOffset)
			subj.Done = func(err error) {
				if err != nil {
					r.setFailure(err)
					return
				}
				r.tracker.ack(s)
			}
		}
		exec := r.errs.exec(r.t.ctx, subj)
		out, skipped, err := r.p.Chain.Apply(rec, exec)
		if err != nil {
			return err
		}
		if out == nil {
			// Dropped by a transformation (or skipped after a tolerated error): reported
			// to the task but not tracked, so its offset is committed only with a
			// later record of its partition. A record tracked for the DLQ is acked
			// now (dropped) or by its DLQ ack (skipped).
			if s != nil && !skipped {
				r.tracker.ack(s)
			}
			r.commitRecord(rec, 0, nil)
			continue
		}
		kr, ok, err := r.p.ToKafka(out, exec)
		if err != nil {
			return err
		}
		if !ok {
			r.commitRecord(rec, 0, nil)
			continue
		}
		if s == nil && part != nil {
			s = r.tracker.submit(part, rec.SourceOffset)
		}
		if err := r.creator.ensure(kr.Topic); err != nil {
			return err
		}
		// hardCtx, not the stop ctx: records already handed to the producer must
		// still be delivered during a graceful stop; only cancel aborts them.
		r.cl.Produce(r.t.hardCtx, kr, r.onAck(rec, s, 0))
	}
	return nil
}

// onAck returns the produce callback of one record (seq: see commitRecord). It
// runs on a franz-go goroutine, concurrently with the task goroutine.
func (r *sourceRunner) onAck(rec *connect.Record, s *submitted, seq int64) func(*kgo.Record, error) {
	return func(kr *kgo.Record, err error) {
		if err != nil {
			err = fmt.Errorf("produce record to topic %s: %w", kr.Topic, err)
			// errors.tolerance=all tolerates a failed send (reference §5.3): the
			// failure is reported and the record counts as handled. A cancelled
			// task's aborted sends are not failures of the record.
			if !r.errs.cfg.TolerateAll || r.t.hardCtx.Err() != nil {
				r.setFailure(err)
				return
			}
			subj := tolerance.Subject{Source: rec}
			if rerr := r.errs.op.ReportFailed(tolerance.StageKafkaProduce, "org.apache.kafka.clients.producer.KafkaProducer", subj, err); rerr != nil {
				r.setFailure(rerr)
				return
			}
			if s != nil {
				r.tracker.ack(s)
			}
			r.commitRecord(rec, seq, nil)
			return
		}
		r.topics.record(kr.Topic)
		if s != nil {
			r.tracker.ack(s)
		}
		if r.recordCommitter != nil {
			r.commitRecord(rec, seq, &connect.RecordMetadata{Topic: kr.Topic, Partition: kr.Partition, Offset: kr.Offset, Timestamp: kr.Timestamp})
		}
	}
}

// commitRecord calls RecordCommitter.CommitRecord, which may run on a franz-go
// goroutine: its panics must not crash the process, so each call is protected and
// failures are logged as Java does. A record converted in the task's plugin
// process (seq > 0, recordpath.Converted) is committed by its sequence number.
func (r *sourceRunner) commitRecord(rec *connect.Record, seq int64, md *connect.RecordMetadata) {
	if r.recordCommitter == nil {
		return
	}
	if seq > 0 && r.remote != nil {
		r.remote.CommitSeq(seq, md)
		return
	}
	if err := protect("source task CommitRecord", func() error { return r.recordCommitter.CommitRecord(rec, md) }); err != nil {
		r.t.log.Error("source task CommitRecord failed", "error", err)
	}
}

func (r *sourceRunner) setFailure(err error) {
	r.errMu.Lock()
	if r.produceErr == nil {
		r.produceErr = err
	}
	r.errMu.Unlock()
}

func (r *sourceRunner) failure() error {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	return r.produceErr
}

// commit stores the committable offsets, then calls SourceTask.Commit. With
// final, in-flight records get offset.flush.timeout.ms to be acked first.
func (r *sourceRunner) commit(final bool) {
	t := r.t
	timeout := t.w.cfg.OffsetFlushTimeout
	if final {
		ctx, cancel := context.WithTimeout(t.hardCtx, timeout)
		if err := r.cl.Flush(ctx); err != nil {
			t.log.Warn("in-flight records not acked within offset.flush.timeout.ms; their offsets are not committed", "error", err)
		}
		if err := r.errs.flushDLQ(ctx); err != nil {
			t.log.Warn("dead letter queue records not acked; their offsets are not committed", "error", err)
		}
		cancel()
	}
	entries, parts, err := r.tracker.committable()
	if err != nil {
		t.log.Error("encode source offsets", "error", err)
		return
	}
	if len(entries) > 0 {
		ctx, cancel := context.WithTimeout(t.hardCtx, timeout)
		err := t.w.offsets.Set(ctx, entries)
		cancel()
		if err != nil {
			r.tracker.markFailed(parts)
			t.log.Error("commit source offsets failed; retrying at the next interval", "error", err)
			return
		}
	}
	if r.committer != nil && r.started {
		if err := t.guard("source task Commit", r.committer.Commit); err != nil {
			t.log.Error("source task Commit failed", "error", err)
		}
	}
}

func (r *sourceRunner) shutdown(failure error) {
	t := r.t
	if r.started {
		// A final commit is attempted on failure too (Java does): only acked
		// records count, so it cannot lose anything.
		r.commit(true)
		if err := t.guard("source task Stop", r.st.Stop); err != nil {
			t.log.Error("source task Stop failed", "error", err)
		}
	}
	r.cl.Close()
	r.errs.close()
	r.creator.close()
	r.p.Close(r.t.log, protect)
}

// connectPartitioner honours a source record's explicit partition and lets the
// wrapped partitioner (Java's default: sticky for null keys, murmur2 of the key
// otherwise) choose when the record asks for none (Partition < 0).
type connectPartitioner struct{ def kgo.Partitioner }

func (p connectPartitioner) ForTopic(topic string) kgo.TopicPartitioner {
	return &connectTopicPartitioner{def: p.def.ForTopic(topic)}
}

type connectTopicPartitioner struct{ def kgo.TopicPartitioner }

func (p *connectTopicPartitioner) RequiresConsistency(r *kgo.Record) bool {
	return r.Partition >= 0 || p.def.RequiresConsistency(r)
}

func (p *connectTopicPartitioner) Partition(r *kgo.Record, n int) int {
	if r.Partition >= 0 {
		return int(r.Partition)
	}
	return p.def.Partition(r, n)
}

func (p *connectTopicPartitioner) OnNewBatch() {
	if nb, ok := p.def.(kgo.TopicPartitionerOnNewBatch); ok {
		nb.OnNewBatch()
	}
}

func (p *connectTopicPartitioner) PartitionByBackup(r *kgo.Record, n int, it kgo.TopicBackupIter) int {
	if r.Partition >= 0 {
		return int(r.Partition)
	}
	if bp, ok := p.def.(kgo.TopicBackupPartitioner); ok {
		return bp.PartitionByBackup(r, n, it)
	}
	return p.def.Partition(r, n)
}
