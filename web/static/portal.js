// The user portal (/): log in, "My jobs" kept live from the event stream,
// web print (upload), cancel and release, balance and ledger, and the
// queues' IPP addresses, the PIN and card enrolment codes (portal_pins.js),
// API tokens for scripts (portal_tokens.js). Talks only to the REST API and
// the WebSocket.
import {
  api, badge, currentUser, el, EventStream, fill, FINAL_STATES, logout, say, shortTime, showLive, wireLogin,
} from './common.js';
import { startPins, wirePins } from './portal_pins.js';
import { startTokens, wireTokens } from './portal_tokens.js';

const $ = (id) => document.getElementById(id);

// Quire's job states in the order a job goes through them: an answer from
// the store that is behind an event already seen never moves a job back.
const RANK = { receiving: 1, analysing: 2, held: 3, queued: 4, delivering: 5, done: 6, failed: 6, canceled: 6, expired: 6 };
const STATE_TEXT = {
  receiving: 'receiving', analysing: 'reading the document', held: 'held: release it at a printer',
  queued: 'released, waiting for the printer', delivering: 'printing', done: 'printed', failed: 'failed',
  canceled: 'canceled', expired: 'expired',
};
const TYPES = { pdf: 'application/pdf', ps: 'application/postscript', txt: 'text/plain', jpg: 'image/jpeg',
  jpeg: 'image/jpeg', png: 'image/png', pwg: 'image/pwg-raster' };

const state = {
  me: null,
  jobs: new Map(),   // id -> job (the API's Job, or what events told so far)
  queues: [],        // [{name, type, description, printers, ipp_uri}]
  stream: null,
};

// ---- jobs ---------------------------------------------------------------------

// Answers may arrive out of order (a listing or an earlier refresh after a
// later one): a job never moves back in state, and an analysis once known
// stays (it never goes away).
function merge(job) {
  const old = state.jobs.get(job.id);
  if (old && RANK[old.state] > RANK[job.state]) job = { ...job, state: old.state };
  const analysed = (j) => j && j.analysis && j.analysis.status === 'done';
  if (analysed(old) && !analysed(job)) job = { ...job, analysis: old.analysis, price: old.price };
  state.jobs.set(job.id, { ...old, ...job, partial: false });
}

async function loadJobs() {
  const mine = state.me.admin ? '&user=' + encodeURIComponent(state.me.name) : '';
  try {
    const [active, done] = await Promise.all([
      api('GET', '/api/v1/jobs?which=active&limit=200' + mine),
      api('GET', '/api/v1/jobs?which=completed&limit=50' + mine),
    ]);
    for (const j of [...active.jobs, ...done.jobs]) merge(j);
    say($('jobs-status'), '');
  } catch (e) {
    say($('jobs-status'), 'Your job list cannot be loaded: ' + e.message + '. New jobs still show here as they arrive.',
      'error');
  }
  render();
}

const refreshes = new Map();  // job id -> the number of its newest refresh

async function refreshJob(id) {
  const n = (refreshes.get(id) || 0) + 1;
  refreshes.set(id, n);
  try {
    const job = await api('GET', '/api/v1/jobs/' + id);
    if (refreshes.get(id) !== n) return;  // a newer one is on its way: it knows more
    merge(job);
    render();
  } catch { /* the event's own data stays shown */ }
}

function onEvent(ev) {
  if (ev.type === 'balance.changed' || ev.type === 'job.charged') loadAccount();
  if (!ev.type.startsWith('job.') || !ev.job_id) return;
  if (ev.type === 'job.forgotten') {
    state.jobs.delete(ev.job_id);
    return render();
  }
  const old = state.jobs.get(ev.job_id);
  const job = old ? { ...old } : { id: ev.job_id, name: '', queue: ev.queue || '', owner: ev.user, partial: true };
  if (ev.job_state) job.state = ev.job_state;
  if (ev.job_name) job.name = ev.job_name;
  if (ev.printer) job.printer = ev.printer;
  if (ev.text && ev.type === 'job.failed') job.state_message = ev.text;
  state.jobs.set(ev.job_id, job);
  render();
  refreshJob(ev.job_id);
}

function queueOf(name) {
  return state.queues.find((q) => q.name === name);
}

