#!/bin/sh
# anzen kev info|check|import and the ledger's KEV rule: the embedded dated
# CISA KEV subset, the curated version ranges at their edges (the last
# vulnerable and the first fixed firmware), a refreshed catalog read
# offline, and bad catalogs refused without touching kev.json.
. "$(dirname "$0")/lib.sh"
FULL="$TEST_DATA/kev/kev-2025-08-25.json"
AJV="$SRCDIR/node_modules/.bin/ajv"

run "$ANZEN" kev info
expect_rc 0 "kev info"
expect_out "2025.08.25 版" "the embedded catalog's version is named"
expect_out "組み込み" "embedded source named"
expect_out "Fortinet FortiOS" "families listed"

# Handa Hospital's flaw, CVE-2018-13379: 6.0.4 is the last vulnerable 6.0,
# 6.0.5 the first fixed; the version as FortiOS prints it is understood
run "$ANZEN" kev check FortiOS "v6.0.4,build0231,190220 (GA)" --format json
expect_rc 2 "an affected version exits 2"
python3 - "$T/out" <<'PY' && ok "6.0.4 is affected by CVE-2018-13379 (ransomware: known)" || not_ok "6.0.4"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["schema"] == "anzen-kev-check/1" and d["family"] == "fortinet-fortios"
assert d["version"] == "6.0.4" and d["catalog"] == "2025.08.25"
h = {x["cve"]: x for x in d["hits"]}
assert "CVE-2018-13379" in h and h["CVE-2018-13379"]["ransomware"] is True
PY
run "$ANZEN" kev check fortinet-fortios 6.0.5 --format json
python3 - "$T/out" <<'PY' && ok "6.0.5 is not affected by CVE-2018-13379" || not_ok "6.0.5"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert "CVE-2018-13379" not in [x["cve"] for x in d["hits"]]
PY
run "$ANZEN" kev check FortiOS 6.0.6 --format json
python3 - "$T/out" <<'PY' && ok "a CVE whose fix needs more than the upgrade carries its own advice" || not_ok "rule advice"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
h = {x["cve"]: x for x in d["hits"]}
assert "private-data-encryption" in h["CVE-2019-6693"]["advice"], h["CVE-2019-6693"]
PY
run "$ANZEN" kev check "Cisco ASA" "9.14(1)9"
expect_out "CVE-2020-3452" "Cisco ASA: the release before the fix"
expect_out "9.7、9.11、9.12" "and the trains anzen does not judge are named"
run "$ANZEN" --lang en kev check FortiGate 6.0.4
expect_out "affected by" "English text"
expect_out "change every SSL-VPN user and administrator password" "advice to rotate credentials"
run "$ANZEN" kev check RTX830 1.0
expect_rc 64 "an unknown product is a usage error"
expect_err "anzen kev info" "the error says where to look"
run "$ANZEN" kev check FortiOS ""
expect_rc 64 "an empty version is a usage error"
run "$ANZEN" kev frobnicate
expect_rc 64 "unknown subcommand"

# import: a full catalog becomes the families' subset in kev.json, valid
# against CISA's schema, and is used from then on
run "$ANZEN" kev import "$FULL"
expect_rc 0 "import the full 2025-08-25 catalog"
expect_out "全 1404 件" "the full catalog's size is reported"
if [ -x "$AJV" ]; then
    "$AJV" validate --spec=draft7 -c ajv-formats --strict=false -s "$TEST_DATA/kev/kev-schema.json" \
        -d kev.json >"$T/ajv" 2>&1 && ok "kev.json valid against CISA's KEV schema (ajv)" ||
        { not_ok "kev.json invalid"; sed 's/^/#   /' "$T/ajv" | head; }
else
    not_ok "ajv-cli is not installed (run npm ci)"
fi
cmp -s kev.json "$SRCDIR/data/kev/kev.json" && ok "the embedded subset is reproducible from the full catalog" ||
    not_ok "data/kev/kev.json differs from kev import of the reference catalog"
run "$ANZEN" kev info
expect_out "出典: kev.json" "kev.json is used once imported"

# a newer catalog with a new FortiOS entry: the new entry is named
python3 - "$FULL" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d["catalogVersion"] = "2025.11.20"
d["dateReleased"] = "2025-11-20T12:00:00.000Z"
d["vulnerabilities"].insert(0, {"cveID": "CVE-2026-12345", "vendorProject": "Fortinet",
    "product": "FortiOS", "vulnerabilityName": "test entry", "dateAdded": "2025-11-20",
    "shortDescription": "x", "requiredAction": "y", "dueDate": "2026-12-21",
    "knownRansomwareCampaignUse": "Unknown", "forensicTriage": "No"})
