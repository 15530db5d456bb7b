#!/bin/bash
# Run rhizome's main job, `sync schema`, on the demo fleet.
#
#   scripts/demo.sh [SYNC-SCHEMA-OPTIONS...]     e.g. scripts/demo.sh --dry-run
#
# Installs what is missing (scripts/deps.sh), builds build/rhizome, starts a
# private MariaDB server (tests/lib/mariadb.sh), loads the seven-environment
# billing fleet (tests/fixtures/demo_fleet.sql) with a read-only user whose
# password is made up for this run, writes demo/rhizome.cnf and runs
#
#   build/rhizome --config demo/rhizome.cnf sync schema [OPTIONS...]
#
# Snapshots go to demo/environments and stay there: the fleet is loaded the
# same way every time, so a second run finds everything unchanged. The server
# and its data are gone when the script ends.
set -euo pipefail

cd "$(dirname "$0")/.."
# Where the config and snapshots go (the test suite points it elsewhere).
DEMO_DIR=${DEMO_DIR:-demo}

step() { printf '==> %s\n' "$*" >&2; }

step "checking dependencies (scripts/deps.sh)"
scripts/deps.sh

step "building (make)"
make
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

mkdir -p "$DEMO_DIR"
scripts/demo-config.sh "$(mdb_sock demo)" "$(mdb_port demo)" >"$DEMO_DIR/rhizome.cnf.tmp"
mv "$DEMO_DIR/rhizome.cnf.tmp" "$DEMO_DIR/rhizome.cnf"

step "running: build/rhizome --config $DEMO_DIR/rhizome.cnf sync schema $*"
rc=0
summary=$(build/rhizome --config "$DEMO_DIR/rhizome.cnf" sync schema "$@") || rc=$?

step "stopping the server"
mdb_stop_all

# The summary is one JSON line: indent it for humans when python3 can.
if [ -n "$summary" ]; then
	echo
	if ! command -v python3 >/dev/null 2>&1 ||
		! printf '%s\n' "$summary" | python3 -m json.tool 2>/dev/null; then
		printf '%s\n' "$summary"
	fi
	echo
fi

# count KEY: the number after "KEY": in the summary, 0 if absent.
count() {
	local n
	n=$(printf '%s\n' "$summary" | sed -n "s/.*\"$1\": *\([0-9][0-9]*\).*/\1/p")
	echo "${n:-0}"
}

dry_run=no
write_trivial=no
for arg in "$@"; do
	case $arg in
	--dry-run) dry_run=yes ;;
	--write-trivial) write_trivial=yes ;;
	esac
done

new=$(count new_count)
significant=$(count significant_count)
trivial=$(count trivial_count)
unchanged=$(count unchanged_count)
missing=$(count missing_count)
errors=$(count error_count)
written=$((new + significant))
if [ "$write_trivial" = yes ]; then
	written=$((written + trivial))
fi

detail="$new new, $significant significant"
if [ "$write_trivial" = yes ]; then
	detail="$detail, $trivial trivial"
fi
if [ -z "$summary" ]; then
	echo "rhizome printed no summary (exit status $rc); see the messages above."
elif [ "$dry_run" = yes ]; then
	echo "Dry run: nothing written. A real run would write $written files" \
		"under $DEMO_DIR/environments ($detail)."
elif [ "$written" -gt 0 ]; then
	echo "$written files written under $DEMO_DIR/environments ($detail);" \
		"run scripts/demo.sh again to see everything unchanged."
else
	echo "Nothing written: $unchanged snapshots under $DEMO_DIR/environments" \
		"are unchanged."
fi
if [ "$trivial" -gt 0 ] && [ "$write_trivial" = no ]; then
	echo "$trivial snapshot(s) differ from the fleet only in the" \
		"AUTO_INCREMENT=n option: kept as they are (--write-trivial" \
		"rewrites them)."
fi
if [ "$missing" -gt 0 ]; then
	echo "$missing table(s) listed in $DEMO_DIR/rhizome.cnf do not exist in their" \
		"environment (by design: demo_billing_event has no" \
		"webhook_delivery): reported as missing, not an error."
fi
if [ "$errors" -gt 0 ]; then
	echo "$errors error(s): see \"errors\" in the summary."
fi
exit "$rc"
