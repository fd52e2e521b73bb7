package rest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Server serves a handler on the address of the worker's listeners property.
type Server struct {
	srv *http.Server
	ln  net.Listener
}

// NewServer returns a server for listeners (Java's comma-separated
// protocol://host:port list, e.g. "http://:8083"); only the first http listener is
// served (https listeners are not supported yet and are an error when alone).
func NewServer(listeners string, h http.Handler) (*Server, error) {
	addr, err := listenAddr(listeners)
	if err != nil {
		return nil, err
	}
	return &Server{srv: &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 30 * time.Second}}, nil
}

func listenAddr(listeners string) (string, error) {
	for _, l := range strings.Split(listeners, ",") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		u, err := url.Parse(l)
		if err != nil {
			return "", fmt.Errorf("parse listener %q: %w", l, err)
		}
		if strings.EqualFold(u.Scheme, "http") {
			return u.Host, nil
		}
	}
	return "", fmt.Errorf("no http listener in listeners %q", listeners)
}

// Listen binds the listening socket, so that Addr is known before Serve.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.srv.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.srv.Addr, err)
	}
	s.ln = ln
	return nil
}

// Addr returns the bound address (after Listen).
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Serve serves requests until Shutdown; it returns nil after a shutdown. The caller
// owns the goroutine it runs on.
func (s *Server) Serve() error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve rest: %w", err)
	}
	return nil
}

// ListenAndServe is Listen followed by Serve.
func (s *Server) ListenAndServe() error { return s.Serve() }

// Shutdown stops accepting requests and waits, up to ctx, for running ones.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown rest: %w", err)
	}
	return nil
}
