#!/usr/bin/env bash
# RELIABILITY 26: a fleet under random faults, three rounds, under the
# sanitizer builds: errors only where faults were, nothing lost or wrong.
#
# One private MariaDB server holds seven environments (bench/fleetgen: the
# bench's seven billing schemas, STRESS_TABLES tables of 3 rows each); each
# environment is reached through its own fault_proxy, whose mode a FIFO
# (--control) switches while connections are open; outside faults each
# link has a round trip of 40 to 60 ms, so a run lasts a second or two and
# a fault at a random moment meets it at work. First a clean reference
# run (sync schema, then sync data) writes a reference snapshot root. Then
# each round, on a fresh copy of that root (so the "old" content is the
# reference), runs one command (round 1 data, 2 schema, 3 data) while a
# seeded plan injects faults at moments spread over the run:
#
#   - 2 to 4 environments get 1 to 3 proxy faults each: a reset after a
#     random number of bytes, a stall (read-timeout/query-timeout fire), a
#     trickle (query-timeout fires), a delay with jitter (must not fail),
#     refusing or blackholing new connections; each is put back after a
#     while (pass, trickle 0, the link's own delay);
#   - a LOCK TABLES ... WRITE on a random table of a random environment,
#     held 2 to 4 s (lock-wait-timeout 1 s: that table may fail with 1205);
#   - a DBA's KILL of one of rhizome's connections, whichever is open then
#     (must be survived: RELIABILITY 12).
#
# Each round then asserts: exit status 0 or 3 (3 exactly when something
# failed), no sanitizer report; every error belongs to an environment a
# fault was injected into (a KILL's: the one whose proxy carries that
# connection), and an environment that only met delays, a KILL or a lock
# has no error but the locked table; a lost connection is said as one and
# retried (a table it failed was asked for twice, retries being 1), and no
# error is "unknown" (2000); every pair is either unchanged or an error,
# and every plain file is byte-identical to the reference (nothing
# partial, nothing rewritten); no temporary left, every
# earlier published run untouched, every .zst passes zstd -t; the published
# run's manifest matches the summary per environment (errors, unreached,
# counts, sha256 and size of each history file) and its history has one
# line per table whose body equals the reference; no query of ours left
# on the server; the password in no output or file; a liveness bound.
# Then a clean run of the same command on that root: exit 0, everything
# unchanged, nothing left behind.
#
# Usage: test_stress.sh [test_name...] (default: all rounds). RHIZOME
# selects the binary. STRESS_SEED replays a run's fault plans (the seed is
# printed first; the moments a fault meets depend on timing, the plan does
# not). STRESS_TABLES: tables per environment (200). STRESS_VERBOSE=1
# prints each round's log (plan, faults as injected, errors) also when it
# passes; STRESS_KEEP=1 keeps a failed round's folder (summary, stderr,
# snapshot root).
set -u
source "$(dirname "$0")/lib.sh"

FLEETGEN=${FLEETGEN:-$IT_ROOT/bench/build/fleetgen}
ST_DIR=$(mktemp -d /tmp/rhizome-stress.XXXXXX)
ST_TABLES=${STRESS_TABLES:-200}
ST_SEED=${STRESS_SEED:-$(($(date +%s%N) / 1000 % 1000000000))}
ST_ENVS=(dev_billing_bookkeeper dev_billing_event demo_billing_bookkeeper
	demo_billing_event na_prod_billing na_prod_billing_bookkeeper
	na_prod_billing_event)
# Liveness bounds (seconds): the faulted run (env-timeout 30 s bounds every
# environment, a connect in progress its connect-timeout more), and a whole
# round with its clean follow-up run and checks. Past ST_HANG the run is
# taken for hung: its threads are shown, then it is killed.
ST_BOUND=60
ST_ROUND_BOUND=120
ST_HANG=150
# Every environment's link, outside faults: one-way delay and jitter (ms),
# a round trip of 40 to 60 ms. With batches of 10 tables a run then lasts
# a second or two, so faults at random moments meet it at work.
ST_LATENCY="20 10"
# Faults are planned over the first ST_WINDOW ms of a run: about how long
# a clean run takes at that latency, whatever the build (the reference
# runs' times are printed with STRESS_VERBOSE=1).
ST_WINDOW=1500
declare -A ST_PROXY_PID

# As tests/run.sh sets them, when the caller did not.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:exitcode=66:second_deadlock_stack=1}

# The time in ms in NOW, without a fork (the injector's loop runs on a
# busy machine); now_ms prints it.
st_now() { NOW=$((${EPOCHREALTIME/[.,]/} / 1000)); }
now_ms() { st_now; echo "$NOW"; }

# R: a random number in [0, N) from two draws of $RANDOM (30 bits). It
# sets a variable instead of printing: bash reseeds RANDOM in every
# subshell, so a draw inside $(...) or a pipeline would not replay.
st_rand() { R=$(((RANDOM * 32768 + RANDOM) % $1)); }

