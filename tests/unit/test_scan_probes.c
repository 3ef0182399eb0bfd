/* SPDX-License-Identifier: MIT */
/* Unit tests for the service parsers and fingerprints of lib/scan: the
 * bytes each protocol sends back (as captured from, or laid out by, the
 * protocol specifications), truncated and hostile variants, and the
 * appliance fingerprints of the embedded data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "anzen/scan.h"

#define B(s) (const unsigned char *)(s), sizeof(s) - 1

static struct az_service fresh(void)
{
    struct az_service s;
    memset(&s, 0, sizeof(s));
    s.plaintext = s.tls_offered = s.smb1 = s.nla = s.no_auth = AZ_UNKNOWN;
    s.tlsi.tls10 = s.tlsi.tls11 = AZ_UNKNOWN;
    s.mssql_encrypt = -1;
    return s;
}

static void test_http(void **state)
{
    (void)state;
    struct az_http_info h;
    const char r[] = "HTTP/1.1 302 Found\r\nServer: Apache/2.4.57 (Debian)\r\nlocation: "
                     "/dana-na/auth/url_default/welcome.cgi\r\n\r\n<HTML><Title>\n  Ivanti "
                     "Connect Secure </TITLE>";
    assert_int_equal(az_parse_http(B(r), &h), 1);
    assert_int_equal(h.status, 302);
    assert_string_equal(h.server, "Apache/2.4.57 (Debian)");
    assert_string_equal(h.location, "/dana-na/auth/url_default/welcome.cgi");
    assert_string_equal(h.title, "Ivanti Connect Secure");
    /* headers not complete yet, not HTTP, bad status */
    assert_int_equal(az_parse_http(B("HTTP/1.1 200 OK\r\nServer: x\r\n"), &h), 0);
    assert_int_equal(az_parse_http(B("SSH-2.0-OpenSSH_9.2\r\n"), &h), 0);
    assert_int_equal(az_parse_http(B("HTTP/1.1 0x0 OK\r\n\r\n"), &h), 0);
    /* invalid UTF-8 and control bytes in a title become '?' */
    const char bad[] = "HTTP/1.0 200 OK\n\n<title>a\xff\x01"
                       "b\xe3\x81\x82</title>";
    assert_int_equal(az_parse_http(B(bad), &h), 1);
    assert_string_equal(h.title, "a??b\xe3\x81\x82");
    /* an unterminated title is cut at the end of the data */
    assert_int_equal(az_parse_http(B("HTTP/1.0 200 OK\n\n<title>half"), &h), 1);
    assert_string_equal(h.title, "half");
}

