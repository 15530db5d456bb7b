#!/usr/bin/env bash
# sync data --all, the bulk export, and load --bulk, on a server of their
# own (`bulk`): every row of keyed tables (an integer key cut into parts, a
# composite text key), of a table without a key (one pass), chunked, with
# a manifest whose digests hold; peak memory at 1,000,000 rows within 1.5
# times that at 100,000 (the optimized build, $PLAIN: ASan's own memory
# would be what is measured); SIGTERM and SIGKILL mid-export, then
# --resume, give the chunks and digests of an export never interrupted;
# a chunk damaged on disk is read again by the resume and refused by a
# load; the export loads back with equal counts and CHECKSUM TABLE; a
# lost connection is retried from the last chunk, a stalled one is cut
# off at query-timeout and its query killed; a full disk stops it (exit
# 4) with what is complete kept whole; masking fails closed; bad usage is
# exit 2.
set -u
source "$(dirname "$0")/lib.sh"
PLAIN=${PLAIN:-$IT_ROOT/build/rhizome}
case $PLAIN in /*) ;; *) PLAIN=$IT_ROOT/$PLAIN ;; esac
# the file-system fault shim (tests/tools/fsfault.c), where no tmpfs can
# be mounted for a full disk
FSFAULT=${FSFAULT:-$IT_ROOT/build/tests/fsfault.so}
case $FSFAULT in /*) ;; *) FSFAULT=$IT_ROOT/$FSFAULT ;; esac

G=$(mktemp -d /tmp/rhizome-bulk.XXXXXX)
mdb_start bulk >/dev/null || { echo "FAIL ${PREFIX:-}start_servers"; exit 1; }
trap 'mdb_stop_all; rm -rf "$G"' EXIT
export RHIZOME_BULK_PASSWORD="bk-$RANDOM$RANDOM"
export RHIZOME_MASK_KEY=0123456789abcdef0123456789abcdef

# bulk_src: `million` (1,000,000 rows, INT key), `lakh` (100,000), `comp`
# (50,000, key (VARCHAR, INT)), `nokey` (25,000, no key), `contact` (an
# email column). Every type the rows carry: text with non-ASCII, DECIMAL,
# DATETIME(3), bytes, NULL.
setup() {
	# utf8mb4 whatever the machine's locale: the client's default (latin1
	# without one) would store 'é' as two characters
	mdb_sql bulk --default-character-set=utf8mb4 <<-SQL
	CREATE DATABASE bulk_src;
	USE bulk_src;
	CREATE TABLE million (id INT UNSIGNED NOT NULL PRIMARY KEY,
	  name VARCHAR(64) NOT NULL, amount DECIMAL(14,4), at DATETIME(3),
	  payload VARBINARY(64), note TEXT) ENGINE=InnoDB;
	INSERT INTO million SELECT seq, CONCAT('name ', seq, ' é'), seq / 7,
	  '2026-01-01' + INTERVAL seq SECOND, UNHEX(SHA1(seq)),
	  IF(seq % 3 = 0, NULL, REPEAT('x', seq % 40)) FROM seq_1_to_1000000;
	CREATE TABLE lakh LIKE million;
	INSERT INTO lakh SELECT * FROM million WHERE id <= 100000;
	CREATE TABLE comp (g VARCHAR(16) NOT NULL, n INT NOT NULL, v INT,
	  PRIMARY KEY (g, n)) ENGINE=InnoDB;
	INSERT INTO comp SELECT CONCAT('g', seq % 37), seq, seq * 2 FROM seq_1_to_50000;
	CREATE TABLE nokey (a INT, b VARCHAR(20)) ENGINE=InnoDB;
	INSERT INTO nokey SELECT seq % 1000, CONCAT('r', seq) FROM seq_1_to_25000;
	CREATE TABLE contact (id INT NOT NULL PRIMARY KEY, email VARCHAR(80)) ENGINE=InnoDB;
	INSERT INTO contact SELECT seq, CONCAT('user', seq, '@example.com') FROM seq_1_to_3000;
	CREATE TABLE member (email VARCHAR(80) NOT NULL PRIMARY KEY, n INT) ENGINE=InnoDB;
	INSERT INTO member SELECT CONCAT('member', seq, '@example.com'), seq FROM seq_1_to_3000;
	CREATE TABLE mood (m ENUM('zeta', 'alpha', 'mid') NOT NULL, n INT NOT NULL,
	  PRIMARY KEY (m, n)) ENGINE=InnoDB;
	INSERT INTO mood SELECT ELT(1 + seq % 3, 'zeta', 'alpha', 'mid'), seq FROM seq_1_to_9000;
	CREATE TABLE kinds (id INT NOT NULL PRIMARY KEY, flags BIT(10),
	  raw VARBINARY(16), txt TEXT, old VARCHAR(20) CHARACTER SET latin1,
	  amount DECIMAL(20,6), ratio DOUBLE, day DATE, stamp TIMESTAMP(6) NULL,
	  doc JSON, pick SET('a','b','c'), spot POINT, big BIGINT UNSIGNED,
	  twice INT AS (id * 2) VIRTUAL) ENGINE=InnoDB;
	INSERT INTO kinds (id, flags, raw, txt, old, amount, ratio, day, stamp,
	  doc, pick, spot, big) VALUES
	 (1, b'1010101010', X'00090A5CFF0D4E', CONCAT('tab', CHAR(9), 'nl',
	  CHAR(10), 'bs', CHAR(92), 'cr', CHAR(13), 'nul', CHAR(0), 'end'),
	  CONCAT('caf', X'E9'), -12345678901234.123456, 1.5e300, '2026-02-28',
	  '2026-12-04 01:02:03.456789', '{"a": [1, "x"]}', 'a,c', POINT(1.5, -2),
	  18446744073709551615),
	 (2, b'0', '', CONCAT(CHAR(92), 'N'), 'N', 0, -2.5e-300, '0000-00-00',
	  NULL, '[]', '', POINT(0, 0), 0),
	 (3, NULL, NULL, 'NULL', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL),
	 (4, b'1111111111', X'5C4E', CONCAT('emoji ', X'F09F9880', ' ', CHAR(92),
	  CHAR(92)), X'E9', 0.000001, 0, '9999-12-31', '2038-01-19 03:14:07',
	  '"s"', 'b', POINT(-180, 90), 1);
	CREATE USER rz@'%' IDENTIFIED BY '$RHIZOME_BULK_PASSWORD';
	GRANT ALL ON *.* TO rz@'%';
	SQL
}
if ! setup >"$G/setup.log" 2>&1; then
	echo "FAIL ${PREFIX:-}bulk_setup"
	sed 's/^/    /' "$G/setup.log" | tail -20
	exit 1
fi

# $T/rhizome.cnf: environment `src` (TABLES, over TCP port PORT, default
# the server's), a scratch target `copy` (schema bulk_copy), and EXTRA
# lines in src's section (default: mask = none).
config() { # TABLES [PORT] [EXTRA]
	local port=${2:-$(mdb_port bulk)}
	mdb_sql bulk -e "DROP DATABASE IF EXISTS bulk_copy; DROP DATABASE IF EXISTS rhizome_load_x; SET GLOBAL local_infile = 1"
	cat >"$T/rhizome.cnf" <<-EOF
	[fleet]
	out = snap
	workers = 4

	[tables bulk]
	tables = $1

	[environment src]
	folder = src
	database = bulk
	schema = bulk_src
	host = 127.0.0.1
	port = $port
	user = rz
	password-env = RHIZOME_BULK_PASSWORD
	pool = 4
	${3:-mask = none}

	[environment copy]
	folder = copy
	database = bulk
	schema = bulk_copy
	host = 127.0.0.1
	port = $(mdb_port bulk)
	user = rz
	password-env = RHIZOME_BULK_PASSWORD
	scratch = yes
	EOF
}

# "table chunk rows sha256" of every chunk the manifests of ROOT list.
digests() { # ROOT
	local f
	for f in "$1"/.bulk/src/*/manifest.json; do
		jq -r '.table as $t | .parts[] | .chunks[] | "\($t) \(.name) \(.rows) \(.sha256)"' "$f"
	done | sort
}

