/* SPDX-License-Identifier: MIT */
/*
 * import_yaml.c - an imported checklist written as a draft catalog
 * edition (catimport.h): YAML in the catalog's schema, with each item's
 * predecessor and what is carried over from it.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/catimport.h"
#include "anzen/profile.h"
#include "anzen/util.h"
#include "import_impl.h"

/* ---- the draft edition as YAML ---- */

/* A double-quoted YAML scalar. Text read from a workbook may hold
 * characters libyaml refuses raw (C0/C1 controls, U+FEFF, U+FFFE/FFFF):
 * those become \\u escapes, so whatever was read loads back. */
static void q(struct az_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    const unsigned char *end = p + strlen((const char *)p);

    az_buf_puts(b, "\"");
    while (*p) {
        uint32_t c;
        size_t l = az_utf8_decode(p, (size_t)(end - p), &c);
        if (!l) {
            l = 1; /* a broken sequence (never from the reader) */
            c = 0xD800;
        }
        if (c == '"' || c == '\\')
            az_buf_printf(b, "\\%c", (char)c);
        else if (c == '\n')
            az_buf_puts(b, "\\n");
        else if (c == '\t')
            az_buf_puts(b, "\\t");
        else if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0xFEFF)
            az_buf_printf(b, "\\u%04X", (unsigned)c);
        else if ((c >= 0xD800 && c < 0xE000) || c == 0xFFFE || c == 0xFFFF || c > 0x10FFFF)
            az_buf_puts(b, "\\uFFFD");
        else
            az_buf_add(b, p, l);
        p += l;
    }
    az_buf_puts(b, "\"");
}

/* q() of printf-style text, whole however long: a fixed buffer would cut
 * a long file name or cell text, maybe mid-character. Sets *ok to false
 * on ENOMEM. */
__attribute__((format(printf, 3, 4))) static void qf(struct az_buf *b, bool *ok, const char *fmt,
                                                     ...)
{
    va_list ap;
    char *s = NULL;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) {
        s = NULL;
        *ok = false;
    }
    va_end(ap);
    q(b, s);
    free(s);
}

/* The length of s, or of its longest start of at most max bytes that ends
 * between two characters (a byte count such as %.380s can end inside one). */
static size_t utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static void text_kv(struct az_buf *b, const char *key, const char *ja, const char *en)
{
    az_buf_printf(b, "    %s: {ja: ", key);
    q(b, ja);
    az_buf_puts(b, ", en: ");
    q(b, en);
    az_buf_puts(b, "}\n");
}

static void strlist(struct az_buf *b, const char *key, const char **v, size_t n)
{
    if (!n)
        return;
    az_buf_printf(b, "    %s: [", key);
    for (size_t i = 0; i < n; i++) {
        if (i)
            az_buf_puts(b, ", ");
        q(b, v[i]);
    }
    az_buf_puts(b, "]\n");
}

static const char *form_title(const char *f, bool en)
{
    if (!strcmp(f, "p"))
        return en ? "Pharmacy form" : "薬局確認用";
    if (!strcmp(f, "hp"))
        return en ? "Medical institution and pharmacy form" : "医療機関・薬局確認用";
    if (!strcmp(f, "v"))
        return en ? "Vendor form" : "事業者確認用";
    return en ? "Medical institution form" : "医療機関確認用";
}

/* Forms of the previous edition this import does not replace (the vendor
 * form when the institution form was imported, ...): carried unchanged. */
static bool carried_form(const struct az_catimport *im, const struct az_form *f)
{
    return !az_catimport_form_compatible(im->form, f);
}

