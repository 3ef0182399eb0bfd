/* SPDX-License-Identifier: MIT */
/* Unit tests for the ledger as clinics write it: folding, the vocabulary
 * (headers, kinds, remote-access products, administrators), the header
 * finder, Excel row numbers, cell checks, export neutralising formulas,
 * and file type detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/ledger/ledger_internal.h"
#include "anzen/ledger.h"
#include "anzen/util.h"

static struct az_ctx ctx;

static const struct az_ledger_vocab *vocab(void)
{
    const struct az_ledger_vocab *v;
    az_ctx_init(&ctx, AZ_LANG_EN);
    v = az_ledger_vocab_shared(&ctx);
    assert_non_null(v);
    return v;
}

static void fold_is(const char *in, bool strip, const char *want)
{
    char *f = az_ledger_fold(in, strip);
    assert_non_null(f);
    assert_string_equal(f, want);
    free(f);
}

static void test_fold(void **state)
{
    (void)state;
    fold_is("ＩＰ　アドレス", true, "ipアドレス");
    fold_is("IP-Address", true, "ipaddress");
    fold_is("ﾊﾞｰｼﾞｮﾝ", true, "バージョン");
    fold_is("ﾊﾟｿｺﾝ", true, "パソコン");
    fold_is("ｳﾞｨ", false, "ヴィ");
    fold_is("№", true, "no");
    fold_is("OS・ファーム\nウェア", true, "osファームウェア");
    fold_is("１９２．１６８．０．１", false, "192.168.0.1");
    fold_is("A\tB", false, "a b");
    fold_is("", true, "");
    /* invalid UTF-8 does not stop the fold */
    fold_is("a\xff"
            "b",
            true,
            "a\xef\xbf\xbd"
            "b");
}

/* How a header reads, through the importer itself (--dry-run's column). */
static const char *field_of(const char *header)
{
    static char buf[64];
    struct az_ledger *l = NULL;
    struct az_buf b;
    const char *r = NULL;
    az_buf_init(&b, 1u << 16);
    az_buf_printf(&b, "%s,名称,種別\r\nx,y,z\r\n", header);
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_ledger_import(&ctx, "h.csv", b.data, b.len, true, &l) == 0 && l->columns[0].field &&
        !l->columns[0].duplicate) {
        snprintf(buf, sizeof(buf), "%s", l->columns[0].field);
        r = buf;
    }
    az_ledger_free(l);
    az_buf_done(&b);
    return r;
}

static void test_headers(void **state)
{
    (void)state;
    assert_string_equal(field_of("機器名"), "name");
    assert_string_equal(field_of("ホスト名"), "name");
    assert_string_equal(field_of("ＩＰ　アドレス"), "ip");
    assert_string_equal(field_of("IP Address"), "ip");
    assert_string_equal(field_of("ＯＳ"), "os");
    assert_string_equal(field_of("持込業者"), "brought-by");
    assert_string_equal(field_of("最終更新日"), "last-patch");
    assert_string_equal(field_of("種類"), "kind");
    assert_string_equal(field_of("No."), "no");
    assert_string_equal(field_of("番号"), "no");
    assert_string_equal(field_of("メーカー"), "maker");
    assert_string_equal(field_of("ﾒｰｶｰ"), "maker");
    assert_string_equal(field_of("型番"), "model");
    assert_string_equal(field_of("製造番号"), "serial");
    assert_string_equal(field_of("S/N"), "serial");
    assert_string_equal(field_of("購入日"), "purchased");
    assert_string_equal(field_of("設置日"), "installed");
    assert_string_equal(field_of("備考"), "notes");
    assert_string_equal(field_of("用途"), "purpose");
    assert_string_equal(field_of("部署"), "department");
    assert_string_equal(field_of("保守業者"), "maintainer");
    assert_string_equal(field_of("保守契約"), "contract");
    assert_string_equal(field_of("資産番号"), "asset-no");
    assert_string_equal(field_of("設置場所（部屋）"), "location");
    assert_string_equal(field_of("名称(必須)"), "name");
    assert_string_equal(field_of("OS [版]"), "os");
    assert_string_equal(field_of("【管理者】"), "admin");
    assert_string_equal(field_of("(メモ"), "notes"); /* punctuation only */
    assert_null(field_of("色"));
    assert_null(field_of(""));
    assert_null(field_of("・"));
}

