"""`teardown replay TRACE.json --live`: one endpoint of a saved trace played by this machine's kernel.

Contract. Reads the file `teardown check|reach ... --trace-out F` writes ({"tool","version","model","property",
"trace":{"steps":[...]}}), builds two fresh network namespaces joined by a veth pair (the same addresses,
MACs, capture, injection and muting as the conformance harness: net.py, wire.py, mute.py), and walks the
trace step by step. The live side is a real socket in the subject namespace (10.77.0.1:20000); the other
side has no socket: the peer kernel is muted for the connection, and its segments are built from the trace
and injected on the peer's veth (10.77.0.2:40000) at the step where the trace delivers them. After each step
that reaches the kernel it compares what the kernel sent (flags SYN/FIN/RST/ACK, seq, ack, data length, in
the trace's numbers) and the socket's state (`ss`) with the trace, and stops at the first difference.
The namespaces are deleted on every exit (normal, error, SIGINT/SIGTERM/SIGHUP).
Exit: 0 the kernel agrees with every step; 10 it diverges (the report names the step); 3 not replayed
(not root, no namespaces or veth, a step that needs a timer to fire in real time, a second incarnation of
the live side); 2 bad usage or an unreadable trace; 1 harness error. Standard library only.
"""
import argparse
import json
import os
import platform
import signal
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import net  # noqa: E402  (addresses and names shared with the conformance harness)
from mute import Muter  # noqa: E402
import netns  # noqa: E402
from netns import inside, run_in  # noqa: E402
from sockstate import Snapshot  # noqa: E402
from wire import ACK, FIN, RST, SYN, Wire, build_frame, flags_text, flags_value  # noqa: E402

EXIT_AGREE, EXIT_DIVERGE, EXIT_NOT_REPLAYED, EXIT_USAGE, EXIT_ERROR = 0, 10, 3, 2, 1
MOD = 1 << 32
LIVE_PORT, SIM_PORT = 20000, 40000
TIMER_LABELS = ("retransmit", "give-up", "time-wait-end", "fin-wait-2-end")


class NotReplayed(Exception):
    """The trace cannot be replayed here; the message says why."""


class Diverged(Exception):
    """The kernel and the trace part ways; the message says where."""


def other(side):
    return "B" if side == "A" else "A"


def choose_side(steps):
    """--live-side auto: the endpoint that enters TIME-WAIT first (its TIME-WAIT is what teardown properties
    are about, e.g. the one assassinated in RFC 1337's figure 1); else the first to call close; else A."""
    for step in steps:
        for side in ("A", "B"):
            if step[side]["state"] == "TIME_WAIT":
                return side
    for step in steps:
        if step["label"] == "close" and step["actor"] in ("A", "B"):
            return step["actor"]
    return "A"


def seg_text(flags, seq, ack, length):
    text = f"{flags} seq={seq}"
    if "ACK" in flags.split("|"):
        text += f" ack={ack}"
    return text + (f" len={length}" if length else "")


def trace_seg_text(seg):
    return seg_text(seg["flags"], seg["seq"], seg["ack"], seg["len"])


class Namespaces:
    """Two namespaces and a veth pair, as tests/conformance/run builds them; delete() removes them."""

    def __init__(self):
        pid = os.getpid()
        self.subject, self.peer = f"td-rsubj-{pid}", f"td-rpeer-{pid}"
        self.made = []

    def _ip(self, *argv, skip=None):
        done = subprocess.run(["ip", *argv], capture_output=True, text=True)
        if done.returncode != 0:
            if skip:
                raise NotReplayed(f"skipped: {skip} ({done.stderr.strip()})")
            raise RuntimeError(f"ip {' '.join(argv)}: {done.stderr.strip()}")

    def create(self):
        try:
            netns.add(self.subject)
        except OSError as err:
            raise NotReplayed(f"skipped: cannot create a network namespace ({err})") from err
        self.made.append(self.subject)
        netns.add(self.peer)
        self.made.append(self.peer)
        self._ip("-n", self.subject, "link", "add", "td-s", "address", net.SUBJECT_MAC, "type", "veth", "peer",
                 "name", net.PEER_IF, "address", net.PEER_MAC, "netns", self.peer, skip="cannot create a veth pair")
        self._ip("-n", self.subject, "addr", "add", f"{net.SUBJECT_IP}/24", "dev", "td-s")
        self._ip("-n", self.peer, "addr", "add", f"{net.MATRIX_PEER_IP}/24", "dev", net.PEER_IF)
        for ns in (self.subject, self.peer):
            self._ip("-n", ns, "link", "set", "lo", "up")
        self._ip("-n", self.subject, "link", "set", "td-s", "up")
        self._ip("-n", self.peer, "link", "set", net.PEER_IF, "up")
        # As in the conformance matrix: no retransmission of the live socket falls inside a replay.
        self._ip("-n", self.subject, "route", "add", f"{net.MATRIX_PEER_IP}/32", "dev", "td-s", "src",
                 net.SUBJECT_IP, "rto_min", "5s")
        try:
            run_in(self.peer, "nft", "list", "ruleset")
        except (RuntimeError, FileNotFoundError) as err:
            raise NotReplayed(f"skipped: nftables does not work in a namespace here ({err})") from err

    def delete(self):
        while self.made:
            netns.delete(self.made.pop())


