// SPDX-License-Identifier: MIT
// The 記録 screen end to end in Debian's chromium (playwright-core, TAP):
// the wizard's questions about the yearly duties, adding records with an
// evidence file, errors that name the accepted forms and add nothing, the
// records as `anzen record list` sees them, the dashboard's next 30 days,
// a viewer who sees the records but cannot add one, and a POST without
// the CSRF token refused. Reference date 2025-11-24 (tests/web/lib.sh).
//
//   node tests/web/e2e-records.mjs   (env: ANZEN, PORT, WS, SETUP_CODE)
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ok, done, browser, setupAdmin } from './e2e-lib.mjs';

const { ANZEN, PORT, WS, SETUP_CODE } = process.env;
const BASE = `https://127.0.0.1:${PORT}`;
const PW = 'correct horse battery staple';
const VPW = 'quiet harbour lantern ninety!';
const HOSTILE = `<script>alert(1)</script> "quoted" 'single'`;

function cli(args) {
  try {
    return execFileSync(ANZEN, args, { cwd: WS, encoding: 'utf8', env: process.env });
  } catch (e) {
    return e.stdout;
  }
}

const { ctx, page } = await browser();
const outside = [];
page.on('request', (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith('data:')) outside.push(r.url()); });
const cspErrors = [];
page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) cspErrors.push(m.text()); });

const recordCount = () => JSON.parse(cli(['record', 'list', '--format', 'json'])).records.length;

