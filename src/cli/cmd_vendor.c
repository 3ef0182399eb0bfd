/* SPDX-License-Identifier: MIT */
/*
 * cmd_vendor.c - `anzen vendor list|show|check`: the vendor registry
 * (vendors.yaml) and what it is missing (MDS/SDS, remote-maintenance
 * device, role-split table, this year's 事業者確認用). `anzen vendor
 * pack|import`: the request sent to each vendor (the form prefilled, a
 * cover letter) and the answered form brought back.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anzen/report.h"
#include "anzen/vendor.h"
#include "anzen/xlsx.h"
#include "cli.h"
#include "report_load.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方:\n"
          "  anzen vendor add ID --name 名称 [...]   (anzen vendor add --help)\n"
          "  anzen vendor list  [-f vendors.yaml] [-p profile.yaml]\n"
          "  anzen vendor show ID [-f vendors.yaml] [-p profile.yaml]\n"
          "  anzen vendor check [-f vendors.yaml] [-p profile.yaml] [-a answers.yaml]\n"
          "                     [--format text|json]\n"
          "      事業者の登録 (vendors.yaml、形式は anzen vendor add --help と\n"
          "      /usr/share/doc/anzen/vendors-format.md) を読み、MDS/SDS の未受領、\n"
          "      リモート保守装置の未確認、役割分担の確認表の未合意、今年度の事業者確認用の\n"
          "      未受領、契約切れ、未登録の事業者を指摘する (終了コード 2: 要対応あり)。\n"
          "      回答ファイルの隣にある vendor-SYSTEM.yaml (vendor import で取り込んだもの) も\n"
          "      受領済みの事業者確認用として数える (日付は回答の確認日)\n"
          "  anzen vendor pack [-o DIR] [--system SYSTEM] [--due 日付] [--prefill] [--pdf]\n"
          "      システムごとに、医療機関名とシステムを記入済みの事業者確認用 (XLSX) と\n"
          "      依頼状 (HTML、--pdf で PDF も) を DIR (既定: vendor-pack) に作る。\n"
          "      依頼するもの: 事業者確認用、MDS/SDS、役割分担の確認表、リモート保守の装置\n"
          "      --prefill: 前回の回答 (vendor-SYSTEM.yaml) を記入しておく\n"
          "  anzen vendor import FILE [--system SYSTEM] [-a answers.yaml]\n"
          "      回答済みの事業者確認用 (XLSX。Excel や LibreOffice で保存したものも可、\n"
          "      CSV、回答ファイル) を検査して vendor-SYSTEM.yaml に取り込む。以後\n"
          "      anzen status と anzen report に載る\n",
          "usage:\n"
          "  anzen vendor add ID --name NAME [...]   (anzen vendor add --help)\n"
          "  anzen vendor list  [-f vendors.yaml] [-p profile.yaml]\n"
          "  anzen vendor show ID [-f vendors.yaml] [-p profile.yaml]\n"
          "  anzen vendor check [-f vendors.yaml] [-p profile.yaml] [-a answers.yaml]\n"
          "                     [--format text|json]\n"
          "      reads the vendor registry (vendors.yaml; its format: anzen vendor add --help\n"
          "      and /usr/share/doc/anzen/vendors-format.md) and reports\n"
          "      missing MDS/SDS, unconfirmed remote-maintenance devices, no agreed\n"
          "      role-split table, no vendor checklist this fiscal year, ended contracts\n"
          "      and unregistered vendors (exit 2 on gaps); the vendor-SYSTEM.yaml forms next\n"
          "      to the answers (as vendor import stores them) count as received, dated by\n"
          "      their answers' checked dates\n"
          "  anzen vendor pack [-o DIR] [--system SYSTEM] [--due DATE] [--prefill] [--pdf]\n"
          "      for each system, the vendor form (XLSX) prefilled with the institution and\n"
          "      the system, and a cover letter (HTML; PDF with --pdf) in DIR (default\n"
          "      vendor-pack), asking for the form, the MDS/SDS, the role-split table and\n"
          "      the remote-maintenance device; --prefill fills in the last answers\n"
          "  anzen vendor import FILE [--system SYSTEM] [-a answers.yaml]\n"
          "      check an answered vendor form (XLSX, also as saved by Excel or\n"
          "      LibreOffice; CSV; an answers file) and store it as vendor-SYSTEM.yaml,\n"
          "      where anzen status and anzen report pick it up\n"));
}

/* ---- vendor pack: the request to each vendor ---- */

