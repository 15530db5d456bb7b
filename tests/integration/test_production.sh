#!/usr/bin/env bash
# Integration tests of what a run against production must do (RELIABILITY
# cases 5, 17 and 18): TLS that fails closed, with certificates made here by
# openssl; session settings that survive a connection reset; a wrong
# password tried once and never shown. And the faults of the network and
# the server (cases 4, 8-14, 16, 22, 25, 28), made with fault_proxy,
# LOCK TABLES and KILL elsewhere, and server settings each test puts back
# (PT_RESTORE_SQL). Usage: test_production.sh [test_name...] (default:
# all). RHIZOME selects the binary.
#
# Two private servers, both in a time zone that is not UTC (+05:30), so a
# session that lost its settings shows in the data: `plain` offers no TLS,
# `tls` offers TLS with a certificate for 127.0.0.1 signed by the suite's CA.
set -u
source "$(dirname "$0")/lib.sh"

PT_DIR=$(mktemp -d /tmp/rhizome-pt.XXXXXX)
NTABLES=40

pt_make_certs() {
	local d=$PT_DIR
	{
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rhizome test CA" \
			-keyout "$d/ca-key.pem" -out "$d/ca.pem" &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=another CA" \
			-keyout "$d/other-key.pem" -out "$d/other-ca.pem" &&
		openssl req -newkey rsa:2048 -nodes -subj "/CN=rhizome test server" \
			-keyout "$d/server-key.pem" -out "$d/server.csr" &&
		printf 'subjectAltName=IP:127.0.0.1\n' >"$d/san.cnf" &&
		openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" \
			-CAcreateserial -days 2 -extfile "$d/san.cnf" -out "$d/server.pem"
	} >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; return 1; }
}

pt_start_servers() {
	local s i
	pt_make_certs || return 1
	MDB_SERVER_ARGS=(--default-time-zone=+05:30)
	mdb_start plain || return 1
	MDB_SERVER_ARGS=(--default-time-zone=+05:30 --ssl-ca="$PT_DIR/ca.pem"
		--ssl-cert="$PT_DIR/server.pem" --ssl-key="$PT_DIR/server-key.pem")
	mdb_start tls || return 1
	MDB_SERVER_ARGS=()
	for s in plain tls; do
		{
			echo "CREATE USER rhizome@'127.0.0.1' IDENTIFIED BY '$RHIZOME_IT_PASSWORD';"
			echo "GRANT SELECT, SHOW VIEW ON *.* TO rhizome@'127.0.0.1';"
			echo "CREATE DATABASE app; USE app;"
			for i in $(seq -w 1 $NTABLES); do
				echo "CREATE TABLE t$i (id INT PRIMARY KEY, at TIMESTAMP NULL,"
				echo "  note VARCHAR(60)) ENGINE=InnoDB;"
				echo "INSERT INTO t$i VALUES (1, '2021-06-01 12:00:00', 'row one of t$i'),"
				echo "  (2, '2021-06-02 12:00:00', 'row two of t$i');"
			done
		} | mdb_sql "$s" || return 1
	done
	[ "$(mdb_sql tls -N -e "SELECT @@have_ssl")" = YES ] ||
		{ echo "the tls server does not offer TLS" >&2; return 1; }
}

# Write $T/rhizome.cnf: [fleet], the table list, then one environment per
# argument "NAME SERVER [KEY=VALUE]..." (SERVER plain or tls; a value may
# hold spaces: write it with '~' for them).
pt_config() {
	local spec name server kv i
	{
		echo "[fleet]"
		echo "out = snap"
		echo "[tables app]"
		printf 'tables ='
		for i in $(seq -w 1 $NTABLES); do printf ' t%s' "$i"; done
		echo
		for spec in "$@"; do
			set -- $spec
			name=$1 server=$2
			shift 2
			echo
			echo "[environment $name]"
			echo "folder = $name"
			echo "database = app"
			# the defaults an argument does not replace
			for kv in user=rhizome password-env=RHIZOME_IT_PASSWORD \
				connect-timeout=3 read-timeout=10 host=127.0.0.1 \
				"port=$(mdb_port "$server")"; do
				case " $* " in *" ${kv%%=*}="*) ;; *) set -- "$@" "$kv" ;; esac
			done
			for kv in "$@"; do
				echo "${kv%%=*} = $(echo "${kv#*=}" | tr '~' ' ')"
			done
		done
	} >"$T/rhizome.cnf"
}

