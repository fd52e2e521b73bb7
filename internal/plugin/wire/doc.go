// Package wire converts between the author API (api/connect, api/data,
// api/config) and the protocol messages of internal/plugin/proto, and holds
// the process handshake. Both sides of the boundary use it: the worker
// (internal/plugin) and the plugin SDK (pluginsdk), so a value encoded by one
// decodes to an equal value in the other.
//
// Fidelity is the point: every Connect type, logical types, optional, default,
// name, version, doc and parameters, structs, maps with non-string keys and
// headers survive the trip (pinned by roundtrip_test.go). Errors keep their
// message, retriable flag and backoff, and whether they were data errors or
// recovered panics.
package wire
