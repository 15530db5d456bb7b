#!/usr/bin/env bash
# Integration tests of the run history over time (issue 13): git stays
# quiet, keep-runs prunes what it may, `history list | show | restore |
# prune`, and tables dropped from an environment (`removed`), against two
# real MariaDB servers started here. Usage: test_history.sh [test_name...]
set -u
source "$(dirname "$0")/lib.sh"

# The run ids in the history folder, oldest first.
runs() { "$RHIZOME" history list --format json | jq -r '.runs[].run_id'; }

test_a_refresh_that_changes_nothing_leaves_git_status_empty() {
	it_load_fleet && it_config
	git init -q . && git config user.email it@example.com && git config user.name it
	printf 'out.json\nerr.txt\n' >.gitignore # the test's own files
	rz sync schema && assert_eq "$RC" 0 "schema: $(cat "$T/err.txt")"
	rz sync data && assert_eq "$RC" 0 "data: $(cat "$T/err.txt")"
	git add -A && git commit -qm snapshots
	# the history and the lock are inside snap/.history, which ignores itself
	[ -f snap/.history/.gitignore ] || fail "no .gitignore in the history folder"
	[ -e snap/.history/.rhizome.lock ] || fail "the lock is not in the history folder"
	[ ! -e snap/.rhizome.lock ] || fail "a lock file beside the snapshots"
	git ls-files | grep -q '\.history' && fail "history committed: $(git ls-files | grep history)"
	rz sync schema && assert_eq "$RC" 0 "second schema"
	rz sync data && assert_eq "$RC" 0 "second data"
	assert_eq "$(git status --porcelain)" "" "git status after a refresh with no change"
	assert_eq "$(runs | wc -l)" 4 "runs recorded"
	# a change shows, and only the snapshot
	mdb_sql s1 -e "ALTER TABLE dev_billing_event.event ADD COLUMN note int"
	rz sync schema
	assert_eq "$(git status --porcelain)" " M snap/dev/expected_data/billing_event_event.sql" "git status after an ALTER"
}

test_history_elsewhere_is_used_and_the_snapshot_root_stays_clean() {
	it_load_fleet && it_config "history = $T/runs"
	rz sync schema && assert_eq "$RC" 0 "schema: $(cat "$T/err.txt")"
	[ ! -e snap/.history ] || fail "snap/.history written although history is elsewhere"
	[ -f runs/.gitignore ] && [ -e runs/.rhizome.lock ] || fail "history folder lacks .gitignore or lock: $(ls -A runs)"
	assert_eq "$(js -r .history)" "$T/runs/$(js -r .run_id)" "summary's history"
	[ -f "runs/$(js -r .run_id)/manifest.json" ] || fail "run not published in runs/"
	assert_eq "$(find snap -name '.*' | wc -l)" 0 "dotfiles in the snapshot root"
}

# keep-runs = 2: after five runs the newest two stay, and so do the last
# schema run of the environments the later runs left out and the last
# data run; a failed run prunes nothing.
test_keep_runs_prunes_but_keeps_the_last_complete_run_of_each() {
	it_load_fleet && it_config "keep-runs = 2"
	rz sync schema && local full=$(js -r .run_id)
	rz sync data && local data=$(js -r .run_id)
	rz sync schema --env dev_billing_event && local r3=$(js -r .run_id)
	rz sync schema --env dev_billing_event && local r4=$(js -r .run_id)
	rz sync schema --env dev_billing_event && local r5=$(js -r .run_id)
	assert_eq "$RC" 0 "last run"
	grep -q "pruned 1 old run(s)" "$T/err.txt" || fail "prune not said: $(cat "$T/err.txt")"
	assert_eq "$(runs | tr '\n' ' ')" "$full $data $r4 $r5 " "runs kept"
	# a run that fails prunes nothing
	local port
	port=$(mdb_port s2)
	mdb_stop s2
	rz sync schema --env na_prod_billing --env dev_billing_event
	assert_eq "$RC" 3 "with s2 down"
	mdb_start s2 "$port" >/dev/null
	assert_eq "$(runs | wc -l)" 5 "runs after a failed run"
	# the failed run is the newest of na_prod_billing, the full run its
	# last complete one: both stay whatever the count
	rz history prune --keep 1
	assert_eq "$RC" 0 "prune: $(cat "$T/err.txt")"
	runs | grep -qx "$full" || fail "the last complete schema run of na_prod_billing was pruned"
	runs | grep -qx "$data" || fail "the last data run was pruned"
}

