/* SPDX-License-Identifier: MIT */
/*
 * oscal.c - OSCAL 1.0.4 assessment-results and POA&M documents from an
 * evaluation and a plan (oscal.h). Validated in the tests against the NIST
 * JSON schemas with ajv.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "../internal.h"
#include "anzen/oscal.h"

/* anzen's namespace for name-based UUIDs (a fixed random UUID). */
static const unsigned char ns_anzen[16] = {0x6a, 0x1f, 0x3c, 0x52, 0x9e, 0x04, 0x4b, 0x7d,
                                           0x8a, 0x21, 0x5c, 0xe3, 0x0f, 0x94, 0x66, 0xb8};

void az_uuid5(const char *name, char out[37])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *m = EVP_MD_CTX_new();

    memset(md, 0, sizeof(md));
    if (m && EVP_DigestInit_ex(m, EVP_sha1(), NULL) && EVP_DigestUpdate(m, ns_anzen, 16) &&
        EVP_DigestUpdate(m, name, strlen(name)))
        EVP_DigestFinal_ex(m, md, &mdlen);
    EVP_MD_CTX_free(m);
    md[6] = (unsigned char)((md[6] & 0x0F) | 0x50); /* version 5 */
    md[8] = (unsigned char)((md[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0],
             md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12],
             md[13], md[14], md[15]);
}

/* A UUID for "kind:<scope>:<suffix>". */
static json_t *uuid_of(const struct az_eval *e, const char *kind, const char *suffix)
{
    char name[1024], u[37];

    snprintf(name, sizeof(name), "%s:%s:%s:%s:%s:%s", kind,
             e->profile->name ? e->profile->name : "", e->edition->id, e->form->id,
             e->system ? e->system : "", suffix ? suffix : "");
    az_uuid5(name, u);
    return json_string(u);
}

static void ts_of(struct az_date d, char *buf, size_t n)
{
    snprintf(buf, n, "%04d-%02d-%02dT00:00:00+09:00", d.y, d.m, d.d);
}

/* OSCAL strings must not be empty nor start/end with spaces. */
static json_t *str(const char *s)
{
    const char *b = s ? s : "";
    size_t n;

    while (*b == ' ' || *b == '\n' || *b == '\t')
        b++;
    n = strlen(b);
    while (n && (b[n - 1] == ' ' || b[n - 1] == '\n' || b[n - 1] == '\t'))
        n--;
    return n ? json_stringn(b, n) : json_string("-");
}

static json_t *prop(const char *name, const char *value)
{
    return json_pack("{s:s, s:s, s:o}", "name", name, "ns", "https://anzen.invalid/ns/oscal",
                     "value", str(value));
}

static json_t *metadata(const struct az_eval *e, const char *title)
{
    char ts[40], ver[64];
    json_t *props = json_array();

    ts_of(e->as_of, ts, sizeof(ts));
    snprintf(ver, sizeof(ver), "%s %s", e->edition->id, AZ_VERSION);
    json_array_append_new(props, prop("institution", e->profile->name));
    json_array_append_new(props, prop("institution-type", az_inst_token(e->profile->type)));
    json_array_append_new(props, prop("checklist-edition", e->edition->version));
    json_array_append_new(props, prop("form", e->form->title.ja));
    if (e->system)
        json_array_append_new(props, prop("system", e->system));
    return json_pack("{s:o, s:s, s:s, s:s, s:o}", "title", str(title), "last-modified", ts,
                     "version", ver, "oscal-version", AZ_OSCAL_VERSION, "props", props);
}

