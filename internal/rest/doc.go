// Package rest serves Kafka Connect's REST API over a herder.Herder: every endpoint
// of standalone mode, with Java's status codes, JSON field names, Location headers
// and {"error_code":N,"message":"..."} error bodies, including the bodies Java's
// JAX-RS stack produces for unknown paths (404), wrong methods (405), wrong media
// types (415) and unreadable bodies (500). Handlers return errors; one table maps
// herder error kinds to statuses and one function renders them.
//
// The package never touches Kafka clients: everything goes through herder.Herder,
// the plugin registry and the Loggers interface.
package rest
