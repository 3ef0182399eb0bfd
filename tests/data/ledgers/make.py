#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the ledger corpus: ledgers as clinics keep them (tests/cli/t0091).

The files are committed; run this again only to change the corpus
(python3 make.py; LibreOffice for the lo-*.xlsx files). Every institution,
vendor and address here is made up (192.0.2.0/24, 198.51.100.0/24).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))


def csv_text(rows, nl="\r\n"):
    out = []
    for r in rows:
        cells = []
        for c in r:
            c = str(c)
            if any(x in c for x in ',"\r\n') or c != c.strip():
                c = '"' + c.replace('"', '""') + '"'
            cells.append(c)
        out.append(",".join(cells))
    return nl.join(out) + nl


def write_csv(name, rows, enc="utf-8", bom=False, nl="\r\n"):
    data = csv_text(rows, nl).encode(enc)
    if bom:
        data = b"\xef\xbb\xbf" + data
    open(os.path.join(HERE, name), "wb").write(data)


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(name, sheets):
    """sheets: list of dicts {name, rows, merges=[], hidden_cols=[], hidden=False,
    numbers=set of (r,c) written as numbers}. Strings go to sharedStrings."""
    sst, index = [], {}

    def si(s):
        if s not in index:
            index[s] = len(sst)
            sst.append(s)
        return index[s]

    parts = {}
    for n, sh in enumerate(sheets, 1):
        xml = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
        if sh.get("hidden_cols"):
            xml.append("<cols>")
            for c in sh["hidden_cols"]:
                xml.append('<col min="%d" max="%d" width="0" hidden="1" customWidth="1"/>' % (c + 1, c + 1))
            xml.append("</cols>")
        xml.append("<sheetData>")
        for r, row in enumerate(sh["rows"]):
            if not any(str(x) for x in row):
                continue
            xml.append('<row r="%d">' % (r + 1))
            for c, v in enumerate(row):
                if v == "" or v is None:
                    continue
                ref = "%s%d" % (col_name(c), r + 1)
                if (r, c) in sh.get("numbers", set()):
                    xml.append('<c r="%s" s="1"><v>%s</v></c>' % (ref, v))
                else:
                    xml.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, si(str(v))))
            xml.append("</row>")
        xml.append("</sheetData>")
        if sh.get("merges"):
            xml.append('<mergeCells count="%d">' % len(sh["merges"]))
            for m in sh["merges"]:
                xml.append('<mergeCell ref="%s"/>' % m)
            xml.append("</mergeCells>")
        xml.append("</worksheet>")
        parts["xl/worksheets/sheet%d.xml" % n] = "".join(xml)
    sst_xml = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (len(sst), len(sst))]
    for s in sst:
        sst_xml.append('<si><t xml:space="preserve">%s</t></si>' % escape(s))
    sst_xml.append("</sst>")
    ct = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
          '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>']
    for n in range(1, len(sheets) + 1):
        ct.append('<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' % n)
    ct.append("</Types>")
    wb = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>']
    rels = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    for n, sh in enumerate(sheets, 1):
        wb.append('<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>' % (
            escape(sh["name"]), n, ' state="hidden"' if sh.get("hidden") else "", n))
        rels.append('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>' % (n, n))
    wb.append("</sheets></workbook>")
    n = len(sheets)
    rels.append('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' % (n + 1))
    rels.append('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' % (n + 2))
    rels.append("</Relationships>")
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<fonts count="1"><font><sz val="11"/><name val="Yu Gothic"/></font></fonts>'
              '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
              '<borders count="1"><border/></borders>'
              '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
              '<cellXfs count="2"><xf/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'
              '</styleSheet>')
    z = zipfile.ZipFile(os.path.join(HERE, name), "w", zipfile.ZIP_DEFLATED)
    real = z.writestr

    def fixed(arc, data):  # a fixed date: the same corpus on every run
        real(zipfile.ZipInfo(arc, date_time=(2024, 4, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    z.writestr = fixed
    z.writestr("[Content_Types].xml", "".join(ct))
    z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", "".join(wb))
    z.writestr("xl/_rels/workbook.xml.rels", "".join(rels))
    z.writestr("xl/styles.xml", styles)
    z.writestr("xl/sharedStrings.xml", "".join(sst_xml))
    for k, v in parts.items():
        z.writestr(k, v)
    z.close()


def libreoffice(src_name, content, out_name, filt="xlsx:Calc MS Excel 2007 XML", infilter=None):
    """Convert content (bytes, written as src_name) with LibreOffice."""
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice not found: %s not made" % out_name, file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, src_name)
        open(src, "wb").write(content)
        cmd = [soffice, "--headless", "-env:UserInstallation=file://%s/lo" % d]
        if infilter:
            cmd.append("--infilter=" + infilter)
        cmd += ["--convert-to", filt, "--outdir", d, src]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = os.path.splitext(src_name)[0] + ".xlsx"
        shutil.copy(os.path.join(d, base), os.path.join(HERE, out_name))


# The usual columns of a clinic's ledger, the way the issue met them
J = ["No.", "種類", "機器名", "メーカー", "型番", "設置場所", "IPアドレス", "OS", "管理者", "持込業者", "最終更新日", "備考"]

write_csv("01-utf8-bom.csv", [
    J,
    [1, "パソコン", "受付PC", "NEC", "Mate MKL", "受付", "192.0.2.21", "Windows 11", "事務長", "", "2025/10/1", ""],
    [2, "サーバー", "電子カルテサーバ", "富士通", "PRIMERGY", "サーバ室", "192.0.2.10", "Windows Server 2019", "院内（情報システム係）", "", "2025/9/1", "バックアップは毎晩"],
    [3, "VPN・リモート保守機器", "保守用VPN", "Fortinet", "FortiGate 60E", "サーバ室", "192.0.2.1", "FortiOS 6.4.6", "", "あおばメディカル株式会社", "2021/3/10", "電子カルテの保守用"],
    [4, "複合機", "複合機1F", "リコー", "IM C3000", "事務室", "192.0.2.30", "", "院内", "", "", ""],
    [5, "プリンタ", "処方箋プリンタ", "エプソン", "LP-S180", "受付", "DHCP", "", "院内", "", "", ""],
], bom=True)

write_csv("02-cp932-title.csv", [
    ["機器台帳　令和6年4月1日現在", "", "", "", "", ""],
    ["", "", "", "", "", ""],
    ["番号", "機器種別", "機器名称", "設置場所", "ＯＳ・ファームウェア", "管理者", "持ち込み業者", "備考"],
    ["1", "端末", "診察室PC", "診察室1", "Windows 10", "院長", "", ""],
    ["2", "UTM", "UTM", "サーバ室", "FortiOS v6.0.4,build0231", "", "みなとシステム", "リース"],
    ["3", "ルータ", "光ルータ", "サーバ室", "", "院内", "", "回線業者の機器"],
    ["4", "医療機器", "超音波診断装置", "検査室", "Windows 7 Embedded", "キヤノンメディカル", "", ""],
], enc="cp932")

write_csv("03-english-nobom.csv", [
    ["Hostname", "Type", "IP Address", "MAC", "Operating System", "Firmware Version", "Owner", "Location", "Notes"],
    ["reception-pc", "Desktop", "198.51.100.21", "00:11:22:33:44:55", "Windows 11", "23H2", "Office manager", "Reception", ""],
    ["vpn-gw", "Firewall", "198.51.100.1", "00-11-22-33-44-66", "Palo Alto PAN-OS", "10.2.3", "", "Server room", "vendor VPN"],
    ["nas01", "NAS", "198.51.100.5", "", "DSM", "7.2", "in-house", "Server room", ""],
])

write_csv("04-fullwidth.csv", [
    ["Ｎｏ．", "種別", "名称", "ＩＰ　アドレス", "ＭＡＣアドレス", "ﾒｰｶｰ", "ﾌｧｰﾑｳｪｱ", "ﾊﾞｰｼﾞｮﾝ", "管理者", "最終パッチ適用日", "サポート終了日"],
    ["１", "ＰＣ", "事務ＰＣ", "１９２．０．２．５１", "００：１１：２２：３３：４４：７７", "ＮＥＣ", "Ｗｉｎｄｏｗｓ １１", "２３Ｈ２", "事務長", "２０２５年１０月１日", "２０２８年３月３１日"],
    ["２", "ＶＰＮ", "リモート保守ルータ", "１９２．０．２．１", "", "Ｆｏｒｔｉｎｅｔ", "ＦｏｒｔｉＯＳ", "６．４．６", "", "２０２１年３月１０日", ""],
], bom=True)

write_csv("05-quoted-newlines.csv", [
    ["機器名", "種別", "IPアドレス", "OS", "管理者", "備考"],
    ["受付PC", "端末", "192.0.2.21", "Windows 11", "院内", "1行目\n2行目\n3行目"],
    ["電子カルテサーバ", "サーバ", "192.0.2.10", "Windows Server 2022", "院内", "夜間は\r\n停止しない"],
    ["保守VPN", "VPN", "192.0.2.1", "SonicOS 6.5.4.4", "", "\"引用\"を含む,カンマも"],
])

write_csv("06-mixed-dates.csv", [
    ["名称", "種別", "OS", "バージョン", "管理者", "購入日", "最終パッチ適用日", "サポート終了日"],
    ["PC-A", "PC", "Windows 11", "23H2", "院内", "2022/4/1", "2025/10/01", "R13.10.14"],
    ["PC-B", "PC", "Windows 10", "22H2", "院内", "H31.4.30", "令和7年10月1日", "2025年10月14日"],
    ["PC-C", "PC", "Windows 11", "23H2", "院内", "平成30年5月1日", "45931", "2031-10-14"],
    ["FW", "ファイアウォール", "FortiOS", "7.2.8", "ほしぞらネット株式会社", "2024-04-01", "R7.6.1", ""],
])

write_csv("07-version-in-os.csv", [
    ["種別", "名称", "設置場所", "OS・ファームウェア", "管理者", "持ち込み"],
    ["ネットワーク機器", "保守用ルータ", "サーバ室", "FortiOS 6.4.6", "", "あおばメディカル"],
    ["サーバ", "PACS", "サーバ室", "Windows Server 2016", "あおばメディカル", "あおばメディカル"],
], bom=True)

write_csv("08-model-cell.csv", [
    ["No", "区分", "機器名", "型番", "IP", "管理者", "保守業者", "保守契約"],
    ["1", "ネットワーク", "FW-1", "FortiGate 60E v6.0.4 build0231", "192.0.2.1", "", "みなとシステム", "なし"],
    ["2", "スイッチ", "L2SW", "Catalyst 2960", "192.0.2.2", "院内", "", ""],
])

write_csv("09-yamaha-rtx.csv", [
    ["種類", "名前", "型番", "ファームウェア", "管理", "持込業者"],
    ["ルータ", "リモート保守ルータ", "RTX830", "Rev.15.02.30", "", "ひかり医療システム株式会社"],
    ["無線LAN", "院内Wi-Fi", "WLX212", "Rev.21.00.10", "院内", ""],
], enc="cp932")

write_csv("10-pulse-ivanti.csv", [
    ["機器種別", "ホスト名", "IPアドレス", "OS", "バージョン", "管理者", "外部接続"],
    ["リモート保守装置", "sslvpn", "192.0.2.3", "Pulse Connect Secure", "9.1R8", "", "あり"],
    ["サーバ", "web", "192.0.2.80", "Ubuntu", "22.04", "院内", "なし"],
])

write_csv("11-two-row-header.csv", [
    ["機器", "", "ネットワーク", "", "ソフトウェア", "", "管理", ""],
    ["種別", "名称", "IPアドレス", "MACアドレス", "OS", "バージョン", "管理者", "持ち込み"],
    ["サーバ", "ファイルサーバ", "192.0.2.11", "", "Windows Server 2019", "1809", "院内", ""],
    ["VPN装置", "保守VPN", "192.0.2.1", "", "NetScaler ADC", "", "", "さくら医療情報"],
], enc="cp932")

write_csv("12-admins.csv", [
    ["種別", "名称", "OS", "管理者", "最終パッチ適用日"],
    ["PC", "医事PC", "Windows 11", "医事課", "2025-10-01"],
    ["PC", "院長PC", "Windows 11", "山田 太郎", "2025-10-01"],
    ["PC", "看護PC", "Windows 11", "看護部", "2025-10-01"],
    ["サーバ", "電子カルテ", "Windows Server 2022", "あおばメディカル株式会社", "2025-10-01"],
    ["サーバ", "検査システム", "Linux", "(株)みどり検査", "2025-10-01"],
    ["PC", "事務PC", "Windows 11", "当院事務", "2025-10-01"],
])

# workbooks
write_xlsx("13-title-rows.xlsx", [{
    "name": "台帳",
    "rows": [
        ["機器台帳", "", "", "", "", ""],
        ["令和6年4月1日現在　○○クリニック", "", "", "", "", ""],
        ["", "", "", "", "", ""],
        ["No.", "種類", "機器名", "OS", "管理者", "持込業者"],
        ["1", "パソコン", "受付PC", "Windows 11", "事務長", ""],
        ["2", "VPN", "保守用VPNルータ", "FortiOS 6.4.6", "", "あおばメディカル"],
    ],
    "merges": ["A1:F1", "A2:F2"],
}])

write_xlsx("14-merged-header.xlsx", [{
    "name": "機器一覧",
    "rows": [
        ["機器台帳（令和6年度）", "", "", "", "", "", ""],
        ["機器", "", "ネットワーク", "", "OS等", "管理者", "備考"],
        ["種別", "名称", "IPアドレス", "MACアドレス", "", "", ""],
        ["サーバ", "電子カルテサーバ", "192.0.2.10", "", "Windows Server 2019", "院内", ""],
        ["VPN装置", "保守VPN", "192.0.2.1", "", "FortiGate 60E v6.0.4 build0231", "", "保守業者の持ち込み"],
    ],
    "merges": ["A1:G1", "A2:B2", "C2:D2", "E2:E3", "F2:F3", "G2:G3"],
}])

write_xlsx("15-extra-sheets.xlsx", [
    {"name": "表紙", "rows": [["○○クリニック"], ["機器台帳"], ["作成日", "令和6年4月1日"]]},
    {"name": "更新履歴", "rows": [["日付", "内容", "担当"], ["2024-04-01", "作成", "事務長"]]},
    {"name": "機器台帳", "rows": [
        ["種別", "名称", "設置場所", "OS・ファームウェア", "バージョン", "管理者"],
        ["端末", "受付PC", "受付", "Windows 11", "23H2", "院内"],
        ["VPN装置", "VPN", "サーバ室", "Ivanti Connect Secure", "22.7R2.3", ""],
    ]},
    {"name": "選択肢", "hidden": True, "rows": [["サーバ"], ["端末"], ["VPN装置"]]},
])

write_xlsx("16-hidden-columns.xlsx", [{
    "name": "Sheet1",
    "rows": [
        ["機器名", "種類", "資産番号", "IPアドレス", "OS", "管理者", "作業用"],
        ["受付PC", "PC", "A-001", "192.0.2.21", "Windows 11", "院内", "x"],
        ["保守VPN", "VPN", "A-002", "192.0.2.1", "SonicOS 6.5.4.4", "", "y"],
    ],
    "hidden_cols": [2, 6],
}])

write_xlsx("17-notes-newlines.xlsx", [{
    "name": "台帳",
    "rows": [
        ["名称", "種別", "OS", "管理者", "備考"],
        ["受付PC", "端末", "Windows 11", "院内", "1行目\n2行目"],
        ["検査装置", "医療機器", "Windows 10", "しらかば医療機器株式会社", "メーカー保守\n年1回点検"],
        ["保守VPN", "VPN", "FortiOS 6.4.6", "", "=HYPERLINK(\"http://example.invalid\")"],
    ],
}])

write_xlsx("18-serial-dates.xlsx", [{
    "name": "台帳",
    "rows": [
        ["番号", "種別", "名称", "OS", "バージョン", "管理者", "最終パッチ適用日", "サポート終了日"],
        [1, "サーバ", "ファイルサーバ", "Windows Server 2019", "1809", "院内", 45931, 47127],
        [2, "VPN", "保守VPN", "FortiOS", "6.4.6", "", 44265, 45930],
    ],
    "numbers": {(1, 0), (2, 0), (1, 6), (1, 7), (2, 6), (2, 7)},
}])

# English ledger with the usual extras
write_csv("19-english-extras.csv", [
    ["Asset tag", "Device name", "Category", "Vendor", "Model", "Serial number", "Department", "IP address", "OS", "Version", "Managed by", "Purchase date", "Notes"],
    ["T-01", "front-desk", "PC", "Dell", "OptiPlex", "SN1", "Reception", "198.51.100.21", "Windows 11", "23H2", "in-house", "2023-04-01", ""],
    ["T-02", "remote-gw", "VPN", "Fortinet", "FortiGate 40F", "SN2", "IT", "198.51.100.1", "FortiOS", "6.4.6", "", "2019-04-01", "vendor access"],
], bom=True)

# a header anzen cannot guess: documented with one --map
write_csv("20-needs-map.csv", [
    ["機器ID", "種別", "IPアドレス", "OS", "管理者"],
    ["RECEPTION-01", "PC", "192.0.2.21", "Windows 11", "院内"],
    ["VPN-01", "VPN", "192.0.2.1", "FortiOS 6.4.6", ""],
])

# headers with notes in brackets and marks, as forms handed down have them
write_csv("23-bracket-notes.csv", [
    ["No.", "名称（必須）", "種別※", "IPアドレス(固定)", "設置場所【部屋】", "OS・ファームウェア(版まで)", "管理者(担当者名)", "持ち込み業者（あれば）"],
    ["1", "受付PC", "PC", "192.0.2.21", "受付", "Windows 11", "田中 花子", ""],
    ["2", "保守用FW", "UTM", "192.0.2.1", "サーバ室", "FortiOS 6.4.6", "", "あおばメディカル株式会社"],
], enc="cp932")

# PCs and network devices on separate sheets, with a cover sheet
write_xlsx("24-two-sheets.xlsx", [
    {"name": "表紙", "rows": [["機器台帳"], ["○○診療所"]]},
    {"name": "PC", "rows": [
        ["No.", "機器名", "種類", "OS", "管理者", "部署"],
        ["1", "受付PC", "パソコン", "Windows 11", "院内", "受付"],
        ["2", "診察PC", "パソコン", "Windows 11", "院内", "診察室"],
    ]},
    {"name": "ネットワーク機器", "rows": [
        ["No.", "機器名", "種類", "型番", "OS", "管理者", "持込業者"],
        ["1", "保守ルータ", "ルータ", "FortiGate 40F", "FortiOS 6.4.6", "", "あおばメディカル"],
        ["2", "HUB", "スイッチ", "", "", "院内", ""],
    ]},
])

# A totals row under the table: 合計 in the No. column with the count in
# the name column, and (XLSX) 合計 in column A with the name empty; the
# XLSX also has a purchase date in a date format in a column anzen does
# not check (45026 = 2023-04-10)
write_csv("25-totals.csv", [
    ["No.", "機器名", "種別", "IPアドレス", "管理者"],
    ["1", "受付PC", "PC", "192.0.2.10", "院内"],
    ["2", "院内サーバ", "サーバ", "192.0.2.20", "院内"],
    ["合計", "5台", "", "", ""],
])

write_xlsx("26-totals-col-a.xlsx", [{
    "name": "機器台帳",
    "rows": [
        ["機器台帳 令和7年4月1日現在", "", "", "", "", ""],
        ["区分", "機器名", "種類", "OS", "管理者", "購入日"],
        ["1", "受付PC", "パソコン", "Windows 11", "院内", "45026"],
        ["2", "診察PC", "パソコン", "Windows 11", "院内", "45027"],
        ["合計", "", "2台", "", "", ""],
    ],
    "numbers": {(2, 5), (3, 5)},
}])

# Dates the way ledgers hold them: Excel's date-time as CSV shows it, a
# month alone (the 1st; the last day for a support end), unknown; IP
# lists split with 、 and ，
write_csv("27-date-forms.csv", [
    ["名称", "種別", "管理者", "最終更新日", "サポート終了日", "IPアドレス"],
    ["PC1", "PC", "院内", "2025/4/1 0:00", "2030年3月", "192.0.2.10、192.0.2.11"],
    ["PC2", "PC", "院内", "R7.4", "不明", "192.0.2.12，192.0.2.13"],
    ["PC3", "PC", "院内", "―", "未定", ""],
    ["PC4", "PC", "院内", "-", "R12.3", ""],
])

# Administrators written as a role and a name
write_csv("28-admin-roles.csv", [
    ["名称", "種別", "管理者"],
    ["PC1", "PC", "ＩＴ担当　佐藤"],
    ["PC2", "PC", "事務長 山田"],
    ["PC3", "PC", "情報システム係 鈴木"],
], enc="cp932")

# No support-end column: an OS known to be out of support is still found
# (data/ledger/vocabulary.yaml os-support-end); a version cell ending in a
# full-width bracket
write_csv("30-os-no-eol.csv", [
    ["名称", "種別", "OS", "バージョン", "管理者", "最終パッチ適用日"],
    ["PC7", "PC", "Windows 7 Professional", "", "院内", ""],
    ["PC10", "PC", "Windows 10 Pro", "22H2", "院内", ""],
    ["LTSC", "PC", "Windows 10 Enterprise LTSC 2019", "", "院内", ""],
    ["PC11", "PC", "Windows 11 Pro", "24H2", "院内", ""],
    ["SV2012", "サーバ", "Windows Server 2012 R2", "", "院内", ""],
    ["保守VPN", "VPN装置", "FortiOS", "FortiOS v7.0.12）", "院内", "2025-10-01"],
    ["保守VPN2", "VPN装置", "FortiOS v7.0.12）", "", "院内", "2025-10-01"],
])

# Not in expected.json: errors on two sheets (t0091 checks the refusal is
# said once, each error once, and --dry-run fails too)
write_xlsx("29-errors-two-sheets.xlsx", [
    {"name": "端末", "rows": [
        ["機器名", "種類", "IPアドレス", "最終更新日", "管理者"],
        ["受付PC", "パソコン", "192.0.2.300", "2025-04-01", "院内"],
        ["診察PC", "パソコン", "192.0.2.11", "2025-04-01", "院内"],
    ]},
    {"name": "ネットワーク機器", "rows": [
        ["機器名", "種類", "IPアドレス", "最終更新日", "管理者"],
        ["保守VPN", "VPN装置", "192.0.2.1", "2025年13月1日", "あおばメディカル"],
        ["", "VPN装置", "", "R99.1.1", ""],
        ["HUB", "スイッチ", "192.0.2.2", "2025-04-01", "院内"],
    ]},
])

# LibreOffice-made workbooks: from CSV, and from HTML with merged cells
lo_csv = csv_text([
    ["機器台帳", "", "", "", ""],
    ["種別", "名称", "OS", "管理者", "備考"],
    ["端末", "受付PC", "Windows 11", "院内", "改行\nあり"],
    ["VPN装置", "保守VPN", "FortiOS 6.4.6", "", ""],
]).encode("utf-8")
libreoffice("lo.csv", lo_csv, "21-libreoffice.xlsx", infilter="CSV:44,34,76")
lo_html = """<html><head><meta charset="utf-8"></head><body><table>
<tr><td colspan="6">機器台帳 令和6年4月1日現在</td></tr>
<tr><td rowspan="2">種別</td><td rowspan="2">名称</td><td colspan="2">ネットワーク</td><td rowspan="2">OS</td><td rowspan="2">管理者</td></tr>
<tr><td>IPアドレス</td><td>MACアドレス</td></tr>
<tr><td>サーバ</td><td>電子カルテサーバ</td><td>192.0.2.10</td><td></td><td>Windows Server 2019</td><td>院内</td></tr>
<tr><td>VPN</td><td>保守VPN</td><td>192.0.2.1</td><td></td><td>FortiOS 6.4.6</td><td></td></tr>
</table></body></html>""".encode("utf-8")
libreoffice("lo.html", lo_html, "22-libreoffice-merged.xlsx", filt="xlsx:Calc MS Excel 2007 XML",
            infilter="HTML (StarCalc)")
