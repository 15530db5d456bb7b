#!/usr/bin/env bash
# Integration tests of `rhizome sync schema` against two real MariaDB
# servers started here. Usage: test_sync_schema.sh [test_name...]
# (default: all). RHIZOME selects the binary (plain, ASan or TSan build).
set -u
source "$(dirname "$0")/lib.sh"

test_first_run_writes_every_file_as_the_server_shows_it() {
	it_load_fleet && it_config
	rz sync schema
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	assert_eq "$(js .new_count)" 19 "new_count"
	assert_eq "$(js .missing_count)" 1 "missing_count"
	assert_eq "$(js .error_count)" 0 "error_count"
	assert_snapshots_match_server
	# Paths in the summary are as written: relative to the config's folder.
	js '.new[]' | grep -qx 'snap/na_prod/expected_data/billing_invoice.sql' ||
		fail "summary path for na_prod invoice not as written"
	grep -q 'AUTO_INCREMENT=4' "$(env_file dev_billing_bookkeeper fee_summary)" ||
		fail "fee_summary snapshot lacks its AUTO_INCREMENT option"
}

test_second_run_is_unchanged_and_rewrites_nothing() {
	it_load_fleet && it_config
	rz sync schema && assert_eq "$RC" 0 "first run"
	snap_stat >"$T/before"
	sleep 0.05
	rz sync schema
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	assert_eq "$(js .unchanged_count)" 19 "unchanged_count"
	assert_eq "$(js '.new_count + .trivial_count + .significant_count')" 0 "changes"
	snap_stat >"$T/after"
	assert_file_eq "$T/after" "$T/before" "inodes and mtimes"
}

test_inserted_rows_are_trivial_and_leave_files_untouched() {
	it_load_fleet && it_config
	rz sync schema
	local f
	f=$(env_file dev_billing_bookkeeper fee_summary)
	cp "$f" "$T/old"
	snap_stat >"$T/before"
	mdb_sql s1 -e "INSERT INTO dev_billing_bookkeeper.fee_summary (account_id) VALUES (9),(10)"
	rz sync schema
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	assert_eq "$(js .trivial_count)" 1 "trivial_count"
	assert_eq "$(js -c .trivial)" '["snap/dev/expected_data/billing_bookkeeper_fee_summary.sql"]' "trivial list"
	snap_stat >"$T/after"
	assert_file_eq "$T/after" "$T/before" "files untouched"
	# --write-trivial brings the file up to date.
	rz sync schema --write-trivial
	assert_eq "$(js .trivial_count)" 1 "trivial_count with --write-trivial"
	server_create dev_billing_bookkeeper fee_summary >"$T/expected"
	assert_file_eq "$f" "$T/expected" "rewritten file"
	grep -q 'AUTO_INCREMENT=6' "$f" || fail "rewritten file lacks AUTO_INCREMENT=6"
	rz sync schema
	assert_eq "$(js .unchanged_count)" 19 "unchanged after --write-trivial"
}

test_alter_table_is_significant_and_rewrites() {
	it_load_fleet && it_config
	rz sync schema
	mdb_sql s2 -e "ALTER TABLE na_prod_billing_event.event ADD COLUMN source varchar(40) NULL"
	rz sync schema
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	assert_eq "$(js -c .significant)" '["snap/na_prod/expected_data/billing_event_event.sql"]' "significant list"
	server_create na_prod_billing_event event >"$T/expected"
	assert_file_eq "$(env_file na_prod_billing_event event)" "$T/expected" "rewritten"
	grep -q 'source' "$(env_file na_prod_billing_event event)" || fail "new column not in file"
}

