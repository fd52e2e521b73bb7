# The README's two commands are `make run` and `make test`; everything else is a helper.
.PHONY: run test unit build bench bench-rebalance

# run: the embedded default — in-process broker, standalone worker, example pipeline,
# REST on :8083. Data is kept in ./data.
run:
	go run ./cmd/goconnect dev

# test: every test, installing what is missing first (see scripts/test.sh).
test:
	scripts/test.sh

# unit: the fast tier only (no network, no Java).
unit:
	go test ./...

build:
	CGO_ENABLED=0 go build -o bin/goconnect ./cmd/goconnect

# bench: goconnect vs Java Kafka Connect 4.3.1 vs the raw limit on a real broker;
# writes bench/results.md (see docs/benchmarks.md). Flags: make bench BENCH_FLAGS="-records 200000 -runs 3"
bench:
	go run ./bench $(BENCH_FLAGS)

# bench-rebalance: join, kill -9 failover and rolling-restart times of a 3-worker
# distributed cluster with 10, 100 and 1,000 connectors; writes
# bench/rebalance/results.md (see docs/benchmarks.md).
# Flags: make bench-rebalance REBALANCE_FLAGS="-connectors 10,100 -runs 1"
bench-rebalance:
	go run ./bench/rebalance $(REBALANCE_FLAGS)
