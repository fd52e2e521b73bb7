#!/usr/bin/env bash
# databases.sh — throw-away PostgreSQL and MariaDB servers for goconnect's JDBC tests.
#
#   scripts/databases.sh install                    # install missing servers from Debian (apt-get)
#   scripts/databases.sh start postgres DIR [PORT]  # prints the JDBC URL
#   scripts/databases.sh start mariadb DIR [PORT]   # prints the JDBC URL
#   scripts/databases.sh pid DIR                    # prints the server's PID (for kill -STOP tests)
#   scripts/databases.sh stop DIR
#
# Each server gets its own data directory under DIR, listens on 127.0.0.1 only (a free
# port unless PORT is given), and has a database "test": PostgreSQL with user postgres
# (trust auth), MariaDB with user root (no password). Durability is off (fsync) because
# the data is thrown away.
#
# Environment:
#   GOCONNECT_WATCH_PID   if set, a watchdog stops the server when this PID exits
#                         (the Go harness sets it so a killed test binary leaves no server behind)
set -euo pipefail

log() { echo "databases.sh: $*" >&2; }
die() { log "$*"; exit 1; }
usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

free_port() {
	python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
}

pg_bin() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[[ -x $d/initdb ]] && { echo "$d"; return 0; }
	done
	command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
	return 1
}

mariadbd_bin() {
	local b
	for b in /usr/sbin/mariadbd /usr/sbin/mysqld; do
		[[ -x $b ]] && { echo "$b"; return 0; }
	done
	command -v mariadbd 2>/dev/null || return 1
}

# as_user USER CMD...: run as USER when root (servers refuse to run as root).
as_user() {
	local user=$1; shift
	if [[ $(id -u) == 0 ]]; then
		runuser -u "$user" -- "$@"
	else
		"$@"
	fi
}

apt_updated=
apt_install() {
	[[ $(id -u) == 0 ]] || die "installing $* needs root (apt-get)"
	if [[ -z $apt_updated ]]; then
		apt-get update >&2
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2
}

cmd_install() {
	pg_bin >/dev/null || apt_install postgresql
	mariadbd_bin >/dev/null || apt_install mariadb-server
}

# start_watchdog PID: stop PID when $GOCONNECT_WATCH_PID goes away.
start_watchdog() {
	local target=$1 watch=${GOCONNECT_WATCH_PID:-}
	[[ -n $watch ]] || return 0
	(
		trap '' HUP
		while kill -0 "$watch" 2>/dev/null && kill -0 "$target" 2>/dev/null; do sleep 1; done
		if kill -0 "$target" 2>/dev/null; then
			kill -CONT "$target" 2>/dev/null || true # a test may have frozen it
			kill -TERM "$target" 2>/dev/null || true
			for _ in $(seq 20); do kill -0 "$target" 2>/dev/null || exit 0; sleep 1; done
			kill -KILL "$target" 2>/dev/null || true
		fi
	) </dev/null >/dev/null 2>&1 &
	disown || true
}

start_postgres() {
	local dir=$1 port=${2:-$(free_port)} bin
	bin=$(pg_bin) || { cmd_install; bin=$(pg_bin); } || die "no PostgreSQL server found"
	mkdir -p "$dir"
	chmod 755 "$dir"
	[[ $(id -u) == 0 ]] && chown postgres "$dir"
	as_user postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2; die "initdb failed"; }
	as_user postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >&2 || {
		cat "$dir/log" >&2; die "PostgreSQL did not start"; }
	as_user postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres test
	head -1 "$dir/data/postmaster.pid" >"$dir/pid"
	echo postgres >"$dir/kind"
	echo "$bin" >"$dir/bin"
	start_watchdog "$(cat "$dir/pid")"
	echo "jdbc:postgresql://127.0.0.1:$port/test?user=postgres"
}

start_mariadb() {
	local dir=$1 port=${2:-$(free_port)} bin userflag=()
	bin=$(mariadbd_bin) || { cmd_install; bin=$(mariadbd_bin); } || die "no MariaDB server found"
	mkdir -p "$dir"
	chmod 755 "$dir"
	if [[ $(id -u) == 0 ]]; then
		chown mysql "$dir"
		userflag=(--user=mysql)
	fi
	mariadb-install-db "${userflag[@]}" --datadir="$dir/data" --auth-root-authentication-method=normal \
		--skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; die "mariadb-install-db failed"; }
	setsid "$bin" --no-defaults "${userflag[@]}" --datadir="$dir/data" --socket="$dir/sock" --port="$port" \
		--bind-address=127.0.0.1 --pid-file="$dir/mariadb.pid" --log-error="$dir/err.log" --skip-log-bin \
		--innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=0 --max-connections=200 \
		</dev/null >/dev/null 2>&1 &
	local pid=$!
	echo "$pid" >"$dir/pid"
	echo mariadb >"$dir/kind"
	for _ in $(seq 600); do
		mariadb-admin --socket="$dir/sock" -uroot ping >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || { cat "$dir/err.log" >&2; die "MariaDB exited"; }
		sleep 0.1
	done
	mariadb --socket="$dir/sock" -uroot -e "CREATE DATABASE IF NOT EXISTS test; CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1'" \
		|| { cat "$dir/err.log" >&2; die "MariaDB did not become ready"; }
	start_watchdog "$pid"
	echo "jdbc:mariadb://127.0.0.1:$port/test?user=root"
}

cmd_stop() {
	local dir=$1 pid
	[[ -f $dir/pid ]] || return 0
	pid=$(cat "$dir/pid")
	kill -CONT "$pid" 2>/dev/null || true
	case $(cat "$dir/kind" 2>/dev/null) in
	postgres) as_user postgres "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true ;;
	*) kill -TERM "$pid" 2>/dev/null || true ;;
	esac
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$dir/pid"
}

case ${1:-} in
install) cmd_install ;;
start)
	[[ $# -ge 3 ]] || usage
	case $2 in
	postgres | postgresql) start_postgres "$3" "${4:-}" ;;
	mariadb | mysql) start_mariadb "$3" "${4:-}" ;;
	*) usage ;;
	esac
	;;
pid) [[ $# -ge 2 ]] || usage; cat "$2/pid" ;;
stop) [[ $# -ge 2 ]] || usage; cmd_stop "$2" ;;
*) usage ;;
esac
