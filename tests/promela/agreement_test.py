#!/usr/bin/env python3
"""SPIN agreement (issue 18): on a matrix of small models, `teardown check` and SPIN on `teardown export promela`
explore the same transition system.

For every model:
  * teardown check (all properties) gives the state count and each property's verdict;
  * the properties that hold are exported together: pan must report no error and store exactly
    teardown's states + 1 (SPIN's one setup state, model::promela::kSetupStates), no tolerance; when none
    holds, pan runs with its assertions and end-state checks off (-A -E) and must store as many;
  * each exportable property teardown finds violated (or violated in whole ticks only, "artefact": SPIN works in
    whole ticks) is exported alone, up to two per model: pan must report an error.
One violation is also taken round trip: pan's trail, replayed by `spin -t`, imported by `teardown import-trail`,
must be accepted by `teardown replay` as the same violation.

usage: agreement_test.py TEARDOWN WORKDIR
Exit 0 all agree, 1 a disagreement, 77 (skipped) when spin or a C compiler is missing.
PAN_CFLAGS (default -O0: the state count does not depend on it, and -O2 takes ten times longer to compile) is
passed to gcc with -DSAFETY.
"""

import json
import os
import shutil
import subprocess
import sys

EXPORTABLE = ["stray-data", "stray-segment", "time-wait-assassination", "desync", "new-connection-killed",
              "stream-integrity", "no-deadlock", "half-open"]

# name, teardown options. Expected numbers are teardown's own (pinned below), and SPIN must match them.
MATRIX = [
    ("rfc1337-one", "--profile rfc1337 --set incarnations=1 --set loss=0 --set dup=0"),
    ("rfc1337-twa", "--profile rfc1337 --set client_data=0 --set server_data=0 --set loss=0"),
    ("rfc9293-twa", "--profile rfc9293 --set client_data=0 --set server_data=0 --set loss=0"),
    ("rfc793-one", "--profile rfc793 --set incarnations=1 --set loss=0 --set dup=0"),
    ("bsd-reopen", "--profile bsd --set client_data=0 --set server_data=0 --set loss=0 --set dup=0"),
    ("linux-2.2-one", "--profile linux-2.2 --set incarnations=1 --set loss=0 --set dup=0"),
    ("no-time-wait-one", "--profile no-time-wait --set incarnations=1 --set loss=0 --set dup=0"),
    ("fifo-loss", "--profile rfc1337 --set incarnations=1 --set reorder=false --set dup=0"),
    ("loss-one", "--profile rfc1337 --set incarnations=1 --set dup=0 --set client_data=0"),
    ("dup-one", "--profile rfc1337 --set incarnations=1 --set loss=0 --set server_data=0"),
    ("capacity-1", "--profile rfc9293 --set incarnations=1 --set capacity=1 --set server_data=0"),
    ("server-never-closes", "--profile rfc1337 --set incarnations=1 --set loss=0 --set dup=0 --set server_close=never"),
    ("client-aborts", "--profile rfc9293 --set incarnations=1 --set loss=0 --set client_close=abort"),
    ("client-crashes", "--profile rfc9293 --set incarnations=1 --set loss=0 --set dup=0 --set client_close=crash"),
    ("filter-rst", "--profile rfc9293 --set incarnations=1 --set dup=0 --set filter=B>A:rst --set server_data=0"),
    ("filter-fin-anytime", "--profile rfc1337 --set incarnations=1 --set loss=0 --set dup=0 "
                           "--set filter=A>B:fin@anytime --set fin_wait2_timeout=3"),
    ("isn-fixed", "--profile rfc1337 --set isn=fixed:100,300 --set loss=0 --set dup=0 --set client_data=0"),
    ("isn-choose", "--profile rfc9293 --set isn=choose:100,102 --set incarnations=1 --set loss=0 --set dup=0"),
    ("isn-adversarial-both", "--profile rfc1337 --set isn=adversarial:both --set loss=0 --set dup=0 "
                             "--set client_data=0 --set server_data=0"),
    ("syn-challenge", "--profile rfc9293 --set syn_in_time_wait=challenge --set loss=0 --set dup=0 "
                      "--set client_data=0 --set server_data=0"),
    ("syn-drop-rfc793", "--profile rfc793 --set syn_in_time_wait=drop --set loss=0 --set dup=0 "
                        "--set client_data=0 --set server_data=0"),
    ("quiet-acks", "--profile rfc9293 --set ack_stale_acks=false --set ack_in_time_wait=false --set incarnations=1 "
                   "--set loss=0 --set dup=0"),
    ("min-delay", "--profile rfc1337 --set incarnations=1 --set loss=0 --set dup=0 --set min_delay=1 --set msl=3"),
    ("eager-rfc1337", "--profile rfc1337 --set apps=eager"),
    ("eager-rfc9293", "--profile rfc9293 --set apps=eager --set incarnations=1 --set loss=0"),
    ("linux-one", "--profile linux --set incarnations=1 --set loss=0 --set dup=0"),
    ("linux-reopen", "--profile linux --set client_data=0 --set server_data=0 --set loss=0 --set dup=0"),
    ("linux-loss", "--profile linux --set incarnations=1 --set dup=0"),
    ("linux-dup", "--profile linux --set incarnations=1 --set loss=0"),
    # every shipped scenario under a million states (default.toml, faber-figure1*, zombie-listener hold 2.9 to 15 M)
    ("scenario-close-wait-stuck", "@scenarios/close-wait-stuck.toml"),
    ("scenario-last-ack-stuck", "@scenarios/last-ack-stuck.toml"),
    ("scenario-rfc1337-figure1", "@scenarios/rfc1337-figure1.toml"),
    ("scenario-rfc1337-figure1-fixed", "@scenarios/rfc1337-figure1-fixed.toml"),
    ("scenario-simultaneous-close", "@scenarios/simultaneous-close.toml"),
    ("window-1", "--profile rfc9293 --set window=1 --set client_data=2 --set incarnations=1 --set loss=0 --set dup=0"),
]

