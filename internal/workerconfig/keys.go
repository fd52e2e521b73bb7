package workerconfig

import (
	"fmt"
	"strings"

	"github.com/goconnect/goconnect/api/config"
)

// Automatic restart defaults for every connector (goconnect extension; a
// connector config may override each; see internal/herder/autorestart.go).
const (
	ErrorsRestartEnable         = "errors.restart.enable"
	ErrorsRestartBackoffInitial = "errors.restart.backoff.initial.ms"
	ErrorsRestartBackoffMax     = "errors.restart.backoff.max.ms"
	// RestMaskPasswords hides literal PASSWORD-type values in connector configs
	// returned by REST (herder.MaskPasswordsConfig).
	RestMaskPasswords = "rest.connector.config.mask.passwords"
)

// Worker configuration keys (Java names).
const (
	BootstrapServers                = "bootstrap.servers"
	ClientDNSLookup                 = "client.dns.lookup"
	KeyConverter                    = "key.converter"
	ValueConverter                  = "value.converter"
	HeaderConverter                 = "header.converter"
	KeyConverterVersion             = "key.converter.plugin.version"
	ValueConverterVersion           = "value.converter.plugin.version"
	HeaderConverterVersion          = "header.converter.plugin.version"
	TaskShutdownGracefulTimeoutMs   = "task.shutdown.graceful.timeout.ms"
	OffsetFlushIntervalMs           = "offset.flush.interval.ms"
	OffsetFlushTimeoutMs            = "offset.flush.timeout.ms"
	PluginPath                      = "plugin.path"
	PluginDiscovery                 = "plugin.discovery"
	ConfigProviders                 = "config.providers"
	ConnectorClientPolicy           = "connector.client.config.override.policy"
	MetricsSampleWindowMs           = "metrics.sample.window.ms"
	MetricsNumSamples               = "metrics.num.samples"
	MetricsRecordingLevel           = "metrics.recording.level"
	MetricReporters                 = "metric.reporters"
	TopicTrackingEnable             = "topic.tracking.enable"
	TopicTrackingAllowReset         = "topic.tracking.allow.reset"
	TopicCreationEnable             = "topic.creation.enable"
	Listeners                       = "listeners"
	RestAdvertisedHostName          = "rest.advertised.host.name"
	RestAdvertisedPort              = "rest.advertised.port"
	RestAdvertisedListener          = "rest.advertised.listener"
	AdminListeners                  = "admin.listeners"
	RestExtensionClasses            = "rest.extension.classes"
	AccessControlAllowOrigin        = "access.control.allow.origin"
	AccessControlAllowMethods       = "access.control.allow.methods"
	ResponseHTTPHeaders             = "response.http.headers.config"
	SSLClientAuth                   = "ssl.client.auth"
	OffsetStorageFileFilename       = "offset.storage.file.filename"
	ConfigStorageFileFilename       = "config.storage.file.filename" // goconnect extension
	GroupID                         = "group.id"
	SessionTimeoutMs                = "session.timeout.ms"
	RebalanceTimeoutMs              = "rebalance.timeout.ms"
	HeartbeatIntervalMs             = "heartbeat.interval.ms"
	ExactlyOnceSourceSupport        = "exactly.once.source.support"
	OffsetStorageTopic              = "offset.storage.topic"
	OffsetStoragePartitions         = "offset.storage.partitions"
	OffsetStorageReplicationFactor  = "offset.storage.replication.factor"
	ConfigStorageTopic              = "config.storage.topic"
	ConfigStorageReplicationFactor  = "config.storage.replication.factor"
	StatusStorageTopic              = "status.storage.topic"
	StatusStoragePartitions         = "status.storage.partitions"
	StatusStorageReplicationFactor  = "status.storage.replication.factor"
	WorkerSyncTimeoutMs             = "worker.sync.timeout.ms"
	WorkerUnsyncBackoffMs           = "worker.unsync.backoff.ms"
	ConnectProtocol                 = "connect.protocol"
	ScheduledRebalanceMaxDelayMs    = "scheduled.rebalance.max.delay.ms"
	InterWorkerKeyGenerationAlg     = "inter.worker.key.generation.algorithm"
	InterWorkerKeySize              = "inter.worker.key.size"
	InterWorkerKeyTTLMs             = "inter.worker.key.ttl.ms"
	InterWorkerSignatureAlgorithm   = "inter.worker.signature.algorithm"
	InterWorkerVerificationAlgs     = "inter.worker.verification.algorithms"
	MetadataMaxAgeMs                = "metadata.max.age.ms"
	ClientID                        = "client.id"
	SendBufferBytes                 = "send.buffer.bytes"
	ReceiveBufferBytes              = "receive.buffer.bytes"
	ReconnectBackoffMs              = "reconnect.backoff.ms"
	ReconnectBackoffMaxMs           = "reconnect.backoff.max.ms"
	RetryBackoffMs                  = "retry.backoff.ms"
	RetryBackoffMaxMs               = "retry.backoff.max.ms"
	RequestTimeoutMs                = "request.timeout.ms"
	ConnectionsMaxIdleMs            = "connections.max.idle.ms"
	SocketConnectionSetupTimeoutMs  = "socket.connection.setup.timeout.ms"
	SocketConnectionSetupTimeoutMax = "socket.connection.setup.timeout.max.ms"
	SecurityProtocol                = "security.protocol"
	MetadataRecoveryStrategy        = "metadata.recovery.strategy"
)

