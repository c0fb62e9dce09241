// The admin console (/admin): the fleet with live state, reasons, supplies
// and alerts; printers and queues added, changed and removed (admin_fleet.js);
// users (list, create, disable, credit); jobs (filter by user, queue and
// state, pages, cancel, release); usage reports and a chart of pages per
// printer drawn as plain SVG (admin_reports.js). Administrators only: anyone
// else sees a notice.
import {
  api, badge, currentUser, el, EventStream, fill, FINAL_STATES, logout, say, shortTime, showLive, wireLogin,
} from './common.js';
import { loadPrinterChart, loadReport, wireReports } from './admin_reports.js';
import { loadDirectory, wireDirectory } from './admin_directory.js';
import { loadPrinterRecords, loadQueues, printerTools, rememberPrinter, resetFleet, wireFleet } from './admin_fleet.js';

const $ = (id) => document.getElementById(id);

const state = {
  me: null,
  stream: null,
  printers: new Map(),
  listings: 0, // how many listings of the printers arrived
  users: { after: '', next: null },
  jobs: { filter: {}, after: 0, next: null },
  chartTimer: null,
};

// ---- tabs -------------------------------------------------------------------

const TABS = ['fleet', 'queues', 'users', 'jobs', 'reports'];

function showTab(name) {
  for (const t of TABS) {
    $('tab-' + t).setAttribute('aria-selected', String(t === name));
    $(t).classList.toggle('hidden', t !== name);
  }
  if (name === 'queues') loadQueues();
  if (name === 'users') {
    loadUsers(state.users.after);
    loadDirectory();
  }
  if (name === 'jobs') loadJobs(state.jobs.after);
  if (name === 'reports') loadReport();
}

// ---- fleet --------------------------------------------------------------------

function printerCard(p) {
  const d = p.device || {};
  const supplies = (d.supplies || []).map((s) => el('div', { class: 'row' },
    el('span', { class: 'grow' }, s.description || 'supply'),
    s.percent === null || s.percent === undefined
      ? el('span', { class: 'muted' }, 'level unknown')
      : el('meter', { min: 0, max: 100, low: 20, high: 50, optimum: 100, value: s.percent,
        'aria-label': (s.description || 'supply') + ' ' + s.percent + '%' }, s.percent + '%'),
    s.state !== 'ok' ? badge(s.state) : null));
  const alerts = (d.alerts || []).map((a) => el('div', { class: a.severity === 'critical' ? 'error' : 'muted' },
    a.severity + ': ' + a.description));
  const seen = d.monitored
    ? (d.online ? 'online' : 'not answering') + (d.last_seen_ms ? ', last seen ' + shortTime(d.last_seen_ms) : '')
    : 'not monitored';
  return el('article', { class: 'printer', 'data-printer': p.name, 'data-state': p.state },
    el('h3', {}, el('span', {}, p.name), badge(p.state)),
    p.location || p.info ? el('div', { class: 'muted' }, [p.location, p.info].filter(Boolean).join(' – ')) : null,
    p.state_message ? el('div', { class: 'error' }, p.state_message) : null,
    p.reasons && p.reasons.length ? el('div', { class: 'mono' }, p.reasons.join(', ')) : null,
    el('div', {}, el('span', { class: 'queued' }, p.queued + ' waiting'), ' · ',
      el('span', { class: 'delivered' }, p.delivered + ' printed since start'),
      d.life_count !== undefined ? ' · counter ' + d.life_count : ''),
    el('div', { class: 'muted' }, 'Device: ' + seen),
    supplies, alerts, printerTools(p.name));
}

// Events redraw the cards: a focused button (Edit, Remove) keeps the focus.
function renderPrinters() {
  const list = [...state.printers.values()].sort((a, b) => a.name.localeCompare(b.name));
  const focused = document.activeElement;
  const card = focused && $('printers').contains(focused) ? focused.closest('.printer') : null;
  const action = card && focused.getAttribute('data-action');
  fill($('printers'), list.map(printerCard));
  if (action) {
    const again = $('printers').querySelector(
      `.printer[data-printer="${CSS.escape(card.dataset.printer)}"] [data-action="${action}"]`);
    if (again) again.focus();
  }
}

