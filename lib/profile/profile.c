/* SPDX-License-Identifier: MIT */
/*
 * profile.c - load, validate and write the institution profile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"
#include "anzen/profile.h"

static const struct {
    const char *tok, *ja, *en;
    unsigned bit;
} insts[] = {
    {"hospital", "病院", "Hospital", AZ_INST_HOSPITAL},
    {"clinic", "診療所", "Clinic", AZ_INST_CLINIC},
    {"dental-clinic", "歯科診療所", "Dental clinic", AZ_INST_DENTAL},
    {"pharmacy", "薬局", "Pharmacy", AZ_INST_PHARMACY},
    {"midwifery-home", "助産所", "Midwifery home", AZ_INST_MIDWIFERY},
};
#define NINSTS (sizeof(insts) / sizeof(insts[0]))

const char *az_inst_token(unsigned type)
{
    for (size_t i = 0; i < NINSTS; i++)
        if (insts[i].bit == type)
            return insts[i].tok;
    return "?";
}

const char *az_inst_name(unsigned type, enum az_lang lang)
{
    for (size_t i = 0; i < NINSTS; i++)
        if (insts[i].bit == type)
            return lang == AZ_LANG_EN ? insts[i].en : insts[i].ja;
    return "?";
}

unsigned az_inst_parse(const char *s)
{
    for (size_t i = 0; i < NINSTS; i++)
        if (!strcmp(s, insts[i].tok) || !strcmp(s, insts[i].ja))
            return insts[i].bit;
    return 0;
}

struct priv {
    struct az_doc *doc;
};

void az_profile_free(struct az_profile *p)
{
    struct priv *pv;

    if (!p)
        return;
    pv = p->priv;
    if (pv) {
        az_doc_free(pv->doc);
        free(pv);
    }
    free(p->systems);
    free(p->interfaces);
    free(p->signatures);
    free(p);
}

static const char *const top_keys[] = {"anzen-profile", "institution", "systems", "readiness",
                                       "interfaces",    "signatures",  NULL};
static const char *const ready_keys[] = {"incident-contacts", "cyber-bcp", "backup", NULL};
static const char *const kept_keys[] = {"present", "reviewed", NULL};
static const char *const backup_keys[] = {"offline", "immutable", "restore-drill", NULL};
static const char *const iface_keys[] = {"from",          "to", "protocol", "encrypted",
                                         "authenticated", NULL};
static const char *const sig_keys[] = {"record", "method", "timestamp", "certificate-expires",
                                       NULL};
static const char *const inst_keys[] = {"name",
                                        "type",
                                        "beds",
                                        "prefecture",
                                        "person-in-charge",
                                        "medical-systems",
                                        "ops-staff",
                                        "maintenance-outsourced",
                                        NULL};
static const char *const sys_keys[] = {
    "id",  "name",       "hosting", "vendor", "introduced", "renewal", "remote-maintenance",
    "mfa", "role-split", NULL};

#define MAX_SYSTEMS 1000

static void parse_kept(struct av *v, const json_t *o, const char *key, struct az_kept *k)
{
    const json_t *x = json_object_get(o, key);

    if (!x)
        return;
    if (!av_object(v, x, kept_keys, key))
        return;
    k->stated = true;
    k->present = av_bool(v, x, "present", true);
    if (json_object_get(x, "reviewed"))
        k->has_reviewed = av_date(v, x, "reviewed", true, &k->reviewed);
}

/* readiness, interfaces and signatures: the key points of step ③ */
static void parse_readiness(struct av *v, struct az_profile *p, const json_t *root)
{
    const json_t *r = json_object_get(root, "readiness"), *l;

    if (r && av_object(v, r, ready_keys, "readiness")) {
        const json_t *b = json_object_get(r, "backup");
        parse_kept(v, r, "incident-contacts", &p->incident_contacts);
        parse_kept(v, r, "cyber-bcp", &p->cyber_bcp);
        if (b && av_object(v, b, backup_keys, "backup")) {
            p->backup_stated = true;
            p->backup_offline = av_bool(v, b, "offline", false);
            p->backup_immutable = av_bool(v, b, "immutable", false);
            if (json_object_get(b, "restore-drill"))
                p->has_restore_drill = av_date(v, b, "restore-drill", true, &p->restore_drill);
        }
    }
    if ((l = av_list(v, root, "interfaces", false))) {
        size_t n = json_array_size(l) < MAX_SYSTEMS ? json_array_size(l) : MAX_SYSTEMS;
        p->interfaces = calloc(n + 1, sizeof(*p->interfaces));
        for (size_t i = 0; p->interfaces && i < n; i++) {
            const json_t *o = json_array_get(l, i);
            struct az_interface *f = &p->interfaces[p->ninterfaces];
            bool ok_from = false, ok_to = false;
            if (!av_object(v, o, iface_keys, "interface"))
                continue;
            f->from = av_str(v, o, "from", true);
            f->to = av_str(v, o, "to", true);
            f->protocol = av_str(v, o, "protocol", true);
            f->encrypted = av_bool(v, o, "encrypted", false);
            f->authenticated = av_bool(v, o, "authenticated", false);
            for (size_t k = 0; k < p->nsystems; k++) {
                ok_from |= f->from && !strcmp(p->systems[k].id, f->from);
                ok_to |= f->to && !strcmp(p->systems[k].id, f->to);
            }
            if (f->from && !ok_from)
                av_err(v, o, "from", "未知のシステム \"%s\"", "unknown system \"%s\"", f->from);
            if (f->to && !ok_to)
                av_err(v, o, "to", "未知のシステム \"%s\"", "unknown system \"%s\"", f->to);
            p->ninterfaces++;
        }
    }
    if ((l = av_list(v, root, "signatures", false))) {
        size_t n;
        p->signatures_stated = true;
        n = json_array_size(l) < MAX_SYSTEMS ? json_array_size(l) : MAX_SYSTEMS;
        p->signatures = calloc(n + 1, sizeof(*p->signatures));
        for (size_t i = 0; p->signatures && i < n; i++) {
            const json_t *o = json_array_get(l, i);
            struct az_signature *g = &p->signatures[p->nsignatures];
            if (!av_object(v, o, sig_keys, "signature"))
                continue;
            g->record = av_str(v, o, "record", true);
            g->method = av_str(v, o, "method", false);
            g->timestamp = av_bool(v, o, "timestamp", false);
            if (json_object_get(o, "certificate-expires"))
                g->has_expires = av_date(v, o, "certificate-expires", true, &g->expires);
            p->nsignatures++;
        }
    }
}

