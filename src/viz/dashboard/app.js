// The flow dashboard: polls /api/status a few times a second and draws the
// task stream, the stage table and memory; the graph is /api/graph.svg,
// whose nodes get their state and counts from each status.
'use strict';
// The same colours as viz::dashboard::PALETTE, by stage position.
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const $ = (id) => document.getElementById(id);
let shown = null; // the run drawn
let pinned = null; // a run the user picked (else the newest)
let tasks = [];

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;')
    .replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
function num(n) { return Number(n).toLocaleString('en-US'); }
function bytes(b) {
  if (b >= 1e9) return (b / 1e9).toFixed(2) + ' GB';
  if (b >= 1e6) return (b / 1e6).toFixed(1) + ' MB';
  if (b >= 1e3) return (b / 1e3).toFixed(1) + ' KB';
  return b + ' B';
}
function secs(s) { return s == null ? '-' : s.toFixed(1) + ' s'; }

function runs(st) {
  const nav = $('runs');
  if (st.runs.length < 2) { nav.innerHTML = ''; return; }
  nav.innerHTML = 'runs: ' + st.runs.map((r) =>
    `<a href="#run=${r.id}" data-run="${r.id}" class="${r.id === shown ? 'current' : ''}" title="${esc(r.label)}">${r.id}</a>`).join('');
}

function graph(run) {
  fetch('/api/graph.svg?run=' + run.id).then((r) => r.text()).then((svg) => {
    if (shown === run.id) { $('graph').innerHTML = svg; paintGraph(run); }
  });
}

function paintGraph(run) {
  for (const s of run.stages) {
    const g = document.querySelector(`g[data-node="${s.node}"]`);
    if (g) g.setAttribute('class', 'node ' + s.state);
    const c = document.querySelector(`[data-counts="${s.node}"]`);
    if (c) c.textContent = `${s.partitions_done}/${s.partitions_total} parts · in ${num(s.elements_in)} · out ${num(s.elements_out)}`;
  }
}

function stages(run) {
  let h = '<tr><th>node</th><th>steps</th><th>partitions</th><th>bytes</th><th>rate</th><th>ETA</th></tr>';
  run.stages.forEach((s, i) => {
    const total = s.bytes_total > 0 ? s.bytes_total : s.partitions_total;
    const done = s.bytes_total > 0 ? s.bytes_read : s.partitions_done;
    const pct = s.state === 'done' ? 100 : (total > 0 ? Math.min(100, 100 * done / total) : 0);
    const rate = s.bytes_per_s != null ? bytes(s.bytes_per_s) + '/s'
      : (s.elements_per_s != null ? num(Math.round(s.elements_per_s)) + ' elem/s' : '-');
    h += `<tr data-stage="${s.node}"><td><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${s.node}</td>` +
      `<td class="label">${esc(s.label)}</td>` +
      `<td class="${s.state}"><span class="bar"><div style="width:${pct.toFixed(1)}%"></div></span>${s.partitions_done} / ${s.streamed && s.state !== 'done' ? '?' : s.partitions_total}</td>` +
      `<td>${s.bytes_total > 0 ? bytes(s.bytes_read) + ' / ' + bytes(s.bytes_total) : '-'}</td>` +
      `<td>${rate}</td><td>${s.state === 'done' ? 'done' : secs(s.eta_s)}</td></tr>`;
  });
  $('stages').innerHTML = h;
  $('legend').innerHTML = run.stages.map((s, i) =>
    `<span><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${s.node} ${esc(s.label)}</span>`).join(' ');
}

