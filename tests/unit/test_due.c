/* SPDX-License-Identifier: MIT */
/* Unit tests for the records of the recurring duties (records.h), the key
 * points that read them, what falls due (due.h) and the RFC 5545 writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/due.h"
#include "anzen/keypoints.h"
#include "anzen/records.h"
#include "anzen/util.h"

static struct az_ctx ctx;

static struct az_profile *profile(const char *y)
{
    struct az_profile *p;
    if (az_profile_load(&ctx, "p", y, strlen(y), &p) < 0)
        fail_msg("%s", az_errmsg(&ctx));
    return p;
}

static const char *BARE = "anzen-profile: 1\ninstitution: {name: x, type: clinic}\n"
                          "systems:\n  - {id: emr, name: EMR, hosting: on-prem, vendor: A}\n";

/* the level of the track id and of its finding whose text contains word */
static const char *track_level(json_t *kp, const char *id)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(kp, "tracks"), i,
                       t) if (!strcmp(json_string_value(json_object_get(t, "id")),
                                      id)) return json_string_value(json_object_get(t, "level"));
    return "missing";
}

static const char *finding_level(json_t *kp, const char *id, const char *word)
{
    size_t i, k;
    json_t *t, *f;
    json_array_foreach(json_object_get(kp, "tracks"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "id")), id))
            continue;
        json_array_foreach(
            json_object_get(t, "findings"), k,
            f) if (strstr(json_string_value(json_object_get(f, "en")),
                          word)) return json_string_value(json_object_get(f, "level"));
    }
    return "missing";
}

static struct az_record rec(long long id, enum az_rec_kind k, int y, int m, int d, int result)
{
    struct az_record r = {.id = id, .kind = k, .date = {y, m, d}, .minutes = -1};
    r.result = (enum az_rec_result)result;
    r.by = (char *)"Yamada";
    return r;
}

static void test_unrecorded_is_not_ok(void **state)
{
    struct az_profile *p = profile(BARE);
    json_t *kp;
    (void)state;

    kp = az_keypoints_rec(p, NULL, (struct az_date){2026, 12, 7});
    /* an electronic signature that is not recorded at all is never good */
    assert_string_equal(track_level(kp, "signatures"), "unrecorded");
    assert_string_equal(track_level(kp, "incident-bcp"), "unrecorded");
    assert_string_equal(track_level(kp, "backup"), "unrecorded");
    assert_string_equal(track_level(kp, "training"), "unrecorded");
    assert_true(json_integer_value(json_object_get(kp, "unrecorded")) >= 4);
    json_decref(kp);
    az_profile_free(p);

    /* an explicitly empty list of signatures is ok */
    p = profile("anzen-profile: 1\ninstitution: {name: x, type: clinic}\nsignatures: []\n");
    kp = az_keypoints_rec(p, NULL, (struct az_date){2026, 12, 7});
    assert_string_equal(track_level(kp, "signatures"), "ok");
    json_decref(kp);
    az_profile_free(p);
}

