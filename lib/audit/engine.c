/* SPDX-License-Identifier: MIT */
/*
 * engine.c - evaluation of audit conditions (audit.h): files, directories,
 * commands, processes, the Windows collector's JSON and registry values,
 * combined with all/any/none/not in three-valued logic.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "anzen/audit.h"
#include "anzen/util.h"
#include "audit_internal.h"

#define MAX_FILE       (16u * 1024u * 1024u)
#define MAX_EVIDENCE   20 /* raw values kept per condition */
#define CMD_TIMEOUT_MS 60000

const char *az_audit_result_token(enum az_audit_result r)
{
    switch (r) {
    case AZ_AUDIT_PASS:
        return "pass";
    case AZ_AUDIT_FAIL:
        return "fail";
    case AZ_AUDIT_NA:
        return "n/a";
    default:
        return "unknown";
    }
}

static const char *str(const json_t *c, const char *k)
{
    return json_string_value(json_object_get(c, k));
}

/* --- comparisons --------------------------------------------------------- */

static bool parse_num(const char *s, double *ret)
{
    char *end;
    double d;

    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return false;
    errno = 0;
    d = strtod(s, &end);
    if (errno || end == s || !isfinite(d))
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return false;
    *ret = d;
    return true;
}

bool az_audit_spec_ok(const char *spec)
{
    struct az_audit_spec sp;
    bool ok = az_audit_spec_parse(spec, &sp);
    if (ok && sp.re_ok)
        regfree(&sp.re);
    return ok;
}

bool az_audit_spec_parse(const char *spec, struct az_audit_spec *sp)
{
    static const char *const ops[] = {"<=", ">=", "==", "!=", "!~", "<", ">", "~", NULL};
    const char *p = spec;

    memset(sp, 0, sizeof(*sp));
    while (isspace((unsigned char)*p))
        p++;
    for (int i = 0; ops[i]; i++)
        if (!strncmp(p, ops[i], strlen(ops[i]))) {
            snprintf(sp->op, sizeof(sp->op), "%s", ops[i]);
            p += strlen(ops[i]);
            break;
        }
    if (!sp->op[0])
        return false;
    while (isspace((unsigned char)*p))
        p++;
    sp->arg = p;
    if (!strcmp(sp->op, "~") || !strcmp(sp->op, "!~")) {
        if (regcomp(&sp->re, p, REG_EXTENDED | REG_NOSUB | REG_ICASE) != 0)
            return false;
        sp->re_ok = true;
        return true;
    }
    sp->numeric = parse_num(p, &sp->num);
    if (!sp->numeric && strcmp(sp->op, "==") && strcmp(sp->op, "!="))
        return false; /* < <= > >= need a number */
    return true;
}

void az_audit_spec_free(struct az_audit_spec *sp)
{
    if (sp->re_ok)
        regfree(&sp->re);
    sp->re_ok = false;
}

bool az_audit_spec_match(const struct az_audit_spec *sp, const char *v)
{
    double d;

    if (!v)
        return false;
    if (sp->re_ok) {
        bool m = regexec(&sp->re, v, 0, NULL, 0) == 0;
        return sp->op[0] == '!' ? !m : m;
    }
    if (sp->numeric) {
        if (!parse_num(v, &d))
            return !strcmp(sp->op, "!="); /* not a number: only "!=" holds */
        if (!strcmp(sp->op, "<"))
            return d < sp->num;
        if (!strcmp(sp->op, "<="))
            return d <= sp->num;
        if (!strcmp(sp->op, ">"))
            return d > sp->num;
        if (!strcmp(sp->op, ">="))
            return d >= sp->num;
        if (!strcmp(sp->op, "=="))
            return d == sp->num;
        return d != sp->num;
    }
    return (strcasecmp(v, sp->arg) == 0) == !strcmp(sp->op, "==");
}

