#!/usr/bin/env bash
# Validates real `--format json` outputs (and saved traces) against the JSON Schemas in cli/schemas/ (issue 17,
# item 5), with Debian's python3-jsonschema (.ci/setup installs it). Usage: schema_test.sh TEARDOWN SOURCE_DIR
set -uo pipefail
teardown=$1
src=$2
schemas="$src/cli/schemas"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python=/usr/bin/python3
passed=0
failed=0

# validate SCHEMA FILE WHAT
validate() {
  if "$python" - "$schemas/$1.schema.json" "$2" <<'PY'; then
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))), key=str)
for e in errors[:3]:
    print(f"  {list(e.absolute_path)}: {e.message[:300]}")
sys.exit(1 if errors else 0)
PY
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAILED: $3 does not validate against $1.schema.json"
  fi
}

# run SCHEMA WHAT -- ARGS...: runs teardown ARGS (any exit code but 1 and 2) and validates its stdout.
run() {
  local schema=$1 what=$2
  shift 3
  "$teardown" "$@" >"$work/out.json" 2>"$work/err.txt"
  local rc=$?
  if [ $rc -eq 1 ] || [ $rc -eq 2 ]; then
    failed=$((failed + 1)); echo "FAILED: $what exited $rc: $(head -c 300 "$work/err.txt")"; return
  fi
  validate "$schema" "$work/out.json" "$what"
}

run check "check, violations with traces, exact time" -- check --profile no-time-wait --property stray-data --property time-wait-assassination --format json --trace-out "$work/trace.json"
validate trace "$work/trace.json" "a saved trace"
run check "check in whole ticks, a holds" -- check --profile rfc1337 --set incarnations=1 --property stray-data --timing ticks --format json
run check "check --minimize faults --all-shortest 2" -- check "$src/scenarios/last-ack-stuck.toml" --property no-deadlock --minimize faults --all-shortest 2 --format json
run check "check with symbolic ISNs" -- check --profile rfc1337 --set isn=symbolic --set incarnations=1 --property stray-data --timing ticks --format json
run check "check stopped by a limit" -- check --max-states 1000 --format json
run check "check with the hash store" -- check --profile rfc9293 --set incarnations=1 --property time-wait-assassination --timing ticks --store hash --format json
run sweep "sweep" -- sweep time_wait=0..2 --profile no-time-wait --property stray-data --format json
run reach "reach, found" -- reach "A=FIN_WAIT_1 B=CLOSE_WAIT" "$src/scenarios/close-wait-stuck.toml" --format json
run reach "reach --minimize faults --all-shortest 2" -- reach "A=TIME_WAIT B=LAST_ACK" --profile rfc9293 --set incarnations=1 --minimize faults --all-shortest 2 --format json
run reach "reach, unreachable" -- reach "A=TIME_WAIT B=TIME_WAIT" --set incarnations=1 --set loss=0 --set dup=0 --format json
run trace "replay --format json" -- replay "$work/trace.json" --format json
run probe "probe, one segment" -- probe --profile linux --state TIME_WAIT --segment "FIN|ACK seq=RCV.NXT-1 ack=SND.NXT" --format json
run probe "probe --table" -- probe --profile linux-2.2 --table --format json
run window "window overlap" -- window overlap --format json
run window "window overlap, clock ISNs" -- window overlap --isn clock --gap 240 --format json
run window "window wrap" -- window wrap --rate 1.25e8 --format json
run window "window isn-regions" -- window isn-regions --format json
run window "window time-wait" -- window time-wait --msl 120 --format json

# The schemas are strict enough to fail: a timer in the old raw encoding, an unknown outcome.
python3 - "$work/trace.json" "$work/bad-timer.json" "$work/out.json" "$work/bad-outcome.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["trace"]["steps"][0]["A"]["timers"]["rto"] = "off"
json.dump(d, open(sys.argv[2], "w"))
PY
"$teardown" check --max-states 1000 --format json >"$work/limited.json" 2>/dev/null
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d["outcome"] = "gave-up"; json.dump(d, open(sys.argv[2], "w"))' \
  "$work/limited.json" "$work/bad-outcome.json"
before=$failed
validate trace "$work/bad-timer.json" "a trace with a timer as text" >/dev/null
validate check "$work/bad-outcome.json" "a check with an unknown outcome" >/dev/null
if [ $((failed - before)) -eq 2 ]; then
  failed=$before; passed=$((passed + 1))
else
  failed=$((before + 1)); echo "FAILED: a broken output validates"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
