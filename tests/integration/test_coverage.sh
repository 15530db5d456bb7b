#!/usr/bin/env bash
# Integration tests of coverage (issue 14), against two private MariaDB
# servers started here: globs in table lists and excludes, expanded per
# environment from the server's tables (and from the files by the
# commands that read files only); unlisted tables in the summary, the
# manifest, `sync check` (drift with --unlisted drift) and `sync report`; a
# listed table that no environment has, warned; `rhizome tables` output
# pasted back as a config that syncs cleanly; --shard K/N; --log-format
# json.
# Usage: test_coverage.sh [test_name...] (default: all).
set -u
source "$(dirname "$0")/lib.sh"

# The fixture gives every schema every table (lib.sh); the lists pick.
# Replace the billing_event list of the config with LINES.
set_event_list() { # LINES...
	awk -v repl="$(printf '%s\n' "$@")" '
		/^\[tables billing_event\]/ { print; print repl; skip = 1; next }
		/^\[/ { skip = 0 }
		skip && /^(tables|exclude|[ \t])/ { next }
		{ print }' "$T/rhizome.cnf" >"$T/cnf.new" && mv "$T/cnf.new" "$T/rhizome.cnf"
}

# The tables the fixture creates in each schema, sorted.
all_fixture_tables() {
	mdb_sql s1 -N -B -e "SELECT TABLE_NAME FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = 'dev_billing_event' AND TABLE_TYPE = 'BASE TABLE'
		ORDER BY BINARY TABLE_NAME"
}

test_a_glob_is_expanded_per_environment_and_exclude_takes_globs() {
	it_load_fleet && it_config
	mdb_sql s1 -e 'CREATE TABLE dev_billing_event.event_archive (id int PRIMARY KEY);
		CREATE TABLE dev_billing_event.event_tmp_1 (id int PRIMARY KEY)'
	set_event_list 'tables = event* flyway_schema_history' 'exclude = *_tmp_*'
	rz sync schema --env dev_billing_event --env demo_billing_event
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js -c '.new | sort')" \
		'["snap/demo/expected_data/billing_event_event.sql","snap/demo/expected_data/billing_event_flyway_schema_history.sql","snap/dev/expected_data/billing_event_event.sql","snap/dev/expected_data/billing_event_event_archive.sql","snap/dev/expected_data/billing_event_flyway_schema_history.sql"]' \
		"new files"
	server_create dev_billing_event event_archive >"$T/expected"
	assert_file_eq "$T/snap/dev/expected_data/billing_event_event_archive.sql" "$T/expected" \
		"the glob's table"
	[ -e "$T/snap/dev/expected_data/billing_event_event_tmp_1.sql" ] &&
		fail "excluded by a glob, yet written"
	# the excluded table is not unlisted either
	js -c '.unlisted[] | select(.table == "event_tmp_1")' | grep -q . &&
		fail "excluded table reported unlisted"
	# data: the same expansion, in the keys' round trip
	rz sync data --env dev_billing_event
	assert_eq "$RC" 0 "data: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.empty[].table] | index("event_archive") != null')" true \
		"event_archive is empty: $(cat "$T/out.json")"
	assert_eq "$(js -c '[.new[], .empty[].table] | length')" 3 "data: $(cat "$T/out.json")"
	# the commands that read files expand against the files there
	rz sync report --env dev_billing_event --format json
	assert_eq "$RC" 0 "report"
	js -c '[.. | objects | select(.table? == "event_archive")] | length' | grep -qv '^0$' ||
		fail "report does not show the glob's table: $(cat "$T/out.json")"
	rz verify --env dev_billing_event --format json
	assert_eq "$RC" 0 "verify: $(cat "$T/out.json")"
	# a table a glob gave, dropped: its file goes, as a listed one's would
	mdb_sql s1 -e 'DROP TABLE dev_billing_event.event_archive'
	rz sync schema --env dev_billing_event
	assert_eq "$RC" 0 "after the drop: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.removed[].table]')" '["event_archive"]' "removed"
	[ -e "$T/snap/dev/expected_data/billing_event_event_archive.sql" ] &&
		fail "the dropped table's file stayed"
	# a glob that matches nothing anywhere: a warning, in the summary too
	set_event_list 'tables = event evnt_* flyway_schema_history'
	rz sync schema --env dev_billing_event
	assert_eq "$RC" 0 "exit status"
	grep -qF "glob 'evnt_*' matches no table in any of the 1 environment(s) that answered (a typo?)" \
		"$T/err.txt" || fail "stderr: $(cat "$T/err.txt")"
	assert_eq "$(js -c '.absent')" '[{"database":"billing_event","pattern":"evnt_*","environments":1}]' \
		"absent"
}

