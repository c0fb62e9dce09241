// The directory in headless Chromium: tests/integration/test_directory.py
// starts slapd and quired and runs this script.
//
//   QUIRE_URL=http://127.0.0.1:8631 QUIRE_ADMIN=root QUIRE_ADMIN_PASSWORD=... \
//   QUIRE_TERMINAL_TOKEN=... QUIRE_NEW_CARD=... QUIRE_USER=s000012 \
//   QUIRE_PASSWORD=... QUIRE_SHOTS=/tmp/shots node tests/browser/directory_flow.mjs
//
// Steps (each prints "STEP <what>"; any failure exits 1 with the reason):
//  1. the admin console's Users tab shows the Directory card: where users
//     come from and the last sync's report; "Sync changes now" starts one
//     and its report replaces the last;
//  2. the kiosk: an unknown card asks for the user's name and password, and
//     once they are given the session opens as that user; the card alone
//     then logs them in.
import { flow } from './flow_util.mjs';

const { need, T, step, shot, open, run } = flow('directory_flow');

await run(async (browser) => {
  step('admin console: the directory card');
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await open(ctx, '/admin', 'admin');
  const form = page.locator('#login-form');
  await form.getByLabel('User name').fill(need('QUIRE_ADMIN'));
  await form.getByLabel('Password').fill(need('QUIRE_ADMIN_PASSWORD'));
  await form.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#tab-users').click();
  const card = page.locator('#directory');
  await card.waitFor({ state: 'visible', timeout: T });
  await page.locator('#directory-where').filter({ hasText: 'ldaps://' }).waitFor({ timeout: T });
  await page.locator('#directory-last').filter({ hasText: 'users read' }).waitFor({ timeout: T });
  // Which report is shown: its start time (two reports may read alike).
  const before = await page.locator('#directory-last').getAttribute('data-started');
  await page.locator('#directory-sync').click();
  await page.locator('#directory-status.ok').waitFor({ timeout: T });
  // The card polls while the sync runs; the Users tab reloads it.
  for (let i = 0; i < 60; i++) {
    await page.locator('#tab-fleet').click();
    await page.locator('#tab-users').click();
    await page.waitForTimeout(250);
    const now = await page.locator('#directory-last').getAttribute('data-started');
    const text = await page.locator('#directory-last').textContent();
    if (now !== before && /Incremental sync/.test(text)) break;
    if (i === 59) throw new Error('the sync started from the console never reported: ' + text);
  }
  await shot(page, 'directory-card');

  step('kiosk: an unknown card is enrolled');
  const kctx = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true });
  const kiosk = await open(kctx, '/kiosk#token=' + need('QUIRE_TERMINAL_TOKEN'), 'kiosk');
  await kiosk.locator('#card').fill(need('QUIRE_NEW_CARD'));
  await kiosk.locator('#card-form').getByRole('button', { name: 'Log in' }).click();
  await kiosk.locator('#status').filter({ hasText: 'not registered yet' }).waitFor({ timeout: T });
  await kiosk.locator('#user').fill(need('QUIRE_USER'));
  await kiosk.locator('#password').fill(need('QUIRE_PASSWORD'));
  await kiosk.locator('#password-form').getByRole('button', { name: 'Log in' }).click();
  await kiosk.locator('#session-view').waitFor({ state: 'visible', timeout: T });
  await kiosk.locator('#hello').filter({ hasText: 'Student' }).waitFor({ timeout: T });
  await shot(kiosk, 'kiosk-enrolled');
  await kiosk.locator('#session-logout').click();
  await kiosk.locator('#login-view').waitFor({ state: 'visible', timeout: T });
  await kiosk.locator('#card').fill(need('QUIRE_NEW_CARD'));
  await kiosk.locator('#card-form').getByRole('button', { name: 'Log in' }).click();
  await kiosk.locator('#session-view').waitFor({ state: 'visible', timeout: T });
});
