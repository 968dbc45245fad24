#!/usr/bin/env bash
# `teardown replay TRACE --live` on RFC 1337's TIME-WAIT assassination trace: generates the trace with the
# built binary, lets this kernel play A (the endpoint that enters TIME-WAIT) with B injected, and pins what this
# machine's kernel does (Linux 6.18, tcp_rfc1337=0): it agrees with all 16 steps, its TIME-WAIT killed by the RST.
# Usage: replay_live_test.sh TEARDOWN SOURCE_DIR. Exit 0 pass, 1 fail, 77 skipped (not root, no namespaces).
# Any replay namespace left behind (td-rsubj-*/td-rpeer-* not there before) is deleted on exit, even on failure.
set -uo pipefail
teardown=$1
src=$2
work=$(mktemp -d)
before=$(ip netns list 2>/dev/null | awk '{print $1}' | grep '^td-r' || true)
cleanup() {
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^td-r' || true); do
    grep -qx "$ns" <<<"$before" || ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$work/out"; exit 1; }

[ "$(id -u)" -eq 0 ] || { echo "skipped: replay --live needs root"; exit 77; }
"$teardown" check "$src/scenarios/rfc1337-figure1.toml" --property time-wait-assassination \
  --trace-out "$work/twa.json" >/dev/null
[ $? -eq 10 ] || { echo "FAIL: check did not find the assassination trace"; exit 1; }

"$teardown" replay "$work/twa.json" --live >"$work/out" 2>&1
status=$?
if [ $status -eq 3 ] && grep -q 'replay --live: skipped' "$work/out"; then
  grep 'skipped' "$work/out"; exit 77
fi
grep -q 'every step follows the model (16 steps)' "$work/out" || fail "the model replay did not run first"
grep -q '^replay --live: A (chosen' "$work/out" || fail "A is not the live side by default"
# What this kernel does, pinned: A's TIME-WAIT at step 12, its answer to the old SYN,ACK at 14, the assassination at 16.
grep -q '^step  12  inject FIN|ACK seq=5002 ack=1003; kernel sent ACK seq=1003 ack=5003; A TIME_WAIT$' "$work/out" \
  || fail "step 12: A's TIME_WAIT"
grep -q '^step  14  inject SYN|ACK seq=5000 ack=1001; kernel sent ACK seq=1003 ack=5003; A TIME_WAIT$' "$work/out" \
  || fail "step 14: TIME-WAIT answers the old SYN,ACK"
grep -q '^step  16  inject RST seq=5003; kernel sent nothing; A CLOSED$' "$work/out" || fail "step 16: the RST"
grep -q '^replay --live: agrees: the kernel followed all 16 steps' "$work/out" || fail "no agreement line"
[ $status -eq 0 ] || fail "exit $status, expected 0 (agreement)"

# A divergence is reported with its step: the same trace with the RST's sequence number moved out of the
# window; the model's trace still says A's TIME-WAIT ends, the kernel ignores the RST.
/usr/bin/python3 - "$work/twa.json" "$work/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["trace"]["steps"][16]["segment"]["seq"] += 100
json.dump(d, open(sys.argv[2], "w"))
PY
/usr/bin/python3 "$src/tests/conformance/harness/replay_live.py" "$work/bad.json" >"$work/out" 2>&1
status=$?
grep -q '^replay --live: diverges at step 16: the trace has A in CLOSED afterwards, the kernel.s socket is TIME_WAIT' \
  "$work/out" || fail "no divergence at step 16"
[ $status -eq 10 ] || fail "exit $status, expected 10 (divergence)"
left=$(ip netns list | awk '{print $1}' | grep '^td-r' | grep -vxF "$before" || true)
[ -z "$left" ] || fail "namespaces left behind: $left"
echo "ok: replay --live agrees on the assassination trace and names the first divergence of a changed one"
