// console.js - the review console's pages (web/console-*.html): one script,
// dispatched on <body data-page>. Every state-changing request carries the
// session's CSRF token (X-CSRF-Token); text from the server goes into the page
// with textContent only. When a page is ready, <body> gets data-ready.
'use strict';

let me = null;

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k instanceof Node ? k : String(k));
  return e;
}

function $(id) { return document.getElementById(id); }

function say(text, ok) {
  const m = $('msg');
  if (!m) return;
  m.textContent = text || '';
  m.className = 'msg ' + (ok ? 'ok' : 'error');
}

async function api(path, form) {
  const opt = { credentials: 'same-origin', headers: {} };
  if (form) {
    opt.method = 'POST';
    opt.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    if (me) opt.headers['X-CSRF-Token'] = me.csrf;
    opt.body = new URLSearchParams(form).toString();
  }
  const r = await fetch(path, opt);
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (r.status === 401 && !path.endsWith('/login')) {
    location.href = '/console/?next=' + encodeURIComponent(location.pathname + location.search);
    throw new Error('not logged in');
  }
  if (!r.ok) throw new Error(body && body.error ? body.error.message : 'HTTP ' + r.status);
  return body;
}

function when(us) {
  if (!us) return '';
  const d = new Date(us / 1000);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function countdown(seconds) {
  if (seconds <= 0) return 'past deadline';
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
  const m = Math.floor(seconds % 3600 / 60), s = Math.floor(seconds % 60);
  if (d) return `${d}d ${h}h left`;
  if (h) return `${h}h ${m}m left`;
  return `${m}m ${String(s).padStart(2, '0')}s left`;
}

function legal(it) {
  if (!it.legal_process) return '';
  const k = it.legal_process.kind.replace(/_/g, ' ');
  return it.legal_process.number ? `${k} ${it.legal_process.number}` : k;
}

const pages = [
  ['queue', 'Queue', ['reviewer', 'supervisor', 'auditor']],
  ['history', 'History', ['reviewer', 'supervisor', 'auditor']],
  ['notices', 'Notices', ['supervisor', 'auditor']],
  ['alerts', 'Alerts', ['reviewer', 'supervisor', 'auditor']],
  ['whatif', 'What if', ['supervisor']],
  ['admin', 'Accounts', ['admin']],
];

async function frame() {
  me = await api('/console/api/me');
  const nav = $('nav');
  const here = document.body.dataset.page;
  for (const [p, label, roles] of pages) {
    if (!roles.includes(me.role)) continue;
    const a = el('a', { href: '/console/' + p, text: label });
    if (p === here || (here === 'request' && p === 'queue')) a.setAttribute('aria-current', 'page');
    if (p === 'alerts') countAlerts(a);
    nav.append(a);
  }
  $('who').textContent = `${me.name} (${me.role})`;
  $('logout').addEventListener('click', async () => {
    try { await api('/console/api/logout', {}); } finally { location.href = '/console/'; }
  });
}

// The number of anomaly alerts of the last 24 hours, beside the Alerts link.
async function countAlerts(a) {
  try {
    const list = await api('/v1/stats/alerts');
    if (Array.isArray(list) && list.length)
      a.append(el('span', { class: 'count', text: String(list.length), 'aria-label': `${list.length} alerts` }));
  } catch (e) { /* the link stays; the page says why */ }
}

// ---- login ---------------------------------------------------------------------

function safeNext() {
  const n = new URLSearchParams(location.search).get('next') || '';
  return /^\/console\/[a-z]+(\?[A-Za-z0-9=&_%.-]*)?$/.test(n) ? n : null;
}

async function loginPage() {
  $('login').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say('');
    try {
      const u = await api('/console/api/login', { name: $('name').value, password: $('password').value });
      location.href = safeNext() || (u.role === 'admin' ? '/console/admin' : '/console/queue');
    } catch (e) {
      say(e.message);
      $('password').value = '';
      $('password').focus();
    }
  });
}

// ---- queue ---------------------------------------------------------------------

