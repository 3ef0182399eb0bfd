/* SPDX-License-Identifier: MIT */
/*
 * view.c - one evaluated view of a workspace: the status, the plan with the
 * findings of the ledger, vendor registry and network checks attached,
 * the key points, and the report input (workspace.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/audit.h"
#include "anzen/finding.h"
#include "anzen/keypoints.h"
#include "anzen/util.h"
#include "anzen/workspace.h"

/* The report section of a network check (anzen scan -o scan.json): when
 * and from where, what was found, and which segment reached what. */
static json_t *scan_section(enum az_lang lang, const json_t *scan)
{
    bool en = lang == AZ_LANG_EN;
    const json_t *st = json_object_get(scan, "stats"), *x;
    const char *from = json_string_value(json_object_get(scan, "from"));
    const char *when = json_string_value(json_object_get(scan, "started"));
    const char *kev = json_string_value(json_object_get(scan, "kev_catalog"));
    json_t *sec = json_object(), *paras = json_array(), *fs = json_array(), *rows = json_array();
    struct az_buf b;
    size_t i;

    az_buf_init(&b, 1u << 20);

    {
        long long up = json_integer_value(json_object_get(st, "hosts_up"));
        long long open = json_integer_value(json_object_get(st, "open"));
        long long gaps = json_integer_value(json_object_get(scan, "gaps"));
        if (!when)
            when = "?";
        if (en)
            az_buf_printf(&b,
                          "Checked on %.10s%s%s: %lld hosts answered, %lld open ports, %lld gaps.",
                          when, from ? " from " : "", from ? from : "", up, open, gaps);
        else if (from)
            az_buf_printf(&b,
                          "%.10s に「%s」から点検: 応答した機器 %lld 台、開いているポート %lld、"
                          "要対応 %lld 件。",
                          when, from, up, open, gaps);
        else
            az_buf_printf(
                &b, "%.10s に点検: 応答した機器 %lld 台、開いているポート %lld、要対応 %lld 件。",
                when, up, open, gaps);
    }
    json_array_append_new(paras, json_string(b.data ? b.data : ""));
    if (kev) {
        b.len = 0;
        az_buf_printf(&b,
                      en ? "Appliance versions were checked against the KEV catalog version %s."
                         : "VPN 装置などの版は KEV カタログ %s 版と照合しました。",
                      kev);
        json_array_append_new(paras, json_string(b.data ? b.data : ""));
    }
    json_array_foreach(json_object_get(scan, "findings"), i, x)
    {
        const char *lv = json_string_value(json_object_get(x, "level"));
        const char *t = json_string_value(json_object_get(x, en ? "en" : "ja"));
        if (!lv || !t)
            continue;
        json_array_append_new(fs, json_pack("{s:s, s:s, s:s}", "level", lv, "label",
                                            !strcmp(lv, "gap") ? (en ? "gap" : "要対応")
                                                               : (en ? "attention" : "注意"),
                                            "text", t));
    }
    json_array_foreach(json_object_get(scan, "reachability"), i, x)
    {
        const json_t *ports = json_object_get(x, "ports"), *pt;
        size_t k;
        const char *pl;
        b.len = 0;
        az_buf_puts(&b, "");
        json_array_foreach(ports, k, pt)
            az_buf_printf(&b, "%s%lld", k ? ", " : "", (long long)json_integer_value(pt));
        pl = b.data ? b.data : "";
        json_array_append_new(rows, json_pack("[s, s, s, s, s]",
                                              json_string_value(json_object_get(x, "from"))
                                                  ? json_string_value(json_object_get(x, "from"))
                                                  : "-",
                                              json_string_value(json_object_get(x, "to"))
                                                  ? json_string_value(json_object_get(x, "to"))
                                                  : (en ? "(not in the ledger)" : "(台帳にない)"),
                                              json_string_value(json_object_get(x, "host"))
                                                  ? json_string_value(json_object_get(x, "host"))
                                                  : "",
                                              json_string_value(json_object_get(x, "asset"))
                                                  ? json_string_value(json_object_get(x, "asset"))
                                                  : "",
                                              pl));
    }
    json_object_set_new(sec, "id", json_string("scan"));
    json_object_set_new(
        sec, "title",
        json_string(en ? "Network check (anzen scan)" : "ネットワークの点検 (anzen scan)"));
    json_object_set_new(sec, "paragraphs", paras);
    json_object_set_new(sec, "findings", fs);
    if (json_array_size(rows))
        json_object_set_new(sec, "table",
                            json_pack("{s:[s, s, s, s, s], s:o}", "head",
                                      en ? "From" : "点検した区分",
                                      en ? "To (segment)" : "届いた先 (区分)", en ? "Host" : "機器",
                                      en ? "Asset" : "台帳の名称",
                                      en ? "Open ports" : "開いているポート", "rows", rows));
    else
        json_decref(rows);
    az_buf_done(&b);
    return sec;
}

