// Radzen's theme and script for a light page that needs them only after an interaction (the dashboard's side panels and
// layer controls): loaded once, on the first call; resolves when both have loaded.
let loading = null;

const load = (tag, attrs) => new Promise((resolve, reject) => {
  const el = Object.assign(document.createElement(tag), attrs);
  el.addEventListener('load', () => resolve(), { once: true });
  el.addEventListener('error', () => reject(new Error(`${attrs.href ?? attrs.src} did not load`)), { once: true });
  document.head.append(el);
});

export function ensure(styles, script) {
  if (window.Radzen) return Promise.resolve();
  loading ??= Promise.all([
    ...styles.map(href => load('link', { rel: 'stylesheet', href })),
    load('script', { src: script }),
  ]).catch(e => { loading = null; throw e; });
  return loading;
}
