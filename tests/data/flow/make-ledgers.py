#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the ledgers of the user-flow tests the way a clinic's Excel saves
# them: CP932, CRLF, Japanese headers in the clinic's own order, blank rows,
# dates typed every which way, cells with commas and line breaks.
#   week.csv   a 19-bed clinic: 17 PCs nobody administers, the vendor's
#              FortiOS 6.4.6 VPN router (brought in by the maintenance vendor)
#   pcs50.csv  50 unadministered PCs (one plan item gets 50 findings)
# Run from this directory: python3 make-ledgers.py
HEAD = ["名称", "種別", "設置場所", "IPアドレス", "OS・ファームウェア", "バージョン", "管理者",
        "持ち込み", "所属システム", "最終パッチ適用日", "サポート終了日", "外部から接続可能",
        "ネットワーク区分"]
DATES = ["2024/4/1", "令和6年4月1日", "R6.10.1", "２０２４年１０月１日", "", "2025/2/3"]


def q(cell):
    if any(c in cell for c in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def write(name, rows):
    text = "\r\n".join(",".join(q(c) for c in r) for r in rows) + "\r\n"
    open(name, "wb").write(text.encode("cp932"))


places = ["受付", "診察室①", "診察室②", "2F ナースステーション, 奥", "リハビリ室", "会計",
          "病棟～詰所", "レントゲン室"]
week = [HEAD,
        ["電子カルテサーバ", "サーバ", "サーバ室\r\n(ラック2段目)", "192.168.10.5",
         "Windows Server 2016", "1607", "みどりメディカルシステム株式会社",
         "みどりメディカルシステム株式会社", "system-1", "R7.8.20", "2027/1/12", "いいえ",
         "電子カルテ系"],
        [""] * len(HEAD)]
for i in range(1, 18):
    week.append(["看護PC-%02d（%s）" % (i, places[i % len(places)].split(",")[0]),
                 "PC" if i % 2 else "端末", places[i % len(places)], "192.168.10.%d" % (20 + i),
                 "Windows 10", "22H2", "", "院内", "system-1", DATES[i % len(DATES)], "", "いいえ",
                 "電子カルテ系"])
week.append(["保守用VPNルータ（みどり持込）", "VPN装置", "サーバ室", "192.168.10.1", "FortiOS",
             "6.4.6", "", "みどりメディカルシステム株式会社", "system-1", "2021/3/10", "",
             "○", "電子カルテ系"])
week.append(["院内ルータ", "ルータ", "事務室", "192.168.20.254", "RTX830", "Rev.15.02.30",
             "院内", "院内", "", "2025/6/1", "", "はい", "事務系"])
write("week.csv", week)

pcs = [HEAD]
for i in range(1, 51):
    pcs.append(["外来端末-%02d（整形外科・リハビリテーション科 共用）" % i, "端末", "外来", "192.168.30.%d" % i,
                "Windows 10", "22H2", "", "院内", "system-1", "2025/10/1", "", "いいえ", "電子カルテ系"])
write("pcs50.csv", pcs)
