#!/usr/bin/env bash
# The example files of docs/examples (README, "Running on a schedule"): they
# need no server and no rhizome binary. Every YAML file parses (PyYAML, from
# the python3-yaml package, under /usr/bin/python3); the GitHub workflows
# have what a workflow needs and do what the README says; the Kubernetes
# Indexed Job runs N shards; the pre-commit config and the plain git hook
# run rhizome verify (the hook is run, with a stub rhizome); the systemd
# units pass systemd-analyze verify where it exists (else SKIP, not
# counted) and always have the sections and keys they need; the cron line
# has five time fields and calls rhizome; no example holds a password, and
# those that sync say how credentials come (option-file or password-env).
#
# EXAMPLES=DIR checks another copy of the folder (a broken one, say).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXAMPLES=${EXAMPLES:-$ROOT/docs/examples}
PY=${PY:-/usr/bin/python3}
T=$(mktemp -d /tmp/rhizome-examples.XXXXXX)
trap 'rm -rf "$T"' EXIT

pass() { echo "PASS ${PREFIX:-}$1"; }
fail() { echo "FAIL ${PREFIX:-}$1: $2"; }
skip() { echo "SKIP ${PREFIX:-}$1 ($2)"; }

# Run python code ($1) with PyYAML and the examples folder as argv[1]; its
# output is the list of what is wrong, empty when all is well.
pycheck() {
	"$PY" - "$EXAMPLES" <<EOF 2>&1
import sys, os, glob, re
try:
    import yaml
except ImportError:
    print("no PyYAML under $PY: install python3-yaml (scripts/deps.sh)")
    sys.exit(0)
EX = sys.argv[1]
def load(path):
    with open(path, encoding="utf-8") as f:
        return list(yaml.safe_load_all(f))
$1
EOF
}

verdict() { # NAME OUTPUT
	if [ -z "$2" ]; then pass "$1"; else fail "$1" "$(tr '\n' ' ' <<<"$2")"; fi
}

