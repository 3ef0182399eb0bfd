#!/bin/sh
# OSCAL export: assessment-results and POA&M validate against the NIST
# OSCAL 1.0.4 JSON schemas (ajv, a real validator), UUIDs are stable, and
# the validator does reject a broken document.
. "$(dirname "$0")/lib.sh"
: "${SRCDIR:?}"
AJV="$SRCDIR/node_modules/.bin/ajv"
SCHEMAS="$TEST_DATA/oscal-1.0.4"
if [ ! -x "$AJV" ]; then
    not_ok "ajv-cli is not installed (run npm ci)"
    done_testing
    exit 1
fi
validate() { # schema file
    "$AJV" validate --spec=draft7 -c ajv-formats --strict=false -s "$SCHEMAS/$1" -d "$2" >"$T/ajv" 2>&1
}

"$ANZEN" demo -o d >/dev/null
cd d
"$ANZEN" plan set 2-⑧ --priority 1 --reason "共有パスワード" >/dev/null
run "$ANZEN" export --oscal assessment-results -o ar.json
expect_rc 0 "export assessment-results"
run "$ANZEN" export --oscal poam -o poam.json
expect_rc 0 "export poam"
run "$ANZEN" export --oscal assessment-results --vendor emr -o ar-emr.json
expect_rc 0 "export a vendor form's results"
for f in ar.json ar-emr.json; do
    validate oscal_assessment-results_schema.json $f && ok "$f valid against OSCAL 1.0.4" || { not_ok "$f invalid"; sed 's/^/#   /' "$T/ajv" | head -20; }
done
validate oscal_assessment-results_schema.json oscal-assessment-results.json && ok "demo's assessment-results valid" || not_ok "demo's assessment-results invalid"
validate oscal_poam_schema.json oscal-poam.json && ok "demo's poam valid" || not_ok "demo's poam invalid"
validate oscal_poam_schema.json poam.json && ok "poam.json valid against OSCAL 1.0.4" || { not_ok "poam.json invalid"; sed 's/^/#   /' "$T/ajv" | head -20; }

python3 - <<'PY' && ok "content: controls, findings, observations, POA&M order" || not_ok "OSCAL content"
import json
ar = json.load(open("ar.json", encoding="utf-8"))["assessment-results"]
res = ar["results"][0]
ids = [c["control-id"] for c in res["reviewed-controls"]["control-selections"][0]["include-controls"]]
assert "cl-r7.h.patches" in ids and "cl-r7.h.gate" not in ids and len(ids) == 18
f = {x["target"]["target-id"]: x for x in res["findings"]}
assert f["cl-r7.h.patches"]["target"]["status"]["state"] == "not-satisfied"
assert f["cl-r7.h.security-lead"]["target"]["status"]["state"] == "satisfied"
assert f["cl-r7.h.unneeded-services"]["target"]["status"]["reason"] == "unanswered"
obs = {o["uuid"] for o in res["observations"]}
assert all(x["related-observations"][0]["observation-uuid"] in obs for x in res["findings"])
po = json.load(open("poam.json", encoding="utf-8"))["plan-of-action-and-milestones"]
first = po["poam-items"][0]
assert first["title"] == "パスワードの使い回しの禁止"
assert {"name": "priority", "value": "1"}.items() <= {k: v for p in first["props"] if p["name"] == "priority" for k, v in p.items()}.items()
assert len(po["poam-items"]) == 7
PY

# the same objects keep the same UUIDs across runs
"$ANZEN" export --oscal assessment-results -o ar2.json
"$ANZEN" export --oscal poam -o poam2.json
cmp -s ar.json ar2.json && ok "assessment-results identical across runs" || not_ok "assessment-results changed between runs"
cmp -s poam.json poam2.json && ok "poam identical across runs" || not_ok "poam changed between runs"
python3 - <<'PY' && ok "UUIDs are RFC 4122 version 5 and unique" || not_ok "uuids"
import json, re
seen = set()
def walk(x):
    if isinstance(x, dict):
        for k, v in x.items():
            if k == "uuid":
                assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", v), v
                assert v not in seen, v
                seen.add(v)
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(json.load(open("ar.json", encoding="utf-8")))
assert len(seen) > 30
PY

# the check has teeth: a broken document is rejected
python3 - <<'PY'
import json
d = json.load(open("ar.json", encoding="utf-8"))
d["assessment-results"]["results"][0]["reviewed-controls"]["control-selections"][0]["include-controls"][0]["control-id"] = "2-①"
del d["assessment-results"]["metadata"]["oscal-version"]
json.dump(d, open("broken.json", "w", encoding="utf-8"), ensure_ascii=False)
PY
validate oscal_assessment-results_schema.json broken.json && not_ok "a broken document passed" || ok "ajv rejects a broken document"

run "$ANZEN" export --oscal catalog
expect_rc 64 "unknown OSCAL document kind"
run "$ANZEN" export
expect_rc 64 "missing --oscal"

# a long note reaches its observation whole, and the document stays valid
# (the description was cut at 1023 bytes: here 345 of its 671 characters)
longnote=$(printf 'ファームウェア更新待ち%.0s' $(seq 60))
python3 - "$longnote" <<'PY'
import sys
t = open("answers.yaml", encoding="utf-8").read()
old = 'note: "端末とサーバは更新済み。VPN ルータのファームウェアは導入時のまま"'
assert old in t
open("answers.yaml", "w", encoding="utf-8").write(t.replace(old, 'note: "%s"' % sys.argv[1]))
PY
run "$ANZEN" export --oscal assessment-results -o ar-long.json
expect_rc 0 "export with a long note"
validate oscal_assessment-results_schema.json ar-long.json && ok "ar-long.json valid against OSCAL 1.0.4" || not_ok "ar-long.json invalid"
python3 - "$longnote" <<'PY' && ok "the observation holds the whole note" || not_ok "long note in the observation"
import json, sys
res = json.load(open("ar-long.json", encoding="utf-8"))["assessment-results"]["results"][0]
assert any(o["description"] == "2-⑥: いいえ — " + sys.argv[1] for o in res["observations"])
PY
done_testing
