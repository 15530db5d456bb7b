#!/usr/bin/env bash
# gen models (issue 16), on two fleets snapshotted from a private server:
# the demo fleet (tests/fixtures/demo_fleet.sql) and the shop fleet
# (tests/fixtures/gen_fleet.sql: V1/V2 with a column inserted mid-table,
# non-id and composite keys, foreign keys, enums, every type, `metadata`,
# `class` and `from` columns, a table without a primary key). In Debian's
# /usr/bin/python3 (python3-sqlmodel, python3-pymysql; gen_roundtrip.py):
#   - every generated module imports in a fresh process, and passes
#     pyflakes;
#   - schema round trip: per registry, metadata.create_all on a scratch
#     schema, then `sync diff` of those tables against the snapshots they
#     were generated from: nothing but index order (SQLAlchemy 1.4 creates
#     a table's indexes in the order of a set), and with
#     --ignore-index-order nothing at all;
#   - data round trip: every emplacement's rows, each field equal to its
#     JSON value read by the model's own type;
# and: sync report shows every pair complete afterwards; regenerating
# rewrites nothing; a file without the generated header is left alone
# and listed (exit 3); a template that gives two tables one file is a
# configuration error (exit 2), nothing written.
set -u
source "$(dirname "$0")/lib.sh"
source "$IT_ROOT/tests/lib/fixture_fleets.sh"

PY=/usr/bin/python3
RT=("$PY" "$IT_ROOT/tests/integration/gen_roundtrip.py")
G=$(mktemp -d /tmp/rhizome-gen.XXXXXX)
mdb_start gen >/dev/null || { echo "FAIL ${PREFIX:-}start_server"; exit 1; }
trap 'mdb_stop_all; rm -rf "$G"' EXIT
export RHIZOME_DEMO_MASK_KEY=0123456789abcdef0123456789abcdef

# Both fleets' snapshots, in $G/demo and $G/shop, once for every test;
# the round trips' scratch schemas readable too.
setup() {
	fixture_fleets gen "$G" &&
		mdb_sql gen -e 'GRANT SELECT, SHOW VIEW ON `rt\_%`.* TO rhizome@localhost;'
}
if ! setup >"$G/setup.log" 2>&1; then
	echo "FAIL ${PREFIX:-}gen_models_setup"
	sed 's/^/    /' "$G/setup.log" | tail -20
	exit 1
fi

# A fresh copy of a fleet's snapshots (demo by default) in $T/fleet.
fleet() { cp -a "$G/${1:-demo}" "$T/fleet"; }
gen() { "$RHIZOME" --config "$T/fleet/rhizome.cnf" gen models --format json "$@" >"$T/out.json" 2>"$T/err.txt"; }
gen_or_fail() { gen || fail "gen models: exit $? $(cat "$T/err.txt")"; }

# The schema round trip of the fleet in $T/fleet, whose logical databases
# are DATABASE...: create_all per registry into rt_<database>_v<n>, the
# snapshot each table's version came from copied into $T/rt as the
# committed snapshots of those schemas, and `sync diff` of them (which
# fetches as sync schema does): JSON in $T/rt/diff.json, and with
# --ignore-index-order in $T/rt/diff-strict.json; text in $T/rt/diff.txt.
round_trip() { # DATABASE...
	local db schema rc
	mkdir -p "$T/rt"
	{
		printf '[fleet]\nout = environments\n\n'
		sed -n '/^\[tables /,/^$/p' "$T/fleet/rhizome.cnf"
	} >"$T/rt/rhizome.cnf"
	for db in "$@"; do
		"${RT[@]}" create "$T/fleet" "$db" "$(mdb_sock gen)" "rt_${db}_v" "$T/rt/environments" \
			>>"$T/rt/created.txt" 2>&1 || fail "create_all of $db: $(tail -5 "$T/rt/created.txt")"
	done
	for schema in $(sed -n 's/^V[0-9]*: \([^:]*\):.*/\1/p' "$T/rt/created.txt"); do
		db=${schema#rt_}
		db=${db%_v*}
		printf '\n[environment %s]\nfolder = %s\ndatabase = %s\nschema = %s\nsocket = %s\nuser = rhizome\npassword-env = RHIZOME_DEMO_PASSWORD\n' \
			"$schema" "$schema" "$db" "$schema" "$(mdb_sock gen)" >>"$T/rt/rhizome.cnf"
	done
	cd "$T/rt" || fail "no $T/rt"
	"$RHIZOME" --quiet sync diff >diff.txt 2>diff.err
	"$RHIZOME" --quiet sync diff --format json >diff.json 2>>diff.err
	rc=$?
	[ $rc -le 1 ] || fail "sync diff: exit $rc: $(cat diff.err)"
	"$RHIZOME" --quiet sync diff --ignore-index-order --format json >diff-strict.json 2>>diff.err
	rc=$?
	[ $rc -eq 0 ] || fail "sync diff --ignore-index-order: exit $rc: $(cat diff.txt diff.err)"
}

# Nothing differs but index order, nothing at all with
# --ignore-index-order, and PAIRS pairs were compared (every version of
# every table).
assert_round_trip_exact() { # PAIRS
	local other
	other=$(jq -c '[.drift[] | {env, table} + (.changes[]
		| select(.change != "index changed" or .object != "(order)"))]' "$T/rt/diff.json")
	assert_eq "$other" "[]" "differences other than index order ($(cat "$T/rt/diff.txt"))"
	assert_eq "$(jq '.drift_count, .error_count' "$T/rt/diff-strict.json" | tr '\n' ' ')" "0 0 " \
		"drift and errors with --ignore-index-order"
	assert_eq "$(jq '.unchanged_count + .trivial_count + .significant_count' "$T/rt/diff-strict.json")" "$1" \
		"pairs compared"
}

