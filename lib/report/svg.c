/* SPDX-License-Identifier: MIT */
/*
 * svg.c - the report's charts as inline SVG written by C: a score ring,
 * stacked bars per role or group, and a dated time line. Colours follow
 * the report CSS (satisfied green, gap red, unanswered amber); every text
 * goes through the HTML escaper, which is also valid XML escaping.
 */
#include <stdio.h>
#include <string.h>

#include "anzen/report.h"

#define C_OK    "#2e7d32"
#define C_GAP   "#c62828"
#define C_OPEN  "#f0a000"
#define C_TRACK "#e4e4e4"
#define C_TEXT  "#222"

static int text(struct az_buf *b, const char *s)
{
    return az_html_escape(b, s ? s : "", s ? strlen(s) : 0);
}

int az_svg_ring(struct az_buf *b, const struct az_score *s, const char *caption)
{
    int pct = az_score_pct(s), r = 0;
    double tot = s->applicable > 0 ? s->applicable : 1;
    double ok = 100.0 * s->satisfied / tot, gap = 100.0 * s->gaps / tot,
           open = 100.0 * s->unanswered / tot;

    r |= az_buf_puts(b, "<svg class=\"ring\" xmlns=\"http://www.w3.org/2000/svg\" "
                        "viewBox=\"0 0 120 132\" width=\"150\" height=\"165\" role=\"img\">"
                        "<title>");
    r |= text(b, caption);
    r |= az_buf_printf(b, " %d%%</title>", pct < 0 ? 0 : pct);
    r |= az_buf_puts(b, "<circle cx=\"60\" cy=\"60\" r=\"46\" fill=\"none\" stroke=\"" C_TRACK
                        "\" stroke-width=\"16\"/>");
    /* segments drawn clockwise from 12 o'clock: satisfied, gaps, unanswered */
    {
        const double seg[3] = {ok, gap, open};
        const char *col[3] = {C_OK, C_GAP, C_OPEN};
        double at = 0;
        for (int i = 0; i < 3; i++) {
            if (seg[i] <= 0)
                continue;
            r |= az_buf_printf(b,
                               "<circle cx=\"60\" cy=\"60\" r=\"46\" fill=\"none\" stroke=\"%s\" "
                               "stroke-width=\"16\" pathLength=\"100\" "
                               "stroke-dasharray=\"%.2f %.2f\" stroke-dashoffset=\"%.2f\" "
                               "transform=\"rotate(-90 60 60)\"/>",
                               col[i], seg[i], 100.0 - seg[i], -at);
            at += seg[i];
        }
    }
    if (pct < 0)
        r |= az_buf_puts(b, "<text x=\"60\" y=\"67\" text-anchor=\"middle\" font-size=\"20\" "
                            "fill=\"" C_TEXT "\">–</text>");
    else
        r |= az_buf_printf(b,
                           "<text x=\"60\" y=\"68\" text-anchor=\"middle\" font-size=\"24\" "
                           "font-weight=\"bold\" fill=\"" C_TEXT "\">%d%%</text>",
                           pct);
    r |= az_buf_puts(
        b, "<text x=\"60\" y=\"128\" text-anchor=\"middle\" font-size=\"11\" fill=\"" C_TEXT "\">");
    r |= text(b, caption);
    r |= az_buf_puts(b, "</text></svg>");
    return r < 0 ? AZ_ERANGE : 0;
}

