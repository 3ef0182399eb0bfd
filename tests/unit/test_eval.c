/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/profile and lib/assess: profile validation,
 * applicability, answers validation, evaluation, overdue detection and
 * carrying answers across editions. Uses tests/data/mini. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/assess.h"

static struct az_ctx ctx;
static struct az_catalog *cat;

static const char *CLINIC = "anzen-profile: 1\n"
                            "institution:\n"
                            "  name: テスト診療所\n"
                            "  type: clinic\n"
                            "  beds: 19\n"
                            "  medical-systems: true\n"
                            "  ops-staff: false\n"
                            "systems:\n"
                            "  - id: emr\n"
                            "    name: 電子カルテ\n"
                            "    hosting: on-prem\n"
                            "    vendor: A社\n"
                            "    remote-maintenance: true\n";

static int setup(void **state)
{
    char dir[512];
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    snprintf(dir, sizeof(dir), "%s/mini", TEST_DATA);
    if (az_catalog_load_dir(&ctx, dir, &cat) < 0) {
        fprintf(stderr, "%s\n", az_errmsg(&ctx));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    az_catalog_free(cat);
    return 0;
}

static struct az_profile *profile(const char *s)
{
    struct az_profile *p = NULL;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_profile_load(&ctx, "p.yaml", s, strlen(s), &p) < 0)
        return NULL;
    return p;
}

static struct az_answers *answers(const char *s)
{
    struct az_answers *a = NULL;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_answers_load(&ctx, cat, "a.yaml", s, strlen(s), &a) < 0)
        return NULL;
    return a;
}

static const struct az_item_result *result(const struct az_eval *e, const char *id)
{
    for (size_t i = 0; i < e->nresults; i++)
        if (!strcmp(e->results[i].item->id, id))
            return &e->results[i];
    fail_msg("no result for %s", id);
    return NULL;
}

static struct az_eval *eval(struct az_profile *p, struct az_answers *a, const char *ed, int y,
                            int m, int d)
{
    struct az_eval *e = NULL;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_evaluate(&ctx, cat, p, a, az_catalog_edition(cat, ed), (struct az_date){y, m, d}, &e) <
        0)
        return NULL;
    return e;
}

static void test_profile_validation(void **state)
{
    (void)state;
    struct az_profile *p = profile(CLINIC);
    assert_non_null(p);
    assert_int_equal(p->type, AZ_INST_CLINIC);
    assert_int_equal(p->beds, 19);
    assert_int_equal(p->nsystems, 1);
    assert_true(p->systems[0].remote_maintenance);
    assert_int_equal(
        az_profile_conds(p) &
            (AZ_COND_HAS_VENDOR | AZ_COND_ON_PREM | AZ_COND_NO_OPS_STAFF | AZ_COND_REMOTE_MAINT),
        AZ_COND_HAS_VENDOR | AZ_COND_ON_PREM | AZ_COND_NO_OPS_STAFF | AZ_COND_REMOTE_MAINT);
    az_profile_free(p);

    assert_null(profile("anzen-profile: 1\ninstitution:\n  name: x\n  type: hotel\n"));
    assert_non_null(strstr(az_errmsg(&ctx), "p.yaml:4:3: unknown institution type \"hotel\""));
    assert_null(profile("anzen-profile: 1\ninstitution:\n  name: x\n  type: clinic\n  beds: -3\n"));
    assert_non_null(strstr(az_errmsg(&ctx), "beds"));
    assert_null(profile("anzen-profile: 1\ninstitution: {name: x, type: clinic}\nsystems:\n"
                        "  - {id: a, name: b, hosting: cloud, remote-maintenance: true}\n"));
    assert_non_null(strstr(az_errmsg(&ctx), "remote maintenance needs a vendor"));
    assert_null(profile("anzen-profile: 1\ninstitution: {name: x, type: clinic}\nsystems:\n"
                        "  - {id: a, name: b, hosting: cloud, introduced: 2020-02-30}\n"));
    assert_non_null(strstr(az_errmsg(&ctx), "invalid date \"2020-02-30\""));
}