test_every_module_imports_and_every_emplacement_validates() {
	fleet
	gen_or_fail
	assert_eq "$(jq '.files.model, .files.registries, .files.emplacement, .files.registration' "$T/out.json" | tr '\n' ' ')" \
		"22 3 49 7 " "files planned"
	assert_eq "$(jq '.written | length' "$T/out.json")" 81 "files written"
	# (the empty table has no data file: its emplacement must say what to run)
	"${RT[@]}" imports "$T/fleet" >"$T/py.txt" 2>&1 || fail "$(cat "$T/py.txt")"
	grep -q '^81 modules, 0 failed' "$T/py.txt" || fail "$(cat "$T/py.txt")"
	"$PY" -m pyflakes "$T/fleet/models" "$T/fleet/environments" >"$T/flakes.txt" 2>&1 ||
		fail "pyflakes: $(head -20 "$T/flakes.txt")"
}

test_the_shop_fleet_keeps_versions_keys_types_and_names() {
	fleet shop
	gen_or_fail
	assert_eq "$(jq '.files.model, .files.registries, .files.emplacement, .files.registration' "$T/out.json" | tr '\n' ' ')" \
		"7 1 13 2 " "files planned"
	"${RT[@]}" imports "$T/fleet" >"$T/py.txt" 2>&1 || fail "$(cat "$T/py.txt")"
	grep -q '^23 modules, 0 failed' "$T/py.txt" || fail "$(cat "$T/py.txt")"
	"$PY" -m pyflakes "$T/fleet/models" "$T/fleet/environments" >"$T/flakes.txt" 2>&1 ||
		fail "pyflakes: $(head -20 "$T/flakes.txt")"
	(cd "$T/fleet" && "$PY" - >"$T/check.txt" 2>&1) <<'PYTHON' || fail "$(cat "$T/check.txt")"
import sys
sys.path.insert(0, '.')
from decimal import Decimal
from sqlalchemy.dialects import mysql
from models.shop._registries import REGISTRIES, V1Model, V2Model
from models.shop.customer import CustomerBase, CustomerTier, CustomerV1, CustomerV2
from models.shop.purchase import PurchaseV1
from models.shop.purchase_line import PurchaseLineV1
from models.shop.shipment import ShipmentV1
from models.shop.type_zoo import TypeZooV1
from models.shop.audit_note import AuditNoteV1
from environments.staging import shop_registration as staging
from environments.dev import shop_registration as dev

def cols(m):
    return list(m.__table__.c.keys())

# V2 inserts display_name after handle; the base holds what both have
assert cols(CustomerV2)[:3] == ['id', 'handle', 'display_name'], cols(CustomerV2)
assert 'display_name' not in cols(CustomerV1)
assert 'display_name' not in CustomerBase.__fields__
assert REGISTRIES == (V1Model, V2Model)
assert sorted(V2Model.metadata.tables) == ['customer'], V2Model.metadata.tables
assert {'customer', 'purchase_tag'} <= set(V1Model.metadata.tables)
assert staging.TABLES['customer'][0] is CustomerV1
assert dev.TABLES['customer'][0] is CustomerV2
assert staging.ABSENT == ('purchase_tag',) and dev.ABSENT == (), (staging.ABSENT, dev.ABSENT)
# Python's keywords and SQLAlchemy's metadata: safe attributes, real columns
t = CustomerV1.__table__
for attr, column in (('metadata_', 'metadata'), ('class_', 'class'), ('from_', 'from')):
    assert attr in CustomerV1.__fields__ and column in t.c, (attr, column)
assert isinstance(t.c['metadata'].type, mysql.JSON), t.c['metadata'].type
assert isinstance(t.c['id'].type, mysql.INTEGER) and t.c['id'].type.display_width == 11
assert t.c['id'].autoincrement is True
assert t.c['tier'].server_default.arg.text == "'free'"
assert t.c['updated_at'].server_default.arg.text.endswith('ON UPDATE current_timestamp()')
assert CustomerV1.__fields__['is_active'].type_ is bool
assert CustomerV1.__fields__['tier'].type_ is CustomerTier and CustomerTier('pro').value == 'pro'
assert not CustomerV1.__fields__['class_'].required and CustomerV1.__fields__['handle'].required
# keys: a CHAR(26) one, a composite one, none
assert [c.name for c in PurchaseV1.__table__.primary_key] == ['code']
assert PurchaseV1.__table__._autoincrement_column is None
assert PurchaseLineV1.__table__._autoincrement_column is None
assert CustomerV1.__table__._autoincrement_column is CustomerV1.__table__.c['id']
assert PurchaseV1.__table__.c['label'].server_default.arg.text == "'five o''clock'"
assert [c.name for c in PurchaseLineV1.__table__.primary_key] == ['purchase_code', 'line_no']
assert list(AuditNoteV1.__table__.primary_key) == []
assert [c.name for c in AuditNoteV1.__mapper__.primary_key] == ['happened_at', 'what']
# foreign keys: to a CHAR key, and a composite one; a check; a generated column
fk = {f.parent.name: f.target_fullname for f in PurchaseLineV1.__table__.foreign_keys}
assert fk == {'purchase_code': 'purchase.code'}, fk
(fkc,) = ShipmentV1.__table__.foreign_key_constraints
assert fkc.column_keys == ['purchase_code', 'line_no'] and fkc.referred_table.name == 'purchase_line'
assert [c for c in PurchaseLineV1.__table__.constraints if c.name == 'ck_purchase_line_qty']
assert PurchaseLineV1.__table__.c['line_total'].computed.persisted is True
# the types
z = TypeZooV1.__table__.c
assert isinstance(z['id'].type, mysql.BIGINT) and z['id'].type.unsigned
assert (z['price'].type.precision, z['price'].type.scale) == (18, 6)
assert z['moment'].type.fsp == 6 and z['clock'].type.fsp == 3
assert isinstance(z['bits'].type, mysql.BIT) and isinstance(z['tags'].type, mysql.SET)
assert isinstance(z['digest'].type, mysql.BINARY) and z['digest'].type.length == 16
f = TypeZooV1.__fields__
assert f['digest'].type_ is bytes and f['price'].type_ is Decimal
assert f['flag'].type_ is bool and f['tiny'].type_ is int
print('ok')
PYTHON
}

