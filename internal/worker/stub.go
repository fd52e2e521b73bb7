package worker

// stub.go holds placeholders until the task runners land; it is replaced wholesale.

import (
	"errors"
	"log/slog"

	"github.com/goconnect/goconnect/internal/herder"
	"github.com/goconnect/goconnect/internal/registry"
)

type impl struct{}

var errUnimplemented = errors.New("worker: not implemented yet")

func newWorker(Config, *registry.Registry, OffsetStore, StatusListener, *slog.Logger) (*Worker, error) {
	return nil, errUnimplemented
}
func (w *Worker) startConnector(string, map[string]string, herder.TargetState, func()) error {
	return errUnimplemented
}
func (w *Worker) setTargetState(string, herder.TargetState)       {}
func (w *Worker) taskConfigs(string) ([]map[string]string, error) { return nil, errUnimplemented }
func (w *Worker) stopConnector(string)                            {}
func (w *Worker) startTask(herder.TaskID, map[string]string, map[string]string, herder.TargetState) error {
	return errUnimplemented
}
func (w *Worker) stopTasks([]herder.TaskID) {}
func (w *Worker) tasks() []herder.TaskID    { return nil }
func (w *Worker) close()                    {}
