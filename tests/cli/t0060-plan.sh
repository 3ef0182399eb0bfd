#!/bin/sh
# anzen plan: priority order with reasons, decisions kept in the workspace
# with the change log, filters, and bad input.
. "$(dirname "$0")/lib.sh"

"$ANZEN" demo -o d >/dev/null
cd d
run "$ANZEN" plan
expect_rc 0 "plan on the demo"
expect_out " 1. 2-①" "an overdue item comes first"
expect_out "理由: 期限超過: 令和5年度から必須 (期限 2024-03-31)" "the reason is shown"
expect_out "暫定対策 [未着手]" "interim track"
expect_out "本対策   [未着手]" "permanent track"
expect_out "外部に接続している VPN 装置・ルータから最新のファームウェアに更新" "suggested interim text from the catalog"
expect_out "ランサムウェア・リモート接続に関わる" "ransomware/remote-access tier"
expect_out "未回答の項目" "unanswered items noted"

run "$ANZEN" plan --format json
python3 - "$T/out" <<'PY' && ok "plan json: overdue, then hot, then by target" || not_ok "plan json order"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
assert p["schema"] == "anzen-plan/1"
tiers = [x["tier"] for x in p["items"]]
assert tiers == sorted(tiers), tiers
assert tiers[0] == 1 and 2 in tiers
assert len(p["items"]) == 7
PY

# decisions
run "$ANZEN" plan set 2-⑩ --track both --status in-progress --owner planning:事務長 --due 2026-09-30 --who 山田
expect_rc 0 "plan set by label"
expect_out "2-⑩ (cl-r7.h.mfa) の暫定対策と本対策を更新しました" "plan set confirms"
run "$ANZEN" plan set cl-r7.h.mfa --track interim --status done
expect_rc 0 "plan set one track"
run "$ANZEN" plan --format json
python3 - "$T/out" <<'PY' && ok "decisions applied to both tracks / one track" || not_ok "decisions"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
m = [x for x in p["items"] if x["id"] == "cl-r7.h.mfa"][0]
assert m["interim"]["status"] == "done" and m["permanent"]["status"] == "in-progress"
assert m["permanent"]["owner_role"] == "planning" and m["permanent"]["owner"] == "事務長"
assert m["permanent"]["due"] == "2026-09-30"
PY
run "$ANZEN" plan --status done
expect_out "2-⑩" "filter by status"
expect_no_out "2-①" "filter by status hides others"
run "$ANZEN" plan --role management
expect_rc 0 "filter by role"

# priority override needs a reason, and is logged
run "$ANZEN" plan set 2-⑧ --priority 1
expect_rc 64 "priority without a reason"
expect_err "--reason" "reason required"
run "$ANZEN" plan set 2-⑧ --priority 1 --reason "VPN と同じパスワード"
run "$ANZEN" plan
expect_out " 1. 2-⑧" "override moves the item to the top"
expect_out "優先度 1 に変更: VPN と同じパスワード" "override reason shown"
run "$ANZEN" workspace log --format json
python3 - "$T/out" <<'PY' && ok "plan changes in the change log with who" || not_ok "plan change log"
import json, sys
log = json.load(open(sys.argv[1], encoding="utf-8"))
plan = [e for e in log if e["object"].startswith("plan:")]
assert [e["object"] for e in plan] == ["plan:cl-r7.h.mfa"] * 2 + ["plan:cl-r7.h.password-reuse"]
assert plan[0]["who"] == "山田" and plan[0]["before"] is None and plan[1]["before"] is not None
assert "VPN と同じパスワード" in plan[2]["after"]
PY

# key points (step ③) from the demo profile
ANZEN_TODAY=2025-11-24 run "$ANZEN" keypoints
expect_rc 2 "keypoints on the demo has gaps"
expect_out "電子カルテ (院内サーバ): 2027-10-01 に更新予定。令和9年度以降の導入・更新なので二要素認証が必要" "MFA needed at the FY2027+ renewal"
expect_out "サイバー攻撃を想定した BCPがありません" "missing BCP"
expect_out "12 か月以内の復元訓練がありません" "no recent restore drill"
expect_out "役割分担の確認表による合意がありません" "no role split with the EMR vendor"
expect_out "emr->receipt" "unencrypted connection between systems"
expect_out "診療情報提供書: 証明書の有効期限 2026-01-31 まで 90 日以内" "certificate expiring soon"
ANZEN_TODAY=2026-02-01 run "$ANZEN" keypoints --format json
python3 - "$T/out" <<'PY' && ok "the certificate counts as expired once its date passes" || not_ok "expiry over time"
import json, sys
k = json.load(open(sys.argv[1], encoding="utf-8"))
sig = [t for t in k["tracks"] if t["id"] == "signatures"][0]
assert sig["level"] == "gap"
assert k["schema"] == "anzen-keypoints/1" and k["gaps"] >= 5
PY

# bad input
run "$ANZEN" plan set 9-⑨ --status done
expect_rc 1 "unknown item"
expect_err "9-⑨" "unknown item named"
run "$ANZEN" plan set 2-⑩ --status finished
expect_rc 64 "unknown status"
run "$ANZEN" plan set 2-⑩ --due 2026-02-30
expect_rc 64 "invalid due date"
run "$ANZEN" plan set 2-⑩ --owner boss
expect_rc 64 "unknown owner role"
run "$ANZEN" plan set 2-⑩
expect_rc 64 "nothing to change"

# a long reason reaches the report's plan whole (its summary was cut at
# 639 bytes, inside a character, and then left out of the JSON)
cd "$T"
"$ANZEN" demo -o long >/dev/null
cd long
longreason=$(printf 'パスワード%.0s' $(seq 60))
run "$ANZEN" plan set 2-⑧ --priority 1 --reason "$longreason"
expect_rc 0 "a 300-character reason"
run "$ANZEN" report --format json -o r.json
python3 - "$longreason" <<'PY' && ok "the report's reason summary is the whole reason" || not_ok "reason summary"
import json, sys
d = json.load(open("r.json", encoding="utf-8"))
def walk(x):
    if isinstance(x, dict):
        if x.get("id") == "cl-r7.h.password-reuse" and x.get("source") != "plan":
            yield x
        for v in x.values():
            yield from walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from walk(v)
found = [x for x in walk(d) if "reason" in x]
assert found, "no plan item"
for x in found:
    assert x.get("reason_summary") == "優先度 1 に変更: " + sys.argv[1], x.get("reason_summary")
PY
done_testing
