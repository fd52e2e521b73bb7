package pluginsdk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/goconnect/goconnect/api/connect"
	pb "github.com/goconnect/goconnect/internal/plugin/proto"
	"github.com/goconnect/goconnect/internal/plugin/wire"
)

// errNoWorker is returned by context calls once the worker's stream is gone.
var errNoWorker = errors.New("the worker closed the callback stream")

// callbacks sends context calls to the worker over the stream the worker
// opened, and matches replies to callers by id.
type callbacks struct {
	ready chan struct{} // closed once the stream is set
	once  sync.Once

	mu      sync.Mutex // guards stream sends, waiting and nextID
	stream  pb.Plugin_CallbacksServer
	waiting map[int64]chan *pb.CallbackReply
	nextID  int64
	closed  bool
}

func newCallbacks() *callbacks {
	return &callbacks{ready: make(chan struct{}), waiting: map[int64]chan *pb.CallbackReply{}}
}

// serve runs in the gRPC handler goroutine of the Callbacks stream: it reads
// replies until the worker closes the stream.
func (c *callbacks) serve(stream pb.Plugin_CallbacksServer) error {
	c.mu.Lock()
	if c.stream != nil {
		c.mu.Unlock()
		return errors.New("callback stream already open")
	}
	c.stream = stream
	c.mu.Unlock()
	c.once.Do(func() { close(c.ready) })
	for {
		r, err := stream.Recv()
		if err != nil {
			c.mu.Lock()
			c.closed = true
			for id, ch := range c.waiting {
				close(ch)
				delete(c.waiting, id)
			}
			c.mu.Unlock()
			return nil
		}
		c.mu.Lock()
		ch := c.waiting[r.Id]
		delete(c.waiting, r.Id)
		c.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
}

// call sends cb and waits for the worker's reply.
func (c *callbacks) call(ctx context.Context, cb *pb.Callback) (*pb.CallbackReply, error) {
	select {
	case <-c.ready:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the worker's callback stream: %w", ctx.Err())
	}
	ch := make(chan *pb.CallbackReply, 1)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errNoWorker
	}
	c.nextID++
	cb.Id = c.nextID
	c.waiting[cb.Id] = ch
	err := c.stream.Send(cb)
	if err != nil {
		delete(c.waiting, cb.Id)
	}
	c.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("send callback to the worker: %w", err)
	}
	select {
	case r, ok := <-ch:
		if !ok {
			return nil, errNoWorker
		}
		return r, wire.DecodeError(r.Error)
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.waiting, cb.Id)
		c.mu.Unlock()
		return nil, ctx.Err()
	}
}

// notify is call for context methods that return nothing; a failure can only
// be logged, by the plugin, as the in-process method would have nothing to say.
func (c *callbacks) notify(cb *pb.Callback) {
	ctx, cancel := background()
	defer cancel()
	_, _ = c.call(ctx, cb)
}

type connectorContext struct{ cb *callbacks }

func (c *connectorContext) RequestTaskReconfiguration() {
	c.cb.notify(&pb.Callback{Call: &pb.Callback_RequestTaskReconfiguration{RequestTaskReconfiguration: &pb.Empty{}}})
}

func (c *connectorContext) RaiseError(err error) {
	c.cb.notify(&pb.Callback{Call: &pb.Callback_RaiseError{RaiseError: wire.EncodeError(err)}})
}

func (c *connectorContext) OffsetStorageReader() connect.OffsetStorageReader {
	return &offsetReader{cb: c.cb}
}

type offsetReader struct{ cb *callbacks }

func (r *offsetReader) Offset(ctx context.Context, partition map[string]any) (map[string]any, error) {
	p, err := wire.EncodeMap(partition)
	if err != nil {
		return nil, err
	}
	reply, err := r.cb.call(ctx, &pb.Callback{Call: &pb.Callback_Offset{Offset: &pb.OffsetLookup{Partition: p}}})
	if err != nil {
		return nil, err
	}
	return wire.DecodeMap(reply.Offset)
}

type sourceTaskContext struct {
	props  map[string]string
	reader *offsetReader
}

func (c *sourceTaskContext) Config() map[string]string                        { return c.props }
func (c *sourceTaskContext) OffsetStorageReader() connect.OffsetStorageReader { return c.reader }

type sinkTaskContext struct {
	props       map[string]string
	cb          *callbacks
	hasReporter bool

	mu         sync.Mutex
	assignment []connect.TopicPartition
}

// assign tracks the assignment locally from Open and Close, so Assignment
// costs no round trip.
func (c *sinkTaskContext) assign(add, remove []connect.TopicPartition) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range add {
		if !slices.Contains(c.assignment, p) {
			c.assignment = append(c.assignment, p)
		}
	}
	c.assignment = slices.DeleteFunc(c.assignment, func(p connect.TopicPartition) bool { return slices.Contains(remove, p) })
}

func (c *sinkTaskContext) Config() map[string]string { return c.props }

func (c *sinkTaskContext) Offset(offsets map[connect.TopicPartition]int64) {
	c.cb.notify(&pb.Callback{Call: &pb.Callback_SinkOffset{SinkOffset: &pb.OffsetsRequest{Offsets: wire.EncodeOffsets(offsets)}}})
}

func (c *sinkTaskContext) Timeout(d time.Duration) {
	c.cb.notify(&pb.Callback{Call: &pb.Callback_TimeoutNanos{TimeoutNanos: int64(d)}})
}

func (c *sinkTaskContext) Assignment() []connect.TopicPartition {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.assignment)
}

func (c *sinkTaskContext) Pause(ps ...connect.TopicPartition) {
	c.cb.notify(&pb.Callback{Call: &pb.Callback_Pause{Pause: &pb.PartitionsRequest{Partitions: wire.EncodePartitions(ps)}}})
}

func (c *sinkTaskContext) Resume(ps ...connect.TopicPartition) {
	c.cb.notify(&pb.Callback{Call: &pb.Callback_Resume{Resume: &pb.PartitionsRequest{Partitions: wire.EncodePartitions(ps)}}})
}

func (c *sinkTaskContext) RequestCommit() {
	c.cb.notify(&pb.Callback{Call: &pb.Callback_RequestCommit{RequestCommit: &pb.Empty{}}})
}

func (c *sinkTaskContext) ErrantRecordReporter() connect.ErrantRecordReporter {
	if !c.hasReporter {
		return nil // as in-process: nil when the connector has no DLQ or error log
	}
	return &reporter{cb: c.cb}
}

type reporter struct{ cb *callbacks }

func (r *reporter) Report(ctx context.Context, rec *connect.Record, err error) error {
	b, encErr := wire.EncodeRecords([]*connect.Record{rec})
	if encErr != nil {
		return encErr
	}
	_, callErr := r.cb.call(ctx, &pb.Callback{Call: &pb.Callback_Report{Report: &pb.ErrantReport{Record: b, Error: wire.EncodeError(err)}}})
	return callErr
}
