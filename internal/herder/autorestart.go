package herder

// This file holds the pure part of automatic restart (a goconnect extension; Java
// Kafka Connect has none): the policy read from errors.restart.* and the backoff
// schedule. Herders own the timers and do the restarts; they feed this code
// statuses and times and get delays back, so the schedule is tested without a
// running herder and is the same in standalone and distributed mode.

import (
	"fmt"
	"math"
	"time"

	"github.com/goconnect/goconnect/api/config"
)

// Automatic restart keys (goconnect extension). Each may be set in the worker
// config (the default for every connector) and in a connector config (an
// override for that connector). They are deliberately not part of the framework
// connector definition (ConnectorConfigDef), so /connector-plugins/{p}/config and
// .../config/validate answer exactly as Java's do; RestartValidate reports bad
// values per key instead.
const (
	RestartEnableConfig         = "errors.restart.enable"
	RestartBackoffInitialConfig = "errors.restart.backoff.initial.ms"
	RestartBackoffMaxConfig     = "errors.restart.backoff.max.ms"
)

// Defaults of the automatic restart keys.
const (
	DefaultRestartBackoffInitial = time.Second
	DefaultRestartBackoffMax     = 5 * time.Minute
)

// RestartJitter is the fraction of a delay that jitter may take off: a delay is
// uniformly spread over (1-RestartJitter, 1] times its base, so tasks of many
// connectors that failed together (a broker or database outage) do not all come
// back in the same instant, and no delay exceeds the configured maximum.
const RestartJitter = 0.2

// RestartConfigDef defines the automatic restart keys, with the same names, types
// and defaults at worker and connector level.
func RestartConfigDef() *config.Def {
	return config.NewDef().Define(
		config.Key{Name: RestartEnableConfig, Type: config.Boolean, Default: "false", Importance: config.Medium,
			Doc:   "goconnect extension: whether failed tasks and failed connector instances are restarted automatically, with exponential backoff. 'false' by default, which keeps Java's behaviour: a FAILED task stays FAILED until restarted through the REST API.",
			Group: "Error Handling", OrderInGroup: 9, Width: config.WidthShort, DisplayName: "Automatic Restart"},
		config.Key{Name: RestartBackoffInitialConfig, Type: config.Long, Default: "1000", Validator: config.AtLeast(1), Importance: config.Medium,
			Doc:   "goconnect extension: delay in milliseconds before the first automatic restart of a failed task or connector; each further consecutive failure doubles it, up to errors.restart.backoff.max.ms.",
			Group: "Error Handling", OrderInGroup: 10, Width: config.WidthMedium, DisplayName: "Initial Automatic Restart Backoff"},
		config.Key{Name: RestartBackoffMaxConfig, Type: config.Long, Default: "300000", Validator: config.AtLeast(1), Importance: config.Medium,
			Doc:   "goconnect extension: the longest delay in milliseconds between automatic restarts. A task or connector that has been RUNNING for this long counts as healthy again: its next failure is restarted after errors.restart.backoff.initial.ms.",
			Group: "Error Handling", OrderInGroup: 11, Width: config.WidthMedium, DisplayName: "Maximum Automatic Restart Backoff"},
	)
}

// RestartPolicy is the effective automatic restart configuration of a connector.
// The zero value is disabled.
type RestartPolicy struct {
	Enabled bool
	// InitialBackoff is the delay before the first restart after a failure.
	InitialBackoff time.Duration
	// MaxBackoff caps the doubled delay, and is how long a restarted task or
	// connector must stay RUNNING for its failure count to start over.
	MaxBackoff time.Duration
}

// restartProps overlays the restart keys of connector props on those of worker
// props: a connector value overrides the worker's.
func restartProps(connProps, workerProps map[string]string) map[string]string {
	out := map[string]string{}
	for _, k := range []string{RestartEnableConfig, RestartBackoffInitialConfig, RestartBackoffMaxConfig} {
		if v, ok := workerProps[k]; ok {
			out[k] = v
		}
		if v, ok := connProps[k]; ok {
			out[k] = v
		}
	}
	return out
}

