// Package distributed is the distributed herder (Java's DistributedHerder,
// WorkerCoordinator and WorkerGroupMember): workers sharing a group.id form a
// cluster through Kafka's group membership (protocol type "connect", package
// protocol), the group leader assigns connectors and tasks (package assign), and
// cluster state lives in the config, status and offsets topics (package
// internal/storage/kafkastore).
//
// One goroutine, the loop, owns the herder's state; REST calls, config-topic
// events, heartbeat results and connector reconfiguration requests reach it as
// messages. docs/distributed.md describes the flows.
package distributed
