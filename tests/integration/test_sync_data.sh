#!/usr/bin/env bash
# Integration tests of `rhizome sync data` and `rhizome sync report`
# against two real MariaDB servers started here. Usage:
# test_sync_data.sh [test_name...] (default: all).
set -u
source "$(dirname "$0")/lib.sh"
DATA_DIR=$IT_ROOT/tests/fixtures

# Create all_types in dev_billing_event and list it.
load_types() {
	local hex
	hex=$(for i in $(seq 0 255); do printf '%02X' "$i"; done)
	{ echo "USE dev_billing_event; SET @blob = UNHEX('$hex');"; cat "$DATA_DIR/types.sql"; } |
		mdb_sql s1 || fail "loading all_types"
	sed -i 's/^tables = event flyway_schema_history$/tables = event flyway_schema_history all_types/' rhizome.cnf
}

data_file() { # ENV TABLE
	local f
	f=$(env_file "$1" "$2")
	echo "${f%.sql}.json"
}

test_every_column_type_is_written_exactly() {
	it_load_fleet && it_config
	load_types
	# An option file naming latin1 must not mangle text: rhizome insists
	# on utf8mb4 after connecting.
	printf '[client]\ndefault-character-set=latin1\n' >"$T/latin1.cnf"
	sed -i "/^\[environment dev_billing_event\]/a option-file = $T/latin1.cnf" rhizome.cnf
	rz sync data --env dev_billing_event
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	local f
	f=$(data_file dev_billing_event all_types)
	# Every byte of the blob, 0 to 255, as base64.
	for i in $(seq 0 255); do printf "\\x$(printf %02x "$i")"; done | base64 -w0 >"$T/blob.b64"
	sed "s|@BLOB@|$(cat "$T/blob.b64")|" "$DATA_DIR/all_types.json" >"$T/expected"
	assert_file_eq "$f" "$T/expected" "all_types.json"
	# Valid JSON whose values are the server's, parsed by a second reader
	# (python's json keeps 64-bit integers exact).
	python3 - "$f" "$T/blob.b64" <<'PY' || fail "python check"
import base64, json, sys
row = json.load(open(sys.argv[1]))
assert row["u64"] == 18446744073709551615 and type(row["u64"]) is int
assert row["i64"] == -9223372036854775808
assert row["dec38"] == "-1234567890123456789012345678.0123456789"
assert row["b64"] == 2**64 - 1 and row["b"] == 682
assert row["txt"].endswith("caf\u00e9 \u65e5\u672c \U0001F600")
assert "\x01\x1f" in row["txt"] and "\n" in row["txt"] and "\\" in row["txt"]
assert base64.b64decode(row["bl"]) == bytes(range(256))
assert base64.b64decode(row["bin"]) == b"\x00\xff\x7f\x80"
assert row["vbin"] == "" and row["nul"] is None
assert json.loads(row["j"])["k"] == [1, 2.5, "x"]
assert list(row)[0] == "id" and list(row)[-1] == "fz", "column order"
assert row["y0"] == 0 and row["zf"] == 42 and row["fz"] == 3.5
PY
}

test_second_run_is_unchanged_and_an_update_is_significant() {
	it_load_fleet && it_config
	rz sync data
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	# the fixture's eight flyway_schema_history tables have no rows
	assert_eq "$(js .new_count)" 11 "new"
	assert_eq "$(js .empty_count)" 8 "empty"
	snap_stat >"$T/before"
	rz sync data
	assert_eq "$(js .unchanged_count)" 11 "unchanged"
	find "$T/snap" -name '*.json' -printf '%p %i %T@\n' | sort >"$T/a"
	find "$T/snap" -name '*.json' -printf '%p %i %T@\n' | sort >"$T/b"
	assert_file_eq "$T/a" "$T/b" "mtimes"
	mdb_sql s2 -e "UPDATE na_prod_billing_bookkeeper.fee_summary SET amount = 99.5 WHERE id = 1"
	rz sync data
	assert_eq "$(js -c .significant)" '["snap/na_prod/expected_data/billing_bookkeeper_fee_summary.json"]' "significant"
	grep -q '"amount": "99.5000"' "$(data_file na_prod_billing_bookkeeper fee_summary)" ||
		fail "update not written"
	zstd -dcq snap/.history/"$(js -r .run_id)"/na_prod_billing_bookkeeper.jsonl.zst >"$T/lines"
	assert_eq "$(jq -c 'select(.table == "fee_summary") | [.kind, .status]' "$T/lines")" \
		'["data","significant"]' "history line"
	jq -j 'select(.table == "fee_summary") | .body' "$T/lines" >"$T/body"
	assert_file_eq "$T/body" "$(data_file na_prod_billing_bookkeeper fee_summary)" "history body"
}

