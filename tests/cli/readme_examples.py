#!/usr/bin/env python3
"""Runs every command example of the README (each `teardown ...` line of a fenced code block, a leading `$ `
and a trailing `# comment` removed) in file order, in a scratch directory where `scenarios/` is the repository's,
and checks each exit code against the table below (issue 17, item 8). An example missing from the table fails
the test, so a new example needs its expected exit code here. Usage: readme_examples.py TEARDOWN SOURCE_DIR"""

import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

# Exit codes: 0 holds (or done), 10 violated / found, 3 inconclusive, 2 bad usage.
EXPECTED = {
    "teardown check": 10,
    "teardown check --profile no-time-wait --property stray-data": 10,
    "teardown check scenarios/rfc1337-figure1.toml --property time-wait-assassination --format json": 10,
    'teardown check --set time_wait=6 --set "filter=B>A:rst" --trace-out trace.json': 10,
    'teardown reach "A=FIN_WAIT_1 B=CLOSE_WAIT" scenarios/close-wait-stuck.toml': 10,
    'teardown reach "A=CLOSE_WAIT B=FIN_WAIT_1" --set server_close=active --set client_close=never '
    '--set "filter=A>B:ack" --set incarnations=1': 10,
    'teardown reach "A=LAST_ACK B=FIN_WAIT_1" --set server_close=active --set client_close=passive '
    '--set "filter=A>B:fin" --set incarnations=1': 10,
    "teardown sweep time_wait=0..8 --profile rfc1337 --property stray-data": 10,
    "teardown replay trace.json": 10,
    "teardown check --profile no-time-wait --property stray-data --render svg --trace-out t.svg": 10,
    "teardown replay trace.json --render pcap --trace-out t.pcap": 10,
    'teardown probe --profile linux --state TIME_WAIT --segment "FIN|ACK seq=RCV.NXT-1 ack=SND.NXT"': 0,
    "teardown probe --profile linux-2.2 --table": 0,
    "teardown list knobs": 0,
    "teardown check --profile no-time-wait --set isn=symbolic --property stray-data": 10,
    "teardown check --profile no-time-wait --set isn=clock:64 --set min_delay=1 --property stray-data": 0,
    "teardown explain time-wait --threads 2 --budget 55": 0,
    "teardown explain close-wait": 0,
    "teardown explain fin-wait": 0,
    "teardown window isn-regions": 0,
    "teardown probe --profile linux --table": 0,
    "teardown export promela --profile rfc1337 --property time-wait-assassination -o m.pml": 0,
    "teardown check --profile rfc1337 --property time-wait-assassination --format json": 0,
}


def examples(readme):
    text = open(readme).read()
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("$ "):
                line = line[2:]
            if not line.startswith("teardown "):
                continue
            # a trailing comment: two or more spaces, then '#'
            line = re.sub(r"\s{2,}#.*$", "", line).strip()
            yield line


def main():
    teardown, src = os.path.abspath(sys.argv[1]), sys.argv[2]
    failed = 0
    seen = set()
    with tempfile.TemporaryDirectory() as work:
        os.symlink(os.path.join(os.path.abspath(src), "scenarios"), os.path.join(work, "scenarios"))
        for command in examples(os.path.join(src, "README.md")):
            if command in seen:
                continue
            seen.add(command)
            if command not in EXPECTED:
                print(f"FAILED: README example without an expected exit code in {__file__}: {command}")
                failed += 1
                continue
            args = shlex.split(command)
            start = time.monotonic()
            run = subprocess.run([teardown] + args[1:], cwd=work, capture_output=True, text=True, timeout=600)
            took = time.monotonic() - start
            if run.returncode != EXPECTED[command]:
                print(f"FAILED: exit {run.returncode}, expected {EXPECTED[command]}: {command}")
                print("  " + (run.stderr or run.stdout)[:400].replace("\n", "\n  "))
                failed += 1
            else:
                print(f"ok ({took:.1f} s, exit {run.returncode}): {command}")
    missing = set(EXPECTED) - seen
    for command in sorted(missing):
        print(f"FAILED: no longer a README example (remove it from the table): {command}")
        failed += 1
    print(f"{len(seen) - failed if failed <= len(seen) else 0} of {len(seen)} README examples gave their exit code")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
