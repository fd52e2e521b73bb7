package pluginsdk

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"

	"github.com/goconnect/goconnect/api/connect"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
	"github.com/goconnect/goconnect/internal/plugin/wire"
)

// Connector describes one connector class served by the executable.
type Connector struct {
	// Class is the fully qualified class name users write in connector.class,
	// for example "com.example.CountingSource". Required.
	Class string
	// Aliases are extra names accepted besides Class, its simple name and the
	// simple name without a "Connector" suffix, which are always accepted.
	Aliases []string
	// TaskClass is written as task.class in task configs; defaults to Class+"Task".
	TaskClass string
	// New returns a new connector instance; it must implement
	// connect.SourceConnector or connect.SinkConnector. Required.
	New func() connect.Connector
}

// pluginGCPercent is the GOGC of plugin processes unless the environment sets one.
const pluginGCPercent = 400

// ManifestFlag makes Serve print the manifest and exit.
const ManifestFlag = "--goconnect-manifest"

// Serve serves the connectors until the worker closes the process's stdin,
// then exits the process. It never returns. Call it once, from main.
func Serve(connectors ...Connector) {
	os.Exit(serve(connectors, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// serve is Serve without process globals, for tests. It returns the exit code.
func serve(connectors []Connector, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	m, err := manifest(connectors)
	if err != nil {
		fmt.Fprintf(stderr, "goconnect plugin: %v\n", err)
		return 1
	}
	if slices.Contains(args, ManifestFlag) {
		b, _ := json.MarshalIndent(m, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
		return 0
	}
	if getenv(wire.MagicCookieKey) != wire.MagicCookieValue {
		fmt.Fprintf(stderr, "This program is a goconnect connector plugin: it is started by a goconnect worker, not by hand.\n"+
			"Put it with its manifest in a folder on the worker's plugin.path. Run it with %s to print the manifest.\n", ManifestFlag)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if getenv("GOGC") == "" {
		// A plugin process's live heap is small (the batches in flight), so
		// Go's default target (collect when the heap doubles) collects about
		// once per batch; five times the live heap costs a few megabytes and
		// a fraction of the collections (docs/plugins.md, "Cost").
		debug.SetGCPercent(pluginGCPercent)
	}
	version, err := wire.Negotiate(wire.ParseVersions(getenv(wire.ProtocolVersionsKey)), wire.SupportedVersions)
	if err != nil {
		fmt.Fprintln(stdout, wire.FormatHandshakeError(err.Error()))
		fmt.Fprintf(stderr, "goconnect plugin: %v\n", err)
		return 1
	}
	socket := getenv(wire.SocketKey)
	if socket == "" {
		fmt.Fprintln(stdout, wire.FormatHandshakeError(wire.SocketKey+" is not set"))
		return 1
	}
	lis, err := net.Listen("unix", socket)
	if err != nil {
		fmt.Fprintln(stdout, wire.FormatHandshakeError(err.Error()))
		return 1
	}
	// The worker owns the socket's folder and removes it; remove the socket
	// too in case the worker is gone.
	defer os.Remove(socket)

	srv := newServer(connectors, log)
	gs := grpc.NewServer(grpc.MaxRecvMsgSize(maxMsg), grpc.MaxSendMsgSize(maxMsg),
		grpc.ForceServerCodecV2(wire.Codec{}), // batches without extra copies
		// See internal/plugin's windowSize: batches exceed the default window.
		grpc.InitialWindowSize(16<<20), grpc.InitialConnWindowSize(16<<20),
		grpc.WriteBufferSize(1<<20), grpc.ReadBufferSize(1<<20))
	pb.RegisterPluginServer(gs, srv)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // owned here: ends when Serve returns, waited for below
		defer wg.Done()
		_ = gs.Serve(lis)
	}()
	fmt.Fprintln(stdout, wire.FormatHandshake(version, socket))

	// The stdin watchdog: the worker holds our stdin open for as long as it
	// wants us; EOF means it closed it or died, so no orphan outlives it even
	// when Pdeathsig is unavailable (non-Linux) or was lost.
	stdinEOF := make(chan struct{})
	go func() { // ends at EOF, which process exit guarantees
		_, _ = io.Copy(io.Discard, stdin)
		close(stdinEOF)
	}()
	signal.Ignore(os.Interrupt)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	defer signal.Stop(sigs)
	select {
	case <-stdinEOF:
	case <-sigs:
	}
	// Give in-flight calls (a Stop in progress) a moment, then cut.
	stopped := make(chan struct{})
	go func() { gs.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		gs.Stop()
		<-stopped
	}
	wg.Wait()
	srv.shutdown()
	return 0
}

// maxMsg bounds one message; record batches are the big ones.
const maxMsg = 256 << 20

func manifest(cs []Connector) (*wire.Manifest, error) {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	m := &wire.Manifest{ManifestVersion: wire.ManifestVersion, Executable: filepath.Base(exe), ProtocolVersions: wire.SupportedVersions}
	for _, c := range cs {
		e, err := entry(c)
		if err != nil {
			return nil, err
		}
		m.Plugins = append(m.Plugins, e)
	}
	b, _ := json.Marshal(m)
	if _, err := wire.ParseManifest(b); err != nil {
		return nil, fmt.Errorf("invalid Serve arguments: %w", err)
	}
	return m, nil
}

func entry(c Connector) (wire.ManifestEntry, error) {
	if c.New == nil {
		return wire.ManifestEntry{}, fmt.Errorf("connector %s has no New function", c.Class)
	}
	e := wire.ManifestEntry{Class: c.Class, Aliases: c.Aliases, TaskClass: c.TaskClass}
	if e.TaskClass == "" {
		e.TaskClass = c.Class + "Task"
	}
	inst := c.New()
	switch inst.(type) {
	case connect.SourceConnector:
		e.Type = wire.TypeSource
	case connect.SinkConnector:
		e.Type = wire.TypeSink
	default:
		return e, fmt.Errorf("connector %s: New returns %T, which is neither a connect.SourceConnector nor a connect.SinkConnector", c.Class, inst)
	}
	e.Version = inst.Version()
	return e, nil
}

// callTimeout bounds a callback to the worker made from a context method that
// takes no ctx (Pause, RequestCommit, ...).
const callTimeout = 30 * time.Second

func background() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}
