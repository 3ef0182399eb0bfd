#!/bin/sh
# SPDX-License-Identifier: MIT
# anzen submit and anzen hub end to end on a real PostgreSQL server of the
# test's own: enrol, ingest, replays, older, tampered and wrongly signed
# bundles refused, sealed bundles, a headquarters answering for its
# branches, and every report (HTML, XLSX, JSON).
. "${SRCDIR:?}/tests/hub/lib.sh"
PSQL="$PGBIN/psql -X -q -At"
sql() { $PSQL "$ANZEN_HUB_DB" -c "$1"; }

run "$ANZEN" hub init
expect_rc 0 "hub init"
run "$ANZEN" hub init
expect_rc 0 "hub init again (migrations are idempotent)"
[ "$(sql 'select count(*) from hub_schema_migrations')" = 1 ] && ok "one migration recorded" ||
    not_ok "migrations table"
[ "$(sql "select count(*) from pg_partitioned_table")" -ge 4 ] && ok "partitioned tables" ||
    not_ok "partitioned tables"

# two institutions: the demo clinic and a copy of it
run "$ANZEN" demo
expect_rc 0 "demo workspace"
cp -r anzen-demo other
cp -r anzen-demo hq
cp -r anzen-demo thief
cd anzen-demo
run "$ANZEN" submit --id demo1 -o "$T/b1.json"
expect_rc 0 "submit writes a bundle"
expect_err "SHA256:" "the new key's fingerprint is shown"
mode=$(stat -c %a anzen-sign.key)
[ "$mode" = 600 ] && ok "signing key is 0600" || not_ok "signing key mode $mode"
if grep -q '"ledger_assets"' "$T/b1.json"; then not_ok "raw ledger in the bundle"; else
    ok "no raw ledger unless asked"; fi
run "$ANZEN" submit -o "$T/b2.json"
expect_rc 0 "second submission remembers the id"
grep -q '"sequence":2' "$T/b2.json" && ok "sequence grows" || not_ok "sequence grows"
run "$ANZEN" submit --id demo1 --include-ledger -o "$T/b3.json"
grep -q '"ledger_assets"' "$T/b3.json" && ok "--include-ledger adds the assets" ||
    not_ok "--include-ledger"
run "$ANZEN" submit --to http://127.0.0.1/ -o x.json
expect_rc 64 "--to refuses plain http (h0020-serve.sh sends over HTTPS)"
[ -e x.json ] && not_ok "a refused --to wrote the bundle anyway" || ok "nothing written"
cd "$T"

run "$ANZEN" hub enrol --id demo1 --name "さくら内科" --type clinic --prefecture 東京都 \
    --beds 1-19 --group g1 --key anzen-demo/anzen-sign.pub
expect_rc 0 "enrol"
expect_out "SHA256:" "enrol shows the fingerprint"
run "$ANZEN" hub enrol --id x1 --name X --type clinic --prefecture 架空県 --key anzen-demo/anzen-sign.pub
expect_rc 64 "unknown prefecture refused"
expect_err "架空県" "the error names the prefecture"
run "$ANZEN" hub enrol --id x1 --name X --type spa --prefecture 13 --key anzen-demo/anzen-sign.pub
expect_rc 64 "unknown type refused"

run "$ANZEN" hub ingest b2.json
expect_rc 0 "ingest"
expect_out "1 (機関 1)" "one bundle ingested"
[ "$(sql "select count(*) from inst_year where institution = 'demo1' and prefecture = 13")" = 1 ] &&
    ok "stored under Tokyo (13)" || not_ok "stored under Tokyo"
items=$(sql "select count(*) from item_status where institution = 'demo1'")
[ "$items" -gt 5 ] && ok "item rows stored ($items)" || not_ok "item rows: $items"
run "$ANZEN" hub ingest b2.json
expect_rc 2 "replay refused"
expect_err "再送" "says replay"
run "$ANZEN" hub ingest b1.json
expect_rc 2 "older bundle refused"
expect_err "新しくありません" "says not newer"
[ "$(sql "select count(*) from item_status where institution = 'demo1'")" = "$items" ] &&
    ok "refusals change nothing (idempotent)" || not_ok "rows changed"
