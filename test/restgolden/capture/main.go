// Command capture runs test/restgolden/scenario.json against a Kafka Connect
// REST API and writes one golden file per HTTP step.
//
// Re-capture the Java Kafka Connect 4.3.1 goldens (starts a broker and Java
// Connect standalone through test/harness, about a minute):
//
//	go run ./test/restgolden/capture -java
//
// Against a worker that is already running (configured like -java does:
// JSON converters without schemas, offset.flush.interval.ms=1000, plugin.path
// = the connect-file plugin dir only):
//
//	go run ./test/restgolden/capture -url http://127.0.0.1:8083 -out /tmp/goldens
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/goconnect/goconnect/test/harness"
	"github.com/goconnect/goconnect/test/restgolden"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "capture:", err)
		os.Exit(1)
	}
}

func run() error {
	java := flag.Bool("java", false, "start Kafka and Java Connect 4.3.1 standalone via the harness")
	baseURL := flag.String("url", "", "REST base URL of a running worker (instead of -java)")
	out := flag.String("out", restgolden.JavaGoldenDir(), "output directory for golden files")
	scenarioPath := flag.String("scenario", restgolden.DefaultScenario(), "scenario file")
	keep := flag.Bool("keep", false, "keep the temp dirs (worker log, files) for inspection")
	flag.Parse()

	steps, err := restgolden.LoadScenario(*scenarioPath)
	if err != nil {
		return err
	}
	if *java == (*baseURL != "") {
		return fmt.Errorf("give exactly one of -java or -url")
	}
	tmp, err := os.MkdirTemp("", "restgolden-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "capture: temp dir", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	if *java {
		defer harness.Shutdown()
		t0 := time.Now()
		bootstrap, err := harness.StartKafka()
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "capture: broker %s ready in %v\n", bootstrap, time.Since(t0).Round(time.Millisecond))
		plugins, err := harness.PluginsDir()
		if err != nil {
			return err
		}
		workerDir := filepath.Join(tmp, "worker")
		if err := os.MkdirAll(workerDir, 0o755); err != nil {
			return fmt.Errorf("worker dir: %w", err)
		}
		t1 := time.Now()
		// Only connect-file on plugin.path, so /connector-plugins lists a
		// stable set that goconnect can reproduce.
		w, err := harness.StartJavaConnect(workerDir, "standalone", bootstrap,
			map[string]string{"plugin.path": filepath.Join(plugins, "connect-file")})
		if err != nil {
			return err
		}
		defer func() {
			if err := w.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "capture: stop java connect:", err)
			}
		}()
		fmt.Fprintf(os.Stderr, "capture: java connect %s ready in %v\n", w.URL, time.Since(t1).Round(time.Millisecond))
		*baseURL = w.URL
	}

	files := filepath.Join(tmp, "files")
	if err := os.MkdirAll(files, 0o755); err != nil {
		return fmt.Errorf("files dir: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	t2 := time.Now()
	vars := restgolden.NewVars(files)
	if *java {
		// Error messages about unknown classes quote plugin jar locations.
		plugins, err := harness.PluginsDir()
		if err != nil {
			return err
		}
		vars["PLUGINS"] = plugins
	}
	outcomes, err := restgolden.Run(ctx, *baseURL, steps, vars)
	if err != nil {
		return fmt.Errorf("scenario: %w", err)
	}
	fmt.Fprintf(os.Stderr, "capture: %d requests in %v\n", len(outcomes), time.Since(t2).Round(time.Millisecond))
	if err := restgolden.WriteGoldens(*out, outcomes); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "capture: wrote %d goldens to %s\n", len(outcomes), *out)
	return nil
}