# Every chunk file of the final export of TABLE has the digest its
# manifest gives, and its rows add up to COUNT(*) of bulk_src.TABLE.
assert_export_whole() { # TABLE
	local dir=$T/snap/.bulk/src/bulk_$1 rows name sha want
	[ -d "$dir" ] || fail "$1: no export at $dir"
	[ "$(jq -r .complete "$dir/manifest.json")" = true ] || fail "$1: manifest not complete"
	while read -r name sha; do
		[ "$(sha256sum "$dir/$name" | cut -d' ' -f1)" = "$sha" ] ||
			fail "$1: $name does not have its manifest's digest"
		zstd -tq "$dir/$name" || fail "$1: $name is not a whole zstd frame"
	done < <(jq -r '.parts[].chunks[] | "\(.name) \(.sha256)"' "$dir/manifest.json")
	rows=$(zstdcat "$dir"/*.jsonl.zst | wc -l)
	want=$(mdb_sql bulk -N -e "SELECT COUNT(*) FROM bulk_src.$1")
	assert_eq "$rows" "$want" "$1: rows in the chunks"
	assert_eq "$(jq -r .rows "$dir/manifest.json")" "$want" "$1: rows in the manifest"
}

checksum() { mdb_sql bulk -N -e "CHECKSUM TABLE $1" | cut -f2; }

test_all_exports_every_row_in_key_order_with_a_manifest() {
	config "lakh comp nokey"
	rz --config "$T/rhizome.cnf" sync data --all --chunk-rows 7000 --format json
	[ "$RC" = 0 ] || fail "exit $RC: $(cat "$T/err.txt")"
	assert_eq "$(js .exported_count)" 3 "tables exported"
	assert_eq "$(js .rows_written)" 175000 "rows written"
	for t in lakh comp nokey; do assert_export_whole "$t"; done
	# lakh: an integer key, cut into parts (one per worker); each part in
	# key order, the parts' ranges adjacent
	assert_eq "$(js '.exported[] | select(.table == "lakh") | .parts')" 4 "parts of lakh"
	assert_eq "$(jq -c '[.parts[] | [.lo, .hi]]' "$T/snap/.bulk/src/bulk_lakh/manifest.json")" \
		'[[null,"25001"],["25001","50001"],["50001","75001"],["75001",null]]' "the parts' ranges"
	zstdcat "$T"/snap/.bulk/src/bulk_lakh/*.zst | jq -r .id >"$T/ids"
	sort -n -c "$T/ids" || fail "lakh's rows are not in key order"
	assert_eq "$(sort -u "$T/ids" | wc -l)" 100000 "distinct ids of lakh"
	# comp: a composite text key, in the server's order, no row twice
	zstdcat "$T"/snap/.bulk/src/bulk_comp/*.zst | jq -r '"\(.g) \(.n)"' >"$T/keys"
	assert_eq "$(sort -u "$T/keys" | wc -l)" 50000 "distinct keys of comp"
	assert_eq "$(jq -c .key "$T/snap/.bulk/src/bulk_comp/manifest.json")" '["g","n"]' "comp's key"
	mdb_sql bulk -N -e "SELECT g, n FROM bulk_src.comp ORDER BY g, n" | tr '\t' ' ' >"$T/want"
	assert_file_eq "$T/keys" "$T/want" "comp's rows in key order"
	# nokey: one pass, said so
	assert_eq "$(js '.exported[] | select(.table == "nokey") | .one_pass')" true "nokey in one pass"
	js '.exported[] | select(.table == "nokey") | .note' | grep -q "one pass" ||
		fail "nokey's note does not say it was read in one pass"
	# values exactly: one row of lakh against the server's
	zstdcat "$T"/snap/.bulk/src/bulk_lakh/000-000001.jsonl.zst | head -3 | tail -1 >"$T/row"
	assert_eq "$(cat "$T/row")" "{\"id\":3,\"name\":\"name 3 é\",\"amount\":\"0.4286\",\"at\":\"2026-01-01 00:00:03.000\",\"payload\":\"$(mdb_sql bulk -N -e "SELECT TO_BASE64(payload) FROM bulk_src.lakh WHERE id = 3")\",\"note\":null}" "row 3"
	# kept out of git, no temporaries, no .partial left
	assert_eq "$(cat "$T/snap/.bulk/.gitignore" | tail -1)" "*" ".bulk/.gitignore"
	[ -z "$(find "$T/snap/.bulk" -name '.rhizome-tmp*' -o -name '*.partial')" ] ||
		fail "leftovers: $(find "$T/snap/.bulk" -name '.rhizome-tmp*' -o -name '*.partial')"
	# the text summary says where and how much
	rz --config "$T/rhizome.cnf" sync data --all --table comp --format text
	grep -q "^exported src comp: 50000 rows in 5 chunks, .*snap/.bulk/src/bulk_comp" "$T/out.json" ||
		fail "text summary: $(cat "$T/out.json")"
}

# Peak RSS of rhizome exporting TABLE, in kB (ru_maxrss of the child).
peak_kb() { # TABLE
	/usr/bin/python3 -c '
import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
if rc != 0:
    sys.exit("exit %d" % rc)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
		"$PLAIN" --quiet --config "$T/rhizome.cnf" sync data --all --table "$1" --format json
}

test_memory_at_a_million_rows_is_within_1_5_times_that_at_100000() {
	[ -x "$PLAIN" ] || fail "no optimized build at $PLAIN"
	config "lakh million"
	local small big
	small=$(peak_kb lakh) || fail "export of lakh: $small"
	big=$(peak_kb million) || fail "export of million: $big"
	echo "peak RSS: 100,000 rows $small kB, 1,000,000 rows $big kB"
	[ $((big * 2)) -le $((small * 3)) ] ||
		fail "peak RSS at 1,000,000 rows ($big kB) over 1.5 x that at 100,000 ($small kB)"
	assert_export_whole million
}

# Export `lakh comp nokey` with 2 workers and chunks of 2,000 rows, signal
# SIG once lakh's partial manifest lists 10 chunks.
interrupted_export() { # SIG
	"$RHIZOME" --config "$T/rhizome.cnf" --workers 2 sync data --all --chunk-rows 2000 \
		--progress lines --format json >"$T/int.json" 2>"$T/int.err" &
	local pid=$! m=$T/snap/.bulk/src/bulk_lakh.partial/manifest.json
	for _ in $(seq 300); do
		[ -f "$m" ] && [ "$(jq '[.parts[].chunks | length] | add' "$m" 2>/dev/null || echo 0)" -ge 10 ] && break
		sleep 0.02
	done
	kill -"$1" "$pid"
	wait "$pid"
	INT_RC=$?
}

test_sigterm_then_resume_gives_the_chunks_of_an_uninterrupted_export() {
	config "lakh comp nokey"
	rz --config "$T/rhizome.cnf" --workers 2 sync data --all --chunk-rows 2000 --format json
	[ "$RC" = 0 ] || fail "uninterrupted export: exit $RC: $(cat "$T/err.txt")"
	digests "$T/snap" >"$T/whole.txt"
	rm -rf "$T/snap"
	interrupted_export TERM
	assert_eq "$INT_RC" 143 "exit status after SIGTERM"
	grep -q "terminated (SIGTERM)" "$T/int.err" || fail "no word of the signal: $(cat "$T/int.err")"
	[ "$(jq -r .interrupted "$T/int.json")" = SIGTERM ] || fail "summary: $(cat "$T/int.json")"
	[ -d "$T/snap/.bulk/src/bulk_lakh.partial" ] || fail "the partial export is gone"
	assert_eq "$(mdb_sql bulk -N -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'rz' AND INFO LIKE '%SELECT%'")" 0 "queries left running after SIGTERM"
	[ ! -e "$T/snap/.bulk/src/bulk_lakh" ] || fail "an interrupted table was published"
	# a temporary a killed write would leave: the next run's sweep removes it
	touch "$T/snap/.bulk/src/bulk_lakh.partial/.rhizome-tmp.000-000999.jsonl.zst.x"
	rz --config "$T/rhizome.cnf" --workers 2 sync data --all --chunk-rows 2000 --resume --format json
	[ "$RC" = 0 ] || fail "resume: exit $RC: $(cat "$T/err.txt")"
	grep -q "removed 1 leftover" "$T/err.txt" || fail "the sweep said nothing: $(cat "$T/err.txt")"
	[ "$(js '.exported[] | select(.table == "lakh") | .resumed_chunks')" -ge 10 ] ||
		fail "lakh was not resumed: $(js '.exported[] | select(.table == "lakh")')"
	js '.exported[] | select(.table == "lakh") | .note' | grep -q "resumed after" ||
		fail "no note of the resume"
	digests "$T/snap" >"$T/resumed.txt"
	assert_file_eq "$T/resumed.txt" "$T/whole.txt" "chunks and digests after the resume"
	for t in lakh comp nokey; do assert_export_whole "$t"; done
	[ -z "$(find "$T/snap/.bulk" -name '.rhizome-tmp*' -o -name '*.partial')" ] ||
		fail "leftovers after the resume"
	# loaded back: equal counts and checksums
	rz --config "$T/rhizome.cnf" load --env src --into copy --bulk --format json
	[ "$RC" = 0 ] || fail "load --bulk: exit $RC: $(cat "$T/err.txt")"
	assert_eq "$(js .rows_count)" 175000 "rows loaded"
	for t in lakh comp nokey; do
		assert_eq "$(checksum bulk_copy.$t)" "$(checksum bulk_src.$t)" "CHECKSUM TABLE $t"
		assert_eq "$(mdb_sql bulk -N -e "SELECT COUNT(*) FROM bulk_copy.$t")" \
			"$(mdb_sql bulk -N -e "SELECT COUNT(*) FROM bulk_src.$t")" "rows of $t"
	done
	mdb_sql bulk -N -e "SHOW CREATE TABLE bulk_copy.comp" | grep -q 'PRIMARY KEY (`g`,`n`)' ||
		fail "comp's key was not loaded"
	# a resume of a complete export keeps it
	rz --config "$T/rhizome.cnf" sync data --all --resume --format json
	assert_eq "$(js .kept_count) $(js .rows_written)" "3 0" "a complete export under --resume"
}

test_sigkill_then_resume_and_a_damaged_chunk_is_read_again() {
	config "lakh comp nokey"
	rz --config "$T/rhizome.cnf" --workers 2 sync data --all --chunk-rows 2000 --format json
	digests "$T/snap" >"$T/whole.txt"
	rm -rf "$T/snap"
	interrupted_export KILL
	assert_eq "$INT_RC" 137 "killed"
	# a chunk damaged on disk (a byte flipped): the resume reads it again
	local c=$T/snap/.bulk/src/bulk_lakh.partial/000-000002.jsonl.zst
	[ -f "$c" ] || c=$(ls "$T"/snap/.bulk/src/bulk_lakh.partial/*.zst | head -1)
	printf 'X' | dd of="$c" bs=1 seek=20 conv=notrunc 2>/dev/null
	rz --config "$T/rhizome.cnf" --workers 2 sync data --all --chunk-rows 2000 --resume --format json
	[ "$RC" = 0 ] || fail "resume: exit $RC: $(cat "$T/err.txt")"
	js '.exported[] | select(.table == "lakh") | .note' | grep -q "does not have its digest" ||
		fail "the damaged chunk was not noticed: $(js '.exported[] | select(.table == "lakh")')"
	digests "$T/snap" >"$T/resumed.txt"
	assert_file_eq "$T/resumed.txt" "$T/whole.txt" "chunks and digests after kill -9 and resume"
	assert_export_whole lakh
	# a damaged chunk of a complete export: load refuses it, naming it,
	# before it contacts anything
	c=$T/snap/.bulk/src/bulk_comp/000-000003.jsonl.zst
	printf 'X' | dd of="$c" bs=1 seek=30 conv=notrunc 2>/dev/null
	rz --config "$T/rhizome.cnf" load --env src --into copy --bulk --format json
	assert_eq "$RC" 2 "load of a damaged export"
	grep -q "000-000003.jsonl.zst" "$T/err.txt" || fail "the chunk is not named: $(cat "$T/err.txt")"
	assert_eq "$(mdb_sql bulk -N -e "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'bulk_copy'")" 0 "target contacted"
}

test_a_lost_connection_is_retried_from_the_last_chunk() {
	it_start_proxy "$(mdb_port bulk)" --delay-ms 0 --reset-after-bytes 1000000 --fault-connections 1
	config "lakh" "$IT_PROXY_PORT" "retries = 2
mask = none"
	rz --config "$T/rhizome.cnf" --workers 1 sync data --all --chunk-rows 5000 --progress lines --format json
	[ "$RC" = 0 ] || fail "exit $RC: $(cat "$T/err.txt")"
	grep -q "retry 1 of 2 from chunk" "$T/err.txt" || fail "no retry said: $(cat "$T/err.txt")"
	assert_export_whole lakh
}

# TABLE behind a proxy that stalls after BYTES: cut off at query-timeout
# (2 s), exit 3, the complete chunks kept, nothing left running.
stalled() { # TABLE BYTES
	it_start_proxy "$(mdb_port bulk)" --delay-ms 0 --stall-after-bytes "$2" --hold-stalled
	config "$1" "$IT_PROXY_PORT" "read-timeout = 2
query-timeout = 2
retries = 0
mask = none"
	local t0=$SECONDS
	rz --config "$T/rhizome.cnf" sync data --all --chunk-rows 5000 --format json
	assert_eq "$RC" 3 "$1: exit status of a stalled export"
	[ $((SECONDS - t0)) -le 20 ] || fail "$1: took $((SECONDS - t0)) s for a 2 s query-timeout"
	js '.errors[0].message' | grep -q "timed out" || fail "$1: error: $(js -c .errors)"
	[ -d "$T/snap/.bulk/src/bulk_$1.partial" ] || fail "$1: the complete chunks are gone"
	[ ! -e "$T/snap/.bulk/src/bulk_$1" ] || fail "$1: a failed table was published"
	sleep 1.5
	assert_eq "$(mdb_sql bulk -N -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'rz' AND INFO LIKE '%SELECT%$1%'")" 0 "$1: queries left running"
	kill "$IT_PROXY_PID"
}

test_a_stalled_server_is_cut_off_at_query_timeout_and_its_query_killed() {
	stalled lakh 2000000
	# one pass: the server's statement limit is lifted for it, so the
	# KILL is rhizome's
	stalled nokey 100000
}

test_a_full_disk_stops_the_export_and_keeps_what_is_complete() {
	config "lakh"
	mkdir -p "$T/snap"
	if mount -t tmpfs -o size=1m rhizome-bulk "$T/snap" 2>"$T/mount.err"; then
		trap 'umount "$T/snap" 2>/dev/null || umount -l "$T/snap"' EXIT
		rz --config "$T/rhizome.cnf" sync data --all --chunk-rows 2000 --format json
	else
		# no tmpfs without root: the full disk from the shim, after the
		# first dozen writes of chunks
		echo "note: cannot mount a tmpfs ($(cat "$T/mount.err")): the full disk is emulated by $FSFAULT"
		[ -f "$FSFAULT" ] || fail "no fsfault shim at $FSFAULT"
		env FSFAULT_CALLS=write FSFAULT_PATH='*/snap/.bulk/*/.rhizome-tmp.*' \
			FSFAULT_ERRNO=ENOSPC FSFAULT_AFTER=12 \
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
			LD_PRELOAD="$FSFAULT" "$RHIZOME" --config "$T/rhizome.cnf" sync data --all \
			--chunk-rows 2000 --format json >"$T/out.json" 2>"$T/err.txt"
		RC=$?
	fi
	assert_eq "$RC" 4 "exit status on a full disk"
	js '.errors[] | .message' | grep -q "No space left on device" ||
		fail "the error does not say why: $(js -c .errors)"
	[ ! -e "$T/snap/.bulk/src/bulk_lakh" ] || fail "a table was published on a full disk"
	# what is there is whole: every chunk the manifest lists has its digest
	local name sha n=0
	while read -r name sha; do
		[ "$(sha256sum "$T/snap/.bulk/src/bulk_lakh.partial/$name" | cut -d' ' -f1)" = "$sha" ] ||
			fail "$name is not whole"
		n=$((n + 1))
	done < <(jq -r '.parts[].chunks[] | "\(.name) \(.sha256)"' "$T/snap/.bulk/src/bulk_lakh.partial/manifest.json")
	[ -z "$(find "$T/snap" -name '.rhizome-tmp*')" ] || fail "temporaries left: $(find "$T/snap" -name '.rhizome-tmp*')"
	echo "$n chunks kept on the full disk"
}

test_keys_that_cannot_chunk_exactly_are_read_in_one_pass() {
	# an ENUM key sorts by index but compares as text; a masked key's
	# values would go unmasked into the manifest
	config "mood member" "" "mask = required"
	printf '\n[mask]\nkey-env = RHIZOME_MASK_KEY\nbulk.member.email = hash\n' >>"$T/rhizome.cnf"
	rz --config "$T/rhizome.cnf" sync data --all --chunk-rows 1000 --format json
	[ "$RC" = 0 ] || fail "exit $RC: $(cat "$T/err.txt")"
	assert_eq "$(js '.exported[] | select(.table == "mood") | .one_pass')" true "mood in one pass"
	js '.exported[] | select(.table == "mood") | .note' | grep -q "is enum" ||
		fail "mood's note: $(js '.exported[] | select(.table == "mood") | .note')"
	js '.exported[] | select(.table == "member") | .note' | grep -q "is masked" ||
		fail "member's note: $(js '.exported[] | select(.table == "member") | .note')"
	assert_export_whole mood
	assert_export_whole member
	assert_eq "$(zstdcat "$T"/snap/.bulk/src/bulk_mood/*.zst | sort -u | wc -l)" 9000 "distinct rows of mood"
	! grep -qi "$(printf 'member1@' | od -An -tx1 | tr -d ' \n')" "$T/snap/.bulk/src/bulk_member/manifest.json" ||
		fail "an unmasked key in the manifest"
	! zstdcat "$T"/snap/.bulk/src/bulk_member/*.zst | grep -q 'member1@example.com' ||
		fail "an email went out unmasked"
}

test_masking_fails_closed_and_hashes_what_it_covers() {
	config "contact" "" "mask = required"
	rz --config "$T/rhizome.cnf" sync data --all --format json
	assert_eq "$RC" 3 "exit status of an uncovered sensitive column: $(cat "$T/err.txt")"
	js '.errors[0].message' | grep -q '`email`' || fail "error: $(js .errors)"
	[ ! -e "$T/snap/.bulk/src/bulk_contact" ] || fail "an unmasked table was published"
	printf '\n[mask]\nkey-env = RHIZOME_MASK_KEY\nbulk.contact.email = hash\n' >>"$T/rhizome.cnf"
	rz --config "$T/rhizome.cnf" sync data --all --format json
	[ "$RC" = 0 ] || fail "masked export: exit $RC: $(cat "$T/err.txt")"
	! zstdcat "$T"/snap/.bulk/src/bulk_contact/*.zst | grep -q 'user1@example.com' ||
		fail "an email went out unmasked"
	assert_eq "$(zstdcat "$T"/snap/.bulk/src/bulk_contact/*.zst | jq -r .email | sort -u | wc -l)" 3000 "distinct masked emails"
}

# How many LOAD DATA statements the server has run.
loads() { mdb_sql bulk -N -e "SHOW GLOBAL STATUS LIKE 'Com_load'" | cut -f2; }

test_load_data_gives_back_every_kind_of_value() {
	config "kinds"
	rz --config "$T/rhizome.cnf" sync data --all --chunk-rows 2 --format json
	[ "$RC" = 0 ] || fail "export: exit $RC: $(cat "$T/err.txt")"
	local before
	before=$(loads)
	rz --config "$T/rhizome.cnf" load --env src --into copy --bulk --format json
	[ "$RC" = 0 ] || fail "load --bulk: exit $RC: $(cat "$T/err.txt")"
	# a LOAD DATA a chunk
	assert_eq "$(( $(loads) - before ))" 2 "LOAD DATA statements"
	assert_eq "$(checksum bulk_copy.kinds)" "$(checksum bulk_src.kinds)" "CHECKSUM TABLE kinds"
	# what a checksum would also see, said one by one for a reader
	local q="SELECT id, HEX(flags), HEX(raw), HEX(txt), HEX(old), amount, ratio,
	  day, stamp, doc, pick, ST_AsText(spot), big, twice FROM"
	assert_eq "$(mdb_sql bulk -N -e "$q bulk_copy.kinds ORDER BY id")" \
		"$(mdb_sql bulk -N -e "$q bulk_src.kinds ORDER BY id")" "every value of kinds"
	assert_eq "$(mdb_sql bulk -N -e "SELECT COUNT(*) FROM bulk_copy.kinds WHERE txt = 'NULL'")" 1 \
		"the text NULL stays text"
	# the snapshot's rows (a NUL in text is "\u0000" there): verified,
	# and loaded back as INSERTs
	rz --config "$T/rhizome.cnf" sync schema --env src --format json
	[ "$RC" = 0 ] || fail "sync schema: exit $RC: $(cat "$T/err.txt")"
	rz --config "$T/rhizome.cnf" sync data --env src --rows 10 --format json
	[ "$RC" = 0 ] || fail "sync data: exit $RC: $(cat "$T/err.txt")"
	grep -q 'nul\\u0000end' "$T"/snap/src/*/kinds.json 2>/dev/null ||
		grep -rq 'nul\\u0000end' "$T/snap/src" || fail "no NUL in the snapshot"
	rz --config "$T/rhizome.cnf" verify --format json
	[ "$RC" = 0 ] || fail "verify: exit $RC: $(cat "$T/out.json" "$T/err.txt")"
	rz --config "$T/rhizome.cnf" load --env src --into copy --replace --format json
	[ "$RC" = 0 ] || fail "load: exit $RC: $(cat "$T/err.txt")"
	assert_eq "$(mdb_sql bulk -N -e "$q bulk_copy.kinds ORDER BY id")" \
		"$(mdb_sql bulk -N -e "$q bulk_src.kinds ORDER BY id")" "every value of kinds, loaded from the snapshot"
}

# The manifest's CREATE TABLE changed (as a table changed between export
# and load would be): rows the server would cut or skip fail the load.
test_rows_the_server_would_change_or_skip_fail_the_load() {
	config "comp"
	rz --config "$T/rhizome.cnf" sync data --all --format json
	[ "$RC" = 0 ] || fail "export: exit $RC: $(cat "$T/err.txt")"
	local m=$T/snap/.bulk/src/bulk_comp/manifest.json
	cp "$m" "$T/manifest.json"
	# a column too narrow for its values: LOAD DATA LOCAL would cut them
	jq '.create |= sub("`g` varchar\\(16\\)"; "`g` varchar(2)")' "$T/manifest.json" >"$m"
	grep -q 'varchar(2)' "$m" || fail "the CREATE was not narrowed: $(cat "$m")"
	rz --config "$T/rhizome.cnf" load --env src --into copy --bulk --format json
	assert_eq "$RC" 3 "a load whose rows the server would cut"
	grep -q "table comp" "$T/err.txt" || fail "the table is not named: $(cat "$T/err.txt")"
	grep -q "Data truncated for column 'g'" "$T/err.txt" ||
		fail "the server's warning is not said: $(cat "$T/err.txt")"
	assert_eq "$(mdb_sql bulk -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bulk_copy'")" 0 \
		"tables moved in by a failed load"
	# a key the rows repeat: LOAD DATA LOCAL would skip them
	jq '.create |= sub("PRIMARY KEY \\(`g`,`n`\\)"; "PRIMARY KEY (`g`)")' "$T/manifest.json" >"$m"
	grep -q 'PRIMARY KEY (`g`)' "$m" || fail "the key was not changed: $(cat "$m")"
	rz --config "$T/rhizome.cnf" load --env src --into copy --bulk --format json
	assert_eq "$RC" 3 "a load whose rows the server would skip"
	grep -q "Duplicate entry" "$T/err.txt" || fail "the duplicate is not said: $(cat "$T/err.txt")"
	grep -q "rows, with" "$T/err.txt" || fail "the count is not said: $(cat "$T/err.txt")"
	assert_eq "$(mdb_sql bulk -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bulk_copy'")" 0 \
		"tables moved in by a failed load"
}