static const char *const letter_ja[][2] = {
    {"dear", "御中"},
    {"subject", "サイバーセキュリティ対策チェックリスト (事業者確認用) ご回答のお願い"},
    {"opening", "平素より当院のシステムの導入・保守にご尽力いただき、ありがとうございます。"},
    {"purpose",
     "医療法施行規則により、医療機関は医療情報システムのサイバーセキュリティ対策を講じることとされ"
     "、"
     "厚生労働省のチェックリストで毎年確認し、立入検査でもその内容を示すことになっています。"
     "チェックリストには事業者の方に確認していただく項目 (事業者確認用) "
     "があるため、下記のシステムに"
     "ついてご回答と資料のご提出をお願いいたします。"},
    {"system", "対象システム"},
    {"checklist", "チェックリスト"},
    {"reply_by", "ご回答の期限"},
    {"contact", "当院の連絡先 (担当者)"},
    {"contact_fill", "氏名・部署・電話・メール (ご記入ください)"},
    {"asked", "お願いしたいもの"},
    {"ask_form", "事業者確認用: 添付の表に、各項目の確認結果 (はい/いいえ)、確認日、"
                 "「いいえ」の場合は対応の目標日をご記入ください。"},
    {"ask_mds", "製造業者/サービス事業者による医療情報セキュリティ開示書 (MDS/SDS) の最新版"},
    {"ask_role", "役割分担の確認表: 当院と貴社の責任の分担 (パッチ適用、ログの確認、バックアップ、"
                 "障害・インシデント時の対応など) をご確認のうえ、合意した版をご提出ください。"},
    {"ask_remote",
     "リモート保守に使う装置 (VPN 装置・ルータなど) の機種と版、その管理者と更新の担当、"
     "接続の方法と時間帯"},
    {"attached", "添付"},
    {"on_file", "当院の記録"},
    {"howto", "ご記入いただいた表は、ファイルの形式 (XLSX) を変えずにそのままご返送ください。"
              "Excel または LibreOffice で保存していただいて構いません。行や列の削除、項目番号の"
              "変更はお控えください。ご不明な点は担当者までお問い合わせください。"},
    {"closing", "ご多用のところ恐れ入りますが、何卒よろしくお願い申し上げます。"},
    {"end", "以上"},
};
static const char *const letter_en[][2] = {
    {"dear", ""},
    {"subject", "Request: the vendor part of the cybersecurity checklist"},
    {"opening", "Thank you for your continued support in running and maintaining our systems."},
    {"purpose",
     "Under the Medical Care Act Enforcement Regulation, medical institutions must take "
     "cybersecurity measures for their medical information systems, check them every year with "
     "the MHLW checklist and show the result at on-site inspections. Part of the checklist is to "
     "be answered by the vendor (the vendor form), so we ask you to answer it and send the "
     "documents below for the following system."},
    {"system", "System"},
    {"checklist", "Checklist"},
    {"reply_by", "Please reply by"},
    {"contact", "Our contact person"},
    {"contact_fill", "name, department, phone, e-mail (to be filled in)"},
    {"asked", "What we ask for"},
    {"ask_form", "The vendor form: in the attached sheet, enter for each item the result "
                 "(はい yes / いいえ no), the date checked and, for いいえ, the target date."},
    {"ask_mds", "The current manufacturer/service security disclosure sheet (MDS/SDS)"},
    {"ask_role", "The role-split confirmation table: please confirm how responsibilities are "
                 "shared between us (patching, log review, backups, incident response, ...) and "
                 "send the agreed version."},
    {"ask_remote", "The remote-maintenance device (VPN device, router): model and version, who "
                   "administers and patches it, how and when it connects"},
    {"attached", "Attached"},
    {"on_file", "On our file"},
    {"howto", "Please return the completed sheet as it is (XLSX); saving it with Excel or "
              "LibreOffice is fine. Please do not delete rows or columns or change item numbers. "
              "For any question, contact the person in charge."},
    {"closing", "Thank you for your cooperation."},
    {"end", ""},
};

