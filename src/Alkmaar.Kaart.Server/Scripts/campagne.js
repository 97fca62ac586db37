// A Wij(k) aan zet campaign page (/wijkaanzet/{id}), server-rendered with plain posted forms that work without this
// script. With it: the verbeterpunten like the one being typed (GET /api/wijkaanzet/{id}/vergelijkbaar, a moment after the
// last keystroke), a place on the map or from the device (place-picker.js), the vote button counting the ticked points,
// and while voting the counts kept live (server-sent events from /api/wijkaanzet/{id}/live). Nothing it does touches
// what a person types. When ready it sets data-interactive="true" on [data-testid=campagne].

import { initPlacePicker } from './place-picker.js';

const page = document.querySelector('[data-testid=campagne]');
const form = document.querySelector('[data-verbeterpunt-form]');
if (form) {
  initSimilar(form);
  initPlacePicker(form, {
    lat: form.querySelector('input[name="Vp.Lat"]'),
    lon: form.querySelector('input[name="Vp.Lon"]'),
    label: 'Plek van uw verbeterpunt',
    sentence: (la, lo) => `Plek gekozen (${la.toFixed(4)}, ${lo.toFixed(4)}); tik of klik opnieuw om hem te verplaatsen.`,
    instead: 'Kies de plek op de kaart, of laat de plek leeg.',
  });
}
initVoteButton();
initLiveCounts();
if (page) page.dataset.interactive = 'true';

// a fresh answer (thanks, or what was wrong): the focus goes to it
const answer = document.querySelector('[data-answer]');
if (answer) answer.focus();

function initSimilar(form) {
  const title = form.querySelector('[name="Vp.Title"]');
  const body = form.querySelector('[name="Vp.Body"]');
  const box = form.querySelector('[data-similar]');
  const list = box.querySelector('ul');
  let timer = 0;
  let pending = null;
  const ask = async () => {
    const text = `${title.value} ${body.value}`.trim();
    pending?.abort();
    if (text.length < 3) { box.hidden = true; return; }
    pending = new AbortController();
    try {
      const r = await fetch(`${form.dataset.similarUrl}?tekst=${encodeURIComponent(text)}`,
        { headers: { Accept: 'application/json' }, signal: pending.signal });
      if (!r.ok) return;
      const points = await r.json();
      list.replaceChildren(...points.map(p => {
        const li = document.createElement('li');
        li.textContent = p.title;
        li.dataset.id = String(p.id);
        return li;
      }));
      box.hidden = points.length === 0;
    } catch { /* a suggestion is help, not the form */ }
  };
  const typed = () => { clearTimeout(timer); timer = setTimeout(ask, 250); };
  title.addEventListener('input', typed);
  body.addEventListener('input', typed);
}

function initVoteButton() {
  const button = document.querySelector('[data-vote-button]');
  if (!button) return;
  const boxes = [...document.querySelectorAll('input[type=checkbox][name=punt][form=stem-form]')];
  const max = Number(button.dataset.max);
  const update = () => {
    const n = boxes.filter(b => b.checked).length;
    button.textContent = `Stem uitbrengen (${n} van ${max})`;
  };
  for (const b of boxes) b.addEventListener('change', update);
  update();
}

function initLiveCounts() {
  const table = document.querySelector('[data-live-url]');
  if (!table || !('EventSource' in window)) return;
  const format = new Intl.NumberFormat('nl-NL');
  const source = new EventSource(table.dataset.liveUrl);
  source.addEventListener('stemmen', e => {
    for (const p of JSON.parse(e.data)) {
      const row = table.querySelector(`tr[data-id="${p.id}"]`);
      if (!row) continue;
      row.dataset.votes = String(p.votes);
      row.dataset.status = p.status;
      row.querySelector('[data-votes-cell]').textContent = format.format(p.votes);
    }
    table.dataset.live = 'true';
  });
  // a phase that ended, or a campaign that is gone: stop asking (the browser would otherwise retry for ever)
  source.addEventListener('error', () => { if (source.readyState === EventSource.CLOSED) table.dataset.live = 'false'; });
  window.addEventListener('pagehide', () => source.close());
}
