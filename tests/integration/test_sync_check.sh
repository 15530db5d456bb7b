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

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
it_start_servers >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
it_run $TESTS
