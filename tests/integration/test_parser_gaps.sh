#!/usr/bin/env bash
# The parser's old gaps against a real server (issue 14): PERIOD FOR (a
# system-versioned table's SYSTEM_TIME period, an application-time period,
# both in one table) and names holding raw newlines and tabs, which SHOW
# CREATE TABLE prints as they are. Every snapshot `rhizome sync schema`
# writes of such tables must parse whole and render back byte for byte
# (tests/tools/tablemodel_check.c), and a column change in one must get the
# severity the same change gets in a plain table, never the fallback of a
# table not understood. Usage: test_parser_gaps.sh [test_name...] (default:
# all). RHIZOME is the binary under test, CHECK the tablemodel_check of the
# same build.
set -u
source "$(dirname "$0")/lib.sh"
CHECK=${CHECK:-$IT_ROOT/build/tests/tablemodel_check}
case $CHECK in /*) ;; *) CHECK=$IT_ROOT/$CHECK ;; esac

TABLES="plain versioned app_period both_periods newline_names"

# The tables, each with a column `na<LF>me` or `name` varchar(40) that the
# severity test narrows. In the SQL, <LF> stands for a raw newline and
# <TAB> for a tab, put in by sed: a name holds them as they are.
gaps_sql() {
	sed 's/<LF>/\n/g; s/<TAB>/\t/g' <<'SQL'
DROP DATABASE IF EXISTS gaps;
CREATE DATABASE gaps;
USE gaps;
CREATE TABLE plain (
  id int NOT NULL PRIMARY KEY,
  name varchar(40),
  note varchar(40)
);
CREATE TABLE versioned (
  id int NOT NULL PRIMARY KEY,
  name varchar(40),
  note varchar(40),
  row_start timestamp(6) GENERATED ALWAYS AS ROW START,
  row_end timestamp(6) GENERATED ALWAYS AS ROW END,
  PERIOD FOR SYSTEM_TIME (row_start, row_end)
) WITH SYSTEM VERSIONING;
CREATE TABLE app_period (
  id int NOT NULL,
  name varchar(40),
  note varchar(40),
  date_from date NOT NULL,
  date_to date NOT NULL,
  PERIOD FOR p (date_from, date_to),
  PRIMARY KEY (id, p WITHOUT OVERLAPS)
);
CREATE TABLE both_periods (
  id int NOT NULL,
  name varchar(40),
  note varchar(40),
  valid_from date NOT NULL,
  valid_to date NOT NULL,
  rs timestamp(6) GENERATED ALWAYS AS ROW START INVISIBLE,
  re timestamp(6) GENERATED ALWAYS AS ROW END INVISIBLE,
  PERIOD FOR `valid period` (valid_from, valid_to),
  PERIOD FOR SYSTEM_TIME (rs, re),
  UNIQUE KEY u (id, `valid period` WITHOUT OVERLAPS),
  CONSTRAINT note_set CHECK (note <> '')
) WITH SYSTEM VERSIONING;
CREATE TABLE newline_names (
  id int NOT NULL PRIMARY KEY,
  `na<LF>me` varchar(40),
  note varchar(40),
  `tab<TAB>here` int,
  `a<LF>  KEY b` int,
  `c<LF>) ENGINE=x` int,
  `s<LF>t` date NOT NULL,
  `e` date NOT NULL,
  PERIOD FOR `p<LF>q` (`s<LF>t`, `e`),
  KEY `ix<LF>nl` (`tab<TAB>here`, `a<LF>  KEY b`),
  CONSTRAINT `ck<LF>nl` CHECK (`tab<TAB>here` > 0)
);
SQL
}

gaps_load() {
	gaps_sql | mdb_sql gaps || fail "cannot create the tables"
}

gaps_config() {
	{
		printf '[fleet]\nout = snap\n\n'
		printf '[tables gaps]\ntables = %s\n\n' "$TABLES"
		printf '[environment gaps]\nfolder = gaps\ndatabase = gaps\n'
		printf 'socket = %s\nuser = root\n' "$(mdb_sock gaps)"
	} >"$T/rhizome.cnf"
}

snap_of() { echo "$T/snap/gaps/expected_data/gaps_$1.sql"; }

# What the server prints for a table, as a snapshot holds it. The first
# field is the table's name (plain here), the rest the text, newlines and
# tabs as they are (--raw).
server_text() { # TABLE
	printf '%s;\n' "$(mdb_sql gaps --raw -N -B -e "SHOW CREATE TABLE gaps.$1" |
		sed '1s/^[^\t]*\t//')"
}

test_every_snapshot_parses_whole_and_round_trips() {
	gaps_load && gaps_config
	rz --config rhizome.cnf sync schema
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	assert_eq "$(js .new_count)" 5 "new_count"
	local t
	for t in $TABLES; do
		server_text "$t" >"$T/expected"
		assert_file_eq "$(snap_of "$t")" "$T/expected" "snapshot of $t"
	done
	# the periods and the raw newlines are there to be parsed
	grep -q '^  PERIOD FOR SYSTEM_TIME (`row_start`, `row_end`)$' "$(snap_of versioned)" ||
		fail "versioned: $(cat "$(snap_of versioned)")"
	grep -q '^  PERIOD FOR `p` (`date_from`, `date_to`),$' "$(snap_of app_period)" ||
		fail "app_period: $(cat "$(snap_of app_period)")"
	grep -qx 'me` varchar(40) DEFAULT NULL,' "$(snap_of newline_names)" ||
		fail "newline_names: $(cat "$(snap_of newline_names)")"
	"$CHECK" "$T"/snap/gaps/expected_data/*.sql >"$T/check.txt" 2>&1 ||
		fail "tablemodel_check: $(cat "$T/check.txt")"
	assert_eq "$(tail -1 "$T/check.txt")" \
		"tablemodel_check: 5 of 5 tables parsed whole and rendered back" "check"
	# parsed the same way twice: no drift against itself
	rz --config rhizome.cnf sync check
	assert_eq "$RC" 0 "check: $(js -c .drift)"
	assert_eq "$(js .drift_count)" 0 "drift"
}

# [change, severity, from, to] of each change of TABLE in the last summary.
changes_of() { # TABLE
	js -c --arg t "$1" '[.drift[] | select(.table == $t) | .changes[] |
		[.change, .severity, .from, .to]]'
}

test_column_change_gets_the_severity_it_gets_in_a_plain_table() {
	gaps_load && gaps_config
	rz --config rhizome.cnf sync schema
	assert_eq "$RC" 0 "sync schema: $(js -c .errors)"
	# one change everywhere: the column narrowed (high), and a column
	# added (medium); a versioned table needs the history kept to alter
	sed 's/<LF>/\n/g' <<'SQL' | mdb_sql gaps || fail "alter"
SET SESSION system_versioning_alter_history = KEEP;
ALTER TABLE gaps.plain MODIFY name varchar(20), ADD COLUMN extra int;
ALTER TABLE gaps.versioned MODIFY name varchar(20), ADD COLUMN extra int;
ALTER TABLE gaps.app_period MODIFY name varchar(20), ADD COLUMN extra int;
ALTER TABLE gaps.both_periods MODIFY name varchar(20), ADD COLUMN extra int;
ALTER TABLE gaps.newline_names MODIFY `na<LF>me` varchar(20), ADD COLUMN extra int;
SQL
	rz --config rhizome.cnf sync check
	assert_eq "$RC" 1 "exit status: $(js -c .errors)"
	assert_eq "$(js -c '[.drift[] | [.table, .severity]] | sort')" \
		'[["app_period","high"],["both_periods","high"],["newline_names","high"],["plain","high"],["versioned","high"]]' \
		"severities"
	local want t
	want=$(changes_of plain)
	assert_eq "$want" \
		'[["type narrowed","high","varchar(40)","varchar(20)"],["column added","medium",null,"int(11)"]]' \
		"the plain table's changes"
	for t in versioned app_period both_periods newline_names; do
		assert_eq "$(changes_of "$t")" "$want" "$t's changes"
	done
	assert_eq "$(js -r '.drift[] | select(.table == "newline_names") | .changes[0].object')" \
		"na
me" "the column's name, newline and all"
}

test_a_period_dropped_is_a_period_change() {
	gaps_load && gaps_config
	rz --config rhizome.cnf sync schema
	assert_eq "$RC" 0 "sync schema: $(js -c .errors)"
	sed 's/<LF>/\n/g' <<'SQL' | mdb_sql gaps || fail "alter"
ALTER TABLE gaps.newline_names DROP PERIOD FOR `p<LF>q`;
SQL
	rz --config rhizome.cnf sync check
	assert_eq "$RC" 1 "exit status: $(js -c .errors)"
	assert_eq "$(js -c '[.drift[] | [.table, .severity]]')" \
		'[["newline_names","medium"]]' "drift"
	assert_eq "$(js -c '.drift[0].changes')" \
		'[{"change":"period removed","severity":"medium","object":"p\nq","from":"PERIOD FOR `p\nq` (`s\nt`, `e`)","to":null}]' \
		"changes"
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
mdb_start gaps >/dev/null || { echo "FAIL ${PREFIX:-}start_server"; exit 1; }
trap mdb_stop_all EXIT
it_run $TESTS
