package tolerance

// Stage is the step of the record pipeline that failed (Java's errors.Stage). Its
// String is the enum name Java writes into __connect.errors.stage and the log.
type Stage int

// Stages, as Java's.
const (
	StageKeyConverter Stage = iota + 1
	StageValueConverter
	StageHeaderConverter
	StageTransformation
	StageTaskPut
	StageTaskPoll
	StageKafkaProduce
	StageKafkaConsume
)

var stageNames = [...]string{"", "KEY_CONVERTER", "VALUE_CONVERTER", "HEADER_CONVERTER", "TRANSFORMATION",
	"TASK_PUT", "TASK_POLL", "KAFKA_PRODUCE", "KAFKA_CONSUME"}

func (s Stage) String() string {
	if s <= 0 || int(s) >= len(stageNames) {
		return "UNKNOWN"
	}
	return stageNames[s]
}

// tolerable reports whether any error of the stage may be tolerated (Java's
// TOLERABLE_EXCEPTIONS: converters and transformations); elsewhere only retriable
// errors are handled and anything else is "Unhandled exception in error handler".
func (s Stage) tolerable() bool {
	switch s {
	case StageKeyConverter, StageValueConverter, StageHeaderConverter, StageTransformation:
		return true
	}
	return false
}
