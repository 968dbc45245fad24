"""What `ss` says about the subject's sockets, in the model's state names.

The state of a case's connection is the state of the socket with exactly its four-tuple (a full socket, a
TIME-WAIT or orphaned FIN-WAIT-2 minisocket, or a SYN-RECV request socket), or CLOSED when there is none.
A listening socket on the subject port is reported apart (`listening`), never as the connection's state.
"""
from netns import run_in

SS_TO_MODEL = {
    "ESTAB": "ESTABLISHED", "SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECEIVED",
    "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2", "TIME-WAIT": "TIME_WAIT",
    "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK", "CLOSING": "CLOSING", "LISTEN": "LISTEN",
    "UNCONN": "CLOSED", "CLOSE": "CLOSED",
}


def _port(endpoint):
    port = endpoint.rsplit(":", 1)[1]
    return None if port == "*" else int(port)


class Snapshot:
    """One `ss -Htanoi` of a namespace."""

    def __init__(self, ns):
        self.by_tuple = {}  # (local port, peer port) -> [model state names]
        self.listening = set()  # local ports with a listener
        self.lines = {}  # (local port, peer port) -> the raw ss line (with timers), for the record
        lines = run_in(ns, "ss", "-Htanoi").splitlines()
        for i, line in enumerate(lines):
            fields = line.split()
            if len(fields) < 5 or fields[0] not in SS_TO_MODEL:
                continue  # a continuation line of -i
            state, local, peer = SS_TO_MODEL[fields[0]], _port(fields[3]), _port(fields[4])
            if state == "LISTEN":
                self.listening.add(local)
                continue
            self.by_tuple.setdefault((local, peer), []).append(state)
            detail = lines[i + 1].strip() if i + 1 < len(lines) and lines[i + 1][:1].isspace() else ""
            self.lines[(local, peer)] = " ".join(fields) + (" | " + detail if detail else "")

    def state(self, key):
        """The connection's state: "CLOSED" with no socket, "A+B" in the odd case of two sockets."""
        return "+".join(sorted(self.by_tuple.get(key, []))) or "CLOSED"
