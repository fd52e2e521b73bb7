#!/usr/bin/env bash
# kafka.sh — fetch and run the reference peers for goconnect's e2e tests:
# a single-node Apache Kafka 4.3.1 KRaft broker and the Java Kafka Connect 4.3.1 worker.
#
#   scripts/kafka.sh fetch
#   scripts/kafka.sh start DIR [PORT]                  # prints the bootstrap address
#   scripts/kafka.sh stop DIR
#   scripts/kafka.sh connect-standalone DIR WORKER_PROPS [CONNECTOR_FILES...]   # prints the REST URL
#   scripts/kafka.sh connect-distributed DIR WORKER_PROPS                       # prints the REST URL
#   scripts/kafka.sh connect-stop DIR
#   scripts/kafka.sh classpath                         # prints the java -cp value
#   scripts/kafka.sh plugins                           # prints the plugin dir (plugin.path)
#
# Environment:
#   GOCONNECT_KAFKA_CACHE     jar cache (default $REPO/.cache/kafka-4.3.1, git-ignored)
#   GOCONNECT_WATCH_PID       if set, a watchdog stops the started JVM when this PID exits
#                             (the Go harness sets it so a killed test binary leaves no broker behind)
#   GOCONNECT_BROKER_JVM_OPTS / GOCONNECT_CONNECT_JVM_OPTS  replace the default JVM flags
#
# Everything listens on 127.0.0.1 only. See docs/test-harness.md.
set -euo pipefail

KAFKA_VERSION=4.3.1
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
CACHE=${GOCONNECT_KAFKA_CACHE:-$REPO/.cache/kafka-$KAFKA_VERSION}
MARKER=$CACHE/.fetched-v1
POM=$SCRIPT_DIR/kafka/pom.xml

# Short-lived test JVMs: C1 only starts noticeably faster on 2 cores (never use for benchmarks).
BROKER_JVM_OPTS=${GOCONNECT_BROKER_JVM_OPTS:--Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:TieredStopAtLevel=1 -Djava.awt.headless=true}
CONNECT_JVM_OPTS=${GOCONNECT_CONNECT_JVM_OPTS:--Xms256m -Xmx1g -XX:+UseG1GC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true}

log() { echo "kafka.sh: $*" >&2; }
die() { log "$*"; exit 1; }

usage() {
	sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

now_ms() { date +%s%3N; }

free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
		return
	fi
	# Fallback: random high port that nobody answers on.
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

random_cluster_id() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import uuid,base64;print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))'
	else
		java -cp "$CACHE/libs/*" kafka.tools.StorageTool random-uuid
	fi
}

need_fetched() {
	[[ -f $MARKER ]] || die "jars not fetched: run '$0 fetch' first (cache: $CACHE)"
}

write_log4j2() {
	# Properties format: the stock log4j2.yaml would need jackson-dataformat-yaml.
	# KafkaRaftServer and the Connect REST server stay at INFO so the "started" lines are visible.
	cat >"$1" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
logger.raftserver.name = kafka.server.KafkaRaftServer
logger.raftserver.level = INFO
logger.connect.name = org.apache.kafka.connect
logger.connect.level = INFO
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
logger.reflections.name = org.reflections
logger.reflections.level = ERROR
EOF
}

