/* SPDX-License-Identifier: MIT */
/*
 * xlsx_read.c - reading cell values from an XLSX file (xlsx.h) with libzip
 * and libxml2's streaming reader, for files that come from outside: every
 * size is limited before it is trusted, DTDs are refused (OOXML has none,
 * so no entity can be defined, let alone expanded), the network is never
 * used, and furigana runs (rPh) are left out of the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>
#include <zip.h>

#include "anzen/xlsx.h"

struct rd {
    struct az_ctx *ctx;
    const char *name;
    zip_t *zip;
    size_t total;
    char **strings;
    size_t nstrings;
    size_t string_bytes; /* memory the shared strings take */
    size_t ncells;
    bool *date_xf; /* per cell style (cellXfs): a date number format */
    size_t nxf;
};

static int nomem(struct az_ctx *ctx)
{
    return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
}

/* Read zip entry `part` (NUL-terminated) within the limits. A missing
 * part gives AZ_ENOTFOUND without a message when optional. */
static int read_part(struct rd *r, const char *part, bool optional, char **ret, size_t *ret_len)
{
    zip_stat_t st;
    zip_file_t *zf;
    char *buf;
    zip_int64_t got;
    size_t cap, len = 0;

    zip_stat_init(&st);
    if (zip_stat(r->zip, part, 0, &st) < 0) {
        if (optional)
            return AZ_ENOTFOUND;
        return az_fail(r->ctx, AZ_ESYNTAX, "%s: %s がありません (XLSX ではないか壊れています)",
                       "%s: %s is missing (not an XLSX file, or damaged)", r->name, part);
    }
    if (!(st.valid & ZIP_STAT_SIZE) || st.size > AZ_XLSX_MAX_ENTRY)
        return az_fail(r->ctx, AZ_ERANGE, "%s: %s が大きすぎます (上限 %u バイト)",
                       "%s: %s is too large (limit %u bytes)", r->name, part, AZ_XLSX_MAX_ENTRY);
    if ((st.valid & ZIP_STAT_COMP_SIZE) && st.comp_size > 0 &&
        st.size / st.comp_size > AZ_XLSX_MAX_RATIO)
        return az_fail(r->ctx, AZ_ERANGE, "%s: %s の圧縮率が異常です (zip 爆弾の疑い)",
                       "%s: %s has an implausible compression ratio (zip bomb?)", r->name, part);
    if (r->total + st.size > AZ_XLSX_MAX_TOTAL)
        return az_fail(r->ctx, AZ_ERANGE, "%s: 展開後の合計が大きすぎます",
                       "%s: too much data once uncompressed", r->name);
    zf = zip_fopen(r->zip, part, 0);
    if (!zf)
        return az_fail(r->ctx, AZ_ESYNTAX, "%s: %s を開けません: %s", "%s: cannot open %s: %s",
                       r->name, part, zip_strerror(r->zip));
    cap = (size_t)st.size + 1;
    buf = malloc(cap + 1);
    if (!buf) {
        zip_fclose(zf);
        return nomem(r->ctx);
    }
    /* never trust the declared size: read at most size + 1 bytes */
    while (len < cap && (got = zip_fread(zf, buf + len, cap - len)) > 0)
        len += (size_t)got;
    if (len < cap && zip_fread(zf, buf + len, 1) < 0) {
        free(buf);
        zip_fclose(zf);
        return az_fail(r->ctx, AZ_ESYNTAX, "%s: %s を展開できません", "%s: cannot uncompress %s",
                       r->name, part);
    }
    zip_fclose(zf);
    if (len != (size_t)st.size) {
        free(buf);
        return az_fail(r->ctx, AZ_ESYNTAX, "%s: %s の大きさが宣言と違います",
                       "%s: %s does not have its declared size", r->name, part);
    }
    buf[len] = '\0';
    r->total += len;
    *ret = buf;
    *ret_len = len;
    return 0;
}

static int xml_err(struct rd *r, const char *part, xmlTextReaderPtr xr, const char *ja,
                   const char *en)
{
    int line = xr ? xmlTextReaderGetParserLineNumber(xr) : 0;
    return az_fail(r->ctx, AZ_ESYNTAX, "%s: %s: %d 行: %s", "%s: %s: line %d: %s", r->name, part,
                   line, az_l(r->ctx, ja, en));
}

