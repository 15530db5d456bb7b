#!/bin/bash
# Install the Debian/Ubuntu packages rhizome needs to build, test, run the
# demo and run the benchmarks. Installs only what is missing: when everything
# is there it prints nothing and changes nothing, so other scripts may run it
# every time. Uses sudo when not run as root.
set -euo pipefail

packages=(
	build-essential # gcc and make; gcc's runtime packages bring libasan,
	#                 liblsan, libtsan and libubsan, which SANITIZER= builds need
	pkg-config
	libmariadb-dev
	libzstd-dev
	zstd           # the zstd command, to read .history/*.jsonl.zst by hand
	libjansson-dev
	libinih-dev
	mariadb-server # mariadbd and mariadb-install-db, for the private servers
	#                of tests/lib/mariadb.sh (no system server is needed)
	mariadb-client
	mydumper       # bench: the tool rhizome is measured against
	gnuplot-nox    # bench: plots
	gawk           # bench: report.sh sorts and formats with gawk
	time           # bench: GNU time, for peak memory and CPU per run
	jq             # tests: read summaries and history lines
	util-linux     # tests: flock, to hold the snapshot lock from outside
	python3        # tests: a second JSON reader, exact on 64-bit integers
)

if ! command -v dpkg >/dev/null 2>&1; then
	echo "deps.sh: no dpkg here, so nothing is installed; make sure these" \
		"(Debian names) or their equivalents are: ${packages[*]}" >&2
	exit 0
fi

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
# (debconf prompts of mariadb-server, tzdata and the like).
apt_get() {
	${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}

echo "deps.sh: installing ${missing[*]}" >&2
apt_get -q update
apt_get install -y -q --no-install-recommends "${missing[@]}"
