#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it.
#
#  1. unit tests (tests/unit), built with AddressSanitizer and again with
#     ThreadSanitizer;
#  2. integration tests (tests/integration: sync schema, sync data, sync
#     report, history, status, verify, production: TLS, session
#     settings, credentials; bulk export and load; coverage: globs,
#     unlisted tables, rhizome
#     tables, shards, the JSON log; the terminal: tmux) against
#     private MariaDB servers they start and stop
#     themselves: every scenario with the ASan build, the concurrent ones
#     again with the TSan build; local faults (a full disk, failing
#     file-system calls through tests/tools/fsfault.c, kill -9 at random
#     points) with the ASan build; seven environments under random
#     faults, three rounds, with the ASan and the TSan builds;
#  3. setup (tests/integration/test_setup.sh): a private server where no
#     name resolves, and install, start-up, build and package failures
#     that say why;
#  4. the bench tools that need no server (fault_proxy, report.sh);
#  5. the README's demo command, twice.
#
# Every test prints one PASS or FAIL line; the last line of the output is
# "N passed, N failed", and the exit status is 0 only when nothing failed.
# Needs the packages of scripts/deps.sh (`make test` installs them first).
set -u
cd "$(dirname "$0")/.."

RESULTS=$(mktemp /tmp/rhizome-results.XXXXXX)
trap 'rm -f "$RESULTS" "$RESULTS.build"' EXIT

# Record and show a test's output; the PASS/FAIL lines are what we count.
report() { tee -a "$RESULTS"; }

section() { printf '\n== %s\n' "$*"; }

# TSan needs a fixed address-space layout on kernels with high mmap
# randomness; setarch -R turns randomization off for the process it runs.
TSAN_RUN=""
if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
	TSAN_RUN="setarch $(uname -m) -R"
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:exitcode=66:second_deadlock_stack=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

build() { # NAME MAKE-ARGS...
	local name=$1
	shift
	if scripts/build.sh "$@" 2>"$RESULTS.build"; then
		echo "PASS build_$name" | report
	else
		echo "FAIL build_$name" | report
		sed 's/^/    /' "$RESULTS.build"
	fi
}

