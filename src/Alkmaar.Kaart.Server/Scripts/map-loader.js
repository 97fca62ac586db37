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

/**
 * The device's position for a server-rendered form: resolves { lat, lon }, or rejects with a Dutch sentence that ends in
 * `instead` (what the person can do instead, e.g. "Vul een adres in of kies een plek op de kaart."). One text for every
 * form that offers "Gebruik mijn locatie".
 */
export function devicePosition(instead) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(new Error(`Deze browser kan uw locatie niet bepalen. ${instead}`)); return; }
    navigator.geolocation.getCurrentPosition(p => resolve({ lat: p.coords.latitude, lon: p.coords.longitude }), e => reject(new Error(
      e.code === 1 ? `U heeft geen toestemming gegeven om uw locatie te gebruiken. ${instead}`
        : e.code === 3 ? `Het bepalen van uw locatie duurde te lang. Probeer het opnieuw. ${instead}`
          : `Uw locatie kon niet worden bepaald. ${instead}`)),
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
}
