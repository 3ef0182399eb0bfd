// SPDX-License-Identifier: MIT
// End-to-end test of the web UI in Debian's chromium driven by
// playwright-core (TAP output): first run, administrator, TOTP enrolment
// (the test computes the codes), the profile wizard, answering items,
// the dashboard against `anzen status`, downloads (the HTML report, and the
// checklist and vendor forms as XLSX opened with LibreOffice), a vendor user who must
// not see other vendors' forms, CSRF and session-fixation attempts, wrong
// and replayed TOTP codes, hostile strings (markup, quotes, a right-to-left
// override) typed into the forms and shown as text. With SCREENSHOTS=DIR
// it also saves the main screens there (docs/img is made this way).
//
//   node tests/web/e2e.mjs   (env: ANZEN, PORT, WS, SETUP_CODE)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, done, totp, browser, xlsxCsv } from './e2e-lib.mjs';

const { ANZEN, PORT, WS, SETUP_CODE, SCREENSHOTS } = process.env;
const BASE = `https://127.0.0.1:${PORT}`;
const PW = 'correct horse battery staple';
// typed into the forms; must come back as text on every page that shows it
const HOSTILE = `<script>alert(1)</script> "quoted" 'single' &amp; \u202Eevil`;
const HOSTILE_HTML = '&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &#39;single&#39; &amp;amp; \uFFFDevil';
// other users' passwords: long, and without the user name in them
const upw = (name) => `${PW} ${[...name].reverse().join('')}!`;

// The raw HTML of path (as the server sent it, not the browser's DOM)
// holds the hostile string escaped in each of the `what` places that show
// it, and nowhere raw.
async function escapedIn(path, what) {
  const body = await (await ctx.request.get(BASE + path)).text();
  const raw = body.includes('<script>alert(1)') || body.includes('\u202E') || body.includes('"quoted"')
    || body.includes("'single'");
  const n = body.split(HOSTILE_HTML).length - 1;
  ok(!raw && n === what, `${path}: the hostile string is escaped in all ${what} places (${n})`,
    body.slice(Math.max(0, body.indexOf('alert') - 200), body.indexOf('alert') + 200));
}

async function shot(page, name) {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
}

// Click the link of selector and return the download's suggested name and path.
async function download(selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: dl.suggestedFilename(), file: await dl.path() };
}

function cli(args) {
  try {
    return execFileSync(ANZEN, args, { cwd: WS, encoding: 'utf8', env: process.env });
  } catch (e) {
    return e.stdout; // status exits 2 while there are gaps
  }
}

const { ctx, page } = await browser({ acceptDownloads: true });
// nothing may leave the machine: every request goes to our server
const outside = [];
page.on('request', (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith('data:')) outside.push(r.url()); });
const cspErrors = [];
page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) cspErrors.push(m.text()); });