async function loadPrinters() {
  try {
    const r = await api('GET', '/api/v1/printers');
    state.printers = new Map(r.printers.map((p) => [p.name, p]));
    state.listings += 1;
    say($('printers-status'), '');
  } catch (e) {
    say($('printers-status'), 'The printers cannot be listed: ' + e.message, 'error');
  }
  renderPrinters();
  // Where each printer comes from (its record) is in GET /printers/{name}.
  loadPrinterRecords([...state.printers.keys()]).then(renderPrinters);
}

async function refreshPrinter(name) {
  const listings = state.listings;
  try {
    const p = await api('GET', '/api/v1/printers/' + encodeURIComponent(name));
    // A listing that arrived meanwhile without it: it was removed.
    if (state.listings !== listings && !state.printers.has(name)) return;
    rememberPrinter(p);
    state.printers.set(name, p);
    renderPrinters();
  } catch { /* the event's own data stays shown */ }
}

// ---- chart: pages per printer (admin_reports.js) ------------------------------

function loadChart() {
  return loadPrinterChart([...state.printers.keys()]);
}

function chartSoon() {
  clearTimeout(state.chartTimer);
  // The store's listing may show a job's last change a moment later.
  state.chartTimer = setTimeout(loadChart, 1500);
}

// ---- live events ----------------------------------------------------------------

function onEvent(ev) {
  const line = [shortTime(ev.time_ms), ev.type, ev.printer, ev.printer_state, ev.user, ev.job_id ? 'job ' + ev.job_id : '',
    ev.job_name ? '“' + ev.job_name + '”' : '', ev.text].filter(Boolean).join(' · ');
  const feed = $('feed');
  feed.prepend(el('li', { 'data-type': ev.type }, line));
  while (feed.children.length > 50) feed.lastChild.remove();
  if (ev.type.startsWith('printer.') && ev.printer) {
    const p = state.printers.get(ev.printer);
    if (p && ev.type === 'printer.state') {
      if (ev.printer_state) p.state = ev.printer_state;
      if (ev.reasons) p.reasons = ev.reasons;
      p.state_message = ev.text || '';
      renderPrinters();
    }
    refreshPrinter(ev.printer);
  }
  if (ev.type.startsWith('job.')) {
    if (ev.printer) refreshPrinter(ev.printer);
    if (ev.type === 'job.printed' || ev.type === 'job.charged') chartSoon();
    const row = document.querySelector('#job-rows tr[data-job-id="' + ev.job_id + '"]');
    if (row && ev.job_state) fill(row.querySelector('.state'), badge(ev.job_state));
  }
}

// ---- users ----------------------------------------------------------------------

async function loadUsers(after = '') {
  state.users.after = after;
  const q = new URLSearchParams({ limit: '50' });
  if (after) q.set('after', after);
  try {
    const r = await api('GET', '/api/v1/users?' + q);
    state.users.next = r.next;
    fill($('user-rows'), r.users.map(userRow));
    say($('users-status'), r.users.length ? '' : 'No users.');
  } catch (e) {
    say($('users-status'), e.message, 'error');
  }
  $('users-next').disabled = !state.users.next;
}

