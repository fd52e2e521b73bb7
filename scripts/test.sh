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
# Every package with end-to-end tests (files tagged e2e), one package at a time:
# each test binary starts its own real broker (and Java Connect where it compares).
e2e_pkgs=$(grep -rl --include='*_test.go' '^//go:build e2e' . | xargs -n1 dirname | sort -u)
go test -count=1 -p 1 -timeout 25m -tags e2e $e2e_pkgs