function jobRow(j) {
  const final = FINAL_STATES.includes(j.state);
  const pages = j.analysis && j.analysis.status === 'done'
    ? j.analysis.pages + (j.analysis.pages === 1 ? ' page' : ' pages') : '';
  const price = j.price && j.price.text ? j.price.text : '';
  const details = [pages, price, j.queue && 'queue ' + j.queue, j.printer && 'printer ' + j.printer,
    shortTime(j.completed || j.created)].filter(Boolean).join(' · ');
  const actions = el('div', { class: 'actions' });
  if (j.state === 'held') {
    const q = queueOf(j.queue);
    let select = null;
    if (q && q.printers && q.printers.length > 1) {
      select = el('select', { 'aria-label': 'Printer for ' + (j.name || 'job ' + j.id) },
        q.printers.map((p) => el('option', { value: p }, p)));
      actions.append(select);
    }
    actions.append(el('button', { type: 'button', onclick: () => release(j, select && select.value) }, 'Release'));
  }
  if (!final) {
    actions.append(el('button', { type: 'button', class: 'danger', onclick: () => cancel(j) }, 'Cancel'));
  }
  return el('li', { 'data-job-id': j.id, 'data-state': j.state || '' },
    el('div', { class: 'grow' },
      el('strong', {}, j.name || j.document_name || 'Job ' + j.id), ' ',
      el('span', { class: 'muted' }, '#' + j.id),
      el('div', { class: 'muted' }, details),
      j.state_message && j.state === 'failed' ? el('div', { class: 'error' }, j.state_message) : null),
    badge(j.state || 'receiving', STATE_TEXT[j.state] || j.state || '…'),
    actions);
}

function render() {
  const all = [...state.jobs.values()];
  const active = all.filter((j) => !FINAL_STATES.includes(j.state)).sort((a, b) => a.id - b.id);
  const done = all.filter((j) => FINAL_STATES.includes(j.state)).sort((a, b) => b.id - a.id).slice(0, 50);
  fill($('active-jobs'), active.map(jobRow));
  fill($('done-jobs'), done.map(jobRow));
  $('active-empty').classList.toggle('hidden', active.length > 0);
  $('done-empty').classList.toggle('hidden', done.length > 0);
}

async function release(j, printer) {
  say($('jobs-status'), 'Releasing ' + (j.name || 'job ' + j.id) + '…');
  try {
    const body = printer ? { printer } : undefined;
    merge(await api('POST', '/api/v1/jobs/' + j.id + '/release', body ? { body } : {}));
    say($('jobs-status'), 'Released ' + (j.name || 'job ' + j.id) + '.', 'ok');
  } catch (e) {
    say($('jobs-status'), 'Not released: ' + e.message, 'error');
  }
  render();
}

async function cancel(j) {
  if (!window.confirm('Cancel ' + (j.name || 'job ' + j.id) + '?')) return;
  try {
    merge(await api('DELETE', '/api/v1/jobs/' + j.id));
    say($('jobs-status'), 'Canceled ' + (j.name || 'job ' + j.id) + '.', 'ok');
  } catch (e) {
    say($('jobs-status'), 'Not canceled: ' + e.message, 'error');
  }
  render();
}

// ---- web print ------------------------------------------------------------------

async function upload(e) {
  e.preventDefault();
  const file = $('upload-file').files[0];
  const status = $('upload-status');
  if (!file) return say(status, 'Choose a document first.', 'error');
  const queue = $('upload-queue').value;
  const title = $('upload-title-input').value.trim() || file.name;
  const copies = Math.max(1, Math.min(99, parseInt($('upload-copies').value, 10) || 1));
  const ext = (file.name.split('.').pop() || '').toLowerCase();
  const type = file.type || TYPES[ext] || 'application/octet-stream';
  const query = new URLSearchParams({ queue, name: title, copies: String(copies) });
  $('upload-button').disabled = true;
  say(status, 'Sending ' + title + '…');
  try {
    const job = await api('POST', '/api/v1/print?' + query, { raw: file, contentType: type });
    merge(job);
    render();
    const q = queueOf(queue);
    const pull = !q || q.type === 'pull';
    say(status, 'Sent ' + title + ' (job ' + job.id + ').' + (pull ? ' Release it at any printer.' : ''), 'ok');
    $('upload-form').reset();
    defaultQueue();
  } catch (err) {
    say(status, 'Not sent: ' + err.message, 'error');
  } finally {
    $('upload-button').disabled = false;
  }
}

// ---- queues, account ---------------------------------------------------------

