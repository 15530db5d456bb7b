#!/usr/bin/env bash
# Integration tests of `rhizome verify` (issue 13): snapshots written by
# real syncs against two real MariaDB servers started here, then damaged
# by hand in each way verify must find (and a trivial change it must not
# call an edit). Usage: test_verify.sh [test_name...] (default: all).
set -u
source "$(dirname "$0")/lib.sh"
DATA_DIR=$IT_ROOT/tests/fixtures

# verify as JSON; asserts the exit status.
verify() { # STATUS [ARGS...]
	local want=$1
	shift
	rz verify --format json "$@"
	assert_eq "$RC" "$want" "verify $*: exit status: $(js -c .findings) $(cat "$T/err.txt")"
}

# [kind, path] of every finding, as one compact JSON line.
kinds_paths() { js -c '[.findings[] | [.kind, .path]]'; }

# The message of the one finding of KIND.
message_of() { js -r --arg k "$1" '[.findings[] | select(.kind == $k)] | if length == 1 then .[0].message else "\(length) findings of \($k)" end'; }

frame() { # ENV: the newest run's frame of ENV
	echo "snap/.history/$(ls snap/.history | tail -1)/$1.jsonl.zst"
}

synced() { # schema and data, both clean
	it_load_fleet && it_config
	rz sync schema && assert_eq "$RC" 0 "sync schema: $(cat "$T/err.txt")"
	rz sync data && assert_eq "$RC" 0 "sync data: $(cat "$T/err.txt")"
}

test_clean_fleet_after_schema_and_data_exits_0() {
	synced
	verify 0
	assert_eq "$(js .finding_count)" 0 "findings"
	assert_eq "$(js -c .checked)" '{"sql":19,"json":11,"history_files":14,"runs":2}' "checked"
	rz verify --format text
	assert_eq "$RC" 0 "text: exit status"
	assert_eq "$(cat "$T/out.json")" "verify: clean: 19 .sql, 11 .json, 14 history files (2 runs)" "text"
}

test_every_column_type_keeps_the_contract() {
	it_load_fleet && it_config
	local hex
	hex=$(for i in $(seq 0 255); do printf '%02X' "$i"; done)
	{ echo "USE dev_billing_event; SET @blob = UNHEX('$hex');"; cat "$DATA_DIR/types.sql"; } |
		mdb_sql s1 || fail "loading all_types"
	sed -i 's/^tables = event flyway_schema_history$/tables = event flyway_schema_history all_types/' rhizome.cnf
	rz sync schema --env dev_billing_event && assert_eq "$RC" 0 "schema"
	rz sync data --env dev_billing_event && assert_eq "$RC" 0 "data"
	verify 0 --env dev_billing_event
	# and a value of the wrong type in it is found
	local f=snap/dev/expected_data/billing_event_all_types.json
	sed -i 's/^  "dec38": "\(.*\)",$/  "dec38": \1,/' "$f"
	verify 1 --env dev_billing_event
	assert_eq "$(kinds_paths)" "[[\"types\",\"$f\"],[\"hand_edited\",\"$f\"]]" "findings"
	assert_eq "$(message_of types)" 'column `dec38` (decimal(38,10)): a fraction, want a string of digits' "types"
}

test_hand_edited_sql_is_found() {
	synced
	local f=snap/dev/expected_data/billing_event_event.sql
	local run
	run=$(ls snap/.history | head -1) # the schema run
	# a column type changed by sed
	sed -i 's/`occurred_at` datetime(6)/`occurred_at` datetime(3)/' "$f"
	grep -q 'datetime(3)' "$f" || fail "sed did not change $f"
	verify 1
	assert_eq "$(kinds_paths)" "[[\"hand_edited\",\"$f\"]]" "findings"
	assert_eq "$(message_of hand_edited)" "differs from what run $run wrote (env dev_billing_event)" "message"
	assert_eq "$(js -c '[.findings[0] | .env, .table, .run_id]')" "[\"dev_billing_event\",\"event\",\"$run\"]" "fields"
	# a comment line appended, in another environment: an edit, and no
	# longer a statement as SHOW CREATE TABLE prints it
	local g=snap/na_prod/expected_data/billing_invoice.sql
	echo '-- a note' >>"$g"
	verify 1
	assert_eq "$(js -c '[.findings[] | [.kind, .path]] | sort')" \
		"[[\"hand_edited\",\"$f\"],[\"hand_edited\",\"$g\"],[\"unparsable\",\"$g\"]]" "findings"
	rz verify
	assert_eq "$RC" 1 "text: exit status"
	grep -qxF "hand-edited  $g: differs from what run $run wrote (env na_prod_billing)" "$T/out.json" ||
		fail "text: $(cat "$T/out.json")"
	assert_eq "$(tail -1 "$T/out.json")" "verify: 3 findings in 19 .sql, 11 .json, 14 history files (2 runs)" "text summary"
}

