package restgolden

import (
	"context"
	"testing"
	"time"
)

// Replay runs the scenario (DefaultScenario) against baseURL with fresh
// ${TMP}/${RUN} values and reports, as test errors, every HTTP step whose
// response differs from its golden in goldenDir after normalization. The
// worker at baseURL must be configured like the capture worker (see the
// package doc): standalone, JSON converters without schemas,
// offset.flush.interval.ms=1000 and only the FileStream connectors.
func Replay(t testing.TB, baseURL, goldenDir string) {
	t.Helper()
	steps, err := LoadScenario(DefaultScenario())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	outcomes, runErr := Run(ctx, baseURL, steps, NewVars(t.TempDir()))
	for _, o := range outcomes {
		want, err := LoadGolden(goldenDir, o.Index, o.Step)
		if err != nil {
			t.Errorf("%s: %v", GoldenName(o.Index, o.Step), err)
			continue
		}
		if diff := Compare(want, o.Result); diff != "" {
			t.Errorf("%s (%s) mismatch (-want +got):\n%s", GoldenName(o.Index, o.Step), o.Result.Request, diff)
		}
	}
	if runErr != nil {
		t.Fatalf("scenario stopped early: %v", runErr)
	}
}