json_t *az_oscal_assessment_results(const struct az_eval *e)
{
    json_t *controls = json_array(), *obs = json_array(), *finds = json_array(), *result, *doc;
    char ts[40], title[512];

    ts_of(e->as_of, ts, sizeof(ts));
    for (size_t i = 0; i < e->nresults; i++) {
        const struct az_item_result *r = &e->results[i];
        const struct az_item *it = r->item;
        const struct az_answer *a = r->answer;
        char d[16], collected[40];
        AZ_AUTOFREE char *desc = NULL; /* the note whole, however long */
        const char *state, *reason;
        json_t *o, *props;

        if (r->status == AZ_ST_GATE || r->status == AZ_ST_NOT_APPLICABLE || r->status == AZ_ST_NA)
            continue;
        json_array_append_new(controls, json_pack("{s:s}", "control-id", it->id));
        state = r->status == AZ_ST_SATISFIED ? "satisfied" : "not-satisfied";
        reason = r->status == AZ_ST_SATISFIED    ? "answered-yes"
                 : r->status == AZ_ST_UNANSWERED ? "unanswered"
                                                 : "answered-no";
        props = json_array();
        json_array_append_new(props, prop("label", it->label));
        if (r->overdue != AZ_OD_NONE) {
            az_date_iso(r->deadline, d, sizeof(d));
            json_array_append_new(props,
                                  prop("overdue", r->overdue == AZ_OD_TARGET   ? "target"
                                                  : r->overdue == AZ_OD_DUE_BY ? "due-by"
                                                                               : "fiscal-year"));
        }
        if (a && a->has_target) {
            az_date_iso(a->target, d, sizeof(d));
            json_array_append_new(props, prop("target-date", d));
        }
        json_array_append_new(props, prop("confidence", az_conf_token(it->confidence)));
        ts_of(a && a->has_checked ? a->checked : e->as_of, collected, sizeof(collected));
        desc = az_fmt("%s: %s%s%s", it->label, az_ans_name(a ? a->ans : AZ_ANS_NONE, AZ_LANG_JA),
                      a && a->note ? " — " : "", a && a->note ? a->note : "");
        o = json_pack("{s:o, s:o, s:o, s:[s], s:o, s:s}", "uuid", uuid_of(e, "observation", it->id),
                      "title", str(it->title.ja), "description", str(desc), "methods", "INTERVIEW",
                      "props", props, "collected", collected);
        if (a && a->nevidence) {
            json_t *ev = json_array();
            for (size_t k = 0; k < a->nevidence; k++)
                json_array_append_new(ev, json_pack("{s:o}", "description", str(a->evidence[k])));
            json_object_set_new(o, "relevant-evidence", ev);
        }
        json_array_append_new(obs, o);
        json_array_append_new(
            finds,
            json_pack("{s:o, s:o, s:o, s:{s:s, s:s, s:{s:s, s:s}}, s:[{s:o}]}", "uuid",
                      uuid_of(e, "finding", it->id), "title", str(it->title.ja), "description",
                      str(it->text.ja), "target", "type", "objective-id", "target-id", it->id,
                      "status", "state", state, "reason", reason, "related-observations",
                      "observation-uuid", uuid_of(e, "observation", it->id)));
    }
    snprintf(title, sizeof(title), "%s %s (%s)", az_form_doc_title(e->form).ja, e->edition->version,
             e->form->title.ja);
    if (!json_array_size(controls)) {
        /* OSCAL needs at least one control selection: select the gate */
        json_array_append_new(controls, json_pack("{s:s}", "control-id", e->results[0].item->id));
    }
    result =
        json_pack("{s:o, s:o, s:o, s:s, s:{s:[{s:o}]}}", "uuid", uuid_of(e, "result", ts), "title",
                  str(title), "description",
                  str("anzen による自己点検の結果 (Self-assessment results from anzen)"), "start",
                  ts, "reviewed-controls", "control-selections", "include-controls", controls);
    if (json_array_size(obs))
        json_object_set_new(result, "observations", obs);
    else
        json_decref(obs);
    if (json_array_size(finds))
        json_object_set_new(result, "findings", finds);
    else
        json_decref(finds);
    doc = json_pack("{s:{s:o, s:o, s:{s:s}, s:[o]}}", "assessment-results", "uuid",
                    uuid_of(e, "assessment-results", ts), "metadata",
                    metadata(e, "サイバーセキュリティ対策チェックリスト 自己点検結果"), "import-ap",
                    "href", "#anzen-self-assessment", "results", result);
    return doc;
}

json_t *az_oscal_poam(const struct az_plan *p)
{
    const struct az_eval *e = p->eval;
    json_t *items = json_array(), *doc;
    char ts[40];

    ts_of(e->as_of, ts, sizeof(ts));
    for (size_t i = 0; i < p->n; i++) {
        const struct az_plan_item *pi = &p->v[i];
        const struct az_item *it = pi->result->item;
        char rank[24], d[16];
        AZ_AUTOFREE char *desc = NULL; /* the measures whole (a catalog's own) */
        json_t *props = json_array();

        snprintf(rank, sizeof(rank), "%zu", i + 1);
        json_array_append_new(props, prop("label", it->label));
        json_array_append_new(props, prop("priority", rank));
        json_array_append_new(props, prop("priority-reason", pi->reason_ja));
        for (int k = 0; k < 2; k++) {
            const struct az_plan_track *t = &pi->track[k];
            char name[64];
            const char *tk = k == AZ_TRACK_INTERIM ? "interim" : "permanent";
            snprintf(name, sizeof(name), "%s-status", tk);
            json_array_append_new(props, prop(name, az_plan_status_token(t->status)));
            snprintf(name, sizeof(name), "%s-owner-role", tk);
            json_array_append_new(props, prop(name, az_role_token((enum az_role)t->owner_role)));
            az_date_iso(t->due, d, sizeof(d));
            snprintf(name, sizeof(name), "%s-due", tk);
            json_array_append_new(props, prop(name, d));
        }
        desc =
            az_fmt("暫定対策: %s / 本対策: %s", pi->track[0].text.ja ? pi->track[0].text.ja : "-",
                   pi->track[1].text.ja ? pi->track[1].text.ja : "-");
        json_array_append_new(items, json_pack("{s:o, s:o, s:o, s:o, s:[{s:o}]}", "uuid",
                                               uuid_of(e, "poam-item", it->id), "title",
                                               str(it->title.ja), "description", str(desc), "props",
                                               props, "related-observations", "observation-uuid",
                                               uuid_of(e, "observation", it->id)));
    }
    doc = json_pack("{s:{s:o, s:o, s:o}}", "plan-of-action-and-milestones", "uuid",
                    uuid_of(e, "poam", ts), "metadata",
                    metadata(e, "サイバーセキュリティ対策 対応計画 (POA&M)"), "poam-items", items);
    if (doc && !json_array_size(items)) {
        /* POA&M requires at least one item: record that nothing is open */
        json_array_append_new(items,
                              json_pack("{s:o, s:s, s:s}", "uuid", uuid_of(e, "poam-item", "none"),
                                        "title", "対応が必要な項目はありません", "description",
                                        "No item is answered no."));
    }
    return doc;
}
