package registry

// builtinConnectors lists the built-in connectors.
func builtinConnectors() []Plugin {
	return nil
}
