/* SPDX-License-Identifier: MIT */
/*
 * vendor.c - the vendor registry (vendor.h): load with validation, and the
 * findings it supports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/finding.h"
#include "anzen/vendor.h"

struct priv {
    struct az_doc *doc;
};

void az_vendors_free(struct az_vendors *vs)
{
    if (!vs)
        return;
    for (size_t i = 0; i < vs->n; i++)
        free(vs->v[i].systems);
    free(vs->v);
    free(vs->warnings);
    if (vs->priv)
        az_doc_free(((struct priv *)vs->priv)->doc);
    free(vs->priv);
    free(vs);
}

static const char *const top_keys[] = {"anzen-vendors", "vendors", NULL};
static const char *const v_keys[] = {
    "id",       "name",       "systems", "contact",   "remote-maintenance",
    "contract", "role-split", "mds-sds", "checklist", NULL};
static const char *const rm_keys[] = {"method", "device", NULL};
static const char *const ct_keys[] = {"start", "end", NULL};
static const char *const rs_keys[] = {"status", "date", NULL};
static const char *const mds_keys[] = {"version", "received", NULL};
static const char *const cl_keys[] = {"received", NULL};

int az_vendors_load(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                    const struct az_profile *p, struct az_vendors **ret)
{
    struct az_vendors *vs = calloc(1, sizeof(*vs));
    struct priv *pv = calloc(1, sizeof(*pv));
    const json_t *root, *l;
    struct av v;
    struct az_buf warn;
    int r;

    az_buf_init(&warn, 64u * 1024);
    if (!vs || !pv) {
        free(vs);
        free(pv);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    vs->priv = pv;
    if ((r = az_doc_load(ctx, name, data, len, &pv->doc)) < 0) {
        az_vendors_free(vs);
        return r;
    }
    root = az_doc_root(pv->doc);
    av_init(&v, ctx, pv->doc, 10);
    if (!av_header(&v, root, top_keys, "vendors file", "anzen-vendors"))
        goto done;
    l = av_list(&v, root, "vendors", true);
    if (l && json_array_size(l) > 1000)
        av_err(&v, l, NULL, "事業者が多すぎます", "too many vendors");
    vs->v = calloc(json_array_size(l) + 1, sizeof(*vs->v));
    for (size_t i = 0; l && vs->v && i < json_array_size(l) && i < 1000; i++) {
        const json_t *o = json_array_get(l, i), *x;
        struct az_vendor *e = &vs->v[vs->n];
        if (!av_object(&v, o, v_keys, "vendor"))
            continue;
        e->id = av_str(&v, o, "id", true);
        if (e->id && !az_is_token(e->id))
            av_err(&v, o, "id", "事業者 ID \"%s\" が不正です", "invalid vendor id \"%s\"", e->id);
        for (size_t k = 0; e->id && k < vs->n; k++)
            if (vs->v[k].id && !strcmp(vs->v[k].id, e->id))
                av_err(&v, o, "id", "事業者 ID \"%s\" が重複しています",
                       "duplicate vendor id \"%s\"", e->id);
        e->name = av_str(&v, o, "name", true);
        e->contact = av_str(&v, o, "contact", false);
        e->systems = av_strlist(&v, o, "systems", false, &e->nsystems);
        for (size_t k = 0; p && k < e->nsystems; k++) {
            bool found = false;
            for (size_t s = 0; s < p->nsystems; s++)
                found |= !strcmp(p->systems[s].id, e->systems[k]);
            if (!found) {
                /* a warning: the profile may have changed after the vendor
                 * was registered; the rest of the registry still holds */
                char *list = az_profile_system_list(p, false);
                const json_t *sl = json_object_get(o, "systems");
                const json_t *at = json_is_array(sl) ? json_array_get(sl, k) : sl;
                struct az_mark m = az_doc_mark(pv->doc, at ? at : sl);
                if (m.line)
                    az_buf_printf(&warn, "%s:%d:%d: ", az_doc_name(pv->doc), m.line, m.col);
                else
                    az_buf_printf(&warn, "%s: ", az_doc_name(pv->doc));
                az_buf_printf(&warn,
                              ctx->lang == AZ_LANG_EN
                                  ? "warning: vendor %s names system \"%s\", which is not in "
                                    "the profile (add it to profile.yaml or take it out of "
                                    "vendors.yaml; system IDs: %s)\n"
                                  : "警告: 事業者 %s のシステム \"%s\" はプロファイルにありません "
                                    "(profile.yaml に加えるか vendors.yaml から外してください。"
                                    "システム ID: %s)\n",
                              e->id ? e->id : "?", e->systems[k], list ? list : "-");
                free(list);
            }
        }
        if ((x = json_object_get(o, "remote-maintenance")) &&
            av_object(&v, x, rm_keys, "remote-maintenance")) {
            e->rm_method = av_str(&v, x, "method", false);
            e->rm_device = av_str(&v, x, "device", false);
            if (!e->rm_method)
                e->rm_method = "";
        }
        if ((x = json_object_get(o, "contract")) && av_object(&v, x, ct_keys, "contract")) {
            if (json_object_get(x, "start"))
                e->has_contract_start = av_date(&v, x, "start", true, &e->contract_start);
            if (json_object_get(x, "end"))
                e->has_contract_end = av_date(&v, x, "end", true, &e->contract_end);
        }
        if ((x = json_object_get(o, "role-split")) && av_object(&v, x, rs_keys, "role-split")) {
            const char *st = av_str(&v, x, "status", true);
            if (st && !strcmp(st, "agreed"))
                e->role_split = 2;
            else if (st && !strcmp(st, "draft"))
                e->role_split = 1;
            else if (st && strcmp(st, "none"))
                av_err(&v, x, "status", "status は none / draft / agreed です",
                       "status takes none, draft or agreed");
            if (json_object_get(x, "date"))
                e->has_role_split_date = av_date(&v, x, "date", true, &e->role_split_date);
        }
        if ((x = json_object_get(o, "mds-sds")) && av_object(&v, x, mds_keys, "mds-sds")) {
            e->mds_version = av_str(&v, x, "version", false);
            e->has_mds = av_date(&v, x, "received", true, &e->mds_received);
        }
        if ((x = json_object_get(o, "checklist")) && av_object(&v, x, cl_keys, "checklist"))
            e->has_checklist = av_date(&v, x, "received", true, &e->checklist_received);
        vs->n++;
    }
