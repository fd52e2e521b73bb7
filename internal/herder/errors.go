package herder

import (
	"errors"
	"fmt"
)

// Error kinds. The REST layer maps each to an HTTP status (its one table of
// errors); Error() of an error made with Errorf is the user-facing message as is.
var (
	ErrNotFound      = errors.New("not found")      // 404
	ErrAlreadyExists = errors.New("already exists") // 409
	ErrBadRequest    = errors.New("bad request")    // 400
	ErrConflict      = errors.New("conflict")       // 409 (rebalance, stale config)
	ErrForbidden     = errors.New("forbidden")      // 403
	ErrUnavailable   = errors.New("unavailable")    // 503
	ErrTimeout       = errors.New("timeout")        // 500 "Request timed out"
)

// Error is a herder error: a kind and Java's message.
type Error struct {
	Kind    error
	Message string
}

func (e *Error) Error() string        { return e.Message }
func (e *Error) Is(target error) bool { return target == e.Kind }

// Errorf returns an *Error of kind with a formatted message.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}