let timers = [];

async function queuePage() {
  const f = $('filters');
  const q = new URLSearchParams(location.search);
  const cats = ['municipal_police', 'sheriff', 'state_police', 'tribal_police', 'federal_le',
    'corrections', 'court', 'prosecutor', 'other_le', 'unspecified'];
  for (const c of cats) $('f-category').append(el('option', { value: c, text: c.replace(/_/g, ' ') }));
  for (const k of ['state', 'category']) if (q.get(k)) f.elements[k].value = q.get(k);
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const k of ['state', 'category', 'rule']) if (f.elements[k].value) p.set(k, f.elements[k].value);
    history.replaceState(null, '', '/console/queue' + (p.toString() ? '?' + p : ''));
    loadQueue(p);
  });
  await loadQueue(q);
}

async function loadQueue(q) {
  const p = new URLSearchParams();
  for (const k of ['state', 'category', 'rule']) if (q.get(k)) p.set(k, q.get(k));
  const r = await api('/console/api/queue' + (p.toString() ? '?' + p : ''));
  const rules = $('f-rule');
  const known = new Set([...rules.options].map((o) => o.value));
  for (const it of r.items) if (!known.has(it.rule)) { rules.append(el('option', { value: it.rule, text: it.rule })); known.add(it.rule); }
  if (q.get('rule')) rules.value = q.get('rule');
  const tb = $('rows');
  tb.replaceChildren();
  timers.forEach(clearInterval);
  timers = [];
  const start = Date.now();
  for (const it of r.items) {
    const dl = el('td', { class: 'deadline' });
    const tick = () => {
      const left = it.seconds_left - Math.floor((Date.now() - start) / 1000);
      dl.textContent = it.state === 'approved' || it.state === 'denied' || it.state === 'expired' ? '' : countdown(left);
      dl.classList.toggle('late', left < 3600);
    };
    tick();
    timers.push(setInterval(tick, 1000));
    const link = el('a', { href: '/console/request?mid=' + encodeURIComponent(it.mid), text: 'Review',
      'aria-label': 'Review request ' + it.mid });
    tb.append(el('tr', { 'data-mid': it.mid },
      el('td', {}, when(it.created_us)),
      el('td', {}, it.requester.name, el('br'), el('small', { text: `${it.requester.ori} · ${it.requester.category.replace(/_/g, ' ')}` })),
      el('td', { text: (it.purpose || '').replace(/_/g, ' ') }),
      el('td', { text: legal(it) }),
      el('td', { text: it.case || '' }),
      el('td', { text: (it.asked || []).join(', ') }),
      el('td', {}, el('strong', { text: it.rule }), ...(it.reason !== it.rule ? [el('br'), el('small', { text: it.reason })] : [])),
      el('td', {}, el('span', { class: 'state ' + it.state, text: it.state.replace(/_/g, ' ') })),
      dl,
      el('td', {}, link)));
  }
  $('count').textContent = r.items.length === 1 ? '1 request, oldest first' : `${r.items.length} requests, oldest first`;
}

// ---- one request -----------------------------------------------------------------

function facts(it) {
  const dl = $('facts');
  dl.replaceChildren();
  const add = (k, v) => { if (v !== '' && v != null) dl.append(el('dt', { text: k }), el('dd', { text: v })); };
  add('State', it.state.replace(/_/g, ' '));
  add('Received', when(it.created_us));
  add('Deadline', `${when(it.deadline_us)}${it.state === 'approved' || it.state === 'denied' || it.state === 'expired' ? '' : ' (' + countdown(it.seconds_left) + ')'}`);
  add('Requester', `${it.requester.name} (${it.requester.ori})`);
  add('Agency', [it.requester.level, it.requester.category, it.requester.department, it.requester.component]
    .filter(Boolean).join(' · ').replace(/_/g, ' '));
  add('Person asking', it.attention);
  add('Query', it.key);
  add('Purpose', (it.purpose || '').replace(/_/g, ' '));
  add('Legal process', legal(it));
  add('Case number', it.case);
  add('Asked for', (it.asked || []).join(', '));
  add('Rule', it.rule);
  if (it.reason !== it.rule) add('Rule reason', it.reason);
  add('Redacted on release', (it.redact || []).join(', ') || 'nothing');
  add('Notify the subject', it.notify ? 'yes' : 'no');
  if (it.two_person) add('Two approvals needed', it.approvals ? 'approved so far by ' + it.approvals : 'none yet');
  if (it.reviewer) add('Decided by', it.reviewer);
  if (it.decision_reason) add('Decision reason', it.decision_reason);
}

