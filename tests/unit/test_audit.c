/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/audit: value specs, three-valued all/any/none/not,
 * file, directory, age, JSON and registry conditions, the rule loader's
 * errors, and the embedded rules against the rule table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../lib/audit/audit_internal.h"
#include "anzen/audit.h"
#include "anzen/catalog.h"
#include "anzen/finding.h"
#include "anzen/util.h"
#include "anzen/workspace.h"

static struct az_ctx ctx;
static char root[] = "/tmp/anzen-audit-XXXXXX";
static const long long NOW = 1795000000; /* a fixed "now" */

static void put(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof(p), "%s%s", root, rel);
    for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void age(const char *rel, double days)
{
    char p[512];
    struct timeval tv[2];
    snprintf(p, sizeof(p), "%s%s", root, rel);
    tv[0].tv_sec = tv[1].tv_sec = (time_t)(NOW - (long long)(days * 86400));
    tv[0].tv_usec = tv[1].tv_usec = 0;
    assert_int_equal(utimes(p, tv), 0);
}

static json_t *J(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j)
        fail_msg("bad test JSON: %s: %s", s, e.text);
    return j;
}

/* Evaluate a condition given as JSON text. */
static enum az_audit_result ev(const char *cond, const json_t *facts)
{
    struct az_audit_src src = {
        .root = root, .now = NOW, .facts = facts, .platform = facts ? "windows" : "linux"};
    json_t *c = J(cond), *e = json_array();
    enum az_audit_result r = az_audit_eval(&src, c, e);
    json_decref(c);
    json_decref(e);
    return r;
}

