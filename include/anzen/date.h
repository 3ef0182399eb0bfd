/* SPDX-License-Identifier: MIT */
/*
 * date.h - calendar dates, Japanese eras (和暦) and Japanese fiscal years
 * (年度, April to March).
 *
 * Dates are proleptic Gregorian, no time zone: a checklist date is a day.
 * Eras supported: 明治 (1868-01-25), 大正 (1912-07-30), 昭和 (1926-12-25),
 * 平成 (1989-01-08), 令和 (2019-05-01). Year 1 of an era is 元年.
 */
#ifndef ANZEN_DATE_H
#define ANZEN_DATE_H

#include <stdbool.h>
#include <stddef.h>

#include "anzen.h"

struct az_date {
    int y, m, d;
};

enum az_era {
    AZ_ERA_MEIJI,
    AZ_ERA_TAISHO,
    AZ_ERA_SHOWA,
    AZ_ERA_HEISEI,
    AZ_ERA_REIWA,
};

/* True if y-m-d is a real calendar date between 1868 and 9999. */
bool az_date_valid(struct az_date d);
/* <0, 0, >0 like strcmp. */
int az_date_cmp(struct az_date a, struct az_date b);
/* Days since 1970-01-01 (negative before). */
long az_date_to_days(struct az_date d);
struct az_date az_date_from_days(long days);
/* Add n days (may be negative). */
struct az_date az_date_add_days(struct az_date d, long n);

/*
 * Parse a date written any of the ways people write them on these forms:
 *   2025-04-01, 2025/4/1, 2025.4.1, 2025年4月1日,
 *   令和7年4月1日, 令和元年5月1日, R7.4.1, R7/4/1, r7-4-1, H31.4.30,
 *   full-width digits (２０２５年４月１日), and an Excel date serial
 *   (5 digits, 1900 system) when allow_serial is true.
 * Rejects impossible dates and era dates outside their era
 * (平成32年 or 令和1年4月30日). Returns 0 or AZ_EINVAL.
 */
int az_date_parse(const char *s, bool allow_serial, struct az_date *ret);

/* Format as YYYY-MM-DD into buf (at least 11 bytes). */
void az_date_iso(struct az_date d, char *buf, size_t n);

/* The era a date falls in, and the year within it (1 = 元年).
 * Returns 0, or AZ_EINVAL for dates before 明治. */
int az_date_era(struct az_date d, enum az_era *ret_era, int *ret_year);

/* Japanese era name (令和) or romanised (Reiwa). */
const char *az_era_name(enum az_era e, enum az_lang lang);

/* Format in Japanese era style: 令和7年4月1日 (元年 for year 1). */
void az_date_wareki(struct az_date d, char *buf, size_t n);

/* The fiscal year a date falls in, named by the Gregorian year it starts:
 * 2025-04-01 .. 2026-03-31 is fiscal year 2025 (令和7年度). */
int az_fiscal_year(struct az_date d);
/* First and last day of a fiscal year. */
struct az_date az_fy_start(int fy);
struct az_date az_fy_end(int fy);

/* 令和 fiscal-year number for a Gregorian fiscal year (2025 -> 7), and
 * back. Both return 0 for years outside 令和. */
int az_fy_to_reiwa(int fy);
int az_reiwa_to_fy(int reiwa);

/* Format a fiscal year: "令和7年度" (ja) or "FY2025" (en). */
void az_fy_format(int fy, enum az_lang lang, char *buf, size_t n);

/* Parse a fiscal year: "2025", "FY2025", "令和7年度", "R7", "令和元年度". */
int az_fy_parse(const char *s, int *ret_fy);

/* Today's date in Japan (UTC+9, whatever TZ says), or the date fixed when it is not NULL or
 * empty (the CLI passes $ANZEN_TODAY, for tests: lib/ reads no
 * environment). */
int az_today(const char *fixed, struct az_date *ret);

#endif
