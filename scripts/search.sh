#!/usr/bin/env bash
# search.sh — a real single-node OpenSearch server for goconnect's Elasticsearch sink tests.
#
#   scripts/search.sh fetch               # jars into the cache (Maven) + compile the launcher (javac)
#   scripts/search.sh start DIR [PORT]    # prints the base URL (http://127.0.0.1:PORT)
#   scripts/search.sh pid DIR             # prints the server's PID (for kill -STOP / -CONT tests)
#   scripts/search.sh stop DIR
#
# No search server is packaged in Debian, npm or PyPI, and the OpenSearch distribution
# archive is not on Maven Central. Its server jar (org.opensearch:opensearch) and the HTTP
# transport module (org.opensearch.plugin:transport-netty4-client) are: search/Launcher.java
# subclasses org.opensearch.node.Node to pass Netty4Plugin as a classpath plugin and starts
# a single node (discovery.type=single-node) on 127.0.0.1. See docs/connectors/elasticsearch.md.
#
# Environment:
#   GOCONNECT_SEARCH_CACHE     jar cache (default $REPO/.cache/opensearch-2.19.2, git-ignored)
#   GOCONNECT_WATCH_PID        if set, a watchdog stops the started JVM when this PID exits
#                              (the Go harness sets it so a killed test binary leaves no server behind)
#   GOCONNECT_SEARCH_JVM_OPTS  replaces the default JVM flags
set -euo pipefail

OPENSEARCH_VERSION=2.19.2
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
CACHE=${GOCONNECT_SEARCH_CACHE:-$REPO/.cache/opensearch-$OPENSEARCH_VERSION}
MARKER=$CACHE/.fetched-v1
POM=$SCRIPT_DIR/search/pom.xml
LAUNCHER=$SCRIPT_DIR/search/Launcher.java

# Short-lived test JVM: C1 only starts faster on 2 cores (never use for benchmarks).
JVM_OPTS=${GOCONNECT_SEARCH_JVM_OPTS:--Xms512m -Xmx512m -XX:+UseG1GC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true}

log() { echo "search.sh: $*" >&2; }
die() { log "$*"; exit 1; }
usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
now_ms() { date +%s%3N; }

free_port() {
	python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
}

need_fetched() {
	[[ -f $MARKER ]] || die "jars not fetched: run '$0 fetch' first (cache: $CACHE)"
	# The launcher is compiled again when its source changed since the fetch.
	[[ $CACHE/classes/Launcher.class -nt $LAUNCHER ]] || compile_launcher
}

compile_launcher() {
	command -v javac >/dev/null 2>&1 || die "javac not found (a JDK 11+ is needed; OpenSearch 2.x runs on 11-21)"
	rm -rf "$CACHE/classes.tmp"
	mkdir -p "$CACHE/classes.tmp"
	javac -nowarn -d "$CACHE/classes.tmp" -cp "$CACHE/libs/*" "$LAUNCHER" >&2
	rm -rf "$CACHE/classes"
	mv "$CACHE/classes.tmp" "$CACHE/classes"
}

write_log4j2() {
	cat >"$1" <<'EOL'
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.deprecation.name = org.opensearch.deprecation
logger.deprecation.level = ERROR
EOL
}

cmd_fetch() {
	if [[ -f $MARKER ]]; then
		log "already fetched: $CACHE"
		need_fetched
		return 0
	fi
	command -v mvn >/dev/null 2>&1 || die "mvn not found"
	local t0 tmp
	t0=$(now_ms)
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
	log "fetching OpenSearch $OPENSEARCH_VERSION jars into $CACHE (maven)"
	mvn -B -q -f "$POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >&2
	rm -rf "$CACHE/libs"
	mv "$tmp/libs" "$CACHE/"
	rmdir "$tmp"
	compile_launcher
	echo "opensearch=$OPENSEARCH_VERSION fetched_ms=$(($(now_ms) - t0))" >"$MARKER"
	log "fetched and compiled in $(($(now_ms) - t0)) ms: $(du -sh "$CACHE/libs" | cut -f1) of libs"
}