static void test_drill_age(void **state)
{
    struct az_profile *p = profile(BARE);
    struct az_record v[3];
    struct az_records rs = {v, 1};
    json_t *kp;
    (void)state;

    /* 13 months old: overdue, a gap naming the date and who */
    v[0] = rec(1, AZ_REC_DRILL, 2025, 11, 7, AZ_RES_OK);
    kp = az_keypoints_rec(p, &rs, (struct az_date){2026, 12, 7});
    assert_string_equal(finding_level(kp, "backup", "restore drill"), "gap");
    assert_string_equal(finding_level(kp, "backup", "2025-11-07 by Yamada"), "gap");
    json_decref(kp);
    /* a fresh successful one satisfies it */
    v[1] = rec(2, AZ_REC_DRILL, 2026, 11, 30, AZ_RES_OK);
    v[1].minutes = 45;
    rs.n = 2;
    kp = az_keypoints_rec(p, &rs, (struct az_date){2026, 12, 7});
    assert_string_equal(finding_level(kp, "backup", "restore drill on 2026-11-30"), "ok");
    assert_string_equal(finding_level(kp, "backup", "45 min"), "ok");
    json_decref(kp);
    /* a newer failed one is a gap again */
    v[2] = rec(3, AZ_REC_DRILL, 2026, 12, 1, AZ_RES_FAILED);
    rs.n = 3;
    kp = az_keypoints_rec(p, &rs, (struct az_date){2026, 12, 7});
    assert_string_equal(finding_level(kp, "backup", "failed"), "gap");
    json_decref(kp);
    /* exactly 12 months is still recent, one day more is not */
    rs.n = 1;
    v[0] = rec(1, AZ_REC_DRILL, 2025, 12, 7, AZ_RES_OK);
    kp = az_keypoints_rec(p, &rs, (struct az_date){2026, 12, 7});
    assert_string_equal(finding_level(kp, "backup", "restore drill"), "ok");
    json_decref(kp);
    kp = az_keypoints_rec(p, &rs, (struct az_date){2026, 12, 8});
    assert_string_equal(finding_level(kp, "backup", "restore drill"), "gap");
    json_decref(kp);
    az_profile_free(p);
}

static void test_records_win_over_profile(void **state)
{
    struct az_profile *p =
        profile("anzen-profile: 1\ninstitution: {name: x, type: clinic}\n"
                "readiness:\n  cyber-bcp: {present: true, reviewed: 2024-01-01}\n"
                "  incident-contacts: {present: false}\n");
    struct az_record v[2];
    struct az_records rs = {v, 2};
    json_t *kp;
    (void)state;

    kp = az_keypoints_rec(p, NULL, (struct az_date){2026, 12, 7});
    assert_string_equal(finding_level(kp, "incident-bcp", "cyber-attack BCP"), "attention");
    assert_string_equal(finding_level(kp, "incident-bcp", "contact chart"), "gap");
    json_decref(kp);
    /* a review counts for both the BCP and the contact chart */
    v[0] = rec(1, AZ_REC_REVIEW, 2026, 6, 1, 0);
    v[1] = rec(2, AZ_REC_TRAINING, 2026, 3, 31, 0); /* FY2025: not this fiscal year */
    kp = az_keypoints_rec(p, &rs, (struct az_date){2026, 12, 7});
    assert_string_equal(finding_level(kp, "incident-bcp", "cyber-attack BCP in place"), "ok");
    assert_string_equal(finding_level(kp, "incident-bcp", "contact chart in place"), "ok");
    assert_string_equal(track_level(kp, "training"), "attention");
    json_decref(kp);
    v[1] = rec(2, AZ_REC_TRAINING, 2026, 4, 1, 0);
    kp = az_keypoints_rec(p, &rs, (struct az_date){2026, 12, 7});
    assert_string_equal(track_level(kp, "training"), "ok");
    json_decref(kp);
    az_profile_free(p);
}

static const struct az_due *find_due(const struct az_dues *d, const char *kind)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->v[i].kind, kind))
            return &d->v[i];
    return NULL;
}

