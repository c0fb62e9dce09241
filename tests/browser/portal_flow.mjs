// Quire's web UI end to end in headless Chromium (Debian's, driven by
// playwright-core). tests/integration/test_web_ui.py starts quired and runs
// this script; it can also run by hand against any quired:
//
//   QUIRE_URL=http://127.0.0.1:8631 QUIRE_USER=alice QUIRE_PASSWORD=... \
//   QUIRE_ADMIN=root QUIRE_ADMIN_PASSWORD=... QUIRE_TERMINAL_TOKEN=... \
//   QUIRE_CARD=CARD-ALICE QUIRE_PDF=/tmp/essay.pdf QUIRE_SHOTS=/tmp/shots \
//   node tests/browser/portal_flow.mjs
//
// Steps (each prints "STEP <what>"; any failure exits 1 with the reason):
//  1. the admin console logs in (its own browser context) and shows the
//     fleet; the printer QUIRE_PRINTER (default "demo") is listed;
//  2. the student logs in on the portal; the script prints "READY ipp" and
//     waits for a job named QUIRE_IPP_JOB (sent over IPP by the caller) to
//     appear as held, live;
//  3. unless QUIRE_UPLOAD=0: uploads QUIRE_PDF through the portal's form as
//     "web-essay" and sees it held, live;
//  4. the kiosk (/kiosk#token=...) strips the token from the address, logs
//     in by card, lists the jobs, prints them all;
//  5. the portal shows them printed (done), live, never reloaded; the admin
//     console's activity feed shows job.printed, the printer's count and
//     the chart; its queues, jobs and users tabs list them; a credit given
//     there changes the portal's balance, live;
//  6. unless QUIRE_UPLOAD=0: the portal releases one more upload itself
//     ("web-release", printed) and cancels another ("web-cancel");
//     the kiosk has logged the user out by itself after its idle delay;
//  7. the admin console's Reports tab shows the printer's jobs in the usage
//     report by printer, with a total, a chart and a CSV download;
//  7b. unless QUIRE_SINK_DIR is unset (the data folder's sink/): the admin
//     console adds a printer QUIRE_NEW_PRINTER (default "web-lab") with a
//     file: device there (after a refused device, keeping what was typed),
//     changes its description, adds a direct queue "<it>-now" on it,
//     changes the queue's location (each change sending only that field),
//     is refused removing the printer while the queue uses it (409), then
//     removes the queue and the printer; the configuration file's printer
//     and queue say where they come from and cannot be removed;
//  8. the portal creates an API token (shown once, qt_...), lists it by its
//     label, and revokes it;
//  9. the student opening /admin sees "Administrators only".
// It prints "JOB <name> <id>" for each job and "SHOT <path>" per screenshot.
import { flow } from './flow_util.mjs';

const { need, base, T, step, shot, open, run } = flow('portal_flow');
const env = process.env;
const user = need('QUIRE_USER');
const password = need('QUIRE_PASSWORD');
const admin = need('QUIRE_ADMIN');
const adminPassword = need('QUIRE_ADMIN_PASSWORD');
const token = need('QUIRE_TERMINAL_TOKEN');
const card = need('QUIRE_CARD');
const printer = env.QUIRE_PRINTER || 'demo';
const ipp = env.QUIRE_IPP_JOB || '';
const upload = env.QUIRE_UPLOAD !== '0';
const pdf = upload ? need('QUIRE_PDF') : '';
const sinkDir = (env.QUIRE_SINK_DIR || '').replace(/\/$/, '');
const newPrinter = env.QUIRE_NEW_PRINTER || 'web-lab';

async function logIn(page, name, pw) {
  const form = page.locator('#login-form');
  await form.getByLabel('User name').fill(name);
  await form.getByLabel('Password').fill(pw);
  await form.getByRole('button', { name: 'Log in' }).click();
}

async function jobId(page, list, name, state) {
  const row = page.locator(`${list} li[data-state="${state}"]`, { hasText: name }).first();
  await row.waitFor({ timeout: T });
  const id = await row.getAttribute('data-job-id');
  console.log(`JOB ${name} ${id}`);
  return id;
}

// The text a locator shows, once it contains `text` (the page decides when).
async function shows(locator, text) {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: T });
}

