# The shop fleet (tests/fixtures/gen_fleet.sql): one logical database, shop,
# in two versions (staging V1, dev V2), with every column type, keys of
# every kind and awkward names; see the fixture's header.
#
# Source tests/lib/mariadb.sh first, then this file, then:
#   shop_fleet_load NAME        load the fixture into server NAME (drops and
#                               recreates gen_staging and gen_dev)
#   shop_fleet_config NAME USER PASSWORD_ENV
#                               print a rhizome.cnf for it on server NAME's
#                               socket (USER's password from $PASSWORD_ENV;
#                               the model and emplacement templates set)

SHOP_FLEET_SQL="$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd)/gen_fleet.sql"

shop_fleet_load() {
	mdb_sql "$1" <"$SHOP_FLEET_SQL"
}

shop_fleet_config() {
	local env folder schema
	cat <<EOF
[fleet]
out = environments
model = models/{database}/{table}.py
emplacement = {out}/{folder}/expected_data/{database}_{table}.py

[tables shop]
tables = customer purchase purchase_line shipment type_zoo audit_note purchase_tag
EOF
	for env in staging dev; do
		folder=$env
		schema=gen_$env
		printf '\n[environment shop_%s]\nfolder = %s\ndatabase = shop\nschema = %s\nsocket = %s\nuser = %s\npassword-env = %s\n' \
			"$env" "$folder" "$schema" "$(mdb_sock "$1")" "$2" "$3"
	done
}
