package worker

// This file wires internal/tolerance into the task runners: one operator per task,
// its reporters (error log, dead-letter queue), and the rendering of source records
// for the DLQ.

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/internal/kafka"
	"github.com/goconnect/goconnect/internal/recordpath"
	"github.com/goconnect/goconnect/internal/tolerance"
)

// dlqSetupTimeout bounds the DLQ topic check/creation at task start.
const dlqSetupTimeout = 30 * time.Second

// taskErrors is a task's error handling: the operator and, when configured, the DLQ.
type taskErrors struct {
	cfg tolerance.Config
	op  *tolerance.Operator
	dlq *tolerance.DLQ // nil without errors.deadletterqueue.topic.name
	log *tolerance.LogReporter
}

// newTaskErrors parses the errors.* keys. The DLQ is set up later, on the task
// goroutine (setupDLQ), because it talks to the broker.
func newTaskErrors(t *task, connProps map[string]string) (*taskErrors, error) {
	cfg, err := tolerance.ParseConfig(connProps)
	if err != nil {
		return nil, err
	}
	e := &taskErrors{cfg: cfg}
	if cfg.LogEnable {
		e.log = tolerance.NewLogReporter(t.log, cfg.LogIncludeMessages)
	}
	e.build(t)
	return e, nil
}

func (e *taskErrors) build(t *task) {
	var reps []tolerance.Reporter
	if e.dlq != nil {
		reps = append(reps, e.dlq) // Java: DLQ reporter first, then the log reporter
	}
	if e.log != nil {
		reps = append(reps, e.log)
	}
	e.op = tolerance.NewOperator(e.cfg, t.id.Connector, t.id.Task, reps, t.log)
}

// reporting reports whether failures go anywhere (DLQ or log); sink tasks get an
// ErrantRecordReporter only then.
func (e *taskErrors) reporting() bool { return e.cfg.DLQTopic != "" || e.cfg.LogEnable }

// setupDLQ creates the DLQ topic if missing and the DLQ producer (client id
// connector-dlq-producer-<connector>-<task>, the task producer's properties as in
// Java), then rebuilds the operator with it.
func (e *taskErrors) setupDLQ(t *task, connProps map[string]string) error {
	if e.cfg.DLQTopic == "" {
		return nil
	}
	w := t.w
	aopts, err := kafka.Opts(kafka.AdminProps(w.cfg.Props, connProps, t.id.Connector), kafka.Admin, t.log)
	if err != nil {
		return fmt.Errorf("dead letter queue admin of task %s: %w", t.name(), err)
	}
	acl, err := kgo.NewClient(aopts...)
	if err != nil {
		return fmt.Errorf("dead letter queue admin of task %s: %w", t.name(), err)
	}
	ctx, cancel := context.WithTimeout(t.hardCtx, dlqSetupTimeout)
	err = tolerance.EnsureTopic(ctx, kadm.NewClient(acl), e.cfg.DLQTopic, e.cfg.DLQReplicationFactor)
	cancel()
	acl.Close()
	if err != nil {
		return err
	}
	pprops := kafka.SourceProducerProps(w.cfg.Props, connProps, t.id.Connector, t.id.Task)
	pprops["client.id"] = "connector-dlq-producer-" + t.id.Connector + "-" + strconv.Itoa(t.id.Task)
	popts, err := kafka.Opts(pprops, kafka.Producer, t.log)
	if err != nil {
		return fmt.Errorf("dead letter queue producer of task %s: %w", t.name(), err)
	}
	cl, err := kgo.NewClient(append(popts, kgo.AllowAutoTopicCreation())...)
	if err != nil {
		return fmt.Errorf("dead letter queue producer of task %s: %w", t.name(), err)
	}
	e.dlq = tolerance.NewDLQ(cl, e.cfg.DLQTopic, e.cfg.DLQContextHeaders, t.log)
	e.build(t)
	return nil
}

// flushDLQ waits for the DLQ records reported so far (before offsets are committed).
func (e *taskErrors) flushDLQ(ctx context.Context) error {
	if e.dlq == nil {
		return nil
	}
	return e.dlq.Flush(ctx)
}

func (e *taskErrors) close() {
	if e.dlq != nil {
		e.dlq.Close()
	}
}

// exec binds the operator to one record for chain.apply and the converters.
func (e *taskErrors) exec(ctx context.Context, subj tolerance.Subject) recordpath.Exec {
	return func(stage tolerance.Stage, class string, op func() error) (bool, error) {
		return e.op.Execute(ctx, stage, class, subj, op)
	}
}

// rawOf is a consumed record as the DLQ and the error log see it.
func rawOf(kr *kgo.Record, tt connect.TimestampType) *tolerance.Raw {
	raw := &tolerance.Raw{Topic: kr.Topic, Partition: kr.Partition, Offset: kr.Offset,
		Key: kr.Key, Value: kr.Value, TimestampType: tt}
	if tt != connect.NoTimestampType {
		raw.Timestamp = kr.Timestamp
	}
	for _, h := range kr.Headers {
		raw.Headers = append(raw.Headers, tolerance.RawHeader{Key: h.Key, Value: h.Value})
	}
	return raw
}
