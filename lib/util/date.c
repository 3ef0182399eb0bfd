/* SPDX-License-Identifier: MIT */
/*
 * date.c - Gregorian dates, Japanese eras (和暦) and fiscal years (年度).
 *
 * The checklist speaks in 令和N年度; people write dates as 令和7年4月1日,
 * R7.4.1 or 2025/4/1; Excel stores serials. Everything here converts those
 * to one plain date type and back, with strict validation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anzen/date.h"
#include "anzen/util.h"

static const struct {
    const char *ja, *en;
    char letter;
    struct az_date start;
} eras[] = {
    [AZ_ERA_MEIJI] = {"明治", "Meiji", 'M', {1868, 1, 25}},
    [AZ_ERA_TAISHO] = {"大正", "Taisho", 'T', {1912, 7, 30}},
    [AZ_ERA_SHOWA] = {"昭和", "Showa", 'S', {1926, 12, 25}},
    [AZ_ERA_HEISEI] = {"平成", "Heisei", 'H', {1989, 1, 8}},
    [AZ_ERA_REIWA] = {"令和", "Reiwa", 'R', {2019, 5, 1}},
};
#define NERAS ((int)(sizeof(eras) / sizeof(eras[0])))

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

bool az_date_valid(struct az_date d)
{
    if (d.y < 1868 || d.y > 9999 || d.m < 1 || d.m > 12 || d.d < 1)
        return false;
    return d.d <= days_in_month(d.y, d.m);
}

int az_date_cmp(struct az_date a, struct az_date b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

/* Howard Hinnant's days_from_civil. */
long az_date_to_days(struct az_date d)
{
    long y = d.y - (d.m <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long mp = (d.m + 9) % 12;
    long doy = (153 * mp + 2) / 5 + d.d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct az_date az_date_from_days(long z)
{
    struct az_date r;
    long era, doe, yoe, y, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
    r.y = (int)(y + (r.m <= 2));
    return r;
}

struct az_date az_date_add_days(struct az_date d, long n)
{
    return az_date_from_days(az_date_to_days(d) + n);
}

void az_date_iso(struct az_date d, char *buf, size_t n)
{
    snprintf(buf, n, "%04d-%02d-%02d", d.y, d.m, d.d);
}

int az_date_era(struct az_date d, enum az_era *ret_era, int *ret_year)
{
    for (int e = NERAS - 1; e >= 0; e--) {
        if (az_date_cmp(d, eras[e].start) >= 0) {
            *ret_era = (enum az_era)e;
            *ret_year = d.y - eras[e].start.y + 1;
            return 0;
        }
    }
    return AZ_EINVAL;
}

const char *az_era_name(enum az_era e, enum az_lang lang)
{
    return lang == AZ_LANG_EN ? eras[e].en : eras[e].ja;
}

void az_date_wareki(struct az_date d, char *buf, size_t n)
{
    enum az_era e;
    int y;

    if (az_date_era(d, &e, &y) < 0) {
        az_date_iso(d, buf, n);
        return;
    }
    if (y == 1)
        snprintf(buf, n, "%s元年%d月%d日", eras[e].ja, d.m, d.d);
    else
        snprintf(buf, n, "%s%d年%d月%d日", eras[e].ja, y, d.m, d.d);
}

int az_fiscal_year(struct az_date d)
{
    return d.m >= 4 ? d.y : d.y - 1;
}

struct az_date az_fy_start(int fy)
{
    return (struct az_date){fy, 4, 1};
}

struct az_date az_fy_end(int fy)
{
    return (struct az_date){fy + 1, 3, 31};
}

int az_fy_to_reiwa(int fy)
{
    /* 令和元年度 is FY2019 (2019-04-01..2020-03-31, begun in 平成31年). */
    return fy >= 2019 ? fy - 2018 : 0;
}

int az_reiwa_to_fy(int reiwa)
{
    return reiwa >= 1 ? reiwa + 2018 : 0;
}

void az_fy_format(int fy, enum az_lang lang, char *buf, size_t n)
{
    int r = az_fy_to_reiwa(fy);

    if (lang == AZ_LANG_EN)
        snprintf(buf, n, "FY%d", fy);
    else if (r == 1)
        snprintf(buf, n, "令和元年度");
    else if (r > 1)
        snprintf(buf, n, "令和%d年度", r);
    else
        snprintf(buf, n, "%d年度", fy);
}

/*
 * Normalise a date string into ASCII where possible: full-width digits and
 * punctuation become ASCII, spaces are dropped. Era names and 年月日 stay
 * as UTF-8. Returns 0, or AZ_EINVAL if the result does not fit.
 */
static int normalise(const char *s, char *out, size_t n)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        /* U+FF10..U+FF19 full-width digits: EF BC 90..99 */
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            if (o + 1 >= n)
                return AZ_EINVAL;
            out[o++] = (char)('0' + (p[2] - 0x90));
            p += 3;
            continue;
        }
        /* full-width ／ (EF BC 8F), ． (EF BC 8E), － (EF BC 8D) */
        if (p[0] == 0xEF && p[1] == 0xBC && (p[2] == 0x8F || p[2] == 0x8E || p[2] == 0x8D)) {
            if (o + 1 >= n)
                return AZ_EINVAL;
            out[o++] = p[2] == 0x8F ? '/' : p[2] == 0x8E ? '.' : '-';
            p += 3;
            continue;
        }
        /* ideographic space E3 80 80 */
        if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
            p += 3;
            continue;
        }
        if (*p == ' ' || *p == '\t') {
            p++;
            continue;
        }
        if (o + 1 >= n)
            return AZ_EINVAL;
        out[o++] = (char)*p++;
    }
    out[o] = '\0';
    return 0;
}