static void emit_form(struct az_buf *b, const struct az_form *f)
{
    static const struct {
        unsigned bit;
        const char *tok;
    } types[] = {{AZ_INST_HOSPITAL, "hospital"},
                 {AZ_INST_CLINIC, "clinic"},
                 {AZ_INST_DENTAL, "dental-clinic"},
                 {AZ_INST_PHARMACY, "pharmacy"},
                 {AZ_INST_MIDWIFERY, "midwifery-home"}};
    bool first = true;

    az_buf_puts(b, "  - id: ");
    q(b, f->id);
    az_buf_puts(b, "\n");
    text_kv(b, "title", f->title.ja, f->title.en);
    if (f->doc_title.ja)
        text_kv(b, "document-title", f->doc_title.ja, f->doc_title.en);
    if (f->legal_basis.ja)
        text_kv(b, "legal-basis", f->legal_basis.ja, f->legal_basis.en);
    if (f->vendor) {
        az_buf_puts(b, "    audience: vendor\n");
        return;
    }
    az_buf_puts(b, "    audience: institution\n    institution-types: [");
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (f->inst_types & types[i].bit) {
            az_buf_printf(b, "%s%s", first ? "" : ", ", types[i].tok);
            first = false;
        }
    az_buf_puts(b, "]\n");
}

static void emit_fields(struct az_buf *b, const struct az_item *m, bool dates)
{
    strlist(b, "targets", m->targets, m->ntargets);
    strlist(b, "tags", m->tags, m->ntags);
    strlist(b, "ref-labels", m->ref_labels, m->nref_labels);
    if (m->nrefs) {
        az_buf_puts(b, "    refs: [");
        for (size_t k = 0, w = 0; k < m->nrefs; k++)
            if (m->refs[k]) {
                if (w++)
                    az_buf_puts(b, ", ");
                q(b, m->refs[k]->id);
            }
        az_buf_puts(b, "]\n");
    }
    if (m->conds & ~(unsigned)AZ_COND_MEDICAL_SYSTEMS) {
        bool first = true;
        az_buf_puts(b, "    applies-if: [");
        for (unsigned bit = 2; bit <= AZ_COND_NOT_OUTSOURCED; bit <<= 1)
            if (m->conds & bit) {
                az_buf_printf(b, "%s%s", first ? "" : ", ", az_cond_token((enum az_cond)bit));
                first = false;
            }
        az_buf_puts(b, "]\n");
    }
    if (dates && m->has_due_by) {
        char dd[16];
        az_date_iso(m->due_by, dd, sizeof(dd));
        az_buf_printf(b, "    due-by: \"%s\"\n", dd);
    }
}

static void emit_roles(struct az_buf *b, unsigned roles)
{
    bool first = true;
    az_buf_puts(b, "    roles: [");
    for (int r = 0; r < AZ_NROLES; r++)
        if (roles & (1u << r)) {
            az_buf_printf(b, "%s%s", first ? "" : ", ", az_role_token((enum az_role)(1u << r)));
            first = false;
        }
    az_buf_puts(b, "]\n");
}

/* An item of a carried form, unchanged but for its id. */
static void emit_copy(struct az_buf *b, const struct az_catimport *im, const struct az_item *m,
                      size_t order)
{
    char id[256];
    snprintf(id, sizeof(id), "%s.%s.%s", im->edition_id, m->form->id, az_catimport_topic_of(m));
    az_buf_puts(b, "  - id: ");
    q(b, id);
    az_buf_puts(b, "\n    form: ");
    q(b, m->form->id);
    az_buf_puts(b, "\n    group: ");
    q(b, m->group ? m->group->id : "1");
    az_buf_puts(b, "\n    label: ");
    q(b, m->label);
    az_buf_printf(b, "\n    order: \"%zu\"\n", order);
    if (m->gate)
        az_buf_puts(b, "    gate: true\n");
    text_kv(b, "title", m->title.ja, m->title.en);
    text_kv(b, "text", m->text.ja, m->text.en);
    if (m->guidance.ja)
        text_kv(b, "guidance", m->guidance.ja, m->guidance.en);
    if (m->interim.ja)
        text_kv(b, "interim", m->interim.ja, m->interim.en);
    if (m->permanent.ja)
        text_kv(b, "permanent", m->permanent.ja, m->permanent.en);
    emit_roles(b, m->roles);
    emit_fields(b, m, true);
    az_buf_printf(b, "    required-from: \"%d\"\n", m->required_from ? m->required_from : 2023);
    az_buf_printf(b, "    confidence: %s\n", az_conf_token(m->confidence));
    strlist(b, "sources", m->sources, m->nsources);
    text_kv(b, "note", "この様式は取り込んでいないため、前の版の項目をそのまま引き継いでいます",
            "This form was not imported; the previous edition's item is carried unchanged");
}

