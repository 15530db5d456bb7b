#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# bulk.sh: rhizome's bulk export and load against mydumper and myloader,
# on the same rows, side by side in one run. `make bench` runs it after
# bench.sh; `bench/bulk.sh` alone runs only this.
#
# One private MariaDB server (loopback, no proxy: this measures the tools,
# not a network) holds schema bulk_src:
#   ledger  BULK_ROWS rows (1,000,000), an INT key: text with non-ASCII,
#           DECIMAL, DATETIME(3), bytes, NULLs
#   line    BULK_ROWS / 4 rows, a composite (VARCHAR, INT) key
# For each of RUNS rounds (3), interleaved so the machine's drift hits
# every tool alike, with THREADS threads each (4, the default of both):
#   rhizome-export   rhizome sync data --all (zstd JSON lines, chunks of
#                    10,000 rows)
#   mydumper         mydumper --rows 10000 --no-locks, uncompressed SQL
#   mydumper-gzip    the same with --compress (its only compression)
#   rhizome-load     rhizome load --bulk of rhizome's export into a fresh
#                    schema (staged, renamed in, keys checked)
#   myloader         myloader of mydumper's uncompressed dump into a fresh
#                    schema
# Every run is checked: an export's row count, a load's CHECKSUM TABLE
# against the source's. The medians go to RESULTS/bulk.csv and bulk.md,
# with rows/s and each rhizome figure's ratio to its peer.
#
# Environment: BULK_ROWS (1000000), RUNS (3), QUICK=1 (200000 rows, one
# run), THREADS (4), RHIZOME
# (build/rhizome), RESULTS (bench/results), OUT_ROOT (where dumps go:
# /dev/shm when it is a tmpfs, so the disk's speed is not what is
# measured). The password reaches the server on stdin and the clients
# through the environment or a 0600 defaults file: never a command line.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "${QUICK:-}" = 1 ]; then
	BULK_ROWS=${BULK_ROWS:-200000}
	RUNS=${RUNS:-1}
fi
BULK_ROWS=${BULK_ROWS:-1000000}
RUNS=${RUNS:-3}
THREADS=${THREADS:-4}
RHIZOME=${RHIZOME:-$ROOT/build/rhizome}
RESULTS=${RESULTS:-$ROOT/bench/results}

die() { echo "bulk.sh: $*" >&2; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit; print v[int((NR + 1) / 2)] }'; }

for c in mydumper myloader zstdcat; do
	command -v "$c" >/dev/null || die "$c is not installed (scripts/deps.sh --for bench installs it)"
done
[ -x "$RHIZOME" ] || die "no rhizome at $RHIZOME (make first)"

