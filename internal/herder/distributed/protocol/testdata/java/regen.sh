#!/usr/bin/env bash
# regen.sh rewrites ../golden/ from the real Apache Kafka Connect classes.
#
# It fetches org.apache.kafka:connect-runtime:$KAFKA_VERSION and its dependencies with Maven into
# the git-ignored .cache/protocolgolden/ at the repository root (once), compiles
# ProtocolGolden.java against them and runs it. The Go tests read only the committed goldens, so
# this runs only when a case is added or the Java reference version changes.
set -euo pipefail
KAFKA_VERSION="${KAFKA_VERSION:-4.3.1}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here" && git rev-parse --show-toplevel)"
cache="$root/.cache/protocolgolden"
mkdir -p "$cache"
if [ ! -f "$cache/lib/connect-runtime-$KAFKA_VERSION.jar" ]; then
  cat > "$cache/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>goconnect</groupId>
  <artifactId>protocolgolden</artifactId>
  <version>0</version>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>connect-runtime</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
  rm -rf "$cache/lib"
  (cd "$cache" && mvn -q -B dependency:copy-dependencies -DoutputDirectory=lib -DincludeScope=runtime)
fi
mkdir -p "$cache/classes"
javac -nowarn -d "$cache/classes" -cp "$cache/lib/*" "$here/ProtocolGolden.java"
rm -f "$here/../golden/"*
java -cp "$cache/classes:$cache/lib/*" ProtocolGolden "$here/../golden"
echo "wrote $(ls "$here/../golden" | wc -l) golden files to $here/../golden"
