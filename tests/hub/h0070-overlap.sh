#!/bin/sh
# SPDX-License-Identifier: MIT
# anzen hub ingest writes a full batch on a writer thread while it reads
# the next one (issue #17). With small batches (ANZEN_HUB_BATCH, tests
# only) two institutions' bundles span several batches: a bundle checked
# against the bundle log while the batch holding the bundle it repeats is
# still being written must still be a replay, an institution's rows from
# the batch before are replaced (one set of item rows), the tables end as
# with one batch; and a batch whose COMMIT fails (a deferred constraint
# trigger of the test's own) is an error that leaves nothing of that
# batch nor of any later one, the batches before it kept.
. "${SRCDIR:?}/tests/hub/lib.sh"
PSQL="$PGBIN/psql -X -q -At"
sql() { $PSQL "$ANZEN_HUB_DB" -c "$1"; }
seq_of() { sql "select coalesce(last_sequence, 0) from institution where id = '$1'"; }
loads_of() { sql "select count(distinct load) from item_status where institution = '$1'"; }
bid() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["payload"]["bundle_id"])' "$1"; }

run "$ANZEN" hub init
expect_rc 0 "hub init"
run "$ANZEN" demo
expect_rc 0 "demo workspace"
(cd anzen-demo && "$ANZEN" submit --fingerprint >/dev/null 2>&1)
cp -r anzen-demo osaka
rm -f osaka/anzen-sign.key osaka/anzen-sign.pub osaka/anzen-submit.seq
(cd osaka && "$ANZEN" submit --fingerprint >/dev/null 2>&1)
for i in 1 2 3 4 5 6 7; do
    (cd anzen-demo && "$ANZEN" submit --id demo1 -o "$T/d$i.json" >/dev/null 2>&1)
done
for i in 1 2 3 4 5; do
    (cd osaka && "$ANZEN" submit --id osaka1 -o "$T/o$i.json" >/dev/null 2>&1)
done
[ -s d7.json ] && [ -s o5.json ] && ok "12 bundles of two institutions" || not_ok "submit"
enrol() {
    "$ANZEN" hub enrol --id demo1 --name "さくら内科" --type clinic --prefecture 13 \
        --key anzen-demo/anzen-sign.pub >/dev/null &&
        "$ANZEN" hub enrol --id osaka1 --name "なにわ病院" --type hospital --prefecture 27 \
            --key osaka/anzen-sign.pub >/dev/null
}
enrol && ok "enrol demo1 and osaka1" || not_ok "enrol"

run env ANZEN_HUB_BATCH=0 "$ANZEN" hub ingest d1.json
expect_rc 64 "ANZEN_HUB_BATCH=0 is a usage error"
expect_err "ANZEN_HUB_BATCH" "naming the variable"
[ "$(seq_of demo1)" = 0 ] && ok "and ingests nothing" || not_ok "ingested with a bad batch size"

# batches of 2 institutions: (d1 o1) written while d2 is read; d1 again
# waits for that batch and is a replay; (o3 d4) written while o2 and d3
# are found older than what it holds
cat d1.json o1.json d2.json d1.json o3.json d4.json o2.json d3.json >seq.jsonl
# every batch's COMMIT made slow (0.3 s a bundle), so the writer is still
# busy when the next bundles are checked
sql "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS
       \$\$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END \$\$;
     CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON bundle DEFERRABLE INITIALLY DEFERRED
       FOR EACH ROW EXECUTE FUNCTION slow()"
run env ANZEN_HUB_BATCH=2 "$ANZEN" --lang en hub ingest seq.jsonl
expect_rc 2 "batches of 2 (some refused)"
expect_out "8 bundles: 5 ingested (5 institutions), 1 replays, 2 older, 0 bad" \
    "d1 o1 d2 o3 d4 ingested, d1 a replay, o2 and d3 older"
grep -o 'seq.jsonl:[0-9]*' err | tr '\n' ' ' >lines.txt
[ "$(cat lines.txt)" = "seq.jsonl:4 seq.jsonl:7 seq.jsonl:8 " ] &&
    ok "refusals in the file's order" || not_ok "refusals: $(cat lines.txt)"
expect_err "seq.jsonl:4: bundle $(bid d1.json) was already accepted (replay)" \
    "d1 seen in the bundle log written by the batch before"
[ "$(seq_of demo1)" = 4 ] && [ "$(seq_of osaka1)" = 3 ] &&
    ok "demo1 at 4, osaka1 at 3" || not_ok "sequences $(seq_of demo1) $(seq_of osaka1)"
