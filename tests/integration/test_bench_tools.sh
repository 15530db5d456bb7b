#!/usr/bin/env bash
# The bench tools that need no database: fault_proxy (its options, the
# delay it adds, the round trips it counts, the resets and stalls it
# injects) against a small echo server, and
# bench/report.sh turning a results.csv into Markdown and a plot.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PROXY=${PROXY:-$ROOT/bench/build/fault_proxy}
FLEETGEN=${FLEETGEN:-$ROOT/bench/build/fleetgen}
BASELINE=${BASELINE:-$ROOT/bench/build/baseline}
T=$(mktemp -d /tmp/rhizome-benchtools.XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

pass() { echo "PASS ${PREFIX:-}$1"; }
fail() { echo "FAIL ${PREFIX:-}$1: $2"; }

# Start the proxy with ARGS in front of the echo server; sets PPORT.
start_proxy() {
	"$PROXY" --listen 0 --target "127.0.0.1:$EPORT" "$@" --count-file "$T/counts" \
		>"$T/proxy.out" 2>"$T/proxy.err" &
	PPID_=$!
	PIDS="$PIDS $PPID_"
	for _ in $(seq 100); do
		PPORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/proxy.out")
		[ -n "$PPORT" ] && return 0
		sleep 0.05
	done
	return 1
}

# An echo server: answers every chunk with the same bytes. A reset (the
# proxy's --reset-after-bytes resets this side too, and closing a stalled
# connection with unread data does) ends a connection like a close.
python3 - "$T/echo.port" <<'EOF' &
import socket, sys, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
def serve(c):
    try:
        while True:
            d = c.recv(65536)
            if not d: break
            c.sendall(d)
    except ConnectionError:
        pass
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
PIDS="$PIDS $!"
for _ in $(seq 100); do [ -s "$T/echo.port" ] && break; sleep 0.05; done
EPORT=$(cat "$T/echo.port" 2>/dev/null)

# Milliseconds that N request/answer exchanges take on one connection to
# PORT: each waits for its answer, so N exchanges through a proxy adding D
# each way cannot take less than N x 2D.
exchanges() { # PORT N
	python3 - "$1" "$2" <<'EOF'
import socket, sys, time
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t = time.monotonic()
for i in range(int(sys.argv[2])):
    c.sendall(b"ping %d\n" % i)
    got = b""
    while not got.endswith(b"\n"):
        got += c.recv(100)
    assert got == b"ping %d\n" % i, got
print(int((time.monotonic() - t) * 1000))
EOF
}

test_fault_proxy_takes_fractional_delays_and_rejects_bad_values() {
	local v out rc ms bad=""
	for v in 0 0.5 2.25; do
		start_proxy --delay-ms "$v" || { fail "${FUNCNAME[0]}" "--delay-ms $v: not listening: $(cat "$T/proxy.err")"; return; }
		if [ "$v" = 0.5 ]; then
			# 40 x 1 ms: 40 ms (read as 0 ms: a few ms)
			ms=$(exchanges "$PPORT" 40)
			[ "${ms:-0}" -ge 40 ] || bad="$bad [0.5: 40 exchanges in ${ms:-?} ms, under 40]"
		fi
		kill "$PPID_"; wait "$PPID_" 2>/dev/null
	done
	for v in 0. .5 x -1 1.0000001 3600001; do
		out=$("$PROXY" --listen 0 --target 127.0.0.1:1 --delay-ms "$v" 2>&1 </dev/null)
		rc=$?
		if [ "$rc" = 0 ] || ! grep -q "bad value for --delay-ms: '$v'" <<<"$out"; then
			bad="$bad [$v: exit $rc: $out]"
		fi
	done
	[ -z "$bad" ] && pass "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "wrong:$bad"
}

# The three tools parse options through bench/options.c: --help is usage on
# stdout and exit 0; a refused value names the option and exits 2 without
# the usage; a missing option exits 2 with the usage; getopt's own errors
# are followed by the usage. Per-tool ranges stay: fleetgen's --rows takes
# 0 and its --tables does not, baseline's --timeout refuses 0.
test_bench_tools_share_help_and_usage_errors() {
	local tool name out err rc bad=""
	# expect NAME WANT_RC WANT_STDERR_LINE1 USAGE_ON_STDERR(0/1) CMD...
	expect() {
		local name=$1 want_rc=$2 want=$3 want_usage=$4; shift 4
		# a value wrongly taken would leave the proxy running: 5 s at most
		out=$(timeout 5 "$@" 2>"$T/opt.err" </dev/null); rc=$?
		err=$(cat "$T/opt.err")
		if [ "$rc" != "$want_rc" ]; then
			bad="$bad [$name: exit $rc, want $want_rc: $err]"
		elif [ -n "$want" ] && [ "$(head -1 <<<"$err")" != "$want" ]; then
			bad="$bad [$name: stderr '$(head -1 <<<"$err")', want '$want']"
		elif [ "$want_usage" = 1 ] && ! grep -q '^usage: ' <<<"$err"; then
			bad="$bad [$name: no usage on stderr: $err]"
		elif [ "$want_usage" = 0 ] && grep -q '^usage: ' <<<"$err"; then
			bad="$bad [$name: usage on stderr: $err]"
		fi
	}
	for tool in "$PROXY" "$FLEETGEN" "$BASELINE"; do
		name=$(basename "$tool")
		out=$("$tool" --help 2>"$T/opt.err"); rc=$?
		if [ "$rc" != 0 ] || ! grep -q "^usage: $name " <<<"$out" || [ -s "$T/opt.err" ]; then
			bad="$bad [$name --help: exit $rc, stdout '$(head -1 <<<"$out")', stderr '$(cat "$T/opt.err")']"
		fi
		expect "$name --bogus" 2 "$tool: unrecognized option '--bogus'" 1 "$tool" --bogus
	done
	expect "proxy no args" 2 "fault_proxy: --listen, --target and --delay-ms are required" 1 "$PROXY"
	expect "proxy --listen 65536" 2 "fault_proxy: bad value for --listen: '65536'" 0 \
		"$PROXY" --listen 65536 --target 127.0.0.1:1 --delay-ms 1
	expect "proxy --seed -1" 2 "fault_proxy: bad value for --seed: '-1'" 0 \
		"$PROXY" --listen 0 --target 127.0.0.1:1 --delay-ms 1 --seed -1
	expect "fleetgen no args" 2 "fleetgen: --envs or --list is required" 1 "$FLEETGEN"
	expect "fleetgen --tables 0" 2 "fleetgen: bad value for --tables: '0'" 0 "$FLEETGEN" --list --tables 0
	expect "fleetgen --tables 100000" 2 "fleetgen: bad value for --tables: '100000'" 0 \
		"$FLEETGEN" --list --tables 100000
	expect "fleetgen --rows 5x" 2 "fleetgen: bad value for --rows: '5x'" 0 "$FLEETGEN" --envs a --rows 5x
	expect "fleetgen --seed ''" 2 "fleetgen: bad value for --seed: ''" 0 "$FLEETGEN" --list --seed ""
	expect "fleetgen --list extra" 2 "fleetgen: --envs or --list is required" 1 "$FLEETGEN" --list extra
	expect "fleetgen --tables" 2 "$FLEETGEN: option '--tables' requires an argument" 1 "$FLEETGEN" --list --tables
	expect "fleetgen --rows 0" 0 "" 0 "$FLEETGEN" --envs a --tables 1 --rows 0
	[ "$(wc -l <<<"$out")" -gt 3 ] || bad="$bad [fleetgen --rows 0: no SQL: $out]"
	expect "fleetgen --list --tables 3" 0 "" 0 "$FLEETGEN" --list --tables 3 --seed 18446744073709551615
	[ "$out" = "$(printf 'invoice_0001\nledger_entry_0002\nbilling_event_0003')" ] ||
		bad="$bad [fleetgen --list --tables 3: '$out']"
	expect "baseline no args" 2 "baseline: --user and --schemas are required" 1 "$BASELINE"
	expect "baseline --timeout 0" 2 "baseline: bad value for --timeout: '0'" 0 \
		"$BASELINE" --user u --schemas a --timeout 0
	expect "baseline --port -1" 2 "baseline: bad value for --port: '-1'" 0 "$BASELINE" --user u --schemas a --port -1
	expect "baseline --mode x" 2 "baseline: bad value for --mode: 'x'" 0 "$BASELINE" --user u --schemas a --mode x
	expect "baseline --tables with --tables-from-server" 2 \
		"baseline: --tables and --tables-from-server exclude each other" 0 \
		"$BASELINE" --user u --schemas a --tables t --tables-from-server
	[ -z "$bad" ] && pass "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "wrong:$bad"
}

# 10 exchanges through a 15 ms (one-way) proxy: at least 10 x 30 ms, and the
# proxy counts 10 round trips on 1 connection.
test_fault_proxy_delays_each_direction_and_counts_round_trips() {
	local ms counts
	start_proxy --delay-ms 15 || { fail "${FUNCNAME[0]}" "not listening: $(cat "$T/proxy.err")"; return; }
	ms=$(exchanges "$PPORT" 10)
	kill -USR1 "$PPID_"
	for _ in $(seq 100); do [ -s "$T/counts" ] && break; sleep 0.02; done
	counts=$(cat "$T/counts" 2>/dev/null)
	kill "$PPID_"; wait "$PPID_" 2>/dev/null
	if [ -z "$ms" ] || [ "$ms" -lt 300 ]; then
		fail "${FUNCNAME[0]}" "10 exchanges took ${ms:-?} ms, less than 10 x 30 ms"
	elif ! grep -q '^connections=1 round_trips=10 bytes_up=' <<<"$counts"; then
		fail "${FUNCNAME[0]}" "counts: $counts"
	else
		pass "${FUNCNAME[0]}"
	fi
}

# Send BYTES bytes on one connection to PORT and read the echo until it
# ends; prints "N END": N bytes came back (a prefix of what was sent, else
# "corrupt" instead of N), END is complete, eof, reset or timeout. Sends
# from a thread so that a reset cannot leave it stuck behind a full buffer.
echo_until_end() { # PORT BYTES
	python3 - "$1" "$2" <<'EOF'
import socket, sys, threading
port, size = int(sys.argv[1]), int(sys.argv[2])
data = bytes(i * 7 % 251 for i in range(size))
c = socket.create_connection(("127.0.0.1", port))
c.settimeout(10)
def send():
    try:
        c.sendall(data)
    except OSError:
        pass
threading.Thread(target=send, daemon=True).start()
got, end = bytearray(), "complete"
try:
    while len(got) < size:
        d = c.recv(65536)
        if not d:
            end = "eof"
            break
        got += d
except ConnectionResetError:
    end = "reset"
except socket.timeout:
    end = "timeout"
print(len(got) if bytes(got) == data[:len(got)] else "corrupt", end)
EOF
}

# Kill the proxy and read the counts it writes at exit into COUNTS. Not
# in a $(...): a subshell cannot wait for the proxy (not its child), so
# the file would be read before the proxy wrote it.
stop_proxy_counts() {
	kill "$PPID_"; wait "$PPID_" 2>/dev/null
	COUNTS=$(cat "$T/counts" 2>/dev/null)
}

# --reset-after-bytes N: the client gets exactly N bytes of a longer answer,
# then a reset (or EOF, when the sender thread took the error first); the
# proxy counts it. 100000 of 300000 cuts across several chunks, with a
# delay; 0 resets before anything is forwarded.
test_fault_proxy_resets_a_connection_after_n_bytes() {
	local n size delay out counts bad=""
	while read -r n size delay; do
		rm -f "$T/counts"
		start_proxy --delay-ms "$delay" --reset-after-bytes "$n" ||
			{ fail "${FUNCNAME[0]}" "not listening: $(cat "$T/proxy.err")"; return; }
		out=$(echo_until_end "$PPORT" "$size")
		stop_proxy_counts
		counts=$COUNTS
		case $out in
		"$n reset" | "$n eof") ;;
		*) bad="$bad [N=$n of $size: got '$out']" ;;
		esac
		grep -q '^connections=1 round_trips=[0-9]* bytes_up=[0-9]* bytes_down=[0-9]* resets=1 stalls=0$' \
			<<<"$counts" || bad="$bad [N=$n of $size: counts '$counts']"
	done <<'EOF'
