/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/report: the report model, the HTML and Markdown
 * reports with hostile values (XSS), the XLSX writer read back by the
 * XLSX reader, the vendor form round trip and import errors, and the
 * reader's limits on hostile zip files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zip.h>

#include "anzen/keypoints.h"
#include "anzen/plan.h"
#include "anzen/procure.h"
#include "anzen/report.h"
#include "anzen/xlsx.h"

static struct az_ctx ctx;
static struct az_catalog *cat;
static struct az_profile *prof;
static struct az_answers *ans;
static struct az_eval *ev;
static struct az_plan *plan;
static json_t *kp;
static char tmpdir[64];

#define HOSTILE_NAME   "<script>alert(1)</script>クリニック"
#define HOSTILE_PERSON "\\\"><img src=x onerror=alert(1)> 担当 '&' `x`"

static const char *PROFILE =
    "anzen-profile: 1\n"
    "institution:\n"
    "  name: \"" HOSTILE_NAME "\"\n"
    "  type: clinic\n"
    "  person-in-charge: \"" HOSTILE_PERSON "\"\n"
    "  medical-systems: true\n"
    "systems:\n"
    "  - {id: emr, name: \"電子カルテ\\u202Eevil\", hosting: on-prem, vendor: \"A | B 社\", "
    "renewal: 2027-10-01, remote-maintenance: true, mfa: false}\n";

static const char *ANSWERS =
    "anzen-answers: 1\nedition: cl-r7\nform: h\nanswers:\n"
    "  - {item: cl-r7.h.gate, answer: はい, checked: 2025-06-01}\n"
    "  - {item: cl-r7.h.security-lead, answer: はい, checked: 2025-06-01, note: "
    "\"</style><script>x()</script> | pipe\"}\n"
    "  - {item: cl-r7.h.asset-ledger, answer: いいえ, checked: 2025-06-01, target: 2025-09-30, "
    "note: \"\\u202Ereversed\\u2066 zero\\u200Bwidth\"}\n"
    "  - {item: cl-r7.h.mfa, answer: いいえ, checked: 2025-06-01, target: 2027-03-31}\n";

static int setup(void **state)
{
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_JA);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/anzen-test-report.XXXXXX");
    if (!mkdtemp(tmpdir) || az_catalog_load_embedded(&ctx, &cat) < 0 ||
        az_profile_load(&ctx, "p.yaml", PROFILE, strlen(PROFILE), &prof) < 0 ||
        az_answers_load(&ctx, cat, "a.yaml", ANSWERS, strlen(ANSWERS), &ans) < 0 ||
        az_evaluate(&ctx, cat, prof, ans, ans->edition, (struct az_date){2026, 12, 1}, &ev) < 0 ||
        az_plan_build(&ctx, ev, NULL, 0, &plan) < 0) {
        fprintf(stderr, "setup: %s\n", az_errmsg(&ctx));
        return -1;
    }
    kp = az_keypoints(prof, ev->as_of);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    json_decref(kp);
    az_plan_free(plan);
    az_eval_free(ev);
    az_answers_free(ans);
    az_profile_free(prof);
    az_catalog_free(cat);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct az_report_input input(void)
{
    struct az_report_input in;
    memset(&in, 0, sizeof(in));
    in.eval = ev;
    in.plan = plan;
    in.keypoints = kp;
    return in;
}