static int setup(void **state)
{
    (void)state;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_non_null(mkdtemp(root));
    put("/etc/login.defs", "# comment\nPASS_MIN_LEN 6\nPASS_MAX_DAYS 90\nPASS_MIN_LEN 10\n");
    put("/etc/passwd", "root:x:0:0::/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\n"
                       "alice:x:1000:1000::/home/alice:/bin/bash\n");
    put("/etc/ssh/sshd_config.d/a.conf", "PermitRootLogin no\n");
    put("/etc/ssh/sshd_config", "PermitRootLogin yes\n");
    put("/etc/rsnapshot.conf", "snapshot_root\t/srv/b/\n");
    put("/srv/b/daily.0/x", "data");
    age("/srv/b/daily.0/x", 3);
    age("/srv/b/daily.0", 3);
    age("/srv/b", 30);
    put("/var/log/apt/history.log", "x\n");
    age("/var/log/apt/history.log", 40);
    put("/proc/7/comm", "chronyd\n");
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_specs(void **state)
{
    struct az_audit_spec sp;
    (void)state;
    static const struct {
        const char *spec, *value;
        bool want;
    } t[] = {
        {">= 8", "8", true},
        {">= 8", "7", false},
        {"> 8", "8", false},
        {"< 8", "7.5", true},
        {"<= 8", "8.0", true},
        {"== 4", "4", true},
        {"== 4", "04", true},
        {"!= 4", "3", true},
        {"!= 4", "x", true},
        {">= 8", "eight", false},
        {"== persistent", "Persistent", true},
        {"== true", "false", false},
        {"!= yes", "no", true},
        {"~ ^(on|1)$", "ON", true},
        {"~ ^(on|1)$", "10", false},
        {"!~ ^yes$", "yes", false},
        {"!~ ^yes$", "no", true},
        {"== -1", "-1", true},
        {"<= 90", "-1", true},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
        assert_true(az_audit_spec_parse(t[i].spec, &sp));
        if (az_audit_spec_match(&sp, t[i].value) != t[i].want)
            fail_msg("%s against %s", t[i].spec, t[i].value);
        az_audit_spec_free(&sp);
    }
    assert_false(az_audit_spec_ok("8"));
    assert_false(az_audit_spec_ok(">= eight"));
    assert_false(az_audit_spec_ok("~ ([a-"));
    assert_false(az_audit_spec_ok("=< 3"));
}

static void test_logic(void **state)
{
    (void)state;
    const char *P = "{\"file\": \"/etc/passwd\", \"exists\": \"true\"}";
    const char *F = "{\"file\": \"/etc/nothing\", \"exists\": \"true\"}";
    const char *U = "{\"command\": \"true\"}"; /* commands off: unknown */
    char b[512];
#define E3(fmt, a, b2, c2) (snprintf(b, sizeof(b), fmt, a, b2, c2), ev(b, NULL))
    assert_int_equal(ev(P, NULL), AZ_AUDIT_PASS);
    assert_int_equal(ev(F, NULL), AZ_AUDIT_FAIL);
    assert_int_equal(ev(U, NULL), AZ_AUDIT_UNKNOWN);
    assert_int_equal(E3("{\"all\": [%s, %s, %s]}", P, P, P), AZ_AUDIT_PASS);
    assert_int_equal(E3("{\"all\": [%s, %s, %s]}", P, U, P), AZ_AUDIT_UNKNOWN);
    assert_int_equal(E3("{\"all\": [%s, %s, %s]}", U, F, P), AZ_AUDIT_FAIL);
    assert_int_equal(E3("{\"any\": [%s, %s, %s]}", F, U, P), AZ_AUDIT_PASS);
    assert_int_equal(E3("{\"any\": [%s, %s, %s]}", F, U, F), AZ_AUDIT_UNKNOWN);
    assert_int_equal(E3("{\"any\": [%s, %s, %s]}", F, F, F), AZ_AUDIT_FAIL);
    assert_int_equal(E3("{\"none\": [%s, %s, %s]}", F, F, F), AZ_AUDIT_PASS);
    assert_int_equal(E3("{\"none\": [%s, %s, %s]}", F, U, F), AZ_AUDIT_UNKNOWN);
    assert_int_equal(E3("{\"none\": [%s, %s, %s]}", F, P, U), AZ_AUDIT_FAIL);
    snprintf(b, sizeof(b), "{\"not\": %s}", U);
    assert_int_equal(ev(b, NULL), AZ_AUDIT_UNKNOWN);
    snprintf(b, sizeof(b), "{\"not\": %s}", F);
    assert_int_equal(ev(b, NULL), AZ_AUDIT_PASS);
    /* a command's fallback is used when commands cannot run */
    snprintf(b, sizeof(b), "{\"command\": \"true\", \"fallback\": %s}", P);
    assert_int_equal(ev(b, NULL), AZ_AUDIT_PASS);
#undef E3
}

static void test_files(void **state)
{
    (void)state;
    /* which: first / last, and a missing line */
    assert_int_equal(ev("{\"file\": \"/etc/login.defs\", \"line\": \"^PASS_MIN_LEN ([0-9]+)\", "
                        "\"value\": \">= 8\"}",
                        NULL),
                     AZ_AUDIT_FAIL);
    assert_int_equal(ev("{\"file\": \"/etc/login.defs\", \"line\": \"^PASS_MIN_LEN ([0-9]+)\", "
                        "\"which\": \"last\", \"value\": \">= 8\"}",
                        NULL),
                     AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"file\": \"/etc/login.defs\", \"line\": \"^NOPE ([0-9]+)\", "
                        "\"value\": \">= 8\"}",
                        NULL),
                     AZ_AUDIT_FAIL);
    assert_int_equal(ev("{\"file\": \"/etc/login.defs\", \"line\": \"^NOPE ([0-9]+)\", "
                        "\"value\": \">= 8\", \"missing\": \"pass\"}",
                        NULL),
                     AZ_AUDIT_PASS);
    /* count with except */
    assert_int_equal(ev("{\"file\": \"/etc/passwd\", \"line\": \"^[^:]+:[^:]*:0:\", "
                        "\"except\": \"^root:\", \"count\": \"== 0\"}",
                        NULL),
                     AZ_AUDIT_FAIL);
    assert_int_equal(ev("{\"file\": \"/etc/passwd\", \"line\": \"^[^:]+:[^:]*:0:\", "
                        "\"except\": \"^(root|toor):\", \"count\": \"== 0\"}",
                        NULL),
                     AZ_AUDIT_PASS);
    /* a list of globs in order: the first match wins (sshd) */
    assert_int_equal(ev("{\"file\": [\"/etc/ssh/sshd_config.d/*.conf\", \"/etc/ssh/sshd_config\"],"
                        " \"line\": \"^PermitRootLogin ([a-z]+)\", \"value\": \"!~ ^yes$\"}",
                        NULL),
                     AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"file\": [\"/etc/ssh/sshd_config\"],"
                        " \"line\": \"^PermitRootLogin ([a-z]+)\", \"value\": \"!~ ^yes$\"}",
                        NULL),
                     AZ_AUDIT_FAIL);
    /* ages: newest change of the files, and under a captured path */
    assert_int_equal(ev("{\"file\": \"/var/log/apt/history.log\", \"age\": \"<= 35\"}", NULL),
                     AZ_AUDIT_FAIL);
    assert_int_equal(ev("{\"file\": \"/var/log/apt/history.log\", \"age\": \"<= 45\"}", NULL),
                     AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"file\": \"/var/log/none.log\", \"age\": \"<= 45\"}", NULL),
                     AZ_AUDIT_FAIL);
    assert_int_equal(
        ev("{\"file\": \"/etc/rsnapshot.conf\", \"line\": "
           "\"^snapshot_root[[:space:]]+(/[^[:space:]]*)\", \"capture-age\": \"<= 8\"}",
           NULL),
        AZ_AUDIT_PASS);
    assert_int_equal(
        ev("{\"file\": \"/etc/rsnapshot.conf\", \"line\": "
           "\"^snapshot_root[[:space:]]+(/[^[:space:]]*)\", \"capture-age\": \"<= 2\"}",
           NULL),
        AZ_AUDIT_FAIL);
    /* directories and processes */
    assert_int_equal(ev("{\"dir\": \"/etc/ssh/sshd_config.d\", \"entry\": \"\\\\.conf$\"}", NULL),
                     AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"dir\": \"/var/log/journal\"}", NULL), AZ_AUDIT_FAIL);
    assert_int_equal(ev("{\"dir\": \"/var/log/journal\", \"count\": \"== 0\"}", NULL),
                     AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"process\": \"^chronyd$\"}", NULL), AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"process\": \"^ntpd$\"}", NULL), AZ_AUDIT_FAIL);
}

