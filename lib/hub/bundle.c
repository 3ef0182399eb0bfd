/* SPDX-License-Identifier: MIT */
/*
 * bundle.c - submission bundles: what an institution shares with a hub,
 * their canonical encoding, Ed25519 signature, sealing to the hub's
 * X25519 key, and the strict parser the hub runs on them (hub.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "anzen/hub.h"
#include "anzen/util.h"
#include "anzen/workspace.h"

#define SK_KIND  "anzen-ed25519-secret/1"
#define PK_KIND  "anzen-ed25519-public/1"
#define BSK_KIND "anzen-x25519-secret/1"
#define BPK_KIND "anzen-x25519-public/1"

static int sodium_ready(struct az_ctx *ctx)
{
    if (sodium_init() < 0)
        return az_fail(ctx, AZ_EIO, "libsodium を初期化できません", "cannot initialise libsodium");
    return 0;
}

static char *b64(const unsigned char *p, size_t n)
{
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(len);

    if (s)
        sodium_bin2base64(s, len, p, n, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

/* Decode base64 into exactly n bytes. */
static int unb64(const char *s, size_t slen, unsigned char *out, size_t n)
{
    size_t got = 0;

    if (sodium_base642bin(out, n, s, slen, " \t\r\n", &got, NULL, sodium_base64_VARIANT_ORIGINAL) !=
            0 ||
        got != n)
        return -1;
    return 0;
}

char *az_key_b64(const unsigned char pk[32])
{
    return b64(pk, 32);
}

char *az_key_fingerprint(const unsigned char pk[32])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    struct az_buf b;
    static const char hex[] = "0123456789abcdef";

    if (sodium_init() < 0)
        return NULL;
    crypto_hash_sha256(h, pk, 32);
    az_buf_init(&b, 256);
    az_buf_puts(&b, "SHA256:");
    for (size_t i = 0; i < 16; i++) {
        char two[3] = {hex[h[i] >> 4], hex[h[i] & 15], 0};
        if (i && i % 2 == 0)
            az_buf_puts(&b, ":");
        az_buf_puts(&b, two);
    }
    return az_buf_take(&b);
}

/* Read "KIND BASE64" from path into n bytes. */
static int key_file_read(struct az_ctx *ctx, const char *path, const char *kind, unsigned char *out,
                         size_t n)
{
    char *data = NULL;
    size_t len = 0, klen = strlen(kind);
    int r = az_read_text_file(ctx, path, &data, &len);

    if (r < 0)
        return r;
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        data[--len] = 0;
    if (len <= klen + 1 || strncmp(data, kind, klen) || data[klen] != ' ' ||
        unb64(data + klen + 1, len - klen - 1, out, n) < 0) {
        free(data);
        return az_fail(ctx, AZ_ESYNTAX, "%s: %s の鍵ファイルではありません",
                       "%s: not a key file of kind %s", path, kind);
    }
    sodium_memzero(data, len);
    free(data);
    return 0;
}

/* Write "KIND BASE64\n" to path, refusing to replace a file; mode 0600 or 0644. */
static int key_file_write(struct az_ctx *ctx, const char *path, const char *kind,
                          const unsigned char *k, size_t n, mode_t mode)
{
    char *s = b64(k, n), *line = NULL;
    int fd, r = 0;
    size_t len;

    if (!s || az_strf(&line, "%s %s\n", kind, s) < 0) {
        free(s);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    sodium_memzero(s, strlen(s));
    free(s);
    len = strlen(line);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        r = az_fail(ctx, AZ_EIO, "%s: 鍵ファイルを作れません: %s",
                    "%s: cannot create the key file: %s", path, strerror(errno));
    } else {
        if (fchmod(fd, mode) < 0 || write(fd, line, len) != (ssize_t)len || fsync(fd) < 0)
            r = az_fail(ctx, AZ_EIO, "%s: 鍵ファイルを書けません: %s",
                        "%s: cannot write the key file: %s", path, strerror(errno));
        close(fd);
        if (r < 0)
            unlink(path);
    }
    sodium_memzero(line, len);
    free(line);
    return r;
}

int az_sign_key_load_or_create(struct az_ctx *ctx, const char *key_path, const char *pub_path,
                               unsigned char sk[64], unsigned char pk[32], bool *ret_created)
{
    struct stat st;
    int r;

    if ((r = sodium_ready(ctx)) < 0)
        return r;
    if (stat(key_path, &st) == 0) {
        if (st.st_mode & 077)
            return az_fail(
                ctx, AZ_EIO, "%s: 署名鍵が他の利用者から読めます (chmod 600 %s としてください)",
                "%s: the signing key is readable by others (run chmod 600 %s)", key_path, key_path);
        if ((r = key_file_read(ctx, key_path, SK_KIND, sk, 64)) < 0)
            return r;
        crypto_sign_ed25519_sk_to_pk(pk, sk);
        if (ret_created)
            *ret_created = false;
        return 0;
    }
    crypto_sign_keypair(pk, sk);
    if ((r = key_file_write(ctx, key_path, SK_KIND, sk, 64, 0600)) < 0)
        return r;
    if (pub_path && (r = key_file_write(ctx, pub_path, PK_KIND, pk, 32, 0644)) < 0) {
        unlink(key_path);
        return r;
    }
    if (ret_created)
        *ret_created = true;
    return 0;
}

int az_pub_key_load(struct az_ctx *ctx, const char *path_or_b64, const char *kind,
                    unsigned char pk[32])
{
    struct stat st;
    int r;

    if ((r = sodium_ready(ctx)) < 0)
        return r;
    if (stat(path_or_b64, &st) == 0)
        return key_file_read(ctx, path_or_b64, kind ? kind : PK_KIND, pk, 32);
    if (unb64(path_or_b64, strlen(path_or_b64), pk, 32) < 0)
        return az_fail(ctx, AZ_EINVAL, "\"%s\": 公開鍵のファイルでも base64 の鍵でもありません",
                       "\"%s\": neither a public key file nor a base64 key", path_or_b64);
    return 0;
}

