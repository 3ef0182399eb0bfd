/* SPDX-License-Identifier: MIT */
/*
 * import_match.c - the crosswalk of an imported checklist (catimport.h):
 * each item's predecessor in the previous edition, proposed from the
 * similarity of the printed numbers and texts, best pairs first, and the
 * links --map sets by hand.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/catimport.h"
#include "anzen/util.h"
#include "import_impl.h"

/* ---- similarity ---- */

/* Code points of s, skipping spaces and punctuation. */
static size_t codepoints(const char *s, uint32_t *out, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;

    const unsigned char *end = p + strlen(s);

    while (*p && n < max) {
        uint32_t c;
        size_t l = az_utf8_decode(p, (size_t)(end - p), &c);
        if (!l) {
            p++; /* not UTF-8 (never from the reader): skip the byte */
            continue;
        }
        p += l;
        if (c <= ' ' || (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                                       (c >= 'a' && c <= 'z'))))
            continue;
        if ((c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF0F) ||
            (c >= 0xFF1A && c <= 0xFF20) || c == 0x30FB)
            continue; /* 、。「」（）・ and friends */
        out[n++] = c;
    }
    return n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static size_t bigrams(const char *s, uint64_t *out, size_t max)
{
    uint32_t cp[600];
    size_t n = codepoints(s, cp, sizeof(cp) / sizeof(cp[0])), k = 0;

    for (size_t i = 0; i + 1 < n && k < max; i++)
        out[k++] = ((uint64_t)cp[i] << 32) | cp[i + 1];
    qsort(out, k, sizeof(*out), cmp_u64);
    return k;
}

static size_t common(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, c = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            c++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    return c;
}

/* Dice of the printed text and the earlier item's title+text, raised
 * halfway towards the share of the earlier title's bigrams found in the
 * printed text when that is higher. */
static double text_similarity(const char *printed, const struct az_item *it)
{
    uint64_t a[600], b[1200], t[200];
    size_t na = bigrams(printed, a, 600), nb, nt, c;
    double dice = 0, cover = 0;
    struct az_buf buf;

    az_buf_init(&buf, 64 * 1024);
    az_buf_puts(&buf, it->title.ja ? it->title.ja : "");
    az_buf_puts(&buf, " ");
    az_buf_puts(&buf, it->text.ja ? it->text.ja : "");
    nb = buf.data ? bigrams(buf.data, b, 1200) : 0;
    az_buf_done(&buf);
    nt = bigrams(it->title.ja ? it->title.ja : "", t, 200);
    if (na + nb) {
        c = common(a, na, b, nb);
        dice = 2.0 * (double)c / (double)(na + nb);
    }
    if (nt)
        cover = (double)common(t, nt, a, na) / (double)nt;
    /* a short title found inside a long text is a hint, not a match */
    return dice >= cover ? dice : (dice + cover) / 2.0;
}

/* A device class as a key: サーバ / 端末 (also クライアント, 端末 PC) /
 * ネットワーク機器. */
static void device_key(const char *s, char *out, size_t n)
{
    if (strstr(s, "サーバ"))
        snprintf(out, n, "server");
    else if (strstr(s, "端末") || strstr(s, "クライアント"))
        snprintf(out, n, "client");
    else if (strstr(s, "ネットワーク"))
        snprintf(out, n, "network");
    else
        snprintf(out, n, "%s", s);
}

static double label_similarity(const struct az_catimport_item *x, const struct az_item *it)
{
    char a[128], b[128], fa[128], sa[16] = "", sb[16] = "";
    const char *dev = it->label ? strchr(it->label, ' ') : NULL;
    char *base;

    az_catimport_fold(x->label, fa, sizeof(fa));
    if (x->device && strchr(fa, ' '))
        *strchr(fa, ' ') = '\0'; /* "2-(4) 端末PC": the number part */
    az_label_normalise(fa, a, sizeof(a));
    base = it->label ? strndup(it->label, dev ? (size_t)(dev - it->label) : strlen(it->label))
                     : strdup("");
    if (!base)
        return 0;
    az_label_normalise(base, b, sizeof(b));
    free(base);
    for (size_t i = 0; a[i] && a[i] != '-' && i < sizeof(sa) - 1; i++)
        sa[i] = a[i], sa[i + 1] = '\0';
    for (size_t i = 0; b[i] && b[i] != '-' && i < sizeof(sb) - 1; i++)
        sb[i] = b[i], sb[i + 1] = '\0';
    if (!strcmp(a, b)) {
        /* per-device rows: the device must agree too */
        if (x->device || dev) {
            char da[128], db[128];
            if (!x->device || !dev)
                return 0.5;
            device_key(x->device, da, sizeof(da));
            device_key(dev, db, sizeof(db));
            return !strcmp(da, db) ? 1.0 : 0.4;
        }
        return 1.0;
    }
    return sa[0] && !strcmp(sa, sb) ? 0.2 : 0.0;
}