test_history_list_show_restore_and_undo() {
	it_load_fleet && it_config
	local f a b
	f=$(env_file dev_billing_bookkeeper fee_summary)
	rz sync schema && a=$(js -r .run_id)
	cp "$f" "$T/at_a"
	mdb_sql s1 -e "ALTER TABLE dev_billing_bookkeeper.fee_summary ADD COLUMN restore_probe varchar(20)"
	rz sync schema && b=$(js -r .run_id)
	assert_eq "$(js .significant_count)" 1 "the ALTER"
	cp "$f" "$T/at_b"
	rz history list --format json
	assert_eq "$(js -c '[.runs[] | [.run_id, .command, .outcome]]')" "[[\"$a\",\"schema\",\"ok\"],[\"$b\",\"schema\",\"ok\"]]" "list"
	rz history list
	grep -q "^$b  *schema .* ok$" "$T/out.json" || fail "text list: $(cat "$T/out.json")"
	rz history show latest --format json
	assert_eq "$(js -r .run_id)" "$b" "show latest"
	assert_eq "$(js -r '.tables.dev_billing_bookkeeper[] | select(.table == "fee_summary") | .status')" significant "show: table status"
	rz history show "$a"
	grep -q "significant\|new" "$T/out.json" && grep -q "^dev_billing_bookkeeper (dev): ok" "$T/out.json" ||
		fail "text show: $(head -20 "$T/out.json")"
	# restore A for one environment: the file is A's again, recorded as a run
	rz history restore "$a" --env dev_billing_bookkeeper --dry-run
	assert_eq "$RC" 0 "dry run"
	assert_file_eq "$f" "$T/at_b" "dry run wrote nothing"
	rz history restore "$a" --env dev_billing_bookkeeper
	assert_eq "$RC" 0 "restore: $(cat "$T/err.txt")"
	assert_eq "$(js -c .significant)" "[\"snap/dev/expected_data/billing_bookkeeper_fee_summary.sql\"]" "restored files"
	assert_eq "$(js .unchanged_count)" 3 "the environment's other tables"
	assert_file_eq "$f" "$T/at_a" "restored to run A"
	local rid=$(js -r .run_id)
	rz history list --command restore --format json
	assert_eq "$(js -c '[.runs[] | [.run_id, .restored_from]]')" "[[\"$rid\",\"$a\"]]" "the restore is a run"
	# and sync diff --against latest compares with the newest schema run (B)
	rz sync diff --against latest --env dev_billing_bookkeeper --format json
	assert_eq "$RC" 1 "diff against latest: drift: $(cat "$T/err.txt")"
	# undone by restoring the run before it
	rz history restore "$b" --env dev_billing_bookkeeper --table fee_summary
	assert_eq "$RC" 0 "undo"
	assert_file_eq "$f" "$T/at_b" "back to run B"
	assert_eq "$(js ".unchanged_count + .significant_count")" 1 "--table restores that table only"
	# usage errors say what is wrong
	rz history show 20000101T000000Z-000
	assert_eq "$RC" 2 "no such run"
	grep -q "no run 20000101T000000Z-000 in" "$T/err.txt" || fail "message: $(cat "$T/err.txt")"
	rz history restore "$a" --env nosuch
	assert_eq "$RC" 2 "unknown environment"
}

