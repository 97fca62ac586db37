// Longer than 400 lines: the map's life cycle and the four ways it draws a layer (polygons with labels, markers, clusters, density) share one state per map; the editing tools and the state registry are apart (map-edit.js, map-state.js).
// The one Leaflet module of Alkmaar Kaart. Razor components tell it which URLs, styles and filters to show;
// map data is fetched over HTTP (never through the Blazor circuit) and clicks are sent back to .NET.
import L from './leaflet-global.js';
import 'proj4leaflet';
import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import 'leaflet.markercluster/dist/MarkerCluster.Default.css';
import './kaart-map.css';

// Leaflet finds its marker images through CSS url() by default, which breaks when bundled.
import iconUrl from 'leaflet/dist/images/marker-icon.png';
import iconRetinaUrl from 'leaflet/dist/images/marker-icon-2x.png';
import shadowUrl from 'leaflet/dist/images/marker-shadow.png';
delete L.Icon.Default.prototype._getIconUrl;
L.Icon.Default.mergeOptions({ iconUrl, iconRetinaUrl, shadowUrl });

import { maps, notify } from './map-state.js';

export { startLasso, editLine, editedLine, stopEditLine } from './map-edit.js';

// The plugins for marker clusters and the density layer load with the first layer that needs them (separate chunks),
// so a resident's first map (areas only) does not fetch them.
let clusterPlugin, heatPlugin;
const loadCluster = () => (clusterPlugin ??= import('leaflet.markercluster'));
const loadHeat = () => (heatPlugin ??= import('leaflet.heat'));

/** RD New with PDOK's tile matrix set (EPSG:28992), so the BRT-Achtergrondkaart fits when tiles are configured. */
function rdCrs(proj4def) {
  const resolutions = [];
  for (let z = 0; z <= 16; z++) resolutions.push(3440.64 / Math.pow(2, z));
  return new L.Proj.CRS('EPSG:28992', proj4def, {
    origin: [-285401.92, 903401.92],
    resolutions,
    bounds: L.bounds([-285401.92, 22598.08], [595401.92, 903401.92]),
  });
}

const nl = new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 0 });

/**
 * Creates a map in `element`.
 * options: { proj4, tileUrl, tileAttribution, attribution, center: [lat, lon], zoom, layers: [{ id, title, url,
 *            visible, color, weight, fillOpacity, labelMinZoom, level }] }
 */
