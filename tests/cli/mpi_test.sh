#!/usr/bin/env bash
# The distributed search under mpirun (issue 19): `mpirun -np 2` and `-np 3` give the one-process run's state
# and transition counts and verdict for time-wait-assassination under rfc1337; on the default model every
# violated property's trace has the one-process length and replays; a state limit, a time limit and a rank's
# memory limit end a distributed run as inconclusive with its statistics; commands and options that need one rank are refused with exit 2; a rank
# killed mid-run ends the whole run with an error instead of a hang. Release build only (Open MPI under the
# sanitizers reports its own leaks).
# Usage: mpi_test.sh path/to/teardown
set -uo pipefail
td="$1"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI runs as root
export OMPI_MCA_btl_vader_single_copy_mechanism=none              # no ptrace-based copies in containers
mpi=(mpirun --oversubscribe)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
failed() { echo "FAIL: $*"; fail=1; }

field() {  # field FILE EXPR: a Python expression (several: printed space-separated) over the JSON document d
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# 1. rfc1337, time-wait-assassination: counts and verdict, 1 process against 2 and 3 ranks.
args=(check --profile rfc1337 --property time-wait-assassination --format json)
"$td" "${args[@]}" > "$dir/one.json"; one_rc=$?
[ "$one_rc" = 0 ] || failed "one process: exit $one_rc"
want=$(field "$dir/one.json" '(d["stats"]["states"], d["stats"]["transitions"], d["results"][0]["verdict"], d["outcome"])')
for n in 2 3; do
  "${mpi[@]}" -np $n "$td" "${args[@]}" > "$dir/np$n.json"; rc=$?
  [ "$rc" = "$one_rc" ] || failed "-np $n: exit $rc, one process $one_rc"
  got=$(field "$dir/np$n.json" '(d["stats"]["states"], d["stats"]["transitions"], d["results"][0]["verdict"], d["outcome"])')
  [ "$got" = "$want" ] || failed "-np $n: $got, one process: $want"
  ranks=$(field "$dir/np$n.json" 'len(d["ranks"]), sum(r["states"] for r in d["ranks"]) == d["stats"]["states"], all(r["messages_sent"] > 0 for r in d["ranks"])')
  [ "$ranks" = "$n True True" ] || failed "-np $n: per-rank statistics $ranks"
  echo "-np $n: $got"
done
echo "one process: $want"
grep -q '"ranks"' "$dir/one.json" && failed "a one-process run has no per-rank statistics"

# The distributed outputs validate against the schemas (their "ranks" array included).
schemas="$(cd "$(dirname "$0")/../../cli/schemas" && pwd)"
"${mpi[@]}" -np 2 "$td" reach "A=FIN_WAIT_2 B=CLOSE_WAIT" --format json > "$dir/reach2.json"
for pair in "check np2.json" "reach reach2.json"; do
  set -- $pair
  /usr/bin/python3 - "$schemas/$1.schema.json" "$dir/$2" <<'PY' || failed "$2 does not validate against $1.schema.json"
import json, sys
import jsonschema
errors = list(jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).iter_errors(json.load(open(sys.argv[2]))))
for e in errors[:3]:
    print(f"  {list(e.absolute_path)}: {e.message[:300]}")
assert "ranks" in json.load(open(sys.argv[2]))
sys.exit(1 if errors else 0)
PY
done

# 2. The default model: every violated property's trace as short as the one process's, and replay accepts it.
"$td" check --format json > "$dir/default1.json"
"${mpi[@]}" -np 2 "$td" check --format json > "$dir/default2.json"; rc=$?
[ "$rc" = 10 ] || failed "default model, -np 2: exit $rc (want 10: violated)"
lengths() {
  field "$1" '" ".join("%s=%s" % (r["property"], len(r["trace"]["steps"]) if r["trace"] else r["verdict"]) for r in d["results"] if r["property"] != "eventual-close")'
}
[ "$(lengths "$dir/default1.json")" = "$(lengths "$dir/default2.json")" ] ||
  failed "default model trace lengths: one process $(lengths "$dir/default1.json"), -np 2 $(lengths "$dir/default2.json")"
