package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	pb "github.com/goconnect/goconnect/internal/plugin/proto"
	"github.com/goconnect/goconnect/internal/plugin/wire"
)

// maxMsg bounds one gRPC message; record batches are the big ones.
const maxMsg = 256 << 20

// windowSize is the HTTP/2 flow-control window of plugin connections.
const windowSize = 16 << 20

// ioBufferSize is the gRPC connection's read and write buffer size.
const ioBufferSize = 1 << 20

// callbackFunc answers one context call made by plugin code.
type callbackFunc func(ctx context.Context, cb *pb.Callback) *pb.CallbackReply

// process is one running plugin executable serving one instance.
type process struct {
	h      *Host
	e      *entry
	what   string // "connector", "task", "validation", for messages
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	dir    string
	conn   *grpc.ClientConn
	client pb.PluginClient
	stderr *tailWriter

	exited  chan struct{} // closed by the waiter once cmd.Wait returned
	exitErr error         // set before exited is closed

	cbCancel context.CancelFunc
	cbDone   chan struct{}

	closeOnce sync.Once
}

// startProcess starts e's executable, performs the handshake, dials it and
// opens the callback stream served by cb (nil: context calls fail).
func (h *Host) startProcess(e *entry, what string, cb callbackFunc) (*process, error) {
	dir, err := os.MkdirTemp("", "goconnect-plugin-")
	if err != nil {
		return nil, fmt.Errorf("start plugin %s: %w", e.class, err)
	}
	socket := filepath.Join(dir, "plugin.sock")
	p := &process{h: h, e: e, what: what, dir: dir, exited: make(chan struct{}), cbDone: make(chan struct{})}
	log := h.log.With("plugin", e.class, "executable", e.exe)
	p.stderr = &tailWriter{log: log, max: 8 << 10}
	hs := &handshakeWriter{lines: make(chan string, 1), log: log}

	cmd := exec.Command(e.exe)
	cmd.Dir = filepath.Dir(e.exe)
	cmd.Env = append(os.Environ(),
		wire.MagicCookieKey+"="+wire.MagicCookieValue,
		wire.ProtocolVersionsKey+"="+wire.FormatVersions(h.versions),
		wire.SocketKey+"="+socket,
	)
	cmd.Stdout = hs
	cmd.Stderr = p.stderr
	cmd.SysProcAttr = sysProcAttr()
	// A plugin's own children could hold stdout/stderr open; do not let them
	// block Wait forever.
	cmd.WaitDelay = 2 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start plugin %s: %w", e.class, err)
	}
	if !h.track(p) {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start plugin %s: %w", e.class, ErrClosed)
	}
	if err := cmd.Start(); err != nil {
		h.untrack(p)
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start plugin %s: %w", e.class, err)
	}
	p.cmd, p.stdin = cmd, stdin
	go func() { // the waiter; close waits for exited
		p.exitErr = cmd.Wait()
		close(p.exited)
	}()

	fail := func(err error) (*process, error) {
		close(p.cbDone)
		p.close()
		return nil, err
	}
	var line string
	select {
	case line = <-hs.lines:
	case <-p.exited:
		return fail(fmt.Errorf("start plugin %s: the process exited before the handshake (%v)%s", e.class, p.exitErr, p.stderr.suffix()))
	case <-time.After(h.cfg.StartTimeout):
		return fail(fmt.Errorf("start plugin %s: no handshake within %v%s", e.class, h.cfg.StartTimeout, p.stderr.suffix()))
	}
	version, sock, err := wire.ParseHandshake(line)
	if err != nil {
		return fail(fmt.Errorf("start plugin %s: %w", e.class, err))
	}
	if !slices.Contains(h.versions, version) {
		return fail(fmt.Errorf("start plugin %s: the plugin chose protocol version %d, the worker speaks [%s]", e.class, version, wire.FormatVersions(h.versions)))
	}
	p.conn, err = grpc.NewClient("unix://"+sock,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMsg), grpc.MaxCallSendMsgSize(maxMsg),
			grpc.ForceCodecV2(wire.Codec{})), // batches without extra copies
		// A batch is often larger than HTTP/2's default 64 KiB window; on a
		// local socket a large fixed window saves a WINDOW_UPDATE round trip
		// per batch.
		grpc.WithInitialWindowSize(windowSize), grpc.WithInitialConnWindowSize(windowSize),
		// Batches are hundreds of KiB: larger buffers than the default 32 KiB
		// take a batch in a few system calls instead of dozens.
		grpc.WithWriteBufferSize(ioBufferSize), grpc.WithReadBufferSize(ioBufferSize))
	if err != nil {
		return fail(fmt.Errorf("start plugin %s: dial %s: %w", e.class, sock, err))
	}
	p.client = pb.NewPluginClient(p.conn)

	ctx, cancel := context.WithCancel(context.Background())
	p.cbCancel = cancel
	stream, err := p.client.Callbacks(ctx)
	if err != nil {
		cancel()
		return fail(p.wrap("open callback stream", err))
	}
	go p.serveCallbacks(ctx, stream, cb) // owned: close cancels ctx and waits cbDone
	return p, nil
}

