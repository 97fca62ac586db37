// The planners' editing tools on a map: the lasso (select buurten) and the line editor (move a border). Loaded with the
// map module; their Leaflet plugins load with their first use (separate chunks), since only the plan editor needs them.
import L from './leaflet-global.js';
import { maps, notify } from './map-state.js';

let lassoPlugin, editablePlugin;

/** Lets the user draw one lasso; the features of layer `id` inside it are reported (OnLassoJs), then the lasso stops. */
export async function startLasso(element, id) {
  const state = maps.get(element);
  if (!state) return;
  const { LassoHandler } = await (lassoPlugin ??= import('leaflet-lasso/dist/leaflet-lasso.esm.js'));
  if (state.disposed) return;
  state.lasso ??= new LassoHandler(state.map, { intersect: false });
  state.map.once('lasso.finished', e => {
    const geo = state.layers[id]?.geo;
    const codes = e.layers.filter(l => geo?.hasLayer(l)).map(l => l.feature.properties.code);
    state.lasso.disable();
    element.dataset.lasso = 'off';
    notify(state, 'OnLassoJs', id, codes);
  });
  state.lasso.enable();
  element.dataset.lasso = 'on';
}

/** Draws a line ([lat, lon] pairs) whose vertices can be dragged, added (middle markers) and removed (click): a border to move. */
export async function editLine(element, latlngs) {
  const state = maps.get(element);
  if (!state) return;
  await (editablePlugin ??= import('leaflet-editable'));
  if (state.disposed) return;
  state.map.editTools ??= new L.Editable(state.map, {});
  stopEditLine(element);
  const line = L.polyline(latlngs, { color: '#d4351c', weight: 4, opacity: 0.9 }).addTo(state.map);
  line.enableEdit(state.map);
  state.editLine = line;
  element.dataset.edgeMoves = '0';
  line.on('editable:vertex:dragend editable:vertex:deleted editable:vertex:new', () => {
    element.dataset.edgeMoves = String(Number(element.dataset.edgeMoves) + 1);
  });
  state.map.fitBounds(line.getBounds(), { padding: [80, 80], animate: false, maxZoom: 12 });
  await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  element.dataset.edgeVertices = String(latlngs.length);
}

/** The edited line and how far 10 pixels are at this zoom (metres): a vertex dropped that close to another snaps to it. */
export function editedLine(element) {
  const state = maps.get(element);
  const line = state?.editLine;
  if (!line) return null;
  const c = state.map.getSize().divideBy(2);
  const a = state.map.containerPointToLatLng(c);
  const b = state.map.containerPointToLatLng(c.add([10, 0]));
  return { line: line.getLatLngs().map(p => [p.lat, p.lng]), snapM: state.map.distance(a, b) };
}

export function stopEditLine(element) {
  const state = maps.get(element);
  if (!state?.editLine) return;
  state.editLine.disableEdit();
  state.editLine.remove();
  state.editLine = null;
  delete element.dataset.edgeVertices;
}
