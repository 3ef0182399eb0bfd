/* SPDX-License-Identifier: MIT */
/*
 * cmd_kev.c - `anzen kev info|check|import`: the known exploited
 * vulnerabilities of remote-access appliances (kev.h). The catalog in use
 * is kev.json in the working directory when present (written by
 * `kev import`), else the embedded dated subset.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anzen/kev.h"
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fprintf(
        f, "%s",
        L(c,
          "使い方:\n"
          "  anzen kev info\n"
          "      使っている KEV カタログ (CISA の既知の悪用された脆弱性) の日付と、\n"
          "      装置の系統ごとの件数・anzen が版の範囲を確かめた件数\n"
          "  anzen kev check 製品 版 [--format text|json]\n"
          "      その版が KEV の脆弱性の影響範囲にあるか (例: anzen kev check FortiOS 6.0.4)。\n"
          "      製品は系統 ID (fortinet-fortios など) か製品名。終了コード 2: 該当あり\n"
          "  anzen kev import FILE [-o kev.json] [--force]\n"
          "      CISA が公開する KEV カタログの JSON (全件) を検査し、対象の系統の項目を\n"
          "      kev.json に保存する。以後この作業ディレクトリではそれを使う。\n"
          "      使っているものより古いカタログは --force がなければ取り込まない\n",
          "usage:\n"
          "  anzen kev info\n"
          "      the KEV catalog in use (CISA Known Exploited Vulnerabilities): its date,\n"
          "      and per appliance family the entries and those anzen has version ranges for\n"
          "  anzen kev check PRODUCT VERSION [--format text|json]\n"
          "      is this version affected by a KEV vulnerability (e.g. anzen kev check\n"
          "      FortiOS 6.0.4)? PRODUCT is a family ID (fortinet-fortios, ...) or a product\n"
          "      name. Exit 2 when it is\n"
          "  anzen kev import FILE [-o kev.json] [--force]\n"
          "      check a full KEV catalog as CISA publishes it (JSON) and keep the families'\n"
          "      entries as kev.json, used from then on in this directory; a catalog older\n"
          "      than the one in use needs --force\n"));
}

int cli_kev(struct cli *c, const struct az_kev **ret)
{
    char *data = NULL, *rdata = NULL, rpath[4096] = "";
    size_t len = 0, rlen = 0;
    int r;

    if (c->kev) {
        *ret = c->kev;
        return 0;
    }
    /* --catalog DIR may hold its own curated ranges (appliances.yaml) */
    if (c->catalog_dir) {
        snprintf(rpath, sizeof(rpath), "%s/appliances.yaml", c->catalog_dir);
        if (access(rpath, F_OK) != 0)
            rpath[0] = '\0';
    }
    if ((*rpath && az_read_text_file(&c->ctx, rpath, &rdata, &rlen) < 0) ||
        (access("kev.json", F_OK) == 0 &&
         az_read_text_file(&c->ctx, "kev.json", &data, &len) < 0)) {
        free(rdata);
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (*rpath)
        r = az_kev_load_with(&c->ctx, rpath, rdata, rlen, data ? "kev.json" : NULL, data, len,
                             &c->kev);
    else
        r = az_kev_load(&c->ctx, data ? "kev.json" : NULL, data, len, &c->kev);
    free(data);
    free(rdata);
    if (r < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    *ret = c->kev;
    return 0;
}

static const char *tx(struct cli *c, struct az_text t)
{
    return c->lang == AZ_LANG_EN ? t.en : t.ja;
}

static int do_info(struct cli *c, const struct az_kev *k)
{
    printf(L(c, "KEV カタログ: %s 版 (公開 %.10s、全 %zu 件、出典: %s)\n",
             "KEV catalog: version %s (released %.10s, %zu entries, source: %s)\n"),
           k->catalog_version, k->date_released, k->catalog_count,
           !strcmp(k->source, "embedded") ? L(c, "組み込み", "embedded") : k->source);
    printf("%s\n",
           L(c, "  系統                                               KEV  範囲確認済み  未確認",
             "  family                                             KEV  with ranges   without"));
    for (size_t i = 0; i < k->nfamilies; i++) {
        const struct az_kev_family *f = &k->families[i];
        const struct az_kev_entry **u;
        size_t nu = 0, rules = 0, covered = 0;
        if (az_kev_uncovered(k, f, &u, &nu) < 0)
            return EXIT_ERROR;
        free(u);
        for (size_t j = 0; j < k->nrules; j++)
            if (k->rules[j].family == f) {
                rules++;
                covered += k->rules[j].entry != NULL;
            }
        fputs("  ", stdout);
        out_pad(stdout, tx(c, f->name), 50);
        printf(" %3zu  %12zu  %6zu\n", covered + nu, rules, nu);
    }
    printf("%s\n", L(c,
                     "未確認: KEV に載っているが anzen が版の範囲をまだ確かめていないもの "
                     "(装置の版を事業者に確認してください)",
                     "without: in KEV, but anzen has not yet checked the affected versions (ask "
                     "the vendor about the device's version)"));
    return 0;
}

static int do_check(struct cli *c, const struct az_kev *k, const char *product, const char *version,
                    const char *format)
{
    const struct az_kev_family *f = az_kev_family(k, product);
    struct az_kev_hit *h = NULL;
    size_t n = 0;
    char norm[128];
    int r;

    if (!f)
        f = az_kev_family_for(k, product);
    if (!f) {
        cli_err(c, "「%s」は anzen が扱う装置の系統ではありません (anzen kev info で一覧)",
                "\"%s\" is not an appliance family anzen knows (see anzen kev info)", product);
        return EXIT_USAGE;
    }
    az_kev_normalise(f, version, norm, sizeof(norm));
    if (!*norm) {
        cli_err(c, "版が空です", "the version is empty");
        return EXIT_USAGE;
    }
    if ((r = az_kev_match(k, f->id, version, &h, &n)) < 0) {
        cli_err(c, "メモリ不足", "out of memory");
        return EXIT_ERROR;
    }
    if (!strcmp(format, "json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            const struct az_kev_rule *ru = h[i].rule;
            const struct az_kev_range *g = h[i].range;
            json_array_append_new(
                arr, json_pack("{s:s, s:s?, s:b, s:s?, s:s?, s:s?, s:s, s:s?}", "cve", ru->cve,
                               "name", ru->entry ? ru->entry->name : NULL, "ransomware",
                               ru->entry && ru->entry->ransomware, "date-added",
                               ru->entry ? ru->entry->date_added : NULL, "fixed", g->fixed,
                               "branch", g->branch, "confidence", az_conf_token(ru->confidence),
                               "last-affected", g->last));
            if (ru->advice.ja)
                json_object_set_new(json_array_get(arr, json_array_size(arr) - 1), "advice",
                                    json_string(tx(c, ru->advice)));
        }
        r = out_json(c, NULL,
                     json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "schema", "anzen-kev-check/1",
                               "family", f->id, "version", norm, "catalog", k->catalog_version,
                               "source", k->source, "hits", arr));
    } else {
        printf("%s %s: ", tx(c, f->name), norm);
        if (!n)
            printf("%s\n", L(c, "anzen が範囲を確かめた KEV の脆弱性には該当しません",
                             "not affected by the KEV vulnerabilities anzen has ranges for"));
        else
            printf(L(c, "KEV の脆弱性 %zu 件の影響範囲にあります\n",
                     "affected by %zu KEV vulnerabilities\n"),
                   n);
        for (size_t i = 0; i < n; i++) {
            const struct az_kev_rule *ru = h[i].rule;
            const struct az_kev_range *g = h[i].range;
            printf("  %s%s", ru->cve,
                   ru->entry && ru->entry->ransomware
                       ? L(c, " (ランサムウェアでの悪用あり)", " (used by ransomware)")
                       : "");
            if (g->fixed)
                printf(L(c, "  %s 系は %s で修正", "  fixed in %s at %s"),
                       g->branch ? g->branch : L(c, "これまでの", "earlier releases"), g->fixed);
            else if (g->last)
                printf(L(c, "  %s 系は %s まで影響", "  %s affected up to %s"),
                       g->branch ? g->branch : L(c, "これまでの", "earlier releases"), g->last);
            else
                printf(L(c, "  %s 系に修正版なし (サポートされる系へ移行)",
                         "  no fix in %s (move to a supported train)"),
                       g->branch);
            if (ru->confidence != AZ_CONF_VERIFIED)
                printf(" [%s]", az_conf_name(ru->confidence, c->lang));
            putchar('\n');
            if (ru->advice.ja)
                printf("    %s\n", tx(c, ru->advice));
        }
        if (n)
            printf("  %s\n", tx(c, f->advice));
        printf(L(c, "(KEV カタログ %s 版)\n", "(KEV catalog version %s)\n"), k->catalog_version);
    }
    free(h);
    if (r)
        return r;
    return n ? EXIT_GAPS : 0;
}