static void test_applicability(void **state)
{
    (void)state;
    struct az_profile *p = profile(CLINIC);
    struct az_profile *nov = profile("anzen-profile: 1\ninstitution:\n  name: x\n  type: hospital\n"
                                     "  ops-staff: true\nsystems:\n  - {id: s, name: s, hosting: "
                                     "on-prem}\n");
    struct az_profile *none = profile("anzen-profile: 1\ninstitution:\n  name: x\n  type: clinic\n"
                                      "  medical-systems: false\n");
    const struct az_item *remote = az_catalog_item(cat, "cl-b.h.remote");
    const struct az_item *ops1 = az_catalog_item(cat, "gl-x.ops-1");
    const struct az_item *ops2 = az_catalog_item(cat, "gl-x.ops-2");
    struct az_eval *e;

    assert_null(az_item_inapplicable(remote, az_profile_conds(p)));
    assert_string_equal(az_item_inapplicable(remote, az_profile_conds(nov)),
                        "condition:has-vendor");
    assert_string_equal(az_item_inapplicable(remote, az_profile_conds(none)), "gate");
    assert_non_null(az_item_inapplicable(ops1, az_profile_conds(p)));
    assert_null(az_item_inapplicable(ops2, az_profile_conds(p)));
    assert_null(az_item_inapplicable(ops1, az_profile_conds(nov)));
    assert_non_null(az_item_inapplicable(ops2, az_profile_conds(nov)));

    /* the institution form is chosen by type; pharmacies have none in the fixture */
    assert_string_equal(az_form_for_profile(az_catalog_edition(cat, "cl-b"), p)->id, "h");

    /* gate closed: nothing but the gate item counts */
    e = eval(none, NULL, "cl-b", 2025, 6, 1);
    assert_non_null(e);
    assert_true(e->gate_closed);
    assert_int_equal(e->total.applicable, 0);
    assert_int_equal(result(e, "cl-b.h.lead")->status, AZ_ST_NOT_APPLICABLE);
    az_eval_free(e);

    /* no vendor: the remote-maintenance item does not apply and is not counted */
    e = eval(nov, NULL, "cl-b", 2025, 6, 1);
    assert_int_equal(result(e, "cl-b.h.remote")->status, AZ_ST_NOT_APPLICABLE);
    assert_int_equal(e->total.applicable, 4);
    assert_int_equal(e->total.unanswered, 4);
    az_eval_free(e);
    az_profile_free(p);
    az_profile_free(nov);
    az_profile_free(none);
}

/* Answers checked in an earlier fiscal year (April to March) are to
 * re-check: the boundary is April 1st exactly. */
static void test_stale_fiscal_year(void **state)
{
    (void)state;
    struct az_profile *p = profile(CLINIC);
    struct az_answers *a;
    struct az_eval *e;
    const struct az_item_result *r;

    a = answers("anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n"
                "  - {item: cl-b.h.gate, answer: はい, checked: 2026-04-01}\n"
                "  - {item: cl-b.h.lead, answer: はい, checked: 2026-03-10}\n"
                "  - {item: cl-b.h.mfa, answer: いいえ, checked: 2026-03-10, "
                "target: 2026-09-30}\n");
    assert_non_null(a);
    /* 2026-03-31 is still FY2025: nothing to re-check */
    assert_int_equal(az_answers_mark_stale(a, (struct az_date){2026, 3, 31}), 0);
    e = eval(p, a, "cl-b", 2026, 3, 31);
    assert_int_equal(result(e, "cl-b.h.lead")->status, AZ_ST_SATISFIED);
    assert_int_equal(e->total.satisfied, 1);
    az_eval_free(e);
    /* 2026-04-01: FY2026; the two answers of 2026-03-10 are stale */
    assert_int_equal(az_answers_mark_stale(a, (struct az_date){2026, 4, 1}), 2);
    r = NULL;
    e = eval(p, a, "cl-b", 2026, 4, 1);
    r = result(e, "cl-b.h.lead");
    assert_int_equal(r->status, AZ_ST_UNANSWERED); /* a stale はい is not done */
    assert_true(r->answer->stale && r->answer->reconfirm);
    assert_int_equal(r->overdue, AZ_OD_NONE); /* to re-check, not past a deadline */
    r = result(e, "cl-b.h.mfa");
    assert_int_equal(r->status, AZ_ST_GAP); /* a stale いいえ stays a gap */
    assert_true(r->answer->stale);
    assert_false(result(e, "cl-b.h.gate")->answer->stale); /* checked this FY */
    assert_int_equal(e->total.satisfied, 0);
    az_eval_free(e);
    /* the old target date no longer makes it overdue: a new one is needed */
    e = eval(p, a, "cl-b", 2026, 10, 1);
    assert_int_not_equal(result(e, "cl-b.h.mfa")->overdue, AZ_OD_TARGET);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
}

