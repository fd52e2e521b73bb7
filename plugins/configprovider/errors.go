package configprovider

import "errors"

var (
	// errNotConfigured is Java's IllegalStateException for Get before Configure.
	errNotConfigured = errors.New("The provider has not been configured yet.")
	// errMalformedInput is Java's MalformedInputException for a file that is not
	// UTF-8.
	errMalformedInput = errors.New("input is not valid UTF-8")
	// errMalformedEscape is Java's IllegalArgumentException for a \u escape not
	// followed by four hex digits.
	errMalformedEscape = errors.New("Malformed \\uxxxx encoding.")
)