void az_ws_view_free(struct az_ws_view *v)
{
    if (!v)
        return;
    az_plan_free(v->plan);
    json_decref(v->keypoints);
    json_decref(v->ledger_check);
    json_decref(v->vendor_check);
    json_decref(v->scan);
    json_decref(v->audit);
    json_decref(v->extra);
    if (v->lc) {
        if (--v->lc->refs == 0)
            az_ws_lcheck_free(v->lc);
    } else
        az_ledger_free(v->ledger);
    az_vendors_free(v->vendors);
    free(v->vforms);
    az_ws_vendor_forms_free(v->vs, v->nvs);
    az_eval_free(v->e);
    az_answers_free(v->a);
    az_profile_free(v->p);
    free(v->notice);
    az_records_free(&v->records);
    az_dues_free(&v->dues);
    free(v);
}

int az_ws_load(struct az_workspace *ws, struct az_ctx *ctx, const char *edition,
               struct az_ws_view **ret)
{
    struct az_plan_state *states = NULL;
    size_t n = 0;
    int r;

    if ((r = az_ws_plan_states(ws, ctx, &states, &n)) < 0)
        return r;
    r = az_ws_load_with(ws, ctx, edition, states, n, ret);
    az_plan_states_free(states, n);
    return r;
}

/* ---- the ledger check kept apart (az_ws_lcheck) ---- */

/* ---- the ledger page's derived data (az_ws_lindex) ---- */

static const int key_cols[] = {AZ_COL_NAME,    AZ_COL_IP,     AZ_COL_OS,
                               AZ_COL_VERSION, AZ_COL_ADMIN,  AZ_COL_LOCATION,
                               AZ_COL_SEGMENT, AZ_COL_SYSTEM, AZ_COL_MAC};
#define NKEY (sizeof(key_cols) / sizeof(key_cols[0]))

static const char *col_of(const struct az_asset *a, int c)
{
    return a->col[c] ? a->col[c] : "";
}

void az_ws_lindex_done(struct az_ws_lindex *ix)
{
    free(ix->nline);
    free(ix->keys);
    free(ix->key);
    free(ix->segs);
    memset(ix, 0, sizeof(*ix));
}

int az_ws_lindex_build(const struct az_ledger *l, const struct az_ws_lfinding *lf, size_t nlf,
                       struct az_ws_lindex *ix)
{
    size_t bytes = 0, i, at = 0;

    memset(ix, 0, sizeof(*ix));
    for (i = 0; i < l->n; i++) {
        const struct az_asset *a = &l->v[i];
        if (a->line > ix->maxline)
            ix->maxline = a->line;
        for (size_t c = 0; c < NKEY; c++)
            bytes += strlen(col_of(a, key_cols[c])) + 1;
        if ((int)a->kind >= 0 && a->kind <= AZ_ASSET_OTHER)
            ix->kinds |= 1u << a->kind;
    }
    ix->nline = calloc(ix->maxline + 1, sizeof(*ix->nline));
    ix->keys = malloc(bytes + 1);
    ix->key = calloc(l->n + 1, sizeof(*ix->key));
    ix->segs = calloc(AZ_WS_LINDEX_SEGS, sizeof(*ix->segs));
    if (!ix->nline || !ix->keys || !ix->key || !ix->segs) {
        az_ws_lindex_done(ix);
        return AZ_ENOMEM;
    }
    for (i = 0; i < nlf; i++) {
        if (lf[i].line == 0)
            ix->nnone++;
        else if (lf[i].line <= ix->maxline)
            ix->nline[lf[i].line]++;
    }
    for (i = 0; i < l->n; i++) {
        const struct az_asset *a = &l->v[i];
        const char *sg = col_of(a, AZ_COL_SEGMENT);
        bool dup = !*sg;
        ix->key[i] = at;
        for (size_t c = 0; c < NKEY; c++) {
            const char *x = col_of(a, key_cols[c]);
            size_t n = strlen(x);
            memcpy(ix->keys + at, x, n);
            at += n;
            ix->keys[at++] = c + 1 < NKEY ? AZ_WS_LKEY_SEP : '\0';
        }
        for (size_t k = 0; k < ix->nsegs && !dup; k++)
            dup = !strcmp(ix->segs[k], sg);
        if (!dup && ix->nsegs < AZ_WS_LINDEX_SEGS)
            ix->segs[ix->nsegs++] = sg;
    }
    ix->keys[at] = '\0';
    return 0;
}

