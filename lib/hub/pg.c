/* SPDX-License-Identifier: MIT */
/*
 * pg.c - the hub's PostgreSQL store: schema migrations, enrolment, and
 * the ingest of signed bundles in COPY batches (hub.h, docs/hub.md).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "anzen/hub.h"
#include "anzen/util.h"
#include "hub_internal.h"

#define BATCH 8000 /* institutions per transaction */

int hub_pg_fail(struct az_ctx *ctx, PGconn *c, const char *what)
{
    const char *m = PQerrorMessage(c);
    size_t n = strlen(m);

    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    return az_fail(ctx, AZ_EIO, "データベース (%s): %.*s", "database (%s): %.*s", what, (int)n, m);
}

int hub_exec(struct az_ctx *ctx, PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

    if (!ok) {
        const char *m = PQresultErrorMessage(r);
        size_t n = strlen(m);
        while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
            n--;
        az_fail(ctx, AZ_EIO, "データベース: %.*s", "database: %.*s", (int)n, m);
    }
    PQclear(r);
    return ok ? 0 : AZ_EIO;
}

int az_hub_open(struct az_ctx *ctx, const char *conninfo, struct az_hub **ret)
{
    struct az_hub *h;

    if (!conninfo || !*conninfo)
        return az_fail(ctx, AZ_EINVAL, "データベースを --db で指定してください",
                       "give the database with --db");
    h = calloc(1, sizeof(*h));
    if (!h)
        return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    h->c = PQconnectdb(conninfo);
    if (PQstatus(h->c) != CONNECTION_OK) {
        int r = hub_pg_fail(ctx, h->c, az_l(ctx, "接続", "connect"));
        az_hub_close(h);
        return r;
    }
    PQsetClientEncoding(h->c, "UTF8");
    if (hub_exec(ctx, h->c, "SET client_min_messages = warning") < 0) {
        az_hub_close(h);
        return AZ_EIO;
    }
    *ret = h;
    return 0;
}

void az_hub_close(struct az_hub *h)
{
    if (!h)
        return;
    PQfinish(h->c);
    free(h);
}

