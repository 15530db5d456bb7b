#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# quick.sh: the quick measurement of rhizome against the one-connection
# baseline, across a simulated network.
#
# One private MariaDB server holds the seven billing environments as seven
# schemas (fleetgen); latency_proxy sits in front of its TCP port and adds
# DELAY_MS each way, so every round trip costs what it would across a
# network. Then, RUNS times, interleaved so drift in the machine's load hits
# both alike: the baseline (one connection, one statement at a time) and
# `rhizome sync schema` (parallel connections) fetch every SHOW CREATE TABLE
# through the proxy and write it to files. Each rhizome run starts from an
# empty output folder, so every run does the full fetch and write.
#
# Prints each run's wall time with the round trips and connections the proxy
# saw, then the medians and the ratio baseline/rhizome.
#
# Environment: JOBS ("schema data"), TABLES (300), ROWS (5), DELAY_MS (5,
# one-way: 10 ms RTT),
# RUNS (3), RHIZOME (build/rhizome at the repo root), RUN_TIMEOUT (600 s per
# program run: a hung run is killed and counted as failed, not waited on
# forever), RHIZOME_BENCH_PASSWORD (generated when unset). The password never
# appears on a command line: SQL goes in on stdin, clients read the variable.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TABLES=${TABLES:-300}
ROWS=${ROWS:-5}
DELAY_MS=${DELAY_MS:-5}
RUNS=${RUNS:-3}
JOBS=${JOBS:-schema data}   # the sync commands to measure
BASELINE=${BASELINE:-1}      # 0: skip the baseline (at 50 ms x 3000 tables
                             # it needs 21000 round trips: over 17 minutes)
RUN_TIMEOUT=${RUN_TIMEOUT:-600}
RHIZOME=${RHIZOME:-$ROOT/build/rhizome}
BIN=$ROOT/bench/build
ENVS=(dev_billing_bookkeeper dev_billing_event demo_billing_bookkeeper
      demo_billing_event na_prod_billing na_prod_billing_bookkeeper
      na_prod_billing_event)

die() { echo "quick.sh: $*" >&2; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit; m = int((NR + 1) / 2);
	print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2 }'; }

for v in TABLES ROWS DELAY_MS RUNS RUN_TIMEOUT; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, got '${!v}'"
done
(( RUNS >= 1 && TABLES >= 1 )) || die "RUNS and TABLES must be at least 1"

# Build the bench tools when needed; the engine is built by the top Makefile.
make -s -C "$ROOT/bench" >/dev/null || die "building bench/ failed"
HAVE_RHIZOME=1
if [ ! -x "$RHIZOME" ]; then
	HAVE_RHIZOME=0
	echo "quick.sh: rhizome not found at $RHIZOME (run 'make' at the repo root," \
		"or set RHIZOME): measuring the baseline only" >&2
fi

# shellcheck source=../tests/lib/mariadb.sh
source "$ROOT/tests/lib/mariadb.sh"
WORK=$(mktemp -d /tmp/rhizome-bench.XXXXXX)
PROXY_PID=""

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	if [ -n "$PROXY_PID" ]; then
		kill "$PROXY_PID" 2>/dev/null || true
		wait "$PROXY_PID" 2>/dev/null || true
	fi
	mdb_stop_all
	rm -rf "$WORK"
}
trap 'exit 130' INT
trap 'exit 143' TERM

echo "bench: ${#ENVS[@]} environments x $TABLES tables x $ROWS rows," \
	"proxy delay $DELAY_MS ms one-way (+$((2 * DELAY_MS)) ms per round trip), $RUNS runs"

mdb_start bench || die "cannot start the MariaDB server"
# mdb_start installed its own EXIT trap; ours stops the proxy too, then calls it.
trap cleanup EXIT
SERVER_PORT=$(mdb_port bench)

# ---- the fleet --------------------------------------------------------------
t0=$(now_ms)
"$BIN/fleetgen" --envs "$(IFS=,; echo "${ENVS[*]}")" --tables "$TABLES" --rows "$ROWS" |
	mdb_sql bench || die "loading the fleet failed"
echo "load: $(secs $(( $(now_ms) - t0 )))"

if [ -z "${RHIZOME_BENCH_PASSWORD:-}" ]; then
	RHIZOME_BENCH_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
fi
export RHIZOME_BENCH_PASSWORD
# printf is a shell builtin: the password reaches the server on stdin only.
pw_sql=$(printf '%s' "$RHIZOME_BENCH_PASSWORD" | sed "s/[\\\\']/\\\\&/g")
printf "CREATE USER 'rhizome'@'127.0.0.1' IDENTIFIED BY '%s';
GRANT SELECT, SHOW VIEW ON *.* TO 'rhizome'@'127.0.0.1';\n" "$pw_sql" |
	mdb_sql bench || die "creating the rhizome user failed"
unset pw_sql

