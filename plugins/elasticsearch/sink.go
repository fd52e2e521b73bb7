package elasticsearch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/goconnect/goconnect/api/config"
	"github.com/goconnect/goconnect/api/connect"
)

// SinkConnector is Confluent's ElasticsearchSinkConnector.
type SinkConnector struct {
	props map[string]string
}

// NewSinkConnector returns an Elasticsearch sink connector.
func NewSinkConnector() *SinkConnector { return &SinkConnector{} }

var (
	_ connect.SinkConnector   = (*SinkConnector)(nil)
	_ connect.ConfigValidator = (*SinkConnector)(nil)
	_ connect.SinkTask        = (*SinkTask)(nil)
	_ connect.PreCommitter    = (*SinkTask)(nil)
)

// Version implements connect.Connector.
func (c *SinkConnector) Version() string { return Version }

// Config implements connect.Connector.
func (c *SinkConnector) Config() *config.Def { return SinkConfig() }

// Start checks the configuration so a bad one fails the connector, not only its tasks.
func (c *SinkConnector) Start(_ connect.ConnectorContext, props map[string]string) error {
	if _, err := parseSinkConfig(props); err != nil {
		return err
	}
	c.props = maps.Clone(props)
	return nil
}

// TaskConfigs returns maxTasks copies of the configuration; the consumer group
// splits the partitions between the tasks.
func (c *SinkConnector) TaskConfigs(maxTasks int) ([]map[string]string, error) {
	out := make([]map[string]string, maxTasks)
	for i := range out {
		out[i] = maps.Clone(c.props)
	}
	return out, nil
}

// Stop implements connect.Connector.
func (c *SinkConnector) Stop() error { return nil }

// NewTask implements connect.SinkConnector.
func (c *SinkConnector) NewTask() connect.SinkTask { return &SinkTask{} }

// Validate adds the cross-field rules to the per-key results and, with
// external.resource.usage, checks on the server that every mapped resource exists
// (Confluent's Validator.validateResourceExists): a connector is not created for
// an index or alias that is not there.
func (c *SinkConnector) Validate(props map[string]string, values []config.Value) []config.Value {
	for _, v := range values {
		if len(v.Errors) > 0 {
			return values
		}
	}
	addError := func(name, msg string) {
		for i := range values {
			if values[i].Name == name {
				values[i].Errors = append(values[i].Errors, msg)
			}
		}
	}
	cfg, err := parseSinkConfig(props)
	if err != nil {
		names := []string{ConnectionURLConfig}
		var ce *config.Error
		if errors.As(err, &ce) {
			// Confluent's Validator puts these errors on every key involved.
			names = append([]string{ce.Name}, alsoOn[ce.Message]...)
		}
		for _, name := range names {
			addError(name, err.Error())
		}
		return values
	}
	if msg := checkResourcesExist(cfg); msg != "" {
		addError(TopicToExternalResourceMapConfig, msg)
	}
	return values
}

// alsoOn lists the other keys a cross-field error is reported on.
var alsoOn = map[string][]string{
	errResourceTogether:   {TopicToExternalResourceMapConfig},
	errResourceDataStream: {DataStreamTypeConfig, DataStreamDatasetConfig},
}

// checkResourcesExist returns Confluent's error message for the first mapped
// resource that does not exist or cannot be checked, "" when all exist.
func checkResourcesExist(cfg *sinkConfig) string {
	if cfg.resources == nil {
		return ""
	}
	cl, err := newClient(cfg)
	if err != nil {
		return err.Error()
	}
	defer cl.close()
	alias := cfg.resourceUsage == resourceAliasIndex || cfg.resourceUsage == resourceAliasDataStream
	topics := slices.Sorted(maps.Keys(cfg.resources))
	for _, topic := range topics {
		resource := cfg.resources[topic]
		ctx, cancel := context.WithTimeout(context.Background(), cfg.connectTimeout+cfg.readTimeout)
		ok, err := cl.exists(ctx, resource, alias)
		cancel()
		if err != nil {
			return fmt.Sprintf("Failed to check if %s '%s' exists: %v", cfg.resourceUsage, resource, err)
		}
		if !ok {
			return fmt.Sprintf("%s '%s' does not exist in Elasticsearch", cfg.resourceUsage, resource)
		}
	}
	return ""
}