test_local_infile_off_loads_with_inserts_and_says_so() {
	config "comp kinds"
	rz --config "$T/rhizome.cnf" sync data --all --format json
	[ "$RC" = 0 ] || fail "export: exit $RC: $(cat "$T/err.txt")"
	mdb_sql bulk -e "SET GLOBAL local_infile = 0"
	local before
	before=$(loads)
	rz --config "$T/rhizome.cnf" load --env src --into copy --bulk --format json
	mdb_sql bulk -e "SET GLOBAL local_infile = 1"
	[ "$RC" = 0 ] || fail "load --bulk: exit $RC: $(cat "$T/err.txt")"
	assert_eq "$(loads)" "$before" "LOAD DATA statements with local_infile OFF"
	js '.notes[]' | grep -q "local_infile OFF" || fail "no note: $(cat "$T/out.json")"
	assert_eq "$(checksum bulk_copy.comp)" "$(checksum bulk_src.comp)" "CHECKSUM TABLE comp"
	assert_eq "$(checksum bulk_copy.kinds)" "$(checksum bulk_src.kinds)" "CHECKSUM TABLE kinds"
}

# A server (here told by an option file's init-command) that asks for a
# local file gets none: not even with the option file's local-infile on.
test_a_server_asking_for_a_local_file_gets_none() {
	config "comp"
	mdb_sql bulk -e "CREATE TABLE IF NOT EXISTS bulk_src.stolen (line TEXT); TRUNCATE bulk_src.stolen"
	echo "secret-$RANDOM" >"$T/secret.txt"
	cat >"$T/client.cnf" <<-EOF
	[client]
	local-infile = 1
	init-command = LOAD DATA LOCAL INFILE '$T/secret.txt' INTO TABLE bulk_src.stolen
	EOF
	sed -i "s|^pool = 4|pool = 4\noption-file = $T/client.cnf|" "$T/rhizome.cnf"
	grep -q "option-file" "$T/rhizome.cnf" || fail "config: $(cat "$T/rhizome.cnf")"
	rz --config "$T/rhizome.cnf" sync data --all --format json
	assert_eq "$RC" 3 "an export whose server asks for a file"
	grep -q "asked for the local file '$T/secret.txt': refused" "$T/err.txt" ||
		fail "the refusal is not said: $(cat "$T/err.txt")"
	assert_eq "$(mdb_sql bulk -N -e "SELECT COUNT(*) FROM bulk_src.stolen")" 0 "rows the server got"
	mdb_sql bulk -e "DROP TABLE bulk_src.stolen"
}

test_bad_usage_is_exit_2_naming_the_option() {
	config "lakh"
	local args
	for args in "sync data --resume" "sync data --chunk-rows 10" "sync data --table lakh" \
		"sync data --all --rows 3" "sync data --all --follow-keys" \
		"sync data --all --chunk-rows 0" "sync data --all --table nosuch" \
		"load --env src --into copy --bulk --schema-only"; do
		# shellcheck disable=SC2086
		rz --config "$T/rhizome.cnf" $args
		assert_eq "$RC" 2 "rhizome $args"
		[ -s "$T/err.txt" ] || fail "rhizome $args: no message"
	done
	grep -q "nosuch" "$T/err.txt" || true
	rz --config "$T/rhizome.cnf" load --env src --into copy --bulk
	assert_eq "$RC" 2 "load --bulk with no export"
	grep -q "sync data --all" "$T/err.txt" || fail "no hint: $(cat "$T/err.txt")"
	[ ! -e "$T/snap/.bulk" ] || fail "bad usage wrote something"
}

TESTS=${*:-$(declare -F | awk '$3 ~ /^test_/ { print $3 }')}
# shellcheck disable=SC2086
it_run $TESTS
