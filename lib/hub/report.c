/* SPDX-License-Identifier: MIT */
/*
 * report.c - the hub's report for a region or a group: one query per
 * section (the dashboard runs the same ones), the comparison with the
 * MHLW survey (data/hub/survey.yaml), and its HTML and XLSX renderings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <xlsxwriter.h>

#include "anzen/catalog.h"
#include "anzen/doc.h"
#include "anzen/hub.h"
#include "anzen/kev.h"
#include "anzen/util.h"
#include "hub_internal.h"

/* What a reader of the survey comparison must know (HTML and XLSX). */
#define SURVEY_NOTE_JA                                                                                                                       \
    "注意: 調査の値は、公表された調査そのものではなく二次資料から読み取ったもので、まだ確かめて" \
    "いません。また、調査の各指標を anzen のチェックリストの 1 項目に当てはめて比べているため、"     \
    "比べ方そのものにずれがあり得ます。目安としてお使いください。"
#define SURVEY_NOTE_EN                                                                             \
    "Note: the survey's rates were read from secondary summaries, not the published survey "       \
    "itself, and are not yet verified. Each survey indicator is matched to one item of anzen's "   \
    "checklist, so the comparison itself may be off. Use them as a rough guide."

extern const struct az_file_blob az_embedded_hub[];
extern const size_t az_embedded_hub_n;

int az_hub_survey_embedded(const char **ret, size_t *ret_len)
{
    for (size_t i = 0; i < az_embedded_hub_n; i++)
        if (strstr(az_embedded_hub[i].name, "survey.yaml")) {
            *ret = az_embedded_hub[i].data;
            *ret_len = az_embedded_hub[i].len;
            return 0;
        }
    return AZ_ENOTFOUND;
}

/* Each section: its name, titles, column labels (ja|en, "," separated),
 * and its SQL; {Y} is the scope on inst_year y (fiscal year, prefecture,
 * group), {S} the same on item_status s, {T} the scope without the
 * fiscal year (trend). $1 is the group ('' for all). */
struct section {
    const char *name, *title_ja, *title_en, *cols_ja, *cols_en, *sql;
};