// DefaultListeners is the value of listeners when unset.
const DefaultListeners = "http://:8083"

// baseDef holds the keys of Java's WorkerConfig.baseConfigDef plus RestServerConfig's
// public keys, in Java's definition order: Parse reports the first missing required
// key in this order, as Java does.
func baseDef() *config.Def {
	d := config.NewDef()
	d.Define(
		config.Key{Name: BootstrapServers, Type: config.List, Default: "localhost:9092", Importance: config.High,
			Doc: "A list of host/port pairs used to establish the initial connection to the Kafka cluster. Clients use this list to bootstrap and discover the full set of Kafka brokers. This list should be in the form host1:port1,host2:port2,...."},
		config.Key{Name: ClientDNSLookup, Type: config.String, Default: "use_all_dns_ips", Importance: config.Medium,
			Validator: config.OneOf("use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"),
			Doc:       "Controls how the client uses DNS lookups."},
		config.Key{Name: KeyConverter, Type: config.Class, Default: config.NoDefault, Importance: config.High,
			Doc: "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka."},
		config.Key{Name: ValueConverter, Type: config.Class, Default: config.NoDefault, Importance: config.High,
			Doc: "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka."},
		config.Key{Name: HeaderConverter, Type: config.Class, Default: "org.apache.kafka.connect.storage.SimpleHeaderConverter", Importance: config.Low,
			Doc: "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka."},
		config.Key{Name: KeyConverterVersion, Type: config.String, Importance: config.Low,
			Doc: "Version of the key converter (KIP-891)."},
		config.Key{Name: ValueConverterVersion, Type: config.String, Importance: config.Low,
			Doc: "Version of the value converter (KIP-891)."},
		config.Key{Name: HeaderConverterVersion, Type: config.String, Importance: config.Low,
			Doc: "Version of the header converter (KIP-891)."},
		config.Key{Name: TaskShutdownGracefulTimeoutMs, Type: config.Long, Default: "5000", Importance: config.Low,
			Doc: "Amount of time to wait for tasks to shutdown gracefully. This is the total amount of time, not per task. All task have shutdown triggered, then they are waited on sequentially."},
		config.Key{Name: OffsetFlushIntervalMs, Type: config.Long, Default: "60000", Importance: config.Low,
			Doc: "Interval at which to try committing offsets for tasks."},
		config.Key{Name: OffsetFlushTimeoutMs, Type: config.Long, Default: "5000", Importance: config.Low,
			Doc: "Maximum number of milliseconds to wait for records to flush and partition offset data to be committed to offset storage before cancelling the process and restoring the offset data to be committed in a future attempt."},
		config.Key{Name: PluginPath, Type: config.List, Default: nil, Importance: config.Low,
			Doc: "List of paths separated by commas (,) that contain plugins (connectors, converters, transformations)."},
		config.Key{Name: PluginDiscovery, Type: config.String, Default: "hybrid_warn", Importance: config.Low,
			Validator: config.OneOfIgnoreCase("only_scan", "hybrid_warn", "hybrid_fail", "service_load"),
			Doc:       "Method to use to discover plugins present in the classpath and plugin.path configuration."},
		config.Key{Name: MetricsSampleWindowMs, Type: config.Long, Default: "30000", Validator: config.AtLeast(0), Importance: config.Low,
			Doc: "The window of time a metrics sample is computed over."},
		config.Key{Name: MetricsNumSamples, Type: config.Int, Default: "2", Validator: config.AtLeast(1), Importance: config.Low,
			Doc: "The number of samples maintained to compute metrics."},
		config.Key{Name: MetricsRecordingLevel, Type: config.String, Default: "INFO", Validator: config.OneOf("INFO", "DEBUG"), Importance: config.Low,
			Doc: "The highest recording level for metrics."},
		config.Key{Name: MetricReporters, Type: config.List, Default: "org.apache.kafka.common.metrics.JmxReporter", Importance: config.Low,
			Doc: "A list of classes to use as metrics reporters."},
		config.Key{Name: ConfigProviders, Type: config.List, Default: "", Importance: config.Low,
			Doc: "Comma-separated names of ConfigProvider classes, loaded and used in the order specified."},
		config.Key{Name: ConnectorClientPolicy, Type: config.String, Default: "All", Importance: config.Medium,
			Doc: "Class name or alias of implementation of ConnectorClientConfigOverridePolicy. Defines what client configurations can be overridden by the connector: All, None or Principal."},
		config.Key{Name: TopicTrackingEnable, Type: config.Boolean, Default: "true", Importance: config.Low,
			Doc: "Enable tracking the set of active topics per connector during runtime."},
		config.Key{Name: TopicTrackingAllowReset, Type: config.Boolean, Default: "true", Importance: config.Low,
			Doc: "If set to true, it allows user requests to reset the set of active topics per connector."},
		config.Key{Name: TopicCreationEnable, Type: config.Boolean, Default: "true", Importance: config.Low,
			Doc: "Whether to allow automatic creation of topics used by source connectors, when source connectors are configured with `topic.creation.` properties."},
		config.Key{Name: ErrorsRestartEnable, Type: config.Boolean, Default: "false", Importance: config.Low,
			Doc: "goconnect extension: default of the connector key errors.restart.enable: whether failed tasks and connector instances are restarted automatically, with exponential backoff. false keeps Java's behaviour."},
		config.Key{Name: ErrorsRestartBackoffInitial, Type: config.Long, Default: "1000", Validator: config.AtLeast(1), Importance: config.Low,
			Doc: "goconnect extension: default of the connector key errors.restart.backoff.initial.ms, the delay before the first automatic restart after a failure."},
		config.Key{Name: ErrorsRestartBackoffMax, Type: config.Long, Default: "300000", Validator: config.AtLeast(1), Importance: config.Low,
			Doc: "goconnect extension: default of the connector key errors.restart.backoff.max.ms, the cap of the doubling restart delay and how long a restarted task must run to count as healthy again."},
		config.Key{Name: RestMaskPasswords, Type: config.Boolean, Default: "false", Importance: config.Low,
			Doc: "goconnect extension: when true, connector configs returned by the REST API (GET /connectors/{name}, /config, expand=info) show the values of PASSWORD-type keys as [hidden] unless they are ${...} config-provider references. false keeps Java's behaviour (values in clear text)."},
	)
	defineRest(d)
	return d
}

