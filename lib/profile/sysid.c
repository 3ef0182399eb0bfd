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
