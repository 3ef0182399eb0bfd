#!/bin/sh
# Names of any length reach every output whole (issue 11: no fixed-size
# buffers for user-visible text): a system named with 300 characters shows
# up intact in the key points, the report's deadlines and the plan.
. "$(dirname "$0")/lib.sh"

name=$(python3 -c 'print("地域連携" * 75)')
cat >profile.yaml <<P
anzen-profile: 1
institution: {name: かえでクリニック, type: clinic}
systems:
  - id: emr
    name: "$name"
    hosting: on-prem
    vendor: みどりメディカル
    introduced: 2020-04-01
    renewal: 2027-10-01
P
run "$ANZEN" --as-of 2026-12-01 keypoints --format json
python3 - "$T/out" "$name" <<'PY' && ok "keypoints: the system's whole name" || not_ok "keypoints: name cut"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
texts = [f["ja"] for t in d["tracks"] for f in t["findings"]]
assert any(sys.argv[2] in x for x in texts), [x[:40] for x in texts]
PY
run "$ANZEN" --as-of 2026-12-01 report --format json -o r.json
python3 - r.json "$name" <<'PY' && ok "report: deadlines carry the whole name" || not_ok "report: deadline text cut"
import json, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")  # valid UTF-8
s = raw.decode("utf-8")
d = json.loads(s)
def walk(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from walk(v)
    elif isinstance(x, str):
        yield x
hits = [x for x in walk(d["deadlines"]) if sys.argv[2] in x]
assert hits, [x["text"][:40] for x in d["deadlines"]]
PY
done_testing