static void test_due(void **state)
{
    struct az_profile *p = profile(BARE);
    struct az_record v[2];
    struct az_records rs = {v, 0};
    struct az_dues d;
    const struct az_due *x;
    json_t *j;
    (void)state;

    /* nothing recorded: drills and reviews are due now */
    assert_int_equal(az_due_compute(&ctx, p, NULL, &rs, (struct az_date){2026, 12, 7}, &d), 0);
    x = find_due(&d, "drill");
    assert_non_null(x);
    assert_int_equal(az_date_cmp(x->date, (struct az_date){2026, 12, 7}), 0);
    assert_false(x->overdue);
    x = find_due(&d, "mfa");
    assert_non_null(x);
    assert_int_equal(az_date_cmp(x->date, AZ_MFA_REFERENCE), 0);
    /* no form received: this fiscal year's request (overdue since April 1st)
     * comes first, then next year's */
    x = find_due(&d, "vendor-form");
    assert_non_null(x);
    assert_int_equal(az_date_cmp(x->date, (struct az_date){2026, 4, 1}), 0);
    assert_true(x->overdue);
    assert_string_equal(x->subject, "emr");
    x = find_due(&d, "checklist");
    assert_int_equal(az_date_cmp(x->date, (struct az_date){2027, 4, 1}), 0);
    x = find_due(&d, "training");
    assert_int_equal(az_date_cmp(x->date, (struct az_date){2027, 3, 31}), 0);
    for (size_t i = 1; i < d.n; i++)
        assert_true(az_date_cmp(d.v[i - 1].date, d.v[i].date) <= 0);
    az_dues_free(&d);

    /* a drill of 2026-02-29 does not exist; 2024-02-29 + 12 months is 2025-02-28 */
    v[0] = rec(1, AZ_REC_DRILL, 2024, 2, 29, AZ_RES_OK);
    v[1] = rec(2, AZ_REC_TRAINING, 2026, 5, 1, 0);
    rs.n = 2;
    assert_int_equal(az_due_compute(&ctx, p, NULL, &rs, (struct az_date){2026, 12, 7}, &d), 0);
    x = find_due(&d, "drill");
    assert_int_equal(az_date_cmp(x->date, (struct az_date){2025, 2, 28}), 0);
    assert_true(x->overdue);
    x = find_due(&d, "training"); /* trained this fiscal year: next one by the end of the next */
    assert_int_equal(az_date_cmp(x->date, (struct az_date){2028, 3, 31}), 0);
    /* the next 30 days: overdue ones and those up to 2027-01-06, not later */
    j = az_dues_json(&d, (struct az_date){2026, 12, 7}, 30);
    {
        size_t i;
        json_t *o;
        bool drill = false;
        json_array_foreach(j, i, o)
        {
            assert_true(strcmp(json_string_value(json_object_get(o, "date")), "2027-01-06") <= 0);
            drill |= !strcmp(json_string_value(json_object_get(o, "kind")), "drill");
        }
        assert_true(drill);
    }
    json_decref(j);
    /* after the FY2027 reference date the 2FA rule is no longer a future date */
    az_dues_free(&d);
    assert_int_equal(az_due_compute(&ctx, p, NULL, &rs, (struct az_date){2027, 4, 2}, &d), 0);
    assert_null(find_due(&d, "mfa"));
    az_dues_free(&d);
    az_profile_free(p);
}

static size_t count_kind(const struct az_dues *d, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        n += !strcmp(d->v[i].kind, kind);
    return n;
}

/* A failed drill or backup check is redone within AZ_DUE_REDO_DAYS, not in
 * 12 months; a later successful one starts the yearly cycle again. */
static void test_due_failed_redo(void **state)
{
    struct az_profile *p = profile(BARE);
    struct az_record v[3];
    struct az_records rs = {v, 0};
    struct az_dues d;
    const struct az_due *x;
    (void)state;

    v[0] = rec(1, AZ_REC_DRILL, 2026, 11, 26, AZ_RES_FAILED);
    rs.n = 1;
    assert_int_equal(az_due_compute(&ctx, p, NULL, &rs, (struct az_date){2026, 12, 7}, &d), 0);
    x = find_due(&d, "drill");
    assert_non_null(x);
    assert_int_equal(az_date_cmp(x->date, (struct az_date){2026, 12, 26}), 0);
    assert_false(x->overdue);
    assert_non_null(strstr(x->ja, "失敗"));
    az_dues_free(&d);
    /* a month and more later: overdue */
    assert_int_equal(az_due_compute(&ctx, p, NULL, &rs, (struct az_date){2027, 1, 10}, &d), 0);
    x = find_due(&d, "drill");
    assert_true(x->overdue);
    assert_null(find_due(&d, "backup")); /* no backup check recorded: nothing to redo */
    az_dues_free(&d);
    /* a successful drill after the failure: 12 months after it */
    v[1] = rec(2, AZ_REC_DRILL, 2026, 12, 1, AZ_RES_OK);
    /* a failed offline-backup check is due again too */
    v[2] = rec(3, AZ_REC_BACKUP, 2026, 12, 2, AZ_RES_FAILED);
    rs.n = 3;
    assert_int_equal(az_due_compute(&ctx, p, NULL, &rs, (struct az_date){2026, 12, 7}, &d), 0);
    x = find_due(&d, "drill");
    assert_int_equal(az_date_cmp(x->date, (struct az_date){2027, 12, 1}), 0);
    x = find_due(&d, "backup");
    assert_non_null(x);
    assert_int_equal(az_date_cmp(x->date, (struct az_date){2027, 1, 1}), 0);
    az_dues_free(&d);
    az_profile_free(p);
}