5 17 0
100000 300000 1
0 17 0
EOF
	[ -z "$bad" ] && pass "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "wrong:$bad"
}

# --reset-connections C: only the first C connections accepted are reset
# (default 1, 0: all of them); the later ones pass everything through.
test_fault_proxy_resets_only_the_first_k_connections() {
	local k want i out counts args bad=""
	for k in default 2 0; do
		args=(--delay-ms 0 --reset-after-bytes 5)
		[ "$k" != default ] && args+=(--reset-connections "$k")
		case $k in default) want=1 ;; 0) want=3 ;; *) want=$k ;; esac
		rm -f "$T/counts"
		start_proxy "${args[@]}" ||
			{ fail "${FUNCNAME[0]}" "K=$k: not listening: $(cat "$T/proxy.err")"; return; }
		for i in 1 2 3; do
			out=$(echo_until_end "$PPORT" 100000)
			if [ "$i" -le "$want" ]; then
				case $out in
				"5 reset" | "5 eof") ;;
				*) bad="$bad [K=$k conn $i: '$out', want a reset after 5]" ;;
				esac
			elif [ "$out" != "100000 complete" ]; then
				bad="$bad [K=$k conn $i: '$out', want 100000 complete]"
			fi
		done
		stop_proxy_counts
		counts=$COUNTS
		grep -q "^connections=3 .* resets=$want stalls=0\$" <<<"$counts" || bad="$bad [K=$k: counts '$counts']"
	done
	[ -z "$bad" ] && pass "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "wrong:$bad"
}