function showRecord(r) {
  const box = $('record');
  box.replaceChildren();
  const subj = Object.entries(r.subject).map(([k, v]) => `${k} ${v}`).join(' · ');
  box.append(el('p', {}, el('strong', { text: 'Asked about: ' }), subj));
  if (!r.records.length) box.append(el('p', { class: 'muted', text: 'No record matches.' }));
  for (const rec of r.records) {
    const t = el('table', { class: 'record' });
    const row = (k, v) => t.append(el('tr', {}, el('th', { scope: 'row', text: k.replace(/_/g, ' ') }), el('td', { text: v })));
    for (const [k, v] of Object.entries(rec)) {
      if (v && typeof v === 'object') for (const [k2, v2] of Object.entries(v)) row(`${k} ${k2}`, String(v2));
      else row(k, String(v));
    }
    box.append(t);
  }
  $('rec-note').textContent = 'You opened this record; the opening is in the audit log. Redacted fields are not shown.';
}

async function requestPage() {
  const mid = new URLSearchParams(location.search).get('mid') || '';
  $('mid').textContent = mid;
  let it = await api('/console/api/request?mid=' + encodeURIComponent(mid));
  facts(it);
  const deciding = me.role === 'reviewer' || me.role === 'supervisor';
  const open = ['pending', 'awaiting_second', 'escalated'].includes(it.state);
  $('open').hidden = !deciding;
  $('decide').hidden = !(deciding && open);
  $('open').addEventListener('click', async () => {
    try { showRecord(await api('/console/api/open', { mid })); $('open').hidden = true; } catch (e) { say(e.message); }
  });
  let action = 'approve';
  $('approve').addEventListener('click', () => { action = 'approve'; });
  $('deny').addEventListener('click', () => { action = 'deny'; });
  $('decision').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (ev.submitter && ev.submitter.value) action = ev.submitter.value;
    const reason = $('reason').value.trim();
    if (!reason) { say('Give a reason.'); $('reason').focus(); return; }
    try {
      it = await api('/console/api/decide', { mid, action, reason });
      facts(it);
      say(it.state === 'awaiting_second' ? 'Your approval is recorded; a second reviewer must approve too.'
        : `The request is ${it.state}.`, true);
      $('decide').hidden = true;
    } catch (e) { say(e.message); }
  });
}

// ---- history, notices, accounts ---------------------------------------------------

async function historyPage() {
  const r = await api('/console/api/history');
  $('scope').textContent = r.scope === 'own' ? 'Your own decisions, newest first.' : 'Every decision, newest first.';
  const tb = $('rows');
  for (const it of r.items) {
    tb.append(el('tr', {},
      el('td', {}, when(it.decided_us)),
      el('td', {}, el('a', { href: '/console/request?mid=' + encodeURIComponent(it.mid), text: it.mid })),
      el('td', { text: `${it.requester.name} (${it.requester.ori})` }),
      el('td', { text: it.rule }),
      el('td', {}, el('span', { class: 'state ' + it.state, text: it.state })),
      el('td', { text: it.reviewer }),
      el('td', { text: it.decision_reason })));
  }
}

