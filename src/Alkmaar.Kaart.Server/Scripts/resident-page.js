// The server-rendered resident pages (issue 35): the page is plain HTML and forms that work without this script; this
// small script adds what needs a browser — the map, the device's location, copying a link, focus on a fresh answer.
// The map (Leaflet, kaart-map.js) is not part of the first paint: on a wide screen it loads once the page has painted;
// on a phone when the resident asks for it ("Toon de kaart"), so the page stays light where the network and CPU are slow.
//
// Markup it reads:
//   [data-resident-map]   JSON options for createMap (layers …) plus pointUrl ("…?lat={lat}&lon={lon}": a click on the
//                         map goes there), featureUrl with featureLayers ("/gebied/{code}?niveau={level}": a click on an
//                         area of those layers goes there) and focus (the answer's area and point, drawn highlighted)
//   [data-bar-chart]      JSON for a bar chart (bar-chart.js, Chart.js), drawn when it comes into view
//   select[data-autosubmit]  a choice sends its form (the form's own button stays for when this script is absent)
//   [data-show-map]       the button that loads the map on a phone
//   [data-use-location]   the button for the device's location (goes to pointUrl); [data-location-error] its message
//   [data-copy]           copies the value of the element with that id; [data-copy-status] says whether it worked
//   [data-focus-answer]   an answer to move the focus to when the page opened on it
// When done it sets data-interactive="true" on [data-resident-page] (what people and tests wait on).

import { loadMapModule, devicePosition } from './map-loader.js';

const page = document.querySelector('[data-resident-page]');
if (page) init(page);

function init(page) {
  const mapElement = page.querySelector('[data-resident-map]');
  const options = mapElement ? JSON.parse(mapElement.dataset.residentMap) : null;
  let map = null;

  const go = (lat, lon) => {
    location.assign(options.pointUrl.replace('{lat}', lat.toFixed(6)).replace('{lon}', lon.toFixed(6)));
  };

  async function openMap() {
    if (map) return map;
    const showButton = page.querySelector('[data-show-map]');
    if (showButton) showButton.hidden = true;
    mapElement.hidden = false;
    const module = await loadMapModule(mapElement.dataset.mapCss);
    // the map reports clicks to a .NET object on interactive pages; here a plain object stands in for it
    const receiver = {
      invokeMethodAsync: (name, a, b, c) => {
        if (name === 'OnPointClickedJs') go(a, b);
        else if (name === 'OnFeatureClickedJs' && options.featureUrl && options.featureLayers.includes(a) && c !== options.focus?.areaCode)
          location.assign(options.featureUrl.replace('{code}', encodeURIComponent(c)).replace('{level}', encodeURIComponent(b ?? '')));
        return Promise.resolve();
      },
    };
    await module.createMap(mapElement, { ...options, pointClicks: !!options.pointUrl }, receiver);
    map = module;
    if (options.focus) await module.showFocus(mapElement, options.focus);
    return map;
  }

  if (mapElement) {
    const wide = window.matchMedia('(min-width: 700px)').matches;
    const showButton = page.querySelector('[data-show-map]');
    if (wide) {
      // after the first paint: two frames, then when the browser is idle
      requestAnimationFrame(() => requestAnimationFrame(() =>
        ('requestIdleCallback' in window ? requestIdleCallback : setTimeout)(() => openMap(), { timeout: 1000 })));
    } else if (showButton) {
      showButton.hidden = false;
      showButton.addEventListener('click', () => openMap());
    }
  }

  const locationButton = page.querySelector('[data-use-location]');
  const locationError = page.querySelector('[data-location-error]');
  if (locationButton && options?.pointUrl) {
    locationButton.hidden = false;
    locationButton.addEventListener('click', async () => {
      locationError.textContent = '';
      locationError.hidden = true;
      try {
        const p = await devicePosition('Vul uw postcode en huisnummer in, of klik op de kaart.');
        go(p.lat, p.lon);
      } catch (e) { locationError.textContent = e.message; locationError.hidden = false; }
    });
  }

  for (const button of page.querySelectorAll('[data-copy]')) {
    button.hidden = false;
    button.addEventListener('click', async () => {
      const status = page.querySelector('[data-copy-status]');
      let ok = false;
      try { await navigator.clipboard.writeText(document.getElementById(button.dataset.copy).value); ok = true; } catch { /* refused */ }
      if (status) status.textContent = ok ? 'De link is gekopieerd.' : 'Kopiëren lukte niet; selecteer de link en kopieer hem zelf.';
    });
  }

  for (const select of page.querySelectorAll('select[data-autosubmit]')) {
    select.addEventListener('change', () => select.form.requestSubmit());
  }

  const charts = page.querySelectorAll('[data-bar-chart]');
  if (charts.length) {
    const draw = element => import('/dist/bar-chart.js').then(m => m.drawBarChart(element));
    if ('IntersectionObserver' in window) {
      const seen = new IntersectionObserver(entries => {
        for (const e of entries.filter(e => e.isIntersecting)) { seen.unobserve(e.target); draw(e.target); }
      }, { rootMargin: '200px' });
      charts.forEach(c => seen.observe(c));
    } else charts.forEach(draw);
  }

  // an answer the page opened on: the focus goes to it, for screen readers and keyboard users
  const answer = page.querySelector('[data-focus-answer]');
  if (answer && new URLSearchParams(location.search).toString()) answer.focus();

  page.dataset.interactive = 'true';
}
