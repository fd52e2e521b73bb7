package tolerance

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// Messages of the errors the operator fails a task with; the first two are Java's
// ConnectException messages, word for word, since users grep logs for them.
const (
	msgToleranceExceeded = "Tolerance exceeded in error handler"
	msgUnhandled         = "Unhandled exception in error handler"
	msgRetriesExhausted  = "Retriable error not resolved within errors.retry.timeout"
)

// Sentinel errors, matched with errors.Is on a *HandlerError.
var (
	// ErrToleranceExceeded: a record failed and errors.tolerance=none.
	ErrToleranceExceeded = errors.New(msgToleranceExceeded)
	// ErrUnhandled: a stage that tolerates only retriable errors saw another error.
	ErrUnhandled = errors.New(msgUnhandled)
	// ErrRetriesExhausted: a retriable error outlived errors.retry.timeout.
	ErrRetriesExhausted = errors.New(msgRetriesExhausted)
)

// HandlerError fails a task: the operator gave up on a record. Err is the stage's own
// error.
type HandlerError struct {
	Kind  error // one of the sentinels above
	Stage Stage
	Class string
	Err   error
}

func (e *HandlerError) Error() string {
	return fmt.Sprintf("%s: executing stage '%s' with class '%s': %v", e.Kind, e.Stage, e.Class, e.Err)
}

// Unwrap exposes both the kind and the cause.
func (e *HandlerError) Unwrap() []error { return []error{e.Kind, e.Err} }

// Trace renders the error the way Java's status trace shows a ConnectException
// with its cause, so a task status reads as Java's does.
func (e *HandlerError) Trace() string {
	return "org.apache.kafka.connect.errors.ConnectException: " + e.Kind.Error() + "\n" +
		"\tat executing stage '" + e.Stage.String() + "' with class '" + e.Class + "'\n" +
		"Caused by: " + Stacktrace(e.Err)
}

// ExceptionClass names the Java exception class an error stands for, as
// __connect.errors.exception.class.name shows it: an error can say so itself with a
// JavaClass method; data errors are DataException, retriable ones
// RetriableException, recovered panics RuntimeException, and the rest
// ConnectException.
func ExceptionClass(err error) string {
	var jc interface{ JavaClass() string }
	var re *connect.RetriableError
	var pe *panicError
	switch {
	case errors.As(err, &jc):
		return jc.JavaClass()
	case errors.As(err, &pe):
		return "java.lang.RuntimeException"
	case errors.As(err, &re):
		return "org.apache.kafka.connect.errors.RetriableException"
	case errors.Is(err, data.ErrData):
		return "org.apache.kafka.connect.errors.DataException"
	}
	return "org.apache.kafka.connect.errors.ConnectException"
}

// ExceptionMessage is the error's message as Java's getMessage would give it: the
// "data error: " marker Go's data errors carry is not part of Java's text.
func ExceptionMessage(err error) string {
	return strings.Replace(err.Error(), data.ErrData.Error()+": ", "", 1)
}

// Stacktrace renders err as __connect.errors.exception.stacktrace. Go errors carry
// no stack, so the text is Java's shape without frames: "<class>: <message>", then
// one "Caused by:" line per wrapped error whose message adds something (panics add
// the goroutine stack).
func Stacktrace(err error) string {
	var b strings.Builder
	b.WriteString(ExceptionClass(err) + ": " + ExceptionMessage(err) + "\n")
	var pe *panicError
	if errors.As(err, &pe) {
		b.Write(pe.stack)
	}
	prev := err.Error()
	for cur := errors.Unwrap(err); cur != nil; cur = errors.Unwrap(cur) {
		msg := cur.Error()
		if msg == prev || cur == data.ErrData {
			continue
		}
		b.WriteString("Caused by: " + ExceptionClass(cur) + ": " + ExceptionMessage(cur) + "\n")
		prev = msg
	}
	return b.String()
}

// panicError is a panic recovered from a stage; Java would see a RuntimeException.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }
