package pluginsdk

import (
	"fmt"
	"slices"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/connect"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
	"github.com/goconnect/goconnect/internal/plugin/wire"
	"github.com/goconnect/goconnect/internal/recordpath"
	"github.com/goconnect/goconnect/internal/registry"
)

// The record path in the plugin process: when the worker offers its task's
// converters and transformations and this plugin was built from the same
// goconnect, the plugin runs them, so Kafka bytes cross the boundary instead
// of Connect data (docs/plugins.md, "Record path"). Any failure there (an
// error or a panic of a converter or transformation) hands the batch back to
// the worker unconverted: its own path then applies its error handling
// (errors.tolerance, retries, dead letter queue) exactly as for a built-in.

// buildPath builds the offered path, or says why this plugin does not run it.
func buildPath(req *pb.RecordPath) (*recordpath.Path, string) {
	if req == nil {
		return nil, ""
	}
	mine := recordpath.Build()
	if req.Build == "" || mine == "" || req.Build != mine {
		return nil, fmt.Sprintf("the plugin was built from goconnect %q, the worker from %q", mine, req.Build)
	}
	reg := registry.New(registry.RecordBuiltins())
	p, err := recordpath.New(reg, nil, req.Props, protect)
	if err != nil {
		return nil, fmt.Sprintf("the plugin cannot build the record path: %v", err)
	}
	return p, ""
}

// toKafka runs polled records through the path; false when one failed.
func (s *server) toKafka(path *recordpath.Path, recs []*connect.Record) ([]*kgo.Record, bool) {
	krs := make([]*kgo.Record, len(recs))
	err := protect("record path", func() error {
		for i, r := range recs {
			out, _, err := path.Chain.Apply(r, nil)
			if err != nil {
				return err
			}
			if out == nil {
				continue // dropped
			}
			if krs[i], _, err = path.ToKafka(out, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.Debug("a record failed in the record path; the worker's path handles the batch", "error", err)
		return nil, false
	}
	return krs, true
}

// fromKafka decodes consumed records and runs them through the path; false
// when one failed.
func (s *server) fromKafka(path *recordpath.Path, raw []byte) ([]*connect.Record, bool, error) {
	raws, err := wire.DecodeRaw(raw)
	if err != nil {
		return nil, false, err
	}
	recs := make([]*connect.Record, 0, len(raws))
	err = protect("record path", func() error {
		for _, r := range raws {
			rec, _, err := path.FromKafka(r.Kafka, r.TimestampType, nil)
			if err != nil {
				return err
			}
			out, _, err := path.Chain.Apply(rec, nil)
			if err != nil {
				return err
			}
			if out != nil {
				recs = append(recs, out)
			}
		}
		return nil
	})
	if err != nil {
		s.log.Debug("a record failed in the record path; the worker's path handles the batch", "error", err)
		return nil, false, nil
	}
	return recs, true, nil
}

// withoutNil drops nil records, which the worker skips too.
func withoutNil(recs []*connect.Record) []*connect.Record {
	return slices.DeleteFunc(recs, func(r *connect.Record) bool { return r == nil })
}
