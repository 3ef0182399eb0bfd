/* SPDX-License-Identifier: MIT */
/*
 * hubbench.c - the hub benchmark's helpers (bench/hub/run.sh):
 *
 *   hubbench gen N DIR     N synthetic institutions: DIR/enrol.csv for
 *                          `anzen hub enrol --csv` and DIR/bundles.jsonl,
 *                          one bundle per institution, each signed with the
 *                          institution's own Ed25519 key
 *   hubbench dash CONNINFO ITER
 *                          every dashboard query (az_hub_query) ITER times
 *                          for random prefectures; p50/p99/max per query
 *   hubbench parse FILE N  parse and verify the first N envelopes of FILE
 *                          on one thread: CPU per bundle
 *
 * The mix follows the shape of Japan's medical institutions (about 8,200
 * hospitals, 105,000 clinics, 66,800 dental clinics and 60,000 pharmacies,
 * prefectures weighted by population); answers follow a per-institution
 * maturity so rates land near the MHLW survey for hospitals and lower for
 * small institutions. Deterministic: the same N gives the same data
 * (keys from seeds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "anzen/hub.h"

static unsigned long long rs = 88172645463325252ull;
static double rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (double)(rs >> 11) / 9007199254740992.0;
}

/* population in 10,000s (approximate, 2020 census) by JIS code */
static const int pop[47] = {522,  124, 121, 230, 96,  107, 183, 287, 193, 194, 734, 628,
                            1405, 924, 220, 103, 113, 77,  81,  205, 198, 363, 754, 177,
                            141,  258, 884, 547, 133, 92,  55,  67,  189, 280, 134, 72,
                            95,   133, 69,  513, 81,  131, 174, 112, 107, 159, 147};

static int pick_pref(void)
{
    static int total;
    double x;
    if (!total)
        for (int i = 0; i < 47; i++)
            total += pop[i];
    x = rnd() * total;
    for (int i = 0; i < 47; i++) {
        x -= pop[i];
        if (x < 0)
            return i + 1;
    }
    return 13;
}

static const char *const topics[] = {"security-lead",
                                     "asset-ledger",
                                     "remote-maintenance",
                                     "mds-sds",
                                     "access-rights",
                                     "unused-accounts",
                                     "patches",
                                     "password-strength",
                                     "password-reuse",
                                     "external-media",
                                     "mfa",
                                     "access-log",
                                     "unneeded-services",
                                     "connection-source",
                                     "operating-rules",
                                     "incident-contacts",
                                     "backup-restore",
                                     "cyber-bcp"};
#define NTOPICS 18
/* the chance of はい for a hospital of middling maturity (survey-shaped) */
static const double base[NTOPICS] = {0.73, 0.70, 0.60, 0.51, 0.80, 0.65, 0.61, 0.70, 0.55,
                                     0.83, 0.11, 0.60, 0.62, 0.70, 0.75, 0.80, 0.70, 0.57};
static const char *const families[] = {"fortios", "ivanti-ics", "netscaler", "pan-os", "sonicos"};
static const char *const versions[] = {"6.4.6", "7.0.12", "22.3", "13.1-49", "10.1.9", "9.1"};

