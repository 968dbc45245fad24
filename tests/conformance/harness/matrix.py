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
    length: int  # bytes of data (each byte "x")

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

# Segments with several control bits, at the same five places.
COMBINED = ("SYN|FIN", "SYN|RST", "FIN|RST", "SYN|ACK|FIN")

# Real-sized data (ACK, ack=SND.NXT). Every position is written so that it means the same on the kernel, whose
# window is about 64 KB, and on the model, whose window is a few units (RCV.WND=4 in the linux profile): offsets
# from RCV.NXT+RCV.WND stay below the model's window, so "RCV.NXT+RCV.WND-1" is the last unit inside the window,
# beyond RCV.NXT, on both sides. The model trims what lies past its window; probe.py says how that is judged.
DATA_LENGTHS = (100, 1000)


def data_seqs(length):
    return (
        f"RCV.NXT-{length}",  # all of it old: it ends at RCV.NXT
        "RCV.NXT-1",  # overlaps RCV.NXT: one old byte, the rest new
        "RCV.NXT",  # in order
        "RCV.NXT+1",  # beyond RCV.NXT, inside the window: out of order
        "RCV.NXT+RCV.WND-1",  # starts at the window's last byte and crosses its right edge
        "RCV.NXT+RCV.WND",  # starts at the right edge
        "RCV.NXT+RCV.WND+1",  # starts past it
    )


# What the peer sent before, sent again: the peer's one data byte (IRS+1, conn.py sends one byte each way, as the
# probe's endpoint has), its FIN (RCV.NXT-1 once the FIN is in: CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT) and
# both together, each acknowledging SND.UNA (what the peer had seen when it sent them: in LAST-ACK and CLOSING the
# subject's FIN was not yet acknowledged); the data also with ack=SND.NXT (the peer saw the subject's FIN since).
RETRANSMITTED = (("ACK", "IRS+1", "SND.UNA", 1), ("ACK", "IRS+1", "SND.NXT", 1),
                 ("FIN|ACK", "RCV.NXT-1", "SND.UNA", 0), ("FIN|ACK", "IRS+1", "SND.UNA", 1))


def segments():
    found = []
    for flags, length in KINDS:
        ack = "SND.NXT" if "ACK" in flags.split("|") else None
        found += [SegmentCase(flags, seq, ack, length) for seq in SEQS]
    # the acknowledgment field itself: an old one (SND.UNA when a FIN is outstanding) and one for unsent data
    for flags, length in (("ACK", 0), ("ACK", 1), ("FIN|ACK", 0)):
        found += [SegmentCase(flags, "RCV.NXT", ack, length) for ack in ("SND.NXT-1", "SND.NXT+1")]
    for flags in COMBINED:
        ack = "SND.NXT" if "ACK" in flags.split("|") else None
        found += [SegmentCase(flags, seq, ack, 0) for seq in SEQS]
    for length in DATA_LENGTHS:
        found += [SegmentCase("ACK", seq, "SND.NXT", length) for seq in data_seqs(length)]
    found += [SegmentCase(flags, seq, ack, length) for flags, seq, ack, length in RETRANSMITTED]
    return found
