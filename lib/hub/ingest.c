/* SPDX-License-Identifier: MIT */
/*
 * ingest.c - bundles into the hub: read each envelope, check the
 * signature and the enrolled key, refuse replays and older bundles, and
 * copy the accepted ones in batches (COPY ... FROM STDIN), one
 * transaction per batch. The enrolled institutions are held in memory
 * for the run (their key and the newest bundle accepted), so the checks
 * cost no round trip; the database stays the authority (the bundle log's
 * primary key refuses a reused bundle id).
 *
 * A full batch is written by a writer thread on the same connection while
 * the next batch's bundles are read and verified (the server's work and
 * anzen's overlap on two CPUs). At most two batches are in memory: the one
 * being filled and the one being written; the next is handed over only
 * once the previous is committed. Whatever else uses the connection (a
 * look-up in the bundle log, new partitions, the end of the run) first
 * waits for the batch being written, and a failed batch ends the run with
 * its error, nothing of it counted as accepted.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "anzen/hub.h"
#include "anzen/util.h"
#include "hub_internal.h"

#define BATCH 25000 /* institutions per transaction (az_hub_set_ingest_batch: tests) */

struct inst {
    char *id;                                   /* owned */
    const char *type, *bed_band, *grp, *parent; /* interned */
    const char *last_signer;                    /* this id, or interned; NULL: none yet */
    int pref;
    bool has_key, has_last;
    unsigned char key[32];
    unsigned char last_bundle[16];
    long long last_seq, last_created;
    unsigned batch;     /* the batch that staged it last (0: none) */
    unsigned long mark; /* the bundle that named it last (duplicates) */
};

/* Strings held once (types, bed bands, groups, headquarters). */
struct strtab {
    char **v;
    size_t n, cap; /* open addressing, cap a power of two */
};

/* The enrolled institutions: a dense array and a hash of indexes into it
 * (about 100 bytes per institution). */
struct imap {
    struct inst *v;
    size_t n;
    uint32_t *slot; /* index + 1, 0 empty */
    size_t cap;
    struct strtab st;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static const char *intern(struct strtab *t, const char *s)
{
    size_t i;

    if (t->n * 2 >= t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 64;
        char **nv = calloc(nc, sizeof(*nv));
        if (!nv)
            return NULL;
        for (size_t k = 0; k < t->cap; k++)
            if (t->v[k]) {
                for (i = hash_str(t->v[k]) & (nc - 1); nv[i]; i = (i + 1) & (nc - 1))
                    ;
                nv[i] = t->v[k];
            }
        free(t->v);
        t->v = nv;
        t->cap = nc;
    }
    for (i = hash_str(s) & (t->cap - 1); t->v[i]; i = (i + 1) & (t->cap - 1))
        if (!strcmp(t->v[i], s))
            return t->v[i];
    if (!(t->v[i] = strdup(s)))
        return NULL;
    t->n++;
    return t->v[i];
}

static struct inst *imap_get(struct imap *m, const char *id)
{
    size_t i;

    if (!m->cap)
        return NULL;
    for (i = hash_str(id) & (m->cap - 1); m->slot[i]; i = (i + 1) & (m->cap - 1))
        if (!strcmp(m->v[m->slot[i] - 1].id, id))
            return &m->v[m->slot[i] - 1];
    return NULL;
}

static void imap_free(struct imap *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].id);
    for (size_t i = 0; i < m->st.cap; i++)
        free(m->st.v[i]);
    free(m->st.v);
    free(m->v);
    free(m->slot);
}

static int imap_row(struct imap *m, PGresult *r)
{
    const char *id = PQgetvalue(r, 0, 0);
    struct inst *e;
    size_t i;

    if (m->n * 2 >= m->cap) { /* grow the hash (and the array with it) */
        size_t nc = m->cap ? m->cap * 2 : 1024;
        uint32_t *ns = calloc(nc, sizeof(*ns));
        struct inst *nv = realloc(m->v, nc / 2 * sizeof(*nv));
        if (!ns || !nv) {
            free(ns);
            if (nv)
                m->v = nv;
            return AZ_ENOMEM;
        }
        m->v = nv;
        for (size_t k = 0; k < m->n; k++) {
            for (i = hash_str(m->v[k].id) & (nc - 1); ns[i]; i = (i + 1) & (nc - 1))
                ;
            ns[i] = (uint32_t)(k + 1);
        }
        free(m->slot);
        m->slot = ns;
        m->cap = nc;
    }
    e = &m->v[m->n];
    memset(e, 0, sizeof(*e));
    if (!(e->id = strdup(id)))
        return AZ_ENOMEM;
    m->n++;
    for (i = hash_str(id) & (m->cap - 1); m->slot[i]; i = (i + 1) & (m->cap - 1))
        ;
    m->slot[i] = (uint32_t)m->n;
    e->type = intern(&m->st, PQgetvalue(r, 0, 1));
    e->bed_band = intern(&m->st, PQgetvalue(r, 0, 2));
    e->grp = intern(&m->st, PQgetvalue(r, 0, 3));
    e->parent = PQgetisnull(r, 0, 4) ? NULL : intern(&m->st, PQgetvalue(r, 0, 4));
    e->pref = (int)strtol(PQgetvalue(r, 0, 5), NULL, 10);
    if (!PQgetisnull(r, 0, 6) &&
        sodium_hex2bin(e->key, 32, PQgetvalue(r, 0, 6), 64, NULL, NULL, NULL) == 0)
        e->has_key = true;
    if (!PQgetisnull(r, 0, 7)) {
        const char *ls = PQgetvalue(r, 0, 7);
        e->last_signer = !strcmp(ls, id) ? e->id : intern(&m->st, ls);
    }
    e->last_seq = PQgetisnull(r, 0, 8) ? 0 : strtoll(PQgetvalue(r, 0, 8), NULL, 10);
    e->last_created = PQgetisnull(r, 0, 9) ? 0 : strtoll(PQgetvalue(r, 0, 9), NULL, 10);
    if (!PQgetisnull(r, 0, 10) &&
        sodium_hex2bin(e->last_bundle, 16, PQgetvalue(r, 0, 10), 32, NULL, NULL, NULL) == 0)
        e->has_last = true;
    if (!e->type || !e->bed_band || !e->grp || (!PQgetisnull(r, 0, 4) && !e->parent))
        return AZ_ENOMEM;
    return 0;
}