static const char *kind_of(const char *text, enum az_asset_kind *cls)
{
    const struct az_ledger_vokind *k = az_ledger_vocab_kind(vocab(), text);
    if (k && cls)
        *cls = k->cls;
    return k ? k->id : NULL;
}

static void test_kinds(void **state)
{
    enum az_asset_kind c = AZ_ASSET_OTHER;
    (void)state;
    assert_string_equal(kind_of("パソコン", &c), "terminal");
    assert_int_equal(c, AZ_ASSET_TERMINAL);
    assert_string_equal(kind_of("ノートＰＣ", &c), "terminal");
    assert_string_equal(kind_of("VPN・リモート保守機器", &c), "vpn");
    assert_int_equal(c, AZ_ASSET_VPN);
    assert_string_equal(kind_of("保守回線", &c), "vpn");
    assert_string_equal(kind_of("UTM", &c), "utm");
    assert_int_equal(c, AZ_ASSET_NETWORK);
    assert_string_equal(kind_of("L3スイッチ", &c), "switch");
    assert_string_equal(kind_of("複合機", &c), "mfp");
    assert_int_equal(c, AZ_ASSET_OTHER);
    assert_string_equal(kind_of("サーバー", &c), "server");
    assert_string_equal(kind_of("NAS", &c), "nas");
    assert_int_equal(c, AZ_ASSET_SERVER);
    assert_string_equal(kind_of("モダリティ", &c), "medical-device");
    assert_int_equal(c, AZ_ASSET_MEDICAL);
    assert_string_equal(kind_of("VPN装置", &c), "vpn");
    assert_null(kind_of("謎の箱", NULL));
    assert_null(kind_of("", NULL));
}

static void test_remote(void **state)
{
    const struct az_ledger_vocab *v = vocab();
    (void)state;
    assert_non_null(az_ledger_vocab_remote(v, "FortiGate 60E", false));
    assert_non_null(az_ledger_vocab_remote(v, "ＦｏｒｔｉＯＳ 6.4", false));
    assert_non_null(az_ledger_vocab_remote(v, "PA-220", false));
    assert_non_null(az_ledger_vocab_remote(v, "Cisco ASA 5506-X", false));
    assert_non_null(az_ledger_vocab_remote(v, "ASA5506", false));
    assert_non_null(az_ledger_vocab_remote(v, "SonicWall TZ370", false));
    assert_non_null(az_ledger_vocab_remote(v, "Pulse Secure", false));
    assert_non_null(az_ledger_vocab_remote(v, "NetScaler ADC", false));
    assert_null(az_ledger_vocab_remote(v, "asahi printer", false));
    assert_null(az_ledger_vocab_remote(v, "Windows 11", false));
    /* a YAMAHA RTX only when the kind says nothing or router */
    assert_null(az_ledger_vocab_remote(v, "RTX830", false));
    assert_non_null(az_ledger_vocab_remote(v, "RTX830", true));
    assert_non_null(az_ledger_vocab_remote(v, "YAMAHA RTX1210", true));
    assert_null(az_ledger_vocab_remote(v, "RTXa", true));
}

static void test_admins(void **state)
{
    const struct az_ledger_vocab *v = vocab();
    (void)state;
    assert_int_equal(az_ledger_vocab_admin(v, ""), AZ_ADMIN_NONE);
    assert_int_equal(az_ledger_vocab_admin(v, "なし"), AZ_ADMIN_NONE);
    assert_int_equal(az_ledger_vocab_admin(v, "-"), AZ_ADMIN_NONE);
    assert_int_equal(az_ledger_vocab_admin(v, "（管理者なし）"), AZ_ADMIN_NONE);
    assert_int_equal(az_ledger_vocab_admin(v, "院内"), AZ_ADMIN_INHOUSE);
    assert_int_equal(az_ledger_vocab_admin(v, "院内（情報システム係）"), AZ_ADMIN_INHOUSE);
    assert_int_equal(az_ledger_vocab_admin(v, "当院事務"), AZ_ADMIN_INHOUSE);
    assert_int_equal(az_ledger_vocab_admin(v, "事務長"), AZ_ADMIN_INHOUSE);
    assert_int_equal(az_ledger_vocab_admin(v, "医事課"), AZ_ADMIN_INHOUSE);
    assert_int_equal(az_ledger_vocab_admin(v, "山田 太郎"), AZ_ADMIN_INHOUSE);
    assert_int_equal(az_ledger_vocab_admin(v, "山田"), AZ_ADMIN_INHOUSE);
    assert_int_equal(az_ledger_vocab_admin(v, "Office manager"), AZ_ADMIN_INHOUSE);
    assert_int_equal(az_ledger_vocab_admin(v, "あおばメディカル株式会社"), AZ_ADMIN_VENDOR);
    assert_int_equal(az_ledger_vocab_admin(v, "(株)みどり検査"), AZ_ADMIN_VENDOR);
    assert_int_equal(az_ledger_vocab_admin(v, "㈱みどり"), AZ_ADMIN_VENDOR);
    assert_int_equal(az_ledger_vocab_admin(v, "日立"), AZ_ADMIN_VENDOR);
    assert_int_equal(az_ledger_vocab_admin(v, "キヤノン"), AZ_ADMIN_VENDOR);
    assert_int_equal(az_ledger_vocab_admin(v, "Example Co., Ltd."), AZ_ADMIN_VENDOR);
}

