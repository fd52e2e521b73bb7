package wire

import (
	"errors"
	"time"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
)

// RemoteError is an error returned by plugin code in the plugin process. Its
// message is the plugin's, unchanged, so a task's FAILED trace reads the same
// as for a built-in connector.
type RemoteError struct {
	Message string
	// Panic reports a panic recovered in the plugin process; Message has the stack.
	Panic bool
	data  bool
}

func (e *RemoteError) Error() string { return e.Message }

// Is makes errors.Is(err, data.ErrData) hold for data errors, as in-process.
func (e *RemoteError) Is(target error) bool { return e.data && target == data.ErrData }

// EncodeError encodes err; nil encodes as nil.
func EncodeError(err error) *pb.Error {
	if err == nil {
		return nil
	}
	pe := &pb.Error{Message: err.Error(), Data: errors.Is(err, data.ErrData)}
	var re *connect.RetriableError
	if errors.As(err, &re) {
		pe.Retriable = true
		pe.BackoffNanos = int64(re.Backoff)
	}
	var rem *RemoteError
	if errors.As(err, &rem) && rem.Panic {
		pe.Panic = true
	}
	return pe
}

// DecodeError decodes an error; nil decodes as nil. Retriable errors come back
// as *connect.RetriableError so the runtime's errors.As checks work unchanged.
func DecodeError(pe *pb.Error) error {
	if pe == nil {
		return nil
	}
	var err error = &RemoteError{Message: pe.Message, Panic: pe.Panic, data: pe.Data}
	if pe.Retriable {
		err = &connect.RetriableError{Err: err, Backoff: time.Duration(pe.BackoffNanos)}
	}
	return err
}