test_missing_table_is_reported_and_the_rest_of_its_batch_synced() {
	it_load_fleet && it_config "batch = 50"
	# pool = 1: the whole table list of each environment is one batch, and
	# the missing table sits in the middle of it.
	sed -i 's/^pool = 2/pool = 1/' rhizome.cnf
	mdb_sql s1 -e "DROP TABLE dev_billing_bookkeeper.ledger_entry"
	rz sync schema --env dev_billing_bookkeeper
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	assert_eq "$(js -c .missing)" '[{"env":"dev_billing_bookkeeper","table":"ledger_entry"}]' "missing"
	assert_eq "$(js .new_count)" 3 "tables after the missing one synced"
	[ ! -e "$(env_file dev_billing_bookkeeper ledger_entry)" ] || fail "file for a missing table"
	[ -s "$(env_file dev_billing_bookkeeper 'odd`name')" ] || fail "table after the missing one not written"
	# One round trip for the batch, one more for the statements after the
	# missing table: round trips grow with batches, not with tables.
	assert_eq "$(js .round_trips)" 2 "round trips"
}

test_wrong_schema_is_an_error_not_a_fleet_of_missing_tables() {
	it_load_fleet && it_config
	sed -i '/^\[environment dev_billing_event\]/,/^\[/s/^schema = .*/schema = no_such_schema/' rhizome.cnf
	rz sync schema
	assert_eq "$RC" 3 "exit status"
	assert_eq "$(js .missing_count)" 1 "missing (only demo's odd\`name)"
	assert_eq "$(js '[.errors[] | select(.env == "dev_billing_event" and .code == 1049)] | length')" 2 \
		"dev_billing_event tables failing with 1049: $(js -c .errors)"
	assert_eq "$(js .new_count)" 17 "the other environments"
}

