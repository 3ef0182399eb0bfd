#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a ledger CSV of N PCs for the large-workspace benchmarks and tests:
four segments, one in three with an administrator (so most rows have
findings), unique names and addresses.
Usage: gen-ledger.py N OUT.csv"""
import sys

n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", encoding="utf-8") as f:
    f.write("種別,名称,設置場所,セグメント,IPアドレス,OS,管理者,最終パッチ適用日\n")
    for i in range(n):
        seg = ["診療", "事務", "検査", "VPN"][i % 4]
        admin = "院内 情報担当" if i % 3 == 0 else ""
        f.write(f"PC,端末{i:05d},{i % 40}階,{seg},10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1},"
                f"Windows 10,{admin},2024-01-01\n")