# Run one unit test binary; a crash without a FAIL line still counts.
unit() { # PREFIX BINARY [RUNNER...]
	local prefix=$1 bin=$2 out rc
	shift 2
	out=$("$@" "$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed -n "s/^\(PASS\|FAIL\) /\1 $prefix/p" | report
	printf '%s\n' "$out" | grep -v '^PASS ' | grep -v '^FAIL ' | sed 's/^/    /' | head -60
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL '; then
		echo "FAIL $prefix$(basename "$bin") (exit $rc: crashed or sanitizer report)" | report
	fi
}

section "build"
build plain all
build bench_tools -C bench
build asan SANITIZER=address all unit
build tsan SANITIZER=thread all unit

section "unit tests, AddressSanitizer"
for t in build-address/tests/test_*; do
	[ -x "$t" ] && unit "[asan] " "$t"
done

section "unit tests, ThreadSanitizer"
for t in build-thread/tests/test_*; do
	[ -x "$t" ] && unit "[tsan] " "$t" $TSAN_RUN
done

section "integration tests, AddressSanitizer build"
RHIZOME=build-address/rhizome PREFIX="[asan] " \
	tests/integration/test_sync_schema.sh 2>&1 | report

RHIZOME=build-address/rhizome PREFIX="[asan] " \
	tests/integration/test_sync_data.sh 2>&1 | report

RHIZOME=build-address/rhizome PREFIX="[asan] " \
	tests/integration/test_sync_check.sh 2>&1 | report
# the fleet over time: history, status, verify, dropped tables (issue 13)
for t in history status verify; do
	RHIZOME=build-address/rhizome PREFIX="[asan] " \
		tests/integration/test_$t.sh 2>&1 | report
done
# coverage (issue 14): globs, unlisted tables, rhizome tables, --shard,
# --log-format json
RHIZOME=build-address/rhizome PREFIX="[asan] " \
	tests/integration/test_coverage.sh 2>&1 | report
# the interface (issue 15): [fleet] defaults, the config found, the
# options; make install (binary, man page, completion)
RHIZOME=build-address/rhizome PREFIX="[asan] " \
	tests/integration/test_cli.sh 2>&1 | report
BUILD=build-address tests/integration/test_install.sh 2>&1 | report
# a real terminal (tmux at 40, 80, 200 columns): the progress bar, the
# summaries, the report
RHIZOME=build-address/rhizome PREFIX="[asan] " \
	tests/integration/test_terminal.sh 2>&1 | report
RHIZOME=build-address/rhizome CHECK=build-address/tests/tablemodel_check \
	PREFIX="[asan] " tests/integration/test_tablemodel.sh 2>&1 | report
# gen models (issue 16): every module imports, schema and data round trips
RHIZOME=build-address/rhizome PREFIX="[asan] " \
	tests/integration/test_gen_models.sh 2>&1 | report
# rhizome load: both fixture fleets back into a server, value for value;
# the refusals, a failed load, signals, the server lock, the key checks;
# sync data --follow-keys (a chain, a self-reference, a cycle, masking)
RHIZOME=build-address/rhizome PREFIX="[asan] " \
	tests/integration/test_load.sh 2>&1 | report
# PERIOD FOR and names with raw newlines: parsed, rendered back, true severities
# sync data --all, the bulk export, and load --bulk: resume after SIGTERM
# and kill -9, faults, masking; peak memory measured on the plain build
RHIZOME=build-address/rhizome PLAIN=build/rhizome FSFAULT=build-address/tests/fsfault.so \
	PREFIX="[asan] " tests/integration/test_bulk.sh 2>&1 | report
RHIZOME=build-address/rhizome CHECK=build-address/tests/tablemodel_check \
	PREFIX="[asan] " tests/integration/test_parser_gaps.sh 2>&1 | report

RHIZOME=build-address/rhizome PREFIX="[asan] " \
	tests/integration/test_production.sh 2>&1 | report

section "local faults (RELIABILITY 19-21): a full disk, failing file-system calls, kill -9"
# the shim (fsfault.so, built without sanitizer flags) preloaded into the
# ASan build; the tmpfs of the full disk needs root
RHIZOME=build-address/rhizome FSFAULT=build-address/tests/fsfault.so PREFIX="[asan] " \
	tests/integration/test_local_faults.sh 2>&1 | report

section "integration tests, ThreadSanitizer build (the concurrent scenarios)"
# setarch's personality flag is inherited by every process the tests start.
PREFIX="[tsan] " RHIZOME=build-thread/rhizome $TSAN_RUN \
	tests/integration/test_sync_schema.sh \
	test_first_run_writes_every_file_as_the_server_shows_it \
	test_one_server_down_gives_exit_3_and_the_rest_complete \
	test_missing_table_is_reported_and_the_rest_of_its_batch_synced \
	test_sigterm_stops_cleanly_with_143 \
	test_kill_9_leaves_no_partial_file_and_the_next_run_cleans_up 2>&1 | report
PREFIX="[tsan] " RHIZOME=build-thread/rhizome $TSAN_RUN \
	tests/integration/test_sync_data.sh \
	test_second_run_is_unchanged_and_an_update_is_significant \
	test_masking_hashes_consistently_and_never_leaks 2>&1 | report
PREFIX="[tsan] " RHIZOME=build-thread/rhizome $TSAN_RUN \
	tests/integration/test_production.sh \
	test_reconnect_and_a_reset_mid_batch_give_the_clean_runs_data \
	test_wrong_password_is_one_attempt_and_never_shown \
	test_lock_held_elsewhere_fails_one_table_fast_and_the_rest_completes \
	test_sigterm_kills_our_running_query_on_the_server \
	test_a_dbas_kill_of_our_connection_is_survived \
	test_a_pooled_connection_idle_past_wait_timeout_is_replaced \
	test_a_stall_mid_result_is_retried_on_a_new_connection \
	test_trickling_server_is_cut_off_at_the_query_timeout \
	test_env_timeout_cuts_off_a_slow_environment_and_the_other_completes 2>&1 | report
# the lookup that expands a glob hands the schedule new jobs from a worker;
# the machine log's reader thread
PREFIX="[tsan] " RHIZOME=build-thread/rhizome $TSAN_RUN \
	tests/integration/test_coverage.sh \
	test_a_glob_is_expanded_per_environment_and_exclude_takes_globs \
	test_a_glob_never_takes_another_environments_file \
	test_log_format_json_events_of_a_run_with_a_failure_and_a_retry 2>&1 | report

# load: the workers' jobs, the phases' waits, a signal while they run
PREFIX="[tsan] " RHIZOME=build-thread/rhizome $TSAN_RUN \
	tests/integration/test_load.sh \
	test_the_demo_fleet_loads_back_exactly \
	test_a_failed_load_leaves_the_target_as_it_was \
	test_sigterm_mid_load_stops_cleanly_and_leaves_the_target_as_it_was \
	test_follow_keys_brings_the_rows_sampled_rows_reference 2>&1 | report

# the bulk export: plan and part jobs, manifests shared by a table's
# parts, a signal mid-export, a load of the chunks
PREFIX="[tsan] " RHIZOME=build-thread/rhizome $TSAN_RUN \
	tests/integration/test_bulk.sh \
	test_all_exports_every_row_in_key_order_with_a_manifest \
	test_sigterm_then_resume_gives_the_chunks_of_an_uninterrupted_export \
	test_a_lost_connection_is_retried_from_the_last_chunk 2>&1 | report

# the bar: drawn by the workers and the deadline keeper's tick, a resize
# flagged by the signal watcher
PREFIX="[tsan] " RHIZOME=build-thread/rhizome $TSAN_RUN \
	tests/integration/test_terminal.sh \
	test_a_resize_redraws_the_bar_at_the_new_width 2>&1 | report

section "random faults over 7 environments (RELIABILITY 26), ASan/LSan and TSan builds"
RHIZOME=build-address/rhizome PREFIX="[asan] " \
	tests/integration/test_stress.sh 2>&1 | report
PREFIX="[tsan] " RHIZOME=build-thread/rhizome $TSAN_RUN \
	tests/integration/test_stress.sh 2>&1 | report

section "setup: private servers where no name resolves, setup failures that say why"
RHIZOME=build-address/rhizome tests/integration/test_setup.sh 2>&1 | report

section "bench tools (fault_proxy, report.sh)"
tests/integration/test_bench_tools.sh 2>&1 | report

section "examples (docs/examples: cron, systemd, GitHub Actions, pre-commit, Kubernetes)"
# no server, no binary: YAML parses (python3-yaml), systemd-analyze verify
# where it exists (SKIP otherwise, not counted), no secret in any file
tests/integration/test_examples.sh 2>&1 | report

section "the README's demo command"
tests/integration/test_demo.sh 2>&1 | report

passed=$(grep -c '^PASS ' "$RESULTS")
failed=$(grep -c '^FAIL ' "$RESULTS")
echo
grep '^FAIL ' "$RESULTS" | sed 's/^/  /'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