# "ENV FOLDER DATABASE" per environment, as bench.sh names them.
st_env_rows() {
	local e
	for e in "${ST_ENVS[@]}"; do
		echo "$e ${e%%_billing*} billing${e#*_billing}"
	done
}

# ---- the server, the fleet, the proxies -------------------------------------

st_start_server() {
	local e pids="" p
	# Tables in the system tablespace: 1400 CREATE TABLEs load in seconds
	# rather than half a minute, and SHOW CREATE TABLE is the same.
	MDB_SERVER_ARGS=(--innodb-file-per-table=0)
	mdb_start stress || return 1
	MDB_SERVER_ARGS=()
	trap st_cleanup EXIT # mdb_start's trap, and the proxies
	mdb_sql stress <<SQL || return 1
CREATE USER rhizome@'127.0.0.1' IDENTIFIED BY '$RHIZOME_IT_PASSWORD';
GRANT SELECT, SHOW VIEW ON *.* TO rhizome@'127.0.0.1';
SQL
	for e in "${ST_ENVS[@]}"; do
		"$FLEETGEN" --envs "$e" --tables "$ST_TABLES" --rows 3 | mdb_sql stress &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || return 1; done
	"$FLEETGEN" --list --tables "$ST_TABLES" >"$ST_DIR/tables" || return 1
	st_env_rows >"$ST_DIR/envs"
}

# One fault_proxy per environment, with its control FIFO, kept for every
# round (the round puts each back to passing before and after its run).
st_start_proxies() {
	local e port
	for e in "${ST_ENVS[@]}"; do
		"$PROXY" --listen 0 --target "127.0.0.1:$(mdb_port stress)" --delay-ms 0 \
			--control "$ST_DIR/ctl.$e" --count-file "$ST_DIR/counts.$e" \
			>"$ST_DIR/proxy.$e.out" 2>"$ST_DIR/proxy.$e.err" &
		ST_PROXY_PID[$e]=$!
	done
	for e in "${ST_ENVS[@]}"; do
		for _ in $(seq 100); do
			port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$ST_DIR/proxy.$e.out")
			[ -n "$port" ] && break
			sleep 0.05
		done
		[ -n "$port" ] || { echo "fault_proxy for $e did not start: $(cat "$ST_DIR/proxy.$e.err")" >&2; return 1; }
		echo "$port" >"$ST_DIR/port.$e"
	done
}

# The fleet config, as bench.sh's write_config with short timeouts: a
# round takes seconds, a fault costs a few.
st_write_config() {
	local db e folder database i
	local -a names
	mapfile -t names <"$ST_DIR/tables"
	{
		printf '[fleet]\nout = snap\nbatch = 10\n'
		printf 'connect-timeout = 2\nread-timeout = 4\nquery-timeout = 4\n'
		printf 'lock-wait-timeout = 1\nretries = 1\nenv-timeout = 30\n'
		for db in billing billing_bookkeeper billing_event; do
			printf '\n[tables %s]\ntables =' "$db"
			# a few names per line: inih reads lines of at most 200 bytes
			for i in "${!names[@]}"; do
				if ((i > 0 && i % 6 == 0)); then printf '\n        '; fi
				printf ' %s' "${names[$i]}"
			done
			printf '\n'
		done
		while read -r e folder database; do
			printf '\n[environment %s]\nfolder = %s\ndatabase = %s\nschema = %s\n' \
				"$e" "$folder" "$database" "$e"
			printf 'host = 127.0.0.1\nport = %s\nuser = rhizome\n' "$(cat "$ST_DIR/port.$e")"
			printf 'password-env = RHIZOME_IT_PASSWORD\n'
		done <"$ST_DIR/envs"
	} >"$ST_DIR/rhizome.cnf"
}

# The answers ENV's proxy gave so far, in ANSWERS.
st_answers() { # ENV
	local l
	local -a lines
	ANSWERS=()
	mapfile -t lines <"$ST_DIR/proxy.$1.out"
	for l in "${lines[@]}"; do
		[[ $l == "control: "* ]] && ANSWERS+=("$l")
	done
}

