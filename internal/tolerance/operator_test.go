package tolerance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/api/data"
)

type recorder struct{ got []*Failure }

func (r *recorder) Report(f *Failure, done func(error)) {
	r.got = append(r.got, f)
	done(nil)
}

// fakeClock advances when the operator sleeps, so retries take no real time.
func fakeOperator(cfg Config, reps ...Reporter) (*Operator, *[]time.Duration) {
	o := NewOperator(cfg, "c", 3, reps, nil)
	now := time.Unix(0, 0)
	var slept []time.Duration
	o.now = func() time.Time { return now }
	o.sleep = func(_ context.Context, d time.Duration) bool {
		slept = append(slept, d)
		now = now.Add(d)
		return true
	}
	return o, &slept
}

func TestExecuteToleranceAndReporting(t *testing.T) {
	bad := data.Errorf("boom")
	subj := Subject{Consumed: &Raw{Topic: "t", Partition: 1, Offset: 7}}
	for _, tc := range []struct {
		name     string
		cfg      Config
		stage    Stage
		wantKind error
	}{
		{"none fails", Config{}, StageValueConverter, ErrToleranceExceeded},
		{"all skips", Config{TolerateAll: true}, StageTransformation, nil},
		{"put is not tolerable", Config{TolerateAll: true}, StageTaskPut, ErrUnhandled},
	} {
		rec := &recorder{}
		o, _ := fakeOperator(tc.cfg, rec)
		ok, err := o.Execute(context.Background(), tc.stage, "x.Y", subj, func() error { return bad })
		if ok {
			t.Errorf("%s: ok", tc.name)
		}
		if !errors.Is(err, tc.wantKind) || (tc.wantKind == nil) != (err == nil) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantKind)
		}
		if len(rec.got) != 1 || rec.got[0].Stage != tc.stage || rec.got[0].Class != "x.Y" {
			t.Errorf("%s: reported %v", tc.name, rec.got)
		}
	}
}

func TestRetriableIsRetriedNeverReported(t *testing.T) {
	rec := &recorder{}
	o, slept := fakeOperator(Config{RetryTimeout: 2 * time.Second, RetryMaxDelay: time.Minute, TolerateAll: true}, rec)
	calls := 0
	ok, err := o.Execute(context.Background(), StageValueConverter, "x", Subject{}, func() error {
		calls++
		return connect.Retriable(errors.New("down"))
	})
	if ok || !errors.Is(err, ErrRetriesExhausted) {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	if len(rec.got) != 0 {
		t.Errorf("retriable error reported: %v", rec.got)
	}
	// 300, 600, then capped by the 2 s deadline (1100 left).
	if diff := cmp.Diff([]time.Duration{300 * time.Millisecond, 600 * time.Millisecond, 1100 * time.Millisecond}, *slept); diff != "" {
		t.Errorf("backoffs (-want +got):\n%s", diff)
	}
	if calls != 4 {
		t.Errorf("calls = %d", calls)
	}

	o, _ = fakeOperator(Config{RetryTimeout: time.Minute, RetryMaxDelay: time.Minute})
	n := 0
	ok, err = o.Execute(context.Background(), StageKeyConverter, "x", Subject{}, func() error {
		if n++; n < 3 {
			return connect.Retriable(errors.New("down"))
		}
		return nil
	})
	if !ok || err != nil {
		t.Errorf("recovered retry: ok=%v err=%v", ok, err)
	}
}

func TestPanicIsAToleratedFailure(t *testing.T) {
	o, _ := fakeOperator(Config{TolerateAll: true})
	ok, err := o.Execute(context.Background(), StageTransformation, "x", Subject{}, func() error { panic("nil map") })
	if ok || err != nil {
		t.Errorf("ok=%v err=%v", ok, err)
	}
}

func TestLogMessage(t *testing.T) {
	ts := time.UnixMilli(1700000000000)
	f := &Failure{Connector: "job", Task: 0, Stage: StageKeyConverter, Class: "org.apache.kafka.connect.json.JsonConverter",
		Subject: Subject{Consumed: &Raw{Topic: "test-topic", Partition: 5, Offset: 100, Timestamp: ts, TimestampType: connect.CreateTime}}}
	for include, want := range map[bool]string{
		false: "Error encountered in task job-0. Executing stage 'KEY_CONVERTER' with class 'org.apache.kafka.connect.json.JsonConverter'.",
		true:  "Error encountered in task job-0. Executing stage 'KEY_CONVERTER' with class 'org.apache.kafka.connect.json.JsonConverter', where consumed record is {topic='test-topic', partition=5, offset=100, timestamp=1700000000000, timestampType=CreateTime}.",
	} {
		if got := Message(f, include); got != want {
			t.Errorf("Message(%v) = %q\nwant %q", include, got, want)
		}
	}
}

func TestParseConfig(t *testing.T) {
	got, err := ParseConfig(map[string]string{"errors.retry.timeout": "-1", "errors.tolerance": "all",
		"errors.deadletterqueue.topic.name": "d", "errors.deadletterqueue.topic.replication.factor": "1",
		"errors.deadletterqueue.context.headers.enable": "true"})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{RetryTimeout: -1, RetryMaxDelay: time.Minute, TolerateAll: true, DLQTopic: "d", DLQReplicationFactor: 1, DLQContextHeaders: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := ParseConfig(map[string]string{"errors.tolerance": "some"}); err == nil {
		t.Error("errors.tolerance=some accepted")
	}
}
