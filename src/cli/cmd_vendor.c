/* SPDX-License-Identifier: MIT */
/*
 * cmd_vendor.c - `anzen vendor list|show|check`: the vendor registry
 * (vendors.yaml) and what it is missing (MDS/SDS, remote-maintenance
 * device, role-split table, this year's 事業者確認用).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/vendor.h"
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(f, "%s",
            L(c,
              "使い方:\n"
              "  anzen vendor add ID --name 名称 [...]   (anzen vendor add --help)\n"
              "  anzen vendor list  [-f vendors.yaml] [-p profile.yaml]\n"
              "  anzen vendor show ID [-f vendors.yaml] [-p profile.yaml]\n"
              "  anzen vendor check [-f vendors.yaml] [-p profile.yaml] [--format text|json]\n"
              "      事業者の登録 (docs は include/anzen/vendor.h) を読み、MDS/SDS の未受領、\n"
              "      リモート保守装置の未確認、役割分担の確認表の未合意、今年度の事業者確認用の\n"
              "      未受領、契約切れ、未登録の事業者を指摘する (終了コード 2: 要対応あり)\n",
              "usage:\n"
              "  anzen vendor add ID --name NAME [...]   (anzen vendor add --help)\n"
              "  anzen vendor list  [-f vendors.yaml] [-p profile.yaml]\n"
              "  anzen vendor show ID [-f vendors.yaml] [-p profile.yaml]\n"
              "  anzen vendor check [-f vendors.yaml] [-p profile.yaml] [--format text|json]\n"
              "      reads the vendor registry (format in include/anzen/vendor.h) and reports\n"
              "      missing MDS/SDS, unconfirmed remote-maintenance devices, no agreed\n"
              "      role-split table, no vendor checklist this fiscal year, ended contracts\n"
              "      and unregistered vendors (exit 2 on gaps)\n"));
}

int cmd_vendor(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"file", required_argument, NULL, 'f'},
                                         {"profile", required_argument, NULL, 'p'},
                                         {"format", required_argument, NULL, 'F'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *file = "vendors.yaml", *profile = "profile.yaml", *format = "text", *sub;
    struct az_profile *p = NULL;
    struct az_vendors *vs = NULL;
    char *data = NULL;
    size_t len;
    int o, r = 0;

    if (argc < 2) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        help(c, stdout);
        return 0;
    }
    if (!strcmp(sub, "add"))
        return vendor_add(c, argc - 1, argv + 1);
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc - 1, argv + 1, "f:p:h", opts, NULL)) != -1) {
        switch (o) {
        case 'f':
            file = optarg;
            break;
        case 'p':
            profile = optarg;
            break;
        case 'F':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 'h':
            help(c, stdout);
            return 0;
        default:
            help(c, stderr);
            return EXIT_USAGE;
        }
    }
    argc -= optind + 1;
    argv += optind + 1;
    if (!((!strcmp(sub, "list") && !argc) || (!strcmp(sub, "check") && !argc) ||
          (!strcmp(sub, "show") && argc == 1))) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    if (az_profile_load_file(&c->ctx, profile, &p) < 0 ||
        az_read_text_file(&c->ctx, file, &data, &len) < 0 ||
        az_vendors_load(&c->ctx, file, data, len, p, &vs) < 0) {
        cli_liberr(c);
        free(data);
        az_profile_free(p);
        return EXIT_ERROR;
    }
    free(data);
    if (!strcmp(sub, "list")) {
        for (size_t i = 0; i < vs->n; i++) {
            const struct az_vendor *e = &vs->v[i];
            printf("%-12s %s  (", e->id, e->name);
            for (size_t k = 0; k < e->nsystems; k++)
                printf("%s%s", k ? ", " : "", e->systems[k]);
            printf(")\n");
        }
    } else if (!strcmp(sub, "show")) {
        const struct az_vendor *e = NULL;
        char d[16];
        for (size_t i = 0; i < vs->n; i++)
            if (!strcmp(vs->v[i].id, argv[0]))
                e = &vs->v[i];
        if (!e) {
            cli_err(c, "事業者 \"%s\" は登録されていません", "no vendor \"%s\"", argv[0]);
            r = EXIT_ERROR;
        } else {
            printf("%s  %s\n", e->id, e->name);
            if (e->contact)
                printf("  %s %s\n", L(c, "連絡先:", "contact:"), e->contact);
            printf("  %s", L(c, "システム:", "systems:"));
            for (size_t k = 0; k < e->nsystems; k++)
                printf(" %s", e->systems[k]);
            printf("\n  %s %s%s%s\n", L(c, "リモート保守:", "remote maintenance:"),
                   e->rm_method ? e->rm_method : L(c, "なし", "none"), e->rm_device ? " / " : "",
                   e->rm_device ? e->rm_device : "");
            if (e->has_contract_end) {
                az_date_iso(e->contract_end, d, sizeof(d));
                printf("  %s %s\n", L(c, "契約終了:", "contract ends:"), d);
            }
            printf("  %s %s\n", L(c, "役割分担の確認表:", "role-split table:"),
                   e->role_split == 2   ? L(c, "合意済み", "agreed")
                   : e->role_split == 1 ? L(c, "案", "draft")
                                        : L(c, "なし", "none"));
            if (e->has_mds) {
                az_date_iso(e->mds_received, d, sizeof(d));
                printf("  MDS/SDS: %s (%s)\n", e->mds_version ? e->mds_version : "?", d);
            } else {
                printf("  MDS/SDS: %s\n", L(c, "未受領", "not received"));
            }
            if (e->has_checklist) {
                az_date_iso(e->checklist_received, d, sizeof(d));
                printf("  %s %s\n", L(c, "事業者確認用の受領:", "vendor checklist received:"), d);
            }
        }
    } else {
        json_t *res = az_vendors_check(vs, p, c->as_of);
        if (!strcmp(format, "json")) {
            r = out_json(c, NULL, json_incref(res));
        } else {
            printf("%s: %zu\n", L(c, "事業者の点検", "Vendor check"), vs->n);
            out_findings(c, json_object_get(res, "findings"));
        }
        if (!r && json_integer_value(json_object_get(res, "gaps")) > 0)
            r = EXIT_GAPS;
        json_decref(res);
    }
    az_vendors_free(vs);
    az_profile_free(p);
    return r;
}