// defineRest adds RestServerConfig's public keys.
func defineRest(d *config.Def) {
	d.Define(
		config.Key{Name: Listeners, Type: config.List, Default: DefaultListeners, Validator: listenersValidator{}, Importance: config.Low,
			Doc: "List of comma-separated URIs the REST API will listen on. The supported protocols are HTTP and HTTPS. Specify hostname as 0.0.0.0 to bind to all interfaces. Leave hostname empty to bind to default interface."},
		config.Key{Name: RestAdvertisedHostName, Type: config.String, Default: nil, Importance: config.Low,
			Doc: "If this is set, this is the hostname that will be given out to other workers to connect to."},
		config.Key{Name: RestAdvertisedPort, Type: config.Int, Default: nil, Importance: config.Low,
			Doc: "If this is set, this is the port that will be given out to other workers to connect to."},
		config.Key{Name: RestAdvertisedListener, Type: config.String, Default: nil, Importance: config.Low,
			Doc: "Sets the advertised listener (HTTP or HTTPS) which will be given to other workers to use."},
		config.Key{Name: AccessControlAllowOrigin, Type: config.String, Default: "", Importance: config.Low,
			Doc: "Value to set the Access-Control-Allow-Origin header to for REST API requests. To enable cross origin access, set this to the domain of the application that should be permitted to access the API, or '*' to allow access from any domain. The default value only allows access from the domain of the REST API."},
		config.Key{Name: AccessControlAllowMethods, Type: config.String, Default: "", Importance: config.Low,
			Doc: "Sets the methods supported for cross origin requests by setting the Access-Control-Allow-Methods header. The default value of the Access-Control-Allow-Methods header allows cross origin requests for GET, POST and HEAD."},
		config.Key{Name: AdminListeners, Type: config.List, Default: nil, Validator: adminListenersValidator{}, Importance: config.Low,
			Doc: "List of comma-separated URIs the Admin REST API will listen on. The supported protocols are HTTP and HTTPS. An empty or blank string will disable this feature. The default behavior is to use the regular listener (specified by the 'listeners' property)."},
		config.Key{Name: RestExtensionClasses, Type: config.List, Default: "", Importance: config.Low,
			Doc: "Comma-separated names of ConnectRestExtension classes, loaded and called in the order specified."},
		config.Key{Name: ResponseHTTPHeaders, Type: config.String, Default: "", Validator: responseHeadersValidator{}, Importance: config.Low,
			Doc: "Rules for REST API HTTP response headers"},
		config.Key{Name: SSLClientAuth, Type: config.String, Default: "none", Validator: config.OneOfIgnoreCase("required", "requested", "none"), Importance: config.Low,
			Doc: "Configures kafka broker to request client authentication."},
	)
}

