/* SPDX-License-Identifier: MIT */
/*
 * template.c - `anzen ledger template`: an empty ledger workbook to fill
 * in, with the columns anzen checks and the usual extras, drop-down lists
 * for the kind, administrator and yes/no cells (from the vocabulary), one
 * example row, and a sheet that explains each column.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "../internal.h"
#include "anzen/hint.h"
#include "anzen/ledger.h"
#include "ledger_internal.h"

struct tcol {
    const char *field; /* core token or vocabulary extra */
    const char *example;
    double width;
    const char *help_ja, *help_en;
};

static const struct tcol tcols[] = {
    {"no", "例", 6, "通し番号 (任意)。「例」の行は取り込みません",
     "row number (optional); the row marked 例 (example) is not imported"},
    {"kind", "VPN装置", 16, "一覧から選ぶか、パソコン・複合機などふだんの言い方で",
     "pick from the list or write it your way (PC, printer...)"},
    {"name", "保守用VPNルータ", 22, "機器の名前 (必須。型番や IP アドレスでも可)",
     "the device's name (required; a model or IP will do)"},
    {"maker", "Fortinet", 14, "メーカー", "maker"},
    {"model", "FortiGate 60F", 16, "型番", "model"},
    {"location", "サーバ室", 14, "設置場所", "where it is"},
    {"segment", "保守回線", 14, "つながっているネットワーク", "the network it is on"},
    {"ip", "192.168.10.1", 16, "IP アドレス (複数はカンマ区切り、DHCP も可)",
     "IP address (several with commas, or DHCP)"},
    {"mac", "", 18, "MAC アドレス", "MAC address"},
    {"os", "FortiOS", 16, "OS やファームウェアの名前 (版を続けて書いても可: FortiOS 7.2.8)",
     "OS or firmware (the version may follow: FortiOS 7.2.8)"},
    {"version", "7.2.8", 12, "版 (わからなければ空欄: 事業者に確認する指摘が出ます)",
     "version (blank if unknown: you will be told to ask the vendor)"},
    {"system", "電子カルテ", 14, "どのシステムの機器か", "which system it belongs to"},
    {"admin", "○○メディカル株式会社", 22,
     "管理者: 院内 / 事務長などの職名 / 担当者名 / 事業者名。いなければ (管理者なし)",
     "administrator: in-house, a role, a person, or the vendor; (管理者なし) when nobody"},
    {"brought-by", "○○メディカル株式会社", 20, "持ち込んだ事業者 (院内で用意した機器は空欄)",
     "the vendor who brought it in (blank if the institution did)"},
    {"last-patch", "2024-04-01", 14, "最後に更新した日 (2024-04-01, 令和6年4月1日, R6.4.1)",
     "last update (2024-04-01, 令和6年4月1日, R6.4.1)"},
    {"eol", "2028-03-31", 14, "サポート終了日", "end of support"},
    {"external", "いいえ", 12, "インターネットなど外部から接続できるか (はい/いいえ)",
     "reachable from outside (yes/no)"},
    {"notes", "電子カルテのリモート保守に使う", 30, "備考 (自由に)", "notes (free text)"},
};
#define NT (sizeof(tcols) / sizeof(tcols[0]))

static const char *const admin_choices[] = {
    "院内", "院内（情報システム係）", "事務長", AZ_LEDGER_NO_ADMIN, "○○メディカル株式会社",
};

