/* SPDX-License-Identifier: MIT */
/*
 * tmpl.c - the escape-by-default template renderer (tmpl.h): a parser
 * from template text to a tree of nodes, and a renderer that walks the
 * tree against a jansson context stack. Raw output only ever comes from
 * the trusted `raw` object the C caller passes; values from the data are
 * always escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/tmpl.h"
#include "anzen/util.h"

enum nk {
    NK_TEXT,
    NK_VAR,
    NK_RAW,
    NK_SECTION,
    NK_INVERTED,
    NK_PARTIAL,
    NK_PARENT,
    NK_BLOCK,
};

enum filt {
    F_HTML,
    F_URL,
};

struct node {
    enum nk kind;
    enum filt filt;
    int line, col;
    const char *s; /* text: into the template's source; others: the name */
    size_t len;
    struct node *kids;
    size_t nkids, cap;
};

struct tmpl {
    char *name;
    char *src;
    struct node root;
};

struct az_tmpl_set {
    struct tmpl *v;
    size_t n;
    long max_steps;
};

/* ---- set ---- */

static void node_done(struct node *n)
{
    for (size_t i = 0; i < n->nkids; i++)
        node_done(&n->kids[i]);
    if (n->kind != NK_TEXT)
        free((char *)n->s);
    free(n->kids);
}

static void tmpl_done(struct tmpl *t)
{
    node_done(&t->root);
    free(t->name);
    free(t->src);
}

int az_tmpl_set_new(struct az_ctx *ctx, struct az_tmpl_set **ret)
{
    struct az_tmpl_set *s = calloc(1, sizeof(*s));

    if (!s)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    s->max_steps = AZ_TMPL_DEFAULT_STEPS;
    *ret = s;
    return 0;
}

void az_tmpl_set_free(struct az_tmpl_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        tmpl_done(&set->v[i]);
    free(set->v);
    free(set);
}

void az_tmpl_set_max_steps(struct az_tmpl_set *set, long steps)
{
    set->max_steps = steps > 0 ? steps : 1;
}

static const struct tmpl *find_tmpl(const struct az_tmpl_set *set, const char *name, size_t len)
{
    for (size_t i = 0; i < set->n; i++)
        if (strlen(set->v[i].name) == len && !memcmp(set->v[i].name, name, len))
            return &set->v[i];
    return NULL;
}

bool az_tmpl_has(const struct az_tmpl_set *set, const char *name)
{
    return find_tmpl(set, name, strlen(name)) != NULL;
}

/* ---- parser ---- */

struct parser {
    struct az_ctx *ctx;
    const char *name;
    const char *src;
    size_t len;
    size_t pos;
    /* line/column cache: positions are asked for in increasing order */
    size_t cpos;
    int cline, ccol;
};

/* Line and column (in characters) of byte offset off (off >= last asked). */
static void where(struct parser *p, size_t off, int *line, int *col)
{
    if (off < p->cpos) { /* not expected, but stay correct */
        p->cpos = 0;
        p->cline = 1;
        p->ccol = 1;
    }
    for (; p->cpos < off; p->cpos++) {
        unsigned char c = (unsigned char)p->src[p->cpos];
        if (c == '\n') {
            p->cline++;
            p->ccol = 1;
        } else if ((c & 0xC0) != 0x80) {
            p->ccol++;
        }
    }
    *line = p->cline;
    *col = p->ccol;
}

static int perr(struct parser *p, size_t off, const char *ja, const char *en, const char *arg)
{
    int line, col;

    where(p, off, &line, &col);
    return az_fail(p->ctx, AZ_ESYNTAX, "%s:%d:%d: %s%s%s", "%s:%d:%d: %s%s%s", p->name, line, col,
                   p->ctx->lang == AZ_LANG_EN ? en : ja, arg ? " " : "", arg ? arg : "");
}

