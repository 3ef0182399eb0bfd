/* SPDX-License-Identifier: MIT */
/*
 * pages.c - the hub's pages: the overview of the user's scope (the
 * sections of az_hub_report), the institutions (paged, filtered), one
 * institution's latest bundle, and the report for download (XLSX, HTML).
 *
 * Every query is limited to the user's scope in SQL (prefecture, group
 * or the association's members): an institution outside it is answered
 * exactly as one that does not exist (404), so IDs cannot be probed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anzen/date.h"
#include "anzen/util.h"
#include "hubweb.h"

void hub_scope_vars(struct req *q, const struct hub_scope *s, json_t *v);

/* The overview names the institutions that have not sent when at most
 * this many; else only their count. */
#define HUB_MISSING_NAMES 20

/* A query argument that may be shown and sent to the database: valid
 * UTF-8 without control characters, at most max bytes. */
static bool text_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;

    if (n > max)
        return false;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = az_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (!k || cp < 0x20 || cp == 0x7f)
            return false;
        i += k;
    }
    return true;
}

/* An integer column's text (PostgreSQL's own output). */
static int pgint(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

/* The report's scope for the user: forced by the hub role; an
 * administrator may narrow it with ?prefecture= and ?group=. */
static bool report_scope(struct req *q, const struct hub_scope *us, struct az_hub_scope *rs,
                         json_t *v)
{
    const char *fy = web_arg(q, "fy");
    long y = 0;

    memset(rs, 0, sizeof(*rs));
    if (fy && *fy && az_parse_long(fy, 2000, 2200, &y) < 0) {
        web_error(q, 400, "年度が正しくありません。", "Bad fiscal year.");
        return false;
    }
    rs->fiscal_year = (int)y;
    if (us->kind == HS_PREF)
        rs->prefecture = us->pref;
    else if (us->kind == HS_GROUP)
        rs->group = us->value;
    else if (us->kind == HS_ALL) {
        const char *p = web_arg(q, "prefecture"), *g = web_arg(q, "group");
        if (p && *p && !(rs->prefecture = az_pref_code(p))) {
            web_error(q, 400, "都道府県が分かりません。", "Unknown prefecture.");
            return false;
        }
        if (g && *g && !text_ok(g, 120)) {
            web_error(q, 400, "グループの名前が正しくありません。", "Bad group name.");
            return false;
        }
        if (g && *g)
            rs->group = g;
        if (v && (rs->prefecture || rs->group)) {
            /* the heading says what the view is narrowed to */
            char *f = az_fmt(
                "%s%s%s%s%s", rs->prefecture ? az_pref_name(rs->prefecture, q->lang) : "",
                rs->prefecture && rs->group ? " / " : "",
                rs->group ? T(q, "グループ ", "group ") : "", rs->group ? rs->group : "", "");
            if (f)
                v_str(v, "filter_name", f);
            free(f);
        }
        if (v) {
            v_bool(v, "can_filter", true);
            v_int(v, "f_pref", rs->prefecture);
            v_str(v, "f_group", rs->group);
            json_t *prefs = v_arr(v, "prefs");
            for (int i = 1; i <= 47; i++) {
                json_t *o = v_push(prefs);
                v_int(o, "code", i);
                v_str(o, "name", az_pref_name(i, q->lang));
                v_bool(o, "selected", i == rs->prefecture);
            }
        }
    }
    return true;
}

static const char *type_name(struct req *q, const char *t);

/* The kinds of findings a bundle counts (the rules of data/rules/rules.yaml
 * without their check), in words. */
static const char *rule_name(struct req *q, const char *r)
{
    static const struct {
        const char *id, *ja, *en;
    } t[] = {
        {"no-admin", "管理者 (担当) が決まっていない機器", "devices without an administrator"},
        {"patch-age", "更新が長く当たっていない機器", "devices not patched for long"},
        {"eol", "サポートの終わった製品", "products past end of support"},
        {"kev", "悪用が確認された脆弱性 (KEV)", "known exploited vulnerabilities (KEV)"},
        {"kev-no-version", "KEV の製品で版が分からない機器", "KEV products of unknown version"},
        {"kev-unchecked", "KEV と照合できていない機器", "devices not checked against KEV"},
        {"exposed", "外部に公開されている機器", "devices exposed to the outside"},
        {"vendor-no-contract", "契約のない事業者の機器", "devices of vendors without a contract"},
        {"remote-unconfirmed", "遠隔保守の有無が未確認", "remote maintenance not confirmed"},
        {"no-mds-sds", "MDS/SDS がない", "no MDS/SDS"},
        {"remote-device-unknown", "遠隔保守の機器が不明", "remote maintenance device unknown"},
        {"role-split", "役割分担が決まっていない", "roles not agreed"},
        {"checklist", "事業者の確認表が未回収", "vendor checklist not returned"},
        {"contract-ended", "契約の切れた事業者", "vendor contracts ended"},
        {"unregistered", "台帳にない事業者", "vendors not in the registry"},
        {"not-in-ledger", "台帳にない機器 (点検で発見)", "devices found but not in the ledger"},
        {"remote-access", "遠隔操作の口が開いている", "remote access open"},
        {"plaintext-dicom", "暗号化されていない DICOM", "unencrypted DICOM"},
        {"plaintext-hl7", "暗号化されていない HL7", "unencrypted HL7"},
        {"dicom-any-ae", "どこからでも受ける DICOM", "DICOM accepting any AE"},
        {"telnet", "Telnet が開いている", "Telnet open"},
        {"ftp-plain", "暗号化されていない FTP", "plain FTP"},
        {"smb1", "古い SMB1", "SMB1 in use"},
        {"rdp-no-nla", "NLA のない RDP", "RDP without NLA"},
        {"vnc-no-auth", "認証のない VNC", "VNC without authentication"},
        {"vnc-password", "パスワードだけの VNC", "VNC with a password only"},
        {"legacy-tls", "古い TLS", "legacy TLS"},
        {"cert-expired", "期限切れの証明書", "expired certificates"},
        {"cert-self-signed", "自己署名の証明書", "self-signed certificates"},
        {"db-no-tls", "暗号化されていないデータベース接続", "database without TLS"},
        {"db-tls-optional", "暗号化が任意のデータベース接続", "database with optional TLS"},
        {"cross-segment", "区画をまたぐ通信", "traffic across segments"},
        {"win", "Windows の設定の指摘", "Windows settings"},
        {"linux", "Linux の設定の指摘", "Linux settings"},
    };
    const char *dot = strchr(r, '.'), *base = dot ? dot + 1 : r;
    size_t n = strcspn(base, "/");

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strlen(t[i].id) == n && !strncmp(base, t[i].id, n))
            return q->lang == AZ_LANG_EN ? t[i].en : t[i].ja;
    return r;
}

