# Both fixture fleets snapshotted, for the tests that read their files
# (gen models, the data files back into a server).
#
# Source tests/lib/mariadb.sh first, then this file (it sources
# demo_fleet.sh and shop_fleet.sh), with $RHIZOME set, then:
#   fixture_fleets NAME DIR [SYNC-DATA-OPTION...]
#       load the demo and shop fleets into server NAME, create the reader
#       `rhizome` (its password in $RHIZOME_DEMO_PASSWORD, exported; it may
#       read both fleets), write DIR/demo/rhizome.cnf and
#       DIR/shop/rhizome.cnf, and run sync schema and sync data (with the
#       options given) for each; the summaries in DIR/{demo,shop}.*.json.
#       $RHIZOME_DEMO_MASK_KEY must be set (the demo config masks).

source "$(dirname "${BASH_SOURCE[0]}")/demo_fleet.sh"
source "$(dirname "${BASH_SOURCE[0]}")/shop_fleet.sh"

fixture_fleets() {
	local name=$1 dir=$2 f
	shift 2
	demo_fleet_load "$name" && shop_fleet_load "$name" || return 1
	export RHIZOME_DEMO_PASSWORD
	RHIZOME_DEMO_PASSWORD=$(demo_fleet_password)
	demo_fleet_reader "$name" rhizome "$RHIZOME_DEMO_PASSWORD" || return 1
	mdb_sql "$name" -e 'GRANT SELECT, SHOW VIEW ON `gen\_%`.* TO rhizome@localhost;' || return 1
	mkdir -p "$dir/demo" "$dir/shop"
	"$(dirname "${BASH_SOURCE[0]}")/../../scripts/demo-config.sh" "$(mdb_sock "$name")" \
		"$(mdb_port "$name")" >"$dir/demo/rhizome.cnf" || return 1
	shop_fleet_config "$name" rhizome RHIZOME_DEMO_PASSWORD >"$dir/shop/rhizome.cnf"
	for f in demo shop; do
		"$RHIZOME" --quiet --config "$dir/$f/rhizome.cnf" sync schema >"$dir/$f.schema.json" &&
			"$RHIZOME" --quiet --config "$dir/$f/rhizome.cnf" sync data "$@" >"$dir/$f.data.json" ||
			return 1
	done
}