// SinkTask writes records with the _bulk API.
//
// Put converts records into bulk actions and queues them; full batches (batch.size
// records or bulk.size.bytes) are sent at once, a partial one after linger.ms, by
// up to max.in.flight.requests sender goroutines owned by the task. A partial batch
// whose linger.ms passed while all those requests are busy keeps growing until one
// answers (cutting it would only queue it: under load batches stay full). PreCommit
// sends what is queued and returns, per partition, only offsets below the first
// record not written yet (or, with flush.synchronously, waits for every answer), so
// offsets are only ever committed after the documents were written. Per-item
// results are handled one by one: version
// conflicts are ignored (an older offset lost to a newer one), malformed documents
// follow behavior.on.malformed.documents and go to the errant record reporter, 429
// and 5xx items are retried with backoff.
//
// Unlike Confluent's sink, exhausted retries do not fail the task: the actions stay
// queued, their offsets are not committed (a synchronous PreCommit refuses to
// commit: the runtime rewinds and redelivers), and Put
// returns a RetriableError once max.buffered.records are waiting, which pauses
// consumption until the server is back.
type SinkTask struct {
	cfg  *sinkConfig
	conv converter
	cl   *client
	rep  connect.ErrantRecordReporter
	log  *slog.Logger

	// indices holds the indices known to exist (task goroutine only).
	indices map[string]bool

	ctx    context.Context // cancelled by Stop: aborts requests and backoffs
	cancel context.CancelFunc
	wg     sync.WaitGroup // sender and linger goroutines
	slots  chan struct{}  // one per bulk request in flight
	kick   chan struct{}  // wakes the linger goroutine

	mu           sync.Mutex
	pending      []*action // not yet sent
	pendingBytes int
	inflight     int           // batches taken from pending and not yet answered
	inflightRecs int           // actions in those batches
	changed      chan struct{} // closed and replaced whenever inflight drops
	lingerDue    bool          // linger.ms passed while every request slot was busy
	// outstanding counts, per partition and offset, the queued actions not yet
	// written (sent, in flight or waiting for a retry): the asynchronous PreCommit
	// commits only below the lowest of them.
	outstanding map[connect.TopicPartition]map[int64]int
	retryQ      []*action // actions whose retries ran out
	retryAt     time.Time
	lastErr     error // why retryQ is not empty
	fatal       error // fails the task at the next Put or PreCommit
}

// Start parses the configuration and builds the HTTP client; nothing is sent
// before the first records, so a server that is down at start is retried like one
// that goes down later.
func (t *SinkTask) Start(tc connect.SinkTaskContext, props map[string]string) error {
	cfg, err := parseSinkConfig(props)
	if err != nil {
		return err
	}
	cl, err := newClient(cfg)
	if err != nil {
		return err
	}
	t.cfg, t.cl, t.conv = cfg, cl, converter{cfg: cfg}
	t.rep = tc.ErrantRecordReporter()
	t.log = slog.Default().With("connector_class", SinkClass)
	t.indices = map[string]bool{}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	t.slots = make(chan struct{}, cfg.maxInFlight)
	t.kick = make(chan struct{}, 1)
	t.changed = make(chan struct{})
	t.outstanding = map[connect.TopicPartition]map[int64]int{}
	t.wg.Add(1)
	go t.lingerLoop()
	return nil
}