/* Load the institutions row by row (single-row mode), so the whole
 * result is never held at once. */
static int imap_load(struct az_ctx *ctx, PGconn *c, struct imap *m)
{
    PGresult *r;
    int rc = 0;

    if (!PQsendQuery(c, "SELECT id, type, bed_band, grp, parent, prefecture,"
                        " encode(pubkey, 'hex'), last_signer, last_sequence, last_created,"
                        " last_bundle FROM institution") ||
        !PQsetSingleRowMode(c))
        return hub_pg_fail(ctx, c, "institution");
    while ((r = PQgetResult(c))) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE) {
            if (!rc && imap_row(m, r) < 0)
                rc = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        } else if (st != PGRES_TUPLES_OK && !rc) {
            rc = hub_pg_fail(ctx, c, "institution");
        }
        PQclear(r);
    }
    return rc;
}

/* The 16 bytes of a bundle id (32 hex digits, checked by the parser). */
static void bid_bin(const char *hex, unsigned char out[16])
{
    sodium_hex2bin(out, 16, hex, 32, NULL, NULL, NULL);
}

/* Seconds since 1970 of YYYY-MM-DDTHH:MM:SSZ (validated by the parser). */
static long long epoch_of(const char *s)
{
    int y = (int)strtol(s, NULL, 10), mo = (int)strtol(s + 5, NULL, 10);
    int d = (int)strtol(s + 8, NULL, 10), hh = (int)strtol(s + 11, NULL, 10);
    int mi = (int)strtol(s + 14, NULL, 10), ss = (int)strtol(s + 17, NULL, 10);
    long long era, yoe, doy, doe, days;

    y -= mo <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = era * 146097 + doe - 719468;
    return days * 86400 + hh * 3600 + mi * 60 + ss;
}

/* COPY text format: escape backslash, tab, newline, carriage return. */
static void put_text(struct az_buf *b, const char *s)
{
    const char *p = s;
    for (; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '\\':
            rep = "\\\\";
            break;
        case '\t':
            rep = "\\t";
            break;
        case '\n':
            rep = "\\n";
            break;
        case '\r':
            rep = "\\r";
            break;
        default:
            break;
        }
        if (rep) {
            az_buf_add(b, s, (size_t)(p - s));
            az_buf_puts(b, rep);
            s = p + 1;
        }
    }
    az_buf_add(b, s, (size_t)(p - s));
}

/* Decimal integers into a COPY row without a formatting call (4.3 million item rows
 * in a national load). */
static void put_int(struct az_buf *b, long long v)
{
    char t[24], *e = t + sizeof(t), *p = e;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    az_buf_add(b, p, (size_t)(e - p));
}

/* The leading columns of every per-institution row: prefecture, fiscal
 * year, institution id (enrolled ids are [A-Za-z0-9._-]: nothing to
 * escape, as before). */
static void put_head(struct az_buf *b, int pref, int fy, const char *id)
{
    put_int(b, pref);
    az_buf_add(b, "\t", 1);
    put_int(b, fy);
    az_buf_add(b, "\t", 1);
    az_buf_puts(b, id);
    az_buf_add(b, "\t", 1);
}

/* The rows of one batch, ready for COPY, and what it will count once
 * committed. */
struct batch {
    struct az_buf year, items, kev, find, bundles;
    struct az_buf repl; /* institutions whose earlier rows of the year go */
    long load;          /* item_status.load of its rows (0: none yet) */
    size_t ingested, rows;
};

/* The writer thread (started with the first full batch) and the batch it
 * was handed; the connection is its own while job is set. */
struct writer {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
    bool started, quit;
    struct batch *job; /* NULL: idle */
    atomic_int rc;     /* the first failure (sticky) */
    struct az_ctx ctx; /* its message */
    PGconn *c;
};

struct run {
    struct az_ctx *ctx;
    PGconn *c;
    struct imap m;
    const unsigned char *hub_pk, *hub_sk;
    az_hub_note_fn note;
    void *arg;
    struct az_hub_stats *st;
    struct batch bt[2];
    struct batch *cur; /* being filled */
    struct batch *fly; /* handed to the writer, not yet collected */
    struct writer w;
    int wrc;        /* a batch failed: the run ends with it */
    long next_load; /* a batch number fetched ahead (0: none) */
    size_t staged, batch_max;
    unsigned batch;
    int fys[64];
    size_t nfys;
    unsigned long mark;
};

static int status_code(const char *s)
{
    if (!strcmp(s, "satisfied"))
        return HUB_SAT;
    if (!strcmp(s, "gap"))
        return HUB_GAP;
    if (!strcmp(s, "unanswered"))
        return HUB_UNANSWERED;
    if (!strcmp(s, "na"))
        return HUB_NA;
    return HUB_NOTAPP;
}

static bool fy_known(const struct run *R, int fy)
{
    for (size_t i = 0; i < R->nfys; i++)
        if (R->fys[i] == fy)
            return true;
    return false;
}