# One connection to PORT through a stalling proxy (PID): send BYTES bytes
# (from a thread), wait for the first N of the echo, then read on for SECS
# seconds, and close. Prints "GOT END CPU FDS": GOT bytes came back (a
# prefix of what was sent, else "corrupt"); END is "open" when the
# connection stayed open and silent to the end (the read timed out), else
# eof, reset or "timeout-before-N"; CPU is the proxy's CPU time over those
# SECS in ms (-1 unless open); FDS is "freed" when, once the client has
# closed, the proxy is back to the descriptors it had before the
# connection, else "leak:BEFORE->AFTER".
stall_probe() { # PORT PID BYTES N SECS
	python3 - "$@" <<'EOF'
import os, socket, sys, threading, time
port, pid, size, n, secs = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                            int(sys.argv[4]), float(sys.argv[5]))
tick = os.sysconf("SC_CLK_TCK")
def cpu_ms():
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1000 // tick   # utime + stime
def fds():
    return len(os.listdir("/proc/%s/fd" % pid))
data = bytes(i * 7 % 251 for i in range(size))
fds0 = fds()
c = socket.create_connection(("127.0.0.1", port))
def send():
    try:
        c.sendall(data)
    except OSError:
        pass
sender = threading.Thread(target=send, daemon=True)
sender.start()
got, end, cpu = bytearray(), "open", -1
try:
    c.settimeout(10)
    while len(got) < n:
        d = c.recv(65536)
        if not d:
            raise EOFError
        got += d
    cpu0, deadline = cpu_ms(), time.monotonic() + secs
    while (left := deadline - time.monotonic()) > 0:
        c.settimeout(left)
        d = c.recv(65536)
        if not d:
            raise EOFError
        got += d
