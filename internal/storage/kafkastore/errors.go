package kafkastore

import "errors"

// ErrClosed is returned by operations on a Log or store after Close.
var ErrClosed = errors.New("kafkastore: closed")

// ConfigError is a misconfigured internal topic (Java's ConfigException): the worker
// must refuse to start. Msg is Java's exact text, so that operators searching for
// it find the Java documentation and answers too.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }
