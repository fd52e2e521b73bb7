// Package protocol encodes and decodes the Kafka Connect group protocol: the JoinGroup member
// metadata and the SyncGroup assignments that distributed workers exchange through the group
// coordinator (protocol type "connect").
//
// Three subprotocols exist, all readable by the same decoders:
//
//   - "default" (version 0, connect.protocol=eager): metadata carries the worker's REST URL and
//     config-topic offset; an assignment lists everything the member must run.
//   - "compatible" (version 1, KIP-415): metadata also carries the member's current allocation,
//     and an assignment lists only what to add, what to revoke, and a scheduled rebalance delay.
//   - "sessioned" (version 2, KIP-507): byte-for-byte the version 1 layout with version 2 in the
//     headers; choosing it turns on request signing for the internal REST endpoints.
//
// The byte layouts are Java's (ConnectProtocol and IncrementalCooperativeConnectProtocol in
// connect-runtime); testdata/golden holds bytes written by the real Java classes and
// testdata/java/regen.sh rewrites them. The decoders are as tolerant as Java's: any version >= 0
// is accepted and read with the newest layout, missing trailing fields take their defaults
// (null arrays, no allocation, delay 0), and trailing bytes are ignored, which is what lets a
// Java worker and a goconnect worker of different versions share a group.
//
// The package is pure: no I/O, no clocks. The assignor (package assign) decides what goes into
// an Assignment; the distributed herder sends the bytes with franz-go's kmsg requests.
package protocol