test_schema_round_trip_of_the_demo_fleet() {
	fleet
	gen_or_fail
	round_trip billing billing_bookkeeper billing_event
	# 8 + 7 + 7 tables in V1, journal_entry in V2
	assert_round_trip_exact 23
	# the tables V2 does not change are missing from its schema: not drift
	assert_eq "$(jq -c '[.missing[] | .env] | unique' "$T/rt/diff-strict.json")" \
		'["rt_billing_bookkeeper_v2"]' "missing"
}

test_schema_round_trip_of_the_shop_fleet() {
	fleet shop
	gen_or_fail
	round_trip shop
	# 7 tables in V1 (purchase_tag's only version is dev's), customer in
	# V2, display_name (inserted mid-table) where V2 has it
	assert_round_trip_exact 8
}

test_data_round_trip_of_both_fleets() {
	local f
	for f in demo shop; do
		rm -rf "$T/fleet"
		fleet $f
		gen_or_fail
		"${RT[@]}" data "$T/fleet" >"$T/data.$f" 2>&1 || fail "$f: $(cat "$T/data.$f")"
	done
	# every row of every file, masked values included
	grep -q '^46 rows, 406 fields, 0 failed' "$T/data.demo" || fail "demo: $(cat "$T/data.demo")"
	grep -q '^13 rows, 119 fields, 0 failed' "$T/data.shop" || fail "shop: $(cat "$T/data.shop")"
}

