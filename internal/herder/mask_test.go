package herder

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/registry"
)

type secretConnector struct{ connect.SinkConnector }

func (secretConnector) Config() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: "connection.password", Type: config.Password, Default: nil},
		config.Key{Name: "connection.user", Type: config.String, Default: nil})
}

func TestMaskPasswords(t *testing.T) {
	reg := registry.New([]registry.Plugin{{Class: "com.example.SecretSink", Kind: registry.Sink,
		NewConnector: func() connect.Connector { return secretConnector{} }}})
	got := MaskPasswords(reg, map[string]string{
		"connector.class":                       "SecretSink",
		"connection.user":                       "bob",
		"connection.password":                   "hunter2",
		"consumer.override.ssl.key.password":    "k3y",
		"producer.override.sasl.jaas.config":    "x required password=\"p\";",
		"consumer.override.ssl.truststore.type": "PEM",
	})
	want := map[string]string{
		"connector.class":                       "SecretSink",
		"connection.user":                       "bob",
		"connection.password":                   "[hidden]",
		"consumer.override.ssl.key.password":    "[hidden]",
		"producer.override.sasl.jaas.config":    "[hidden]",
		"consumer.override.ssl.truststore.type": "PEM",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("MaskPasswords (-want +got):\n%s", d)
	}
	ref := MaskPasswords(reg, map[string]string{"connector.class": "SecretSink", "connection.password": "${file:/s.properties:pw}"})
	if ref["connection.password"] != "${file:/s.properties:pw}" {
		t.Errorf("a config-provider reference must stay visible, got %q", ref["connection.password"])
	}
}
