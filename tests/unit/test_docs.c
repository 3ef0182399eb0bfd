/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/report/docs.c: the table of documents an inspector
 * expects (every topic resolves in every checklist edition, every kind it
 * names exists), and the drill record reader on hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/docs.h"
#include "anzen/finding.h"
#include "anzen/util.h"

static struct az_ctx ctx;
static struct az_catalog *cat;

static int setup(void **state)
{
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_catalog_load_embedded(&ctx, &cat) < 0) {
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

/* A renamed item in a new edition must not silently drop the documents
 * the inspection pack asks for: every topic resolves for both the
 * institution and the pharmacy form of the current checklist (older
 * editions may lack newer topics), and names only kinds that exist with
 * both languages and words to match. */
static void test_expected_documents_resolve(void **state)
{
    json_t *exp = NULL, *kinds, *topics, *lst, *k;
    const char *key;
    size_t i, ntopics = 0;

    (void)state;
    assert_int_equal(az_docs_expected(&ctx, &exp), 0);
    kinds = json_object_get(exp, "kinds");
    topics = json_object_get(exp, "topics");
    json_object_foreach(topics, key, lst)
    {
        char topic[256];
        ntopics++;
        snprintf(topic, sizeof(topic), "h:%s", key);
        assert_true(json_array_size(lst) > 0);
        json_array_foreach(lst, i, k)
        {
            json_t *kd = json_object_get(kinds, json_string_value(k));
            if (!kd)
                fail_msg("topic %s names kind %s, which is not defined", key, json_string_value(k));
            assert_non_null(json_string_value(json_object_get(kd, "ja")));
            assert_non_null(json_string_value(json_object_get(kd, "en")));
            assert_true(json_array_size(json_object_get(kd, "match")) > 0);
        }
        {
            const struct az_edition *ed = az_catalog_default_checklist(cat);
            const struct az_item *items[16];
            assert_non_null(ed);
            for (size_t f = 0; f < ed->nforms; f++) {
                const char *form = ed->forms[f].id;
                if (ed->forms[f].vendor)
                    continue;
                if (!az_topic_items(cat, ed, form, topic, items, 16))
                    fail_msg("expected-documents: topic %s does not resolve in %s form %s", key,
                             ed->id, form);
            }
        }
    }
    assert_true(ntopics >= 15);
    json_decref(exp);
}

/* Not a workbook, an empty zip, a workbook without the hidden sheet: an
 * error naming the file, nothing returned. */
static void test_drill_read_refuses(void **state)
{
    static const char garbage[] = "PK\003\004 not really a zip";
    json_t *rec = NULL;

    (void)state;
    assert_true(az_docs_drill_read(&ctx, "g.xlsx", garbage, sizeof(garbage) - 1, NULL, &rec) < 0);
    assert_null(rec);
    assert_non_null(strstr(az_errmsg(&ctx), "g.xlsx"));
    assert_true(az_docs_drill_read(&ctx, "e.xlsx", "", 0, NULL, &rec) < 0);
    assert_null(rec);
}

/* The evidence text names the date, the participants and the lessons. */
static void test_drill_text(void **state)
{
    json_t *rec = json_pack("{s:s, s:s, s:s, s:s}", "date", "2025-12-01", "participants",
                            "director, manager", "decisions", "", "lessons", "no VPN owner");
    char *ja = az_docs_drill_text(rec, AZ_LANG_JA), *en = az_docs_drill_text(rec, AZ_LANG_EN);

    (void)state;
    assert_non_null(strstr(ja, "訓練記録"));
    assert_non_null(strstr(ja, "2025-12-01"));
    assert_non_null(strstr(ja, "教訓: no VPN owner"));
    assert_null(strstr(ja, "判断:")); /* empty parts are left out */
    assert_non_null(strstr(en, "participants: director, manager"));
    free(ja);
    free(en);
    json_decref(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_documents_resolve),
        cmocka_unit_test(test_drill_read_refuses),
        cmocka_unit_test(test_drill_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
