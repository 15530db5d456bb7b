#!/usr/bin/env bash
# Integration tests of `rhizome sync check`: the live fleet against the
# committed snapshots, against two real MariaDB servers started here.
# Usage: test_sync_check.sh [test_name...] (default: all).
set -u
source "$(dirname "$0")/lib.sh"

test_clean_fleet_exits_0() {
	it_load_fleet && it_config
	rz sync schema
	snap_stat >"$T/before"
	rz sync check
	assert_eq "$RC" 0 "exit status: $(js -c .drift)"
	assert_eq "$(js .drift_count)" 0 "drift"
	assert_eq "$(js .unchanged_count)" 19 "unchanged"
	snap_stat >"$T/after"
	assert_file_eq "$T/after" "$T/before" "check wrote"
	assert_eq "$(ls "$T/snap/.history" | wc -l)" 1 "history of check"
}

test_auto_increment_noise_is_not_drift() {
	it_load_fleet && it_config
	rz sync schema
	mdb_sql s1 -e "INSERT INTO dev_billing_bookkeeper.fee_summary (account_id) VALUES (5)"
	rz sync check
	assert_eq "$RC" 0 "exit status: $(js -c .drift)"
	assert_eq "$(js .trivial_count)" 1 "trivial"
}

test_added_column_is_medium_drift_exit_1() {
	it_load_fleet && it_config
	rz sync schema
	mdb_sql s1 -e "ALTER TABLE demo_billing_event.event ADD COLUMN source varchar(40) NULL"
	rz sync check
	assert_eq "$RC" 1 "exit status"
	assert_eq "$(js -c '[.drift[] | [.env, .table, .severity]]')" \
		'[["demo_billing_event","event","medium"]]' "drift"
	assert_eq "$(js -c '.drift[0].changes')" \
		'[{"change":"column added","severity":"medium","object":"source","from":null,"to":"varchar(40)"}]' "changes"
}

test_dropped_table_is_critical_drift() {
	it_load_fleet && it_config
	rz sync schema
	mdb_sql s2 -e "DROP TABLE na_prod_billing.invoice"
	rz sync check --env na_prod_billing
	assert_eq "$RC" 1 "exit status"
	assert_eq "$(js -c '[.drift[] | [.table, .severity, .changes[0].change]]')" \
		'[["invoice","critical","table removed"]]' "drift"
}

test_severities_of_column_changes() {
	it_load_fleet && it_config
	rz sync schema
	mdb_sql s1 <<'SQL'
ALTER TABLE dev_billing_bookkeeper.ledger_entry
  MODIFY entry_type enum('debit') NOT NULL,
  MODIFY amount decimal(40,10) NOT NULL,
  DROP COLUMN attachment,
  MODIFY payload json DEFAULT NULL COMMENT 'now documented';
SQL
	rz sync check --env dev_billing_bookkeeper
	assert_eq "$RC" 1 "exit status"
	assert_eq "$(js -r '.drift[0].severity')" high "the worst change sets the pair's severity"
	assert_eq "$(js -c '[.drift[0].changes[] | [.object, .change, .severity]] | sort')" \
		'[["amount","type widened","medium"],["attachment","column removed","high"],["entry_type","enum value removed","high"],["payload","comment changed","low"]]' \
		"changes"
}

test_table_not_in_snapshots_and_errors() {
	it_load_fleet && it_config
	rz sync schema --env dev_billing_event
	rm "$(env_file dev_billing_event event)"
	rz sync check --env dev_billing_event
	assert_eq "$RC" 1 "exit status"
	assert_eq "$(js -c '[.drift[] | [.table, .changes[0].change]]')" '[["event","table added"]]' "added"
	# a server down: exit 3, whatever drifted
	mdb_stop s2
	rz sync check
	mdb_start s2 "$(sed -n 's/^port = //p' rhizome.cnf | head -1)" >/dev/null
	assert_eq "$RC" 3 "exit status with a server down"
}