function userRow(u) {
  const logins = [u.source === 'directory' ? 'directory password' : u.password && 'password',
    u.cards && u.cards + ' card' + (u.cards > 1 ? 's' : ''), u.pin && 'PIN'].filter(Boolean).join(', ') || 'none';
  const status = u.disabled ? badge('failed', 'disabled')
    : u.directory_state === 'gone' ? badge('failed', 'gone from the directory')
      : u.directory_state === 'disabled' ? badge('failed', 'disabled in the directory') : badge('ok', 'enabled');
  return el('tr', { 'data-user': u.name },
    el('td', {}, u.name), el('td', { class: 'opt' }, u.display_name),
    el('td', {}, u.admin ? 'administrator' : 'user'), el('td', { class: 'opt' }, logins),
    el('td', {}, status),
    el('td', { class: 'actions' },
      el('button', { type: 'button', class: 'secondary', onclick: () => setDisabled(u, !u.disabled) },
        u.disabled ? 'Enable' : 'Disable'),
      // The print desk sends a forgotten PIN to the student's own mailbox;
      // it never sees the PIN itself.
      u.pin_by_mail && !u.disabled ? el('button', { type: 'button', class: 'secondary',
        'aria-label': 'E-mail ' + u.name + ' a new PIN', onclick: () => mailPin(u) }, 'E-mail new PIN') : false));
}

async function mailPin(u) {
  if (!window.confirm('E-mail ' + u.name + ' a new PIN? Their current PIN stops working.')) return;
  try {
    const r = await api('POST', '/api/v1/users/' + encodeURIComponent(u.name) + '/pin/generate');
    say($('users-status'), 'A new PIN for ' + u.name + ' was sent to ' + r.sent_to + '.', 'ok');
  } catch (e) {
    say($('users-status'), 'No PIN sent to ' + u.name + ': ' + e.message, 'error');
  }
  loadUsers(state.users.after);
}

async function setDisabled(u, disabled) {
  try {
    await api('PATCH', '/api/v1/users/' + encodeURIComponent(u.name), { body: { disabled } });
    say($('users-status'), (disabled ? 'Disabled ' : 'Enabled ') + u.name + '.', 'ok');
  } catch (e) {
    say($('users-status'), e.message, 'error');
  }
  loadUsers(state.users.after);
}

async function createUser(e) {
  e.preventDefault();
  const f = new FormData(e.target);
  const body = { name: String(f.get('name')).trim(), admin: f.get('admin') === 'on' };
  if (f.get('display_name')) body.display_name = String(f.get('display_name'));
  if (f.get('password')) body.password = String(f.get('password'));
  try {
    await api('POST', '/api/v1/users', { body });
    say($('new-user-status'), 'Created ' + body.name + '.', 'ok');
    e.target.reset();
    loadUsers(state.users.after);
  } catch (err) {
    say($('new-user-status'), err.message, 'error');
  }
}

async function credit(e) {
  e.preventDefault();
  const f = new FormData(e.target);
  const user = String(f.get('user')).trim();
  const status = $('credit-status');
  try {
    const path = '/api/v1/users/' + encodeURIComponent(user);
    const account = await api('GET', path + '/account');
    const amount = Math.round(parseFloat(String(f.get('amount')).replace(',', '.')) * 10 ** account.minor_digits);
    if (!Number.isFinite(amount) || amount === 0) return say(status, 'Give an amount other than 0.', 'error');
    const body = { amount, kind: amount > 0 ? 'topup' : 'adjust' };
    if (f.get('note')) body.note = String(f.get('note'));
    const after = await api('POST', path + '/credit', { body });
    say(status, user + ': balance now ' + after.balance_text + '.', 'ok');
    e.target.reset();
  } catch (err) {
    say(status, err.message, 'error');
  }
}

// ---- jobs -----------------------------------------------------------------------

async function loadJobs(after = 0) {
  state.jobs.after = after;
  const q = new URLSearchParams({ limit: '50', which: state.jobs.filter.which || 'active' });
  if (state.jobs.filter.user) q.set('user', state.jobs.filter.user);
  if (state.jobs.filter.queue) q.set('queue', state.jobs.filter.queue);
  if (after) q.set('after', String(after));
  try {
    const r = await api('GET', '/api/v1/jobs?' + q);
    state.jobs.next = r.next;
    const want = state.jobs.filter.state;
    const shown = want ? r.jobs.filter((j) => j.state === want) : r.jobs;
    fill($('job-rows'), shown.map(jobRow));
    say($('jobs-status'), shown.length ? '' : r.jobs.length ? 'No jobs in that state on this page.' : 'No jobs.');
  } catch (e) {
    say($('jobs-status'), e.message, 'error');
  }
  $('jobs-next').disabled = !state.jobs.next;
}

