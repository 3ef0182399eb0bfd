/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/plan: the priority rules, defaults and user decisions,
 * pinned on the fixture catalog (tests/data/mini). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/keypoints.h"
#include "anzen/plan.h"
#include "anzen/util.h"

static struct az_ctx ctx;
static struct az_catalog *cat;
static struct az_profile *prof;
static struct az_answers *ans;

static const char *PROFILE = "anzen-profile: 1\ninstitution: {name: x, type: clinic}\n"
                             "systems:\n  - {id: emr, name: EMR, hosting: on-prem, vendor: A}\n";
/* as of 2024-03-01 (FY2023, before the 2024-03-31 deadline of the FY2023
 * items): rights and lead are overdue by their own targets, patch is tagged
 * patch/ransomware, mfa and remote are plain and sorted by target. */
static const char *ANSWERS =
    "anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n"
    "  - {item: cl-b.h.lead, answer: いいえ, checked: 2024-01-01, target: 2024-02-01}\n"
    "  - {item: cl-b.h.rights, answer: いいえ, checked: 2024-01-01, target: 2024-01-15}\n"
    "  - {item: cl-b.h.patch, answer: いいえ, checked: 2024-01-01, target: 2024-03-30}\n"
    "  - {item: cl-b.h.remote, answer: いいえ, checked: 2024-01-01, target: 2024-03-20}\n"
    "  - {item: cl-b.h.mfa, answer: いいえ, checked: 2024-01-01, target: 2024-03-10}\n";