/* A catalog that would silently stop or freeze KEV matching: no entries,
 * none of the appliance families, or a version (a date, YYYY.MM.DD) before
 * KEV began (2021-11) or after the as-of date. */
static int plausible(struct cli *c, const char *file, const struct az_kev *nk)
{
    struct az_date d;
    char iso[16];
    int ok;

    if (!nk->catalog_count) {
        cli_err(c,
                "%s: カタログに脆弱性が 1 件もありません。取り込むと KEV の照合が止まるため取り込み"
                "ません (--force で取り込む)",
                "%s: the catalog lists no vulnerabilities; importing it would stop all KEV "
                "matching, so it was not imported (--force to import anyway)",
                file);
        return EXIT_ERROR;
    }
    if (!nk->nentries) {
        cli_err(c,
                "%s: %zu 件のうち、anzen が照合する系統 (Fortinet, Ivanti など) の項目が 1 件も"
                "ありません。CISA の KEV カタログではないと思われるため取り込みません (--force で"
                "取り込む)",
                "%s: none of its %zu entries is of an appliance family anzen checks (Fortinet, "
                "Ivanti...); it does not look like CISA's KEV catalog, so it was not imported "
                "(--force to import anyway)",
                file, nk->catalog_count);
        return EXIT_ERROR;
    }
    snprintf(iso, sizeof(iso), "%.10s", nk->catalog_version ? nk->catalog_version : "");
    for (char *p = iso; *p; p++)
        if (*p == '.')
            *p = '-';
    ok = az_date_parse(iso, false, &d) == 0;
    /* a month of slack for a clock or as-of date behind */
    if (!ok || d.y < 2021 || az_date_to_days(d) > az_date_to_days(c->as_of) + 31) {
        cli_err(
            c,
            "%s: カタログの版 \"%s\" はありえない日付です (KEV の版は公開日 YYYY.MM.DD で、2021 "
            "年以降、基準日 (%04d-%02d-%02d) より後にはなりません)。取り込むと正しいカタログが"
            "古いとして拒まれるため取り込みません (--force で取り込む)",
            "%s: catalog version \"%s\" is not a plausible date (KEV versions are release "
            "dates YYYY.MM.DD, from 2021, not after the as-of date %04d-%02d-%02d); importing "
            "it would make the genuine catalog look older, so it was not imported (--force "
            "to import anyway)",
            file, nk->catalog_version ? nk->catalog_version : "", c->as_of.y, c->as_of.m,
            c->as_of.d);
        return EXIT_ERROR;
    }
    return 0;
}

