// The stpsim explorer page. The server validates and runs; this page keeps
// the edited scenario, writes it as TOML (what "Save scenario" downloads and
// what every run sends), and draws the results it streams back.
'use strict';

const $ = (id) => document.getElementById(id);
const SVGNS = 'http://www.w3.org/2000/svg';

const S = {
  meta: null,
  base: null, // { builtin: name } or { text: toml }
  baseView: null, // the base scenario as the server resolved it
  edited: null, // the scenario being edited (plain values)
  replicates: 200,
  seed: 2016,
  metric: 'transformation_index',
  tab: (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)).replace(/[^A-Za-z0-9-]/g, ''),
  controller: null, // the running run's AbortController
  data: null, // the latest results snapshot
  shownToml: null, // the TOML of the results on screen
  finished: false,
  selected: -1,
};

// ---------- helpers ----------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const clone = (x) => JSON.parse(JSON.stringify(x));

function parseQuarter(s) {
  const m = /^(\d{4})Q([1-4])$/.exec(s);
  return m ? Number(m[1]) * 4 + Number(m[2]) - 1 : NaN;
}
function quarterName(i) {
  return `${Math.floor(i / 4)}Q${(i % 4) + 1}`;
}
function quarterRange(a, b) {
  const out = [];
  for (let i = parseQuarter(a); i <= parseQuarter(b); i++) out.push(quarterName(i));
  return out;
}

function palette(i) {
  return S.meta.palette[i % S.meta.palette.length];
}
function withAlpha(rgb, a) {
  return rgb.replace('rgb(', 'rgba(').replace(')', `,${a})`);
}

function declOf(kind) {
  return S.meta.levers.find((d) => d.kind === kind);
}
function paramDef(name) {
  return S.meta.params.find((p) => p.name === name);
}

// ---------- the scenario as TOML ----------

