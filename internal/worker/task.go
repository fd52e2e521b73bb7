package worker

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/herder"
)

// runner is the source or sink loop of a task.
type runner interface {
	// execute starts the plugin task and runs the loop until the task is stopped
	// (nil) or fails (the error). Panics are recovered by task.main.
	execute() error
	// shutdown runs after execute, whatever its outcome: final commit, plugin Stop,
	// closing clients. failure is execute's error (nil on a clean stop).
	shutdown(failure error)
	// release frees what newTask built when the task never ran.
	release()
	// wake interrupts a blocking wait of the loop so it sees a new target state;
	// called from any goroutine.
	wake()
}

// task is the lifecycle shared by source and sink tasks (Java's WorkerTask): a
// goroutine running a runner, with the three verbs stop (graceful), cancel
// (abandon) and waiting on done.
type task struct {
	w   *Worker
	id  herder.TaskID
	log *slog.Logger
	r   runner
	// class is the task's Java class name (registry TaskClass), for error reports.
	class string

	// ctx is cancelled by stop: it is the ctx of Poll and Put, so plugin calls
	// return promptly. hardCtx is cancelled by cancel only: it bounds work that must
	// survive a graceful stop (in-flight produces, final commits).
	ctx        context.Context
	stopFn     context.CancelFunc
	hardCtx    context.Context
	hardCancel context.CancelFunc
	done       chan struct{}

	cancelled atomic.Bool

	// mu guards target; targetCh (1-buffered) signals a change to the task goroutine.
	mu       sync.Mutex
	target   herder.TargetState
	targetCh chan struct{}
}

func (w *Worker) newTask(id herder.TaskID, connProps, taskProps map[string]string, target herder.TargetState) (*task, error) {
	t := &task{
		w: w, id: id, target: target,
		log:      w.log.With("connector", id.Connector, "task", id.Task),
		done:     make(chan struct{}),
		targetCh: make(chan struct{}, 1),
	}
	t.hardCtx, t.hardCancel = context.WithCancel(context.Background())
	t.ctx, t.stopFn = context.WithCancel(t.hardCtx)

	pl, src, snk, err := w.newTaskInstance(connProps)
	if err != nil {
		return nil, err
	}
	t.class = pl.TaskClass
	p, err := w.newPipeline(connProps)
	if err != nil {
		return nil, err
	}
	connProps, taskProps = maps.Clone(connProps), maps.Clone(taskProps)
	if src != nil {
		t.r, err = newSourceRunner(t, src, p, connProps, taskProps)
	} else {
		t.r, err = newSinkRunner(t, snk, p, connProps, taskProps)
	}
	if err != nil {
		p.Close(t.log, protect)
		return nil, err
	}
	return t, nil
}

// main is the task goroutine.
func (t *task) main() {
	defer close(t.done)
	defer t.hardCancel()
	err := t.guard("task", t.r.execute)
	if serr := t.guard("task shutdown", func() error { t.r.shutdown(err); return nil }); serr != nil && err == nil {
		err = serr
	}
	switch {
	case err != nil:
		t.log.Error("task failed", "error", err)
		t.report(herder.StateFailed, trace(err))
	default:
		t.report(herder.StateUnassigned, "")
	}
}

// guard runs f, turning a panic anywhere in the task goroutine (plugin code,
// converters, transformations) into an error with the stack. One recover at this
// level costs nothing per record, unlike wrapping each plugin call.
func (t *task) guard(what string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{what: what, value: v, stack: debug.Stack()}
		}
	}()
	return f()
}

// report sends a task status unless the task was cancelled (Java suppresses the
// statuses of abandoned tasks so they cannot overwrite a restarted task's).
func (t *task) report(s herder.State, tr string) {
	if !t.cancelled.Load() {
		t.w.status.TaskStatus(t.id, s, tr)
	}
}

// stop asks the task to finish gracefully; it does not block.
func (t *task) stop() { t.stopFn() }

// stopping reports whether stop (or cancel) was called.
func (t *task) stopping() bool { return t.ctx.Err() != nil }

// cancel abandons the task: statuses are suppressed and in-flight work aborted.
func (t *task) cancel() {
	t.cancelled.Store(true)
	t.hardCancel()
}

func (t *task) setTarget(target herder.TargetState) {
	t.mu.Lock()
	t.target = target
	t.mu.Unlock()
	select {
	case t.targetCh <- struct{}{}:
	default:
	}
	t.r.wake()
}

// paused reports whether the target state keeps the task from processing.
func (t *task) paused() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.target != herder.TargetStarted
}

func (t *task) name() string { return fmt.Sprintf("%s-%d", t.id.Connector, t.id.Task) }

// taskContext is the part of the source and sink task contexts they share.
type taskContext struct{ props map[string]string }

func (c *taskContext) Config() map[string]string { return maps.Clone(c.props) }

var _ connect.SourceTaskContext = (*sourceTaskContext)(nil)
var _ connect.SinkTaskContext = (*sinkTaskContext)(nil)
