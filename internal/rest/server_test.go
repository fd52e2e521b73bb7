package rest

import (
	"context"
	"io"
	"net/http"
	"testing"
)

func TestServerServesAndShutsDown(t *testing.T) {
	srv, err := NewServer("http://127.0.0.1:0", NewHandler(Options{Herder: newFakeHerder(testRegistry()), Registry: testRegistry()}))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	resp, err := http.Get("http://" + srv.Addr().String() + "/connectors")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "[]" {
		t.Errorf("GET /connectors = %d %s", resp.StatusCode, b)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve = %v", err)
	}
}