// StandaloneDef returns the definition of a standalone worker's configuration.
func StandaloneDef() *config.Def {
	d := baseDef()
	d.Define(
		config.Key{Name: OffsetStorageFileFilename, Type: config.String, Default: config.NoDefault, Importance: config.High,
			Doc: "File to store source connector offsets"},
		config.Key{Name: ConfigStorageFileFilename, Type: config.String, Default: nil, Importance: config.Low,
			Doc: "goconnect extension: file where connector configurations and target states created or changed through the REST API are stored, so they survive a restart. Unset keeps Java's behaviour (REST-created connectors are forgotten on restart)."},
	)
	return d
}

// DistributedDef returns the definition of a distributed worker's configuration.
func DistributedDef() *config.Def {
	d := baseDef()
	d.Define(
		config.Key{Name: GroupID, Type: config.String, Default: config.NoDefault, Importance: config.High,
			Doc: "A unique string that identifies the Connect cluster group this worker belongs to."},
		config.Key{Name: SessionTimeoutMs, Type: config.Int, Default: "10000", Importance: config.High,
			Doc: "The timeout used to detect worker failures."},
		config.Key{Name: RebalanceTimeoutMs, Type: config.Int, Default: "60000", Importance: config.High,
			Doc: "The maximum allowed time for each worker to join the group once a rebalance has begun."},
		// goconnect default 1000 (Java: 3000): survivors learn of a dead worker's
		// eviction at their next heartbeat, so this bounds failover time (docs/adr/0001).
		config.Key{Name: HeartbeatIntervalMs, Type: config.Int, Default: "1000", Importance: config.High,
			Doc: "The expected time between heartbeats to the group coordinator when using Kafka's group management facilities. goconnect's default is 1000 (Java: 3000), for failover within seconds."},
		config.Key{Name: ExactlyOnceSourceSupport, Type: config.String, Default: "disabled", Importance: config.High,
			Validator: config.OneOfIgnoreCase("disabled", "preparing", "enabled"),
			Doc:       "Whether to enable exactly-once support for source connectors in the cluster by using transactions to write source records and their source offsets, and by proactively fencing out old task generations before bringing up new ones."},
		config.Key{Name: OffsetStorageTopic, Type: config.String, Default: config.NoDefault, Importance: config.High,
			Doc: "The name of the Kafka topic where source connector offsets are stored"},
		config.Key{Name: OffsetStoragePartitions, Type: config.Int, Default: "25", Validator: partitionsValidator{}, Importance: config.Low,
			Doc: "The number of partitions used when creating the offset storage topic"},
		config.Key{Name: OffsetStorageReplicationFactor, Type: config.Short, Default: "3", Validator: replicationValidator{}, Importance: config.Low,
			Doc: "Replication factor used when creating the offset storage topic"},
		config.Key{Name: ConfigStorageTopic, Type: config.String, Default: config.NoDefault, Importance: config.High,
			Doc: "The name of the Kafka topic where connector configurations are stored"},
		config.Key{Name: ConfigStorageReplicationFactor, Type: config.Short, Default: "3", Validator: replicationValidator{}, Importance: config.Low,
			Doc: "Replication factor used when creating the configuration storage topic"},
		config.Key{Name: StatusStorageTopic, Type: config.String, Default: config.NoDefault, Importance: config.High,
			Doc: "The name of the Kafka topic where connector and task status are stored"},
		config.Key{Name: StatusStoragePartitions, Type: config.Int, Default: "5", Validator: partitionsValidator{}, Importance: config.Low,
			Doc: "The number of partitions used when creating the status storage topic"},
		config.Key{Name: StatusStorageReplicationFactor, Type: config.Short, Default: "3", Validator: replicationValidator{}, Importance: config.Low,
			Doc: "Replication factor used when creating the status storage topic"},
		config.Key{Name: WorkerSyncTimeoutMs, Type: config.Int, Default: "3000", Importance: config.Medium,
			Doc: "When the worker is out of sync with other workers and needs to resynchronize configurations, wait up to this amount of time before giving up, leaving the group, and waiting a backoff period before rejoining."},
		config.Key{Name: WorkerUnsyncBackoffMs, Type: config.Int, Default: "300000", Importance: config.Medium,
			Doc: "When the worker is out of sync with other workers and fails to catch up within worker.sync.timeout.ms, leave the Connect cluster for this long before rejoining."},
		config.Key{Name: ConnectProtocol, Type: config.String, Default: "sessioned", Importance: config.Low,
			Validator: config.OneOfIgnoreCase("eager", "compatible", "sessioned"),
			Doc:       "Compatibility mode for Kafka Connect Protocol"},
		config.Key{Name: ScheduledRebalanceMaxDelayMs, Type: config.Int, Default: "300000", Validator: config.Between(0, 2147483647), Importance: config.Low,
			Doc: "The maximum delay that is scheduled in order to wait for the return of one or more departed workers before rebalancing and reassigning their connectors and tasks to the group."},
		config.Key{Name: InterWorkerKeyGenerationAlg, Type: config.String, Default: "HmacSHA256", Importance: config.Low,
			Doc: "The algorithm to use for generating internal request keys."},
		config.Key{Name: InterWorkerKeySize, Type: config.Int, Default: nil, Importance: config.Low,
			Doc: "The size of the key to use for signing internal requests, in bits. If null, the default key size for the key generation algorithm will be used."},
		config.Key{Name: InterWorkerKeyTTLMs, Type: config.Int, Default: "3600000", Validator: config.Between(0, 2147483647), Importance: config.Low,
			Doc: "The TTL of generated session keys used for internal request validation (in milliseconds)"},
		config.Key{Name: InterWorkerSignatureAlgorithm, Type: config.String, Default: "HmacSHA256", Importance: config.Low,
			Doc: "The algorithm used to sign internal requests."},
		config.Key{Name: InterWorkerVerificationAlgs, Type: config.List, Default: "HmacSHA256", Importance: config.Low,
			Doc: "A list of permitted algorithms for verifying internal requests, which must include the algorithm used for the inter.worker.signature.algorithm property."},
		config.Key{Name: MetadataMaxAgeMs, Type: config.Long, Default: "300000", Validator: config.AtLeast(0), Importance: config.Low,
			Doc: "The period of time in milliseconds after which we force a refresh of metadata even if we haven't seen any partition leadership changes to proactively discover any new brokers or partitions."},
		config.Key{Name: ClientID, Type: config.String, Default: "", Importance: config.Low,
			Doc: "An id string to pass to the server when making requests."},
		config.Key{Name: SendBufferBytes, Type: config.Int, Default: "131072", Validator: config.AtLeast(-1), Importance: config.Medium,
			Doc: "The size of the TCP send buffer (SO_SNDBUF) to use when sending data."},
		config.Key{Name: ReceiveBufferBytes, Type: config.Int, Default: "32768", Validator: config.AtLeast(-1), Importance: config.Medium,
			Doc: "The size of the TCP receive buffer (SO_RCVBUF) to use when reading data."},
		config.Key{Name: ReconnectBackoffMs, Type: config.Long, Default: "50", Validator: config.AtLeast(0), Importance: config.Low,
			Doc: "The base amount of time to wait before attempting to reconnect to a given host."},
		config.Key{Name: ReconnectBackoffMaxMs, Type: config.Long, Default: "1000", Validator: config.AtLeast(0), Importance: config.Low,
			Doc: "The maximum amount of time in milliseconds to wait when reconnecting to a broker that has repeatedly failed to connect."},
		config.Key{Name: RetryBackoffMs, Type: config.Long, Default: "100", Validator: config.AtLeast(0), Importance: config.Low,
			Doc: "The amount of time to wait before attempting to retry a failed request."},
		config.Key{Name: RetryBackoffMaxMs, Type: config.Long, Default: "1000", Validator: config.AtLeast(0), Importance: config.Low,
			Doc: "The maximum amount of time in milliseconds to wait when retrying a request to the broker that has repeatedly failed."},
		config.Key{Name: RequestTimeoutMs, Type: config.Int, Default: "40000", Validator: config.AtLeast(0), Importance: config.Medium,
			Doc: "The maximum amount of time the client will wait for the response of a request."},
		config.Key{Name: ConnectionsMaxIdleMs, Type: config.Long, Default: "540000", Importance: config.Medium,
			Doc: "Close idle connections after the number of milliseconds specified by this config."},
		config.Key{Name: SocketConnectionSetupTimeoutMs, Type: config.Long, Default: "10000", Validator: config.AtLeast(0), Importance: config.Medium,
			Doc: "The amount of time the client will wait for the socket connection to be established."},
		config.Key{Name: SocketConnectionSetupTimeoutMax, Type: config.Long, Default: "30000", Validator: config.AtLeast(0), Importance: config.Medium,
			Doc: "The maximum amount of time the client will wait for the socket connection to be established."},
		config.Key{Name: SecurityProtocol, Type: config.String, Default: "PLAINTEXT", Importance: config.Medium,
			Validator: config.OneOfIgnoreCase("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"),
			Doc:       "Protocol used to communicate with brokers."},
		config.Key{Name: MetadataRecoveryStrategy, Type: config.String, Default: "rebootstrap", Importance: config.Low,
			Validator: config.OneOfIgnoreCase("none", "rebootstrap"),
			Doc:       "Controls how the client recovers when none of the brokers known to it is available."},
	)
	return d
}

