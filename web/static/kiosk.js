// The release kiosk (/kiosk): a printer panel's browser or a tablet beside
// the printer. It speaks the terminal API (/api/v1/terminal, openapi.yaml)
// with the terminal's bearer token, which an administrator gives once in
// the URL fragment (/kiosk#token=...): the page keeps it in localStorage and
// strips it from the address bar. A user logs in by card (a USB reader types
// the number and Enter), PIN, or user name and password; sees their held
// jobs with pages and price; releases one or all; and is logged out after a
// minute without a touch (`#token=...&idle=<seconds>`, 10 to 3600, sets
// another delay). The session token lives only in memory.
import { el, fill, say } from './common.js';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'quire.kiosk.token';
const IDLE_KEY = 'quire.kiosk.idle';
let IDLE_S = 60;        // log out after this long without input
const WARN_S = 15;      // show the countdown for the last seconds

const kiosk = {
  token: '',
  info: null,       // TerminalInfo
  session: null,    // the session token
  jobs: [],
  lastInput: Date.now(),
  idleTimer: null,
  infoTimer: null,
};

class TerminalError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(method, path, body) {
  const headers = { Authorization: 'Bearer ' + kiosk.token };
  if (kiosk.session) headers['Quire-Session'] = kiosk.session;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let r;
  try {
    r = await fetch('/api/v1/terminal' + path, { method, headers, credentials: 'omit', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new TerminalError(0, 'network', 'The print server cannot be reached. Try again in a moment.');
  }
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!r.ok) {
    throw new TerminalError(r.status, data && data.error ? data.error : 'http_' + r.status,
      data && data.message ? data.message : 'request failed (' + r.status + ')');
  }
  return data;
}

// A refusal that ends the session or the terminal's right to log users in.
function handleAuthError(e) {
  if (e.status !== 401) return false;
  if (e.code === 'session_closed' || e.code === 'no_session') {
    endSession('Your session ended. Log in again.');
    return true;
  }
  if (e.code === 'unauthorized') {
    showSetup("This terminal's token was refused: ask an administrator to register it again.");
    return true;
  }
  return false;
}

// ---- views ------------------------------------------------------------------

function show(view) {
  for (const v of ['setup-view', 'login-view', 'session-view']) $(v).classList.toggle('hidden', v !== view);
}

function showSetup(message) {
  kiosk.session = null;
  $('setup-message').textContent = message;
  $('forget-token').classList.toggle('hidden', !kiosk.token);
  show('setup-view');
}

function showPrinter(info) {
  $('printer-title').textContent = 'Release your print jobs at ' + info.printer +
    (info.location ? ' (' + info.location + ')' : '');
  const s = $('printer-state');
  s.className = 'badge ' + info.printer_state;
  s.textContent = info.printer_state === 'stopped'
    ? 'stopped' + (info.printer_message ? ': ' + info.printer_message : '') : info.printer_state;
}

function showLogin() {
  const l = kiosk.info.login;
  $('card-login').classList.toggle('hidden', !(l.card || l.card_pin));
  $('card-pin-label').classList.toggle('hidden', !(l.card_pin || l.card_requires_pin));
  $('card-pin').required = !!l.card_requires_pin || (!l.card && l.card_pin);
  $('pin-login').classList.toggle('hidden', !l.pin);
  $('password-login').classList.toggle('hidden', !l.password);
  $('code-login').classList.add('hidden');
  kiosk.pendingCard = '';
  for (const f of ['card-form', 'pin-form', 'password-form', 'code-form']) $(f).reset();
  show('login-view');
  const first = l.card || l.card_pin ? $('card') : l.pin ? $('pin') : $('user');
  first.focus();
}

async function loadInfo() {
  try {
    kiosk.info = await call('GET', '');
    showPrinter(kiosk.info);
    return true;
  } catch (e) {
    if (!handleAuthError(e)) say($('status'), e.message, 'error');
    return false;
  }
}

// ---- log in, log out ----------------------------------------------------------

async function logIn(creds, form) {
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  say($('status'), 'Logging in…');
  try {
    const s = await call('POST', '/sessions', creds);
    kiosk.session = s.session;
    say($('status'), '');
    await enterSession(s);
  } catch (e) {
    // An unknown card where cards may be enrolled: the password form, or
    // the code form shown now, binds it to whoever logs in there next.
    const enrol = e.code === 'login_failed' && creds.card && !creds.pin && !creds.user && !creds.code &&
      kiosk.info.login.enrol_cards;
    if (enrol) kiosk.pendingCard = creds.card;
    else if (!creds.code) kiosk.pendingCard = '';
    const byPassword = !$('password-login').classList.contains('hidden');
    $('code-login').classList.toggle('hidden', !kiosk.pendingCard);
    if (!handleAuthError(e)) {
      say($('status'), enrol ? 'This card is not registered yet. ' + (byPassword
        ? 'Log in with your user name and password, or type an enrolment code from the portal, '
        : 'Type an enrolment code from the portal ') + 'to register it to you.'
        : e.code === 'login_failed' ? 'Not recognised. Try again.' : e.message, 'error');
    }
    form.reset();
    if (enrol) {
      (byPassword ? $('user') : $('code')).focus();
      return;
    }
    form.querySelector('input').focus();
  } finally {
    button.disabled = false;
  }
}

async function enterSession(s) {
  $('hello').textContent = 'Hello, ' + (s.display_name || s.user);
  showBalance(s.account);
  show('session-view');
  touch();
  clearInterval(kiosk.idleTimer);
  kiosk.idleTimer = setInterval(checkIdle, 1000);
  if (s.released && s.released.length) showResults(s.released);
  await loadJobs();
}

function showBalance(a) {
  if (!a) return;
  const parts = [a.unlimited ? 'Postpaid account' : 'Credit: ' + a.available_text];
  if (a.quota) parts.push(a.quota.sheets_left + ' sheets left');
  $('balance').textContent = parts.join(' · ');
}

async function endSession(message) {
  clearInterval(kiosk.idleTimer);
  const had = kiosk.session;
  if (had) {
    try { await call('DELETE', '/session'); } catch { /* it ends anyway */ }
  }
  kiosk.session = null;
  kiosk.jobs = [];
  fill($('jobs'));
  if (kiosk.info) showLogin();
  say($('status'), message || '', message ? 'ok' : '');
}

function touch() {
  kiosk.lastInput = Date.now();
  $('idle').textContent = '';
}

function checkIdle() {
  if (!kiosk.session) return;
  const left = IDLE_S - Math.floor((Date.now() - kiosk.lastInput) / 1000);
  if (left <= 0) return endSession('Logged out after ' + IDLE_S + ' s without activity.');
  $('idle').textContent = left <= WARN_S ? 'Logging out in ' + left + ' s — touch the screen to stay.' : '';
}

// ---- jobs -------------------------------------------------------------------

async function loadJobs() {
  try {
    const r = await call('GET', '/session/jobs');
    kiosk.jobs = r.jobs;
  } catch (e) {
    if (!handleAuthError(e)) say($('status'), e.message, 'error');
    return;
  }
  fill($('jobs'), kiosk.jobs.map(jobRow));
  $('no-jobs').classList.toggle('hidden', kiosk.jobs.length > 0);
  $('print-all').disabled = kiosk.jobs.length === 0;
}

function jobRow(j) {
  const pages = j.pages + (j.pages === 1 ? ' page' : ' pages') + (j.colour ? ', colour' : '');
  const price = j.priced ? (j.price_text || 'free') : 'price not known yet';
  const pin = j.needs_pin
    ? el('label', {}, 'Job PIN', el('input', { type: 'password', inputmode: 'numeric', autocomplete: 'off',
      'data-pin-for': j.id, pattern: '[0-9]*' }))
    : null;
  return el('li', { 'data-job-id': j.id },
    el('div', { class: 'grow' },
      el('strong', {}, j.name || 'Job ' + j.id),
      el('div', { class: 'muted' }, [pages, price, j.delegated ? 'for ' + j.owner : '', j.queue].filter(Boolean)
        .join(' · '))),
    pin,
    el('div', { class: 'actions' },
      el('button', { type: 'button', onclick: () => release([j.id]), 'aria-label': 'Print ' + (j.name || j.id) },
        'Print'),
      el('button', { type: 'button', class: 'danger', onclick: () => removeJob(j),
        'aria-label': 'Delete ' + (j.name || j.id) }, 'Delete')));
}

function pinsFor(ids) {
  const pins = {};
  for (const input of document.querySelectorAll('input[data-pin-for]')) {
    const id = Number(input.getAttribute('data-pin-for'));
    if (input.value && (!ids || ids.includes(id))) pins[String(id)] = input.value;
  }
  return pins;
}

async function release(ids) {
  touch();
  const body = ids ? { jobs: ids } : { all: true };
  const pins = pinsFor(ids);
  if (Object.keys(pins).length) body.pins = pins;
  say($('status'), 'Sending to the printer…');
  try {
    const report = await call('POST', '/session/release', body);
    showResults(report.results);
    showBalance(report.account);
  } catch (e) {
    if (!handleAuthError(e)) say($('status'), e.message, 'error');
    return;
  }
  await loadJobs();
}

function showResults(results) {
  const ok = results.filter((r) => r.ok).length;
  const refused = results.filter((r) => !r.ok);
  const text = (ok ? ok + (ok === 1 ? ' job is printing.' : ' jobs are printing.') : '') +
    refused.map((r) => ' Job ' + r.job + ' not printed: ' + r.message).join('');
  say($('status'), text.trim() || 'Nothing to print.', refused.length ? 'error' : 'ok');
}

async function removeJob(j) {
  touch();
  try {
    await call('DELETE', '/session/jobs/' + j.id);
    say($('status'), 'Deleted ' + (j.name || 'job ' + j.id) + '.', 'ok');
  } catch (e) {
    if (!handleAuthError(e)) say($('status'), e.message, 'error');
  }
  await loadJobs();
}

// ---- start ------------------------------------------------------------------

function takeToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const given = fragment.get('token');
  const idle = Number(fragment.get('idle'));
  if (idle >= 10 && idle <= 3600) localStorage.setItem(IDLE_KEY, String(idle));
  if (given) localStorage.setItem(TOKEN_KEY, given);
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  const kept = Number(localStorage.getItem(IDLE_KEY));
  if (kept >= 10 && kept <= 3600) IDLE_S = kept;
  return localStorage.getItem(TOKEN_KEY) || '';
}

