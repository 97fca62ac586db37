// The resident's melding form (/melding): works without this script (address, category, text, photo, contact); with it,
// the place can also be picked on the map or taken from the device, and the description suggests a category.
// Leaflet (kaart-map.js) is loaded only when the resident opens the map, so the page stays light on a phone.

const form = document.querySelector('[data-melding-form]');
if (form) init(form);

function init(form) {
  const $ = sel => form.querySelector(sel);
  const lat = $('input[name="Input.Lat"]');
  const lon = $('input[name="Input.Lon"]');
  const placeAddress = $('#plaats-adres');
  const placeMap = $('#plaats-kaart');
  const addressFields = $('[data-address-fields]');
  const mapFields = $('[data-map-fields]');
  const chosen = $('[data-chosen-place]');
  const locationError = $('[data-location-error]');
  const mapElement = $('[data-pick-map]');
  let map = null;

  for (const el of form.querySelectorAll('[data-js-only]')) el.hidden = false;

  const showPlaceMode = () => {
    const byMap = placeMap.checked;
    addressFields.hidden = byMap;
    mapFields.hidden = !byMap;
    for (const input of addressFields.querySelectorAll('input')) input.required = !byMap && input.dataset.required === 'true';
  };
  placeAddress.addEventListener('change', showPlaceMode);
  placeMap.addEventListener('change', () => { showPlaceMode(); openMap(); });
  showPlaceMode();

  const choose = async (la, lo, how) => {
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    placeMap.checked = true;
    showPlaceMode();
    chosen.textContent = `Gekozen plek (${how}): ${la.toFixed(5).replace('.', ',')}, ${lo.toFixed(5).replace('.', ',')}`;
    chosen.dataset.chosen = 'true';
    if (map) await map.module.showFocus(mapElement, { lat: la, lon: lo, label: 'Gekozen plek' });
  };

  async function openMap() {
    if (map) return map;
    mapElement.hidden = false;
    if (!document.querySelector('link[data-map-css]')) {
      const css = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: form.dataset.mapCss });
      css.dataset.mapCss = '';
      await new Promise(resolve => { css.onload = css.onerror = resolve; document.head.append(css); });
    }
    const module = await import('./kaart-map.js');
    const o = JSON.parse(form.dataset.map);
    // the map module reports clicks to a .NET object; here a plain object stands in for it
    const receiver = { invokeMethodAsync: (name, a, b) => { if (name === 'OnPointClickedJs') choose(a, b, 'op de kaart'); return Promise.resolve(); } };
    await module.createMap(mapElement, { ...o, pointClicks: true }, receiver);
    map = { module };
    mapElement.dataset.ready = 'true';
    if (lat.value && lon.value) await module.showFocus(mapElement, { lat: +lat.value, lon: +lon.value, label: 'Gekozen plek' });
    return map;
  }
  $('[data-open-map]').addEventListener('click', () => { placeMap.checked = true; showPlaceMode(); openMap(); });

  $('[data-use-location]').addEventListener('click', () => {
    locationError.textContent = '';
    if (!navigator.geolocation) { locationError.textContent = 'Deze browser kan uw locatie niet bepalen. Vul een adres in of kies een plek op de kaart.'; return; }
    navigator.geolocation.getCurrentPosition(
      p => choose(p.coords.latitude, p.coords.longitude, 'uw locatie'),
      e => { locationError.textContent = e.code === 1
        ? 'U heeft geen toestemming gegeven om uw locatie te gebruiken. Vul een adres in of kies een plek op de kaart.'
        : 'Uw locatie kon niet worden bepaald. Vul een adres in of kies een plek op de kaart.'; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  // category suggestion: the same rule as CategorySuggestion.Suggest on the server
  const keywords = JSON.parse(form.dataset.keywords);
  const categories = JSON.parse(form.dataset.categories);
  const description = $('textarea[name="Input.Description"]');
  const category = $('select[name="Input.Category"]');
  const suggestion = $('[data-suggestion]');
  const suggestionText = $('[data-suggestion-text]');
  const suggest = text => {
    const words = text.toLowerCase().split(/[\s,.!?;:()"'\/-]+/).filter(w => w);
    let best = null, bestScore = 0;
    for (const c of categories) {
      const keys = keywords[c];
      if (!keys) continue;
      const score = keys.filter(k => words.some(w => w.startsWith(k.toLowerCase()))).length;
      if (score > bestScore) { best = c; bestScore = score; }
    }
    return best;
  };
  const update = () => {
    const s = suggest(description.value);
    if (!s || category.value === s) { suggestion.hidden = true; return; }
    suggestionText.textContent = category.querySelector(`option[value="${s}"]`)?.textContent ?? s;
    suggestion.dataset.category = s;
    suggestion.hidden = false;
  };
  description.addEventListener('input', update);
  category.addEventListener('change', update);
  $('[data-accept-suggestion]').addEventListener('click', () => { category.value = suggestion.dataset.category; update(); category.focus(); });
  update();

  // the photo: checked before sending, so a too large file does not travel for nothing
  const photo = $('input[name="foto"]');
  const photoError = $('[data-photo-error]');
  photo?.addEventListener('change', () => {
    const f = photo.files?.[0];
    const max = +photo.dataset.maxBytes;
    photoError.textContent = !f ? '' : !['image/jpeg', 'image/png'].includes(f.type) ? 'Alleen foto\'s in JPEG- of PNG-formaat kunnen mee.'
      : f.size > max ? `De foto is groter dan ${Math.round(max / 1048576)} MB. Kies een kleinere foto.` : '';
    photo.setCustomValidity(photoError.textContent);
  });

  const copy = document.querySelector('[data-copy-link]');
  copy?.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(copy.dataset.copyLink); copy.textContent = 'Link gekopieerd'; } catch { /* the link stays visible to copy by hand */ }
  });
  document.body.dataset.formReady = 'true';
}

// the status page: only the copy button
const copyOnly = !form && document.querySelector('[data-copy-link]');
if (copyOnly) {
  copyOnly.hidden = false;
  copyOnly.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(copyOnly.dataset.copyLink); copyOnly.textContent = 'Link gekopieerd'; } catch { }
  });
}