# ---- the proxy --------------------------------------------------------------
COUNTS=$WORK/proxy.counts
"$BIN/latency_proxy" --listen 0 --target "127.0.0.1:$SERVER_PORT" --delay-ms "$DELAY_MS" \
	--count-file "$COUNTS" >"$WORK/proxy.out" 2>"$WORK/proxy.err" &
PROXY_PID=$!
PROXY_PORT=""
for _ in $(seq 1 100); do
	PROXY_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/proxy.out")
	[ -n "$PROXY_PORT" ] && break
	kill -0 "$PROXY_PID" 2>/dev/null || die "latency_proxy exited: $(cat "$WORK/proxy.err")"
	sleep 0.05
done
[ -n "$PROXY_PORT" ] || die "latency_proxy did not start listening"

# Counters now: "connections round_trips". The proxy renames a fresh file
# into place on SIGUSR1, so its appearance means the numbers are current.
proxy_counts() {
	rm -f "$COUNTS"
	kill -USR1 "$PROXY_PID"
	for _ in $(seq 1 200); do
		[ -s "$COUNTS" ] && break
		sleep 0.01
	done
	sed -n 's/^connections=\([0-9]*\) round_trips=\([0-9]*\) .*/\1 \2/p' "$COUNTS"
}

# Does the proxy really add the delay? 20 sequential SELECT 1 on one
# connection, direct and through the proxy.
q=$(for _ in $(seq 1 20); do printf 'SELECT 1;'; done)
client() { MYSQL_PWD=$RHIZOME_BENCH_PASSWORD mariadb --no-defaults -h 127.0.0.1 -P "$1" \
	-u rhizome -N -e "$q" >/dev/null; }
t0=$(now_ms); client "$SERVER_PORT" || die "cannot connect as rhizome"
t1=$(now_ms); client "$PROXY_PORT" || die "cannot connect through the proxy"
t2=$(now_ms)
echo "proxy check: 20 x SELECT 1 direct $((t1 - t0)) ms, through the proxy $((t2 - t1)) ms" \
	"(expected about +$(( 22 * 2 * DELAY_MS )) ms: 20 queries and 2 set-up round trips)"

# ---- rhizome's configuration ------------------------------------------------
CNF=$WORK/rhizome.cnf
OUT=$WORK/out
mapfile -t TABLE_NAMES < <("$BIN/fleetgen" --list --tables "$TABLES")
{
	printf '[fleet]\nout = %s\nworkers = 8\n' "$OUT"
	# one table list per logical database; env = FOLDER_billing[_SUFFIX]
	for db in $(for e in "${ENVS[@]}"; do echo "billing${e#*_billing}"; done | sort -u); do
		printf '\n[tables %s]\ntables =' "$db"
		# a few names per line: inih reads lines of at most 200 bytes
		for i in "${!TABLE_NAMES[@]}"; do
			if (( i > 0 && i % 6 == 0 )); then printf '\n        '; fi
			printf ' %s' "${TABLE_NAMES[$i]}"
		done
		printf '\n'
	done
	for e in "${ENVS[@]}"; do
		printf '\n[environment %s]\nfolder = %s\ndatabase = %s\nschema = %s\n' \
			"$e" "${e%%_billing*}" "billing${e#*_billing}" "$e"
		printf 'host = 127.0.0.1\nport = %s\nuser = rhizome\n' "$PROXY_PORT"
		printf 'password-env = RHIZOME_BENCH_PASSWORD\npool = 4\n'
	done
} >"$CNF"