test_empty_missing_and_keyless_tables_are_reported() {
	it_load_fleet && it_config
	mdb_sql s1 <<SQL
DELETE FROM dev_billing_event.event;
CREATE TABLE dev_billing_bookkeeper.ledger_entry2 (a int NOT NULL, b int NOT NULL, c int,
  UNIQUE KEY uk_b (b), UNIQUE KEY a_first (a), UNIQUE KEY a0_nullable (c));
INSERT INTO dev_billing_bookkeeper.ledger_entry2 VALUES (2, 1, NULL), (1, 2, NULL);
SQL
	mdb_sql s1 -e "ALTER TABLE dev_billing_event.flyway_schema_history DROP PRIMARY KEY, DROP KEY flyway_schema_history_s_idx"
	mdb_sql s1 -e "INSERT INTO dev_billing_event.flyway_schema_history VALUES (2,'2','b','SQL','b.sql',0,'me',now(),1,1),(1,'1','a','SQL','a.sql',0,'me',now(),1,1)"
	sed -i 's/^         flyway_schema_history odd`name$/         flyway_schema_history odd`name ledger_entry2/' rhizome.cnf
	rz sync data --env dev_billing_event --env dev_billing_bookkeeper --env demo_billing_bookkeeper
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	assert_eq "$(js -c '[.empty[] | select(.env == "dev_billing_event")]')" \
		'[{"env":"dev_billing_event","table":"event"}]' "empty"
	[ ! -e "$(data_file dev_billing_event event)" ] || fail "file written for an empty table"
	assert_eq "$(js -c '[.missing[] | .env + "." + .table]')" \
		'["demo_billing_bookkeeper.odd`name","demo_billing_bookkeeper.ledger_entry2"]' "missing"
	assert_eq "$(js -c '.ordering')" \
		'[{"env":"dev_billing_event","table":"flyway_schema_history","order":"as the server returns them (no primary or unique key)"},{"env":"dev_billing_bookkeeper","table":"ledger_entry2","order":"unique key a_first"}]' \
		"ordering"
	# The first unique key by name without a NULL-able column (a0_nullable
	# has one: its NULLs fix no order) orders the rows: a = 1 first.
	grep -q '"a": 1,' "$(data_file dev_billing_bookkeeper ledger_entry2)" || fail "unique key order"
}

test_rows_option_writes_an_array_in_key_order() {
	it_load_fleet && it_config
	rz sync data --rows 2 --env na_prod_billing_bookkeeper
	local f
	f=$(data_file na_prod_billing_bookkeeper fee_summary)
	assert_eq "$(head -n 1 "$f")" "[" "array"
	assert_eq "$(jq -c '[.[].id]' "$f")" "[1,2]" "first two ids in key order"
}

mask_config() {
	cat >>rhizome.cnf <<'CNF'

[mask]
key-env = RHIZOME_IT_MASK_KEY
*email = hash
*uuid = hash
customer.phone = null
billing_event.customer.note = constant:REDACTED
CNF
	export RHIZOME_IT_MASK_KEY=it-mask-key
}

# A customer table in two schemas, sharing an email and a uuid.
load_customers() {
	local s
	for s in dev_billing_event dev_billing_bookkeeper; do
		mdb_sql s1 <<SQL
CREATE TABLE $s.customer (id int PRIMARY KEY, contact_email varchar(64),
  account_uuid char(36), phone varchar(20), note varchar(20), amount int);
INSERT INTO $s.customer VALUES (1, 'alice@example.com',
  'b3f1c2de-6a7e-4f0b-9c55-0d1e2f3a4b5c', '+1 555 0100', 'vip', 7);
SQL
	done
	sed -i 's/^tables = event flyway_schema_history$/tables = event flyway_schema_history customer/' rhizome.cnf
	sed -i 's/^         flyway_schema_history odd`name$/         flyway_schema_history odd`name customer/' rhizome.cnf
}