# A test's subshell may end on a failed assertion: its proxy and its lock
# must not outlive it (a lock left held would fail the next tests).
# Nor may a server setting a test changed (PT_RESTORE_SQL: the statement
# that puts it back).
pt_cleanup() {
	[ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null
	[ -n "${LOCKER_PID:-}" ] && pt_unlock
	[ -n "${PT_RESTORE_SQL:-}" ] && mdb_sql plain -e "$PT_RESTORE_SQL"
	return 0
}

# Start fault_proxy in front of the plain server with ARGS; sets
# PROXY_PID and PROXY_PORT (its output goes to a file in $T).
pt_proxy() { # ARGS...
	local out
	out=$(mktemp "$T/proxy.XXXXXX")
	"$PROXY" --listen 0 --target "127.0.0.1:$(mdb_port plain)" "$@" >"$out" 2>&1 &
	PROXY_PID=$!
	trap pt_cleanup EXIT
	for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
	PROXY_PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$out")
	[ -n "$PROXY_PORT" ] || fail "fault_proxy did not start: $(cat "$out")"
}

# Hold LOCK TABLES app.t20 (or TABLE) WRITE in a session of the plain
# server, as a DBA or a migration elsewhere would, until pt_unlock (or
# 60 s); returns once the lock is held. Sets LOCKER_PID.
pt_lock() { # [SCHEMA.TABLE]
	mdb_sql plain -e "LOCK TABLES ${1:-app.t20} WRITE; SELECT SLEEP(60)" >/dev/null 2>&1 &
	LOCKER_PID=$!
	trap pt_cleanup EXIT
	for _ in $(seq 50); do
		mdb_sql plain -N -e "SHOW PROCESSLIST" | grep -q "SLEEP(60)" && return 0
		sleep 0.1
	done
	fail "the lock was not taken"
}

pt_unlock() {
	local id
	id=$(mdb_sql plain -N -e "SELECT id FROM information_schema.processlist
		WHERE info LIKE 'SELECT SLEEP(60)%'")
	[ -n "$id" ] && mdb_sql plain -e "KILL $id" 2>/dev/null
	wait "$LOCKER_PID" 2>/dev/null
	LOCKER_PID=""
}

# The server's id of our query on t20, when it waits for the lock.
waiting_on_t20() {
	mdb_sql plain -N -e "SELECT id FROM information_schema.processlist
		WHERE user = 'rhizome' AND info LIKE 'SELECT%t20%'"
}

# Wait (up to 10 s) for our query to wait on t20's lock and print its id;
# fails the test if it never does.
wait_for_our_query_on_t20() {
	local id
	for _ in $(seq 100); do
		id=$(waiting_on_t20)
		[ -n "$id" ] && { echo "$id"; return 0; }
		sleep 0.1
	done
	fail "our query never waited on the lock: $(cat "$T/err.txt")"
}

# The password is in no output and no file the run wrote.
assert_no_password() {
	! grep -rqF -- "$RHIZOME_IT_PASSWORD" "$T/out.json" "$T/err.txt" "$T/snap" 2>/dev/null ||
		fail "the password appears in the output or the snapshots"
	local z
	for z in "$T"/snap/.history/*/*.zst; do
		[ -e "$z" ] || continue
		! zstd -dc "$z" | grep -qF -- "$RHIZOME_IT_PASSWORD" || fail "the password is in $z"
	done
}

# What a run leaves, whatever happened to it (RELIABILITY's "intact"): no
# temporary under the snapshot root, every plain file whole (a .json
# parses, a .sql ends with the statement's ';'), every history file passes
# zstd -t, no query of ours left on the plain server (given a moment to
# go), and the password nowhere.
pt_assert_left_clean() {
	local f ours
	[ -z "$(find snap -name '.rhizome-tmp*' 2>/dev/null)" ] ||
		fail "temporaries left: $(find snap -name '.rhizome-tmp*')"
	while IFS= read -r f; do
		case $f in
		*.json) jq -e . "$f" >/dev/null 2>&1 || fail "partial file $f" ;;
		*.sql) [ "$(tail -c 2 "$f")" = ";" ] || fail "partial file $f" ;;
		esac
	done < <(find snap -path '*/expected_data/*' -type f 2>/dev/null)
	while IFS= read -r f; do
		zstd -tq "$f" || fail "damaged history file $f"
	done < <(find snap/.history -name '*.zst' 2>/dev/null)
	for _ in $(seq 20); do
		ours=$(mdb_sql plain -N -e "SELECT id, info FROM information_schema.processlist
			WHERE user = 'rhizome' AND info IS NOT NULL")
		[ -z "$ours" ] && break
		sleep 0.1
	done
	[ -z "$ours" ] || fail "a query of ours still runs: $ours"
	assert_no_password
}

# A clean `sync data` with the config as it is, kept in ./clean for the
# faulted run's files to be compared with.
pt_clean_run() {
	rz sync data
	assert_eq "$RC" 0 "clean run: $(cat "$T/err.txt")"
	mv snap clean
}

# The manifest of the last published run.
manifest() { ls -d "$T"/snap/.history/*/ | tail -1 | sed 's|$|manifest.json|'; }

connections_to() { mdb_sql "$1" -N -e "SHOW GLOBAL STATUS LIKE 'Connections'" | cut -f2; }

# RELIABILITY 17: from `required` up a connection without TLS is refused,
# error 2026, that environment fails (exit 3) and the others complete; the
# refusal comes before any query: the server's general log shows none of
# ours (and, unless the library read the greeting before its first wait, as
# it can on loopback, no login either: see environments/connpool.c).
test_tls_required_against_a_server_without_tls_fails_closed_before_any_query() {
	pt_config "plainenv plain tls=required" "tlsenv tls tls=required"
	mdb_sql plain -e "SET GLOBAL general_log_file = '$T/general.log', general_log = 1"
	rz sync schema
	mdb_sql plain -e "SET GLOBAL general_log = 0"
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.errors[] | [.env, .table, .code, (.tables_not_fetched | length)]]')" \
		"[[\"plainenv\",null,2026,$NTABLES]]" "one error, for the environment"
	js -r '.errors[0].message' | grep -qF "cannot connect to 127.0.0.1:$(mdb_port plain) (environment plainenv, rhizome.cnf:" ||
		fail "where: $(js -r '.errors[0].message')"
	js -r '.errors[0].message' | grep -qF "tls = required): TLS is required, but the server does not offer it" ||
		fail "why: $(js -r '.errors[0].message')"
	assert_eq "$(js .new_count)" "$NTABLES" "the TLS environment completes"
	! grep -qE "Query.*(SHOW|SELECT)" "$T/general.log" || fail "queried: $(grep Query "$T/general.log")"
	[ ! -d snap/plainenv ] || fail "files written for the refused environment"
	assert_no_password
}

# A wrong CA fails verify-ca; the right one passes it at any host name
# (127.1 is 127.0.0.1, a name the certificate does not hold).
test_verify_ca_checks_the_chain_and_not_the_host_name() {
	pt_config "wrongca tls tls=verify-ca tls-ca=$PT_DIR/other-ca.pem" \
		"rightca tls tls=verify-ca tls-ca=$PT_DIR/ca.pem host=127.1"
	rz sync schema
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.errors[] | [.env, .code]]')" '[["wrongca",2026]]' "errors"
	js -r '.errors[0].message' | grep -qF "tls = verify-ca): TLS/SSL error:" ||
		fail "message: $(js -r '.errors[0].message')"
	assert_eq "$(js .new_count)" "$NTABLES" "the right CA passes"
	[ "$(jq -r .environments.rightca.server.tls_cipher "$(manifest)")" != null ] || fail "no cipher recorded"
	# tls-ca alone means verify-ca
	pt_config "cadefault tls tls-ca=$PT_DIR/other-ca.pem"
	rz sync schema
	assert_eq "$RC" 3 "tls-ca without tls: exit status"
	assert_eq "$(js -r '.errors[0].code')" 2026 "tls-ca without tls verifies"
}

# verify-identity also checks the host name against the certificate.
test_verify_identity_rejects_a_wrong_host_name() {
	pt_config "badname tls tls=verify-identity tls-ca=$PT_DIR/ca.pem host=127.1" \
		"goodname tls tls=verify-identity tls-ca=$PT_DIR/ca.pem"
	rz sync schema
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.errors[] | [.env, .code]]')" '[["badname",2026]]' "errors"
	js -r '.errors[0].message' | grep -qF "cannot connect to 127.1:$(mdb_port tls) (environment badname" ||
		fail "where: $(js -r '.errors[0].message')"
	assert_eq "$(js .new_count)" "$NTABLES" "the right name passes"
	assert_eq "$(jq -r .environments.goodname.server.tls "$(manifest)")" verify-identity "mode in the manifest"
}

# TLS options in the option file count as at least required, and
# ssl-verify-server-cert as a verifying mode, whatever rhizome.cnf says:
# the original report (ssl-ca and ssl-verify-server-cert against a server
# without TLS: plain text, exit 0) now fails with 2026.
test_option_file_tls_lines_are_honoured() {
	printf '[client]\nssl-ca = %s\nssl-verify-server-cert\n' "$PT_DIR/ca.pem" >my.cnf
	chmod 600 my.cnf
	pt_config "plainenv plain option-file=my.cnf" "tlsenv tls option-file=my.cnf"
	rz sync schema
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.errors[] | [.env, .code]]')" '[["plainenv",2026]]' "errors"
	assert_eq "$(js .new_count)" "$NTABLES" "TLS with the option file's CA"
	assert_eq "$(jq -r .environments.tlsenv.server.tls "$(manifest)")" verify-ca "mode"
	[ "$(jq -r .environments.tlsenv.server.tls_cipher "$(manifest)")" != null ] || fail "not encrypted"
	# tls = disabled and TLS lines in the option file contradict each other
	pt_config "tlsenv tls option-file=my.cnf tls=disabled"
	rz sync schema
	assert_eq "$RC" 2 "disabled + option file: exit status"
	grep -qF "says tls = disabled, but my.cnf:2 turns TLS on" "$T/err.txt" ||
		fail "message: $(cat "$T/err.txt")"
	# the option file turning verification off under verify-identity
	printf '[client]\nssl-ca = %s\nssl-verify-server-cert = 0\n' "$PT_DIR/ca.pem" >my.cnf
	pt_config "tlsenv tls option-file=my.cnf tls=verify-identity"
	rz sync schema
	assert_eq "$RC" 2 "verify-identity + ssl-verify-server-cert = 0: exit status"
	grep -qF "turns ssl-verify-server-cert off" "$T/err.txt" || fail "message: $(cat "$T/err.txt")"
	# the option file turning TLS off under a mode that needs it
	printf '[client]\nssl = 0\n' >my.cnf
	pt_config "tlsenv tls option-file=my.cnf tls=required"
	rz sync schema
	assert_eq "$RC" 2 "required + ssl = 0: exit status"
	grep -qF "needs TLS (tls = required), but its option file turns it off" "$T/err.txt" ||
		fail "message: $(cat "$T/err.txt")"
}