// Put converts and queues records. A record that cannot be converted is reported
// and, with drop.invalid.message, skipped; otherwise it fails the task, as
// Confluent's.
func (t *SinkTask) Put(ctx context.Context, records []*connect.Record) error {
	if err := t.failure(); err != nil {
		return err
	}
	t.resendRetries(false)
	if len(records) > 0 {
		if err := t.waitForRoom(ctx); err != nil {
			return err
		}
	}
	actions := make([]*action, 0, len(records))
	for _, r := range records {
		a, err := t.conv.convert(r)
		if err != nil {
			if !errors.Is(err, connect.ErrData) {
				return err
			}
			if t.rep != nil {
				if rerr := t.rep.Report(ctx, r, err); rerr != nil {
					return rerr
				}
			}
			if t.cfg.dropInvalid {
				t.log.Warn("dropping record that cannot be converted", "error", err)
				continue
			}
			return err
		}
		if a == nil {
			continue
		}
		if !t.indices[a.index] {
			// Nothing of this batch is queued yet, so a retried Put does not queue
			// anything twice.
			if err := t.ensureIndex(ctx, a); err != nil {
				return err
			}
		}
		actions = append(actions, a)
	}
	if len(actions) == 0 {
		return nil
	}
	t.mu.Lock()
	if len(t.pending) == 0 {
		t.kickLinger()
	}
	for _, a := range actions {
		p, off := position(a.rec)
		m := t.outstanding[p]
		if m == nil {
			m = map[int64]int{}
			t.outstanding[p] = m
		}
		m[off]++
		t.pending = append(t.pending, a)
		t.pendingBytes += len(a.lines)
		if t.full() {
			t.dispatchLocked()
		}
	}
	t.mu.Unlock()
	return nil
}

// waitForRoom blocks while max.buffered.records are queued or in flight, for up
// to a second (the runtime must stay responsive for commits and rebalances), and
// then answers with a RetriableError, so the runtime pauses consumption and
// redelivers the batch. With records waiting for a server that stopped answering it
// does not wait at all.
func (t *SinkTask) waitForRoom(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, min(time.Second, t.cfg.flushTimeout))
	defer cancel()
	for {
		t.mu.Lock()
		buffered := len(t.pending) + len(t.retryQ) + t.inflightRecs
		stuck := len(t.retryQ) > 0
		ch := t.changed
		t.mu.Unlock()
		if buffered < t.cfg.maxBuffered {
			return nil
		}
		if !stuck {
			select {
			case <-ch:
				continue
			case <-ctx.Done():
			}
		}
		return &connect.RetriableError{
			Err:     fmt.Errorf("%d records buffered (max.buffered.records=%d): %w", buffered, t.cfg.maxBuffered, t.lastError()),
			Backoff: max(t.cfg.retryBackoff, 100*time.Millisecond),
		}
	}
}

func (t *SinkTask) ensureIndex(ctx context.Context, a *action) error {
	if t.cfg.resources != nil {
		// A pre-existing resource (external.resource.usage): never created, but
		// given the schema's mapping when it has none, as Confluent's checkMapping.
		var m []byte
		if !t.cfg.ignoreSchema(a.rec.Topic) {
			m = mapping(a.rec.ValueSchema, t.cfg.compactMaps)
		}
		if err := t.cl.ensureMapping(ctx, a.index, m); err != nil {
			if retriable(err) {
				return &connect.RetriableError{Err: err, Backoff: t.cfg.retryBackoff}
			}
			return err
		}
		t.indices[a.index] = true
		return nil
	}
	if t.cfg.dataStream() {
		// Data streams are created by the server from its index templates.
		t.indices[a.index] = true
		return nil
	}
	var m []byte
	if !t.cfg.ignoreSchema(a.rec.Topic) {
		m = mapping(a.rec.ValueSchema, t.cfg.compactMaps)
	}
	if err := t.cl.ensureIndex(ctx, a.index, m); err != nil {
		if retriable(err) {
			return &connect.RetriableError{Err: err, Backoff: t.cfg.retryBackoff}
		}
		return err
	}
	t.indices[a.index] = true
	return nil
}

// full reports whether the pending batch must be sent now. Callers hold t.mu.
func (t *SinkTask) full() bool {
	return len(t.pending) >= t.cfg.batchSize || (t.cfg.bulkSizeBytes > 0 && int64(t.pendingBytes) >= t.cfg.bulkSizeBytes)
}

func (t *SinkTask) kickLinger() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

// lingerLoop sends a partial batch linger.ms after its first record was queued.
func (t *SinkTask) lingerLoop() {
	defer t.wg.Done()
	for {
		select {
		case <-t.ctx.Done():
			return
		case <-t.kick:
		}
		if t.cfg.linger > 0 {
			tm := time.NewTimer(t.cfg.linger)
			select {
			case <-t.ctx.Done():
				tm.Stop()
				return
			case <-tm.C:
			}
		}
		t.mu.Lock()
		if len(t.pending) > 0 {
			if t.inflight < t.cfg.maxInFlight {
				t.dispatchLocked()
			} else {
				// Every request slot is taken: a partial batch cut now would only
				// wait for a slot, while more records could still join it. The
				// sender that frees a slot sends it (full batches go at once).
				t.lingerDue = true
			}
		}
		t.mu.Unlock()
	}
}