run "$ANZEN" hub ingest b3.json
expect_rc 0 "newer bundle accepted"
[ "$(sql "select count(*) from item_status where institution = 'demo1'")" = "$items" ] &&
    ok "newer bundle replaces the year's rows" || not_ok "rows doubled"
[ "$(sql "select last_sequence from institution where id = 'demo1'")" = 3 ] &&
    ok "last sequence recorded" || not_ok "last sequence"

# tampered: a status changed after signing
sed 's/"status":"gap"/"status":"satisfied"/' b3.json >tampered.json
cmp -s b3.json tampered.json && not_ok "tamper did not change the file" || ok "tampered copy made"
run "$ANZEN" hub ingest tampered.json
expect_rc 2 "tampered bundle refused"
expect_err "改ざん" "says tampered"
printf 'not json\n' >junk.json
run "$ANZEN" --lang en hub ingest junk.json
expect_rc 2 "junk refused"
expect_err "junk.json: line 1" "names file and line"

# wrong key: another workspace signs as demo1
cd thief && rm -f anzen-sign.key anzen-sign.pub anzen-submit.seq
run "$ANZEN" submit --id demo1 -o "$T/thief.json"
cd "$T"
run "$ANZEN" hub ingest thief.json
expect_rc 2 "bundle signed with another key refused"
expect_err "登録された鍵" "says not the enrolled key"
cd other && rm -f anzen-sign.key anzen-sign.pub anzen-submit.seq
run "$ANZEN" submit --id nobody1 -o "$T/unknown.json"
cd "$T"
run "$ANZEN" hub ingest unknown.json
expect_rc 2 "unknown institution refused"
expect_err "nobody1" "names the institution"

# sealed to the hub
run "$ANZEN" hub keygen -o "$T"
expect_rc 0 "hub keygen"
[ "$(stat -c %a hub.key)" = 600 ] && ok "hub key 0600" || not_ok "hub key mode"
cd other
run "$ANZEN" submit --id other1 --seal "$T/hub.pub" -o "$T/sealed.json"
expect_rc 0 "sealed submission"
cd "$T"
grep -q anzen-sealed/1 sealed.json && ! grep -q '"items"' sealed.json && ok "content hidden" ||
    not_ok "content visible in sealed bundle"
run "$ANZEN" hub enrol --id other1 --name "みどり薬局" --type pharmacy --prefecture 27 \
    --beds 0 --group g2 --key other/anzen-sign.pub
expect_rc 0 "enrol a pharmacy in Osaka"
run "$ANZEN" hub ingest sealed.json
expect_rc 2 "sealed bundle without the hub key refused"
expect_err "--hub-key" "says the hub key is needed"
run "$ANZEN" hub ingest --hub-key hub.key sealed.json
expect_rc 0 "sealed bundle opened and ingested"
[ "$(sql "select count(*) from inst_year where institution = 'other1' and prefecture = 27")" = 1 ] &&
    ok "sealed bundle stored" || not_ok "sealed bundle stored"

# two bundles of one institution in one run: the newer replaces the older
cd other
run "$ANZEN" submit --seal "$T/hub.pub" -o "$T/o2.json"
run "$ANZEN" submit --seal "$T/hub.pub" -o "$T/o3.json"
cd "$T"
run "$ANZEN" hub ingest --hub-key hub.key o2.json o3.json
expect_rc 0 "two newer bundles in one run"
[ "$(sql "select count(*) from item_status where institution = 'other1'")" = \
    "$(sql "select count(*) from item_status where institution = 'demo1'")" ] &&
    ok "one set of item rows kept" || not_ok "item rows of both bundles kept"
[ "$(sql "select last_sequence from institution where id = 'other1'")" = 3 ] &&
    ok "the newest is recorded" || not_ok "newest recorded"

# a headquarters answering for its branches
run "$ANZEN" hub enrol --id hq1 --name "本部" --type clinic --prefecture 13 --group g3 \
    --key "$(cut -d' ' -f2 hq/anzen-sign.pub 2>/dev/null || true)"
