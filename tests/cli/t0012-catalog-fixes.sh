#!/bin/sh
# SPDX-License-Identifier: MIT
# catalog fixes of #15: honest marks in listings, labels per edition (text
# and json), diff against a metadata-only or partial edition, --as-of hides
# editions not yet published, pharmacy titles and legal basis, the official
# term リモートメンテナンス（保守） with its role split.
. "$(dirname "$0")/lib.sh"

# --- labels are per edition ---
run "$ANZEN" catalog show "2-(6)"
expect_rc 0 "old label without an edition"
expect_out 'は 2 つの版にあります' "says the label exists in two editions"
expect_out 'cl-r6.h.access-log-server' "names the 令和6 access-log item"
expect_no_out 'cl-r7.h.patches' "does not answer with the 令和7 patch item"
expect_out '--edition' "asks for --edition"

run "$ANZEN" catalog show "2-(6)" --edition r6 --form h
expect_rc 0 "old label in its own edition"
expect_out 'cl-r6.h.access-log-server' "2-(6) in 令和6 is the access log"
expect_no_out 'patches' "and nothing else"

run "$ANZEN" catalog show "2-6"
expect_rc 0 "normalised label"
expect_out 'は 3 つの版にあります' "normalised 2-6 spans three editions"
expect_out 'cl-r7.h.patches' "including 令和7 2-⑥"

run "$ANZEN" catalog show "2-⑩" --format json
expect_rc 0 "label as json"
python3 - "$T/out" <<'PY' && ok "label json: schema, edition, items" || not_ok "label json content"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["schema"] == "anzen-catalog-label/1", d
assert d["editions"] == ["cl-r7"] and d["one_edition"] is True, d
ids = [i["id"] for i in d["items"]]
assert "cl-r7.h.mfa" in ids and all(i["label"] == "2-⑩" for i in d["items"]), ids
PY

run "$ANZEN" catalog show "2-(6)" --edition r8
expect_rc 1 "label in an edition without items"
expect_err 'cl-r8' "names the edition"
run "$ANZEN" catalog show "9-⑨"
expect_rc 1 "unknown label"
expect_err '9-⑨' "names the label"
run "$ANZEN" catalog show "2-①" --edition r99
expect_rc 1 "unknown edition"

# --- diff: metadata-only and partial editions are "not encoded" ---
run "$ANZEN" catalog diff r7 r8
expect_rc 0 "diff to a metadata-only edition"
expect_out '未収録 56' "56 items not encoded"
expect_out '削除 0' "nothing removed"
expect_out 'metadata-only' "explains why"
run "$ANZEN" --lang en catalog diff r7 r8 --format json
python3 - "$T/out" <<'PY' && ok "diff json: not-encoded, never removed" || not_ok "diff json content"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["not_encoded"] == ["cl-r8"], d["not_encoded"]
ch = {c["change"] for c in d["changes"]}
assert ch == {"not-encoded"}, ch
PY
run "$ANZEN" catalog diff gl-6.0 gl-7.0
expect_out '削除 0' "guideline diff removes nothing"
expect_out '一部の項目だけを収録' "partial edition explained"
run "$ANZEN" catalog diff r6 r7
expect_out '削除 0' "r6 -> r7 still removes nothing"
expect_out '新規 15' "and adds what it added"

# --- --as-of hides editions not yet published ---
"$ANZEN" demo -o demo >/dev/null 2>&1
cd demo
run "$ANZEN" --as-of 2025-07-01 status
expect_out "基準日: 2025-07-01" "status as of 2025-07-01"
expect_no_out '令和8年度版' "no 令和8 edition before it was published"
expect_no_out '第7.0版' "no guideline 7.0 before it was published"
expect_out '第6.0版' "the guideline of that day"
run "$ANZEN" --as-of 2026-12-01 status
expect_out '令和8年度版' "令和8 named once published"
run "$ANZEN" --as-of 2025-07-01 catalog list
expect_no_out 'cl-r8' "catalog list hides it too"
expect_no_out 'gl-7.0' "and the 7.0 guideline"
run "$ANZEN" --as-of 2024-06-01 catalog list
expect_out '[旧版・評価の既定]' "before 令和7, 令和6 is the default"
expect_no_out 'cl-r7' "令和7 hidden"
cd ..

