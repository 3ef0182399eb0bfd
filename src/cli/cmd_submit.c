/* SPDX-License-Identifier: MIT */
/*
 * cmd_submit.c - `anzen submit`: write the bundle this institution shares
 * with a hub (status per item and role, overdue items, plan summary, key
 * points, counts of findings by kind), signed with the workspace's
 * Ed25519 key and optionally sealed to the hub's key (docs/hub.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "anzen/doc.h"
#include "anzen/hub.h"
#include "cli.h"

static void submit_help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen submit --id 機関ID -o FILE [オプション]\n\n"
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
          "  --to URL             (この版では使えません: HTTPS 送信は未実装)\n",
          "usage: anzen submit --id ID -o FILE [options]\n\n"
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
          "  --to URL             (not in this build: sending over HTTPS is not implemented)\n"));
}

/* "ID SEQ" of the last submission, if any. */
static void read_seq(const char *path, char **id, long *seq)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;

    *seq = 0;
    if (!f)
        return;
    if (getline(&line, &cap, f) > 0) {
        char *sp = strchr(line, ' ');
        if (sp) {
            *sp = 0;
            if (!*id)
                *id = strdup(line);
            else if (strcmp(*id, line))
                *seq = 0; /* another id: its own sequence */
            if (!strcmp(*id ? *id : "", line))
                *seq = strtol(sp + 1, NULL, 10);
        }
    }
    free(line);
    fclose(f);
}

static char *in_dir(const char *dir, const char *name)
{
    return az_fmt("%s/%s", dir, name);
}

int cmd_submit(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"id", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"seal", required_argument, NULL, 's'},
        {"branches", required_argument, NULL, 'b'},
        {"include-ledger", no_argument, NULL, 'L'},
        {"fingerprint", no_argument, NULL, 'F'},
        {"profile", required_argument, NULL, 'p'},
        {"edition", required_argument, NULL, 'e'},
        {"to", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
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
            cli_err(c,
                    "--to: HTTPS での送信はこの版にはありません (libcurl を依存に加えていません)。"
                    "束を -o で書き出し、USB メモリや安全な経路で運んでください",
                    "--to: sending over HTTPS is not in this build (libcurl is not a dependency);"
                    " write the bundle with -o and carry it by a safe route");
            free(id);
            return EXIT_USAGE;
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
    if (!out && !fponly) {
        cli_err(c, "書き出す束のファイルを -o で指定してください",
                "give the bundle's file with -o");
        free(id);
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
            if (az_bundle_parse(&c->ctx, branches ? branches : out, text, len, NULL, NULL, &chk) <
                0) {
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
    if ((r = out_write(c, out, text, len)))
        goto out;
    {
        char *line = az_fmt("%s %ld\n", id, seq + 1);
        if (!line || az_write_file_atomic(&c->ctx, seqp, line, strlen(line)) < 0) {
            free(line);
            cli_liberr(c);
            r = EXIT_ERROR;
            goto out;
        }
        free(line);
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
    return r;
}