cmd_fetch() {
	if [[ -f $MARKER ]]; then
		log "already fetched: $CACHE"
		return 0
	fi
	command -v mvn >/dev/null 2>&1 || die "mvn not found"
	local t0 tmp
	t0=$(now_ms)
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
	log "fetching Kafka $KAFKA_VERSION jars into $CACHE (maven)"
	mvn -B -q -f "$POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >&2
	# FileStream connectors are not on the worker classpath since Kafka 3.2: they get a plugin dir.
	mvn -B -q -f "$POM" dependency:copy -Dartifact="org.apache.kafka:connect-file:$KAFKA_VERSION" \
		-DoutputDirectory="$tmp/plugins/connect-file" >&2
	# VerifiableSource/Sink, Mock*, SchemaSource (org.apache.kafka.connect.tools) live in connect-test-plugins.
	mvn -B -q -f "$POM" dependency:copy -Dartifact="org.apache.kafka:connect-test-plugins:$KAFKA_VERSION" \
		-DoutputDirectory="$tmp/plugins/connect-test-plugins" >&2

	# Exactly one SLF4J binding, matching the slf4j-api that landed (Kafka 4.x is still on SLF4J 1.7).
	local api bindings
	api=$(cd "$tmp/libs" && ls slf4j-api-*.jar 2>/dev/null || true)
	bindings=$(cd "$tmp/libs" && ls | grep -E '^(log4j-slf4j2?-impl|slf4j-reload4j|slf4j-log4j12|logback-classic|slf4j-simple)-' || true)
	[[ $(wc -w <<<"$bindings") -eq 1 ]] || die "expected exactly one slf4j binding, got: ${bindings:-none}"
	case "$api" in
	slf4j-api-1.*) [[ $bindings == log4j-slf4j-impl-* ]] || die "slf4j 1.x api ($api) needs log4j-slf4j-impl, got $bindings" ;;
	slf4j-api-2.*) [[ $bindings == log4j-slf4j2-impl-* ]] || die "slf4j 2.x api ($api) needs log4j-slf4j2-impl, got $bindings" ;;
	*) die "unexpected slf4j api: ${api:-none}" ;;
	esac

	write_log4j2 "$tmp/log4j2.properties"
	rm -rf "$CACHE/libs" "$CACHE/plugins" "$CACHE/log4j2.properties"
	mv "$tmp/libs" "$tmp/plugins" "$tmp/log4j2.properties" "$CACHE/"
	rmdir "$tmp"
	echo "kafka=$KAFKA_VERSION slf4j=$api binding=$bindings fetched_ms=$(($(now_ms) - t0))" >"$MARKER"
	log "fetched in $(($(now_ms) - t0)) ms: $(du -sh "$CACHE/libs" | cut -f1) of libs"
}

# start_watchdog PID: stop PID when $GOCONNECT_WATCH_PID goes away.
start_watchdog() {
	local target=$1 watch=${GOCONNECT_WATCH_PID:-}
	[[ -n $watch ]] || return 0
	(
		trap '' HUP
		while kill -0 "$watch" 2>/dev/null && kill -0 "$target" 2>/dev/null; do sleep 1; done
		if kill -0 "$target" 2>/dev/null; then
			kill -TERM "$target" 2>/dev/null || true
			for _ in $(seq 20); do kill -0 "$target" 2>/dev/null || exit 0; sleep 1; done
			kill -KILL "$target" 2>/dev/null || true
		fi
	) </dev/null >/dev/null 2>&1 &
	disown || true
}