int az_box_keys_create(struct az_ctx *ctx, const char *key_path, const char *pub_path)
{
    unsigned char pk[32], sk[32];
    int r;

    if ((r = sodium_ready(ctx)) < 0)
        return r;
    crypto_box_keypair(pk, sk);
    r = key_file_write(ctx, key_path, BSK_KIND, sk, 32, 0600);
    sodium_memzero(sk, sizeof(sk));
    if (r < 0)
        return r;
    if ((r = key_file_write(ctx, pub_path, BPK_KIND, pk, 32, 0644)) < 0)
        unlink(key_path);
    return r;
}

int az_box_key_load(struct az_ctx *ctx, const char *key_path, unsigned char pk[32],
                    unsigned char sk[32])
{
    int r;

    if ((r = sodium_ready(ctx)) < 0)
        return r;
    if ((r = key_file_read(ctx, key_path, BSK_KIND, sk, 32)) < 0)
        return r;
    crypto_scalarmult_base(pk, sk);
    return 0;
}

/* ---- building ---- */

static const char *role_tokens[] = {"management", "planning", "operations"};

static json_t *score_json(const struct az_score *s)
{
    return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "applicable", s->applicable, "satisfied",
                     s->satisfied, "gaps", s->gaps, "unanswered", s->unanswered, "na", s->na,
                     "overdue", s->overdue);
}

/* The item's topic: its ID without the edition and form ("patches"). */
static const char *topic_of(const char *id)
{
    const char *d = strrchr(id, '.');
    return d ? d + 1 : id;
}

static const char *overdue_token(enum az_overdue o)
{
    switch (o) {
    case AZ_OD_FISCAL_YEAR:
        return "fiscal-year";
    case AZ_OD_DUE_BY:
        return "due-by";
    case AZ_OD_NONE:
        return NULL;
    default:
        return "target";
    }
}

static const char *type_token(unsigned t)
{
    switch (t) {
    case AZ_INST_HOSPITAL:
        return "hospital";
    case AZ_INST_CLINIC:
        return "clinic";
    case AZ_INST_DENTAL:
        return "dental";
    case AZ_INST_PHARMACY:
        return "pharmacy";
    case AZ_INST_MIDWIFERY:
        return "midwifery";
    default:
        return "other";
    }
}

/* Count the findings of a JSON array by rule into counts. */
static void count_rules(json_t *counts, const json_t *arr, json_t *vpn)
{
    size_t i;
    json_t *f;

    if (!json_is_array(arr))
        return;
    json_array_foreach(arr, i, f)
    {
        const char *rule = json_string_value(json_object_get(f, "rule"));
        json_t *c;
        if (!rule)
            continue;
        c = json_object_get(counts, rule);
        json_object_set_new(counts, rule, json_integer(c ? json_integer_value(c) + 1 : 1));
        /* The ledger check writes its KEV matches as rule "kev" (the "/vpn"
         * of a VPN-kind device is not in the JSON); every KEV family is a
         * remote-access appliance, so each match is an exposed VPN. */
        if (vpn && !strcmp(rule, "kev") && json_is_string(json_object_get(f, "family"))) {
            const char *fam = json_string_value(json_object_get(f, "family"));
            const char *ver = json_string_value(json_object_get(f, "version"));
            json_t *ids = json_array(), *cv;
            size_t k;
            json_array_foreach(json_object_get(f, "cves"), k, cv)
            {
                const char *cve = json_string_value(json_object_get(cv, "cve"));
                if (cve && strlen(cve) <= 32 && json_array_size(ids) < 64)
                    json_array_append_new(ids, json_string(cve));
            }
            json_array_append_new(vpn, json_pack("{s:s,s:s,s:o}", "family", fam, "version",
                                                 ver ? ver : "", "cves", ids));
        }
    }
}

static bool item_satisfied(const struct az_eval *e, const char *topic)
{
    for (size_t i = 0; i < e->nresults; i++)
        if (!strcmp(topic_of(e->results[i].item->id), topic))
            return e->results[i].status == AZ_ST_SATISFIED;
    return false;
}

static int valid_id(const char *s)
{
    size_t n = 0;

    if (!s)
        return 0;
    for (; s[n]; n++) {
        char ch = s[n];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return 0;
    }
    return n >= 1 && n <= 64;
}

static int valid_time(const char *s)
{
    /* YYYY-MM-DDTHH:MM:SSZ */
    static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";

    if (!s || strlen(s) != sizeof(pat) - 1)
        return 0;
    for (size_t i = 0; pat[i]; i++)
        if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
            return 0;
    return 1;
}

