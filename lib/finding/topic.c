/* SPDX-License-Identifier: MIT */
/*
 * topic.c - edition-neutral topics ("h:patches", "gl:ops-8-2") resolved to
 * the items of one edition through the catalog's crosswalks (finding.h).
 */
#include <stdio.h>
#include <string.h>

#include "anzen/finding.h"

void az_item_topic(const struct az_item *it, char *buf, size_t n)
{
    const char *rest = it->id, *ed = it->edition->id;
    size_t el = strlen(ed);

    if (!strncmp(rest, ed, el) && rest[el] == '.')
        rest += el + 1;
    if (it->edition->checklist) {
        const char *dot = strchr(rest, '.');
        if (dot) {
            snprintf(buf, n, "%.*s:%s", (int)(dot - rest), rest, dot + 1);
            return;
        }
    }
    snprintf(buf, n, "gl:%s", rest);
}

/* The item of ed that has topic (form replaced by form_id when given). */
static const struct az_item *direct(const struct az_edition *ed, const char *form_id,
                                    const char *form, const char *slug)
{
    char id[256];

    if (ed->checklist)
        snprintf(id, sizeof(id), "%s.%s.%s", ed->id, form_id ? form_id : form, slug);
    else
        snprintf(id, sizeof(id), "%s.%s", ed->id, slug);
    for (size_t i = 0; i < ed->nitems; i++)
        if (!strcmp(ed->items[i]->id, id))
            return ed->items[i];
    return NULL;
}

static bool seen(const struct az_item **out, size_t n, const struct az_item *it)
{
    for (size_t i = 0; i < n; i++)
        if (out[i] == it)
            return true;
    return false;
}

/* Add to out the items of target reached from it by following the
 * crosswalks backwards (towards older editions). Returns the new count. */
static size_t walk_back(const struct az_item *it, const struct az_edition *target,
                        const struct az_item **out, size_t n, size_t max, int depth)
{
    if (!it || depth > 16)
        return n;
    if (it->edition == target) {
        if (!seen(out, n, it) && n < max)
            out[n++] = it;
        return n;
    }
    if (!it->xwalk)
        return n;
    for (size_t i = 0; i < it->xwalk->nfrom; i++)
        n = walk_back(it->xwalk->from[i], target, out, n, max, depth + 1);
    return n;
}

/* Does it (of a newer edition) descend from anc through the crosswalks? */
static bool descends(const struct az_item *it, const struct az_item *anc, int depth)
{
    if (it == anc)
        return true;
    if (!it || !it->xwalk || depth > 16)
        return false;
    for (size_t i = 0; i < it->xwalk->nfrom; i++)
        if (descends(it->xwalk->from[i], anc, depth + 1))
            return true;
    return false;
}

size_t az_topic_items(const struct az_catalog *cat, const struct az_edition *ed,
                      const char *form_id, const char *topic, const struct az_item **out,
                      size_t max)
{
    char form[32] = "", slug[200];
    const char *colon = strchr(topic, ':');
    const struct az_item *it, *src = NULL;
    size_t n = 0;

    if (!ed || !topic)
        return 0;
    if (strchr(topic, '|')) {
        /* alternatives ("h:mfa|h:access-rights"): the first that resolves
         * in ed, for an item new in a later edition that older editions
         * cover under another item */
        const char *p = topic;
        while (*p) {
            size_t l = strcspn(p, "|");
            char alt[256];
            snprintf(alt, sizeof(alt), "%.*s", (int)l, p);
            if (*alt && (n = az_topic_items(cat, ed, form_id, alt, out, max)))
                return n;
            p += l + (p[l] == '|');
        }
        return 0;
    }
    if (colon) {
        snprintf(form, sizeof(form), "%.*s", (int)(colon - topic), topic);
        snprintf(slug, sizeof(slug), "%s", colon + 1);
    } else {
        /* an item ID written before topics existed (cl-r7.h.patches) */
        const struct az_item *old = az_catalog_item(cat, topic);
        char t[256];
        if (!old)
            return 0;
        az_item_topic(old, t, sizeof(t));
        return az_topic_items(cat, ed, form_id, t, out, max);
    }
    if (!strcmp(form, "gl") && ed->checklist) {
        /* a guideline topic seen from a checklist edition: the requirement
         * in the newest guideline edition that has it */
        for (size_t i = az_catalog_neditions(cat); i-- > 0;) {
            const struct az_edition *g = az_catalog_edition_at(cat, i);
            if (!g->checklist && g->nitems && (n = az_topic_items(cat, g, NULL, topic, out, max)))
                return n;
        }
        return 0;
    }
    if (strcmp(form, "gl") && !ed->checklist)
        return 0; /* a checklist topic in a guideline edition */
    if (form_id && ed->checklist) {
        const struct az_form *f = az_edition_form(ed, form_id);
        if (!f || f->vendor)
            form_id = NULL; /* vendor forms keep the topic's own form */
    }
    if ((it = direct(ed, form_id, form, slug))) {
        out[0] = it;
        return max ? 1 : 0;
    }
    /* the newest edition of the same kind that has the topic */
    for (size_t i = az_catalog_neditions(cat); i-- > 0 && !src;) {
        const struct az_edition *e = az_catalog_edition_at(cat, i);
        if (e->checklist == ed->checklist && e != ed)
            src = direct(e, form_id, form, slug);
    }
    if (!src)
        return 0;
    if (ed->checklist && ed->fiscal_year && src->edition->fiscal_year > ed->fiscal_year)
        return walk_back(src, ed, out, 0, max, 0);
    /* ed is newer (or a guideline edition): its items that descend from src */
    for (size_t i = 0; i < ed->nitems; i++)
        if (descends(ed->items[i], src, 0) && !seen(out, n, ed->items[i]) && n < max)
            out[n++] = ed->items[i];
    if (!n)
        n = walk_back(src, ed, out, 0, max, 0);
    return n;
}

int az_findings_add_items(const struct az_catalog *cat, const struct az_edition *ed,
                          const char *form_id, json_t *findings)
{
    size_t i, k;
    json_t *o, *t;

    json_array_foreach(findings, i, o)
    {
        json_t *items = json_array();
        const json_t *topics = json_object_get(o, "topics");
        if (!items)
            return AZ_ENOMEM;
        json_array_foreach(topics, k, t)
        {
            const struct az_item *v[16];
            size_t n = json_is_string(t)
                           ? az_topic_items(cat, ed, form_id, json_string_value(t), v, 16)
                           : 0;
            for (size_t x = 0; x < n; x++)
                json_array_append_new(items, json_string(v[x]->id));
        }
        if (json_object_set_new(o, "items", items) < 0)
            return AZ_ENOMEM;
    }
    return 0;
}