test_masking_hashes_consistently_and_never_leaks() {
	it_load_fleet && it_config
	load_customers
	mask_config
	rz sync data --env dev_billing_event --env dev_billing_bookkeeper
	assert_eq "$RC" 0 "exit status: $(js -c .errors)"
	local a b
	a=$(data_file dev_billing_event customer)
	b=$(data_file dev_billing_bookkeeper customer)
	assert_eq "$(jq -r .contact_email "$a")" "$(jq -r .contact_email "$b")" "same pseudonym in both tables"
	assert_eq "$(jq -r .account_uuid "$a")" "$(jq -r .account_uuid "$b")" "same uuid pseudonym"
	[ "$(jq -r .contact_email "$a")" != alice@example.com ] || fail "email not masked"
	jq -r .contact_email "$a" | grep -qE '^[a-z]{5}@[a-z]{7}\.[a-z]{3}$' || fail "email shape: $(jq -r .contact_email "$a")"
	jq -r .account_uuid "$a" | grep -qE '^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$' ||
		fail "uuid shape"
	assert_eq "$(jq -r .phone "$a")" null "phone"
	assert_eq "$(jq -r .note "$a")" REDACTED "note in billing_event"
	assert_eq "$(jq -r .note "$b")" vip "note elsewhere (rule names billing_event)"
	assert_eq "$(jq -r .amount "$a")" 7 "unmasked column"
	# Nothing unmasked anywhere: plain files, history, summary.
	! grep -rqF -e alice@example.com -e b3f1c2de -e '555 0100' snap "$T/out.json" || fail "leak in files"
	! zstd -dcq snap/.history/*/*.zst | grep -qF -e alice@example.com -e b3f1c2de -e '555 0100' ||
		fail "leak in history"
	# Another key, another pseudonym.
	RHIZOME_IT_MASK_KEY=other rz --out other sync data --env dev_billing_event
	[ "$(jq -r .contact_email "$a")" != "$(jq -r .contact_email other/dev/expected_data/billing_event_customer.json)" ] ||
		fail "the key does not change the pseudonym"
}

test_required_masking_refuses_an_uncovered_sensitive_column() {
	it_load_fleet && it_config
	load_customers
	mask_config
	sed -i '/^customer.phone = null$/d' rhizome.cnf
	sed -i '/^\[environment dev_billing_event\]/a mask = required' rhizome.cnf
	rz sync data --env dev_billing_event --env dev_billing_bookkeeper
	assert_eq "$RC" 3 "exit status"
	assert_eq "$(js -c '[.errors[] | .env + "." + .table]')" '["dev_billing_event.customer"]' "refused table"
	js -r '.errors[0].message' | grep -q 'column `phone` looks sensitive' || fail "$(js -r .errors[0].message)"
	[ ! -e "$(data_file dev_billing_event customer)" ] || fail "refused table written"
	grep -q '"phone": "+1 555 0100"' "$(data_file dev_billing_bookkeeper customer)" ||
		fail "optional environment: written as is"
	! zstd -dcq snap/.history/*/dev_billing_event.jsonl.zst | grep -qF '555 0100' || fail "refused row in history"
}

