#!/bin/sh
# Pace in one command: install what is needed, build, start paced on its own
# embedded PostgreSQL with a demo team, and show it from the pace CLI.
#
#   deploy/quickstart.sh          set up and start (the server keeps running)
#   deploy/quickstart.sh stop     stop the demo server (and its database)
#
# Works on a fresh Debian 12 as root or as a user with sudo.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/deploy/deps.sh"

if [ "$(id -u)" -eq 0 ]; then
	data=/var/lib/pace/demo
else
	data=${XDG_DATA_HOME:-$HOME/.local/share}/pace/demo
fi
build="$top/build"
port=${PACE_DEMO_PORT:-7420}
pidfile="$data/paced.pid"

if [ "${1:-}" = stop ]; then
	if [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; then
		echo "stopping paced (pid $(cat "$pidfile"))"
		while kill -0 "$(cat "$pidfile")" 2>/dev/null; do sleep 0.2; done
		rm -f "$pidfile"
	else
		echo "paced is not running"
	fi
	exit 0
fi

# shellcheck disable=SC2086
pace_install $PACE_BUILD_DEPS $PACE_RUN_DEPS
pace_locales

echo "==> building"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

paced="$build/server/paced"
pace="$build/client/cli/pace"
mkdir -p "$data"
export XDG_CONFIG_HOME="$data/client"

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
	echo "==> paced already running (pid $(cat "$pidfile"))"
else
	if [ ! -f "$data/initialised" ]; then
		echo "==> creating the demo organisation"
		echo "pace-admin-demo" | "$paced" init --org "Pace Demo" --admin admin \
			--password-stdin --data-dir "$data/db"
		touch "$data/initialised"
	fi
	echo "==> starting paced on 127.0.0.1:$port (log: $data/paced.log)"
	"$paced" --data-dir "$data/db" --listen "127.0.0.1:$port" \
		>"$data/paced.log" 2>&1 &
	echo $! >"$pidfile"
	i=0
	until grep -q "ready port=" "$data/paced.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
			echo "paced did not start; see $data/paced.log" >&2
			tail -20 "$data/paced.log" >&2
			exit 1
		fi
		sleep 0.1
	done
fi

if [ ! -f "$data/seeded" ]; then
	echo "==> seeding the demo team"
	pace_install python3 # deploy/demo/seed_sales.py (standard library only)
	PACE="$pace" PACE_SERVER="127.0.0.1:$port" sh "$top/deploy/demo/seed.sh"
	touch "$data/seeded"
fi

echo "==> logging in as 张三 (zhangsan)"
echo "pace-demo" | "$pace" --server "127.0.0.1:$port" login zhangsan --password-stdin
"$pace" whoami
echo
echo "==> 张三's month so far: pace kpi"
"$pace" kpi
echo
echo "==> his team's leaderboard: pace board"
"$pace" board
cat <<TXT

Pace is running on 127.0.0.1:$port with a demo organisation (this year's
plan of ¥20,000,000 spread over ten reps, last year's history, and sales up
to now). Use the client:

  export XDG_CONFIG_HOME=$data/client PATH=$build/client/cli:\$PATH
  pace kpi --period $(date +%YQ%q)          # the quarter so far
  pace target show                    # 张三's targets, month by month
  pace alerts                         # reminders and pace alerts
  pace login wangzong                 # the director (password: pace-demo), then:
  pace board --org                    #   the whole org's leaderboard
  pace watch --org                    #   a live dashboard (q to quit)
  $build/client/desk/pace-desk   # the desktop dashboard (needs a display)
  pace --help

Demo users (password pace-demo): director wangzong; managers zhaoli (北京一组),
sunqiang (上海一组); reps zhangsan 张三, lisi 李四, wangwu 王五 and seven more.
Admin: admin / pace-admin-demo.
Stop the server with: $top/deploy/quickstart.sh stop
TXT
