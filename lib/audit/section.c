/* SPDX-License-Identifier: MIT */
/*
 * section.c - the host audit's part of the report: which hosts fail which
 * checklist items, exceptions, and two-factor authentication by host and
 * by system for the FY2027 deadline (audit.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/audit.h"
#include "anzen/catalog.h"
#include "anzen/finding.h"
#include "anzen/util.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The printed labels of the items the failing results bear on. */
static char *failed_items(const struct az_catalog *cat, const struct az_edition *ed,
                          const json_t *host)
{
    struct az_buf b;
    const json_t *x, *t;
    size_t i, k;
    const char *seen[64];
    size_t nseen = 0;

    az_buf_init(&b, 1 << 16);
    az_buf_puts(&b, "");
    json_array_foreach(json_object_get(host, "results"), i, x)
    {
        if (strcmp(str(x, "result") ? str(x, "result") : "", "fail"))
            continue;
        json_array_foreach(json_object_get(x, "topics"), k, t)
        {
            const struct az_item *items[8];
            size_t n =
                cat && ed ? az_topic_items(cat, ed, NULL, json_string_value(t), items, 8) : 0;
            for (size_t j = 0; j < n; j++) {
                const char *l = items[j]->label ? items[j]->label : items[j]->id;
                bool dup = false;
                for (size_t s = 0; s < nseen; s++)
                    dup = dup || !strcmp(seen[s], l);
                if (dup || nseen >= 64)
                    continue;
                seen[nseen++] = l;
                az_buf_printf(&b, "%s%s", b.len ? " " : "", l);
            }
            if (!n && !(cat && ed)) {
                az_buf_printf(&b, "%s%s", b.len ? " " : "", json_string_value(t));
            }
        }
    }
    return az_buf_take(&b);
}

/* The state of two-factor authentication on a host: the results of its
 * rules on the h:mfa topic. */
static const char *mfa_state(const json_t *host, bool en, int *ok)
{
    const json_t *x, *t;
    size_t i, k;
    const char *state = NULL;

    *ok = 0;
    json_array_foreach(json_object_get(host, "results"), i, x)
    {
        json_array_foreach(json_object_get(x, "topics"), k, t)
        {
            const char *r = str(x, "result");
            if (strncmp(json_string_value(t) ? json_string_value(t) : "", "h:mfa", 5) || !r)
                continue;
            if (!strcmp(r, "pass")) {
                *ok = 1;
                return en ? "in place" : "あり";
            }
            if (!strcmp(r, "fail"))
                state = en ? "none found" : "なし";
            else if (!strcmp(r, "excepted") && !state)
                state = en ? "exception" : "例外";
            else if (!state && strcmp(r, "n/a"))
                state = en ? "not checked" : "未確認";
        }
    }
    return state ? state : (en ? "not checked" : "未確認");
}