test_one_server_down_gives_exit_3_and_the_rest_complete() {
	it_load_fleet && it_config
	local port
	port=$(mdb_port s2)
	mdb_stop s2
	rz sync schema
	mdb_start s2 "$port" >/dev/null
	assert_eq "$RC" 3 "exit status"
	assert_eq "$(js .new_count)" 11 "dev and demo complete"
	assert_eq "$(js .error_count)" 8 "every na_prod table in error"
	# one error per environment, with the tables it could not fetch
	assert_eq "$(js -c '[.errors[] | [.env, .table, (.tables_not_fetched | length)]]')" \
		'[["na_prod_billing",null,2],["na_prod_billing_bookkeeper",null,4],["na_prod_billing_event",null,2]]' \
		"errors"
	case $(js ".errors[0].code") in 2002|2003) ;; *) fail "error code $(js .errors[0].code)" ;; esac
	assert_eq "$(grep -c 'not reached, no table fetched' "$T/err.txt")" 3 \
		"stderr: one line per environment: $(cat "$T/err.txt")"
	# where and why: the server, the environment, its config line
	js -r '.errors[] | select(.env == "na_prod_billing") | .message' | head -1 |
		grep -qE "^cannot connect to 127\.0\.0\.1:$port \(environment na_prod_billing, rhizome\.cnf:[0-9]+\): " ||
		fail "message: $(js -r .errors[0].message)"
	grep -q "na_prod_billing: first error" "$T/err.txt" || fail "stderr does not say why"
	# RELIABILITY 6: tried again with backoff, then one error
	js -r '.errors[0].message' | grep -qF "(3 attempts)" || fail "attempts: $(js -r .errors[0].message)"
	[ ! -d "$T/snap/na_prod" ] || fail "na_prod folder created for a dead server"
	ls "$T"/snap/.history/*/manifest.json >/dev/null || fail "history not published"
}

test_bad_config_exits_2_and_touches_nothing() {
	it_load_fleet && it_config
	printf '[environment extra]\nfolder = ../escape\n' >>rhizome.cnf
	rz sync schema
	assert_eq "$RC" 2 "exit status"
	grep -q "rhizome.cnf:$(wc -l <rhizome.cnf): key 'folder'" "$T/err.txt" ||
		fail "error does not name file, line and key: $(cat "$T/err.txt")"
	[ ! -e "$T/snap" ] || fail "snapshot root created"
	[ ! -s "$T/out.json" ] || fail "summary printed for a bad config"
	it_config "colour = blue"
	rz sync schema
	assert_eq "$RC" 2 "unknown key"
	grep -q "rhizome.cnf:3: key 'colour': unknown key" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	it_config
	rz sync schema --env nosuch
	assert_eq "$RC" 2 "unknown --env"
	grep -q "no such environment" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	rz sync schema --frobnicate
	assert_eq "$RC" 2 "unknown option"
	# another command's option is named, not its value
	rz sync schema --rows 3
	assert_eq "$RC" 2 "--rows on schema"
	grep -qxF "rhizome: --rows does not apply to sync schema: it is sync data's only" "$T/err.txt" ||
		fail "no option named: $(cat "$T/err.txt")"
	# what a value it wants, a near name suggested
	rz sync schema --env
	assert_eq "$RC" 2 "--env without a value"
	grep -qxF "rhizome: --env needs a value: an environment's name" "$T/err.txt" ||
		fail "$(cat "$T/err.txt")"
	rz sync schema --env dev_billing_evnt
	assert_eq "$RC" 2 "a typo in --env"
	grep -qF "rhizome: --env dev_billing_evnt: no such environment or folder in rhizome.cnf (did you mean dev_billing_event?)" \
		"$T/err.txt" || fail "$(cat "$T/err.txt")"
	rz snyc schema
	assert_eq "$RC" 2 "a typo in the command"
	grep -qF "unknown command 'snyc' (did you mean sync?" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	rz sync shcema
	grep -qF "unknown sync command 'shcema' (did you mean schema?" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	rz sync schema --dry-rn
	grep -qF "unknown option '--dry-rn' (did you mean --dry-run?)" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	unset RHIZOME_IT_PASSWORD
	rz sync schema
	assert_eq "$RC" 2 "unset password variable"
	grep -q 'RHIZOME_IT_PASSWORD, which is not set' "$T/err.txt" || fail "$(cat "$T/err.txt")"
	[ ! -e "$T/snap" ] || fail "snapshot root created"
}

test_dry_run_writes_nothing() {
	it_load_fleet && it_config
	rz sync schema --dry-run
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	assert_eq "$(js .new_count)" 19 "classified as new"
	assert_eq "$(js .dry_run)" true "dry_run flag"
	[ ! -e "$T/snap" ] || fail "dry run created $(find "$T/snap" | head -3)"
	rz sync schema
	snap_stat >"$T/before"
	mdb_sql s1 -e "ALTER TABLE dev_billing_event.event ADD COLUMN x int"
	rz sync schema --dry-run
	assert_eq "$(js .significant_count)" 1 "significant seen"
	snap_stat >"$T/after"
	assert_file_eq "$T/after" "$T/before" "dry run rewrote"
	assert_eq "$(ls "$T/snap/.history" | wc -l)" 1 "history folders"
}

test_history_decompresses_to_exactly_what_was_fetched() {
	it_load_fleet && it_config
	rz sync schema
	mdb_sql s1 -e "INSERT INTO dev_billing_event.event (occurred_at) VALUES (now())"
	rz sync schema
	local run dir env n
	run=$(js -r .run_id)
	dir=$T/snap/.history/$run
	assert_eq "$(js -r .history)" "snap/.history/$run" "history path in summary"
	for env in $ALL_ENVS; do
		zstd -tq "$dir/$env.jsonl.zst" || fail "zstd -t $env"
		assert_eq "$(jq -r ".environments.$env.sha256" "$dir/manifest.json")" \
			"$(sha256sum <"$dir/$env.jsonl.zst" | cut -d' ' -f1)" "manifest sha256 $env"
		n=0
		while IFS= read -r line; do
			n=$((n + 1))
			t=$(jq -r .table <<<"$line")
			jq -j .body <<<"$line" >"$T/body"
			server_create "$env" "$t" | head -c -2 >"$T/server"
			assert_file_eq "$T/body" "$T/server" "history body of $env.$t"
			assert_eq "$(jq -r .sha256 <<<"$line")" "$(sha256sum <"$T/body" | cut -d' ' -f1)" "line sha256"
			assert_eq "$(jq -r .kind <<<"$line")" schema "kind"
		done < <(zstd -dcq "$dir/$env.jsonl.zst")
		assert_eq "$n" "$(jq ".environments.$env.tables - .environments.$env.counts.missing" "$dir/manifest.json")" "lines of $env"
	done
	# The trivial change is recorded with its fresh body.
	zstd -dcq "$dir/dev_billing_event.jsonl.zst" | jq -r 'select(.table=="event") | .status' | grep -qx trivial ||
		fail "trivial status not in history"
	assert_eq "$(find "$T/snap/.history" -maxdepth 1 -name '.tmp-*' | wc -l)" 0 "unpublished folders"
}

test_body_that_is_not_utf8_goes_to_history_as_base64() {
	it_load_fleet && it_config
	mdb_sql s1 -e "CREATE TABLE dev_billing_event.bin_default (id int PRIMARY KEY, tag varbinary(4) DEFAULT x'FF00C3')"
	sed -i 's/^tables = event flyway_schema_history/tables = event flyway_schema_history bin_default/' rhizome.cnf
	rz sync schema --env dev_billing_event
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	local f line
	f=$(env_file dev_billing_event bin_default)
	line=$(zstd -dcq snap/.history/*/dev_billing_event.jsonl.zst | jq -c 'select(.table == "bin_default")')
	assert_eq "$(jq -r .body <<<"$line")" null "body"
	jq -r .body_base64 <<<"$line" | base64 -d >"$T/decoded"
	head -c -2 "$f" >"$T/fetched"
	assert_file_eq "$T/decoded" "$T/fetched" "base64 body"
	assert_eq "$(jq -r .sha256 <<<"$line")" "$(sha256sum <"$T/fetched" | cut -d' ' -f1)" "sha256"
}

