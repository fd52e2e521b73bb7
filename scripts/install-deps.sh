#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine, idempotently:
# Go modules, a JDK and Maven (from Debian if missing), and the Apache Kafka 4.3.1
# jars from Maven Central (the real broker and the real Java Kafka Connect the
# end-to-end tests run against). Safe to run again: every step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: need root (or install by hand): $*" >&2
		exit 1
	fi
	if [ -z "${APT_UPDATED:-}" ]; then
		apt-get update -qq
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v go >/dev/null || { echo "install-deps: Go is required (https://go.dev/dl)" >&2; exit 1; }
command -v java >/dev/null || apt_install default-jdk-headless
command -v mvn >/dev/null || apt_install maven

go mod download
scripts/kafka.sh fetch
# PostgreSQL and MariaDB servers for the JDBC connectors' end-to-end tests.
scripts/databases.sh install
# A real single-node OpenSearch (Maven Central jars) for the Elasticsearch sink's tests.
scripts/search.sh fetch
