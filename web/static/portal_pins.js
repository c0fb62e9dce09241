// The portal's "Logging in at a printer" section: the user's PIN (set one
// of their own, or have a new one e-mailed, as the site's [pins] policy
// allows; GET /api/v1/users/<me> says which) and a one-time code to
// register a new card at a printer's terminal instead of the password
// (POST .../enrolment-code: the answer is the only time it is shown).
import { api, say, shortTime } from './common.js';

const $ = (id) => document.getElementById(id);

let me = null;
let codeTimer = null;

function userPath(sub) {
  return '/api/v1/users/' + encodeURIComponent(me) + (sub || '');
}

function hideCode() {
  clearTimeout(codeTimer);
  $('code-value').textContent = '';
  $('code-expiry').textContent = '';
  $('code-box').classList.add('hidden');
}

async function load() {
  if (!me) return;
  try {
    const u = await api('GET', userPath());
    $('pin-state').textContent = (u.pin ? 'You have a PIN.' : 'You have no PIN yet.') +
      (u.cards ? ' ' + u.cards + (u.cards === 1 ? ' card is' : ' cards are') + ' registered to you.' : '');
    $('pin-form').classList.toggle('hidden', !u.pin_choice);
    $('pin-mail').classList.toggle('hidden', !u.pin_by_mail);
    $('pin-mail').dataset.email = u.email || '';
    $('code-new').classList.remove('hidden');
  } catch (e) {
    say($('pin-status'), 'Your PIN settings cannot be shown: ' + e.message, 'error');
  }
}

async function setPin(e) {
  e.preventDefault();
  const pin = $('pin-new').value;
  if (!/^[0-9]{4,16}$/.test(pin)) return say($('pin-status'), 'A PIN is 4 to 16 digits.', 'error');
  $('pin-set').disabled = true;
  try {
    await api('PUT', userPath('/pin'), { body: { pin } });
    say($('pin-status'), 'Your new PIN is set.', 'ok');
    $('pin-form').reset();
  } catch (err) {
    say($('pin-status'), 'Not set: ' + err.message, 'error');
  } finally {
    $('pin-set').disabled = false;
  }
  load();
}

async function mailPin() {
  $('pin-mail').disabled = true;
  say($('pin-status'), 'Sending…');
  try {
    const r = await api('POST', userPath('/pin/generate'));
    say($('pin-status'), 'A new PIN was sent to ' + r.sent_to + '. Your old PIN no longer works.', 'ok');
  } catch (err) {
    say($('pin-status'), 'No PIN was sent: ' + err.message, 'error');
  } finally {
    $('pin-mail').disabled = false;
  }
  load();
}

async function newCode() {
  $('code-new').disabled = true;
  try {
    const c = await api('POST', userPath('/enrolment-code'));
    $('code-value').textContent = c.code.slice(0, 4) + ' ' + c.code.slice(4);
    $('code-expiry').textContent = 'Valid once, until ' + shortTime(c.expires_ms) + '.';
    $('code-box').classList.remove('hidden');
    say($('pin-status'), '');
    clearTimeout(codeTimer);
    codeTimer = setTimeout(hideCode, Math.max(0, c.expires_ms - Date.now()));
  } catch (err) {
    hideCode();
    say($('pin-status'), 'No code: ' + err.message, 'error');
  } finally {
    $('code-new').disabled = false;
  }
}

/** Shows the section for `user` (or clears it for null, at log-out). */
export function startPins(user) {
  me = user;
  hideCode();
  say($('pin-status'), '');
  $('pin-state').textContent = '';
  for (const id of ['pin-form', 'pin-mail', 'code-new']) $(id).classList.add('hidden');
  if (user) load();
}

export function wirePins() {
  $('pin-form').addEventListener('submit', setPin);
  $('pin-mail').addEventListener('click', mailPin);
  $('code-new').addEventListener('click', newCode);
}