static void test_model(void **state)
{
    struct az_report_input in = input();
    json_t *m = az_report_model(&in, AZ_LANG_JA), *x;
    size_t i;
    const char *prev = "";

    (void)state;
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "schema")), AZ_REPORT_SCHEMA);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(m, "institution"), "name")),
        HOSTILE_NAME);
    /* the model takes the evaluation's numbers, it does not recount */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "total"), "gaps")),
                     ev->total.gaps);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(m, "overdue_summary"), "count")),
        ev->total.overdue);
    assert_int_equal(json_array_size(json_object_get(m, "overdue")), (size_t)ev->total.overdue);
    assert_string_equal(json_string_value(json_object_get(json_object_get(m, "position"), "level")),
                        "overdue");
    /* at most five actions, in the plan's order */
    assert_true(json_array_size(json_object_get(m, "actions")) <= 5);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(m, "actions"), 0), "id")),
        plan->v[0].result->item->id);
    /* deadlines ahead are sorted and hold the FY2027 MFA rule and the EMR renewal */
    {
        bool rule = false, sys = false;
        json_array_foreach(json_object_get(m, "deadlines"), i, x)
        {
            const char *d = json_string_value(json_object_get(x, "date"));
            assert_true(strcmp(prev, d) <= 0);
            prev = d;
            if (!strcmp(json_string_value(json_object_get(x, "kind")), "mfa-rule"))
                rule = !strcmp(d, "2027-04-01");
            if (!strcmp(json_string_value(json_object_get(x, "kind")), "mfa-system"))
                sys = !strcmp(d, "2027-10-01");
        }
        assert_true(rule);
        assert_true(sys);
    }
    /* the operations part holds only items of that role */
    json_array_foreach(
        json_object_get(json_object_get(json_object_get(m, "by_role"), "operations"), "items"), i,
        x)
    {
        const json_t *r;
        size_t k;
        bool has = false;
        json_array_foreach(json_object_get(x, "roles"), k, r) has |=
            !strcmp(json_string_value(r), "operations");
        assert_true(has);
    }
    json_decref(m);
}

