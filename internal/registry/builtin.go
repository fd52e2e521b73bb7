package registry

import "slices"

// RecordBuiltins is the explicit table of the built-in converters,
// transformations and predicates: what a task's record path (internal/recordpath)
// can use. The connectors are in internal/builtin, so a plugin process that runs
// a record path links these without the worker's connectors.
func RecordBuiltins() []Plugin {
	return slices.Concat(builtinConverters(), builtinTransforms())
}
