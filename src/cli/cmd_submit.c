/* SPDX-License-Identifier: MIT */
/*
 * cmd_submit.c - `anzen submit`: write the bundle this institution shares
 * with a hub (status per item and role, overdue items, plan summary, key
 * points, counts of findings by kind), signed with the workspace's
 * Ed25519 key and optionally sealed to the hub's key (docs/hub.md).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "anzen/doc.h"
#include "anzen/hint.h"
#include "anzen/hub.h"
#include "cli.h"

static void submit_help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen submit --id 機関ID (-o FILE | --to URL) [オプション]\n\n"
          "ハブ (病院グループ・医師会・都道府県) に出す束を作ります: 項目ごと・役割ごとの状態、\n"
          "期限超過の項目、対応計画の要約、重点事項、台帳・事業者・点検の指摘の種類ごとの件数。\n"
          "台帳そのものは --include-ledger を付けたときだけ入ります。束はワークスペースの\n"
          "署名鍵 (anzen-sign.key、初回に作成、0600) で署名されます。初回に表示される鍵の\n"
          "指紋を、ハブの運営者に電話や書面など別の経路で伝えて登録してもらってください。\n\n"
          "  --id ID              ハブに登録された機関 ID (2 回目からは省略可)\n"
          "  -o, --output FILE    書き出す束 (- で標準出力)\n"
          "  --seal HUB.pub       ハブの公開鍵で封をする (ハブだけが開けられる)\n"
          "  --branches FILE      本部として支店の分もまとめて出す (YAML/JSON、docs/hub.md)\n"
          "  --include-ledger     機器台帳の資産の一覧も入れる\n"
          "  --fingerprint        署名鍵の指紋を表示するだけ\n"
          "  -p, --profile FILE   プロファイル (既定: profile.yaml)\n"
          "  -e, --edition ID     評価に使う版\n"
          "  --to https://HUB[:PORT]  束を HTTPS でハブに送る (-o と一緒なら両方)\n"
          "  --cacert FILE        ハブの証明書 (自己署名なら hub serve の anzen-tls.crt)\n"
          "  --pin sha256//BASE64 ハブの公開鍵の固定 (これだけなら証明書の連鎖は見ない)\n"
          "  --timeout S          送信の制限時間 (既定: 60 秒)\n"
          "--to の終了コード: 0 受付, 3 再送・古い束, 4 ハブが拒否, 5 DNS, 6 接続できない,\n"
          "                   7 TLS (証明書・固定鍵), 8 ハブの異常\n",
          "usage: anzen submit --id ID (-o FILE | --to URL) [options]\n\n"
          "Write the bundle shared with a hub (hospital group, medical association,\n"
          "prefecture): status per item and role, overdue items, plan summary, key points,\n"
          "counts of ledger, vendor and scan findings by kind. The ledger itself goes in only\n"
          "with --include-ledger. The bundle is signed with the workspace's key\n"
          "(anzen-sign.key, made at first use, mode 0600); give the fingerprint shown then to\n"
          "the hub's operator by another route (phone, letter) to register it.\n\n"
          "  --id ID              the institution id the hub enrolled (remembered)\n"
          "  -o, --output FILE    the bundle to write (- for stdout)\n"
          "  --seal HUB.pub       seal it to the hub's public key (only the hub can open it)\n"
          "  --branches FILE      as headquarters, cover the branches too (YAML/JSON)\n"
          "  --include-ledger     also the assets of the ledger\n"
          "  --fingerprint        only show the signing key's fingerprint\n"
          "  -p, --profile FILE   the profile (default profile.yaml)\n"
          "  -e, --edition ID     the edition to evaluate against\n"
          "  --to https://HUB[:PORT]  send the bundle to the hub over HTTPS (with -o: both)\n"
          "  --cacert FILE        the hub's certificate (self-signed: hub serve's anzen-tls.crt)\n"
          "  --pin sha256//BASE64 pin the hub's public key (alone, the chain is not checked)\n"
          "  --timeout S          time limit for sending (default 60 s)\n"
          "exit codes of --to: 0 accepted, 3 replay or older, 4 refused by the hub, 5 DNS,\n"
          "                    6 no connection, 7 TLS (certificate, pin), 8 hub failure\n"));
}

/* anzen-submit.seq: one "ID SEQ" line per institution id this workspace
 * has submitted as, the id used last (the default of --id) first. Each
 * id keeps its own counter, which only grows: a mistyped --id never
 * touches the counter of the real one. */
