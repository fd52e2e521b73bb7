package protocol

import "errors"

// ErrMalformed is wrapped by every decoding error: the bytes end early or hold a value Java's
// reader rejects (a negative string length, a null where the schema has no null).
var ErrMalformed = errors.New("malformed connect protocol bytes")

// ErrUnsupportedVersion is returned for a header version below 0, the only versions Java refuses.
var ErrUnsupportedVersion = errors.New("unsupported connect protocol version")

// ErrUnknownProtocol is returned by the parsers of protocol names and connect.protocol values.
var ErrUnknownProtocol = errors.New("unknown connect protocol")

// ErrTooLong is returned when a string does not fit Kafka's INT16 length prefix.
var ErrTooLong = errors.New("string too long for the connect protocol")