static int ensure_fy(struct run *R, int fy)
{
    char *sql = NULL;
    int r;

    if (fy_known(R, fy))
        return 0;
    if (R->nfys >= sizeof(R->fys) / sizeof(R->fys[0]))
        return az_fail(R->ctx, AZ_ERANGE, "1 回の取り込みの年度が多すぎます",
                       "too many fiscal years in one ingest");
    if (az_strf(&sql,
                "DO $$ BEGIN FOR p IN 1..47 LOOP"
                " EXECUTE format('CREATE TABLE IF NOT EXISTS inst_year_p%%s_y%d PARTITION OF"
                " inst_year_p%%s FOR VALUES FROM (%d) TO (%d)', p, p);"
                " EXECUTE format('CREATE TABLE IF NOT EXISTS item_status_p%%s_y%d PARTITION OF"
                " item_status_p%%s FOR VALUES FROM (%d) TO (%d)', p, p);"
                " END LOOP; END $$",
                fy, fy, fy + 1, fy, fy, fy + 1) < 0)
        return az_fail(R->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    r = hub_exec(R->ctx, R->c, sql);
    free(sql);
    if (r == 0)
        R->fys[R->nfys++] = fy;
    return r;
}

static int copy_in(struct az_ctx *ctx, PGconn *c, const char *sql, const struct az_buf *b)
{
    PGresult *res = PQexec(c, sql);
    int ok = PQresultStatus(res) == PGRES_COPY_IN;

    PQclear(res);
    if (!ok)
        return hub_pg_fail(ctx, c, "COPY");
    /* in pieces, so a large batch never needs one huge send */
    for (size_t off = 0; off < b->len;) {
        size_t n = b->len - off > (1u << 20) ? (1u << 20) : b->len - off;
        if (PQputCopyData(c, b->data + off, (int)n) != 1)
            return hub_pg_fail(ctx, c, "COPY");
        off += n;
    }
    if (PQputCopyEnd(c, NULL) != 1)
        return hub_pg_fail(ctx, c, "COPY");
    while ((res = PQgetResult(c))) {
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok) {
            const char *m = PQresultErrorMessage(res);
            size_t n = strlen(m);
            while (n && m[n - 1] == '\n')
                n--;
            az_fail(ctx, AZ_EIO, "データベース (COPY): %.*s", "database (COPY): %.*s", (int)n, m);
            PQclear(res);
            while ((res = PQgetResult(c)))
                PQclear(res);
            return AZ_EIO;
        }
        PQclear(res);
    }
    return 0;
}

