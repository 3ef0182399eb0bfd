/* SPDX-License-Identifier: MIT */
/*
 * cmd_scan.c - `anzen scan`: the network check. Parses the scope and caps,
 * runs the scan (one thread per --jobs shard), renders progress on a
 * terminal, and prints the results as a table or JSON (docs/scan.md).
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/kev.h"
#include "anzen/ledger.h"
#include "anzen/plan.h"
#include "anzen/scan.h"
#include "anzen/store.h"
#include "anzen/finding.h"
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen scan [オプション] 対象...\n"
          "        anzen scan --import nmap.xml [--from 区分] [オプション]\n"
          "  院内 LAN を安全な方法で調べる (既定は TCP 接続のみ、読み取りだけのサービス確認)。\n"
          "  対象は明示が必須です (既定の対象はありません)。\n\n"
          "対象:\n"
          "  対象                   アドレス、CIDR (10.1.0.0/24)、範囲 (10.1.0.1-40)\n"
          "  -iL, --targets-file F  対象を 1 行ずつ書いたファイル (# はコメント)\n"
          "  --exclude LIST         除外 (カンマ区切り、繰り返し可)\n"
          "  --exclude-file F       除外を書いたファイル\n"
          "  -p, --ports LIST       ポート (例: 22,80,8000-8100。既定: 病院向けの一覧)\n\n"
          "速さの上限 (既定は壊れやすい医療機器向けに控えめ):\n"
          "  --rate N               1 秒あたりの SYN (再送を含む。既定 800、全体)\n"
          "  --max-inflight N       同時に開く接続 (既定 920、全体)\n"
          "  --per-host N           1 台あたりの同時接続 (既定 4)\n"
          "  --per-host-rate N      1 台あたり 1 秒の新しい接続 (既定 200)\n"
          "  --timeout MS           接続のタイムアウト (既定 1500)\n"
          "  --retries N            応答のない接続の再試行 (既定 0)\n"
          "  --assoc-timeout MS     DICOM の関連付けを待つ時間 (既定 20000、遅い PACS 向け)\n"
          "  --jobs N               スレッド数 (上限は分け合う。既定 1)\n"
          "  --no-discovery         稼働ホストの検出を省き全ポートを調べる (nmap -Pn)\n"
          "  --discovery-ports LIST 検出に使うポート (既定: 検出用一覧のうち -p にあるもの)\n"
          "  --no-arp               検出ポートに無応答でも ARP に応答したホスト (同じ\n"
          "                         セグメント) を稼働とみなさない\n"
          "  --allow-public         プライベート・ループバック・ユニークローカル以外の\n"
          "                         アドレス (グローバル、マルチキャスト等) も調べる\n"
          "  --seed N               順序の乱数の種 (再現用)\n"
          "  --syn                  半開き (SYN) スキャン: 接続を完了させずに調べる。root か\n"
          "                         CAP_NET_RAW が必要。既定は接続スキャン (壊れやすい機器は\n"
          "                         途中で止まる接続に弱いことがあるため、明示したときだけ)。\n"
          "                         IPv6 の対象は接続スキャンのまま\n\n"
          "出力:\n"
          "  --dry-run              何を調べるかだけを表示し、何も送らない\n"
          "  --import FILE          nmap の XML (-oX) を読み、同じ点検をする (何も送らない)\n"
          "  --from SEGMENT         スキャンした場所のネットワーク区分 (例: 事務系)\n"
          "  --format text|json     表示形式 (既定 text)\n"
          "  -o FILE                結果の JSON を FILE に保存 (anzen-scan/1)\n"
          "  --progress | --no-progress  進み具合 (既定: 端末のときだけ)\n"
          "  --data DIR             ports.yaml と fingerprints.yaml を DIR から読む\n\n"
          "点検:\n"
          "  --ledger FILE          台帳と照合する (既定: ledger.csv があれば使う)\n"
          "  --no-ledger            台帳と照合しない\n"
          "  -w, --workspace DB     指摘を項目ごとの証跡としてワークスペースに記録する\n"
          "  保存した結果 (-o scan.json) は anzen plan が対応計画に加えます。\n\n"
          "終了コード: 0 指摘なし, 1 エラー, 2 要対応の指摘あり, 64 使い方の誤り,\n"
          "  130 / 143 SIGINT / SIGTERM で中断 (途中までの結果を書いた)\n",
          "usage: anzen scan [options] TARGET...\n"
          "       anzen scan --import nmap.xml [--from SEGMENT] [options]\n"
          "  Check the hospital LAN safely (TCP connects by default, read-only service checks).\n"
          "  The scope must be given explicitly (there is no default target).\n\n"
          "Scope:\n"
          "  TARGET                 address, CIDR (10.1.0.0/24), range (10.1.0.1-40)\n"
          "  -iL, --targets-file F  file with one target per line (# comments)\n"
          "  --exclude LIST         exclusions (comma-separated, repeatable)\n"
          "  --exclude-file F       file of exclusions\n"
          "  -p, --ports LIST       ports (e.g. 22,80,8000-8100; default: hospital list)\n\n"
          "Caps (defaults are gentle, for fragile medical devices):\n"
          "  --rate N               SYNs per second, resends included (default 800, all)\n"
          "  --max-inflight N       connections open at once (default 920, all hosts)\n"
          "  --per-host N           connections open at once per host (default 4)\n"
          "  --per-host-rate N      new connections per second to one host (default 200)\n"
          "  --timeout MS           connect timeout (default 1500)\n"
          "  --retries N            retries of unanswered connects (default 0)\n"
          "  --assoc-timeout MS     wait for a DICOM association (default 20000: slow PACS)\n"
          "  --jobs N               threads (the caps are shared; default 1)\n"
          "  --no-discovery         skip live-host discovery, probe every port (nmap -Pn)\n"
          "  --discovery-ports LIST ports used for discovery (default: the discovery list\n"
          "                         where it meets -p)\n"
          "  --no-arp               do not count a host silent on its discovery ports as\n"
          "                         live when it answered ARP (same segment)\n"
          "  --allow-public         also scan addresses that are not private, loopback or\n"
          "                         unique local (public, multicast, link-local...)\n"
          "  --seed N               random order seed (to reproduce a run)\n"
          "  --syn                  half-open (SYN) scan: probe without completing the\n"
          "                         connection; needs root or CAP_NET_RAW. Opt-in: the\n"
          "                         default stays the connect scan, as some fragile devices\n"
          "                         handle half-open connections badly. IPv6 targets keep\n"
          "                         connect probes\n\n"
          "Output:\n"
          "  --dry-run              show what would be probed; send nothing\n"
          "  --import FILE          read an nmap XML result (-oX) and check it the same way\n"
          "  --from SEGMENT         network segment the scan runs from (e.g. 事務系)\n"
          "  --format text|json     output format (default text)\n"
          "  -o FILE                save the JSON results to FILE (anzen-scan/1)\n"
          "  --progress | --no-progress  progress display (default: on a terminal)\n"
          "  --data DIR             read ports.yaml and fingerprints.yaml from DIR\n\n"
          "Checks:\n"
          "  --ledger FILE          cross-check with the ledger (default: ledger.csv if present)\n"
          "  --no-ledger            do not use a ledger\n"
          "  -w, --workspace DB     record the findings as evidence on their items\n"
          "  Saved results (-o scan.json) are added to the plan by anzen plan.\n\n"
          "Exit codes: 0 no findings, 1 error, 2 gaps found, 64 usage error,\n"
          "  130 / 143 interrupted by SIGINT / SIGTERM (the partial result was written)\n"));
}

/* SIGINT / SIGTERM during a scan: the first stops new probes (the scan
 * then ends within its timeout and writes what it found, marked
 * incomplete); a second one ends the process at once. */
