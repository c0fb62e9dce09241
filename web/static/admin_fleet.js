// The admin console's fleet editor: add, change and remove printers (POST
// /api/v1/printers, PATCH and DELETE /api/v1/printers/{name}) and queues
// (POST /api/v1/queues, GET, PATCH and DELETE /api/v1/queues/{name}) without
// a restart, and the Queues tab's list. Each kind has one editor panel above
// its list, for a new record, an existing one (only the fields the
// administrator changed are sent) or a removal to confirm. The server
// judges: its message shows in the panel's alert, next to what was typed,
// which stays. Records the configuration file declares ("origin": "config")
// say so and cannot be removed here. A device URI comes back with its
// credentials as "***": a change that leaves the field alone does not send it.
import { api, el, fill, say } from './common.js';

const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;

const PRINTER_FIELDS = ['device_uri', 'language', 'location', 'info', 'make_and_model', 'price_list'];

const fleet = {
  printers: new Map(), // name -> printer record (the "settings" of GET /printers/{name})
  queues: new Map(), // name -> queue record (GET /queues/{name})
  queueList: [], // GET /queues
  off: false, // the server does not change its fleet at run time (503)
  hooks: { printerNames: () => [], reloadPrinters: async () => {} },
};

// ---- the records behind the lists -------------------------------------------------

