/* SPDX-License-Identifier: MIT */
/*
 * records.c - records of the recurring duties (records.h): the kinds and
 * their words, and adding a record to a workspace with its evidence file
 * copied in (content-addressed under evidence/) and attached to the
 * checklist items the kind supports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../internal.h"
#include "anzen/hint.h"
#include "anzen/finding.h"
#include "anzen/records.h"
#include "anzen/store.h"
#include "anzen/workspace.h"

static const struct {
    const char *token, *ja, *en, *alias;
    const char *topics[3];
} kinds[AZ_NREC_KINDS] = {
    [AZ_REC_BCP] =
        {"bcp", "サイバー攻撃を想定した BCP", "cyber-attack BCP", "BCP", {"h:cyber-bcp"}},
    [AZ_REC_BACKUP] = {"backup",
                       "オフラインのバックアップ",
                       "offline backup",
                       "バックアップ",
                       {"h:backup-restore"}},
    [AZ_REC_DRILL] = {"drill", "復元訓練", "restore drill", "復元訓練", {"h:backup-restore"}},
    [AZ_REC_CONTACTS] = {"contacts",
                         "インシデント時の連絡体制図",
                         "incident contact chart",
                         "連絡体制",
                         {"h:incident-contacts"}},
    [AZ_REC_TRAINING] = {"training", "職員の研修", "staff training", "研修", {"h:security-lead"}},
    [AZ_REC_REVIEW] = {"review",
                       "BCP と連絡体制の見直し",
                       "review of the BCP and contact chart",
                       "見直し",
                       {"h:cyber-bcp", "h:incident-contacts"}},
};

const char *az_rec_kind_token(enum az_rec_kind k)
{
    return (unsigned)k < AZ_NREC_KINDS ? kinds[k].token : "?";
}

const char *az_rec_kind_name(enum az_rec_kind k, enum az_lang lang)
{
    if ((unsigned)k >= AZ_NREC_KINDS)
        return "?";
    return lang == AZ_LANG_EN ? kinds[k].en : kinds[k].ja;
}

int az_rec_kind_parse(const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < AZ_NREC_KINDS; i++)
        if (!strcasecmp(s, kinds[i].token) || !strcmp(s, kinds[i].ja) || !strcmp(s, kinds[i].alias))
            return i;
    return -1;
}

const char *const *az_rec_kind_topics(enum az_rec_kind k)
{
    static const char *const none[] = {NULL};
    return (unsigned)k < AZ_NREC_KINDS ? kinds[k].topics : none;
}

const char *az_rec_result_token(enum az_rec_result r)
{
    return r == AZ_RES_OK ? "ok" : r == AZ_RES_FAILED ? "failed" : NULL;
}

int az_rec_result_parse(const char *s)
{
    static const char *const ok[] = {"ok", "success", "succeeded", "成功", "良好", "できた"};
    static const char *const ng[] = {"failed", "failure", "fail", "ng", "失敗", "できなかった"};

    if (!s || !*s)
        return AZ_RES_NONE;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!strcasecmp(s, ok[i]))
            return AZ_RES_OK;
    for (size_t i = 0; i < sizeof(ng) / sizeof(ng[0]); i++)
        if (!strcasecmp(s, ng[i]))
            return AZ_RES_FAILED;
    return -1;
}

/* digits at *p (ASCII or full-width), advancing p; -1 if none */
static long digits(const char **p)
{
    long v = 0;
    int n = 0;

    for (;;) {
        const unsigned char *u = (const unsigned char *)*p;
        if (*u >= '0' && *u <= '9') {
            v = v * 10 + (*u - '0');
            (*p)++;
        } else if (u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) {
            v = v * 10 + (u[2] - 0x90);
            *p += 3;
        } else
            break;
        if (++n > 7)
            return -1;
    }
    return n ? v : -1;
}

