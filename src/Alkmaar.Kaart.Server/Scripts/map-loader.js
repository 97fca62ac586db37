// Loads the map module (kaart-map.js, Leaflet) and its styles on a page that did not load them up front: the
// server-rendered pages (the melding form, the resident pages, the wijkschouw) load the map only when it is shown.
// The module is imported by its absolute address: this code lands in a shared chunk (dist/chunks/), where a relative
// "./kaart-map.js" would point into that folder.
export async function loadMapModule(cssHref) {
  if (!document.querySelector('link[data-map-css]')) {
    const css = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: cssHref });
    css.dataset.mapCss = '';
    await new Promise(resolve => { css.onload = css.onerror = resolve; document.head.append(css); });
  }
  return import('/dist/kaart-map.js');
}