#define SEQ_MAX_IDS 256
struct seqent {
    char *id;
    long seq;
};

static void seq_free(struct seqent *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].id);
}

static size_t read_seqs(const char *path, struct seqent *e)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, n = 0;

    if (!f)
        return 0;
    while (n < SEQ_MAX_IDS && getline(&line, &cap, f) > 0) {
        char *sp = strchr(line, ' ');
        long v;
        bool dup = false;
        if (!sp || sp == line)
            continue;
        *sp = 0;
        v = strtol(sp + 1, NULL, 10);
        for (size_t i = 0; i < n; i++)
            if (!strcmp(e[i].id, line)) {
                if (v > e[i].seq)
                    e[i].seq = v;
                dup = true;
            }
        if (dup || v < 0 || !(e[n].id = strdup(line)))
            continue;
        e[n++].seq = v;
    }
    free(line);
    fclose(f);
    return n;
}

/* Write the counters back with id's set to at least seq; first: id
 * becomes the default (its line first), else it keeps its place (a new
 * id goes last, or first when there is no other). */
static int write_seqs(struct cli *c, const char *path, const char *id, long seq, bool first)
{
    struct seqent e[SEQ_MAX_IDS];
    const struct seqent *order[SEQ_MAX_IDS + 1];
    struct seqent me = {.id = (char *)id, .seq = seq};
    size_t n = read_seqs(path, e), k = 0, len = 0;
    char *buf = NULL;
    int r = 0;

    for (size_t i = 0; i < n; i++)
        if (!strcmp(e[i].id, id) && e[i].seq > me.seq)
            me.seq = e[i].seq; /* never backwards */
    if (first || n == 0)
        order[k++] = &me;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(e[i].id, id))
            order[k++] = &e[i];
        else if (!first)
            order[k++] = &me;
    }
    if (k == n && !first && n > 0) {
        bool in = false;
        for (size_t i = 0; i < k; i++)
            in |= order[i] == &me;
        if (!in && k < SEQ_MAX_IDS)
            order[k++] = &me;
    }
    for (size_t i = 0; i < k; i++) {
        char *nb = az_fmt("%s%s %ld\n", buf ? buf : "", order[i]->id, order[i]->seq);
        free(buf);
        if (!(buf = nb))
            break;
    }
    if (!buf) {
        cli_err(c, "メモリ不足", "out of memory");
        r = EXIT_ERROR;
    } else if ((len = strlen(buf)), az_write_file_atomic(&c->ctx, path, buf, len) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    }
    free(buf);
    seq_free(e, n);
    return r;
}

/* The id to submit as (--id, or the one used last) and its counter. */
static void read_seq(const char *path, char **id, long *seq)
{
    struct seqent e[SEQ_MAX_IDS];
    size_t n = read_seqs(path, e);

    *seq = 0;
    if (!*id && n > 0)
        *id = strdup(e[0].id);
    for (size_t i = 0; *id && i < n; i++)
        if (!strcmp(e[i].id, *id))
            *seq = e[i].seq;
    seq_free(e, n);
}

static char *in_dir(const char *dir, const char *name)
{
    return az_fmt("%s/%s", dir, name);
}

/* ---- --to: sending over HTTPS (libcurl) ---- */

/* Exit codes of --to, one per kind of failure (docs/hub.md). */
enum {
    SEND_REPLAY = 3,  /* the hub has this bundle or a newer one (409) */
    SEND_REFUSED = 4, /* the hub refused it (4xx): signature, key, enrolment, size */
    SEND_DNS = 5,     /* the host name does not resolve */
    SEND_CONNECT = 6, /* no connection (refused, unreachable, timed out) */
    SEND_TLS = 7,     /* TLS: certificate not trusted, pin mismatch, handshake */
    SEND_SERVER = 8,  /* the hub failed (5xx) or answered something else */
};

struct sink {
    char buf[65536];
    size_t len;
};

static size_t sink_write(char *p, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t k = size * n, room = sizeof(s->buf) - 1 - s->len;

    memcpy(s->buf + s->len, p, k < room ? k : room);
    s->len += k < room ? k : room;
    s->buf[s->len] = 0;
    return k;
}

/* https://HOST[:PORT][/PATH]: https only, no user or password, query or
 * fragment in it. Spaces around it (pasted from a mail) are dropped. */