int az_profile_load(struct az_ctx *ctx, const char *name, const char *data, size_t len,
                    struct az_profile **ret)
{
    struct az_profile *p;
    struct priv *pv;
    struct az_doc *doc;
    const json_t *root, *inst, *sl;
    const char *s;
    struct av v;
    int r;

    r = az_doc_load(ctx, name, data, len, &doc);
    if (r < 0)
        return r;
    p = calloc(1, sizeof(*p));
    pv = calloc(1, sizeof(*pv));
    if (!p || !pv) {
        free(p);
        free(pv);
        az_doc_free(doc);
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    }
    pv->doc = doc;
    p->priv = pv;
    p->file = az_doc_name(doc);
    p->beds = -1;
    root = az_doc_root(doc);
    av_init(&v, ctx, doc, 10);
    if (!av_header(&v, root, top_keys, "profile", "anzen-profile"))
        goto done;
    inst = json_object_get(root, "institution");
    if (!inst) {
        av_err(&v, root, NULL, "必須のキー \"%s\" がありません", "missing required key \"%s\"",
               "institution");
        goto done;
    }
    if (!av_object(&v, inst, inst_keys, "institution"))
        goto done;
    p->name = av_str(&v, inst, "name", true);
    if ((s = av_str(&v, inst, "type", true))) {
        p->type = az_inst_parse(s);
        if (!p->type)
            av_err(&v, inst, "type",
                   "種別 \"%s\" は不明です (hospital, clinic, dental-clinic, pharmacy, "
                   "midwifery-home)",
                   "unknown institution type \"%s\" (hospital, clinic, dental-clinic, pharmacy, "
                   "midwifery-home)",
                   s);
    }
    if ((s = av_str(&v, inst, "beds", false))) {
        long b;
        if (az_parse_long(s, 0, 100000, &b) < 0)
            av_err(&v, inst, "beds", "病床数 \"%s\" は 0 以上の整数です",
                   "beds \"%s\" must be a non-negative integer", s);
        else
            p->beds = (int)b;
    }
    p->prefecture = av_str(&v, inst, "prefecture", false);
    p->person = av_str(&v, inst, "person-in-charge", false);
    p->medical_systems = av_bool(&v, inst, "medical-systems", true);
    p->ops_staff = av_bool(&v, inst, "ops-staff", false);
    p->outsourced = av_bool(&v, inst, "maintenance-outsourced", false);