/* The gate answered いいえ against a profile with medical systems: the
 * profile's word stands and the contradiction stays open. */
static void test_gate_conflict(void **state)
{
    (void)state;
    struct az_profile *p = profile(CLINIC);
    struct az_profile *none = profile("anzen-profile: 1\ninstitution:\n  name: x\n  type: clinic\n"
                                      "  medical-systems: false\n");
    struct az_answers *a =
        answers("anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n"
                "  - {item: cl-b.h.gate, answer: いいえ, checked: 2025-06-01}\n");
    struct az_eval *e;
    assert_non_null(a);

    e = eval(p, a, "cl-b", 2025, 6, 1);
    assert_non_null(e);
    assert_true(e->gate_conflict);
    assert_false(e->gate_closed);
    assert_int_equal(result(e, "cl-b.h.lead")->status, AZ_ST_UNANSWERED);
    assert_int_equal(e->total.unanswered, e->total.applicable + 1);
    az_eval_free(e);
    /* no systems in the profile: いいえ closes the gate, no conflict */
    e = eval(none, a, "cl-b", 2025, 6, 1);
    assert_false(e->gate_conflict);
    assert_true(e->gate_closed);
    assert_int_equal(e->total.unanswered, 0);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
    az_profile_free(none);
}

static void test_answers_validation(void **state)
{
    (void)state;
    const char *head = "anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n";
    char buf[2048];
    struct az_answers *a;

    snprintf(buf, sizeof(buf), "%s  - {item: cl-b.h.nope, answer: はい, checked: 2025-06-01}\n",
             head);
    assert_null(answers(buf));
    assert_non_null(strstr(az_errmsg(&ctx), "a.yaml:5:6: unknown item id \"cl-b.h.nope\""));
    snprintf(buf, sizeof(buf), "%s  - {item: cl-b.h.lead, answer: maybe, checked: 2025-06-01}\n",
             head);
    assert_null(answers(buf));
    assert_non_null(strstr(az_errmsg(&ctx), "answer \"maybe\""));
    snprintf(buf, sizeof(buf), "%s  - {item: cl-b.h.lead, answer: いいえ, checked: 2025-06-01}\n",
             head);
    assert_null(answers(buf));
    assert_non_null(strstr(az_errmsg(&ctx), "needs a target date"));
    snprintf(buf, sizeof(buf), "%s  - {item: cl-b.h.lead, answer: はい, checked: 2025-13-01}\n",
             head);
    assert_null(answers(buf));
    assert_non_null(strstr(az_errmsg(&ctx), "invalid date \"2025-13-01\""));
    snprintf(buf, sizeof(buf), "%s  - {item: cl-b.h.lead, answer: はい}\n", head);
    assert_null(answers(buf));
    assert_non_null(strstr(az_errmsg(&ctx), "no date checked"));
    snprintf(buf, sizeof(buf),
             "%s  - {item: cl-b.h.lead, answer: いいえ, checked: 2025-06-01, target: 2025-05-01}\n",
             head);
    assert_null(answers(buf));
    assert_non_null(strstr(az_errmsg(&ctx), "target date is before"));
    snprintf(buf, sizeof(buf), "%s  - {item: cl-a.h.lead, answer: はい, checked: 2025-06-01}\n",
             head);
    assert_null(answers(buf));
    assert_non_null(strstr(az_errmsg(&ctx), "does not belong to edition cl-b"));
    assert_null(answers("anzen-answers: 1\nedition: cl-q\nform: h\nanswers: []\n"));
    assert_non_null(strstr(az_errmsg(&ctx), "\"cl-q\" is not in the catalog"));

    /* labels resolve, Japanese era dates parse */
    snprintf(buf, sizeof(buf),
             "%s  - {item: \"2-④\", answer: いいえ, checked: 令和7年6月1日, target: R8.3.31}\n",
             head);
    a = answers(buf);
    assert_non_null(a);
    assert_int_equal(a->n, 1);
    assert_string_equal(a->v[0].item->id, "cl-b.h.rights");
    assert_int_equal(a->v[0].target.y, 2026);
    az_answers_free(a);
}

