package herder

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goconnect/goconnect/internal/workerconfig"
)

func TestRestartPolicyDelay(t *testing.T) {
	p := RestartPolicy{Enabled: true, InitialBackoff: time.Second, MaxBackoff: 10 * time.Second}
	for _, tc := range []struct {
		attempt int
		u       float64
		want    time.Duration
	}{
		{0, 0, time.Second},
		{1, 0, 2 * time.Second},
		{2, 0, 4 * time.Second},
		{3, 0, 8 * time.Second},
		{4, 0, 10 * time.Second},   // capped
		{100, 0, 10 * time.Second}, // no overflow
		{0, 0.5, 900 * time.Millisecond},
		{4, 0.999999, 8*time.Second + 2*time.Microsecond}, // at most RestartJitter off
		{2, -1, 4 * time.Second},                          // u clamped
		{2, 2, 3200 * time.Millisecond},
	} {
		if got := p.Delay(tc.attempt, tc.u); got != tc.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", tc.attempt, tc.u, got, tc.want)
		}
	}
	// A max below the initial backoff (only reachable by building the policy
	// by hand) never shortens the first delay.
	if got := (RestartPolicy{InitialBackoff: 5 * time.Second, MaxBackoff: time.Second}).Delay(3, 0); got != 5*time.Second {
		t.Errorf("max < initial: Delay = %v", got)
	}
}

func TestRestartBackoff(t *testing.T) {
	p := RestartPolicy{Enabled: true, InitialBackoff: time.Second, MaxBackoff: 8 * time.Second}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var b RestartBackoff
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	// Fails at once, again and again: 1s, 2s, 4s, 8s, 8s.
	var got []time.Duration
	for i := range 5 {
		got = append(got, b.Failed(at(time.Duration(i)*time.Minute), p, 0))
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}, got); diff != "" {
		t.Errorf("delays (-want +got):\n%s", diff)
	}
	if b.Attempts() != 5 {
		t.Errorf("attempts = %d", b.Attempts())
	}

	// RUNNING for less than MaxBackoff: still a crash loop, the delay stays capped.
	b.Running(at(10 * time.Minute))
	b.Running(at(10*time.Minute + 5*time.Second)) // later sightings do not move the start
	if d := b.Failed(at(10*time.Minute+7*time.Second), p, 0); d != 8*time.Second {
		t.Errorf("short run: delay %v", d)
	}

	// RUNNING, then PAUSED (run over), then RUNNING again briefly: not stable.
	b.Running(at(20 * time.Minute))
	b.NotRunning()
	b.Running(at(30 * time.Minute))
	if d := b.Failed(at(30*time.Minute+time.Second), p, 0); d != 8*time.Second {
		t.Errorf("interrupted run: delay %v", d)
	}

	// RUNNING for MaxBackoff: healthy again, the next failure starts over.
	b.Running(at(40 * time.Minute))
	if d := b.Failed(at(40*time.Minute+8*time.Second), p, 0); d != time.Second {
		t.Errorf("stable run: delay %v", d)
	}
	if b.Attempts() != 1 {
		t.Errorf("attempts after reset = %d", b.Attempts())
	}
}

