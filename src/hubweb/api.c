/* SPDX-License-Identifier: MIT */
/*
 * api.c - POST /api/v1/bundles: a bundle file as `anzen submit -o` writes
 * it (signed, maybe sealed), sent by `anzen submit --to`. The bundle's
 * signature by the enrolled key of its institution is what authenticates
 * it: there is no session and no CSRF token here. The body is spooled to
 * a 0600 file in the state directory as it arrives (at most
 * AZ_BUNDLE_MAX), then az_hub_ingest checks and stores it as `hub
 * ingest` does. Each receipt goes to the audit log. Answers are JSON:
 * {status: accepted|replay|older|refused, message_ja, message_en}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "anzen/util.h"
#include "hubweb.h"

static void reply_detail(struct req *q, int status, const char *st, const char *ja, const char *en,
                         const char *inst, const char *bundle, const char *detail)
{
    json_t *j = json_pack("{s:s,s:s,s:s}", "status", st, "message_ja", ja, "message_en", en);
    char *s;

    /* the hub's own words on what was wrong (in the request's language) */
    if (j && detail && *detail)
        json_object_set_new(j, "detail", json_string(detail));
    if (j && inst)
        json_object_set_new(j, "institution", json_string(inst));
    if (j && bundle)
        json_object_set_new(j, "bundle_id", json_string(bundle));
    s = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(j);
    if (!s) {
        web_plain(q, 500, "out of memory\n");
        return;
    }
    web_plain(q, status, "");
    free(q->r.body);
    q->r.body = s;
    q->r.len = strlen(s);
    q->r.ctype = "application/json";
}

static void reply(struct req *q, int status, const char *st, const char *ja, const char *en,
                  const char *inst, const char *bundle)
{
    reply_detail(q, status, st, ja, en, inst, bundle, NULL);
}

/* ---- bundles per minute from one address ---- */

#define RATE_SLOTS 512
static struct {
    char addr[64];
    long long minute;
    int n;
} rates[RATE_SLOTS];
static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;

/* False when addr sent its share of this minute already. */
static bool rate_ok(struct req *q)
{
    struct hubweb *hw = HW(q);
    long long minute = (long long)time(NULL) / 60;
    unsigned h = 5381;
    bool ok;
    int i;

    if (hw->rate <= 0)
        return true;
    for (const char *p = q->addr; *p; p++)
        h = h * 33 + (unsigned char)*p;
    i = (int)(h % RATE_SLOTS);
    pthread_mutex_lock(&rate_lock);
    if (strcmp(rates[i].addr, q->addr) || rates[i].minute != minute) {
        /* a new minute, or another address in the slot (it starts over:
         * a collision can only be lenient, never lock anyone out) */
        snprintf(rates[i].addr, sizeof(rates[i].addr), "%s", q->addr);
        rates[i].minute = minute;
        rates[i].n = 0;
    }
    ok = ++rates[i].n <= hw->rate;
    pthread_mutex_unlock(&rate_lock);
    return ok;
}

/* The checks before a byte is kept, once per request (q->raw_state: 0
 * not yet, 1 admitted, else the HTTP status of the refusal; a refused
 * body is read and dropped, then the handler answers). */
static int admit(struct req *q)
{
    const char *ct = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Content-Type");

    if (q->raw_state)
        return q->raw_state;
    /* the rate first: a refused content type counts, and is audited, like
     * a bundle, so a flood of them ends as 429s logged compressed */
    if (!rate_ok(q))
        q->raw_state = 429;
    else if (!ct || (strncasecmp(ct, "application/json", 16) &&
                     strncasecmp(ct, "application/octet-stream", 24)))
        q->raw_state = 415;
    else
        q->raw_state = 1;
    return q->raw_state;
}

static void refuse(struct req *q, int status)
{
    if (status == 415) {
        web_audit(q, "-", "bundle-refused", "-", "content type");
        reply(q, 415, "refused", "束は Content-Type: application/json で送ってください。",
              "Send the bundle as Content-Type: application/json.", NULL, NULL);
    } else if (status == 429) {
        web_audit_count(q, "-", "bundle-rate-limited", "-", NULL, 1);
        reply(q, 429, "refused",
              "このアドレスからの送信が多すぎます。1 分ほど待ってから送り直してください。",
              "Too many bundles from this address. Wait a minute and send again.", NULL, NULL);
        web_add_header(q, "Retry-After", "60");
    } else {
        reply(q, 503, "refused", "ハブが束を保存できません。後で送り直してください。",
              "The hub cannot store the bundle now. Send it again later.", NULL, NULL);
    }
}