static struct az_scan *_Atomic g_scan;
static atomic_int g_signals;
static const char *g_stop_msg = "";

static void on_signal(int sig)
{
    struct az_scan *s = atomic_load(&g_scan);
    if (atomic_fetch_add(&g_signals, 1) > 0 || !s) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    az_scan_stop(s, sig);
    ssize_t w = write(2, g_stop_msg, strlen(g_stop_msg));
    (void)w;
}

static void catch_signals(struct cli *c, struct az_scan *s)
{
    struct sigaction sa;
    g_stop_msg = L(c,
                   "\n中断します: 新しい接続はしません。実行中の接続の終了を待って、途中までの"
                   "結果を書きます (もう一度押すとすぐに終了)\n",
                   "\nstopping: no new probes; waiting for those in flight, then writing the "
                   "partial result (press again to quit at once)\n");
    atomic_store(&g_signals, 0);
    atomic_store(&g_scan, s);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void release_signals(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    atomic_store(&g_scan, NULL);
}

struct prog {
    struct cli *c;
    bool on;
    int last_len;
};

static void fmt_eta(double s, char *buf, size_t n)
{
    if (s < 0) {
        snprintf(buf, n, "--:--");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else
        snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

static void on_progress(void *ud, const struct az_scan_progress *p)
{
    struct prog *pg = ud;
    struct cli *c = pg->c;
    char eta[32];
    if (!pg->on)
        return;
    fmt_eta(p->eta_s, eta, sizeof(eta));
    int pct = p->total ? (int)(p->done * 100 / p->total) : 100;
    fprintf(stderr, "\r%s %llu/%llu (%d%%) %.0f/s %s %s  %s %llu  %s %llu   ",
            p->phase == AZ_PHASE_SERVICES ? L(c, "[サービス]", "[services]")
                                          : L(c, "[ポート]", "[ports]"),
            (unsigned long long)p->done, (unsigned long long)p->total, pct, p->rate,
            L(c, "残り", "ETA"), eta, L(c, "稼働", "up"), (unsigned long long)p->hosts_up,
            L(c, "開", "open"), (unsigned long long)p->open);
    fflush(stderr);
}

struct job {
    struct az_scan *s;
    struct az_ctx ctx;
    unsigned shard, n;
    struct prog *pg;
    int r;
};

static void *run_job(void *arg)
{
    struct job *j = arg;
    j->r = az_scan_run(j->s, &j->ctx, j->shard, j->n, j->shard == 0 ? on_progress : NULL, j->pg);
    return NULL;
}

/*
 * --rate N is only reachable on silent addresses with N x timeout probes
 * in flight (less the kernel's SYN resends, which count against N): raise
 * the in-flight cap to that when the user did not set it, within the
 * descriptors this process may open; otherwise say the rate cannot be
 * reached.
 */
static void rate_honesty(struct cli *c, struct az_scan_opts *so, bool inflight_set)
{
    unsigned need = az_scan_inflight_for_rate(so->rate, so->timeout_ms);
    struct rlimit rl;
    if (!need || need <= so->max_inflight)
        return;
    if (!inflight_set) {
        unsigned cap = need > 16384 ? 16384 : need;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
            rl.rlim_cur < (rlim_t)cap + 128) {
            rlim_t want = (rlim_t)cap + 128;
            if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
                want = rl.rlim_max;
            rl.rlim_cur = want;
            (void)setrlimit(RLIMIT_NOFILE, &rl);
            if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
                rl.rlim_cur < (rlim_t)cap + 128)
                cap = rl.rlim_cur > 256 ? (unsigned)(rl.rlim_cur - 128) : 128;
        }
        if (cap > so->max_inflight)
            so->max_inflight = cap;
        if (cap >= need)
            return;
    }
    double reach = (double)so->rate * so->max_inflight / need;
    fprintf(stderr,
            L(c,
              "注意: --max-inflight %u、--timeout %u ms では、応答のないアドレスに対して "
              "--rate %u に届きません (約 %.0f/s まで)。--max-inflight %u 以上にしてください\n",
              "warning: with --max-inflight %u and --timeout %u ms, --rate %u cannot be reached "
              "on silent addresses (about %.0f/s at most); use --max-inflight %u or more\n"),
            so->max_inflight, so->timeout_ms, so->rate, reach, need);
}

static int opt_uint(struct cli *c, const char *name, const char *v, long min, long max,
                    unsigned *out)
{
    long x;
    if (az_parse_long(v, min, max, &x) < 0) {
        cli_err(c, "%s は %ld〜%ld の整数です", "%s takes an integer from %ld to %ld", name, min,
                max);
        return EXIT_USAGE;
    }
    *out = (unsigned)x;
    return 0;
}

static void print_table(struct cli *c, const struct az_scan *s)
{
    size_t nh;
    const struct az_scan_host *h = az_scan_hosts(s, &nh);
    const struct az_scan_stats *st = az_scan_stats(s);
    size_t shown = 0;
    bool guessed = false;

    if (!az_scan_complete(s))
        printf("%s\n",
               L(c, "中断されたスキャン: 途中までの結果です", "Interrupted scan: partial result"));
    printf("%s: %llu %s, %llu %s, %llu %s, %.1f s\n", L(c, "スキャン", "Scan"),
           (unsigned long long)st->addresses, L(c, "アドレス", "addresses"),
           (unsigned long long)st->hosts_up, L(c, "台が稼働", "hosts up"),
           (unsigned long long)st->open, L(c, "ポートが開", "open ports"),
           (double)(st->end_us - st->start_us) / 1e6);
    if (az_scan_from(s))
        printf("%s: %s\n", L(c, "スキャンした区分", "Scanned from"), az_scan_from(s));
    for (size_t i = 0; i < nh; i++) {
        for (size_t k = 0; k < h[i].nports; k++) {
            const struct az_scan_port *p = &h[i].ports[k];
            char pn[16];
            if (!shown++) {
                printf("\n");
                out_pad(stdout, L(c, "アドレス", "address"), 40);
                out_pad(stdout, L(c, "ポート", "port"), 10);
                out_pad(stdout, L(c, "サービス", "service"), 14);
                printf("%s\n", L(c, "製品・版・備考", "product, version, notes"));
            }
            snprintf(pn, sizeof(pn), "%u/tcp", p->port);
            out_pad(stdout, h[i].text, 40);
            out_pad(stdout, pn, 10);
            if (p->svc && !p->svc->probed) {
                /* the port table's name: a guess, and shown as one */
                guessed = true;
                char g[40];
                snprintf(g, sizeof(g), "%s?", p->svc->name);
                out_pad(stdout, g, 14);
            } else {
                out_pad(stdout, p->svc ? p->svc->name : "?", 14);
            }
            if (p->svc) {
                const struct az_service *v = p->svc;
                printf("%s%s%s", v->product, *v->version ? " " : "", v->version);
                if (v->tlsi.done && *v->tlsi.version)
                    printf("%s[%s]", *v->product ? " " : "", v->tlsi.version);
                if (v->has_appliance)
                    printf(" {%s%s%s}", v->app.product, *v->app.version ? " " : "", v->app.version);
                if (*v->info)
                    printf(" (%s)", v->info);
            }
            printf("\n");
        }
    }
    if (!shown)
        printf("%s\n", L(c, "開いているポートは見つかりませんでした。", "No open ports found."));
    if (guessed)
        printf("%s\n", L(c, "(? はポート番号からの推測で、確認していません)",
                         "(? marks a guess from the port number, not confirmed)"));
}

static int to_file(const char *buf, size_t len, void *arg)
{
    return az_wfile_write(arg, buf, len) < 0 ? -1 : 0;
}

static int to_stdout(const char *buf, size_t len, void *arg)
{
    if (fwrite(buf, 1, len, stdout) == len)
        return 0;
    *(bool *)arg = true;
    return -1;
}

/* The result as JSON (as out_json writes it), host by host: a /16 has
 * tens of thousands of live hosts, whose tree and text would otherwise
 * be held whole. A file is still replaced atomically (temp file, fsync,
 * rename), and is not touched when the output fails. */
static int write_result(struct cli *c, const char *path, const struct az_scan *s)
{
    struct az_wfile *w;

    if (!path || !strcmp(path, "-")) {
        bool bad = false;
        if (az_scan_write_json(&c->ctx, s, to_stdout, &bad) < 0 && !bad) {
            cli_liberr(c);
            return EXIT_ERROR;
        }
        if (bad || fflush(stdout) != 0) {
            cli_err(c, "標準出力に書き込めません", "cannot write to standard output");
            return EXIT_ERROR;
        }
        return 0;
    }
    /* -o /dev/stdout writes to descriptor 1 itself: what was printed
     * before must go first */
    fflush(stdout);
    if (az_wfile_open(&c->ctx, path, &w) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (az_scan_write_json(&c->ctx, s, to_file, w) < 0) {
        az_wfile_abort(w);
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (az_wfile_commit(w) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return 0;
}

static int load_ledger(struct cli *c, const char *path, struct az_ledger **ret)
{
    FILE *f = fopen(path, "rb");
    char *data;
    size_t len;
    int r;

    if (!f) {
        cli_err(c, "%s を開けません", "cannot open %s", path);
        return EXIT_ERROR;
    }
    data = malloc(AZ_MAX_INPUT + 1);
    if (!data) {
        fclose(f);
        return EXIT_ERROR;
    }
    len = fread(data, 1, AZ_MAX_INPUT + 1, f);
    fclose(f);
    if (len > AZ_MAX_INPUT) {
        free(data);
        cli_err(c, "%s: ファイルが大きすぎます", "%s: file too large", path);
        return EXIT_ERROR;
    }
    r = az_ledger_import(&c->ctx, path, data, len, false, ret);
    free(data);
    if (r < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return 0;
}

static int import_nmap(struct cli *c, const char *path, const char *from,
                       const struct az_scan_data *d, struct az_scan **ret)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1u << 20, len = 0, n;
    char *data = malloc(cap);
    int r;

    if (!f || !data) {
        if (f)
            fclose(f);
        free(data);
        cli_err(c, "%s を開けません", "cannot open %s", path);
        return EXIT_ERROR;
    }
    while ((n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *v = cap >= (64u << 20) ? NULL : realloc(data, cap * 2);
            if (!v) {
                fclose(f);
                free(data);
                cli_err(c, "%s: ファイルが大きすぎます (上限 64 MiB)",
                        "%s: file too large (limit 64 MiB)", path);
                return EXIT_ERROR;
            }
            data = v;
            cap *= 2;
        }
    }
    fclose(f);
    r = az_scan_import_nmap(&c->ctx, path, data, len, from, d, ret);
    free(data);
    if (r < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    return 0;
}

static void print_findings(struct cli *c, const json_t *res)
{
    size_t i;
    json_t *x;
    const json_t *fs = json_object_get(res, "findings");

    printf("\n%s: %s %lld, %s %lld\n", L(c, "指摘", "Findings"), L(c, "要対応", "gaps"),
           (long long)json_integer_value(json_object_get(res, "gaps")), L(c, "注意", "attention"),
           (long long)json_integer_value(json_object_get(res, "attention")));
    json_array_foreach(fs, i, x)
    {
        json_t *it;
        size_t k;
        printf("  %s %s\n",
               !strcmp(json_string_value(json_object_get(x, "level")), "gap") ? "✗" : "!",
               json_string_value(json_object_get(x, c->lang == AZ_LANG_EN ? "en" : "ja")));
        printf("      %s", L(c, "項目:", "items:"));
        json_array_foreach(json_object_get(x, "items"), k, it) printf(" %s", json_string_value(it));
        printf("\n");
    }
    json_t *reach = json_object_get(res, "reachability");
    if (json_array_size(reach)) {
        printf("\n%s\n", L(c, "到達できた区分とポート:", "Reachable segments and ports:"));
        json_array_foreach(reach, i, x)
        {
            json_t *to = json_object_get(x, "to"), *p;
            size_t k;
            printf("  %s -> %s  %s", json_string_value(json_object_get(x, "from")),
                   json_is_string(to) ? json_string_value(to) : L(c, "(区分不明)", "(unknown)"),
                   json_string_value(json_object_get(x, "host")));
            json_array_foreach(json_object_get(x, "ports"), k, p)
                printf("%s%lld", k ? "," : " ", (long long)json_integer_value(p));
            printf("\n");
        }
    }
}

/* Record each finding as evidence on each of its items (one transaction;
 * a record already there is not added twice). */
static int record_evidence(struct cli *c, const char *db, const json_t *res, const char *when)
{
    struct az_store *st;
    char src[64];
    size_t added = 0;
    int r;

    if ((r = cli_open_store(c, db, &st)))
        return r;
    snprintf(src, sizeof(src), "anzen scan %s", when);
    if (az_store_add_findings(st, &c->ctx, c->cat, az_catalog_default_checklist(c->cat), NULL,
                              json_object_get(res, "findings"), "scan", src, "anzen scan",
                              &added) < 0) {
        cli_liberr(c);
        az_store_close(st);
        return EXIT_ERROR;
    }
    az_store_close(st);
    fprintf(
        stderr,
        L(c, "証跡として %zu 件を %s に記録しました\n", "recorded %zu evidence records in %s\n"),
        added, db);
    return 0;
}

int scan_result_load(struct cli *c, const char *path, json_t **ret)
{
    struct az_workspace *ws;
    int r;

    *ret = NULL;
    if (!path || access(path, F_OK) != 0)
        return 0;
    if ((r = cli_ws(c, NULL, &ws)))
        return r;
    if (az_ws_scan(ws, &c->ctx, path, ret) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    }
    az_ws_close(ws);
    return r;
}

int plan_add_scan(struct cli *c, struct az_plan *plan, const char *path)
{
    json_t *j;
    int r = scan_result_load(c, path, &j);

    if (!r && j &&
        az_plan_add_findings(&c->ctx, plan, c->cat, "ネットワーク", "network",
                             json_object_get(j, "findings")) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    }
    json_decref(j);
    return r;
}

int cmd_scan(struct cli *c, int argc, char **argv)
{
    enum {
        O_EXCLUDE = 256,
        O_EXCLUDE_FILE,
        O_RATE,
        O_INFLIGHT,
        O_PER_HOST,
        O_TIMEOUT,
        O_RETRIES,
        O_JOBS,
        O_NO_DISC,
        O_NO_SVC,
        O_SEED,
        O_DRY,
        O_FROM,
        O_FORMAT,
        O_PROGRESS,
        O_NO_PROGRESS,
        O_DATA,
        O_LEDGER,
        O_NO_LEDGER,
        O_IMPORT,
        O_ALLOW_PUBLIC,
        O_DISC_PORTS,
        O_ASSOC_TIMEOUT,
        O_NO_ARP,
        O_PER_HOST_RATE,
        O_SYN,
    };
    static const struct option opts[] = {
        {"ports", required_argument, NULL, 'p'},
        {"targets-file", required_argument, NULL, 'i'},
        {"exclude", required_argument, NULL, O_EXCLUDE},
        {"exclude-file", required_argument, NULL, O_EXCLUDE_FILE},
        {"rate", required_argument, NULL, O_RATE},
        {"max-inflight", required_argument, NULL, O_INFLIGHT},
        {"per-host", required_argument, NULL, O_PER_HOST},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"retries", required_argument, NULL, O_RETRIES},
        {"jobs", required_argument, NULL, O_JOBS},
        {"no-discovery", no_argument, NULL, O_NO_DISC},
        {"no-service", no_argument, NULL, O_NO_SVC},
        {"seed", required_argument, NULL, O_SEED},
        {"dry-run", no_argument, NULL, O_DRY},
        {"from", required_argument, NULL, O_FROM},
        {"format", required_argument, NULL, O_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"progress", no_argument, NULL, O_PROGRESS},
        {"no-progress", no_argument, NULL, O_NO_PROGRESS},
        {"data", required_argument, NULL, O_DATA},
        {"ledger", required_argument, NULL, O_LEDGER},
        {"no-ledger", no_argument, NULL, O_NO_LEDGER},
        {"import", required_argument, NULL, O_IMPORT},
        {"allow-public", no_argument, NULL, O_ALLOW_PUBLIC},
        {"assoc-timeout", required_argument, NULL, O_ASSOC_TIMEOUT},
        {"no-arp", no_argument, NULL, O_NO_ARP},
        {"per-host-rate", required_argument, NULL, O_PER_HOST_RATE},
        {"syn", no_argument, NULL, O_SYN},
        {"discovery-ports", required_argument, NULL, O_DISC_PORTS},
        {"workspace", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct az_targets *t = NULL;
    struct az_scan_data *data = NULL;
    struct az_scan *s = NULL;
    struct az_scan_opts so;
    const char *disc_spec = NULL;
    uint16_t *disc = NULL;
    size_t ndisc = 0;
    const char *ports_spec = NULL, *format = "text", *out = NULL, *data_dir = NULL;
    const char *ledger_path = NULL, *db = NULL, *import = NULL;
    bool no_ledger = false;
    struct az_ledger *ledger = NULL;
    const struct az_kev *kev = NULL;
    json_t *res = NULL;
    uint16_t *ports = NULL;
    size_t nports = 0;
    unsigned jobs = 1;
    bool dry = false, inflight_set = false;
    int progress = -1, o, r = EXIT_ERROR;
    struct prog pg = {c, false, 0};
    char where[64];

    az_scan_opts_default(&so);
    if (az_targets_new(&t) < 0)
        return EXIT_ERROR;
    /* "-iL" as nmap spells it */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-iL"))
            argv[i] = "--targets-file";
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:o:w:h", opts, NULL)) != -1) {
        unsigned v;
        switch (o) {
        case 'p':
            ports_spec = optarg;
            break;
        case 'i':
            if (az_targets_add_file(&c->ctx, t, optarg, false) < 0) {
                cli_liberr(c);
                r = EXIT_USAGE;
                goto out;
            }
            break;
        case O_EXCLUDE: {
            char *dup = strdup(optarg), *p = dup, *tok;
            if (!dup)
                goto out;
            while ((tok = strsep(&p, ",")))
                if (*tok && az_targets_add(&c->ctx, t, tok, true, "--exclude") < 0) {
                    free(dup);
                    cli_liberr(c);
                    r = EXIT_USAGE;
                    goto out;
                }
            free(dup);
            break;
        }
        case O_EXCLUDE_FILE:
            if (az_targets_add_file(&c->ctx, t, optarg, true) < 0) {
                cli_liberr(c);
                r = EXIT_USAGE;
                goto out;
            }
            break;
        case O_RATE:
            if ((r = opt_uint(c, "--rate", optarg, 0, 1000000, &so.rate)))
                goto out;
            break;
        case O_INFLIGHT:
            if ((r = opt_uint(c, "--max-inflight", optarg, 1, 16384, &so.max_inflight)))
                goto out;
            inflight_set = true;
            break;
        case O_PER_HOST:
            if ((r = opt_uint(c, "--per-host", optarg, 1, 1024, &so.per_host)))
                goto out;
            break;
        case O_TIMEOUT:
            if ((r = opt_uint(c, "--timeout", optarg, 10, 60000, &so.timeout_ms)))
                goto out;
            so.svc_timeout_ms = so.timeout_ms * 2;
            break;
        case O_RETRIES:
            if ((r = opt_uint(c, "--retries", optarg, 0, 5, &so.retries)))
                goto out;
            break;
        case O_JOBS:
            if ((r = opt_uint(c, "--jobs", optarg, 1, 64, &jobs)))
                goto out;
            break;
        case O_SEED: {
            if ((r = opt_uint(c, "--seed", optarg, 1, 2147483647, &v)))
                goto out;
            so.seed = v;
            break;
        }
        case O_NO_DISC:
            so.discovery = false;
            break;
        case O_ALLOW_PUBLIC:
            so.allow_public = true;
            break;
        case O_NO_ARP:
            so.arp = false;
            break;
        case O_SYN:
            so.syn = true;
            break;
        case O_PER_HOST_RATE:
            if ((r = opt_uint(c, "--per-host-rate", optarg, 0, 1000000, &so.per_host_rate)))
                goto out;
            break;
        case O_ASSOC_TIMEOUT:
            if ((r = opt_uint(c, "--assoc-timeout", optarg, 100, 120000, &so.assoc_timeout_ms)))
                goto out;
            break;
        case O_DISC_PORTS:
            disc_spec = optarg;
            break;
        case O_NO_SVC:
            so.service = false;
            break;
        case O_DRY:
            dry = true;
            break;
        case O_FROM:
            so.from = optarg;
            break;
        case O_FORMAT:
            format = optarg;
            if (!cli_format_ok(c, format, false)) {
                r = EXIT_USAGE;
                goto out;
            }
            break;
        case 'o':
            out = optarg;
            break;
        case O_PROGRESS:
            progress = 1;
            break;
        case O_NO_PROGRESS:
            progress = 0;
            break;
        case O_DATA:
            data_dir = optarg;
            break;
        case O_LEDGER:
            ledger_path = optarg;
            break;
        case O_NO_LEDGER:
            no_ledger = true;
            break;
        case O_IMPORT:
            import = optarg;
            break;
        case 'w':
            db = optarg;
            break;
        case 'h':
            help(c, stdout);
            r = 0;
            goto out;
        default:
            cli_err(c, "不明なオプション \"%s\"", "unknown option \"%s\"", argv[optind - 1]);
            help(c, stderr);
            r = EXIT_USAGE;
            goto out;
        }
    }
    for (int i = optind; i < argc; i++) {
        snprintf(where, sizeof(where), L(c, "引数 %d", "argument %d"), i - optind + 1);
        if (az_targets_add(&c->ctx, t, argv[i], false, where) < 0) {
            cli_liberr(c);
            r = EXIT_USAGE;
            goto out;
        }
    }
    if (!no_ledger && !ledger_path && access("ledger.csv", F_OK) == 0)
        ledger_path = "ledger.csv";
    if (!no_ledger && ledger_path && (r = load_ledger(c, ledger_path, &ledger)))
        goto out;
    r = EXIT_ERROR;
    if (az_scan_data_load(&c->ctx, data_dir, &data) < 0) {
        cli_liberr(c);
        goto out;
    }
    if (import) {
        if (optind < argc || dry) {
            cli_err(c, "--import には対象や --dry-run を指定できません",
                    "--import takes no targets and no --dry-run");
            r = EXIT_USAGE;
            goto out;
        }
        if ((r = import_nmap(c, import, so.from, data, &s)))
            goto out;
        goto checks;
    }
    if (ports_spec) {
        if (az_ports_parse(&c->ctx, ports_spec, &ports, &nports) < 0) {
            cli_liberr(c);
            r = EXIT_USAGE;
            goto out;
        }
    } else {
        const uint16_t *dp = az_scan_data_ports(data, &nports);
        if (!(ports = malloc(nports * sizeof(*ports))))
            goto out;
        memcpy(ports, dp, nports * sizeof(*ports));
    }
    if (disc_spec) {
        if (az_ports_parse(&c->ctx, disc_spec, &disc, &ndisc) < 0) {
            cli_liberr(c);
            r = EXIT_USAGE;
            goto out;
        }
        so.disc_ports = disc;
        so.ndisc_ports = ndisc;
    }
    rate_honesty(c, &so, inflight_set);
    if (az_scan_new(&c->ctx, t, ports, nports, &so, data, &s) < 0) {
        cli_liberr(c);
        r = c->ctx.err == AZ_ENOMEM ? EXIT_ERROR : EXIT_USAGE;
        goto out;
    }
    if (dry) {
        json_t *plan = az_scan_plan_json(s);
        if (!strcmp(format, "json")) {
            r = out_json(c, out, plan);
        } else {
            size_t i;
            json_t *x;
            printf("%s\n", L(c, "ドライラン: 何も送りません。", "Dry run: nothing is sent."));
            printf("%s: %lld\n", L(c, "アドレス", "addresses"),
                   (long long)json_integer_value(json_object_get(plan, "addresses")));
            json_array_foreach(json_object_get(plan, "ranges"), i, x)
                printf("  %s\n", json_string_value(x));
            printf("%s:", L(c, "ポート", "ports"));
            json_array_foreach(json_object_get(plan, "ports"), i, x)
                printf("%s%lld", i ? "," : " ", (long long)json_integer_value(x));
            printf("\n%s: %lld\n", L(c, "プローブ数", "probes"),
                   (long long)json_integer_value(json_object_get(plan, "probes")));
            printf("%s: rate %u/s, max-inflight %u, per-host %u, timeout %u ms, %s, %s\n",
                   L(c, "上限", "caps"), so.rate, so.max_inflight, so.per_host, so.timeout_ms,
                   so.discovery ? L(c, "稼働ホストを先に検出", "discovery first")
                                : L(c, "検出なし", "no discovery"),
                   so.syn ? L(c, "SYN (半開き、IPv4)", "SYN (half-open, IPv4)")
                          : L(c, "接続", "connect"));
            printf("%s: %.0f s\n", L(c, "最長の所要時間", "worst-case duration"),
                   json_real_value(json_object_get(plan, "worst_case_s")));
            json_decref(plan);
            r = 0;
        }
        goto out;
    }
    if (so.syn) {
        /* raw sockets need the privilege: say so before anything is sent */
        if (az_scan_syn_check(&c->ctx) < 0) {
            cli_liberr(c);
            r = EXIT_ERROR;
            goto out;
        }
        if (az_targets_has_ipv6(t))
            fprintf(stderr, "%s\n",
                    L(c, "注意: IPv6 の対象は --syn でも接続スキャンで調べます",
                      "note: IPv6 targets are probed with connect() even with --syn"));
    }
    pg.on = progress == 1 || (progress == -1 && isatty(2));
    catch_signals(c, s);
    {
        struct job *jv = calloc(jobs, sizeof(*jv));
        pthread_t *th = calloc(jobs, sizeof(*th));
        if (!jv || !th) {
            free(jv);
            free(th);
            goto out;
        }
        for (unsigned i = 0; i < jobs; i++) {
            jv[i].s = s;
            jv[i].shard = i;
            jv[i].n = jobs;
            jv[i].pg = &pg;
            az_ctx_init(&jv[i].ctx, c->lang);
            if (i > 0 && pthread_create(&th[i], NULL, run_job, &jv[i]) != 0) {
                jv[i].r =
                    az_fail(&jv[i].ctx, AZ_EIO, "スレッドを作れません", "cannot start a thread");
                th[i] = 0;
            }
        }
        run_job(&jv[0]);
        for (unsigned i = 1; i < jobs; i++)
            if (th[i])
                pthread_join(th[i], NULL);
        r = 0;
        for (unsigned i = 0; i < jobs; i++)
            if (jv[i].r < 0 && !r) {
                cli_err(c, "%s", "%s", az_errmsg(&jv[i].ctx));
                r = EXIT_ERROR;
            }
        free(jv);
        free(th);
        if (r) {
            release_signals();
            goto out;
        }
    }
    if (az_scan_finish(s, &c->ctx, on_progress, &pg) < 0) {
        release_signals();
        if (pg.on)
            fputc('\n', stderr);
        cli_liberr(c);
        r = EXIT_ERROR;
        goto out;
    }
    release_signals();
    if (pg.on)
        fprintf(stderr, "\n");
    if (so.syn && az_scan_stats(s)->raw_dropped)
        fprintf(stderr,
                L(c,
                  "注意: raw ソケットの受信キューがあふれ、応答を %llu 件失いました。filtered "
                  "とされたポートの一部は応答していた可能性があります。--max-inflight か "
                  "--rate を下げてください\n",
                  "warning: the raw socket's receive queue overflowed and %llu answers were "
                  "lost; some ports reported filtered may have answered. Lower --max-inflight "
                  "or --rate\n"),
                (unsigned long long)az_scan_stats(s)->raw_dropped);
checks:
    if ((r = cli_kev(c, &kev)))
        goto out;
    if (az_scan_check(&c->ctx, s, ledger, kev, az_scan_stats(s)->end_us / 1000000, &res) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
        goto out;
    }
    /* each finding names the items of the edition in use (from its topics) */
    if ((r = cli_catalog(c)))
        goto out;
    if (az_findings_add_items(c->cat, az_catalog_default_checklist(c->cat), NULL,
                              json_object_get(res, "findings")) < 0) {
        cli_err(c, "メモリ不足", "out of memory");
        r = EXIT_ERROR;
        goto out;
    }
    if (out && (r = write_result(c, out, s)))
        goto out;
    if (!strcmp(format, "json")) {
        if (!out && (r = write_result(c, NULL, s)))
            goto out;
    } else {
        print_table(c, s);
        print_findings(c, res);
    }
    if (db) {
        char when[32];
        az_date_iso(c->as_of, when, sizeof(when));
        if ((r = record_evidence(c, db, res, when)))
            goto out;
    }
    r = json_integer_value(json_object_get(res, "gaps")) > 0 ? EXIT_GAPS : 0;
    if (!az_scan_complete(s)) {
        int sig = az_scan_stopped_by(s);
        fprintf(stderr, "%s\n",
                L(c,
                  "スキャンは中断されました。結果は途中までです (\"complete\": false)。"
                  "見つからなかったものが無いとは言えません",
                  "the scan was interrupted; the result is partial (\"complete\": false): what "
                  "it did not find may still be there"));
        r = 128 + (sig > 0 ? sig : SIGINT);
    }
out:
    json_decref(res);
    az_ledger_free(ledger);
    az_scan_free(s);
    az_scan_data_free(data);
    az_targets_free(t);
    free(ports);
    free(disc);
    return r;
}