static void test_banners(void **state)
{
    (void)state;
    struct az_service s = fresh();
    assert_int_equal(az_parse_ssh(B("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"), &s), 1);
    assert_string_equal(s.name, "ssh");
    assert_string_equal(s.info, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
    s = fresh();
    assert_int_equal(az_parse_ssh(B("SSH-2.0-OpenSSH_9.2p1"), &s), 0); /* no newline yet */
    s = fresh();
    assert_int_equal(az_parse_ftp(B("220 (vsFTPd 3.0.3)\r\n"), &s), 1);
    assert_string_equal(s.name, "ftp");
    assert_int_equal(s.plaintext, AZ_YES);
    assert_int_equal(az_parse_ftp_feat(B("211-Features:\r\n EPRT\r\n AUTH TLS\r\n PBSZ\r\n"), &s),
                     0); /* no final line yet */
    assert_int_equal(
        az_parse_ftp_feat(B("211-Features:\r\n EPRT\r\n AUTH TLS\r\n PBSZ\r\n211 End\r\n"), &s), 1);
    assert_int_equal(s.tls_offered, AZ_YES);
    s = fresh();
    assert_int_equal(az_parse_ftp_feat(B("211-Features:\r\n EPSV\r\n MDTM\r\n211 End\r\n"), &s), 1);
    assert_int_equal(s.tls_offered, AZ_NO);
    assert_int_equal(az_parse_ftp_feat(B("500 FEAT not understood\r\n"), &s), 1);
    assert_int_equal(s.tls_offered, AZ_NO);
    s = fresh();
    /* IAC DO ECHO, IAC WILL SUPPRESS-GO-AHEAD */
    assert_int_equal(az_parse_telnet(B("\xff\xfd\x01\xff\xfb\x03"), &s), 1);
    assert_string_equal(s.name, "telnet");
    assert_int_equal(az_parse_telnet(B("login: "), &s), 1 - 1);
    /* negotiation must open the stream: an IAC-looking pair inside
     * random bytes is not telnet (#19) */
    s = fresh();
    assert_int_equal(az_parse_telnet(B("Z\x13\x88\xff\xfb\x01\x02"), &s), 0);
    assert_string_equal(s.name, "");
    /* an option no telnet RFC defines, or a bare IAC command */
    assert_int_equal(az_parse_telnet(B("\xff\xfb\xc8"), &s), 0);
    assert_int_equal(az_parse_telnet(B("\xff\xf1\x01"), &s), 0);
    /* subnegotiation, then text */
    assert_int_equal(az_parse_telnet(B("\xff\xfa\x18\x01\xff\xf0login: "), &s), 1);
}

static void test_smb(void **state)
{
    (void)state;
    struct az_service s = fresh();
    /* NetBIOS header + SMB1 NEGOTIATE response choosing dialect 0 */
    unsigned char r[4 + 37] = {0x00, 0x00, 0x00, 37, 0xff, 'S', 'M', 'B', 0x72};
    r[4 + 32] = 17; /* word count */
    r[4 + 33] = 0;  /* dialect index 0 */
    r[4 + 34] = 0;
    assert_int_equal(az_parse_smb(r, sizeof(r), &s), 1);
    assert_int_equal(s.smb1, AZ_YES);
    /* no dialect accepted */
    s = fresh();
    r[4 + 33] = 0xff;
    r[4 + 34] = 0xff;
    assert_int_equal(az_parse_smb(r, sizeof(r), &s), 1);
    assert_int_equal(s.smb1, AZ_NO);
    /* an error status */
    s = fresh();
    r[4 + 33] = 0;
    r[4 + 34] = 0;
    r[4 + 5] = 0x22; /* STATUS_ACCESS_DENIED low byte */
    assert_int_equal(az_parse_smb(r, sizeof(r), &s), 1);
    assert_int_equal(s.smb1, AZ_NO);
    /* an SMB2 answer: SMBv1 not spoken */
    s = fresh();
    assert_int_equal(az_parse_smb(B("\x00\x00\x00\x40\xfeSMB"), &s), 1);
    assert_int_equal(s.smb1, AZ_NO);
    /* truncated */
    s = fresh();
    assert_int_equal(az_parse_smb(r, 20, &s), 0);
    assert_int_equal(az_parse_smb(B("\x00\x00"), &s), 0);
}

static void test_rdp(void **state)
{
    (void)state;
    struct az_service s = fresh();
    /* X.224 CC + RDP_NEG_RSP selecting PROTOCOL_SSL (1): NLA not required */
    const char ssl[] = "\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x02\x00\x08\x00\x01\x00\x00"
                       "\x00";
    assert_int_equal(az_parse_rdp(B(ssl), &s), 1);
    assert_string_equal(s.name, "rdp");
    assert_int_equal(s.nla, AZ_NO);
    /* RDP_NEG_FAILURE HYBRID_REQUIRED_BY_SERVER (5): NLA required */
    s = fresh();
    const char hyb[] = "\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x03\x00\x08\x00\x05\x00\x00"
                       "\x00";
    assert_int_equal(az_parse_rdp(B(hyb), &s), 1);
    assert_int_equal(s.nla, AZ_YES);
    /* SSL_NOT_ALLOWED_BY_SERVER (2): standard RDP security only */
    s = fresh();
    const char std[] = "\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x03\x00\x08\x00\x02\x00\x00"
                       "\x00";
    assert_int_equal(az_parse_rdp(B(std), &s), 1);
    assert_int_equal(s.nla, AZ_NO);
    assert_non_null(strstr(s.info, "standard RDP security"));
    /* truncated or not a CC */
    s = fresh();
    assert_int_equal(az_parse_rdp((const unsigned char *)hyb, 10, &s), 0);
    assert_int_equal(az_parse_rdp(B("\x03\x00\x00\x0b\x06\xe0\x00\x00\x00\x00\x00"), &s), 0);
}

static void test_vnc(void **state)
{
    (void)state;
    struct az_service s = fresh();
    int minor = 0;
    assert_int_equal(az_parse_vnc_version(B("RFB 003.008\n"), &minor), 1);
    assert_int_equal(minor, 8);
    assert_int_equal(az_parse_vnc_version(B("RFB 003.889\n"), &minor), 1); /* Apple */
    assert_int_equal(az_parse_vnc_version(B("RFB 003.00"), &minor), 0);
    assert_int_equal(az_parse_vnc_version(B("RFB x03.008\n"), &minor), 0);
    assert_int_equal(az_parse_vnc_security(B("\x02\x02\x01"), 8, &s), 1);
    assert_int_equal(s.no_auth, AZ_YES); /* None offered */
    s = fresh();
    assert_int_equal(az_parse_vnc_security(B("\x01\x02"), 8, &s), 1);
    assert_int_equal(s.no_auth, AZ_NO);
    s = fresh();
    assert_int_equal(az_parse_vnc_security(B("\x03\x02"), 8, &s), 0); /* 3 announced, 1 here */
    s = fresh();
    assert_int_equal(az_parse_vnc_security(B("\x00\x00\x00\x01"), 3, &s), 1); /* 3.3: None */
    assert_int_equal(s.no_auth, AZ_YES);
}

static void test_dicom(void **state)
{
    (void)state;
    unsigned char rq[300];
    size_t n = az_dicom_assoc_rq(rq, sizeof(rq), "ANY-SCP", "ECHOSCU");
    /* PDU type 1, length field = total - 6, AE titles space-padded */
    assert_true(n > 150);
    assert_int_equal(rq[0], 0x01);
    assert_int_equal(((size_t)rq[2] << 24 | (size_t)rq[3] << 16 | (size_t)rq[4] << 8 | rq[5]),
                     n - 6);
    assert_memory_equal(rq + 10, "ANY-SCP         ", 16);
    assert_memory_equal(rq + 26, "ECHOSCU         ", 16);
    assert_non_null(memmem(rq, n, "1.2.840.10008.1.1", 17));   /* Verification SOP class */
    assert_int_equal(az_dicom_assoc_rq(rq, 100, "A", "B"), 0); /* too small a buffer */

    /* A-ASSOCIATE-RJ: permanent, service user, called AE not recognised */
    struct az_service s = fresh();
    assert_int_equal(az_parse_dicom(B("\x03\x00\x00\x00\x00\x04\x00\x01\x01\x07"), &s), 1);
    assert_int_equal(s.dicom_result, 3);
    assert_int_equal(s.no_auth, AZ_NO);
    assert_non_null(strstr(s.info, "reason 7"));
    /* A-ASSOCIATE-AC with a user information item naming the implementation */
    unsigned char ac[74 + 4 + 4 + 9] = {0x02, 0x00};
    size_t L = sizeof(ac) - 6;
    ac[5] = (unsigned char)L;
    ac[74] = 0x50;
    ac[77] = 4 + 9;
    ac[78] = 0x55;
    ac[81] = 9;
    memcpy(ac + 82, "PACS_1.2\x01", 9);
    s = fresh();
    assert_int_equal(az_parse_dicom(ac, sizeof(ac), &s), 1);
    assert_int_equal(s.dicom_result, 2);
    assert_int_equal(s.no_auth, AZ_YES);
    assert_string_equal(s.product, "PACS_1.2?");
    /* the same, truncated: wait for more */
    s = fresh();
    assert_int_equal(az_parse_dicom(ac, sizeof(ac) - 1, &s), 0);
    /* a sub-item length pointing past the item is ignored, not followed */
    ac[81] = 200;
    s = fresh();
    assert_int_equal(az_parse_dicom(ac, sizeof(ac), &s), 1);
    assert_string_equal(s.product, "");
    /* not DICOM: HTTP, a huge length */
    assert_int_equal(az_parse_dicom(B("HTTP/1.1 400 Bad"), &s), 0);
    assert_int_equal(az_parse_dicom(B("\x02\x00\xff\xff\xff\xff"), &s), 0);
}

static void test_databases(void **state)
{
    (void)state;
    struct az_service s = fresh();
    assert_int_equal(az_parse_pg(B("N"), &s), 1);
    assert_int_equal(s.tls_offered, AZ_NO);
    s = fresh();
    assert_int_equal(az_parse_pg(B("S"), &s), 1);
    assert_int_equal(s.tls_offered, AZ_YES);
    assert_int_equal(az_parse_pg(B("X"), &s), 0);

    /* MySQL 8 greeting: protocol 10, version, thread id, salt, filler,
     * capability flags 0xffff (CLIENT_SSL set) */
    unsigned char g[4 + 1 + 7 + 4 + 8 + 1 + 2 + 10] = {0};
    size_t pl = sizeof(g) - 4;
    g[0] = (unsigned char)pl;
    g[4] = 0x0a;
    memcpy(g + 5, "8.0.36", 7);
    g[5 + 7 + 4 + 8 + 1] = 0xff;
    g[5 + 7 + 4 + 8 + 2] = 0xff;
    s = fresh();
    assert_int_equal(az_parse_mysql(g, sizeof(g), &s), 1);
    assert_string_equal(s.name, "mysql");
    assert_string_equal(s.version, "8.0.36");
    assert_int_equal(s.tls_offered, AZ_YES);
    g[5 + 7 + 4 + 8 + 2] = 0xf7; /* CLIENT_SSL (0x0800) cleared */
    s = fresh();
    assert_int_equal(az_parse_mysql(g, sizeof(g), &s), 1);
    assert_int_equal(s.tls_offered, AZ_NO);
    s = fresh();
    assert_int_equal(az_parse_mysql(g, 10, &s), 0); /* truncated */
    /* error packet: "Host ... is not allowed" */
    const char err[] = "\x17\x00\x00\x00\xff\x6a\x04Host is not allowed\x00";
    assert_int_equal(az_parse_mysql(B(err), &s), 1);
    assert_non_null(strstr(s.info, "not allowed"));

    /* TDS PRELOGIN response: VERSION 15.0.2000, ENCRYPTION = 0 (login only) */
    unsigned char t[8 + 11 + 6 + 1] = {0x04, 0x01, 0x00, sizeof(t)};
    unsigned char *d = t + 8;
    d[0] = 0x00;
    d[2] = 11;
    d[4] = 6;
    d[5] = 0x01;
    d[7] = 17;
    d[9] = 1;
    d[10] = 0xff;
    d[11] = 15;
    d[12] = 0;
    d[13] = 0x07;
    d[14] = 0xd0;
    d[17] = 0x00;
    s = fresh();
    assert_int_equal(az_parse_tds(t, sizeof(t), &s), 1);
    assert_string_equal(s.version, "15.0.2000");
    assert_int_equal(s.mssql_encrypt, 0);
    assert_int_equal(s.tls_offered, AZ_YES);
    d[17] = 0x02; /* ENCRYPT_NOT_SUP */
    s = fresh();
    assert_int_equal(az_parse_tds(t, sizeof(t), &s), 1);
    assert_int_equal(s.tls_offered, AZ_NO);
    /* a header without EOM, or a non-zero window, is not a PRELOGIN */
    t[1] = 0x00;
    s = fresh();
    assert_int_equal(az_parse_tds(t, sizeof(t), &s), 0);
    t[1] = 0x01;
    t[7] = 0xb0;
    assert_int_equal(az_parse_tds(t, sizeof(t), &s), 0);
    t[7] = 0;
    /* an option pointing into the option table itself */
    d[2] = 5;
    assert_int_equal(az_parse_tds(t, sizeof(t), &s), 0);
    d[2] = 11;
    /* ENCRYPTION out of its 0-3 range */
    d[17] = 0x09;
    assert_int_equal(az_parse_tds(t, sizeof(t), &s), 0);
    d[17] = 0x02;
    d[6] = 0xf0; /* ENCRYPTION offset past the end: ignored, no answer */
    s = fresh();
    assert_int_equal(az_parse_tds(t, sizeof(t), &s), 0);
}

static void test_mllp(void **state)
{
    (void)state;
    struct az_service s = fresh();
    assert_int_equal(az_parse_mllp(B("\x0b\x1c\x0d"), &s), 1);
    assert_string_equal(s.info, "empty MLLP frame");
    s = fresh();
    assert_int_equal(az_parse_mllp(B("\x0b\x15\x1c\x0d"), &s), 1);
    assert_string_equal(s.info, "MLLP commit NAK");
    s = fresh();
    assert_int_equal(az_parse_mllp(B("\x0bMSH|^~\\&|A|B\rMSA|AR|1\r\x1c\x0d"), &s), 1);
    assert_non_null(strstr(s.info, "MSA|AR"));
    assert_int_equal(az_parse_mllp(B("\x0bMSH|"), &s), 0);
    assert_int_equal(az_parse_mllp(B("HTTP/1.1"), &s), 0);
}

static void test_fingerprints(void **state)
{
    (void)state;
    struct az_ctx ctx;
    struct az_scan_data *d;
    az_ctx_init(&ctx, AZ_LANG_EN);
    assert_int_equal(az_scan_data_load(&ctx, NULL, &d), 0);
    const char *const *paths;
    size_t np = az_scan_data_paths(d, &paths);
    assert_true(np >= 6);
    assert_string_equal(paths[0], "/");
    for (size_t i = 0; i < np; i++) {
        /* never an exploit path: no traversal, no known attack targets */
        assert_null(strstr(paths[i], ".."));
        assert_null(strstr(paths[i], "sslvpn_websession"));
        assert_null(strstr(paths[i], "/vpns/"));
    }

    /* GlobalProtect login page with a pre-10.0.4 ETag */
    struct az_service s = fresh();
    const char gp[] =
        "HTTP/1.1 200 OK\r\nETag: \"28d9-5d5daf9a\"\r\n\r\n<html><title>GlobalProtect "
        "Portal</title>";
    az_scan_fingerprint_http(d, "/global-protect/login.esp", B(gp), &s);
    assert_true(s.has_appliance);
    assert_string_equal(s.app.family, "paloalto-panos");
    assert_string_equal(s.app.build_date, "2019-08-21");
    assert_string_equal(s.app.confidence, "build-date");
    /* the same page on another path is not evidence */
    s = fresh();
    az_scan_fingerprint_http(d, "/other", B(gp), &s);
    assert_false(s.has_appliance);
    /* Citrix: identified by the gateway page, build time from a gzip header */
    s = fresh();
    az_scan_fingerprint_http(d, "/vpn/index.html",
                             B("HTTP/1.1 200 OK\r\n\r\n<title>Citrix Gateway</title>"), &s);
    assert_string_equal(s.app.family, "citrix-netscaler");
    const char gz[] = "HTTP/1.1 200 OK\r\n\r\n\x1f\x8b\x08\x00\xaf\x75\xac\x64\x00\x03";
    az_scan_fingerprint_http(d, "/vpn/js/rdx/core/lang/rdx_en.json.gz", B(gz), &s);
    assert_string_equal(s.app.build_date, "2023-07-10"); /* 0x64ac75af = 1689024943 */
    /* Ivanti: exact version from the static version file */
    s = fresh();
    az_scan_fingerprint_http(d, "/dana-na/auth/url_default/welcome.cgi",
                             B("HTTP/1.1 200 OK\r\n\r\n<title>Ivanti Connect Secure</title>"), &s);
    assert_string_equal(s.app.family, "ivanti-connect-secure");
    az_scan_fingerprint_http(
        d, "/dana-na/nc/nc_gina_ver.txt",
        B("HTTP/1.1 200 OK\r\n\r\n<PARAM NAME=\"ProductVersion\" VALUE=\"22.7.1.1234\">"), &s);
    assert_string_equal(s.app.version, "22.7.1.1234");
    assert_string_equal(s.app.confidence, "exact");
    /* FortiGate by its factory certificate alone */
    s = fresh();
    s.tlsi.done = true;
    snprintf(s.tlsi.subject, sizeof(s.tlsi.subject), "CN=FG3K4ETB19900078,OU=FortiGate,O=Fortinet");
    snprintf(s.tlsi.issuer, sizeof(s.tlsi.issuer),
             "CN=support,OU=Certificate Authority,O=Fortinet");
    az_scan_fingerprint_tls(d, &s);
    assert_string_equal(s.app.family, "fortinet-fortios");
    /* an error page echoing the requested path is not evidence */
    const char *const *pp;
    size_t npp = az_scan_data_paths(d, &pp);
    for (size_t i = 1; i < npp; i++) {
        char echo[512];
        int n = snprintf(echo, sizeof(echo),
                         "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\nError opening "
                         "'%s' (%s) mode='r'\r\n",
                         pp[i] + 1, pp[i]);
        s = fresh();
        az_scan_fingerprint_http(d, pp[i], (const unsigned char *)echo, (size_t)n, &s);
        if (s.has_appliance)
            fail_msg("an echo of %s was taken for %s", pp[i], s.app.family);
    }
    /* an ordinary web server is not an appliance; its Server header names it */
    s = fresh();
    az_scan_fingerprint_http(d, "/", B("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n\r\nhello"), &s);
    assert_false(s.has_appliance);
    assert_string_equal(s.product, "nginx");
    assert_string_equal(s.version, "1.22.1");
    az_scan_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http),         cmocka_unit_test(test_banners),
        cmocka_unit_test(test_smb),          cmocka_unit_test(test_rdp),
        cmocka_unit_test(test_vnc),          cmocka_unit_test(test_dicom),
        cmocka_unit_test(test_databases),    cmocka_unit_test(test_mllp),
        cmocka_unit_test(test_fingerprints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