static const struct section sections[] = {
    {"completion_by_item", "項目ごとの対応率", "Completion by item",
     "項目,該当,対応済み,対応率 (%),期限超過", "item,applicable,satisfied,percent,overdue",
     "SELECT s.topic, count(*) FILTER (WHERE s.status <= 2),"
     " count(*) FILTER (WHERE s.status = 0),"
     " coalesce(round(100.0 * count(*) FILTER (WHERE s.status = 0)"
     " / nullif(count(*) FILTER (WHERE s.status <= 2), 0))::int, 0),"
     " count(*) FILTER (WHERE s.overdue) FROM item_status s WHERE {S}"
     " GROUP BY s.topic ORDER BY s.topic"},
    {"by_type_band", "種別・病床規模ごとの対応率", "Completion by type and bed band",
     "種別,病床規模,機関数,対応率 (%),期限超過のある機関",
     "type,bed band,institutions,percent,with overdue items",
     "SELECT y.type, y.bed_band, count(*),"
     " coalesce(round(100.0 * sum(y.satisfied) / nullif(sum(y.applicable), 0))::int, 0),"
     " count(*) FILTER (WHERE y.overdue > 0) FROM inst_year y WHERE {Y}"
     " GROUP BY y.type, y.bed_band ORDER BY y.type,"
     " " AZ_HUB_BAND_ORDER ", y.bed_band"},
    {"overdue_institutions", "期限超過の項目がある機関 (多い順、最大 200)",
     "Institutions with overdue items (most first, at most 200)",
     "機関 ID,名称,種別,都道府県,期限超過,対応済み,該当",
     "institution,name,type,prefecture,overdue,satisfied,applicable",
     /* the first 200 are chosen before the names are joined in */
     "SELECT t.institution, i.name, t.type, t.prefecture, t.overdue, t.satisfied,"
     " t.applicable FROM (SELECT y.institution, y.type, y.prefecture, y.overdue,"
     " y.satisfied, y.applicable FROM inst_year y"
     " WHERE {Y} AND y.overdue > 0 ORDER BY y.overdue DESC, y.institution LIMIT 200) t"
     " JOIN institution i ON i.id = t.institution ORDER BY t.overdue DESC, t.institution"},
    {"mfa_fy2027", "令和9年度の二要素認証への備え",
     "Readiness for two-factor authentication (FY2027)",
     "種別,機関数,備えあり,備えあり (%),二要素認証の項目に対応",
     "type,institutions,ready,ready (%),2FA item satisfied",
     "SELECT y.type, count(*), count(*) FILTER (WHERE y.mfa_fy2027),"
     " round(100.0 * count(*) FILTER (WHERE y.mfa_fy2027) / count(*))::int,"
     " count(*) FILTER (WHERE y.mfa) FROM inst_year y WHERE {Y} GROUP BY y.type"
     " ORDER BY y.type"},
    {"kev_vpn", "KEV に載る脆弱性のある VPN 装置 (製品・版ごと)",
     "VPN devices exposed to KEV vulnerabilities (by product and version)", "製品,版,台数,機関数",
     "product,version,devices,institutions",
     "SELECT k.family, k.version, count(*), count(DISTINCT k.institution) FROM vpn_kev k"
     " JOIN inst_year y ON y.prefecture = k.prefecture AND y.fiscal_year = k.fiscal_year AND"
     " y.institution = k.institution WHERE {Y} GROUP BY k.family, k.version"
     " ORDER BY count(*) DESC, k.family, k.version LIMIT 100"},
    {"trend", "年度ごとの推移", "Trend across fiscal years",
     "年度,機関数,対応率 (%),期限超過のある機関,BCP あり (%)",
     "fiscal year,institutions,percent,with overdue items,cyber BCP (%)",
     "SELECT y.fiscal_year, count(*),"
     " coalesce(round(100.0 * sum(y.satisfied) / nullif(sum(y.applicable), 0))::int, 0),"
     " count(*) FILTER (WHERE y.overdue > 0),"
     " round(100.0 * count(*) FILTER (WHERE y.cyber_bcp) / count(*))::int"
     " FROM inst_year y WHERE {T} GROUP BY y.fiscal_year ORDER BY y.fiscal_year"},
    {"indicators", "調査と比べる指標 (病院 / 病院以外)",
     "Indicators compared with the survey (hospitals / other institutions)",
     "対象,機関数,BCP,二要素認証,更新,USB,契約の役割分担",
     "population,institutions,cyber BCP,2FA,patching,USB,contract roles",
     "SELECT CASE WHEN y.type = 'hospital' THEN 'hospital' ELSE 'other' END, count(*),"
     " count(*) FILTER (WHERE y.cyber_bcp), count(*) FILTER (WHERE y.mfa),"
     " count(*) FILTER (WHERE y.patching), count(*) FILTER (WHERE y.usb),"
     " count(*) FILTER (WHERE y.contract_roles) FROM inst_year y WHERE {Y} GROUP BY 1"
     " ORDER BY 1"},
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

const char *const az_hub_queries[] = {"completion_by_item",
                                      "by_type_band",
                                      "overdue_institutions",
                                      "mfa_fy2027",
                                      "kev_vpn",
                                      "trend",
                                      "indicators",
                                      NULL};

/* Reused this long (s) by the reports and pages of one handle: the count
 * behind it reads every institution-year, about 70 ms at 240,000
 * institutions, which every dashboard query would otherwise pay. An
 * ingest through the handle forgets it; one by another process shows
 * within this time. */
#define HUB_FY_TTL 60

int az_hub_default_fy(struct az_ctx *ctx, struct az_hub *h, int *fy)
{
    time_t now = time(NULL);
    PGresult *r;

    if (h->fy_at && now >= h->fy_at && now - h->fy_at < HUB_FY_TTL) {
        *fy = h->fy;
        return 0;
    }
    if (hub_reconnect(ctx, h) < 0)
        return ctx->err;
    r = PQexec(h->c, AZ_HUB_DEFAULT_FY_SQL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQstatus(h->c) == CONNECTION_BAD) {
        /* the server restarted since the last command: once more */
        PQclear(r);
        if (hub_reconnect(ctx, h) < 0)
            return ctx->err;
        r = PQexec(h->c, AZ_HUB_DEFAULT_FY_SQL);
    }
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return hub_pg_fail(ctx, h->c, "inst_year");
    }
    *fy = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    h->fy = *fy;
    h->fy_at = now;
    return 0;
}

static json_t *cell(PGresult *r, int row, int col)
{
    Oid t = PQftype(r, col);
    const char *v;

    if (PQgetisnull(r, row, col))
        return json_null();
    v = PQgetvalue(r, row, col);
    if (t == 20 || t == 21 || t == 23 || t == 1700)
        return json_integer(strtoll(v, NULL, 10));
    if (t == 16)
        return json_boolean(v[0] == 't');
    return json_string(v);
}

/* The SQL with {Y}, {S} and {T} replaced (new string). */
static char *subst(const char *sql, const char *y, const char *s, const char *t)
{
    struct az_buf b;
    const char *p;

    az_buf_init(&b, 1u << 20);
    while ((p = strchr(sql, '{')) && p[1] && p[2] == '}') {
        az_buf_add(&b, sql, (size_t)(p - sql));
        az_buf_puts(&b, p[1] == 'Y' ? y : p[1] == 'S' ? s : t);
        sql = p + 3;
    }
    az_buf_puts(&b, sql);
    return az_buf_take(&b);
}

