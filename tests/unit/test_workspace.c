/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/workspace: the locked read-modify-writes of answers
 * and plan decisions under real concurrency (forked processes), and the
 * shared view's cache invalidation. Works on the embedded demo clinic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "anzen/store.h"
#include "anzen/util.h"
#include "anzen/workspace.h"

static struct az_ctx ctx;
static struct az_catalog *cat;
static char dir[] = "/tmp/anzen-ws-XXXXXX";
static char profile[256];
static const struct az_date as_of = {2025, 11, 24};

static int setup(void **state)
{
    size_t n;
    const struct az_file_blob *demo = az_embedded_demo_files(&n);
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_embedded(&ctx, &cat) < 0 || !mkdtemp(dir))
        return -1;
    for (size_t i = 0; i < n; i++) {
        char p[512];
        const char *base =
            strrchr(demo[i].name, ':') ? strrchr(demo[i].name, ':') + 1 : demo[i].name;
        snprintf(p, sizeof(p), "%s/%s", dir, base);
        if (az_write_file_atomic(&ctx, p, demo[i].data, demo[i].len) < 0)
            return -1;
    }
    snprintf(profile, sizeof(profile), "%s/profile.yaml", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    az_catalog_free(cat);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Like assert_int_equal(r, 0), saying the library's message. */
#define OK(x)                                                                                      \
    do {                                                                                           \
        if ((x) != 0)                                                                              \
            fail_msg("%s: %s", #x, az_errmsg(&ctx));                                               \
    } while (0)

static struct az_workspace *open_ws(void)
{
    struct az_ws_files f = {.profile = profile};
    struct az_workspace *ws = NULL;
    assert_int_equal(az_ws_open(&ctx, &f, cat, NULL, as_of, &ws), 0);
    return ws;
}

/* Two processes answer different items 40 times each at once, every write
 * a read-modify-write of answers.yaml: no answer is lost. */
static void test_answers_no_lost_update(void **state)
{
    (void)state;
    struct az_workspace *ws = open_ws();
    struct az_profile *p;
    struct az_answers *a;
    struct az_eval *e;
    const struct az_item *items[2];
    pid_t pid[2];

    OK(az_ws_load_eval(ws, &ctx, NULL, NULL, &p, &a, &e, NULL));
    items[0] = az_catalog_item(cat, "cl-r7.h.asset-ledger");
    items[1] = az_catalog_item(cat, "cl-r7.h.patches");
    {
        /* answers the file could not hold (yes without a date checked, no
         * without a target) are refused, and nothing is written */
        struct az_answer bad = {.item = items[0], .ans = AZ_ANS_YES};
        struct az_answer bad2 = {
            .item = items[1], .ans = AZ_ANS_NO, .has_checked = true, .checked = as_of};
        char *before, *after;
        size_t lb, la;
        OK(az_read_text_file(&ctx, ws->answers, &before, &lb));
        assert_true(az_ws_answer_set(ws, &ctx, ws->answers, e->edition, e->form, NULL, &bad,
                                     AZ_AF_ALL, NULL, NULL) < 0);
        /* said about the answer, not about a line of a file */
        assert_non_null(strstr(az_errmsg(&ctx), items[0]->label));
        assert_true(strncmp(az_errmsg(&ctx), ws->answers, strlen(ws->answers)) != 0);
        assert_true(az_ws_answer_set(ws, &ctx, ws->answers, e->edition, e->form, NULL, &bad2,
                                     AZ_AF_ALL, NULL, NULL) < 0);
        OK(az_read_text_file(&ctx, ws->answers, &after, &la));
        assert_true(la == lb && !memcmp(before, after, la));
        free(before);
        free(after);
    }
    for (int k = 0; k < 2; k++) {
        if ((pid[k] = fork()) == 0) {
            for (int i = 0; i < 40; i++) {
                char note[64];
                struct az_answer x = {.item = items[k],
                                      .ans = AZ_ANS_NO,
                                      .note = note,
                                      .has_checked = true,
                                      .checked = as_of,
                                      .has_target = true,
                                      .target = {2026, 3, 31}};
                snprintf(note, sizeof(note), "process %d round %d", k, i);
                if (az_ws_answer_set(ws, &ctx, ws->answers, e->edition, e->form, NULL, &x,
                                     AZ_AF_ALL, NULL, NULL) < 0) {
                    fprintf(stderr, "child %d: %s\n", k, az_errmsg(&ctx));
                    _exit(1);
                }
            }
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int st;
        assert_int_equal(waitpid(pid[k], &st, 0), pid[k]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    az_answers_free(a);
    az_eval_free(e);
    az_profile_free(p);
    OK(az_ws_load_eval(ws, &ctx, NULL, NULL, &p, &a, &e, NULL));
    for (int k = 0; k < 2; k++) {
        char want[64];
        const struct az_answer *x = az_answers_get(a, items[k]);
        snprintf(want, sizeof(want), "process %d round 39", k);
        assert_non_null(x);
        assert_string_equal(x->note, want);
    }
    az_answers_free(a);
    az_eval_free(e);
    az_profile_free(p);
    az_ws_close(ws);
}

/* Two writers change different fields of the same answer: each names only
 * its field, and both changes survive. */
static void test_answer_fields_merge(void **state)
{
    (void)state;
    struct az_workspace *ws = open_ws();
    struct az_profile *p;
    struct az_answers *a, *saved = NULL;
    struct az_eval *e;
    const struct az_item *it = az_catalog_item(cat, "cl-r7.h.mds-sds");
    struct az_answer one = {.item = it,
                            .ans = AZ_ANS_YES,
                            .has_checked = true,
                            .checked = {2025, 10, 1},
                            .note = "事業者から MDS を受領"};
    char *ev[] = {"MDS-2025.pdf"};
    struct az_answer two = {.item = it,
                            .ans = AZ_ANS_YES,
                            .has_checked = true,
                            .checked = {2025, 10, 1},
                            .evidence = ev,
                            .nevidence = 1};
    const struct az_answer *x;

    OK(az_ws_load_eval(ws, &ctx, NULL, NULL, &p, &a, &e, NULL));
    OK(az_ws_answer_set(ws, &ctx, ws->answers, e->edition, e->form, NULL, &one, AZ_AF_ALL, NULL,
                        NULL));
    /* the second writer's page was loaded before the note existed */
    OK(az_ws_answer_set(ws, &ctx, ws->answers, e->edition, e->form, NULL, &two, AZ_AF_EVIDENCE,
                        NULL, &saved));
    x = az_answers_get(saved, it);
    assert_non_null(x);
    assert_string_equal(x->note, "事業者から MDS を受領");
    assert_int_equal(x->nevidence, 1);
    assert_string_equal(x->evidence[0], "MDS-2025.pdf");
    az_answers_free(saved);
    az_answers_free(a);
    az_eval_free(e);
    az_profile_free(p);
    az_ws_close(ws);
}

/* Two processes change different fields of the same plan item 30 times
 * each: both fields end up set, and every change is in the log. */
static void test_plan_no_lost_update(void **state)
{
    (void)state;
    struct az_workspace *ws = open_ws();
    struct az_plan_state *st = NULL;
    size_t n = 0;
    pid_t pid[2];
    json_t *log;
    size_t plan_entries = 0, i;
    json_t *x;
    struct az_store *s;

    for (int k = 0; k < 2; k++) {
        if ((pid[k] = fork()) == 0) {
            for (int r = 0; r < 30; r++) {
                char owner[64];
                struct az_plan_patch ph = {.track = -1, .status = -1, .priority = -1};
                snprintf(owner, sizeof(owner), "担当 %d", r);
                if (k == 0) {
                    ph.owner_role = AZ_ROLE_PLANNING;
                    ph.owner = owner;
                } else {
                    ph.has_due = true;
                    ph.due = (struct az_date){2026, 1, 1 + r};
                }
                if (az_ws_plan_set(ws, &ctx, "cl-r7.h.patches", &ph, "test") < 0) {
                    fprintf(stderr, "child %d: %s\n", k, az_errmsg(&ctx));
                    _exit(1);
                }
            }
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int stt;
        assert_int_equal(waitpid(pid[k], &stt, 0), pid[k]);
        assert_true(WIFEXITED(stt) && WEXITSTATUS(stt) == 0);
    }
    assert_int_equal(az_ws_plan_states(ws, &ctx, &st, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(st[0].track[0].owner, "担当 29");
    assert_int_equal(st[0].track[1].due.d, 30);
    az_plan_states_free(st, n);
    assert_int_equal(az_store_open(&ctx, ws->db, &s), 0);
    assert_int_equal(az_store_log(s, &ctx, 0, &log), 0);
    json_array_foreach(log, i, x) plan_entries +=
        !strcmp(json_string_value(json_object_get(x, "object")), "plan:cl-r7.h.patches");
    assert_int_equal(plan_entries, 60);
    json_decref(log);
    az_store_close(s);
    az_ws_close(ws);
}

/* The shared view is built once, and again only after a file or the store
 * changed. */
static void test_cache(void **state)
{
    (void)state;
    struct az_workspace *ws = open_ws();
    struct az_ws_cache *c;
    struct az_ws_view *v1, *v2, *v3, *v4;
    struct az_store *s;
    uint64_t ver;
    struct az_plan_patch ph = {.track = -1, .status = AZ_PLAN_IN_PROGRESS, .priority = -1};
    char *data;
    size_t len;

    assert_int_equal(az_ws_cache_new(&c), 0);
    assert_int_equal(az_store_open(&ctx, ws->db, &s), 0);
    assert_int_equal(az_store_version(s, &ctx, &ver), 0);
    OK(az_ws_cache_get(c, ws, &ctx, ver, NULL, NULL, &v1));
    assert_int_equal(az_ws_cache_get(c, ws, &ctx, ver, NULL, NULL, &v2), 0);
    assert_ptr_equal(v1, v2);
    assert_int_equal(az_ws_cache_builds(c), 1);
    /* an answer file rewritten (as every save does: a new file renamed) */
    assert_int_equal(az_read_text_file(&ctx, ws->answers, &data, &len), 0);
    assert_int_equal(az_write_file_atomic(&ctx, ws->answers, data, len), 0);
    free(data);
    assert_int_equal(az_ws_cache_get(c, ws, &ctx, ver, NULL, NULL, &v3), 0);
    assert_int_equal(az_ws_cache_builds(c), 2);
    /* the store changed through this very connection */
    assert_int_equal(az_store_plan_update(s, &ctx, "cl-r7.h.patches", &ph, "t"), 0);
    assert_int_equal(az_store_version(s, &ctx, &ver), 0);
    assert_int_equal(az_ws_cache_get(c, ws, &ctx, ver, NULL, NULL, &v4), 0);
    assert_int_equal(az_ws_cache_builds(c), 3);
    /* the old views stay valid until given back */
    assert_non_null(v1->e->edition);
    az_ws_cache_put(c, v1);
    az_ws_cache_put(c, v2);
    az_ws_cache_put(c, v3);
    az_ws_cache_put(c, v4);
    az_store_close(s);
    az_ws_cache_free(c);
    az_ws_close(ws);
}

/* The ledger check is kept apart from the view: a save of the answers
 * rebuilds the view but not the check, a change of the ledger does, and
 * the plan of a cached view is the same as the one az_ws_load builds
 * from the check's JSON. */
static void test_cache_ledger_check(void **state)
{
    (void)state;
    struct az_workspace *ws = open_ws();
    struct az_ws_cache *c;
    struct az_ws_view *v1, *v2, *v3, *own;
    char *data;
    size_t len;
    json_t *j1, *j2;

    assert_int_equal(az_ws_cache_new(&c), 0);
    OK(az_ws_cache_get(c, ws, &ctx, 1, NULL, NULL, &v1));
    assert_non_null(v1->lc);
    assert_non_null(v1->ledger);
    assert_true(v1->nlf > 0);
    assert_true(v1->compact);
    /* the same plan as a view of one's own (the check's JSON into the plan) */
    OK(az_ws_load(ws, &ctx, NULL, &own));
    assert_int_equal(own->plan->n, v1->plan->n);
    for (size_t i = 0; i < own->plan->n; i++) {
        assert_string_equal(own->plan->v[i].reason_ja, v1->plan->v[i].reason_ja);
        assert_string_equal(own->plan->v[i].reason_en, v1->plan->v[i].reason_en);
        assert_int_equal(own->plan->v[i].nfindings, v1->plan->v[i].nfindings);
    }
    j1 = az_ws_view_check_json(own);
    j2 = az_ws_view_check_json(v1);
    assert_int_equal(json_array_size(json_object_get(j1, "findings")),
                     json_array_size(json_object_get(j2, "findings")));
    assert_int_equal(v1->nlf, json_array_size(json_object_get(j1, "findings")));
    for (size_t i = 0; i < v1->nlf; i++) {
        const json_t *a = json_array_get(json_object_get(j1, "findings"), i);
        assert_string_equal(json_string_value(json_object_get(a, "ja")), v1->lf[i].ja);
        assert_int_equal(json_array_size(json_object_get(a, "topics")), v1->lf[i].ntopics);
    }
    json_decref(j1);
    json_decref(j2);
    az_ws_view_free(own);
    /* answers saved: a new view, the same check */
    assert_int_equal(az_read_text_file(&ctx, ws->answers, &data, &len), 0);
    assert_int_equal(az_write_file_atomic(&ctx, ws->answers, data, len), 0);
    free(data);
    OK(az_ws_cache_get(c, ws, &ctx, 1, NULL, NULL, &v2));
    assert_ptr_not_equal(v1, v2);
    assert_ptr_equal(v1->lc, v2->lc);
    assert_ptr_equal(v1->ledger, v2->ledger);
    /* the ledger rewritten: checked again; the old views stay valid */
    assert_int_equal(az_read_text_file(&ctx, ws->ledger, &data, &len), 0);
    assert_int_equal(az_write_file_atomic(&ctx, ws->ledger, data, len), 0);
    free(data);
    OK(az_ws_cache_get(c, ws, &ctx, 1, NULL, NULL, &v3));
    assert_ptr_not_equal(v2->lc, v3->lc);
    assert_int_equal(v2->nlf, v3->nlf);
    assert_string_equal(v1->lf[0].ja, v3->lf[0].ja);
    az_ws_cache_put(c, v1);
    az_ws_cache_put(c, v2);
    az_ws_cache_put(c, v3);
    az_ws_cache_free(c);
    az_ws_close(ws);
}

/* The old per-request text match of the ledger page: each searched column. */
static bool old_text_match(const struct az_asset *a, const char *text)
{
    static const int cols[] = {AZ_COL_NAME,    AZ_COL_IP,     AZ_COL_OS,
                               AZ_COL_VERSION, AZ_COL_ADMIN,  AZ_COL_LOCATION,
                               AZ_COL_SEGMENT, AZ_COL_SYSTEM, AZ_COL_MAC};
    for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
        if (a->col[cols[k]] && strstr(a->col[cols[k]], text))
            return true;
    return false;
}

static int count_finding(void *arg, const json_t *f)
{
    assert_non_null(json_object_get(f, "ja"));
    ++*(size_t *)arg;
    return 0;
}

/* The ledger page's data made once with the shared check (az_ws_lindex)
 * equals what the page computed per request before, for a generated
 * ledger of 3,000 assets in 73 segments (more than the 50 choices), some
 * rows without a segment, several kinds, most rows with findings. */
static void test_ledger_index(void **state)
{
    (void)state;
    static const char *const kinds[] = {"PC", "サーバ", "ネットワーク機器", "医療機器", "端末"};
    static const char *const needles[] = {"端末0012",
                                          "10.0.1",
                                          "Windows",
                                          "情報担当",
                                          "3階",
                                          "seg7",
                                          "nothing",
                                          "\x1f",
                                          "0\x1f"
                                          "1",
                                          ""};
    struct az_workspace *ws = open_ws();
    struct az_ws_cache *c;
    struct az_ws_view *v;
    struct az_buf csv;
    char *orig = NULL;
    size_t olen = 0, n = 3000;

    assert_int_equal(az_read_text_file(&ctx, ws->ledger, &orig, &olen), 0);
    az_buf_init(&csv, 8u << 20);
    az_buf_printf(&csv, "種別,名称,設置場所,セグメント,IPアドレス,OS,管理者,最終パッチ適用日\n");
    for (size_t i = 0; i < n; i++) {
        char seg[32] = "";
        if (i % 11 != 5)
            snprintf(seg, sizeof(seg), "seg%zu", (i * 7) % 73);
        az_buf_printf(&csv, "%s,端末%05zu,%zu階,%s,10.0.%zu.%zu,Windows %s,%s,%s\n", kinds[i % 5],
                      i, i % 40, seg, i / 250, i % 250 + 1, i % 2 ? "10" : "11",
                      i % 3 ? "" : "院内 情報担当", i % 6 ? "2024-01-01" : "2025-11-01");
    }
    assert_int_equal(az_write_file_atomic(&ctx, ws->ledger, csv.data, csv.len), 0);
    az_buf_done(&csv);
    assert_int_equal(az_ws_cache_new(&c), 0);
    OK(az_ws_cache_get(c, ws, &ctx, 1, NULL, NULL, &v));
    const struct az_ledger *l = v->ledger;
    const struct az_ws_lindex *ix = &v->lc->ix;
    assert_non_null(l);
    assert_int_equal(l->n, n);
    assert_true(v->nlf > n / 2);

    /* the old flags: a byte per row named by a finding */
    size_t maxline = 0, nflag = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].line > maxline)
            maxline = l->v[i].line;
    unsigned char *flag = calloc(maxline + 1, 1);
    assert_non_null(flag);
    for (size_t i = 0; i < v->nlf; i++)
        if (v->lf[i].line > 0 && v->lf[i].line <= maxline)
            flag[v->lf[i].line] = 1;
    assert_int_equal(ix->maxline, maxline);
    for (size_t i = 0; i < l->n; i++) {
        assert_int_equal(az_ws_lindex_flag(ix, l, i), flag[l->v[i].line] != 0);
        nflag += flag[l->v[i].line] != 0;
    }
    for (size_t i = 0; i < 4; i++)
        assert_true(nflag > 0 && nflag < n);

    /* the old segment choices: the first 50 distinct non-empty ones */
    const char *segs[50];
    size_t nsegs = 0;
    for (size_t i = 0; i < l->n && nsegs < 50; i++) {
        const char *sg = l->v[i].col[AZ_COL_SEGMENT];
        bool dup = !*sg;
        for (size_t k = 0; k < nsegs && !dup; k++)
            dup = !strcmp(segs[k], sg);
        if (!dup)
            segs[nsegs++] = sg;
    }
    assert_int_equal(nsegs, 50);
    assert_int_equal(ix->nsegs, nsegs);
    for (size_t k = 0; k < nsegs; k++)
        assert_string_equal(ix->segs[k], segs[k]);

    /* the old kinds present */
    for (int k = 0; k <= AZ_ASSET_OTHER; k++) {
        bool seen = false;
        for (size_t i = 0; i < l->n && !seen; i++)
            seen = (int)l->v[i].kind == k;
        assert_int_equal((ix->kinds >> k) & 1u, seen);
    }

    /* the text filter, and the old count of the findings of the hits
     * (every finding of a shown row, and those of no row) */
    for (size_t t = 0; t < sizeof(needles) / sizeof(needles[0]); t++) {
        unsigned char *shown = calloc(maxline + 1, 1);
        size_t old_total = 0, new_total = ix->nnone, nhit = 0;
        assert_non_null(shown);
        for (size_t i = 0; i < l->n; i++) {
            bool hit = !*needles[t] || old_text_match(&l->v[i], needles[t]);
            assert_int_equal(az_ws_lindex_text(ix, l, i, needles[t]), hit);
            if (hit) {
                nhit++;
                if (l->v[i].line > 0 && !shown[l->v[i].line]) {
                    shown[l->v[i].line] = 1;
                    new_total += ix->nline[l->v[i].line];
                }
            }
        }
        for (size_t i = 0; i < v->nlf; i++) {
            size_t line = v->lf[i].line;
            if (!(line > 0 && !(line <= maxline && shown[line])))
                old_total++;
        }
        assert_int_equal(new_total, old_total);
        if (t == 0)
            assert_int_equal(nhit, 10); /* 端末00120 .. 端末00129 */
        free(shown);
    }
    free(flag);

    /* the findings compacted as the check made them (az_ledger_check_each)
     * equal the check's JSON of a view of one's own, field by field */
    struct az_ws_view *own;
    OK(az_ws_load(ws, &ctx, NULL, &own));
    const json_t *arr = json_object_get(own->ledger_check, "findings");
    assert_int_equal(json_array_size(arr), v->nlf);
    for (size_t i = 0; i < v->nlf; i++) {
        const json_t *f = json_array_get(arr, i), *t = json_object_get(f, "topics");
        const struct az_ws_lfinding *x = &v->lf[i];
        assert_string_equal(json_string_value(json_object_get(f, "level")), x->level);
        assert_string_equal(json_string_value(json_object_get(f, "ja")), x->ja);
        assert_string_equal(json_string_value(json_object_get(f, "en")), x->en);
        assert_string_equal(json_string_value(json_object_get(f, "rule")), x->rule);
        assert_string_equal(json_string_value(json_object_get(f, "asset")), x->asset);
        assert_int_equal(json_integer_value(json_object_get(f, "line")), x->line);
        assert_int_equal(json_array_size(t), x->ntopics);
        for (size_t k = 0; k < x->ntopics; k++)
            assert_string_equal(json_string_value(json_array_get(t, k)), x->topics[k]);
    }
    /* handed over one by one: the same count and gaps, no JSON kept */
    struct az_ledger_opts o = {.profile = own->p,
                               .vendors = own->vendors,
                               .as_of = ws->as_of,
                               .patch_days = ws->patch_days,
                               .kev = ws->kev};
    size_t counted = 0;
    json_t *each = az_ledger_check_each(own->ledger, &o, count_finding, &counted);
    assert_non_null(each);
    assert_int_equal(counted, v->nlf);
    assert_int_equal(json_array_size(json_object_get(each, "findings")), 0);
    assert_int_equal(json_integer_value(json_object_get(each, "gaps")),
                     json_integer_value(json_object_get(own->ledger_check, "gaps")));
    json_decref(each);
    az_ws_view_free(own);
    az_ws_cache_put(c, v);
    az_ws_cache_free(c);
    assert_int_equal(az_write_file_atomic(&ctx, ws->ledger, orig, olen), 0);
    free(orig);
    az_ws_close(ws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_no_lost_update), cmocka_unit_test(test_answer_fields_merge),
        cmocka_unit_test(test_plan_no_lost_update),    cmocka_unit_test(test_cache),
        cmocka_unit_test(test_cache_ledger_check),     cmocka_unit_test(test_ledger_index),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
