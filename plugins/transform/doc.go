// Package transform holds goconnect's built-in single message transforms (SMTs):
// the transformations of Java's org.apache.kafka.connect.transforms package, with
// the same class names, config keys, defaults, documentation and error messages, so
// a connector configuration written for Java Kafka Connect runs unchanged.
//
// Field-level SMTs come in a key and a value variant (Java's Cast$Key and
// Cast$Value); the Side argument of each constructor picks one. Every SMT is written
// against api/... only, as a third-party plugin would be.
//
// Behaviour is pinned by golden files produced by the real Java 4.3.1 transforms
// (testdata/java/TransformGolden.java, regenerated with testdata/regen.sh); the Go
// tests replay the same corpus and compare.
package transform