try {
  // ---- first run: administrator with MFA ----
  await page.goto(BASE + '/');
  await setupAdmin(page, BASE, SETUP_CODE, { pw: PW });
  await page.click('text=続ける');
  ok(page.url() === BASE + '/', 'administrator signed in', page.url());

  // ---- the wizard asks about the yearly duties ----
  await page.goto(BASE + '/wizard');
  ok(await page.locator('#duties input[name=duty_bcp][value=unknown]').isChecked(),
    'nothing known yet: the BCP question starts at "分からない"');
  await page.fill('input[name=name]', 'みなと診療所 (試験)');
  await page.fill('input[name=beds]', '0');
  await page.check('input[name=medical_systems][value=yes]');
  await page.fill('input[name=sys0_name]', '電子カルテ');
  await page.fill('input[name=sys0_vendor]', 'A 社');
  await page.check('input[name=duty_bcp][value=yes]');
  await page.fill('input[name=duty_bcp_date]', '令和7年6月1日');
  await page.check('input[name=duty_contacts][value=no]');
  await page.check('input[name=duty_backup][value=yes]');
  await page.fill('input[name=duty_drill_date]', '2024-10-01');
  await page.selectOption('select[name=duty_drill_result]', 'ok');
  await page.check('input[name=duty_signatures][value=no]');
  await page.click('#wizard button[type=submit]');
  ok(page.url().startsWith(BASE + '/assess'), 'the wizard saves', page.url() + (await page.textContent('main')));
  const prof = readFileSync(join(WS, 'profile.yaml'), 'utf8');
  ok(/cyber-bcp: \{present: true\}/.test(prof) && /incident-contacts: \{present: false\}/.test(prof)
    && /backup: \{offline: true/.test(prof) && prof.includes('signatures: []'),
  'profile.yaml holds the answers (facts)', prof);
  let recs = JSON.parse(cli(['record', 'list', '--format', 'json'])).records;
  ok(recs.length === 2 && recs.some((r) => r.kind === 'bcp' && r.date === '2025-06-01')
    && recs.some((r) => r.kind === 'drill' && r.date === '2024-10-01' && r.result === 'ok'),
  'the dated answers became records', recs);
  // saving again does not record the same things twice
  await page.goto(BASE + '/wizard');
  ok(await page.locator('#duties input[name=duty_bcp][value=yes]').isChecked(), 'the wizard shows the saved answer');
  await page.fill('input[name=duty_bcp_date]', '2025-06-01');
  await page.click('#wizard button[type=submit]');
  ok(recordCount() === 2, 'saving the wizard again adds no duplicate');
  // an unreadable date is refused with the forms to use
  await page.goto(BASE + '/wizard');
  await page.fill('input[name=duty_training_date]', '昨日');
  const wr = await Promise.all([page.waitForResponse((r) => r.url() === BASE + '/wizard' && r.request().method() === 'POST'),
    page.click('#wizard button[type=submit]')]);
  ok(wr[0].status() === 400 && (await page.textContent('.alert')).includes('令和8年5月1日'),
    'the wizard refuses an unreadable date and shows how to write it', await page.textContent('main'));
  ok(recordCount() === 2, 'nothing recorded from the refused wizard');

  // ---- the records screen ----
  await page.goto(BASE + '/');
  ok(await page.locator('nav a[href="/records"]').count() === 1, 'the navigation links to 記録');
  const due = await page.textContent('#due-soon');
  ok(due.includes('2025-10-01') && due.includes('期限切れ') && due.includes('復元訓練'),
    'the dashboard lists the overdue restore drill (12 months after 2024-10-01)', due);
  ok(due.includes('連絡体制図の見直し'), 'the contact chart (never recorded) is due now', due);
  await page.click('nav a[href="/records"]');
  ok(page.url() === BASE + '/records' && (await page.locator('nav a[aria-current=page]').textContent()) === '記録',
    'the records screen opens from the navigation', page.url());
  const rows = await page.locator('#records tbody tr').count();
  ok(rows === 2, 'the records screen lists the two records', rows);

  // add a drill with an evidence file
  const evDir = mkdtempSync(join(tmpdir(), 'anzen-ev-'));
  const evFile = join(evDir, '復元訓練報告.txt');
  writeFileSync(evFile, '2025-11-20 電子カルテのデータを戻した\n');
  const sum = createHash('sha256').update(readFileSync(evFile)).digest('hex');
  await page.selectOption('#add-record select[name=kind]', 'drill');
  await page.fill('#add-record input[name=date]', 'R7.11.20');
  await page.fill('#add-record input[name=by]', '事務長');
  await page.selectOption('#add-record select[name=result]', 'ok');
  await page.fill('#add-record input[name=restore_time]', '1時間30分');
  await page.fill('#add-record input[name=note]', HOSTILE);
  await page.setInputFiles('#add-record input[name=file]', evFile);
  await page.click('#add-record button[type=submit]');
  ok(page.url().startsWith(BASE + '/records?added=') && (await page.textContent('#records-msg')).includes('記録しました'),
    'a drill is recorded (303 to the list)', page.url());
  const first = page.locator('#records tbody tr').first();
  const rowText = await first.textContent();
  ok(rowText.includes('2025-11-20') && rowText.includes('復元訓練') && rowText.includes('成功')
    && rowText.includes('90') && rowText.includes('事務長') && rowText.includes(HOSTILE),
  'the new record is listed first, the note shown as text', rowText);
  const body = await (await ctx.request.get(BASE + '/records')).text();
  ok(!body.includes('<script>alert(1)') && body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'),
    'the note is escaped in the HTML');
  recs = JSON.parse(cli(['record', 'list', '--format', 'json'])).records;
  const drill = recs.find((r) => r.date === '2025-11-20');
  ok(drill && drill.kind === 'drill' && drill.minutes === 90 && drill.result === 'ok' && drill.by === '事務長'
    && drill.recorded_by && drill.sha256 === sum && existsSync(join(WS, drill.file)),
  'anzen record list sees it, with the evidence hashed and copied', drill);
  ok(cli(['workspace', 'evidence', 'cl-r7.h.backup-restore']).includes('[record] 復元訓練 2025-11-20'),
    'the record is evidence of the backup item');
  const kp = JSON.parse(cli(['keypoints', '--format', 'json']));
  const bt = kp.tracks.find((t) => t.id === 'backup');
  ok(bt.findings.some((f) => f.level === 'ok' && f.source === 'record' && f.en.includes('2025-11-20')),
    'the key point is satisfied by the new drill', bt);
  await page.goto(BASE + '/');
  ok(!(await page.textContent('#due-soon')).includes('復元訓練'), 'the dashboard no longer lists the drill');

  // errors name the accepted forms and add nothing
  await page.goto(BASE + '/records');
  const before = recordCount();
  await page.selectOption('#add-record select[name=kind]', 'training');
  await page.fill('#add-record input[name=date]', '2025-02-30');
  const [er] = await Promise.all([page.waitForResponse((r) => r.url() === BASE + '/records' && r.request().method() === 'POST'),
    page.click('#add-record button[type=submit]')]);
  const emsg = await page.textContent('#records-msg');
  ok(er.status() === 400 && emsg.includes('2025-02-30') && emsg.includes('令和8年5月1日') && emsg.includes('R8.5.1'),
    'an impossible date is refused with the accepted forms', emsg);
  ok(await page.inputValue('#add-record input[name=date]') === '2025-02-30', 'what was typed is kept');
  await page.fill('#add-record input[name=date]', '2025-11-01');
  await page.selectOption('#add-record select[name=result]', 'failed');
  await page.click('#add-record button[type=submit]');
  ok((await page.textContent('#records-msg')).includes('バックアップと復元訓練だけ'), 'a result on training is refused');
  await page.selectOption('#add-record select[name=kind]', 'drill');
  await page.selectOption('#add-record select[name=result]', '');
  await page.fill('#add-record input[name=date]', '2026-01-01');
  await page.click('#add-record button[type=submit]');
  ok((await page.textContent('#records-msg')).includes('今日 (2025-11-24) より後'), 'a future date is refused');
  ok(recordCount() === before, 'no record added by the refused forms');
  const bad1 = await ctx.request.post(BASE + '/records', { multipart: { kind: 'bcp', date: '2025-11-01' }, maxRedirects: 0 });
  ok(bad1.status() === 403, 'a POST without the CSRF token is refused (403)', bad1.status());
  ok(recordCount() === before, 'nothing recorded by it');

  // ---- a viewer sees the records but cannot add one ----
  await page.goto(BASE + '/admin/users');
  await page.fill('#add-user input[name=name]', 'viewer');
  await page.selectOption('#add-user select[name=role]', 'viewer');
  await page.fill('#add-user input[name=password]', VPW);
  await page.click('#add-user button[type=submit]');
  ok((await page.textContent('body')).includes('追加しました'), 'viewer user added');
  await page.click('header button.link');
  await page.goto(BASE + '/login');
  await page.fill('input[name=name]', 'viewer');
  await page.fill('input[name=password]', VPW);
  await page.click('main button[type=submit]');
  await page.goto(BASE + '/records');
  ok(page.url() === BASE + '/records' && await page.locator('#records tbody tr').count() === before,
    'the viewer sees the records', page.url());
  ok(await page.locator('#add-record').count() === 0 && await page.locator('#records-viewer').count() === 1,
    'the viewer gets no form');
  const csrf = await page.getAttribute('input[name=csrf]', 'value');
  const vr = await ctx.request.post(BASE + '/records', { multipart: { kind: 'bcp', date: '2025-11-01', csrf }, maxRedirects: 0 });
  ok(vr.status() === 403, 'a viewer POST with a valid token is refused (403)', vr.status());
  ok(recordCount() === before, 'the viewer recorded nothing');

  ok(outside.length === 0, 'no request left the server', outside);
  ok(cspErrors.length === 0, 'no CSP violations', cspErrors);
} catch (e) {
  ok(false, 'the flow ran to the end', e.stack);
} finally {
  await ctx.close();
}
done();