# With a verifying mode and MARIADB_TLS_DISABLE_PEER_VERIFICATION set,
# rhizome refuses to start (newer connectors would skip the check), before
# contacting anything; a mode that does not verify is not affected.
test_disable_peer_verification_variable_is_refused_before_contact() {
	local before after
	pt_config "verifying tls tls=verify-identity tls-ca=$PT_DIR/ca.pem"
	before=$(connections_to tls)
	MARIADB_TLS_DISABLE_PEER_VERIFICATION=1 rz sync schema
	after=$(connections_to tls)
	assert_eq "$RC" 2 "exit status: $(cat "$T/err.txt")"
	grep -qF "rhizome.cnf:" "$T/err.txt" || fail "no config line: $(cat "$T/err.txt")"
	grep -qF "MARIADB_TLS_DISABLE_PEER_VERIFICATION is set" "$T/err.txt" || fail "message: $(cat "$T/err.txt")"
	# the one connection is the count's own query
	assert_eq "$((after - before))" 1 "connections made"
	[ ! -e snap ] || fail "the snapshot root was created"
	pt_config "encrypted tls tls=required"
	MARIADB_TLS_DISABLE_PEER_VERIFICATION=1 rz sync schema
	assert_eq "$RC" 0 "required does not verify: exit status $(cat "$T/err.txt")"
}

test_tls_configuration_errors_exit_2() {
	pt_config "noca tls tls=verify-ca"
	rz sync schema
	assert_eq "$RC" 2 "verify-ca without a CA"
	grep -qF "tls = verify-ca needs tls-ca" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	pt_config "noca tls tls=verify-ca tls-ca=missing-ca.pem"
	rz sync schema
	assert_eq "$RC" 2 "missing CA file"
	grep -qF "key 'tls-ca': environment 'noca': missing-ca.pem: No such file or directory" "$T/err.txt" ||
		fail "$(cat "$T/err.txt")"
	pt_config "half tls tls-cert=$PT_DIR/server.pem"
	rz sync schema
	assert_eq "$RC" 2 "a certificate without its key"
	grep -qF "tls-cert and tls-key go together" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	pt_config "typo tls tls=verify"
	rz sync schema
	assert_eq "$RC" 2 "unknown mode"
	grep -qF "key 'tls': 'verify' is not disabled, preferred, required, verify-ca or verify-identity" "$T/err.txt" ||
		fail "$(cat "$T/err.txt")"
	# [fleet] holds the default; an environment's own value wins
	pt_config "fleetwide tls" "own plain tls=preferred"
	sed -i "s|^out = snap|out = snap\ntls = verify-ca\ntls-ca = $PT_DIR/ca.pem|" rhizome.cnf
	rz sync schema
	assert_eq "$RC" 0 "fleet default: $(cat "$T/err.txt") $(js -c .errors)"
	assert_eq "$(jq -r '.environments | [.fleetwide.server.tls, .own.server.tls, .own.server.tls_cipher] | join(",")' "$(manifest)")" \
		"verify-ca,preferred," "modes"
}

# The manifest says which server each environment's snapshot came from and
# whether the connection was encrypted.
test_manifest_records_server_version_host_name_and_cipher() {
	pt_config "plainenv plain" "tlsenv tls"
	rz sync schema
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	local m
	m=$(manifest)
	assert_eq "$(jq -r .environments.tlsenv.server.version "$m")" "$(mdb_sql tls -N -e 'SELECT VERSION()')" "version"
	assert_eq "$(jq -r .environments.tlsenv.server.hostname "$m")" "$(mdb_sql tls -N -e 'SELECT @@hostname')" "hostname"
	assert_eq "$(jq -r .environments.tlsenv.server.tls_cipher "$m")" \
		"$(mdb_sql tls -N -e "SHOW GLOBAL STATUS LIKE 'Ssl_cipher'" | cut -f2)" "cipher (preferred)"
	assert_eq "$(jq -r .environments.plainenv.server.tls_cipher "$m")" null "no TLS: no cipher"
	assert_eq "$(jq -r .environments.plainenv.server.tls "$m")" preferred "the default mode"
}

# RELIABILITY 18: an option file asking for reconnect, and the connection
# reset in the middle of a data batch, on a server whose time zone is +05:30:
# the run says reconnect was turned off, retries the tables the reset took on
# a new connection (with the session's settings: UTC), and writes exactly
# what a clean run writes.
test_reconnect_and_a_reset_mid_batch_give_the_clean_runs_data() {
	local down
	printf '[client]\nreconnect = 1\n' >my.cnf
	chmod 600 my.cnf
	pt_config "zoned plain option-file=my.cnf pool=1"
	pt_clean_run
	assert_eq "$(jq -r .at clean/zoned/expected_data/app_t01.json)" "2021-06-01 06:30:00" "UTC in the clean run"

	# How many bytes the server sends in a clean run through the proxy:
	# the reset comes at three quarters of that, inside the data batch.
	pt_proxy --delay-ms 0 --count-file counts1
	sed -i "s/^port = .*/port = $PROXY_PORT/" rhizome.cnf
	rz sync data --dry-run
	kill $PROXY_PID; wait $PROXY_PID 2>/dev/null
	down=$(sed -n 's/.*bytes_down=\([0-9]*\).*/\1/p' counts1)
	[ -n "$down" ] && [ "$down" -gt 4000 ] || fail "bytes down: $(cat counts1)"

	pt_proxy --delay-ms 0 --reset-after-bytes $((down * 3 / 4)) --count-file counts2
	sed -i "s/^port = .*/port = $PROXY_PORT/" rhizome.cnf
	rz sync data
	kill $PROXY_PID; wait $PROXY_PID 2>/dev/null
	assert_eq "$RC" 0 "run with a reset: $(cat "$T/err.txt") $(js -c .errors)"
	grep -q "resets=1" counts2 || fail "the proxy did not reset: $(cat counts2)"
	grep -qF "my.cnf asks for reconnect; turned off" "$T/err.txt" || fail "no warning: $(cat "$T/err.txt")"
	diff -r clean/zoned snap/zoned >diff.txt || fail "output differs from the clean run: $(head -20 diff.txt)"
	assert_no_password
}