# start_watchdog PID: stop PID when $GOCONNECT_WATCH_PID goes away.
start_watchdog() {
	local target=$1 watch=${GOCONNECT_WATCH_PID:-}
	[[ -n $watch ]] || return 0
	(
		trap '' HUP
		while kill -0 "$watch" 2>/dev/null && kill -0 "$target" 2>/dev/null; do sleep 1; done
		if kill -0 "$target" 2>/dev/null; then
			kill -CONT "$target" 2>/dev/null || true # a test may have left it SIGSTOPped
			kill -TERM "$target" 2>/dev/null || true
			for _ in $(seq 20); do kill -0 "$target" 2>/dev/null || exit 0; sleep 1; done
			kill -KILL "$target" 2>/dev/null || true
		fi
	) </dev/null >/dev/null 2>&1 &
	disown || true
}

cmd_start() {
	[[ $# -ge 1 ]] || usage
	local dir=$1 port=${2:-} tport
	need_fetched
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [[ -f $dir/pid ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
		die "server already running in $dir (pid $(cat "$dir/pid"))"
	fi
	[[ -n $port ]] || port=$(free_port)
	tport=$(free_port)
	while [[ $tport == "$port" ]]; do tport=$(free_port); done
	mkdir -p "$dir/home" "$dir/logs"
	write_log4j2 "$dir/log4j2.properties"
	local t0
	t0=$(now_ms)
	# stdin/stdout/stderr detached so callers reading our stdout (the Go harness) see EOF when we exit.
	# shellcheck disable=SC2086
	nohup java $JVM_OPTS -Dlog4j2.configurationFile="$dir/log4j2.properties" \
		-cp "$CACHE/libs/*:$CACHE/classes" Launcher "$dir/home" "$port" "$tport" \
		</dev/null >"$dir/logs/server.out" 2>&1 &
	local pid=$!
	echo "$pid" >"$dir/pid"
	echo "http://127.0.0.1:$port" >"$dir/url"
	start_watchdog "$pid"

	local deadline=$(($(now_ms) + 90000)) ready=""
	while [[ $(now_ms) -lt $deadline ]]; do
		kill -0 "$pid" 2>/dev/null || break
		# Ready once the cluster has elected itself and can take writes (yellow or green).
		if curl -fsS -m 2 "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
			ready=1
			break
		fi
		sleep 0.25
	done
	if [[ -z $ready ]]; then
		tail -n 60 "$dir/logs/server.out" >&2 || true
		cmd_stop "$dir" || true
		die "opensearch did not come up within 90 s (log: $dir/logs/server.out)"
	fi
	log "opensearch $OPENSEARCH_VERSION ready on 127.0.0.1:$port (pid $pid) in $(($(now_ms) - t0)) ms"
	echo "http://127.0.0.1:$port"
}

cmd_pid() {
	[[ $# -ge 1 ]] || usage
	[[ -f $1/pid ]] || die "no server in $1"
	cat "$1/pid"
}

cmd_stop() {
	[[ $# -ge 1 ]] || usage
	local f=$1/pid pid
	[[ -f $f ]] || return 0
	pid=$(cat "$f")
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill -CONT "$pid" 2>/dev/null || true
		kill -TERM "$pid" 2>/dev/null || true
		local deadline=$(($(now_ms) + 20000))
		while kill -0 "$pid" 2>/dev/null && [[ $(now_ms) -lt $deadline ]]; do sleep 0.2; done
		if kill -0 "$pid" 2>/dev/null; then
			log "pid $pid ignored SIGTERM for 20 s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$f"
}

main() {
	[[ $# -ge 1 ]] || usage
	local cmd=$1
	shift
	case "$cmd" in
	fetch) cmd_fetch "$@" ;;
	start) cmd_start "$@" ;;
	pid) cmd_pid "$@" ;;
	stop) cmd_stop "$@" ;;
	-h | --help | help) usage ;;
	*) usage ;;
	esac
}

main "$@"