# --- pharmacy titles and legal basis ---
mkdir ph
cat >ph/profile.yaml <<'YAML'
anzen-profile: 1
institution: {name: テスト薬局, type: pharmacy}
systems:
  - {id: rececom, name: レセコン, hosting: on-prem, vendor: A社}
YAML
run "$ANZEN" -C ph status
expect_out "テスト薬局" "pharmacy status"
expect_out '薬局におけるサイバーセキュリティ対策チェックリスト 令和7年度版 (薬局確認用)' "pharmacy title"
expect_no_out '医療機関におけるサイバーセキュリティ対策チェックリスト' "not the institution title"
run "$ANZEN" catalog list
expect_out '医薬品医療機器等法 (薬機法)' "pharmacy legal basis listed"
expect_out '医療法施行規則 第14条第2項' "institution legal basis listed"
run "$ANZEN" catalog show cl-r7.p.security-lead
expect_out '様式の表題: 薬局におけるサイバーセキュリティ対策チェックリスト' "pharmacy item names its checklist"

# --- リモートメンテナンス（保守）, roles split ---
run "$ANZEN" catalog show cl-r7.h.remote-maintenance --format json
python3 - "$T/out" <<'PY' && ok "2-② uses the official term and splits roles" || not_ok "2-② term/roles"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert "リモートメンテナンス（保守）" in d["title"]["ja"], d["title"]
assert "リモートメンテナンス（保守）" in d["text"]["ja"], d["text"]
assert d["roles"] == ["planning", "operations"], d["roles"]
assert "企画管理者" in d["guidance"]["ja"] and "システム運用担当者" in d["guidance"]["ja"]
PY

# --- honest marks in listings ---
run "$ANZEN" catalog list
expect_out 'cl-r7  医療機関におけるサイバーセキュリティ対策チェックリスト 令和7年度版  [現行・評価の既定] (公表 2025-05-16, 確からしさ: 未確認)' "令和7 not claimed verified"
run "$ANZEN" catalog show cl-r7.h.mds-sds
expect_out '二次資料に基づく' "secondary mark shown"
expect_out '最も強い出典の種類: secondary' "and what it rests on"
run "$ANZEN" catalog list --format json
python3 - "$T/out" <<'PY' && ok "list json: computed edition marks" || not_ok "list json marks"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
eds = {e["id"]: e for e in d["editions"]}
assert eds["cl-r7"]["confidence"] != "verified"
assert eds["gl-6.0"]["confidence"] != "verified"
assert eds["cl-r7"]["confidence_computed"] is True
assert eds["cl-r8"]["confidence_computed"] is False
PY

# --- the 2FA deadline per system: reference date 2027-04-01, grace until
#     the next renewal; systems that already have it do not count ---
mkdir mfa
cat >mfa/profile.yaml <<'YAML'
anzen-profile: 1
institution: {name: テスト診療所, type: clinic}
systems:
  - {id: emr, name: 電子カルテ, hosting: on-prem, vendor: A社, renewal: 2028-10-01, mfa: false}
  - {id: rececom, name: レセコン, hosting: on-prem, vendor: B社, mfa: true}