/* The vendor form of the current fiscal year stays due until one dated in
 * that fiscal year is held; April 1st starts the next. */
static void test_due_vendor_fiscal_year(void **state)
{
    struct az_profile *p = profile(BARE);
    struct az_vendor_form_held h = {.system = "emr", .dated = true, .received = {2025, 6, 2}};
    struct az_dues d;
    const struct az_due *x;
    (void)state;

    /* received in FY2025, on the last day of FY2025: only FY2026's request */
    assert_int_equal(
        az_due_compute_held(&ctx, p, NULL, NULL, (struct az_date){2026, 3, 31}, &h, 1, &d), 0);
    assert_int_equal(count_kind(&d, "vendor-form"), 1);
    x = find_due(&d, "vendor-form");
    assert_int_equal(az_date_cmp(x->date, (struct az_date){2026, 4, 1}), 0);
    assert_false(x->overdue);
    az_dues_free(&d);
    /* April 1st: FY2026's request is due today and stays, FY2027's is next */
    assert_int_equal(
        az_due_compute_held(&ctx, p, NULL, NULL, (struct az_date){2026, 4, 1}, &h, 1, &d), 0);
    assert_int_equal(count_kind(&d, "vendor-form"), 2);
    x = find_due(&d, "vendor-form");
    assert_int_equal(az_date_cmp(x->date, (struct az_date){2026, 4, 1}), 0);
    assert_non_null(strstr(x->ja, "令和8年度"));
    assert_false(x->overdue);
    az_dues_free(&d);
    assert_int_equal(
        az_due_compute_held(&ctx, p, NULL, NULL, (struct az_date){2026, 6, 1}, &h, 1, &d), 0);
    x = find_due(&d, "vendor-form");
    assert_true(x->overdue);
    az_dues_free(&d);
    /* received in FY2026: only FY2027's */
    h.received = (struct az_date){2026, 5, 20};
    assert_int_equal(
        az_due_compute_held(&ctx, p, NULL, NULL, (struct az_date){2026, 6, 1}, &h, 1, &d), 0);
    assert_int_equal(count_kind(&d, "vendor-form"), 1);
    assert_int_equal(az_date_cmp(find_due(&d, "vendor-form")->date, (struct az_date){2027, 4, 1}),
                     0);
    az_dues_free(&d);
    az_profile_free(p);
}

