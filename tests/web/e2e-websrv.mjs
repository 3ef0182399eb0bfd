// SPDX-License-Identifier: MIT
// The issue-14 screens in Debian's chromium (playwright-core, TAP output):
// a ledger of many assets paged and filtered with the page's own form, the
// plan board's filters, the language switch returning to the same page, a
// signed-in 404 with the navigation, the newer-edition notice, a viewer's
// pages without forms, and the plain-http hint (fetched without TLS).
//
//   node tests/web/e2e-websrv.mjs   (env: PORT, SETUP_CODE)
import { connect } from 'node:net';
import { ok, done, browser, setupAdmin } from './e2e-lib.mjs';

const { PORT, SETUP_CODE } = process.env;
const BASE = `https://127.0.0.1:${PORT}`;
const PW = 'correct horse battery staple';

// plain http on the TLS port: the raw answer
function plainHttp() {
  return new Promise((resolve) => {
    let data = '';
    const s = connect(Number(PORT), '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    s.setEncoding('utf8');
    s.on('data', (d) => { data += d; });
    s.on('close', () => resolve(data));
    s.on('error', () => resolve(data));
    s.setTimeout(5000, () => s.destroy());
  });
}

const a = await browser();
const page = a.page;
let v = null;
try {
  // ---- the administrator ----
  await setupAdmin(page, BASE, SETUP_CODE, { pw: PW });
  await page.goto(BASE + '/');
  ok(await page.locator('#total').count() === 1, 'the administrator is signed in', page.url());

  // ---- the newer edition on the dashboard ----
  const notice = await page.locator('#newer-edition').textContent().catch(() => '');
  ok(notice.includes('令和8年度版'), 'the dashboard names the newer edition', notice);

  // ---- the ledger: a page at a time, filtered with its form ----
  await page.goto(BASE + '/ledger');
  ok(await page.locator('#assets tbody tr').count() === 100, 'the ledger shows 100 rows');
  await page.click('a[rel=next]');
  ok(page.url().endsWith('/ledger?page=2') && (await page.textContent('#assets')).includes('端末00100'),
    'the next link shows rows 101-200', page.url());
  await page.fill('#ledger-filter input[name=q]', '端末01234');
  await page.click('#ledger-filter button[type=submit]');
  ok(await page.locator('#assets tbody tr').count() === 1, 'the text filter finds one asset',
    await page.textContent('#assets'));
  await page.goto(BASE + '/ledger');
  await page.selectOption('#ledger-filter select[name=segment]', '検査');
  await page.check('#ledger-filter input[name=findings]');
  await page.click('#ledger-filter button[type=submit]');
  const shown = await page.locator('.pager .shown').getAttribute('data-count');
  ok(Number(shown) > 0 && Number(shown) <= 1000 && await page.locator('#assets tbody tr:not(.has-finding)').count() === 0,
    `segment and findings filters together (${shown} assets)`);
  await page.click('a[rel=next]').catch(() => {});
  ok(page.url().includes('segment=') && page.url().includes('findings=1'), 'the pager keeps the filters', page.url());

  // ---- the report still lists the ledger findings (the cached view
  // keeps them in a compact form) ----
  const rep = await (await a.ctx.request.get(BASE + '/reports/file?kind=report-html')).text();
  ok(rep.includes('端末00000') && rep.includes('端末01999'), 'the HTML report lists the ledger findings',
    rep.length);

  // ---- the language switch returns to the same page ----
  await page.goto(BASE + '/ledger?page=3');
  await page.click('a.lang');
  ok(page.url() === BASE + '/ledger?page=3', 'the language switch returns to the same page', page.url());
  ok((await page.getAttribute('html', 'lang')) === 'en', 'and the page is now in English');
  await page.click('a.lang');
  ok((await page.getAttribute('html', 'lang')) === 'ja', 'and back in Japanese');

  // ---- a signed-in 404 has the navigation ----
  const r = await page.goto(BASE + '/no-such-page');
  ok(r.status() === 404 && await page.locator('header nav a[href="/plan"]').count() === 1,
    'a signed-in 404 keeps the navigation');

  // ---- the plan board's filters ----
  await page.goto(BASE + '/plan');
  const all = Number(await page.locator('.pager .shown').getAttribute('data-count'));
  await page.selectOption('#plan-filter select[name=status]', 'verified');
  await page.click('#plan-filter button[type=submit]');
  const ver = Number(await page.locator('.pager .shown').getAttribute('data-count'));
  ok(page.url().includes('status=verified') && ver < all, `the status filter narrows the board (${ver} of ${all})`);

  // ---- a viewer: no forms ----
  await page.goto(BASE + '/admin/users');
  await page.fill('#add-user input[name=name]', 'viewer1');
  await page.selectOption('#add-user select[name=role]', 'viewer');
  await page.fill('#add-user input[name=password]', `${PW} 1reweiv!`);
  await page.click('#add-user button[type=submit]');
  v = await browser();
  await v.page.goto(BASE + '/login');
  await v.page.fill('input[name=name]', 'viewer1');
  await v.page.fill('input[name=password]', `${PW} 1reweiv!`);
  await v.page.click('main button[type=submit]');
  await v.page.goto(BASE + '/plan');
  ok(await v.page.locator('#board').count() === 1 && await v.page.locator('form.track').count() === 0
    && await v.page.locator('#board button').count() === 0, 'a viewer sees the plan board without 更新 buttons',
    v.page.url());
  await v.page.goto(BASE + '/assess');
  ok(await v.page.locator('.question').count() === 1 && await v.page.locator('form.answer').count() === 0,
    'a viewer sees the question without the answer form', v.page.url());
  await v.page.goto(BASE + '/ledger');
  ok(await v.page.locator('#assets').count() === 1 && await v.page.locator('input[type=file]').count() === 0,
    'a viewer sees the ledger without the upload form');

  // ---- plain http ----
  const hint = await plainHttp();
  ok(hint.startsWith('HTTP/1.1 400') && hint.includes(`https://127.0.0.1:${PORT}/`), 'plain http gets the https URL', hint);
} catch (e) {
  ok(false, 'the test ran to the end', e.stack);
} finally {
  await a.ctx.close();
  if (v) await v.ctx.close();
}
done();
