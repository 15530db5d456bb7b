#!/usr/bin/env bash
# Integration tests of the interface (issue 15), against two private
# MariaDB servers started here: [fleet] defaults for environment keys,
# inherited and overridden, reaching real servers; the config found from a
# subfolder, --config DIR, and the error when none is found; global
# options anywhere, short forms, -h/-V, --env with folders and globs.
# Usage: test_cli.sh [test_name...] (default: all).
set -u
source "$(dirname "$0")/lib.sh"

# The fleet of it_config with what every environment shares moved into
# [fleet]: user, password-env, pool, connect-timeout and s1's socket. The
# na_prod environments keep host and port of their own, so they must not
# take the socket.
fleet_defaults_config() {
	it_config
	awk -v sock="$(mdb_sock s1)" '
		/^\[fleet\]$/ { print; print "user = rhizome"; print "password-env = RHIZOME_IT_PASSWORD"
			print "pool = 2"; print "connect-timeout = 3"; print "socket = " sock; next }
		/^(user|password-env|pool|connect-timeout) = / { next }
		/^socket = / { next }
		{ print }' "$T/rhizome.cnf" >"$T/cnf.new" && mv "$T/cnf.new" "$T/rhizome.cnf"
	grep -c '^user = ' "$T/rhizome.cnf" | grep -qx 1 || fail "config: $(cat "$T/rhizome.cnf")"
}

test_fleet_defaults_reach_the_servers_and_environments_override() {
	it_load_fleet && fleet_defaults_config
	rz sync schema
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js '.errors | length')" 0 "errors"
	assert_snapshots_match_server
	# an environment's own value wins: a wrong user in one section fails
	# that environment alone, by its own line
	awk '/^\[environment dev_billing_event\]$/ { print; print "user = nobody_here"; next } { print }' \
		"$T/rhizome.cnf" >"$T/cnf.new" && mv "$T/cnf.new" "$T/rhizome.cnf"
	rz sync schema
	assert_eq "$RC" 3 "one environment with a user of its own"
	assert_eq "$(js -r '[.errors[].env] | unique | join(" ")')" dev_billing_event "who failed"
	# sensitive = no cannot be a fleet default
	sed -i 's/^\[fleet\]$/[fleet]\nsensitive = no/' "$T/rhizome.cnf"
	rz sync schema
	assert_eq "$RC" 2 "sensitive = no in [fleet]"
	grep -qF "rhizome.cnf:2: key 'sensitive': sensitive = no is said in each environment's own section" \
		"$T/err.txt" || fail "message: $(cat "$T/err.txt")"
}

test_the_config_is_found_from_a_subfolder_and_as_a_folder() {
	it_load_fleet && it_config
	mkdir -p "$T/work/deeper" "$T/elsewhere/.git" "$T/elsewhere/sub"
	unset RHIZOME_CONFIG
	cd "$T/work/deeper" || fail "cd"
	rz sync schema --env dev_billing_event
	assert_eq "$RC" 0 "from a subfolder: $(cat "$T/err.txt")"
	assert_eq "$(js -c '.new | sort')" \
		'["../../snap/dev/expected_data/billing_event_event.sql","../../snap/dev/expected_data/billing_event_flyway_schema_history.sql"]' \
		"paths from where it ran"
	[ -f "$T/snap/dev/expected_data/billing_event_event.sql" ] || fail "written beside the config"
	cd "$T/elsewhere/sub" || fail "cd"
	rz --config "$T" --quiet sync check --env dev_billing_event
	assert_eq "$RC" 0 "--config DIR: $(cat "$T/err.txt")"
	RHIZOME_CONFIG="$T/" rz --quiet sync check --env dev_billing_event
	assert_eq "$RC" 0 "RHIZOME_CONFIG=DIR: $(cat "$T/err.txt")"
	# inside a repository without one: the search stops at its root
	rz status
	assert_eq "$RC" 2 "none found"
	assert_eq "$(cat "$T/err.txt")" \
		"rhizome: configuration error: no rhizome.cnf in the current directory or its parents up to $T/elsewhere (the repository root); give --config FILE (or DIR holding rhizome.cnf), or set RHIZOME_CONFIG" \
		"what was searched"
	# a file named but absent is that file's error
	rz --config "$T/nope.cnf" status
	assert_eq "$RC" 2 "missing file"
	grep -qF "$T/nope.cnf: cannot read the config file: No such file or directory" "$T/err.txt" ||
		fail "message: $(cat "$T/err.txt")"
}