/* A pharmacy writes as 当薬局 and answers to the PMD Act's rules, not to
 * the Medical Care Act's (the form's legal-basis in the catalog says which). */
static const char *const letter_pharmacy_ja[][2] = {
    {"opening", "平素より当薬局のシステムの導入・保守にご尽力いただき、ありがとうございます。"},
    {"purpose",
     "薬局は、医薬品医療機器等法 (薬機法) の施行規則により、医療情報システムのサイバーセキュリティ"
     "対策を講じることとされ、厚生労働省の薬局向けチェックリストで毎年確認し、立入検査でもその内容"
     "を"
     "示すことになっています。チェックリストには事業者の方に確認していただく項目 (事業者確認用) "
     "があるため、下記のシステムについてご回答と資料のご提出をお願いいたします。"},
    {"ask_role",
     "役割分担の確認表: 当薬局と貴社の責任の分担 (パッチ適用、ログの確認、バックアップ、"
     "障害・インシデント時の対応など) をご確認のうえ、合意した版をご提出ください。"},
    {"on_file", "当薬局の記録"},
    {"contact", "当薬局の連絡先 (担当者)"},
};
static const char *const letter_pharmacy_en[][2] = {
    {"opening", "Thank you for your continued support in running and maintaining our pharmacy's "
                "systems."},
    {"purpose",
     "Under the enforcement rules of the Pharmaceuticals and Medical Devices Act (PMD Act), "
     "pharmacies must take cybersecurity measures for their medical information systems, check "
     "them every year with the MHLW checklist for pharmacies and show the result at inspections. "
     "Part of the checklist is to be answered by the vendor (the vendor form), so we ask you to "
     "answer it and send the documents below for the following system."},
    {"ask_role", "The role-split confirmation table: please confirm how responsibilities are "
                 "shared between our pharmacy and you (patching, log review, backups, incident "
                 "response, ...) and send the agreed version."},
    {"on_file", "On our file"},
    {"contact", "Our contact person"},
};