export async function createMap(element, options, dotnetRef) {
  const crs = rdCrs(options.proj4);
  const map = L.map(element, {
    crs,
    center: options.center ?? [52.63, 4.75],
    zoom: options.zoom ?? 6,
    minZoom: 2,
    maxZoom: 14,
    keyboard: true,
    zoomControl: true,
  });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="Leaflet">Leaflet</a>');
  if (options.attribution) map.attributionControl.addAttribution(options.attribution);

  const baseLayers = {};
  const empty = L.layerGroup();
  if (options.tileUrl) {
    const brt = L.tileLayer(options.tileUrl, {
      attribution: options.tileAttribution ?? '',
      minZoom: 0, maxZoom: 14, tms: false, errorTileUrl: '',
    });
    baseLayers['Achtergrondkaart (BRT)'] = brt;
    brt.addTo(map);
  } else {
    empty.addTo(map);
  }
  baseLayers['Geen achtergrond'] = empty;

  const state = { map, dotnetRef, layers: {}, selected: null, pointClicks: !!options.pointClicks, focus: null };
  if (state.pointClicks) {
    map.on('click', e => notify(state, 'OnPointClickedJs', e.latlng.lat, e.latlng.lng));
    element.classList.add('kaart-map-pick');
  }
  maps.set(element, state);

  const overlays = {};
  for (const def of options.layers ?? []) {
    const group = L.featureGroup();
    const labels = L.layerGroup();
    // a hidden layer is fetched when it is first shown (stale until then), not with the map
    const layer = { def, group, labels, geo: null, stale: !def.visible };
    state.layers[def.id] = layer;
    overlays[def.title] = group;
    if (def.visible) group.addTo(map);
    group.on('add', async () => {
      notify(state, 'OnLayerToggledJs', def.id, true);
      if (isCells(layer)) loadCells(state, layer);
      else if (layer.stale) await (layer.pending = reload(state, layer));
      updateLabels(state);
    });
    group.on('remove', () => { labels.remove(); notify(state, 'OnLayerToggledJs', def.id, false); });
  }
  // Expanded on a desk, folded into its button on a phone so the map keeps the screen.
  L.control.layers(baseLayers, overlays, { collapsed: window.innerWidth < 700, position: 'topleft' }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  addRdCoordinates(map, crs);
  // data-view-zoom: the zoom level drawn, set once its labels are placed (tests wait for it)
  map.on('zoomend', () => { updateLabels(state); element.dataset.viewZoom = String(map.getZoom()); });
  map.on('moveend', () => declutter(state));
  // counted-cell layers follow the view: coarser cells when zoomed out, only what is in view
  map.on('moveend', () => {
    for (const l of Object.values(state.layers)) if (isCells(l) && map.hasLayer(l.group)) loadCells(state, l);
  });

  await Promise.all(Object.values(state.layers).filter(l => !isCells(l) && !l.stale).map(l => loadLayer(state, l)));
  if (state.disposed) return false; // the page replaced this map while its layers loaded
  const first = Object.values(state.layers).find(l => l.def.visible && l.geo && l.geo.getLayers().length);
  // not animated: a focus view asked for right after start-up must not be swallowed by a running zoom animation
  if (first) map.fitBounds(first.group.getBounds(), { padding: [10, 10], animate: false });
  element.dataset.startZoom = element.dataset.viewZoom = String(map.getZoom());
  updateLabels(state);
  element.dataset.loaded = 'true';
  return true;
}

/** Fetches a layer's GeoJSON and draws it in place of what it showed; of overlapping reloads only the latest is drawn. */
async function loadLayer(state, layer) {
  const { def } = layer;
  const ticket = (layer.ticket = (layer.ticket ?? 0) + 1);
  const url = def.url;
  const response = await fetch(url, { headers: { Accept: 'application/geo+json' } });
  if (!response.ok) {
    console.error(`kaart-map: ${url} answered ${response.status}`);
    return false;
  }
  const data = await response.json();
  if (state.disposed) return false; // the page went on meanwhile: the map is gone
  if (ticket !== layer.ticket) return false; // a newer reload is under way
  if (layer.geo) layer.group.removeLayer(layer.geo);
  layer.labels.clearLayers();
  if (state.selected && layer.geo?.hasLayer(state.selected)) state.selected = null;
  const style = {
    color: def.color ?? '#1f4e79', weight: def.weight ?? 2, fillColor: def.color ?? '#1f4e79',
    fillOpacity: def.fillOpacity ?? 0.08, opacity: 0.9,
  };
  if (def.kind === 'markers') {
    await loadCluster();
    if (state.disposed || ticket !== layer.ticket) return false;
    drawMarkers(state, layer, data);
    report(state, layer);
    return true;
  }
  // A feature may bring its own fill (a choropleth class colour, a team's colour in a plan); its border stays the layer's.
  // A changed feature (a plan's moved buurt) gets a dashed border; a selected one a dark, heavy border.
  const styleOf = f => {
    const p = f?.properties ?? {};
    let s = p.fill ? { ...style, fillColor: p.fill } : style;
    if (p.changed) s = { ...s, dashArray: '6 4', weight: style.weight + 1 };
    if (layer.selection?.has(p.code)) s = { ...s, color: '#111111', weight: style.weight + 3, fillOpacity: Math.max(0.55, s.fillOpacity) };
    return s;
  };
  layer.styleOf = styleOf;
  layer.geo = L.geoJSON(data, {
    style: styleOf,
    onEachFeature: (feature, shape) => {
      const p = feature.properties;
      shape.feature = feature;
      // On a map that reports points, a click on an area bubbles to the map's own click handler instead.
      if (!state.pointClicks) shape.on('click', () => select(state, layer, shape));
      shape.on('mouseover', () => shape.setStyle({ weight: styleOf(feature).weight + 2 }));
      shape.on('mouseout', () => shape.setStyle({ weight: state.selected === shape ? styleOf(feature).weight + 2 : styleOf(feature).weight }));
      if (p.tooltip) shape.bindTooltip(escapeHtml(p.tooltip), { sticky: true, direction: 'top', className: 'kaart-tooltip' });
      if (def.popup && !state.pointClicks) shape.bindPopup(popupHtml(def, p));
      // Leaflet paths are SVG elements: give them a name and make them reachable by keyboard.
      shape.on('add', () => {
        const el = shape.getElement?.();
        if (!el) return;
        el.setAttribute('tabindex', '0');
        el.setAttribute('role', 'button');
        el.setAttribute('aria-label', `${def.title}: ${p.tooltip ?? p.name}`);
        el.dataset.code = p.code;
        el.dataset.level = p.level;
        if (!state.pointClicks) el.addEventListener('keydown', e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(state, layer, shape); } });
      });
      if (p.labelPoint) {
        const [lon, lat] = p.labelPoint;
        layer.labels.addLayer(L.marker([lat, lon], {
          icon: L.divIcon({ className: `kaart-label kaart-label-${def.id}`, html: escapeHtml(p.name), iconSize: null }),
          interactive: false, keyboard: false,
        }));
      }
    },
  });
  layer.group.addLayer(layer.geo);
  if (state.map.hasLayer(layer.labels)) { declutter(state); requestAnimationFrame(() => declutter(state)); }
  report(state, layer);
  return true;
}