static int setup(void **state)
{
    char d[512];
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    snprintf(d, sizeof(d), "%s/mini", TEST_DATA);
    if (az_catalog_load_dir(&ctx, d, &cat) < 0 ||
        az_profile_load(&ctx, "p", PROFILE, strlen(PROFILE), &prof) < 0 ||
        az_answers_load(&ctx, cat, "a", ANSWERS, strlen(ANSWERS), &ans) < 0) {
        fprintf(stderr, "%s\n", az_errmsg(&ctx));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    az_answers_free(ans);
    az_profile_free(prof);
    az_catalog_free(cat);
    return 0;
}

static void expect_order(const struct az_plan_state *st, size_t n, const char *const *want,
                         const int *tiers)
{
    struct az_eval *e;
    struct az_plan *p;
    assert_int_equal(
        az_evaluate(&ctx, cat, prof, ans, ans->edition, (struct az_date){2024, 3, 1}, &e), 0);
    assert_int_equal(az_plan_build(&ctx, e, st, n, &p), 0);
    assert_int_equal(p->n, 5);
    for (size_t i = 0; i < 5; i++) {
        if (strcmp(p->v[i].result->item->id, want[i]) != 0)
            fail_msg("rank %zu: got %s, want %s", i + 1, p->v[i].result->item->id, want[i]);
        assert_int_equal(p->v[i].tier, tiers[i]);
    }
    az_plan_free(p);
    az_eval_free(e);
}

static void test_default_order(void **state)
{
    (void)state;
    static const char *const want[] = {"cl-b.h.rights", "cl-b.h.lead", "cl-b.h.patch", "cl-b.h.mfa",
                                       "cl-b.h.remote"};
    static const int tiers[] = {1, 1, 2, 3, 3};
    expect_order(NULL, 0, want, tiers);
}

static void test_override_and_done(void **state)
{
    (void)state;
    struct az_plan_state st[2];
    static const char *const want[] = {"cl-b.h.remote", "cl-b.h.lead", "cl-b.h.rights",
                                       "cl-b.h.patch", "cl-b.h.mfa"};
    static const int tiers[] = {0, 1, 1, 2, 3};
    memset(st, 0, sizeof(st));
    st[0].item = (char *)"cl-b.h.remote";
    st[0].track[0].status = st[0].track[1].status = -1;
    st[0].priority = 1;
    st[0].reason = (char *)"VPN ルータが外部から見える";
    /* rights' permanent fix is done: it goes after lead within tier 1 */
    st[1].item = (char *)"cl-b.h.rights";
    st[1].track[0].status = -1;
    st[1].track[1].status = AZ_PLAN_DONE;
    expect_order(st, 2, want, tiers);
}

/* Who gets the operations tasks of cl-b.h.mfa (roles: operations) under
 * the profile text prof_text: role, owner name, and whether a note says
 * why. */
static void owner_of_mfa(const char *prof_text, unsigned want_role, const char *want_owner,
                         const char *note_part)
{
    struct az_profile *pp;
    struct az_eval *e;
    struct az_plan *p;
    struct az_plan_state st;
    bool seen = false;

    assert_int_equal(az_profile_load(&ctx, "p", prof_text, strlen(prof_text), &pp), 0);
    assert_int_equal(
        az_evaluate(&ctx, cat, pp, ans, ans->edition, (struct az_date){2024, 3, 1}, &e), 0);
    /* the user's own choice for the other item's interim track is kept */
    memset(&st, 0, sizeof(st));
    st.item = (char *)"cl-b.h.patch";
    st.track[0].status = st.track[1].status = -1;
    st.track[0].owner_role = AZ_ROLE_OPERATIONS;
    assert_int_equal(az_plan_build(&ctx, e, &st, 1, &p), 0);
    for (size_t i = 0; i < p->n; i++) {
        const struct az_plan_item *pi = &p->v[i];
        if (!strcmp(pi->result->item->id, "cl-b.h.patch"))
            assert_int_equal(pi->track[0].owner_role, AZ_ROLE_OPERATIONS);
        if (!strcmp(pi->result->item->id, "cl-b.h.remote")) /* planning: untouched */
            assert_int_equal(pi->track[0].owner_role, AZ_ROLE_PLANNING);
        if (strcmp(pi->result->item->id, "cl-b.h.mfa"))
            continue;
        seen = true;
        for (int k = 0; k < 2; k++) {
            assert_int_equal(pi->track[k].owner_role, want_role);
            assert_string_equal(pi->track[k].owner, want_owner);
        }
        if (note_part) {
            assert_non_null(pi->owner_note_ja);
            assert_non_null(strstr(pi->owner_note_ja, "運用担当者がいないため"));
            assert_non_null(strstr(pi->owner_note_ja, note_part));
            assert_non_null(pi->owner_note_en);
        } else {
            assert_null(pi->owner_note_ja);
        }
    }
    assert_true(seen);
    az_plan_free(p);
    az_eval_free(e);
    az_profile_free(pp);
}

static void test_owner_without_it_staff(void **state)
{
    (void)state;
    /* no IT staff, one on-premises vendor: the vendor takes the work */
    owner_of_mfa("anzen-profile: 1\ninstitution: {name: x, type: clinic, ops-staff: false}\n"
                 "systems:\n  - {id: emr, name: EMR, hosting: on-prem, vendor: みどり}\n"
                 "  - {id: rc, name: RC, hosting: cloud, vendor: あおぞら}\n",
                 AZ_ROLE_VENDOR, "みどり", "みどり");
    /* two on-premises vendors: nobody to guess, the planning manager */
    owner_of_mfa("anzen-profile: 1\ninstitution: {name: x, type: clinic, ops-staff: false}\n"
                 "systems:\n  - {id: emr, name: EMR, hosting: on-prem, vendor: A}\n"
                 "  - {id: lab, name: LAB, hosting: on-prem, vendor: B}\n",
                 AZ_ROLE_PLANNING, "", "企画管理者");
    /* IT staff recorded: operations as before, no note */
    owner_of_mfa("anzen-profile: 1\ninstitution: {name: x, type: clinic, ops-staff: true}\n"
                 "systems:\n  - {id: emr, name: EMR, hosting: on-prem, vendor: A}\n",
                 AZ_ROLE_OPERATIONS, "", NULL);
    assert_int_equal(az_plan_owner_parse("事業者"), AZ_ROLE_VENDOR);
    assert_int_equal(az_plan_owner_parse("vendor"), AZ_ROLE_VENDOR);
    assert_int_equal(az_plan_owner_parse("企画管理者"), AZ_ROLE_PLANNING);
    assert_int_equal(az_plan_owner_parse("boss"), 0);
    assert_int_equal(az_role_parse("vendor"), 0); /* never a catalog role */
}

static void test_defaults_and_reasons(void **state)
{
    (void)state;
    struct az_eval *e;
    struct az_plan *p;
    struct az_plan_state st;
    char d[16];

    memset(&st, 0, sizeof(st));
    st.item = (char *)"cl-b.h.patch";
    st.track[0].status = AZ_PLAN_IN_PROGRESS;
    st.track[0].owner_role = AZ_ROLE_PLANNING;
    st.track[0].owner = (char *)"山田";
    st.track[1].status = -1;
    st.track[1].has_due = true;
    st.track[1].due = (struct az_date){2024, 9, 30};
    assert_int_equal(
        az_evaluate(&ctx, cat, prof, ans, ans->edition, (struct az_date){2024, 3, 1}, &e), 0);
    assert_int_equal(az_plan_build(&ctx, e, &st, 1, &p), 0);
    for (size_t i = 0; i < p->n; i++) {
        const struct az_plan_item *pi = &p->v[i];
        if (!strcmp(pi->result->item->id, "cl-b.h.patch")) {
            assert_int_equal(pi->track[0].status, AZ_PLAN_IN_PROGRESS);
            assert_int_equal(pi->track[0].owner_role, AZ_ROLE_PLANNING);
            assert_string_equal(pi->track[0].owner, "山田");
            /* interim default: 30 days, but not after the target (2024-03-30) */
            az_date_iso(pi->track[0].due, d, sizeof(d));
            assert_string_equal(d, "2024-03-30");
            az_date_iso(pi->track[1].due, d, sizeof(d));
            assert_string_equal(d, "2024-09-30");
            assert_non_null(strstr(pi->reason_en, "ransomware"));
        }
        if (!strcmp(pi->result->item->id, "cl-b.h.lead")) {
            /* default owner is the item's role; past target: permanent due at FY end */
            assert_int_equal(pi->track[1].owner_role, AZ_ROLE_MANAGEMENT);
            az_date_iso(pi->track[1].due, d, sizeof(d));
            assert_string_equal(d, "2024-03-31");
            assert_non_null(strstr(pi->reason_en, "overdue"));
        }
    }
    {
        json_t *j = az_plan_to_json(p);
        assert_string_equal(json_string_value(json_object_get(j, "schema")), "anzen-plan/1");
        assert_int_equal(json_array_size(json_object_get(j, "items")), 5);
        json_decref(j);
    }
    az_plan_free(p);
    az_eval_free(e);
    assert_int_equal(az_plan_status_parse("対応中"), AZ_PLAN_IN_PROGRESS);
    assert_int_equal(az_plan_status_parse("verified"), AZ_PLAN_VERIFIED);
    assert_int_equal(az_plan_status_parse("finished"), -1);
}

static const char *level_of(json_t *kp, const char *track, const char *subject)
{
    size_t i, k;
    json_t *t, *f;
    json_array_foreach(json_object_get(kp, "tracks"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "id")), track))
            continue;
        if (!subject)
            return json_string_value(json_object_get(t, "level"));
        json_array_foreach(
            json_object_get(t, "findings"), k,
            f) if (!strcmp(json_string_value(json_object_get(f, "subject")),
                           subject)) return json_string_value(json_object_get(f, "level"));
    }
    return "missing";
}

