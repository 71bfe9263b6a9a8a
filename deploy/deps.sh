#!/bin/sh
# Debian packages Pace needs, and a function to install them. Sourced by
# deploy/quickstart.sh and deploy/test.sh; README.md says why each is there.

PACE_BUILD_DEPS="build-essential cmake pkg-config gettext locales \
libuv1-dev libpq-dev libprotobuf-c-dev protobuf-c-compiler libsodium-dev \
libssl-dev libsqlite3-dev libcjson-dev libcsv-dev libxlsxwriter-dev \
libsystemd-dev libgtk-4-dev"
PACE_RUN_DEPS="postgresql postgresql-contrib glib-networking fonts-wqy-microhei"
PACE_TEST_DEPS="libcmocka-dev python3 python3-pytest python3-protobuf \
protobuf-compiler clang libclang-rt-14-dev xvfb xauth dbus-x11 \
redis-server mosquitto pgbouncer haproxy dpkg-dev systemd"

# Run a command as root: directly when root, else through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# pace_install PACKAGES...: apt-get update once, then install what is missing.
pace_install() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "==> installing:$missing"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $missing
}

# Locales for the Chinese and English messages (gettext needs them).
pace_locales() {
	for l in zh_CN en_US; do
		locale -a 2>/dev/null | grep -qi "^$l\.utf-\?8$" ||
			as_root localedef -i "$l" -f UTF-8 "$l.UTF-8" || true
	done
}