test_sync_report_shows_every_pair_complete_afterwards() {
	fleet
	"$RHIZOME" --config "$T/fleet/rhizome.cnf" sync report --format json >"$T/before.json"
	assert_eq "$(jq '.summary.missing_emplacement' "$T/before.json")" 49 "pairs without an emplacement, before"
	gen_or_fail
	"$RHIZOME" --config "$T/fleet/rhizome.cnf" sync report --format json >"$T/after.json"
	assert_eq "$(jq -c '.summary | {complete, partial, missing, absent}' "$T/after.json")" \
		'{"complete":49,"partial":0,"missing":1,"absent":1}' "after"
	assert_eq "$(jq '[.pairs[] | select(.status == "complete" and (.model != true or .emplacement != true))] | length' "$T/after.json")" \
		0 "complete pairs without their model or emplacement"
}

test_regenerating_rewrites_nothing() {
	fleet
	gen || fail "first run: $(cat "$T/err.txt")"
	find "$T/fleet" -name '*.py' -printf '%p %i %T@\n' | sort >"$T/before"
	# from the config's folder, the config named relatively: the same files
	(cd "$T/fleet" && "$RHIZOME" --config rhizome.cnf gen models --format json >"$T/out.json") ||
		fail "second run: exit $?"
	assert_eq "$(jq '.written | length' "$T/out.json")" 0 "written the second time"
	assert_eq "$(jq '.unchanged | length' "$T/out.json")" 81 "unchanged"
	find "$T/fleet" -name '*.py' -printf '%p %i %T@\n' | sort >"$T/after"
	assert_file_eq "$T/before" "$T/after" "the files (inode, mtime)"
}

test_a_hand_written_file_is_kept_and_listed_with_exit_3() {
	fleet
	mkdir -p "$T/fleet/models/billing"
	printf 'class Account:  # mine\n    pass\n' >"$T/fleet/models/billing/account.py"
	gen
	assert_eq "$?" 3 "exit status"
	assert_eq "$(jq -c '.kept' "$T/out.json")" '[{"path":"models/billing/account.py","kind":"model"}]' "kept"
	assert_eq "$(head -1 "$T/fleet/models/billing/account.py")" "class Account:  # mine" "the hand-written file"
	assert_eq "$(jq '.written | length' "$T/out.json")" 80 "the others written"
	# the text says so too
	"$RHIZOME" --config "$T/fleet/rhizome.cnf" gen models >"$T/text.txt"
	grep -q 'kept models/billing/account.py: not generated by rhizome' "$T/text.txt" ||
		fail "text: $(cat "$T/text.txt")"
}

test_a_template_giving_two_tables_one_file_is_a_config_error() {
	fleet
	sed -i 's/^model = .*/model = models\/{table}.py/' "$T/fleet/rhizome.cnf"
	"$RHIZOME" --config "$T/fleet/rhizome.cnf" gen models >"$T/out.txt" 2>"$T/err.txt"
	assert_eq "$?" 2 "exit status"
	# (billing's and billing_bookkeeper's registries, or their
	# flyway_schema_history: whichever two meet first)
	grep -q "key 'model' (models/{table}.py): the .* of billing and the .* of billing_bookkeeper would share the file $T/fleet/models/_registries.py; name them apart" "$T/err.txt" ||
		fail "message: $(cat "$T/err.txt")"
	[ ! -e "$T/fleet/models" ] || fail "something was written: $(find "$T/fleet/models")"
}

it_run test_every_module_imports_and_every_emplacement_validates \
	test_the_shop_fleet_keeps_versions_keys_types_and_names \
	test_schema_round_trip_of_the_demo_fleet \
	test_schema_round_trip_of_the_shop_fleet \
	test_data_round_trip_of_both_fleets \
	test_sync_report_shows_every_pair_complete_afterwards \
	test_regenerating_rewrites_nothing \
	test_a_hand_written_file_is_kept_and_listed_with_exit_3 \
	test_a_template_giving_two_tables_one_file_is_a_config_error
