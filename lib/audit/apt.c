/* SPDX-License-Identifier: MIT */
/*
 * apt.c - pending security updates from the package manager's own state,
 * without running apt: the installed versions in /var/lib/dpkg/status
 * against the security suites' package lists in /var/lib/apt/lists
 * (plain, .gz, .xz or .lz4, as apt keeps them), compared the way dpkg
 * compares versions. Works the same on a prepared root (--root).
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "anzen/util.h"
#include "audit_internal.h"

#define MAX_LIST (256u * 1024u * 1024u)

/* --- dpkg's version order ------------------------------------------------ */

static int order(int c)
{
    if (isdigit(c))
        return 0;
    if (isalpha(c))
        return c;
    if (c == '~')
        return -1;
    if (c)
        return c + 256;
    return 0;
}

static int verrevcmp(const char *a, const char *b)
{
    while (*a || *b) {
        int first_diff = 0;
        while ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b))) {
            int ac = order((unsigned char)*a), bc = order((unsigned char)*b);
            if (ac != bc)
                return ac - bc;
            a++;
            b++;
        }
        while (*a == '0')
            a++;
        while (*b == '0')
            b++;
        while (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            if (!first_diff)
                first_diff = *a - *b;
            a++;
            b++;
        }
        if (isdigit((unsigned char)*a))
            return 1;
        if (isdigit((unsigned char)*b))
            return -1;
        if (first_diff)
            return first_diff;
    }
    return 0;
}

/* Split "epoch:upstream-revision" (in place). */
static void split(char *v, long *epoch, char **up, char **rev)
{
    char *colon = strchr(v, ':'), *dash;
    *epoch = 0;
    if (colon) {
        *epoch = strtol(v, NULL, 10);
        v = colon + 1;
    }
    *up = v;
    dash = strrchr(v, '-');
    if (dash) {
        *dash = '\0';
        *rev = dash + 1;
    } else {
        *rev = (char *)"";
    }
}

int az_audit_dpkg_vercmp(const char *a, const char *b)
{
    char *x = az_fmt("%s", a), *y = az_fmt("%s", b), *ua, *ra, *ub, *rb;
    long ea, eb;
    int r;

    if (!x || !y) {
        free(x);
        free(y);
        return 0;
    }
    split(x, &ea, &ua, &ra);
    split(y, &eb, &ub, &rb);
    if (ea != eb)
        r = ea < eb ? -1 : 1;
    else if ((r = verrevcmp(ua, ub)) == 0)
        r = verrevcmp(ra, rb);
    free(x);
    free(y);
    return r < 0 ? -1 : r > 0;
}

/* --- reading the lists ------------------------------------------------------ */

static int read_gz(const char *path, struct az_buf *b)
{
    gzFile f = gzopen(path, "rb");
    char tmp[65536];
    int n;

    if (!f)
        return -(errno ? errno : EIO);
    while ((n = gzread(f, tmp, sizeof(tmp))) > 0)
        if (az_buf_add(b, tmp, (size_t)n) < 0)
            break;
    gzclose(f);
    return n < 0 ? -EIO : 0;
}

static int slurp_raw(const char *path, char **ret, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct az_buf b;
    char tmp[65536];
    size_t n;

    if (!f)
        return -errno;
    az_buf_init(&b, MAX_LIST);
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        if (az_buf_add(&b, tmp, n) < 0)
            break;
    fclose(f);
    *len = b.len;
    *ret = az_buf_take(&b);
    return *ret ? 0 : -ENOMEM;
}

static int read_lz4(const char *path, struct az_buf *b)
{
    char *in;
    size_t len, pos = 0;
    LZ4F_dctx *dc;
    int r;

    if ((r = slurp_raw(path, &in, &len)) < 0)
        return r;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&dc, LZ4F_VERSION))) {
        free(in);
        return -ENOMEM;
    }
    r = 0;
    while (pos < len) {
        char out[65536];
        size_t osz = sizeof(out), isz = len - pos;
        size_t e = LZ4F_decompress(dc, out, &osz, in + pos, &isz, NULL);
        if (LZ4F_isError(e) || (!osz && !isz)) {
            r = -EIO;
            break;
        }
        pos += isz;
        if (az_buf_add(b, out, osz) < 0) {
            r = -ERANGE;
            break;
        }
    }
    LZ4F_freeDecompressionContext(dc);
    free(in);
    return r;
}

static int read_xz(const char *path, struct az_buf *b)
{
    char *in;
    size_t len;
    lzma_stream s = LZMA_STREAM_INIT;
    int r;

    if ((r = slurp_raw(path, &in, &len)) < 0)
        return r;
    if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK) {
        free(in);
        return -ENOMEM;
    }
    s.next_in = (const uint8_t *)in;
    s.avail_in = len;
    r = 0;
    for (;;) {
        uint8_t out[65536];
        s.next_out = out;
        s.avail_out = sizeof(out);
        lzma_ret lr = lzma_code(&s, LZMA_FINISH);
        if (az_buf_add(b, out, sizeof(out) - s.avail_out) < 0) {
            r = -ERANGE;
            break;
        }
        if (lr == LZMA_STREAM_END)
            break;
        if (lr != LZMA_OK) {
            r = -EIO;
            break;
        }
    }
    lzma_end(&s);
    free(in);
    return r;
}

