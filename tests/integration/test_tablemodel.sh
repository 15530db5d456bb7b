#!/usr/bin/env bash
# The table model against schemas no one here wrote: every table of the
# real-world corpus (../shared/corpus, when it is there) is loaded into a
# private server, snapshotted by `rhizome sync schema`, and must parse whole
# and render back byte for byte (tests/tools/tablemodel_check.c). The
# column types of the demo fleet, and of the corpus when it is there, as
# gen models spells them, compiled back by SQLAlchemy; and the corpus
# through gen models and back (create in a scratch schema, sync diff).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RHIZOME=${RHIZOME:-$ROOT/build/rhizome}
case $RHIZOME in /*) ;; *) RHIZOME=$ROOT/$RHIZOME ;; esac
CHECK=${CHECK:-$ROOT/build/tests/tablemodel_check}
case $CHECK in /*) ;; *) CHECK=$ROOT/$CHECK ;; esac
CORPUS=${CORPUS:-$ROOT/../shared/corpus}
source "$ROOT/tests/lib/mariadb.sh"

source "$ROOT/tests/lib/demo_fleet.sh"
PYTYPE=${PYTYPE:-${CHECK%/*}/pytype_check}
T=$(mktemp -d /tmp/rhizome-corpus.XXXXXX)
mdb_start corpus >/dev/null || { echo "FAIL ${PREFIX:-}start_server"; exit 1; }
trap 'mdb_stop_all; rm -rf "$T"' EXIT

# Run a check: "PASS NAME" and its last line, or "FAIL NAME" and the last
# LINES lines of what it said.
verdict() { # NAME LINES COMMAND...
	local name=$1 lines=$2 log
	shift 2
	log="$T/$name.log"
	if "$@" >"$log" 2>&1; then
		echo "PASS ${PREFIX:-}$name"
		tail -1 "$log" | sed 's/^/    /'
	else
		echo "FAIL ${PREFIX:-}$name"
		sed 's/^/    /' "$log" | tail -"$lines"
	fi
}

# Types as engine/gen/pytype spells them for SQLAlchemy, compiled back by
# SQLAlchemy's MySQL dialect (tests/tools/pytype_check.{c,py}): the
# server's type, or refused by name (tests/fixtures/pytype_known.txt).
types_compile() { # SNAPSHOT-FILE...
	"$PYTYPE" "$@" >"$T/types.tsv" &&
		/usr/bin/python3 "$ROOT/tests/tools/pytype_check.py" --known \
			"$ROOT/tests/fixtures/pytype_known.txt" <"$T/types.tsv"
}

# gen models (issue 16), on the demo fleet: whether or not the corpus is here
demo_types() {
	local pw schema
	demo_fleet_load corpus || return 1
	pw=$(demo_fleet_password)
	demo_fleet_reader corpus rhizome "$pw" || return 1
	mkdir -p "$T/demo"
	"$ROOT/scripts/demo-config.sh" "$(mdb_sock corpus)" "$(mdb_port corpus)" >"$T/demo/rhizome.cnf" || return 1
	RHIZOME_DEMO_PASSWORD=$pw RHIZOME_DEMO_MASK_KEY=0123456789abcdef0123456789abcdef \
		"$RHIZOME" --quiet --config "$T/demo/rhizome.cnf" sync schema >"$T/demo/summary.json" ||
		{ jq -c .errors "$T/demo/summary.json" | head -c 2000; return 1; }
	types_compile "$T"/demo/environments/*/expected_data/*.sql || return 1
	# the corpus below is the corpus alone
	for schema in $DEMO_FLEET_SCHEMAS; do
		mdb_sql corpus -e "DROP DATABASE \`$schema\`" || return 1
	done
}
verdict test_every_demo_column_type_compiles_in_sqlalchemy 40 demo_types

if [ ! -x "$CORPUS/load-all.sh" ]; then
	# Not a pass: say so, and count it as neither.
	echo "SKIP ${PREFIX:-}test_every_corpus_table_parses_and_round_trips (no corpus at $CORPUS)"
	exit 0
fi

run() {
	"$CORPUS/load-all.sh" "mariadb --no-defaults -S $(mdb_sock corpus) -uroot" >"$T/load.log" 2>&1 ||
		{ tail -5 "$T/load.log"; return 1; }
	# One environment per database, its base tables as the table list.
	mdb_sql corpus -N -B -e "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES
		WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN
		('mysql', 'sys', 'performance_schema', 'information_schema')
		ORDER BY TABLE_SCHEMA, TABLE_NAME" >"$T/tables.tsv" || return 1
	{
		printf '[fleet]\nout = snap\n'
		cut -f1 "$T/tables.tsv" | sort -u | while read -r db; do
			printf '\n[tables %s]\ntables =' "$db"
			awk -F'\t' -v db="$db" '$1 == db { printf "\n         %s", $2 }' "$T/tables.tsv"
			printf '\n[environment %s]\nfolder = corpus\ndatabase = %s\n' "$db" "$db"
			printf 'socket = %s\nuser = root\n' "$(mdb_sock corpus)"
		done
	} >"$T/rhizome.cnf"
	"$RHIZOME" --quiet --config "$T/rhizome.cnf" sync schema >"$T/summary.json" ||
		{ jq -c .errors "$T/summary.json" | head -c 2000; return 1; }
	echo "$(wc -l <"$T/tables.tsv") tables in $(cut -f1 "$T/tables.tsv" | sort -u | wc -l) databases"
	"$CHECK" "$T"/snap/corpus/expected_data/*.sql
}

verdict test_every_corpus_table_parses_and_round_trips 60 run

# gen models (issue 16): every column type of the corpus
corpus_types() {
	[ -s "$T/summary.json" ] || { echo "no snapshots of the corpus"; return 1; }
	types_compile "$T"/snap/corpus/expected_data/*.sql
}
verdict test_every_corpus_column_type_compiles_in_sqlalchemy 40 corpus_types

# gen models (issue 16) over the corpus, one version of each table: the
# schema round trip per database (its registry created table by table in
# a scratch schema, `sync diff --ignore-index-order` against the
# snapshots). Every table the server refuses, or that comes back
# different, must be one gen models said it renders approximately (its
# notes); nothing else may differ.
corpus_models() {
	local db i=0 schema rc
	[ -s "$T/summary.json" ] || { echo "no snapshots of the corpus"; return 1; }
	"$RHIZOME" --config "$T/rhizome.cnf" gen models --format json >"$T/gen.json" ||
		{ jq -c . "$T/gen.json" | head -c 2000; return 1; }
	jq -r '.notes[] | sub(" V[0-9]+: .*"; "")' "$T/gen.json" | sort -u >"$T/noted.txt"
	mkdir -p "$T/rt"
	{
		printf '[fleet]\nout = snap\n'
		sed -n '/^\[tables /,/^\[environment /p' "$T/rhizome.cnf" | grep -v '^\[environment '
	} >"$T/rt/rhizome.cnf"
	: >"$T/rt/schemas.txt"
	for db in $(cut -f1 "$T/tables.tsv" | sort -u); do
		i=$((i + 1))
		/usr/bin/python3 "$ROOT/tests/integration/gen_roundtrip.py" create "$T" "$db" \
			"$(mdb_sock corpus)" "rt${i}_v" "$T/rt/snap" each >"$T/created.txt" 2>"$T/create.err" ||
			{ echo "create of $db:"; tail -5 "$T/create.err"; return 1; }
		sed -n 's/^REFUSED \([^:]*\):.*/\1/p' "$T/created.txt" >>"$T/rt/differ.txt"
		for schema in $(sed -n "s/^V[0-9]*: \(rt${i}_v[0-9]*\):.*/\1/p" "$T/created.txt"); do
			echo "$schema $db" >>"$T/rt/schemas.txt"
			printf '\n[environment %s]\nfolder = %s\ndatabase = %s\nschema = %s\nsocket = %s\nuser = root\n' \
				"$schema" "$schema" "$db" "$schema" "$(mdb_sock corpus)" >>"$T/rt/rhizome.cnf"
		done
	done
	(cd "$T/rt" && "$RHIZOME" --quiet sync diff --ignore-index-order --format json >diff.json 2>diff.err)
	rc=$?
	[ $rc -le 1 ] || { echo "sync diff: exit $rc"; head -c 2000 "$T/rt/diff.err"; return 1; }
	[ "$(jq .error_count "$T/rt/diff.json")" = 0 ] || { jq -c .errors "$T/rt/diff.json" | head -c 2000; return 1; }
	jq -r '(.drift[] | "\(.env) \(.table)"), (.removed[] | "\(.env) \(.table)")' "$T/rt/diff.json" |
		awk 'NR == FNR { db[$1] = $2; next } { print db[$1] "." $2 }' "$T/rt/schemas.txt" - \
		>>"$T/rt/differ.txt"
	sort -u "$T/rt/differ.txt" | comm -23 - "$T/noted.txt" >"$T/rt/unnoted.txt"
	if [ -s "$T/rt/unnoted.txt" ]; then
		echo "differ, and gen models did not say so:"
		head -20 "$T/rt/unnoted.txt"
		jq -c '.drift[] | {env, table, changes}' "$T/rt/diff.json" | head -c 3000
		return 1
	fi
	jq -r --arg n "$(sort -u "$T/rt/differ.txt" | wc -l)" --arg noted "$(wc -l <"$T/noted.txt")" \
		'"\(.unchanged_count + .trivial_count + .significant_count + .removed_count) tables: \($n) differ, each noted by gen models (\($noted) tables noted)"' \
		"$T/rt/diff.json"
}
verdict test_every_corpus_table_round_trips_through_gen_models 60 corpus_models
