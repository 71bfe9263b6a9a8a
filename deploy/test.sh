#!/bin/sh
# The whole Pace test suite in one command: install what is needed, build
# twice and run everything under ctest.
#   1. gcc, warnings as errors (catches what clang does not);
#   2. clang with AddressSanitizer + UndefinedBehaviorSanitizer and the
#      libFuzzer harnesses: the whole suite (unit, integration against a
#      throwaway PostgreSQL and the real binaries, fuzz smoke runs, bench
#      smoke) runs on this build, so a leak or UB anywhere fails it.
# Works on a fresh Debian 12 as root (as CI runs it) or with sudo.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/deploy/deps.sh"

# shellcheck disable=SC2086
pace_install $PACE_BUILD_DEPS $PACE_RUN_DEPS $PACE_TEST_DEPS
pace_locales

jobs=$(nproc)
start=$(date +%s)
echo "==> gcc build, optimised (-O2 -Wall -Wextra -Werror: catches what clang and -O0 do not)"
cmake -S "$top" -B "$top/build-ci" -DCMAKE_BUILD_TYPE=Release -DWERROR=ON \
	-DBUILD_TESTS=ON >/dev/null
cmake --build "$top/build-ci" -j"$jobs"

echo "==> clang build with ASan + UBSan"
CC=clang cmake -S "$top" -B "$top/build-asan" -DCMAKE_BUILD_TYPE=Debug \
	-DWERROR=ON -DSANITIZE=address,undefined -DBUILD_FUZZERS=ON \
	-DBUILD_TESTS=ON >/dev/null
cmake --build "$top/build-asan" -j"$jobs"

echo "==> running the suite (ASan + UBSan)"
cd "$top/build-asan"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
rc=0
ctest --output-on-failure -j"$jobs" --timeout 600 || rc=$?
echo "==> suite finished in $(( $(date +%s) - start )) s (exit $rc)"
exit $rc
