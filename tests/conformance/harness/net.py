"""The two namespaces as the harness sees them: names, addresses, MAC addresses, the wire and the muter.

`run` creates the namespaces and the veth pair with these addresses before the harness starts; the peer has
two addresses: MATRIX_PEER_IP, whose route in the subject namespace carries a long minimum RTO so that no
retransmission of the subject falls inside a reply window, and TIMER_PEER_IP, with the default RTO, for the
timer cases.
"""
from dataclasses import dataclass, field

from mute import Muter
from netns import inside
from wire import Wire

SUBJECT_IP = "10.77.0.1"
MATRIX_PEER_IP = "10.77.0.2"
TIMER_PEER_IP = "10.77.0.3"
SUBJECT_MAC = "02:77:00:00:00:01"
PEER_MAC = "02:77:00:00:00:02"
PEER_IF = "td-p"


@dataclass
class Net:
    subject_ns: str
    peer_ns: str
    peer_ip: str = MATRIX_PEER_IP
    subject_ip: str = SUBJECT_IP
    subject_mac: str = SUBJECT_MAC
    peer_mac: str = PEER_MAC
    wire: Wire = field(default=None, repr=False)
    muter: Muter = field(default=None, repr=False)

    def start(self):
        """Opens the capture (before any traffic) and loads the muting rules. Raises PermissionError when
        raw sockets are not allowed."""
        with inside(self.peer_ns):
            self.wire = Wire(PEER_IF, self.subject_ip)
        self.muter = Muter(self.peer_ns, self.subject_ip)
        return self
