// A place on a server-rendered form (the initiative form, a Wij(k) aan zet campaign's verbeterpunt): two hidden inputs
// (latitude, longitude) that the form posts, a sentence saying what was chosen, a map (Leaflet, kaart-map.js) loaded when
// the person opens it — at once after the first paint on a wide screen — and the device's location. Without script the
// form still works: the place is then left out or given as an address, as the page allows.
//
// Elements inside `form`: [data-pick-map] (the map's element), [data-chosen-place], [data-show-map], [data-use-location],
// [data-location-error], [data-js-only] (shown once this runs). The form's data-map holds the map's options (and
// optionally `focus`: the area to draw), data-map-css the map's styles.

import { loadMapModule, devicePosition } from './map-loader.js';

export function initPlacePicker(form, { lat, lon, label, sentence, instead, onChoose }) {
  const $ = sel => form.querySelector(sel);
  const chosen = $('[data-chosen-place]');
  const locationError = $('[data-location-error]');
  const mapElement = $('[data-pick-map]');
  const options = JSON.parse(form.dataset.map);
  let module = null;

  for (const el of form.querySelectorAll('[data-js-only]')) el.hidden = false;

  const focusOn = (la, lo) => ({ ...(options.focus ?? {}), lat: la, lon: lo, label });

  const choose = async (la, lo) => {
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    chosen.textContent = sentence(la, lo);
    if (module) await module.showFocus(mapElement, focusOn(la, lo));
    if (onChoose) await onChoose(la, lo);
  };

  async function openMap() {
    if (module) return;
    mapElement.hidden = false;
    const m = await loadMapModule(form.dataset.mapCss);
    // the map module reports clicks to a .NET object; here a plain object stands in for it
    const receiver = { invokeMethodAsync: (name, a, b) => { if (name === 'OnPointClickedJs') choose(a, b); return Promise.resolve(); } };
    await m.createMap(mapElement, { ...options, pointClicks: true }, receiver);
    module = m;
    if (lat.value && lon.value) await m.showFocus(mapElement, focusOn(+lat.value, +lon.value));
    else if (options.focus) await m.showFocus(mapElement, options.focus);
  }
  $('[data-show-map]')?.addEventListener('click', () => openMap());

  $('[data-use-location]')?.addEventListener('click', async () => {
    locationError.hidden = true;
    try {
      const p = await devicePosition(instead);
      await choose(p.lat, p.lon);
    } catch (e) {
      locationError.textContent = e.message;
      locationError.hidden = false;
    }
  });

  // a wide screen has room for the map: it loads after the first paint; a phone opens it on request
  if (window.matchMedia('(min-width: 700px)').matches)
    requestAnimationFrame(() => requestAnimationFrame(() =>
      ('requestIdleCallback' in window ? requestIdleCallback : setTimeout)(() => openMap(), { timeout: 1000 })));
  else if (lat.value && lon.value) openMap(); // a refused form with a place: show where
}
