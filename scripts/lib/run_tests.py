#!/usr/bin/env python3
"""Runs the test programs cargo built, several at a time, each in a session of its own.

Used by scripts/test.sh. `cargo test` runs one test program after another; most of ours wait
(on WebKit, a fake server, n8n starting, Wine), so on 2 cores three at a time finish in well
under half the time. Each program gets what `cargo test` would give it (its package folder as
the working directory, CARGO_MANIFEST_DIR), plus a session of its own: an Xvfb
display, a private D-Bus session bus with an unlocked gnome-keyring (scripts/lib/keyring.sh), and
a throwaway HOME, so programs running side by side never share a keyring, a display or a home.

The programs are run directly, not through cargo, so cargo's lock on the target folder stays
free for the builds that go on meanwhile (the Windows and macOS builds, scripts/test.sh).

Usage:
  run_tests.py [--lanes N] [--gate FILE PID] [--gated-prefix P] [--gated-binary NAME]...
               [--durations FILE] [--timeout SECONDS] MESSAGES

MESSAGES is what `cargo test --no-run --message-format=json` printed: the test programs it
built, with their packages. Tests whose names start with the gated prefix are skipped everywhere;
the gated binaries run once more with only those tests, after FILE exists (the Windows build is
there) — or fail at once if process PID ended without making it. Longest first, by the
durations of the last run (FILE, rewritten at the end), so the slowest do not start last.
Exits 0 when every program passed, 1 otherwise.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RESULT = re.compile(r"^test result: (\w+)\. (\d+) passed; (\d+) failed; (\d+) ignored")
# Before any durations were recorded (a fresh clone): the programs known to take longest.
SLOW_FIRST = ["e2e_wizard", "n8n_send", "e2e_faults", "e2e_send", "consumers", "worlds", "e2e_connections"]


def describe(job):
    """The job's name with what it runs: its filter, or how many tests of a split program."""
    if job.args[:1] == ["--exact"]:
        return f"{job.name} ({len(job.args) - 1} tests)"
    return f"{job.name} ({' '.join(job.args)})" if job.args else job.name


class Job:
    def __init__(self, name, exe, manifest_dir, args, gated=False):
        self.name, self.exe, self.manifest_dir = name, exe, manifest_dir
        self.args, self.gated = args, gated
        self.seconds = 0.0
        self.status = None  # "ok", "FAILED", "TIMED OUT", "NOT RUN"
        self.counts = [0, 0, 0]  # passed, failed, ignored


def list_programs(messages):
    """The test programs in cargo's messages (`cargo test --no-run --message-format=json`):
    (name, exe, package folder, target name)."""
    with open(messages) as f:
        lines = f.read().splitlines()
    found = []
    for line in lines:
        if not line.startswith("{"):
            continue
        msg = json.loads(line)
        if msg.get("reason") != "compiler-artifact" or not msg.get("executable") or not msg["profile"]["test"]:
            continue
        target = msg["target"]
        source = os.path.relpath(target["src_path"], REPO)
        name = source if target["kind"] == ["test"] else f"{source} ({'/'.join(target['kind'])})"
        found.append((name, msg["executable"], os.path.dirname(msg["manifest_path"]), target["name"]))
    return found


def shares(exe, folder, n, gated_prefix):
    """The program's tests (but the gated ones) dealt into n shares, for `--exact NAME…`. A
    program whose tests share one window runs them one after another: n programs run n at once."""
    out = subprocess.run([exe, "--list", "--format", "terse"], cwd=folder, stdout=subprocess.PIPE, text=True, check=True)
    names = [line.rsplit(": ", 1)[0] for line in out.stdout.splitlines() if line.endswith(": test")]
    names = [t for t in names if not (gated_prefix and t.startswith(gated_prefix))]
    if not names:
        sys.exit(f"run_tests: {exe} lists no tests to split")
    return [names[i::n] for i in range(n) if names[i::n]]


def session_command(job, scratch, display_base):
    """The job's program in an Xvfb display, a private D-Bus session and an unlocked keyring."""
    script = '. "$0/scripts/lib/keyring.sh"; keyring_bus_config "$1"; d=$1; shift; keyring_session "$d" "$@"'
    inner = ["bash", "-c", script, REPO, os.path.join(scratch, "dbus"), job.exe, *job.args]
    return ["xvfb-run", "-a", "-n", str(display_base), "-s", "-screen 0 1280x900x24", *inner]


def session_env(job, scratch):
    env = dict(os.environ)
    home = os.path.join(scratch, "home")
    for sub in ("", ".config", ".local/share", ".cache"):
        os.makedirs(os.path.join(home, sub), exist_ok=True)
    runtime = os.path.join(scratch, "run")
    os.makedirs(runtime, mode=0o700, exist_ok=True)
    env.update(
        HOME=home,
        XDG_CONFIG_HOME=os.path.join(home, ".config"),
        XDG_DATA_HOME=os.path.join(home, ".local/share"),
        XDG_CACHE_HOME=os.path.join(home, ".cache"),
        XDG_RUNTIME_DIR=runtime,
        CARGO_MANIFEST_DIR=job.manifest_dir,
    )
    return env