# ---- the runs ---------------------------------------------------------------
SCHEMAS=$(IFS=,; echo "${ENVS[*]}")
EXPECTED=$(( ${#ENVS[@]} * TABLES ))

# One job (schema or data), RUNS times, the baseline and rhizome
# interleaved, then the medians. The baseline's data mode sends one
# SELECT * ... LIMIT 1 per round trip.
bench_job() {
	local job=$1 ext mode=() run ms rc nfiles errors c0 r0 c1 r1 b r same
	if [ "$job" = data ]; then ext=json mode=(--mode data); else ext=sql; fi
	base_ms=() rhiz_ms=()
	echo "== sync $job"
	for run in $(seq 1 "$RUNS"); do
		rm -rf "$WORK/baseline-out"
		if [ "$BASELINE" = 0 ]; then
			base_ms+=(0)
		else
			read -r c0 r0 <<<"$(proxy_counts)"
			t0=$(now_ms)
			if ! timeout --foreground -k 5 "$RUN_TIMEOUT" "$BIN/baseline" "${mode[@]}" \
				--host 127.0.0.1 --port "$PROXY_PORT" --user rhizome \
				--password-env RHIZOME_BENCH_PASSWORD --schemas "$SCHEMAS" \
				--tables-from-server --out "$WORK/baseline-out" \
				>"$WORK/baseline.$run.out" 2>"$WORK/baseline.$run.err"; then
				cat "$WORK/baseline.$run.out" "$WORK/baseline.$run.err" >&2
				die "baseline run $run failed"
		fi
		ms=$(( $(now_ms) - t0 ))
		read -r c1 r1 <<<"$(proxy_counts)"
		base_ms+=("$ms")
		nfiles=$(find "$WORK/baseline-out" -type f | wc -l)
		printf 'run %d: baseline %s  round_trips=%d connections=%d files=%d\n' \
			"$run" "$(secs "$ms")" $((r1 - r0)) $((c1 - c0)) "$nfiles"
		fi

		[ "$HAVE_RHIZOME" = 1 ] || continue
		rm -rf "$OUT"
		read -r c0 r0 <<<"$(proxy_counts)"
		t0=$(now_ms)
		rc=0
		timeout --foreground -k 5 "$RUN_TIMEOUT" "$RHIZOME" --config "$CNF" --quiet \
			sync "$job" >"$WORK/rhizome.$run.json" \
			2>"$WORK/rhizome.$run.err" || rc=$?
		ms=$(( $(now_ms) - t0 ))
		read -r c1 r1 <<<"$(proxy_counts)"
		nfiles=$(find "$OUT" -path "*/expected_data/*.$ext" 2>/dev/null | wc -l)
		errors=$(sed -n 's/.*"error_count": *\([0-9]*\).*/\1/p' "$WORK/rhizome.$run.json")
		printf 'run %d: rhizome  %s  round_trips=%d connections=%d files=%d exit=%d errors=%s\n' \
			"$run" "$(secs "$ms")" $((r1 - r0)) $((c1 - c0)) "$nfiles" "$rc" "${errors:-?}"
		if [ "$rc" != 0 ] || [ "$nfiles" != "$EXPECTED" ]; then
			# 124: timeout(1) ended it
			echo "quick.sh: rhizome run $run failed (exit $rc$([ "$rc" = 124 ] &&
				echo ": hung, killed after $RUN_TIMEOUT s"), $nfiles of $EXPECTED files);" \
				"left out of the median; its stderr:" >&2
			tail -n 20 "$WORK/rhizome.$run.err" >&2
			failed=1
			continue
		fi
		rhiz_ms+=("$ms")
	done

	# Same server, no writes in between: the last run's schema files of
	# both must be byte for byte the same (the baseline writes text + ";\n",
	# as the SPEC does).
	if [ "$job" = schema ] && [ "$HAVE_RHIZOME" = 1 ] && [ -d "$OUT" ] &&
		[ "$BASELINE" != 0 ]; then
		same=0
		for e in "${ENVS[@]}"; do
			for t in "${TABLE_NAMES[@]}"; do
				cmp -s "$WORK/baseline-out/$e/$t.sql" \
					"$OUT/${e%%_billing*}/expected_data/billing${e#*_billing}_$t.sql" &&
					same=$((same + 1))
			done
		done
		echo "check: $same of $EXPECTED rhizome files identical to the baseline's"
		[ "$same" = "$EXPECTED" ] || failed=1
	fi

	b=$(printf '%s\n' "${base_ms[@]}" | median)
	[ "$BASELINE" = 0 ] || echo "median baseline: $(secs "$b")"
	if [ "$HAVE_RHIZOME" = 1 ] && [ "${#rhiz_ms[@]}" -gt 0 ]; then
		r=$(printf '%s\n' "${rhiz_ms[@]}" | median)
		echo "median rhizome:  $(secs "$r") (${#rhiz_ms[@]} of $RUNS runs succeeded)"
		awk -v b="$b" -v r="$r" 'BEGIN { if (r > 0 && b > 0) printf "ratio baseline/rhizome: %.1fx\n", b / r }'
	elif [ "$HAVE_RHIZOME" = 1 ]; then
		echo "rhizome: no run succeeded"
	else
		echo "rhizome: skipped ($RHIZOME not found)"
	fi
}

failed=0
for job in $JOBS; do
	case $job in schema | data) ;; *) die "JOBS: '$job' is not schema or data" ;; esac
	bench_job "$job"
done

kill "$PROXY_PID" 2>/dev/null || true
wait "$PROXY_PID" 2>/dev/null || true
PROXY_PID=""
echo "proxy: $(cat "$COUNTS" 2>/dev/null); $(sed -n 's/^latency_proxy: chunks/chunks/p' "$WORK/proxy.err")"
# Chunks written late mean the machine, not the network, set the pace.
late=$(sed -n 's/.*late_mean_us=\([0-9]*\).*/\1/p' "$WORK/proxy.err")
if [ -n "$late" ] && (( late * 20 > DELAY_MS * 1000 )); then
	echo "quick.sh: warning: the proxy wrote chunks ${late} us late on average (over 5% of" \
		"the delay): the machine was busy, the figures are less trustworthy" >&2
fi
exit "$failed"