static void test_json(void **state)
{
    (void)state;
    json_t *f =
        J("{\"users\": [{\"name\": \"a\", \"admin\": true, \"enabled\": true, "
          "\"last_logon_days\": 100},"
          "{\"name\": \"b\", \"admin\": true, \"enabled\": false, \"last_logon_days\": null},"
          "{\"name\": \"c\", \"admin\": false, \"enabled\": true, \"last_logon_days\": 3}],"
          "\"bitlocker\": null, \"policy\": {\"len\": 12},"
          "\"registry\": {\"HKLM\\\\SYSTEM\\\\X\\\\Start\": 4, \"HKLM\\\\Y\": null}}");
    assert_int_equal(ev("{\"json\": \"users[]\", \"where\": {\"admin\": \"== true\", "
                        "\"enabled\": \"== true\"}, \"count\": \"<= 1\"}",
                        f),
                     AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"json\": \"users[]\", \"where\": {\"enabled\": \"== true\", "
                        "\"last_logon_days\": \"> 90\"}, \"count\": \"== 0\"}",
                        f),
                     AZ_AUDIT_FAIL);
    /* null in a filter is the text "null" (b never logged on) */
    assert_int_equal(ev("{\"json\": \"users[]\", \"where\": {\"last_logon_days\": "
                        "\"== null\"}, \"count\": \"== 1\"}",
                        f),
                     AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"json\": \"users[]\", \"where\": {\"nokey\": \"== null\"}, "
                        "\"count\": \"== 3\"}",
                        f),
                     AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"json\": \"users[].name\", \"value\": \"~ ^[a-c]$\"}", f),
                     AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"json\": \"policy.len\", \"value\": \">= 8\"}", f), AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"json\": \"policy.nope\", \"value\": \">= 8\"}", f), AZ_AUDIT_UNKNOWN);
    /* a list the collector could not read is unknown, not empty */
    assert_int_equal(ev("{\"json\": \"bitlocker[]\", \"count\": \">= 1\"}", f), AZ_AUDIT_UNKNOWN);
    assert_int_equal(ev("{\"json\": \"nolist[]\", \"count\": \"== 0\"}", f), AZ_AUDIT_UNKNOWN);
    /* registry: case-insensitive keys; not set fails unless missing says */
    assert_int_equal(ev("{\"registry\": \"hklm\\\\system\\\\x\\\\start\", \"value\": \"== 4\"}", f),
                     AZ_AUDIT_PASS);
    assert_int_equal(ev("{\"registry\": \"HKLM\\\\Y\", \"value\": \"== 1\"}", f), AZ_AUDIT_FAIL);
    assert_int_equal(
        ev("{\"registry\": \"HKLM\\\\Z\", \"value\": \"== 1\", \"missing\": \"unknown\"}", f),
        AZ_AUDIT_UNKNOWN);
    json_decref(f);
}