d["count"] += 1
json.dump(d, open("newer.json", "w", encoding="utf-8"))
d["catalogVersion"] = "2024.01.01"
json.dump(d, open("older.json", "w", encoding="utf-8"))
PY
run "$ANZEN" kev import newer.json
expect_rc 0 "a newer catalog"
expect_out "新しく載った項目: CVE-2026-12345" "the new entry is pointed out"
run "$ANZEN" kev info
expect_out "2025.11.20 版" "the newer catalog is in use"
cp kev.json kev.before
run "$ANZEN" kev import older.json
expect_rc 1 "an older catalog is refused"
expect_err "2024.01.01 版で、使っている 2025.11.20 版より古い" "the refusal says why"
cmp -s kev.json kev.before && ok "kev.json unchanged after the refusal" || not_ok "kev.json changed"
run "$ANZEN" kev import older.json --force
expect_rc 0 "--force imports an older catalog"

# catalogs that would silently stop or freeze KEV matching are refused
python3 - "$FULL" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
e = dict(d, vulnerabilities=[], count=0)
json.dump(e, open("empty.json", "w", encoding="utf-8"))
f = dict(d, catalogVersion="2999.99.99")
json.dump(f, open("future.json", "w", encoding="utf-8"))
g = dict(d, catalogVersion="2030.01.01")
json.dump(g, open("later.json", "w", encoding="utf-8"))
h = dict(d, vulnerabilities=[v for v in d["vulnerabilities"] if v["vendorProject"] == "Microsoft"])
h["count"] = len(h["vulnerabilities"])
json.dump(h, open("nofamily.json", "w", encoding="utf-8"))
PY
cp kev.json kev.before
run "$ANZEN" kev import empty.json
expect_rc 1 "an empty catalog is refused"
expect_err "脆弱性が 1 件もありません" "the empty catalog: why"
run "$ANZEN" kev import future.json
expect_rc 1 "catalogVersion 2999.99.99 is refused"
expect_err "カタログの版 \"2999.99.99\" はありえない日付です" "the implausible version is named"
run "$ANZEN" kev import later.json
expect_rc 1 "a version after the as-of date is refused"
run "$ANZEN" kev import nofamily.json
expect_rc 1 "a catalog without any appliance family is refused"
expect_err "CISA の KEV カタログではない" "the catalog without appliances: why"
cmp -s kev.json kev.before && ok "kev.json unchanged by the refused catalogs" || not_ok "kev.json changed"
run "$ANZEN" kev import empty.json -o forced.json --force
expect_rc 0 "--force imports even an empty catalog"
printf 'anzen-profile: 1\n' > notkev.json
run "$ANZEN" kev import notkev.json
expect_rc 1 "a YAML file as a KEV catalog"
expect_err "これは YAML です (KEV カタログ (CISA の JSON) を渡してください)" "the file's real type is named"

# bad catalogs: the place is named, kev.json is not touched
cp "$SRCDIR/data/kev/kev.json" kev.json
cp kev.json kev.before
printf '{"catalogVersion": "x", "dateReleased": "2025-01-01T00:00:00Z",\n "count": 1, "vulnerabilities": [\n  {"cveID": "CVE-1", "vendorProject": "a"}\n]}\n' > bad1.json
run "$ANZEN" kev import bad1.json
expect_rc 1 "a malformed entry"
expect_err "bad1.json:3:" "the line of the bad entry"
printf '{"catalogVersion": "x", "count": 1,\n "vulnerabilities": [\n' > bad2.json
run "$ANZEN" kev import bad2.json
expect_rc 1 "truncated JSON"
expect_err "bad2.json:" "the file is named"
printf '\202\261\202\361\202\311\202\277\202\315' > bad3.json
run "$ANZEN" kev import bad3.json
expect_rc 1 "not UTF-8 (CP932 bytes)"
head -c 9000000 /dev/zero | tr '\0' ' ' > huge.json
run "$ANZEN" kev import huge.json
expect_rc 1 "a file over the size limit"
run "$ANZEN" kev import missing.json
expect_rc 1 "a missing file"
cmp -s kev.json kev.before && ok "kev.json untouched by the bad imports" || not_ok "kev.json changed"
rm -f kev.json

# the ledger: a FortiOS VPN box at the last vulnerable 6.0, one at the first
# fixed, one with no version recorded; each judged by the KEV rule
cat > profile.yaml <<'Y'
anzen-profile: 1
institution: {name: x, type: clinic}
systems:
  - {id: emr, name: 電子カルテ, hosting: on-prem, vendor: A社, remote-maintenance: true}
