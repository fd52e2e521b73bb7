package javaregex

import (
	"strings"
	"testing"
)

func TestCompileRejectsWhatRE2Lacks(t *testing.T) {
	for _, p := range []string{`a(?=b)`, `a(?!b)`, `(?<=a)b`, `(?<!a)b`, `(a)\1`, `a*+`, `a++`, `a{2}+`, `(?>a)`, `[a-z&&[^b]]`, `[a[bc]]`, `(?x)a b`, `\p{javaLowerCase}`} {
		if _, err := Compile(p); err == nil || !strings.Contains(err.Error(), "not supported") {
			t.Errorf("Compile(%q) = %v, want a 'not supported' error", p, err)
		}
	}
	for _, p := range []string{`a\++`, `\p{Alpha}+`, `\u0041`, `\0101`, `(?<n>x)`, `[\p{Digit}_]`, `a?b*?`, `\Qa+b\E`} {
		if _, err := Compile(p); err != nil {
			t.Errorf("Compile(%q): %v", p, err)
		}
	}
}

func TestMatchesAndReplaceFirst(t *testing.T) {
	for _, tc := range []struct{ pattern, in, repl, want string }{
		{`(.*)-(.*)`, "a-b", "$2_$1", "b_a"},
		{`(?<pre>[a-z]+)\.(?<rest>.*)`, "ab.cd", "${rest}-${pre}", "cd-ab"},
		{`a|ab`, "ab", "X", "Xb"}, // matches() takes "ab", replaceFirst's find() takes "a"
		{`t(\d+)`, "t12", `\$$1`, "$12"},
		{`\p{Alpha}+\u005F\0061`, "abc_1", "ok", "ok"},
	} {
		r, err := Compile(tc.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Matches(tc.in) {
			t.Fatalf("%s does not match %s", tc.pattern, tc.in)
		}
		got, err := r.ReplaceFirst(tc.in, tc.repl)
		if err != nil || got != tc.want {
			t.Errorf("ReplaceFirst(%q, %q) = %q, %v; want %q", tc.in, tc.repl, got, err, tc.want)
		}
	}
	r, _ := Compile(`(a)`)
	for repl, want := range map[string]string{"$2": "No group 2", "$": "Illegal group reference: group index is missing", `x\`: "character to be escaped is missing", "${nope}": "No group with name {nope}", "$x": "Illegal group reference"} {
		if _, err := r.ReplaceFirst("a", repl); err == nil || err.Error() != want {
			t.Errorf("ReplaceFirst(%q) error = %v, want %q", repl, err, want)
		}
	}
	if r.Matches("ab") {
		t.Error("Matches must require the whole input")
	}
}
