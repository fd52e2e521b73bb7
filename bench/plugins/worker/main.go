// Command worker is goconnect's standalone worker with the example connectors of
// examples/counting compiled in as built-ins, for bench/plugins: the "built-in"
// side of the built-in vs external comparison runs the same connector code, in
// the same worker code, as the external side — only the process boundary differs.
//
//	worker worker.properties
//
// Unlike cmd/goconnect it does not scan plugin.path (the registry is fixed).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/examples/counting"
	"github.com/goconnect/goconnect/internal/app"
	"github.com/goconnect/goconnect/internal/builtin"
	"github.com/goconnect/goconnect/internal/registry"
	"github.com/goconnect/goconnect/javaprops"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: worker worker.properties")
		os.Exit(2)
	}
	props, err := javaprops.LoadFile(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "worker: %v\n", err)
		os.Exit(1)
	}
	reg := registry.New(append(builtin.All(),
		registry.Plugin{Class: counting.SourceClass, Kind: registry.Source, Version: counting.Version,
			ExtraAliases: []string{"CountingSource"},
			NewConnector: func() connect.Connector { return &counting.SourceConnector{} }},
		registry.Plugin{Class: counting.SinkClass, Kind: registry.Sink, Version: counting.Version,
			ExtraAliases: []string{"CountingFileSink"},
			NewConnector: func() connect.Connector { return &counting.SinkConnector{} }},
	))
	sigCtx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	startCtx, cancel := context.WithTimeout(sigCtx, 2*time.Minute)
	w, err := app.StartStandalone(startCtx, app.Options{WorkerProps: props, LogOutput: os.Stderr, Registry: reg})
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "worker: %v\n", err)
		os.Exit(1)
	}
	<-sigCtx.Done()
	stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "worker: shutdown: %v\n", err)
		os.Exit(1)
	}
}
