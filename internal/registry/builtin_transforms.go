package registry

import (
	"github.com/goconnect/goconnect/api/connect"
	"github.com/goconnect/goconnect/plugins/predicate"
	"github.com/goconnect/goconnect/plugins/transform"
)

// builtinTransforms lists the built-in transformations (Java's
// org.apache.kafka.connect.transforms, with $Key/$Value variants where Java has
// them) and predicates.
func builtinTransforms() []Plugin {
	var ps []Plugin
	sided := func(class string, ctor func(transform.Side) connect.Transformation) {
		for _, side := range []transform.Side{transform.OnKey, transform.OnValue} {
			ps = append(ps, Plugin{Class: class + side.ClassSuffix(), Kind: Transformation, Version: transform.Version,
				NewTransformation: func() connect.Transformation { return ctor(side) }})
		}
	}
	single := func(class string, ctor func() connect.Transformation) {
		ps = append(ps, Plugin{Class: class, Kind: Transformation, Version: transform.Version, NewTransformation: ctor})
	}
	pred := func(class string, ctor func() connect.Predicate) {
		ps = append(ps, Plugin{Class: class, Kind: Predicate, Version: predicate.Version, NewPredicate: ctor})
	}
	sided(transform.CastClass, transform.NewCast)
	single(transform.DropHeadersClass, transform.NewDropHeaders)
	sided(transform.ExtractFieldClass, transform.NewExtractField)
	single(transform.FilterClass, transform.NewFilter)
	sided(transform.FlattenClass, transform.NewFlatten)
	sided(transform.HeaderFromClass, transform.NewHeaderFrom)
	sided(transform.HoistFieldClass, transform.NewHoistField)
	sided(transform.InsertFieldClass, transform.NewInsertField)
	single(transform.InsertHeaderClass, transform.NewInsertHeader)
	sided(transform.MaskFieldClass, transform.NewMaskField)
	single(transform.RegexRouterClass, transform.NewRegexRouter)
	sided(transform.ReplaceFieldClass, transform.NewReplaceField)
	sided(transform.SetSchemaMetadataClass, transform.NewSetSchemaMetadata)
	sided(transform.TimestampConverterClass, transform.NewTimestampConverter)
	single(transform.TimestampRouterClass, transform.NewTimestampRouter)
	single(transform.ValueToKeyClass, transform.NewValueToKey)
	pred(predicate.TopicNameMatchesClass, predicate.NewTopicNameMatches)
	pred(predicate.HasHeaderKeyClass, predicate.NewHasHeaderKey)
	pred(predicate.RecordIsTombstoneClass, predicate.NewRecordIsTombstone)
	return ps
}