except socket.timeout:
    if len(got) < n:
        end = "timeout-before-N"
    else:
        cpu = cpu_ms() - cpu0
except EOFError:
    end = "eof"
except ConnectionResetError:
    end = "reset"
# A plain close once the sender is done; shutdown() first wakes a sender
# still stuck on a full buffer, which would keep the socket open.
sender.join(2)
if sender.is_alive():
    c.shutdown(socket.SHUT_RDWR)
c.close()
for _ in range(150):
    fds1 = fds()
    if fds1 == fds0:
        break
    time.sleep(0.02)
print(len(got) if bytes(got) == data[:len(got)] else "corrupt", end, cpu,
      "freed" if fds1 == fds0 else "leak:%d->%d" % (fds0, fds1))
EOF
}

# --stall-after-bytes N: the client gets exactly N bytes of a longer answer,
# then nothing for 1.5 s while the connection stays open (no EOF, no
# reset) and the proxy sleeps (under 0.5 s of CPU over the stall, though
# the client may still be sending and the server has answered more);
# closing the client frees both sides of the pair. 100000 of 300000 cuts
# across several chunks, with a delay; 0 stalls before anything is
# forwarded.
test_fault_proxy_stalls_a_connection_after_n_bytes() {
	local n size delay out got end cpu fds counts bad=""
	while read -r n size delay; do
		rm -f "$T/counts"
		start_proxy --delay-ms "$delay" --stall-after-bytes "$n" ||
			{ fail "${FUNCNAME[0]}" "not listening: $(cat "$T/proxy.err")"; return; }
		out=$(stall_probe "$PPORT" "$PPID_" "$size" "$n" 1.5)
		read -r got end cpu fds <<<"$out"
		if [ "$got" != "$n" ] || [ "$end" != open ]; then
			bad="$bad [N=$n of $size: got '$out', want $n bytes and an open, silent connection]"
		elif [ "$cpu" -ge 500 ]; then
			bad="$bad [N=$n of $size: the proxy used $cpu ms of CPU over a 1.5 s stall]"
		elif [ "$fds" != freed ]; then
			bad="$bad [N=$n of $size: after the client closed, descriptors $fds]"
		fi
		kill -0 "$PPID_" 2>/dev/null ||
			bad="$bad [N=$n of $size: the proxy died: $(cat "$T/proxy.err")]"
		stop_proxy_counts
		counts=$COUNTS
		grep -q '^connections=1 round_trips=[0-9]* bytes_up=[0-9]* bytes_down=[0-9]* resets=0 stalls=1$' \
			<<<"$counts" || bad="$bad [N=$n of $size: counts '$counts']"
	done <<'EOF'
5 100000 0
100000 300000 1
0 17 0
EOF
	[ -z "$bad" ] && pass "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "wrong:$bad"
}