/* Compare v against spec text (parsed each time: rules are few). */
static bool match(const char *spec, const char *v)
{
    struct az_audit_spec sp;
    bool m;

    if (!az_audit_spec_parse(spec, &sp))
        return false;
    m = az_audit_spec_match(&sp, v);
    az_audit_spec_free(&sp);
    return m;
}

static bool matchn(const char *spec, double n)
{
    char b[64];
    snprintf(b, sizeof(b), "%.17g", n);
    return match(spec, b);
}

/* --- evidence ------------------------------------------------------------ */

static void ev_add(json_t *ev, const char *src, const char *what, const char *value)
{
    json_t *o;
    if (!ev || json_array_size(ev) >= 200)
        return;
    if (!(o = json_object()))
        return;
    json_object_set_new(o, "source", json_string(src ? src : ""));
    if (what)
        json_object_set_new(o, "what", json_string(what));
    if (value) {
        /* keep the raw text, but only valid UTF-8 goes into JSON */
        json_t *s = json_string(value);
        json_object_set_new(o, "value", s ? s : json_string("(not UTF-8)"));
    }
    json_array_append_new(ev, o);
}

/* --- three-valued logic ------------------------------------------------ */

static enum az_audit_result tv_not(enum az_audit_result r)
{
    return r == AZ_AUDIT_PASS ? AZ_AUDIT_FAIL : r == AZ_AUDIT_FAIL ? AZ_AUDIT_PASS : r;
}

static enum az_audit_result tv(bool b)
{
    return b ? AZ_AUDIT_PASS : AZ_AUDIT_FAIL;
}

static enum az_audit_result missing(const json_t *c, enum az_audit_result dflt)
{
    const char *m = str(c, "missing");
    if (!m)
        return dflt;
    if (!strcmp(m, "pass"))
        return AZ_AUDIT_PASS;
    if (!strcmp(m, "fail"))
        return AZ_AUDIT_FAIL;
    return AZ_AUDIT_UNKNOWN;
}

/* --- lines of text (files and command output) ------------------------ */

struct lines_ctx {
    const json_t *c;
    regex_t line, except;
    bool has_except;
    size_t count;
    char *first, *last; /* the first/last matching line's group 1 (or line) */
    long long newest;   /* for capture-age: the newest mtime seen */
    const struct az_audit_src *src;
    json_t *ev;
    const char *source;
    bool capture_all;
    json_t *captures; /* every capture for value: all */
};

/* Feed text (NUL-terminated, modified) line by line. */
static void feed(struct lines_ctx *lc, char *text)
{
    char *p = text;

    while (p && *p) {
        char *nl = strchr(p, '\n');
        regmatch_t m[6];
        if (nl)
            *nl = '\0';
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r')
            p[n - 1] = '\0';
        if (regexec(&lc->line, p, 6, m, 0) == 0 &&
            !(lc->has_except && regexec(&lc->except, p, 0, NULL, 0) == 0)) {
            char *cap;
            int g = 0;
            /* the value is the last group that matched (or the line) */
            for (int k = 1; k < 6; k++)
                if (m[k].rm_so >= 0)
                    g = k;
            if (g)
                cap = az_fmt("%.*s", (int)(m[g].rm_eo - m[g].rm_so), p + m[g].rm_so);
            else
                cap = az_fmt("%s", p);
            lc->count++;
            if (lc->count <= MAX_EVIDENCE)
                ev_add(lc->ev, lc->source, "line", p);
            if (cap) {
                if (!lc->first)
                    lc->first = az_fmt("%s", cap);
                free(lc->last);
                lc->last = cap;
                if (lc->captures)
                    json_array_append_new(lc->captures, json_string(cap));
            }
        }
        p = nl ? nl + 1 : NULL;
    }
}

/* The path under the root. */
static char *rooted(const struct az_audit_src *src, const char *path)
{
    const char *root = src->root && *src->root ? src->root : "/";
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        rl--;
    if (rl == 1 && root[0] == '/')
        return az_fmt("%s", path);
    return az_fmt("%.*s%s%s", (int)rl, root, path[0] == '/' ? "" : "/", path);
}

