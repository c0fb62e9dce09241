// What the portal and the admin console share: calls to the REST API with
// the session cookie and the CSRF token, the live event stream
// (WebSocket /api/v1/events) with resume and reconnect, and a small DOM
// builder. Text always goes into the page as text nodes (never as HTML), so
// a job or user name cannot inject markup.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const CSRF_KEY = 'quire.csrf';

/** The CSRF token of this tab's session (kept for reloads of the tab). */
export function csrfToken() {
  return sessionStorage.getItem(CSRF_KEY) || '';
}

/** Calls the API: `body` is JSON unless `raw` (a Blob/File) is given. */
export async function api(method, path, { body, raw, contentType } = {}) {
  const headers = {};
  let payload;
  if (raw !== undefined) {
    payload = raw;
    headers['Content-Type'] = contentType || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken();
  let r;
  try {
    r = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, 'network', 'the server cannot be reached');
  }
  const text = await r.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!r.ok) {
    const code = data && data.error ? data.error : 'http_' + r.status;
    let message = data && data.message ? data.message : r.statusText || 'request failed';
    // An endpoint this server does not have (yet): say which, plainly.
    if (r.status === 404 && (!data || data.message === 'no such API resource'))
      message = 'this server does not offer ' + method + ' ' + path.split('?')[0] + ' (404)';
    throw new ApiError(r.status, code, message);
  }
  return data;
}

/** Logs in; returns the login answer ({user, admin, csrf_token, expires_ms}). */
export async function login(user, password) {
  const me = await api('POST', '/api/v1/login', { body: { user, password } });
  sessionStorage.setItem(CSRF_KEY, me.csrf_token);
  return me;
}

export async function logout() {
  sessionStorage.removeItem(CSRF_KEY);
  try { await api('POST', '/api/v1/logout'); } catch { /* the session is gone anyway */ }
}

/** The user of this tab's session, or null: the cookie alone is not enough,
 *  the tab must also hold the session's CSRF token. */
export async function currentUser() {
  if (!csrfToken()) return null;
  try {
    return await api('GET', '/api/v1/whoami');
  } catch (e) {
    if (e.status === 401) sessionStorage.removeItem(CSRF_KEY);
    return null;
  }
}

/** Builds an element: el('li', {class: 'x', onclick: f}, 'text', child...). */
export function el(tag, attrs = {}, ...children) {
  const svg = ['svg', 'rect', 'text', 'line', 'g', 'title'].includes(tag);
  const node = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Replaces the children of `node`. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** Shows a message in a status element (an aria-live region). */
export function say(node, message, kind = '') {
  node.textContent = message || '';
  node.className = 'status' + (kind ? ' ' + kind : '');
}

export function shortTime(ts) {
  if (!ts) return '';
  const d = typeof ts === 'number' ? new Date(ts) : new Date(ts);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

export const FINAL_STATES = ['done', 'failed', 'canceled', 'expired'];

/** The live event stream: subscribes to `topics`, resumes after the last
 *  sequence number it saw when it reconnects, and reconnects with a
 *  backoff (1 s doubling to 30 s, with jitter). `onEvent(event)` gets each
 *  event; `onGap()` when events were missed (reload state); `onState(s)`
 *  "live" | "connecting" | "offline". */
export class EventStream {
  constructor(topics, { onEvent, onGap, onState } = {}) {
    this.topics = topics;
    this.onEvent = onEvent || (() => {});
    this.onGap = onGap || (() => {});
    this.onState = onState || (() => {});
    this.after = 0;
    this.delay = 1000;
    this.stopped = false;
    this.ws = null;
    this.timer = null;
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    this.onState('connecting');
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(scheme + '//' + location.host + '/api/v1/events');
    this.ws = ws;
    ws.addEventListener('open', () => {
      const msg = { type: 'subscribe', topics: this.topics };
      if (this.after > 0) msg.after = this.after;
      ws.send(JSON.stringify(msg));
    });
    ws.addEventListener('message', (m) => this.message(m.data));
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      this.onState('offline');
      const wait = this.delay * (0.75 + Math.random() * 0.5);
      this.delay = Math.min(this.delay * 2, 30000);
      this.timer = setTimeout(() => this.connect(), wait);
    });
  }

  message(text) {
    let m;
    try { m = JSON.parse(text); } catch { return; }
    if (m.type === 'subscribed') {
      this.delay = 1000;
      const resumed = this.after > 0;
      if (typeof m.last_seq === 'number' && m.last_seq > this.after && !resumed) this.after = m.last_seq;
      this.onState('live');
      if (m.gap) this.onGap();
    } else if (m.type === 'event' && m.event) {
      if (m.event.seq > this.after) this.after = m.event.seq;
      this.onEvent(m.event);
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, 'bye');
    this.ws = null;
  }
}

/** Wires a login form: calls `onLogin(me)` after a successful login. */
// The event stream's state in `live` ("live", "connecting", "offline"). When
// the stream closed because the session ended (timed out, logged out
// elsewhere), `stop` runs and `status` asks to log in again, instead of
// retrying for ever.
export function showLive(live, s, stop, status) {
  live.classList.remove('hidden', 'ok', 'held', 'failed');
  live.classList.add(s === 'live' ? 'ok' : s === 'connecting' ? 'held' : 'failed');
  live.textContent = s === 'live' ? 'live' : s === 'connecting' ? 'connecting…' : 'offline, retrying';
  if (s !== 'offline') return;
  api('GET', '/api/v1/whoami').catch(async (e) => {
    if (e.status !== 401) return;
    await stop();
    say(status, 'Your session ended: log in again.', 'error');
  });
}

export function wireLogin(form, status, onLogin) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    say(status, 'Logging in…');
    try {
      const me = await login(String(data.get('user')).trim(), String(data.get('password')));
      form.reset();
      say(status, '');
      onLogin({ name: me.user, admin: me.admin });
    } catch (err) {
      say(status, err.status === 401 ? 'Unknown user or wrong password.' : err.message, 'error');
    } finally {
      button.disabled = false;
    }
  });
}

/** A state badge. */
export function badge(state, text) {
  return el('span', { class: 'badge ' + state }, text || state);
}