static void test_overdue_by_fiscal_year(void **state)
{
    (void)state;
    struct az_profile *p = profile(CLINIC);
    /* rights is required since FY2023 (deadline 2024-03-31) in cl-b; mfa has due-by 2027-03-31;
     * patch (FY2023) answered no with a target of 2025-09-30. */
    struct az_answers *a = answers("anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n"
                                   "  - {item: cl-b.h.gate, answer: はい, checked: 2025-06-01}\n"
                                   "  - {item: cl-b.h.lead, answer: はい, checked: 2025-06-01}\n"
                                   "  - {item: cl-b.h.mfa, answer: いいえ, checked: 2025-06-01, "
                                   "target: 2026-03-31}\n");
    struct az_eval *e;
    assert_non_null(p);
    assert_non_null(a);

    /* 2024-03-31: last day of FY2023, the unanswered FY2023 items are not yet overdue */
    e = eval(p, a, "cl-b", 2024, 3, 31);
    assert_int_equal(result(e, "cl-b.h.rights")->overdue, AZ_OD_NONE);
    az_eval_free(e);
    /* 2024-04-01: they are */
    e = eval(p, a, "cl-b", 2024, 4, 1);
    assert_int_equal(result(e, "cl-b.h.rights")->overdue, AZ_OD_FISCAL_YEAR);
    assert_int_equal(result(e, "cl-b.h.lead")->overdue, AZ_OD_NONE); /* satisfied */
    assert_int_equal(result(e, "cl-b.h.mfa")->overdue, AZ_OD_NONE);
    az_eval_free(e);
    /* mfa: no overdue by FY2025 end, because due-by wins; overdue after its own target */
    e = eval(p, a, "cl-b", 2026, 4, 1);
    assert_int_equal(result(e, "cl-b.h.mfa")->overdue, AZ_OD_TARGET);
    az_eval_free(e);
    e = eval(p, a, "cl-b", 2026, 3, 31);
    assert_int_equal(result(e, "cl-b.h.mfa")->overdue, AZ_OD_NONE);
    az_eval_free(e);
    e = eval(p, a, "cl-b", 2027, 4, 1);
    assert_int_equal(result(e, "cl-b.h.mfa")->overdue, AZ_OD_DUE_BY);
    /* scores: 5 applicable (gate excluded), 1 satisfied, 1 gap, 3 unanswered */
    assert_int_equal(e->total.applicable, 5);
    assert_int_equal(e->total.satisfied, 1);
    assert_int_equal(e->total.gaps, 1);
    assert_int_equal(e->total.unanswered, 3);
    assert_int_equal(az_score_pct(&e->total), 20);
    /* per role: management has lead only (gate excluded) */
    assert_int_equal(e->role[0].applicable, 1);
    assert_int_equal(e->role[0].satisfied, 1);
    /* operations: patch, rights, mfa */
    assert_int_equal(e->role[2].applicable, 3);
    assert_int_equal(e->role[2].gaps, 1);
    /* planning: remote, rights */
    assert_int_equal(e->role[1].applicable, 2);
    /* groups */
    assert_int_equal(e->group[0].applicable, 1);
    assert_int_equal(e->group[1].applicable, 4);
    az_eval_free(e);
    az_answers_free(a);
    az_profile_free(p);
}

static void test_inapplicable_answer_rejected(void **state)
{
    (void)state;
    struct az_profile *p = profile("anzen-profile: 1\ninstitution: {name: x, type: clinic}\n"
                                   "systems:\n  - {id: s, name: s, hosting: on-prem}\n");
    struct az_answers *a =
        answers("anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n"
                "  - {item: cl-b.h.remote, answer: はい, checked: 2025-06-01}\n");
    struct az_answers *na = answers("anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n"
                                    "  - {item: cl-b.h.remote, answer: 対象外}\n");
    assert_null(eval(p, a, "cl-b", 2025, 6, 1));
    assert_non_null(strstr(az_errmsg(&ctx), "item cl-b.h.remote (2-②) does not apply"));
    {
        struct az_eval *e = eval(p, na, "cl-b", 2025, 6, 1);
        assert_non_null(e);
        az_eval_free(e);
    }
    az_answers_free(a);
    az_answers_free(na);
    az_profile_free(p);
}