/* Read a whole file (binary safe up to MAX_FILE, NULs become spaces).
 * Returns 0, -ENOENT, -EACCES or another -errno. */
static int slurp(const char *path, char **ret, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct az_buf b;
    char tmp[65536];
    ssize_t n;

    *ret = NULL;
    if (fd < 0)
        return -errno;
    if (fstat(fd, st) < 0 || S_ISDIR(st->st_mode) || S_ISFIFO(st->st_mode)) {
        int e = S_ISDIR(st->st_mode) ? EISDIR : errno ? errno : EINVAL;
        close(fd);
        return -e;
    }
    az_buf_init(&b, MAX_FILE);
    while ((n = read(fd, tmp, sizeof(tmp))) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (!tmp[i])
                tmp[i] = ' ';
        if (az_buf_add(&b, tmp, (size_t)n) < 0)
            break; /* larger files: the first 16 MiB */
    }
    close(fd);
    if (n < 0) {
        az_buf_done(&b);
        return -EIO;
    }
    *ret = az_buf_take(&b);
    return *ret ? 0 : -ENOMEM;
}

/* Set by glob's error callback when a directory of a pattern could not be
 * read for lack of permission (glob has no argument for it). */
static __thread bool glob_denied;

static int glob_err(const char *path, int err)
{
    (void)path;
    if (err == EACCES || err == EPERM)
        glob_denied = true;
    return 0;
}

/* Expand the file patterns of c (a string or a list) under the root into
 * display paths (without the root) and real paths. */
static json_t *expand(const struct az_audit_src *src, const json_t *pat)
{
    json_t *out = json_array(), *one = NULL;
    size_t i;
    const json_t *p;

    if (json_is_string(pat)) {
        one = json_array();
        json_array_append(one, (json_t *)pat);
        pat = one;
    }
    json_array_foreach(pat, i, p)
    {
        const char *s = json_string_value(p);
        char *full;
        glob_t g;
        if (!s || !(full = rooted(src, s)))
            continue;
        if (!strpbrk(s, "*?[")) {
            json_array_append_new(out, json_pack("{s:s, s:s}", "show", s, "real", full));
            free(full);
            continue;
        }
        if (glob(full, 0, glob_err, &g) == 0) {
            size_t skip = strlen(full) - strlen(s);
            for (size_t k = 0; k < g.gl_pathc; k++)
                json_array_append_new(out, json_pack("{s:s, s:s}", "show", g.gl_pathv[k] + skip,
                                                     "real", g.gl_pathv[k]));
        }
        globfree(&g);
        free(full);
    }
    json_decref(one);
    return out;
}

/* The newest mtime of path and (when a directory) its entries, one level
 * down and two for directories inside it (snapshots, repositories). */
static long long newest_under(const char *path, int depth)
{
    struct stat st;
    long long best = -1;
    DIR *d;
    struct dirent *e;

    if (lstat(path, &st) < 0)
        return -1;
    best = (long long)st.st_mtime;
    if (!S_ISDIR(st.st_mode) || depth >= 2 || !(d = opendir(path)))
        return best;
    while ((e = readdir(d))) {
        char *sub;
        long long t;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (!(sub = az_fmt("%s/%s", path, e->d_name)))
            break;
        t = newest_under(sub, depth + 1);
        free(sub);
        if (t > best)
            best = t;
    }
    closedir(d);
    return best;
}

static double days(const struct az_audit_src *src, long long t)
{
    return (double)(src->now - t) / 86400.0;
}

/* Decide a lines condition from what was gathered. */
static enum az_audit_result lines_result(struct lines_ctx *lc, bool any_read)
{
    const json_t *c = lc->c;
    const char *count = str(c, "count"), *value = str(c, "value"), *cage = str(c, "capture-age");
    const char *which = str(c, "which");
    char b[32];

