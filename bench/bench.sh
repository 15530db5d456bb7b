#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# bench.sh: rhizome against what a user would pick instead, across simulated
# networks and fleet sizes. `make bench` runs it.
#
# One private MariaDB server holds the seven billing environments as seven
# schemas (fleetgen). One fault_proxy per round-trip time sits in front of
# its TCP port, adding half the round trip each way, and counts round trips
# and connections. For each fleet size (TABLES_LIST, tables per
# environment) and each round trip (LATENCIES, ms), RUNS times, interleaved
# so drift in the machine's load hits every tool alike:
#
#   rhizome-schema   rhizome sync schema, default settings (workers 8,
#                    pool 4, batch 250)
#   rhizome-data     rhizome sync data, default settings
#   baseline-schema  one connection, one SHOW CREATE TABLE per round trip:
#                    what a simple script does (bench/baseline.c)
#   baseline-data    the same with SELECT * ... LIMIT 1
#   mydumper         mydumper --no-data --no-locks, with as many threads as
#                    rhizome-schema used connections at that point
#   mariadb-dump     mariadb-dump --no-data --skip-lock-tables, one process
#                    per environment, all seven at once
#
# Each run writes into a fresh folder under OUT_ROOT and is checked: every
# table's file is there (or every CREATE TABLE, for mariadb-dump). A run
# that fails or is killed after RUN_TIMEOUT is printed and left out.
#
# A peer whose run would take longer than BUDGET seconds (estimated from
# its round trips per table, measured at the lowest latency, times the
# latency, divided by its connections) is skipped at that point and the
# estimate printed instead: the baseline at 50 ms and 3000 tables needs
# 21,000 sequential round trips, over 17 minutes. One that fits once but not
# RUNS times runs once.
#
# Writes bench/results/results.csv (one row per tool and point), then
# bench/report.sh turns it into results.md and scaling.svg.
#
# Environment:
#   LATENCIES    round trips in ms ("0 1 10 50")
#   TABLES_LIST  tables per environment ("100 300 1000 3000")
#   TOOLS        which of the above ("rhizome-schema rhizome-data
#                baseline-schema baseline-data mydumper mariadb-dump")
#   RUNS (3), ROWS rows per table (5), BUDGET (60 s), RUN_TIMEOUT (600 s)
#   OUT_ROOT     where runs write (default: /dev/shm when it is a tmpfs;
#                see bench/README.md for why), RESULTS (bench/results)
#   RHIZOME      the binary (build/rhizome)
#   QUICK=1      the headline point only: 10 ms, 300 tables, results in
#                bench/results/quick
# The password is generated, reaches the server on stdin and the clients
# through the environment or a 0600 defaults file: never a command line.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "${QUICK:-0}" = 1 ]; then
	LATENCIES=${LATENCIES:-10}
	TABLES_LIST=${TABLES_LIST:-300}
	# beside the full matrix's results, not over them
	RESULTS=${RESULTS:-$ROOT/bench/results/quick}
fi
LATENCIES=${LATENCIES:-0 1 10 50}
TABLES_LIST=${TABLES_LIST:-100 300 1000 3000}
TOOLS=${TOOLS:-rhizome-schema rhizome-data baseline-schema baseline-data mydumper mariadb-dump}
RUNS=${RUNS:-3}
ROWS=${ROWS:-5}
BUDGET=${BUDGET:-60}
RUN_TIMEOUT=${RUN_TIMEOUT:-600}
RESULTS=${RESULTS:-$ROOT/bench/results}
RHIZOME=${RHIZOME:-$ROOT/build/rhizome}
BIN=$ROOT/bench/build
ENVS=(dev_billing_bookkeeper dev_billing_event demo_billing_bookkeeper
      demo_billing_event na_prod_billing na_prod_billing_bookkeeper
      na_prod_billing_event)