/* The migrations, in order; each runs once in its own transaction. */
static const char *const migrations[] = {
    /* 1: institutions, the bundle log and the aggregated tables */
    "CREATE TABLE institution ("
    " id text PRIMARY KEY, name text NOT NULL, type text NOT NULL,"
    " prefecture smallint NOT NULL CHECK (prefecture BETWEEN 1 AND 47),"
    " bed_band text NOT NULL DEFAULT '', grp text NOT NULL DEFAULT '',"
    " parent text REFERENCES institution(id), pubkey bytea,"
    " enrolled_at timestamptz NOT NULL DEFAULT now(),"
    " last_signer text, last_sequence bigint, last_created bigint, last_bundle text);"
    "CREATE INDEX institution_grp ON institution (grp);"
    "CREATE INDEX institution_parent ON institution (parent);"
    "CREATE TABLE bundle ("
    " bundle_id text PRIMARY KEY, signer text NOT NULL REFERENCES institution(id),"
    " sequence bigint NOT NULL, created_at bigint NOT NULL, fiscal_year int NOT NULL,"
    " institutions int NOT NULL, sealed boolean NOT NULL,"
    " ingested_at timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE inst_year ("
    " prefecture smallint NOT NULL, fiscal_year int NOT NULL, institution text NOT NULL,"
    " type text NOT NULL, bed_band text NOT NULL, grp text NOT NULL, bundle_id text NOT NULL,"
    " created_at bigint NOT NULL, applicable int NOT NULL, satisfied int NOT NULL,"
    " gaps int NOT NULL, unanswered int NOT NULL, overdue int NOT NULL,"
    " cyber_bcp boolean NOT NULL, mfa boolean NOT NULL, patching boolean NOT NULL,"
    " usb boolean NOT NULL, contract_roles boolean NOT NULL, mfa_fy2027 boolean NOT NULL,"
    " PRIMARY KEY (prefecture, fiscal_year, institution)) PARTITION BY LIST (prefecture);"
    "CREATE INDEX inst_year_grp ON inst_year (grp, fiscal_year);"
    "CREATE TABLE item_status ("
    " prefecture smallint NOT NULL, fiscal_year int NOT NULL, institution text NOT NULL,"
    " topic text NOT NULL, status smallint NOT NULL, overdue boolean NOT NULL,"
    " load int NOT NULL DEFAULT 0) PARTITION BY LIST (prefecture);"
    "CREATE SEQUENCE hub_load;"
    "CREATE INDEX item_status_inst ON item_status (institution, fiscal_year);"
    "CREATE TABLE vpn_kev ("
    " prefecture smallint NOT NULL, fiscal_year int NOT NULL, institution text NOT NULL,"
    " family text NOT NULL, version text NOT NULL) PARTITION BY LIST (prefecture);"
    "CREATE INDEX vpn_kev_inst ON vpn_kev (institution, fiscal_year);"
    "CREATE TABLE finding_count ("
    " prefecture smallint NOT NULL, fiscal_year int NOT NULL, institution text NOT NULL,"
    " rule text NOT NULL, n int NOT NULL) PARTITION BY LIST (prefecture);"
    "CREATE INDEX finding_count_inst ON finding_count (institution, fiscal_year);"
    "DO $$ BEGIN FOR p IN 1..47 LOOP"
    " EXECUTE format('CREATE TABLE inst_year_p%s PARTITION OF inst_year FOR VALUES IN (%s)"
    " PARTITION BY RANGE (fiscal_year)', p, p);"
    " EXECUTE format('CREATE TABLE item_status_p%s PARTITION OF item_status FOR VALUES IN (%s)"
    " PARTITION BY RANGE (fiscal_year)', p, p);"
    " EXECUTE format('CREATE TABLE vpn_kev_p%s PARTITION OF vpn_kev FOR VALUES IN (%s)', p, p);"
    " EXECUTE format('CREATE TABLE finding_count_p%s PARTITION OF finding_count"
    " FOR VALUES IN (%s)', p, p);"
    " END LOOP; END $$;",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int az_hub_init(struct az_ctx *ctx, struct az_hub *h, int *ret_version)
{
    PGresult *r;
    int have = 0;

    if (hub_exec(ctx, h->c,
                 "CREATE TABLE IF NOT EXISTS hub_schema_migrations ("
                 " version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())") < 0)
        return AZ_EIO;
    r = PQexec(h->c, "SELECT coalesce(max(version), 0) FROM hub_schema_migrations");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return hub_pg_fail(ctx, h->c, "migrations");
    }
    have = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (have > NMIGRATIONS)
        return az_fail(ctx, AZ_ESCHEMA, "データベースの版 (%d) がこの anzen (%d) より新しいです",
                       "the database schema (%d) is newer than this anzen knows (%d)", have,
                       NMIGRATIONS);
    for (int v = have + 1; v <= NMIGRATIONS; v++) {
        char *ins = NULL;
        if (hub_exec(ctx, h->c, "BEGIN") < 0)
            return AZ_EIO;
        if (az_strf(&ins, "INSERT INTO hub_schema_migrations (version) VALUES (%d)", v) < 0 ||
            hub_exec(ctx, h->c, migrations[v - 1]) < 0 || hub_exec(ctx, h->c, ins) < 0 ||
            hub_exec(ctx, h->c, "COMMIT") < 0) {
            int e = ctx->err ? ctx->err : AZ_ENOMEM;
            free(ins);
            PQclear(PQexec(h->c, "ROLLBACK"));
            return e;
        }
        free(ins);
    }
    if (ret_version)
        *ret_version = NMIGRATIONS;
    return 0;
}

int hub_check_schema(struct az_ctx *ctx, struct az_hub *h)
{
    PGresult *r = PQexec(h->c, "SELECT max(version) FROM hub_schema_migrations");
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK && !PQgetisnull(r, 0, 0) &&
             strtol(PQgetvalue(r, 0, 0), NULL, 10) == NMIGRATIONS;

    PQclear(r);
    if (!ok)
        return az_fail(
            ctx, AZ_ENOTFOUND,
            "ハブのデータベースが初期化されていません (anzen hub init を実行してください)",
            "the hub database is not set up (run anzen hub init)");
    return 0;
}

int az_hub_enrol(struct az_ctx *ctx, struct az_hub *h, const struct az_hub_inst *in)
{
    char pref[8], *hexkey = NULL;
    const char *vals[8];
    PGresult *r;
    int rc = 0;

    if (hub_check_schema(ctx, h) < 0)
        return ctx->err;
    if (in->prefecture < 1 || in->prefecture > 47)
        return az_fail(ctx, AZ_EINVAL, "都道府県が正しくありません", "bad prefecture");
    if (in->has_key) {
        hexkey = malloc(2 + 64 + 1);
        if (!hexkey)
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        memcpy(hexkey, "\\x", 2);
        sodium_bin2hex(hexkey + 2, 65, in->key, 32);
    }
    snprintf(pref, sizeof(pref), "%d", in->prefecture);
    vals[0] = in->id;
    vals[1] = in->name;
    vals[2] = in->type;
    vals[3] = pref;
    vals[4] = in->bed_band ? in->bed_band : "";
    vals[5] = in->group ? in->group : "";
    vals[6] = in->parent && *in->parent ? in->parent : NULL;
    vals[7] = hexkey;
    r = PQexecParams(h->c,
                     "INSERT INTO institution (id, name, type, prefecture, bed_band, grp, parent,"
                     " pubkey) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                     " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type,"
                     " prefecture = EXCLUDED.prefecture, bed_band = EXCLUDED.bed_band,"
                     " grp = EXCLUDED.grp, parent = EXCLUDED.parent,"
                     " pubkey = coalesce(EXCLUDED.pubkey, institution.pubkey)",
                     8, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        rc = az_fail(ctx, AZ_EINVAL, "%s を登録できません: %s", "cannot enrol %s: %s", in->id,
                     m ? m : "?");
    }
    PQclear(r);
    free(hexkey);
    return rc;
}

