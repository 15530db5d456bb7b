#!/bin/bash
# Run rhizome's jobs on the demo fleet.
#
#   scripts/demo.sh                       sync schema, sync data, gen models,
#                                         load, sync report
#   scripts/demo.sh schema|data|gen|load|report|check|tables [OPTIONS...]
#                                         one command, e.g. scripts/demo.sh schema --dry-run
#                                         (tables: rhizome tables, the [tables]
#                                         lines of what the servers have; gen:
#                                         rhizome gen models, no server needed;
#                                         load: na_prod's snapshots loaded
#                                         into the scratch schemas)
#
# Installs what is missing (scripts/deps.sh), builds build/rhizome, starts a
# private MariaDB server (tests/lib/mariadb.sh), loads the seven-environment
# billing fleet (tests/fixtures/demo_fleet.sql) with a read-only user whose
# password is made up for this run, writes demo/rhizome.cnf and runs
#
#   build/rhizome --config demo/rhizome.cnf sync COMMAND [OPTIONS...]
#
# Snapshots go to demo/environments and models to demo/models, and stay
# there: the fleet is loaded the same way every time, so a second run finds
# everything unchanged. The
# masking key (demo/mask.key) is made once and kept, so masked values are
# stable across runs too. The server and its data are gone when the script
# ends. Full summaries are kept in demo/last-schema.json and
# demo/last-data.json.
set -euo pipefail

cd "$(dirname "$0")/.."
# Where the config and snapshots go (the test suite points it elsewhere).
DEMO_DIR=${DEMO_DIR:-demo}

step() { printf '==> %s\n' "$*" >&2; }

step "checking dependencies (scripts/deps.sh)"
scripts/deps.sh --for demo

step "building (scripts/build.sh)"
scripts/build.sh all
if [ ! -x build/rhizome ]; then
	echo "demo.sh: make did not build build/rhizome" >&2
	exit 1
fi

. tests/lib/mariadb.sh
. tests/lib/demo_fleet.sh

step "starting a private MariaDB server"
mdb_start demo

step "loading the demo fleet (tests/fixtures/demo_fleet.sql)"
demo_fleet_load demo
RHIZOME_DEMO_PASSWORD=$(demo_fleet_password)
export RHIZOME_DEMO_PASSWORD
demo_fleet_reader demo rhizome "$RHIZOME_DEMO_PASSWORD"
RHIZOME_DEMO_LOADER_PASSWORD=$(demo_fleet_password)
export RHIZOME_DEMO_LOADER_PASSWORD
demo_fleet_loader demo loader "$RHIZOME_DEMO_LOADER_PASSWORD"

mkdir -p "$DEMO_DIR"
scripts/demo-config.sh "$(mdb_sock demo)" "$(mdb_port demo)" >"$DEMO_DIR/rhizome.cnf.tmp"
mv "$DEMO_DIR/rhizome.cnf.tmp" "$DEMO_DIR/rhizome.cnf"
if [ ! -s "$DEMO_DIR/mask.key" ]; then
	(umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$DEMO_DIR/mask.key")
fi
RHIZOME_DEMO_MASK_KEY=$(cat "$DEMO_DIR/mask.key")
export RHIZOME_DEMO_MASK_KEY

commands=(schema data gen load report)
case ${1:-} in
schema | data | gen | load | report | tables | check)
	commands=("$1")
	shift
	;;
-*) commands=(schema) ;; # options alone: as before, for sync schema
esac

# Counts and lists of a summary, without the long path lists.
brief() {
	jq '{new_count, trivial_count, significant_count, unchanged_count,
	     missing_count, empty_count, error_count, unlisted_count, missing,
	     errors, unlisted, absent}
	    + (if .ordering then {ordering} else {} end)' "$1"
}

status=0
for cmd in "${commands[@]}"; do
	if [ "$cmd" = load ]; then
		# na_prod rebuilt from its snapshots in the scratch schemas
		# (empty: the server is new every run)
		for database in billing billing_bookkeeper billing_event; do
			words=(load --env "na_prod_$database" --into "scratch_$database")
			step "running: build/rhizome --config $DEMO_DIR/rhizome.cnf ${words[*]} $*"
			rc=0
			build/rhizome --config "$DEMO_DIR/rhizome.cnf" "${words[@]}" --format text "$@" || rc=$?
			[ $rc -eq 0 ] || status=$rc
		done
		echo
		continue
	fi
	case $cmd in
	tables) words=(tables) ;;
	gen) words=(gen models) ;;
	*) words=(sync "$cmd") ;;
	esac
	step "running: build/rhizome --config $DEMO_DIR/rhizome.cnf ${words[*]} $*"
	rc=0
	if [ "$cmd" = report ] || [ "$cmd" = tables ] || [ "$cmd" = check ] ||
		[ "$cmd" = gen ]; then
		# their own output is for people (check's, a summary)
		build/rhizome --config "$DEMO_DIR/rhizome.cnf" "${words[@]}" "$@" || rc=$?
		[ $rc -eq 0 ] || status=$rc
		continue
	fi
	summary=$DEMO_DIR/last-$cmd.json
	build/rhizome --config "$DEMO_DIR/rhizome.cnf" "${words[@]}" "$@" >"$summary" || rc=$?
	[ $rc -eq 0 ] || status=$rc
	if [ ! -s "$summary" ]; then
		echo "rhizome printed no summary (exit status $rc); see the messages above."
		continue
	fi
	brief "$summary"
	read -r new significant trivial unchanged missing empty errors dry < <(jq -r \
		'[.new_count, .significant_count, .trivial_count, .unchanged_count,
		  .missing_count, .empty_count, .error_count, .dry_run] | @tsv' "$summary")
	written=$((new + significant))
	if [ "$dry" = true ]; then
		echo "Dry run: nothing written; a real run would write $written file(s)."
	elif [ "$written" -gt 0 ]; then
		echo "$written file(s) written under $DEMO_DIR/environments ($new new," \
			"$significant significant); run scripts/demo.sh again to see" \
			"everything unchanged. Full summary: $summary"
	else
		echo "Nothing written: $unchanged snapshot(s) under $DEMO_DIR/environments" \
			"are unchanged. Full summary: $summary"
	fi
	if [ "$trivial" -gt 0 ]; then
		echo "$trivial snapshot(s) differ only in AUTO_INCREMENT=n: kept" \
			"(--write-trivial rewrites them)."
	fi
	if [ "$missing" -gt 0 ]; then
		echo "$missing table(s) of the table lists do not exist in their" \
			"environment (by design: demo_billing_event has no" \
			"webhook_delivery): reported, not an error."
	fi
	if [ "$empty" -gt 0 ]; then
		echo "$empty table(s) have no rows: no data file (status empty)."
	fi
	if [ "$errors" -gt 0 ]; then
		echo "$errors error(s): see \"errors\" above."
	fi
	echo
done

step "stopping the server"
mdb_stop_all
exit "$status"
