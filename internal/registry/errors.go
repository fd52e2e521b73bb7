package registry

import (
	"errors"
	"fmt"
)

// Sentinel errors of lookups, matched with errors.Is.
var (
	ErrNotFound  = errors.New("plugin not found")
	ErrAmbiguous = errors.New("ambiguous plugin alias")
)

// lookupError carries Java's user-facing message while matching a sentinel, so the
// REST layer can show Message as is.
type lookupError struct {
	kind error
	msg  string
}

func (e *lookupError) Error() string        { return e.msg }
func (e *lookupError) Is(target error) bool { return target == e.kind }

func errorf(kind error, format string, args ...any) error {
	return &lookupError{kind: kind, msg: fmt.Sprintf(format, args...)}
}
