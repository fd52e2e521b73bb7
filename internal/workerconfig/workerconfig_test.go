package workerconfig

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/google/go-cmp/cmp"
)

func minimal() map[string]string {
	return map[string]string{
		KeyConverter:              "org.apache.kafka.connect.json.JsonConverter",
		ValueConverter:            "org.apache.kafka.connect.json.JsonConverter",
		OffsetStorageFileFilename: "/tmp/connect.offsets",
	}
}

func TestStandaloneDefaults(t *testing.T) {
	c, err := Parse(Standalone, minimal())
	if err != nil {
		t.Fatal(err)
	}
	v := c.Values
	got := map[string]any{
		BootstrapServers:         v.List(BootstrapServers),
		HeaderConverter:          v.String(HeaderConverter),
		Listeners:                v.List(Listeners),
		TopicTrackingEnable:      v.Bool(TopicTrackingEnable),
		TopicTrackingAllowReset:  v.Bool(TopicTrackingAllowReset),
		TopicCreationEnable:      v.Bool(TopicCreationEnable),
		ConnectorClientPolicy:    v.String(ConnectorClientPolicy),
		ClientDNSLookup:          v.String(ClientDNSLookup),
		PluginDiscovery:          v.String(PluginDiscovery),
		"admin.listeners null":   v.IsNull(AdminListeners),
		"advertised.host null":   v.IsNull(RestAdvertisedHostName),
		"advertised.port null":   v.IsNull(RestAdvertisedPort),
		"config file":            c.ConfigsFile(),
		"offsets file":           c.OffsetsFile(),
		"flush interval":         c.OffsetFlushInterval(),
		"flush timeout":          c.OffsetFlushTimeout(),
		"graceful":               c.GracefulShutdown(),
		AccessControlAllowOrigin: v.String(AccessControlAllowOrigin),
	}
	want := map[string]any{
		BootstrapServers:         []string{"localhost:9092"},
		HeaderConverter:          "org.apache.kafka.connect.storage.SimpleHeaderConverter",
		Listeners:                []string{"http://:8083"},
		TopicTrackingEnable:      true,
		TopicTrackingAllowReset:  true,
		TopicCreationEnable:      true,
		ConnectorClientPolicy:    "All",
		ClientDNSLookup:          "use_all_dns_ips",
		PluginDiscovery:          "hybrid_warn",
		"admin.listeners null":   true,
		"advertised.host null":   true,
		"advertised.port null":   true,
		"config file":            "",
		"offsets file":           "/tmp/connect.offsets",
		"flush interval":         60 * time.Second,
		"flush timeout":          5 * time.Second,
		"graceful":               5 * time.Second,
		AccessControlAllowOrigin: "",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Listener{{Scheme: "http", Port: 8083}}, c.Listeners()); diff != "" {
		t.Errorf("listeners (-want +got):\n%s", diff)
	}
}

func TestDistributedDefaults(t *testing.T) {
	p := minimal()
	delete(p, OffsetStorageFileFilename)
	p[GroupID] = "connect-cluster"
	p[OffsetStorageTopic] = "connect-offsets"
	p[ConfigStorageTopic] = "connect-configs"
	p[StatusStorageTopic] = "connect-status"
	c, err := Parse(Distributed, p)
	if err != nil {
		t.Fatal(err)
	}
	v := c.Values
	got := []any{v.Int(OffsetStoragePartitions), v.Short(OffsetStorageReplicationFactor), v.Int(StatusStoragePartitions),
		v.Int(SessionTimeoutMs), v.Int(HeartbeatIntervalMs), v.Int(RebalanceTimeoutMs), v.String(ConnectProtocol),
		v.Int(ScheduledRebalanceMaxDelayMs), v.String(ExactlyOnceSourceSupport), v.List(InterWorkerVerificationAlgs)}
	want := []any{int32(25), int16(3), int32(5), int32(10000), int32(1000), int32(60000), "sessioned", int32(300000), "disabled", []string{"HmacSHA256"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if _, ok := Def(Distributed).Key(OffsetStorageFileFilename); ok {
		t.Errorf("distributed def has %s", OffsetStorageFileFilename)
	}
}

func TestRequiredKeys(t *testing.T) {
	tests := []struct {
		mode   Mode
		remove []string
		want   string
	}{
		{Standalone, []string{KeyConverter}, `Missing required configuration "key.converter" which has no default value.`},
		{Standalone, []string{ValueConverter}, `Missing required configuration "value.converter" which has no default value.`},
		{Standalone, []string{KeyConverter, ValueConverter, OffsetStorageFileFilename}, `Missing required configuration "key.converter" which has no default value.`},
		{Standalone, []string{OffsetStorageFileFilename}, `Missing required configuration "offset.storage.file.filename" which has no default value.`},
		{Distributed, []string{OffsetStorageFileFilename}, `Missing required configuration "group.id" which has no default value.`},
	}
	for _, tt := range tests {
		p := minimal()
		for _, k := range tt.remove {
			delete(p, k)
		}
		_, err := Parse(tt.mode, p)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%v without %v: err = %v, want %q", tt.mode, tt.remove, err, tt.want)
		}
		if !errors.Is(err, config.ErrInvalid) {
			t.Errorf("err %v is not config.ErrInvalid", err)
		}
	}
}

func TestInvalidValues(t *testing.T) {
	tests := []struct {
		key, value, want string
	}{
		{Listeners, "", "Invalid value for listeners, at least one URL is expected, ex: http://localhost:8080,https://localhost:8443."},
		{Listeners, "http://:8083,,http://:8084", "Empty URL found when parsing listeners list."},
		{Listeners, "localhost:8083", "Listener doesn't have the right format (protocol://hostname:port)."},
		{Listeners, "ftp://:21", `Listener protocol must be either "http" or "https".`},
		{AdminListeners, "http://:1,,", "Empty URL found when parsing admin.listeners list."},
		{OffsetFlushIntervalMs, "soon", "Invalid value soon for configuration offset.flush.interval.ms: Not a number of type LONG"},
		{TopicTrackingEnable, "yes", "Invalid value yes for configuration topic.tracking.enable: Expected value to be either true or false"},
	}
	for _, tt := range tests {
		p := minimal()
		p[tt.key] = tt.value
		_, err := Parse(Standalone, p)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s=%q: err = %v, want %q", tt.key, tt.value, err, tt.want)
		}
	}
}