Y
printf '種別,名称,所属システム,管理者,OS・ファームウェア,バージョン,最終パッチ適用日\r\n' > l.csv
printf 'VPN装置,fg-old,emr,A社,FortiOS,"v6.0.4,build0231",2025-11-01\r\n' >> l.csv
printf 'VPN装置,fg-fixed,emr,A社,FortiGate 60E,6.0.5,2025-11-01\r\n' >> l.csv
printf 'ネットワーク機器,fg-nover,,院内,FortiOS,,2025-11-01\r\n' >> l.csv
printf 'サーバ,srv,emr,A社,Windows Server 2019,1809,2025-11-01\r\n' >> l.csv
printf 'VPN装置,asa,emr,A社,Cisco ASA,9.16(4)48,2025-11-01\r\n' >> l.csv
run "$ANZEN" ledger check l.csv --format json
expect_rc 2 "the vulnerable VPN box is a gap"
python3 - "$T/out" <<'PY' && ok "KEV rule at its edges, with the CVE, catalog and advice" || not_ok "ledger KEV rule"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["kev-catalog"] == "2025.08.25"
k = [f for f in d["findings"] if f["rule"] == "kev"]
old = [f for f in k if f["asset"] == "fg-old"]
assert len(old) == 1, k
f = old[0]
assert f["level"] == "gap" and f["version"] == "6.0.4" and f["family"] == "fortinet-fortios"
assert "CVE-2018-13379" in [c["cve"] for c in f["cves"]]
assert f["items"] == ["cl-r7.h.patches", "cl-r7.h.remote-maintenance"]
assert "VPN の認証情報をすべて変更" in f["ja"]
fixed = [f for f in k if f["asset"] == "fg-fixed"]
assert all("CVE-2018-13379" not in [c["cve"] for c in x["cves"]] for x in fixed), fixed
nov = [f for f in d["findings"] if f["asset"] == "fg-nover"]
assert [f["rule"] for f in nov] == ["remote-unconfirmed", "kev-no-version"] and nov[1]["level"] == "attention", nov  # FortiOS makes it a VPN device
assert not [f for f in d["findings"] if f["asset"] == "srv"]
asa = [f for f in d["findings"] if f["asset"] == "asa"]
assert [f["rule"] for f in asa] == ["kev-unchecked"] and asa[0]["level"] == "attention", asa
PY

# the vendor registry decides contracts when there is one: by name or ID,
# with dates, and not ended
cat > vendors.yaml <<'Y'
anzen-vendors: 1
vendors:
  - {id: a, name: A社, systems: [emr], contract: {start: 2020-04-01, end: 2025-03-31}}
  - {id: b, name: B社}
  - {id: c, name: C社, contract: {start: 2024-04-01}}
Y
printf '種別,名称,所属システム,管理者\r\nサーバ,s-a,emr,A社\r\nサーバ,s-b,,B社\r\nサーバ,s-c,,c\r\nサーバ,s-d,,D社\r\n' > r.csv
run "$ANZEN" ledger check r.csv --format json
python3 - "$T/out" <<'PY' && ok "contracts come from the registry: ended, none, by ID, unregistered" || not_ok "registry contracts"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
c = {f["asset"]: f for f in d["findings"] if f["rule"] == "vendor-no-contract"}
assert sorted(c) == ["s-a", "s-b", "s-d"], sorted(c)
assert "契約が終わっています" in c["s-a"]["ja"]
assert "契約が記録されていません" in c["s-b"]["ja"]
PY
run "$ANZEN" ledger check r.csv --vendors none.yaml --format json
python3 - "$T/out" <<'PY' && ok "without a registry the profile's vendors stand for contracts" || not_ok "profile contracts"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
c = sorted(f["asset"] for f in d["findings"] if f["rule"] == "vendor-no-contract")
assert c == ["s-b", "s-c", "s-d"], c
PY
rm vendors.yaml

# findings become evidence on their items, once
"$ANZEN" workspace import >/dev/null
run "$ANZEN" ledger check l.csv --save
expect_rc 2 "check --save still reports the gaps"
expect_err "証跡として" "evidence recorded"
n1=$(sed -n 's/.*証跡として \([0-9]*\) 件.*/\1/p' "$T/err")
[ "${n1:-0}" -ge 3 ] && ok "several evidence records ($n1)" || not_ok "evidence count $n1"
run "$ANZEN" ledger check l.csv --save
expect_err "証跡として 0 件" "a second check adds nothing"
run "$ANZEN" workspace evidence cl-r7.h.patches --format json
python3 - "$T/out" <<'PY' && ok "the KEV finding is evidence on 2-⑥ with its source line" || not_ok "evidence"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
ev = d if isinstance(d, list) else d.get("evidence", d)
m = [e for e in ev if e["kind"] == "ledger" and e["description"].startswith("fg-old: ") and "KEV" in e["description"]]
assert m and m[0]["source"] == "l.csv:2", ev
PY
done_testing
