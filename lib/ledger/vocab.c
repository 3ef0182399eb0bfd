/* SPDX-License-Identifier: MIT */
/*
 * vocab.c - the words of a ledger as clinics write them
 * (data/ledger/vocabulary.yaml, embedded): column aliases, device kinds,
 * remote-access product names and how an administrator cell is read.
 * Text is compared after folding (ledger_internal.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "ledger_internal.h"

extern const struct az_file_blob az_embedded_ledger[];
extern const size_t az_embedded_ledger_n;

/* ---- folding ---- */

static int put_cp(struct az_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    return az_buf_add(b, u, n);
}

/* Half-width katakana U+FF61..U+FF9D as full-width code points. */
static const unsigned short hw_kana[] = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9,
    0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB,
    0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1,
    0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5,
    0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9,
    0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3,
};

/* Decode one UTF-8 sequence (invalid bytes come out as themselves). */
static unsigned next_cp(const unsigned char **pp)
{
    const unsigned char *p = *pp;
    unsigned cp;
    if (p[0] < 0x80) {
        cp = p[0];
        *pp = p + 1;
    } else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
        cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
        *pp = p + 2;
    } else if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
        cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
        *pp = p + 3;
    } else if ((p[0] & 0xF8) == 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
               (p[3] & 0xC0) == 0x80) {
        cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
             (p[3] & 0x3Fu);
        *pp = p + 4;
    } else {
        cp = 0xFFFD;
        *pp = p + 1;
    }
    return cp;
}

static bool strip_cp(unsigned cp)
{
    if (cp < 0x80)
        return cp <= ' ' || (cp < 0x7F && !(cp >= '0' && cp <= '9') && !(cp >= 'a' && cp <= 'z') &&
                             !(cp >= 'A' && cp <= 'Z'));
    return cp == 0x3001 || cp == 0x3002 || cp == 0x30FB || cp == 0x00B7 || cp == 0x300C ||
           cp == 0x300D || cp == 0x300E || cp == 0x300F || cp == 0x3010 || cp == 0x3011 ||
           cp == 0x203B || cp == 0x2010 || cp == 0x2013 || cp == 0x2014 || cp == 0x2015 ||
           cp == 0x2212 || cp == 0x301C || cp == 0x00A0 || cp == 0x2022 || cp == 0xFF65 ||
           cp == 0x3000 || cp == 0x25CF || cp == 0x25CB || cp == 0x2605 || cp == 0x2606;
}

static char *fold(const char *in, bool strip, bool lower)
{
    const unsigned char *p = (const unsigned char *)(in ? in : "");
    struct az_buf b;
    int r = 0;

    az_buf_init(&b, AZ_CSV_MAX_FIELD * 4u);
    while (*p && !r) {
        unsigned cp = next_cp(&p);
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp -= 0xFEE0;
        else if (cp == 0x3000 || cp == 0x00A0)
            cp = ' ';
        else if (cp == 0x2010 || cp == 0x2011 || cp == 0x2012 || cp == 0x2013 || cp == 0x2212)
            cp = '-';
        else if (cp == 0x2116) { /* № */
            if (!(r = az_buf_add(&b, "no", 2)))
                continue;
            break;
        } else if (cp >= 0xFF61 && cp <= 0xFF9D) {
            cp = hw_kana[cp - 0xFF61];
            /* a following half-width (semi-)voiced mark composes */
            if (p[0] == 0xEF && p[1] == 0xBE && (p[2] == 0x9E || p[2] == 0x9F)) {
                bool semi = p[2] == 0x9F;
                bool ka_to = cp >= 0x30AB && cp <= 0x30C8, ha = cp >= 0x30CF && cp <= 0x30DB;
                if (!semi && cp == 0x30A6) {
                    cp = 0x30F4;
                    p += 3;
                } else if (!semi && (ka_to || ha)) {
                    cp += 1;
                    p += 3;
                } else if (semi && ha) {
                    cp += 2;
                    p += 3;
                }
            }
        } else if (cp == 0xFF9E) {
            cp = 0x309B;
        } else if (cp == 0xFF9F) {
            cp = 0x309C;
        }
        if (lower && cp >= 'A' && cp <= 'Z')
            cp += 32;
        if (strip && strip_cp(cp))
            continue;
        if (!strip && (cp == '\t' || cp == '\r' || cp == '\n'))
            cp = ' ';
        r = put_cp(&b, cp);
    }
    if (r || az_buf_add(&b, "", 1) < 0) {
        az_buf_done(&b);
        return NULL;
    }
    return az_buf_take(&b);
}