/* A section of the report as view data: title, columns, rows of cells. */
static void section_view(struct req *q, const json_t *sec, json_t *out)
{
    const char *cols = json_string_value(
        json_object_get(sec, q->lang == AZ_LANG_EN ? "columns_en" : "columns_ja"));
    const char *name = json_string_value(json_object_get(sec, "name"));
    json_t *o = v_push(out), *ca, *ra, *row;
    size_t i;

    v_str(o, "name", name);
    v_str(o, "title",
          json_string_value(json_object_get(sec, q->lang == AZ_LANG_EN ? "title_en" : "title_ja")));
    if (name && !strcmp(name, "survey")) {
        /* whom the survey asked, the year and n of the figures here, and
         * the caution, as the HTML and XLSX reports say them */
        static const char *const keys[][2] = {
            {"source_ja", "source_en"}, {"population_ja", "population_en"}, {"note_ja", "note_en"}};
        json_t *notes = v_arr(o, "notes");
        for (size_t k = 0; k < 3; k++) {
            const char *t =
                json_string_value(json_object_get(sec, keys[k][q->lang == AZ_LANG_EN ? 1 : 0]));
            if (t && *t)
                v_push_str(notes, t);
        }
    }
    ca = v_arr(o, "cols");
    for (const char *p = cols ? cols : ""; *p;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        char *x = strndup(p, n);
        v_push_str(ca, x);
        free(x);
        p += n + (c ? 1 : 0);
    }
    ra = v_arr(o, "rows");
    json_array_foreach(json_object_get(sec, "rows"), i, row)
    {
        json_t *r = v_push(ra), *cells = v_arr(r, "cells"), *cell;
        size_t k;
        bool survey = name && !strcmp(name, "survey");
        json_array_foreach(row, k, cell)
        {
            json_t *c;
            char buf[64];
            /* the survey's rows carry the indicator in both languages */
            if (survey && k == (q->lang == AZ_LANG_EN ? 0u : 1u))
                continue;
            c = v_push(cells);
            if (name && k == 0 && !strcmp(name, "completion_by_item") && json_is_string(cell)) {
                /* the checklist's display number (1-①) and title, as the
                 * HTML and XLSX reports show them */
                const char *lb = json_string_value(json_object_get(
                    json_object_get(json_object_get(sec, "items"), json_string_value(cell)),
                    "label"));
                char *t = az_fmt("%s%s%s", lb ? lb : "", lb && *lb ? " " : "",
                                 hub_topic_title(q, json_string_value(cell)));
                v_str(c, "v", t ? t : json_string_value(cell));
                free(t);
                v_str(c, "code", json_string_value(cell));
            } else if (name && k == 0 && !strcmp(name, "kev_vpn") && json_is_string(cell)) {
                const char *fn = json_string_value(json_object_get(
                    json_object_get(json_object_get(sec, "families"), json_string_value(cell)),
                    q->lang == AZ_LANG_EN ? "name_en" : "name_ja"));
                v_str(c, "v", fn ? fn : json_string_value(cell));
            } else if (name && k == 3 && !strcmp(name, "overdue_institutions") &&
                       json_is_integer(cell)) {
                v_str(c, "v", az_pref_name((int)json_integer_value(cell), q->lang));
            } else if (name && json_is_string(cell) &&
                       ((k == 0 && (!strcmp(name, "by_type_band") || !strcmp(name, "mfa_fy2027") ||
                                    !strcmp(name, "indicators"))) ||
                        (k == 2 && !strcmp(name, "overdue_institutions")))) {
                v_str(c, "v", type_name(q, json_string_value(cell)));
            } else if (json_is_integer(cell)) {
                snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(cell));
                v_str(c, "v", buf);
                v_bool(c, "num", true);
            } else if (json_is_boolean(cell)) {
                v_str(c, "v", json_is_true(cell) ? "✓" : "—");
            } else if (json_is_string(cell)) {
                v_str(c, "v", json_string_value(cell));
            } else {
                v_str(c, "v", "—");
            }
            if (k == 0 && name && !strcmp(name, "overdue_institutions") && json_is_string(cell))
                v_str(c, "href", json_string_value(cell));
        }
    }
}

/* The report of the user's scope (the JSON of az_hub_report). */
static int build_report(struct req *q, const struct hub_scope *us, const struct az_hub_scope *rs,
                        json_t **rep);

/* A fiscal year as the page says it: 令和8年度 (2026), FY2026. */
static const char *fy_label(const struct req *q, int fy, char *buf, size_t n)
{
    int r = az_fy_to_reiwa(fy);

    if (q->lang == AZ_LANG_EN || !r)
        snprintf(buf, n, q->lang == AZ_LANG_EN ? "FY%d" : "%d年度", fy);
    else if (r == 1)
        snprintf(buf, n, "令和元年度 (%d)", fy);
    else
        snprintf(buf, n, "令和%d年度 (%d)", r, fy);
    return buf;
}

/* The years the scope has data for (the trend section's rows: year,
 * institutions, ...), newest first, each a link to its own overview with
 * how many institutions sent; the year shown is marked. */
static void year_links(struct req *q, const json_t *rep, int shown, const char *qs, json_t *v)
{
    const json_t *sec, *rows = NULL;
    json_t *ys = v_arr(v, "years");
    size_t i;
    char lbl[48];

    json_array_foreach(json_object_get(rep, "sections"), i, sec)
    {
        const char *name = json_string_value(json_object_get(sec, "name"));
        if (name && !strcmp(name, "trend"))
            rows = json_object_get(sec, "rows");
    }
    for (i = json_array_size(rows); i-- > 0;) {
        const json_t *row = json_array_get(rows, i);
        int fy = (int)json_integer_value(json_array_get(row, 0));
        long long n = json_integer_value(json_array_get(row, 1));
        json_t *o;
        char *href = NULL;
        if (fy < 2000)
            continue;
        o = v_push(ys);
        v_int(o, "fy", fy);
        v_str(o, "label", fy_label(q, fy, lbl, sizeof(lbl)));
        v_int(o, "n", n);
        if (fy == shown)
            json_object_set_new(o, "current", json_true());
        if (az_strf(&href, "/?fy=%d%s", fy, qs) == 0)
            v_str(o, "href", href);
        free(href);
    }
}

