package tolerance

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/goconnect/goconnect/api/connect"
)

// retriesDelayMin is Java's RETRIES_DELAY_MIN_MS: the first backoff, doubled per
// attempt.
const retriesDelayMin = 300 * time.Millisecond

// RawHeader is a Kafka record header as bytes.
type RawHeader struct {
	Key   string
	Value []byte
}

// Raw is a Kafka record as bytes: what a sink consumed, or what a source record is
// rendered as for the DLQ.
type Raw struct {
	Topic         string
	Partition     int32
	Offset        int64
	Key, Value    []byte
	Headers       []RawHeader
	Timestamp     time.Time // zero: none
	TimestampType connect.TimestampType
}

// Subject is the record an operation works on. Exactly one of Consumed (sink) and
// Source (source) is set.
type Subject struct {
	// Consumed is the record as consumed from Kafka (sink tasks).
	Consumed *Raw
	// Source is the record as the source task returned it, before transformations.
	Source *connect.Record
	// Render turns Source into the bytes written to the DLQ; called only when the
	// record failed and a DLQ is configured.
	Render func(*connect.Record) *Raw
	// Done, if set, is called once with the outcome when every reporter is done
	// with a failure of this subject (for a DLQ: when Kafka acked the copy). It
	// may run on another goroutine.
	Done func(error)
}

// Failure is a failed operation on a record, as reporters see it (Java's
// ProcessingContext after an error).
type Failure struct {
	Connector string
	Task      int
	Stage     Stage
	// Class is the Java class name of what executed the stage (converter,
	// transformation or task class).
	Class string
	Err   error
	Subject
}

// Reporter receives every failure (Java's ErrorReporter). Report must not block on
// I/O; it calls done exactly once, possibly later and from another goroutine, when
// the failure is durably reported (or reporting failed).
type Reporter interface {
	Report(f *Failure, done func(error))
}

// Operator is Java's RetryWithToleranceOperator for one task.
type Operator struct {
	cfg       Config
	connector string
	task      int
	reporters []Reporter
	log       *slog.Logger

	failures atomic.Int64

	// now and sleep are time, replaceable by tests. sleep returns false when ctx
	// ended first.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) bool
}

// NewOperator returns the operator of task <connector>-<task>, reporting to
// reporters in order.
func NewOperator(cfg Config, connector string, task int, reporters []Reporter, log *slog.Logger) *Operator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Operator{cfg: cfg, connector: connector, task: task, reporters: reporters, log: log,
		now: time.Now, sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Config returns the operator's configuration.
func (o *Operator) Config() Config { return o.cfg }

// Failures is the number of failed records so far (Java's total-record-failures).
func (o *Operator) Failures() int64 { return o.failures.Load() }

// Execute runs op, one stage of one record. It returns ok when op succeeded. When
// op failed and the failure is tolerated, the record was reported and ok is false
// with a nil error: the caller skips the record. Otherwise the error (a
// *HandlerError, or ctx's error when the task stopped during a retry) fails the
// task; the failure was reported first, as Java reports before it throws.
//
// A retriable error (connect.RetriableError) is retried with Java's backoff while
// errors.retry.timeout allows, and is never reported: if it outlives the timeout
// the task fails, because a record that failed for a transient reason is not a bad
// record. A panic in op counts as a non-retriable error of the stage.
func (o *Operator) Execute(ctx context.Context, stage Stage, class string, subj Subject, op func() error) (ok bool, err error) {
	// The start only matters when failures are retried for a while; the default
	// (errors.retry.timeout=0) never retries, and a clock read for every stage of
	// every record was a visible share of a pipeline's CPU.
	var start time.Time
	if o.cfg.RetryTimeout != 0 {
		start = o.now()
	}
	for attempt := 1; ; attempt++ {
		err := protect(op)
		if err == nil {
			return true, nil
		}
		var re *connect.RetriableError
		if errors.As(err, &re) {
			if o.cfg.RetryTimeout < 0 || o.now().Sub(start) < o.cfg.RetryTimeout {
				if !o.sleep(ctx, o.backoff(attempt, start, re.Backoff)) {
					return false, ctx.Err()
				}
				continue
			}
			return false, &HandlerError{Kind: ErrRetriesExhausted, Stage: stage, Class: class, Err: err}
		}
		o.failures.Add(1)
		o.report(&Failure{Connector: o.connector, Task: o.task, Stage: stage, Class: class, Err: err, Subject: subj})
		switch {
		case !stage.tolerable():
			return false, &HandlerError{Kind: ErrUnhandled, Stage: stage, Class: class, Err: err}
		case !o.cfg.TolerateAll:
			return false, &HandlerError{Kind: ErrToleranceExceeded, Stage: stage, Class: class, Err: err}
		}
		return false, nil
	}
}

// ReportFailed reports a record that already failed outside the operator (Java's
// executeFailed, used by the ErrantRecordReporter of sink tasks and for produce
// failures). It returns a *HandlerError when errors.tolerance=none. Safe to call
// from any goroutine.
func (o *Operator) ReportFailed(stage Stage, class string, subj Subject, err error) error {
	o.failures.Add(1)
	o.report(&Failure{Connector: o.connector, Task: o.task, Stage: stage, Class: class, Err: err, Subject: subj})
	if !o.cfg.TolerateAll {
		return &HandlerError{Kind: ErrToleranceExceeded, Stage: stage, Class: class, Err: err}
	}
	return nil
}

// report hands f to every reporter and calls f.Done once all of them are done.
func (o *Operator) report(f *Failure) {
	n := int32(len(o.reporters))
	if n == 0 {
		if f.Done != nil {
			f.Done(nil)
		}
		return
	}
	var left atomic.Int32
	left.Store(n)
	var first atomic.Pointer[error]
	for _, r := range o.reporters {
		r.Report(f, func(err error) {
			if err != nil {
				first.CompareAndSwap(nil, &err)
			}
			if left.Add(-1) == 0 && f.Done != nil {
				var e error
				if p := first.Load(); p != nil {
					e = *p
				}
				f.Done(e)
			}
		})
	}
}

// backoff is Java's RetryWithToleranceOperator.backoff: 300 ms doubled per attempt,
// a random delay below errors.retry.delay.max.ms once that is exceeded, never past
// the deadline. A RetriableError naming its own backoff is honoured within the same
// bounds.
func (o *Operator) backoff(attempt int, start time.Time, asked time.Duration) time.Duration {
	delay := retriesDelayMin << min(attempt-1, 30)
	if asked > 0 {
		delay = asked
	}
	if delay > o.cfg.RetryMaxDelay {
		if o.cfg.RetryMaxDelay > 0 {
			delay = rand.N(o.cfg.RetryMaxDelay)
		} else {
			delay = 0
		}
	}
	if o.cfg.RetryTimeout >= 0 {
		if left := start.Add(o.cfg.RetryTimeout).Sub(o.now()); delay > left {
			delay = max(left, 0)
		}
	}
	return delay
}

func protect(op func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return op()
}