    snprintf(b, sizeof(b), "%zu", lc->count);
    ev_add(lc->ev, lc->source, "count", b);
    if (count)
        return tv(matchn(count, (double)lc->count));
    if (!lc->count)
        return any_read || !value ? missing(c, AZ_AUDIT_FAIL) : missing(c, AZ_AUDIT_FAIL);
    if (value) {
        if (which && !strcmp(which, "all")) {
            size_t i;
            json_t *v;
            json_array_foreach(lc->captures, i,
                               v) if (!match(value, json_string_value(v))) return AZ_AUDIT_FAIL;
            return AZ_AUDIT_PASS;
        }
        const char *v = which && !strcmp(which, "last") ? lc->last : lc->first;
        ev_add(lc->ev, lc->source, "value", v);
        return tv(match(value, v));
    }
    if (cage) {
        char *p = rooted(lc->src, lc->first);
        long long t = p ? newest_under(p, 0) : -1;
        free(p);
        if (t < 0) {
            ev_add(lc->ev, lc->first, "capture-age", "missing");
            return AZ_AUDIT_FAIL;
        }
        snprintf(b, sizeof(b), "%.1f", days(lc->src, t));
        ev_add(lc->ev, lc->first, "age-days", b);
        return tv(matchn(cage, days(lc->src, t)));
    }
    return AZ_AUDIT_PASS;
}

static bool lines_init(struct lines_ctx *lc, const json_t *c, const struct az_audit_src *src,
                       json_t *ev)
{
    const char *line = str(c, "line"), *except = str(c, "except");

    memset(lc, 0, sizeof(*lc));
    lc->c = c;
    lc->src = src;
    lc->ev = ev;
    if (regcomp(&lc->line, line ? line : ".*", REG_EXTENDED | REG_ICASE) != 0)
        return false;
    if (except) {
        if (regcomp(&lc->except, except, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
            regfree(&lc->line);
            return false;
        }
        lc->has_except = true;
    }
    lc->captures = json_array();
    return true;
}

static void lines_done(struct lines_ctx *lc)
{
    regfree(&lc->line);
    if (lc->has_except)
        regfree(&lc->except);
    free(lc->first);
    free(lc->last);
    json_decref(lc->captures);
}

static enum az_audit_result eval_file(const struct az_audit_src *src, const json_t *c, json_t *ev)
{
    json_t *files, *f;
    const char *exists = str(c, "exists"), *age = str(c, "age");
    bool denied = false, any_read = false;
    long long newest = -1;
    size_t i;
    struct lines_ctx lc;
    enum az_audit_result r;
    char b[64];

    glob_denied = false;
    files = expand(src, json_object_get(c, "file"));
    if (!files)
        return AZ_AUDIT_UNKNOWN;
    if (glob_denied) {
        ev_add(ev, "", "list", "permission denied");
        denied = true; /* a directory we could not list may hold more */
    }
    if (exists || age) {
        size_t n = 0;
        json_array_foreach(files, i, f)
        {
            struct stat st;
            if (stat(str(f, "real"), &st) == 0) {
                n++;
                if ((long long)st.st_mtime > newest)
                    newest = (long long)st.st_mtime;
                ev_add(ev, str(f, "show"), "exists", "true");
            } else if (errno == EACCES) {
                denied = true;
            }
        }
        json_decref(files);
        if (!n && denied) {
            ev_add(ev, "", "exists", "permission denied");
            return AZ_AUDIT_UNKNOWN;
        }
        if (exists && !age)
            return tv((n > 0) == !strcmp(exists, "true"));
        if (newest < 0)
            return missing(c, AZ_AUDIT_FAIL);
        snprintf(b, sizeof(b), "%.1f", days(src, newest));
        ev_add(ev, "", "age-days", b);
        return tv(matchn(age, days(src, newest)));
    }
    if (!lines_init(&lc, c, src, ev)) {
        json_decref(files);
        return AZ_AUDIT_UNKNOWN;
    }
    json_array_foreach(files, i, f)
    {
        char *text;
        struct stat st;
        int e = slurp(str(f, "real"), &text, &st);
        lc.source = str(f, "show");
        if (e == -EACCES || e == -EPERM) {
            denied = true;
            ev_add(ev, lc.source, "read", "permission denied");
            continue;
        }
        if (e < 0)
            continue;
        any_read = true;
        feed(&lc, text);
        free(text);
    }
    json_decref(files);
    if (denied && !lc.count) {
        lines_done(&lc);
        return AZ_AUDIT_UNKNOWN; /* what we could not read may hold it */
    }
    lc.source = "";
    r = lines_result(&lc, any_read);
    if (denied && r == AZ_AUDIT_PASS && str(c, "count"))
        r = AZ_AUDIT_UNKNOWN; /* a count over files partly unread */
    lines_done(&lc);
    return r;
}

static enum az_audit_result eval_dir(const struct az_audit_src *src, const json_t *c, json_t *ev)
{
    const char *path = str(c, "dir"), *entry = str(c, "entry"), *count = str(c, "count");
    char *full = rooted(src, path);
    DIR *d;
    struct dirent *e;
    regex_t re;
    size_t n = 0;
    char b[32];

    if (!full)
        return AZ_AUDIT_UNKNOWN;
    d = opendir(full);
    free(full);
    if (!d) {
        if (errno == EACCES) {
            ev_add(ev, path, "list", "permission denied");
            return AZ_AUDIT_UNKNOWN;
        }
        ev_add(ev, path, "exists", "false");
        return count ? tv(matchn(count, 0)) : missing(c, AZ_AUDIT_FAIL);
    }
    if (regcomp(&re, entry ? entry : ".*", REG_EXTENDED | REG_NOSUB) != 0) {
        closedir(d);
        return AZ_AUDIT_UNKNOWN;
    }
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (regexec(&re, e->d_name, 0, NULL, 0) == 0) {
            if (++n <= MAX_EVIDENCE)
                ev_add(ev, path, "entry", e->d_name);
        }
    }
    closedir(d);
    regfree(&re);
    snprintf(b, sizeof(b), "%zu", n);
    ev_add(ev, path, "count", b);
    return tv(matchn(count ? count : ">= 1", (double)n));
}

