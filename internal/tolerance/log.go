package tolerance

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

// LogReporter writes each failure to the task's log (errors.log.enable), in
// Java's LogReporter format so existing log alerts keep matching.
type LogReporter struct {
	log             *slog.Logger
	includeMessages bool
}

// NewLogReporter returns the error log reporter; includeMessages is
// errors.log.include.messages.
func NewLogReporter(log *slog.Logger, includeMessages bool) *LogReporter {
	return &LogReporter{log: log, includeMessages: includeMessages}
}

// Report logs f at ERROR; it is done at once.
func (l *LogReporter) Report(f *Failure, done func(error)) {
	l.log.Error(Message(f, l.includeMessages), "error", f.Err)
	done(nil)
}

// Message is Java's LogReporter message: "Error encountered in task <c>-<n>.
// Executing stage '<STAGE>' with class '<class>'" plus, with includeMessages, the
// consumed record's coordinates or the source record, and a final ".".
func Message(f *Failure, includeMessages bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Error encountered in task %s-%d. Executing stage '%s' with class '%s'", f.Connector, f.Task, f.Stage, f.Class)
	switch {
	case includeMessages && f.Source != nil:
		b.WriteString(", where source record is = ")
		b.WriteString(SourceRecordString(f.Source))
	case includeMessages && f.Consumed != nil:
		c := f.Consumed
		fmt.Fprintf(&b, ", where consumed record is {topic='%s', partition=%d, offset=%d", c.Topic, c.Partition, c.Offset)
		if c.TimestampType == connect.CreateTime || c.TimestampType == connect.LogAppendTime {
			fmt.Fprintf(&b, ", timestamp=%d, timestampType=%s", c.Timestamp.UnixMilli(), c.TimestampType)
		}
		b.WriteString("}")
	}
	b.WriteString(".")
	return b.String()
}

// SourceRecordString renders a source record as Java's SourceRecord.toString does
// (values in Java's toString shapes as far as Go values allow).
func SourceRecordString(r *connect.Record) string {
	part := "null"
	if r.Partition >= 0 {
		part = strconv.Itoa(int(r.Partition))
	}
	ts := "null"
	if !r.Timestamp.IsZero() {
		ts = strconv.FormatInt(r.Timestamp.UnixMilli(), 10)
	}
	var hs []string
	for _, h := range r.Headers {
		hs = append(hs, fmt.Sprintf("ConnectHeader(key=%s, value=%s, schema=%s)", h.Key, javaValue(h.Value), schemaString(h.Schema)))
	}
	return fmt.Sprintf("SourceRecord{sourcePartition=%s, sourceOffset=%s} ConnectRecord{topic='%s', kafkaPartition=%s, key=%s, keySchema=%s, value=%s, valueSchema=%s, timestamp=%s, headers=ConnectHeaders(headers=%s)}",
		javaValue(r.SourcePartition), javaValue(r.SourceOffset), r.Topic, part,
		javaValue(r.Key), schemaString(r.KeySchema), javaValue(r.Value), schemaString(r.ValueSchema), ts, strings.Join(hs, ", "))
}

func schemaString(s *data.Schema) string {
	if s == nil {
		return "null"
	}
	return s.String()
}

// javaValue renders a value as Java's toString of the corresponding object.
func javaValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + javaValue(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = javaValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []byte:
		return fmt.Sprintf("[B@%x", len(x))
	}
	return fmt.Sprint(v)
}