async function loadQueues() {
  try {
    state.queues = (await api('GET', '/api/v1/queues')).queues || [];
    say($('queues-status'), '');
  } catch (e) {
    // Older servers: the plain-text list every server has.
    state.queues = [];
    try {
      const text = await (await fetch('/queues.txt', { cache: 'no-store' })).text();
      for (const m of text.matchAll(/(ipps?:\/\/\S+\/ipp\/print\/(\S+))\s+\((.*)\)/g))
        state.queues.push({ name: m[2], ipp_uri: m[1], description: m[3],
          type: m[3].startsWith('secure') ? 'pull' : 'direct', printers: [] });
    } catch { /* shown below */ }
    if (!state.queues.length) say($('queues-status'), 'The queues cannot be listed: ' + e.message, 'error');
  }
  fill($('queues'), state.queues.map((q) => el('li', {},
    el('div', { class: 'grow' },
      el('strong', {}, q.name), ' ', badge(q.type === 'pull' ? 'held' : 'idle', q.type === 'pull' ? 'secure print' : q.type),
      el('div', { class: 'muted' }, q.description || ''),
      el('code', {}, q.ipp_uri || '')),
    el('div', { class: 'actions' }, el('button', { type: 'button', class: 'secondary',
      'aria-label': 'Copy the address of ' + q.name, onclick: () => copy(q.ipp_uri) }, 'Copy')))));
  fill($('upload-queue'), state.queues.map((q) => el('option', { value: q.name },
    q.name + (q.type === 'pull' ? ' (held)' : ''))));
  defaultQueue();
  render();
}

// A secure (pull) queue first: a document sent from the web waits for its
// owner at the printer.
function defaultQueue() {
  const pull = state.queues.find((q) => q.type === 'pull');
  if (pull) $('upload-queue').value = pull.name;
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    say($('queues-status'), 'Copied ' + text, 'ok');
  } catch {
    say($('queues-status'), text);
  }
}

async function loadAccount() {
  const who = encodeURIComponent(state.me.name);
  try {
    const a = await api('GET', '/api/v1/users/' + who + '/account');
    const parts = [a.unlimited ? 'Postpaid account' : 'Available: ' + a.available_text];
    if (a.reserved) parts.push('balance ' + a.balance_text + ', reserved for released jobs');
    if (a.quota) parts.push(a.quota.sheets_left + ' sheets left this period');
    $('account').textContent = parts.join(' · ');
    say($('account-status'), '');
  } catch (e) {
    $('account').textContent = '';
    return say($('account-status'), e.status === 503 ? 'Printing is free here.' : e.message, e.status === 503 ? '' : 'error');
  }
  try {
    const l = await api('GET', '/api/v1/users/' + who + '/ledger?limit=20');
    fill($('ledger'), l.entries.map((x) => el('tr', {},
      el('td', {}, shortTime(x.time)),
      el('td', {}, x.kind === 'charge' ? 'job ' + x.job + (x.printer ? ' at ' + x.printer : '') : x.kind,
        x.note ? ' – ' + x.note : ''),
      el('td', {}, x.amount_text),
      el('td', { class: 'opt' }, x.balance_after_text))));
  } catch (e) {
    say($('account-status'), e.message, 'error');
  }
}

// ---- session ----------------------------------------------------------------


async function start(me) {
  state.me = me;
  state.jobs.clear();
  $('login-view').classList.add('hidden');
  $('app').classList.remove('hidden');
  $('logout').classList.remove('hidden');
  $('who').textContent = 'Logged in as ' + me.name;
  state.stream = new EventStream(['user:' + me.name], {
    onEvent, onGap: loadJobs, onState: (st) => showLive($('live'), st, stop, $('login-status')),
  });
  startTokens(me.name);
  startPins(me.name);
  await Promise.all([loadQueues(), loadJobs(), loadAccount()]);
}

async function stop() {
  if (state.stream) state.stream.stop();
  state.stream = null;
  await logout();
  state.me = null;
  state.jobs.clear();
  startTokens(null);
  startPins(null);
  render();
  $('app').classList.add('hidden');
  $('logout').classList.add('hidden');
  $('live').classList.add('hidden');
  $('who').textContent = '';
  $('login-view').classList.remove('hidden');
}

async function main() {
  wireLogin($('login-form'), $('login-status'), start);
  $('logout').addEventListener('click', stop);
  $('upload-form').addEventListener('submit', upload);
  wireTokens();
  wirePins();
  const me = await currentUser();
  if (me) start(me);
  else $('login-form').querySelector('input').focus();
}

main();
