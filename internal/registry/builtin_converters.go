package registry

// builtinConverters lists the built-in converters and header converters.
func builtinConverters() []Plugin {
	return nil
}