async function noticesPage() {
  const load = async () => {
    const r = await api('/console/api/notices');
    const tb = $('rows');
    tb.replaceChildren();
    for (const n of r.items) {
      const b = el('button', { type: 'button', text: 'Mark sent', 'aria-label': 'Mark notice ' + n.mid + ' sent' });
      b.hidden = me.role !== 'supervisor' || n.sent_us !== 0;
      b.addEventListener('click', async () => {
        try { await api('/console/api/notices/sent', { mid: n.mid }); say('Marked sent.', true); await load(); } catch (e) { say(e.message); }
      });
      tb.append(el('tr', { 'data-mid': n.mid },
        el('td', {}, when(n.released_us)),
        el('td', { text: `${n.agency} (${n.ori})` }),
        el('td', { text: [n.legal_process.replace(/_/g, ' '), n.legal_number].filter(Boolean).join(' ') }),
        el('td', { text: n.case }),
        el('td', { text: n.subject }),
        el('td', { text: n.fields }),
        el('td', { text: n.sent_us ? `${when(n.sent_us)} by ${n.sent_by}` : 'not yet' }),
        el('td', {}, b)));
    }
  };
  const sup = me.role === 'supervisor';
  $('export').hidden = !sup;
  $('all-sent').hidden = !sup;
  $('all-sent').addEventListener('click', async () => {
    try { const r = await api('/console/api/notices/sent', { all: 'yes' }); say(`${r.marked} marked sent.`, true); await load(); } catch (e) { say(e.message); }
  });
  await load();
}

async function adminPage() {
  const load = async () => {
    const r = await api('/console/api/users');
    const tb = $('rows');
    tb.replaceChildren();
    for (const u of r.users) {
      const act = (what, label) => {
        const b = el('button', { type: 'button', text: label, 'aria-label': `${label} ${u.name}` });
        b.addEventListener('click', async () => {
          if (what === 'remove' && !confirm(`Remove the account ${u.name}?`)) return;
          try { await api('/console/api/users/change', { name: u.name, action: what }); say(`${label}: ${u.name}.`, true); await load(); } catch (e) { say(e.message); }
        });
        return b;
      };
      tb.append(el('tr', { 'data-user': u.name }, el('td', { text: u.name }), el('td', { text: u.role }), el('td', { text: u.agency }),
        el('td', {}, when(u.created_us)), el('td', { text: u.locked ? 'locked' : '' }),
        el('td', {}, u.locked ? act('unlock', 'Unlock') : null, ' ', u.name !== me.name ? act('remove', 'Remove') : null)));
    }
  };
  $('add').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    try {
      await api('/console/api/users', { name: f.name.value, role: f.role.value, agency: f.agency.value, password: f.password.value });
      say(`Added ${f.name.value}.`, true);
      f.reset();
      await load();
    } catch (e) { say(e.message); }
  });
  await load();
}

// ---- anomaly alerts (GET /v1/stats/alerts) --------------------------------------------

const alertNames = { volume: 'volume far above baseline', name_only: 'run of name-only searches',
  off_hours: 'burst in off hours', photos: 'many photo requests' };

async function alertsPage() {
  const list = await api('/v1/stats/alerts');
  const tb = $('rows');
  tb.replaceChildren();
  $('none').hidden = list.length !== 0;
  for (const a of list) {
    tb.append(el('tr', { 'data-kind': a.kind, 'data-ori': a.ori },
      el('td', { text: a.period }), el('td', { text: alertNames[a.kind] || a.kind }),
      el('td', { text: a.ori }), el('td', { text: a.category.replace(/_/g, ' ') }),
      el('td', { text: String(a.count) }), el('td', { text: a.threshold.toFixed(1) }),
      el('td', { text: a.baseline.toFixed(2) }), el('td', { text: isNaN(Date.parse(a.last)) ? a.last : new Date(a.last).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) })));
  }
}

// ---- what if: a draft policy replayed over the audit log (POST /v1/simulate) ------------

function dl(id, pairs) {
  const d = $(id);
  d.replaceChildren();
  for (const [k, v] of pairs) d.append(el('dt', { text: k }), el('dd', { text: String(v) }));
}

