"""Timer cases: sockets left alone in a closing state, with the namespace's timers shortened, watched with ss
until their state changes. They talk to the peer's second address, whose route keeps the default RTO.

Times are counted from the first FIN of the connection as captured: the subject's, except in CLOSE-WAIT.
The row lists what the subject sent after that FIN (its retransmissions, ACKs, a final RST).
"""
import dataclasses
import time

import wire as w
from batch import drive
from conn import Conn
from matrix import Variant
from net import TIMER_PEER_IP
from netns import run_in
from sockstate import Snapshot

SYSCTLS = {"net.ipv4.tcp_fin_timeout": 3, "net.ipv4.tcp_orphan_retries": 2, "net.ipv4.tcp_retries2": 3}
WATCH = 9.0  # seconds of watching after the states are reached
POLL = 0.1

CASES = (
    ("orphaned FIN-WAIT-2 ends after tcp_fin_timeout?", Variant("FIN_WAIT_2", "close", "active", False)),
    ("FIN-WAIT-2 after shutdown(): no timer?", Variant("FIN_WAIT_2", "shutdown", "active", False)),
    ("orphaned FIN-WAIT-1, FIN never acked: tcp_orphan_retries", Variant("FIN_WAIT_1", "close", "active", False)),
    ("FIN-WAIT-1 after shutdown(), FIN never acked: tcp_retries2", Variant("FIN_WAIT_1", "shutdown", "active", False)),
    ("orphaned CLOSING, FIN never acked", Variant("CLOSING", "close", "active", False)),
    ("orphaned LAST-ACK, FIN never acked", Variant("LAST_ACK", "close", "passive", False)),
    ("TIME-WAIT length (ss timer)", Variant("TIME_WAIT", "close", "active", False)),
    ("CLOSE-WAIT, application never closes", Variant("CLOSE_WAIT", "none", "active", False)),
)


def _summary(segments):
    """"FIN|ACK x3, RST|ACK": the subject's segments in order, repeats counted."""
    parts = []
    for seg in segments:
        name = w.flags_text(seg.flags) + (f" len={seg.payload}" if seg.payload else "")
        if parts and parts[-1][0] == name:
            parts[-1][1] += 1
        else:
            parts.append([name, 1])
    return ", ".join(n if k == 1 else f"{n} x{k}" for n, k in parts) or "nothing"


def run_timers(net, ports):
    """Returns one row (dict) per timer case."""
    saved = {k: run_in(net.subject_ns, "sysctl", "-n", k).strip() for k in SYSCTLS}
    run_in(net.subject_ns, "sysctl", "-qw", *(f"{k}={v}" for k, v in SYSCTLS.items()))
    timer_net = dataclasses.replace(net, peer_ip=TIMER_PEER_IP)
    conns = [Conn(timer_net, variant, None, *next(ports)) for _, variant in CASES]
    try:
        drive(timer_net, conns)
        reached = time.time()
        first_ss = Snapshot(net.subject_ns)
        changes = {c.key: None for c in conns}
        while time.time() - reached < WATCH and any(v is None for v in changes.values()):
            net.wire.wait(POLL)
            snap = Snapshot(net.subject_ns)
            for c in conns:
                if c.error is None and changes[c.key] is None and snap.state(c.key) != c.variant.state:
                    changes[c.key] = (time.time(), snap.state(c.key))
        net.wire.drain()
        rows = []
        for (question, variant), c in zip(CASES, conns):
            rows.append(_row(net, question, variant, c, reached, first_ss, changes[c.key]))
        return rows
    finally:
        for c in conns:
            c.close_everything()
        run_in(net.subject_ns, "sysctl", "-qw", *(f"{k}={v}" for k, v in saved.items()))


def _row(net, question, variant, c, reached, first_ss, change):
    row = {"case": question, "state": variant.state, "closed_by": variant.closed_by,
           "opened": variant.opened}
    if c.error is not None:
        return {**row, "outcome": f"setup failed: {c.error}", "subject_sent": "", "ss_at_start": ""}
    segs = net.wire.seen.get(c.key, [])
    mine = [s for s in segs if s.src == net.subject_ip]
    fin = next((s for s in segs if s.flags & w.FIN), None)
    origin = fin.time if fin is not None else reached
    later = [s for s in mine if s.time >= origin and s is not fin]
    if change is None:
        outcome = f"still {variant.state} {time.time() - origin:.1f} s after the FIN"
    else:
        outcome = f"{change[1]} {change[0] - origin:.1f} s after the FIN (+-{POLL} s)"
    return {**row, "outcome": outcome, "subject_sent": _summary(later),
            "ss_at_start": first_ss.lines.get(c.key, "").split(" | ")[0]}
