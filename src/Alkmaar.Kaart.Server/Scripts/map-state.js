// The state of every map on the page, by its element, and the way back to its Razor component (shared by kaart-map.js
// and the editing tools in map-edit.js).

export const maps = new WeakMap();

/** Tells the Razor component something; not once it is gone (a page that replaced its map, a closed circuit). */
export function notify(state, method, ...args) {
  if (state.disposed || !state.dotnetRef) return;
  state.dotnetRef.invokeMethodAsync(method, ...args)
    .catch(e => { if (!String(e).includes('disposed')) console.error(e); }); // gone meanwhile: nothing to tell
}