func TestParseRestartPolicy(t *testing.T) {
	for _, tc := range []struct {
		name         string
		conn, worker map[string]string
		want         RestartPolicy
		wantErrs     []string
	}{
		{name: "defaults: off",
			want: RestartPolicy{InitialBackoff: DefaultRestartBackoffInitial, MaxBackoff: DefaultRestartBackoffMax}},
		{name: "connector on",
			conn: map[string]string{RestartEnableConfig: "true", RestartBackoffInitialConfig: "200", RestartBackoffMaxConfig: "1000"},
			want: RestartPolicy{Enabled: true, InitialBackoff: 200 * time.Millisecond, MaxBackoff: time.Second}},
		{name: "worker default, connector override per key",
			worker: map[string]string{RestartEnableConfig: "true", RestartBackoffInitialConfig: "500", RestartBackoffMaxConfig: "60000"},
			conn:   map[string]string{RestartBackoffMaxConfig: "2000"},
			want:   RestartPolicy{Enabled: true, InitialBackoff: 500 * time.Millisecond, MaxBackoff: 2 * time.Second}},
		{name: "connector opts out of a worker default",
			worker: map[string]string{RestartEnableConfig: "true"},
			conn:   map[string]string{RestartEnableConfig: "false"},
			want:   RestartPolicy{InitialBackoff: DefaultRestartBackoffInitial, MaxBackoff: DefaultRestartBackoffMax}},
		{name: "bad values, every one reported",
			conn: map[string]string{RestartEnableConfig: "yes", RestartBackoffInitialConfig: "abc", RestartBackoffMaxConfig: "0"},
			wantErrs: []string{
				"errors.restart.enable: Invalid value yes for configuration errors.restart.enable: Expected value to be either true or false",
				"errors.restart.backoff.initial.ms: Invalid value abc for configuration errors.restart.backoff.initial.ms: Not a number of type LONG",
				"errors.restart.backoff.max.ms: Invalid value 0 for configuration errors.restart.backoff.max.ms: Value must be at least 1",
			}},
		{name: "max below initial",
			conn: map[string]string{RestartBackoffInitialConfig: "5000", RestartBackoffMaxConfig: "1000"},
			wantErrs: []string{
				"errors.restart.backoff.max.ms: Invalid value 1000 for configuration errors.restart.backoff.max.ms: Value must be at least errors.restart.backoff.initial.ms (5000)",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := ParseRestartPolicy(tc.conn, tc.worker)
			var gotErrs []string
			for _, e := range errs {
				gotErrs = append(gotErrs, e.Name+": "+e.Message)
			}
			if diff := cmp.Diff(tc.wantErrs, gotErrs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("policy (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRestartValidate(t *testing.T) {
	base := ConfigInfos{Name: "c", Groups: []string{"Common"}, Configs: []ConfigInfo{{Value: &ConfigValueInfo{Name: "name"}}}}

	// Valid or absent keys leave Java's answer untouched.
	got := RestartValidate(base, map[string]string{RestartEnableConfig: "true"}, nil)
	if diff := cmp.Diff(base, got); diff != "" {
		t.Errorf("valid config changed the result (-want +got):\n%s", diff)
	}

	bad := "x"
	got = RestartValidate(base, map[string]string{RestartBackoffInitialConfig: bad}, nil)
	want := ConfigInfos{Name: "c", ErrorCount: 1, Groups: []string{"Common"}, Configs: []ConfigInfo{
		{Value: &ConfigValueInfo{Name: RestartBackoffInitialConfig, Value: &bad, RecommendedValues: []string{}, Visible: true,
			Errors: []string{"Invalid value x for configuration errors.restart.backoff.initial.ms: Not a number of type LONG"}}},
		{Value: &ConfigValueInfo{Name: "name"}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("invalid config (-want +got):\n%s", diff)
	}
	if err := ValidationError(got); err == nil || !strings.Contains(err.Error(), "Not a number of type LONG") {
		t.Errorf("ValidationError = %v", err)
	}
}

func TestRestartConfigDefMatchesDefaults(t *testing.T) {
	for _, k := range RestartConfigDef().Keys() {
		if k.Group != "Error Handling" {
			t.Errorf("%s: group %q", k.Name, k.Group)
		}
	}
	v, err := RestartConfigDef().Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(v.Long(RestartBackoffInitialConfig)) * time.Millisecond; got != DefaultRestartBackoffInitial {
		t.Errorf("initial default %v", got)
	}
	if got := time.Duration(v.Long(RestartBackoffMaxConfig)) * time.Millisecond; got != DefaultRestartBackoffMax {
		t.Errorf("max default %v", got)
	}
}

// The worker-level defaults are the same keys, with the same types, defaults and
// validators, in both worker modes.
func TestRestartKeysInWorkerConfig(t *testing.T) {
	for _, mode := range []workerconfig.Mode{workerconfig.Standalone, workerconfig.Distributed} {
		wd := workerconfig.Def(mode)
		for _, k := range RestartConfigDef().Keys() {
			wk, ok := wd.Key(k.Name)
			if !ok {
				t.Errorf("%v worker config lacks %s", mode, k.Name)
				continue
			}
			if wk.Type != k.Type || wk.Default != k.Default || (wk.Validator == nil) != (k.Validator == nil) {
				t.Errorf("%v worker key %s: %v %v, connector key: %v %v", mode, k.Name, wk.Type, wk.Default, k.Type, k.Default)
			}
		}
	}
}