/* A connection between systems with long IDs is named by both IDs whole
 * (the subject was built in a 160-byte buffer and cut). */
static void test_keypoints_long_ids(void **state)
{
    (void)state;
    char a[101], b[101], *subj = NULL, *y = NULL;
    struct az_profile *p;
    json_t *kp;

    memset(a, 'a', 100);
    memset(b, 'b', 100);
    a[100] = b[100] = '\0';
    assert_int_equal(az_strf(&subj, "%s->%s", a, b), 0);
    assert_int_equal(az_strf(&y,
                             "anzen-profile: 1\ninstitution: {name: x, type: clinic}\nsystems:\n"
                             "  - {id: %s, name: A, hosting: on-prem}\n"
                             "  - {id: %s, name: B, hosting: on-prem}\n"
                             "interfaces:\n"
                             "  - {from: %s, to: %s, protocol: HL7, encrypted: true,"
                             " authenticated: false}\n",
                             a, b, a, b),
                     0);
    if (az_profile_load(&ctx, "p", y, strlen(y), &p) < 0)
        fail_msg("%s", az_errmsg(&ctx));
    kp = az_keypoints(p, (struct az_date){2025, 11, 24});
    assert_string_equal(level_of(kp, "interfaces", subj), "gap");
    json_decref(kp);
    az_profile_free(p);
    free(subj);
    free(y);
}

