// dashboard.js - draws the transparency dashboard from a report: the JSON of
// GET /v1/stats?from=&to=&public= (the same as `dmvgate report --format json`,
// docs/transparency.md), or of a saved file given as ?data=FILE.
//
// The flow diagram (requester category -> kind of data -> decision) is drawn
// here as SVG; the other charts use Chart.js. A suppressed count ("<10" or "x"
// in the public form) is drawn as zero and shown as written.
(function () {
  'use strict';

  const COLORS = { allow: '#2e7d32', deny: '#c62828', review: '#ef6c00', error: '#757575' };
  const PALETTE = ['#2f5f8f', '#5b8fc7', '#8fb3dc', '#3f8f7a', '#7cc0a8', '#b57d2a', '#d9a65a',
                   '#8a5a9e', '#b99ac9', '#9e9e9e'];
  const params = new URLSearchParams(location.search);
  const charts = [];
  const $ = (id) => document.getElementById(id);

  // A count as a number for drawing (suppressed: 0), and as written.
  const num = (v) => (typeof v === 'number' ? v : 0);
  const shown = (v) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
  const table = (rep, name) => rep.tables.find((t) => t.name === name);
  const col = (t, name) => t.columns.indexOf(name);
  const pretty = (s) => s.replace(/_/g, ' ');

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function svg(tag, attrs) {
    const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }

  // ---- the range form ------------------------------------------------------------

  function isoDay(d) {
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }

  function initForm() {
    const to = params.get('to') || isoDay(new Date());
    const from = params.get('from') ||
      isoDay(new Date(new Date(to + 'T12:00:00').getTime() - 6 * 86400000));
    $('from').value = from;
    $('to').value = to;
    $('public').checked = params.get('public') === '1';
    $('range').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const q = new URLSearchParams({ from: $('from').value, to: $('to').value });
      if ($('public').checked) q.set('public', '1');
      if (params.get('data')) q.set('data', params.get('data'));
      location.search = q.toString();
    });
  }

  function dataUrl() {
    if (params.get('data')) return params.get('data');
    const q = new URLSearchParams({ from: $('from').value, to: $('to').value,
                                    public: $('public').checked ? '1' : '0' });
    return '/v1/stats?' + q.toString();
  }

  // ---- cards --------------------------------------------------------------------------

  function cards(rep) {
    const cat = table(rep, 'by_category');
    const photos = table(rep, 'photo_by_category');
    const names = table(rep, 'name_search_by_category');
    const box = $('cards');
    box.replaceChildren();
    const add = (k, v, cls) => {
      const c = el('div', { class: 'card' + (cls ? ' ' + cls : '') });
      c.append(el('div', { class: 'v' }, v), el('div', { class: 'k' }, k));
      box.append(c);
    };
    add('requests', shown(cat.totals.total));
    for (const d of cat.columns) {
      const v = cat.totals.cells[col(cat, d)];
      const pct = typeof v === 'number' && typeof cat.totals.total === 'number' && cat.totals.total
        ? ' (' + (100 * v / cat.totals.total).toFixed(1) + '%)' : '';
      add(d === 'review' ? 'held for review' : d === 'allow' ? 'allowed' : d === 'deny' ? 'denied'
        : 'errors', shown(v) + pct);
    }
    add('photo requests', shown(photos.totals.total));
    add('name-only searches', shown(names.totals.total));
    const share = rep.meta.unspecified_share;
    add('from unspecified agencies', share === null ? 'suppressed' : (100 * share).toFixed(2) + '%');
    const nalerts = Object.values(rep.alerts_by_kind || {}).reduce((a, b) => a + b, 0);
    add('anomaly alerts', String(nalerts));
  }

  // ---- the flow diagram -------------------------------------------------------------------

  // Columns of nodes, and links between neighbouring columns, drawn as bands.
  function flow(rep) {
    const ck = table(rep, 'category_key');
    const kd = table(rep, 'by_key');
    const W = 960, H = 420, NW = 14, PAD = 6, TOP = 26;
    const x = [190, 470, 770];
    const cats = ck.rows.map((r, i) => ({ label: pretty(r.label), value: num(r.total), i }))
      .filter((n) => n.value > 0);
    const keys = kd.rows.map((r, i) => ({ label: r.label, value: num(r.total), i }))
      .filter((n) => n.value > 0);
    const decs = kd.columns.map((c, j) => ({ label: c, value: num(kd.totals.cells[j]), i: j }))
      .filter((n) => n.value > 0);
    const root = $('flow');
    root.replaceChildren();
    if (!cats.length) {
      root.append(el('p', { class: 'empty' }, 'No requests in this range.'));
      return;
    }
    const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'xMidYMid meet' });
    [['requester category', x[0]], ['kind of data', x[1]], ['decision', x[2]]].forEach(([t, cx]) => {
      const e = svg('text', { x: cx + NW / 2, y: 14, 'text-anchor': 'middle', class: 'col' });
      e.textContent = t;
      s.append(e);
    });
    // Place the nodes of one column, scaled to the tallest column.
    const total = Math.max(...[cats, keys, decs].map((c) => c.reduce((a, n) => a + n.value, 0)));
    const maxn = Math.max(cats.length, keys.length, decs.length);
    const scale = (H - TOP - 4 - PAD * (maxn - 1)) / total;
    function place(nodes) {
      let y = TOP;
      for (const n of nodes) {
        n.h = Math.max(2, n.value * scale);
        n.y = y;
        n.out = y;
        n.in = y;
        y += n.h + PAD;
      }
    }
    [cats, keys, decs].forEach(place);
    function band(a, b, v, x0, x1, color, title) {
      const w = Math.max(0.5, v * scale);
      const xm = (x0 + x1) / 2;
      const d = `M${x0},${a.out} C${xm},${a.out} ${xm},${b.in} ${x1},${b.in}` +
        ` L${x1},${b.in + w} C${xm},${b.in + w} ${xm},${a.out + w} ${x0},${a.out + w} Z`;
      const p = svg('path', { d, fill: color, class: 'link' });
      const t = svg('title');
      t.textContent = title;
      p.append(t);
      s.append(p);
      a.out += w;
      b.in += w;
    }
    cats.forEach((c, ci) => {
      for (const k of keys) {
        const v = num(ck.rows[c.i].cells[k.i]);
        if (v > 0) band(c, k, v, x[0] + NW, x[1], PALETTE[ci % PALETTE.length],
          `${c.label} \u2192 ${k.label}: ${v.toLocaleString('en-US')}`);
      }
    });
    for (const k of keys) {
      for (const d of decs) {
        const v = num(kd.rows[k.i].cells[d.i]);
        if (v > 0) band(k, d, v, x[1] + NW, x[2], COLORS[d.label] || '#999',
          `${k.label} \u2192 ${d.label}: ${v.toLocaleString('en-US')}`);
      }
    }
    function nodes(list, cx, anchor, color) {
      list.forEach((n, i) => {
        s.append(svg('rect', { x: cx, y: n.y, width: NW, height: n.h,
                               fill: color(n, i), rx: 2 }));
        const tx = anchor === 'end' ? cx - 6 : cx + NW + 6;
        const t = svg('text', { x: tx, y: n.y + n.h / 2 + 4, 'text-anchor': anchor });
        t.textContent = `${n.label} (${n.value.toLocaleString('en-US')})`;
        s.append(t);
      });
    }
    nodes(cats, x[0], 'end', (n, i) => PALETTE[i % PALETTE.length]);
    nodes(keys, x[1], 'start', () => '#455a64');
    nodes(decs, x[2], 'start', (n) => COLORS[n.label] || '#999');
    root.append(s);
  }

  // ---- charts ---------------------------------------------------------------------------

  function chart(id, config) {
    const c = new Chart($(id), config);
    charts.push(c);
    return c;
  }

  function byDecision(t, rows, horizontal, stacked = true) {
    return {
      type: 'bar',
      data: {
        labels: rows.map((r) => pretty(r.label)),
        datasets: t.columns.map((d) => ({
          label: d, backgroundColor: COLORS[d] || '#999',
          data: rows.map((r) => num(r.cells[col(t, d)])),
        })),
      },
      options: {
        indexAxis: horizontal ? 'y' : 'x', responsive: true, maintainAspectRatio: false,
        scales: { x: { stacked }, y: { stacked } },
        plugins: { legend: { position: 'bottom' } },
      },
    };
  }

  function drawCharts(rep) {
    charts.splice(0).forEach((c) => c.destroy());
    const series = table(rep, 'series');
    const cfg = byDecision(series, series.rows, false);
    cfg.data.labels = series.rows.map((r) => (rep.meta.series === 'hour' ? r.label.slice(5).replace('T', ' ') + 'h' : r.label));
    chart('chart-series', cfg);

    const cat = table(rep, 'by_category');
    chart('chart-category', byDecision(cat, cat.rows.filter((r) => num(r.total) > 0), true));

    const ag = table(rep, 'top_agencies');
    const listed = ag.rows.filter((r) => !r.label.startsWith('all other')).slice(0, 15);
    const agc = byDecision(ag, listed, true);
    agc.data.labels = listed.map((r) => r.label + (r.note ? ' ' + r.note.replace(/ \(.*$/, '').slice(0, 28) : ''));
    chart('chart-agencies', agc);

    const ph = table(rep, 'photo_by_category');
    chart('chart-photos', byDecision(ph, ph.rows.filter((r) => num(r.total) > 0), true));

    const unspecified = cat.rows.find((r) => r.label === 'unspecified');
    const u = unspecified ? num(unspecified.total) : 0;
    const all = num(cat.totals.total);
    chart('chart-unspecified', {
      type: 'doughnut',
      data: {
        labels: ['unspecified type', 'recorded type'],
        datasets: [{ data: [u, Math.max(0, all - u)], backgroundColor: ['#b57d2a', '#8fb3dc'] }],
      },
      options: { responsive: true, maintainAspectRatio: false,
                 plugins: { legend: { position: 'bottom' } } },
    });
    $('unspecified-note').textContent = unspecified
      ? `${shown(unspecified.total)} of ${shown(cat.totals.total)} requests came from agencies whose type was never recorded.`
      : '';

    const pur = table(rep, 'by_purpose');
    chart('chart-purpose', byDecision(pur, pur.rows.filter((r) => num(r.total) > 0), true));
  }

  // ---- lists ------------------------------------------------------------------------------

  function alerts(rep) {
    const box = $('alerts');
    box.replaceChildren();
    const list = rep.alerts;
    if (!list) {
      const kinds = Object.entries(rep.alerts_by_kind || {})
        .map(([k, n]) => `${pretty(k)}: ${n}`).join(', ');
      box.append(el('p', {}, `Raised in this range (the public form lists no agencies): ${kinds}.`));
      return;
    }
    if (!list.length) {
      box.append(el('p', { class: 'empty' }, 'No alerts in this range.'));
      return;
    }
    const t = el('table', { class: 'list', id: 'alert-table' });
    const head = el('tr');
    ['hour', 'kind', 'agency', 'category', 'count', 'threshold', 'baseline / hour']
      .forEach((h, i) => head.append(el('th', i >= 4 ? { class: 'n' } : {}, h)));
    const thead = el('thead');
    thead.append(head);
    t.append(thead);
    const body = el('tbody');
    for (const a of list) {
      const tr = el('tr');
      tr.append(el('td', {}, a.period.replace('T', ' ') + ':00'),
                el('td', { class: 'kind ' + a.kind, title: a.description }, pretty(a.kind)),
                el('td', {}, a.ori), el('td', {}, pretty(a.category)),
                el('td', { class: 'n' }, a.count.toLocaleString('en-US')),
                el('td', { class: 'n' }, Math.round(a.threshold).toLocaleString('en-US')),
                el('td', { class: 'n' }, a.baseline.toFixed(1)));
      body.append(tr);
    }
    t.append(body);
    box.append(t);
  }

  function rules(rep) {
    const t = table(rep, 'by_rule');
    const box = $('rules');
    box.replaceChildren();
    const tab = el('table', { class: 'list' });
    const head = el('tr');
    head.append(el('th', {}, 'rule'));
    t.columns.forEach((c) => head.append(el('th', { class: 'n' }, c)));
    head.append(el('th', { class: 'n' }, 'total'));
    const thead = el('thead');
    thead.append(head);
    tab.append(thead);
    const body = el('tbody');
    for (const r of t.rows) {
      const tr = el('tr');
      tr.append(el('td', {}, r.label));
      r.cells.forEach((v) => tr.append(el('td', { class: 'n' }, shown(v))));
      tr.append(el('td', { class: 'n' }, shown(r.total)));
      body.append(tr);
    }
    tab.append(body);
    box.append(tab);
  }

  function render(rep) {
    const m = rep.meta;
    $('title').textContent = m.title + ': data flows';
    document.title = 'dmvgate: ' + m.title;
    $('from').value = m.from;
    $('to').value = m.to;
    $('meta').textContent = `${m.from} to ${m.to} \u00b7 ${m.public ? 'public form' : 'internal form'}` +
      ` \u00b7 generated ${m.generated}` + (m.source ? ` \u00b7 ${m.source}` : '');
    $('suppression').textContent = m.public
      ? `Counts from 1 to ${m.threshold - 1} are shown as "<${m.threshold}" and some others as "x" so that no one is singled out.`
      : 'Internal form: exact counts, for state officials.';
    cards(rep);
    flow(rep);
    drawCharts(rep);
    alerts(rep);
    rules(rep);
  }

  async function main() {
    if (window.Chart) {
      Chart.defaults.animation = false;
      Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    }
    initForm();
    try {
      const r = await fetch(dataUrl(), { headers: { Accept: 'application/json' } });
      if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
      render(await r.json());
      document.body.dataset.ready = '1';
    } catch (e) {
      $('error').hidden = false;
      $('error').textContent = 'Cannot load the statistics: ' + e.message;
      document.body.dataset.ready = 'error';
    }
  }

  main();
})();
