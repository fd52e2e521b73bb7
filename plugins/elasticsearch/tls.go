package elasticsearch

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
)

// tlsConfig holds the elastic.https.ssl.* keys. Only PEM stores are read: the
// standard library has no JKS reader and PKCS12 needs x/crypto, which built-in
// plugins do not import.
type tlsConfig struct {
	protocol                       string
	enabled                        []string
	keystoreType, keystoreLocation string
	keystoreKey, keystoreChain     string
	truststoreType                 string
	truststoreLocation             string
	truststoreCerts                string
	skipHostnameVerify             bool
}

func (c tlsConfig) build() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if v := minTLSVersion(c.enabled); v != 0 {
		tc.MinVersion = v
	}
	// Trust store.
	var pemCerts []byte
	switch {
	case c.truststoreCerts != "":
		pemCerts = []byte(c.truststoreCerts)
	case c.truststoreLocation != "":
		if !strings.EqualFold(c.truststoreType, "PEM") && !strings.HasSuffix(strings.ToLower(c.truststoreLocation), ".pem") && !strings.HasSuffix(strings.ToLower(c.truststoreLocation), ".crt") {
			return nil, fmt.Errorf("trust store %s of type %s is not supported: convert it to PEM and set %s%s=PEM", c.truststoreLocation, c.truststoreType, SSLPrefix, sslTruststoreType)
		}
		b, err := os.ReadFile(c.truststoreLocation)
		if err != nil {
			return nil, fmt.Errorf("read trust store: %w", err)
		}
		pemCerts = b
	}
	if pemCerts != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemCerts) {
			return nil, errors.New("trust store holds no PEM certificate")
		}
		tc.RootCAs = pool
	}
	// Key store.
	var chain, key []byte
	switch {
	case c.keystoreChain != "" || c.keystoreKey != "":
		chain, key = []byte(c.keystoreChain), []byte(c.keystoreKey)
	case c.keystoreLocation != "":
		if !strings.EqualFold(c.keystoreType, "PEM") && !strings.HasSuffix(strings.ToLower(c.keystoreLocation), ".pem") {
			return nil, fmt.Errorf("key store %s of type %s is not supported: convert it to PEM and set %s%s=PEM", c.keystoreLocation, c.keystoreType, SSLPrefix, sslKeystoreType)
		}
		b, err := os.ReadFile(c.keystoreLocation)
		if err != nil {
			return nil, fmt.Errorf("read key store: %w", err)
		}
		chain, key = b, b
	}
	if chain != nil {
		cert, err := tls.X509KeyPair(chain, key)
		if err != nil {
			return nil, fmt.Errorf("load key store: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	if c.skipHostnameVerify {
		// An empty ssl.endpoint.identification.algorithm disables the hostname check
		// only: the chain is still verified against the trust store.
		roots := tc.RootCAs
		tc.InsecureSkipVerify = true
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("server sent no certificate")
			}
			opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
			for _, ic := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(ic)
			}
			_, err := cs.PeerCertificates[0].Verify(opts)
			return err
		}
	}
	return tc, nil
}

func minTLSVersion(enabled []string) uint16 {
	var v uint16
	for _, p := range enabled {
		var n uint16
		switch strings.TrimSpace(p) {
		case "TLSv1.2":
			n = tls.VersionTLS12
		case "TLSv1.3":
			n = tls.VersionTLS13
		case "TLSv1.1":
			n = tls.VersionTLS11
		case "TLSv1":
			n = tls.VersionTLS10
		default:
			continue
		}
		if v == 0 || n < v {
			v = n
		}
	}
	return v
}
