// SPDX-License-Identifier: MIT
// What the browser tests share (tests/web/e2e*.mjs): TAP output, an RFC
// 6238 code made with Node's HMAC (independent of the server's own
// implementation), Debian's chromium through playwright-core with a
// throw-away profile, and the first-run sign-up of the administrator with
// two-factor enrolment.
import { chromium } from 'playwright-core';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let n = 0;
let bad = 0;

// One TAP test line; info (a string or anything JSON can show) when it fails.
export function ok(cond, name, info) {
  n++;
  if (cond) {
    console.log(`ok ${n} - ${name}`);
  } else {
    bad++;
    console.log(`not ok ${n} - ${name}`);
    if (info !== undefined) {
      for (const l of String(typeof info === 'string' ? info : JSON.stringify(info)).split('\n').slice(0, 15))
        console.log(`#   ${l}`);
    }
  }
}

// The TAP plan, the browsers' profiles removed, and the exit status.
export function done() {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  console.log(`1..${n}`);
  process.exit(bad ? 1 : 0);
}

export function base32(s) {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, acc = 0;
  const out = [];
  for (const c of s.replace(/[\s=]/g, '').toUpperCase()) {
    acc = (acc << 5) | a.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((acc >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// The TOTP code of secret (base32) at time t (seconds).
export function totp(secret, t = Date.now() / 1000) {
  const ctr = Buffer.alloc(8);
  ctr.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const mac = createHmac('sha1', base32(secret)).update(ctr).digest();
  const off = mac[mac.length - 1] & 15;
  const v = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(v % 1000000).padStart(6, '0');
}

const dirs = [];
// Debian's chromium with a fresh profile (removed by done()): { ctx, page }.
export async function browser(extra = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'anzen-chromium-'));
  dirs.push(dir);
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium', headless: true, ignoreHTTPSErrors: true,
    viewport: { width: 1200, height: 900 }, locale: 'ja-JP',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    ...extra,
  });
  return { ctx, page: ctx.pages()[0] || await ctx.newPage() };
}

// The first run on page: the setup form (the server's setup code), then
// the TOTP enrolment. Returns the TOTP secret; the page is then on the
// page after enrolment (the recovery codes).
export async function setupAdmin(page, base, code, { name = 'admin', display = '院長 山田', pw }) {
  await page.goto(base + '/setup');
  await page.fill('input[name=code]', code);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=display]', display);
  await page.fill('input[name=password]', pw);
  await page.fill('input[name=password2]', pw);
  await page.click('main button[type=submit]');
  const secret = (await page.textContent('#totp-secret')).trim();
  await page.fill('input[name=code]', totp(secret));
  await page.click('main button[type=submit]');
  return secret;
}

// The first sheet of an XLSX file as CSV, by LibreOffice (a private
// profile per run, so it never touches another instance)
export function xlsxCsv(file) {
  const dir = mkdtempSync(join(tmpdir(), 'anzen-lo-'));
  try {
    copyFileSync(file, join(dir, 'in.xlsx'));
    execFileSync('soffice', [`-env:UserInstallation=file://${dir}/profile`, '--headless',
      '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1', '--outdir', dir,
      join(dir, 'in.xlsx')], { stdio: 'ignore', timeout: 180000 });
    return readFileSync(join(dir, 'in.csv'), 'utf8');
  } catch (e) {
    return `LibreOffice failed: ${e.message}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
