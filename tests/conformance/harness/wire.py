"""TCP over IPv4 on the veth, seen from the peer namespace: parse captured frames, build and inject frames.

Capture and injection use AF_PACKET sockets on the peer's veth end. Injected frames leave through the
device directly, so they pass no netfilter hook of the peer namespace (the muting rules never see them),
and the capture sees segments the peer kernel receives before its input hook drops them.
"""
import select
import socket
import struct
import time
from dataclasses import dataclass, field

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
_SO_TIMESTAMPNS = 35  # the kernel's receive time of each captured frame, wall clock (time.time())
_SO_RCVBUFFORCE = 33  # a buffer above net.core.rmem_max (root): a batch's traffic arrives between drains
_SOL_PACKET, _PACKET_STATISTICS = 263, 6
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
_NAMES = (("SYN", SYN), ("FIN", FIN), ("RST", RST), ("ACK", ACK))  # the flags the model knows


def flags_text(flags):
    """"SYN|ACK", "RST", ...: the model's four flags in a fixed order (PSH, URG, ECE, CWR are left out)."""
    return "|".join(name for name, bit in _NAMES if flags & bit) or "none"


def flags_value(text):
    """The inverse of flags_text: "FIN|ACK" -> FIN | ACK."""
    table = dict(_NAMES)
    value = 0
    for name in text.split("|"):
        value |= table[name.strip()]
    return value


@dataclass
class Segment:
    time: float
    src: str
    dst: str
    sport: int
    dport: int
    seq: int
    ack: int
    flags: int
    window: int
    payload: int  # bytes of data
    options: dict = field(default_factory=dict)  # "mss", "wscale" when present

    @property
    def seg_len(self):
        """SEG.LEN as RFC 9293 counts it: data, plus one for SYN and one for FIN."""
        return self.payload + bool(self.flags & SYN) + bool(self.flags & FIN)


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _options(raw):
    found, i = {}, 0
    while i < len(raw):
        kind = raw[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(raw) or raw[i + 1] < 2:
            break
        size = raw[i + 1]
        if kind == 2 and size == 4:
            found["mss"] = struct.unpack("!H", raw[i + 2:i + 4])[0]
        elif kind == 3 and size == 3:
            found["wscale"] = raw[i + 2]
        i += size
    return found


def parse_frame(frame, when):
    """The TCP segment in an Ethernet frame, or None for anything else (ARP, IPv6, fragments)."""
    if len(frame) < 14 + 20 or struct.unpack("!H", frame[12:14])[0] != ETH_P_IP:
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    if ip[9] != socket.IPPROTO_TCP or struct.unpack("!H", ip[6:8])[0] & 0x3FFF:
        return None
    tcp = ip[ihl:total]
    sport, dport, seq, ack, off, flags, window = struct.unpack("!HHIIBBH", tcp[:16])
    header = (off >> 4) * 4
    return Segment(when, socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20]), sport, dport, seq, ack,
                   flags, window, len(tcp) - header, _options(tcp[20:header]))


def build_frame(src_mac, dst_mac, src, dst, sport, dport, seq, ack, flags, window, payload=b""):
    """An Ethernet frame carrying one IPv4 TCP segment with no options."""
    saddr, daddr = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                      window, 0, 0) + payload
    pseudo = saddr + daddr + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", _checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, socket.IPPROTO_TCP, 0,
                     saddr, daddr)
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    return bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", "")) + \
        struct.pack("!H", ETH_P_IP) + ip + tcp


class Wire:
    """The peer's veth end: every TCP segment seen on it, kept per connection, and a way to inject frames.

    A connection is keyed by (subject port, peer port); `seen[key]` lists its segments in arrival order.
    Create it (inside the peer namespace) before any traffic flows.
    """

    def __init__(self, ifname, subject_ip):
        self.subject_ip = subject_ip
        self.seen = {}
        self.dropped = 0  # frames the capture socket lost (a full buffer): the capture is then incomplete
        self._capture = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self._capture.setsockopt(socket.SOL_SOCKET, _SO_RCVBUFFORCE, 16 << 20)
        self._capture.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
        self._capture.bind((ifname, ETH_P_ALL))
        self._capture.setblocking(False)
        self._inject = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        self._inject.bind((ifname, 0))

    def drain(self):
        """Reads every frame waiting in the capture socket."""
        while True:
            try:
                frame, ancillary, _, _ = self._capture.recvmsg(65536, 64)
            except BlockingIOError:
                stats = self._capture.getsockopt(_SOL_PACKET, _PACKET_STATISTICS, 8)
                self.dropped += struct.unpack("II", stats)[1]  # reading the counters resets them
                return
            stamp = time.time()
            for level, kind, data in ancillary:
                if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", data[:16])
                    stamp = sec + nsec / 1e9
            seg = parse_frame(frame, stamp)
            if seg is None:
                continue
            key = (seg.sport, seg.dport) if seg.src == self.subject_ip else (seg.dport, seg.sport)
            self.seen.setdefault(key, []).append(seg)

    def wait(self, seconds):
        """Captures for `seconds`."""
        deadline = time.time() + seconds
        while (left := deadline - time.time()) > 0:
            select.select([self._capture], [], [], left)
            self.drain()
        self.drain()

    def send(self, frame):
        """Injects a frame; returns the wall-clock time just before it left."""
        sent_at = time.time()
        self._inject.send(frame)
        return sent_at

    def from_subject(self, key, since=0.0):
        """The segments the subject sent on connection `key` captured at or after `since` (time.time())."""
        return [s for s in self.seen.get(key, []) if s.src == self.subject_ip and s.time >= since]
