package herder

import (
	"maps"
	"strings"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/internal/registry"
)

// MaskPasswordsConfig is the goconnect worker key that makes REST hide literal
// values of PASSWORD-type connector keys in the configs it returns (GET
// /connectors/{name}, /config, expand=info). Java returns them in clear text (a
// long-standing complaint); the default keeps Java's behaviour because scripts may
// read configs back and re-submit them.
const MaskPasswordsConfig = "rest.connector.config.mask.passwords"

// MaskPasswords returns config with the value of every PASSWORD-type key of its
// connector (the connector's own definition, and keys ending in ".password" of client
// overrides) replaced by "[hidden]". References to config providers (${...}) are
// not secrets and stay, so a masked config still tells where the secret comes from.
func MaskPasswords(reg *registry.Registry, props map[string]string) map[string]string {
	secret := map[string]bool{}
	if p, err := reg.LookupConnectorFor(props); err == nil && p.NewConnector != nil {
		if def := p.NewConnector().Config(); def != nil {
			for _, k := range def.Keys() {
				if k.Type == config.Password {
					secret[k.Name] = true
				}
			}
		}
	}
	out := maps.Clone(props)
	for k, v := range out {
		isOverride := strings.HasPrefix(k, "producer.override.") || strings.HasPrefix(k, "consumer.override.") ||
			strings.HasPrefix(k, "admin.override.")
		if (secret[k] || (isOverride && strings.HasSuffix(k, ".password")) || strings.HasSuffix(k, ".sasl.jaas.config")) &&
			!strings.Contains(v, "${") {
			out[k] = config.HiddenPassword
		}
	}
	return out
}