bool az_catimport_form_compatible(const char *imform, const struct az_form *f)
{
    if (!strcmp(imform, "v"))
        return f->vendor;
    if (f->vendor)
        return false;
    if (!strcmp(imform, "p"))
        return (f->inst_types & AZ_INST_PHARMACY) != 0;
    if (!strcmp(imform, "h"))
        return (f->inst_types & ~(unsigned)AZ_INST_PHARMACY) != 0;
    return true; /* hp */
}

const char *az_catimport_topic_of(const struct az_item *it)
{
    const char *p = it->id + strlen(it->edition->id);
    if (*p == '.')
        p++;
    if (it->form) {
        size_t fl = strlen(it->form->id);
        if (!strncmp(p, it->form->id, fl) && p[fl] == '.')
            p += fl + 1;
    }
    return p;
}

struct pair {
    size_t imp;
    const struct az_item *prev;
    double score, ls, ts;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->imp != y->imp)
        return x->imp < y->imp ? -1 : 1;
    return strcmp(x->prev->id, y->prev->id);
}

/* Do two labels name the same item? Full-width digits and dashes fold. */
static bool same_label(const char *a, const char *b)
{
    char fa[128], fb[128], na[128], nb[128];

    az_catimport_fold(a, fa, sizeof(fa));
    az_catimport_fold(b, fb, sizeof(fb));
    if (!strcmp(fa, fb))
        return true;
    az_label_normalise(fa, na, sizeof(na));
    az_label_normalise(fb, nb, sizeof(nb));
    return na[0] && !strcmp(na, nb);
}

static double pair_score(bool numbers_count, double ls, double ts)
{
    /* the text decides; the number only breaks ties between close texts */
    return numbers_count ? 0.75 * ts + 0.25 * ls : ts;
}

static void set_match(struct az_catimport_item *x, const struct az_item *m, double score, double ls,
                      double ts)
{
    x->match = m;
    x->score = score;
    x->label_score = ls;
    x->text_score = ts;
}

/* The links given with --map link=LABEL=new|ITEM. */
static int apply_links(struct az_ctx *ctx, struct az_catimport *im, const char *primary,
                       bool numbers_count, bool *used_prev, bool *done,
                       const struct az_catimport_opts *o)
{
    const struct az_edition *pe = im->previous;

    for (size_t l = 0; l < o->nlinks; l++) {
        const struct az_catimport_link *ln = &o->links[l];
        size_t i, k = 0;
        for (i = 0; i < im->nitems; i++)
            if (same_label(im->items[i].label, ln->label) ||
                same_label(im->items[i].printed, ln->label))
                break;
        if (i == im->nitems)
            return az_fail(ctx, AZ_ENOTFOUND, "--map link=%s=%s: 番号 %s の項目が様式にありません",
                           "--map link=%s=%s: the form has no item numbered %s", ln->label,
                           ln->target, ln->label);
        if (done[i])
            return az_fail(ctx, AZ_EINVAL, "--map link=%s: 同じ項目に 2 回指定しています",
                           "--map link=%s: the same item is linked twice", ln->label);
        done[i] = true;
        im->items[i].by_hand = true;
        if (!strcmp(ln->target, "new")) {
            set_match(&im->items[i], NULL, 0, 0, 0);
            continue;
        }
        if (pe)
            for (k = 0; k < pe->nitems; k++)
                if (!strcmp(pe->items[k]->id, ln->target))
                    break;
        if (!pe || k == pe->nitems || !pe->items[k]->form ||
            strcmp(pe->items[k]->form->id, primary) != 0)
            return az_fail(ctx, AZ_ENOTFOUND,
                           "--map link=%s=%s: 前の版 %s の様式 %s に項目 %s がありません "
                           "(new で新しい項目にできます)",
                           "--map link=%s=%s: previous edition %s, form %s, has no item %s "
                           "(use new for a new item)",
                           ln->label, ln->target, pe ? pe->id : "-", primary, ln->target);
        if (used_prev[k])
            return az_fail(ctx, AZ_EINVAL, "--map link=%s=%s: %s はほかの項目にも対応づけています",
                           "--map link=%s=%s: %s is linked to another item too", ln->label,
                           ln->target, ln->target);
        used_prev[k] = true;
        {
            double ls = numbers_count ? label_similarity(&im->items[i], pe->items[k]) : 0.0;
            double ts = text_similarity(im->items[i].text, pe->items[k]);
            set_match(&im->items[i], pe->items[k], pair_score(numbers_count, ls, ts), ls, ts);
        }
    }
    return 0;
}

/* Propose predecessors: best pairs first, each used once; a pair whose
 * texts differ (AZ_CATIMPORT_MIN_TEXT) is never linked, however well the
 * numbers agree: a new item printed under an old number stays new. */
