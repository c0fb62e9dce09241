// PINs and enrolment codes in headless Chromium: tests/integration/
// test_pins.py starts quired with an SMTP sink and runs this script.
//
//   QUIRE_URL=http://127.0.0.1:8631 QUIRE_USER=eve QUIRE_PASSWORD=... \
//   QUIRE_TERMINAL_TOKEN=... QUIRE_NEW_CARD=... QUIRE_SHOTS=/tmp/shots \
//   node tests/browser/pins_flow.mjs
//
// Steps (each prints "STEP <what>"; any failure exits 1 with the reason):
//  1. the portal's "Logging in at a printer" card: "E-mail me a new PIN"
//     says where it went (the caller checks the mail), and "Get a code to
//     register a new card" shows an 8-digit code;
//  2. the kiosk: an unknown card offers the code form; the code opens the
//     session as the user, and the card alone logs them in afterwards.
import { flow } from './flow_util.mjs';

const { need, T, step, shot, open, run } = flow('pins_flow');

await run(async (browser) => {
  step('portal: a PIN by e-mail and an enrolment code');
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await open(ctx, '/', 'portal');
  const form = page.locator('#login-form');
  await form.getByLabel('User name').fill(need('QUIRE_USER'));
  await form.getByLabel('Password').fill(need('QUIRE_PASSWORD'));
  await form.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#pin-state').filter({ hasText: 'no PIN yet' }).waitFor({ timeout: T });
  await page.getByRole('button', { name: 'E-mail me a new PIN' }).click();
  await page.locator('#pin-status.ok').filter({ hasText: 'was sent to' }).waitFor({ timeout: T });
  await page.locator('#pin-state').filter({ hasText: 'You have a PIN' }).waitFor({ timeout: T });
  await page.getByRole('button', { name: 'Get a code to register a new card' }).click();
  await page.locator('#code-box').waitFor({ state: 'visible', timeout: T });
  const shown = (await page.locator('#code-value').textContent()).trim();
  if (!/^[0-9]{4} [0-9]{4}$/.test(shown)) throw new Error('the code shown is not two groups of four digits: ' + shown);
  await shot(page, 'portal-code');

  step('kiosk: an unknown card and the code');
  const kctx = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true });
  const kiosk = await open(kctx, '/kiosk#token=' + need('QUIRE_TERMINAL_TOKEN'), 'kiosk');
  await kiosk.locator('#code-login').waitFor({ state: 'hidden', timeout: T });
  await kiosk.locator('#card').fill(need('QUIRE_NEW_CARD'));
  await kiosk.locator('#card-form').getByRole('button', { name: 'Log in' }).click();
  await kiosk.locator('#status').filter({ hasText: 'enrolment code' }).waitFor({ timeout: T });
  await kiosk.locator('#code-login').waitFor({ state: 'visible', timeout: T });
  await kiosk.locator('#code').fill(shown);  // typed as shown, with its space
  await shot(kiosk, 'kiosk-code');
  await kiosk.getByRole('button', { name: 'Register this card' }).click();
  await kiosk.locator('#session-view').waitFor({ state: 'visible', timeout: T });
  await kiosk.locator('#hello').filter({ hasText: 'Eve Student' }).waitFor({ timeout: T });
  await kiosk.locator('#session-logout').click();
  await kiosk.locator('#login-view').waitFor({ state: 'visible', timeout: T });
  await kiosk.locator('#code-login').waitFor({ state: 'hidden', timeout: T });
  await kiosk.locator('#card').fill(need('QUIRE_NEW_CARD'));
  await kiosk.locator('#card-form').getByRole('button', { name: 'Log in' }).click();
  await kiosk.locator('#session-view').waitFor({ state: 'visible', timeout: T });
  await kiosk.locator('#session-logout').click();
});
