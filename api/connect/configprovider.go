package connect

import (
	"context"
	"time"
)

// ConfigProvider supplies configuration values from outside the configuration
// itself (files, directories, environment variables, secret stores), so that a
// config can say ${provider:path:key} instead of holding a secret. It is Java's
// org.apache.kafka.common.config.provider.ConfigProvider (KIP-297).
//
// The worker creates one instance per name listed in the worker's config.providers
// (class from config.providers.<name>.class), calls Configure once with the
// config.providers.<name>.param.* properties (prefix stripped), then calls Get
// whenever a worker or connector configuration that references the provider is
// resolved: when the worker starts, before a connector config is validated, and
// each time a connector or task is started. Close is called once, when the worker
// shuts down, after every Get has returned.
//
// Concurrency: Configure happens before any Get. Get may be called concurrently from
// several goroutines (the herder's loop and REST validation requests), so it must be
// safe for concurrent use.
//
// Secrets: the values a provider returns are handed to connectors and tasks only;
// the runtime never logs them, never writes them to Kafka and never returns them
// from the REST API. A provider must not log them either.
type ConfigProvider interface {
	// Configure receives the config.providers.<name>.param.* worker properties with
	// the prefix removed. An error stops the worker from starting.
	Configure(props map[string]string) error
	// Get returns the values of keys found at path; path is "" when the reference
	// had none (${provider:key}). keys is non-empty, sorted and free of duplicates.
	// A key that does not exist is left out of ConfigData.Data, which leaves its
	// ${...} reference unresolved; that is not an error. An error means the lookup
	// itself failed (unreadable file, refused path): the configuration being
	// resolved is then rejected as a whole. ctx bounds this call only.
	Get(ctx context.Context, path string, keys []string) (ConfigData, error)
	// Close releases what Configure acquired.
	Close() error
}

// ConfigData is what ConfigProvider.Get returns (Java's ConfigData).
type ConfigData struct {
	// Data maps keys to values. A nil map is the same as an empty one.
	Data map[string]string
	// TTL, when set and not negative, is how long the values at this path stay
	// valid. A connector with config.action.reload=restart (the default) is
	// restarted once it elapses, so it picks up rotated secrets. Nil means the
	// values do not expire.
	TTL *time.Duration
}