int az_rec_minutes_parse(const char *s)
{
    const char *p = s;
    long total = 0;
    bool any = false;

    if (!s)
        return -1;
    while (*p) {
        long v = digits(&p);
        if (v < 0)
            return -1;
        if (!strncmp(p, "時間", 6)) {
            p += 6;
            v *= 60;
        } else if (*p == 'h' || *p == 'H') {
            p++;
            v *= 60;
        } else if (!strncmp(p, "分", 3))
            p += 3;
        else if (!strncasecmp(p, "min", 3))
            p += 3;
        else if (*p == 'm' || *p == 'M')
            p++;
        else if (*p)
            return -1;
        total += v;
        any = true;
        if (total > 100000)
            return -1;
    }
    return any ? (int)total : -1;
}

void az_records_free(struct az_records *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].by);
        free(r->v[i].note);
        free(r->v[i].file);
        free(r->v[i].sha256);
        free(r->v[i].recorded_at);
        free(r->v[i].recorded_by);
    }
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

const struct az_record *az_records_last(const struct az_records *r, enum az_rec_kind k,
                                        struct az_date as_of)
{
    const struct az_record *best = NULL;

    for (size_t i = 0; r && i < r->n; i++) {
        const struct az_record *x = &r->v[i];
        if (x->kind != k || az_date_cmp(x->date, as_of) > 0)
            continue;
        if (!best || az_date_cmp(x->date, best->date) > 0 ||
            (!az_date_cmp(x->date, best->date) && x->id > best->id))
            best = x;
    }
    return best;
}

struct az_date az_date_add_year(struct az_date d)
{
    d.y++;
    if (d.m == 2 && d.d == 29)
        d.d = 28;
    return d;
}

json_t *az_record_json(const struct az_record *r, enum az_lang lang)
{
    char d[16];
    json_t *j;

    az_date_iso(r->date, d, sizeof(d));
    j = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "id",
                  (json_int_t)r->id, "kind", az_rec_kind_token(r->kind), "kind_name",
                  az_rec_kind_name(r->kind, lang), "date", d, "by", r->by, "note", r->note,
                  "result", az_rec_result_token(r->result), "file", r->file, "sha256", r->sha256,
                  "recorded_at", r->recorded_at, "recorded_by", r->recorded_by);
    if (j)
        json_object_set_new(j, "minutes", r->minutes >= 0 ? json_integer(r->minutes) : json_null());
    return j;
}

char *az_record_text(const struct az_record *r, enum az_lang lang)
{
    struct az_buf b;
    char d[16];
    bool en = lang == AZ_LANG_EN;

    az_date_iso(r->date, d, sizeof(d));
    az_buf_init(&b, 64 * 1024);
    if (az_buf_printf(&b, "%s %s", az_rec_kind_name(r->kind, lang), d) < 0)
        goto nomem;
    if (r->result && az_buf_printf(&b, " %s",
                                   r->result == AZ_RES_OK ? (en ? "succeeded" : "成功")
                                                          : (en ? "failed" : "失敗")) < 0)
        goto nomem;
    if (r->minutes >= 0 && az_buf_printf(&b, en ? " (%d min)" : " (%d 分)", r->minutes) < 0)
        goto nomem;
    if (r->by && *r->by && az_buf_printf(&b, en ? " by %s" : " 実施: %s", r->by) < 0)
        goto nomem;
    if (r->note && *r->note && az_buf_printf(&b, " — %s", r->note) < 0)
        goto nomem;
    return az_buf_take(&b);
nomem:
    az_buf_done(&b);
    return NULL;
}

/* ---- the workspace side ---- */

int az_ws_records(struct az_workspace *ws, struct az_ctx *ctx, struct az_records *ret)
{
    struct az_store *st;
    int r;

    ret->v = NULL;
    ret->n = 0;
    if (!ws->db || access(ws->db, F_OK) != 0)
        return 0; /* no store yet: nothing recorded */
    if ((r = az_store_open(ctx, ws->db, &st)) < 0)
        return r;
    r = az_store_records(st, ctx, ret);
    az_store_close(st);
    return r;
}

