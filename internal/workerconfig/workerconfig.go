package workerconfig

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goconnect/goconnect/api/config"
)

// Mode is how the worker runs: standalone or distributed.
type Mode int

// Modes.
const (
	Standalone Mode = iota + 1
	Distributed
)

func (m Mode) String() string {
	switch m {
	case Standalone:
		return "standalone"
	case Distributed:
		return "distributed"
	}
	return "unknown"
}

// Def returns the definition of mode's worker configuration.
func Def(m Mode) *config.Def {
	if m == Distributed {
		return DistributedDef()
	}
	return StandaloneDef()
}

// Config is a parsed worker configuration.
type Config struct {
	Mode Mode
	// Values holds the typed values of every defined key.
	Values *config.Values
	// Props is the configuration as given (every key, also undefined ones such as
	// producer.* or key.converter.schemas.enable, which other components read).
	Props map[string]string

	listeners []Listener
	admin     []Listener
	adminSet  bool
}

// Listener is one parsed entry of listeners or admin.listeners.
type Listener struct {
	// Scheme is "http" or "https" (lower case).
	Scheme string
	// Host is the host to bind; empty means every interface.
	Host string
	// Port is the port to bind; 0 picks a free one.
	Port int
}

// Addr is the address to pass to net.Listen.
func (l Listener) Addr() string { return net.JoinHostPort(l.Host, strconv.Itoa(l.Port)) }

