#!/usr/bin/env bash
# Integration tests of `rhizome status`: each environment's last runs and
# schema hash, read from the files that real syncs against two MariaDB
# servers (started here) left, and the exit status --max-age gives on a
# fresh root, after a good run, a failed, a partial, a stale and a
# never-run environment.
# Usage: test_status.sh [test_name...] (default: all).
set -u
source "$(dirname "$0")/lib.sh"

manifest_of() { echo "$T/snap/.history/$1/manifest.json"; }

# Move run RUN's start and end to DATE_SPEC ago ("3 days").
age_run() { # RUN DATE_SPEC
	local m t
	m=$(manifest_of "$1")
	t=$(date -u -d "$2 ago" +%Y-%m-%dT%H:%M:%SZ)
	jq --arg t "$t" '.started_at = $t | .finished_at = $t' "$m" >"$m.new" &&
		mv "$m.new" "$m" || fail "cannot age $m"
}

# One environment's entry of the last `status --format json`.
env_js() { # ENV JQ-FILTER
	js --arg e "$1" -c ".environments[] | select(.env == \$e) | $2"
}

# Every line of the last text output fits 80 columns, without trailing
# blanks.
assert_fits_80() {
	local wide
	wide=$(awk 'length > 80' "$T/out.json")
	[ -z "$wide" ] || fail "lines wider than 80 columns: $wide"
	grep -n ' $' "$T/out.json" && fail "trailing blanks"
	return 0
}

test_fresh_root_records_no_run_and_max_age_exits_1() {
	it_config
	rz status
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	grep -qF "History snap/.history: no run is recorded here" "$T/out.json" ||
		fail "header: $(cat "$T/out.json")"
	grep -qF '(the history is local: a fresh clone has none; run `rhizome sync schema`).' \
		"$T/out.json" || fail "header: $(cat "$T/out.json")"
	assert_eq "$(grep -c '^  no run recorded here$' "$T/out.json")" 7 "per environment"
	assert_fits_80
	rz status --max-age 1h
	assert_eq "$RC" 1 "exit status with --max-age"
	assert_eq "$(grep -c '^[a-z_]*: no schema or data run recorded here$' "$T/out.json")" 7 \
		"problems: $(cat "$T/out.json")"
	grep -q '^--max-age 1h: 7 of 7 environments need attention:$' "$T/out.json" ||
		fail "problem header: $(cat "$T/out.json")"
	rz status --max-age 1h --format json
	assert_eq "$RC" 1 "exit status as JSON"
	assert_eq "$(js .problems)" 7 "problems"
	assert_eq "$(js .recorded)" false "recorded"
	assert_eq "$(js -c '[.environments[] | [.schema_hash, .schema_tables, .judged, .healthy]] | unique')" \
		'[[null,0,null,false]]' "environments"
}

# A fresh clone: the snapshots are there, the history is not. No run is
# recorded, and the schema hash is the same as where the runs happened.
test_fresh_clone_has_no_run_but_the_same_schema_hash() {
	it_load_fleet && it_config
	rz sync schema
	rz status --format json
	js -c '[.environments[] | [.env, .schema_hash, .schema_tables]]' >before
	rm -rf snap/.history
	rz status --format json
	assert_eq "$RC" 0 "exit status"
	assert_eq "$(js .recorded)" false "recorded"
	js -c '[.environments[] | [.env, .schema_hash, .schema_tables]]' >after
	assert_file_eq after before "hashes"
	rz status --max-age 1h
	assert_eq "$RC" 1 "exit status with --max-age"
}