static void buf_reset(struct az_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

static void batch_clear(struct batch *b)
{
    buf_reset(&b->year);
    buf_reset(&b->items);
    buf_reset(&b->kev);
    buf_reset(&b->find);
    buf_reset(&b->bundles);
    buf_reset(&b->repl);
    b->load = 0;
    b->ingested = b->rows = 0;
}

/* Write one batch in one transaction; on failure nothing of it stays. */
static int write_batch(struct az_ctx *ctx, PGconn *c, const struct batch *b)
{
    char *del = NULL;
    int r;

    if (hub_exec(ctx, c, "BEGIN") < 0)
        return AZ_EIO;
    /* Only institutions that had an accepted bundle before can have rows
     * to replace: a first load deletes nothing (a DELETE joined to every
     * partition per batch would make the load quadratic). */
    if (az_strf(&del,
                "ANALYZE hub_st_repl;"
                "DELETE FROM item_status t USING hub_st_repl s WHERE"
                " t.prefecture = s.prefecture AND t.fiscal_year = s.fiscal_year AND"
                " t.institution = s.institution AND t.load <> %ld;"
                "DELETE FROM vpn_kev t USING hub_st_repl s WHERE"
                " t.prefecture = s.prefecture AND t.fiscal_year = s.fiscal_year AND"
                " t.institution = s.institution;"
                "DELETE FROM finding_count t USING hub_st_repl s WHERE"
                " t.prefecture = s.prefecture AND t.fiscal_year = s.fiscal_year AND"
                " t.institution = s.institution;"
                "TRUNCATE hub_st_repl",
                b->load) < 0) {
        r = az_fail(ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
        goto fail;
    }
    if ((r = copy_in(ctx, c, "COPY item_status FROM STDIN", &b->items)) < 0 ||
        (r = copy_in(ctx, c, "COPY hub_st_year FROM STDIN", &b->year)) < 0 ||
        (b->repl.len && ((r = copy_in(ctx, c, "COPY hub_st_repl FROM STDIN", &b->repl)) < 0 ||
                         (r = hub_exec(ctx, c, del)) < 0)) ||
        (r = hub_exec(ctx, c,
                      "INSERT INTO inst_year SELECT * FROM hub_st_year"
                      " ON CONFLICT (prefecture, fiscal_year, institution) DO UPDATE SET"
                      " type = EXCLUDED.type, bed_band = EXCLUDED.bed_band, grp = EXCLUDED.grp,"
                      " bundle_id = EXCLUDED.bundle_id, created_at = EXCLUDED.created_at,"
                      " applicable = EXCLUDED.applicable, satisfied = EXCLUDED.satisfied,"
                      " gaps = EXCLUDED.gaps, unanswered = EXCLUDED.unanswered,"
                      " overdue = EXCLUDED.overdue, cyber_bcp = EXCLUDED.cyber_bcp,"
                      " mfa = EXCLUDED.mfa, patching = EXCLUDED.patching, usb = EXCLUDED.usb,"
                      " contract_roles = EXCLUDED.contract_roles,"
                      " mfa_fy2027 = EXCLUDED.mfa_fy2027")) < 0 ||
        (b->kev.len && (r = copy_in(ctx, c, "COPY vpn_kev FROM STDIN", &b->kev)) < 0) ||
        (b->find.len && (r = copy_in(ctx, c, "COPY finding_count FROM STDIN", &b->find)) < 0) ||
        (r = copy_in(ctx, c,
                     "COPY bundle (bundle_id, signer, sequence, created_at, fiscal_year,"
                     " institutions, sealed) FROM STDIN",
                     &b->bundles)) < 0 ||
        (r = hub_exec(ctx, c,
                      "UPDATE institution i SET last_signer = b.signer,"
                      " last_sequence = b.sequence, last_created = b.created_at,"
                      " last_bundle = b.bundle_id FROM hub_st_year s JOIN bundle b USING"
                      " (bundle_id) WHERE i.id = s.institution;"
                      "TRUNCATE hub_st_year")) < 0 ||
        (r = hub_exec(ctx, c, "COMMIT")) < 0)
        goto fail;
    free(del);
    return 0;
fail:
    free(del);
    if (PQtransactionStatus(c) != PQTRANS_IDLE)
        PQclear(PQexec(c, "ROLLBACK"));
    return r;
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        struct batch *b;
        int r;
        while (!w->job && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!(b = w->job))
            break;
        pthread_mutex_unlock(&w->mu);
        r = atomic_load(&w->rc) < 0 ? 0 : write_batch(&w->ctx, w->c, b);
        pthread_mutex_lock(&w->mu);
        if (r < 0)
            atomic_store(&w->rc, r);
        w->job = NULL;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static bool writer_start(struct run *R)
{
    struct writer *w = &R->w;

    if (w->started)
        return true;
    w->c = R->c;
    w->ctx = *R->ctx;
    if (pthread_mutex_init(&w->mu, NULL))
        return false;
    if (pthread_cond_init(&w->cv, NULL)) {
        pthread_mutex_destroy(&w->mu);
        return false;
    }
    if (pthread_create(&w->th, NULL, writer_main, w)) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        return false;
    }
    w->started = true;
    return true;
}

static void writer_stop(struct writer *w)
{
    if (!w->started)
        return;
    pthread_mutex_lock(&w->mu);
    w->quit = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    w->started = false;
}

/* A written batch counts as accepted. */
static void batch_done(struct run *R, struct batch *b)
{
    R->st->ingested += b->ingested;
    R->st->rows += b->rows;
    batch_clear(b);
}

/* Wait for the batch handed to the writer (the connection is then free
 * again); its error, if it failed, is the run's. */
static int collect(struct run *R)
{
    struct writer *w = &R->w;
    int rc;

    if (R->wrc < 0)
        return R->wrc;
    if (!R->fly)
        return 0;
    pthread_mutex_lock(&w->mu);
    while (w->job)
        pthread_cond_wait(&w->cv, &w->mu);
    rc = atomic_load(&w->rc);
    pthread_mutex_unlock(&w->mu);
    if (rc < 0) {
        *R->ctx = w->ctx;
        batch_clear(R->fly);
        R->fly = NULL;
        return R->wrc = rc;
    }
    batch_done(R, R->fly);
    R->fly = NULL;
    return 0;
}

/* A batch number from the sequence (only while the connection is free). */
static int fetch_load(struct run *R)
{
    PGresult *res = PQexec(R->c, "SELECT nextval('hub_load')");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;

    if (ok)
        R->next_load = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return ok ? 0 : hub_pg_fail(R->ctx, R->c, "hub_load");
}

/* The current batch's number, for its item rows: fetched ahead when the
 * previous batch was handed over, so reading never waits for the writer. */
static int batch_load(struct run *R)
{
    int r;

    if (R->cur->load)
        return 0;
    if (!R->next_load && ((r = collect(R)) < 0 || (r = fetch_load(R)) < 0))
        return r;
    R->cur->load = R->next_load;
    R->next_load = 0;
    return 0;
}

/* End the current batch. With wait false it goes to the writer thread
 * (once the previous one is committed) and reading goes on; with wait
 * true it is written here, and the connection is free on return. */
static int flush(struct run *R, bool wait)
{
    struct batch *b = R->cur;
    int r;

    if ((r = collect(R)) < 0)
        return r;
    if (!R->staged)
        return 0;
    R->staged = 0;
    R->batch++;
    R->cur = b == &R->bt[0] ? &R->bt[1] : &R->bt[0];
    if (!wait && (R->next_load || fetch_load(R) == 0) && writer_start(R)) {
        pthread_mutex_lock(&R->w.mu);
        R->w.job = b;
        pthread_cond_broadcast(&R->w.cv);
        pthread_mutex_unlock(&R->w.mu);
        R->fly = b;
        return 0;
    }
    if ((r = write_batch(R->ctx, R->c, b)) < 0) {
        batch_clear(b);
        return R->wrc = r;
    }
    batch_done(R, b);
    return 0;
}

static void refuse(struct run *R, const char *name, enum az_hub_outcome o, const char *ja,
                   const char *en, const char *what)
{
    char *m = NULL;

    switch (o) {
    case AZ_HUB_REPLAY:
        R->st->replay++;
        break;
    case AZ_HUB_OLDER:
        R->st->older++;
        break;
    case AZ_HUB_WRONGKEY:
        R->st->wrongkey++;
        break;
    case AZ_HUB_UNKNOWN:
        R->st->unknown++;
        break;
    case AZ_HUB_SEALED:
        R->st->sealed++;
        break;
    case AZ_HUB_FUTURE:
        R->st->future++;
        break;
    case AZ_HUB_SKIPPED:
        R->st->skipped++;
        break;
    default:
        R->st->bad++;
        break;
    }
    if (R->note) {
        az_strf(&m, R->ctx->lang == AZ_LANG_EN ? en : ja, what ? what : "");
        R->note(R->arg, name, o, m ? m : (R->ctx->lang == AZ_LANG_EN ? en : ja));
    }
    free(m);
}

/* A refusal whose message starts with the file (and line) it came from:
 * the replays and older bundles of a directory or a long file. */
static void refuse_at(struct run *R, const char *name, enum az_hub_outcome o, const char *ja,
                      const char *en, const char *what)
{
    /* ja and en are formats: the name goes in with its percent signs doubled */
    struct az_buf bj, be;

    az_buf_init(&bj, SIZE_MAX);
    az_buf_init(&be, SIZE_MAX);
    for (const char *p = name; *p; p++) {
        const char *add = *p == '%' ? "%%" : p;
        az_buf_add(&bj, add, *p == '%' ? 2 : 1);
        az_buf_add(&be, add, *p == '%' ? 2 : 1);
    }
    az_buf_printf(&bj, ": %s", ja);
    az_buf_printf(&be, ": %s", en);
    refuse(R, name, o, bj.data ? bj.data : ja, be.data ? be.data : en, what);
    az_buf_done(&bj);
    az_buf_done(&be);
}

/* Is the bundle id already in the log? */
static bool seen_before(struct run *R, const char *id)
{
    const char *v[1] = {id};
    PGresult *r =
        PQexecParams(R->c, "SELECT 1 FROM bundle WHERE bundle_id = $1", 1, NULL, v, NULL, NULL, 0);
    bool seen = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;

    PQclear(r);
    return seen;
}

/* Stage the rows of one target institution. */
static int stage(struct run *R, const struct az_bundle *b, struct inst *t, const json_t *over)
{
    const json_t *p = b->payload;
    const json_t *ovi = json_object_get(over, "items");
    json_t *ind = json_object_get(p, "indicators"), *oind = json_object_get(over, "indicators");
    const json_t *kev = over ? json_object_get(over, "vpn_kev") : json_object_get(p, "vpn_kev");
    const json_t *fnd = over ? json_object_get(over, "findings") : json_object_get(p, "findings");
    int appl = 0, sat = 0, gaps = 0, unans = 0, od = 0, fy = b->fiscal_year;
    size_t i;
    const char *k;
    json_t *it;
    static const char *const inames[] = {"cyber_bcp", "patching", "usb", "contract_roles", NULL};
    bool iv[6];
    struct batch *B = R->cur;

    json_array_foreach(json_object_get(p, "items"), i, it)
    {
        const char *topic = json_string_value(json_object_get(it, "topic"));
        const char *st = json_string_value(json_object_get(it, "status"));
        json_t *o = json_object_get(ovi, topic);
        int code;
        bool late = json_is_string(json_object_get(it, "overdue"));
        if (json_is_string(o))
            st = json_string_value(o);
        if (!strcmp(st, "gate"))
            continue;
        code = status_code(st);
        if (code == HUB_SAT)
            late = false;
        if (code <= HUB_UNANSWERED)
            appl++;
        sat += code == HUB_SAT;
        gaps += code == HUB_GAP;
        unans += code == HUB_UNANSWERED;
        od += late;
        put_head(&B->items, t->pref, fy, t->id);
        az_buf_puts(&B->items, topic); /* a checked id: nothing to escape */
        az_buf_add(&B->items, "\t", 1);
        put_int(&B->items, code);
        az_buf_add(&B->items, late ? "\tt\t" : "\tf\t", 3);
        put_int(&B->items, B->load);
        az_buf_add(&B->items, "\n", 1);
    }
    for (int n = 0; inames[n]; n++) {
        json_t *x = json_object_get(oind, inames[n]);
        iv[n] = json_is_true(x ? x : json_object_get(ind, inames[n]));
    }
    {
        json_t *x = json_object_get(oind, "mfa");
        iv[4] = json_is_true(x ? x : json_object_get(ind, "mfa"));
        x = json_object_get(oind, "mfa_fy2027");
        iv[5] = json_is_true(x ? x : json_object_get(ind, "mfa_fy2027"));
    }
    az_buf_printf(&B->year, "%d\t%d\t%s\t", t->pref, fy, t->id);
    put_text(&B->year, t->type);
    az_buf_puts(&B->year, "\t");
    put_text(&B->year, t->bed_band);
    az_buf_puts(&B->year, "\t");
    put_text(&B->year, t->grp);
    az_buf_printf(&B->year, "\t%s\t%lld\t%d\t%d\t%d\t%d\t%d\t%c\t%c\t%c\t%c\t%c\t%c\n", b->id,
                  epoch_of(b->created_at), appl, sat, gaps, unans, od, iv[0] ? 't' : 'f',
                  iv[4] ? 't' : 'f', iv[1] ? 't' : 'f', iv[2] ? 't' : 'f', iv[3] ? 't' : 'f',
                  iv[5] ? 't' : 'f');
    json_array_foreach((json_t *)kev, i, it)
    {
        const char *fam = json_string_value(json_object_get(it, "family"));
        const char *ver = json_string_value(json_object_get(it, "version"));
        az_buf_printf(&B->kev, "%d\t%d\t%s\t", t->pref, fy, t->id);
        put_text(&B->kev, fam ? fam : "unknown");
        az_buf_puts(&B->kev, "\t");
        put_text(&B->kev, ver ? ver : "");
        az_buf_puts(&B->kev, "\n");
    }
    json_object_foreach((json_t *)fnd, k, it)
    {
        az_buf_printf(&B->find, "%d\t%d\t%s\t", t->pref, fy, t->id);
        put_text(&B->find, k);
        az_buf_printf(&B->find, "\t%lld\n", (long long)json_integer_value(it));
    }
    B->rows++;
    if (t->has_last) /* it may have rows of this year from an earlier bundle */
        az_buf_printf(&B->repl, "%d\t%d\t%s\n", t->pref, fy, t->id);
    t->batch = R->batch;
    return 0;
}

/* The fiscal year (April to March) a bundle created at epoch t was made
 * in, by the date in Japan (UTC+9): created_at is UTC, and a bundle made
 * on 1 April before 09:00 in Japan carries 31 March in UTC. No further
 * allowance: a bundle whose year starts after the day it was made is a
 * rehearsal (anzen --as-of), whatever the hour. */
static int fy_created(long long t)
{
    long long days = (t + 9 * 3600) / 86400, z = days + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int m = (int)(mp < 10 ? mp + 3 : mp - 9), y = (int)(yoe + era * 400 + (m <= 2));

    return m >= 4 ? y : y - 1;
}

/* Signed, but not with the enrolled key: both fingerprints, so the
 * office can tell a new key (re-enrol) from a bundle of someone else. */
static void wrong_key(struct run *R, const char *name, const struct inst *signer,
                      const struct az_bundle *b)
{
    char *enrolled = signer->has_key ? az_key_fingerprint(signer->key) : NULL;
    char *got = az_key_fingerprint(b->key), *ja = NULL, *en = NULL;

    az_strf(&ja, "%s の登録された鍵で署名されていません (登録された鍵 %s、署名した鍵 %s)",
            b->institution, enrolled ? enrolled : "なし", got ? got : "?");
    az_strf(&en, "not signed with the enrolled key of %s (enrolled key %s, signed with %s)",
            b->institution, enrolled ? enrolled : "none", got ? got : "?");
    refuse_at(R, name, AZ_HUB_WRONGKEY, "%s", "%s", R->ctx->lang == AZ_LANG_EN ? en : ja);
    free(enrolled);
    free(got);
    free(ja);
    free(en);
}

static int take(struct run *R, const char *name, const char *data, size_t len)
{
    struct az_bundle *b = NULL;
    struct inst *signer, *targets[1 + 10000];
    const json_t *over[1 + 10000];
    size_t nt = 0, i;
    json_t *br;
    unsigned char bidb[16];
    long long created;
    int r;

    /* a batch the writer failed to commit ends the run now */
    if (atomic_load_explicit(&R->w.rc, memory_order_relaxed) < 0)
        return collect(R);
    R->st->seen++;
    if (az_bundle_parse(R->ctx, name, data, len, R->hub_pk, R->hub_sk, &b) < 0) {
        if (R->ctx->err == AZ_ENOMEM)
            return AZ_ENOMEM;
        /* the only AZ_EINVAL of the parser: sealed, and no hub key */
        refuse(R, name, R->ctx->err == AZ_EINVAL && !R->hub_sk ? AZ_HUB_SEALED : AZ_HUB_BADSIG,
               "%s", "%s", az_errmsg(R->ctx));
        return 0;
    }
    signer = imap_get(&R->m, b->institution);
    if (!signer) {
        refuse_at(R, name, AZ_HUB_UNKNOWN, "登録されていない機関 %s の束です",
                  "bundle of %s, which is not enrolled", b->institution);
        goto out;
    }
    if (!signer->has_key || sodium_memcmp(signer->key, b->key, 32) != 0) {
        wrong_key(R, name, signer, b);
        goto out;
    }
    created = epoch_of(b->created_at);
    if (b->fiscal_year > fy_created(created)) {
        char *what = NULL;
        az_strf(&what, "%d > %d (%s)", b->fiscal_year, fy_created(created), b->created_at);
        refuse_at(R, name, AZ_HUB_FUTURE,
                  "年度が作成時刻の年度より後です: 年度 %s。--as-of で先の日付にした束は"
                  "受け付けません",
                  "the fiscal year is later than the one the bundle was created in: %s; a bundle "
                  "made with --as-of a later date is not accepted",
                  what ? what : "?");
        free(what);
        goto out;
    }
    R->mark++;
    signer->mark = R->mark;
    targets[nt] = signer;
    over[nt++] = NULL;
    json_array_foreach(json_object_get(b->payload, "branches"), i, br)
    {
        const char *bid = json_string_value(json_object_get(br, "institution"));
        struct inst *t = imap_get(&R->m, bid);
        if (!t || !t->parent || strcmp(t->parent, signer->id)) {
            refuse_at(R, name, AZ_HUB_UNKNOWN,
                      "支店 %s はこの本部の下に登録されていません (束全体を受け付けません)",
                      "branch %s is not enrolled under this headquarters (bundle refused whole)",
                      bid);
            goto out;
        }
        if (t->mark == R->mark) {
            refuse_at(R, name, AZ_HUB_BADSIG, "支店 %s が束の中で重複しています",
                      "branch %s appears twice in the bundle", bid);
            goto out;
        }
        t->mark = R->mark;
        targets[nt] = t;
        over[nt++] = br;
    }
    bid_bin(b->id, bidb);
    for (i = 0; i < nt; i++) {
        struct inst *t = targets[i];
        bool same_signer = t->last_signer && !strcmp(t->last_signer, signer->id);
        if (t->has_last && !memcmp(t->last_bundle, bidb, 16)) {
            refuse_at(R, name, AZ_HUB_REPLAY, "束 %s は受け付け済みです (再送)",
                      "bundle %s was already accepted (replay)", b->id);
            goto out;
        }
        if ((same_signer && b->sequence <= t->last_seq) || created < t->last_created) {
            /* the bundle log as of every batch before this one, written
             * here: seen_before needs the connection the writer uses */
            if ((r = flush(R, true)) < 0)
                goto fail;
            if (seen_before(R, b->id))
                refuse_at(R, name, AZ_HUB_REPLAY, "束 %s は受け付け済みです (再送)",
                          "bundle %s was already accepted (replay)", b->id);
            else
                refuse_at(R, name, AZ_HUB_OLDER,
                          "%s: 受け付け済みの束より新しくありません (通し番号・作成時刻)",
                          "%s: not newer than the bundle already accepted (sequence, created_at)",
                          t->id);
            goto out;
        }
    }
    /* an institution staged twice in one batch would be upserted twice */
    for (i = 0; i < nt; i++)
        if (targets[i]->batch == R->batch && R->staged) {
            if ((r = flush(R, false)) < 0)
                goto fail;
            break;
        }
    /* a new fiscal year needs its partitions, made outside the COPY */
    if (!fy_known(R, b->fiscal_year) &&
        ((r = flush(R, true)) < 0 || (r = ensure_fy(R, b->fiscal_year)) < 0))
        goto fail;
    if ((r = batch_load(R)) < 0)
        goto fail;
    for (i = 0; i < nt; i++) {
        struct inst *t = targets[i];
        stage(R, b, t, over[i]);
        t->last_signer = signer->id;
        memcpy(t->last_bundle, bidb, 16);
        t->has_last = true;
        t->last_seq = b->sequence;
        t->last_created = created;
    }
    az_buf_printf(&R->cur->bundles, "%s\t%s\t%lld\t%lld\t%d\t%zu\t%c\n", b->id, signer->id,
                  (long long)b->sequence, created, b->fiscal_year, nt, b->sealed ? 't' : 'f');
    R->cur->ingested++;
    R->staged += nt;
    if (R->staged >= R->batch_max && (r = flush(R, false)) < 0)
        goto fail;
out:
    az_bundle_free(b);
    return 0;
fail:
    az_bundle_free(b);
    return r;
}

/* The envelopes of one file, read as a stream of JSON values: one per
 * line (JSON Lines, as `submit -o` and a hub's export write them), one
 * re-indented over many lines, or several re-indented ones one after the
 * other. A value starts at '{' and ends where its braces close (strings
 * and escapes followed) and what follows on that line; a line that does
 * not start with '{' is taken whole, so the parser names what is wrong
 * with it. A file of one value
 * is named by its path, the values of a longer one by path:line (the line
 * the value starts on). A UTF-8 byte order mark at the start is skipped
 * (Notepad writes one). */
struct vscan {
    struct az_buf v;     /* the value being read */
    int depth;           /* open braces and brackets */
    bool str, esc;       /* inside a string, after a backslash */
    unsigned long start; /* its first line */
    char *pend;          /* a whole value not taken yet (is it the only one?) */
    size_t pend_len;
    unsigned long pend_line;
    unsigned long values;
};

static int take_pending(struct run *R, const char *path, struct vscan *s, bool last)
{
    char *name = NULL;
    int r;

    if (!s->pend)
        return 0;
    s->values++;
    if (!(last && s->values == 1) && az_strf(&name, "%s:%lu", path, s->pend_line) < 0)
        return az_fail(R->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    r = take(R, name ? name : path, s->pend, s->pend_len);
    free(name);
    free(s->pend);
    s->pend = NULL;
    return r;
}

/* A value is whole: it waits until the next one (or the end) shows
 * whether it was the file's only one. */
static int value_done(struct run *R, const char *path, struct vscan *s)
{
    int r = take_pending(R, path, s, false);

    s->pend_len = s->v.len;
    s->pend_line = s->start;
    s->pend = az_buf_take(&s->v);
    az_buf_init(&s->v, SIZE_MAX);
    s->depth = 0;
    s->str = s->esc = false;
    if (r == 0 && !s->pend)
        r = az_fail(R->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    return r;
}

static int scan_line(struct run *R, const char *path, struct vscan *s, const char *p, size_t n,
                     unsigned long lineno)
{
    size_t seg = 0; /* the part of the line not yet added to the value */
    bool open = s->v.len > 0;
    int r;

    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (!open) {
            if (ch == ' ' || ch == '\t' || ch == '\r') {
                seg = i + 1;
                continue;
            }
            s->start = lineno;
            open = true;
            if (ch != '{') { /* no JSON object: the rest of the line, as it is */
                az_buf_add(&s->v, p + i, n - i);
                return value_done(R, path, s);
            }
        }
        if (s->str) {
            if (s->esc)
                s->esc = false;
            else if (ch == '\\')
                s->esc = true;
            else if (ch == '"')
                s->str = false;
        } else if (ch == '"') {
            s->str = true;
        } else if (ch == '{' || ch == '[') {
            s->depth++;
        } else if ((ch == '}' || ch == ']') && --s->depth <= 0) {
            size_t end = i + 1;
            /* an envelope ends its line: anything after it on the same
             * line stays with it, and the parser refuses the whole (data
             * after a signed envelope is no second bundle) */
            while (end < n && (p[end] == ' ' || p[end] == '\t' || p[end] == '\r'))
                end++;
            if (end < n)
                i = n - 1;
            az_buf_add(&s->v, p + seg, i + 1 - seg);
            seg = i + 1;
            open = false;
            if ((r = value_done(R, path, s)) < 0)
                return r;
        }
    }
    if (open) {
        az_buf_add(&s->v, p + seg, n - seg);
        az_buf_add(&s->v, "\n", 1);
        /* never closes: no bundle is this big, let the parser say so */
        if (s->v.len > AZ_BUNDLE_MAX)
            return value_done(R, path, s);
    }
    return 0;
}

static int take_file(struct run *R, const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int r = 0;
    unsigned long lineno = 0;
    struct vscan s;

    if (!f)
        return az_fail(R->ctx, AZ_EIO, "%s: 開けません: %s", "%s: cannot open: %s", path,
                       strerror(errno));
    memset(&s, 0, sizeof(s));
    az_buf_init(&s.v, SIZE_MAX);
    while ((n = getline(&line, &cap, f)) > 0) {
        const char *p = line;
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (lineno == 1 && n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
            p += 3;
            n -= 3;
        }
        if ((r = scan_line(R, path, &s, p, (size_t)n, lineno)) < 0)
            break;
    }
    if (r == 0 && ferror(f))
        r = az_fail(R->ctx, AZ_EIO, "%s: 読めません", "%s: cannot read", path);
    if (r == 0 && s.v.len) { /* unfinished at the end: the parser says what is wrong */
        if (s.v.data[s.v.len - 1] == '\n') /* ours: the error is where the text ends */
            s.v.data[--s.v.len] = 0;
        r = value_done(R, path, &s);
    }
    if (r == 0)
        r = take_pending(R, path, &s, true);
    free(s.pend);
    az_buf_done(&s.v);
    free(line);
    fclose(f);
    return r;
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Does a file of a directory look like bundles? Its start is read: empty,
 * binary (a NUL byte: Thumbs.db, .xlsx) or text that is no JSON object
 * (desktop.ini) is skipped, named once with a note, and not counted as a
 * bundle. A file named on the command line is read whatever it holds. */
static bool bundle_file(struct run *R, const char *full, const struct stat *fs)
{
    unsigned char head[4096];
    size_t n = 0, i = 0;
    FILE *f = fopen(full, "rb");
    const char *ja = NULL, *en = NULL;

    if (f) {
        n = fread(head, 1, sizeof(head), f);
        fclose(f);
    } else {
        return true; /* take_file says why it cannot be opened */
    }
    if (n >= 3 && !memcmp(head, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    if (fs->st_size == 0 || i == n) {
        ja = "空のファイルです。飛ばしました";
        en = "empty file, skipped";
    } else if (memchr(head, 0, n)) {
        ja = "束のファイルではありません (バイナリ)。飛ばしました";
        en = "not a bundle file (binary), skipped";
    } else if (head[i] != '{') {
        ja = "束のファイルではありません ({ で始まりません)。飛ばしました";
        en = "not a bundle file (does not start with {), skipped";
    }
    if (!ja)
        return true;
    refuse_at(R, full, AZ_HUB_SKIPPED, "%s", "%s", R->ctx->lang == AZ_LANG_EN ? en : ja);
    return false;
}

static int take_path(struct run *R, const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int r = 0;

    if (stat(path, &st) < 0)
        return az_fail(R->ctx, AZ_EIO, "%s: 開けません: %s", "%s: cannot open: %s", path,
                       strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return take_file(R, path);
    if (!(d = opendir(path)))
        return az_fail(R->ctx, AZ_EIO, "%s: 開けません: %s", "%s: cannot open: %s", path,
                       strerror(errno));
    while ((e = readdir(d))) {
        char *full = NULL;
        struct stat fs;
        if (e->d_name[0] == '.')
            continue;
        if (az_strf(&full, "%s%s%s", path, *path && path[strlen(path) - 1] == '/' ? "" : "/",
                    e->d_name) < 0) {
            r = AZ_ENOMEM;
            break;
        }
        if (stat(full, &fs) == 0 && S_ISDIR(fs.st_mode)) {
            /* an inbox keeps what was taken in a subfolder ("済み"):
             * reading it would only bring replays */
            refuse_at(R, full, AZ_HUB_SKIPPED, "%s", "%s",
                      R->ctx->lang == AZ_LANG_EN
                          ? "a folder: not read (name it to ingest it)"
                          : "フォルダは読みません (取り込むときは指定してください)");
            free(full);
            continue;
        }
        if (stat(full, &fs) < 0 || !S_ISREG(fs.st_mode)) {
            free(full);
            continue;
        }
        if (!bundle_file(R, full, &fs)) {
            free(full);
            continue;
        }
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));
            if (!nn) {
                free(full);
                r = AZ_ENOMEM;
                break;
            }
            names = nn;
        }
        names[n++] = full;
    }
    closedir(d);
    if (r == AZ_ENOMEM)
        az_fail(R->ctx, AZ_ENOMEM, "メモリ不足", "out of memory");
    if (names)
        qsort(names, n, sizeof(*names), cmpstr);
    for (size_t i = 0; i < n; i++) {
        if (r == 0)
            r = take_file(R, names[i]);
        free(names[i]);
    }
    free(names);
    return r;
}

void az_hub_set_ingest_batch(struct az_hub *h, size_t n)
{
    h->ingest_batch = n;
}

int az_hub_ingest(struct az_ctx *ctx, struct az_hub *h, const char *const *paths, size_t npaths,
                  const unsigned char *hub_pk, const unsigned char *hub_sk, az_hub_note_fn note,
                  void *arg, struct az_hub_stats *stats)
{
    struct run R;
    int r;

    memset(&R, 0, sizeof(R));
    memset(stats, 0, sizeof(*stats));
    h->fy_at = 0; /* the default fiscal year may change: az_hub_default_fy asks again */
    R.ctx = ctx;
    R.c = h->c;
    R.hub_pk = hub_pk;
    R.hub_sk = hub_sk;
    R.note = note;
    R.arg = arg;
    R.st = stats;
    R.batch = 1;
    R.batch_max = h->ingest_batch ? h->ingest_batch : BATCH;
    for (int k = 0; k < 2; k++) {
        az_buf_init(&R.bt[k].year, SIZE_MAX);
        az_buf_init(&R.bt[k].repl, SIZE_MAX);
        az_buf_init(&R.bt[k].items, SIZE_MAX);
        az_buf_init(&R.bt[k].kev, SIZE_MAX);
        az_buf_init(&R.bt[k].find, SIZE_MAX);
        az_buf_init(&R.bt[k].bundles, SIZE_MAX);
    }
    R.cur = &R.bt[0];
    if ((r = hub_check_schema(ctx, h)) < 0 || (r = imap_load(ctx, h->c, &R.m)) < 0 ||
        (r = hub_exec(ctx, h->c,
                      "CREATE TEMP TABLE IF NOT EXISTS hub_st_year AS"
                      " SELECT * FROM inst_year WITH NO DATA;"
                      "CREATE TEMP TABLE IF NOT EXISTS hub_st_repl (prefecture smallint,"
                      " fiscal_year int, institution text)")) < 0)
        goto out;
    for (size_t i = 0; i < npaths && r == 0; i++)
        r = take_path(&R, paths[i]);
    if (r == 0) {
        r = flush(&R, true);
    } else if (R.fly) {
        /* a handed-over batch is whole: let it end, keep this error */
        struct az_ctx keep = *ctx;
        collect(&R);
        *ctx = keep;
    }
out:
    writer_stop(&R.w);
    imap_free(&R.m);
    for (int k = 0; k < 2; k++) {
        az_buf_done(&R.bt[k].year);
        az_buf_done(&R.bt[k].repl);
        az_buf_done(&R.bt[k].items);
        az_buf_done(&R.bt[k].kev);
        az_buf_done(&R.bt[k].find);
        az_buf_done(&R.bt[k].bundles);
    }
    return r;
}
