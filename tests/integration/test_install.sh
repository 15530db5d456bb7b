#!/usr/bin/env bash
# make install (issue 15): binary, man page and bash completion under
# DESTDIR/PREFIX; the man page renders and names every command, config key
# and exit status; the completion completes commands, options and --env.
# No server needed. Usage: test_install.sh [test_name...] (default: all).
# $BUILD: the build folder whose binary is installed (default build).
set -u
IT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}

fail() { echo "    FAILED: $*" >&2; exit 1; }
assert_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }

installed() { # DEST: make install into it
	make -s -C "$IT_ROOT" BUILD="$BUILD" install DESTDIR="$1" PREFIX=/usr >"$T/make.out" 2>&1 ||
		fail "make install: $(cat "$T/make.out")"
}

test_make_install_puts_binary_man_page_and_completion_under_destdir() {
	installed "$T/dest"
	[ -x "$T/dest/usr/bin/rhizome" ] || fail "no binary"
	"$T/dest/usr/bin/rhizome" -V | grep -qx 'rhizome [0-9][0-9.]*' || fail "binary does not run"
	[ -f "$T/dest/usr/share/man/man1/rhizome.1" ] || fail "no man page"
	[ -f "$T/dest/usr/share/bash-completion/completions/rhizome" ] || fail "no completion"
	# nothing outside DESTDIR/PREFIX
	assert_eq "$(cd "$T/dest" && find . -type f | sort | tr '\n' ' ')" \
		"./usr/bin/rhizome ./usr/share/bash-completion/completions/rhizome ./usr/share/man/man1/rhizome.1 " \
		"files installed"
	make -s -C "$IT_ROOT" BUILD="$BUILD" uninstall DESTDIR="$T/dest" PREFIX=/usr >/dev/null 2>&1
	assert_eq "$(find "$T/dest" -type f | wc -l)" 0 "uninstall"
}

test_the_man_page_renders_and_names_every_command_key_and_exit_status() {
	installed "$T/dest"
	local page=$T/dest/usr/share/man/man1/rhizome.1 text word missing=""
	text=$(MANWIDTH=100 man -l "$page" 2>"$T/man.err") || fail "man -l: $(cat "$T/man.err")"
	[ -s "$T/man.err" ] && fail "man warns: $(cat "$T/man.err")"
	printf '%s\n' "$text" | grep -q '^NAME' || fail "not rendered: $text"
	# groff's own warnings
	groff -man -ww -z "$page" 2>"$T/groff.err"
	[ -s "$T/groff.err" ] && fail "groff: $(cat "$T/groff.err")"
	# every command of the help texts
	for word in "sync schema" "sync data" "sync report" "sync check" "sync diff" \
		"sync versions" status "history list" "history show" "history restore" \
		"history prune" verify tables "gen models"; do
		printf '%s\n' "$text" | grep -q "^       $word" || missing="$missing [$word]"
	done
	# every config key, as the config's own error lists them
	printf '[fleet]\nno-such-key = 1\n' >"$T/keys.cnf"
	"$T/dest/usr/bin/rhizome" --config "$T/keys.cnf" status 2>"$T/keys.err"
	keys=$(sed -n 's/.*(known: \(.*\))$/\1/p' "$T/keys.err" | sed 's/and as defaults for every environment://' | tr ',' '\n' | tr -d ' ')
	[ "$(printf '%s\n' "$keys" | wc -l)" -gt 20 ] || fail "keys not read: $(cat "$T/keys.err")"
	for word in $keys tables exclude key-env; do
		printf '%s\n' "$text" | grep -qw -- "$word" || missing="$missing [$word]"
	done
	for word in 0 1 2 3 4 5 130 143; do
		printf '%s\n' "$text" | sed -n '/^EXIT STATUS/,/^ENVIRONMENT/p' | grep -qw -- "$word" ||
			missing="$missing [exit $word]"
	done
	[ -z "$missing" ] || fail "the man page lacks:$missing"
}

test_the_completion_completes_commands_options_and_environments() {
	installed "$T/dest"
	printf '[tables db]\ntables = t\n[environment dev_a]\nfolder = dev\ndatabase = db\nsocket = /s\n[environment prod_a]\nfolder = prod\ndatabase = db\nsocket = /s\n' >"$T/rhizome.cnf"
	complete_line() { # WORDS...: the candidates for the last word
		bash -c '
			source "$1"; shift
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
			_rhizome; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
			_ "$T/dest/usr/share/bash-completion/completions/rhizome" "$@"
	}
	cd "$T" || fail cd
	assert_eq "$(complete_line rhizome sy)" "sync " "a command"
	assert_eq "$(complete_line rhizome sync ch)" "check " "a sync command"
	assert_eq "$(complete_line rhizome sync data --ro)" "--rows " "an option of the command"
	assert_eq "$(complete_line rhizome sync schema --e)" "--env " "--env"
	assert_eq "$(complete_line rhizome sync schema --env '')" "dev dev_a prod prod_a " "environments and folders"
	assert_eq "$(complete_line rhizome --config "$T/rhizome.cnf" status --env pr)" "prod prod_a " "with --config"
	assert_eq "$(complete_line rhizome --log-format '')" "json text " "a value"
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
for t in $TESTS; do
	T=$(mktemp -d /tmp/rhizome-install.XXXXXX)
	if (cd "$T" && $t) >"$T.log" 2>&1; then
		echo "PASS ${PREFIX:-}$t"
	else
		echo "FAIL ${PREFIX:-}$t"
		sed 's/^/    /' "$T.log"
	fi
	rm -rf "$T" "$T.log"
done