test_unlisted_tables_in_summary_manifest_check_and_report() {
	it_load_fleet && it_config
	rz sync schema
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	# every schema has every fixture table; each list names some
	assert_eq "$(js -c '[.unlisted[] | select(.env == "dev_billing_event") | .table] | sort')" \
		'["fee_summary","invoice","ledger_entry","odd`name"]' "unlisted of dev_billing_event"
	assert_eq "$(js .unlisted_count)" "$(js '.unlisted | length')" "count"
	run=$(js -r .history)
	assert_eq "$(jq -c '.environments.na_prod_billing.unlisted' "$run/manifest.json")" \
		'["event","fee_summary","ledger_entry","odd`name"]' "manifest"
	# check: reported, not drift; drift with --unlisted drift
	rz sync check
	assert_eq "$RC" 0 "check: $(cat "$T/err.txt")"
	# 2 per bookkeeper, 4 per event environment, 4 in billing
	assert_eq "$(js .unlisted_count)" 22 "check's unlisted"
	rz sync check --unlisted drift --env dev_billing_event
	assert_eq "$RC" 1 "check --unlisted drift"
	assert_eq "$(js .unlisted_drift)" true "summary says why"
	assert_eq "$(js .drift_count)" 0 "no schema drift"
	# a table created later is unlisted in check, with no snapshot
	mdb_sql s2 -e 'CREATE TABLE na_prod_billing.new_thing (id int PRIMARY KEY)'
	rz sync check --env na_prod_billing
	assert_eq "$(js -c '[.unlisted[] | .table] | index("new_thing") != null')" true "new table"
	# the report reads the last run's manifest
	rz sync report
	assert_eq "$RC" 0 "report"
	grep -q 'Unlisted' "$T/out.json" || fail "report: $(cat "$T/out.json")"
	grep -q 'na_prod_billing: .*odd`name' "$T/out.json" || fail "report: $(cat "$T/out.json")"
	rz sync report --format json
	assert_eq "$(js -c '.unlisted.na_prod_billing.tables')" \
		'["event","fee_summary","ledger_entry","odd`name"]' "report json"
	# listed since (the lines pasted): no longer unlisted, before any sync
	set_list billing 'tables = invoice flyway_schema_history event fee_summary' \
		'exclude = ledger_entry odd`name new_thing'
	rz sync report --format json
	assert_eq "$(js -c '.unlisted.na_prod_billing.tables')" '[]' "report after listing"
	rz sync report
	grep -q 'na_prod_billing:' "$T/out.json" && fail "report text: $(cat "$T/out.json")"
	return 0
}

test_a_listed_table_absent_everywhere_is_warned() {
	it_load_fleet && it_config
	sed -i 's/^tables = event flyway_schema_history/tables = event flyway_schema_histroy/' "$T/rhizome.cnf"
	rz sync schema
	assert_eq "$RC" 0 "exit status (missing tables are reported, not failures)"
	grep -qF "table 'flyway_schema_histroy' exists in none of the 3 environment(s) that answered (a typo?)" \
		"$T/err.txt" || fail "stderr: $(cat "$T/err.txt")"
	grep -qF "rhizome.cnf:" "$T/err.txt" || fail "the warning names the config: $(cat "$T/err.txt")"
	assert_eq "$(js -c '.absent')" \
		'[{"database":"billing_event","table":"flyway_schema_histroy","environments":3}]' "absent"
	# absent from one environment only: no warning
	it_config
	rz sync schema
	grep -q warning "$T/err.txt" && fail "warned: $(cat "$T/err.txt")"
	assert_eq "$(js -c .absent)" '[]' "absent"
}