static int run_section(struct az_ctx *ctx, struct az_hub *h, const struct section *sec,
                       const struct az_hub_scope *s, int fy, json_t **ret)
{
    char *ys = NULL, *ss = NULL, *ts = NULL, *sql = NULL;
    const char *vals[1] = {s->group ? s->group : ""};
    PGresult *r;
    json_t *rows, *out;
    int rc = 0;

    /* the prefecture and year are integers put into the text, so the
     * planner prunes the partitions; the group is a parameter */
    if (az_strf(&ys, "y.fiscal_year = %d AND ($1 = '' OR y.grp = $1)", fy) < 0 ||
        az_strf(&ss,
                "s.fiscal_year = %d AND ($1 = '' OR s.institution IN (SELECT g.institution"
                " FROM inst_year g WHERE g.grp = $1 AND g.fiscal_year = %d))",
                fy, fy) < 0 ||
        az_strf(&ts, "($1 = '' OR y.grp = $1)") < 0)
        goto nomem;
    if (s->prefecture && (az_strf(&ys, "%s AND y.prefecture = %d", ys, s->prefecture) < 0 ||
                          az_strf(&ss, "%s AND s.prefecture = %d", ss, s->prefecture) < 0 ||
                          az_strf(&ts, "%s AND y.prefecture = %d", ts, s->prefecture) < 0))
        goto nomem;
    if (!(sql = subst(sec->sql, ys, ss, ts)))
        goto nomem;
    r = PQexecParams(h->c, sql, 1, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        rc = hub_pg_fail(ctx, h->c, sec->name);
        goto out;
    }
    rows = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *row = json_array();
        for (int c = 0; c < PQnfields(r); c++)
            json_array_append_new(row, cell(r, i, c));
        json_array_append_new(rows, row);
    }
    PQclear(r);
    out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "name", sec->name, "title_ja", sec->title_ja,
                    "title_en", sec->title_en, "columns_ja", sec->cols_ja, "columns_en",
                    sec->cols_en, "rows", rows);
    if (!out)
        goto nomem;
    *ret = out;
    goto out;
nomem:
    rc = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
out:
    free(ys);
    free(ss);
    free(ts);
    free(sql);
    return rc;
}

int az_hub_query(struct az_ctx *ctx, struct az_hub *h, const char *name,
                 const struct az_hub_scope *s, json_t **ret)
{
    int fy = s->fiscal_year;

    if (hub_check_schema(ctx, h) < 0)
        return ctx->err;
    if (!fy && az_hub_default_fy(ctx, h, &fy) < 0)
        return ctx->err;
    for (size_t i = 0; i < NSECTIONS; i++)
        if (!strcmp(sections[i].name, name))
            return run_section(ctx, h, &sections[i], s, fy, ret);
    return az_fail(ctx, AZ_ENOTFOUND, "未知の集計 \"%s\"", "unknown query \"%s\"", name);
}

