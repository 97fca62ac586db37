// The wijkschouw (issue 34, part 3). Two pages use it:
// - /schouwen/{id}/lopen on a phone: findings are kept in IndexedDB (idb-keyval) the moment they are recorded, with the
//   device's location and an optional photo, and sent to /api/schouwen/{id}/bevindingen when there is a connection — each
//   once, under the id made here (a finding sent twice is kept once). The walked route is kept the same way. A service
//   worker (/schouwen/sw.js) keeps the page and its scripts, so the page opens and works without a connection for the
//   length of a round. The page's own signals: data-offline-ready, data-pending (kept, not yet sent), data-sent.
// - /schouwen/{id} (the report): the walked route and the findings on a map, loaded after the page.
import { createStore, get, set, del, entries } from 'idb-keyval';
import { loadMapModule } from './map-loader.js';

const lopen = document.querySelector('[data-schouw-lopen]');
if (lopen && lopen.dataset.schouwLopen !== '{}') initLopen(lopen);
const kaart = document.querySelector('[data-schouw-kaart]');
if (kaart) initKaart(kaart);

async function initKaart(element) {
  const module = await loadMapModule(element.dataset.mapCss);
  await module.createMap(element, JSON.parse(element.dataset.schouwKaart), { invokeMethodAsync: () => Promise.resolve() });
}