static PGresult *query(struct req *q, const char *sql, int n, const char *const *vals);
static const char *scope_sql(const struct hub_scope *s, char *val, size_t n, const char **param);

/* Who in the scope has sent a bundle for the year shown, and who has not:
 * the members of an association, else the enrolled institutions of the
 * prefecture or group (narrowed as the administrator asked). A line
 * "提出 3 / 4 機関 (未提出 1: ...)" with the names when few; the survey
 * section's note says how many hospitals have not sent, since its
 * hospital n counts only those that did. */
static bool submission_vars(struct req *q, const struct hub_scope *us,
                            const struct az_hub_scope *rs, int fy, json_t *v)
{
    char val[32], fys[16], fps[16], *base = NULL, *sql = NULL;
    const char *p1, *cond = scope_sql(us, val, sizeof(val), &p1);
    const char *vals[4] = {p1, fys, fps, us->kind == HS_ALL && rs->group ? rs->group : ""};
    PGresult *r;
    long all, sub, hall, hsub;

    snprintf(fys, sizeof(fys), "%d", fy);
    snprintf(fps, sizeof(fps), "%d", us->kind == HS_ALL ? rs->prefecture : 0);
    if (us->kind == HS_ASSOC)
        base = az_fmt("SELECT m.id, coalesce(i.name, m.id) AS name, coalesce(i.type, '') AS type,"
                      " EXISTS (SELECT 1 FROM inst_year y WHERE y.institution = m.id AND"
                      " y.prefecture = i.prefecture AND y.fiscal_year = $2::int) AS sub"
                      " FROM unnest($1::text[]) m(id) LEFT JOIN"
                      " institution i ON i.id = m.id WHERE $3::int IS NOT NULL AND $4::text IS"
                      " NOT NULL");
    else
        base = az_fmt("SELECT i.id, i.name, i.type, EXISTS (SELECT 1 FROM inst_year y WHERE"
                      " y.institution = i.id AND y.prefecture = i.prefecture AND"
                      " y.fiscal_year = $2::int) AS sub FROM"
                      " institution i WHERE %s AND ($3::int = 0 OR i.prefecture = $3::int) AND"
                      " ($4::text = '' OR i.grp = $4::text)",
                      cond);
    if (!base || az_strf(&sql,
                         "SELECT count(*), count(*) FILTER (WHERE s.sub), count(*) FILTER (WHERE"
                         " s.type = 'hospital'), count(*) FILTER (WHERE s.type = 'hospital' AND"
                         " s.sub) FROM (%s) s",
                         base) < 0) {
        free(base);
        web_error(q, 500, "メモリ不足", "out of memory");
        return false;
    }
    r = query(q, sql, 4, vals);
    free(sql);
    sql = NULL;
    if (!r) {
        free(base);
        return false;
    }
    all = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    sub = strtol(PQgetvalue(r, 0, 1), NULL, 10);
    hall = strtol(PQgetvalue(r, 0, 2), NULL, 10);
    hsub = strtol(PQgetvalue(r, 0, 3), NULL, 10);
    PQclear(r);
    {
        json_t *o = v_obj(v, "subm");
        v_int(o, "sub", sub);
        v_int(o, "all", all);
        v_int(o, "missing_n", all - sub);
        v_bool(o, "has_missing", all > sub);
        if (all > sub && all - sub <= HUB_MISSING_NAMES) {
            json_t *m = v_arr(o, "missing");
            if (az_strf(&sql, "SELECT s.id, s.name FROM (%s) s WHERE NOT s.sub ORDER BY s.id",
                        base) < 0 ||
                !(r = query(q, sql, 4, vals))) {
                free(sql);
                free(base);
                if (!q->done)
                    web_error(q, 500, "メモリ不足", "out of memory");
                return false;
            }
            for (int i = 0; i < PQntuples(r); i++) {
                json_t *x = v_push(m);
                v_str(x, "id", PQgetvalue(r, i, 0));
                v_str(x, "name", PQgetvalue(r, i, 1));
            }
            PQclear(r);
            free(sql);
        }
    }
    free(base);
    if (hall > hsub) {
        /* the survey section's note (the view's, not the report's) */
        json_t *sec;
        size_t i;
        json_array_foreach(json_object_get(v, "sections"), i, sec)
        {
            const char *name = json_string_value(json_object_get(sec, "name"));
            char *t;
            if (!name || strcmp(name, "survey"))
                continue;
            t = q->lang == AZ_LANG_EN
                    ? az_fmt("%ld of the %ld hospitals in this scope have not submitted for this "
                             "year: the hospital n counts the %ld that did.",
                             hall - hsub, hall, hsub)
                    : az_fmt("この範囲の病院 %ld 機関のうち %ld 機関がこの年度に未提出です"
                             " (病院 n は提出した %ld 機関の数)。",
                             hall, hall - hsub, hsub);
            if (t)
                v_push_str(json_object_get(sec, "notes") ? json_object_get(sec, "notes")
                                                         : v_arr(sec, "notes"),
                           t);
            free(t);
        }
    }
    return true;
}