/** Marks features of a layer as selected (a plan's buurten chosen for an edit); says how many on data-selected-{id}. */
export function setSelection(element, id, codes) {
  const state = maps.get(element);
  const layer = state?.layers[id];
  if (!layer) return;
  layer.selection = new Set(codes);
  layer.geo?.eachLayer(shape => shape.setStyle(layer.styleOf(shape.feature)));
  element.dataset[`selected${dataKey(id)}`] = String(codes.length);
}

/** Says on the element what a layer drew (data-loaded-{id}: features, data-url-{id}); tests and benchmarks wait for it. */
function report(state, layer) {
  const { dataset } = state.map.getContainer();
  const key = dataKey(layer.def.id);
  dataset[`loaded${key}`] = String(layer.geo?.getLayers().length ?? 0);
  dataset[`url${key}`] = layer.def.url;
}

function select(state, layer, shape) {
  const { def } = layer;
  const base = def.weight ?? 2;
  if (state.selected && state.selected !== shape) {
    state.selected.setStyle({ weight: state.selectedBase, fillOpacity: state.selectedFill });
  }
  state.selected = shape;
  state.selectedBase = base;
  state.selectedFill = def.fillOpacity ?? 0.08;
  shape.setStyle({ weight: base + 2, fillOpacity: Math.max(0.3, state.selectedFill) });
  shape.bringToFront();
  const p = shape.feature.properties;
  notify(state, 'OnFeatureClickedJs', def.id, p.level ?? null, p.code);
}

function updateLabels(state) {
  const zoom = state.map.getZoom();
  for (const l of Object.values(state.layers)) {
    const show = state.map.hasLayer(l.group) && zoom >= (l.def.labelMinZoom ?? 0);
    if (show && !state.map.hasLayer(l.labels)) l.labels.addTo(state.map);
    if (!show && state.map.hasLayer(l.labels)) l.labels.remove();
  }
  declutter(state);
  // once more after the browser has laid out labels just added (their size is known only then), and once when a busy
  // page has settled (a layer finishing its load or a zoom animation ending moves labels after that frame)
  requestAnimationFrame(() => declutter(state));
  clearTimeout(state.declutterTimer);
  state.declutterTimer = setTimeout(() => declutter(state), 300);
}

/**
 * Labels never collide: in layer order (gebieden before wijken before buurten …), a label that would overlap one already
 * shown is hidden (WEST over West, De Mare next to Vroonermeer). Says how many are shown (data-labels-shown).
 */
function declutter(state) {
  const kept = [];
  for (const l of Object.values(state.layers)) {
    if (!state.map.hasLayer(l.labels)) continue;
    l.labels.eachLayer(m => {
      const el = m.getElement?.();
      if (!el) return;
      el.classList.remove('kaart-label-hidden');
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return;
      if (kept.some(k => r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top)) el.classList.add('kaart-label-hidden');
      else kept.push(r);
    });
  }
  state.map.getContainer().dataset.labelsShown = String(kept.length);
}

function addRdCoordinates(map, crs) {
  const Control = L.Control.extend({
    options: { position: 'bottomleft' },
    onAdd() {
      const div = L.DomUtil.create('div', 'kaart-rd-coordinates leaflet-bar');
      div.setAttribute('aria-live', 'off');
      // a touch screen has no mouse: there the coordinates follow a tap
      const touch = window.matchMedia && window.matchMedia('(hover: none)').matches;
      div.textContent = touch ? 'RD: tik op de kaart' : 'RD: beweeg de muis over de kaart';
      const show = e => {
        const p = crs.project(e.latlng);
        div.textContent = `RD x ${nl.format(p.x)}  y ${nl.format(p.y)}`;
        div.dataset.x = p.x.toFixed(1);
        div.dataset.y = p.y.toFixed(1);
      };
      map.on('mousemove', show);
      if (touch) map.on('click', show);
      return div;
    },
  });
  new Control().addTo(map);
}

