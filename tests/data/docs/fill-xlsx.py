#!/usr/bin/env python3
# Fill cells of an XLSX written by anzen the way a person would in Excel:
# fill-xlsx.py IN OUT SHEET KEY=VALUE... where KEY is the hidden key in
# column A of a row (date, participants, step.2) and VALUE goes to column C
# (KEY=VALUE) or to a given column (KEY@D=VALUE). Values are inline strings.
import re, sys, zipfile
from xml.sax.saxutils import escape

src, dst, sheet = sys.argv[1:4]
fills = sys.argv[4:]
z = zipfile.ZipFile(src)
parts = {n: z.read(n) for n in z.namelist()}
wb = parts["xl/workbook.xml"].decode()
rels = parts["xl/_rels/workbook.xml.rels"].decode()
rid = re.search(r'<sheet [^>]*name="%s"[^>]*r:id="([^"]+)"' % re.escape(sheet), wb).group(1)
target = re.search(r'<Relationship [^>]*Id="%s"[^>]*Target="([^"]+)"' % rid, rels)
if not target:
    target = re.search(r'<Relationship [^>]*Target="([^"]+)"[^>]*Id="%s"' % rid, rels)
path = "xl/" + target.group(1).lstrip("/").replace("xl/", "")
ss = re.findall(r"<si>(.*?)</si>", parts.get("xl/sharedStrings.xml", b"").decode(), re.S)
ss = ["".join(re.findall(r"<t[^>]*>(.*?)</t>", s, re.S)) for s in ss]
xml = parts[path].decode()
keys = {}
for m in re.finditer(r'<c r="A(\d+)"([^>]*)>(.*?)</c>', xml, re.S):
    v = re.search(r"<v>(.*?)</v>", m.group(3))
    if v and 't="s"' in m.group(2):
        keys[ss[int(v.group(1))]] = m.group(1)
for f in fills:
    k, v = f.split("=", 1)
    col = "C"
    if "@" in k:
        k, col = k.split("@")
    row = keys[k]
    ref = col + row
    cell = '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, escape(v))
    new, n = re.subn(r'<c r="%s"(?: [^>/]*)?(?:/>|>.*?</c>)' % ref, cell, xml, count=1, flags=re.S)
    if n == 0:
        raise SystemExit("no cell " + ref)
    xml = new
parts[path] = xml.encode()
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
    for n in z.namelist():
        out.writestr(n, parts[n])