// listenersValidator is RestServerConfig.ListenersValidator.
type listenersValidator struct{}

func (listenersValidator) Validate(name string, v any) error {
	items, ok := v.([]string)
	if !ok {
		return &config.Error{Name: name, Message: "Invalid value type for listeners (expected list of URLs , ex: http://localhost:8080,https://localhost:8443)."}
	}
	if len(items) == 0 {
		return &config.Error{Name: name, Message: "Invalid value for listeners, at least one URL is expected, ex: http://localhost:8080,https://localhost:8443."}
	}
	for _, it := range items {
		if strings.TrimSpace(it) == "" {
			return &config.Error{Name: name, Message: "Empty URL found when parsing listeners list."}
		}
	}
	return nil
}

// adminListenersValidator is RestServerConfig.AdminListenersValidator: null and an
// empty list are both fine (null = use listeners, empty = admin endpoints off).
type adminListenersValidator struct{}

func (adminListenersValidator) Validate(name string, v any) error {
	items, _ := v.([]string)
	for _, it := range items {
		if strings.TrimSpace(it) == "" {
			return &config.Error{Name: name, Message: "Empty URL found when parsing admin.listeners list."}
		}
	}
	return nil
}

// responseHeadersValidator is RestServerConfig.ResponseHttpHeadersValidator: each
// comma-separated rule is "<action> <header name>:<value>".
type responseHeadersValidator struct{}