ec=$(field "$dir/default2.json" '[(r["verdict"], "no rank holds" in r["why"]) for r in d["results"] if r["property"] == "eventual-close"]')
[ "$ec" = "[('unknown', True)]" ] || failed "eventual-close under -np 2: $ec"
for p in $(field "$dir/default2.json" '" ".join(r["property"] for r in d["results"] if r["verdict"] == "violated")'); do
  rm -f "$dir/t.json"
  "${mpi[@]}" -np 2 "$td" check --property "$p" --trace-out "$dir/t.json" > /dev/null
  "$td" replay "$dir/t.json" > "$dir/replay.txt"; rc=$?
  [ "$rc" = 10 ] && grep -q "every step follows the model" "$dir/replay.txt" || failed "replay of $p (-np 2): exit $rc"
done
echo "default model: $(lengths "$dir/default2.json")"

# 3. A state limit ends a distributed run as inconclusive (exit 3) with its statistics.
"${mpi[@]}" -np 2 "$td" check --profile rfc1337 --max-states 20000 --format json > "$dir/limit.json"; rc=$?
[ "$rc" = 3 ] || failed "--max-states under -np 2: exit $rc"
got=$(field "$dir/limit.json" 'd["outcome"], d["stats"]["states"] >= 20000, len(d["ranks"])')
[ "$got" = "state limit True 2" ] || failed "--max-states under -np 2: $got"

"${mpi[@]}" -np 2 "$td" check --profile rfc1337 --property time-wait-assassination --time-limit 1 --format json \
  > "$dir/time.json"; rc=$?
[ "$rc" = 3 ] || failed "--time-limit under -np 2: exit $rc"
got=$(field "$dir/time.json" 'd["outcome"], d["results"][0]["verdict"], 0 < d["stats"]["states"] < 9571123')
[ "$got" = "time limit unknown True" ] || failed "--time-limit under -np 2: $got"

"${mpi[@]}" -np 2 "$td" check --profile rfc1337 --property time-wait-assassination --max-memory 48M --format json \
  > "$dir/memory.json"; rc=$?
[ "$rc" = 3 ] || failed "--max-memory under -np 2: exit $rc"
got=$(field "$dir/memory.json" 'd["outcome"], d["results"][0]["verdict"], 0 < d["stats"]["states"] < 9571123')
[ "$got" = "memory limit unknown True" ] || failed "--max-memory (per rank) under -np 2: $got"

# 4. What needs one rank is refused, naming why.
"${mpi[@]}" -np 2 "$td" check --minimize faults > /dev/null 2> "$dir/err.txt"; rc=$?
[ "$rc" = 2 ] && grep -q "one rank" "$dir/err.txt" || failed "--minimize faults under -np 2: exit $rc, $(cat "$dir/err.txt")"
"${mpi[@]}" -np 2 "$td" list knobs > /dev/null 2> "$dir/err.txt"; rc=$?
[ "$rc" = 2 ] && grep -q "one rank" "$dir/err.txt" || failed "list under -np 2: exit $rc, $(cat "$dir/err.txt")"

# 5. A rank that dies ends the run with an error, not a hang.
"${mpi[@]}" -np 2 "$td" check --profile rfc1337 --property time-wait-assassination > /dev/null 2> "$dir/killed.txt" &
runner=$!
victim=""
for _ in $(seq 50); do
  victim=$(pgrep -P "$runner" | tail -1)  # a rank: mpirun starts them as its children
  [ -n "$victim" ] && break
  sleep 0.1
done
sleep 1
[ -n "$victim" ] && kill -9 "$victim"
waited=0
while kill -0 "$runner" 2>/dev/null && [ $waited -lt 60 ]; do sleep 1; waited=$((waited + 1)); done
if kill -0 "$runner" 2>/dev/null; then
  failed "mpirun still runs 60 s after a rank was killed"
  kill -9 "$runner"
else
  wait "$runner"; rc=$?
  [ "$rc" != 0 ] && grep -qi "signal 9\|killed" "$dir/killed.txt" || failed "killed rank: mpirun exit $rc, $(cat "$dir/killed.txt")"
  echo "killed rank: mpirun ended in ${waited} s, exit $rc"
fi
exit $fail
