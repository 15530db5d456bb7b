# The demo fleet on a private server, for the demo and integration tests.
#
# Source tests/lib/mariadb.sh first, then this file, then:
#   demo_fleet_load NAME        load tests/fixtures/demo_fleet.sql into server
#                               NAME (drops and recreates the seven schemas)
#   demo_fleet_password         print a fresh random password (32 hex digits)
#   demo_fleet_reader NAME USER PASSWORD
#                               create USER@localhost (socket) and
#                               USER@127.0.0.1 (TCP) with PASSWORD, allowed to
#                               read the seven schemas and nothing else
#   demo_fleet_loader NAME USER PASSWORD
#                               the same, allowed everything in the scratch
#                               schemas (scratch_*, rhizome load's targets)
#                               and its staging schemas, nothing else
#
# The password goes to the server on the client's stdin, never on a command
# line, where any local user could read it in the process list.

DEMO_FLEET_SQL="$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd)/demo_fleet.sql"
DEMO_FLEET_SCHEMAS="dev_billing_bookkeeper dev_billing_event demo_billing_bookkeeper
demo_billing_event na_prod_billing na_prod_billing_bookkeeper na_prod_billing_event"

demo_fleet_load() {
	mdb_sql "$1" <"$DEMO_FLEET_SQL"
}

demo_fleet_password() {
	od -An -tx1 -N16 /dev/urandom | tr -d ' \n'
}

demo_fleet_reader() {
	local name=$1 user=$2 pw=$3 schema host
	# Quote for an SQL string literal: backslash and ' are the only specials.
	pw=${pw//\\/\\\\}
	pw=${pw//\'/\'\'}
	user=${user//\\/\\\\}
	user=${user//\'/\'\'}
	{
		for host in localhost 127.0.0.1; do
			printf "CREATE OR REPLACE USER '%s'@'%s' IDENTIFIED BY '%s';\n" \
				"$user" "$host" "$pw"
			for schema in $DEMO_FLEET_SCHEMAS; do
				printf "GRANT SELECT, SHOW VIEW ON \`%s\`.* TO '%s'@'%s';\n" \
					"$schema" "$user" "$host"
			done
		done
	} | mdb_sql "$name"
}

# The user `rhizome load` writes as: everything in the scratch schemas
# (scratch_*) and in its staging schemas (rhizome_load_*), nothing else.
demo_fleet_loader() { # NAME USER PASSWORD
	local name=$1 user=$2 pw=$3 host
	pw=${pw//\\/\\\\}
	pw=${pw//\'/\'\'}
	{
		for host in localhost 127.0.0.1; do
			printf "CREATE OR REPLACE USER '%s'@'%s' IDENTIFIED BY '%s';\n" \
				"$user" "$host" "$pw"
			printf "GRANT ALL ON \`scratch\\\\_%%\`.* TO '%s'@'%s';\n" "$user" "$host"
			printf "GRANT ALL ON \`rhizome\\\\_load\\\\_%%\`.* TO '%s'@'%s';\n" "$user" "$host"
		done
	} | mdb_sql "$name"
}