test_tables_prints_lists_that_sync_cleanly_when_pasted_back() {
	it_load_fleet && it_config
	mdb_sql s1 -e 'CREATE TABLE dev_billing_event.only_dev (id int PRIMARY KEY);
		CREATE TABLE dev_billing_event.`has space` (id int PRIMARY KEY);
		CREATE VIEW dev_billing_event.a_view AS SELECT 1 AS x'
	# the environments alone, no [tables] section: tables still works
	awk '/^\[tables/ { skip = 1; next } /^\[/ { skip = 0 } !skip' "$T/rhizome.cnf" >"$T/envs.cnf"
	rz --config "$T/envs.cnf" tables
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	cat "$T/out.json"
	grep -q '^\[tables billing_event\]$' "$T/out.json" || fail "no section"
	grep -q '^; only in some environments: only_dev (dev_billing_event)$' "$T/out.json" ||
		fail "partial table not marked"
	grep -qE '^; a glob only \(white space or \* \? \[ in the name, or over 64 bytes\):( has space)?$' \
		"$T/out.json" && grep -qE '^;( a glob only .*:)? +has space$' "$T/out.json" ||
		fail "odd name not marked"
	grep -q 'a_view' "$T/out.json" && fail "a view listed"
	awk 'length > 80' "$T/out.json" | grep . && fail "line over 80 columns"
	rz --config "$T/envs.cnf" tables --format json
	assert_eq "$(js -c '.environments.dev_billing_event.tables | index("only_dev") != null')" true "json"
	# pasted back: a config that syncs cleanly, nothing unlisted but the
	# name a list cannot hold
	{ cat "$T/envs.cnf"; "$RHIZOME" --config "$T/envs.cnf" tables; } >"$T/rhizome.cnf"
	rz sync schema
	assert_eq "$RC" 0 "sync of the pasted lists: $(cat "$T/err.txt")"
	assert_eq "$(js .error_count)" 0 "errors"
	assert_eq "$(js -c '[.unlisted[].table] | unique')" '["has space"]' "unlisted"
	# only_dev is in the list of all three billing_event environments;
	# demo never had odd`name
	assert_eq "$(js -c '[.missing[] | "\(.env).\(.table)"] | sort')" \
		'["demo_billing_bookkeeper.odd`name","demo_billing_event.only_dev","na_prod_billing_event.only_dev"]' \
		"missing"
	rz sync check
	assert_eq "$RC" 0 "check after"
	# an environment that does not answer: its error, exit 3, the rest listed
	local port
	port=$(mdb_port s2)
	mdb_stop s2
	rz --config "$T/envs.cnf" tables
	mdb_start s2 "$port" >/dev/null
	assert_eq "$RC" 3 "exit status with na_prod down"
	grep -q '^# na_prod_billing:' "$T/out.json" || fail "error not said: $(cat "$T/out.json")"
	awk 'length > 80' "$T/out.json" | grep . && fail "an error line over 80 columns"
	# pasted with the error in it, every line still reads (a database no
	# environment answered for has no list yet: rhizome tables loads it)
	{ cat "$T/envs.cnf"; cat "$T/out.json"; } >"$T/with-error.cnf"
	rz --config "$T/with-error.cnf" --quiet tables
	assert_eq "$RC" 0 "the pasted output with an error loads: $(cat "$T/err.txt")"
	grep -q '^\[tables billing_event\]$' "$T/out.json" || fail "the rest"
}

test_shards_are_disjoint_their_union_the_fleet_and_stable() {
	it_config
	local n k all=""
	for n in 1 2 3 7; do
		all=""
		for k in $(seq 0 $((n - 1))); do
			rz --shard "$k/$n" --quiet status --format json
			assert_eq "$RC" 0 "status in shard $k/$n: $(cat "$T/err.txt")"
			all="$all $(js -r '.environments[].env')"
			# stable: the same again
			js -r '.environments[].env' >"$T/first"
			rz --shard "$k/$n" --quiet status --format json
			js -r '.environments[].env' | cmp -s - "$T/first" || fail "shard $k/$n not stable"
		done
		assert_eq "$(echo $all | tr ' ' '\n' | sort | tr '\n' ' ')" \
			"$(echo $ALL_ENVS | tr ' ' '\n' | sort | tr '\n' ' ')" "union of $n shards (disjoint)"
	done
	for bad in 3/3 -1/2 a/2 1 /2 1/0 2/1025; do
		rz --shard "$bad" status
		assert_eq "$RC" 2 "--shard $bad"
		grep -qF -- "--shard wants K/N" "$T/err.txt" || fail "message for $bad: $(cat "$T/err.txt")"
	done
	# a shard is a sync too: only its environments are contacted
	it_load_fleet
	rz --shard 0/2 sync schema
	assert_eq "$RC" 0 "sync of a shard"
	rz --shard 0/2 --quiet status --format json
	assert_eq "$(js -r '[.environments[].env] | sort | join(" ")')" \
		"$(jq -r '.environments | keys | join(" ")' "$(ls -d "$T"/snap/.history/2*/ | tail -1)manifest.json")" \
		"the shard's environments synced"
}