static void test_html_escapes_everything(void **state)
{
    struct az_report_input in = input();
    json_t *extra = json_pack("[{s:s, s:s, s:[s], s:[{s:s, s:s}]}]", "id", "scan", "title",
                              "<b>scan</b>", "paragraphs", "<iframe src=//evil>", "findings",
                              "level", "gap", "text", "\"><svg onload=alert(1)>");
    json_t *svg = json_pack("{s:s}", "scan", "<svg id=\"trusted\"></svg>");
    struct az_buf b;

    (void)state;
    in.extra = extra;
    in.extra_svg = svg;
    az_buf_init(&b, 16u << 20);
    assert_int_equal(az_report_html(&ctx, &in, 0, &b), 0);
    /* nothing a user typed comes out as markup */
    assert_null(strstr(b.data, "<script"));
    assert_null(strstr(b.data, "<img"));
    assert_null(strstr(b.data, "<iframe"));
    assert_null(strstr(b.data, "<svg onload"));
    assert_null(strstr(b.data, "</style><"));
    assert_non_null(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;クリニック"));
    assert_non_null(strstr(
        b.data, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt; 担当 &#39;&amp;&#39; &#96;x&#96;"));
    /* bidi overrides neutralised, zero-width kept */
    assert_null(strstr(b.data, "\xE2\x80\xAE"));
    assert_null(strstr(b.data, "\xE2\x81\xA6"));
    assert_non_null(strstr(b.data, "zero\xE2\x80\x8Bwidth"));
    /* the extra section is there, escaped, with its trusted chart */
    assert_non_null(strstr(b.data, "&lt;b&gt;scan&lt;/b&gt;"));
    assert_non_null(strstr(b.data, "<svg id=\"trusted\"></svg>"));
    /* self-contained: no external resource, no script at all */
    assert_null(strstr(b.data, "src=\"http"));
    assert_null(strstr(b.data, "href=\"http"));
    assert_null(strstr(b.data, "<link"));
    assert_null(strstr(b.data, "@import"));
    assert_non_null(strstr(b.data, "default-src 'none'"));
    assert_non_null(strstr(b.data, "<svg class=\"ring\""));
    az_buf_done(&b);

    /* one role only: the management page and nothing else */
    az_buf_init(&b, 16u << 20);
    assert_int_equal(az_report_html(&ctx, &in, AZ_ROLE_MANAGEMENT, &b), 0);
    assert_non_null(strstr(b.data, "class=\"page management\""));
    assert_null(strstr(b.data, "class=\"page role\""));
    assert_null(strstr(b.data, "sec-scan"));
    az_buf_done(&b);
    json_decref(extra);
    json_decref(svg);
}

static void test_markdown(void **state)
{
    struct az_report_input in = input();
    struct az_buf b;

    (void)state;
    ctx.lang = AZ_LANG_EN;
    az_buf_init(&b, 16u << 20);
    assert_int_equal(az_report_md(&ctx, &in, 0, &b), 0);
    ctx.lang = AZ_LANG_JA;
    assert_non_null(strstr(b.data, "# Cybersecurity report — &lt;script&gt;"));
    assert_null(strstr(b.data, "<script"));
    assert_non_null(strstr(b.data, "A \\| B 社")); /* a pipe cannot break a table */
    assert_non_null(strstr(b.data, "## Summary for management"));
    az_buf_done(&b);
}

static void *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static const struct az_xlsx_sheet *sheet_or_fail(const struct az_xlsx *x, const char *name)
{
    const struct az_xlsx_sheet *s = az_xlsx_sheet(x, name);
    if (!s)
        fail_msg("no sheet %s", name);
    return s;
}

/* the row whose hidden ID column (G) is id */
static unsigned row_of(const struct az_xlsx_sheet *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->cells[i].col == 6 && !strcmp(s->cells[i].text, id))
            return s->cells[i].row;
    fail_msg("no row for %s", id);
    return 0;
}

static void test_xlsx_checklist_read_back(void **state)
{
    struct az_report_input in = input();
    char path[128];
    size_t len;
    void *data;
    struct az_xlsx *x;
    const struct az_xlsx_sheet *s, *meta;
    unsigned r;
    struct az_date d;

    (void)state;
    snprintf(path, sizeof(path), "%s/c.xlsx", tmpdir);
    assert_int_equal(az_xlsx_checklist(&ctx, &in, path), 0);
    data = slurp(path, &len);
    assert_int_equal(az_xlsx_read(&ctx, "c.xlsx", data, len, &x), 0);
    s = sheet_or_fail(x, "医療機関確認用");
    assert_false(s->hidden);
    assert_string_equal(az_xlsx_get(s, 2, 1), HOSTILE_NAME);
    assert_string_equal(az_xlsx_get(s, 2, 3), "\"><img src=x onerror=alert(1)> 担当 '&' `x`");
    r = row_of(s, "cl-r7.h.asset-ledger");
    assert_string_equal(az_xlsx_get(s, r, 0), "2-①");
    assert_string_equal(az_xlsx_get(s, r, 2), "いいえ");
    assert_int_equal(az_date_parse(az_xlsx_get(s, r, 4), true, &d), 0); /* a date serial */
    assert_int_equal(az_date_cmp(d, (struct az_date){2025, 9, 30}), 0);
    r = row_of(s, "cl-r7.h.security-lead");
    assert_string_equal(az_xlsx_get(s, r, 5), "</style><script>x()</script> | pipe");
    meta = sheet_or_fail(x, "anzen");
    assert_true(meta->hidden);
    assert_string_equal(az_xlsx_get(meta, 0, 1), "anzen-form/1");
    assert_string_equal(az_xlsx_get(meta, 1, 1), "cl-r7");
    assert_non_null(az_xlsx_sheet(x, "対応計画"));
    az_xlsx_free(x);
    free(data);
}

/* A note as long as answers allow (8 KiB), on an answer to re-check,
 * reaches its cell whole after the 要再確認 line (the form sheet copied
 * both into 8 KiB: the note was cut inside a character and the workbook
 * was not written). */
static void test_xlsx_long_note(void **state)
{
    struct az_report_input in = input();
    struct az_answer *a = NULL;
    char path[128], *note = malloc(3 * 2730 + 1), *saved;
    const char *cellv;
    bool saved_re, saved_stale;
    size_t len;
    void *data;
    struct az_xlsx *x;
    const struct az_xlsx_sheet *s;

    (void)state;
    assert_non_null(note);
    for (size_t i = 0; i < 2730; i++)
        memcpy(note + 3 * i, "あ", 3);
    note[3 * 2730] = '\0';
    for (size_t i = 0; i < ev->nresults; i++)
        if (!strcmp(ev->results[i].item->id, "cl-r7.h.security-lead"))
            a = (struct az_answer *)ev->results[i].answer;
    assert_non_null(a);
    saved = a->note;
    saved_re = a->reconfirm;
    saved_stale = a->stale;
    a->note = note;
    a->reconfirm = a->stale = true;
    snprintf(path, sizeof(path), "%s/long.xlsx", tmpdir);
    assert_int_equal(az_xlsx_checklist(&ctx, &in, path), 0);
    a->note = saved;
    a->reconfirm = saved_re;
    a->stale = saved_stale;
    data = slurp(path, &len);
    assert_int_equal(az_xlsx_read(&ctx, "long.xlsx", data, len, &x), 0);
    s = sheet_or_fail(x, "医療機関確認用");
    cellv = az_xlsx_get(s, row_of(s, "cl-r7.h.security-lead"), 5);
    assert_non_null(cellv);
    assert_true(!strncmp(cellv, "要再確認: ", strlen("要再確認: ")));
    assert_true(strlen(cellv) > strlen(note) + 1);
    assert_string_equal(cellv + strlen(cellv) - strlen(note), note);
    assert_int_equal(cellv[strlen(cellv) - strlen(note) - 1], '\n');
    az_xlsx_free(x);
    free(data);
    free(note);
}

static void test_vendor_form_round_trip(void **state)
{
    const char *prev_src = "anzen-answers: 1\nedition: cl-r7\nform: v\nsystem: emr\nanswers:\n"
                           "  - {item: cl-r7.v.security-lead, answer: はい, checked: 2025-07-10}\n"
                           "  - {item: cl-r7.v.patches, answer: いいえ, checked: 2025-07-10, "
                           "target: 2025-12-26, note: \"<b>次回</b>\"}\n"
                           "  - {item: cl-r7.v.mds-sds, answer: 対象外}\n";
    struct az_answers *prev, *back;
    char path[128];
    size_t len;
    void *data;

    (void)state;
    assert_int_equal(az_answers_load(&ctx, cat, "prev.yaml", prev_src, strlen(prev_src), &prev), 0);
    snprintf(path, sizeof(path), "%s/v.xlsx", tmpdir);
    assert_int_equal(az_xlsx_vendor_form(&ctx, prev->edition, prof, &prof->systems[0], prev,
                                         (struct az_date){2026, 12, 1}, path),
                     0);
    data = slurp(path, &len);
    assert_int_equal(az_vendor_form_import(&ctx, cat, prof, NULL, "v.xlsx", data, len, &back), 0);
    assert_string_equal(back->system, "emr");
    assert_int_equal(back->n, 3);
    for (size_t i = 0; i < prev->n; i++) {
        const struct az_answer *a = az_answers_get(back, prev->v[i].item);
        assert_non_null(a);
        assert_int_equal(a->ans, prev->v[i].ans);
        assert_int_equal(a->has_checked, prev->v[i].has_checked);
        if (a->has_checked)
            assert_int_equal(az_date_cmp(a->checked, prev->v[i].checked), 0);
        assert_int_equal(a->has_target, prev->v[i].has_target);
        assert_string_equal(a->note ? a->note : "", prev->v[i].note ? prev->v[i].note : "");
    }
    /* a form for emr is refused for another system */
    assert_int_equal(az_vendor_form_import(&ctx, cat, prof, "receipt", "v.xlsx", data, len, &back),
                     AZ_ESCHEMA);
    assert_non_null(strstr(az_errmsg(&ctx), "emr"));
    free(data);
    az_answers_free(back);
    az_answers_free(prev);
}

/* A vendor's note is read whole: one as long as answers allow comes back
 * intact, a longer one is refused naming its cell (it was cut to 8 KiB,
 * possibly inside a character, and imported). */
static int vendor_note_import(size_t nchars, struct az_answers **back)
{
    const char *src = "anzen-answers: 1\nedition: cl-r7\nform: v\nsystem: emr\nanswers:\n"
                      "  - {item: cl-r7.v.patches, answer: いいえ, checked: 2025-07-10, "
                      "target: 2025-12-26, note: x}\n";
    struct az_answers *prev;
    char path[128], *note = malloc(3 * nchars + 1), *saved;
    size_t len;
    void *data;
    int r;

    assert_non_null(note);
    for (size_t i = 0; i < nchars; i++)
        memcpy(note + 3 * i, "あ", 3);
    note[3 * nchars] = '\0';
    assert_int_equal(az_answers_load(&ctx, cat, "prev.yaml", src, strlen(src), &prev), 0);
    saved = prev->v[0].note; /* what the vendor typed into the sheet */
    prev->v[0].note = note;
    snprintf(path, sizeof(path), "%s/vnote.xlsx", tmpdir);
    assert_int_equal(az_xlsx_vendor_form(&ctx, prev->edition, prof, &prof->systems[0], prev,
                                         (struct az_date){2026, 12, 1}, path),
                     0);
    prev->v[0].note = saved;
    data = slurp(path, &len);
    r = az_vendor_form_import(&ctx, cat, prof, NULL, "vnote.xlsx", data, len, back);
    if (r == 0) {
        const struct az_answer *a = az_answers_get(*back, prev->v[0].item);
        assert_non_null(a);
        assert_string_equal(a->note, note);
    }
    free(data);
    free(note);
    az_answers_free(prev);
    return r;
}

static void test_vendor_form_long_note(void **state)
{
    struct az_answers *back = NULL;

    (void)state;
    assert_int_equal(vendor_note_import(AZ_NOTE_MAX / 3, &back), 0);
    az_answers_free(back);
    back = NULL;
    assert_int_equal(vendor_note_import(3000, &back), AZ_ESCHEMA);
    assert_null(back);
    assert_non_null(strstr(az_errmsg(&ctx), "備考が長すぎます (9000 バイト、上限 8192 バイト)"));
    assert_non_null(strstr(az_errmsg(&ctx), "!F"));
}

static void test_vendor_csv_errors(void **state)
{
    /* the form sheet as a CSV export, re-typed with mistakes */
    const char *csv = "事業者確認用,,,,,\n"
                      "番号,確認項目,確認結果,確認日,目標日,備考\n"
                      "1 体制構築,,,,,\n"
                      "1-①,責任者,たぶん,2025/07/10,,\n"
                      "2-①,台帳,はい,,,\n"
                      "2-⑥,パッチ,いいえ,2025/07/10,,\n"
                      "2-⑦,x,はい,2025/07/10,2025/07/01,\n"
                      "9-⑨,?,はい,2025/07/10,,\n"
                      "2-②,ok,はい,令和7年7月10日,,\n";
    struct az_answers *a = NULL;
    const char *m;

    (void)state;
    ctx.lang = AZ_LANG_EN;
    assert_int_equal(
        az_vendor_form_import(&ctx, cat, prof, "emr", "form.csv", csv, strlen(csv), &a),
        AZ_ESCHEMA);
    m = az_errmsg(&ctx);
    assert_non_null(strstr(m, "form.csv:4:3: answer \"たぶん\""));
    assert_non_null(strstr(m, "form.csv:5:4: no date checked"));
    assert_non_null(strstr(m, "form.csv:6:5: no target date"));
    assert_non_null(strstr(m, "form.csv:7:5: the target date is before"));
    assert_non_null(strstr(m, "form.csv:8:1: no item numbered \"9-⑨\""));
    assert_null(strstr(m, "form.csv:3:")); /* group headings are not errors */
    assert_null(strstr(m, "form.csv:9:")); /* 令和 dates are fine */
    /* without a system, a CSV cannot say which one it is */
    assert_int_equal(az_vendor_form_import(&ctx, cat, prof, NULL, "form.csv", csv, strlen(csv), &a),
                     AZ_EINVAL);
    ctx.lang = AZ_LANG_JA;
}

/* Build a zip in memory with the given entries (name, data, len). */
static void *make_zip(const char *const *names, const char *const *datas, const size_t *lens,
                      size_t n, size_t *ret_len)
{
    char path[128];
    zip_t *z;
    int err;
    void *data;

    snprintf(path, sizeof(path), "%s/z.zip", tmpdir);
    unlink(path);
    z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(z, datas[i], lens[i], 0);
        assert_true(zip_file_add(z, names[i], s, ZIP_FL_ENC_UTF_8) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    data = slurp(path, ret_len);
    return data;
}

static void test_xlsx_reader_hostile(void **state)
{
    struct az_xlsx *x;
    size_t len;
    void *z;

    (void)state;
    ctx.lang = AZ_LANG_EN;
    assert_int_equal(az_xlsx_read(&ctx, "t.xlsx", "not a zip", 9, &x), AZ_ESYNTAX);
    assert_int_equal(az_xlsx_read(&ctx, "t.xlsx", "PK\x03\x04garbage", 11, &x), AZ_ESYNTAX);
    {
        /* a zip bomb: 16 MiB of zeros compress far beyond 200:1 */
        size_t big = 16u << 20;
        char *zeros = calloc(1, big);
        const char *names[] = {"xl/workbook.xml"};
        const char *datas[] = {zeros};
        z = make_zip(names, datas, &big, 1, &len);
        assert_int_equal(az_xlsx_read(&ctx, "bomb.xlsx", z, len, &x), AZ_ERANGE);
        assert_non_null(strstr(az_errmsg(&ctx), "compression ratio"));
        free(z);
        free(zeros);
    }
    {
        /* entity definitions are refused, whatever they would expand to */
        const char *wb = "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaa\">"
                         "<!ENTITY b \"&a;&a;&a;&a;\">]><workbook><sheets><sheet name=\"&b;\"/>"
                         "</sheets></workbook>";
        const char *names[] = {"xl/workbook.xml"};
        const char *datas[] = {wb};
        size_t lens[] = {strlen(wb)};
        z = make_zip(names, datas, lens, 1, &len);
        assert_int_equal(az_xlsx_read(&ctx, "dtd.xlsx", z, len, &x), AZ_ESYNTAX);
        assert_non_null(strstr(az_errmsg(&ctx), "DTDs and entities are refused"));
        free(z);
    }
    {
        /* an external entity (XXE) is refused too, and nothing is fetched */
        const char *wb = "<?xml version=\"1.0\"?><!DOCTYPE w SYSTEM \"http://127.0.0.1:9/x.dtd\">"
                         "<workbook/>";
        const char *names[] = {"xl/workbook.xml"};
        const char *datas[] = {wb};
        size_t lens[] = {strlen(wb)};
        z = make_zip(names, datas, lens, 1, &len);
        assert_int_equal(az_xlsx_read(&ctx, "xxe.xlsx", z, len, &x), AZ_ESYNTAX);
        free(z);
    }
    {
        /* nesting deeper than the limit */
        struct az_buf b;
        const char *names[] = {"xl/workbook.xml"};
        const char *datas[1];
        size_t lens[1];
        az_buf_init(&b, 1u << 20);
        az_buf_puts(&b, "<workbook>");
        for (int i = 0; i < AZ_XLSX_MAX_DEPTH + 5; i++)
            az_buf_puts(&b, "<a>");
        for (int i = 0; i < AZ_XLSX_MAX_DEPTH + 5; i++)
            az_buf_puts(&b, "</a>");
        az_buf_puts(&b, "</workbook>");
        datas[0] = b.data;
        lens[0] = b.len;
        z = make_zip(names, datas, lens, 1, &len);
        assert_int_equal(az_xlsx_read(&ctx, "deep.xlsx", z, len, &x), AZ_ESYNTAX);
        assert_non_null(strstr(az_errmsg(&ctx), "nested too deep"));
        free(z);
        az_buf_done(&b);
    }
    {
        /* a shared-string index that points nowhere */
        const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                               "xl/worksheets/sheet1.xml"};
        const char *datas[] = {
            "<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
            "relationships\"><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>",
            "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/>"
            "</Relationships>",
            "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c></row>"
            "</sheetData></worksheet>"};
        size_t lens[] = {strlen(datas[0]), strlen(datas[1]), strlen(datas[2])};
        z = make_zip(names, datas, lens, 3, &len);
        assert_int_equal(az_xlsx_read(&ctx, "idx.xlsx", z, len, &x), AZ_ESYNTAX);
        assert_non_null(strstr(az_errmsg(&ctx), "idx.xlsx: xl/worksheets/sheet1.xml: line 1"));
        free(z);
    }
    {
        /* inline strings and phonetic runs: the reading of 漢字 is not text */
        const char *names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                               "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"};
        const char *datas[] = {
            "<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
            "relationships\"><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>",
            "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/>"
            "<Relationship Id=\"rId2\" Target=\"sharedStrings.xml\"/></Relationships>",
            "<worksheet><sheetData><row r=\"2\"><c r=\"B2\" t=\"s\"><v>0</v></c>"
            "<c t=\"inlineStr\"><is><t>inline</t></is></c><c r=\"E2\"><v>45838</v></c></row>"
            "</sheetData></worksheet>",
            "<sst><si><r><t>漢字</t></r><rPh sb=\"0\" eb=\"2\"><t>カンジ</t></rPh></si></sst>"};
        size_t lens[] = {strlen(datas[0]), strlen(datas[1]), strlen(datas[2]), strlen(datas[3])};
        z = make_zip(names, datas, lens, 4, &len);
        assert_int_equal(az_xlsx_read(&ctx, "ok.xlsx", z, len, &x), 0);
        assert_string_equal(az_xlsx_get(&x->sheets[0], 1, 1), "漢字");
        assert_string_equal(az_xlsx_get(&x->sheets[0], 1, 2), "inline");
        assert_string_equal(az_xlsx_get(&x->sheets[0], 1, 4), "45838");
        assert_null(az_xlsx_get(&x->sheets[0], 0, 0));
        az_xlsx_free(x);
        free(z);
    }
    ctx.lang = AZ_LANG_JA;
}

static void test_xlsx_ledger(void **state)
{
    const char *csv = "種別,名称,管理者,最終パッチ適用日,サポート終了日\n"
                      "VPN装置,保守用VPNルータ,,2021-03-10,2025-09-30\n"
                      "サーバ,電子カルテサーバ,院内,R7.8.20,\n";
    struct az_ledger *l;
    char path[128];
    size_t len;
    void *data;
    struct az_xlsx *x;
    const struct az_xlsx_sheet *s;
    struct az_date d;

    (void)state;
    assert_int_equal(az_ledger_import(&ctx, "l.csv", csv, strlen(csv), false, &l), 0);
    snprintf(path, sizeof(path), "%s/ledger.xlsx", tmpdir);
    assert_int_equal(az_xlsx_ledger(&ctx, l, path), 0);
    data = slurp(path, &len);
    assert_int_equal(az_xlsx_read(&ctx, "ledger.xlsx", data, len, &x), 0);
    assert_int_equal(x->n, 1);
    s = &x->sheets[0];
    assert_string_equal(s->name, "機器台帳");
    assert_string_equal(az_xlsx_get(s, 0, AZ_COL_KIND),
                        az_ledger_col_name(AZ_COL_KIND, AZ_LANG_JA));
    assert_string_equal(az_xlsx_get(s, 1, AZ_COL_NAME), "保守用VPNルータ");
    assert_string_equal(az_xlsx_get(s, 1, AZ_COL_ADMIN), "(管理者なし)");
    /* dates are real date cells (serials), whatever the CSV wrote */
    assert_int_equal(az_date_parse(az_xlsx_get(s, 2, AZ_COL_LAST_PATCH), true, &d), 0);
    assert_int_equal(az_date_cmp(d, (struct az_date){2025, 8, 20}), 0);
    az_xlsx_free(x);
    free(data);
    az_ledger_free(l);
}

static bool has_req(const json_t *m, const char *id)
{
    const json_t *q;
    size_t i;
    json_array_foreach(json_object_get(m, "requirements"), i,
                       q) if (!strcmp(json_string_value(json_object_get(q, "id")), id)) return true;
    return false;
}

static void test_procure(void **state)
{
    struct az_procure_spec sp;
    json_t *m;
    struct az_buf b;

    (void)state;
    /* every citation resolves in the embedded catalog */
    assert_int_equal(az_procure_check_refs(&ctx, cat), 0);
    memset(&sp, 0, sizeof(sp));
    sp.system_name = "<b>新システム</b>";
    sp.institution = HOSTILE_NAME;
    sp.log_years = 7;
    sp.has_introduce = true;
    sp.introduce = (struct az_date){2026, 10, 1};
    m = az_procure_model(cat, &sp, (struct az_date){2026, 1, 5}, AZ_LANG_JA);
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "schema")), AZ_PROCURE_SCHEMA);
    /* on premises, no remote maintenance: neither device rules nor cloud terms */
    assert_true(has_req(m, "mfa") && has_req(m, "encrypt-stored") && has_req(m, "encrypt-lan"));
    assert_true(has_req(m, "mds-sds") && has_req(m, "vendor-form") && has_req(m, "role-split"));
    assert_true(has_req(m, "logs") && has_req(m, "backup"));
    assert_false(has_req(m, "rm-device") || has_req(m, "rm-access") || has_req(m, "cloud"));
    {
        const json_t *q0 = json_array_get(json_object_get(m, "requirements"), 0), *q;
        size_t i;
        assert_string_equal(json_string_value(json_object_get(q0, "id")), "mfa");
        assert_true(json_is_true(json_object_get(q0, "standard_feature")));
        /* introduced before FY2027: 2FA is asked for now, required at renewal */
        assert_non_null(strstr(json_string_value(json_object_get(q0, "note")), "次の更新"));
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(json_object_get(q0, "refs"), 0), "id")),
                            "cl-r7.h.mfa");
        json_array_foreach(json_object_get(m, "requirements"), i,
                           q) if (!strcmp(json_string_value(json_object_get(q, "id")), "logs"))
            assert_non_null(strstr(json_string_value(json_object_get(q, "text")), "(7 年)"));
    }
    json_decref(m);
    sp.cloud = sp.remote_maintenance = sp.pharmacy = true;
    sp.introduce = (struct az_date){2027, 4, 1};
    m = az_procure_model(cat, &sp, (struct az_date){2026, 1, 5}, AZ_LANG_EN);
    assert_true(has_req(m, "rm-device") && has_req(m, "rm-access") && has_req(m, "cloud"));
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_array_get(json_object_get(m, "requirements"), 0), "note")),
                           "required"));
    /* a pharmacy cites the pharmacy form */
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(
                json_object_get(json_array_get(json_object_get(m, "requirements"), 0), "refs"), 0),
            "id")),
        "cl-r7.p.mfa");
    json_decref(m);
    az_buf_init(&b, 4u << 20);
    assert_int_equal(az_procure_html(&ctx, cat, &sp, (struct az_date){2026, 1, 5}, &b), 0);
    assert_null(strstr(b.data, "<b>新システム"));
    assert_null(strstr(b.data, "<script"));
    assert_non_null(strstr(b.data, "&lt;b&gt;新システム&lt;/b&gt;"));
    az_buf_done(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model),
        cmocka_unit_test(test_html_escapes_everything),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_xlsx_checklist_read_back),
        cmocka_unit_test(test_xlsx_long_note),
        cmocka_unit_test(test_vendor_form_round_trip),
        cmocka_unit_test(test_vendor_form_long_note),
        cmocka_unit_test(test_vendor_csv_errors),
        cmocka_unit_test(test_xlsx_reader_hostile),
        cmocka_unit_test(test_procure),
        cmocka_unit_test(test_xlsx_ledger),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