static void copy_field(struct az_buf *b, const char *s, bool last)
{
    if (!s) {
        az_buf_puts(b, "\\N");
    } else {
        for (const char *p = s; *p; p++) {
            if (*p == '\\' || *p == '\t' || *p == '\n' || *p == '\r') {
                az_buf_puts(b, *p == '\\'   ? "\\\\"
                               : *p == '\t' ? "\\t"
                               : *p == '\n' ? "\\n"
                                            : "\\r");
            } else {
                az_buf_add(b, p, 1);
            }
        }
    }
    az_buf_puts(b, last ? "\n" : "\t");
}

int az_hub_enrol_many(struct az_ctx *ctx, struct az_hub *h, const struct az_hub_inst *v, size_t n)
{
    struct az_buf b;
    PGresult *res;
    int rc = 0;

    if (hub_check_schema(ctx, h) < 0)
        return ctx->err;
    az_buf_init(&b, SIZE_MAX);
    for (size_t i = 0; i < n; i++) {
        char hex[2 + 65], pref[8];
        if (v[i].prefecture < 1 || v[i].prefecture > 47) {
            az_buf_done(&b);
            return az_fail(ctx, AZ_EINVAL, "%s: 都道府県が正しくありません", "%s: bad prefecture",
                           v[i].id);
        }
        snprintf(pref, sizeof(pref), "%d", v[i].prefecture);
        memcpy(hex, "\\x", 2);
        sodium_bin2hex(hex + 2, 65, v[i].key, 32);
        copy_field(&b, v[i].id, false);
        copy_field(&b, v[i].name, false);
        copy_field(&b, v[i].type, false);
        copy_field(&b, pref, false);
        copy_field(&b, v[i].bed_band ? v[i].bed_band : "", false);
        copy_field(&b, v[i].group ? v[i].group : "", false);
        copy_field(&b, v[i].parent && *v[i].parent ? v[i].parent : NULL, false);
        copy_field(&b, v[i].has_key ? hex : NULL, true);
    }
    if (hub_exec(ctx, h->c,
                 "BEGIN; CREATE TEMP TABLE IF NOT EXISTS hub_st_inst (id text, name text,"
                 " type text, prefecture smallint, bed_band text, grp text, parent text,"
                 " pubkey bytea); TRUNCATE hub_st_inst") < 0)
        goto fail;
    res = PQexec(h->c, "COPY hub_st_inst FROM STDIN");
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        PQclear(res);
        hub_pg_fail(ctx, h->c, "COPY");
        goto fail;
    }
    PQclear(res);
    for (size_t off = 0; off < b.len;) {
        size_t k = b.len - off > (1u << 20) ? (1u << 20) : b.len - off;
        if (PQputCopyData(h->c, b.data + off, (int)k) != 1)
            break;
        off += k;
    }
    PQputCopyEnd(h->c, NULL);
    while ((res = PQgetResult(h->c))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !rc) {
            const char *m = PQresultErrorMessage(res);
            size_t l = strlen(m);
            while (l && m[l - 1] == '\n')
                l--;
            rc = az_fail(ctx, AZ_EINVAL, "登録できません: %.*s", "cannot enrol: %.*s", (int)l, m);
        }
        PQclear(res);
    }
    if (rc < 0)
        goto fail;
    if (hub_exec(ctx, h->c,
                 "INSERT INTO institution (id, name, type, prefecture, bed_band, grp, parent,"
                 " pubkey) SELECT * FROM hub_st_inst ON CONFLICT (id) DO UPDATE SET"
                 " name = EXCLUDED.name, type = EXCLUDED.type, prefecture = EXCLUDED.prefecture,"
                 " bed_band = EXCLUDED.bed_band, grp = EXCLUDED.grp, parent = EXCLUDED.parent,"
                 " pubkey = coalesce(EXCLUDED.pubkey, institution.pubkey); COMMIT") < 0)
        goto fail;
    az_buf_done(&b);
    return 0;
fail:
    rc = ctx->err ? ctx->err : AZ_EIO;
    PQclear(PQexec(h->c, "ROLLBACK"));
    az_buf_done(&b);
    return rc;
}