static int to_url(struct cli *c, const char *arg, char **ret)
{
    const char *to = arg, *host;
    size_t n, tl;

    while (*to == ' ' || *to == '\t' || *to == '\r' || *to == '\n')
        to++;
    tl = strlen(to);
    while (tl > 0 && strchr(" \t\r\n", to[tl - 1]))
        tl--;
    if (tl < 8 || strncasecmp(to, "https://", 8) != 0) {
        cli_err(c, "--to: \"%s\" は https:// で始まる URL ではありません (HTTPS だけで送ります)",
                "--to: \"%s\" is not an https:// URL (bundles travel over HTTPS only)", arg);
        return EXIT_USAGE;
    }
    if (memchr(to, ' ', tl) || memchr(to, '\t', tl) || memchr(to, '\r', tl) ||
        memchr(to, '\n', tl)) {
        cli_err(c, "--to: \"%s\" の途中に空白があります", "--to: \"%s\" has a space inside", arg);
        return EXIT_USAGE;
    }
    if (memchr(to, '?', tl) || memchr(to, '#', tl)) {
        cli_err(c,
                "--to: \"%s\" に ? や # があります。ハブの URL は https://ホスト名[:ポート] "
                "だけを書いてください",
                "--to: \"%s\" has a ? or #; give the hub as https://HOST[:PORT] only", arg);
        return EXIT_USAGE;
    }
    host = to + 8;
    n = strcspn(host, "/");
    if (n > tl - 8)
        n = tl - 8;
    if (n == 0 || memchr(host, '@', n) || host[0] == ':') {
        cli_err(c, "--to: \"%s\" にハブのホスト名がありません", "--to: no hub host in \"%s\"", arg);
        return EXIT_USAGE;
    }
    /* the endpoint under the hub's base URL */
    n = tl;
    while (n > 8 && to[n - 1] == '/')
        n--;
    if (n >= 15 && !strncmp(to + n - 15, "/api/v1/bundles", 15))
        *ret = az_fmt("%.*s", (int)n, to);
    else
        *ret = az_fmt("%.*s/api/v1/bundles", (int)n, to);
    return *ret ? 0 : EXIT_ERROR;
}

/* The length of a message without its closing full stop ("。" or ".")
 * and spaces, so that it can be followed by a sentence of our own. */
static int sentence_len(const char *m)
{
    size_t n = strlen(m);

    for (;;) {
        if (n >= 3 && !memcmp(m + n - 3, "。", 3))
            n -= 3;
        else if (n && (m[n - 1] == '.' || m[n - 1] == ' ' || m[n - 1] == '\n'))
            n--;
        else
            break;
    }
    return n > INT_MAX ? INT_MAX : (int)n;
}