static int gen(long n, const char *dir)
{
    char path[4096];
    FILE *csv, *out;
    struct az_ctx ctx;
    long nh = n * 8200 / 240000, nc = n * 105000 / 240000, nd = n * 66800 / 240000;

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (sodium_init() < 0)
        return 1;
    snprintf(path, sizeof(path), "%s/enrol.csv", dir);
    csv = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/bundles.jsonl", dir);
    out = fopen(path, "w");
    if (!csv || !out)
        return 1;
    fputs("id,name,type,prefecture,beds,group,hq,key\n", csv);
    for (long i = 0; i < n; i++) {
        unsigned char seed[32] = {0}, pk[32], sk[64];
        const char *type, *band;
        char id[32], bid[33], *pkb, *s;
        double m = rnd(), f = 1.0;
        int pref = pick_pref(), appl = 0, sat = 0, od = 0;
        size_t len;
        json_t *p, *items = json_array(), *ind, *find = json_object(), *kev = json_array();
        bool sv[NTOPICS];

        if (i < nh) {
            double b = rnd();
            type = "hospital";
            band = b < 0.35   ? "20-99"
                   : b < 0.70 ? "100-199"
                   : b < 0.90 ? "200-399"
                   : b < 0.94 ? "400-499"
                              : "500+";
        } else if (i < nh + nc) {
            type = "clinic";
            band = rnd() < 0.07 ? "1-19" : "0";
            f = 0.75;
        } else if (i < nh + nc + nd) {
            type = "dental";
            band = "0";
            f = 0.7;
        } else {
            type = "pharmacy";
            band = "0";
            f = 0.8;
        }
        snprintf(id, sizeof(id), "i%06ld", i);
        memcpy(seed, &i, sizeof(i));
        crypto_sign_seed_keypair(pk, sk, seed);
        pkb = az_key_b64(pk);
        fprintf(csv, "%s,%s %s,%s,%d,%s,g%ld,,%s\n", id, type, id, type, pref, band, i % 500, pkb);
        free(pkb);
        for (int t = 0; t < NTOPICS; t++) {
            double pr = base[t] * f * (0.5 + m);
            double x = rnd();
            const char *st = x < pr ? "satisfied" : x < 0.95 ? "gap" : "unanswered";
            bool late = strcmp(st, "satisfied") && t != 10 && rnd() < 0.7;
            char iid[64];
            sv[t] = st[0] == 's';
            appl++;
            sat += sv[t];
            od += late;
            snprintf(iid, sizeof(iid), "cl-r7.%c.%s", type[0] == 'p' ? 'p' : 'h', topics[t]);
            json_array_append_new(items,
                                  json_pack("{s:s,s:s,s:s,s:s,s:o,s:[s]}", "id", iid, "topic",
                                            topics[t], "label", "2-①", "status", st, "overdue",
                                            late ? json_string("fiscal-year") : json_null(),
                                            "roles", "operations"));
        }
        ind = json_pack("{s:b,s:b,s:b,s:b,s:b,s:b}", "cyber_bcp", sv[17], "mfa", sv[10], "patching",
                        sv[6], "usb", sv[9], "contract_roles", sv[3], "mfa_fy2027",
                        sv[10] || rnd() < 0.3 * m);
        if (rnd() < 0.4)
            json_object_set_new(find, "ledger.no-admin", json_integer(1 + (int)(rnd() * 3)));
        if (rnd() < 0.2)
            json_object_set_new(find, "ledger.eol", json_integer(1 + (int)(rnd() * 5)));
        if (rnd() < (type[0] == 'h' ? 0.04 : 0.005)) {
            json_array_append_new(kev, json_pack("{s:s,s:s}", "family", families[(int)(rnd() * 5)],
                                                 "version", versions[(int)(rnd() * 6)]));
            json_object_set_new(find, "ledger.kev/vpn", json_integer(1));
        }
        snprintf(bid, sizeof(bid), "%016lx%016lx", (unsigned long)i, (unsigned long)(rs >> 1));
        p = json_pack("{s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:i,s:s,s:s,s:{s:s,s:i,s:s,s:s},"
                      "s:{s:i,s:i,s:i,s:i,s:i,s:i},s:o,s:[],s:{s:i,s:i},s:{},s:o,s:o,s:o}",
                      "schema", AZ_BUNDLE_SCHEMA, "anzen_version", AZ_VERSION, "bundle_id", bid,
                      "institution", id, "sequence", 1, "created_at", "2026-05-01T09:00:00Z",
                      "as_of", "2026-05-01", "fiscal_year", 2026, "edition", "cl-r7", "form",
                      type[0] == 'p' ? "p" : "h", "profile", "type", type, "beds", 0, "prefecture",
                      "", "name", id, "total", "applicable", appl, "satisfied", sat, "gaps",
                      appl - sat, "unanswered", 0, "na", 0, "overdue", od, "items", items,
                      "overdue", "plan", "items", appl - sat, "unanswered", 0, "keypoints",
                      "findings", find, "vpn_kev", kev, "indicators", ind);
        if (!p || az_bundle_sign(&ctx, p, sk, &s, &len) < 0) {
            fprintf(stderr, "gen: %s\n", az_errmsg(&ctx));
            return 1;
        }
        fwrite(s, 1, len, out);
        free(s);
        json_decref(p);
    }
    fclose(csv);
    return fclose(out) == 0 ? 0 : 1;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int dash(const char *conninfo, int iter)
{
    struct az_ctx ctx;
    struct az_hub *h;
    double *t = calloc((size_t)iter, sizeof(double)), worst = 0;

    az_ctx_init(&ctx, AZ_LANG_EN);
    if (!t || az_hub_open(&ctx, conninfo, &h) < 0) {
        fprintf(stderr, "dash: %s\n", az_errmsg(&ctx));
        return 1;
    }
    printf("%-22s %8s %8s %8s  (ms, %d runs, random prefecture each)\n", "query", "p50", "p99",
           "max", iter);
    for (int q = 0; az_hub_queries[q]; q++) {
        for (int i = 0; i < iter; i++) {
            struct az_hub_scope s = {.prefecture = 1 + (int)(rnd() * 47)};
            struct timespec a, b;
            json_t *j;
            clock_gettime(CLOCK_MONOTONIC, &a);
            if (az_hub_query(&ctx, h, az_hub_queries[q], &s, &j) < 0) {
                fprintf(stderr, "dash: %s\n", az_errmsg(&ctx));
                return 1;
            }
            clock_gettime(CLOCK_MONOTONIC, &b);
            json_decref(j);
            t[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
        }
        qsort(t, (size_t)iter, sizeof(double), cmpd);
        printf("%-22s %8.1f %8.1f %8.1f\n", az_hub_queries[q], t[iter / 2],
               t[(size_t)((iter - 1) * 0.99)], t[iter - 1]);
        if (t[(size_t)((iter - 1) * 0.99)] > worst)
            worst = t[(size_t)((iter - 1) * 0.99)];
    }
    printf("worst p99: %.1f ms\n", worst);
    az_hub_close(h);
    free(t);
    return 0;
}

/* Parse (and verify) the first n envelopes of a file, one per line, on
 * one thread: the CPU cost of the signature check per bundle, and how many
 * were verified over their bytes as received. */
static int parse(const char *path, long n)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, fast = 0, done = 0;
    ssize_t len;
    struct az_ctx ctx;
    struct timespec t0, t1;
    double s;

    if (!f)
        return 1;
    az_ctx_init(&ctx, AZ_LANG_EN);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    while ((long)done < n && (len = getline(&line, &cap, f)) > 0) {
        struct az_bundle *b = NULL;
        if (az_bundle_parse(&ctx, "b", line, (size_t)len, NULL, NULL, &b) < 0) {
            fprintf(stderr, "%s\n", az_errmsg(&ctx));
            return 1;
        }
        fast += b->as_received;
        done++;
        az_bundle_free(b);
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("parse: %zu bundles, %.1f us CPU each, %zu verified as received\n", done,
           s * 1e6 / (double)(done ? done : 1), fast);
    free(line);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "parse"))
        return parse(argv[2], strtol(argv[3], NULL, 10));
    if (argc == 4 && !strcmp(argv[1], "gen"))
        return gen(strtol(argv[2], NULL, 10), argv[3]);
    if (argc == 4 && !strcmp(argv[1], "dash"))
        return dash(argv[2], (int)strtol(argv[3], NULL, 10));
    fprintf(stderr,
            "usage: hubbench gen N DIR | hubbench dash CONNINFO ITER | hubbench parse FILE N\n");
    return 64;
}