# RELIABILITY 5: a wrong password is one attempt (the server counts one
# denied login, however many batches and pool slots the environment has),
# one error for the environment, the others complete, and the password is
# never shown.
test_wrong_password_is_one_attempt_and_never_shown() {
	local before after
	pt_config "wrongpw plain password-env=WRONG_PASSWORD pool=4" "fine tls"
	sed -i 's/^\[fleet\]$/[fleet]\nbatch = 5/' rhizome.cnf
	before=$(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Access_denied_errors'" | cut -f2)
	WRONG_PASSWORD="wrong-$RHIZOME_IT_PASSWORD" rz sync schema
	after=$(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Access_denied_errors'" | cut -f2)
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	assert_eq "$((after - before))" 1 "denied logins"
	assert_eq "$(js -c '[.errors[] | [.env, .code, (.tables_not_fetched | length)]]')" \
		"[[\"wrongpw\",1045,$NTABLES]]" "errors"
	assert_eq "$(js .new_count)" "$NTABLES" "the other environment completes"
	assert_eq "$(grep -c 'wrongpw: .*1045' "$T/err.txt")" 1 "told once on stderr: $(cat "$T/err.txt")"
	assert_no_password
	! grep -rqF -- "wrong-" "$T/out.json" "$T/err.txt" snap || fail "the wrong password is shown"

	# Across a 10 ms round trip, where a pool that opened its connections
	# together would send them all before the first was refused: still
	# one.
	pt_proxy --delay-ms 5
	sed -i "0,/^port = .*/s//port = $PROXY_PORT/" rhizome.cnf
	before=$(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Access_denied_errors'" | cut -f2)
	WRONG_PASSWORD="wrong-$RHIZOME_IT_PASSWORD" rz sync schema
	after=$(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Access_denied_errors'" | cut -f2)
	kill $PROXY_PID
	assert_eq "$RC" 3 "through the proxy: exit status: $(cat "$T/err.txt")"
	assert_eq "$((after - before))" 1 "denied logins through a 10 ms round trip"
}

# RELIABILITY 8: round trips of 2 to 2.6 s (fault_proxy: 1 s each way plus
# up to 300 ms of jitter), under timeouts of 8 s: the run completes (exit
# 0) with no false timeout and the files equal a clean run's. One
# environment, pool = 1 and one batch, so a handful of round trips: the
# connect, the key lookup, the batch. The bound is a liveness bound (some
# 8 round trips of 2.6 s at most, under 60 s), the lower one only shows
# the delay was there.
test_two_second_round_trips_with_jitter_complete_without_a_false_timeout() {
	local started elapsed trips
	pt_config "slow plain pool=1 connect-timeout=8 read-timeout=8 query-timeout=8"
	pt_clean_run
	pt_proxy --delay-ms 1000 --jitter-ms 300 --seed 8 --count-file counts
	sed -i "s/^port = .*/port = $PROXY_PORT/" rhizome.cnf
	started=$SECONDS
	rz sync data
	elapsed=$((SECONDS - started))
	kill -USR1 $PROXY_PID
	sleep 0.3
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt") $(js -c .errors)"
	assert_eq "$(js -c .errors)" "[]" "errors"
	! grep -qi "timed out\|timeout" "$T/err.txt" || fail "a false timeout: $(cat "$T/err.txt")"
	assert_eq "$(js .new_count)" "$NTABLES" "tables written"
	diff -r clean/slow snap/slow >diff.txt || fail "output differs from the clean run: $(head -20 diff.txt)"
	trips=$(sed -n 's/.*round_trips=\([0-9]*\).*/\1/p' counts)
	[ -n "$trips" ] && [ "$trips" -ge 3 ] || fail "round trips through the proxy: $(cat counts)"
	[ "$elapsed" -ge 4 ] || fail "took ${elapsed}s: the delay was not there ($(cat counts))"
	[ "$elapsed" -lt 60 ] || fail "took ${elapsed}s for $trips round trips of at most 2.6 s"
	pt_assert_left_clean
}

# RELIABILITY 11, the key lookup: `sync data` first reads every table's
# key in one round trip; a connection reset there (the proxy resets its
# first connection after 1000 bytes, inside that answer) is retried on a
# new connection, as a batch's is: the files equal a clean run's.
test_a_reset_during_the_key_lookup_is_retried() {
	pt_config "keyed plain pool=1 retries=1"
	pt_clean_run
	pt_proxy --delay-ms 0 --reset-after-bytes 1000 --count-file counts
	sed -i "s/^port = .*/port = $PROXY_PORT/" rhizome.cnf
	rz sync data
	kill -USR1 $PROXY_PID; sleep 0.3
	grep -q "resets=1" counts || fail "the proxy did not reset: $(cat counts)"
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt") $(js -c .errors)"
	diff -r clean/keyed snap/keyed >diff.txt || fail "output differs from the clean run: $(head -20 diff.txt)"
	pt_assert_left_clean
}

# RELIABILITY 9: a server that stops answering mid-result
# (fault_proxy --stall-after-bytes, three quarters into a clean run's
# bytes): the read timeout fires and is said as a timeout, not as the
# library's "Lost connection"; with retries = 0 nothing is tried again;
# the tables before the stall and the other environment are written.
# Meanwhile the password is in no argument list. (With retries, the next
# test: the stalled table alone and its batch-mates on new connections.)
test_read_timeout_is_said_as_a_timeout() {
	local started elapsed rpid down
	pt_config "stalled plain read-timeout=2 query-timeout=30 pool=1 retries=0" "fine tls"
	pt_proxy --delay-ms 0 --count-file counts1
	sed -i "0,/^port = .*/s//port = $PROXY_PORT/" rhizome.cnf
	rz sync data --dry-run --env stalled
	kill $PROXY_PID; wait $PROXY_PID 2>/dev/null
	assert_eq "$RC" 0 "clean run: $(cat "$T/err.txt")"
	down=$(sed -n 's/.*bytes_down=\([0-9]*\).*/\1/p' counts1)
	pt_proxy --delay-ms 0 --stall-after-bytes $((down * 3 / 4)) --count-file counts2
	sed -i "0,/^port = .*/s//port = $PROXY_PORT/" rhizome.cnf
	started=$(date +%s)
	"$RHIZOME" sync data >"$T/out.json" 2>"$T/err.txt" &
	rpid=$!
	# while it waits: the password is not in its argument list
	sleep 1
	tr '\0' ' ' </proc/$rpid/cmdline >cmdline || fail "rhizome is not running"
	grep -q "sync data" cmdline || fail "cmdline: $(cat cmdline)"
	! grep -qF -- "$RHIZOME_IT_PASSWORD" cmdline || fail "the password is in the argument list"
	wait $rpid
	RC=$?
	elapsed=$(($(date +%s) - started))
	kill -USR1 $PROXY_PID; sleep 0.3
	! grep -qE 'Sanitizer|runtime error:' "$T/err.txt" || fail "sanitizer report: $(cat "$T/err.txt")"
	grep -q "stalls=1" counts2 || fail "the proxy did not stall: $(cat counts2)"
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	[ "$elapsed" -lt 12 ] || fail "took ${elapsed}s with a 2 s read-timeout"
	[ "$(js '[.errors[] | select(.env == "stalled")] | length')" -ge 1 ] || fail "no error: $(js -c .errors)"
	assert_eq "$(js '[.errors[] | select(.env == "stalled") | .message |
		select(startswith("timed out after 2 s waiting for the server (read-timeout): "))] | length')" \
		"$(js '[.errors[] | select(.env == "stalled")] | length')" "every error said as a timeout: $(js -c .errors)"
	assert_eq "$(js '[.errors[] | select(.env == "stalled") | .attempts] | unique')" "[
  1
]" "not retried"
	assert_eq "$(js '([.new[] | select(startswith("snap/stalled/"))] | length) + ([.errors[] | select(.env == "stalled")] | length)')" \
		"$NTABLES" "stalled: written or failed"
	assert_eq "$(js '[.new[] | select(startswith("snap/fine/"))] | length')" "$NTABLES" "the other environment"
}

# RELIABILITY 9, with retries: the connection stalls mid-result once (the
# proxy stalls its first connection only); the read timeout fires, the
# table being read is tried again alone on a new connection, its
# batch-mates are sent again on another: the run completes (exit 0) with
# the files of a clean run, within a few read timeouts.
test_a_stall_mid_result_is_retried_on_a_new_connection() {
	local started elapsed down
	pt_config "stalled plain read-timeout=2 query-timeout=30 pool=1 retries=1"
	pt_proxy --delay-ms 0 --count-file counts1
	sed -i "s/^port = .*/port = $PROXY_PORT/" rhizome.cnf
	rz sync data
	kill $PROXY_PID; wait $PROXY_PID 2>/dev/null
	assert_eq "$RC" 0 "clean run: $(cat "$T/err.txt")"
	mv snap clean
	down=$(sed -n 's/.*bytes_down=\([0-9]*\).*/\1/p' counts1)
	pt_proxy --delay-ms 0 --stall-after-bytes $((down / 2)) --count-file counts2
	sed -i "s/^port = .*/port = $PROXY_PORT/" rhizome.cnf
	started=$(date +%s)
	rz sync data
	elapsed=$(($(date +%s) - started))
	kill -USR1 $PROXY_PID; sleep 0.3
	grep -q "stalls=1" counts2 || fail "the proxy did not stall: $(cat counts2)"
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	[ "$elapsed" -lt 12 ] || fail "took ${elapsed}s with a 2 s read-timeout"
	diff -r clean/stalled snap/stalled >diff.txt || fail "output differs from the clean run: $(head -20 diff.txt)"
	pt_assert_left_clean
}

# RELIABILITY 10: a server trickling its answer (fault_proxy at 8 kbit/s,
# every wait far under read-timeout, which an idle timer never trips): the
# wall-clock deadline of the round trip (query-timeout) cuts it off, the
# query is killed on the server; the table being read fails saying so and
# is not retried, the batch-mates not read are sent again on a new
# connection (retries = 1: once), what was read whole is written whole,
# nothing partial.
test_trickling_server_is_cut_off_at_the_query_timeout() {
	local started elapsed f
	pt_config "trickled plain query-timeout=2 read-timeout=10 pool=1 retries=1"
	pt_proxy --delay-ms 0 --bandwidth-kbps 8
	sed -i "s/^port = .*/port = $PROXY_PORT/" rhizome.cnf
	started=$(date +%s)
	rz sync data
	elapsed=$(($(date +%s) - started))
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	# two round trips of 2 s, their connects through the trickle, a backoff
	[ "$elapsed" -lt 15 ] || fail "took ${elapsed}s with a 2 s query-timeout, retries 1"
	[ "$(js .error_count)" -ge 1 ] || fail "nothing cut off: $(js -c .errors)"
	# the first cut's table was tried once; the batch-mates after it twice
	assert_eq "$(js '[.errors[] | select(.attempts == 1)] | length')" 1 \
		"one table cut off in the first round trip: $(js -c .errors)"
	[ "$(js '[.errors[] | select(.attempts == 2)] | length')" -ge 1 ] ||
		fail "the batch-mates were not sent again: $(js -c .errors)"
	assert_eq "$(js '[.errors[] | select(.message | startswith("timed out after 2 s (query-timeout)"))] | length')" \
		"$(js .error_count)" "every error is the deadline's: $(js -c .errors)"
	assert_eq "$(( $(js .new_count) + $(js .error_count) ))" "$NTABLES" "written or failed"
	for f in snap/trickled/expected_data/*.json; do
		[ -e "$f" ] || continue
		jq -e .id "$f" >/dev/null || fail "partial file $f"
	done
	[ -z "$(find snap -name '.rhizome-tmp*')" ] || fail "temporaries left"
	[ -z "$(mdb_sql plain -N -e "SELECT id FROM information_schema.processlist WHERE user = 'rhizome' AND info IS NOT NULL")" ] ||
		fail "a query of ours still runs"
}

# env-timeout bounds a whole environment from the run's start: behind a
# trickle, with a query-timeout far off, the round trip in flight is cut
# off when env-timeout runs out, killed on the server, and nothing more is
# sent; every table not written fails saying so; the other environment,
# without a bound, completes.
test_env_timeout_cuts_off_a_slow_environment_and_the_other_completes() {
	local started elapsed
	pt_proxy --delay-ms 0 --trickle-bytes 1000
	pt_config "slow plain port=$PROXY_PORT env-timeout=3 query-timeout=60 read-timeout=30 pool=1" \
		"fine plain"
	started=$(date +%s)
	rz sync data
	elapsed=$(($(date +%s) - started))
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	# 3 s, and the kill; far from the 60 s query-timeout
	[ "$elapsed" -lt 12 ] || fail "took ${elapsed}s with a 3 s env-timeout"
	assert_eq "$(js '[.errors[] | select(.env != "slow")] | length')" 0 "errors elsewhere: $(js -c .errors)"
	assert_eq "$(js '[.errors[] | select(.message | test("env-timeout \\(3 s from the run.s start\\)") | not)] | length')" \
		0 "every error is env-timeout's: $(js -c .errors)"
	[ "$(js '[.errors[] | select(.message | startswith("timed out: env-timeout"))] | length')" -ge 1 ] ||
		fail "no round trip cut off in flight: $(js -c .errors)"
	assert_eq "$(js '[.new[] | select(startswith("snap/fine/"))] | length')" "$NTABLES" "the other environment"
	assert_eq "$(( $(js '[.new[] | select(startswith("snap/slow/"))] | length') + $(js .error_count) ))" \
		"$NTABLES" "slow: written or failed"
	jq -e '.environments.slow.errors | length > 0' "$(manifest)" >/dev/null ||
		fail "the manifest does not list the failed tables"
	pt_assert_left_clean
}

# RELIABILITY 13 (in part): a LOCK TABLES ... WRITE held elsewhere costs
# the locked table a short lock wait (lock-wait-timeout, in every session's
# settings), retried `retries` times with backoff, then it fails alone with
# 1205; its batch-mates are written; no query of ours is left waiting.
test_lock_held_elsewhere_fails_one_table_fast_and_the_rest_completes() {
	local started elapsed
	pt_config "locked plain lock-wait-timeout=1 read-timeout=30 retries=2 pool=1"
	pt_lock
	started=$(date +%s)
	rz sync data
	elapsed=$(($(date +%s) - started))
	mdb_sql plain -N -e "SELECT info FROM information_schema.processlist WHERE user = 'rhizome'" >ours
	pt_unlock
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.errors[] | [.table, .code, .attempts]]')" '[["t20",1205,3]]' "errors"
	assert_eq "$(js .new_count)" $((NTABLES - 1)) "the batch-mates"
	# RELIABILITY 28: the manifest alone tells what failed, how often tried
	assert_eq "$(jq -c '.environments.locked.errors | map([.table, .code, .attempts])' "$(manifest)")" \
		'[["t20",1205,3]]' "manifest errors"
	jq -r '.environments.locked.errors[0].message' "$(manifest)" | grep -q "Lock wait timeout" ||
		fail "manifest message: $(jq -c .environments.locked.errors "$(manifest)")"
	# and the history: a line for every table, the failed one with its error
	zstd -dcq "$(dirname "$(manifest)")/locked.jsonl.zst" >history.jsonl
	assert_eq "$(wc -l <history.jsonl)" "$NTABLES" "history lines"
	assert_eq "$(jq -c 'select(.status == "error") | [.table, .code, .attempts, has("body")]' history.jsonl)" \
		'["t20",1205,3,false]' "the failed table's history line"
	# three waits of 1 s and two backoffs; far from the 30 s read timeout
	[ "$elapsed" -lt 15 ] || fail "took ${elapsed}s with a 1 s lock-wait-timeout"
	[ "$elapsed" -ge 3 ] || fail "took ${elapsed}s: not retried twice after 1 s waits"
	[ ! -s ours ] || fail "queries of ours left on the server: $(cat ours)"
}

# RELIABILITY 14: a table dropped between listing and fetching. sync data
# lists the tables' keys first (one query on information_schema), then
# fetches the rows in a batch (pool = 1: one batch, t01 to t40 in order).
# The batch is held at t20 by a LOCK TABLES elsewhere, which makes the
# order certain: t30 is dropped while our query waits (after the key
# lookup, which saw it), then the lock goes. t30 is reported `missing`
# (SPEC: not there, no plain file), the run goes on to t31..t40 (exit 0)
# and every other file equals a clean run's. A schema of its own (a copy
# of app), so the other tests keep their t30.
test_a_table_dropped_between_listing_and_fetching_is_missing_and_the_rest_completes() {
	local rpid started elapsed f i
	{
		echo "DROP DATABASE IF EXISTS dropping; CREATE DATABASE dropping;"
		for i in $(seq -w 1 $NTABLES); do
			echo "CREATE TABLE dropping.t$i LIKE app.t$i;"
			echo "INSERT INTO dropping.t$i SELECT * FROM app.t$i;"
		done
	} | mdb_sql plain || fail "cannot copy the schema"
	PT_RESTORE_SQL="DROP DATABASE IF EXISTS dropping"
	trap pt_cleanup EXIT
	pt_config "dropped plain schema=dropping pool=1 lock-wait-timeout=10 read-timeout=20"
	pt_clean_run
	[ -f clean/dropped/expected_data/app_t30.json ] || fail "no t30 in the clean run"
	pt_lock dropping.t20
	started=$SECONDS
	"$RHIZOME" sync data >"$T/out.json" 2>"$T/err.txt" &
	rpid=$!
	wait_for_our_query_on_t20 >/dev/null || exit 1
	mdb_sql plain -e "DROP TABLE dropping.t30" || fail "cannot drop t30"
	pt_unlock
	wait $rpid
	RC=$?
	elapsed=$((SECONDS - started))
	! grep -qE 'Sanitizer|runtime error:' "$T/err.txt" || fail "sanitizer report: $(cat "$T/err.txt")"
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt") $(js -c .errors)"
	assert_eq "$(js -c '[.missing[] | [.env, .table]]')" '[["dropped","t30"]]' "missing"
	assert_eq "$(js .missing_count) $(js .error_count) $(js .new_count)" "1 0 $((NTABLES - 1))" \
		"missing, errors, new"
	assert_eq "$(jq -c .environments.dropped.missing "$(manifest)")" '["t30"]' "the manifest's missing"
	[ ! -e snap/dropped/expected_data/app_t30.json ] || fail "a file for the dropped table"
	for f in clean/dropped/expected_data/*; do
		case $f in */app_t30.json) continue ;; esac
		assert_file_eq "$f" "snap/dropped/expected_data/${f##*/}" "${f##*/}"
	done
	assert_eq "$(find snap/dropped/expected_data -type f | wc -l)" $((NTABLES - 1)) "files written"
	# the lock wait was cut short by the unlock, not by lock-wait-timeout
	[ "$elapsed" -lt 10 ] || fail "took ${elapsed}s with a lock released within a second or two"
	pt_assert_left_clean
}

## RELIABILITY 13, the other half: an ALTER queued behind an open
# transaction. The ALTER waits for the transaction's metadata lock, and
# every later statement on the table waits behind the ALTER, ours too: our
# session's short lock-wait-timeout ends that wait with 1205, retried once,
# then t20 fails alone; its batch-mates are written; nothing of ours is
# left waiting on the server.
test_alter_queued_behind_an_open_transaction_fails_one_table_fast() {
	local started elapsed id
	pt_config "queued plain lock-wait-timeout=1 read-timeout=30 retries=1 pool=1"
	# the transaction (killed by pt_unlock: its SLEEP(60))
	mdb_sql plain -e "START TRANSACTION; SELECT COUNT(*) FROM app.t20; SELECT SLEEP(60)" \
		>/dev/null 2>&1 &
	LOCKER_PID=$!
	PT_RESTORE_SQL="ALTER TABLE app.t20 DROP COLUMN IF EXISTS stress_zz"
	trap pt_cleanup EXIT
	for _ in $(seq 50); do
		mdb_sql plain -N -e "SHOW PROCESSLIST" | grep -q "SLEEP(60)" && break
		sleep 0.1
	done
	mdb_sql plain -e "SET SESSION lock_wait_timeout = 60; ALTER TABLE app.t20 ADD COLUMN stress_zz INT" \
		>/dev/null 2>&1 &
	for _ in $(seq 50); do
		[ -n "$(mdb_sql plain -N -e "SELECT id FROM information_schema.processlist
			WHERE info LIKE 'ALTER TABLE app.t20%' AND state LIKE '%metadata lock%'")" ] && break
		sleep 0.1
	done
	started=$(date +%s)
	rz sync data
	elapsed=$(($(date +%s) - started))
	# the ALTER must not run: killed before the transaction ends
	id=$(mdb_sql plain -N -e "SELECT id FROM information_schema.processlist
		WHERE info LIKE 'ALTER TABLE app.t20%'")
	[ -n "$id" ] || fail "the ALTER was not waiting any more"
	mdb_sql plain -e "KILL $id"
	pt_unlock
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt")"
	assert_eq "$(js -c '[.errors[] | [.table, .code, .attempts]]')" '[["t20",1205,2]]' "errors"
	assert_eq "$(js .new_count)" $((NTABLES - 1)) "the batch-mates"
	[ "$elapsed" -lt 15 ] || fail "took ${elapsed}s with a 1 s lock-wait-timeout"
	pt_assert_left_clean
}

# RELIABILITY 22 (in part): SIGTERM while a query of ours waits on the
# server (behind a LOCK TABLES elsewhere, with long timeouts), and the
# network between has lost that connection, so the server never hears ours
# close (fault_proxy --stall-after-bytes --hold-stalled, the stall at the
# byte the server had sent when the query began to wait): exit 143 within a
# couple of seconds, and the query is killed on the server (KILL QUERY on a
# connection of its own), not left waiting for the lock.
test_sigterm_kills_our_running_query_on_the_server() {
	local rpid started rc down
	pt_config "locked plain lock-wait-timeout=60 read-timeout=90 pool=1"
	pt_lock
	# 1. how many bytes the server sends before the query waits
	pt_proxy --delay-ms 0 --count-file counts1
	sed -i "s/^port = .*/port = $PROXY_PORT/" rhizome.cnf
	"$RHIZOME" --quiet sync data --dry-run >/dev/null 2>&1 &
	rpid=$!
	wait_for_our_query_on_t20 >/dev/null || exit 1
	sleep 0.5
	kill -USR1 $PROXY_PID
	sleep 0.3
	down=$(sed -n 's/.*bytes_down=\([0-9]*\).*/\1/p' counts1)
	kill -TERM $rpid; wait $rpid
	kill $PROXY_PID; wait $PROXY_PID 2>/dev/null
	[ -n "$down" ] || fail "no counts: $(cat counts1)"
	for _ in $(seq 30); do [ -z "$(waiting_on_t20)" ] && break; sleep 0.1; done

	# 2. again, the connection lost in the network at that byte
	pt_proxy --delay-ms 0 --stall-after-bytes "$down" --hold-stalled --count-file counts2
	sed -i "s/^port = .*/port = $PROXY_PORT/" rhizome.cnf
	"$RHIZOME" sync data >"$T/out.json" 2>"$T/err.txt" &
	rpid=$!
	wait_for_our_query_on_t20 >/dev/null || exit 1
	sleep 0.5
	started=$SECONDS
	kill -TERM $rpid
	wait $rpid
	rc=$?
	kill -USR1 $PROXY_PID; sleep 0.3
	grep -q "stalls=1" counts2 || fail "the proxy did not stall: $(cat counts2)"
	assert_eq "$rc" 143 "exit status: $(cat "$T/err.txt")"
	[ $((SECONDS - started)) -le 4 ] || fail "took $((SECONDS - started)) s to stop"
	for _ in $(seq 30); do [ -z "$(waiting_on_t20)" ] && break; sleep 0.1; done
	waiting_on_t20 >ours
	pt_unlock
	[ ! -s ours ] || fail "our query still waits on the server: id $(cat ours)"
	! grep -qE 'Sanitizer|runtime error:' "$T/err.txt" || fail "sanitizer report: $(cat "$T/err.txt")"
}

# RELIABILITY 12 (in part): a DBA's KILL of our connection mid-batch (while
# its query waits behind a LOCK TABLES elsewhere, which is then released):
# the batch goes on from the killed table on a new connection, with the
# session's settings, and the files equal a clean run's.
test_a_dbas_kill_of_our_connection_is_survived() {
	local id rpid
	pt_config "zoned plain lock-wait-timeout=30 read-timeout=60 pool=1"
	pt_clean_run
	pt_lock
	"$RHIZOME" sync data >"$T/out.json" 2>"$T/err.txt" &
	rpid=$!
	id=$(wait_for_our_query_on_t20) || exit 1
	mdb_sql plain -e "KILL $id"
	pt_unlock
	wait $rpid
	RC=$?
	! grep -qE 'Sanitizer|runtime error:' "$T/err.txt" || fail "sanitizer report: $(cat "$T/err.txt")"
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt") $(cat "$T/out.json")"
	diff -r clean/zoned snap/zoned >diff.txt || fail "output differs from the clean run: $(head -20 diff.txt)"
	assert_eq "$(jq -r .at snap/zoned/expected_data/app_t20.json)" "2021-06-01 06:30:00" "t20 in UTC"
}

# RELIABILITY 12: the server restarts while a query of ours waits on it
# (behind a lock that goes with the restart): the connection is lost, the
# pool reconnects once the server is back (a server this run had reached
# is waited for, up to (retries + 1) x connect-timeout), the batch goes on
# from where it broke, with the session's settings: the files equal a
# clean run's.
test_a_server_restart_mid_run_is_survived() {
	local rpid port
	pt_config "zoned plain lock-wait-timeout=30 read-timeout=60 connect-timeout=4 pool=1"
	pt_clean_run
	pt_lock
	"$RHIZOME" sync data >"$T/out.json" 2>"$T/err.txt" &
	rpid=$!
	wait_for_our_query_on_t20 >/dev/null || exit 1
	port=$(mdb_port plain)
	mdb_stop plain
	wait "$LOCKER_PID" 2>/dev/null # its session went with the server
	LOCKER_PID=""
	MDB_SERVER_ARGS=(--default-time-zone=+05:30)
	mdb_start plain "$port" >/dev/null || fail "the server did not come back"
	MDB_SERVER_ARGS=()
	wait $rpid
	RC=$?
	! grep -qE 'Sanitizer|runtime error:' "$T/err.txt" || fail "sanitizer report: $(cat "$T/err.txt")"
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt") $(js -c .errors)"
	diff -r clean/zoned snap/zoned >diff.txt || fail "output differs from the clean run: $(head -20 diff.txt)"
}

# RELIABILITY 16 (first half): the server full (max_connections, 1040)
# once the environment holds a connection: the pool lives with the ones it
# has, not a failure; the files equal a clean run's. (test_sync_schema.sh's
# test_server_refusing_extra_connections_still_serves_the_environment
# meets the same with max_user_connections, 1226.) max_connections = 10,
# MariaDB's least, with 9 sessions held elsewhere: rhizome's first
# connection (its key lookup's) is the one the server has left, the three
# more that pool = 4 and eight batches ask for are refused after their
# login (the server counts them as aborted connects).
test_max_connections_reached_after_the_first_connection_shrinks_the_pool() {
	local before after started elapsed max n ids
	pt_config "full plain pool=4"
	sed -i 's/^\[fleet\]$/[fleet]\nbatch = 5/' rhizome.cnf
	pt_clean_run
	max=$(mdb_sql plain -N -e "SELECT @@global.max_connections")
	PT_RESTORE_SQL="SET GLOBAL max_connections = $max"
	trap pt_cleanup EXIT
	# the sessions now open, less this one
	n=$(($(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Threads_connected'" | cut -f2) - 1))
	for _ in $(seq $((9 - n))); do
		mdb_sql plain -e "SELECT SLEEP(61)" >/dev/null 2>&1 &
	done
	for _ in $(seq 50); do
		[ "$(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Threads_connected'" | cut -f2)" = 10 ] && break
		sleep 0.1
	done
	mdb_sql plain -e "SET GLOBAL max_connections = 10"
	assert_eq "$(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Threads_connected'" | cut -f2)" 10 \
		"sessions with the checker's"
	before=$(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Aborted_connects'" | cut -f2)
	started=$SECONDS
	rz sync data
	elapsed=$((SECONDS - started))
	after=$(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Aborted_connects'" | cut -f2)
	mdb_sql plain -e "$PT_RESTORE_SQL"
	ids=$(mdb_sql plain -N -e "SELECT id FROM information_schema.processlist
		WHERE info LIKE 'SELECT SLEEP(61)%'")
	for n in $ids; do mdb_sql plain -e "KILL $n"; done
	wait
	[ $((after - before)) -ge 1 ] || fail "the server refused no connection of ours"
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt") $(js -c .errors)"
	assert_eq "$(js -c .errors)" "[]" "errors"
	assert_eq "$(js .new_count)" "$NTABLES" "tables written"
	diff -r clean/full snap/full >diff.txt || fail "output differs from the clean run: $(head -20 diff.txt)"
	# refused connects are not waited for: a few connect timeouts (3 s)
	[ "$elapsed" -lt 10 ] || fail "took ${elapsed}s"
	pt_assert_left_clean
}

# RELIABILITY 16 (second half): a pooled connection idle past the server's
# wait_timeout is replaced, not a failure. A run hands a job to the
# connection given back last, as soon as one is free, so a connection
# that sat idle is taken again when the work grows back: after a lost
# connection, whose tables are retried on "a new connection" after a
# backoff. Here wait_timeout = 1 for the sessions opened after it, pool =
# 2, one batch per connection; the batch with t20 waits behind a LOCK
# TABLES while the other finishes and its connection idles until the
# server closes it (seen as it goes from the processlist); then a DBA's
# KILL of the waiting connection (case 12) and the lock released. With
# retries = 1 the KILL is the one fault the retry is for: the dead idle
# handle must be replaced (a new connection), not cost the retry. Exit 0,
# the files equal a clean run's.
test_a_pooled_connection_idle_past_wait_timeout_is_replaced() {
	local rpid id wt before n started elapsed
	pt_config "idle plain pool=2 lock-wait-timeout=30 read-timeout=60 retries=1"
	pt_clean_run
	pt_lock
	wt=$(mdb_sql plain -N -e "SELECT @@global.wait_timeout")
	PT_RESTORE_SQL="SET GLOBAL wait_timeout = $wt"
	trap pt_cleanup EXIT
	mdb_sql plain -e "SET GLOBAL wait_timeout = 1"
	before=$(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Aborted_clients'" | cut -f2)
	started=$SECONDS
	"$RHIZOME" sync data >"$T/out.json" 2>"$T/err.txt" &
	rpid=$!
	id=$(wait_for_our_query_on_t20) || exit 1
	# the other connection: idle, then closed by the server
	for _ in $(seq 50); do
		n=$(mdb_sql plain -N -e "SELECT COUNT(*) FROM information_schema.processlist
			WHERE user = 'rhizome' AND id <> $id")
		[ "$n" = 0 ] && [ "$(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Aborted_clients'" |
			cut -f2)" -gt "$before" ] && break
		sleep 0.1
	done
	[ "$n" = 0 ] || fail "the idle connection was not closed by the server"
	[ "$(mdb_sql plain -N -e "SHOW GLOBAL STATUS LIKE 'Aborted_clients'" | cut -f2)" -gt "$before" ] ||
		fail "no connection of ours timed out on the server"
	mdb_sql plain -e "KILL $id"
	pt_unlock
	wait $rpid
	RC=$?
	elapsed=$((SECONDS - started))
	mdb_sql plain -e "$PT_RESTORE_SQL"
	! grep -qE 'Sanitizer|runtime error:' "$T/err.txt" || fail "sanitizer report: $(cat "$T/err.txt")"
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt") $(js -c .errors)"
	assert_eq "$(js -c .errors)" "[]" "errors"
	diff -r clean/idle snap/idle >diff.txt || fail "output differs from the clean run: $(head -20 diff.txt)"
	# the lock went within a few seconds; a backoff or two after that
	[ "$elapsed" -lt 15 ] || fail "took ${elapsed}s"
	pt_assert_left_clean
}

# The statement limit the server enforces sits below read-timeout, so the
# server answers before the client gives up; the session settings are
# those rhizome set, whatever the server's defaults.
test_session_settings_hold_on_the_server() {
	pt_config "zoned plain read-timeout=7 lock-wait-timeout=3"
	mdb_sql plain -e "SET GLOBAL general_log_file = '$T/general.log', general_log = 1"
	rz sync schema
	mdb_sql plain -e "SET GLOBAL general_log = 0"
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt")"
	grep -qF "SET time_zone = '+00:00', sql_mode = '', lock_wait_timeout = 3, innodb_lock_wait_timeout = 3" \
		"$T/general.log" || fail "init command: $(grep -i 'SET ' "$T/general.log")"
	grep -qF "innodb_lock_wait_timeout = 3, max_statement_time = 6" "$T/general.log" ||
		fail "statement limit: $(grep -i 'SET ' "$T/general.log")"
}

# RELIABILITY 25: a row larger than max_allowed_packet. The server sends a
# result row of any size whatever its own max_allowed_packet (only a
# function's result, REPEAT or CONCAT, is cut to NULL there, and rhizome
# reads rows with SELECT *): the limit that bites is the client's, which
# libmariadb takes from an option file (in bytes: it reads "1M" as 1).
# Here a 2 MiB row in one table of five, one batch (pool = 1) with that
# table in the middle, and max_allowed_packet = 1 MiB in the option file:
# that table fails with an error that says max_allowed_packet, the tables
# after it in the batch are fetched (exit 3); the plain files of the clean
# run before (made without the limit) are untouched, the big one included.
test_a_row_larger_than_max_allowed_packet_fails_that_table_alone() {
	local started elapsed f
	mdb_sql plain <<SQL || fail "cannot create the tables"
DROP DATABASE IF EXISTS wide; CREATE DATABASE wide;
CREATE TABLE wide.t1 (id INT PRIMARY KEY, v INT); INSERT INTO wide.t1 VALUES (1, 1);
CREATE TABLE wide.t2 (id INT PRIMARY KEY, v INT); INSERT INTO wide.t2 VALUES (1, 2);
CREATE TABLE wide.t3big (id INT PRIMARY KEY, v LONGBLOB);
INSERT INTO wide.t3big VALUES (1, REPEAT('x', 2 * 1024 * 1024));
CREATE TABLE wide.t4 (id INT PRIMARY KEY, v INT); INSERT INTO wide.t4 VALUES (1, 4);
CREATE TABLE wide.t5 (id INT PRIMARY KEY, v INT); INSERT INTO wide.t5 VALUES (1, 5);
SQL
	PT_RESTORE_SQL="DROP DATABASE IF EXISTS wide"
	trap pt_cleanup EXIT
	printf '[client]\nmax_allowed_packet = 1048576\n' >my.cnf
	chmod 600 my.cnf
	pt_config "wide plain schema=wide pool=1"
	sed -i 's/^tables = .*/tables = t1 t2 t3big t4 t5/' rhizome.cnf
	rz sync data
	assert_eq "$RC" 0 "clean run: $(cat "$T/err.txt") $(js -c .errors)"
	assert_eq "$(js .new_count)" 5 "clean run: tables written"
	cp -a snap clean
	pt_config "wide plain schema=wide pool=1 option-file=my.cnf"
	sed -i 's/^tables = .*/tables = t1 t2 t3big t4 t5/' rhizome.cnf
	started=$SECONDS
	rz sync data --verbose
	elapsed=$((SECONDS - started))
	assert_eq "$RC" 3 "exit status: $(cat "$T/err.txt") $(js -c .errors)"
	assert_eq "$(js -c '[.errors[] | .table]')" '["t3big"]' "errors: $(js -c .errors)"
	js -r '.errors[0].message' | grep -qF max_allowed_packet ||
		fail "the error does not say why: $(js -c .errors)"
	assert_eq "$(js -c '.unchanged | sort')" \
		'["snap/wide/expected_data/app_t1.json","snap/wide/expected_data/app_t2.json","snap/wide/expected_data/app_t4.json","snap/wide/expected_data/app_t5.json"]' \
		"the other tables"
	# (this run's manifest: the clean run's may sort after it in its second)
	jq -r '.environments.wide.errors[0].message' "$(js -r .history)/manifest.json" |
		grep -qF max_allowed_packet ||
		fail "manifest: $(jq -c .environments.wide.errors "$(js -r .history)/manifest.json")"
	for f in clean/wide/expected_data/*; do
		assert_file_eq "$f" "snap/wide/expected_data/${f##*/}" "${f##*/}"
	done
	assert_eq "$(find snap/wide/expected_data -type f | wc -l)" 5 "files"
	[ "$elapsed" -lt 10 ] || fail "took ${elapsed}s with read-timeout 10 s"
	pt_assert_left_clean
}

# RELIABILITY 4: hostile table names (a backtick, ';', Unicode, 64 bytes)
# are quoted exactly on the server and written under their own names inside
# the snapshot root; a name that would leave it is refused (exit 2) before
# any contact.
test_hostile_table_names_are_quoted_exactly_and_stay_in_the_root() {
	local long t f
	long=$(printf 'n%.0s' $(seq 64))
	# utf8mb4 whatever the locale (in the C locale the client would send
	# the names as latin1)
	mdb_sql plain --default-character-set=utf8mb4 <<SQL || fail "cannot create the tables"
CREATE DATABASE IF NOT EXISTS hostile;
CREATE TABLE IF NOT EXISTS hostile.\`tick\`\`tock\` (id INT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS hostile.\`semi;colon\` (id INT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS hostile.\`ünïcødé_表\` (id INT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS hostile.\`$long\` (id INT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS hostile.\`Case\` (id INT PRIMARY KEY, a INT);
CREATE TABLE IF NOT EXISTS hostile.\`case\` (id INT PRIMARY KEY, b INT);
SQL
	cat >rhizome.cnf <<EOF
[fleet]
out = snap
[tables hostile]
tables = tick\`tock semi;colon ünïcødé_表 $long Case case
[environment h]
folder = h
database = hostile
host = 127.0.0.1
port = $(mdb_port plain)
user = rhizome
password-env = RHIZOME_IT_PASSWORD
EOF
	rz sync schema
	assert_eq "$RC" 0 "exit status: $(cat "$T/err.txt") $(js -c .errors)"
	assert_eq "$(js .new_count)" 6 "every table fetched"
	for t in 'tick`tock' 'semi;colon' 'ünïcødé_表' "$long" Case case; do
		f="snap/h/expected_data/hostile_$t.sql"
		[ -f "$f" ] || fail "no file for $t: $(find snap -name '*.sql')"
		printf '%s;\n' "$(mdb_sql plain --default-character-set=utf8mb4 --raw -N -B -e "SHOW CREATE TABLE hostile.\`$(printf '%s' "$t" | sed 's/`/``/g')\`" |
			sed '1s/^[^\t]*\t//')" >expected
		assert_file_eq "$f" expected "$t"
	done
	assert_eq "$(find snap -type f -name '*.sql' | wc -l)" 6 "files written"
	# a name that would leave the snapshot root: refused, nothing contacted
	sed -i 's|^tables = .*|tables = ../x|' rhizome.cnf
	rm -rf snap
	rz sync schema
	assert_eq "$RC" 2 "../x: exit status"
	grep -qF "rhizome.cnf:4: key 'tables'" "$T/err.txt" || fail "$(cat "$T/err.txt")"
	[ ! -e snap ] || fail "the snapshot root was created"
}

[ $# -gt 0 ] && TESTS="$*" || TESTS=$(declare -F | awk '{print $3}' | grep '^test_')
# (mdb_start sets its own EXIT trap: this one, set after it, does both)
pt_start_servers >"$PT_DIR/start.log" 2>&1
rc=$?
trap 'mdb_stop_all; rm -rf "$PT_DIR"' EXIT
if [ $rc -ne 0 ]; then
	echo "FAIL ${PREFIX:-}start_servers"
	sed 's/^/    /' "$PT_DIR/start.log"
	exit 1
fi
it_run $TESTS