#define EVIDENCE_MAX (64u * 1024u * 1024u)

static int read_evidence(struct az_ctx *ctx, const char *path, char **ret, size_t *ret_len)
{
    FILE *f;
    struct az_buf b;
    char chunk[65536];
    size_t n;
    struct stat sb;

    if (stat(path, &sb) != 0)
        return az_fail(ctx, errno == ENOENT ? AZ_ENOTFOUND : AZ_EIO,
                       "証跡のファイル %s を開けません: %s", "cannot open evidence file %s: %s",
                       path, az_errno_text(ctx->lang, errno));
    if (!S_ISREG(sb.st_mode))
        return az_fail(ctx, AZ_EINVAL, "証跡 %s は通常のファイルではありません",
                       "evidence %s is not a regular file", path);
    if (!(f = fopen(path, "rb")))
        return az_fail(ctx, AZ_EIO, "証跡のファイル %s を開けません: %s",
                       "cannot open evidence file %s: %s", path, az_errno_text(ctx->lang, errno));
    az_buf_init(&b, EVIDENCE_MAX);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (az_buf_add(&b, chunk, n) < 0) {
            fclose(f);
            az_buf_done(&b);
            return az_fail(ctx, AZ_ERANGE, "証跡 %s が大きすぎます (上限 64 MiB)",
                           "evidence %s is too large (limit 64 MiB)", path);
        }
    if (ferror(f)) {
        fclose(f);
        az_buf_done(&b);
        return az_fail(ctx, AZ_EIO, "証跡 %s を読めません", "cannot read evidence %s", path);
    }
    fclose(f);
    if (!b.len) {
        az_buf_done(&b);
        return az_fail(ctx, AZ_EINVAL, "証跡 %s は空のファイルです", "evidence %s is empty", path);
    }
    *ret_len = b.len;
    if (!(*ret = az_buf_take(&b)))
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    return 0;
}

/* The last path component, with characters unsafe in a file name replaced. */
static char *safe_base(const char *path)
{
    const char *s = strrchr(path, '/');
    char *b = strdup(s ? s + 1 : path);

    for (char *p = b; p && *p; p++)
        if (*p == '\\' || *p == ':' || (unsigned char)*p < 0x20)
            *p = '_';
    if (b && (!*b || !strcmp(b, ".") || !strcmp(b, ".."))) {
        free(b);
        b = strdup("evidence");
    }
    return b;
}