bool az_ws_lindex_flag(const struct az_ws_lindex *ix, const struct az_ledger *l, size_t i)
{
    size_t line = l->v[i].line;
    return line > 0 && line <= ix->maxline && ix->nline && ix->nline[line] > 0;
}

bool az_ws_lindex_text(const struct az_ws_lindex *ix, const struct az_ledger *l, size_t i,
                       const char *text)
{
    if (!text || !*text)
        return true;
    /* the separator cannot occur in a match unless the text holds it */
    if (ix->keys && !strchr(text, AZ_WS_LKEY_SEP))
        return strstr(ix->keys + ix->key[i], text) != NULL;
    for (size_t c = 0; c < NKEY; c++)
        if (strstr(col_of(&l->v[i], key_cols[c]), text))
            return true;
    return false;
}

void az_ws_lcheck_free(struct az_ws_lcheck *lc)
{
    if (!lc)
        return;
    az_ws_lindex_done(&lc->ix);
    az_ledger_free(lc->ledger);
    free(lc->lf);
    free(lc->text);
    free(lc->topics);
    free(lc);
}

/*
 * The findings in compact form, made as the check hands them over (one
 * asset's findings at a time, az_ledger_check_each): their strings in one
 * growing block (offsets while it grows, pointers at the end), each
 * distinct topic list once (a handful of rules make tens of thousands of
 * findings).
 */
struct cbuild {
    size_t (*off)[5]; /* per finding: level, ja, en, rule, asset in text */
    size_t *line, *which, n, cap;
    char *text;
    size_t tlen, tcap;
    size_t *toff, ntoff, toffcap; /* the topic strings, list after list */
    size_t *tstart, *tn, ntl, tlcap;
    bool oom;
};

static bool grow(void *pp, size_t *cap, size_t need, size_t size)
{
    void **p = pp;
    size_t c = *cap ? *cap : 64;
    void *q;

    if (need <= *cap)
        return true;
    while (c < need)
        c *= 2;
    if (!(q = realloc(*p, c * size)))
        return false;
    *p = q;
    *cap = c;
    return true;
}

static bool put_text(struct cbuild *b, const char *s, size_t *at)
{
    size_t l = strlen(s ? s : "");

    if (!grow(&b->text, &b->tcap, b->tlen + l + 1, 1))
        return false;
    memcpy(b->text + b->tlen, s ? s : "", l + 1);
    *at = b->tlen;
    b->tlen += l + 1;
    return true;
}

