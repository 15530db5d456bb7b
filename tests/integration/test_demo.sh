#!/usr/bin/env bash
# The README's demo command, end to end, twice: the first run writes every
# schema and data snapshot of the demo fleet and reports them, the second
# finds everything unchanged.
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

# What a summary says, as "new unchanged missing empty errors".
counts() {
	jq -r '[.new_count, .unchanged_count, .missing_count, .empty_count, .error_count] | @tsv' \
		"$D/demo/last-$1.json" | tr '\t' ' '
}

first_run() {
	DEMO_DIR=$D/demo "$ROOT/scripts/demo.sh" >"$D/first.log" 2>&1 || { cat "$D/first.log"; return 1; }
	[ "$(counts schema)" = "49 0 1 0 0" ] || { echo "schema: $(counts schema)"; return 1; }
	[ "$(counts data)" = "46 0 1 3 0" ] || { echo "data: $(counts data)"; return 1; }
	[ "$(find "$D/demo/environments" -name '*.sql' | wc -l)" = 49 ] || return 1
	[ "$(find "$D/demo/environments" -path '*/.history' -prune -o -name '*.json' -print | wc -l)" = 46 ] || return 1
	# masked: no real email of the fixture reaches a file
	! grep -rq '@northwind.example' "$D/demo/environments" || { echo "unmasked email"; return 1; }
	grep -q 'Summary: 50 pairs: 49 complete' "$D/first.log" || { cat "$D/first.log"; return 1; }
	# versions: journal_entry has two extra columns in dev and demo
	"$ROOT/build/rhizome" --config "$D/demo/rhizome.cnf" sync versions \
		--table journal_entry --format json >"$D/versions.json" || return 1
	[ "$(jq -c '[.tables[0].versions[] | [.version, .environments, [.adds[].column]]]' "$D/versions.json")" = \
	  '[["V1",["na_prod_billing_bookkeeper"],[]],["V2",["demo_billing_bookkeeper","dev_billing_bookkeeper"],["reversal_of_id","reversed_at"]]]' ] ||
		{ cat "$D/versions.json"; return 1; }
}

second_run() {
	DEMO_DIR=$D/demo "$ROOT/scripts/demo.sh" >"$D/second.log" 2>&1 || { cat "$D/second.log"; return 1; }
	[ "$(counts schema)" = "0 49 1 0 0" ] || { echo "schema: $(counts schema)"; return 1; }
	[ "$(counts data)" = "0 46 1 3 0" ] || { echo "data: $(counts data)"; return 1; }
	grep -q 'Nothing to do' "$D/second.log" || { cat "$D/second.log"; return 1; }
}

check test_demo_first_run_writes_the_whole_fleet first_run
check test_demo_second_run_reports_everything_unchanged second_run
