# Private MariaDB servers for tests, the demo and benchmarks.
#
# Source this file, then:
#   mdb_start NAME [PORT]   start a server in $MDB_ROOT/NAME (datadir, unix
#                           socket, loopback port); sets MDB_<NAME>_SOCK and
#                           MDB_<NAME>_PORT. NAME is [a-z0-9_]+. Options in
#                           the array MDB_SERVER_ARGS, if set, are added to
#                           mariadbd's (TLS certificates, a time zone).
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

# The server's programs: mariadbd lives in /usr/sbin, which a non-root PATH
# often lacks. Prints the path, or says which package to install.
_mdb_program() { # NAME PACKAGE
	local p
	p=$(PATH=$PATH:/usr/sbin:/usr/local/sbin command -v "$1") || {
		echo "mariadb.sh: $1 not found (Debian package $2; scripts/deps.sh installs it)" >&2
		return 1
	}
	echo "$p"
}

# Say why a start-up step failed: the command, the log's last lines (all of
# them, not only those that look like errors: the reason is often a plain
# sentence) and where the whole log is kept. MDB_ROOT goes when the script
# ends, so the log is copied to a folder that stays.
_mdb_explain() { # NAME WHAT LOG FROM_LINE COMMAND...
	local name=$1 what=$2 log=$3 from=$4 kept line
	shift 4
	echo "mariadb.sh: server '$name': $what" >&2
	line=$(printf '%q ' "$@")
	echo "  command: ${line% }" >&2
	if [ -s "$log" ] && [ "$(tail -n +"$from" "$log" | wc -l)" -gt 0 ]; then
		echo "  last lines of its log:" >&2
		tail -n +"$from" "$log" | tail -n 25 | sed 's/^/    /' >&2
		kept=$(mktemp -d "${TMPDIR:-/tmp}/rhizome-mdb-failed.XXXXXX") &&
			cp "$log" "$kept/" &&
			echo "  full log: $kept/$(basename "$log")" >&2
	else
		echo "  its log ($log) is empty: the command said nothing" >&2
	fi
}

# Start a server. The data directory is made without name resolution
# (--cross-bootstrap: no host-name check and no grants naming this host),
# and the server listens on 127.0.0.1 and its socket only, resolving no
# names: minimal containers and chroots often have no /etc/hosts, and a
# host name that resolves nowhere.
mdb_start() {
	local name=$1 dir="$MDB_ROOT/$1" port sock attempt log_lines rc install_db mariadbd
	local -a cmd
	install_db=$(_mdb_program mariadb-install-db mariadb-server) || return 1
	mariadbd=$(_mdb_program mariadbd mariadb-server) || return 1
	_mdb_program mariadb-admin mariadb-client >/dev/null || return 1
	mkdir -p "$dir" || return 1
	sock="$dir/mysqld.sock"
	if [ ! -d "$dir/data/mysql" ]; then
		cmd=("$install_db" --no-defaults --datadir="$dir/data" --user="$(id -un)"
			--auth-root-authentication-method=normal --skip-test-db
			--cross-bootstrap --skip-name-resolve)
		# Tried twice: on a loaded machine the bootstrap server has
		# been seen to fail once and succeed on the next try.
		for attempt in 1 2; do
			# A datadir that cannot be removed (a mount point, say)
			# is left for mariadb-install-db to report on.
			rm -rf "$dir/data" 2>/dev/null || true
			rc=0
			"${cmd[@]}" >"$dir/install.log" 2>&1 || rc=$?
			[ $rc -eq 0 ] && break
			if [ "$attempt" = 2 ]; then
				_mdb_explain "$name" "mariadb-install-db failed (exit $rc, tried twice)" \
					"$dir/install.log" 1 "${cmd[@]}"
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
		cmd=("$mariadbd" --no-defaults --datadir="$dir/data" --socket="$sock"
			--port="$port" --bind-address=127.0.0.1 --user="$(id -un)"
			--pid-file="$dir/mysqld.pid" --log-error="$dir/error.log"
			--skip-log-bin --skip-name-resolve --innodb-buffer-pool-size=128M
			--innodb-flush-log-at-trx-commit=0 --max-connections=500
			--table-open-cache=30000 --table-definition-cache=30000
			${MDB_SERVER_ARGS[@]+"${MDB_SERVER_ARGS[@]}"})
		"${cmd[@]}" >"$dir/stdout.log" 2>&1 &
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
			# Stopped here, not left to the EXIT trap: a caller that
			# goes on must not find a half-started server.
			_mdb_explain "$name" "mariadbd did not answer on $sock within 30 s" \
				"$dir/error.log" "$((log_lines + 1))" "${cmd[@]}"
			mdb_stop "$name"
			return 1
		fi
		rm -f "$dir/launcher.pid"
		if [ -z "${2:-}" ] && tail -n +"$((log_lines + 1))" "$dir/error.log" 2>/dev/null |
			grep 'Address already in use' >/dev/null; then
			continue
		fi
		# What the server printed before its log was open goes to stdout.log.
		cat "$dir/stdout.log" >>"$dir/error.log" 2>/dev/null
		_mdb_explain "$name" "mariadbd exited during start-up" \
			"$dir/error.log" "$((log_lines + 1))" "${cmd[@]}"
		return 1
	done
	echo "mariadb.sh: server '$name': no free port found in $attempt tries" >&2
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