# teardown's own state counts for the models above (a change in the model shows here first).
STATES = {
    "rfc1337-one": 21225, "rfc1337-twa": 74254, "rfc9293-twa": 108645, "rfc793-one": 18557, "bsd-reopen": 10131,
    "linux-2.2-one": 20480, "no-time-wait-one": 20897, "fifo-loss": 29025, "loss-one": 17734, "dup-one": 11681,
    "capacity-1": 4272, "server-never-closes": 7092, "client-aborts": 21845, "client-crashes": 47628,
    "filter-rst": 8089, "filter-fin-anytime": 52422, "isn-fixed": 33836, "isn-choose": 85023,
    "isn-adversarial-both": 23301, "syn-challenge": 15139, "syn-drop-rfc793": 11862, "quiet-acks": 10474,
    "min-delay": 27288, "window-1": 153109, "eager-rfc1337": 161596, "eager-rfc9293": 3862,
    "linux-one": 16831, "linux-reopen": 16132, "linux-loss": 97598, "linux-dup": 105220,
    "scenario-close-wait-stuck": 14022, "scenario-last-ack-stuck": 139806,
    "scenario-rfc1337-figure1": 141657, "scenario-rfc1337-figure1-fixed": 141331, "scenario-simultaneous-close": 82237,
}

SETUP_STATES = 1  # model::promela::kSetupStates
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(cmd, cwd=None, check=True):
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()[:500]}")
    return r