static int read_list(const char *path, char **ret)
{
    struct az_buf b;
    size_t l = strlen(path);
    int r;

    az_buf_init(&b, MAX_LIST);
    if (l > 4 && !strcmp(path + l - 4, ".lz4"))
        r = read_lz4(path, &b);
    else if (l > 3 && !strcmp(path + l - 3, ".xz"))
        r = read_xz(path, &b);
    else
        r = read_gz(path, &b); /* plain files too */
    if (r < 0 && r != -ERANGE) {
        az_buf_done(&b);
        return r;
    }
    *ret = az_buf_take(&b);
    return *ret ? 0 : -ENOMEM;
}

/* --- stanzas ------------------------------------------------------------- */

struct pkg {
    const char *name, *arch, *version;
};

/* Walk the stanzas of text (modified in place), calling fn with the
 * fields that matter. */
static void stanzas(char *text, void (*fn)(void *, const struct pkg *, const char *status),
                    void *arg)
{
    struct pkg p = {NULL, NULL, NULL};
    const char *status = NULL;
    char *line = text;

    while (line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (!*line || (line[0] == '\r' && !line[1])) {
            if (p.name && p.version)
                fn(arg, &p, status);
            p = (struct pkg){NULL, NULL, NULL};
            status = NULL;
        } else if (!strncmp(line, "Package: ", 9)) {
            p.name = line + 9;
        } else if (!strncmp(line, "Version: ", 9)) {
            p.version = line + 9;
        } else if (!strncmp(line, "Architecture: ", 14)) {
            p.arch = line + 14;
        } else if (!strncmp(line, "Status: ", 8)) {
            status = line + 8;
        }
        line = nl ? nl + 1 : NULL;
    }
    if (p.name && p.version)
        fn(arg, &p, status);
}

struct installed {
    struct pkg *v;
    size_t n, cap;
};

static void add_installed(void *arg, const struct pkg *p, const char *status)
{
    struct installed *in = arg;
    if (!status || !strstr(status, " installed"))
        return;
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 1024;
        struct pkg *v = realloc(in->v, cap * sizeof(*v));
        if (!v)
            return;
        in->v = v;
        in->cap = cap;
    }
    in->v[in->n++] = *p;
}

static int cmp_pkg(const void *a, const void *b)
{
    return strcmp(((const struct pkg *)a)->name, ((const struct pkg *)b)->name);
}

struct pending {
    struct installed *in;
    json_t *seen; /* name -> "installed -> candidate" */
};

static void check_candidate(void *arg, const struct pkg *p, const char *status)
{
    struct pending *pd = arg;
    struct pkg key = {p->name, NULL, NULL};
    const struct pkg *hit;
    (void)status;

    hit = bsearch(&key, pd->in->v, pd->in->n, sizeof(*pd->in->v), cmp_pkg);
    if (!hit)
        return;
    /* the same package may be installed for several architectures: any */
    while (hit > pd->in->v && !strcmp(hit[-1].name, p->name))
        hit--;
    for (; hit < pd->in->v + pd->in->n && !strcmp(hit->name, p->name); hit++) {
        if (p->arch && hit->arch && strcmp(p->arch, "all") && strcmp(p->arch, hit->arch))
            continue;
        if (az_audit_dpkg_vercmp(p->version, hit->version) > 0) {
            char *s = az_fmt("%s %s -> %s", p->name, hit->version, p->version);
            if (s) /* a name or version that is not UTF-8 is dropped */
                json_object_set_new(pd->seen, p->name, json_string(s));
            free(s);
        }
    }
}

int az_audit_apt_pending(const char *root, json_t **ret_pending, size_t *ret_lists)
{
    const char *r = root && strcmp(root, "/") ? root : "";
    char *status_path = az_fmt("%s/var/lib/dpkg/status", r), *status = NULL, *pat;
    struct installed in = {NULL, 0, 0};
    struct pending pd;
    glob_t g;
    int e;

    *ret_pending = NULL;
    *ret_lists = 0;
    if (!status_path)
        return -ENOMEM;
    e = read_list(status_path, &status);
    free(status_path);
    if (e < 0)
        return e;
    stanzas(status, add_installed, &in);
    qsort(in.v, in.n, sizeof(*in.v), cmp_pkg);
    pd.in = &in;
    pd.seen = json_object();
    pat = az_fmt("%s/var/lib/apt/lists/*security*_Packages*", r);
    if (pat && glob(pat, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            char *text = NULL;
            if (strstr(g.gl_pathv[i], ".diff_Index") || read_list(g.gl_pathv[i], &text) < 0)
                continue;
            (*ret_lists)++;
            stanzas(text, check_candidate, &pd);
            free(text);
        }
        globfree(&g);
    }
    free(pat);
    free(in.v);
    free(status);
    *ret_pending = pd.seen;
    return 0;
}