int az_catimport_propose(struct az_ctx *ctx, struct az_catimport *im,
                         const struct az_catimport_opts *o)
{
    const struct az_edition *pe = im->previous;
    struct pair *pairs;
    size_t np = 0, cap;
    bool *used_prev, *done, numbers_count;
    const char *primary = NULL;
    int r;

    if (!pe) {
        if (o->nlinks)
            return az_fail(ctx, AZ_EINVAL, "--map link=: 比べる前の版がありません",
                           "--map link=: there is no previous edition to link to");
        return 0;
    }
    /* the form the matches come from: the same id, else a compatible one
     * (for hp: the medical institution form, the pharmacy one as second) */
    for (size_t f = 0; f < pe->nforms && !primary; f++)
        if (!strcmp(pe->forms[f].id, im->form))
            primary = pe->forms[f].id;
    for (size_t f = 0; f < pe->nforms && !primary; f++)
        if (az_catimport_form_compatible(im->form, &pe->forms[f]) &&
            (strcmp(im->form, "hp") || !(pe->forms[f].inst_types == AZ_INST_PHARMACY)))
            primary = pe->forms[f].id;
    if (!primary) {
        if (o->nlinks)
            return az_fail(ctx, AZ_EINVAL, "--map link=: 前の版 %s に対応する様式がありません",
                           "--map link=: previous edition %s has no matching form", pe->id);
        return 0;
    }
    cap = im->nitems * pe->nitems + 1;
    pairs = calloc(cap, sizeof(*pairs));
    used_prev = calloc(pe->nitems + 1, sizeof(*used_prev));
    done = calloc(im->nitems + 1, sizeof(*done));
    if (!pairs || !used_prev || !done) {
        free(pairs);
        free(used_prev);
        free(done);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    /* numbers only count when the two editions number alike: a form that
     * numbers 1., 2., ... throughout is matched on its texts */
    {
        size_t alike = 0;
        for (size_t i = 0; i < im->nitems; i++)
            for (size_t k = 0; k < pe->nitems; k++)
                if (pe->items[k]->form && !strcmp(pe->items[k]->form->id, primary) &&
                    label_similarity(&im->items[i], pe->items[k]) >= 1.0) {
                    alike++;
                    break;
                }
        numbers_count = alike * 3 >= im->nitems;
    }
    r = apply_links(ctx, im, primary, numbers_count, used_prev, done, o);
    if (r < 0) {
        free(pairs);
        free(used_prev);
        free(done);
        return r;
    }
    for (size_t i = 0; i < im->nitems; i++)
        for (size_t k = 0; k < pe->nitems; k++) {
            const struct az_item *it = pe->items[k];
            double ls, ts;
            if (!it->form || strcmp(it->form->id, primary) != 0)
                continue;
            ls = numbers_count ? label_similarity(&im->items[i], it) : 0.0;
            ts = text_similarity(im->items[i].text, it);
            if (ts < AZ_CATIMPORT_MIN_TEXT)
                continue;
            pairs[np++] = (struct pair){i, it, pair_score(numbers_count, ls, ts), ls, ts};
        }
    qsort(pairs, np, sizeof(*pairs), cmp_pair);
    for (size_t p = 0; p < np; p++) {
        size_t k;
        if (done[pairs[p].imp])
            continue;
        for (k = 0; k < pe->nitems && pe->items[k] != pairs[p].prev; k++)
            ;
        if (used_prev[k])
            continue;
        used_prev[k] = true;
        done[pairs[p].imp] = true;
        set_match(&im->items[pairs[p].imp], pairs[p].prev, pairs[p].score, pairs[p].ls,
                  pairs[p].ts);
    }
    for (size_t i = 0; i < im->nitems; i++) {
        struct az_catimport_item *x = &im->items[i];
        x->keeps_dates = x->match && (x->score >= 0.55 || x->text_score >= AZ_CATIMPORT_CLOSE_TEXT);
    }
    /* hp: the same topic on the pharmacy form carries pharmacies' answers */
    if (!strcmp(im->form, "hp"))
        for (size_t i = 0; i < im->nitems; i++) {
            const struct az_item *m = im->items[i].match;
            if (!m)
                continue;
            for (size_t k = 0; k < pe->nitems; k++) {
                const struct az_item *it = pe->items[k];
                if (it != m && it->form && !it->form->vendor &&
                    it->form->inst_types == AZ_INST_PHARMACY &&
                    !strcmp(az_catimport_topic_of(it), az_catimport_topic_of(m)))
                    im->items[i].match2 = it;
            }
        }
    free(pairs);
    free(used_prev);
    free(done);
    return 0;
}

const char *az_catimport_relation(const struct az_catimport_item *it)
{
    if (!it->match)
        return NULL;
    return it->score >= 0.55 ? "same" : "changed";
}
