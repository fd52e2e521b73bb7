package wire

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The handshake, go-plugin style. The worker starts the plugin executable with
// these environment variables; the plugin answers with one line on stdout:
//
//	goconnect-plugin|<version>|unix|<socket path>
//
// or, when it cannot serve this worker,
//
//	goconnect-plugin|error|<message>
//
// and exits. Everything else the plugin prints goes to stderr.
const (
	// MagicCookieKey and MagicCookieValue tell the executable it was started by a
	// worker. They are not a security measure: they stop a user who runs the
	// binary by hand from getting a silent server, and stop the worker from
	// mistaking an unrelated executable for a plugin.
	MagicCookieKey   = "GOCONNECT_PLUGIN_MAGIC_COOKIE"
	MagicCookieValue = "7d1c3f0e-goconnect-plugin-9b4a"
	// ProtocolVersionsKey lists the protocol versions the worker speaks,
	// comma-separated.
	ProtocolVersionsKey = "GOCONNECT_PLUGIN_PROTOCOL_VERSIONS"
	// SocketKey is the unix socket path the plugin must listen on. The worker
	// picks it so it can remove it whatever happens to the plugin.
	SocketKey = "GOCONNECT_PLUGIN_SOCKET"

	handshakePrefix = "goconnect-plugin"
)

// ProtocolVersion is the protocol version this build speaks (plugin.proto v2:
// v2 packs CommitRecord calls into bytes). Bump it for any incompatible
// change to plugin.proto or to the meaning of a call; keep serving the old
// one on both sides while it is still in use. v1 is not served: a plugin
// built against a v1 pluginsdk gets Negotiate's mismatch error and must be
// rebuilt.
const ProtocolVersion = 2

// SupportedVersions are the protocol versions this build can serve, newest first.
var SupportedVersions = []int{ProtocolVersion}

// FormatVersions renders versions for ProtocolVersionsKey.
func FormatVersions(vs []int) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

// ParseVersions parses ProtocolVersionsKey's value, ignoring malformed items.
func ParseVersions(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if v, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// Negotiate picks the newest version both sides speak, or explains why there
// is none, naming both lists so the user knows which side to rebuild.
func Negotiate(worker, plugin []int) (int, error) {
	best := 0
	for _, v := range plugin {
		if slices.Contains(worker, v) && v > best {
			best = v
		}
	}
	if best == 0 {
		return 0, fmt.Errorf("incompatible plugin protocol: the worker speaks version(s) [%s], the plugin speaks [%s]; rebuild the plugin against a pluginsdk that matches this worker",
			FormatVersions(worker), FormatVersions(plugin))
	}
	return best, nil
}

// FormatHandshake returns the line a plugin prints once it is listening.
func FormatHandshake(version int, socket string) string {
	return fmt.Sprintf("%s|%d|unix|%s", handshakePrefix, version, socket)
}

// FormatHandshakeError returns the line a plugin prints when it refuses to serve.
func FormatHandshakeError(msg string) string {
	return handshakePrefix + "|error|" + strings.ReplaceAll(msg, "\n", " ")
}

// ParseHandshake parses a plugin's first stdout line.
func ParseHandshake(line string) (version int, socket string, err error) {
	line = strings.TrimRight(line, "\r\n")
	parts := strings.SplitN(line, "|", 4)
	if len(parts) < 3 || parts[0] != handshakePrefix {
		return 0, "", fmt.Errorf("malformed plugin handshake %q: is this a goconnect plugin built with pluginsdk?", line)
	}
	if parts[1] == "error" {
		return 0, "", fmt.Errorf("plugin refused the handshake: %s", strings.Join(parts[2:], "|"))
	}
	v, err := strconv.Atoi(parts[1])
	if err != nil || len(parts) != 4 || parts[2] != "unix" {
		return 0, "", fmt.Errorf("malformed plugin handshake %q", line)
	}
	return v, parts[3], nil
}
