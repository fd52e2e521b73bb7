package worker

import (
	"github.com/goconnect/goconnect/internal/recordpath"
)

// newPipeline builds a task's record path (converters and transformation chain)
// from the worker and connector configs.
func (w *Worker) newPipeline(connProps map[string]string) (*recordpath.Path, error) {
	return recordpath.New(w.reg, w.cfg.Props, connProps, protect)
}