test_good_sync_schema_is_ok_and_healthy() {
	it_load_fleet && it_config
	rz sync schema
	assert_eq "$RC" 0 "sync: $(cat "$T/err.txt")"
	local run hash
	run=$(js -r .run_id)
	rz status --max-age 1h --format json
	assert_eq "$RC" 0 "exit status: $(cat "$T/out.json")"
	assert_eq "$(js .problems)" 0 "problems"
	assert_eq "$(js .runs_recorded)" 1 "runs recorded"
	assert_eq "$(js --arg r "$run" -c '[.environments[] | select(.runs.schema.run_id != $r
		or .runs.schema.outcome != "ok" or .healthy != true or .judged != "schema"
		or .runs.schema.age_s > 60 or (.runs | keys) != ["schema"]) | .env]')" '[]' \
		"every environment judged on that run, ok: $(cat "$T/out.json")"
	assert_eq "$(env_js dev_billing_bookkeeper '[.runs.schema.counts.new, .runs.schema.counts.error, .runs.schema.tables, .schema_tables]')" \
		'[4,0,4,4]' "dev_billing_bookkeeper counts"
	assert_eq "$(env_js demo_billing_bookkeeper '[.runs.schema.counts.new, .runs.schema.counts.missing, .schema_tables]')" \
		'[3,1,3]' "demo lacks odd\`name"
	assert_eq "$(env_js na_prod_billing '.runs.schema.finished_at')" \
		"$(jq -r .finished_at "$(manifest_of "$run")")" "finished_at"
	hash=$(env_js na_prod_billing '.schema_hash')
	[[ $hash =~ ^[0-9a-f]{64}$ ]] || fail "hash: $hash"
	rz status --max-age 1h
	assert_eq "$RC" 0 "text: exit status"
	grep -q "^na_prod_billing  schema hash ${hash:0:12} (2 .sql)$" "$T/out.json" ||
		fail "hash line: $(cat "$T/out.json")"
	grep -qE "^  schema   $run  [0-9-]{10} [0-9:]{5}  [0-9]+s +ok       4 new$" "$T/out.json" ||
		fail "run line: $(cat "$T/out.json")"
	grep -q '^--max-age 1h: every environment is healthy\.$' "$T/out.json" ||
		fail "verdict: $(cat "$T/out.json")"
	assert_fits_80
}

# na_prod's server does not answer (its port is closed): the run is
# published with na_prod unreached, and --max-age names those three as
# failed while the others are healthy.
test_unreached_environment_is_failed() {
	it_load_fleet && it_config
	local closed run code
	closed=$(_mdb_free_port) || fail "no free port"
	sed -i "s/^port = .*/port = $closed/" rhizome.cnf
	rz sync schema
	assert_eq "$RC" 3 "sync exit status"
	run=$(js -r .run_id)
	rz status
	assert_eq "$RC" 0 "without --max-age: exit status"
	rz status --max-age 1h --format json
	assert_eq "$RC" 1 "exit status"
	assert_eq "$(js .problems)" 3 "problems"
	assert_eq "$(js -c '[.environments[] | select(.healthy == false) | .env]')" \
		'["na_prod_billing","na_prod_billing_bookkeeper","na_prod_billing_event"]' "unhealthy"
	assert_eq "$(env_js na_prod_billing '[.runs.schema.outcome, .runs.schema.counts.error]')" \
		'["failed",2]' "na_prod_billing's run"
	code=$(env_js na_prod_billing .runs.schema.unreached.code)
	case $code in 2002|2003) ;; *) fail "error code $code" ;; esac
	assert_eq "$(env_js na_prod_billing .problem)" \
		"last schema run $run failed: the server was not reached (error $code)" "problem"
	rz status --max-age 1h
	assert_eq "$RC" 1 "text: exit status"
	grep -q "^na_prod_billing: last schema run $run failed: the server was not" "$T/out.json" ||
		fail "problem line: $(cat "$T/out.json")"
	grep -qF "    not reached: $code cannot connect to 127.0.0.1:$closed" "$T/out.json" ||
		fail "why: $(cat "$T/out.json")"
	grep -q '^dev_billing_event:' "$T/out.json" && fail "a healthy environment named"
	assert_fits_80
}

# Hold LOCK TABLES dev_billing_event.event WRITE elsewhere, as a migration
# would, until unlock_event; returns once the lock is held.
lock_event() {
	mdb_sql s1 -e "LOCK TABLES dev_billing_event.event WRITE; SELECT SLEEP(60)" \
		>/dev/null 2>&1 &
	LOCKER_PID=$!
	trap unlock_event EXIT
	for _ in $(seq 50); do
		mdb_sql s1 -N -e "SHOW PROCESSLIST" | grep -q "SLEEP(60)" && return 0
		sleep 0.1
	done
	fail "the lock was not taken"
}

