package kafkastore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// LogConfig configures a Log.
type LogConfig struct {
	// Topic is the topic to tail and write.
	Topic string
	// Client holds the options shared by the log's producer and consumer clients:
	// seed brokers, TLS/SASL, client id (see kafka.Opts).
	Client []kgo.Opt
	// Producer options are added to the producer client only (acks, retries, ...).
	Producer []kgo.Opt
	// ReadCommitted reads only committed records (Java's isolation.level=
	// read_committed, used when the config topic is written transactionally) and
	// makes ReadToEnd wait for the last stable offset instead of the high watermark.
	ReadCommitted bool
	// OnRecord is called for every data record, on the log's goroutine, in offset
	// order within a partition. It must not block for long and must not call
	// ReadToEnd (which waits for this goroutine).
	OnRecord func(*kgo.Record)
	// Logger receives the log's own messages; nil discards them.
	Logger *slog.Logger
}

// Log is Java's KafkaBasedLog: a topic consumed from the beginning by one goroutine
// the Log owns, handing each record to OnRecord, and a producer for writes.
//
// The consumer reads every partition without a group (no committed offsets: every
// worker rebuilds its state from the whole compacted topic on start).
type Log struct {
	topic    string
	onRecord func(*kgo.Record)
	log      *slog.Logger
	prod     *kgo.Client
	cons     *kgo.Client
	adm      *kadm.Client
	readComm bool

	stop context.CancelFunc
	done chan struct{} // closed when the consuming goroutine has returned

	mu      sync.Mutex
	pos     map[int32]int64 // next offset to consume, per partition
	waiters []*endWaiter
	closed  bool
}

type endWaiter struct {
	end  map[int32]int64
	done chan struct{}
}

// OpenLog creates the clients, starts the consuming goroutine and reads the topic to
// its end before returning, so that the caller's state is complete. The topic must
// exist (see EnsureTopic). ctx bounds the initial read only; Close stops the Log.
func OpenLog(ctx context.Context, cfg LogConfig) (*Log, error) {
	if cfg.Topic == "" {
		return nil, errors.New("open log: empty topic name")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	prodOpts := append(append([]kgo.Opt{}, cfg.Client...),
		// Java partitions keyed records with murmur2 of the key bytes; franz-go's
		// StickyKeyPartitioner(nil) is that exact function (see TestPartitionerIsJavas).
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)),
		kgo.DefaultProduceTopic(cfg.Topic),
	)
	prodOpts = append(prodOpts, cfg.Producer...)
	prod, err := kgo.NewClient(prodOpts...)
	if err != nil {
		return nil, fmt.Errorf("open log %s: producer: %w", cfg.Topic, err)
	}
	consOpts := append(append([]kgo.Opt{}, cfg.Client...),
		kgo.ConsumeTopics(cfg.Topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		// Control records are kept so that the position moves past transaction
		// markers: otherwise ReadToEnd on a transactionally written topic would wait
		// for an offset no data record ever reaches.
		kgo.KeepControlRecords(),
		kgo.FetchMaxWait(500*time.Millisecond),
	)
	if cfg.ReadCommitted {
		consOpts = append(consOpts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cons, err := kgo.NewClient(consOpts...)
	if err != nil {
		prod.Close()
		return nil, fmt.Errorf("open log %s: consumer: %w", cfg.Topic, err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	l := &Log{
		topic:    cfg.Topic,
		onRecord: cfg.OnRecord,
		log:      logger.With("topic", cfg.Topic),
		prod:     prod,
		cons:     cons,
		adm:      kadm.NewClient(cons),
		readComm: cfg.ReadCommitted,
		stop:     stop,
		done:     make(chan struct{}),
		pos:      map[int32]int64{},
	}
	go l.run(runCtx)
	if err := l.ReadToEnd(ctx); err != nil {
		l.Close()
		return nil, fmt.Errorf("open log %s: initial read: %w", cfg.Topic, err)
	}
	return l, nil
}

// Topic returns the log's topic.
func (l *Log) Topic() string { return l.topic }

func (l *Log) run(ctx context.Context) {
	defer close(l.done)
	for {
		fs := l.cons.PollFetches(ctx)
		if ctx.Err() != nil || fs.IsClientClosed() {
			return
		}
		fs.EachError(func(t string, p int32, err error) {
			if !errors.Is(err, context.Canceled) {
				l.log.Warn("fetch from internal topic failed; retrying", "partition", p, "err", err)
			}
		})
		next := map[int32]int64{}
		fs.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() && l.onRecord != nil {
				l.onRecord(r)
			}
			next[r.Partition] = r.Offset + 1
		})
		if len(next) == 0 {
			continue
		}
		l.mu.Lock()
		for p, o := range next {
			l.pos[p] = o
		}
		l.releaseLocked()
		l.mu.Unlock()
	}
}

// releaseLocked closes the waiters whose end offsets have all been reached.
func (l *Log) releaseLocked() {
	kept := l.waiters[:0]
	for _, w := range l.waiters {
		if l.reachedLocked(w.end) {
			close(w.done)
		} else {
			kept = append(kept, w)
		}
	}
	l.waiters = kept
}

func (l *Log) reachedLocked(end map[int32]int64) bool {
	for p, o := range end {
		if l.pos[p] < o {
			return false
		}
	}
	return true
}

// ReadToEnd returns once every record before the topic's current end offsets has
// been consumed and handed to OnRecord: state built by OnRecord then reflects at
// least every write acknowledged before the call. ctx bounds the wait.
func (l *Log) ReadToEnd(ctx context.Context) error {
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return ErrClosed
	}
	list := l.adm.ListEndOffsets
	if l.readComm {
		list = l.adm.ListCommittedOffsets
	}
	ends, err := listRetrying(ctx, list, l.topic)
	if err != nil {
		return fmt.Errorf("list end offsets of %s: %w", l.topic, err)
	}
	starts, err := listRetrying(ctx, l.adm.ListStartOffsets, l.topic)
	if err != nil {
		return fmt.Errorf("list start offsets of %s: %w", l.topic, err)
	}
	w := &endWaiter{end: map[int32]int64{}, done: make(chan struct{})}
	ends.Each(func(o kadm.ListedOffset) {
		// A partition whose records were all deleted has nothing to wait for: the
		// consumer's position never moves in it.
		if s, ok := starts.Lookup(l.topic, o.Partition); ok && s.Offset >= o.Offset {
			return
		}
		w.end[o.Partition] = o.Offset
	})
	l.mu.Lock()
	if l.reachedLocked(w.end) {
		l.mu.Unlock()
		return nil
	}
	l.waiters = append(l.waiters, w)
	l.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-l.done:
		return ErrClosed
	case <-ctx.Done():
		l.mu.Lock()
		for i, x := range l.waiters {
			if x == w {
				l.waiters = append(l.waiters[:i], l.waiters[i+1:]...)
				break
			}
		}
		l.mu.Unlock()
		return fmt.Errorf("read %s to end: %w", l.topic, ctx.Err())
	}
}