def pan(teardown, workdir, name, options, properties, cflags, pan_flags=()):
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    args = [teardown, "export", "promela", *options, "-o", os.path.join(d, "m.pml")]
    for p in properties:
        args += ["--property", p]
    run(args)
    run(["spin", "-a", "m.pml"], cwd=d)
    run(["gcc", *cflags, "-DSAFETY", "-o", "pan", "pan.c"], cwd=d)
    out = run(["./pan", "-m1000000", *pan_flags], cwd=d).stdout
    stored = errors = None
    for line in out.splitlines():
        if "states, stored" in line:
            stored = int(line.split()[0])
        if "errors:" in line:
            errors = int(line.rsplit("errors:", 1)[1].strip())
    if stored is None or errors is None:
        raise RuntimeError(f"{name}: no state count in pan's output:\n{out}")
    return d, stored, errors


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    teardown, workdir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if shutil.which("spin") is None or shutil.which("gcc") is None:
        print("skipped: spin or gcc is not installed (.ci/setup installs spin)")
        return 77
    cflags = os.environ.get("PAN_CFLAGS", "-O0").split()
    os.makedirs(workdir, exist_ok=True)
    failures = 0
    spin_runs = 0
    matrix = MATRIX
    if os.environ.get("TEARDOWN_SANITIZED") == "1":
        # Under ASan+UBSan the Release build runs the whole matrix; here the first eight models show the
        # sanitized binary agrees too, within CI's time.
        matrix = MATRIX[:8]
    for name, opts in matrix:
        # "@path" is a model file of the source tree
        options = [os.path.join(SOURCE, o[1:]) if o.startswith("@") else o for o in opts.split()]
        r = run([teardown, "check", *options, "--timing", "ticks", "--format", "json"], check=False)
        if r.returncode not in (0, 3, 10):
            print(f"FAIL {name}: teardown check exited {r.returncode}: {r.stderr.strip()}")
            failures += 1
            continue
        report = json.loads(r.stdout)
        states = report["stats"]["states"]
        verdicts = {x["property"]: x["verdict"] for x in report["results"]}
        if states != STATES[name]:
            print(f"FAIL {name}: teardown explores {states} states, pinned {STATES[name]}")
            failures += 1
        holds = [p for p in EXPORTABLE if verdicts.get(p) == "holds"]
        violated = [p for p in EXPORTABLE if verdicts.get(p) in ("violated", "artefact")]
        line = f"{name}: teardown {states} states"
        if holds:
            _, stored, errors = pan(teardown, workdir, name, options, holds, cflags)
            spin_runs += 1
            ok = errors == 0 and stored == states + SETUP_STATES
            line += f"; SPIN {stored} stored ({len(holds)} properties hold, {errors} errors)"
            if not ok:
                line = "FAIL " + line + f": expected {states} + {SETUP_STATES} stored and no error"
                failures += 1
        else:
            # nothing holds: the count with every property exported and ignored (pan -A: no assertions,
            # -E: no invalid end states)
            _, stored, errors = pan(teardown, workdir, name, options, EXPORTABLE, cflags, ("-A", "-E"))
            spin_runs += 1
            line += f"; SPIN {stored} stored (properties ignored: pan -A -E)"
            if stored != states + SETUP_STATES:
                line = "FAIL " + line + f": expected {states} + {SETUP_STATES} stored"
                failures += 1
        for p in violated[:2]:
            _, stored, errors = pan(teardown, workdir, f"{name}-{p}", options, [p], cflags)
            spin_runs += 1
            line += f"; {p} {verdicts[p]}: pan {errors} error(s)"
            if errors < 1:
                line = "FAIL " + line + " (expected an error)"
                failures += 1
        print(line, flush=True)

    # Round trip: SPIN's time-wait-assassination trail under rfc9293, back into teardown.
    name = "rfc9293-twa-trail"
    options = dict(MATRIX)["rfc9293-twa"].split()
    d, _, errors = pan(teardown, workdir, name, options, ["time-wait-assassination"], cflags)
    spin_runs += 1
    replayed = run(["spin", "-t", "m.pml"], cwd=d, check=False).stdout
    with open(os.path.join(d, "replay.txt"), "w") as f:
        f.write(replayed)
    imp = run([teardown, "import-trail", os.path.join(d, "replay.txt"), "-o", os.path.join(d, "trace.json")],
              check=False)
    rep = run([teardown, "replay", os.path.join(d, "trace.json"), "--format", "json"], check=False)
    trace_ok = False
    if imp.returncode == 0 and rep.returncode == 10:  # replay: 10, the trace follows the model and breaks it
        with open(os.path.join(d, "trace.json")) as f:
            trace_ok = json.load(f)["property"] == "time-wait-assassination"
    if errors < 1 or not trace_ok:
        print(f"FAIL {name}: pan errors {errors}, import-trail exit {imp.returncode} ({imp.stderr.strip()}), "
              f"replay exit {rep.returncode} ({rep.stderr.strip()[:300]})")
        failures += 1
    else:
        print(f"{name}: pan's trail imported and replayed as time-wait-assassination")

    print(f"{len(MATRIX)} models, {spin_runs} SPIN runs, {failures} disagreement(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
