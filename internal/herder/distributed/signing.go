package distributed

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"net/http"
	"slices"
	"strings"

	"github.com/goconnect/goconnect/internal/herder"
)

// Internal request signing (KIP-507): Java's InternalRequestSignature.
const (
	// SignatureHeader carries base64(HMAC(session key, request body)).
	SignatureHeader = "X-Connect-Authorization"
	// AlgorithmHeader names the Mac algorithm of the signature.
	AlgorithmHeader = "X-Connect-Request-Signature-Algorithm"

	defaultAlgorithm = "HmacSHA256"
)

// macFor returns the hash of a javax.crypto Mac algorithm name.
func macFor(algorithm string) (func() hash.Hash, error) {
	switch algorithm {
	case "HmacSHA256":
		return sha256.New, nil
	case "HmacSHA1":
		return sha1.New, nil
	case "HmacSHA384":
		return sha512.New384, nil
	case "HmacSHA512":
		return sha512.New, nil
	case "HmacSHA224":
		return sha256.New224, nil
	}
	return nil, fmt.Errorf("unsupported key algorithm %q", algorithm)
}

// defaultKeyBits is the key size javax.crypto.KeyGenerator picks by default for an
// Hmac algorithm: the digest size.
func defaultKeyBits(algorithm string) int {
	switch algorithm {
	case "HmacSHA1":
		return 160
	case "HmacSHA224":
		return 224
	case "HmacSHA384":
		return 384
	case "HmacSHA512":
		return 512
	}
	return 256
}

// sign returns the base64 signature of body.
func sign(key []byte, algorithm string, body []byte) (string, error) {
	newHash, err := macFor(algorithm)
	if err != nil {
		return "", err
	}
	m := hmac.New(newHash, key)
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// signRequest adds the signature headers to an internal request when the group
// runs the sessioned protocol and a session key is known.
func (h *Herder) signRequest(req *http.Request, body []byte) error {
	if !h.sessioned.Load() {
		return nil
	}
	k := h.sessionKey.Load()
	if k == nil {
		return nil // the leader answers 503 and the forward is retried
	}
	sig, err := sign(k.Key, h.cfg.SignatureAlgorithm, body)
	if err != nil {
		return err
	}
	req.Header.Set(SignatureHeader, sig)
	req.Header.Set(AlgorithmHeader, h.cfg.SignatureAlgorithm)
	return nil
}

// VerifyInternalRequest checks the signature of an internal request (POST
// /connectors/{name}/tasks, PUT /connectors/{name}/fence) with Java's errors. The
// check is on only while the group runs the sessioned protocol. body is the exact
// request body.
func (h *Herder) VerifyInternalRequest(body []byte, hdr http.Header) error {
	if !h.sessioned.Load() {
		return nil
	}
	sig, alg := hdr.Get(SignatureHeader), hdr.Get(AlgorithmHeader)
	if sig == "" || alg == "" {
		return herder.Errorf(herder.ErrBadRequest, "Internal request missing required signature")
	}
	if !slices.Contains(h.cfg.VerificationAlgorithms, alg) {
		return herder.Errorf(herder.ErrBadRequest, "This worker does not support the '%s' key signing algorithm used by other workers. "+
			"This worker is currently configured to use: [%s]. Check that all workers' configuration files permit the same set of "+
			"signature algorithms, and correct any misconfigured worker and restart it.", alg, strings.Join(h.cfg.VerificationAlgorithms, ", "))
	}
	k := h.sessionKey.Load()
	if k == nil {
		return herder.Errorf(herder.ErrUnavailable, "This worker is still starting up and has not been able to read a session key from the config topic yet")
	}
	want, err := sign(k.Key, alg, body)
	if err != nil {
		return herder.Errorf(herder.ErrBadRequest, "%s", err.Error())
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	wantRaw, _ := base64.StdEncoding.DecodeString(want)
	if err != nil || !hmac.Equal(got, wantRaw) {
		return herder.Errorf(herder.ErrForbidden, "Internal request contained invalid signature.")
	}
	return nil
}