int az_ledger_template(struct az_ctx *ctx, const char *path)
{
    struct az_ledger_vocab *v = NULL;
    lxw_workbook *wb;
    lxw_worksheet *ws, *lists, *help;
    lxw_format *head, *ex;
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    lxw_data_validation dv;
    lxw_error e = LXW_NO_ERROR;
    char tmp[4200];
    int r, fd, kind_col = -1, admin_col = -1, ext_col = -1;
    bool en = ctx->lang == AZ_LANG_EN;

    if ((r = az_ledger_vocab_load(ctx, NULL, NULL, 0, &v)) < 0)
        return r;
    snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        az_ledger_vocab_free(v);
        return az_fail(ctx, AZ_EIO, "%s: 書き込めません: %s", "%s: cannot write: %s", path,
                       az_errno_text(ctx->lang, errno));
    }
    close(fd);
    if (!(wb = workbook_new_opt(tmp, &opt))) {
        unlink(tmp);
        az_ledger_vocab_free(v);
        return az_fail(ctx, AZ_EIO, "%s: XLSX を作れません", "%s: cannot create the XLSX", path);
    }
    ws = workbook_add_worksheet(wb, "機器台帳");
    help = workbook_add_worksheet(wb, en ? "Columns" : "記入のしかた");
    lists = workbook_add_worksheet(wb, "選択肢");
    head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDEBF7);
    format_set_border(head, LXW_BORDER_THIN);
    format_set_text_wrap(head);
    ex = workbook_add_format(wb);
    format_set_font_color(ex, 0x595959);
    format_set_italic(ex);
    if (!ws || !help || !lists || !head || !ex) {
        workbook_close(wb);
        unlink(tmp);
        az_ledger_vocab_free(v);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    for (size_t i = 0; i < NT; i++) {
        int vc = az_ledger_vocab_field(v, tcols[i].field);
        const char *h = vc >= 0 ? (en ? v->cols[vc].en : v->cols[vc].ja) : tcols[i].field;
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, tcols[i].width, NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)i, h, head);
        if (*tcols[i].example)
            worksheet_write_string(ws, 1, (lxw_col_t)i, tcols[i].example, ex);
        worksheet_write_string(help, (lxw_row_t)(i + 1), 0, h, NULL);
        worksheet_write_string(help, (lxw_row_t)(i + 1), 1, tcols[i].field, NULL);
        worksheet_write_string(help, (lxw_row_t)(i + 1), 2,
                               en ? tcols[i].help_en : tcols[i].help_ja, NULL);
        if (!strcmp(tcols[i].field, "kind"))
            kind_col = (int)i;
        else if (!strcmp(tcols[i].field, "admin"))
            admin_col = (int)i;
        else if (!strcmp(tcols[i].field, "external"))
            ext_col = (int)i;
    }
    worksheet_write_string(help, 0, 0, en ? "Header" : "見出し", head);
    worksheet_write_string(help, 0, 1, en ? "Field" : "項目", head);
    worksheet_write_string(help, 0, 2, en ? "What to write" : "書くこと", head);
    worksheet_set_column(help, 0, 0, 20, NULL);
    worksheet_set_column(help, 1, 1, 12, NULL);
    worksheet_set_column(help, 2, 2, 70, NULL);
    worksheet_write_string(help, (lxw_row_t)(NT + 2), 0,
                           en ? "Other columns (department, serial number, asset number...) may "
                                "be added anywhere: anzen keeps them."
                              : "部署・製造番号・資産番号などの列は自由に足せます (anzen はそのまま"
                                "保持します)。",
                           NULL);
    /* the lists behind the drop-downs */
    worksheet_write_string(lists, 0, 0, en ? "Kinds" : "種別", head);
    worksheet_write_string(lists, 0, 1, en ? "Administrators" : "管理者", head);
    worksheet_write_string(lists, 0, 2, en ? "Yes/no" : "はい/いいえ", head);
    for (size_t i = 0; i < v->nkinds; i++)
        worksheet_write_string(lists, (lxw_row_t)(i + 1), 0, en ? v->kinds[i].en : v->kinds[i].ja,
                               NULL);
    for (size_t i = 0; i < sizeof(admin_choices) / sizeof(admin_choices[0]); i++)
        worksheet_write_string(lists, (lxw_row_t)(i + 1), 1, admin_choices[i], NULL);
    worksheet_write_string(lists, 1, 2, en ? "yes" : "はい", NULL);
    worksheet_write_string(lists, 2, 2, en ? "no" : "いいえ", NULL);
    worksheet_set_column(lists, 0, 1, 24, NULL);
    worksheet_hide(lists);
    /* drop-downs that still accept other words (a kind written the
     * clinic's way, a vendor's name); lists, not ranges (a range formula
     * leaks in libxlsxwriter 1.1) */
    {
        const char *kl[32], *al[8], *yl[3] = {en ? "yes" : "はい", en ? "no" : "いいえ", NULL};
        size_t nk = 0;
        for (size_t i = 0; i < v->nkinds && nk + 1 < sizeof(kl) / sizeof(kl[0]); i++)
            kl[nk++] = en ? v->kinds[i].en : v->kinds[i].ja;
        kl[nk] = NULL;
        for (size_t i = 0; i < sizeof(admin_choices) / sizeof(admin_choices[0]); i++)
            al[i] = admin_choices[i];
        al[sizeof(admin_choices) / sizeof(admin_choices[0])] = NULL;
        memset(&dv, 0, sizeof(dv));
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        dv.show_error = LXW_VALIDATION_OFF;
        dv.value_list = (char **)kl;
        if (kind_col >= 0)
            e = worksheet_data_validation_range(ws, 1, (lxw_col_t)kind_col, 1000,
                                                (lxw_col_t)kind_col, &dv);
        dv.value_list = (char **)al;
        if (e == LXW_NO_ERROR && admin_col >= 0)
            e = worksheet_data_validation_range(ws, 1, (lxw_col_t)admin_col, 1000,
                                                (lxw_col_t)admin_col, &dv);
        dv.value_list = (char **)yl;
        if (e == LXW_NO_ERROR && ext_col >= 0)
            e = worksheet_data_validation_range(ws, 1, (lxw_col_t)ext_col, 1000, (lxw_col_t)ext_col,
                                                &dv);
    }
    worksheet_freeze_panes(ws, 1, 0);
    if (e == LXW_NO_ERROR)
        e = worksheet_autofilter(ws, 0, 0, 1, (lxw_col_t)(NT - 1));
    az_ledger_vocab_free(v);
    if (e != LXW_NO_ERROR) {
        workbook_close(wb);
        unlink(tmp);
        return az_fail(ctx, AZ_EIO, "%s: テンプレートを書けません (%s)",
                       "%s: cannot write the template (%s)", path, lxw_strerror(e));
    }
    if ((e = workbook_close(wb)) != LXW_NO_ERROR) {
        unlink(tmp);
        return az_fail(ctx, AZ_EIO, "%s: XLSX を書けません (%s)", "%s: cannot write the XLSX (%s)",
                       path, lxw_strerror(e));
    }
    fd = open(tmp, O_RDONLY);
    if (fd < 0 || fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        int er = errno;
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        return az_fail(ctx, AZ_EIO, "%s: 書き込めません: %s", "%s: cannot write: %s", path,
                       az_errno_text(ctx->lang, er));
    }
    return 0;
}
