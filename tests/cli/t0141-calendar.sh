#!/bin/sh
# anzen calendar: the .ics parses with python3-icalendar (Debian's, not
# pip's) and holds the expected events; anzen status lists what falls due
# within --days across reference dates.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
export ANZEN_TODAY=2026-12-07
"$ANZEN" --as-of 2025-11-24 demo -o d >/dev/null  # the demo of 令和7年度
cd d
"$ANZEN" record drill --date 2025-12-20 --by 山田 --result ok >/dev/null
"$ANZEN" record review --date 2026-01-15 >/dev/null
"$ANZEN" record training --date 2026-05-10 >/dev/null
"$ANZEN" plan set 2-⑩ --track both --due 2026-12-20 >/dev/null

run "$ANZEN" calendar -o anzen.ics
expect_rc 0 "calendar -o anzen.ics"
expect_err "件の予定を anzen.ics に書き出しました" "calendar says where it wrote"
[ -s anzen.ics ] && ok "anzen.ics written" || not_ok "no anzen.ics"
$PY - anzen.ics <<'PY' && ok "icalendar parses the file and finds the events" || not_ok "icalendar check"
import sys, datetime
import icalendar
raw = open(sys.argv[1], "rb").read()
# RFC 5545: CRLF only, lines at most 75 octets, folds never split UTF-8
assert b"\n" not in raw.replace(b"\r\n", b""), "bare LF"
for line in raw.split(b"\r\n"):
    assert len(line) <= 75, line
    line.decode("utf-8")
cal = icalendar.Calendar.from_ical(raw)
assert str(cal["VERSION"]) == "2.0"
ev = {}
uids = set()
for e in cal.walk("VEVENT"):
    uid = str(e["UID"])
    assert uid not in uids, uid
    uids.add(uid)
    assert e["DTSTAMP"].dt == datetime.datetime(2026, 12, 7, tzinfo=datetime.timezone.utc)
    d = e["DTSTART"].dt
    assert type(d) is datetime.date, (uid, d)     # VALUE=DATE: all-day
    assert e["DTEND"].dt == d + datetime.timedelta(days=1)
    ev.setdefault(str(e["CATEGORIES"].cats[0]), []).append((d, str(e["SUMMARY"]), str(e["DESCRIPTION"])))
def one(kind):
    assert kind in ev, (kind, sorted(ev))
    return ev[kind]
# the drill: 12 months after the last one
assert one("drill")[0][0] == datetime.date(2026, 12, 20), one("drill")
# BCP and contact chart: 12 months after the review
assert one("bcp")[0][0] == datetime.date(2027, 1, 15)
assert one("contacts")[0][0] == datetime.date(2027, 1, 15)
# training held this fiscal year: next by the end of FY2027
assert one("training")[0][0] == datetime.date(2028, 3, 31)
# FY2027 two-factor rule
assert one("mfa")[0][0] == datetime.date(2027, 4, 1)
assert "令和9年度" in one("mfa")[0][1]
# vendor forms each fiscal year, and the next checklist
# (the demo's forms and answers are of 令和7年度: this fiscal year's are
# still due, from 2026-04-01, until they are done in 令和8年度)
vf = sorted(d for d, s, _ in one("vendor-form"))
assert vf == [datetime.date(2026, 4, 1)] * 2 + [datetime.date(2027, 4, 1)] * 2, vf
cl = sorted(one("checklist"))
assert [d for d, s, _ in cl] == [datetime.date(2026, 4, 1), datetime.date(2027, 4, 1)], cl
assert "令和8年度のチェックリスト" in cl[0][1]
assert "令和9年度のチェックリスト" in cl[1][1]
# the plan's due dates, including the one set above
plan = one("plan")
assert (datetime.date(2026, 12, 20)) in [d for d, s, _ in plan]
assert any("2-⑩" in s for d, s, _ in plan)
PY

# English, to standard output, stable bytes
run "$ANZEN" --lang en calendar -o -
expect_rc 0 "calendar -o - (stdout)"
expect_out "SUMMARY:FY2027: systems introduced or renewed from now on need two-factor" "English summary"
cp "$T/out" a.ics
run "$ANZEN" --lang en calendar -o -
cmp -s "$T/out" a.ics && ok "same input, same bytes" || not_ok "calendar not reproducible"

# a name with , ; \ is escaped as TEXT and comes back whole
"$ANZEN" record bcp --date 2026-12-01 --by 'a,b;c\d' >/dev/null
run "$ANZEN" --lang en calendar -o -
expect_out 'SUMMARY:review of the cyber-attack BCP (last 2026-12-01\, by a\,b\;c\\d)' "TEXT escaping of , ; \\"
$PY - "$T/out" <<'PY' && ok "escaped text parses back, the review moved" || not_ok "escaped text"
import sys, datetime, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
e = [e for e in cal.walk("VEVENT") if str(e["CATEGORIES"].cats[0]) == "bcp"][0]
assert str(e["SUMMARY"]) == "review of the cyber-attack BCP (last 2026-12-01, by a,b;c\\d)", str(e["SUMMARY"])
assert e["DTSTART"].dt == datetime.date(2027, 12, 1)
assert str(e["DESCRIPTION"]).endswith("\nkind: bcp")
PY

# bad input
run "$ANZEN" calendar --bogus
expect_rc 64 "calendar: unknown option"
expect_err "使えるもの: -o -p -a" "calendar: accepted options listed"
run "$ANZEN" calendar -o no-such-dir/x.ics
expect_rc 1 "calendar: unwritable output"
[ ! -e no-such-dir ] && ok "nothing written" || not_ok "no-such-dir created"
run "$ANZEN" calendar -p missing.yaml -o x.ics
expect_rc 1 "calendar: missing profile"
[ ! -e x.ics ] && ok "no partial calendar" || not_ok "x.ics written"

# ---- status: the next 30 days, across reference dates
run "$ANZEN" status
expect_out "これからの予定" "status has the next-30-days section"
expect_out "2026-12-20 バックアップからの復元訓練 (前回 2025-12-20、実施: 山田)" "the drill due within 30 days"
expect_out "2026-12-20 対応計画 2-⑩" "the plan date within 30 days"
expect_no_out "2027-01-15" "the review 39 days away is not listed"
run "$ANZEN" --as-of 2026-12-21 status
expect_out "2026-12-20 [期限切れ] バックアップからの復元訓練" "a day later the drill is overdue"
expect_out "2027-01-15 インシデント時の連絡体制図の見直し" "the review comes within 30 days"
run "$ANZEN" --as-of 2027-03-10 status --format json
$PY - "$T/out" <<'PY' && ok "status json: due within 30 days" || not_ok "status json due"
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
d = s["due"]
assert d["days"] == 30
kinds = {x["kind"] for x in d["items"]}
assert {"mfa", "checklist", "vendor-form"} <= kinds, kinds
assert "training" not in kinds  # held this fiscal year: next due 2028-03-31
assert all(x["date"] <= "2027-04-09" for x in d["items"])
od = [x for x in d["items"] if x["overdue"]]
assert all(x["date"] < "2027-03-10" for x in od)
PY
run "$ANZEN" status --days 0
expect_no_out "これからの予定" "--days 0 leaves it out"
run "$ANZEN" status --days x
expect_rc 64 "--days x refused"
expect_err "--days は 0 から 3660 の整数です" "--days explained"
run "$ANZEN" --lang en status --format md
expect_out "## Due in the next days" "Markdown section in English"

done_testing