test_truncated_and_flipped_frames_are_damaged() {
	synced
	local z
	z=$(frame dev_billing_event)
	head -c $(( $(stat -c %s "$z") - 5 )) "$z" >cut && cat cut >"$z"
	verify 1
	assert_eq "$(kinds_paths)" "[[\"damaged\",\"$z\"]]" "findings"
	assert_eq "$(message_of damaged)" "cut short: the zstd frame does not end" "message"
	rz verify
	grep -qxF "damaged      $z: cut short: the zstd frame does not end" "$T/out.json" ||
		fail "text: $(cat "$T/out.json")"
	# one byte flipped inside another frame: zstd's checksum (or block
	# check) says so in its own words
	z=$(frame na_prod_billing_event)
	python3 - "$z" <<'PY' || fail "flip"
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) - 6] ^= 0x55
open(p, "wb").write(b)
PY
	verify 1
	assert_eq "$(js -r --arg z "$z" '.findings[] | select(.path == $z) | .kind')" damaged "flipped: kind"
	js -r --arg z "$z" '.findings[] | select(.path == $z) | .message' | grep -q '^damaged: zstd: ' ||
		fail "flipped: message: $(js -c .findings)"
	assert_eq "$(js .finding_count)" 2 "findings"
}

test_manifest_digest_mismatch_is_found() {
	synced
	local run m z want have
	run=$(ls snap/.history | tail -1)
	m=snap/.history/$run/manifest.json
	z=snap/.history/$run/demo_billing_event.jsonl.zst
	have=$(sha256sum "$z" | cut -d' ' -f1)
	want=$(printf '%064d' 0)
	jq --arg w "$want" '.environments.demo_billing_event.sha256 = $w' "$m" >m.new && mv m.new "$m"
	verify 1
	assert_eq "$(kinds_paths)" "[[\"digest_mismatch\",\"$z\"]]" "findings"
	assert_eq "$(message_of digest_mismatch)" "sha256 $have, but manifest.json says $want" "message"
	assert_eq "$(js -r '.findings[0].run_id')" "$run" "run_id"
}

test_run_without_manifest_is_found() {
	synced
	local run
	run=$(ls snap/.history | tail -1)
	rm "snap/.history/$run/manifest.json"
	verify 1
	assert_eq "$(kinds_paths)" "[[\"manifest\",\"snap/.history/$run/manifest.json\"]]" "findings"
	assert_eq "$(message_of manifest)" "No such file or directory" "message"
}

test_orphan_is_found() {
	synced
	local d=snap/dev/expected_data
	cp "$d/billing_bookkeeper_fee_summary.sql" "$d/billing_bookkeeper_ghost.sql"
	verify 1
	assert_eq "$(kinds_paths)" "[[\"orphan\",\"$d/billing_bookkeeper_ghost.sql\"]]" "findings"
	assert_eq "$(message_of orphan)" "not the snapshot of any table listed for folder dev" "message"
	# a table taken out of every list leaves an orphan too
	rm "$d/billing_bookkeeper_ghost.sql"
	sed -i 's/^tables = event flyway_schema_history$/tables = event/' rhizome.cnf
	verify 1 --env dev_billing_event
	assert_eq "$(js -c '[.findings[] | .kind] | unique')" '["orphan"]' "kinds"
	assert_eq "$(js -r '.findings[0].path')" "$d/billing_event_flyway_schema_history.sql" "unlisted"
}

test_unparsable_sql_is_found() {
	synced
	local f=snap/demo/expected_data/billing_bookkeeper_ledger_entry.sql
	sed -i '2i\  FROBNICATE the ledger,' "$f"
	verify 1
	assert_eq "$(js -c '[.findings[] | [.kind, .path]] | sort')" \
		"[[\"hand_edited\",\"$f\"],[\"unparsable\",\"$f\"]]" "findings"
	assert_eq "$(message_of unparsable)" "1 part not understood: FROBNICATE the ledger" "message"
}