static int valid_hex32(const char *s)
{
    if (!s || strlen(s) != 32)
        return 0;
    for (size_t i = 0; i < 32; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

int az_bundle_build(struct az_ctx *ctx, const struct az_ws_view *v, const struct az_bundle_opts *o,
                    json_t **ret)
{
    const struct az_eval *e = v->e;
    const struct az_profile *p = v->p;
    json_t *j, *items, *overdue, *roles, *kp, *counts, *vpn, *plan, *ind;
    char idbuf[33];
    const char *bid = o->bundle_id;
    size_t i;
    json_t *t;
    int mfa_ready = 1;

    if (!valid_id(o->institution))
        return az_fail(ctx, AZ_EINVAL,
                       "機関 ID \"%s\" は英数字と . _ - の 1〜64 文字で指定してください",
                       "the institution id \"%s\" must be 1 to 64 of letters, digits, . _ -",
                       o->institution ? o->institution : "");
    if (o->sequence < 1 || !valid_time(o->created_at))
        return az_fail(ctx, AZ_EINVAL, "通し番号または作成時刻が正しくありません",
                       "bad sequence number or creation time");
    if (!bid) {
        unsigned char rnd[16];
        static const char hex[] = "0123456789abcdef";
        if (sodium_ready(ctx) < 0)
            return ctx->err;
        randombytes_buf(rnd, sizeof(rnd));
        for (i = 0; i < 16; i++) {
            idbuf[2 * i] = hex[rnd[i] >> 4];
            idbuf[2 * i + 1] = hex[rnd[i] & 15];
        }
        idbuf[32] = 0;
        bid = idbuf;
    } else if (!valid_hex32(bid)) {
        return az_fail(ctx, AZ_EINVAL, "束の ID は 16 進 32 桁です",
                       "a bundle id is 32 hex digits");
    }
    items = json_array();
    overdue = json_array();
    for (i = 0; i < e->nresults; i++) {
        const struct az_item_result *r = &e->results[i];
        const char *od = overdue_token(r->overdue);
        json_t *rl;
        if (r->status == AZ_ST_GATE)
            continue;
        rl = json_array();
        for (int k = 0; k < 3; k++)
            if (r->item->roles & (1u << k))
                json_array_append_new(rl, json_string(role_tokens[k]));
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "id", r->item->id,
                                               "topic", topic_of(r->item->id), "label",
                                               r->item->label ? r->item->label : "", "status",
                                               az_status_token(r->status), "overdue",
                                               od ? json_string(od) : json_null(), "roles", rl));
        if (od)
            json_array_append_new(overdue, json_string(r->item->id));
    }
    roles = json_object();
    for (int k = 0; k < 3; k++)
        json_object_set_new(roles, role_tokens[k], score_json(&e->role[k]));
    kp = json_object();
    json_array_foreach(json_object_get(v->keypoints, "tracks"), i, t)
    {
        const char *id = json_string_value(json_object_get(t, "id"));
        const char *lv = json_string_value(json_object_get(t, "level"));
        if (id && lv)
            json_object_set_new(kp, id, json_string(lv));
        if (id && !strcmp(id, "mfa") && (!lv || strcmp(lv, "ok")))
            mfa_ready = 0;
    }
    counts = json_object();
    vpn = json_array();
    count_rules(counts, json_object_get(v->ledger_check, "findings"), vpn);
    count_rules(counts, json_object_get(v->vendor_check, "findings"), NULL);
    if (v->scan)
        count_rules(counts, json_object_get(v->scan, "findings"), NULL);
    plan = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "items", (int)(v->plan ? v->plan->n : 0),
                     "unanswered", v->plan ? v->plan->unanswered : 0, "open", 0, "in-progress", 0,
                     "done", 0, "verified", 0);
    for (i = 0; v->plan && i < v->plan->n; i++) {
        const char *st = az_plan_status_token(v->plan->v[i].track[1].status);
        json_t *c = json_object_get(plan, st);
        if (c)
            json_integer_set(c, json_integer_value(c) + 1);
    }
    ind = json_pack("{s:b,s:b,s:b,s:b,s:b,s:b}", "cyber_bcp", item_satisfied(e, "cyber-bcp"), "mfa",
                    item_satisfied(e, "mfa"), "patching", item_satisfied(e, "patches"), "usb",
                    item_satisfied(e, "external-media"), "contract_roles",
                    item_satisfied(e, "mds-sds"), "mfa_fy2027", mfa_ready);
    j = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:i,s:s,s:s,s:{s:s,s:i,s:s,s:s},s:o,s:o,s:o,s:o,"
                  "s:o,s:o,s:o,s:o,s:o}",
                  "schema", AZ_BUNDLE_SCHEMA, "anzen_version", AZ_VERSION, "bundle_id", bid,
                  "institution", o->institution, "sequence", (json_int_t)o->sequence, "created_at",
                  o->created_at, "as_of", "", "fiscal_year", e->as_of_fy, "edition", e->edition->id,
                  "form", e->form ? e->form->id : "", "profile", "type", type_token(p->type),
                  "beds", p->beds, "prefecture", p->prefecture ? p->prefecture : "", "name",
                  p->name ? p->name : "", "total", score_json(&e->total), "roles", roles, "items",
                  items, "overdue", overdue, "plan", plan, "keypoints", kp, "findings", counts,
                  "vpn_kev", vpn, "indicators", ind);
    if (!j)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    {
        char d[11];
        snprintf(d, sizeof(d), "%04d-%02d-%02d", e->as_of.y, e->as_of.m, e->as_of.d);
        json_object_set_new(j, "as_of", json_string(d));
    }
    if (o->branches) {
        /* YAML gives its scalars as text: the indicators are booleans */
        json_t *br = json_deep_copy(o->branches), *b1, *ind2, *x;
        const char *k;
        json_array_foreach(br, i, b1)
        {
            ind2 = json_object_get(b1, "indicators");
            json_object_foreach(ind2, k, x)
            {
                const char *sv = json_string_value(x);
                if (sv && (!strcmp(sv, "true") || !strcmp(sv, "yes") || !strcmp(sv, "はい")))
                    json_object_set_new(ind2, k, json_true());
                else if (sv && (!strcmp(sv, "false") || !strcmp(sv, "no") || !strcmp(sv, "いいえ")))
                    json_object_set_new(ind2, k, json_false());
            }
        }
        json_object_set_new(j, "branches", br);
    }
    if (o->include_ledger && v->ledger) {
        json_t *assets = json_object_get(v->ledger_check, "assets");
        json_object_set_new(j, "ledger_assets", assets ? json_deep_copy(assets) : json_null());
    }
    *ret = j;
    return 0;
}

