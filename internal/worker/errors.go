package worker

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrTooManyTasks is Java's TooManyTasksException: a connector generated more
	// task configs than tasks.max while tasks.max.enforce is true.
	ErrTooManyTasks = errors.New("too many tasks")
	// ErrNotRunning is returned for operations on a connector that is not running here.
	ErrNotRunning = errors.New("connector not running")
	// ErrAlreadyRunning is returned when starting a connector or task twice.
	ErrAlreadyRunning = errors.New("already running")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("worker closed")
)

// panicError is a recovered plugin panic; its trace carries the stack.
type panicError struct {
	what  string
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("%s panicked: %v", e.what, e.value) }

// pluginError marks an error returned by plugin code, so the status trace shows the
// plugin's own message rather than the runtime's wrapping.
type pluginError struct{ err error }

func (e *pluginError) Error() string { return e.err.Error() }
func (e *pluginError) Unwrap() error { return e.err }

// fromPlugin marks a non-nil error returned by plugin code.
func fromPlugin(err error) error {
	if err == nil {
		return nil
	}
	return &pluginError{err}
}

// traceHead is the exception class Java Kafka Connect names in the first line of a
// failure trace; clients and scripts that parse traces look for it.
const traceHead = "org.apache.kafka.connect.errors.ConnectException: "

// trace renders err as the status trace, shaped like Java's: a first line
// "org.apache.kafka.connect.errors.ConnectException: <message>" with the plugin's
// message (the runtime's own wrapping is left out), then one "Caused by: " line per
// cause that Go's "message: %w" convention appended to it, and for panics the
// goroutine stack where Java shows the exception stack.
func trace(err error) string {
	var tr interface{ Trace() string }
	if errors.As(err, &tr) {
		return err.Error() + "\n\n" + tr.Trace()
	}
	var pe *panicError
	isPanic := errors.As(err, &pe)
	// The innermost plugin error carries the plugin's own message; what wraps it
	// is the runtime's context.
	for e := err; e != nil; e = errors.Unwrap(e) {
		if plug, ok := e.(*pluginError); ok {
			err = plug.err
		}
	}
	var b strings.Builder
	b.WriteString(traceHead)
	first := true
	for err != nil {
		msg, cause := err.Error(), errors.Unwrap(err)
		if cause != nil {
			if head, ok := strings.CutSuffix(msg, ": "+cause.Error()); ok {
				msg = head
			} else {
				cause = nil // not "message: cause": keep the text whole
			}
		}
		if !first {
			b.WriteString("\nCaused by: ")
		}
		b.WriteString(msg)
		first = false
		err = cause
	}
	if isPanic {
		b.WriteString("\n\n")
		b.Write(pe.stack)
	}
	return b.String()
}

// protect calls f and turns a panic into a *panicError, so a misbehaving plugin
// fails only its connector or task.
func protect(what string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &pluginError{&panicError{what: what, value: v, stack: debug.Stack()}}
		}
	}()
	if err := f(); err != nil {
		return &pluginError{err}
	}
	return nil
}