test_json_of_wrong_type_is_found() {
	synced
	local f=snap/dev/expected_data/billing_bookkeeper_fee_summary.json
	jq '.id |= tostring' "$f" >j.new && mv j.new "$f"
	verify 1
	assert_eq "$(js -c '[.findings[] | [.kind, .path]] | sort')" \
		"[[\"hand_edited\",\"$f\"],[\"types\",\"$f\"]]" "findings"
	message_of types | grep -qx 'column `id` (bigint.* unsigned): a string, want an integer' ||
		fail "message: $(message_of types)"
	# not JSON at all
	printf '{"id": 1,' >"$f"
	verify 1
	assert_eq "$(js -c '[.findings[] | .kind] | sort')" '["hand_edited","invalid_json"]' "invalid"
}

test_trivial_change_is_not_hand_edited() {
	synced
	mdb_sql s1 -e "INSERT INTO dev_billing_bookkeeper.fee_summary (account_id) VALUES (5), (6)"
	rz sync schema
	assert_eq "$(js .trivial_count)" 1 "trivial"
	verify 0
	# after a trivial run a real edit is still one
	local f=snap/dev/expected_data/billing_bookkeeper_fee_summary.sql
	sed -i 's/`currency` char(3)/`currency` char(4)/' "$f"
	verify 1
	assert_eq "$(kinds_paths)" "[[\"hand_edited\",\"$f\"]]" "edited after a trivial run"
}

test_dropped_table_file_put_back_is_found() {
	synced
	local f=snap/na_prod/expected_data/billing_invoice.sql
	cp "$f" saved.sql
	mdb_sql s2 -e "DROP TABLE na_prod_billing.invoice"
	rz sync schema --env na_prod_billing
	assert_eq "$(js .removed_count)" 1 "removed"
	[ ! -e "$f" ] || fail "$f kept"
	verify 0
	cp saved.sql "$f"
	verify 1
	assert_eq "$(kinds_paths)" "[[\"hand_edited\",\"$f\"]]" "findings"
	message_of hand_edited | grep -q "^present, but run .* removed the table (env na_prod_billing)$" ||
		fail "message: $(message_of hand_edited)"
}

test_unreadable_root_or_history_exits_4() {
	synced
	echo x >plain
	# --out before the command: args.c does not take it after `verify`
	rz --out "$T/plain" verify --format json
	assert_eq "$RC" 4 "out a file: exit status: $(cat "$T/err.txt")"
	assert_eq "$(kinds_paths)" "[[\"unreadable\",\"$T/plain\"]]" "out a file"
	assert_eq "$(js -r '.findings[0].message')" "the snapshot root cannot be read: Not a directory" "out a file"
	rz --out "$T/nowhere" verify --format json
	assert_eq "$RC" 4 "out missing: exit status"
	assert_eq "$(js -r '.findings[0].message')" "the snapshot root cannot be read: No such file or directory" "out missing"
	rm -rf snap/.history && echo x >snap/.history
	verify 4
	assert_eq "$(kinds_paths)" "[[\"unreadable\",\"snap/.history\"]]" "history a file"
	assert_eq "$(js -r '.findings[0].message')" "the history folder cannot be read: Not a directory" "message"
}

test_env_limits_what_is_checked() {
	synced
	local f=snap/dev/expected_data/billing_event_event.sql z
	sed -i 's/`occurred_at` datetime(6)/`occurred_at` datetime(3)/' "$f"
	z=$(frame na_prod_billing)
	head -c 20 "$z" >cut && cat cut >"$z"
	verify 1 --env dev_billing_event
	assert_eq "$(kinds_paths)" "[[\"hand_edited\",\"$f\"]]" "dev_billing_event"
	assert_eq "$(js -c .checked)" '{"sql":2,"json":1,"history_files":2,"runs":2}' "checked"
	verify 0 --env demo_billing_event --env dev_billing_bookkeeper
	verify 1 --env na_prod_billing
	assert_eq "$(kinds_paths)" "[[\"damaged\",\"$z\"]]" "na_prod_billing"
	verify 1
	assert_eq "$(js .finding_count)" 2 "all"
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
it_start_servers >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
it_run $TESTS