static enum az_audit_result eval_process(const struct az_audit_src *src, const json_t *c,
                                         json_t *ev)
{
    char *proc = rooted(src, "/proc");
    DIR *d = proc ? opendir(proc) : NULL;
    struct dirent *e;
    regex_t re;
    size_t n = 0;

    if (!d) {
        free(proc);
        ev_add(ev, "/proc", "list", "not available");
        return AZ_AUDIT_UNKNOWN;
    }
    if (regcomp(&re, str(c, "process"), REG_EXTENDED | REG_NOSUB) != 0) {
        closedir(d);
        free(proc);
        return AZ_AUDIT_UNKNOWN;
    }
    while ((e = readdir(d))) {
        char *p, *text = NULL;
        struct stat st;
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        if (!(p = az_fmt("%s/%s/comm", proc, e->d_name)))
            break;
        if (slurp(p, &text, &st) == 0) {
            text[strcspn(text, "\n")] = '\0';
            if (regexec(&re, text, 0, NULL, 0) == 0 && ++n <= 3)
                ev_add(ev, "/proc", "process", text);
        }
        free(text);
        free(p);
    }
    closedir(d);
    regfree(&re);
    free(proc);
    return tv(n > 0);
}

/* Run argv (split on spaces) with stdin and stderr on /dev/null, LC_ALL=C;
 * its stdout into *ret. Returns 0 or -errno; the exit status in *status. */
