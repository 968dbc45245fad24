"""Runs a batch of cases in lock step: every connection of the batch is driven through its state's recipe
(step i on all of them, then the traffic settles), checked with ss, given its crafted segment, and its reply
and state afterwards are recorded.
"""
from dataclasses import dataclass

import wire as w
from conn import Conn
from seqvars import ACK_NAMES, SEQ_NAMES, evaluate, learn, names, relative
from sockstate import Snapshot

SETTLE = 0.1  # seconds for a step's segments to cross the veth and be answered
REPLY_WAIT = 0.3  # seconds to wait for the subject's answer to a crafted segment

# How each state is reached after the handshake and the exchange (conn.py). "mute_in": the peer stops
# hearing the subject, "mute_out": the peer stops talking (mute.py).
RECIPES = {
    "FIN_WAIT_1": ("mute_in", "subject_closes", "mute_out"),  # the subject's FIN is never acknowledged
    "FIN_WAIT_2": ("subject_closes", "mute_both"),
    "CLOSING": ("mute_in", "subject_closes", "peer_shuts_down", "mute_out"),  # the FINs cross
    "TIME_WAIT": ("subject_closes", "peer_closes", "mute_both"),
    "CLOSE_WAIT": ("peer_closes", "mute_both"),
    "LAST_ACK": ("peer_closes", "mute_in", "subject_closes", "mute_out"),
    "CLOSED": ("peer_closes", "subject_closes", "mute_both"),  # the subject's LAST-ACK is acknowledged
}
OPENING = ("start_open", "finish_open", "peer_sends", "subject_answers", "peer_reads")


@dataclass
class Outcome:
    conn: Conn
    vars: object = None  # seqvars.Vars at injection
    seg_seq: int = 0
    seg_ack: int = 0
    seg_len: int = 0  # SEG.LEN (data + SYN + FIN)
    replies: list = None  # wire.Segment, in order
    state_after: str = ""
    ss_after: str = ""
    sent_at: float = 0.0  # wall-clock time of the injection
    listening_after: bool = False  # a listener held the subject port after the reply window


def recipe(variant):
    """Every step that takes a connection of `variant` from nothing to its state."""
    return OPENING + RECIPES[variant.state] + ("add_listener",)


def _step(net, conns, index):
    """Step number `index` of every connection's recipe: the muting first (one nft call per set), then the
    socket calls, then the traffic settles."""
    todo = [(c, recipe(c.variant)[index]) for c in conns
            if c.error is None and index < len(recipe(c.variant))]
    for kind in ("mute_in", "mute_out", "mute_both"):
        ports = [c.key[0] for c, name in todo if name == kind]
        net.muter.mute(ports, inbound=kind != "mute_out", outbound=kind != "mute_in")
    for c, name in todo:
        if name.startswith("mute"):
            continue
        try:
            getattr(c, name)()
        except OSError as err:
            c.error = f"{name}: {err}"
    net.wire.wait(SETTLE)


def drive(net, conns):
    """Drives every connection into its variant's state and checks it with ss (conn.error when not)."""
    for index in range(max(len(recipe(c.variant)) for c in conns)):
        _step(net, conns, index)
    _check_state(net, conns)


def _check_state(net, conns):
    snap = Snapshot(net.subject_ns)
    for c in conns:
        if c.error is not None:
            continue
        got = snap.state(c.key)
        if got != c.variant.state:
            c.error = f"reached {got}, not {c.variant.state}"
        elif (c.key[0] in snap.listening) != c.variant.listener:
            c.error = "listener " + ("present" if c.key[0] in snap.listening else "missing")


def _inject(net, c):
    """Sends the case's segment; returns its Outcome (replies still to collect)."""
    out = Outcome(c)
    out.vars = learn(net.wire.seen.get(c.key, []), net.subject_ip)
    if out.vars is None:
        c.error = "the capture lacks a SYN"
        return out
    seg = c.segment
    values = names(out.vars, 0, 0, 0)
    flags = w.flags_value(seg.flags)
    out.seg_seq = evaluate(seg.seq, values)
    out.seg_ack = evaluate(seg.ack, values) if seg.ack is not None else 0
    out.seg_len = seg.length + bool(flags & w.SYN) + bool(flags & w.FIN)
    window = next((s.window for s in reversed(net.wire.seen[c.key]) if s.src == net.peer_ip), 65535)
    frame = w.build_frame(net.peer_mac, net.subject_mac, net.peer_ip, net.subject_ip, c.key[1], c.key[0],
                          out.seg_seq, out.seg_ack, flags, window, b"x" * seg.length)
    out.sent_at = net.wire.send(frame)
    return out


def run_batch(net, cases, ports):
    """Runs every (variant, segment) of `cases`, each on a fresh connection whose ports come from the
    iterator `ports`. Returns one Outcome per case (its conn.error set when the setup failed)."""
    conns = [Conn(net, variant, segment, *next(ports)) for variant, segment in cases]
    try:
        drive(net, conns)
        net.wire.drain()
        outcomes = [_inject(net, c) if c.error is None else Outcome(c) for c in conns]
        net.wire.wait(REPLY_WAIT)
        snap = Snapshot(net.subject_ns)
        if net.wire.dropped:
            raise RuntimeError(f"the capture lost {net.wire.dropped} frames: the results would be wrong")
        for out in outcomes:
            if out.conn.error is None:
                out.replies = net.wire.from_subject(out.conn.key, out.sent_at)
                out.state_after = snap.state(out.conn.key)
                out.ss_after = snap.lines.get(out.conn.key, "")
                out.listening_after = out.conn.key[0] in snap.listening
        return outcomes
    finally:
        for c in conns:
            c.close_everything()


def reply_text(out):
    """The kernel's replies in relative notation ("none" for no reply), joined by " ; "."""
    if not out.replies:
        return "none"
    values = names(out.vars, out.seg_seq, out.seg_ack, out.seg_len)
    # With no TCB the kernel answers from the segment's fields, so those are printed first. Without ACK
    # the segment's ack field was sent as 0 and means nothing.
    has_ack = w.flags_value(out.conn.segment.flags) & w.ACK
    closed = out.conn.variant.state == "CLOSED"
    seq_first = ("SEG.ACK",) if closed and has_ack else ()
    ack_first = ("SEG.SEQ",) if closed else ()
    seq_order = tuple(n for n in SEQ_NAMES if has_ack or n != "SEG.ACK")
    texts = []
    for r in out.replies:
        seq = relative(r.seq, values, seq_order, seq_first)
        if r.flags & w.SYN and seq.isdigit():
            seq = "new-ISN"  # a fresh initial sequence number, near none of the variables (see detail)
        text = f"{w.flags_text(r.flags)} seq={seq}"
        if r.flags & w.ACK:
            text += f" ack={relative(r.ack, values, ACK_NAMES, ack_first)}"
        if r.payload:
            text += f" len={r.payload}"
        texts.append(text)
    return " ; ".join(texts)
