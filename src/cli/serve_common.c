/* SPDX-License-Identifier: MIT */
/*
 * serve_common.c - the start-up that `anzen serve` and `anzen hub serve`
 * share: the TLS certificate (given, found in the state directory, or made
 * self-signed there), its fingerprint told on stderr, the secret files'
 * modes checked, and the first-run setup code when there are no users.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../web/web.h"
#include "anzen/store.h"
#include "anzen/util.h"
#include "cli.h"

int cli_serve_num(struct cli *c, const char *opt, const char *v, long min, long max, int *ret)
{
    long n;

    if (az_parse_long(v, min, max, &n) < 0) {
        cli_err(c, "%s は %ld〜%ld の整数です", "%s takes a whole number from %ld to %ld", opt, min,
                max);
        return EXIT_USAGE;
    }
    *ret = (int)n;
    return 0;
}

int cli_serve_start(struct cli *c, struct web *w, const char *dir, const char *db)
{
    char *certp = NULL, *keyp = NULL;
    size_t len;
    int n = 0, r = -1;

    if (w->o.cert) {
        certp = strdup(w->o.cert);
        keyp = strdup(w->o.key);
    } else {
        certp = az_fmt("%s/anzen-tls.crt", dir);
        keyp = az_fmt("%s/anzen-tls.key", dir);
        if (certp && keyp && (access(certp, F_OK) != 0 || access(keyp, F_OK) != 0)) {
            if (web_cert_generate(&c->ctx, certp, keyp, w->o.listen) < 0) {
                cli_liberr(c);
                goto out;
            }
            fprintf(stderr,
                    L(c, "anzen: 自己署名の証明書を作りました: %s\n",
                      "anzen: made a self-signed certificate: %s\n"),
                    certp);
        }
    }
    if (!certp || !keyp || az_read_text_file(&c->ctx, certp, &w->cert_pem, &len) < 0 ||
        az_read_text_file(&c->ctx, keyp, &w->key_pem, &len) < 0 ||
        web_cert_fingerprint(&c->ctx, w->cert_pem, w->fingerprint, sizeof(w->fingerprint)) < 0) {
        if (!certp || !keyp)
            cli_err(c, "メモリ不足", "out of memory");
        else
            cli_liberr(c);
        goto out;
    }
    web_check_secret_modes(c->lang, db, keyp);
    fprintf(stderr,
            L(c,
              "anzen: 証明書の指紋 (SHA-256): %s\n"
              "       ブラウザの警告画面で、この指紋と同じであることを確かめてください。\n",
              "anzen: certificate fingerprint (SHA-256): %s\n"
              "       Check that the browser's warning shows the same fingerprint.\n"),
            w->fingerprint);
    if (az_store_user_count(w->st, &c->ctx, &n) < 0) {
        cli_liberr(c);
        goto out;
    }
    if (n == 0) {
        uint32_t code = randombytes_uniform(100000000);
        snprintf(w->setup_code, sizeof(w->setup_code), "%08u", (unsigned)code);
        fprintf(stderr,
                L(c, "anzen: 初回設定コード: %s (ブラウザで管理者を登録するときに入力します)\n",
                  "anzen: setup code: %s (enter it in the browser to create the administrator)\n"),
                w->setup_code);
    } /* else no first run: the code stays empty and /setup refuses */
    r = 0;
out:
    free(certp);
    free(keyp);
    return r;
}