static void quiet(void *arg, const char *msg, xmlParserSeverities sev, xmlTextReaderLocatorPtr loc)
{
    (void)arg;
    (void)msg;
    (void)sev;
    (void)loc; /* the library never prints: errors surface as a failed read */
}

static xmlTextReaderPtr open_xml(const char *buf, size_t len, const char *part)
{
    /* no network, no DTD loading, no entity substitution, no huge mode */
    xmlTextReaderPtr xr = xmlReaderForMemory(
        buf, (int)len, part, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
    if (xr)
        xmlTextReaderSetErrorHandler(xr, quiet, NULL);
    return xr;
}

/* Advance; returns 1 on a node, 0 at the end, <0 with the error set. */
static int next(struct rd *r, const char *part, xmlTextReaderPtr xr)
{
    int k = xmlTextReaderRead(xr);

    if (k < 0)
        return xml_err(r, part, xr, "XML の形式が正しくありません", "malformed XML");
    if (k == 0)
        return 0;
    if (xmlTextReaderNodeType(xr) == XML_READER_TYPE_DOCUMENT_TYPE ||
        xmlTextReaderNodeType(xr) == XML_READER_TYPE_ENTITY_REFERENCE)
        return xml_err(r, part, xr, "DTD や実体参照は使えません", "DTDs and entities are refused");
    if (xmlTextReaderDepth(xr) > AZ_XLSX_MAX_DEPTH)
        return xml_err(r, part, xr, "XML の入れ子が深すぎます", "XML nested too deep");
    return 1;
}

static bool is_el(xmlTextReaderPtr xr, const char *local)
{
    const xmlChar *n = xmlTextReaderConstLocalName(xr);
    return n && !strcmp((const char *)n, local);
}

static char *attr(xmlTextReaderPtr xr, const char *name)
{
    xmlChar *v = xmlTextReaderGetAttribute(xr, (const xmlChar *)name);
    char *s = v ? strdup((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

/* An attribute in the relationships namespace (r:id). */
static char *rel_attr(xmlTextReaderPtr xr)
{
    static const char *const ns[] = {
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships"};
    for (size_t i = 0; i < 2; i++) {
        xmlChar *v = xmlTextReaderGetAttributeNs(xr, (const xmlChar *)"id", (const xmlChar *)ns[i]);
        if (v) {
            char *s = strdup((const char *)v);
            xmlFree(v);
            return s;
        }
    }
    return NULL;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decode the _xHHHH_ escapes of OOXML strings (ECMA-376 ST_Xstring: how
 * writers store CR and other characters XML cannot carry; "_x005F_" is a
 * literal underscore), in place: the result is never longer. */
static void unescape_x(struct az_buf *b)
{
    size_t i = 0, o = 0;

    while (i < b->len) {
        if (i + 7 <= b->len && b->data[i] == '_' && b->data[i + 1] == 'x' &&
            b->data[i + 6] == '_' && hexval(b->data[i + 2]) >= 0 && hexval(b->data[i + 3]) >= 0 &&
            hexval(b->data[i + 4]) >= 0 && hexval(b->data[i + 5]) >= 0) {
            unsigned cp = (unsigned)(hexval(b->data[i + 2]) << 12 | hexval(b->data[i + 3]) << 8 |
                                     hexval(b->data[i + 4]) << 4 | hexval(b->data[i + 5]));
            if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
                cp = 0xFFFD;
            if (cp < 0x80) {
                b->data[o++] = (char)cp;
            } else if (cp < 0x800) {
                b->data[o++] = (char)(0xC0 | cp >> 6);
                b->data[o++] = (char)(0x80 | (cp & 0x3F));
            } else {
                b->data[o++] = (char)(0xE0 | cp >> 12);
                b->data[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                b->data[o++] = (char)(0x80 | (cp & 0x3F));
            }
            i += 7;
        } else {
            b->data[o++] = b->data[i++];
        }
    }
    b->len = o;
    if (b->data)
        b->data[o] = '\0';
}

/* Collect the text of the current element (t, v, si or is) up to its
 * end, leaving out phonetic runs, with _xHHHH_ escapes decoded. */
static int text_of(struct rd *r, const char *part, xmlTextReaderPtr xr, struct az_buf *b)
{
    int depth = xmlTextReaderDepth(xr), k, skip = -1;

    if (xmlTextReaderIsEmptyElement(xr))
        return 0;
    while ((k = next(r, part, xr)) > 0) {
        int t = xmlTextReaderNodeType(xr), d = xmlTextReaderDepth(xr);
        if (t == XML_READER_TYPE_END_ELEMENT && d == depth) {
            unescape_x(b);
            return 0;
        }
        if (t == XML_READER_TYPE_ELEMENT && skip < 0 && is_el(xr, "rPh") &&
            !xmlTextReaderIsEmptyElement(xr))
            skip = d;
        else if (t == XML_READER_TYPE_END_ELEMENT && d == skip)
            skip = -1;
        else if (skip < 0 && (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA ||
                              t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)) {
            const xmlChar *v = xmlTextReaderConstValue(xr);
            if (v && az_buf_puts(b, (const char *)v) < 0)
                return az_fail(r->ctx, AZ_ERANGE, "%s: %s: 文字列が長すぎます",
                               "%s: %s: text too long", r->name, part);
        }
    }
    return k < 0 ? k : xml_err(r, part, xr, "要素が閉じていません", "element never closed");
}

static int shared_strings(struct rd *r, const char *part)
{
    char *buf;
    size_t len, cap = 0;
    xmlTextReaderPtr xr;
    int k, e;

    if ((e = read_part(r, part, true, &buf, &len)) == AZ_ENOTFOUND)
        return 0;
    if (e < 0)
        return e;
    xr = open_xml(buf, len, part);
    if (!xr) {
        free(buf);
        return nomem(r->ctx);
    }
    while ((k = next(r, part, xr)) > 0) {
        struct az_buf b;
        if (xmlTextReaderNodeType(xr) != XML_READER_TYPE_ELEMENT || !is_el(xr, "si"))
            continue;
        if (r->nstrings >= AZ_XLSX_MAX_STRINGS) {
            k = az_fail(r->ctx, AZ_ERANGE, "%s: 共有文字列が多すぎます (上限 %u 個)",
                        "%s: too many shared strings (limit %u)", r->name,
                        (unsigned)AZ_XLSX_MAX_STRINGS);
            break;
        }
        if (r->nstrings == cap) {
            char **v;
            cap = cap ? cap * 2 : 256;
            v = realloc(r->strings, cap * sizeof(*v));
            if (!v) {
                k = nomem(r->ctx);
                break;
            }
            r->strings = v;
        }
        az_buf_init(&b, AZ_XLSX_MAX_ENTRY);
        if ((k = text_of(r, part, xr, &b)) < 0) {
            az_buf_done(&b);
            break;
        }
        r->string_bytes += b.len + AZ_XLSX_STRING_COST;
        if (r->string_bytes > AZ_XLSX_MAX_STRING_BYTES) {
            az_buf_done(&b);
            k = az_fail(r->ctx, AZ_ERANGE, "%s: 共有文字列が大きすぎます (上限 %u MiB)",
                        "%s: the shared strings are too large (limit %u MiB)", r->name,
                        AZ_XLSX_MAX_STRING_BYTES / (1024u * 1024u));
            break;
        }
        r->strings[r->nstrings] = az_buf_take(&b);
        if (!r->strings[r->nstrings]) {
            k = nomem(r->ctx);
            break;
        }
        r->nstrings++;
    }
    xmlFreeTextReader(xr);
    free(buf);
    return k < 0 ? k : 0;
}

/* Is a number format a date: the built-in date formats (14-17, 22, 27-36,
 * 50-58, the last two ranges the East Asian ones), or a format code with a
 * year or day outside quotes and brackets ("yyyy/m/d", "[$-411]ge.m.d"). */
static bool date_format(long id, const char *code)
{
    bool q = false;
    int br = 0;
    if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58))
        return true;
    for (const char *p = code; p && *p; p++) {
        if (*p == '"')
            q = !q;
        else if (q)
            continue;
        else if (*p == '\\' && p[1])
            p++;
        else if (*p == '[')
            br++;
        else if (*p == ']' && br)
            br--;
        else if (!br && (*p == 'y' || *p == 'Y' || *p == 'd' || *p == 'D'))
            return true;
    }
    return false;
}

/* The cell styles whose number format is a date (xl/styles.xml). */
static int styles(struct rd *r, const char *part)
{
    char *buf;
    size_t len, cap = 0;
    xmlTextReaderPtr xr;
    long *ids = NULL;
    char **codes = NULL;
    size_t nfmt = 0, fcap = 0;
    bool in_xfs = false;
    int k, e;

    if ((e = read_part(r, part, true, &buf, &len)) == AZ_ENOTFOUND)
        return 0;
    if (e < 0)
        return e;
    xr = open_xml(buf, len, part);
    if (!xr) {
        free(buf);
        return nomem(r->ctx);
    }
    while ((k = next(r, part, xr)) > 0) {
        int t = xmlTextReaderNodeType(xr);
        if (t == XML_READER_TYPE_END_ELEMENT && is_el(xr, "cellXfs"))
            in_xfs = false;
        if (t != XML_READER_TYPE_ELEMENT)
            continue;
        if (is_el(xr, "cellXfs")) {
            in_xfs = !xmlTextReaderIsEmptyElement(xr);
        } else if (is_el(xr, "numFmt") && nfmt < 4096) {
            char *id = attr(xr, "numFmtId"), *code = attr(xr, "formatCode");
            if (nfmt == fcap) {
                size_t nc = fcap ? fcap * 2 : 16;
                long *ni = realloc(ids, nc * sizeof(*ni));
                char **ncd = ni ? realloc(codes, nc * sizeof(*ncd)) : NULL;
                if (ni)
                    ids = ni;
                if (!ncd) {
                    free(id);
                    free(code);
                    k = nomem(r->ctx);
                    break;
                }
                codes = ncd;
                fcap = nc;
            }
            ids[nfmt] = id ? strtol(id, NULL, 10) : -1;
            codes[nfmt++] = code;
            free(id);
        } else if (in_xfs && is_el(xr, "xf") && r->nxf < 65536) {
            char *id = attr(xr, "numFmtId");
            long n = id ? strtol(id, NULL, 10) : 0;
            bool d = date_format(n, NULL);
            free(id);
            for (size_t i = 0; i < nfmt && !d; i++)
                if (ids[i] == n)
                    d = date_format(-1, codes[i]);
            if (r->nxf == cap) {
                bool *v;
                cap = cap ? cap * 2 : 64;
                if (!(v = realloc(r->date_xf, cap * sizeof(*v)))) {
                    k = nomem(r->ctx);
                    break;
                }
                r->date_xf = v;
            }
            r->date_xf[r->nxf++] = d;
        }
    }
    for (size_t i = 0; i < nfmt; i++)
        free(codes[i]);
    free(codes);
    free(ids);
    xmlFreeTextReader(xr);
    free(buf);
    return k < 0 ? k : 0;
}

/* "BC12" -> row 11, col 54. */
static bool cell_ref(const char *s, unsigned *row, unsigned *col)
{
    unsigned c = 0, rr = 0;
    size_t i = 0;

    for (; s[i] >= 'A' && s[i] <= 'Z'; i++) {
        c = c * 26 + (unsigned)(s[i] - 'A' + 1);
        if (c > 16384)
            return false;
    }
    if (i == 0 || !s[i])
        return false;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        rr = rr * 10 + (unsigned)(s[i] - '0');
        if (rr > 1048576)
            return false;
    }
    if (s[i] || rr == 0)
        return false;
    *row = rr - 1;
    *col = c - 1;
    return true;
}

static int cell_cmp(const void *a, const void *b)
{
    const struct az_xlsx_cell *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return x->col < y->col ? -1 : x->col > y->col;
}

static int add_cell(struct rd *r, struct az_xlsx_sheet *s, size_t *cap, unsigned row, unsigned col,
                    char *text, bool date)
{
    if (r->ncells >= AZ_XLSX_MAX_CELLS) {
        free(text);
        return az_fail(r->ctx, AZ_ERANGE, "%s: セルが多すぎます", "%s: too many cells", r->name);
    }
    if (s->n == *cap) {
        struct az_xlsx_cell *v;
        *cap = *cap ? *cap * 2 : 256;
        v = realloc(s->cells, *cap * sizeof(*v));
        if (!v) {
            free(text);
            return nomem(r->ctx);
        }
        s->cells = v;
    }
    s->cells[s->n].row = row;
    s->cells[s->n].col = col;
    s->cells[s->n].text = text;
    s->cells[s->n].date = date;
    s->n++;
    r->ncells++;
    return 0;
}

static int worksheet(struct rd *r, const char *part, struct az_xlsx_sheet *s)
{
    char *buf;
    size_t len, cap = 0;
    xmlTextReaderPtr xr;
    unsigned row = 0, col = 0;
    bool in_row = false;
    int k, e;

    if ((e = read_part(r, part, false, &buf, &len)) < 0)
        return e;
    xr = open_xml(buf, len, part);
    if (!xr) {
        free(buf);
        return nomem(r->ctx);
    }
    while ((k = next(r, part, xr)) > 0) {
        char *ref, *type, *text = NULL, *style;
        struct az_buf b;
        int depth;
        bool date = false;
        if (xmlTextReaderNodeType(xr) != XML_READER_TYPE_ELEMENT)
            continue;
        if (is_el(xr, "row")) {
            char *rn = attr(xr, "r");
            unsigned long v = rn ? strtoul(rn, NULL, 10) : 0;
            row = v >= 1 && v <= 1048576 ? (unsigned)(v - 1) : (in_row ? row + 1 : row);
            free(rn);
            in_row = true;
            col = 0;
            continue;
        }
        if (!is_el(xr, "c"))
            continue;
        ref = attr(xr, "r");
        type = attr(xr, "t");
        style = attr(xr, "s");
        if (style && (!type || !strcmp(type, "n"))) {
            unsigned long si = strtoul(style, NULL, 10);
            date = si < r->nxf && r->date_xf[si];
        }
        free(style);
        if (ref && !cell_ref(ref, &row, &col)) {
            free(ref);
            free(type);
            k = xml_err(r, part, xr, "セルの位置 (r) が不正です", "invalid cell reference");
            break;
        }
        free(ref);
        depth = xmlTextReaderDepth(xr);
        az_buf_init(&b, AZ_XLSX_MAX_ENTRY);
        if (!xmlTextReaderIsEmptyElement(xr)) {
            while ((k = next(r, part, xr)) > 0) {
                int t = xmlTextReaderNodeType(xr);
                if (t == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(xr) == depth)
                    break;
                if (t == XML_READER_TYPE_ELEMENT && (is_el(xr, "v") || is_el(xr, "is"))) {
                    if ((k = text_of(r, part, xr, &b)) < 0)
                        break;
                }
            }
        }
        if (k < 0) {
            az_buf_done(&b);
            free(type);
            break;
        }
        if (type && !strcmp(type, "s") && b.len) {
            char *end;
            unsigned long i = strtoul(b.data, &end, 10);
            if (*end || i >= r->nstrings) {
                az_buf_done(&b);
                free(type);
                k = xml_err(r, part, xr, "共有文字列の番号が範囲外です",
                            "shared string index out of range");
                break;
            }
            text = strdup(r->strings[i]);
            if (!text) {
                az_buf_done(&b);
                free(type);
                k = nomem(r->ctx);
                break;
            }
            az_buf_done(&b);
        } else if (b.len) {
            text = az_buf_take(&b);
        } else {
            az_buf_done(&b);
        }
        free(type);
        if (text && *text && (k = add_cell(r, s, &cap, row, col, text, date)) < 0)
            break;
        if (text && !*text)
            free(text);
        col++;
        k = 1;
    }
    xmlFreeTextReader(xr);
    free(buf);
    if (k < 0)
        return k;
    if (s->n)
        qsort(s->cells, s->n, sizeof(*s->cells), cell_cmp);
    for (size_t i = 1; i < s->n; i++)
        if (s->cells[i].row == s->cells[i - 1].row && s->cells[i].col == s->cells[i - 1].col)
            return az_fail(r->ctx, AZ_ESYNTAX, "%s: %s: 同じセル (%u 行 %u 列) が 2 回あります",
                           "%s: %s: cell at row %u column %u appears twice", r->name, part,
                           s->cells[i].row + 1, s->cells[i].col + 1);
    return 0;
}

/* Resolve a relationship target against the directory of the source part. */
static void resolve(const char *base_dir, const char *target, char *out, size_t n)
{
    if (target[0] == '/')
        snprintf(out, n, "%s", target + 1);
    else
        snprintf(out, n, "%s%s", base_dir, target);
}

struct rel {
    char *id, *target;
};

static int read_rels(struct rd *r, const char *part, struct rel **ret, size_t *ret_n)
{
    char *buf;
    size_t len, n = 0, cap = 0;
    struct rel *v = NULL;
    xmlTextReaderPtr xr;
    int k, e;

    *ret = NULL;
    *ret_n = 0;
    if ((e = read_part(r, part, true, &buf, &len)) == AZ_ENOTFOUND)
        return 0;
    if (e < 0)
        return e;
    xr = open_xml(buf, len, part);
    if (!xr) {
        free(buf);
        return nomem(r->ctx);
    }
    while ((k = next(r, part, xr)) > 0) {
        if (xmlTextReaderNodeType(xr) != XML_READER_TYPE_ELEMENT || !is_el(xr, "Relationship"))
            continue;
        if (n == cap) {
            struct rel *nv;
            cap = cap ? cap * 2 : 16;
            if (cap > AZ_XLSX_MAX_ENTRIES * 2 || !(nv = realloc(v, cap * sizeof(*nv)))) {
                k = az_fail(r->ctx, AZ_ERANGE, "%s: %s: 関係が多すぎます",
                            "%s: %s: too many relationships", r->name, part);
                break;
            }
            v = nv;
        }
        v[n].id = attr(xr, "Id");
        v[n].target = attr(xr, "Target");
        if (!v[n].id || !v[n].target) {
            free(v[n].id);
            free(v[n].target);
            continue;
        }
        n++;
    }
    xmlFreeTextReader(xr);
    free(buf);
    if (k < 0) {
        for (size_t i = 0; i < n; i++) {
            free(v[i].id);
            free(v[i].target);
        }
        free(v);
        return k;
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

static void rels_free(struct rel *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].id);
        free(v[i].target);
    }
    free(v);
}

void az_xlsx_free(struct az_xlsx *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++) {
        for (size_t k = 0; k < x->sheets[i].n; k++)
            free(x->sheets[i].cells[k].text);
        free(x->sheets[i].cells);
        free(x->sheets[i].name);
    }
    free(x->sheets);
    free(x);
}

int az_xlsx_read(struct az_ctx *ctx, const char *name, const void *data, size_t len,
                 struct az_xlsx **ret)
{
    struct rd r;
    zip_error_t zerr;
    zip_source_t *src;
    struct az_xlsx *x = NULL;
    struct rel *rels = NULL, *wrels = NULL;
    size_t nrels = 0, nwrels = 0;
    char wb_part[1024] = "xl/workbook.xml", wb_dir[1024] = "xl/", rels_part[1100], part[2100];
    char *buf = NULL;
    size_t blen;
    xmlTextReaderPtr xr = NULL;
    int e = 0, k;

    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.name = name;
    if (len < 4 || memcmp(data, "PK\x03\x04", 4) != 0)
        return az_fail(ctx, AZ_ESYNTAX, "%s: XLSX (zip) ではありません",
                       "%s: not an XLSX (zip) file", name);
    zip_error_init(&zerr);
    src = zip_source_buffer_create(data, len, 0, &zerr);
    if (!src) {
        zip_error_fini(&zerr);
        return nomem(ctx);
    }
    r.zip = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (!r.zip) {
        e = az_fail(ctx, AZ_ESYNTAX, "%s: zip として読めません: %s", "%s: cannot read the zip: %s",
                    name, zip_error_strerror(&zerr));
        zip_source_free(src);
        zip_error_fini(&zerr);
        return e;
    }
    zip_error_fini(&zerr);
    if (zip_get_num_entries(r.zip, 0) > AZ_XLSX_MAX_ENTRIES) {
        e = az_fail(ctx, AZ_ERANGE, "%s: zip の項目が多すぎます (上限 %d)",
                    "%s: too many zip entries (limit %d)", name, AZ_XLSX_MAX_ENTRIES);
        goto out;
    }
    /* the workbook part, from the package relationships */
    if ((e = read_rels(&r, "_rels/.rels", &rels, &nrels)) < 0)
        goto out;
    for (size_t i = 0; i < nrels; i++)
        if (strstr(rels[i].target, "workbook") && strlen(rels[i].target) < 512) {
            resolve("", rels[i].target, wb_part, sizeof(wb_part));
            break;
        }
    {
        const char *sl = strrchr(wb_part, '/');
        snprintf(wb_dir, sizeof(wb_dir), "%.*s", sl ? (int)(sl - wb_part + 1) : 0, wb_part);
        snprintf(rels_part, sizeof(rels_part), "%s_rels/%s.rels", wb_dir, sl ? sl + 1 : wb_part);
    }
    if ((e = read_rels(&r, rels_part, &wrels, &nwrels)) < 0)
        goto out;
    for (size_t i = 0; i < nwrels; i++)
        if (strstr(wrels[i].target, "styles")) {
            resolve(wb_dir, wrels[i].target, part, sizeof(part));
            if ((e = styles(&r, part)) < 0)
                goto out;
            break;
        }
    for (size_t i = 0; i < nwrels; i++)
        if (strstr(wrels[i].target, "sharedStrings")) {
            resolve(wb_dir, wrels[i].target, part, sizeof(part));
            if ((e = shared_strings(&r, part)) < 0)
                goto out;
            break;
        }
    if ((e = read_part(&r, wb_part, false, &buf, &blen)) < 0)
        goto out;
    x = calloc(1, sizeof(*x));
    xr = open_xml(buf, blen, wb_part);
    if (!x || !xr) {
        e = nomem(ctx);
        goto out;
    }
    while ((k = next(&r, wb_part, xr)) > 0) {
        char *sname, *rid, *state;
        const char *target = NULL;
        struct az_xlsx_sheet *s;
        if (xmlTextReaderNodeType(xr) != XML_READER_TYPE_ELEMENT || !is_el(xr, "sheet"))
            continue;
        if (x->n >= AZ_XLSX_MAX_SHEETS) {
            e = az_fail(ctx, AZ_ERANGE, "%s: シートが多すぎます", "%s: too many sheets", name);
            goto out;
        }
        sname = attr(xr, "name");
        rid = rel_attr(xr);
        state = attr(xr, "state");
        for (size_t i = 0; rid && i < nwrels; i++)
            if (!strcmp(wrels[i].id, rid))
                target = wrels[i].target;
        free(rid);
        if (!sname || !target) {
            free(sname);
            free(state);
            continue; /* a chart sheet or a dangling reference: nothing to read */
        }
        {
            struct az_xlsx_sheet *v = realloc(x->sheets, (x->n + 1) * sizeof(*v));
            if (!v) {
                free(sname);
                free(state);
                e = nomem(ctx);
                goto out;
            }
            x->sheets = v;
        }
        s = &x->sheets[x->n++];
        memset(s, 0, sizeof(*s));
        s->name = sname;
        s->hidden = state && strcmp(state, "visible") != 0;
        free(state);
        resolve(wb_dir, target, part, sizeof(part));
        if ((e = worksheet(&r, part, s)) < 0)
            goto out;
    }
    if (k < 0) {
        e = k;
        goto out;
    }
    if (!x->n) {
        e = az_fail(ctx, AZ_ESYNTAX, "%s: シートがありません", "%s: no worksheet", name);
        goto out;
    }
out:
    if (xr)
        xmlFreeTextReader(xr);
    free(buf);
    rels_free(rels, nrels);
    rels_free(wrels, nwrels);
    for (size_t i = 0; i < r.nstrings; i++)
        free(r.strings[i]);
    free(r.strings);
    free(r.date_xf);
    zip_discard(r.zip); /* frees the source too */
    if (e < 0) {
        az_xlsx_free(x);
        return e;
    }
    *ret = x;
    return 0;
}

const char *az_xlsx_get(const struct az_xlsx_sheet *s, unsigned row, unsigned col)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct az_xlsx_cell *c = &s->cells[mid];
        if (c->row == row && c->col == col)
            return c->text;
        if (c->row < row || (c->row == row && c->col < col))
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct az_xlsx_sheet *az_xlsx_sheet(const struct az_xlsx *x, const char *name)
{
    for (size_t i = 0; i < x->n; i++)
        if (!strcmp(x->sheets[i].name, name))
            return &x->sheets[i];
    return NULL;
}
