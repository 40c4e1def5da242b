// The PersistentTaskStatus dashboard's only script (served under script-src 'self'; no inline code anywhere):
// live updates over Server-Sent Events, relative times, the task filter of a run's page, and the reset action.
// Rows arrive as HTML rendered and encoded by the server, the same code that rendered the page.
'use strict';
(() => {
  const rows = document.querySelector('[data-rows]');
  const index = new Map();
  if (rows) {
    for (const tr of rows.querySelectorAll('tr[data-key]')) index.set(tr.dataset.key, tr);
  }

  // Relative times, by the same rules as the server (Formats.Relative).
  const span = (s) => s < 60 ? `${Math.floor(s)} s` : s < 3600 ? `${Math.floor(s / 60)} min`
    : s < 86400 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 86400)} d`;
  const relative = (t) => {
    const s = (Date.now() - t) / 1000;
    const a = Math.abs(s);
    if (a < 5) return s < 0 ? 'in a moment' : 'just now';
    return s < 0 ? `in ${span(a)}` : `${span(a)} ago`;
  };
  const refreshTimes = (root) => {
    for (const el of root.querySelectorAll('time[datetime]')) {
      const t = Date.parse(el.dateTime);
      if (Number.isNaN(t)) continue;
      const text = relative(t);
      if (el.textContent !== text) el.textContent = text;
      if (!el.title) el.title = `${el.dateTime.replace('T', ' ').replace('Z', '')} UTC`;
    }
  };
  refreshTimes(document);
  setInterval(() => refreshTimes(document), 5000);

  // The task filter and its counts (a run's page).
  const filter = document.querySelector('[data-filter]');
  const chips = [...document.querySelectorAll('[data-show]')];
  let show = '';
  let text = '';
  const filterRow = (tr) => {
    if (!filter) return;
    const wanted = !show || (show === 'stalled' ? tr.hasAttribute('data-stalled') : tr.dataset.state === show);
    tr.hidden = !(wanted && (!text || tr.dataset.key.toLowerCase().includes(text)));
  };
  const filterAll = () => { for (const tr of index.values()) filterRow(tr); };
  const updateCounts = () => {
    if (chips.length === 0) return;
    const counts = { '': 0, running: 0, failed: 0, stalled: 0, pending: 0, completed: 0 };
    for (const tr of index.values()) {
      counts['']++;
      counts[tr.dataset.state]++;
      if (tr.hasAttribute('data-stalled')) counts.stalled++;
    }
    for (const b of document.querySelectorAll('[data-count]')) {
      const value = (counts[b.dataset.count] || 0).toLocaleString('en-US');
      if (b.textContent !== value) b.textContent = value;
    }
  };
  if (filter) {
    filter.addEventListener('input', () => { text = filter.value.trim().toLowerCase(); filterAll(); });
    for (const chip of chips) {
      chip.addEventListener('click', () => {
        show = chip.dataset.show;
        for (const c of chips) {
          c.classList.toggle('on', c === chip);
          c.setAttribute('aria-pressed', String(c === chip));
        }
        filterAll();
      });
    }
  }

  // Messages for the user (a run's page).
  const notice = document.querySelector('[data-notice]');
  const say = (message, kind) => {
    if (!notice) return;
    notice.textContent = message;
    notice.dataset.kind = kind;
    notice.hidden = false;
  };

  // Live updates.
  const template = document.createElement('template');
  const parse = (html) => { template.innerHTML = html; return template.content.firstElementChild; };
  // A task's data and checkpoint are fetched when their section opens (and again when a live update replaces an
  // open one), shown as text.
  const run = rows ? rows.dataset.run : undefined;
  const loadData = async (details) => {
    const tr = details.closest('tr[data-key]');
    if (run === undefined || !tr || details.dataset.loaded) return;
    details.dataset.loaded = 'true';
    let pre = details.querySelector('pre');
    if (!pre) { pre = document.createElement('pre'); details.append(pre); }
    pre.textContent = 'Loading…';
    const query = new URLSearchParams({ run, task: tr.dataset.key, part: details.dataset.part });
    try {
      const response = await fetch(`data?${query}`, { credentials: 'same-origin' });
      pre.textContent = await response.text();
    } catch (error) {
      pre.textContent = `Not loaded: ${error.message}`;
      delete details.dataset.loaded;
    }
  };
  document.addEventListener('toggle', (e) => {
    if (e.target instanceof HTMLDetailsElement && e.target.open && e.target.dataset.part) loadData(e.target);
  }, true);
  const keepOpen = (from, to) => {
    for (const old of from.querySelectorAll('details[open][data-part]')) {
      const now = to.querySelector(`details[data-part="${old.dataset.part}"]`);
      if (now) now.open = true;
    }
  };
  // FNV-1a over the names in order, each followed by a NUL, as the server computes it (RunFeed.NamesHash).
  const namesHash = () => {
    let h = 0x811c9dc5;
    for (const tr of rows.querySelectorAll('tr[data-key]')) {
      const key = tr.dataset.key;
      for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
      h = Math.imul(h, 16777619) >>> 0;
    }
    return h;
  };
  const reloadOnce = () => {
    // The page lost track (a task was deleted while it was away): read it whole, but never in a loop.
    const last = Number(sessionStorage.getItem('pts-reload') || 0);
    if (Date.now() - last < 10000) return;
    sessionStorage.setItem('pts-reload', String(Date.now()));
    location.reload();
  };
  const apply = (message) => {
    if (message.summary !== undefined) {
      const summary = document.querySelector('[data-summary]');
      if (summary) {
        template.innerHTML = message.summary;
        summary.replaceChildren(template.content);
        refreshTimes(summary);
      }
    }
    for (const row of message.rows || []) {
      const el = parse(row.html);
      const old = index.get(row.key);
      if (old) {
        keepOpen(old, el);
        old.replaceWith(el);
      } else if (row.insert) {
        const empty = rows.querySelector('[data-empty]');
        if (empty) empty.remove();
        const after = row.after != null ? index.get(row.after) : null;
        if (after) after.after(el); else rows.prepend(el);
      } else {
        continue;
      }
      index.set(row.key, el);
      refreshTimes(el);
      filterRow(el);
    }
    for (const key of message.removed || []) {
      const old = index.get(key);
      if (old) { old.remove(); index.delete(key); }
    }
    if (message.count !== undefined && (message.count !== index.size || message.hash !== namesHash())) {
      reloadOnce();
      return;
    }
    updateCounts();
  };

  const status = document.querySelector('[data-status]');
  const setStatus = (state, label) => {
    if (!status || status.dataset.status === state) return;
    status.dataset.status = state;
    status.textContent = label;
  };
  const live = document.body.dataset.live;
  if (live && rows && 'EventSource' in window) {
    const source = new EventSource(live);
    source.addEventListener('update', (e) => apply(JSON.parse(e.data)));
    source.addEventListener('status', (e) => {
      const s = JSON.parse(e.data);
      if (s.live) setStatus('live', 'Live'); else setStatus('paused', 'Paused, retrying…');
    });
    source.addEventListener('gone', (e) => {
      source.close();
      setStatus('gone', 'Run deleted');
      say(JSON.parse(e.data).message, 'error');
    });
    source.addEventListener('error', () => {
      if (source.readyState !== EventSource.CLOSED) setStatus('reconnecting', 'Reconnecting…');
    });
    window.addEventListener('pagehide', () => source.close());
  }

  // The operator's reset: a failed task's button asks for a second click, then posts the page's one form (which
  // holds the antiforgery token) and says what the server answered.
  const form = document.getElementById('reset-form');
  if (form) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const button = e.submitter;
      if (!button || button.disabled) return;
      if (button.dataset.armed !== 'true') {
        button.dataset.armed = 'true';
        button.textContent = 'Confirm reset';
        setTimeout(() => {
          if (button.isConnected && !button.disabled) { delete button.dataset.armed; button.textContent = 'Reset'; }
        }, 5000);
        return;
      }
      // The button's name and value (the task) go in only while it is enabled.
      const body = new FormData(form, button);
      button.disabled = true;
      try {
        const response = await fetch(form.action, {
          method: 'POST',
          body,
          headers: { Accept: 'application/json' },
          credentials: 'same-origin',
          referrerPolicy: 'same-origin',
        });
        const answer = await response.json();
        say(answer.message, answer.ok ? 'ok' : 'error');
      } catch (error) {
        say(`The reset was not sent: ${error.message}`, 'error');
      } finally {
        if (button.isConnected) { button.disabled = false; delete button.dataset.armed; button.textContent = 'Reset'; }
      }
    });
  }
})();