static struct node *add_kid(struct node *parent)
{
    if (parent->nkids == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        struct node *k = realloc(parent->kids, cap * sizeof(*k));
        if (!k)
            return NULL;
        parent->kids = k;
        parent->cap = cap;
    }
    memset(&parent->kids[parent->nkids], 0, sizeof(struct node));
    return &parent->kids[parent->nkids++];
}

static const char *find2(const char *s, size_t from, size_t len, const char *pat, size_t plen)
{
    if (len < plen)
        return NULL;
    for (size_t i = from; i + plen <= len; i++)
        if (s[i] == pat[0] && !memcmp(s + i, pat, plen))
            return s + i;
    return NULL;
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == '@' || c == '/';
}

/* A data name: "." or dot-separated non-empty segments. */
static bool valid_name(const char *s, size_t n, bool path)
{
    if (n == 0 || n > 200)
        return false;
    if (n == 1 && s[0] == '.')
        return true;
    for (size_t i = 0; i < n; i++) {
        if (!name_char(s[i]))
            return false;
        if (path && s[i] == '.' && (i == 0 || i + 1 == n || s[i - 1] == '.'))
            return false;
    }
    return true;
}

static int parse_list(struct parser *p, struct node *parent, int depth);

static int parse_list(struct parser *p, struct node *parent, int depth)
{
    for (;;) {
        const char *open = find2(p->src, p->pos, p->len, "{{", 2), *close;
        size_t ts, te, cs, ce, text_end, next;
        char sigil;
        bool standalone = false;
        struct node *n;
        int line, col;

        if (!open) {
            if (p->pos < p->len) {
                if (!(n = add_kid(parent)))
                    return az_fail(p->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
                n->kind = NK_TEXT;
                n->s = p->src + p->pos;
                n->len = p->len - p->pos;
            }
            p->pos = p->len;
            if (parent->kind != NK_TEXT && depth > 0) {
                char what[256];
                snprintf(what, sizeof(what), "\"%.*s\"", (int)parent->len, parent->s);
                return az_fail(p->ctx, AZ_ESYNTAX, "%s:%d:%d: セクション %s が閉じていません",
                               "%s:%d:%d: section %s is never closed", p->name, parent->line,
                               parent->col, what);
            }
            return 0;
        }
        ts = (size_t)(open - p->src);
        sigil = ts + 2 < p->len ? p->src[ts + 2] : '\0';
        if (sigil == '{') {
            close = find2(p->src, ts + 3, p->len, "}}}", 3);
            if (!close)
                return perr(p, ts, "タグ {{{ が閉じていません", "tag {{{ is never closed", NULL);
            cs = ts + 3;
            ce = (size_t)(close - p->src);
            te = ce + 3;
        } else {
            close = find2(p->src, ts + 2, p->len, "}}", 2);
            if (!close)
                return perr(p, ts, "タグ {{ が閉じていません", "tag {{ is never closed", NULL);
            cs = ts + 2;
            ce = (size_t)(close - p->src);
            te = ce + 2;
            if (sigil == '!' || sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>' ||
                sigil == '<' || sigil == '$' || sigil == '&' || sigil == '=')
                cs++;
            else
                sigil = '\0';
        }
        while (cs < ce && (p->src[cs] == ' ' || p->src[cs] == '\t'))
            cs++;
        while (ce > cs && (p->src[ce - 1] == ' ' || p->src[ce - 1] == '\t'))
            ce--;
        where(p, ts, &line, &col);

        /* A block tag alone on its line takes the line with it. */
        text_end = ts;
        next = te;
        if (sigil && sigil != '&' && sigil != '{') {
            size_t ls = ts, e = te;
            while (ls > 0 && (p->src[ls - 1] == ' ' || p->src[ls - 1] == '\t'))
                ls--;
            if (ls == 0 || p->src[ls - 1] == '\n') {
                while (e < p->len && (p->src[e] == ' ' || p->src[e] == '\t'))
                    e++;
                if (e == p->len || p->src[e] == '\n' ||
                    (p->src[e] == '\r' && e + 1 < p->len && p->src[e + 1] == '\n')) {
                    standalone = true;
                    if (ls >= p->pos)
                        text_end = ls;
                    next = e == p->len ? e : e + (p->src[e] == '\r' ? 2 : 1);
                }
            }
        }
        (void)standalone;
        if (text_end > p->pos) {
            if (!(n = add_kid(parent)))
                return az_fail(p->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            n->kind = NK_TEXT;
            n->s = p->src + p->pos;
            n->len = text_end - p->pos;
        }
        p->pos = next;

        if (sigil == '!')
            continue;
        if (sigil == '=')
            return perr(p, ts, "区切り文字の変更 ({{= =}}) には対応していません",
                        "changing delimiters ({{= =}}) is not supported", NULL);
        if (sigil == '/') {
            char got[256];
            snprintf(got, sizeof(got), "\"%.*s\"", (int)(ce - cs), p->src + cs);
            if (depth == 0)
                return perr(p, ts, "対応する開始タグのない終了タグ",
                            "closing tag with no open section", got);
            if (ce - cs != parent->len || memcmp(p->src + cs, parent->s, parent->len) != 0) {
                char what[600];
                snprintf(what, sizeof(what), "%s (%s \"%.*s\" %d:%d)", got,
                         az_l(p->ctx, "開いているのは", "open is"), (int)parent->len, parent->s,
                         parent->line, parent->col);
                return perr(p, ts, "終了タグが開いているセクションと合いません",
                            "closing tag does not match the open section", what);
            }
            return 0;
        }

        {
            const char *nm = p->src + cs;
            size_t nlen = ce - cs;
            enum filt filt = F_HTML;
            enum nk kind;
            const char *bar = memchr(nm, '|', nlen);
            char shown[256];

            snprintf(shown, sizeof(shown), "\"%.*s\"", (int)(nlen > 200 ? 200 : nlen), nm);
            switch (sigil) {
            case '#':
                kind = NK_SECTION;
                break;
            case '^':
                kind = NK_INVERTED;
                break;
            case '>':
                kind = NK_PARTIAL;
                break;
            case '<':
                kind = NK_PARENT;
                break;
            case '$':
                kind = NK_BLOCK;
                break;
            case '&':
            case '{':
                kind = NK_RAW;
                break;
            default:
                kind = NK_VAR;
                break;
            }
            if (bar && kind == NK_VAR) {
                size_t fl = nlen - (size_t)(bar - nm) - 1;
                const char *f = bar + 1;
                while (fl && *f == ' ')
                    f++, fl--;
                if (fl == 3 && !memcmp(f, "url", 3))
                    filt = F_URL;
                else
                    return perr(p, ts, "未知のフィルタ (使えるのは |url)",
                                "unknown filter (only |url exists)", shown);
                nlen = (size_t)(bar - nm);
                while (nlen && nm[nlen - 1] == ' ')
                    nlen--;
            }
            if (!valid_name(nm, nlen, kind != NK_PARTIAL && kind != NK_PARENT))
                return perr(p, ts, "タグの名前が不正です", "invalid tag name", shown);
            if (depth >= AZ_TMPL_MAX_DEPTH)
                return perr(p, ts, "入れ子が深すぎます", "nesting too deep", NULL);
            if (!(n = add_kid(parent)))
                return az_fail(p->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            n->kind = kind;
            n->filt = filt;
            n->line = line;
            n->col = col;
            n->len = nlen;
            n->s = strndup(nm, nlen);
            if (!n->s) {
                n->kind = NK_TEXT; /* nothing to free */
                return az_fail(p->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            }
            if (kind == NK_SECTION || kind == NK_INVERTED || kind == NK_PARENT ||
                kind == NK_BLOCK) {
                int r = parse_list(p, n, depth + 1);
                if (r < 0)
                    return r;
            }
        }
    }
}

int az_tmpl_add(struct az_ctx *ctx, struct az_tmpl_set *set, const char *name, const char *src,
                size_t len)
{
    struct parser p;
    struct tmpl t;
    size_t bad;
    int r;

    if (len > AZ_TMPL_MAX_SRC)
        return az_fail(ctx, AZ_ERANGE, "%s: テンプレートが大きすぎます (上限 %u バイト)",
                       "%s: template too large (limit %u bytes)", name, AZ_TMPL_MAX_SRC);
    if (!valid_name(name, strlen(name), false))
        return az_fail(ctx, AZ_EINVAL, "テンプレート名 \"%s\" が不正です",
                       "invalid template name \"%s\"", name);
    memset(&p, 0, sizeof(p));
    p.ctx = ctx;
    p.name = name;
    p.src = src;
    p.len = len;
    p.cline = p.ccol = 1;
    if (memchr(src, '\0', len))
        return perr(&p, (size_t)((const char *)memchr(src, '\0', len) - src),
                    "NUL 文字が含まれています", "contains a NUL byte", NULL);
    if ((bad = az_utf8_invalid_at(src, len)) != (size_t)-1)
        return perr(&p, bad, "UTF-8 ではありません", "not UTF-8", NULL);
    memset(&t, 0, sizeof(t));
    t.name = strdup(name);
    t.src = malloc(len + 1);
    if (!t.name || !t.src) {
        free(t.name);
        free(t.src);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    memcpy(t.src, src, len);
    t.src[len] = '\0';
    t.root.kind = NK_TEXT; /* the root has no name */
    p.src = t.src;
    r = parse_list(&p, &t.root, 0);
    if (r < 0) {
        tmpl_done(&t);
        return r;
    }
    for (size_t i = 0; i < set->n; i++)
        if (!strcmp(set->v[i].name, name)) {
            tmpl_done(&set->v[i]);
            set->v[i] = t;
            return 0;
        }
    if (set->n >= AZ_TMPL_MAX_TEMPLATES) {
        tmpl_done(&t);
        return az_fail(ctx, AZ_ERANGE, "テンプレートが多すぎます", "too many templates");
    }
    {
        struct tmpl *v = realloc(set->v, (set->n + 1) * sizeof(*v));
        if (!v) {
            tmpl_done(&t);
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        }
        set->v = v;
        set->v[set->n++] = t;
    }
    return 0;
}

int az_tmpl_add_blobs(struct az_ctx *ctx, struct az_tmpl_set *set, const struct az_file_blob *blobs,
                      size_t n, const char *suffix)
{
    for (size_t i = 0; i < n && blobs[i].name; i++) {
        const char *base = blobs[i].name, *s;
        size_t bl;
        int r;
        if ((s = strrchr(base, ':')))
            base = s + 1;
        if ((s = strrchr(base, '/')))
            base = s + 1;
        bl = strlen(base);
        if (suffix && (bl < strlen(suffix) || strcmp(base + bl - strlen(suffix), suffix) != 0))
            continue;
        if ((r = az_tmpl_add(ctx, set, base, blobs[i].data, blobs[i].len)) < 0)
            return r;
    }
    return 0;
}

static int check_node(struct az_ctx *ctx, const struct az_tmpl_set *set, const struct tmpl *t,
                      const struct node *n)
{
    if ((n->kind == NK_PARTIAL || n->kind == NK_PARENT) && !find_tmpl(set, n->s, n->len))
        return az_fail(ctx, AZ_ENOTFOUND, "%s:%d:%d: テンプレート \"%s\" がありません",
                       "%s:%d:%d: no template \"%s\"", t->name, n->line, n->col, n->s);
    for (size_t i = 0; i < n->nkids; i++) {
        int r = check_node(ctx, set, t, &n->kids[i]);
        if (r < 0)
            return r;
    }
    return 0;
}

int az_tmpl_check(struct az_ctx *ctx, const struct az_tmpl_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        int r = check_node(ctx, set, &set->v[i], &set->v[i].root);
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---- escaping ---- */

static bool replaced(unsigned cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp <= 0x9F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

int az_html_escape(struct az_buf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0, i = 0;
    int r;

    while (i < n) {
        const char *rep = NULL;
        unsigned cp = 0;
        size_t l = az_utf8_decode(u + i, n - i, &cp);
        if (l == 0 || replaced(cp))
            rep = "\xEF\xBF\xBD";
        else if (cp == '&')
            rep = "&amp;";
        else if (cp == '<')
            rep = "&lt;";
        else if (cp == '>')
            rep = "&gt;";
        else if (cp == '"')
            rep = "&quot;";
        else if (cp == '\'')
            rep = "&#39;";
        else if (cp == '`')
            rep = "&#96;";
        if (!rep) {
            i += l;
            continue;
        }
        if (i > run && (r = az_buf_add(out, s + run, i - run)) < 0)
            return r;
        if ((r = az_buf_puts(out, rep)) < 0)
            return r;
        i += l ? l : 1;
        run = i;
    }
    if (i > run && (r = az_buf_add(out, s + run, i - run)) < 0)
        return r;
    return 0;
}

int az_url_escape(struct az_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int r;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            r = az_buf_add(out, &s[i], 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            r = az_buf_add(out, e, 3);
        }
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---- renderer ---- */

#define MAX_FRAMES (AZ_TMPL_MAX_DEPTH * (AZ_TMPL_MAX_INCLUDE + 1) + 2)
#define MAX_CHAIN  (AZ_TMPL_MAX_INCLUDE + 1)

struct frame {
    const json_t *v;
    bool loop;
    size_t idx, n;
};

struct rstate {
    struct az_ctx *ctx;
    const struct az_tmpl_set *set;
    const json_t *raw;
    struct az_buf *out;
    struct frame *stack;
    size_t sp;
    long steps;
    /* layouts being rendered (their override blocks), most derived first */
    struct {
        const struct node *n;
        const struct tmpl *t;
    } chain[MAX_CHAIN];
    size_t nchain;
    int incl;
    int depth; /* C recursion, bounded whatever the templates do */
};

static int rerr(struct rstate *r, const struct tmpl *t, const struct node *n, int code,
                const char *ja, const char *en)
{
    return az_fail(r->ctx, code, "%s:%d:%d: {{%s}}: %s", "%s:%d:%d: {{%s}}: %s", t->name, n->line,
                   n->col, n->s, r->ctx->lang == AZ_LANG_EN ? en : ja);
}

static int out_err(struct rstate *r, int code)
{
    if (code == AZ_ERANGE)
        return az_fail(r->ctx, code, "出力が上限 (%zu バイト) を超えました",
                       "output exceeds its limit (%zu bytes)", r->out->max);
    return az_fail(r->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0 || n > 9)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Descend from v along the dotted path s (n bytes). */
static const json_t *descend(const json_t *v, const char *s, size_t n)
{
    while (v && n) {
        const char *dot = memchr(s, '.', n);
        size_t sl = dot ? (size_t)(dot - s) : n;
        if (json_is_object(v))
            v = json_object_getn(v, s, sl);
        else if (json_is_array(v) && all_digits(s, sl))
            v = json_array_get(v, (size_t)strtoul(s, NULL, 10));
        else
            v = NULL;
        if (!dot)
            break;
        s = dot + 1;
        n -= sl + 1;
    }
    return v;
}

/* Resolve a name against the context stack. Loop variables are made on
 * the fly and returned in *owned (caller decrefs). */
static const json_t *lookup(struct rstate *r, const struct node *n, json_t **owned)
{
    const char *s = n->s;
    size_t len = n->len, sl;
    const char *dot;

    *owned = NULL;
    if (len == 1 && s[0] == '.')
        return r->sp ? r->stack[r->sp - 1].v : NULL;
    if (s[0] == '@') {
        const struct frame *f = NULL;
        for (size_t i = r->sp; i-- > 0;)
            if (r->stack[i].loop) {
                f = &r->stack[i];
                break;
            }
        if (!f)
            return NULL;
        if (len == 6 && !memcmp(s, "@index", 6))
            *owned = json_integer((json_int_t)f->idx);
        else if (len == 7 && !memcmp(s, "@number", 7))
            *owned = json_integer((json_int_t)f->idx + 1);
        else if (len == 6 && !memcmp(s, "@first", 6))
            return json_boolean(f->idx == 0);
        else if (len == 5 && !memcmp(s, "@last", 5))
            return json_boolean(f->idx + 1 == f->n);
        return *owned;
    }
    dot = memchr(s, '.', len);
    sl = dot ? (size_t)(dot - s) : len;
    for (size_t i = r->sp; i-- > 0;) {
        const json_t *v = r->stack[i].v;
        if (json_is_object(v) && json_object_getn(v, s, sl)) {
            v = json_object_getn(v, s, sl);
            return dot ? descend(v, dot + 1, len - sl - 1) : v;
        }
    }
    return NULL;
}

static bool truthy(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return json_object_size(v) > 0;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    case JSON_TRUE:
        return true;
    default:
        return false;
    }
}

static int render_list(struct rstate *r, const struct tmpl *t, const struct node *list);

static int push(struct rstate *r, const json_t *v, bool loop, size_t idx, size_t n)
{
    if (r->sp >= MAX_FRAMES)
        return AZ_ERANGE;
    r->stack[r->sp].v = v;
    r->stack[r->sp].loop = loop;
    r->stack[r->sp].idx = idx;
    r->stack[r->sp].n = n;
    r->sp++;
    return 0;
}

static int print_value(struct rstate *r, const struct tmpl *t, const struct node *n,
                       const json_t *v)
{
    char num[64];
    const char *s = NULL;
    size_t len = 0;
    int e;

    switch (json_typeof(v)) {
    case JSON_STRING:
        s = json_string_value(v);
        len = json_string_length(v);
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        s = num;
        len = strlen(num);
        break;
    case JSON_REAL:
        snprintf(num, sizeof(num), "%g", json_real_value(v));
        s = num;
        len = strlen(num);
        break;
    case JSON_TRUE:
        s = "true";
        len = 4;
        break;
    case JSON_FALSE:
        s = "false";
        len = 5;
        break;
    case JSON_NULL:
        return 0;
    default:
        return rerr(r, t, n, AZ_EINVAL, "配列やオブジェクトは表示できません (セクションで回す)",
                    "an array or object cannot be printed (use a section)");
    }
    e = n->filt == F_URL ? az_url_escape(r->out, s, len) : az_html_escape(r->out, s, len);
    return e < 0 ? out_err(r, e) : 0;
}

static const struct node *find_block(const struct node *parent, const char *name, size_t len)
{
    for (size_t i = 0; i < parent->nkids; i++) {
        const struct node *k = &parent->kids[i];
        if (k->kind == NK_BLOCK && k->len == len && !memcmp(k->s, name, len))
            return k;
    }
    return NULL;
}

static int render_node(struct rstate *r, const struct tmpl *t, const struct node *n)
{
    const json_t *v;
    json_t *owned = NULL;
    int e = 0;

    if (++r->steps > r->set->max_steps)
        return az_fail(r->ctx, AZ_ERANGE,
                       "%s:%d:%d: 処理量が上限 (%ld ステップ) を超えました (ループが大きすぎます)",
                       "%s:%d:%d: work exceeds its limit (%ld steps; loops too large)", t->name,
                       n->line, n->col, r->set->max_steps);
    switch (n->kind) {
    case NK_TEXT:
        e = az_buf_add(r->out, n->s, n->len);
        return e < 0 ? out_err(r, e) : 0;
    case NK_VAR:
        v = lookup(r, n, &owned);
        if (!v) /* missing names print nothing */
            return 0;
        e = print_value(r, t, n, v);
        json_decref(owned);
        return e;
    case NK_RAW:
        v = r->raw ? descend(r->raw, n->s, n->len) : NULL;
        if (!v)
            return 0;
        if (!json_is_string(v))
            return rerr(r, t, n, AZ_EINVAL, "raw の値は文字列でなければなりません",
                        "a raw value must be a string");
        e = az_buf_add(r->out, json_string_value(v), json_string_length(v));
        return e < 0 ? out_err(r, e) : 0;
    case NK_SECTION:
    case NK_INVERTED:
        v = lookup(r, n, &owned);
        if (n->kind == NK_INVERTED) {
            if (!v || !truthy(v))
                e = render_list(r, t, n);
        } else if (v && truthy(v)) {
            if (json_is_array(v)) {
                size_t cnt = json_array_size(v);
                for (size_t i = 0; i < cnt && !e; i++) {
                    if (push(r, json_array_get(v, i), true, i, cnt) < 0) {
                        e = rerr(r, t, n, AZ_ERANGE, "入れ子が深すぎます", "nesting too deep");
                        break;
                    }
                    e = render_list(r, t, n);
                    r->sp--;
                }
            } else if (push(r, v, false, 0, 0) < 0) {
                e = rerr(r, t, n, AZ_ERANGE, "入れ子が深すぎます", "nesting too deep");
            } else {
                e = render_list(r, t, n);
                r->sp--;
            }
        }
        json_decref(owned);
        return e;
    case NK_PARTIAL:
    case NK_PARENT: {
        const struct tmpl *sub = find_tmpl(r->set, n->s, n->len);
        if (!sub)
            return rerr(r, t, n, AZ_ENOTFOUND, "テンプレートがありません", "no such template");
        if (r->incl >= AZ_TMPL_MAX_INCLUDE || (n->kind == NK_PARENT && r->nchain >= MAX_CHAIN))
            return rerr(r, t, n, AZ_ERANGE, "取り込みが深すぎます (循環していませんか)",
                        "includes nested too deep (a loop?)");
        r->incl++;
        if (n->kind == NK_PARENT) {
            r->chain[r->nchain].n = n;
            r->chain[r->nchain++].t = t;
        }
        e = render_list(r, sub, &sub->root);
        if (n->kind == NK_PARENT)
            r->nchain--;
        r->incl--;
        return e;
    }
    case NK_BLOCK:
        /* the most derived override wins; else the block's own content */
        for (size_t i = 0; i < r->nchain; i++) {
            const struct node *b = find_block(r->chain[i].n, n->s, n->len);
            if (b)
                return render_list(r, r->chain[i].t, b);
        }
        return render_list(r, t, n);
    }
    return 0;
}

static int render_list(struct rstate *r, const struct tmpl *t, const struct node *list)
{
    if (r->depth >= MAX_FRAMES)
        return az_fail(r->ctx, AZ_ERANGE, "%s:%d:%d: 入れ子が深すぎます (循環していませんか)",
                       "%s:%d:%d: nesting too deep (a loop?)", t->name, list->line, list->col);
    r->depth++;
    for (size_t i = 0; i < list->nkids; i++) {
        int e = render_node(r, t, &list->kids[i]);
        if (e < 0) {
            r->depth--;
            return e;
        }
    }
    r->depth--;
    return 0;
}

int az_tmpl_render(struct az_ctx *ctx, const struct az_tmpl_set *set, const char *name,
                   const json_t *vars, const json_t *raw, struct az_buf *out)
{
    const struct tmpl *t = find_tmpl(set, name, strlen(name));
    struct rstate r;
    size_t mark = out->len;
    int e;

    if (!t)
        return az_fail(ctx, AZ_ENOTFOUND, "テンプレート \"%s\" がありません", "no template \"%s\"",
                       name);
    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.set = set;
    r.raw = json_is_object(raw) ? raw : NULL;
    r.out = out;
    r.stack = calloc(MAX_FRAMES, sizeof(*r.stack));
    if (!r.stack)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    if (vars)
        push(&r, vars, false, 0, 0);
    e = render_list(&r, t, &t->root);
    free(r.stack);
    if (e < 0) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
        return e;
    }
    if (!out->data && (e = az_buf_add(out, "", 0)) < 0) /* "" rather than NULL */
        return out_err(&r, e);
    return 0;
}
