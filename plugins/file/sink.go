package file

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// SinkConfig returns the config definition of FileStreamSink, as Java's
// FileStreamSinkConnector.CONFIG_DEF.
func SinkConfig() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: FileConfig, Type: config.String, Default: nil, Importance: config.High,
			Doc: "Destination filename. If not specified, the standard output will be used"},
	)
}

// SinkConnector is FileStreamSinkConnector.
type SinkConnector struct {
	props map[string]string
}

// NewSinkConnector returns a FileStreamSink connector.
func NewSinkConnector() *SinkConnector { return &SinkConnector{} }

var (
	_ connect.SinkConnector = (*SinkConnector)(nil)
	_ connect.OffsetAlterer = (*SinkConnector)(nil)
)

// Version implements connect.Connector.
func (c *SinkConnector) Version() string { return Version }

// Config implements connect.Connector.
func (c *SinkConnector) Config() *config.Def { return SinkConfig() }

// Start keeps the configuration for the tasks. Java does not parse it here; the
// tasks do.
func (c *SinkConnector) Start(_ connect.ConnectorContext, props map[string]string) error {
	c.props = maps.Clone(props)
	return nil
}

// TaskConfigs returns maxTasks identical configurations, as Java does (they all
// append to the same file).
func (c *SinkConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	cfgs := make([]map[string]string, maxTasks)
	for i := range cfgs {
		cfgs[i] = maps.Clone(c.props)
	}
	return cfgs, nil
}

// Stop implements connect.Connector; there is no background work to stop.
func (c *SinkConnector) Stop() error { return nil }

// NewTask implements connect.SinkConnector.
func (c *SinkConnector) NewTask() connect.SinkTask { return &SinkTask{} }

// AlterOffsets accepts any change: the sink keeps no offsets of its own, and
// consumer offsets are the framework's (Java returns true as well).
func (c *SinkConnector) AlterOffsets(map[string]string, []connect.PartitionOffset) (bool, error) {
	return true, nil
}

// SinkTask is FileStreamSinkTask: it appends each record value, rendered as Java's
// String.valueOf, and a newline.
type SinkTask struct {
	filename string
	// f is the output file; nil writes to out (stdout, or a test's writer).
	f   *os.File
	out io.Writer
	buf bytes.Buffer
}

var (
	_ connect.SinkTask = (*SinkTask)(nil)
	_ connect.Flusher  = (*SinkTask)(nil)
)

// Start opens the file for appending, creating it if needed, or uses stdout when no
// file is configured.
func (t *SinkTask) Start(_ connect.SinkTaskContext, props map[string]string) error {
	v, err := SinkConfig().Parse(props)
	if err != nil {
		return err
	}
	if v.IsNull(FileConfig) {
		if t.out == nil {
			t.out = os.Stdout
		}
		return nil
	}
	t.filename = v.String(FileConfig)
	// 0666 before umask is what Java's Files.newOutputStream(CREATE, APPEND) gives.
	f, err := os.OpenFile(t.filename, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		return fmt.Errorf("Couldn't find or create file '%s' for FileStreamSinkTask: %w", t.filename, err)
	}
	t.f, t.out = f, f
	return nil
}

// Put writes the batch with a single write, so the lines are in the OS (and visible
// to readers of the file) when Put returns, as Java's per-line println makes them.
func (t *SinkTask) Put(_ context.Context, records []*connect.Record) error {
	if len(records) == 0 {
		return nil
	}
	t.buf.Reset()
	for _, r := range records {
		t.buf.WriteString(data.JavaString(r.Value))
		t.buf.WriteByte('\n')
	}
	if _, err := t.out.Write(t.buf.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", t.logName(), err)
	}
	return nil
}

// Flush makes everything Put wrote durable before the runtime commits the consumer
// offsets: Put already handed the bytes to the OS (Java's outputStream.flush()), and
// for a file Flush also fsyncs, so committed offsets never run ahead of the data on
// disk even across a machine crash. stdout is not synced.
func (t *SinkTask) Flush(context.Context, map[connect.TopicPartition]int64) error {
	if t.f == nil {
		return nil
	}
	if err := t.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", t.filename, err)
	}
	return nil
}

// Stop closes the file; stdout stays open.
func (t *SinkTask) Stop() error {
	if t.f == nil {
		return nil
	}
	err := t.f.Close()
	t.f, t.out = nil, nil
	return err
}

func (t *SinkTask) logName() string {
	if t.f == nil {
		return "stdout"
	}
	return t.filename
}