cd hq && rm -f anzen-sign.key anzen-sign.pub anzen-submit.seq
run "$ANZEN" submit --fingerprint
expect_rc 0 "--fingerprint makes and shows the key"
cd "$T"
run "$ANZEN" hub enrol --id hq1 --name "本部" --type clinic --prefecture 13 --group g3 \
    --key hq/anzen-sign.pub
expect_rc 0 "enrol the headquarters"
run "$ANZEN" hub enrol --id br1 --name "支店1" --type clinic --prefecture 14 --group g3 --hq hq1
expect_rc 0 "enrol a branch without a key"
run "$ANZEN" hub enrol --id br2 --name "支店2" --type dental --prefecture 14 --group g4 --hq hq1
expect_rc 0 "enrol a second branch"
cat >branches.yaml <<'YAML'
- institution: br1
  items:
    cyber-bcp: satisfied
    mfa: satisfied
  indicators:
    cyber_bcp: true
- institution: br2
YAML
cd hq
run "$ANZEN" submit --id hq1 --branches "$T/branches.yaml" -o "$T/hq.json"
expect_rc 0 "headquarters submission"
cd "$T"
run "$ANZEN" hub ingest hq.json
expect_rc 0 "headquarters bundle ingested"
expect_out "(機関 3)" "covers three institutions"
[ "$(sql "select cyber_bcp from inst_year where institution = 'br1'")" = t ] &&
    ok "branch override of an indicator" || not_ok "branch indicator"
[ "$(sql "select status from item_status where institution = 'br1' and topic = 'cyber-bcp'")" = 0 ] &&
    ok "branch override of an item" || not_ok "branch item"
[ "$(sql "select status from item_status where institution = 'br2' and topic = 'cyber-bcp'")" = \
    "$(sql "select status from item_status where institution = 'hq1' and topic = 'cyber-bcp'")" ] &&
    ok "branch without overrides follows the headquarters" || not_ok "branch default"
[ "$(sql "select prefecture from inst_year where institution = 'br1'")" = 14 ] &&
    ok "branch stored under its own prefecture" || not_ok "branch prefecture"
printf -- '- institution: demo1\n' >stray.yaml
cd hq
run "$ANZEN" submit --branches "$T/stray.yaml" -o "$T/stray.json"
cd "$T"
run "$ANZEN" hub ingest stray.json
expect_rc 2 "a branch not enrolled under the headquarters is refused"
expect_err "demo1" "names the branch"
[ "$(sql "select last_sequence from institution where id = 'demo1'")" = 3 ] &&
    ok "refused headquarters bundle wrote nothing" || not_ok "stray write"

printf -- '- institution: br1\n  items:\n    mfa: maybe\n' >bad.yaml
cd hq
run "$ANZEN" submit --branches "$T/bad.yaml" -o "$T/bad.json"
cd "$T"
expect_rc 1 "a branch status that is not one of the statuses is refused at submit"
expect_err "bad.yaml" "the error names the branches file"
[ ! -e bad.json ] && ok "no bundle written" || not_ok "bundle written"
printf -- '- institution: br1\n- institution: br1\n' >twice.yaml
cd hq
run "$ANZEN" submit --branches "$T/twice.yaml" -o "$T/twice.json"
cd "$T"
run "$ANZEN" hub ingest twice.json
expect_rc 2 "a branch named twice is refused"
expect_err "br1" "names the repeated branch"

# a directory of bundles, ingested twice: the second run changes nothing
mkdir dir && cp b3.json hq.json sealed.json dir/
run "$ANZEN" hub ingest --hub-key hub.key dir
expect_rc 2 "directory: all already there"
expect_out "再送 3" "three replays"

