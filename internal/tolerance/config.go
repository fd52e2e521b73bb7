package tolerance

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Connector config keys this package reads (reference §3.1, §3.2).
const (
	RetryTimeoutConfig          = "errors.retry.timeout"
	RetryMaxDelayConfig         = "errors.retry.delay.max.ms"
	ToleranceConfig             = "errors.tolerance"
	LogEnableConfig             = "errors.log.enable"
	LogIncludeMessagesConfig    = "errors.log.include.messages"
	DLQTopicConfig              = "errors.deadletterqueue.topic.name"
	DLQReplicationFactorConfig  = "errors.deadletterqueue.topic.replication.factor"
	DLQContextHeadersConfig     = "errors.deadletterqueue.context.headers.enable"
	defaultRetryMaxDelay        = 60 * time.Second
	defaultDLQReplicationFactor = 3
)

// Config is the errors.* part of a connector configuration.
type Config struct {
	// RetryTimeout is errors.retry.timeout: the total time a retriable failure is
	// retried; 0 means no retry, negative means forever.
	RetryTimeout time.Duration
	// RetryMaxDelay is errors.retry.delay.max.ms.
	RetryMaxDelay time.Duration
	// TolerateAll is errors.tolerance=all.
	TolerateAll bool
	// LogEnable and LogIncludeMessages are errors.log.enable and
	// errors.log.include.messages.
	LogEnable, LogIncludeMessages bool
	// DLQTopic is errors.deadletterqueue.topic.name; empty means no DLQ.
	DLQTopic string
	// DLQReplicationFactor is errors.deadletterqueue.topic.replication.factor.
	DLQReplicationFactor int16
	// DLQContextHeaders is errors.deadletterqueue.context.headers.enable.
	DLQContextHeaders bool
}

// ParseConfig reads the errors.* keys of a connector configuration, with Java's
// defaults. Validation already reported bad values per key; an error here names the
// first one.
func ParseConfig(props map[string]string) (Config, error) {
	c := Config{RetryMaxDelay: defaultRetryMaxDelay, DLQReplicationFactor: defaultDLQReplicationFactor}
	var err error
	ms := func(key string, def time.Duration) time.Duration {
		v := strings.TrimSpace(props[key])
		if v == "" || err != nil {
			return def
		}
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			err = fmt.Errorf("invalid value %s for configuration %s: not a number", v, key)
			return def
		}
		if n < 0 {
			return -1
		}
		return time.Duration(n) * time.Millisecond
	}
	boolean := func(key string) bool {
		v := strings.TrimSpace(props[key])
		switch strings.ToLower(v) {
		case "", "false":
			return false
		case "true":
			return true
		}
		if err == nil {
			err = fmt.Errorf("invalid value %s for configuration %s: expected true or false", v, key)
		}
		return false
	}
	c.RetryTimeout = ms(RetryTimeoutConfig, 0)
	c.RetryMaxDelay = ms(RetryMaxDelayConfig, defaultRetryMaxDelay)
	if c.RetryMaxDelay < 0 {
		c.RetryMaxDelay = 0
	}
	switch v := strings.ToLower(strings.TrimSpace(props[ToleranceConfig])); v {
	case "", "none":
	case "all":
		c.TolerateAll = true
	default:
		if err == nil {
			err = fmt.Errorf("invalid value %s for configuration %s: String must be one of: none, all", v, ToleranceConfig)
		}
	}
	c.LogEnable = boolean(LogEnableConfig)
	c.LogIncludeMessages = boolean(LogIncludeMessagesConfig)
	c.DLQTopic = strings.TrimSpace(props[DLQTopicConfig])
	c.DLQContextHeaders = boolean(DLQContextHeadersConfig)
	if v := strings.TrimSpace(props[DLQReplicationFactorConfig]); v != "" {
		n, perr := strconv.ParseInt(v, 10, 16)
		switch {
		case perr != nil && err == nil:
			err = fmt.Errorf("invalid value %s for configuration %s: not a number", v, DLQReplicationFactorConfig)
		case perr == nil:
			c.DLQReplicationFactor = int16(n)
		}
	}
	return c, err
}
