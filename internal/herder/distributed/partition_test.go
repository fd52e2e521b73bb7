package distributed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/goconnect/goconnect/internal/herder"
)

// partition is a kgo dialer that can cut a client off the broker: cut closes
// every open connection and refuses new ones until heal.
type partition struct {
	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

func (p *partition) dial(ctx context.Context, network, host string) (net.Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return nil, errors.New("partitioned")
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, network, host)
	if err == nil {
		p.conns = append(p.conns, c)
	}
	return c, err
}

func (p *partition) set(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.conns = nil
	}
}

// TestPartitionedWorkerRevokesItsWork: a worker whose group membership client
// is cut off from the broker stops its connectors and tasks (Java's
// WorkerCoordinator revoking its assignment when the coordinator is unreachable),
// so that, while the other worker takes the work over, nothing runs twice at any
// sampled instant. When the partition heals it rejoins and gets a share back.
func TestPartitionedWorkerRevokesItsWork(t *testing.T) {
	c := newTestCluster(t)
	p := &partition{}
	c.memberOpts = map[int][]kgo.Opt{1: {kgo.Dialer(p.dial)}}
	for i := range 2 {
		c.start(i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	checkFor(t, 20*time.Second, func() error {
		for _, w := range c.live() {
			if err := w.h.Health(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	for _, name := range []string{"a", "b"} {
		if err := c.onLeader(ctx, c.workers[0], func(h *Herder) error {
			_, _, err := h.PutConnectorConfig(ctx, name, map[string]string{"connector.class": "Fake", "tasks.max": "2"}, false, "")
			return err
		}); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	conns := []string{"a", "b"}
	all := append(tids("a", 2), tids("b", 2)...)
	checkFor(t, 20*time.Second, func() error { return c.runningOnce(conns, all) })
	busy := func(w *testWorker) error {
		cs, ts := w.rt.running()
		if len(cs)+len(ts) == 0 {
			return fmt.Errorf("worker %s runs nothing", w.h.cfg.WorkerID)
		}
		return nil
	}
	checkFor(t, 20*time.Second, func() error { return busy(c.workers[1]) })

	// Cut worker 1 off. Until worker 0 runs everything, no connector or task may
	// run on both (at-most-once ownership); then worker 1 must run nothing.
	p.set(true)
	deadline := time.Now().Add(40 * time.Second)
	for {
		if err := noDuplicates(c); err != nil {
			t.Fatalf("during the partition: %v", err)
		}
		cs, ts := c.workers[0].rt.running()
		if len(cs) == len(conns) && len(ts) == len(all) {
			break
		}
		if time.Now().After(deadline) {
			cs1, ts1 := c.workers[1].rt.running()
			t.Fatalf("worker 0 runs %v %v, worker 1 runs %v %v 40 s into the partition", cs, ts, cs1, ts1)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if cs, ts := c.workers[1].rt.running(); len(cs)+len(ts) != 0 {
		t.Fatalf("partitioned worker still runs %v %v", cs, ts)
	}

	// Heal: worker 1 rejoins as a new member and gets a share again.
	p.set(false)
	checkFor(t, 30*time.Second, func() error {
		if err := c.runningOnce(conns, all); err != nil {
			return err
		}
		return busy(c.workers[1])
	})
}

// noDuplicates fails if a connector or task runs on more than one live worker.
func noDuplicates(c *testCluster) error {
	gotC := map[string]int{}
	gotT := map[herder.TaskID]int{}
	for _, w := range c.live() {
		cs, ts := w.rt.running()
		for _, x := range cs {
			if gotC[x]++; gotC[x] > 1 {
				return fmt.Errorf("connector %s runs on two workers", x)
			}
		}
		for _, x := range ts {
			if gotT[x]++; gotT[x] > 1 {
				return fmt.Errorf("task %v runs on two workers", x)
			}
		}
	}
	return nil
}