test_lock_held_exits_5_and_touches_nothing() {
	it_load_fleet && it_config
	rz sync schema
	snap_stat >"$T/before"
	mdb_sql s1 -e "ALTER TABLE dev_billing_event.event ADD COLUMN y int"
	flock "$T/snap/.history/.rhizome.lock" sleep 5 &
	sleep 0.3
	rz sync schema
	kill %1 2>/dev/null
	assert_eq "$RC" 5 "exit status"
	grep -q 'another run holds the lock' "$T/err.txt" || fail "$(cat "$T/err.txt")"
	snap_stat >"$T/after"
	assert_file_eq "$T/after" "$T/before" "files touched"
}

test_io_failure_exits_4_and_keeps_earlier_snapshots() {
	it_load_fleet && it_config
	rz sync schema
	cp -a "$T/snap" "$T/before"
	# A regular file where the demo folder's expected_data folder belongs:
	# every write into it fails, whoever runs the test (root included).
	rm -rf "$T/snap/demo"
	mkdir -p "$T/snap/demo"
	: >"$T/snap/demo/expected_data"
	rz sync schema
	assert_eq "$RC" 4 "exit status"
	js -r '.errors[].message' | grep -q 'cannot' || fail "error message: $(js -c .errors)"
	# Everything that was there is intact, and no temporary file is left.
	diff -r "$T/before/dev" "$T/snap/dev" || fail "dev snapshots changed"
	diff -r "$T/before/na_prod" "$T/snap/na_prod" || fail "na_prod snapshots changed"
	[ -z "$(find "$T/snap" -name '.rhizome-tmp.*')" ] || fail "temporary files left"
}