// Step 7b: printers and queues added, changed and removed in the console.
async function fleetEditing(page) {
  const queue = newPrinter + '-now';
  const sent = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (r.method() !== 'GET' && /^\/api\/v1\/(printers|queues)/.test(url.pathname))
      sent.push(r.method() + ' ' + url.pathname + ' ' + (r.postData() || ''));
  });
  const lastSent = (prefix) => [...sent].reverse().find((s) => s.startsWith(prefix)) || '';
  const expectSent = (prefix, body) => {
    const got = lastSent(prefix);
    if (JSON.stringify(JSON.parse(got.slice(prefix.length + 1))) !== JSON.stringify(body))
      throw new Error('expected ' + prefix + ' ' + JSON.stringify(body) + ', sent: ' + got);
  };

  step('admin console: the configuration file\'s printer cannot be removed');
  await page.getByRole('tab', { name: 'Fleet' }).click();
  const demo = page.locator(`.printer[data-printer="${printer}"]`);
  await shows(demo.locator('.tools'), 'From the configuration file');
  if (!(await demo.getByRole('button', { name: 'Remove printer ' + printer }).isDisabled()))
    throw new Error('the configuration file\'s printer can be removed');

  step('admin console: add a printer (a refused device first)');
  await page.getByRole('button', { name: 'Add a printer' }).click();
  const pf = page.locator('#printer-form');
  await pf.getByLabel('Name', { exact: true }).fill(newPrinter);
  await pf.getByLabel('Device URI').fill('file:///tmp/quire-outside-the-sink/' + newPrinter);
  await pf.getByLabel('Location').fill('Web room 1');
  await pf.getByLabel('Make and model').fill('Sink 9000');
  await pf.getByRole('button', { name: 'Add printer' }).click();
  await page.locator('#printer-form-alert.error', { hasText: 'Not added' }).waitFor({ timeout: T });
  if ((await pf.getByLabel('Name', { exact: true }).inputValue()) !== newPrinter ||
      (await pf.getByLabel('Location').inputValue()) !== 'Web room 1')
    throw new Error('the printer form lost what was typed after an error');
  if ((await pf.getByLabel('Device URI').getAttribute('aria-invalid')) !== 'true')
    throw new Error('the refused device URI is not marked');
  await pf.getByLabel('Device URI').fill('file://' + sinkDir + '/' + newPrinter);
  await shot(page, 'admin-printer-form');
  await page.setViewportSize({ width: 412, height: 915 });
  await shot(page, 'admin-printer-form-phone');
  await page.setViewportSize({ width: 1100, height: 900 });
  await pf.getByRole('button', { name: 'Add printer' }).click();
  await shows(page.locator('#printers-status.ok'), 'Added the printer ' + newPrinter);
  const card = page.locator(`.printer[data-printer="${newPrinter}"]`);
  await shows(card, 'Web room 1');
  expectSent('POST /api/v1/printers', { name: newPrinter, device_uri: 'file://' + sinkDir + '/' + newPrinter,
    location: 'Web room 1', make_and_model: 'Sink 9000' });

  step('admin console: change the printer\'s description');
  await card.getByRole('button', { name: 'Edit printer ' + newPrinter }).click();
  await shows(page.locator('#printer-editor-title'), 'Change the printer ' + newPrinter);
  if ((await pf.getByLabel('Device URI').inputValue()) !== 'file://' + sinkDir + '/' + newPrinter)
    throw new Error('the edit form does not show the printer\'s device');
  await pf.getByLabel('Description').fill('By the door');
  await pf.getByRole('button', { name: 'Save changes' }).click();
  await shows(card, 'By the door');
  expectSent('PATCH /api/v1/printers/' + newPrinter, { info: 'By the door' });

  step('admin console: add a direct queue on it');
  await page.getByRole('tab', { name: 'Queues' }).click();
  const secure = page.locator('#queue-rows tr[data-queue="secure"][data-origin="config"]');
  await secure.waitFor({ timeout: T });
  if (!(await secure.getByRole('button', { name: 'Remove queue secure' }).isDisabled()))
    throw new Error('the configuration file\'s queue can be removed');
  await page.getByRole('button', { name: 'Add a queue' }).click();
  const qf = page.locator('#queue-form');
  await qf.getByLabel('Name', { exact: true }).fill(queue);
  await qf.getByLabel('Type').selectOption('direct');
  await qf.getByRole('checkbox', { name: newPrinter, exact: true }).check();
  await qf.getByLabel('Location').fill('Web room 1');
  await shot(page, 'admin-queue-form');
  await qf.getByRole('button', { name: 'Add queue' }).click();
  await shows(page.locator('#queues-status.ok'), 'Added the queue ' + queue);
  const row = page.locator(`#queue-rows tr[data-queue="${queue}"][data-origin="api"]`);
  await shows(row, newPrinter);
  await shows(row.locator('td.location'), 'Web room 1');

  step('admin console: change the queue\'s location');
  await row.getByRole('button', { name: 'Edit queue ' + queue }).click();
  await shows(page.locator('#queue-editor-title'), 'Change the queue ' + queue);
  if ((await qf.getByLabel('Location').inputValue()) !== 'Web room 1') throw new Error('the queue form is not filled');
  await qf.getByLabel('Location').fill('Web room 2');
  await qf.getByRole('button', { name: 'Save changes' }).click();
  await shows(row.locator('td.location'), 'Web room 2');
  expectSent('PATCH /api/v1/queues/' + queue, { location: 'Web room 2' });

  step('admin console: the printer cannot go while the queue uses it');
  await page.getByRole('tab', { name: 'Fleet' }).click();
  await card.getByRole('button', { name: 'Remove printer ' + newPrinter }).click();
  await page.getByRole('button', { name: 'Remove ' + newPrinter, exact: true }).click();
  await shows(page.locator('#printer-remove-alert.error'), 'used by queue');
  await shot(page, 'admin-printer-remove-refused');
  await page.getByRole('button', { name: 'Keep it' }).click();
  await page.locator('#printer-editor').waitFor({ state: 'hidden', timeout: T });
  await card.waitFor({ timeout: T });

  step('admin console: remove the queue, then the printer');
  await page.getByRole('tab', { name: 'Queues' }).click();
  await row.getByRole('button', { name: 'Remove queue ' + queue }).click();
  await page.getByRole('button', { name: 'Remove ' + queue, exact: true }).click();
  await shows(page.locator('#queues-status.ok'), 'Removed the queue ' + queue);
  await page.locator(`#queue-rows tr[data-queue="${queue}"]`).waitFor({ state: 'detached', timeout: T });
  await page.getByRole('tab', { name: 'Fleet' }).click();
  await card.getByRole('button', { name: 'Remove printer ' + newPrinter }).click();
  await page.getByRole('button', { name: 'Remove ' + newPrinter, exact: true }).click();
  await shows(page.locator('#printers-status.ok'), 'Removed the printer ' + newPrinter);
  await card.waitFor({ state: 'detached', timeout: T });
  console.log('FLEET removed ' + newPrinter + ' ' + queue);
}

