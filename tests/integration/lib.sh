# Shared setup and assertions for the integration tests (bash; sourced).
#
# Two private servers: s1 holds the dev and demo environments (reached over
# its unix socket), s2 holds na_prod (reached over TCP on loopback), so one
# can be taken down while the other keeps serving.
#
# Every test runs in its own subshell with a fresh work folder $T; a failed
# assertion exits that subshell. $RHIZOME is the binary under test (plain,
# ASan or TSan build).

IT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RHIZOME=${RHIZOME:-$IT_ROOT/build/rhizome}
# Tests cd into their own folder: make the binary's path absolute.
case $RHIZOME in /*) ;; *) RHIZOME=$PWD/$RHIZOME ;; esac
PROXY=${PROXY:-$IT_ROOT/bench/build/fault_proxy}
source "$IT_ROOT/tests/lib/mariadb.sh"

S1_SCHEMAS="dev_billing_bookkeeper dev_billing_event demo_billing_bookkeeper demo_billing_event"
S2_SCHEMAS="na_prod_billing na_prod_billing_bookkeeper na_prod_billing_event"
ALL_ENVS="$S1_SCHEMAS $S2_SCHEMAS"
# The password exists only in this variable and in the servers.
export RHIZOME_IT_PASSWORD="it-$RANDOM$RANDOM-secret"

fail() {
	echo "    FAILED: $*" >&2
	exit 1
}

assert_eq() { # ACTUAL EXPECTED WHAT
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

assert_file_eq() { # FILE_A FILE_B WHAT
	cmp -s "$1" "$2" || {
		diff "$1" "$2" | head -20 >&2
		fail "$3: $1 and $2 differ"
	}
}

# Run rhizome; stdout to $T/out.json, stderr to $T/err.txt, status in $RC.
# Any sanitizer report fails the test whatever the status.
rz() {
	"$RHIZOME" "$@" >"$T/out.json" 2>"$T/err.txt"
	RC=$?
	if grep -qE 'Sanitizer|runtime error:|LeakSanitizer' "$T/err.txt"; then
		cat "$T/err.txt" >&2
		fail "sanitizer report from rhizome $*"
	fi
	return 0
}

# jq over the last summary.
js() { jq -r "$@" "$T/out.json"; }

server_of() { case $1 in na_prod_*) echo s2 ;; *) echo s1 ;; esac; }

it_start_servers() {
	mdb_start s1 || return 1
	mdb_start s2 || return 1
	local s
	for s in s1 s2; do
		mdb_sql "$s" <<SQL || return 1
CREATE USER rhizome@localhost IDENTIFIED BY '$RHIZOME_IT_PASSWORD';
CREATE USER rhizome@'127.0.0.1' IDENTIFIED BY '$RHIZOME_IT_PASSWORD';
GRANT SELECT, SHOW VIEW ON *.* TO rhizome@localhost;
GRANT SELECT, SHOW VIEW ON *.* TO rhizome@'127.0.0.1';
SQL
	done
}

# (Re)create the seven schemas from tests/fixtures/integration_fleet.sql. demo lacks `odd``name`.
it_load_fleet() {
	local s
	for s in $ALL_ENVS; do
		{
			echo "DROP DATABASE IF EXISTS $s; CREATE DATABASE $s; USE $s;"
			cat "$IT_ROOT/tests/fixtures/integration_fleet.sql"
		} | mdb_sql "$(server_of "$s")" || return 1
	done
	mdb_sql s1 -e 'DROP TABLE demo_billing_bookkeeper.`odd``name`'
}

# Write $T/rhizome.cnf for the seven environments. Extra [fleet] lines on
# stdin-less args: it_config "batch = 50" "workers = 2".
it_config() {
	local cfg=$T/rhizome.cnf line env folder db
	{
		echo "[fleet]"
		echo "out = snap"
		for line in "$@"; do echo "$line"; done
		echo
		echo "[tables billing_bookkeeper]"
		echo 'tables = fee_summary ledger_entry'
		echo '         flyway_schema_history odd`name'
		echo "[tables billing_event]"
		echo "tables = event flyway_schema_history"
		echo "[tables billing]"
		echo "tables = invoice flyway_schema_history ; partitioned"
		for env in $ALL_ENVS; do
			case $env in
			dev_*) folder=dev db=${env#dev_} ;;
			demo_*) folder=demo db=${env#demo_} ;;
			na_prod_*) folder=na_prod db=${env#na_prod_} ;;
			esac
			echo
			echo "[environment $env]"
			echo "folder = $folder"
			echo "database = $db"
			echo "schema = $env"
			echo "user = rhizome"
			echo "password-env = RHIZOME_IT_PASSWORD"
			echo "pool = 2"
			echo "connect-timeout = 3"
			echo "read-timeout = 10"
			if [ "$(server_of "$env")" = s1 ]; then
				echo "socket = $(mdb_sock s1)"
			else
				echo "host = 127.0.0.1"
				echo "port = $(mdb_port s2)"
			fi
		done
	} >"$cfg"
}

# Start the fault proxy in front of 127.0.0.1:PORT with the options given
# (--delay-ms first); its port in $IT_PROXY_PORT, its output in
# $T/proxy.out. The proxy dies with the test's subshell.
it_start_proxy() { # PORT PROXY-OPTION...
	local port=$1
	shift
	"$PROXY" --listen 0 --target "127.0.0.1:$port" "$@" >"$T/proxy.out" 2>&1 &
	IT_PROXY_PID=$!
	trap 'kill $IT_PROXY_PID 2>/dev/null' EXIT
	for _ in $(seq 50); do
		grep -q listening "$T/proxy.out" && break
		sleep 0.1
	done
	IT_PROXY_PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/proxy.out")
	[ -n "$IT_PROXY_PORT" ] || fail "fault proxy did not start: $(cat "$T/proxy.out")"
}

# Put na_prod (server s2) behind the latency proxy, DELAY_MS each way, and
# point the config at it.
it_slow_na_prod() { # DELAY_MS
	it_start_proxy "$(mdb_port s2)" --delay-ms "$1"
	sed -i "s/^port = .*/port = $IT_PROXY_PORT/" "$T/rhizome.cnf"
}