function stream(run, now) {
  const W = 1000, ROW = 22, LEFT = 70, rows = run.threads + 1;
  const end = run.finished_s != null ? run.finished_s : now;
  const span = Math.max(end - run.started_s, 1e-3);
  const x = (t) => LEFT + (t - run.started_s) / span * (W - LEFT - 10);
  const index = {};
  run.stages.forEach((s, i) => { index[s.node] = i; });
  const h = rows * ROW + 40;
  let out = '';
  for (let r = 0; r < rows; r++) {
    const y = 10 + r * ROW;
    out += `<text x="4" y="${y + 14}" fill="#444">${r === run.threads ? 'caller' : 'worker ' + r}</text>` +
      `<line x1="${LEFT}" x2="${W}" y1="${y + ROW}" y2="${y + ROW}" stroke="#eee"/>`;
  }
  for (const t of tasks) {
    const i = index[t.node];
    const x0 = x(t.start_s), x1 = x(t.end_s);
    const y = 10 + Math.min(t.worker, run.threads) * ROW + 2;
    const s = run.stages[i];
    out += `<rect data-task="${t.node}:${t.partition}" x="${x0.toFixed(1)}" y="${y}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${ROW - 4}" fill="${PALETTE[i % PALETTE.length]}">` +
      `<title>${t.node} ${esc(s.label)} · partition ${t.partition} · ${num(t.elements_in)} in, ${num(t.elements_out)} out · ${bytes(t.bytes)} · ${(t.end_s - t.start_s).toFixed(3)} s</title></rect>`;
  }
  const axis = 10 + rows * ROW + 16;
  for (let k = 0; k <= 4; k++) {
    const t = span * k / 4;
    out += `<text x="${Math.min(x(run.started_s + t), W - 20).toFixed(1)}" y="${axis}" fill="#444" text-anchor="middle">${t.toFixed(2)} s</text>`;
  }
  const svg = $('stream');
  svg.setAttribute('height', h);
  svg.setAttribute('viewBox', `0 0 ${W} ${h}`);
  svg.innerHTML = out;
  document.body.dataset.tasksDrawn = tasks.length;
}

function memory(st) {
  const W = 600, H = 140, m = st.memory;
  if (!m.length) return;
  const t0 = m[0][0], t1 = Math.max(m[m.length - 1][0], t0 + 1e-3);
  const max = Math.max(1, ...m.map((p) => p[1]));
  const pts = m.map((p) => `${(60 + (p[0] - t0) / (t1 - t0) * (W - 70)).toFixed(1)},${(H - 20 - p[1] / max * (H - 40)).toFixed(1)}`).join(' ');
  $('memory').innerHTML = `<text x="4" y="24" fill="#444" font-size="11">${bytes(max)}</text>` +
    `<text x="4" y="${H - 20}" fill="#444" font-size="11">0</text>` +
    `<text x="60" y="${H - 4}" fill="#444" font-size="11">now ${bytes(m[m.length - 1][1])}</text>` +
    `<polyline points="${pts}" fill="none" stroke="#4e79a7" stroke-width="2"/>`;
}

function update(st) {
  runs(st);
  memory(st);
  const run = st.run;
  if (!run) return;
  if (run.id !== shown) {
    shown = run.id; tasks = [];
    $('graph').innerHTML = '';
    graph(run);
    runs(st);
  }
  tasks = tasks.slice(0, run.tasks_since).concat(run.tasks);
  $('summary').textContent = `run ${run.id}: ${run.label} · ${run.state} · ${run.elapsed_s.toFixed(1)} s · ` +
    `${num(run.tasks_done)} of ${num(run.tasks_total)} tasks · ${bytes(run.bytes_read)} of ${bytes(run.bytes_total)}` +
    (st.rss_bytes != null ? ` · memory ${bytes(st.rss_bytes)}` : '');
  stages(run);
  paintGraph(run);
  stream(run, st.now_s);
}

async function poll() {
  let busy = true;
  try {
    const want = pinned != null ? pinned : null;
    let q = 'since=' + (shown != null && (want == null || want === shown) ? tasks.length : 0);
    if (want != null) q += '&run=' + want; else if (shown != null) q += '&run=' + shown;
    let st = await (await fetch('/api/status?' + q)).json();
    const newest = st.runs.length ? st.runs[st.runs.length - 1].id : null;
    if (want == null && newest != null && st.run && st.run.id !== newest) {
      st = await (await fetch('/api/status?since=0')).json();
    }
    update(st);
    $('conn').textContent = '';
    busy = st.run != null && st.run.state === 'running';
  } catch (e) {
    $('conn').textContent = 'not connected';
  }
  setTimeout(poll, busy ? 250 : 1000);
}

window.addEventListener('hashchange', () => {
  const m = /run=(\d+)/.exec(location.hash);
  pinned = m ? Number(m[1]) : null;
  shown = null;
});
{
  const m = /run=(\d+)/.exec(location.hash);
  pinned = m ? Number(m[1]) : null;
}
poll();