static int write_letter(struct cli *c, struct az_tmpl_set *set, const struct az_profile *p,
                        const struct az_system *sys, const struct az_vendor *reg,
                        const struct az_edition *ed, struct az_date due, const char *form_file,
                        const char *path, bool pdf)
{
    json_t *t = json_object(), *v;
    char d[64], dd[64], role[128];
    struct az_buf b;
    const struct az_form *vf = NULL;
    struct az_text doc_title = ed->title;
    int r = 0;

    for (size_t i = 0; i < sizeof(letter_ja) / sizeof(letter_ja[0]); i++)
        json_object_set_new(t, letter_ja[i][0],
                            json_string(c->lang == AZ_LANG_EN ? letter_en[i][1] : letter_ja[i][1]));
    if (p->type == AZ_INST_PHARMACY)
        for (size_t i = 0; i < sizeof(letter_pharmacy_ja) / sizeof(letter_pharmacy_ja[0]); i++)
            json_object_set_new(t, letter_pharmacy_ja[i][0],
                                json_string(c->lang == AZ_LANG_EN ? letter_pharmacy_en[i][1]
                                                                  : letter_pharmacy_ja[i][1]));
    for (size_t i = 0; i < ed->nforms; i++)
        if (ed->forms[i].vendor)
            vf = &ed->forms[i];
    {
        /* the institution's own form names the checklist */
        const struct az_form *inf = az_form_for_profile(ed, p);
        if (inf)
            doc_title = az_form_doc_title(inf); /* 薬局における… for a pharmacy */
    }
    if (c->lang == AZ_LANG_EN) {
        az_date_iso(c->as_of, d, sizeof(d));
        az_date_iso(due, dd, sizeof(dd));
    } else {
        az_date_wareki(c->as_of, d, sizeof(d));
        az_date_wareki(due, dd, sizeof(dd));
    }
    AZ_AUTOFREE char *mds = NULL;
    if (reg && reg->has_mds) {
        char x[16];
        az_date_iso(reg->mds_received, x, sizeof(x));
        mds = az_fmt(L(c, "版 %s (%s 受領)", "version %s (received %s)"),
                     reg->mds_version ? reg->mds_version : "?", x);
    } else {
        mds = az_fmt("%s", L(c, "未受領", "not received"));
    }
    snprintf(role, sizeof(role), "%s",
             reg && reg->role_split == 2 ? L(c, "合意済み (改訂があればご提出ください)",
                                             "agreed (please send any revision)")
             : reg && reg->role_split == 1 ? L(c, "案のまま (未合意)", "draft, not agreed")
                                           : L(c, "なし", "none"));
    /* the registry's free text, whole: cut inside a character, it made
     * json_pack fail (reported as out of memory) */
    AZ_AUTOFREE char *remote = az_fmt(
        "%s / %s",
        reg && reg->rm_method ? reg->rm_method : L(c, "方法の記録なし", "no method on file"),
        reg && reg->rm_device ? reg->rm_device : L(c, "装置の記録なし", "no device on file"));
    if (!mds || !remote) {
        json_decref(t);
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    v = json_pack("{s:s, s:o, s:s, s:s, s:{s:s, s:s?}, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:s, "
                  "s:s, s:s, s:b, s:s, s:s}",
                  "lang", c->lang == AZ_LANG_EN ? "en" : "ja", "t", t, "date", d, "vendor",
                  sys->vendor ? sys->vendor : "", "institution", "name", p->name, "person",
                  p->person, "system", "id", sys->id, "name", sys->name, "edition", "title",
                  c->lang == AZ_LANG_EN ? doc_title.en : doc_title.ja, "version", ed->version,
                  "form", vf ? (c->lang == AZ_LANG_EN ? vf->title.en : vf->title.ja) : "", "due",
                  dd, "form_file", form_file, "mds_state", mds, "remote",
                  sys->remote_maintenance || (reg && reg->rm_method), "remote_state", remote,
                  "role_state", role);
    if (!v) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    az_buf_init(&b, 4u * 1024 * 1024);
    if (az_tmpl_render(&c->ctx, set, "vendor-letter.html", v, NULL, &b) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
    } else if (pdf) {
        r = report_pdf(c, b.data, b.len, path);
    } else {
        r = out_write(c, path, b.data, b.len);
    }
    az_buf_done(&b);
    json_decref(v);
    return r;
}

static int vendor_pack(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                         {"answers", required_argument, NULL, 'a'},
                                         {"file", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"system", required_argument, NULL, 's'},
                                         {"due", required_argument, NULL, 'd'},
                                         {"edition", required_argument, NULL, 'e'},
                                         {"prefill", no_argument, NULL, 'P'},
                                         {"pdf", no_argument, NULL, 'D'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *profile = "profile.yaml", *answers = "answers.yaml", *file = NULL,
               *dir = "vendor-pack", *only = NULL, *edition = NULL;
    bool prefill = false, pdf = false, any = false;
    struct az_date due;
    bool has_due = false;
    struct az_profile *p = NULL;
    struct az_vendors *vs = NULL;
    struct az_tmpl_set *set = NULL;
    const struct az_edition *ed;
    char path[PATH_MAX], vfile[PATH_MAX];
    int o, r = 0;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:a:f:o:s:d:e:h", opts, NULL)) != -1) {
        switch (o) {
        case 'p':
            profile = optarg;
            break;
        case 'a':
            answers = optarg;
            break;
        case 'f':
            file = optarg;
            break;
        case 'o':
            dir = optarg;
            break;
        case 's':
            only = optarg;
            break;
        case 'e':
            edition = optarg;
            break;
        case 'd':
            if (az_date_parse(optarg, false, &due) < 0) {
                cli_err(c, "--due の日付 \"%s\" が不正です", "invalid --due date \"%s\"", optarg);
                return EXIT_USAGE;
            }
            has_due = true;
            break;
        case 'P':
            prefill = true;
            break;
        case 'D':
            pdf = true;
            break;
        default:
            return cli_opt_help(c, o, help);
        }
    }
    if (optind < argc) {
        cli_err(c, "余分な引数 \"%s\"", "unexpected argument \"%s\"", argv[optind]);
        return EXIT_USAGE;
    }
    if (!has_due)
        due = az_date_add_days(c->as_of, 30);
    if ((r = cli_catalog(c)))
        return r;
    if (!(ed = cli_edition(c, edition)))
        return EXIT_ERROR;
    if (az_profile_load_file(&c->ctx, profile, &p) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    {
        /* the registry (vendors.yaml next to the profile) says what is on file */
        const char *slash = strrchr(profile, '/');
        char *data = NULL;
        size_t len;
        if (file)
            snprintf(vfile, sizeof(vfile), "%s", file);
        else if (slash)
            snprintf(vfile, sizeof(vfile), "%.*s/vendors.yaml", (int)(slash - profile), profile);
        else
            snprintf(vfile, sizeof(vfile), "vendors.yaml");
        if ((file || access(vfile, F_OK) == 0) &&
            (az_read_text_file(&c->ctx, vfile, &data, &len) < 0 ||
             az_vendors_load(&c->ctx, vfile, data, len, p, &vs) < 0)) {
            free(data);
            cli_liberr(c);
            az_profile_free(p);
            return EXIT_ERROR;
        }
        free(data);
    }
    if (az_report_templates(&c->ctx, &set) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
        goto out;
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        cli_err(c, "%s を作れません: %s", "cannot create %s: %s", dir,
                az_errno_text(c->lang, errno));
        r = EXIT_ERROR;
        goto out;
    }
    if (only && az_profile_find_system(p, only))
        only = az_profile_find_system(p, only)->id; /* by name or an old system-N */
    for (size_t i = 0; i < p->nsystems && !r; i++) {
        const struct az_system *sys = &p->systems[i];
        const struct az_vendor *reg = NULL;
        struct az_answers *prev = NULL;
        char form_name[300];
        if (!sys->vendor || (only && strcmp(only, sys->id)))
            continue;
        any = true;
        for (size_t k = 0; vs && k < vs->n && !reg; k++)
            for (size_t s2 = 0; s2 < vs->v[k].nsystems; s2++)
                if (!strcmp(vs->v[k].systems[s2], sys->id))
                    reg = &vs->v[k];
        if (prefill) {
            char pp[PATH_MAX];
            vendor_path(answers, sys->id, pp, sizeof(pp));
            if (access(pp, F_OK) == 0) {
                struct az_answers *a0;
                if (az_answers_load_file(&c->ctx, c->cat, pp, &a0) < 0) {
                    cli_liberr(c);
                    r = EXIT_ERROR;
                    break;
                }
                if (a0->edition != ed) {
                    if (az_answers_migrate(&c->ctx, a0, ed, &prev) < 0) {
                        cli_liberr(c);
                        az_answers_free(a0);
                        r = EXIT_ERROR;
                        break;
                    }
                    az_answers_free(a0);
                } else {
                    prev = a0;
                }
            }
        }
        snprintf(form_name, sizeof(form_name), "vendor-form-%s.xlsx", sys->id);
        snprintf(path, sizeof(path), "%s/%s", dir, form_name);
        if (az_xlsx_vendor_form(&c->ctx, ed, p, sys, prev, c->as_of, path) < 0) {
            cli_liberr(c);
            az_answers_free(prev);
            r = EXIT_ERROR;
            break;
        }
        az_answers_free(prev);
        printf("%s\n", path);
        snprintf(path, sizeof(path), "%s/letter-%s.html", dir, sys->id);
        if ((r = write_letter(c, set, p, sys, reg, ed, due, form_name, path, false)))
            break;
        printf("%s\n", path);
        if (pdf) {
            snprintf(path, sizeof(path), "%s/letter-%s.pdf", dir, sys->id);
            if ((r = write_letter(c, set, p, sys, reg, ed, due, form_name, path, true)))
                break;
            printf("%s\n", path);
        }
    }
    if (!r && !any) {
        if (only) {
            char *list = az_profile_system_list(p, true);
            cli_err(c, "事業者のいるシステム \"%s\" はありません (指定できるシステム ID: %s)",
                    "no system \"%s\" with a vendor (system IDs: %s)", only, list ? list : "-");
            free(list);
        } else
            cli_err(c, "事業者のいるシステムがプロファイルにありません",
                    "the profile has no system with a vendor");
        r = EXIT_ERROR;
    }
    if (!r)
        cli_next(c,
                 "依頼状と事業者確認用を事業者に送り、返ってきたら anzen vendor import 回答.xlsx",
                 "send each letter and form to its vendor; when one comes back: anzen vendor "
                 "import ANSWER.xlsx");
out:
    az_tmpl_set_free(set);
    az_vendors_free(vs);
    az_profile_free(p);
    return r;
}

/* ---- vendor import: the answered form comes back ---- */

static int vendor_import(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                         {"answers", required_argument, NULL, 'a'},
                                         {"system", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *profile = "profile.yaml", *answers = "answers.yaml", *system = NULL;
    struct az_profile *p = NULL;
    struct az_answers *a = NULL, *check = NULL;
    struct az_eval *e = NULL;
    char *data = NULL, *yaml = NULL, out[PATH_MAX];
    size_t len;
    int o, r;

    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:a:s:h", opts, NULL)) != -1) {
        switch (o) {
        case 'p':
            profile = optarg;
            break;
        case 'a':
            answers = optarg;
            break;
        case 's':
            system = optarg;
            break;
        default:
            return cli_opt_help(c, o, help);
        }
    }
    if (optind + 1 != argc) {
        cli_err(c, "取り込むファイルを 1 つ指定してください", "give one file to import");
        return EXIT_USAGE;
    }
    if ((r = cli_catalog(c)))
        return r;
    if (az_profile_load_file(&c->ctx, profile, &p) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if ((r = cli_file_type_ok(c, argv[optind], "xlsx csv yaml json text",
                              "事業者確認用 (XLSX、CSV、YAML)", "a vendor form (XLSX, CSV, YAML)")))
        goto out;
    if ((r = cli_read_binary(c, argv[optind], &data, &len)))
        goto out;
    if (az_vendor_form_import(&c->ctx, c->cat, p, system, argv[optind], data, len, &a) < 0 ||
        az_evaluate(&c->ctx, c->cat, p, a, a->edition, c->as_of, &e) < 0) {
        cli_liberr(c);
        r = EXIT_ERROR;
        goto out;
    }
    /* what is written must read back as the same answers */
    yaml = az_answers_to_yaml(a, c->lang);
    if (!yaml || az_answers_load(&c->ctx, c->cat, "imported", yaml, strlen(yaml), &check) < 0 ||
        check->n != a->n) {
        cli_err(c, "取り込んだ回答を書き出せません", "cannot write the imported answers");
        r = EXIT_ERROR;
        goto out;
    }
    vendor_path(answers, a->system, out, sizeof(out));
    if ((r = out_write(c, out, yaml, strlen(yaml))))
        goto out;
    printf(L(c,
             "%s: システム %s の事業者確認用の回答 %zu 件を %s に取り込みました "
             "(はい %d、いいえ %d、未回答 %d)\n",
             "%s: system %s: %zu vendor-form answers imported into %s (yes %d, no %d, "
             "unanswered %d)\n"),
           argv[optind], a->system, a->n, out, e->total.satisfied, e->total.gaps,
           e->total.unanswered);
out:
    az_eval_free(e);
    az_answers_free(check);
    az_answers_free(a);
    free(yaml);
    free(data);
    az_profile_free(p);
    return r;
}

int cmd_vendor(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"file", required_argument, NULL, 'f'},    {"profile", required_argument, NULL, 'p'},
        {"answers", required_argument, NULL, 'a'}, {"format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    const char *file = "vendors.yaml", *profile = "profile.yaml", *format = "text", *sub;
    const char *answers = "answers.yaml";
    struct az_profile *p = NULL;
    struct az_vendors *vs = NULL;
    char *data = NULL;
    size_t len;
    int o, r;
    bool file_given = false, no_registry = false;

    if ((r = cli_sub_start(c, argc, argv, help, &sub)) >= 0)
        return r;
    r = 0;
    if (!strcmp(sub, "add"))
        return vendor_add(c, argc - 1, argv + 1);
    if (!strcmp(sub, "pack"))
        return vendor_pack(c, argc - 1, argv + 1);
    if (!strcmp(sub, "import"))
        return vendor_import(c, argc - 1, argv + 1);
    while ((o = getopt_long(argc - 1, argv + 1, "f:p:a:h", opts, NULL)) != -1) {
        switch (o) {
        case 'f':
            file = optarg;
            file_given = true;
            break;
        case 'p':
            profile = optarg;
            break;
        case 'a':
            answers = optarg;
            break;
        case 'F':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        default:
            return cli_opt_help(c, o, help);
        }
    }
    argc -= optind + 1;
    argv += optind + 1;
    if (!((!strcmp(sub, "list") && !argc) || (!strcmp(sub, "check") && !argc) ||
          (!strcmp(sub, "show") && argc == 1))) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    /* check without a registry yet: every vendor is unregistered (gaps),
     * not an error; an explicit -f must exist */
    no_registry =
        !strcmp(sub, "check") && !file_given && access(file, F_OK) != 0 && errno == ENOENT;
    if (no_registry && !(data = strdup("anzen-vendors: 1\nvendors: []\n"))) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    len = data ? strlen(data) : 0;
    if (az_profile_load_file(&c->ctx, profile, &p) < 0 ||
        (!no_registry && az_read_text_file(&c->ctx, file, &data, &len) < 0) ||
        az_vendors_load(&c->ctx, file, data, len, p, &vs) < 0) {
        cli_liberr(c);
        free(data);
        az_profile_free(p);
        return EXIT_ERROR;
    }
    free(data);
    if (vs->warnings)
        fputs(vs->warnings, stderr); /* e.g. a system the profile lacks: said, not fatal */
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
        /* the vendor forms held next to the answers count as received */
        struct az_ws_vendor_form *sums = NULL;
        size_t nsums = 0;
        json_t *res = NULL;
        if ((r = cli_catalog(c)) || (r = vendor_sums(c, p, answers, NULL, &sums, &nsums))) {
            az_vendors_free(vs);
            az_profile_free(p);
            return r;
        }
        res = az_ws_vendor_check(vs, p, c->as_of, sums, nsums);
        az_ws_vendor_forms_free(sums, nsums);
        if (!res) {
            cli_err(c, "メモリ不足", "out of memory");
            r = EXIT_ERROR;
        } else if (!strcmp(format, "json")) {
            r = out_json(c, NULL, json_incref(res));
        } else {
            printf("%s: %zu\n", L(c, "事業者の点検", "Vendor check"), vs->n);
            if (no_registry)
                printf(L(c,
                         "%s がまだありません: プロファイルの事業者はどれも未登録です "
                         "(anzen vendor add で登録してください)\n",
                         "%s does not exist yet: no vendor of the profile is registered "
                         "(register them with anzen vendor add)\n"),
                       file);
            out_findings(c, json_object_get(res, "findings"));
        }
        if (!r && (json_integer_value(json_object_get(res, "gaps")) > 0 ||
                   (no_registry && json_array_size(json_object_get(res, "findings")) > 0)))
            r = EXIT_GAPS;
        json_decref(res);
    }
    az_vendors_free(vs);
    az_profile_free(p);
    return r;
}