static void test_migrate(void **state)
{
    (void)state;
    struct az_answers *old =
        answers("anzen-answers: 1\nedition: cl-a\nform: h\nanswers:\n"
                "  - {item: cl-a.h.lead, answer: はい, checked: 2024-06-01, note: 院長}\n"
                "  - {item: cl-a.h.patch-server, answer: はい, checked: 2024-06-01}\n"
                "  - {item: cl-a.h.patch-network, answer: はい, checked: 2024-06-02}\n"
                "  - {item: cl-a.h.rights, answer: はい, checked: 2024-06-01}\n");
    struct az_answers *m = NULL;
    const struct az_answer *x;
    assert_non_null(old);
    assert_int_equal(az_answers_migrate(&ctx, old, az_catalog_edition(cat, "cl-b"), &m), 0);
    /* same -> carried with note; merged with agreement -> carried; changed -> not carried */
    x = az_answers_get(m, az_catalog_item(cat, "cl-b.h.lead"));
    assert_non_null(x);
    assert_int_equal(x->ans, AZ_ANS_YES);
    assert_string_equal(x->note, "院長");
    assert_string_equal(x->carried_from->id, "cl-a.h.lead");
    assert_true(x->reconfirm); /* 要再確認 until answered again */
    {
        /* the mark and the source survive a rewrite of the file */
        char *y = az_answers_to_yaml(m, AZ_LANG_JA);
        struct az_answers *back;
        const struct az_answer *bx;
        assert_non_null(y);
        assert_non_null(strstr(y, "    carried-from: cl-a.h.lead"));
        assert_non_null(strstr(y, "    reconfirm: true"));
        back = answers(y);
        assert_non_null(back);
        bx = az_answers_get(back, az_catalog_item(cat, "cl-b.h.lead"));
        assert_non_null(bx);
        assert_true(bx->reconfirm);
        assert_string_equal(bx->carried_from->id, "cl-a.h.lead");
        az_answers_free(back);
        free(y);
    }
    assert_non_null(az_answers_get(m, az_catalog_item(cat, "cl-b.h.patch")));
    assert_null(az_answers_get(m, az_catalog_item(cat, "cl-b.h.rights")));
    assert_int_equal(m->n, 2);
    az_answers_free(m);
    az_answers_free(old);

    /* merged sources that disagree do not carry */
    old = answers("anzen-answers: 1\nedition: cl-a\nform: h\nanswers:\n"
                  "  - {item: cl-a.h.patch-server, answer: はい, checked: 2024-06-01}\n"
                  "  - {item: cl-a.h.patch-network, answer: いいえ, checked: 2024-06-01, "
                  "target: 2025-03-31}\n");
    assert_int_equal(az_answers_migrate(&ctx, old, az_catalog_edition(cat, "cl-b"), &m), 0);
    assert_null(az_answers_get(m, az_catalog_item(cat, "cl-b.h.patch")));
    az_answers_free(m);
    az_answers_free(old);
}

static void test_yaml_roundtrip(void **state)
{
    (void)state;
    const char *src = "anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n"
                      "  - item: cl-b.h.rights\n    answer: いいえ\n    checked: 2025-06-01\n"
                      "    target: 2026-03-31\n    note: \"引用 \\\" と改行\\nあり\"\n"
                      "    evidence: [\"規程 v2.pdf\", 台帳.xlsx]\n";
    struct az_answers *a = answers(src), *b;
    char *y, *y2;
    assert_non_null(a);
    y = az_answers_to_yaml(a, AZ_LANG_JA);
    b = answers(y);
    if (!b)
        fail_msg("%s\n%s", az_errmsg(&ctx), y);
    y2 = az_answers_to_yaml(b, AZ_LANG_JA);
    assert_string_equal(y, y2);
    assert_string_equal(b->v[0].note, "引用 \" と改行\nあり");
    assert_int_equal(b->v[0].nevidence, 2);
    free(y);
    free(y2);
    az_answers_free(a);
    az_answers_free(b);
}

static void test_profile_yaml_roundtrip(void **state)
{
    (void)state;
    struct az_profile *p = profile(CLINIC), *q;
    char *y = az_profile_to_yaml(p), *y2;
    q = profile(y);
    assert_non_null(q);
    y2 = az_profile_to_yaml(q);
    assert_string_equal(y, y2);
    assert_string_equal(q->name, "テスト診療所");
    free(y);
    free(y2);
    az_profile_free(p);
    az_profile_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_validation),
        cmocka_unit_test(test_applicability),
        cmocka_unit_test(test_answers_validation),
        cmocka_unit_test(test_stale_fiscal_year),
        cmocka_unit_test(test_gate_conflict),
        cmocka_unit_test(test_overdue_by_fiscal_year),
        cmocka_unit_test(test_inapplicable_answer_rejected),
        cmocka_unit_test(test_migrate),
        cmocka_unit_test(test_yaml_roundtrip),
        cmocka_unit_test(test_profile_yaml_roundtrip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