func TestAdvertisedURLAndWorkerID(t *testing.T) {
	tests := []struct {
		name      string
		props     map[string]string
		boundPort int
		wantURL   string
		wantID    string
	}{
		{"listener host", map[string]string{Listeners: "http://127.0.0.1:8083"}, 0, "http://127.0.0.1:8083/", "127.0.0.1:8083"},
		{"bound port for port 0", map[string]string{Listeners: "http://127.0.0.1:0"}, 45783, "http://127.0.0.1:45783/", "127.0.0.1:45783"},
		{"advertised host and port", map[string]string{Listeners: "http://0.0.0.0:8083", RestAdvertisedHostName: "connect-1", RestAdvertisedPort: "9000"}, 8083, "http://connect-1:9000/", "connect-1:9000"},
		{"http preferred", map[string]string{Listeners: "https://a:8443,http://b:8083"}, 0, "http://b:8083/", "b:8083"},
		{"https only", map[string]string{Listeners: "https://a:8443"}, 0, "https://a:8443/", "a:8443"},
		{"advertised listener", map[string]string{Listeners: "http://b:8083,https://a:8443", RestAdvertisedListener: "HTTPS"}, 0, "https://a:8443/", "a:8443"},
		{"ipv6", map[string]string{Listeners: "http://[::1]:8083"}, 0, "http://[::1]:8083/", "[::1]:8083"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := minimal()
			for k, v := range tt.props {
				p[k] = v
			}
			c, err := Parse(Standalone, p)
			if err != nil {
				t.Fatal(err)
			}
			u := c.AdvertisedURL(tt.boundPort)
			if u.String() != tt.wantURL {
				t.Errorf("AdvertisedURL = %s, want %s", u, tt.wantURL)
			}
			if id := WorkerID(u); id != tt.wantID {
				t.Errorf("WorkerID = %s, want %s", id, tt.wantID)
			}
		})
	}
	// An empty listener host advertises this machine's address.
	c, err := Parse(Standalone, minimal())
	if err != nil {
		t.Fatal(err)
	}
	u := c.AdvertisedURL(0)
	if u.Hostname() == "" || u.Port() != "8083" {
		t.Errorf("AdvertisedURL with default listeners = %s", u)
	}
}

func TestAdminListeners(t *testing.T) {
	p := minimal()
	c, _ := Parse(Standalone, p)
	if _, set := c.AdminListeners(); set {
		t.Error("admin.listeners unset: set = true")
	}
	p[AdminListeners] = ""
	c, err := Parse(Standalone, p)
	if err != nil {
		t.Fatal(err)
	}
	if ls, set := c.AdminListeners(); !set || len(ls) != 0 {
		t.Errorf("admin.listeners empty: %v %v, want disabled", ls, set)
	}
	p[AdminListeners] = "http://localhost:9093"
	c, _ = Parse(Standalone, p)
	if ls, set := c.AdminListeners(); !set || len(ls) != 1 || ls[0].Addr() != "localhost:9093" {
		t.Errorf("admin.listeners: %v %v", ls, set)
	}
}

// TestExactlyOnceSourceRefused: a distributed worker asked for exactly-once source
// refuses to start rather than silently delivering at least once; standalone mode
// ignores the key, as Java does.
func TestExactlyOnceSourceRefused(t *testing.T) {
	for _, v := range []string{"enabled", "PREPARING"} {
		p := minimalDistributed()
		p[ExactlyOnceSourceSupport] = v
		_, err := Parse(Distributed, p)
		if err == nil || !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "does not support exactly-once source") {
			t.Errorf("%s: err = %v, want the KIP-618 refusal", v, err)
		}
	}
	p := minimalDistributed()
	p[ExactlyOnceSourceSupport] = "disabled"
	if _, err := Parse(Distributed, p); err != nil {
		t.Errorf("disabled: %v", err)
	}
	p = minimal()
	p[ExactlyOnceSourceSupport] = "enabled"
	if _, err := Parse(Standalone, p); err != nil {
		t.Errorf("standalone ignores the key: %v", err)
	}
}

func minimalDistributed() map[string]string {
	p := minimal()
	delete(p, OffsetStorageFileFilename)
	p[GroupID] = "connect-cluster"
	p[OffsetStorageTopic] = "connect-offsets"
	p[ConfigStorageTopic] = "connect-configs"
	p[StatusStorageTopic] = "connect-status"
	return p
}
