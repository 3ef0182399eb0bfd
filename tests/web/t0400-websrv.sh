#!/bin/sh
# The server under slow clients and a 36,000-asset workspace, and the
# smaller fixes of issue 14 (tests/web/websrv.py): the demo clinic with a
# generated ledger, served with a small connection pool so that 64 slow
# connections from 4 loopback addresses fill it.
. "$(dirname "$0")/lib.sh"
"$ANZEN" demo -o "$W/ws" >/dev/null || { echo "Bail out! demo"; exit 1; }
python3 - "$W/in.csv" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("種別,名称,設置場所,セグメント,IPアドレス,OS,管理者,最終パッチ適用日\n")
    for i in range(36000):
        seg = ["診療", "事務", "検査", "VPN"][i % 4]
        admin = "院内 情報担当" if i % 3 == 0 else ""
        f.write(f"PC,端末{i:05d},{i % 40}階,{seg},10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1},"
                f"Windows 10,{admin},2024-01-01\n")
PY
(cd "$W/ws" && "$ANZEN" ledger import --skip-bad-rows "$W/in.csv" >/dev/null 2>&1) ||
    { echo "Bail out! ledger import"; exit 1; }
start_server "$W/ws" --header-time 8 --max-connections 48 --per-ip 16
ANZEN_SERVER_PID=$SERVER_PID python3 "$(dirname "$0")/websrv.py" "$PORT" "$W/ws" "$SETUP_CODE"
rc=$?
stop_server
exit $rc