static int cbuild_add(void *arg, const json_t *f)
{
    static const char *const keys[] = {"level", "ja", "en", "rule", "asset"};
    struct cbuild *b = arg;
    const json_t *t = json_object_get(f, "topics"), *x;
    size_t nt = json_array_size(t), k, j;
    json_int_t line = json_integer_value(json_object_get(f, "line"));

    size_t cap0 = b->cap;
    if (!grow(&b->off, &b->cap, b->n + 1, sizeof(*b->off)))
        goto oom;
    if (b->cap != cap0) { /* line and which follow off's capacity */
        size_t *nl = realloc(b->line, b->cap * sizeof(*nl));
        if (!nl)
            goto oom;
        b->line = nl;
        size_t *nw = realloc(b->which, b->cap * sizeof(*nw));
        if (!nw)
            goto oom;
        b->which = nw;
    }
    for (int c = 0; c < 5; c++)
        if (!put_text(b, json_string_value(json_object_get(f, keys[c])), &b->off[b->n][c]))
            goto oom;
    for (k = 0; k < b->ntl; k++) {
        bool same = b->tn[k] == nt;
        for (j = 0; same && j < nt; j++) {
            const char *s = json_string_value(json_array_get(t, j));
            same = !strcmp(b->text + b->toff[b->tstart[k] + j], s ? s : "");
        }
        if (same)
            break;
    }
    if (k == b->ntl) {
        if (!grow(&b->tstart, &b->tlcap, b->ntl + 1, sizeof(*b->tstart)))
            goto oom;
        size_t *ntn = realloc(b->tn, b->tlcap * sizeof(*ntn));
        if (!ntn)
            goto oom;
        b->tn = ntn;
        b->tstart[k] = b->ntoff;
        b->tn[k] = nt;
        json_array_foreach(t, j, x)
        {
            if (!grow(&b->toff, &b->toffcap, b->ntoff + 1, sizeof(*b->toff)) ||
                !put_text(b, json_string_value(x), &b->toff[b->ntoff]))
                goto oom;
            b->ntoff++;
        }
        b->ntl++;
    }
    b->which[b->n] = k;
    b->line[b->n] = line > 0 ? (size_t)line : 0;
    b->n++;
    return 0;
oom:
    b->oom = true;
    return -1;
}

static void cbuild_done(struct cbuild *b)
{
    free(b->off);
    free(b->line);
    free(b->which);
    free(b->text);
    free(b->toff);
    free(b->tstart);
    free(b->tn);
}

/* The compact findings of b into lc (b's text moves to lc). */
static int cbuild_finish(struct cbuild *b, struct az_ws_lcheck *lc)
{
    char *text = b->tlen ? realloc(b->text, b->tlen) : b->text;

    if (text)
        b->text = text;
    lc->topics = calloc(b->ntoff + 1, sizeof(*lc->topics));
    lc->lf = calloc(b->n + 1, sizeof(*lc->lf));
    if (!lc->topics || !lc->lf)
        return AZ_ENOMEM;
    lc->text = b->text;
    b->text = NULL;
    for (size_t j = 0; j < b->ntoff; j++)
        lc->topics[j] = lc->text + b->toff[j];
    for (size_t i = 0; i < b->n; i++) {
        struct az_ws_lfinding *d = &lc->lf[i];
        d->level = lc->text + b->off[i][0];
        d->ja = lc->text + b->off[i][1];
        d->en = lc->text + b->off[i][2];
        d->rule = lc->text + b->off[i][3];
        d->asset = lc->text + b->off[i][4];
        d->line = b->line[i];
        d->topics = lc->topics + b->tstart[b->which[i]];
        d->ntopics = b->tn[b->which[i]];
    }
    lc->nlf = b->n;
    return 0;
}

/* Read and check the ledger into a new lcheck (one reference). */
static int lcheck_build(struct az_workspace *ws, struct az_ctx *ctx, const struct az_profile *p,
                        struct az_ws_lcheck **ret)
{
    struct az_ws_lcheck *lc = calloc(1, sizeof(*lc));
    json_t *check = NULL;
    int r;

    if (!lc)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    lc->stamp = az_ws_lcheck_stamp(ws);
    lc->refs = 1;
    /* no edition: the items of each finding are not kept (the plan
     * resolves the topics to its own edition's items) */
    if ((r = az_ws_ledger(ws, ctx, &lc->ledger)) < 0)
        goto fail;
    if (lc->ledger) {
        /* the findings compacted as the check makes them: never all of
         * them as JSON objects at once (that was the rebuild's peak) */
        struct az_ledger_opts o = {
            .profile = p, .as_of = ws->as_of, .patch_days = ws->patch_days, .kev = ws->kev};
        struct az_vendors *vs = NULL;
        struct cbuild b = {0};
        if ((r = az_ws_vendors(ws, ctx, p, &vs)) < 0)
            goto fail;
        o.vendors = vs;
        check = az_ledger_check_each(lc->ledger, &o, cbuild_add, &b);
        az_vendors_free(vs);
        if (!check || b.oom || cbuild_finish(&b, lc) < 0) {
            cbuild_done(&b);
            r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            goto fail;
        }
        cbuild_done(&b);
    }
    json_decref(check);
    check = NULL;
    if (lc->ledger && az_ws_lindex_build(lc->ledger, lc->lf, lc->nlf, &lc->ix) < 0) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto fail;
    }
    *ret = lc;
    return 0;