try {
  // ---- first run: create the administrator ----
  await page.goto(BASE + '/');
  ok(page.url() === BASE + '/setup', 'first run lands on the setup page', page.url());
  await shot(page, 'setup.png');
  await page.fill('input[name=code]', SETUP_CODE);
  await page.fill('input[name=name]', 'admin');
  await page.fill('input[name=display]', '院長 山田');
  await page.fill('input[name=password]', PW);
  await page.fill('input[name=password2]', PW);
  await page.click('main button[type=submit]');
  ok(page.url() === BASE + '/mfa', 'the administrator must enrol MFA next', page.url() + (await page.textContent('main')));
  ok(await page.locator('.qr-box svg path').count() === 1, 'the QR code is an inline SVG');
  await shot(page, 'mfa-enrol.png');
  const secret = (await page.textContent('#totp-secret')).trim();
  ok(/^[A-Z2-7]{32}$/.test(secret), 'a 160-bit base32 secret is shown', secret);
  // the dashboard is out of reach until MFA is on
  await page.goto(BASE + '/');
  ok(page.url() === BASE + '/mfa', 'no dashboard before enrolment');
  await page.fill('input[name=code]', totp(secret, Date.now() / 1000 - 3600));
  await page.click('main button[type=submit]');
  ok((await page.textContent('body')).includes('確認コードが違います'), 'enrolment with a wrong code fails', await page.textContent('main'));
  await page.fill('input[name=code]', totp(secret));
  await page.click('main button[type=submit]');
  const codes = await page.locator('#recovery-codes code').allTextContents();
  ok(codes.length === 10 && codes.every((c) => /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/.test(c)),
    'ten recovery codes are shown once', codes);
  await page.click('text=続ける');
  ok(page.url() === BASE + '/', 'signed in after enrolment', page.url());

  // ---- profile wizard ----
  await page.goto(BASE + '/wizard');
  await page.fill('input[name=name]', 'さくら内科クリニック (試験)');
  await page.selectOption('select[name=type]', 'clinic');
  await page.fill('input[name=beds]', '19');
  await page.check('input[name=medical_systems][value=yes]');
  await page.check('input[name=ops_staff][value=no]');
  await page.check('input[name=outsourced][value=no]');
  await page.fill('input[name=sys0_name]', '電子カルテ');
  await page.fill('input[name=sys0_vendor]', 'A 社');
  await page.check('input[name=sys0_remote]');
  await page.fill('input[name=sys1_name]', 'レセコン');
  await page.selectOption('select[name=sys1_hosting]', 'cloud');
  await page.fill('input[name=sys1_vendor]', 'B 社');
  await shot(page, 'wizard.png');
  await page.click('#wizard button[type=submit]');
  ok(page.url().startsWith(BASE + '/assess'), 'the wizard leads to the questionnaire', page.url());
  const prof = readFileSync(join(WS, 'profile.yaml'), 'utf8');
  ok(prof.includes('さくら内科クリニック (試験)') && prof.includes('A 社') && prof.includes('cloud'),
    'profile.yaml is written as the CLI writes it', prof);

  // ---- answer items, one card at a time ----
  const answers = ['yes', 'no', 'yes', 'na', 'yes', 'no', 'yes'];
  for (let i = 0; i < answers.length; i++) {
    const item = await page.getAttribute('section.question', 'data-item');
    await page.check(`input[name=answer][value=${answers[i]}]`);
    if (answers[i] === 'no') await page.fill('input[name=target]', '2026-03-31');
    if (i === 1) await shot(page, 'question.png');
    await page.click('form.answer button[type=submit]');
    const next = await page.getAttribute('section.question', 'data-item');
    ok(next && next !== item, `answer ${i + 1} (${answers[i]}) saved, next card shown`, [item, next]);
  }
  const ans = readFileSync(join(WS, 'answers.yaml'), 'utf8');
  ok((ans.match(/answer:/g) || []).length === answers.length, 'answers.yaml holds every answer', ans);

  // ---- the dashboard equals anzen status ----
  await page.goto(BASE + '/');
  await shot(page, 'dashboard.png');
  const status = JSON.parse(cli(['status', '--format', 'json']));
  const total = await page.$eval('#total', (e) => ({ ...e.dataset }));
  const t = status.total;
  ok(+total.satisfied === t.satisfied && +total.applicable === t.applicable && +total.gaps === t.gaps
    && +total.unanswered === t.unanswered && +total.overdue === t.overdue && +total.na === t.na,
  'dashboard totals equal anzen status', { web: total, cli: t });
  ok(t.satisfied === 4 && t.gaps === 2 && t.na === 1, 'the numbers are the answers given', t);
  for (const role of ['management', 'planning', 'operations']) {
    const d = await page.$eval(`#role-${role}`, (e) => ({ ...e.dataset }));
    const r = status.roles[role];
    ok(+d.satisfied === r.satisfied && +d.applicable === r.applicable && +d.gaps === r.gaps
      && +d.unanswered === r.unanswered, `role ${role} equals anzen status`, { web: d, cli: r });
  }
  const overdueWeb = await page.locator('#overdue li:not(.none)').count();
  const overdueCli = status.items.filter((x) => x.overdue && (x.status === 'gap' || x.status === 'unanswered')).length;
  ok(overdueWeb === overdueCli, `overdue list matches (${overdueWeb})`, [overdueWeb, overdueCli]);
  ok((await page.textContent('#deadlines')).includes('2027-03-31'), 'the FY2027 2FA deadline is shown');
  ok(await page.locator('#next li:not(.none)').count() >= 1, 'next actions are listed');

  // ---- plan board ----
  await page.goto(BASE + '/plan');
  const cards = await page.locator('.column[data-status=open] article').count();
  ok(cards === 2, `the plan has a card per no (${cards})`);
  const first = page.locator('.column[data-status=open] article').first();
  const planItem = await first.getAttribute('data-item');
  await first.locator('form.track').nth(1).locator('select[name=status]').selectOption('in-progress');
  await first.locator('form.track').nth(1).locator('input[name=owner]').fill('事務長');
  await first.locator('form.track').nth(1).locator('button').click();
  ok(await page.locator(`.column[data-status=in-progress] article[data-item="${planItem}"]`).count() === 1,
    'a plan card moves to in progress');
  await shot(page, 'plan.png');
  const plan = JSON.parse(cli(['plan', '--format', 'json']));
  const pi = (plan.items || plan).find ? (plan.items || plan).find((x) => (x.item || x.id) === planItem) : null;
  ok(JSON.stringify(plan).includes('事務長'), 'anzen plan sees the change made in the browser', pi);

  // ---- ledger upload ----
  await page.goto(BASE + '/ledger');
  await page.setInputFiles('input[name=csv]', {
    name: '台帳.csv', mimeType: 'text/csv',
    buffer: Buffer.from('種別,名称,管理者,システム,OS・ファームウェア,バージョン\r\n' +
      'VPN装置,VPN ルータ,,電子カルテ,FortiOS,6.0.4\r\nサーバ,カルテサーバ,A 社,電子カルテ,,\r\n'),
  });
  await page.click('form[enctype] button');
  ok((await page.textContent('#ledger-msg')).includes('取り込みました'), 'a CSV ledger is imported',
    await page.textContent('body'));
  ok(await page.locator('#assets tbody tr').count() === 2, 'the ledger lists the assets');
  ok(await page.locator('#findings li.gap').count() >= 1, 'the unmanaged VPN router is a finding');
  ok((await page.textContent('#findings')).includes('KEV (既知の悪用された脆弱性'),
    'its firmware is checked against KEV, as anzen ledger check does', await page.textContent('#findings'));
  await shot(page, 'ledger.png');
  await page.setInputFiles('input[name=csv]', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\r\n"x\r\n') });
  await page.click('form[enctype] button');
  ok((await page.textContent('#ledger-msg')).match(/bad\.csv:\d+/), 'a broken CSV is refused with its place',
    await page.textContent('#ledger-msg'));
  ok(await page.locator('#assets tbody tr').count() === 2, 'the broken CSV replaced nothing');

  // ---- downloads ----
  await page.goto(BASE + '/reports');
  await shot(page, 'reports.png');
  const day = process.env.ANZEN_TODAY;
  {
    const { name, file } = await download('a[href$="kind=report-html"]');
    const body = readFileSync(file, 'utf8');
    ok(name === `報告書-${day}.html`, 'the HTML report downloads with its Japanese name', name);
    cli(['report', '-o', 'report-cli.html']);
    const cliBody = readFileSync(join(WS, 'report-cli.html'), 'utf8');
    let at = 0;
    while (at < body.length && body[at] === cliBody[at]) at++;
    ok(body.startsWith('<!DOCTYPE html>') && body.includes('さくら内科クリニック (試験)')
      && body === cliBody, 'the HTML report is the one anzen report writes',
    `first difference at ${at}: web «${body.slice(Math.max(0, at - 80), at + 160)}» cli «${cliBody.slice(Math.max(0, at - 80), at + 160)}»`);
  }
  {
    const r = await ctx.request.get(BASE + '/reports/file?kind=checklist-xlsx');
    const cd = r.headers()['content-disposition'];
    ok(r.headers()['content-type'] === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
      && cd === `attachment; filename="anzen-checklist-${day}.xlsx"; filename*=UTF-8''`
        + encodeURIComponent(`チェックリスト-${day}.xlsx`),
    'the XLSX has its type and an RFC 6266 / 5987 file name', r.headers());
    const { name, file } = await download('a[href$="kind=checklist-xlsx"]');
    ok(name === `チェックリスト-${day}.xlsx`, 'the checklist form downloads with its Japanese name', name);
    const csv = xlsxCsv(file);
    // answer cells are the bare words (the instructions quote them in 「」)
    ok(csv.includes('"医療機関名","さくら内科クリニック (試験)"') && csv.includes('"はい"')
      && csv.includes('"いいえ"') && csv.includes('"対象外"') && csv.includes('2026/03/31'),
    'LibreOffice reads the institution and the answers in the XLSX',
    csv.slice(0, 600));
  }
  for (const kind of ['status-json', 'oscal-ar', 'oscal-poam', 'status-md']) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`a[href$="kind=${kind}"]`)]);
    const file = await dl.path();
    const body = readFileSync(file, 'utf8');
    if (kind === 'status-json') {
      ok(JSON.stringify(JSON.parse(body).total) === JSON.stringify(status.total),
        'the downloaded status JSON is anzen status --format json');
    } else if (kind.startsWith('oscal')) {
      ok(/"oscal-version": "1\.0\.4"/.test(body), `${kind} is OSCAL 1.0.4`);
    } else {
      ok(body.startsWith('# '), 'the Markdown status downloads');
    }
  }

  // ---- users: a vendor, an operations user ----
  await page.goto(BASE + '/admin/users');
  for (const [name, role, vendor] of [['vendor-a', 'vendor', 'A 社'], ['vendor-b', 'vendor', 'B 社'], ['ops', 'operations', '']]) {
    await page.fill('#add-user input[name=name]', name);
    await page.selectOption('#add-user select[name=role]', role);
    if (vendor) await page.selectOption('#add-user select[name=vendor]', vendor);
    await page.fill('#add-user input[name=password]', upw(name));
    await page.click('#add-user button[type=submit]');
    ok((await page.textContent('body')).includes('追加しました'), `user ${name} added`, await page.textContent('main'));
  }
  await shot(page, 'users.png');
  await page.click('header button.link'); // sign out

  // ---- a vendor sees only its own forms ----
  await page.goto(BASE + '/login');
  await page.fill('input[name=name]', 'vendor-a');
  await page.fill('input[name=password]', upw('vendor-a'));
  await page.click('main button[type=submit]');
  ok(page.url() === BASE + '/vendors', 'a vendor lands on its forms', page.url());
  const list = await page.textContent('#vendor-list');
  ok(list.includes('電子カルテ') && !list.includes('レセコン') && !list.includes('B 社'),
    'the vendor list shows only its own system', list);
  await page.goto(BASE + '/vendors?system=system-2');
  ok((await page.textContent('body')).includes('その様式はありません'), "another vendor's form is not found");
  for (const p of ['/', '/assess', '/plan', '/reports/file?kind=status-json', '/admin/users', '/ledger']) {
    const r = await page.goto(BASE + p);
    ok(page.url() === BASE + '/vendors' || r.status() === 403, `a vendor cannot open ${p}`, page.url());
  }
  await page.goto(BASE + '/vendors?system=system-1');
  await page.check('input[name=answer][value=yes]');
  await page.click('form.answer button[type=submit]');
  ok(readFileSync(join(WS, 'vendor-system-1.yaml'), 'utf8').includes('system: "system-1"'),
    'the vendor answers its form (vendor-system-1.yaml)');
  await page.goto(BASE + '/vendors');
  {
    const { name, file } = await download('a[href="/vendors/form?system=system-1"]');
    ok(name === '事業者確認用-system-1.xlsx', 'the vendor downloads its own form as XLSX', name);
    const csv = xlsxCsv(file);
    const item = readFileSync(join(WS, 'vendor-system-1.yaml'), 'utf8').match(/item: "?([\w.-]+)"?/)[1];
    ok(csv.includes('さくら内科クリニック (試験)') && csv.includes('電子カルテ')
      && new RegExp(`"はい",[^\n]*"${item.replace(/\./g, '\.')}"`).test(csv),
    `the vendor form names the institution and system and holds the answer given (${item})`,
    csv.slice(0, 900));
  }
  const otherForm = await ctx.request.get(BASE + '/vendors/form?system=system-2');
  ok(otherForm.status() === 404, "another vendor's form does not download", otherForm.status());
  const other = await ctx.request.post(BASE + '/vendors', {
    form: { system: 'system-2', item: 'cl-r7.v.security-lead', answer: 'yes',
      csrf: await page.getAttribute('input[name=csrf]', 'value') },
    maxRedirects: 0,
  });
  ok(other.status() === 404, "posting into another vendor's form is refused", other.status());
  await page.click('header button.link');

  // ---- CSRF ----
  await page.goto(BASE + '/login');
  await page.fill('input[name=name]', 'ops');
  await page.fill('input[name=password]', upw('ops'));
  await page.click('main button[type=submit]');
  ok(page.url() === BASE + '/', 'an operations user without MFA signs in with a password');
  const token = await page.getAttribute('input[name=csrf]', 'value');
  const noTok = await ctx.request.post(BASE + '/plan', { form: { item: planItem, track: 'interim', status: 'done' }, maxRedirects: 0 });
  ok(noTok.status() === 403, 'a POST without the CSRF token is refused', noTok.status());
  const wrongTok = await ctx.request.post(BASE + '/plan', { form: { item: planItem, track: 'interim', status: 'done', csrf: 'A'.repeat(43) }, maxRedirects: 0 });
  ok(wrongTok.status() === 403, 'a POST with a wrong CSRF token is refused');
  const crossSite = await ctx.request.post(BASE + '/plan', {
    form: { item: planItem, track: 'interim', status: 'done', csrf: token },
    headers: { Origin: 'https://evil.example' }, maxRedirects: 0,
  });
  ok(crossSite.status() === 403, 'a POST from another origin is refused even with the token');
  const good = await ctx.request.post(BASE + '/plan', { form: { item: planItem, track: 'interim', status: 'done', csrf: token }, maxRedirects: 0 });
  ok(good.status() === 303, 'the same POST with the token is accepted', good.status());
  await page.click('header button.link');

  // ---- session fixation ----
  const planted = 'F'.repeat(43);
  await ctx.addCookies([{ name: '__Host-anzen', value: planted, url: BASE + '/', secure: true, httpOnly: true, sameSite: 'Strict' }]);
  await page.goto(BASE + '/login');
  await page.fill('input[name=name]', 'admin');
  await page.fill('input[name=password]', PW);
  await page.click('main button[type=submit]');
  ok(page.url() === BASE + '/login/mfa', 'the administrator is asked for the code', page.url());
  const partial = (await ctx.cookies(BASE)).find((c) => c.name === '__Host-anzen').value;
  ok(partial !== planted, 'a planted session ID is replaced at login');

  // ---- wrong and replayed TOTP ----
  await page.fill('input[name=code]', totp(secret, Date.now() / 1000 - 600));
  await page.click('main button[type=submit]');
  ok(page.url() === BASE + '/login/mfa' && (await page.textContent('body')).includes('確認コードが違う'),
    'a wrong TOTP code is refused');
  await shot(page, 'login-mfa.png');
  // the current step's code was used by the enrolment moments ago: the
  // next step's is fresh and inside the accepted window of one step
  const code = totp(secret, Date.now() / 1000 + 30);
  await page.fill('input[name=code]', code);
  await page.click('main button[type=submit]');
  ok(page.url() === BASE + '/', 'the right TOTP code signs in');
  const full = (await ctx.cookies(BASE)).find((c) => c.name === '__Host-anzen').value;
  ok(full !== partial && full !== planted, 'the session ID changes again after the second factor');
  const old = await ctx.request.get(BASE + '/', { headers: { Cookie: `__Host-anzen=${partial}` }, maxRedirects: 0 });
  ok(old.status() === 303 && old.headers().location === '/login', 'the half-signed-in ID is dead', old.headers());
  await page.click('header button.link');
  const dead = await ctx.request.get(BASE + '/', { headers: { Cookie: `__Host-anzen=${full}` }, maxRedirects: 0 });
  ok(dead.headers().location === '/login', 'a signed-out session ID is dead');
  await page.goto(BASE + '/login');
  await page.fill('input[name=name]', 'admin');
  await page.fill('input[name=password]', PW);
  await page.click('main button[type=submit]');
  await page.fill('input[name=code]', code); // the same code again
  await page.click('main button[type=submit]');
  ok(page.url() === BASE + '/login/mfa' && (await page.textContent('body')).includes('すでに使われて'),
    'a replayed TOTP code is refused');
  await page.fill('input[name=code]', codes[0]);
  await page.click('main button[type=submit]');
  ok(page.url() === BASE + '/', 'a recovery code signs in');

  // ---- the audit log ----
  await page.goto(BASE + '/admin/audit');
  const audit = await page.textContent('#audit');
  for (const w of ['login', 'mfa-failed', 'mfa-replay', 'mfa-enrol', 'logout', 'create', 'import']) {
    ok(audit.includes(w), `the audit log records ${w}`);
  }
  await shot(page, 'audit.png');
  const log = JSON.parse(cli(['workspace', 'log', '--format', 'json']));
  ok(log.some((e) => e.who === 'admin' && e.object.startsWith('answers:')), 'answers are logged with the user');
  ok(log.some((e) => e.who === 'ops' && e.object.startsWith('plan:')), 'plan changes are logged with the user');
  ok(log.some((e) => e.who === 'vendor-a' && e.object.includes('system-1')), "the vendor's answers are logged with the vendor");
  ok(!JSON.stringify(log).includes('argon2id'), 'no password hash in the change log');

  // ---- English ----
  await page.click('a.lang');
  ok((await page.textContent('header')).includes('Dashboard'), 'the English switch works');
  await page.click('a.lang');

  // ---- hostile strings typed into the forms come back as text ----
  // (after the screenshots, which should show a normal clinic)
  await page.goto(BASE + '/wizard');
  await page.fill('input[name=name]', `さくら内科クリニック (試験) ${HOSTILE}`);
  await page.fill('input[name=sys2_name]', HOSTILE);
  await page.fill('input[name=sys2_vendor]', `C 社 ${HOSTILE}`);
  await page.click('#wizard button[type=submit]');
  ok(page.url().startsWith(BASE + '/assess'), 'the wizard takes the hostile strings', await page.textContent('main'));
  await page.goto(BASE + '/admin/users');
  await page.fill('#add-user input[name=name]', 'hostile');
  await page.fill('#add-user input[name=display]', HOSTILE);
  await page.selectOption('#add-user select[name=role]', 'operations');
  await page.fill('#add-user input[name=password]', upw('hostile'));
  await page.click('#add-user button[type=submit]');
  ok((await page.textContent('body')).includes('追加しました'), 'a user with a hostile display name is added');
  // the institution name, and the new system's name and vendor, on the
  // dashboard (vendor forms) and in the wizard; the system and vendor in
  // the vendor list; the display name and the vendor (a choice for vendor
  // users) on the users page
  await escapedIn('/', 5); // the name, the system and its vendor (twice: the vendor form due this year)
  await escapedIn('/wizard', 3);
  await escapedIn('/vendors', 2);
  await escapedIn('/admin/users', 2);
  await page.goto(BASE + '/');
  ok((await page.textContent('main h1')) === `さくら内科クリニック (試験) ${HOSTILE.replace('\u202E', '\uFFFD')}`,
    'the browser shows the hostile institution name as text', await page.textContent('main h1'));
  ok(await page.locator('body script').count() === 0, 'no script element came from the data');
  // the display name is in the header of every page the user sees
  await page.click('header button.link');
  await page.goto(BASE + '/login');
  await page.fill('input[name=name]', 'hostile');
  await page.fill('input[name=password]', upw('hostile'));
  await page.click('main button[type=submit]');
  ok(page.url() === BASE + '/', 'the hostile user signs in', page.url());
  // (plus, on the dashboard and the vendor list, the names above)
  for (const [p, k] of [['/', 6], ['/assess', 1], ['/plan', 1], ['/ledger', 1], ['/vendors', 3],
    ['/reports', 1], ['/account', 1]])
    await escapedIn(p, k);
  // and in the HTML report: escaped by the same renderer
  await page.goto(BASE + '/reports');
  {
    const body = readFileSync((await download('a[href$="kind=report-html"]')).file, 'utf8');
    ok(body.includes(`さくら内科クリニック (試験) ${HOSTILE_HTML}`) && !body.includes('<script>alert(1)')
      && !body.includes('\u202E') && !body.includes('"quoted"'),
    'the HTML report shows the hostile institution name escaped',
    body.slice(Math.max(0, body.indexOf('alert') - 200), body.indexOf('alert') + 200));
  }

  ok(outside.length === 0, 'no request leaves the server (CDN-free)', outside);
  ok(cspErrors.length === 0, 'no Content-Security-Policy violation on any page', cspErrors);
} catch (e) {
  ok(false, 'the browser run ended early', e.stack);
} finally {
  await ctx.close();
}
done();