void hub_page_overview(struct req *q)
{
    struct hub_scope us;
    struct az_hub_scope rs;
    json_t *v, *rep = NULL, *secs, *sec;
    size_t i;
    int shown;
    char lbl[48];

    if (!hub_user_scope(q, &us))
        return;
    v = json_object();
    if (!report_scope(q, &us, &rs, v)) {
        json_decref(v);
        hub_scope_clear(&us);
        return;
    }
    if (build_report(q, &us, &rs, &rep) < 0) {
        fprintf(stderr, "anzen hub serve: %s\n", az_errmsg(&q->ctx));
        json_decref(v);
        hub_scope_clear(&us);
        web_error(q, 500, "集計を読めませんでした。", "The aggregates could not be read.");
        return;
    }
    hub_scope_vars(q, &us, v);
    shown = (int)json_integer_value(json_object_get(json_object_get(rep, "scope"), "fiscal_year"));
    v_int(v, "fy", shown);
    v_str(v, "fy_label", fy_label(q, shown, lbl, sizeof(lbl)));
    {
        /* the same scope for the downloads, and for the other years */
        struct az_buf b;
        az_buf_init(&b, 4096);
        if (us.kind == HS_ALL && rs.prefecture)
            az_buf_printf(&b, "&prefecture=%d", rs.prefecture);
        if (us.kind == HS_ALL && rs.group) {
            az_buf_puts(&b, "&group=");
            az_url_escape(&b, rs.group, strlen(rs.group));
        }
        year_links(q, rep, shown, b.data ? b.data : "", v);
        v_str(v, "qs", "");
        if (shown) {
            struct az_buf d;
            az_buf_init(&d, 4096);
            az_buf_printf(&d, "&fy=%d%s", shown, b.data ? b.data : "");
            v_str(v, "qs", d.data);
            az_buf_done(&d);
        } else if (b.data)
            v_str(v, "qs", b.data);
        az_buf_done(&b);
    }
    secs = v_arr(v, "sections");
    json_array_foreach(json_object_get(rep, "sections"), i, sec) section_view(q, sec, secs);
    json_decref(rep);
    if (shown && !submission_vars(q, &us, &rs, shown, v)) {
        json_decref(v);
        hub_scope_clear(&us);
        return;
    }
    hub_scope_clear(&us);
    web_page(q, 200, "hub-overview.html", v, NULL);
}

/* ---- the pages' own queries ---- */

/* The default fiscal year (az_hub_default_fy, on the hub's handle). */
static int default_fy(struct req *q, int *fy)
{
    struct hubweb *hw = HW(q);
    int r;

    pthread_mutex_lock(&hw->lock);
    r = az_hub_default_fy(&q->ctx, hw->hub, fy);
    pthread_mutex_unlock(&hw->lock);
    return r;
}

/* The scope as a condition on institution i with $1 (the value). */
static const char *scope_sql(const struct hub_scope *s, char *val, size_t n, const char **param)
{
    *param = "";
    switch (s->kind) {
    case HS_PREF:
        snprintf(val, n, "%d", s->pref);
        *param = val;
        return "i.prefecture = $1::smallint";
    case HS_GROUP:
        *param = s->value;
        return "i.grp = $1";
    case HS_ASSOC:
        *param = s->members ? s->members : "{}";
        return "i.id = ANY($1::text[])";
    case HS_ALL:
        return "$1::text = ''";
    default:
        return "false AND $1::text = ''";
    }
}

static PGresult *query(struct req *q, const char *sql, int n, const char *const *vals)
{
    struct hubweb *hw = HW(q);
    PGresult *r;

    pthread_mutex_lock(&hw->lock);
    if (PQstatus(hw->pg) != CONNECTION_OK)
        PQreset(hw->pg);
    r = PQexecParams(hw->pg, sql, n, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQstatus(hw->pg) == CONNECTION_BAD) {
        /* the server restarted since the last page: the connection only
         * learns it now; one new connection, and the read again (reads
         * only, so doing it twice is harmless) */
        PQclear(r);
        PQreset(hw->pg);
        r = PQexecParams(hw->pg, sql, n, NULL, vals, NULL, NULL, 0);
    }
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "anzen hub serve: %s", PQerrorMessage(hw->pg));
        PQclear(r);
        r = NULL;
    }
    pthread_mutex_unlock(&hw->lock);
    if (!r)
        web_error(q, 500, "データベースを読めませんでした。", "The database could not be read.");
    return r;
}

static const char *type_name(struct req *q, const char *t)
{
    return az_hub_type_name(t, q->lang);
}