static void test_loader_errors(void **state)
{
    struct az_audit_rules *r;
    (void)state;
    const char *head = "version: 1\nrules:\n  - id: x.a\n    title: {ja: あ, en: a}\n"
                       "    rationale: {ja: あ, en: a}\n    remediation: {ja: あ, en: a}\n"
                       "    topics: [h:patches]\n    platform: linux\n";
    char *doc;

    doc = az_fmt("%s    check: {file: /etc/x, line: '([a-'}\n", head);
    assert_int_equal(az_audit_rules_load(&ctx, "r.yaml", doc, strlen(doc), &r), AZ_ESCHEMA);
    assert_non_null(strstr(az_errmsg(&ctx), "r.yaml:9:"));
    assert_non_null(strstr(az_errmsg(&ctx), "line is not a valid regular expression"));
    free(doc);
    doc = az_fmt("%s    check: {file: /etc/x, count: 'lots'}\n", head);
    assert_true(az_audit_rules_load(&ctx, "r.yaml", doc, strlen(doc), &r) < 0);
    assert_non_null(strstr(az_errmsg(&ctx), "count must look like"));
    free(doc);
    doc = az_fmt("%s    check: {file: etc/x, bogus: 1}\n", head);
    assert_true(az_audit_rules_load(&ctx, "r.yaml", doc, strlen(doc), &r) < 0);
    assert_non_null(strstr(az_errmsg(&ctx), "bogus"));
    assert_non_null(strstr(az_errmsg(&ctx), "start with /"));
    free(doc);
    doc = az_fmt("%s    check: {all: [{file: /a, dir: /b}]}\n", head);
    assert_true(az_audit_rules_load(&ctx, "r.yaml", doc, strlen(doc), &r) < 0);
    assert_non_null(strstr(az_errmsg(&ctx), "exactly one of"));
    free(doc);
    doc =
        az_fmt("%s    check: {file: /a, exists: 'true'}\n%s    check: {file: /a, exists: 'true'}\n",
               head, head + strlen("version: 1\nrules:\n"));
    assert_true(az_audit_rules_load(&ctx, "r.yaml", doc, strlen(doc), &r) < 0);
    assert_non_null(strstr(az_errmsg(&ctx), "appears twice"));
    free(doc);
    doc = az_fmt("%s    check: {file: /a, exists: 'true'}\n", head);
    assert_int_equal(az_audit_rules_load(&ctx, "r.yaml", doc, strlen(doc), &r), 0);
    assert_int_equal(az_audit_rules_count(r), 1);
    az_audit_rules_free(r);
    free(doc);
}

/* The embedded rules load; each one's topics are its rule table entry
 * ("audit.<id>"), so findings reach the same items as the file says. */
static void test_builtin_match_rule_table(void **state)
{
    struct az_audit_rules *r;
    size_t lin = 0, win = 0;
    (void)state;

    assert_int_equal(az_audit_rules_builtin(&ctx, &r), 0);
    assert_int_equal(az_rules_load(&ctx), 0);
    for (size_t i = 0; i < az_audit_rules_count(r); i++) {
        const json_t *x = az_audit_rule_at(r, i), *t;
        const char *id = json_string_value(json_object_get(x, "id"));
        struct az_finding f;
        char key[128];
        size_t k;
        snprintf(key, sizeof(key), "audit.%s", id);
        if (az_finding_init(&ctx, &f, key, AZ_LEVEL_GAP, "", "") < 0)
            fail_msg("%s is not in data/rules/rules.yaml", key);
        assert_int_equal(f.ntopics, json_array_size(json_object_get(x, "topics")));
        json_array_foreach(json_object_get(x, "topics"), k, t)
            assert_string_equal(f.topics[k], json_string_value(t));
        if (!strcmp(json_string_value(json_object_get(x, "platform")), "linux"))
            lin++;
        else
            win++;
    }
    assert_true(lin >= 20 && win >= 15);
    az_audit_rules_free(r);
}

