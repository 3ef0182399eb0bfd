/* SPDX-License-Identifier: MIT */
/*
 * hint.c - operating system errors in Japanese, and "did you mean"
 * suggestions for mistyped words (hint.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/hint.h"

const char *az_errno_text(enum az_lang lang, int e)
{
    static const struct {
        int e;
        const char *ja;
    } t[] = {
        {ENOENT, "ファイルがありません"},
        {EACCES, "権限がありません"},
        {EPERM, "その操作は許可されていません"},
        {ENOSPC, "空き容量が足りません"},
        {EDQUOT, "ディスクの割り当て量を超えました"},
        {EISDIR, "ディレクトリです (ファイルを指定してください)"},
        {ENOTDIR, "途中の名前がディレクトリではありません"},
        {EROFS, "読み取り専用の場所です"},
        {EEXIST, "既にあります"},
        {ENAMETOOLONG, "名前が長すぎます"},
        {ELOOP, "シンボリックリンクが循環しています"},
        {EMFILE, "開いているファイルが多すぎます"},
        {ENFILE, "開いているファイルが多すぎます"},
        {ENOMEM, "メモリが足りません"},
        {EIO, "読み書きの途中で装置のエラーが起きました"},
        {EBUSY, "使用中です"},
        {ETXTBSY, "使用中です"},
        {ENOTEMPTY, "ディレクトリが空ではありません"},
        {EXDEV, "別の装置には移せません"},
        {EFBIG, "ファイルが大きすぎます"},
        {EINVAL, "値が正しくありません"},
        {EAGAIN, "一時的に使えません (もう一度試してください)"},
        {EPIPE, "読み手が終了しました"},
        {ENODEV, "装置がありません"},
        {ENXIO, "装置がありません"},
        {ETIMEDOUT, "時間切れです"},
        {ECONNREFUSED, "接続を拒否されました"},
        {EADDRINUSE, "そのポートは使われています (別のプログラムが待ち受けています)"},
        {EADDRNOTAVAIL, "そのアドレスはこの機械にありません"},
    };

    if (lang == AZ_LANG_EN)
        return strerror(e);
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i].e == e)
            return t[i].ja;
    return "システムのエラーです";
}

/* Decode UTF-8 loosely into code points (an invalid byte counts as one
 * code point of its own); returns the count, or SIZE_MAX on ENOMEM. */
static size_t cps(const char *s, unsigned **ret)
{
    size_t n = strlen(s), k = 0;
    unsigned *v = malloc((n + 1) * sizeof(*v));

    if (!v)
        return (size_t)-1;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        unsigned cp = len == 1 ? c : c & (0x7f >> len);
        if (i + len > n)
            len = 1;
        for (size_t j = 1; j < len; j++)
            cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3f);
        v[k++] = cp;
        i += len;
    }
    *ret = v;
    return k;
}

size_t az_dl_distance(const char *a, const char *b)
{
    unsigned *x = NULL, *y = NULL;
    size_t n = cps(a, &x), m = cps(b, &y), *d = NULL, r = (size_t)-1;

    if (n == (size_t)-1 || m == (size_t)-1)
        goto out;
    d = malloc((n + 1) * (m + 1) * sizeof(*d));
    if (!d)
        goto out;
#define D(i, j) d[(i) * (m + 1) + (j)]
    for (size_t i = 0; i <= n; i++)
        D(i, 0) = i;
    for (size_t j = 0; j <= m; j++)
        D(0, j) = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = x[i - 1] != y[j - 1], v = D(i - 1, j) + 1;
            if (D(i, j - 1) + 1 < v)
                v = D(i, j - 1) + 1;
            if (D(i - 1, j - 1) + cost < v)
                v = D(i - 1, j - 1) + cost;
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] &&
                D(i - 2, j - 2) + 1 < v)
                v = D(i - 2, j - 2) + 1;
            D(i, j) = v;
        }
    r = D(n, m);
#undef D
out:
    free(x);
    free(y);
    free(d);
    return r;
}

const char *az_suggest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL, *prefix = NULL;
    size_t bd = (size_t)-1, wl, nprefix = 0;
    bool tie = false;

    if (!word || !*word)
        return NULL;
    wl = strlen(word);
    for (size_t i = 0; i < n; i++) {
        size_t d = az_dl_distance(word, cands[i]);
        if (!strncmp(cands[i], word, wl)) {
            prefix = cands[i];
            nprefix++;
        }
        if (d < bd) {
            bd = d;
            best = cands[i];
            tie = false;
        } else if (d == bd) {
            tie = true;
        }
    }
    if (best && !tie && bd > 0 && bd <= 2 && bd * 2 < wl + (wl > 3))
        return best;
    if (nprefix == 1)
        return prefix;
    return NULL;
}
