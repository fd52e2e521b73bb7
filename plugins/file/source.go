package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// Version is the version the connectors report: the Apache Kafka release they
// mirror, as Java's AppInfoParser.getVersion() reports it for the connect-file jar.
const Version = "4.3.1"

// Java class names of the connectors and their tasks.
const (
	SourceClass     = "org.apache.kafka.connect.file.FileStreamSourceConnector"
	SourceTaskClass = "org.apache.kafka.connect.file.FileStreamSourceTask"
	SinkClass       = "org.apache.kafka.connect.file.FileStreamSinkConnector"
	SinkTaskClass   = "org.apache.kafka.connect.file.FileStreamSinkTask"
)

// Config keys, as Java's FileStreamSourceConnector/FileStreamSinkConnector name them.
const (
	FileConfig      = "file"
	TopicConfig     = "topic"
	BatchSizeConfig = "batch.size"
)

// DefaultBatchSize is batch.size's default.
const DefaultBatchSize = 2000

// Source partition and offset field names.
const (
	FilenameField = "filename"
	PositionField = "position"
)

// idleWait is how long Poll waits when there is nothing to read, as Java's
// this.wait(1000). It ends early when the poll's ctx is cancelled.
const idleWait = time.Second

// readChunk is how many bytes one read asks for.
const readChunk = 64 << 10

// SourceConfig returns the config definition of FileStreamSource, as Java's
// FileStreamSourceConnector.CONFIG_DEF.
func SourceConfig() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: FileConfig, Type: config.String, Default: nil, Importance: config.High,
			Doc: "Source filename. If not specified, the standard input will be used"},
		config.Key{Name: TopicConfig, Type: config.String, Default: config.NoDefault, Validator: config.NonEmptyString,
			Importance: config.High, Doc: "The topic to publish data to"},
		config.Key{Name: BatchSizeConfig, Type: config.Int, Default: DefaultBatchSize, Importance: config.Low,
			Doc: "The maximum number of records the source task can read from the file each time it is polled"},
	)
}

// SourceConnector is FileStreamSourceConnector: one task reading one file or stdin.
type SourceConnector struct {
	props map[string]string
}

// NewSourceConnector returns a FileStreamSource connector.
func NewSourceConnector() *SourceConnector { return &SourceConnector{} }

var (
	_ connect.SourceConnector = (*SourceConnector)(nil)
	_ connect.OffsetAlterer   = (*SourceConnector)(nil)
)

// Version implements connect.Connector.
func (c *SourceConnector) Version() string { return Version }

// Config implements connect.Connector.
func (c *SourceConnector) Config() *config.Def { return SourceConfig() }

// Start parses the configuration, failing the connector on an invalid one as Java's
// AbstractConfig constructor does.
func (c *SourceConnector) Start(_ connect.ConnectorContext, props map[string]string) error {
	if _, err := SourceConfig().Parse(props); err != nil {
		return err
	}
	c.props = maps.Clone(props)
	return nil
}

// TaskConfigs returns one task configuration whatever maxTasks is: only one reader
// of a stream makes sense.
func (c *SourceConnector) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{maps.Clone(c.props)}, nil
}

// Stop implements connect.Connector; there is no background work to stop.
func (c *SourceConnector) Stop() error { return nil }

// NewTask implements connect.SourceConnector.
func (c *SourceConnector) NewTask() connect.SourceTask { return &SourceTask{} }

// AlterOffsets checks offsets given to the offsets REST API as Java does: reading
// stdin there are none to alter; otherwise every offset is null (a reset, allowed for
// anything so garbage can be cleaned up) or holds a non-negative long position, and
// its partition names a file. The task checks the position against the file when it
// starts, so this returns true.
func (c *SourceConnector) AlterOffsets(props map[string]string, offsets []connect.PartitionOffset) (bool, error) {
	v, err := SourceConfig().Parse(props)
	if err != nil {
		return false, err
	}
	if v.String(FileConfig) == "" {
		return false, ErrAlterStdin
	}
	for _, po := range offsets {
		if po.Offset == nil {
			continue
		}
		pos, ok := po.Offset[PositionField]
		if !ok {
			return false, ErrOffsetNoPosition
		}
		n, ok := asLong(pos)
		if !ok {
			return false, ErrOffsetPositionType
		}
		if n < 0 {
			return false, ErrOffsetPositionNegative
		}
		if po.Partition == nil {
			return false, ErrPartitionNil
		}
		if _, ok := po.Partition[FilenameField]; !ok {
			return false, ErrPartitionNoFilename
		}
	}
	return true, nil
}

