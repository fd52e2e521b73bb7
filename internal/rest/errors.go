package rest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/goconnect/goconnect/internal/herder"
)

// apiError is an error with the HTTP status and message the client sees.
type apiError struct {
	status  int
	message string
	// bare errors come from the routing layer and, as Jersey's, carry no
	// Content-Type header.
	bare bool
}

func (e *apiError) Error() string { return e.message }

func errorf(status int, msg string) error { return &apiError{status: status, message: msg} }

// Routing errors, with Jersey's messages.
var (
	errNotFound         = &apiError{status: http.StatusNotFound, message: "HTTP 404 Not Found", bare: true}
	errMethodNotAllowed = &apiError{status: http.StatusMethodNotAllowed, message: "HTTP 405 Method Not Allowed", bare: true}
	errUnsupportedMedia = &apiError{status: http.StatusUnsupportedMediaType, message: "HTTP 415 Unsupported Media Type", bare: true}
	// errParamNotFound is Jersey's answer to a path parameter that does not convert
	// (a non-numeric task id); unlike errNotFound it goes through the JSON mapper.
	errParamNotFound = &apiError{status: http.StatusNotFound, message: "HTTP 404 Not Found"}
)

// statusOf is the one table from herder error kinds to HTTP statuses (Java's
// ConnectExceptionMapper); anything unknown is a 500.
var statusOf = []struct {
	kind   error
	status int
}{
	{herder.ErrNotFound, http.StatusNotFound},
	{herder.ErrAlreadyExists, http.StatusConflict},
	{herder.ErrBadRequest, http.StatusBadRequest},
	{herder.ErrConflict, http.StatusConflict},
	{herder.ErrForbidden, http.StatusForbidden},
	{herder.ErrUnavailable, http.StatusServiceUnavailable},
	{herder.ErrTimeout, http.StatusInternalServerError},
}

// errorBody is Java's ErrorMessage.
type errorBody struct {
	ErrorCode int    `json:"error_code"`
	Message   string `json:"message"`
}

// toAPIError maps any error to its status and message.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, herder.ErrTimeout) {
		return &apiError{status: http.StatusInternalServerError, message: "Request timed out"}
	}
	for _, s := range statusOf {
		if errors.Is(err, s.kind) {
			msg := err.Error()
			if s.kind == herder.ErrTimeout && msg == herder.ErrTimeout.Error() {
				msg = "Request timed out"
			}
			return &apiError{status: s.status, message: msg}
		}
	}
	return &apiError{status: http.StatusInternalServerError, message: err.Error()}
}

// writeError renders err as Java's error body.
func writeError(w http.ResponseWriter, err error) {
	ae := toAPIError(err)
	b, _ := json.Marshal(errorBody{ErrorCode: ae.status, Message: ae.message})
	if ae.bare {
		// Suppress net/http's sniffed Content-Type: Jersey sends none here.
		w.Header()["Content-Type"] = nil
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(ae.status)
	_, _ = w.Write(b)
}

// javaExceptionMessage is the message of a Java ExecutionException wrapping a
// herder error, as the validate endpoint shows it ("<exception class>: <message>").
func javaExceptionMessage(err error) string {
	switch {
	case errors.Is(err, herder.ErrBadRequest):
		return "org.apache.kafka.connect.runtime.rest.errors.BadRequestException: " + err.Error()
	case errors.Is(err, herder.ErrNotFound):
		return "org.apache.kafka.connect.errors.NotFoundException: " + err.Error()
	}
	return "org.apache.kafka.connect.errors.ConnectException: " + err.Error()
}
