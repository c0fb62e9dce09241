// The portal's "For scripts: API tokens" section: the logged-in user's API
// tokens (GET /api/v1/users/<me>/tokens), creating one (POST, whose answer
// is the only time the token itself is shown: it goes into a marked box
// with a copy button, never into storage) and revoking one (DELETE).
import { api, el, fill, say, shortTime } from './common.js';

const $ = (id) => document.getElementById(id);

let me = null;

function tokensPath(id) {
  return '/api/v1/users/' + encodeURIComponent(me) + '/tokens' + (id ? '/' + encodeURIComponent(id) : '');
}

function tokenRow(t) {
  const label = t.name || 'token ' + t.id;
  const details = ['created ' + shortTime(t.created), t.expires ? 'expires ' + shortTime(t.expires) : 'never expires',
    t.created_by && t.created_by !== t.user ? 'by ' + t.created_by : ''].filter(Boolean).join(' · ');
  return el('li', { 'data-token-id': t.id },
    el('div', { class: 'grow' }, el('strong', { class: 'token-name' }, label), ' ',
      el('span', { class: 'muted mono' }, t.id), el('div', { class: 'muted' }, details)),
    el('div', { class: 'actions' }, el('button', { type: 'button', class: 'danger',
      'aria-label': 'Revoke the token ' + label, onclick: () => revoke(t) }, 'Revoke')));
}

/** Lists the user's tokens. */
export async function loadTokens() {
  if (!me) return;
  try {
    const r = await api('GET', tokensPath());
    fill($('tokens'), r.tokens.map(tokenRow));
    $('tokens-empty').classList.toggle('hidden', r.tokens.length > 0);
  } catch (e) {
    fill($('tokens'));
    $('tokens-empty').classList.add('hidden');
    say($('tokens-status'), e.status === 503 ? 'This server has no API tokens.' : 'Your tokens cannot be listed: '
      + e.message, e.status === 503 ? '' : 'error');
  }
}

function hideSecret() {
  $('token-value').textContent = '';
  $('token-new-name').textContent = '';
  $('token-new').classList.add('hidden');
}

async function create(e) {
  e.preventDefault();
  const status = $('tokens-status');
  const body = { name: $('token-name').value.trim() };
  if (!body.name) return say(status, 'Give the token a label.', 'error');
  const days = $('token-days').value.trim();
  if (days) {
    const n = Number(days);
    if (!Number.isInteger(n) || n < 1 || n > 3650) return say(status, 'Days: a whole number from 1 to 3650.', 'error');
    body.expires_days = n;
  }
  $('token-create').disabled = true;
  try {
    const t = await api('POST', tokensPath(), { body });
    $('token-new-name').textContent = t.name;
    $('token-value').textContent = t.token;
    $('token-new').classList.remove('hidden');
    $('token-copy').focus();
    say(status, 'Created the token ' + t.name + '.', 'ok');
    $('token-form').reset();
  } catch (err) {
    say(status, 'Not created: ' + err.message, 'error');
  } finally {
    $('token-create').disabled = false;
  }
  loadTokens();
}

async function revoke(t) {
  const label = t.name || 'token ' + t.id;
  if (!window.confirm('Revoke the token ' + label + '? Scripts using it stop working.')) return;
  try {
    await api('DELETE', tokensPath(t.id));
    say($('tokens-status'), 'Revoked the token ' + label + '.', 'ok');
  } catch (e) {
    say($('tokens-status'), 'Not revoked: ' + e.message, 'error');
  }
  loadTokens();
}

async function copyToken() {
  const text = $('token-value').textContent;
  try {
    await navigator.clipboard.writeText(text);
    say($('tokens-status'), 'Copied the token.', 'ok');
  } catch {
    // No clipboard (plain HTTP, or refused): select it for a manual copy.
    const range = document.createRange();
    range.selectNodeContents($('token-value'));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    say($('tokens-status'), 'Copy the selected token by hand (Ctrl+C).');
  }
}

/** Shows the section for `user` (or clears it for null, at log-out). */
export function startTokens(user) {
  me = user;
  hideSecret();
  say($('tokens-status'), '');
  fill($('tokens'));
  if (user) loadTokens();
}

export function wireTokens() {
  $('token-form').addEventListener('submit', create);
  $('token-copy').addEventListener('click', copyToken);
  $('token-hide').addEventListener('click', hideSecret);
}