/** Points a layer at a new URL (new filters) and redraws it; sets data-loaded-{id} when done (tests wait for it). */
export async function setLayerUrl(element, id, url) {
  const state = maps.get(element);
  const layer = state?.layers[id];
  if (!layer) return;
  layer.def.url = url;
  if (!state.map.hasLayer(layer.group)) { layer.stale = true; return; } // fetched when shown
  if (isCells(layer)) { await loadCells(state, layer); return; }
  await reload(state, layer);
  updateLabels(state);
}

/** Loads a layer from its URL and reports it on the element (data-loaded-{id}, data-url-{id}; tests wait for them). */
async function reload(state, layer) {
  layer.stale = false;
  await loadLayer(state, layer);
}

/** 'meldingen' → 'Meldingen', for data-*-{id} attributes (dataset names are camelCase). */
const dataKey = id => `${id[0].toUpperCase()}${id.slice(1)}`;

const statusNames = {
  aangevraagd: 'Aangevraagd', toegekend: 'Toegekend', uitgevoerd: 'Uitgevoerd', afgewezen: 'Afgewezen',
  nieuw: 'Nieuw', in_behandeling: 'In behandeling', reactie_gevraagd: 'Reactie gevraagd', afgehandeld: 'Afgehandeld',
};
const euro = new Intl.NumberFormat('nl-NL', { style: 'currency', currency: 'EUR' });

/** Point features (or areas, at their label point) as clustered markers with a popup; a click reports the feature. */
function drawMarkers(state, layer, data) {
  // a redraw (new filter, changed status) replaces every marker: the open popup follows its feature, if still shown
  const reopen = layer.openCode;
  state.map.closePopup();
  const cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
  layer.markers = {};
  for (const f of data.features ?? []) {
    const p = f.properties;
    const [lon, lat] = f.geometry?.type === 'Point' ? f.geometry.coordinates : p.labelPoint;
    const marker = L.marker([lat, lon], {
      icon: L.divIcon({ className: `kaart-pin kaart-pin-${p.status ?? 'x'}`, html: '<span></span>', iconSize: [24, 24], iconAnchor: [12, 12] }),
      title: p.title ?? p.name, alt: p.title ?? p.name, keyboard: true,
    });
    marker.bindPopup(popupHtml(layer.def, p));
    marker.on('click', () => notify(state, 'OnFeatureClickedJs', layer.def.id, p.level ?? null, p.code));
    marker.on('popupopen', () => { layer.openCode = p.code; });
    marker.on('popupclose', () => { if (layer.openCode === p.code && layer.markers?.[p.code] === marker) layer.openCode = null; });
    marker.on('add', () => { const el = marker.getElement(); if (el) { el.dataset.code = p.code; el.dataset.level = p.level ?? ''; } });
    layer.markers[p.code] = marker;
    cluster.addLayer(marker);
  }
  layer.geo = cluster;
  layer.group.addLayer(cluster);
  layer.openCode = null;
  if (reopen && layer.markers[reopen]) showMarker(layer, reopen);
}

/** A feature's popup from its layer's catalogue entry (title property, fields with label and format); the name alone without one. */
function popupHtml(def, p) {
  const popup = def.popup ?? { title: 'name', fields: [] };
  const value = (f) => {
    const v = p[f.property];
    if (v === null || v === undefined || v === '') return null;
    if (f.format === 'status') return statusNames[v] ?? v;
    if (f.format === 'euro') return euro.format(v);
    return v;
  };
  const plain = popup.fields.filter(f => !f.label && f.format !== 'muted').map(value).filter(v => v !== null).map(v => escapeHtml(v));
  const labelled = popup.fields.filter(f => f.label).map(f => [f.label, value(f)]).filter(([, v]) => v !== null)
    .map(([l, v]) => `${escapeHtml(l)} ${escapeHtml(v)}`);
  const muted = popup.fields.filter(f => f.format === 'muted').map(value).filter(v => v !== null)
    .map(v => `<span class="muted">${escapeHtml(v)}</span>`);
  return [`<strong>${escapeHtml(p[popup.title] ?? p.name ?? p.code ?? '')}</strong>`, plain.join(' · '), ...labelled, ...muted].filter(x => x).join('<br>');
}

