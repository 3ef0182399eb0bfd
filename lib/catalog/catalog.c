/* SPDX-License-Identifier: MIT */
/*
 * catalog.c - load, validate and index catalog editions
 * (docs/catalog-format.md).
 *
 * Loading happens in two passes: each file is checked and turned into an
 * edition on its own, then references between files (refs, crosswalk,
 * supersedes) are resolved against the whole set. All errors of both
 * passes are collected and reported together.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/catalog.h"

#define MAX_ERRORS 20

struct pending_ref {
    struct az_item *item;
    const json_t *node; /* list element, for the error position */
    const struct az_doc *doc;
    const char *id;
    size_t slot;
};

struct pending_xw {
    struct az_xwalk *xw;
    const json_t *node;
    const struct az_doc *doc;
    struct az_edition *ed;
};

struct srcdoc {
    const char *ref; /* normalised: no scheme, no "www." */
    enum az_src_kind kind;
    const char *edition; /* the edition a final text is of, or NULL */
};

struct az_catalog {
    struct srcdoc *srcdocs; /* the sources registry (sources.yaml) */
    size_t nsrcdocs;
    struct az_doc **docs;
    size_t ndocs;
    struct az_edition **eds;
    size_t neds;
    size_t nall;                  /* eds[neds..nall) are hidden (not yet published as of --as-of) */
    const struct az_item **index; /* sorted by id */
    size_t nindex;
    /* parallel to eds: where "supersedes" was written */
    const char **supersedes_ids;
    const json_t **supersedes_nodes;
};

/* ---- names ---- */

const char *az_conf_token(enum az_confidence c)
{
    static const char *t[] = {"verified", "draft", "unverified", "secondary", "imported"};
    return t[c];
}

const char *az_conf_name(enum az_confidence c, enum az_lang lang)
{
    static const char *ja[] = {"確定版で確認済み", "案・草案に基づく", "未確認", "二次資料に基づく",
                               "提供された公式様式から取り込み"};
    static const char *en[] = {"verified in a final text", "from a draft", "unverified",
                               "from secondary sources",
                               "imported from the official form you provided"};
    return lang == AZ_LANG_EN ? en[c] : ja[c];
}

int az_conf_rank(enum az_confidence c)
{
    switch (c) {
    case AZ_CONF_VERIFIED:
        return 0;
    case AZ_CONF_IMPORTED:
        return 1;
    case AZ_CONF_DRAFT:
        return 2;
    case AZ_CONF_SECONDARY:
        return 3;
    default:
        return 4;
    }
}

bool az_conf_allowed(enum az_confidence c, enum az_src_kind basis)
{
    switch (c) {
    case AZ_CONF_VERIFIED:
        return basis == AZ_SRC_FINAL;
    case AZ_CONF_DRAFT:
        return basis == AZ_SRC_FINAL || basis == AZ_SRC_DRAFT;
    case AZ_CONF_SECONDARY:
        return basis == AZ_SRC_FINAL || basis == AZ_SRC_DRAFT || basis == AZ_SRC_SECONDARY;
    case AZ_CONF_IMPORTED:
        return basis == AZ_SRC_USER;
    default:
        return true;
    }
}

static const char *const src_kind_tokens[] = {"none",      "final",  "draft",
                                              "secondary", "unread", "user"};

const char *az_src_kind_token(enum az_src_kind k)
{
    return src_kind_tokens[k];
}

/* "https://www.x/y" -> "x/y" */
static const char *src_norm(const char *s)
{
    if (!strncmp(s, "https://", 8))
        s += 8;
    else if (!strncmp(s, "http://", 7))
        s += 7;
    if (!strncmp(s, "www.", 4))
        s += 4;
    return s;
}

static const struct srcdoc *src_find(const struct az_catalog *cat, const char *src)
{
    const char *n = src_norm(src);
    size_t best = 0;
    const struct srcdoc *k = NULL;

    for (size_t i = 0; i < cat->nsrcdocs; i++) {
        size_t l = strlen(cat->srcdocs[i].ref);
        if (strncmp(n, cat->srcdocs[i].ref, l) != 0)
            continue;
        if (n[l] && n[l] != '/' && n[l] != '?' && n[l] != '#' && n[l] != ' ' &&
            cat->srcdocs[i].ref[l - 1] != '/')
            continue;
        if (l > best) {
            best = l;
            k = &cat->srcdocs[i];
        }
    }
    return k;
}

enum az_src_kind az_catalog_source_kind(const struct az_catalog *cat, const char *src)
{
    const struct srcdoc *d = src_find(cat, src);
    return d ? d->kind : AZ_SRC_NONE;
}

bool az_catalog_has_registry(const struct az_catalog *cat)
{
    return cat->nsrcdocs > 0;
}

/* strongest first */
static int src_rank(enum az_src_kind k)
{
    static const int r[] = {5, 0, 1, 2, 4, 3};
    return r[k];
}

const char *az_role_token(enum az_role r)
{
    switch (r) {
    case AZ_ROLE_MANAGEMENT:
        return "management";
    case AZ_ROLE_PLANNING:
        return "planning";
    case AZ_ROLE_VENDOR:
        return "vendor";
    default:
        return "operations";
    }
}

const char *az_role_name(enum az_role r, enum az_lang lang)
{
    switch (r) {
    case AZ_ROLE_MANAGEMENT:
        return lang == AZ_LANG_EN ? "Management" : "経営層";
    case AZ_ROLE_PLANNING:
        return lang == AZ_LANG_EN ? "Planning manager" : "企画管理者";
    case AZ_ROLE_VENDOR:
        return lang == AZ_LANG_EN ? "Vendor" : "事業者";
    default:
        return lang == AZ_LANG_EN ? "System operations" : "システム運用担当者";
    }
}

unsigned az_role_parse(const char *s)
{
    if (!strcmp(s, "management") || !strcmp(s, "経営層"))
        return AZ_ROLE_MANAGEMENT;
    if (!strcmp(s, "planning") || !strcmp(s, "企画管理者"))
        return AZ_ROLE_PLANNING;
    if (!strcmp(s, "operations") || !strcmp(s, "システム運用担当者"))
        return AZ_ROLE_OPERATIONS;
    return 0;
}

const char *az_ed_status_token(enum az_ed_status s)
{
    static const char *t[] = {"current", "superseded", "metadata-only"};
    return t[s];
}

const char *az_xrel_token(enum az_xrel r)
{
    static const char *t[] = {"same", "merged", "changed", "split"};
    return t[r];
}

static const struct {
    const char *tok;
    enum az_cond c;
} cond_names[] = {
    {"medical-systems", AZ_COND_MEDICAL_SYSTEMS},
    {"has-vendor", AZ_COND_HAS_VENDOR},
    {"remote-maintenance", AZ_COND_REMOTE_MAINT},
    {"on-prem", AZ_COND_ON_PREM},
    {"cloud", AZ_COND_CLOUD},
    {"ops-staff", AZ_COND_OPS_STAFF},
    {"no-ops-staff", AZ_COND_NO_OPS_STAFF},
    {"outsourced-maintenance", AZ_COND_OUTSOURCED},
    {"not-outsourced-maintenance", AZ_COND_NOT_OUTSOURCED},
};

const char *az_cond_token(enum az_cond c)
{
    for (size_t i = 0; i < sizeof(cond_names) / sizeof(cond_names[0]); i++)
        if (cond_names[i].c == c)
            return cond_names[i].tok;
    return "?";
}

