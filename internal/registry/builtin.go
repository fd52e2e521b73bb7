package registry

import "slices"

// Builtins is the explicit table of every plugin compiled into goconnect. Each
// builtin_*.go file contributes the rows of one family of plugins.
func Builtins() []Plugin {
	return slices.Concat(builtinConnectors(), builtinConverters(), builtinTransforms(), builtinJDBC(), builtinElasticsearch())
}
