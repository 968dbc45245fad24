"""The conformance run inside the namespaces that `run` made: every case of the matrix on the live kernel,
the probe's predictions beside them, the timer cases, the files, and the disagreements on stdout.
Exit: 0 it ran, 77 raw sockets not allowed, 1 harness error.
"""
import argparse
import itertools
import platform
import sys
import time
import traceback
from datetime import datetime, timezone

import batch
import report
from matrix import segments, variants
from net import Net
from netns import run_in
from probe import Probe, judge, predicted_text
from timers import SYSCTLS as TIMER_SYSCTLS, run_timers

BATCH = 120  # connections driven at once (each holds up to three sockets)
SUBJECT_SYSCTLS = ("tcp_rfc1337", "tcp_invalid_ratelimit", "tcp_challenge_ack_limit", "tcp_fin_timeout",
                   "tcp_orphan_retries", "tcp_tw_reuse", "tcp_timestamps", "tcp_sack", "tcp_window_scaling",
                   "tcp_syncookies", "tcp_abort_on_overflow")


def measure(net, cases, ports):
    """Outcomes of every case, in order; cases whose setup failed are tried once more on new connections."""
    outcomes = []
    for start in range(0, len(cases), BATCH):
        outcomes += batch.run_batch(net, cases[start:start + BATCH], ports)
    failed = [i for i, out in enumerate(outcomes) if out.conn.error is not None]
    if failed:
        print(f"{len(failed)} case(s) did not reach their state; trying them again", file=sys.stderr)
        again = batch.run_batch(net, [cases[i] for i in failed], ports)
        for i, out in zip(failed, again):
            outcomes[i] = out
    return outcomes


def row(out, answer):
    c = out.conn
    v = c.variant
    base = {"state": v.state, "closed_by": v.closed_by, "opened": v.opened,
            "listener": "yes" if v.listener else "no", "segment": c.segment.spec()}
    if c.error is not None:
        return {**base, "reply": "setup failed", "state_after": "", "probe_reply": "n/a", "agree": "n/a",
                "why": c.error}
    reply = batch.reply_text(out)
    raw = " ; ".join(f"{r.seq}/{r.ack}" for r in out.replies) or "-"
    detail = f"{out.vars.text()} seg={out.seg_seq}/{out.seg_ack} reply={raw}"
    if answer is None:
        predicted, predicted_state, agree, why = "n/a", "", "n/a", ""
    else:
        predicted, predicted_state = predicted_text(answer)
        agree, why = judge(out, answer, out.listening_after)
        if "segment_values" in answer and answer["segment_values"]["len"] != c.segment.length:
            detail += f" probe-len={answer['segment_values']['len']}"
        if answer.get("delivered"):
            detail += f" probe-delivered={answer['delivered']}"
        if answer.get("held"):
            detail += f" probe-held={answer['held']}"
    return {**base, "reply": reply, "state_after": out.state_after, "probe_reply": predicted,
            "probe_state_after": predicted_state, "agree": agree, "why": why, "detail": detail}


def header(args, probe, net, count):
    sysctls = " ".join(f"{k}={run_in(net.subject_ns, 'sysctl', '-n', 'net.ipv4.' + k).strip()}"
                       for k in SUBJECT_SYSCTLS)
    uname = platform.uname()
    return [
        "teardown live conformance: how this kernel answers one crafted segment in each closing state",
        f"kernel: {uname.system} {uname.release} {uname.version} {uname.machine}",
        f"run: {datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ}, {count} cases, "
        f"reply window {batch.REPLY_WAIT} s, one fresh connection per case",
        f"subject namespace (defaults untouched): {sysctls}",
        "peer namespace: tcp_timestamps=0 tcp_sack=0 (so connections use neither); "
        "subject route to the peer: rto_min 5s (no retransmission inside a reply window)",
        "probe: " + (f"{args.teardown} probe --profile linux" if probe.available else f"n/a ({probe.why})"),
        "numbers: reply seq/ack relative to the subject's variables before the segment "
        "(SND.*, RCV.*, ISS, IRS) or the segment's fields (SEG.*); a plain number is none of them (e.g. 0); "
        "new-ISN is a SYN's fresh random ISN; detail gives every absolute value",
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--subject-ns", required=True)
    parser.add_argument("--peer-ns", required=True)
    parser.add_argument("--teardown", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--no-timers", action="store_true")
    parser.add_argument("--only", help="run only the cases of this state (for debugging)")
    parser.add_argument("--min-agreement", type=float,
                        help="exit 2 when the probe agrees with the kernel on less than this percentage of cases")
    args = parser.parse_args()

    try:
        net = Net(args.subject_ns, args.peer_ns).start()
    except PermissionError as err:
        print(f"skipped: raw sockets are not allowed here ({err})")
        return 77
    began = time.time()
    probe = Probe(args.teardown)
    if not probe.available:
        print(f"probe column: n/a ({probe.why})")
    cases = [(v, s) for v in variants() for s in segments() if args.only in (None, v.state)]
    ports = ((20000 + i, 40000 + i) for i in itertools.count())
    outcomes = measure(net, cases, ports)
    measured = time.time() - began

    usable = [out for out in outcomes if out.conn.error is None]
    answers = {}
    if probe.available:
        asked = probe.ask_all([(o.conn.variant, o.conn.segment) for o in usable])
        answers = {id(o): a for o, a in zip(usable, asked)}
    rows = [row(out, answers.get(id(out))) for out in outcomes]
    report.write_cases(args.out, header(args, probe, net, len(rows)), rows)

    if not args.no_timers:
        timer_rows = run_timers(net, ports)
        report.write_timers(report.timers_path(args.out),
                            header(args, probe, net, len(timer_rows))[:2] + [
                                "timer cases: shortened in the subject namespace: " +
                                " ".join(f"{k}={v}" for k, v in TIMER_SYSCTLS.items())],
                            timer_rows)

    failed = [r for r in rows if r["reply"] == "setup failed"]
    for r in rows:
        if r["agree"] == "no":
            print(f"differs: {r['state']} closed_by={r['closed_by']} opened={r['opened']} "
                  f"listener={r['listener']} [{r['segment']}]: kernel {r['reply']} -> {r['state_after']}; "
                  f"probe {r['probe_reply']} -> {r['probe_state_after']} ({r['why']})")
    for r in failed:
        print(f"setup failed: {r['state']} {r['closed_by']} {r['opened']} listener={r['listener']} "
              f"[{r['segment']}]: {r['why']}", file=sys.stderr)
    print(f"{report.summary(rows)}; {report.clipped(rows)} clipped; measured in {measured:.1f} s, "
          f"total {time.time() - began:.1f} s")
    print(f"wrote {args.out}" + ("" if args.no_timers else f" and {report.timers_path(args.out)}"))
    if failed:
        return 1
    compared = [r for r in rows if r["agree"] in ("yes", "no")]
    if args.min_agreement is not None:
        agreed = 100.0 * sum(r["agree"] == "yes" for r in compared) / max(len(compared), 1)
        if not compared or agreed < args.min_agreement:
            print(f"agreement {agreed:.1f}% is below --min-agreement {args.min_agreement}%")
            return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # a harness error, not a verdict about the kernel
        traceback.print_exc()
        sys.exit(1)