static const struct {
    const char *tok;
    unsigned bit;
} inst_names[] = {
    {"hospital", AZ_INST_HOSPITAL},        {"clinic", AZ_INST_CLINIC},
    {"dental-clinic", AZ_INST_DENTAL},     {"pharmacy", AZ_INST_PHARMACY},
    {"midwifery-home", AZ_INST_MIDWIFERY},
};

/* ---- labels ---- */

void az_label_normalise(const char *label, char *buf, size_t n)
{
    const unsigned char *p = (const unsigned char *)label;
    size_t o = 0;

    while (*p && o + 4 < n) {
        /* circled ①..⑳ = U+2460..U+2473 = E2 91 A0..B3 */
        if (p[0] == 0xE2 && p[1] == 0x91 && p[2] >= 0xA0 && p[2] <= 0xB3) {
            o += (size_t)snprintf(buf + o, n - o, "%d", p[2] - 0xA0 + 1);
            p += 3;
            continue;
        }
        /* full-width digits */
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            buf[o++] = (char)('0' + p[2] - 0x90);
            p += 3;
            continue;
        }
        /* full-width hyphen-minus and parentheses, spaces */
        if (p[0] == 0xEF && p[1] == 0xBC && (p[2] == 0x8D || p[2] == 0x88 || p[2] == 0x89)) {
            if (p[2] == 0x8D)
                buf[o++] = '-';
            p += 3;
            continue;
        }
        if (*p == '(' || *p == ')' || *p == ' ') {
            p++;
            continue;
        }
        buf[o++] = (char)*p++;
    }
    buf[o] = '\0';
}

/* ---- per-file pass ---- */

static void ed_free(struct az_edition *ed)
{
    if (!ed)
        return;
    for (size_t i = 0; i < ed->nitems; i++) {
        struct az_item *it = ed->items[i];
        free(it->targets);
        free(it->refs);
        free(it->ref_labels);
        free(it->tags);
        free(it->sources);
        free(it);
    }
    for (size_t i = 0; i < ed->nxwalks; i++)
        free(ed->xwalks[i].from);
    free(ed->items);
    free(ed->xwalks);
    free(ed->forms);
    free(ed->groups);
    free(ed->sources);
    free(ed);
}

static int parse_conf(struct av *v, const json_t *obj, enum az_confidence *out)
{
    const char *s = av_str(v, obj, "confidence", true);

    if (!s)
        return -1;
    for (int c = 0; c < AZ_NCONF; c++)
        if (!strcmp(s, az_conf_token((enum az_confidence)c))) {
            *out = (enum az_confidence)c;
            return 0;
        }
    av_err(v, obj, "confidence",
           "confidence は verified / draft / secondary / imported / unverified のいずれかです: "
           "\"%s\"",
           "confidence must be verified, draft, secondary, imported or unverified: \"%s\"", s);
    return -1;
}

static bool fy_value(struct av *v, const json_t *obj, const char *key, int *out)
{
    const char *s = av_str(v, obj, key, false);
    long y;

    *out = 0;
    if (!s)
        return true;
    if (az_parse_long(s, 2000, 2100, &y) < 0) {
        int fy;
        if (az_fy_parse(s, &fy) == 0) {
            *out = fy;
            return true;
        }
        av_err(v, obj, key, "\"%s\" は年度 (例: 2025 または 令和7年度) です: \"%s\"",
               "\"%s\" must be a fiscal year (e.g. 2025 or 令和7年度): \"%s\"", key, s);
        return false;
    }
    *out = (int)y;
    return true;
}

static const char *const item_keys[] = {
    "id",         "form",       "group",  "label",          "order",
    "gate",       "title",      "text",   "guidance",       "interim",
    "permanent",  "roles",      "volume", "targets",        "required-from",
    "due-by",     "applies-if", "refs",   "ref-labels",     "tags",
    "confidence", "sources",    "note",   "due-at-renewal", NULL};

static const char *const targets_ok[] = {"organisation", "all-systems", "server",
                                         "client",       "network",     NULL};
static const char *const tags_ok[] = {
    "ransomware", "remote-access", "patch", "backup",    "vendor",  "password",
    "mfa",        "log",           "bcp",   "access",    "network", "device",
    "governance", "media",         "rules", "signature", NULL};
static const char *const volumes_ok[] = {"overview",   "management", "planning",
                                         "operations", "outsourced", NULL};

static bool in_list(const char *s, const char *const *l)
{
    for (size_t i = 0; l[i]; i++)
        if (!strcmp(s, l[i]))
            return true;
    return false;
}

/* The strongest kind among it's sources; every source must be in the
 * registry, and the mark must be one those sources allow. */
static void check_basis(struct av *v, const struct az_catalog *cat, struct az_item *it,
                        const json_t *o)
{
    if (it->confidence == AZ_CONF_IMPORTED) {
        it->basis = AZ_SRC_USER;
        return;
    }
    if (!cat->nsrcdocs)
        return;
    for (size_t i = 0; i < it->nsources; i++) {
        const struct srcdoc *d = src_find(cat, it->sources[i]);
        enum az_src_kind k = d ? d->kind : AZ_SRC_NONE;
        /* a final text supports number and content only of its own
         * edition; for any other item it is one more account */
        if (k == AZ_SRC_FINAL && (!d->edition || strcmp(d->edition, it->edition->id) != 0))
            k = AZ_SRC_SECONDARY;
        if (k == AZ_SRC_NONE)
            av_err(v, json_object_get(o, "sources"), NULL,
                   "出典 \"%s\" が出典の一覧 (sources.yaml) にありません。種類 (final / draft / "
                   "secondary / unread) を登録してください",
                   "source \"%s\" is not in the sources registry (sources.yaml); register its "
                   "kind (final / draft / secondary / unread)",
                   it->sources[i]);
        else if (it->basis == AZ_SRC_NONE || src_rank(k) < src_rank(it->basis))
            it->basis = k;
    }
    if (it->basis != AZ_SRC_NONE && !az_conf_allowed(it->confidence, it->basis))
        av_err(v, o, "confidence",
               "confidence: %s は出典が支えません (最も強い出典の種類: %s)。verified にはこの版の"
               "確定版の厚生労働省の文書、draft には案、secondary には読んだ資料が必要です",
               "confidence %s is not supported by the sources (strongest kind: %s): verified "
               "needs a final MHLW text of this edition, draft a draft, secondary a source that "
               "was read",
               az_conf_token(it->confidence), az_src_kind_token(it->basis));
}

