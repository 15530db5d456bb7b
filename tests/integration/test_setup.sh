#!/usr/bin/env bash
# Setup on minimal systems, and setup failures that say why.
#
# The README's two commands start private MariaDB servers
# (tests/lib/mariadb.sh), install packages (scripts/deps.sh) and build
# (scripts/build.sh). These tests start a server where no name resolves (a
# mount namespace with an empty /etc/hosts and a UTS namespace with a host
# name that resolves nowhere, as in minimal containers and chroots), and
# make each step fail for a known reason, checking that its message gives
# the command, the reason and a log that is kept.
#
# The namespace tests and the deps.sh tests need root (unshare, mounts, and
# deps.sh installs only as root or through sudo). Run as another user they
# print SKIP, which is not counted. As root a namespace that cannot be made
# is a failure, not a skip.
#
#   tests/integration/test_setup.sh [TEST...]
set -u
source "$(dirname "$0")/lib.sh"
# No server of the shared kind is started here; each test starts its own.
trap 'rm -rf "$MDB_ROOT"' EXIT

is_root() { [ "$(id -u)" -eq 0 ]; }

# unshare with a private mount namespace, so the test's mounts stay in it.
# In a chroot (a fresh system built by debootstrap, say) "/" is not a mount
# point and unshare cannot make it private: there the namespace keeps its
# parent's propagation, which is safe only when no mount is shared (else a
# mount made inside would show up outside, and outlive the test).
private_unshare() { # UNSHARE-FLAGS... -- COMMAND...
	local -a flags=()
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	if ! unshare -m true 2>/dev/null; then
		if grep -q ' shared:' /proc/self/mountinfo; then
			echo "cannot make a private mount namespace: \"/\" is not a mount" \
				"point (a chroot?) and some mounts are shared" >&2
			return 9
		fi
		flags+=(--propagation unchanged)
	fi
	unshare "${flags[@]}" "$@"
}

# The value after "full log: " in $T/err.txt: a file that must exist and
# hold WHAT. The folder it was kept in is removed afterwards.
assert_kept_log_has() { # WHAT
	local log
	log=$(sed -n 's/^  full log: //p' "$T/err.txt" | tail -n 1)
	[ -n "$log" ] || fail "no 'full log:' line in: $(cat "$T/err.txt")"
	[ -f "$log" ] || fail "the kept log $log does not exist"
	grep -qF "$1" "$log" || fail "the kept log $log lacks '$1'"
	case $(dirname "$log") in
	*/rhizome-mdb-failed.*) rm -rf "$(dirname "$log")" ;;
	*) rm -f "$log" ;;
	esac
}

assert_err_has() { # TEXT
	grep -qF -- "$1" "$T/err.txt" || fail "stderr lacks '$1':
$(sed 's/^/      /' "$T/err.txt")"
}

# Runs inside the namespaces: a server where nothing resolves, used over
# TCP on 127.0.0.1 and over its socket, by the client and by rhizome.
bare_server_scenario() {
	set -u
	# A system without /etc/hosts (FRESH_BARE=1) resolves nothing already.
	if [ -e /etc/hosts ]; then
		mount --bind "$T/empty-hosts" /etc/hosts || { echo "cannot bind-mount /etc/hosts"; return 1; }
	fi
	hostname "rhizome-nowhere-$RANDOM" || { echo "cannot set the host name"; return 1; }
	# The premise: neither this host's name nor localhost resolves.
	if getent hosts localhost >/dev/null || getent hosts "$(hostname)" >/dev/null; then
		echo "a name still resolves in the namespace: the test proves nothing"
		return 1
	fi
	MDB_ROOT=$T/mdb
	source "$IT_ROOT/tests/lib/mariadb.sh"
	mdb_start bare || return 1
	mdb_sql bare <<SQL || return 1
CREATE USER rhizome@'127.0.0.1' IDENTIFIED BY '$RHIZOME_IT_PASSWORD';
CREATE USER rhizome@localhost IDENTIFIED BY '$RHIZOME_IT_PASSWORD';
GRANT SELECT, SHOW VIEW ON *.* TO rhizome@'127.0.0.1';
GRANT SELECT, SHOW VIEW ON *.* TO rhizome@localhost;
CREATE DATABASE billing;
CREATE TABLE billing.invoice (id INT PRIMARY KEY, total DECIMAL(10,2));
SQL
	# The client over TCP, as the user (the password through the
	# environment, never argv).
	[ "$(MYSQL_PWD=$RHIZOME_IT_PASSWORD mariadb --no-defaults -h 127.0.0.1 \
		-P "$(mdb_port bare)" -urhizome -N -B -e 'SELECT 1')" = 1 ] ||
		{ echo "no TCP login on 127.0.0.1"; return 1; }
	cat >"$T/rhizome.cnf" <<EOF
[fleet]
out = snap
[tables billing]
tables = invoice
[environment tcp_billing]
folder = tcp
database = billing
host = 127.0.0.1
port = $(mdb_port bare)
user = rhizome
password-env = RHIZOME_IT_PASSWORD
connect-timeout = 5
[environment socket_billing]
folder = socket
database = billing
socket = $(mdb_sock bare)
user = rhizome
password-env = RHIZOME_IT_PASSWORD
connect-timeout = 5
EOF
	"$RHIZOME" --config "$T/rhizome.cnf" sync schema >"$T/out.json" 2>"$T/err.txt" ||
		{ echo "rhizome exited $?: $(cat "$T/err.txt")"; return 1; }
	[ "$(jq -r .new_count "$T/out.json")" = 2 ] || { cat "$T/out.json"; return 1; }
	grep -q 'CREATE TABLE `invoice`' "$T/snap/tcp/expected_data/billing_invoice.sql" || return 1
	mdb_stop_all
}