function initLopen(root) {
  const config = JSON.parse(root.dataset.schouwLopen);
  const store = createStore('kaart-schouw', 'bevindingen');
  const $ = sel => root.querySelector(sel);
  const form = $('[data-bevinding-form]');
  const status = $('[data-status]');
  const list = $('[data-lijst]');
  const plek = $('[data-plek]');
  const fout = $('[data-fout]');
  const sendButton = $('[data-versturen]');
  const spoorKey = `spoor-${config.id}`;
  let position = null, sending = false, blocked = null, offlineReady = false;
  form.hidden = false;

  const time = d => new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit' }).format(new Date(d));
  const mine = async () => (await entries(store)).map(([, v]) => v).filter(v => v && v.schouw === config.id && v.clientId)
    .sort((a, b) => a.at.localeCompare(b.at));

  // ------------------------------------------------------------------ where you stand, and the walked route
  const distance = (a, b) => {
    const r = 6371000, rad = Math.PI / 180;
    const x = (b.lon - a.lon) * rad * Math.cos(((a.lat + b.lat) / 2) * rad), y = (b.lat - a.lat) * rad;
    return Math.sqrt(x * x + y * y) * r;
  };
  const onPosition = async p => {
    position = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy, at: new Date(p.timestamp || Date.now()).toISOString() };
    plek.textContent = `Plek: ${position.lat.toFixed(5).replace('.', ',')}, ${position.lon.toFixed(5).replace('.', ',')}` +
      (Number.isFinite(position.accuracy) ? ` (± ${Math.round(position.accuracy)} m)` : '');
    const spoor = (await get(spoorKey, store)) ?? { punten: [], verstuurd: 0 };
    const last = spoor.punten[spoor.punten.length - 1];
    if (!last || distance(last, position) >= 10) {
      spoor.punten.push({ at: position.at, lat: position.lat, lon: position.lon });
      await set(spoorKey, spoor, store);
    }
  };
  const onPositionError = e => {
    plek.textContent = e.code === 1
      ? 'Plek: geen toestemming voor uw locatie. Sta locatie toe voor deze site; zonder plek kan een bevinding niet worden vastgelegd.'
      : 'Plek: uw locatie kon (nog) niet worden bepaald.';
  };
  if (navigator.geolocation) navigator.geolocation.watchPosition(onPosition, onPositionError, { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 });
  else plek.textContent = 'Plek: deze browser kan uw locatie niet bepalen.';
  // where you stand now: a fresh fix (a few seconds at most), else the last one the watch gave
  const currentPosition = () => new Promise(resolve => {
    if (!navigator.geolocation) return resolve(position);
    navigator.geolocation.getCurrentPosition(async p => { await onPosition(p); resolve(position); }, () => resolve(position),
      { enableHighAccuracy: true, maximumAge: 0, timeout: position ? 5000 : 15000 });
  });

  // ------------------------------------------------------------------ what is kept here
  const render = async () => {
    const all = await mine();
    const pending = all.filter(b => b.state === 'bewaard').length;
    const sent = all.filter(b => b.state === 'verstuurd').length;
    root.dataset.pending = String(pending);
    root.dataset.sent = String(sent);
    list.replaceChildren(...all.map(b => {
      const li = document.createElement('li');
      li.dataset.state = b.state;
      li.dataset.testid = 'schouw-lijst-item';
      const strong = document.createElement('strong');
      strong.textContent = `${config.namen[b.item] ?? b.item}: ${b.score}`;
      const state = document.createElement('span');
      state.className = 'hint';
      state.textContent = ` · ${time(b.at)} · ` + (b.state === 'verstuurd' ? 'verstuurd'
        : b.state === 'geweigerd' ? `niet aangenomen: ${b.reden}` : 'bewaard op deze telefoon, nog niet verstuurd') + (b.foto ? ' · met foto' : '');
      li.append(strong, state);
      if (b.toelichting) li.append(Object.assign(document.createElement('p'), { textContent: b.toelichting }));
      if (b.state === 'geweigerd') {
        const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'link-button', textContent: 'Verwijderen' });
        remove.addEventListener('click', async () => { await del(b.clientId, store); render(); });
        li.append(' ', remove);
      }
      return li;
    }));
    sendButton.hidden = pending === 0;
    const online = navigator.onLine;
    status.textContent = blocked ? blocked
      : (online ? 'Online.' : 'Geen verbinding: bevindingen worden bewaard en verstuurd zodra er weer verbinding is.') +
        (pending ? ` ${pending} ${pending === 1 ? 'bevinding wacht' : 'bevindingen wachten'} op versturen.` : sent ? ' Alles is verstuurd.' : '') +
        (offlineReady ? '' : ' (Deze pagina is nog niet klaar om zonder verbinding te openen.)');
    status.dataset.online = String(online);
  };

  // ------------------------------------------------------------------ sending, each finding once
  const sendAll = async () => {
    if (sending) return;
    sending = true;
    try {
      for (const b of await mine()) {
        if (b.state !== 'bewaard') continue;
        const body = new FormData();
        for (const k of ['clientId', 'item', 'score', 'toelichting', 'lat', 'lon', 'nauwkeurigheid']) if (b[k] != null) body.append(k, String(b[k]));
        body.append('vastgelegdAt', b.at);
        if (b.foto) body.append('foto', b.foto, b.fotoNaam || 'foto');
        let response;
        try {
          response = await fetch(`${config.api}/bevindingen`, { method: 'POST', body, credentials: 'same-origin' });
        } catch { return; } // no connection: kept, tried again when back online
        if (response.ok) {
          b.state = 'verstuurd';
          b.serverId = (await response.json()).id;
          delete b.foto; // the server keeps the (stripped) photo now
          await set(b.clientId, b, store);
          blocked = null;
        } else if (response.status === 401 || response.status === 403) {
          blocked = 'U bent niet (meer) ingelogd. Log in via een nieuw tabblad en kies dan "Nu versturen"; uw bevindingen blijven op deze telefoon bewaard.';
          return;
        } else if (response.status >= 500 || response.status === 408 || response.status === 429) {
          return; // the server is busy or down: kept, tried again later
        } else {
          let reden = `fout ${response.status}`;
          try { const p = await response.json(); reden = [p.title, p.detail].filter(Boolean).join('. '); } catch { /* not json */ }
          b.state = 'geweigerd';
          b.reden = reden;
          await set(b.clientId, b, store);
        }
        await render();
      }
      const spoor = await get(spoorKey, store);
      if (spoor && spoor.punten.length > spoor.verstuurd) {
        const punten = spoor.punten.slice(spoor.verstuurd);
        try {
          const r = await fetch(`${config.api}/spoor`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ punten }), credentials: 'same-origin' });
          if (r.ok) { spoor.verstuurd += punten.length; await set(spoorKey, spoor, store); }
        } catch { /* next time */ }
      }
    } finally {
      sending = false;
      await render();
    }
  };

  // ------------------------------------------------------------------ recording a finding
  const doel = root.querySelector('[data-doel]');
  const itemSelect = form.querySelector('select[name="item"]'); // not form.elements.item: that is the collection's item() method
  const showDoel = () => { doel.textContent = `(doel ${config.doel[itemSelect.value] ?? 'B'})`; };
  itemSelect.addEventListener('change', showDoel);
  showDoel();

  form.addEventListener('submit', async e => {
    e.preventDefault();
    fout.textContent = '';
    const score = form.elements.score.value;
    if (!score) { fout.textContent = 'Kies een score (A+ tot D).'; return; }
    const file = form.elements.foto.files?.[0] ?? null;
    if (file && file.size > config.maxFoto) { fout.textContent = `De foto is groter dan ${Math.floor(config.maxFoto / 1048576)} MB. Kies een kleinere foto.`; return; }
    const p = await currentPosition();
    if (!p) { fout.textContent = 'Uw locatie is nog niet bekend. Sta locatie toe en probeer het opnieuw; uw invoer blijft staan.'; return; }
    const b = {
      schouw: config.id, clientId: crypto.randomUUID(), item: itemSelect.value, score,
      toelichting: form.elements.toelichting.value.trim() || null, lat: p.lat, lon: p.lon, nauwkeurigheid: p.accuracy,
      at: new Date().toISOString(), foto: file, fotoNaam: file?.name ?? null, state: 'bewaard',
    };
    await set(b.clientId, b, store);
    form.elements.toelichting.value = '';
    form.elements.foto.value = '';
    for (const r of form.querySelectorAll('input[name="score"]')) r.checked = false;
    await render();
    sendAll();
  });

  sendButton.addEventListener('click', () => { blocked = null; sendAll(); });
  window.addEventListener('online', () => { render(); sendAll(); });
  window.addEventListener('offline', render);
  setInterval(() => { if (navigator.onLine && root.dataset.pending !== '0') sendAll(); }, 15000);

  // ------------------------------------------------------------------ offline: the service worker keeps this page
  const makeOfflineReady = async () => {
    if (!('serviceWorker' in navigator)) return;
    const registration = await navigator.serviceWorker.register(config.sw, { scope: config.scope });
    await navigator.serviceWorker.ready;
    const worker = registration.active;
    // the page, and every script and style it loaded from this site (not the API)
    const urls = [location.pathname, ...performance.getEntriesByType('resource').map(r => new URL(r.name))
      .filter(u => u.origin === location.origin && !u.pathname.startsWith('/api/')).map(u => u.pathname + u.search)];
    const done = await new Promise(resolve => {
      const channel = new MessageChannel();
      channel.port1.onmessage = m => resolve(m.data);
      worker.postMessage({ type: 'bewaar', urls }, [channel.port2]);
    });
    offlineReady = done?.ok === true;
    root.dataset.offlineReady = String(offlineReady);
    await render();
  };

  render().then(sendAll);
  makeOfflineReady().catch(e => { console.error('schouw: offline niet beschikbaar', e); render(); });
}
