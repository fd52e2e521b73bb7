package worker

import (
	"errors"
	"fmt"
	"runtime/debug"
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

// trace renders err as the status trace: the error text, plus the goroutine stack
// for panics (Java shows the exception stack trace there).
func trace(err error) string {
	var pe *panicError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s\n\n%s", err.Error(), pe.stack)
	}
	return err.Error()
}

// protect calls f and turns a panic into a *panicError, so a misbehaving plugin
// fails only its connector or task.
func protect(what string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{what: what, value: v, stack: debug.Stack()}
		}
	}()
	return f()
}