json_t *az_audit_section(enum az_lang lang, const struct az_catalog *cat,
                         const struct az_edition *ed, const json_t *hosts, const json_t *keypoints)
{
    bool en = lang == AZ_LANG_EN;
    json_t *sec = json_object(), *paras = json_array(), *fs = json_array(), *rows = json_array();
    const json_t *h, *x;
    size_t i, k, nfail = 0, nmfa = 0, nwin = 0, nexc = 0, nexp = 0;
    struct az_buf b;

    az_buf_init(&b, 1 << 20);
    json_array_foreach(hosts, i, h)
    {
        const json_t *host = json_object_get(h, "host"), *counts = json_object_get(h, "counts");
        char *items = failed_items(cat, ed, h);
        int ok;
        const char *mfa = mfa_state(h, en, &ok);
        struct az_buf ex;
        nmfa += (size_t)ok;
        if (!strcmp(str(h, "platform") ? str(h, "platform") : "", "windows"))
            nwin++;
        if (json_integer_value(json_object_get(counts, "fail")) > 0)
            nfail++;
        az_buf_init(&ex, 1 << 16);
        az_buf_puts(&ex, "");
        json_array_foreach(json_object_get(h, "exceptions"), k, x)
        {
            bool expired = !strcmp(str(x, "status"), "expired");
            if (expired)
                nexp++;
            else
                nexc++;
            az_buf_printf(&ex, "%s%s (%s, %s %s%s)", ex.len ? "; " : "", str(x, "rule"),
                          str(x, "reason"), str(x, "owner"),
                          expired ? (en ? "expired" : "期限切れ") : (en ? "until" : "期限"),
                          str(x, "expires"));
        }
        json_array_append_new(
            rows, json_pack("[s, s, s, s, s, s, s]", str(host, "name") ? str(host, "name") : "",
                            str(h, "asset") ? str(h, "asset")
                                            : (en ? "(not in the ledger)" : "(台帳にない)"),
                            str(host, "os") ? str(host, "os") : str(h, "platform"),
                            str(h, "audited") ? str(h, "audited") : "",
                            items && *items ? items : (en ? "none" : "なし"), mfa,
                            ex.data && *ex.data ? ex.data : "-"));
        free(items);
        az_buf_done(&ex);
        json_array_foreach(json_object_get(h, "findings"), k, x)
        {
            const char *lv = str(x, "level"), *t = str(x, en ? "en" : "ja");
            if (!lv || !t)
                continue;
            json_array_append_new(fs, json_pack("{s:s, s:s, s:s}", "level", lv, "label",
                                                !strcmp(lv, "gap") ? (en ? "gap" : "要対応")
                                                                   : (en ? "attention" : "注意"),
                                                "text", t));
        }
    }
    az_buf_printf(
        &b,
        en ? "%zu hosts audited (%zu Windows PCs, %zu Linux servers); %zu fail at "
             "least one check."
           : "%zu 台を点検しました (Windows %zu 台、Linux %zu 台)。%zu 台に不適合があります。",
        json_array_size(hosts), nwin, json_array_size(hosts) - nwin, nfail);
    json_array_append_new(paras, json_string(b.data));
    b.len = 0;
    az_buf_printf(
        &b,
        en ? "Two-factor authentication (required by the end of FY2027, 2027-03-31): "
             "found on %zu of %zu hosts."
           : "二要素認証 (令和9年度末 2027-03-31 までに必要): %zu / %zu 台で確認できました。",
        nmfa, json_array_size(hosts));
    json_array_append_new(paras, json_string(b.data));
    if (nexc || nexp) {
        b.len = 0;
        az_buf_printf(&b,
                      en ? "Exceptions: %zu in force (not counted as passing; listed per host), "
                           "%zu expired (counted as failures)."
                         : "例外: 有効 %zu 件 (合格とはみなさず、端末ごとに表示)、期限切れ %zu 件 "
                           "(不適合として扱います)。",
                      nexc, nexp);
        json_array_append_new(paras, json_string(b.data));
    }
    /* two-factor authentication per system, from the key points */
    const json_t *tracks =
        json_is_object(keypoints) ? json_object_get(keypoints, "tracks") : keypoints;
    json_array_foreach(tracks, i, x)
    {
        const json_t *f;
        if (strcmp(str(x, "id") ? str(x, "id") : "", "mfa"))
            continue;
        json_array_foreach(json_object_get(x, "findings"), k, f)
        {
            b.len = 0;
            az_buf_printf(&b, "%s %s", en ? "System:" : "システム:", str(f, en ? "en" : "ja"));
            json_array_append_new(paras, json_string(b.data));
        }
    }
    az_buf_done(&b);
    json_object_set_new(sec, "id", json_string("audit"));
    json_object_set_new(
        sec, "title",
        json_string(en ? "Host audit (anzen audit)" : "端末・サーバの点検 (anzen audit)"));
    json_object_set_new(sec, "paragraphs", paras);
    json_object_set_new(sec, "findings", fs);
    json_object_set_new(sec, "table",
                        json_pack("{s:[s, s, s, s, s, s, s], s:o}", "head", en ? "Host" : "端末",
                                  en ? "Asset" : "台帳の名称", "OS", en ? "Audited" : "点検日",
                                  en ? "Failing items" : "不適合の項目", en ? "2FA" : "二要素認証",
                                  en ? "Exceptions" : "例外", "rows", rows));
    return sec;
}
