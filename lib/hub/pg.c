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

/* What every session of the hub's connection sets first. */
static int session_setup(struct az_ctx *ctx, struct az_hub *h)
{
    PQsetClientEncoding(h->c, "UTF8");
    return hub_exec(ctx, h->c, "SET client_min_messages = warning");
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
        /* the documented words first, libpq's own detail after them */
        const char *m = PQerrorMessage(h->c);
        size_t n = strlen(m);
        int r;
        while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
            n--;
        r = az_fail(ctx, AZ_EIO, "ハブのデータベースに接続できません: %.*s",
                    "cannot reach the hub database: %.*s", (int)n, m);
        az_hub_close(h);
        return r;
    }
    if (session_setup(ctx, h) < 0) {
        az_hub_close(h);
        return AZ_EIO;
    }
    *ret = h;
    return 0;
}

/* A connection whose server went away (restarted, or the network broke)
 * is CONNECTION_BAD from the first command that found out; reconnect
 * once with the same parameters. 0 when the connection is usable. */
int hub_reconnect(struct az_ctx *ctx, struct az_hub *h)
{
    if (PQstatus(h->c) == CONNECTION_OK)
        return 0;
    PQreset(h->c);
    if (PQstatus(h->c) != CONNECTION_OK) {
        const char *m = PQerrorMessage(h->c);
        size_t n = strlen(m);
        while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
            n--;
        return az_fail(ctx, AZ_EIO, "ハブのデータベースに接続できません: %.*s",
                       "cannot reach the hub database: %.*s", (int)n, m);
    }
    return session_setup(ctx, h);
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
    static const char sql[] = "SELECT max(version) FROM hub_schema_migrations";
    PGresult *r;
    const char *state;
    int ok, missing, rc;

    if (hub_reconnect(ctx, h) < 0)
        return ctx->err;
    r = PQexec(h->c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQstatus(h->c) == CONNECTION_BAD) {
        /* the server went away since the last command: once more */
        PQclear(r);
        if (hub_reconnect(ctx, h) < 0)
            return ctx->err;
        r = PQexec(h->c, sql);
    }
    ok = PQresultStatus(r) == PGRES_TUPLES_OK && !PQgetisnull(r, 0, 0) &&
         strtol(PQgetvalue(r, 0, 0), NULL, 10) == NMIGRATIONS;
    state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    missing = (PQresultStatus(r) == PGRES_TUPLES_OK && !ok) ||
              (state && !strcmp(state, "42P01")); /* undefined_table */
    if (ok) {
        rc = 0;
    } else if (missing) {
        rc = az_fail(ctx, AZ_ENOTFOUND,
                     "ハブのデータベースが初期化されていません (anzen hub init を実行してください)",
                     "the hub database is not set up (run anzen hub init)");
    } else {
        const char *m =
            PQstatus(h->c) == CONNECTION_BAD ? PQerrorMessage(h->c) : PQresultErrorMessage(r);
        size_t n = strlen(m);
        while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
            n--;
        rc = az_fail(ctx, AZ_EIO, "ハブのデータベースに接続できません: %.*s",
                     "cannot reach the hub database: %.*s", (int)n, m);
    }
    PQclear(r);
    return rc;
}

/* A key change refused: the old and new fingerprints. */
static int key_change_refused(struct az_ctx *ctx, const char *id, const unsigned char *old,
                              const unsigned char *new)
{
    char *fo = az_key_fingerprint(old), *fn = az_key_fingerprint(new);
    int r = az_fail(ctx, AZ_EINVAL,
                    "%s は別の鍵で登録済みです (登録済み %s、今回 %s)。鍵を替えるときは "
                    "--replace-key を付けてください",
                    "%s is enrolled with another key (enrolled %s, given %s); give --replace-key "
                    "to replace it",
                    id, fo ? fo : "?", fn ? fn : "?");
    free(fo);
    free(fn);
    return r;
}

static int shared_key_refused(struct az_ctx *ctx, const char *id, const char *other)
{
    return az_fail(ctx, AZ_EINVAL,
                   "%s: この公開鍵は %s に登録済みです。機関ごとに別の鍵を登録してください "
                   "(本部が支店の分をまとめて出すときは、支店を鍵なしで --hq に登録します)",
                   "%s: this public key is enrolled for %s; enrol a key of its own for each "
                   "institution (a headquarters submitting for its branches enrols them with "
                   "--hq and no key)",
                   id, other);
}

