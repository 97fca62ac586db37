// Service worker of the wijkschouw (scope /schouwen/): keeps the round's page and the scripts and styles it loaded, so
// the page opens and works without a connection for the length of a round (findings wait in IndexedDB, see
// Scripts/schouw.js). Pages: the network first, the kept copy when there is none. Scripts and styles (fingerprinted
// names): the kept copy first. The API is never kept: its answers go straight to the network.
const CACHE = 'kaart-schouw-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', event => event.waitUntil((async () => {
  for (const name of await caches.keys()) if (name.startsWith('kaart-schouw-') && name !== CACHE) await caches.delete(name);
  await self.clients.claim();
})()));

// the page asks to keep itself and what it loaded; the answer says whether all of it is kept
self.addEventListener('message', event => {
  if (event.data?.type !== 'bewaar') return;
  const port = event.ports[0];
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const urls = [...new Set(event.data.urls)];
    const results = await Promise.allSettled(urls.map(async u => {
      let response;
      try {
        response = await fetch(u, { credentials: 'same-origin', cache: 'no-cache' });
      } catch (e) {
        if (await cache.match(u)) return; // opened again without a connection: the copy kept before still serves
        throw e;
      }
      if (!response.ok || response.redirected) throw new Error(`${u}: ${response.status}`);
      await cache.put(u, response);
    }));
    const failed = results.filter(r => r.status === 'rejected').map(r => String(r.reason));
    port?.postMessage({ ok: failed.length === 0, kept: urls.length - failed.length, failed });
  })());
});

self.addEventListener('fetch', event => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/_blazor')) return;
  if (request.mode === 'navigate') {
    event.respondWith((async () => {
      try {
        const response = await fetch(request);
        if (response.ok && !response.redirected && url.pathname.endsWith('/lopen')) (await caches.open(CACHE)).put(url.pathname, response.clone());
        return response;
      } catch (e) {
        const kept = await caches.match(url.pathname);
        if (kept) return kept;
        throw e;
      }
    })());
    return;
  }
  event.respondWith((async () => (await caches.match(url.pathname + url.search)) ?? fetch(request))());
});