static int run_cmd(const char *cmd, char **ret, int *status)
{
    char *copy = az_fmt("%s", cmd), *argv[32];
    int argc = 0, pfd[2], devnull;
    pid_t pid;
    struct az_buf b;

    *ret = NULL;
    if (!copy)
        return -ENOMEM;
    for (char *t = copy; *t && argc < 31;) {
        while (*t == ' ')
            *t++ = '\0';
        if (!*t)
            break;
        argv[argc++] = t;
        t += strcspn(t, " ");
    }
    argv[argc] = NULL;
    if (!argc || pipe2(pfd, O_CLOEXEC) < 0) {
        free(copy);
        return -EINVAL;
    }
    pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        free(copy);
        return -errno;
    }
    if (pid == 0) {
        devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 2);
        }
        dup2(pfd[1], 1);
        setenv("LC_ALL", "C", 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    az_buf_init(&b, MAX_FILE);
    for (;;) {
        struct pollfd p = {pfd[0], POLLIN, 0};
        char tmp[8192];
        ssize_t n;
        int pr = poll(&p, 1, CMD_TIMEOUT_MS);
        if (pr <= 0) {
            kill(pid, SIGKILL);
            break;
        }
        n = read(pfd[0], tmp, sizeof(tmp));
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            if (!tmp[i])
                tmp[i] = ' ';
        if (az_buf_add(&b, tmp, (size_t)n) < 0) {
            kill(pid, SIGKILL);
            break;
        }
    }
    close(pfd[0]);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    free(copy);
    *ret = az_buf_take(&b);
    return *ret ? 0 : -ENOMEM;
}