# --fault-connections C picks the connections a stall hits as it does for
# a reset, and --reset-connections is the same option: only the first C
# stall, the later ones pass everything through.
test_fault_proxy_stalls_only_the_first_k_connections() {
	local opt k i out bad=""
	for opt in fault-connections:1 reset-connections:2; do
		k=${opt#*:}
		rm -f "$T/counts"
		start_proxy --delay-ms 0 --stall-after-bytes 5 "--${opt%:*}" "$k" ||
			{ fail "${FUNCNAME[0]}" "--$opt: not listening: $(cat "$T/proxy.err")"; return; }
		for i in 1 2 3; do
			if [ "$i" -le "$k" ]; then
				out=$(stall_probe "$PPORT" "$PPID_" 100000 5 0.5)
				case $out in
				"5 open "*" freed") ;;
				*) bad="$bad [--$opt conn $i: '$out', want a stall after 5]" ;;
				esac
			else
				out=$(echo_until_end "$PPORT" 100000)
				[ "$out" = "100000 complete" ] ||
					bad="$bad [--$opt conn $i: '$out', want 100000 complete]"
			fi
		done
		stop_proxy_counts
		out=$COUNTS
		grep -q "^connections=3 .* resets=0 stalls=$k\$" <<<"$out" || bad="$bad [--$opt: counts '$out']"
	done
	[ -z "$bad" ] && pass "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "wrong:$bad"
}