char *az_ledger_fold(const char *in, bool strip)
{
    return fold(in, strip, true);
}

char *az_ledger_fold_width(const char *in)
{
    return fold(in, false, false);
}

/* ---- loading ---- */

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void az_ledger_vocab_free(struct az_ledger_vocab *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->ncols; i++) {
        free_list(v->cols[i].names, v->cols[i].nnames);
    }
    for (size_t i = 0; i < v->nkinds; i++) {
        free_list(v->kinds[i].words, v->kinds[i].nwords);
        free_list(v->kinds[i].contains, v->kinds[i].ncontains);
    }
    for (size_t i = 0; i < v->nos; i++) {
        free_list(v->os[i].match, v->os[i].nmatch);
        free_list(v->os[i].unless, v->os[i].nunless);
    }
    free(v->os);
    free(v->cols);
    free(v->kinds);
    free_list(v->remote, v->nremote);
    free_list(v->remote_word, v->nremote_word);
    free_list(v->weak, v->nweak);
    free_list(v->weak_word, v->nweak_word);
    free_list(v->blank, v->nblank);
    free_list(v->inhouse_prefix, v->ninhouse_prefix);
    free_list(v->inhouse, v->ninhouse);
    free_list(v->role, v->nrole);
    free_list(v->vendor, v->nvendor);
    az_doc_free(v->doc);
    free(v);
}

/* The strings of list key of obj, folded, appended to *v. */
static int fold_list(struct av *av, const json_t *obj, const char *key, bool strip, char ***v,
                     size_t *n)
{
    size_t m = 0;
    const char **s = av_strlist(av, obj, key, false, &m);
    char **nv;
    if (!m) {
        free(s);
        return 0;
    }
    nv = realloc(*v, (*n + m) * sizeof(**v));
    if (!nv) {
        free(s);
        return AZ_ENOMEM;
    }
    *v = nv;
    for (size_t i = 0; i < m; i++) {
        char *f = az_ledger_fold(s[i], strip);
        if (!f) {
            free(s);
            return AZ_ENOMEM;
        }
        if (!*f) {
            free(f);
            continue;
        }
        (*v)[(*n)++] = f;
    }
    free(s);
    return 0;
}

static int add_name(struct az_ledger_vocol *c, const char *s)
{
    char **nv = realloc(c->names, (c->nnames + 1) * sizeof(*nv));
    if (!nv)
        return AZ_ENOMEM;
    c->names = nv;
    if (!(c->names[c->nnames] = az_ledger_fold(s, true)))
        return AZ_ENOMEM;
    c->nnames++;
    return 0;
}

static const char *const class_tokens[] = {"server",         "terminal", "network", "vpn",
                                           "medical-device", "other",    NULL};