# DROP TABLE in one environment: data and schema syncs remove its files
# (status removed), versions and report see the environment without it,
# restore brings it back; --keep-removed keeps the file.
test_a_dropped_table_is_removed_and_restore_brings_it_back() {
	it_load_fleet && it_config
	local sql json first
	sql=$(env_file dev_billing_event event)
	json=${sql%.sql}.json
	rz sync schema && first=$(js -r .run_id)
	rz sync data
	[ -f "$json" ] || fail "no data file to start with"
	mdb_sql s1 -e "DROP TABLE dev_billing_event.event"
	rz sync data --env dev_billing_event
	assert_eq "$RC" 0 "data: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.removed_count, .removed]')" \
		'[1,[{"env":"dev_billing_event","table":"event","path":"snap/dev/expected_data/billing_event_event.json"}]]' "data removed"
	[ ! -e "$json" ] || fail "data file kept"
	[ -f "$sql" ] || fail "a data sync removed the schema file"
	rz sync schema
	assert_eq "$(js .removed_count) $(js .missing_count)" "1 1" "schema: removed (and demo's missing odd\`name)"
	[ ! -e "$sql" ] || fail "schema file kept"
	zstd -dcq "snap/.history/$(js -r .run_id)/dev_billing_event.jsonl.zst" |
		jq -r 'select(.table == "event") | .status + " " + (.body | startswith("CREATE TABLE") | tostring)' |
		grep -qx "removed true" || fail "the removal and its text not in the history"
	rz sync versions --table event --format json
	assert_eq "$(js -c '[.tables[0].versions[].environments[]] | index("dev_billing_event")')" null "versions still count dev"
	rz sync report --format json
	assert_eq "$(js -c '.pairs[] | select(.env == "dev_billing_event" and .table == "event") | [.status, .absent, .schema]')" \
		'["missing",true,false]' "report"
	rz sync schema
	assert_eq "$(js .removed_count)" 0 "removed once only"
	# restore the first schema run's text of that table
	rz history restore "$first" --env dev_billing_event --table event
	assert_eq "$RC" 0 "restore: $(cat "$T/err.txt")"
	assert_eq "$(js -c .new)" '["snap/dev/expected_data/billing_event_event.sql"]' "restored as new"
	[ -f "$sql" ] || fail "not restored"
	# --keep-removed keeps it
	rz sync schema --env dev_billing_event --keep-removed
	assert_eq "$(js .removed_count)" 1 "keep-removed still says removed"
	[ -f "$sql" ] || fail "--keep-removed removed the file"
	# a dry run says it and removes nothing
	rz sync schema --env dev_billing_event --dry-run
	assert_eq "$(js .removed_count)" 1 "dry run"
	[ -f "$sql" ] || fail "dry run removed the file"
}

# Every listed table gone from one environment's schema: far more likely
# an emptied schema or the wrong server than a team dropping them all, so
# nothing is deleted and each is an error saying why (exit 3).
test_an_environment_with_every_table_gone_keeps_its_files() {
	it_load_fleet && it_config
	rz sync schema && assert_eq "$RC" 0 "first run"
	mdb_sql s1 -e "DROP DATABASE dev_billing_event; CREATE DATABASE dev_billing_event"
	rz sync schema
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js .removed_count)" 0 "removed"
	assert_eq "$(js -c '[.errors[] | select(.env == "dev_billing_event") | .table] | sort')" \
		'["event","flyway_schema_history"]' "errors"
	js -r '.errors[0].message' | grep -qF 'not removed: none of the 2 listed tables exists in schema `dev_billing_event`' ||
		fail "message: $(js -r '.errors[0].message')"
	[ -f "$(env_file dev_billing_event event)" ] || fail "a file of the emptied schema was deleted"
}

