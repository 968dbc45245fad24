#!/usr/bin/env bash
# One agreement check: teardown check and SPIN (on `teardown export promela`) on the same model and properties.
# usage: agree.sh TEARDOWN WORKDIR NAME EXPECT [teardown model options...]
#   EXPECT: holds (every property holds: SPIN's stored states = teardown's states + 1 setup state, no error)
#           violated (teardown finds a violation: pan must report an error too)
# Prints one line "NAME teardown=N spin=M verdict=..." and exits 0 on agreement, 1 otherwise.
set -euo pipefail
teardown=$1 work=$2 name=$3 expect=$4
shift 4
dir="$work/$name"
mkdir -p "$dir"
set +e
json=$("$teardown" check "$@" --format json)
rc=$?
set -e
td_states=$(printf '%s' "$json" | sed -n 's/.*"states":\([0-9]*\).*/\1/p')
"$teardown" export promela "$@" -o "$dir/m.pml"
(cd "$dir" && spin -a m.pml >/dev/null && gcc -O2 -DSAFETY -o pan pan.c 2>/dev/null)
out=$(cd "$dir" && ./pan -m1000000)
spin_states=$(printf '%s\n' "$out" | sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p')
errors=$(printf '%s\n' "$out" | sed -n 's/.*errors: \([0-9]*\).*/\1/p')
echo "$name teardown_exit=$rc teardown_states=$td_states spin_states=$spin_states spin_errors=$errors"
case $expect in
  holds)
    [ "$rc" -eq 0 ] || { echo "  FAIL: teardown check exits $rc, expected 0"; exit 1; }
    [ "$errors" -eq 0 ] || { echo "  FAIL: pan reports $errors errors"; printf '%s\n' "$out" | head -5; exit 1; }
    [ "$spin_states" -eq $((td_states + 1)) ] || { echo "  FAIL: SPIN stores $spin_states, teardown $td_states + 1 setup"; exit 1; }
    ;;
  violated)
    [ "$rc" -eq 10 ] || { echo "  FAIL: teardown check exits $rc, expected 10"; exit 1; }
    [ "$errors" -ge 1 ] || { echo "  FAIL: pan reports no error"; exit 1; }
    ;;
  *) echo "bad EXPECT $expect"; exit 2 ;;
esac