[ "$(sql "select bundle_id from inst_year where institution = 'demo1'")" = "$(bid d4.json)" ] &&
    ok "demo1's year row is d4's" || not_ok "demo1's year row"
[ "$(loads_of demo1)" = 1 ] && [ "$(loads_of osaka1)" = 1 ] &&
    ok "one set of item rows each (the earlier batches' rows replaced)" ||
    not_ok "item rows of $(loads_of demo1) and $(loads_of osaka1) batches"
[ "$(sql "select count(*) from bundle")" = 5 ] && ok "5 bundles logged" || not_ok "bundle log"
sql "DROP TRIGGER slow ON bundle"

# the same file in one batch (a database of its own): the same tables
dump() {
    $PSQL "$1" -c "select prefecture, fiscal_year, institution, bundle_id, applicable,
        satisfied, gaps, unanswered, overdue from inst_year order by 3" \
        -c "select institution, topic, status, overdue from item_status order by 1, 2" \
        -c "select institution, family, version from vpn_kev order by 1, 2, 3" \
        -c "select institution, rule, n from finding_count order by 1, 2" \
        -c "select id, last_signer, last_sequence, last_bundle from institution order by 1"
}
sql "CREATE DATABASE one"
ONE="host=$PGT user=hub dbname=one"
ANZEN_HUB_DB=$ONE "$ANZEN" hub init >/dev/null
(ANZEN_HUB_DB=$ONE && export ANZEN_HUB_DB && enrol)
ANZEN_HUB_DB=$ONE "$ANZEN" hub ingest -q seq.jsonl >/dev/null 2>&1 || true
dump "$ANZEN_HUB_DB" >small.txt
dump "$ONE" >one.txt
if [ -s one.txt ] && cmp -s small.txt one.txt; then
    ok "batches of 2 and one batch give the same tables"
else
    not_ok "tables differ with the batch size"
    diff small.txt one.txt | head -5 | sed 's/^/#   /'
fi

# a batch whose COMMIT fails: (d5 o4) committed, (o5 d6) refused at
# COMMIT by a deferred trigger while d7 is read; the error is reported,
# nothing of (o5 d6) nor d7 is written
sql "CREATE FUNCTION no_o5() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
       IF NEW.signer = 'osaka1' AND NEW.sequence = 5 THEN
         RAISE EXCEPTION 'test trigger: osaka1 sequence 5 refused at commit';
       END IF; RETURN NEW; END \$\$;
     CREATE CONSTRAINT TRIGGER no_o5 AFTER INSERT ON bundle DEFERRABLE INITIALLY DEFERRED
       FOR EACH ROW EXECUTE FUNCTION no_o5()"
cat d5.json o4.json o5.json d6.json d7.json >fail.jsonl
run env ANZEN_HUB_BATCH=2 "$ANZEN" --lang en hub ingest fail.jsonl
expect_rc 1 "a batch that fails to commit is an error"
expect_err "osaka1 sequence 5 refused at commit" "with the database's message"
expect_no_out "ingested" "and no count of ingested bundles"
[ "$(seq_of demo1)" = 5 ] && [ "$(seq_of osaka1)" = 4 ] &&
    ok "the batch before it kept (demo1 at 5, osaka1 at 4)" ||
    not_ok "sequences $(seq_of demo1) $(seq_of osaka1)"
[ "$(sql "select count(*) from bundle")" = 7 ] &&
    [ "$(sql "select count(*) from inst_year where bundle_id in
        ('$(bid d6.json)', '$(bid o5.json)', '$(bid d7.json)')")" = 0 ] &&
    ok "nothing of the failed batch nor of the next" || not_ok "rows of the failed batch"
[ "$(loads_of demo1)" = 1 ] && [ "$(loads_of osaka1)" = 1 ] &&
    ok "one set of item rows each" || not_ok "item rows after the failure"
sql "DROP TRIGGER no_o5 ON bundle"
run env ANZEN_HUB_BATCH=2 "$ANZEN" --lang en hub ingest fail.jsonl
expect_rc 2 "the same file once the trigger is gone"
expect_out "5 bundles: 3 ingested (3 institutions), 2 replays" \
    "o5 d6 d7 ingested now (the failed batch left no trace), d5 o4 replays"
[ "$(seq_of demo1)" = 7 ] && [ "$(seq_of osaka1)" = 5 ] && ok "demo1 at 7, osaka1 at 5" ||
    not_ok "sequences $(seq_of demo1) $(seq_of osaka1)"
done_testing