int az_hub_enrol(struct az_ctx *ctx, struct az_hub *h, const struct az_hub_inst *in)
{
    char pref[8], *hexkey = NULL;
    const char *vals[8];
    PGresult *r;
    int rc = 0;
    bool replaced = false;

    if (hub_check_schema(ctx, h) < 0)
        return ctx->err;
    if (in->prefecture < 0 || in->prefecture > 47)
        return az_fail(ctx, AZ_EINVAL, "都道府県が正しくありません", "bad prefecture");
    if (in->key_replaced)
        *in->key_replaced = false;
    if (in->has_key) {
        hexkey = malloc(2 + 64 + 1);
        if (!hexkey)
            return az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        memcpy(hexkey, "\\x", 2);
        sodium_bin2hex(hexkey + 2, 65, in->key, 32);
    }
    if (hub_exec(ctx, h->c, "BEGIN") < 0) {
        free(hexkey);
        return AZ_EIO;
    }
    /* the enrolled key of this id, if any, and the row locked until COMMIT */
    vals[0] = in->id;
    r = PQexecParams(h->c, "SELECT pubkey FROM institution WHERE id = $1 FOR UPDATE", 1, NULL, vals,
                     NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = hub_pg_fail(ctx, h->c, in->id);
    } else if (in->has_key && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) &&
               PQgetlength(r, 0, 0) == 32 && memcmp(PQgetvalue(r, 0, 0), in->key, 32) != 0) {
        if (!in->replace_key)
            rc = key_change_refused(ctx, in->id, (const unsigned char *)PQgetvalue(r, 0, 0),
                                    in->key);
        else {
            if (in->old_key)
                memcpy(in->old_key, PQgetvalue(r, 0, 0), 32);
            if (in->key_replaced)
                *in->key_replaced = true;
            replaced = true;
        }
    }
    PQclear(r);
    if (rc < 0)
        goto out;
    /* one key, one institution: a shared key would let one submit as the
     * other (a headquarters submits for its branches with --hq instead) */
    if (in->has_key) {
        vals[0] = in->id;
        vals[1] = hexkey;
        r = PQexecParams(h->c,
                         "SELECT id FROM institution WHERE pubkey = $2::bytea AND id <> $1"
                         " ORDER BY id LIMIT 1",
                         2, NULL, vals, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            rc = hub_pg_fail(ctx, h->c, in->id);
        else if (PQntuples(r) == 1)
            rc = shared_key_refused(ctx, in->id, PQgetvalue(r, 0, 0));
        PQclear(r);
        if (rc < 0)
            goto out;
    }
    snprintf(pref, sizeof(pref), "%d", in->prefecture);
    vals[0] = in->id;
    vals[1] = in->name;
    vals[2] = in->type;
    vals[3] = in->prefecture ? pref : NULL;
    vals[4] = in->bed_band;
    vals[5] = in->group;
    vals[6] = in->parent && *in->parent ? in->parent : NULL;
    vals[7] = hexkey;
    /* a new id: the fields given (name, type and prefecture needed); an
     * enrolled one: what is given replaces, the rest is kept */
    r = PQexecParams(
        h->c,
        "INSERT INTO institution (id, name, type, prefecture, bed_band, grp, parent,"
        " pubkey) VALUES ($1, $2, $3, $4, coalesce($5, ''), coalesce($6, ''), $7, $8)"
        " ON CONFLICT (id) DO UPDATE SET"
        " name = coalesce($2, institution.name), type = coalesce($3, institution.type),"
        " prefecture = coalesce($4::smallint, institution.prefecture),"
        " bed_band = coalesce($5, institution.bed_band),"
        " grp = coalesce($6, institution.grp), parent = coalesce($7, institution.parent),"
        " pubkey = coalesce($8::bytea, institution.pubkey)",
        8, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        rc = az_fail(ctx, AZ_EINVAL, "%s を登録できません: %s", "cannot enrol %s: %s", in->id,
                     m ? m : "?");
    }
    PQclear(r);
    /* a new key starts a new series: its first bundle (sequence 1 from a
     * fresh workspace) must not be refused as older than the old key's,
     * which cannot be verified any more; the rows this id signed last
     * (itself and the branches it covered) forget the old sequence */
    if (rc == 0 && replaced) {
        vals[0] = in->id;
        r = PQexecParams(h->c,
                         "UPDATE institution SET last_sequence = NULL, last_created = NULL"
                         " WHERE last_signer = $1",
                         1, NULL, vals, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = hub_pg_fail(ctx, h->c, in->id);
        PQclear(r);
    }
    if (rc == 0 && hub_exec(ctx, h->c, "COMMIT") < 0)
        rc = AZ_EIO;
out:
    if (rc < 0) {
        PQclear(PQexec(h->c, "ROLLBACK"));
        if (in->key_replaced)
            *in->key_replaced = false;
    }
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
    return az_hub_enrol_many_each(ctx, h, v, n, NULL, NULL, false);
}

/* The index in v of id, or n. */
static size_t inst_index(const struct az_hub_inst *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].id, id))
            return i;
    return n;
}