# Bad fault values are refused like every other option: the message names
# the option and value, exit 2, no usage. The two faults exclude each
# other (exit 2, no usage); --fault-connections or --reset-connections
# without a fault is a usage error.
test_fault_proxy_rejects_bad_fault_values() {
	local opt v out rc base bad=""
	for opt in reset-after-bytes stall-after-bytes reset-connections fault-connections; do
		case $opt in reset-*) base=--reset-after-bytes ;; *) base=--stall-after-bytes ;; esac
		for v in x -1 "" 5x 1.5 18446744073709551616; do
			out=$(timeout 5 "$PROXY" --listen 0 --target 127.0.0.1:1 --delay-ms 0 \
				"$base" 1 "--$opt" "$v" 2>&1 </dev/null)
			rc=$?
			if [ "$rc" != 2 ] || [ "$out" != "fault_proxy: bad value for --$opt: '$v'" ]; then
				bad="$bad [--$opt '$v': exit $rc: $out]"
			fi
		done
	done
	for opt in reset-connections fault-connections; do
		out=$(timeout 5 "$PROXY" --listen 0 --target 127.0.0.1:1 --delay-ms 0 \
			"--$opt" 2 2>&1 </dev/null)
		rc=$?
		if [ "$rc" != 2 ] || [ "$(head -1 <<<"$out")" != \
			"fault_proxy: --$opt needs --reset-after-bytes or --stall-after-bytes" ] ||
			! grep -q '^usage: ' <<<"$out"; then
			bad="$bad [--$opt alone: exit $rc: $out]"
		fi
	done
	out=$(timeout 5 "$PROXY" --listen 0 --target 127.0.0.1:1 --delay-ms 0 \
		--stall-after-bytes 5 --fault-connections 0 --reset-after-bytes 5 2>&1 </dev/null)
	rc=$?
	if [ "$rc" != 2 ] ||
		[ "$out" != "fault_proxy: --reset-after-bytes and --stall-after-bytes exclude each other" ]; then
		bad="$bad [both faults: exit $rc: $out]"
	fi
	out=$(timeout 5 "$PROXY" --listen 0 --target 127.0.0.1:1 --delay-ms 0 \
		--reset-after-bytes 5 --hold-stalled 2>&1 </dev/null)
	rc=$?
	if [ "$rc" != 2 ] || [ "$out" != "fault_proxy: --hold-stalled needs --stall-after-bytes, --blackhole or --control" ]; then
		bad="$bad [--hold-stalled without a stall: exit $rc: $out]"
	fi
	[ -z "$bad" ] && pass "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "wrong:$bad"
}

# --control: commands written to the FIFO switch the mode at once, also
# for a connection already open, and each is answered on stdout. One
# client connection lives through delay, trickle and stall; new ones meet
# reset, blackhole, refuse and pass; a bad command is refused by name.
test_fault_proxy_switches_modes_while_connections_are_open() {
	local out
	rm -f "$T/counts" "$T/ctl"
	start_proxy --delay-ms 0 --control "$T/ctl" ||
		{ fail "${FUNCNAME[0]}" "not listening: $(cat "$T/proxy.err")"; return; }
	out=$(python3 - "$PPORT" "$T/ctl" "$T/proxy.out" <<'EOF' 2>&1
import socket, sys, time
port, ctl, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
asked = 0
def command(line, want="ok"):
    global asked
    with open(ctl, "w") as f:
        f.write(line + "\n")
    asked += 1
    for _ in range(100):
        answers = [l for l in open(log).read().splitlines() if l.startswith("control: ")]
        if len(answers) >= asked:
            got = answers[asked - 1]
            assert got.startswith("control: " + want), (line, got)
            return got
        time.sleep(0.05)
    raise AssertionError("no answer to " + line)
def exchange(c, size, limit=5.0):
    """Seconds an echo of size bytes takes, None if nothing came in limit s,
    or how it ended short."""
    c.settimeout(limit)
    t = time.monotonic()
    c.sendall(b"x" * size)
    got = 0
    try:
        while got < size:
            d = c.recv(65536)
            if not d:
                return "closed after %d" % got
            got += len(d)
    except socket.timeout:
        return None if got == 0 else "%d bytes then silence" % got
    except ConnectionResetError:
        return "reset after %d" % got
    return time.monotonic() - t
def fast(r):
    return isinstance(r, float) and r < 1
c = socket.create_connection(("127.0.0.1", port))
assert fast(exchange(c, 100)), "pass"
command("delay 150")
d = exchange(c, 100)
assert isinstance(d, float) and 0.3 <= d < 3, "delay 150 on the open connection: %r" % d
command("delay 0")
command("trickle 4000")
d = exchange(c, 4000)
assert isinstance(d, float) and 1.0 <= d < 6, "trickle 4000 B/s, 4000 bytes each way: %r" % d
command("trickle 0")
assert fast(exchange(c, 100)), "trickle 0"
command("stall 0")
r = exchange(c, 100, 1.0)
assert r is None, "stall 0 on the open connection: %r" % r
command("pass")
n = socket.create_connection(("127.0.0.1", port))
assert fast(exchange(n, 100)), "a new connection after pass"
command("reset 10")
r = exchange(n, 100)
assert r == "reset after 10", "reset 10 on the open connection: %r" % r
n = socket.create_connection(("127.0.0.1", port))
r = exchange(n, 100)
assert r == "reset after 10", "reset 10 on a new connection: %r" % r
command("pass")
command("blackhole")
b = socket.create_connection(("127.0.0.1", port))
r = exchange(b, 100, 1.0)
assert r is None, "blackhole: accepted, never answered: %r" % r
command("refuse")
try:
    socket.create_connection(("127.0.0.1", port), timeout=2)
    raise AssertionError("refuse: a connect got through")
except ConnectionRefusedError:
    pass
command("pass")
n = socket.create_connection(("127.0.0.1", port))
assert fast(exchange(n, 100)), "pass after refuse"
command("bogus 1", "error: unknown command: 'bogus 1'")
command("delay x", "error: bad arguments: 'delay x'")
command("counts")
print("ok")
EOF
)
	if [ "$out" != ok ]; then
		fail "${FUNCNAME[0]}" "$out"
	elif ! kill -0 "$PPID_" 2>/dev/null; then
		fail "${FUNCNAME[0]}" "the proxy died: $(cat "$T/proxy.err")"
	elif ! grep -q '^connections=5 .* resets=2 stalls=2$' "$T/counts"; then
		fail "${FUNCNAME[0]}" "counts: $(cat "$T/counts")"
	else
		pass "${FUNCNAME[0]}"
	fi
	kill "$PPID_" 2>/dev/null
	wait "$PPID_" 2>/dev/null
}