/* The survey's population in words ("hospital": 病院 / hospitals). */
static const char *population_name(const char *code, bool en)
{
    static const struct {
        const char *code, *ja, *en;
    } t[] = {
        {"hospital", "病院", "hospitals"},
        {"clinic", "診療所", "clinics"},
        {"dental", "歯科診療所", "dental clinics"},
        {"pharmacy", "薬局", "pharmacies"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (!strcmp(code, t[i].code))
            return en ? t[i].en : t[i].ja;
    return az_hub_type_name(code, en ? AZ_LANG_EN : AZ_LANG_JA);
}

/* "k / n" of a count, or "—" when n is 0. */
static json_t *of_n(json_int_t k, json_int_t n)
{
    char b[64];

    if (!n)
        return json_string("—");
    snprintf(b, sizeof(b), "%lld / %lld", (long long)k, (long long)n);
    return json_string(b);
}

/* The survey comparison: the survey's rate and the scope's for hospitals
 * and for all institutions, each with its counts; the notes say whom the
 * survey asked (its population: a clinic-heavy scope must not read its
 * all-institutions rate against a hospital survey), the fiscal year and
 * the n of the scope's figures. */
static json_t *survey_compare(const json_t *survey, const json_t *ind, int fy)
{
    static const char *const keys[] = {"cyber_bcp", "mfa", "patching", "usb", "contract_roles"};
    static const char *const ja[] = {"サイバー攻撃を想定した BCP", "二要素認証",
                                     "定期的なセキュリティ更新", "USB・外部記憶媒体の制限",
                                     "契約での役割分担"};
    static const char *const en[] = {"cyber BCP", "two-factor authentication", "regular patching",
                                     "USB and external media restricted",
                                     "roles in the vendor contract"};
    json_t *out = json_array(), *sv = json_array_get(json_object_get(survey, "surveys"), 0);
    json_t *rates = json_object_get(sv, "rates"), *hosp = NULL, *sec;
    const char *pop = json_string_value(json_object_get(sv, "population"));
    json_int_t all[6] = {0}, hn;
    size_t i;
    json_t *row;

    json_array_foreach(json_object_get(ind, "rows"), i, row)
    {
        if (!strcmp(json_string_value(json_array_get(row, 0)) ?: "", "hospital"))
            hosp = row;
        for (int k = 0; k < 6; k++)
            all[k] += json_integer_value(json_array_get(row, (size_t)k + 1));
    }
    hn = hosp ? json_integer_value(json_array_get(hosp, 1)) : 0;
    for (int k = 0; k < 5; k++) {
        long rv = -1;
        json_t *sr;
        /* the document loader gives scalars as text */
        if (az_parse_long(json_string_value(json_object_get(rates, keys[k])) ?: "", 0, 100, &rv) <
            0)
            rv = -1;
        sr = rv >= 0 ? json_integer(rv) : json_null();
        json_int_t hv = hosp ? json_integer_value(json_array_get(hosp, (size_t)k + 2)) : 0;
        json_t *hp = hn ? json_integer((hv * 100 + hn / 2) / hn) : json_null();
        json_t *ap = all[0] ? json_integer((all[k + 1] * 100 + all[0] / 2) / all[0]) : json_null();
        json_t *diff = hn && json_is_number(sr)
                           ? json_integer(json_integer_value(hp) - json_integer_value(sr))
                           : json_null();
        json_array_append_new(out, json_pack("[s,s,o,o,o,o,o,o]", ja[k], en[k], sr, hp, diff, ap,
                                             of_n(hv, hn), of_n(all[k + 1], all[0])));
    }
    sec = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:o,s:O,s:O,s:i,s:I,s:I,s:s,s:s}", "name", "survey", "title_ja",
        "厚生労働省の調査との比較", "title_en", "Comparison with the MHLW survey", "columns_ja",
        "指標,調査 (%),この範囲の病院 (%),差 (ポイント),すべての機関 (%),病院 (はい / n),"
        "すべての機関 (はい / n)",
        "columns_en",
        "indicator,survey (%),hospitals here (%),difference (points),all "
        "institutions (%),hospitals (yes / n),all institutions (yes / n)",
        "rows", out, "source_ja", json_object_get(sv, "title-ja") ?: json_null(), "source_en",
        json_object_get(sv, "title-en") ?: json_null(), "fiscal_year", fy, "n_hospitals", hn,
        "n_all", all[0], "note_ja", SURVEY_NOTE_JA, "note_en", SURVEY_NOTE_EN);
    if (sec && pop && *pop) {
        char *pja = az_fmt("この調査の対象は%sです。%s以外は含まれないため、調査と比べるのは"
                           "「この範囲の病院」の列です。「すべての機関」の率は参考で、調査の率と"
                           "そのまま比べることはできません。この範囲の値は %d 年度の束から"
                           " (病院 n = %lld、すべての機関 n = %lld)。",
                           population_name(pop, false), population_name(pop, false), fy,
                           (long long)hn, (long long)all[0]);
        char *pen = az_fmt("The survey covers %s only; no other institutions are in it, so "
                           "compare the column of hospitals here. The rate of all institutions is "
                           "for reference and cannot be read against the survey's. The figures "
                           "here are from the bundles of fiscal year %d (hospitals n = %lld, all "
                           "institutions n = %lld).",
                           population_name(pop, true), fy, (long long)hn, (long long)all[0]);
        json_object_set_new(sec, "population", json_string(pop));
        if (pja)
            json_object_set_new(sec, "population_ja", json_string(pja));
        if (pen)
            json_object_set_new(sec, "population_en", json_string(pen));
        free(pja);
        free(pen);
    }
    return sec;
}

int az_hub_survey_section(struct az_ctx *ctx, const char *survey_yaml, size_t survey_len,
                          const json_t *indicators, int fiscal_year, json_t **ret)
{
    struct az_doc *doc = NULL;
    json_t *sec;
    int r;

    if ((r = az_doc_load(ctx, "survey.yaml", survey_yaml, survey_len, &doc)) < 0)
        return r;
    sec = survey_compare(az_doc_root(doc), indicators, fiscal_year);
    az_doc_free(doc);
    if (!sec)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    *ret = sec;
    return 0;
}

/* The checklist item a topic (the last part of an item id: access-log)
 * stands for, in the newest edition that has it, as the hub's pages find
 * it; *key orders items as the checklist lists them. */
static const struct az_item *topic_item(const struct az_catalog *cat, const char *topic,
                                        size_t *key)
{
    size_t tl = strlen(topic), ne = cat ? az_catalog_neditions(cat) : 0;

    for (size_t e = ne; e-- > 0;) {
        const struct az_edition *ed = az_catalog_edition_at(cat, e);
        for (size_t i = 0; ed->checklist && i < ed->nitems; i++) {
            const char *id = ed->items[i]->id;
            size_t il = strlen(id);
            if (il > tl && id[il - tl - 1] == '.' && !strcmp(id + il - tl, topic)) {
                *key = (ne - e) * 100000 + i;
                return ed->items[i];
            }
        }
    }
    *key = (size_t)-1;
    return NULL;
}

struct item_row {
    json_t *row;
    size_t key;
    const char *topic;
};

static int item_row_cmp(const void *a, const void *b)
{
    const struct item_row *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return strcmp(x->topic, y->topic);
}