int az_hub_enrol_many_each(struct az_ctx *ctx, struct az_hub *h, const struct az_hub_inst *v,
                           size_t n, az_hub_enrol_fn fn, void *arg, bool check_only)
{
    struct az_buf b;
    PGresult *res;
    int rc = 0;
    size_t nref = 0;

    if (hub_check_schema(ctx, h) < 0)
        return ctx->err;
    for (size_t i = 0; i < n; i++)
        if (v[i].key_replaced)
            *v[i].key_replaced = false;
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
    /* an enrolled id whose key would change: refused unless every row
     * allows it (the first such id named) */
    res = PQexec(h->c, "SELECT s.id, i.pubkey, s.pubkey FROM hub_st_inst s JOIN institution i"
                       " USING (id) WHERE i.pubkey IS NOT NULL AND s.pubkey IS NOT NULL AND"
                       " i.pubkey <> s.pubkey ORDER BY s.id");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        hub_pg_fail(ctx, h->c, "institution");
        goto fail;
    }
    for (int k = 0; k < PQntuples(res); k++) {
        unsigned char old[32], new[32];
        size_t ol = 0, nl = 0;
        unsigned char *o = PQunescapeBytea((const unsigned char *)PQgetvalue(res, k, 1), &ol);
        unsigned char *nw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, k, 2), &nl);
        const char *id = PQgetvalue(res, k, 0);
        bool ok = o && nw && ol == 32 && nl == 32;
        if (ok) {
            memcpy(old, o, 32);
            memcpy(new, nw, 32);
        }
        PQfreemem(o);
        PQfreemem(nw);
        for (size_t i = 0; ok && i < n; i++) {
            if (strcmp(v[i].id, id) || !v[i].has_key || memcmp(v[i].key, new, 32))
                continue;
            if (!v[i].replace_key) {
                key_change_refused(ctx, id, old, new);
                if (fn) { /* every such row told, then refused as a whole */
                    fn(arg, i, az_errmsg(ctx));
                    nref++;
                    continue;
                }
                PQclear(res);
                goto fail;
            }
            if (v[i].old_key)
                memcpy(v[i].old_key, old, 32);
            if (v[i].key_replaced)
                *v[i].key_replaced = true;
        }
    }
    PQclear(res);
    /* one key, one institution: within the file, and against the others
     * enrolled (unless the file gives that other id a new key) */
    res = PQexec(h->c,
                 "SELECT a.id, b.id FROM hub_st_inst a JOIN hub_st_inst b ON a.pubkey = b.pubkey"
                 " AND a.id > b.id UNION ALL (SELECT s.id, i.id FROM hub_st_inst s"
                 " JOIN institution i ON i.pubkey = s.pubkey AND i.id <> s.id WHERE NOT EXISTS"
                 " (SELECT 1 FROM hub_st_inst t WHERE t.id = i.id AND t.pubkey IS NOT NULL AND"
                 " t.pubkey <> i.pubkey)) ORDER BY 1, 2");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        hub_pg_fail(ctx, h->c, "institution");
        goto fail;
    }
    for (int k = 0; k < PQntuples(res); k++) {
        shared_key_refused(ctx, PQgetvalue(res, k, 0), PQgetvalue(res, k, 1));
        if (!fn) {
            PQclear(res);
            goto fail;
        }
        fn(arg, inst_index(v, n, PQgetvalue(res, k, 0)), az_errmsg(ctx));
        nref++;
    }
    PQclear(res);
    if (nref) {
        az_fail(ctx, AZ_EINVAL, "鍵の誤り %zu 件のため、どの機関も登録していません",
                "%zu key errors; no institution was enrolled", nref);
        goto fail;
    }
    if (check_only) { /* the checks above only: nothing is written */
        PQclear(PQexec(h->c, "ROLLBACK"));
        az_buf_done(&b);
        return 0;
    }
    /* a replaced key starts a new series (as in az_hub_enrol); only ids
     * allowed to change key got this far */
    if (hub_exec(ctx, h->c,
                 "UPDATE institution SET last_sequence = NULL, last_created = NULL"
                 " WHERE last_signer IN (SELECT s.id FROM hub_st_inst s JOIN institution i"
                 " USING (id) WHERE i.pubkey IS NOT NULL AND s.pubkey IS NOT NULL AND"
                 " i.pubkey <> s.pubkey);"
                 "INSERT INTO institution (id, name, type, prefecture, bed_band, grp, parent,"
                 " pubkey) SELECT * FROM hub_st_inst ON CONFLICT (id) DO UPDATE SET"
                 " name = EXCLUDED.name, type = EXCLUDED.type, prefecture = EXCLUDED.prefecture,"
                 " bed_band = coalesce(nullif(EXCLUDED.bed_band, ''), institution.bed_band),"
                 " grp = coalesce(nullif(EXCLUDED.grp, ''), institution.grp),"
                 " parent = coalesce(EXCLUDED.parent, institution.parent),"
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
