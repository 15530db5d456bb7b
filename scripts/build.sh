#!/bin/bash
# Build with make, quietly, and when it fails say why.
#
#   scripts/build.sh [MAKE-ARGS...]     e.g. scripts/build.sh SANITIZER=address all unit
#
# make's output goes to a log. On success nothing is printed. On failure
# the first error (a compiler error, a missing header or library, make's
# own "***" line) is shown with the lines around it, since that is where the
# cause is, then the last lines, and the log is kept: its path is printed.
# Exit status: make's.
set -uo pipefail

cd "$(dirname "$0")/.."
log=$(mktemp "${TMPDIR:-/tmp}/rhizome-build.XXXXXX") || exit 1
rc=0
make -j2 "$@" >"$log" 2>&1 || rc=$?
if [ $rc -eq 0 ]; then
	rm -f "$log"
	exit 0
fi

echo "build.sh: make $(printf '%q ' "$@")failed (exit $rc)" >&2
# The first line that names an error. gcc's "error:" and "fatal error:",
# the linker's "undefined reference" and "cannot find -l", make's "***".
first=$(grep -n -m1 -E '(^|: )(fatal )?error:|undefined reference|cannot find -l|\*\*\*' "$log" | cut -d: -f1)
if [ -n "$first" ]; then
	from=$((first > 2 ? first - 2 : 1))
	echo "  first error (line $first of the log):" >&2
	sed -n "${from},$((first + 6))p" "$log" | sed 's/^/    /' >&2
fi
if [ "$(wc -l <"$log")" -gt $((first + 6)) ]; then
	echo "  last lines:" >&2
	tail -n 8 "$log" | sed 's/^/    /' >&2
fi
echo "  full log: $log" >&2
exit $rc
