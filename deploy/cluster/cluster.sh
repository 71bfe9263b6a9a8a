#!/bin/sh
# shellcheck disable=SC2086,SC2012,SC2015  # word lists split on purpose
# Several paced instances on one machine, as they would run on several:
#
#   clients ──TCP──> HAProxy ──> paced #1 ─┬─ PgBouncer (session) ──> PostgreSQL
#                            └─> paced #2 ─┘        LISTEN/leader ──┘ (direct)
#
# Everything runs on loopback from Debian packages (postgresql, pgbouncer,
# haproxy); nothing is installed system-wide and no system service is
# touched. docs/SCALING.md explains the choices.
#
#   deploy/cluster/cluster.sh up DIR        start it all (state and logs in DIR)
#   deploy/cluster/cluster.sh down DIR      stop it all
#   deploy/cluster/cluster.sh kill DIR N    SIGKILL paced #N (lose an instance)
#   deploy/cluster/cluster.sh start DIR N   start paced #N again
#   deploy/cluster/cluster.sh status DIR    what runs
#
# Settings (environment), with their defaults:
#   PACED=<build>/server/paced   the paced binary (else `paced` on PATH)
#   PACED_PORTS="17421 17422"    one client port per instance (their count
#                                is the number of instances)
#   METRICS_PORTS="19421 19422"  one metrics port per instance
#   HAPROXY_PORT=17420           where clients connect
#   BOUNCER_PORT=16432  PG_PORT=15432
#   BIND=127.0.0.1               address of HAProxy's and paced's listeners
#   HAPROXY_MAXCONN=9000         needs twice as many open files
#   ORG="Pace Cluster"  ADMIN=admin  ADMIN_PASSWORD=pace-admin-cluster
#   PACED_EXTRA=""               more paced flags for every instance
#
# PostgreSQL and PgBouncer refuse to run as root: started by root, they run
# as the `postgres` user (then DIR's parents must be searchable by it).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

PACED_PORTS=${PACED_PORTS:-"17421 17422"}
METRICS_PORTS=${METRICS_PORTS:-"19421 19422"}
HAPROXY_PORT=${HAPROXY_PORT:-17420}
BOUNCER_PORT=${BOUNCER_PORT:-16432}
PG_PORT=${PG_PORT:-15432}
BIND=${BIND:-127.0.0.1}
HAPROXY_MAXCONN=${HAPROXY_MAXCONN:-9000}
ORG=${ORG:-"Pace Cluster"}
ADMIN=${ADMIN:-admin}
ADMIN_PASSWORD=${ADMIN_PASSWORD:-pace-admin-cluster}
PACED_EXTRA=${PACED_EXTRA:-}
PG_USER=postgres

if [ -z "${PACED:-}" ]; then
	if [ -x "$top/build/server/paced" ]; then
		PACED="$top/build/server/paced"
	else
		PACED=$(command -v paced || true)
	fi
fi
if [ -z "${PG_BINDIR:-}" ]; then
	PG_BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
fi

die() {
	echo "cluster.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '11,16p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# Run as the database user (postgres when we are root).
as_db() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$PG_USER" -- "$@"
	else
		"$@"
	fi
}

# fill TEMPLATE OUT VAR=VALUE...: replace @VAR@ by VALUE.
fill() {
	tpl=$1
	out=$2
	shift 2
	cp "$tpl" "$out.tmp"
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		# '|' cannot appear in a path or a port; escape & and \ for sed.
		v=$(printf '%s' "$v" | sed 's/[&\\]/\\&/g')
		sed -i "s|@$k@|$v|g" "$out.tmp"
	done
	mv "$out.tmp" "$out"
}

nth() { # nth N WORDS...: the Nth word
	n=$1
	shift
	eval "echo \${$n}"
}