int az_ledger_vocab_load(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                         struct az_ledger_vocab **ret)
{
    static const char *const top[] = {
        "anzen-ledger-vocabulary", "columns", "kinds", "remote-access", "admins",
        "os-support-end",          NULL};
    static const char *const oskeys[] = {"name", "match", "unless", "end", "source", NULL};
    static const char *const rakeys[] = {"contains", "word-prefix", "weak", "weak-word-prefix",
                                         NULL};
    static const char *const adkeys[] = {"blank",  "in-house-prefix", "in-house",
                                         "vendor", "in-house-role",   NULL};
    static const char *const colkeys[] = {"field", "core", "ja", "en", "aliases", NULL};
    static const char *const kindkeys[] = {"id", "class", "ja", "en", "words", "contains", NULL};
    struct az_ledger_vocab *v = calloc(1, sizeof(*v));
    struct av av;
    json_t *root, *list, *x;
    size_t i;
    int r = 0;

    if (!v)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    if (!data) {
        for (size_t k = 0; k < az_embedded_ledger_n; k++)
            if (strstr(az_embedded_ledger[k].name, "vocabulary.yaml")) {
                name = az_embedded_ledger[k].name;
                data = az_embedded_ledger[k].data;
                len = az_embedded_ledger[k].len;
            }
        if (!data) {
            free(v);
            return az_fail(ctx, AZ_ENOTFOUND, "台帳の語彙がありません",
                           "the ledger vocabulary is missing");
        }
    }
    if ((r = az_doc_load(ctx, name, data, len, &v->doc)) < 0) {
        free(v);
        return r;
    }
    root = az_doc_root(v->doc);
    av_init(&av, ctx, v->doc, 20);
    if (!av_header(&av, root, top, "vocabulary.yaml", "anzen-ledger-vocabulary"))
        goto done;
    list = av_list(&av, root, "columns", true);
    v->cols = calloc(json_array_size(list) + 1, sizeof(*v->cols));
    if (!v->cols) {
        r = AZ_ENOMEM;
        goto done;
    }
    json_array_foreach(list, i, x)
    {
        struct az_ledger_vocol *c = &v->cols[v->ncols];
        if (!av_object(&av, x, colkeys, "column"))
            continue;
        c->field = av_str(&av, x, "field", true);
        c->ja = av_str(&av, x, "ja", true);
        c->en = av_str(&av, x, "en", true);
        c->core = -1;
        if (!c->field || !c->ja || !c->en)
            continue;
        if (av_bool(&av, x, "core", false)) {
            for (int k = 0; k < AZ_NCOLS; k++)
                if (!strcmp(c->field, az_ledger_col_token((enum az_ledger_col)k)))
                    c->core = k;
            if (c->core < 0) {
                av_err(&av, x, "field", "核となる列 \"%s\" は anzen にありません",
                       "core column \"%s\" is not one anzen has", c->field);
                continue;
            }
        }
        if ((r = add_name(c, c->field)) || (r = add_name(c, c->ja)) || (r = add_name(c, c->en)) ||
            (r = fold_list(&av, x, "aliases", true, &c->names, &c->nnames)))
            goto done;
        v->ncols++;
    }
    list = av_list(&av, root, "kinds", true);
    v->kinds = calloc(json_array_size(list) + 1, sizeof(*v->kinds));
    if (!v->kinds) {
        r = AZ_ENOMEM;
        goto done;
    }
    json_array_foreach(list, i, x)
    {
        struct az_ledger_vokind *k = &v->kinds[v->nkinds];
        const char *cls;
        int ci = -1;
        if (!av_object(&av, x, kindkeys, "kind"))
            continue;
        k->id = av_str(&av, x, "id", true);
        k->ja = av_str(&av, x, "ja", true);
        k->en = av_str(&av, x, "en", true);
        cls = av_str(&av, x, "class", true);
        for (int c = 0; cls && class_tokens[c]; c++)
            if (!strcmp(cls, class_tokens[c]))
                ci = c;
        if (!k->id || !k->ja || !k->en || !cls)
            continue;
        if (ci < 0) {
            av_err(&av, x, "class", "種別の分類 \"%s\" は不明です", "unknown kind class \"%s\"",
                   cls);
            continue;
        }
        k->cls = (enum az_asset_kind)ci;
        {
            char *a = az_ledger_fold(k->id, true), *b2 = az_ledger_fold(k->ja, true),
                 *c2 = az_ledger_fold(k->en, true);
            char **nv = realloc(k->words, 3 * sizeof(*nv));
            if (!a || !b2 || !c2 || !nv) {
                free(a);
                free(b2);
                free(c2);
                free(nv);
                r = AZ_ENOMEM;
                goto done;
            }
            k->words = nv;
            k->words[0] = a;
            k->words[1] = b2;
            k->words[2] = c2;
            k->nwords = 3;
        }
        if ((r = fold_list(&av, x, "words", true, &k->words, &k->nwords)) ||
            (r = fold_list(&av, x, "contains", true, &k->contains, &k->ncontains)))
            goto done;
        v->nkinds++;
    }
    if ((x = json_object_get(root, "remote-access")) &&
        av_object(&av, x, rakeys, "remote-access")) {
        if ((r = fold_list(&av, x, "contains", false, &v->remote, &v->nremote)) ||
            (r = fold_list(&av, x, "word-prefix", false, &v->remote_word, &v->nremote_word)) ||
            (r = fold_list(&av, x, "weak", false, &v->weak, &v->nweak)) ||
            (r = fold_list(&av, x, "weak-word-prefix", false, &v->weak_word, &v->nweak_word)))
            goto done;
    }
    if ((x = json_object_get(root, "admins")) && av_object(&av, x, adkeys, "admins")) {
        if ((r = fold_list(&av, x, "blank", true, &v->blank, &v->nblank)) ||
            (r = fold_list(&av, x, "in-house-prefix", true, &v->inhouse_prefix,
                           &v->ninhouse_prefix)) ||
            (r = fold_list(&av, x, "in-house", true, &v->inhouse, &v->ninhouse)) ||
            (r = fold_list(&av, x, "vendor", false, &v->vendor, &v->nvendor)) ||
            (r = fold_list(&av, x, "in-house-role", false, &v->role, &v->nrole)))
            goto done;
    }
    list = av_list(&av, root, "os-support-end", false);
    if (list && !(v->os = calloc(json_array_size(list) + 1, sizeof(*v->os)))) {
        r = AZ_ENOMEM;
        goto done;
    }
    json_array_foreach(list, i, x)
    {
        struct az_ledger_vo_os *e = &v->os[v->nos];
        if (!av_object(&av, x, oskeys, "os-support-end"))
            continue;
        e->name = av_str(&av, x, "name", true);
        (void)av_str(&av, x, "source", true);
        if (!e->name || !av_date(&av, x, "end", true, &e->end))
            continue;
        if ((r = fold_list(&av, x, "match", true, &e->match, &e->nmatch)) ||
            (r = fold_list(&av, x, "unless", true, &e->unless, &e->nunless)))
            goto done;
        v->nos++;
    }
done:
    if (r == AZ_ENOMEM)
        av_err(&av, root, NULL, "メモリ不足", "out of memory");
    if ((r = av_finish(&av)) < 0) {
        az_ledger_vocab_free(v);
        return r;
    }
    *ret = v;
    return 0;
}