# A history file is as editable as any: a line naming a table in no list
# (here a path out of the snapshot root), or whose body is not its
# sha256's, restores nothing of its environment (exit 3).
test_restore_refuses_lines_that_name_no_listed_table_or_lie() {
	it_load_fleet && it_config
	rz sync schema && local run=$(js -r .run_id)
	local z=snap/.history/$run/dev_billing_event.jsonl.zst
	zstd -dcq "$z" >lines
	jq -c 'if .table == "event" then .table = "x/../../../escaped" else . end' lines | zstd -q -f -o "$z"
	rz history restore "$run"
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	[ ! -e escaped.sql ] && [ ! -e "$T/escaped.sql" ] || fail "a file written outside the snapshot root"
	js -r '.errors[0].message' | grep -qF "nothing of it restored" || fail "message: $(js -c .errors)"
	assert_eq "$(js -c '[.errors[].env]')" '["dev_billing_event"]' "only that environment refused"
	jq -c 'if .table == "event" then .body = "CREATE TABLE `event` (x int)" else . end' lines | zstd -q -f -o "$z"
	rz history restore "$run" --env dev_billing_event
	assert_eq "$RC" 3 "a body that is not its sha256's"
	assert_eq "$(js .significant_count)" 0 "nothing restored"
}

# Restoring a run also brings back its absent tables: a table the run saw
# missing, put back by restoring an older run, goes again.
test_restoring_a_run_removes_what_it_found_missing() {
	it_load_fleet && it_config
	local sql a b
	sql=$(env_file dev_billing_event event)
	rz sync schema && a=$(js -r .run_id)
	mdb_sql s1 -e "DROP TABLE dev_billing_event.event"
	rz sync schema && b=$(js -r .run_id)
	[ ! -e "$sql" ] || fail "not removed"
	rz sync schema # now it is just missing
	local c=$(js -r .run_id)
	rz history restore "$a" --env dev_billing_event --table event
	[ -f "$sql" ] || fail "not restored"
	rz history restore "$c" --env dev_billing_event
	assert_eq "$RC" 0 "undo: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.removed[].table]')" '["event"]' "removed again"
	[ ! -e "$sql" ] || fail "the restore of a run that saw it missing kept it"
}

# A history folder that would hide the snapshots from git is refused
# before anything; one holding someone else's files gets no .gitignore.
test_history_folder_over_the_snapshots_is_refused() {
	it_load_fleet
	local h
	for h in . snap snap/dev/runs; do
		it_config "history = $h"
		rz sync schema
		assert_eq "$RC" 2 "history = $h: $(cat "$T/err.txt")"
		grep -qF "key 'history'" "$T/err.txt" || fail "message: $(cat "$T/err.txt")"
	done
	[ ! -e .gitignore ] && [ ! -e snap ] || fail "something written: $(ls -A)"
	mkdir shared && echo mine >shared/notes.txt
	it_config "history = shared"
	rz sync schema
	assert_eq "$RC" 0 "a shared history folder"
	[ ! -e shared/.gitignore ] || fail ".gitignore written over someone's files"
	grep -qF "no .gitignore written there" "$T/err.txt" || fail "not warned: $(cat "$T/err.txt")"
}

# A run that could not reach an environment has nothing of it to compare
# or restore: that is said, exit 3, never an empty success.
test_a_run_that_did_not_reach_an_environment_is_no_empty_success() {
	it_load_fleet && it_config
	rz sync schema && assert_eq "$RC" 0 "first run"
	local port
	port=$(mdb_port s2)
	mdb_stop s2
	rz sync schema --env na_prod_billing
	mdb_start s2 "$port" >/dev/null
	assert_eq "$RC" 3 "the failed run"
	local failed=$(js -r .run_id)
	rz sync diff --against latest --env na_prod_billing --format json
	assert_eq "$RC" 3 "diff against a run that did not reach it: $(cat "$T/err.txt")"
	js -r '.errors[0].message' | grep -qF "run $failed did not reach this environment" ||
		fail "diff message: $(js -c .errors)"
	rz history restore "$failed"
	assert_eq "$RC" 3 "restore of it"
	grep -qF "na_prod_billing: nothing of it restored: run $failed did not reach this environment" "$T/err.txt" ||
		fail "restore message: $(cat "$T/err.txt")"
	rz history restore "$failed" --table nosuch
	assert_eq "$RC" 2 "a --table in no list"
	grep -qF -- "--table nosuch: no table list" "$T/err.txt" || fail "message: $(cat "$T/err.txt")"
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
it_start_servers >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
it_run $TESTS
