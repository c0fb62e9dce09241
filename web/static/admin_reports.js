// The admin console's usage reports (GET /api/v1/reports/usage): the
// Reports tab (a period, a grouping, a table with its total, a bar chart of
// pages and a CSV download) and the fleet's "pages per printer" chart. The
// charts are plain SVG built from text nodes.
import { api, el, fill, say } from './common.js';

const $ = (id) => document.getElementById(id);

const BY_TEXT = { user: 'User', group: 'Group', printer: 'Printer', project: 'Project', day: 'Day', month: 'Month' };

/** A date as the API takes it (YYYY-MM-DD, UTC like the server's days). */
function day(d) {
  return d.toISOString().slice(0, 10);
}

/** The query of a report: `from`, `to` (YYYY-MM-DD, optional), `by`, `format`. */
export function usageQuery({ from, to, by = 'printer', format = 'json' } = {}) {
  const q = new URLSearchParams();
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  q.set('by', by);
  q.set('format', format);
  return '/api/v1/reports/usage?' + q;
}

/** A horizontal bar chart of [label, value] rows, as SVG. */
export function barChart(rows, what = 'Pages printed per printer') {
  const rowH = 28;
  const labelW = 120;
  const width = 480;
  const height = Math.max(1, rows.length) * rowH + 8;
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const svg = el('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': what + ': ' + (rows.length ? rows.map((r) => r[0] + ' ' + r[1]).join(', ') : 'none') });
  rows.forEach(([name, pages], i) => {
    const y = 4 + i * rowH;
    const w = Math.round((width - labelW - 60) * pages / max);
    svg.append(
      el('text', { x: 0, y: y + 18 }, name.length > 16 ? name.slice(0, 15) + '…' : name),
      el('rect', { class: 'bar', x: labelW, y: y + 4, width: Math.max(w, 1), height: rowH - 10, rx: 3 },
        el('title', {}, name + ': ' + pages + ' pages')),
      el('text', { x: labelW + Math.max(w, 1) + 6, y: y + 18 }, String(pages)));
  });
  svg.append(el('line', { class: 'axis', x1: labelW, y1: 0, x2: labelW, y2: height }));
  return svg;
}

// ---- the fleet's chart: pages per printer over the last 30 days ------------------

/** Draws pages per printer into #chart; `printers` are the names to show
 *  even without a page. Falls back to the finished jobs on a server that
 *  makes no reports. */
export async function loadPrinterChart(printers) {
  const totals = new Map(printers.map((name) => [name, 0]));
  try {
    const r = await api('GET', usageQuery({ by: 'printer' }));
    for (const row of r.rows) totals.set(row.key, row.pages);
    $('chart-note').textContent = 'Pages charged from ' + r.from + ' to ' + r.to + ' (' + r.total.jobs + ' jobs).';
  } catch (e) {
    if (e.status !== 503 && e.status !== 404) {
      $('chart-note').textContent = 'No data: ' + e.message;
      return;
    }
    const n = await pagesFromJobs(totals).catch((err) => {
      $('chart-note').textContent = 'No data: ' + err.message;
      return null;
    });
    if (n === null) return;
    $('chart-note').textContent = 'Impressions of the printed jobs among the last ' + n + ' finished jobs.';
  }
  fill($('chart'), barChart([...totals.entries()].sort((a, b) => b[1] - a[1])));
}

async function pagesFromJobs(totals) {
  const jobs = (await api('GET', '/api/v1/jobs?which=completed&limit=1000')).jobs;
  for (const j of jobs) {
    if (j.state !== 'done' || !j.printer) continue;
    const a = j.analysis || {};
    const pages = a.impressions || (a.pages || 0) * Math.max(1, (j.ticket && j.ticket.copies) || 1);
    totals.set(j.printer, (totals.get(j.printer) || 0) + pages);
  }
  return jobs.length;
}

// ---- the Reports tab -----------------------------------------------------------

function formQuery() {
  const f = new FormData($('report-form'));
  return { from: String(f.get('from') || ''), to: String(f.get('to') || ''), by: String(f.get('by') || 'printer') };
}

function updateCsvLink() {
  $('report-csv').setAttribute('href', usageQuery({ ...formQuery(), format: 'csv' }));
}

function reportRow(row, total = false) {
  const cell = total ? 'th' : 'td';
  return el('tr', { 'data-key': total ? null : row.key, class: total ? 'total' : null },
    el(cell, total ? { scope: 'row' } : {}, total ? 'Total' : row.key),
    el('td', { class: 'num' }, String(row.jobs)), el('td', { class: 'num' }, String(row.pages)),
    el('td', { class: 'num opt' }, String(row.sheets)), el('td', { class: 'num opt' }, String(row.colour_sheets)),
    el('td', { class: 'num' }, row.cost_text));
}

/** Loads the report the form asks for into the table and the chart. */
export async function loadReport() {
  const q = formQuery();
  updateCsvLink();
  const status = $('report-status');
  say(status, 'Loading…');
  try {
    const r = await api('GET', usageQuery(q));
    const what = BY_TEXT[r.by] || r.by;
    $('report-key').textContent = what;
    fill($('report-rows'), r.rows.map((row) => reportRow(row)));
    fill($('report-total'), reportRow(r.total, true));
    fill($('report-chart'), r.rows.length ? barChart(r.rows.map((row) => [row.key, row.pages]),
      'Pages per ' + what.toLowerCase()) : null);
    say(status, r.rows.length
      ? 'From ' + r.from + ' to ' + r.to + ', by ' + what.toLowerCase() + ', in ' + r.currency + '.'
      : 'Nothing was charged from ' + r.from + ' to ' + r.to + '.');
  } catch (e) {
    fill($('report-rows'));
    fill($('report-total'));
    fill($('report-chart'));
    say(status, e.status === 503 ? 'This server makes no reports (it keeps no accounts).' : e.message, 'error');
  }
}

/** Sets the form's defaults (the last 30 days, by printer) and its handlers. */
export function wireReports() {
  const form = $('report-form');
  const now = new Date();
  form.elements.to.value = day(now);
  form.elements.from.value = day(new Date(now.getTime() - 29 * 86400000));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    loadReport();
  });
  form.addEventListener('input', updateCsvLink);
  form.addEventListener('change', updateCsvLink);
  updateCsvLink();
}