static struct az_item *parse_item(struct av *v, const struct az_catalog *cat, struct az_edition *ed,
                                  const json_t *o, size_t idx, struct pending_ref **prefs,
                                  size_t *nprefs)
{
    struct az_item *it = calloc(1, sizeof(*it));
    const char *s;
    json_t *l;

    if (!it)
        return NULL;
    it->edition = ed;
    it->order = (int)idx;
    av_object(v, o, item_keys, "item");
    it->id = av_str(v, o, "id", true);
    if (it->id && !az_is_token(it->id))
        av_err(v, o, "id", "ID \"%s\" は英字で始まり英数字と . _ - だけでなければなりません",
               "id \"%s\" must start with a letter and use only letters, digits, . _ -", it->id);
    if (it->id && strncmp(it->id, ed->id, strlen(ed->id)) != 0)
        av_err(v, o, "id", "ID \"%s\" は版の ID \"%s\" で始まらなければなりません",
               "id \"%s\" must start with the edition id \"%s\"", it->id, ed->id);
    if ((s = av_str(v, o, "form", ed->checklist))) {
        it->form = az_edition_form(ed, s);
        if (!it->form)
            av_err(v, o, "form", "未知の様式 \"%s\"", "unknown form \"%s\"", s);
        else
            ((struct az_form *)it->form)->nitems++;
    }
    if (!ed->checklist && json_object_get(o, "form"))
        av_err(v, o, "form", "ガイドラインの項目に form は使えません",
               "guideline requirements take no form");
    if ((s = av_str(v, o, "group", true))) {
        for (size_t g = 0; g < ed->ngroups; g++)
            if (!strcmp(ed->groups[g].id, s))
                it->group = &ed->groups[g];
        if (!it->group)
            av_err(v, o, "group", "未知のグループ \"%s\"", "unknown group \"%s\"", s);
    }
    it->label = av_str(v, o, "label", true);
    if ((s = av_str(v, o, "order", false))) {
        long n;
        if (az_parse_long(s, 0, 100000, &n) < 0)
            av_err(v, o, "order", "order は整数です", "order must be an integer");
        else
            it->order = (int)n;
    }
    it->gate = av_bool(v, o, "gate", false);
    av_text(v, o, "title", true, &it->title);
    av_text(v, o, "text", true, &it->text);
    av_text(v, o, "guidance", false, &it->guidance);
    av_text(v, o, "interim", false, &it->interim);
    av_text(v, o, "permanent", false, &it->permanent);
    if (!ed->checklist && (it->interim.ja || it->permanent.ja))
        av_err(v, o, NULL, "interim / permanent はチェックリストの項目にだけ書けます",
               "interim / permanent belong to checklist items only");
    av_text(v, o, "note", false, &it->note);
    if ((l = av_list(v, o, "roles", true))) {
        for (size_t i = 0; i < json_array_size(l); i++) {
            json_t *e = json_array_get(l, i);
            unsigned r = json_is_string(e) ? az_role_parse(json_string_value(e)) : 0;
            if (!r)
                av_err(v, e, NULL, "役割は management / planning / operations のいずれかです",
                       "roles must be management, planning or operations");
            it->roles |= r;
        }
        if (!json_array_size(l))
            av_err(v, o, "roles", "役割が空です", "roles is empty");
    }
    if ((s = av_str(v, o, "volume", !ed->checklist)) && !in_list(s, volumes_ok))
        av_err(v, o, "volume", "未知の編 \"%s\"", "unknown volume \"%s\"", s);
    it->volume = s;
    it->targets = av_strlist(v, o, "targets", false, &it->ntargets);
    for (size_t i = 0; i < it->ntargets; i++)
        if (!in_list(it->targets[i], targets_ok))
            av_err(v, json_object_get(o, "targets"), NULL, "未知の対象 \"%s\"",
                   "unknown target \"%s\"", it->targets[i]);
    fy_value(v, o, "required-from", &it->required_from);
    if (ed->checklist && !it->required_from)
        av_err(v, o, NULL, "チェックリストの項目には required-from (年度) が必要です",
               "checklist items need required-from (fiscal year)");
    if (json_object_get(o, "due-by"))
        it->has_due_by = av_date(v, o, "due-by", true, &it->due_by);
    if (json_object_get(o, "due-at-renewal"))
        it->has_due_at_renewal = av_date(v, o, "due-at-renewal", true, &it->due_at_renewal);
    if ((l = av_list(v, o, "applies-if", false))) {
        for (size_t i = 0; i < json_array_size(l); i++) {
            json_t *e = json_array_get(l, i);
            bool ok = false;
            for (size_t c = 0; c < sizeof(cond_names) / sizeof(cond_names[0]); c++)
                if (json_is_string(e) && !strcmp(json_string_value(e), cond_names[c].tok)) {
                    it->conds |= cond_names[c].c;
                    ok = true;
                }
            if (!ok)
                av_err(v, e, NULL, "未知の適用条件 \"%s\"", "unknown applies-if condition \"%s\"",
                       json_is_string(e) ? json_string_value(e) : "?");
        }
        if ((it->conds & AZ_COND_OPS_STAFF) && (it->conds & AZ_COND_NO_OPS_STAFF))
            av_err(v, o, "applies-if", "ops-staff と no-ops-staff は両立しません",
                   "ops-staff and no-ops-staff contradict each other");
    }
    if ((l = av_list(v, o, "refs", false))) {
        it->refs = calloc(json_array_size(l) + 1, sizeof(*it->refs));
        for (size_t i = 0; it->refs && i < json_array_size(l); i++) {
            json_t *e = json_array_get(l, i);
            struct pending_ref *np;
            if (!json_is_string(e)) {
                av_err(v, e, NULL, "refs の要素は ID です", "refs elements must be ids");
                continue;
            }
            np = realloc(*prefs, (*nprefs + 1) * sizeof(**prefs));
            if (!np)
                break;
            *prefs = np;
            np[*nprefs] = (struct pending_ref){it, e, v->doc, json_string_value(e), it->nrefs++};
            (*nprefs)++;
        }
    }
    it->ref_labels = av_strlist(v, o, "ref-labels", false, &it->nref_labels);
    it->tags = av_strlist(v, o, "tags", false, &it->ntags);
    for (size_t i = 0; i < it->ntags; i++)
        if (!in_list(it->tags[i], tags_ok))
            av_err(v, json_object_get(o, "tags"), NULL, "未知のタグ \"%s\"", "unknown tag \"%s\"",
                   it->tags[i]);
    parse_conf(v, o, &it->confidence);
    it->sources = av_strlist(v, o, "sources", true, &it->nsources);
    if (json_object_get(o, "sources") && !it->nsources)
        av_err(v, o, "sources", "出典が空です", "sources is empty");
    check_basis(v, cat, it, o);
    return it;
}

static const char *const reg_keys[] = {"anzen-sources", "documents", NULL};
static const char *const regdoc_keys[] = {"ref", "kind", "edition", "title", "note", NULL};

/* data/catalogs/sources.yaml: what kind of document each cited source is. */
static int parse_registry(struct az_catalog *cat, struct av *v, const struct az_doc *doc)
{
    const json_t *root = az_doc_root(doc), *l;
    struct srcdoc *nd;

    if (!av_header(v, root, reg_keys, "sources", "anzen-sources"))
        return 0;
    if (!(l = av_list(v, root, "documents", true)))
        return 0;
    nd = realloc(cat->srcdocs, (cat->nsrcdocs + json_array_size(l) + 1) * sizeof(*nd));
    if (!nd)
        return AZ_ENOMEM;
    cat->srcdocs = nd;
    for (size_t i = 0; i < json_array_size(l); i++) {
        const json_t *d = json_array_get(l, i);
        const char *ref, *kind, *edition;
        struct az_text t;
        int k = -1;
        if (!av_object(v, d, regdoc_keys, "document"))
            continue;
        ref = av_str(v, d, "ref", true);
        kind = av_str(v, d, "kind", true);
        edition = av_str(v, d, "edition", false);
        av_text(v, d, "title", false, &t);
        av_text(v, d, "note", false, &t);
        for (int j = AZ_SRC_FINAL; kind && j <= AZ_SRC_UNREAD; j++)
            if (!strcmp(kind, src_kind_tokens[j]))
                k = j;
        if (kind && k < 0)
            av_err(v, d, "kind", "kind は final / draft / secondary / unread のいずれかです",
                   "kind must be final, draft, secondary or unread");
        if (!ref || k < 0)
            continue;
        if (!*src_norm(ref)) {
            av_err(v, d, "ref", "ref が空です", "ref is empty");
            continue;
        }
        cat->srcdocs[cat->nsrcdocs++] =
            (struct srcdoc){src_norm(ref), (enum az_src_kind)k, edition};
    }
    return 0;
}

