#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The vendor answers the 事業者確認用 that anzen vendor pack made, as in a
# spreadsheet: はい for every item, いいえ with a target date and a note for
# 2-⑥ (patches), dates typed as real date cells (serial numbers).
# Usage: fill-vendor-form.py PACK.xlsx ANSWERED.xlsx NOTE
import datetime, re, sys, zipfile
src, dst, note = sys.argv[1], sys.argv[2], sys.argv[3]
z = zipfile.ZipFile(src)
ss = re.findall(r"<si>(.*?)</si>", z.read("xl/sharedStrings.xml").decode("utf-8"), re.S)
ss = [re.sub(r"<[^>]+>", "", s) for s in ss]
sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
serial = (datetime.date(2025, 11, 28) - datetime.date(1899, 12, 30)).days
def fill(row):
    m = re.search(r'<c r="G\d+"[^>]*t="s"[^>]*><v>(\d+)</v></c>', row)
    if not m or not ss[int(m.group(1))].startswith("cl-r7.v."):
        return row
    iid = ss[int(m.group(1))]
    no = iid.endswith(".patches")
    def put(col, xml):
        return re.sub(r'<c r="(%s\d+)" s="(\d+)"/>' % col, lambda k: '<c r="%s" s="%s"%s</c>' % (k.group(1), k.group(2), xml), row, count=1)
    def text(t):
        return ' t="inlineStr"><is><t>%s</t></is>' % t
    row = put("C", text("いいえ" if no else "はい"))
    row = put("D", "><v>%d</v>" % serial)
    if no:
        row = put("E", "><v>%d</v>" % (serial + 120))
        row = put("F", text(note))
    return row
sheet = re.sub(r"<row [^>]*>.*?</row>", lambda m: fill(m.group(0)), sheet, flags=re.S)
out = zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED)
for i in z.infolist():
    out.writestr(i, sheet.encode("utf-8") if i.filename == "xl/worksheets/sheet1.xml" else z.read(i.filename))
out.close()