void hub_page_institutions(struct req *q)
{
    struct hub_scope us;
    char val[32], off[32], *sql = NULL;
    const char *p1, *cond, *search = web_arg(q, "q"), *type = web_arg(q, "type"),
                           *overdue = web_arg(q, "overdue"), *page = web_arg(q, "page"),
                           *pref = web_arg(q, "prefecture");
    long pg = 1, total = 0;
    int fp = 0;
    PGresult *r;
    json_t *v, *rows;

    if (!text_ok(search, 200) || !text_ok(type, 32)) {
        web_error(q, 400, "検索の条件が正しくありません (200 バイトまでの文字)。",
                  "Bad search (text of at most 200 bytes).");
        return;
    }
    if (!hub_user_scope(q, &us))
        return;
    if (page && *page && az_parse_long(page, 1, 100000, &pg) < 0)
        pg = 1;
    /* narrowing by prefecture is the administrator's (docs/hub.md); for
     * everyone else the argument is ignored, as on the overview */
    if (pref && *pref && us.kind == HS_ALL)
        fp = az_pref_code(pref);
    snprintf(off, sizeof(off), "%ld", (pg - 1) * HUB_PAGE);
    cond = scope_sql(&us, val, sizeof(val), &p1);
    {
        /* the newest fiscal year first, as a constant: the join then
         * touches one partition range; the total is its own query (a
         * window count over the join would read every row) */
        char fps[16], fys[16];
        const char *vals[7] = {p1,
                               search ? search : "",
                               type ? type : "",
                               overdue && !strcmp(overdue, "1") ? "1" : "",
                               off,
                               fps,
                               fys};
        int dfy;
        if (default_fy(q, &dfy) < 0) {
            fprintf(stderr, "anzen hub serve: %s\n", az_errmsg(&q->ctx));
            hub_scope_clear(&us);
            web_error(q, 500, "データベースを読めませんでした。",
                      "The database could not be read.");
            return;
        }
        snprintf(fys, sizeof(fys), "%d", dfy);
        snprintf(fps, sizeof(fps), "%d", fp);
        if (az_strf(&sql,
                    "SELECT i.id, i.name, i.type, i.prefecture, i.bed_band, i.grp,"
                    " coalesce(to_char(to_timestamp(i.last_created) AT TIME ZONE 'Asia/Tokyo',"
                    " 'YYYY-MM-DD HH24:MI'), ''),"
                    " coalesce(round(100.0 * y.satisfied / nullif(y.applicable, 0))::int, -1),"
                    " coalesce(y.overdue, 0), y.institution IS NULL"
                    " FROM institution i LEFT JOIN inst_year y ON y.institution = i.id AND"
                    " y.prefecture = i.prefecture AND y.fiscal_year = $7::int"
                    " WHERE %s AND ($2 = '' OR strpos(lower(i.id), lower($2)) > 0 OR"
                    " strpos(lower(i.name), lower($2)) > 0) AND ($3 = '' OR i.type = $3) AND"
                    " ($4 = '' OR y.overdue > 0) AND ($6::int = 0 OR i.prefecture = $6::int)"
                    " ORDER BY i.id LIMIT %d OFFSET $5::int",
                    cond, HUB_PAGE) < 0) {
            hub_scope_clear(&us);
            web_error(q, 500, "メモリ不足", "out of memory");
            return;
        }
        r = query(q, sql, 7, vals);
        free(sql);
        sql = NULL;
        if (r) {
            /* the same conditions, counted; the join only when asked for
             * those with overdue items */
            PGresult *c;
            const char *cv[6] = {vals[0], vals[1], vals[2], vals[3], vals[5], vals[6]};
            if (az_strf(&sql,
                        "SELECT count(*) FROM institution i %s WHERE %s AND ($2 = '' OR"
                        " strpos(lower(i.id), lower($2)) > 0 OR strpos(lower(i.name), lower($2))"
                        " > 0) AND ($3 = '' OR i.type = $3) AND %s AND ($5::int = 0 OR"
                        " i.prefecture = $5::int) AND $6::int IS NOT NULL",
                        vals[3][0] ? "JOIN inst_year y ON y.institution = i.id AND y.prefecture ="
                                     " i.prefecture AND y.fiscal_year = $6::int"
                                   : "",
                        cond, vals[3][0] ? "y.overdue > 0 AND $4 = '1'" : "$4 = ''") < 0 ||
                !(c = query(q, sql, 6, cv))) {
                PQclear(r);
                r = NULL;
                if (!q->done)
                    web_error(q, 500, "メモリ不足", "out of memory");
            } else {
                total = strtol(PQgetvalue(c, 0, 0), NULL, 10);
                PQclear(c);
            }
        }
    }
    free(sql);
    if (!r) {
        hub_scope_clear(&us);
        return;
    }
    v = json_object();
    hub_scope_vars(q, &us, v);
    v_str(v, "q", search);
    v_bool(v, "overdue", overdue && !strcmp(overdue, "1"));
    {
        static const char *const k[] = {"hospital",  "clinic",       "dental", "pharmacy",
                                        "midwifery", "headquarters", NULL};
        json_t *ta = v_arr(v, "types");
        for (int i = 0; k[i]; i++) {
            json_t *o = v_push(ta);
            v_str(o, "value", k[i]);
            v_str(o, "name", type_name(q, k[i]));
            v_bool(o, "selected", type && !strcmp(type, k[i]));
        }
    }
    rows = v_arr(v, "rows");
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *o = v_push(rows);
        int pc = pgint(PQgetvalue(r, i, 7));
        v_str(o, "id", PQgetvalue(r, i, 0));
        v_str(o, "name", PQgetvalue(r, i, 1));
        v_str(o, "type", type_name(q, PQgetvalue(r, i, 2)));
        v_str(o, "pref", az_pref_name(pgint(PQgetvalue(r, i, 3)), q->lang));
        v_str(o, "beds", PQgetvalue(r, i, 4));
        v_str(o, "group", PQgetvalue(r, i, 5));
        v_str(o, "last", PQgetvalue(r, i, 6));
        if (!strcmp(PQgetvalue(r, i, 9), "t")) {
            /* nothing sent for the year: not 0 overdue, unknown */
            v_str(o, "pct", "—");
            v_str(o, "overdue", "—");
            continue;
        }
        if (pc >= 0)
            v_int(o, "pct", pc);
        v_int(o, "overdue", pgint(PQgetvalue(r, i, 8)));
    }
    {
        struct az_buf b;
        v_int(v, "total", total);
        v_int(v, "page", pg);
        az_buf_init(&b, 4096);
        if (search && *search) {
            az_buf_puts(&b, "&q=");
            az_url_escape(&b, search, strlen(search));
        }
        if (type && *type) {
            az_buf_puts(&b, "&type=");
            az_url_escape(&b, type, strlen(type));
        }
        if (overdue && !strcmp(overdue, "1"))
            az_buf_puts(&b, "&overdue=1");
        if (fp)
            az_buf_printf(&b, "&prefecture=%d", fp);
        if (fp)
            v_str(v, "filter_name", az_pref_name(fp, q->lang));
        v_str(v, "qs", b.data ? b.data : "");
        az_buf_done(&b);
        if (pg > 1)
            v_int(v, "prev", pg - 1);
        if (pg * HUB_PAGE < total)
            v_int(v, "next", pg + 1);
    }
    PQclear(r);
    hub_scope_clear(&us);
    web_page(q, 200, "hub-institutions.html", v, NULL);
}

static const char *status_name(struct req *q, int s)
{
    switch (s) {
    case 0:
        return T(q, "対応済み", "satisfied");
    case 1:
        return T(q, "未対応", "gap");
    case 2:
        return T(q, "未回答", "unanswered");
    case 3:
        return T(q, "該当なし", "not applicable");
    default:
        return T(q, "対象外", "out of scope");
    }
}