count() { # count WORDS...
	echo $#
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds.
# (POSIX sh has no local variables: helpers use names of their own.)
wait_for() {
	wf_t=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		wf_t=$((wf_t - 1))
		[ $wf_t -gt 0 ] || return 1
		sleep 0.1
	done
}

alive() { # alive PIDFILE
	[ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

psql_db() {
	"$PG_BINDIR/psql" -X -q -A -t -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$@"
}

start_postgres() {
	mkdir -p "$DIR/pg"
	[ "$(id -u)" -eq 0 ] && chown "$PG_USER:" "$DIR/pg"
	if [ ! -f "$DIR/pg/data/PG_VERSION" ]; then
		as_db "$PG_BINDIR/initdb" -D "$DIR/pg/data" -U "$PG_USER" \
			--auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/pg/initdb.log" 2>&1 ||
			die "initdb failed: see $DIR/pg/initdb.log"
	fi
	as_db "$PG_BINDIR/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/postgres.log" -w \
		-t 60 -o "-p $PG_PORT -k $DIR/pg -c listen_addresses=127.0.0.1 \
-c max_connections=200" start >/dev/null ||
		die "PostgreSQL did not start: see $DIR/pg/postgres.log"
	if [ "$(psql_db -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = 'pace'")" = 0 ]; then
		psql_db -d postgres -c "CREATE DATABASE pace" >/dev/null
	fi
}

start_bouncer() {
	mkdir -p "$DIR/bouncer"
	printf '"%s" ""\n' "$PG_USER" >"$DIR/bouncer/userlist.txt"
	fill "$here/pgbouncer.ini.in" "$DIR/bouncer/pgbouncer.ini" DIR="$DIR" \
		PG_PORT="$PG_PORT" BOUNCER_PORT="$BOUNCER_PORT" PG_USER="$PG_USER"
	[ "$(id -u)" -eq 0 ] && chown -R "$PG_USER:" "$DIR/bouncer"
	as_db pgbouncer -d -q "$DIR/bouncer/pgbouncer.ini" ||
		die "PgBouncer did not start: see $DIR/bouncer/pgbouncer.log"
	wait_for 10 psql_db -p "$BOUNCER_PORT" -d pace -c "SELECT 1" ||
		die "PgBouncer does not answer: see $DIR/bouncer/pgbouncer.log"
}

# start_paced N: instance N in the background; wait for its ready line.
start_paced() {
	n=$1
	port=$(nth "$n" $PACED_PORTS)
	mport=$(nth "$n" $METRICS_PORTS)
	[ -n "$port" ] && [ -n "$mport" ] || die "no port for instance $n"
	alive "$DIR/paced$n.pid" && die "paced #$n already runs"
	fill "$here/paced.conf.in" "$DIR/paced$n.conf" NAME="$n" BIND="$BIND" \
		PORT="$port" METRICS_PORT="$mport" BOUNCER_PORT="$BOUNCER_PORT" \
		PG_PORT="$PG_PORT" PG_USER="$PG_USER"
	: >"$DIR/paced$n.log"
	# shellcheck disable=SC2086
	"$PACED" --config-file "$DIR/paced$n.conf" $PACED_EXTRA \
		</dev/null >>"$DIR/paced$n.log" 2>&1 &
	echo $! >"$DIR/paced$n.pid"
	wait_for 60 grep -q "ready port=" "$DIR/paced$n.log" || {
		tail -20 "$DIR/paced$n.log" >&2
		die "paced #$n did not become ready: see $DIR/paced$n.log"
	}
	echo "paced #$n: $BIND:$port (metrics 127.0.0.1:$mport, pid $(cat "$DIR/paced$n.pid"))"
}

start_haproxy() {
	servers=""
	i=1
	for port in $PACED_PORTS; do
		mport=$(nth $i $METRICS_PORTS)
		servers="$servers	server paced$i 127.0.0.1:$port check port $mport
"
		i=$((i + 1))
	done
	fill "$here/haproxy.cfg.in" "$DIR/haproxy.cfg" DIR="$DIR" BIND="$BIND" \
		HAPROXY_PORT="$HAPROXY_PORT" MAXCONN="$HAPROXY_MAXCONN"
	# The server lines hold newlines: append them rather than sed them in.
	grep -v '^@SERVERS@$' "$DIR/haproxy.cfg" >"$DIR/haproxy.cfg.tmp"
	printf '%s' "$servers" >>"$DIR/haproxy.cfg.tmp"
	mv "$DIR/haproxy.cfg.tmp" "$DIR/haproxy.cfg"
	haproxy -c -q -f "$DIR/haproxy.cfg" || die "bad $DIR/haproxy.cfg"
	haproxy -D -f "$DIR/haproxy.cfg" 2>"$DIR/haproxy.log" ||
		die "HAProxy did not start: see $DIR/haproxy.log"
	echo "haproxy: clients connect to $BIND:$HAPROXY_PORT"
}

stop_pidfile() { # stop_pidfile FILE NAME [SIGNAL]
	if alive "$1"; then
		pid=$(cat "$1")
		kill -"${3:-TERM}" "$pid" 2>/dev/null || true
		w=0
		while kill -0 "$pid" 2>/dev/null && [ $w -lt 300 ]; do
			sleep 0.1
			w=$((w + 1))
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
		echo "$2 stopped"
	fi
	rm -f "$1"
}

cmd=${1:-}
[ $# -ge 2 ] || usage
DIR=$(mkdir -p "$2" && cd "$2" && pwd)

case $cmd in
up)
	[ -x "$PACED" ] || die "paced not found (set PACED=/path/to/paced)"
	[ -n "$PG_BINDIR" ] || die "no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)"
	command -v pgbouncer >/dev/null || die "pgbouncer not found (apt-get install pgbouncer)"
	command -v haproxy >/dev/null || die "haproxy not found (apt-get install haproxy)"
	[ "$(count $PACED_PORTS)" = "$(count $METRICS_PORTS)" ] ||
		die "PACED_PORTS and METRICS_PORTS differ in length"
	start_postgres
	echo "postgresql: 127.0.0.1:$PG_PORT (data $DIR/pg/data)"
	start_bouncer
	echo "pgbouncer: 127.0.0.1:$BOUNCER_PORT (session pooling)"
	if [ ! -f "$DIR/initialised" ]; then
		# Through PgBouncer, as the instances: migrations take a session
		# advisory lock, which session pooling keeps.
		# shellcheck disable=SC2086
		printf '%s\n' "$ADMIN_PASSWORD" | "$PACED" init --org "$ORG" \
			--admin "$ADMIN" --password-stdin --config-file= $PACED_EXTRA \
			--db "host=127.0.0.1 port=$BOUNCER_PORT dbname=pace user=$PG_USER" \
			>"$DIR/init.log" 2>&1 || die "paced init failed: see $DIR/init.log"
		touch "$DIR/initialised"
	fi
	i=1
	for _ in $PACED_PORTS; do
		start_paced $i
		i=$((i + 1))
	done
	start_haproxy
	;;
down)
	stop_pidfile "$DIR/haproxy.pid" haproxy
	i=1
	for _ in $PACED_PORTS; do
		stop_pidfile "$DIR/paced$i.pid" "paced #$i"
		i=$((i + 1))
	done
	stop_pidfile "$DIR/bouncer/pgbouncer.pid" pgbouncer
	if [ -f "$DIR/pg/data/postmaster.pid" ]; then
		as_db "$PG_BINDIR/pg_ctl" -D "$DIR/pg/data" -m fast -w stop >/dev/null &&
			echo "postgresql stopped"
	fi
	;;
kill)
	[ $# -ge 3 ] || usage
	alive "$DIR/paced$3.pid" || die "paced #$3 is not running"
	kill -KILL "$(cat "$DIR/paced$3.pid")"
	rm -f "$DIR/paced$3.pid"
	echo "paced #$3 killed"
	;;
start)
	[ $# -ge 3 ] || usage
	start_paced "$3"
	;;
status)
	for f in "$DIR"/haproxy.pid "$DIR"/paced*.pid "$DIR"/bouncer/pgbouncer.pid \
		"$DIR"/pg/data/postmaster.pid; do
		[ -f "$f" ] || continue
		pid=$(head -1 "$f")
		if kill -0 "$pid" 2>/dev/null; then
			echo "$(basename "$f" .pid): running (pid $pid)"
		else
			echo "$(basename "$f" .pid): not running"
		fi
	done
	;;
*)
	usage
	;;
esac