NENVS=${#ENVS[@]}

die() { echo "bench.sh: $*" >&2; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit; m = int((NR + 1) / 2);
	print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2 }'; }

for v in ROWS RUNS BUDGET RUN_TIMEOUT; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
(( RUNS >= 1 )) || die "RUNS must be at least 1"
for t in $TABLES_LIST; do
	[[ $t =~ ^[0-9]+$ ]] && (( t >= 1 )) || die "TABLES_LIST: '$t' is not a table count"
done
for l in $LATENCIES; do
	[[ $l =~ ^[0-9]+$ ]] || die "LATENCIES: '$l' is not a round trip in whole ms"
done
for tool in $TOOLS; do
	case $tool in
	rhizome-schema | rhizome-data | baseline-schema | baseline-data | mydumper | mariadb-dump) ;;
	*) die "TOOLS: unknown tool '$tool'" ;;
	esac
done
[ -x "$RHIZOME" ] || die "rhizome not found at $RHIZOME: run 'make' at the repo root, or set RHIZOME"
for c in mydumper mariadb-dump; do
	case " $TOOLS " in *" $c "*) command -v "$c" >/dev/null ||
		die "$c is not installed (scripts/deps.sh installs it)" ;; esac
done
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is not installed (scripts/deps.sh installs it)"
# Ascending: the lowest latency teaches each peer its round trips per table
# before the higher ones decide whether it fits the budget.
LATENCIES=$(printf '%s\n' $LATENCIES | sort -n | uniq | tr '\n' ' ')
TABLES_LIST=$(printf '%s\n' $TABLES_LIST | sort -n | uniq | tr '\n' ' ')

make -s -C "$ROOT/bench" >/dev/null || die "building bench/ failed"

# shellcheck source=../tests/lib/mariadb.sh
source "$ROOT/tests/lib/mariadb.sh"
WORK=$(mktemp -d /tmp/rhizome-bench.XXXXXX)
if [ -z "${OUT_ROOT:-}" ]; then
	OUT_ROOT=$WORK/out
	if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ]; then
		OUT_ROOT=$(mktemp -d /dev/shm/rhizome-bench.XXXXXX)
	fi
else
	OUT_ROOT=$(mktemp -d "$OUT_ROOT/rhizome-bench.XXXXXX") || die "cannot write in OUT_ROOT"
fi
declare -A PROXY_PID PROXY_PORT

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	local p
	for p in "${PROXY_PID[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	mdb_stop_all
	rm -rf "$WORK" "$OUT_ROOT"
}
trap 'exit 130' INT
trap 'exit 143' TERM
trap cleanup EXIT

mkdir -p "$RESULTS" || die "cannot create $RESULTS"
CSV=$RESULTS/results.csv
echo "bench: $NENVS environments x {${TABLES_LIST% }} tables x $ROWS rows, round trips" \
	"{${LATENCIES% }} ms, $RUNS runs; writing into $OUT_ROOT"

mdb_start bench || die "cannot start the MariaDB server"
# mdb_start installed its own EXIT trap; ours stops the proxies too, then calls it.
trap cleanup EXIT
SERVER_PORT=$(mdb_port bench)

RHIZOME_BENCH_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
export RHIZOME_BENCH_PASSWORD
# printf is a shell builtin: the password reaches the server on stdin only.
pw_sql=$(printf '%s' "$RHIZOME_BENCH_PASSWORD" | sed "s/[\\\\']/\\\\&/g")
printf "CREATE USER 'rhizome'@'127.0.0.1' IDENTIFIED BY '%s';
GRANT SELECT, SHOW VIEW ON *.* TO 'rhizome'@'127.0.0.1';\n" "$pw_sql" |
	mdb_sql bench || die "creating the rhizome user failed"
unset pw_sql
# mydumper and mariadb-dump read the password from a defaults file.
MYCNF=$WORK/client.cnf
(umask 077; printf '[client]\nuser=rhizome\npassword=%s\n' "$RHIZOME_BENCH_PASSWORD" >"$MYCNF")