void hub_page_institution(struct req *q)
{
    struct hub_scope us;
    char val[32], *sql = NULL;
    const char *p1, *cond, *id = web_arg(q, "id");
    PGresult *r, *y;
    json_t *v;

    if (!hub_user_scope(q, &us))
        return;
    cond = scope_sql(&us, val, sizeof(val), &p1);
    if (!id || !*id || strlen(id) > 64 || !text_ok(id, 64) ||
        az_strf(&sql,
                "SELECT i.id, i.name, i.type, i.prefecture, i.bed_band, i.grp,"
                " coalesce(i.parent, ''), coalesce(i.last_sequence, 0) FROM institution i"
                " WHERE i.id = $2 AND %s",
                cond) < 0) {
        free(sql);
        hub_scope_clear(&us);
        web_error(q, 404, "その機関は見つかりません。", "No such institution.");
        return;
    }
    {
        const char *vals[2] = {p1, id};
        r = query(q, sql, 2, vals);
    }
    free(sql);
    hub_scope_clear(&us);
    if (!r)
        return;
    if (PQntuples(r) != 1) {
        /* outside the scope looks exactly like absent */
        PQclear(r);
        web_audit_denied(q, "not-found-or-out-of-scope");
        web_error(q, 404, "その機関は見つかりません。", "No such institution.");
        return;
    }
    v = json_object();
    v_str(v, "id", PQgetvalue(r, 0, 0));
    v_str(v, "name", PQgetvalue(r, 0, 1));
    v_str(v, "type", type_name(q, PQgetvalue(r, 0, 2)));
    v_str(v, "pref", az_pref_name(pgint(PQgetvalue(r, 0, 3)), q->lang));
    v_str(v, "beds", PQgetvalue(r, 0, 4));
    v_str(v, "group", PQgetvalue(r, 0, 5));
    v_str(v, "parent", PQgetvalue(r, 0, 6));
    v_str(v, "sequence", PQgetvalue(r, 0, 7));
    {
        const char *vals[2] = {PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 3)};
        y = query(q,
                  "SELECT fiscal_year, applicable, satisfied, gaps, unanswered, overdue,"
                  " cyber_bcp, mfa, mfa_fy2027, patching, usb, contract_roles, bundle_id,"
                  " to_char(to_timestamp(created_at) AT TIME ZONE 'Asia/Tokyo',"
                  " 'YYYY-MM-DD HH24:MI') FROM inst_year WHERE institution = $1 AND"
                  " prefecture = $2::smallint ORDER BY fiscal_year DESC LIMIT 1",
                  2, vals);
    }
    if (!y) {
        PQclear(r);
        json_decref(v);
        return;
    }
    if (PQntuples(y) == 1) {
        json_t *s = v_obj(v, "summary"), *ind, *items, *kev, *fc;
        static const char *const ik[] = {"bcp", "mfa", "mfa2027", "patching", "usb", "contract"};
        const char *vals[3] = {PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 3), PQgetvalue(y, 0, 0)};
        PGresult *x;
        v_str(s, "fy", PQgetvalue(y, 0, 0));
        v_int(s, "applicable", pgint(PQgetvalue(y, 0, 1)));
        v_int(s, "satisfied", pgint(PQgetvalue(y, 0, 2)));
        v_int(s, "gaps", pgint(PQgetvalue(y, 0, 3)));
        v_int(s, "unanswered", pgint(PQgetvalue(y, 0, 4)));
        v_int(s, "overdue", pgint(PQgetvalue(y, 0, 5)));
        v_str(s, "bundle", PQgetvalue(y, 0, 12));
        v_str(s, "created", PQgetvalue(y, 0, 13));
        if (pgint(PQgetvalue(y, 0, 1)) > 0)
            v_int(s, "pct",
                  (100 * pgint(PQgetvalue(y, 0, 2)) + pgint(PQgetvalue(y, 0, 1)) / 2) /
                      pgint(PQgetvalue(y, 0, 1)));
        ind = v_obj(s, "ind");
        for (int k = 0; k < 6; k++)
            v_bool(ind, ik[k], PQgetvalue(y, 0, 6 + k)[0] == 't');
        items = v_arr(s, "items");
        if ((x = query(q,
                       "SELECT topic, status, overdue FROM item_status WHERE institution = $1"
                       " AND prefecture = $2::smallint AND fiscal_year = $3::int ORDER BY topic",
                       3, vals))) {
            for (int i = 0; i < PQntuples(x); i++) {
                json_t *o = v_push(items);
                int st = pgint(PQgetvalue(x, i, 1));
                v_str(o, "topic", hub_topic_title(q, PQgetvalue(x, i, 0)));
                v_str(o, "code", PQgetvalue(x, i, 0));
                v_str(o, "status", status_name(q, st));
                v_bool(o, "gap", st == 1);
                v_bool(o, "overdue", PQgetvalue(x, i, 2)[0] == 't');
            }
            PQclear(x);
        }
        kev = v_arr(s, "kev");
        if ((x = query(q,
                       "SELECT family, version FROM vpn_kev WHERE institution = $1 AND"
                       " prefecture = $2::smallint AND fiscal_year = $3::int ORDER BY 1, 2",
                       3, vals))) {
            for (int i = 0; i < PQntuples(x); i++) {
                json_t *o = v_push(kev);
                v_str(o, "product", PQgetvalue(x, i, 0));
                v_str(o, "version", PQgetvalue(x, i, 1));
            }
            PQclear(x);
        }
        fc = v_arr(s, "findings");
        if ((x = query(q,
                       "SELECT rule, n FROM finding_count WHERE institution = $1 AND"
                       " prefecture = $2::smallint AND fiscal_year = $3::int ORDER BY 1",
                       3, vals))) {
            for (int i = 0; i < PQntuples(x); i++) {
                json_t *o = v_push(fc);
                v_str(o, "rule", rule_name(q, PQgetvalue(x, i, 0)));
                v_int(o, "n", pgint(PQgetvalue(x, i, 1)));
            }
            PQclear(x);
        }
        if (q->done) { /* a query failed: its error page stands */
            PQclear(y);
            PQclear(r);
            json_decref(v);
            return;
        }
    }
    PQclear(y);
    PQclear(r);
    web_page(q, 200, "hub-institution.html", v, NULL);
}

/* ---- the report of an association: the same sections over its members ---- */

static int assoc_report(struct req *q, const struct hub_scope *us, int fy, json_t **ret);

static int build_report(struct req *q, const struct hub_scope *us, const struct az_hub_scope *rs,
                        json_t **rep)
{
    struct hubweb *hw = HW(q);
    const char *sy = NULL;
    size_t sl = 0;
    int r;

    if (us->kind == HS_ASSOC)
        return assoc_report(q, us, rs->fiscal_year, rep);
    if (az_hub_survey_embedded(&sy, &sl) < 0)
        sy = NULL;
    pthread_mutex_lock(&hw->lock);
    r = az_hub_report(&q->ctx, hw->hub, rs, sy, sl, rep);
    pthread_mutex_unlock(&hw->lock);
    return r;
}

