#!/bin/sh
# The issue-14 screens end to end in chromium (tests/web/e2e-websrv.mjs):
# the demo clinic with a 2,000-asset ledger.
. "$(dirname "$0")/lib.sh"
SRC=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ ! -x /usr/bin/chromium ] || [ ! -d "$SRC/node_modules/playwright-core" ]; then
    echo "not ok 1 - chromium and node_modules/playwright-core are needed (scripts/deps.sh --test; npm ci)"
    echo "1..1"
    exit 1
fi
"$ANZEN" demo -o "$W/ws" >/dev/null || { echo "Bail out! demo"; exit 1; }
python3 - "$W/in.csv" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("種別,名称,設置場所,セグメント,IPアドレス,OS,管理者,最終パッチ適用日\n")
    for i in range(2000):
        seg = ["診療", "事務", "検査", "VPN"][i % 4]
        admin = "院内 情報担当" if i % 3 == 0 else ""
        f.write(f"PC,端末{i:05d},{i % 40}階,{seg},10.0.{i // 250}.{i % 250 + 1},Windows 10,{admin},"
                "2024-01-01\n")
PY
(cd "$W/ws" && "$ANZEN" ledger import --skip-bad-rows "$W/in.csv" >/dev/null 2>&1) ||
    { echo "Bail out! ledger import"; exit 1; }
start_server "$W/ws"
NODE_PATH="$SRC/node_modules" node "$SRC/tests/web/e2e-websrv.mjs"
rc=$?
stop_server
exit $rc
