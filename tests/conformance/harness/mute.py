"""Silencing the peer kernel for chosen connections with nftables in the peer namespace.

Every connection has its own subject port, so muting is keyed by that port alone:
- `mute_in`: segments from the subject on these ports are dropped at the peer's input hook, so the peer
  kernel never answers them (the capture still sees them: it taps the device before netfilter);
- `mute_out`: segments the peer kernel sends to these subject ports are dropped at its output hook, so it
  neither answers nor retransmits. Injected frames are sent at layer 2 and never pass this hook.
The table lives in the peer namespace and disappears with it.
"""
from netns import run_in

_RULESET = """
table inet teardown_conformance {{
  set mute_in {{ type inet_service; }}
  set mute_out {{ type inet_service; }}
  chain input {{
    type filter hook input priority 0; policy accept;
    ip saddr {subject} tcp sport @mute_in drop
  }}
  chain output {{
    type filter hook output priority 0; policy accept;
    ip daddr {subject} tcp dport @mute_out drop
  }}
}}
"""


class Muter:
    def __init__(self, peer_ns, subject_ip):
        self.ns = peer_ns
        self._load(_RULESET.format(subject=subject_ip))

    def _load(self, text):
        run_in(self.ns, "nft", "-f", "-", stdin=text)

    def mute(self, ports, inbound=True, outbound=True):
        """Adds subject ports to the chosen sets, all in one nft call."""
        if not ports:
            return
        elements = ", ".join(str(p) for p in ports)
        lines = []
        if inbound:
            lines.append(f"add element inet teardown_conformance mute_in {{ {elements} }}")
        if outbound:
            lines.append(f"add element inet teardown_conformance mute_out {{ {elements} }}")
        self._load("\n".join(lines) + "\n")