// dispatchLocked hands the pending batch to a sender goroutine. Callers hold t.mu;
// the batch counts as in flight from here, so a flush waits for it even while it
// waits for a free slot.
func (t *SinkTask) dispatchLocked() {
	batch := t.pending
	t.pending, t.pendingBytes, t.lingerDue = nil, 0, false
	t.startLocked(batch)
}

func (t *SinkTask) startLocked(batch []*action) {
	if len(batch) == 0 {
		return
	}
	t.inflight++
	t.inflightRecs += len(batch)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		select {
		case t.slots <- struct{}{}:
			t.send(batch)
			<-t.slots
		case <-t.ctx.Done():
			t.requeue(batch, t.ctx.Err())
		}
		t.mu.Lock()
		t.inflight--
		t.inflightRecs -= len(batch)
		if t.lingerDue && len(t.pending) > 0 && t.ctx.Err() == nil {
			t.dispatchLocked()
		}
		close(t.changed)
		t.changed = make(chan struct{})
		t.mu.Unlock()
	}()
}

// resendRetries sends the actions whose retries ran out again, once their backoff
// passed (or now, with force) and nothing else is in flight.
func (t *SinkTask) resendRetries(force bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.retryQ) == 0 || t.inflight > 0 || (!force && time.Now().Before(t.retryAt)) {
		return
	}
	q := t.retryQ
	t.retryQ = nil
	for len(q) > 0 {
		n := min(len(q), t.cfg.batchSize)
		t.startLocked(q[:n:n])
		q = q[n:]
	}
}

func (t *SinkTask) requeue(batch []*action, err error) {
	t.mu.Lock()
	t.retryQ = append(t.retryQ, batch...)
	t.lastErr = err
	t.retryAt = time.Now().Add(t.cfg.retryBackoff << min(t.cfg.maxRetries, 8))
	t.mu.Unlock()
}

func (t *SinkTask) setFatal(err error) {
	t.mu.Lock()
	if t.fatal == nil {
		t.fatal = err
	}
	t.mu.Unlock()
}

func (t *SinkTask) failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.fatal
}

func (t *SinkTask) lastError() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.lastErr == nil {
		return errors.New("waiting for bulk requests to complete")
	}
	return t.lastErr
}

// send writes one batch, retrying what failed transiently; it runs on a sender
// goroutine.
func (t *SinkTask) send(batch []*action) {
	todo := batch
	for attempt := 0; ; attempt++ {
		items, err := t.cl.bulk(t.ctx, todo)
		var again, done []*action
		switch {
		case err != nil && !retriable(err):
			t.setFatal(fmt.Errorf("bulk request of %d actions failed: %w", len(todo), err))
			return
		case err != nil:
			again = todo
		default:
			for i, it := range items {
				a := todo[i]
				switch {
				case it.Status >= 200 && it.Status < 300:
				case a.op == opDelete && it.Status == 404:
					// Deleting a document that is not there is done.
				case it.Error != nil && it.Error.Type == "version_conflict_engine_exception":
					// A newer version (offset) is already indexed: redelivered or
					// reordered record, ignored as Confluent does.
				case it.Status == 429 || it.Status >= 500:
					again = append(again, a)
					err = itemError(a, it)
					continue
				case it.Error != nil && isMalformed(it.Error.Type):
					if ferr := t.malformed(a, itemError(a, it)); ferr != nil {
						// The task fails: what was done stays outstanding too,
						// nothing of this batch may be committed.
						t.setFatal(ferr)
						return
					}
				default:
					t.setFatal(itemError(a, it))
					return
				}
				done = append(done, a)
			}
			t.written(done)
		}
		if len(again) == 0 {
			return
		}
		if attempt >= t.cfg.maxRetries || t.ctx.Err() != nil {
			t.requeue(again, err)
			return
		}
		if t.cl.retry.wait(t.ctx, attempt) != nil {
			t.requeue(again, err)
			return
		}
		todo = again
	}
}