    if ((sl = av_list(&v, root, "systems", false))) {
        size_t n = json_array_size(sl);
        if (n > MAX_SYSTEMS) {
            av_err(&v, sl, NULL, "システムが多すぎます (上限 %d)", "too many systems (limit %d)",
                   MAX_SYSTEMS);
            n = MAX_SYSTEMS;
        }
        p->systems = calloc(n + 1, sizeof(*p->systems));
        if (!p->systems) {
            av_finish(&v);
            az_profile_free(p);
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            const json_t *so = json_array_get(sl, i);
            struct az_system *sy = &p->systems[p->nsystems];
            if (!av_object(&v, so, sys_keys, "system"))
                continue;
            sy->id = av_str(&v, so, "id", true);
            if (sy->id && !az_is_token(sy->id))
                av_err(&v, so, "id", "システム ID \"%s\" は英字で始まる英数字 (. _ -) です",
                       "system id \"%s\" must be letters, digits, . _ - starting with a letter",
                       sy->id);
            for (size_t k = 0; sy->id && k < p->nsystems; k++)
                if (p->systems[k].id && !strcmp(p->systems[k].id, sy->id))
                    av_err(&v, so, "id", "システム ID \"%s\" が重複しています",
                           "duplicate system id \"%s\"", sy->id);
            sy->name = av_str(&v, so, "name", true);
            if ((s = av_str(&v, so, "hosting", true))) {
                if (!strcmp(s, "cloud") || !strcmp(s, "クラウド"))
                    sy->cloud = true;
                else if (strcmp(s, "on-prem") != 0 && strcmp(s, "オンプレミス") != 0)
                    av_err(&v, so, "hosting", "hosting は on-prem か cloud です: \"%s\"",
                           "hosting must be on-prem or cloud: \"%s\"", s);
            }
            sy->vendor = av_str(&v, so, "vendor", false);
            if (sy->vendor && !sy->vendor[0])
                sy->vendor = NULL;
            if (json_object_get(so, "introduced"))
                sy->has_introduced = av_date(&v, so, "introduced", true, &sy->introduced);
            if (json_object_get(so, "renewal"))
                sy->has_renewal = av_date(&v, so, "renewal", true, &sy->renewal);
            sy->remote_maintenance = av_bool(&v, so, "remote-maintenance", false);
            sy->mfa = -1;
            if (json_object_get(so, "mfa"))
                sy->mfa = av_bool(&v, so, "mfa", false) ? 1 : 0;
            if (json_object_get(so, "role-split"))
                sy->has_role_split = av_date(&v, so, "role-split", true, &sy->role_split);
            if (sy->remote_maintenance && !sy->vendor)
                av_err(&v, so, "remote-maintenance",
                       "リモート保守ありのシステムには vendor (保守事業者) が必要です",
                       "a system with remote maintenance needs a vendor");
            p->nsystems++;
        }
    }
    parse_readiness(&v, p, root);
done:
    r = av_finish(&v);
    if (r < 0) {
        az_profile_free(p);
        return r;
    }
    *ret = p;
    return 0;
}

int az_profile_load_file(struct az_ctx *ctx, const char *path, struct az_profile **ret)
{
    char *data;
    size_t len;
    int r = az_read_text_file(ctx, path, &data, &len);

    if (r < 0)
        return r;
    r = az_profile_load(ctx, path, data, len, ret);
    free(data);
    return r;
}

unsigned az_profile_conds(const struct az_profile *p)
{
    unsigned c = 0;

    if (p->medical_systems)
        c |= AZ_COND_MEDICAL_SYSTEMS;
    c |= p->ops_staff ? AZ_COND_OPS_STAFF : AZ_COND_NO_OPS_STAFF;
    c |= p->outsourced ? AZ_COND_OUTSOURCED : AZ_COND_NOT_OUTSOURCED;
    for (size_t i = 0; i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        if (s->vendor)
            c |= AZ_COND_HAS_VENDOR;
        if (s->remote_maintenance)
            c |= AZ_COND_REMOTE_MAINT;
        c |= s->cloud ? AZ_COND_CLOUD : AZ_COND_ON_PREM;
    }
    return c;
}

int az_yaml_quote(struct az_buf *b, const char *s)
{
    int r = az_buf_puts(b, "\"");

    for (; r == 0 && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            r = az_buf_printf(b, "\\%c", c);
        else if (c == '\n')
            r = az_buf_puts(b, "\\n");
        else if (c == '\t')
            r = az_buf_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7F)
            r = az_buf_printf(b, "\\x%02x", c);
        else
            r = az_buf_add(b, s, 1);
    }
    return r ? r : az_buf_puts(b, "\"");
}