/* ---- lookups ---- */

int az_ledger_vocab_column(const struct az_ledger_vocab *v, const char *folded)
{
    if (!*folded)
        return -1;
    for (size_t i = 0; i < v->ncols; i++)
        for (size_t j = 0; j < v->cols[i].nnames; j++)
            if (!strcmp(v->cols[i].names[j], folded))
                return (int)i;
    return -1;
}

int az_ledger_vocab_field(const struct az_ledger_vocab *v, const char *field)
{
    for (size_t i = 0; i < v->ncols; i++)
        if (!strcmp(v->cols[i].field, field))
            return (int)i;
    return -1;
}

const struct az_ledger_vokind *az_ledger_vocab_kind(const struct az_ledger_vocab *v,
                                                    const char *text)
{
    char *f = az_ledger_fold(text, true);
    const struct az_ledger_vokind *k = NULL;

    if (!f || !*f) {
        free(f);
        return NULL;
    }
    for (size_t i = 0; i < v->nkinds && !k; i++)
        for (size_t j = 0; j < v->kinds[i].nwords && !k; j++)
            if (!strcmp(v->kinds[i].words[j], f))
                k = &v->kinds[i];
    /* the kinds in file order: VPN words come before router words */
    for (size_t i = 0; i < v->nkinds && !k; i++)
        for (size_t j = 0; j < v->kinds[i].ncontains && !k; j++)
            if (strstr(f, v->kinds[i].contains[j]))
                k = &v->kinds[i];
    free(f);
    return k;
}

static bool isalnum_ascii(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static const char *word_hit(const char *f, char *const *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(w[i]);
        for (const char *p = f; (p = strstr(p, w[i])); p++) {
            char after = p[len];
            if ((p == f || !isalnum_ascii(p[-1])) &&
                (after == '\0' || after == ' ' || (after >= '0' && after <= '9')))
                return w[i];
        }
    }
    return NULL;
}

const char *az_ledger_vocab_remote(const struct az_ledger_vocab *v, const char *text, bool weak)
{
    char *f = az_ledger_fold(text, false);
    const char *hit = NULL;

    if (!f)
        return NULL;
    for (size_t i = 0; i < v->nremote && !hit; i++)
        if (strstr(f, v->remote[i]))
            hit = v->remote[i];
    if (!hit)
        hit = word_hit(f, v->remote_word, v->nremote_word);
    for (size_t i = 0; weak && i < v->nweak && !hit; i++)
        if (strstr(f, v->weak[i]))
            hit = v->weak[i];
    if (!hit && weak)
        hit = word_hit(f, v->weak_word, v->nweak_word);
    free(f);
    return hit;
}

static bool starts(const char *s, const char *p)
{
    return !strncmp(s, p, strlen(p));
}

/* Kanji (CJK unified ideographs and the repeat mark) only, 2 to 4 of them,
 * as a family name is written; or two such groups split by a space. */