# report.sh on a hand-made CSV: ratios, skipped points with their estimate,
# the floor, CPU per table, and a plot.
test_report_renders_tables_and_plot_from_the_csv() {
	local d=$T/results md
	mkdir -p "$d"
	cat >"$d/results.csv" <<'EOF'
tool,job,tables,rtt_ms,runs,median_s,min_s,max_s,cpu_s,peak_rss_kb,round_trips,connections,status,note
rhizome-schema,schema,300,0,3,0.100,0.090,0.120,0.105,16384,46,9,ok,
mydumper,schema,300,0,3,0.200,0.180,0.220,0.090,10240,2200,10,ok,threads=9
rhizome-schema,schema,300,10,3,0.150,0.140,0.160,0.110,16384,47,9,ok,
mydumper,schema,300,10,3,3.000,2.900,3.100,0.140,10240,2203,10,ok,threads=9
baseline-schema,schema,300,10,0,,,,,,,,skipped,estimate 105 s per run
mariadb-dump,schema,300,10,1,30.000,30.000,30.000,0.600,55296,23184,7,ok,processes=7
EOF
	if ! HEADLINE_MS=10 HEADLINE_TABLES=300 "$ROOT/bench/report.sh" "$d/results.csv" >"$T/report.out" 2>&1; then
		fail "${FUNCNAME[0]}" "report.sh failed: $(tail -5 "$T/report.out")"
		return
	fi
	md=$(cat "$d/results.md")
	local want w missing=""
	for w in '| mydumper | schema | 3.00 s | 3 | 20.0x slower | 10 MB | 0.14 s | 2203 | 10 |' \
		'| mariadb-dump | schema | 30.00 s | 1 | 200.0x slower |' \
		'| 300 | 10 ms | 0.025 s | 0.15 s | 0.05 s | 3.00 s (20.0x) | 30.00 s (200.0x) | skipped (estimate 105 s per run) |' \
		'Round-trip floor: 0.025 s (schema)' \
		'| 300 | 50 us | 43 us | - | - | - | 16 MB / - | 10 MB |'; do
		grep -qF -- "$w" <<<"$md" || missing="$missing [$w]"
	done
	if [ -n "$missing" ]; then
		fail "${FUNCNAME[0]}" "results.md lacks:$missing; it reads: $md"
	elif ! grep -q '<svg' "$d/scaling.svg" 2>/dev/null; then
		fail "${FUNCNAME[0]}" "no scaling.svg: $(tail -3 "$T/report.out")"
	elif [ "$(head -c 4 "$d/scaling.png" 2>/dev/null | tail -c 3)" != PNG ]; then
		fail "${FUNCNAME[0]}" "no scaling.png: $(tail -3 "$T/report.out")"
	else
		pass "${FUNCNAME[0]}"
	fi
}

if [ -z "$EPORT" ]; then
	echo "FAIL ${PREFIX:-}start_echo_server: no port"
	exit 1
fi
for t in ${1:-$(declare -F | awk '$3 ~ /^test_/ { print $3 }')}; do
	"$t"
done
