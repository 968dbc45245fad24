"""Asking `teardown probe --profile linux` what it predicts for a case, and judging the kernel against it.

Agreement: the probe's reply expressions are evaluated with the real socket's variables at injection time and
the injected segment's real fields, then compared with the kernel's first reply: flags equal as sets, seq
equal, ack equal when ACK is set; no reply on both sides also agrees. A kernel SYN whose seq is near none of
the variables is a fresh ISN; its value is not compared. The state after must be equal too (sockstate.py
says how the kernel's is read; a predicted LISTEN equals CLOSED when the listener is still there).

Windows of different sizes. The model's window is a few units (RCV.WND=4 in the linux profile), the kernel's
about 64 KB, and the model trims a segment to its window. A data segment that crosses the model's right edge
but not the kernel's (100 or 1000 bytes starting near RCV.NXT) cannot be acknowledged with the same number on
both sides: the model takes at most RCV.WND units of it, the kernel all of it. For such a case only, the ack
is compared by how far it moved RCV.NXT: the model's advance must equal min(the kernel's advance, the model's
RCV.WND) (so "no advance" must be no advance on both sides, and a kernel that took 99 new bytes matches a
model that took its whole window of 4). Flags, seq and the state after are compared as always. Such an
agreement says why in the table ("window-scaled ack ...").
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


def _signed(value):
    return diff(value % (1 << 32), 0)


def scaled_window(out, answer):
    """(model's RCV.WND, model's advance) when the case's segment carries data that crosses the model's right
    edge but lies inside the kernel's window, else None. The advance is the probe's reply ack minus the model's
    RCV.NXT, in the model's own numbers."""
    reply, values, model_vars = answer.get("response"), answer.get("segment_values"), answer.get("variables")
    if not reply or reply.get("ack_value") is None or not values or not model_vars or not values.get("len"):
        return None
    model_wnd, model_nxt = model_vars["RCV.WND"], model_vars["RCV.NXT"]
    data = values["len"]
    if _signed(values["seq"] + data - (model_nxt + model_wnd)) <= 0:
        return None  # the model took the segment as it is
    if diff(out.seg_seq + data, out.vars.rcv_nxt + out.vars.rcv_wnd) > 0:
        return None  # it crosses the kernel's right edge too: the numbers mean the same on both sides
    return model_wnd, _signed(reply["ack_value"] - model_nxt)


def judge(out, answer, listening_after):
    """(agree, why) for one case: agree is "yes", "no" or "n/a" (no usable prediction); why says what differs,
    or, for an agreement by the window-scaled rule, that it was one."""
    if "error" in answer:
        return "n/a", "probe error"
    reasons = []
    note = ""
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
                    scaled = scaled_window(out, answer)
                    kernel_advance = diff(real.ack, out.vars.rcv_nxt)
                    if scaled is not None and scaled[1] == min(kernel_advance, scaled[0]):
                        note = (f"window-scaled ack: the model's RCV.NXT+{scaled[1]} is min(the kernel's "
                                f"RCV.NXT+{kernel_advance}, its RCV.WND {scaled[0]})")
                    else:
                        reasons.append("ack")
            except (ValueError, KeyError) as err:
                reasons.append(f"unreadable expression ({err})")
    state = answer.get("state_after", "")
    if state == "LISTEN" and out.state_after == "CLOSED" and listening_after:
        state = "CLOSED"
    if state != out.state_after:
        reasons.append("state after")
    return ("no", ", ".join(reasons)) if reasons else ("yes", note)
