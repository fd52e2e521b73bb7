package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/goconnect/goconnect/internal/app"
	"github.com/goconnect/goconnect/internal/embedded"
	"github.com/goconnect/goconnect/internal/herder/standalone"
	"github.com/goconnect/goconnect/javaprops"
)

const usage = `Usage:
  goconnect dev [-dir data] [-port 8083] [-kafka-port 9092]
  goconnect standalone worker.properties [connector1.properties connector2.json ...]
  goconnect distributed worker.properties
  goconnect version
`

// startTimeout bounds start-up: the Kafka cluster id lookup and creating the
// connectors of the command line.
const startTimeout = 2 * time.Minute

// stopTimeout bounds the REST server's graceful shutdown.
const stopTimeout = 30 * time.Second

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "version", "--version", "-version":
		v, c := app.Version()
		fmt.Fprintf(stdout, "goconnect %s (commit %s), Kafka Connect API %s\n", v, c, standalone.KafkaVersion)
		return 0
	case "standalone":
		if len(args) < 2 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		return runStandalone(args[1], args[2:], stderr)
	case "distributed":
		if len(args) != 2 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		return runDistributed(args[1], stderr)
	case "dev":
		return runDev(args[1:], stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "goconnect: unknown command %q\n%s", args[0], usage)
	return 2
}

func runStandalone(workerFile string, connectorFiles []string, stderr io.Writer) int {
	props, err := javaprops.LoadFile(workerFile)
	if err != nil {
		fmt.Fprintf(stderr, "goconnect: %v\n", err)
		return 1
	}
	sigCtx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	startCtx, cancel := context.WithTimeout(sigCtx, startTimeout)
	w, err := app.StartStandalone(startCtx, app.Options{
		WorkerProps:    props,
		ConnectorFiles: connectorFiles,
		LogOutput:      stderr,
		LogLevel:       os.Getenv("GOCONNECT_LOG_LEVEL"),
	})
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "goconnect: %v\n", err)
		return 1
	}

	<-sigCtx.Done()
	stop() // a second signal kills the process the default way
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		fmt.Fprintf(stderr, "goconnect: shutdown: %v\n", err)
		return 1
	}
	return 0
}

func runDistributed(workerFile string, stderr io.Writer) int {
	props, err := javaprops.LoadFile(workerFile)
	if err != nil {
		fmt.Fprintf(stderr, "goconnect: %v\n", err)
		return 1
	}
	sigCtx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	startCtx, cancel := context.WithTimeout(sigCtx, startTimeout)
	w, err := app.StartDistributed(startCtx, app.Options{
		WorkerProps: props,
		LogOutput:   stderr,
		LogLevel:    os.Getenv("GOCONNECT_LOG_LEVEL"),
	})
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "goconnect: %v\n", err)
		return 1
	}
	<-sigCtx.Done()
	stop()
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := w.Close(ctx); err != nil {
		fmt.Fprintf(stderr, "goconnect: shutdown: %v\n", err)
		return 1
	}
	return 0
}

// runDev runs the development default: an in-process broker, a standalone worker and
// an example pipeline, all kept in one folder (see internal/embedded).
func runDev(args []string, stderr io.Writer) int {
	fl := flag.NewFlagSet("dev", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("dir", "data", "folder for broker data, offsets, connectors and the example files")
	port := fl.Int("port", 8083, "REST port")
	kafkaPort := fl.Int("kafka-port", 9092, "embedded broker port (0 = any free port)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	sigCtx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	startCtx, cancel := context.WithTimeout(sigCtx, startTimeout)
	d, err := embedded.Start(startCtx, embedded.Options{Dir: *dir, RESTPort: *port, KafkaPort: *kafkaPort, LogOutput: stderr})
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "goconnect: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "\ngoconnect dev: DEVELOPMENT MODE (in-process broker at %s, not Apache Kafka)\n"+
		"  REST API:  http://localhost:%d/connectors?expand=status\n"+
		"  try:       echo hello >> %s && cat %s\n\n", d.Broker.Addr(), *port, d.Input, d.Output)
	<-sigCtx.Done()
	stop()
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := d.Close(ctx); err != nil {
		fmt.Fprintf(stderr, "goconnect: shutdown: %v\n", err)
		return 1
	}
	return 0
}