static struct az_ledger *imp(const char *s, const struct az_ledger_import_opts *o)
{
    struct az_ledger *l = NULL;
    az_ctx_init(&ctx, AZ_LANG_EN);
    if (az_ledger_import_opts(&ctx, "t.csv", s, strlen(s), o, &l) < 0)
        return NULL;
    return l;
}

static void test_layout(void **state)
{
    (void)state;
    /* a title, a blank row, a two-row header; a quoted newline in row 5 */
    const char *s = "機器台帳 令和6年4月1日現在\r\n\r\n"
                    "機器,,ネットワーク,,,\r\n"
                    "種別,名称,IPアドレス,MACアドレス,備考,色\r\n"
                    "PC,\"受付\nPC\",192.0.2.1,,\"a\nb\",赤\r\n"
                    "ルータ,r1,DHCP,00-11-22-33-44-55,,\r\n"
                    ",,,,,\r\n"
                    "UTM,,192.0.2.9,,,\r\n";
    struct az_ledger_import_opts o = {.as_of = {2025, 11, 24}};
    struct az_ledger *l = imp(s, &o);
    assert_non_null(l);
    assert_int_equal(l->header_row, 4);
    assert_int_equal(l->n, 3);
    assert_int_equal(l->v[0].line, 5);
    assert_int_equal(l->v[1].line, 6);
    assert_int_equal(l->v[2].line, 8); /* the empty row 7 counted, as Excel does */
    assert_int_equal(l->v[0].kind, AZ_ASSET_TERMINAL);
    assert_string_equal(l->v[1].kind_id, "router");
    assert_string_equal(l->v[2].col[AZ_COL_NAME], "192.0.2.9"); /* no name: the IP */
    assert_int_equal(l->nextra, 2);
    assert_string_equal(l->extra_head[0], "備考");
    assert_string_equal(l->extra_field[0], "notes");
    assert_string_equal(l->extra_head[1], "色");
    assert_null(l->extra_field[1]);
    assert_string_equal(l->v[0].extra[0], "a\nb");
    assert_string_equal(l->v[0].extra[1], "赤");
    az_ledger_free(l);
}

static void test_remote_columns(void **state)
{
    /* the maker names the appliance; the kind cell names the product */
    const char *s = "名称,種別,メーカー,型番\r\nfw,ルータ,SonicWall,TZ370\r\ngw,FortiGate,,\r\n"
                    "pc,PC,Fortinet,FortiClient\r\n";
    struct az_ledger *l = imp(s, &(struct az_ledger_import_opts){0});
    (void)state;
    assert_non_null(l);
    assert_int_equal(l->v[0].kind, AZ_ASSET_VPN);
    assert_int_equal(l->v[1].kind, AZ_ASSET_VPN);
    assert_int_equal(l->v[2].kind, AZ_ASSET_TERMINAL); /* a PC stays a PC */
    az_ledger_free(l);
}

/* Dates as clinics write them, totals rows, role + name administrators,
 * collect (the CLI's one refusal for all sheets). */