static int send_bundle(struct cli *c, const char *url, const char *cacert, const char *pin,
                       long timeout, const char *text, size_t len)
{
    CURL *h;
    CURLcode e;
    struct curl_slist *hdr = NULL;
    struct sink *s = calloc(1, sizeof(*s));
    char errbuf[CURL_ERROR_SIZE] = "";
    long code = 0;
    int r = EXIT_ERROR;

    if (!s || curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || !(h = curl_easy_init())) {
        free(s);
        cli_err(c, "HTTPS の準備ができません (libcurl)", "cannot set up HTTPS (libcurl)");
        return EXIT_ERROR;
    }
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Accept: application/json");
    hdr = curl_slist_append(hdr, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "anzen/" AZ_VERSION);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout < 30 ? timeout : 30L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (cacert)
        curl_easy_setopt(h, CURLOPT_CAINFO, cacert);
    if (pin) {
        curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, pin);
        if (!cacert) {
            /* a pin alone: the hub's own (self-signed) key is what is
             * trusted, so the chain is not checked, the pin is */
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        }
    }
    e = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    switch (e) {
    case CURLE_OK:
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        cli_err(c, "%s: ハブのホスト名が引けません (DNS)。URL と院内の名前解決を確かめてください",
                "%s: the hub's host name does not resolve (DNS); check the URL and name "
                "resolution",
                url);
        r = SEND_DNS;
        goto out;
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        cli_err(c, "%s: ハブにつながりません (%s)。経路とハブが動いているかを確かめてください",
                "%s: cannot reach the hub (%s); check the route and that the hub is running", url,
                errbuf[0] ? errbuf : curl_easy_strerror(e));
        r = SEND_CONNECT;
        goto out;
    case CURLE_SSL_CONNECT_ERROR:
        if (strstr(errbuf, "wrong version number") || strstr(errbuf, "packet length too long") ||
            strstr(errbuf, "http request")) {
            cli_err(c,
                    "%s: そのポートで答えたのは HTTPS ではありません (平文の HTTP など)。URL の"
                    "ポート番号がハブの hub serve のものか確かめてください。束は送っていません",
                    "%s: what answers on that port is not HTTPS (plain HTTP?); check that the "
                    "port is hub serve's. Nothing was sent",
                    url);
            r = SEND_TLS;
            goto out;
        }
        /* fall through */
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_INVALIDCERTSTATUS:
        cli_err(c,
                "%s: ハブの証明書を信頼できません (%s)。--cacert か --pin がハブの運営者から"
                "受け取ったものか確かめてください。束は送っていません",
                "%s: the hub's certificate is not trusted (%s); check that --cacert or --pin "
                "is what the hub's operator gave you. Nothing was sent",
                url, errbuf[0] ? errbuf : curl_easy_strerror(e));
        r = SEND_TLS;
        goto out;
    default:
        cli_err(c, "%s: 送れませんでした (%s)", "%s: sending failed (%s)", url,
                errbuf[0] ? errbuf : curl_easy_strerror(e));
        r = SEND_CONNECT;
        goto out;
    }
    {
        json_t *j = json_loads(s->buf, 0, NULL);
        const char *st = json_string_value(json_object_get(j, "status"));
        const char *mja = json_string_value(json_object_get(j, "message_ja"));
        const char *men = json_string_value(json_object_get(j, "message_en"));
        const char *msg = c->lang == AZ_LANG_EN ? men : mja;
        const char *detail = json_string_value(json_object_get(j, "detail"));
        if (code == 201 && st && !strcmp(st, "accepted")) {
            fprintf(stderr,
                    L(c, "%s: ハブが束を受け付けました\n", "%s: the hub accepted the bundle\n"),
                    url);
            r = 0;
        } else if (code == 409) {
            cli_err(c, "%s: %s", "%s: %s", url,
                    msg ? msg : L(c, "ハブにはすでにこの束があります", "the hub has it already"));
            r = SEND_REPLAY;
        } else if (code >= 400 && code < 500) {
            cli_err(c, "%s: ハブが束を拒否しました (HTTP %ld): %s%s%s",
                    "%s: the hub refused the bundle (HTTP %ld): %s%s%s", url, code,
                    msg ? msg : L(c, "(理由なし)", "(no reason given)"), detail ? " — " : "",
                    detail ? detail : "");
            r = SEND_REFUSED;
        } else if (code >= 500 && msg) {
            cli_err(c,
                    "%s: ハブで障害が起きています (HTTP %ld): "
                    "%.*s。しばらくしてから送り直すか、ハブの運営者に連絡してください",
                    "%s: the hub has a failure (HTTP %ld): %.*s; send again later or tell the "
                    "hub's operator",
                    url, code, sentence_len(msg), msg);
            r = SEND_SERVER;
        } else {
            cli_err(c, "%s: ハブの応答が分かりません (HTTP %ld)%s%s",
                    "%s: unexpected answer from the hub (HTTP %ld)%s%s", url, code, msg ? ": " : "",
                    msg ? msg : "");
            r = SEND_SERVER;
        }
        json_decref(j);
    }
out:
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    free(s);
    return r;
}

