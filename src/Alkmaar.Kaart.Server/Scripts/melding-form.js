// The resident's melding form (/melding): works without this script (address, category, text, photo, contact); with it,
// the place can also be picked on the map or taken from the device, and the description suggests a category.
// Leaflet (kaart-map.js) is loaded only when the resident opens the map, so the page stays light on a phone.

import { loadMapModule, devicePosition } from './map-loader.js';

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
    form.dispatchEvent(new Event('kaart:place-chosen'));
    if (map) await map.module.showFocus(mapElement, { lat: la, lon: lo, label: 'Gekozen plek' });
  };

  async function openMap() {
    if (map) return map;
    mapElement.hidden = false;
    const module = await loadMapModule(form.dataset.mapCss);
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

  $('[data-use-location]').addEventListener('click', async () => {
    locationError.textContent = '';
    try {
      const p = await devicePosition('Vul een adres in of kies een plek op de kaart.');
      await choose(p.lat, p.lon, 'uw locatie');
    } catch (e) { locationError.textContent = e.message; }
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

  // "Is dit al gemeld?": for an openbare-ruimte category, once the place is known, the published cells nearby with recent
  // meldingen of that kind (never one under the minimum: the server applies the release rule); the resident may follow
  // them instead of making a new melding (their e-mail address gets each step), or go on with their own
  const alGemeld = $('[data-al-gemeld]');
  const openbareRuimte = JSON.parse(form.dataset.openbareRuimte || '[]');
  const postcode = $('input[name="Input.Postcode"]');
  const huisnummer = $('input[name="Input.Huisnummer"]');
  let asked = '';
  const checkAlGemeld = async () => {
    const c = category.value;
    const place = placeMap.checked
      ? (lat.value && lon.value ? `lat=${lat.value}&lon=${lon.value}` : '')
      : (postcode.value.trim() && /^\d+$/.test(huisnummer.value.trim()) ? `postcode=${encodeURIComponent(postcode.value.trim())}&huisnummer=${huisnummer.value.trim()}` : '');
    if (!openbareRuimte.includes(c) || !place) { alGemeld.hidden = true; asked = ''; return; }
    const query = `category=${encodeURIComponent(c)}&${place}`;
    if (query === asked) return;
    asked = query;
    let answer;
    try {
      const r = await fetch(`api/meldingen/al-gemeld?${query}`, { headers: { accept: 'application/json' } });
      if (!r.ok) { alGemeld.hidden = true; return; }
      answer = await r.json();
    } catch { alGemeld.hidden = true; return; }
    if (query !== asked) return; // a newer question was asked meanwhile
    if (answer.cellen.length === 0) { alGemeld.hidden = true; return; }
    const label = category.selectedOptions[0]?.textContent.toLowerCase() ?? c;
    alGemeld.replaceChildren();
    const h = document.createElement('p');
    h.innerHTML = '<strong>Is dit al gemeld?</strong> ';
    h.append(`In de afgelopen vier weken kwamen er in de buurt van deze plek al meldingen over ${label} binnen:`);
    const list = document.createElement('ul');
    for (const cel of answer.cellen) {
      const li = document.createElement('li');
      li.append(`${cel.aantal} meldingen, op ongeveer ${cel.afstandM} m `);
      const follow = document.createElement('button');
      follow.type = 'button';
      follow.className = 'link-button';
      follow.textContent = 'Volg deze meldingen';
      follow.dataset.cel = cel.cel;
      follow.dataset.testid = 'al-gemeld-volg';
      li.append(follow);
      list.append(li);
    }
    const mailLabel = document.createElement('label');
    mailLabel.htmlFor = 'al-gemeld-email';
    mailLabel.textContent = 'Uw e-mailadres (om de stappen te volgen)';
    const mail = document.createElement('input');
    mail.type = 'email'; mail.id = 'al-gemeld-email'; mail.autocomplete = 'email';
    mail.value = $('input[name="Input.Email"]')?.value ?? '';
    const note = document.createElement('p');
    note.className = 'hint';
    note.textContent = 'Volgt u ze, dan hoeft u geen nieuwe melding te doen. Gaat het om iets anders, doe dan gewoon uw melding.';
    const result = document.createElement('p');
    result.setAttribute('role', 'status');
    result.dataset.testid = 'al-gemeld-result';
    alGemeld.append(h, list, mailLabel, mail, note, result);
    for (const button of list.querySelectorAll('button')) {
      button.addEventListener('click', async () => {
        result.textContent = '';
        const r = await fetch('api/meldingen/al-gemeld/volgen', {
          method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ cel: button.dataset.cel, category: c, email: mail.value }),
        });
        if (r.ok) result.textContent = `U volgt deze meldingen over ${label}: u krijgt een e-mail bij elke stap. U hoeft geen nieuwe melding te doen.`;
        else result.textContent = (await r.json().catch(() => null))?.detail ?? 'Volgen lukte niet. Probeer het opnieuw of doe een melding.';
      });
    }
    alGemeld.hidden = false;
  };
  category.addEventListener('change', checkAlGemeld);
  postcode?.addEventListener('change', checkAlGemeld);
  huisnummer?.addEventListener('change', checkAlGemeld);
  form.addEventListener('kaart:place-chosen', checkAlGemeld);

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