/* "a|b": 令和7 has the 2FA item; 令和5 has no such item, so the same
 * finding reaches its access-rights items instead. */
static void test_topic_alternatives(void **state)
{
    struct az_catalog *cat;
    const struct az_item *items[8];
    (void)state;

    assert_int_equal(az_catalog_load_embedded(&ctx, &cat), 0);
    const struct az_edition *r7 = az_catalog_edition(cat, "cl-r7");
    const struct az_edition *r5 = az_catalog_edition(cat, "cl-r5");
    assert_non_null(r7);
    assert_non_null(r5);
    assert_int_equal(az_topic_items(cat, r7, NULL, "h:mfa|h:access-rights", items, 8), 1);
    assert_string_equal(items[0]->id, "cl-r7.h.mfa");
    size_t n = az_topic_items(cat, r5, NULL, "h:mfa|h:access-rights", items, 8);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++)
        assert_non_null(strstr(items[i]->id, "cl-r5.h.access-rights"));
    assert_int_equal(az_topic_items(cat, r5, NULL, "h:mfa|h:nothing", items, 8), 0);
    az_catalog_free(cat);
}

/* dpkg's version order: epochs, revisions, ~ before anything. */
static void test_dpkg_versions(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        int want;
    } t[] = {
        {"1.0", "1.0", 0},
        {"1.0", "1.1", -1},
        {"1.10", "1.9", 1},
        {"1:1.0", "2.0", 1},
        {"1.0-1", "1.0-2", -1},
        {"1.0~rc1", "1.0", -1},
        {"3.0.15-1~deb12u1", "3.0.17-1~deb12u2", -1},
        {"12.4+deb12u8", "12.4+deb12u8", 0},
        {"1.0a", "1.0", 1},
        {"1.0-1+b1", "1.0-1", 1},
        {"0:1.2", "1.2", 0},
        {"2.6.1", "2.6.1.1", -1},
        {"1.0~~", "1.0~", -1},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
        if (az_audit_dpkg_vercmp(t[i].a, t[i].b) != t[i].want ||
            az_audit_dpkg_vercmp(t[i].b, t[i].a) != -t[i].want)
            fail_msg("%s vs %s", t[i].a, t[i].b);
}

/* The web UI's view cache notices a new result in audit/ and an edited
 * exceptions file. */
static void test_stamp_sees_audit(void **state)
{
    struct az_workspace *ws;
    struct az_date d = {2026, 11, 25};
    char prof[600];
    struct timeval tv[2] = {{1700000000, 0}, {1700000000, 0}};
    (void)state;

    snprintf(prof, sizeof(prof), "%s/ws/profile.yaml", root);
    put("/ws/profile.yaml", "x: 1\n");
    struct az_ws_files f = {.profile = prof};
    assert_int_equal(az_ws_open(&ctx, &f, NULL, NULL, d, &ws), 0);
    uint64_t a = az_ws_stamp(ws, 0);
    put("/ws/audit/PC-01.json", "{}");
    uint64_t b = az_ws_stamp(ws, 0);
    assert_true(a != b);
    put("/ws/audit-exceptions.yaml", "exceptions: []\n");
    snprintf(prof, sizeof(prof), "%s/ws/audit-exceptions.yaml", root);
    assert_int_equal(utimes(prof, tv), 0);
    uint64_t c = az_ws_stamp(ws, 0);
    put("/ws/audit-exceptions.yaml", "exceptions: [] \n");
    assert_true(az_ws_stamp(ws, 0) != c);
    az_ws_close(ws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_specs),
        cmocka_unit_test(test_logic),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_loader_errors),
        cmocka_unit_test(test_builtin_match_rule_table),
        cmocka_unit_test(test_topic_alternatives),
        cmocka_unit_test(test_dpkg_versions),
        cmocka_unit_test(test_stamp_sees_audit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