function showMarker(layer, code) {
  const marker = layer.markers[code];
  const cluster = layer.geo;
  // the callback can come after a redraw: only open what is still this layer's marker
  cluster.zoomToShowLayer(marker, () => { if (layer.geo === cluster && layer.markers[code] === marker) marker.openPopup(); });
}

/** Shows one marker of a marker layer (unclustering as needed) and opens its popup (a list row was chosen). */
export function openMarker(element, id, code) {
  const state = maps.get(element);
  const layer = state?.layers[id];
  const marker = layer?.markers?.[code];
  if (!marker) return false;
  showMarker(layer, code);
  return true;
}

const isCells = l => l.def.kind === 'clusters' || l.def.kind === 'density';

// RD New's valid range (the API refuses a bbox outside it)
const rdRange = { minX: -7000, maxX: 300000, minY: 289000, maxY: 629000 };
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/**
 * Counted cells of meldingen for the current view: the URL gets the view's RD bbox and a cell size that grows with the
 * scale (about 64 px per cluster, 8 px for the density view; never finer than the server's generalisation grid).
 * 'clusters' draws a numbered circle per cell, 'density' a heat map weighted by the counts.
 */
async function loadCells(state, layer) {
  const { map } = state;
  const { def } = layer;
  const crs = map.options.crs;
  const b = map.getBounds().pad(0.1);
  const sw = crs.project(b.getSouthWest()), ne = crs.project(b.getNorthEast());
  const metresPerPixel = 3440.64 / Math.pow(2, map.getZoom());
  const cell = Math.round(metresPerPixel * (def.kind === 'density' ? 8 : 64));
  const bbox = [clamp(sw.x, rdRange.minX, rdRange.maxX), clamp(sw.y, rdRange.minY, rdRange.maxY),
    clamp(ne.x, rdRange.minX, rdRange.maxX), clamp(ne.y, rdRange.minY, rdRange.maxY)].map(v => v.toFixed(0));
  const url = `${def.url}${def.url.includes('?') ? '&' : '?'}bbox=${bbox.join(',')}&cell=${cell}`;
  const ticket = (layer.ticket = (layer.ticket ?? 0) + 1);
  const started = performance.now();
  const response = await fetch(url, { headers: { Accept: 'application/geo+json' } });
  if (!response.ok) { console.error(`kaart-map: ${url} answered ${response.status}`); return; }
  const data = await response.json();
  if (def.kind === 'density') await loadHeat();
  if (state.disposed || ticket !== layer.ticket) return;
  if (layer.geo) layer.group.removeLayer(layer.geo);
  const features = data.features ?? [];
  if (def.kind === 'density') {
    const max = Math.max(1, ...features.map(f => f.properties.count));
    layer.geo = L.heatLayer(features.map(f => [f.geometry.coordinates[1], f.geometry.coordinates[0], f.properties.count]),
      { radius: 18, blur: 14, max, minOpacity: 0.25, gradient: { 0.2: '#41b6c4', 0.45: '#a1dab4', 0.7: '#fecc5c', 0.9: '#f03b20', 1: '#bd0026' } });
  } else {
    layer.geo = L.layerGroup(features.map(f => {
      const n = f.properties.count;
      const size = n < 10 ? 26 : n < 100 ? 32 : n < 1000 ? 40 : 48;
      const band = n < 10 ? 'small' : n < 100 ? 'medium' : 'large';
      // disclosure control may leave a cell with its total only (no categories, so no "meest")
      const top = f.properties.topCategory;
      const title = `${nl.format(n)} ${n === 1 ? 'melding' : 'meldingen'}${top ? `, meest: ${top}` : ''}`;
      return L.marker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
        icon: L.divIcon({ className: `marker-cluster marker-cluster-${band} kaart-cell`, html: `<div><span>${nl.format(n)}</span></div>`, iconSize: [size, size] }),
        keyboard: false, title, alt: title,
      });
    }));
  }
  layer.group.addLayer(layer.geo);
  const key = dataKey(def.id);
  map.getContainer().dataset[`loaded${key}`] = String(data.total ?? 0);
  map.getContainer().dataset[`cells${key}`] = String(features.length);
  map.getContainer().dataset[`url${key}`] = def.url;
  map.getContainer().dataset[`request${key}`] = url; // with the view's bbox and cell size (tests recount it in PostGIS)
  // time from request to drawn (the browser benchmark reads it after the next frame)
  requestAnimationFrame(() => { map.getContainer().dataset[`ms${key}`] = String(Math.round(performance.now() - started)); });
}