await run(async (browser) => {
  const viewport = { width: 1100, height: 900 };
  const adminCtx = await browser.newContext({ viewport });
  const studentCtx = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true });
  const kioskCtx = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true });

  step('admin console: log in, fleet');
  const console_ = await open(adminCtx, '/admin', 'admin');
  await logIn(console_, admin, adminPassword);
  const card_ = console_.locator(`.printer[data-printer="${printer}"]`);
  await card_.waitFor({ timeout: T });
  await console_.locator('#live.ok').waitFor({ timeout: T });

  step('portal: log in');
  const portal = await open(studentCtx, '/', 'portal');
  await portal.evaluate(() => { window.quireNotReloaded = true; });
  await logIn(portal, user, password);
  await portal.locator('#live.ok').waitFor({ timeout: T });
  await portal.getByText('Logged in as ' + user).waitFor({ timeout: T });

  const ids = [];
  if (ipp) {
    console.log('READY ipp');  // the caller now sends a job over IPP
    step('portal: the IPP job appears held, live');
    ids.push(await jobId(portal, '#active-jobs', ipp, 'held'));
  }
  if (upload) {
    step('portal: upload a PDF');
    await portal.locator('#upload-file').setInputFiles(pdf);
    await portal.getByLabel('Title').fill('web-essay');
    await portal.getByRole('button', { name: 'Send to print' }).click();
    await portal.locator('#upload-status.ok').waitFor({ timeout: T });
    ids.push(await jobId(portal, '#active-jobs', 'web-essay', 'held'));
  }
  if (!ids.length) throw new Error('no job to release: set QUIRE_IPP_JOB or QUIRE_UPLOAD');
  // Wait for the prices (the analysis), so the kiosk shows them.
  for (const id of ids) {
    await portal.locator(`#active-jobs li[data-job-id="${id}"]`, { hasText: 'page' }).waitFor({ timeout: T });
  }
  await shot(portal, 'portal-held');

  step('kiosk: token from the fragment, card log-in');
  const kiosk = await open(kioskCtx, '/kiosk#token=' + encodeURIComponent(token) + '&idle=10', 'kiosk');
  await kiosk.locator('#card').waitFor({ state: 'visible', timeout: T });
  if (kiosk.url().includes('token=')) throw new Error('the kiosk left its token in the address: ' + kiosk.url());
  await kiosk.locator('#card').fill(card);
  await kiosk.locator('#card').press('Enter');  // what a USB card reader does
  for (const id of ids) await kiosk.locator(`#jobs li[data-job-id="${id}"]`).waitFor({ timeout: T });
  await shot(kiosk, 'kiosk-jobs');

  step('kiosk: print all');
  await kiosk.getByRole('button', { name: 'Print all' }).click();
  await kiosk.locator('#status.ok', { hasText: 'printing' }).waitFor({ timeout: T });

  step('portal: the jobs become printed, live');
  for (const id of ids) await portal.locator(`#done-jobs li[data-job-id="${id}"][data-state="done"]`).waitFor({ timeout: T });
  if (!(await portal.evaluate(() => window.quireNotReloaded === true))) throw new Error('the portal reloaded');
  await shot(portal, 'portal-printed');

  step('admin console: live activity and counts');
  await console_.locator('#feed li[data-type="job.printed"]').first().waitFor({ timeout: T });
  await console_.waitForFunction(([p, n]) => {
    const d = document.querySelector(`.printer[data-printer="${p}"] .delivered`);
    return d && parseInt(d.textContent, 10) >= n;
  }, [printer, ids.length], { timeout: T });
  // The chart (plain SVG, from the usage report by printer) counts the
  // printed pages per printer.
  await console_.waitForFunction(([p, n]) => {
    const svg = document.querySelector('#chart svg');
    const m = svg && (svg.getAttribute('aria-label') || '').match(new RegExp('[:,] ' + p + ' (\\d+)'));
    return m && parseInt(m[1], 10) >= n;
  }, [printer, ids.length], { timeout: T });
  await shot(console_, 'admin-fleet');

  step('admin console: queues, users, jobs; a credit shows live in the portal');
  await console_.getByRole('tab', { name: 'Queues' }).click();
  await console_.locator('#queue-rows tr[data-queue="secure"]').waitFor({ timeout: T });
  await console_.getByRole('tab', { name: 'Jobs' }).click();
  await console_.locator('#job-filter select[name="which"]').selectOption('completed');
  await console_.locator('#job-filter select[name="state"]').selectOption('done');
  await console_.locator('#job-filter').getByRole('button', { name: 'Show' }).click();
  for (const id of ids) await console_.locator(`#job-rows tr[data-job-id="${id}"]`).waitFor({ timeout: T });
  await shot(console_, 'admin-jobs');
  await console_.getByRole('tab', { name: 'Users' }).click();
  await console_.locator(`#user-rows tr[data-user="${user}"]`).waitFor({ timeout: T });
  const before = await portal.locator('#account').textContent();
  const credit = console_.locator('#credit');
  await credit.getByLabel('User name').fill(user);
  await credit.getByLabel('Amount').fill('1.00');
  await credit.getByRole('button', { name: 'Credit' }).click();
  await console_.locator('#credit-status.ok').waitFor({ timeout: T });
  await portal.waitForFunction((old) => document.getElementById('account').textContent !== old, before,
    { timeout: T });

  if (upload) {
    step('portal: release one job from the portal, cancel another');
    const send = async (title) => {
      await portal.locator('#upload-file').setInputFiles(pdf);
      await portal.getByLabel('Title').fill(title);
      await portal.getByRole('button', { name: 'Send to print' }).click();
      return jobId(portal, '#active-jobs', title, 'held');
    };
    const released = await send('web-release');
    await portal.locator(`#active-jobs li[data-job-id="${released}"]`).getByRole('button', { name: 'Release' }).click();
    await portal.locator(`#done-jobs li[data-job-id="${released}"][data-state="done"]`).waitFor({ timeout: T });
    const canceled = await send('web-cancel');
    portal.once('dialog', (d) => d.accept());
    await portal.locator(`#active-jobs li[data-job-id="${canceled}"]`).getByRole('button', { name: 'Cancel' }).click();
    await portal.locator(`#done-jobs li[data-job-id="${canceled}"][data-state="canceled"]`).waitFor({ timeout: T });
  }

  step('admin console: the usage report by printer, its CSV');
  await console_.getByRole('tab', { name: 'Reports' }).click();
  const reports = console_.locator('#report-form');
  await reports.getByLabel('By').selectOption('printer');
  await reports.getByRole('button', { name: 'Show' }).click();
  // Each printed job is charged: the printer has at least the jobs printed so far.
  await console_.waitForFunction(([p, n]) => {
    const row = document.querySelector(`#report-rows tr[data-key="${p}"]`);
    return row && parseInt(row.children[1].textContent, 10) >= n;
  }, [printer, ids.length], { timeout: T });
  await console_.locator('#report-total tr.total').waitFor({ timeout: T });
  await console_.locator('#report-chart svg[role="img"]').waitFor({ timeout: T });
  const csvHref = await console_.locator('#report-csv').getAttribute('href');
  if (!csvHref.includes('format=csv') || !csvHref.includes('by=printer')) throw new Error('CSV link: ' + csvHref);
  const csv = await console_.request.get(base + csvHref);  // the console's session cookie
  const csvText = await csv.text();
  if (csv.status() !== 200 || !csvText.startsWith('printer,jobs,') || !csvText.includes('\n' + printer + ','))
    throw new Error('the CSV download: ' + csv.status() + ' ' + csvText.slice(0, 200));
  await shot(console_, 'admin-reports');

  if (sinkDir) await fleetEditing(console_);
  else step('admin console: fleet editing left out (set QUIRE_SINK_DIR)');

  step('portal: an API token, shown once, listed, revoked');
  const tokens = portal.locator('#token-form');
  await tokens.getByLabel('Label').fill('ci-script');
  await tokens.getByLabel('Expires after (days)').fill('7');
  await tokens.getByRole('button', { name: 'Create token' }).click();
  await portal.locator('#token-new').waitFor({ state: 'visible', timeout: T });
  const secret = (await portal.locator('#token-value').textContent()).trim();
  if (!secret.startsWith('qt_')) throw new Error('the new token is not a qt_ token: ' + secret.slice(0, 8));
  const tokenRow = portal.locator('#tokens li', { hasText: 'ci-script' });
  await tokenRow.waitFor({ timeout: T });
  if ((await portal.locator('#tokens').textContent()).includes(secret)) throw new Error('the list shows the token');
  const asToken = await fetch(base + '/api/v1/whoami', { headers: { Authorization: 'Bearer ' + secret } });
  if (asToken.status !== 200) throw new Error('the new token does not authenticate: ' + asToken.status);
  await portal.getByRole('button', { name: 'I have stored it, hide it' }).click();
  await portal.locator('#token-new').waitFor({ state: 'hidden', timeout: T });
  if ((await portal.content()).includes(secret)) throw new Error('the token is still in the page after hiding it');
  await shot(portal, 'portal-tokens');
  portal.once('dialog', (d) => d.accept());
  await tokenRow.getByRole('button', { name: 'Revoke the token ci-script' }).click();
  await tokenRow.waitFor({ state: 'detached', timeout: T });
  await portal.locator('#tokens-status.ok', { hasText: 'Revoked' }).waitFor({ timeout: T });
  const revoked = await fetch(base + '/api/v1/whoami', { headers: { Authorization: 'Bearer ' + secret } });
  if (revoked.status !== 401) throw new Error('the revoked token still authenticates: ' + revoked.status);

  step('kiosk: logs out by itself when idle');
  await kiosk.locator('#card').waitFor({ state: 'visible', timeout: 30000 });
  await kiosk.locator('#status', { hasText: 'without activity' }).waitFor({ timeout: T });

  step('a student on /admin: administrators only');
  const otherCtx = await browser.newContext({ viewport });
  const denied = await open(otherCtx, '/admin', 'admin-denied');
  await logIn(denied, user, password);
  await denied.getByText('Administrators only').waitFor({ timeout: T });
  if (await denied.locator('#app').isVisible()) throw new Error('the console showed its sections to a student');
  await shot(denied, 'admin-denied');
});
