package harness

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// BootstrapEnv names the environment variable that points the harness at an
// existing broker instead of starting one.
const BootstrapEnv = "GOCONNECT_TEST_BOOTSTRAP"

const modulePath = "github.com/goconnect/goconnect"

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error

	kafkaMu   sync.Mutex
	kafkaDir  string // temp dir of the broker this process started, "" if none
	kafkaAddr string
	kafkaErr  error
	kafkaDone bool

	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

// RepoRoot returns the root of the goconnect module (the directory holding go.mod).
// It walks up from the working directory first (go test runs in the package
// directory) and falls back to this source file's location, so it also works
// from `go run` programs started anywhere inside the repo.
func RepoRoot() string {
	rootOnce.Do(func() {
		rootDir, rootErr = findRoot()
	})
	if rootErr != nil {
		panic(rootErr)
	}
	return rootDir
}

func findRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			b, err := os.ReadFile(filepath.Join(d, "go.mod"))
			if err == nil && bytes.Contains(b, []byte("module "+modulePath)) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", errors.New("harness: cannot find the goconnect repo root (go.mod)")
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
// There is an unavoidable race with other processes; ports come from the
// kernel's ephemeral range so collisions between parallel tests are rare.
func FreePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Errorf("harness: free port: %w", err))
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Script returns the path of scripts/kafka.sh.
func Script() string {
	return filepath.Join(RepoRoot(), "scripts", "kafka.sh")
}

// runScript runs scripts/kafka.sh with args and returns its trimmed stdout.
// GOCONNECT_WATCH_PID makes the script's watchdog stop any JVM it started
// once this process is gone, so a test binary killed by a timeout does not
// leave a broker behind.
func runScript(args ...string) (string, error) {
	cmd := exec.Command(Script(), args...)
	cmd.Dir = RepoRoot()
	cmd.Env = append(os.Environ(), "GOCONNECT_WATCH_PID="+strconv.Itoa(os.Getpid()))
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("kafka.sh %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(stdout.String()), nil
}

// Fetch makes sure the Kafka jars are in the cache (a no-op once fetched).
func Fetch() error {
	if _, err := runScript("fetch"); err != nil {
		return err
	}
	return nil
}

// PluginsDir returns the directory holding the Connect plugin dirs
// (connect-file, connect-test-plugins) fetched by scripts/kafka.sh.
func PluginsDir() (string, error) {
	return runScript("plugins")
}

// StartKafka starts the shared broker (once per process) without a testing.TB,
// for programs such as the golden capture tool. It returns the bootstrap address.
func StartKafka() (string, error) {
	kafkaMu.Lock()
	defer kafkaMu.Unlock()
	if kafkaDone {
		return kafkaAddr, kafkaErr
	}
	kafkaDone = true
	if addr := os.Getenv(BootstrapEnv); addr != "" {
		kafkaAddr = addr
		return kafkaAddr, nil
	}
	if err := Fetch(); err != nil {
		kafkaErr = err
		return "", err
	}
	dir, err := os.MkdirTemp("", "goconnect-kafka-")
	if err != nil {
		kafkaErr = fmt.Errorf("harness: broker dir: %w", err)
		return "", kafkaErr
	}
	addr, err := runScript("start", dir)
	if err != nil {
		os.RemoveAll(dir)
		kafkaErr = err
		return "", err
	}
	kafkaDir, kafkaAddr = dir, addr
	return kafkaAddr, nil
}

// Kafka returns the bootstrap address of the broker shared by this test
// binary, starting it on first use. It registers no per-test cleanup: the
// broker lives until StopKafka (see Main).
func Kafka(t testing.TB) string {
	t.Helper()
	addr, err := StartKafka()
	if err != nil {
		t.Fatalf("harness: kafka: %v", err)
	}
	return addr
}

// StopKafka stops the broker this process started (if any) and removes its
// data. A broker given through GOCONNECT_TEST_BOOTSTRAP is left alone.
func StopKafka() {
	kafkaMu.Lock()
	defer kafkaMu.Unlock()
	if kafkaDir == "" {
		return
	}
	if _, err := runScript("stop", kafkaDir); err != nil {
		fmt.Fprintf(os.Stderr, "harness: stop kafka: %v\n", err)
	}
	if os.Getenv("GOCONNECT_KEEP_KAFKA_DIR") == "" {
		os.RemoveAll(kafkaDir)
	} else {
		fmt.Fprintf(os.Stderr, "harness: kept broker dir %s\n", kafkaDir)
	}
	kafkaDir = ""
	kafkaDone = false
}

// Main is a TestMain body: it runs the tests, then stops the shared broker and
// removes the built binary, and exits with the tests' code.
//
//	func TestMain(m *testing.M) { harness.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	Shutdown()
	os.Exit(code)
}

// Shutdown releases everything shared by the process: the broker, the search
// server and the temporary directory of BuildBinary.
func Shutdown() {
	StopKafka()
	StopSearch()
	StopDatabases()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
}

// BuildBinary builds ./cmd/goconnect once per test binary and returns the
// path of the executable.
func BuildBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "goconnect-bin-")
		if buildErr != nil {
			buildErr = fmt.Errorf("harness: build dir: %w", buildErr)
			return
		}
		buildBin = filepath.Join(buildDir, "goconnect")
		cmd := exec.Command("go", "build", "-o", buildBin, "./cmd/goconnect")
		cmd.Dir = RepoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("harness: go build ./cmd/goconnect: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}
