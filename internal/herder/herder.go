package herder

import "context"

// Herder owns cluster state (connector configs, target states, task assignment) and
// serves the REST API. Every method is called from an HTTP handler goroutine; an
// implementation serializes them on its own state goroutine. ctx bounds the call:
// when it expires the method returns ErrTimeout (REST answers 500 "Request timed
// out"). Errors are *Error values (or wrap one) so REST can map them to statuses;
// anything else is a 500.
type Herder interface {
	// ServerInfo answers GET /.
	ServerInfo() ServerInfo
	// Health returns nil when the herder handles requests (GET /health); an error
	// of kind ErrUnavailable while starting.
	Health(ctx context.Context) error

	// Connectors lists connector names, sorted.
	Connectors(ctx context.Context) ([]string, error)
	// ConnectorInfo returns name, config, tasks and type; ErrNotFound
	// "Connector X not found".
	ConnectorInfo(ctx context.Context, name string) (ConnectorInfo, error)
	// ConnectorConfig returns the config as submitted (placeholders intact).
	ConnectorConfig(ctx context.Context, name string) (map[string]string, error)
	// PutConnectorConfig validates and creates or replaces a connector. With
	// allowReplace false an existing connector is ErrAlreadyExists
	// "Connector X already exists". initial is the target state of a new connector
	// ("" = STARTED). created tells 201 from 200.
	PutConnectorConfig(ctx context.Context, name string, config map[string]string, allowReplace bool, initial TargetState) (info ConnectorInfo, created bool, err error)
	// PatchConnectorConfig merges patch (nil value = remove key) into the existing
	// config, validates and applies it.
	PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (ConnectorInfo, error)
	// DeleteConnector stops and removes a connector.
	DeleteConnector(ctx context.Context, name string) error

	// ConnectorStatus returns the connector's and its tasks' statuses.
	ConnectorStatus(ctx context.Context, name string) (ConnectorStateInfo, error)
	// TaskStatus returns one task's status; ErrNotFound "No status found for task X-n".
	TaskStatus(ctx context.Context, id TaskID) (StateInfo, error)
	// TaskConfigs returns the task configs as stored.
	TaskConfigs(ctx context.Context, name string) ([]TaskInfo, error)

	// RestartConnector restarts a connector and, per flags, its tasks. It returns nil
	// for the plain restart (REST 204) and the restart plan otherwise (REST 202).
	RestartConnector(ctx context.Context, name string, includeTasks, onlyFailed bool) (*ConnectorStateInfo, error)
	// RestartTask restarts one task.
	RestartTask(ctx context.Context, id TaskID) error
	// PauseConnector, ResumeConnector and StopConnector set the target state.
	PauseConnector(ctx context.Context, name string) error
	ResumeConnector(ctx context.Context, name string) error
	StopConnector(ctx context.Context, name string) error

	// Offsets returns the connector's committed offsets.
	Offsets(ctx context.Context, name string) (ConnectorOffsets, error)
	// AlterOffsets changes offsets of a STOPPED connector.
	AlterOffsets(ctx context.Context, name string, offsets ConnectorOffsets) (Message, error)
	// ResetOffsets deletes every offset of a STOPPED connector.
	ResetOffsets(ctx context.Context, name string) (Message, error)

	// ActiveTopics returns the topics the connector used (KIP-558).
	ActiveTopics(ctx context.Context, name string) ([]string, error)
	// ResetActiveTopics empties that set.
	ResetActiveTopics(ctx context.Context, name string) error

	// ValidateConfig validates a connector config (PUT .../config/validate).
	ValidateConfig(ctx context.Context, config map[string]string) (ConfigInfos, error)
}
