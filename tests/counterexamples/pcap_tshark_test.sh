#!/usr/bin/env bash
# `--render pcap` read back by Wireshark's tshark: for a few traces (a duplicate and a loss, a loss and a
# firewall drop, ticks and a retransmission), tshark must read every packet without complaint (no malformed
# packet, no bad IPv4 or TCP checksum, no truncated file), and the packets must be, in order, the segments the
# trace's JSON says were sent (lost and filtered ones omitted, duplicated ones twice): sender, flags, raw
# sequence and acknowledgement numbers, payload length, and the tick as the whole second of the timestamp.
# Usage: pcap_tshark_test.sh TEARDOWN SRC. Needs tshark (.ci/setup installs it).
set -u
teardown=$1
src=$2
if ! command -v tshark >/dev/null; then
  echo "tshark is not installed: run 'bash .ci/setup' (Debian package tshark)"
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# check NAME ARGS...: renders the trace of `teardown ARGS` as JSON and as pcap and compares them through tshark.
check() {
  local name=$1
  shift
  "$teardown" "$@" --trace-out "$work/$name.json" >/dev/null 2>&1
  "$teardown" "$@" --render pcap --trace-out "$work/$name.pcap" >/dev/null 2>&1
  if [ ! -s "$work/$name.json" ] || [ ! -s "$work/$name.pcap" ]; then
    failed=$((failed + 1))
    echo "FAILED: $name: teardown $* wrote no trace"
    return
  fi
  local options=(-o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -o tcp.relative_sequence_numbers:FALSE)
  tshark -r "$work/$name.pcap" "${options[@]}" -T fields -E separator=/t -e frame.time_epoch -e ip.src \
    -e tcp.srcport -e tcp.dstport -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e ip.checksum.status \
    -e tcp.checksum.status >"$work/$name.fields" 2>"$work/$name.err"
  tshark -r "$work/$name.pcap" "${options[@]}" -V >"$work/$name.verbose" 2>>"$work/$name.err"
  tshark -r "$work/$name.pcap" "${options[@]}" -Y "_ws.malformed || _ws.expert.severity >= 8388608" \
    >"$work/$name.bad" 2>>"$work/$name.err"
  if python3 - "$work/$name.json" "$work/$name.fields" "$work/$name.verbose" "$work/$name.err" "$work/$name.bad" <<'PY'; then
import json, sys
trace = json.load(open(sys.argv[1]))["trace"]["steps"]
fields = [line.rstrip("\n").split("\t") for line in open(sys.argv[2]) if line.strip()]
verbose = open(sys.argv[3]).read()
errors = [l for l in open(sys.argv[4]) if l.strip() and "Running as user" not in l]
bad = [l for l in open(sys.argv[5]) if l.strip()]
assert not errors, "tshark complained: %s" % errors
assert "Malformed" not in verbose and "[Bad" not in verbose, "tshark reports a malformed packet or a bad checksum"
assert not bad, "tshark flags packets as malformed or errors: %s" % bad

bits = {"FIN": 0x01, "SYN": 0x02, "RST": 0x04, "ACK": 0x10}
address = {"A": ("192.0.2.1", 40000), "B": ("192.0.2.2", 80)}
expected = []
for step in trace:
    if step["fate"] not in ("queued", "duplicated"):
        continue
    if step["label"] == "deliver":  # the receiver answers
        sender, segment = ("B" if step["direction"] == "A>B" else "A"), step["reply"]
    else:
        sender, segment = step["actor"], step["segment"]
    flags = sum(bits[f] for f in segment["flags"].split("|"))
    ack = segment["ack"] if "ACK" in segment["flags"] else 0
    packet = (address[sender][0], address[sender][1], flags, segment["seq"], ack, segment["len"], step["time"])
    expected += [packet] * (2 if step["fate"] == "duplicated" else 1)

assert len(fields) == len(expected), "tshark reads %d packets, the trace sends %d" % (len(fields), len(expected))
last_time = 0.0
for i, (f, e) in enumerate(zip(fields, expected), 1):
    when, ip, sport, dport, flags, seq, ack, length, ip_ok, tcp_ok = f
    got = (ip, int(sport), int(flags, 16), int(seq), int(ack), int(length), int(float(when)))
    assert got == e, "packet %d: tshark reads %s, the trace says %s" % (i, got, e)
    other = address["B" if ip == address["A"][0] else "A"][1]
    assert int(dport) == other, "packet %d: destination port %s" % (i, dport)
    assert ip_ok == "1" and tcp_ok == "1", "packet %d: checksum status ip %s tcp %s" % (i, ip_ok, tcp_ok)
    assert float(when) >= last_time, "packet %d: timestamps go backwards" % i
    last_time = float(when)
print("%d packets match" % len(expected))
PY
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name (teardown $*)"
  fi
}

check stray-data check --profile no-time-wait --property stray-data
check last-ack check "$src/scenarios/last-ack-stuck.toml" --property eventual-close
check time-wait check "$src/scenarios/rfc1337-figure1.toml" --property time-wait-assassination
check ticks check --profile rfc1337 --property new-connection-killed

# A capture is written whole or not at all: no temporary file is left, and stdout is refused.
[ -e "$work/stray-data.pcap.tmp" ] && { failed=$((failed + 1)); echo "FAILED: a temporary pcap was left"; }
"$teardown" check --profile no-time-wait --property stray-data --render pcap >/dev/null 2>"$work/stdout.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "give --trace-out FILE" "$work/stdout.err"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  echo "FAILED: --render pcap without --trace-out: exit $rc (want 2), $(cat "$work/stdout.err")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
