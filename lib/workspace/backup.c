/* SPDX-License-Identifier: MIT */
/*
 * backup.c - one file that holds a whole workspace directory
 * (workspace.h: az_ws_backup): a POSIX ustar archive with the database,
 * copied live with the online backup API (store.h: az_store_backup), and
 * the workspace's own files beside it, read under the workspace lock so a
 * writer never leaves half its change in the copy. Restoring is
 * `tar -xf FILE -C DIR`: the names are flat, as in the workspace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "anzen/hint.h"
#include "anzen/store.h"
#include "anzen/util.h"
#include "anzen/workspace.h"

static bool has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

/* The workspace's files besides the database (workspace.h), its sealing
 * key (DB.key) and the web UI's certificate; never the database itself,
 * its -wal/-shm/-journal, the lock, or files of other programs. */
static bool wanted(const char *name, const char *db_base, const char *out_base)
{
    size_t dn = strlen(db_base);

    if (name[0] == '.' || !strcmp(name, out_base))
        return false;
    if (!strncmp(name, db_base, dn))
        return !strcmp(name + dn, ".key");
    return has_suffix(name, ".yaml") || has_suffix(name, ".yml") || has_suffix(name, ".csv") ||
           has_suffix(name, ".json") || !strcmp(name, "anzen-tls.crt") ||
           !strcmp(name, "anzen-tls.key");
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void octal(char *field, size_t width, unsigned long long v)
{
    /* width-1 digits and a NUL, zero-padded (ustar) */
    field[width - 1] = '\0';
    for (size_t i = width - 1; i-- > 0;) {
        field[i] = (char)('0' + (v & 7));
        v >>= 3;
    }
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One member: the header, then the bytes of the open file fd, padded. */
static int add_member(struct az_ctx *ctx, int out, const char *out_path, const char *name, int fd,
                      const char *path)
{
    char h[512], buf[65536];
    struct stat sb;
    unsigned sum = 0;
    unsigned long long left;

    if (fstat(fd, &sb) < 0)
        return az_fail(ctx, AZ_EIO, "%s: 読めません (%s)", "%s: cannot read (%s)", path,
                       az_errno_text(ctx->lang, errno));
    if (strlen(name) > 99)
        return az_fail(ctx, AZ_ERANGE, "%s: 名前が長すぎてバックアップに入りません",
                       "%s: the name is too long for the backup", path);
    if ((unsigned long long)sb.st_size > 077777777777ULL)
        return az_fail(ctx, AZ_ERANGE, "%s: 大きすぎてバックアップに入りません",
                       "%s: too large for the backup", path);
    memset(h, 0, sizeof(h));
    memcpy(h, name, strlen(name));
    octal(h + 100, 8, sb.st_mode & 0777);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    octal(h + 124, 12, (unsigned long long)sb.st_size);
    octal(h + 136, 12, (unsigned long long)(sb.st_mtime > 0 ? sb.st_mtime : 0));
    memset(h + 148, ' ', 8);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    for (size_t i = 0; i < sizeof(h); i++)
        sum += (unsigned char)h[i];
    octal(h + 148, 7, sum);
    h[155] = ' ';
    if (write_all(out, h, sizeof(h)) < 0)
        goto werr;
    left = (unsigned long long)sb.st_size;
    while (left) {
        ssize_t n = read(fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return az_fail(ctx, AZ_EIO, "%s: 読めません (%s)", "%s: cannot read (%s)", path,
                           n < 0 ? az_errno_text(ctx->lang, errno) : "short");
        if (write_all(out, buf, (size_t)n) < 0)
            goto werr;
        left -= (unsigned long long)n;
    }
    if (sb.st_size % 512) {
        memset(buf, 0, 512);
        if (write_all(out, buf, 512 - (size_t)(sb.st_size % 512)) < 0)
            goto werr;
    }
    return 0;
werr:
    return az_fail(ctx, AZ_EIO, "%s: 書き込めません (%s)", "%s: cannot write (%s)", out_path,
                   az_errno_text(ctx->lang, errno));
}

static int add_path(struct az_ctx *ctx, int out, const char *out_path, const char *name,
                    const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int r;

    if (fd < 0)
        return az_fail(ctx, AZ_EIO, "%s: 読めません (%s)", "%s: cannot read (%s)", path,
                       az_errno_text(ctx->lang, errno));
    r = add_member(ctx, out, out_path, name, fd, path);
    close(fd);
    return r;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int az_ws_backup(struct az_ctx *ctx, const char *dir, const char *db, const char *out_path,
                 size_t *ret_files)
{
    AZ_AUTOFREE char *dbpath = NULL, *lockp = NULL, *tmp = NULL, *dbcopy = NULL;
    char **names = NULL;
    size_t nnames = 0, cap = 0, count = 0;
    const char *db_base = base_name(db), *out_base = base_name(out_path);
    DIR *d = NULL;
    struct dirent *e;
    int out = -1, lock = -1, r = 0;
    char zero[1024];
    bool same_dir;

    if (!(dbpath = db[0] == '/' ? strdup(db) : az_fmt("%s/%s", dir, db)) ||
        !(lockp = az_fmt("%s/%s", dir, AZ_WS_LOCK)) || !(tmp = az_fmt("%s.tmp", out_path)) ||
        !(dbcopy = az_fmt("%s.db-tmp", out_path)))
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    if (access(out_path, F_OK) == 0)
        return az_fail(ctx, AZ_EINVAL, "%s: すでにあります (上書きしません)",
                       "%s: already exists (not overwritten)", out_path);
    /* the output inside the workspace is left out of its own backup */
    {
        AZ_AUTOFREE char *od = strdup(out_path);
        char *slash, rd[4096], ro[4096];
        if (!od)
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        slash = strrchr(od, '/');
        if (slash)
            *slash = '\0';
        same_dir =
            realpath(dir, rd) && realpath(slash ? (od[0] ? od : "/") : ".", ro) && !strcmp(rd, ro);
    }
    unlink(dbcopy);
    if (access(dbpath, F_OK) == 0 && (r = az_store_backup(ctx, dbpath, dbcopy)) < 0)
        goto out;
    if ((out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        r = az_fail(ctx, AZ_EIO, "%s: 作れません (%s)", "%s: cannot create (%s)", tmp,
                    az_errno_text(ctx->lang, errno));
        goto out;
    }
    if (access(dbcopy, F_OK) == 0) {
        if ((r = add_path(ctx, out, out_path, db_base, dbcopy)) < 0)
            goto out;
        count++;
    }
    /* the files, under the lock every writer of them takes */
    lock = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    while (lock >= 0 && flock(lock, LOCK_SH) < 0 && errno == EINTR)
        ;
    if (!(d = opendir(dir))) {
        r = az_fail(ctx, AZ_EIO, "%s: 読めません (%s)", "%s: cannot read (%s)", dir,
                    az_errno_text(ctx->lang, errno));
        goto out;
    }
    while ((e = readdir(d))) {
        AZ_AUTOFREE char *p = NULL;
        struct stat sb;
        if (!wanted(e->d_name, db_base, same_dir ? out_base : ""))
            continue;
        if (same_dir &&
            (!strcmp(e->d_name, base_name(tmp)) || !strcmp(e->d_name, base_name(dbcopy))))
            continue;
        if (!(p = az_fmt("%s/%s", dir, e->d_name)) || lstat(p, &sb) < 0 || !S_ISREG(sb.st_mode))
            continue;
        if (nnames == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*names));
            if (!nn) {
                r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
                goto out;
            }
            names = nn;
        }
        if (!(names[nnames] = strdup(e->d_name))) {
            r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            goto out;
        }
        nnames++;
    }
    if (nnames)
        qsort(names, nnames, sizeof(*names), cmp_names);
    for (size_t i = 0; i < nnames; i++) {
        AZ_AUTOFREE char *p = az_fmt("%s/%s", dir, names[i]);
        if (!p) {
            r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
            goto out;
        }
        if ((r = add_path(ctx, out, out_path, names[i], p)) < 0)
            goto out;
        count++;
    }
    if (count == 0) {
        r = az_fail(ctx, AZ_ENOTFOUND, "%s: ワークスペースのファイルがありません",
                    "%s: no workspace files here", dir);
        goto out;
    }
    memset(zero, 0, sizeof(zero));
    if (write_all(out, zero, sizeof(zero)) < 0 || fsync(out) < 0) {
        r = az_fail(ctx, AZ_EIO, "%s: 書き込めません (%s)", "%s: cannot write (%s)", out_path,
                    az_errno_text(ctx->lang, errno));
        goto out;
    }
    if (close(out) < 0) {
        out = -1;
        r = az_fail(ctx, AZ_EIO, "%s: 書き込めません (%s)", "%s: cannot write (%s)", out_path,
                    az_errno_text(ctx->lang, errno));
        goto out;
    }
    out = -1;
    if (rename(tmp, out_path) < 0) {
        r = az_fail(ctx, AZ_EIO, "%s: 書き込めません (%s)", "%s: cannot write (%s)", out_path,
                    az_errno_text(ctx->lang, errno));
        goto out;
    }
    if (ret_files)
        *ret_files = count;
out:
    if (d)
        closedir(d);
    if (lock >= 0)
        close(lock);
    if (out >= 0)
        close(out);
    if (r < 0)
        unlink(tmp);
    unlink(dbcopy);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    return r;
}