// written forgets done actions, so the asynchronous PreCommit may commit them.
func (t *SinkTask) written(done []*action) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, a := range done {
		p, off := position(a.rec)
		if m := t.outstanding[p]; m != nil {
			if m[off]--; m[off] <= 0 {
				delete(m, off)
			}
			if len(m) == 0 {
				delete(t.outstanding, p)
			}
		}
	}
}

// position is where r came from in Kafka (before any transformation), as the
// runtime's offsets are keyed.
func position(r *connect.Record) (connect.TopicPartition, int64) {
	if r.OriginalTopic != "" {
		return connect.TopicPartition{Topic: r.OriginalTopic, Partition: r.OriginalPartition}, r.OriginalOffset
	}
	return connect.TopicPartition{Topic: r.Topic, Partition: r.Partition}, r.Offset
}

func itemError(a *action, it itemResult) error {
	if it.Error == nil {
		return fmt.Errorf("indexing %s into %s failed: status %d", recordString(a.rec), a.index, it.Status)
	}
	return fmt.Errorf("indexing %s into %s failed: %s: %s", recordString(a.rec), a.index, it.Error.Type, it.Error.Reason)
}

// malformed applies behavior.on.malformed.documents to a rejected document. With
// warn or fail it goes to the errant record reporter (DLQ/error log) when there is
// one; fail without a reporter, or a reporter that refuses (errors.tolerance=none),
// fails the task.
func (t *SinkTask) malformed(a *action, err error) error {
	switch t.cfg.onMalformed {
	case malformedIgnore:
		return nil
	case malformedWarn:
		t.log.Warn("document rejected by the server", "error", err)
		if t.rep != nil {
			return t.rep.Report(t.ctx, a.rec, err)
		}
		return nil
	default:
		if t.rep == nil {
			return fmt.Errorf("%w (to ignore future records like this change the configuration property '%s' from '%s' to '%s')", err, BehaviorOnMalformedDocConfig, "FAIL", "IGNORE")
		}
		return t.rep.Report(t.ctx, a.rec, err)
	}
}

// PreCommit returns the offsets that are safe to commit. By default
// (flush.synchronously=false, Confluent's asynchronous offset tracking) it sends
// what is queued and, without waiting, returns for each partition the lowest
// offset of a record not written yet (or the runtime's offset when all are), so
// consumption goes on while bulk requests are in flight. With flush.synchronously
// it waits (up to flush.timeout.ms) for every bulk request and returns the
// offsets only when all succeeded; otherwise it returns an error, and the runtime
// commits nothing and rewinds. Either way offsets are never committed ahead of
// the documents.
func (t *SinkTask) PreCommit(ctx context.Context, offsets map[connect.TopicPartition]int64) (map[connect.TopicPartition]int64, error) {
	if err := t.failure(); err != nil {
		return nil, err
	}
	t.resendRetries(true)
	t.mu.Lock()
	t.dispatchLocked()
	if !t.cfg.flushSync {
		out := make(map[connect.TopicPartition]int64, len(offsets))
		for p, off := range offsets {
			for o := range t.outstanding[p] {
				off = min(off, o)
			}
			out[p] = off
		}
		t.mu.Unlock()
		return out, nil
	}
	t.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, t.cfg.flushTimeout)
	defer cancel()
	for {
		t.mu.Lock()
		n, ch := t.inflight, t.changed
		t.mu.Unlock()
		if n == 0 {
			break
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("flush timeout expired with %d bulk requests unanswered", n)
		}
	}
	if err := t.failure(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	n, lastErr := len(t.retryQ), t.lastErr
	t.mu.Unlock()
	if n > 0 {
		return nil, fmt.Errorf("%d records not written yet, retrying: %w", n, lastErr)
	}
	return offsets, nil
}

// Stop abandons requests in flight (their offsets were not committed, so the
// records are delivered again) and waits for the task's goroutines.
func (t *SinkTask) Stop() error {
	if t.cancel == nil {
		return nil
	}
	t.cancel()
	t.wg.Wait()
	t.cl.close()
	return nil
}