const str = (s) => JSON.stringify(String(s));
function num(x) {
  if (typeof x !== 'number' || Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return String(x);
}
function value(v) {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return num(v);
  if (typeof v === 'string') return str(v);
  return str(v);
}

function footprintsToml(f) {
  if (f === 'all') return '"all"';
  if (Array.isArray(f)) return '[' + f.map(str).join(', ') + ']';
  if (f && f.most_ready !== undefined) return `{ most_ready = ${num(f.most_ready)} }`;
  if (f && f.least_ready !== undefined) return `{ least_ready = ${num(f.least_ready)} }`;
  return null;
}

function toToml(e) {
  const baseName = S.base.builtin ? `built-in scenario "${S.base.builtin}"` : 'an uploaded scenario';
  const lines = [
    `# Saved from the stpsim explorer (stpsim v${S.meta.version}), starting from ${baseName}.`,
    `# The explorer's numbers again: stpsim run ${S.base.builtin || 'BASE.toml'} ${e.name}.toml --seed ${num(S.seed)} --replicates ${num(S.replicates)}`,
    `name = ${str(e.name)}`,
    `description = ${str(e.description)}`,
    `start = ${str(e.start)}`,
    `end = ${str(e.end)}`,
    `replicates = ${num(S.replicates)}`,
    `seed = ${num(S.seed)}`,
    '',
    '[structure]',
    `kind = ${str(e.structure.kind)}`,
  ];
  if (e.structure.kind === 'synthetic') lines.push(`footprints = ${num(e.structure.footprints)}`);
  lines.push(`ready = [${e.ready.map(str).join(', ')}]`);
  const params = Object.keys(e.params).sort();
  if (params.length) {
    lines.push('', '[params]');
    for (const k of params) lines.push(`${k} = ${num(e.params[k])}`);
  }
  for (const l of e.levers) {
    lines.push('', '[[levers]]', `kind = ${str(l.kind)}`, `start = ${str(l.start)}`);
    if (l.end) lines.push(`end = ${str(l.end)}`);
    const d = declOf(l.kind);
    if (d && !d.national) {
      const f = footprintsToml(l.footprints);
      if (f) lines.push(`footprints = ${f}`);
    }
    for (const fd of d ? d.fields : []) {
      const v = l.fields[fd.name];
      if (v === undefined || v === null) continue;
      if (fd.control === 'years') {
        const ys = v.map((y) => `  { year = ${str(y.year)}, total_gbp_bn = ${num(y.total_gbp_bn)}, transformation_share = ${num(y.transformation_share)} },`);
        lines.push('years = [', ...ys, ']');
      } else {
        lines.push(`${fd.name} = ${value(v)}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

// ---------- loading ----------

async function getJson(url, opts) {
  const r = await fetch(url, opts);
  const body = await r.json().catch(() => ({ error: `the server answered ${r.status}` }));
  if (!r.ok) throw body;
  return body;
}

function editedFrom(view) {
  const e = clone(view);
  let name = `${view.name}-edited`;
  if (name.length > 64) name = name.slice(0, 57) + '-edited';
  e.name = name;
  e.description = `Edited in the stpsim explorer from ${view.name}.`;
  return e;
}

function adopt(view, base) {
  S.base = base;
  S.baseView = view;
  S.edited = editedFrom(view);
  S.replicates = view.replicates || S.meta.defaults.replicates;
  S.seed = view.seed === null || view.seed === undefined ? S.meta.defaults.seed : view.seed;
  S.selected = -1;
  $('name').value = S.edited.name;
  $('replicates').value = S.replicates;
  $('seed').value = S.seed;
  $('question').textContent = base.builtin
    ? (S.meta.library.find((b) => b.name === base.builtin) || {}).question || ''
    : view.description;
  renderEditor();
  changed();
}

async function loadBuiltin(name) {
  try {
    const view = await getJson(`/api/scenarios/${encodeURIComponent(name)}`);
    adopt(view, { builtin: name });
    showError(null);
  } catch (err) {
    showError(err);
  }
}

async function loadUpload(file) {
  const text = await file.text();
  try {
    const view = await getJson('/api/scenario', { method: 'POST', body: JSON.stringify(text), headers: { 'content-type': 'application/json' } });
    adopt(view, { text });
    const opt = el('option', { value: '__upload' }, `${view.name} (uploaded)`);
    [...$('base').options].filter((o) => o.value === '__upload').forEach((o) => o.remove());
    $('base').append(opt);
    $('base').value = '__upload';
    showError(null);
  } catch (err) {
    showError(err);
  }
}

// ---------- editing ----------

let debounce = null;
function changed() {
  clearTimeout(debounce);
  renderTimeline();
  debounce = setTimeout(run, 350);
}

function newLever(kind) {
  const d = declOf(kind);
  const e = S.edited;
  const start = quarterRange(e.start, e.end)[Math.min(5, parseQuarter(e.end) - parseQuarter(e.start))];
  const fields = {};
  for (const f of d.fields) if (f.start_value !== null && f.start_value !== undefined) fields[f.name] = clone(f.start_value);
  return { kind, start, end: null, footprints: d.national ? null : 'all', fields };
}

function numberControl(fd, get, set, field) {
  const step = fd.control === 'whole' ? 1 : (fd.max - fd.min) / 100;
  const current = get();
  const range = el('input', { type: 'range', min: fd.min, max: fd.max, step, value: current ?? fd.min, 'aria-label': fd.name });
  const box = el('input', { type: 'number', min: fd.min, max: fd.max, step: fd.control === 'whole' ? 1 : 'any', value: current ?? '', placeholder: 'default', 'data-field': field });
  range.addEventListener('input', () => {
    box.value = range.value;
    set(Number(range.value));
    changed();
  });
  box.addEventListener('input', () => {
    if (box.value === '') set(null);
    else {
      set(Number(box.value));
      range.value = box.value;
    }
    changed();
  });
  return [range, box];
}

function footprintControl(l, i) {
  const names = S.edited.footprints;
  const mode = l.footprints === 'all' ? 'all' : Array.isArray(l.footprints) ? 'named' : l.footprints.most_ready !== undefined ? 'most_ready' : 'least_ready';
  const sel = el('select', { 'data-field': `levers[${i}].footprints`, 'aria-label': 'footprints' },
    el('option', { value: 'all' }, 'all footprints'),
    el('option', { value: 'named' }, 'named footprints'),
    el('option', { value: 'most_ready' }, 'the most ready n'),
    el('option', { value: 'least_ready' }, 'the least ready n'));
  sel.value = mode;
  sel.addEventListener('change', () => {
    if (sel.value === 'all') l.footprints = 'all';
    else if (sel.value === 'named') l.footprints = names.slice(0, 1);
    else l.footprints = { [sel.value]: Math.min(5, names.length) };
    renderEditor();
    changed();
  });
  const row = el('div', { class: 'row' }, el('span', {}, 'footprints'), sel);
  const extra = [];
  if (mode === 'named') {
    const multi = el('select', { multiple: true, size: 6, 'aria-label': 'named footprints' });
    for (const n of names) multi.append(el('option', { value: n, selected: l.footprints.includes(n) }, n));
    multi.addEventListener('change', () => {
      l.footprints = [...multi.selectedOptions].map((o) => o.value);
      changed();
    });
    const count = el('span', { class: 'hint' }, `${l.footprints.length} of ${names.length} chosen`);
    multi.addEventListener('change', () => { count.textContent = `${l.footprints.length} of ${names.length} chosen`; });
    row.append(count);
    extra.push(el('div', { class: 'row' }, multi));
  } else if (mode !== 'all') {
    const n = el('input', { type: 'number', min: 1, max: names.length, step: 1, value: l.footprints[mode], 'aria-label': 'how many footprints' });
    n.addEventListener('input', () => {
      l.footprints = { [mode]: Number(n.value) };
      changed();
    });
    row.append(n, el('span', { class: 'hint' }, `of ${names.length}`));
  }
  return [row, ...extra];
}

function yearsControl(l, i, fd) {
  const years = l.fields[fd.name];
  const t = el('table', {}, el('tr', {}, el('th', {}, 'year'), el('th', {}, '£bn'), el('th', {}, 'transformation')));
  years.forEach((y, j) => {
    const cell = (key, max) => {
      const inp = el('input', { type: 'number', min: 0, max, step: 'any', value: y[key], 'data-field': `levers[${i}].years[${j}].${key}` });
      inp.addEventListener('input', () => {
        y[key] = Number(inp.value);
        changed();
      });
      return el('td', {}, inp);
    };
    t.append(el('tr', {}, el('td', {}, y.year), cell('total_gbp_bn', 100), cell('transformation_share', 1)));
  });
  return el('div', { class: 'row' }, t);
}

function leverCard(l, i) {
  const d = declOf(l.kind);
  const kinds = el('select', { 'data-field': `levers[${i}].kind`, 'aria-label': 'lever kind' });
  for (const k of S.meta.levers) kinds.append(el('option', { value: k.kind }, k.label));
  kinds.value = l.kind;
  kinds.addEventListener('change', () => {
    const n = newLever(kinds.value);
    n.start = l.start;
    n.end = l.end;
    S.edited.levers[i] = n;
    renderEditor();
    changed();
  });
  const quarters = quarterRange(S.edited.start, S.edited.end);
  const start = el('select', { 'data-field': `levers[${i}].start`, 'aria-label': 'start quarter' });
  for (const q of quarters) start.append(el('option', { value: q }, q));
  if (!quarters.includes(l.start)) start.append(el('option', { value: l.start }, l.start));
  start.value = l.start;
  start.addEventListener('change', () => {
    l.start = start.value;
    if (l.end && parseQuarter(l.end) <= parseQuarter(l.start)) l.end = null;
    renderEditor();
    changed();
  });
  const end = el('select', { 'data-field': `levers[${i}].end`, 'aria-label': 'end quarter' }, el('option', { value: '' }, 'end of run'));
  for (let q = parseQuarter(l.start) + 1; q <= parseQuarter(S.edited.end) + 1; q++) end.append(el('option', { value: quarterName(q) }, quarterName(q)));
  end.value = l.end || '';
  end.addEventListener('change', () => {
    l.end = end.value || null;
    changed();
  });
  const remove = el('button', { class: 'remove', title: 'Remove this lever', 'aria-label': 'remove lever' }, '✕');
  remove.addEventListener('click', () => {
    S.edited.levers.splice(i, 1);
    renderEditor();
    changed();
  });
  const card = el('div', { class: 'lever' + (i === S.selected ? ' selected' : ''), id: `lever-${i}`, 'data-kind': l.kind },
    el('div', { class: 'top' }, el('span', { class: 'n' }, String(i + 1)), kinds, remove),
    el('div', { class: 'row' }, el('span', {}, 'from'), start, el('span', {}, 'until'), end));
  if (d && !d.national) card.append(...footprintControl(l, i));
  for (const fd of d ? d.fields : []) {
    const field = `levers[${i}].${fd.name}`;
    if (fd.control === 'switch') {
      const box = el('input', { type: 'checkbox', checked: !!l.fields[fd.name], 'data-field': field });
      box.addEventListener('change', () => {
        l.fields[fd.name] = box.checked;
        changed();
      });
      card.append(el('div', { class: 'row', title: fd.doc }, el('span', {}, fd.name.replaceAll('_', ' ')), box));
    } else if (fd.control === 'years') {
      card.append(yearsControl(l, i, fd));
    } else {
      const [range, box] = numberControl(fd, () => l.fields[fd.name], (v) => {
        if (v === null) delete l.fields[fd.name];
        else l.fields[fd.name] = v;
      }, field);
      card.append(el('div', { class: 'row', title: fd.doc }, el('span', {}, fd.name.replaceAll('_', ' ')), range, box));
    }
  }
  return card;
}

function renderParams() {
  const filter = $('param-filter').value.trim().toLowerCase();
  const root = $('params');
  root.replaceChildren();
  const groups = new Map();
  for (const p of S.meta.params) {
    if (filter && !p.name.includes(filter) && !p.description.toLowerCase().includes(filter)) continue;
    if (!groups.has(p.group)) groups.set(p.group, []);
    groups.get(p.group).push(p);
  }
  for (const [g, ps] of groups) {
    const nChanged = ps.filter((p) => S.edited.params[p.name] !== undefined).length;
    const det = el('details', { open: filter !== '' || nChanged > 0 }, el('summary', {}, `${g} (${ps.length}${nChanged ? `, ${nChanged} changed` : ''})`));
    for (const p of ps) {
      const v = S.edited.params[p.name];
      const input = el('input', { type: 'number', step: p.whole ? 1 : 'any', min: p.min ?? undefined, max: p.max ?? undefined, value: v ?? p.default, 'data-field': `params.${p.name}`, 'aria-label': p.name });
      const row = el('div', { class: 'param' + (v !== undefined ? ' changed' : ''), title: p.description },
        el('span', { class: 'pname' }, p.name, el('br'), el('span', { class: 'unit' }, `${p.unit}; default ${p.default}`)), input);
      const reset = el('button', { title: 'Back to the default', 'aria-label': `reset ${p.name}` }, '↺');
      reset.addEventListener('click', () => {
        delete S.edited.params[p.name];
        renderParams();
        changed();
      });
      row.append(reset);
      input.addEventListener('change', () => {
        const x = input.value === '' ? p.default : Number(input.value);
        if (x === p.default) delete S.edited.params[p.name];
        else S.edited.params[p.name] = x;
        row.classList.toggle('changed', S.edited.params[p.name] !== undefined);
        changed();
      });
      det.append(row);
    }
    root.append(det);
  }
}

function renderEditor() {
  const box = $('levers');
  box.replaceChildren(...S.edited.levers.map(leverCard));
  if (!S.edited.levers.length) box.append(el('p', { class: 'hint' }, 'No levers: add one below.'));
  renderParams();
  renderTimeline();
}

// ---------- the timeline ----------

function renderTimeline() {
  const t = $('timeline');
  const e = S.edited;
  const q0 = parseQuarter(e.start);
  const q1 = parseQuarter(e.end) + 1;
  const W = 420, left = 14, right = 14, rowH = 22, top = 8;
  const H = top + Math.max(1, e.levers.length) * rowH + 30;
  t.setAttribute('viewBox', `0 0 ${W} ${H}`);
  t.replaceChildren();
  const x = (q) => left + ((q - q0) / (q1 - q0)) * (W - left - right);
  const axisY = top + Math.max(1, e.levers.length) * rowH + 4;
  for (let q = q0; q <= q1; q++) {
    const major = q % 4 === 0;
    t.append(svg('line', { x1: x(q), x2: x(q), y1: major ? top - 4 : axisY, y2: axisY + (major ? 6 : 3), stroke: major ? '#e1e1e1' : '#999' }));
    if (major) t.append(svg('text', { x: x(q), y: axisY + 18, 'text-anchor': 'middle', 'font-size': 10, fill: '#1a1a1a' }, String(q / 4)));
  }
  t.append(svg('line', { x1: left, x2: W - right, y1: axisY, y2: axisY, stroke: '#1a1a1a' }));
  const colour = palette(1);
  e.levers.forEach((l, i) => {
    const a = parseQuarter(l.start);
    const b = l.end ? parseQuarter(l.end) : q1;
    const y = top + i * rowH;
    const g = svg('g', { class: 'bar', 'data-lever': i, style: 'cursor: grab' });
    g.append(svg('rect', { x: x(a), y: y + 3, width: Math.max(2, x(b) - x(a)), height: rowH - 6, fill: withAlpha(colour, i === S.selected ? 0.45 : 0.25), stroke: colour, rx: 2 }));
    const d = declOf(l.kind);
    const where = d && d.national ? 'national' : l.footprints === 'all' ? 'all' : Array.isArray(l.footprints) ? `${l.footprints.length} named` : l.footprints.most_ready !== undefined ? `${l.footprints.most_ready} most ready` : `${l.footprints.least_ready} least ready`;
    const label = `${i + 1} ${d ? d.label : l.kind} (${where})`;
    const lx = Math.min(x(a) + 4, W - right - 6 * label.length);
    g.append(svg('text', { x: Math.max(left + 2, lx), y: y + rowH / 2 + 4, 'font-size': 11, fill: '#1a1a1a' }, label));
    g.append(svg('title', {}, `${label}: ${l.start} to ${l.end || 'the end of the run'}; drag to move`));
    dragBar(g, l, i, x, q0, q1);
    t.append(g);
  });
}

// Dragging a bar moves the lever's start (and its end with it) by quarters.
function dragBar(g, l, i, x, q0, q1) {
  g.addEventListener('pointerdown', (ev) => {
    const t = $('timeline');
    const scale = (t.viewBox.baseVal.width / t.getBoundingClientRect().width) * (q1 - q0) / (x(q1) - x(q0));
    const x0 = ev.clientX;
    const a0 = parseQuarter(l.start);
    const len = l.end ? parseQuarter(l.end) - a0 : null;
    g.setPointerCapture(ev.pointerId);
    S.selected = i;
    const move = (m) => {
      const dq = Math.round((m.clientX - x0) * scale);
      const a = Math.min(Math.max(a0 + dq, q0), q1 - 1);
      if (quarterName(a) !== l.start) {
        l.start = quarterName(a);
        if (len !== null) l.end = quarterName(a + len);
        changed();
      }
    };
    const up = () => {
      g.removeEventListener('pointermove', move);
      g.removeEventListener('pointerup', up);
      renderEditor();
      const card = $(`lever-${i}`);
      if (card) card.scrollIntoView({ block: 'nearest' });
    };
    g.addEventListener('pointermove', move);
    g.addEventListener('pointerup', up);
  });
}

// ---------- running ----------

function showError(err) {
  document.querySelectorAll('.err.beside').forEach((n) => n.remove());
  document.querySelectorAll('.invalid').forEach((n) => n.classList.remove('invalid'));
  const box = $('error');
  if (!err) {
    box.hidden = true;
    return;
  }
  const msg = err.error || String(err);
  const control = err.field && err.scenario !== 'base' ? document.querySelector(`[data-field="${CSS.escape(err.field)}"]`) : null;
  if (control) {
    control.classList.add('invalid');
    const note = el('div', { class: 'err beside', 'data-error-for': err.field }, msg);
    const row = control.closest('.row, .param, label') || control;
    row.after(note);
    box.hidden = false;
    box.textContent = `The scenario was not run: see the message beside ${err.field}.`;
  } else {
    box.hidden = false;
    box.textContent = msg;
  }
  setStatus('Not run: fix the scenario to run it.');
}

function setStatus(text) {
  $('status').textContent = text;
}

function readSettings() {
  S.edited.name = $('name').value.trim();
  S.replicates = $('replicates').value === '' ? NaN : Number($('replicates').value);
  S.seed = $('seed').value === '' ? NaN : Number($('seed').value);
}

async function run() {
  clearTimeout(debounce);
  if (!S.edited) return;
  readSettings();
  if (S.controller) S.controller.abort();
  const controller = new AbortController();
  S.controller = controller;
  const toml = toToml(S.edited);
  const body = JSON.stringify({ tab: S.tab, base: S.base, scenario: toml });
  $('cancel').disabled = false;
  $('report').disabled = true;
  $('data').disabled = true;
  S.finished = false;
  setStatus(`Running ${S.replicates} replicates, seed ${S.seed}…`);
  let r;
  try {
    r = await fetch('/api/run', { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: controller.signal });
  } catch (err) {
    if (controller.signal.aborted) return;
    setStatus(`The server did not answer: ${err}`);
    $('cancel').disabled = true;
    return;
  }
  if (!r.ok) {
    const err = await r.json().catch(() => ({ error: `the server answered ${r.status}` }));
    if (S.controller === controller) {
      S.controller = null;
      $('cancel').disabled = true;
      showError(err);
    }
    return;
  }
  showError(null);
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let status = 'stopped';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let k;
      while ((k = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, k);
        buf = buf.slice(k + 2);
        const name = (/^event: (.*)$/m.exec(chunk) || [])[1];
        const data = JSON.parse((/^data: (.*)$/m.exec(chunk) || [])[1] || 'null');
        if (name === 'progress') {
          S.data = data;
          S.shownToml = toml;
          $('save').disabled = false;
          draw();
          setStatus(`${data.done} of ${data.of} replicates, seed ${data.seed}${data.done < data.of ? '…' : ''}`);
        } else if (name === 'end') {
          status = data.status;
        }
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) setStatus(`The run stopped: ${err}`);
    return;
  }
  if (S.controller !== controller) return;
  S.controller = null;
  $('cancel').disabled = true;
  if (status === 'finished') {
    S.finished = true;
    $('report').disabled = false;
    $('data').disabled = false;
    document.body.dataset.finished = S.data ? `${S.data.done}` : '';
    setStatus(`Done: ${S.data.of} replicates, seed ${S.data.seed}. Save scenario writes the file that reproduces these numbers.`);
  } else if (status === 'cancelled') {
    setStatus(`Cancelled after ${S.data ? S.data.done : 0} replicates.`);
  } else {
    setStatus('The run stopped before it finished; the server is still there: change something or press Run.');
  }
}

function cancel() {
  if (S.controller) {
    S.controller.abort();
    S.controller = null;
    $('cancel').disabled = true;
    setStatus(`Cancelled after ${S.data ? S.data.done : 0} replicates.`);
  }
}

function download(name, text, type) {
  const a = el('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

// ---------- charts (hand-written SVG, the static charts' style) ----------

function metricMeta(name) {
  return S.meta.metrics.find((m) => m.name === name);
}
function isShare(name) {
  return metricMeta(name).format.kind === 'share';
}

// Numbers in each metric's declared format (the format column of `metrics!`,
// served in /api/meta), as the terminal, report and static charts write them.
const MINUS = '\u2212';
function grouped(x, d) {
  const [int, frac] = Math.abs(x).toFixed(d).split('.');
  const body = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac ? `.${frac}` : '');
  return x < 0 && /[1-9]/.test(body) ? MINUS + body : body;
}
function scaled(name, v) {
  return isShare(name) ? v * 100 : v;
}
function baseDecimals(name) {
  return { share: 1, money: 0, count: 1, index: 3 }[metricMeta(name).format.kind];
}
// The fewest decimals at which every non-zero value keeps two significant digits.
function decimalsFor(name, values) {
  let d = baseDecimals(name);
  for (const v of values) {
    const x = Math.abs(scaled(name, v));
    if (x > 0 && Number.isFinite(x)) d = Math.max(d, Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(x)))));
  }
  return d;
}
function formatted(name, v, signed, d = baseDecimals(name)) {
  let body = grouped(scaled(name, v), d);
  if (signed && !body.startsWith(MINUS) && /[1-9]/.test(body)) body = '+' + body;
  const kind = metricMeta(name).format.kind;
  if (kind === 'share') return signed ? `${body} pp` : `${body}%`;
  if (kind === 'money') {
    const sign = body.startsWith('+') || body.startsWith(MINUS) ? body[0] : '';
    return `${sign}£${body.slice(sign.length)}m`;
  }
  return body;
}
function intervalText(name, [mid, lo, hi]) {
  const d = decimalsFor(name, [mid, lo, hi]);
  return `${formatted(name, mid, true, d)} [${formatted(name, lo, true, d)}, ${formatted(name, hi, true, d)}]`;
}

function niceTicks(lo, hi, n = 6, flat = 1) {
  if (!(hi > lo)) {
    const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : flat;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return { ticks, step, lo: Math.min(lo, ticks[0]), hi: Math.max(hi, ticks[ticks.length - 1]) };
}

function tickLabel(v, step, metric, signed) {
  // Enough decimals to show the step itself (0.025, not 0.03 beside 0.05).
  const st = scaled(metric, step);
  let d = Math.max(0, -Math.floor(Math.log10(st) + 1e-9));
  while (d < 6 && Math.abs(Math.round(st * 10 ** d) - st * 10 ** d) > 1e-6) d++;
  let s = grouped(scaled(metric, v), d);
  if (isShare(metric) && !signed) s += '%';
  if (signed && v > 0 && /[1-9]/.test(s)) s = '+' + s;
  return s;
}

// "the axis does not start at zero", where it does not.
function zoomNote(yt) {
  return yt.lo > 0 || yt.hi < 0 ? '; the axis is zoomed and does not start at zero' : '';
}

function frame(root, title, subtitle, W, H) {
  root.setAttribute('viewBox', `0 0 ${W} ${H}`);
  root.replaceChildren();
  root.append(svg('rect', { width: W, height: H, fill: '#fff' }));
  root.append(svg('text', { x: 24, y: 36, 'font-size': 24, 'font-weight': 'bold', fill: '#000' }, title));
  root.append(svg('text', { x: 24, y: 62, 'font-size': 13, fill: 'rgb(110,110,110)' }, subtitle));
  root.append(svg('text', { x: 24, y: H - 12, 'font-size': 11, fill: 'rgb(110,110,110)' },
    `Source: stpsim v${S.meta.version}, ${S.data.done} of ${S.data.of} replicates, seed ${S.data.seed}`));
}

function axes(root, plot, quarters, yt, metric, signed) {
  const { x0, x1, y0, y1 } = plot;
  const y = (v) => y1 - ((v - yt.lo) / (yt.hi - yt.lo)) * (y1 - y0);
  const x = (i) => x0 + (quarters.length > 1 ? (i / (quarters.length - 1)) * (x1 - x0) : 0);
  for (const v of yt.ticks) {
    root.append(svg('line', { x1: x0, x2: x1, y1: y(v), y2: y(v), stroke: 'rgb(225,225,225)' }));
    root.append(svg('text', { x: x0 - 8, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11 }, tickLabel(v, yt.step, metric, signed)));
  }
  root.append(svg('line', { x1: x0, x2: x0, y1: y0, y2: y1, stroke: '#000' }));
  root.append(svg('line', { x1: x0, x2: x1, y1: y1, y2: y1, stroke: '#000' }));
  quarters.forEach((q, i) => {
    const major = q.endsWith('Q1');
    root.append(svg('line', { x1: x(i), x2: x(i), y1: y1, y2: y1 + (major ? 7 : 4), stroke: '#000' }));
    if (major) root.append(svg('text', { x: x(i), y: y1 + 22, 'text-anchor': 'middle', 'font-size': 11 }, q.slice(0, 4)));
  });
  root.append(svg('text', { x: (x0 + x1) / 2, y: y1 + 44, 'text-anchor': 'middle', 'font-size': 12 }, 'Year (tick at each quarter, label at Q1)'));
  return { x, y };
}

function band(root, xs, lo, hi, fill) {
  const pts = [];
  xs.forEach((x, i) => { if (Number.isFinite(hi[i])) pts.push(`${x},${hi[i]}`); });
  for (let i = xs.length - 1; i >= 0; i--) if (Number.isFinite(lo[i])) pts.push(`${xs[i]},${lo[i]}`);
  root.append(svg('polygon', { points: pts.join(' '), fill }));
}

function edge(root, xs, ys, stroke, dash) {
  const pts = xs.map((x, i) => `${x},${ys[i]}`).filter((_, i) => Number.isFinite(ys[i]));
  const attrs = { points: pts.join(' '), fill: 'none', stroke, 'stroke-width': 1 };
  if (dash) attrs['stroke-dasharray'] = dash;
  root.append(svg('polyline', attrs));
}

function line(root, xs, ys, stroke, width = 3, cls) {
  const pts = xs.map((x, i) => `${x},${ys[i]}`).filter((_, i) => Number.isFinite(ys[i]));
  root.append(svg('polyline', { points: pts.join(' '), fill: 'none', stroke, 'stroke-width': width, 'stroke-linejoin': 'round', class: cls }));
}

// Lever starts numbered as in the editor; the base scenario's in its colour.
function marks(quarters) {
  const out = [];
  const add = (levers, s) => levers.forEach((l, i) => {
    const k = quarters.indexOf(l.start);
    if (k >= 0) out.push({ k, s, label: s === 1 ? String(i + 1) : 'b', end: l.end ? quarters.indexOf(l.end) : -1 });
  });
  add(S.baseView.levers, 0);
  add(S.edited.levers, 1);
  return out;
}

function legend(root, x, y, items) {
  for (const it of items) {
    if (it.heading) {
      root.append(svg('text', { x, y, 'font-size': 13, 'font-weight': 'bold' }, it.heading));
    } else {
      if (it.fill) root.append(svg('rect', { x, y: y - 11, width: 34, height: 16, fill: it.fill }));
      if (it.stroke) root.append(svg('line', { x1: x, x2: x + 34, y1: y - 3, y2: y - 3, stroke: it.stroke, 'stroke-width': 4 }));
      root.append(svg('text', { x: x + 44, y: y + 1, 'font-size': 12 }, it.text));
    }
    y += it.heading ? 24 : 26;
  }
}

function fanChart() {
  const root = $('fan');
  const d = S.data;
  const m = S.metric;
  const meta = metricMeta(m);
  const W = 1200, H = 620;
  const quarters = d.quarters[0].length >= d.quarters[1].length ? d.quarters[0] : d.quarters[1];
  const sers = [d.series[m].base, d.series[m].edited];
  const all = sers.flatMap((s) => s.flatMap((q) => [q[0], q[4]])).filter(Number.isFinite);
  const yt = niceTicks(Math.min(...all), Math.max(...all));
  const meaning = meta.format.meaning ? `: ${meta.format.meaning}` : ` (${meta.unit_words})`;
  frame(root, meta.label.replace(/^./, (c) => c.toUpperCase()), `${meta.description.replace(/^./, (c) => c.toUpperCase())}${meaning}${zoomNote(yt)}`, W, H);
  const plot = { x0: 110, x1: W - 360, y0: 120, y1: H - 90 };
  const { x, y } = axes(root, plot, quarters, yt, m, false);
  root.append(svg('text', { x: 24, y: (plot.y0 + plot.y1) / 2, transform: `rotate(-90 24 ${(plot.y0 + plot.y1) / 2})`, 'text-anchor': 'middle', 'font-size': 12 }, meta.unit_words));
  sers.forEach((s, i) => {
    const qs = d.quarters[i];
    const xs = qs.map((q) => x(quarters.indexOf(q)));
    const c = palette(i);
    if (i === 0) {
      // The base's bands as outlines, as the static charts draw the
      // reference, so the two fills never mix into a colour of neither.
      for (const k of [0, 4]) edge(root, xs, s.map((q) => y(q[k])), c, '5 4');
      for (const k of [1, 3]) edge(root, xs, s.map((q) => y(q[k])), c, null);
      return;
    }
    band(root, xs, s.map((q) => y(q[0])), s.map((q) => y(q[4])), withAlpha(c, 0.16));
    band(root, xs, s.map((q) => y(q[1])), s.map((q) => y(q[3])), withAlpha(c, 0.38));
  });
  sers.forEach((s, i) => {
    const xs = d.quarters[i].map((q) => x(quarters.indexOf(q)));
    line(root, xs, s.map((q) => y(q[2])), palette(i), 3, `median s${i}`);
  });
  const seen = new Set();
  for (const mk of marks(quarters)) {
    const c = palette(mk.s);
    const xx = x(mk.k) + (mk.s === 0 ? -3 : 0);
    root.append(svg('line', { x1: xx, x2: xx, y1: plot.y0 + 12, y2: plot.y1, stroke: c, 'stroke-width': 1.6, 'stroke-dasharray': '7 5' }));
    if (mk.end >= 0) root.append(svg('line', { x1: x(mk.end), x2: x(mk.end), y1: plot.y0 + 12, y2: plot.y1, stroke: c, 'stroke-width': 1.6, 'stroke-dasharray': '2 4' }));
    const key = `${mk.k}:${mk.s}`;
    if (!seen.has(key)) {
      seen.add(key);
      const labels = marks(quarters).filter((o) => o.k === mk.k && o.s === mk.s).map((o) => o.label);
      const text = mk.s === 0 ? 'b' : labels.join(',');
      const r = 11 + 3 * Math.max(0, text.length - 2);
      const cy = plot.y0 - 6 - (mk.s === 0 ? 26 : 0);
      root.append(svg('ellipse', { cx: xx, cy, rx: r, ry: 11, fill: '#fff', stroke: c, 'stroke-width': 2 }));
      root.append(svg('text', { x: xx, y: cy + 4, 'text-anchor': 'middle', 'font-size': 11, 'font-weight': 'bold' }, text));
    }
  }
  const lx = W - 330;
  legend(root, lx, 130, [
    { heading: 'Scenarios' },
    { stroke: palette(0), text: `${d.scenarios[0]} (base)` },
    { stroke: palette(1), text: d.scenarios[1] },
    { heading: 'Across replicates' },
    { fill: withAlpha(palette(1), 0.16), text: '90% of replicates (base: dashed outline)' },
    { fill: withAlpha(palette(1), 0.38), text: '50% of replicates (base: outline)' },
    { stroke: palette(1), text: 'median' },
    { heading: 'Levers' },
    { text: 'numbered as in the editor; b: the base\'s' },
    { text: 'dashed: start; dotted: end' },
  ]);
}

function diffChart() {
  const root = $('diff');
  const d = S.data;
  const m = S.metric;
  const W = 1200, H = 480;
  const series = d.series[m].difference;
  const title = `Difference from ${d.scenarios[0]}: ${metricMeta(m).label}`;
  const what = 'Median of the paired differences, replicate by replicate, with the 50% and 90% intervals; scenarios share random numbers';
  const unit = isShare(m) ? '; percentage points' : metricMeta(m).format.kind === 'money' ? `; ${metricMeta(m).unit_words}` : '';
  if (!series) {
    frame(root, title, what + unit, W, H);
    root.append(svg('text', { x: 24, y: 120, 'font-size': 14 }, 'No paired difference: the two scenarios differ in structure or quarters.'));
    root.dataset.ready = '';
    return;
  }
  const quarters = d.quarters[0];
  const vals = series.flatMap((q) => [q[0], q[4]]).filter(Number.isFinite).concat([0]);
  // All zero (no lever yet): a narrow axis around zero, not -1 to 1.
  const yt = niceTicks(Math.min(...vals), Math.max(...vals), 6, isShare(m) ? 0.01 : 0.01 * Math.max(1, ...vals.map(Math.abs)));
  frame(root, title, what + unit, W, H);
  const plot = { x0: 110, x1: W - 360, y0: 100, y1: H - 90 };
  const { x, y } = axes(root, plot, quarters, yt, m, true);
  root.append(svg('line', { x1: plot.x0, x2: plot.x1, y1: y(0), y2: y(0), stroke: 'rgb(110,110,110)', 'stroke-width': 1.5 }));
  const xs = quarters.map((_, i) => x(i));
  const c = palette(1);
  band(root, xs, series.map((q) => y(q[0])), series.map((q) => y(q[4])), withAlpha(c, 0.16));
  band(root, xs, series.map((q) => y(q[1])), series.map((q) => y(q[3])), withAlpha(c, 0.38));
  line(root, xs, series.map((q) => y(q[2])), c, 3, 'median difference');
  const last = series[series.length - 1];
  legend(root, W - 330, 110, [
    { heading: `${d.scenarios[1]} minus ${d.scenarios[0]}` },
    { stroke: c, text: 'median paired difference' },
    { fill: withAlpha(c, 0.38), text: '50% of replicates' },
    { fill: withAlpha(c, 0.16), text: '90% of replicates' },
    { stroke: 'rgb(110,110,110)', text: 'no difference' },
    { heading: `At ${quarters[quarters.length - 1]}` },
    { text: intervalText(m, [last[2], last[0], last[4]]) },
  ]);
  root.dataset.ready = d.done === d.of ? 'final' : 'partial';
}

function headlineTable() {
  const t = $('headline');
  const h = S.data.headline;
  const [b, e] = h;
  $('headline-title').textContent = `Headline numbers at ${e.quarter}`;
  const cell = (iv, cls) => el('td', { class: `num ${cls}` }, iv ? `${iv.median} [${iv.p05}, ${iv.p95}]` : 'n/a');
  const head = el('tr', {}, el('th', {}, 'metric'),
    el('th', {}, el('span', { class: 'swatch', style: `background:${palette(0)}` }), b.scenario),
    el('th', {}, el('span', { class: 'swatch', style: `background:${palette(1)}` }), e.scenario),
    el('th', {}, `${e.scenario} minus ${b.scenario}`));
  const rows = e.rows.map((r, i) => el('tr', { 'data-metric': r.metric },
    el('td', {}, r.metric), cell(b.rows[i].value, 'base'), cell(r.value, 'edited'), cell(r.difference, 'difference')));
  t.replaceChildren(head, ...rows);
  const base = S.base.builtin || 'BASE.toml';
  $('reproduce').replaceChildren('From the command line, with the file Save scenario writes: ',
    el('code', {}, `stpsim run ${base} ${e.scenario}.toml --seed ${S.data.seed} --replicates ${S.data.of}`),
    S.data.parameters ? ` (replicates run ${S.data.parameters}).` : '');
}

function draw() {
  if (!S.data) return;
  fanChart();
  diffChart();
  headlineTable();
}

// ---------- start ----------

async function start() {
  S.meta = await getJson('/api/meta');
  for (const b of S.meta.library) $('base').append(el('option', { value: b.name, title: b.question }, b.name));
  for (const m of S.meta.metrics) $('metric').append(el('option', { value: m.name, title: m.description }, `${m.label} (${m.name})`));
  for (const d of S.meta.levers) $('add-kind').append(el('option', { value: d.kind }, d.label));
  $('metric').value = S.metric;
  $('base').addEventListener('change', () => {
    if ($('base').value !== '__upload') loadBuiltin($('base').value);
  });
  $('upload').addEventListener('change', () => {
    const f = $('upload').files[0];
    if (f) loadUpload(f);
    $('upload').value = '';
  });
  for (const id of ['name', 'replicates', 'seed']) $(id).addEventListener('change', changed);
  $('metric').addEventListener('change', () => {
    S.metric = $('metric').value;
    draw();
  });
  $('run').addEventListener('click', run);
  $('cancel').addEventListener('click', cancel);
  $('add').addEventListener('click', () => {
    S.edited.levers.push(newLever($('add-kind').value));
    S.selected = S.edited.levers.length - 1;
    renderEditor();
    $(`lever-${S.selected}`).scrollIntoView({ block: 'nearest' });
    changed();
  });
  $('param-filter').addEventListener('input', renderParams);
  $('save').addEventListener('click', () => download(`${S.edited.name || 'scenario'}.toml`, S.shownToml, 'application/toml'));
  $('report').addEventListener('click', () => { location.href = `/api/report?tab=${encodeURIComponent(S.tab)}`; });
  $('data').addEventListener('click', () => {
    location.href = `/api/data?tab=${encodeURIComponent(S.tab)}&metric=${encodeURIComponent(S.metric)}`;
  });
  $('base').value = 'baseline';
  await loadBuiltin('baseline');
  // Open on a comparison that shows something: baseline against a copy with
  // one lever added (the server names it), not against an identical copy
  // whose every difference is zero.
  const opening = S.meta.opening_lever;
  if (S.edited && opening && declOf(opening)) {
    const l = newLever(opening);
    S.edited.levers.push(l);
    $('question').textContent += ` To start with, the edited copy adds one lever (${declOf(opening).label}, from ${l.start}): ` +
      'change or delete it, or add others.';
    renderEditor();
    changed();
  }
}

start().catch((err) => setStatus(`The explorer could not start: ${err.error || err}`));