/** Shows or hides a layer by id (from the Razor side). */
export async function setLayerVisible(element, id, visible) {
  const state = maps.get(element);
  const layer = state?.layers[id];
  if (!layer) return;
  if (visible) layer.group.addTo(state.map); else layer.group.remove();
  if (visible) await layer.pending; // shown for the first time (or after a new URL): drawn when this returns
}

/** Fits the view to what a layer drew (e.g. a plan's changes); says so on data-fitted. */
export function fitLayer(element, id) {
  const state = maps.get(element);
  const layer = state?.layers[id];
  if (!layer?.geo || layer.geo.getLayers().length === 0) return;
  state.map.fitBounds(layer.geo.getBounds(), { padding: [60, 60], maxZoom: 11, animate: false });
  element.dataset.fitted = id;
}

const focusStyle = { color: '#d4351c', weight: 4, opacity: 1, fillColor: '#ffbf47', fillOpacity: 0.25 };

/**
 * Points at an answer: draws the area of `focus.areaUrl` (GeoJSON) highlighted and a marker at focus.lat/lon, and fits
 * the map to them. `null` clears it. Sets data-focus on the element when done (tests wait for it).
 */
export async function showFocus(element, focus) {
  const state = maps.get(element);
  if (!state) return;
  state.focus?.remove();
  state.focus = null;
  delete element.dataset.focus;
  if (!focus) return;
  const group = L.featureGroup().addTo(state.map);
  state.focus = group;
  if (focus.areaUrl) {
    let area = null;
    try {
      const response = await fetch(focus.areaUrl, { headers: { Accept: 'application/geo+json' } });
      if (response.ok) area = await response.json();
      else console.error(`kaart-map: ${focus.areaUrl} answered ${response.status}`);
    } catch (e) {
      if (!state.disposed) console.error(`kaart-map: ${focus.areaUrl} could not be fetched`, e);
    }
    // (the page may have gone on meanwhile: a removed map cannot be drawn on or fitted)
    if (area && !state.disposed && state.focus === group) L.geoJSON(area, { style: () => focusStyle, interactive: false }).addTo(group);
  }
  if (state.disposed || state.focus !== group) return; // the map is gone, or a newer answer came in meanwhile
  if (focus.lat != null && focus.lon != null) {
    L.marker([focus.lat, focus.lon], { keyboard: false, interactive: false, alt: focus.label, title: focus.label }).addTo(group);
  }
  // Zoom to the answer (the area, with the point when there is one), without animation, so that the view is final when
  // data-focus says so; then wait for the frame that draws it.
  if (focus.areaUrl && group.getLayers().length > 0) state.map.fitBounds(group.getBounds(), { padding: [40, 40], maxZoom: 10, animate: false });
  else if (focus.lat != null) state.map.setView([focus.lat, focus.lon], Math.max(state.map.getZoom(), 9), { animate: false });
  await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  if (state.disposed || state.focus !== group) return;
  // the view as drawn (WGS84 west,south,east,north and the zoom level), for tests that check the map shows the answer
  const view = state.map.getBounds();
  element.dataset.view = [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()].map(v => v.toFixed(6)).join(',');
  element.dataset.zoom = String(state.map.getZoom());
  element.dataset.focus = focus.areaCode ?? 'point';
}

/** The device's position: { lat, lon } or { error: 'denied' | 'unsupported' | 'timeout' | 'unavailable' }. */
export function currentPosition() {
  return new Promise(resolve => {
    if (!navigator.geolocation) { resolve({ error: 'unsupported' }); return; }
    navigator.geolocation.getCurrentPosition(
      p => resolve({ lat: p.coords.latitude, lon: p.coords.longitude }),
      e => resolve({ error: e.code === 1 ? 'denied' : e.code === 3 ? 'timeout' : 'unavailable' }),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
}

/** Copies text to the clipboard; false when the browser refuses. */
export async function copyText(text) {
  try { await navigator.clipboard.writeText(text); return true; } catch { return false; }
}

export function dispose(element) {
  const state = maps.get(element);
  if (!state) return;
  state.disposed = true;
  state.map.remove();
  maps.delete(element);
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
