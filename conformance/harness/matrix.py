"""The cases: which states, in which contexts, receive which crafted segments.

A variant is a context (state, how the subject closed, how it opened, whether a listener holds its port);
every variant receives the same list of segments, each to its own fresh connection.
"""
from dataclasses import dataclass

STATES = ("FIN_WAIT_1", "FIN_WAIT_2", "CLOSING", "TIME_WAIT", "CLOSE_WAIT", "LAST_ACK", "CLOSED")
# States the subject reaches by closing first or second; CLOSE_WAIT has not closed at all (closed_by none)
# and CLOSED is always reached by close() after the peer's FIN (the subject's LAST-ACK is acknowledged).
CLOSED_BY_MATTERS = ("FIN_WAIT_1", "FIN_WAIT_2", "CLOSING", "TIME_WAIT", "LAST_ACK")


@dataclass(frozen=True)
class Variant:
    state: str
    closed_by: str  # close | shutdown | none
    opened: str  # active | passive
    listener: bool  # a listening socket holds the subject port when the segment arrives


def variants():
    found = []
    for state in STATES:
        closed = "none" if state == "CLOSE_WAIT" else "close"
        # the main grid: each opening, with and without a listener on the subject port
        for opened in ("active", "passive"):
            for listener in (False, True):
                found.append(Variant(state, closed, opened, listener))
        if state in CLOSED_BY_MATTERS:
            found.append(Variant(state, "shutdown", "active", False))
    return found


@dataclass(frozen=True)
class SegmentCase:
    flags: str  # "FIN|ACK"
    seq: str  # an expression of the segment spec grammar, e.g. "RCV.NXT-1"
    ack: str | None  # likewise; None without ACK (the field is then sent as 0)
    length: int  # bytes of data (one byte: "x")

    def spec(self):
        """The text passed to `teardown probe --segment`."""
        text = f"{self.flags} seq={self.seq}"
        if self.ack is not None:
            text += f" ack={self.ack}"
        if self.length:
            text += f" len={self.length}"
        return text


KINDS = (("SYN", 0), ("SYN|ACK", 0), ("ACK", 0), ("ACK", 1), ("FIN|ACK", 0), ("RST", 0), ("RST|ACK", 0))
# below, at, inside the window, at its right edge (outside by RFC 9293's test) and one past it
SEQS = ("RCV.NXT-1", "RCV.NXT", "RCV.NXT+1", "RCV.NXT+RCV.WND", "RCV.NXT+RCV.WND+1")


def segments():
    found = []
    for flags, length in KINDS:
        ack = "SND.NXT" if "ACK" in flags.split("|") else None
        found += [SegmentCase(flags, seq, ack, length) for seq in SEQS]
    # the acknowledgment field itself: an old one (SND.UNA when a FIN is outstanding) and one for unsent data
    for flags, length in (("ACK", 0), ("ACK", 1), ("FIN|ACK", 0)):
        found += [SegmentCase(flags, "RCV.NXT", ack, length) for ack in ("SND.NXT-1", "SND.NXT+1")]
    return found
