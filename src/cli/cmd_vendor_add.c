/* SPDX-License-Identifier: MIT */
/*
 * cmd_vendor_add.c - `anzen vendor add`: register a vendor in vendors.yaml.
 *
 * The registry is a file people edit, so the new entry is appended as
 * text (comments and layout of the rest stay as they are); the whole
 * result is validated with the registry's own loader before it replaces
 * the file atomically, so a failed add changes nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/hint.h"
#include "anzen/vendor.h"
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方: anzen vendor add ID --name 名称 [-f vendors.yaml] [-p profile.yaml]\n"
          "        [--systems emr,lab] [--contact 連絡先]\n"
          "        [--remote-method 方法] [--remote-device 装置]\n"
          "        [--contract-start 日付] [--contract-end 日付]\n"
          "        [--role-split none|draft|agreed] [--role-split-date 日付]\n"
          "        [--mds-version 版 --mds-received 日付] [--checklist-received 日付]\n"
          "事業者を登録する (ファイルの末尾に追記し、全体を検査してから保存する)。\n"
          "システムはプロファイルの ID。日付は 2025-04-01、令和7年4月1日、R7.4.1 のどれでも可\n",
          "usage: anzen vendor add ID --name NAME [-f vendors.yaml] [-p profile.yaml]\n"
          "        [--systems emr,lab] [--contact CONTACT]\n"
          "        [--remote-method METHOD] [--remote-device DEVICE]\n"
          "        [--contract-start DATE] [--contract-end DATE]\n"
          "        [--role-split none|draft|agreed] [--role-split-date DATE]\n"
          "        [--mds-version V --mds-received DATE] [--checklist-received DATE]\n"
          "Register a vendor: the entry is appended to the file and the whole file is\n"
          "checked before it is saved. Systems are profile IDs. Dates as 2025-04-01,\n"
          "令和7年4月1日 or R7.4.1\n"));
}

/* Append s as a double-quoted YAML scalar. */
static int quoted(struct az_buf *b, const char *s)
{
    int r = az_buf_puts(b, "\"");
    for (; !r && *s; s++) {
        if (*s == '"' || *s == '\\')
            r = az_buf_printf(b, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            r = az_buf_printf(b, "\\x%02x", (unsigned char)*s);
        else
            r = az_buf_add(b, s, 1);
    }
    return r ? r : az_buf_puts(b, "\"");
}

/* A date option as ISO, or an error naming the option. */
static bool iso(struct cli *c, const char *opt, const char *val, char *out)
{
    struct az_date d;

    if (az_date_parse(val, false, &d) < 0) {
        cli_err(c, "%s: 日付 \"%s\" が読めません", "%s: cannot read the date \"%s\"", opt, val);
        return false;
    }
    az_date_iso(d, out, 16);
    return true;
}

enum { O_NAME = 256, O_SYSTEMS, O_CONTACT, O_RM, O_RD, O_CS, O_CE, O_RS, O_RSD, O_MV, O_MR, O_CR };

/* --systems against the profile: an ID the profile lacks is refused
 * (with the valid IDs, and the close one); without a profile yet they
 * cannot be checked, which is said. Returns 0 or an exit code (p freed). */
static int check_systems(struct cli *c, const char *systems, struct az_profile *p,
                         const char *profile)
{
    const char **ids;
    int r = 0;

    if (!p) {
        fprintf(stderr,
                L(c,
                  "警告: %s がまだないため、--systems のシステム ID を確かめられません (anzen "
                  "init でプロファイルを作ると確かめます)\n",
                  "warning: no %s yet, so the --systems IDs cannot be checked (anzen init makes "
                  "the profile)\n"),
                profile);
        return 0;
    }
    if (!(ids = calloc(p->nsystems + 1, sizeof(*ids)))) {
        az_profile_free(p);
        return EXIT_ERROR;
    }
    for (size_t i = 0; i < p->nsystems; i++)
        ids[i] = p->systems[i].id;
    for (const char *s = systems; *s && !r;) {
        size_t n = strcspn(s, ",");
        AZ_AUTOFREE char *one = strndup(s, n);
        bool found = false;
        if (!one) {
            r = EXIT_ERROR;
            break;
        }
        for (size_t i = 0; i < p->nsystems; i++)
            found |= !strcmp(ids[i], one);
        if (!found) {
            AZ_AUTOFREE char *list = az_profile_system_list(p, false);
            const char *near = az_suggest(one, ids, p->nsystems);
            cli_err(c, "--systems: システム \"%s\" は %s にありません (システム ID: %s)",
                    "--systems: system \"%s\" is not in %s (system IDs: %s)", one, profile,
                    list && *list ? list : "-");
            if (near)
                fprintf(stderr, L(c, "もしかして: %s\n", "did you mean: %s\n"), near);
            r = EXIT_USAGE;
        }
        s += n;
        if (*s == ',')
            s++;
    }
    free(ids);
    if (r)
        az_profile_free(p);
    return r;
}

int vendor_add(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"file", required_argument, NULL, 'f'},
                                         {"profile", required_argument, NULL, 'p'},
                                         {"name", required_argument, NULL, O_NAME},
                                         {"systems", required_argument, NULL, O_SYSTEMS},
                                         {"contact", required_argument, NULL, O_CONTACT},
                                         {"remote-method", required_argument, NULL, O_RM},
                                         {"remote-device", required_argument, NULL, O_RD},
                                         {"contract-start", required_argument, NULL, O_CS},
                                         {"contract-end", required_argument, NULL, O_CE},
                                         {"role-split", required_argument, NULL, O_RS},
                                         {"role-split-date", required_argument, NULL, O_RSD},
                                         {"mds-version", required_argument, NULL, O_MV},
                                         {"mds-received", required_argument, NULL, O_MR},
                                         {"checklist-received", required_argument, NULL, O_CR},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *file = "vendors.yaml", *profile = "profile.yaml";
    const char *name = NULL, *systems = NULL, *contact = NULL, *rm = NULL, *rd = NULL;
    const char *rs = NULL, *mv = NULL;
    char cs[16] = "", ce[16] = "", rsd[16] = "", mr[16] = "", cr[16] = "";
    struct az_profile *p = NULL;
    struct az_vendors *vs = NULL;
    struct az_buf b;
    char *old = NULL;
    size_t oldlen = 0;
    int o, r = 0;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "f:p:h", opts, NULL)) != -1) {
        bool ok = true;
        switch (o) {
        case 'f':
            file = optarg;
            break;
        case 'p':
            profile = optarg;
            break;
        case O_NAME:
            name = optarg;
            break;
        case O_SYSTEMS:
            systems = optarg;
            break;
        case O_CONTACT:
            contact = optarg;
            break;
        case O_RM:
            rm = optarg;
            break;
        case O_RD:
            rd = optarg;
            break;
        case O_CS:
            ok = iso(c, "--contract-start", optarg, cs);
            break;
        case O_CE:
            ok = iso(c, "--contract-end", optarg, ce);
            break;
        case O_RS:
            rs = optarg;
            break;
        case O_RSD:
            ok = iso(c, "--role-split-date", optarg, rsd);
            break;
        case O_MV:
            mv = optarg;
            break;
        case O_MR:
            ok = iso(c, "--mds-received", optarg, mr);
            break;
        case O_CR:
            ok = iso(c, "--checklist-received", optarg, cr);
            break;
        default:
            return cli_opt_help(c, o, help);
        }
        if (!ok)
            return EXIT_USAGE;
    }
    if (optind != argc - 1 || !name || !*name) {
        if (optind == argc - 1 && (!name || !*name))
            cli_err(c, "--name (事業者の名称) が必要です", "--name (the vendor's name) is needed");
        help(c, stderr);
        return EXIT_USAGE;
    }
    if ((rsd[0] && !rs) || (mv && !mr[0])) {
        cli_err(c, "%s には %s も必要です", "%s also needs %s",
                rsd[0] ? "--role-split-date" : "--mds-version",
                rsd[0] ? "--role-split" : "--mds-received");
        return EXIT_USAGE;
    }
    if (access(profile, F_OK) == 0 && az_profile_load_file(&c->ctx, profile, &p) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (systems && (r = check_systems(c, systems, p, profile)))
        return r;
    if (access(file, F_OK) == 0 && az_read_text_file(&c->ctx, file, &old, &oldlen) < 0) {
        cli_liberr(c);
        az_profile_free(p);
        return EXIT_ERROR;
    }

    az_buf_init(&b, AZ_MAX_INPUT);
    if (old) {
        r = az_buf_add(&b, old, oldlen);
        if (!r && oldlen && old[oldlen - 1] != '\n')
            r = az_buf_puts(&b, "\n");
    } else {
        r = az_buf_puts(&b, "# anzen: the vendor registry (see anzen vendor --help)\n"
                            "anzen-vendors: 1\nvendors:\n");
    }
    if (!r)
        r = az_buf_printf(&b, "  - id: ");
    if (!r)
        r = quoted(&b, argv[optind]);
    if (!r)
        r = az_buf_puts(&b, "\n    name: ");
    if (!r)
        r = quoted(&b, name);
    if (!r && systems) {
        const char *s = systems;
        r = az_buf_puts(&b, "\n    systems: [");
        while (!r && *s) {
            size_t n = strcspn(s, ",");
            AZ_AUTOFREE char *one = strndup(s, n); /* the ID whole, however long */
            r = one ? quoted(&b, one) : AZ_ENOMEM;
            s += n;
            if (!r && *s == ',' && *++s)
                r = az_buf_puts(&b, ", ");
        }
        if (!r)
            r = az_buf_puts(&b, "]");
    }
    if (!r && contact) {
        r = az_buf_puts(&b, "\n    contact: ");
        if (!r)
            r = quoted(&b, contact);
    }
    if (!r && (rm || rd)) {
        r = az_buf_puts(&b, "\n    remote-maintenance: {method: ");
        if (!r)
            r = quoted(&b, rm ? rm : "");
        if (!r && rd) {
            r = az_buf_puts(&b, ", device: ");
            if (!r)
                r = quoted(&b, rd);
        }
        if (!r)
            r = az_buf_puts(&b, "}");
    }
    if (!r && (cs[0] || ce[0]))
        r = az_buf_printf(&b, "\n    contract: {%s%s%s%s%s}", cs[0] ? "start: " : "", cs,
                          cs[0] && ce[0] ? ", " : "", ce[0] ? "end: " : "", ce);
    if (!r && rs) {
        r = az_buf_puts(&b, "\n    role-split: {status: ");
        if (!r)
            r = quoted(&b, rs);
        if (!r)
            r = az_buf_printf(&b, "%s%s}", rsd[0] ? ", date: " : "", rsd);
    }
    if (!r && mr[0]) {
        r = az_buf_puts(&b, "\n    mds-sds: {");
        if (!r && mv) {
            r = az_buf_puts(&b, "version: ");
            if (!r)
                r = quoted(&b, mv);
            if (!r)
                r = az_buf_puts(&b, ", ");
        }
        if (!r)
            r = az_buf_printf(&b, "received: %s}", mr);
    }
    if (!r && cr[0])
        r = az_buf_printf(&b, "\n    checklist: {received: %s}", cr);
    if (!r)
        r = az_buf_puts(&b, "\n");
    if (r) {
        cli_err(c, "%s が大きすぎます", "%s is too large", file);
        r = EXIT_ERROR;
    } else if (az_vendors_load(&c->ctx, file, b.data, b.len, p, &vs) < 0) {
        /* nothing written: the file stays as it was */
        cli_liberr(c);
        cli_err(c, "%s は変更していません", "%s was not changed", file);
        r = EXIT_ERROR;
    } else if (vs->n == 0 || strcmp(vs->v[vs->n - 1].id, argv[optind])) {
        cli_err(c, "%s の末尾が vendors の一覧ではないため追記できません (手で編集してください)",
                "cannot append: %s does not end with the vendors list (edit it by hand)", file);
        r = EXIT_ERROR;
    } else {
        r = out_write(c, file, b.data, b.len);
        if (!r)
            printf(
                L(c, "事業者 %s (%s) を %s に登録しました\n", "registered vendor %s (%s) in %s\n"),
                argv[optind], name, file);
    }
    az_vendors_free(vs);
    az_buf_done(&b);
    free(old);
    az_profile_free(p);
    return r;
}