char *az_profile_to_yaml(const struct az_profile *p)
{
    struct az_buf b;
    char d[16];

    az_buf_init(&b, AZ_MAX_INPUT);
    az_buf_puts(&b, "# anzen institution profile (docs/profile-format.md)\nanzen-profile: 1\n"
                    "institution:\n  name: ");
    az_yaml_quote(&b, p->name ? p->name : "");
    az_buf_printf(&b, "\n  type: %s\n", az_inst_token(p->type));
    if (p->beds >= 0)
        az_buf_printf(&b, "  beds: %d\n", p->beds);
    if (p->prefecture) {
        az_buf_puts(&b, "  prefecture: ");
        az_yaml_quote(&b, p->prefecture);
        az_buf_puts(&b, "\n");
    }
    if (p->person) {
        az_buf_puts(&b, "  person-in-charge: ");
        az_yaml_quote(&b, p->person);
        az_buf_puts(&b, "\n");
    }
    az_buf_printf(&b, "  medical-systems: %s\n  ops-staff: %s\n  maintenance-outsourced: %s\n",
                  p->medical_systems ? "true" : "false", p->ops_staff ? "true" : "false",
                  p->outsourced ? "true" : "false");
    az_buf_puts(&b, p->nsystems ? "systems:\n" : "systems: []\n");
    for (size_t i = 0; i < p->nsystems; i++) {
        const struct az_system *s = &p->systems[i];
        az_buf_printf(&b, "  - id: %s\n    name: ", s->id);
        az_yaml_quote(&b, s->name ? s->name : "");
        az_buf_printf(&b, "\n    hosting: %s\n", s->cloud ? "cloud" : "on-prem");
        if (s->vendor) {
            az_buf_puts(&b, "    vendor: ");
            az_yaml_quote(&b, s->vendor);
            az_buf_puts(&b, "\n");
        }
        if (s->has_introduced) {
            az_date_iso(s->introduced, d, sizeof(d));
            az_buf_printf(&b, "    introduced: %s\n", d);
        }
        if (s->has_renewal) {
            az_date_iso(s->renewal, d, sizeof(d));
            az_buf_printf(&b, "    renewal: %s\n", d);
        }
        az_buf_printf(&b, "    remote-maintenance: %s\n", s->remote_maintenance ? "true" : "false");
        if (s->mfa >= 0)
            az_buf_printf(&b, "    mfa: %s\n", s->mfa ? "true" : "false");
        if (s->has_role_split) {
            az_date_iso(s->role_split, d, sizeof(d));
            az_buf_printf(&b, "    role-split: %s\n", d);
        }
    }
    /* the key points' readiness, only what is known (unstated stays unrecorded) */
    if (p->incident_contacts.stated || p->cyber_bcp.stated || p->backup_stated) {
        const struct az_kept *k[2] = {&p->incident_contacts, &p->cyber_bcp};
        const char *kn[2] = {"incident-contacts", "cyber-bcp"};
        az_buf_puts(&b, "readiness:\n");
        for (int i = 0; i < 2; i++) {
            if (!k[i]->stated)
                continue;
            az_buf_printf(&b, "  %s: {present: %s", kn[i], k[i]->present ? "true" : "false");
            if (k[i]->has_reviewed) {
                az_date_iso(k[i]->reviewed, d, sizeof(d));
                az_buf_printf(&b, ", reviewed: %s", d);
            }
            az_buf_puts(&b, "}\n");
        }
        if (p->backup_stated) {
            az_buf_printf(&b, "  backup: {offline: %s, immutable: %s",
                          p->backup_offline ? "true" : "false",
                          p->backup_immutable ? "true" : "false");
            if (p->has_restore_drill) {
                az_date_iso(p->restore_drill, d, sizeof(d));
                az_buf_printf(&b, ", restore-drill: %s", d);
            }
            az_buf_puts(&b, "}\n");
        }
    }
    if (p->ninterfaces) {
        az_buf_puts(&b, "interfaces:\n");
        for (size_t i = 0; i < p->ninterfaces; i++) {
            const struct az_interface *f = &p->interfaces[i];
            az_buf_puts(&b, "  - from: ");
            az_yaml_quote(&b, f->from ? f->from : "");
            az_buf_puts(&b, "\n    to: ");
            az_yaml_quote(&b, f->to ? f->to : "");
            az_buf_puts(&b, "\n    protocol: ");
            az_yaml_quote(&b, f->protocol ? f->protocol : "");
            az_buf_printf(&b, "\n    encrypted: %s\n    authenticated: %s\n",
                          f->encrypted ? "true" : "false", f->authenticated ? "true" : "false");
        }
    }
    if (p->signatures_stated || p->nsignatures) {
        az_buf_puts(&b, p->nsignatures ? "signatures:\n" : "signatures: []\n");
        for (size_t i = 0; i < p->nsignatures; i++) {
            const struct az_signature *g = &p->signatures[i];
            az_buf_puts(&b, "  - record: ");
            az_yaml_quote(&b, g->record ? g->record : "");
            if (g->method) {
                az_buf_puts(&b, "\n    method: ");
                az_yaml_quote(&b, g->method);
            }
            az_buf_printf(&b, "\n    timestamp: %s\n", g->timestamp ? "true" : "false");
            if (g->has_expires) {
                az_date_iso(g->expires, d, sizeof(d));
                az_buf_printf(&b, "    certificate-expires: %s\n", d);
            }
        }
    }
    if (b.len >= b.max) {
        az_buf_done(&b);
        return NULL;
    }
    return az_buf_take(&b);
}
