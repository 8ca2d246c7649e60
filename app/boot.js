// The first card before the app has loaded. On a slow phone the app's wasm (400 KB) takes
// seconds to arrive and compile; this script, inlined into index.html (a few KB), asks the
// API for the conversation, joins (at once when returning, after the conversation on a first
// visit: see the join below), asks for the first statement and shows it with working vote
// buttons. A vote goes into the app's own queue in local storage (`mufakat.queue.<id>`, the
// format of app/src/pages/participant/queue.rs) and is sent from here until the app starts
// (it sets `window.mufakatApp`, then 'ready' once it shows its own card); the app then sends whatever is left, and removes this card
// when its own is ready (`Session::hand_over`). Only the plain participant link (`/c/<id>`, optionally `?s=`) is
// handled; invitation codes, xid links and kiosks wait for the app.
// The words are those of app/src/i18n/participant.rs (rough-edges.test.mjs compares them).
(() => {
  const path = /^\/c\/([^/]+)\/?$/.exec(location.pathname);
  const query = new URLSearchParams(location.search);
  if (!path || query.has('xid') || query.has('kiosk') || location.hash.includes('code=')) return;
  const id = decodeURIComponent(path[1]);
  const WORDS = {
    en: { statement: 'Statement', group: 'Your vote on this statement', voting: 'Vote on statements',
      agree: 'Agree', disagree: 'Disagree', pass: 'Pass / unsure', keys: ['A', 'D', 'P'] },
    id: { statement: 'Pernyataan', group: 'Suara Anda untuk pernyataan ini', voting: 'Beri suara pada pernyataan',
      agree: 'Setuju', disagree: 'Tidak setuju', pass: 'Lewati / ragu', keys: ['S', 'T', 'L'] },
  };
  let lang;
  try { lang = localStorage.getItem('mufakat.lang'); } catch { /* storage refused */ }
  if (lang !== 'en' && lang !== 'id') lang = /^(id|in)/i.test(navigator.language || '') ? 'id' : 'en';
  const w = WORDS[lang];
  const base = `/api/v1/conversations/${encodeURIComponent(id)}`;
  const storage = (f) => { try { return f(localStorage); } catch { return null; } };
  const tokenKey = `mufakat.token.${id}`;
  const queueKey = `mufakat.queue.${id}`;
  const loadQueue = () => storage((s) => JSON.parse(s.getItem(queueKey) || '[]')) || [];
  const saveQueue = (q) => storage((s) => (q.length ? s.setItem(queueKey, JSON.stringify(q)) : s.removeItem(queueKey)));
  const json = async (url, options) => {
    const r = await fetch(url, options);
    if (!r.ok) throw new Error(`${r.status}`);
    return r.json();
  };

  let root = null;
  let conversation = null;
  let token = null;
  let card = null;
  let sending = false;
  // The app has started (from then on it sends the queue and keeps the token) / taken over.
  const started = () => Boolean(window.mufakatApp);
  const gone = () => !root || !root.isConnected;
  const remove = () => { if (root) root.remove(); };
  const el = (tag, attrs = {}, text) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };

  function show(statement) {
    if (!statement) { remove(); return; }
    card = statement;
    if (!root) {
      root = el('div', { id: 'boot', class: 'boot', 'data-testid': 'boot' });
      const bar = el('header', { class: 'topbar' });
      bar.append(el('a', { class: 'brand', href: '/' }, 'mufakat'),
        el('span', { class: 'lang-switch boot-placeholder', 'aria-hidden': 'true' }, lang === 'en' ? 'Bahasa Indonesia' : 'English'));
      const main = el('main', { id: 'boot-main' });
      const body = el('div', { class: 'conversation' });
      const header = el('header', { class: 'topic-header' });
      header.append(el('h1', { class: 'topic' }, conversation.title));
      if (conversation.description) header.append(el('p', { class: 'description clamped' }, conversation.description));
      const voting = el('section', { class: 'voting', 'aria-label': w.voting });
      const article = el('article', { class: 'vote-card', 'aria-labelledby': 'boot-statement', 'data-testid': 'boot-card' });
      const buttons = el('div', { class: 'vote-buttons', role: 'group', 'aria-label': w.group });
      ['agree', 'disagree', 'pass'].forEach((v, i) => {
        const b = el('button', { type: 'button', class: `vote ${v}`, 'aria-keyshortcuts': w.keys[i] });
        b.append(el('span', { class: 'vote-icon', 'aria-hidden': 'true' }, ['✓', '✗', '?'][i]),
          el('span', { class: 'vote-label' }, w[v]), el('kbd', { class: 'vote-key', 'aria-hidden': 'true' }, w.keys[i]));
        b.addEventListener('click', () => vote(v));
        buttons.append(b);
      });
      article.append(el('h2', { class: 'card-kicker' }, w.statement), el('p', { id: 'boot-statement', class: 'statement-text' }), buttons);
      voting.append(article);
      body.append(header, voting);
      main.append(body);
      root.append(bar, main);
      document.body.prepend(root);
      document.addEventListener('keydown', onKey);
    }
    root.querySelector('[data-testid=boot-card]').dataset.statementId = statement.id;
    root.querySelector('#boot-statement').textContent = statement.text;
  }

  function onKey(ev) {
    if (gone() || ev.repeat || ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    const t = ev.target;
    if (t && (t.isContentEditable || /^(input|textarea|select)$/i.test(t.tagName))) return;
    const k = ev.key.toLowerCase();
    const v = { a: 'agree', s: 'agree', d: 'disagree', t: 'disagree', p: 'pass', l: 'pass' }[k];
    if (v) { ev.preventDefault(); vote(v); }
  }

  // The least-voted statement not voted here yet, as the app picks one offline.
  function pickLocally() {
    const voted = new Set(loadQueue().map((q) => q.statement));
    const left = conversation.statements.filter((s) => !voted.has(s.id));
    const total = (s) => (s.counts ? s.counts.agree + s.counts.disagree + s.counts.pass : 0);
    left.sort((a, b) => total(a) - total(b) || a.id - b.id);
    return left[0];
  }

  function vote(v) {
    // One vote a card: the next one shows once the server picked it.
    if (gone() || !card || card.voted) return;
    const q = loadQueue();
    q.push({ statement: card.id, vote: v });
    saveQueue(q);
    card.voted = true;
    if (started()) show(pickLocally());
    else send();
  }

  // Sends the queue in order, each entry removed only once acknowledged (queue.rs's rule).
  async function send() {
    if (sending) return;
    sending = true;
    let next = null;
    try {
      for (let q = loadQueue(); q.length && !started(); q = loadQueue()) {
        const r = await json(`${base}/votes`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-participant-token': token },
          body: JSON.stringify(q[0]),
        });
        const now = loadQueue();
        if (now.length && now[0].statement === q[0].statement && now[0].vote === q[0].vote) saveQueue(now.slice(1));
        next = r.next;
      }
    } catch { /* offline or refused: the app sends the rest */ }
    sending = false;
    if (gone() || !card.voted) return;
    const voted = new Set(loadQueue().map((x) => x.statement));
    if (next && next.statement && !voted.has(next.statement.id)) show(next.statement);
    else show(next && !next.statement ? null : pickLocally());
  }

  // The join, kept for the app: it waits for this one to settle before it joins, so the two
  // use one token (one participant) whichever starts first. A returning visitor (a token on
  // this device) joins at once, alongside the conversation's request; a first visit only once
  // the conversation says anyone may join: an invitation-only one would refuse the join (a
  // 403, an error in the browser's console), and the app asks for the code instead.
  const stored = storage((s) => JSON.parse(s.getItem(tokenKey) || 'null'));
  const viewing = json(base);
  const mayJoin = stored ? Promise.resolve() : viewing.then((view) => {
    if (view.invitation_only) throw new Error('invitation code needed');
  });
  const joining = mayJoin.then(() => json(`${base}/participants`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(stored ? { token: stored } : {}),
  })).then((joined) => {
    storage((s) => s.setItem(tokenKey, JSON.stringify(joined.token)));
    return joined;
  });
  window.mufakatBootJoin = joining.catch(() => null);
  (async () => {
    try {
      const [view, joined] = await Promise.all([viewing, joining]);
      if (view.closed) { remove(); return; }
      conversation = view;
      token = joined.token;
      const s = Number(query.get('s'));
      const next = await json(`${base}/next${s > 0 ? `?statement=${s}` : ''}`, { headers: { 'x-participant-token': token } });
      // Unless the app's own card is there already (hand_over sets 'ready').
      if (window.mufakatApp === 'ready') return;
      const voted = new Set(loadQueue().map((x) => x.statement));
      const first = next.statement && !voted.has(next.statement.id) ? next.statement : (next.statement ? pickLocally() : null);
      const render = () => { if (window.mufakatApp !== 'ready') show(first); };
      if (document.body) render(); else document.addEventListener('DOMContentLoaded', render);
      if (loadQueue().length) send();
    } catch { remove(); }
  })();
})();