/* Completion by item: rows in the checklist's order, and for each topic
 * its display number (1-①) and title in both languages ("items"), so the
 * renderings show what the checklist calls it rather than the id. */
static int label_items(struct az_ctx *ctx, json_t *sec)
{
    struct az_catalog *cat = NULL;
    json_t *rows = json_object_get(sec, "rows"), *items = json_object();
    size_t n = json_array_size(rows), i;
    struct item_row *v;
    int r;

    if (!items)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    json_object_set_new(sec, "items", items);
    if (!n)
        return 0;
    if ((r = az_catalog_load_embedded(ctx, &cat)) < 0)
        return r;
    v = calloc(n, sizeof(*v));
    if (!v) {
        az_catalog_free(cat);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    for (i = 0; i < n; i++) {
        const struct az_item *it;
        v[i].row = json_incref(json_array_get(rows, i));
        v[i].topic = json_string_value(json_array_get(v[i].row, 0)) ?: "";
        it = topic_item(cat, v[i].topic, &v[i].key);
        if (it)
            json_object_set_new(
                items, v[i].topic,
                json_pack("{s:s,s:s,s:s}", "label", it->label ? it->label : "", "title_ja",
                          it->title.ja ? it->title.ja : v[i].topic, "title_en",
                          it->title.en ? it->title.en
                                       : (it->title.ja ? it->title.ja : v[i].topic)));
    }
    qsort(v, n, sizeof(*v), item_row_cmp);
    json_array_clear(rows);
    for (i = 0; i < n; i++)
        json_array_append_new(rows, v[i].row);
    free(v);
    az_catalog_free(cat);
    return 0;
}

/* KEV devices: each family's name in words in both languages ("families":
 * fortinet-fortios → Fortinet FortiOS (FortiGate SSL-VPN)), from the
 * curated ranges that define the families. */
static int label_families(struct az_ctx *ctx, json_t *sec)
{
    struct az_kev *k = NULL;
    json_t *rows = json_object_get(sec, "rows"), *fams = json_object(), *row;
    size_t i;
    int r;

    if (!fams)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    json_object_set_new(sec, "families", fams);
    if (!json_array_size(rows))
        return 0;
    if ((r = az_kev_load(ctx, NULL, NULL, 0, &k)) < 0)
        return r;
    json_array_foreach(rows, i, row)
    {
        const char *id = json_string_value(json_array_get(row, 0));
        const struct az_kev_family *f = id ? az_kev_family(k, id) : NULL;
        if (f && f->name.ja)
            json_object_set_new(fams, id,
                                json_pack("{s:s,s:s}", "name_ja", f->name.ja, "name_en",
                                          f->name.en ? f->name.en : f->name.ja));
    }
    az_kev_free(k);
    return 0;
}

int az_hub_report(struct az_ctx *ctx, struct az_hub *h, const struct az_hub_scope *s,
                  const char *survey_yaml, size_t survey_len, json_t **ret)
{
    struct az_doc *doc = NULL;
    json_t *rep, *secs;
    int fy = s->fiscal_year, r;

    if ((r = hub_check_schema(ctx, h)) < 0)
        return r;
    if (survey_yaml && (r = az_doc_load(ctx, "survey.yaml", survey_yaml, survey_len, &doc)) < 0)
        return r;
    if (!fy && (r = az_hub_default_fy(ctx, h, &fy)) < 0) {
        az_doc_free(doc);
        return r;
    }
    secs = json_array();
    rep = json_pack("{s:s,s:s,s:{s:i,s:s,s:s,s:s,s:i},s:o}", "schema", "anzen-hub-report/1",
                    "anzen_version", AZ_VERSION, "scope", "prefecture", s->prefecture,
                    "prefecture_ja", az_pref_name(s->prefecture, AZ_LANG_JA), "prefecture_en",
                    az_pref_name(s->prefecture, AZ_LANG_EN), "group", s->group ? s->group : "",
                    "fiscal_year", fy, "sections", secs);
    if (!rep) {
        az_doc_free(doc);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    for (size_t i = 0; i < NSECTIONS; i++) {
        json_t *one = NULL;
        struct az_hub_scope sc = *s;
        sc.fiscal_year = fy;
        if ((r = run_section(ctx, h, &sections[i], &sc, fy, &one)) < 0) {
            json_decref(rep);
            az_doc_free(doc);
            return r;
        }
        json_array_append_new(secs, one);
        if ((!strcmp(sections[i].name, "completion_by_item") && (r = label_items(ctx, one)) < 0) ||
            (!strcmp(sections[i].name, "kev_vpn") && (r = label_families(ctx, one)) < 0)) {
            json_decref(rep);
            az_doc_free(doc);
            return r;
        }
        if (!strcmp(sections[i].name, "indicators") && doc)
            json_array_append_new(secs, survey_compare(az_doc_root(doc), one, fy));
    }
    az_doc_free(doc);
    *ret = rep;
    return 0;
}

/* ---- HTML ---- */

static void esc(struct az_buf *b, const char *s)
{
    const char *p = s;
    for (; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            break;
        }
        if (rep) {
            az_buf_add(b, s, (size_t)(p - s));
            az_buf_puts(b, rep);
            s = p + 1;
        }
    }
    az_buf_add(b, s, (size_t)(p - s));
}

static void esc_n(struct az_buf *b, const char *s, size_t n)
{
    char *t = strndup(s, n);
    if (t)
        esc(b, t);
    free(t);
}

static bool is_lang_en(const struct az_ctx *ctx)
{
    return ctx->lang == AZ_LANG_EN;
}

/* Column c of a "," separated label list. */
static void col_label(const char *cols, size_t c, const char **ret, size_t *ret_n)
{
    const char *p = cols, *e;

    for (size_t i = 0; i < c && p; i++) {
        p = strchr(p, ',');
        if (p)
            p++;
    }
    if (!p) {
        *ret = "";
        *ret_n = 0;
        return;
    }
    e = strchr(p, ',');
    *ret = p;
    *ret_n = e ? (size_t)(e - p) : strlen(p);
}

/* Cells the report stores as codes (institution type, prefecture number)
 * are shown in words: the column is known by its English label. */
enum cell_kind { K_PLAIN, K_TYPE, K_PREF, K_ITEM, K_FAMILY };

static enum cell_kind col_kind(const char *cols_en, size_t c)
{
    const char *l;
    size_t ln;

    col_label(cols_en ? cols_en : "", c, &l, &ln);
    if ((ln == 4 && !memcmp(l, "type", 4)) || (ln == 10 && !memcmp(l, "population", 10)))
        return K_TYPE;
    if (ln == 10 && !memcmp(l, "prefecture", 10))
        return K_PREF;
    if (ln == 4 && !memcmp(l, "item", 4))
        return K_ITEM;
    if (ln == 7 && !memcmp(l, "product", 7))
        return K_FAMILY;
    return K_PLAIN;
}

/* The words for a coded cell, or NULL to show the value as it is; an
 * item as "1-① title" (buf) from the section's "items". */
static const char *cell_word(enum cell_kind k, const json_t *v, bool en, const json_t *sec,
                             char *buf, size_t bufn)
{
    enum az_lang lang = en ? AZ_LANG_EN : AZ_LANG_JA;

    if (k == K_ITEM && json_is_string(v)) {
        const json_t *it = json_object_get(json_object_get(sec, "items"), json_string_value(v));
        const char *lb = json_string_value(json_object_get(it, "label"));
        const char *t = json_string_value(json_object_get(it, en ? "title_en" : "title_ja"));
        if (!t)
            return NULL;
        snprintf(buf, bufn, "%s%s%s", lb ? lb : "", lb && *lb ? " " : "", t);
        return buf;
    }
    if (k == K_FAMILY && json_is_string(v)) {
        const json_t *f = json_object_get(json_object_get(sec, "families"), json_string_value(v));
        return json_string_value(json_object_get(f, en ? "name_en" : "name_ja"));
    }
    if (k == K_TYPE && json_is_string(v))
        return az_hub_type_name(json_string_value(v), lang);
    if (k == K_PREF && json_is_integer(v) && json_integer_value(v) >= 1 &&
        json_integer_value(v) <= 47)
        return az_pref_name((int)json_integer_value(v), lang);
    return NULL;
}

static void cell_text(struct az_buf *b, const json_t *v, bool html)
{
    if (json_is_integer(v))
        az_buf_printf(b, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v)) {
        if (html)
            esc(b, json_string_value(v));
        else
            az_buf_puts(b, json_string_value(v));
    } else if (json_is_boolean(v))
        az_buf_puts(b, json_is_true(v) ? "✓" : "");
    else
        az_buf_puts(b, "—");
}