// KV is one record to write: a nil Value is a tombstone.
type KV struct {
	Key, Value []byte
}

// Send writes records in order and returns once the broker has acknowledged all of
// them (or the first error). ctx bounds the wait; records already handed to the
// producer may still be written after ctx expires.
func (l *Log) Send(ctx context.Context, recs ...KV) error {
	results := make(chan error, len(recs)) // buffered: promises never block
	for _, kv := range recs {
		l.prod.Produce(ctx, &kgo.Record{Key: kv.Key, Value: kv.Value}, func(_ *kgo.Record, err error) {
			results <- err
		})
	}
	var first error
	for range recs {
		select {
		case err := <-results:
			if err != nil && first == nil {
				first = err
			}
		case <-ctx.Done():
			return fmt.Errorf("write to %s: %w", l.topic, ctx.Err())
		}
	}
	if first != nil {
		return fmt.Errorf("write to %s: %w", l.topic, first)
	}
	return nil
}

// Produce writes one record asynchronously; promise (optional) runs on a producer
// goroutine once the record is acknowledged or failed. It never blocks on a full
// buffer: the record fails with kgo.ErrMaxBuffered instead, which is what a caller
// re-sending from a promise needs.
func (l *Log) Produce(key, value []byte, promise func(*kgo.Record, error)) {
	l.prod.TryProduce(context.Background(), &kgo.Record{Key: key, Value: value}, promise)
}

// Flush waits until every record produced so far is acknowledged or failed.
func (l *Log) Flush(ctx context.Context) error {
	if err := l.prod.Flush(ctx); err != nil {
		return fmt.Errorf("flush %s: %w", l.topic, err)
	}
	return nil
}

// PartitionCount returns the topic's number of partitions.
func (l *Log) PartitionCount(ctx context.Context) (int, error) {
	return partitionCount(ctx, l.adm, l.topic)
}

// Close stops the consuming goroutine and waits for it, flushes pending writes for
// up to 5 s (as Java's producer close does with its own timeout) and closes the
// clients. It is idempotent.
func (l *Log) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	l.mu.Unlock()
	l.stop()
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.prod.Flush(ctx); err != nil {
		l.log.Warn("pending writes to internal topic not flushed on close", "err", err)
	}
	l.prod.Close()
	l.cons.Close()
}

// listRetrying lists a topic's offsets, retrying retriable broker errors until ctx
// ends. Workers started together race to create the internal topics: right after
// another worker created one, its partitions can still answer
// UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE for a moment, which must not
// make this worker exit (Java's KafkaBasedLog retries them the same way).
func listRetrying(ctx context.Context, list func(context.Context, ...string) (kadm.ListedOffsets, error), topic string) (kadm.ListedOffsets, error) {
	backoff := 50 * time.Millisecond
	for {
		offs, err := list(ctx, topic)
		if err == nil {
			err = offs.Error()
		}
		if err == nil || !kerr.IsRetriable(err) {
			return offs, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}
