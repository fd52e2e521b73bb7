// Command profiled is `goconnect standalone` with CPU and heap profiling, for the
// benchmark's profile runs (go run ./bench). It is cmd/goconnect's runStandalone
// with two additions, kept here so the product binary stays as it is:
//
//   - GOCONNECT_CPUPROFILE=path: a CPU profile from start to shutdown (SIGTERM);
//   - GOCONNECT_MEMPROFILE=path: a heap profile (inuse and alloc) written at shutdown.
//
// Wiring the same into cmd/goconnect would be one `if p := os.Getenv(...)` block in
// runStandalone around the <-sigCtx.Done() wait (or net/http/pprof on an admin
// listener); the measured runs use the product binary, not this one.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/goconnect/goconnect/internal/app"
	"github.com/goconnect/goconnect/javaprops"
)

func main() {
	if len(os.Args) < 3 || os.Args[1] != "standalone" {
		fmt.Fprintln(os.Stderr, "usage: profiled standalone worker.properties [connector files...]")
		os.Exit(2)
	}
	os.Exit(run(os.Args[2], os.Args[3:]))
}

func run(workerFile string, connectorFiles []string) int {
	if p := os.Getenv("GOCONNECT_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			fmt.Fprintf(os.Stderr, "profiled: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "profiled: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	props, err := javaprops.LoadFile(workerFile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "profiled: %v\n", err)
		return 1
	}
	sigCtx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	startCtx, cancel := context.WithTimeout(sigCtx, 2*time.Minute)
	w, err := app.StartStandalone(startCtx, app.Options{
		WorkerProps:    props,
		ConnectorFiles: connectorFiles,
		LogOutput:      os.Stderr,
		LogLevel:       os.Getenv("GOCONNECT_LOG_LEVEL"),
	})
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "profiled: %v\n", err)
		return 1
	}
	<-sigCtx.Done()
	stop()
	// The heap profile is taken before shutdown, while the pipeline's buffers are live.
	if p := os.Getenv("GOCONNECT_MEMPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			runtime.GC()
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "profiled: shutdown: %v\n", err)
		return 1
	}
	return 0
}
