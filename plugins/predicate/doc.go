// Package predicate holds goconnect's built-in predicates, Java's
// org.apache.kafka.connect.transforms.predicates: TopicNameMatches, HasHeaderKey and
// RecordIsTombstone, with Java's class names, config keys and messages. A predicate
// decides whether a transformation stage applies to a record.
package predicate