test_server_starts_where_no_name_resolves() {
	: >"$T/empty-hosts"
	export T RHIZOME IT_ROOT RHIZOME_IT_PASSWORD
	private_unshare -m -u -- bash -c "$(declare -f bare_server_scenario); bare_server_scenario" \
		>"$T/scenario.log" 2>&1 || fail "in the namespaces: $(cat "$T/scenario.log")"
}

test_an_install_that_fails_prints_its_reason() {
	# A datadir on a read-only mount: root cannot write there either.
	mkdir -p "$T/mdb/ro/data"
	export T IT_ROOT
	private_unshare -m -- bash -c '
		mount --bind -o ro "$T/mdb/ro/data" "$T/mdb/ro/data" || exit 9
		MDB_ROOT=$T/mdb
		source "$IT_ROOT/tests/lib/mariadb.sh"
		mdb_start ro' >"$T/out.txt" 2>"$T/err.txt"
	RC=$?
	[ $RC -ne 9 ] || fail "cannot make a private read-only mount: $(cat "$T/err.txt")"
	assert_eq "$RC" 1 "mdb_start's status"
	assert_err_has "mariadb.sh: server 'ro': mariadb-install-db failed (exit 1, tried twice)"
	assert_err_has "  command: "
	assert_err_has "--datadir=$T/mdb/ro/data"
	assert_err_has "Read-only file system"
	assert_kept_log_has "Read-only file system"
}

test_a_server_that_cannot_start_prints_its_reason() {
	# The port is taken by another listener: the server exits at once.
	"$PROXY" --listen 0 --target 127.0.0.1:9 --delay-ms 0 >"$T/proxy.out" 2>&1 &
	local proxy=$! port=""
	for _ in $(seq 50); do
		port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/proxy.out")
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || fail "the listener did not start: $(cat "$T/proxy.out")"
	(
		MDB_ROOT=$T/mdb
		source "$IT_ROOT/tests/lib/mariadb.sh"
		mdb_start taken "$port"
	) >"$T/out.txt" 2>"$T/err.txt"
	RC=$?
	kill "$proxy" 2>/dev/null
	assert_eq "$RC" 1 "mdb_start's status"
	assert_err_has "mariadb.sh: server 'taken': mariadbd exited during start-up"
	assert_err_has "--port=$port"
	assert_err_has "Address already in use"
	assert_kept_log_has "Address already in use"
}

test_a_build_that_fails_shows_the_first_compiler_error() {
	mkdir -p "$T/proj"
	printf 'int first(void) { return undeclared_first; }\n' >"$T/proj/a.c"
	printf 'int second(void) { return undeclared_second; }\n' >"$T/proj/b.c"
	printf 'all: a.o b.o\n%%.o: %%.c\n\t$(CC) -c -o $@ $<\n' >"$T/proj/Makefile"
	"$IT_ROOT/scripts/build.sh" -C "$T/proj" -j1 -k >"$T/out.txt" 2>"$T/err.txt"
	RC=$?
	assert_eq "$RC" 2 "build.sh's status (make's)"
	assert_err_has "build.sh: make -C $T/proj -j1 -k failed (exit 2)"
	# The first error, with its file and line, in the first-error part.
	sed -n '/first error/,/last lines\|full log/p' "$T/err.txt" >"$T/first.txt"
	# (gcc quotes with ' or with Unicode quotes, by locale)
	grep -q "a.c:1:[0-9]*: error: .undeclared_first. undeclared" "$T/first.txt" ||
		fail "the first error is not shown first: $(cat "$T/err.txt")"
	grep -q undeclared_second "$T/first.txt" && fail "the first-error part shows the second error"
	assert_err_has "undeclared_second" # in the last lines: -k went on
	assert_kept_log_has "undeclared_first"
}