static void test_keypoints(void **state)
{
    (void)state;
    const char *y =
        "anzen-profile: 1\ninstitution: {name: x, type: clinic}\nsystems:\n"
        "  - {id: a, name: A, hosting: on-prem, vendor: V, mfa: true, role-split: 2024-01-01}\n"
        "  - {id: b, name: B, hosting: on-prem, vendor: W, mfa: false, renewal: 2027-04-01}\n"
        "  - {id: c, name: C, hosting: cloud, mfa: false, renewal: 2027-03-31}\n"
        "  - {id: d, name: D, hosting: cloud, introduced: 2028-01-01}\n"
        "readiness:\n"
        "  incident-contacts: {present: true, reviewed: 2024-11-24}\n"
        "  cyber-bcp: {present: true, reviewed: 2024-11-23}\n"
        "  backup: {immutable: true, restore-drill: 2025-01-10}\n"
        "interfaces:\n"
        "  - {from: a, to: b, protocol: HL7, encrypted: true, authenticated: true}\n"
        "  - {from: b, to: c, protocol: file, encrypted: false, authenticated: true}\n"
        "signatures:\n"
        "  - {record: r1, certificate-expires: 2025-11-23}\n"
        "  - {record: r2, certificate-expires: 2026-02-22}\n"
        "  - {record: r3, certificate-expires: 2026-02-23}\n";
    struct az_profile *p;
    json_t *kp;

    if (az_profile_load(&ctx, "p", y, strlen(y), &p) < 0)
        fail_msg("%s", az_errmsg(&ctx));
    kp = az_keypoints(p, (struct az_date){2025, 11, 24});
    /* MFA: renewal on the reference date is a gap, the day before only attention */
    assert_string_equal(level_of(kp, "mfa", "a"), "ok");
    assert_string_equal(level_of(kp, "mfa", "b"), "gap");
    assert_string_equal(level_of(kp, "mfa", "c"), "attention");
    assert_string_equal(level_of(kp, "mfa", "d"), "gap");
    /* reviewed exactly 365 days ago is recent; 366 days is not */
    {
        size_t i;
        json_t *t, *f;
        int ok = 0, att = 0;
        json_array_foreach(
            json_object_get(kp, "tracks"), i,
            t) if (!strcmp(json_string_value(json_object_get(t, "id")), "incident-bcp"))
        {
            size_t k;
            json_array_foreach(json_object_get(t, "findings"), k, f)
            {
                ok += !strcmp(json_string_value(json_object_get(f, "level")), "ok");
                att += !strcmp(json_string_value(json_object_get(f, "level")), "attention");
            }
        }
        assert_int_equal(ok, 1);
        assert_int_equal(att, 1);
    }
    assert_string_equal(level_of(kp, "backup", NULL), "ok");
    assert_string_equal(level_of(kp, "role-split", "a"), "ok");
    assert_string_equal(level_of(kp, "role-split", "b"), "gap");
    assert_string_equal(level_of(kp, "role-split", "c"), "missing"); /* no vendor */
    assert_string_equal(level_of(kp, "interfaces", "a->b"), "ok");
    assert_string_equal(level_of(kp, "interfaces", "b->c"), "gap");
    assert_string_equal(level_of(kp, "signatures", "r1"), "gap");       /* expired */
    assert_string_equal(level_of(kp, "signatures", "r2"), "attention"); /* 90 days */
    assert_string_equal(level_of(kp, "signatures", "r3"), "ok");        /* 91 days */
    json_decref(kp);
    az_profile_free(p);

    /* an interface naming an unknown system is a profile error */
    y = "anzen-profile: 1\ninstitution: {name: x, type: clinic}\n"
        "interfaces:\n  - {from: a, to: b, protocol: x}\n";
    assert_true(az_profile_load(&ctx, "p", y, strlen(y), &p) < 0);
    assert_non_null(strstr(az_errmsg(&ctx), "unknown system \"a\""));
}

/* The plan keeps its own copies of what the states say: the states can be
 * freed right after az_plan_build (report_load did, and the report then
 * read freed memory for the owner names). */
static void test_states_freed_after_build(void **state)
{
    (void)state;
    struct az_eval *e;
    struct az_plan *p;
    struct az_plan_state *st = calloc(1, sizeof(*st));
    const char *name = "佐藤 花子（医事課長・情報システム委員会の取りまとめ役を兼ねる）";

    assert_non_null(st);
    st->item = strdup("cl-b.h.patch");
    st->track[0].status = st->track[1].status = -1;
    st->track[1].owner_role = AZ_ROLE_PLANNING;
    st->track[1].owner = strdup(name);
    assert_int_equal(
        az_evaluate(&ctx, cat, prof, ans, ans->edition, (struct az_date){2024, 3, 1}, &e), 0);
    assert_int_equal(az_plan_build(&ctx, e, st, 1, &p), 0);
    az_plan_states_free(st, 1);
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].result->item->id, "cl-b.h.patch"))
            assert_string_equal(p->v[i].track[1].owner, name);
    az_plan_free(p);
    az_eval_free(e);
}