// ParseRestartPolicy returns the policy of a connector from its (resolved) config
// and the worker config. The errors are per key, in definition order, with Java's
// ConfigException messages; on error the policy is disabled.
func ParseRestartPolicy(connProps, workerProps map[string]string) (RestartPolicy, []*config.Error) {
	def := RestartConfigDef()
	props := restartProps(connProps, workerProps)
	var errs []*config.Error
	for _, v := range def.Validate(props) {
		for _, m := range v.Errors {
			errs = append(errs, &config.Error{Name: v.Name, Message: m})
		}
	}
	if len(errs) > 0 {
		return RestartPolicy{}, errs
	}
	vals, err := def.Parse(props)
	if err != nil { // unreachable: Validate found nothing
		return RestartPolicy{}, []*config.Error{{Message: err.Error()}}
	}
	p := RestartPolicy{
		Enabled:        vals.Bool(RestartEnableConfig),
		InitialBackoff: time.Duration(vals.Long(RestartBackoffInitialConfig)) * time.Millisecond,
		MaxBackoff:     time.Duration(vals.Long(RestartBackoffMaxConfig)) * time.Millisecond,
	}
	if p.MaxBackoff < p.InitialBackoff {
		return RestartPolicy{}, []*config.Error{{Name: RestartBackoffMaxConfig, Message: fmt.Sprintf(
			"Invalid value %d for configuration %s: Value must be at least %s (%d)",
			vals.Long(RestartBackoffMaxConfig), RestartBackoffMaxConfig, RestartBackoffInitialConfig, vals.Long(RestartBackoffInitialConfig))}}
	}
	return p, nil
}

// RestartValidate adds the errors of the automatic restart keys of props (with
// the worker's defaults) to a validation result. A key with errors is listed as a
// value without definition, first, as Java lists undefined values; valid or
// absent keys add nothing, so the result stays Java's.
func RestartValidate(infos ConfigInfos, props, workerProps map[string]string) ConfigInfos {
	_, errs := ParseRestartPolicy(props, workerProps)
	if len(errs) == 0 {
		return infos
	}
	var add []ConfigInfo
	byName := map[string]*ConfigValueInfo{}
	for _, e := range errs {
		v := byName[e.Name]
		if v == nil {
			v = &ConfigValueInfo{Name: e.Name, RecommendedValues: []string{}, Errors: []string{}, Visible: true}
			if raw, ok := props[e.Name]; ok {
				v.Value = &raw
			}
			byName[e.Name] = v
			add = append(add, ConfigInfo{Value: v})
		}
		v.Errors = append(v.Errors, e.Message)
		infos.ErrorCount++
	}
	infos.Configs = append(add, infos.Configs...)
	return infos
}

// Delay is the base delay before restart number attempt+1 (attempt 0 is the first
// restart after a failure): InitialBackoff doubled attempt times, capped at
// MaxBackoff, with jitter u in [0, 1) taking off up to RestartJitter of it.
func (p RestartPolicy) Delay(attempt int, u float64) time.Duration {
	lim := max(p.MaxBackoff, p.InitialBackoff)
	base := lim
	// 2^attempt overflows quickly; past 62 doublings every sane cap is reached.
	if attempt < 62 {
		if f := float64(p.InitialBackoff) * math.Exp2(float64(attempt)); f < float64(lim) {
			base = time.Duration(f)
		}
	}
	u = min(max(u, 0), 1)
	return base - time.Duration(float64(base)*RestartJitter*u)
}

// RestartBackoff tracks consecutive failures of one task or connector instance.
// The herder that owns the entity owns its RestartBackoff; the zero value is a
// healthy entity.
type RestartBackoff struct {
	attempts     int
	runningSince time.Time // zero unless last seen RUNNING
}

// Attempts returns how many automatic restarts were scheduled since the entity
// was last healthy.
func (b *RestartBackoff) Attempts() int { return b.attempts }

// Running records that the entity was seen RUNNING at now. Only the first sighting
// of a run counts, so call it on every status change.
func (b *RestartBackoff) Running(now time.Time) {
	if b.runningSince.IsZero() {
		b.runningSince = now
	}
}

// NotRunning records that the entity was seen in a state other than RUNNING or
// FAILED (PAUSED, UNASSIGNED while restarting, ...): its run, if any, is over.
func (b *RestartBackoff) NotRunning() { b.runningSince = time.Time{} }

// Failed records a failure seen at now and returns the delay before the next
// restart. If the entity had been RUNNING for at least MaxBackoff, it counts as a
// new failure (the delay starts over at InitialBackoff); otherwise the delay
// doubles.
func (b *RestartBackoff) Failed(now time.Time, p RestartPolicy, u float64) time.Duration {
	if !b.runningSince.IsZero() && now.Sub(b.runningSince) >= max(p.MaxBackoff, p.InitialBackoff) {
		b.attempts = 0
	}
	b.runningSince = time.Time{}
	d := p.Delay(b.attempts, u)
	b.attempts++
	return d
}

// Clock is the time source of restart scheduling; herders take one so tests can
// move time by hand.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is the part of *time.Timer a herder uses.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer returns a time.Timer.
func (SystemClock) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time { return t.t.C }
func (t systemTimer) Stop() bool          { return t.t.Stop() }