function jobRow(j) {
  const a = j.analysis || {};
  const actions = el('td', {});
  if (j.state === 'held') actions.append(el('button', { type: 'button', onclick: () => jobAction(j, 'release') }, 'Release'));
  if (!FINAL_STATES.includes(j.state))
    actions.append(' ', el('button', { type: 'button', class: 'danger', onclick: () => jobAction(j, 'cancel') }, 'Cancel'));
  return el('tr', { 'data-job-id': j.id },
    el('td', {}, String(j.id)), el('td', {}, j.name || j.document_name), el('td', {}, j.owner),
    el('td', { class: 'opt' }, j.queue), el('td', { class: 'state' }, badge(j.state)),
    el('td', { class: 'opt' }, a.status === 'done' ? String(a.pages) : ''),
    el('td', { class: 'opt' }, (j.price && j.price.text) || ''), el('td', { class: 'opt' }, j.printer),
    actions);
}

async function jobAction(j, what) {
  try {
    if (what === 'cancel') await api('DELETE', '/api/v1/jobs/' + j.id);
    else await api('POST', '/api/v1/jobs/' + j.id + '/release');
    say($('jobs-status'), (what === 'cancel' ? 'Canceled' : 'Released') + ' job ' + j.id + '.', 'ok');
  } catch (e) {
    say($('jobs-status'), e.message, 'error');
  }
  loadJobs(state.jobs.after);
}

// ---- session --------------------------------------------------------------------

async function start(me) {
  state.me = me;
  $('login-view').classList.add('hidden');
  $('logout').classList.remove('hidden');
  $('who').textContent = 'Logged in as ' + me.name;
  if (!me.admin) {
    $('not-admin-user').textContent = me.name;
    $('not-admin').classList.remove('hidden');
    return;
  }
  $('app').classList.remove('hidden');
  state.stream = new EventStream(['admin'], {
    onEvent, onGap: loadPrinters, onState: (st) => showLive($('live'), st, stop, $('login-status')),
  });
  await loadPrinters();
  loadChart();
}

async function stop() {
  if (state.stream) state.stream.stop();
  state.stream = null;
  resetFleet();
  await logout();
  for (const id of ['app', 'not-admin', 'logout', 'live']) $(id).classList.add('hidden');
  $('who').textContent = '';
  $('login-view').classList.remove('hidden');
}

async function main() {
  wireLogin($('login-form'), $('login-status'), start);
  $('logout').addEventListener('click', stop);
  for (const t of TABS) $('tab-' + t).addEventListener('click', () => showTab(t));
  $('new-user').addEventListener('submit', createUser);
  $('credit').addEventListener('submit', credit);
  $('users-first').addEventListener('click', () => loadUsers(''));
  wireDirectory();
  $('users-next').addEventListener('click', () => loadUsers(state.users.next));
  $('job-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    state.jobs.filter = { user: String(f.get('user')).trim(), queue: String(f.get('queue')).trim(),
      which: String(f.get('which')), state: String(f.get('state')) };
    loadJobs(0);
  });
  $('jobs-first').addEventListener('click', () => loadJobs(0));
  $('jobs-next').addEventListener('click', () => loadJobs(state.jobs.next));
  wireReports();
  wireFleet({
    printerNames: () => [...state.printers.keys()],
    reloadPrinters: async () => {
      await loadPrinters();
      loadChart();
    },
  });
  const me = await currentUser();
  if (me) start(me);
  else $('login-form').querySelector('input').focus();
}

main();
