"""Sequence variables: learnt from the captured traffic of a real connection, printed in relative notation,
and used to evaluate the probe's expressions.

Everything is modulo 2^32. The subject's variables at injection time come from what crossed the wire:
ISS and IRS from the two SYNs, SND.NXT from the subject's highest sequence sent, RCV.NXT from the peer's
highest (every segment the peer kernel put on the wire reached the subject: veth loses nothing), SND.UNA
from the peer's highest ACK on the wire, RCV.WND from the subject's last advertised window, scaled when
both SYNs carried a window scale option.
"""
import re
from dataclasses import dataclass

from wire import ACK, SYN

MOD = 1 << 32


def diff(a, b):
    """a - b as a signed 32-bit difference."""
    d = (a - b) % MOD
    return d - MOD if d >= MOD // 2 else d


@dataclass
class Vars:
    iss: int
    irs: int
    snd_una: int
    snd_nxt: int
    rcv_nxt: int
    rcv_wnd: int

    def text(self):
        return (f"iss={self.iss} irs={self.irs} snd.una={self.snd_una} snd.nxt={self.snd_nxt} "
                f"rcv.nxt={self.rcv_nxt} rcv.wnd={self.rcv_wnd}")


def learn(segments, subject_ip):
    """The subject's variables after `segments` (one connection's capture, in order). None when the
    capture lacks either SYN."""
    mine = [s for s in segments if s.src == subject_ip]
    theirs = [s for s in segments if s.src != subject_ip]
    my_syn = next((s for s in mine if s.flags & SYN), None)
    their_syn = next((s for s in theirs if s.flags & SYN), None)
    if my_syn is None or their_syn is None:
        return None
    snd_nxt = max((s.seq + s.seg_len for s in mine), key=lambda v: diff(v, my_syn.seq)) % MOD
    rcv_nxt = max((s.seq + s.seg_len for s in theirs), key=lambda v: diff(v, their_syn.seq)) % MOD
    acks = [s.ack for s in theirs if s.flags & ACK]
    snd_una = max(acks, key=lambda v: diff(v, my_syn.seq)) if acks else my_syn.seq
    scaled = "wscale" in my_syn.options and "wscale" in their_syn.options
    last = mine[-1]
    wnd = last.window if last.flags & SYN or not scaled else last.window << my_syn.options["wscale"]
    return Vars(my_syn.seq, their_syn.seq, snd_una, snd_nxt, rcv_nxt, wnd)


def names(vars_, seg_seq, seg_ack, seg_len):
    """The values an expression may name: the endpoint's variables and the injected segment's fields."""
    return {"SND.NXT": vars_.snd_nxt, "SND.UNA": vars_.snd_una, "RCV.NXT": vars_.rcv_nxt,
            "ISS": vars_.iss, "IRS": vars_.irs, "RCV.WND": vars_.rcv_wnd,
            "RCV.NXT+RCV.WND": (vars_.rcv_nxt + vars_.rcv_wnd) % MOD,
            "SEG.SEQ": seg_seq, "SEG.ACK": seg_ack, "SEG.LEN": seg_len}


_EXPR = re.compile(r"^\s*(\d+|[A-Z]+\.[A-Z]+\+[A-Z]+\.[A-Z]+|[A-Z]+(?:\.[A-Z]+)?)\s*(?:([+-])\s*(\d+))?\s*$")


def evaluate(expr, values):
    """The number an expression such as "RCV.NXT+1", "SEG.SEQ-2", "SND.NXT+65537" or "0" stands for."""
    match = _EXPR.match(str(expr))
    if not match:
        raise ValueError(f"cannot read the expression {expr!r}")
    base, sign, offset = match.groups()
    value = int(base) if base.isdigit() else values[base]
    if sign:
        value += int(offset) if sign == "+" else -int(offset)
    return value % MOD


# The names tried when printing a reply's seq and ack fields: the closest wins, ties go to the earlier name.
SEQ_NAMES = ("SND.NXT", "SND.UNA", "SEG.ACK", "ISS")
ACK_NAMES = ("RCV.NXT", "SEG.SEQ", "IRS")
NEAR = 1 << 20  # farther than this from every name: print the plain number (e.g. a fresh ISN)


def relative(value, values, order, first=()):
    """`value` as "NAME", "NAME+N" or "NAME-N" for the closest name in `order`, or the plain number.
    Names in `first` (the segment's fields, when there is no TCB) are taken whenever one is near."""
    for group in (first, order):
        if not group:
            continue
        best = min(group, key=lambda name: abs(diff(value, values[name])))
        d = diff(value, values[best])
        if abs(d) <= NEAR:
            return best if d == 0 else f"{best}{d:+d}"
    return str(value)