static bool same_text(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* The id of a record identical to rec (kind, date, by, note, result,
 * restore time and evidence hash), or 0. */
static int find_same(struct az_workspace *ws, struct az_ctx *ctx, const struct az_record *rec,
                     long long *ret_id)
{
    struct az_records all = {0};
    int r;

    *ret_id = 0;
    if ((r = az_ws_records(ws, ctx, &all)) < 0)
        return r;
    for (size_t i = 0; i < all.n; i++) {
        const struct az_record *o = &all.v[i];
        if (o->kind == rec->kind && !az_date_cmp(o->date, rec->date) && same_text(o->by, rec->by) &&
            same_text(o->note, rec->note) && o->result == rec->result &&
            o->minutes == rec->minutes && same_text(o->sha256, rec->sha256)) {
            *ret_id = o->id;
            break;
        }
    }
    az_records_free(&all);
    return 0;
}

int az_ws_record_add(struct az_workspace *ws, struct az_ctx *ctx, struct az_record *rec,
                     const char *evidence_path, const char *who, long long *ret_id)
{
    return az_ws_record_add_ex(ws, ctx, rec, evidence_path, who, ret_id, NULL);
}

int az_ws_record_add_ex(struct az_workspace *ws, struct az_ctx *ctx, struct az_record *rec,
                        const char *evidence_path, const char *who, long long *ret_id,
                        bool *ret_dup)
{
    long long same = 0;

    AZ_AUTOFREE char *data = NULL, *base = NULL, *rel = NULL, *abs = NULL, *dir = NULL,
                     *text = NULL;
    char hex[65];
    size_t len = 0;
    bool created = false;
    const struct az_edition *ed;
    const struct az_form *form = NULL;
    struct az_profile *p = NULL;
    const char *items[16];
    size_t nitems = 0;
    struct az_store *st = NULL;
    int r;

    if ((unsigned)rec->kind >= AZ_NREC_KINDS)
        return az_fail(ctx, AZ_EINVAL, "記録の種類が正しくありません (使えるもの: %s)",
                       "invalid record kind (accepted: %s)", AZ_REC_KINDS);
    if (!az_date_valid(rec->date))
        return az_fail(ctx, AZ_EINVAL, "記録の日付が正しくありません",
                       "the record's date is not valid");
    if (az_date_cmp(rec->date, ws->as_of) > 0) {
        char d[16], t[16];
        az_date_iso(rec->date, d, sizeof(d));
        az_date_iso(ws->as_of, t, sizeof(t));
        return az_fail(
            ctx, AZ_EINVAL, "記録の日付 %s が今日 (%s) より後です (未来の日付は記録できません)",
            "the record's date %s is after today (%s); future dates cannot be recorded", d, t);
    }
    /* the items the record supports, in the edition and form in use */
    ed = az_catalog_default_checklist(ws->cat);
    if (ws->profile && access(ws->profile, F_OK) == 0) {
        if ((r = az_profile_load_file(ctx, ws->profile, &p)) < 0)
            return r;
        if (ed)
            form = az_form_for_profile(ed, p);
    }
    for (const char *const *t = az_rec_kind_topics(rec->kind); ed && *t; t++) {
        const struct az_item *found[8];
        size_t n = az_topic_items(ws->cat, ed, form ? form->id : NULL, *t, found, 8);
        for (size_t i = 0; i < n && nitems < 16; i++)
            items[nitems++] = found[i]->id;
    }
    az_profile_free(p);

    if (evidence_path) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned ml = 0;
        if ((r = read_evidence(ctx, evidence_path, &data, &len)) < 0)
            return r;
        if (!EVP_Digest(data, len, md, &ml, EVP_sha256(), NULL) || ml != 32)
            return az_fail(ctx, AZ_EIO, "SHA-256 を計算できません", "cannot compute SHA-256");
        for (unsigned i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        if (!(base = safe_base(evidence_path)) ||
            az_strf(&rel, "evidence/%.16s-%s", hex, base) < 0 ||
            az_strf(&dir, "%s/evidence", ws->dir) < 0 || az_strf(&abs, "%s/%s", ws->dir, rel) < 0)
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        rec->file = rel;
        rec->sha256 = hex;
    }
    /* the same record again (init --force, a second click) is not a new one */
    if ((r = find_same(ws, ctx, rec, &same)) < 0)
        goto out;
    if (same) {
        if (ret_id)
            *ret_id = same;
        if (ret_dup)
            *ret_dup = true;
        goto out;
    }
    if (ret_dup)
        *ret_dup = false;
    if (evidence_path) {
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            r = az_fail(ctx, AZ_EIO, "%s を作れません: %s", "cannot create %s: %s", dir,
                        az_errno_text(ctx->lang, errno));
            goto out;
        }
        if (access(abs, F_OK) != 0) {
            if ((r = az_write_file_private(ctx, abs, data, len)) < 0)
                goto out;
            created = true;
        }
    }
    text = az_record_text(rec, ctx->lang);
    if (!text) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto out;
    }
    if ((r = az_store_open(ctx, ws->db, &st)) < 0)
        goto out;
    r = az_store_record_add(st, ctx, rec, items, nitems, text, who, ret_id);
    az_store_close(st);
out:
    if (r < 0 && created)
        unlink(abs); /* no partial writes: the copy goes with the failed record */
    if (evidence_path) {
        rec->file = NULL;
        rec->sha256 = NULL;
    }
    return r;
}
