#!/usr/bin/env bash
# The project's whole test suite: what the README's test command and CI run.
#   1. installs what is missing (scripts/install-deps.sh)
#   2. go vet, then unit and in-process tests (kfake), no network
#   3. end-to-end tests: the built binary against a real Apache Kafka 4.3.1 broker
#      (and the real Java Kafka Connect where a test compares answers)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
go vet ./...
go vet -tags e2e ./...
go test -count=1 -timeout 10m ./...
go test -count=1 -timeout 20m -tags e2e ./test/...