/* "東京都 / グループ g1 / 2026 年度" */
static void scope_text(struct az_buf *b, const json_t *sc, bool en)
{
    const char *pref =
        json_string_value(json_object_get(sc, en ? "prefecture_en" : "prefecture_ja"));
    const char *grp = json_string_value(json_object_get(sc, "group"));
    const char *asc = json_string_value(json_object_get(sc, "association"));

    esc(b, pref ? pref : "");
    if (grp && *grp) {
        az_buf_puts(b, en ? " / group " : " / グループ ");
        esc(b, grp);
    }
    if (asc && *asc) {
        az_buf_puts(b, en ? " / association " : " / 医師会 ");
        esc(b, asc);
    }
    az_buf_printf(b, en ? " / fiscal year %lld" : " / %lld 年度",
                  (long long)json_integer_value(json_object_get(sc, "fiscal_year")));
}

int az_hub_report_html(struct az_ctx *ctx, const json_t *rep, char **ret, size_t *ret_len)
{
    struct az_buf b;
    bool en = is_lang_en(ctx);
    const json_t *sc = json_object_get(rep, "scope");
    size_t i;
    json_t *sec;
    char *out;

    az_buf_init(&b, 256u * 1024 * 1024);
    az_buf_printf(&b,
                  "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width\"><title>",
                  en ? "en" : "ja");
    /* the scope and year, so saved reports tell themselves apart */
    az_buf_puts(&b, en ? "Aggregated report: " : "集計報告書: ");
    scope_text(&b, sc, en);
    az_buf_puts(&b, "</title><style>"
                    "body{font-family:sans-serif;margin:2em;color:#222}"
                    "table{border-collapse:collapse;margin:0 0 2em}"
                    "th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left}"
                    "td.n{text-align:right}th{background:#eef}"
                    ".bar{display:inline-block;height:.7em;background:#4a7;margin-left:.4em}"
                    "@media print{h2{page-break-before:auto}}"
                    "</style></head><body>\n<h1>");
    az_buf_puts(&b, en ? "Cybersecurity checklist: aggregated report"
                       : "サイバーセキュリティ対策チェックリスト 集計報告書");
    az_buf_puts(&b, "</h1>\n<p>");
    scope_text(&b, sc, en);
    az_buf_puts(&b, "</p>\n");
    json_array_foreach(json_object_get(rep, "sections"), i, sec)
    {
        const char *cols =
            json_string_value(json_object_get(sec, en ? "columns_en" : "columns_ja"));
        const char *cols_en = json_string_value(json_object_get(sec, "columns_en"));
        const json_t *rows = json_object_get(sec, "rows");
        size_t ncol = json_array_size(json_array_get(rows, 0)), r;
        bool survey = !strcmp(json_string_value(json_object_get(sec, "name")) ?: "", "survey");
        json_t *row;
        az_buf_puts(&b, "<h2>");
        esc(&b, json_string_value(json_object_get(sec, en ? "title_en" : "title_ja")) ?: "");
        az_buf_puts(&b, "</h2>\n");
        if (survey) {
            const char *src =
                json_string_value(json_object_get(sec, en ? "source_en" : "source_ja"));
            const char *pop =
                json_string_value(json_object_get(sec, en ? "population_en" : "population_ja"));
            az_buf_puts(&b, "<p>");
            esc(&b, src ? src : "");
            az_buf_puts(&b, "</p>\n");
            if (pop) {
                az_buf_puts(&b, "<p class=\"population\">");
                esc(&b, pop);
                az_buf_puts(&b, "</p>\n");
            }
            az_buf_puts(&b, en ? "<p>" SURVEY_NOTE_EN "</p>\n" : "<p>" SURVEY_NOTE_JA "</p>\n");
        }
        if (!json_array_size(rows)) {
            az_buf_puts(&b, en ? "<p>No data.</p>\n" : "<p>データがありません。</p>\n");
            continue;
        }
        az_buf_puts(&b, "<table><thead><tr>");
        for (size_t c = 0; c < ncol; c++) {
            const char *l;
            size_t ln;
            if (survey && c == 1)
                continue; /* the other language's label */
            col_label(cols, survey && c > 1 ? c - 1 : c, &l, &ln);
            az_buf_puts(&b, "<th>");
            esc_n(&b, l, ln);
            az_buf_puts(&b, "</th>");
        }
        az_buf_puts(&b, "</tr></thead><tbody>\n");
        json_array_foreach(rows, r, row)
        {
            az_buf_puts(&b, "<tr>");
            for (size_t c = 0; c < ncol; c++) {
                json_t *v = json_array_get(row, c);
                const char *l, *word;
                char wbuf[512];
                size_t ln;
                if (survey && c == (en ? 0u : 1u))
                    continue;
                col_label(cols, survey && c > 1 ? c - 1 : c, &l, &ln);
                if (!survey &&
                    (word = cell_word(col_kind(cols_en, c), v, en, sec, wbuf, sizeof(wbuf)))) {
                    az_buf_puts(&b, "<td>");
                    esc(&b, word);
                    az_buf_puts(&b, "</td>");
                    continue;
                }
                az_buf_puts(&b, json_is_integer(v) ? "<td class=\"n\">" : "<td>");
                cell_text(&b, v, true);
                if (json_is_integer(v) && ln && memchr(l, '%', ln) && json_integer_value(v) >= 0 &&
                    json_integer_value(v) <= 100)
                    az_buf_printf(&b, "<span class=\"bar\" style=\"width:%lldpx\"></span>",
                                  (long long)json_integer_value(v));
                az_buf_puts(&b, "</td>");
            }
            az_buf_puts(&b, "</tr>\n");
        }
        az_buf_puts(&b, "</tbody></table>\n");
    }
    az_buf_puts(&b, "</body></html>\n");
    out = az_buf_take(&b);
    if (!out)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    *ret = out;
    *ret_len = strlen(out);
    return 0;
}

