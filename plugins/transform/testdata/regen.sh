#!/usr/bin/env bash
# regen.sh — regenerate golden.json from the real Java Kafka Connect 4.3.1 transforms
# and predicates. Needs java, javac and mvn (network on first run); the Go tests only
# read the committed cases.json and golden.json.
#
#   plugins/transform/testdata/regen.sh
#
# Jars are copied into $REPO/.cache/transformgolden (git-ignored). The JVM runs in UTC
# because Values.dateFormatFor (Cast to string) formats in the default time zone.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
CACHE=$REPO/.cache/transformgolden
mkdir -p "$CACHE/libs" "$CACHE/classes"
if [[ ! -f $CACHE/.fetched-v1 ]]; then
	mvn -q -f "$HERE/java/pom.xml" dependency:copy-dependencies -DoutputDirectory="$CACHE/libs"
	touch "$CACHE/.fetched-v1"
fi
CP="$CACHE/libs/*"
javac -d "$CACHE/classes" -cp "$CP" "$HERE/java/TransformGolden.java"
java -Duser.timezone=UTC -cp "$CACHE/classes:$CP" TransformGolden "$HERE/cases.json" "$HERE/golden.json"
echo "regen.sh: golden.json written" >&2
