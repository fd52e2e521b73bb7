// Package harness starts the real things goconnect's end-to-end tests run
// against: a single-node Apache Kafka 4.3.1 KRaft broker, the Java Kafka
// Connect 4.3.1 worker (the reference peer) and the goconnect binary itself.
//
// Everything is driven through scripts/kafka.sh, so a developer can run the
// exact same broker and worker by hand (see docs/test-harness.md). The broker
// is started at most once per test binary and shared by all tests; a test
// package should call harness.Main from TestMain so the broker is stopped at
// exit. Setting GOCONNECT_TEST_BOOTSTRAP points the harness at an already
// running broker instead.
//
// The package itself carries no build tag so `go vet ./...` covers it; the
// tests that need a JVM are behind the e2e build tag.
package harness
