#!/bin/bash
# Install the Debian/Ubuntu packages rhizome needs, per purpose:
#
#   scripts/deps.sh [--for build|test|demo|bench[,...]]   (default: all four)
#   scripts/deps.sh PACKAGE...                            (exactly these)
#
# Installs only what is missing: when everything is there it prints nothing
# and changes nothing, so other scripts may run it every time. Uses sudo
# when not run as root. Installing mariadb-server starts and enables a
# system MariaDB service on an ordinary Debian; rhizome never uses one (the
# tests and the demo start private servers), so a service this install
# brought is neither started (policy-rc.d, for the install's length) nor
# left enabled; a server the machine already had is left alone.
set -euo pipefail

build=(
	build-essential # gcc and make; gcc's runtime packages bring libasan,
	#                 liblsan, libtsan and libubsan, which SANITIZER= builds need
	pkg-config
	libmariadb-dev
	libzstd-dev
	libjansson-dev
	libinih-dev
	libssl-dev     # libcrypto (SHA-256, HMAC, base64): headers, pkg-config file
)
server=(
	mariadb-server # mariadbd and mariadb-install-db, for the private servers
	#                of tests/lib/mariadb.sh (no system server is needed)
	mariadb-client
)
demo=("${build[@]}" "${server[@]}"
	jq             # demo: the summaries it shows
)
test=("${build[@]}" "${server[@]}"
	zstd           # the zstd command, to read .history/*.jsonl.zst by hand
	jq             # tests: read summaries and history lines
	util-linux     # tests: flock, to hold the snapshot lock from outside
	python3        # tests: a second JSON reader, exact on 64-bit integers
	python3-yaml   # tests: test_examples.sh parses docs/examples' YAML (/usr/bin/python3)
	git            # tests: the pre-commit hook example runs in a scratch repository
	openssl        # tests: the certificates of the TLS tests
	gawk           # tests and bench: report.sh formats with gawk
	man-db         # tests: the installed man page renders with man -l (groff)
	gnuplot-nox    # tests and bench: report.sh's plot
	tmux           # tests: the progress bar, summaries and report in a real terminal
	python3-sqlmodel # tests: gen models' types compiled by SQLAlchemy (/usr/bin/python3)
	python3-pymysql  # tests: gen models' schema round trip, create_all on the test server
	python3-pyflakes # tests: the generated modules pass pyflakes
)
bench=("${build[@]}" "${server[@]}"
	mydumper       # bench: the tool rhizome is measured against
	gnuplot-nox    # bench: plots
	gawk
	time           # bench: GNU time, for peak memory and CPU per run
	jq
)

purposes=build,test,demo,bench
if [ "${1:-}" = --for ]; then
	[ $# -ge 2 ] || { echo "deps.sh: --for needs build, test, demo or bench" >&2; exit 2; }
	purposes=$2
	shift 2
fi
packages=()
for purpose in ${purposes//,/ }; do
	case $purpose in
	build) packages+=("${build[@]}") ;;
	test) packages+=("${test[@]}") ;;
	demo) packages+=("${demo[@]}") ;;
	bench) packages+=("${bench[@]}") ;;
	*) echo "deps.sh: unknown purpose '$purpose' (build, test, demo or bench)" >&2; exit 2 ;;
	esac
done
# each once, in order
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | awk '!seen[$0]++')

if ! command -v dpkg >/dev/null 2>&1; then
	echo "deps.sh: no dpkg here, so nothing is installed; make sure these" \
		"(Debian names) or their equivalents are: ${packages[*]}" >&2
	exit 0
fi