static const char *const top_keys[] = {"anzen-catalog", "edition",   "forms", "groups",
                                       "items",         "crosswalk", NULL};
static const char *const ed_keys[] = {"id",        "kind",  "family",  "version",    "fiscal-year",
                                      "published", "title", "status",  "supersedes", "confidence",
                                      "sources",   "note",  "partial", NULL};
static const char *const form_keys[] = {
    "id", "title", "document-title", "audience", "legal-basis", "institution-types", NULL};
static const char *const group_keys[] = {"id", "title", NULL};
static const char *const xw_keys[] = {"from", "to", "relation", "note", "score", NULL};

static int parse_file(struct az_ctx *ctx, struct az_catalog *cat, struct av *v,
                      const struct az_doc *doc, struct pending_ref **prefs, size_t *nprefs,
                      struct pending_xw **pxw, size_t *npxw)
{
    const json_t *root = az_doc_root(doc), *e, *l;
    struct az_edition *ed;
    const char *s;
    struct az_edition **neds;

    (void)ctx;
    if (!av_header(v, root, top_keys, "catalog", "anzen-catalog"))
        return 0;
    e = json_object_get(root, "edition");
    if (!e) {
        av_err(v, root, NULL, "必須のキー \"%s\" がありません", "missing required key \"%s\"",
               "edition");
        return 0;
    }
    if (!av_object(v, e, ed_keys, "edition"))
        return 0;
    ed = calloc(1, sizeof(*ed));
    if (!ed)
        return AZ_ENOMEM;
    neds = realloc(cat->eds, (cat->neds + 1) * sizeof(*cat->eds));
    const char **nsi = realloc(cat->supersedes_ids, (cat->neds + 1) * sizeof(char *));
    if (nsi)
        cat->supersedes_ids = nsi;
    const json_t **nsn = realloc(cat->supersedes_nodes, (cat->neds + 1) * sizeof(json_t *));
    if (nsn)
        cat->supersedes_nodes = nsn;
    if (!neds || !nsi || !nsn) {
        if (neds)
            cat->eds = neds;
        ed_free(ed);
        return AZ_ENOMEM;
    }
    cat->eds = neds;
    cat->eds[cat->neds] = ed;
    cat->supersedes_ids[cat->neds] = NULL;
    cat->supersedes_nodes[cat->neds] = e;
    cat->neds++;

    ed->file = az_doc_name(doc);
    ed->id = av_str(v, e, "id", true);
    if (ed->id && !az_is_token(ed->id))
        av_err(v, e, "id", "版の ID \"%s\" が不正です", "invalid edition id \"%s\"", ed->id);
    if (!ed->id)
        ed->id = "?";
    if ((s = av_str(v, e, "kind", true))) {
        if (!strcmp(s, "checklist"))
            ed->checklist = true;
        else if (strcmp(s, "guideline") != 0)
            av_err(v, e, "kind", "kind は checklist か guideline です",
                   "kind must be checklist or guideline");
    }
    ed->family = av_str(v, e, "family", true);
    ed->version = av_str(v, e, "version", true);
    fy_value(v, e, "fiscal-year", &ed->fiscal_year);
    if (ed->checklist && !ed->fiscal_year)
        av_err(v, e, NULL, "チェックリストの版には fiscal-year が必要です",
               "checklist editions need fiscal-year");
    ed->published = av_str(v, e, "published", true);
    av_text(v, e, "title", true, &ed->title);
    av_text(v, e, "note", false, &ed->note);
    if ((s = av_str(v, e, "status", true))) {
        if (!strcmp(s, "current"))
            ed->status = AZ_ED_CURRENT;
        else if (!strcmp(s, "superseded"))
            ed->status = AZ_ED_SUPERSEDED;
        else if (!strcmp(s, "metadata-only"))
            ed->status = AZ_ED_METADATA_ONLY;
        else
            av_err(v, e, "status", "status は current / superseded / metadata-only です",
                   "status must be current, superseded or metadata-only");
    }
    cat->supersedes_ids[cat->neds - 1] = av_str(v, e, "supersedes", false);
    ed->partial = av_bool(v, e, "partial", false);
    ed->sources = av_strlist(v, e, "sources", true, &ed->nsources);

    /* forms */
    if ((l = av_list(v, root, "forms", ed->checklist))) {
        ed->forms = calloc(json_array_size(l) + 1, sizeof(*ed->forms));
        if (!ed->forms)
            return AZ_ENOMEM;
        for (size_t i = 0; i < json_array_size(l); i++) {
            const json_t *f = json_array_get(l, i);
            struct az_form *fm = &ed->forms[ed->nforms];
            json_t *tl;
            if (!av_object(v, f, form_keys, "form"))
                continue;
            fm->edition = ed;
            fm->id = av_str(v, f, "id", true);
            if (!fm->id)
                continue;
            if (az_edition_form(ed, fm->id))
                av_err(v, f, "id", "様式 ID \"%s\" が重複しています", "duplicate form id \"%s\"",
                       fm->id);
            av_text(v, f, "title", true, &fm->title);
            av_text(v, f, "document-title", false, &fm->doc_title);
            av_text(v, f, "legal-basis", false, &fm->legal_basis);
            s = av_str(v, f, "audience", true);
            if (s && !strcmp(s, "vendor"))
                fm->vendor = true;
            else if (s && strcmp(s, "institution") != 0)
                av_err(v, f, "audience", "audience は institution か vendor です",
                       "audience must be institution or vendor");
            if ((tl = av_list(v, f, "institution-types", !fm->vendor))) {
                for (size_t k = 0; k < json_array_size(tl); k++) {
                    json_t *te = json_array_get(tl, k);
                    bool ok = false;
                    for (size_t n = 0; n < sizeof(inst_names) / sizeof(inst_names[0]); n++)
                        if (json_is_string(te) &&
                            !strcmp(json_string_value(te), inst_names[n].tok)) {
                            fm->inst_types |= inst_names[n].bit;
                            ok = true;
                        }
                    if (!ok)
                        av_err(v, te, NULL, "未知の医療機関種別", "unknown institution type");
                }
            }
            ed->nforms++;
        }
    }
    if (!ed->checklist && json_object_get(root, "forms"))
        av_err(v, root, "forms", "ガイドラインの版に forms は使えません",
               "guideline editions take no forms");

    /* groups */
    if ((l = av_list(v, root, "groups", false))) {
        ed->groups = calloc(json_array_size(l) + 1, sizeof(*ed->groups));
        if (!ed->groups)
            return AZ_ENOMEM;
        for (size_t i = 0; i < json_array_size(l); i++) {
            const json_t *g = json_array_get(l, i);
            struct az_group *gr = &ed->groups[ed->ngroups];
            if (!av_object(v, g, group_keys, "group"))
                continue;
            gr->id = av_str(v, g, "id", true);
            av_text(v, g, "title", true, &gr->title);
            if (!gr->id)
                continue;
            for (size_t k = 0; k < ed->ngroups; k++)
                if (!strcmp(ed->groups[k].id, gr->id))
                    av_err(v, g, "id", "グループ ID \"%s\" が重複しています",
                           "duplicate group id \"%s\"", gr->id);
            ed->ngroups++;
        }
    }