int cmd_submit(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"id", required_argument, NULL, 'i'},       {"output", required_argument, NULL, 'o'},
        {"seal", required_argument, NULL, 's'},     {"branches", required_argument, NULL, 'b'},
        {"include-ledger", no_argument, NULL, 'L'}, {"fingerprint", no_argument, NULL, 'F'},
        {"profile", required_argument, NULL, 'p'},  {"edition", required_argument, NULL, 'e'},
        {"to", required_argument, NULL, 'T'},       {"cacert", required_argument, NULL, 'C'},
        {"pin", required_argument, NULL, 'N'},      {"timeout", required_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    const char *to = NULL, *cacert = NULL, *pin = NULL;
    char *url = NULL;
    struct stat cst;
    long timeout = 60;
    const char *out = NULL, *seal = NULL, *branches = NULL, *profile = NULL, *edition = NULL;
    char *id = NULL, *keyp = NULL, *pubp = NULL, *seqp = NULL, *fp = NULL, *text = NULL;
    char *sealed = NULL, created[32];
    bool incl = false, fponly = false, made = false;
    unsigned char sk[64], pk[32], hub_pk[32];
    struct az_doc *bdoc = NULL;
    struct az_workspace *ws = NULL;
    struct az_ws_view *v = NULL;
    json_t *payload = NULL;
    size_t len = 0;
    long seq = 0;
    int o, r = EXIT_ERROR;
    time_t now;
    struct tm tm;

    optind = 1;
    while ((o = getopt_long(argc, argv, "o:p:e:h", opts, NULL)) != -1) {
        switch (o) {
        case 'i':
            free(id);
            id = strdup(optarg);
            break;
        case 'o':
            out = optarg;
            break;
        case 's':
            seal = optarg;
            break;
        case 'b':
            branches = optarg;
            break;
        case 'L':
            incl = true;
            break;
        case 'F':
            fponly = true;
            break;
        case 'p':
            profile = optarg;
            break;
        case 'e':
            edition = optarg;
            break;
        case 'T':
            to = optarg;
            break;
        case 'C':
            cacert = optarg;
            break;
        case 'N':
            pin = optarg;
            break;
        case 'W':
            if (az_parse_long(optarg, 1, 3600, &timeout) < 0) {
                cli_err(c, "--timeout は 1〜3600 秒です", "--timeout takes 1 to 3600 seconds");
                free(id);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            submit_help(c, stdout);
            free(id);
            return 0;
        default:
            cli_err(c, "不明なオプションまたは引数の不足", "unknown option or missing argument");
            free(id);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind]);
        free(id);
        return EXIT_USAGE;
    }
    if (!out && !fponly && !to) {
        cli_err(c, "書き出す束のファイルを -o で、または送り先のハブを --to で指定してください",
                "give the bundle's file with -o or the hub to send it to with --to");
        free(id);
        return EXIT_USAGE;
    }
    if (!to && (cacert || pin)) {
        cli_err(c, "--cacert と --pin は --to と一緒に使います", "--cacert and --pin go with --to");
        free(id);
        return EXIT_USAGE;
    }
    if (pin && strncmp(pin, "sha256//", 8)) {
        cli_err(c, "--pin は sha256//BASE64 の形です (ハブの公開鍵の SHA-256)",
                "--pin is sha256//BASE64 (the SHA-256 of the hub's public key)");
        free(id);
        return EXIT_USAGE;
    }
    if (to && (r = to_url(c, to, &url))) {
        free(id);
        return r;
    }
    if (cacert && (access(cacert, R_OK) != 0 ||
                   (stat(cacert, &cst) == 0 && S_ISDIR(cst.st_mode) && (errno = EISDIR)))) {
        cli_err(c, "--cacert %s: %s (ハブの運営者から受け取った証明書のファイルを指定してください)",
                "--cacert %s: %s (give the certificate file the hub's operator gave you)", cacert,
                az_errno_text(c->lang, errno));
        free(id);
        free(url);
        return EXIT_USAGE;
    }
    {
        struct az_ws_files f = {.profile = profile};
        if ((r = cli_ws(c, &f, &ws))) {
            free(id);
            return r;
        }
        r = EXIT_ERROR;
    }
    keyp = in_dir(ws->dir, AZ_SIGN_KEY_FILE);
    pubp = in_dir(ws->dir, AZ_SIGN_PUB_FILE);
    seqp = in_dir(ws->dir, AZ_SUBMIT_SEQ_FILE);
    if (!keyp || !pubp || !seqp) {
        cli_err(c, "メモリ不足", "out of memory");
        goto out;
    }
    if (az_sign_key_load_or_create(&c->ctx, keyp, pubp, sk, pk, &made) < 0) {
        cli_liberr(c);
        goto out;
    }
    fp = az_key_fingerprint(pk);
    if (made || fponly)
        fprintf(stderr,
                L(c,
                  "%s署名鍵: %s (公開鍵 %s)\n指紋: %s\n"
                  "この指紋をハブの運営者に別の経路 (電話・書面) で伝えてください。\n",
                  "%ssigning key: %s (public key %s)\nfingerprint: %s\n"
                  "Give this fingerprint to the hub's operator by another route (phone, "
                  "letter).\n"),
                made ? L(c, "新しい", "new ") : "", keyp, pubp, fp ? fp : "?");
    if (fponly) {
        r = 0;
        goto out;
    }
    read_seq(seqp, &id, &seq);
    if (!id) {
        cli_err(c, "ハブに登録された機関 ID を --id で指定してください",
                "give the institution id the hub enrolled with --id");
        r = EXIT_USAGE;
        goto out;
    }
    if (seal && az_pub_key_load(&c->ctx, seal, "anzen-x25519-public/1", hub_pk) < 0) {
        cli_liberr(c);
        goto out;
    }
    if (branches) {
        if (az_doc_load_file(&c->ctx, branches, &bdoc) < 0) {
            cli_liberr(c);
            goto out;
        }
        if (!json_is_array(az_doc_root(bdoc))) {
            cli_err(c, "%s: 支店の一覧 (配列) ではありません", "%s: not a list of branches",
                    branches);
            goto out;
        }
    }
    if (az_ws_load(ws, &c->ctx, edition, &v) < 0) {
        cli_liberr(c);
        goto out;
    }
    now = time(NULL);
    if (!gmtime_r(&now, &tm) || !strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
        cli_err(c, "時刻を得られません", "cannot read the clock");
        goto out;
    }
    {
        /* a rehearsal of a later year (anzen --as-of) may be written and
         * looked at, but a hub refuses it: its year must have begun (in
         * Japan) when the bundle is made */
        time_t jst = now + 9 * 3600;
        struct tm jt;
        if (gmtime_r(&jst, &jt)) {
            int fy_now = jt.tm_mon >= 3 ? jt.tm_year + 1900 : jt.tm_year + 1899;
            if (az_fiscal_year(c->as_of) > fy_now)
                fprintf(stderr,
                        L(c,
                          "anzen: 注意: 基準日 (--as-of) の年度 %d は今の年度 %d より後です。"
                          "ハブはこの束を受け付けません (翌年度の予行演習用)\n",
                          "anzen: note: the fiscal year of --as-of (%d) is later than the "
                          "current one (%d); a hub will refuse this bundle (a rehearsal)\n"),
                        az_fiscal_year(c->as_of), fy_now);
        }
    }
    {
        struct az_bundle_opts bo = {.institution = id,
                                    .sequence = seq + 1,
                                    .created_at = created,
                                    .include_ledger = incl,
                                    .branches = bdoc ? az_doc_root(bdoc) : NULL};
        if (az_bundle_build(&c->ctx, v, &bo, &payload) < 0 ||
            az_bundle_sign(&c->ctx, payload, sk, &text, &len) < 0) {
            cli_liberr(c);
            goto out;
        }
        /* the bundle must pass the hub's own checks before it travels */
        {
            struct az_bundle *chk = NULL;
            /* only the branches come from the user's own text */
            if (az_bundle_parse(&c->ctx,
                                branches ? branches
                                : out    ? out
                                         : "bundle",
                                text, len, NULL, NULL, &chk) < 0) {
                cli_liberr(c);
                goto out;
            }
            az_bundle_free(chk);
        }
    }
    if (seal) {
        size_t sl;
        if (az_bundle_seal(&c->ctx, text, len, hub_pk, &sealed, &sl) < 0) {
            cli_liberr(c);
            goto out;
        }
        free(text);
        text = sealed;
        sealed = NULL;
        len = sl;
    }
    if (out && (r = out_write(c, out, text, len)))
        goto out;
    /* the sequence is used up before sending: if the answer is lost, the
     * next bundle is still newer than whatever the hub has. Only this
     * id's counter moves; it becomes the remembered id once a bundle was
     * written to a file or accepted by the hub (a mistyped --id the hub
     * refuses is not remembered). */
    if ((r = write_seqs(c, seqp, id, seq + 1, !url)))
        goto out;
    if (url) {
        if ((r = send_bundle(c, url, cacert, pin, timeout, text, len)))
            goto out;
        if ((r = write_seqs(c, seqp, id, seq + 1, true)))
            goto out;
    }
    if (out && strcmp(out, "-"))
        fprintf(stderr,
                L(c, "%s: 束 %s (通し番号 %ld%s) を書き出しました\n",
                  "%s: wrote bundle %s (sequence %ld%s)\n"),
                out, json_string_value(json_object_get(payload, "bundle_id")), seq + 1,
                seal ? L(c, "、ハブ宛てに封をしました", ", sealed to the hub") : "");
    r = 0;
out:
    sodium_memzero(sk, sizeof(sk));
    json_decref(payload);
    az_ws_view_free(v);
    az_ws_close(ws);
    az_doc_free(bdoc);
    free(id);
    free(keyp);
    free(pubp);
    free(seqp);
    free(fp);
    free(text);
    free(sealed);
    free(url);
    return r;
}