# Production is masked by default (RELIABILITY 27): a table of a prod
# environment with sensitive-looking columns and no rule is refused, every
# column named at once with the rule to add; [fleet] mask = optional does
# not lower it, the environment's own mask = optional does.
test_production_requires_masking_by_default() {
	it_load_fleet && it_config
	mdb_sql s2 <<SQL
CREATE TABLE na_prod_billing_event.customer (id int PRIMARY KEY,
  contact_email varchar(64), phone varchar(20), amount int);
INSERT INTO na_prod_billing_event.customer VALUES (1, 'alice@example.com', '+1 555 0100', 7);
SQL
	sed -i 's/^tables = event flyway_schema_history$/tables = event flyway_schema_history customer/' rhizome.cnf
	sed -i 's/^out = snap$/out = snap\nmask = optional/' rhizome.cnf
	rz sync data --env na_prod_billing_event
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.errors[] | .env + "." + .table]')" '["na_prod_billing_event.customer"]' "refused table"
	js -r '.errors[0].message' | grep -qF 'columns `contact_email`, `phone` look sensitive' ||
		fail "not every column: $(js -r .errors[0].message)"
	js -r '.errors[0].message' | grep -qF "'customer.contact_email = hash', 'customer.phone = hash'" ||
		fail "no rules to add: $(js -r .errors[0].message)"
	assert_eq "$(js .new_count)" 1 "the other table written"
	[ ! -e "$(data_file na_prod_billing_event customer)" ] || fail "refused table written"
	! grep -rqF -e alice@example.com -e '555 0100' snap "$T/out.json" || fail "leak"
	! zstd -dcq snap/.history/*/*.zst 2>/dev/null | grep -qF -e alice@example.com -e '555 0100' ||
		fail "leak in history"
	# more columns than an error message holds: the whole list on stderr
	{
		printf 'CREATE TABLE na_prod_billing_event.wide (id int PRIMARY KEY'
		for i in $(seq 1 30); do printf ', contact_email_%s varchar(8)' "$i"; done
		printf '); INSERT INTO na_prod_billing_event.wide (id) VALUES (1);\n'
	} | mdb_sql s2
	sed -i 's/^tables = event flyway_schema_history customer$/tables = event flyway_schema_history customer wide/' rhizome.cnf
	rz sync data --env na_prod_billing_event
	assert_eq "$RC" 3 "exit status, wide table"
	grep -qF "na_prod_billing_event: table wide: add to [mask]: 'wide.contact_email_1 = hash'" "$T/err.txt" ||
		fail "no full list: $(cat "$T/err.txt")"
	grep -qF "'wide.contact_email_30 = hash'" "$T/err.txt" || fail "list cut: $(cat "$T/err.txt")"
	# the environment's own section says otherwise
	sed -i '/^\[environment na_prod_billing_event\]/a mask = optional' rhizome.cnf
	rz sync data --env na_prod_billing_event
	assert_eq "$RC" 0 "own mask = optional: $(js -c .errors)"
	grep -qF 'alice@example.com' "$(data_file na_prod_billing_event customer)" || fail "not written as is"
}

test_masking_config_errors_exit_2() {
	it_load_fleet && it_config
	mask_config
	unset RHIZOME_IT_MASK_KEY
	rz sync data
	assert_eq "$RC" 2 "unset key"
	grep -q "key 'key-env'.*RHIZOME_IT_MASK_KEY, which is not set" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	# sync schema does not need the key
	rz sync schema --dry-run
	assert_eq "$RC" 0 "schema without the mask key"
	echo 'zip = scramble' >>rhizome.cnf
	rz sync data
	assert_eq "$RC" 2 "unknown method"
	grep -q "key 'zip': 'scramble' is not a masking method" "$T/err.txt" || fail "$(cat "$T/err.txt")"
}

# ---- sync report --------------------------------------------------------

# A snapshot tree with every status, and model/emplacement templates.
report_tree() {
	it_config 'model = models/{database}/{table}.model' 'emplacement = {out}/{folder}/emplacement/{table}.yml'
	local bk=snap/dev/expected_data
	mkdir -p "$bk" snap/dev/emplacement snap/na_prod/expected_data snap/na_prod/emplacement \
		models/billing_bookkeeper models/billing
	# fee_summary: complete; ledger_entry: ready for data;
	# flyway_schema_history: data but no emplacement; odd`name: schema only
	touch "$bk/billing_bookkeeper_fee_summary.sql" "$bk/billing_bookkeeper_fee_summary.json" \
		snap/dev/emplacement/fee_summary.yml models/billing_bookkeeper/fee_summary.model
	touch "$bk/billing_bookkeeper_ledger_entry.sql" snap/dev/emplacement/ledger_entry.yml \
		models/billing_bookkeeper/ledger_entry.model
	touch "$bk/billing_bookkeeper_flyway_schema_history.sql" "$bk/billing_bookkeeper_flyway_schema_history.json" \
		models/billing_bookkeeper/flyway_schema_history.model
	touch "$bk/billing_bookkeeper_odd\`name.sql"
	# na_prod billing: invoice ready for data, flyway missing
	touch snap/na_prod/expected_data/billing_invoice.sql snap/na_prod/emplacement/invoice.yml \
		models/billing/invoice.model
}

test_report_shows_every_status_in_text_and_json() {
	report_tree
	mdb_stop s1 # the report reads files only: no server needed
	NO_COLOR=1 rz sync report --env dev_billing_bookkeeper --env na_prod_billing
	mdb_start s1 "$(mdb_port s1)" >/dev/null
	assert_eq "$RC" 0 "exit status"
	assert_file_eq "$T/out.json" "$DATA_DIR/report.txt" "text report"
	LANG=C.UTF-8 rz sync report --env dev_billing_bookkeeper --env na_prod_billing
	grep -q '✅' "$T/out.json" && grep -q '⚠' "$T/out.json" && grep -q '🔶' "$T/out.json" &&
		grep -q '📄' "$T/out.json" && grep -q '❌' "$T/out.json" || fail "icons: $(cat "$T/out.json")"
	rz sync report --env dev_billing_bookkeeper --env na_prod_billing --format json
	assert_eq "$(js -c .summary)" \
		'{"complete":1,"partial":4,"missing":1,"ready_for_data":2,"missing_emplacement":1,"schema_only":1,"absent":0}' "counts"
	assert_eq "$(js -c '[.pairs[] | .table + ":" + .status]')" \
		'["fee_summary:complete","ledger_entry:ready_for_data","flyway_schema_history:missing_emplacement","odd`name:schema_only","invoice:ready_for_data","flyway_schema_history:missing"]' \
		"statuses"
	assert_eq "$(js -c '[.recommendations[] | .command]')" \
		'["rhizome sync data --env dev_billing_bookkeeper","rhizome sync data --env na_prod_billing","rhizome sync schema --env na_prod_billing",null,null]' \
		"recommendations"
	assert_eq "$(js -c '.pairs[1] | [.schema, .data, .model, .emplacement]')" '[true,false,true,true]' "pair detail"
}

test_report_reads_absent_and_empty_tables_from_the_last_runs() {
	# demo lacks odd`name; the fixture's flyway tables have no rows
	it_load_fleet && it_config
	rz sync schema && rz sync data
	rz sync report --format json
	assert_eq "$(js -c '[.pairs[] | select(.absent) | .env + "." + .table]')" \
		'["demo_billing_bookkeeper.odd`name"]' "absent"
	assert_eq "$(js -c '[.pairs[] | select(.table == "flyway_schema_history") | .status] | unique')" \
		'["complete"]' "empty tables count as synced"
	assert_eq "$(js -c .recommendations)" '[]' "nothing to recommend"
	assert_eq "$(js -c '.summary | [.complete, .missing, .absent]')" '[19,1,1]' "counts"
	# a table dropped since: a data sync removes its data file (SPEC:
	# removed), its schema file stays until a schema sync, and the newest
	# run that saw it gone tells the report not to ask for it again
	mdb_sql s1 -e "DROP TABLE dev_billing_event.event"
	rz sync data --env dev_billing_event
	assert_eq "$(js -c '[.removed[] | .env + "." + .table]')" '["dev_billing_event.event"]' "data sees the drop"
	[ -e "$(env_file dev_billing_event event)" ] || fail "a data sync removed the schema snapshot"
	rz sync report --format json
	assert_eq "$(js -c '.pairs[] | select(.env == "dev_billing_event" and .table == "event") | [.status, .absent, .schema]')" \
		'["missing",true,true]' "dropped table"
	assert_eq "$(js -c '[.recommendations[].command]')" '[]' "no recommendation for a dropped table"
}

test_report_without_templates_and_narrow_terminal() {
	it_config
	mkdir -p snap/dev/expected_data
	touch snap/dev/expected_data/billing_event_event.sql snap/dev/expected_data/billing_event_event.json
	rz sync report --env dev_billing_event --format json
	assert_eq "$(js -c '.pairs[0] | [.status, .model, .emplacement]')" '["complete",null,null]' "no templates"
	NO_COLOR=1 COLUMNS=20 rz sync report --env dev_billing_event
	# one block per environment, its counts adding up to its pairs,
	# wrapped within 20 columns
	assert_eq "$(grep -m1 -A2 -x 'dev_billing_event' "$T/out.json" | tr '\n' '|')" \
		'dev_billing_event|    (dev): 2 pairs:|    ok 1  -- 1|' "grouped layout: $(cat "$T/out.json")"
	awk 'length($0) > 20 { bad = 1; print } END { exit bad }' "$T/out.json" || fail "wider than 20 columns"
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
it_start_servers >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
it_run $TESTS