    /* items */
    if ((l = av_list(v, root, "items", false))) {
        if (ed->status == AZ_ED_METADATA_ONLY && json_array_size(l))
            av_err(v, root, "items", "metadata-only の版は項目を持てません",
                   "a metadata-only edition has no items");
        ed->items = calloc(json_array_size(l) + 1, sizeof(*ed->items));
        if (!ed->items)
            return AZ_ENOMEM;
        for (size_t i = 0; i < json_array_size(l); i++) {
            struct az_item *it = parse_item(v, cat, ed, json_array_get(l, i), i, prefs, nprefs);
            if (!it)
                return AZ_ENOMEM;
            ed->items[ed->nitems++] = it;
        }
        /* gate items */
        for (size_t f = 0; f < ed->nforms; f++) {
            int gates = 0;
            for (size_t i = 0; i < ed->nitems; i++)
                if (ed->items[i]->form == &ed->forms[f] && ed->items[i]->gate)
                    gates++;
            if (gates > 1)
                av_err(v, root, "items", "様式 \"%s\" にゲート項目が複数あります",
                       "form \"%s\" has more than one gate item", ed->forms[f].id);
        }
    } else if (ed->checklist && ed->status != AZ_ED_METADATA_ONLY) {
        av_err(v, root, NULL, "項目 (items) がありません", "no items");
    }
    /* the edition's mark: the weakest of its items', never written by hand */
    if (ed->nitems) {
        enum az_confidence written;
        ed->confidence_computed = true;
        ed->confidence = AZ_CONF_VERIFIED;
        for (size_t i = 0; i < ed->nitems; i++)
            if (az_conf_rank(ed->items[i]->confidence) > az_conf_rank(ed->confidence))
                ed->confidence = ed->items[i]->confidence;
        if (json_object_get(e, "confidence") && parse_conf(v, e, &written) == 0 &&
            written != ed->confidence)
            av_err(v, e, "confidence",
                   "版の confidence は項目から計算します (最も弱い項目の値: %s)。"
                   "\"%s\" と書かずにこの行を削除してください",
                   "an edition with items gets its confidence from them (the weakest item's "
                   "mark: %s); remove \"%s\"",
                   az_conf_token(ed->confidence), az_conf_token(written));
    } else {
        parse_conf(v, e, &ed->confidence);
    }

    /* crosswalk */
    if ((l = av_list(v, root, "crosswalk", false))) {
        ed->xwalks = calloc(json_array_size(l) + 1, sizeof(*ed->xwalks));
        if (!ed->xwalks)
            return AZ_ENOMEM;
        for (size_t i = 0; i < json_array_size(l); i++) {
            const json_t *x = json_array_get(l, i);
            struct pending_xw *np;
            if (!av_object(v, x, xw_keys, "crosswalk"))
                continue;
            np = realloc(*pxw, (*npxw + 1) * sizeof(**pxw));
            if (!np)
                return AZ_ENOMEM;
            *pxw = np;
            np[*npxw] = (struct pending_xw){&ed->xwalks[ed->nxwalks++], x, doc, ed};
            (*npxw)++;
        }
    }
    return 0;
}

/* ---- resolution ---- */

static int cmp_item_id(const void *a, const void *b)
{
    return strcmp((*(const struct az_item *const *)a)->id, (*(const struct az_item *const *)b)->id);
}

const struct az_item *az_catalog_item(const struct az_catalog *cat, const char *id)
{
    struct az_item key = {.id = id};
    const struct az_item *kp = &key;
    const struct az_item **r;

    if (!cat->nindex)
        return NULL;
    r = bsearch(&kp, cat->index, cat->nindex, sizeof(*cat->index), cmp_item_id);
    return r ? *r : NULL;
}

static struct az_doc *doc_of(struct az_catalog *cat, const struct az_edition *ed)
{
    for (size_t i = 0; i < cat->ndocs; i++)
        if (!strcmp(az_doc_name(cat->docs[i]), ed->file))
            return cat->docs[i];
    return NULL;
}

static int ed_order(const void *a, const void *b)
{
    const struct az_edition *x = *(const struct az_edition *const *)a;
    const struct az_edition *y = *(const struct az_edition *const *)b;
    int c;

    if (x->checklist != y->checklist)
        return x->checklist ? -1 : 1;
    if (x->fiscal_year != y->fiscal_year)
        return x->fiscal_year < y->fiscal_year ? -1 : 1;
    c = strcmp(x->published ? x->published : "", y->published ? y->published : "");
    return c ? c : strcmp(x->id, y->id);
}