static void test_ics_escape_fold(void **state)
{
    struct az_buf b;
    char line[200];
    (void)state;

    az_buf_init(&b, 1 << 20);
    assert_int_equal(az_ics_escape(&b, "a,b;c\\d\ne\r\nf"), 0);
    assert_string_equal(b.data, "a\\,b\\;c\\\\d\\ne\\nf");
    az_buf_done(&b);

    /* 74 ASCII + one 3-byte character: the character may not be split
     * across the 75-octet boundary */
    memset(line, 'x', 74);
    memcpy(line + 74, "あいう", sizeof("あいう"));
    az_buf_init(&b, 1 << 20);
    assert_int_equal(az_ics_line(&b, line), 0);
    assert_memory_equal(b.data + 74, "\r\n あいう\r\n", strlen("\r\n あいう\r\n"));
    az_buf_done(&b);

    /* a long Japanese line: every physical line at most 75 octets and
     * never starting inside a UTF-8 sequence */
    {
        struct az_buf t;
        const char *p, *e;
        az_buf_init(&t, 1 << 20);
        az_buf_puts(&t, "SUMMARY:");
        for (int i = 0; i < 60; i++)
            az_buf_puts(&t, "復元訓練");
        az_buf_init(&b, 1 << 20);
        assert_int_equal(az_ics_line(&b, t.data), 0);
        for (p = b.data; *p; p = e + 2) {
            e = strstr(p, "\r\n");
            assert_non_null(e);
            assert_true(e - p <= 75);
            if (p != b.data) {
                assert_int_equal(*p, ' ');
                assert_true(((unsigned char)p[1] & 0xC0) != 0x80);
            }
        }
        /* unfolding gives the line back */
        {
            struct az_buf u;
            az_buf_init(&u, 1 << 20);
            for (p = b.data; *p;) {
                e = strstr(p, "\r\n");
                az_buf_add(&u, p == b.data ? p : p + 1, (size_t)(e - p) - (p == b.data ? 0 : 1));
                p = e + 2;
            }
            assert_string_equal(u.data, t.data);
            az_buf_done(&u);
        }
        az_buf_done(&t);
        az_buf_done(&b);
    }
}

static void test_ics_document(void **state)
{
    struct az_profile *p = profile(BARE);
    struct az_dues d;
    char *s;
    (void)state;

    assert_int_equal(az_due_compute(&ctx, p, NULL, NULL, (struct az_date){2026, 12, 7}, &d), 0);
    s = az_dues_ics(&d, (struct az_date){2026, 12, 7}, AZ_LANG_JA);
    assert_non_null(s);
    assert_memory_equal(s, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30);
    assert_non_null(strstr(s, "DTSTART;VALUE=DATE:20270401\r\n"));
    assert_non_null(strstr(s, "DTSTAMP:20261207T000000Z\r\n"));
    assert_non_null(strstr(s, "UID:mfa-institution-2027-04-01@anzen\r\n"));
    /* every line ends with CRLF: no bare LF */
    for (const char *q = s; *q; q++)
        if (*q == '\n')
            assert_int_equal(q[-1], '\r');
    assert_int_equal(strcmp(s + strlen(s) - 15, "END:VCALENDAR\r\n"), 0);
    free(s);
    az_dues_free(&d);
    az_profile_free(p);
}

static void test_words(void **state)
{
    (void)state;
    assert_int_equal(az_rec_kind_parse("drill"), AZ_REC_DRILL);
    assert_int_equal(az_rec_kind_parse("復元訓練"), AZ_REC_DRILL);
    assert_int_equal(az_rec_kind_parse("BCP"), AZ_REC_BCP);
    assert_int_equal(az_rec_kind_parse("nope"), -1);
    assert_int_equal(az_rec_result_parse("成功"), AZ_RES_OK);
    assert_int_equal(az_rec_result_parse("failed"), AZ_RES_FAILED);
    assert_int_equal(az_rec_result_parse("maybe"), -1);
    assert_int_equal(az_rec_minutes_parse("90"), 90);
    assert_int_equal(az_rec_minutes_parse("1h30m"), 90);
    assert_int_equal(az_rec_minutes_parse("1時間30分"), 90);
    assert_int_equal(az_rec_minutes_parse("２時間"), 120);
    assert_int_equal(az_rec_minutes_parse("abc"), -1);
    assert_int_equal(az_rec_minutes_parse(""), -1);
    assert_int_equal(
        az_date_cmp(az_date_add_year((struct az_date){2024, 2, 29}), (struct az_date){2025, 2, 28}),
        0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unrecorded_is_not_ok),
        cmocka_unit_test(test_drill_age),
        cmocka_unit_test(test_records_win_over_profile),
        cmocka_unit_test(test_due),
        cmocka_unit_test(test_due_failed_redo),
        cmocka_unit_test(test_due_vendor_fiscal_year),
        cmocka_unit_test(test_ics_escape_fold),
        cmocka_unit_test(test_ics_document),
        cmocka_unit_test(test_words),
    };
    az_ctx_init(&ctx, AZ_LANG_EN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