function countRow(label, c, extra) {
  return el('tr', {}, ...(extra || []).map((t) => el('td', { text: String(t) })), el('td', { text: label }),
    el('td', { text: String(c.queries) }), el('td', { text: String(c.changed) }),
    el('td', { text: String(c.restricted) }), el('td', { text: String(c.relaxed) }));
}

function showSimulation(r) {
  dl('summary', [['Requests replayed', r.replayed], ['Recorded between', `${r.first} and ${r.last}`],
    ['Would be decided differently', r.changed], ['More restricted', r.all.restricted],
    ['Less restricted', r.all.relaxed], ['Agencies affected', r.agencies_affected],
    ['Replay time', `${r.seconds.toFixed(2)} s (${Math.round(r.rate)} requests a second)`]]);
  dl('police', [['Police queries replayed', r.police.queries], ['Affected', r.police.changed],
    ['More restricted', r.police.restricted], ['Less restricted', r.police.relaxed]]);
  const t = $('transitions');
  t.replaceChildren(el('tr', {}, el('th', { text: 'recorded \\ draft' }), ...r.outcomes.map((o) => el('th', { text: o }))));
  r.all.transitions.forEach((row, i) => {
    if (!row.some((n) => n)) return;
    t.append(el('tr', {}, el('th', { text: r.outcomes[i] }),
      ...row.map((n, j) => el('td', { class: n && i !== j ? 'changed' : '', text: String(n) }))));
  });
  const bc = $('by-category');
  bc.replaceChildren(...r.by_category.filter((c) => c.queries).map((c) => countRow(c.category.replace(/_/g, ' '), c)));
  const br = $('by-rule');
  br.replaceChildren(...r.by_rule.filter((c) => c.queries).map((c) =>
    countRow(c.name || '(default)', c, [c.line || ''])));
  const ag = $('agencies');
  ag.replaceChildren(...r.top_agencies.map((a) => el('tr', {}, el('td', { text: a.ori }),
    el('td', { text: a.category.replace(/_/g, ' ') }), el('td', { text: String(a.queries) }),
    el('td', { text: String(a.changed) }), el('td', { text: String(a.restricted) }))));
  $('result').hidden = false;
}

async function whatifPage() {
  const p = await api('/console/api/policy');
  $('draft').value = p.text;
  $('from-file').textContent = `(starts as the policy in force, ${p.file})`;
  $('sim').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    if ($('from').value) q.set('from', $('from').value);
    if ($('to').value) q.set('to', $('to').value);
    $('run').disabled = true;
    $('diagnostics').hidden = true;
    say('Replaying the audit log under the draft...', true);
    delete document.body.dataset.simulated;
    try {
      const r = await fetch('/v1/simulate?' + q.toString(), { method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'text/plain', 'X-CSRF-Token': me.csrf }, body: $('draft').value });
      let body = null;
      try { body = await r.json(); } catch (e) { body = null; }
      if (r.status === 503 && body && body.error && body.error.code === 'EAGAIN') {
        say(`Another simulation is running; try again in ${r.headers.get('Retry-After') || 5} seconds.`);
      } else if (!r.ok) {
        say(body && body.error ? body.error.message : 'HTTP ' + r.status);
        if (body && body.error && body.error.diagnostics) {
          $('diagnostics').textContent = body.error.diagnostics;
          $('diagnostics').hidden = false;
        }
      } else {
        showSimulation(body);
        say(`Replayed ${body.replayed} requests: ${body.changed} would be decided differently.`, true);
      }
    } catch (e) {
      say(e.message);
    } finally {
      $('run').disabled = false;
      document.body.dataset.simulated = '1';
    }
  });
}

const handlers = { login: loginPage, queue: queuePage, request: requestPage, history: historyPage,
  notices: noticesPage, alerts: alertsPage, whatif: whatifPage, admin: adminPage };

document.addEventListener('DOMContentLoaded', async () => {
  const page = document.body.dataset.page;
  try {
    if (page !== 'login') await frame();
    await handlers[page]();
  } catch (e) {
    say(e.message);
  }
  document.body.dataset.ready = '1';
});