class Replay:
    def __init__(self, steps, live, window, ns):
        self.steps, self.live, self.sim, self.window, self.ns = steps, live, other(live), window, ns
        self.key = (LIVE_PORT, SIM_PORT)
        self.off_live = None  # kernel ISS - trace ISS of the live side (learnt from its SYN or SYN-ACK)
        self.conn = self.listener = None
        self.opened = False
        self.wire = None
        self.seen = 0  # how many of the live socket's segments have been compared
        self.notes = []

    # the sockets of the live side
    def _socket(self):
        with inside(self.ns.subject):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((net.SUBJECT_IP, LIVE_PORT))
        sock.setblocking(False)
        return sock

    def _accept(self):
        if self.conn is None and self.listener is not None:
            try:
                self.conn, _ = self.listener.accept()
                self.conn.setblocking(False)
            except BlockingIOError:
                pass

    def _read(self):
        if self.conn is None:
            return
        try:
            while self.conn.recv(65536):
                pass
        except OSError:
            pass

    def app(self, label, seg):
        if label == "open":
            if self.opened:
                raise NotReplayed("a second incarnation of the live side is not replayed (its port is in TIME-WAIT)")
            self.opened = True
            self.conn = self._socket()
            self.conn.connect_ex((net.MATRIX_PEER_IP, SIM_PORT))
        elif label == "send":
            self._accept()
            self.conn.send(b"x" * (seg["len"] if seg else 1))
        elif label == "close":
            self._accept()
            if self.conn is not None:
                # RFC 9293's CLOSE ends the sending direction only; the socket is not orphaned (close() would be
                # Linux's full close, which answers later data with a RST).
                self.conn.shutdown(socket.SHUT_WR)
            elif self.listener is not None:
                self.listener.close()
                self.listener = None
        elif label == "abort":
            self._accept()
            if self.conn is not None:
                self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.conn.close()
                self.conn = None
        else:
            raise NotReplayed(f"the live side's '{label}' has no socket call")

    def inject(self, seg):
        """The simulated side's segment, in the kernel's numbers: the simulated side keeps the trace's numbers,
        the live side's are shifted by the ISS offset."""
        flags = flags_value(seg["flags"])
        ack = (seg["ack"] + (self.off_live or 0)) % MOD if flags & ACK else 0
        frame = build_frame(net.PEER_MAC, net.SUBJECT_MAC, net.MATRIX_PEER_IP, net.SUBJECT_IP, SIM_PORT, LIVE_PORT,
                            seg["seq"] % MOD, ack, flags, 65535, b"x" * seg["len"])
        self.wire.send(frame)
        return frame

    def captured(self, wait):
        if wait:
            self.wire.wait(self.window)
        else:
            self.wire.drain()
        got = self.wire.from_subject(self.key)
        fresh = got[self.seen:]
        self.seen = len(got)
        return fresh

    def kernel_text(self, s):
        """A captured segment in the trace's numbers (the live side's shifted back, the other side's as is)."""
        flags = flags_text(s.flags)
        seq = (s.seq - (self.off_live or 0)) % MOD
        return seg_text(flags, seq, s.ack, s.payload)

    def compare(self, index, expected, got):
        want = [trace_seg_text(e) for e in expected]
        for i, s in enumerate(got):
            if s.flags & SYN and self.off_live is None and i < len(expected) and "SYN" in expected[i]["flags"]:
                self.off_live = (s.seq - expected[i]["seq"]) % MOD
                self.notes.append(f"the kernel's ISS is {s.seq}: the trace's {expected[i]['seq']} + {self.off_live}")
        have = [self.kernel_text(s) for s in got]
        if want != have:
            raise Diverged(f"step {index}: the trace has the live side {self.live} send "
                           f"{' ; '.join(want) or 'nothing'}, the kernel sent {' ; '.join(have) or 'nothing'}")
        return have

    def check_state(self, index, model_state):
        snap = Snapshot(self.ns.subject)
        kernel = snap.state(self.key)
        listening = LIVE_PORT in snap.listening
        shown = kernel + (" (listener on the port)" if listening else "")
        if model_state == "LISTEN":
            ok = kernel == "CLOSED" and listening
        else:
            ok = kernel == model_state
        if not ok:
            raise Diverged(f"step {index}: the trace has {self.live} in {model_state} afterwards, the kernel's socket "
                           f"is {shown} ({snap.lines.get(self.key, 'no socket')})")
        return shown

    def run(self):
        live, steps = self.live, self.steps
        start = steps[0][live]["state"]
        if start not in ("CLOSED", "LISTEN"):
            raise NotReplayed(f"the live side starts in {start}; only CLOSED and LISTEN can be set up")
        with inside(self.ns.peer):
            self.wire = Wire(net.PEER_IF, net.SUBJECT_IP)
        Muter(self.ns.peer, net.SUBJECT_IP).mute([LIVE_PORT])  # the peer kernel neither hears nor answers
        if start == "LISTEN":
            self.listener = self._socket()
            self.listener.listen(4)
            self.opened = True
        print(f"step {0:>3}  initial state: {live} {start}")
        for step in steps[1:]:
            index, label, actor = step["index"], step["label"], step["actor"]
            seg, reply, direction = step["segment"], step["reply"], step["direction"]
            touched, expected, what = False, [], ""
            if label in ("open", "send", "close", "abort") and actor == live:
                self.app(label, seg)
                touched, expected = True, ([seg] if seg else [])
                what = f"{live} {label}" + (" (shutdown SHUT_WR)" if label == "close" else "")
            elif label == "crash" and actor == live:
                raise NotReplayed(f"step {index}: the live side crashes in the trace; a kernel cannot be crashed here")
            elif label in TIMER_LABELS and actor == live:
                raise NotReplayed(f"step {index}: the model's {label} timer of {live} fires; the kernel's timer "
                                  f"(RTO at least 5 s on this route, TIME-WAIT 60 s) cannot be replayed in real time")
            elif label == "deliver" and direction == f"{self.sim}>{live}":
                self.inject(seg)
                touched, expected = True, ([reply] if reply else [])
                what = f"inject {trace_seg_text(seg)}"
            elif label == "tick":
                what = "tick (not replayed in real time: no timer of the live side fires in the trace)"
            else:
                what = f"{actor or 'network'} {label} (the simulated side; nothing reaches the kernel)"
            got = self.captured(touched)
            have = self.compare(index, expected, got)
            if touched:
                if label == "deliver":
                    self._accept()
                    self._read()
                state = self.check_state(index, step[live]["state"])
                print(f"step {index:>3}  {what}; kernel sent {' ; '.join(have) or 'nothing'}; {live} {state}")
            else:
                print(f"step {index:>3}  {what}")
        return len(steps) - 1