test_kill_9_leaves_no_partial_file_and_the_next_run_cleans_up() {
	it_load_fleet && it_config "batch = 1" "workers = 2"
	# A slow link (100 ms each way) so the run is still going when killed.
	local rpid f
	it_slow_na_prod 100
	"$RHIZOME" --quiet sync schema >/dev/null 2>&1 &
	rpid=$!
	sleep 0.6
	kill -9 $rpid || fail "the run ended before it could be killed"
	wait $rpid 2>/dev/null
	# Every file under a final name is whole.
	for f in $(find snap -name '*.sql'); do
		[ "$(tail -c 2 "$f" | od -An -c | tr -d ' ')" = ';\n' ] || fail "partial file $f"
	done
	# The killed run's unpublished history is there; so may be temporaries.
	[ -n "$(find snap/.history -maxdepth 1 -name '.tmp-*')" ] || fail "killed run left no trace to clean"
	[ ! -e snap/.history/*/manifest.json ] || fail "killed run published its history"
	mkdir -p snap/na_prod/expected_data
	echo partial >snap/na_prod/expected_data/.rhizome-tmp.billing_invoice.sql.AbC123
	rz sync schema
	assert_eq "$RC" 0 "next run"
	grep -q 'removed [0-9]* leftover' "$T/err.txt" || fail "no cleanup reported: $(cat "$T/err.txt")"
	[ -z "$(find snap -name '.rhizome-tmp.*')" ] || fail "temporary files left"
	[ -z "$(find snap/.history -maxdepth 1 -name '.tmp-*')" ] || fail "unpublished run folders left"
	assert_snapshots_match_server
}

interrupt_test() { # SIGNAL EXPECTED_STATUS NAME
	it_load_fleet && it_config "batch = 1" "workers = 2"
	it_slow_na_prod 100
	"$RHIZOME" sync schema >"$T/out.json" 2>"$T/err.txt" &
	local rpid=$! start=$SECONDS
	sleep 0.5
	kill -"$1" $rpid
	wait $rpid
	RC=$?
	assert_eq "$RC" "$2" "exit status after SIG$1"
	[ $((SECONDS - start)) -lt 5 ] || fail "took $((SECONDS - start)) s to stop"
	grep -q "interrupted\|terminated" "$T/err.txt" || fail "stderr: $(cat "$T/err.txt")"
	assert_eq "$(js -r .interrupted)" "SIG$1" "summary says interrupted"
	[ -z "$(find snap -name '.rhizome-tmp.*')" ] || fail "temporary files left"
	# what stays: the history folder's .gitignore and lock file, no run
	[ ! -d snap/.history ] || [ -z "$(ls -A snap/.history | grep -vx '.gitignore\|.rhizome.lock')" ] ||
		fail "history published or left: $(ls -A snap/.history)"
	! grep -qE 'Sanitizer' "$T/err.txt" || fail "$(cat "$T/err.txt")"
}

test_sigint_stops_cleanly_with_130() { interrupt_test INT 130; }
test_sigterm_stops_cleanly_with_143() { interrupt_test TERM 143; }

test_sigterm_during_connect_stops_at_once() {
	# na_prod's greeting is 20 s away and the connect timeout is 30 s: a
	# stop well before either shows the connect itself was interrupted.
	it_load_fleet && it_config
	sed -i 's/^connect-timeout = 3/connect-timeout = 30/' rhizome.cnf
	it_slow_na_prod 20000
	"$RHIZOME" --quiet sync schema >"$T/out.json" 2>"$T/err.txt" &
	local rpid=$! start=$SECONDS
	sleep 1
	kill -TERM $rpid
	wait $rpid
	RC=$?
	assert_eq "$RC" 143 "exit status"
	[ $((SECONDS - start)) -lt 8 ] || fail "took $((SECONDS - start)) s to stop"
	assert_eq "$(js -r '.errors[0].message')" "interrupted" "na_prod error"
	assert_eq "$(js .new_count)" 11 "dev and demo done before the signal"
}

test_password_never_appears_in_output_or_files() {
	it_load_fleet && it_config
	mdb_stop s2 # an error path too
	rz --workers 3 sync schema --verbose
	mdb_start s2 "$(sed -n 's/^port = //p' rhizome.cnf | head -1)" >/dev/null
	assert_eq "$RC" 3 "exit status"
	! grep -rqF "$RHIZOME_IT_PASSWORD" "$T/out.json" "$T/err.txt" rhizome.cnf || fail "password in output"
	zstd -dcq snap/.history/*/*.zst | grep -qF "$RHIZOME_IT_PASSWORD" && fail "password in history"
	! grep -rqF "$RHIZOME_IT_PASSWORD" snap || fail "password in snapshots"
	grep -q 'SQLSTATE' "$T/err.txt" || fail "--verbose did not show the error in full"
}

test_slow_environment_does_not_stall_the_others() {
	# na_prod sits behind a 300 ms round trip; dev and demo answer at once.
	# With more workers than one environment's pool, dev and demo finish
	# while na_prod is still waiting on its network.
	it_load_fleet && it_config "workers = 4" "batch = 1"
	it_slow_na_prod 150
	rz sync schema
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	assert_eq "$(grep -o '^rhizome: [a-z_]*:' "$T/err.txt" | head -4 | grep -c na_prod)" 0 \
		"an na_prod environment finished among the first four: $(cat "$T/err.txt")"
	assert_eq "$(grep -c '^rhizome: na_prod_.*tables in' "$T/err.txt")" 3 "na_prod lines"
}

test_server_refusing_extra_connections_still_serves_the_environment() {
	# The server lets this user open 2 connections; the pool wants 4.
	it_load_fleet && it_config "batch = 1"
	mdb_sql s1 <<SQL
DROP USER IF EXISTS limited@localhost;
CREATE USER limited@localhost IDENTIFIED BY '$RHIZOME_IT_PASSWORD' WITH MAX_USER_CONNECTIONS 2;
GRANT SELECT ON *.* TO limited@localhost;
SQL
	sed -i '/^\[environment dev_billing_bookkeeper\]/,/^\[/{s/^user = .*/user = limited/;s/^pool = .*/pool = 4/}' rhizome.cnf
	rz sync schema --env dev_billing_bookkeeper
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	assert_eq "$(js .new_count)" 4 "every table synced"
}

test_env_option_selects_environments() {
	it_load_fleet && it_config
	rz sync schema --env na_prod_billing --env dev_billing_event
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	assert_eq "$(js .new_count)" 4 "tables of the two environments"
	[ ! -d snap/demo ] || fail "demo synced"
}

# The servers' connection counters: each read adds one (its own).
connections() {
	echo "$(mdb_sql s1 -N -B -e "SHOW GLOBAL STATUS LIKE 'Connections'" | cut -f2)" \
		"$(mdb_sql s2 -N -B -e "SHOW GLOBAL STATUS LIKE 'Connections'" | cut -f2)"
}

# Exit 2 naming what is wrong, and no server contacted: each counter moved
# by exactly the one read that measures it.
assert_refused_before_contact() { # WHAT TEXT...
	local what=$1 before after b1 b2 a1 a2 text
	shift
	before=$(connections)
	rz sync schema
	after=$(connections)
	assert_eq "$RC" 2 "$what: exit status ($(cat "$T/err.txt"))"
	for text in "$@"; do
		grep -qF -- "$text" "$T/err.txt" || fail "$what: stderr lacks '$text': $(cat "$T/err.txt")"
	done
	read -r b1 b2 <<<"$before"
	read -r a1 a2 <<<"$after"
	assert_eq "$((a1 - b1)) $((a2 - b2))" "1 1" "$what: connections made to s1, s2"
	[ ! -e snap ] || fail "$what: the snapshot root was created"
}

# Option files (RELIABILITY 2, 3): refused before anything is contacted,
# never a silent fallback to the local socket and the OS user. The lines
# appended go to the config's last environment (na_prod_billing_event, s2).
test_option_files_fail_closed_before_any_contact() {
	it_load_fleet && it_config
	cp rhizome.cnf base.cnf
	echo "option-file = missing.cnf" >>rhizome.cnf
	assert_refused_before_contact "missing option file" \
		"rhizome.cnf:$(wc -l <rhizome.cnf): key 'option-file'" "missing.cnf: does not exist"

	printf '[client]\nconnect-timeout = 5\n' >my.cnf
	chmod 600 my.cnf
	{ cat base.cnf; echo "option-file = my.cnf"; echo "option-group = client-na-prod"; } >rhizome.cnf
	assert_refused_before_contact "option group not in the file" \
		"key 'option-group'" "has no [client-na-prod] group"

	printf '[client]\npassword = %s\n' "$RHIZOME_IT_PASSWORD" >my.cnf
	chmod 644 my.cnf
	{ cat base.cnf; echo "option-file = my.cnf"; } >rhizome.cnf
	assert_refused_before_contact "password readable by others" \
		"my.cnf: holds a password and is readable by others (mode 0644)"
	! grep -qF "$RHIZOME_IT_PASSWORD" "$T/err.txt" "$T/out.json" || fail "password shown"

	printf '[client]\nconnect-timeout = 5\n' >my.cnf
	chmod 664 my.cnf
	assert_refused_before_contact "writable by others" "is writable by others (mode 0664)"

	# an option group with no option file would read ~/.my.cnf
	{ cat base.cnf; echo "option-group = client"; } >rhizome.cnf
	assert_refused_before_contact "group without a file" "names an option group but no option-file"

	# no host and no socket anywhere: libmariadb's default socket, refused
	awk '/^\[environment na_prod_billing_event\]/{last=1} !(last && /^(host|port) = /)' base.cnf >rhizome.cnf
	assert_refused_before_contact "no host, no socket" \
		"environment 'na_prod_billing_event' names no host and no socket"
}

# A relative option-file is relative to the config file, wherever rhizome
# is started from: here the port comes only from the option file.
test_relative_option_file_is_read_from_the_config_folder() {
	local port
	it_load_fleet && it_config
	port=$(mdb_port s2)
	mkdir conf run
	awk '/^\[environment na_prod_billing_event\]/{last=1} !(last && /^port = /)' rhizome.cnf >conf/rhizome.cnf
	echo "option-file = client.cnf" >>conf/rhizome.cnf
	echo "option-group = client-na-prod" >>conf/rhizome.cnf
	printf '[client-na-prod]\nport = %s\n' "$port" >conf/client.cnf
	chmod 600 conf/client.cnf
	sed -i 's/^out = snap/out = ..\/snap/' conf/rhizome.cnf
	(cd run && "$RHIZOME" --config ../conf/rhizome.cnf sync schema --env na_prod_billing_event \
		>"$T/out.json" 2>"$T/err.txt")
	RC=$?
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js .new_count)" 2 "tables of the environment"
}