static void test_clinic_forms(void **state)
{
    const char *s = "名称,管理者,最終パッチ適用日,サポート終了日,IPアドレス\r\n"
                    "a,ＩＴ担当　佐藤,2025/4/1 13:45,2025年12月,192.0.2.1、192.0.2.2\r\n"
                    "b,事務長 山田,R7.2,R7.2,192.0.2.3，192.0.2.4\r\n"
                    "c,情報システム係 鈴木,―,不明,\r\n"
                    "総計,,,,\r\n";
    struct az_ledger_import_opts o = {.as_of = {2025, 11, 24}};
    struct az_ledger *l = imp(s, &o);
    (void)state;
    assert_non_null(l);
    assert_int_equal(l->n, 3);
    assert_int_equal(l->totals, 1);
    assert_int_equal(l->v[0].last_patch.y, 2025);
    assert_int_equal(l->v[0].last_patch.m, 4);
    assert_int_equal(l->v[0].last_patch.d, 1);
    assert_int_equal(l->v[0].eol.m, 12); /* a month alone: its last day for a support end */
    assert_int_equal(l->v[0].eol.d, 31);
    assert_int_equal(l->v[1].last_patch.d, 1); /* and its first day otherwise */
    assert_int_equal(l->v[1].eol.m, 2);
    assert_int_equal(l->v[1].eol.d, 28);
    assert_false(l->v[2].has_last_patch);
    assert_false(l->v[2].has_eol);
    assert_string_equal(l->v[2].col[AZ_COL_EOL], "");
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(az_ledger_vocab_admin(l->vocab, l->v[i].col[AZ_COL_ADMIN]),
                         AZ_ADMIN_INHOUSE);
    /* a vendor's person stays a vendor */
    assert_int_equal(az_ledger_vocab_admin(l->vocab, "株式会社あおば 佐藤"), AZ_ADMIN_VENDOR);
    az_ledger_free(l);
    /* collect: the bad row counted, the import not failed */
    {
        const char *bad = "名称,最終パッチ適用日\r\na,2024-02-30\r\nb,2024-02-01\r\n";
        struct az_ledger_import_opts oc = {.as_of = {2025, 11, 24}, .collect = true};
        l = imp(bad, &oc);
        assert_non_null(l);
        assert_int_equal(l->n, 1);
        assert_int_equal(l->rejected, 1);
        assert_int_equal(l->blanked, 0);
        az_ledger_free(l);
    }
}

static void test_errors(void **state)
{
    const char *s = "名称,IPアドレス,MACアドレス,最終パッチ適用日,外部接続\r\n"
                    "a,192.0.2.1/24 ; 10.0.0.1,00:11:22:33:44:55,2025-01-01,○\r\n"
                    "b,fe80::1,0011.2233.4455,R7.1.1,なし\r\n"
                    "c,192.0.2.256,00:11:22:33:44,R99.1.1,maybe\r\n"
                    "d,,,1989-12-31,\r\n";
    struct az_ledger_import_opts o = {.skip_bad = true, .as_of = {2025, 11, 24}};
    struct az_ledger *l = imp(s, &o);
    (void)state;
    assert_non_null(l);
    /* skip_bad keeps every named row, the bad cells blank */
    assert_int_equal(l->n, 4);
    assert_int_equal(l->rejected, 0);
    assert_int_equal(l->blanked, 2);
    assert_int_equal(l->v[0].external, 1);
    assert_int_equal(l->v[1].external, 0);
    assert_string_equal(l->v[2].col[AZ_COL_NAME], "c");
    assert_string_equal(l->v[2].col[AZ_COL_IP], "");
    assert_string_equal(l->v[2].col[AZ_COL_MAC], "");
    assert_false(l->v[2].has_last_patch);
    assert_int_equal(l->v[2].external, -1);
    assert_false(l->v[3].has_last_patch);
    assert_non_null(strstr(l->report, "-> left blank, the row is imported"));
    assert_non_null(strstr(l->report, "t.csv: row 4 (as Excel numbers it), column \"IPアドレス\""));
    assert_non_null(strstr(l->report, "column \"MACアドレス\""));
    assert_non_null(strstr(l->report, "\"R99.1.1\" reads as 2117-01-01"));
    assert_non_null(strstr(l->report, "\"maybe\" is not yes or no"));
    assert_non_null(strstr(l->report, "row 5 (as Excel numbers it)"));
    az_ledger_free(l);
    /* not skipping: nothing, and every problem handed back */
    {
        char *rep = NULL;
        struct az_ledger_import_opts o2 = {.as_of = {2025, 11, 24}, .report = &rep};
        assert_null(imp(s, &o2));
        assert_non_null(rep);
        assert_non_null(strstr(rep, "row 4"));
        assert_non_null(strstr(rep, "row 5"));
        assert_non_null(strstr(az_errmsg(&ctx), "2 rows have errors"));
        free(rep);
    }
}