def run_job(job, lane, timeout, out_lock):
    scratch = tempfile.mkdtemp(prefix="bitbucket-setup-test.")
    log_path = os.path.join(scratch, "output.log")
    started = time.monotonic()
    with out_lock:
        print(f"    started {describe(job)}", flush=True)
    try:
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                session_command(job, scratch, 100 + 20 * lane),
                cwd=job.manifest_dir,
                env=session_env(job, scratch),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                code = proc.wait(timeout=timeout)
                job.status = "ok" if code == 0 else "FAILED"
            except subprocess.TimeoutExpired:
                job.status = "TIMED OUT"
            finally:
                # Whatever the program left in its process group (a window, a server) goes too.
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                proc.wait()
        job.seconds = time.monotonic() - started
        with open(log_path, "rb") as log:
            output = log.read().decode("utf-8", "replace")
        for line in output.splitlines():
            m = RESULT.match(line)
            if m:
                for i in range(3):
                    job.counts[i] += int(m.group(i + 2))
        with out_lock:
            print(f"\n=== {describe(job)}: {job.status} in {job.seconds:.1f} s", flush=True)
            sys.stdout.write(output)
            if job.status == "TIMED OUT":
                print(f"(stopped after {timeout} s)")
            sys.stdout.flush()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def gate_state(gate):
    """'open' once the gate file exists, 'closed' while its process runs, else 'failed'."""
    if gate is None:
        return "open"
    path, pid = gate
    if os.path.exists(path):
        return "open"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "open" if os.path.exists(path) else "failed"
    except PermissionError:
        pass
    return "closed"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lanes", type=int, default=3)
    p.add_argument("--gate", nargs=2, metavar=("FILE", "PID"))
    p.add_argument("--gated-prefix")
    p.add_argument("--gated-binary", action="append", default=[])
    p.add_argument("--durations")
    p.add_argument("--timeout", type=int, default=1200)
    p.add_argument("--split", action="append", default=[], metavar="NAME=N",
                   help="run the test program NAME as N programs, each with a share of its tests")
    p.add_argument("--only", help="run only the programs whose names match this regular expression")
    p.add_argument("messages", help="cargo's JSON messages from `cargo test --no-run --message-format=json`")
    a = p.parse_args()
    gate = (a.gate[0], int(a.gate[1])) if a.gate else None

    jobs = []
    split = {name: int(n) for name, n in (x.split("=", 1) for x in a.split)}
    programs = list_programs(a.messages)
    for name, exe, folder, target in programs:
        skip = ["--skip", a.gated_prefix] if a.gated_prefix else []
        if target in split:
            for i, share in enumerate(shares(exe, folder, split[target], a.gated_prefix)):
                jobs.append(Job(f"{name} [{i + 1}/{split[target]}]", exe, folder, ["--exact", *share]))
        else:
            jobs.append(Job(name, exe, folder, skip))
        if target in a.gated_binary:
            jobs.append(Job(name, exe, folder, [a.gated_prefix], gated=True))

    unknown = set(split) - {target for _, _, _, target in programs}
    if unknown:
        sys.exit(f"run_tests: --split names no test program: {', '.join(sorted(unknown))}")
    if a.only:
        jobs = [j for j in jobs if re.search(a.only, j.name)]
        if not jobs:
            sys.exit(f"run_tests: --only {a.only!r} matches no test program")
    known = {}
    if a.durations and os.path.exists(a.durations):
        try:
            with open(a.durations) as f:
                known = json.load(f)
        except (OSError, ValueError):
            known = {}

    def key(job):
        label = job.name + (" gated" if job.gated else "")
        if label in known:
            return -known[label]
        base = re.sub(r" \[.*\]$", "", job.name).removeprefix("tests/").removesuffix(".rs")
        return -(100 - SLOW_FIRST.index(base)) if base in SLOW_FIRST else 0

    waiting = sorted((j for j in jobs if not j.gated), key=key)
    gated = sorted((j for j in jobs if j.gated), key=key)
    out_lock = threading.Lock()
    free = list(range(a.lanes))
    running = {}
    cond = threading.Condition()
    started = time.monotonic()
    print(f"Running {len(jobs)} test programs, {a.lanes} at a time.", flush=True)

    def finish(job, lane):
        with cond:
            running.pop(job)
            free.append(lane)
            cond.notify_all()

    def start(job):
        lane = free.pop(0)
        t = threading.Thread(target=lambda: (run_job(job, lane, a.timeout, out_lock), finish(job, lane)))
        running[job] = t
        t.start()

    with cond:
        while waiting or gated or running:
            state = gate_state(gate)
            if gated and state == "failed":
                for job in gated:
                    job.status = "NOT RUN"
                    print(f"\n=== {describe(job)}: NOT RUN: the build it needs was not made (see above)", flush=True)
                gated = []
            while free and (waiting or (gated and state == "open")):
                # A program waiting for the gate goes first once the gate is open: it is the last
                # to be able to start.
                start(gated.pop(0) if gated and state == "open" else waiting.pop(0))
            cond.wait(timeout=2)

    total = time.monotonic() - started
    print(f"\n=== Summary: {len(jobs)} test programs in {total:.0f} s ({a.lanes} at a time)")
    passed = failed = ignored = 0
    for job in sorted(jobs, key=lambda j: -j.seconds):
        passed, failed, ignored = passed + job.counts[0], failed + job.counts[1], ignored + job.counts[2]
        print(f"{job.status:>9}  {job.seconds:6.1f} s  {describe(job)}")
    print(f"{passed} passed, {failed} failed, {ignored} ignored.")
    if a.durations:
        for job in jobs:
            if job.status == "ok":
                known[job.name + (" gated" if job.gated else "")] = round(job.seconds, 1)
        os.makedirs(os.path.dirname(os.path.abspath(a.durations)), exist_ok=True)
        with open(a.durations + ".tmp", "w") as f:
            json.dump(known, f, indent=1, sort_keys=True)
        os.replace(a.durations + ".tmp", a.durations)
    return 0 if all(j.status == "ok" for j in jobs) else 1


if __name__ == "__main__":
    sys.exit(main())