// serveCallbacks answers the plugin's context calls in order, one at a time,
// so a Pause made inside Put is applied before Put's reply is read.
func (p *process) serveCallbacks(ctx context.Context, stream pb.Plugin_CallbacksClient, cb callbackFunc) {
	defer close(p.cbDone)
	for {
		c, err := stream.Recv()
		if err != nil {
			return
		}
		var reply *pb.CallbackReply
		if cb == nil {
			reply = &pb.CallbackReply{Error: wire.EncodeError(errors.New("no context is available for this call"))}
		} else {
			cctx, cancel := context.WithTimeout(ctx, p.h.cfg.CallTimeout)
			reply = cb(cctx, c)
			cancel()
		}
		reply.Id = c.Id
		if err := stream.Send(reply); err != nil {
			return
		}
	}
}

// close stops the process and waits for it and its goroutines: closing stdin
// asks the SDK to exit; after StopTimeout the process is killed.
func (p *process) close() {
	p.closeOnce.Do(func() {
		if p.cbCancel != nil {
			p.cbCancel()
		}
		if p.conn != nil {
			p.conn.Close()
		}
		if p.stdin != nil {
			p.stdin.Close()
		}
		if p.cmd != nil {
			select {
			case <-p.exited:
			case <-time.After(p.h.cfg.StopTimeout):
				p.cmd.Process.Kill()
				<-p.exited
			}
		}
		<-p.cbDone
		os.RemoveAll(p.dir)
		p.h.untrack(p)
	})
}

// kill ends a process that stopped answering, then closes it.
func (p *process) kill() {
	if p.cmd != nil {
		p.cmd.Process.Kill()
	}
	p.close()
}

// wrap turns an RPC failure into an error naming the plugin, and when the
// process died, its exit status and the tail of its stderr: that is what the
// worker shows as the FAILED task's trace.
func (p *process) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.Unavailable, codes.Internal, codes.Unknown, codes.Canceled:
		// A broken connection is usually a dead process whose exit the waiter
		// has not seen yet; so is a call cancelled by the connection closing
		// when another call found the process hung and killed it (callers
		// handle a cancellation of their own before wrapping).
		select {
		case <-p.exited:
		case <-time.After(500 * time.Millisecond):
		}
	}
	// A dead process explains any failure best, including the "connection
	// closing" of a call made after a hung process was killed.
	select {
	case <-p.exited:
		return &ProcessError{Class: p.e.class, Op: op, Pid: p.cmd.Process.Pid, Exit: p.exitErr, Stderr: p.stderr.String()}
	default:
	}
	switch st.Code() {
	case codes.Canceled:
		return fmt.Errorf("plugin %s: %s: %w", p.e.class, op, context.Canceled)
	case codes.DeadlineExceeded:
		return fmt.Errorf("plugin %s: %s: no answer in time, the plugin process is considered hung: %w", p.e.class, op, context.DeadlineExceeded)
	}
	return fmt.Errorf("plugin %s: %s: %w", p.e.class, op, err)
}

// ProcessError reports a plugin process that died during a call.
type ProcessError struct {
	Class  string
	Op     string
	Pid    int
	Exit   error // the exec error: exit status or signal
	Stderr string
}

func (e *ProcessError) Error() string {
	msg := fmt.Sprintf("plugin %s: %s: plugin process %d exited (%v)", e.Class, e.Op, e.Pid, e.Exit)
	if e.Stderr != "" {
		msg += "; last output on stderr:\n" + e.Stderr
	}
	return msg
}

// tailWriter logs a plugin's stderr line by line and keeps the last max bytes
// for error messages. exec's copy goroutine is its only writer; String may be
// called from any goroutine.
type tailWriter struct {
	log  *slog.Logger
	max  int
	mu   sync.Mutex
	buf  []byte
	line []byte
}

func (w *tailWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	if len(w.buf) > w.max {
		w.buf = append(w.buf[:0], w.buf[len(w.buf)-w.max:]...)
	}
	w.line = append(w.line, b...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			break
		}
		w.log.Info(string(w.line[:i]), "stream", "stderr")
		w.line = w.line[i+1:]
	}
	return len(b), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(bytes.TrimSpace(w.buf))
}

func (w *tailWriter) suffix() string {
	if s := w.String(); s != "" {
		return "; last output on stderr:\n" + s
	}
	return ""
}

// handshakeWriter takes the plugin's stdout: the first line is the
// handshake, the rest is logged.
type handshakeWriter struct {
	lines chan string
	log   *slog.Logger
	mu    sync.Mutex
	buf   []byte
	done  bool
}

func (w *handshakeWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		if !w.done {
			w.done = true
			w.lines <- line
			continue
		}
		w.log.Info(line, "stream", "stdout")
	}
	return len(b), nil
}