func (responseHeadersValidator) Validate(name string, v any) error {
	s, _ := v.(string)
	if strings.TrimSpace(s) == "" {
		return nil
	}
	for _, rule := range strings.Split(s, ",") {
		rule = strings.TrimSpace(rule)
		action, rest, ok := strings.Cut(rule, " ")
		header, _, hasColon := strings.Cut(strings.TrimSpace(rest), ":")
		valid := ok && hasColon && strings.TrimSpace(header) != ""
		switch strings.ToLower(action) {
		case "set", "add", "setdate", "adddate":
		default:
			valid = false
		}
		if !valid {
			return &config.Error{Name: name, Message: fmt.Sprintf("Invalid value %s for configuration %s: Invalid format of header config '%s'. Expected: '[action] [header name]:[header value]'", s, name, rule)}
		}
	}
	return nil
}

// partitionsValidator accepts -1 (broker default) or a positive count.
type partitionsValidator struct{}

func (partitionsValidator) Validate(name string, v any) error {
	n, ok := v.(int32)
	if ok && (n == 0 || n < -1) {
		return &config.Error{Name: name, Message: fmt.Sprintf("Invalid value %d for configuration %s: Number of partitions must be positive, or -1 to use the broker's default", n, name)}
	}
	return nil
}

// replicationValidator accepts -1 (broker default) or a positive factor.
type replicationValidator struct{}

func (replicationValidator) Validate(name string, v any) error {
	n, ok := v.(int16)
	if ok && (n == 0 || n < -1) {
		return &config.Error{Name: name, Message: fmt.Sprintf("Invalid value %d for configuration %s: Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default", n, name)}
	}
	return nil
}