/* ---- canonical form, signing, sealing ---- */

static int no_reals(const json_t *j, int depth)
{
    size_t i;
    const char *k;
    json_t *v;

    if (depth > 32)
        return -1;
    if (json_is_real(j))
        return -1;
    if (json_is_array(j)) {
        json_array_foreach((json_t *)j, i, v) if (no_reals(v, depth + 1) < 0) return -1;
    } else if (json_is_object(j)) {
        json_object_foreach((json_t *)j, k, v) if (no_reals(v, depth + 1) < 0) return -1;
    }
    return 0;
}

int az_bundle_canonical(struct az_ctx *ctx, const json_t *payload, char **ret, size_t *ret_len)
{
    char *s;

    if (!json_is_object(payload) || no_reals(payload, 0) < 0)
        return az_fail(ctx, AZ_ESCHEMA,
                       "束の内容は小数を含まず、入れ子が 32 段までのオブジェクトです",
                       "a bundle payload is an object without reals, nested at most 32 deep");
    s = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    if (!s)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    *ret = s;
    *ret_len = strlen(s);
    return 0;
}

int az_bundle_sign(struct az_ctx *ctx, const json_t *payload, const unsigned char sk[64],
                   char **ret, size_t *ret_len)
{
    unsigned char sig[crypto_sign_BYTES], pk[32];
    char *canon = NULL, *ssig, *spk, *out;
    size_t clen;
    json_t *env;
    int r;

    if ((r = sodium_ready(ctx)) < 0 || (r = az_bundle_canonical(ctx, payload, &canon, &clen)) < 0)
        return r;
    crypto_sign_detached(sig, NULL, (const unsigned char *)canon, clen, sk);
    crypto_sign_ed25519_sk_to_pk(pk, sk);
    free(canon);
    canon = NULL;
    ssig = b64(sig, sizeof(sig));
    spk = b64(pk, 32);
    env = json_pack("{s:s,s:s,s:s,s:s,s:O}", "schema", AZ_SIGNED_SCHEMA, "alg", "ed25519", "key",
                    spk ? spk : "", "sig", ssig ? ssig : "", "payload", payload);
    free(ssig);
    free(spk);
    out = env ? json_dumps(env, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(env);
    if (!out || az_strf(&canon, "%s\n", out) < 0) {
        free(out);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    free(out);
    *ret = canon;
    *ret_len = strlen(canon);
    return 0;
}

int az_bundle_seal(struct az_ctx *ctx, const char *data, size_t len, const unsigned char hub_pk[32],
                   char **ret, size_t *ret_len)
{
    unsigned char *c;
    char *sb, *out = NULL, *fp;
    int r;

    if ((r = sodium_ready(ctx)) < 0)
        return r;
    if (len > AZ_BUNDLE_MAX)
        return az_fail(ctx, AZ_ERANGE, "束が大きすぎます", "the bundle is too large");
    c = malloc(len + crypto_box_SEALBYTES);
    if (!c)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    crypto_box_seal(c, (const unsigned char *)data, len, hub_pk);
    sb = b64(c, len + crypto_box_SEALBYTES);
    free(c);
    fp = az_key_fingerprint(hub_pk);
    if (!sb || !fp ||
        az_strf(&out, "{\"box\":\"%s\",\"schema\":\"%s\",\"to\":\"%s\"}\n", sb, AZ_SEALED_SCHEMA,
                fp) < 0) {
        free(sb);
        free(fp);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    free(sb);
    free(fp);
    *ret = out;
    *ret_len = strlen(out);
    return 0;
}

/* ---- parsing ---- */

void az_bundle_free(struct az_bundle *b)
{
    if (!b)
        return;
    json_decref(b->payload);
    free(b);
}

static int bad(struct az_ctx *ctx, const char *name, const char *ja, const char *en)
{
    return az_fail(ctx, AZ_ESCHEMA, "%s: %s", "%s: %s", name, ctx->lang == AZ_LANG_EN ? en : ja);
}

static const char *const status_ok[] = {"satisfied",      "gap",  "unanswered", "na",
                                        "not-applicable", "gate", NULL};

static int check_items(const json_t *items)
{
    size_t i;
    json_t *it;

    if (!json_is_array(items) || json_array_size(items) > 1000)
        return -1;
    json_array_foreach((json_t *)items, i, it)
    {
        const char *topic = json_string_value(json_object_get(it, "topic"));
        const char *st = json_string_value(json_object_get(it, "status"));
        json_t *od = json_object_get(it, "overdue");
        int ok = 0;
        if (!valid_id(topic) || !st || (od && !json_is_null(od) && !json_is_string(od)))
            return -1;
        for (int k = 0; status_ok[k]; k++)
            ok |= !strcmp(st, status_ok[k]);
        if (!ok)
            return -1;
    }
    return 0;
}

static int check_payload(struct az_ctx *ctx, const char *name, json_t *p)
{
    json_t *v, *br;
    const char *k;
    size_t i;

    if (strcmp(json_string_value(json_object_get(p, "schema")) ?: "", AZ_BUNDLE_SCHEMA))
        return bad(ctx, name, "束の形式 (schema) が anzen-bundle/1 ではありません",
                   "the payload's schema is not anzen-bundle/1");
    if (!valid_hex32(json_string_value(json_object_get(p, "bundle_id"))))
        return bad(ctx, name, "bundle_id が 16 進 32 桁ではありません",
                   "bundle_id is not 32 hex digits");
    if (!valid_id(json_string_value(json_object_get(p, "institution"))))
        return bad(ctx, name, "institution (機関 ID) が正しくありません", "bad institution id");
    v = json_object_get(p, "sequence");
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return bad(ctx, name, "sequence は 1 以上の整数です", "sequence must be an integer >= 1");
    if (!valid_time(json_string_value(json_object_get(p, "created_at"))))
        return bad(ctx, name, "created_at は YYYY-MM-DDTHH:MM:SSZ です",
                   "created_at must be YYYY-MM-DDTHH:MM:SSZ");
    v = json_object_get(p, "fiscal_year");
    if (!json_is_integer(v) || json_integer_value(v) < 2000 || json_integer_value(v) > 2200)
        return bad(ctx, name, "fiscal_year が正しくありません", "bad fiscal_year");
    if (check_items(json_object_get(p, "items")) < 0)
        return bad(ctx, name, "items (項目の状態) が正しくありません", "bad items");
    v = json_object_get(p, "indicators");
    if (!json_is_object(v))
        return bad(ctx, name, "indicators がありません", "indicators missing");
    json_object_foreach(v, k, br) if (!json_is_boolean(br)) return bad(
        ctx, name, "indicators の値は真偽値です", "indicators must be booleans");
    v = json_object_get(p, "findings");
    if (v && !json_is_object(v))
        return bad(ctx, name, "findings が正しくありません", "bad findings");
    json_object_foreach(
        v, k, br) if (!json_is_integer(br) || json_integer_value(br) < 0 ||
                      json_integer_value(br) > 1000000 ||
                      strlen(k) > 64) return bad(ctx, name, "findings の件数が正しくありません",
                                                 "bad findings counts");
    v = json_object_get(p, "vpn_kev");
    if (v && !json_is_array(v))
        return bad(ctx, name, "vpn_kev が正しくありません", "bad vpn_kev");
    if (json_array_size(v) > 1000)
        return bad(ctx, name, "vpn_kev の装置が多すぎます", "too many vpn_kev devices");
    json_array_foreach(v, i, br)
    {
        const json_t *ver = json_object_get(br, "version"), *cves = json_object_get(br, "cves"), *c;
        size_t ci;
        if (!json_is_string(json_object_get(br, "family")) ||
            strlen(json_string_value(json_object_get(br, "family"))) > 64 ||
            (ver && (!json_is_string(ver) || strlen(json_string_value(ver)) > 64)) ||
            (cves && (!json_is_array(cves) || json_array_size(cves) > 64)))
            return bad(ctx, name, "vpn_kev の装置が正しくありません", "bad vpn_kev device");
        json_array_foreach(
            cves, ci, c) if (!json_is_string(c) ||
                             strlen(json_string_value(c)) >
                                 32) return bad(ctx, name, "vpn_kev の CVE 番号が正しくありません",
                                                "bad CVE id in vpn_kev");
    }
    v = json_object_get(p, "total");
    if (!json_is_object(v) || !json_is_integer(json_object_get(v, "applicable")) ||
        !json_is_integer(json_object_get(v, "satisfied")) ||
        !json_is_integer(json_object_get(v, "overdue")))
        return bad(ctx, name, "total が正しくありません", "bad total");
    br = json_object_get(p, "branches");
    if (br && (!json_is_array(br) || json_array_size(br) > 10000))
        return bad(ctx, name, "branches が正しくありません", "bad branches");
    json_array_foreach(br, i, v)
    {
        json_t *ov = json_object_get(v, "items"), *x;
        if (!valid_id(json_string_value(json_object_get(v, "institution"))))
            return bad(ctx, name, "branches の機関 ID が正しくありません",
                       "bad institution id in branches");
        if (ov && !json_is_object(ov))
            return bad(ctx, name, "branches の items は {項目: 状態} です",
                       "branches' items must be {topic: status}");
        json_object_foreach(ov, k, x)
        {
            int ok = 0;
            for (int s = 0; status_ok[s] && json_is_string(x); s++)
                ok |= !strcmp(json_string_value(x), status_ok[s]);
            if (!ok || !valid_id(k))
                return bad(ctx, name, "branches の項目の状態が正しくありません",
                           "bad item status in branches");
        }
        x = json_object_get(v, "indicators");
        if (x && !json_is_object(x))
            return bad(ctx, name, "branches の indicators が正しくありません",
                       "bad indicators in branches");
        json_object_foreach(x, k, ov) if (!json_is_boolean(ov)) return bad(
            ctx, name, "indicators の値は真偽値です", "indicators must be booleans");
    }
    return 0;
}

/* ---- the payload's bytes as received ----
 *
 * The signature is over the canonical encoding of the payload. When the
 * payload's bytes in the envelope already are that encoding (they are
 * whenever anzen wrote the envelope), the signature is checked over those
 * bytes and the payload is parsed from the same bytes, which skips
 * re-encoding it. The scanner below only recognises that case; anything
 * else (escaped or repeated top-level keys, a payload that is not
 * canonical, whitespace inside it, trailing data...) goes to the general
 * path, which parses the whole envelope and re-encodes the payload. The
 * two accept exactly the same envelopes: when the bytes R are canonical,
 * encode(parse(R)) == R, so the same bytes are verified either way.
 */

struct scan {
    const unsigned char *p, *end;
};

static void scan_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* Skip a string token (at its opening quote). A backslash always takes
 * the next byte with it, so an escaped quote never ends the string. */
static int scan_string(struct scan *s, bool *escaped)
{
    for (s->p++; s->p < s->end; s->p++) {
        if (*s->p == '"') {
            s->p++;
            return 0;
        }
        if (*s->p < 0x20)
            return -1;
        if (*s->p == '\\') {
            *escaped = true;
            if (++s->p == s->end)
                return -1;
        }
    }
    return -1;
}

/* Skip any value (the envelope's other members); jansson validates them
 * afterwards, this only has to find where they end. */
static int scan_value(struct scan *s, int depth)
{
    bool esc = false;

    scan_ws(s);
    if (s->p >= s->end || depth > 64)
        return -1;
    if (*s->p == '"')
        return scan_string(s, &esc);
    if (*s->p == '{' || *s->p == '[') {
        unsigned char close = *s->p == '{' ? '}' : ']';
        s->p++;
        scan_ws(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return 0;
        }
        for (;;) {
            if (close == '}') {
                scan_ws(s);
                if (s->p >= s->end || *s->p != '"' || scan_string(s, &esc) < 0)
                    return -1;
                scan_ws(s);
                if (s->p >= s->end || *s->p++ != ':')
                    return -1;
            }
            if (scan_value(s, depth + 1) < 0)
                return -1;
            scan_ws(s);
            if (s->p >= s->end)
                return -1;
            if (*s->p == close) {
                s->p++;
                return 0;
            }
            if (*s->p++ != ',')
                return -1;
        }
    }
    /* numbers and literals: up to the next delimiter */
    {
        const unsigned char *q = s->p;
        while (s->p < s->end && (isalnum(*s->p) || *s->p == '-' || *s->p == '+' || *s->p == '.'))
            s->p++;
        return s->p > q ? 0 : -1;
    }
}

static bool lit(struct scan *s, const char *w, size_t n)
{
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n))
        return false;
    s->p += n;
    return true;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1; /* jansson writes upper case hex digits only */
}

/* A string exactly as jansson's compact encoder writes it: UTF-8 as is,
 * only '"', '\\' and control characters escaped, each in its one form. */
static int canon_string(struct scan *s, bool key)
{
    for (s->p++; s->p < s->end; s->p++) {
        unsigned char c = *s->p;
        if (c == '"') {
            s->p++;
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c != '\\')
            continue;
        if (key || ++s->p == s->end) /* keys with escapes: not compared here */
            return -1;
        switch (*s->p) {
        case '"':
        case '\\':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            break;
        case 'u': {
            int a, b, v;
            if (s->end - s->p < 5 || s->p[1] != '0' || s->p[2] != '0' ||
                (a = hexval(s->p[3])) < 0 || (b = hexval(s->p[4])) < 0)
                return -1;
            v = a * 16 + b;
            /* \u0000 is refused by the decoder; the others have short forms */
            if (v == 0 || v >= 0x20 || v == '\b' || v == '\f' || v == '\n' || v == '\r' ||
                v == '\t')
                return -1;
            s->p += 4;
            break;
        }
        default:
            return -1;
        }
    }
    return -1;
}

/* An integer as "%lld" writes it: no leading zero, no "-0", no fraction
 * or exponent (reals have no canonical text and are refused anyway). */
static int canon_number(struct scan *s)
{
    const unsigned char *q;
    bool neg = *s->p == '-';

    if (neg)
        s->p++;
    q = s->p;
    if (s->p >= s->end || *s->p < '0' || *s->p > '9')
        return -1;
    if (*s->p == '0') {
        s->p++;
        if (neg) /* "-0" decodes to 0 */
            return -1;
    } else {
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
    }
    if (s->p - q > 19) /* beyond 64 bits: the decoder refuses it */
        return -1;
    if (s->p < s->end &&
        (*s->p == '.' || *s->p == 'e' || *s->p == 'E' || (*s->p >= '0' && *s->p <= '9')))
        return -1;
    return 0;
}

/* A value exactly as json_dumps(JSON_COMPACT | JSON_SORT_KEYS) writes it:
 * no whitespace, object keys in strictly increasing byte order. Whether
 * it is valid JSON at all (UTF-8, integer range) is jansson's part. */
static int canon_value(struct scan *s, int depth)
{
    if (s->p >= s->end || depth > 33)
        return -1;
    switch (*s->p) {
    case '{': {
        const unsigned char *pk = NULL;
        size_t pn = 0;
        if (++s->p < s->end && *s->p == '}') {
            s->p++;
            return 0;
        }
        for (;;) {
            const unsigned char *k = s->p + 1;
            size_t n;
            int c;
            if (s->p >= s->end || *s->p != '"' || canon_string(s, true) < 0)
                return -1;
            n = (size_t)(s->p - k - 1);
            if (pk) { /* jansson's order: bytes, then the shorter first */
                c = memcmp(pk, k, pn < n ? pn : n);
                if (c > 0 || (c == 0 && pn >= n))
                    return -1;
            }
            pk = k;
            pn = n;
            if (s->p >= s->end || *s->p++ != ':' || canon_value(s, depth + 1) < 0 || s->p >= s->end)
                return -1;
            if (*s->p == '}') {
                s->p++;
                return 0;
            }
            if (*s->p++ != ',')
                return -1;
        }
    }
    case '[':
        if (++s->p < s->end && *s->p == ']') {
            s->p++;
            return 0;
        }
        for (;;) {
            if (canon_value(s, depth + 1) < 0 || s->p >= s->end)
                return -1;
            if (*s->p == ']') {
                s->p++;
                return 0;
            }
            if (*s->p++ != ',')
                return -1;
        }
    case '"':
        return canon_string(s, false);
    case 't':
        return lit(s, "true", 4) ? 0 : -1;
    case 'f':
        return lit(s, "false", 5) ? 0 : -1;
    case 'n':
        return lit(s, "null", 4) ? 0 : -1;
    default:
        return canon_number(s);
    }
}

int az_bundle_signed_span(const char *data, size_t len, size_t *ret_off, size_t *ret_len)
{
    struct scan s = {(const unsigned char *)data, (const unsigned char *)data + len};
    const unsigned char *ps = NULL, *pe = NULL;

    scan_ws(&s);
    if (s.p >= s.end || *s.p++ != '{')
        return -1;
    for (;;) {
        const unsigned char *k;
        bool esc = false;
        size_t kn;
        scan_ws(&s);
        k = s.p + 1;
        if (s.p >= s.end || *s.p != '"' || scan_string(&s, &esc) < 0 || esc)
            return -1; /* an escaped key could spell "payload" another way */
        kn = (size_t)(s.p - k - 1);
        scan_ws(&s);
        if (s.p >= s.end || *s.p++ != ':')
            return -1;
        scan_ws(&s);
        if (kn == 7 && !memcmp(k, "payload", 7)) {
            if (ps) /* twice: ambiguous */
                return -1;
            ps = s.p;
            if (s.p >= s.end || *s.p != '{' || canon_value(&s, 0) < 0)
                return -1;
            pe = s.p;
            goto next;
        }
        if (scan_value(&s, 1) < 0)
            return -1;
    next:
        scan_ws(&s);
        if (s.p >= s.end)
            return -1;
        if (*s.p == '}')
            break;
        if (*s.p++ != ',')
            return -1;
    }
    s.p++;
    scan_ws(&s);
    if (s.p != s.end || !ps)
        return -1;
    *ret_off = (size_t)(ps - (const unsigned char *)data);
    *ret_len = (size_t)(pe - ps);
    return 0;
}

static int signed_fields(json_t *env, unsigned char key[32], unsigned char sig[64])
{
    const char *skey = json_string_value(json_object_get(env, "key"));
    const char *ssig = json_string_value(json_object_get(env, "sig"));

    if (!skey || !ssig || strcmp(json_string_value(json_object_get(env, "alg")) ?: "", "ed25519") ||
        unb64(skey, strlen(skey), key, 32) < 0 || unb64(ssig, strlen(ssig), sig, 64) < 0)
        return -1;
    return 0;
}

static int bundle_done(struct az_ctx *ctx, const char *name, struct az_bundle *b,
                       struct az_bundle **ret)
{
    int r;

    if ((r = check_payload(ctx, name, b->payload)) < 0) {
        az_bundle_free(b);
        return r;
    }
    b->id = json_string_value(json_object_get(b->payload, "bundle_id"));
    b->institution = json_string_value(json_object_get(b->payload, "institution"));
    b->created_at = json_string_value(json_object_get(b->payload, "created_at"));
    b->sequence = json_integer_value(json_object_get(b->payload, "sequence"));
    b->fiscal_year = (int)json_integer_value(json_object_get(b->payload, "fiscal_year"));
    *ret = b;
    return 0;
}

/* The signed envelope data with the payload verified as received: 0 and
 * *ret (or a refusal of the payload's fields) when the payload is
 * canonical, the envelope unambiguous and the signature good; 1 when the
 * general path has to decide (nothing was reported). */
static int parse_as_received(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                             bool sealed, struct az_bundle **ret)
{
    size_t off, n;
    char *rest;
    json_t *env, *p;
    unsigned char sig[crypto_sign_BYTES];
    struct az_bundle *b;
    int ok;

    if (az_bundle_signed_span(data, len, &off, &n) < 0)
        return 1;
    /* the envelope without its payload: a 0 where the payload was */
    if (!(rest = malloc(len - n + 1)))
        return 1;
    memcpy(rest, data, off);
    rest[off] = '0';
    memcpy(rest + off + 1, data + off + n, len - off - n);
    env = json_loadb(rest, len - n + 1, JSON_REJECT_DUPLICATES, NULL);
    free(rest);
    if (!(b = calloc(1, sizeof(*b)))) {
        json_decref(env);
        return 1;
    }
    p = json_object_get(env, "payload");
    ok = json_is_object(env) && json_is_integer(p) && json_integer_value(p) == 0 &&
         !strcmp(json_string_value(json_object_get(env, "schema")) ?: "", AZ_SIGNED_SCHEMA) &&
         signed_fields(env, b->key, sig) == 0 &&
         crypto_sign_verify_detached(sig, (const unsigned char *)data + off, n, b->key) == 0;
    json_decref(env);
    /* what was verified is what is parsed */
    if (!ok || !(b->payload = json_loadb(data + off, n, JSON_REJECT_DUPLICATES, NULL)) ||
        !json_is_object(b->payload) || no_reals(b->payload, 0) < 0) {
        az_bundle_free(b);
        return 1;
    }
    b->sealed = sealed;
    b->as_received = true;
    return bundle_done(ctx, name, b, ret);
}

/* The signed envelope env (taken), the general way: re-encode the
 * payload canonically and verify the signature over that. */
static int parse_tree(struct az_ctx *ctx, const char *name, json_t *env, bool sealed,
                      struct az_bundle **ret)
{
    const char *schema = json_string_value(json_object_get(env, "schema"));
    unsigned char sig[crypto_sign_BYTES];
    char *canon = NULL;
    size_t clen;
    struct az_bundle *b;
    json_t *p;

    if (!schema || strcmp(schema, AZ_SIGNED_SCHEMA)) {
        json_decref(env);
        return az_fail(ctx, AZ_ESCHEMA, "%s: 署名つきの束 (anzen-signed/1) ではありません",
                       "%s: not a signed bundle (anzen-signed/1)", name);
    }
    b = calloc(1, sizeof(*b));
    p = json_object_get(env, "payload");
    if (!b || !json_is_object(p) || signed_fields(env, b->key, sig) < 0) {
        free(b);
        json_decref(env);
        return az_fail(ctx, AZ_ESCHEMA, "%s: 署名 (alg, key, sig, payload) が正しくありません",
                       "%s: bad signature fields (alg, key, sig, payload)", name);
    }
    b->sealed = sealed;
    if (az_bundle_canonical(ctx, p, &canon, &clen) < 0) {
        free(b);
        json_decref(env);
        az_err_prefix(ctx, name);
        return ctx->err;
    }
    if (crypto_sign_verify_detached(sig, (const unsigned char *)canon, clen, b->key) != 0) {
        free(canon);
        free(b);
        json_decref(env);
        return az_fail(ctx, AZ_ESCHEMA, "%s: 署名が内容と合いません (改ざんされています)",
                       "%s: the signature does not match the content (tampered with)", name);
    }
    free(canon);
    b->payload = json_incref(p);
    json_decref(env);
    return bundle_done(ctx, name, b, ret);
}

/* jansson's parse error in Japanese: what went wrong, where (line,
 * column, byte) and the text it was near. */
static int json_error_ja(struct az_ctx *ctx, const char *name, const json_error_t *je)
{
    static const struct {
        const char *en, *ja;
    } what[] = {
        {"premature end of input", "途中で終わっています"},
        {"end of file expected", "値のあとに余計なものがあります"},
        {"duplicate object key", "同じキーが 2 度あります"},
        {"maximum parsing depth", "入れ子が深すぎます"},
        {"invalid UTF-8", "UTF-8 ではない文字があります"},
        {"unable to decode byte", "UTF-8 ではない文字があります"},
        {"control character", "文字列の中に制御文字があります"},
        {"invalid escape", "文字列のエスケープ (\\) が正しくありません"},
        {"'[' or '{' expected", "JSON は { で始まります"},
        {"string or '}' expected", "キー (\"...\") か } が要ります"},
        {"'}' expected", "} が要ります"},
        {"']' expected", "] が要ります"},
        {"':' expected", ": が要ります"},
        {"invalid token", "読めない語があります"},
        {"unexpected token", "ここに来るはずのない記号があります"},
        {"too big", "数が大きすぎます"},
        {"NUL", "NUL 文字があります"},
    };
    const char *msg = "JSON の構文が正しくありません", *near = strstr(je->text, " near ");

    for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++)
        if (strstr(je->text, what[i].en)) {
            msg = what[i].ja;
            break;
        }
    if (near && !strcmp(near + 6, "end of file"))
        near = " near 終わり";
    if (near)
        return az_fail(ctx, AZ_ESYNTAX,
                       "%s: %d 行 %d 列 (%d バイト目): JSON として読めません: %s (%s 付近)",
                       "%s: line %d column %d (byte %d): not valid JSON: %s (near %s)", name,
                       je->line, je->column, je->position, msg, near + 6);
    return az_fail(ctx, AZ_ESYNTAX, "%s: %d 行 %d 列 (%d バイト目): JSON として読めません: %s",
                   "%s: line %d column %d (byte %d): not valid JSON: %s", name, je->line,
                   je->column, je->position, msg);
}