/* 50 findings on one item: the reason stays whole UTF-8, the first ten are
 * written out and the rest counted, and it does not grow without bound. */
static void test_long_reason(void **state)
{
    (void)state;
    struct az_eval *e;
    struct az_plan *p;
    static const char *const topics[] = {"h:patch"};
    char ja[200], en[200];
    const char *reason = NULL;

    assert_int_equal(
        az_evaluate(&ctx, cat, prof, ans, ans->edition, (struct az_date){2024, 3, 1}, &e), 0);
    assert_int_equal(az_plan_build(&ctx, e, NULL, 0, &p), 0);
    for (int i = 0; i < 50; i++) {
        struct az_finding f = {.rule = "ledger.no-admin",
                               .level = AZ_LEVEL_GAP,
                               .ja = ja,
                               .en = en,
                               .topics = topics,
                               .ntopics = 1};
        snprintf(ja, sizeof(ja), "受付用パソコン%02d: 管理者がいません（更新されない端末は入口）",
                 i);
        snprintf(en, sizeof(en), "reception PC %02d: nobody administers it", i);
        assert_int_equal(az_plan_add_finding(&ctx, p, cat, "台帳", "ledger", &f), 0);
    }
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].result->item->id, "cl-b.h.patch"))
            reason = p->v[i].reason_ja;
    assert_non_null(reason);
    assert_true(az_utf8_invalid_at(reason, strlen(reason)) == (size_t)-1);
    assert_non_null(strstr(reason, "受付用パソコン00"));
    assert_non_null(strstr(reason, "受付用パソコン09"));
    assert_null(strstr(reason, "受付用パソコン10"));
    assert_non_null(strstr(reason, " / ほか 40 件…"));
    assert_true(strlen(reason) > 3 && !strcmp(reason + strlen(reason) - 3, "…"));
    assert_true(strlen(reason) < 2000);
    az_plan_free(p);
    az_eval_free(e);
}

/* A patch changes only what it names; owner names of any length. */
static void test_patch_apply(void **state)
{
    (void)state;
    struct az_plan_state ps = {0};
    struct az_plan_patch a = {.track = AZ_TRACK_INTERIM, .status = AZ_PLAN_DONE, .priority = -1};
    struct az_plan_patch b = {.track = -1,
                              .status = -1,
                              .owner_role = AZ_ROLE_OPERATIONS,
                              .owner = "山田",
                              .priority = -1};
    struct az_plan_patch c = {.track = AZ_TRACK_PERMANENT,
                              .status = -1,
                              .has_due = true,
                              .due = {2026, 3, 31},
                              .priority = 2,
                              .reason = "理由"};
    char big[5000];

    ps.track[0].status = ps.track[1].status = -1;
    assert_int_equal(az_plan_state_apply(&ps, &a), 0);
    assert_int_equal(az_plan_state_apply(&ps, &b), 0);
    assert_int_equal(az_plan_state_apply(&ps, &c), 0);
    assert_int_equal(ps.track[0].status, AZ_PLAN_DONE);
    assert_int_equal(ps.track[1].status, -1);
    assert_string_equal(ps.track[0].owner, "山田");
    assert_string_equal(ps.track[1].owner, "山田");
    assert_int_equal(ps.track[1].owner_role, AZ_ROLE_OPERATIONS);
    assert_false(ps.track[0].has_due);
    assert_true(ps.track[1].has_due);
    assert_int_equal(ps.priority, 2);
    assert_string_equal(ps.reason, "理由");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    b.owner = big;
    assert_int_equal(az_plan_state_apply(&ps, &b), 0);
    assert_int_equal(strlen(ps.track[0].owner), sizeof(big) - 1);
    free(ps.reason);
    free(ps.track[0].owner);
    free(ps.track[1].owner);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_order),
        cmocka_unit_test(test_override_and_done),
        cmocka_unit_test(test_defaults_and_reasons),
        cmocka_unit_test(test_keypoints),
        cmocka_unit_test(test_keypoints_long_ids),
        cmocka_unit_test(test_states_freed_after_build),
        cmocka_unit_test(test_long_reason),
        cmocka_unit_test(test_patch_apply),
        cmocka_unit_test(test_owner_without_it_staff),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
