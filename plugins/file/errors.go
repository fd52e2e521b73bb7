package file

import "errors"

// Errors of AlterOffsets, with Java's messages.
var (
	ErrAlterStdin = errors.New("Offsets cannot be modified if the '" + FileConfig + "' configuration is unspecified. " +
		"This is because stdin is used for input and offsets are not tracked.")
	ErrOffsetNoPosition       = errors.New("Offset objects should either be null or contain the key '" + PositionField + "'")
	ErrOffsetPositionType     = errors.New("The value for the '" + PositionField + "' key in the offset is expected to be a Long value")
	ErrOffsetPositionNegative = errors.New("The value for the '" + PositionField + "' key in the offset should be a non-negative value")
	ErrPartitionNil           = errors.New("Partition objects cannot be null")
	ErrPartitionNoFilename    = errors.New("Partition objects should contain the key '" + FilenameField + "'")
	// ErrPositionType is returned by Poll when the committed offset's position is not
	// a long (Java: ConnectException "Offset position is the incorrect type").
	ErrPositionType = errors.New("Offset position is the incorrect type")
)
