#!/usr/bin/env bash
# Exit codes and messages of `teardown export promela` and `teardown import-trail` (no SPIN needed).
# usage: cli_test.sh TEARDOWN
set -uo pipefail
teardown=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect CODE PATTERN -- command...: the exit code is CODE and stderr+stdout match PATTERN.
expect() {
  local code=$1 pattern=$2
  shift 3
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$code" ] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL: $* exited $rc (expected $code), output: $out"
    failures=$((failures + 1))
  fi
}

expect 0 "" -- "$teardown" export promela --profile rfc1337 -o "$work/m.pml"
grep -q '^#define RST_TW_IGNORE 1$' "$work/m.pml" || { echo "FAIL: rfc1337 export lacks RST_TW_IGNORE 1"; failures=$((failures + 1)); }
expect 0 "active proctype teardown" -- "$teardown" export promela --profile bsd --set incarnations=1
expect 2 "knob isn: 'symbolic'" -- "$teardown" export promela --set isn=symbolic
expect 2 "knob timing: exact" -- "$teardown" export promela --set timing=exact
expect 0 "#define LINUX 1" -- "$teardown" export promela --profile linux
expect 2 "eventual-close is a liveness property" -- "$teardown" export promela --property eventual-close
expect 2 "unknown knob 'nope'" -- "$teardown" export promela --set nope=1
expect 2 "no such model file" -- "$teardown" export promela "$work/missing.toml"
expect 2 "" -- "$teardown" export
expect 2 "cannot read" -- "$teardown" import-trail "$work/missing.txt"
printf 'hello\n' >"$work/garbage.txt"
expect 2 "no state lines" -- "$teardown" import-trail "$work/garbage.txt"
printf '@@KNOB profile=rfc1337\n@@TD 1 2 3\n' >"$work/short.txt"
expect 2 "fits no capacity" -- "$teardown" import-trail "$work/short.txt"

[ "$failures" -eq 0 ] && echo "promela cli: all expectations hold"
exit $((failures > 0))
