package distributed

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/goconnect/goconnect/internal/herder"
)

// TestConcurrentCreationsShareARebalance: REST requests waiting while the loop is
// busy all run before the next rebalance (Java's tick), so ten concurrent
// creations cost a couple of rebalances, not one (plus one for task configs) each.
func TestConcurrentCreationsShareARebalance(t *testing.T) {
	c := newTestCluster(t)
	w := c.start(0)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	checkFor(t, 20*time.Second, func() error { return w.h.Health(ctx) })
	before := w.h.generation.Load()

	// Hold the loop, queue ten creations behind it, release.
	release := make(chan struct{})
	held := make(chan struct{})
	go func() {
		_ = do(ctx, w.h, func() error { close(held); <-release; return nil })
	}()
	<-held
	const n = 10
	errs := make(chan error, n)
	var names []string
	for i := range n {
		name := fmt.Sprintf("c%d", i)
		names = append(names, name)
		go func() {
			_, _, err := w.h.PutConnectorConfig(ctx, name, map[string]string{"connector.class": "Fake", "tasks.max": "1"}, false, "")
			errs <- err
		}()
	}
	time.Sleep(300 * time.Millisecond) // let the ten calls reach the loop's request channel
	close(release)
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var all []herder.TaskID
	for _, name := range names {
		all = append(all, tids(name, 1)...)
	}
	checkFor(t, 20*time.Second, func() error { return c.runningOnce(names, all) })
	if rounds := w.h.generation.Load() - before; rounds > 4 {
		t.Fatalf("%d rebalances for %d concurrent creations, want at most 4", rounds, n)
	}
}