# reports
for scope in "" "--prefecture 13" "--group g3" "--prefecture Tokyo --fiscal-year 2025"; do
    # shellcheck disable=SC2086
    run "$ANZEN" hub report $scope -o r.html
    expect_rc 0 "HTML report $scope"
    if python3 -c 'import sys; open(sys.argv[1], encoding="utf-8", errors="strict").read()' r.html; then
        ok "HTML is UTF-8 $scope"; else not_ok "HTML not UTF-8 $scope"; fi
    python3 - r.html <<'PY' && ok "HTML parses and has every section $scope" || not_ok "HTML sections $scope"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.h2 = 0; s.stack = []
    def handle_starttag(s, t, a):
        if t == "h2": s.h2 += 1
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read()); p.close()
sys.exit(0 if p.h2 == 8 else 1)
PY
    # shellcheck disable=SC2086
    run "$ANZEN" hub report $scope --format xlsx -o r.xlsx
    expect_rc 0 "XLSX report $scope"
    python3 - r.xlsx <<'PY' && ok "XLSX is a zip of well-formed XML $scope" || not_ok "XLSX $scope"
import sys, zipfile, xml.dom.minidom
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
n = 0
for name in z.namelist():
    if name.endswith(".xml") or name.endswith(".rels"):
        xml.dom.minidom.parseString(z.read(name)); n += 1
sheets = [x for x in z.namelist() if x.startswith("xl/worksheets/sheet")]
assert len(sheets) == 8, sheets
PY
done
# the survey's caution in the XLSX too; sheet names in the reader's language;
# the HTML note in plain words, not a pointer to the project's docs (#8)
for l in ja en; do
    ANZEN_LANG=$l "$ANZEN" hub report --format xlsx -o r-$l.xlsx
    python3 - r-$l.xlsx $l <<'PY' && ok "XLSX ($l): sheet names in $l, survey note present" ||
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
wb = z.read("xl/workbook.xml").decode()
strings = z.read("xl/sharedStrings.xml").decode()
if sys.argv[2] == "ja":
    assert "項目ごとの対応率" in wb and "completion_by_item" not in wb, wb
    assert "二次資料" in strings and "確かめていません" in strings
else:
    assert "Completion by item" in wb and "MHLW survey" in wb, wb
    assert "secondary summaries" in strings and "not yet verified" in strings
PY
        not_ok "XLSX ($l) sheet names or survey note"
done
"$ANZEN" hub report -o r.html
if grep -q "docs/hub.md" r.html; then not_ok "the HTML report points at docs/hub.md"; else
    ok "the HTML report says its caution in plain words"; fi
grep -q "二次資料" r.html && ok "the HTML report keeps the survey caution" || not_ok "HTML caution"
run "$ANZEN" hub report --prefecture 13 --format json -o r.json
expect_rc 0 "JSON report"
python3 - r.json <<'PY' && ok "JSON report: Tokyo has demo1 and hq1, survey rates" || not_ok "JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d["sections"]}
assert set(s) == {"completion_by_item", "by_type_band", "overdue_institutions", "mfa_fy2027",
                  "kev_vpn", "trend", "indicators", "survey"}, set(s)
assert sum(r[2] for r in s["by_type_band"]["rows"]) == 2
assert [r[2] for r in s["survey"]["rows"]] == [57, 11, 61, 83, 51]
assert d["scope"]["prefecture"] == 13
PY
run "$ANZEN" hub report --group g2 --format json -o g2.json
python3 -c 'import json,sys; d=json.load(open("g2.json")); s={x["name"]:x for x in d["sections"]}; sys.exit(0 if sum(r[2] for r in s["by_type_band"]["rows"]) == 1 else 1)' &&
    ok "group report holds the group only" || not_ok "group report"
# a second fiscal year: its partitions are made on arrival, the trend has both
cd anzen-demo
run "$ANZEN" --as-of 2026-06-01 submit -o "$T/fy2026.json"
cd "$T"
run "$ANZEN" hub ingest fy2026.json
expect_rc 0 "a bundle of FY2026"
[ "$(sql "select count(*) from pg_class where relname = 'item_status_p13_y2026'")" = 1 ] &&
    ok "FY2026 partition made" || not_ok "FY2026 partition"
