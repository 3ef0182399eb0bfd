/* SPDX-License-Identifier: MIT */
/*
 * fuzz_scan.c - libFuzzer target for every parser of peer bytes in
 * lib/scan (HTTP, SSH, FTP, telnet, SMB, RDP, VNC, DICOM, PostgreSQL,
 * MySQL, TDS, MLLP), the HTTP fingerprint matcher and the reply parser of
 * the raw SYN scan (anzen scan --syn). The first byte
 * picks the parser, the rest is what the peer sent. Every parser must
 * accept anything without reading past the input, and every text it
 * keeps must be valid UTF-8 (it ends up in JSON).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anzen/scan.h"
#include "anzen/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct az_scan_data *fp_data;

static void utf8(const char *s)
{
    if (az_utf8_invalid_at(s, strlen(s)) != (size_t)-1)
        abort();
}

static void check(const struct az_service *s)
{
    utf8(s->name);
    utf8(s->product);
    utf8(s->version);
    utf8(s->info);
    utf8(s->http.server);
    utf8(s->http.title);
    utf8(s->http.location);
    utf8(s->app.version);
    utf8(s->app.build_date);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct az_service s;
    const unsigned char *p = data + 1;
    size_t n;
    int minor = 0;

    if (!fp_data) {
        struct az_ctx ctx;
        az_ctx_init(&ctx, AZ_LANG_EN);
        if (az_scan_data_load(&ctx, NULL, &fp_data) < 0)
            abort();
    }
    if (size < 1)
        return 0;
    n = size - 1;
    /* the parsers must not rely on anything after the bytes they get */
    unsigned char *copy = malloc(n ? n : 1);
    if (!copy)
        return 0;
    memcpy(copy, p, n);
    memset(&s, 0, sizeof(s));
    s.mssql_encrypt = -1;
    switch (data[0] % 15) {
    case 0:
        (void)az_parse_http(copy, n, &s.http);
        break;
    case 1:
        (void)az_parse_ssh(copy, n, &s);
        break;
    case 2:
        (void)az_parse_ftp(copy, n, &s);
        (void)az_parse_ftp_feat(copy, n, &s);
        break;
    case 3:
        (void)az_parse_telnet(copy, n, &s);
        break;
    case 4:
        (void)az_parse_smb(copy, n, &s);
        break;
    case 5:
        (void)az_parse_rdp(copy, n, &s);
        break;
    case 6:
        if (az_parse_vnc_version(copy, n, &minor) && n > 12)
            (void)az_parse_vnc_security(copy + 12, n - 12, minor, &s);
        (void)az_parse_vnc_security(copy, n, 3, &s);
        (void)az_parse_vnc_security(copy, n, 8, &s);
        break;
    case 7:
        (void)az_parse_dicom(copy, n, &s);
        break;
    case 8:
        (void)az_parse_pg(copy, n, &s);
        break;
    case 9:
        (void)az_parse_mysql(copy, n, &s);
        break;
    case 10:
        (void)az_parse_tds(copy, n, &s);
        break;
    case 11:
        (void)az_parse_mllp(copy, n, &s);
        break;
    case 12: {
        /* every fingerprint path, with the input as the response */
        const char *const *paths;
        size_t np = az_scan_data_paths(fp_data, &paths);
        for (size_t i = 0; i < np; i++)
            az_scan_fingerprint_http(fp_data, paths[i], copy, n, &s);
        az_scan_fingerprint_http(fp_data, "/vpn/js/rdx/core/lang/rdx_en.json.gz", copy, n, &s);
        az_scan_fingerprint_http(fp_data, "/dana-na/nc/nc_gina_ver.txt", copy, n, &s);
        break;
    }
    case 13: {
        /* certificate names as a peer could choose them */
        size_t k = n < sizeof(s.tlsi.subject) - 1 ? n : sizeof(s.tlsi.subject) - 1;
        memcpy(s.tlsi.subject, copy, k);
        s.tlsi.subject[k] = '\0';
        memcpy(s.tlsi.issuer, s.tlsi.subject, k + 1);
        s.tlsi.done = true;
        az_scan_fingerprint_tls(fp_data, &s);
        utf8(s.app.family);
        break;
    }
    case 14: {
        /* a segment as the raw socket hands it over: what is accepted
         * has a whole IPv4 and TCP header inside the bytes */
        struct az_syn_reply y;
        if (az_syn_reply_parse(copy, n, &y)) {
            size_t ihl = (size_t)(copy[0] & 15) * 4;
            if (n < 40 || ihl < 20 || n < ihl + (size_t)(copy[ihl + 12] >> 4) * 4)
                abort();
        }
        break;
    }
    }
    if (data[0] % 15 != 13)
        check(&s);
    free(copy);
    return 0;
}
