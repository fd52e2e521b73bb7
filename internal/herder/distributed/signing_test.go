package distributed

import (
	"errors"
	"net/http"
	"testing"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/storage/kafkastore"
)

// TestVerifyInternalRequest pins Java's verification outcomes: 400 missing
// signature, 400 unsupported algorithm, 503 no key yet, 403 bad signature.
func TestVerifyInternalRequest(t *testing.T) {
	h := &Herder{cfg: Config{VerificationAlgorithms: []string{"HmacSHA256"}, SignatureAlgorithm: "HmacSHA256"}}
	body := []byte(`[{"task.class":"X"}]`)
	hdr := func(sig, alg string) http.Header {
		x := http.Header{}
		if sig != "" {
			x.Set(SignatureHeader, sig)
		}
		if alg != "" {
			x.Set(AlgorithmHeader, alg)
		}
		return x
	}
	if err := h.VerifyInternalRequest(body, hdr("", "")); err != nil {
		t.Fatalf("not sessioned: %v", err)
	}
	h.sessioned.Store(true)
	check := func(err error, kind error, msg string) {
		t.Helper()
		if !errors.Is(err, kind) || (msg != "" && err.Error() != msg) {
			t.Fatalf("got %v, want %v %q", err, kind, msg)
		}
	}
	check(h.VerifyInternalRequest(body, hdr("", "")), herder.ErrBadRequest, "Internal request missing required signature")
	check(h.VerifyInternalRequest(body, hdr("x", "HmacMD5")), herder.ErrBadRequest, "")
	check(h.VerifyInternalRequest(body, hdr("x", "HmacSHA256")), herder.ErrUnavailable, "")
	key, err := newSessionKey("HmacSHA256", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(key.Key) != 32 {
		t.Fatalf("key size %d", len(key.Key))
	}
	h.sessionKey.Store(&key)
	check(h.VerifyInternalRequest(body, hdr("AAAA", "HmacSHA256")), herder.ErrForbidden, "Internal request contained invalid signature.")
	req, _ := http.NewRequest("POST", "http://x/connectors/c/tasks", nil)
	if err := h.signRequest(req, body); err != nil {
		t.Fatal(err)
	}
	if err := h.VerifyInternalRequest(body, req.Header); err != nil {
		t.Fatalf("own signature: %v", err)
	}
	other := kafkastore.SessionKey{Key: []byte("0123456789abcdef0123456789abcdef"), Algorithm: "HmacSHA256"}
	h.sessionKey.Store(&other)
	check(h.VerifyInternalRequest(body, req.Header), herder.ErrForbidden, "")
}