# Arguments replace the list (the suite checks the error paths with them).
[ $# -gt 0 ] && packages=("$@")

missing=()
for p in "${packages[@]}"; do
	# sed, not grep -q: it reads all of dpkg's output, so no SIGPIPE can
	# fail the pipeline under pipefail.
	status=$(dpkg -s "$p" 2>/dev/null | sed -n 's/^Status: //p') || true
	if [ "$status" != "install ok installed" ]; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "deps.sh: missing ${missing[*]}; run as root or install sudo" >&2
		exit 1
	fi
	as_root=(sudo)
fi
# env: sudo resets the environment, and apt must not stop to ask questions
# (debconf prompts of mariadb-server, tzdata and the like). The lock
# timeout waits for another apt run (an unattended upgrade) to finish
# instead of failing at once.
apt_get() {
	${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive \
		apt-get -o DPkg::Lock::Timeout=300 "$@"
}

log=$(mktemp "${TMPDIR:-/tmp}/rhizome-deps.XXXXXX")

# Say what apt was doing and what it said, then stop. apt's own "E:" lines
# and dpkg's "error processing package" lines name the package at fault;
# the last lines give the context; the log is kept.
apt_failed() { # WHAT RC
	echo "deps.sh: $1 failed (exit $2)" >&2
	if grep -qE '^(E|W): |error processing|dpkg: error' "$log"; then
		echo "  apt said:" >&2
		grep -E '^(E|W): |error processing|dpkg: error' "$log" | head -n 12 | sed 's/^/    /' >&2
	fi
	echo "  last lines:" >&2
	tail -n 10 "$log" | sed 's/^/    /' >&2
	echo "  full log: $log" >&2
	exit 1
}

# A system MariaDB this install would bring: kept from starting while
# apt runs (invoke-rc.d asks policy-rc.d; 101: not allowed), and disabled
# after. One the machine already has, or a policy-rc.d of its own, is left
# alone.
new_server=0
for p in "${missing[@]}"; do
	[ "$p" = mariadb-server ] && new_server=1
done
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ $new_server -eq 1 ] && [ ! -e $policy ]; then
	printf '#!/bin/sh\n# scripts/deps.sh: no service starts while it installs\nexit 101\n' |
		${as_root[@]+"${as_root[@]}"} tee $policy >/dev/null
	${as_root[@]+"${as_root[@]}"} chmod 755 $policy
	own_policy=1
fi
drop_policy() {
	if [ $own_policy -eq 1 ]; then
		${as_root[@]+"${as_root[@]}"} rm -f $policy
		own_policy=0
	fi
}
trap drop_policy EXIT

echo "deps.sh: installing ${missing[*]}" >&2
rc=0
apt_get -q update >"$log" 2>&1 || rc=$?
[ $rc -eq 0 ] || apt_failed "apt-get update" $rc

# A name the archives do not have fails the whole install with one terse
# line; check each first, so the message names every such package.
unknown=()
for p in "${missing[@]}"; do
	candidate=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	case $candidate in
	'') unknown+=("$p (apt knows no such package)") ;;
	'(none)') unknown+=("$p (no installable version: Candidate: (none))") ;;
	esac
done
if [ ${#unknown[@]} -gt 0 ]; then
	echo "deps.sh: cannot install what the archives apt knows do not have:" >&2
	printf '  %s\n' "${unknown[@]}" >&2
	echo "  check /etc/apt/sources.list and that this machine reaches the archive" >&2
	exit 1
fi

rc=0
# Shown as it goes (an install takes minutes) and kept in the log; with
# pipefail the pipeline's status is apt's.
apt_get install -y -q --no-install-recommends "${missing[@]}" 2>&1 | tee -a "$log" || rc=$?
[ $rc -eq 0 ] || apt_failed "apt-get install ${missing[*]}" $rc
drop_policy
if [ $new_server -eq 1 ]; then
	# what the package's scripts enabled, under systemd or sysvinit
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		${as_root[@]+"${as_root[@]}"} systemctl disable --now mariadb >/dev/null 2>&1 || true
	elif command -v update-rc.d >/dev/null 2>&1 && [ -e /etc/init.d/mariadb ]; then
		${as_root[@]+"${as_root[@]}"} service mariadb stop >/dev/null 2>&1 || true
		${as_root[@]+"${as_root[@]}"} update-rc.d mariadb disable >/dev/null 2>&1 || true
	fi
	echo "deps.sh: the system MariaDB service that mariadb-server brought is not running and not enabled (rhizome uses private servers)" >&2
fi
rm -f "$log"