fail:
    json_decref(check);
    az_ws_lcheck_free(lc);
    return r;
}

/* The ledger's gaps into the plan, from the compact findings. */
static int lcheck_to_plan(struct az_ctx *ctx, struct az_plan *plan, const struct az_catalog *cat,
                          const struct az_ws_lcheck *lc)
{
    for (size_t i = 0; i < lc->nlf; i++) {
        const struct az_ws_lfinding *x = &lc->lf[i];
        struct az_finding f = {.rule = x->rule,
                               .ja = x->ja,
                               .en = x->en,
                               .asset = x->asset,
                               .topics = x->topics,
                               .ntopics = x->ntopics,
                               .line = (long)x->line};
        int lv = az_level_parse(x->level), r;
        if (lv != AZ_LEVEL_GAP)
            continue;
        f.level = AZ_LEVEL_GAP;
        if ((r = az_plan_add_finding(ctx, plan, cat, "台帳", "ledger", &f)) < 0)
            return r;
    }
    return 0;
}

static int load(struct az_workspace *ws, struct az_ctx *ctx, const char *edition,
                const struct az_plan_state *states, size_t nstates, struct az_ws_lcheck **slot,
                struct az_ws_view **ret);

int az_ws_load_with(struct az_workspace *ws, struct az_ctx *ctx, const char *edition,
                    const struct az_plan_state *states, size_t nstates, struct az_ws_view **ret)
{
    return load(ws, ctx, edition, states, nstates, NULL, ret);
}

int az_ws_load_shared(struct az_workspace *ws, struct az_ctx *ctx,
                      const struct az_plan_state *states, size_t nstates,
                      struct az_ws_lcheck **slot, struct az_ws_view **ret)
{
    return load(ws, ctx, NULL, states, nstates, slot, ret);
}

static int load(struct az_workspace *ws, struct az_ctx *ctx, const char *edition,
                const struct az_plan_state *states, size_t nstates, struct az_ws_lcheck **slot,
                struct az_ws_view **ret)
{
    struct az_ws_view *v = calloc(1, sizeof(*v));
    const struct az_edition *ed;
    int r;