# shellcheck source=../tests/lib/mariadb.sh
source "$ROOT/tests/lib/mariadb.sh"
WORK=$(mktemp -d /tmp/rhizome-bulk.XXXXXX)
if [ -z "${OUT_ROOT:-}" ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
	[ -w /dev/shm ]; then
	OUT=$(mktemp -d /dev/shm/rhizome-bulk.XXXXXX)
else
	OUT=$(mktemp -d "${OUT_ROOT:-$WORK}/rhizome-bulk.XXXXXX") || die "cannot write in OUT_ROOT"
fi
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() { mdb_stop_all; rm -rf "$WORK" "$OUT"; }
trap 'exit 130' INT
trap 'exit 143' TERM
mdb_start bulkbench >/dev/null || die "cannot start the MariaDB server"
trap cleanup EXIT
mkdir -p "$RESULTS" || die "cannot create $RESULTS"

RHIZOME_BENCH_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
export RHIZOME_BENCH_PASSWORD
pw_sql=$(printf '%s' "$RHIZOME_BENCH_PASSWORD" | sed "s/[\\\\']/\\\\&/g")
printf "CREATE USER 'bench'@'localhost' IDENTIFIED BY '%s';
GRANT ALL ON *.* TO 'bench'@'localhost';\n" "$pw_sql" | mdb_sql bulkbench ||
	die "creating the bench user failed"
unset pw_sql
MYCNF=$WORK/client.cnf
(umask 077; printf '[client]\nuser=bench\npassword=%s\nsocket=%s\n' \
	"$RHIZOME_BENCH_PASSWORD" "$(mdb_sock bulkbench)" >"$MYCNF")

echo "bulk: $BULK_ROWS + $((BULK_ROWS / 4)) rows, $THREADS threads, $RUNS runs; dumps in $OUT"
mdb_sql bulkbench --default-character-set=utf8mb4 <<SQL || die "loading the rows failed"
CREATE DATABASE bulk_src;
USE bulk_src;
CREATE TABLE ledger (id INT UNSIGNED NOT NULL PRIMARY KEY,
  name VARCHAR(64) NOT NULL, amount DECIMAL(14,4), at DATETIME(3),
  payload VARBINARY(64), note TEXT) ENGINE=InnoDB;
INSERT INTO ledger SELECT seq, CONCAT('name ', seq, ' é'), seq / 7,
  '2026-01-01' + INTERVAL seq SECOND, UNHEX(SHA1(seq)),
  IF(seq % 3 = 0, NULL, REPEAT('x', seq % 40)) FROM seq_1_to_$BULK_ROWS;
CREATE TABLE line (g VARCHAR(16) NOT NULL, n INT NOT NULL, v INT,
  PRIMARY KEY (g, n)) ENGINE=InnoDB;
INSERT INTO line SELECT CONCAT('g', seq % 37), seq, seq * 2 FROM seq_1_to_$((BULK_ROWS / 4));
SQL
TOTAL=$((BULK_ROWS + BULK_ROWS / 4))
SUMS=$(mdb_sql bulkbench -N -e "CHECKSUM TABLE bulk_src.ledger, bulk_src.line" | cut -f2 | tr '\n' ' ')

cat >"$WORK/rhizome.cnf" <<EOF
[fleet]
out = $OUT/rz

[tables bulk]
tables = ledger line

[environment src]
folder = src
database = bulk
schema = bulk_src
socket = $(mdb_sock bulkbench)
user = bench
password-env = RHIZOME_BENCH_PASSWORD
pool = $THREADS
mask = none

[environment copy]
folder = copy
database = bulk
schema = bulk_copy
socket = $(mdb_sock bulkbench)
user = bench
password-env = RHIZOME_BENCH_PASSWORD
pool = $THREADS
scratch = yes
EOF

# One timed run of TOOL: its milliseconds on stdout, or nothing when it
# failed (said on stderr).
run() { # TOOL
	local t0 t1 rc=0 got
	case $1 in
	rhizome-export) rm -rf "$OUT/rz" ;;
	mydumper) rm -rf "$OUT/md" ;;
	mydumper-gzip) rm -rf "$OUT/mdz" ;;
	rhizome-load) mdb_sql bulkbench -e "DROP DATABASE IF EXISTS bulk_copy" ;;
	myloader) mdb_sql bulkbench -e "DROP DATABASE IF EXISTS bulk_myl" ;;
	esac
	t0=$(now_ms)
	case $1 in
	rhizome-export)
		"$RHIZOME" --quiet --config "$WORK/rhizome.cnf" --workers "$THREADS" \
			sync data --all --env src --format json >"$WORK/export.json" 2>"$WORK/err" || rc=$? ;;
	mydumper)
		mydumper --defaults-file="$MYCNF" --threads "$THREADS" --rows 10000 --no-locks \
			--database bulk_src --outputdir "$OUT/md" 2>"$WORK/err" || rc=$? ;;
	mydumper-gzip)
		mydumper --defaults-file="$MYCNF" --threads "$THREADS" --rows 10000 --no-locks \
			--compress --database bulk_src --outputdir "$OUT/mdz" 2>"$WORK/err" || rc=$? ;;
	rhizome-load)
		"$RHIZOME" --quiet --config "$WORK/rhizome.cnf" --workers "$THREADS" \
			load --env src --into copy --bulk --format json >"$WORK/load.json" 2>"$WORK/err" || rc=$? ;;
	myloader)
		myloader --defaults-file="$MYCNF" --threads "$THREADS" --directory "$OUT/md" \
			--database bulk_myl 2>"$WORK/err" || rc=$? ;;
	esac
	t1=$(now_ms)
	if [ "$rc" != 0 ]; then
		echo "bulk.sh: $1 failed (exit $rc): $(head -c 400 "$WORK/err")" >&2
		return
	fi
	case $1 in
	rhizome-export)
		got=$(cat "$OUT"/rz/.bulk/src/*/*.zst | zstdcat | wc -l) ;;
	mydumper | mydumper-gzip)
		got=$TOTAL ;; # its files are checked by the load that reads them
	rhizome-load)
		got=$(mdb_sql bulkbench -N -e "CHECKSUM TABLE bulk_copy.ledger, bulk_copy.line" | cut -f2 | tr '\n' ' ')
		[ "$got" = "$SUMS" ] || { echo "bulk.sh: rhizome-load: CHECKSUM TABLE $got, want $SUMS" >&2; return; }
		got=$TOTAL ;;
	myloader)
		got=$(mdb_sql bulkbench -N -e "CHECKSUM TABLE bulk_myl.ledger, bulk_myl.line" | cut -f2 | tr '\n' ' ')
		[ "$got" = "$SUMS" ] || { echo "bulk.sh: myloader: CHECKSUM TABLE $got, want $SUMS" >&2; return; }
		got=$TOTAL ;;
	esac
	[ "$got" = "$TOTAL" ] || { echo "bulk.sh: $1: $got rows, want $TOTAL" >&2; return; }
	echo $((t1 - t0))
}

TOOLS="rhizome-export mydumper mydumper-gzip rhizome-load myloader"
declare -A MS
for r in $(seq "$RUNS"); do
	for t in $TOOLS; do
		ms=$(run "$t")
		[ -n "$ms" ] && MS[$t]="${MS[$t]:-} $ms"
		printf '  run %s %-15s %s ms\n' "$r" "$t" "${ms:-failed}"
	done
done

CSV=$RESULTS/bulk.csv
MD=$RESULTS/bulk.md
echo "tool,rows,threads,runs,median_ms,rows_per_s" >"$CSV"
declare -A MED RATE
for t in $TOOLS; do
	MED[$t]=$(printf '%s\n' ${MS[$t]:-} | median)
	[ -n "${MED[$t]}" ] || continue
	RATE[$t]=$(awk -v n="$TOTAL" -v ms="${MED[$t]}" 'BEGIN { printf "%.0f", n * 1000 / ms }')
	echo "$t,$TOTAL,$THREADS,$(printf '%s\n' ${MS[$t]} | wc -l),${MED[$t]},${RATE[$t]}" >>"$CSV"
done
ratio() { # A B: rate of A over rate of B
	[ -n "${RATE[$1]:-}" ] && [ -n "${RATE[$2]:-}" ] || { echo "-"; return; }
	awk -v a="${RATE[$1]}" -v b="${RATE[$2]}" 'BEGIN { printf "%.2fx", a / b }'
}
{
	echo "# Bulk export and load: rhizome against mydumper and myloader"
	echo
	echo "$TOTAL rows ($BULK_ROWS with an INT key, $((BULK_ROWS / 4)) with a (VARCHAR, INT) key),"
	echo "$THREADS threads each, median of $RUNS interleaved runs, one loopback server; written by bench/bulk.sh."
	echo
	echo "| tool | median | rows/s | rhizome vs it |"
	echo "|---|---:|---:|---:|"
	for t in $TOOLS; do
		[ -n "${MED[$t]:-}" ] || { echo "| $t | failed | | |"; continue; }
		case $t in
		mydumper | mydumper-gzip) vs=$(ratio rhizome-export "$t") ;;
		myloader) vs=$(ratio rhizome-load myloader) ;;
		*) vs="" ;;
		esac
		printf '| %s | %.2f s | %s | %s |\n' "$t" "$(awk -v m="${MED[$t]}" 'BEGIN { print m / 1000 }')" \
			"${RATE[$t]}" "$vs"
	done
	echo
	echo "rhizome's export is zstd-compressed JSON lines with a manifest of digests; mydumper's is"
	echo "SQL, uncompressed or gzip. rhizome's load stages every table, renames them in at once"
	echo "and checks the foreign keys; myloader inserts into the final tables."
} >"$MD"
echo
cat "$MD"