# What the server says for one table: the Create Table text, ';', newline.
server_create() { # ENV TABLE
	local q
	q=$(printf '%s' "$2" | sed 's/`/``/g')
	printf '%s;\n' "$(mdb_sql "$(server_of "$1")" --raw -N -B \
		-e "SHOW CREATE TABLE \`$1\`.\`$q\`" | sed '1s/^[^\t]*\t//')"
}

# folder/database of an environment name.
env_file() { # ENV TABLE
	local folder db
	case $1 in
	dev_*) folder=dev db=${1#dev_} ;;
	demo_*) folder=demo db=${1#demo_} ;;
	na_prod_*) folder=na_prod db=${1#na_prod_} ;;
	esac
	echo "$T/snap/$folder/expected_data/${db}_$2.sql"
}

tables_of() {
	case $1 in
	*_billing_bookkeeper) echo 'fee_summary ledger_entry flyway_schema_history odd`name' ;;
	*_billing_event) echo "event flyway_schema_history" ;;
	*_billing) echo "invoice flyway_schema_history" ;;
	esac
}

# Every snapshot that should exist equals what its server shows now.
assert_snapshots_match_server() {
	local env t
	for env in $ALL_ENVS; do
		for t in $(tables_of "$env"); do
			[ "$env/$t" = 'demo_billing_bookkeeper/odd`name' ] && continue
			server_create "$env" "$t" >"$T/expected"
			assert_file_eq "$(env_file "$env" "$t")" "$T/expected" "$env.$t"
		done
	done
}

# Modification times and inodes of every plain snapshot, sorted.
snap_stat() {
	find "$T/snap" -name '*.sql' -printf '%p %i %T@\n' | sort
}

# ": REASON" from the first "FAILED:" line of a test's LOG, cut to 300
# bytes, for its FAIL line: the list of failures at the end of
# tests/run.sh then says why, even where a long log is cut.
it_first_failure() { # LOG
	local reason
	reason=$(grep -m1 -o 'FAILED: .*' "$1" | cut -c9-308)
	[ -n "$reason" ] && printf ': %s' "$reason"
}

# Run every function named test_* given, each in a subshell, printing
# PASS/FAIL lines that tests/run.sh counts, with the seconds each took.
# $PREFIX tags the lines.
it_run() {
	local t log started took
	for t in "$@"; do
		T=$(mktemp -d /tmp/rhizome-it.XXXXXX)
		log=$T.log
		started=$EPOCHREALTIME
		if (cd "$T" && $t) >"$log" 2>&1; then
			took=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
			echo "PASS ${PREFIX:-}$t ($took s)"
		else
			took=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
			echo "FAIL ${PREFIX:-}$t ($took s)$(it_first_failure "$log")"
			sed 's/^/    /' "$log"
		fi
		rm -rf "$T" "$log"
	done
}