static bool personal_name(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t groups = 0, in = 0, total = 0;

    while (*p) {
        unsigned cp = next_cp(&p);
        if (cp == ' ' || cp == 0x3000) {
            if (in)
                groups++;
            in = 0;
            continue;
        }
        if (!((cp >= 0x4E00 && cp <= 0x9FFF) || cp == 0x3005))
            return false;
        in++;
        total++;
        if (in > 4)
            return false;
    }
    if (in)
        groups++;
    return total >= 2 && groups <= 2 && total <= 7;
}

/* A role and a name ("it担当 佐藤", "事務長 山田"): two words, the first
 * ending in a role word (担当, 係, 長) of the vocabulary. g is folded
 * without stripping, so the space is still there. */
static bool role_and_name(const struct az_ledger_vocab *v, const char *g)
{
    const char *sp;
    size_t n;
    while (*g == ' ')
        g++;
    sp = strchr(g, ' ');
    if (!sp || sp == g)
        return false;
    n = (size_t)(sp - g);
    while (*sp == ' ')
        sp++;
    if (!*sp)
        return false;
    for (size_t i = 0; i < v->nrole; i++) {
        size_t k = strlen(v->role[i]);
        if (k && k <= n && !strncmp(g + n - k, v->role[i], k))
            return true;
    }
    return false;
}

enum az_admin_class az_ledger_vocab_admin(const struct az_ledger_vocab *v, const char *text)
{
    char *f = az_ledger_fold(text, true), *g = az_ledger_fold(text, false);
    enum az_admin_class c = AZ_ADMIN_VENDOR;
    bool done = false;

    if (!f || !g) {
        free(f);
        free(g);
        return AZ_ADMIN_VENDOR;
    }
    if (!*f) {
        c = AZ_ADMIN_NONE;
        done = true;
    }
    for (size_t i = 0; i < v->nblank && !done; i++)
        if (!strcmp(f, v->blank[i])) {
            c = AZ_ADMIN_NONE;
            done = true;
        }
    for (size_t i = 0; i < v->ninhouse_prefix && !done; i++)
        if (starts(f, v->inhouse_prefix[i]) || !strcmp(f, v->inhouse_prefix[i])) {
            c = AZ_ADMIN_INHOUSE;
            done = true;
        }
    for (size_t i = 0; i < v->nvendor && !done; i++)
        if (strstr(g, v->vendor[i])) {
            c = AZ_ADMIN_VENDOR;
            done = true;
        }
    for (size_t i = 0; i < v->ninhouse && !done; i++)
        if (strstr(f, v->inhouse[i])) {
            c = AZ_ADMIN_INHOUSE;
            done = true;
        }
    for (size_t i = 0; i < v->ninhouse_prefix && !done; i++)
        if (strstr(f, v->inhouse_prefix[i])) {
            c = AZ_ADMIN_INHOUSE;
            done = true;
        }
    if (!done && role_and_name(v, g))
        c = AZ_ADMIN_INHOUSE;
    if (!done && personal_name(g))
        c = AZ_ADMIN_INHOUSE;
    free(f);
    free(g);
    return c;
}

const struct az_ledger_vo_os *az_ledger_vocab_os(const struct az_ledger_vocab *v, const char *text)
{
    char *f = az_ledger_fold(text, true);
    const struct az_ledger_vo_os *hit = NULL;
    for (size_t i = 0; f && *f && i < v->nos && !hit; i++) {
        bool m = false, no = false;
        for (size_t k = 0; k < v->os[i].nmatch && !m; k++)
            m = strstr(f, v->os[i].match[k]) != NULL;
        for (size_t k = 0; m && k < v->os[i].nunless && !no; k++)
            no = strstr(f, v->os[i].unless[k]) != NULL;
        if (m && !no)
            hit = &v->os[i];
    }
    free(f);
    return hit;
}

/* The embedded vocabulary, loaded once per process (it is only read). */
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;
static struct az_ledger_vocab *shared;
static struct az_ctx shared_err;

static void load_shared(void)
{
    az_ctx_init(&shared_err, AZ_LANG_EN);
    if (az_ledger_vocab_load(&shared_err, NULL, NULL, 0, &shared) < 0)
        shared = NULL;
}

const struct az_ledger_vocab *az_ledger_vocab_shared(struct az_ctx *ctx)
{
    pthread_once(&shared_once, load_shared);
    if (!shared)
        az_fail(ctx, shared_err.err ? shared_err.err : AZ_ENOMEM, "台帳の語彙を読めません: %s",
                "cannot load the ledger vocabulary: %s", shared_err.errmsg);
    return shared;
}