static int do_import(struct cli *c, const struct az_kev *k, const char *file, const char *out,
                     bool force)
{
    char *data = NULL, *sub = NULL;
    size_t len = 0;
    struct az_kev *nk = NULL;
    int r;

    if ((r = cli_file_type_ok(c, file, "json", "KEV カタログ (CISA の JSON)",
                              "a KEV catalog (CISA's JSON)")))
        return r;
    if (az_read_text_file(&c->ctx, file, &data, &len) < 0) {
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (az_kev_subset(&c->ctx, k, file, data, len, &sub) < 0) {
        free(data);
        cli_liberr(c);
        return EXIT_ERROR;
    }
    free(data);
    len = strlen(sub);
    if (az_kev_load(&c->ctx, file, sub, len, &nk) < 0) {
        free(sub);
        cli_liberr(c);
        return EXIT_ERROR;
    }
    if (!force && (r = plausible(c, file, nk))) {
        /* refused: said why */
    } else if (!force && strcmp(nk->catalog_version, k->catalog_version) < 0) {
        cli_err(c, "%s は %s 版で、使っている %s 版より古いため取り込みません (--force で取り込む)",
                "%s is version %s, older than the version %s in use; not imported (--force "
                "to import anyway)",
                file, nk->catalog_version, k->catalog_version);
        r = EXIT_ERROR;
    } else {
        sub[len] = '\0';
        {
            char *t = realloc(sub, len + 2);
            if (!t) {
                r = EXIT_ERROR;
                goto out;
            }
            sub = t;
            sub[len] = '\n';
            sub[len + 1] = '\0';
        }
        r = out_write(c, out, sub, len + 1);
    }
    if (!r && out && strcmp(out, "-")) {
        size_t nu_all = 0;
        printf(L(c,
                 "KEV カタログ %s 版 (全 %zu 件) から、対象の系統の %zu 件を %s に保存しました\n",
                 "KEV catalog version %s (%zu entries): kept the %zu entries of the appliance "
                 "families in %s\n"),
               nk->catalog_version, nk->catalog_count, nk->nentries, out);
        for (size_t i = 0; i < nk->nfamilies; i++) {
            const struct az_kev_entry **u;
            size_t nu = 0;
            if (az_kev_uncovered(nk, &nk->families[i], &u, &nu) < 0)
                break;
            for (size_t j = 0; j < nu; j++) {
                bool known = false;
                for (size_t m = 0; m < k->nentries; m++)
                    known = known || !strcmp(k->entries[m].cve, u[j]->cve);
                if (!known)
                    printf(L(c, "  新しく載った項目: %s (%s、%s 追加) — 版の範囲は未確認\n",
                             "  new entry: %s (%s, added %s): affected versions not checked\n"),
                           u[j]->cve, tx(c, nk->families[i].name), u[j]->date_added);
            }
            nu_all += nu;
            free(u);
        }
        if (nu_all)
            printf(L(c,
                     "版の範囲を anzen が確かめていない項目が %zu 件あります "
                     "(該当する装置は事業者に版を確認してください)\n",
                     "%zu entries have no version ranges checked by anzen (ask the vendor "
                     "about affected devices)\n"),
                   nu_all);
    }
out:
    free(sub);
    az_kev_free(nk);
    return r;
}

int cmd_kev(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"force", no_argument, NULL, 'F'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = "kev.json", *format = "text", *sub;
    bool force = false;
    const struct az_kev *k = NULL;
    int o, r;

    if ((r = cli_sub_start(c, argc, argv, help, &sub)) >= 0)
        return r;
    while ((o = getopt_long(argc - 1, argv + 1, "o:f:h", opts, NULL)) != -1) {
        switch (o) {
        case 'o':
            out = optarg;
            break;
        case 'F':
            force = true;
            break;
        case 'f':
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
    if (!((!strcmp(sub, "info") && argc == 0) || (!strcmp(sub, "check") && argc == 2) ||
          (!strcmp(sub, "import") && argc == 1))) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    if ((r = cli_kev(c, &k)))
        return r;
    if (!strcmp(sub, "info"))
        r = do_info(c, k);
    else if (!strcmp(sub, "check"))
        r = do_check(c, k, argv[0], argv[1], format);
    else
        r = do_import(c, k, argv[0], out, force);
    return r;
}