done:
    r = av_finish(&v);
    if (r < 0) {
        az_buf_done(&warn);
        az_vendors_free(vs);
        return r;
    }
    if (warn.len)
        vs->warnings = az_buf_take(&warn);
    az_buf_done(&warn);
    *ret = vs;
    return 0;
}

/* Append a finding of rule (topics from data/rules/rules.yaml) about
 * vendor (a registry ID or a system). */
static void add(json_t *arr, const char *vendor, const char *rule, const char *level,
                const char *ja, const char *en)
{
    struct az_finding fd;

    az_finding_start(&fd, "vendor", rule, level, ja, en);
    fd.vendor = vendor;
    json_array_append_new(arr, az_finding_json(&fd));
}

json_t *az_vendors_check(const struct az_vendors *vs, const struct az_profile *p,
                         struct az_date as_of)
{
    return az_vendors_check_forms(vs, p, as_of, NULL, 0);
}

/* Has the vendor's 事業者確認用 come back this fiscal year: the registry's
 * date, or a form held for one of its systems, dated in the year. */
static bool checklist_this_year(const struct az_vendor *e, struct az_date as_of,
                                const struct az_vendor_form_held *forms, size_t nforms)
{
    if (e->has_checklist && az_fiscal_year(e->checklist_received) == az_fiscal_year(as_of))
        return true;
    for (size_t f = 0; f < nforms; f++)
        for (size_t k = 0; forms[f].dated && k < e->nsystems; k++)
            if (!strcmp(forms[f].system, e->systems[k]) &&
                az_fiscal_year(forms[f].received) == az_fiscal_year(as_of))
                return true;
    return false;
}

json_t *az_vendors_check_forms(const struct az_vendors *vs, const struct az_profile *p,
                               struct az_date as_of, const struct az_vendor_form_held *forms,
                               size_t nforms)
{
    json_t *arr = json_array();
    AZ_AUTOFREE char *ja = NULL, *en = NULL;
    char d[16];
    int gaps = 0;

    for (size_t i = 0; i < vs->n; i++) {
        const struct az_vendor *e = &vs->v[i];
        const char *n = e->name ? e->name : e->id;
        if (!e->has_mds) {
            az_strf(&ja, "%s: MDS/SDS を受け取っていません", n);
            az_strf(&en, "%s: no MDS/SDS received", n);
            add(arr, e->id, "no-mds-sds", "gap", ja, en);
        }
        if (e->rm_method && (!e->rm_device || !*e->rm_device)) {
            az_strf(&ja, "%s: リモート保守の装置が確認されていません", n);
            az_strf(&en, "%s: remote maintenance with no confirmed device", n);
            add(arr, e->id, "remote-device-unknown", "gap", ja, en);
        }
        if (e->role_split != 2) {
            az_strf(&ja, "%s: 役割分担の確認表が合意されていません%s", n,
                    e->role_split == 1 ? " (案のまま)" : "");
            az_strf(&en, "%s: no agreed role-split table%s", n,
                    e->role_split == 1 ? " (draft only)" : "");
            add(arr, e->id, "role-split", "gap", ja, en);
        }
        if (!checklist_this_year(e, as_of, forms, nforms)) {
            az_strf(&ja, "%s: 今年度の事業者確認用を受け取っていません", n);
            az_strf(&en, "%s: no vendor checklist received this fiscal year", n);
            add(arr, e->id, "checklist", "attention", ja, en);
        }
        if (e->has_contract_end && az_date_cmp(e->contract_end, as_of) < 0) {
            az_date_iso(e->contract_end, d, sizeof(d));
            az_strf(&ja, "%s: 契約が %s に終わっています", n, d);
            az_strf(&en, "%s: the contract ended on %s", n, d);
            add(arr, e->id, "contract-ended", "gap", ja, en);
        }
    }
    for (size_t s = 0; p && s < p->nsystems; s++) {
        bool covered = false;
        if (!p->systems[s].vendor)
            continue;
        for (size_t i = 0; i < vs->n; i++)
            for (size_t k = 0; k < vs->v[i].nsystems; k++)
                covered |= !strcmp(vs->v[i].systems[k], p->systems[s].id);
        if (!covered) {
            az_strf(&ja, "%s (%s): 事業者の登録がありません", p->systems[s].name,
                    p->systems[s].vendor);
            az_strf(&en, "%s (%s): the vendor is not registered", p->systems[s].name,
                    p->systems[s].vendor);
            add(arr, p->systems[s].id, "unregistered", "attention", ja, en);
        }
    }
    for (size_t i = 0; i < json_array_size(arr); i++)
        gaps += !strcmp(json_string_value(json_object_get(json_array_get(arr, i), "level")), "gap");
    return json_pack("{s:s, s:i, s:o}", "schema", "anzen-vendor-check/1", "gaps", gaps, "findings",
                     arr);
}