/* Each section as for a region, over the members ($1, a text[]). */
static const struct {
    const char *name, *title_ja, *title_en, *cols_ja, *cols_en, *sql;
} assoc_sections[] = {
    {"completion_by_item", "項目ごとの対応率", "Completion by item",
     "項目,該当,対応済み,対応率 (%),期限超過", "item,applicable,satisfied,percent,overdue",
     "SELECT s.topic, count(*) FILTER (WHERE s.status <= 2), count(*) FILTER (WHERE s.status ="
     " 0), coalesce(round(100.0 * count(*) FILTER (WHERE s.status = 0) / nullif(count(*)"
     " FILTER (WHERE s.status <= 2), 0))::int, 0), count(*) FILTER (WHERE s.overdue) FROM"
     " item_status s WHERE s.fiscal_year = $2::int AND s.institution = ANY($1::text[])"
     " GROUP BY s.topic ORDER BY s.topic"},
    {"by_type_band", "種別・病床規模ごとの対応率", "Completion by type and bed band",
     "種別,病床規模,機関数,対応率 (%),期限超過のある機関",
     "type,bed band,institutions,percent,with overdue items",
     "SELECT y.type, y.bed_band, count(*), coalesce(round(100.0 * sum(y.satisfied) /"
     " nullif(sum(y.applicable), 0))::int, 0), count(*) FILTER (WHERE y.overdue > 0) FROM"
     " inst_year y WHERE y.fiscal_year = $2::int AND y.institution = ANY($1::text[]) GROUP BY"
     " y.type, y.bed_band ORDER BY y.type,"
     " " AZ_HUB_BAND_ORDER ", y.bed_band"},
    {"overdue_institutions", "期限超過の項目がある機関 (多い順、最大 200)",
     "Institutions with overdue items (most first, at most 200)",
     "機関 ID,名称,種別,都道府県,期限超過,対応済み,該当",
     "institution,name,type,prefecture,overdue,satisfied,applicable",
     "SELECT y.institution, i.name, y.type, y.prefecture, y.overdue, y.satisfied, y.applicable"
     " FROM inst_year y JOIN institution i ON i.id = y.institution WHERE y.fiscal_year ="
     " $2::int AND y.institution = ANY($1::text[]) AND y.overdue > 0 ORDER BY y.overdue DESC,"
     " y.institution LIMIT 200"},
    {"mfa_fy2027", "令和9年度の二要素認証への備え",
     "Readiness for two-factor authentication (FY2027)",
     "種別,機関数,備えあり,備えあり (%),二要素認証の項目に対応",
     "type,institutions,ready,ready (%),2FA item satisfied",
     "SELECT y.type, count(*), count(*) FILTER (WHERE y.mfa_fy2027), round(100.0 * count(*)"
     " FILTER (WHERE y.mfa_fy2027) / count(*))::int, count(*) FILTER (WHERE y.mfa) FROM"
     " inst_year y WHERE y.fiscal_year = $2::int AND y.institution = ANY($1::text[]) GROUP BY"
     " y.type ORDER BY y.type"},
    {"kev_vpn", "KEV に載る脆弱性のある VPN 装置 (製品・版ごと)",
     "VPN devices exposed to KEV vulnerabilities (by product and version)", "製品,版,台数,機関数",
     "product,version,devices,institutions",
     "SELECT k.family, k.version, count(*), count(DISTINCT k.institution) FROM vpn_kev k WHERE"
     " k.fiscal_year = $2::int AND k.institution = ANY($1::text[]) GROUP BY k.family, k.version"
     " ORDER BY count(*) DESC, k.family, k.version LIMIT 100"},
    {"trend", "年度ごとの推移", "Trend across fiscal years",
     "年度,機関数,対応率 (%),期限超過のある機関,BCP あり (%)",
     "fiscal year,institutions,percent,with overdue items,cyber BCP (%)",
     "SELECT y.fiscal_year, count(*), coalesce(round(100.0 * sum(y.satisfied) /"
     " nullif(sum(y.applicable), 0))::int, 0), count(*) FILTER (WHERE y.overdue > 0),"
     " round(100.0 * count(*) FILTER (WHERE y.cyber_bcp) / count(*))::int FROM inst_year y"
     " WHERE $2::int IS NOT NULL AND y.institution = ANY($1::text[]) GROUP BY y.fiscal_year"
     " ORDER BY y.fiscal_year"},
    {"indicators", "調査と比べる指標 (病院 / 病院以外)",
     "Indicators compared with the survey (hospitals / other institutions)",
     "対象,機関数,BCP,二要素認証,更新,USB,契約の役割分担",
     "population,institutions,cyber BCP,2FA,patching,USB,contract roles",
     "SELECT CASE WHEN y.type = 'hospital' THEN 'hospital' ELSE 'other' END, count(*),"
     " count(*) FILTER (WHERE y.cyber_bcp), count(*) FILTER (WHERE y.mfa), count(*) FILTER"
     " (WHERE y.patching), count(*) FILTER (WHERE y.usb), count(*) FILTER (WHERE"
     " y.contract_roles) FROM inst_year y WHERE y.fiscal_year = $2::int AND y.institution ="
     " ANY($1::text[]) GROUP BY 1 ORDER BY 1"},
};

static int assoc_report(struct req *q, const struct hub_scope *us, int fy, json_t **ret)
{
    char fys[16];
    json_t *rep, *secs, *one;
    const char *sy = NULL;
    size_t sl = 0;
    PGresult *r;
    int r0;

    if (az_hub_survey_embedded(&sy, &sl) < 0)
        sy = NULL;
    if (!fy && (r0 = default_fy(q, &fy)) < 0)
        return r0;
    snprintf(fys, sizeof(fys), "%d", fy);
    secs = json_array();
    rep = json_pack("{s:s,s:s,s:{s:i,s:s,s:s,s:s,s:s,s:i},s:o}", "schema", "anzen-hub-report/1",
                    "anzen_version", AZ_VERSION, "scope", "prefecture", 0, "prefecture_ja", "",
                    "prefecture_en", "", "group", "", "association", us->value, "fiscal_year", fy,
                    "sections", secs);
    if (!rep)
        return az_fail(&q->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    for (size_t s = 0; s < sizeof(assoc_sections) / sizeof(assoc_sections[0]); s++) {
        const char *vals[2] = {us->members ? us->members : "{}", fys};
        json_t *rows = json_array();
        if (!(r = query(q, assoc_sections[s].sql, 2, vals))) {
            json_decref(rows);
            json_decref(rep);
            return az_fail(&q->ctx, AZ_EIO, "データベース", "database");
        }
        for (int i = 0; i < PQntuples(r); i++) {
            json_t *row = json_array();
            for (int c = 0; c < PQnfields(r); c++) {
                const char *x = PQgetvalue(r, i, c);
                Oid t = PQftype(r, c);
                json_array_append_new(row, t == 20 || t == 21 || t == 23
                                               ? json_integer(strtoll(x, NULL, 10))
                                               : json_string(x));
            }
            json_array_append_new(rows, row);
        }
        PQclear(r);
        one = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "name", assoc_sections[s].name, "title_ja",
                        assoc_sections[s].title_ja, "title_en", assoc_sections[s].title_en,
                        "columns_ja", assoc_sections[s].cols_ja, "columns_en",
                        assoc_sections[s].cols_en, "rows", rows);
        json_array_append_new(secs, one);
        /* the comparison with the survey follows the indicators, as in
         * the report of a region or a group (az_hub_report) */
        if (one && !strcmp(assoc_sections[s].name, "indicators") && sy) {
            json_t *sv = NULL;
            if (az_hub_survey_section(&q->ctx, sy, sl, one, fy, &sv) < 0) {
                json_decref(rep);
                return q->ctx.err;
            }
            json_array_append_new(secs, sv);
        }
    }
    *ret = rep;
    return 0;
}

