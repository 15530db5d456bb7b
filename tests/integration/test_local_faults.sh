#!/usr/bin/env bash
# Local faults (RELIABILITY 19-21) against two real MariaDB servers started
# here: a full disk (a 1 MiB tmpfs as the snapshot root), file-system calls
# that fail (fsync, syncfs, rename, write, open, close, through the
# LD_PRELOAD shim tests/tools/fsfault.c), and kill -9 at random points.
# Each failed run must exit 4 and name the file and the system's error,
# leave every earlier snapshot and published run byte-identical, remove its
# temporaries (or leave them for the next run to sweep, after a kill),
# publish no history, and never flush a file again after its flush failed.
#
# Usage: test_local_faults.sh [test_name...] (default: all). RHIZOME is the
# binary under test: the plain or the AddressSanitizer build (the error
# paths are where leaks hide). The shim ($FSFAULT, default
# build/tests/fsfault.so; `make unit` builds it, without sanitizer flags,
# in every build folder) is preloaded into rhizome alone, with
# verify_asan_link_order=0 added to ASAN_OPTIONS so ASan accepts it.
# Needs root for the tmpfs (without it the full disk is emulated by the
# shim, and the log says so). KILL_SEED fixes the kill points' random seed.
set -u
source "$(dirname "$0")/lib.sh"
FSFAULT=${FSFAULT:-$IT_ROOT/build/tests/fsfault.so}
case $FSFAULT in /*) ;; *) FSFAULT=$PWD/$FSFAULT ;; esac

# ---- helpers ----

# Run rhizome as rz does, with the shim failing CALLS on paths matching
# PATTERN with ERRNO (names as in fsfault.c); the shim's log is
# $T/fsfault.log. FSFAULT_AFTER and FSFAULT_TIMES pass through when set.
rz_fault() { # CALLS PATTERN ERRNO RHIZOME-ARGS...
	local calls=$1 pattern=$2 err=$3
	shift 3
	: >"$T/fsfault.log"
	env FSFAULT_CALLS="$calls" FSFAULT_PATH="$pattern" FSFAULT_ERRNO="$err" \
		FSFAULT_LOG="$T/fsfault.log" FSFAULT_AFTER="${FSFAULT_AFTER:-0}" \
		${FSFAULT_TIMES:+FSFAULT_TIMES="$FSFAULT_TIMES"} \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		LD_PRELOAD="$FSFAULT" "$RHIZOME" "$@" >"$T/out.json" 2>"$T/err.txt"
	RC=$?
	if grep -qE 'Sanitizer|runtime error:|LeakSanitizer|^fsfault:' "$T/err.txt"; then
		cat "$T/err.txt" >&2
		fail "sanitizer or shim report from rhizome $*"
	fi
	return 0
}

# The shim failed at least one call: otherwise the test proved nothing.
assert_fault_hit() {
	grep -q '^fail ' "$T/fsfault.log" ||
		fail "the shim failed no call (the fault was never reached): $(head -5 "$T/fsfault.log")"
}

# The path of the first call the shim failed, relative to $T, as rhizome
# names it: a temporary file under its final name.
first_failed_path() {
	local p
	p=$(awk '$1 == "fail" { print $5; exit }' "$T/fsfault.log")
	p=${p#"$T/"}
	case ${p##*/} in
	.rhizome-tmp.*)
		local base=${p##*/}
		base=${base#.rhizome-tmp.}
		p=${p%/*}/${base%.*-*}
		;;
	esac
	echo "$p"
}

# One line of stderr names PATH and says TEXT (the errno's words): stderr
# is what a scheduler's log keeps. (The summary on stdout may say it too:
# shown when it does, to tell the two apart.)
assert_error_names() { # PATH TEXT
	grep -F -- "$1" "$T/err.txt" | grep -qF -- "$2" ||
		fail "stderr has no error naming '$1' with '$2' (the summary's errors: $(js -c '[.errors[]?.message]' 2>/dev/null)); stderr: $(cat "$T/err.txt")"
}

# The summary's errors hold "cannot write PATH: TEXT" for the table.
assert_summary_error() { # PATH TEXT
	js -r '.errors[]?.message' | grep -qxF -- "cannot write $1: $2" ||
		fail "the summary has no error 'cannot write $1: $2': $(js -c .errors)"
}

# After a flush (fsync, fdatasync, syncfs) of a file or folder failed, that
# same file or folder is not flushed again: after a write-back error the
# kernel clears the error, so a second fsync would report success for
# data that never reached the disk.
assert_no_flush_after_failure() {
	awk '$2 ~ /^(fsync|fdatasync|syncfs)$/ {
		if ($5 in failed) { print "flushed again after its flush failed: " $0; bad = 1 }
		if ($1 == "fail") failed[$5] = 1
	} END { exit bad }' "$T/fsfault.log" >"$T/retried.txt" ||
		fail "$(cat "$T/retried.txt"); shim log: $(cat "$T/fsfault.log")"
}

# Temporary files and unpublished run folders under the snapshot root, as
# the sweep counts them (an unpublished folder is one, whatever it holds).
leftovers() {
	{
		find "$T/snap" -path "$T/snap/.history/.tmp-*" -prune -o \
			-name '.rhizome-tmp.*' -printf '%P\n'
		[ -d "$T/snap/.history" ] &&
			find "$T/snap/.history" -mindepth 1 -maxdepth 1 -name '.tmp-*' -printf '.history/%P\n'
	} | sort
}

# Published run folders, one a line.
published() {
	[ -d "$T/snap/.history" ] || return 0
	find "$T/snap/.history" -mindepth 1 -maxdepth 1 -type d ! -name '.tmp-*' -printf '%P\n' | sort
}

# Every plain snapshot and published run as before the failed run
# ($T/before), nothing added.
assert_root_as_before() {
	diff -r "$T/before" "$T/snap" >"$T/diff.txt" 2>&1 ||
		fail "snapshot root changed by the failed run: $(head -20 "$T/diff.txt")"
}

# A complete earlier snapshot in $T/before. Then, with "change", two tables
# of dev_billing_bookkeeper are altered (with "change1", fee_summary only),
# so the run under test has files to write: each test aims its fault at
# dev's folder or at the history. That environment gets one connection,
# so its tables are one job (with the default batch) and the job that
# meets the fault is the one that finishes the environment.
fault_setup() { # change|change1|nochange [CONFIG-LINES...]
	local change=$1
	shift
	it_load_fleet && it_config "$@"
	sed -i '/^\[environment dev_billing_bookkeeper\]/,/^\[/s/^pool = 2/pool = 1/' rhizome.cnf
	rz sync schema
	assert_eq "$RC" 0 "earlier run: $(cat "$T/err.txt")"
	cp -a "$T/snap" "$T/before"
	case $change in
	change | change1)
		mdb_sql s1 -e "ALTER TABLE dev_billing_bookkeeper.fee_summary ADD COLUMN f1 int" ||
			fail "altering fee_summary"
		;;
	esac
	if [ "$change" = change ]; then
		mdb_sql s1 -e "ALTER TABLE dev_billing_bookkeeper.ledger_entry ADD COLUMN f1 int" ||
			fail "altering ledger_entry"
	fi
}

# What a run that met a failing call must leave (RELIABILITY 20): exit 4;
# the error names PATH with the errno's words; nothing flushed again after
# a failed flush; no temporary left; no history published; the root as it
# was. Then a clean run completes and matches the servers.
assert_failed_and_intact() { # PATH TEXT
	assert_eq "$RC" 4 "exit status: $(cat "$T/err.txt")"
	assert_fault_hit
	assert_error_names "$1" "$2"
	assert_no_flush_after_failure
	assert_eq "$(leftovers | tr '\n' ' ')" "" "temporaries left by the failed run"
	assert_eq "$(published | wc -l)" 1 "published runs (the earlier one only): $(published | tr '\n' ' ')"
	assert_root_as_before
	assert_next_run_completes
}

assert_next_run_completes() {
	rz sync schema
	assert_eq "$RC" 0 "the next run: $(cat "$T/err.txt")"
	assert_snapshots_match_server
	assert_eq "$(leftovers | tr '\n' ' ')" "" "temporaries after the next run"
}

# ---- 19: disk full ----

test_disk_full_exits_4_naming_the_file_and_keeps_earlier_snapshots() {
	it_load_fleet && it_config
	# 300 rows of 100 bytes now (the earlier snapshot: some 40 KiB), of
	# 10 KiB each later (3 MiB: more than the disk holds). The bodies
	# repeat, so the history stays small and the plain file fills the disk.
	mdb_sql s1 dev_billing_event -e "CREATE TABLE filler (id int PRIMARY KEY, body mediumtext);
		INSERT INTO filler SELECT seq, REPEAT(MD5(seq), 3) FROM seq_1_to_300" ||
		fail "creating the filler table"
	sed -i 's/^tables = event flyway_schema_history$/tables = event flyway_schema_history filler/' rhizome.cnf
	# one connection: the environment's tables are one job (fault_setup)
	sed -i '/^\[environment dev_billing_event\]/,/^\[/s/^pool = 2/pool = 1/' rhizome.cnf
	mkdir "$T/snap"
	local emulated=""
	if mount -t tmpfs -o size=1m rhizome-it "$T/snap" 2>"$T/mount.err"; then
		trap 'umount "$T/snap" 2>/dev/null || umount -l "$T/snap"' EXIT
	else
		emulated=1
		echo "note: cannot mount a tmpfs ($(cat "$T/mount.err")): the full disk is emulated by the shim"
	fi
	rz sync schema
	assert_eq "$RC" 0 "earlier schema run: $(cat "$T/err.txt")"
	rz sync data --rows 300
	assert_eq "$RC" 0 "earlier data run: $(cat "$T/err.txt")"
	cp -a "$T/snap" "$T/before"
	mdb_sql s1 dev_billing_event -e "UPDATE filler SET body = REPEAT(MD5(id), 320)"
	if [ -n "$emulated" ]; then
		rz_fault write '*/snap/*/expected_data/.rhizome-tmp.*' ENOSPC sync data --rows 300
	else
		rz sync data --rows 300
		df -k "$T/snap"
	fi
	assert_eq "$RC" 4 "exit status: $(cat "$T/err.txt")"
	assert_error_names snap/dev/expected_data/billing_event_filler.json "No space left on device"
	assert_eq "$(js -r '.errors[0].message')" \
		"cannot write snap/dev/expected_data/billing_event_filler.json: No space left on device" "error in the summary"
	assert_eq "$(published | wc -l)" 2 "published runs (the two earlier ones only): $(published | tr '\n' ' ')"
	# Every earlier snapshot and run byte-identical (temporaries aside:
	# RELIABILITY lets the next run sweep them).
	diff -r -x '.rhizome-tmp.*' -x '.tmp-*' "$T/before" "$T/snap" >"$T/diff.txt" 2>&1 ||
		fail "earlier snapshots changed: $(head -20 "$T/diff.txt")"
	[ -z "$(leftovers)" ] || echo "note: the failed run left $(leftovers | tr '\n' ' ')"
	# The disk is still nearly full: a schema run fits, sweeps, succeeds.
	rz sync schema
	assert_eq "$RC" 0 "the next run: $(cat "$T/err.txt")"
	assert_eq "$(leftovers | tr '\n' ' ')" "" "temporaries after the next run"
	diff -r -x .history "$T/before" "$T/snap" >"$T/diff.txt" 2>&1 ||
		fail "snapshots changed by the next run: $(head -20 "$T/diff.txt")"
	if [ -z "$emulated" ]; then
		umount "$T/snap" || fail "unmounting the tmpfs"
		trap - EXIT
	fi
}

# ---- 20: one failing call at a time ----

test_fsync_failing_on_a_snapshot_file_is_not_retried_and_keeps_the_old_file() {
	# one file in the commit: flushed with its own fsync, not syncfs
	fault_setup change1
	rz_fault fsync '*/snap/dev/expected_data/.rhizome-tmp.*' EIO sync schema
	assert_summary_error "$(first_failed_path)" "Input/output error"
	assert_failed_and_intact "$(first_failed_path)" "Input/output error"
}

# batch = 1: dev_billing_bookkeeper's tables are four jobs, and the failure
# stops the run before the last ones are handed out. The environment never
# finishes, but its error must still reach stderr, not only the summary.
# (With the default batch the same happens whenever an environment's
# tables are split between its connections and one job is not yet started
# when another fails.)
test_io_failure_that_stops_the_run_is_said_on_stderr() {
	fault_setup change "batch = 1"
	rz_fault fsync '*/snap/dev/expected_data/.rhizome-tmp.*' EIO sync schema
	assert_summary_error "$(first_failed_path)" "Input/output error"
	assert_failed_and_intact "$(first_failed_path)" "Input/output error"
}

test_syncfs_failing_keeps_every_old_file_of_the_batch() {
	# the default batch: both altered tables in one commit, one syncfs()
	fault_setup change
	rz_fault syncfs '*/snap/dev/*' EIO sync schema
	grep -q '^fail syncfs ' "$T/fsfault.log" || fail "no syncfs failed: $(cat "$T/fsfault.log")"
	# each file of the batch has its error; stderr tells the first one
	assert_summary_error snap/dev/expected_data/billing_bookkeeper_fee_summary.sql "Input/output error"
	assert_summary_error snap/dev/expected_data/billing_bookkeeper_ledger_entry.sql "Input/output error"
	assert_failed_and_intact snap/dev/expected_data/billing_bookkeeper_ "Input/output error"
}

# The folder's fsync comes after the renames: the new files already have
# their names, so "old or complete" is all that can hold for them; the
# failure must still be said, with the folder and the error.
test_fsync_failing_on_a_snapshot_folder_is_said_and_not_retried() {
	fault_setup change
	server_create dev_billing_bookkeeper fee_summary >"$T/fresh_fee"
	server_create dev_billing_bookkeeper ledger_entry >"$T/fresh_ledger"
	rz_fault fsync '*/snap/dev/expected_data' EIO sync schema
	assert_eq "$RC" 4 "exit status: $(cat "$T/err.txt")"
	assert_fault_hit
	assert_no_flush_after_failure
	local f t
	for t in fee:fee_summary ledger:ledger_entry; do
		f=$(env_file dev_billing_bookkeeper "${t#*:}")
		cmp -s "$f" "$T/before/${f#"$T/snap/"}" || cmp -s "$f" "$T/fresh_${t%%:*}" ||
			fail "$f is neither the earlier file nor the fresh one"
	done
	assert_eq "$(leftovers | tr '\n' ' ')" "" "temporaries left by the failed run"
	assert_eq "$(published | wc -l)" 1 "published runs (the earlier one only)"
	assert_error_names snap/dev/expected_data "Input/output error"
	assert_next_run_completes
}

test_fsync_failing_on_the_history_is_not_retried_and_publishes_nothing() {
	fault_setup nochange
	rz_fault fsync '*/.history/.tmp-*/*.jsonl.zst' EIO sync schema
	assert_failed_and_intact snap/.history "Input/output error"
}

# The run folder is renamed into place, then .history is flushed: when
# that flush fails, the run must not stay published.
test_fsync_failing_on_the_history_folder_publishes_nothing() {
	fault_setup nochange
	rz_fault fsync '*/snap/.history' EIO sync schema
	assert_failed_and_intact snap/.history "Input/output error"
}

test_rename_failing_keeps_the_old_file() {
	fault_setup change
	rz_fault rename '*/snap/dev/expected_data/*' EDQUOT sync schema
	assert_summary_error "$(first_failed_path)" "Disk quota exceeded"
	assert_failed_and_intact "$(first_failed_path)" "Disk quota exceeded"
}

test_rename_of_the_run_folder_failing_publishes_nothing() {
	fault_setup nochange
	# the folder's new name only (not the manifest's rename inside it)
	rz_fault rename '*/snap/.history/[0-9]*' EIO sync schema
	assert_failed_and_intact snap/.history "Input/output error"
}

test_write_failing_keeps_the_old_file() {
	fault_setup change
	rz_fault write '*/snap/dev/expected_data/.rhizome-tmp.*' EIO sync schema
	assert_summary_error "$(first_failed_path)" "Input/output error"
	assert_failed_and_intact "$(first_failed_path)" "Input/output error"
}

test_write_failing_on_the_history_publishes_nothing() {
	fault_setup nochange
	rz_fault write '*/snap/.history/.tmp-*' ENOSPC sync schema
	assert_failed_and_intact snap/.history "No space left on device"
}

test_open_failing_keeps_the_old_file() {
	fault_setup change
	rz_fault open '*/snap/dev/expected_data/.rhizome-tmp.*' EROFS sync schema
	assert_summary_error "$(first_failed_path)" "Read-only file system"
	assert_failed_and_intact "$(first_failed_path)" "Read-only file system"
}

test_open_failing_for_the_history_starts_nothing() {
	fault_setup nochange
	rz_fault open '*/snap/.history/.tmp-*/*.jsonl.zst' EROFS sync schema
	assert_failed_and_intact snap/.history "Read-only file system"
}

# close() reports a write-back error on NFS; the batch checks it.
test_close_failing_keeps_the_old_file() {
	fault_setup change
	rz_fault close '*/snap/dev/expected_data/.rhizome-tmp.*' EIO sync schema
	assert_summary_error "$(first_failed_path)" "Input/output error"
	assert_failed_and_intact "$(first_failed_path)" "Input/output error"
}

# ---- 21: kill -9 at random points ----

# sha256 and name of every plain snapshot under DIR, relative to it.
plain_sums() { # DIR
	(cd "$1" && find . -path '*/expected_data/*' -type f ! -name '.rhizome-tmp.*' \
		-printf '%P\0' | sort -z | xargs -0r sha256sum)
}

# Every published run: its manifest, every .zst a whole zstd frame whose
# sha256 the manifest holds, and, once seen, byte-identical ever after.
# SEEN_RUNS (an associative array of the caller's) keeps what was seen:
# each run's "sha256  run/file" lines. One sha256sum for them all.
check_published_runs() {
	local -A now
	local run dir env file sum line
	[ -d "$T/snap/.history" ] || return 0
	while IFS= read -r line; do
		run=${line:66}
		run=${run%%/*}
		now[$run]+=$line$'\n'
	done < <(cd "$T/snap/.history" && find . -mindepth 2 -maxdepth 2 -type f \
		! -path './.tmp-*' -printf '%P\0' | sort -z | xargs -0r sha256sum)
	for run in $(published); do
		dir=$T/snap/.history/$run
		[ -f "$dir/manifest.json" ] || fail "published run $run has no manifest.json: $(ls -A "$dir")"
		if [ -n "${SEEN_RUNS[$run]:-}" ]; then
			[ "${SEEN_RUNS[$run]}" = "${now[$run]}" ] || fail "published run $run changed"
			continue
		fi
		jq -e .environments "$dir/manifest.json" >/dev/null || fail "$run/manifest.json: not a manifest"
		zstd -tq "$dir"/*.zst 2>"$T/zstd.err" || fail "$run: zstd -t: $(cat "$T/zstd.err")"
		while read -r env file sum; do
			grep -qxF "$sum  $run/$file" <<<"${now[$run]}" ||
				fail "$run/$file: not the sha256 its manifest holds for $env"
		done < <(jq -r '.environments | to_entries[] | "\(.key) \(.value.file) \(.value.sha256)"' "$dir/manifest.json")
		SEEN_RUNS[$run]=${now[$run]}
	done
}

# The servers between two states, so that every run has files to rewrite
# (a run after a complete one would otherwise find nothing changed): in B
# a column more in one table of each environment, two rows updated and
# demo's odd`name created; A is the fixture's.
KILL_ALTERED_S1="dev_billing_bookkeeper.ledger_entry dev_billing_event.event
	demo_billing_bookkeeper.fee_summary demo_billing_event.event"
KILL_ALTERED_S2="na_prod_billing.invoice na_prod_billing_bookkeeper.fee_summary
	na_prod_billing_event.event"
kill_state() { # a|b
	local t sql1="" sql2=""
	for t in $KILL_ALTERED_S1; do
		[ "$1" = b ] && sql1+="ALTER TABLE $t ADD COLUMN kz int DEFAULT 7;" ||
			sql1+="ALTER TABLE $t DROP COLUMN kz;"
	done
	for t in $KILL_ALTERED_S2; do
		[ "$1" = b ] && sql2+="ALTER TABLE $t ADD COLUMN kz int DEFAULT 7;" ||
			sql2+="ALTER TABLE $t DROP COLUMN kz;"
	done
	if [ "$1" = b ]; then
		sql1+="UPDATE dev_billing_event.event SET occurred_at = '2027-02-03 04:05:06';
			CREATE TABLE demo_billing_bookkeeper.\`odd\`\`name\` (id int PRIMARY KEY, v varchar(8));
			INSERT INTO demo_billing_bookkeeper.\`odd\`\`name\` VALUES (1, 'new');"
		sql2+="UPDATE na_prod_billing_bookkeeper.fee_summary SET amount = 99.5 WHERE id = 1;"
	else
		sql1+="UPDATE dev_billing_event.event SET occurred_at = '2026-01-01 00:00:00.123456';
			DROP TABLE demo_billing_bookkeeper.\`odd\`\`name\`;"
		sql2+="UPDATE na_prod_billing_bookkeeper.fee_summary SET amount = 10.5 WHERE id = 1;"
	fi
	mdb_sql s1 -e "$sql1" && mdb_sql s2 -e "$sql2" || fail "putting the servers in state $1"
}

# rhizome on a slow disk: every fsync, syncfs and rename under $T (the
# snapshot roots) held 20 ms by the shim (none fails), so that kills land
# inside commits, not only between them. Run as
# `env "${SLOW_DISK[@]}" rhizome ...`: env execs rhizome, so a background
# run's $! is rhizome itself (a shell function's would be a subshell, and
# the kill would miss it).
slow_disk_env() {
	SLOW_DISK=(FSFAULT_CALLS=fsync,syncfs,rename "FSFAULT_PATH=$T/*" FSFAULT_TIMES=0
		FSFAULT_DELAY_MS=20 "LD_PRELOAD=$FSFAULT"
		"ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
}

test_kill_9_at_random_points_leaves_every_file_old_or_complete() {
	local seed=${KILL_SEED:-$$} kills=0 completed=0 i cmd ms rpid rc sum path n t0 dur state
	local -A ok_sums SEEN_RUNS took
	local -a SLOW_DISK
	RANDOM=$seed
	slow_disk_env
	echo "seed $seed"
	it_load_fleet && it_config "batch = 1" "workers = 2"
	it_slow_na_prod 60
	# What a file may hold after a kill: its content in state A (the
	# earlier snapshots) or in state B (a clean run's after the change);
	# a file of a table that exists in B only, that or nothing.
	rz --quiet sync schema && assert_eq "$RC" 0 "state A schema run: $(cat "$T/err.txt")"
	rz --quiet sync data && assert_eq "$RC" 0 "state A data run: $(cat "$T/err.txt")"
	cp -a "$T/snap" "$T/state_a"
	kill_state b
	rz --quiet sync schema && assert_eq "$RC" 0 "state B schema run: $(cat "$T/err.txt")"
	rz --quiet sync data && assert_eq "$RC" 0 "state B data run: $(cat "$T/err.txt")"
	cp -a "$T/snap" "$T/state_b"
	# Back to A, timed: how long a run that rewrites its files takes here
	# (ms), on the slow disk. Kills are aimed within it.
	kill_state a
	for cmd in schema data; do
		t0=$(date +%s%N)
		env "${SLOW_DISK[@]}" "$RHIZOME" --quiet sync $cmd >"$T/out.json" 2>"$T/err.txt"
		RC=$?
		took[$cmd]=$((($(date +%s%N) - t0) / 1000000))
		assert_eq "$RC" 0 "state A $cmd run: $(cat "$T/err.txt")"
	done
	echo "a run takes ${took[schema]} ms (schema), ${took[data]} ms (data)"
	while read -r sum path; do
		ok_sums["$path $sum"]=1
	done < <(plain_sums "$T/state_a"; plain_sums "$T/state_b")
	plain_sums "$T/state_a" | cut -c67- >"$T/state_a.list"
	[ "$(wc -l <"$T/state_a.list")" -lt "$(plain_sums "$T/state_b" | wc -l)" ] ||
		fail "state B has no new file"
	check_published_runs

	state=a
	for ((i = 0; kills < 52 && i < 100; i++)); do
		# the other state, then a schema and a data run in it: every
		# run has files to rewrite
		if ((i % 2 == 0)); then
			cmd=schema
			[ $state = a ] && state=b || state=a
			kill_state $state
		else
			cmd=data
		fi
		dur=${took[$cmd]}
		# Anywhere in the run; one kill in four within 200 ms of its
		# end, where the last renames and the history's publishing
		# happen (some of those runs end first: they publish).
		if ((RANDOM % 4 == 0)); then
			ms=$((dur - 200 + RANDOM % 400))
		else
			ms=$((RANDOM % (dur + 1)))
		fi
		((ms < 0)) && ms=0
		env "${SLOW_DISK[@]}" "$RHIZOME" --quiet sync $cmd >/dev/null 2>"$T/kill.err" &
		rpid=$!
		sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
		kill -9 $rpid 2>/dev/null
		{ wait $rpid; } 2>/dev/null # no "Killed" line from the shell
		rc=$?
		if [ $rc -eq 137 ]; then
			kills=$((kills + 1))
		elif [ $rc -eq 0 ]; then
			completed=$((completed + 1))
		else
			fail "run $i (sync $cmd) ended with $rc before its kill: $(cat "$T/kill.err")"
		fi
		# Every file under a final name is whole: its state A or its
		# state B content; none went missing.
		while read -r sum path; do
			[ -n "${ok_sums["$path $sum"]:-}" ] ||
				fail "after kill $kills (sync $cmd at ${ms} ms): $path is neither its earlier content nor a clean run's"
		done < <(plain_sums "$T/snap")
		while read -r path; do
			[ -f "$T/snap/$path" ] || fail "after kill $kills (sync $cmd at ${ms} ms): $path is gone"
		done <"$T/state_a.list"
		check_published_runs
		echo "run $i: sync $cmd in state $state killed at ${ms} ms (exit $rc):" \
			"leftovers: $(leftovers | sed 's/\.rhizome-tmp\..*/(temporary)/' | sort | uniq -c | tr -s ' \n' ' ')"
	done
	echo "$kills kills, $completed runs ended before their kill, $(published | wc -l) runs published"
	[ "$kills" -ge 50 ] || fail "only $kills runs were killed mid-run"

	# One normal run sweeps what the last killed one left, naming how
	# many; if that kill left nothing, plant a leftover of each kind.
	if [ -z "$(leftovers)" ]; then
		mkdir -p "$T/snap/.history/.tmp-20000101T000000Z-000"
		echo partial >"$T/snap/.history/.tmp-20000101T000000Z-000/dev_billing_event.jsonl.zst"
		echo partial >"$T/snap/dev/expected_data/.rhizome-tmp.billing_event_event.sql.1-0"
	fi
	n=$(leftovers | wc -l)
	echo "before the normal run: $(leftovers | tr '\n' ' ')"
	[ $state = b ] || kill_state b
	rz sync schema
	assert_eq "$RC" 0 "the normal schema run: $(cat "$T/err.txt")"
	grep -q "removed $n leftover" "$T/err.txt" || fail "no 'removed $n leftover': $(cat "$T/err.txt")"
	rz sync data
	assert_eq "$RC" 0 "the normal data run: $(cat "$T/err.txt")"
	assert_eq "$(leftovers | tr '\n' ' ')" "" "leftovers after the normal runs"
	diff <(plain_sums "$T/state_b") <(plain_sums "$T/snap") >"$T/diff.txt" ||
		fail "snapshots differ from the clean run's: $(cat "$T/diff.txt")"
	check_published_runs
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
[ -f "$FSFAULT" ] || { echo "FAIL ${PREFIX:-}fsfault_shim ($FSFAULT not built: make unit)"; exit 1; }
it_start_servers >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
it_run $TESTS