int hub_api_chunk(struct req *q, const char *data, size_t len)
{
    struct hubweb *hw = HW(q);

    if (admit(q) != 1)
        return 0; /* dropped; hub_api_bundles answers */
    if (!q->raw_file) {
        char *path;
        int fd;
        if (!(path = az_fmt("%s/in-XXXXXX", hw->spool))) {
            q->raw_state = 503;
            return 0;
        }
        /* mkstemp makes the file 0600, O_EXCL */
        if ((fd = mkstemp(path)) < 0) {
            fprintf(stderr, "anzen hub serve: %s: %s\n", hw->spool, strerror(errno));
            free(path);
            q->raw_state = 503;
            return 0;
        }
        q->raw_fd = fd;
        q->raw_file = path;
    }
    while (len) {
        ssize_t n = write(q->raw_fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            q->raw_state = 503;
            return 0;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* A body over AZ_BUNDLE_MAX (413, answered by the server, src/web/):
 * from Content-Length, or a chunked body as it crosses the limit. */
/* Several JSON values in the body (a file of several envelopes)? One
 * envelope may be spread over many lines. */
static bool several(const char *data, size_t len)
{
    json_error_t je;
    json_t *j = json_loadb(data, len, JSON_DISABLE_EOF_CHECK, &je);
    size_t used = (size_t)je.position;

    if (!j)
        return false; /* the parser names what is wrong */
    json_decref(j);
    while (used < len && strchr(" \t\r\n", data[used]))
        used++;
    return used < len;
}

/* The institution and bundle id a bundle that does not verify claims, for
 * the audit log (its detail says they are unverified); only values that
 * have the shape of ids. True when one was found. */
static bool claimed(const char *data, size_t len, char *inst, size_t ni, char *bid, size_t nb)
{
    static const char idch[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
    json_t *j = json_loadb(data, len, 0, NULL);
    const json_t *p = json_object_get(j, "payload");
    const char *i = json_string_value(json_object_get(p, "institution"));
    const char *b = json_string_value(json_object_get(p, "bundle_id"));
    bool any = false;

    if (i && *i && strlen(i) <= 64 && strspn(i, idch) == strlen(i)) {
        snprintf(inst, ni, "%s", i);
        any = true;
    }
    if (b && strlen(b) == 32 && strspn(b, "0123456789abcdef") == 32) {
        snprintf(bid, nb, "%s", b);
        any = true;
    }
    json_decref(j);
    return any;
}

void hub_api_too_big(struct req *q)
{
    web_audit(q, "-", "bundle-refused", "-", "too big");
}

struct outcome {
    bool seen;
    enum az_hub_outcome o;
    char *msg; /* whole, with the spool file's path taken out */
};

/* The library names the file it read; here that is the hub's own spool
 * file, whose path is none of the sender's business: every occurrence
 * becomes "bundle". */
static char *without_path(const char *msg, const char *path)
{
    struct az_buf b;
    size_t pl = path ? strlen(path) : 0;
    const char *p = msg, *hit;

    az_buf_init(&b, 1 << 20);

    while (pl && (hit = strstr(p, path))) {
        az_buf_add(&b, p, (size_t)(hit - p));
        az_buf_add(&b, "bundle", 6);
        p = hit + pl;
    }
    az_buf_add(&b, p, strlen(p));
    return az_buf_take(&b);
}

static void note(void *arg, const char *name, enum az_hub_outcome o, const char *msg)
{
    struct outcome *oc = arg;

    if (oc->seen)
        return;
    oc->seen = true;
    oc->o = o;
    oc->msg = without_path(msg ? msg : "", name);
}

void hub_api_bundles(struct req *q)
{
    struct hubweb *hw = HW(q);
    struct az_hub_stats st;
    struct outcome oc;
    struct az_bundle *b = NULL;
    struct az_ctx ctx;
    char *data = NULL, inst[80] = "-", bid[40] = "", obj[128], who[100];
    const char *paths[1];
    size_t len = 0;
    bool unverified = false;
    int r;

    if (admit(q) != 1) {
        refuse(q, q->raw_state);
        return;
    }
    if (!q->raw_file) {
        web_audit(q, "-", "bundle-refused", "-", "empty");
        reply(q, 400, "refused", "束が空です。", "The bundle is empty.", NULL, NULL);
        return;
    }
    az_ctx_init(&ctx, q->lang);
    if (az_read_text_file(&ctx, q->raw_file, &data, &len) < 0) {
        reply(q, 400, "refused", "束を読めません (UTF-8 の JSON ではありません)。",
              "The bundle cannot be read (not UTF-8 JSON).", NULL, NULL);
        web_audit(q, "-", "bundle-refused", "-", "unreadable");
        return;
    }
    /* one envelope per request: one JSON value, maybe re-indented */
    if (several(data, len)) {
        free(data);
        reply(q, 400, "refused", "1 回の送信で送れる束は 1 つだけです。",
              "Send one bundle per request.", NULL, NULL);
        web_audit(q, "-", "bundle-refused", "-", "several envelopes");
        return;
    }
    /* who signed it, for the audit log and the answer (the hub checks
     * it again against the enrolled key) */
    if (az_bundle_parse(&ctx, "bundle", data, len, hw->have_box ? hw->box_pk : NULL,
                        hw->have_box ? hw->box_sk : NULL, &b) == 0) {
        snprintf(inst, sizeof(inst), "%s", b->institution);
        snprintf(bid, sizeof(bid), "%s", b->id);
        az_bundle_free(b);
    } else {
        unverified = claimed(data, len, inst, sizeof(inst), bid, sizeof(bid));
    }
    free(data);
    memset(&oc, 0, sizeof(oc));
    memset(&st, 0, sizeof(st));
    paths[0] = q->raw_file;
    pthread_mutex_lock(&hw->lock);
    r = az_hub_ingest(&ctx, hw->hub, paths, 1, hw->have_box ? hw->box_pk : NULL,
                      hw->have_box ? hw->box_sk : NULL, note, &oc, &st);
    pthread_mutex_unlock(&hw->lock);
    snprintf(obj, sizeof(obj), "bundle:%s", bid[0] ? bid : "-");
    snprintf(who, sizeof(who), "institution:%s", inst);
    if (r < 0) {
        fprintf(stderr, "anzen hub serve: %s\n", az_errmsg(&ctx));
        web_audit(q, who, "bundle-error", obj, "database");
        reply(q, 503, "refused", "ハブのデータベースに書けません。後で送り直してください。",
              "The hub cannot write to its database now. Send it again later.", NULL, NULL);
        free(oc.msg);
        return;
    }
    if (st.ingested == 1 && st.seen == 1) {
        web_audit(q, who, "bundle-accepted", obj, NULL);
        reply(q, 201, "accepted", "束を受け付けました。", "The bundle was accepted.", inst,
              bid[0] ? bid : NULL);
        free(oc.msg);
        return;
    }
    if (!oc.seen) {
        web_audit(q, who, "bundle-refused", obj, "no bundle");
        reply(q, 400, "refused", "束が見つかりません。", "No bundle found.", NULL, NULL);
        free(oc.msg);
        return;
    }
    switch (oc.o) {
    case AZ_HUB_REPLAY:
        web_audit(q, who, "bundle-replay", obj, NULL);
        reply(q, 409, "replay", "この束はすでに受け付けています (再送)。",
              "This bundle was accepted before (a replay).", inst, bid);
        break;
    case AZ_HUB_OLDER:
        web_audit(q, who, "bundle-older", obj, NULL);
        reply(q, 409, "older", "ハブにはこれより新しい束があります。",
              "The hub has a newer bundle from this institution.", inst, bid);
        break;
    case AZ_HUB_WRONGKEY:
        web_audit(q, who, "bundle-refused", obj, "wrong key");
        reply_detail(q, 403, "refused", "登録された鍵で署名されていません。",
                     "The bundle is not signed with the institution's enrolled key.", NULL, NULL,
                     oc.msg);
        break;
    case AZ_HUB_UNKNOWN:
        web_audit(q, who, "bundle-refused", obj, "not enrolled");
        reply_detail(q, 403, "refused", "この機関はハブに登録されていません。",
                     "The institution is not enrolled in this hub.", NULL, NULL, oc.msg);
        break;
    case AZ_HUB_FUTURE:
        web_audit(q, who, "bundle-refused", obj, "future fiscal year");
        reply_detail(q, 422, "refused",
                     "束の年度が作成日より後です (--as-of で先の日付にした束)。"
                     "今の日付で作り直して送ってください。",
                     "The bundle's fiscal year is later than the date it was made (made with "
                     "--as-of a later date). Make it again with today's date and send it.",
                     inst, bid, oc.msg);
        break;
    case AZ_HUB_SEALED:
        web_audit(q, who, "bundle-refused", obj, "sealed, no hub key");
        reply(q, 422, "sealed",
              "束はハブの鍵で封がされていますが、このハブは封を開く鍵なしで動いています。"
              "ハブの運営者に連絡してください (hub serve --hub-key)。",
              "The bundle is sealed to a hub key, but this hub runs without the key to open "
              "it. Tell the hub's operator (hub serve --hub-key).",
              NULL, NULL);
        break;
    default:
        web_audit(q, who, "bundle-refused", obj,
                  unverified ? "bad signature; claimed, unverified" : "bad signature");
        reply_detail(q, 422, "refused", "束の署名が正しくないか、内容が壊れています。",
                     "The bundle's signature does not verify or its content is damaged.", NULL,
                     NULL, oc.msg);
    }
    free(oc.msg);
}