int az_svg_bars(struct az_buf *b, const struct az_svg_bar *rows, size_t n, enum az_lang lang)
{
    const int lw = 190, bw = 300, rh = 26, top = 22;
    int h = top + (int)n * rh + 6, r = 0;

    r |= az_buf_printf(b,
                       "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" "
                       "viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" "
                       "preserveAspectRatio=\"xMinYMin meet\"><title>%s</title>",
                       lw + bw + 110, h, lang == AZ_LANG_EN ? "Scores" : "対応状況");
    /* legend */
    {
        const char *names[3][2] = {
            {"対応済み", "satisfied"}, {"未対応", "gap"}, {"未回答", "unanswered"}};
        const char *col[3] = {C_OK, C_GAP, C_OPEN};
        int x = lw;
        for (int i = 0; i < 3; i++) {
            r |= az_buf_printf(b,
                               "<rect x=\"%d\" y=\"4\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                               "<text x=\"%d\" y=\"13\" font-size=\"11\" fill=\"" C_TEXT
                               "\">%s</text>",
                               x, col[i], x + 14, names[i][lang == AZ_LANG_EN]);
            x += 90;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct az_score *s = rows[i].score;
        int y = top + (int)i * rh, pct = az_score_pct(s);
        double tot = s->applicable > 0 ? s->applicable : 1, x = lw;
        const int seg[3] = {s->satisfied, s->gaps, s->unanswered};
        const char *col[3] = {C_OK, C_GAP, C_OPEN};

        r |= az_buf_printf(
            b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\" fill=\"" C_TEXT "\">",
            lw - 8, y + 15);
        r |= text(b, rows[i].label);
        r |= az_buf_printf(
            b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"" C_TRACK "\"/>",
            lw, y + 3, bw);
        for (int k = 0; k < 3 && s->applicable > 0; k++) {
            double w = bw * seg[k] / tot;
            if (seg[k] <= 0)
                continue;
            r |= az_buf_printf(b,
                               "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" "
                               "fill=\"%s\"/>",
                               x, y + 3, w, col[k]);
            x += w;
        }
        if (pct < 0)
            r |= az_buf_printf(
                b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"" C_TEXT "\">%s</text>",
                lw + bw + 8, y + 15, lang == AZ_LANG_EN ? "none apply" : "該当なし");
        else
            r |= az_buf_printf(b,
                               "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"" C_TEXT
                               "\">%d%% (%d/%d)</text>",
                               lw + bw + 8, y + 15, pct, s->satisfied, s->applicable);
    }
    r |= az_buf_puts(b, "</svg>");
    return r < 0 ? AZ_ERANGE : 0;
}

int az_svg_timeline(struct az_buf *b, struct az_date from, struct az_date to,
                    const struct az_svg_mark *marks, size_t n)
{
    const int w = 360, left = 14, right = 14, axis = 20, rh = 22;
    long d0 = az_date_to_days(from), d1 = az_date_to_days(to);
    double lastx[8];
    int nrows = 1, r = 0;
    double span;

    if (d1 <= d0)
        d1 = d0 + 1;
    span = (double)(d1 - d0);
    for (int i = 0; i < 8; i++)
        lastx[i] = -1e9;
    /* lay the markers out first: each in the first row where it does not
     * touch the previous one */
    {
        int rows_needed = 1;
        for (size_t i = 0; i < n; i++) {
            long dm = az_date_to_days(marks[i].date);
            double x = left + (w - left - right) *
                                  (double)((dm < d0   ? d0
                                            : dm > d1 ? d1
                                                      : dm) -
                                           d0) /
                                  span;
            int row = 0;
            while (row < 7 && x - lastx[row] < 22)
                row++;
            lastx[row] = x;
            if (row + 1 > rows_needed)
                rows_needed = row + 1;
        }
        nrows = rows_needed;
        for (int i = 0; i < 8; i++)
            lastx[i] = -1e9;
    }
    r |= az_buf_printf(b,
                       "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
                       "viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" "
                       "preserveAspectRatio=\"xMinYMin meet\"><title>timeline</title>"
                       "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\" "
                       "stroke-width=\"2\"/>",
                       w, axis + 16 + nrows * rh, left, axis, w - right, axis);
    /* a tick at every 1 April (start of a fiscal year) in range */
    for (int y = from.y; y <= to.y + 1; y++) {
        struct az_date t = {y, 4, 1};
        long dt = az_date_to_days(t);
        double x;
        if (dt < d0 || dt > d1)
            continue;
        x = left + (w - left - right) * (double)(dt - d0) / span;
        r |= az_buf_printf(b,
                           "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>"
                           "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" "
                           "fill=\"#555\">%04d-04</text>",
                           x, axis - 5, x, axis + 5, x, axis - 8, y);
    }
    {
        char a[16], z[16];
        az_date_iso(from, a, sizeof(a));
        az_date_iso(to, z, sizeof(z));
        r |= az_buf_printf(b,
                           "<text x=\"%d\" y=\"%d\" font-size=\"9\" fill=\"#777\">%s</text>"
                           "<text x=\"%d\" y=\"%d\" font-size=\"9\" fill=\"#777\" "
                           "text-anchor=\"end\">%s</text>",
                           left, axis + 13, a, w - right, axis + 13, z);
    }
    for (size_t i = 0; i < n; i++) {
        long dm = az_date_to_days(marks[i].date);
        double x = left + (w - left - right) *
                              (double)((dm < d0   ? d0
                                        : dm > d1 ? d1
                                                  : dm) -
                                       d0) /
                              span;
        int row = 0, y;
        const char *col = marks[i].overdue ? C_GAP : "#1565c0";
        while (row < 7 && x - lastx[row] < 22)
            row++;
        lastx[row] = x;
        y = axis + 26 + row * rh;
        r |= az_buf_printf(b,
                           "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>"
                           "<circle cx=\"%.1f\" cy=\"%d\" r=\"9\" fill=\"%s\"/>"
                           "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" font-weight=\"bold\" "
                           "text-anchor=\"middle\" fill=\"#fff\">",
                           x, axis, x, y - 9, col, x, y, col, x, y + 4);
        r |= text(b, marks[i].label);
        r |= az_buf_puts(b, "</text>");
    }
    r |= az_buf_puts(b, "</svg>");
    return r < 0 ? AZ_ERANGE : 0;
}
