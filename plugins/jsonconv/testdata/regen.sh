#!/usr/bin/env bash
# regen.sh — regenerate the converter golden files from the real Java Kafka Connect
# 4.3.1 converters. Needs java, javac and mvn (network on first run); the Go tests only
# read the committed golden files.
#
#   plugins/jsonconv/testdata/regen.sh
#
# Jars are copied into $REPO/.cache/javagolden (git-ignored). The JVM runs in UTC
# because Java's Values formats and parses dates in the JVM's default time zone.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
CACHE=$REPO/.cache/javagolden
mkdir -p "$CACHE/libs" "$CACHE/classes"
if [[ ! -f $CACHE/.fetched-v1 ]]; then
	mvn -q -f "$HERE/java/pom.xml" dependency:copy-dependencies -DoutputDirectory="$CACHE/libs"
	touch "$CACHE/.fetched-v1"
fi
CP="$CACHE/libs/*"
javac -d "$CACHE/classes" -cp "$CP" "$HERE/java/GoldenGen.java"
run() { java -Duser.timezone=UTC -cp "$CACHE/classes:$CP" GoldenGen "$1" "$2"; }
run "$HERE/cases.json" "$HERE/golden.json"
run "$REPO/plugins/converters/testdata/cases.json" "$REPO/plugins/converters/testdata/golden.json"
echo "regen.sh: golden files written" >&2