    if (!v)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    if ((r = az_ws_load_eval(ws, ctx, edition, NULL, &v->p, &v->a, &v->e, &v->notice)) < 0 ||
        (r = az_ws_vendor_forms(ws, ctx, v->p, v->e->edition->id, &v->vs, &v->nvs)) < 0 ||
        (r = az_plan_build(ctx, v->e, states, nstates, &v->plan)) < 0)
        goto fail;
    ed = v->e->edition;
    /* the ledger, checked as anzen ledger check does (registry and KEV) */
    if (slot) {
        /* kept by the cache while its inputs are unchanged */
        if (!*slot || (*slot)->stamp != az_ws_lcheck_stamp(ws)) {
            struct az_ws_lcheck *lc = NULL;
            if ((r = lcheck_build(ws, ctx, v->p, &lc)) < 0)
                goto fail;
            if (*slot && --(*slot)->refs == 0)
                az_ws_lcheck_free(*slot);
            *slot = lc;
        }
        v->lc = *slot;
        v->lc->refs++;
        v->ledger = v->lc->ledger;
        v->lf = v->lc->lf;
        v->nlf = v->lc->nlf;
        v->compact = true;
        if ((r = lcheck_to_plan(ctx, v->plan, ws->cat, v->lc)) < 0)
            goto fail;
    } else if ((r = az_ws_ledger(ws, ctx, &v->ledger)) < 0)
        goto fail;
    if (!slot && v->ledger &&
        ((r = az_ws_ledger_check(ws, ctx, v->ledger, v->p, ed, &v->ledger_check)) < 0 ||
         (r = az_plan_add_findings(ctx, v->plan, ws->cat, "台帳", "ledger",
                                   json_object_get(v->ledger_check, "findings"))) < 0))
        goto fail;
    if ((r = az_ws_vendors(ws, ctx, v->p, &v->vendors)) < 0)
        goto fail;
    if (v->vendors) {
        v->vendor_check = az_ws_vendor_check(v->vendors, v->p, ws->as_of, v->vs, v->nvs);
        if (!v->vendor_check ||
            az_findings_add_items(ws->cat, ed, NULL, json_object_get(v->vendor_check, "findings")) <
                0) {
            r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            goto fail;
        }
    }
    /* the network check: its gaps join the plan, and it gets a section */
    if ((r = az_ws_scan(ws, ctx, NULL, &v->scan)) < 0)
        goto fail;
    if (v->scan) {
        if ((r = az_plan_add_findings(ctx, v->plan, ws->cat, "ネットワーク", "network",
                                      json_object_get(v->scan, "findings"))) < 0)
            goto fail;
        v->extra = json_array();
        json_array_append_new(v->extra, scan_section(ctx->lang, v->scan));
    }
    if ((r = az_ws_records(ws, ctx, &v->records)) < 0)
        goto fail;
    {
        size_t nh = 0;
        struct az_vendor_form_held *held = az_ws_vendor_held(v->vs, v->nvs, &nh);
        if (!held) {
            r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            goto fail;
        }
        r = az_due_compute_held(ctx, v->p, v->plan, &v->records, ws->as_of, held, nh, &v->dues);
        free(held);
        if (r < 0)
            goto fail;
    }
    v->keypoints = az_keypoints_rec(v->p, &v->records, ws->as_of);
    /* the host audit (anzen audit --save): its failures join the plan like
     * the network check's, with a per-host section */
    if ((r = az_audit_workspace(ctx, ws->dir, v->ledger, ws->as_of, &v->audit)) < 0)
        goto fail;
    if (json_array_size(v->audit)) {
        json_t *fs = az_audit_findings(v->audit);
        r = fs ? az_plan_add_findings(ctx, v->plan, ws->cat, "端末の点検", "host audit", fs)
               : az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        json_decref(fs);
        if (r < 0)
            goto fail;
        if (!v->extra)
            v->extra = json_array();
        json_array_append_new(v->extra,
                              az_audit_section(ctx->lang, ws->cat, ed, v->audit, v->keypoints));
    }
    v->vforms = calloc(v->nvs + 1, sizeof(*v->vforms));
    if (!v->vforms || !v->keypoints) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < v->nvs; i++) {
        struct az_report_vendor *f = &v->vforms[i];
        f->sys = v->vs[i].sys;
        f->eval = v->vs[i].e;
        f->expected = v->vs[i].path;
        for (size_t k = 0; v->vendors && k < v->vendors->n && !f->reg; k++)
            for (size_t s = 0; s < v->vendors->v[k].nsystems; s++)
                if (!strcmp(v->vendors->v[k].systems[s], f->sys->id))
                    f->reg = &v->vendors->v[k];
    }
    v->in.eval = v->e;
    v->in.plan = v->plan;
    v->in.keypoints = v->keypoints;
    v->in.ledger = v->ledger;
    v->in.ledger_check = v->ledger_check;
    v->in.vendors = v->vendors;
    v->in.vendor_check = v->vendor_check;
    v->in.vforms = v->vforms;
    v->in.nvforms = v->nvs;
    v->in.extra = v->extra;
    *ret = v;
    return 0;
fail:
    az_ws_view_free(v);
    return r;
}

json_t *az_ws_view_check_json(const struct az_ws_view *v)
{
    json_t *o, *arr;

    if (!v->compact)
        return v->ledger_check ? json_incref(v->ledger_check) : NULL;
    if (!(o = json_object()) || !(arr = json_array()) ||
        json_object_set_new(o, "findings", arr) < 0) {
        json_decref(o);
        return NULL;
    }
    for (size_t i = 0; i < v->nlf; i++) {
        const struct az_ws_lfinding *f = &v->lf[i];
        json_t *x = json_pack("{s:s, s:s, s:s}", "level", f->level, "ja", f->ja, "en", f->en);
        if (x && *f->rule && json_object_set_new(x, "rule", json_string(f->rule)) < 0)
            json_decref(x), x = NULL;
        if (x && *f->asset && json_object_set_new(x, "asset", json_string(f->asset)) < 0)
            json_decref(x), x = NULL;
        if (!x ||
            (f->line && json_object_set_new(x, "line", json_integer((json_int_t)f->line)) < 0) ||
            json_array_append_new(arr, x) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}
