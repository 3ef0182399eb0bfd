#!/bin/sh
# Plan owners and tracks: a vendor from the registry can own a task, a
# plan without IT staff gives the operations work to the system's vendor
# or to the 企画管理者 and says so, plan set names the track it changed
# and refuses to guess one, past due dates need --allow-past.
. "$(dirname "$0")/lib.sh"

"$ANZEN" demo -o d >/dev/null 2>&1
cd d
grep -q "ops-staff: false" profile.yaml && ok "the demo records no IT staff" || not_ok "demo profile"

# --- no IT staff: the on-premises system's vendor takes the operations work ---
run "$ANZEN" plan --format json
expect_rc 0 "plan json"
python3 - "$T/out" <<'PY' && ok "operations tasks go to the EMR vendor, with a note" || not_ok "default owners"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
roles = {(t["owner_role"]) for x in p["items"] for t in (x["interim"], x["permanent"])}
assert "operations" not in roles, roles
v = [x for x in p["items"] if x["interim"]["owner_role"] == "vendor"]
assert v, "no vendor-owned task"
assert all(x["interim"]["owner"] == "みどりメディカルシステム株式会社 (架空)" for x in v)
assert all("運用担当者がいないため" in x["owner_note"]["ja"] for x in v), v[0]
PY
run "$ANZEN" plan
expect_out "担当 事業者 みどりメディカルシステム株式会社 (架空)" "text shows the vendor owner"
expect_out "※ 運用担当者がいないため、事業者「みどりメディカルシステム株式会社 (架空)」に割り当てました" "text says why"

# --- vendor owners: from the registry, by ID or a part of the name ---
run "$ANZEN" plan set 2-⑧ --track interim --owner 事業者:みどり
expect_rc 0 "owner 事業者:みどり (part of the registered name)"
expect_out "2-⑧ (cl-r7.h.password-reuse) の暫定対策を更新しました。担当 事業者 みどりメディカルシステム株式会社 (架空)" "names the track and the vendor"
run "$ANZEN" plan set 2-⑧ --track permanent --owner vendor:aozora
expect_rc 0 "owner vendor:aozora (registry ID)"
expect_out "本対策を更新しました" "names the permanent track"
run "$ANZEN" plan set 2-⑧ --track interim --owner 事業者:くろねこ
expect_rc 64 "an unregistered vendor is refused"
expect_err "事業者「くろねこ」は vendors.yaml にありません" "says it is not registered"
expect_err "midori (みどりメディカルシステム株式会社 (架空))、aozora (あおぞらクラウド株式会社 (架空))" "lists the registered vendors"
run "$ANZEN" plan set 2-⑧ --track interim --owner 事業者:株式会社
expect_rc 64 "an ambiguous vendor is refused"
expect_err "複数に当てはまります" "says it is ambiguous"
run "$ANZEN" plan set 2-⑧ --track interim --owner vendor
expect_rc 64 "a vendor owner needs a name"
run "$ANZEN" plan --format json
python3 - "$T/out" <<'PY' && ok "vendor owners stored per track" || not_ok "vendor owners"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
m = [x for x in p["items"] if x["id"] == "cl-r7.h.password-reuse"][0]
assert m["interim"]["owner_role"] == "vendor" and m["interim"]["owner"].startswith("みどり"), m["interim"]
assert m["permanent"]["owner_role"] == "vendor" and m["permanent"]["owner"].startswith("あおぞら"), m["permanent"]
PY
run "$ANZEN" plan --role vendor
expect_out "2-⑧" "filter by the vendor role"

# --- the track: named in the output, never guessed ---
run "$ANZEN" plan set 2-⑩ --status in-progress
expect_rc 64 "no --track: refused when not on a terminal"
expect_err "--track interim = 暫定対策 / --track permanent = 本対策 / --track both = 両方" "says how to name it"
run "$ANZEN" plan --format json
python3 - "$T/out" <<'PY' && ok "the refused change changed nothing" || not_ok "refused change applied"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
m = [x for x in p["items"] if x["id"] == "cl-r7.h.mfa"][0]
assert m["interim"]["status"] == "open" and m["permanent"]["status"] == "open", m
PY
# on a terminal it asks (script(1) gives the command a terminal)
if command -v script >/dev/null 2>&1; then
    printf '2\n' | script -qec "\"$ANZEN\" plan set 2-⑩ --status done" /dev/null >"$T/tty" 2>&1 || true
    grep -q "どちらの対策を変えますか (1 暫定対策 / 2 本対策 / 3 両方)" "$T/tty" &&
        grep -q "本対策を更新しました。状態 完了" "$T/tty" && ok "on a terminal it asks which track" ||
        not_ok "interactive track: $(tail -3 "$T/tty")"
    "$ANZEN" plan set 2-⑩ --track permanent --status open >/dev/null 2>&1
else
    ok "# SKIP no script(1)"
fi
run "$ANZEN" plan set 2-⑩ --track both --status in-progress
expect_rc 0 "--track both"
expect_out "暫定対策と本対策を更新しました。状態 対応中" "names both tracks and the status"
run "$ANZEN" plan set 2-⑩ --priority 1 --reason "院長の指示"
expect_rc 0 "a priority alone needs no track"
run "$ANZEN" --lang en plan set 2-⑩ --track interim --status done
expect_out "updated the interim mitigation of 2-⑩" "English names the track"

# --- due dates: the past needs --allow-past ---
run "$ANZEN" plan set 2-⑩ --track interim --due 2025-01-31
expect_rc 64 "a past due date is refused"
expect_err "期限 2025-01-31 は今日 (2025-11-24) より前です" "shows the date and today"
expect_err "--allow-past" "says how to allow it"
expect_err "受け付ける形式: 2026-03-31" "lists the date forms"
run "$ANZEN" plan set 2-⑩ --track interim --due 2025-01-31 --allow-past
expect_rc 0 "--allow-past"
expect_out "期限 2025-01-31" "the past date is set"
run "$ANZEN" plan set 2-⑩ --track permanent --due 令和8年3月31日
expect_rc 0 "a future date in wareki"
expect_out "期限 2026-03-31" "shown as ISO"
expect_err "次に: anzen plan" "plan set says what is next"

# --- two on-premises vendors: no one to guess, the 企画管理者, and the plan says so ---
cd "$T"
mkdir two && cd two
cp ../d/answers.yaml ../d/vendor-emr.yaml .
sed 's/hosting: cloud/hosting: on-prem/' ../d/profile.yaml >profile.yaml
run "$ANZEN" plan --format json
expect_rc 0 "plan with two on-premises vendors"
python3 - "$T/out" <<'PY' && ok "no IT staff, two vendors: the 企画管理者, with a note" || not_ok "planning fallback"
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
roles = {t["owner_role"] for x in p["items"] for t in (x["interim"], x["permanent"])}
assert "operations" not in roles and "vendor" not in roles, roles
notes = [x["owner_note"]["ja"] for x in p["items"] if "owner_note" in x]
assert notes and all("運用担当者がいないため、企画管理者に割り当てました" in n for n in notes), notes
PY
# without a registry the profile's vendors are the ones that can be named
run "$ANZEN" plan set 2-⑥ --track interim --owner 事業者:あおぞら
expect_rc 0 "a vendor of the profile without a registry"
run "$ANZEN" plan set 2-⑥ --track interim --owner 事業者:くろねこ
expect_rc 64 "an unknown vendor without a registry"
expect_err "プロファイルの事業者" "says where it looked"
expect_err "みどりメディカルシステム株式会社 (架空)、あおぞらクラウド株式会社 (架空)" "lists the profile's vendors"
done_testing
