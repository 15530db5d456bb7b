#!/bin/sh
# A plain git pre-commit hook (no pre-commit tool needed):
#   install -m 0755 docs/examples/git-pre-commit.sh .git/hooks/pre-commit
#
# When the commit touches the snapshot root, `rhizome verify` (files only, no
# server, no credentials) must be clean: every .sql parses and renders back,
# every .json keeps the types contract, no snapshot was edited by hand since
# the last run here wrote it. verify reads the work tree, not the index: stage
# what you check. RHIZOME_CHECK=1 also runs `rhizome sync check` (contacts
# the servers with rhizome.cnf's option-file or password-env credentials) and
# refuses the commit when the live fleet drifted from the snapshots.
# `git commit --no-verify` skips the hook.
set -u
snapshots=${RHIZOME_SNAPSHOTS:-environments}
rhizome=${RHIZOME:-rhizome}

git diff --cached --quiet -- "$snapshots" && exit 0

if ! "$rhizome" verify; then
	echo "pre-commit: rhizome verify found damaged or hand-edited snapshots (above);" \
		"refresh them with 'rhizome sync schema' / 'sync data' instead of editing" >&2
	exit 1
fi
if [ "${RHIZOME_CHECK:-0}" = 1 ]; then
	rc=0
	"$rhizome" --quiet sync check >/dev/null || rc=$?
	case $rc in
	0) ;;
	1)
		echo "pre-commit: the live fleet drifted from the snapshots; 'rhizome sync diff' shows how" >&2
		exit 1
		;;
	*)
		echo "pre-commit: rhizome sync check could not tell (exit $rc)" >&2
		exit 1
		;;
	esac
fi
exit 0
