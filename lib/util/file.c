/* SPDX-License-Identifier: MIT */
/*
 * file.c - reading input files with limits and encoding checks, and
 * replacing output files crash-safely.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anzen/hint.h"
#include "anzen/util.h"

size_t az_utf8_invalid_at(const char *data, size_t len)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned long cp;

        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (len - i <= n)
            return i;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        /* overlong, surrogate or beyond U+10FFFF */
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n + 1;
    }
    return (size_t)-1;
}

bool az_looks_cp932(const char *data, size_t len)
{
    const unsigned char *s = (const unsigned char *)data;
    size_t pairs = 0, bad = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c < 0x80 || (c >= 0xA1 && c <= 0xDF))
            continue; /* ASCII or half-width katakana */
        if (((c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC)) && i + 1 < len) {
            unsigned char t = s[i + 1];
            if (t >= 0x40 && t <= 0xFC && t != 0x7F) {
                pairs++;
                i++;
                continue;
            }
        }
        bad++;
    }
    return pairs > 0 && bad == 0;
}

static size_t line_of(const char *data, size_t off)
{
    size_t line = 1;

    for (size_t i = 0; i < off; i++)
        if (data[i] == '\n')
            line++;
    return line;
}

int az_read_text_file(struct az_ctx *ctx, const char *path, char **ret_data, size_t *ret_len)
{
    struct stat st;
    char *data = NULL;
    size_t len = 0, bad;
    ssize_t n;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return az_fail(ctx, AZ_EIO, "%s: 開けません: %s", "%s: cannot open: %s", path,
                       az_errno_text(ctx->lang, errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return az_fail(ctx, AZ_EIO, "%s: 通常のファイルではありません", "%s: not a regular file",
                       path);
    }
    if ((unsigned long long)st.st_size > AZ_MAX_INPUT) {
        close(fd);
        return az_fail(ctx, AZ_ERANGE, "%s: ファイルが大きすぎます (%lld バイト、上限 %u バイト)",
                       "%s: file too large (%lld bytes, limit %u bytes)", path,
                       (long long)st.st_size, AZ_MAX_INPUT);
    }
    data = malloc((size_t)st.st_size + 1);
    if (!data) {
        close(fd);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    /* Read until EOF, but never past the limit (the file may grow). */
    for (;;) {
        if (len > (size_t)st.st_size) {
            break;
        }
        n = read(fd, data + len, (size_t)st.st_size + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(data);
            close(fd);
            return az_fail(ctx, AZ_EIO, "%s: 読み込めません: %s", "%s: cannot read: %s", path,
                           az_errno_text(ctx->lang, e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == (size_t)st.st_size + 1) {
            free(data);
            close(fd);
            return az_fail(ctx, AZ_ERANGE, "%s: 読み込み中にファイルが変わりました",
                           "%s: file changed while being read", path);
        }
    }
    close(fd);
    data[len] = '\0';
    if (memchr(data, '\0', len)) {
        size_t line = line_of(data, (size_t)((char *)memchr(data, '\0', len) - data));
        free(data);
        return az_fail(ctx, AZ_ESYNTAX,
                       "%s:%zu: NUL バイトを含むためテキストファイルとして読めません",
                       "%s:%zu: contains a NUL byte; not a text file", path, line);
    }
    bad = az_utf8_invalid_at(data, len);
    if (bad != (size_t)-1) {
        size_t line = line_of(data, bad);
        bool sj = az_looks_cp932(data, len);
        free(data);
        if (sj)
            return az_fail(ctx, AZ_ESYNTAX,
                           "%s:%zu: UTF-8 ではありません (Shift_JIS/CP932 のようです)。"
                           "UTF-8 で保存し直してください",
                           "%s:%zu: not UTF-8 (looks like Shift_JIS/CP932); save it as UTF-8", path,
                           line);
        return az_fail(ctx, AZ_ESYNTAX,
                       "%s:%zu: UTF-8 として不正なバイトがあります (オフセット %zu)",
                       "%s:%zu: invalid UTF-8 byte at offset %zu", path, line, bad);
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        memmove(data, data + 3, len - 3 + 1);
        len -= 3;
    }
    *ret_data = data;
    *ret_len = len;
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        off += (size_t)n;
    }
    return 0;
}

/* /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N name a
 * descriptor this process already has: -1 for any other path. */
static int fd_alias(const char *path)
{
    static const char *const pre[] = {"/dev/fd/", "/proc/self/fd/"};
    if (!strcmp(path, "/dev/stdout"))
        return 1;
    if (!strcmp(path, "/dev/stderr"))
        return 2;
    for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
        size_t n = strlen(pre[i]);
        long fd;
        if (!strncmp(path, pre[i], n) && az_parse_long(path + n, 0, 1 << 20, &fd) == 0)
            return (int)fd;
    }
    return -1;
}

/* Does the chain of symbolic links from path pass through a descriptor
 * link (/dev/stdout, /dev/fd/N, /proc/self/fd/N: returns N) or elsewhere
 * through /proc (returns -2)? Then the file is an open file, written in
 * place. -1: neither. */
static int via_fd_link(const char *path)
{
    char cur[PATH_MAX], next[PATH_MAX];
    snprintf(cur, sizeof(cur), "%s", path);
    for (int depth = 0; depth < 40; depth++) {
        struct stat st;
        ssize_t n;
        int fd = fd_alias(cur);
        if (fd >= 0)
            return fd;
        if (!strncmp(cur, "/proc/", 6))
            return -2;
        if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
            return -1;
        if ((n = readlink(cur, next, sizeof(next) - 1)) < 0)
            return -1;
        next[n] = '\0';
        if (next[0] == '/') {
            memcpy(cur, next, (size_t)n + 1);
        } else {
            char dirbuf[PATH_MAX], joined[PATH_MAX * 2];
            snprintf(dirbuf, sizeof(dirbuf), "%s", cur);
            snprintf(joined, sizeof(joined), "%s/%s", dirname(dirbuf), next);
            if (strlen(joined) >= sizeof(cur))
                return -1;
            memcpy(cur, joined, strlen(joined) + 1);
        }
    }
    return -1;
}

/* An output being written: a temp file to rename over path, or an
 * existing file written in place. */
struct az_wfile {
    struct az_ctx *ctx;
    int fd;
    bool own;     /* fd was opened here */
    bool replace; /* tmp is renamed over path at commit */
    mode_t mode;
    bool failed; /* a write failed (reported once) */
    size_t n;    /* bytes waiting in buf */
    char path[PATH_MAX];
    char tmp[PATH_MAX];
    char buf[1 << 16];
};

static int wf_fail(struct az_wfile *w, int e)
{
    w->failed = true;
    return az_fail(w->ctx, AZ_EIO, "%s: 書き込めません: %s", "%s: cannot write: %s", w->path,
                   az_errno_text(w->ctx->lang, e));
}

static int wf_new(struct az_ctx *ctx, const char *path, struct az_wfile **ret)
{
    struct az_wfile *w = calloc(1, sizeof(*w));
    if (!w)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    w->ctx = ctx;
    w->fd = -1;
    if (snprintf(w->path, sizeof(w->path), "%s", path) >= (int)sizeof(w->path)) {
        free(w);
        return az_fail(ctx, AZ_EINVAL, "%s: パスが長すぎます", "%s: path too long", path);
    }
    *ret = w;
    return 0;
}

/* Write into an existing file in place: a character device (/dev/null,
 * a terminal), a FIFO or a socket is written to, never replaced. */
static int open_through(struct az_ctx *ctx, const char *path, int fd, struct az_wfile **ret)
{
    struct az_wfile *w;
    int r = wf_new(ctx, path, &w);
    if (r < 0)
        return r;
    w->own = fd < 0;
    if (w->own && (fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
        int e = errno;
        free(w);
        return az_fail(ctx, AZ_EIO, "%s: 書き込めません: %s", "%s: cannot write: %s", path,
                       az_errno_text(ctx->lang, e));
    }
    w->fd = fd;
    *ret = w;
    return 0;
}

/* A new regular file beside path with the given mode, renamed over it at
 * commit. */
static int open_replace(struct az_ctx *ctx, const char *path, mode_t mode, struct az_wfile **ret)
{
    char dirbuf[PATH_MAX];
    const char *dir;
    struct az_wfile *w;
    int fd, r;

    if (strlen(path) + 8 > PATH_MAX)
        return az_fail(ctx, AZ_EINVAL, "%s: パスが長すぎます", "%s: path too long", path);
    if ((r = wf_new(ctx, path, &w)) < 0)
        return r;
    snprintf(w->tmp, sizeof(w->tmp), "%s.XXXXXX", path);
    fd = mkstemp(w->tmp);
    if (fd < 0) {
        int e = errno;
        struct stat ds;
        free(w);
        snprintf(dirbuf, sizeof(dirbuf), "%s", path);
        dir = dirname(dirbuf);
        /* ENOENT from mkstemp is about the folder, not the file */
        if (e == ENOENT && stat(dir, &ds) < 0)
            return az_fail(ctx, AZ_EIO, "%s: 書き込めません: フォルダ %s がありません",
                           "%s: cannot write: the folder %s does not exist", path, dir);
        if (e == ENOENT || e == ENOTDIR)
            return az_fail(ctx, AZ_EIO,
                           "%s: 書き込めません: %s はファイルを作れる普通のフォルダではありません",
                           "%s: cannot write: %s is not a folder where files can be created", path,
                           dir);
        return az_fail(ctx, AZ_EIO,
                       "%s: 書き込めません (フォルダ %s に一時ファイルを作れません): %s",
                       "%s: cannot write (cannot create a temporary file in %s): %s", path, dir,
                       az_errno_text(ctx->lang, e));
    }
    w->fd = fd;
    w->own = true;
    w->replace = true;
    w->mode = mode;
    *ret = w;
    return 0;
}

static int wf_flush(struct az_wfile *w)
{
    if (w->failed)
        return AZ_EIO;
    if (w->n && write_all(w->fd, w->buf, w->n) < 0)
        return wf_fail(w, errno);
    w->n = 0;
    return 0;
}

int az_wfile_write(struct az_wfile *w, const void *data, size_t len)
{
    if (w->failed)
        return AZ_EIO;
    if (len > sizeof(w->buf) - w->n) {
        int r = wf_flush(w);
        if (r < 0)
            return r;
        if (len >= sizeof(w->buf)) {
            if (write_all(w->fd, data, len) < 0)
                return wf_fail(w, errno);
            return 0;
        }
    }
    memcpy(w->buf + w->n, data, len);
    w->n += len;
    return 0;
}

void az_wfile_abort(struct az_wfile *w)
{
    if (!w)
        return;
    if (w->own && w->fd >= 0)
        close(w->fd);
    if (w->replace)
        unlink(w->tmp);
    free(w);
}

int az_wfile_commit(struct az_wfile *w)
{
    char dirbuf[PATH_MAX];
    int fd, dfd, r;

    if ((r = wf_flush(w)) < 0) {
        az_wfile_abort(w);
        return r;
    }
    if (!w->replace) {
        if (w->own && close(w->fd) < 0) {
            w->fd = -1;
            r = wf_fail(w, errno);
            az_wfile_abort(w);
            return r;
        }
        free(w);
        return 0;
    }
    if (fchmod(w->fd, w->mode) < 0 || fsync(w->fd) < 0)
        goto fail;
    fd = w->fd;
    w->fd = -1;
    if (close(fd) < 0 || rename(w->tmp, w->path) < 0)
        goto fail;
    snprintf(dirbuf, sizeof(dirbuf), "%s", w->path);
    dfd = open(dirname(dirbuf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    free(w);
    return 0;
fail:
    r = wf_fail(w, errno);
    az_wfile_abort(w);
    return r;
}

/*
 * Only a regular file (or a path that does not exist yet) is replaced by
 * rename; anything else is written in place, so -o /dev/null run as root
 * leaves the device node a device, a FIFO gets the bytes, and
 * /dev/stdout writes to this process's standard output. A symbolic link
 * to a regular file replaces the file it points to, not the link.
 */
int az_wfile_open(struct az_ctx *ctx, const char *path, struct az_wfile **ret)
{
    struct stat st;
    int fd = fd_alias(path);

    *ret = NULL;
    if (fd >= 0)
        return open_through(ctx, path, fd, ret);
    if (lstat(path, &st) < 0 || S_ISREG(st.st_mode))
        return open_replace(ctx, path, 0644, ret);
    if (S_ISDIR(st.st_mode))
        return az_fail(ctx, AZ_EIO, "%s: ディレクトリには書き込めません",
                       "%s: is a directory, cannot write", path);
    if (S_ISLNK(st.st_mode)) {
        struct stat ts;
        if (stat(path, &ts) < 0)
            return az_fail(ctx, AZ_EIO, "%s: リンク先がありません: %s",
                           "%s: the link points nowhere: %s", path,
                           az_errno_text(ctx->lang, errno));
        if (S_ISDIR(ts.st_mode))
            return az_fail(ctx, AZ_EIO, "%s: ディレクトリには書き込めません",
                           "%s: is a directory, cannot write", path);
        int via = via_fd_link(path);
        if (via >= 0)
            return open_through(ctx, path, via, ret);
        if (S_ISREG(ts.st_mode) && via == -1) {
            char *real = realpath(path, NULL);
            int r;
            if (!real)
                return az_fail(ctx, AZ_EIO, "%s: 書き込めません: %s", "%s: cannot write: %s", path,
                               az_errno_text(ctx->lang, errno));
            r = open_replace(ctx, real, 0644, ret);
            free(real);
            return r;
        }
    }
    return open_through(ctx, path, -1, ret);
}

static int write_whole(struct az_wfile *w, const char *data, size_t len)
{
    int r = az_wfile_write(w, data, len);
    if (r < 0) {
        az_wfile_abort(w);
        return r;
    }
    return az_wfile_commit(w);
}

int az_write_file_private(struct az_ctx *ctx, const char *path, const char *data, size_t len)
{
    struct az_wfile *w;
    int r = open_replace(ctx, path, 0600, &w);
    return r < 0 ? r : write_whole(w, data, len);
}

int az_write_file_atomic(struct az_ctx *ctx, const char *path, const char *data, size_t len)
{
    struct az_wfile *w;
    int r = az_wfile_open(ctx, path, &w);
    return r < 0 ? r : write_whole(w, data, len);
}

int az_parse_long(const char *s, long min, long max, long *ret)
{
    char *end;
    long v;

    if (!s || !*s)
        return AZ_EINVAL;
    for (const char *p = s; *p; p++)
        if ((*p < '0' || *p > '9') && !(p == s && *p == '-'))
            return AZ_EINVAL;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return AZ_EINVAL;
    *ret = v;
    return 0;
}

/* Code points that take two terminal columns (East Asian Wide/Fullwidth),
 * coarse ranges that cover Japanese text. */
static int cp_width(unsigned long cp)
{
    if (cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF)
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
        (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x2460 && cp <= 0x24FF) ||
        (cp >= 0x1F300 && cp <= 0x1FAFF) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

size_t az_utf8_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t w = 0;

    while (*p) {
        unsigned long cp;
        int n;
        if (*p < 0x80) {
            cp = *p;
            n = 0;
        } else if ((*p & 0xE0) == 0xC0) {
            cp = *p & 0x1F;
            n = 1;
        } else if ((*p & 0xF0) == 0xE0) {
            cp = *p & 0x0F;
            n = 2;
        } else {
            cp = *p & 0x07;
            n = 3;
        }
        p++;
        while (n-- > 0 && *p) {
            cp = (cp << 6) | (*p & 0x3F);
            p++;
        }
        w += (size_t)cp_width(cp);
    }
    return w;
}

static bool has_bytes(const char *data, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (data[i] == needle[0] && !memcmp(data + i, needle, n))
            return true;
    return false;
}

const char *az_file_type(const char *data, size_t len)
{
    const unsigned char *u = (const unsigned char *)data;
    size_t i = 0, head = len < 8192 ? len : 8192;

    if (len >= 4 && !memcmp(data, "PK\3\4", 4)) {
        if (has_bytes(data, len, "opendocument.spreadsheet"))
            return "ods";
        if (has_bytes(data, len, "xl/workbook") || has_bytes(data, len, "xl/worksheets"))
            return "xlsx";
        if (has_bytes(data, len, "word/document"))
            return "docx";
        if (has_bytes(data, len, "ppt/presentation"))
            return "pptx";
        return "zip";
    }
    if (len >= 8 && !memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
        return "xls";
    if (len >= 4 && !memcmp(data, "%PDF", 4))
        return "pdf";
    if (len >= 4 && !memcmp(data, "\x89PNG", 4))
        return "png";
    if (len >= 3 && !memcmp(data, "\xFF\xD8\xFF", 3))
        return "jpeg";
    if (len >= 2 && !memcmp(data, "\x1F\x8B", 2))
        return "gzip";
    if (len >= 15 && !memcmp(data, "SQLite format 3", 15))
        return "sqlite";
    if (len >= 2 && (!memcmp(data, "\xFF\xFE", 2) || !memcmp(data, "\xFE\xFF", 2)))
        return "utf16";
    if (memchr(data, '\0', head))
        return "binary";
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        i = 3;
    /* the first line that is not blank or a comment */
    for (;;) {
        size_t e;
        while (i < len && (u[i] == ' ' || u[i] == '\t' || u[i] == '\r' || u[i] == '\n'))
            i++;
        if (i >= len)
            return "text";
        e = i;
        while (e < len && u[e] != '\n')
            e++;
        /* a comment ("# ..."); "#,name" is a CSV header */
        if (u[i] == '#' &&
            (i + 1 >= e || u[i + 1] == ' ' || u[i + 1] == '\r' || !memchr(data + i, ',', e - i))) {
            i = e;
            continue;
        }
        if (u[i] == '{' || u[i] == '[')
            return "json";
        if (u[i] == '<')
            return has_bytes(data, head, "<html") || has_bytes(data, head, "<HTML") ? "html"
                                                                                    : "xml";
        if (e - i >= 3 && !memcmp(data + i, "---", 3))
            return "yaml";
        {
            /* "key: value" or "key:" */
            size_t k = i;
            while (k < e && (isalnum(u[k]) || u[k] == '_' || u[k] == '-'))
                k++;
            if (k > i && k < e && u[k] == ':' &&
                (k + 1 >= e || u[k + 1] == ' ' || u[k + 1] == '\r'))
                return "yaml";
        }
        if (memchr(data + i, ',', e - i) || memchr(data + i, '\t', e - i) ||
            memchr(data + i, ';', e - i))
            return "csv";
        return "text";
    }
}

const char *az_file_type_name(const char *type, enum az_lang lang)
{
    static const struct {
        const char *t, *ja, *en;
    } n[] = {
        {"xlsx", "Excel のブック (XLSX)", "an Excel workbook (XLSX)"},
        {"ods", "LibreOffice / OpenOffice の表計算 (ODS)", "a LibreOffice spreadsheet (ODS)"},
        {"docx", "Word の文書 (DOCX)", "a Word document (DOCX)"},
        {"pptx", "PowerPoint の資料 (PPTX)", "a PowerPoint file (PPTX)"},
        {"zip", "ZIP の圧縮ファイル", "a ZIP archive"},
        {"xls", "古い Excel / Word の形式 (.xls / .doc)。Excel で .xlsx として保存し直してください",
         "an old Excel / Word file (.xls / .doc); save it again as .xlsx"},
        {"pdf", "PDF", "a PDF"},
        {"png", "PNG の画像", "a PNG image"},
        {"jpeg", "JPEG の画像", "a JPEG image"},
        {"gzip", "gzip の圧縮ファイル", "a gzip archive"},
        {"sqlite", "SQLite のデータベース", "an SQLite database"},
        {"utf16", "UTF-16 のテキスト (UTF-8 か CP932 で保存し直してください)",
         "UTF-16 text (save it again as UTF-8 or CP932)"},
        {"binary", "テキストではないファイル", "not a text file"},
        {"json", "JSON", "JSON"},
        {"yaml", "YAML", "YAML"},
        {"html", "HTML", "HTML"},
        {"xml", "XML", "XML"},
        {"csv", "CSV", "CSV"},
        {"text", "テキスト", "text"},
    };
    for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
        if (!strcmp(n[i].t, type))
            return lang == AZ_LANG_EN ? n[i].en : n[i].ja;
    return type;
}

/* Decode one UTF-8 sequence at s (n bytes left); returns its length and
 * sets *cp, or 0 when the bytes are not valid UTF-8. */
size_t az_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c = s[0], min;
    size_t len;

    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        c &= 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        c &= 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}