# Send commands (one an argument) to ENV's proxy at once and wait for
# their answers; prints them, returns 0 when each is "control: ok". (The
# FIFO is written under a timeout: a proxy that died would leave the
# open() blocked.)
st_control() { # ENV COMMAND...
	local e=$1 before
	shift
	st_answers "$e"
	before=${#ANSWERS[@]}
	if ! timeout 3 bash -c 'shift; printf "%s\n" "$@" >"$0"' "$ST_DIR/ctl.$e" _ "$@"; then
		echo "control: not sent (the proxy is gone?)"
		return 1
	fi
	for _ in $(seq 150); do
		st_answers "$e"
		[ ${#ANSWERS[@]} -ge $((before + $#)) ] && break
		sleep 0.02
	done
	[ ${#ANSWERS[@]} -ge $((before + $#)) ] || { echo "control: no answer to $*"; return 1; }
	printf '%s; ' "${ANSWERS[@]:$before:$#}"
	echo
	! printf '%s\n' "${ANSWERS[@]:$before:$#}" | grep -qv '^control: ok '
}

# Every proxy back to forwarding, with the fleet's own latency.
st_proxies_reset() {
	local e
	for e in "${ST_ENVS[@]}"; do
		st_control "$e" pass "trickle 0" "delay $ST_LATENCY" >/dev/null ||
			{ echo "the proxy of $e refused a reset" >&2; return 1; }
	done
}

# "CONNECTIONS BYTES_DOWN" through ENV's proxy so far.
st_counts() { # ENV
	rm -f "$ST_DIR/counts.$1"
	st_control "$1" counts >/dev/null || return 1
	sed -n 's/^connections=\([0-9]*\) .* bytes_down=\([0-9]*\) .*/\1 \2/p' "$ST_DIR/counts.$1"
}

# The clean reference: sync schema then sync data into $ST_DIR/reference,
# through the proxies, with the binary under test. Records each command's
# wall time (ms) and, per environment, the bytes one connection received
# (where a reset or a stall may land).
st_reference() (
	mkdir -p "$ST_DIR/ref-run" && cd "$ST_DIR/ref-run" || return 1
	cp "$ST_DIR/rhizome.cnf" . || return 1
	for cmd in schema data; do
		for e in "${ST_ENVS[@]}"; do st_counts "$e" >"$ST_DIR/before.$e"; done
		started=$(now_ms)
		"$RHIZOME" --config rhizome.cnf sync "$cmd" >"out.$cmd.json" 2>"err.$cmd.txt"
		rc=$?
		echo $(($(now_ms) - started)) >"$ST_DIR/ref_ms.$cmd"
		if grep -qE 'Sanitizer|runtime error:' "err.$cmd.txt" || [ $rc -ne 0 ] ||
			[ "$(jq -c '[.new_count, .error_count]' "out.$cmd.json")" != "[$((7 * ST_TABLES)),0]" ]; then
			echo "reference sync $cmd: exit $rc, $(jq -c '{new_count, error_count, errors: .errors[0:3]}' "out.$cmd.json" 2>&1)" >&2
			head -100 "err.$cmd.txt" >&2
			return 1
		fi
		for e in "${ST_ENVS[@]}"; do
			read -r c0 b0 <"$ST_DIR/before.$e"
			read -r c1 b1 < <(st_counts "$e")
			# bytes per connection of this command (+1000: never 0)
			echo $(((b1 - b0) / ((c1 - c0) > 0 ? (c1 - c0) : 1) + 1000)) >"$ST_DIR/conn_bytes.$cmd.$e"
		done
	done
	# the reference equals the server, for a few tables
	for e in dev_billing_event na_prod_billing; do
		for i in 1 7 "$ST_TABLES"; do
			t=$(sed -n "${i}p" "$ST_DIR/tables")
			read -r _ folder database < <(grep "^$e " "$ST_DIR/envs")
			printf '%s;\n' "$(mdb_sql stress --raw -N -B -e "SHOW CREATE TABLE \`$e\`.\`$t\`" |
				sed '1s/^[^\t]*\t//')" >expected
			cmp -s expected "snap/$folder/expected_data/${database}_$t.sql" ||
				{ echo "reference: $e.$t differs from the server" >&2; return 1; }
		done
	done
	mv snap "$ST_DIR/reference"
)

st_setup() {
	st_start_server || return 1
	st_start_proxies || return 1
	st_proxies_reset || return 1
	st_write_config || return 1
	st_reference || return 1
}

st_cleanup() {
	local p
	for p in "${ST_PROXY_PID[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	mdb_stop_all
	rm -rf "$ST_DIR"
}

# ---- one round ---------------------------------------------------------------

# Write the round's fault plan to $T/plan, one event a line, by time:
#   MS ENV fault COMMAND...    a fault through ENV's proxy (MS: ms after
#                              the run's start)
#   MS ENV restore COMMAND...  the proxy's mode put back
#   MS ENV lock TABLE HOLD_S   LOCK TABLES ENV.TABLE WRITE, held HOLD_S
#   MS - kill PICK             KILL a connection of ours (PICK: which)
# RANDOM is seeded by the caller, and the plan depends on nothing else but
# the bytes a connection received in the reference run (a reset or stall
# comes after a random fraction of them). An environment's first fault
# falls within ST_WINDOW (when that environment is at work), its next ones
# 0.2 to 3 s apart (when its retries run); the lock and the KILL within
# ST_WINDOW.
st_plan() { # COMMAND
	local cmd=$1 dur=$ST_WINDOW nf i j e k t kind bytes
	local -a order kinds=(reset stall trickle delay refuse blackhole)
	order=("${ST_ENVS[@]}")
	for ((i = ${#order[@]} - 1; i > 0; i--)); do
		j=$((RANDOM % (i + 1)))
		e=${order[$i]} order[$i]=${order[$j]} order[$j]=$e
	done
	nf=$((2 + RANDOM % 3))
	# (no subshell draws RANDOM here: the events go to a file, sorted after)
	{
		for e in "${order[@]:0:$nf}"; do
			bytes=$(cat "$ST_DIR/conn_bytes.$cmd.$e")
			st_rand "$dur"
			t=$R
			for ((k = 1 + RANDOM % 3; k > 0; k--)); do
				kind=${kinds[$((RANDOM % ${#kinds[@]}))]}
				case $kind in
				reset | stall)
					# after a random byte of the open connections and
					# of the next 1 to 3 new ones
					st_rand 1000
					echo "$t $e fault $kind $((bytes * R / 1000)) $((1 + RANDOM % 3))"
					echo "$((t + 500 + RANDOM % 2500)) $e restore pass"
					;;
				trickle)
					echo "$t $e fault trickle $((200 + RANDOM % 2800))"
					echo "$((t + 1000 + RANDOM % 4000)) $e restore trickle 0"
					;;
				delay)
					# round trips up to 300 ms: a handshake of a few
					# stays well within connect-timeout (2 s)
					echo "$t $e fault delay $((10 + RANDOM % 91)) $((RANDOM % 51))"
					echo "$((t + 1000 + RANDOM % 4000)) $e restore delay $ST_LATENCY"
					;;
				refuse | blackhole)
					echo "$t $e fault $kind"
					echo "$((t + 500 + RANDOM % 2500)) $e restore pass"
					;;
				esac
				t=$((t + 200 + RANDOM % 2800))
			done
		done
		st_rand "$dur"
		e=${ST_ENVS[$((RANDOM % 7))]} k=$((1 + RANDOM % ST_TABLES))
		echo "$R $e lock $(sed -n "${k}p" "$ST_DIR/tables") $((2 + RANDOM % 3))"
		st_rand "$dur"
		echo "$R - kill $RANDOM"
	} >"$T/plan.unsorted"
	sort -n -k1,1 -s "$T/plan.unsorted" >"$T/plan"
}

# The environment whose proxy holds the server connection of a client
# HOST:PORT (the processlist's host: the proxy's end), or "unknown".
st_env_of_client() { # HOST:PORT
	local pid e
	pid=$(ss -tnpH state established "( sport = :${1##*:} )" 2>/dev/null |
		sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -1)
	for e in "${ST_ENVS[@]}"; do
		[ "${ST_PROXY_PID[$e]}" = "$pid" ] && { echo "$e"; return 0; }
	done
	echo unknown
}

# Carry out $T/plan from T0 (ms) on, while the run lasts (it has ended once
# $T/rz.rc exists). Logs each event to $T/inject.log, each fault that
# reached an environment to $T/faults ("ENV KIND [DETAIL]"), a command a
# proxy refused to $T/inject.errors, lock holders' pids to $T/lockers.
st_inject() { # T0
	local t0=$1 ms e action a1 a2 answer ids n id db
	local -a lockers=()
	: >"$T/faults"
	: >"$T/inject.errors"
	while read -r ms e action a1 a2; do
		st_now
		while [ ! -e "$T/rz.rc" ] && [ "$NOW" -lt $((t0 + ms)) ]; do
			sleep 0.01
			st_now
		done
		if [ -e "$T/rz.rc" ]; then
			echo "+$((NOW - t0))ms (planned +${ms}ms) $e $action $a1 $a2: not done, the run is over" >>"$T/inject.log"
			continue
		fi
		case $action in
		fault | restore)
			answer=$(st_control "$e" "$a1${a2:+ $a2}") ||
				echo "$e $a1 $a2: $answer" >>"$T/inject.errors"
			echo "+$((NOW - t0))ms $e: $action $a1 $a2 -> $answer" >>"$T/inject.log"
			[ "$action" = fault ] && echo "$e $a1" >>"$T/faults"
			;;
		lock)
			mdb_sql stress -e "LOCK TABLES \`$e\`.\`$a1\` WRITE; SELECT SLEEP($a2)" >/dev/null 2>&1 &
			lockers+=($!)
			echo $! >>"$T/lockers"
			echo "$e lock $a1" >>"$T/faults"
			echo "+$((NOW - t0))ms $e: LOCK TABLES $a1 WRITE for ${a2}s" >>"$T/inject.log"
			;;
		kill)
			ids=$(mdb_sql stress -N -e "SELECT id, host, IFNULL(db, '-'), command
				FROM information_schema.processlist WHERE user = 'rhizome' ORDER BY id")
			n=$(printf '%s' "$ids" | grep -c .)
			if [ "$n" -eq 0 ]; then
				echo "+$((NOW - t0))ms KILL: no connection of ours open" >>"$T/inject.log"
				continue
			fi
			read -r id host db what < <(printf '%s\n' "$ids" | sed -n "$((a1 % n + 1))p")
			e=$(st_env_of_client "$host")
			# (the schema in use names the environment too)
			[ "$e" = unknown ] && [ "$db" != - ] && e=$db
			if answer=$(mdb_sql stress -e "KILL $id" 2>&1); then
				if [ "$e" = unknown ]; then
					# whose it was is not known: anyone's
					printf '%s kill\n' "${ST_ENVS[@]}" >>"$T/faults"
				else
					echo "$e kill $id" >>"$T/faults"
				fi
				echo "+$((NOW - t0))ms $e: KILL $id ($what; one of $n connections of ours)" >>"$T/inject.log"
			else
				echo "+$((NOW - t0))ms $e: KILL $id failed: $answer" >>"$T/inject.log"
			fi
			;;
		esac
	done <"$T/plan"
	for id in "${lockers[@]}"; do wait "$id"; done
}

# A round's subshell may end on a failed assertion: its run, injector and
# lock holders must not outlive it, nor a proxy's fault the next round.
st_round_cleanup() {
	local p
	[ -n "${ROUND_DONE:-}" ] && return 0
	[ -s "$T/rz.pid" ] && [ ! -e "$T/rz.rc" ] && kill -9 "$(cat "$T/rz.pid")" 2>/dev/null
	if [ -n "${INJ_PID:-}" ]; then
		kill "$INJ_PID" 2>/dev/null
		for p in $(cat "$T/lockers" 2>/dev/null); do kill "$p" 2>/dev/null; done
	fi
	st_proxies_reset 2>/dev/null
	return 0
}

# Run rhizome in the background (stdout $T/out.json, stderr $T/err.txt);
# $T/rz.pid holds its pid, $T/rz.rc "STATUS WALL_MS" once it ended.
st_start_run() { # ARGS...
	rm -f "$T/rz.rc" "$T/rz.pid"
	(
		started=$(now_ms)
		"$RHIZOME" "$@" >"$T/out.json" 2>"$T/err.txt" &
		echo $! >"$T/rz.pid"
		wait $!
		rc=$?
		echo "$rc $(($(now_ms) - started))" >"$T/rz.rc"
	) &
	RUN_WRAPPER=$!
	for _ in $(seq 100); do [ -s "$T/rz.pid" ] && break; sleep 0.01; done
}

# Wait for the run; sets RC and ELAPSED_MS. A run past ST_HANG is hung:
# its threads' stacks and the server's processlist are shown, then it is
# killed and the test fails.
st_wait_run() {
	local pid started
	pid=$(cat "$T/rz.pid")
	started=$(now_ms)
	while [ ! -e "$T/rz.rc" ]; do
		if [ $(($(now_ms) - started)) -gt $((ST_HANG * 1000)) ]; then
			echo "HANG: rhizome (pid $pid) still runs after ${ST_HANG}s; its threads:" >&2
			if command -v gdb >/dev/null; then
				timeout 60 gdb -p "$pid" -batch -ex "thread apply all bt" 2>&1 | grep -E '^(Thread|#)' | head -150 >&2
			else
				for t in /proc/"$pid"/task/*; do echo "  $(cat "$t/comm") $(cat "$t/wchan")" >&2; done
			fi
			mdb_sql stress -e "SELECT id, db, command, time, state, info FROM information_schema.processlist WHERE user = 'rhizome'" >&2
			kill -TERM "$pid"
			sleep 5
			kill -9 "$pid" 2>/dev/null
			wait "$RUN_WRAPPER"
			tail -30 "$T/err.txt" >&2
			fail "rhizome hung (seed $ST_SEED); the injected faults: $(cat "$T/inject.log" 2>/dev/null)"
		fi
		sleep 0.05
	done
	wait "$RUN_WRAPPER"
	read -r RC ELAPSED_MS <"$T/rz.rc"
}

st_assert_no_sanitizer_report() { # WHAT
	if grep -qE 'Sanitizer|runtime error:' "$T/err.txt"; then
		grep -E -A60 'WARNING: ThreadSanitizer|ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/err.txt" | head -200 >&2
		fail "$1: sanitizer report (seed $ST_SEED)"
	fi
}

# No query of ours on the server, given a few seconds to go.
st_assert_no_query_left() {
	local ours
	for _ in $(seq 30); do
		ours=$(mdb_sql stress -N -e "SELECT id, db, command, time, state, info
			FROM information_schema.processlist WHERE user = 'rhizome' AND info IS NOT NULL")
		[ -z "$ours" ] && return 0
		sleep 0.1
	done
	fail "a query of ours still runs on the server 3 s after the run: $ours"
}

# What the run left in the snapshot root: no temporary; the plain files
# byte-identical to the reference's (nothing partial, nothing rewritten,
# nothing more or less); every earlier published run as it was; every
# .zst whole; the password nowhere.
st_assert_root_intact() { # WHAT
	local f d
	[ -z "$(find snap -name '.rhizome-tmp*')" ] || fail "$1: temporaries left: $(find snap -name '.rhizome-tmp*')"
	[ -z "$(find snap/.history -maxdepth 1 -name '.tmp-*')" ] ||
		fail "$1: unpublished run folders left: $(find snap/.history -maxdepth 1 -name '.tmp-*')"
	diff -r --exclude=.history --exclude=.rhizome.lock "$ST_DIR/reference" snap >diff.txt ||
		fail "$1: plain snapshots differ from the reference: $(head -30 diff.txt)"
	for d in "$ST_DIR"/reference/.history/*/; do
		diff -r "$d" "snap/.history/$(basename "$d")" >diff.txt ||
			fail "$1: the earlier run $(basename "$d") changed: $(head -10 diff.txt)"
	done
	while IFS= read -r f; do
		zstd -tq "$f" 2>zstd.err || fail "$1: damaged history file $f: $(cat zstd.err)"
		! zstd -dcq "$f" | grep -qF -- "$RHIZOME_IT_PASSWORD" || fail "$1: the password is in $f"
	done < <(find snap/.history -name '*.zst')
	! grep -rqF -- "$RHIZOME_IT_PASSWORD" out.json err.txt snap ||
		fail "$1: the password appears in the output or the snapshot root"
}

# The summary, the manifest and the history of the run just made, against
# each other, the reference and the faults injected ($T/faults). Prints
# one line per environment with errors; exits 1 with every failure found.
st_check_run() { # COMMAND
	python3 - "$1" "$ST_DIR/reference" "$ST_DIR/envs" "$ST_DIR/tables" "$T/faults" <<'EOF'
import hashlib, json, os, subprocess, sys

command, ref, envs_path, tables_path, faults_path = sys.argv[1:6]
ext = {"schema": ".sql", "data": ".json"}[command]
envs = [line.split() for line in open(envs_path)]
tables = open(tables_path).read().split()
faults = {}
for line in open(faults_path):
    w = line.split()
    faults.setdefault(w[0], []).append(w[1:])
failures = []

def eq(got, want, what):
    if got != want:
        failures.append("%s: got %s, want %s" % (what, json.dumps(got)[:600], json.dumps(want)[:600]))

def sha(b):
    return hashlib.sha256(b).hexdigest()

s = json.load(open("out.json"))
eq(s.get("command"), command, "summary command")
eq(s.get("dry_run"), False, "summary dry_run")
for k in ("new", "trivial", "significant", "missing", "removed", "empty"):
    eq(s.get(k + "_count"), 0, "summary %s_count" % k)
    eq(s.get(k), [], "summary %s" % k)
if command == "data":
    eq(s.get("ordering"), [], "summary ordering")

# Every (env, table) is unchanged or failed, exactly once.
path_of = {}
for env, folder, db in envs:
    for t in tables:
        path_of[(env, t)] = "snap/%s/expected_data/%s_%s%s" % (folder, db, t, ext)
pair_of = {p: k for k, p in path_of.items()}
unchanged = set(s["unchanged"])
eq(len(unchanged), len(s["unchanged"]), "unchanged paths listed once")
for p in unchanged - set(pair_of):
    failures.append("unchanged lists a path that is no table's: %s" % p)
failed, unreached = {}, {}
for e in s["errors"]:
    if e.get("table") is None:
        if e["env"] in unreached:
            failures.append("two environment errors for %s" % e["env"])
        unreached[e["env"]] = e
        names = e.get("tables_not_fetched", [])
    else:
        names = [e["table"]]
    for t in names:
        if (e["env"], t) in failed:
            failures.append("%s.%s failed twice in the summary" % (e["env"], t))
        failed[(e["env"], t)] = e
for k, p in path_of.items():
    if (p in unchanged) == (k in failed):
        failures.append("%s.%s is %s" % (k[0], k[1], "both unchanged and failed" if p in unchanged
                                          else "neither unchanged nor failed"))
eq(s["unchanged_count"], len(unchanged), "unchanged_count")
eq(s["error_count"], len(failed), "error_count (tables)")

# Errors only where faults were; an environment that only met delays, a
# KILL or a lock fails no table but the locked one.
# A lost connection is said as one and retried (RELIABILITY 11, 12): a
# table it failed (not a timeout, not a connect failure: those say so)
# was asked for retries + 1 = 2 times; and no error is "unknown" (2000:
# rhizome could not tell what happened).
for (env, t), e in sorted(failed.items()):
    if e["code"] == 2000:
        failures.append("%s.%s: error 2000, a fault not told for what it is: %s (attempts %s)"
                        % (env, t, e["message"], e.get("attempts")))
    elif (e["code"] in (2006, 2013, 2055, 1927) and e.get("table") is not None and
          e["message"].startswith(("Lost connection", "Server has gone away", "Connection was killed")) and
          (e.get("attempts") or 0) < 2):
        failures.append("%s.%s: a lost connection not retried: %d %s (attempts %s, retries 1)"
                        % (env, t, e["code"], e["message"], e.get("attempts")))
for (env, t), e in sorted(failed.items()):
    if env not in faults:
        failures.append("%s.%s failed in an environment no fault was injected into: %d %s"
                        % (env, t, e["code"], e["message"]))
for env, fs in faults.items():
    kinds = {f[0] for f in fs}
    if kinds <= {"delay", "kill", "lock"}:
        locked = {f[1] for f in fs if f[0] == "lock"}
        for (env2, t), e in sorted(failed.items()):
            if env2 == env and t not in locked:
                failures.append("%s met only %s, yet %s failed: %d %s (attempts %s)"
                                % (env, "/".join(sorted(kinds)), t, e["code"], e["message"], e.get("attempts")))

# The published run: manifest against the summary, history against both
# and the reference.
hist = s.get("history") or ""
try:
    m = json.load(open(os.path.join(hist, "manifest.json")))
except Exception as x:
    failures.append("the published run's manifest (%s): %s" % (hist, x))
    m = None
if m is not None:
    eq(m.get("run_id"), s.get("run_id"), "manifest run_id")
    eq(m.get("command"), command, "manifest command")
    eq(sorted(m.get("environments", {})), sorted(e[0] for e in envs), "manifest environments")
    for env, folder, db in envs:
        me = m["environments"].get(env, {})
        want = sorted(({k: e.get(k) for k in ("table", "code", "message", "attempts")}
                       for e in s["errors"] if e["env"] == env and e.get("table") is not None),
                      key=lambda e: e["table"])
        eq(sorted(me.get("errors", []), key=lambda e: e["table"]), want, "%s: manifest errors" % env)
        u = unreached.get(env)
        eq(me.get("unreached"), None if u is None else {"code": u["code"], "message": u["message"]},
           "%s: manifest unreached" % env)
        nfail = sum(1 for k in failed if k[0] == env)
        eq(me.get("counts"), {"new": 0, "unchanged": len(tables) - nfail, "trivial": 0, "significant": 0,
                              "missing": 0, "removed": 0, "empty": 0, "error": nfail}, "%s: manifest counts" % env)
        f = os.path.join(hist, me.get("file") or "?")
        try:
            z = open(f, "rb").read()
        except OSError as x:
            failures.append("%s: history file: %s" % (env, x))
            continue
        eq(sha(z), me.get("sha256"), "%s: sha256 of %s" % (env, f))
        eq(len(z), me.get("bytes"), "%s: bytes of %s" % (env, f))
        r = subprocess.run(["zstd", "-dcq", f], capture_output=True)
        if r.returncode != 0:
            failures.append("%s: zstd -d %s: %s" % (env, f, r.stderr.decode()))
            continue
        seen = set()
        for line in r.stdout.decode().splitlines():
            d = json.loads(line)
            t = d.get("table")
            what = "%s: history line of %s" % (env, t)
            eq([d.get("env"), d.get("database"), d.get("kind")], [env, db, command], what)
            if t not in tables or t in seen:
                failures.append("%s: history line for %s unexpected or repeated" % (env, t))
                continue
            seen.add(t)
            if (env, t) in failed:
                eq([d.get("status"), d.get("code"), "body" in d], ["error", failed[(env, t)]["code"], False], what)
                continue
            eq(d.get("status"), "unchanged", what + ": status")
            body = d.get("body")
            if body is None:
                failures.append(what + ": no body")
                continue
            body = body.encode()
            eq(sha(body), d.get("sha256"), what + ": sha256 of the body")
            old = open(os.path.join(ref, path_of[(env, t)][len("snap/"):]), "rb").read()
            if (body + b";\n" if command == "schema" else body) != old:
                failures.append(what + ": the body is not the reference's")
        eq(len(seen), len(tables), "%s: tables in the history" % env)

by_env = {}
for (env, t), e in failed.items():
    by_env.setdefault(env, []).append(e)
for env in sorted(by_env):
    es = by_env[env]
    codes = sorted({e["code"] for e in es})
    attempts = sorted({e.get("attempts") for e in es}, key=str)
    print("  %s: %d failed (codes %s, attempts %s), first: %s"
          % (env, len(es), codes, attempts, es[0]["message"][:200]))
for f in failures[:40]:
    print("FAILED: " + f)
sys.exit(1 if failures else 0)
EOF
}

# One round: COMMAND under the faults of the plan seeded by ST_SEED and N.
st_round() { # N COMMAND
	local n=$1 cmd=$2 round_started t0 rc problems
	round_started=$SECONDS
	RANDOM=$((ST_SEED * 10 + n))
	echo "round $n: sync $cmd, seed $ST_SEED (STRESS_SEED=$ST_SEED $0 ${FUNCNAME[1]})"
	cp -a "$ST_DIR/reference" snap || fail "cannot copy the reference"
	cp "$ST_DIR/rhizome.cnf" . || fail "no config"
	trap st_round_cleanup EXIT
	st_proxies_reset || fail "the proxies do not answer"
	st_plan "$cmd"
	echo "plan (ms after the start, environment, fault):"
	sed 's/^/  /' plan

	t0=$(now_ms)
	st_start_run --config rhizome.cnf sync "$cmd"
	st_inject "$t0" &
	INJ_PID=$!
	st_wait_run
	wait "$INJ_PID"
	INJ_PID=""
	echo "injected:"
	sed 's/^/  /' inject.log
	[ ! -s inject.errors ] || fail "a proxy refused a command of the plan: $(cat inject.errors)"
	echo "faults per environment: $(cut -d' ' -f1,2 faults | sort | uniq -c | awk '{printf "%s %s x%d; ", $2, $3, $1}')"
	echo "exit $RC after ${ELAPSED_MS} ms; errors: $(jq -c '.error_count' out.json 2>/dev/null)"
	st_assert_no_sanitizer_report "sync $cmd under faults"
	case $RC in 0 | 3) ;; *) tail -40 err.txt >&2; fail "exit status $RC, want 0 or 3 (seed $ST_SEED)" ;; esac
	jq -e . out.json >/dev/null || fail "the summary is not JSON: $(head -c 500 out.json)"
	[ "$(jq .error_count out.json)" -gt 0 ] && rc=3 || rc=0
	assert_eq "$RC" "$rc" "exit status for $(jq .error_count out.json) errors"
	[ "$ELAPSED_MS" -lt $((ST_BOUND * 1000)) ] || fail "the run took ${ELAPSED_MS} ms (bound ${ST_BOUND}s)"
	# (what the checker finds is told at the end: the files, the server
	# and the next run are checked whatever it found)
	problems=""
	st_check_run "$cmd" >check.txt || problems="the faulted run's summary, manifest or history (FAILED above)"
	cat check.txt
	st_assert_root_intact "sync $cmd under faults"
	st_assert_no_query_left

	# The next run, without faults, on the same root: sweeps, completes,
	# changes nothing.
	st_proxies_reset || fail "the proxies do not answer"
	: >faults
	st_start_run --config rhizome.cnf sync "$cmd"
	st_wait_run
	st_assert_no_sanitizer_report "the clean sync $cmd after the faults"
	assert_eq "$RC" 0 "the clean run after the faults: exit status ($(jq -c '.errors[0:3]' out.json))"
	st_check_run "$cmd" >check.txt ||
		problems="${problems:+$problems; }the clean run after the faults: $(grep FAILED check.txt | head -5)"
	assert_eq "$(jq .unchanged_count out.json)" $((7 * ST_TABLES)) "the clean run: unchanged"
	st_assert_root_intact "the clean sync $cmd after the faults"
	st_assert_no_query_left
	[ $((SECONDS - round_started)) -lt "$ST_ROUND_BOUND" ] ||
		fail "the round took $((SECONDS - round_started)) s (bound ${ST_ROUND_BOUND}s)"
	echo "round $n done in $((SECONDS - round_started)) s"
	ROUND_DONE=1
	[ -z "$problems" ] || fail "$problems (seed $ST_SEED)"
}

test_round_1_sync_data_under_random_faults() { st_round 1 data; }
test_round_2_sync_schema_under_random_faults() { st_round 2 schema; }
test_round_3_sync_data_under_random_faults() { st_round 3 data; }

# it_run, which also shows a passing round's log with STRESS_VERBOSE=1.
st_run() {
	local t log
	for t in "$@"; do
		T=$(mktemp -d /tmp/rhizome-stress-round.XXXXXX)
		log=$T.log
		if (cd "$T" && $t) >"$log" 2>&1; then
			echo "PASS ${PREFIX:-}$t"
			[ -n "${STRESS_VERBOSE:-}" ] && sed 's/^/    /' "$log"
		else
			echo "FAIL ${PREFIX:-}$t$(it_first_failure "$log")"
			sed 's/^/    /' "$log"
			if [ -n "${STRESS_KEEP:-}" ]; then
				echo "    (kept: $T, the reference is gone with the server)"
				continue
			fi
		fi
		rm -rf "$T" "$log"
	done
}

case $ST_SEED in '' | *[!0-9]*) echo "STRESS_SEED must be a whole number, got '$ST_SEED'" >&2; exit 2 ;; esac
case $ST_TABLES in '' | *[!0-9]* | 0) echo "STRESS_TABLES must be a positive whole number" >&2; exit 2 ;; esac
[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
echo "# ${PREFIX:-}stress seed $ST_SEED (STRESS_SEED=$ST_SEED replays the fault plans)"
# (mdb_start sets its own EXIT trap: this one, set after it, does both)
trap st_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
started=$SECONDS
st_setup >"$ST_DIR/setup.log" 2>&1
rc=$?
trap st_cleanup EXIT
if [ $rc -ne 0 ]; then
	echo "FAIL ${PREFIX:-}stress_setup"
	sed 's/^/    /' "$ST_DIR/setup.log"
	exit 1
fi
[ -n "${STRESS_VERBOSE:-}" ] && echo "# setup (server, fleet of 7 x $ST_TABLES tables, reference runs:" \
	"schema $(cat "$ST_DIR/ref_ms.schema") ms, data $(cat "$ST_DIR/ref_ms.data") ms) in $((SECONDS - started)) s"
st_run $TESTS
