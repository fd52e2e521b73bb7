package verifiable

import (
	"context"
	"math"
	"time"
)

// minSleep is ThroughputThrottler.MIN_SLEEP_NS: shorter sleeps are accumulated.
const minSleep = 2 * time.Millisecond

// throttler is Java's org.apache.kafka.server.util.ThroughputThrottler, with waits
// that end when ctx is done instead of on wakeup().
type throttler struct {
	startMs   int64
	target    float64
	sleepTime time.Duration
	deficit   time.Duration
	now       func() time.Time
	sleep     func(context.Context, time.Duration) error
}

// newThrottler throttles to target things per second from startMs; a negative
// target never throttles.
func newThrottler(target float64, startMs int64, now func() time.Time, sleep func(context.Context, time.Duration) error) *throttler {
	st := time.Duration(math.MaxInt64)
	if target > 0 {
		st = time.Duration(int64(1e9 / target))
	}
	return &throttler{startMs: startMs, target: target, sleepTime: st, now: now, sleep: sleep}
}

// shouldThrottle reports whether amountSoFar things sent by sendStart exceed the
// target rate. The float32 elapsed time is Java's.
func (t *throttler) shouldThrottle(amountSoFar int64, sendStart time.Time) bool {
	if t.target < 0 {
		return false
	}
	elapsedSec := float32(sendStart.UnixMilli()-t.startMs) / 1000
	return elapsedSec > 0 && float64(amountSoFar)/float64(elapsedSec) > t.target
}

// throttle sleeps, on average, 1/target seconds per call, in sleeps of at least
// minSleep. A zero target blocks until ctx is done. It returns ctx's error when the
// wait was cut short, keeping the part of the deficit not slept, as Java does on
// interruption.
func (t *throttler) throttle(ctx context.Context) error {
	if t.target == 0 {
		<-ctx.Done()
		return ctx.Err()
	}
	t.deficit += t.sleepTime
	if t.deficit < minSleep {
		return nil
	}
	start := t.now()
	if err := t.sleep(ctx, t.deficit); err != nil {
		if slept := t.now().Sub(start); slept <= t.deficit {
			t.deficit -= slept
		}
		return err
	}
	t.deficit = 0
	return nil
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
