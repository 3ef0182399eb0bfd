#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build the checklist workbooks the catalog-import tests read.

Layouts follow the forms as tests/../docs describe them (not copies): the
令和5/6 form (番号 | チェック項目 | one column per device class | answers),
the 令和7 form (番号 | 確認項目 | 確認結果 | 確認日 | 目標日 | 備考), a 令和8-like
combined 医療機関・薬局確認用, and a layout anzen never saw (text left of the
number, extra title rows, bare ① numbers under full-width category rows).
Item texts are anzen's own catalog wording, lightly reworded, standing in
for the printed text. Run from the repository root:

    python3 tests/data/catimport/make.py tests/data/catimport

The LibreOffice-saved variant is made with soffice when it is installed
(r7-libreoffice.xlsx is committed, so tests never need soffice).
"""
import os, subprocess, sys, tempfile, zipfile, shutil
from xml.sax.saxutils import escape

import yaml

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def cat(ed):
    return yaml.safe_load(open(os.path.join(ROOT, "data", "catalogs", ed + ".yaml"), encoding="utf-8"))


def col(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet_xml(rows, merges=()):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for r, row in enumerate(rows):
        cells = []
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            ref = f"{col(c)}{r + 1}"
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v))}</t></is></c>')
        out.append(f'<row r="{r + 1}">' + "".join(cells) + "</row>")
    out.append("</sheetData>")
    if merges:
        out.append(f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>")
    out.append("</worksheet>")
    return "".join(out)


class _Zip(zipfile.ZipFile):
    """Fixed timestamps, so the same rows give the same bytes."""

    def writestr(self, name, data, *a, **k):
        zi = zipfile.ZipInfo(name, date_time=(2026, 6, 1, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(zi, data)


def write_xlsx(path, sheets):
    """sheets: list of (name, rows, merges, hidden)"""
    with _Zip(path, "w", zipfile.ZIP_DEFLATED) as z:
        ct = ['<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
              '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
              '<Default Extension="xml" ContentType="application/xml"/>',
              '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
        for i in range(len(sheets)):
            ct.append(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        ct.append("</Types>")
        z.writestr("[Content_Types].xml", "".join(ct))
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        wb = ['<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>']
        rels = ['<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
        for i, (name, rows, merges, hidden) in enumerate(sheets):
            st = ' state="hidden"' if hidden else ""
            wb.append(f'<sheet name="{escape(name)}" sheetId="{i + 1}"{st} r:id="rId{i + 1}"/>')
            rels.append(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>')
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", sheet_xml(rows, merges))
        wb.append("</sheets></workbook>")
        rels.append("</Relationships>")
        z.writestr("xl/workbook.xml", "".join(wb))
        z.writestr("xl/_rels/workbook.xml.rels", "".join(rels))


def reword(t):
    # a printed text is not anzen's paraphrase: vary the endings
    return t.replace("している。", "しているか。").replace("いる。", "いるか。")


GROUPS = {"0": "医療情報システムの有無", "1": "体制構築", "2": "医療情報システムの管理・運用",
          "3": "インシデント対応"}


def items(ed, form):
    return [it for it in cat(ed)["items"] if it.get("form") == form]


def r7_rows(title, its, extra=None):
    rows = [[title], ["医療機関名：", "", "記入者：", ""], [],
            ["番号", "確認項目", "確認結果", "確認日", "目標日（いいえの場合）", "備考"]]
    merges = []
    g = None
    for it in its:
        if it["group"] != g:
            g = it["group"]
            rows.append([f"{g} {GROUPS[g]}"])
            merges.append(f"A{len(rows)}:F{len(rows)}")
        rows.append([it["label"], reword(it["text"]["ja"]), "はい・いいえ", "", "", ""])
    return rows, merges


def r56_rows(title, its):
    """令和5/6: per-device rows of one item share the number; one column per
    device class is marked ○ where the item applies."""
    rows = [[title], [],
            ["番号", "チェック項目", "サーバ", "端末PC", "ネットワーク機器", "確認結果（1回目）", "確認日"]]
    merges = []
    g = None
    seen = {}
    for it in its:
        base, _, dev = it["label"].partition(" ")
        if base in seen:
            r = seen[base]
        else:
            if it["group"] != g:
                g = it["group"]
                rows.append([f"{g} {GROUPS[g]}"])
            text = reword(it["text"]["ja"])
            for d in ("（サーバ）", "（端末 PC）", "（端末PC）", "（ネットワーク機器）", " (サーバ)", " (端末 PC)", " (ネットワーク機器)"):
                text = text.replace(d, "")
            r = [base, text, "-", "-", "-", "はい・いいえ", ""]
            rows.append(r)
            seen[base] = r
        if dev:
            idx = {"サーバ": 2, "端末PC": 3, "クライアント": 3, "ネットワーク機器": 4}[dev]
            r[idx] = "○"
    return rows, merges


def main():
    os.makedirs(OUT, exist_ok=True)
    # 令和7 医療機関確認用, plus a sheet of notes and a hidden one
    rows, merges = r7_rows("令和7年度版 医療機関におけるサイバーセキュリティ対策チェックリスト 医療機関確認用", items("cl-r7", "h"))
    write_xlsx(os.path.join(OUT, "r7-h.xlsx"), [
        ("記入上の注意", [["この様式の使い方"], ["1. はい・いいえのどちらかに○をつける"], ["2. 確認日を記入する"]], (), False),
        ("医療機関確認用", rows, merges, False),
        ("anzen-hidden", [["2-①", "x"], ["2-②", "y"], ["2-③", "z"]], (), True)])
    # 令和6 薬局確認用 with per-device columns
    rows, merges = r56_rows("令和6年度版 薬局におけるサイバーセキュリティ対策チェックリスト 薬局確認用", items("cl-r6", "p"))
    write_xlsx(os.path.join(OUT, "r6-p.xlsx"), [("薬局確認用", rows, merges, False)])
    # 令和5 医療機関確認用 with per-device columns
    rows, merges = r56_rows("令和5年度 医療機関におけるサイバーセキュリティ対策チェックリスト", items("cl-r5", "h"))
    write_xlsx(os.path.join(OUT, "r5-h.xlsx"), [("Sheet1", rows, merges, False)])
    # 令和8-like combined form: the 令和7 items, two renumbered, one new
    its = [dict(it) for it in items("cl-r7", "h")]
    byid = {it["id"]: it for it in its}
    byid["cl-r7.h.mfa"]["label"], byid["cl-r7.h.access-log"]["label"] = "2-⑪", "2-⑩"
    its.sort(key=lambda it: (it["group"], it["label"]))
    rows, merges = r7_rows("令和8年度版 医療機関・薬局におけるサイバーセキュリティ対策チェックリスト 医療機関・薬局確認用", its)
    at = max(i for i, r in enumerate(rows) if r and str(r[0]).startswith("2-")) + 1
    rows.insert(at, ["2-⑮", "保守を委託する事業者との契約で、すべてのサーバのセキュリティ更新を事業者が行うことを書面で定めているか。", "はい・いいえ", "", "", ""])
    write_xlsx(os.path.join(OUT, "r8-hp.xlsx"), [("医療機関・薬局確認用", rows, merges, False)])
    # 令和8-like form as a tester saw it: the new 2-⑫ (rules for generative
    # AI) printed between 2-⑧ and 2-⑨, two-factor authentication moved to
    # 2-⑧, access logs at 2-⑩ and a new offline-backup item at 2-⑪; the
    # number of an old item lands on new texts. Wording is ours, modelled
    # on how the printed forms phrase items (short "...している。").
    r8 = [("1", "1-①", "医療情報システムの安全管理を担う責任者を置いている。"),
          ("2", "2-①", "サーバ、端末PC、ネットワーク機器を台帳で管理している。"),
          ("2", "2-②", "リモートメンテナンス（保守）で使う機器があるかを事業者に確かめた。"),
          ("2", "2-③", "製造業者やサービス事業者の医療情報セキュリティ開示書（MDS/SDS）を事業者から受け取っている。"),
          ("2", "2-④", "職種や担当業務ごとに、情報の区分に応じたアクセス権限を設定している。"),
          ("2", "2-⑤", "退職者のアカウントや使っていないアカウントなど、不要なアカウントを削除している。"),
          ("2", "2-⑥", "セキュリティパッチ（最新のファームウェアや更新プログラム）を適用している。"),
          ("2", "2-⑦", "パスワードは英字・数字・記号を混ぜた8文字以上にし、定期的に変更している。同じパスワードを使い回していない。"),
          ("2", "2-⑧", "二要素認証を導入している（令和9年度までに導入する予定を含む）。"),
          ("2", "2-⑫", "生成AIサービスを使うときのルールを決めている。"),
          ("2", "2-⑨", "USBストレージなどの外部記録媒体や情報機器の接続を制限している。"),
          ("2", "2-⑩", "サーバ、端末PC、ネットワーク機器のアクセスログを管理している。"),
          ("2", "2-⑪", "バックアップデータを取り、ネットワークから切り離して保管している。"),
          ("3", "3-①", "インシデントが起きたときの組織内と外部の関係機関（事業者、厚生労働省、警察など）への連絡体制図がある。"),
          ("3", "3-②", "インシデントが起きても診療を続けるために必要な情報を検討し、データやシステムのバックアップと復旧の手順を確かめている。"),
          ("3", "3-③", "サイバー攻撃を想定した事業継続計画（BCP）を作っている。")]
    rows = [["令和8年度 医療機関におけるサイバーセキュリティ対策チェックリスト"], ["医療機関確認用"], ["医療機関名：", ""], [],
            ["番号", "チェック項目", "確認結果（はい／いいえ）", "", "確認日", "備考"], ["", "", "はい", "いいえ", "", ""]]
    g = None
    for grp, lab, text in r8:
        if grp != g:
            g = grp
            rows.append([f"{g} {GROUPS[g]}"])
        rows.append([lab, text, "□", "□", "", ""])
    write_xlsx(os.path.join(OUT, "r8-renumbered.xlsx"), [("医療機関確認用", rows, (), False)])
    # a layout anzen never saw: text first, number third, three title rows,
    # bare ① numbers under full-width category rows, no header keywords it knows
    rows = [["サイバーセキュリティ対策 自己点検表"], ["令和７年度"], ["医療機関確認用（院内配布版）"], [],
            ["点検する事項", "", "No.", "回答", "点検日"]]
    g = None
    for it in items("cl-r7", "h"):
        if it["group"] != g:
            g = it["group"]
            rows.append([f"{chr(0xFF10 + int(g))}．{GROUPS[g]}"])
        lab = it["label"]
        bare = lab.split("-", 1)[1] if "-" in lab else lab
        rows.append([reword(it["text"]["ja"]), "", bare, "", ""])
    write_xlsx(os.path.join(OUT, "unseen-swapped.xlsx"), [("点検表", rows, (), False)])
    # number and text in one cell, "1." numbering, categories "1. 体制構築"
    rows = [["令和７年度　医療機関におけるサイバーセキュリティ対策チェックリスト"], [],
            ["確認項目", "はい", "いいえ", "確認日"]]
    g = None
    n = 0
    for it in items("cl-r7", "h"):
        if it.get("gate"):
            continue
        if it["group"] != g:
            g = it["group"]
            rows.append([f"{g}. {GROUPS[g]}"])
        n += 1
        rows.append([f"{n}.　{reword(it['text']['ja'])}", "□", "□", ""])
    write_xlsx(os.path.join(OUT, "combined-cells.xlsx"), [("チェックリスト", rows, (), False)])
    # broken on purpose: a number printed twice, and an item without text
    write_xlsx(os.path.join(OUT, "dup-label.xlsx"), [("Sheet1", [
        ["令和7年度版 医療機関におけるサイバーセキュリティ対策チェックリスト"], [],
        ["番号", "確認項目", "確認結果"], ["1 体制構築"], ["1-①", "責任者を決めているか。", ""],
        ["2 医療情報システムの管理・運用"], ["2-①", "台帳を作っているか。", ""],
        ["2-①", "事業者に確認しているか。", ""]], (), False)])
    write_xlsx(os.path.join(OUT, "no-text.xlsx"), [("Sheet1", [
        ["令和7年度版 医療機関におけるサイバーセキュリティ対策チェックリスト"], [],
        ["番号", "確認項目", "確認結果"], ["1-①", "責任者を決めているか。", ""],
        ["2-①", "", ""], ["2-②", "事業者に確認しているか。", ""]], (), False)])
    # the 令和7 form saved by LibreOffice (shared strings, styles, its own zip)
    lo = shutil.which("soffice") or shutil.which("libreoffice")
    if lo:
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "r7-libreoffice.xlsx")
            shutil.copy(os.path.join(OUT, "r7-h.xlsx"), src)
            odir = os.path.join(d, "out")
            subprocess.run([lo, "--headless", f"-env:UserInstallation=file://{d}/profile",
                            "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", odir, src],
                           check=True, capture_output=True, timeout=180)
            shutil.copy(os.path.join(odir, "r7-libreoffice.xlsx"), os.path.join(OUT, "r7-libreoffice.xlsx"))


main()