/* ---- XLSX ---- */

/* Short sheet names (Excel: at most 31 characters, no / : ? * [ ]). */
static const char *sheet_name(const char *sec, bool en)
{
    static const struct {
        const char *name, *ja, *en;
    } t[] = {
        {"completion_by_item", "項目ごとの対応率", "Completion by item"},
        {"by_type_band", "種別・病床規模ごと", "By type and bed band"},
        {"overdue_institutions", "期限超過のある機関", "Institutions overdue"},
        {"mfa_fy2027", "令和9年度の二要素認証", "2FA by FY2027"},
        {"kev_vpn", "KEV の VPN 装置", "VPN devices in KEV"},
        {"trend", "年度ごとの推移", "Trend"},
        {"indicators", "調査と比べる指標", "Indicators"},
        {"survey", "厚生労働省の調査との比較", "MHLW survey"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (!strcmp(sec, t[i].name))
            return en ? t[i].en : t[i].ja;
    return sec;
}

int az_hub_report_xlsx(struct az_ctx *ctx, const json_t *rep, const char *path)
{
    bool en = is_lang_en(ctx);
    char *tmp = NULL;
    lxw_workbook *wb;
    lxw_format *head;
    lxw_error err;
    size_t i;
    json_t *sec;

    if (az_strf(&tmp, "%s.tmp%ld", path, (long)getpid()) < 0)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    wb = workbook_new(tmp);
    if (!wb) {
        free(tmp);
        return az_fail(ctx, AZ_EIO, "%s: 書けません", "%s: cannot write", path);
    }
    head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xEEEEFF);
    json_array_foreach(json_object_get(rep, "sections"), i, sec)
    {
        char sheet[128];
        const char *cols =
            json_string_value(json_object_get(sec, en ? "columns_en" : "columns_ja"));
        const char *cols_en = json_string_value(json_object_get(sec, "columns_en"));
        const json_t *rows = json_object_get(sec, "rows");
        bool survey = !strcmp(json_string_value(json_object_get(sec, "name")) ?: "", "survey");
        size_t ncol, r;
        json_t *row;
        lxw_worksheet *ws;
        lxw_col_t oc = 0;
        snprintf(sheet, sizeof(sheet), "%zu %s", i + 1,
                 sheet_name(json_string_value(json_object_get(sec, "name")) ?: "", en));
        ws = workbook_add_worksheet(wb, sheet);
        if (!ws)
            continue;
        worksheet_write_string(
            ws, 0, 0, json_string_value(json_object_get(sec, en ? "title_en" : "title_ja")), head);
        if (survey) {
            /* the same caution as the HTML report's */
            const char *src =
                json_string_value(json_object_get(sec, en ? "source_en" : "source_ja"));
            const char *pop =
                json_string_value(json_object_get(sec, en ? "population_en" : "population_ja"));
            char *note = NULL;
            if (az_strf(&note, "%s%s%s%s%s", src ? src : "", src ? (en ? ". " : "。") : "",
                        pop ? pop : "", pop ? (en ? " " : "") : "",
                        en ? SURVEY_NOTE_EN : SURVEY_NOTE_JA) == 0)
                worksheet_write_string(ws, 1, 0, note, NULL);
            free(note);
        }
        ncol = 1;
        for (const char *p = cols; p && *p; p++)
            ncol += *p == ',';
        for (size_t c = 0; c < ncol; c++) {
            const char *l;
            size_t ln;
            char *t;
            col_label(cols, c, &l, &ln);
            t = strndup(l, ln);
            worksheet_write_string(ws, 2, (lxw_col_t)c, t ? t : "", head);
            free(t);
        }
        worksheet_set_column(ws, 0, (lxw_col_t)(ncol ? ncol - 1 : 0), 16, NULL);
        json_array_foreach(rows, r, row)
        {
            oc = 0;
            for (size_t c = 0; c < json_array_size(row); c++) {
                json_t *v = json_array_get(row, c);
                const char *word;
                char wbuf[512];
                if (survey && c == (en ? 0u : 1u))
                    continue;
                if (!survey &&
                    (word = cell_word(col_kind(cols_en, c), v, en, sec, wbuf, sizeof(wbuf))))
                    worksheet_write_string(ws, (lxw_row_t)(r + 3), oc, word, NULL);
                else if (json_is_integer(v))
                    worksheet_write_number(ws, (lxw_row_t)(r + 3), oc,
                                           (double)json_integer_value(v), NULL);
                else if (json_is_string(v))
                    worksheet_write_string(ws, (lxw_row_t)(r + 3), oc, json_string_value(v), NULL);
                else if (json_is_boolean(v))
                    worksheet_write_boolean(ws, (lxw_row_t)(r + 3), oc, json_is_true(v), NULL);
                oc++;
            }
        }
    }
    err = workbook_close(wb);
    if (err != LXW_NO_ERROR || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return az_fail(ctx, AZ_EIO, "%s: 書けません: %s", "%s: cannot write: %s", path,
                       err != LXW_NO_ERROR ? lxw_strerror(err) : strerror(e));
    }
    free(tmp);
    return 0;
}