static void test_map(void **state)
{
    const char *s = "機器ID,種別,謎\r\nX-1,PC,1\r\n";
    const char *maps[] = {"機器ID=name", "謎=location"};
    struct az_ledger_import_opts o = {.maps = maps, .nmaps = 2};
    struct az_ledger *l;
    (void)state;
    assert_null(imp(s, &(struct az_ledger_import_opts){0}));
    l = imp(s, &o);
    assert_non_null(l);
    assert_string_equal(l->v[0].col[AZ_COL_NAME], "X-1");
    assert_string_equal(l->v[0].col[AZ_COL_LOCATION], "1");
    assert_true(l->columns[0].mapped);
    az_ledger_free(l);
    maps[1] = "謎=nosuch";
    assert_null(imp(s, &o));
    assert_int_equal(ctx.err, AZ_EINVAL);
}

static void test_export(void **state)
{
    const char *s = "名称,種別,OS,備考\r\n=cmd,複合機,@SUM(1),-1\r\n\"\tx\",謎の箱,+1,'=keep\r\n";
    struct az_ledger *l, *m;
    struct az_buf b;
    (void)state;
    l = imp(s, &(struct az_ledger_import_opts){0});
    assert_non_null(l);
    az_buf_init(&b, 1u << 20);
    assert_int_equal(az_ledger_write_csv(l, &b), 0);
    assert_non_null(b.data);
    assert_non_null(strstr(b.data, "\r\n複合機,'=cmd,,,,,'@SUM(1),"));
    assert_non_null(strstr(b.data, ",'-1\r\n"));
    assert_non_null(strstr(b.data, "\r\n謎の箱,'\tx,,,,,'+1,"));
    assert_non_null(strstr(b.data, ",'=keep\r\n"));
    m = imp(b.data, &(struct az_ledger_import_opts){0});
    assert_non_null(m);
    assert_string_equal(m->v[0].col[AZ_COL_NAME], "=cmd");
    assert_string_equal(m->v[0].col[AZ_COL_OS], "@SUM(1)");
    assert_string_equal(m->v[1].col[AZ_COL_KIND], "謎の箱");
    assert_string_equal(m->v[1].extra[0], "=keep");
    az_ledger_free(m);
    az_buf_done(&b);
    az_ledger_free(l);
}

static void test_file_type(void **state)
{
    (void)state;
    assert_string_equal(az_file_type("PK\3\4....xl/workbook.xml", 24), "xlsx");
    assert_string_equal(az_file_type("PK\3\4....", 8), "zip");
    assert_string_equal(az_file_type("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8), "xls");
    assert_string_equal(az_file_type("%PDF-1.7", 8), "pdf");
    assert_string_equal(az_file_type("{\"a\": 1}", 8), "json");
    assert_string_equal(az_file_type("# c, d\nanzen-profile: 1\n", 24), "yaml");
    assert_string_equal(az_file_type("institution: {name: x, type: y}\n", 32), "yaml");
    assert_string_equal(az_file_type("\xEF\xBB\xBF種別,名称\r\n", 18), "csv");
    assert_string_equal(az_file_type("#,name\n", 7), "csv");
    assert_string_equal(az_file_type("機器台帳\r\n", 14), "text");
    assert_string_equal(az_file_type("a\0b", 3), "binary");
    assert_string_equal(az_file_type("\xFF\xFE"
                                     "a\0",
                                     4),
                        "utf16");
    assert_string_equal(az_file_type("", 0), "text");
    assert_string_equal(az_file_type_name("png", AZ_LANG_JA), "PNG の画像");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),           cmocka_unit_test(test_headers),
        cmocka_unit_test(test_kinds),          cmocka_unit_test(test_remote),
        cmocka_unit_test(test_admins),         cmocka_unit_test(test_layout),
        cmocka_unit_test(test_errors),         cmocka_unit_test(test_map),
        cmocka_unit_test(test_export),         cmocka_unit_test(test_file_type),
        cmocka_unit_test(test_remote_columns), cmocka_unit_test(test_clinic_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