static int resolve(struct az_ctx *ctx, struct az_catalog *cat, struct pending_ref *prefs,
                   size_t nprefs, struct pending_xw *pxw, size_t npxw)
{
    struct av v;
    size_t n = 0;

    /* index all items; report duplicates */
    for (size_t e = 0; e < cat->neds; e++)
        n += cat->eds[e]->nitems;
    cat->index = calloc(n + 1, sizeof(*cat->index));
    if (!cat->index)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    for (size_t e = 0; e < cat->neds; e++)
        for (size_t i = 0; i < cat->eds[e]->nitems; i++)
            if (cat->eds[e]->items[i]->id)
                cat->index[cat->nindex++] = cat->eds[e]->items[i];
    if (cat->nindex)
        qsort(cat->index, cat->nindex, sizeof(*cat->index), cmp_item_id);

    av_init(&v, ctx, NULL, MAX_ERRORS);
    for (size_t i = 1; i < cat->nindex; i++) {
        if (strcmp(cat->index[i - 1]->id, cat->index[i]->id) == 0) {
            const struct az_item *it = cat->index[i];
            v.doc = doc_of(cat, it->edition);
            av_err(&v, az_doc_root(v.doc), NULL, "項目 ID \"%s\" が重複しています (%s と %s)",
                   "duplicate item id \"%s\" (%s and %s)", it->id, cat->index[i - 1]->edition->file,
                   it->edition->file);
        }
    }
    /* duplicate edition ids */
    for (size_t a = 0; a < cat->neds; a++)
        for (size_t b = a + 1; b < cat->neds; b++)
            if (!strcmp(cat->eds[a]->id, cat->eds[b]->id)) {
                v.doc = doc_of(cat, cat->eds[b]);
                av_err(&v, cat->supersedes_nodes[b], "id", "版 ID \"%s\" が重複しています (%s)",
                       "duplicate edition id \"%s\" (also in %s)", cat->eds[b]->id,
                       cat->eds[a]->file);
            }
    /* supersedes */
    for (size_t e = 0; e < cat->neds; e++) {
        const char *sid = cat->supersedes_ids[e];
        if (!sid)
            continue;
        for (size_t k = 0; k < cat->neds; k++)
            if (!strcmp(cat->eds[k]->id, sid))
                cat->eds[e]->supersedes = cat->eds[k];
        if (!cat->eds[e]->supersedes || cat->eds[e]->supersedes == cat->eds[e]) {
            v.doc = doc_of(cat, cat->eds[e]);
            av_err(&v, cat->supersedes_nodes[e], "supersedes",
                   "supersedes の版 \"%s\" がありません",
                   "supersedes names an unknown edition \"%s\"", sid);
        }
    }
    /* a current edition with items makes the one it supersedes superseded
     * (an accepted import of the official form replaces the encoded one) */
    for (size_t e = 0; e < cat->neds; e++) {
        struct az_edition *sup = (struct az_edition *)cat->eds[e]->supersedes;
        if (sup && cat->eds[e]->status == AZ_ED_CURRENT && cat->eds[e]->nitems &&
            sup->status == AZ_ED_CURRENT)
            sup->status = AZ_ED_SUPERSEDED;
    }
    /* refs: must name a guideline requirement */
    for (size_t i = 0; i < nprefs; i++) {
        const struct az_item *t = az_catalog_item(cat, prefs[i].id);
        v.doc = prefs[i].doc;
        if (!t)
            av_err(&v, prefs[i].node, NULL, "参照先の項目 \"%s\" がありません",
                   "reference to unknown item \"%s\"", prefs[i].id);
        else if (t->edition->checklist)
            av_err(&v, prefs[i].node, NULL, "refs はガイドラインの項目を指します: \"%s\"",
                   "refs must name guideline requirements: \"%s\"", prefs[i].id);
        else
            prefs[i].item->refs[prefs[i].slot] = t;
    }
    /* crosswalks */
    for (size_t i = 0; i < npxw; i++) {
        struct az_xwalk *xw = pxw[i].xw;
        const json_t *x = pxw[i].node, *fl;
        const char *to, *rel;
        v.doc = pxw[i].doc;
        rel = av_str(&v, x, "relation", true);
        if (rel) {
            bool ok = false;
            for (int r = AZ_XREL_SAME; r <= AZ_XREL_SPLIT; r++)
                if (!strcmp(rel, az_xrel_token((enum az_xrel)r))) {
                    xw->rel = (enum az_xrel)r;
                    ok = true;
                }
            if (!ok)
                av_err(&v, x, "relation", "relation は same / merged / changed / split です",
                       "relation must be same, merged, changed or split");
        }
        av_text(&v, x, "note", false, &xw->note);
        {
            const char *sc = av_str(&v, x, "score", false);
            if (sc) {
                char *end;
                double d = strtod(sc, &end);
                if (end == sc || *end || !(d >= 0.0 && d <= 1.0))
                    av_err(&v, x, "score", "score は 0 から 1 の数です: \"%s\"",
                           "score must be a number from 0 to 1: \"%s\"", sc);
                else
                    xw->score = d;
                xw->has_score = true;
            }
        }
        to = av_str(&v, x, "to", true);
        if (to) {
            xw->to = az_catalog_item(cat, to);
            if (!xw->to)
                av_err(&v, x, "to", "crosswalk の to \"%s\" がありません",
                       "crosswalk target \"%s\" is unknown", to);
            else if (xw->to->edition != pxw[i].ed)
                av_err(&v, x, "to", "crosswalk の to \"%s\" はこの版の項目ではありません",
                       "crosswalk target \"%s\" is not in this edition", to);
            else if (xw->to->xwalk)
                av_err(&v, x, "to", "\"%s\" への crosswalk が重複しています",
                       "more than one crosswalk leads to \"%s\"", to);
            else
                ((struct az_item *)xw->to)->xwalk = xw;
        }
        fl = json_object_get(x, "from");
        if (json_is_string(fl)) {
            /* allow a single id */
            xw->from = calloc(2, sizeof(*xw->from));
            if (xw->from) {
                xw->from[0] = az_catalog_item(cat, json_string_value(fl));
                if (!xw->from[0])
                    av_err(&v, x, "from", "crosswalk の from \"%s\" がありません",
                           "crosswalk source \"%s\" is unknown", json_string_value(fl));
                else
                    xw->nfrom = 1;
            }
        } else if ((fl = av_list(&v, x, "from", true))) {
            xw->from = calloc(json_array_size(fl) + 1, sizeof(*xw->from));
            for (size_t k = 0; xw->from && k < json_array_size(fl); k++) {
                json_t *fe = json_array_get(fl, k);
                const struct az_item *src =
                    json_is_string(fe) ? az_catalog_item(cat, json_string_value(fe)) : NULL;
                if (!src)
                    av_err(&v, fe, NULL, "crosswalk の from \"%s\" がありません",
                           "crosswalk source \"%s\" is unknown",
                           json_is_string(fe) ? json_string_value(fe) : "?");
                else if (src->edition == pxw[i].ed)
                    av_err(&v, fe, NULL, "crosswalk の from は以前の版の項目です",
                           "crosswalk sources must be items of an earlier edition");
                else
                    xw->from[xw->nfrom++] = src;
            }
        }
        if (xw->rel == AZ_XREL_SAME && xw->nfrom > 1)
            av_err(&v, x, "relation", "relation: same の from は 1 つだけです (複数なら merged)",
                   "relation same takes exactly one source (use merged)");
    }
    {
        int r = av_finish(&v);
        if (r < 0)
            return r;
    }
    if (cat->neds)
        qsort(cat->eds, cat->neds, sizeof(*cat->eds), ed_order);
    return 0;
}

/* ---- public ---- */

void az_catalog_free(struct az_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < (cat->nall > cat->neds ? cat->nall : cat->neds); i++)
        ed_free(cat->eds[i]);
    for (size_t i = 0; i < cat->ndocs; i++)
        az_doc_free(cat->docs[i]);
    free(cat->eds);
    free(cat->srcdocs);
    free(cat->docs);
    free(cat->index);
    free(cat->supersedes_ids);
    free(cat->supersedes_nodes);
    free(cat);
}

static int item_sort(const void *a, const void *b)
{
    const struct az_item *x = *(const struct az_item *const *)a;
    const struct az_item *y = *(const struct az_item *const *)b;
    if (x->form != y->form)
        return x->form < y->form ? -1 : 1;
    return x->order - y->order;
}

int az_catalog_load_blobs(struct az_ctx *ctx, const struct az_file_blob *files, size_t n,
                          struct az_catalog **ret)
{
    struct az_catalog *cat = calloc(1, sizeof(*cat));
    struct pending_ref *prefs = NULL;
    struct pending_xw *pxw = NULL;
    size_t nprefs = 0, npxw = 0;
    struct az_buf allerr;
    int r = 0, first = 0;

    if (!cat)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    cat->docs = calloc(n + 1, sizeof(*cat->docs));
    if (!cat->docs) {
        free(cat);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    az_buf_init(&allerr, 256 * 1024);
    for (size_t i = 0; i < n; i++) {
        struct az_doc *doc;
        r = az_doc_load(ctx, files[i].name, files[i].data, files[i].len, &doc);
        if (r < 0) {
            if (!first)
                first = r;
            if (allerr.len)
                (void)az_buf_puts(&allerr, "\n");
            (void)az_buf_puts(&allerr, az_errmsg(ctx));
            continue;
        }
        cat->docs[cat->ndocs++] = doc;
    }
    /* the sources registry first, so items can be checked against it;
     * then the editions */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < cat->ndocs; i++) {
            struct az_doc *doc = cat->docs[i];
            bool reg = json_is_object(az_doc_root(doc)) &&
                       json_object_get(az_doc_root(doc), "anzen-sources") != NULL;
            struct av v;
            if (reg != (pass == 0))
                continue;
            av_init(&v, ctx, doc, MAX_ERRORS);
            r = reg ? parse_registry(cat, &v, doc)
                    : parse_file(ctx, cat, &v, doc, &prefs, &nprefs, &pxw, &npxw);
            if (r == AZ_ENOMEM) {
                av_finish(&v);
                first = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
                goto out;
            }
            r = av_finish(&v);
            if (r < 0) {
                if (!first)
                    first = r;
                if (allerr.len)
                    (void)az_buf_puts(&allerr, "\n");
                (void)az_buf_puts(&allerr, az_errmsg(ctx));
            }
        }
    }
    if (!first) {
        r = resolve(ctx, cat, prefs, nprefs, pxw, npxw);
        if (r < 0)
            goto out_keepmsg;
    } else {
        az_fail(ctx, first, "%s", "%s", allerr.data ? allerr.data : "");
    }
    if (!first) {
        for (size_t e = 0; e < cat->neds; e++)
            if (cat->eds[e]->nitems) /* items is NULL for an edition without items */
                qsort(cat->eds[e]->items, cat->eds[e]->nitems, sizeof(struct az_item *), item_sort);
        if (!cat->neds)
            first = az_fail(ctx, AZ_ENOTFOUND, "カタログが 1 つもありません", "no catalog files");
    }
    r = first;
    goto out;
