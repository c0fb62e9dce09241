// The admin console's directory card (Users tab): where the LDAP/AD sync
// reads from, whether one runs (with the entries read so far), the last
// sync's report and its problems, and buttons to sync now. Hidden when the
// server has no [directory] (GET /api/v1/directory answers 404).
import { api, badge, el, fill, say, shortTime } from './common.js';

const $ = (id) => document.getElementById(id);
let polling = null;

function when(ms) {
  return ms ? shortTime(ms) : 'never';
}

/** One report as a line of counts (text only). */
export function reportSummary(r) {
  if (!r) return 'No sync yet.';
  const kind = r.full ? 'Full sync' : 'Incremental sync';
  const took = r.finished_ms && r.started_ms ? ' in ' + ((r.finished_ms - r.started_ms) / 1000).toFixed(1) + ' s' : '';
  if (r.error) return kind + ' at ' + when(r.started_ms) + ' failed' + took + ': ' + r.error;
  return kind + ' at ' + when(r.started_ms) + took + ': ' + r.users_read + ' users read, ' + r.created +
    ' created, ' + r.updated + ' updated, ' + r.gone + ' gone, ' + r.returned + ' back, ' + r.cards_added +
    ' cards bound, ' + r.problem_count + ' problems.';
}

function render(d) {
  fill($('directory-where'), d.url + ' (' + d.base_dn + ')');
  fill($('directory-state'), d.running
    ? badge('processing', (d.running_full ? 'full sync' : 'sync') + ' running: ' + d.entries_read + ' entries read')
    : badge('ok', 'idle'));
  fill($('directory-last'), reportSummary(d.last));
  $('directory-last').dataset.started = d.last ? String(d.last.started_ms) : '';
  fill($('directory-full'), 'Last full sync: ' + when(d.last_full_ms) + '. Next sync: ' + when(d.next_ms) + '.');
  const problems = (d.last && d.last.problems) || [];
  fill($('directory-problems'), ...problems.map((p) => el('li', {}, p)));
  if (d.last && d.last.problem_count > problems.length) {
    $('directory-problems').append(el('li', {}, '… ' + (d.last.problem_count - problems.length) + ' more'));
  }
  for (const b of ['directory-sync', 'directory-full-sync']) $(b).disabled = d.running;
}

/** Loads the card; keeps polling while a sync runs. */
export async function loadDirectory() {
  clearTimeout(polling);
  try {
    const d = await api('GET', '/api/v1/directory');
    $('directory').classList.remove('hidden');
    render(d);
    if (d.running) polling = setTimeout(loadDirectory, 1000);
  } catch (e) {
    if (e.status === 404) {
      $('directory').classList.add('hidden');
      return;
    }
    $('directory').classList.remove('hidden');
    say($('directory-status'), e.message, 'error');
  }
}

async function sync(full) {
  try {
    const r = await api('POST', '/api/v1/directory/sync', { body: { full } });
    say($('directory-status'), r.started ? (full ? 'Full sync started.' : 'Sync started.')
      : 'A sync is running already' + (full ? '; a full one follows it.' : '.'), 'ok');
  } catch (e) {
    say($('directory-status'), e.message, 'error');
  }
  loadDirectory();
}

export function wireDirectory() {
  $('directory-sync').addEventListener('click', () => sync(false));
  $('directory-full-sync').addEventListener('click', () => sync(true));
}