// Parse parses and validates props as mode's worker configuration. The error is the
// first problem found, with Java's ConfigException message.
func Parse(m Mode, props map[string]string) (*Config, error) {
	vals, err := Def(m).Parse(props)
	if err != nil {
		return nil, err
	}
	c := &Config{Mode: m, Values: vals, Props: props}
	// Exactly-once source (KIP-618) is not implemented. Java only reads the key in
	// distributed mode; there, a worker that accepted "enabled" or "preparing" and
	// silently delivered at-least-once would break the guarantee its operator asked
	// for, so it refuses to start instead.
	if m == Distributed && !strings.EqualFold(vals.String(ExactlyOnceSourceSupport), "disabled") {
		eos := vals.String(ExactlyOnceSourceSupport)
		return nil, &config.Error{Name: ExactlyOnceSourceSupport, Message: fmt.Sprintf(
			"Invalid value %s for configuration %s: goconnect does not support exactly-once source connectors yet (KIP-618); "+
				"set it to disabled (sources then deliver at least once)", eos, ExactlyOnceSourceSupport)}
	}
	if c.listeners, err = parseListeners(vals.List(Listeners)); err != nil {
		return nil, err
	}
	if !vals.IsNull(AdminListeners) {
		c.adminSet = true
		if c.admin, err = parseListeners(vals.List(AdminListeners)); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// listenerPattern is RestServer.LISTENER_PATTERN (matched against the whole string).
var listenerPattern = regexp.MustCompile(`^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$`)

func parseListeners(items []string) ([]Listener, error) {
	ls := make([]Listener, 0, len(items))
	for _, it := range items {
		m := listenerPattern.FindStringSubmatch(strings.TrimSpace(it))
		if m == nil {
			return nil, &config.Error{Name: Listeners, Message: "Listener doesn't have the right format (protocol://hostname:port)."}
		}
		scheme := strings.ToLower(m[1])
		if scheme != "http" && scheme != "https" {
			return nil, &config.Error{Name: Listeners, Message: `Listener protocol must be either "http" or "https".`}
		}
		port, err := strconv.Atoi(m[3])
		if err != nil || port < 0 || port > 65535 {
			return nil, &config.Error{Name: Listeners, Message: fmt.Sprintf("Invalid port in listener %s", it)}
		}
		ls = append(ls, Listener{Scheme: scheme, Host: m[2], Port: port})
	}
	return ls, nil
}

// Listeners returns the REST listeners (at least one).
func (c *Config) Listeners() []Listener { return c.listeners }

// AdminListeners returns the admin REST listeners. set is false when
// admin.listeners is unset: the admin endpoints are then served on Listeners. When
// set with no listeners, the admin endpoints are disabled.
func (c *Config) AdminListeners() (ls []Listener, set bool) { return c.admin, c.adminSet }

// AdvertisedListener returns the listener whose address is advertised: the first of
// rest.advertised.listener's scheme, else the first http listener, else the first
// https one (RestServer.determineAdvertisedProtocol and findConnector).
func (c *Config) AdvertisedListener() (Listener, bool) {
	scheme := strings.ToLower(c.Values.String(RestAdvertisedListener))
	if scheme == "" {
		// Java looks for "http://" in the raw value before "https://".
		raw := strings.ToLower(c.Props[Listeners])
		switch {
		case raw == "" || strings.Contains(raw, "http://"):
			scheme = "http"
		case strings.Contains(raw, "https://"):
			scheme = "https"
		default:
			scheme = "http"
		}
	}
	for _, l := range c.listeners {
		if l.Scheme == scheme {
			return l, true
		}
	}
	return Listener{Scheme: scheme}, false
}

// AdvertisedURL returns the REST URL other workers (and worker_id) use: scheme of the
// advertised listener, host = rest.advertised.host.name, else the listener's host,
// else this machine's address; port = rest.advertised.port, else boundPort (the port
// the listener really bound, which differs from the configured one for port 0), else
// the listener's port. boundPort 0 means "use the configured port".
func (c *Config) AdvertisedURL(boundPort int) *url.URL {
	l, _ := c.AdvertisedListener()
	host := c.Values.String(RestAdvertisedHostName)
	if host == "" {
		host = l.Host
	}
	if host == "" {
		host = LocalHostAddress()
	}
	port := l.Port
	if boundPort > 0 {
		port = boundPort
	}
	if !c.Values.IsNull(RestAdvertisedPort) {
		port = int(c.Values.Int(RestAdvertisedPort))
	}
	return &url.URL{Scheme: l.Scheme, Host: net.JoinHostPort(host, strconv.Itoa(port)), Path: "/"}
}

// WorkerID returns <host>:<port> of an advertised URL, as Java's
// advertisedUrl.getHost() + ":" + advertisedUrl.getPort() (IPv6 hosts keep their
// brackets, as java.net.URI.getHost returns them).
func WorkerID(u *url.URL) string {
	host := u.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + u.Port()
}

// LocalHostAddress is the address Java's InetAddress.getLocalHost().getHostAddress()
// would give: the first IPv4 address the host name resolves to, else the first
// non-loopback interface address, else 127.0.0.1.
func LocalHostAddress() string {
	if name, err := os.Hostname(); err == nil {
		if addrs, err := net.LookupHost(name); err == nil {
			for _, a := range addrs {
				if ip := net.ParseIP(a); ip != nil && ip.To4() != nil {
					return a
				}
			}
		}
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
				return ipn.IP.String()
			}
		}
	}
	return "127.0.0.1"
}

// OffsetFlushInterval is offset.flush.interval.ms.
func (c *Config) OffsetFlushInterval() time.Duration { return c.millis(OffsetFlushIntervalMs) }

// OffsetFlushTimeout is offset.flush.timeout.ms.
func (c *Config) OffsetFlushTimeout() time.Duration { return c.millis(OffsetFlushTimeoutMs) }

// GracefulShutdown is task.shutdown.graceful.timeout.ms.
func (c *Config) GracefulShutdown() time.Duration { return c.millis(TaskShutdownGracefulTimeoutMs) }

func (c *Config) millis(key string) time.Duration {
	return time.Duration(c.Values.Long(key)) * time.Millisecond
}

// OffsetsFile is offset.storage.file.filename (standalone).
func (c *Config) OffsetsFile() string {
	if c.Mode != Standalone {
		return ""
	}
	return c.Values.String(OffsetStorageFileFilename)
}

// ConfigsFile is config.storage.file.filename (standalone, goconnect extension);
// empty when unset.
func (c *Config) ConfigsFile() string {
	if c.Mode != Standalone {
		return ""
	}
	return c.Values.String(ConfigStorageFileFilename)
}