unlock_event() {
	local id
	[ -n "${LOCKER_PID:-}" ] || return 0
	id=$(mdb_sql s1 -N -e "SELECT id FROM information_schema.processlist
		WHERE info LIKE 'SELECT SLEEP(60)%'")
	[ -n "$id" ] && mdb_sql s1 -e "KILL $id" 2>/dev/null
	wait "$LOCKER_PID" 2>/dev/null
	LOCKER_PID=""
}

# One table of two fails (a lock held elsewhere, a 1 s lock wait, no
# retry): the data run is partial, and --max-age says so.
test_one_failed_table_makes_the_run_partial() {
	it_load_fleet && it_config "lock-wait-timeout = 1" "retries = 0"
	local run
	lock_event
	rz sync data --env dev_billing_event
	unlock_event
	assert_eq "$RC" 3 "sync exit status: $(cat "$T/err.txt")"
	run=$(js -r .run_id)
	rz status --env dev_billing_event --max-age 1h --format json
	assert_eq "$RC" 1 "exit status: $(cat "$T/out.json")"
	assert_eq "$(env_js dev_billing_event '[.judged, .runs.data.outcome, .runs.data.tables, .runs.data.counts.error]')" \
		'["data","partial",2,1]' "the run"
	assert_eq "$(env_js dev_billing_event '[.runs.data.errors[] | [.table, .code]]')" \
		'[["event",1205]]' "errors"
	assert_eq "$(env_js dev_billing_event .problem)" \
		"last data run $run was partial: 1 of 2 tables failed" "problem"
	rz status --env dev_billing_event --max-age 1h
	assert_eq "$RC" 1 "text: exit status"
	grep -q "^dev_billing_event: last data run $run was partial: 1 of 2 tables" "$T/out.json" ||
		fail "problem line: $(cat "$T/out.json")"
	grep -q '^    ! event: 1205 Lock wait timeout exceeded' "$T/out.json" ||
		fail "error line: $(cat "$T/out.json")"
	grep -A1 "^  data     $run  .*  partial$" "$T/out.json" |
		grep -q '^           1 empty, 1 error$' ||
		fail "run line: $(cat "$T/out.json")"
	assert_fits_80
	# the same run judged by --command schema: there is none
	rz status --env dev_billing_event --max-age 1h --command schema --format json
	assert_eq "$RC" 1 "--command schema"
	assert_eq "$(env_js dev_billing_event .problem)" 'no schema run recorded here' "schema"
}

test_stale_run_exits_1_past_max_age_only() {
	it_load_fleet && it_config
	local run
	rz sync schema
	run=$(js -r .run_id)
	age_run "$run" "3 days"
	rz status --max-age 26h --format json
	assert_eq "$RC" 1 "exit status"
	assert_eq "$(js .problems)" 7 "problems"
	assert_eq "$(js -c '[.environments[].problem] | unique')" \
		"[\"last schema run $run ended 3d 00h ago, older than --max-age 26h\"]" "problems"
	assert_eq "$(js -c '[.environments[].runs.schema.age_s >= 259200] | unique')" '[true]' "age"
	rz status --max-age 26h
	assert_eq "$RC" 1 "text: exit status"
	# problem lines are wrapped at 80 columns
	grep -q "^na_prod_billing: last schema run $run ended 3d 00h ago, older$" "$T/out.json" ||
		fail "problem line: $(cat "$T/out.json")"
	assert_eq "$(grep -c '^    than --max-age 26h$' "$T/out.json")" 3 "wrapped lines"
	grep -qE "^  schema   $run  [0-9-]{10} [0-9:]{5}  3d 00h   ok " "$T/out.json" ||
		fail "run line: $(cat "$T/out.json")"
	assert_fits_80
	rz status --max-age 4d
	assert_eq "$RC" 0 "--max-age 4d: $(cat "$T/out.json")"
	rz status
	assert_eq "$RC" 0 "without --max-age"
}

test_never_run_environment_exits_1() {
	it_load_fleet && it_config
	rz sync schema --env dev_billing_event
	assert_eq "$RC" 0 "sync"
	rz status --env dev_billing_event --max-age 1h
	assert_eq "$RC" 0 "the environment that ran: $(cat "$T/out.json")"
	rz status --env dev_billing_bookkeeper --max-age 1h
	assert_eq "$RC" 1 "the one that never ran"
	grep -q '^dev_billing_bookkeeper: no schema or data run recorded here$' "$T/out.json" ||
		fail "problem: $(cat "$T/out.json")"
	rz status --max-age 1h --format json
	assert_eq "$RC" 1 "all"
	assert_eq "$(js .problems)" 6 "problems"
	assert_eq "$(js -c '[.environments[] | select(.healthy) | .env]')" '["dev_billing_event"]' "healthy"
}

# Same .sql files, another root (other folder, paths, mtimes): the same
# hashes. AUTO_INCREMENT moving changes nothing; an ALTER TABLE changes
# that environment's hash and no other.
test_schema_hash_equal_across_roots_and_changed_by_alter() {
	it_load_fleet && it_config
	local f
	rz sync schema
	rz status --format json
	js -c '[.environments[] | [.env, .schema_hash, .schema_tables]]' >h1
	assert_eq "$(js -c '[.environments[].schema_hash | test("^[0-9a-f]{64}$")] | unique')" '[true]' "hex"
	# the same schema on two servers gives the same hash
	assert_eq "$(env_js dev_billing_event .schema_hash)" \
		"$(env_js na_prod_billing_event .schema_hash)" "dev and na_prod billing_event"
	mkdir -p other/root
	cp -r snap/dev snap/demo snap/na_prod other/root/
	find other/root -name '*.sql' -exec touch -d '2001-02-03 04:05' {} +
	rz --out other/root status --format json
	assert_eq "$RC" 0 "other root: $(cat "$T/err.txt")"
	assert_eq "$(js .recorded)" false "the copy has no history"
	js -c '[.environments[] | [.env, .schema_hash, .schema_tables]]' >h2
	assert_file_eq h2 h1 "hashes of the copy"
	# AUTO_INCREMENT moves, the file is rewritten, the hash stays
	f=$(env_file dev_billing_bookkeeper fee_summary)
	cp "$f" fee_before
	mdb_sql s1 -e "INSERT INTO dev_billing_bookkeeper.fee_summary (account_id) VALUES (5)"
	rz sync schema --env dev_billing_bookkeeper --write-trivial
	assert_eq "$RC" 0 "sync --write-trivial"
	cmp -s "$f" fee_before && fail "the file did not change: $(cat "$f")"
	rz status --format json
	js -c '[.environments[] | [.env, .schema_hash, .schema_tables]]' >h3
	assert_file_eq h3 h1 "hashes after AUTO_INCREMENT moved"
	# an ALTER TABLE: that environment's hash changes, no other
	mdb_sql s1 -e "ALTER TABLE dev_billing_event.event ADD COLUMN source varchar(40) NULL"
	rz sync schema --env dev_billing_event
	assert_eq "$RC" 0 "sync after ALTER"
	rz status --format json
	js -c '[.environments[] | [.env, .schema_hash, .schema_tables]]' >h4
	assert_eq "$(jq -c --slurpfile a h1 '[. as $b | range(length) | select($b[.] != $a[0][.]) | $b[.][0]]' h4)" \
		'["dev_billing_event"]' "changed hashes"
}

test_json_parses_and_env_limits_output() {
	it_load_fleet && it_config
	rz sync schema --env dev_billing_event --env na_prod_billing
	rz status --env na_prod_billing --format json
	assert_eq "$RC" 0 "exit status"
	jq -e 'type == "object"' "$T/out.json" >/dev/null || fail "not JSON: $(cat "$T/out.json")"
	assert_eq "$(js -c '[.environments[].env]')" '["na_prod_billing"]' "environments"
	assert_eq "$(js -c '.environments[0] | [.folder, .database, (.runs | keys)]')" \
		'["na_prod","billing",["schema"]]' "entry"
	assert_eq "$(js -c '[.max_age_s, .problems, .command]')" '[null,0,null]' "no judging"
	rz status --env na_prod_billing --env dev_billing_event
	assert_eq "$RC" 0 "text"
	assert_eq "$(grep -c '  schema hash ' "$T/out.json")" 2 "two environments shown"
	grep -q '^dev_billing_event  schema hash ' "$T/out.json" || fail "dev_billing_event"
	grep -q 'bookkeeper' "$T/out.json" && fail "an environment not asked for: $(cat "$T/out.json")"
	return 0
}

# --command data judges the data run, whatever the schema run says; without
# it the newest schema or data run is judged.
test_command_data_is_judged_when_given() {
	it_load_fleet && it_config
	local schema_run data_run
	rz sync schema --env dev_billing_event
	schema_run=$(js -r .run_id)
	rz status --env dev_billing_event --max-age 1h --command data --format json
	assert_eq "$RC" 1 "no data run yet"
	assert_eq "$(env_js dev_billing_event '[.judged, .problem]')" \
		'[null,"no data run recorded here"]' "no data run"
	rz status --env dev_billing_event --max-age 1h
	assert_eq "$RC" 0 "the schema run is judged"
	rz sync data --env dev_billing_event
	assert_eq "$RC" 0 "sync data: $(cat "$T/err.txt")"
	data_run=$(js -r .run_id)
	age_run "$schema_run" "3 days"
	rz status --env dev_billing_event --max-age 26h --format json
	assert_eq "$RC" 0 "the newest run (data) is judged: $(cat "$T/out.json")"
	assert_eq "$(env_js dev_billing_event '[.judged, .runs.data.run_id, .runs.schema.run_id]')" \
		"[\"data\",\"$data_run\",\"$schema_run\"]" "judged"
	rz status --env dev_billing_event --max-age 26h --command data
	assert_eq "$RC" 0 "--command data"
	rz status --env dev_billing_event --max-age 26h --command schema --format json
	assert_eq "$RC" 1 "--command schema"
	assert_eq "$(env_js dev_billing_event '[.judged, .problem]')" \
		"[\"schema\",\"last schema run $schema_run ended 3d 00h ago, older than --max-age 26h\"]" \
		"schema judged"
}

# A restore is recorded as a run and shown, but it is not a sync: alone it
# does not make an environment healthy.
test_restore_is_shown_but_not_judged() {
	it_load_fleet && it_config
	local run
	rz sync schema --env dev_billing_event
	run=$(js -r .run_id)
	age_run "$run" "3 days"
	rz history restore "$run" --env dev_billing_event
	assert_eq "$RC" 0 "restore: $(cat "$T/err.txt")"
	rz status --env dev_billing_event --max-age 26h --format json
	assert_eq "$RC" 1 "the old schema run is judged: $(cat "$T/out.json")"
	assert_eq "$(env_js dev_billing_event '[(.runs | keys), .judged, .runs.restore.outcome]')" \
		'[["restore","schema"],"schema","ok"]' "runs"
	rz status --env dev_billing_event --max-age 26h --command restore
	assert_eq "$RC" 0 "--command restore"
}

# The history folder exists but cannot be read (a file in its place): exit
# 4 with the path; `history = PATH` moves it.
test_unreadable_history_exits_4_and_history_path_is_followed() {
	it_load_fleet && it_config "history = $T/elsewhere"
	rz sync schema --env dev_billing_event
	assert_eq "$RC" 0 "sync"
	[ -d "$T/elsewhere" ] || fail "history not in $T/elsewhere"
	rz status --env dev_billing_event --max-age 1h
	assert_eq "$RC" 0 "status: $(cat "$T/out.json")"
	grep -qF "History $T/elsewhere: 1 run recorded." "$T/out.json" ||
		fail "header: $(cat "$T/out.json")"
	rm -rf "$T/elsewhere"
	echo "not a folder" >"$T/elsewhere"
	rz status
	assert_eq "$RC" 4 "exit status"
	grep -qF "rhizome: cannot read the history folder $T/elsewhere: Not a directory" "$T/err.txt" ||
		fail "stderr: $(cat "$T/err.txt")"
	[ -s "$T/out.json" ] && fail "stdout: $(cat "$T/out.json")"
	return 0
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
it_start_servers >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
it_run $TESTS
