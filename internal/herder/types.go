package herder

import "encoding/json"

// TargetState is the state a user asked a connector to be in (config topic values).
type TargetState string

// Target states.
const (
	TargetStarted TargetState = "STARTED"
	TargetPaused  TargetState = "PAUSED"
	TargetStopped TargetState = "STOPPED"
)

// State is a reported connector or task state (status topic / REST values).
type State string

// Reported states.
const (
	StateUnassigned State = "UNASSIGNED"
	StateRunning    State = "RUNNING"
	StatePaused     State = "PAUSED"
	StateStopped    State = "STOPPED"
	StateFailed     State = "FAILED"
	StateRestarting State = "RESTARTING"
	// StateDestroyed is internal: written as a tombstone, never shown.
	StateDestroyed State = "DESTROYED"
)

// ConnectorType is "source", "sink" or "unknown".
type ConnectorType string

// Connector types.
const (
	TypeSource  ConnectorType = "source"
	TypeSink    ConnectorType = "sink"
	TypeUnknown ConnectorType = "unknown"
)

// TaskID is Java's ConnectorTaskId.
type TaskID struct {
	Connector string `json:"connector"`
	Task      int    `json:"task"`
}

// ServerInfo is the body of GET /.
type ServerInfo struct {
	Version        string `json:"version"`
	Commit         string `json:"commit"`
	KafkaClusterID string `json:"kafka_cluster_id"`
	// GoconnectVersion is goconnect's own version, an extra field clients ignore.
	GoconnectVersion string `json:"goconnect_version,omitempty"`
}

// ConnectorInfo is the body of create/get/put/patch connector responses.
type ConnectorInfo struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	Tasks  []TaskID          `json:"tasks"`
	Type   ConnectorType     `json:"type"`
}

// StateInfo is the status of a connector (no ID) or a task (with ID).
type StateInfo struct {
	ID       *int   `json:"id,omitempty"`
	State    State  `json:"state"`
	WorkerID string `json:"worker_id"`
	Trace    string `json:"trace,omitempty"`
	// Version of the running plugin (4.x adds it); omitted when empty.
	Version string `json:"version,omitempty"`
}

// ConnectorStateInfo is the body of /status (and restart plans).
type ConnectorStateInfo struct {
	Name      string        `json:"name"`
	Connector StateInfo     `json:"connector"`
	Tasks     []StateInfo   `json:"tasks"`
	Type      ConnectorType `json:"type"`
}

// TaskInfo is one element of GET /connectors/{name}/tasks.
type TaskInfo struct {
	ID     TaskID            `json:"id"`
	Config map[string]string `json:"config"`
}

// PartitionOffset is one element of ConnectorOffsets. Offset nil means reset.
type PartitionOffset struct {
	Partition map[string]any `json:"partition"`
	Offset    map[string]any `json:"offset"`
}

// ConnectorOffsets is the body of GET/PATCH /connectors/{name}/offsets.
type ConnectorOffsets struct {
	Offsets []PartitionOffset `json:"offsets"`
}

// Message is the body of PATCH/DELETE offsets responses.
type Message struct {
	Message string `json:"message"`
}

// ConfigKeyInfo is Java's ConfigKeyInfo.
type ConfigKeyInfo struct {
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Required      bool     `json:"required"`
	DefaultValue  *string  `json:"default_value"`
	Importance    string   `json:"importance"`
	Documentation string   `json:"documentation"`
	Group         *string  `json:"group"`
	OrderInGroup  int      `json:"order_in_group"`
	Width         string   `json:"width"`
	DisplayName   string   `json:"display_name"`
	Dependents    []string `json:"dependents"`
}

// ConfigValueInfo is Java's ConfigValueInfo.
type ConfigValueInfo struct {
	Name              string   `json:"name"`
	Value             *string  `json:"value"`
	RecommendedValues []string `json:"recommended_values"`
	Errors            []string `json:"errors"`
	Visible           bool     `json:"visible"`
}

// ConfigInfo pairs a definition with a validated value; either may be nil.
type ConfigInfo struct {
	Definition *ConfigKeyInfo   `json:"definition"`
	Value      *ConfigValueInfo `json:"value"`
}

// ConfigInfos is the body of PUT /connector-plugins/{p}/config/validate.
type ConfigInfos struct {
	Name       string       `json:"name"`
	ErrorCount int          `json:"error_count"`
	Groups     []string     `json:"groups"`
	Configs    []ConfigInfo `json:"configs"`
}

// PluginInfo is one element of GET /connector-plugins.
type PluginInfo struct {
	Class   string `json:"class"`
	Type    string `json:"type"`
	Version string `json:"version,omitempty"`
}

// LoggerLevel is one logger's level in /admin/loggers.
type LoggerLevel struct {
	Level        string `json:"level"`
	LastModified *int64 `json:"last_modified"`
}

// CreateRequest is the body of POST /connectors.
type CreateRequest struct {
	Name         string            `json:"name"`
	Config       map[string]string `json:"config"`
	InitialState TargetState       `json:"initial_state,omitempty"`
}

// Raw is a JSON value relayed as is.
type Raw = json.RawMessage