test_a_build_without_a_library_names_it() {
	"$IT_ROOT/scripts/build.sh" BUILD="$T/build" PKGS="libmariadb rhizome-no-such-lib" all \
		>"$T/out.txt" 2>"$T/err.txt"
	RC=$?
	assert_eq "$RC" 2 "build.sh's status (make's)"
	assert_err_has "Package 'rhizome-no-such-lib'"
	assert_err_has "scripts/deps.sh installs them"
	[ ! -e "$T/build/rhizome" ] || fail "a binary was built"
	assert_kept_log_has "rhizome-no-such-lib"
}

# Shims for apt: a real install would change the machine (or need the
# network). Each records how it was called in $T/apt.calls.
apt_shims() { # INSTALL_SCRIPT
	mkdir -p "$T/bin"
	cat >"$T/bin/apt-get" <<EOF
#!/bin/bash
echo "apt-get \$*" >>"$T/apt.calls"
case " \$* " in
*" update "*) echo "Reading package lists..."; exit 0 ;;
esac
$1
EOF
	chmod +x "$T/bin/apt-get"
}

test_deps_names_a_package_the_archives_lack() {
	is_root || fail "needs root (deps.sh installs only as root or through sudo)"
	apt_shims 'echo "install must not be tried"; exit 1'
	# apt-cache is the real one: it answers from the local lists.
	PATH=$T/bin:$PATH "$IT_ROOT/scripts/deps.sh" rhizome-no-such-package >"$T/out.txt" 2>"$T/err.txt"
	RC=$?
	assert_eq "$RC" 1 "deps.sh's status"
	assert_err_has "rhizome-no-such-package (apt knows no such package)"
	assert_err_has "check /etc/apt/sources.list"
	grep -q install "$T/apt.calls" && fail "apt-get install was run: $(cat "$T/apt.calls")"
	return 0
}

test_deps_shows_apt_s_message_when_an_install_fails() {
	is_root || fail "needs root (deps.sh installs only as root or through sudo)"
	apt_shims 'echo "Setting up rhizome-test-pkg (1.0) ..."
echo "dpkg: error processing package rhizome-test-pkg (--configure):"
echo " installed rhizome-test-pkg package post-installation script subprocess returned error exit status 1"
echo "Errors were encountered while processing:"
echo " rhizome-test-pkg"
echo "E: Sub-process /usr/bin/dpkg returned an error code (1)"
exit 100'
	cat >"$T/bin/apt-cache" <<'EOF'
#!/bin/bash
printf '%s:\n  Installed: (none)\n  Candidate: 1.0\n' "$2"
EOF
	chmod +x "$T/bin/apt-cache"
	PATH=$T/bin:$PATH "$IT_ROOT/scripts/deps.sh" rhizome-test-pkg >"$T/out.txt" 2>"$T/err.txt"
	RC=$?
	assert_eq "$RC" 1 "deps.sh's status"
	assert_err_has "deps.sh: apt-get install rhizome-test-pkg failed (exit 100)"
	assert_err_has "dpkg: error processing package rhizome-test-pkg (--configure):"
	assert_err_has "E: Sub-process /usr/bin/dpkg returned an error code (1)"
	assert_kept_log_has "post-installation script subprocess returned error exit status 1"
}

# Root only (see the top of this file): SKIP, not counted, for others.
needs_root() { # TEST
	if is_root; then
		it_run "$1"
	else
		echo "SKIP ${PREFIX:-}$1 (needs root)"
	fi
}

if [ $# -gt 0 ]; then
	it_run "$@"
else
	needs_root test_server_starts_where_no_name_resolves
	needs_root test_an_install_that_fails_prints_its_reason
	it_run test_a_server_that_cannot_start_prints_its_reason \
		test_a_build_that_fails_shows_the_first_compiler_error \
		test_a_build_without_a_library_names_it
	needs_root test_deps_names_a_package_the_archives_lack
	needs_root test_deps_shows_apt_s_message_when_an_install_fails
fi
