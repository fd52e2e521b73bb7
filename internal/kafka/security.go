package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// security returns the dial and SASL options for security.protocol.
func (b *builder) security() ([]kgo.Opt, error) {
	proto, _ := b.get("security.protocol")
	if proto == "" {
		proto = "PLAINTEXT"
	}
	var opts []kgo.Opt
	switch strings.ToUpper(proto) {
	case "PLAINTEXT":
	case "SSL":
		c, err := b.tlsConfig()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(c))
	case "SASL_PLAINTEXT", "SASL_SSL":
		if strings.EqualFold(proto, "SASL_SSL") {
			c, err := b.tlsConfig()
			if err != nil {
				return nil, err
			}
			opts = append(opts, kgo.DialTLSConfig(c))
		}
		o, err := b.sasl()
		if err != nil {
			return nil, err
		}
		opts = append(opts, o)
	default:
		return nil, fmt.Errorf("%w: security.protocol %s (expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)", ErrUnsupported, proto)
	}
	return opts, nil
}

// tlsConfig supports PEM trust and key stores (ssl.truststore.type=PEM /
// ssl.keystore.type=PEM, as files or inline); JKS and PKCS12 stores need a
// conversion to PEM, which the error says.
func (b *builder) tlsConfig() (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if loc, ok := b.get("ssl.truststore.location"); ok {
		if err := pemStoreType(b, "ssl.truststore.type", loc); err != nil {
			return nil, err
		}
		pemBytes, err := os.ReadFile(loc)
		if err != nil {
			return nil, fmt.Errorf("read ssl.truststore.location: %w", err)
		}
		if c.RootCAs, err = certPool(pemBytes); err != nil {
			return nil, fmt.Errorf("ssl.truststore.location %s: %w", loc, err)
		}
	} else if certs, ok := b.get("ssl.truststore.certificates"); ok {
		var err error
		if c.RootCAs, err = certPool([]byte(certs)); err != nil {
			return nil, fmt.Errorf("ssl.truststore.certificates: %w", err)
		}
	}
	var certPEM, keyPEM []byte
	if loc, ok := b.get("ssl.keystore.location"); ok {
		if err := pemStoreType(b, "ssl.keystore.type", loc); err != nil {
			return nil, err
		}
		all, err := os.ReadFile(loc)
		if err != nil {
			return nil, fmt.Errorf("read ssl.keystore.location: %w", err)
		}
		certPEM, keyPEM = all, all
	} else if chain, ok := b.get("ssl.keystore.certificate.chain"); ok {
		key, _ := b.get("ssl.keystore.key")
		certPEM, keyPEM = []byte(chain), []byte(key)
	}
	if certPEM != nil {
		if pw, ok := b.get("ssl.key.password"); ok && pw != "" {
			return nil, fmt.Errorf("%w: encrypted private keys (ssl.key.password); use an unencrypted PEM key", ErrUnsupported)
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("load client certificate from ssl.keystore: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	// ssl.endpoint.identification.algorithm defaults to https (verify the host name);
	// empty turns host name checks off but keeps chain verification.
	if v, ok := b.props["ssl.endpoint.identification.algorithm"]; ok && strings.TrimSpace(v) == "" {
		roots := c.RootCAs
		c.InsecureSkipVerify = true
		c.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return fmt.Errorf("broker sent no certificate")
			}
			inter := x509.NewCertPool()
			for _, ic := range cs.PeerCertificates[1:] {
				inter.AddCert(ic)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
			return err
		}
	}
	return c, nil
}

func pemStoreType(b *builder, key, loc string) error {
	t, _ := b.get(key)
	if t == "" {
		t = "JKS" // Java's default
		if strings.HasSuffix(strings.ToLower(loc), ".pem") || strings.HasSuffix(strings.ToLower(loc), ".crt") {
			t = "PEM"
		}
	}
	if !strings.EqualFold(t, "PEM") {
		return fmt.Errorf("%w: %s %s; convert the store to PEM and set %s=PEM", ErrUnsupported, key, t, key)
	}
	return nil
}

func certPool(pemBytes []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	n := 0
	for rest := pemBytes; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, err
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("no PEM certificates found")
	}
	return pool, nil
}

// sasl supports PLAIN and SCRAM-SHA-256/512 with credentials from sasl.jaas.config.
func (b *builder) sasl() (kgo.Opt, error) {
	mech, _ := b.get("sasl.mechanism")
	if mech == "" {
		mech = "GSSAPI" // Java's default
	}
	jaas, _ := b.get("sasl.jaas.config")
	opts, err := ParseJAAS(jaas)
	if err != nil {
		return nil, err
	}
	user, pass := opts["username"], opts["password"]
	switch strings.ToUpper(mech) {
	case "PLAIN":
		return kgo.SASL(plain.Auth{User: user, Pass: pass}.AsMechanism()), nil
	case "SCRAM-SHA-256":
		return kgo.SASL(scram.Auth{User: user, Pass: pass, IsToken: opts["tokenauth"] == "true"}.AsSha256Mechanism()), nil
	case "SCRAM-SHA-512":
		return kgo.SASL(scram.Auth{User: user, Pass: pass, IsToken: opts["tokenauth"] == "true"}.AsSha512Mechanism()), nil
	}
	return nil, fmt.Errorf("%w: sasl.mechanism %s (expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", ErrUnsupported, mech)
}

// ParseJAAS parses one JAAS login-module entry as Kafka accepts in sasl.jaas.config:
// `<LoginModule class> <flag> key="value" key2=value2;` and returns its options.
func ParseJAAS(s string) (map[string]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return map[string]string{}, nil
	}
	fail := func(why string) (map[string]string, error) {
		return nil, fmt.Errorf("invalid sasl.jaas.config: %s", why)
	}
	s, ok := strings.CutSuffix(s, ";")
	if !ok {
		return fail("must end with ';'")
	}
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return fail("expected a login module and a control flag")
	}
	switch strings.ToLower(fields[1]) {
	case "required", "requisite", "sufficient", "optional":
	default:
		return fail("unknown control flag " + fields[1])
	}
	// Skip the module and flag, then scan key=value pairs (values may be quoted and
	// contain spaces or '=').
	rest := strings.TrimSpace(s[strings.Index(s, fields[1])+len(fields[1]):])
	out := map[string]string{}
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return fail("expected key=value near " + rest)
		}
		key := strings.TrimSpace(rest[:eq])
		rest = strings.TrimSpace(rest[eq+1:])
		var val string
		if strings.HasPrefix(rest, `"`) {
			var sb strings.Builder
			i := 1
			for ; i < len(rest) && rest[i] != '"'; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				sb.WriteByte(rest[i])
			}
			if i >= len(rest) {
				return fail("unterminated quoted value for " + key)
			}
			val, rest = sb.String(), strings.TrimSpace(rest[i+1:])
		} else {
			end := strings.IndexAny(rest, " \t\n")
			if end < 0 {
				end = len(rest)
			}
			val, rest = rest[:end], strings.TrimSpace(rest[end:])
		}
		out[key] = val
	}
	return out, nil
}
