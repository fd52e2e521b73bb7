package recordpath

import (
	"context"
	"runtime/debug"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/connect"
)

// Remote is implemented by the adapter of a task that runs in another process
// (an external plugin, internal/plugin), which can run the task's record path
// there: Kafka bytes then cross the process boundary instead of Connect data,
// which would otherwise be encoded, sent and decoded on top of the converters'
// own work. The path stays the worker's: the plugin rebuilds it from
// Path.Props, and only when it was built from the same goconnect (Build).
type Remote interface {
	// OfferPath is called before Start with the task's path.
	OfferPath(p *Path)
	// RunsPath reports whether the task's process runs the path now. It is
	// false before Start, when the plugin declined, and after a batch failed
	// there (then the worker's path handles every later batch, see RemoteSink).
	RunsPath() bool
}

// Converted is a polled source record after a remote record path.
type Converted struct {
	// Source is the polled record as the worker sees it: its source partition
	// and offset only, and the identity CommitRecord takes back.
	Source *connect.Record
	// Kafka is the record to produce; nil when a transformation dropped it.
	Kafka *kgo.Record
	// Seq is the record's number for CommitSeq; 0 when the task is not a
	// connect.RecordCommitter.
	Seq int64
}

// RemoteSource is a source task adapter that can run the path remotely.
type RemoteSource interface {
	Remote
	connect.SourceTask
	// PollConverted is Poll, answered either with converted records or, when
	// the task does not run the path or a record failed in it (a converter or
	// transformation error), with the polled records, which the worker's own
	// path then handles under its error operator (retries, tolerance, dead
	// letter queue), as for a built-in.
	PollConverted(ctx context.Context) ([]*connect.Record, []Converted, error)
	// CommitSeq is RecordCommitter.CommitRecord of the converted record
	// numbered seq (md nil: not sent). Safe for concurrent use.
	CommitSeq(seq int64, md *connect.RecordMetadata)
}

// RemoteSink is a sink task adapter that can run the path remotely.
type RemoteSink interface {
	Remote
	connect.SinkTask
	// PutRaw is Put with consumed records for the remote path to convert and
	// transform. When a record fails
	// there, nothing of the batch is put: the adapter calls local, the
	// worker's own path over the same records (under its error operator), and
	// puts what it returns; a local error is returned as is and fails the task.
	// local runs on the goroutine of the call that detects the failure (the
	// task's: this PutRaw or a later call into the task).
	PutRaw(ctx context.Context, krs []*kgo.Record, local func() ([]*connect.Record, error)) error
}

// Build names the goconnect code this binary was built from: the goconnect
// module's version ("v1.2.0"), or "(devel)" for a build from a source tree,
// followed by its VCS revision when the build recorded one. A plugin runs the
// worker's record path only when both Builds are equal, so its converters and
// transformations are the worker's own code. Two development builds without
// a recorded revision look the same: rebuild plugins with the worker.
func Build() string { return build() }

var build = sync.OnceValue(func() string {
	const mod = "github.com/goconnect/goconnect"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	m := &bi.Main
	if m.Path != mod {
		m = nil
		for _, d := range bi.Deps {
			if d.Path == mod {
				m = d
				if d.Replace != nil {
					m = d.Replace
				}
				break
			}
		}
	}
	switch {
	case m == nil:
		return "" // not linked against goconnect: cannot happen in a plugin
	case m.Version != "" && m.Version != "(devel)":
		return m.Version
	case m != &bi.Main:
		return "(devel)" // a replace directive to a local copy
	}
	id := "(devel)"
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			id += " " + s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			id += "+modified"
		}
	}
	return id
})