char *az_catimport_to_yaml(const struct az_catimport *im, struct az_date today)
{
    struct az_buf b;
    char d[16], fy[32];
    const struct az_edition *pe = im->previous;
    const struct az_form *pf = NULL;
    bool gate_done = false, ok = true;

    az_date_iso(today, d, sizeof(d));
    az_fy_format(im->fiscal_year, AZ_LANG_JA, fy, sizeof(fy));
    az_buf_init(&b, 32u * 1024 * 1024);
    az_buf_printf(&b,
                  "# anzen catalog: draft edition imported by `anzen catalog import` on %s\n"
                  "# from the official form the user provided. Numbers and item texts are as\n"
                  "# printed in that file; the crosswalk is anzen's proposal (score = number\n"
                  "# and text similarity) and must be reviewed. Not part of the embedded data.\n",
                  d);
    az_buf_puts(&b, "anzen-catalog: 1\nedition:\n  id: ");
    q(&b, im->edition_id);
    az_buf_puts(&b, "\n  kind: checklist\n  family: mhlw-checklist\n  version: ");
    {
        char v[96];
        snprintf(v, sizeof(v), "%s版 (公式様式から取り込み)", fy);
        q(&b, v);
    }
    az_buf_printf(&b, "\n  fiscal-year: \"%d\"\n  published: ", im->fiscal_year);
    q(&b, im->published);
    az_buf_puts(&b, "\n  title: {ja: ");
    q(&b, im->title
              ? im->title
              : (pe ? pe->title.ja : "医療機関におけるサイバーセキュリティ対策チェックリスト"));
    az_buf_puts(&b, ", en: ");
    q(&b, pe ? pe->title.en : "MHLW cybersecurity checklist");
    az_buf_puts(&b, "}\n  status: current\n");
    if (pe) {
        az_buf_puts(&b, "  supersedes: ");
        q(&b, pe->id);
        az_buf_puts(&b, "\n");
    }
    az_buf_puts(&b, "  sources: [");
    qf(&b, &ok, "%s (sha256 %s), シート「%s」", im->file_label, im->sha256, im->sheet);
    az_buf_puts(&b, "]\n  note: {ja: ");
    qf(&b, &ok,
       "%s に提供された公式様式 %s から取り込んだ版。番号と文は様式のとおり。前の版"
       "%s%s との対応は anzen の提案で、引き継いだ回答は新しい様式で確認し直す必要が"
       "あります。",
       d, im->file_label, pe ? " " : "", pe ? pe->id : "(なし)");
    az_buf_puts(&b, ", en: ");
    qf(&b, &ok,
       "Imported on %s from the official form %s you provided; numbers and texts as "
       "printed. The crosswalk from %s is anzen's proposal; carried answers must be "
       "confirmed again on the new form.",
       d, im->file_label, pe ? pe->id : "(none)");
    az_buf_puts(&b, "}\nforms:\n  - id: ");
    q(&b, im->form);
    az_buf_puts(&b, "\n    title: {ja: ");
    q(&b, form_title(im->form, false));
    az_buf_puts(&b, ", en: ");
    q(&b, form_title(im->form, true));
    az_buf_puts(&b, "}\n");
    if (pe)
        for (size_t f = 0; f < pe->nforms && !pf; f++)
            if (!strcmp(pe->forms[f].id, im->form))
                pf = &pe->forms[f];
    if (im->title && strcmp(im->form, "v") != 0) {
        az_buf_puts(&b, "    document-title: {ja: ");
        q(&b, im->title);
        az_buf_puts(&b, ", en: ");
        q(&b, pf ? az_form_doc_title(pf).en : "MHLW cybersecurity checklist");
        az_buf_puts(&b, "}\n");
    }
    if (pf && pf->legal_basis.ja)
        text_kv(&b, "legal-basis", pf->legal_basis.ja, pf->legal_basis.en);
    if (!strcmp(im->form, "v"))
        az_buf_puts(&b, "    audience: vendor\n");
    else
        az_buf_printf(&b, "    audience: institution\n    institution-types: [%s]\n",
                      !strcmp(im->form, "p") ? "pharmacy"
                      : !strcmp(im->form, "hp")
                          ? "hospital, clinic, dental-clinic, "
                            "midwifery-home, pharmacy"
                          : "hospital, clinic, dental-clinic, midwifery-home");
    for (size_t f = 0; pe && f < pe->nforms; f++)
        if (carried_form(im, &pe->forms[f]) && pe->forms[f].nitems)
            emit_form(&b, &pe->forms[f]);
    az_buf_puts(&b, "groups:\n");
    {
        /* every group an item uses, in order of first use */
        const char **seen = calloc(im->nitems + 1, sizeof(*seen));
        size_t ns = 0;
        for (size_t i = 0; seen && i < im->nitems; i++) {
            const char *g = im->items[i].group, *title = NULL;
            bool dup = false;
            for (size_t k = 0; k < ns; k++)
                if (!strcmp(seen[k], g))
                    dup = true;
            if (dup)
                continue;
            seen[ns++] = g;
            for (size_t k = 0; k < im->ngroups; k++)
                if (!strcmp(im->groups[k].id, g))
                    title = im->groups[k].title;
            for (size_t k = 0; !title && pe && k < pe->ngroups; k++)
                if (!strcmp(pe->groups[k].id, g))
                    title = pe->groups[k].title.ja;
            az_buf_puts(&b, "  - {id: ");
            q(&b, g);
            az_buf_puts(&b, ", title: {ja: ");
            q(&b, title ? title : g);
            az_buf_puts(&b, ", en: ");
            q(&b, title ? title : g);
            az_buf_puts(&b, "}}\n");
        }
        for (size_t k = 0; pe && k < pe->nitems; k++) {
            const struct az_item *it = pe->items[k];
            bool dup = false;
            if (!it->form || !it->group || !carried_form(im, it->form))
                continue;
            for (size_t j = 0; j < im->nitems; j++)
                if (!strcmp(im->items[j].group, it->group->id))
                    dup = true;
            for (size_t j = 0; j < k; j++)
                if (pe->items[j]->group == it->group && pe->items[j]->form &&
                    carried_form(im, pe->items[j]->form))
                    dup = true;
            if (dup)
                continue;
            az_buf_puts(&b, "  - {id: ");
            q(&b, it->group->id);
            az_buf_puts(&b, ", title: {ja: ");
            q(&b, it->group->title.ja);
            az_buf_puts(&b, ", en: ");
            q(&b, it->group->title.en);
            az_buf_puts(&b, "}}\n");
        }
        free(seen);
    }
    az_buf_puts(&b, "items:\n");
    for (size_t i = 0; i < im->nitems; i++) {
        const struct az_catimport_item *x = &im->items[i];
        const struct az_item *m = x->match;
        char *title = az_catimport_shorten(x->text, 32), *en;
        az_buf_puts(&b, "  - id: ");
        q(&b, x->id);
        az_buf_puts(&b, "\n    form: ");
        q(&b, im->form);
        az_buf_puts(&b, "\n    group: ");
        q(&b, x->group);
        az_buf_puts(&b, "\n    label: ");
        q(&b, x->label);
        az_buf_printf(&b, "\n    order: \"%zu\"\n", i);
        if (m && m->gate && !gate_done) {
            az_buf_puts(&b, "    gate: true\n");
            gate_done = true;
        }
        en = az_fmt("%s (imported)", m ? m->title.en : "Imported item");
        if (!en)
            ok = false;
        text_kv(&b, "title", title ? title : x->label, en);
        free(title);
        if (m) {
            const char *t = m->text.en ? m->text.en : "";
            az_strf(&en,
                    "As printed on the official form (Japanese). The closest earlier item "
                    "(%s) reads: %.*s",
                    m->id, (int)utf8_prefix(t, 380), t);
        } else {
            az_strf(&en,
                    "As printed on the official form (Japanese only); no earlier item matched.");
        }
        if (!en)
            ok = false;
        text_kv(&b, "text", x->text, en);
        free(en);
        if (m && m->guidance.ja)
            text_kv(&b, "guidance", m->guidance.ja, m->guidance.en);
        if (m && m->interim.ja)
            text_kv(&b, "interim", m->interim.ja, m->interim.en);
        if (m && m->permanent.ja)
            text_kv(&b, "permanent", m->permanent.ja, m->permanent.en);
        emit_roles(&b, m ? m->roles : (AZ_ROLE_MANAGEMENT | AZ_ROLE_PLANNING | AZ_ROLE_OPERATIONS));
        if (m)
            emit_fields(&b, m, x->keeps_dates);
        /* a deadline belongs to a text: a changed text starts from this
         * edition's year unless it stays close to the earlier one */
        az_buf_printf(&b, "    required-from: \"%d\"\n",
                      m && x->keeps_dates && m->required_from ? m->required_from : im->fiscal_year);
        az_buf_puts(&b, "    confidence: imported\n    sources: [");
        qf(&b, &ok, "%s: シート「%s」 %u 行", im->file_label, im->sheet, x->row + 1);
        az_buf_puts(&b, "]\n");
        if (strcmp(x->printed, x->label) != 0 || x->device) {
            char *nj = az_fmt("様式に印字された番号: %s%s%s", x->printed,
                              x->device ? " / 対象: " : "", x->device ? x->device : "");
            char *ne = az_fmt("Number as printed on the form: %s%s%s", x->printed,
                              x->device ? " / target: " : "", x->device ? x->device : "");
            if (!nj || !ne)
                ok = false;
            text_kv(&b, "note", nj, ne);
            free(nj);
            free(ne);
        }
    }
    for (size_t k = 0; pe && k < pe->nitems; k++)
        if (pe->items[k]->form && carried_form(im, pe->items[k]->form))
            emit_copy(&b, im, pe->items[k], im->nitems + k);
    {
        bool any = false;
        for (size_t k = 0; pe && k < pe->nitems; k++) {
            const struct az_item *m = pe->items[k];
            char id[256];
            if (!m->form || !carried_form(im, m->form))
                continue;
            if (!any)
                az_buf_puts(&b, "crosswalk:\n");
            any = true;
            snprintf(id, sizeof(id), "%s.%s.%s", im->edition_id, m->form->id,
                     az_catimport_topic_of(m));
            az_buf_puts(&b, "  - from: [");
            q(&b, m->id);
            az_buf_puts(&b, "]\n    to: ");
            q(&b, id);
            az_buf_puts(&b, "\n    relation: same\n");
        }
        for (size_t i = 0; i < im->nitems; i++) {
            const struct az_catimport_item *x = &im->items[i];
            const char *rel = az_catimport_relation(x);
            char nj[512], ne[512], sc[16];
            if (!rel)
                continue;
            if (!any)
                az_buf_puts(&b, "crosswalk:\n");
            any = true;
            az_buf_puts(&b, "  - from: [");
            q(&b, x->match->id);
            if (x->match2) {
                az_buf_puts(&b, ", ");
                q(&b, x->match2->id);
            }
            az_buf_puts(&b, "]\n    to: ");
            q(&b, x->id);
            az_buf_printf(&b, "\n    relation: %s\n",
                          x->match2 && !strcmp(rel, "same") ? "merged" : rel);
            snprintf(sc, sizeof(sc), "%.2f", x->score);
            az_buf_printf(&b, "    score: \"%s\"\n", sc);
            snprintf(nj, sizeof(nj),
                     "%s (番号の一致 %.2f、文の類似 %.2f)。引き継いだ回答は新しい様式で確認し"
                     "直してください%s",
                     x->by_hand ? "--map link= で指定" : "anzen catalog import の提案",
                     x->label_score, x->text_score,
                     x->keeps_dates ? "" : "。文が離れているため期限は引き継いでいません");
            snprintf(ne, sizeof(ne),
                     "%s (number match %.2f, text similarity %.2f); confirm carried answers "
                     "again on the new form%s",
                     x->by_hand ? "set with --map link=" : "proposed by anzen catalog import",
                     x->label_score, x->text_score,
                     x->keeps_dates ? "" : "; the texts differ, so no deadline was taken over");
            text_kv(&b, "note", nj, ne);
        }
    }
    if (!ok || b.len >= b.max) {
        az_buf_done(&b);
        return NULL;
    }
    return az_buf_take(&b);
}