test_log_format_json_events_of_a_run_with_a_failure_and_a_retry() {
	local events
	it_load_fleet && it_config "retries = 1" "lock-wait-timeout = 1"
	# na_prod's server goes away: its environments fail to connect
	local port
	port=$(mdb_port s2)
	mdb_stop s2
	# a write lock held elsewhere on a table of dev: 1205, retried
	mdb_sql s1 -e 'LOCK TABLES dev_billing_event.event WRITE; SELECT SLEEP(5)' >/dev/null &
	sleep 1
	rz --log-format json sync data
	wait
	mdb_start s2 "$port" >/dev/null
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	[ -s "$T/err.txt" ] || fail "no events"
	while IFS= read -r line; do
		printf '%s\n' "$line" | jq -e 'type == "object" and .log_version == 2 and
			(.run_id | type == "string") and (.event | type == "string") and
			(.ts | test("^[0-9-]+T[0-9:.]+Z$"))' >/dev/null || fail "not an event: $line"
	done <"$T/err.txt"
	ev() { jq -s -c "$1" "$T/err.txt"; }
	events=$(ev '[.[].event] | unique')
	assert_eq "$(ev '.[0].event')" '"run_start"' "first event: $events"
	assert_eq "$(ev '.[-1].event')" '"run_end"' "last event: $events"
	assert_eq "$(ev '[.[] | select(.event == "env_start") | .env] | sort | join(" ")')" \
		"\"$(echo $ALL_ENVS | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')\"" "env_start per environment"
	assert_eq "$(ev '[.[] | select(.event == "env_end")] | length')" 7 "env_end"
	assert_eq "$(ev '[.[] | select(.event == "env_end" and .env == "na_prod_billing") | .outcome]')" \
		'["failed"]' "na_prod's end"
	assert_eq "$(ev '[.[] | select(.event == "env_end" and .env == "dev_billing_bookkeeper") | .outcome]')" \
		'["done"]' "dev's end"
	assert_eq "$(ev '[.[] | select(.event == "table_error" and .env == "na_prod_billing") | .unreached] | unique')" \
		'[true]' "na_prod's table errors"
	assert_eq "$(ev '[.[] | select(.event == "retry" and .env == "dev_billing_event") | [.table, .code, .attempt]]')" \
		'[["event",1205,1]]' "the lock's retry"
	assert_eq "$(ev '[.[] | select(.event == "table_error" and .env == "dev_billing_event") | [.table, .code, .attempts]]')" \
		'[["event",1205,2]]' "the lock's error"
	assert_eq "$(ev '[.[] | select(.event == "progress") | .percent] | max')" 100 "progress"
	assert_eq "$(ev '[.[] | select(.event == "run_end") | .exit_code]')" '[3]' "run_end's exit code"
	assert_eq "$(ev '[.[] | .run_id] | unique')" "[\"$(js -r .run_id)\"]" "run_id as the summary's"
	# a usage error, and a line of text, are events too
	rz --log-format json sync schema --rows 3
	assert_eq "$RC" 2 "usage"
	assert_eq "$(ev '[.[] | .event]')" '["message","message","run_end"]' "usage error events"
	assert_eq "$(ev '[.[0:2][] | .level]')" '["error","info"]' "levels: $(cat "$T/err.txt")"
	assert_eq "$(ev '.[0].message')" "\"rhizome: --rows does not apply to sync schema: it is sync data's only\"" "message"
	assert_eq "$(ev '.[-1].run_id')" null "no run yet"
	# the option as getopt reads it: abbreviated, and the last one wins
	rz --log-form json --quiet status
	assert_eq "$(ev '[.[] | .event] | .[-1]')" '"run_end"' "--log-form json: $(cat "$T/err.txt")"
	rz --log-format json --log-format text --out "$T/nowhere" status
	grep -q '^{' "$T/err.txt" && fail "the last --log-format was text: $(cat "$T/err.txt")"
	# a glob's count comes when the lookup expanded it
	set_event_list 'tables = event f*'
	rz --log-format json sync schema --env dev_billing_event
	assert_eq "$RC" 0 "glob run: $(cat "$T/err.txt")"
	assert_eq "$(ev '[.[] | select(.event == "run_start" or .event == "env_start" or .event == "env_tables") | [.event, .tables]]')" \
		'[["run_start",null],["env_start",null],["env_tables",3]]' "counts"
}

