#!/usr/bin/env bash
# What a person sees in a real terminal (issue 15): tmux, at 40, 80 and
# 200 columns, against two private MariaDB servers started here.
#  - the progress bar: every frame within the width, elapsed, rate,
#    estimate and environments done, a resize (SIGWINCH) honoured, nothing
#    wrapped or left behind;
#  - sync schema/data/check: a text summary on a terminal, JSON piped,
#    --format either way;
#  - sync report: no line wider than the terminal and every row's cells at
#    the header's columns, measured with tmux's own cursor.
# Usage: test_terminal.sh [test_name...] (default: all).
set -u
source "$(dirname "$0")/lib.sh"
source "$IT_ROOT/tests/lib/tmux.sh"
PY=/usr/bin/python3

command -v tmux >/dev/null || { echo "FAIL ${PREFIX:-}tmux_missing (scripts/deps.sh --for test installs it)"; exit 1; }

# The bar frames of a recording (the bytes a pane was sent) from byte
# FROM on: each piece between carriage returns and newlines that starts
# with the bar's '[', its escape sequences taken out, one per line.
frames() { # FILE [FROM]
	tail -c +"$((${2:-0} + 1))" "$1" | tr '\r' '\n' |
		sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep '^\[[#.]*\] '
}

# Nothing the screen shows took two rows: what tmux wrapped, -J joins.
assert_nothing_wrapped() { # WHAT
	local rows joined
	rows=$(tmux_rows | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' | wc -l)
	joined=$(tmux_screen | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' | wc -l)
	[ "$rows" = "$joined" ] || {
		tmux_screen | awk '{ print length($0) ": " $0 }' >&2
		fail "$1: a line wider than the terminal ($rows rows for $joined lines)"
	}
}

# tmux_run, then no sanitizer report on the screen.
run_in_pane() {
	tmux_run "$@" || fail "in the pane: $*"
	if tmux_screen | grep -qE 'Sanitizer|runtime error:'; then
		tmux_screen >&2
		fail "sanitizer report in the pane"
	fi
}

# A run slow enough to watch: one worker, na_prod 150 ms away each way.
slow_fleet() {
	it_load_fleet && it_config && it_slow_na_prod 150
}

test_the_progress_bar_fits_40_80_and_200_columns() {
	slow_fleet
	for w in 40 80 200; do
		tmux_open "$w" 30
		run_in_pane --record "$T/rec.$w" "'$RHIZOME' --config '$T/rhizome.cnf' --workers 1 sync schema --dry-run >'$T/out.$w'"
		frames "$T/rec.$w" >"$T/frames.$w"
		[ -s "$T/frames.$w" ] || fail "$w columns: no bar drawn: $(cat -v "$T/rec.$w" | head -c 600)"
		awk -v w="$w" 'length($0) > w - 1 { print "frame of " length($0) " columns at " w ": " $0; bad = 1 }
			END { exit bad }' "$T/frames.$w" >&2 || fail "$w columns: a frame too wide"
		# what a frame says, when there is room for it
		grep -qE ', +[0-9.:]+s(,|$)' "$T/frames.$w" || [ "$w" -lt 60 ] || fail "$w columns: no elapsed time: $(tail -3 "$T/frames.$w")"
		grep -q 'ETA *[0-9]' "$T/frames.$w" || fail "$w columns: no estimate: $(tail -3 "$T/frames.$w")"
		grep -qE '[0-9]/7 envs' "$T/frames.$w" || fail "$w columns: no environments done: $(tail -3 "$T/frames.$w")"
		[ "$w" -lt 80 ] || grep -qE '[0-9]+ tables/s' "$T/frames.$w" || fail "$w columns: no rate: $(tail -3 "$T/frames.$w")"
		assert_nothing_wrapped "$w columns"
		tmux_screen | grep -q '^\[[#.]*\]' && fail "$w columns: a bar left on the screen: $(tmux_screen)"
		# every environment's line, whole
		assert_eq "$(tmux_screen | grep -c '^rhizome: [a-z_]*: ')" 7 "$w columns: environment lines: $(tmux_screen)"
	done
	return 0
}

test_a_resize_redraws_the_bar_at_the_new_width() {
	slow_fleet
	tmux_open 100 30
	tmux_start --record "$T/rec" "'$RHIZOME' --config '$T/rhizome.cnf' --workers 1 sync schema --dry-run >'$T/out.json'"
	for _ in $(seq 100); do
		frames "$T/rec" | grep -q 'ETA' && break
		sleep 0.05
	done
	frames "$T/rec" | grep -q 'ETA' || fail "no bar before the resize: $(cat -v "$T/rec")"
	at=$(stat -c %s "$T/rec")
	tmux_resize 40
	tmux_wait || fail "the run did not end"
	# the first redraw after the resize clears to the end of the screen
	rest=$(tail -c +"$((at + 1))" "$T/rec" | grep -boa $'\x1b\\[J' | head -1 | cut -d: -f1)
	[ -n "$rest" ] || fail "no redraw after SIGWINCH: $(tail -c +"$((at + 1))" "$T/rec" | cat -v)"
	frames "$T/rec" "$((at + rest))" >"$T/after"
	[ -s "$T/after" ] || fail "no frame after the resize"
	awk 'length($0) > 39 { print "frame of " length($0) " columns at 40: " $0; bad = 1 } END { exit bad }' \
		"$T/after" >&2 || fail "a frame wider than the resized terminal"
	tmux_screen | grep -q '^\[[#.]*\]' && fail "a bar left on the screen: $(tmux_screen)"
	return 0
}

test_a_text_summary_on_a_terminal_and_json_when_piped() {
	it_load_fleet && it_config
	tmux_open 80 50
	run_in_pane "'$RHIZOME' --config '$T/rhizome.cnf' sync schema"
	tmux_screen >"$T/screen"
	grep -q '^sync schema: [0-9.]* s, [0-9]* round trips$' "$T/screen" || fail "no text summary: $(cat "$T/screen")"
	grep -q '^  [0-9]* table(s): [0-9]* new' "$T/screen" || fail "no counts: $(cat "$T/screen")"
	grep -q '^Written, new ([0-9]*):$' "$T/screen" || fail "no new files: $(cat "$T/screen")"
	grep -q '^Missing, not on the server and no snapshot (1):$' "$T/screen" || fail "no missing table: $(cat "$T/screen")"
	grep -q '"command"' "$T/screen" && fail "JSON on a terminal: $(cat "$T/screen")"
	assert_nothing_wrapped "the summary"
	# piped: SPEC's JSON, even on a terminal's stderr
	run_in_pane "'$RHIZOME' --config '$T/rhizome.cnf' sync schema | cat >'$T/piped'"
	assert_eq "$(jq -r .command "$T/piped")" schema "piped: JSON"
	assert_eq "$(jq -r .unchanged_count "$T/piped")" "$(jq -r '.unchanged | length' "$T/piped")" "piped: the full lists"
	# --format wins either way
	run_in_pane "'$RHIZOME' --config '$T/rhizome.cnf' sync schema --format json"
	tmux_screen | grep -q '"command": "schema"' || fail "--format json on a terminal: $(tmux_screen)"
	rz --config "$T/rhizome.cnf" --quiet sync check --format text
	assert_eq "$RC" 0 "check: $(cat "$T/err.txt")"
	grep -q '^No drift: every snapshot matches its server.$' "$T/out.json" || fail "--format text piped: $(cat "$T/out.json")"
	# drift, narrow: what changed, within 40 columns
	mdb_sql s2 -e 'ALTER TABLE na_prod_billing.invoice ADD COLUMN note_for_the_terminal_test varchar(20) NULL'
	tmux_open 40 50
	run_in_pane "'$RHIZOME' --config '$T/rhizome.cnf' --quiet sync check"
	tmux_screen >"$T/screen"
	grep -q '^Drifted (1)' "$T/screen" || fail "no drift: $(cat "$T/screen")"
	grep -q '+ column added' "$T/screen" || fail "no change: $(cat "$T/screen")"
	assert_nothing_wrapped "check at 40 columns"
}

# The cells of every distinct character of FILE beyond ASCII, as tmux
# draws each (after an X), as "U+XXXX N" lines.
measure_glyphs() { # FILE
	local cp ch n
	$PY -c 'import sys
seen = sorted({c for c in open(sys.argv[1], encoding="utf-8").read() if ord(c) > 127})
print("\n".join("U+%04X %s" % (ord(c), c) for c in seen))' "$1" |
		while read -r cp ch; do
			n=$(tmux_cells "$ch") || return 1
			echo "$cp $n"
		done
}

# Every matrix row's cells start at the header's columns, counted in cells
# with tmux's widths (from measure_glyphs).
check_alignment() { # REPORT GLYPHS
	$PY - "$1" "$2" <<'PY'
import re, sys
widths = {}
for line in open(sys.argv[2]):
    cp, n = line.split()
    widths[int(cp[2:], 16)] = int(n)
def cells(s):
    return sum(widths.get(ord(c), 1) if ord(c) > 127 else 1 for c in s)
def starts(line):
    # a cell is a run without spaces; its start counted in cells
    return [cells(line[:m.start()]) for m in re.finditer(r"\S+", line)]
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
bad, blocks, i = 0, 0, 0
while i < len(lines):
    head = lines[i]
    if head.startswith(("Legend", "Summary", "Next", "Unlisted")):
        break
    if not head or head.startswith(" ") or head.startswith("("):
        i += 1
        continue
    cols = starts(head)[1:]
    blocks += 1
    i += 1
    while i < len(lines) and lines[i].startswith("  "):
        got = starts(lines[i])[-len(cols):]
        if got != cols:
            print("row %r: cells at %s, header %r at %s" % (lines[i], got, head, cols))
            bad = 1
        i += 1
if blocks == 0:
    print("no matrix found")
    bad = 1
sys.exit(bad)
PY
}

test_the_report_is_aligned_at_40_80_and_200_columns() {
	it_load_fleet && it_config
	# a server's name that would drive the terminal: shown escaped
	mdb_sql s1 -e "CREATE TABLE dev_billing_event.\`ev$(printf '\033')[31mil\` (id int)"
	rz sync schema
	assert_eq "$RC" 0 "schema: $(cat "$T/err.txt")"
	rz sync schema --format text
	grep -qF 'dev_billing_event: ev\x1b[31mil' "$T/out.json" || fail "summary: unlisted escaped: $(cat -v "$T/out.json")"
	grep -q $'\e' "$T/out.json" && fail "summary: an escape reached the terminal: $(cat -v "$T/out.json")"
	COLUMNS=80 rz sync report
	grep -qF 'dev_billing_event: ev\x1b[31mil' "$T/out.json" || fail "report: unlisted escaped: $(cat -v "$T/out.json")"
	grep -q $'\e' "$T/out.json" && fail "report: an escape reached the terminal: $(cat -v "$T/out.json")"
	# every environment wants its data: one command for them all
	COLUMNS=100 rz --config rhizome.cnf sync report
	grep -qx '  rhizome --config rhizome.cnf sync data # [0-9]* tables ready for data, in 7 environments' "$T/out.json" ||
		fail "one command for the fleet: $(cat "$T/out.json")"
	rz sync data --env dev_billing_bookkeeper --env dev_billing_event
	assert_eq "$RC" 0 "data: $(cat "$T/err.txt")"
	for w in 40 80 200; do
		tmux_open "$w" 80
		run_in_pane "cd '$T' && '$RHIZOME' --config rhizome.cnf sync report"
		tmux_screen >"$T/report.$w"
		grep -q '✅' "$T/report.$w" || fail "$w columns: no complete pair: $(cat "$T/report.$w")"
		grep -q '⚠' "$T/report.$w" || fail "$w columns: no pair ready for data: $(cat "$T/report.$w")"
		grep -q '❌' "$T/report.$w" || fail "$w columns: no missing pair: $(cat "$T/report.$w")"
		assert_nothing_wrapped "report at $w columns"
		# recommendations to paste: with the --config given
		grep -A3 '^Next:' "$T/report.$w" | grep -q -- '--config rhizome.cnf' ||
			fail "$w columns: recommendations without --config: $(cat "$T/report.$w")"
		[ "$w" -lt 80 ] || {
			measure_glyphs "$T/report.$w" >"$T/glyphs" || fail "cannot measure the icons in tmux"
			check_alignment "$T/report.$w" "$T/glyphs" >&2 ||
				fail "$w columns: rows not aligned (widths: $(tr '\n' ' ' <"$T/glyphs"))"
		}
	done
	return 0
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
it_start_servers >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
it_run $TESTS
