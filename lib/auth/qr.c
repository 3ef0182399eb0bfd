/* SPDX-License-Identifier: MIT */
/*
 * qr.c - the TOTP enrolment QR code (libqrencode) drawn as SVG, so the
 * page needs no image library, no script and no external request (auth.h).
 */
#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/auth.h"
#include "anzen/util.h"

#define QUIET 4

int az_qr_svg(struct az_ctx *ctx, const char *text, char **ret_svg)
{
    QRcode *q;
    struct az_buf b;
    int r, size;

    if (strlen(text) > 2048)
        return az_fail(ctx, AZ_ERANGE, "QR コードにする文字列が長すぎます",
                       "the text is too long for a QR code");
    errno = 0;
    q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q)
        return az_fail(ctx, errno == ENOMEM ? AZ_ENOMEM : AZ_EINVAL, "QR コードを作れません",
                       "cannot make the QR code");
    size = q->width + 2 * QUIET;
    az_buf_init(&b, 1024u * 1024);
    r = az_buf_printf(&b,
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                      "shape-rendering=\"crispEdges\" role=\"img\" class=\"qr\">"
                      "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
                      size, size, size, size);
    for (int y = 0; y < q->width && r == 0; y++)
        for (int x = 0; x < q->width && r == 0; x++) {
            int run = 0;
            /* one rectangle per horizontal run of dark modules */
            while (x + run < q->width && (q->data[y * q->width + x + run] & 1))
                run++;
            if (run) {
                r = az_buf_printf(&b, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
                x += run - 1;
            }
        }
    if (r == 0)
        r = az_buf_puts(&b, "\"/></svg>");
    QRcode_free(q);
    if (r < 0) {
        az_buf_done(&b);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    *ret_svg = az_buf_take(&b);
    return *ret_svg ? 0 : az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
}