cmd_start() {
	[[ $# -ge 1 ]] || usage
	local dir=$1 port=${2:-} cport
	need_fetched
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [[ -f $dir/broker.pid ]] && kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null; then
		die "broker already running in $dir (pid $(cat "$dir/broker.pid"))"
	fi
	[[ -n $port ]] || port=$(free_port)
	cport=$(free_port)
	while [[ $cport == "$port" ]]; do cport=$(free_port); done
	local t0
	t0=$(now_ms)
	rm -rf "$dir/data" "$dir/logs"
	mkdir -p "$dir/data" "$dir/logs"
	cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
num.network.threads=2
num.io.threads=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# test: no 3 s wait before the first rebalance of an empty group
group.initial.rebalance.delay.ms=0
log.segment.bytes=1073741824
log.retention.hours=168
EOF
	write_log4j2 "$dir/log4j2.properties"
	local cid
	cid=$(random_cluster_id)
	# shellcheck disable=SC2086
	java $BROKER_JVM_OPTS -Dlog4j2.configurationFile="$dir/log4j2.properties" -cp "$CACHE/libs/*" \
		kafka.tools.StorageTool format --standalone -t "$cid" -c "$dir/server.properties" \
		>"$dir/logs/format.out" 2>&1 || { cat "$dir/logs/format.out" >&2; die "storage format failed"; }
	local t1
	t1=$(now_ms)
	# stdin/stdout/stderr detached so callers reading our stdout (the Go harness) see EOF when we exit.
	# shellcheck disable=SC2086
	nohup java $BROKER_JVM_OPTS -Dkafka.logs.dir="$dir/logs" -Dlog4j2.configurationFile="$dir/log4j2.properties" \
		-cp "$CACHE/libs/*" kafka.Kafka "$dir/server.properties" \
		</dev/null >"$dir/logs/broker.out" 2>&1 &
	local pid=$!
	echo "$pid" >"$dir/broker.pid"
	echo "127.0.0.1:$port" >"$dir/bootstrap"
	echo "$cid" >"$dir/cluster_id"
	start_watchdog "$pid"

	local deadline=$(($(now_ms) + 60000)) ready=""
	while [[ $(now_ms) -lt $deadline ]]; do
		kill -0 "$pid" 2>/dev/null || break
		if command -v kcat >/dev/null 2>&1; then
			if kcat -b "127.0.0.1:$port" -L -m 2 >/dev/null 2>&1; then ready=1; break; fi
		elif port_open "$port" && grep -q 'Kafka Server started' "$dir/logs/broker.out"; then
			ready=1
			break
		fi
		sleep 0.2
	done
	if [[ -z $ready ]]; then
		tail -n 40 "$dir/logs/broker.out" >&2 || true
		cmd_stop "$dir" || true
		die "broker did not come up within 60 s (log: $dir/logs/broker.out)"
	fi
	log "broker ready on 127.0.0.1:$port (pid $pid): format $((t1 - t0)) ms, start $(($(now_ms) - t1)) ms"
	echo "127.0.0.1:$port"
}

# stop_pidfile FILE: SIGTERM, wait up to 20 s, then SIGKILL.
stop_pidfile() {
	local f=$1 pid
	[[ -f $f ]] || return 0
	pid=$(cat "$f")
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
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

cmd_stop() {
	[[ $# -ge 1 ]] || usage
	stop_pidfile "$1/broker.pid"
}

# rest_url_from PROPS: the http URL of the first listener (default http://127.0.0.1:8083).
rest_url_from() {
	local l
	l=$(grep -E '^[[:space:]]*listeners[[:space:]]*=' "$1" | tail -n1 | cut -d= -f2- | cut -d, -f1 | tr -d '[:space:]' || true)
	[[ -n $l ]] || l=http://:8083
	l=${l/:\/\/:/:\/\/127.0.0.1:}
	l=${l/0.0.0.0/127.0.0.1}
	echo "$l"
}

start_connect() {
	local mode=$1 dir=$2 props=$3
	shift 3
	need_fetched
	[[ -f $props ]] || die "worker properties not found: $props"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [[ -f $dir/connect.pid ]] && kill -0 "$(cat "$dir/connect.pid")" 2>/dev/null; then
		die "connect already running in $dir (pid $(cat "$dir/connect.pid"))"
	fi
	local main=org.apache.kafka.connect.cli.ConnectDistributed
	[[ $mode == standalone ]] && main=org.apache.kafka.connect.cli.ConnectStandalone
	local url
	url=$(rest_url_from "$props")
	[[ -f $dir/log4j2.properties ]] || write_log4j2 "$dir/log4j2.properties"
	local t0
	t0=$(now_ms)
	# shellcheck disable=SC2086
	nohup java $CONNECT_JVM_OPTS -Dkafka.logs.dir="$dir" -Dlog4j2.configurationFile="$dir/log4j2.properties" \
		-cp "$CACHE/libs/*" "$main" "$props" "$@" \
		</dev/null >"$dir/connect.log" 2>&1 &
	local pid=$!
	echo "$pid" >"$dir/connect.pid"
	echo "$url" >"$dir/connect.url"
	start_watchdog "$pid"
	local deadline=$(($(now_ms) + 90000)) ready=""
	while [[ $(now_ms) -lt $deadline ]]; do
		kill -0 "$pid" 2>/dev/null || break
		# GET / answers as soon as Jetty is up; /health (KIP-1017) is 200 only once
		# the herder finished startup (for distributed: joined the group, read the config topic).
		if curl -fsS -m 2 "$url/" >/dev/null 2>&1 && curl -fsS -m 12 "$url/health" >/dev/null 2>&1; then
			ready=1
			break
		fi
		sleep 0.25
	done
	if [[ -z $ready ]]; then
		tail -n 60 "$dir/connect.log" >&2 || true
		stop_pidfile "$dir/connect.pid" || true
		die "connect ($mode) REST did not answer at $url/ within 90 s (log: $dir/connect.log)"
	fi
	log "connect $mode ready at $url (pid $pid) in $(($(now_ms) - t0)) ms"
	echo "$url"
}

cmd_connect_stop() {
	[[ $# -ge 1 ]] || usage
	stop_pidfile "$1/connect.pid"
}

main() {
	[[ $# -ge 1 ]] || usage
	local cmd=$1
	shift
	case "$cmd" in
	fetch) cmd_fetch "$@" ;;
	start) cmd_start "$@" ;;
	stop) cmd_stop "$@" ;;
	connect-standalone)
		[[ $# -ge 2 ]] || usage
		start_connect standalone "$@"
		;;
	connect-distributed)
		[[ $# -eq 2 ]] || usage
		start_connect distributed "$@"
		;;
	connect-stop) cmd_connect_stop "$@" ;;
	classpath) need_fetched && echo "$CACHE/libs/*" ;;
	plugins) need_fetched && echo "$CACHE/plugins" ;;
	-h | --help | help) usage ;;
	*) usage ;;
	esac
}

main "$@"