/** Runs `fn` on each item, at most `n` at a time (a big fleet is not asked all at once). */
async function eachLimited(items, n, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

function fleetOff(e) {
  if (e.status !== 503) return false;
  fleet.off = true;
  for (const b of document.querySelectorAll('.fleet-edit')) b.classList.add('hidden');
  return true;
}

/** Keeps the record of a GET /api/v1/printers/{name} answer, when it has one. */
export function rememberPrinter(p) {
  if (p && p.settings) fleet.printers.set(p.name, p.settings);
}

/** Fetches the records of the printers named that are not known yet. */
export async function loadPrinterRecords(names) {
  const missing = names.filter((n) => !fleet.printers.has(n));
  await eachLimited(missing, 4, async (name) => {
    try {
      rememberPrinter(await api('GET', '/api/v1/printers/' + enc(name)));
    } catch { /* the card shows what the listing said */ }
  });
}

/** Forgets everything (at log-out). */
export function resetFleet() {
  fleet.printers.clear();
  fleet.queues.clear();
  fleet.queueList = [];
  for (const ed of Object.values(editors)) close(ed, false);
}

// ---- the editor panels --------------------------------------------------------------

const editors = {};

function editor(kind, spec) {
  const id = (s) => $(kind + s);
  return {
    kind, spec, panel: id('-editor'), title: id('-editor-title'), origin: id('-editor-origin'), form: id('-form'),
    alert: id('-form-alert'), save: id('-save'), removeView: id('-remove'), removeText: id('-remove-text'),
    removeAlert: id('-remove-alert'), removeYes: id('-remove-yes'), add: id('-add'),
    mode: 'closed', name: '', record: null, opener: null,
  };
}

function clearInvalid(ed) {
  for (const n of ed.form.querySelectorAll('[aria-invalid]')) n.removeAttribute('aria-invalid');
  for (const n of ed.form.querySelectorAll('.invalid')) n.classList.remove('invalid');
}

/** Opens `ed` for "add", "edit" (of `record`) or "remove" (of `name`). */
function open(ed, mode, { name = '', record = null, opener = null } = {}) {
  ed.mode = mode;
  ed.name = record ? record.name : name;
  ed.record = record;
  ed.opener = opener;
  const what = ed.kind;
  say(ed.spec.status(), '');
  ed.title.textContent = mode === 'add' ? 'Add a ' + what
    : (mode === 'edit' ? 'Change the ' : 'Remove the ') + what + ' ' + ed.name;
  ed.origin.classList.toggle('hidden', !(mode === 'edit' && record && record.origin === 'config'));
  ed.form.classList.toggle('hidden', mode === 'remove');
  ed.removeView.classList.toggle('hidden', mode !== 'remove');
  say(ed.alert, '');
  say(ed.removeAlert, '');
  clearInvalid(ed);
  if (mode !== 'remove') {
    ed.form.reset();
    ed.spec.fill(ed, record);
    ed.save.textContent = mode === 'add' ? 'Add ' + what : 'Save changes';
  }
  ed.panel.classList.remove('hidden');
  const first = mode === 'remove' ? $(what + '-remove-no')
    : ed.form.querySelector(mode === 'add' ? 'input' : ed.spec.firstEdit);
  first.focus();
}

function close(ed, restoreFocus = true) {
  if (ed.mode === 'closed') return;
  ed.mode = 'closed';
  ed.panel.classList.add('hidden');
  ed.form.reset();
  const back = ed.opener && ed.opener.isConnected && !ed.opener.disabled ? ed.opener : ed.add;
  ed.opener = null;
  if (restoreFocus && back && !back.classList.contains('hidden')) back.focus();
}

/** The field a server message names (`field "device_uri" must ...` from
 *  the body's checks, `device_uri: ...` from the configuration's), marked
 *  and focused. */
function markField(ed, message) {
  const m = /field "([a-z_]+)"/.exec(message || '') || /^([a-z_]+): /.exec(message || '');
  if (!m) return;
  const target = m[1] === 'printers' ? ed.form.querySelector('input[name="printers"]') : ed.form.elements[m[1]];
  if (!target || target instanceof RadioNodeList) return;
  if (m[1] === 'printers') $('qf-printers').closest('fieldset').classList.add('invalid');
  else target.setAttribute('aria-invalid', 'true');
  target.focus();
}

class FormError extends Error {
  constructor(message, field) {
    super(message);
    this.field = field;
  }
}

async function submit(ed, e) {
  e.preventDefault();
  clearInvalid(ed);
  let body;
  try {
    body = ed.spec.body(ed);
  } catch (err) {
    say(ed.alert, err.message, 'error');
    if (err.field) markField(ed, 'field "' + err.field + '"');
    return;
  }
  if (ed.mode === 'edit' && !Object.keys(body).length) return say(ed.alert, 'No field changed: nothing to save.');
  const adding = ed.mode === 'add';
  ed.save.disabled = true;
  say(ed.alert, '');
  say(ed.spec.status(), adding ? 'Adding…' : 'Saving…');
  try {
    const rec = await api(adding ? 'POST' : 'PATCH', ed.spec.path + (adding ? '' : '/' + enc(ed.name)), { body });
    ed.spec.records.set(rec.name, rec);
    close(ed);
    await ed.spec.reload();
    say(ed.spec.status(), (adding ? 'Added the ' : 'Changed the ') + ed.kind + ' ' + rec.name + '.', 'ok');
  } catch (err) {
    // What was typed stays: the form is not reset.
    say(ed.spec.status(), '');
    say(ed.alert, (adding ? 'Not added: ' : 'Not changed: ') + err.message, 'error');
    if (err.status === 400) markField(ed, err.message);
  } finally {
    ed.save.disabled = false;
  }
}

async function confirmRemove(ed) {
  const name = ed.name;
  ed.removeYes.disabled = true;
  say(ed.removeAlert, '');
  say(ed.spec.status(), 'Removing…');
  try {
    await api('DELETE', ed.spec.path + '/' + enc(name));
    ed.spec.records.delete(name);
    close(ed);
    await ed.spec.reload();
    say(ed.spec.status(), 'Removed the ' + ed.kind + ' ' + name + '.', 'ok');
  } catch (err) {
    if (err.status === 404) {
      ed.spec.records.delete(name);
      close(ed);
      await ed.spec.reload();
      return say(ed.spec.status(), 'The ' + ed.kind + ' ' + name + ' was already removed.', 'ok');
    }
    say(ed.spec.status(), '');
    say(ed.removeAlert, 'Not removed: ' + err.message, 'error');
  } finally {
    ed.removeYes.disabled = false;
  }
}

/** Opens `kind`'s editor on the record `path` answers (read afresh). */
async function openEdit(kind, name, opener) {
  const ed = editors[kind];
  const status = ed.spec.status();
  say(status, 'Loading ' + name + '…');
  try {
    const answer = await api('GET', ed.spec.path + '/' + enc(name));
    const record = kind === 'printer' ? answer.settings : answer;
    if (!record) return say(status, 'This server does not show the settings of ' + name + '.', 'error');
    ed.spec.records.set(name, record);
    say(status, '');
    open(ed, 'edit', { record, opener });
  } catch (err) {
    if (!fleetOff(err)) say(status, name + ': ' + err.message, 'error');
  }
}

function askRemove(kind, name, opener) {
  const ed = editors[kind];
  open(ed, 'remove', { name, opener });
  ed.removeText.textContent = ed.spec.removeText(name);
  ed.removeYes.textContent = 'Remove ' + name;
}

function fromConfig(kind, name) {
  const rec = editors[kind].spec.records.get(name);
  return !!rec && rec.origin === 'config';
}

const ORIGIN_NOTE = 'From the configuration file';

/** The Edit and Remove buttons of a printer card or a queue row (with the
 *  record's origin above them when `withOrigin`). */
function tools(kind, name, withOrigin) {
  if (fleet.off) return null;
  const config = fromConfig(kind, name);
  return el('div', { class: 'tools' },
    config && withOrigin ? el('span', { class: 'origin' }, ORIGIN_NOTE) : null,
    el('button', { type: 'button', class: 'secondary', 'data-action': 'edit', 'aria-label': 'Edit ' + kind + ' ' + name,
      onclick: (e) => openEdit(kind, name, e.currentTarget) }, 'Edit'),
    el('button', { type: 'button', class: 'danger', 'data-action': 'remove',
      'aria-label': 'Remove ' + kind + ' ' + name,
      disabled: config, title: config ? 'Declared in the configuration file: remove it there' : null,
      onclick: (e) => askRemove(kind, name, e.currentTarget) }, 'Remove'));
}

/** A printer card's tools. */
export function printerTools(name) {
  return tools('printer', name, true);
}

// ---- printers -----------------------------------------------------------------------

// What changed of `value` against `was`: the typed text, trimmed, unless it is exactly what was there.
function changed(value, was) {
  return value === (was ?? '') ? undefined : value.trim();
}

const printerSpec = {
  path: '/api/v1/printers',
  records: fleet.printers,
  firstEdit: 'input[name="device_uri"]',
  status: () => $('printers-status'),
  reload: () => fleet.hooks.reloadPrinters(),
  removeText: (name) => 'Remove the printer ' + name + '? No queue may use it and no job may be waiting for it.',
  fill(ed, record) {
    const f = ed.form.elements;
    f.name.value = record ? record.name : '';
    for (const k of PRINTER_FIELDS) f[k].value = record ? record[k] ?? '' : '';
    f.name.readOnly = !!record;
    f.language.required = !!record; // a change cannot empty it; a new printer gets the default
  },
  body(ed) {
    const f = ed.form.elements;
    const body = {};
    if (ed.mode === 'add') {
      body.name = f.name.value.trim();
      for (const k of PRINTER_FIELDS) if (f[k].value.trim() !== '') body[k] = f[k].value.trim();
    } else {
      for (const k of PRINTER_FIELDS) {
        const v = changed(f[k].value, ed.record[k]);
        if (v !== undefined) body[k] = v;
      }
    }
    // "***" stands for credentials the server does not show: sent back, it
    // would replace them.
    if (body.device_uri && body.device_uri.includes('***@'))
      throw new FormError('The device URI still holds *** where its credentials were: type the whole URI with ' +
        'them, or put the field back as it was to keep them.', 'device_uri');
    return body;
  },
};

// ---- queues -------------------------------------------------------------------------

function printerChecks(chosen) {
  const names = [...new Set([...fleet.hooks.printerNames(), ...chosen])].sort((a, b) => a.localeCompare(b));
  fill($('qf-printers'), names.length
    ? names.map((n) => el('label', { class: 'inline' },
      el('input', { type: 'checkbox', name: 'printers', value: n, checked: chosen.includes(n) }), n))
    : el('p', { class: 'muted' }, 'No printer yet: add one on the Fleet tab first.'));
}

const queueSpec = {
  path: '/api/v1/queues',
  records: fleet.queues,
  firstEdit: 'select[name="type"]',
  status: () => $('queues-status'),
  reload: () => loadQueues(),
  removeText: (name) => 'Remove the queue ' + name + '? It must hold no unfinished job; IPP clients that print ' +
    'to it get an error from then on.',
  fill(ed, record) {
    const f = ed.form.elements;
    f.name.value = record ? record.name : '';
    f.name.readOnly = !!record;
    f.type.value = record ? record.type : 'pull';
    f.location.value = record ? record.location : '';
    f.info.value = record ? record.info : '';
    f.authentication.checked = !!(record && record.authentication);
    f.failover.checked = !!(record && record.failover);
    printerChecks(record ? record.printers : []);
  },
  body(ed) {
    const f = ed.form.elements;
    const chosen = [...ed.form.querySelectorAll('input[name="printers"]:checked')].map((i) => i.value);
    const flags = { type: f.type.value, authentication: f.authentication.checked, failover: f.failover.checked };
    if (ed.mode === 'add') {
      const body = { name: f.name.value.trim(), type: flags.type, printers: chosen };
      for (const k of ['location', 'info']) if (f[k].value.trim() !== '') body[k] = f[k].value.trim();
      for (const k of ['authentication', 'failover']) if (flags[k]) body[k] = true;
      return body;
    }
    const r = ed.record;
    const body = {};
    for (const k of ['type', 'authentication', 'failover']) if (flags[k] !== r[k]) body[k] = flags[k];
    for (const k of ['location', 'info']) {
      const v = changed(f[k].value, r[k]);
      if (v !== undefined) body[k] = v;
    }
    // The record's order stays (failover goes down the list); new ones go last.
    const printers = r.printers.filter((p) => chosen.includes(p)).concat(chosen.filter((p) => !r.printers.includes(p)));
    if (printers.join('\n') !== r.printers.join('\n')) body.printers = printers;
    return body;
  },
};

function queueRow(q) {
  const rec = fleet.queues.get(q.name);
  return el('tr', { 'data-queue': q.name, 'data-origin': rec ? rec.origin : null },
    // The actions stay under the name, so a phone shows them without scrolling.
    el('td', {}, el('div', {}, q.name),
      fromConfig('queue', q.name) ? el('div', { class: 'origin' }, ORIGIN_NOTE) : null, tools('queue', q.name, false)),
    el('td', {}, q.type), el('td', {}, (q.printers || []).join(', ')),
    el('td', { class: 'opt location' }, rec ? rec.location : ''), el('td', { class: 'opt' }, q.description || ''),
    el('td', {}, el('code', {}, q.ipp_uri || '')));
}

function renderQueues() {
  fill($('queue-rows'), fleet.queueList.map(queueRow));
}

/** Lists the queues (GET /api/v1/queues) with their records (location, origin). */
export async function loadQueues() {
  const status = $('queues-status');
  try {
    fleet.queueList = (await api('GET', '/api/v1/queues')).queues || [];
    say(status, fleet.queueList.length ? '' : 'No queues.');
  } catch (e) {
    fleet.queueList = [];
    say(status, 'The queues cannot be listed: ' + e.message, 'error');
  }
  renderQueues();
  const fresh = new Map();
  await eachLimited(fleet.queueList.map((q) => q.name), 4, async (name) => {
    try {
      fresh.set(name, await api('GET', '/api/v1/queues/' + enc(name)));
    } catch (e) {
      fleetOff(e);
    }
  });
  fleet.queues.clear();
  for (const [name, rec] of fresh) fleet.queues.set(name, rec);
  renderQueues();
}

// ---- wiring -------------------------------------------------------------------------

/** Wires the editors. `printerNames()` lists the known printers (the
 *  queue form's choices); `reloadPrinters()` refreshes the fleet's cards. */
export function wireFleet({ printerNames, reloadPrinters }) {
  fleet.hooks = { printerNames, reloadPrinters };
  for (const [kind, spec] of [['printer', printerSpec], ['queue', queueSpec]]) {
    const ed = editor(kind, spec);
    editors[kind] = ed;
    ed.add.addEventListener('click', (e) => open(ed, 'add', { opener: e.currentTarget }));
    ed.form.addEventListener('submit', (e) => submit(ed, e));
    ed.form.addEventListener('input', (e) => {
      e.target.removeAttribute('aria-invalid');
      const group = e.target.closest('fieldset');
      if (group) group.classList.remove('invalid');
    });
    $(kind + '-cancel').addEventListener('click', () => close(ed));
    $(kind + '-remove-no').addEventListener('click', () => close(ed));
    ed.removeYes.addEventListener('click', () => confirmRemove(ed));
    ed.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') close(ed);
    });
  }
}
