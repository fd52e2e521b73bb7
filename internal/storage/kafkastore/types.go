package kafkastore

// The state vocabulary of the internal topics. These mirror internal/herder's
// TargetState, State and TaskID (same names, same values; a herder converts with a
// plain type conversion) instead of importing them: internal/herder pulls in the
// plugin registry and every built-in plugin, which a storage package has no
// business depending on, and the distributed herder imports this package.

// TargetState is a connector's target state as stored in target-state- records.
type TargetState string

// Target states.
const (
	TargetStarted TargetState = "STARTED"
	TargetPaused  TargetState = "PAUSED"
	TargetStopped TargetState = "STOPPED"
)

// State is a connector or task state as stored in status records.
type State string

// States. DESTROYED is never stored: it is written as a tombstone.
const (
	StateUnassigned State = "UNASSIGNED"
	StateRunning    State = "RUNNING"
	StatePaused     State = "PAUSED"
	StateStopped    State = "STOPPED"
	StateFailed     State = "FAILED"
	StateRestarting State = "RESTARTING"
	StateDestroyed  State = "DESTROYED"
)

// TaskID identifies a task: connector name and task number (Java's ConnectorTaskId).
type TaskID struct {
	Connector string
	Task      int
}