def sysctl(ns, name):
    try:
        return run_in(ns, "sysctl", "-n", f"net.ipv4.{name}").strip()
    except (RuntimeError, FileNotFoundError):
        return "?"


def main(argv):
    parser = argparse.ArgumentParser(prog="replay_live.py", description=__doc__.split("\n")[0])
    parser.add_argument("trace")
    parser.add_argument("--live-side", choices=("A", "B", "auto"), default="auto")
    parser.add_argument("--window", type=float, default=0.3, help="seconds to capture after each kernel step")
    args = parser.parse_args(argv)
    try:
        with open(args.trace, encoding="utf-8") as f:
            steps = json.load(f)["trace"]["steps"]
        steps[0]["A"]["state"], steps[0]["B"]["state"]  # noqa: B018 (the shape this script reads)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as err:
        print(f"replay --live: {args.trace}: not a saved trace ({err})", file=sys.stderr)
        return EXIT_USAGE
    live = choose_side(steps) if args.live_side == "auto" else args.live_side
    how = "chosen: it enters TIME-WAIT or closes first" if args.live_side == "auto" else "--live-side"
    if os.geteuid() != 0:
        print("replay --live: skipped: network namespaces and raw sockets need root")
        return EXIT_NOT_REPLAYED
    for tool in ("ip", "ss", "nft"):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode != 0:
            print(f"replay --live: skipped: {tool} not found (bash .ci/setup installs it)")
            return EXIT_NOT_REPLAYED
    ns = Namespaces()

    def on_signal(signum, _frame):
        raise SystemExit(EXIT_ERROR)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    replay = None
    try:
        ns.create()
        print(f"replay --live: {live} ({how}) is this kernel (Linux {platform.release()}, "
              f"tcp_rfc1337={sysctl(ns.subject, 'tcp_rfc1337')}) at {net.SUBJECT_IP}:{LIVE_PORT}; {other(live)} is "
              f"injected from {net.MATRIX_PEER_IP}:{SIM_PORT}; namespaces {ns.subject}, {ns.peer}")
        replay = Replay(steps, live, args.window, ns)
        count = replay.run()
        for note in replay.notes:
            print(f"  note: {note}")
        print(f"replay --live: agrees: the kernel followed all {count} steps of the trace "
              "(segments sent and socket states)")
        return EXIT_AGREE
    except Diverged as err:
        for note in (replay.notes if replay else []):
            print(f"  note: {note}")
        print(f"replay --live: diverges at {err}")
        return EXIT_DIVERGE
    except NotReplayed as err:
        text = str(err)
        print(f"replay --live: {text if text.startswith('skipped') else 'not replayed: ' + text}")
        return EXIT_NOT_REPLAYED
    except PermissionError as err:
        print(f"replay --live: skipped: raw sockets are not allowed here ({err})")
        return EXIT_NOT_REPLAYED
    except Exception as err:  # noqa: BLE001 (a harness error is reported, and the namespaces still go)
        print(f"replay --live: harness error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        ns.delete()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