function wireForms() {
  $('card-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const creds = { card: $('card').value.trim() };
    if ($('card-pin').value) creds.pin = $('card-pin').value;
    logIn(creds, e.target);
  });
  $('pin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    logIn({ pin: $('pin').value }, e.target);
  });
  $('password-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const creds = { user: $('user').value.trim(), password: $('password').value };
    if (kiosk.pendingCard) creds.card = kiosk.pendingCard;
    kiosk.pendingCard = '';
    logIn(creds, e.target);
  });
  $('code-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (!kiosk.pendingCard) return;
    logIn({ card: kiosk.pendingCard, code: $('code').value.replace(/\s+/g, '') }, e.target);
  });
  $('print-all').addEventListener('click', () => release(null));
  $('session-logout').addEventListener('click', () => endSession('Logged out.'));
  $('forget-token').addEventListener('click', () => {
    localStorage.removeItem(TOKEN_KEY);
    kiosk.token = '';
    showSetup('This kiosk is not set up.');
  });
  // A card reader types into the focused field: a tap beside the forms
  // gives the focus back to the card number.
  $('login-view').addEventListener('click', (e) => {
    if (!e.target.closest('input, button, select, label') && !$('card-login').classList.contains('hidden')) $('card').focus();
  });
  for (const ev of ['pointerdown', 'keydown', 'input'])
    document.addEventListener(ev, () => { if (kiosk.session) touch(); }, { passive: true });
}

async function main() {
  wireForms();
  kiosk.token = takeToken();
  if (!kiosk.token) return showSetup('This kiosk is not set up.');
  if (await loadInfo()) showLogin();
  // Keep the printer's state fresh on the login screen.
  kiosk.infoTimer = setInterval(async () => {
    if (kiosk.session || !kiosk.token) return;
    try {
      kiosk.info = await call('GET', '');
      showPrinter(kiosk.info);
    } catch (e) {
      handleAuthError(e);
    }
  }, 30000);
  $('printer-state').classList.remove('hidden');
}

main();