int az_bundle_parse(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                    const unsigned char *hub_pk, const unsigned char *hub_sk,
                    struct az_bundle **ret)
{
    json_error_t je;
    json_t *env;
    const char *schema;
    unsigned char *plain = NULL;
    size_t plen;
    int r;

    if ((r = sodium_ready(ctx)) < 0)
        return r;
    if (len > AZ_BUNDLE_MAX)
        return az_fail(ctx, AZ_ERANGE, "%s: 束が大きすぎます", "%s: the bundle is too large", name);
    if ((r = parse_as_received(ctx, name, data, len, false, ret)) <= 0)
        return r;
    env = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(env)) {
        json_decref(env);
        if (env) /* valid JSON, but not an object */
            return az_fail(ctx, AZ_ESYNTAX, "%s: JSON のオブジェクト ({...}) ではありません",
                           "%s: not a JSON object ({...})", name);
        if (ctx->lang == AZ_LANG_EN)
            return az_fail(ctx, AZ_ESYNTAX, "%s: line %d column %d: not valid JSON: %s",
                           "%s: line %d column %d: not valid JSON: %s", name, je.line, je.column,
                           je.text);
        return json_error_ja(ctx, name, &je);
    }
    schema = json_string_value(json_object_get(env, "schema"));
    if (!schema || strcmp(schema, AZ_SEALED_SCHEMA))
        return parse_tree(ctx, name, env, false, ret);
    {
        const char *box = json_string_value(json_object_get(env, "box"));
        size_t blen = box ? strlen(box) : 0, got = 0, cap = blen / 4 * 3 + 3;
        unsigned char *c;
        if (!hub_pk || !hub_sk) {
            json_decref(env);
            return az_fail(
                ctx, AZ_EINVAL, "%s: ハブ宛てに封をした束です。ハブの鍵 (--hub-key) が必要です",
                "%s: the bundle is sealed to a hub; its key (--hub-key) is needed", name);
        }
        c = malloc(cap + 1);
        if (!c) {
            json_decref(env);
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        }
        if (!box ||
            sodium_base642bin(c, cap, box, blen, NULL, &got, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            got < crypto_box_SEALBYTES || !(plain = malloc(got - crypto_box_SEALBYTES + 1)) ||
            crypto_box_seal_open(plain, c, got, hub_pk, hub_sk) != 0) {
            free(c);
            free(plain);
            json_decref(env);
            return az_fail(ctx, AZ_ESCHEMA,
                           "%s: 封を開けません (このハブ宛てではないか、改ざんされています)",
                           "%s: cannot open the seal (not for this hub, or tampered with)", name);
        }
        free(c);
        json_decref(env);
        plen = got - crypto_box_SEALBYTES;
    }
    if ((r = parse_as_received(ctx, name, (const char *)plain, plen, true, ret)) <= 0) {
        free(plain);
        return r;
    }
    env = json_loadb((const char *)plain, plen, JSON_REJECT_DUPLICATES, &je);
    free(plain);
    if (!json_is_object(env)) {
        json_decref(env);
        return az_fail(ctx, AZ_ESYNTAX, "%s: 封の中身が JSON として読めません",
                       "%s: the sealed content is not valid JSON", name);
    }
    return parse_tree(ctx, name, env, true, ret);
}