static enum az_audit_result eval_command(const struct az_audit_src *src, const json_t *c,
                                         json_t *ev)
{
    const char *cmd = str(c, "command");
    const json_t *fb = json_object_get(c, "fallback");
    struct lines_ctx lc;
    char *out;
    int status = 0;
    enum az_audit_result r;

    if (!src->commands) {
        ev_add(ev, cmd, "command", "not run (--root)");
        return fb ? az_audit_eval(src, fb, ev) : AZ_AUDIT_UNKNOWN;
    }
    if (run_cmd(cmd, &out, &status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 127) {
        free(out);
        ev_add(ev, cmd, "command", "could not run");
        return fb ? az_audit_eval(src, fb, ev) : AZ_AUDIT_UNKNOWN;
    }
    if (str(c, "status") && !matchn(str(c, "status"), WEXITSTATUS(status))) {
        char b[16];
        snprintf(b, sizeof(b), "%d", WEXITSTATUS(status));
        ev_add(ev, cmd, "exit status", b);
        free(out);
        return AZ_AUDIT_UNKNOWN;
    }
    if (!lines_init(&lc, c, src, ev)) {
        free(out);
        return AZ_AUDIT_UNKNOWN;
    }
    lc.source = cmd;
    feed(&lc, out);
    free(out);
    r = lines_result(&lc, true);
    lines_done(&lc);
    return r;
}

/* --- the collector's JSON ----------------------------------------------- */

/* A JSON scalar as text ("true", "12", the string); NULL for null,
 * objects and arrays. */
static char *scalar(const json_t *v)
{
    if (json_is_string(v))
        return az_fmt("%s", json_string_value(v));
    if (json_is_integer(v))
        return az_fmt("%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return az_fmt("%.17g", json_real_value(v));
    if (json_is_true(v))
        return az_fmt("true");
    if (json_is_false(v))
        return az_fmt("false");
    return NULL;
}

/* Select the values at path ("a.b[].c") into out. */
static void select_path(const json_t *node, const char *path, json_t *out)
{
    const char *dot;
    size_t len;
    char *key;
    bool each;

    if (!node || json_array_size(out) > 100000)
        return;
    if (!*path) {
        json_array_append((json_t *)out, (json_t *)node);
        return;
    }
    dot = strchr(path, '.');
    len = dot ? (size_t)(dot - path) : strlen(path);
    each = len >= 2 && !strncmp(path + len - 2, "[]", 2);
    if (!(key = az_fmt("%.*s", (int)(each ? len - 2 : len), path)))
        return;
    const json_t *next = *key ? json_object_get(node, key) : node;
    free(key);
    const char *rest = dot ? dot + 1 : "";
    if (each) {
        size_t i;
        const json_t *x;
        if (!json_is_array(next))
            return;
        json_array_foreach(next, i, x) select_path(x, rest, out);
    } else {
        select_path(next, rest, out);
    }
}

static bool where_ok(const json_t *el, const json_t *where)
{
    const char *k;
    const json_t *spec;

    json_object_foreach((json_t *)where, k, spec)
    {
        /* in a filter, null (or absent) is the text "null": "== null"
         * finds what was never set (an account that never logged on) */
        const json_t *x = json_object_get(el, k);
        char *v = x && !json_is_null(x) ? scalar(x) : az_fmt("null");
        bool m = v && match(json_string_value(spec), v);
        free(v);
        if (!m)
            return false;
    }
    return true;
}

static enum az_audit_result eval_values(const json_t *c, const char *source, json_t *sel,
                                        json_t *ev)
{
    const json_t *where = json_object_get(c, "where");
    const char *count = str(c, "count"), *value = str(c, "value");
    size_t i, n = 0, unknown = 0;
    const json_t *x;
    char b[32];

    json_array_foreach(sel, i, x)
    {
        char *v;
        if (where && !where_ok(x, where))
            continue;
        n++;
        if (!count && value) {
            v = scalar(x);
            if (!v) {
                unknown++;
                continue;
            }
            if (n <= MAX_EVIDENCE)
                ev_add(ev, source, "value", v);
            bool m = match(value, v);
            free(v);
            if (!m)
                return AZ_AUDIT_FAIL;
        } else if (n <= MAX_EVIDENCE && where) {
            const char *nm = str(x, "name");
            char *s = nm ? az_fmt("%s", nm) : json_dumps(x, JSON_COMPACT);
            ev_add(ev, source, "match", s);
            free(s);
        }
    }
    if (count) {
        snprintf(b, sizeof(b), "%zu", n);
        ev_add(ev, source, "count", b);
        return tv(matchn(count, (double)n));
    }
    if (!n || unknown == n) {
        ev_add(ev, source, "value", "missing");
        return missing(c, AZ_AUDIT_UNKNOWN);
    }
    return unknown ? AZ_AUDIT_UNKNOWN : AZ_AUDIT_PASS;
}

static enum az_audit_result eval_json(const struct az_audit_src *src, const json_t *c, json_t *ev)
{
    json_t *sel = json_array();
    enum az_audit_result r;
    const char *path = str(c, "json");

    if (!src->facts) {
        json_decref(sel);
        return AZ_AUDIT_UNKNOWN;
    }
    /* a list the collector could not read (null or absent) is unknown,
     * not an empty list */
    const char *br = strstr(path, "[]");
    if (br) {
        char *prefix = az_fmt("%.*s", (int)(br - path), path);
        json_t *pre = json_array();
        if (prefix && pre)
            select_path(src->facts, prefix, pre);
        bool ok = pre && json_is_array(json_array_get(pre, 0));
        free(prefix);
        json_decref(pre);
        if (!ok) {
            ev_add(ev, path, "value", "not collected");
            json_decref(sel);
            return missing(c, AZ_AUDIT_UNKNOWN);
        }
    }
    select_path(src->facts, path, sel);
    if (json_array_size(sel) == 1 && json_is_array(json_array_get(sel, 0)) && str(c, "count") &&
        !json_object_get(c, "where")) {
        /* count of a whole array given without [] */
        json_t *a = json_incref(json_array_get(sel, 0));
        json_decref(sel);
        sel = json_array();
        json_array_extend(sel, a);
        json_decref(a);
    }
    r = eval_values(c, path, sel, ev);
    json_decref(sel);
    return r;
}

static enum az_audit_result eval_registry(const struct az_audit_src *src, const json_t *c,
                                          json_t *ev)
{
    const char *key = str(c, "registry");
    const json_t *reg = src->facts ? json_object_get(src->facts, "registry") : NULL;
    const json_t *v = NULL, *x;
    const char *k;
    json_t *sel;
    enum az_audit_result r;

    if (!reg)
        return AZ_AUDIT_UNKNOWN;
    /* registry paths are case-insensitive */
    json_object_foreach((json_t *)reg, k, x) if (!strcasecmp(k, key)) v = x;
    sel = json_array();
    if (v && !json_is_null(v))
        json_array_append((json_t *)sel, (json_t *)v);
    if (!v || json_is_null(v)) {
        ev_add(ev, key, "value", "not set");
        json_decref(sel);
        return missing(c, AZ_AUDIT_FAIL);
    }
    r = eval_values(c, key, sel, ev);
    json_decref(sel);
    return r;
}

static enum az_audit_result eval_apt(const struct az_audit_src *src, const json_t *c, json_t *ev)
{
    json_t *pend = NULL;
    size_t nlists = 0, i = 0;
    const char *k;
    json_t *v;
    char b[64];
    int e = az_audit_apt_pending(src->root, &pend, &nlists);

    if (e < 0) {
        ev_add(ev, "/var/lib/dpkg/status", "read",
               e == -EACCES ? "permission denied" : "not readable");
        return missing(c, AZ_AUDIT_UNKNOWN);
    }
    if (!nlists) {
        json_decref(pend);
        ev_add(ev, "/var/lib/apt/lists", "security lists",
               "none (no security suite, or apt-get "
               "update never ran)");
        return missing(c, AZ_AUDIT_UNKNOWN);
    }
    json_object_foreach(pend, k, v) if (i++ < MAX_EVIDENCE)
        ev_add(ev, "/var/lib/apt/lists", "pending", json_string_value(v));
    snprintf(b, sizeof(b), "%zu", json_object_size(pend));
    ev_add(ev, "/var/lib/apt/lists", "count", b);
    enum az_audit_result r =
        tv(matchn(str(c, "count") ? str(c, "count") : "== 0", (double)json_object_size(pend)));
    json_decref(pend);
    return r;
}

/* --- combination ---------------------------------------------------------- */

enum az_audit_result az_audit_eval(const struct az_audit_src *src, const json_t *c, json_t *ev)
{
    const json_t *l, *x;
    size_t i;

    if (!json_is_object(c))
        return AZ_AUDIT_UNKNOWN;
    if ((l = json_object_get(c, "all"))) {
        enum az_audit_result r = AZ_AUDIT_PASS;
        json_array_foreach(l, i, x)
        {
            enum az_audit_result s = az_audit_eval(src, x, ev);
            if (s == AZ_AUDIT_FAIL)
                return AZ_AUDIT_FAIL;
            if (s == AZ_AUDIT_UNKNOWN)
                r = AZ_AUDIT_UNKNOWN;
        }
        return r;
    }
    if ((l = json_object_get(c, "any")) || (l = json_object_get(c, "none"))) {
        bool none = json_object_get(c, "none") != NULL;
        enum az_audit_result r = AZ_AUDIT_FAIL;
        json_array_foreach(l, i, x)
        {
            enum az_audit_result s = az_audit_eval(src, x, ev);
            if (s == AZ_AUDIT_PASS) {
                r = AZ_AUDIT_PASS;
                break;
            }
            if (s == AZ_AUDIT_UNKNOWN)
                r = AZ_AUDIT_UNKNOWN;
        }
        return none ? tv_not(r) : r;
    }
    if ((x = json_object_get(c, "not")))
        return tv_not(az_audit_eval(src, x, ev));
    if (json_object_get(c, "file"))
        return eval_file(src, c, ev);
    if (json_object_get(c, "dir"))
        return eval_dir(src, c, ev);
    if (json_object_get(c, "command"))
        return eval_command(src, c, ev);
    if (json_object_get(c, "process"))
        return eval_process(src, c, ev);
    if (json_object_get(c, "json"))
        return eval_json(src, c, ev);
    if (json_object_get(c, "registry"))
        return eval_registry(src, c, ev);
    if (json_object_get(c, "apt-security"))
        return eval_apt(src, c, ev);
    return AZ_AUDIT_UNKNOWN;
}