# ---- the proxies: one per round trip ----------------------------------------
for l in $LATENCIES; do
	half=$(awk -v l="$l" 'BEGIN { printf "%g", l / 2 }')
	"$BIN/fault_proxy" --listen 0 --target "127.0.0.1:$SERVER_PORT" --delay-ms "$half" \
		--count-file "$WORK/proxy.$l.counts" >"$WORK/proxy.$l.out" 2>"$WORK/proxy.$l.err" &
	PROXY_PID[$l]=$!
	for _ in $(seq 1 100); do
		PROXY_PORT[$l]=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/proxy.$l.out")
		[ -n "${PROXY_PORT[$l]}" ] && break
		kill -0 "${PROXY_PID[$l]}" 2>/dev/null || die "fault_proxy exited: $(cat "$WORK/proxy.$l.err")"
		sleep 0.05
	done
	[ -n "${PROXY_PORT[$l]}" ] || die "fault_proxy for $l ms did not start listening"
done

# Counters of the proxy for round trip $1 now: "connections round_trips".
# The proxy renames a fresh file into place on SIGUSR1.
proxy_counts() {
	local f=$WORK/proxy.$1.counts
	rm -f "$f"
	kill -USR1 "${PROXY_PID[$1]}"
	for _ in $(seq 1 300); do
		[ -s "$f" ] && break
		sleep 0.01
	done
	sed -n 's/^connections=\([0-9]*\) round_trips=\([0-9]*\) .*/\1 \2/p' "$f"
}

# Does each proxy add its delay? 20 sequential SELECT 1 on one connection.
q=$(for _ in $(seq 1 20); do printf 'SELECT 1;'; done)
for l in $LATENCIES; do
	t0=$(now_ms)
	mariadb --defaults-file="$MYCNF" -h 127.0.0.1 -P "${PROXY_PORT[$l]}" -N -e "$q" >/dev/null ||
		die "cannot query through the $l ms proxy"
	echo "proxy $l ms: 20 x SELECT 1 in $(( $(now_ms) - t0 )) ms (expected at least $(( 21 * l )) ms)"
done

