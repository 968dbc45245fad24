"""Asking `teardown probe --profile linux` what it predicts for a case, and judging the kernel against it.

Agreement: the probe's reply expressions are evaluated with the real socket's variables at injection time and
the injected segment's real fields, then compared with the kernel's first reply: flags equal as sets, seq
equal, ack equal when ACK is set; no reply on both sides also agrees. A kernel SYN whose seq is near none of
the variables is a fresh ISN; its value is not compared. The state after must be equal too (sockstate.py
says how the kernel's is read; a predicted LISTEN equals CLOSED when the listener is still there).
"""
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import wire as w
from seqvars import NEAR, diff, evaluate, names


class Probe:
    def __init__(self, binary):
        self.binary = binary
        self.available, self.why = self._check()

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

    def argv(self, variant, segment):
        args = [self.binary, "probe", "--profile", "linux", "--state", variant.state,
                "--segment", segment.spec(), "--listener", "yes" if variant.listener else "no",
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


def judge(out, answer, listening_after):
    """(agree, why not) for one case: agree is "yes", "no" or "n/a" (no usable prediction)."""
    if "error" in answer:
        return "n/a", "probe error"
    reasons = []
    reply = answer.get("response")
    real = out.replies[0] if out.replies else None
    if (reply is None) != (real is None):
        reasons.append("reply" if real is not None else "no reply")
    elif real is not None:
        values = names(out.vars, out.seg_seq, out.seg_ack, out.seg_len)
        if w.flags_value(reply["flags"]) != real.flags & (w.SYN | w.FIN | w.RST | w.ACK):
            reasons.append("flags")
        else:
            fresh = real.flags & w.SYN and all(abs(diff(real.seq, v)) > NEAR for v in values.values())
            try:
                if not fresh and evaluate(reply["seq"], values) != real.seq:
                    reasons.append("seq")
                if real.flags & w.ACK and evaluate(reply["ack"], values) != real.ack:
                    reasons.append("ack")
            except (ValueError, KeyError) as err:
                reasons.append(f"unreadable expression ({err})")
    state = answer.get("state_after", "")
    if state == "LISTEN" and out.state_after == "CLOSED" and listening_after:
        state = "CLOSED"
    if state != out.state_after:
        reasons.append("state after")
    return ("no", ", ".join(reasons)) if reasons else ("yes", "")
