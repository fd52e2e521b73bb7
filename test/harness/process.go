package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Process is a child process whose stdout and stderr go to a log file under
// the test's temp dir. It is SIGKILLed at test cleanup if still running, and
// the tail of its log is printed when the test failed.
type Process struct {
	Name    string
	Cmd     *exec.Cmd
	LogPath string

	done    chan struct{}
	waitErr error
	logFile *os.File
	mu      sync.Mutex
}

// StartProcess starts cmd (whose Stdout/Stderr are replaced by the log file).
// Set cmd.Env and cmd.Dir before calling.
func StartProcess(t testing.TB, name string, cmd *exec.Cmd) *Process {
	t.Helper()
	p, err := startProcess(t.TempDir(), name, cmd)
	if err != nil {
		t.Fatalf("harness: start %s: %v", name, err)
	}
	t.Cleanup(func() {
		if !p.Exited() {
			_ = p.Kill()
		}
		if t.Failed() {
			t.Logf("--- tail of %s log (%s):\n%s", name, p.LogPath, tail(p.Log(), 60))
		}
	})
	return p
}

func startProcess(dir, name string, cmd *exec.Cmd) (*Process, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create log: %w", err)
	}
	cmd.Stdout = f
	cmd.Stderr = f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start: %w", err)
	}
	p := &Process{Name: name, Cmd: cmd, LogPath: logPath, done: make(chan struct{}), logFile: f}
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.waitErr = err
		p.mu.Unlock()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait waits for the process to exit and returns its exit error.
func (p *Process) Wait() error {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waitErr
}

// Kill sends SIGKILL (a crash, no shutdown hooks) and waits for the exit.
func (p *Process) Kill() error {
	if p.Exited() {
		return nil
	}
	if err := p.Cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", p.Name, err)
	}
	<-p.done
	return nil
}

// Term sends SIGTERM (graceful shutdown) and waits up to 30 s for the exit,
// then SIGKILLs. It returns the process's exit error, or an error if it had
// to be killed.
func (p *Process) Term() error {
	if p.Exited() {
		return p.Wait()
	}
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("term %s: %w", p.Name, err)
	}
	select {
	case <-p.done:
		return p.Wait()
	case <-time.After(30 * time.Second):
		_ = p.Kill()
		return fmt.Errorf("%s did not exit within 30 s of SIGTERM; killed", p.Name)
	}
}

// Log returns the whole log captured so far.
func (p *Process) Log() string {
	b, err := os.ReadFile(p.LogPath)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	return string(b)
}

// WaitHTTP waits until url answers with any HTTP status below 500, failing
// early if the process exits meanwhile.
func (p *Process) WaitHTTP(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	go func() {
		select {
		case <-p.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	err := waitHTTP(ctx, url)
	if err != nil && p.Exited() {
		return fmt.Errorf("%s exited before %s answered (%v): %w", p.Name, url, p.Wait(), err)
	}
	return err
}

// WaitHTTP waits until url answers with any HTTP status below 500.
func WaitHTTP(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return waitHTTP(ctx, url)
}

func waitHTTP(ctx context.Context, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("wait http: %w", err)
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
			last = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait http %s: %w (last: %v)", url, ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// CheckFor polls fn every 100 ms until it returns nil, failing the test with
// fn's last error after timeout. Tests use it instead of bare sleeps.
func CheckFor(t testing.TB, timeout time.Duration, fn func() error) {
	t.Helper()
	if err := Poll(timeout, fn); err != nil {
		t.Fatal(err)
	}
}

// Poll is CheckFor without a testing.TB.
func Poll(timeout time.Duration, fn func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("condition not met within %v: %w", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