out_keepmsg:
out:
    az_buf_done(&allerr);
    free(prefs);
    free(pxw);
    if (r < 0) {
        az_catalog_free(cat);
        return r;
    }
    *ret = cat;
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int az_catalog_load_dir(struct az_ctx *ctx, const char *dir, struct az_catalog **ret)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    struct az_file_blob *blobs = NULL;
    size_t n = 0;
    int r = 0;

    if (!d)
        return az_fail(ctx, AZ_EIO, "%s: カタログのディレクトリを開けません",
                       "%s: cannot open catalog directory", dir);
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        char **nn;
        if (de->d_name[0] == '.')
            continue;
        if (!((l > 5 && !strcmp(de->d_name + l - 5, ".yaml")) ||
              (l > 4 && !strcmp(de->d_name + l - 4, ".yml")) ||
              (l > 5 && !strcmp(de->d_name + l - 5, ".json"))))
            continue;
        if (n >= 1000)
            break;
        nn = realloc(names, (n + 1) * sizeof(*names));
        if (!nn)
            break;
        names = nn;
        if (!(names[n] = malloc(strlen(dir) + l + 2)))
            break;
        snprintf(names[n], strlen(dir) + l + 2, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), name_cmp);
    blobs = calloc(n + 1, sizeof(*blobs));
    if (!blobs) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char *data;
        size_t len;
        r = az_read_text_file(ctx, names[i], &data, &len);
        if (r < 0)
            goto out;
        blobs[i] = (struct az_file_blob){names[i], data, len};
    }
    r = az_catalog_load_blobs(ctx, blobs, n, ret);
out:
    for (size_t i = 0; i < n; i++) {
        if (blobs)
            free((char *)blobs[i].data);
        free(names[i]);
    }
    free(blobs);
    free(names);
    return r;
}

int az_catalog_load_embedded(struct az_ctx *ctx, struct az_catalog **ret)
{
    return az_catalog_load_blobs(ctx, az_embedded_catalogs, az_embedded_catalogs_n, ret);
}

int az_catalog_load_embedded_with(struct az_ctx *ctx, const struct az_file_blob *extra, size_t n,
                                  struct az_catalog **ret)
{
    struct az_file_blob *all = calloc(az_embedded_catalogs_n + n + 1, sizeof(*all));
    int r;

    if (!all)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    memcpy(all, az_embedded_catalogs, az_embedded_catalogs_n * sizeof(*all));
    if (n)
        memcpy(all + az_embedded_catalogs_n, extra, n * sizeof(*all));
    r = az_catalog_load_blobs(ctx, all, az_embedded_catalogs_n + n, ret);
    free(all);
    return r;
}

const struct az_file_blob *az_embedded_demo_files(size_t *ret_n)
{
    *ret_n = az_embedded_demo_n;
    return az_embedded_demo;
}

size_t az_catalog_neditions(const struct az_catalog *cat)
{
    return cat->neds;
}

const struct az_edition *az_catalog_edition_at(const struct az_catalog *cat, size_t i)
{
    return i < cat->neds ? cat->eds[i] : NULL;
}

const struct az_edition *az_catalog_edition(const struct az_catalog *cat, const char *name)
{
    char buf[64];
    int fy;
    /* an explicit name finds an edition hidden by --as-of too (answers
     * made for it still load); listings and defaults do not */
    size_t nall = cat->nall > cat->neds ? cat->nall : cat->neds;

    for (size_t i = 0; i < nall; i++)
        if (!strcmp(cat->eds[i]->id, name))
            return cat->eds[i];
    /* aliases: r7 / R7 / 令和7 / 令和7年度 / 2025 -> checklist of that FY */
    if (az_fy_parse(name, &fy) == 0) {
        for (size_t i = 0; i < nall; i++)
            if (cat->eds[i]->checklist && cat->eds[i]->fiscal_year == fy)
                return cat->eds[i];
    }
    /* 6.0 / gl6 / gl-6 / v6 -> guideline */
    snprintf(buf, sizeof(buf), "gl-%s", name);
    for (size_t i = 0; i < nall; i++)
        if (!strcmp(cat->eds[i]->id, buf))
            return cat->eds[i];
    if ((name[0] == 'g' && name[1] == 'l') || (name[0] >= '0' && name[0] <= '9')) {
        const char *p = name[0] == 'g' ? name + 2 : name;
        if (*p == '-')
            p++;
        snprintf(buf, sizeof(buf), "gl-%s.0", p);
        for (size_t i = 0; i < nall; i++)
            if (!strcmp(cat->eds[i]->id, buf))
                return cat->eds[i];
    }
    return NULL;
}

const struct az_edition *az_catalog_default_checklist(const struct az_catalog *cat)
{
    const struct az_edition *best = NULL;

    for (size_t i = 0; i < cat->neds; i++) {
        const struct az_edition *e = cat->eds[i];
        if (!e->checklist || !e->nitems || e->status == AZ_ED_METADATA_ONLY)
            continue;
        if (!best || (e->status == AZ_ED_CURRENT && best->status != AZ_ED_CURRENT) ||
            (e->status == best->status && e->fiscal_year > best->fiscal_year))
            best = e;
    }
    return best;
}

const struct az_edition *az_catalog_newest_checklist(const struct az_catalog *cat)
{
    const struct az_edition *best = NULL;

    for (size_t i = 0; i < cat->neds; i++)
        if (cat->eds[i]->checklist && (!best || cat->eds[i]->fiscal_year > best->fiscal_year))
            best = cat->eds[i];
    return best;
}

const struct az_edition *az_catalog_newest_guideline(const struct az_catalog *cat)
{
    const struct az_edition *best = NULL;

    for (size_t i = 0; i < cat->neds; i++)
        if (!cat->eds[i]->checklist &&
            (!best || strcmp(cat->eds[i]->published, best->published) > 0))
            best = cat->eds[i];
    return best;
}

struct az_text az_form_doc_title(const struct az_form *f)
{
    return f->doc_title.ja ? f->doc_title : f->edition->title;
}

bool az_edition_published_by(const struct az_edition *ed, struct az_date d)
{
    struct az_date p = {0, 0, 1};
    int n;

    if (!ed->published)
        return true;
    n = sscanf(ed->published, "%4d-%2d-%2d", &p.y, &p.m, &p.d);
    if (n < 2)
        return true; /* unknown date: never hide */
    if (n == 2)
        p.d = 1;
    return az_date_cmp(p, d) <= 0;
}