/* Read 1..max digits at *pp into *ret. */
static bool take_num(const char **pp, int maxdigits, int *ret)
{
    const char *p = *pp;
    int v = 0, n = 0;

    while (*p >= '0' && *p <= '9' && n < maxdigits) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (n == 0 || (*p >= '0' && *p <= '9'))
        return false;
    *pp = p;
    *ret = v;
    return true;
}

static bool take_lit(const char **pp, const char *lit)
{
    size_t n = strlen(lit);

    if (strncmp(*pp, lit, n) != 0)
        return false;
    *pp += n;
    return true;
}

/* Separator between year/month/day: '-', '/', '.', or the kanji unit. */
static bool take_sep(const char **pp, const char *kanji, char *sepc)
{
    if (**pp == '-' || **pp == '/' || **pp == '.') {
        if (*sepc && **pp != *sepc)
            return false;
        *sepc = **pp;
        (*pp)++;
        return true;
    }
    if (!*sepc && take_lit(pp, kanji)) {
        *sepc = 'k';
        return true;
    }
    if (*sepc == 'k' && take_lit(pp, kanji))
        return true;
    return false;
}

/* Parse "M<sep>D[日]" after the year and its separator. */
static bool parse_md(const char *p, char sepc, int *m, int *d)
{
    if (!take_num(&p, 2, m))
        return false;
    if (sepc == 'k') {
        if (!take_lit(&p, "月"))
            return false;
    } else if (*p != sepc) {
        return false;
    } else {
        p++;
    }
    if (!take_num(&p, 2, d))
        return false;
    if (sepc == 'k' && !take_lit(&p, "日"))
        return false;
    return *p == '\0';
}

int az_date_parse(const char *s, bool allow_serial, struct az_date *ret)
{
    char buf[128];
    const char *p;
    struct az_date d;
    int era = -1, ey = 0;
    char sepc = 0;

    if (!s || normalise(s, buf, sizeof(buf)) < 0 || !buf[0])
        return AZ_EINVAL;
    p = buf;

    /* Excel serial (1900 date system). 5 digits covers 1927..2173. */
    if (allow_serial && strlen(p) == 5 && strspn(p, "0123456789") == 5) {
        long serial = strtol(p, NULL, 10);
        /* 1899-12-30 + serial is right for every serial after the fictitious
         * 1900-02-29 (serial 60). */
        d = az_date_add_days((struct az_date){1899, 12, 30}, serial);
        if (!az_date_valid(d))
            return AZ_EINVAL;
        *ret = d;
        return 0;
    }

    for (int e = 0; e < NERAS; e++) {
        if (take_lit(&p, eras[e].ja)) {
            era = e;
            break;
        }
        if ((*p == eras[e].letter || *p == eras[e].letter + ('a' - 'A')) && p[1] &&
            ((p[1] >= '0' && p[1] <= '9') || strncmp(p + 1, "元", strlen("元")) == 0)) {
            era = e;
            p++;
            break;
        }
    }

    if (era >= 0) {
        if (take_lit(&p, "元"))
            ey = 1;
        else if (!take_num(&p, 2, &ey) || ey < 1)
            return AZ_EINVAL;
        if (!take_sep(&p, "年", &sepc))
            return AZ_EINVAL;
        d.y = eras[era].start.y + ey - 1;
    } else {
        if (!take_num(&p, 4, &d.y) || d.y < 1000)
            return AZ_EINVAL;
        if (!take_sep(&p, "年", &sepc))
            return AZ_EINVAL;
    }
    if (!parse_md(p, sepc, &d.m, &d.d))
        return AZ_EINVAL;
    if (!az_date_valid(d))
        return AZ_EINVAL;
    if (era >= 0) {
        /* The date must fall inside the named era. */
        if (az_date_cmp(d, eras[era].start) < 0)
            return AZ_EINVAL;
        if (era + 1 < NERAS && az_date_cmp(d, eras[era + 1].start) >= 0)
            return AZ_EINVAL;
    }
    *ret = d;
    return 0;
}

int az_fy_parse(const char *s, int *ret_fy)
{
    char buf[64];
    const char *p;
    int v;

    if (!s || normalise(s, buf, sizeof(buf)) < 0)
        return AZ_EINVAL;
    p = buf;
    if (take_lit(&p, "令和") || ((*p == 'R' || *p == 'r') && (p++, true))) {
        if (take_lit(&p, "元"))
            v = 1;
        else if (!take_num(&p, 2, &v) || v < 1)
            return AZ_EINVAL;
        (void)(take_lit(&p, "年度") || take_lit(&p, "年"));
        if (*p)
            return AZ_EINVAL;
        *ret_fy = az_reiwa_to_fy(v);
        return 0;
    }
    (void)(take_lit(&p, "FY") || take_lit(&p, "fy"));
    if (!take_num(&p, 4, &v) || v < 1900 || v > 9998)
        return AZ_EINVAL;
    (void)take_lit(&p, "年度");
    if (*p)
        return AZ_EINVAL;
    *ret_fy = v;
    return 0;
}

int az_today(const char *fixed, struct az_date *ret)
{
    struct tm tm;
    time_t t;

    if (fixed && *fixed)
        return az_date_parse(fixed, false, ret);
    /* the date in Japan (UTC+9, no daylight saving), whatever TZ says:
     * the checklist's days are Japanese days */
    t = time(NULL) + 9 * 3600;
    if (!gmtime_r(&t, &tm))
        return AZ_EINVAL;
    ret->y = tm.tm_year + 1900;
    ret->m = tm.tm_mon + 1;
    ret->d = tm.tm_mday;
    return 0;
}