# Global options stand anywhere on the line; short forms; -h and -V; a
# command's option on another command names both; --env takes a folder
# and globs, an environment's own name first.
test_options_anywhere_short_forms_and_env_folders() {
	it_load_fleet && it_config
	rz sync schema --quiet --env dev_billing_event
	assert_eq "$RC" 0 "--quiet after the command: $(cat "$T/err.txt")"
	[ -s "$T/err.txt" ] && fail "--quiet after the command was not quiet: $(cat "$T/err.txt")"
	rz sync schema -q -c "$T/rhizome.cnf" -w 2 -e demo_billing_event
	assert_eq "$RC" 0 "short forms: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.new[]] | length')" 2 "one environment's files"
	rz --quiet status --log-format json
	jq -e -s 'length > 0 and all(.[]; .log_version == 2)' "$T/err.txt" >/dev/null ||
		fail "--log-format after the command: $(cat "$T/err.txt")"
	rz -V
	assert_eq "$RC" 0 "-V"
	grep -qx 'rhizome [0-9][0-9.]*' "$T/out.json" || fail "-V: $(cat "$T/out.json")"
	rz sync schema -V
	grep -qx 'rhizome [0-9][0-9.]*' "$T/out.json" || fail "-V after the command"
	rz -h
	assert_eq "$RC" 0 "-h"
	grep -q '^usage: rhizome' "$T/out.json" || fail "-h: $(cat "$T/out.json")"
	rz sync data -h
	grep -q -- '--rows' "$T/out.json" || fail "sync data -h: $(cat "$T/out.json")"
	# a folder: all its environments; a glob; the name first
	rz --quiet status --env na_prod --format json
	assert_eq "$(js -r '[.environments[].env] | join(" ")')" \
		"na_prod_billing na_prod_billing_bookkeeper na_prod_billing_event" "folder na_prod"
	rz --quiet status --env 'demo_*' --env dev_billing_event --format json
	assert_eq "$(js -r '[.environments[].env] | join(" ")')" \
		"demo_billing_bookkeeper demo_billing_event dev_billing_event" "a glob, then a name"
	# an environment named as a folder is that environment alone
	sed -i 's/^\[environment dev_billing_event\]$/[environment demo]/' "$T/rhizome.cnf"
	rz --quiet status --env demo --format json
	assert_eq "$(js -r '[.environments[].env] | join(" ")')" demo "the name wins over the folder"
	rz --quiet status --env 'nothing_*'
	assert_eq "$RC" 2 "a glob matching nothing"
	grep -qF -- "--env nothing_*: the glob matches no environment" "$T/err.txt" || fail "$(cat "$T/err.txt")"
}

# The line per environment names the classes that happened, and they add
# up to its tables: data says empty, never trivial.
test_the_line_per_environment_adds_up() {
	it_load_fleet && it_config
	rz sync data --env dev_billing_bookkeeper
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	line=$(grep '^rhizome: dev_billing_bookkeeper: [0-9]* tables in' "$T/err.txt") ||
		fail "no line: $(cat "$T/err.txt")"
	case $line in *trivial*) fail "data says trivial: $line" ;; esac
	total=$(printf '%s\n' "$line" | sed 's/^[^:]*: [^:]*: \([0-9]*\) tables.*/\1/')
	sum=$(printf '%s\n' "$line" | sed 's/^.* s: //' | tr ',' '\n' | awk '{ s += $1 } END { print s }')
	assert_eq "$sum" "$total" "counts add up: $line"
	assert_eq "$total" "$(js '[.new[], .empty[], .missing[], .errors[]] | length')" "as the summary: $line"
}

# --progress: each choice does what it says, whatever stderr is; a wrong
# one is named with the choices.
test_progress_choices() {
	it_load_fleet && it_config
	rz sync schema --dry-run --progress sideways
	assert_eq "$RC" 2 "a wrong choice"
	grep -qF -- "--progress is auto, bar, lines or none, not 'sideways'" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	rz --progress none sync schema --dry-run
	assert_eq "$RC" 0 "none: $(cat "$T/err.txt")"
	[ -s "$T/err.txt" ] && fail "none: stderr has: $(cat "$T/err.txt")"
	rz sync schema --dry-run --progress lines
	assert_eq "$(grep -c '^rhizome: [a-z_]*: [0-9]* tables in' "$T/err.txt")" 7 "lines: $(cat "$T/err.txt")"
	grep -q $'\r' "$T/err.txt" && fail "lines: a bar in a log"
	COLUMNS=70 rz sync schema --dry-run --progress bar
	grep -q $'\r\e\\[K\\[[#.]*\\] *[0-9]*/[0-9]* tables' "$T/err.txt" || fail "bar: no frame: $(cat -v "$T/err.txt")"
	tr '\r' '\n' <"$T/err.txt" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | awk 'length($0) > 69 { bad = 1; print } END { exit bad }' ||
		fail "bar: wider than \$COLUMNS"
	assert_eq "$(js .command)" schema "the summary is JSON on a pipe"
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
it_start_servers >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
it_run $TESTS
