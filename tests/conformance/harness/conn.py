"""One real connection between the subject and the peer namespace, and the socket calls that drive it.

The subject socket is the one whose answers are measured; the peer socket is an ordinary socket whose kernel
is later muted (see mute.py). Each connection has its own subject port and peer port, never reused.
Calls never block: a batch calls one step on every connection, then lets the traffic settle.
"""
import socket

from netns import inside

# The bytes exchanged each way before closing: one each, as the probe's endpoint has exchanged one unit each
# way, so that a number such as IRS+1 (the peer's data) means the same byte on both sides.
HELLO, REPLY = b"h", b"w"


def _stream(ns, address, reuse=True):
    with inside(ns):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse:  # lets a listener share the port with a connection of the subject (and TIME-WAIT)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.setblocking(False)
    return sock


def _read_all(sock):
    """Reads whatever is queued, so close() sends a FIN and not a RST for unread data."""
    got = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:
            return got
        if not chunk:
            return got
        got += chunk


class Conn:
    def __init__(self, net, variant, segment, subject_port, peer_port):
        self.net, self.variant, self.segment = net, variant, segment
        self.subject_addr = (net.subject_ip, subject_port)
        self.peer_addr = (net.peer_ip, peer_port)
        self.key = (subject_port, peer_port)
        self.subject = self.peer = self.listener = self.peer_listener = None
        self.error = None  # why the connection did not reach its state, if it did not

    # opening: connect() now, accept() after the handshake settled
    def start_open(self):
        if self.variant.opened == "active":
            self.peer_listener = _stream(self.net.peer_ns, self.peer_addr)
            self.peer_listener.listen(4)
            self.subject = _stream(self.net.subject_ns, self.subject_addr)
            self.subject.connect_ex(self.peer_addr)
        else:
            self.listener = _stream(self.net.subject_ns, self.subject_addr)
            self.listener.listen(4)
            self.peer = _stream(self.net.peer_ns, self.peer_addr)
            self.peer.connect_ex(self.subject_addr)

    def finish_open(self):
        try:
            if self.variant.opened == "active":
                self.peer, _ = self.peer_listener.accept()
                self.peer_listener.close()
                self.peer_listener = None
            else:
                self.subject, _ = self.listener.accept()
                if not self.variant.listener:
                    self.listener.close()
                    self.listener = None
            self.peer.setblocking(False)
            self.subject.setblocking(False)
        except OSError as err:
            self.error = f"handshake: {err}"

    # the exchange: HELLO from the peer, REPLY from the subject
    def peer_sends(self):
        self.peer.send(HELLO)

    def subject_answers(self):
        if _read_all(self.subject) != HELLO:
            self.error = "the subject did not receive the peer's bytes"
        self.subject.send(REPLY)

    def peer_reads(self):
        if _read_all(self.peer) != REPLY:
            self.error = "the peer did not receive the subject's bytes"

    # closing
    def subject_closes(self):
        _read_all(self.subject)
        if self.variant.closed_by == "shutdown":
            self.subject.shutdown(socket.SHUT_WR)
        else:
            self.subject.close()
            self.subject = None

    def peer_closes(self):
        _read_all(self.peer)
        self.peer.close()
        self.peer = None

    def peer_shuts_down(self):
        self.peer.shutdown(socket.SHUT_WR)

    def add_listener(self):
        """A listener on the subject port, for an actively opened connection in a listener=yes variant."""
        if self.variant.listener and self.listener is None:
            try:
                self.listener = _stream(self.net.subject_ns, self.subject_addr)
                self.listener.listen(4)
            except OSError as err:
                self.error = f"listener: {err}"

    def close_everything(self):
        for sock in (self.subject, self.peer, self.listener, self.peer_listener):
            if sock is not None:
                sock.close()
        self.subject = self.peer = self.listener = self.peer_listener = None
