#!/usr/bin/env bash
# The data files back into a server, as `rhizome load` (issue 17) will put
# them: every value of every .json file as engine/rows/rowfile.h spells it
# in SQL (tests/tools/rowfile_insert.c). For the demo fleet and the shop
# fleet (tests/fixtures/gen_fleet.sql: every column type), each
# environment's tables are created in a scratch schema from their .sql
# snapshots and filled from their .json files (5 rows each); then
# `sync data --rows 5` of the scratch schemas (no [mask] rules) must write the
# same files byte for byte: 64-bit integers, DECIMAL digits, binary, BIT,
# JSON, dates and times with their fractions, text with quotes,
# backslashes and non-ASCII, masked values as they were masked.
set -u
source "$(dirname "$0")/lib.sh"
source "$IT_ROOT/tests/lib/fixture_fleets.sh"

INSERT=${INSERT:-$(dirname "$RHIZOME")/tests/rowfile_insert}
G=$(mktemp -d /tmp/rhizome-rowfile.XXXXXX)
mdb_start rowfile >/dev/null || { echo "FAIL ${PREFIX:-}start_server"; exit 1; }
trap 'mdb_stop_all; rm -rf "$G"' EXIT
export RHIZOME_DEMO_MASK_KEY=0123456789abcdef0123456789abcdef

# Both fleets' snapshots (5 rows a table), in $G/demo and $G/shop.
setup() { fixture_fleets rowfile "$G" --rows 5; }
if ! setup >"$G/setup.log" 2>&1; then
	echo "FAIL ${PREFIX:-}rowfile_setup"
	sed 's/^/    /' "$G/setup.log" | tail -20
	exit 1
fi

# "name folder database" of each environment of a config.
environments() { # CONFIG
	awk '/^\[environment / { if (e) print e, f, d; e = substr($2, 1, length($2) - 1); f = d = "" }
	     /^\[/ && !/^\[environment / { if (e) print e, f, d; e = "" }
	     e && /^folder = / { f = $3 } e && /^database = / { d = $3 }
	     END { if (e) print e, f, d }' "$1"
}

# The table list of logical database DATABASE in a config (its
# `tables =` line and the indented lines that continue it).
tables_of() { # CONFIG DATABASE
	awk -v want="[tables $2]" '
		/^\[/ { in_list = ($0 == want); on = 0; next }
		in_list && /^tables = / { sub(/^tables = /, ""); on = 1; print; next }
		in_list && on && /^[ \t]/ { print; next }
		{ on = 0 }' "$1" | tr -s ' \t' '\n\n' | grep .
}

# Every environment of fleet FLEET created in rf_<env> from its snapshots
# and filled from its data files; then those schemas synced into
# $T/scratch and compared with the originals.
round_trip() { # FLEET
	local src=$G/$1 env folder db table sql json n=0
	{
		printf '[fleet]\nout = scratch\n'
		sed -n '/^\[tables /,/^$/p' "$src/rhizome.cnf"
	} >"$T/rhizome.cnf"
	while read -r env folder db; do
		{
			printf 'DROP DATABASE IF EXISTS `rf_%s`; CREATE DATABASE `rf_%s`; USE `rf_%s`;\n' "$env" "$env" "$env"
			echo 'SET foreign_key_checks = 0;'
			for table in $(tables_of "$src/rhizome.cnf" "$db"); do
				sql=$src/environments/$folder/expected_data/${db}_$table.sql
				json=${sql%.sql}.json
				[ -e "$sql" ] || continue # absent from this environment
				cat "$sql"
				[ -e "$json" ] || continue # an empty table
				"$INSERT" "$sql" "$json" || fail "rowfile_insert $json"
				n=$((n + 1))
			done
		} >"$T/load.sql"
		mdb_sql rowfile <"$T/load.sql" 2>"$T/load.err" || fail "loading $env: $(grep -v "^--------------$" "$T/load.err" | tail -3)"
		printf '\n[environment rf_%s]\nfolder = %s\ndatabase = %s\nschema = rf_%s\nsocket = %s\nuser = root\nmask = optional\n' \
			"$env" "$folder" "$db" "$env" "$(mdb_sock rowfile)" >>"$T/rhizome.cnf"
	done < <(environments "$src/rhizome.cnf")
	"$RHIZOME" --quiet --config "$T/rhizome.cnf" sync data --rows 5 >"$T/out.json" 2>"$T/err.txt" ||
		fail "sync data of the scratch schemas: $(cat "$T/err.txt")"
	(cd "$src/environments" && find . -name '*.json' -path '*/expected_data/*' | sort) >"$T/want"
	(cd "$T/scratch" && find . -name '*.json' -path '*/expected_data/*' | sort) >"$T/got"
	assert_file_eq "$T/want" "$T/got" "the data files written"
	assert_eq "$(wc -l <"$T/got")" "$n" "files loaded and written"
	while read -r json; do
		cmp -s "$src/environments/$json" "$T/scratch/$json" || {
			diff "$src/environments/$json" "$T/scratch/$json" | head -10 >&2
			fail "$json differs"
		}
	done <"$T/want"
	echo "$n files, $(cat "$T/want" | (cd "$src/environments" && xargs cat) | grep -c '^  *"') values"
}

test_the_demo_fleets_data_goes_back_in_exactly() {
	round_trip demo >"$T/summary"
	grep -q '^46 files' "$T/summary" || fail "$(cat "$T/summary")"
}

test_every_type_of_the_shop_fleet_goes_back_in_exactly() {
	round_trip shop >"$T/summary"
	grep -q '^13 files' "$T/summary" || fail "$(cat "$T/summary")"
}

it_run test_the_demo_fleets_data_goes_back_in_exactly \
	test_every_type_of_the_shop_fleet_goes_back_in_exactly