test_every_yaml_file_parses() {
	local out
	out=$(pycheck '
files = sorted(glob.glob(os.path.join(EX, "**", "*.y*ml"), recursive=True))
files = [f for f in files if f.endswith((".yml", ".yaml"))]
if len(files) < 4:
    print("only %d YAML files under %s, want the 2 workflows, the pre-commit config and the Job" % (len(files), EX))
for f in files:
    try:
        docs = load(f)
    except yaml.YAMLError as e:
        print("%s: %s" % (os.path.relpath(f, EX), str(e).replace("\n", " ")))
        continue
    if not docs or any(not isinstance(d, dict) for d in docs):
        print("%s: not a mapping" % os.path.relpath(f, EX))
')
	verdict "${FUNCNAME[0]}" "$out"
}

# PyYAML reads the key `on` as the boolean true (YAML 1.1); GitHub reads it
# as "on": either is accepted.
WORKFLOWS='
def workflows():
    for f in sorted(glob.glob(os.path.join(EX, "github-workflows", "*.y*ml"))):
        try:
            (d,) = load(f)
        except Exception as e:
            print("%s: %s" % (os.path.basename(f), e)); continue
        yield os.path.basename(f), d, open(f).read()
def on(d):
    return d.get("on", d.get(True))
def runs(d):
    return "\n".join(s.get("run", "") for j in d["jobs"].values() for s in j.get("steps", []))
def uses(d):
    return [s.get("uses", "") for j in d["jobs"].values() for s in j.get("steps", [])]
'

test_github_workflows_have_the_keys_a_workflow_needs() {
	local out
	out=$(pycheck "$WORKFLOWS"'
n = 0
for name, d, text in workflows():
    n += 1
    if not on(d):
        print("%s: no on:" % name)
    jobs = d.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        print("%s: no jobs:" % name); continue
    for jn, j in jobs.items():
        if "runs-on" not in j:
            print("%s: job %s: no runs-on" % (name, jn))
        steps = j.get("steps")
        if not isinstance(steps, list) or not steps:
            print("%s: job %s: no steps" % (name, jn)); continue
        for i, s in enumerate(steps):
            if not isinstance(s, dict) or not ("run" in s or "uses" in s):
                print("%s: job %s: step %d has neither run nor uses" % (name, jn, i))
if n != 2:
    print("%d workflows under github-workflows/, want 2 (refresh, drift)" % n)
')
	verdict "${FUNCNAME[0]}" "$out"
}

# The refresh: on a schedule, sync schema then sync data, commit only when
# git status --porcelain shows a change, push, open a pull request; a lock
# held (5) is a skip, a partial run (3) commits and then fails.
test_refresh_workflow_syncs_then_commits_what_changed() {
	local out
	out=$(pycheck "$WORKFLOWS"'
for name, d, text in workflows():
    if "refresh" not in name: continue
    r = runs(d)
    if "schedule" not in (on(d) or {}):
        print("%s: not on a schedule" % name)
    for want in ("sync \"$c\"", "for c in schema data", "git status --porcelain",
                 "git commit", "git push", "gh pr create", "5)", "3)"):
        if want not in r:
            print("%s: its steps lack %r" % (name, want))
    if not d.get("permissions", {}).get("contents") == "write":
        print("%s: needs permissions: contents: write to push" % name)
    break
else:
    print("no refresh workflow")
')
	verdict "${FUNCNAME[0]}" "$out"
}

# The drift check: on pull requests, sync check (exit 1 = drift), then the
# report of sync diff --report uploaded as an artifact, and the job fails.
test_drift_workflow_fails_on_drift_and_uploads_the_report() {
	local out
	out=$(pycheck "$WORKFLOWS"'
for name, d, text in workflows():
    if "drift" not in name: continue
    r = runs(d)
    if "pull_request" not in (on(d) or {}):
        print("%s: not on pull_request" % name)
    for want in ("sync check", "sync diff --report", "1)", "exit \"$RC\""):
        if want not in r:
            print("%s: its steps lack %r" % (name, want))
    if not any(u.startswith("actions/upload-artifact") for u in uses(d)):
        print("%s: no upload-artifact step" % name)
    steps = [s for j in d["jobs"].values() for s in j["steps"]]
    up = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    if up and "drift.md" not in str(up[0].get("with", {}).get("path", "")):
        print("%s: the artifact is not drift.md" % name)
    break
else:
    print("no drift workflow")
')
	verdict "${FUNCNAME[0]}" "$out"
}

test_indexed_job_runs_n_shards_by_job_completion_index() {
	local out
	out=$(pycheck '
files = glob.glob(os.path.join(EX, "*.job.yaml"))
if len(files) != 1:
    print("want one *.job.yaml, found %d" % len(files)); sys.exit(0)
(d,) = load(files[0])
if d.get("apiVersion") != "batch/v1" or d.get("kind") != "Job":
    print("not a batch/v1 Job")
s = d.get("spec", {})
if s.get("completionMode") != "Indexed":
    print("completionMode is %r, want Indexed" % s.get("completionMode"))
n = s.get("completions")
if not isinstance(n, int) or n < 2:
    print("completions %r, want a number of shards >= 2" % n)
if s.get("parallelism") != n:
    print("parallelism %r != completions %r" % (s.get("parallelism"), n))
pod = s.get("template", {}).get("spec", {})
if pod.get("restartPolicy") != "Never":
    print("restartPolicy must be Never (podFailurePolicy, backoffLimitPerIndex)")
if not pod.get("terminationGracePeriodSeconds"):
    print("no terminationGracePeriodSeconds")
(c,) = pod.get("containers", [None])
env = {e["name"]: e.get("value") for e in c.get("env", [])}
if env.get("SHARDS") != str(n):
    print("env SHARDS %r, want %r (= completions)" % (env.get("SHARDS"), str(n)))
cmd = " ".join(c.get("command", []) + c.get("args", []))
if not re.search(r"--shard \"?\$\(?JOB_COMPLETION_INDEX\)?/", cmd) and \
   not re.search(r"shard=\"\$JOB_COMPLETION_INDEX/\$SHARDS\"", cmd):
    print("the command does not pass JOB_COMPLETION_INDEX/N to --shard")
if "--shard \"$shard\"" not in cmd and "--shard $(JOB_COMPLETION_INDEX)" not in cmd:
    print("no rhizome --shard in the command")
if "sync schema" not in cmd:
    print("the command runs no sync schema")
codes = [v for r in s.get("podFailurePolicy", {}).get("rules", [])
         for v in r.get("onExitCodes", {}).get("values", []) if r.get("action") == "FailJob"]
if 2 not in codes:
    print("exit 2 (configuration) does not fail the Job at once")
')
	verdict "${FUNCNAME[0]}" "$out"
}

test_pre_commit_config_runs_rhizome_verify() {
	local out
	out=$(pycheck '
f = os.path.join(EX, "pre-commit-config.yaml")
(d,) = load(f)
hooks = [h for r in d.get("repos", []) for h in r.get("hooks", [])]
if not hooks:
    print("no hooks")
for r in d.get("repos", []):
    if r.get("repo") != "local":
        print("repo %r: want local (rhizome on PATH)" % r.get("repo"))
for h in hooks:
    for k in ("id", "name", "entry", "language"):
        if k not in h:
            print("hook %s: no %s" % (h.get("id"), k))
    if not str(h.get("entry", "")).startswith("rhizome "):
        print("hook %s: entry %r does not run rhizome" % (h.get("id"), h.get("entry")))
    if h.get("language") != "system" or h.get("pass_filenames") is not False:
        print("hook %s: want language: system, pass_filenames: false" % h.get("id"))
entries = [h.get("entry", "") for h in hooks]
if "rhizome verify" not in entries:
    print("no hook runs rhizome verify")
')
	verdict "${FUNCNAME[0]}" "$out"
}

# The plain hook, run in a scratch repository with a stub rhizome that
# records its calls: nothing staged under environments/ calls nothing;
# verify's exit 1 refuses the commit; with RHIZOME_CHECK=1 a drift (sync
# check exit 1) refuses it too.
test_git_pre_commit_hook_refuses_what_verify_finds() {
	local hook=$EXAMPLES/git-pre-commit.sh r=$T/repo bad="" rc
	if ! sh -n "$hook" 2>"$T/hook.err"; then
		fail "${FUNCNAME[0]}" "sh -n: $(cat "$T/hook.err")"
		return
	fi
	mkdir -p "$r/environments/dev/expected_data" "$T/bin"
	cat >"$T/bin/rhizome" <<'EOF'
#!/bin/sh
echo "$*" >>"$STUB_LOG"
case "$*" in
verify) exit "${STUB_VERIFY:-0}" ;;
*"sync check") exit "${STUB_CHECK:-0}" ;;
esac
exit 99
EOF
	chmod +x "$T/bin/rhizome"
	git -C "$r" init -q
	echo x >"$r/README"
	git -C "$r" add README
	hook_rc() { # ENV...
		(cd "$r" && env PATH="$T/bin:$PATH" STUB_LOG="$T/calls" "$@" sh "$hook" >/dev/null 2>&1)
		echo $?
	}
	: >"$T/calls"
	rc=$(hook_rc STUB_VERIFY=1)
	[ "$rc" = 0 ] && [ ! -s "$T/calls" ] ||
		bad="$bad [no snapshot staged: exit $rc, calls '$(cat "$T/calls")', want 0 and none]"
	echo 'CREATE TABLE t;' >"$r/environments/dev/expected_data/db_t.sql"
	git -C "$r" add environments
	rc=$(hook_rc STUB_VERIFY=1)
	[ "$rc" = 1 ] || bad="$bad [verify finds something: exit $rc, want 1]"
	rc=$(hook_rc STUB_VERIFY=0)
	[ "$rc" = 0 ] || bad="$bad [verify clean: exit $rc, want 0]"
	: >"$T/calls"
	rc=$(hook_rc STUB_VERIFY=0 RHIZOME_CHECK=1 STUB_CHECK=1)
	[ "$rc" = 1 ] && grep -qx -- '--quiet sync check' "$T/calls" ||
		bad="$bad [RHIZOME_CHECK=1, drift: exit $rc, calls '$(tr '\n' ';' <"$T/calls")', want 1 after sync check]"
	rc=$(hook_rc STUB_VERIFY=0 RHIZOME_CHECK=1 STUB_CHECK=0)
	[ "$rc" = 0 ] || bad="$bad [RHIZOME_CHECK=1, no drift: exit $rc, want 0]"
	[ -z "$bad" ] && pass "${FUNCNAME[0]}" || fail "${FUNCNAME[0]}" "wrong:$bad"
}

# systemd-analyze verify checks that every Exec*= program exists, and
# /usr/local/bin/rhizome (or any path a unit names) need not exist on the
# machine running the tests. So the units are copied to a scratch folder
# and each Exec*= whose program is an absolute path that is not executable
# here gets /bin/true instead (its prefixes -@:+! kept); everything else is
# verified as written. Any message naming one of the units (an unknown key,
# a bad value) is a failure too, since verify exits 0 on mere warnings.
test_systemd_units_pass_systemd_analyze_verify() {
	local d=$T/units u out rc prog
	if ! command -v systemd-analyze >/dev/null 2>&1; then
		skip "${FUNCNAME[0]}" "no systemd-analyze on this machine; the units' sections are still checked"
		return
	fi
	mkdir -p "$d"
	for u in "$EXAMPLES"/*.service "$EXAMPLES"/*.timer; do
		[ -e "$u" ] || continue
		: >"$d/${u##*/}"
		while IFS= read -r line || [ -n "$line" ]; do
			if [[ $line =~ ^(Exec[A-Za-z]*=)([-@:+!]*)([^[:space:]]+)(.*)$ ]]; then
				prog=${BASH_REMATCH[3]}
				if [[ $prog == /* ]] && [ ! -x "$prog" ]; then
					line="${BASH_REMATCH[1]}${BASH_REMATCH[2]}/bin/true"
				fi
			fi
			printf '%s\n' "$line" >>"$d/${u##*/}"
		done <"$u"
	done
	if ! ls "$d"/*.service "$d"/*.timer >/dev/null 2>&1; then
		fail "${FUNCNAME[0]}" "no .service and .timer under $EXAMPLES"
		return
	fi
	out=$(cd "$d" && systemd-analyze verify ./*.service ./*.timer 2>&1)
	rc=$?
	if [ "$rc" != 0 ] || grep -qE '\.(service|timer)\b' <<<"$out"; then
		fail "${FUNCNAME[0]}" "exit $rc: $(tr '\n' ' ' <<<"$out")"
	else
		pass "${FUNCNAME[0]}"
	fi
}

# Without systemd-analyze too: the sections each unit needs, and what the
# README promises of them. Parsed by hand: systemd keys repeat (ExecStart),
# which configparser refuses.
test_systemd_units_have_their_sections_and_exit_status_mapping() {
	local out
	out=$(pycheck '
def ini(path):
    sec, d = None, {}
    for n, line in enumerate(open(path), 1):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        m = re.fullmatch(r"\[([A-Za-z]+)\]", line)
        if m:
            sec = m.group(1); d.setdefault(sec, {}); continue
        m = re.fullmatch(r"([A-Za-z][A-Za-z0-9]*)=(.*)", line)
        if not m or sec is None:
            print("%s:%d: not a section or a key=value line: %r" % (os.path.basename(path), n, line))
            continue
        d[sec].setdefault(m.group(1), []).append(m.group(2))
    return d
svc = os.path.join(EX, "rhizome-refresh.service")
tim = os.path.join(EX, "rhizome-refresh.timer")
for p in (svc, tim):
    if not os.path.exists(p):
        print("no %s" % os.path.basename(p)); sys.exit(0)
s, t = ini(svc), ini(tim)
for want in ("Unit", "Service"):
    if want not in s: print("service: no [%s]" % want)
for want in ("Unit", "Timer", "Install"):
    if want not in t: print("timer: no [%s]" % want)
S = s.get("Service", {})
one = lambda k: (S.get(k) or [""])[-1]
if one("Type") != "oneshot": print("service: Type is not oneshot")
if one("User") in ("", "root"): print("service: no dedicated User=")
starts = " ".join(S.get("ExecStart", []))
if not re.search(r"rhizome .*sync schema", starts) or not re.search(r"rhizome .*sync data", starts):
    print("service: ExecStart does not run sync schema and sync data")
ok = one("SuccessExitStatus").split()
if "5" not in ok: print("service: exit 5 (lock held) is not a success")
if "1" in ok: print("service: exit 1 must not be a success")
if "2" not in one("RestartPreventExitStatus").split(): print("service: exit 2 is retried")
if not one("TimeoutStopSec") or not one("TimeoutStartSec"): print("service: no TimeoutStartSec/TimeoutStopSec")
if one("ProtectSystem") != "strict": print("service: ProtectSystem is not strict")
if not (one("StateDirectory") or one("ReadWritePaths")): print("service: nothing writable for the checkout")
for k in ("Environment", "ExecStart"):
    for v in S.get(k, []):
        if re.search(r"(?i)passw|pwd", v.split("=")[0] if k == "Environment" else v):
            print("service: %s=%s looks like a secret in the unit" % (k, v))
T_ = t.get("Timer", {})
if not T_.get("OnCalendar"): print("timer: no OnCalendar")
if "timers.target" not in " ".join(t.get("Install", {}).get("WantedBy", [])):
    print("timer: not WantedBy=timers.target")
unit = (T_.get("Unit") or ["rhizome-refresh.service"])[-1]
if not os.path.exists(os.path.join(EX, unit)): print("timer: starts %s, which is not here" % unit)
')
	verdict "${FUNCNAME[0]}" "$out"
}

# Each job line: five time fields (numbers in range, ranges, lists, steps,
# month and day names, *), then a command that calls rhizome sync and is
# valid sh; no bare % (cron turns it into a newline). Comments and
# NAME=value lines aside.
test_cron_line_has_five_time_fields_and_calls_rhizome() {
	local out
	out=$(pycheck '
import subprocess
f = os.path.join(EX, "rhizome.cron")
if not os.path.exists(f):
    print("no rhizome.cron"); sys.exit(0)
NAMES = {3: "jan feb mar apr may jun jul aug sep oct nov dec", 4: "sun mon tue wed thu fri sat"}
BOUNDS = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
def value(i, v):
    if v.isdigit():
        return BOUNDS[i][0] <= int(v) <= BOUNDS[i][1]
    return v.lower() in NAMES.get(i, "").split()
def field(i, fld):
    for part in fld.split(","):
        rng, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return False
        if rng == "*":
            continue
        lo, _, hi = rng.partition("-")
        if not value(i, lo) or (hi and not value(i, hi)):
            return False
    return True
jobs = 0
for n, line in enumerate(open(f), 1):
    line = line.rstrip("\n")
    if re.match(r"\s*(#|$)", line) or re.match(r"[A-Za-z_][A-Za-z0-9_]*\s*=", line):
        continue
    jobs += 1
    w = line.split(None, 5)
    if len(w) < 6:
        print("line %d: fewer than 5 time fields and a command" % n); continue
    for i in range(5):
        if not field(i, w[i]):
            print("line %d: time field %d %r is not valid" % (n, i + 1, w[i]))
    cmd = w[5]
    if not re.search(r"(^|[ /])rhizome( .*)? sync ", cmd):
        print("line %d: calls no rhizome sync" % n)
    if "%" in cmd:
        print("line %d: a %% in the command: cron makes it a newline" % n)
    r = subprocess.run(["sh", "-n", "-c", cmd], capture_output=True, text=True)
    if r.returncode:
        print("line %d: not valid sh: %s" % (n, r.stderr.strip()))
if not jobs:
    print("no job line")
')
	verdict "${FUNCNAME[0]}" "$out"
}

# What looks like a secret: a password-ish key (password, passwd, pwd,
# secret, token, api key, mask key) given a value that is not a reference
# ($VAR, ${VAR}, ${{ secrets.X }}, $(...)) nor a placeholder (...);
# -pVALUE or --password on a client's command line; user:password@ in a URL.
# The detector is first run on planted lines, each of which it must flag,
# and on the references it must let pass, so a clean result means something.
SECRETS='
KEY = re.compile(r"(?i)(password|passwd|pwd|secret|token|api[_-]?key|mask[_-]?key)\w*[\x27\"]?\s*[:=]\s*(\S*)")
def findings(text):
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        for m in KEY.finditer(line):
            v = m.group(2).strip("\x27\"")
            if v == "" or v.startswith("$") or re.fullmatch(r"\.\.\.|<[^>]*>", v):
                continue
            out.append((n, line.strip()))
        if re.search(r"(mysql|mariadb|mysqldump|mariadb-dump)\b.*\s-p[^\s-]", line) or \
           re.search(r"--password(=|\s+)[^\s$]", line):
            out.append((n, line.strip()))
        if re.search(r"://[^/\s:@]+:[^/\s@$][^/\s@]*@", line):
            out.append((n, line.strip()))
    return out
planted = ["password = hunter2", "RHIZOME_NA_PROD_PASSWORD: s3cret", "  password: \"x\"",
           "mysql -u root -phunter2 -e 1", "Environment=MYSQL_PWD=abc",
           "url: mysql://rhizome:hunter2@db/x", "mariadb-dump --password=abc db",
           "RHIZOME_MASK_KEY=k3y", "GIT_TOKEN: ghp_abc"]
allowed = ["RHIZOME_NA_PROD_PASSWORD: ${{ secrets.RHIZOME_NA_PROD_PASSWORD }}",
           "password-env = RHIZOME_NA_PROD_PASSWORD", "echo \"password=$GIT_TOKEN\"",
           "secretRef:", "RHIZOME_NA_PROD_PASSWORD=... (and", "GH_TOKEN: ${{ github.token }}"]
missed = [p for p in planted if not findings(p)]
wrongly = [a for a in allowed if findings(a)]
if missed or wrongly:
    print("detector broken: missed %r, flagged %r" % (missed, wrongly)); sys.exit(0)
'

test_no_example_holds_a_password() {
	local out
	out=$(pycheck "$SECRETS"'
files = [f for f in glob.glob(os.path.join(EX, "**", "*"), recursive=True) if os.path.isfile(f)]
if not files:
    print("no files under %s" % EX)
for f in files:
    for n, line in findings(open(f, encoding="utf-8", errors="replace").read()):
        print("%s:%d: looks like a secret: %s" % (os.path.relpath(f, EX), n, line))
')
	verdict "${FUNCNAME[0]}" "$out"
}

# Every example that contacts servers (sync schema, data or check) names
# how its credentials come: an option-file or password-env.
test_examples_that_sync_name_option_files_or_password_env() {
	local out
	out=$(pycheck '
n = 0
for f in glob.glob(os.path.join(EX, "**", "*"), recursive=True):
    if not os.path.isfile(f): continue
    text = open(f, encoding="utf-8", errors="replace").read()
    if not re.search(r"sync (schema|data|check)", text): continue
    n += 1
    if "option-file" not in text and "password-env" not in text:
        print("%s: syncs without saying where credentials come from (option-file or password-env)" % os.path.relpath(f, EX))
if n < 5:
    print("only %d examples sync" % n)
')
	verdict "${FUNCNAME[0]}" "$out"
}

if [ ! -d "$EXAMPLES" ]; then
	echo "FAIL ${PREFIX:-}examples_folder: no $EXAMPLES"
	exit 1
fi
for t in ${1:-$(declare -F | awk '$3 ~ /^test_/ { print $3 }')}; do
	"$t"
done
