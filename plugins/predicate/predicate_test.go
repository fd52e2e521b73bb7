package predicate

import (
	"testing"

	"github.com/goconnect/goconnect/api/connect"
)

func TestPredicates(t *testing.T) {
	tn := NewTopicNameMatches()
	if err := tn.Configure(map[string]string{"pattern": "ord.*s"}); err != nil {
		t.Fatal(err)
	}
	hh := NewHasHeaderKey()
	if err := hh.Configure(map[string]string{"name": "h"}); err != nil {
		t.Fatal(err)
	}
	tomb := NewRecordIsTombstone()
	for _, tc := range []struct {
		p    connect.Predicate
		r    *connect.Record
		want bool
	}{
		{tn, &connect.Record{Topic: "orders"}, true},
		{tn, &connect.Record{Topic: "orders2"}, false}, // full match, not find
		{tn, &connect.Record{}, false},
		{hh, &connect.Record{Headers: []connect.Header{{Key: "x"}, {Key: "h"}}}, true},
		{hh, &connect.Record{}, false},
		{tomb, &connect.Record{}, true},
		{tomb, &connect.Record{Value: "v"}, false},
	} {
		if got, err := tc.p.Test(tc.r); err != nil || got != tc.want {
			t.Errorf("%v.Test(%+v) = %v, %v; want %v", tc.p, tc.r, got, err, tc.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		p     connect.Predicate
		props map[string]string
		want  string
	}{
		{NewTopicNameMatches(), map[string]string{}, `Missing required configuration "pattern" which has no default value.`},
		{NewTopicNameMatches(), map[string]string{"pattern": ""}, "Invalid value  for configuration pattern: String must be non-empty"},
		{NewTopicNameMatches(), map[string]string{"pattern": "a(?=b)"}, "Invalid value a(?=b) for configuration pattern: Invalid regex: lookahead at index 1 in pattern a(?=b) is not supported (Go's RE2 engine has no equivalent)"},
		{NewHasHeaderKey(), map[string]string{"name": ""}, "Invalid value  for configuration name: String must be non-empty"},
	} {
		if err := tc.p.Configure(tc.props); err == nil || err.Error() != tc.want {
			t.Errorf("Configure(%v) = %v, want %q", tc.props, err, tc.want)
		}
	}
}
