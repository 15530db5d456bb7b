#!/usr/bin/env bash
# The README's demo command, end to end, twice: the first run writes every
# snapshot of the demo fleet, the second finds everything unchanged.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$(mktemp -d /tmp/rhizome-demo.XXXXXX)
trap 'rm -rf "$D"' EXIT

check() { # NAME COMMAND...
	local name=$1
	shift
	if "$@" >"$D/check.log" 2>&1; then
		echo "PASS ${PREFIX:-}$name"
	else
		echo "FAIL ${PREFIX:-}$name"
		sed 's/^/    /' "$D/check.log"
	fi
}

run_demo() { # LOGFILE
	DEMO_DIR=$D/demo "$ROOT/scripts/demo.sh" >"$1" 2>&1
}

first_run() {
	run_demo "$D/first.log" || { cat "$D/first.log"; return 1; }
	grep -q '"new_count": 49' "$D/first.log" || { cat "$D/first.log"; return 1; }
	grep -q '"missing_count": 1' "$D/first.log" || return 1
	[ "$(find "$D/demo/environments" -name '*.sql' | wc -l)" = 49 ]
}

second_run() {
	run_demo "$D/second.log" || { cat "$D/second.log"; return 1; }
	grep -q '"unchanged_count": 49' "$D/second.log" || { cat "$D/second.log"; return 1; }
	grep -q 'snapshots under .* are unchanged' "$D/second.log"
}

check test_demo_first_run_writes_the_whole_fleet first_run
check test_demo_second_run_reports_everything_unchanged second_run
