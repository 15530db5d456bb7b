#!/usr/bin/env bash
# rhizome load: a database built from an environment's snapshots, on a
# scratch server of its own (server `scratch`; the fleets live on server
# `load`). Every environment of the demo fleet and of the shop fleet
# (tests/fixtures/gen_fleet.sql: every column type) is loaded into a
# scratch environment; `sync schema` and `sync data --rows 5` of those
# must write the source's files byte for byte (AUTO_INCREMENT aside):
# 64-bit integers, DECIMAL digits, binary, BIT, JSON, dates and times
# with their fractions, text with quotes, backslashes and non-ASCII,
# masked values as they were masked. Then the refusals (a production or
# undeclared target, an existing table or view, a bad file: nothing
# contacted or written), failed loads, an unreachable target, SIGTERM,
# SIGKILL, a stall and a KILL of the control connection mid-load, the
# server lock, --schema-only and the key checks; and sync data
# --follow-keys on tests/fixtures/keys_fleet.sql.
set -u
source "$(dirname "$0")/lib.sh"
source "$IT_ROOT/tests/lib/fixture_fleets.sh"

G=$(mktemp -d /tmp/rhizome-load.XXXXXX)
{ mdb_start load && mdb_start scratch; } >/dev/null ||
	{ echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
trap 'mdb_stop_all; rm -rf "$G"' EXIT
export RHIZOME_DEMO_MASK_KEY=0123456789abcdef0123456789abcdef
export RHIZOME_LOADER_PASSWORD="ld-$RANDOM$RANDOM"

# Both fleets' snapshots (5 rows a table), in $G/demo and $G/shop; the
# scratch server's loader may do anything.
setup() {
	fixture_fleets load "$G" --rows 5 &&
		mdb_sql load <"$IT_ROOT/tests/fixtures/keys_fleet.sql" &&
		mdb_sql scratch -e "CREATE USER loader@'%' IDENTIFIED BY '$RHIZOME_LOADER_PASSWORD';
			GRANT ALL ON *.* TO loader@'%';"
}
if ! setup >"$G/setup.log" 2>&1; then
	echo "FAIL ${PREFIX:-}load_setup"
	sed 's/^/    /' "$G/setup.log" | tail -20
	exit 1
fi

# "name folder database" of each environment of a config but its
# scratch ones (the demo config's own load targets).
environments() { # CONFIG
	awk 'function out() { if (e && !s) print e, f, d }
	     /^\[environment / { out(); e = substr($2, 1, length($2) - 1); f = d = ""; s = 0 }
	     /^\[/ && !/^\[environment / { out(); e = "" }
	     e && /^folder = / { f = $3 } e && /^database = / { d = $3 }
	     e && /^scratch = yes/ { s = 1 }
	     END { out() }' "$1"
}

# A scratch environment's name for environment or folder NAME: "ld_" and
# the name with "prod" spelled "prd" (a load target must not look like
# production).
ld() { echo "ld_${1//prod/prd}"; }

# $T/rhizome.cnf: fleet FLEET's config, its snapshots copied to
# $T/environments, and per environment ENV a scratch environment
# `ld ENV` (folder `ld FOLDER`, schema the same as its name) on the
# scratch server, over TCP (port PORT, default the server's own).
scratch_config() { # FLEET [PORT]
	local env folder db port=${2:-$(mdb_port scratch)} s
	# each test starts from an empty scratch server
	for s in $(mdb_sql scratch -N -e "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA
			WHERE SCHEMA_NAME LIKE 'ld\\_%' OR SCHEMA_NAME LIKE 'rhizome\\_load\\_%'"); do
		mdb_sql scratch -e "SET foreign_key_checks = 0; DROP DATABASE \`$s\`" || return 1
	done
	cp -r "$G/$1/environments" "$T/environments"
	cp "$G/$1/rhizome.cnf" "$T/rhizome.cnf"
	while read -r env folder db; do
		printf '\n[environment %s]\nfolder = %s\ndatabase = %s\nschema = %s\nhost = 127.0.0.1\nport = %s\nuser = loader\npassword-env = RHIZOME_LOADER_PASSWORD\nscratch = yes\n' \
			"$(ld "$env")" "$(ld "$folder")" "$db" "$(ld "$env")" "$port"
	done < <(environments "$G/$1/rhizome.cnf") >>"$T/rhizome.cnf"
}

# Strip the AUTO_INCREMENT=N table option (what a load need not give back).
no_ai() { sed -E 's/ AUTO_INCREMENT=[0-9]+//' "$1"; }

# Load every environment of FLEET into its scratch environment, then sync
# those and compare each file of the source's folders with its copy.
# Prints "N files".
round_trip() { # FLEET
	local env folder db f n=0
	scratch_config "$1"
	while read -r env folder db; do
		rz --config "$T/rhizome.cnf" load --env "$env" --into "$(ld "$env")" --format json
		[ "$RC" = 0 ] || fail "load $env: exit $RC: $(cat "$T/err.txt")"
		[ "$(js .loaded)" = true ] || fail "load $env: $(cat "$T/out.json")"
	done < <(environments "$G/$1/rhizome.cnf")
	rz --quiet --config "$T/rhizome.cnf" sync schema --env 'ld_*'
	[ "$RC" = 0 ] || fail "sync schema of the scratch schemas: $(cat "$T/err.txt")"
	rz --quiet --config "$T/rhizome.cnf" sync data --rows 5 --env 'ld_*'
	[ "$RC" = 0 ] || fail "sync data of the scratch schemas: $(cat "$T/err.txt")"
	for folder in $(environments "$G/$1/rhizome.cnf" | cut -d' ' -f2 | sort -u); do
		for f in "$T/environments/$folder/expected_data/"*; do
			case $f in *.sql | *.json) ;; *) continue ;; esac
			local got=$T/environments/$(ld "$folder")/expected_data/${f##*/}
			[ -e "$got" ] || fail "$folder: ${f##*/} was not loaded back"
			assert_file_eq <(no_ai "$f") <(no_ai "$got") "$folder: ${f##*/}"
			n=$((n + 1))
		done
	done
	echo "$n files"
}

test_the_demo_fleet_loads_back_exactly() {
	round_trip demo >"$T/summary"
	grep -q '^95 files$' "$T/summary" || fail "$(cat "$T/summary")"
	# 49 schema and 46 data files. na_prod, as the README shows it: every table and row of its files
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing \
		--replace --format json
	assert_eq "$RC" 0 "exit of the second load"
	assert_eq "$(js .tables_count)" "$(ls "$T"/environments/na_prod/expected_data/billing_*.sql |
		grep -vc 'billing_bookkeeper_\|billing_event_')" "tables loaded"
	assert_eq "$(js '.replaced | length')" "$(js .tables_count)" "tables replaced"
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.SCHEMATA
		WHERE SCHEMA_NAME LIKE 'rhizome\\_load\\_%'")" 0 "staging schemas left"
}

test_every_type_of_the_shop_fleet_loads_back_exactly() {
	round_trip shop >"$T/summary"
	grep -q '^26 files$' "$T/summary" || fail "$(cat "$T/summary")"
}

# A target no load may write to: refused with exit 2 before any server is
# contacted (its port has nothing listening: trying would be exit 3).
test_targets_that_are_not_scratch_are_refused_before_any_connection() {
	scratch_config demo 1
	cat >>"$T/rhizome.cnf" <<-EOF

	[environment staging_prod_copy]
	folder = qa1
	database = billing
	host = 127.0.0.1
	port = 1

	[environment qa_billing]
	folder = qa
	database = billing
	schema = qa_billing
	host = 127.0.0.1
	port = 1
	sensitive = yes
	mask = optional

	[environment qa_plain]
	folder = qa2
	database = billing
	schema = qa_plain
	host = 127.0.0.1
	port = 1

	[environment qa_shadow]
	folder = qa3
	database = billing
	schema = qa_plain
	host = 127.0.0.1
	port = 1
	scratch = yes
	EOF
	local target want
	while IFS='|' read -r target want; do
		rz --config "$T/rhizome.cnf" load --env na_prod_billing --into "$target"
		assert_eq "$RC" 2 "exit for --into $target"
		grep -q "$want" "$T/err.txt" || fail "--into $target: $(cat "$T/err.txt")"
		[ ! -s "$T/out.json" ] || fail "--into $target printed a summary"
	done <<-EOF
	staging_prod_copy|treated as production or sensitive ('prod' in its name or folder)
	qa_billing|treated as production or sensitive (sensitive = yes)
	qa_plain|must be declared a scratch environment: .scratch = yes. in \[environment qa_plain\]
	qa_shadow|schema qa_plain on that server is environment qa_plain's
	na_prod_billing|is the environment loaded from
	nowhere|no such environment
	EOF
	rz --config "$T/rhizome.cnf" load --env na_prod --into ld_na_prd_billing
	assert_eq "$RC" 2 "exit for a folder's three environments"
	grep -q "names 3 environments" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	rz --config "$T/rhizome.cnf" load --into ld_na_prd_billing
	assert_eq "$RC" 2 "exit without --env"
	# a scratch environment is never one that looks like production
	printf '\n[environment ld_prod]\nfolder = qa4\ndatabase = billing\nsocket = /x\nscratch = yes\n' \
		>>"$T/rhizome.cnf"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_prod
	assert_eq "$RC" 2 "exit for a scratch environment named prod"
	grep -q "rhizome.cnf:[0-9]*: key 'scratch': \[environment ld_prod\] looks like production" \
		"$T/err.txt" || fail "$(cat "$T/err.txt")"
}

# The commands run without --env leave the scratch environments out.
test_the_fleet_without_env_leaves_scratch_environments_out() {
	scratch_config demo
	rz --config "$T/rhizome.cnf" sync report --format json
	assert_eq "$RC" 0 "exit of sync report"
	assert_eq "$(js '[.. | objects | select(has("env")) | .env | select(startswith("ld_"))] | length')" 0 \
		"scratch environments in the report"
	assert_eq "$(js '[.. | objects | select(has("env")) | .env] | unique | length')" 7 \
		"the fleet's environments in the report"
	rz --config "$T/rhizome.cnf" sync report --env 'ld_*' --format json
	assert_eq "$(js '[.. | objects | select(has("env")) | .env] | unique | length')" 7 \
		"scratch environments asked for by --env"
}

# RELIABILITY 5 and 6 for a load: a target with nothing listening, or a
# wrong password, is one clear error (exit 3), the password in no output.
test_an_unreachable_target_or_a_wrong_password_is_one_clear_error() {
	scratch_config demo 1
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --format json
	assert_eq "$RC" 3 "exit for nothing listening"
	grep -q "error 2002: cannot connect to 127.0.0.1:1 (environment ld_na_prd_billing, .*rhizome.cnf:[0-9]*)" \
		"$T/err.txt" || fail "$(cat "$T/err.txt")"
	assert_eq "$(js .target)" unchanged "the target's state"
	scratch_config demo
	local right=$RHIZOME_LOADER_PASSWORD
	RHIZOME_LOADER_PASSWORD="not-$right"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --format json
	assert_eq "$RC" 3 "exit for a wrong password"
	grep -q "error 1045: .*Access denied" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	! grep -q -- "not-$right" "$T/err.txt" "$T/out.json" || fail "the password was shown"
	RHIZOME_LOADER_PASSWORD=$right
}

# A snapshot that cannot be loaded is named, and nothing is contacted.
test_a_bad_snapshot_file_is_refused_before_any_connection() {
	scratch_config demo 1
	local f=$T/environments/na_prod/expected_data/billing_invoice.json
	sed -i '0,/"id": [0-9]*/s//"id": "seven"/' "$f"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing
	assert_eq "$RC" 2 "exit for a string in an integer column"
	grep -q "billing_invoice.json: row 1: column .id.: " "$T/err.txt" || fail "$(cat "$T/err.txt")"
	printf '{"id": ' >"$f"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing
	assert_eq "$RC" 2 "exit for a file that is not JSON"
	grep -q "billing_invoice.json:1: not JSON" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	sed -i 's/CREATE TABLE `account`/CREATE TABLE `acc0unt`/' \
		"$T/environments/na_prod/expected_data/billing_account.sql"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --schema-only
	assert_eq "$RC" 2 "exit for a .sql of another table"
	grep -q "billing_account.sql: creates table .acc0unt., not .account." "$T/err.txt" ||
		fail "$(cat "$T/err.txt")"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --table nope
	assert_eq "$RC" 2 "exit for --table of no table"
	grep -q -- "--table nope: not a table of na_prod_billing" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	# a .sql file runs nothing but its CREATE TABLE: another statement, a
	# SELECT, an engine that reaches elsewhere are refused
	local sql=$T/environments/na_prod/expected_data/billing_tax_rate.sql want
	cp "$sql" "$T/tax_rate.sql"
	while IFS='|' read -r edit want; do
		cp "$T/tax_rate.sql" "$sql"
		sed -i "$edit" "$sql"
		rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing \
			--schema-only --table tax_rate
		assert_eq "$RC" 2 "exit for a .sql edited by '$edit'"
		grep -q "billing_tax_rate.sql: $want" "$T/err.txt" || fail "$edit: $(cat "$T/err.txt")"
	done <<-'EOF'
	$s/;$/;\nDROP DATABASE `ld_na_prd_billing`;/|holds more than one statement
	s/^) ENGINE=InnoDB\(.*\);$/) ENGINE=InnoDB\1 SELECT 1 AS id;/|its table options hold a SELECT
	s/^) ENGINE=InnoDB/) ENGINE=CONNECT/|ENGINE=CONNECT: a load makes only tables whose rows stay
	s/^) ENGINE=InnoDB/) ENGINE=SPIDER/|ENGINE=SPIDER: a load makes only
	s/^) ENGINE=InnoDB/) ENGINE=`CONNECT`/|ENGINE=(not written ENGINE=NAME)
	s/^) ENGINE=InnoDB/) ENGINE = CONNECT/|ENGINE=(not written ENGINE=NAME)
	s/^) ENGINE=InnoDB/) ENGINE=InnoDB UNION=(`other`.`t`)/|its table options hold a SELECT, a UNION
	s/^) ENGINE=InnoDB/) ENGINE=InnoDB \/*!; DROP DATABASE `ld_na_prd_billing`; *\//|holds a comment other than a partition
	s/^\(  `id`.*,\)$/\1 -- it's/|holds a comment, which SHOW CREATE TABLE never prints
	s/^\(  `id`.*,\)$/\1 # it's/|holds a comment, which SHOW CREATE TABLE never prints
	s/^) ENGINE=InnoDB\(.*\);$/) ENGINE=InnoDB\1\n SELECT 1;/|something other than a PARTITION clause
	EOF
}

# The rows of table TABLE of scratch schema SCHEMA, as one checksum.
checksum() { mdb_sql scratch -N -e "CHECKSUM TABLE \`$1\`.\`$2\`" | cut -f2; }

test_an_existing_table_needs_replace_and_replace_replaces_it() {
	scratch_config demo
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing
	assert_eq "$RC" 0 "exit of the first load"
	local before
	before=$(checksum ld_na_prd_billing account)
	mdb_sql scratch -e 'UPDATE ld_na_prd_billing.account SET status = "closed"; CREATE TABLE ld_na_prd_billing.mine (id INT);'
	local changed
	changed=$(checksum ld_na_prd_billing account)
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --format json
	assert_eq "$RC" 2 "exit without --replace"
	grep -q "already has account, price_plan" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	grep -q -- "--replace drops and recreates" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	assert_eq "$(js '.existing | length')" 8 "tables named as existing"
	assert_eq "$(checksum ld_na_prd_billing account)" "$changed" "account untouched"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --replace --format json
	assert_eq "$RC" 0 "exit with --replace"
	assert_eq "$(js '.replaced | length')" 8 "tables replaced"
	assert_eq "$(checksum ld_na_prd_billing account)" "$before" "account as the snapshot has it"
	assert_eq "$(mdb_sql scratch -N -e 'SELECT COUNT(*) FROM ld_na_prd_billing.mine')" 0 \
		"a table the load does not name is left alone"
	# a view under a loaded table's name is never replaced
	mdb_sql scratch -e 'SET foreign_key_checks = 0; DROP TABLE ld_na_prd_billing.tax_rate;
		CREATE VIEW ld_na_prd_billing.tax_rate AS SELECT 1 AS id'
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --replace --format json
	assert_eq "$RC" 2 "exit for a view under a table's name"
	grep -q "tax_rate is a view in ld_na_prd_billing (schema ld_na_prd_billing): a load never replaces a view" \
		"$T/err.txt" || fail "$(cat "$T/err.txt")"
	assert_eq "$(js -c .views)" '["tax_rate"]' "views named"
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.SCHEMATA
		WHERE SCHEMA_NAME LIKE 'rhizome\\_load\\_%'")" 0 "staging schemas left"
}

# A table loaded alone references the target's tables, never the staging
# schema's (which is dropped); --replace refuses to break a key of a table
# it does not load.
test_a_table_loaded_alone_keeps_its_keys_to_the_targets_tables() {
	scratch_config demo
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing
	assert_eq "$RC" 0 "exit of the first load"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing \
		--table payment --replace --format json
	assert_eq "$RC" 0 "exit of the load of payment alone: $(cat "$T/err.txt")"
	mdb_sql scratch -N -e 'SHOW CREATE TABLE ld_na_prd_billing.payment' >"$T/payment.sql"
	! grep -q rhizome_load "$T/payment.sql" || fail "payment's key names the staging schema: $(cat "$T/payment.sql")"
	grep -q 'REFERENCES `invoice` (`id`)' "$T/payment.sql" || fail "$(cat "$T/payment.sql")"
	mdb_sql scratch -e 'UPDATE ld_na_prd_billing.payment SET invoice_id = 424242 LIMIT 1' \
		2>"$T/fk.err" && fail "the server took a payment of no invoice"
	grep -q "foreign key constraint fails" "$T/fk.err" || fail "$(cat "$T/fk.err")"
	# invoice_line and payment (not loaded) reference invoice
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing \
		--table invoice --replace --format json
	assert_eq "$RC" 2 "exit of a --replace that would break other tables' keys"
	grep -q "would break foreign key fk_invoice_line_invoice of ld_na_prd_billing.invoice_line" \
		"$T/err.txt" || fail "$(cat "$T/err.txt")"
	grep -q "would break foreign key fk_payment_invoice of ld_na_prd_billing.payment" \
		"$T/err.txt" || fail "$(cat "$T/err.txt")"
	assert_eq "$(js '.blocked_by | length')" 2 "keys named"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing \
		--table invoice --table invoice_line --table payment --replace
	assert_eq "$RC" 0 "exit of --replace of invoice with the tables that reference it: $(cat "$T/err.txt")"
}

test_a_failed_load_leaves_the_target_as_it_was() {
	scratch_config demo
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing
	assert_eq "$RC" 0 "exit of the first load"
	local before
	before=$(for t in account invoice payment; do checksum ld_na_prd_billing $t; done)
	# the server refuses a row the files hold twice (1062): found only there
	local f=$T/environments/na_prod/expected_data/billing_payment.json
	jq '. + [.[0]]' "$f" >"$f.new" && mv "$f.new" "$f"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --replace \
		--format json --verbose
	assert_eq "$RC" 3 "exit of a load the server refuses"
	grep -q "table payment: error 1062: Duplicate entry" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	grep -q "nothing was moved into ld_na_prd_billing" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	assert_eq "$(js .loaded)" false "loaded"
	js '.errors[0].statement' | grep -q '^INSERT INTO `payment`' || fail "statement: $(js '.errors[0]')"
	assert_eq "$(for t in account invoice payment; do checksum ld_na_prd_billing $t; done)" \
		"$before" "the target's tables"
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.SCHEMATA
		WHERE SCHEMA_NAME LIKE 'rhizome\\_load\\_%'")" 0 "staging schemas left"
	# a value the server keeps only in part (a time in a DATE: a note, not
	# an error, even in strict mode) fails the load too
	cp "$G/demo/environments/na_prod/expected_data/billing_payment.json" "$f"
	sed -i '0,/"due_on": "\([0-9-]*\)"/s//"due_on": "\1 10:00:00"/' \
		"$T/environments/na_prod/expected_data/billing_invoice.json"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --replace
	assert_eq "$RC" 3 "exit of a load the server changes a value of"
	grep -q "table invoice: error [0-9]*: the server stored 1 value(s) other than the file holds" \
		"$T/err.txt" || fail "$(cat "$T/err.txt")"
	assert_eq "$(for t in account invoice payment; do checksum ld_na_prd_billing $t; done)" \
		"$before" "the target's tables after the second failure"
}

# The scratch server behind the fault proxy, DELAY_MS each way (and the
# options given); its port in $IT_PROXY_PORT.
slow_scratch() { it_start_proxy "$(mdb_port scratch)" --delay-ms "$@"; }

# Wait until the staging schema of SCHEMA exists (the load is under way).
wait_staged() { # SCHEMA
	local h
	h=$(printf '%s' "$1" | sha256sum | cut -c1-16)
	for _ in $(seq 100); do
		[ "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.TABLES
			WHERE TABLE_SCHEMA = 'rhizome_load_$h'")" -gt 0 ] && return 0
		sleep 0.1
	done
	fail "the load never staged a table"
}

test_sigterm_mid_load_stops_cleanly_and_leaves_the_target_as_it_was() {
	slow_scratch 150
	scratch_config demo "$IT_PROXY_PORT"
	"$RHIZOME" --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing \
		--workers 1 --format json >"$T/out.json" 2>"$T/err.txt" &
	local pid=$! t0=$EPOCHREALTIME rc
	wait_staged ld_na_prd_billing
	kill -TERM $pid
	wait $pid
	rc=$?
	! grep -q Sanitizer "$T/err.txt" || fail "sanitizer report: $(cat "$T/err.txt")"
	assert_eq "$rc" 143 "exit after SIGTERM"
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a < 15) }' ||
		fail "SIGTERM took more than 15 s"
	grep -q "terminated (SIGTERM)" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	assert_eq "$(js .interrupted)" SIGTERM "the summary's interrupted"
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = 'ld_na_prd_billing'")" 0 "tables under their final names"
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.SCHEMATA
		WHERE SCHEMA_NAME LIKE 'rhizome\\_load\\_%'")" 0 "staging schemas left"
	# no statement of ours runs on (RELIABILITY 22)
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST
		WHERE USER = 'loader' AND COMMAND <> 'Sleep'")" 0 "statements of ours still running"
}

# RELIABILITY 9 and 10 for a load: the target stops answering mid-load
# (every connection stalls, new ones too): the round trip is cut off at
# query-timeout and killed on the server, the load fails (exit 3) within a
# liveness bound with nothing under a final name; the staging schema that
# no connection could drop is dropped by the next load once the server
# answers again.
test_a_stalled_target_is_cut_off_and_left_as_it_was() {
	slow_scratch 100 --control "$T/ctl"
	scratch_config demo "$IT_PROXY_PORT"
	sed -i 's/^\[fleet\]$/[fleet]\nconnect-timeout = 2\nread-timeout = 2\nquery-timeout = 2\nretries = 0/' \
		"$T/rhizome.cnf"
	"$RHIZOME" --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing \
		--workers 1 --format json >"$T/out.json" 2>"$T/err.txt" &
	local pid=$! t0 rc
	wait_staged ld_na_prd_billing
	t0=$EPOCHREALTIME
	timeout 3 bash -c 'echo "stall 0" >"$0"' "$T/ctl" || fail "the proxy took no command"
	wait $pid
	rc=$?
	! grep -q Sanitizer "$T/err.txt" || fail "sanitizer report: $(cat "$T/err.txt")"
	assert_eq "$rc" 3 "exit of a load whose target stalled: $(cat "$T/err.txt")"
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a < 30) }' ||
		fail "the stalled load took more than 30 s"
	grep -q "timed out" "$T/err.txt" || fail "not said as a time-out: $(cat "$T/err.txt")"
	timeout 3 bash -c 'echo pass >"$0"' "$T/ctl" || fail "the proxy took no command"
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = 'ld_na_prd_billing'")" 0 "tables under their final names"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --format json
	assert_eq "$RC" 0 "exit of the next load, the server answering again: $(cat "$T/err.txt")"
	assert_eq "$(js .tables_count)" 8 "tables loaded"
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.SCHEMATA
		WHERE SCHEMA_NAME LIKE 'rhizome\\_load\\_%'")" 0 "staging schemas left"
}

# A DBA's KILL of the load's control connection lets its server lock go:
# the workers stop before another load could own the staging schema, the
# load fails (exit 3) with the target as it was, and says why.
test_a_killed_control_connection_stops_the_load_before_it_writes_unlocked() {
	slow_scratch 150
	scratch_config demo "$IT_PROXY_PORT"
	"$RHIZOME" --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing \
		--workers 1 --format json >"$T/out.json" 2>"$T/err.txt" &
	local pid=$! h owner rc
	wait_staged ld_na_prd_billing
	h=$(printf '%s' ld_na_prd_billing | sha256sum | cut -c1-16)
	owner=$(mdb_sql scratch -N -e "SELECT IS_USED_LOCK('rhizome_load_$h')")
	[ -n "$owner" ] && [ "$owner" != NULL ] || fail "no session holds the load's lock"
	mdb_sql scratch -e "KILL $owner"
	wait $pid
	rc=$?
	! grep -q Sanitizer "$T/err.txt" || fail "sanitizer report: $(cat "$T/err.txt")"
	assert_eq "$rc" 3 "exit of a load whose control connection was killed: $(cat "$T/err.txt")"
	grep -Eq "server lock is lost|control connection was lost|Lost connection|gone away" "$T/err.txt" ||
		fail "not said: $(cat "$T/err.txt")"
	assert_eq "$(js .target)" unchanged "the target's state"
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = 'ld_na_prd_billing'")" 0 "tables under their final names"
}

test_a_killed_loads_staging_schema_is_dropped_by_the_next() {
	slow_scratch 150
	scratch_config demo "$IT_PROXY_PORT"
	"$RHIZOME" --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing \
		--workers 1 >/dev/null 2>&1 &
	local pid=$!
	wait_staged ld_na_prd_billing
	kill -KILL $pid
	wait $pid 2>/dev/null
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.SCHEMATA
		WHERE SCHEMA_NAME LIKE 'rhizome\\_load\\_%'")" 1 "the killed load's staging schema"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --format json
	assert_eq "$RC" 0 "exit of the next load"
	js '.notes[]' | grep -q "dropped what an interrupted load into ld_na_prd_billing left" ||
		fail "notes: $(js .notes)"
	assert_eq "$(js .tables_count)" 8 "tables loaded"
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.SCHEMATA
		WHERE SCHEMA_NAME LIKE 'rhizome\\_load\\_%'")" 0 "staging schemas left"
}

test_two_loads_into_one_schema_never_run_at_once() {
	scratch_config demo
	local h
	h=$(printf '%s' ld_na_prd_billing | sha256sum | cut -c1-16)
	mdb_sql scratch -e "SELECT GET_LOCK('rhizome_load_$h', 0); SELECT SLEEP(30);" >/dev/null &
	local holder=$!
	for _ in $(seq 50); do
		[ "$(mdb_sql scratch -N -e "SELECT IS_FREE_LOCK('rhizome_load_$h')")" = 0 ] && break
		sleep 0.1
	done
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing
	kill $holder 2>/dev/null
	mdb_sql scratch -e "KILL (SELECT IS_USED_LOCK('rhizome_load_$h'))" 2>/dev/null
	assert_eq "$RC" 5 "exit while another load holds the lock"
	grep -q "another load into schema ld_na_prd_billing of ld_na_prd_billing is running" \
		"$T/err.txt" || fail "$(cat "$T/err.txt")"
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = 'ld_na_prd_billing'")" 0 "tables written"
}

test_schema_only_creates_the_tables_without_rows() {
	scratch_config demo
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --schema-only \
		--format json
	assert_eq "$RC" 0 "exit"
	assert_eq "$(js .rows_count)" 0 "rows loaded"
	assert_eq "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = 'ld_na_prd_billing'")" 8 "tables made"
	assert_eq "$(mdb_sql scratch -N -e 'SELECT COUNT(*) FROM ld_na_prd_billing.invoice')" 0 "rows"
}

# Rows whose parent row the snapshot lacks are counted per key (what
# FOREIGN_KEY_CHECKS=1 would have refused), as the server itself counts
# them, and the load still goes in.
test_rows_whose_parents_are_missing_are_reported_per_key() {
	scratch_config demo
	local d=$T/environments/na_prod/expected_data
	jq '[.[0]]' "$d/billing_account.json" >"$d/x" && mv "$d/x" "$d/billing_account.json"
	rm "$d/billing_price_plan.json"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --format json
	assert_eq "$RC" 0 "exit"
	local orphans
	orphans=$(mdb_sql scratch -N -e 'SELECT COUNT(*) FROM ld_na_prd_billing.subscription s
		WHERE s.account_id IS NOT NULL AND NOT EXISTS
		(SELECT 1 FROM ld_na_prd_billing.account a WHERE a.id = s.account_id)')
	[ "$orphans" -gt 0 ] || fail "the fixture has no orphan subscription"
	assert_eq "$(js '.foreign_keys.unsatisfied[] | select(.constraint == "fk_subscription_account") | .rows')" \
		"$orphans" "orphans of fk_subscription_account"
	assert_eq "$(js '.foreign_keys.unsatisfied[] | select(.constraint == "fk_subscription_price_plan") | .rows')" \
		"$(js '.tables[] | select(.table == "subscription") | .rows')" "orphans of a table with no rows"
	assert_eq "$(js '.foreign_keys.checked')" 7 "keys checked"
	rz --config "$T/rhizome.cnf" load --env na_prod_billing --into ld_na_prd_billing --replace --format text
	grep -q "foreign keys: 7 checked, [0-9]* with rows whose parent row is not loaded" "$T/out.json" ||
		fail "$(cat "$T/out.json")"
	grep -q "subscription.fk_subscription_account -> account: $orphans row" "$T/out.json" ||
		fail "$(cat "$T/out.json")"
}

# ---- sync data --follow-keys (tests/fixtures/keys_fleet.sql) -------------

# $T/rhizome.cnf: the keys fleet (schema keys_src of server `load`) and its
# scratch environment ld_keys; extra lines (a [mask] section) from stdin.
keys_config() {
	scratch_config demo >/dev/null
	rm -rf "$T/environments"
	{
		printf '[fleet]\nout = environments\n\n'
		cat
		printf '\n[tables keys]\ntables = region customer orders employee dept person sku line\n'
		printf '\n[environment keys_src]\nfolder = src\ndatabase = keys\nschema = keys_src\nsocket = %s\nuser = root\n' \
			"$(mdb_sock load)"
		printf '\n[environment ld_keys]\nscratch = yes\nfolder = copy\ndatabase = keys\nschema = ld_keys\nhost = 127.0.0.1\nport = %s\nuser = loader\npassword-env = RHIZOME_LOADER_PASSWORD\n' \
			"$(mdb_port scratch)"
	} >"$T/rhizome.cnf"
}

# The key values of a data file, in file order: [id...], or
# [[vendor, code]...] for sku.
ids() { jq -c '[.[] | (.id // [.vendor, .code])]' "$T/environments/src/expected_data/keys_$1.json"; }

# Rows of the scratch schema ld_keys whose parent row is not there, per
# foreign key, as the server's catalog describes the keys: counted here,
# independently of rhizome load's own check.
orphans_by_server() {
	local t c cols ref rcols cond join
	mdb_sql scratch -N -e "SELECT TABLE_NAME, CONSTRAINT_NAME,
			GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION),
			REFERENCED_TABLE_NAME,
			GROUP_CONCAT(REFERENCED_COLUMN_NAME ORDER BY ORDINAL_POSITION)
		FROM information_schema.KEY_COLUMN_USAGE
		WHERE TABLE_SCHEMA = 'ld_keys' AND REFERENCED_TABLE_NAME IS NOT NULL
		GROUP BY TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME" |
		while IFS=$'\t' read -r t c cols ref rcols; do
			cond=$(awk -v a="$cols" 'BEGIN { n = split(a, x, ",")
				for (i = 1; i <= n; i++) printf "%sc.`%s` IS NOT NULL", (i > 1 ? " AND " : ""), x[i] }')
			join=$(awk -v a="$cols" -v b="$rcols" 'BEGIN { n = split(a, x, ","); split(b, y, ",")
				for (i = 1; i <= n; i++) printf "%sp.`%s` = c.`%s`", (i > 1 ? " AND " : ""), y[i], x[i] }')
			printf '%s %s\n' "$c" "$(mdb_sql scratch -N -e "SELECT COUNT(*) FROM ld_keys.\`$t\` c
				WHERE $cond AND NOT EXISTS (SELECT 1 FROM ld_keys.\`$ref\` p WHERE $join)")"
		done
}

test_follow_keys_brings_the_rows_sampled_rows_reference() {
	keys_config </dev/null
	rz --config "$T/rhizome.cnf" --quiet sync schema --env keys_src
	assert_eq "$RC" 0 "exit of sync schema"
	# without: the first rows alone break keys, as the load says
	rz --config "$T/rhizome.cnf" --quiet sync data --env keys_src
	rz --config "$T/rhizome.cnf" load --env keys_src --into ld_keys --format json
	assert_eq "$RC" 0 "exit of the load without following"
	[ "$(js '.foreign_keys.unsatisfied | length')" -ge 4 ] ||
		fail "the first rows alone satisfy the keys: the test proves nothing: $(js .foreign_keys)"
	[ "$(orphans_by_server | awk '$2 > 0' | wc -l)" -ge 4 ] || fail "the server counts no orphan"

	rz --config "$T/rhizome.cnf" --quiet sync data --env keys_src --follow-keys
	assert_eq "$RC" 0 "exit of sync data --follow-keys: $(cat "$T/err.txt")"
	assert_eq "$(ids region)" "[1,7]" "region: the first row, and the 3rd level of a chain"
	assert_eq "$(ids customer)" "[10,50]" "customer: the first row, and what orders references"
	assert_eq "$(ids orders)" "[100]" "orders: the first row"
	assert_eq "$(ids employee)" "[1,5,9]" "employee: a self-reference followed to its end"
	assert_eq "$(ids dept)" "[1,2]" "dept: a cycle"
	assert_eq "$(ids person)" "[20,30,31]" "person: a cycle"
	assert_eq "$(ids sku)" '[["ACME","x1"],["ZED","q9"]]' "sku: a composite key matched in its collation"
	assert_eq "$(ids line)" "[1]" "line: the first row"
	# every file an array, even of one row
	assert_eq "$(jq -r type "$T/environments/src/expected_data/keys_orders.json")" array "orders.json"

	rz --config "$T/rhizome.cnf" load --env keys_src --into ld_keys --replace --format json
	assert_eq "$RC" 0 "exit of the load"
	assert_eq "$(js '.foreign_keys.checked')" 6 "keys checked"
	assert_eq "$(js '.foreign_keys.unsatisfied | length')" 0 "keys unsatisfied: $(js .foreign_keys)"
	assert_eq "$(orphans_by_server | awk '$2 > 0' | wc -l)" 0 "keys the server finds orphans of"
	assert_eq "$(orphans_by_server | wc -l)" 6 "keys the server has"
}

test_follow_keys_costs_a_round_trip_per_level_never_one_per_row() {
	keys_config </dev/null
	rz --config "$T/rhizome.cnf" --quiet sync data --env keys_src --dry-run
	local plain
	plain=$(js .round_trips)
	rz --config "$T/rhizome.cnf" --quiet sync data --env keys_src --follow-keys --dry-run
	assert_eq "$RC" 0 "exit"
	# levels: the first rows' keys; customer 50, employee 5, person 30;
	# employee 9, dept 2; person 31; dept 1 again (its head was seen)
	assert_eq "$(js '.followed[0].levels')" 5 "levels read"
	assert_eq "$(js .round_trips)" $((plain + 5)) "round trips: the plain run's and one per level"
	# three times the rows: still a round trip per level
	rz --config "$T/rhizome.cnf" --quiet sync data --env keys_src --follow-keys --rows 3 --dry-run
	[ "$(js .round_trips)" -le $((plain + $(js '.followed[0].levels'))) ] ||
		fail "round trips with 3 rows: $(js .round_trips), levels $(js '.followed[0].levels')"
}

test_follow_keys_refuses_masking_that_breaks_keys() {
	export RHIZOME_KEYS_MASK_KEY=0123456789abcdef0123456789abcdef
	keys_config <<-EOF
	[mask]
	key-env = RHIZOME_KEYS_MASK_KEY
	customer.id = hash
	EOF
	# before any server, from the schema snapshots
	rz --config "$T/rhizome.cnf" --quiet sync schema --env keys_src
	rz --config "$T/rhizome.cnf" --quiet sync data --env keys_src --follow-keys
	assert_eq "$RC" 2 "exit for a key hashed on one side"
	grep -q 'the key `orders`.`customer_id` -> `customer`.`id` would not line up: `orders`.`customer_id` is not masked, `customer`.`id` is masked by hash' \
		"$T/err.txt" || fail "$(cat "$T/err.txt")"
	# with no snapshot yet: after the lookup, the environment fails
	rm -rf "$T/environments"
	rz --config "$T/rhizome.cnf" --quiet sync data --env keys_src --follow-keys
	assert_eq "$RC" 3 "exit for a key hashed on one side, found on the server"
	assert_eq "$(js '.errors[0].message' | grep -c 'would not line up')" 1 "the environment's error: $(js .errors)"
	# null and constant break keys whatever the other side says
	keys_config <<-EOF
	[mask]
	key-env = RHIZOME_KEYS_MASK_KEY
	region_id = null
	EOF
	rz --config "$T/rhizome.cnf" --quiet sync schema --env keys_src
	rz --config "$T/rhizome.cnf" --quiet sync data --env keys_src --follow-keys
	assert_eq "$RC" 2 "exit for a key masked by null"
	grep -q '`customer`.`region_id` is masked by null' "$T/err.txt" || fail "$(cat "$T/err.txt")"
	# hashed on both sides: the keys still line up in the loaded copy
	keys_config <<-EOF
	[mask]
	key-env = RHIZOME_KEYS_MASK_KEY
	customer.id = hash
	orders.customer_id = hash
	EOF
	rz --config "$T/rhizome.cnf" --quiet sync schema --env keys_src
	rz --config "$T/rhizome.cnf" --quiet sync data --env keys_src --follow-keys
	assert_eq "$RC" 0 "exit for a key hashed on both sides: $(cat "$T/err.txt")"
	[ "$(ids customer)" != "[10,50]" ] || fail "customer ids not hashed"
	rz --config "$T/rhizome.cnf" load --env keys_src --into ld_keys --format json
	assert_eq "$(js '.foreign_keys.unsatisfied | length')" 0 "keys unsatisfied: $(js .foreign_keys)"
}

# The tests named on the command line, else all of them, in file order.
[ $# -gt 0 ] && TESTS="$*" || TESTS=$(grep -o '^test_[a-z0-9_]*' "$0")
it_run $TESTS
