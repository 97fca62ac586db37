// The resident's initiative form (/initiatief-aanvragen): works without this script (the place as an address); with it,
// the place can be tapped on the map (Leaflet, kaart-map.js, loaded when the resident opens the map — at once on a wide
// screen after the first paint) or taken from the device, and the hint under the amount names the wijkbudget of that
// place (GET /api/wijkbudget/plek). When ready it sets data-interactive="true" on [data-testid=initiatief-aanvragen].

import { loadMapModule } from './map-loader.js';

const form = document.querySelector('[data-initiatief-form]');
const page = document.querySelector('[data-testid=initiatief-aanvragen]');
if (form) init(form);
if (page) page.dataset.interactive = 'true';

function init(form) {
  const $ = sel => form.querySelector(sel);
  const lat = $('input[name="Input.Lat"]');
  const lon = $('input[name="Input.Lon"]');
  const chosen = $('[data-chosen-place]');
  const hint = $('[data-budget-hint]');
  const locationError = $('[data-location-error]');
  const mapElement = $('[data-pick-map]');
  let module = null;

  for (const el of form.querySelectorAll('[data-js-only]')) el.hidden = false;

  const showBudget = async (la, lo) => {
    try {
      const r = await fetch(`/api/wijkbudget/plek?lat=${la.toFixed(6)}&lon=${lo.toFixed(6)}`, { headers: { Accept: 'application/json' } });
      if (r.ok) hint.textContent = (await r.json()).tekst;
    } catch { /* the hint is help, not the form */ }
  };

  const choose = async (la, lo) => {
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    chosen.textContent = `Plek gekozen (${la.toFixed(4)}, ${lo.toFixed(4)}); tik of klik opnieuw om hem te verplaatsen.`;
    if (module) await module.showFocus(mapElement, { lat: la, lon: lo, label: 'Plek van uw initiatief' });
    await showBudget(la, lo);
  };

  async function openMap() {
    if (module) return;
    mapElement.hidden = false;
    const m = await loadMapModule(form.dataset.mapCss);
    // the map module reports clicks to a .NET object; here a plain object stands in for it
    const receiver = { invokeMethodAsync: (name, a, b) => { if (name === 'OnPointClickedJs') choose(a, b); return Promise.resolve(); } };
    await m.createMap(mapElement, { ...JSON.parse(form.dataset.map), pointClicks: true }, receiver);
    module = m;
    if (lat.value && lon.value) await m.showFocus(mapElement, { lat: +lat.value, lon: +lon.value, label: 'Plek van uw initiatief' });
  }
  $('[data-show-map]').addEventListener('click', () => openMap());

  $('[data-use-location]').addEventListener('click', () => {
    locationError.hidden = true;
    const fail = text => { locationError.textContent = text; locationError.hidden = false; };
    if (!navigator.geolocation) { fail('Deze browser kan uw locatie niet bepalen. Kies de plek op de kaart of vul een adres in.'); return; }
    navigator.geolocation.getCurrentPosition(p => choose(p.coords.latitude, p.coords.longitude), e => fail(e.code === 1
      ? 'U heeft geen toestemming gegeven om uw locatie te gebruiken. Kies de plek op de kaart of vul een adres in.'
      : 'Uw locatie kon niet worden bepaald. Kies de plek op de kaart of vul een adres in.'),
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  // a wide screen has room for the map: it loads after the first paint; a phone opens it on request
  if (window.matchMedia('(min-width: 700px)').matches)
    requestAnimationFrame(() => requestAnimationFrame(() =>
      ('requestIdleCallback' in window ? requestIdleCallback : setTimeout)(() => openMap(), { timeout: 1000 })));
  else if (lat.value && lon.value) openMap(); // a refused form with a place: show where
}

// a fresh answer: the focus goes to it
const done = document.querySelector('[data-testid=aanvraag-done]');
if (done) done.focus();
