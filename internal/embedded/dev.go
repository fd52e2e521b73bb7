package embedded

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/goconnect/goconnect/internal/app"
)

// Options configure the development default.
type Options struct {
	// Dir keeps everything: broker data, offsets, connector configs, the example's
	// input and output files.
	Dir string
	// RESTPort is the REST port (8083).
	RESTPort int
	// KafkaPort is the embedded broker's port (9092; 0 picks a free one).
	KafkaPort int
	// LogOutput receives the logs.
	LogOutput io.Writer
}

// Dev is a running development default: broker plus standalone worker.
type Dev struct {
	Broker *Broker
	Worker *app.Standalone
	// Input and Output are the example pipeline's files.
	Input, Output string
}

// The example pipeline: a FileStreamSource tails Input into this topic and a
// FileStreamSink writes the topic to Output.
const exampleTopic = "quickstart"

// Start starts the broker and a standalone worker. On the first start (no stored
// connectors yet) it creates the example pipeline; afterwards the connectors stored
// in Dir (including changes made through REST) are recreated as they were.
func Start(ctx context.Context, opts Options) (*Dev, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	d := &Dev{Input: filepath.Join(dir, "input.txt"), Output: filepath.Join(dir, "output.txt")}
	connectorsFile := filepath.Join(dir, "connectors.json")
	firstRun := false
	if _, err := os.Stat(connectorsFile); errors.Is(err, fs.ErrNotExist) {
		firstRun = true
	}

	d.Broker, err = StartBroker(dir, opts.KafkaPort)
	if err != nil {
		return nil, err
	}
	props := map[string]string{
		"bootstrap.servers":              d.Broker.Addr(),
		"key.converter":                  "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
		"key.converter.schemas.enable":   "false",
		"value.converter.schemas.enable": "false",
		"offset.storage.file.filename":   filepath.Join(dir, "connect.offsets"),
		"config.storage.file.filename":   connectorsFile,
		// Short flushes make the example feel live; a production worker keeps the
		// 60 s default.
		"offset.flush.interval.ms": "1000",
		"listeners":                "http://:" + strconv.Itoa(opts.RESTPort),
	}
	var files []string
	if firstRun {
		if err := writeExample(dir, d.Input, d.Output); err != nil {
			d.Broker.Close()
			return nil, err
		}
		files = []string{filepath.Join(dir, "quickstart-source.json"), filepath.Join(dir, "quickstart-sink.json")}
	}
	d.Worker, err = app.StartStandalone(ctx, app.Options{WorkerProps: props, ConnectorFiles: files, LogOutput: opts.LogOutput})
	if err != nil {
		d.Broker.Close()
		return nil, err
	}
	return d, nil
}

// writeExample writes the example connectors as connector files (the same JSON a
// user would POST to /connectors) and a first input line.
func writeExample(dir, input, output string) error {
	source := fmt.Sprintf(`{"name":"quickstart-source","config":{"connector.class":"FileStreamSource","tasks.max":"1","file":%q,"topic":%q}}`, input, exampleTopic)
	sink := fmt.Sprintf(`{"name":"quickstart-sink","config":{"connector.class":"FileStreamSink","tasks.max":"1","file":%q,"topics":%q}}`, output, exampleTopic)
	for name, body := range map[string]string{"quickstart-source.json": source, "quickstart-sink.json": sink} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body+"\n"), 0o644); err != nil {
			return fmt.Errorf("write example connector: %w", err)
		}
	}
	f, err := os.OpenFile(input, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("create example input: %w", err)
	}
	_, err = f.WriteString("Welcome to goconnect: this line went file -> Kafka -> file.\n")
	return errors.Join(err, f.Close())
}

// Close stops the worker (committing offsets) and then the broker.
func (d *Dev) Close(ctx context.Context) error {
	err := d.Worker.Close(ctx)
	d.Broker.Close()
	return err
}
