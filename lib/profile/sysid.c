/* SPDX-License-Identifier: MIT */
/*
 * sysid.c - readable system IDs (emr, receipt, pacs, lab, ...) chosen from
 * the name a person gives a system, for `anzen init` (profile.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/profile.h"
#include "anzen/util.h"

/* Words in a system's name and the ID they suggest; first match wins. */
static const struct {
    const char *word, *id;
} kinds[] = {
    {"電子カルテ", "emr"},   {"カルテ", "emr"},
    {"emr", "emr"},          {"ehr", "emr"},
    {"レセ", "receipt"},     {"医事", "receipt"},
    {"receipt", "receipt"},  {"pacs", "pacs"},
    {"画像", "pacs"},        {"放射線", "pacs"},
    {"ris", "ris"},          {"検査", "lab"},
    {"lis", "lab"},          {"lab", "lab"},
    {"薬歴", "pharmacy"},    {"調剤", "pharmacy"},
    {"薬剤", "pharmacy"},    {"オーダ", "order"},
    {"予約", "booking"},     {"透析", "dialysis"},
    {"内視鏡", "endoscopy"}, {"心電", "ecg"},
    {"生理", "ecg"},         {"栄養", "nutrition"},
    {"給食", "nutrition"},   {"看護", "nursing"},
    {"リハ", "rehab"},       {"健診", "checkup"},
    {"検診", "checkup"},     {"会計", "accounting"},
    {"勤怠", "attendance"},  {"グループウェア", "groupware"},
};

static bool taken(const char *id, const struct az_system *sys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (sys[i].id && !strcmp(sys[i].id, id))
            return true;
    return false;
}

char *az_system_id_suggest(const char *name, const struct az_system *existing, size_t n)
{
    char *lower = strdup(name ? name : ""), *base = NULL, *id;

    if (!lower)
        return NULL;
    for (char *q = lower; *q; q++)
        if ((unsigned char)*q < 0x80)
            *q = (char)tolower((unsigned char)*q);
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && !base; k++)
        if (strstr(lower, kinds[k].word))
            base = strdup(kinds[k].id);
    if (!base) {
        /* an ASCII name becomes its own slug: "Orca Cloud" -> orca-cloud */
        struct az_buf b;
        az_buf_init(&b, 64);
        for (const char *q = lower; *q && b.len < 24; q++) {
            if (isalnum((unsigned char)*q))
                az_buf_add(&b, q, 1);
            else if (b.len && b.data[b.len - 1] != '-' && (unsigned char)*q < 0x80)
                az_buf_add(&b, "-", 1);
        }
        while (b.len && b.data[b.len - 1] == '-')
            b.data[--b.len] = '\0';
        base = b.len && isalpha((unsigned char)b.data[0]) ? b.data : NULL;
        if (!base) {
            free(b.data);
            base = az_fmt("system-%zu", n + 1);
        }
    }
    free(lower);
    if (!base)
        return NULL;
    if (!taken(base, existing, n))
        return base;
    for (int k = 2;; k++) {
        id = az_fmt("%s-%d", base, k);
        if (!id || !taken(id, existing, n))
            break;
        free(id);
    }
    free(base);
    return id;
}

const struct az_system *az_profile_find_system(const struct az_profile *p, const char *s)
{
    const struct az_system *hit = NULL;
    size_t nhit = 0;
    unsigned long k;
    char *end;

    if (!p || !s || !*s)
        return NULL;
    for (size_t i = 0; i < p->nsystems; i++)
        if (!strcmp(p->systems[i].id, s))
            return &p->systems[i];
    for (size_t i = 0; i < p->nsystems; i++)
        if (p->systems[i].name && !strcmp(p->systems[i].name, s))
            return &p->systems[i];
    for (size_t i = 0; i < p->nsystems; i++)
        if (p->systems[i].name && strstr(p->systems[i].name, s) && nhit++ == 0)
            hit = &p->systems[i];
    if (nhit == 1)
        return hit;
    /* the IDs init used to give: system-N is the N-th system */
    if (!strncmp(s, "system-", 7) && s[7] >= '1' && s[7] <= '9') {
        k = strtoul(s + 7, &end, 10);
        if (!*end && k >= 1 && k <= p->nsystems)
            return &p->systems[k - 1];
    }
    return NULL;
}

char *az_profile_system_list(const struct az_profile *p, bool vendor_only)
{
    struct az_buf b;

    az_buf_init(&b, 1024 * 1024);
    for (size_t i = 0; p && i < p->nsystems; i++) {
        if (vendor_only && !p->systems[i].vendor)
            continue;
        az_buf_printf(&b, "%s%s (%s)", b.len ? ", " : "", p->systems[i].id,
                      p->systems[i].name ? p->systems[i].name : "");
    }
    if (!b.data)
        return strdup("-");
    return b.data;
}