test_diff_shows_changes_as_text_markdown_and_json() {
	it_load_fleet && it_config
	rz sync schema
	mdb_sql s1 <<'SQL'
ALTER TABLE dev_billing_event.event ADD COLUMN source varchar(40) NULL,
  MODIFY occurred_at datetime(3) NOT NULL, ADD KEY ix_source (source);
DROP TABLE dev_billing_event.flyway_schema_history;
SQL
	rz sync diff --env dev_billing_event --report
	assert_eq "$RC" 1 "exit status"
	grep -q '^dev_billing_event.event  \[high\]' "$T/out.json" || fail "header: $(cat "$T/out.json")"
	grep -q '+ column added source: varchar(40) *medium' "$T/out.json" || fail "added: $(cat "$T/out.json")"
	grep -q '~ type narrowed occurred_at: datetime(6) -> datetime(3) *high' "$T/out.json" || fail "narrowed"
	grep -q '+ index added ix_source: KEY `ix_source` (`source`) *medium' "$T/out.json" || fail "index"
	grep -q '^dev_billing_event.flyway_schema_history  \[critical\]' "$T/out.json" || fail "table removed"
	grep -q '^2 pair(s) drifted: 1 critical, 1 high, 0 medium, 0 low' "$T/out.json" || fail "summary line"
	local md
	md=$(ls rhizome-diff-*.md) || fail "no report"
	grep -q '^## dev_billing_event.event (high)' "$md" || fail "md section"
	grep -q '^| critical | 1 |' "$md" || fail "md summary"
	grep -q 'rhizome sync schema --env dev_billing_event' "$md" || fail "md actions"
	[ ! -e snap/.history/*/manifest.json ] || [ "$(ls snap/.history | wc -l)" = 1 ] || fail "diff wrote history"
	rz sync diff --env dev_billing_event --format json --report custom.md
	assert_eq "$(js -r '[.drift[] | select(.table == "event") | .changes[].change] | join(",")')" \
		"type narrowed,column added,index added" "json"
	[ -s custom.md ] || fail "custom report name"
}

test_diff_noise_options() {
	it_load_fleet && it_config
	rz sync schema --env dev_billing_event
	# int(11) -> int(10): display width only
	mdb_sql s1 -e "ALTER TABLE dev_billing_event.flyway_schema_history MODIFY installed_rank int(10) NOT NULL"
	rz sync diff --env dev_billing_event
	assert_eq "$RC" 1 "width counts by default"
	rz sync diff --env dev_billing_event --ignore-int-width
	assert_eq "$RC" 0 "--ignore-int-width: $(cat "$T/out.json")"
	rz sync diff --env dev_billing_event --against 20260101T000000Z-000
	assert_eq "$RC" 2 "--against a run that does not exist"
	grep -q 'no published schema run' "$T/err.txt" || fail "$(cat "$T/err.txt")"
}

test_diff_against_a_run_reads_its_history() {
	it_load_fleet && it_config
	rz sync schema
	local first
	first=$(js -r .run_id)
	mdb_sql s1 -e "ALTER TABLE dev_billing_event.event DROP COLUMN body"
	mdb_sql s2 -e "DROP TABLE na_prod_billing.invoice"
	rz sync schema
	local second
	second=$(js -r .run_id)
	mdb_stop s1 # reads files only
	mdb_stop s2
	# the snapshots now hold the second run (invoice's file removed); the
	# first run remembers `body` and invoice
	rz sync diff --against "$first" --format json
	mdb_start s1 "$(mdb_port s1)" >/dev/null
	mdb_start s2 "$(mdb_port s2)" >/dev/null
	assert_eq "$RC" 1 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.drift[] | [.table, .changes[0].change]]')" \
		'[["event","column added"],["invoice","table added"]]' "committed vs the first run"
	# the second run removed invoice: its removal line is not a table
	rz sync diff --against "$second" --format json
	assert_eq "$RC" 0 "the second run is what is committed: $(js -c .drift)"
	# a snapshot that comes back by hand has drifted from the second run
	rz history restore "$first" --env na_prod_billing --table invoice
	rz sync diff --against "$second"
	assert_eq "$RC" 1 "the second run: the dropped table"
	grep -q '^na_prod_billing.invoice  \[critical\]' "$T/out.json" || fail "$(cat "$T/out.json")"
}

test_versions_group_environments_by_schema() {
	it_load_fleet && it_config
	mdb_sql s1 -e "ALTER TABLE dev_billing_event.event ADD COLUMN source varchar(40) NULL, MODIFY body blob"
	rz sync schema
	mdb_stop s1 # versions reads files only
	rz sync versions --table event --format json
	mdb_start s1 "$(mdb_port s1)" >/dev/null
	assert_eq "$RC" 0 "exit status"
	assert_eq "$(js -c '[.tables[0].versions[] | [.version, (.environments | join(","))]]')" \
		'[["V1","na_prod_billing_event,demo_billing_event"],["V2","dev_billing_event"]]' "versions"
	assert_eq "$(js -c '.tables[0].versions[1].adds')" '[{"column":"source","definition":"varchar(40) DEFAULT NULL"}]' "adds"
	assert_eq "$(js -c '.tables[0].versions[1].changes')" '[{"column":"body","V1":"longblob DEFAULT NULL","here":"blob DEFAULT NULL"}]' "changes"
	assert_eq "$(js -c '.tables[0].base')" '["id","occurred_at"]' "safe base"
	assert_eq "$(js -c '.summary.behind')" \
		'{"dev_billing_bookkeeper":0,"dev_billing_event":0,"demo_billing_bookkeeper":0,"demo_billing_event":1,"na_prod_billing":0,"na_prod_billing_bookkeeper":0,"na_prod_billing_event":1}' "behind"
	# `order` says dev rolls out last: its version becomes V1
	sed -i '/^\[environment dev_billing_event\]/a order = 0' rhizome.cnf
	sed -i '/^\[environment na_prod_billing_event\]/a order = 5' rhizome.cnf
	rz sync versions --table event
	grep -q '^  V1: dev_billing_event$' "$T/out.json" || fail "order: $(cat "$T/out.json")"
	grep -q 'lacks `source`' "$T/out.json" || fail "lacks: $(cat "$T/out.json")"
}

test_no_textual_drift_goes_unreported() {
	it_load_fleet && it_config
	rz sync schema --env dev_billing_event
	# only the column order changes
	mdb_sql s1 -e "ALTER TABLE dev_billing_event.event MODIFY body longblob AFTER id"
	rz sync check --env dev_billing_event
	assert_eq "$RC" 1 "column moved: $(js -c .drift)"
	assert_eq "$(js -r '.drift[0].changes[0].change')" "column order changed" "change"
	# a committed file that is not a CREATE TABLE, against a run too
	rz sync schema --env dev_billing_event
	local run
	run=$(js -r .run_id)
	echo "garbage" >"$(env_file dev_billing_event event)"
	rz sync check --env dev_billing_event
	assert_eq "$RC" 1 "garbage snapshot, live"
	rz sync diff --env dev_billing_event --against "$run"
	assert_eq "$RC" 1 "garbage snapshot, against a run: $(cat "$T/out.json")"
	rz sync diff --against ".tmp-$run"
	assert_eq "$RC" 2 "an unpublished run folder is refused"
}

test_versions_behind_and_unknown_table() {
	it_load_fleet && it_config
	# prod and dev alike, demo apart: dev rolls out first, so demo is behind
	mdb_sql s1 -e "ALTER TABLE demo_billing_event.event ADD COLUMN x int"
	rz sync schema
	rz sync versions --table event --format json
	assert_eq "$(js -r '.tables[0].newest')" V1 "newest: dev's version"
	assert_eq "$(js -c '.summary.behind | with_entries(select(.value > 0))')" \
		'{"demo_billing_event":1}' "behind"
	rz sync versions --table no_such_table
	assert_eq "$RC" 2 "unknown --table"
	grep -q 'no table list' "$T/err.txt" || fail "$(cat "$T/err.txt")"
}

# RELIABILITY 23 (in part): a damaged or cut-short .zst in the history:
# the command that needs it fails for that environment (exit 3), naming
# the file and zstd's error; the other environments are compared.
test_damaged_history_is_named_with_the_zstd_error() {
	it_load_fleet && it_config
	rz sync schema
	assert_eq "$RC" 0 "first run: $(cat "$T/err.txt")"
	local run dir z
	run=$(js -r .run_id)
	dir=snap/.history/$run
	z=$dir/dev_billing_event.jsonl.zst
	head -c $(( $(stat -c %s "$z") - 5 )) "$z" >cut && cat cut >"$z"
	rz sync diff --against "$run" --format json
	assert_eq "$RC" 3 "cut short: exit status: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.errors[] | .env]')" '["dev_billing_event"]' "errors"
	js -r '.errors[0].message' | grep -qF "$z: cut short: the zstd frame does not end" ||
		fail "message: $(js -r '.errors[0].message')"
	z=$dir/demo_billing_event.jsonl.zst
	printf 'not zstd at all' >"$z"
	rz sync diff --against "$run" --format json
	assert_eq "$RC" 3 "damaged: exit status"
	js -r '.errors[] | select(.env == "demo_billing_event") | .message' |
		grep -qF "$z: damaged: zstd: " || fail "message: $(js -c .errors)"
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
it_start_servers >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
it_run $TESTS
