"""Asking `teardown probe --profile linux` what it predicts for a case, and judging the kernel against it.

Agreement: the probe's reply expressions are evaluated with the real socket's variables at injection time and
the injected segment's real fields, then compared with the kernel's first reply: flags equal as sets, seq
equal, ack equal when ACK is set; no reply on both sides also agrees. A kernel SYN whose seq is near none of
the variables is a fresh ISN; its value is not compared. The state after must be equal too (sockstate.py
says how the kernel's is read; a predicted LISTEN equals CLOSED when the listener is still there).

Windows of different sizes. The kernel's receive window is about 64 KB, the model's a few units (RCV.WND=4 in
the linux profile). A case must mean the same on both sides, above all where it lies against the right edge.
Positions written from RCV.NXT+RCV.WND (with offsets below the model's window) already do: a segment there
starts, and crosses the edge, on both sides alike. A data segment written from RCV.NXT that ends inside the
kernel's window (100 or 1000 bytes at RCV.NXT-1, RCV.NXT, RCV.NXT+1) would cross the model's edge, so the probe
is asked about the same segment clipped to end at its right edge (`clipped`: at RCV.NXT, len=RCV.WND): on both
sides it then lies inside the window and ends at or before its edge. The kernel's reply is then compared as
usual, except its ack when the model acknowledged the whole of its (clipped) segment: the model's
RCV.NXT+RCV.WND is then the kernel's SEG.SEQ+SEG.LEN (each side took all it was given). The table's detail
gives the probe's length (probe-len=N) and such an agreement says so in `why`.
"""
import json
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import wire as w
from seqvars import NEAR, diff, evaluate, names

_FROM_RCV_NXT = re.compile(r"^RCV\.NXT(?:([+-])(\d+))?$")


def clipped(segment, window):
    """`segment` as the probe is asked about it, for a model whose window is `window` units: the same, except
    a data segment placed from RCV.NXT that ends past the model's right edge, clipped to end at it. The
    kernel's version of such a segment ends inside its window (its offsets and lengths are far below 64 KB;
    judge() checks it). A segment that starts at or past the model's edge is left alone (the matrix has none
    placed from RCV.NXT: it would lie outside one window and inside the other)."""
    match = _FROM_RCV_NXT.match(segment.seq)
    if not match or not segment.length:
        return segment
    sign, number = match.groups()
    offset = 0 if sign is None else int(number) * (1 if sign == "+" else -1)
    if offset + segment.length <= window or offset >= window:
        return segment
    return replace(segment, length=window - offset)


class Probe:
    def __init__(self, binary):
        self.binary = binary
        self.available, self.why = self._check()
        self.window = self._window() if self.available else None

    def _check(self):
        try:
            done = subprocess.run([self.binary, "probe", "--help"], capture_output=True, text=True, timeout=20)
        except OSError as err:
            return False, f"cannot run {self.binary}: {err.strerror}"
        except subprocess.TimeoutExpired:
            return False, f"{self.binary} probe --help did not finish"
        if done.returncode != 0:
            return False, f"{self.binary} has no probe command yet"
        return True, ""

    def _window(self):
        """The profile's RCV.WND, as the probe reports it."""
        done = subprocess.run([self.binary, "probe", "--profile", "linux", "--state", "ESTABLISHED", "--segment",
                               "ACK", "--format", "json"], capture_output=True, text=True, timeout=60)
        return json.loads(done.stdout)["variables"]["RCV.WND"]

    def argv(self, variant, segment):
        args = [self.binary, "probe", "--profile", "linux", "--state", variant.state,
                "--segment", clipped(segment, self.window).spec(), "--listener", "yes" if variant.listener else "no",
                "--opened", variant.opened]
        if variant.closed_by != "none":
            args += ["--closed-by", variant.closed_by]
        return args + ["--format", "json"]

    def ask(self, variant, segment):
        """The probe's JSON object, or {"error": why}."""
        try:
            done = subprocess.run(self.argv(variant, segment), capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            return {"error": str(err)}
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines() or [f"exit {done.returncode}"]
            return {"error": lines[-1]}
        try:
            return json.loads(done.stdout)
        except json.JSONDecodeError:
            return {"error": "not JSON: " + done.stdout.strip()[:80]}

    def ask_all(self, pairs):
        """ask() for every (variant, segment), two at a time (one per core)."""
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(lambda p: self.ask(*p), pairs))


def predicted_text(answer):
    """The probe's reply as "ACK seq=SND.NXT ack=RCV.NXT+1" (or none), its state after, or an error."""
    if "error" in answer:
        return f"error: {answer['error']}", ""
    reply = answer.get("response")
    if reply is None:
        return "none", answer.get("state_after", "")
    text = f"{reply['flags']} seq={reply['seq']}"
    if "ACK" in reply["flags"].split("|"):
        text += f" ack={reply['ack']}"
    if reply.get("len"):
        text += f" len={reply['len']}"
    return text, answer.get("state_after", "")


def _end(seq, flags, length):
    """SEG.SEQ+SEG.LEN, modulo 2^32."""
    return (seq + length + bool(flags & w.SYN) + bool(flags & w.FIN)) % (1 << 32)


def judge(out, answer, listening_after):
    """(agree, why) for one case: agree is "yes", "no" or "n/a" (no usable prediction); why says what differs,
    or, for an agreement whose ack was compared as SEG.SEQ+SEG.LEN (a clipped case), that it was."""
    if "error" in answer:
        return "n/a", "probe error"
    values = names(out.vars, out.seg_seq, out.seg_ack, out.seg_len)
    segment = out.conn.segment
    flags = w.flags_value(segment.flags)
    model_len = answer["segment_values"]["len"]
    clip = model_len != segment.length
    if clip and diff(_end(out.seg_seq, flags, segment.length), values["RCV.NXT+RCV.WND"]) > 0:
        return "n/a", "clipped for the model, but the kernel's segment crosses its right edge too"
    reasons = []
    note = ""
    reply = answer.get("response")
    real = out.replies[0] if out.replies else None
    if (reply is None) != (real is None):
        reasons.append("reply" if real is not None else "no reply")
    elif real is not None:
        if w.flags_value(reply["flags"]) != real.flags & (w.SYN | w.FIN | w.RST | w.ACK):
            reasons.append("flags")
        else:
            fresh = real.flags & w.SYN and all(abs(diff(real.seq, v)) > NEAR for v in values.values())
            try:
                if not fresh and evaluate(reply["seq"], values) != real.seq:
                    reasons.append("seq")
                if real.flags & w.ACK:
                    expected = evaluate(reply["ack"], values)
                    model_end = _end(answer["segment_values"]["seq"], flags, model_len)
                    if clip and reply["ack_value"] == model_end:
                        expected = _end(out.seg_seq, flags, segment.length)
                        note = (f"clipped: the model acknowledged its whole segment (len={model_len}), compared "
                                "as SEG.SEQ+SEG.LEN")
                    if expected != real.ack:
                        reasons.append("ack")
            except (ValueError, KeyError) as err:
                reasons.append(f"unreadable expression ({err})")
    state = answer.get("state_after", "")
    if state == "LISTEN" and out.state_after == "CLOSED" and listening_after:
        state = "CLOSED"
    if state != out.state_after:
        reasons.append("state after")
    return ("no", ", ".join(reasons)) if reasons else ("yes", note)