/* ---- downloads ---- */

static int read_all(const char *path, char **ret, size_t *ret_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    char *b;
    size_t got = 0;

    if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size > (1 << 28)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!(b = malloc((size_t)sb.st_size + 1))) {
        close(fd);
        return -1;
    }
    while (got < (size_t)sb.st_size) {
        ssize_t n = read(fd, b + got, (size_t)sb.st_size - got);
        if (n <= 0) {
            free(b);
            close(fd);
            return -1;
        }
        got += (size_t)n;
    }
    close(fd);
    *ret = b;
    *ret_len = got;
    return 0;
}

/* The download's names with the scope in them: anzen-hub-東京都-2026.xlsx,
 * and the ASCII fallback anzen-hub-tokyo-2026.xlsx (a group or
 * association name that is not plain ASCII becomes "group" or
 * "association" there). */
static void report_names(const json_t *rep, int fy, const char *fmt, char *ascii, size_t an,
                         char *utf8, size_t un)
{
    const json_t *sc = json_object_get(rep, "scope");
    const char *pj = json_string_value(json_object_get(sc, "prefecture_ja"));
    const char *pe = json_string_value(json_object_get(sc, "prefecture_en"));
    const char *g = json_string_value(json_object_get(sc, "group"));
    const char *a = json_string_value(json_object_get(sc, "association"));
    const char *u = NULL, *fb = NULL;
    char low[64] = "", part[128] = "";
    size_t k = 0;

    if (json_integer_value(json_object_get(sc, "prefecture")) > 0 && pj && *pj) {
        u = pj;
        for (const char *p = pe ? pe : ""; *p && k + 1 < sizeof(low); p++)
            low[k++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        low[k] = 0;
        fb = low;
    } else if (g && *g) {
        u = g;
        fb = "group";
    } else if (a && *a) {
        u = a;
        fb = "association";
    }
    if (u && fb && (u == g || u == a)) {
        /* the name itself when it is plain (letters, digits, - . _) */
        bool plain = strlen(u) < sizeof(part);
        for (const char *p = u; plain && *p; p++)
            plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_';
        if (plain)
            fb = u;
    }
    snprintf(part, sizeof(part), "%s", fb ? fb : "");
    for (char *p = part; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.' || *p == '_'))
            *p = '-';
    if (u) {
        snprintf(ascii, an, "anzen-hub-%s-%d.%s", part, fy, fmt);
        snprintf(utf8, un, "anzen-hub-%s-%d.%s", u, fy, fmt);
    } else {
        snprintf(ascii, an, "anzen-hub-%d.%s", fy, fmt);
        snprintf(utf8, un, "%s", ascii);
    }
}

void hub_page_report(struct req *q)
{
    struct hub_scope us;
    struct az_hub_scope rs;
    const char *fmt = web_arg(q, "format");
    json_t *rep = NULL;
    char *body = NULL, name[64], uname[400];
    size_t len = 0;
    int fy;

    if (!fmt || (strcmp(fmt, "xlsx") && strcmp(fmt, "html"))) {
        web_error(q, 400, "形式は xlsx か html です。", "The format is xlsx or html.");
        return;
    }
    if (!hub_user_scope(q, &us))
        return;
    if (!report_scope(q, &us, &rs, NULL)) {
        hub_scope_clear(&us);
        return;
    }
    if (build_report(q, &us, &rs, &rep) < 0) {
        fprintf(stderr, "anzen hub serve: %s\n", az_errmsg(&q->ctx));
        hub_scope_clear(&us);
        if (!q->done)
            web_error(q, 500, "集計を読めませんでした。", "The aggregates could not be read.");
        return;
    }
    hub_scope_clear(&us);
    fy = (int)json_integer_value(json_object_get(json_object_get(rep, "scope"), "fiscal_year"));
    report_names(rep, fy, fmt, name, sizeof(name), uname, sizeof(uname));
    if (!strcmp(fmt, "html")) {
        if (az_hub_report_html(&q->ctx, rep, &body, &len) < 0) {
            json_decref(rep);
            web_error(q, 500, "報告書を作れませんでした。", "The report could not be made.");
            return;
        }
        json_decref(rep);
        web_download(q, "text/html; charset=utf-8", name, uname, body, len);
        return;
    }
    {
        char *tmp = az_fmt("%s/report-XXXXXX", HW(q)->spool);
        int fd = tmp ? mkstemp(tmp) : -1, r;
        if (fd < 0) {
            free(tmp);
            json_decref(rep);
            web_error(q, 500, "一時ファイルを作れません。", "Cannot make a temporary file.");
            return;
        }
        close(fd);
        r = az_hub_report_xlsx(&q->ctx, rep, tmp);
        json_decref(rep);
        if (r < 0 || read_all(tmp, &body, &len) < 0) {
            unlink(tmp);
            free(tmp);
            web_error(q, 500, "報告書を作れませんでした。", "The report could not be made.");
            return;
        }
        unlink(tmp);
        free(tmp);
        web_download(q, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name,
                     uname, body, len);
    }
}
