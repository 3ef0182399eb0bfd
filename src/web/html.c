/* SPDX-License-Identifier: MIT */
/*
 * html.c - HTML output of the web UI: escaping (everything from data is
 * escaped; markup must be asked for with %S) and the page frame with the
 * navigation for the signed-in user's role.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

int h_printf(struct az_buf *b, const char *fmt, ...)
{
    va_list ap;
    int r = 0;

    va_start(ap, fmt);
    while (*fmt && r == 0) {
        const char *pc = strchr(fmt, '%');
        if (!pc) {
            r = az_buf_puts(b, fmt);
            break;
        }
        if (pc > fmt)
            r = az_buf_add(b, fmt, (size_t)(pc - fmt));
        fmt = pc + 1;
        if (r)
            break;
        if (*fmt == 's') {
            r = h_esc(b, va_arg(ap, const char *));
            fmt++;
        } else if (*fmt == 'S') {
            const char *s = va_arg(ap, const char *);
            r = s ? az_buf_puts(b, s) : 0;
            fmt++;
        } else if (*fmt == 'd') {
            r = az_buf_printf(b, "%d", va_arg(ap, int));
            fmt++;
        } else if (!strncmp(fmt, "lld", 3)) {
            r = az_buf_printf(b, "%lld", va_arg(ap, long long));
            fmt += 3;
        } else if (!strncmp(fmt, "zu", 2)) {
            r = az_buf_printf(b, "%zu", va_arg(ap, size_t));
            fmt += 2;
        } else if (*fmt == '%') {
            r = az_buf_puts(b, "%");
            fmt++;
        } else {
            r = AZ_EINVAL; /* a format this function does not know */
        }
    }
    va_end(ap);
    return r;
}

void h_csrf(struct req *q, struct az_buf *b)
{
    h_printf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", web_csrf_token(q));
}

static void nav_link(struct az_buf *b, struct req *q, const char *href, const char *ja,
                     const char *en)
{
    bool here = !strcmp(q->url, href);
    h_printf(b, "<a href=\"%s\"%S>%s</a>", href, here ? " aria-current=\"page\"" : "",
             T(q, ja, en));
}

void h_begin(struct req *q, struct az_buf *b, const char *title)
{
    h_printf(b,
             "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>%s — anzen</title><link rel=\"stylesheet\" href=\"/static/app.css\">"
             "<script src=\"/static/app.js\" defer></script></head><body>"
             "<header class=\"top\"><a class=\"brand\" href=\"/\">anzen <span>安全</span></a>",
             q->lang == AZ_LANG_EN ? "en" : "ja", title);
    if (q->signed_in) {
        az_buf_puts(b, "<nav>");
        if (q->user.role == AZ_UR_VENDOR) {
            nav_link(b, q, "/vendors", "事業者確認用", "Vendor forms");
        } else {
            nav_link(b, q, "/", "ダッシュボード", "Dashboard");
            nav_link(b, q, "/assess", "自己点検", "Checklist");
            nav_link(b, q, "/plan", "対応計画", "Plan");
            nav_link(b, q, "/ledger", "台帳", "Ledger");
            nav_link(b, q, "/vendors", "事業者", "Vendors");
            nav_link(b, q, "/reports", "報告書", "Reports");
            if (q->user.admin) {
                nav_link(b, q, "/admin/users", "利用者", "Users");
                nav_link(b, q, "/admin/audit", "監査ログ", "Audit log");
            }
        }
        az_buf_puts(b, "</nav>");
    }
    az_buf_puts(b, "<div class=\"who\">");
    h_printf(b, "<a href=\"/lang?to=%s\" class=\"lang\">%s</a>",
             q->lang == AZ_LANG_EN ? "ja" : "en", q->lang == AZ_LANG_EN ? "日本語" : "English");
    if (q->have_session) {
        if (q->signed_in)
            h_printf(b, "<a href=\"/account\" class=\"me\">%s (%s%s)</a>", q->user.display,
                     az_user_role_name(q->user.role, q->lang),
                     q->user.admin ? T(q, "・管理者", ", admin") : "");
        h_printf(b, "<form method=\"post\" action=\"/logout\" class=\"inline\">");
        h_csrf(q, b);
        h_printf(b, "<button type=\"submit\" class=\"link\">%s</button></form>",
                 T(q, "ログアウト", "Sign out"));
    }
    az_buf_puts(b, "</div></header><main>");
}

void h_end(struct req *q, struct az_buf *b)
{
    char *s;

    h_printf(b, "</main><footer><p>anzen %s — %s</p></footer></body></html>\n", AZ_VERSION,
             T(q, "医療機関のサイバーセキュリティ対策チェックリストの自己点検",
               "Self-assessment against the MHLW medical cybersecurity checklist"));
    s = az_buf_take(b);
    if (!s) {
        az_buf_done(b);
        web_html(q, 500, strdup("out of memory"));
        return;
    }
    web_html(q, 200, s);
}
