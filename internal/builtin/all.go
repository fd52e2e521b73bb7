package builtin

import (
	"slices"

	"github.com/goconnect/goconnect/internal/registry"
)

// All is the explicit table of every plugin compiled into goconnect. Each file
// of this package contributes the rows of one family of connectors.
func All() []registry.Plugin {
	return slices.Concat(builtinConnectors(), registry.RecordBuiltins(), builtinJDBC(), builtinElasticsearch())
}