// asLong accepts what stands for a Java Long: offsets read back from JSON carry int64;
// int and int32 are accepted too for offsets built in Go.
func asLong(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	}
	return 0, false
}

// SourceTask is FileStreamSourceTask. Its methods are called from the task's
// goroutine; it starts one goroutine of its own only when reading stdin.
type SourceTask struct {
	tc        connect.SourceTaskContext
	filename  string // "" reads stdin
	partition map[string]any
	topic     string
	batchSize int
	now       func() time.Time
	idle      time.Duration

	// File mode: f is nil until the file exists and was opened at the committed
	// position; pos is the byte position of buf[0] in the file.
	f   *os.File
	pos int64

	// Stdin mode: a reader goroutine sends what it reads on chunks; done tells it to
	// stop sending.
	stdin  io.Reader
	chunks chan []byte
	done   chan struct{}

	// buf holds bytes read but not yet returned as lines; chunk is the read buffer.
	buf   []byte
	chunk []byte
}

var _ connect.SourceTask = (*SourceTask)(nil)

// Start reads the task configuration. Reading stdin starts at once; a file is
// opened by the first Poll, so a file created later is picked up.
func (t *SourceTask) Start(tc connect.SourceTaskContext, props map[string]string) error {
	v, err := SourceConfig().Parse(props)
	if err != nil {
		return err
	}
	t.tc = tc
	t.topic = v.String(TopicConfig)
	t.batchSize = int(v.Int(BatchSizeConfig))
	t.filename = v.String(FileConfig)
	if t.now == nil {
		t.now = time.Now
	}
	if t.idle == 0 {
		t.idle = idleWait
	}
	// Java keys records by singletonMap("filename", filename) and
	// singletonMap("position", streamOffset), with nulls when reading stdin (no key)
	// or "" when the key is empty: offsets are not tracked then, but the shape is.
	if v.IsNull(FileConfig) {
		t.partition = map[string]any{FilenameField: nil}
	} else {
		t.partition = map[string]any{FilenameField: t.filename}
	}
	if t.filename == "" {
		if t.stdin == nil {
			t.stdin = os.Stdin
		}
		t.chunks = make(chan []byte)
		t.done = make(chan struct{})
		go readStdin(t.stdin, t.chunks, t.done)
	}
	return nil
}