# ---- one run of one tool ----------------------------------------------------
# run_tool TOOL TABLES LATENCY RUN: runs it, checks its output, and appends
# "wall_ms cpu_s rss_kb round_trips connections" to $WORK/runs.TOOL.T.L;
# prints one line. Returns 1 when the run failed.
run_tool() {
	local tool=$1 t=$2 l=$3 run=$4 out=$OUT_ROOT/$1.$2.$3.$4 port=${PROXY_PORT[$3]}
	local c0 r0 c1 r1 t0 ms rc=0 expected=$((NENVS * $2)) got=0 cpu rss i e tf
	local -a pids=()
	read -r c0 r0 <<<"$(proxy_counts "$l")"
	[[ ${r0:-} =~ ^[0-9]+$ ]] || die "no counts from the $l ms proxy"
	t0=$(now_ms)
	case $tool in
	rhizome-schema | rhizome-data)
		sed "s#^out = .*#out = $out#" "$WORK/rhizome.$t.$l.cnf" >"$WORK/rhizome.cnf"
		/usr/bin/time -f '%U %S %M' -o "$WORK/time.0" timeout --foreground -k 5 "$RUN_TIMEOUT" \
			"$RHIZOME" --config "$WORK/rhizome.cnf" --quiet sync "${tool#rhizome-}" \
			>"$WORK/last.out" 2>"$WORK/last.err" || rc=$?
		;;
	baseline-schema | baseline-data)
		/usr/bin/time -f '%U %S %M' -o "$WORK/time.0" timeout --foreground -k 5 "$RUN_TIMEOUT" \
			"$BIN/baseline" --mode "${tool#baseline-}" --host 127.0.0.1 --port "$port" \
			--user rhizome --password-env RHIZOME_BENCH_PASSWORD \
			--schemas "$(IFS=,; echo "${ENVS[*]}")" --tables-from-server --out "$out" \
			>"$WORK/last.out" 2>"$WORK/last.err" || rc=$?
		;;
	mydumper)
		/usr/bin/time -f '%U %S %M' -o "$WORK/time.0" timeout --foreground -k 5 "$RUN_TIMEOUT" \
			mydumper --defaults-file "$MYCNF" -h 127.0.0.1 -P "$port" -u rhizome \
			--no-data --no-locks --threads "${MYDUMPER_THREADS[$t.$l]}" \
			--regex "^($(IFS='|'; echo "${ENVS[*]}"))\\." -o "$out" \
			>"$WORK/last.out" 2>"$WORK/last.err" || rc=$?
		;;
	mariadb-dump)
		mkdir -p "$out"
		for i in "${!ENVS[@]}"; do
			/usr/bin/time -f '%U %S %M' -o "$WORK/time.$i" timeout --foreground -k 5 "$RUN_TIMEOUT" \
				mariadb-dump --defaults-file="$MYCNF" -h 127.0.0.1 -P "$port" \
				--no-data --skip-lock-tables "${ENVS[$i]}" \
				>"$out/${ENVS[$i]}.sql" 2>"$WORK/last.err.$i" &
			pids+=($!)
		done
		for i in "${!pids[@]}"; do
			wait "${pids[$i]}" || { rc=$?; cat "$WORK/last.err.$i" >>"$WORK/last.err"; }
		done
		;;
	esac
	ms=$(( $(now_ms) - t0 ))
	read -r c1 r1 <<<"$(proxy_counts "$l")"
	[[ ${r1:-} =~ ^[0-9]+$ ]] || die "no counts from the $l ms proxy"
	case $tool in
	rhizome-schema) got=$(find "$out" -path '*/expected_data/*.sql' 2>/dev/null | wc -l) ;;
	rhizome-data) got=$(find "$out" -path '*/expected_data/*.json' 2>/dev/null | wc -l) ;;
	baseline-*) got=$(find "$out" -type f 2>/dev/null | wc -l) ;;
	mydumper) got=$(find "$out" -name '*-schema.sql' 2>/dev/null | wc -l) ;;
	mariadb-dump) got=$(cat "$out"/*.sql 2>/dev/null | grep -c '^CREATE TABLE' || true) ;;
	esac
	# CPU (user + sys) and peak memory: of all seven processes for
	# mariadb-dump, summed (they run side by side).
	cpu=0 rss=0
	for tf in "$WORK"/time.*; do
		read -r e i rssv < <(tail -n 1 "$tf") || true
		[[ ${rssv:-} =~ ^[0-9]+$ ]] || continue
		cpu=$(awk -v a="$cpu" -v u="$e" -v s="$i" 'BEGIN { printf "%.3f", a + u + s }')
		rss=$((rss + rssv))
	done
	rm -f "$WORK"/time.*
	printf '  run %d %-16s %8.2f s  cpu=%.2f s  rss=%d MB  round_trips=%d connections=%d files=%d/%d' \
		"$run" "$tool" "$(awk -v ms="$ms" 'BEGIN { print ms / 1000 }')" "$cpu" $((rss / 1024)) \
		$((r1 - r0)) $((c1 - c0)) "$got" "$expected"
	# The first runs of rhizome and the baseline stay for same_files.
	if [ "$run" != 1 ] || [ "${tool#*-}" != schema ]; then
		rm -rf "$out"
	fi
	if [ "$rc" != 0 ] || [ "$got" != "$expected" ]; then
		printf '  FAILED (exit %d%s)\n' "$rc" "$([ "$rc" = 124 ] && echo ": killed after $RUN_TIMEOUT s")"
		tail -n 5 "$WORK/last.err" | sed 's/^/    /' >&2
		return 1
	fi
	printf '\n'
	echo "$ms $cpu $rss $((r1 - r0)) $((c1 - c0))" >>"$WORK/runs.$tool.$t.$l"
}

# same_files T L: rhizome's schema files of the first run against the
# baseline's, byte for byte (same server, nothing written in between; the
# baseline writes the text and ";\n", as the SPEC does). Prints the count.
same_files() {
	local r=$OUT_ROOT/rhizome-schema.$1.$2.1 b=$OUT_ROOT/baseline-schema.$1.$2.1 same=0 e tn
	local -a names
	if [ -d "$r" ] && [ -d "$b" ]; then
		mapfile -t names < <("$BIN/fleetgen" --list --tables "$1")
		for e in "${ENVS[@]}"; do
			for tn in "${names[@]}"; do
				cmp -s "$b/$e/$tn.sql" \
					"$r/${e%%_billing*}/expected_data/billing${e#*_billing}_$tn.sql" &&
					same=$((same + 1))
			done
		done
		echo "  check: $same of $((NENVS * $1)) rhizome files identical to the baseline's"
		[ "$same" = $((NENVS * $1)) ] || failed=1
	fi
	rm -rf "$r" "$b"
}

# ---- what a peer would cost -------------------------------------------------
# Round trips per table, learnt at the lowest latency; until then, counts
# seen on this server (mariadb-dump asks about a dozen things per table).
declare -A RT_PER_TABLE=([baseline-schema]=1 [baseline-data]=1 [mydumper]=1
	[mariadb-dump]=12 [rhizome-schema]=0 [rhizome-data]=0)
declare -A MYDUMPER_THREADS
# parallel TOOL T L: connections working at once
parallel() {
	case $1 in
	mydumper) echo "${MYDUMPER_THREADS[$2.$3]}" ;;
	mariadb-dump) echo "$NENVS" ;;
	*) echo 1 ;;
	esac
}
# estimate TOOL T L: seconds one run would take, from the latency alone
estimate() {
	awk -v rt="${RT_PER_TABLE[$1]}" -v n=$((NENVS * $2)) -v l="$3" -v p="$(parallel "$@")" \
		'BEGIN { printf "%.0f", rt * n * l / 1000 / p }'
}

# ---- rhizome's configuration for one point ---------------------------------
write_config() {
	local t=$1 l=$2 db e i
	local -a names
	mapfile -t names < <("$BIN/fleetgen" --list --tables "$t")
	{
		printf '[fleet]\nout = %s\n' "$OUT_ROOT/unset"
		for db in $(for e in "${ENVS[@]}"; do echo "billing${e#*_billing}"; done | sort -u); do
			printf '\n[tables %s]\ntables =' "$db"
			# a few names per line: inih reads lines of at most 200 bytes
			for i in "${!names[@]}"; do
				if (( i > 0 && i % 6 == 0 )); then printf '\n        '; fi
				printf ' %s' "${names[$i]}"
			done
			printf '\n'
		done
		for e in "${ENVS[@]}"; do
			printf '\n[environment %s]\nfolder = %s\ndatabase = %s\nschema = %s\n' \
				"$e" "${e%%_billing*}" "billing${e#*_billing}" "$e"
			printf 'host = 127.0.0.1\nport = %s\nuser = rhizome\n' "${PROXY_PORT[$l]}"
			printf 'password-env = RHIZOME_BENCH_PASSWORD\n'
		done
	} >"$WORK/rhizome.$t.$l.cnf"
}

# ---- the points ---------------------------------------------------------------
printf 'tool,job,tables,rtt_ms,runs,median_s,min_s,max_s,cpu_s,peak_rss_kb,round_trips,connections,status,note\n' >"$CSV.tmp"
failed=0
for t in $TABLES_LIST; do
	t0=$(now_ms)
	"$BIN/fleetgen" --envs "$(IFS=,; echo "${ENVS[*]}")" --tables "$t" --rows "$ROWS" |
		mdb_sql bench || die "loading the fleet of $t tables failed"
	echo "== $t tables per environment ($((NENVS * t)) in all): loaded in" \
		"$(awk -v ms=$(( $(now_ms) - t0 )) 'BEGIN { printf "%.1f s", ms / 1000 }')"
	for l in $LATENCIES; do
		echo "-- $t tables, $l ms round trip"
		write_config "$t" "$l"
		declare -A runs_of=()
		for tool in $TOOLS; do
			runs_of[$tool]=$RUNS
			case $tool in rhizome-*) continue ;; esac
			[ "$tool" = mydumper ] && MYDUMPER_THREADS[$t.$l]=8 # until rhizome ran
			est=$(estimate "$tool" "$t" "$l")
			if (( est > BUDGET )); then
				runs_of[$tool]=0
				echo "  $tool: skipped, about $est s per run (over BUDGET=$BUDGET s)"
			elif (( est * RUNS > BUDGET )); then
				runs_of[$tool]=1
			fi
		done
		for run in $(seq 1 "$RUNS"); do
			for tool in $TOOLS; do
				(( run <= runs_of[$tool] )) || continue
				if [ "$tool" = mydumper ]; then
					# as many threads as rhizome's connections (its last run here)
					c=$(tail -n 1 "$WORK/runs.rhizome-schema.$t.$l" 2>/dev/null | awk '{ print $5 }')
					MYDUMPER_THREADS[$t.$l]=${c:-8}
				fi
				run_tool "$tool" "$t" "$l" "$run" || failed=1
			done
			[ "$run" = 1 ] && same_files "$t" "$l"
		done
		for tool in $TOOLS; do
			f=$WORK/runs.$tool.$t.$l
			job=schema
			case $tool in *-data) job=data ;; esac
			note=""
			[ "$tool" = mydumper ] && note="threads=${MYDUMPER_THREADS[$t.$l]}"
			[ "$tool" = mariadb-dump ] && note="processes=$NENVS"
			if [ "${runs_of[$tool]}" = 0 ]; then
				printf '%s,%s,%s,%s,0,,,,,,,,skipped,estimate %s s per run\n' "$tool" "$job" "$t" "$l" \
					"$(estimate "$tool" "$t" "$l")" >>"$CSV.tmp"
				continue
			fi
			if [ ! -s "$f" ]; then
				printf '%s,%s,%s,%s,0,,,,,,,,failed,%s\n' "$tool" "$job" "$t" "$l" "$note" >>"$CSV.tmp"
				continue
			fi
			# round trips per table, for the estimates at higher latencies
			if [ "$l" = "${LATENCIES%% *}" ]; then
				RT_PER_TABLE[$tool]=$(awk -v n=$((NENVS * t)) '{ s += $4 } END { printf "%.3f", s / NR / n }' "$f")
			fi
			med=$(awk '{ print $1 }' "$f" | median)
			awk -v tool="$tool" -v job="$job" -v t="$t" -v l="$l" -v med="$med" -v note="$note" '
				{ n++; ms[n] = $1; cpu += $2; if ($3 > rss) rss = $3; rt += $4; conn += $5
				  if (n == 1 || $1 < min) min = $1; if ($1 > max) max = $1 }
				END { printf "%s,%s,%s,%s,%d,%.3f,%.3f,%.3f,%.3f,%d,%d,%d,ok,%s\n", tool, job, t, l, n,
					med / 1000, min / 1000, max / 1000, cpu / n, rss, rt / n, conn / n, note }' "$f" >>"$CSV.tmp"
		done
		unset runs_of
	done
done
mv "$CSV.tmp" "$CSV"

for l in $LATENCIES; do
	kill "${PROXY_PID[$l]}" 2>/dev/null || true
	wait "${PROXY_PID[$l]}" 2>/dev/null || true
	# Chunks written late mean the machine, not the network, set the pace.
	late=$(sed -n 's/.*late_mean_us=\([0-9]*\).*/\1/p' "$WORK/proxy.$l.err")
	if [ "$l" != 0 ] && [ -n "$late" ] && (( late * 20 > l * 1000 / 2 )); then
		echo "bench.sh: warning: the $l ms proxy wrote chunks ${late} us late on average" \
			"(over 5% of its delay): the machine was busy, those figures are less trustworthy" >&2
	fi
done
PROXY_PID=()

"$ROOT/bench/report.sh" "$CSV" || failed=1
exit "$failed"