run "$ANZEN" hub query trend --prefecture 13
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if [r[0] for r in d["rows"]] == [2025, 2026] else 1)' out &&
    ok "trend across two fiscal years" || not_ok "trend rows"
[ "$(sql "select count(*) from inst_year where institution = 'demo1'")" = 2 ] &&
    ok "one row per fiscal year kept" || not_ok "rows per fiscal year"
run "$ANZEN" hub report --prefecture 13 --fiscal-year 2025 --format json -o r25.json
python3 -c 'import json,sys; d=json.load(open("r25.json")); s={x["name"]:x for x in d["sections"]}; sys.exit(0 if sum(r[2] for r in s["by_type_band"]["rows"]) == 2 else 1)' &&
    ok "--fiscal-year picks the year" || not_ok "--fiscal-year"
run "$ANZEN" hub query kev_vpn --prefecture 13
expect_rc 0 "query"
expect_out '"rows"' "query prints JSON"
run "$ANZEN" hub query nosuch
expect_rc 64 "unknown query (a usage error, the names listed)"
run "$ANZEN" hub report --format pdf -o x
expect_rc 64 "unknown report format"
run env -u ANZEN_HUB_DB "$ANZEN" hub init
expect_rc 64 "no database given"
run "$ANZEN" hub init --db "host=$T/nosocket dbname=x"
expect_rc 1 "unreachable database"
expect_err "データベース" "says database"
# English reports name items by their checklist labels, not internal ids,
# in the checklist's order with the display number (1-①)
"$ANZEN" hub report --format json -o ids.json
"$ANZEN" --lang en hub report -o en.html
"$ANZEN" --lang en hub report --format xlsx -o en.xlsx
"$ANZEN" hub report -o ja.html
python3 - ids.json en.html en.xlsx ja.html <<'PY' && ok "reports show item labels in checklist order" || not_ok "item labels in reports"
import json, re, sys, zipfile, xml.etree.ElementTree as ET
d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d["sections"]}["completion_by_item"]
topics = [r[0] for r in s["rows"]]
assert len(topics) >= 2, topics
assert topics != sorted(topics) or all(s["items"].get(t) for t in topics), topics
labels = [s["items"][t]["label"] for t in topics if t in s["items"]]
assert any(labels), labels
for f in (sys.argv[2], sys.argv[4]):
    cells = re.findall(r"<td>([^<]*)</td>", open(f).read())
    raw = [t for t in topics if t in cells]
    assert not raw, (f, raw)
z = zipfile.ZipFile(sys.argv[3])
strs = []
for n in z.namelist():
    if n.endswith(".xml"):
        root = ET.fromstring(z.read(n))
        if n.endswith("sharedStrings.xml"):
            strs = [e.text for e in root.iter() if e.tag.endswith("}t")]
raw = [t for t in topics if t in strs]
assert not raw, raw
en = s["items"][topics[0]]["title_en"]
assert en in open(sys.argv[2]).read() and any(en in x for x in strs if x), en
PY
# wording: the title names scope and year, the indicators' heading matches
# its rows (病院 / 病院以外), the survey is named once in its note
python3 - ids.json ja.html en.html <<'PY' && ok "report title, indicator heading and survey note agree" || not_ok "report wording"
import json, re, sys
d = json.load(open(sys.argv[1]))
fy = str(d["scope"]["fiscal_year"])
ja, en = open(sys.argv[2]).read(), open(sys.argv[3]).read()
tj = re.search(r"<title>(.*?)</title>", ja).group(1)
te = re.search(r"<title>(.*?)</title>", en).group(1)
assert fy in tj and "集計報告書" in tj and "ハブの報告書" not in tj, tj
assert fy in te and "report" in te, te
assert "(病院 / 病院以外)" in ja and "すべての機関)</h2>" not in ja, "indicators heading"
assert "other institutions)" in en
sv = {x["name"]: x for x in d["sections"]}["survey"]
assert ja.count(sv["source_ja"]) == 1, ja.count(sv["source_ja"])
assert en.count(sv["source_en"]) == 1, en.count(sv["source_en"])
PY
done_testing