size_t az_catalog_hide_after(struct az_catalog *cat, struct az_date d)
{
    size_t total = cat->nall > cat->neds ? cat->nall : cat->neds, k = 0, h = 0;
    struct az_edition **tmp = calloc(total + 1, sizeof(*tmp));

    if (!tmp)
        return 0;
    /* visible first (in order), then the hidden ones */
    for (size_t i = 0; i < cat->neds; i++)
        if (az_edition_published_by(cat->eds[i], d))
            cat->eds[k++] = cat->eds[i];
        else
            tmp[h++] = cat->eds[i];
    for (size_t i = cat->neds; i < total; i++)
        tmp[h++] = cat->eds[i];
    for (size_t i = 0; i < h; i++)
        cat->eds[k + i] = tmp[i];
    free(tmp);
    h = cat->neds - k;
    cat->nall = total;
    cat->neds = k;
    return h;
}

const struct az_form *az_edition_form(const struct az_edition *ed, const char *id)
{
    for (size_t i = 0; i < ed->nforms; i++)
        if (ed->forms[i].id && !strcmp(ed->forms[i].id, id))
            return &ed->forms[i];
    return NULL;
}

const struct az_item *az_edition_item_by_label(const struct az_edition *ed,
                                               const struct az_form *form, const char *label)
{
    char want[64], have[64];

    az_label_normalise(label, want, sizeof(want));
    for (size_t i = 0; i < ed->nitems; i++) {
        const struct az_item *it = ed->items[i];
        if (form && it->form != form)
            continue;
        az_label_normalise(it->label, have, sizeof(have));
        if (!strcmp(want, have))
            return it;
    }
    return NULL;
}

/* ---- JSON views ---- */

static json_t *text_json(struct az_text t)
{
    if (!t.ja)
        return json_null();
    return json_pack("{s:s, s:s}", "ja", t.ja, "en", t.en ? t.en : "");
}

static json_t *strs_json(const char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

json_t *az_item_to_json(const struct az_item *it)
{
    json_t *o = json_object(), *roles = json_array(), *refs = json_array(), *conds = json_array();
    char d[16];

    for (int r = 0; r < AZ_NROLES; r++)
        if (it->roles & (1u << r))
            json_array_append_new(roles, json_string(az_role_token((enum az_role)(1u << r))));
    for (size_t i = 0; i < it->nrefs; i++)
        if (it->refs[i])
            json_array_append_new(refs, json_string(it->refs[i]->id));
    for (size_t c = 0; c < sizeof(cond_names) / sizeof(cond_names[0]); c++)
        if (it->conds & cond_names[c].c)
            json_array_append_new(conds, json_string(cond_names[c].tok));
    json_object_set_new(o, "id", json_string(it->id));
    json_object_set_new(o, "edition", json_string(it->edition->id));
    json_object_set_new(
        o, "kind",
        json_string(it->edition->checklist ? "checklist-item" : "guideline-requirement"));
    json_object_set_new(o, "form", it->form ? json_string(it->form->id) : json_null());
    json_object_set_new(o, "group", it->group ? json_string(it->group->id) : json_null());
    json_object_set_new(o, "label", json_string(it->label ? it->label : ""));
    json_object_set_new(o, "gate", json_boolean(it->gate));
    json_object_set_new(o, "title", text_json(it->title));
    json_object_set_new(o, "text", text_json(it->text));
    json_object_set_new(o, "guidance", text_json(it->guidance));
    json_object_set_new(o, "interim", text_json(it->interim));
    json_object_set_new(o, "permanent", text_json(it->permanent));
    json_object_set_new(o, "roles", roles);
    json_object_set_new(o, "volume", it->volume ? json_string(it->volume) : json_null());
    json_object_set_new(o, "targets", strs_json(it->targets, it->ntargets));
    json_object_set_new(o, "required_from",
                        it->required_from ? json_integer(it->required_from) : json_null());
    if (it->has_due_by) {
        az_date_iso(it->due_by, d, sizeof(d));
        json_object_set_new(o, "due_by", json_string(d));
    } else {
        json_object_set_new(o, "due_by", json_null());
    }
    if (it->has_due_at_renewal) {
        az_date_iso(it->due_at_renewal, d, sizeof(d));
        json_object_set_new(o, "due_at_renewal", json_string(d));
    } else {
        json_object_set_new(o, "due_at_renewal", json_null());
    }
    json_object_set_new(o, "applies_if", conds);
    json_object_set_new(o, "refs", refs);
    json_object_set_new(o, "ref_labels", strs_json(it->ref_labels, it->nref_labels));
    json_object_set_new(o, "tags", strs_json(it->tags, it->ntags));
    json_object_set_new(o, "confidence", json_string(az_conf_token(it->confidence)));
    json_object_set_new(o, "source_basis", json_string(az_src_kind_token(it->basis)));
    json_object_set_new(o, "sources", strs_json(it->sources, it->nsources));
    json_object_set_new(o, "note", text_json(it->note));
    if (it->xwalk) {
        json_t *from = json_array();
        for (size_t i = 0; i < it->xwalk->nfrom; i++)
            json_array_append_new(from, json_string(it->xwalk->from[i]->id));
        json_object_set_new(
            o, "carries_from",
            json_pack("{s:o, s:s}", "items", from, "relation", az_xrel_token(it->xwalk->rel)));
    } else {
        json_object_set_new(o, "carries_from", json_null());
    }
    return o;
}

json_t *az_edition_to_json(const struct az_edition *ed, bool with_items)
{
    json_t *o = json_object(), *forms = json_array();

    json_object_set_new(o, "id", json_string(ed->id));
    json_object_set_new(o, "kind", json_string(ed->checklist ? "checklist" : "guideline"));
    json_object_set_new(o, "family", json_string(ed->family ? ed->family : ""));
    json_object_set_new(o, "version", json_string(ed->version ? ed->version : ""));
    json_object_set_new(o, "fiscal_year",
                        ed->fiscal_year ? json_integer(ed->fiscal_year) : json_null());
    json_object_set_new(o, "published", json_string(ed->published ? ed->published : ""));
    json_object_set_new(o, "title", text_json(ed->title));
    json_object_set_new(o, "status", json_string(az_ed_status_token(ed->status)));
    json_object_set_new(o, "partial", json_boolean(ed->partial));
    json_object_set_new(o, "supersedes",
                        ed->supersedes ? json_string(ed->supersedes->id) : json_null());
    json_object_set_new(o, "confidence", json_string(az_conf_token(ed->confidence)));
    json_object_set_new(o, "confidence_computed", json_boolean(ed->confidence_computed));
    json_object_set_new(o, "sources", strs_json(ed->sources, ed->nsources));
    json_object_set_new(o, "note", text_json(ed->note));
    for (size_t f = 0; f < ed->nforms; f++)
        json_array_append_new(forms,
                              json_pack("{s:s, s:o, s:o, s:o, s:s, s:i}", "id", ed->forms[f].id,
                                        "title", text_json(ed->forms[f].title), "document_title",
                                        text_json(az_form_doc_title(&ed->forms[f])), "legal_basis",
                                        text_json(ed->forms[f].legal_basis), "audience",
                                        ed->forms[f].vendor ? "vendor" : "institution", "items",
                                        (int)ed->forms[f].nitems));
    json_object_set_new(o, "forms", forms);
    json_object_set_new(o, "item_count", json_integer((json_int_t)ed->nitems));
    if (with_items) {
        json_t *items = json_array();
        for (size_t i = 0; i < ed->nitems; i++)
            json_array_append_new(items, az_item_to_json(ed->items[i]));
        json_object_set_new(o, "items", items);
    }
    return o;
}