# Replace the list of database DB (a section header's name) with LINES.
set_list() { # DB LINES...
	local db=$1
	shift
	awk -v db="$db" -v repl="$(printf '%s\n' "$@")" '
		$0 == "[tables " db "]" { print; print repl; skip = 1; next }
		/^\[/ { skip = 0 }
		skip && /^(tables|exclude|[ \t])/ { next }
		{ print }' "$T/rhizome.cnf" >"$T/cnf.new" && mv "$T/cnf.new" "$T/rhizome.cnf"
}

# billing and billing_event share folder na_prod: billing_event_zzz.sql can be
# billing's event_zzz or billing_event's zzz. A glob never takes the file
# another environment owns, and a table whose file would be another's
# fails, its error naming both and the file.
test_a_glob_never_takes_another_environments_file() {
	it_load_fleet && it_config
	mdb_sql s2 -e 'CREATE TABLE na_prod_billing.event_zzz (id int PRIMARY KEY)'
	set_list billing 'tables = invoice event_zzz'
	set_list billing_event 'tables = event z*'
	rz sync schema --env na_prod_billing --env na_prod_billing_event
	assert_eq "$RC" 0 "first run: $(cat "$T/err.txt")"
	server_create na_prod_billing event_zzz >"$T/expected"
	assert_file_eq "$T/snap/na_prod/expected_data/billing_event_zzz.sql" "$T/expected" \
		"billing's event_zzz"
	# billing_event's glob z* would match the file's zzz: not its file
	rz sync schema --env na_prod_billing_event
	assert_eq "$RC" 0 "billing_event alone: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.removed[], .missing[]] | length')" 0 "nothing removed: $(cat "$T/out.json")"
	assert_file_eq "$T/snap/na_prod/expected_data/billing_event_zzz.sql" "$T/expected" \
		"the file stays billing's"
	rz sync report --env na_prod_billing_event --format json
	grep -q zzz "$T/out.json" && fail "report counts billing's file as billing_event's: $(cat "$T/out.json")"
	# billing_event's server gets a zzz: its file would be billing's
	mdb_sql s2 -e 'CREATE TABLE na_prod_billing_event.zzz (id int PRIMARY KEY, x int)'
	rz sync schema --env na_prod_billing_event
	assert_eq "$RC" 3 "a clash is a table error"
	assert_eq "$(js -c '[.errors[] | .table]')" '["zzz"]' "the clashing table"
	grep -qF "environments 'na_prod_billing_event' and 'na_prod_billing' would both write na_prod/expected_data/billing_event_zzz.sql (table 'zzz' of database 'billing_event', table 'event_zzz' of database 'billing')" \
		"$T/err.txt" || fail "message: $(cat "$T/err.txt")"
	assert_file_eq "$T/snap/na_prod/expected_data/billing_event_zzz.sql" "$T/expected" \
		"billing's file untouched"
	assert_file_eq "$T/snap/na_prod/expected_data/billing_event_event.sql" \
		<(server_create na_prod_billing_event event) "the rest synced"
	# a glob of the shorter database: billing_event owns billing_event_*
	set_list billing 'tables = invoice event_*'
	set_list billing_event 'tables = event'
	mdb_sql s2 -e 'CREATE TABLE na_prod_billing.event_q (id int PRIMARY KEY)'
	rz sync schema --env na_prod_billing
	assert_eq "$RC" 3 "billing's event_q would write billing_event's file"
	assert_eq "$(js -c '[.errors[] | .table] | sort')" '["event_q","event_zzz"]' \
		"both of billing's event_ tables: $(cat "$T/out.json")"
	[ -e "$T/snap/na_prod/expected_data/billing_event_q.sql" ] && fail "event_q written"
	grep -qF "its file na_prod/expected_data/billing_event_q.sql would read as table 'q' of database 'billing_event' (environment 'na_prod_billing_event': in a shared folder the longer database owns the name); exclude 'event_q' in [tables billing]" \
		"$T/err.txt" || fail "the owner's list lacks the name: $(cat "$T/err.txt")"
	assert_file_eq "$T/snap/na_prod/expected_data/billing_event_zzz.sql" "$T/expected" \
		"a failed table's file stays"
	# now no list owns billing_event_zzz.sql (billing_event's takes the
	# name, and lacks zzz): verify calls it an orphan
	rz verify --format json
	assert_eq "$(js -c '[.findings[] | select(.kind == "orphan") | .path]')" \
		'["snap/na_prod/expected_data/billing_event_zzz.sql"]' "orphan: $(cat "$T/out.json")"
}

# A server's table a glob matches but no file could hold is left out with
# a warning naming it; the run goes on and exits 0; rhizome tables names it
# for renaming.
test_glob_names_no_file_can_hold_are_left_out_with_a_warning() {
	it_load_fleet && it_config
	mdb_sql s1 -e 'CREATE TABLE dev_billing_event.`ev/x` (id int PRIMARY KEY);
		CREATE TABLE dev_billing_event.`ev
nl` (id int PRIMARY KEY);
		CREATE TABLE dev_billing_event.ev_ok (id int PRIMARY KEY)'
	set_list billing_event 'tables = ev*'
	rz sync schema --env dev_billing_event
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	grep -qF "rhizome: warning: dev_billing_event: table 'ev/x' of schema \`dev_billing_event\` matches a glob but is left out: its name is not a safe file name" \
		"$T/err.txt" || fail "ev/x: $(cat "$T/err.txt")"
	grep -qF "table 'ev\\x0anl' of schema" "$T/err.txt" || fail "newline name: $(cat "$T/err.txt")"
	assert_eq "$(js -c '.new | sort')" \
		'["snap/dev/expected_data/billing_event_ev_ok.sql","snap/dev/expected_data/billing_event_event.sql"]' \
		"the rest written"
	assert_eq "$(ls "$T/snap/dev/expected_data" | grep -c '^billing_event_ev')" 2 "no odd file"
	rz tables --env dev_billing_event
	grep -qF '; no snapshot (not a safe file name: rename it): ev\x0anl, ev/x' "$T/out.json" ||
		fail "rhizome tables: $(cat "$T/out.json")"
}

# rhizome tables reads each server's catalog only, globs or not: one round
# trip per environment, nothing fetched, nothing written.
test_tables_with_a_glob_list_fetches_no_table() {
	it_load_fleet && it_config
	set_list billing_event 'tables = e* f*'
	rz tables --format json
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js .round_trips)" 7 "one round trip per environment: $(cat "$T/out.json")"
	[ -e "$T/snap" ] && [ -n "$(find "$T/snap" -name '*.sql')" ] && fail "files written"
	assert_eq "$(js -c '.environments.dev_billing_event.tables | index("event") != null')" true \
		"the catalog"
}

# A shard with none of the environments selected has nothing to do: exit
# 0, no lock, no run published.
test_an_empty_shard_does_nothing() {
	it_load_fleet && it_config
	local k empty="" ran=""
	for k in 0 1; do
		rz --shard "$k/2" sync schema --env na_prod_billing
		assert_eq "$RC" 0 "shard $k/2: $(cat "$T/err.txt")"
		if grep -qF "shard $k/2 has none of the 1 environment(s) selected: nothing to do" "$T/err.txt"; then
			empty=$k
			[ -s "$T/out.json" ] && fail "a summary of nothing: $(cat "$T/out.json")"
		else
			ran=$k
		fi
	done
	[ -n "$empty" ] && [ -n "$ran" ] || fail "one environment, two shards: one empty ($empty), one ran ($ran)"
	# what was published is the shard that ran: one run
	assert_eq "$(ls "$T/snap/.history" | grep -c '^2')" 1 "runs published"
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
it_start_servers >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
it_run $TESTS
