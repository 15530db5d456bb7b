# Private MariaDB servers for tests, the demo and benchmarks.
#
# Source this file, then:
#   mdb_start NAME          start a server in $MDB_ROOT/NAME (datadir, unix
#                           socket, loopback port); sets MDB_<NAME>_SOCK and
#                           MDB_<NAME>_PORT. NAME is [a-z0-9_]+.
#   mdb_sql NAME [ARGS...]  run the mariadb client as root against NAME
#   mdb_stop NAME           shut NAME down (waits until it is gone)
#   mdb_stop_all            shut every server started here down; installed as
#                           an EXIT trap by mdb_start, so servers never outlive
#                           the script that started them, even on failure.
#
# Nothing here reads ~/.my.cnf or /etc/mysql: every program runs with
# --no-defaults, so a developer's own setup cannot leak into a test.

MDB_ROOT=${MDB_ROOT:-$(mktemp -d /tmp/rhizome-mdb.XXXXXX)}
MDB_STARTED=""
# Only the shell that sourced this file stops servers on exit: a test's
# subshell that restarts a server must not take the others down with it.
MDB_OWNER=$BASHPID

# A port below the kernel's ephemeral range: a port inside it may be the
# local end of some client connection (even one in TIME-WAIT), which nothing
# listens on, so the probe below finds it free and the server's bind() fails.
_mdb_free_port() {
	local p lo=20000 hi=50000 eph_lo
	if read -r eph_lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null &&
		[ "$eph_lo" -gt 11000 ]; then
		lo=10000
		hi=$eph_lo
	fi
	for _ in $(seq 1 200); do
		p=$((lo + RANDOM % (hi - lo)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "mariadb.sh: no free loopback port found" >&2
	return 1
}

mdb_start() {
	local name=$1 dir="$MDB_ROOT/$1" port sock attempt log_lines
	mkdir -p "$dir"
	sock="$dir/mysqld.sock"
	if [ ! -d "$dir/data/mysql" ]; then
		# Tried twice: on a loaded machine the bootstrap server has
		# been seen to fail once and succeed on the next try.
		for attempt in 1 2; do
			rm -rf "$dir/data"
			mariadb-install-db --no-defaults --datadir="$dir/data" --user="$(id -un)" \
				--auth-root-authentication-method=normal --skip-test-db \
				>"$dir/install.log" 2>&1 && break
			if [ "$attempt" = 2 ]; then
				echo "mariadb.sh: mariadb-install-db failed for $name:" >&2
				grep -iE 'error|fail|cannot|can.t' "$dir/install.log" | head -n 10 >&2
				return 1
			fi
			sleep 1
		done
	fi
	case " $MDB_STARTED " in
	*" $name "*) ;;
	*) MDB_STARTED="$MDB_STARTED $name" ;;
	esac
	trap mdb_stop_all EXIT
	# A port picked here can still be taken before the server binds it:
	# then try another one (a port given by the caller is tried once).
	for attempt in 1 2 3 4 5; do
		port=${2:-$(_mdb_free_port)} || return 1
		log_lines=0
		if [ -f "$dir/error.log" ]; then
			log_lines=$(wc -l <"$dir/error.log")
		fi
		mariadbd --no-defaults --datadir="$dir/data" --socket="$sock" \
			--port="$port" --bind-address=127.0.0.1 --user="$(id -un)" \
			--pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
			--skip-log-bin --skip-name-resolve --innodb-buffer-pool-size=128M \
			--innodb-flush-log-at-trx-commit=0 --max-connections=500 \
			--table-open-cache=30000 --table-definition-cache=30000 \
			>/dev/null 2>&1 &
		echo $! >"$dir/launcher.pid"
		for _ in $(seq 1 300); do
			if mariadb-admin --no-defaults -S "$sock" -uroot ping >/dev/null 2>&1; then
				eval "MDB_${name}_SOCK=\$sock; MDB_${name}_PORT=\$port"
				return 0
			fi
			if ! kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
				break
			fi
			sleep 0.1
		done
		if kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
			echo "mariadb.sh: server $name did not answer within 30 s" >&2
			return 1
		fi
		rm -f "$dir/launcher.pid"
		if [ -z "${2:-}" ] && tail -n +"$((log_lines + 1))" "$dir/error.log" |
			grep 'Address already in use' >/dev/null; then
			continue
		fi
		echo "mariadb.sh: server $name exited during start-up:" >&2
		tail -n 20 "$dir/error.log" >&2
		return 1
	done
	echo "mariadb.sh: server $name found no free port in $attempt tries" >&2
	return 1
}

mdb_sock() { eval "echo \$MDB_${1}_SOCK"; }
mdb_port() { eval "echo \$MDB_${1}_PORT"; }

mdb_sql() {
	local name=$1
	shift
	mariadb --no-defaults -S "$(mdb_sock "$name")" -uroot "$@"
}

mdb_stop() {
	local dir="$MDB_ROOT/$1" pid
	[ -f "$dir/launcher.pid" ] || return 0
	pid=$(cat "$dir/launcher.pid")
	# Each kill may find the server already gone: "|| true" keeps a
	# caller's "set -e" from ending this function (and the EXIT trap that
	# runs it) halfway, with other servers still up.
	mariadb-admin --no-defaults -S "$dir/mysqld.sock" -uroot shutdown >/dev/null 2>&1 ||
		kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/launcher.pid"
}

mdb_stop_all() {
	local n
	[ "$BASHPID" = "$MDB_OWNER" ] || return 0
	for n in $MDB_STARTED; do
		mdb_stop "$n"
	done
	MDB_STARTED=""
	if [ -z "${MDB_KEEP:-}" ]; then
		rm -rf "$MDB_ROOT"
	fi
}