// readStdin sends what r yields on chunks until r fails (EOF included) or done is
// closed. A read blocked on a terminal or pipe cannot be interrupted in Go without
// closing the descriptor, which the process shares; so after Stop the goroutine
// lingers until that read returns, then exits without sending (that chunk is lost,
// as the unread buffer of Java's BufferedReader is). Java likewise never closes
// System.in.
func readStdin(r io.Reader, chunks chan<- []byte, done <-chan struct{}) {
	for {
		b := make([]byte, readChunk)
		n, err := r.Read(b)
		if n > 0 {
			select {
			case chunks <- b[:n]:
			case <-done:
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// Poll returns up to batch.size complete lines. With nothing new it waits up to a
// second (ending early when ctx is cancelled) and returns nil, as Java's poll does;
// a partial last line stays buffered until its end arrives.
func (t *SourceTask) Poll(ctx context.Context) ([]*connect.Record, error) {
	if t.filename != "" && t.f == nil {
		ok, err := t.open(ctx)
		if err != nil || !ok {
			return nil, err
		}
	}
	var records []*connect.Record
	if t.extract(&records) {
		return records, nil
	}
	if t.filename == "" {
		return t.pollStdin(ctx, records)
	}
	read := false
	if t.chunk == nil {
		t.chunk = make([]byte, readChunk)
	}
	for {
		n, err := t.f.Read(t.chunk)
		if n > 0 {
			read = true
			t.buf = append(t.buf, t.chunk[:n]...)
			if t.extract(&records) {
				return records, nil
			}
		}
		if err == io.EOF || (err == nil && n == 0) {
			break
		}
		if err != nil {
			return records, fmt.Errorf("read %s: %w", t.filename, err)
		}
	}
	if !read && len(records) == 0 {
		wait(ctx, t.idle)
	}
	return records, nil
}

// pollStdin takes what stdin has delivered, waiting for the first chunk at most idle.
func (t *SourceTask) pollStdin(ctx context.Context, records []*connect.Record) ([]*connect.Record, error) {
	timer := time.NewTimer(t.idle)
	defer timer.Stop()
	for {
		select {
		case b := <-t.chunks:
			t.buf = append(t.buf, b...)
			if t.extract(&records) {
				return records, nil
			}
			// Take whatever else is ready without waiting again.
			for {
				select {
				case b := <-t.chunks:
					t.buf = append(t.buf, b...)
					if t.extract(&records) {
						return records, nil
					}
					continue
				default:
				}
				return records, nil
			}
		case <-timer.C:
			return records, nil
		case <-ctx.Done():
			return records, nil
		}
	}
}

// open opens the file and moves to the committed position. It reports false when
// the file does not exist yet, after waiting as Java does.
func (t *SourceTask) open(ctx context.Context) (bool, error) {
	f, err := os.Open(t.filename)
	if errors.Is(err, fs.ErrNotExist) {
		// Java logs a warning and waits for the file to be created.
		wait(ctx, t.idle)
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open %s: %w", t.filename, err)
	}
	var pos int64
	off, err := t.tc.OffsetStorageReader().Offset(ctx, t.partition)
	if err != nil {
		f.Close()
		return false, fmt.Errorf("read offset of %s: %w", t.filename, err)
	}
	if off != nil {
		if p, ok := off[PositionField]; ok && p != nil {
			n, ok := asLong(p)
			if !ok {
				f.Close()
				return false, ErrPositionType
			}
			// Java skips nothing for a negative position; starting at 0 then
			// keeps the positions it reports true.
			pos = max(n, 0)
		}
	}
	// Seeking past the end is allowed, as Java's skip is: nothing is read until the
	// file grows beyond the position.
	if _, err := f.Seek(pos, io.SeekStart); err != nil {
		f.Close()
		return false, fmt.Errorf("seek %s to %d: %w", t.filename, pos, err)
	}
	t.f, t.pos, t.buf = f, pos, nil
	return true, nil
}

// extract moves complete lines from buf to records, and reports whether records
// reached batch.size (Java returns as soon as records.size() >= batchSize, so a
// batch.size below 1 means one record per poll).
//
// The lines cut in one call were read together, so they share one timestamp (Java
// reads the clock per line, microseconds apart; the clock is a visible share of
// this loop's CPU in VMs without a fast clock source).
func (t *SourceTask) extract(records *[]*connect.Record) bool {
	var now time.Time
	for {
		if len(*records) >= max(t.batchSize, 1) {
			return true
		}
		line, ok := t.extractLine()
		if !ok {
			return false
		}
		if now.IsZero() {
			now = t.now()
		}
		var offset map[string]any
		if t.filename == "" {
			offset = map[string]any{PositionField: nil}
		} else {
			offset = map[string]any{PositionField: t.pos}
		}
		*records = append(*records, &connect.Record{
			Topic:           t.topic,
			Partition:       -1,
			ValueSchema:     data.StringSchema,
			Value:           line,
			Timestamp:       now,
			SourcePartition: t.partition,
			SourceOffset:    offset,
		})
	}
}

// extractLine cuts the first line off buf as Java's extractLine does: \n, \r\n or a
// lone \r ends it, and a \r that is the last buffered byte waits for the next one.
func (t *SourceTask) extractLine() (string, bool) {
	i := bytes.IndexAny(t.buf, "\r\n")
	if i < 0 {
		return "", false
	}
	next := i + 1
	if t.buf[i] == '\r' {
		if i+1 >= len(t.buf) {
			return "", false
		}
		if t.buf[i+1] == '\n' {
			next = i + 2
		}
	}
	line := javaDecode(t.buf[:i])
	t.buf = t.buf[next:]
	if len(t.buf) == 0 {
		t.buf = t.buf[:0:0] // let the consumed backing array go
	}
	t.pos += int64(next)
	return line, true
}

// javaDecode decodes UTF-8 as Java's InputStreamReader does, replacing malformed
// bytes with U+FFFD.
func javaDecode(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		sb.WriteRune(r) // utf8.RuneError for a malformed byte
		b = b[n:]
	}
	return sb.String()
}

// Stop closes the file. Stdin stays open: it belongs to the process.
func (t *SourceTask) Stop() error {
	if t.done != nil {
		close(t.done)
		t.done = nil
	}
	if t.f != nil {
		err := t.f.Close()
		t.f = nil
		return err
	}
	return nil
}

// wait blocks for d or until ctx is done.
func wait(ctx context.Context, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}
