/* SPDX-License-Identifier: MIT */
/*
 * roff.c - text made safe for a manual page (util.h: az_roff_escape), so
 * the pages generated from the CLI's help (anzen help --man) show it as
 * written.
 */
#include <stdlib.h>
#include <string.h>

#include "anzen/util.h"

int az_roff_escape(const char *s, char **ret)
{
    struct az_buf b;
    bool bol = true;
    int r = 0;
    char *t;

    az_buf_init(&b, 16u * 1024u * 1024u);
    for (; *s && r == 0; s++) {
        /* a line starting with . or ' would be a request */
        if (bol && (*s == '.' || *s == '\''))
            r = az_buf_puts(&b, "\\&");
        bol = *s == '\n';
        if (r < 0)
            break;
        if (*s == '\\')
            r = az_buf_puts(&b, "\\e");
        else if (*s == '-')
            r = az_buf_puts(&b, "\\-"); /* a real minus: options copy and paste */
        else
            r = az_buf_add(&b, s, 1);
    }
    if (r < 0 || !(t = az_buf_take(&b))) {
        az_buf_done(&b);
        return r < 0 ? r : AZ_ENOMEM;
    }
    *ret = t;
    return 0;
}
