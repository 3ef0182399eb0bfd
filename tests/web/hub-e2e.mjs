// SPDX-License-Identifier: MIT
// The hub's web UI end to end in Debian's chromium driven by playwright-core
// (TAP output): first run with the setup code, TOTP enrolment (codes made
// here, independently of the server), the overview with its sections, the
// language switch, the institutions list and one institution, the XLSX
// report opened by LibreOffice, a prefecture user who signs in with TOTP
// and cannot open another prefecture's institution (IDOR), no request
// leaving the machine and no Content-Security-Policy violation.
//
//   node tests/web/hub-e2e.mjs   (env: ANZEN, PORT, STATE, SETUP_CODE)
import { execFileSync } from 'node:child_process';
import { ok, done, totp, browser, xlsxCsv } from './e2e-lib.mjs';

const { ANZEN, PORT, STATE, SETUP_CODE } = process.env;
const BASE = `https://127.0.0.1:${PORT}`;
const PW = 'correct horse battery staple';
const { ctx, page } = await browser({ acceptDownloads: true });
const outside = [];
page.on('request', (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith('data:')) outside.push(r.url()); });
const cspErrors = [];
page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) cspErrors.push(m.text()); });

async function enrol(who) {
  ok(page.url() === BASE + '/mfa', `${who} must enrol TOTP first`, page.url());
  const secret = (await page.textContent('#totp-secret')).trim();
  await page.fill('input[name=code]', totp(secret));
  await page.click('main button[type=submit]');
  const codes = await page.locator('#recovery-codes code').allTextContents();
  ok(codes.length === 10, `${who}: ten recovery codes`, codes);
  await page.click('text=続ける');
  return secret;
}

try {
  await page.goto(BASE + '/');
  ok(page.url() === BASE + '/setup', 'first run lands on the setup page', page.url());
  await page.fill('input[name=code]', SETUP_CODE);
  await page.fill('input[name=name]', 'admin');
  await page.fill('input[name=display]', '県 担当 (管理者)');
  await page.fill('input[name=password]', PW);
  await page.fill('input[name=password2]', PW);
  await page.click('main button[type=submit]');
  const adminSecret = await enrol('the administrator');
  ok(page.url() === BASE + '/', 'signed in, on the overview', page.url());
  ok((await page.textContent('h1')).includes('ハブの概要'), 'the overview in Japanese');
  ok(await page.locator('section[id^="sec-"]').count() >= 8, 'every section of the report is shown',
    await page.locator('section[id^="sec-"]').count());
  ok((await page.textContent('#sec-overdue_institutions')).includes('demo1'),
    'the overdue institutions name demo1', await page.textContent('#sec-overdue_institutions'));
  ok((await page.textContent('#sec-survey')).includes('二要素認証'), 'the survey comparison');
  await page.click('a.lang');
  ok((await page.textContent('h1')).includes('Hub overview'), 'the English switch keeps the page');
  await page.click('a.lang');
  await page.click('header nav >> text=機関');
  ok(page.url() === BASE + '/institutions', 'the institutions page from the navigation');
  ok(await page.locator('#institutions tbody tr').count() === 3, 'three institutions',
    await page.textContent('#institutions'));
  await page.fill('input[name=q]', 'なにわ');
  await page.click('main button[type=submit]');
  ok(await page.locator('#institutions tbody tr').count() === 1, 'the search narrows to one');
  await page.goto(BASE + '/institutions');
  await page.click('#institutions >> text=demo1');
  ok((await page.textContent('#inst-name')).includes('さくら内科'), 'one institution opens');
  ok(await page.locator('#items tbody tr').count() > 5, 'with its items',
    await page.locator('#items tbody tr').count());
  await page.goto(BASE + '/');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#dl-xlsx')]);
  ok(/^anzen-hub-\d{4}\.xlsx$/.test(dl.suggestedFilename()), 'the XLSX report downloads', dl.suggestedFilename());
  const csv = xlsxCsv(await dl.path());
  ok(csv.includes(',') && !csv.startsWith('LibreOffice failed'), 'LibreOffice opens the XLSX report',
    csv.slice(0, 300));
  await Promise.all([page.waitForURL(BASE + '/login'), page.click('header button:has-text("ログアウト")')]);
  ok(page.url() === BASE + '/login', 'signed out', page.url());

  // a prefecture user made with the CLI
  execFileSync(ANZEN, ['hub', 'user', 'add', 'tokyo', '--scope', 'prefecture:東京都', '--state', STATE,
    '--password-stdin'], { input: PW + '\n', stdio: ['pipe', 'ignore', 'ignore'] });
  await page.goto(BASE + '/login');
  await page.fill('input[name=name]', 'tokyo');
  await page.fill('input[name=password]', PW);
  await page.click('main button[type=submit]');
  await enrol('the Tokyo user');
  ok((await page.textContent('#scope')).includes('東京都'), 'the Tokyo user sees Tokyo',
    await page.textContent('#scope'));
  ok(!(await page.textContent('main')).includes('osaka1'), 'nothing of Osaka in the overview');
  const r = await page.goto(BASE + '/institution?id=osaka1');
  ok(r.status() === 404, 'IDOR: Osaka\'s institution by ID is 404 for Tokyo', r.status());
  ok(await page.locator('header nav a[href="/admin/users"]').count() === 0,
    'no user administration in the Tokyo user\'s navigation');
  ok(outside.length === 0, 'no request left the machine', outside);
  ok(cspErrors.length === 0, 'no Content-Security-Policy violation', cspErrors);
  void adminSecret;
} catch (e) {
  ok(false, 'the run finished', e.stack);
} finally {
  await ctx.close();
}
done();