# reconnect=1 in an option file (RELIABILITY 18, in part): said, and
# turned off after the connect; the run is as a clean one. (The connection
# reset mid-batch on a server outside UTC is still to come: issue 11.)
test_option_file_reconnect_is_said_and_turned_off() {
	it_load_fleet && it_config
	printf '[client]\nreconnect = 1\n' >my.cnf
	chmod 600 my.cnf
	echo "option-file = my.cnf" >>rhizome.cnf
	rz sync schema
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	grep -q "warning: rhizome.cnf:$(wc -l <rhizome.cnf): environment na_prod_billing_event: my.cnf asks for reconnect; turned off" \
		"$T/err.txt" || fail "no warning: $(cat "$T/err.txt")"
	assert_snapshots_match_server
}

# A server that accepts and never answers: the connect is bounded by
# connect-timeout and said as a timeout, with where it was going.
test_connect_to_a_silent_server_is_said_as_a_timeout() {
	local bport started elapsed
	it_load_fleet && it_config
	python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(60)' >blackhole.port &
	local bh=$!
	for _ in $(seq 50); do [ -s blackhole.port ] && break; sleep 0.1; done
	bport=$(cat blackhole.port)
	[ -n "$bport" ] || fail "no listener"
	awk -v p="$bport" '/^\[environment na_prod_billing_event\]/{last=1}
		last && /^port = /{print "port = " p; next}
		last && /^connect-timeout = /{print "connect-timeout = 1"; next} {print}' \
		rhizome.cnf >r2.cnf
	mv r2.cnf rhizome.cnf
	started=$(date +%s)
	rz sync schema --env na_prod_billing_event
	elapsed=$(($(date +%s) - started))
	kill $bh 2>/dev/null
	assert_eq "$RC" 3 "exit status"
	[ "$elapsed" -lt 15 ] || fail "took ${elapsed}s with a 1 s connect-timeout"
	js -r '.errors[0].message' | grep -qF "cannot connect to 127.0.0.1:$bport (environment na_prod_billing_event, rhizome.cnf:" ||
		fail "where: $(js -r .errors[0].message)"
	js -r '.errors[0].message' | grep -qF "timed out after 1 s (connect-timeout)" ||
		fail "not said as a timeout: $(js -r .errors[0].message)"
	# RELIABILITY 7: (retries + 1) x connect-timeout plus the backoff
	js -r '.errors[0].message' | grep -qF "(3 attempts)" ||
		fail "attempts: $(js -r .errors[0].message)"
	[ "$elapsed" -ge 3 ] || fail "took ${elapsed}s: not three 1 s attempts"
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
it_start_servers >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
it_run $TESTS