YAML
mfa_deadline() { # as-of -> prints deadline and overdue of cl-r7.h.mfa
    "$ANZEN" -C mfa --as-of "$1" status --format json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = [x for x in d["items"] if x["id"] == "cl-r7.h.mfa"][0]
print(r["deadline"], r["overdue"])'
}
[ "$(mfa_deadline 2027-06-01)" = "2028-10-01 None" ] && ok "2FA: a running system has until its renewal" || not_ok "2FA renewal grace: $(mfa_deadline 2027-06-01)"
sed -i 's/renewal: 2028-10-01, mfa: false/mfa: false/' mfa/profile.yaml
[ "$(mfa_deadline 2027-06-01)" = "2027-03-31 due-by" ] && ok "2FA: without a renewal date, the fixed deadline" || not_ok "2FA fallback: $(mfa_deadline 2027-06-01)"
sed -i 's/vendor: A社, mfa: false/vendor: A社, introduced: 2027-09-01, renewal: 2026-10-01, mfa: false/' mfa/profile.yaml
[ "$(mfa_deadline 2027-06-01)" = "2027-09-01 None" ] && ok "2FA: a system introduced after the reference date complies when introduced" || not_ok "2FA introduced: $(mfa_deadline 2027-06-01)"
sed -i 's/introduced: 2027-09-01, renewal: 2026-10-01, mfa: false/renewal: 2027-05-01, mfa: false/' mfa/profile.yaml
[ "$(mfa_deadline 2027-06-01)" = "2027-05-01 due-by" ] && ok "2FA: overdue after the renewal passed" || not_ok "2FA overdue: $(mfa_deadline 2027-06-01)"
sed -i 's/renewal: 2027-05-01, mfa: false/renewal: 2027-05-01, mfa: true/' mfa/profile.yaml
[ "$(mfa_deadline 2027-06-01)" = "2027-03-31 due-by" ] && ok "2FA: all systems have it, fixed deadline for the answer" || not_ok "2FA all yes: $(mfa_deadline 2027-06-01)"
run "$ANZEN" catalog show cl-r7.h.mfa
expect_out '基準日 2027-04-01' "catalog shows the reference date"

# --- guideline 6.0 at 遵守事項 level, 6.0 -> 7.0 crosswalk, coverage ---
run "$ANZEN" catalog list
expect_out '企画管理編       遵守事項 8 件' "coverage per volume: planning"
expect_out 'システム運用編   遵守事項 21 件' "coverage per volume: operations"
expect_out '保守委託機関編   遵守事項 1 件' "7.0 outsourced-maintenance volume"
run "$ANZEN" catalog list --format json
python3 - "$T/out" <<'PY' && ok "list json: coverage per guideline volume" || not_ok "coverage json"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
eds = {e["id"]: e for e in d["editions"]}
cov = eds["gl-6.0"]["coverage"]
assert cov["planning"]["requirements"] == 8 and cov["operations"]["requirements"] == 21, cov
assert "coverage" not in eds["cl-r7"]
PY
run "$ANZEN" catalog show gl-6.0.plan-15-2 --format json
python3 - "$T/out" <<'PY' && ok "企画管理編 15② encoded, verified on the final 6.0 text" || not_ok "plan 15②"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["label"] == "企画管理編 15②" and d["volume"] == "planning" and d["roles"] == ["planning"]
assert d["confidence"] == "verified" and d["source_basis"] == "final", d
PY
run "$ANZEN" catalog show gl-6.0.ops-3-3 --format json
python3 - "$T/out" <<'PY' && ok "システム運用編 3③ (role split with vendors) verified on the final text" || not_ok "ops 3③"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["label"] == "システム運用編 3③" and d["confidence"] == "verified" and "vendor" in d["tags"], d
PY
run "$ANZEN" catalog diff gl-6.0 gl-7.0 --format json
python3 - "$T/out" <<'PY' && ok "7.0 10 (maintenance) comes from 6.0 10.1, 10① and 10③" || not_ok "ops-10 crosswalk"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
x = [c for c in d["changes"] if c["id"] == "gl-7.0.ops-10"][0]
assert set(x["from"]) == {"gl-6.0.ops-10-1", "gl-6.0.ops-10-r1", "gl-6.0.ops-10-r3"}, x
PY
run "$ANZEN" catalog show gl-6.0.plan-13-3
expect_out '案・草案に基づく' "企画管理編 13③ marked draft (6.0 draft text)"
run "$ANZEN" catalog diff gl-6.0 gl-7.0
expect_out 'gl-7.0.ops-14-5 <- gl-6.0.ops-14-6' "7.0 14⑤ (2FA) comes from 6.0 14⑥"
expect_out '分割 2' "6.0 14⑥ split in two"
expect_out '変更   システム運用編 10' "maintenance changed"
run "$ANZEN" catalog show cl-r7.h.mfa
expect_out 'gl-6.0.ops-14-6' "2FA item points at 6.0"
expect_out 'gl-7.0.ops-14-5' "and at 7.0"
done_testing
